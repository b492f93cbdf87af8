#include "api/minutes_common.h"

#include <stdio.h>

#include "api/frame.h"
#include "domain/minutes.h"

bool minutes_open(req *r, bool change, minutes_ctx *m)
{
    m->s = frame_begin(r, change ? FRAME_CHANGE : FRAME_READ);
    if (!m->s)
        return false;
    int found = meetings_find(m->s, req_path(r, 0), change, &m->meeting);
    if (found > 0 && minutes_current(m->s, m->meeting.id, change, &m->current) != 0)
        found = -1;
    return frame_found(r, found);
}

bool minutes_writer(req *r, const minutes_ctx *m)
{
    if (minutes_may_write(&r->who, m->meeting.chair_sub, m->meeting.minute_taker_sub))
        return true;
    problem_forbidden(r, "MIN-1", "The chair or the minute taker writes the minutes.");
    return false;
}

void minutes_answer(req *r, const minutes_ctx *m, bool created, const char *audit_action,
                    const char *event_type)
{
    char location[96];
    minutes_row now;
    if (!frame_ok(r, minutes_current(m->s, m->meeting.id, false, &now)))
        return;
    snprintf(location, sizeof location, "/v1/meetings/%s/minutes/versions/%d", m->meeting.id,
             now.number);
    frame_finish(r, &(frame_change){.kind = &STORE_MINUTES,
                                    .id = m->meeting.id,
                                    .audit_action = audit_action,
                                    .event = event_type,
                                    .created = created,
                                    .location = location});
}
