/* POST /v1/meetings/{meeting_id}/minutes/distribution records who received
 * the approved minutes and when (MIN-4); the family receives a copy only
 * where the current sharing decision says share (FAM-5), and then their
 * rendition of the version (REN-2: the parent_or_carer rendition the chair
 * approved), never the full record (MIN-5).
 * POST /v1/meetings/{meeting_id}/close closes a held meeting once its
 * approved minutes went to every agency that attended or sent apologies,
 * and to the family where the sharing decision, which must be on record,
 * says share (MTG-8, FAM-5). */
#include <string.h>

#include "api/chair.h"
#include "api/frame.h"
#include "api/handlers.h"
#include "api/minutes_common.h"
#include "core/text.h"
#include "domain/json_in.h"
#include "domain/meeting.h"
#include "domain/minutes.h"
#include "store/consent.h"
#include "store/meetings.h"
#include "store/minutes.h"
#include "store/renditions.h"

void handle_minutes_distribute(req *r)
{
    violations v;
    violations_init(&v);
    json_t *recipients;
    const char *sent_at;
    bool family;
    minutes_parse_recipients(r, &v, &recipients, &sent_at, &family);
    if (v.schema && frame_violations(r, &v))
        return;
    minutes_ctx m;
    if (!minutes_open(r, true, &m) ||
        !frame_idempotent(r, "minutes.distribute.replayed", "minutes"))
        return;
    if (!minutes_may_write(&r->who, m.meeting.chair_sub, m.meeting.minute_taker_sub) &&
        !meeting_row_convening_side(&m.meeting, &r->who)) {
        problem_forbidden(r, "MIN-4", "The chair, the minute taker or the convening side "
                                      "distributes the minutes.");
        return;
    }
    if (!chair_authority(r, &m.meeting)) /* MTG-6 */
        return;
    if (!frame_gate(r, &minutes_gate_distribution, m.current.status))
        return;
    if (family) {
        char decision[16];
        if (!frame_ok(r, consent_minutes_sharing(m.s, m.meeting.id, decision)))
            return;
        if (strcmp(decision, "share") != 0)
            violation_rule(&v, "recipients", "FAM-5",
                           "the family receives the minutes only where the sharing decision "
                           "says share");
    }
    char rendition[37] = "";
    if (family) {
        int found = renditions_of(m.s, m.meeting.id, m.current.number, "parent_or_carer", NULL,
                                  rendition);
        if (found < 0) {
            req_db_failed(r);
            return;
        }
        if (found == 0)
            violation_rule(&v, "recipients", "REN-2",
                           "the family receives their rendition, never the full record: the "
                           "chair approves the parent_or_carer rendition of version %d first",
                           m.current.number);
    }
    if (frame_violations(r, &v))
        return;
    size_t i;
    json_t *x;
    json_array_foreach(recipients, i, x) {
        if (minutes_distribute(m.s, m.meeting.id, m.current.number,
                               json_string_value(json_object_get(x, "name")),
                               json_string_value(json_object_get(x, "agency")),
                               json_string_value(json_object_get(x, "category")),
                               json_string_value(json_object_get(x, "contact")), sent_at,
                               minutes_copy_for(json_string_value(
                                   json_object_get(x, "category"))),
                               strcmp(json_string_value(json_object_get(x, "category")),
                                      "family") == 0
                                   ? rendition
                                   : NULL) != 0) {
            req_db_failed(r);
            return;
        }
    }
    minutes_answer(r, &m, true, "minutes.distribute", "minutes.distributed");
}

void handle_meetings_close(req *r)
{
    if (r->body && json_object_size(r->body) > 0) {
        req_schema_error(r, "", "close takes no members");
        problem_invalid(r);
        return;
    }
    minutes_ctx m;
    if (!minutes_open(r, true, &m))
        return;
    if (!meeting_row_convening_side(&m.meeting, &r->who) &&
        !minutes_may_approve(&r->who, m.meeting.chair_sub)) {
        problem_forbidden(r, NULL, "The chair or the convening side closes the meeting.");
        return;
    }
    if (!chair_authority(r, &m.meeting)) /* MTG-6 */
        return;
    if (!frame_if_match(r, m.meeting.version) ||
        !frame_transition(r, m.meeting.status, "closed"))
        return;
    /* the close's preconditions, rules (422) rather than a state (409):
     * approved minutes, distributed (MTG-8), a sharing decision (FAM-5) */
    close_facts facts;
    close_storage storage;
    if (!frame_ok(r, meetings_close_facts(m.s, m.meeting.id, &facts, &storage)))
        return;
    violations v;
    violations_init(&v);
    close_check(&facts, &v);
    if (!frame_violations(r, &v) && frame_ok(r, meetings_close(m.s, m.meeting.id)))
        frame_finish(r, &(frame_change){.kind = &STORE_MEETING,
                                        .id = m.meeting.id,
                                        .audit_action = "meeting.close",
                                        .event = "meeting.closed"});
}
