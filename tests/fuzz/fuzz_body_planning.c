/* Invitations, answers, family-notice decisions and schedules: the first
 * byte chooses the validator, the rest is the body. */
#include "fuzz.h"

#include "domain/planning.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    json_t *body = fuzz_body(data + 1, size - 1);
    if (!body)
        return 0;
    violations v;
    violations_init(&v);
    switch (data[0] % 4) {
    case 0: {
        invitation_in in;
        invitation_parse(body, &in, &v);
        invitation_facts f = {.today = "2026-11-23", .family_notice = "inform",
                              .family_notice_status = "effective", .two_part = true,
                              .scheduled = true};
        invitation_check(&in, &f, &v);
        break;
    }
    case 1: {
        response_in in;
        response_parse(body, &in, &v);
        response_facts f = {.category = "professional", .meeting_format = "hybrid",
                            .invitee_sub = "someone"};
        response_check(&in, &f, &v);
        break;
    }
    case 2: {
        consent_in in;
        consent_parse(body, &in, &v);
        consent_check(&in, &v);
        break;
    }
    default: {
        schedule_in in;
        schedule_parse(body, &in, &v);
        schedule_facts f = {.meeting_type = "strategy_discussion", .now_epoch = 1795000000,
                            .invited_agencies = 1, .family_notice_status = "pending_agreement",
                            .family_invited = true};
        schedule_check(&in, &f, &v);
        break;
    }
    }
    fuzz_check_violations(&v);
    json_decref(body);
    return 0;
}
