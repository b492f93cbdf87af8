/* Meeting state commands: authorise and decline (MTG-4), cancel (MTG-8).
 * Each needs If-Match, and refuses a transition MTG-8 does not allow. */
#include <string.h>

#include "api/frame.h"
#include "api/handlers.h"
#include "domain/json_in.h"
#include "domain/meeting.h"
#include "store/meetings.h"

#define REASON_MAX 2000

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
    return !frame_violations(r, &v);
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
    static const char who_decides[] =
        "A manager or senior manager of the convening agency (or, for a stop and review, its "
        "designated safeguarding lead) decides on a request.";
    switch (meeting_can_decide(m->type, m->convening_agency, m->requester_sub, &r->who)) {
    case DECIDE_OK:
        return true;
    case DECIDE_NOT_MANAGER:
    case DECIDE_OTHER_AGENCY:
        problem_forbidden(r, "MTG-4", who_decides);
        return false;
    case DECIDE_OWN_REQUEST:
        problem_forbidden(r, "MTG-4", "Nobody decides on their own request (four eyes).");
        return false;
    }
    return false;
}

static int apply(store *s, const command *cmd, const meeting_row *m, const char *reason)
{
    if (strcmp(cmd->target_status, "cancelled") == 0)
        return meetings_cancel(s, m->id, reason);
    return meetings_decide(s, m->id, cmd->target_status, reason);
}

static void run(req *r, const command *cmd)
{
    const char *reason;
    meeting_row m;
    if (!read_reason(r, cmd, &reason))
        return;
    store *s = frame_begin(r, FRAME_CHANGE);
    if (!s || !frame_found(r, meetings_find(s, req_path(r, 0), true, &m)) ||
        !permitted(r, cmd, &m) || !frame_if_match(r, m.version) ||
        !frame_transition(r, m.status, cmd->target_status))
        return;
    if (cmd->reason_rule && !reason) {
        req_error(r, "reason", cmd->reason_rule, "a reason is required");
        problem_invalid(r);
        return;
    }
    if (frame_ok(r, apply(s, cmd, &m, reason)))
        frame_finish(r, &(frame_change){.kind = &STORE_MEETING,
                                        .id = m.id,
                                        .audit_action = cmd->audit_action,
                                        .event = cmd->event_type});
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
