/* The chair's outcome letter (REN-3).
 *
 * POST /v1/meetings/{meeting_id}/outcome-letter: the chair sends the
 * decisions, the outline plan and the next dates to every invitee of the
 * held meeting, once; the letter records its due day (policy) and whether
 * it went out late. GET /v1/meetings/{meeting_id}/outcome-letter reads it
 * (SEC-2), audited. */
#include <stdio.h>

#include "api/chair.h"
#include "api/frame.h"
#include "api/handlers.h"
#include "domain/minutes.h"
#include "domain/outcome_letter.h"
#include "store/meetings.h"
#include "store/outcome_letters.h"

void handle_outcome_letter_send(req *r)
{
    violations v;
    violations_init(&v);
    outcome_letter_in in;
    outcome_letter_parse(r->body, &in, &v);
    if (v.schema && frame_violations(r, &v))
        return;
    store *s = frame_begin(r, FRAME_CHANGE);
    meeting_row m;
    if (!s || !frame_found(r, meetings_find(s, req_path(r, 0), true, &m)) ||
        !frame_idempotent(r, "outcome_letter.send.replayed", "outcome_letter"))
        return;
    if (!minutes_may_approve(&r->who, m.chair_sub)) {
        problem_forbidden(r, "REN-3", "The chair sends the outcome letter.");
        return;
    }
    if (!chair_authority(r, &m) || /* MTG-6 */
        !frame_gate(r, &meeting_gate_outcome_letter, m.status))
        return;
    int sent = outcome_letters_exists(s, m.id);
    if (!frame_ok(r, sent < 0 ? -1 : 0))
        return;
    if (sent) {
        problem_conflict(r, "REN-3", "The outcome letter of this meeting has been sent.");
        return;
    }
    if (!frame_violations(r, &v) && frame_ok(r, outcome_letters_send(s, m.id, &in))) {
        char location[96];
        snprintf(location, sizeof location, "/v1/meetings/%s/outcome-letter", m.id);
        frame_finish(r, &(frame_change){.kind = &STORE_OUTCOME_LETTER,
                                        .id = m.id,
                                        .audit_action = "outcome_letter.send",
                                        .event = "outcome_letter.sent",
                                        .created = true,
                                        .location = location});
    }
}

void handle_outcome_letter_get(req *r)
{
    frame_get(r, &STORE_OUTCOME_LETTER, "outcome_letter.read");
}
