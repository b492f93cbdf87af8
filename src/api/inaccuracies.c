/* Inaccuracies in approved minutes and the chair's answers (REN-4).
 *
 * POST /v1/meetings/{meeting_id}/minutes/versions/{number}/inaccuracies:
 * whoever may see the meeting, with a casework role, points out what is
 * wrong in an approved version within the accuracy window (policy).
 * GET /v1/meetings/{meeting_id}/inaccuracies, GET /v1/inaccuracies/{id}:
 * read by whoever may see the meeting (SEC-2), audited.
 * POST /v1/inaccuracies/{id}/answer: the chair answers once, with an
 * amendment (MIN-3: a later approved version) or a refusal and its reason. */
#include <string.h>

#include "api/chair.h"
#include "api/frame.h"
#include "api/handlers.h"
#include "auth/caller.h"
#include "core/config.h"
#include "domain/inaccuracy.h"
#include "domain/minutes.h"
#include "store/inaccuracies.h"
#include "store/meetings.h"

/* --- POST /v1/meetings/{meeting_id}/minutes/versions/{number}/inaccuracies --- */

void handle_inaccuracies_create(req *r)
{
    long n;
    if (config_parse_int(req_path(r, 1), 1, 100000, &n) != 0) {
        problem_not_found(r);
        return;
    }
    violations v;
    violations_init(&v);
    inaccuracy_in in;
    inaccuracy_parse(r->body, &in, &v);
    if (v.schema && frame_violations(r, &v))
        return;
    store *s = frame_begin(r, FRAME_CHANGE);
    meeting_row m;
    if (!s || !frame_found(r, meetings_find(s, req_path(r, 0), false, &m)) ||
        !frame_idempotent(r, "inaccuracy.raise.replayed", "inaccuracy"))
        return;
    /* the role after visibility: a stranger learns nothing (SEC-2) */
    if (!caller_has_any(&r->who, ROLES_CASEWORK)) {
        problem_forbidden(r, "REN-4", "Pointing out an inaccuracy needs a casework role.");
        return;
    }
    char status[16], closes_on[11];
    if (!frame_found(r, inaccuracies_window(s, m.id, (int)n, status, closes_on)) ||
        !frame_gate(r, &minutes_gate_inaccuracy, status))
        return;
    inaccuracy_check_window(s->today_text, closes_on, &v);
    char id[37];
    if (!frame_violations(r, &v) &&
        frame_ok(r, inaccuracies_insert(s, m.id, (int)n, &in, closes_on, id)))
        frame_finish(r, &(frame_change){.kind = &STORE_INACCURACY,
                                        .id = id,
                                        .audit_action = "inaccuracy.raise",
                                        .event = "inaccuracy.raised",
                                        .created = true});
}

/* --- GET /v1/meetings/{meeting_id}/inaccuracies --- */

void handle_inaccuracies_list(req *r)
{
    static const enum cursor_part key[] = {PART_INTEGER};
    frame_page page;
    if (!frame_page_read(r, &page, 1, key))
        return;
    meeting_row m;
    store *s = frame_begin(r, FRAME_READ);
    store_page rendered;
    if (s && frame_found(r, meetings_find(s, req_path(r, 0), false, &m)) &&
        frame_ok(r, inaccuracies_list(s, m.id, page.limit, page.after[0], &rendered)))
        frame_list(r, &rendered, "inaccuracy.list", "inaccuracy");
    frame_page_free(&page);
}

/* --- GET /v1/inaccuracies/{inaccuracy_id} --- */

void handle_inaccuracies_get(req *r)
{
    frame_get(r, &STORE_INACCURACY, "inaccuracy.read");
}

/* --- POST /v1/inaccuracies/{inaccuracy_id}/answer --- */

void handle_inaccuracies_answer(req *r)
{
    violations v;
    violations_init(&v);
    inaccuracy_answer in;
    inaccuracy_answer_parse(r->body, &in, &v);
    if (v.schema && frame_violations(r, &v))
        return;
    store *s = frame_begin(r, FRAME_CHANGE);
    inaccuracy_row x;
    meeting_row m;
    if (!s || !frame_found(r, inaccuracies_find(s, req_path(r, 0), true, &x)) ||
        !frame_found(r, meetings_find(s, x.meeting_id, false, &m)))
        return;
    if (!minutes_may_approve(&r->who, m.chair_sub)) {
        problem_forbidden(r, "REN-4", "The chair answers an inaccuracy.");
        return;
    }
    if (!chair_authority(r, &m) || /* MTG-6 */
        !frame_if_match(r, x.version) || !frame_gate(r, &inaccuracy_gate_answer, x.status))
        return;
    int approved = 0;
    if (in.outcome && strcmp(in.outcome, "amended") == 0 && in.amendment_number > x.number) {
        approved = inaccuracies_version_approved(s, m.id, (int)in.amendment_number);
        if (!frame_ok(r, approved < 0 ? -1 : 0))
            return;
    }
    inaccuracy_answer_check(&in, x.number, approved == 1, &v);
    if (!frame_violations(r, &v) && frame_ok(r, inaccuracies_answer(s, x.id, &in)))
        frame_finish(r, &(frame_change){.kind = &STORE_INACCURACY,
                                        .id = x.id,
                                        .audit_action = "inaccuracy.answer",
                                        .event = "inaccuracy.answered"});
}
