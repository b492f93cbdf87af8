/* An agency's chronology entry (CHR-2), new and changed: every violation
 * names a field and says why, and a parsed entry keeps the rules it was
 * checked against. */
#include "fuzz.h"

#include "core/text.h"
#include "domain/chronology.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    json_t *body = fuzz_body(data + 1, size - 1);
    if (!body)
        return 0;
    violations v;
    violations_init(&v);
    chronology_entry_in in;
    bool change = data[0] & 1;
    chronology_entry_parse(body, change, "2026-06-01", &in, &v);
    fuzz_check_violations(&v);
    if (v.n == 0) {
        /* accepted: a past date, one of action and reason for none, a basis */
        if (!in.occurred_on || !text_is_date(in.occurred_on) ||
            strcmp(in.occurred_on, "2026-06-01") > 0 || !in.what_happened || !in.basis)
            abort();
        if ((in.action_taken == NULL) == (in.why_no_action == NULL))
            abort();
        if (change && !in.reason)
            abort();
    }
    json_decref(body);
    return 0;
}
