/* Identity providers (IDP-1, IDP-2): the issuers document
 * (auth/idp_config.c), claim mapping (auth/claims.c), keysets
 * (auth/keys.c), several issuers in one verifier (auth/jwt.c), and the
 * traceparent parser (http/trace.c). */
#include <criterion/criterion.h>
#include <jansson.h>
#include <rhonabwy.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/claims.h"
#include "auth/idp_config.h"
#include "auth/jwt.h"
#include "auth/keys.h"
#include "http/trace.h"

static const time_t NOW = 1795000000;

static idp_config *parse_ok(const char *json)
{
    idp_problems pr = {.n = 0};
    idp_config *c = idp_config_parse(json, strlen(json), 30, &pr);
    cr_assert_not_null(c, "refused: %s", pr.n ? pr.items[0] : "(no problem given)");
    cr_assert_eq(pr.n, 0);
    idp_problems_free(&pr);
    return c;
}

/* The problems of a refused document, joined by newlines (free()). */
static char *parse_refused(const char *json, int *count)
{
    idp_problems pr = {.n = 0};
    idp_config *c = idp_config_parse(json, strlen(json), 30, &pr);
    if (c)
        idp_config_free(c);
    cr_assert_null(c, "accepted: %s", json);
    cr_assert_gt(pr.n, 0, "a refusal says why");
    size_t n = 1;
    for (int i = 0; i < pr.n; i++)
        n += strlen(pr.items[i]) + 1;
    char *all = calloc(1, n);
    for (int i = 0; i < pr.n; i++) {
        strcat(all, pr.items[i]);
        strcat(all, "\n");
    }
    if (count)
        *count = pr.n;
    idp_problems_free(&pr);
    return all;
}

static void assert_refused_naming(const char *json, const char *what)
{
    char *all = parse_refused(json, NULL);
    cr_assert(strstr(all, what), "the problems name %s: %s", what, all);
    free(all);
}

/* The three examples of docs/operations.md, in substance. */
#define ENTRA                                                                                    \
    "{\"name\": \"council\", \"primary\": true,"                                                \
    " \"issuer\": \"https://login.microsoftonline.com/tid/v2.0\", \"audience\": \"api://mam\"," \
    " \"algorithms\": [\"RS256\"],"                                                              \
    " \"keys\": {\"discovery_url\": "                                                            \
    "\"https://login.microsoftonline.com/tid/v2.0/.well-known/openid-configuration\"},"         \
    " \"claims\": {\"subject\": \"oid\", \"roles\": \"roles\","                                  \
    "   \"role_values\": {\"Mam.Practitioner\": \"practitioner\", \"Mam.Manager\": \"manager\"}," \
    "   \"agency\": {\"claim\": \"groups\", \"map\": {\"g-csc\": \"LA-CSC\", \"g-edu\": \"LA-EDU\"}}}," \
    " \"applications\": {\"client_id_claim\": \"azp\", \"clients\": {\"cms-app\": \"LA-CSC\"}}}"
#define KEYCLOAK                                                                                 \
    "{\"name\": \"health\", \"issuer\": \"https://sso.nhs-trust.example/realms/staff\","         \
    " \"audience\": [\"mam\", \"account\"],"                                                       \
    " \"keys\": {\"jwks_url\": \"https://sso.nhs-trust.example/realms/staff/protocol/openid-connect/certs\"}," \
    " \"claims\": {\"name\": \"name\", \"roles\": \"realm_access.roles\","                         \
    "   \"role_values\": {\"mam-practitioner\": \"practitioner\"},"                                \
    "   \"agency\": {\"claim\": [\"org\", \"code\"]}}}"
#define POLICE                                                                                   \
    "{\"name\": \"police\", \"issuer\": \"https://login.microsoftonline.com/police/v2.0\","      \
    " \"audience\": \"api://mam\", \"keys\": {\"jwks_file\": \"/etc/mam/police-jwks.json\"},"    \
    " \"claims\": {\"subject\": \"oid\", \"agency\": {\"fixed\": \"POL-1\"}}}"

