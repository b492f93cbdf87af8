/* Bearer token verification, SEC-1 (auth/jwt.c, auth/caller.c): signature,
 * algorithm, expiry, issuer, audience and the caller claims. Keys for RS256
 * and ES256 are generated here with rhonabwy. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <rhonabwy.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "auth/caller.h"
#include "auth/jwt.h"
#include "core/text.h"

#define ISS "https://idp.example.test"
#define AUD "mam-api"
#define SECRET "a-development-secret-of-48-bytes-for-hs256-tests"
#define OTHER_SECRET "another-development-secret-of-at-least-32-bytes"
#define LEEWAY 30

static const time_t NOW = 1795000000; /* November 2026 */

/* ---- helpers ---- */

static json_t *claims_at(time_t now)
{
    json_t *c = json_pack("{s:s, s:s, s:s, s:s, s:s, s:[s, s], s:I, s:I, s:I}", "iss", ISS, "aud",
                          AUD, "sub", "user-1", "name", "Pat Example", "agency", "LA-CSC",
                          "roles", "practitioner", "manager", "iat", (json_int_t)now, "nbf",
                          (json_int_t)now, "exp", (json_int_t)(now + 300));
    cr_assert_not_null(c);
    return c;
}

/* Signs claims (released) with HS256 and the given secret; free() the token. */
static char *sign_hs(const char *secret, json_t *claims)
{
    char *token = jwt_sign_hs256(secret, claims);
    json_decref(claims);
    cr_assert_not_null(token, "jwt_sign_hs256 failed");
    return token;
}

static jwt_verifier *hs_verifier(int leeway)
{
    char err[256] = "";
    jwt_verifier *v = jwt_verifier_hs256(SECRET, ISS, AUD, leeway, err, sizeof err);
    cr_assert_not_null(v, "HS256 verifier: %s", err);
    return v;
}

/* Verifies token with the HS256 development verifier, then frees the token. */
static enum jwt_result verify_hs_leeway(char *token, int leeway, caller *out)
{
    jwt_verifier *v = hs_verifier(leeway);
    caller scratch;
    enum jwt_result r = jwt_verify(v, token, NOW, out ? out : &scratch);
    jwt_verifier_free(v);
    free(token);
    return r;
}

static enum jwt_result verify_hs(char *token, caller *out)
{
    return verify_hs_leeway(token, LEEWAY, out);
}

/* HS256 token for claims_at(NOW) with one claim replaced (value stolen) or
 * removed (value NULL). */
static enum jwt_result verify_with_claim(const char *name, json_t *value)
{
    json_t *c = claims_at(NOW);
    if (value)
        json_object_set_new(c, name, value);
    else
        json_object_del(c, name);
    return verify_hs(sign_hs(SECRET, c), NULL);
}

static char *b64url(const char *data, size_t n)
{
    size_t size = 4 * (n / 3 + 1) + 1;
    char *out = malloc(size);
    cr_assert_not_null(out);
    text_base64url_encode((const unsigned char *)data, n, out, size);
    return out;
}

static char *b64url_json(json_t *j)
{
    char *text = json_dumps(j, JSON_COMPACT);
    cr_assert_not_null(text);
    char *out = b64url(text, strlen(text));
    free(text);
    return out;
}

static char *join3(const char *a, const char *b, const char *c)
{
    size_t n = strlen(a) + strlen(b) + strlen(c) + 3;
    char *out = malloc(n);
    cr_assert_not_null(out);
    snprintf(out, n, "%s.%s.%s", a, b, c);
    return out;
}

/* header.claims.signature built by hand, header and claims released. */
static char *hand_token(json_t *header, json_t *claims, const char *signature)
{
    char *h = b64url_json(header), *c = b64url_json(claims);
    char *t = join3(h, c, signature);
    free(h);
    free(c);
    json_decref(header);
    json_decref(claims);
    return t;
}

static void keypair(jwk_t **priv, jwk_t **pub, int type, unsigned bits, const char *kid)
{
    cr_assert_eq(r_jwk_init(priv), RHN_OK);
    cr_assert_eq(r_jwk_init(pub), RHN_OK);
    cr_assert_eq(r_jwk_generate_key_pair(*priv, *pub, type, bits, kid), RHN_OK,
                 "cannot generate a %u-bit key", bits);
}

/* Signs claims (released) with a private key; kid NULL leaves the header to
 * rhonabwy. free() the token. */
static char *sign_with(jwk_t *priv, jwa_alg alg, json_t *claims, const char *kid)
{
    jwt_t *jwt = NULL;
    cr_assert_eq(r_jwt_init(&jwt), RHN_OK);
    cr_assert_eq(r_jwt_set_full_claims_json_t(jwt, claims), RHN_OK);
    json_decref(claims);
    cr_assert_eq(r_jwt_set_sign_alg(jwt, alg), RHN_OK);
    if (kid)
        cr_assert_eq(r_jwt_set_header_str_value(jwt, "kid", kid), RHN_OK);
    char *signed_token = r_jwt_serialize_signed(jwt, priv, 0);
    cr_assert_not_null(signed_token, "rhonabwy cannot sign");
    char *out = strdup(signed_token);
    r_free(signed_token);
    r_jwt_free(jwt);
    return out;
}

/* {"keys": [...]} of the given keys (private or public); free() it. */
static char *jwks_of(jwk_t *const *keys, int n)
{
    json_t *list = json_array();
    for (int i = 0; i < n; i++) {
        char *text = r_jwk_export_to_json_str(keys[i], 0);
        cr_assert_not_null(text, "cannot export key %d", i);
        json_t *j = json_loads(text, 0, NULL);
        r_free(text);
        cr_assert_not_null(j);
        json_array_append_new(list, j);
    }
    json_t *doc = json_pack("{s:o}", "keys", list);
    char *out = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    return out;
}

