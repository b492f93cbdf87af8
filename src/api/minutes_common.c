#include "api/minutes_common.h"

#include <stdio.h>
#include <string.h>

#include "api/frame.h"
#include "core/text.h"
#include "domain/json_in.h"
#include "domain/minutes.h"

#define MAX_RECIPIENTS 100

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

void minutes_parse_recipients(req *r, violations *v, json_t **recipients, const char **sent_at,
                             bool *family)
{
    static const char *const fields[] = {"recipients", "sent_at", NULL};
    static const char *const recipient_fields[] = {"name", "agency", "category", "contact", NULL};
    static const char *const categories[] = {"professional", "family", "other", NULL};
    *family = false;
    jin_only_keys(v, r->body, "", fields, NULL);
    *recipients = jin_array(v, r->body, "", "recipients", MAX_RECIPIENTS, true, "MIN-4");
    if (*recipients && json_array_size(*recipients) == 0)
        violation_rule(v, "recipients", "MIN-4", "name at least one recipient");
    *sent_at = jin_string(v, r->body, "", "sent_at", 40, false, NULL);
    if (*sent_at && !text_is_timestamp(*sent_at))
        violation_schema(v, "sent_at", "'sent_at' must be an RFC 3339 date-time");
    size_t i;
    json_t *x;
    json_array_foreach(*recipients, i, x) {
        char at[40];
        jin_index(at, sizeof at, "", "recipients", i);
        if (!json_is_object(x)) {
            violation_schema(v, at, "'%s' must be an object", at);
            continue;
        }
        jin_only_keys(v, x, at, recipient_fields, NULL);
        jin_string(v, x, at, "name", 200, true, "MIN-4");
        jin_string(v, x, at, "agency", CALLER_AGENCY_MAX, false, NULL);
        jin_string(v, x, at, "contact", 200, true, "MIN-4");
        const char *category = jin_enum(v, x, at, "category", categories, true, "MIN-4");
        *family |= category && strcmp(category, "family") == 0;
    }
}
