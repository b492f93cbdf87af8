#include "store/audit.h"

#include "store/sql.h"

static const db_stmt insert_one = {
    "audit_insert_one",
    "INSERT INTO audit_events (request_id, actor_sub, actor_agency, action, resource_type,"
    " resource_id, outcome, trace_id) VALUES ($1, $2, $3, $4, $5, $6, 'success', $7)",
    7};

static const db_stmt insert_list = {
    "audit_insert_list",
    "INSERT INTO audit_events (request_id, actor_sub, actor_agency, action, resource_type,"
    " resource_ids, outcome, trace_id) VALUES ($1, $2, $3, $4, $5, $6::text[], 'success', $7)",
    7};

/* who reads which rows is audit_trail_page's (sql/functions) */
static const db_stmt list_stmt = {
    "audit_events_list",
    "SELECT event, id FROM audit_trail_page($1, $2::text[], $3, $4, $5, $6::timestamptz,"
    " $7::timestamptz, $8::bigint, $9)",
    9};

static int insert(store *s, const db_stmt *st, const char *action, const char *type,
                  const char *id)
{
    const char *params[] = {s->request_id, s->who->sub, s->who->agency, action, type, id,
                            s->trace_id && s->trace_id[0] ? s->trace_id : NULL};
    return sql_run(s, st, params);
}

int audit_record(store *s, const char *action, const char *resource_type, const char *resource_id)
{
    return insert(s, &insert_one, action, resource_type, resource_id);
}

int audit_record_list(store *s, const char *action, const char *resource_type,
                      const char *ids_array_literal)
{
    return insert(s, &insert_list, action, resource_type, ids_array_literal);
}

int audit_list(store *s, const audit_filters *f, int limit, const char *before,
               store_page *out)
{
    sql_int lim;
    char roles[256];
    caller_roles_literal(s->who, roles, sizeof roles);
    const char *params[] = {s->who->agency, roles, f->actor, f->resource_id, f->resource_type,
                            f->from, f->to, before, sql_int_of(&lim, limit + 1)};
    return sql_list(s, &list_stmt, params, limit, 1, -1, out);
}
