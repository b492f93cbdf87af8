#include "domain/planning.h"

#include <stdio.h>
#include <string.h>

#include "core/text.h"
#include "domain/json_in.h"
#include "domain/meeting.h"

const char *const invitation_categories[] = {"professional", "specialist", "parent_carer",
                                             "child_young_person", NULL};
const char *const invitation_responses[] = {"accepted", "declined", "apologies", "delegated",
                                            NULL};
const char *const meeting_formats[] = {"in_person", "virtual", "hybrid", "phone", NULL};
/* MTG-6: a practitioner chairs only a stop and review, as the child's lead
 * practitioner or keyworker (chair_child_roles). */
const char *const chair_roles[] = {"manager", "senior_manager", "senior_practitioner",
                                   "practitioner", NULL};
const char *const chair_child_roles[] = {"lead_practitioner", "keyworker", NULL};
const char *const attendance_marks[] = {"present", "apologies", "absent", NULL};
const char *const not_inform_grounds[] = {"significant_harm_if_known",
                                          "fabricated_or_induced_illness",
                                          "engagement_difficulties",
                                          "would_jeopardise_police_investigation", NULL};

/* FAM-3: having been left out before is never a ground in itself. */
#define INHERITED_GROUND "excluded_from_previous_meeting"

static bool listed(const char *const *list, const char *s)
{
    for (; s && *list; list++)
        if (strcmp(*list, s) == 0)
            return true;
    return false;
}

bool invitation_is_family(const char *category)
{
    return category && (strcmp(category, "parent_carer") == 0 ||
                        strcmp(category, "child_young_person") == 0);
}

static bool is_professional(const char *category)
{
    return category && !invitation_is_family(category);
}

/* Reads a person object: each field listed in `fields`, required when the
 * matching `required` entry is set (missing ones are `rule` violations). */
static bool parse_person(violations *v, json_t *body, const char *key, person_in *p, bool required,
                         const char *rule, const char *const *fields, const bool *required_fields)
{
    memset(p, 0, sizeof *p);
    json_t *obj = jin_object(v, body, "", key, required, rule);
    if (!obj)
        return false;
    jin_only_keys(v, obj, key, fields, NULL);
    for (int i = 0; fields[i]; i++) {
        const char *f = fields[i];
        size_t max = strcmp(f, "agency") == 0 ? CALLER_AGENCY_MAX
                   : strcmp(f, "sub") == 0    ? CALLER_SUB_MAX
                   : strcmp(f, "contact") == 0 ? CONTACT_MAX
                                               : PERSON_NAME_MAX;
        const char *value;
        if (strcmp(f, "role") == 0)
            value = jin_enum(v, obj, key, f, chair_roles, required_fields[i], rule);
        else if (strcmp(f, "child_role") == 0)
            value = jin_enum(v, obj, key, f, chair_child_roles, required_fields[i], NULL);
        else
            value = jin_string(v, obj, key, f, max, required_fields[i], rule);
        if (strcmp(f, "sub") == 0)
            p->sub = value;
        else if (strcmp(f, "name") == 0)
            p->name = value;
        else if (strcmp(f, "agency") == 0)
            p->agency = value;
        else if (strcmp(f, "role") == 0)
            p->role = value;
        else if (strcmp(f, "child_role") == 0)
            p->child_role = value;
        else if (strcmp(f, "contact") == 0)
            p->contact = value;
    }
    if (p->agency && !agency_code_valid(p->agency)) {
        char path[64];
        jin_path(path, sizeof path, key, "agency");
        violation_schema(v, path, "'%s' is not an agency code", path);
        p->agency = NULL;
    }
    return true;
}

/* --- invitations --- */