Test(idp_config, IDP_1_three_issuers_parse_with_their_mappings)
{
    idp_config *c = parse_ok("{\"issuers\": [" ENTRA ", " KEYCLOAK ", " POLICE "],"
                             " \"key_min_fetch_interval_s\": 30}");
    cr_assert_eq(c->n_issuers, 3);
    cr_assert_eq(c->key_min_fetch_interval_s, 30);
    cr_assert_eq(c->key_refresh_interval_s, 3600, "default");
    const idp_issuer *entra = &c->issuers[0], *kc = &c->issuers[1], *pol = &c->issuers[2];
    cr_assert(entra->primary);
    cr_assert_not(kc->primary);
    cr_assert_eq(entra->key_source, IDP_KEYS_DISCOVERY);
    cr_assert_str_eq(entra->subject_claim.text, "oid");
    cr_assert_eq(entra->agency_mode, IDP_AGENCY_MAPPED);
    cr_assert_str_eq(idp_map_get(&entra->agency_map, "g-edu"), "LA-EDU");
    cr_assert_str_eq(idp_map_get(&entra->applications, "cms-app"), "LA-CSC");
    cr_assert_str_eq(entra->client_id_claim.text, "azp");
    cr_assert_eq(kc->n_audiences, 2);
    cr_assert_eq(kc->roles_claim.n, 2);
    cr_assert_str_eq(kc->roles_claim.parts[0], "realm_access");
    cr_assert_str_eq(kc->agency_claim.text, "org.code");
    cr_assert_eq(kc->algorithms, IDP_ALG_RS256, "RS256 by default");
    cr_assert_eq(pol->agency_mode, IDP_AGENCY_FIXED);
    cr_assert_str_eq(pol->agency_fixed, "POL-1");
    cr_assert_eq(pol->key_source, IDP_KEYS_FILE);
    cr_assert_str_eq(pol->name_claim.text, "name", "standard claims by default");
    cr_assert_eq(pol->leeway_s, 30);
    cr_assert_eq(idp_config_find(c, "https://login.microsoftonline.com/police/v2.0"), pol);
    cr_assert_null(idp_config_find(c, "https://login.microsoftonline.com/police/v2.0/"));
    idp_config_free(c);
}

Test(idp_config, IDP_1_every_problem_is_listed_at_once)
{
    int count = 0;
    char *all = parse_refused(
        "{\"issuers\": ["
        "{\"name\": \"Bad Name\", \"issuer\": \"https://a.example\", \"audience\": \"x\","
        " \"keys\": {\"jwks_url\": \"http://a.example/keys\"}, \"algorithms\": [\"HS256\"]},"
        "{\"name\": \"b\", \"issuer\": \"https://a.example\", \"audience\": \"x\", \"primary\": true,"
        " \"keys\": {\"jwks_url\": \"https://a.example/k\", \"jwks_file\": \"/k\"},"
        " \"claims\": {\"roles\": \"a..b\", \"role_values\": {\"Boss\": \"emperor\"},"
        "   \"agency\": {\"fixed\": \"X-1\", \"claim\": \"org\"}}},"
        "{\"name\": \"b\", \"issuer\": \"https://c.example\", \"audience\": \"x\", \"primary\": true,"
        " \"keys\": {\"discovery_url\": \"https://c.example/.well-known/openid-configuration\"},"
        " \"applications\": {\"clients\": {\"cms\": \"lower-case\"}}, \"leeway_s\": 9999}],"
        " \"key_fetch_timeout_ms\": 5, \"surprise\": true}",
        &count);
    static const char *const expected[] = {
        "issuers[0].name",              "https:// URL",        "issuers[0] (b)", /* dummy */
        "algorithms",                   "exactly one of",      "roles",
        "role_values",                  "fixed excludes",      "same name \"b\"",
        "same issuer",                  "at most one issuer may be primary",   "clients",
        "leeway_s",                     "key_fetch_timeout_ms", "unknown member \"surprise\"",
    };
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
        if (i == 2)
            continue;
        cr_assert(strstr(all, expected[i]), "missing: %s\n%s", expected[i], all);
    }
    cr_assert_geq(count, 13, "%d problems:\n%s", count, all);
    free(all);
}

