#include "auth/jwt.h"

#include <pthread.h>
#include <rhonabwy.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth/claims.h"
#include "auth/keys.h"
#include "core/text.h"
#include "core/xalloc.h"

#define MAX_TOKEN_BYTES 8192

struct jwt_verifier {
    idp_config *cfg;
    key_store **stores; /* one per issuer, in the config's order */
    pthread_t thread;
    bool started;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stop;
    bool reload;
};

/* ---- building ---- */

jwt_verifier *jwt_verifier_new(idp_config *cfg, char *err, size_t err_size, buf *warnings)
{
    jwt_verifier *v = xcalloc(1, sizeof *v);
    v->cfg = cfg;
    v->stores = xcalloc((size_t)cfg->n_issuers, sizeof *v->stores);
    pthread_mutex_init(&v->lock, NULL);
    pthread_cond_init(&v->wake, NULL);
    buf problems;
    buf_init(&problems);
    for (int i = 0; i < cfg->n_issuers; i++) {
        v->stores[i] = key_store_new(&cfg->issuers[i], cfg);
        char why[256] = "";
        int rc = key_store_load(v->stores[i], why, sizeof why);
        if (rc < 0)
            buf_printf(&problems, "%sissuer %s: %s", problems.len ? "; " : "",
                       cfg->issuers[i].name, why);
        else if (rc > 0 && warnings)
            buf_printf(warnings, "issuer %s: keys not fetched yet (%s); retrying in the "
                                 "background, its tokens are refused meanwhile\n",
                       cfg->issuers[i].name, why);
    }
    if (problems.len) {
        snprintf(err, err_size, "%s", problems.data);
        buf_free(&problems);
        jwt_verifier_free(v);
        return NULL;
    }
    buf_free(&problems);
    return v;
}

jwt_verifier *jwt_verifier_hs256(const char *secret, const char *issuer, const char *audience,
                                 int leeway_s, char *err, size_t err_size)
{
    return jwt_verifier_new(idp_config_single(issuer, audience, secret, NULL, leeway_s), err,
                            err_size, NULL);
}

jwt_verifier *jwt_verifier_jwks(const char *jwks_json, const char *issuer, const char *audience,
                                int leeway_s, char *err, size_t err_size)
{
    return jwt_verifier_new(idp_config_single_inline(issuer, audience, jwks_json, leeway_s), err,
                            err_size, NULL);
}

static void *refresh_loop(void *arg)
{
    jwt_verifier *v = arg;
    pthread_mutex_lock(&v->lock);
    while (!v->stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 1;
        if (!v->reload)
            pthread_cond_timedwait(&v->wake, &v->lock, &until);
        if (v->stop)
            break;
        bool forced = v->reload;
        v->reload = false;
        pthread_mutex_unlock(&v->lock);
        for (int i = 0; i < v->cfg->n_issuers; i++)
            key_store_tick(v->stores[i], forced);
        pthread_mutex_lock(&v->lock);
    }
    pthread_mutex_unlock(&v->lock);
    return NULL;
}

void jwt_verifier_start(jwt_verifier *v)
{
    if (v->started)
        return;
    v->started = pthread_create(&v->thread, NULL, refresh_loop, v) == 0;
}

void jwt_verifier_reload(jwt_verifier *v)
{
    pthread_mutex_lock(&v->lock);
    v->reload = true;
    pthread_cond_signal(&v->wake);
    pthread_mutex_unlock(&v->lock);
}

void jwt_verifier_free(jwt_verifier *v)
{
    if (!v)
        return;
    if (v->started) {
        pthread_mutex_lock(&v->lock);
        v->stop = true;
        pthread_cond_signal(&v->wake);
        pthread_mutex_unlock(&v->lock);
        pthread_join(v->thread, NULL);
    }
    for (int i = 0; v->stores && i < v->cfg->n_issuers; i++)
        key_store_free(v->stores[i]);
    free(v->stores);
    idp_config_free(v->cfg);
    pthread_cond_destroy(&v->wake);
    pthread_mutex_destroy(&v->lock);
    free(v);
}

const idp_config *jwt_verifier_config(const jwt_verifier *v)
{
    return v->cfg;
}

