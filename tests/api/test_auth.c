/* Authentication (SEC-1) and role gates (SEC-3) over real HTTP: every /v1
 * call needs a valid bearer token, a refused one changes nothing, and the
 * operations endpoints need none. */
#include <criterion/criterion.h>
#include <rhonabwy.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/jwt.h"
#include "core/text.h"
#include "support/client.h"
#include "support/expect.h"
#include "support/fixtures.h"
#include "support/people.h"

/* --- helpers --- */

/* 401 with WWW-Authenticate: Bearer, and error="invalid_token" when a
 * bearer token was given; detail_fragment (may be NULL) names why. */
static void expect_401(const http_response *r, bool token_given, const char *detail_fragment)
{
    expect_problem(r, 401, "/problems/unauthenticated");
    char *www = http_header(r, "WWW-Authenticate");
    cr_assert(www, "a 401 carries WWW-Authenticate: %s", r->headers);
    cr_assert(strncmp(www, "Bearer", 6) == 0, "WWW-Authenticate names the Bearer scheme: %s",
              www);
    if (token_given)
        cr_assert(strstr(www, "error=\"invalid_token\""), "WWW-Authenticate: %s", www);
    else
        cr_assert_null(strstr(www, "error="), "no token, no error code: %s", www);
    if (detail_fragment) {
        const char *detail = json_str(r->json, "detail");
        cr_assert(detail && strstr(detail, detail_fragment), "detail mentions '%s': %s",
                  detail_fragment, r->body);
    }
    free(www);
}

static char *state_of(const char *agency, const char *sub)
{
    char *fp = db_fingerprint(agency);
    const char *params[] = {sub};
    long meetings = db_long("SELECT count(*) FROM meetings WHERE requester_sub = $1", 1, params);
    long audits = db_long("SELECT count(*) FROM audit_events WHERE actor_sub = $1", 1, params);
    size_t n = strlen(fp) + 64;
    char *out = malloc(n);
    snprintf(out, n, "%s | meetings=%ld audit=%ld", fp, meetings, audits);
    free(fp);
    return out;
}

static void expect_state_unchanged(const char *agency, const char *sub, const char *before)
{
    char *after = state_of(agency, sub);
    cr_assert_str_eq(after, before, "the database changed: [%s] -> [%s]", before, after);
    free(after);
}

/* POST /v1/meetings with a valid request, as whoever the token says. */
static http_response *request_meeting(const char *token, const char *authorization)
{
    json_t *body = meeting_body("stop_and_review");
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    char header[9000];
    const char *headers[] = {"Content-Type: application/json", NULL, NULL};
    if (authorization) {
        snprintf(header, sizeof header, "Authorization: %s", authorization);
        headers[1] = header;
    }
    http_response *r = http_call("POST", "/v1/meetings", token, headers, text, strlen(text));
    free(text);
    return r;
}

static char *b64url(const char *text)
{
    size_t n = strlen(text);
    size_t size = n * 4 / 3 + 4;
    char *out = malloc(size);
    text_base64url_encode((const unsigned char *)text, n, out, size);
    return out;
}

/* An unsigned token (alg "none") carrying these claims. */
static char *unsigned_token(json_t *claims)
{
    char *payload_json = json_dumps(claims, JSON_COMPACT);
    char *header = b64url("{\"alg\":\"none\",\"typ\":\"JWT\"}");
    char *payload = b64url(payload_json);
    size_t n = strlen(header) + strlen(payload) + 3;
    char *token = malloc(n);
    snprintf(token, n, "%s.%s.", header, payload);
    free(header);
    free(payload);
    free(payload_json);
    return token;
}

