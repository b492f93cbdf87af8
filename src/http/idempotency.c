#include "http/idempotency.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/text.h"
#include "store/audit.h"

#define IDEM_KEY_MAX 255

static const db_stmt claim = {
    "idem_claim",
    "INSERT INTO idempotency_keys (caller_sub, key, request_hash) VALUES ($1, $2, $3)"
    " ON CONFLICT (caller_sub, key) DO UPDATE"
    "   SET request_hash = EXCLUDED.request_hash, status = NULL, location = NULL, etag = NULL,"
    "       body = NULL, created_at = now()"
    "   WHERE idempotency_keys.created_at < now() - interval '24 hours'"
    " RETURNING 1",
    3};

static const db_stmt fetch = {
    "idem_fetch",
    "SELECT request_hash, status, location, etag, body FROM idempotency_keys"
    " WHERE caller_sub = $1 AND key = $2",
    2};

static const db_stmt remember = {
    "idem_remember",
    "UPDATE idempotency_keys SET status = $3, location = $4, etag = $5, body = $6"
    " WHERE caller_sub = $1 AND key = $2",
    6};

static const db_stmt purge = {
    "idem_purge",
    "DELETE FROM idempotency_keys WHERE created_at < now() - interval '24 hours'", 0};

static bool key_valid(const char *key)
{
    size_t n = strlen(key);
    if (n == 0 || n > IDEM_KEY_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (key[i] < 0x21 || key[i] > 0x7e)
            return false;
    return true;
}

/* The request's identity: method, path and the body as JSON with sorted
 * keys, so that whitespace and key order do not make a different request. */
static void request_hash(req *r, char out[65])
{
    buf b;
    buf_init(&b);
    buf_printf(&b, "%s %s\n", r->u->http_verb, r->u->url_path);
    if (r->body) {
        char *canonical = json_dumps(r->body, JSON_COMPACT | JSON_SORT_KEYS);
        if (canonical)
            buf_puts(&b, canonical);
        free(canonical);
    }
    text_sha256_hex(b.data, b.len, out);
    buf_free(&b);
}

static void replay(req *r, PGresult *row)
{
    const char *location = PQgetvalue(row, 0, 2);
    const char *etag = PQgetvalue(row, 0, 3);
    if (!PQgetisnull(row, 0, 2))
        reply_header(r, "Location", location);
    if (!PQgetisnull(row, 0, 3))
        reply_header(r, "ETag", etag);
    reply_header(r, "Idempotent-Replayed", "true");
    reply_json_text(r, atoi(PQgetvalue(row, 0, 1)), PQgetvalue(row, 0, 4));
}

/* The id at the end of a Location such as /v1/meetings/<id>. */
static const char *location_id(const char *location)
{
    const char *slash = strrchr(location, '/');
    return slash ? slash + 1 : location;
}

enum idem_outcome idem_begin(req *r, const char *audit_action, const char *resource_type)
{
    const char *key = req_header(r, "Idempotency-Key");
    if (!key)
        return IDEM_PROCEED;
    if (!key_valid(key)) {
        req_schema_error(r, "Idempotency-Key", "Idempotency-Key must be 1 to 255 visible ASCII characters");
        problem_invalid(r);
        return IDEM_ANSWERED;
    }
    char hash[65];
    request_hash(r, hash);
    const char *params[] = {r->who.sub, key, hash};
    PGresult *res = db_exec(r->db, &claim, params);
    if (!res) {
        req_db_failed(r);
        return IDEM_ANSWERED;
    }
    bool claimed = PQntuples(res) == 1;
    PQclear(res);
    if (claimed) {
        r->idempotency_claimed = true;
        return IDEM_PROCEED;
    }

    res = db_exec(r->db, &fetch, params);
    if (!res) {
        req_db_failed(r);
        return IDEM_ANSWERED;
    }
    if (PQntuples(res) != 1 || PQgetisnull(res, 0, 1)) {
        /* claimed by a transaction that then failed between our two reads */
        PQclear(res);
        reply_header(r, "Retry-After", "1");
        problem(r, 409, "idempotency-in-progress", "Conflict",
                "A request with this Idempotency-Key is still being processed; retry shortly.");
        return IDEM_ANSWERED;
    }
    if (strcmp(PQgetvalue(res, 0, 0), hash) != 0) {
        PQclear(res);
        req_error(r, "Idempotency-Key", NULL,
                  "this key was already used for a different request");
        problem(r, 422, "idempotency-key-reused", "Unprocessable Content",
                "The Idempotency-Key was already used with a different request.");
        return IDEM_ANSWERED;
    }
    const char *location = PQgetisnull(res, 0, 2) ? NULL : PQgetvalue(res, 0, 2);
    if (audit_record(r, audit_action, resource_type, location ? location_id(location) : NULL) != 0 ||
        db_commit(r->db) != 0) {
        PQclear(res);
        req_db_failed(r);
        return IDEM_ANSWERED;
    }
    replay(r, res);
    PQclear(res);
    return IDEM_ANSWERED;
}

int idem_remember(req *r, int status, const char *location, const char *etag, const char *body)
{
    const char *key = req_header(r, "Idempotency-Key");
    if (!key || !r->idempotency_claimed)
        return 0; /* routes without idempotency never touch a stored answer */
    char status_text[8];
    snprintf(status_text, sizeof status_text, "%d", status);
    const char *params[] = {r->who.sub, key, status_text, location, etag, body};
    PGresult *res = db_exec(r->db, &remember, params);
    if (!res)
        return -1;
    PQclear(res);
    return 0;
}

int idem_purge(db_conn *c)
{
    PGresult *res = db_exec(c, &purge, NULL);
    if (!res)
        return -1;
    int n = atoi(PQcmdTuples(res));
    PQclear(res);
    return n;
}