Test(idp_config, IDP_1_documents_that_are_not_issuer_lists_are_refused)
{
    assert_refused_naming("", "not valid JSON");
    assert_refused_naming("{\"issuers\": [], \"issuers\": []}", "duplicate");
    assert_refused_naming("{\"issuers\": []}", "array of 1 to");
    assert_refused_naming("[]", "array of 1 to");
    assert_refused_naming("{\"issuers\": [5]}", "issuers[0] must be an object");
    assert_refused_naming("{\"issuers\": [{\"name\": \"a\"}]}", "issuer is required");
    assert_refused_naming("{\"issuers\": [{\"name\": \"a\", \"issuer\": \"i\", \"audience\": \"x\"}]}",
                          "keys is required");
}

Test(idp_config, IDP_1_production_urls_are_https_and_loopback_http_only_when_allowed)
{
    cr_assert(idp_url_allowed("https://login.example/keys", false));
    cr_assert_not(idp_url_allowed("http://login.example/keys", false));
    cr_assert_not(idp_url_allowed("http://127.0.0.1:8080/keys", false));
    cr_assert(idp_url_allowed("http://127.0.0.1:8080/keys", true));
    cr_assert(idp_url_allowed("http://localhost/keys", true));
    cr_assert(idp_url_allowed("http://[::1]:9/keys", true));
    cr_assert_not(idp_url_allowed("http://10.0.0.1/keys", true), "not loopback");
    cr_assert_not(idp_url_allowed("http://127.0.0.1.evil.example/keys", true));
    cr_assert_not(idp_url_allowed("http://localhost.evil.example/keys", true));
    cr_assert_not(idp_url_allowed("https://user:pw@login.example/keys", false), "no credentials");
    cr_assert_not(idp_url_allowed("file:///etc/passwd", true));
    cr_assert_not(idp_url_allowed("https://", false));
    cr_assert_not(idp_url_allowed("https://login.example/a b", false));
    assert_refused_naming("{\"allow_http_loopback\": true, \"issuers\": [{\"name\": \"a\","
                          " \"issuer\": \"i\", \"audience\": \"x\","
                          " \"keys\": {\"jwks_url\": \"http://192.168.1.5/keys\"}}]}",
                          "loopback");
}

/* ---- claim mapping ---- */

static idp_config *one_issuer(const char *issuer_json)
{
    char doc[4096];
    snprintf(doc, sizeof doc, "{\"issuers\": [%s]}", issuer_json);
    return parse_ok(doc);
}

static enum claims_result map(const idp_issuer *is, const char *payload, caller *out,
                              char *claim)
{
    json_t *p = json_loads(payload, 0, NULL);
    cr_assert_not_null(p, "test payload: %s", payload);
    memset(out, 0, sizeof *out);
    enum claims_result r = claims_map(is, p, out, claim, 64);
    json_decref(p);
    return r;
}

Test(claims, IDP_2_entra_user_maps_oid_app_roles_and_group_agency)
{
    idp_config *c = one_issuer(ENTRA);
    caller who;
    char claim[64];
    cr_assert_eq(map(&c->issuers[0],
                     "{\"sub\": \"pairwise-1\", \"oid\": \"3b1e-oid\", \"name\": \"Pat Example\","
                     " \"roles\": [\"Mam.Manager\", \"Mail.Read\", \"practitioner\"],"
                     " \"groups\": [\"g-other\", \"g-csc\"]}",
                     &who, claim),
                 CLAIMS_OK, "%s", claim);
    cr_assert_str_eq(who.sub, "3b1e-oid", "the primary issuer's subject, unprefixed");
    cr_assert_str_eq(who.name, "Pat Example");
    cr_assert_str_eq(who.agency, "LA-CSC");
    cr_assert_eq(who.roles, ROLE_MANAGER,
                 "only mapped app roles count: a raw service role name does not");
    idp_config_free(c);
}

