/* The edge a browser front end and an operator see: token header rules
 * (SEC-1: crit, duplicated members), the person id of the primary issuer
 * (IDP-2), refusal reasons in /metrics, CORS (run.sh allows the origin
 * https://app.mam.test), traceparent into the audit trail, build and
 * process metrics, mam --version. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "support/client.h"
#include "support/expect.h"
#include "support/fixtures.h"
#include "support/people.h"

#define ALLOWED_ORIGIN "https://app.mam.test"
#define OTHER_ORIGIN "https://elsewhere.example"

/* The person's standard claims as JSON text with `extra` spliced in before
 * the closing brace (extra starts with a comma), for raw tokens. */
static char *claims_text(const person *p, const char *extra)
{
    json_t *claims = claims_for(p, 3600);
    char *text = json_dumps(claims, JSON_COMPACT);
    json_decref(claims);
    size_t n = strlen(text) + strlen(extra) + 1;
    char *out = malloc(n);
    snprintf(out, n, "%.*s%s}", (int)strlen(text) - 1, text, extra);
    free(text);
    return out;
}

static http_response *list_meetings(const char *token)
{
    return api_get("/v1/meetings?limit=1", token);
}

static void expect_refused(const http_response *r, const char *reason)
{
    expect_problem(r, 401, "/problems/unauthenticated");
    const char *got = json_str(r->json, "reason");
    cr_assert(got && strcmp(got, reason) == 0, "reason %s, not %s: %s", got ? got : "(none)",
              reason, r->body);
}

/* --- token header rules (SEC-1, issue 20) --- */

Test(edge, SEC_1_a_token_with_a_crit_header_is_refused)
{
    char *agency = agency_new("childrens_social_care");
    person p = person_new(agency, "practitioner");
    char *payload = claims_text(&p, "");
    /* the raw signer is right: without crit the same token is accepted */
    char *plain = token_signed_raw("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", payload);
    http_response *r = list_meetings(plain);
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    static const char *const headers[] = {
        "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"crit\":[\"exp\"],\"exp\":1}",
        "{\"alg\":\"HS256\",\"crit\":[\"b64\"],\"b64\":false}",
        "{\"alg\":\"HS256\",\"crit\":[]}",
    };
    for (size_t i = 0; i < sizeof headers / sizeof headers[0]; i++) {
        char *token = token_signed_raw(headers[i], payload);
        r = list_meetings(token);
        expect_refused(r, "crit");
        http_free(r);
        free(token);
    }
    free(plain);
    free(payload);
    person_free(&p);
    free(agency);
}

Test(edge, SEC_1_a_token_with_a_duplicated_member_is_refused)
{
    char *agency = agency_new("childrens_social_care");
    char *other = agency_new("police");
    person p = person_new(agency, "practitioner");
    char extra[96];
    snprintf(extra, sizeof extra, ",\"agency\":\"%s\"", other);
    char *twice = claims_text(&p, extra);
    char *token = token_signed_raw("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", twice);
    http_response *r = list_meetings(token);
    expect_refused(r, "malformed");
    http_free(r);
    free(token);

    char *payload = claims_text(&p, "");
    token = token_signed_raw("{\"alg\":\"HS256\",\"typ\":\"JWT\",\"typ\":\"JWT\"}", payload);
    r = list_meetings(token);
    expect_refused(r, "malformed");
    http_free(r);
    free(token);

    free(payload);
    free(twice);
    person_free(&p);
    free(other);
    free(agency);
}

Test(edge, IDP_2_a_primary_subject_with_a_pipe_is_refused)
{
    char *agency = agency_new("childrens_social_care");
    person p = person_new(agency, "practitioner");
    /* "police|<sub>" would be the police issuer's person of that subject */
    json_t *claims = claims_for(&p, 3600);
    char sub[160];
    snprintf(sub, sizeof sub, "police|%s", p.who.sub);
    json_object_set_new(claims, "sub", json_string(sub));
    char *token = token_with_claims(claims);
    json_decref(claims);
    http_response *r = list_meetings(token);
    expect_refused(r, "subject");
    http_free(r);
    free(token);
    person_free(&p);
    free(agency);
}

