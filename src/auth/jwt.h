/* jwt: bearer token verification (SEC-1, IDP-1, IDP-2) and development
 * token minting.
 *
 * A verifier trusts the issuers of an idp_config, each with its own key
 * store (auth/keys.h), audience, algorithms, leeway and claim mapping
 * (auth/claims.h). A token is checked in this order, and refused at the
 * first failure with a reason code (jwt_refusal):
 *   1. at most 8 KiB of three base64url segments (nothing else reaches
 *      rhonabwy: Debian 12's corrupts its heap on some malformed input);
 *   2. header and payload are JSON objects without duplicated members
 *      (parsed with JSON_REJECT_DUPLICATES before rhonabwy sees them);
 *      alg "none" is refused, and so is any "crit" header (RFC 7515 4.1.11:
 *      this service understands no extension);
 *   3. "iss" names a configured issuer, whose allowed algorithms include
 *      the header's alg;
 *   4. the key: by "kid" when the token has one (an unknown kid triggers one
 *      rate-limited refresh of the issuer's keys), else every key for the
 *      algorithm; keys inside the token (jwk, jku, x5c, x5u) are never used
 *      or fetched;
 *   5. the signature; then exp (required), nbf, aud;
 *   6. the issuer's claim mapping.
 * A verifier may be shared by threads; its key stores refresh themselves
 * once jwt_verifier_start() has started their thread. */
#ifndef MAM_JWT_H
#define MAM_JWT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "auth/caller.h"
#include "auth/idp_config.h"
#include "core/buf.h"

typedef struct jwt_verifier jwt_verifier;

enum jwt_result {
    JWT_OK = 0,
    JWT_MALFORMED,         /* reason "malformed" */
    JWT_ALGORITHM_REFUSED, /* "algorithm" */
    JWT_BAD_SIGNATURE,     /* "bad_signature" */
    JWT_EXPIRED,           /* "expired" */
    JWT_NOT_YET_VALID,     /* "not_yet_valid" */
    JWT_WRONG_ISSUER,      /* "unknown_issuer" */
    JWT_WRONG_AUDIENCE,    /* "audience" */
    JWT_BAD_CLAIMS,        /* "missing_claim:<name>" or "invalid_claim:<name>" */
    JWT_UNKNOWN_KEY,       /* "unknown_key" */
    JWT_CRITICAL_HEADER,   /* "crit" */
    JWT_BAD_SUBJECT,       /* "subject" */
};
#define JWT_RESULT_LAST JWT_BAD_SUBJECT

/* Why a token was refused: a reason code for logs and metrics (never a
 * token or claim value; claim names come from the configuration) and the
 * configured name of the issuer it claimed, when known. */
typedef struct jwt_refusal {
    enum jwt_result result;
    char reason[96];
    const char *issuer; /* the issuer's short name, or NULL */
} jwt_refusal;

/* A verifier for a whole configuration, which it takes over (freed with
 * the verifier). Loads every issuer's keys once: NULL with err when a file
 * or secret cannot be used; a URL that cannot be fetched yet is retried in
 * the background (its tokens are refused as unknown_key meanwhile) and
 * reported in *warnings (may be NULL) as one line per issuer. */
jwt_verifier *jwt_verifier_new(idp_config *cfg, char *err, size_t err_size, buf *warnings);

/* The single-issuer shorthand (idp_config_single). jwks_json is the
 * document's text; the verifier keeps the keys it held at this call. */
jwt_verifier *jwt_verifier_hs256(const char *secret, const char *issuer, const char *audience,
                                 int leeway_s, char *err, size_t err_size);
jwt_verifier *jwt_verifier_jwks(const char *jwks_json, const char *issuer, const char *audience,
                                int leeway_s, char *err, size_t err_size);

/* Starts the background refresh of URL keys and watching of key files. */
void jwt_verifier_start(jwt_verifier *v);
/* SIGHUP: re-read every key file and fetch every URL now. */
void jwt_verifier_reload(jwt_verifier *v);
/* Stops the refresh thread (when started) and frees everything. */
void jwt_verifier_free(jwt_verifier *v);

const idp_config *jwt_verifier_config(const jwt_verifier *v);

enum jwt_result jwt_verify(const jwt_verifier *v, const char *token, time_t now, caller *out);
/* The same, saying why a token was refused (why may not be NULL). */
enum jwt_result jwt_verify_why(const jwt_verifier *v, const char *token, time_t now, caller *out,
                               jwt_refusal *why);

/* A short reason for a WWW-Authenticate error_description and the 401's
 * detail; names no value from the token. */
const char *jwt_result_text(enum jwt_result r);
/* The reason class a client is told ("expired", "missing_claim", ...). */
const char *jwt_result_class(enum jwt_result r, const char *reason);

/* Prometheus series of the key stores (one block per issuer). */
void jwt_verifier_render_metrics(const jwt_verifier *v, buf *out);

/* Signs claims with HS256; returns a token to free(), or NULL. */
char *jwt_sign_hs256(const char *secret, json_t *claims);

/* Builds the standard claims for a caller, valid from now for ttl_s. */
json_t *jwt_claims_for(const caller *c, const char *issuer, const char *audience, time_t now,
                       long ttl_s);

#endif