/* Signs claims with the service's secret but another HMAC algorithm. */
static char *token_with_alg(json_t *claims, jwa_alg alg)
{
    jwt_t *jwt = NULL;
    jwk_t *jwk = NULL;
    char *out = NULL;
    const char *secret = test_secret();
    cr_assert_eq(r_jwt_init(&jwt), RHN_OK);
    cr_assert_eq(r_jwk_init(&jwk), RHN_OK);
    cr_assert_eq(r_jwk_import_from_symmetric_key(jwk, (const unsigned char *)secret,
                                                 strlen(secret)),
                 RHN_OK);
    cr_assert_eq(r_jwt_set_full_claims_json_t(jwt, claims), RHN_OK);
    cr_assert_eq(r_jwt_set_sign_alg(jwt, alg), RHN_OK);
    char *token = r_jwt_serialize_signed(jwt, jwk, 0);
    cr_assert(token, "rhonabwy signs the token");
    out = strdup(token);
    r_free(token);
    r_jwk_free(jwk);
    r_jwt_free(jwt);
    return out;
}

/* --- SEC-1: tokens --- */

Test(auth, SEC_1_no_authorization_header_401_with_bearer_challenge)
{
    char *agency = agency_new("childrens_social_care");
    person p = person_new(agency, "practitioner");
    char *before = state_of(agency, p.who.sub);

    http_response *r = request_meeting(NULL, NULL);
    expect_401(r, false, NULL);
    http_free(r);
    expect_state_unchanged(agency, p.who.sub, before);

    /* every /v1 route asks for a token, whatever else is wrong with the call */
    char code_path[96];
    snprintf(code_path, sizeof code_path, "/v1/agencies/%s", agency);
    const char *gets[] = {"/v1/agencies", code_path, "/v1/meetings",
                          "/v1/meetings/00000000-0000-0000-0000-000000000000",
                          "/v1/audit-events", "/v1/events", NULL};
    for (const char *const *g = gets; *g; g++) {
        r = api_get(*g, NULL);
        cr_assert_eq(r->status, 401, "GET %s -> %ld", *g, r->status);
        expect_401(r, false, NULL);
        http_free(r);
    }
    json_t *body = json_pack("{s:s}", "name", "Renamed without a token");
    r = api_call("PATCH", code_path, NULL, body, "\"1\"");
    expect_401(r, false, NULL);
    http_free(r);
    json_decref(body);
    body = json_pack("{s:s, s:s, s:s}", "code", "NOTOKEN-AGENCY", "name", "Nobody", "kind",
                     "other");
    r = api_call("POST", "/v1/agencies", NULL, body, NULL);
    expect_401(r, false, NULL);
    http_free(r);
    json_decref(body);
    expect_state_unchanged(agency, p.who.sub, before);

    free(before);
    person_free(&p);
    free(agency);
}

Test(auth, SEC_1_other_schemes_and_garbage_tokens_401)
{
    char *agency = agency_new("childrens_social_care");
    person p = person_new(agency, "practitioner");
    char *before = state_of(agency, p.who.sub);

    /* not a bearer token at all */
    const char *schemes[] = {"Basic dXNlcjpwYXNzd29yZA==", "Digest username=\"x\"", "Bearer",
                             "Token abc", NULL};
    for (const char *const *s = schemes; *s; s++) {
        http_response *r = request_meeting(NULL, *s);
        cr_assert_eq(r->status, 401, "Authorization: %s -> %ld %s", *s, r->status, r->body);
        expect_401(r, false, NULL);
        http_free(r);
        expect_state_unchanged(agency, p.who.sub, before);
    }
    /* the bearer token itself given in another scheme */
    char basic[4200];
    snprintf(basic, sizeof basic, "Basic %s", p.token);
    http_response *r = request_meeting(NULL, basic);
    expect_401(r, false, NULL);
    http_free(r);

    /* bearer tokens that are not JWTs */
    const char *garbage[] = {"garbage", "a.b.c", "....", "eyJhbGciOiJIUzI1NiJ9.e30.",
                             "not a token at all", NULL};
    for (const char *const *g = garbage; *g; g++) {
        r = request_meeting(*g, NULL);
        cr_assert_eq(r->status, 401, "token '%s' -> %ld %s", *g, r->status, r->body);
        expect_401(r, true, NULL);
        http_free(r);
        expect_state_unchanged(agency, p.who.sub, before);
    }
    /* an absurdly long token */
    size_t n = 20000;
    char *huge = malloc(n + 1);
    memset(huge, 'A', n);
    huge[n] = '\0';
    r = request_meeting(huge, NULL);
    cr_assert_eq(r->status, 401, "a 20 kB token -> %ld", r->status);
    http_free(r);
    free(huge);
    expect_state_unchanged(agency, p.who.sub, before);

    free(before);
    person_free(&p);
    free(agency);
}

