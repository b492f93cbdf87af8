/* Invitations: sending them (INV-1, INV-2, INV-4, INV-7), reading them and
 * sharing papers in advance (INV-6). Answers are in invitation_answers.c.
 * An agency invited while the family is not to be informed re-opens that
 * decision until it agrees (FAM-2), which the answer warns of. */
#include <stdio.h>
#include <string.h>

#include "api/frame.h"
#include "api/handlers.h"
#include "core/clock.h"
#include "core/text.h"
#include "domain/json_in.h"
#include "domain/meeting.h"
#include "domain/planning.h"
#include "store/agencies.h"
#include "store/holidays.h"
#include "store/policy.h"
#include "store/invitations.h"
#include "store/meetings.h"
#include "store/planning.h"

/* --- POST /v1/meetings/{meeting_id}/invitations --- */

/* The rules that need the database: the facts of the meeting, an active
 * agency for professionals. *reopens: the invitation brings an agency whose
 * agreement the current decision not to inform the family now needs
 * (FAM-2). Returns false after answering a failure. */
static bool check_with_facts(req *r, store *s, const meeting_row *m, const invitation_in *in,
                             violations *v, bool *reopens)
{
    planning_facts facts;
    *reopens = false;
    if (!frame_ok(r, planning_facts_load(s, m->id, &facts)))
        return false;
    if (strcmp(facts.family_notice, "not_inform") == 0 && in->invitee.agency &&
        !invitation_is_family(in->category)) {
        int invited = invitations_agency_invited(s, m->id, in->invitee.agency);
        if (!frame_ok(r, invited < 0 ? -1 : 0))
            return false;
        *reopens = invited == 0;
    }
    char today[11];
    clock_date(r->now, today);
    char start_day[11];
    if (m->start_epoch)
        clock_date((time_t)m->start_epoch, start_day);
    invitation_facts f = {.today = today,
                          .start_day = m->start_epoch ? start_day : NULL,
                          .family_notice = facts.family_notice[0] ? facts.family_notice : NULL,
                          .family_notice_status = facts.family_notice_status,
                          .two_part = m->two_part,
                          .scheduled = m->start_epoch != 0};
    invitation_check(in, &f, v);
    if (in->invitee.agency) {
        int active = agencies_is_active(s, in->invitee.agency);
        if (active < 0) {
            req_db_failed(r);
            return false;
        }
        if (!active)
            violation_rule(v, "invitee.agency", "INV-1",
                           "'%s' is not an active agency of the directory", in->invitee.agency);
    }
    return true;
}

/* respond_by, unless given: the policy's response working days from today (OBL-1),
 * and once the meeting is scheduled no later than the working day before it
 * starts (INV-8). Also judges short notice against the start, once there is
 * one (INV-4). */
static bool deadline_and_notice(req *r, store *s, const meeting_row *m, const invitation_in *in,
                                char respond_by[11], bool *short_notice)
{
    holidays h;
    policy pol;
    if (!frame_ok(r, policy_load(s, &pol)) || !frame_ok(r, holidays_load(s, &h)))
        return false;
    const policy *cfg = &pol;
    if (in->respond_by)
        snprintf(respond_by, 11, "%s", in->respond_by);
    else
        cal_format(invitation_default_deadline(m->type, s->today, m->start_epoch != 0,
                                               (cal_day)(m->start_epoch / 86400),
                                               cfg->response_working_days, &h),
                   respond_by);
    *short_notice = m->start_epoch != 0 &&
                    invitation_short_notice(m->type, s->today, (cal_day)(m->start_epoch / 86400),
                                            cfg->notice_working_days, &h);
    holidays_free(&h);
    return true;
}

