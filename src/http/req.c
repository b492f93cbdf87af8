#include "http/req.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yder.h>

#include "core/text.h"
#include "http/server.h"

void req_id_choose(const char *given, char out[65])
{
    size_t n = given ? strlen(given) : 0;
    bool usable = n > 0 && n <= 64;
    for (size_t i = 0; usable && i < n; i++) {
        char c = given[i];
        usable = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '_' || c == '.' || c == ':';
    }
    if (usable)
        memcpy(out, given, n + 1);
    else
        text_random_hex(out, 32);
}

const char *req_method_label(const char *m)
{
    static const char *known[] = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (m && strcmp(m, known[i]) == 0)
            return known[i];
    return "OTHER";
}

const char *req_header(const req *r, const char *name)
{
    return u_map_get_case(r->u->map_header, name);
}

const char *req_path(const req *r, int i)
{
    return i < r->n_path ? r->path[i] : NULL;
}

const char *req_query(const req *r, const char *name)
{
    for (int i = 0; i < r->n_query; i++)
        if (strcmp(r->query[i].name, name) == 0)
            return r->query[i].value;
    return NULL;
}

const config *req_config(const req *r)
{
    return r->svc->cfg;
}

db_conn *req_db(req *r)
{
    if (r->db)
        return r->db;
    enum db_failure why = DB_UNAVAILABLE;
    r->db = db_acquire(&why);
    if (!r->db) {
        reply_header(r, "Retry-After", "1");
        problem(r, 503, "database-unavailable", "Service Unavailable",
                why == DB_BUSY ? "All database connections are busy; try again shortly."
                               : "The database cannot be reached; try again shortly.");
        return NULL;
    }
    /* learning a lost commit's outcome ends a second before the request's
     * deadline, so that the answer still reaches the client */
    struct timespec by = r->started;
    by.tv_sec += req_config(r)->request_timeout_s - 1;
    db_set_deadline(r->db, &by);
    store_init(&r->st, r->db, &r->who, r->request_id, r->now);
    r->st.trace_id = r->trace_id[0] ? r->trace_id : NULL;
    return r->db;
}

store *req_store(req *r)
{
    return req_db(r) ? &r->st : NULL;
}

void req_release(req *r)
{
    if (r->db) {
        db_release(r->db);
        r->db = NULL;
    }
}

void req_db_failed(req *r)
{
    switch (db_failure_of(r->db)) {
    case DB_UNAVAILABLE:
    case DB_BUSY:
    case DB_TIMEOUT:
        reply_header(r, "Retry-After", "1");
        problem(r, 503, "database-unavailable", "Service Unavailable",
                "The database did not answer; try again shortly.");
        return;
    case DB_OUTCOME_UNKNOWN:
        reply_header(r, "Retry-After", "1");
        problem(r, 503, "outcome-unknown", "Service Unavailable",
                "The connection to the database was lost while the change was being committed, "
                "and the database could not be asked in time whether it was. Read the resource "
                "again to learn whether the change was made; a request with an Idempotency-Key "
                "may be repeated with the same key, which returns the first answer if the "
                "change was made and makes it if not.");
        return;
    case DB_RETRYABLE:
        reply_header(r, "Retry-After", "1");
        problem(r, 503, "concurrent-update", "Service Unavailable",
                "A concurrent change got in the way; try again.");
        return;
    case DB_UNIQUE:
        problem(r, 409, "conflict", "Conflict", "A resource with the same identity already exists.");
        return;
    case DB_REFUSED:
    case DB_BUG:
    case DB_OK:
        break;
    }
    y_log_message(Y_LOG_LEVEL_ERROR, "request %s: database error %s", r->request_id,
                  db_sqlstate_of(r->db));
    problem_internal(r);
}

static void set_body(req *r, int status, const char *body, const char *content_type)
{
    if (r->status) {
        y_log_message(Y_LOG_LEVEL_ERROR, "request %s answered twice (%d then %d)",
                      r->request_id, r->status, status);
        return;
    }
    r->status = status;
    ulfius_set_string_body_response(r->resp, (unsigned)status, body);
    u_map_put(r->resp->map_header, "Content-Type", content_type);
}

void reply_json_text(req *r, int status, const char *json)
{
    set_body(r, status, json, "application/json");
}