static jwt_verifier *jwks_verifier(jwk_t *const *pubs, int n)
{
    char *jwks = jwks_of(pubs, n);
    char err[256] = "";
    jwt_verifier *v = jwt_verifier_jwks(jwks, ISS, AUD, LEEWAY, err, sizeof err);
    free(jwks);
    cr_assert_not_null(v, "JWKS verifier: %s", err);
    return v;
}

/* Verifies and frees token. */
static enum jwt_result verify_with(const jwt_verifier *v, char *token, caller *out)
{
    caller scratch;
    enum jwt_result r = jwt_verify(v, token, NOW, out ? out : &scratch);
    free(token);
    return r;
}

/* Whether jwt_verifier_jwks refuses this JWKS text, with a reason. */
static void assert_jwks_refused(const char *jwks, const char *why)
{
    char err[256] = "";
    jwt_verifier *v = jwt_verifier_jwks(jwks, ISS, AUD, LEEWAY, err, sizeof err);
    if (v)
        jwt_verifier_free(v);
    cr_assert_null(v, "%s must be refused", why);
    cr_assert_neq(err[0], '\0', "%s: the refusal says why", why);
}

/* ---- HS256 (development) ---- */

Test(jwt, SEC_1_good_hs256_token_accepted)
{
    caller who;
    cr_assert_eq(verify_hs(sign_hs(SECRET, claims_at(NOW)), &who), JWT_OK);
    cr_assert_str_eq(who.sub, "user-1");
    cr_assert_str_eq(who.name, "Pat Example");
    cr_assert_str_eq(who.agency, "LA-CSC");
    cr_assert_eq(who.roles, ROLE_PRACTITIONER | ROLE_MANAGER);
}

Test(jwt, SEC_1_expired_token_refused)
{
    json_t *c = claims_at(NOW - 1000);
    json_object_set_new(c, "exp", json_integer(NOW - 100));
    cr_assert_eq(verify_hs(sign_hs(SECRET, c), NULL), JWT_EXPIRED);
}

Test(jwt, SEC_1_expiry_leeway_honoured)
{
    json_t *c = claims_at(NOW - 1000);
    json_object_set_new(c, "exp", json_integer(NOW - 10));
    cr_assert_eq(verify_hs_leeway(sign_hs(SECRET, json_deep_copy(c)), 30, NULL), JWT_OK,
                 "expired 10 s ago is within a 30 s leeway");
    cr_assert_eq(verify_hs_leeway(sign_hs(SECRET, json_deep_copy(c)), 5, NULL), JWT_EXPIRED,
                 "but not within a 5 s leeway");
    cr_assert_eq(verify_hs_leeway(sign_hs(SECRET, c), 0, NULL), JWT_EXPIRED);
}

Test(jwt, SEC_1_token_not_yet_valid_refused)
{
    json_t *c = claims_at(NOW);
    json_object_set_new(c, "nbf", json_integer(NOW + 100));
    cr_assert_eq(verify_hs(sign_hs(SECRET, c), NULL), JWT_NOT_YET_VALID);
}

Test(jwt, SEC_1_not_before_leeway_honoured)
{
    json_t *c = claims_at(NOW);
    json_object_set_new(c, "nbf", json_integer(NOW + 10));
    cr_assert_eq(verify_hs(sign_hs(SECRET, c), NULL), JWT_OK, "clock skew of 10 s is tolerated");
}

Test(jwt, SEC_1_wrong_issuer_refused)
{
    cr_assert_eq(verify_with_claim("iss", json_string("https://evil.example.test")),
                 JWT_WRONG_ISSUER);
    cr_assert_eq(verify_with_claim("iss", NULL), JWT_WRONG_ISSUER, "a missing issuer");
    cr_assert_eq(verify_with_claim("iss", json_integer(1)), JWT_WRONG_ISSUER);
}

Test(jwt, SEC_1_wrong_audience_refused)
{
    cr_assert_eq(verify_with_claim("aud", json_string("another-api")), JWT_WRONG_AUDIENCE);
    cr_assert_eq(verify_with_claim("aud", NULL), JWT_WRONG_AUDIENCE, "a missing audience");
    cr_assert_eq(verify_with_claim("aud", json_pack("[s, s]", "a", "b")), JWT_WRONG_AUDIENCE);
    cr_assert_eq(verify_with_claim("aud", json_array()), JWT_WRONG_AUDIENCE);
    cr_assert_eq(verify_with_claim("aud", json_string("mam-api-2")), JWT_WRONG_AUDIENCE,
                 "audiences compare exactly");
}

Test(jwt, SEC_1_audience_array_containing_ours_accepted)
{
    cr_assert_eq(verify_with_claim("aud", json_pack("[s, i, s]", "other", 5, AUD)), JWT_OK);
}

Test(jwt, SEC_1_token_signed_with_another_secret_refused)
{
    cr_assert_eq(verify_hs(sign_hs(OTHER_SECRET, claims_at(NOW)), NULL), JWT_BAD_SIGNATURE);
}

Test(jwt, SEC_1_tampered_payload_refused)
{
    char *token = sign_hs(SECRET, claims_at(NOW));
    char *dot1 = strchr(token, '.');
    char *dot2 = strchr(dot1 + 1, '.');
    *dot1 = *dot2 = '\0';
    json_t *c = claims_at(NOW);
    json_object_set_new(c, "roles", json_pack("[s]", "admin"));
    char *payload = b64url_json(c);
    json_decref(c);
    char *tampered = join3(token, payload, dot2 + 1);
    free(payload);
    free(token);
    cr_assert_eq(verify_hs(tampered, NULL), JWT_BAD_SIGNATURE);
}

Test(jwt, SEC_1_tampered_signature_refused)
{
    char *token = sign_hs(SECRET, claims_at(NOW));
    size_t n = strlen(token);
    token[n - 2] = token[n - 2] == 'A' ? 'B' : 'A';
    cr_assert_neq(verify_hs(token, NULL), JWT_OK);
}

