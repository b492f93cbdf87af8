/* jwt: bearer token verification (SEC-1) and development token minting.
 *
 * A verifier holds the accepted keys and expectations (issuer, audience,
 * clock leeway). It accepts only the algorithm its keys are for: HS256 with
 * the development secret, RS256 or ES256 with public keys from a JWKS file.
 * Unsigned tokens and keys carried inside a token are never accepted.
 * A verifier is immutable once built and may be shared by threads. */
#ifndef MAM_JWT_H
#define MAM_JWT_H

#include <jansson.h>
#include <stddef.h>
#include <time.h>

#include "auth/caller.h"

typedef struct jwt_verifier jwt_verifier;

enum jwt_result {
    JWT_OK = 0,
    JWT_MALFORMED,
    JWT_ALGORITHM_REFUSED,
    JWT_BAD_SIGNATURE,
    JWT_EXPIRED,
    JWT_NOT_YET_VALID,
    JWT_WRONG_ISSUER,
    JWT_WRONG_AUDIENCE,
    JWT_BAD_CLAIMS,
};

jwt_verifier *jwt_verifier_hs256(const char *secret, const char *issuer, const char *audience,
                                 int leeway_s, char *err, size_t err_size);
jwt_verifier *jwt_verifier_jwks(const char *jwks_json, const char *issuer, const char *audience,
                                int leeway_s, char *err, size_t err_size);
void jwt_verifier_free(jwt_verifier *v);

enum jwt_result jwt_verify(const jwt_verifier *v, const char *token, time_t now, caller *out);
/* A short reason for a WWW-Authenticate error_description. */
const char *jwt_result_text(enum jwt_result r);

/* Signs claims with HS256; returns a token to free(), or NULL. */
char *jwt_sign_hs256(const char *secret, json_t *claims);

/* Builds the standard claims for a caller, valid from now for ttl_s. */
json_t *jwt_claims_for(const caller *c, const char *issuer, const char *audience, time_t now,
                       long ttl_s);

#endif