typedef void (*claims_edit)(json_t *claims);

static void make_expired(json_t *c)
{
    time_t now = time(NULL);
    json_object_set_new(c, "iat", json_integer((json_int_t)now - 7200));
    json_object_set_new(c, "nbf", json_integer((json_int_t)now - 7200));
    json_object_set_new(c, "exp", json_integer((json_int_t)now - 3600));
}

static void make_not_yet_valid(json_t *c)
{
    time_t now = time(NULL);
    json_object_set_new(c, "nbf", json_integer((json_int_t)now + 3600));
    json_object_set_new(c, "exp", json_integer((json_int_t)now + 7200));
}

static void make_wrong_issuer(json_t *c)
{
    json_object_set_new(c, "iss", json_string("https://issuer.example.invalid"));
}

static void make_no_issuer(json_t *c)
{
    json_object_del(c, "iss");
}

static void make_wrong_audience(json_t *c)
{
    json_object_set_new(c, "aud", json_string("another-service"));
}

static void make_wrong_audience_list(json_t *c)
{
    json_object_set_new(c, "aud", json_pack("[s, s]", "another-service", "a-third-service"));
}

static void drop_agency(json_t *c)
{
    json_object_del(c, "agency");
}

static void drop_roles(json_t *c)
{
    json_object_del(c, "roles");
}

static void drop_sub(json_t *c)
{
    json_object_del(c, "sub");
}

static void drop_name(json_t *c)
{
    json_object_del(c, "name");
}

static void drop_exp(json_t *c)
{
    json_object_del(c, "exp");
}

static void bad_agency_code(json_t *c)
{
    json_object_set_new(c, "agency", json_string("not a code"));
}

static void roles_not_a_list(json_t *c)
{
    json_object_set_new(c, "roles", json_string("practitioner"));
}

