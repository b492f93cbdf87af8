#include "http/idempotency.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/text.h"
#include "store/audit.h"
#include "store/idempotency.h"

#define IDEM_KEY_MAX 255

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

static void replay(req *r, const idempotency_answer *a)
{
    if (a->location)
        reply_header(r, "Location", a->location);
    if (a->etag)
        reply_header(r, "ETag", a->etag);
    reply_header(r, "Idempotent-Replayed", "true");
    reply_json_text(r, a->status, a->body ? a->body : "{}");
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
    store *s = req_store(r);
    if (!s)
        return IDEM_ANSWERED;
    char hash[65];
    request_hash(r, hash);
    int claimed = idempotency_claim(s, key, hash);
    if (claimed < 0) {
        req_db_failed(r);
        return IDEM_ANSWERED;
    }
    if (claimed) {
        r->idempotency_claimed = true;
        return IDEM_PROCEED;
    }
    idempotency_answer held;
    int found = idempotency_fetch(s, key, &held);
    if (found < 0) {
        req_db_failed(r);
        return IDEM_ANSWERED;
    }
    if (!found || !held.answered) {
        /* claimed by a transaction that then failed between our two reads */
        idempotency_answer_free(&held);
        reply_header(r, "Retry-After", "1");
        problem(r, 409, "idempotency-in-progress", "Conflict",
                "A request with this Idempotency-Key is still being processed; retry shortly.");
        return IDEM_ANSWERED;
    }
    if (strcmp(held.hash, hash) != 0) {
        idempotency_answer_free(&held);
        req_error(r, "Idempotency-Key", NULL, "this key was already used for a different request");
        problem(r, 422, "idempotency-key-reused", "Unprocessable Content",
                "The Idempotency-Key was already used with a different request.");
        return IDEM_ANSWERED;
    }
    if (audit_record(s, audit_action, resource_type,
                     held.location ? location_id(held.location) : NULL) != 0 ||
        store_commit(s) != 0)
        req_db_failed(r);
    else
        replay(r, &held);
    idempotency_answer_free(&held);
    return IDEM_ANSWERED;
}

int idem_remember(req *r, int status, const char *location, const char *etag, const char *body)
{
    const char *key = req_header(r, "Idempotency-Key");
    if (!key || !r->idempotency_claimed)
        return 0; /* routes without idempotency never touch a stored answer */
    return idempotency_remember(&r->st, key, status, location, etag, body);
}
