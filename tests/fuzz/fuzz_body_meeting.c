/* POST /v1/meetings and PATCH: meeting_draft_parse + meeting_check_draft. */
#include "fuzz.h"

#include "domain/meeting.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *body = fuzz_body(data, size);
    if (!body)
        return 0;
    violations v;
    violations_init(&v);
    meeting_draft d;
    meeting_draft_parse(body, &d, &v);
    meeting_check_draft(&d, "2026-11-23", &v);
    meeting_check_requester(d.type, "police", &v);
    fuzz_check_violations(&v);
    json_decref(body);
    return 0;
}
