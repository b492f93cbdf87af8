/* Scheduling an authorised meeting (MTG-6, MTG-7), rescheduling it, marking
 * attendance and holding it (MTG-8). Every precondition that is not met is
 * listed in one answer, each with its rule ID. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/chair.h"
#include "api/frame.h"
#include "api/handlers.h"
#include "core/text.h"
#include "core/xalloc.h"
#include "domain/json_in.h"
#include "domain/meeting.h"
#include "domain/planning.h"
#include "store/agencies.h"
#include "store/holidays.h"
#include "store/policy.h"
#include "store/invitations.h"
#include "store/meetings.h"
#include "store/planning.h"

#define MAX_ATTENDANCE_ENTRIES 200

/* The convening side plans; the chair and minute taker run the meeting. */
static bool may_run(req *r, const meeting_row *m, bool planning)
{
    if (meeting_row_convening_side(m, &r->who) || (!planning && meeting_row_runs_it(m, &r->who)))
        return true;
    problem_forbidden(r, NULL, planning ? "The convening side schedules the meeting."
                                        : "The convening side, the chair or the minute taker "
                                          "records attendance and holds the meeting.");
    return false;
}

/* INV-8: answers still awaited are due before the new start: deadlines
 * after the cap are pulled in to it, each a change of the invitation that
 * is announced to the meeting's agencies. Warns of how many moved. */
static bool pull_deadlines(store *s, const meeting_row *m, long long start_epoch,
                           const holidays *h, json_t *warnings)
{
    char cap[11];
    cal_format(invitation_deadline_cap(m->type, s->today, (cal_day)(start_epoch / 86400), h),
               cap);
    char (*moved)[37] = NULL;
    int n = 0;
    bool ok = invitations_pull_deadlines(s, m->id, cap, &moved, &n) == 0;
    for (int i = 0; ok && i < n; i++)
        ok = store_announce(s, &STORE_INVITATION, moved[i], "invitation.deadline_changed") == 0;
    free(moved);
    if (ok && n) {
        char message[160];
        snprintf(message, sizeof message,
                 "%d response deadline(s) moved to %s, before the meeting starts", n, cap);
        warning_add(warnings, "INV-8", "invitations", message);
    }
    return ok;
}

/* INV-4 against the new start: flags each invitation and warns for those
 * sent too late; then INV-8. Returns false after answering a failure. */
static bool judge_invitations(req *r, store *s, const meeting_row *m, long long start_epoch,
                              json_t *warnings)
{
    policy p;
    holidays h = {NULL, 0};
    invitation_sent *sent = NULL;
    int n = 0;
    bool ok = policy_load(s, &p) == 0 && holidays_load(s, &h) == 0;
    int notice = p.notice_working_days;
    ok = ok && invitations_sent(s, m->id, &sent, &n) == 0;
    int late = 0;
    for (int i = 0; ok && i < n; i++) {
        bool short_notice = invitation_short_notice(m->type, sent[i].day,
                                                    (cal_day)(start_epoch / 86400), notice, &h);
        late += short_notice;
        ok = invitations_set_short_notice(s, sent[i].id, short_notice) == 0;
    }
    free(sent);
    if (ok && late) {
        char message[160];
        snprintf(message, sizeof message,
                 "%d invitation(s) went out less than %d working days before the start", late,
                 notice);
        warning_add(warnings, "INV-4", "invitations", message);
    }
    ok = ok && pull_deadlines(s, m, start_epoch, &h, warnings);
    holidays_free(&h);
    if (!ok) {
        req_db_failed(r);
        return false;
    }
    return true;
}

/* MTG-6: the chair and the minute taker act for agencies of the directory.
 * Returns false after answering a failure. */
