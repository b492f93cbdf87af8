/* The HTTP pipeline over real HTTP against the real database: size, media
 * type and JSON checks (SEC-6), request ids, the default endpoint (404/405),
 * query parameters and the order in which the pipeline refuses a request
 * (413 -> 401 -> 403 -> 400 query -> 415/400 body -> 428). */
#include <criterion/criterion.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/client.h"
#include "support/expect.h"
#include "support/fixtures.h"
#include "support/people.h"

/* --- helpers --- */

/* The message of the errors[] entry for field, or NULL. */
static const char *error_message(const http_response *r, const char *field)
{
    json_t *errors = json_object_get(r->json, "errors");
    size_t i;
    json_t *e;
    json_array_foreach(errors, i, e) {
        const char *f = json_str(e, "field");
        if (f && strcmp(f, field) == 0)
            return json_str(e, "message");
    }
    return NULL;
}

static void expect_field_error(const http_response *r, const char *field, const char *fragment)
{
    cr_assert(problem_has_field(r, field), "errors[] names '%s': %s", field, r->body);
    if (fragment) {
        const char *m = error_message(r, field);
        cr_assert(m && strstr(m, fragment), "error for '%s' mentions '%s': %s", field, fragment,
                  r->body);
    }
}

static bool is_hex32(const char *s)
{
    if (!s || strlen(s) != 32)
        return false;
    for (const char *p = s; *p; p++)
        if (!isxdigit((unsigned char)*p))
            return false;
    return true;
}

/* Everything a refused write could have touched, as one string: the
 * agency's fingerprint plus the rows written by this caller. */
static char *state_of(const char *agency, const person *p)
{
    char *fp = db_fingerprint(agency);
    const char *params[] = {p->who.sub};
    long meetings = db_long("SELECT count(*) FROM meetings WHERE requester_sub = $1", 1, params);
    long audits = db_long("SELECT count(*) FROM audit_events WHERE actor_sub = $1", 1, params);
    long keys = db_long("SELECT count(*) FROM idempotency_keys WHERE caller_sub = $1", 1, params);
    size_t n = strlen(fp) + 96;
    char *out = malloc(n);
    snprintf(out, n, "%s | meetings=%ld audit=%ld keys=%ld", fp, meetings, audits, keys);
    free(fp);
    return out;
}

static void expect_state_unchanged(const char *agency, const person *p, const char *before)
{
    char *after = state_of(agency, p);
    cr_assert_str_eq(after, before, "the database changed: before [%s] after [%s]", before, after);
    free(after);
}

static char *meeting_json_text(const char *type)
{
    json_t *body = meeting_body(type);
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    return text;
}

/* text followed by spaces up to exactly size bytes (valid JSON throughout). */
static char *padded(const char *text, size_t size)
{
    size_t n = strlen(text);
    cr_assert_leq(n, size);
    char *out = malloc(size + 1);
    memcpy(out, text, n);
    memset(out + n, ' ', size - n);
    out[size] = '\0';
    return out;
}

static size_t max_body_bytes(void)
{
    const char *v = getenv("MAX_BODY_BYTES");
    return v && *v ? (size_t)strtoul(v, NULL, 10) : 1048576;
}

static const char *const json_headers[] = {"Content-Type: application/json", NULL};

/* --- SEC-6: bad input changes nothing --- */

