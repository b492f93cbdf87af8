#include "auth/jwt.h"

#include <rhonabwy.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/text.h"
#include "core/xalloc.h"

#define MAX_KEYS 16
#define MAX_TOKEN_BYTES 8192

typedef struct key {
    jwk_t *jwk;
    jwa_alg alg;  /* the only algorithm this key verifies */
    char kid[128];
} key;

struct jwt_verifier {
    key keys[MAX_KEYS];
    int n_keys;
    char *issuer;
    char *audience;
    int leeway_s;
};

static jwt_verifier *verifier_new(const char *issuer, const char *audience, int leeway_s)
{
    jwt_verifier *v = xcalloc(1, sizeof *v);
    v->issuer = xstrdup(issuer);
    v->audience = xstrdup(audience);
    v->leeway_s = leeway_s;
    return v;
}

jwt_verifier *jwt_verifier_hs256(const char *secret, const char *issuer, const char *audience,
                                 int leeway_s, char *err, size_t err_size)
{
    jwt_verifier *v = verifier_new(issuer, audience, leeway_s);
    key *k = &v->keys[0];
    if (r_jwk_init(&k->jwk) != RHN_OK ||
        r_jwk_import_from_symmetric_key(k->jwk, (const unsigned char *)secret, strlen(secret)) !=
            RHN_OK) {
        snprintf(err, err_size, "cannot load the HS256 secret");
        r_jwk_free(k->jwk);
        k->jwk = NULL;
        jwt_verifier_free(v);
        return NULL;
    }
    k->alg = R_JWA_ALG_HS256;
    v->n_keys = 1;
    return v;
}

/* The algorithm a public key verifies: RS256 for RSA, ES256 for P-256. */
static jwa_alg alg_for_key(jwk_t *jwk)
{
    unsigned int bits = 0;
    int type = r_jwk_key_type(jwk, &bits, 0);
    if (!(type & R_KEY_TYPE_PUBLIC))
        return R_JWA_ALG_UNKNOWN;
    const char *declared = r_jwk_get_property_str(jwk, "alg");
    if ((type & R_KEY_TYPE_RSA) && bits >= 2048 && (!declared || strcmp(declared, "RS256") == 0))
        return R_JWA_ALG_RS256;
    if ((type & R_KEY_TYPE_EC) && bits == 256 && (!declared || strcmp(declared, "ES256") == 0))
        return R_JWA_ALG_ES256;
    return R_JWA_ALG_UNKNOWN;
}

jwt_verifier *jwt_verifier_jwks(const char *jwks_json, const char *issuer, const char *audience,
                                int leeway_s, char *err, size_t err_size)
{
    json_error_t jerr;
    json_t *doc = json_loads(jwks_json, JSON_REJECT_DUPLICATES, &jerr);
    json_t *list = doc ? json_object_get(doc, "keys") : NULL;
    if (!json_is_array(list) || json_array_size(list) == 0) {
        snprintf(err, err_size, "the JWKS file must be a JSON object with a non-empty \"keys\" array");
        json_decref(doc);
        return NULL;
    }
    jwt_verifier *v = verifier_new(issuer, audience, leeway_s);
    size_t i;
    json_t *item;
    json_array_foreach(list, i, item) {
        if (v->n_keys == MAX_KEYS) {
            snprintf(err, err_size, "the JWKS file holds more than %d keys", MAX_KEYS);
            goto fail;
        }
        key *k = &v->keys[v->n_keys];
        if (r_jwk_init(&k->jwk) != RHN_OK || r_jwk_import_from_json_t(k->jwk, item) != RHN_OK) {
            snprintf(err, err_size, "key %zu of the JWKS file cannot be read", i);
            r_jwk_free(k->jwk);
            k->jwk = NULL;
            goto fail;
        }
        v->n_keys++;
        k->alg = alg_for_key(k->jwk);
        if (k->alg == R_JWA_ALG_UNKNOWN) {
            snprintf(err, err_size,
                     "key %zu of the JWKS file is not an RSA (2048 bits or more) or P-256 public key",
                     i);
            goto fail;
        }
        const char *kid = r_jwk_get_property_str(k->jwk, "kid");
        snprintf(k->kid, sizeof k->kid, "%s", kid ? kid : "");
    }
    json_decref(doc);
    return v;
fail:
    json_decref(doc);
    jwt_verifier_free(v);
    return NULL;
}

void jwt_verifier_free(jwt_verifier *v)
{
    if (!v)
        return;
    for (int i = 0; i < v->n_keys; i++)
        r_jwk_free(v->keys[i].jwk);
    free(v->issuer);
    free(v->audience);
    free(v);
}

