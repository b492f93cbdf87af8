/* Actions (ACT-1 to ACT-3): the work agreed in approved minutes, listed
 * across meetings, completed or cancelled with a note, given a new due date
 * with a reason — by the owner, the chair or a manager of the owner's
 * agency only. */
#include <string.h>

#include "api/frame.h"
#include "api/handlers.h"
#include "core/clock.h"
#include "core/text.h"
#include "domain/json_in.h"
#include "domain/minutes.h"
#include "store/actions.h"

#define NOTE_LIMIT 2000

/* --- GET /v1/actions --- */

void handle_actions_list(req *r)
{
    static const char *const statuses[] = {"open", "completed", "cancelled", NULL};
    action_filters f;
    memset(&f, 0, sizeof f);
    const char *overdue = req_query(r, "overdue");
    frame_read_whose(r, &f.owner_sub, &f.agency, &f.meeting_id);
    f.status = req_query(r, "status");
    if (f.status && !text_in_list(statuses, f.status))
        req_schema_error(r, "status", "status is open, completed or cancelled");
    if (overdue && strcmp(overdue, "true") != 0 && strcmp(overdue, "false") != 0)
        req_schema_error(r, "overdue", "overdue is true or false");
    f.overdue = overdue;
    if (req_has_errors(r)) {
        problem_invalid(r);
        return;
    }
    static const enum cursor_part key[] = {PART_DATE, PART_UUID};
    frame_page page;
    if (!frame_page_read(r, &page, 2, key))
        return;
    store *s = frame_begin(r, FRAME_READ);
    store_page rendered;
    if (s && frame_ok(r, actions_list(s, &f, page.limit, page.after, &rendered)))
        frame_list(r, &rendered, "action.list", "action");
    frame_page_free(&page);
}

/* --- GET /v1/actions/{action_id} --- */

void handle_actions_get(req *r)
{
    frame_get(r, &STORE_ACTION, "action.read");
}

/* --- changes --- */

/* The action of the first path parameter, locked, when the caller may see
 * it and change it (ACT-2) and If-Match holds; while it is open (ACT-1). */
static store *open_action(req *r, action_row *a, const char *refusal)
{
    store *s = frame_begin(r, FRAME_CHANGE);
    if (!s || !frame_found(r, actions_find(s, req_path(r, 0), true, a)))
        return NULL;
    if (!action_may_change(&r->who, a->owner_sub[0] ? a->owner_sub : NULL, a->owner_agency,
                           a->chair_sub[0] ? a->chair_sub : NULL)) {
        problem_forbidden(r, "ACT-2", "The owner, the chair or a manager of the owner's agency "
                                      "changes an action.");
        return NULL;
    }
    if (!frame_if_match(r, a->version))
        return NULL;
    if (strcmp(a->status, "open") != 0) {
        problem_conflict(r, "ACT-1", refusal);
        return NULL;
    }
    return s;
}

static void finish(req *r, const action_row *a, const char *audit_action, const char *event)
{
    frame_finish(r, &(frame_change){.kind = &STORE_ACTION,
                                    .id = a->id,
                                    .audit_action = audit_action,
                                    .event = event});
}

static void close_action(req *r, const char *status)
{
    static const char *const fields[] = {"note", NULL};
    violations v;
    violations_init(&v);
    if (r->body)
        jin_only_keys(&v, r->body, "", fields, NULL);
    const char *note = r->body ? jin_string(&v, r->body, "", "note", NOTE_LIMIT, false, NULL) : NULL;
    if (v.schema && frame_violations(r, &v))
        return;
    action_row a;
    store *s = open_action(r, &a, "Only an open action is completed or cancelled.");
    if (!s)
        return;
    if (!note) {
        req_error(r, "note", "ACT-1", "completing or cancelling an action needs a note");
        problem_invalid(r);
        return;
    }
    bool completed = strcmp(status, "completed") == 0;
    if (frame_ok(r, actions_close(s, a.id, status, note)))
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
    if (v.schema && frame_violations(r, &v))
        return;
    action_row a;
    store *s = open_action(r, &a, "Only an open action is given a new due date.");
    if (!s)
        return;
    if (!reason)
        violation_rule(&v, "reason", "ACT-1", "a new due date needs a reason, kept in the history");
    char today[11];
    clock_date(r->now, today);
    if (strcmp(due, today) < 0)
        violation_rule(&v, "due_date", "ACT-1", "a new due date cannot be in the past");
    if (!frame_violations(r, &v) && frame_ok(r, actions_reschedule(s, a.id, a.due_date, due, reason)))
        finish(r, &a, "action.update", "action.updated");
}