static bool check_agencies(req *r, store *s, const schedule_in *in, violations *v)
{
    const struct {
        const char *agency, *field;
    } people[] = {{in->chair.agency, "chair.agency"}, {in->minute_taker.agency, "minute_taker.agency"}};
    for (size_t i = 0; i < sizeof people / sizeof people[0]; i++) {
        if (!people[i].agency)
            continue;
        int active = agencies_is_active(s, people[i].agency);
        if (active < 0) {
            req_db_failed(r);
            return false;
        }
        if (!active)
            violation_rule(v, people[i].field, "MTG-6", "not an active agency of the directory");
    }
    return true;
}

static void schedule(req *r, bool again)
{
    violations v;
    violations_init(&v);
    schedule_in in;
    schedule_parse(r->body, &in, &v);
    if (v.schema && frame_violations(r, &v))
        return;
    meeting_row m;
    store *s = frame_begin(r, FRAME_CHANGE);
    if (!s || !frame_found(r, meetings_find(s, req_path(r, 0), true, &m)) ||
        !may_run(r, &m, true) || !frame_if_match(r, m.version))
        return;
    if (again ? !frame_gate(r, &meeting_gate_rescheduling, m.status)
              : !frame_transition(r, m.status, "scheduled"))
        return;
    planning_facts facts;
    if (!frame_ok(r, planning_facts_load(s, m.id, &facts)))
        return;
    schedule_facts f = {.meeting_type = m.type,
                        .now_epoch = (long long)r->now,
                        .invited_agencies = facts.invited_agencies,
                        .invited_childrens_social_care = facts.invited_csc,
                        .invited_police = facts.invited_police,
                        .invited_health = facts.invited_health,
                        .family_notice_status =
                            facts.family_notice_status[0] ? facts.family_notice_status : NULL,
                        .family_invited = facts.family_invited};
    schedule_check(&in, &f, &v);
    if (!check_agencies(r, s, &in, &v) || frame_violations(r, &v))
        return;
    json_t *warnings = json_array();
    bool remote = in.format && (strcmp(in.format, "virtual") == 0 || strcmp(in.format, "hybrid") == 0);
    if (remote && facts.unconfirmed_technology > 0) {
        char message[160];
        snprintf(message, sizeof message,
                 "%d invitee(s), family members included, have not confirmed access to the "
                 "technology or stated the support they need to join",
                 facts.unconfirmed_technology);
        warning_add(warnings, "INV-5", "invitations", message);
    }
    if (frame_ok(r, meetings_schedule(s, m.id, &in)) &&
        judge_invitations(r, s, &m, in.start_epoch, warnings))
        frame_finish(r, &(frame_change){.kind = &STORE_MEETING,
                                        .id = m.id,
                                        .audit_action =
                                            again ? "meeting.reschedule" : "meeting.schedule",
                                        .event = again ? "meeting.rescheduled" : "meeting.scheduled",
                                        .warnings = warnings});
    json_decref(warnings);
}

void handle_meetings_schedule(req *r)
{
    schedule(r, false);
}

void handle_meetings_reschedule(req *r)
{
    schedule(r, true);
}

/* --- PUT /v1/meetings/{meeting_id}/attendance --- */