void invitation_parse(json_t *body, invitation_in *in, violations *v)
{
    static const char *const fields[] = {"category", "invitee", "role", "respond_by",
                                         "invited_by", "support_needs", NULL};
    static const char *const read_only[] = {"id", "meeting_id", "status", "version",
                                            "short_notice", "attendance", "papers", "history",
                                            "invited_at", "part", NULL};
    static const char *const person_fields[] = {"sub", "name", "agency", "contact", NULL};
    static const bool person_required[] = {false, true, false, true};
    memset(in, 0, sizeof *in);
    jin_only_keys(v, body, "", fields, read_only);
    in->category = jin_enum(v, body, "", "category", invitation_categories, true, "INV-1");
    parse_person(v, body, "invitee", &in->invitee, true, "INV-1", person_fields, person_required);
    in->role = jin_string(v, body, "", "role", ROLE_TEXT_MAX, true, "INV-1");
    in->respond_by = jin_string(v, body, "", "respond_by", 10, false, NULL);
    if (in->respond_by && !text_is_date(in->respond_by)) {
        violation_schema(v, "respond_by", "'respond_by' must be a date (YYYY-MM-DD)");
        in->respond_by = NULL;
    }
    in->invited_by = jin_string(v, body, "", "invited_by", PERSON_NAME_MAX, false, NULL);
    in->support_needs = jin_string(v, body, "", "support_needs", NOTE_MAX, false, NULL);
}

void invitation_check(const invitation_in *in, const invitation_facts *f, violations *v)
{
    if (is_professional(in->category)) {
        if (!in->invitee.agency)
            violation_rule(v, "invitee.agency", "INV-1",
                           "a professional invitee is invited on behalf of their agency");
        if (!in->invitee.sub)
            violation_rule(v, "invitee.sub", "INV-1",
                           "a professional invitee is named by their subject id, so they can answer");
        if (in->invited_by)
            violation_rule(v, "invited_by", "INV-2",
                           "who invites them is recorded for family members only");
        if (in->support_needs)
            violation_rule(v, "support_needs", "INV-2",
                           "support needs are recorded for family members only");
    }
    if (invitation_is_family(in->category)) {
        if (in->invitee.agency)
            violation_rule(v, "invitee.agency", "INV-1",
                           "family members are not invited on behalf of an agency");
        bool informed = f->family_notice && strcmp(f->family_notice, "inform") == 0;
        if (!informed)
            violation_rule(v, "category", "INV-2",
                           "family members can be invited only where the family is informed of "
                           "the meeting (FAM-1)");
        if (f->family_notice && strcmp(f->family_notice, "not_inform") == 0)
            violation_rule(v, "category", "FAM-9",
                           "no family member is invited while the decision is not to inform "
                           "the family");
        if (!f->scheduled || !f->two_part)
            violation_rule(v, "category", "INV-2",
                           "family members are invited only to part 2 of a two-part meeting");
        if (!in->invited_by)
            violation_rule(v, "invited_by", "INV-2", "record who will invite the family member");
        if (!in->support_needs)
            violation_rule(v, "support_needs", "INV-2",
                           "record the support they need to attend, or 'none'");
    }
    if (in->respond_by && strcmp(in->respond_by, f->today) < 0)
        violation_rule(v, "respond_by", "INV-7", "a response deadline cannot be in the past");
    else if (in->respond_by && f->start_day && strcmp(in->respond_by, f->start_day) > 0)
        violation_rule(v, "respond_by", "INV-8",
                       "a response deadline falls before the meeting, which starts on %s",
                       f->start_day);
}

cal_day invitation_deadline_cap(const char *meeting_type, cal_day today, cal_day start,
                                const holidays *h)
{
    bool strategy = meeting_type && strcmp(meeting_type, "strategy_discussion") == 0;
    cal_day cap = strategy ? start : cal_add_working_days(start, -1, h);
    return cap < today ? today : cap;
}

cal_day invitation_default_deadline(const char *meeting_type, cal_day today, bool scheduled,
                                    cal_day start, int response_days, const holidays *h)
{
    cal_day due = cal_add_working_days(today, response_days, h);
    if (!scheduled)
        return due;
    cal_day cap = invitation_deadline_cap(meeting_type, today, start, h);
    return due < cap ? due : cap;
}

bool invitation_short_notice(const char *meeting_type, cal_day invited, cal_day start,
                             int notice, const holidays *h)
{
    if (meeting_type && strcmp(meeting_type, "strategy_discussion") == 0)
        return false;
    return cal_working_days_between(invited, start, h) < notice;
}

/* --- answers --- */

