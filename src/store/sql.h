/* sql: what store modules share to run their statements. Nothing outside
 * src/store includes this header.
 *
 * Statements name the caller's principals (SEC-2, sql/functions/10_access.sql)
 * as caller_principals(sub, agency, is_manager, is_lead), fed from the four
 * parameters sql_caller() fills. */
#ifndef MAM_STORE_SQL_H
#define MAM_STORE_SQL_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "db/db.h"
#include "store/store.h"

/* A resource kind (store.h): statements with fixed parameters.
 *  render:   $1 id, $2 today -> json, version
 *  read:     $1 id, $2 sub, $3 agency, $4 is_manager, $5 is_lead, $6 today,
 *            $7 roles (a PostgreSQL array) -> json, version, only when visible
 * A statement takes the leading parameters it uses (nparams), so one that
 * needs no date or roles stops before them.
 *  announce: $1 id, $2 event type -> inserts the feed events
 *  read_audited (optional; name NULL when the kind has none):
 *            $1 id, $2 sub, $3 agency, $4 is_manager, $5 is_lead, $6 today,
 *            $7 is_integration, $8 request id, $9 audit action, $10 trace id
 *            -> json, version, only when visible, the read's audit row
 *            recorded by the statement itself, which runs outside any
 *            transaction and commits without waiting for the WAL flush
 *            (the read audit's rule, store_begin_read): one round trip. */
struct store_kind {
    const char *name;
    bool (*well_formed)(const char *id); /* ids that cannot name one are absent */
    db_stmt render;
    db_stmt read;
    db_stmt announce;
    db_stmt read_audited;
};

/* What a read made of one statement ends with: the statement's own commit
 * does not wait for the WAL flush (the rule of store_begin_read, for a
 * transaction whose only write is its audit row). A condition on the audit
 * row's SELECT, so that it is set whenever that row is written. */
#define SQL_READ_COMMITS_ASYNC "set_config('synchronous_commit', 'off', true) IS NOT NULL"

/* A page of a list from a query that returns up to limit+1 rows: column 0
 * is the item's JSON, then the columns that make up its sort key. The extra
 * row only tells that there is a next page; the cursor is the sort key of
 * the last row shown. Clears res. */
typedef struct page_spec {
    int limit;
    int key_first_col; /* first sort-key column */
    int key_cols;      /* how many sort-key columns */
    int id_col;        /* column with each item's id for the audit, or -1 */
} page_spec;
void sql_page(PGresult *res, const page_spec *spec, store_page *out);

/* Runs a list statement and renders its page (sql_page): the sort key
 * starts at column 1 and has key_cols columns; id_col holds each item's id
 * for the audit (-1 for none). 0, or -1 on a failure. */
int sql_list(store *s, const db_stmt *st, const char *const *params, int limit, int key_cols,
             int id_col, store_page *out);

/* Runs a statement whose result is not needed: 0, or -1 on a failure. */
int sql_run(store *s, const db_stmt *st, const char *const *params);

/* Runs a statement and returns its result (PQclear it), NULL on a failure. */
PGresult *sql_query(store *s, const db_stmt *st, const char *const *params);

/* The first column of the only row as a new string; NULL with *found false
 * when there is no row, NULL with *found true on a failure. */
char *sql_value(store *s, const db_stmt *st, const char *const *params, bool *found);

/* Copies a column into a fixed buffer, cut to size. */
void sql_copy(char *dst, size_t size, const char *src);

/* The caller's sub, agency, whether they count as a manager and whether
 * as a safeguarding lead (SEC-2, MTG-4), as statement parameters. */
void sql_caller(const store *s, const char *out[4]);

/* A whole number as a statement parameter. */
typedef struct sql_int {
    char text[24];
} sql_int;
const char *sql_int_of(sql_int *holder, long long v);

#endif
