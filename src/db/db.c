#include "db/db.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yder.h>

#include "core/text.h"
#include "core/xalloc.h"

struct db_conn {
    PGconn *pg;
    bool in_tx;
    bool broken;
    /* statements already prepared on this connection, by identity */
    const db_stmt **prepared;
    size_t n_prepared, cap_prepared;
    /* the transaction's id (db_begin), for learning a lost commit's outcome */
    char xid[32];
    /* when the server that gave it started: after a crash, ids whose
     * transactions left nothing durable are handed out again */
    char incarnation[40];
    struct timespec deadline; /* zero: none set */
    /* the last failure */
    enum db_failure failure;
    char sqlstate[6];
    char message[256];
    char constraint[64];
};

static struct {
    pthread_mutex_t lock;
    pthread_cond_t freed;
    db_conn *conns;
    int *free_stack; /* indexes of idle connections */
    int n_free;
    int size;
    int acquire_timeout_ms;
    int statement_timeout_ms;
    char *url;
    /* while the database is unreachable, reconnect attempts are spaced out
     * so that requests get their 503 at once instead of each waiting on a
     * connect timeout */
    struct timespec retry_after;
} pool = {.lock = PTHREAD_MUTEX_INITIALIZER};

#define RECONNECT_BACKOFF_MS 250

static void now_mono(struct timespec *t)
{
    clock_gettime(CLOCK_MONOTONIC, t);
}

static void add_ms(struct timespec *t, long ms)
{
    t->tv_sec += ms / 1000;
    t->tv_nsec += (ms % 1000) * 1000000L;
    if (t->tv_nsec >= 1000000000L) {
        t->tv_sec++;
        t->tv_nsec -= 1000000000L;
    }
}

static bool before(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

static void set_failure(db_conn *c, enum db_failure f, const char *state, const char *msg)
{
    c->failure = f;
    snprintf(c->sqlstate, sizeof c->sqlstate, "%s", state ? state : "");
    snprintf(c->message, sizeof c->message, "%s", msg ? msg : "");
    /* keep one line: libpq messages end with a newline */
    char *nl = strchr(c->message, '\n');
    if (nl)
        *nl = '\0';
}

PGconn *db_connect_direct(const char *url, char *err, size_t err_size)
{
    const char *keys[] = {"dbname", "application_name", "connect_timeout", "keepalives",
                          "keepalives_idle", NULL};
    const char *vals[] = {url, "mam", "3", "1", "30", NULL};
    PGconn *pg = PQconnectdbParams(keys, vals, 1);
    if (PQstatus(pg) != CONNECTION_OK) {
        if (err)
            snprintf(err, err_size, "%s", PQerrorMessage(pg));
        PQfinish(pg);
        return NULL;
    }
    PGresult *r = PQexec(pg, "SET TIME ZONE 'UTC'");
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (!ok) {
        if (err)
            snprintf(err, err_size, "%s", PQerrorMessage(pg));
        PQfinish(pg);
        return NULL;
    }
    return pg;
}

static int open_connection(db_conn *c)
{
    char err[256];
    c->n_prepared = 0;
    c->broken = false;
    c->in_tx = false;
    c->pg = db_connect_direct(pool.url, err, sizeof err);
    if (!c->pg) {
        set_failure(c, DB_UNAVAILABLE, "08006", err);
        return -1;
    }
    char sql[160];
    snprintf(sql, sizeof sql,
             "SET statement_timeout = %d; SET idle_in_transaction_session_timeout = %d",
             pool.statement_timeout_ms, pool.statement_timeout_ms * 4);
    PGresult *r = PQexec(c->pg, sql);
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (!ok) {
        set_failure(c, DB_UNAVAILABLE, "08006", PQerrorMessage(c->pg));
        PQfinish(c->pg);
        c->pg = NULL;
        return -1;
    }
    return 0;
}

/* An idle connection never has input waiting: if its socket is readable the
 * server has closed it or sent a termination notice. A server that ends a
 * session (shutdown, restart, pg_terminate_backend) sends its FATAL message
 * and then closes: one read takes the message and leaves the connection
 * looking fine, so read until nothing is waiting, or the first statement on
 * the connection after the database is back would fail with a 503. */
static bool connection_looks_dead(db_conn *c)
{
    if (!c->pg || c->broken || PQstatus(c->pg) != CONNECTION_OK)
        return true;
    for (int reads = 0; reads < 16; reads++) {
        struct pollfd pfd = {.fd = PQsocket(c->pg), .events = POLLIN};
        if (pfd.fd < 0)
            return true;
        if (poll(&pfd, 1, 0) <= 0)
            return false;
        if (pfd.revents & (POLLHUP | POLLERR | POLLNVAL))
            return true;
        if (!PQconsumeInput(c->pg) || PQstatus(c->pg) != CONNECTION_OK)
            return true;
        PGnotify *n;
        while ((n = PQnotifies(c->pg)) != NULL)
            PQfreemem(n);
    }
    /* still more input than an idle connection ever gets */
    return true;
}

/* A connection that failed because TLS could not be set up as DATABASE_URL
 * asks (sslmode=require/verify-*: certificate not trusted, host name not
 * matching, server without TLS, unreadable certificate files). That is a
 * configuration error, not an outage: waiting will not fix it. libpq gives
 * no SQLSTATE for a failed connection, only its (untranslated) message; a
 * connection broken mid-handshake ("SSL SYSCALL error") is an outage. */
static bool tls_refused(const char *message)
{
    if (strstr(message, "SSL SYSCALL"))
        return false;
    return strstr(message, "SSL") || strstr(message, "certificate");
}

int db_pool_open(const char *url, int size, int acquire_timeout_ms, int statement_timeout_ms)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&pool.freed, &attr);
    pthread_condattr_destroy(&attr);

    pool.url = xstrdup(url);
    pool.size = size;
    pool.acquire_timeout_ms = acquire_timeout_ms;
    pool.statement_timeout_ms = statement_timeout_ms;
    pool.conns = xcalloc((size_t)size, sizeof *pool.conns);
    pool.free_stack = xcalloc((size_t)size, sizeof *pool.free_stack);
    pool.n_free = size;
    for (int i = 0; i < size; i++)
        pool.free_stack[i] = size - 1 - i;

    /* Connect eagerly so that a wrong DATABASE_URL shows at start-up; a
     * database that is merely down is retried on demand. */
    int opened = 0;
    for (int i = 0; i < size; i++) {
        if (open_connection(&pool.conns[i]) == 0)
            opened++;
        else if (i == 0 && tls_refused(pool.conns[i].message)) {
            fprintf(stderr, "database: TLS refused, check sslmode and sslrootcert in "
                            "DATABASE_URL: %s\n", pool.conns[i].message);
            return -1;
        } else if (i == 0)
            y_log_message(Y_LOG_LEVEL_WARNING, "database not reachable at start-up: %s",
                          pool.conns[i].message);
        if (opened == 0)
            break;
    }
    return 0;
}

