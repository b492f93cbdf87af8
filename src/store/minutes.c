#include "store/minutes.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

static const db_stmt current_stmt = {
    "minutes_current",
    "SELECT number, status, version FROM minutes WHERE meeting_id = $1"
    " ORDER BY number DESC LIMIT 1",
    1};

static const db_stmt current_lock_stmt = {
    "minutes_current_lock",
    "SELECT number, status, version FROM minutes WHERE meeting_id = $1"
    " ORDER BY number DESC LIMIT 1 FOR UPDATE",
    1};

static const db_stmt render_stmt = {
    "minutes_render", "SELECT minutes_json(v) FROM minutes v WHERE v.meeting_id = $1 AND v.number = $2",
    2};

static const db_stmt content_stmt = {
    "minutes_content", "SELECT content::text FROM minutes WHERE meeting_id = $1 AND number = $2", 2};

static const db_stmt create_stmt = {
    "minutes_create",
    "INSERT INTO minutes (meeting_id, number, content, amendment_reason, created_by_sub,"
    " created_by_name, updated_by_sub, updated_by_name)"
    " VALUES ($1, $2::integer, $3::jsonb, $4, $5, $6, $5, $6)",
    6};

static const db_stmt update_stmt = {
    "minutes_update",
    "UPDATE minutes SET content = $3::jsonb, updated_by_sub = $4, updated_by_name = $5,"
    " updated_at = now(), version = version + 1"
    " WHERE meeting_id = $1 AND number = $2::integer AND status = 'draft'",
    5};

static const db_stmt approve_stmt = {
    "minutes_approve",
    "UPDATE minutes SET status = 'approved', approved_by_sub = $3, approved_by_name = $4,"
    " approved_at = now(), version = version + 1"
    " WHERE meeting_id = $1 AND number = $2::integer AND status = 'draft'",
    4};

static const db_stmt distribute_stmt = {
    "minutes_distribute",
    "INSERT INTO minutes_distribution (meeting_id, number, recipient_name, recipient_agency,"
    " category, contact, sent_at, recorded_by_sub, recorded_by_name)"
    " VALUES ($1, $2::integer, $3, $4, $5, $6, coalesce($7::timestamptz, now()), $8, $9)",
    9};

static int run(req *r, const db_stmt *s, const char *const *params)
{
    PGresult *res = db_exec(r->db, s, params);
    if (!res)
        return -1;
    PQclear(res);
    return 0;
}

int minutes_current(req *r, const char *meeting_id, bool lock, minutes_row *out)
{
    memset(out, 0, sizeof *out);
    const char *params[] = {meeting_id};
    PGresult *res = db_exec(r->db, lock ? &current_lock_stmt : &current_stmt, params);
    if (!res)
        return -1;
    if (PQntuples(res) == 1) {
        out->number = atoi(PQgetvalue(res, 0, 0));
        snprintf(out->status, sizeof out->status, "%s", PQgetvalue(res, 0, 1));
        out->version = atol(PQgetvalue(res, 0, 2));
    }
    PQclear(res);
    return 0;
}

char *minutes_render(req *r, const char *meeting_id, int number, bool *found)
{
    char n[16];
    snprintf(n, sizeof n, "%d", number);
    const char *params[] = {meeting_id, n};
    char *json = db_exec_value(r->db, &render_stmt, params, found);
    if (!json && db_failure_of(r->db) != DB_OK)
        *found = true;
    return json;
}

json_t *minutes_content(req *r, const char *meeting_id, int number)
{
    char n[16];
    snprintf(n, sizeof n, "%d", number);
    const char *params[] = {meeting_id, n};
    bool found;
    char *text = db_exec_value(r->db, &content_stmt, params, &found);
    json_t *content = text ? json_loads(text, 0, NULL) : NULL;
    free(text);
    return content;
}

int minutes_write(req *r, const char *meeting_id, int number, const char *content_json,
                  bool create, const char *amendment_reason)
{
    char n[16];
    snprintf(n, sizeof n, "%d", number);
    if (create) {
        const char *params[] = {meeting_id, n, content_json, amendment_reason, r->who.sub,
                                r->who.name};
        return run(r, &create_stmt, params);
    }
    const char *params[] = {meeting_id, n, content_json, r->who.sub, r->who.name};
    return run(r, &update_stmt, params);
}

int minutes_approve(req *r, const char *meeting_id, int number)
{
    char n[16];
    snprintf(n, sizeof n, "%d", number);
    const char *params[] = {meeting_id, n, r->who.sub, r->who.name};
    return run(r, &approve_stmt, params);
}

int minutes_distribute(req *r, const char *meeting_id, int number, const char *name,
                       const char *agency, const char *category, const char *contact,
                       const char *sent_at)
{
    char n[16];
    snprintf(n, sizeof n, "%d", number);
    const char *params[] = {meeting_id, n,       name,       agency,     category,
                            contact,    sent_at, r->who.sub, r->who.name};
    return run(r, &distribute_stmt, params);
}
