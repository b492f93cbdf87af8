/* A child's identifiers (?ref=, a child's nhs_number and upn): the
 * reference parser and the NHS number and UPN validators (CHR-1, INT-1). */
#include "fuzz.h"

#include "domain/child_ids.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_string(data, size);
    child_ref r;
    if (child_ref_parse(s, &r)) {
        size_t sys = strlen(r.system), id = strlen(r.id);
        if (sys == 0 || sys > CHILD_REF_PART_MAX || id == 0 || id > CHILD_REF_PART_MAX)
            abort();
    }
    char nhs[11], again[11];
    if (child_nhs_number_parse(s, nhs)) {
        /* a normalised number is itself valid, and stays the same */
        if (strlen(nhs) != 10 || !child_nhs_number_parse(nhs, again) || strcmp(nhs, again) != 0)
            abort();
    }
    char upn[14], upn_again[14];
    if (child_upn_parse(s, upn)) {
        if (strlen(upn) != 13 || !child_upn_parse(upn, upn_again) || strcmp(upn, upn_again) != 0)
            abort();
    }
    free(s);
    return 0;
}