void response_parse(json_t *body, response_in *in, violations *v)
{
    static const char *const fields[] = {"response", "reason", "contribution", "delegate",
                                         "technology_access_confirmed", "technology_support",
                                         NULL};
    static const char *const read_only[] = {"status", "version", "invitee", "attendance", NULL};
    static const char *const person_fields[] = {"sub", "name", "agency", "contact", NULL};
    static const bool person_required[] = {true, true, false, true};
    memset(in, 0, sizeof *in);
    jin_only_keys(v, body, "", fields, read_only);
    in->response = jin_enum(v, body, "", "response", invitation_responses, true, "INV-3");
    in->reason = jin_string(v, body, "", "reason", NOTE_MAX, false, NULL);
    in->contribution = jin_string(v, body, "", "contribution", NOTE_MAX, false, NULL);
    in->has_delegate = parse_person(v, body, "delegate", &in->delegate, false, "INV-3",
                                    person_fields, person_required);
    in->technology_access_confirmed = jin_bool(v, body, "", "technology_access_confirmed");
    in->technology_support = jin_string(v, body, "", "technology_support", NOTE_MAX, false, NULL);
}

void response_check(const response_in *in, const response_facts *f, violations *v)
{
    const char *r = in->response;
    if (!r)
        return;
    bool declined = strcmp(r, "declined") == 0, apologies = strcmp(r, "apologies") == 0,
         delegated = strcmp(r, "delegated") == 0, accepted = strcmp(r, "accepted") == 0;
    if (declined && !in->reason)
        violation_rule(v, "reason", "INV-3", "a decline needs a reason");
    if (in->reason && !declined)
        violation_rule(v, "reason", "INV-3", "a reason goes with a decline");
    if (in->contribution && !apologies)
        violation_rule(v, "contribution", "INV-3", "a written contribution goes with apologies");
    if (delegated) {
        if (invitation_is_family(f->category))
            violation_rule(v, "response", "INV-3", "a family member's invitation is not delegated");
        else if (!in->has_delegate)
            violation_rule(v, "delegate", "INV-3", "name the colleague the invitation goes to");
        else if (in->delegate.sub && f->invitee_sub && strcmp(in->delegate.sub, f->invitee_sub) == 0)
            violation_rule(v, "delegate.sub", "INV-3", "the invitation already belongs to them");
    } else if (in->has_delegate) {
        violation_rule(v, "delegate", "INV-3", "a delegate goes with a delegation");
    }
    /* INV-5: every invitee, family members included, confirms access to the
     * technology or states the support they need to join */
    bool remote = f->meeting_format && (strcmp(f->meeting_format, "virtual") == 0 ||
                                        strcmp(f->meeting_format, "hybrid") == 0);
    if (accepted && remote && in->technology_access_confirmed != 1 && !in->technology_support)
        violation_rule(v, "technology_access_confirmed", "INV-5",
                       "confirm access to the technology for a virtual or hybrid meeting, or "
                       "state the support needed to join in technology_support");
    if (in->technology_support && !accepted)
        violation_rule(v, "technology_support", "INV-5",
                       "the support needed to join goes with an acceptance");
}

bool response_may_answer(const caller *who, const char *category, const char *invitee_sub,
                         const char *agency, bool convening_side)
{
    if (invitation_is_family(category))
        return convening_side;
    if (invitee_sub && strcmp(who->sub, invitee_sub) == 0)
        return true;
    return agency && caller_has_any(who, ROLES_MANAGERS) && strcmp(who->agency, agency) == 0;
}

/* --- consent decisions --- */

bool consent_is_sharing(const consent_in *in)
{
    return in->kind && strcmp(in->kind, "minutes_sharing") == 0;
}

