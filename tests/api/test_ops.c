/* The operations endpoints over real HTTP: liveness, readiness against the
 * real database, Prometheus metrics and the served contract (INT-3). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/client.h"
#include "support/expect.h"
#include "support/fixtures.h"
#include "support/people.h"

/* --- helpers --- */

static void expect_content_type(const http_response *r, const char *media_type)
{
    char *ct = http_header(r, "Content-Type");
    cr_assert(ct, "a Content-Type is sent");
    size_t n = strlen(media_type);
    cr_assert(strncmp(ct, media_type, n) == 0 && (ct[n] == '\0' || ct[n] == ';'),
              "Content-Type %s, expected %s", ct, media_type);
    free(ct);
}

/* The value of the sample whose name and labels are exactly `series`, or 0
 * when the series has no sample yet. */
static double sample(const char *text, const char *series)
{
    size_t n = strlen(series);
    const char *line = text;
    while (line && *line) {
        const char *end = strchr(line, '\n');
        if (strncmp(line, series, n) == 0 && line[n] == ' ')
            return strtod(line + n + 1, NULL);
        line = end ? end + 1 : NULL;
    }
    return 0;
}

/* A counter over the whole service: its value at MAM_URL, or, behind a
 * balancer (bench/scale.sh sets MAM_INSTANCE_URLS, space-separated), the
 * sum over every instance, since each counts only what it served. */
static double served_total(const char *series)
{
    const char *instances = getenv("MAM_INSTANCE_URLS");
    if (!instances || !*instances) {
        http_response *r = api_get("/metrics", NULL);
        cr_assert_eq(r->status, 200, "%s", r->body);
        double v = sample(r->body, series);
        http_free(r);
        return v;
    }
    double total = 0;
    char *list = strdup(instances), *save = NULL;
    for (char *base = strtok_r(list, " ", &save); base; base = strtok_r(NULL, " ", &save)) {
        http_response *r = http_call_to(base, "GET", "/metrics", NULL, NULL, NULL, 0);
        cr_assert_eq(r->status, 200, "%s: %s", base, r->body);
        total += sample(r->body, series);
        http_free(r);
    }
    free(list);
    return total;
}

static bool has_line_starting(const char *text, const char *prefix)
{
    size_t n = strlen(prefix);
    for (const char *line = text; line && *line;) {
        if (strncmp(line, prefix, n) == 0)
            return true;
        const char *end = strchr(line, '\n');
        line = end ? end + 1 : NULL;
    }
    return false;
}

static char *read_whole_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cr_assert(f, "cannot open %s", path);
    cr_assert_eq(fseek(f, 0, SEEK_END), 0);
    long size = ftell(f);
    cr_assert_geq(size, 0);
    rewind(f);
    char *data = malloc((size_t)size + 1);
    size_t got = fread(data, 1, (size_t)size, f);
    fclose(f);
    cr_assert_eq(got, (size_t)size, "read %s", path);
    data[got] = '\0';
    *len = got;
    return data;
}

/* --- tests --- */

