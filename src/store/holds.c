/* Retention holds (holds.h). */
#include "store/holds.h"

#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "store/sql.h"

const store_kind STORE_HOLD = {
    "retention_hold",
    text_is_uuid,
    {"holds_render",
     "SELECT retention_hold_json(h), h.version FROM retention_holds h WHERE h.id = $1", 1},
    /* read: the route is for the dpo and admins, who see every hold */
    {"holds_read",
     "SELECT retention_hold_json(h), h.version FROM retention_holds h WHERE h.id = $1", 1},
    {"holds_announce",
     "INSERT INTO events (event_id, agency, type, resource_type, resource_id, resource_version)"
     " SELECT e.id, a.code, $2, 'retention_hold', h.id::text, h.version"
     "   FROM retention_holds h, (SELECT gen_random_uuid() AS id) e,"
     "        LATERAL (SELECT x.code FROM agencies x WHERE h.scope = 'record_class'"
     "                 UNION SELECT unnest(meeting_agencies(h.meeting_id))"
     "                  WHERE h.scope = 'meeting'"
     "                 UNION SELECT unnest(meeting_agencies(c.meeting_id))"
     "                   FROM meeting_children c WHERE h.scope = 'child'"
     "                    AND c.child_id = h.child_id) a"
     "  WHERE h.id = $1::uuid AND a.code IS NOT NULL",
     2},
};

#define FIND_COLUMNS "SELECT h.id, h.released_at IS NOT NULL, h.version FROM retention_holds h"

static const db_stmt find_stmt = {"holds_find", FIND_COLUMNS " WHERE h.id = $1", 1};
static const db_stmt lock_stmt = {"holds_lock", FIND_COLUMNS " WHERE h.id = $1 FOR UPDATE", 1};

int holds_find(store *s, const char *id, bool lock, hold_row *out)
{
    if (!text_is_uuid(id))
        return 0;
    const char *params[] = {id};
    PGresult *res = sql_query(s, lock ? &lock_stmt : &find_stmt, params);
    if (!res)
        return -1;
    int found = PQntuples(res) == 1;
    if (found) {
        sql_copy(out->id, sizeof out->id, PQgetvalue(res, 0, 0));
        out->released = strcmp(PQgetvalue(res, 0, 1), "t") == 0;
        out->version = atol(PQgetvalue(res, 0, 2));
    }
    PQclear(res);
    return found;
}

static const db_stmt target_stmt = {
    "holds_target_exists",
    "SELECT CASE $1"
    "  WHEN 'child' THEN EXISTS (SELECT 1 FROM children c WHERE c.id = $2::uuid)"
    "  WHEN 'meeting' THEN EXISTS (SELECT 1 FROM meetings m WHERE m.id = $3::uuid)"
    "  ELSE true END",
    3};

int holds_target_exists(store *s, const hold_in *in)
{
    const char *params[] = {in->scope, in->child_id, in->meeting_id};
    bool found;
    char *v = sql_value(s, &target_stmt, params, &found);
    if (!v)
        return -1;
    int exists = strcmp(v, "t") == 0;
    free(v);
    return exists;
}

static const db_stmt insert_stmt = {
    "holds_insert",
    "INSERT INTO retention_holds (scope, child_id, meeting_id, record_class, kind, reason,"
    " ends_on, placed_by_sub, placed_by_agency)"
    " VALUES ($1, $2::uuid, $3::uuid, $4, $5, $6, $7::date, $8, $9) RETURNING id",
    9};

int holds_insert(store *s, const hold_in *in, char id_out[37])
{
    const char *params[] = {in->scope,  in->child_id, in->meeting_id, in->record_class,
                            in->kind,   in->reason,   in->ends_on,    s->who->sub,
                            s->who->agency};
    bool found;
    char *id = sql_value(s, &insert_stmt, params, &found);
    if (!id)
        return -1;
    sql_copy(id_out, 37, id);
    free(id);
    return 0;
}

static const db_stmt release_stmt = {
    "holds_release",
    "UPDATE retention_holds SET released_by_sub = $2, released_by_agency = $3,"
    " released_at = now(), release_reason = $4, version = version + 1"
    " WHERE id = $1 AND released_at IS NULL",
    4};

int holds_release(store *s, const char *id, const char *reason)
{
    const char *params[] = {id, s->who->sub, s->who->agency, reason};
    return sql_run(s, &release_stmt, params);
}

static const db_stmt list_stmt = {
    "holds_list",
    "SELECT retention_hold_json(h), h.seq, h.id FROM retention_holds h"
    " WHERE ($2::boolean IS NOT TRUE OR retention_hold_in_effect(h, $1::date))"
    "   AND ($3::bigint IS NULL OR h.seq < $3::bigint)"
    " ORDER BY h.seq DESC LIMIT $4",
    4};

int holds_list(store *s, bool in_effect_only, int limit, const char *after, store_page *out)
{
    sql_int lim;
    const char *params[] = {s->today_text, in_effect_only ? "true" : "false", after,
                            sql_int_of(&lim, limit + 1)};
    return sql_list(s, &list_stmt, params, limit, 1, 2, out);
}
