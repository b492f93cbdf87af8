/* POST /v1/meetings/{meeting_id}/minutes/approve: only the chair approves
 * (MIN-3), and only minutes that hold every part the guidance calls
 * essential (MIN-2), all missing parts listed at once with their paths,
 * judged against the attendance recorded before the hold.
 * Approval turns the action plan into tracked actions (ACT-1), adds the
 * family-feedback action when the attendance recorded before the hold says
 * the family was not there (FAM-6), tracks a needed safeguarding referral
 * (ACT-4), and applies the review outcomes of a review meeting (MTG-9). */
#include <stdlib.h>
#include <string.h>

#include "api/chair.h"
#include "api/frame.h"
#include "api/handlers.h"
#include "api/minutes_common.h"
#include "core/buf.h"
#include "domain/minutes.h"
#include "store/actions.h"
#include "store/holidays.h"
#include "store/policy.h"

/* MTG-9: the previous meeting's open actions each need an outcome. */
static bool check_review(store *s, const meeting_row *m, json_t *content, violations *v)
{
    const char *previous = m->previous_meeting_id;
    char **open = NULL, **reviewed = NULL;
    int n_open = 0, n_reviewed = 0;
    bool ok = (!previous[0] || actions_open_for(s, previous, &open, &n_open) == 0) &&
              actions_reviewed_by(s, m->id, &reviewed, &n_reviewed) == 0;
    if (ok && (previous[0] || json_array_size(json_object_get(content, "previous_actions")) > 0))
        minutes_check_review(content, (const char *const *)open, n_open,
                             (const char *const *)reviewed, n_reviewed, v);
    actions_free_ids(open, n_open);
    actions_free_ids(reviewed, n_reviewed);
    return ok;
}

/* FAM-6: once per meeting, when the family was not present (by the marks
 * recorded before the hold). */
static bool add_feedback_action(const minutes_ctx *m, const minutes_facts *f,
                                json_t *content, buf *new_ids)
{
    if (minutes_family_present_from(f->invitations, f->n_invitations))
        return true;
    store *s = m->s;
    int exists = actions_has_family_feedback(s, m->meeting.id);
    if (exists != 0)
        return exists > 0;
    policy p;
    holidays h;
    if (policy_load(s, &p) != 0 || holidays_load(s, &h) != 0)
        return false;
    char due[11];
    cal_format(cal_add_working_days(s->today, p.feedback_working_days, &h), due);
    holidays_free(&h);
    char id[37];
    if (actions_family_feedback(s, m->meeting.id, m->current.number,
                                json_object_get(content, "family_feedback"), due, id) != 0)
        return false;
    if (new_ids->len)
        buf_putc(new_ids, ',');
    buf_puts(new_ids, id);
    return true;
}

/* ACT-4: once per meeting, when a safeguarding referral is recorded as
 * needed: an action for whoever makes it, due SAFEGUARDING_REFERRAL_WORKING_DAYS
 * working days after the day the meeting was held. */
static bool add_referral_action(const minutes_ctx *m, const minutes_facts_data *facts,
                                json_t *content, buf *new_ids)
{
    if (!minutes_referral_needed(content))
        return true;
    store *s = m->s;
    int exists = actions_has_safeguarding_referral(s, m->meeting.id);
    if (exists != 0)
        return exists > 0;
    cal_day held;
    if (!facts->held_on || !cal_parse(facts->held_on, &held))
        held = s->today; /* a held meeting has its day; never reached */
    policy p;
    holidays h;
    if (policy_load(s, &p) != 0 || holidays_load(s, &h) != 0)
        return false;
    char due[11];
    cal_format(minutes_referral_due(held, p.safeguarding_referral_working_days, &h), due);
    holidays_free(&h);
    char id[37];
    if (actions_safeguarding_referral(s, m->meeting.id, m->current.number,
                                      json_object_get(content, "safeguarding_referral"), due,
                                      id) != 0)
        return false;
    if (new_ids->len)
        buf_putc(new_ids, ',');
    buf_puts(new_ids, id);
    return true;
}

static bool announce_actions(store *s, const char *ids)
{
    char *copy = strdup(ids), *save = NULL;
    bool ok = true;
    for (char *id = strtok_r(copy, ",", &save); ok && id; id = strtok_r(NULL, ",", &save))
        ok = store_announce(s, &STORE_ACTION, id, "action.created") == 0;
    free(copy);
    return ok;
}

void handle_minutes_approve(req *r)
{
    if (r->body && json_object_size(r->body) > 0) {
        req_schema_error(r, "", "approve takes no members");
        problem_invalid(r);
        return;
    }
    minutes_ctx m;
    if (!minutes_open(r, true, &m))
        return;
    if (!minutes_may_approve(&r->who, m.meeting.chair_sub)) {
        problem_forbidden(r, "MIN-3", "Only the chair approves the minutes.");
        return;
    }
    if (!chair_authority(r, &m.meeting)) /* MTG-6 */
        return;
    if (m.current.number == 0) {
        problem_conflict(r, "MIN-3", "There are no minutes to approve yet.");
        return;
    }
    if (!frame_if_match(r, m.current.version) ||
        !frame_gate(r, &minutes_gate_approval, m.current.status))
        return;
    store *s = m.s;
    json_t *content = minutes_content(s, m.meeting.id, m.current.number);
    if (!content) {
        req_db_failed(r);
        return;
    }
    minutes_facts_data facts;
    if (minutes_facts_load(s, m.meeting.id, &facts) != 0) {
        minutes_facts_data_free(&facts);
        json_decref(content);
        req_db_failed(r);
        return;
    }
    violations v;
    violations_init(&v);
    minutes_check_complete(content, &facts.facts, &v);
    char *text = json_dumps(content, JSON_COMPACT);
    int foreign = actions_foreign_ids(s, m.meeting.id, text);
    if (foreign > 0)
        violation_rule(&v, "actions", "MIN-2", "an action_id names an action of another meeting");
    buf new_ids;
    buf_init(&new_ids);
    bool ok = foreign >= 0 && check_review(s, &m.meeting, content, &v);
    if (ok && !frame_violations(r, &v)) {
        ok = minutes_approve(s, m.meeting.id, m.current.number) == 0 &&
             meetings_set_next_review(s, m.meeting.id, m.current.number) == 0 && /* MTG-12 */
             actions_from_minutes(s, m.meeting.id, m.current.number, text, &new_ids) >= 0 &&
             add_feedback_action(&m, &facts.facts, content, &new_ids) &&
             add_referral_action(&m, &facts, content, &new_ids) &&
             (!m.meeting.previous_meeting_id[0] ||
              actions_apply_review(s, m.meeting.id, text) == 0) &&
             announce_actions(s, new_ids.data ? new_ids.data : "");
        if (ok)
            minutes_answer(r, &m, false, "minutes.approve", "minutes.approved");
    }
    if (!ok && !r->status)
        req_db_failed(r);
    buf_free(&new_ids);
    free(text);
    minutes_facts_data_free(&facts);
    json_decref(content);
}