Test(claims, IDP_2_refusals_name_the_claim_never_its_value)
{
    idp_config *c = one_issuer(ENTRA);
    const idp_issuer *is = &c->issuers[0];
    caller who;
    char claim[64];
    cr_assert_eq(map(is, "{\"name\": \"N\", \"roles\": [], \"groups\": [\"g-csc\"]}", &who, claim),
                 CLAIMS_MISSING);
    cr_assert_str_eq(claim, "oid");
    cr_assert_eq(map(is, "{\"oid\": \"o\", \"name\": \"N\", \"roles\": [], \"groups\": [\"g-x\"]}",
                     &who, claim),
                 CLAIMS_MISSING, "no group maps to an agency");
    cr_assert_str_eq(claim, "groups");
    cr_assert_eq(map(is, "{\"oid\": \"o\", \"name\": \"N\", \"roles\": [],"
                         " \"groups\": [\"g-csc\", \"g-edu\"]}",
                     &who, claim),
                 CLAIMS_INVALID, "two agencies: ambiguous");
    cr_assert_eq(map(is, "{\"oid\": \"o\", \"name\": \"N\", \"roles\": \"Mam.Manager\","
                         " \"groups\": [\"g-csc\"]}",
                     &who, claim),
                 CLAIMS_INVALID);
    cr_assert_str_eq(claim, "roles");
    cr_assert_eq(map(is, "{\"oid\": 7, \"name\": \"N\", \"roles\": [], \"groups\": [\"g-csc\"]}",
                     &who, claim),
                 CLAIMS_INVALID);
    cr_assert_eq(map(is, "{\"oid\": \"a|b\", \"name\": \"N\", \"roles\": [], \"groups\": [\"g-csc\"]}",
                     &who, claim),
                 CLAIMS_SUBJECT, "a primary subject with '|' could pass for another issuer's");
    idp_config_free(c);
}

Test(claims, IDP_2_application_token_gets_its_agency_and_integration_only)
{
    idp_config *c = one_issuer(ENTRA);
    caller who;
    char claim[64];
    cr_assert_eq(map(&c->issuers[0],
                     "{\"sub\": \"sp-oid\", \"oid\": \"sp-oid\", \"azp\": \"cms-app\","
                     " \"roles\": [\"Mam.Manager\"]}",
                     &who, claim),
                 CLAIMS_OK, "%s", claim);
    cr_assert_str_eq(who.sub, "cms-app");
    cr_assert_str_eq(who.name, "cms-app");
    cr_assert_str_eq(who.agency, "LA-CSC");
    cr_assert_eq(who.roles, ROLE_INTEGRATION, "the token's own roles are not taken");
    /* a client not in the map is a person's front end: the user mapping applies */
    cr_assert_eq(map(&c->issuers[0], "{\"oid\": \"o\", \"azp\": \"spa\", \"roles\": []}", &who,
                     claim),
                 CLAIMS_MISSING);
    cr_assert_str_eq(claim, "name");
    idp_config_free(c);
}

