/* db: PostgreSQL access for the whole service.
 *
 * A fixed-size pool of libpq connections shared by the HTTP threads. A
 * connection belongs to one thread between db_acquire() and db_release().
 * Statements are declared once as db_stmt values and always run as
 * parameterised prepared statements (prepared lazily, per connection).
 *
 * Errors: every call that can fail returns NULL or -1 and leaves the reason
 * in the connection (db_failure_of()), so handlers map it to one HTTP answer
 * in one place. A connection that lost its server is replaced on its next
 * acquisition; while the database is down, db_acquire() fails fast. */
#ifndef MAM_DB_H
#define MAM_DB_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <time.h>

typedef struct db_stmt {
    const char *name; /* unique across the service; the prepared name */
    const char *sql;
    int nparams;
} db_stmt;

typedef struct db_conn db_conn;

enum db_failure {
    DB_OK = 0,
    DB_UNAVAILABLE,   /* no connection, lost connection, server shutting down */
    DB_BUSY,          /* pool exhausted for longer than the acquire timeout */
    DB_UNIQUE,        /* unique_violation */
    DB_RETRYABLE,     /* serialization failure or deadlock: run the transaction again */
    DB_TIMEOUT,       /* statement timeout */
    DB_REFUSED,       /* a constraint or trigger refused the change */
    DB_OUTCOME_UNKNOWN, /* the connection was lost during COMMIT and the server could
                           not be asked in time whether the transaction committed */
    DB_BUG            /* anything else: a defect in the service */
};

/* -1 (after printing why) when DATABASE_URL cannot work at all, such as TLS
 * refused; a database that is merely unreachable is retried on demand. Call
 * db_pool_close() either way. */
int db_pool_open(const char *url, int size, int acquire_timeout_ms, int statement_timeout_ms);
void db_pool_close(void);
int db_pool_size(void);
int db_pool_in_use(void);

/* NULL when no connection can be had; *why says DB_BUSY or DB_UNAVAILABLE. */
db_conn *db_acquire(enum db_failure *why);
/* Rolls back a transaction left open, then returns the connection. */
void db_release(db_conn *c);

/* Runs a declared statement with text parameters (NULL = SQL NULL).
 * Returns a result the caller PQclear()s, or NULL on failure. */
PGresult *db_exec(db_conn *c, const db_stmt *s, const char *const *params);

/* Convenience: runs s and returns the first column of its only row as a new
 * string (free()), or NULL with *found false when there is no row. */
char *db_exec_value(db_conn *c, const db_stmt *s, const char *const *params, bool *found);

/* Transactions. db_begin_read() commits asynchronously (reads whose only
 * write is their audit row; see README "Durability of read audits").
 *
 * db_begin() takes the transaction's id (pg_current_xact_id()) with BEGIN,
 * in the same round trip. When the connection is lost while COMMIT runs,
 * the transaction may have committed or not: db_commit() then asks the
 * server (pg_xact_status() of that id) on a connection of its own, again
 * and again while the server is away, until the deadline (db_set_deadline,
 * and never more than DB_OUTCOME_WAIT_MS from the COMMIT). It returns 0
 * when the transaction committed; -1 with DB_UNAVAILABLE when it did not;
 * -1 with DB_OUTCOME_UNKNOWN when the server could not say in time. */
#define DB_OUTCOME_WAIT_MS 10000
int db_begin(db_conn *c);
int db_begin_read(db_conn *c);
int db_commit(db_conn *c);
void db_rollback(db_conn *c);
/* The latest moment (CLOCK_MONOTONIC) to give an answer by: learning a
 * commit's outcome stops there. Reset when the connection is released. */
void db_set_deadline(db_conn *c, const struct timespec *by);

/* The failure of the last statement run on c (DB_OK when it succeeded). */
enum db_failure db_failure_of(const db_conn *c);
const char *db_sqlstate_of(const db_conn *c);
const char *db_message_of(const db_conn *c);
/* The constraint a DB_UNIQUE or DB_REFUSED failure named, or "". */
const char *db_constraint_of(const db_conn *c);

/* One connection outside the pool, for migrations and health checks. */
PGconn *db_connect_direct(const char *url, char *err, size_t err_size);

#endif