Test(http_pipeline, SEC_6_oversized_body_413_changes_nothing)
{
    size_t max = max_body_bytes();
    cr_assert_eq(max, 65536, "the test run sets MAX_BODY_BYTES=65536, got %zu", max);
    char *agency = agency_new("childrens_social_care");
    person p = person_new(agency, "practitioner");
    char *valid = meeting_json_text("stop_and_review");
    char *before = state_of(agency, &p);

    /* a valid request padded with whitespace to one byte over the limit */
    char *over = padded(valid, max + 1);
    http_response *r = http_call("POST", "/v1/meetings", p.token, json_headers, over, max + 1);
    expect_problem(r, 413, "/problems/payload-too-large");
    cr_assert(strstr(json_str(r->json, "detail"), "65536"), "detail states the limit: %s",
              r->body);
    http_free(r);
    expect_state_unchanged(agency, &p, before);

    /* a request whose free text alone is far larger than the limit */
    json_t *big = meeting_body("stop_and_review");
    size_t huge = max * 3;
    char *rationale = malloc(huge + 1);
    memset(rationale, 'x', huge);
    rationale[huge] = '\0';
    json_object_set_new(big, "rationale", json_string(rationale));
    char *big_text = json_dumps(big, JSON_COMPACT);
    r = http_call("POST", "/v1/meetings", p.token, json_headers, big_text, strlen(big_text));
    expect_problem(r, 413, "/problems/payload-too-large");
    http_free(r);
    expect_state_unchanged(agency, &p, before);

    /* the same, sent chunked (no Content-Length to go by) */
    const char *chunked[] = {"Content-Type: application/json", "Transfer-Encoding: chunked", NULL};
    r = http_call("POST", "/v1/meetings", p.token, chunked, big_text, strlen(big_text));
    expect_problem(r, 413, "/problems/payload-too-large");
    http_free(r);
    expect_state_unchanged(agency, &p, before);

    /* 413 comes before authentication: nothing of the body is looked at */
    r = http_call("POST", "/v1/meetings", NULL, json_headers, over, max + 1);
    expect_problem(r, 413, "/problems/payload-too-large");
    http_free(r);
    expect_state_unchanged(agency, &p, before);

    /* exactly at the limit is accepted */
    char *exact = padded(valid, max);
    r = http_call("POST", "/v1/meetings", p.token, json_headers, exact, max);
    cr_assert_eq(r->status, 201, "a body of exactly MAX_BODY_BYTES is accepted: %ld %s",
                 r->status, r->body);
    http_free(r);
    const char *params[] = {p.who.sub};
    cr_assert_eq(db_long("SELECT count(*) FROM meetings WHERE requester_sub = $1", 1, params), 1);

    free(exact);
    free(big_text);
    json_decref(big);
    free(rationale);
    free(over);
    free(before);
    free(valid);
    person_free(&p);
    free(agency);
}

Test(http_pipeline, SEC_6_wrong_media_type_415)
{
    char *agency = agency_new("childrens_social_care");
    person p = person_new(agency, "practitioner");
    char *valid = meeting_json_text("professionals");
    char *before = state_of(agency, &p);

    const char *refused[] = {"Content-Type: text/plain",
                             "Content-Type: application/xml",
                             "Content-Type:", /* curl then sends no Content-Type at all */
                             "Content-Type: application/json; charset=latin1",
                             "Content-Type: application/json; charset=utf-16",
                             "Content-Type: application/jsonp",
                             "Content-Type: application/x-www-form-urlencoded",
                             NULL};
    for (const char *const *ct = refused; *ct; ct++) {
        const char *headers[] = {*ct, NULL};
        http_response *r =
            http_call("POST", "/v1/meetings", p.token, headers, valid, strlen(valid));
        cr_assert_eq(r->status, 415, "[%s] -> %ld %s", *ct, r->status, r->body);
        expect_problem(r, 415, "/problems/unsupported-media-type");
        http_free(r);
        expect_state_unchanged(agency, &p, before);
    }

    /* PATCH with a body in the wrong media type: 415 and the agency unchanged */
    person admin = person_new(agency, "admin");
    char path[96];
    snprintf(path, sizeof path, "/v1/agencies/%s", agency);
    const char *xml[] = {"Content-Type: application/xml", "If-Match: \"1\"", NULL};
    const char *doc = "<agency><name>Renamed</name></agency>";
    http_response *r = http_call("PATCH", path, admin.token, xml, doc, strlen(doc));
    expect_problem(r, 415, "/problems/unsupported-media-type");
    http_free(r);
    expect_state_unchanged(agency, &p, before);

    /* JSON in UTF-8 is accepted, however the charset is spelled */
    const char *accepted[] = {"Content-Type: application/json; charset=utf-8",
                              "Content-Type: application/json;charset=UTF-8", NULL};
    long expected = 0;
    for (const char *const *ct = accepted; *ct; ct++) {
        const char *headers[] = {*ct, NULL};
        r = http_call("POST", "/v1/meetings", p.token, headers, valid, strlen(valid));
        cr_assert_eq(r->status, 201, "[%s] -> %ld %s", *ct, r->status, r->body);
        http_free(r);
        expected++;
    }
    const char *params[] = {p.who.sub};
    cr_assert_eq(db_long("SELECT count(*) FROM meetings WHERE requester_sub = $1", 1, params),
                 expected);

    person_free(&admin);
    free(before);
    free(valid);
    person_free(&p);
    free(agency);
}

typedef struct bad_json {
    const char *what;
    const char *body;
    size_t len;
    const char *fragment; /* in the error message */
} bad_json;