static char *unsigned_token(void)
{
    json_t *header = json_pack("{s:s, s:s}", "alg", "none", "typ", "JWT");
    char *token = hand_token(header, claims_at(NOW), "");
    cr_assert_eq(token[strlen(token) - 1], '.', "unsigned token ends with a dot: %s", token);
    return token;
}

Test(jwt, SEC_1_unsigned_alg_none_token_refused)
{
    enum jwt_result r = verify_hs(unsigned_token(), NULL);
    cr_assert_neq(r, JWT_OK, "an unsigned token is never accepted");
    cr_assert_eq(r, JWT_ALGORITHM_REFUSED, "refused for its algorithm, got %d (%s)", r,
                 jwt_result_text(r));
}

Test(jwt, SEC_1_unsigned_alg_none_token_refused_by_a_jwks_verifier)
{
    jwk_t *priv, *pub;
    keypair(&priv, &pub, R_KEY_TYPE_RSA, 2048, "kid-1");
    jwt_verifier *v = jwks_verifier(&pub, 1);
    enum jwt_result r = verify_with(v, unsigned_token(), NULL);
    jwt_verifier_free(v);
    r_jwk_free(priv);
    r_jwk_free(pub);
    cr_assert_neq(r, JWT_OK, "an unsigned token is never accepted");
    cr_assert_eq(r, JWT_ALGORITHM_REFUSED, "refused for its algorithm, got %d (%s)", r,
                 jwt_result_text(r));
}

Test(jwt, SEC_1_alg_none_with_a_signature_part_refused)
{
    json_t *header = json_pack("{s:s}", "alg", "none");
    char *token = hand_token(header, claims_at(NOW), "c2lnbmF0dXJl");
    cr_assert_neq(verify_hs(token, NULL), JWT_OK);
}

Test(jwt, SEC_1_hs256_header_with_empty_signature_refused)
{
    json_t *header = json_pack("{s:s, s:s}", "alg", "HS256", "typ", "JWT");
    char *token = hand_token(header, claims_at(NOW), "");
    cr_assert_neq(verify_hs(token, NULL), JWT_OK);
}

Test(jwt, SEC_1_embedded_jwk_header_is_not_trusted)
{
    /* An attacker signs with their own key and ships it in the header. */
    jwk_t *priv, *pub, *other_priv, *other_pub;
    keypair(&priv, &pub, R_KEY_TYPE_RSA, 2048, "kid-1");
    keypair(&other_priv, &other_pub, R_KEY_TYPE_RSA, 2048, "kid-1");
    jwt_t *jwt = NULL;
    cr_assert_eq(r_jwt_init(&jwt), RHN_OK);
    json_t *c = claims_at(NOW);
    r_jwt_set_full_claims_json_t(jwt, c);
    json_decref(c);
    r_jwt_set_sign_alg(jwt, R_JWA_ALG_RS256);
    json_t *embedded = r_jwk_export_to_json_t(other_pub);
    r_jwt_set_header_json_t_value(jwt, "jwk", embedded);
    json_decref(embedded);
    char *s = r_jwt_serialize_signed(jwt, other_priv, 0);
    cr_assert_not_null(s);
    char *token = strdup(s);
    r_free(s);
    r_jwt_free(jwt);

    jwt_verifier *v = jwks_verifier(&pub, 1);
    cr_assert_neq(verify_with(v, token, NULL), JWT_OK);
    jwt_verifier_free(v);
    r_jwk_free(priv);
    r_jwk_free(pub);
    r_jwk_free(other_priv);
    r_jwk_free(other_pub);
}

/* A token whose header names a URL for its key (jku: a JWKS, x5u: a
 * certificate), signed by the attacker: refused, and the URL is never
 * fetched (OWASP API7, SSRF): a listener on that URL sees no connection. */
Test(jwt, SEC_1_key_url_headers_jku_and_x5u_are_never_fetched)
{
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert_geq(listener, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof addr;
    cr_assert_eq(bind(listener, (struct sockaddr *)&addr, len), 0);
    cr_assert_eq(listen(listener, 4), 0);
    cr_assert_eq(getsockname(listener, (struct sockaddr *)&addr, &len), 0);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/keys", (unsigned)ntohs(addr.sin_port));

    jwk_t *priv, *pub, *other_priv, *other_pub;
    keypair(&priv, &pub, R_KEY_TYPE_RSA, 2048, "kid-1");
    keypair(&other_priv, &other_pub, R_KEY_TYPE_RSA, 2048, "kid-1");
    jwt_verifier *v = jwks_verifier(&pub, 1);
    static const char *const headers[] = {"jku", "x5u"};
    for (size_t i = 0; i < sizeof headers / sizeof headers[0]; i++) {
        jwt_t *jwt = NULL;
        cr_assert_eq(r_jwt_init(&jwt), RHN_OK);
        json_t *c = claims_at(NOW);
        r_jwt_set_full_claims_json_t(jwt, c);
        json_decref(c);
        r_jwt_set_sign_alg(jwt, R_JWA_ALG_RS256);
        cr_assert_eq(r_jwt_set_header_str_value(jwt, headers[i], url), RHN_OK);
        char *s = r_jwt_serialize_signed(jwt, other_priv, 0);
        cr_assert_not_null(s);
        char *token = strdup(s);
        r_free(s);
        r_jwt_free(jwt);
        cr_assert_neq(verify_with(v, token, NULL), JWT_OK, "a token with %s was accepted",
                      headers[i]);
    }
    struct pollfd pfd = {.fd = listener, .events = POLLIN};
    cr_assert_eq(poll(&pfd, 1, 200), 0, "the verifier connected to %s", url);
    close(listener);
    jwt_verifier_free(v);
    r_jwk_free(priv);
    r_jwk_free(pub);
    r_jwk_free(other_priv);
    r_jwk_free(other_pub);
}

/* Only three base64url segments are a token. fuzz_token found that Debian
 * 12's rhonabwy, given others, could free a pointer it had not allocated
 * ('=' inside a segment) or corrupt the heap (bytes outside base64url);
 * jwt_verify now refuses them before rhonabwy sees them. Those crashes
 * showed only under the fuzzer, so its seed corpus replays both inputs
 * (tests/fuzz/corpus/fuzz_token/regression-*); this test pins the answer. */
Test(jwt, SEC_1_tokens_not_three_base64url_segments_are_malformed)
{
    static const char *const hostile[] = {
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc1MiOiJodJodHgiLCJuYXhwIjoxODk3MDAwMf=.Jl",
        "eyJhbGciOiJIUzI1NiJ9=.eyJzdWIiOiJ4In0.c2ln",
        "eyJ50ZN0IiwiYXVkIjoibWFtLXRl\x96\x33.eyJ4IjoxfQ.c2ln",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0",          /* two segments */
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln.ZXh0", /* four */
        "eyJhbGciOiJIUzI1NiJ9.e.c2ln",                    /* a length base64url cannot have */
        ".eyJzdWIiOiJ4In0.c2ln",
    };
    jwt_verifier *v = hs_verifier(LEEWAY);
    for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
        caller who;
        char *token = strdup(hostile[i]); /* on the heap, as a request's header is */
        cr_assert_eq(jwt_verify(v, token, NOW, &who), JWT_MALFORMED, "%s", hostile[i]);
        free(token);
    }
    jwt_verifier_free(v);
}