static long metric_value(const char *series)
{
    http_response *r = http_call("GET", "/metrics", NULL, NULL, NULL, 0);
    cr_assert_eq(r->status, 200);
    long value = 0;
    size_t n = strlen(series);
    for (const char *line = r->body; line && *line;) {
        if (strncmp(line, series, n) == 0 && line[n] == ' ')
            value = strtol(line + n + 1, NULL, 10);
        line = strchr(line, '\n');
        line = line ? line + 1 : NULL;
    }
    http_free(r);
    return value;
}

Test(edge, IDP_2_refusals_are_counted_by_reason)
{
    char *agency = agency_new("childrens_social_care");
    person p = person_new(agency, "practitioner");
    json_t *claims = claims_for(&p, 3600);
    json_object_set_new(claims, "exp", json_integer((json_int_t)time(NULL) - 3600));
    char *expired = token_with_claims(claims);
    json_decref(claims);
    const char *series = "mam_auth_refused_total{reason=\"expired\"}";
    long before = metric_value(series);
    http_response *r = list_meetings(expired);
    expect_refused(r, "expired");
    http_free(r);
    cr_assert_geq(metric_value(series), before + 1, "the refusal is counted");

    const char *missing = "mam_auth_refused_total{reason=\"missing_token\"}";
    before = metric_value(missing);
    r = list_meetings(NULL);
    expect_refused(r, "missing_token");
    http_free(r);
    cr_assert_geq(metric_value(missing), before + 1);
    free(expired);
    person_free(&p);
    free(agency);
}

/* --- CORS --- */

static char *header_of(const http_response *r, const char *name)
{
    return http_header(r, name);
}

static void expect_no_cors(const http_response *r)
{
    char *acao = header_of(r, "Access-Control-Allow-Origin");
    char *credentials = header_of(r, "Access-Control-Allow-Credentials");
    cr_assert_null(acao, "no Access-Control-Allow-Origin for another origin: %s", acao);
    cr_assert_null(credentials);
    free(acao);
    free(credentials);
}

Test(edge, CORS_preflight_from_an_allowed_origin_lists_the_paths_methods)
{
    const char *headers[] = {"Origin: " ALLOWED_ORIGIN, "Access-Control-Request-Method: PATCH",
                             "Access-Control-Request-Headers: authorization,content-type,if-match",
                             NULL};
    http_response *r = http_call("OPTIONS", "/v1/meetings/0b9a3f44-5f28-4b6e-9f0c-6c1f0b4d9e11",
                                 NULL, headers, NULL, 0);
    cr_assert_eq(r->status, 204, "%ld %s", r->status, r->body);
    char *acao = header_of(r, "Access-Control-Allow-Origin");
    char *methods = header_of(r, "Access-Control-Allow-Methods");
    char *allowed = header_of(r, "Access-Control-Allow-Headers");
    char *max_age = header_of(r, "Access-Control-Max-Age");
    char *vary = header_of(r, "Vary");
    char *credentials = header_of(r, "Access-Control-Allow-Credentials");
    cr_assert(acao && strcmp(acao, ALLOWED_ORIGIN) == 0, "%s", r->headers);
    cr_assert(methods && strcmp(methods, "GET, PATCH") == 0, "methods: %s", methods);
    for (const char *const *h = (const char *const[]){"Authorization", "Content-Type", "If-Match",
                                                      "Idempotency-Key", "X-Request-Id",
                                                      "traceparent", NULL};
         *h; h++)
        cr_assert(allowed && strstr(allowed, *h), "%s is allowed: %s", *h, allowed);
    cr_assert(max_age && atoi(max_age) > 0);
    cr_assert(vary && strstr(vary, "Origin"));
    cr_assert_null(credentials, "credentials are never allowed");
    free(acao);
    free(methods);
    free(allowed);
    free(max_age);
    free(vary);
    http_free(r);
}