Test(http_pipeline, SEC_6_malformed_json_400)
{
    char *agency = agency_new("childrens_social_care");
    person p = person_new(agency, "practitioner");
    char *before = state_of(agency, &p);

    static const char truncated[] = "{\"type\":\"stop_and_review\",\"title\":\"Planning";
    static const char trailing[] = "{\"type\":\"stop_and_review\"} {\"x\":1}";
    static const char array[] = "[{\"type\":\"stop_and_review\"}]";
    static const char duplicated[] = "{\"title\":\"a\",\"title\":\"b\"}";
    static const char bad_utf8[] = "{\"title\":\"Caf\xc3\x28 \xff\xfe\"}";
    static const char surrogate[] = "{\"title\":\"\xed\xa0\x80\"}";
    static const char nul[] = "{\"title\":\"a\\u0000b\"}";
    static const char scalar[] = "\"just a string\"";
    static const char spaces[] = "   ";
    static const char lone_surrogate[] = "{\"title\":\"\\ud800\"}";
    /* far deeper than any parser should follow */
    size_t depth = 30000;
    char *deep = malloc(2 * depth + 1);
    memset(deep, '[', depth);
    memset(deep + depth, ']', depth);
    deep[2 * depth] = '\0';
    const bad_json cases[] = {
        {"truncated", truncated, sizeof truncated - 1, "not valid JSON"},
        {"trailing garbage", trailing, sizeof trailing - 1, "not valid JSON"},
        {"an array", array, sizeof array - 1, "JSON object"},
        {"duplicated keys", duplicated, sizeof duplicated - 1, "duplicate"},
        {"invalid UTF-8", bad_utf8, sizeof bad_utf8 - 1, "not valid JSON"},
        {"UTF-8 surrogate", surrogate, sizeof surrogate - 1, "not valid JSON"},
        {"\\u0000 in a string", nul, sizeof nul - 1, "u0000"},
        {"a bare string", scalar, sizeof scalar - 1, "not valid JSON"},
        {"whitespace only", spaces, sizeof spaces - 1, "not valid JSON"},
        {"empty body", "", 0, "required"},
        {"a lone surrogate escape", lone_surrogate, sizeof lone_surrogate - 1, "not valid JSON"},
        {"30000 levels of nesting", deep, 2 * depth, "not valid JSON"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const bad_json *c = &cases[i];
        http_response *r =
            http_call("POST", "/v1/meetings", p.token, json_headers, c->body, c->len);
        cr_assert_eq(r->status, 400, "%s -> %ld %s", c->what, r->status, r->body);
        expect_problem(r, 400, "/problems/invalid-request");
        json_t *errors = json_object_get(r->json, "errors");
        cr_assert(json_array_size(errors) >= 1, "%s: errors[] names the problem: %s", c->what,
                  r->body);
        expect_field_error(r, "", c->fragment);
        http_free(r);
        expect_state_unchanged(agency, &p, before);
    }

    /* thousands of unknown fields: refused, with a bounded list of errors */
    json_t *many = json_object();
    for (int i = 0; i < 3000; i++) {
        char key[16];
        snprintf(key, sizeof key, "k%d", i);
        json_object_set_new(many, key, json_integer(i));
    }
    http_response *m = api_call("POST", "/v1/meetings", p.token, many, NULL);
    expect_problem(m, 400, "/problems/invalid-request");
    size_t n_errors = json_array_size(json_object_get(m->json, "errors"));
    cr_assert(n_errors >= 1 && n_errors <= 100, "%zu errors", n_errors);
    expect_field_error(m, "k0", "unknown field");
    http_free(m);
    json_decref(many);
    expect_state_unchanged(agency, &p, before);

    /* the same checks guard PATCH: the agency stays as it was */
    person admin = person_new(agency, "admin");
    char path[96];
    snprintf(path, sizeof path, "/v1/agencies/%s", agency);
    const char *patch_headers[] = {"Content-Type: application/json", "If-Match: \"1\"", NULL};
    static const char dup_patch[] = "{\"name\":\"One\",\"name\":\"Two\"}";
    http_response *r =
        http_call("PATCH", path, admin.token, patch_headers, dup_patch, sizeof dup_patch - 1);
    expect_problem(r, 400, "/problems/invalid-request");
    expect_field_error(r, "", "duplicate");
    http_free(r);
    expect_state_unchanged(agency, &p, before);

    person_free(&admin);
    free(deep);
    free(before);
    person_free(&p);
    free(agency);
}

Test(http_pipeline, SEC_6_rule_violation_422_changes_nothing)
{
    char *agency = agency_new("childrens_social_care");
    person p = person_new(agency, "practitioner");
    char *before = state_of(agency, &p);

    /* MTG-3: protecting the working relationship is not a reason to meet */
    json_t *body = meeting_body("professionals_only");
    json_object_set_new(body, "criteria", json_pack("[s]", "protect_working_relationship"));
    http_response *r = api_call("POST", "/v1/meetings", p.token, body, NULL);
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert(problem_has_rule(r, "MTG-3", "criteria[0]"), "MTG-3 on criteria[0]: %s", r->body);
    http_free(r);
    json_decref(body);
    expect_state_unchanged(agency, &p, before);

    /* MTG-5: a child without a date of birth, and no word on other children */
    body = meeting_body("stop_and_review");
    json_object_set_new(body, "children", json_pack("[{s:s}]", "name", "Alex Example"));
    json_object_del(body, "other_children");
    r = api_call("POST", "/v1/meetings", p.token, body, NULL);
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert(problem_has_rule(r, "MTG-5", "children[0]"), "MTG-5 on children[0]: %s", r->body);
    cr_assert(problem_has_rule(r, "MTG-5", "other_children"), "MTG-5 on other_children: %s",
              r->body);
    http_free(r);
    json_decref(body);
    expect_state_unchanged(agency, &p, before);

    /* MTG-2, refused inside the transaction (the agency's kind is looked up):
     * a strategy discussion requested from the police */
    char *police = agency_new("police");
    person officer = person_new(police, "practitioner");
    char *police_before = state_of(police, &officer);
    body = meeting_body("strategy_discussion");
    r = api_call("POST", "/v1/meetings", officer.token, body, NULL);
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert(problem_has_rule(r, "MTG-2", "type"), "MTG-2 on type: %s", r->body);
    http_free(r);
    json_decref(body);
    expect_state_unchanged(police, &officer, police_before);

    /* the same with an Idempotency-Key: the refusal is not remembered */
    const char *headers[] = {"Content-Type: application/json", "Idempotency-Key: k-422", NULL};
    body = meeting_body("strategy_discussion");
    char *text = json_dumps(body, JSON_COMPACT);
    r = http_call("POST", "/v1/meetings", officer.token, headers, text, strlen(text));
    expect_problem(r, 422, "/problems/rule-violated");
    http_free(r);
    free(text);
    json_decref(body);
    expect_state_unchanged(police, &officer, police_before);

    free(police_before);
    person_free(&officer);
    free(police);
    free(before);
    person_free(&p);
    free(agency);
}

/* --- request ids --- */

Test(http_pipeline, request_id_echoed_generated_or_replaced)
{
    char *agency = agency_new("health");
    person p = person_new(agency, "practitioner");

    /* a usable client id is echoed, on success and on a problem */
    char suffix[17], given[64];
    unique_suffix(suffix, sizeof suffix);
    snprintf(given, sizeof given, "client-%s.req:1_A", suffix);
    char header[128];
    snprintf(header, sizeof header, "X-Request-Id: %s", given);
    const char *headers[] = {header, NULL};
    http_response *r = http_call("GET", "/v1/agencies?limit=1", p.token, headers, NULL, 0);
    cr_assert_eq(r->status, 200, "%s", r->body);
    char *echoed = http_header(r, "X-Request-Id");
    cr_assert_str_eq(echoed, given);
    free(echoed);
    http_free(r);
    r = http_call("GET", "/v1/agencies/NO-SUCH-AGENCY", p.token, headers, NULL, 0);
    expect_problem(r, 404, "/problems/not-found");
    cr_assert_str_eq(json_str(r->json, "request_id"), given);
    http_free(r);

    /* 64 characters is the longest usable id */
    char longest[65];
    memset(longest, 'a', 64);
    longest[64] = '\0';
    snprintf(header, sizeof header, "X-Request-Id: %s", longest);
    r = http_call("GET", "/livez", NULL, headers, NULL, 0);
    echoed = http_header(r, "X-Request-Id");
    cr_assert_str_eq(echoed, longest);
    free(echoed);
    http_free(r);

    /* a missing id is generated: 32 hex digits, new each time */
    r = api_get("/livez", NULL);
    char *first = http_header(r, "X-Request-Id");
    cr_assert(is_hex32(first), "generated id %s", first ? first : "(none)");
    http_free(r);
    r = api_get("/livez", NULL);
    char *second = http_header(r, "X-Request-Id");
    cr_assert(is_hex32(second), "generated id %s", second ? second : "(none)");
    cr_assert_str_neq(first, second);
    free(first);
    free(second);
    http_free(r);

    /* unusable ids are replaced, never echoed */
    char too_long[80];
    memset(too_long, 'b', 65);
    too_long[65] = '\0';
    const char *unusable[] = {"has spaces in it", too_long, "<script>alert(1)</script>",
                              "quote\"d", "semi;colon", "caf\xc3\xa9"};
    for (size_t i = 0; i < sizeof unusable / sizeof unusable[0]; i++) {
        snprintf(header, sizeof header, "X-Request-Id: %s", unusable[i]);
        r = http_call("GET", "/v1/agencies/NO-SUCH-AGENCY", p.token, headers, NULL, 0);
        expect_problem(r, 404, "/problems/not-found");
        char *got = http_header(r, "X-Request-Id");
        cr_assert(is_hex32(got), "[%s] replaced by a generated id, got %s", unusable[i],
                  got ? got : "(none)");
        cr_assert_str_neq(got, unusable[i]);
        cr_assert_str_eq(json_str(r->json, "request_id"), got);
        free(got);
        http_free(r);
    }
    person_free(&p);
    free(agency);
}

Test(http_pipeline, every_response_has_request_id_and_no_store)
{
    char *agency = agency_new("education");
    person p = person_new(agency, "practitioner");
    size_t max = max_body_bytes();
    char *over = padded("{}", max + 1);
    char code_path[96];
    snprintf(code_path, sizeof code_path, "/v1/agencies/%s", agency);

    struct {
        const char *method, *path;
        bool token;
        const char *content_type;
        const char *body;
        long status;
    } calls[] = {
        {"GET", "/livez", false, NULL, NULL, 200},
        {"GET", "/readyz", false, NULL, NULL, 200},
        {"GET", "/metrics", false, NULL, NULL, 200},
        {"GET", "/openapi.yaml", false, NULL, NULL, 200},
        {"GET", "/v1/agencies?limit=1", true, NULL, NULL, 200},
        {"GET", code_path, true, NULL, NULL, 200},
        {"GET", "/v1/meetings", false, NULL, NULL, 401},
        {"POST", "/v1/agencies", true, "Content-Type: application/json", "{}", 403},
        {"GET", "/v1/agencies/NOPE-NOT-HERE", true, NULL, NULL, 404},
        {"GET", "/no/such/route", false, NULL, NULL, 404},
        {"DELETE", "/v1/meetings", true, NULL, NULL, 405},
        {"GET", "/v1/meetings?nope=1", true, NULL, NULL, 400},
        {"POST", "/v1/meetings", true, "Content-Type: application/json", "{", 400},
        {"POST", "/v1/meetings", true, "Content-Type: application/json", over, 413},
        {"POST", "/v1/meetings", true, "Content-Type: text/plain", "{}", 415},
        {"POST", "/v1/meetings", true, "Content-Type: application/json",
         "{\"criteria\":[\"protect_working_relationship\"]}", 422},
    };
    for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++) {
        const char *headers[] = {calls[i].content_type, NULL};
        http_response *r = http_call(calls[i].method, calls[i].path,
                                     calls[i].token ? p.token : NULL, headers, calls[i].body,
                                     calls[i].body ? strlen(calls[i].body) : 0);
        cr_assert_eq(r->status, calls[i].status, "%s %s -> %ld %s", calls[i].method,
                     calls[i].path, r->status, r->body);
        char *id = http_header(r, "X-Request-Id");
        char *cache = http_header(r, "Cache-Control");
        cr_assert(id && *id, "%s %s has X-Request-Id", calls[i].method, calls[i].path);
        cr_assert(cache && strcmp(cache, "no-store") == 0, "%s %s -> Cache-Control %s",
                  calls[i].method, calls[i].path, cache ? cache : "(none)");
        if (calls[i].status >= 400)
            expect_problem(r, calls[i].status, NULL);
        free(id);
        free(cache);
        http_free(r);
    }
    free(over);
    person_free(&p);
    free(agency);
}

