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
     " WHERE v.meeting_id = $1"
     "   AND meeting_visible($1, caller_principals($2, $3, $4::boolean, $5::boolean))"
     " ORDER BY v.number DESC LIMIT 1",
     5},
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

/* What the approval is judged against: the meeting's invitations with the
 * marks recorded before the hold, leaving out family invitations withdrawn
 * (FAM-9), which neither attended nor need an entry or feedback. */
static const db_stmt facts_stmt = {
    "minutes_facts",
    "SELECT json_build_object('type', m.type, 'two_part', m.two_part,"
    "  'held_on', to_char((m.held_at AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD'),"
    "  'invitations', coalesce((SELECT json_agg(json_build_object('id', i.id,"
    "      'category', i.category, 'agency', i.agency, 'attendance', i.attendance)"
    "      ORDER BY i.invited_at, i.id) FROM invitations i"
    "      WHERE i.meeting_id = m.id AND i.status <> 'withdrawn'), '[]'),"
    "  'children', (SELECT count(*) FROM meeting_children c"
    "                WHERE c.meeting_id = m.id AND c.is_subject),"
    "  'other_children', (SELECT count(*) FROM meeting_children c"
    "                      WHERE c.meeting_id = m.id AND NOT c.is_subject))::text"
    " FROM meetings m WHERE m.id = $1",
    1};

static const db_stmt distribute_stmt = {
    "minutes_distribute",
    "INSERT INTO minutes_distribution (meeting_id, number, recipient_name, recipient_agency,"
    " category, contact, sent_at, recorded_by_sub, recorded_by_name, copy, rendition_id)"
    " VALUES ($1, $2::integer, $3, $4, $5, $6, coalesce($7::timestamptz, now()), $8, $9, $10,"
    " $11::uuid)",
    11};

/* MIN-5: the version and what the family's copy of it names of the meeting. */
static const db_stmt family_copy_stmt = {
    "minutes_family_copy",
    "SELECT v.status, v.content::text, v.version, rfc3339(v.approved_at), m.reference, m.type,"
    "       m.two_part, rfc3339(m.held_at)"
    "  FROM minutes v JOIN meetings m ON m.id = v.meeting_id"
    " WHERE v.meeting_id = $1 AND v.number = $2::integer",
    2};

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
                       const char *sent_at, const char *copy, const char *rendition_id)
{
    sql_int number_text;
    const char *n = sql_int_of(&number_text, number);
    const char *params[] = {meeting_id, n,       name,        agency,       category,
                            contact,    sent_at, s->who->sub, s->who->name, copy,
                            rendition_id};
    return sql_run(s, &distribute_stmt, params);
}

int minutes_family_copy_load(store *s, const char *meeting_id, int number,
                             minutes_family_copy_row *out)
{
    memset(out, 0, sizeof *out);
    sql_int number_text;
    const char *params[] = {meeting_id, sql_int_of(&number_text, number)};
    PGresult *res = sql_query(s, &family_copy_stmt, params);
    if (!res)
        return -1;
    int found = PQntuples(res) == 1;
    if (found) {
        sql_copy(out->status, sizeof out->status, PQgetvalue(res, 0, 0));
        out->content = json_loads(PQgetvalue(res, 0, 1), 0, NULL);
        out->version = atol(PQgetvalue(res, 0, 2));
        sql_copy(out->approved_at, sizeof out->approved_at, PQgetvalue(res, 0, 3));
        sql_copy(out->reference, sizeof out->reference, PQgetvalue(res, 0, 4));
        sql_copy(out->type, sizeof out->type, PQgetvalue(res, 0, 5));
        out->two_part = PQgetvalue(res, 0, 6)[0] == 't';
        sql_copy(out->held_at, sizeof out->held_at, PQgetvalue(res, 0, 7));
        if (!out->content)
            found = -1;
    }
    PQclear(res);
    return found;
}

static const char *member(json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

int minutes_facts_load(store *s, const char *meeting_id, minutes_facts_data *out)
{
    memset(out, 0, sizeof *out);
    const char *params[] = {meeting_id};
    bool found;
    char *text = sql_value(s, &facts_stmt, params, &found);
    if (!text)
        return -1;
    out->json = json_loads(text, 0, NULL);
    free(text);
    json_t *list = json_object_get(out->json, "invitations");
    if (!json_is_array(list))
        return -1;
    size_t n = json_array_size(list);
    out->invitations = xcalloc(n ? n : 1, sizeof *out->invitations);
    size_t i;
    json_t *x;
    json_array_foreach(list, i, x) {
        out->invitations[i] = (minutes_invitation){member(x, "id"), member(x, "category"),
                                                   member(x, "agency"), member(x, "attendance")};
    }
    out->facts = (minutes_facts){.meeting_type = member(out->json, "type"),
                                 .two_part = json_is_true(json_object_get(out->json, "two_part")),
                                 .invitations = out->invitations,
                                 .n_invitations = (int)n,
                                 .n_children = (int)json_integer_value(
                                     json_object_get(out->json, "children")),
                                 .n_other_children = (int)json_integer_value(
                                     json_object_get(out->json, "other_children"))};
    out->held_on = member(out->json, "held_on");
    return 0;
}

void minutes_facts_data_free(minutes_facts_data *d)
{
    free(d->invitations);
    json_decref(d->json);
    memset(d, 0, sizeof *d);
}
