/* The minutes for each audience (REN-2).
 *
 * POST /v1/meetings/{meeting_id}/minutes/versions/{number}/renditions: the
 * chair approves what one audience receives of an approved version; the
 * rendition is built once (domain/rendition.c), pinned to the version, and
 * never changes, whatever amendments follow.
 * GET /v1/meetings/{meeting_id}/renditions, GET /v1/renditions/{rendition_id}:
 * read by whoever may see the meeting (SEC-2), audited.
 * POST /v1/renditions/{rendition_id}/shares: records each sending (the
 * chair, the minute taker or the convening side, as MIN-4); each writes its
 * ledger entry in the same transaction (ISL-2). */
#include <stdio.h>
#include <string.h>

#include "api/chair.h"
#include "api/frame.h"
#include "api/handlers.h"
#include "api/minutes_common.h"
#include "core/config.h"
#include "domain/rendition.h"
#include "store/consent.h"
#include "store/meetings.h"
#include "store/minutes.h"
#include "store/renditions.h"

/* --- POST /v1/meetings/{meeting_id}/minutes/versions/{number}/renditions --- */

void handle_renditions_create(req *r)
{
    long n;
    if (config_parse_int(req_path(r, 1), 1, 100000, &n) != 0) {
        problem_not_found(r);
        return;
    }
    violations v;
    violations_init(&v);
    rendition_in in;
    rendition_parse(r->body, &in, &v);
    if (v.schema && frame_violations(r, &v))
        return;
    minutes_ctx m;
    if (!minutes_open(r, true, &m) ||
        !frame_idempotent(r, "rendition.approve.replayed", "rendition"))
        return;
    minutes_family_copy_row row;
    int found = minutes_family_copy_load(m.s, m.meeting.id, (int)n, &row);
    if (!frame_found(r, found))
        goto done;
    if (!rendition_may_approve(&r->who, m.meeting.chair_sub)) {
        problem_forbidden(r, "REN-2", "Only the chair approves a rendition of the minutes.");
        goto done;
    }
    if (!chair_authority(r, &m.meeting) || /* MTG-6 */
        !frame_gate(r, &minutes_gate_rendition, row.status))
        goto done;
    char id[37];
    int exists = in.audience ? renditions_of(m.s, m.meeting.id, (int)n, in.audience, in.agency,
                                             id)
                             : 0;
    if (!frame_ok(r, exists < 0 ? -1 : 0))
        goto done;
    if (exists) {
        problem_conflict(r, "REN-2",
                         "This version already has its rendition for this audience; a "
                         "rendition never changes: amend the minutes and render the new "
                         "version.");
        goto done;
    }
    family_copy_facts f = {.meeting_id = m.meeting.id,
                           .reference = row.reference,
                           .type = row.type,
                           .held_at = row.held_at[0] ? row.held_at : NULL,
                           .approved_at = row.approved_at[0] ? row.approved_at : NULL,
                           .two_part = row.two_part,
                           .number = (int)n};
    json_t *withheld;
    json_t *doc = rendition_build(row.content, &f, &in, &withheld);
    rendition_check(&in, withheld, &v);
    if (!frame_violations(r, &v)) {
        char *content = json_dumps(doc, JSON_COMPACT);
        char *held = json_dumps(withheld, JSON_COMPACT);
        int rc = content && held ? renditions_insert(m.s, m.meeting.id, (int)n, in.audience,
                                                     in.agency, content, held,
                                                     in.withheld_summary, id)
                                 : -1;
        free(content);
        free(held);
        if (frame_ok(r, rc))
            frame_finish(r, &(frame_change){.kind = &STORE_RENDITION,
                                            .id = id,
                                            .audit_action = "rendition.approve",
                                            .event = "rendition.approved",
                                            .created = true});
    }
    json_decref(doc);
    json_decref(withheld);
done:
    json_decref(row.content);
}

/* --- GET /v1/meetings/{meeting_id}/renditions --- */

void handle_renditions_list(req *r)
{
    static const enum cursor_part key[] = {PART_INTEGER};
    frame_page page;
    if (!frame_page_read(r, &page, 1, key))
        return;
    meeting_row m;
    store *s = frame_begin(r, FRAME_READ);
    store_page rendered;
    if (s && frame_found(r, meetings_find(s, req_path(r, 0), false, &m)) &&
        frame_ok(r, renditions_list(s, m.id, page.limit, page.after[0], &rendered)))
        frame_list(r, &rendered, "rendition.list", "rendition");
    frame_page_free(&page);
}

/* --- GET /v1/renditions/{rendition_id} --- */

void handle_renditions_get(req *r)
{
    frame_get(r, &STORE_RENDITION, "rendition.read");
}

/* --- POST /v1/renditions/{rendition_id}/shares --- */

void handle_renditions_share(req *r)
{
    violations v;
    violations_init(&v);
    json_t *recipients;
    const char *sent_at;
    bool family;
    minutes_parse_recipients(r, &v, &recipients, &sent_at, &family);
    if (v.schema && frame_violations(r, &v))
        return;
    store *s = frame_begin(r, FRAME_CHANGE);
    rendition_row rendition;
    meeting_row meeting;
    if (!s || !frame_found(r, renditions_find(s, req_path(r, 0), &rendition)) ||
        !frame_found(r, meetings_find(s, rendition.meeting_id, true, &meeting)) ||
        !frame_idempotent(r, "rendition.share.replayed", "rendition"))
        return;
    if (!minutes_may_write(&r->who, meeting.chair_sub, meeting.minute_taker_sub) &&
        !meeting_row_convening_side(&meeting, &r->who)) {
        problem_forbidden(r, "REN-2", "The chair, the minute taker or the convening side sends "
                                      "a rendition.");
        return;
    }
    if (!chair_authority(r, &meeting)) /* MTG-6 */
        return;
    bool share = false;
    if (family) {
        char decision[16];
        if (!frame_ok(r, consent_minutes_sharing(s, meeting.id, decision)))
            return;
        share = strcmp(decision, "share") == 0;
    }
    rendition_check_recipients(rendition.audience, rendition.agency, recipients, share, &v);
    if (frame_violations(r, &v))
        return;
    size_t i;
    json_t *x;
    json_array_foreach(recipients, i, x) {
        if (renditions_share(s, rendition.id, json_string_value(json_object_get(x, "name")),
                             json_string_value(json_object_get(x, "agency")),
                             json_string_value(json_object_get(x, "category")),
                             json_string_value(json_object_get(x, "contact")), sent_at) != 0) {
            req_db_failed(r);
            return;
        }
    }
    char location[64];
    snprintf(location, sizeof location, "/v1/renditions/%s", rendition.id);
    frame_finish(r, &(frame_change){.kind = &STORE_RENDITION,
                                    .id = rendition.id,
                                    .audit_action = "rendition.share",
                                    .event = "rendition.shared",
                                    .created = true,
                                    .location = location});
}