void jwt_verifier_render_metrics(const jwt_verifier *v, buf *out)
{
    for (int i = 0; i < v->cfg->n_issuers; i++)
        key_store_render_metrics(v->stores[i], out, i == 0);
}

/* ---- reasons ---- */

const char *jwt_result_text(enum jwt_result r)
{
    switch (r) {
    case JWT_OK: return "valid";
    case JWT_MALFORMED: return "the token is not a well-formed signed JWT";
    case JWT_ALGORITHM_REFUSED: return "the token is signed with an algorithm this service does not accept";
    case JWT_BAD_SIGNATURE: return "the token signature does not verify";
    case JWT_EXPIRED: return "the token has expired";
    case JWT_NOT_YET_VALID: return "the token is not valid yet";
    case JWT_WRONG_ISSUER: return "the token was issued by an issuer this service does not trust";
    case JWT_WRONG_AUDIENCE: return "the token is meant for another audience";
    case JWT_BAD_CLAIMS: return "the token lacks claims this service needs, or has claims of the wrong form";
    case JWT_UNKNOWN_KEY: return "the token is signed with a key its issuer does not publish";
    case JWT_CRITICAL_HEADER: return "the token requires a header extension (crit) this service does not understand";
    case JWT_BAD_SUBJECT: return "the token's subject cannot identify a person here";
    }
    return "invalid token";
}

const char *jwt_result_class(enum jwt_result r, const char *reason)
{
    switch (r) {
    case JWT_OK: return "ok";
    case JWT_MALFORMED: return "malformed";
    case JWT_ALGORITHM_REFUSED: return "algorithm";
    case JWT_BAD_SIGNATURE: return "bad_signature";
    case JWT_EXPIRED: return "expired";
    case JWT_NOT_YET_VALID: return "not_yet_valid";
    case JWT_WRONG_ISSUER: return "unknown_issuer";
    case JWT_WRONG_AUDIENCE: return "audience";
    case JWT_BAD_CLAIMS:
        return reason && strncmp(reason, "invalid_claim", 13) == 0 ? "invalid_claim"
                                                                   : "missing_claim";
    case JWT_UNKNOWN_KEY: return "unknown_key";
    case JWT_CRITICAL_HEADER: return "crit";
    case JWT_BAD_SUBJECT: return "subject";
    }
    return "malformed";
}

static enum jwt_result refuse(jwt_refusal *why, enum jwt_result r, const char *claim_prefix,
                              const char *claim)
{
    why->result = r;
    if (claim_prefix)
        snprintf(why->reason, sizeof why->reason, "%s:%.64s", claim_prefix, claim);
    else
        snprintf(why->reason, sizeof why->reason, "%s", jwt_result_class(r, NULL));
    return r;
}

/* ---- checking ---- */

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

/* A base64url segment [start, start + n) decoded and parsed as a JSON
 * object without duplicate members; NULL otherwise. */
static json_t *segment_json(const char *start, size_t n)
{
    if (n == 0 || n > MAX_TOKEN_BYTES)
        return NULL;
    char *text = xstrndup(start, n);
    unsigned char *raw = xmalloc(n);
    long len = text_base64url_decode(text, raw, n);
    json_t *j = len > 0 ? json_loadb((const char *)raw, (size_t)len, JSON_REJECT_DUPLICATES, NULL)
                        : NULL;
    free(text);
    free(raw);
    if (j && !json_is_object(j)) {
        json_decref(j);
        j = NULL;
    }
    return j;
}

/* Whether the first segment, however malformed the rest, declares alg
 * "none": an unsigned token is refused for its algorithm. */
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

static bool audience_matches(json_t *aud, const idp_issuer *is)
{
    for (int k = 0; k < is->n_audiences; k++) {
        const char *expected = is->audiences[k];
        if (json_is_string(aud) && strcmp(json_string_value(aud), expected) == 0)
            return true;
        if (json_is_array(aud)) {
            size_t i;
            json_t *a;
            json_array_foreach(aud, i, a) {
                if (json_is_string(a) && strcmp(json_string_value(a), expected) == 0)
                    return true;
            }
        }
    }
    return false;
}

