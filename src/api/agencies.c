/* The agency directory: read by everyone, kept by admins. Not case data,
 * but every change is audited and announced on the feed all the same. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "api/handlers.h"
#include "core/buf.h"
#include "domain/json_in.h"
#include "domain/meeting.h"
#include "http/idempotency.h"
#include "http/page.h"
#include "http/pipeline.h"
#include "store/audit.h"
#include "store/feed.h"

#define AGENCY_NAME_MAX 200

static const db_stmt list_stmt = {
    "agencies_list",
    "SELECT agency_json(a), a.code FROM agencies a"
    " WHERE ($1::text IS NULL OR a.kind = $1) AND ($2::boolean IS NULL OR a.active = $2)"
    "   AND ($3::text IS NULL OR a.code > $3)"
    " ORDER BY a.code LIMIT $4",
    4};

static const db_stmt get_stmt = {
    "agencies_get", "SELECT agency_json(a), a.version FROM agencies a WHERE a.code = $1", 1};

static const db_stmt lock_stmt = {
    "agencies_lock", "SELECT a.version FROM agencies a WHERE a.code = $1 FOR UPDATE", 1};

static const db_stmt insert_stmt = {
    "agencies_insert",
    "INSERT INTO agencies (code, name, kind) VALUES ($1, $2, $3)"
    " RETURNING agency_json(agencies), version",
    3};

static const db_stmt update_stmt = {
    "agencies_update",
    "UPDATE agencies SET name = coalesce($2, name), kind = coalesce($3, kind),"
    " active = coalesce($4::boolean, active), version = version + 1, updated_at = now()"
    " WHERE code = $1 RETURNING agency_json(agencies), version",
    4};

static const char *const agency_read_only[] = {"version", "created_at", "updated_at", NULL};

void handle_agencies_list(req *r)
{
    const char *kind = req_query(r, "kind");
    const char *active = req_query(r, "active");
    violations v;
    violations_init(&v);
    if (kind) {
        bool known = false;
        for (const char *const *k = agency_kinds; *k; k++)
            known |= strcmp(*k, kind) == 0;
        if (!known)
            violation_schema(&v, "kind", "kind is not an agency kind");
    }
    if (active && strcmp(active, "true") != 0 && strcmp(active, "false") != 0)
        violation_schema(&v, "active", "active must be true or false");
    if (answer_violations(r, &v))
        return;
    int limit;
    char *after[1];
    if (!read_page(r, &limit, after, 1))
        return;
    db_conn *c = req_db(r);
    if (!c) {
        free_parts(after, 1);
        return;
    }
    char limit_text[16];
    snprintf(limit_text, sizeof limit_text, "%d", limit + 1);
    const char *params[] = {kind, active, after[0], limit_text};
    PGresult *res = db_exec(c, &list_stmt, params);
    free_parts(after, 1);
    if (!res) {
        req_db_failed(r);
        return;
    }
    buf out;
    buf_init(&out);
    page_spec spec = {.limit = limit, .key_first_col = 1, .key_cols = 1, .id_col = -1};
    page_render(res, &spec, &out, NULL);
    PQclear(res);
    reply_json_text(r, 200, out.data);
    buf_free(&out);
}

void handle_agencies_get(req *r)
{
    db_conn *c = req_db(r);
    if (!c)
        return;
    const char *params[] = {req_path(r, 0)};
    PGresult *res = db_exec(c, &get_stmt, params);
    if (!res) {
        req_db_failed(r);
        return;
    }
    if (PQntuples(res) == 0) {
        problem_not_found(r);
    } else {
        reply_etag(r, atol(PQgetvalue(res, 0, 1)));
        reply_json_text(r, 200, PQgetvalue(res, 0, 0));
    }
    PQclear(res);
}

static void record_change(req *r, PGresult *res, const char *code, const char *action,
                          const char *event, int status, const char *location)
{
    long version = atol(PQgetvalue(res, 0, 1));
    if (audit_record(r, action, "agency", code) != 0 ||
        feed_everyone(r, event, "agency", code, version) != 0) {
        req_db_failed(r);
        return;
    }
    if (location) {
        char etag[24];
        snprintf(etag, sizeof etag, "\"%ld\"", version);
        if (idem_remember(r, status, location, etag, PQgetvalue(res, 0, 0)) != 0) {
            req_db_failed(r);
            return;
        }
    }
    answer_resource(r, status, PQgetvalue(res, 0, 0), version, location);
}

void handle_agencies_create(req *r)
{
    static const char *const fields[] = {"code", "name", "kind", NULL};
    violations v;
    violations_init(&v);
    jin_only_keys(&v, r->body, "", fields, agency_read_only);
    const char *code = jin_string(&v, r->body, "", "code", 32, true, NULL);
    const char *name = jin_string(&v, r->body, "", "name", AGENCY_NAME_MAX, true, NULL);
    const char *kind = jin_enum(&v, r->body, "", "kind", agency_kinds, true, NULL);
    if (code && !agency_code_valid(code))
        violation_schema(&v, "code", "code is 2 to 32 of A-Z, 0-9, '_' and '-', starting with a letter or digit");
    if (answer_violations(r, &v))
        return;

    db_conn *c = req_db(r);
    if (!c)
        return;
    if (db_begin(c) != 0) {
        req_db_failed(r);
        return;
    }
    if (idem_begin(r, "agency.create.replayed", "agency") != IDEM_PROCEED)
        return;
    const char *params[] = {code, name, kind};
    PGresult *res = db_exec(c, &insert_stmt, params);
    if (!res) {
        if (db_failure_of(c) == DB_UNIQUE)
            problem(r, 409, "agency-exists", "Conflict", "An agency with this code already exists.");
        else
            req_db_failed(r);
        return;
    }
    char location[64];
    snprintf(location, sizeof location, "/v1/agencies/%s", code);
    record_change(r, res, code, "agency.create", "agency.created", 201, location);
    PQclear(res);
}

void handle_agencies_update(req *r)
{
    static const char *const fields[] = {"name", "kind", "active", NULL};
    static const char *const read_only[] = {"code", "version", "created_at", "updated_at", NULL};
    violations v;
    violations_init(&v);
    jin_only_keys(&v, r->body, "", fields, read_only);
    const char *name = jin_string(&v, r->body, "", "name", AGENCY_NAME_MAX, false, NULL);
    const char *kind = jin_enum(&v, r->body, "", "kind", agency_kinds, false, NULL);
    int active = jin_bool(&v, r->body, "", "active");
    for (const char *const *f = fields; *f; f++) {
        json_t *value = json_object_get(r->body, *f);
        if (value && (json_is_null(value) || (json_is_string(value) && !name && strcmp(*f, "name") == 0)))
            violation_schema(&v, *f, "'%s' cannot be null or blank", *f);
    }
    if (json_object_size(r->body) == 0)
        violation_schema(&v, "", "the patch changes nothing");
    if (answer_violations(r, &v))
        return;

    const char *code = req_path(r, 0);
    db_conn *c = req_db(r);
    if (!c)
        return;
    if (db_begin(c) != 0) {
        req_db_failed(r);
        return;
    }
    const char *lock_params[] = {code};
    PGresult *res = db_exec(c, &lock_stmt, lock_params);
    if (!res) {
        req_db_failed(r);
        return;
    }
    bool found = PQntuples(res) == 1;
    long version = found ? atol(PQgetvalue(res, 0, 0)) : 0;
    PQclear(res);
    if (!found) {
        problem_not_found(r);
        return;
    }
    if (!pipeline_if_match(r, version))
        return;
    const char *params[] = {code, name, kind, active < 0 ? NULL : active ? "true" : "false"};
    res = db_exec(c, &update_stmt, params);
    if (!res) {
        req_db_failed(r);
        return;
    }
    record_change(r, res, code, "agency.update", "agency.updated", 200, NULL);
    PQclear(res);
}
