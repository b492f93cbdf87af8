/* Disposal as a decision of two people (RET-3).
 *
 * POST /v1/disposals: the dpo, an admin or a senior manager proposes to
 * dispose of a record (a meeting record, or a subject access case: the
 * dpo and admins only) that is due (its retention period has passed
 * at the request's clock), not held (RET-2) and pointed at by no later
 * record. POST /v1/disposals/{disposal_id}/approve: a second person on the
 * other side (the dpo for a proposal by an admin or senior manager, and
 * the other way round) approves it, and in the same transaction the
 * record's content is deleted, the disposal stays as its tombstone and
 * `record.purged` goes to the agencies the record concerned (none for a
 * subject access case, whose existence is the dpo's to know). A senior
 * manager acts only on meetings they may see (SEC-2); the dpo and admins on
 * every record. Every step is audited; the audit trail is its own class
 * and stays.
 * A consent decision, an escalation or a draft of minutes (a part of a
 * meeting's record kept under a policy of its own) is reached as its
 * meeting is, an escalation only by the agencies party to it
 * (disposal_record_reachable). */
#include <stdio.h>
#include <string.h>

#include "api/frame.h"
#include "api/handlers.h"
#include "domain/retention.h"
#include "store/disposals.h"
#include "store/retention.h"

/* RET-2, RET-3: what must hold of the record for a decision on it. */
static void record_check(const record_retention *rr, const char *record_class, violations *v)
{
    const char *field = strcmp(record_class, "meeting_record") == 0 ? "meeting_id" : "record_id";
    if (!rr->ended)
        violation_rule(v, field, "RET-3",
                       "the record's retention period has not started (RET-1)");
    else if (!rr->due)
        violation_rule(v, field, "RET-3",
                       "the record is not due for disposal until %s (RET-1)", rr->due_on);
    if (rr->holds > 0)
        violation_rule(v, field, "RET-2",
                       "%d hold%s in effect on the record stop%s its disposal", rr->holds,
                       rr->holds == 1 ? "" : "s", rr->holds == 1 ? "s" : "");
    if (rr->dependants > 0)
        violation_rule(v, field, "RET-3",
                       "later records point at this one (a review meeting, an escalation "
                       "about its declined request or about the consent decision): dispose "
                       "of them first");
}

void handle_disposals_create(req *r)
{
    violations v;
    violations_init(&v);
    disposal_in in;
    disposal_parse(r->body, &in, &v);
    if (frame_violations(r, &v))
        return;
    store *s = frame_begin(r, FRAME_CHANGE);
    record_retention rr;
    if (!s || !frame_ok(r, retention_decisions_lock(s)) ||
        !frame_found(r, disposals_record(s, in.record_class, in.record_id, &rr)) ||
        !frame_found(r, disposals_reachable(s, in.record_class, in.record_id)) ||
        !frame_idempotent(r, "disposal.propose.replayed", "disposal"))
        return;
    if (rr.decided) {
        problem_conflict(r, "RET-3", "A disposal of this record has been proposed already.");
        return;
    }
    record_check(&rr, in.record_class, &v);
    const char *action = disposal_action_of(in.record_class, in.action, rr.then_action, &v);
    char id[37];
    if (!frame_violations(r, &v) &&
        frame_ok(r, disposals_propose(s, in.record_class, in.record_id, action,
                                      disposal_side_of(&r->who), rr.policy_version, rr.due_on,
                                      id)))
        frame_finish(r, &(frame_change){.kind = &STORE_DISPOSAL,
                                        .id = id,
                                        .audit_action = "disposal.propose",
                                        .event = "disposal.proposed",
                                        .created = true});
}

void handle_disposals_get(req *r)
{
    frame_get(r, &STORE_DISPOSAL, "disposal.read");
}

void handle_disposals_approve(req *r)
{
    store *s = frame_begin(r, FRAME_CHANGE);
    disposal_row d;
    if (!s || !frame_found(r, disposals_find(s, req_path(r, 0), &d)) ||
        !frame_found(r, disposals_reachable(s, d.record_class, d.record_id)))
        return;
    if (!disposal_may_approve(&r->who, d.proposed_by_sub, d.proposed_as)) {
        problem_forbidden(r, "RET-3",
                          "A disposal is approved by a second person on the other side: the "
                          "dpo for a proposal by an admin or senior manager, an admin or senior "
                          "manager for one by the dpo.");
        return;
    }
    if (!frame_if_match(r, d.version) || !frame_gate(r, &disposal_gate_approve, d.status))
        return;
    record_retention rr;
    if (!frame_ok(r, retention_decisions_lock(s)) ||
        !frame_found(r, disposals_record(s, d.record_class, d.record_id, &rr)))
        return;
    violations v;
    violations_init(&v);
    record_check(&rr, d.record_class, &v);
    if (frame_violations(r, &v))
        return;
    int done = disposals_carry_out(s, d.id);
    if (done == 0) /* approved by another meanwhile */
        frame_gate(r, &disposal_gate_approve, "disposed");
    else if (frame_ok(r, done < 0 ? -1 : 0))
        frame_finish(r, &(frame_change){.kind = &STORE_DISPOSAL,
                                        .id = d.id,
                                        .audit_action = "disposal.approve",
                                        .event = "record.purged"});
}
