/* req: one HTTP request on its way through the pipeline, and everything a
 * handler uses to answer it.
 *
 * The pipeline (http/pipeline.c) builds a req, checks size, token, media
 * type and JSON, calls the route's handler, then finishes: it releases the
 * database connection, adds X-Request-Id and Cache-Control, counts the
 * request in the metrics and writes one access-log line. The req owns every
 * allocation it holds; handlers borrow.
 *
 * Handlers answer exactly once, with reply_*() or problem_*(). */
#ifndef MAM_REQ_H
#define MAM_REQ_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include <ulfius.h>

#include "auth/caller.h"
#include "core/config.h"
#include "db/db.h"
#include "http/query.h"
#include "http/route.h"
#include "store/store.h"

struct http_service;
#define REQ_MAX_PATH_PARAMS 4
#define REQ_MAX_QUERY_PARAMS 16

typedef struct req {
    const struct _u_request *u;
    struct _u_response *resp;
    const route *route;
    const struct http_service *svc; /* what the server serves (http/server.h) */
    struct timespec started;
    time_t now; /* the request's one clock (core/clock.h) */
    char request_id[65];
    char trace_id[33]; /* from a valid traceparent, else "" */

    caller who;
    json_t *body; /* the parsed JSON object, when the route takes one */

    char *path[REQ_MAX_PATH_PARAMS];
    int n_path;
    query_param query[REQ_MAX_QUERY_PARAMS];
    int n_query;

    db_conn *db;   /* acquired on first use */
    store st;      /* the store's view of this request, once db is acquired */
    json_t *errors; /* problem "errors" collected so far */
    bool schema_error; /* an error is about the document's shape: 400 */
    int status;     /* 0 until answered */
    bool idempotency_claimed; /* this request holds its Idempotency-Key */
} req;

/* --- reading the request --- */
/* The request's id: the client's X-Request-Id when it is 1 to 64
 * characters of A-Z a-z 0-9 - _ . :, else a new random one. */
void req_id_choose(const char *given, char out[65]);
/* The method for logs and metrics: a known one, else "OTHER". */
const char *req_method_label(const char *method);

const char *req_header(const req *r, const char *name);
/* The i-th path parameter, in template order. */
const char *req_path(const req *r, int i);
/* A query parameter's value, or NULL when absent. */
const char *req_query(const req *r, const char *name);

/* The service's configuration (policy values among it). */
const config *req_config(const req *r);

/* --- database --- */
/* The request's store (its connection, caller, request id and clock), the
 * connection acquired on first use. NULL after answering 503. */
store *req_store(req *r);
/* The request's connection, acquired on first use. NULL after answering 503. */
db_conn *req_db(req *r);
/* Answers for the failure recorded on the request's connection: 503 while
 * the database cannot answer, 409 for a duplicate, 500 for a defect. */
void req_db_failed(req *r);
/* Gives the connection back (the pipeline does, when the request ends). */
void req_release(req *r);

/* --- answers --- */
void reply_json_text(req *r, int status, const char *json);
void reply_json(req *r, int status, json_t *body); /* does not steal body */
void reply_empty(req *r, int status);
/* Any other media type (metrics text, the YAML contract). */
void reply_bytes(req *r, int status, const char *content_type, const char *data, size_t len);
void reply_header(req *r, const char *name, const char *value);
void reply_etag(req *r, long version);

/* Problem details (RFC 9457). slug names the problem type under /problems/. */
void problem(req *r, int status, const char *slug, const char *title, const char *detail);

/* Collects one entry of "errors"; rule may be NULL. Schema errors (wrong
 * type, unknown field, too long) make the answer 400; rule errors 422. */
void req_error(req *r, const char *field, const char *rule, const char *message);
void req_schema_error(req *r, const char *field, const char *message);
bool req_has_errors(const req *r);
/* Answers 400 or 422 with every collected error. */
void problem_invalid(req *r);

/* Short forms for the common answers. */
void problem_not_found(req *r);
void problem_forbidden(req *r, const char *rule, const char *detail);
void problem_conflict(req *r, const char *rule, const char *detail);
void problem_internal(req *r);
/* 401 with the reason class (e.g. "expired", "missing_claim") as the
 * problem's "reason" member; never a value from the token. */
void problem_unauthenticated(req *r, const char *reason_class, const char *detail);

#endif