const char *jwt_result_text(enum jwt_result r)
{
    switch (r) {
    case JWT_OK: return "valid";
    case JWT_MALFORMED: return "the token is not a well-formed signed JWT";
    case JWT_ALGORITHM_REFUSED: return "the token is signed with an algorithm this service does not accept";
    case JWT_BAD_SIGNATURE: return "the token signature does not verify";
    case JWT_EXPIRED: return "the token has expired";
    case JWT_NOT_YET_VALID: return "the token is not valid yet";
    case JWT_WRONG_ISSUER: return "the token was issued by another issuer";
    case JWT_WRONG_AUDIENCE: return "the token is meant for another audience";
    case JWT_BAD_CLAIMS: return "the token lacks sub, name, agency or roles claims of the right form";
    }
    return "invalid token";
}

static enum jwt_result check_signature(const jwt_verifier *v, jwt_t *jwt)
{
    jwa_alg alg = r_jwt_get_sign_alg(jwt);
    const char *kid = r_jwt_get_header_str_value(jwt, "kid");
    bool alg_known = false;
    for (int i = 0; i < v->n_keys; i++) {
        const key *k = &v->keys[i];
        if (k->alg != alg)
            continue;
        alg_known = true;
        if (kid && k->kid[0] && strcmp(kid, k->kid) != 0)
            continue;
        /* rhonabwy may attach the key to the token; give it its own copy so
         * the shared verifier is never written to. */
        jwk_t *copy = r_jwk_copy(k->jwk);
        int rc = r_jwt_verify_signature(jwt, copy, 0);
        r_jwk_free(copy);
        if (rc == RHN_OK)
            return JWT_OK;
    }
    return alg_known ? JWT_BAD_SIGNATURE : JWT_ALGORITHM_REFUSED;
}

static bool audience_matches(json_t *aud, const char *expected)
{
    if (json_is_string(aud))
        return strcmp(json_string_value(aud), expected) == 0;
    if (json_is_array(aud)) {
        size_t i;
        json_t *a;
        json_array_foreach(aud, i, a) {
            if (json_is_string(a) && strcmp(json_string_value(a), expected) == 0)
                return true;
        }
    }
    return false;
}

static bool copy_claim(json_t *claims, const char *name, char *out, size_t out_size,
                       size_t max_chars)
{
    json_t *v = json_object_get(claims, name);
    if (!json_is_string(v))
        return false;
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (n == 0 || n >= out_size || strlen(s) != n || text_utf8_length(s) > max_chars)
        return false;
    memcpy(out, s, n + 1);
    return true;
}

static enum jwt_result check_claims(const jwt_verifier *v, json_t *claims, time_t now, caller *out)
{
    json_t *exp = json_object_get(claims, "exp");
    json_t *nbf = json_object_get(claims, "nbf");
    if (!json_is_integer(exp) && !json_is_real(exp))
        return JWT_BAD_CLAIMS;
    if ((double)now > json_number_value(exp) + v->leeway_s)
        return JWT_EXPIRED;
    /* clamped: a far-future exp must not overflow the conversion */
    double exp_s = json_number_value(exp) + v->leeway_s;
    long long expires_at = exp_s > 4e18 ? (long long)4e18 : (long long)exp_s;
    if (nbf && !json_is_number(nbf))
        return JWT_BAD_CLAIMS;
    if (nbf && (double)now + v->leeway_s < json_number_value(nbf))
        return JWT_NOT_YET_VALID;
    json_t *iss = json_object_get(claims, "iss");
    if (!json_is_string(iss) || strcmp(json_string_value(iss), v->issuer) != 0)
        return JWT_WRONG_ISSUER;
    if (!audience_matches(json_object_get(claims, "aud"), v->audience))
        return JWT_WRONG_AUDIENCE;

    memset(out, 0, sizeof *out);
    out->expires_at = expires_at;
    if (!copy_claim(claims, "sub", out->sub, sizeof out->sub, CALLER_SUB_MAX) ||
        !copy_claim(claims, "name", out->name, sizeof out->name, CALLER_NAME_MAX) ||
        !copy_claim(claims, "agency", out->agency, sizeof out->agency, CALLER_AGENCY_MAX) ||
        !agency_code_valid(out->agency))
        return JWT_BAD_CLAIMS;
    json_t *roles = json_object_get(claims, "roles");
    if (!json_is_array(roles) || json_array_size(roles) > 32)
        return JWT_BAD_CLAIMS;
    size_t i;
    json_t *r;
    json_array_foreach(roles, i, r) {
        if (!json_is_string(r))
            return JWT_BAD_CLAIMS;
        out->roles |= role_from_name(json_string_value(r));
    }
    return JWT_OK;
}