/* ---- RS256 / ES256 (production JWKS) ---- */

Test(jwt, SEC_1_good_rs256_token_accepted)
{
    jwk_t *priv, *pub;
    keypair(&priv, &pub, R_KEY_TYPE_RSA, 2048, "kid-1");
    jwt_verifier *v = jwks_verifier(&pub, 1);
    caller who;
    cr_assert_eq(verify_with(v, sign_with(priv, R_JWA_ALG_RS256, claims_at(NOW), NULL), &who),
                 JWT_OK);
    cr_assert_str_eq(who.sub, "user-1");
    cr_assert_eq(who.roles, ROLE_PRACTITIONER | ROLE_MANAGER);
    jwt_verifier_free(v);
    r_jwk_free(priv);
    r_jwk_free(pub);
}

Test(jwt, SEC_1_rs256_checks_claims_too)
{
    jwk_t *priv, *pub;
    keypair(&priv, &pub, R_KEY_TYPE_RSA, 2048, "kid-1");
    jwt_verifier *v = jwks_verifier(&pub, 1);
    json_t *c = claims_at(NOW - 1000);
    cr_assert_eq(verify_with(v, sign_with(priv, R_JWA_ALG_RS256, c, NULL), NULL), JWT_EXPIRED);
    c = claims_at(NOW);
    json_object_set_new(c, "aud", json_string("other"));
    cr_assert_eq(verify_with(v, sign_with(priv, R_JWA_ALG_RS256, c, NULL), NULL),
                 JWT_WRONG_AUDIENCE);
    jwt_verifier_free(v);
    r_jwk_free(priv);
    r_jwk_free(pub);
}

Test(jwt, SEC_1_good_es256_token_accepted)
{
    jwk_t *priv, *pub;
    keypair(&priv, &pub, R_KEY_TYPE_EC, 256, "ec-1");
    jwt_verifier *v = jwks_verifier(&pub, 1);
    caller who;
    cr_assert_eq(verify_with(v, sign_with(priv, R_JWA_ALG_ES256, claims_at(NOW), NULL), &who),
                 JWT_OK);
    cr_assert_str_eq(who.agency, "LA-CSC");
    jwt_verifier_free(v);
    r_jwk_free(priv);
    r_jwk_free(pub);
}

Test(jwt, SEC_1_rs512_token_refused_by_an_rs256_key)
{
    jwk_t *priv, *pub;
    keypair(&priv, &pub, R_KEY_TYPE_RSA, 2048, "kid-1");
    jwt_verifier *v = jwks_verifier(&pub, 1);
    cr_assert_eq(verify_with(v, sign_with(priv, R_JWA_ALG_RS512, claims_at(NOW), NULL), NULL),
                 JWT_ALGORITHM_REFUSED);
    cr_assert_eq(verify_with(v, sign_with(priv, R_JWA_ALG_PS256, claims_at(NOW), NULL), NULL),
                 JWT_ALGORITHM_REFUSED);
    jwt_verifier_free(v);
    r_jwk_free(priv);
    r_jwk_free(pub);
}

Test(jwt, SEC_1_rs256_token_refused_by_an_ec_only_jwks)
{
    jwk_t *rpriv, *rpub, *epriv, *epub;
    keypair(&rpriv, &rpub, R_KEY_TYPE_RSA, 2048, "rsa-1");
    keypair(&epriv, &epub, R_KEY_TYPE_EC, 256, "ec-1");
    jwt_verifier *v = jwks_verifier(&epub, 1);
    cr_assert_eq(verify_with(v, sign_with(rpriv, R_JWA_ALG_RS256, claims_at(NOW), NULL), NULL),
                 JWT_ALGORITHM_REFUSED);
    jwt_verifier_free(v);
    r_jwk_free(rpriv);
    r_jwk_free(rpub);
    r_jwk_free(epriv);
    r_jwk_free(epub);
}

Test(jwt, SEC_1_hs256_token_refused_by_a_jwks_verifier)
{
    jwk_t *priv, *pub;
    keypair(&priv, &pub, R_KEY_TYPE_RSA, 2048, "kid-1");
    jwt_verifier *v = jwks_verifier(&pub, 1);
    cr_assert_eq(verify_with(v, sign_hs(SECRET, claims_at(NOW)), NULL), JWT_ALGORITHM_REFUSED);
    jwt_verifier_free(v);
    r_jwk_free(priv);
    r_jwk_free(pub);
}