void db_pool_close(void)
{
    pthread_mutex_lock(&pool.lock);
    for (int i = 0; i < pool.size; i++) {
        if (pool.conns[i].pg)
            PQfinish(pool.conns[i].pg);
        free(pool.conns[i].prepared);
    }
    free(pool.conns);
    free(pool.free_stack);
    free(pool.url);
    pool.conns = NULL;
    pool.free_stack = NULL;
    pool.url = NULL;
    pool.size = pool.n_free = 0;
    pthread_mutex_unlock(&pool.lock);
    pthread_cond_destroy(&pool.freed);
}

int db_pool_size(void)
{
    return pool.size;
}

int db_pool_in_use(void)
{
    pthread_mutex_lock(&pool.lock);
    int n = pool.size - pool.n_free;
    pthread_mutex_unlock(&pool.lock);
    return n;
}

static void give_back(int index)
{
    pthread_mutex_lock(&pool.lock);
    pool.free_stack[pool.n_free++] = index;
    pthread_cond_signal(&pool.freed);
    pthread_mutex_unlock(&pool.lock);
}

db_conn *db_acquire(enum db_failure *why)
{
    struct timespec deadline;
    now_mono(&deadline);
    add_ms(&deadline, pool.acquire_timeout_ms);

    pthread_mutex_lock(&pool.lock);
    while (pool.n_free == 0) {
        if (pthread_cond_timedwait(&pool.freed, &pool.lock, &deadline) == ETIMEDOUT &&
            pool.n_free == 0) {
            pthread_mutex_unlock(&pool.lock);
            *why = DB_BUSY;
            return NULL;
        }
    }
    int index = pool.free_stack[--pool.n_free];
    struct timespec retry_after = pool.retry_after;
    pthread_mutex_unlock(&pool.lock);

    db_conn *c = &pool.conns[index];
    c->failure = DB_OK;
    if (connection_looks_dead(c)) {
        struct timespec now;
        now_mono(&now);
        if (before(&now, &retry_after)) {
            give_back(index);
            *why = DB_UNAVAILABLE;
            return NULL;
        }
        if (c->pg) {
            PQfinish(c->pg);
            c->pg = NULL;
        }
        if (open_connection(c) != 0) {
            pthread_mutex_lock(&pool.lock);
            now_mono(&pool.retry_after);
            add_ms(&pool.retry_after, RECONNECT_BACKOFF_MS);
            pthread_mutex_unlock(&pool.lock);
            give_back(index);
            *why = DB_UNAVAILABLE;
            return NULL;
        }
    }
    return c;
}