Test(edge, CORS_preflight_from_another_origin_is_refused)
{
    const char *headers[] = {"Origin: " OTHER_ORIGIN, "Access-Control-Request-Method: POST",
                             NULL};
    http_response *r = http_call("OPTIONS", "/v1/meetings", NULL, headers, NULL, 0);
    expect_problem(r, 403, "/problems/cors-origin-refused");
    expect_no_cors(r);
    http_free(r);
    /* an origin differing only in scheme or port is another origin */
    const char *near[] = {"Origin: http://app.mam.test", "Access-Control-Request-Method: GET",
                          NULL};
    r = http_call("OPTIONS", "/v1/meetings", NULL, near, NULL, 0);
    expect_problem(r, 403, "/problems/cors-origin-refused");
    expect_no_cors(r);
    http_free(r);
}

Test(edge, CORS_preflight_for_an_unknown_path_is_404_and_plain_options_405)
{
    const char *headers[] = {"Origin: " ALLOWED_ORIGIN, "Access-Control-Request-Method: GET",
                             NULL};
    http_response *r = http_call("OPTIONS", "/v1/no-such-thing", NULL, headers, NULL, 0);
    expect_problem(r, 404, "/problems/not-found");
    http_free(r);
    /* OPTIONS that is not a preflight: the method is not served */
    r = http_call("OPTIONS", "/v1/meetings", NULL, NULL, NULL, 0);
    expect_problem(r, 405, "/problems/method-not-allowed");
    http_free(r);
}

Test(edge, CORS_answers_to_an_allowed_origin_expose_etag_location_and_request_id)
{
    char *agency = agency_new("childrens_social_care");
    person p = person_new(agency, "practitioner");
    json_t *body = meeting_body("professionals");
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    const char *headers[] = {"Origin: " ALLOWED_ORIGIN, "Content-Type: application/json", NULL};
    http_response *r = http_call("POST", "/v1/meetings", p.token, headers, text, strlen(text));
    cr_assert_eq(r->status, 201, "%s", r->body);
    char *acao = header_of(r, "Access-Control-Allow-Origin");
    char *expose = header_of(r, "Access-Control-Expose-Headers");
    cr_assert(acao && strcmp(acao, ALLOWED_ORIGIN) == 0, "%s", r->headers);
    for (const char *const *h = (const char *const[]){"ETag", "Location", "X-Request-Id",
                                                      "Retry-After", "Idempotent-Replayed", NULL};
         *h; h++)
        cr_assert(expose && strstr(expose, *h), "%s is exposed: %s", *h, expose);
    free(acao);
    free(expose);
    http_free(r);

    /* another origin gets the answer (the server cannot stop it being sent)
     * but no CORS headers, so a browser withholds it from the page */
    const char *other[] = {"Origin: " OTHER_ORIGIN, NULL};
    r = http_call("GET", "/v1/agencies", p.token, other, NULL, 0);
    cr_assert_eq(r->status, 200);
    expect_no_cors(r);
    http_free(r);
    free(text);
    person_free(&p);
    free(agency);
}

/* --- traceparent --- */

static char *audit_trace_of(const char *meeting_id)
{
    const char *params[] = {meeting_id};
    return db_value("SELECT coalesce(trace_id, 'null') FROM audit_events"
                    " WHERE resource_id = $1 AND action = 'meeting.create'",
                    1, params);
}

