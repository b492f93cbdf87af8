/* Actions (ACT-1 to ACT-3): the work agreed in approved minutes, listed
 * across meetings, completed or cancelled with a note, given a new due date
 * with a reason — by the owner, the chair or a manager of the owner's
 * agency only. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "api/handlers.h"
#include "core/buf.h"
#include "core/text.h"
#include "domain/json_in.h"
#include "domain/minutes.h"
#include "http/page.h"
#include "http/pipeline.h"
#include "store/actions.h"
#include "store/audit.h"
#include "store/feed.h"

#define NOTE_LIMIT 2000

/* --- GET /v1/actions --- */

void handle_actions_list(req *r)
{
    static const char *const statuses[] = {"open", "completed", "cancelled", NULL};
    action_filters f;
    memset(&f, 0, sizeof f);
    const char *owner = req_query(r, "owner");
    const char *overdue = req_query(r, "overdue");
    f.agency = req_query(r, "agency");
    f.meeting_id = req_query(r, "meeting_id");
    f.status = req_query(r, "status");
    if (owner)
        f.owner_sub = strcmp(owner, "me") == 0 ? r->who.sub : owner;
    if (owner && (!*owner || strlen(owner) > CALLER_SUB_MAX))
        req_schema_error(r, "owner", "owner is me or a subject id");
    if (f.agency && !agency_code_valid(f.agency))
        req_schema_error(r, "agency", "agency is not an agency code");
    if (f.meeting_id && !text_is_uuid(f.meeting_id))
        req_schema_error(r, "meeting_id", "meeting_id must be a UUID");
    bool known_status = false;
    for (const char *const *s = statuses; f.status && *s; s++)
        known_status |= strcmp(*s, f.status) == 0;
    if (f.status && !known_status)
        req_schema_error(r, "status", "status is open, completed or cancelled");
    if (overdue && strcmp(overdue, "true") != 0 && strcmp(overdue, "false") != 0)
        req_schema_error(r, "overdue", "overdue is true or false");
    f.overdue = overdue;
    if (req_has_errors(r)) {
        problem_invalid(r);
        return;
    }
    char *after[2];
    if (!read_page(r, &f.limit, after, 2))
        return;
    if (after[0] && (!text_is_date(after[0]) || !text_is_uuid(after[1]))) {
        free_parts(after, 2);
        req_schema_error(r, "cursor", "cursor is not one this service gave out");
        problem_invalid(r);
        return;
    }
    f.after_due = after[0];
    f.after_id = after[1];
    PGresult *res = NULL;
    bool begun = begin(r, true);
    if (begun)
        res = actions_list(r, &f);
    free_parts(after, 2);
    if (!begun)
        return;
    if (!res) {
        req_db_failed(r);
        return;
    }
    buf out, ids;
    buf_init(&out);
    buf_init(&ids);
    page_spec spec = {.limit = f.limit, .key_first_col = 1, .key_cols = 2, .id_col = 2};
    page_render(res, &spec, &out, &ids);
    PQclear(res);
    if (audit_record_list(r, "action.list", "action", ids.data) != 0 || db_commit(r->db) != 0)
        req_db_failed(r);
    else
        reply_json_text(r, 200, out.data);
    buf_free(&out);
    buf_free(&ids);
}

/* --- GET /v1/actions/{action_id} --- */

static bool open_action(req *r, bool change, action_row *a)
{
    if (!begin(r, !change))
        return false;
    int found = actions_find(r, req_path(r, 0), change, a);
    if (found < 0)
        req_db_failed(r);
    else if (found == 0)
        problem_not_found(r);
    return found > 0;
}

void handle_actions_get(req *r)
{
    action_row a;
    if (!open_action(r, false, &a))
        return;
    char *json = actions_render(r, a.id);
    if (!json || audit_record(r, "action.read", "action", a.id) != 0)
        req_db_failed(r);
    else
        answer_resource(r, 200, json, a.version, NULL);
    free(json);
}

