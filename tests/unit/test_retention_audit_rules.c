/* RET-1, RET-3: the record class audit_event (a month of the audit trail)
 * in the domain's rules, without HTTP: its period runs from the month's
 * end alone, it alone may be anonymised, and a disposal names a month by
 * record_id and names no meeting. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <string.h>

#include "domain/retention.h"

static json_t *parse_text(const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, &e);
    cr_assert_not_null(j, "%s", e.text);
    return j;
}

/* The policy body checked for the class: the violations' count, and the
 * first one's field in `field` (or ""). */
static size_t policy_violations(const char *klass, const char *text, const char **field)
{
    static char first[64];
    json_t *b = parse_text(text);
    retention_policy_in in;
    violations v;
    violations_init(&v);
    retention_policy_parse(b, &in, &v);
    retention_policy_check(klass, &in, &v);
    first[0] = '\0';
    if (v.n > 0) {
        strncpy(first, v.items[0].field, sizeof first - 1);
        cr_assert_str_eq(v.items[0].rule, "RET-1");
    }
    *field = first;
    json_decref(b);
    return v.n;
}

Test(retention_audit_rules, RET_1_audit_event_runs_from_the_month_s_end_alone)
{
    const char *field;
    cr_assert_eq(policy_violations("audit_event",
                                   "{\"period_months\": 480, \"runs_from\": \"event_recorded\","
                                   " \"then\": \"review\", \"reason\": \"r\"}",
                                   &field),
                 0, "%s", field);
    cr_assert_eq(policy_violations("audit_event",
                                   "{\"period_months\": 480, \"runs_from\": \"case_closed\","
                                   " \"then\": \"review\", \"reason\": \"r\"}",
                                   &field),
                 1);
    cr_assert_str_eq(field, "runs_from");
    /* and no other class runs from it */
    cr_assert_eq(policy_violations("meeting_record",
                                   "{\"period_months\": 480, \"runs_from\": \"event_recorded\","
                                   " \"then\": \"review\", \"reason\": \"r\"}",
                                   &field),
                 1);
    cr_assert_str_eq(field, "runs_from");
    cr_assert(retention_start_fits("audit_event", "event_recorded"));
    cr_assert_not(retention_start_fits("subject_access_case", "event_recorded"));
}

Test(retention_audit_rules, RET_1_only_the_audit_trail_is_anonymised)
{
    const char *field;
    cr_assert_eq(policy_violations("audit_event",
                                   "{\"period_months\": 480, \"runs_from\": \"event_recorded\","
                                   " \"then\": \"anonymise\", \"reason\": \"r\"}",
                                   &field),
                 0, "%s", field);
    cr_assert_eq(policy_violations("meeting_record",
                                   "{\"period_months\": 420, \"runs_from\": \"case_closed\","
                                   " \"then\": \"anonymise\", \"reason\": \"r\"}",
                                   &field),
                 1);
    cr_assert_str_eq(field, "then");
    cr_assert_not(retention_then_fits("subject_access_case", "anonymise"));

    /* a disposal's action: asked, or else the policy's */
    violations v;
    violations_init(&v);
    cr_assert_str_eq(disposal_action_of("audit_event", "anonymise", "review", &v), "anonymise");
    cr_assert_str_eq(disposal_action_of("audit_event", NULL, "anonymise", &v), "anonymise");
    cr_assert_str_eq(disposal_action_of("audit_event", NULL, "review", &v), "delete");
    cr_assert_str_eq(disposal_action_of("audit_event", "delete", "anonymise", &v), "delete");
    cr_assert_eq(v.n, 0);
    cr_assert_null(disposal_action_of("meeting_record", "anonymise", "review", &v));
    cr_assert_eq(v.n, 1);
    cr_assert_str_eq(v.items[0].field, "action");
    cr_assert_str_eq(v.items[0].rule, "RET-1");
}

Test(retention_audit_rules, RET_3_a_month_is_named_by_record_id_and_no_meeting)
{
    json_t *b = parse_text("{\"record_class\": \"audit_event\","
                           " \"record_id\": \"5b0e6f3c-1d2a-8e4f-9a7b-3c2d1e0f4a5b\","
                           " \"action\": \"anonymise\"}");
    disposal_in in;
    violations v;
    violations_init(&v);
    disposal_parse(b, &in, &v);
    cr_assert_eq(v.n, 0, "%s", v.n ? v.items[0].message : "");
    cr_assert_str_eq(in.record_class, "audit_event");
    cr_assert_str_eq(in.record_id, "5b0e6f3c-1d2a-8e4f-9a7b-3c2d1e0f4a5b");
    cr_assert_str_eq(in.action, "anonymise");
    json_decref(b);

    b = parse_text("{\"record_class\": \"audit_event\","
                   " \"meeting_id\": \"5b0e6f3c-1d2a-8e4f-9a7b-3c2d1e0f4a5b\"}");
    violations_init(&v);
    disposal_parse(b, &in, &v);
    cr_assert(violations_has(&v, "RET-3", "meeting_id"));
    cr_assert(violations_has(&v, "RET-3", "record_id"));
    cr_assert_null(in.record_id);
    json_decref(b);
}
