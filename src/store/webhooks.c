#include "store/webhooks.h"

#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "core/xalloc.h"
#include "store/sql.h"

/* SEC-2's counterpart for endpoints, for the caller whose agency is $3 and
 * roles $6 (the kind's read parameters). */
const store_kind STORE_WEBHOOK_ENDPOINT = {
    "webhook_endpoint",
    text_is_uuid,
    {"webhooks_render",
     "SELECT webhook_endpoint_json(w), w.version FROM webhook_endpoints w WHERE w.id = $1", 1},
    {"webhooks_read",
     "SELECT webhook_endpoint_json(w), w.version FROM webhook_endpoints w"
     " WHERE w.id = $1 AND webhook_endpoint_visible(w, $3, $7::text[])"
     /* the kind's other parameters, typed so that the statement prepares */
     "   AND $2::text IS NOT NULL AND $4::boolean IS NOT NULL AND $5::boolean IS NOT NULL"
     "   AND $6::date IS NOT NULL",
     7},
    {"webhooks_announce", "SELECT 1 WHERE false", 0},
};

static const db_stmt find_stmt = {
    "webhooks_find",
    "SELECT w.id, w.agency, w.status, w.version, w.secret_sealed FROM webhook_endpoints w"
    " WHERE w.id = $1 AND webhook_endpoint_visible(w, $2, $3::text[])",
    3};

static const db_stmt lock_stmt = {
    "webhooks_lock",
    "SELECT w.id, w.agency, w.status, w.version, w.secret_sealed FROM webhook_endpoints w"
    " WHERE w.id = $1 AND webhook_endpoint_visible(w, $2, $3::text[]) FOR NO KEY UPDATE",
    3};

static const db_stmt new_id_stmt = {"webhooks_new_id", "SELECT gen_random_uuid()", 0};

static const db_stmt insert_stmt = {
    "webhooks_insert",
    "INSERT INTO webhook_endpoints (id, agency, url, description, event_types, secret_sealed,"
    " created_by_sub)"
    " VALUES ($1, $2, $3, $4, ARRAY(SELECT json_array_elements_text($5::json)), $6, $7)",
    7};

static const db_stmt update_stmt = {
    "webhooks_update",
    "UPDATE webhook_endpoints SET url = coalesce($2, url),"
    " description = CASE WHEN $4::boolean THEN NULL ELSE coalesce($3, description) END,"
    " event_types = CASE WHEN $5::json IS NULL THEN event_types"
    "                ELSE ARRAY(SELECT json_array_elements_text($5::json)) END,"
    " status = coalesce($6, status),"
    " disabled_reason = CASE $6 WHEN 'active' THEN NULL WHEN 'disabled' THEN 'by_request'"
    "                   ELSE disabled_reason END,"
    " version = version + 1, updated_at = now()"
    " WHERE id = $1",
    6};

static const db_stmt rotate_stmt = {
    "webhooks_rotate",
    "UPDATE webhook_endpoints SET previous_secret_sealed = secret_sealed,"
    " previous_secret_expires_at = now() + make_interval(secs => $3::integer),"
    " secret_sealed = $2, version = version + 1, updated_at = now()"
    " WHERE id = $1",
    3};

static const db_stmt delete_stmt = {
    "webhooks_delete", "DELETE FROM webhook_endpoints WHERE id = $1", 1};

static const db_stmt list_stmt = {
    "webhooks_list",
    "SELECT webhook_endpoint_json(w), rfc3339(w.created_at), w.id FROM webhook_endpoints w"
    " WHERE webhook_endpoint_visible(w, $1, $2::text[]) AND ($3::text IS NULL OR w.agency = $3)"
    "   AND ($4::timestamptz IS NULL OR (w.created_at, w.id) > ($4::timestamptz, $5::uuid))"
    " ORDER BY w.created_at, w.id LIMIT $6",
    6};

static const db_stmt deliveries_stmt = {
    "webhooks_deliveries",
    "SELECT webhook_delivery_json(d), d.id FROM webhook_deliveries d"
    " WHERE d.endpoint_id = $1 AND ($2::text IS NULL OR d.status = $2)"
    "   AND ($3::bigint IS NULL OR d.id < $3::bigint)"
    " ORDER BY d.id DESC LIMIT $4",
    4};

