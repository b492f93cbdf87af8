#include "store/idempotency.h"

#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "store/sql.h"

/* A key is made at the request's moment ($4, epoch seconds), and a key
 * made before the class's window (idempotency_record_kept_since, the
 * retention policy in effect, RET-1) is free again: claimed afresh, as a
 * new record with a new id. */
static const db_stmt claim_stmt = {
    "idem_claim",
    "INSERT INTO idempotency_keys (caller_sub, key, request_hash, created_at)"
    " VALUES ($1, $2, $3, to_timestamp($4::bigint))"
    " ON CONFLICT (caller_sub, key) DO UPDATE"
    "   SET request_hash = EXCLUDED.request_hash, status = NULL, location = NULL, etag = NULL,"
    "       body = NULL, created_at = EXCLUDED.created_at, id = EXCLUDED.id"
    "   WHERE idempotency_keys.created_at"
    "         < idempotency_record_kept_since(to_timestamp($4::bigint))"
    " RETURNING 1",
    4};

static const db_stmt fetch_stmt = {
    "idem_fetch",
    "SELECT request_hash, status, location, etag, body FROM idempotency_keys"
    " WHERE caller_sub = $1 AND key = $2",
    2};

static const db_stmt remember_stmt = {
    "idem_remember",
    "UPDATE idempotency_keys SET status = $3, location = $4, etag = $5, body = $6"
    " WHERE caller_sub = $1 AND key = $2",
    6};

/* RET-1, RET-2: the same window as the claim's; nothing while a hold on
 * the class is in effect. The housekeeping counts what it deleted; the
 * purge on demand lists the ids as well, for its audit row. */
#define PURGE_DELETE                                                                           \
    "WITH gone AS (DELETE FROM idempotency_keys"                                              \
    "               WHERE created_at < idempotency_record_kept_since(to_timestamp($1::bigint))" \
    "              RETURNING id)"

static const db_stmt purge_stmt = {"idem_purge", PURGE_DELETE " SELECT count(*) FROM gone", 1};

static const db_stmt purge_listed_stmt = {
    "idem_purge_listed",
    PURGE_DELETE " SELECT count(*), coalesce(array_agg(id ORDER BY id), '{}')::text FROM gone",
    1};

int idempotency_claim(store *s, const char *key, const char *hash)
{
    sql_int at;
    const char *params[] = {s->who->sub, key, hash, sql_int_of(&at, (long long)s->now)};
    PGresult *res = sql_query(s, &claim_stmt, params);
    if (!res)
        return -1;
    int claimed = PQntuples(res) == 1;
    PQclear(res);
    return claimed;
}

static char *nullable(PGresult *res, int col)
{
    return PQgetisnull(res, 0, col) ? NULL : xstrdup(PQgetvalue(res, 0, col));
}

int idempotency_fetch(store *s, const char *key, idempotency_answer *out)
{
    memset(out, 0, sizeof *out);
    const char *params[] = {s->who->sub, key};
    PGresult *res = sql_query(s, &fetch_stmt, params);
    if (!res)
        return -1;
    int found = PQntuples(res) == 1;
    if (found) {
        sql_copy(out->hash, sizeof out->hash, PQgetvalue(res, 0, 0));
        out->answered = !PQgetisnull(res, 0, 1);
        out->status = atoi(PQgetvalue(res, 0, 1));
        out->location = nullable(res, 2);
        out->etag = nullable(res, 3);
        out->body = nullable(res, 4);
    }
    PQclear(res);
    return found;
}

void idempotency_answer_free(idempotency_answer *a)
{
    free(a->location);
    free(a->etag);
    free(a->body);
    a->location = a->etag = a->body = NULL;
}

int idempotency_remember(store *s, const char *key, int status, const char *location,
                         const char *etag, const char *body)
{
    sql_int status_text;
    const char *params[] = {s->who->sub, key, sql_int_of(&status_text, status),
                            location,    etag, body};
    return sql_run(s, &remember_stmt, params);
}

int idempotency_purge(db_conn *c, time_t at)
{
    sql_int at_text;
    const char *params[] = {sql_int_of(&at_text, (long long)at)};
    PGresult *res = db_exec(c, &purge_stmt, params);
    if (!res)
        return -1;
    int n = atoi(PQgetvalue(res, 0, 0));
    PQclear(res);
    return n;
}

int idempotency_purge_now(store *s, char **ids_out)
{
    sql_int at;
    const char *params[] = {sql_int_of(&at, (long long)s->now)};
    *ids_out = NULL;
    PGresult *res = sql_query(s, &purge_listed_stmt, params);
    if (!res)
        return -1;
    int n = atoi(PQgetvalue(res, 0, 0));
    *ids_out = xstrdup(PQgetvalue(res, 0, 1));
    PQclear(res);
    return n;
}