/* Whether the set has a key this token could be checked with. */
static bool has_candidate(const keyset *ks, const char *kid, unsigned alg)
{
    for (int i = 0; ks && i < ks->n; i++) {
        const jwt_key *k = &ks->keys[i];
        if ((k->algs & alg) && (!kid || !k->kid[0] || strcmp(k->kid, kid) == 0))
            return true;
    }
    return false;
}

static enum jwt_result check_signature(const keyset *ks, jwt_t *jwt, const char *kid,
                                       unsigned alg, jwt_refusal *why)
{
    bool tried = false;
    for (int i = 0; ks && i < ks->n; i++) {
        const jwt_key *k = &ks->keys[i];
        if (!(k->algs & alg) || (kid && k->kid[0] && strcmp(kid, k->kid) != 0))
            continue;
        tried = true;
        /* rhonabwy may attach the key to the token; give it its own copy so
         * the shared set is never written to. */
        jwk_t *copy = r_jwk_copy(k->jwk);
        int rc = r_jwt_verify_signature(jwt, copy, 0);
        r_jwk_free(copy);
        if (rc == RHN_OK)
            return JWT_OK;
    }
    if (!tried) {
        /* no key of the issuer's is for this algorithm at all, or none has
         * this key id */
        bool alg_known = false;
        for (int i = 0; ks && i < ks->n; i++)
            alg_known |= (ks->keys[i].algs & alg) != 0;
        return refuse(why, alg_known || !ks || ks->n == 0 ? JWT_UNKNOWN_KEY
                                                          : JWT_ALGORITHM_REFUSED,
                      NULL, NULL);
    }
    return refuse(why, JWT_BAD_SIGNATURE, NULL, NULL);
}

static enum jwt_result check_time(const idp_issuer *is, json_t *payload, time_t now,
                                  long long *expires_at, jwt_refusal *why)
{
    json_t *exp = json_object_get(payload, "exp");
    json_t *nbf = json_object_get(payload, "nbf");
    if (!exp)
        return refuse(why, JWT_BAD_CLAIMS, "missing_claim", "exp");
    if (!json_is_number(exp))
        return refuse(why, JWT_BAD_CLAIMS, "invalid_claim", "exp");
    if ((double)now > json_number_value(exp) + is->leeway_s)
        return refuse(why, JWT_EXPIRED, NULL, NULL);
    /* clamped: a far-future exp must not overflow the conversion */
    double exp_s = json_number_value(exp) + is->leeway_s;
    *expires_at = exp_s > 4e18 ? (long long)4e18 : (long long)exp_s;
    if (nbf && !json_is_number(nbf))
        return refuse(why, JWT_BAD_CLAIMS, "invalid_claim", "nbf");
    if (nbf && (double)now + is->leeway_s < json_number_value(nbf))
        return refuse(why, JWT_NOT_YET_VALID, NULL, NULL);
    return JWT_OK;
}

static enum jwt_result check_claims(const idp_issuer *is, json_t *payload, time_t now,
                                    caller *out, jwt_refusal *why)
{
    long long expires_at = 0;
    enum jwt_result r = check_time(is, payload, now, &expires_at, why);
    if (r != JWT_OK)
        return r;
    if (!audience_matches(json_object_get(payload, "aud"), is))
        return refuse(why, JWT_WRONG_AUDIENCE, NULL, NULL);
    char claim[64];
    out->expires_at = expires_at;
    switch (claims_map(is, payload, out, claim, sizeof claim)) {
    case CLAIMS_OK: return JWT_OK;
    case CLAIMS_MISSING: return refuse(why, JWT_BAD_CLAIMS, "missing_claim", claim);
    case CLAIMS_INVALID: return refuse(why, JWT_BAD_CLAIMS, "invalid_claim", claim);
    case CLAIMS_SUBJECT: return refuse(why, JWT_BAD_SUBJECT, NULL, NULL);
    }
    return refuse(why, JWT_BAD_CLAIMS, "invalid_claim", claim);
}

