/* frame: the one shape of every handler that reads or changes case data.
 *
 * A handler is its rule and its statement; the frame is everything else,
 * each step written once:
 *
 *   read one     frame_get(r, kind, "meeting.read")           the whole handler
 *
 *   list         frame_page_read(r, &page, key...)            ?limit, ?cursor (400)
 *                s = frame_begin(r, FRAME_READ)
 *                <store list function>(s, ..., &rendered)
 *                frame_list(r, &rendered, "action.list", "action")
 *                (or FRAME_READ_ONE, a store list function that audits
 *                 itself, and frame_list_audited: GET /v1/meetings)
 *
 *   change       <parse and check the body's shape>           400
 *                s = frame_begin(r, FRAME_CHANGE)
 *                frame_found(r, meetings_find(s, id, true, &m)) 404 (SEC-2)
 *                <may this caller?>                          403
 *                frame_if_match(r, m.version)                 412
 *                frame_gate(r, &meeting_gate_x, m.status) 409 (MTG-8)
 *                <the domain rules>                           422
 *                frame_ok(r, <store change>(s, ...))          503 on a failure
 *                frame_finish(r, &(frame_change){...})        audit, feed, render,
 *                                                             Idempotency-Key, commit,
 *                                                             ETag (from the row)
 *
 * Every function answers the request itself when the request must stop,
 * and then returns NULL or false; the handler only returns. */
#ifndef MAM_FRAME_H
#define MAM_FRAME_H

#include <jansson.h>
#include <stdbool.h>

#include "core/cursor.h"
#include "domain/gate.h"
#include "domain/violations.h"
#include "http/req.h"
#include "store/store.h"

enum frame_mode {
    FRAME_READ,     /* an audited read: its only write is the audit row */
    FRAME_READ_ONE, /* an audited read made of one statement that records its
                       own audit row: no transaction is opened (one round trip) */
    FRAME_CHANGE,   /* a change */
};

/* The request's store, in a transaction (but for FRAME_READ_ONE); NULL
 * after answering 503. */
store *frame_begin(req *r, enum frame_mode mode);

/* Claims the request's Idempotency-Key (creating POSTs); false when the
 * request is answered already (a replay, a refusal or a failure).
 * replay_action is the audit action recorded for a replay. */
bool frame_idempotent(req *r, const char *replay_action, const char *resource_type);

/* The answer of a store find: 1 goes on; 0 answers 404 (absent or not
 * visible, SEC-2); -1 answers the database failure. */
bool frame_found(req *r, int found);

/* A store change's result: 0 goes on; anything else answers the failure. */
bool frame_ok(req *r, int rc);

/* The resource is at `version`: false after answering 412 for a stale
 * If-Match (400 for a malformed one). */
bool frame_if_match(req *r, long version);

/* A state gate (domain/gate.h): false after answering 409
 * /problems/invalid-state with the gate's rule and refusal. */
bool frame_gate(req *r, const state_gate *gate, const char *status);

/* MTG-8: may the meeting move from `status` to `to`? False after answering
 * 409 naming both. */
bool frame_transition(req *r, const char *status, const char *to);

/* Answers 400/422 with every violation when there are any; returns whether
 * it answered. */
bool frame_violations(req *r, const violations *v);

/* Reads a whole GET-by-id: the resource named by the first path parameter,
 * when the caller may see it (404 otherwise), audited under audit_action
 * (NULL for what is not case data: the agency directory, the calendar).
 * A kind that reads and audits in one statement (store_kind_reads_audited)
 * does so in one round trip. */
void frame_get(req *r, const store_kind *kind, const char *audit_action);

/* The change is made: records the audit event, announces it on the feed
 * (when event is not NULL), renders the resource, remembers the answer for
 * an Idempotency-Key (when created), commits, and answers 200 (201 with
 * Location when created) with the ETag of the row's version. */
typedef struct frame_change {
    const store_kind *kind;
    const char *id;
    const char *audit_action;
    const char *event;  /* feed event type, or NULL */
    json_t *warnings;   /* non-blocking warnings (INV-4, FAM-4 ...), or NULL */
    bool created;
    const char *location; /* where the created resource lives, when not /v1/<kind>s/<id> */
    json_t *extra;        /* members added to this answer only (a secret shown once); such an
                             answer is never remembered for an Idempotency-Key */
} frame_change;
void frame_finish(req *r, const frame_change *c);

/* --- lists --- */

/* What each part of a list's cursor must be. */
enum cursor_part { PART_TIMESTAMP, PART_UUID, PART_DATE, PART_TEXT, PART_INTEGER };

typedef struct frame_page {
    int limit;
    char *after[CURSOR_MAX_PARTS]; /* the last item shown, or NULLs for the first page */
    int n_parts;
} frame_page;

/* Reads ?limit= and ?cursor= (whose parts must be of the kinds given);
 * false after answering 400. */
bool frame_page_read(req *r, frame_page *p, int n_parts, const enum cursor_part *parts);
void frame_page_free(frame_page *p);

/* Reads the filters the lists of work owed share (actions, obligations):
 * ?owner= (`me` or a subject id), ?agency= and ?meeting_id=, each NULL when
 * absent; a malformed one is noted on r (req_schema_error). */
void frame_read_whose(req *r, const char **owner_sub, const char **agency,
                      const char **meeting_id);

/* The page was read: records the audit event for the ids it shows (unless
 * audit_action is NULL), commits and answers 200. Frees the page. */
void frame_list(req *r, store_page *page, const char *audit_action, const char *resource_type);

/* The same for a page whose statement recorded its own audit row
 * (FRAME_READ_ONE): answers 200. Frees the page. */
void frame_list_audited(req *r, store_page *page);

/* --- warnings --- */

/* Adds {rule, field, message} to warnings. */
void warning_add(json_t *warnings, const char *rule, const char *field, const char *message);

#endif