Test(claims, IDP_2_non_primary_ids_carry_the_issuer_name)
{
    idp_config *c = one_issuer(KEYCLOAK);
    const idp_issuer *kc = &c->issuers[0];
    caller who;
    char claim[64];
    cr_assert_eq(map(kc, "{\"sub\": \"f3a1\", \"name\": \"Sam\", \"org\": {\"code\": \"NHS-7\"},"
                         " \"realm_access\": {\"roles\": [\"mam-practitioner\", \"offline_access\"]}}",
                     &who, claim),
                 CLAIMS_OK, "%s", claim);
    cr_assert_str_eq(who.sub, "health|f3a1");
    cr_assert_str_eq(who.agency, "NHS-7");
    cr_assert_eq(who.roles, ROLE_PRACTITIONER);
    /* subjects with '|' are fine here: the first '|' ends the issuer name */
    cr_assert_eq(map(kc, "{\"sub\": \"a|b\", \"name\": \"Sam\", \"org\": {\"code\": \"NHS-7\"},"
                         " \"realm_access\": {\"roles\": []}}",
                     &who, claim),
                 CLAIMS_OK);
    cr_assert_str_eq(who.sub, "health|a|b");
    /* the qualified id must fit CALLER_SUB_MAX */
    char payload[512];
    char sub[130];
    memset(sub, 's', 128);
    sub[128] = '\0';
    snprintf(payload, sizeof payload,
             "{\"sub\": \"%s\", \"name\": \"Sam\", \"org\": {\"code\": \"NHS-7\"},"
             " \"realm_access\": {\"roles\": []}}",
             sub);
    cr_assert_eq(map(kc, payload, &who, claim), CLAIMS_SUBJECT);
    cr_assert_eq(map(kc, "{\"sub\": \"x\", \"name\": \"Sam\", \"org\": {\"code\": \"nhs\"},"
                         " \"realm_access\": {\"roles\": []}}",
                     &who, claim),
                 CLAIMS_INVALID, "not an agency code");
    cr_assert_str_eq(claim, "org.code");
    idp_config_free(c);
}

/* ---- keysets ---- */

static char *public_jwk(unsigned type, unsigned bits, const char *kid, jwk_t **priv_out)
{
    jwk_t *priv, *pub;
    r_jwk_init(&priv);
    r_jwk_init(&pub);
    cr_assert_eq(r_jwk_generate_key_pair(priv, pub, (int)type, bits, kid), RHN_OK);
    char *text = r_jwk_export_to_json_str(pub, 0);
    char *out = strdup(text);
    r_free(text);
    r_jwk_free(pub);
    if (priv_out)
        *priv_out = priv;
    else
        r_jwk_free(priv);
    return out;
}

Test(keys, IDP_1_keycloak_jwks_with_an_encryption_key_loads_its_signing_key)
{
    char *sig = public_jwk(R_KEY_TYPE_RSA, 2048, "sig-1", NULL);
    char *enc = public_jwk(R_KEY_TYPE_RSA, 2048, "enc-1", NULL);
    /* as Keycloak serves it: the signing key, and an RSA-OAEP key for encryption */
    json_t *e = json_loads(enc, 0, NULL);
    json_object_set_new(e, "use", json_string("enc"));
    json_object_set_new(e, "alg", json_string("RSA-OAEP"));
    json_t *s = json_loads(sig, 0, NULL);
    json_object_set_new(s, "use", json_string("sig"));
    json_object_set_new(s, "alg", json_string("RS256"));
    json_t *doc = json_pack("{s:[o, o]}", "keys", e, s);
    char *text = json_dumps(doc, 0);
    json_decref(doc);
    int ignored = -1;
    char err[256] = "";
    keyset *ks = keyset_from_jwks(text, strlen(text), IDP_ALG_RS256, &ignored, err, sizeof err);
    cr_assert_not_null(ks, "%s", err);
    cr_assert_eq(ks->n, 1);
    cr_assert_eq(ignored, 1);
    cr_assert_str_eq(ks->keys[0].kid, "sig-1");
    cr_assert(keyset_has_kid(ks, "sig-1"));
    cr_assert_not(keyset_has_kid(ks, "enc-1"));
    keyset_release(ks);
    free(text);
    free(sig);
    free(enc);
}

