/* The access report (access_report.h). */
#include "store/access_report.h"

#include <stdlib.h>

#include "core/text.h"
#include "store/sql.h"

static const db_stmt allowed_stmt = {
    "access_report_allowed",
    "SELECT 1 FROM children c WHERE c.id = $1::uuid"
    "   AND ($2::boolean OR child_access_report_allowed(c.id, $3, $4::boolean))",
    4};

int access_report_allowed(store *s, const char *child_id, bool as_dpo)
{
    if (!text_is_uuid(child_id))
        return 0;
    const char *who[4];
    sql_caller(s, who);
    const char *params[] = {child_id, as_dpo ? "true" : "false", who[1], who[2]};
    bool found;
    char *one = sql_value(s, &allowed_stmt, params, &found);
    if (!one)
        return found ? -1 : 0;
    free(one);
    return 1;
}

/* Rows naming one of the ids, by resource id or among the ids a list showed. */
static const db_stmt page_stmt = {
    "access_report_page",
    "WITH ids AS (SELECT child_record_ids($1::uuid, CASE WHEN NOT $4::boolean THEN"
    "               caller_principals($5, $6, $7::boolean, $8::boolean) END) AS ids)"
    " SELECT json_build_object('audit_id', e.id::text, 'occurred_at', rfc3339(e.occurred_at),"
    "          'actor', json_build_object('sub', e.actor_sub, 'agency', e.actor_agency),"
    "          'action', e.action, 'resource_type', e.resource_type,"
    "          'resource_id', e.resource_id,"
    "          'resource_ids', to_json(ARRAY(SELECT x FROM unnest(e.resource_ids) x"
    "                                         WHERE x = ANY (ids.ids))),"
    "          'request_id', e.request_id),"
    "        e.id::text, e.id::text"
    "   FROM ids, audit_events e"
    "  WHERE (e.resource_id = ANY (ids.ids) OR e.resource_ids && ids.ids)"
    "    AND ($2::bigint IS NULL OR e.id < $2::bigint)"
    "  ORDER BY e.id DESC LIMIT $3",
    8};

int access_report_page(store *s, const char *child_id, bool as_dpo, int limit,
                       const char *before, store_page *out)
{
    sql_int lim;
    const char *who[4];
    sql_caller(s, who);
    const char *params[] = {child_id, before, sql_int_of(&lim, limit + 1),
                            as_dpo ? "true" : "false", who[0], who[1], who[2], who[3]};
    return sql_list(s, &page_stmt, params, limit, 1, -1, out);
}
