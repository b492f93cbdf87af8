#include "domain/escalation.h"

#include <string.h>

#include "core/text.h"
#include "domain/json_in.h"

const char *const escalation_types[] = {"disagreement_about_need_for_meeting",
                                        "lack_of_engagement",
                                        "concern_after_decision",
                                        "referral_response_disagreement",
                                        "family_notice_disagreement",
                                        "action_plan_not_implemented",
                                        NULL};

const state_gate escalation_gate_changes = {
    "ESC-4", "A resolved or withdrawn escalation cannot change.", {"open"}};

const char *const escalation_statuses[] = {"open", "resolved", "withdrawn", NULL};

static const char *uuid_member(violations *v, json_t *body, const char *key, bool required,
                               const char *rule)
{
    const char *id = jin_string(v, body, "", key, 36, required, rule);
    if (id && !text_is_uuid(id)) {
        violation_schema(v, key, "'%s' must be a UUID", key);
        return NULL;
    }
    return id;
}

void escalation_parse(json_t *body, escalation_in *in, violations *v)
{
    static const char *const fields[] = {"meeting_id", "type", "concern", "outcome_sought",
                                         "with_agency", "invitation_id", "consent_decision_id",
                                         "declined_request_id", "immediate_risk", NULL};
    static const char *const read_only[] = {"id", "stage", "status", "stage_due", "raised_by",
                                            "timeline", "version", "outcome", NULL};
    memset(in, 0, sizeof *in);
    jin_only_keys(v, body, "", fields, read_only);
    in->meeting_id = uuid_member(v, body, "meeting_id", true, "ESC-1");
    in->type = jin_enum(v, body, "", "type", escalation_types, true, "ESC-1");
    in->concern = jin_string(v, body, "", "concern", ESCALATION_TEXT_MAX, true, "ESC-1");
    in->outcome_sought = jin_string(v, body, "", "outcome_sought", ESCALATION_TEXT_MAX, true, "ESC-1");
    in->with_agency = jin_string(v, body, "", "with_agency", CALLER_AGENCY_MAX, true, "ESC-1");
    if (in->with_agency && !agency_code_valid(in->with_agency)) {
        violation_schema(v, "with_agency", "'with_agency' is not an agency code");
        in->with_agency = NULL;
    }
    in->invitation_id = uuid_member(v, body, "invitation_id", false, NULL);
    in->consent_decision_id = uuid_member(v, body, "consent_decision_id", false, NULL);
    in->declined_request_id = uuid_member(v, body, "declined_request_id", false, NULL);
    in->immediate_risk = jin_bool(v, body, "", "immediate_risk");
}

static bool is(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

void escalation_check(const escalation_in *in, const caller *raiser,
                      const escalation_refs *refs, violations *v)
{
    bool engagement = is(in->type, "lack_of_engagement");
    bool notice = is(in->type, "family_notice_disagreement");
    bool need = is(in->type, "disagreement_about_need_for_meeting");
    bool declined = need && in->declined_request_id && refs->declined_found &&
                    is(refs->declined_status, "declined");
    /* ESC-1: the requester disputes their own agency's decline */
    bool own_decline = declined && is(refs->declined_requester_sub, raiser->sub);
    if (is(in->with_agency, raiser->agency) && !own_decline)
        violation_rule(v, "with_agency", "ESC-1",
                       "the disagreement is with another agency than your own");
    if (in->invitation_id && !engagement)
        violation_rule(v, "invitation_id", "ESC-1", "an invitation goes with lack_of_engagement");
    if (in->consent_decision_id && !notice)
        violation_rule(v, "consent_decision_id", "ESC-1",
                       "a consent decision goes with family_notice_disagreement");
    if (in->declined_request_id && !need)
        violation_rule(v, "declined_request_id", "ESC-1",
                       "a declined request goes with disagreement_about_need_for_meeting");
    if (engagement) {
        if (!in->invitation_id)
            violation_rule(v, "invitation_id", "INV-7",
                           "name the invitation that was declined or went unanswered");
        else if (!refs->invitation_found)
            violation_rule(v, "invitation_id", "INV-7", "not an invitation to this meeting");
        else if (!is(refs->invitation_status, "declined") &&
                 !(is(refs->invitation_status, "invited") && refs->invitation_past_deadline) &&
                 !(is(refs->invitation_status, "accepted") &&
                   is(refs->invitation_attendance, "absent")))
            violation_rule(v, "invitation_id", "INV-7",
                           "the invitation was neither declined, nor left unanswered past its "
                           "response deadline, nor accepted and then marked absent without "
                           "apologies");
    }
    if (notice) {
        if (!in->consent_decision_id)
            violation_rule(v, "consent_decision_id", "FAM-2", "name the disputed decision");
        else if (!refs->decision_found)
            violation_rule(v, "consent_decision_id", "FAM-2",
                           "not a family-notice decision of this meeting");
        else if (is(refs->decision_status, "superseded"))
            violation_rule(v, "consent_decision_id", "FAM-2",
                           "a later decision has replaced it; escalate the current one");
        else if (!is(refs->decision_status, "disputed"))
            violation_rule(v, "consent_decision_id", "FAM-2",
                           "only a disputed decision is escalated");
    }
    if (need) {
        if (!in->declined_request_id)
            violation_rule(v, "declined_request_id", "ESC-1", "name the declined request");
        else if (!refs->declined_found)
            violation_rule(v, "declined_request_id", "ESC-1", "not a request you can see");
        else if (!is(refs->declined_status, "declined"))
            violation_rule(v, "declined_request_id", "ESC-1", "that request was not declined");
        else if (own_decline || refs->raiser_agency_invited) {
            if (in->with_agency && !is(in->with_agency, refs->declined_convening_agency))
                violation_rule(v, "with_agency", "ESC-1",
                               own_decline ? "the requester disputes the decline with their own "
                                             "agency, which declined it (%s)"
                                           : "an invited agency disputes the decline with the "
                                             "convening agency (%s)",
                               refs->declined_convening_agency);
        } else {
            violation_rule(v, "declined_request_id", "ESC-1",
                           "a decline is disputed by an agency invited to the meeting, or by "
                           "its requester against their own agency's decline");
        }
    }
}

int escalation_first_stage(const escalation_in *in)
{
    return in->immediate_risk == 1 ? 3 : 1;
}

bool escalation_may_respond(const caller *who, int stage, const char *raised_by_agency,
                            const char *with_agency)
{
    bool involved = strcmp(who->agency, raised_by_agency) == 0 ||
                    strcmp(who->agency, with_agency) == 0;
    switch (stage) {
    case 1:
        return involved && caller_has_any(who, ROLE_PRACTITIONER | ROLE_SENIOR_PRACTITIONER |
                                                   ROLE_NAMED_DOCTOR);
    case 2:
        return involved && caller_has_any(who, ROLE_MANAGER);
    case 3:
        return involved && caller_has_any(who, ROLE_SENIOR_MANAGER);
    case 4:
        return caller_has_any(who, ROLE_PARTNERSHIP);
    }
    return false;
}