/* --- the default endpoint --- */

Test(http_pipeline, unknown_route_404_problem)
{
    const char *paths[] = {"/", "/v1", "/v1/nothing-here", "/v2/meetings",
                           "/v1/agencies/ABC/extra", "/livez/more"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        http_response *r = api_get(paths[i], NULL);
        cr_assert_eq(r->status, 404, "%s -> %ld %s", paths[i], r->status, r->body);
        expect_problem(r, 404, "/problems/not-found");
        char *allow = http_header(r, "Allow");
        cr_assert_null(allow, "%s: a 404 has no Allow header", paths[i]);
        http_free(r);
    }
}

static void expect_allow(const char *method, const char *path, const char *const *expected)
{
    http_response *r = http_call(method, path, NULL, NULL, NULL, 0);
    expect_problem(r, 405, "/problems/method-not-allowed");
    char *allow = http_header(r, "Allow");
    cr_assert(allow, "%s %s: 405 carries Allow", method, path);
    size_t n = 0;
    for (const char *const *m = expected; *m; m++, n++)
        cr_assert(strstr(allow, *m), "%s %s: Allow '%s' lists %s", method, path, allow, *m);
    /* nothing more than the expected methods: count the commas */
    size_t commas = 0;
    for (const char *c = allow; *c; c++)
        commas += *c == ',';
    cr_assert_eq(commas + 1, n, "%s %s: Allow '%s'", method, path, allow);
    cr_assert_null(strstr(allow, method), "%s %s: Allow '%s' must not list %s", method, path,
                   allow, method);
    free(allow);
    http_free(r);
}