Test(keys, IDP_1_keys_for_other_uses_or_algorithms_are_ignored)
{
    char *rsa = public_jwk(R_KEY_TYPE_RSA, 2048, "rsa", NULL);
    char *ec = public_jwk(R_KEY_TYPE_EC, 256, "ec", NULL);
    char doc[8192];
    /* key_ops without verify; an ES256 key where only RS256 is allowed */
    json_t *r = json_loads(rsa, 0, NULL);
    json_object_set_new(r, "key_ops", json_pack("[s]", "encrypt"));
    char *r_text = json_dumps(r, 0);
    json_decref(r);
    snprintf(doc, sizeof doc, "{\"keys\": [%s, %s, %s]}", r_text, ec, rsa);
    int ignored = 0;
    char err[256] = "";
    keyset *ks = keyset_from_jwks(doc, strlen(doc), IDP_ALG_RS256, &ignored, err, sizeof err);
    cr_assert_not_null(ks, "%s", err);
    cr_assert_eq(ks->n, 1);
    cr_assert_eq(ignored, 2);
    cr_assert_eq(ks->keys[0].algs, IDP_ALG_RS256);
    keyset_release(ks);
    /* the same set with ES256 allowed too: both verify, each its own alg */
    ks = keyset_from_jwks(doc, strlen(doc), IDP_ALG_RS256 | IDP_ALG_ES256 | IDP_ALG_PS256,
                          &ignored, err, sizeof err);
    cr_assert_not_null(ks, "%s", err);
    cr_assert_eq(ks->n, 2);
    cr_assert_eq(ks->keys[0].algs, IDP_ALG_ES256);
    cr_assert_eq(ks->keys[1].algs, IDP_ALG_RS256 | IDP_ALG_PS256, "an RSA key without alg");
    keyset_release(ks);
    /* nothing usable at all is a refusal */
    snprintf(doc, sizeof doc, "{\"keys\": [%s]}", ec);
    cr_assert_null(keyset_from_jwks(doc, strlen(doc), IDP_ALG_RS256, &ignored, err, sizeof err));
    cr_assert(strstr(err, "no key"), "%s", err);
    free(r_text);
    free(rsa);
    free(ec);
}

/* ---- several issuers in one verifier ---- */

static char *write_jwks(const char *pub_json)
{
    char *path = strdup("/tmp/mam-test-jwks-XXXXXX");
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    char doc[4096];
    snprintf(doc, sizeof doc, "{\"keys\": [%s]}", pub_json);
    cr_assert_eq(write(fd, doc, strlen(doc)), (ssize_t)strlen(doc));
    close(fd);
    return path;
}

static char *sign(jwk_t *priv, json_t *claims)
{
    jwt_t *jwt;
    r_jwt_init(&jwt);
    r_jwt_set_full_claims_json_t(jwt, claims);
    json_decref(claims);
    r_jwt_set_sign_alg(jwt, R_JWA_ALG_RS256);
    char *t = r_jwt_serialize_signed(jwt, priv, 0);
    cr_assert_not_null(t);
    char *out = strdup(t);
    r_free(t);
    r_jwt_free(jwt);
    return out;
}

