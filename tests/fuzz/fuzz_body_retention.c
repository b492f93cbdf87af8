/* Retention, holds and disposal (RET-1 to RET-3): the first byte chooses
 * the reader, the rest is the body. Whatever a parser accepts without a
 * violation is whole: the policy has one period, within its bounds and in
 * its class's unit, its vocabularies and a start event and an end that fit
 * its class, a hold names exactly the target of its scope, a disposal a
 * known class decided on by people (never one the service disposes of
 * itself) and a UUID. */
#include "fuzz.h"

#include "core/text.h"
#include "domain/retention.h"

static bool known(const char *const *set, const char *s)
{
    for (; s && *set; set++)
        if (strcmp(*set, s) == 0)
            return true;
    return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    json_t *body = fuzz_body(data + 1, size - 1);
    if (!body)
        return 0;
    violations v;
    violations_init(&v);
    switch (data[0] % 5) {
    case 0: {
        retention_policy_in in;
        retention_policy_parse(body, &in, &v);
        /* RET-1: the start event and the end fit the class, whichever, and
         * the period is in its unit */
        size_t classes = 0;
        while (retention_record_classes[classes])
            classes++;
        const char *klass = retention_record_classes[(data[0] / 5) % classes];
        retention_policy_check(klass, &in, &v);
        if (v.n == 0 && (!retention_start_fits(klass, in.runs_from) ||
                         !retention_then_fits(klass, in.then)))
            abort();
        bool in_hours = retention_period_in_hours(klass);
        long period = in_hours ? in.period_hours : in.period_months;
        long other = in_hours ? in.period_months : in.period_hours;
        long max = in_hours ? RETENTION_PERIOD_HOURS_MAX : RETENTION_PERIOD_MONTHS_MAX;
        if (v.n == 0 && (period < 1 || period > max || other != 0 ||
                         !known(retention_starts, in.runs_from) ||
                         !known(retention_thens, in.then) || !in.reason))
            abort();
        break;
    }
    case 1: {
        case_closure_in in;
        case_closure_parse(body, "2026-12-06", &in, &v);
        if (v.n == 0 && (!in.closed_on || strcmp(in.closed_on, "2026-12-06") > 0))
            abort();
        break;
    }
    case 2: {
        hold_in in;
        hold_parse(body, "2026-12-06", &in, &v);
        if (v.n == 0) {
            int targets = (in.child_id != NULL) + (in.meeting_id != NULL) +
                          (in.record_class != NULL);
            if (targets != 1 || !known(retention_hold_kinds, in.kind) || !in.reason)
                abort();
        }
        break;
    }
    case 3: {
        const char *reason;
        hold_release_parse(body, &reason, &v);
        if (v.n == 0 && !reason)
            abort();
        break;
    }
    default: {
        disposal_in in;
        disposal_parse(body, &in, &v);
        if (v.n == 0 && (!known(retention_record_classes, in.record_class) || !in.record_id ||
                         !text_is_uuid(in.record_id) ||
                         retention_disposed_by_service(in.record_class)))
            abort();
        if (v.n > 0 && in.record_id)
            abort();
        break;
    }
    }
    fuzz_check_violations(&v);
    json_decref(body);
    return 0;
}