Test(http_pipeline, wrong_method_405_with_allow)
{
    const char *meetings[] = {"GET", "POST", NULL};
    expect_allow("DELETE", "/v1/meetings", meetings);
    expect_allow("PUT", "/v1/meetings", meetings);
    const char *agency[] = {"GET", "PATCH", NULL};
    expect_allow("DELETE", "/v1/agencies/ABC", agency);
    expect_allow("POST", "/v1/agencies/ABC", agency);
    const char *authorise[] = {"POST", NULL};
    expect_allow("GET", "/v1/meetings/00000000-0000-0000-0000-000000000000/authorise",
                 authorise);
    const char *livez[] = {"GET", NULL};
    expect_allow("POST", "/livez", livez);

    /* 405 comes before authentication: a token changes nothing */
    char *agency_code = agency_new("housing");
    person p = person_new(agency_code, "admin");
    char *before = db_fingerprint(agency_code);
    char path[96];
    snprintf(path, sizeof path, "/v1/agencies/%s", agency_code);
    http_response *r = http_call("DELETE", path, p.token, NULL, NULL, 0);
    expect_problem(r, 405, "/problems/method-not-allowed");
    http_free(r);
    char *after = db_fingerprint(agency_code);
    cr_assert_str_eq(after, before);
    free(after);
    free(before);
    person_free(&p);
    free(agency_code);
}

