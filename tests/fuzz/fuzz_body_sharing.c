/* A disclosure or refusal recorded in the information-sharing ledger
 * (ISL-1, ISL-3): every violation names a field and says why, and an
 * accepted entry has what the rules require. */
#include "fuzz.h"

#include <stdbool.h>

#include "domain/sharing.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *body = fuzz_body(data, size);
    if (!body)
        return 0;
    violations v;
    violations_init(&v);
    sharing_in in;
    sharing_parse(body, &in, &v);
    fuzz_check_violations(&v);
    if (v.n == 0) {
        if (!in.child_id || !in.kind || !in.channel || !in.what || !in.to_name ||
            !in.to_category || !in.purpose || in.child_views_sought < 0 ||
            in.parents_views_sought < 0)
            abort();
        bool refusal = strcmp(in.kind, "refusal") == 0;
        if (refusal != (in.refusal_reason != NULL) || (!refusal && !in.lawful_basis))
            abort();
    }
    json_decref(body);
    return 0;
}