Test(auth, SEC_1_invalid_tokens_401_invalid_token_and_change_nothing)
{
    char *agency = agency_new("childrens_social_care");
    person p = person_new(agency, "practitioner");
    char *before = state_of(agency, p.who.sub);

    struct {
        const char *what;
        claims_edit edit;
        const char *detail;
        const char *reason; /* the problem's reason class (IDP-2) */
    } cases[] = {
        {"expired", make_expired, "expired", "expired"},
        {"not yet valid", make_not_yet_valid, "not valid yet", "not_yet_valid"},
        {"wrong issuer", make_wrong_issuer, "issuer", "unknown_issuer"},
        {"no issuer", make_no_issuer, "issuer", "unknown_issuer"},
        {"wrong audience", make_wrong_audience, "audience", "audience"},
        {"wrong audiences", make_wrong_audience_list, "audience", "audience"},
        {"no agency claim", drop_agency, "claims", "missing_claim"},
        {"no roles claim", drop_roles, "claims", "missing_claim"},
        {"no sub claim", drop_sub, "claims", "missing_claim"},
        {"no exp claim", drop_exp, "claims", "missing_claim"},
        {"no name claim", drop_name, "claims", "missing_claim"},
        {"malformed agency claim", bad_agency_code, "claims", "invalid_claim"},
        {"roles not a list", roles_not_a_list, "claims", "invalid_claim"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *claims = claims_for(&p, 3600);
        cases[i].edit(claims);
        char *token = token_with_claims(claims);
        json_decref(claims);
        http_response *r = request_meeting(token, NULL);
        cr_assert_eq(r->status, 401, "%s -> %ld %s", cases[i].what, r->status, r->body);
        expect_401(r, true, cases[i].detail);
        const char *reason = json_str(r->json, "reason");
        cr_assert(reason && strcmp(reason, cases[i].reason) == 0, "%s: reason %s, not %s",
                  cases[i].what, reason ? reason : "(none)", cases[i].reason);
        http_free(r);
        free(token);
        expect_state_unchanged(agency, p.who.sub, before);
    }

    /* the person's own token works: the refusals were about the tokens */
    http_response *r = request_meeting(p.token, NULL);
    cr_assert_eq(r->status, 201, "%s", r->body);
    http_free(r);

    free(before);
    person_free(&p);
    free(agency);
}

static void audience_list(json_t *c)
{
    json_object_set_new(c, "aud", json_pack("[s, s]", "another-service", test_audience()));
}

static void extra_roles(json_t *c)
{
    json_t *roles = json_object_get(c, "roles");
    json_array_append_new(roles, json_string("superhero"));
}

static void within_leeway(json_t *c)
{
    time_t now = time(NULL);
    json_object_set_new(c, "exp", json_integer((json_int_t)now - 5));
}

Test(auth, SEC_1_valid_token_variants_accepted)
{
    char *agency = agency_new("childrens_social_care");
    person p = person_new(agency, "practitioner");
    struct {
        const char *what;
        claims_edit edit;
    } cases[] = {
        {"aud as a list holding ours", audience_list},
        {"unknown role names beside known ones", extra_roles},
        {"expired seconds ago, within the clock leeway", within_leeway},
    };
    long created = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *claims = claims_for(&p, 3600);
        cases[i].edit(claims);
        char *token = token_with_claims(claims);
        json_decref(claims);
        http_response *r = request_meeting(token, NULL);
        cr_assert_eq(r->status, 201, "%s -> %ld %s", cases[i].what, r->status, r->body);
        http_free(r);
        free(token);
        created++;
    }
    /* the scheme name is case-insensitive */
    char header[4200];
    snprintf(header, sizeof header, "bearer %s", p.token);
    http_response *r = request_meeting(NULL, header);
    cr_assert_eq(r->status, 201, "lower-case scheme: %ld %s", r->status, r->body);
    http_free(r);
    created++;
    const char *params[] = {p.who.sub};
    cr_assert_eq(db_long("SELECT count(*) FROM meetings WHERE requester_sub = $1", 1, params),
                 created);
    person_free(&p);
    free(agency);
}

Test(auth, SEC_1_bad_signature_401)
{
    char *agency = agency_new("childrens_social_care");
    person p = person_new(agency, "practitioner");
    char *before = state_of(agency, p.who.sub);

    /* signed with another secret */
    json_t *claims = claims_for(&p, 3600);
    char *forged = jwt_sign_hs256("another-secret-another-secret-0123456789", claims);
    cr_assert(forged);
    http_response *r = request_meeting(forged, NULL);
    expect_401(r, true, "signature");
    http_free(r);
    expect_state_unchanged(agency, p.who.sub, before);

    /* the right signature over other claims: roles raised to admin */
    char *dot1 = strchr(p.token, '.');
    char *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
    cr_assert(dot1 && dot2, "a JWS has three parts");
    json_object_set_new(claims, "roles", json_pack("[s, s]", "practitioner", "admin"));
    char *raised_json = json_dumps(claims, JSON_COMPACT);
    char *raised = b64url(raised_json);
    size_t n = (size_t)(dot1 - p.token) + strlen(raised) + strlen(dot2) + 2;
    char *tampered = malloc(n);
    snprintf(tampered, n, "%.*s.%s%s", (int)(dot1 - p.token), p.token, raised, dot2);
    r = request_meeting(tampered, NULL);
    expect_401(r, true, "signature");
    http_free(r);
    json_t *agency_body = json_pack("{s:s, s:s, s:s}", "code", "TAMPERED-X", "name", "Forged",
                                    "kind", "other");
    r = api_call("POST", "/v1/agencies", tampered, agency_body, NULL);
    expect_401(r, true, NULL);
    http_free(r);
    json_decref(agency_body);
    expect_state_unchanged(agency, p.who.sub, before);

    /* a signature cut off */
    char *stripped = strndup(p.token, (size_t)(dot2 - p.token) + 1);
    r = request_meeting(stripped, NULL);
    expect_401(r, true, NULL);
    http_free(r);
    expect_state_unchanged(agency, p.who.sub, before);

    free(stripped);
    free(tampered);
    free(raised);
    free(raised_json);
    free(forged);
    json_decref(claims);
    free(before);
    person_free(&p);
    free(agency);
}