void consent_parse(json_t *body, consent_in *in, violations *v)
{
    static const char *const fields[] = {"kind", "decision", "grounds", "rationale",
                                         "parent_objection", NULL};
    static const char *const read_only[] = {"id", "status", "current", "decided_by",
                                            "decided_at", "agreements", NULL};
    static const char *const kinds[] = {"family_notice", "minutes_sharing", NULL};
    static const char *const notice[] = {"inform", "not_inform", NULL};
    static const char *const sharing[] = {"share", "withhold", NULL};
    memset(in, 0, sizeof *in);
    jin_only_keys(v, body, "", fields, read_only);
    in->kind = jin_enum(v, body, "", "kind", kinds, false, NULL);
    /* absent or null: the family-notice decision (a wrong value was reported) */
    if (!in->kind && !json_is_string(json_object_get(body, "kind")))
        in->kind = "family_notice";
    bool share = consent_is_sharing(in);
    in->decision = jin_enum(v, body, "", "decision", share ? sharing : notice, true,
                            share ? "FAM-5" : "FAM-1");
    json_t *grounds = jin_array(v, body, "", "grounds", CONSENT_MAX_GROUNDS, false, NULL);
    size_t i;
    json_t *g;
    json_array_foreach(grounds, i, g) {
        char path[32];
        jin_index(path, sizeof path, "", "grounds", i);
        if (!json_is_string(g) || json_string_length(g) > 64 ||
            strlen(json_string_value(g)) != json_string_length(g))
            violation_schema(v, path, "'%s' must be the name of a ground", path);
        else
            in->grounds[in->n_grounds++] = json_string_value(g);
    }
    in->rationale = jin_string(v, body, "", "rationale", MEETING_TEXT_MAX, false, NULL);
    in->parent_objection = jin_string(v, body, "", "parent_objection", NOTE_MAX, false, NULL);
}

void consent_check(const consent_in *in, violations *v)
{
    if (!in->decision)
        return;
    bool share = consent_is_sharing(in);
    bool restricts = strcmp(in->decision, share ? "withhold" : "not_inform") == 0;
    const char *rule = share ? "FAM-5" : "FAM-2";
    for (int i = 0; i < in->n_grounds; i++) {
        char path[32];
        jin_index(path, sizeof path, "", "grounds", (size_t)i);
        if (!restricts)
            violation_rule(v, path, rule, share ? "grounds belong to a decision to withhold"
                                                : "grounds belong to a decision not to inform");
        else if (strcmp(in->grounds[i], INHERITED_GROUND) == 0 && !share)
            violation_rule(v, path, "FAM-3",
                           "decisions are made for each meeting: being left out of an earlier "
                           "meeting is not a ground");
        else if (!listed(not_inform_grounds, in->grounds[i]))
            violation_rule(v, path, rule, "'%.64s' is not one of the grounds", in->grounds[i]);
        for (int k = 0; k < i; k++)
            if (strcmp(in->grounds[k], in->grounds[i]) == 0)
                violation_rule(v, path, rule, "the ground is listed twice");
    }
    if (restricts && !share && in->n_grounds == 0 && !violations_has(v, NULL, "grounds"))
        violation_rule(v, "grounds", "FAM-2", "a decision not to inform needs its grounds");
    if (restricts && !in->rationale)
        violation_rule(v, "rationale", rule, share ? "withholding from the family needs a rationale"
                                                   : "a decision not to inform needs a rationale");
    if (share && in->parent_objection)
        violation_rule(v, "parent_objection", "FAM-4",
                       "an objection is recorded with the family-notice decision");
}

bool consent_on_fii_ground(const consent_in *in)
{
    for (int i = 0; i < in->n_grounds; i++)
        if (strcmp(in->grounds[i], "fabricated_or_induced_illness") == 0)
            return true;
    return false;
}

const char *consent_refused_rule(const consent_in *in, const caller *who)
{
    if (!in->decision)
        return NULL;
    bool sharing = consent_is_sharing(in);
    if (strcmp(in->decision, sharing ? "withhold" : "not_inform") != 0)
        return NULL;
    if (consent_on_fii_ground(in))
        return caller_has_any(who, ROLE_SENIOR_MANAGER | ROLE_NAMED_DOCTOR) ? NULL
               : sharing                                                 ? "FAM-5"
                                                                         : "FAM-2";
    /* withholding on other grounds: whoever may record the decision */
    return sharing || caller_has_any(who, ROLES_MANAGERS) ? NULL : "FAM-2";
}

/* --- scheduling --- */

