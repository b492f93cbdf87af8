/* POST /v1/meetings/{meeting_id}/minutes/approve: only the chair approves
 * (MIN-3), and only minutes that hold every part the guidance calls
 * essential (MIN-2), all missing parts listed at once with their paths.
 * Approval turns the action plan into tracked actions (ACT-1), adds the
 * family-feedback action when the family was not there (FAM-6), and
 * applies the review outcomes of a review meeting (MTG-9). */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "api/handlers.h"
#include "api/minutes_common.h"
#include "app.h"
#include "core/buf.h"
#include "domain/minutes.h"
#include "http/pipeline.h"
#include "store/actions.h"
#include "store/feed.h"
#include "store/holidays.h"

static const db_stmt previous_stmt = {
    "minutes_previous_meeting",
    "SELECT coalesce(previous_meeting_id::text, '') FROM meetings WHERE id = $1", 1};

static const db_stmt has_feedback_stmt = {
    "minutes_has_feedback",
    "SELECT count(*) FROM actions WHERE meeting_id = $1 AND kind = 'family_feedback'", 1};

/* MTG-9: the previous meeting's open actions each need an outcome. */
static bool check_review(req *r, const char *meeting_id, json_t *content, violations *v,
                         char *previous, size_t previous_size)
{
    const char *params[] = {meeting_id};
    bool found;
    char *prev = db_exec_value(r->db, &previous_stmt, params, &found);
    if (!prev)
        return false;
    snprintf(previous, previous_size, "%s", prev);
    free(prev);
    char **open = NULL, **reviewed = NULL;
    int n_open = 0, n_reviewed = 0;
    bool ok = (!previous[0] || actions_open_for(r, previous, &open, &n_open) == 0) &&
              actions_reviewed_by(r, meeting_id, &reviewed, &n_reviewed) == 0;
    if (ok && (previous[0] || json_array_size(json_object_get(content, "previous_actions")) > 0))
        minutes_check_review(content, (const char *const *)open, n_open,
                             (const char *const *)reviewed, n_reviewed, v);
    actions_free_ids(open, n_open);
    actions_free_ids(reviewed, n_reviewed);
    return ok;
}

/* FAM-6: once per meeting, when the family was not present. */
static bool add_feedback_action(req *r, const minutes_ctx *m, json_t *content, buf *new_ids)
{
    if (minutes_family_present(content))
        return true;
    const char *params[] = {m->meeting.id};
    bool found;
    char *count = db_exec_value(r->db, &has_feedback_stmt, params, &found);
    if (!count)
        return false;
    bool exists = atoi(count) > 0;
    free(count);
    if (exists)
        return true;
    holidays h;
    if (holidays_load(r->db, &h) != 0)
        return false;
    char due[11];
    cal_format(cal_add_working_days(holidays_today(), app.cfg.feedback_working_days, &h), due);
    holidays_free(&h);
    char id[37];
    if (actions_family_feedback(r, m->meeting.id, m->current.number,
                                json_object_get(content, "family_feedback"), due, id) != 0)
        return false;
    if (new_ids->len)
        buf_putc(new_ids, ',');
    buf_puts(new_ids, id);
    return true;
}

/* MTG-9: the outcomes, applied and announced (INT-2). */
static bool apply_review(req *r, const char *meeting_id, const char *content_json)
{
    PGresult *res = actions_apply_review(r, meeting_id, content_json);
    if (!res)
        return false;
    bool ok = true;
    for (int i = 0; ok && i < PQntuples(res); i++) {
        bool carried = strcmp(PQgetvalue(res, i, 1), "carried_forward") == 0;
        ok = feed_meeting_part(r, meeting_id, carried ? "action.carried_forward" : "action.reviewed",
                               "action", PQgetvalue(res, i, 0), atol(PQgetvalue(res, i, 2))) == 0;
    }
    PQclear(res);
    return ok;
}

static bool announce_actions(req *r, const char *meeting_id, const char *ids)
{
    char *copy = strdup(ids), *save = NULL;
    bool ok = true;
    for (char *id = strtok_r(copy, ",", &save); ok && id; id = strtok_r(NULL, ",", &save))
        ok = feed_meeting_part(r, meeting_id, "action.created", "action", id, 1) == 0;
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
    if (m.current.number == 0) {
        problem_conflict(r, "MIN-3", "There are no minutes to approve yet.");
        return;
    }
    if (!pipeline_if_match(r, m.current.version))
        return;
    if (strcmp(m.current.status, "approved") == 0) {
        problem_conflict(r, "MIN-3", "These minutes are already approved.");
        return;
    }
    json_t *content = minutes_content(r, m.meeting.id, m.current.number);
    if (!content) {
        req_db_failed(r);
        return;
    }
    violations v;
    violations_init(&v);
    minutes_check_complete(content, strcmp(m.meeting.type, "strategy_discussion") == 0, &v);
    char previous[37] = "";
    char *text = json_dumps(content, JSON_COMPACT);
    int foreign = actions_foreign_ids(r, m.meeting.id, text);
    if (foreign > 0)
        violation_rule(&v, "actions", "MIN-2", "an action_id names an action of another meeting");
    buf new_ids;
    buf_init(&new_ids);
    bool ok = foreign >= 0 && check_review(r, m.meeting.id, content, &v, previous, sizeof previous);
    if (ok && !answer_violations(r, &v)) {
        ok = minutes_approve(r, m.meeting.id, m.current.number) == 0 &&
             actions_from_minutes(r, m.meeting.id, m.current.number, text, &new_ids) >= 0 &&
             add_feedback_action(r, &m, content, &new_ids) &&
             (!previous[0] || apply_review(r, m.meeting.id, text)) &&
             announce_actions(r, m.meeting.id, new_ids.data ? new_ids.data : "");
        if (ok)
            minutes_answer(r, &m, m.current.number, m.current.version + 1, 200, "minutes.approve",
                           "minutes.approved");
    }
    if (!ok && !r->status)
        req_db_failed(r);
    buf_free(&new_ids);
    free(text);
    json_decref(content);
}