Test(auth, SEC_1_unsigned_and_other_algorithm_tokens_401)
{
    char *agency = agency_new("childrens_social_care");
    person p = person_new(agency, "practitioner");
    char *before = state_of(agency, p.who.sub);
    json_t *claims = claims_for(&p, 3600);

    char *none = unsigned_token(claims);
    http_response *r = request_meeting(none, NULL);
    expect_401(r, true, NULL);
    http_free(r);
    expect_state_unchanged(agency, p.who.sub, before);

    /* alg none with a signature part appended */
    size_t n = strlen(none) + 8;
    char *none_signed = malloc(n);
    snprintf(none_signed, n, "%sc2ln", none);
    r = request_meeting(none_signed, NULL);
    expect_401(r, true, NULL);
    http_free(r);
    expect_state_unchanged(agency, p.who.sub, before);

    /* the right secret, another HMAC algorithm: only HS256 is accepted */
    char *hs512 = token_with_alg(claims, R_JWA_ALG_HS512);
    r = request_meeting(hs512, NULL);
    expect_401(r, true, "algorithm");
    http_free(r);
    expect_state_unchanged(agency, p.who.sub, before);

    free(hs512);
    free(none_signed);
    free(none);
    json_decref(claims);
    free(before);
    person_free(&p);
    free(agency);
}

/* --- SEC-3: role gates --- */

Test(auth, SEC_3_practitioner_cannot_create_agency_403)
{
    char *agency = agency_new("police");
    char suffix[17], code[40];
    unique_suffix(suffix, sizeof suffix);
    for (char *c = suffix; *c; c++)
        if (*c >= 'a' && *c <= 'z')
            *c = (char)(*c - 'a' + 'A');
    snprintf(code, sizeof code, "R%.12s", suffix);
    const char *params[] = {code};
    const char *roles[] = {"practitioner", "manager", "senior_manager", "auditor", "integration",
                           "partnership", NULL};
    for (const char *const *role = roles; *role; role++) {
        person p = person_new(agency, *role);
        char *before = state_of(code, p.who.sub);
        json_t *body = json_pack("{s:s, s:s, s:s}", "code", code, "name", "Not allowed", "kind",
                                 "police");
        http_response *r = api_call("POST", "/v1/agencies", p.token, body, NULL);
        cr_assert_eq(r->status, 403, "%s -> %ld %s", *role, r->status, r->body);
        expect_problem(r, 403, "/problems/forbidden");
        http_free(r);
        json_decref(body);
        expect_state_unchanged(code, p.who.sub, before);
        cr_assert_eq(db_long("SELECT count(*) FROM agencies WHERE code = $1", 1, params), 0);
        free(before);
        person_free(&p);
    }
    /* and PATCH of an agency is for admins too */
    person manager = person_new(agency, "manager");
    char *before = state_of(agency, manager.who.sub);
    char path[96];
    snprintf(path, sizeof path, "/v1/agencies/%s", agency);
    json_t *body = json_pack("{s:b}", "active", 0);
    http_response *r = api_call("PATCH", path, manager.token, body, "\"1\"");
    expect_problem(r, 403, "/problems/forbidden");
    http_free(r);
    json_decref(body);
    expect_state_unchanged(agency, manager.who.sub, before);
    free(before);
    person_free(&manager);
    free(agency);
}