void schedule_parse(json_t *body, schedule_in *in, violations *v)
{
    static const char *const fields[] = {"start", "duration_minutes", "format", "venue",
                                         "chair", "minute_taker", "two_part", NULL};
    static const char *const read_only[] = {"status", "version", "scheduled_at", NULL};
    static const char *const chair_fields[] = {"sub", "name", "agency", "role", "child_role",
                                               NULL};
    static const bool chair_required[] = {true, true, true, true, false};
    static const char *const taker_fields[] = {"sub", "name", "agency", NULL};
    static const bool taker_required[] = {true, true, true};
    memset(in, 0, sizeof *in);
    in->duration_minutes = -1;
    jin_only_keys(v, body, "", fields, read_only);
    in->start = jin_string(v, body, "", "start", 40, true, "MTG-6");
    if (in->start && !text_parse_timestamp(in->start, &in->start_epoch)) {
        violation_schema(v, "start", "'start' must be an RFC 3339 date-time with a zone");
        in->start = NULL;
    }
    json_t *duration = json_object_get(body, "duration_minutes");
    if (!duration || json_is_null(duration))
        violation_rule(v, "duration_minutes", "MTG-6", "a meeting needs a duration");
    else if (!json_is_integer(duration))
        violation_schema(v, "duration_minutes", "'duration_minutes' must be a whole number");
    else if (json_integer_value(duration) < 1 || json_integer_value(duration) > 1440)
        violation_rule(v, "duration_minutes", "MTG-6", "a duration is 1 to 1440 minutes");
    else
        in->duration_minutes = (long)json_integer_value(duration);
    in->format = jin_enum(v, body, "", "format", meeting_formats, true, "MTG-6");
    in->venue = jin_string(v, body, "", "venue", VENUE_MAX, false, NULL);
    in->has_chair = parse_person(v, body, "chair", &in->chair, true, "MTG-6", chair_fields,
                                 chair_required);
    in->has_minute_taker = parse_person(v, body, "minute_taker", &in->minute_taker, true, "MTG-6",
                                        taker_fields, taker_required);
    in->two_part = jin_bool(v, body, "", "two_part");
}

void schedule_check(const schedule_in *in, const schedule_facts *f, violations *v)
{
    if (in->start && in->start_epoch <= f->now_epoch)
        violation_rule(v, "start", "MTG-6", "a meeting is scheduled to start in the future");
    bool remote = in->format && (strcmp(in->format, "virtual") == 0 ||
                                 strcmp(in->format, "phone") == 0);
    if (in->format && !remote && !in->venue)
        violation_rule(v, "venue", "MTG-6", "an in-person or hybrid meeting needs a venue");
    if (in->chair.sub && in->minute_taker.sub && strcmp(in->chair.sub, in->minute_taker.sub) == 0)
        violation_rule(v, "minute_taker.sub", "MTG-6", "the minute taker is not the chair");
    bool stop_and_review = f->meeting_type && strcmp(f->meeting_type, "stop_and_review") == 0;
    if (in->chair.role && strcmp(in->chair.role, "practitioner") == 0) {
        if (!stop_and_review)
            violation_rule(v, "chair.role", "MTG-6",
                           "a practitioner chairs only a stop and review, as the child's lead "
                           "practitioner or keyworker");
        else if (!in->chair.child_role)
            violation_rule(v, "chair.child_role", "MTG-6",
                           "a practitioner chairs a stop and review as the child's lead "
                           "practitioner or keyworker: say which");
    }
    if (f->invited_agencies < 2)
        violation_rule(v, "invitations", "MTG-6",
                       "invite at least two agencies before scheduling (%d invited)",
                       f->invited_agencies);
    if (!f->family_notice_status)
        violation_rule(v, "family_notice", "MTG-6",
                       "record whether the parents or carers are informed of the meeting (FAM-1)");
    else if (strcmp(f->family_notice_status, "pending_agreement") == 0)
        violation_rule(v, "family_notice", "FAM-2",
                       "the decision not to inform the family awaits the invited agencies' agreement");
    else if (strcmp(f->family_notice_status, "disputed") == 0)
        violation_rule(v, "family_notice", "FAM-2",
                       "the decision not to inform the family is disputed; resolve or escalate it");
    if (f->meeting_type && strcmp(f->meeting_type, "strategy_discussion") == 0) {
        if (!f->invited_childrens_social_care)
            violation_rule(v, "invitations", "MTG-7",
                           "a strategy discussion invites children's social care");
        if (!f->invited_police)
            violation_rule(v, "invitations", "MTG-7", "a strategy discussion invites the police");
        if (!f->invited_health)
            violation_rule(v, "invitations", "MTG-7", "a strategy discussion invites health");
    }
    if (f->family_invited && in->two_part != 1)
        violation_rule(v, "two_part", "INV-2",
                       "family members are invited, so the meeting stays in two parts");
}