Test(jwt_issuers, IDP_2_same_subject_at_two_issuers_is_two_people)
{
    jwk_t *council_key, *police_key;
    char *council_pub = public_jwk(R_KEY_TYPE_RSA, 2048, "c1", &council_key);
    char *police_pub = public_jwk(R_KEY_TYPE_RSA, 2048, "p1", &police_key);
    char *council_file = write_jwks(council_pub), *police_file = write_jwks(police_pub);
    char doc[2048];
    snprintf(doc, sizeof doc,
             "{\"issuers\": ["
             "{\"name\": \"council\", \"primary\": true, \"issuer\": \"https://council.test\","
             " \"audience\": \"mam\", \"keys\": {\"jwks_file\": \"%s\"}},"
             "{\"name\": \"police\", \"issuer\": \"https://police.test\", \"audience\": \"mam\","
             " \"keys\": {\"jwks_file\": \"%s\"}, \"claims\": {\"agency\": {\"fixed\": \"POL-1\"}}}]}",
             council_file, police_file);
    idp_config *c = parse_ok(doc);
    char err[512] = "";
    jwt_verifier *v = jwt_verifier_new(c, err, sizeof err, NULL);
    cr_assert_not_null(v, "%s", err);

    json_t *claims = json_pack("{s:s, s:s, s:s, s:s, s:s, s:[s], s:I}", "iss", "https://council.test",
                               "aud", "mam", "sub", "same-1", "name", "A", "agency", "LA-CSC",
                               "roles", "practitioner", "exp", (json_int_t)NOW + 300);
    caller a, b;
    jwt_refusal why;
    char *t = sign(council_key, json_deep_copy(claims));
    cr_assert_eq(jwt_verify_why(v, t, NOW, &a, &why), JWT_OK, "%s", why.reason);
    free(t);
    json_object_set_new(claims, "iss", json_string("https://police.test"));
    t = sign(police_key, json_deep_copy(claims));
    cr_assert_eq(jwt_verify_why(v, t, NOW, &b, &why), JWT_OK, "%s", why.reason);
    free(t);
    cr_assert_str_eq(a.sub, "same-1");
    cr_assert_str_eq(b.sub, "police|same-1");
    cr_assert_str_neq(a.sub, b.sub);
    cr_assert_str_eq(b.agency, "POL-1");

    /* one issuer's key does not vouch for the other's tokens */
    t = sign(council_key, json_deep_copy(claims));
    cr_assert_eq(jwt_verify_why(v, t, NOW, &b, &why), JWT_UNKNOWN_KEY);
    cr_assert_str_eq(why.reason, "unknown_key");
    cr_assert_str_eq(why.issuer, "police");
    free(t);
    /* and a token claiming no configured issuer */
    json_object_set_new(claims, "iss", json_string("https://elsewhere.test"));
    t = sign(police_key, claims);
    cr_assert_eq(jwt_verify_why(v, t, NOW, &b, &why), JWT_WRONG_ISSUER);
    cr_assert_str_eq(why.reason, "unknown_issuer");
    cr_assert_null(why.issuer);
    free(t);

    jwt_verifier_free(v);
    unlink(council_file);
    unlink(police_file);
    free(council_file);
    free(police_file);
    free(council_pub);
    free(police_pub);
    r_jwk_free(council_key);
    r_jwk_free(police_key);
}

Test(jwt_issuers, IDP_1_an_unreadable_key_file_refuses_to_start_naming_the_issuer)
{
    idp_config *c = parse_ok("{\"issuers\": [{\"name\": \"gone\", \"issuer\": \"https://g.test\","
                             " \"audience\": \"mam\", \"keys\": {\"jwks_file\": \"/nonexistent/k\"}}]}");
    char err[512] = "";
    jwt_verifier *v = jwt_verifier_new(c, err, sizeof err, NULL);
    cr_assert_null(v);
    cr_assert(strstr(err, "issuer gone") && strstr(err, "/nonexistent/k"), "%s", err);
}

/* ---- traceparent ---- */

Test(trace, SEC_4_traceparent_format_is_checked)
{
    char id[TRACE_ID_LEN + 1];
    cr_assert(trace_parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", id));
    cr_assert_str_eq(id, "4bf92f3577b34da6a3ce929d0e0e4736");
    cr_assert(trace_parse("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00-later", id),
              "a later version may add fields");
    static const char *const bad[] = {
        NULL,
        "",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-",
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-zz",
        "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00x",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_assert_not(trace_parse(bad[i], id), "accepted %s", bad[i] ? bad[i] : "NULL");
        cr_assert_str_eq(id, "");
    }
}
