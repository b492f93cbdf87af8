#include "api/meeting_change.h"

#include <stdio.h>
#include <stdlib.h>

#include "api/common.h"
#include "domain/meeting.h"
#include "store/audit.h"
#include "store/feed.h"

bool meeting_change_begin(req *r, meeting_row *m)
{
    db_conn *c = req_db(r);
    if (!c)
        return false;
    if (db_begin(c) != 0) {
        req_db_failed(r);
        return false;
    }
    int found = meetings_find(r, req_path(r, 0), true, m);
    if (found < 0)
        req_db_failed(r);
    else if (found == 0)
        problem_not_found(r);
    return found > 0;
}

void meeting_change_finish(req *r, const meeting_row *m, const char *audit_action,
                           const char *event_type, json_t *warnings)
{
    if (audit_record(r, audit_action, "meeting", m->id) != 0 ||
        feed_meeting(r, m->id, event_type) != 0) {
        req_db_failed(r);
        return;
    }
    char *json = meetings_render(r, m->id);
    char *body = json ? with_warnings(json, warnings) : NULL;
    free(json);
    if (!body) {
        req_db_failed(r);
        return;
    }
    answer_resource(r, 200, body, m->version + 1, NULL);
    free(body);
}

bool meeting_change_allowed(req *r, const meeting_row *m, const char *to)
{
    if (meeting_transition_allowed(m->status, to))
        return true;
    char detail[160];
    snprintf(detail, sizeof detail, "The meeting is %s; it cannot become %s.", m->status, to);
    problem_conflict(r, "MTG-8", detail);
    return false;
}