enum jwt_result jwt_verify_why(const jwt_verifier *v, const char *token, time_t now, caller *out,
                               jwt_refusal *why)
{
    memset(why, 0, sizeof *why);
    size_t n = token ? strnlen(token, MAX_TOKEN_BYTES + 1) : 0;
    if (n == 0 || n > MAX_TOKEN_BYTES)
        return refuse(why, JWT_MALFORMED, NULL, NULL);
    if (!token_shape_ok(token, n))
        return refuse(why, header_alg_is_none(token) ? JWT_ALGORITHM_REFUSED : JWT_MALFORMED,
                      NULL, NULL);
    const char *dot1 = strchr(token, '.');
    const char *dot2 = strchr(dot1 + 1, '.');
    json_t *header = segment_json(token, (size_t)(dot1 - token));
    json_t *payload = NULL;
    keyset *ks = NULL;
    jwt_t *jwt = NULL;
    enum jwt_result result;
    if (!header) {
        result = refuse(why, JWT_MALFORMED, NULL, NULL);
        goto done;
    }
    json_t *alg_name = json_object_get(header, "alg");
    json_t *kid_json = json_object_get(header, "kid");
    if (!json_is_string(alg_name)) {
        result = refuse(why, JWT_MALFORMED, NULL, NULL);
        goto done;
    }
    if (strcasecmp(json_string_value(alg_name), "none") == 0) {
        result = refuse(why, JWT_ALGORITHM_REFUSED, NULL, NULL);
        goto done;
    }
    /* RFC 7515 4.1.11: extensions a recipient does not understand make the
     * JWS invalid; this service understands none */
    if (json_object_get(header, "crit")) {
        result = refuse(why, JWT_CRITICAL_HEADER, NULL, NULL);
        goto done;
    }
    if (kid_json && (!json_is_string(kid_json) || json_string_length(kid_json) > 128)) {
        result = refuse(why, JWT_MALFORMED, NULL, NULL);
        goto done;
    }
    const char *kid = kid_json ? json_string_value(kid_json) : NULL;
    payload = segment_json(dot1 + 1, (size_t)(dot2 - dot1 - 1));
    if (!payload) {
        result = refuse(why, JWT_MALFORMED, NULL, NULL);
        goto done;
    }
    json_t *iss = json_object_get(payload, "iss");
    const idp_issuer *is = json_is_string(iss) ? idp_config_find(v->cfg, json_string_value(iss))
                                               : NULL;
    if (!is) {
        result = refuse(why, JWT_WRONG_ISSUER, NULL, NULL);
        goto done;
    }
    why->issuer = is->name;
    unsigned alg = idp_alg_from_name(json_string_value(alg_name));
    if (!(alg & is->algorithms)) {
        result = refuse(why, JWT_ALGORITHM_REFUSED, NULL, NULL);
        goto done;
    }
    key_store *store = v->stores[is - v->cfg->issuers];
    ks = key_store_current(store);
    if (kid && !has_candidate(ks, kid, alg)) {
        /* a key id this set lacks: the issuer may have rotated its keys */
        keyset_release(ks);
        ks = key_store_refresh_for_kid(store, kid);
    }
    /* R_PARSE_NONE: no unsigned tokens, no keys from jwk/jku/x5c/x5u headers */
    if (r_jwt_init(&jwt) != RHN_OK || r_jwt_advanced_parsen(jwt, token, n, R_PARSE_NONE, 0) != RHN_OK ||
        r_jwt_get_type(jwt) != R_JWT_TYPE_SIGN) {
        result = refuse(why, JWT_MALFORMED, NULL, NULL);
        goto done;
    }
    result = check_signature(ks, jwt, kid, alg, why);
    if (result == JWT_OK)
        result = check_claims(is, payload, now, out, why);
done:
    r_jwt_free(jwt);
    keyset_release(ks);
    json_decref(header);
    json_decref(payload);
    if (result == JWT_OK)
        why->result = JWT_OK;
    return result;
}

enum jwt_result jwt_verify(const jwt_verifier *v, const char *token, time_t now, caller *out)
{
    jwt_refusal why;
    return jwt_verify_why(v, token, now, out, &why);
}

/* ---- development tokens ---- */

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