Test(jwt, SEC_1_hs256_signed_with_the_public_key_refused)
{
    /* The key-confusion attack: use the verifier's public key as an HMAC secret. */
    jwk_t *priv, *pub;
    keypair(&priv, &pub, R_KEY_TYPE_RSA, 2048, "kid-1");
    jwt_verifier *v = jwks_verifier(&pub, 1);

    char *json = r_jwk_export_to_json_str(pub, 0);
    cr_assert_not_null(json);
    json_t *c = claims_at(NOW);
    char *token = jwt_sign_hs256(json, c);
    json_decref(c);
    r_free(json);
    cr_assert_not_null(token);
    cr_assert_eq(verify_with(v, token, NULL), JWT_ALGORITHM_REFUSED, "JWK JSON as HMAC secret");

    unsigned char pem[4096];
    size_t pem_len = sizeof pem - 1;
    cr_assert_eq(r_jwk_export_to_pem_der(pub, R_FORMAT_PEM, pem, &pem_len, 0), RHN_OK);
    pem[pem_len] = '\0';
    cr_assert(strstr((char *)pem, "PUBLIC KEY"), "PEM export: %s", pem);
    c = claims_at(NOW);
    token = jwt_sign_hs256((char *)pem, c);
    json_decref(c);
    cr_assert_not_null(token);
    cr_assert_eq(verify_with(v, token, NULL), JWT_ALGORITHM_REFUSED, "PEM as HMAC secret");

    jwt_verifier_free(v);
    r_jwk_free(priv);
    r_jwk_free(pub);
}

Test(jwt, SEC_1_rs256_token_refused_by_the_hs256_verifier)
{
    jwk_t *priv, *pub;
    keypair(&priv, &pub, R_KEY_TYPE_RSA, 2048, "kid-1");
    cr_assert_eq(verify_hs(sign_with(priv, R_JWA_ALG_RS256, claims_at(NOW), NULL), NULL),
                 JWT_ALGORITHM_REFUSED);
    r_jwk_free(priv);
    r_jwk_free(pub);
}

Test(jwt, SEC_1_kid_selects_the_key)
{
    jwk_t *priv1, *pub1, *priv2, *pub2;
    keypair(&priv1, &pub1, R_KEY_TYPE_RSA, 2048, "kid-1");
    keypair(&priv2, &pub2, R_KEY_TYPE_RSA, 2048, "kid-2");
    jwk_t *pubs[] = {pub1, pub2};
    jwt_verifier *v = jwks_verifier(pubs, 2);

    cr_assert_eq(verify_with(v, sign_with(priv1, R_JWA_ALG_RS256, claims_at(NOW), "kid-1"), NULL),
                 JWT_OK);
    cr_assert_eq(verify_with(v, sign_with(priv2, R_JWA_ALG_RS256, claims_at(NOW), "kid-2"), NULL),
                 JWT_OK, "the second key is found by its kid");
    cr_assert_eq(verify_with(v, sign_with(priv2, R_JWA_ALG_RS256, claims_at(NOW), "kid-1"), NULL),
                 JWT_BAD_SIGNATURE, "kid-1 names a key that did not sign it");
    cr_assert_eq(verify_with(v, sign_with(priv2, R_JWA_ALG_RS256, claims_at(NOW), "kid-9"), NULL),
                 JWT_UNKNOWN_KEY, "a kid the JWKS does not hold");

    /* without a kid every key of the algorithm is tried */
    r_jwk_delete_property_str(priv2, "kid");
    char *token = sign_with(priv2, R_JWA_ALG_RS256, claims_at(NOW), NULL);
    jwt_t *jwt = NULL;
    r_jwt_init(&jwt);
    cr_assert_eq(r_jwt_parse(jwt, token, 0), RHN_OK);
    cr_assert_null(r_jwt_get_header_str_value(jwt, "kid"), "test token carries no kid");
    r_jwt_free(jwt);
    cr_assert_eq(verify_with(v, token, NULL), JWT_OK);

    jwt_verifier_free(v);
    r_jwk_free(priv1);
    r_jwk_free(pub1);
    r_jwk_free(priv2);
    r_jwk_free(pub2);
}

Test(jwt, SEC_1_token_from_a_key_outside_the_jwks_refused)
{
    jwk_t *priv, *pub, *stranger_priv, *stranger_pub;
    keypair(&priv, &pub, R_KEY_TYPE_RSA, 2048, "kid-1");
    keypair(&stranger_priv, &stranger_pub, R_KEY_TYPE_RSA, 2048, "kid-1");
    jwt_verifier *v = jwks_verifier(&pub, 1);
    cr_assert_eq(verify_with(v, sign_with(stranger_priv, R_JWA_ALG_RS256, claims_at(NOW), "kid-1"),
                             NULL),
                 JWT_BAD_SIGNATURE, "same kid, different key");
    cr_assert_eq(verify_with(v, sign_with(stranger_priv, R_JWA_ALG_RS256, claims_at(NOW), "x"),
                             NULL),
                 JWT_UNKNOWN_KEY, "a kid the JWKS does not hold");
    jwt_verifier_free(v);
    r_jwk_free(priv);
    r_jwk_free(pub);
    r_jwk_free(stranger_priv);
    r_jwk_free(stranger_pub);
}

/* ---- JWKS loading ---- */

Test(jwt, SEC_1_jwks_refuses_a_private_key)
{
    jwk_t *priv, *pub;
    keypair(&priv, &pub, R_KEY_TYPE_RSA, 2048, "kid-1");
    char *jwks = jwks_of(&priv, 1);
    assert_jwks_refused(jwks, "a private RSA key");
    free(jwks);
    r_jwk_free(priv);
    r_jwk_free(pub);
}

Test(jwt, SEC_1_jwks_refuses_a_short_rsa_key)
{
    jwk_t *priv, *pub;
    keypair(&priv, &pub, R_KEY_TYPE_RSA, 1024, "kid-1");
    char *jwks = jwks_of(&pub, 1);
    assert_jwks_refused(jwks, "a 1024-bit RSA key");
    free(jwks);
    r_jwk_free(priv);
    r_jwk_free(pub);
}

