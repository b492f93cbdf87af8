/* GET /v1/audit-events: the SEC-4 trail, for auditors, newest first. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "api/handlers.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/text.h"
#include "http/page.h"
#include "store/audit.h"

static const db_stmt list_stmt = {
    "audit_events_list",
    "SELECT audit_event_json(e), e.id FROM audit_events e"
    " WHERE ($1::text IS NULL OR e.actor_sub = $1)"
    "   AND ($2::text IS NULL OR e.resource_id = $2 OR $2 = ANY (e.resource_ids))"
    "   AND ($3::text IS NULL OR e.resource_type = $3)"
    "   AND ($4::timestamptz IS NULL OR e.occurred_at >= $4)"
    "   AND ($5::timestamptz IS NULL OR e.occurred_at < $5)"
    "   AND ($6::bigint IS NULL OR e.id < $6)"
    " ORDER BY e.id DESC LIMIT $7",
    7};

void handle_audit_events_list(req *r)
{
    const char *actor = req_query(r, "actor");
    const char *resource_id = req_query(r, "resource_id");
    const char *resource_type = req_query(r, "resource_type");
    const char *from = req_query(r, "from");
    const char *to = req_query(r, "to");
    if (actor && (strlen(actor) == 0 || strlen(actor) > CALLER_SUB_MAX))
        req_schema_error(r, "actor", "actor is a subject id of 1 to 128 characters");
    if (resource_id && (strlen(resource_id) == 0 || strlen(resource_id) > 64))
        req_schema_error(r, "resource_id", "resource_id is 1 to 64 characters");
    if (resource_type && (strlen(resource_type) == 0 || strlen(resource_type) > 64))
        req_schema_error(r, "resource_type", "resource_type is 1 to 64 characters");
    if (from && !text_is_timestamp(from))
        req_schema_error(r, "from", "from must be an RFC 3339 date-time");
    if (to && !text_is_timestamp(to))
        req_schema_error(r, "to", "to must be an RFC 3339 date-time");
    if (req_has_errors(r)) {
        problem_invalid(r);
        return;
    }
    int limit;
    char *before[1];
    if (!read_page(r, &limit, before, 1))
        return;
    long id_check;
    if (before[0] && config_parse_int(before[0], 1, 0x7fffffffffffffffL, &id_check) != 0) {
        free_parts(before, 1);
        req_schema_error(r, "cursor", "cursor is not one this service gave out");
        problem_invalid(r);
        return;
    }
    db_conn *c = req_db(r);
    PGresult *res = NULL;
    if (c && db_begin(c) == 0) {
        char limit_text[16];
        snprintf(limit_text, sizeof limit_text, "%d", limit + 1);
        const char *params[] = {actor, resource_id, resource_type, from, to, before[0], limit_text};
        res = db_exec(c, &list_stmt, params);
    }
    free_parts(before, 1);
    if (!c)
        return;
    if (!res) {
        req_db_failed(r);
        return;
    }
    buf out;
    buf_init(&out);
    page_spec spec = {.limit = limit, .key_first_col = 1, .key_cols = 1, .id_col = -1};
    page_render(res, &spec, &out, NULL);
    PQclear(res);
    /* auditors are audited too */
    if (audit_record(r, "audit.list", "audit_event", NULL) != 0 || db_commit(c) != 0)
        req_db_failed(r);
    else
        reply_json_text(r, 200, out.data);
    buf_free(&out);
}
