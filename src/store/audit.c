#include "store/audit.h"

#include <libpq-fe.h>

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

static int run(req *r, const db_stmt *s, const char *action, const char *type, const char *id)
{
    const char *params[] = {r->request_id, r->who.sub, r->who.agency, action, type, id,
                            r->trace_id[0] ? r->trace_id : NULL};
    PGresult *res = db_exec(r->db, s, params);
    if (!res)
        return -1;
    PQclear(res);
    return 0;
}

int audit_record(req *r, const char *action, const char *resource_type, const char *resource_id)
{
    return run(r, &insert_one, action, resource_type, resource_id);
}

int audit_record_list(req *r, const char *action, const char *resource_type,
                      const char *ids_array_literal)
{
    return run(r, &insert_list, action, resource_type, ids_array_literal);
}
