/* Operations endpoints: liveness, readiness, metrics and the contract. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>

#include "api/handlers.h"
#include "app.h"
#include "core/buf.h"
#include "db/migrate.h"
#include "http/metrics.h"

static const db_stmt schema_version = {
    "ops_schema_version", "SELECT coalesce(max(version), 0) FROM schema_migrations", 0};

void handle_ops_livez(req *r)
{
    reply_json_text(r, 200, "{\"status\":\"ok\"}");
}

void handle_ops_readyz(req *r)
{
    db_conn *c = req_db(r);
    if (!c)
        return;
    bool found;
    char *v = db_exec_value(c, &schema_version, NULL, &found);
    if (!v) {
        if (db_failure_of(c) == DB_UNAVAILABLE || db_failure_of(c) == DB_TIMEOUT) {
            req_db_failed(r);
        } else {
            problem(r, 503, "schema-behind", "Service Unavailable",
                    "The database has no schema yet; run the migrations.");
        }
        return;
    }
    int current = atoi(v), expected = migrate_latest_version();
    free(v);
    if (current < expected) {
        char detail[128];
        snprintf(detail, sizeof detail,
                 "The schema is at version %d; this build needs %d. Run the migrations.", current,
                 expected);
        problem(r, 503, "schema-behind", "Service Unavailable", detail);
        return;
    }
    char body[96];
    snprintf(body, sizeof body, "{\"status\":\"ready\",\"schema_version\":%d}", current);
    reply_json_text(r, 200, body);
}

void handle_ops_metrics(req *r)
{
    buf out;
    buf_init(&out);
    metrics_render(&out);
    reply_bytes(r, 200, "text/plain; version=0.0.4; charset=utf-8", out.data, out.len);
    buf_free(&out);
}

void handle_ops_openapi(req *r)
{
    reply_bytes(r, 200, "application/yaml", app.openapi, app.openapi_len);
}