Test(jwt, SEC_1_jwks_refuses_unsupported_keys)
{
    assert_jwks_refused("{\"keys\": [{\"kty\": \"oct\", \"k\": \"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0\"}]}",
                        "a symmetric key");
    jwk_t *priv, *pub;
    keypair(&priv, &pub, R_KEY_TYPE_EC, 384, "ec-384");
    char *jwks = jwks_of(&pub, 1);
    assert_jwks_refused(jwks, "a P-384 key");
    free(jwks);
    r_jwk_free(priv);
    r_jwk_free(pub);

    keypair(&priv, &pub, R_KEY_TYPE_RSA, 2048, "kid-1");
    r_jwk_set_property_str(pub, "alg", "RS512");
    jwks = jwks_of(&pub, 1);
    assert_jwks_refused(jwks, "an RSA key declared for RS512");
    free(jwks);
    r_jwk_free(priv);
    r_jwk_free(pub);
}

Test(jwt, SEC_1_jwks_refuses_a_bad_key_among_good_ones)
{
    jwk_t *priv1, *pub1, *priv2, *pub2;
    keypair(&priv1, &pub1, R_KEY_TYPE_RSA, 2048, "kid-1");
    keypair(&priv2, &pub2, R_KEY_TYPE_RSA, 1024, "kid-2");
    jwk_t *keys[] = {pub1, pub2};
    char *jwks = jwks_of(keys, 2);
    assert_jwks_refused(jwks, "a JWKS with one short key");
    free(jwks);
    r_jwk_free(priv1);
    r_jwk_free(pub1);
    r_jwk_free(priv2);
    r_jwk_free(pub2);
}

Test(jwt, SEC_1_jwks_refuses_empty_or_malformed_documents)
{
    assert_jwks_refused("{\"keys\": []}", "an empty keys array");
    assert_jwks_refused("{}", "no keys member");
    assert_jwks_refused("{\"keys\": {}}", "keys that is not an array");
    assert_jwks_refused("[]", "an array document");
    assert_jwks_refused("not json", "text that is not JSON");
    assert_jwks_refused("{\"keys\": [{\"kty\": \"RSA\"}]}", "an RSA key without n and e");
    assert_jwks_refused("{\"keys\": [5]}", "a key that is not an object");
}

/* ---- claims ---- */

Test(jwt, SEC_1_missing_or_malformed_claims_refused)
{
    cr_assert_eq(verify_with_claim("sub", NULL), JWT_BAD_CLAIMS, "no sub");
    cr_assert_eq(verify_with_claim("sub", json_string("")), JWT_BAD_CLAIMS, "empty sub");
    cr_assert_eq(verify_with_claim("sub", json_integer(42)), JWT_BAD_CLAIMS, "numeric sub");
    cr_assert_eq(verify_with_claim("name", json_string("")), JWT_BAD_CLAIMS, "empty name");
    cr_assert_eq(verify_with_claim("name", NULL), JWT_BAD_CLAIMS, "no name");
    cr_assert_eq(verify_with_claim("agency", json_string("bad code!")), JWT_BAD_CLAIMS,
                 "agency 'bad code!'");
    cr_assert_eq(verify_with_claim("agency", json_string("la-csc")), JWT_BAD_CLAIMS,
                 "lower-case agency code");
    cr_assert_eq(verify_with_claim("agency", NULL), JWT_BAD_CLAIMS, "no agency");
    cr_assert_eq(verify_with_claim("roles", json_string("manager")), JWT_BAD_CLAIMS,
                 "roles not an array");
    cr_assert_eq(verify_with_claim("roles", json_pack("[s, i]", "manager", 1)), JWT_BAD_CLAIMS,
                 "roles with a number");
    cr_assert_eq(verify_with_claim("roles", NULL), JWT_BAD_CLAIMS, "no roles");
    cr_assert_eq(verify_with_claim("exp", NULL), JWT_BAD_CLAIMS, "no exp");
    cr_assert_eq(verify_with_claim("exp", json_string("9999999999")), JWT_BAD_CLAIMS,
                 "exp as a string");
    cr_assert_eq(verify_with_claim("nbf", json_string("0")), JWT_BAD_CLAIMS, "nbf as a string");
}

Test(jwt, SEC_1_claim_lengths_bounded)
{
    char sub[CALLER_SUB_MAX + 2];
    memset(sub, 's', sizeof sub - 1);
    sub[sizeof sub - 1] = '\0';
    cr_assert_eq(verify_with_claim("sub", json_string(sub)), JWT_BAD_CLAIMS, "129-char sub");
    sub[CALLER_SUB_MAX] = '\0';
    cr_assert_eq(verify_with_claim("sub", json_string(sub)), JWT_OK, "128-char sub");

    char agency[CALLER_AGENCY_MAX + 2];
    memset(agency, 'A', sizeof agency - 1);
    agency[sizeof agency - 1] = '\0';
    cr_assert_eq(verify_with_claim("agency", json_string(agency)), JWT_BAD_CLAIMS,
                 "33-char agency");

    /* 200 four-byte characters fill the name buffer exactly */
    char name[CALLER_NAME_MAX * 4 + 8];
    name[0] = '\0';
    for (int i = 0; i < CALLER_NAME_MAX; i++)
        strcat(name, "\xf0\x9f\x98\x80");
    cr_assert_eq(verify_with_claim("name", json_string(name)), JWT_OK, "200 four-byte chars");
    strcat(name, "a");
    cr_assert_eq(verify_with_claim("name", json_string(name)), JWT_BAD_CLAIMS, "201 chars");

    json_t *many = json_array();
    for (int i = 0; i < 33; i++)
        json_array_append_new(many, json_string("practitioner"));
    cr_assert_eq(verify_with_claim("roles", many), JWT_BAD_CLAIMS, "33 roles");
}