void reply_json(req *r, int status, json_t *body)
{
    char *text = json_dumps(body, JSON_COMPACT);
    set_body(r, status, text ? text : "{}", "application/json");
    free(text);
}

void reply_empty(req *r, int status)
{
    if (r->status)
        return;
    r->status = status;
    ulfius_set_empty_body_response(r->resp, (unsigned)status);
}

void reply_bytes(req *r, int status, const char *content_type, const char *data, size_t len)
{
    if (r->status)
        return;
    r->status = status;
    ulfius_set_binary_body_response(r->resp, (unsigned)status, data, len);
    u_map_put(r->resp->map_header, "Content-Type", content_type);
}

void reply_header(req *r, const char *name, const char *value)
{
    u_map_put(r->resp->map_header, name, value);
}

void reply_etag(req *r, long version)
{
    char etag[32];
    snprintf(etag, sizeof etag, "\"%ld\"", version);
    reply_header(r, "ETag", etag);
}

static void problem_with(req *r, int status, const char *slug, const char *title,
                         const char *detail, const char *reason)
{
    char type[96];
    snprintf(type, sizeof type, "/problems/%s", slug);
    json_t *p = json_pack("{s:s, s:s, s:i, s:s, s:s}", "type", type, "title", title, "status",
                          status, "detail", detail, "request_id", r->request_id);
    if (reason)
        json_object_set_new(p, "reason", json_string(reason));
    const char *path = r->u->url_path;
    if (path && text_is_utf8(path, strlen(path)))
        json_object_set_new(p, "instance", json_string(path));
    if (r->errors && json_array_size(r->errors) > 0)
        json_object_set(p, "errors", r->errors);
    char *text = json_dumps(p, JSON_COMPACT);
    json_decref(p);
    set_body(r, status, text ? text : "{}", "application/problem+json");
    free(text);
}

void problem(req *r, int status, const char *slug, const char *title, const char *detail)
{
    problem_with(r, status, slug, title, detail, NULL);
}

void problem_unauthenticated(req *r, const char *reason_class, const char *detail)
{
    problem_with(r, 401, "unauthenticated", "Unauthorized", detail, reason_class);
}

static void add_error(req *r, const char *field, const char *rule, const char *message)
{
    if (!r->errors)
        r->errors = json_array();
    if (json_array_size(r->errors) >= 100)
        return; /* enough to act on; the rest would only bloat the answer */
    /* fields and messages may quote client text cut mid-character */
    char clean_field[256], clean_message[512];
    snprintf(clean_field, sizeof clean_field, "%s", field ? field : "");
    snprintf(clean_message, sizeof clean_message, "%s", message);
    text_utf8_sanitize(clean_field);
    text_utf8_sanitize(clean_message);
    json_t *e = json_pack("{s:s, s:s}", "field", clean_field, "message", clean_message);
    if (rule)
        json_object_set_new(e, "rule", json_string(rule));
    json_array_append_new(r->errors, e);
}

void req_error(req *r, const char *field, const char *rule, const char *message)
{
    add_error(r, field, rule, message);
}

void req_schema_error(req *r, const char *field, const char *message)
{
    add_error(r, field, NULL, message);
    r->schema_error = true;
}

bool req_has_errors(const req *r)
{
    return r->errors && json_array_size(r->errors) > 0;
}

void problem_invalid(req *r)
{
    if (r->schema_error)
        problem(r, 400, "invalid-request", "Bad Request",
                "The request does not have the documented shape; see errors.");
    else
        problem(r, 422, "rule-violated", "Unprocessable Content",
                "The request breaks one or more rules; see errors.");
}

void problem_not_found(req *r)
{
    problem(r, 404, "not-found", "Not Found", "No such resource is visible to you.");
}

void problem_forbidden(req *r, const char *rule, const char *detail)
{
    if (rule)
        req_error(r, NULL, rule, detail);
    problem(r, 403, "forbidden", "Forbidden", detail);
}

void problem_conflict(req *r, const char *rule, const char *detail)
{
    if (rule)
        req_error(r, "status", rule, detail);
    problem(r, 409, "invalid-state", "Conflict", detail);
}

void problem_internal(req *r)
{
    problem(r, 500, "internal", "Internal Server Error",
            "Something went wrong on our side; the request id identifies it in our logs.");
}