Test(ops, livez_200_ok)
{
    http_response *r = api_get("/livez", NULL);
    cr_assert_eq(r->status, 200, "%s", r->body);
    expect_content_type(r, "application/json");
    cr_assert(json_is_object(r->json), "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "status"), "ok");
    cr_assert_eq(json_object_size(r->json), 1, "%s", r->body);
    http_free(r);
}

Test(ops, readyz_200_with_schema_version)
{
    http_response *r = api_get("/readyz", NULL);
    cr_assert_eq(r->status, 200, "%s", r->body);
    expect_content_type(r, "application/json");
    cr_assert_str_eq(json_str(r->json, "status"), "ready");
    long version = json_int(r->json, "schema_version");
    cr_assert_geq(version, 1, "%s", r->body);
    /* the version the database is at, as the migrations recorded it */
    long recorded = db_long("SELECT max(version) FROM schema_migrations", 0, NULL);
    cr_assert_eq(version, recorded, "readyz %ld, schema_migrations %ld", version, recorded);
    http_free(r);
}

Test(ops, metrics_prometheus_text_counts_requests)
{
    http_response *r = api_get("/metrics", NULL);
    cr_assert_eq(r->status, 200, "%s", r->body);
    expect_content_type(r, "text/plain");
    char *ct = http_header(r, "Content-Type");
    cr_assert(strstr(ct, "version=0.0.4"), "the Prometheus text format version: %s", ct);
    free(ct);
    const char *text = r->body;
    cr_assert(strstr(text, "# TYPE mam_http_requests_total counter"), "%s", text);
    cr_assert(strstr(text, "# TYPE mam_http_request_duration_seconds histogram"), "%s", text);
    cr_assert(strstr(text, "# TYPE mam_db_pool_connections_in_use gauge"), "%s", text);
    cr_assert(has_line_starting(text, "mam_http_requests_total{"), "%s", text);
    cr_assert(has_line_starting(text, "mam_http_request_duration_seconds_bucket{"), "%s", text);
    cr_assert(has_line_starting(text, "mam_db_pool_connections_in_use "), "%s", text);
    /* every sample line is "name{labels} value" or "name value" */
    for (const char *line = text; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        if (len > 0 && line[0] != '#') {
            const char *space = memrchr(line, ' ', len);
            cr_assert(space && space > line, "sample line: %.*s", (int)len, line);
            char *num_end = NULL;
            strtod(space + 1, &num_end);
            cr_assert(num_end == line + len, "numeric value: %.*s", (int)len, line);
        }
        line = end ? end + 1 : NULL;
    }
    double in_use = sample(text, "mam_db_pool_connections_in_use");
    double pool = sample(text, "mam_db_pool_connections");
    cr_assert_geq(in_use, 0);
    cr_assert_leq(in_use, pool, "in use %g of %g", in_use, pool);
    http_free(r);

    /* a request to a route is counted under its template, not its path */
    char *agency = agency_new("health");
    person p = person_new(agency, "practitioner");
    const char *series = "mam_http_requests_total{method=\"GET\",route=\"/v1/agencies/{code}\","
                         "status=\"404\"}";
    const char *bucket = "mam_http_request_duration_seconds_count{method=\"GET\","
                         "route=\"/v1/agencies/{code}\"}";
    double before = served_total(series);
    double before_count = served_total(bucket);
    r = api_get("/v1/agencies/NO-SUCH-AGENCY-FOR-METRICS", p.token);
    cr_assert_eq(r->status, 404);
    http_free(r);
    double after = served_total(series);
    double after_count = served_total(bucket);
    cr_assert_geq(after, before + 1, "%s went from %g to %g", series, before, after);
    cr_assert_geq(after_count, before_count + 1, "%s went from %g to %g", bucket, before_count,
                  after_count);
    r = api_get("/metrics", NULL);
    cr_assert_null(strstr(r->body, "NO-SUCH-AGENCY-FOR-METRICS"),
                   "paths never become labels");
    /* the histogram's buckets are cumulative and end with +Inf = count */
    const char *inf = "mam_http_request_duration_seconds_bucket{method=\"GET\","
                      "route=\"/v1/agencies/{code}\",le=\"+Inf\"}";
    const char *count = "mam_http_request_duration_seconds_count{method=\"GET\","
                        "route=\"/v1/agencies/{code}\"}";
    cr_assert_eq(sample(r->body, inf), sample(r->body, count));
    http_free(r);

    /* unmatched paths are counted together */
    const char *unmatched = "mam_http_requests_total{method=\"\",route=\"unmatched\","
                            "status=\"404\"}";
    double u_before = served_total(unmatched);
    r = api_get("/no/such/path/for/metrics", NULL);
    cr_assert_eq(r->status, 404);
    http_free(r);
    cr_assert_geq(served_total(unmatched), u_before + 1, "%s", unmatched);
    r = api_get("/metrics", NULL);
    cr_assert_null(strstr(r->body, "/no/such/path/for/metrics"));
    http_free(r);

    person_free(&p);
    free(agency);
}

Test(ops, INT_3_openapi_served_byte_for_byte)
{
    const char *file = getenv("OPENAPI_FILE");
    cr_assert(file && *file, "OPENAPI_FILE names the served contract");
    size_t len;
    char *expected = read_whole_file(file, &len);
    http_response *r = api_get("/openapi.yaml", NULL);
    cr_assert_eq(r->status, 200, "%s", r->body);
    expect_content_type(r, "application/yaml");
    cr_assert_eq(r->body_len, len, "served %zu bytes, the file has %zu", r->body_len, len);
    cr_assert(memcmp(r->body, expected, len) == 0, "the served contract is the file");
    char *length = http_header(r, "Content-Length");
    if (length)
        cr_assert_eq(strtoul(length, NULL, 10), len);
    free(length);
    http_free(r);
    free(expected);
}

Test(ops, unknown_paths_404_problem)
{
    const char *paths[] = {"/healthz", "/metrics/extra", "/openapi.json", "/v1/unknown", NULL};
    for (const char *const *p = paths; *p; p++) {
        http_response *r = api_get(*p, NULL);
        cr_assert_eq(r->status, 404, "%s -> %ld", *p, r->status);
        expect_problem(r, 404, "/problems/not-found");
        cr_assert_str_eq(json_str(r->json, "instance"), *p);
        http_free(r);
    }
}

/* The contract as an HTML reference, built offline, where every problem
 * type of the contract (openapi.yaml's ProblemType) has its section, and
 * /problems/<name> redirects to it: a problem's `type` resolves. */
Test(ops, INT_3_every_problem_type_resolves_to_its_section_of_the_html_reference)
{
    http_response *page = http_call("GET", "/reference", NULL, NULL, NULL, 0);
    cr_assert_eq(page->status, 200, "%ld", page->status);
    char *type = http_header(page, "Content-Type");
    cr_assert(type && strncmp(type, "text/html", 9) == 0, "%s", type);
    free(type);
    cr_assert_null(strstr(page->body, "<script src=\"http"), "nothing loaded from elsewhere");

    const char *spec = getenv("OPENAPI_FILE");
    cr_assert(spec, "OPENAPI_FILE is set by tests/run.sh");
    FILE *f = fopen(spec, "r");
    cr_assert(f, "%s", spec);
    char line[256];
    int types = 0;
    while (fgets(line, sizeof line, f)) {
        char name[64];
        if (sscanf(line, "        - /problems/%63[a-z-]", name) != 1)
            continue;
        types++;
        char path[96], anchor[128], want[128];
        snprintf(path, sizeof path, "/problems/%s", name);
        http_response *r = http_call("GET", path, NULL, NULL, NULL, 0);
        cr_assert_eq(r->status, 303, "%s: %ld", path, r->status);
        char *location = http_header(r, "Location");
        snprintf(want, sizeof want, "/reference#section/Problem-types/%s", name);
        cr_assert_str_eq(location, want);
        free(location);
        http_free(r);
        snprintf(anchor, sizeof anchor, "id=\"section/Problem-types/%s\"", name);
        cr_assert(strstr(page->body, anchor), "the reference has no section for %s", name);
    }
    fclose(f);
    cr_assert_geq(types, 20, "the contract lists its problem types (%d)", types);
    http_response *r = http_call("GET", "/problems/no-such-problem", NULL, NULL, NULL, 0);
    cr_assert_eq(r->status, 404);
    http_free(r);
    http_free(page);
}
