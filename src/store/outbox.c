#include "store/outbox.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/xalloc.h"
#include "store/sql.h"

/* Endpoints that are active, not leased, and have a delivery due. */
#define SERVABLE(w)                                                                          \
    " " w ".status = 'active' AND (" w ".leased_until IS NULL OR " w ".leased_until < now())" \
    " AND EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.endpoint_id = " w ".id"          \
    "              AND d.status = 'pending' AND d.next_attempt_at <= now())"

/* The least recently served endpoints first; no more of them than a fair
 * share of those servable ($4 workers looking), so that the other workers
 * find some too while this one serves its turn. */
static const db_stmt claim_stmt = {
    "outbox_claim",
    "WITH e AS ("
    "  SELECT w.id FROM webhook_endpoints w WHERE" SERVABLE("w")
    "   ORDER BY w.leased_until NULLS FIRST, w.id"
    "   LIMIT (SELECT least($3::integer, greatest(1, ceil(count(*) / $4::numeric)))::integer"
    "            FROM webhook_endpoints s WHERE" SERVABLE("s") ")"
    "   FOR NO KEY UPDATE OF w SKIP LOCKED),"
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
    "  ORDER BY l.id, d.tx, d.event_position",
    4};

/* $1: the answers, [{id, endpoint_id, outcome, status, error, delay_s}];
 * $2: the leases, [{id, renew}]; $3: the renewed leases' seconds. A
 * delivery is recorded only while pending (a replay meanwhile stays). */
static const db_stmt record_stmt = {
    "outbox_record",
    "WITH o AS ("
    "  SELECT * FROM json_to_recordset($1::json)"
    "    AS o(id bigint, endpoint_id uuid, outcome text, status integer, error text,"
    "         delay_s integer)),"
    " recorded AS ("
    "  UPDATE webhook_deliveries d SET attempts = d.attempts + 1, last_attempt_at = now(),"
    "   last_status = nullif(o.status, 0),"
    "   last_error = CASE o.outcome WHEN 'gone' THEN 'the receiver answered 410 Gone'"
    "                               ELSE o.error END,"
    "   status = CASE WHEN o.outcome = 'delivered' THEN 'delivered'"
    "                 WHEN o.outcome = 'retry' AND o.delay_s >= 0 THEN 'pending'"
    "                 ELSE 'failed' END,"
    "   delivered_at = CASE WHEN o.outcome = 'delivered' THEN now() ELSE d.delivered_at END,"
    "   next_attempt_at = CASE WHEN o.outcome = 'retry' AND o.delay_s >= 0"
    "                          THEN now() + make_interval(secs => o.delay_s)"
    "                          ELSE d.next_attempt_at END"
    "   FROM o WHERE d.id = o.id AND d.endpoint_id = o.endpoint_id AND d.status = 'pending'),"
    " l AS ("
    "  SELECT coalesce(e.id, g.endpoint_id) AS id, g.endpoint_id IS NOT NULL AS gone,"
    "         coalesce(e.renew, false) AS renew"
    "    FROM json_to_recordset($2::json) AS e(id uuid, renew boolean)"
    "    FULL JOIN (SELECT DISTINCT o.endpoint_id FROM o WHERE o.outcome = 'gone') g"
    "      ON g.endpoint_id = e.id)"
    " UPDATE webhook_endpoints w SET"
    "  leased_until = CASE WHEN l.gone THEN NULL"
    "                      WHEN l.renew THEN now() + make_interval(secs => $3::integer)"
    "                      ELSE now() END,"
    "  status = CASE WHEN l.gone THEN 'disabled' ELSE w.status END,"
    "  disabled_reason = CASE WHEN l.gone THEN 'gone' ELSE w.disabled_reason END,"
    "  version = w.version + CASE WHEN l.gone THEN 1 ELSE 0 END,"
    "  updated_at = CASE WHEN l.gone THEN now() ELSE w.updated_at END"
    " FROM l WHERE w.id = l.id",
    3};

static void batch_free(outbox_batch *b)
{
    for (int i = 0; i < b->n; i++)
        free(b->items[i].payload);
    free(b->items);
    free(b->url);
    free(b->secret_sealed);
    free(b->previous_sealed);
}

void outbox_turn_free(outbox_turn *t)
{
    for (int i = 0; i < t->n; i++)
        batch_free(&t->batches[i]);
    free(t->batches);
    memset(t, 0, sizeof *t);
}