void db_release(db_conn *c)
{
    if (!c)
        return;
    if (c->in_tx)
        db_rollback(c);
    c->deadline = (struct timespec){0, 0};
    give_back((int)(c - pool.conns));
}

static enum db_failure classify(const char *state)
{
    if (!state || !*state)
        return DB_UNAVAILABLE;
    if (strncmp(state, "08", 2) == 0 || strcmp(state, "57P01") == 0 ||
        strcmp(state, "57P02") == 0 || strcmp(state, "57P03") == 0 ||
        strcmp(state, "53300") == 0)
        return DB_UNAVAILABLE;
    if (strcmp(state, "23505") == 0)
        return DB_UNIQUE;
    if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)
        return DB_RETRYABLE;
    if (strcmp(state, "57014") == 0)
        return DB_TIMEOUT;
    if (strncmp(state, "23", 2) == 0 || strcmp(state, "P0001") == 0)
        return DB_REFUSED;
    return DB_BUG;
}

/* Records why r failed; returns NULL so callers can `return fail(...)`. */
static PGresult *record_error(db_conn *c, PGresult *r)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = r ? PQresultErrorMessage(r) : PQerrorMessage(c->pg);
    const char *constraint = r ? PQresultErrorField(r, PG_DIAG_CONSTRAINT_NAME) : NULL;
    enum db_failure f = PQstatus(c->pg) != CONNECTION_OK ? DB_UNAVAILABLE : classify(state);
    set_failure(c, f, state, msg);
    snprintf(c->constraint, sizeof c->constraint, "%s", constraint ? constraint : "");
    if (f == DB_UNAVAILABLE)
        c->broken = true;
    if (r)
        PQclear(r);
    return NULL;
}

static bool is_prepared(db_conn *c, const db_stmt *s)
{
    for (size_t i = 0; i < c->n_prepared; i++)
        if (c->prepared[i] == s)
            return true;
    return false;
}

static int prepare(db_conn *c, const db_stmt *s)
{
    PGresult *r = PQprepare(c->pg, s->name, s->sql, s->nparams, NULL);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        record_error(c, r);
        if (c->failure == DB_BUG)
            y_log_message(Y_LOG_LEVEL_ERROR, "db: cannot prepare %s: %s", s->name, c->message);
        return -1;
    }
    PQclear(r);
    if (c->n_prepared == c->cap_prepared) {
        c->cap_prepared = c->cap_prepared ? c->cap_prepared * 2 : 32;
        c->prepared = xrealloc(c->prepared, c->cap_prepared * sizeof *c->prepared);
    }
    c->prepared[c->n_prepared++] = s;
    return 0;
}

PGresult *db_exec(db_conn *c, const db_stmt *s, const char *const *params)
{
    c->failure = DB_OK;
    if (c->broken) {
        set_failure(c, DB_UNAVAILABLE, "08006", "connection lost");
        return NULL;
    }
    if (!is_prepared(c, s) && prepare(c, s) != 0)
        return NULL;
    PGresult *r = PQexecPrepared(c->pg, s->name, s->nparams, params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
        record_error(c, r);
        if (c->failure == DB_BUG) {
            char safe[sizeof c->message];
            text_redact_quoted(c->message, safe, sizeof safe);
            y_log_message(Y_LOG_LEVEL_ERROR, "db: %s failed: %s %s", s->name, c->sqlstate, safe);
        }
        return NULL;
    }
    return r;
}

char *db_exec_value(db_conn *c, const db_stmt *s, const char *const *params, bool *found)
{
    *found = false;
    PGresult *r = db_exec(c, s, params);
    if (!r)
        return NULL;
    char *v = NULL;
    if (PQntuples(r) > 0) {
        *found = true;
        v = xstrdup(PQgetisnull(r, 0, 0) ? "" : PQgetvalue(r, 0, 0));
    }
    PQclear(r);
    return v;
}