static char *create_with_traceparent(const person *p, const char *traceparent)
{
    json_t *body = meeting_body("professionals");
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    char header[200];
    snprintf(header, sizeof header, "traceparent: %s", traceparent);
    const char *headers[] = {"Content-Type: application/json", header, NULL};
    http_response *r = http_call("POST", "/v1/meetings", p->token, headers, text, strlen(text));
    cr_assert_eq(r->status, 201, "%s", r->body);
    char *id = strdup(json_str(r->json, "id"));
    http_free(r);
    free(text);
    return id;
}

Test(edge, SEC_4_a_valid_traceparent_reaches_the_audit_row)
{
    char *agency = agency_new("childrens_social_care");
    person p = person_new(agency, "practitioner");
    char *id = create_with_traceparent(&p, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    char *trace = audit_trace_of(id);
    cr_assert_str_eq(trace, "4bf92f3577b34da6a3ce929d0e0e4736");
    free(trace);
    free(id);

    /* the auditors see it */
    person auditor = person_new(agency, "auditor");
    id = create_with_traceparent(&p, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00");
    char path[128];
    snprintf(path, sizeof path, "/v1/audit-events?resource_id=%s", id);
    http_response *r = api_get(path, auditor.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *first = json_array_get(json_object_get(r->json, "items"), 0);
    cr_assert_str_eq(json_str(first, "trace_id"), "0af7651916cd43dd8448eb211c80319c");
    http_free(r);
    free(id);
    person_free(&auditor);
    person_free(&p);
    free(agency);
}

Test(edge, SEC_4_an_invalid_traceparent_is_ignored)
{
    char *agency = agency_new("childrens_social_care");
    person p = person_new(agency, "practitioner");
    static const char *const invalid[] = {
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01",  /* upper case */
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",  /* zero trace id */
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",  /* zero parent id */
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  /* version ff */
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x", /* 00 has no more fields */
        "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",   /* short trace id */
        "not a traceparent",
    };
    for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
        char *id = create_with_traceparent(&p, invalid[i]);
        char *trace = audit_trace_of(id);
        cr_assert_str_eq(trace, "null", "%s gave trace id %s", invalid[i], trace);
        free(trace);
        free(id);
    }
    person_free(&p);
    free(agency);
}

/* --- build and process --- */

Test(edge, ops_metrics_carry_build_info_and_process_series)
{
    http_response *r = http_call("GET", "/metrics", NULL, NULL, NULL, 0);
    cr_assert_eq(r->status, 200);
    cr_assert(strstr(r->body, "\nmam_build_info{version=\""), "%.2000s", r->body);
    static const char *const series[] = {"process_cpu_seconds_total", "process_resident_memory_bytes",
                                         "process_open_fds", "process_max_fds",
                                         "process_start_time_seconds"};
    for (size_t i = 0; i < sizeof series / sizeof series[0]; i++) {
        char needle[64];
        snprintf(needle, sizeof needle, "\n%s ", series[i]);
        const char *at = strstr(r->body, needle);
        cr_assert(at, "%s missing", series[i]);
        double v = strtod(at + strlen(needle), NULL);
        cr_assert_gt(v, 0.0, "%s is %f", series[i], v);
    }
    const char *start = strstr(r->body, "\nprocess_start_time_seconds ");
    double started = strtod(start + strlen("\nprocess_start_time_seconds "), NULL);
    double now = (double)time(NULL);
    cr_assert(started <= now + 1 && started > now - 86400, "started %f, now %f", started, now);
    http_free(r);
}

Test(edge, ops_version_prints_version_and_commit)
{
    const char *binary = getenv("MAM_SERVER_BINARY");
    cr_assert(binary, "tests/run.sh sets MAM_SERVER_BINARY");
    char command[600];
    snprintf(command, sizeof command, "'%s' --version", binary);
    FILE *f = popen(command, "r");
    cr_assert(f);
    char line[200] = "";
    cr_assert(fgets(line, sizeof line, f));
    cr_assert_eq(pclose(f), 0);
    cr_assert(strncmp(line, "mam ", 4) == 0 && strstr(line, "(commit "), "%s", line);
}