/* --- query parameters --- */

Test(http_pipeline, SEC_6_unknown_query_parameter_400_names_it)
{
    char *agency = agency_new("health");
    person p = person_new(agency, "practitioner");
    http_response *r = api_get("/v1/meetings?bogus=1", p.token);
    expect_problem(r, 400, "/problems/invalid-request");
    expect_field_error(r, "bogus", "unknown query parameter");
    http_free(r);

    /* every unknown one is named, and a known one does not hide them */
    r = api_get("/v1/meetings?status=requested&colour=red&size=9", p.token);
    expect_problem(r, 400, "/problems/invalid-request");
    expect_field_error(r, "colour", "unknown");
    expect_field_error(r, "size", "unknown");
    cr_assert(!problem_has_field(r, "status"), "%s", r->body);
    http_free(r);

    /* cursor is not a parameter of the event feed (it pages with after=) */
    person integration = person_new(agency, "integration");
    r = api_get("/v1/events?cursor=abc", integration.token);
    expect_problem(r, 400, "/problems/invalid-request");
    expect_field_error(r, "cursor", "unknown");
    http_free(r);

    /* and a listed name is fine */
    r = api_get("/v1/meetings?status=requested&limit=5", p.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    person_free(&integration);
    person_free(&p);
    free(agency);
}

Test(http_pipeline, SEC_6_duplicated_query_parameter_400)
{
    char *agency = agency_new("health");
    person p = person_new(agency, "practitioner");
    const char *paths[] = {"/v1/meetings?status=requested&status=held",
                           "/v1/meetings?limit=5&limit=5",
                           "/v1/agencies?kind=police&kind=health"};
    const char *fields[] = {"status", "limit", "kind"};
    for (size_t i = 0; i < 3; i++) {
        http_response *r = api_get(paths[i], p.token);
        expect_problem(r, 400, "/problems/invalid-request");
        expect_field_error(r, fields[i], "more than once");
        http_free(r);
    }
    person_free(&p);
    free(agency);
}

Test(http_pipeline, SEC_6_invalid_percent_encoding_in_query_400)
{
    char *agency = agency_new("health");
    person p = person_new(agency, "practitioner");
    const char *paths[] = {"/v1/meetings?status=%zz", "/v1/meetings?status=%4",
                           "/v1/meetings?status=abc%", "/v1/meetings?st%ZZatus=requested",
                           "/v1/meetings?status=%ff%fe", "/v1/meetings?status=%00"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        http_response *r = api_get(paths[i], p.token);
        cr_assert_eq(r->status, 400, "%s -> %ld %s", paths[i], r->status, r->body);
        expect_problem(r, 400, "/problems/invalid-request");
        expect_field_error(r, "query", "percent-encoded");
        http_free(r);
    }
    /* valid percent-encoding is decoded: re%71uested is "requested" */
    http_response *r = api_get("/v1/meetings?st%61tus=re%71uested", p.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    person_free(&p);
    free(agency);
}

Test(http_pipeline, path_and_query_parameters_stay_apart)
{
    char *mine = agency_new("police");
    char *other = agency_new("health");
    person p = person_new(mine, "practitioner");
    char path[160];

    /* ?code= is not a parameter of GET /v1/agencies/{code}: 400, never OTHER */
    snprintf(path, sizeof path, "/v1/agencies/%s?code=%s", mine, other);
    http_response *r = api_get(path, p.token);
    expect_problem(r, 400, "/problems/invalid-request");
    expect_field_error(r, "code", "unknown query parameter");
    cr_assert_null(strstr(r->body, other), "the answer never reads the query as the path: %s",
                   r->body);
    http_free(r);

    /* the same for PATCH: the agency named in the query stays untouched */
    person admin = person_new(mine, "admin");
    char *other_before = db_fingerprint(other);
    char *mine_before = db_fingerprint(mine);
    json_t *body = json_pack("{s:s}", "name", "Renamed through the query");
    r = api_call("PATCH", path, admin.token, body, "\"1\"");
    expect_problem(r, 400, "/problems/invalid-request");
    expect_field_error(r, "code", "unknown query parameter");
    http_free(r);
    json_decref(body);
    char *other_after = db_fingerprint(other);
    char *mine_after = db_fingerprint(mine);
    cr_assert_str_eq(other_after, other_before);
    cr_assert_str_eq(mine_after, mine_before);

    /* the path alone reads the path's agency */
    snprintf(path, sizeof path, "/v1/agencies/%s", mine);
    r = api_get(path, p.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "code"), mine);
    http_free(r);

    /* and a meeting id in the query is not the path's id */
    r = api_get("/v1/meetings/not-a-uuid?meeting_id=00000000-0000-0000-0000-000000000000",
                p.token);
    expect_problem(r, 400, "/problems/invalid-request");
    expect_field_error(r, "meeting_id", "unknown query parameter");
    http_free(r);

    free(other_after);
    free(mine_after);
    free(other_before);
    free(mine_before);
    person_free(&admin);
    person_free(&p);
    free(other);
    free(mine);
}

/* --- the order of refusals: 413 -> 401 -> 403 -> 400 query -> 415/400 body -> 428 --- */

Test(http_pipeline, refusals_come_in_pipeline_order)
{
    char *agency = agency_new("childrens_social_care");
    person practitioner = person_new(agency, "practitioner");
    person admin = person_new(agency, "admin");
    size_t max = max_body_bytes();
    char *over = padded("{}", max + 1);
    char *before = db_fingerprint(agency);
    char path[128];
    snprintf(path, sizeof path, "/v1/agencies/%s?bogus=1", agency);
    const char *xml[] = {"Content-Type: application/xml", NULL};
    const char *json[] = {"Content-Type: application/json", NULL};

    /* too large, without a token and with a bad query and media type: 413 */
    http_response *r = http_call("PATCH", path, NULL, xml, over, max + 1);
    expect_problem(r, 413, NULL);
    http_free(r);
    /* no token, with a bad query and media type: 401 */
    r = http_call("PATCH", path, NULL, xml, "{}", 2);
    expect_problem(r, 401, NULL);
    http_free(r);
    /* lacking the role, with a bad query and media type: 403 */
    r = http_call("PATCH", path, practitioner.token, xml, "{}", 2);
    expect_problem(r, 403, NULL);
    http_free(r);
    /* the role, a bad query and a bad media type: 400 for the query */
    r = http_call("PATCH", path, admin.token, xml, "{}", 2);
    expect_problem(r, 400, NULL);
    expect_field_error(r, "bogus", NULL);
    http_free(r);
    /* a good query and a bad media type, without If-Match: 415 */
    snprintf(path, sizeof path, "/v1/agencies/%s", agency);
    r = http_call("PATCH", path, admin.token, xml, "{}", 2);
    expect_problem(r, 415, NULL);
    http_free(r);
    /* malformed JSON without If-Match: 400 */
    r = http_call("PATCH", path, admin.token, json, "{\"name\":", strlen("{\"name\":"));
    expect_problem(r, 400, NULL);
    http_free(r);
    /* a good body without If-Match: 428 */
    static const char good[] = "{\"name\":\"New name\"}";
    r = http_call("PATCH", path, admin.token, json, good, strlen(good));
    expect_problem(r, 428, "/problems/precondition-required");
    http_free(r);

    char *after = db_fingerprint(agency);
    cr_assert_str_eq(after, before, "nothing was changed by any refusal");
    free(after);
    free(before);
    free(over);
    person_free(&admin);
    person_free(&practitioner);
    free(agency);
}

/* --- refusals name the field whatever the input's characters --- */

/* 'x' then forty 'é': 81 bytes of valid UTF-8, whose first 64 bytes end in
 * the middle of a character. */
static const char long_non_ascii[] =
    "x\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9";

static char *percent_encoded(const char *s)
{
    size_t n = strlen(s);
    char *out = malloc(3 * n + 1);
    char *o = out;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9'))
            *o++ = (char)*p;
        else
            o += sprintf(o, "%%%02X", *p);
    }
    *o = '\0';
    return out;
}