static int simple(db_conn *c, const char *sql)
{
    if (c->broken) {
        set_failure(c, DB_UNAVAILABLE, "08006", "connection lost");
        return -1;
    }
    PGresult *r = PQexec(c->pg, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        record_error(c, r);
        return -1;
    }
    PQclear(r);
    return 0;
}

int db_begin(db_conn *c)
{
    c->xid[0] = '\0';
    if (c->broken) {
        set_failure(c, DB_UNAVAILABLE, "08006", "connection lost");
        return -1;
    }
    /* one round trip: BEGIN, the id the transaction will commit under and
     * the server's incarnation, which together name the transaction */
    PGresult *r = PQexec(c->pg, "BEGIN; SELECT pg_current_xact_id()::text, "
                                "pg_postmaster_start_time()::text");
    c->in_tx = true;
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
        record_error(c, r);
        return -1;
    }
    snprintf(c->xid, sizeof c->xid, "%s", PQgetvalue(r, 0, 0));
    snprintf(c->incarnation, sizeof c->incarnation, "%s", PQgetvalue(r, 0, 1));
    PQclear(r);
    return 0;
}

int db_begin_read(db_conn *c)
{
    c->xid[0] = '\0';
    if (simple(c, "BEGIN; SET LOCAL synchronous_commit = off") != 0)
        return -1;
    c->in_tx = true;
    return 0;
}

void db_set_deadline(db_conn *c, const struct timespec *by)
{
    c->deadline = *by;
}

static long ms_until(const struct timespec *t)
{
    struct timespec now;
    now_mono(&now);
    return (t->tv_sec - now.tv_sec) * 1000L + (t->tv_nsec - now.tv_nsec) / 1000000L;
}

static void pause_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

/* COMMIT got no answer, or an answer that does not say it failed: the
 * connection broke (08xxx), the server shut the session down (57P0x), or
 * nothing came back at all. Any other error rolled the transaction back. */
static bool commit_outcome_unknown(const db_conn *c, const PGresult *r)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    return !r || PQstatus(c->pg) != CONNECTION_OK || !state || !*state ||
           strncmp(state, "08", 2) == 0 || strncmp(state, "57P0", 4) == 0;
}

/* A connection made by `by` at the latest (libpq's connect_timeout counts
 * whole seconds, two at least), or NULL. */
static PGconn *connect_by(const char *url, const struct timespec *by)
{
    const char *keys[] = {"dbname", "application_name", NULL};
    const char *vals[] = {url, "mam", NULL};
    PGconn *pg = PQconnectStartParams(keys, vals, 1);
    if (!pg || PQstatus(pg) == CONNECTION_BAD) {
        PQfinish(pg);
        return NULL;
    }
    PostgresPollingStatusType st = PGRES_POLLING_WRITING;
    while (st != PGRES_POLLING_OK && st != PGRES_POLLING_FAILED) {
        long left = ms_until(by);
        struct pollfd pfd = {.fd = PQsocket(pg),
                             .events = st == PGRES_POLLING_READING ? POLLIN : POLLOUT};
        if (left <= 0 || pfd.fd < 0 || poll(&pfd, 1, (int)left) <= 0)
            break;
        st = PQconnectPoll(pg);
    }
    if (st != PGRES_POLLING_OK) {
        PQfinish(pg);
        return NULL;
    }
    return pg;
}

/* What asking the server about a lost COMMIT found. */
enum outcome {
    OUTCOME_COMMITTED,
    OUTCOME_NOT_COMMITTED,
    OUTCOME_NOT_LEARNT,   /* not in time, or too old for the server to know */
    OUTCOME_RESTARTED,    /* the id committed, but maybe another transaction's */
};

/* Reads one answer of learn_outcome's query; -1: ask again.
 *
 * A server that crashed since the transaction began recovers its next
 * transaction id from the WAL that reached disk, so a transaction that wrote
 * nothing durable leaves its id to be handed out again. Had ours committed,
 * its commit record was durable and its id is not reused: an id that a
 * restarted server calls in progress, or has not yet seen complete, was
 * therefore not ours to commit. But "committed" may then be another
 * transaction's, and the status alone cannot tell the two apart. */