Test(jwt, SEC_1_unknown_roles_ignored_known_roles_mapped)
{
    json_t *c = claims_at(NOW);
    json_object_set_new(c, "roles",
                        json_pack("[s, s, s, s, s]", "wizard", "manager", "auditor", "MANAGER",
                                  "admin "));
    caller who;
    cr_assert_eq(verify_hs(sign_hs(SECRET, c), &who), JWT_OK);
    cr_assert_eq(who.roles, ROLE_MANAGER | ROLE_AUDITOR, "roles 0x%x", who.roles);

    c = claims_at(NOW);
    json_object_set_new(c, "roles", json_array());
    cr_assert_eq(verify_hs(sign_hs(SECRET, c), &who), JWT_OK, "no roles is a valid caller");
    cr_assert_eq(who.roles, 0u);
}

Test(jwt, SEC_1_every_role_maps_to_its_bit)
{
    const char *names[] = {"practitioner", "senior_practitioner", "manager", "senior_manager",
                           "named_doctor", "partnership",         "auditor", "admin",
                           "integration",  "safeguarding_lead"};
    unsigned all = 0;
    json_t *roles = json_array();
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        unsigned bit = role_from_name(names[i]);
        cr_assert_eq(bit, 1u << i, "%s", names[i]);
        cr_assert_str_eq(role_name(bit), names[i]);
        all |= bit;
        json_array_append_new(roles, json_string(names[i]));
    }
    cr_assert_eq(role_from_name("root"), 0u);
    cr_assert_str_eq(role_name(0), "unknown");
    json_t *c = claims_at(NOW);
    json_object_set_new(c, "roles", roles);
    caller who;
    cr_assert_eq(verify_hs(sign_hs(SECRET, c), &who), JWT_OK);
    cr_assert_eq(who.roles, all);
}

Test(jwt, SEC_1_agency_codes)
{
    cr_assert(agency_code_valid("LA-CSC"));
    cr_assert(agency_code_valid("P1"));
    cr_assert(agency_code_valid("NHS_TRUST_7"));
    cr_assert_not(agency_code_valid("A"), "too short");
    cr_assert_not(agency_code_valid(""));
    cr_assert_not(agency_code_valid("-LA"), "must start with a letter or digit");
    cr_assert_not(agency_code_valid("_LA"));
    cr_assert_not(agency_code_valid("bad code!"));
    cr_assert_not(agency_code_valid("la-csc"));
    cr_assert(agency_code_valid("ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"), "32 characters");
    cr_assert_not(agency_code_valid("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456"), "33 characters");
}

/* ---- garbage ---- */

Test(jwt, SEC_1_garbage_tokens_malformed)
{
    jwt_verifier *v = hs_verifier(LEEWAY);
    caller who;
    cr_assert_eq(jwt_verify(v, NULL, NOW, &who), JWT_MALFORMED);
    cr_assert_eq(jwt_verify(v, "", NOW, &who), JWT_MALFORMED);
    cr_assert_eq(jwt_verify(v, "abc", NOW, &who), JWT_MALFORMED);
    cr_assert_eq(jwt_verify(v, "a.b.c", NOW, &who), JWT_MALFORMED);
    cr_assert_eq(jwt_verify(v, "..", NOW, &who), JWT_MALFORMED);
    cr_assert_eq(jwt_verify(v, "a.b", NOW, &who), JWT_MALFORMED);
    cr_assert_eq(jwt_verify(v, "Bearer abc.def.ghi", NOW, &who), JWT_MALFORMED);
    char *big = malloc(9001);
    cr_assert_not_null(big);
    memset(big, 'a', 9000);
    big[100] = big[200] = '.';
    big[9000] = '\0';
    cr_assert_eq(jwt_verify(v, big, NOW, &who), JWT_MALFORMED, "9000-byte token");
    free(big);
    jwt_verifier_free(v);
}

Test(jwt, SEC_1_well_signed_but_oversized_token_malformed)
{
    json_t *c = claims_at(NOW);
    char pad[9001];
    memset(pad, 'p', 9000);
    pad[9000] = '\0';
    json_object_set_new(c, "pad", json_string(pad));
    cr_assert_eq(verify_hs(sign_hs(SECRET, c), NULL), JWT_MALFORMED);
}

Test(jwt, SEC_1_result_texts_exist)
{
    for (int r = JWT_OK; r <= JWT_RESULT_LAST; r++) {
        const char *t = jwt_result_text((enum jwt_result)r);
        cr_assert_not_null(t);
        cr_assert_gt(strlen(t), 0u);
    }
}

/* ---- development tokens ---- */

Test(jwt, SEC_1_hs256_round_trip_with_jwt_claims_for)
{
    caller c;
    memset(&c, 0, sizeof c);
    snprintf(c.sub, sizeof c.sub, "dev-1");
    snprintf(c.name, sizeof c.name, "Dev \xc3\x89lodie");
    snprintf(c.agency, sizeof c.agency, "LA-CSC");
    c.roles = ROLE_SENIOR_PRACTITIONER | ROLE_INTEGRATION | ROLE_SAFEGUARDING_LEAD;

    json_t *claims = jwt_claims_for(&c, ISS, AUD, NOW, 600);
    cr_assert_not_null(claims);
    cr_assert_str_eq(json_string_value(json_object_get(claims, "iss")), ISS);
    cr_assert_str_eq(json_string_value(json_object_get(claims, "aud")), AUD);
    cr_assert_eq(json_integer_value(json_object_get(claims, "nbf")), NOW);
    cr_assert_eq(json_integer_value(json_object_get(claims, "exp")), NOW + 600);
    cr_assert_eq(json_array_size(json_object_get(claims, "roles")), 3, "every role, the last too");

    char *token = jwt_sign_hs256(SECRET, claims);
    json_decref(claims);
    cr_assert_not_null(token);
    cr_assert_eq(strncmp(token, "eyJ", 3), 0, "a JWT starts with a JSON header: %s", token);

    jwt_verifier *v = hs_verifier(0);
    caller who;
    cr_assert_eq(jwt_verify(v, token, NOW, &who), JWT_OK);
    cr_assert_str_eq(who.sub, c.sub);
    cr_assert_str_eq(who.name, c.name);
    cr_assert_str_eq(who.agency, c.agency);
    cr_assert_eq(who.roles, c.roles);
    cr_assert_eq(jwt_verify(v, token, NOW + 600, &who), JWT_OK, "valid to its last second");
    cr_assert_eq(jwt_verify(v, token, NOW + 601, &who), JWT_EXPIRED);
    cr_assert_eq(jwt_verify(v, token, NOW - 1, &who), JWT_NOT_YET_VALID);
    jwt_verifier_free(v);
    free(token);
}

