/* store: the only home of SQL in the service.
 *
 * Every statement the service runs lives in a store module, one per
 * resource (meetings, invitations, consent, minutes, actions, escalations,
 * agencies, holidays, reports, audit, feed, idempotency). A store module
 * takes a store — the request's connection, its caller, its request id and
 * its one clock — and never anything of HTTP: the layers above (http/,
 * api/) see rows, rendered JSON and pages, never a libpq result.
 *
 * Conventions of every store function:
 *  - finds answer 1 (found and visible to the caller), 0 (not found, not
 *    visible or not a well-formed id: the same answer, SEC-2) or -1 (a
 *    database failure);
 *  - changes answer 0 or -1; renderings answer a new string or NULL;
 *  - a failure's reason stays on the connection (store_failure), so that
 *    it is mapped to one HTTP answer in one place (http/req.c);
 *  - "today" and deadlines come from the store's clock (s->now), never
 *    from now() in SQL; record timestamps come from the database's clock. */
#ifndef MAM_STORE_H
#define MAM_STORE_H

#include <stdbool.h>
#include <time.h>

#include "auth/caller.h"
#include "db/db.h"
#include "domain/calendar.h"

typedef struct store {
    db_conn *db;
    const caller *who;
    const char *request_id;
    const char *trace_id; /* the W3C trace id of the request, or NULL (audit rows) */
    time_t now;          /* the request's moment (core/clock.h) */
    cal_day today;       /* its UTC date */
    char today_text[11]; /* the same, YYYY-MM-DD, for statements */
} store;

void store_init(store *s, db_conn *db, const caller *who, const char *request_id, time_t now);

/* Transactions. A read that writes only its audit row commits without
 * waiting for the WAL flush (db_begin_read; README, "Read audit"). */
int store_begin(store *s);
int store_begin_read(store *s);
int store_commit(store *s);

/* The failure of the last statement (DB_OK when it succeeded), and the
 * constraint a DB_UNIQUE or DB_REFUSED failure named (or ""). */
enum db_failure store_failure(const store *s);
const char *store_constraint(const store *s);

/* A page of a list, rendered: {"items":[...],"next_cursor":...}, and the
 * ids it shows as a PostgreSQL array literal (for the audit trail). */
typedef struct store_page {
    char *json;
    char *ids;
} store_page;
void store_page_free(store_page *p);

/* --- resources ---
 *
 * A kind describes one resource the API serves by id: its name in the
 * audit trail and on the feed, how it is rendered, who may see it, and
 * whose feeds hear of its changes. Each resource module defines its kind
 * (STORE_MEETING, STORE_INVITATION, ...). */
typedef struct store_kind store_kind;

const char *store_kind_name(const store_kind *k);

/* The representation of the resource (new string) and its version, from
 * the row itself; NULL on a failure. */
char *store_render(store *s, const store_kind *k, const char *id, long *version);

/* The same, only when the caller may see it: NULL with *found false when
 * not (or id is not well formed), NULL with *found true on a failure. */
char *store_read(store *s, const store_kind *k, const char *id, long *version, bool *found);

/* Whether the kind reads in one statement that records its own audit row
 * (store_read_audited). */
bool store_kind_reads_audited(const store_kind *k);

/* store_read, and the read's audit row under audit_action, in one
 * statement and one round trip, outside any transaction (the statement
 * commits itself). The same answers as store_read. */
char *store_read_audited(store *s, const store_kind *k, const char *id, const char *audit_action,
                         long *version, bool *found);

/* Appends a feed event of this type about the resource, at the row's
 * version, for every agency concerned (INT-2). */
int store_announce(store *s, const store_kind *k, const char *id, const char *event_type);

#endif