void handle_meetings_attendance(req *r)
{
    static const char *const fields[] = {"entries", NULL};
    static const char *const entry_fields[] = {"invitation_id", "attendance", NULL};
    violations v;
    violations_init(&v);
    jin_only_keys(&v, r->body, "", fields, NULL);
    json_t *entries = jin_array(&v, r->body, "", "entries", MAX_ATTENDANCE_ENTRIES, true, NULL);
    size_t i;
    json_t *e;
    json_array_foreach(entries, i, e) {
        char at[32];
        jin_index(at, sizeof at, "", "entries", i);
        if (!json_is_object(e)) {
            violation_schema(&v, at, "'%s' must be an object", at);
            continue;
        }
        jin_only_keys(&v, e, at, entry_fields, NULL);
        const char *id = jin_string(&v, e, at, "invitation_id", 36, true, NULL);
        if (id && !text_is_uuid(id)) {
            char path[64];
            jin_path(path, sizeof path, at, "invitation_id");
            violation_schema(&v, path, "'%s' must be a UUID", path);
        }
        jin_enum(&v, e, at, "attendance", attendance_marks, true, NULL);
    }
    if (frame_violations(r, &v))
        return;
    meeting_row m;
    store *s = frame_begin(r, FRAME_CHANGE);
    if (!s || !frame_found(r, meetings_find(s, req_path(r, 0), true, &m)) ||
        !may_run(r, &m, false) || !chair_authority(r, &m) || !frame_if_match(r, m.version) ||
        !frame_gate(r, &meeting_gate_attendance, m.status))
        return;
    /* every mark is checked against the meeting's invitations and its
     * family-notice decision before any is written (MTG-8, FAM-9) */
    size_t n = json_array_size(entries);
    mark_in *marks = xcalloc(n ? n : 1, sizeof *marks);
    json_array_foreach(entries, i, e) {
        marks[i].invitation_id = json_string_value(json_object_get(e, "invitation_id"));
        marks[i].attendance = json_string_value(json_object_get(e, "attendance"));
    }
    planning_facts facts;
    roll_invitation *roll = NULL;
    int n_roll = 0;
    bool ok = planning_facts_load(s, m.id, &facts) == 0 &&
              invitations_roll(s, m.id, &roll, &n_roll) == 0;
    if (ok)
        attendance_check(marks, (int)n, roll, n_roll,
                         facts.family_notice[0] ? facts.family_notice : NULL, &v);
    /* each mark is the invitation's own new version: announced as such */
    for (size_t k = 0; ok && v.n == 0 && k < n; k++)
        ok = invitations_mark(s, m.id, marks[k].invitation_id, marks[k].attendance) == 1 &&
             store_announce(s, &STORE_INVITATION, marks[k].invitation_id,
                            "invitation.attendance_recorded") == 0;
    free(marks);
    free(roll);
    if (!ok) {
        req_db_failed(r);
        return;
    }
    if (!frame_violations(r, &v) && frame_ok(r, meetings_bump(s, m.id)))
        frame_finish(r, &(frame_change){.kind = &STORE_MEETING,
                                        .id = m.id,
                                        .audit_action = "meeting.attendance",
                                        .event = "meeting.attendance_recorded"});
}

/* --- POST /v1/meetings/{meeting_id}/hold --- */

void handle_meetings_hold(req *r)
{
    meeting_row m;
    if (r->body && json_object_size(r->body) > 0) {
        req_schema_error(r, "", "hold takes no members");
        problem_invalid(r);
        return;
    }
    store *s = frame_begin(r, FRAME_CHANGE);
    if (!s || !frame_found(r, meetings_find(s, req_path(r, 0), true, &m)) ||
        !may_run(r, &m, false) || !chair_authority(r, &m) || !frame_if_match(r, m.version) ||
        !frame_transition(r, m.status, "held"))
        return;
    planning_facts facts;
    if (!frame_ok(r, planning_facts_load(s, m.id, &facts)))
        return;
    violations v;
    violations_init(&v);
    hold_facts f = {.now_epoch = (long long)r->now,
                    .start_epoch = m.start_epoch,
                    .invitations = facts.invitations,
                    .unmarked = facts.unmarked,
                    .meeting_type = m.type,
                    .family_notice = facts.family_notice[0] ? facts.family_notice : NULL,
                    .family_notice_status = facts.family_notice_status,
                    .awaiting_agencies = facts.awaiting_agencies,
                    .family_invitations = facts.family_invitations,
                    .csc_present = facts.csc_present,
                    .police_present = facts.police_present,
                    .health_present = facts.health_present};
    hold_check(&f, &v);
    if (!frame_violations(r, &v) && frame_ok(r, meetings_hold(s, m.id)))
        frame_finish(r, &(frame_change){.kind = &STORE_MEETING,
                                        .id = m.id,
                                        .audit_action = "meeting.hold",
                                        .event = "meeting.held"});
}