static const db_stmt replay_stmt = {
    "webhooks_replay",
    "UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = now(),"
    " delivered_at = NULL"
    " WHERE endpoint_id = $1 AND id = $2::bigint"
    " RETURNING webhook_delivery_json(webhook_deliveries)",
    2};

void endpoint_row_free(endpoint_row *e)
{
    free(e->secret_sealed);
    e->secret_sealed = NULL;
}

int webhooks_find(store *s, const char *id, bool lock, endpoint_row *out)
{
    memset(out, 0, sizeof *out);
    if (!text_is_uuid(id))
        return 0;
    char roles[256];
    caller_roles_literal(s->who, roles, sizeof roles);
    const char *params[] = {id, s->who->agency, roles};
    PGresult *res = sql_query(s, lock ? &lock_stmt : &find_stmt, params);
    if (!res)
        return -1;
    int found = PQntuples(res) == 1;
    if (found) {
        sql_copy(out->id, sizeof out->id, PQgetvalue(res, 0, 0));
        sql_copy(out->agency, sizeof out->agency, PQgetvalue(res, 0, 1));
        sql_copy(out->status, sizeof out->status, PQgetvalue(res, 0, 2));
        out->version = atol(PQgetvalue(res, 0, 3));
        out->secret_sealed = xstrdup(PQgetvalue(res, 0, 4));
    }
    PQclear(res);
    return found;
}

int webhooks_new_id(store *s, char id_out[37])
{
    bool found;
    char *id = sql_value(s, &new_id_stmt, NULL, &found);
    if (!id)
        return -1;
    sql_copy(id_out, 37, id);
    free(id);
    return 0;
}

int webhooks_insert(store *s, const char *id, const char *agency, const char *url,
                    const char *description, const char *types_json, const char *sealed)
{
    const char *params[] = {id, agency, url, description, types_json, sealed, s->who->sub};
    return sql_run(s, &insert_stmt, params);
}

int webhooks_update(store *s, const char *id, const char *url, const char *description,
                    bool description_null, const char *types_json, const char *status)
{
    const char *params[] = {id, url, description, description_null ? "true" : "false",
                            types_json, status};
    return sql_run(s, &update_stmt, params);
}

int webhooks_rotate(store *s, const char *id, const char *sealed, int overlap_s)
{
    sql_int overlap;
    const char *params[] = {id, sealed, sql_int_of(&overlap, overlap_s)};
    return sql_run(s, &rotate_stmt, params);
}

int webhooks_delete(store *s, const char *id)
{
    const char *params[] = {id};
    return sql_run(s, &delete_stmt, params);
}

int webhooks_list(store *s, const char *agency, int limit, char *const *after, store_page *out)
{
    char roles[256];
    caller_roles_literal(s->who, roles, sizeof roles);
    sql_int lim;
    const char *params[] = {s->who->agency, roles, agency, after[0], after[1],
                            sql_int_of(&lim, limit + 1)};
    return sql_list(s, &list_stmt, params, limit, 2, -1, out);
}

int webhooks_deliveries(store *s, const char *endpoint_id, const char *status, int limit,
                        const char *before, store_page *out)
{
    sql_int lim;
    const char *params[] = {endpoint_id, status, before, sql_int_of(&lim, limit + 1)};
    return sql_list(s, &deliveries_stmt, params, limit, 1, -1, out);
}

int webhooks_replay(store *s, const char *endpoint_id, const char *delivery_id, char **json_out)
{
    *json_out = NULL;
    long long n;
    if (!delivery_id || !*delivery_id || strlen(delivery_id) > 18)
        return 0;
    for (const char *p = delivery_id; *p; p++)
        if (*p < '0' || *p > '9')
            return 0;
    n = atoll(delivery_id);
    if (n < 1)
        return 0;
    const char *params[] = {endpoint_id, delivery_id};
    bool found;
    char *json = sql_value(s, &replay_stmt, params, &found);
    if (!json)
        return found ? -1 : 0;
    *json_out = json;
    return 1;
}
