/* Family-notice decisions: whether the parents or carers are told of the
 * meeting beforehand (FAM-1), with the invited agencies' agreement to a
 * decision not to (FAM-2), never inherited (FAM-3), with a recommendation
 * when a parent objects (FAM-4), every decision kept (FAM-8), none not to
 * inform while family members hold invitations (FAM-9); and the
 * decision on sharing the minutes with the family (FAM-5). */
#include <string.h>

#include "api/chair.h"
#include "api/frame.h"
#include "api/handlers.h"
#include "domain/json_in.h"
#include "domain/meeting.h"
#include "domain/planning.h"
#include "store/consent.h"
#include "store/meetings.h"
#include "store/planning.h"

/* --- POST /v1/meetings/{meeting_id}/consent-decisions --- */

/* FAM-2: a named doctor who can see the meeting (typically invited) records
 * a decision not to inform the family on the ground of fabricated or
 * induced illness, which only they or a senior manager make. */
static bool fii_named_doctor(const caller *who, const consent_in *in)
{
    return !consent_is_sharing(in) && in->decision && strcmp(in->decision, "not_inform") == 0 &&
           consent_on_fii_ground(in) && caller_has_any(who, ROLE_NAMED_DOCTOR);
}

/* May this caller record this decision? Answers 403 when not. */
static bool may_decide(req *r, const meeting_row *m, const consent_in *in)
{
    bool sharing = consent_is_sharing(in);
    if (!meeting_row_convening_side(m, &r->who) && !(sharing && meeting_row_runs_it(m, &r->who)) &&
        !fii_named_doctor(&r->who, in)) {
        problem_forbidden(r, NULL, sharing ? "The convening side, the chair or the minute taker "
                                             "decides on sharing the minutes with the family."
                                           : "The convening side records whether the family is "
                                             "informed.");
        return false;
    }
    if (sharing && !chair_authority(r, m)) /* MTG-6: the chair decides on sharing as chair */
        return false;
    const char *refused = consent_refused_rule(in, &r->who);
    if (refused) {
        problem_forbidden(r, refused,
                          strcmp(refused, "FAM-5") == 0
                              ? "Withholding the minutes for fabricated or induced illness is "
                                "decided by a senior manager or a named doctor."
                          : consent_on_fii_ground(in)
                              ? "A decision not to inform the family on the ground of "
                                "fabricated or induced illness is made by a senior manager or "
                                "a named doctor."
                              : "A decision not to inform the family is made by a manager or "
                                "senior manager.");
        return false;
    }
    return true;
}

/* FAM-9: a decision not to inform the family cannot stand beside family
 * members' invitations; they are withdrawn first. False after answering a
 * failure. */
static bool check_family_invited(req *r, store *s, const meeting_row *m, const consent_in *in,
                                 violations *v)
{
    if (consent_is_sharing(in) || !in->decision || strcmp(in->decision, "not_inform") != 0)
        return true;
    planning_facts facts;
    if (!frame_ok(r, planning_facts_load(s, m->id, &facts)))
        return false;
    if (facts.family_invitations > 0)
        violation_rule(v, "decision", "FAM-9",
                       "%d family member(s) hold invitations to the meeting: withdraw them "
                       "before deciding not to inform the family",
                       facts.family_invitations);
    return true;
}

/* The warnings a new decision comes with (FAM-4). */
static void decision_warnings(const consent_in *in, json_t *warnings)
{
    if (in->parent_objection)
        warning_add(warnings, "FAM-4", "parent_objection",
                    "a parent or carer objects to the meeting: consider whether the concerns "
                    "call for a strategy discussion instead");
}

