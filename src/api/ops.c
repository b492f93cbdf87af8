/* Operations endpoints: liveness, readiness, metrics and the contract. */
#include <stdio.h>
#include <string.h>

#include "api/handlers.h"
#include "core/buf.h"
#include "core/clock.h"
#include "domain/calendar.h"
#include "http/metrics.h"
#include "http/server.h"
#include "store/holidays.h"
#include "store/schema.h"

void handle_ops_livez(req *r)
{
    reply_json_text(r, 200, "{\"status\":\"ok\"}");
}

void handle_ops_readyz(req *r)
{
    store *s = req_store(r);
    if (!s)
        return;
    int current = 0, functions = 0;
    int state = schema_state(s, &current, &functions);
    if (state < 0) {
        req_db_failed(r);
        return;
    }
    int expected = schema_expected_version();
    char detail[160];
    if (state == 0)
        snprintf(detail, sizeof detail, "The database has no schema yet; run the migrations.");
    else if (current < expected)
        snprintf(detail, sizeof detail,
                 "The schema is at version %d; this build needs %d. Run the migrations.", current,
                 expected);
    else if (functions < expected)
        snprintf(detail, sizeof detail,
                 "The schema's functions were not applied at version %d. Run the migrations.",
                 expected);
    if (state == 0 || current < expected || functions < expected) {
        problem(r, 503, "schema-behind", "Service Unavailable", detail);
        return;
    }
    /* Ready, but say so when the calendar runs out within a year: working
     * days after its last bank holiday are counted with weekends alone. */
    char last[11] = "", year_on[11], today[11];
    if (holidays_last(s, last) != 0) {
        req_db_failed(r);
        return;
    }
    clock_date(r->now, today);
    int y, m, d;
    sscanf(today, "%4d-%2d-%2d", &y, &m, &d);
    cal_format(cal_from_ymd(y + 1, m, d), year_on);
    char body[512];
    if (strcmp(last, year_on) < 0)
        snprintf(body, sizeof body,
                 "{\"status\":\"ready\",\"schema_version\":%d,\"warnings\":[{\"code\":"
                 "\"bank_holidays_ending\",\"message\":\"The bank holidays the calendar counts "
                 "end %s, less than twelve months ahead: load the GOV.UK file (POST "
                 "/v1/bank-holiday-imports).\",\"calendar_ends\":%s%s%s}]}",
                 current, last[0] ? last : "already", last[0] ? "\"" : "", last[0] ? last : "null",
                 last[0] ? "\"" : "");
    else
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
    reply_bytes(r, 200, "application/yaml", r->svc->contract, r->svc->contract_len);
}

void handle_ops_reference(req *r)
{
    if (!r->svc->reference) {
        problem(r, 404, "not-found", "Not Found",
                "The HTML reference was not built for this installation (REFERENCE_FILE); the "
                "contract itself is at /openapi.yaml.");
        return;
    }
    reply_bytes(r, 200, "text/html; charset=utf-8", r->svc->reference, r->svc->reference_len);
}

/* Every problem type the service answers (openapi.yaml, ProblemType). */
static const char *const problem_types[] = {
    "invalid-request", "unauthenticated", "forbidden", "not-found", "method-not-allowed",
    "invalid-state", "agency-exists", "already-invited", "already-answered",
    "bank-holiday-exists", "conflict", "idempotency-in-progress", "stale-version",
    "payload-too-large", "unsupported-media-type", "rule-violated", "idempotency-key-reused",
    "precondition-required", "too-many-requests", "internal", "unsupported-transfer-coding",
    "connection-limit", "database-unavailable", "concurrent-update", "outcome-unknown",
    "schema-behind", "cors-origin-refused", NULL,
};

/* A problem's type, /problems/<name>, resolves to its description in the
 * HTML reference. */
void handle_ops_problem(req *r)
{
    const char *name = req_path(r, 0);
    for (int i = 0; problem_types[i]; i++) {
        if (strcmp(problem_types[i], name) == 0) {
            char location[96];
            snprintf(location, sizeof location, "/reference#section/Problem-types/%s", name);
            reply_header(r, "Location", location);
            reply_empty(r, 303);
            return;
        }
    }
    problem_not_found(r);
}
