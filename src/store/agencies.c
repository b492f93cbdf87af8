#include "store/agencies.h"

#include <stdlib.h>

#include "auth/caller.h"
#include "store/sql.h"

static bool code_well_formed(const char *code)
{
    return agency_code_valid(code);
}

/* A directory change is announced on the agency's own feed only (its
 * integration learns that its entry changed); other agencies read the
 * directory when they need it. */
const store_kind STORE_AGENCY = {
    "agency",
    code_well_formed,
    {"agencies_render", "SELECT agency_json(a), a.version FROM agencies a WHERE a.code = $1", 1},
    {"agencies_read", "SELECT agency_json(a), a.version FROM agencies a WHERE a.code = $1", 1},
    {"agencies_announce",
     "INSERT INTO events (event_id, agency, type, resource_type, resource_id, resource_version)"
     " SELECT gen_random_uuid(), g.code, $2, 'agency', g.code, g.version"
     "   FROM agencies g WHERE g.code = $1",
     2},
};

static const db_stmt kind_stmt = {
    "agencies_active_kind", "SELECT kind FROM agencies WHERE code = $1 AND active", 1};

static const db_stmt lock_stmt = {
    "agencies_lock", "SELECT a.version FROM agencies a WHERE a.code = $1 FOR UPDATE", 1};

static const db_stmt insert_stmt = {
    "agencies_insert", "INSERT INTO agencies (code, name, kind) VALUES ($1, $2, $3)", 3};

static const db_stmt update_stmt = {
    "agencies_update",
    "UPDATE agencies SET name = coalesce($2, name), kind = coalesce($3, kind),"
    " active = coalesce($4::boolean, active), version = version + 1, updated_at = now()"
    " WHERE code = $1",
    4};

static const db_stmt list_stmt = {
    "agencies_list",
    "SELECT agency_json(a), a.code FROM agencies a"
    " WHERE ($1::text IS NULL OR a.kind = $1) AND ($2::boolean IS NULL OR a.active = $2)"
    "   AND ($3::text IS NULL OR a.code > $3)"
    " ORDER BY a.code LIMIT $4",
    4};

char *agencies_active_kind(store *s, const char *code, bool *found)
{
    const char *params[] = {code};
    return sql_value(s, &kind_stmt, params, found);
}

int agencies_is_active(store *s, const char *code)
{
    bool found;
    char *kind = agencies_active_kind(s, code, &found);
    int active = kind ? 1 : found ? -1 : 0;
    free(kind);
    return active;
}

int agencies_lock(store *s, const char *code, long *version)
{
    const char *params[] = {code};
    bool found;
    char *v = sql_value(s, &lock_stmt, params, &found);
    if (!v)
        return found ? -1 : 0;
    *version = atol(v);
    free(v);
    return 1;
}

int agencies_insert(store *s, const char *code, const char *name, const char *kind)
{
    const char *params[] = {code, name, kind};
    return sql_run(s, &insert_stmt, params);
}

int agencies_update(store *s, const char *code, const char *name, const char *kind,
                    const char *active)
{
    const char *params[] = {code, name, kind, active};
    return sql_run(s, &update_stmt, params);
}

int agencies_list(store *s, const char *kind, const char *active, int limit, const char *after,
                  store_page *out)
{
    sql_int lim;
    const char *params[] = {kind, active, after, sql_int_of(&lim, limit + 1)};
    return sql_list(s, &list_stmt, params, limit, 1, 1, out);
}