void handle_consent_create(req *r)
{
    violations v;
    violations_init(&v);
    consent_in in;
    consent_parse(r->body, &in, &v);
    if (v.schema && frame_violations(r, &v))
        return;
    meeting_row m;
    store *s = frame_begin(r, FRAME_CHANGE);
    if (!s || !frame_found(r, meetings_find(s, req_path(r, 0), true, &m)) ||
        !frame_idempotent(r, "consent_decision.create.replayed", "consent_decision") ||
        !may_decide(r, &m, &in) ||
        !frame_gate(r, consent_is_sharing(&in) ? &meeting_gate_minutes_sharing
                                               : &meeting_gate_family_notice,
                    m.status))
        return;
    consent_check(&in, &v);
    if (!check_family_invited(r, s, &m, &in, &v) || frame_violations(r, &v))
        return;
    char id[37];
    json_t *warnings = json_array();
    decision_warnings(&in, warnings);
    if (frame_ok(r, consent_insert(s, m.id, &in, id)))
        frame_finish(r, &(frame_change){.kind = &STORE_CONSENT_DECISION,
                                        .id = id,
                                        .audit_action = "consent_decision.create",
                                        .event = "consent_decision.recorded",
                                        .warnings = warnings,
                                        .created = true});
    json_decref(warnings);
}

/* --- GET /v1/meetings/{meeting_id}/consent-decisions --- */

void handle_consent_list(req *r)
{
    static const enum cursor_part key[] = {PART_INTEGER};
    frame_page page;
    if (!frame_page_read(r, &page, 1, key))
        return;
    meeting_row m;
    store *s = frame_begin(r, FRAME_READ);
    store_page rendered;
    if (s && frame_found(r, meetings_find(s, req_path(r, 0), false, &m)) &&
        frame_ok(r, consent_list(s, m.id, page.limit, page.after[0], &rendered)))
        frame_list(r, &rendered, "consent_decision.list", "consent_decision");
    frame_page_free(&page);
}

/* --- GET /v1/consent-decisions/{decision_id} --- */

void handle_consent_get(req *r)
{
    frame_get(r, &STORE_CONSENT_DECISION, "consent_decision.read");
}

/* --- POST /v1/consent-decisions/{decision_id}/agreements --- */

void handle_consent_agree(req *r)
{
    static const char *const fields[] = {"agrees", "comment", NULL};
    violations v;
    violations_init(&v);
    jin_only_keys(&v, r->body, "", fields, NULL);
    int agrees = jin_bool(&v, r->body, "", "agrees");
    const char *comment = jin_string(&v, r->body, "", "comment", NOTE_MAX, false, NULL);
    if (v.schema && frame_violations(r, &v))
        return;
    store *s = frame_begin(r, FRAME_CHANGE);
    if (!s || !frame_idempotent(r, "consent_decision.agree.replayed", "consent_decision"))
        return;
    decision_row d;
    meeting_row m;
    int found = consent_find(s, req_path(r, 0), true, &d);
    if (found > 0)
        found = meetings_load(s, d.meeting_id, false, &m);
    if (!frame_found(r, found))
        return;
    char agency[CALLER_AGENCY_MAX + 1];
    if (!frame_ok(r, consent_speaker_agency(s, d.meeting_id, agency)))
        return;
    if (!agency[0]) {
        problem_forbidden(r, "FAM-2", "Agreement is given by a practitioner invited on behalf of "
                                      "a professional agency.");
        return;
    }
    if (strcmp(d.decision, "not_inform") != 0 || !d.current) {
        problem_conflict(r, "FAM-2", "Only the current decision not to inform the family awaits "
                                     "the agencies' agreement.");
        return;
    }
    if (!frame_gate(r, &meeting_gate_agreements, m.status))
        return;
    if (agrees < 0)
        violation_rule(&v, "agrees", "FAM-2", "say whether your agency agrees");
    if (agrees == 0 && !comment)
        violation_rule(&v, "comment", "FAM-2", "say why your agency disagrees");
    if (frame_violations(r, &v))
        return;
    int recorded = consent_agree(s, d.id, agency, agrees == 1, comment);
    if (recorded == 0) {
        problem(r, 409, "already-answered", "Conflict",
                "Your agency has already answered this decision; a new decision starts afresh.");
        return;
    }
    if (recorded > 0 && frame_ok(r, consent_bump(s, d.id)))
        frame_finish(r, &(frame_change){.kind = &STORE_CONSENT_DECISION,
                                        .id = d.id,
                                        .audit_action = "consent_decision.agree",
                                        .event = "consent_decision.answered",
                                        .created = true});
    else if (recorded < 0)
        req_db_failed(r);
}
