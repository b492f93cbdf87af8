#include "store/outbox.h"

#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "store/sql.h"

static const db_stmt claim_stmt = {
    "outbox_claim",
    "WITH e AS ("
    "  SELECT w.id FROM webhook_endpoints w"
    "   WHERE w.status = 'active' AND (w.leased_until IS NULL OR w.leased_until < now())"
    "     AND EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.endpoint_id = w.id"
    "                    AND d.status = 'pending' AND d.next_attempt_at <= now())"
    "   ORDER BY w.leased_until NULLS FIRST, w.id"
    "   LIMIT 1 FOR NO KEY UPDATE OF w SKIP LOCKED),"
    " leased AS ("
    "  UPDATE webhook_endpoints w SET leased_until = now() + make_interval(secs => $1::integer)"
    "    FROM e WHERE w.id = e.id"
    "  RETURNING w.id, w.url, w.secret_sealed,"
    "            CASE WHEN w.previous_secret_expires_at > now() THEN w.previous_secret_sealed END"
    "              AS previous_sealed)"
    " SELECT l.id, l.url, l.secret_sealed, l.previous_sealed, d.id::text, d.message_id,"
    "        d.payload, d.attempts"
    "   FROM leased l,"
    "        LATERAL (SELECT d.id, d.message_id, d.payload, d.attempts, d.tx, d.event_position"
    "                   FROM webhook_deliveries d"
    "                  WHERE d.endpoint_id = l.id AND d.status = 'pending'"
    "                    AND d.next_attempt_at <= now()"
    "                  ORDER BY d.tx, d.event_position LIMIT $2::integer) d"
    "  ORDER BY d.tx, d.event_position",
    2};

/* Each answer recorded renews the endpoint's lease for the next attempt. */
#define RENEW_LEASE(param)                                                              \
    " UPDATE webhook_endpoints SET leased_until = now() + make_interval(secs => " param   \
    "::integer) WHERE id = $1"

static const db_stmt delivered_stmt = {
    "outbox_delivered",
    "WITH d AS ("
    "  UPDATE webhook_deliveries SET status = 'delivered', attempts = attempts + 1,"
    "   last_attempt_at = now(), last_status = $3::integer, last_error = NULL,"
    "   delivered_at = now()"
    "   WHERE id = $2::bigint AND endpoint_id = $1 AND status = 'pending')" RENEW_LEASE("$4"),
    4};

static const db_stmt retry_stmt = {
    "outbox_retry",
    "WITH d AS ("
    "  UPDATE webhook_deliveries SET attempts = attempts + 1, last_attempt_at = now(),"
    "   last_status = nullif($3::integer, 0), last_error = $4,"
    "   status = CASE WHEN $6::integer < 0 THEN 'failed' ELSE 'pending' END,"
    "   next_attempt_at = CASE WHEN $6::integer < 0 THEN next_attempt_at"
    "                     ELSE now() + make_interval(secs => $6::integer) END"
    "   WHERE id = $2::bigint AND endpoint_id = $1 AND status = 'pending')" RENEW_LEASE("$5"),
    6};

static const db_stmt gone_stmt = {
    "outbox_gone",
    "WITH d AS ("
    "  UPDATE webhook_deliveries SET attempts = attempts + 1, last_attempt_at = now(),"
    "   last_status = 410, last_error = 'the receiver answered 410 Gone', status = 'failed'"
    "   WHERE id = $2::bigint AND status = 'pending')"
    " UPDATE webhook_endpoints SET status = 'disabled', disabled_reason = 'gone',"
    "  leased_until = NULL, version = version + 1, updated_at = now()"
    " WHERE id = $1",
    2};

static const db_stmt release_stmt = {
    "outbox_release", "UPDATE webhook_endpoints SET leased_until = now() WHERE id = $1", 1};

void outbox_batch_free(outbox_batch *b)
{
    for (int i = 0; i < b->n; i++)
        free(b->items[i].payload);
    free(b->items);
    free(b->url);
    free(b->secret_sealed);
    free(b->previous_sealed);
    memset(b, 0, sizeof *b);
}

/* The worker's transactions commit without waiting for the WAL flush
 * (store_begin_read): a lease or an answer lost with a crash of the
 * database server only means the delivery is sent again, with the same
 * webhook-id, and the writes of the requests are not held up behind the
 * deliveries' flushes. */
int outbox_claim(store *s, int lease_s, int max, outbox_batch *out)
{
    memset(out, 0, sizeof *out);
    if (store_begin_read(s) != 0)
        return -1;
    sql_int lease, limit;
    const char *params[] = {sql_int_of(&lease, lease_s), sql_int_of(&limit, max)};
    PGresult *res = sql_query(s, &claim_stmt, params);
    if (!res)
        return -1;
    int rows = PQntuples(res);
    if (rows > 0) {
        sql_copy(out->endpoint_id, sizeof out->endpoint_id, PQgetvalue(res, 0, 0));
        out->url = xstrdup(PQgetvalue(res, 0, 1));
        out->secret_sealed = xstrdup(PQgetvalue(res, 0, 2));
        if (!PQgetisnull(res, 0, 3))
            out->previous_sealed = xstrdup(PQgetvalue(res, 0, 3));
        out->items = xcalloc((size_t)rows, sizeof *out->items);
        for (int i = 0; i < rows; i++) {
            outbox_item *it = &out->items[i];
            sql_copy(it->id, sizeof it->id, PQgetvalue(res, i, 4));
            sql_copy(it->message_id, sizeof it->message_id, PQgetvalue(res, i, 5));
            it->payload = xstrdup(PQgetvalue(res, i, 6));
            it->attempts = atoi(PQgetvalue(res, i, 7));
        }
        out->n = rows;
    }
    PQclear(res);
    if (store_commit(s) != 0) {
        outbox_batch_free(out);
        return -1;
    }
    return rows > 0;
}

static int run_alone(store *s, const db_stmt *st, const char *const *params)
{
    if (store_begin_read(s) != 0 || sql_run(s, st, params) != 0)
        return -1;
    return store_commit(s);
}

int outbox_delivered(store *s, const char *endpoint_id, const char *delivery_id, int status,
                     int lease_s)
{
    sql_int st, lease;
    const char *params[] = {endpoint_id, delivery_id, sql_int_of(&st, status),
                            sql_int_of(&lease, lease_s)};
    return run_alone(s, &delivered_stmt, params);
}

int outbox_retry(store *s, const char *endpoint_id, const char *delivery_id, int status,
                 const char *error, int delay_s, int lease_s)
{
    sql_int st, delay, lease;
    const char *params[] = {endpoint_id, delivery_id, sql_int_of(&st, status), error,
                            sql_int_of(&lease, lease_s), sql_int_of(&delay, delay_s)};
    return run_alone(s, &retry_stmt, params);
}

int outbox_gone(store *s, const char *endpoint_id, const char *delivery_id)
{
    const char *params[] = {endpoint_id, delivery_id};
    return run_alone(s, &gone_stmt, params);
}

int outbox_release(store *s, const char *endpoint_id)
{
    const char *params[] = {endpoint_id};
    return run_alone(s, &release_stmt, params);
}