/* --- attendance --- */

void attendance_check(const mark_in *marks, int n, const roll_invitation *roll, int n_roll,
                      const char *family_notice, violations *v)
{
    bool not_inform = family_notice && strcmp(family_notice, "not_inform") == 0;
    for (int i = 0; i < n; i++) {
        const roll_invitation *inv = NULL;
        for (int k = 0; k < n_roll && !inv; k++)
            if (marks[i].invitation_id && strcmp(roll[k].id, marks[i].invitation_id) == 0)
                inv = &roll[k];
        char path[64];
        snprintf(path, sizeof path, "entries[%d].invitation_id", i);
        if (!inv) {
            violation_rule(v, path, "MTG-8", "not an invitation to this meeting");
            continue;
        }
        if (strcmp(inv->status, "withdrawn") == 0) {
            violation_rule(v, path, "MTG-8", "the invitation was withdrawn");
            continue;
        }
        snprintf(path, sizeof path, "entries[%d].attendance", i);
        if (not_inform && invitation_is_family(inv->category) && marks[i].attendance &&
            strcmp(marks[i].attendance, "present") == 0)
            violation_rule(v, path, "FAM-9",
                           "no family member is marked present while the decision is not to "
                           "inform the family");
    }
}

/* --- withdrawing --- */

const state_gate invitation_gate_withdrawn = {
    "FAM-9", "The invitation was withdrawn.", {"invited", "accepted", "declined", "apologies"}};

void withdrawal_check(const char *category, const char *reason, violations *v)
{
    if (!invitation_is_family(category))
        violation_rule(v, "category", "FAM-9",
                       "only a family member's invitation is withdrawn; a professional declines "
                       "or delegates");
    if (!reason)
        violation_rule(v, "reason", "FAM-9", "say why the invitation is withdrawn");
}

/* --- holding --- */

void hold_check(const hold_facts *f, violations *v)
{
    if (f->now_epoch < f->start_epoch)
        violation_rule(v, "status", "MTG-8", "a meeting is held only after its start time");
    if (f->unmarked > 0)
        violation_rule(v, "attendance", "MTG-8",
                       "mark every invitation present, apologies or absent first (%d of %d unmarked)",
                       f->unmarked, f->invitations);
    /* FAM-9: held only while the current family-notice decision is in effect */
    const char *status = f->family_notice_status ? f->family_notice_status : "";
    if (!f->family_notice)
        violation_rule(v, "family_notice", "FAM-9",
                       "record whether the family is informed of the meeting (FAM-1)");
    else if (strcmp(status, "pending_agreement") == 0)
        violation_rule(v, "family_notice", "FAM-9",
                       "the decision not to inform the family is not in effect: it awaits the "
                       "agreement of %s",
                       f->awaiting_agencies && *f->awaiting_agencies ? f->awaiting_agencies
                                                                     : "the invited agencies");
    else if (strcmp(status, "disputed") == 0)
        violation_rule(v, "family_notice", "FAM-9",
                       "the decision not to inform the family is disputed; resolve or escalate "
                       "it, or record a new decision");
    if (f->family_notice && strcmp(f->family_notice, "not_inform") == 0 &&
        f->family_invitations > 0)
        violation_rule(v, "invitations", "FAM-9",
                       "%d family member(s) hold invitations under a decision not to inform the "
                       "family: withdraw them first",
                       f->family_invitations);
    /* MTG-7: a strategy discussion is held with all three agencies there */
    if (f->meeting_type && strcmp(f->meeting_type, "strategy_discussion") == 0) {
        if (!f->csc_present)
            violation_rule(v, "attendance", "MTG-7",
                           "children's social care is not marked present");
        if (!f->police_present)
            violation_rule(v, "attendance", "MTG-7", "the police are not marked present");
        if (!f->health_present)
            violation_rule(v, "attendance", "MTG-7", "health is not marked present");
    }
}