Test(http_pipeline, SEC_6_unknown_non_ascii_query_parameter_400_names_it)
{
    char *agency = agency_new("health");
    person p = person_new(agency, "practitioner");
    char *name = percent_encoded(long_non_ascii);
    char path[1024];
    snprintf(path, sizeof path, "/v1/meetings?%s=1", name);
    http_response *r = api_get(path, p.token);
    cr_assert_eq(r->status, 400,
                 "an unknown query parameter with a long non-ASCII name is refused, not"
                 " ignored: %ld %s",
                 r->status, r->body);
    expect_problem(r, 400, "/problems/invalid-request");
    expect_field_error(r, long_non_ascii, "unknown query parameter");
    http_free(r);
    free(name);
    person_free(&p);
    free(agency);
}

Test(http_pipeline, SEC_6_unknown_non_ascii_meeting_type_422_names_field)
{
    char *agency = agency_new("childrens_social_care");
    person p = person_new(agency, "practitioner");
    char *before = state_of(agency, &p);
    json_t *body = meeting_body("stop_and_review");
    json_object_set_new(body, "type", json_string(long_non_ascii));
    http_response *r = api_call("POST", "/v1/meetings", p.token, body, NULL);
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert(problem_has_rule(r, "MTG-1", "type"),
              "the 422 names the field and rule at fault: %s", r->body);
    http_free(r);
    json_decref(body);
    expect_state_unchanged(agency, &p, before);
    free(before);
    person_free(&p);
    free(agency);
}

