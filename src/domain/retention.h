/* retention: what the service keeps and for how long (RET-1), holds that
 * stop disposal (RET-2), and disposal as a decision of two people (RET-3).
 *
 * The vocabularies here are the contract's enums and the database's CHECKs
 * (sql/041_retention.sql); the parsers read request bodies with every
 * problem collected; the rules are plain C over plain data. */
#ifndef MAM_RETENTION_H
#define MAM_RETENTION_H

#include <jansson.h>
#include <stdbool.h>

#include "auth/caller.h"
#include "domain/gate.h"
#include "domain/violations.h"

#define RETENTION_REASON_MAX 1000
#define RETENTION_PERIOD_MONTHS_MAX 1800 /* 150 years */
#define RETENTION_PERIOD_HOURS_MAX 720   /* 30 days: a class kept in hours (idempotency_record) */

/* NULL-terminated vocabularies. */
extern const char *const retention_record_classes[]; /* meeting_record, subject_access_case,
                                                       audit_event, ... */
extern const char *const retention_starts[];         /* meeting_closed, case_closed, date_of_birth,
                                                       request_answered, event_recorded, ... */
extern const char *const retention_thens[];          /* review, delete, anonymise */
extern const char *const disposal_actions[];         /* delete, anonymise */
extern const char *const retention_hold_kinds[];     /* inquiry, litigation, subject_access, ... */
extern const char *const retention_hold_scopes[];    /* child, meeting, record_class */

/* RET-1: a record class, with the start events its period may run from
 * and what may happen at its end (NULL-terminated). */
typedef struct retention_class {
    const char *name;
    const char *described; /* "a meeting record", for messages */
    const char *starts[8];
    const char *thens[4];
    /* the registry's period_unit 'hours' (else months) and disposed_by
     * 'service' (else a decision of two people, RET-3): sql/046 */
    bool period_in_hours;
    bool disposed_by_service;
} retention_class;

/* The class of that name, or NULL. */
const retention_class *retention_class_of(const char *name);
bool retention_record_class_known(const char *s);

/* RET-1: whether the class's period is counted in hours (period_hours), not
 * months (idempotency_record). */
bool retention_period_in_hours(const char *record_class);

/* RET-3: whether the service deletes the class's records itself once their
 * period has passed, with no decision (idempotency_record: copies of
 * answers already in the record, kept only so that a retry replays them);
 * such a class is never listed due, and a disposal never names it. */
bool retention_disposed_by_service(const char *record_class);

/* PUT /v1/retention-policies/{record_class}:
 * {period_months | period_hours, runs_from, then, reason}: exactly one
 * period (the other 0), within its bounds; strings borrow from the body. */
typedef struct retention_policy_in {
    long period_months;
    const char *runs_from;
    const char *then;
    const char *reason;
    long period_hours;
} retention_policy_in;
void retention_policy_parse(json_t *body, retention_policy_in *in, violations *v);

/* RET-1: the event a class's period runs from, and what happens at its
 * end, are ones the class allows (a subject access case's runs from the
 * request being answered, which no other class's does). */
bool retention_start_fits(const char *record_class, const char *runs_from);
bool retention_then_fits(const char *record_class, const char *then);

/* RET-1: a violation on runs_from or then when a policy's start event or
 * end does not fit its record class, and on its period when it is not in
 * the class's unit (nothing when the class is unknown, or for a member the
 * parser found wanting). */
void retention_policy_check(const char *record_class, const retention_policy_in *in,
                            violations *v);

/* POST /v1/children/{child_id}/case-closures: {closed_on}. RET-1: a case
 * closes on a day that has come (closed_on not after today). */
typedef struct case_closure_in {
    const char *closed_on;
} case_closure_in;
void case_closure_parse(json_t *body, const char *today, case_closure_in *in, violations *v);

/* POST /v1/retention-holds: {scope, child_id | meeting_id | record_class,
 * kind, reason, ends_on?}. RET-2: the target matches the scope, and an end
 * day, when given, has not passed. */
typedef struct hold_in {
    const char *scope;
    const char *child_id;
    const char *meeting_id;
    const char *record_class;
    const char *kind;
    const char *reason;
    const char *ends_on;
} hold_in;
void hold_parse(json_t *body, const char *today, hold_in *in, violations *v);

/* POST /v1/retention-holds/{hold_id}/release: {reason}. */
void hold_release_parse(json_t *body, const char **reason, violations *v);

/* POST /v1/disposals: {record_class?, record_id | meeting_id, action?}. The class
 * is meeting_record when not given, and never one the service disposes of
 * itself (RET-3, a violation on record_class); a meeting record is named by
 * meeting_id (or record_id), any other by record_id alone (RET-3). Without
 * a violation, record_id is the record's UUID; strings borrow from the
 * body. */
typedef struct disposal_in {
    const char *record_class;
    const char *record_id;
    const char *action; /* "delete", "anonymise", or NULL: as the policy says */
} disposal_in;
void disposal_parse(json_t *body, disposal_in *in, violations *v);

/* RET-1, RET-3: what a disposal does to the record: the action asked for,
 * else anonymise when the policy in effect says so and delete otherwise
 * (a policy's `review` leaves the choice to the reviewers). A violation on
 * `action` when the record's class does not allow it. */
const char *disposal_action_of(const char *record_class, const char *asked,
                               const char *policy_then, violations *v);

/* RET-2: a hold is released once. RET-3: a disposal is approved once. */
extern const state_gate hold_gate_release;
extern const state_gate disposal_gate_approve;

/* RET-3: the side a caller takes in a disposal: "dpo", "manager" (an admin
 * or a senior manager), or NULL for neither. One who holds both counts as
 * the dpo when proposing. */
const char *disposal_side_of(const caller *who);

/* RET-3: may `who` approve a disposal proposed by proposer_sub on side
 * proposed_as? A second, different person on the other side. */
bool disposal_may_approve(const caller *who, const char *proposer_sub, const char *proposed_as);

#endif
