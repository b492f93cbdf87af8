/* Minutes (shape, completeness against the facts of a meeting, the family's
 * copy, review outcomes) and escalations: the first byte chooses the
 * validator and the meeting, the rest is the body. */
#include "fuzz.h"

#include "domain/escalation.h"
#include "domain/minutes.h"

static const char *const open_ids[] = {"00000000-0000-4000-8000-000000000001",
                                       "00000000-0000-4000-8000-000000000002"};
static const char *const reviewed_ids[] = {"00000000-0000-4000-8000-000000000003"};

/* The invitations a fuzzed meeting had, with their marks: the seeds' attendance names them. */
static const minutes_invitation invitations[] = {
    {"00000000-0000-4000-8000-0000000000a1", "professional", "FUZZ-B", "present"},
    {"00000000-0000-4000-8000-0000000000a2", "specialist", "FUZZ-C", "apologies"},
    {"00000000-0000-4000-8000-0000000000a3", "parent_carer", NULL, "absent"},
    {"00000000-0000-4000-8000-0000000000a4", "child_young_person", NULL, NULL},
};
/* ... and a meeting the family attended (FAM-6). */
static const minutes_invitation family_present[] = {
    {"00000000-0000-4000-8000-0000000000a1", "professional", "FUZZ-B", "present"},
    {"00000000-0000-4000-8000-0000000000a3", "parent_carer", NULL, "present"},
};

static void escalation(json_t *body, violations *v)
{
    escalation_in in;
    escalation_parse(body, &in, v);
    caller raiser = {.sub = "fuzz-raiser", .agency = "FUZZ-A", .roles = ROLE_PRACTITIONER};
    escalation_refs refs = {.invitation_found = true, .invitation_status = "pending",
                            .invitation_past_deadline = true, .decision_found = true,
                            .decision_status = "disputed", .declined_found = true,
                            .declined_status = "declined"};
    escalation_check(&in, &raiser, &refs, v);
    (void)escalation_first_stage(&in);
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
    switch (data[0] % 4) {
    case 0:
        minutes_check_shape(body, &v);
        break;
    case 1:
        /* approval runs the shape check first, then completeness */
        minutes_check_shape(body, &v);
        if (v.n == 0) {
            /* the high bits choose the meeting: its type, and which
             * invitations it had (none, the family absent, the family
             * present) */
            int which = (data[0] >> 5) & 3;
            minutes_facts f = {.meeting_type = data[0] & 0x80 ? "strategy_discussion"
                                                              : "professionals",
                               .two_part = data[0] & 0x10,
                               .invitations = which == 2 ? family_present : invitations,
                               .n_invitations = which == 0 ? 0 : which == 2 ? 2 : 4,
                               .n_children = 1 + (data[0] & 0x08 ? 1 : 0),
                               .n_other_children = data[0] & 0x04 ? 1 : 0};
            minutes_check_complete(body, &f, &v);
            /* MIN-5: the family's copy of whatever was approved */
            family_copy_facts copy = {.meeting_id = "00000000-0000-4000-8000-0000000000f1",
                                      .reference = "MAM-2026-000001",
                                      .type = f.meeting_type,
                                      .two_part = f.two_part,
                                      .number = 1};
            json_t *family = minutes_family_copy(body, &copy);
            if (!family || json_object_get(family, "part_1"))
                abort();
            json_decref(family);
        }
        break;
    case 2:
        minutes_check_shape(body, &v);
        if (v.n == 0) {
            minutes_check_review(body, open_ids, 2, reviewed_ids, 1, &v);
        }
        break;
    default:
        escalation(body, &v);
        break;
    }
    fuzz_check_violations(&v);
    json_decref(body);
    return 0;
}