static char *cursor_of(const char *raw)
{
    size_t n = strlen(raw);
    char *out = malloc(n * 4 / 3 + 4);
    size_t o = 0;
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)(unsigned char)raw[i] << 16;
        size_t chunk = n - i < 3 ? n - i : 3;
        if (chunk > 1)
            v |= (unsigned)(unsigned char)raw[i + 1] << 8;
        if (chunk > 2)
            v |= (unsigned char)raw[i + 2];
        for (size_t k = 0; k < chunk + 1; k++)
            out[o++] = alphabet[(v >> (18 - 6 * k)) & 63];
    }
    out[o] = '\0';
    return out;
}

/* Cursors are opaque: one the service never gave out is the client's
 * mistake (400), never the server's (500). */
Test(http_pipeline, SEC_6_forged_cursors_never_500)
{
    char *agency = agency_new("childrens_social_care");
    person p = person_new(agency, "practitioner");
    person auditor = person_new(agency, "auditor");
    person integration = person_new(agency, "integration");
    struct {
        const char *route, *param, *raw;
        const person *who;
    } cases[] = {
        {"/v1/meetings", "cursor",
         "c1|2024-01-01T00:00:00+23:59|00000000-0000-0000-0000-000000000000", &p},
        {"/v1/meetings", "cursor",
         "c1|2024-01-01T00:00:00-16:00|00000000-0000-0000-0000-000000000000", &p},
        {"/v1/meetings", "cursor", "c1|2024-01-01T00:00:00Z|not-a-uuid", &p},
        {"/v1/meetings", "cursor", "c1|yesterday|00000000-0000-0000-0000-000000000000", &p},
        {"/v1/meetings", "cursor", "c1|2024-01-01T00:00:00Z", &p},
        {"/v1/audit-events", "cursor", "c1|99999999999999999999", &auditor},
        {"/v1/audit-events", "cursor", "c1|-5", &auditor},
        {"/v1/events", "after", "c1|99999999999999999999|1", &integration},
        {"/v1/events", "after", "c1|1|99999999999999999999", &integration},
        {"/v1/agencies", "cursor", "c1|A|B", &p},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *cursor = cursor_of(cases[i].raw);
        char path[512];
        snprintf(path, sizeof path, "%s?%s=%s", cases[i].route, cases[i].param, cursor);
        http_response *r = api_get(path, cases[i].who->token);
        cr_assert_neq(r->status, 500, "%s with %s=%s -> 500: %s", cases[i].route,
                      cases[i].param, cases[i].raw, r->body);
        cr_assert_eq(r->status, 400, "%s with %s=%s -> %ld %s", cases[i].route, cases[i].param,
                     cases[i].raw, r->status, r->body);
        expect_problem(r, 400, "/problems/invalid-request");
        expect_field_error(r, cases[i].param, NULL);
        http_free(r);
        free(cursor);
    }
    person_free(&integration);
    person_free(&auditor);
    person_free(&p);
    free(agency);
}
