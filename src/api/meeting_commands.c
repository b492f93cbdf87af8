/* Meeting state commands: authorise and decline (MTG-4), cancel (MTG-8).
 * Each needs If-Match, and refuses a transition MTG-8 does not allow. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "api/meeting_change.h"
#include "api/handlers.h"
#include "domain/json_in.h"
#include "domain/meeting.h"
#include "http/pipeline.h"

#define REASON_MAX 2000

static const db_stmt decide_stmt = {
    "meetings_decide",
    "UPDATE meetings SET status = $2, decided_by_sub = $3, decided_by_name = $4,"
    " decided_at = now(), decline_reason = $5, version = version + 1, updated_at = now()"
    " WHERE id = $1",
    5};

static const db_stmt cancel_stmt = {
    "meetings_cancel",
    "UPDATE meetings SET status = 'cancelled', cancelled_by_sub = $2, cancelled_by_name = $3,"
    " cancelled_at = now(), cancel_reason = $4, version = version + 1, updated_at = now()"
    " WHERE id = $1",
    4};

typedef struct command {
    const char *target_status;
    const char *audit_action;
    const char *event_type;
    const char *reason_rule; /* the rule that requires a reason, or NULL for no reason */
} command;

/* The optional {"reason": ...} body; answers 400 for a wrong shape. */
static bool read_reason(req *r, const command *cmd, const char **reason)
{
    static const char *const with_reason[] = {"reason", NULL};
    static const char *const none[] = {NULL};
    *reason = NULL;
    if (!r->body)
        return true;
    violations v;
    violations_init(&v);
    jin_only_keys(&v, r->body, "", cmd->reason_rule ? with_reason : none, NULL);
    if (cmd->reason_rule)
        *reason = jin_string(&v, r->body, "", "reason", REASON_MAX, false, NULL);
    return !answer_violations(r, &v);
}

/* May this caller run the command on this meeting? Answers 403 if not. */
static bool permitted(req *r, const command *cmd, const meeting_row *m)
{
    if (strcmp(cmd->target_status, "cancelled") == 0) {
        if (meeting_can_edit(m->convening_agency, m->requester_sub, &r->who))
            return true;
        problem_forbidden(r, NULL,
                          "Only the requester or a manager of the convening agency can cancel.");
        return false;
    }
    switch (meeting_can_decide(m->convening_agency, m->requester_sub, &r->who)) {
    case DECIDE_OK:
        return true;
    case DECIDE_NOT_MANAGER:
        problem_forbidden(r, "MTG-4", "Only a manager of the convening agency can decide on a request.");
        return false;
    case DECIDE_OTHER_AGENCY:
        problem_forbidden(r, "MTG-4", "Only a manager of the convening agency can decide on a request.");
        return false;
    case DECIDE_OWN_REQUEST:
        problem_forbidden(r, "MTG-4", "A manager cannot decide on their own request (four eyes).");
        return false;
    }
    return false;
}

static int apply(req *r, const command *cmd, const meeting_row *m, const char *reason)
{
    PGresult *res;
    if (strcmp(cmd->target_status, "cancelled") == 0) {
        const char *params[] = {m->id, r->who.sub, r->who.name, reason};
        res = db_exec(r->db, &cancel_stmt, params);
    } else {
        const char *params[] = {m->id, cmd->target_status, r->who.sub, r->who.name, reason};
        res = db_exec(r->db, &decide_stmt, params);
    }
    if (!res)
        return -1;
    PQclear(res);
    return 0;
}

static void run(req *r, const command *cmd)
{
    const char *reason;
    meeting_row m;
    if (!read_reason(r, cmd, &reason) || !meeting_change_begin(r, &m))
        return;
    if (!permitted(r, cmd, &m) || !pipeline_if_match(r, m.version) ||
        !meeting_change_allowed(r, &m, cmd->target_status))
        return;
    if (cmd->reason_rule && !reason) {
        req_error(r, "reason", cmd->reason_rule, "a reason is required");
        problem_invalid(r);
        return;
    }
    if (apply(r, cmd, &m, reason) != 0) {
        req_db_failed(r);
        return;
    }
    meeting_change_finish(r, &m, cmd->audit_action, cmd->event_type, NULL);
}

void handle_meetings_authorise(req *r)
{
    static const command cmd = {"authorised", "meeting.authorise", "meeting.authorised", NULL};
    run(r, &cmd);
}

void handle_meetings_decline(req *r)
{
    static const command cmd = {"declined", "meeting.decline", "meeting.declined", "MTG-4"};
    run(r, &cmd);
}

void handle_meetings_cancel(req *r)
{
    static const command cmd = {"cancelled", "meeting.cancel", "meeting.cancelled", "MTG-8"};
    run(r, &cmd);
}