/* The worker's transactions commit without waiting for the WAL flush
 * (store_begin_read): a lease or an answer lost with a crash of the
 * database server only means the delivery is sent again, with the same
 * webhook-id, and the writes of the requests are not held up behind the
 * deliveries' flushes. */
int outbox_claim(store *s, int lease_s, int max_endpoints, int share_among, int max_items,
                 outbox_turn *out)
{
    memset(out, 0, sizeof *out);
    if (store_begin_read(s) != 0)
        return -1;
    sql_int lease, limit, endpoints, among;
    const char *params[] = {sql_int_of(&lease, lease_s), sql_int_of(&limit, max_items),
                            sql_int_of(&endpoints, max_endpoints),
                            sql_int_of(&among, share_among > 0 ? share_among : 1)};
    PGresult *res = sql_query(s, &claim_stmt, params);
    if (!res)
        return -1;
    int rows = PQntuples(res);
    if (rows > 0) {
        out->batches = xcalloc((size_t)rows, sizeof *out->batches);
        /* rows come grouped by endpoint; the items of each follow in feed order */
        for (int r = 0; r < rows;) {
            outbox_batch *b = &out->batches[out->n++];
            int first = r;
            while (r < rows && strcmp(PQgetvalue(res, r, 0), PQgetvalue(res, first, 0)) == 0)
                r++;
            sql_copy(b->endpoint_id, sizeof b->endpoint_id, PQgetvalue(res, first, 0));
            b->url = xstrdup(PQgetvalue(res, first, 1));
            b->secret_sealed = xstrdup(PQgetvalue(res, first, 2));
            if (!PQgetisnull(res, first, 3))
                b->previous_sealed = xstrdup(PQgetvalue(res, first, 3));
            b->items = xcalloc((size_t)(r - first), sizeof *b->items);
            for (int i = first; i < r; i++) {
                outbox_item *it = &b->items[b->n++];
                sql_copy(it->id, sizeof it->id, PQgetvalue(res, i, 4));
                sql_copy(it->message_id, sizeof it->message_id, PQgetvalue(res, i, 5));
                it->payload = xstrdup(PQgetvalue(res, i, 6));
                it->attempts = atoi(PQgetvalue(res, i, 7));
            }
        }
    }
    PQclear(res);
    if (store_commit(s) != 0) {
        outbox_turn_free(out);
        return -1;
    }
    return rows > 0;
}

static const char *outcome_name(enum outbox_outcome o)
{
    switch (o) {
    case OUTBOX_DELIVERED:
        return "delivered";
    case OUTBOX_GONE:
        return "gone";
    case OUTBOX_RETRY:
        break;
    }
    return "retry";
}

int outbox_record(store *s, const outbox_answer *answers, int n_answers,
                  const outbox_lease *leases, int n_leases, int lease_s)
{
    if (n_answers == 0 && n_leases == 0)
        return 0;
    buf a, l;
    buf_init(&a);
    buf_init(&l);
    buf_putc(&a, '[');
    for (int i = 0; i < n_answers; i++) {
        const outbox_answer *x = &answers[i];
        buf_puts(&a, i ? ",{\"id\":" : "{\"id\":");
        buf_json_string(&a, x->delivery_id);
        buf_puts(&a, ",\"endpoint_id\":");
        buf_json_string(&a, x->endpoint_id);
        buf_printf(&a, ",\"outcome\":\"%s\",\"status\":%d,\"delay_s\":%d,\"error\":",
                   outcome_name(x->outcome), x->status, x->delay_s);
        if (x->error)
            buf_json_string(&a, x->error);
        else
            buf_puts(&a, "null");
        buf_putc(&a, '}');
    }
    buf_putc(&a, ']');
    buf_putc(&l, '[');
    for (int i = 0; i < n_leases; i++) {
        buf_puts(&l, i ? ",{\"id\":" : "{\"id\":");
        buf_json_string(&l, leases[i].endpoint_id);
        buf_puts(&l, leases[i].renew ? ",\"renew\":true}" : ",\"renew\":false}");
    }
    buf_putc(&l, ']');
    sql_int lease;
    const char *params[] = {a.data, l.data, sql_int_of(&lease, lease_s)};
    int rc = -1;
    if (store_begin_read(s) == 0 && sql_run(s, &record_stmt, params) == 0)
        rc = store_commit(s);
    buf_free(&a);
    buf_free(&l);
    return rc;
}