Test(jwt, SEC_1_a_verifier_is_reusable)
{
    jwt_verifier *v = hs_verifier(LEEWAY);
    caller who;
    for (int i = 0; i < 3; i++) {
        char *token = sign_hs(SECRET, claims_at(NOW));
        cr_assert_eq(jwt_verify(v, token, NOW, &who), JWT_OK, "round %d", i);
        free(token);
    }
    jwt_verifier_free(v);
    jwt_verifier_free(NULL);
}

/* ---- header rules (issue 20) ---- */

/* RFC 7515 4.1.11: a JWS whose crit lists an extension the recipient does
 * not understand is invalid; this service understands none. */
Test(jwt, SEC_1_crit_header_refused_even_when_well_signed)
{
    jwt_t *jwt = NULL;
    cr_assert_eq(r_jwt_init(&jwt), RHN_OK);
    json_t *c = claims_at(NOW);
    r_jwt_set_full_claims_json_t(jwt, c);
    json_decref(c);
    r_jwt_set_sign_alg(jwt, R_JWA_ALG_HS256);
    json_t *crit = json_pack("[s]", "exp");
    r_jwt_set_header_json_t_value(jwt, "crit", crit);
    json_decref(crit);
    r_jwt_set_header_int_value(jwt, "exp", 1);
    jwk_t *key;
    r_jwk_init(&key);
    r_jwk_import_from_symmetric_key(key, (const unsigned char *)SECRET, strlen(SECRET));
    char *s = r_jwt_serialize_signed(jwt, key, 0);
    cr_assert_not_null(s);
    char *token = strdup(s);
    r_free(s);
    r_jwk_free(key);
    r_jwt_free(jwt);
    jwt_verifier *v = hs_verifier(LEEWAY);
    caller who;
    jwt_refusal why;
    cr_assert_eq(jwt_verify_why(v, token, NOW, &who, &why), JWT_CRITICAL_HEADER);
    cr_assert_str_eq(why.reason, "crit");
    jwt_verifier_free(v);
    free(token);
}

static enum jwt_result verify_raw(const char *header, const char *payload, jwt_refusal *why)
{
    char *h = b64url(header, strlen(header)), *p = b64url(payload, strlen(payload));
    char *token = join3(h, p, "c2lnbmF0dXJl");
    jwt_verifier *v = hs_verifier(LEEWAY);
    caller who;
    enum jwt_result r = jwt_verify_why(v, token, NOW, &who, why);
    jwt_verifier_free(v);
    free(h);
    free(p);
    free(token);
    return r;
}

Test(jwt, SEC_1_duplicated_members_are_malformed)
{
    jwt_refusal why;
    char payload[512];
    snprintf(payload, sizeof payload,
             "{\"iss\":\"%s\",\"aud\":\"%s\",\"sub\":\"u\",\"name\":\"N\",\"agency\":\"LA-CSC\","
             "\"agency\":\"POL-1\",\"roles\":[],\"exp\":%lld}",
             ISS, AUD, (long long)NOW + 300);
    cr_assert_eq(verify_raw("{\"alg\":\"HS256\"}", payload, &why), JWT_MALFORMED,
                 "agency twice in the payload");
    cr_assert_str_eq(why.reason, "malformed");
    cr_assert_eq(verify_raw("{\"alg\":\"HS256\",\"alg\":\"none\"}", "{}", &why), JWT_MALFORMED,
                 "alg twice in the header");
    cr_assert_eq(verify_raw("[\"alg\"]", "{}", &why), JWT_MALFORMED, "a header that is no object");
    cr_assert_eq(verify_raw("{\"alg\":\"HS256\"}", "[1]", &why), JWT_MALFORMED,
                 "a payload that is no object");
    cr_assert_eq(verify_raw("{\"alg\":\"HS256\",\"kid\":7}", "{}", &why), JWT_MALFORMED,
                 "a kid that is not a string");
}

Test(jwt, SEC_1_refusal_reasons_name_claims_not_values)
{
    jwt_verifier *v = hs_verifier(LEEWAY);
    caller who;
    jwt_refusal why;
    json_t *c = claims_at(NOW);
    json_object_del(c, "agency");
    char *token = sign_hs(SECRET, c);
    cr_assert_eq(jwt_verify_why(v, token, NOW, &who, &why), JWT_BAD_CLAIMS);
    cr_assert_str_eq(why.reason, "missing_claim:agency");
    cr_assert_str_eq(why.issuer, "default");
    cr_assert_str_eq(jwt_result_class(JWT_BAD_CLAIMS, why.reason), "missing_claim");
    free(token);
    c = claims_at(NOW);
    json_object_set_new(c, "roles", json_string("admin"));
    token = sign_hs(SECRET, c);
    cr_assert_eq(jwt_verify_why(v, token, NOW, &who, &why), JWT_BAD_CLAIMS);
    cr_assert_str_eq(why.reason, "invalid_claim:roles");
    cr_assert_str_eq(jwt_result_class(JWT_BAD_CLAIMS, why.reason), "invalid_claim");
    free(token);
    jwt_verifier_free(v);
}