void handle_invitations_create(req *r)
{
    violations v;
    violations_init(&v);
    invitation_in in;
    invitation_parse(r->body, &in, &v);
    if (v.schema && frame_violations(r, &v))
        return;
    meeting_row m;
    store *s = frame_begin(r, FRAME_CHANGE);
    if (!s || !frame_found(r, meetings_find(s, req_path(r, 0), true, &m)) ||
        !frame_idempotent(r, "invitation.create.replayed", "invitation"))
        return;
    if (!meeting_row_convening_side(&m, &r->who)) {
        problem_forbidden(r, NULL, "Only the convening side (the requester or a manager of the "
                                   "convening agency) sends invitations.");
        return;
    }
    bool reopens;
    if (!frame_gate(r, &meeting_gate_invitations, m.status) ||
        !check_with_facts(r, s, &m, &in, &v, &reopens) || frame_violations(r, &v))
        return;
    char respond_by[11];
    bool short_notice;
    if (!deadline_and_notice(r, s, &m, &in, respond_by, &short_notice))
        return;
    char id[37];
    if (invitations_insert(s, m.id, &in, respond_by, invitation_is_family(in.category),
                           short_notice, id) != 0) {
        if (store_failure(s) == DB_UNIQUE)
            problem(r, 409, "already-invited", "Conflict", "That person is already invited.");
        else
            req_db_failed(r);
        return;
    }
    json_t *warnings = json_array();
    if (short_notice)
        warning_add(warnings, "INV-4", "invitations",
                    "sent with less than the notice the policy asks for before the start");
    if (reopens) {
        char message[240];
        snprintf(message, sizeof message,
                 "this invitation re-opens the decision not to inform the family: it takes "
                 "effect again only once %s agrees",
                 in.invitee.agency);
        warning_add(warnings, "FAM-2", "invitee.agency", message);
    }
    frame_finish(r, &(frame_change){.kind = &STORE_INVITATION,
                                    .id = id,
                                    .audit_action = "invitation.create",
                                    .event = "invitation.created",
                                    .warnings = warnings,
                                    .created = true});
    json_decref(warnings);
}

/* --- GET /v1/meetings/{meeting_id}/invitations --- */

static const enum cursor_part time_key[] = {PART_TIMESTAMP, PART_UUID};

void handle_meeting_invitations_list(req *r)
{
    frame_page page;
    if (!frame_page_read(r, &page, 2, time_key))
        return;
    meeting_row m;
    store *s = frame_begin(r, FRAME_READ);
    store_page rendered;
    if (s && frame_found(r, meetings_find(s, req_path(r, 0), false, &m)) &&
        frame_ok(r, invitations_of_meeting(s, m.id, page.limit, page.after, &rendered)))
        frame_list(r, &rendered, "invitation.list", "invitation");
    frame_page_free(&page);
}

/* --- GET /v1/invitations?invitee=me --- */

void handle_invitations_mine(req *r)
{
    static const char *const statuses[] = {"invited",   "accepted", "declined",
                                           "apologies", "withdrawn", NULL};
    const char *invitee = req_query(r, "invitee");
    const char *status = req_query(r, "status");
    if (!invitee || strcmp(invitee, "me") != 0)
        req_schema_error(r, "invitee", "invitee=me is required: the list shows your own invitations");
    if (status && !text_in_list(statuses, status))
        req_schema_error(r, "status", "status is not an invitation status");
    if (req_has_errors(r)) {
        problem_invalid(r);
        return;
    }
    frame_page page;
    if (!frame_page_read(r, &page, 2, time_key))
        return;
    store *s = frame_begin(r, FRAME_READ);
    store_page rendered;
    if (s && frame_ok(r, invitations_mine(s, status, page.limit, page.after, &rendered)))
        frame_list(r, &rendered, "invitation.list", "invitation");
    frame_page_free(&page);
}

/* --- GET /v1/invitations/{invitation_id} --- */

void handle_invitations_get(req *r)
{
    frame_get(r, &STORE_INVITATION, "invitation.read");
}

/* --- POST /v1/invitations/{invitation_id}/papers --- */

