/* Retention holds (RET-2): the dpo and admins place a hold on a child, a
 * meeting or a record class, with its kind, reason and optional end day,
 * list and read them, and release one with a reason. A hold in effect
 * stops disposal (api/disposals.c). Every step is audited and announced
 * to the agencies of what is held. */
#include <string.h>

#include "api/frame.h"
#include "api/handlers.h"
#include "core/clock.h"
#include "domain/retention.h"
#include "store/holds.h"
#include "store/retention.h"

void handle_holds_create(req *r)
{
    violations v;
    violations_init(&v);
    hold_in in;
    char today[11];
    clock_date(r->now, today);
    hold_parse(r->body, today, &in, &v);
    if (v.schema && frame_violations(r, &v))
        return;
    store *s = frame_begin(r, FRAME_CHANGE);
    if (!s || !frame_idempotent(r, "retention_hold.place.replayed", "retention_hold"))
        return;
    if (!v.n) {
        int exists = retention_decisions_lock(s) < 0 ? -1 : holds_target_exists(s, &in);
        if (!frame_ok(r, exists < 0 ? -1 : 0))
            return;
        if (!exists)
            violation_rule(&v, strcmp(in.scope, "child") == 0 ? "child_id" : "meeting_id",
                           "RET-2", "a hold names a %s the service holds", in.scope);
    }
    char id[37];
    if (!frame_violations(r, &v) && frame_ok(r, holds_insert(s, &in, id)))
        frame_finish(r, &(frame_change){.kind = &STORE_HOLD,
                                        .id = id,
                                        .audit_action = "retention_hold.place",
                                        .event = "retention_hold.placed",
                                        .created = true,
                                        .location = NULL});
}

void handle_holds_list(req *r)
{
    const char *in_effect = req_query(r, "in_effect");
    if (in_effect && strcmp(in_effect, "true") != 0 && strcmp(in_effect, "false") != 0) {
        req_schema_error(r, "in_effect", "in_effect is true or false");
        problem_invalid(r);
        return;
    }
    static const enum cursor_part key[] = {PART_INTEGER};
    frame_page page;
    if (!frame_page_read(r, &page, 1, key))
        return;
    store *s = frame_begin(r, FRAME_READ);
    store_page rendered;
    if (s && frame_ok(r, holds_list(s, in_effect && strcmp(in_effect, "true") == 0, page.limit,
                                    page.after[0], &rendered)))
        frame_list(r, &rendered, "retention_hold.list", "retention_hold");
    frame_page_free(&page);
}

void handle_holds_get(req *r)
{
    frame_get(r, &STORE_HOLD, "retention_hold.read");
}

void handle_holds_release(req *r)
{
    violations v;
    violations_init(&v);
    const char *reason;
    hold_release_parse(r->body, &reason, &v);
    if (v.schema && frame_violations(r, &v))
        return;
    store *s = frame_begin(r, FRAME_CHANGE);
    hold_row h;
    if (!s || !frame_found(r, holds_find(s, req_path(r, 0), true, &h)) ||
        !frame_if_match(r, h.version) ||
        !frame_gate(r, &hold_gate_release, h.released ? "released" : "held") ||
        frame_violations(r, &v))
        return;
    if (frame_ok(r, holds_release(s, h.id, reason)))
        frame_finish(r, &(frame_change){.kind = &STORE_HOLD,
                                        .id = h.id,
                                        .audit_action = "retention_hold.release",
                                        .event = "retention_hold.released"});
}