/* --- changes --- */

static bool may_change(req *r, const action_row *a)
{
    if (action_may_change(&r->who, a->owner_sub[0] ? a->owner_sub : NULL, a->owner_agency,
                          a->chair_sub[0] ? a->chair_sub : NULL))
        return true;
    problem_forbidden(r, "ACT-2", "The owner, the chair or a manager of the owner's agency "
                                  "changes an action.");
    return false;
}

static void finish(req *r, const action_row *a, const char *audit_action, const char *event)
{
    if (audit_record(r, audit_action, "action", a->id) != 0 ||
        feed_meeting_part(r, a->current_meeting_id, event, "action", a->id, a->version + 1) != 0) {
        req_db_failed(r);
        return;
    }
    char *json = actions_render(r, a->id);
    if (!json) {
        req_db_failed(r);
        return;
    }
    answer_resource(r, 200, json, a->version + 1, NULL);
    free(json);
}

static void close_action(req *r, const char *status)
{
    static const char *const fields[] = {"note", NULL};
    violations v;
    violations_init(&v);
    if (r->body)
        jin_only_keys(&v, r->body, "", fields, NULL);
    const char *note = r->body ? jin_string(&v, r->body, "", "note", NOTE_LIMIT, false, NULL) : NULL;
    if (v.schema && answer_violations(r, &v))
        return;
    action_row a;
    if (!open_action(r, true, &a) || !may_change(r, &a) || !pipeline_if_match(r, a.version))
        return;
    if (strcmp(a.status, "open") != 0) {
        problem_conflict(r, "ACT-1", "Only an open action is completed or cancelled.");
        return;
    }
    if (!note) {
        req_error(r, "note", "ACT-1", "completing or cancelling an action needs a note");
        problem_invalid(r);
        return;
    }
    if (actions_close(r, a.id, status, note) != 0) {
        req_db_failed(r);
        return;
    }
    bool completed = strcmp(status, "completed") == 0;
    finish(r, &a, completed ? "action.complete" : "action.cancel",
           completed ? "action.completed" : "action.cancelled");
}

void handle_actions_complete(req *r)
{
    close_action(r, "completed");
}

void handle_actions_cancel(req *r)
{
    close_action(r, "cancelled");
}

/* PATCH /v1/actions/{action_id}: {due_date, reason} */
void handle_actions_update(req *r)
{
    static const char *const fields[] = {"due_date", "reason", NULL};
    static const char *const read_only[] = {"id", "status", "owner", "description", "version",
                                            "history", "meeting_id", NULL};
    violations v;
    violations_init(&v);
    jin_only_keys(&v, r->body, "", fields, read_only);
    const char *due = jin_string(&v, r->body, "", "due_date", 10, true, NULL);
    const char *reason = jin_string(&v, r->body, "", "reason", NOTE_LIMIT, false, NULL);
    if (due && !text_is_date(due))
        violation_schema(&v, "due_date", "'due_date' must be a date (YYYY-MM-DD)");
    if (v.schema && answer_violations(r, &v))
        return;
    action_row a;
    if (!open_action(r, true, &a) || !may_change(r, &a) || !pipeline_if_match(r, a.version))
        return;
    if (strcmp(a.status, "open") != 0) {
        problem_conflict(r, "ACT-1", "Only an open action is given a new due date.");
        return;
    }
    if (!reason)
        violation_rule(&v, "reason", "ACT-1", "a new due date needs a reason, kept in the history");
    char today[11];
    today_utc(today);
    if (strcmp(due, today) < 0)
        violation_rule(&v, "due_date", "ACT-1", "a new due date cannot be in the past");
    if (answer_violations(r, &v))
        return;
    if (actions_reschedule(r, a.id, a.due_date, due, reason) != 0) {
        req_db_failed(r);
        return;
    }
    finish(r, &a, "action.update", "action.updated");
}