void handle_invitations_add_paper(req *r)
{
    static const char *const fields[] = {"title", "reference", "shared_at", NULL};
    violations v;
    violations_init(&v);
    jin_only_keys(&v, r->body, "", fields, NULL);
    const char *title = jin_string(&v, r->body, "", "title", PAPER_TITLE_MAX, true, "INV-6");
    const char *reference = jin_string(&v, r->body, "", "reference", PAPER_REFERENCE_MAX, false, NULL);
    const char *shared_at = jin_string(&v, r->body, "", "shared_at", 40, false, NULL);
    if (shared_at && !text_is_timestamp(shared_at))
        violation_schema(&v, "shared_at", "'shared_at' must be an RFC 3339 date-time");
    if (v.schema && frame_violations(r, &v))
        return;
    invitation_row row;
    meeting_row m;
    store *s = frame_begin(r, FRAME_CHANGE);
    if (!s || !frame_idempotent(r, "invitation.paper.replayed", "invitation"))
        return;
    int found = invitations_find(s, req_path(r, 0), true, &row);
    if (found > 0)
        found = meetings_load(s, row.meeting_id, false, &m);
    if (!frame_found(r, found))
        return;
    if (!meeting_row_convening_side(&m, &r->who) && !meeting_row_runs_it(&m, &r->who)) {
        problem_forbidden(r, NULL, "Papers are shared by the convening side, the chair or the minute taker.");
        return;
    }
    if (!frame_gate(r, &meeting_gate_papers, m.status) ||
        !frame_gate(r, &invitation_gate_withdrawn, row.status) || frame_violations(r, &v))
        return;
    char paper_id[37];
    if (frame_ok(r, invitations_add_paper(s, row.id, title, reference, shared_at, paper_id)))
        frame_finish(r, &(frame_change){.kind = &STORE_INVITATION,
                                        .id = row.id,
                                        .audit_action = "invitation.paper",
                                        .event = "invitation.paper_shared",
                                        .created = true});
}

/* --- POST /v1/invitations/{invitation_id}/withdraw --- */

#define WITHDRAW_REASON_MAX 2000

/* FAM-9: the convening side withdraws a family member's invitation (so that
 * the family can be left uninformed, or the invitation undone), with a
 * reason. The meeting is locked first, as consent decisions and attendance
 * lock it, so that a decision not to inform and a withdrawal are taken one
 * after the other. */
void handle_invitations_withdraw(req *r)
{
    static const char *const fields[] = {"reason", NULL};
    violations v;
    violations_init(&v);
    jin_only_keys(&v, r->body, "", fields, NULL);
    const char *reason = jin_string(&v, r->body, "", "reason", WITHDRAW_REASON_MAX, false, NULL);
    if (v.schema && frame_violations(r, &v))
        return;
    invitation_row row;
    meeting_row m;
    store *s = frame_begin(r, FRAME_CHANGE);
    if (!s)
        return;
    int found = invitations_find(s, req_path(r, 0), false, &row);
    if (found > 0)
        found = meetings_load(s, row.meeting_id, true, &m);
    if (found > 0)
        found = invitations_find(s, row.id, true, &row);
    if (!frame_found(r, found))
        return;
    if (!meeting_row_convening_side(&m, &r->who)) {
        problem_forbidden(r, NULL, "The convening side (the requester or a manager of the "
                                   "convening agency) withdraws an invitation.");
        return;
    }
    if (!frame_if_match(r, row.version) || !frame_gate(r, &meeting_gate_withdrawals, m.status) ||
        !frame_gate(r, &invitation_gate_withdrawn, row.status))
        return;
    withdrawal_check(row.category, reason, &v);
    if (!frame_violations(r, &v) && frame_ok(r, invitations_withdraw(s, row.id, reason)))
        frame_finish(r, &(frame_change){.kind = &STORE_INVITATION,
                                        .id = row.id,
                                        .audit_action = "invitation.withdraw",
                                        .event = "invitation.withdrawn"});
}