/* Whether the token's header declares "alg": "none", so that an unsigned
 * token is refused for its algorithm rather than reported as malformed. */
static bool header_alg_is_none(const char *token)
{
    const char *dot = strchr(token, '.');
    if (!dot || dot == token || dot - token > 1024)
        return false;
    char segment[1025];
    memcpy(segment, token, (size_t)(dot - token));
    segment[dot - token] = '\0';
    unsigned char header[1024];
    long n = text_base64url_decode(segment, header, sizeof header);
    if (n <= 0)
        return false;
    json_t *h = json_loadb((const char *)header, (size_t)n, 0, NULL);
    json_t *alg = json_object_get(h, "alg");
    bool none = json_is_string(alg) && strcasecmp(json_string_value(alg), "none") == 0;
    json_decref(h);
    return none;
}

/* Whether the token is three base64url segments (header, payload and a
 * signature that may be empty), each a length base64url can have. Only such
 * tokens reach rhonabwy: the fuzzer found that other bytes (in Debian 12's
 * rhonabwy/orcania, which are not instrumented) could corrupt the heap. */
static bool token_shape_ok(const char *token, size_t n)
{
    size_t segment = 0, len = 0;
    for (size_t i = 0; i <= n; i++) {
        char ch = i < n ? token[i] : '.';
        if (ch == '.') {
            bool may_be_empty = segment == 2;
            if ((len == 0 && !may_be_empty) || len % 4 == 1 || ++segment > 3)
                return false;
            len = 0;
        } else if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
                   (ch >= '0' && ch <= '9') || ch == '-' || ch == '_') {
            len++;
        } else {
            return false;
        }
    }
    return segment == 3;
}

enum jwt_result jwt_verify(const jwt_verifier *v, const char *token, time_t now, caller *out)
{
    size_t n = token ? strnlen(token, MAX_TOKEN_BYTES + 1) : 0;
    if (n == 0 || n > MAX_TOKEN_BYTES)
        return JWT_MALFORMED;
    if (!token_shape_ok(token, n))
        return header_alg_is_none(token) ? JWT_ALGORITHM_REFUSED : JWT_MALFORMED;
    jwt_t *jwt = NULL;
    enum jwt_result result;
    if (r_jwt_init(&jwt) != RHN_OK)
        return JWT_MALFORMED;
    /* R_PARSE_NONE: no unsigned tokens, no keys from jwk/jku/x5c/x5u headers */
    if (r_jwt_advanced_parsen(jwt, token, n, R_PARSE_NONE, 0) != RHN_OK ||
        r_jwt_get_type(jwt) != R_JWT_TYPE_SIGN) {
        result = header_alg_is_none(token) ? JWT_ALGORITHM_REFUSED : JWT_MALFORMED;
        goto done;
    }
    result = check_signature(v, jwt);
    if (result != JWT_OK)
        goto done;
    json_t *claims = r_jwt_get_full_claims_json_t(jwt);
    result = claims ? check_claims(v, claims, now, out) : JWT_MALFORMED;
    json_decref(claims);
done:
    r_jwt_free(jwt);
    return result;
}

char *jwt_sign_hs256(const char *secret, json_t *claims)
{
    jwt_t *jwt = NULL;
    jwk_t *jwk = NULL;
    char *out = NULL;
    if (r_jwt_init(&jwt) == RHN_OK && r_jwk_init(&jwk) == RHN_OK &&
        r_jwk_import_from_symmetric_key(jwk, (const unsigned char *)secret, strlen(secret)) ==
            RHN_OK &&
        r_jwt_set_full_claims_json_t(jwt, claims) == RHN_OK &&
        r_jwt_set_sign_alg(jwt, R_JWA_ALG_HS256) == RHN_OK &&
        r_jwt_set_header_str_value(jwt, "typ", "JWT") == RHN_OK) {
        char *token = r_jwt_serialize_signed(jwt, jwk, 0);
        if (token) {
            out = xstrdup(token);
            r_free(token);
        }
    }
    r_jwk_free(jwk);
    r_jwt_free(jwt);
    return out;
}

json_t *jwt_claims_for(const caller *c, const char *issuer, const char *audience, time_t now,
                       long ttl_s)
{
    json_t *roles = json_array();
    for (unsigned bit = 1; bit <= ROLE_HIGHEST; bit <<= 1)
        if (c->roles & bit)
            json_array_append_new(roles, json_string(role_name(bit)));
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:I, s:I, s:I}", "iss", issuer, "aud",
                     audience, "sub", c->sub, "name", c->name, "agency", c->agency, "roles",
                     roles, "iat", (json_int_t)now, "nbf", (json_int_t)now, "exp",
                     (json_int_t)(now + ttl_s));
}
