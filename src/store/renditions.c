/* The minutes for each audience (renditions.h). */
#include "store/renditions.h"

#include <libpq-fe.h>
#include <stdlib.h>

#include "core/text.h"
#include "store/sql.h"

const store_kind STORE_RENDITION = {
    "rendition",
    text_is_uuid,
    {"renditions_render",
     "SELECT rendition_json(r), r.version FROM minutes_renditions r WHERE r.id = $1", 1},
    {"renditions_read",
     "SELECT rendition_json(r), r.version FROM minutes_renditions r"
     " WHERE r.id = $1"
     "   AND meeting_visible(r.meeting_id, caller_principals($2, $3, $4::boolean, $5::boolean))",
     5},
    {"renditions_announce",
     "INSERT INTO events (event_id, agency, type, resource_type, resource_id, resource_version,"
     " minutes_number)"
     " SELECT e.id, a.code, $2, 'rendition', r.id::text, r.version, r.number"
     "   FROM minutes_renditions r, (SELECT gen_random_uuid() AS id) e,"
     "        LATERAL (SELECT DISTINCT unnest(meeting_agencies(r.meeting_id)) AS code) a"
     "  WHERE r.id = $1",
     2},
};

#define FIND_COLUMNS "SELECT r.id, r.meeting_id, r.number, r.audience, coalesce(r.agency, '')"

static const db_stmt find_stmt = {
    "renditions_find",
    FIND_COLUMNS " FROM minutes_renditions r WHERE r.id = $1"
    "   AND meeting_visible(r.meeting_id, caller_principals($2, $3, $4::boolean, $5::boolean))",
    5};

int renditions_find(store *s, const char *id, rendition_row *out)
{
    if (!text_is_uuid(id))
        return 0;
    const char *who[4];
    sql_caller(s, who);
    const char *params[] = {id, who[0], who[1], who[2], who[3]};
    PGresult *res = sql_query(s, &find_stmt, params);
    if (!res)
        return -1;
    int found = PQntuples(res) == 1;
    if (found) {
        sql_copy(out->id, sizeof out->id, PQgetvalue(res, 0, 0));
        sql_copy(out->meeting_id, sizeof out->meeting_id, PQgetvalue(res, 0, 1));
        out->number = atoi(PQgetvalue(res, 0, 2));
        sql_copy(out->audience, sizeof out->audience, PQgetvalue(res, 0, 3));
        sql_copy(out->agency, sizeof out->agency, PQgetvalue(res, 0, 4));
    }
    PQclear(res);
    return found;
}

static const db_stmt of_stmt = {
    "renditions_of",
    "SELECT r.id FROM minutes_renditions r WHERE r.meeting_id = $1 AND r.number = $2::integer"
    " AND r.audience = $3 AND r.agency IS NOT DISTINCT FROM $4",
    4};

int renditions_of(store *s, const char *meeting_id, int number, const char *audience,
                  const char *agency, char id_out[37])
{
    sql_int n;
    const char *params[] = {meeting_id, sql_int_of(&n, number), audience, agency};
    PGresult *res = sql_query(s, &of_stmt, params);
    if (!res)
        return -1;
    int found = PQntuples(res) == 1;
    if (found)
        sql_copy(id_out, 37, PQgetvalue(res, 0, 0));
    PQclear(res);
    return found;
}

static const db_stmt insert_stmt = {
    "renditions_insert",
    "INSERT INTO minutes_renditions (meeting_id, number, audience, agency, content, withheld,"
    " withheld_summary, approved_by_sub, approved_by_name)"
    " VALUES ($1, $2::integer, $3, $4, $5::jsonb, $6::jsonb, $7, $8, $9) RETURNING id",
    9};

int renditions_insert(store *s, const char *meeting_id, int number, const char *audience,
                      const char *agency, const char *content_json, const char *withheld_json,
                      const char *withheld_summary, char id_out[37])
{
    sql_int n;
    const char *params[] = {meeting_id,    sql_int_of(&n, number), audience,
                            agency,        content_json,           withheld_json,
                            withheld_summary, s->who->sub,         s->who->name};
    bool found;
    char *id = sql_value(s, &insert_stmt, params, &found);
    if (!id)
        return -1;
    sql_copy(id_out, 37, id);
    free(id);
    return 0;
}

static const db_stmt list_stmt = {
    "renditions_list",
    "SELECT rendition_json(r), r.seq, r.id FROM minutes_renditions r"
    " WHERE r.meeting_id = $1 AND ($2::bigint IS NULL OR r.seq > $2)"
    " ORDER BY r.seq LIMIT $3",
    3};

int renditions_list(store *s, const char *meeting_id, int limit, const char *after,
                    store_page *out)
{
    sql_int lim;
    const char *params[] = {meeting_id, after, sql_int_of(&lim, limit + 1)};
    return sql_list(s, &list_stmt, params, limit, 1, 2, out);
}

static const db_stmt share_stmt = {
    "renditions_share",
    "INSERT INTO rendition_shares (rendition_id, recipient_name, recipient_agency, category,"
    " contact, sent_at, recorded_by_sub, recorded_by_name)"
    " VALUES ($1, $2, $3, $4, $5, coalesce($6::timestamptz, now()), $7, $8)",
    8};

int renditions_share(store *s, const char *rendition_id, const char *name, const char *agency,
                     const char *category, const char *contact, const char *sent_at)
{
    const char *params[] = {rendition_id, name,    agency,      category,
                            contact,      sent_at, s->who->sub, s->who->name};
    return sql_run(s, &share_stmt, params);
}