Test(auth, SEC_3_manager_cannot_read_audit_events_403)
{
    char *agency = agency_new("health");
    const char *roles[] = {"manager", "practitioner", "admin", "integration", NULL};
    for (const char *const *role = roles; *role; role++) {
        person p = person_new(agency, *role);
        char *before = state_of(agency, p.who.sub);
        http_response *r = api_get("/v1/audit-events", p.token);
        cr_assert_eq(r->status, 403, "%s -> %ld %s", *role, r->status, r->body);
        expect_problem(r, 403, "/problems/forbidden");
        cr_assert_null(json_object_get(r->json, "items"), "no audit events leak: %s", r->body);
        http_free(r);
        expect_state_unchanged(agency, p.who.sub, before);
        free(before);
        person_free(&p);
    }
    person auditor = person_new(agency, "auditor");
    http_response *r = api_get("/v1/audit-events?limit=1", auditor.token);
    cr_assert_eq(r->status, 200, "an auditor reads the trail: %s", r->body);
    http_free(r);
    person_free(&auditor);
    free(agency);
}

Test(auth, SEC_3_practitioner_cannot_read_event_feed_403)
{
    char *agency = agency_new("education");
    const char *roles[] = {"practitioner", "manager", "auditor", "admin", NULL};
    for (const char *const *role = roles; *role; role++) {
        person p = person_new(agency, *role);
        http_response *r = api_get("/v1/events", p.token);
        cr_assert_eq(r->status, 403, "%s -> %ld %s", *role, r->status, r->body);
        expect_problem(r, 403, "/problems/forbidden");
        cr_assert_null(json_object_get(r->json, "items"), "no events leak: %s", r->body);
        http_free(r);
        person_free(&p);
    }
    person integration = person_new(agency, "integration");
    http_response *r = api_get("/v1/events", integration.token);
    cr_assert_eq(r->status, 200, "an integration follows the feed: %s", r->body);
    http_free(r);
    person_free(&integration);
    free(agency);
}

Test(auth, SEC_3_systems_cannot_request_meetings_403)
{
    char *agency = agency_new("childrens_social_care");
    const char *roles[] = {"integration", "auditor", "admin", "partnership", NULL};
    for (const char *const *role = roles; *role; role++) {
        person p = person_new(agency, *role);
        char *before = state_of(agency, p.who.sub);
        http_response *r = request_meeting(p.token, NULL);
        cr_assert_eq(r->status, 403, "%s -> %ld %s", *role, r->status, r->body);
        expect_problem(r, 403, "/problems/forbidden");
        http_free(r);
        expect_state_unchanged(agency, p.who.sub, before);
        free(before);
        person_free(&p);
    }
    free(agency);
}

/* --- operations endpoints are public --- */

Test(auth, public_endpoints_need_no_token)
{
    const char *paths[] = {"/livez", "/readyz", "/metrics", "/openapi.yaml", NULL};
    for (const char *const *p = paths; *p; p++) {
        http_response *r = api_get(*p, NULL);
        cr_assert_eq(r->status, 200, "GET %s without a token -> %ld %s", *p, r->status, r->body);
        char *www = http_header(r, "WWW-Authenticate");
        cr_assert_null(www, "%s asks for no credentials", *p);
        http_free(r);
        /* nor do they look at one: a bad token is not refused there */
        r = api_get(*p, "garbage");
        cr_assert_eq(r->status, 200, "GET %s with a bad token -> %ld", *p, r->status);
        http_free(r);
    }
}
