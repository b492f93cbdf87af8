#include "api/minutes_common.h"

#include <stdio.h>
#include <stdlib.h>

#include "api/common.h"
#include "domain/minutes.h"
#include "http/idempotency.h"
#include "store/audit.h"
#include "store/feed.h"

bool minutes_open(req *r, bool change, minutes_ctx *m)
{
    if (!begin(r, !change))
        return false;
    int found = meetings_find(r, req_path(r, 0), change, &m->meeting);
    if (found > 0 && minutes_current(r, m->meeting.id, change, &m->current) != 0)
        found = -1;
    if (found < 0)
        req_db_failed(r);
    else if (found == 0)
        problem_not_found(r);
    return found > 0;
}

bool minutes_writer(req *r, const minutes_ctx *m)
{
    if (minutes_may_write(&r->who, m->meeting.chair_sub, m->meeting.minute_taker_sub))
        return true;
    problem_forbidden(r, "MIN-1", "The chair or the minute taker writes the minutes.");
    return false;
}

void minutes_answer(req *r, const minutes_ctx *m, int number, long version, int status,
                    const char *audit_action, const char *event_type)
{
    if (audit_record(r, audit_action, "minutes", m->meeting.id) != 0 ||
        feed_meeting_part(r, m->meeting.id, event_type, "minutes", m->meeting.id, version) != 0) {
        req_db_failed(r);
        return;
    }
    bool found;
    char *json = minutes_render(r, m->meeting.id, number, &found);
    if (!json) {
        req_db_failed(r);
        return;
    }
    char location[96], etag[24];
    snprintf(location, sizeof location, "/v1/meetings/%s/minutes/versions/%d", m->meeting.id,
             number);
    snprintf(etag, sizeof etag, "\"%ld\"", version);
    if (status == 201 && idem_remember(r, 201, location, etag, json) != 0) {
        free(json);
        req_db_failed(r);
        return;
    }
    answer_resource(r, status, json, version, status == 201 ? location : NULL);
    free(json);
}