static int outcome_of(const PGresult *r, const char *incarnation)
{
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
        return -1;
    const char *status = PQgetisnull(r, 0, 0) ? "" : PQgetvalue(r, 0, 0);
    bool restarted = strcmp(PQgetvalue(r, 0, 1), incarnation) != 0;
    if (strcmp(status, "aborted") == 0)
        return OUTCOME_NOT_COMMITTED;
    if (strcmp(status, "in progress") == 0 || strcmp(status, "not yet completed") == 0)
        return restarted ? OUTCOME_NOT_COMMITTED : -1;
    if (strcmp(status, "committed") != 0)
        return OUTCOME_NOT_LEARNT; /* too old for the server to know */
    return restarted ? OUTCOME_RESTARTED : OUTCOME_COMMITTED;
}

/* Asks the server whether transaction xid, begun on the server incarnation
 * `incarnation`, committed, on connections of its own, until `by`. */
static enum outcome learn_outcome(const char *xid, const char *incarnation,
                                  const struct timespec *by)
{
    const char *params[] = {xid};
    for (int attempt = 0;; attempt++) {
        if (ms_until(by) <= 0)
            return OUTCOME_NOT_LEARNT;
        PGconn *pg = connect_by(pool.url, by);
        if (pg) {
            PGresult *r = PQexecParams(pg,
                                       "SELECT CASE WHEN $1::xid8 < pg_snapshot_xmax("
                                       "pg_current_snapshot()) THEN pg_xact_status($1::xid8) "
                                       "ELSE 'not yet completed' END, "
                                       "pg_postmaster_start_time()::text",
                                       1, NULL, params, NULL, NULL, 0);
            int outcome = outcome_of(r, incarnation);
            PQclear(r);
            PQfinish(pg);
            if (outcome >= 0)
                return (enum outcome)outcome;
        }
        long left = ms_until(by);
        pause_ms(left < 200 ? (left > 0 ? left : 0) : (attempt < 5 ? 100 : 200));
    }
}

int db_commit(db_conn *c)
{
    if (c->broken) {
        set_failure(c, DB_UNAVAILABLE, "08006", "connection lost");
        c->in_tx = false;
        return -1;
    }
    PGresult *r = PQexec(c->pg, "COMMIT");
    c->in_tx = false;
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        bool unknown = c->xid[0] && commit_outcome_unknown(c, r);
        record_error(c, r);
        if (!unknown)
            return -1;
        c->broken = true;
        struct timespec by;
        now_mono(&by);
        add_ms(&by, DB_OUTCOME_WAIT_MS);
        if ((c->deadline.tv_sec || c->deadline.tv_nsec) && before(&c->deadline, &by))
            by = c->deadline;
        enum outcome outcome = learn_outcome(c->xid, c->incarnation, &by);
        static const char *const said[] = {
            [OUTCOME_COMMITTED] = "committed (learnt from the server)",
            [OUTCOME_NOT_COMMITTED] = "did not commit (learnt from the server)",
            [OUTCOME_NOT_LEARNT] = "may or may not have committed: the server could not be "
                                   "asked in time",
            [OUTCOME_RESTARTED] = "may or may not have committed: the server restarted since "
                                  "it began, and its id may since be another's",
        };
        y_log_message(Y_LOG_LEVEL_WARNING, "db: connection lost during COMMIT; the transaction %s",
                      said[outcome]);
        if (outcome == OUTCOME_COMMITTED) {
            c->failure = DB_OK;
            return 0;
        }
        if (outcome != OUTCOME_NOT_COMMITTED)
            set_failure(c, DB_OUTCOME_UNKNOWN, c->sqlstate, c->message);
        return -1;
    }
    /* COMMIT of a transaction that had already failed reports ROLLBACK */
    bool rolled_back = strcmp(PQcmdStatus(r), "ROLLBACK") == 0;
    PQclear(r);
    if (rolled_back) {
        set_failure(c, DB_BUG, "25P02", "transaction was rolled back");
        return -1;
    }
    return 0;
}

void db_rollback(db_conn *c)
{
    if (c->in_tx && !c->broken) {
        PGresult *r = PQexec(c->pg, "ROLLBACK");
        if (PQstatus(c->pg) != CONNECTION_OK)
            c->broken = true;
        PQclear(r);
    }
    c->in_tx = false;
}

enum db_failure db_failure_of(const db_conn *c)
{
    return c->failure;
}

const char *db_sqlstate_of(const db_conn *c)
{
    return c->sqlstate;
}

const char *db_message_of(const db_conn *c)
{
    return c->message;
}

const char *db_constraint_of(const db_conn *c)
{
    return c->constraint;
}
