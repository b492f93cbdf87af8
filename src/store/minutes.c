#include "store/minutes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "core/xalloc.h"
#include "store/sql.h"

/* The current version of a meeting's minutes, named by the meeting's id;
 * its changes are announced to the meeting's agencies with the version's
 * number (minutes_number) and the row's version, which restarts with each
 * amendment: the two together name exactly what changed. */
const store_kind STORE_MINUTES = {
    "minutes",
    text_is_uuid,
    {"minutes_render",
     "SELECT minutes_json(v), v.version FROM minutes v WHERE v.meeting_id = $1"
     " ORDER BY v.number DESC LIMIT 1",
     1},
    {"minutes_read",
     "SELECT minutes_json(v), v.version FROM minutes v"
     " WHERE v.meeting_id = $1 AND meeting_visible($1, caller_principals($2, $3, $4::boolean))"
     " ORDER BY v.number DESC LIMIT 1",
     4},
    {"minutes_announce",
     "INSERT INTO events (event_id, agency, type, resource_type, resource_id, resource_version,"
     " minutes_number)"
     " SELECT e.id, a.code, $2, 'minutes', v.meeting_id::text, v.version, v.number"
     "   FROM (SELECT * FROM minutes WHERE meeting_id = $1 ORDER BY number DESC LIMIT 1) v,"
     "        (SELECT gen_random_uuid() AS id) e,"
     "        LATERAL (SELECT DISTINCT unnest(meeting_agencies(v.meeting_id)) AS code) a",
     2},
};

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

static const db_stmt version_stmt = {
    "minutes_version",
    "SELECT minutes_json(v), v.version FROM minutes v WHERE v.meeting_id = $1 AND v.number = $2",
    2};

static const db_stmt versions_stmt = {
    "minutes_versions",
    "SELECT minutes_json(v), v.number, v.number FROM minutes v WHERE v.meeting_id = $1"
    " AND ($2::integer IS NULL OR v.number > $2) ORDER BY v.number LIMIT $3",
    3};

/* The content of an approved version for its amendment, with the id of
 * the action each action item created injected into it, so that approving
 * the amendment does not create them twice. */
static const db_stmt with_action_ids_stmt = {
    "minutes_with_action_ids",
    "SELECT jsonb_set(v.content, '{actions}', coalesce((SELECT jsonb_agg(CASE"
    "   WHEN a.id IS NULL OR coalesce(btrim(e.j->>'action_id'), '') <> '' THEN e.j"
    "   ELSE e.j || jsonb_build_object('action_id', a.id) END ORDER BY e.ord)"
    "  FROM jsonb_array_elements(coalesce(v.content -> 'actions', '[]')) WITH ORDINALITY e(j, ord)"
    "  LEFT JOIN actions a ON a.meeting_id = v.meeting_id AND a.minutes_number = v.number"
    "                     AND a.item_index = e.ord - 1 AND a.kind = 'plan'), '[]'))::text"
    " FROM minutes v WHERE v.meeting_id = $1 AND v.number = $2::integer",
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

int minutes_current(store *s, const char *meeting_id, bool lock, minutes_row *out)
{
    memset(out, 0, sizeof *out);
    const char *params[] = {meeting_id};
    PGresult *res = sql_query(s, lock ? &current_lock_stmt : &current_stmt, params);
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

char *minutes_read(store *s, const char *meeting_id, int number, long *version, bool *found)
{
    sql_int number_text;
    const char *params[] = {meeting_id, sql_int_of(&number_text, number)};
    PGresult *res = sql_query(s, &version_stmt, params);
    *found = res == NULL; /* a failure is not "absent" */
    if (!res)
        return NULL;
    char *json = NULL;
    if (PQntuples(res) == 1) {
        *found = true;
        json = xstrdup(PQgetvalue(res, 0, 0));
        *version = atol(PQgetvalue(res, 0, 1));
    }
    PQclear(res);
    return json;
}

char *minutes_amendment_content(store *s, const char *meeting_id, int number)
{
    sql_int number_text;
    const char *params[] = {meeting_id, sql_int_of(&number_text, number)};
    bool found;
    return sql_value(s, &with_action_ids_stmt, params, &found);
}

int minutes_versions(store *s, const char *meeting_id, int limit, const char *after,
                     store_page *out)
{
    sql_int lim;
    const char *params[] = {meeting_id, after, sql_int_of(&lim, limit + 1)};
    return sql_list(s, &versions_stmt, params, limit, 1, -1, out);
}

json_t *minutes_content(store *s, const char *meeting_id, int number)
{
    sql_int number_text;
    const char *n = sql_int_of(&number_text, number);
    const char *params[] = {meeting_id, n};
    bool found;
    char *text = sql_value(s, &content_stmt, params, &found);
    json_t *content = text ? json_loads(text, 0, NULL) : NULL;
    free(text);
    return content;
}

int minutes_write(store *s, const char *meeting_id, int number, const char *content_json,
                  bool create, const char *amendment_reason)
{
    sql_int number_text;
    const char *n = sql_int_of(&number_text, number);
    if (create) {
        const char *params[] = {meeting_id, n, content_json, amendment_reason, s->who->sub,
                                s->who->name};
        return sql_run(s, &create_stmt, params);
    }
    const char *params[] = {meeting_id, n, content_json, s->who->sub, s->who->name};
    return sql_run(s, &update_stmt, params);
}

int minutes_approve(store *s, const char *meeting_id, int number)
{
    sql_int number_text;
    const char *n = sql_int_of(&number_text, number);
    const char *params[] = {meeting_id, n, s->who->sub, s->who->name};
    return sql_run(s, &approve_stmt, params);
}

int minutes_distribute(store *s, const char *meeting_id, int number, const char *name,
                       const char *agency, const char *category, const char *contact,
                       const char *sent_at)
{
    sql_int number_text;
    const char *n = sql_int_of(&number_text, number);
    const char *params[] = {meeting_id, n,       name,       agency,     category,
                            contact,    sent_at, s->who->sub, s->who->name};
    return sql_run(s, &distribute_stmt, params);
}
