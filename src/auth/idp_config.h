/* idp_config: the trusted identity providers (issuers), as configuration
 * (IDP-1, IDP-2).
 *
 * Two forms, one result:
 *   - JWT_ISSUERS_FILE names a JSON document listing every trusted issuer
 *     with its key source, audience, algorithms and claim mapping
 *     (docs/operations.md, "Identity providers", has the format and three
 *     examples);
 *   - the single-issuer shorthand JWT_ISSUER + JWT_AUDIENCE with
 *     JWT_HS256_SECRET (development) or JWT_JWKS_FILE: one primary issuer
 *     named "default" with the standard claims (sub, name, agency, roles).
 *
 * idp_config_parse() checks the whole document and reports every problem it
 * finds (not only the first), so an admin fixes them in one round. A parsed
 * config is immutable and owned by whoever parsed it. */
#ifndef MAM_IDP_CONFIG_H
#define MAM_IDP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/config.h"

#define IDP_MAX_ISSUERS 16
#define IDP_NAME_MAX 32
#define IDP_MAX_PATH 8

/* Signature algorithms an issuer may be allowed (bit flags). HS256 exists
 * only for the development shorthand. */
enum idp_alg {
    IDP_ALG_HS256 = 1u << 0,
    IDP_ALG_RS256 = 1u << 1,
    IDP_ALG_RS384 = 1u << 2,
    IDP_ALG_RS512 = 1u << 3,
    IDP_ALG_PS256 = 1u << 4,
    IDP_ALG_PS384 = 1u << 5,
    IDP_ALG_PS512 = 1u << 6,
    IDP_ALG_ES256 = 1u << 7,
    IDP_ALG_ES384 = 1u << 8,
    IDP_ALG_ES512 = 1u << 9,
};
#define IDP_ALGS_RSA (IDP_ALG_RS256 | IDP_ALG_RS384 | IDP_ALG_RS512 | \
                      IDP_ALG_PS256 | IDP_ALG_PS384 | IDP_ALG_PS512)

/* The bit for a JOSE "alg" name, or 0 for one this service cannot verify. */
unsigned idp_alg_from_name(const char *name);
const char *idp_alg_name(unsigned alg);

enum idp_key_source {
    IDP_KEYS_HS256,     /* development secret (shorthand only) */
    IDP_KEYS_FILE,      /* a JWKS file, re-read when it changes or on SIGHUP */
    IDP_KEYS_JWKS_URL,  /* a JWKS document over HTTPS */
    IDP_KEYS_DISCOVERY, /* OIDC discovery: its jwks_uri */
    IDP_KEYS_INLINE,    /* key_location is the JWKS document itself (tests, fuzzing) */
};

enum idp_agency_mode {
    IDP_AGENCY_CLAIM,  /* the claim's value is the agency code */
    IDP_AGENCY_FIXED,  /* one agency for every person of the issuer */
    IDP_AGENCY_MAPPED, /* the claim's value(s), e.g. groups or app roles, through a map */
};

/* A claim, possibly nested: realm_access.roles is {"realm_access", "roles"}. */
typedef struct idp_claim_path {
    char *parts[IDP_MAX_PATH];
    int n;
    char *text; /* as written, dot-joined: for messages and reason codes */
} idp_claim_path;

typedef struct idp_map {
    char **keys;
    char **values;
    int n;
} idp_map;

typedef struct idp_issuer {
    char *name;      /* short name, [a-z0-9-]{1,32}: prefixes subjects, labels logs */
    bool primary;    /* its subjects are stored unprefixed */
    char *issuer;    /* the exact "iss" */
    char **audiences; /* a token's "aud" must contain one of these */
    int n_audiences;
    unsigned algorithms; /* enum idp_alg bits */
    enum idp_key_source key_source;
    char *key_location;  /* URL, file path, or the HS256 secret */
    int leeway_s;

    idp_claim_path subject_claim;
    idp_claim_path name_claim;
    idp_claim_path roles_claim;
    idp_map role_values;      /* issuer's value -> service role name; n == 0: names as they are */
    enum idp_agency_mode agency_mode;
    idp_claim_path agency_claim; /* CLAIM and MAPPED */
    char *agency_fixed;          /* FIXED */
    idp_map agency_map;          /* MAPPED: claim value -> agency code */

    idp_claim_path client_id_claim; /* application tokens: which claim names the client */
    idp_map applications;           /* client id -> agency code (role: integration) */
} idp_issuer;

typedef struct idp_config {
    idp_issuer *issuers;
    int n_issuers;
    int key_refresh_interval_s;   /* background refresh of URL key sources */
    int key_min_fetch_interval_s; /* no two fetches of one issuer's keys closer than this */
    int key_fetch_timeout_ms;     /* one fetch, connection included */
    int key_file_check_interval_s; /* how often key files are checked for changes */
    bool allow_http_loopback;     /* tests: http:// to 127.0.0.0/8, localhost, [::1] */
} idp_config;

/* Every problem found, as lines for stderr. */
#define IDP_MAX_PROBLEMS 64
typedef struct idp_problems {
    char *items[IDP_MAX_PROBLEMS];
    int n;
    int dropped; /* problems beyond IDP_MAX_PROBLEMS */
} idp_problems;

void idp_problems_free(idp_problems *p);

/* Parses a JSON issuers document. default_leeway_s applies to issuers that
 * do not set their own. Returns a config, or NULL with every problem in
 * *problems (which the caller frees either way). */
idp_config *idp_config_parse(const char *json, size_t len, int default_leeway_s,
                             idp_problems *problems);

/* The shorthand: one primary issuer "default" with the standard claims.
 * Exactly one of hs256_secret and jwks_file is given. */
idp_config *idp_config_single(const char *issuer, const char *audience, const char *hs256_secret,
                              const char *jwks_file, int leeway_s);
/* The same with the JWKS document's text instead of a file. */
idp_config *idp_config_single_inline(const char *issuer, const char *audience,
                                     const char *jwks_json, int leeway_s);

void idp_config_free(idp_config *c);

/* The issuers the settings name: JWT_ISSUERS_FILE read and parsed, or the
 * shorthand (config_load has checked that exactly one is given). NULL
 * after writing every problem of the document to err, one per line, in the
 * manner of config_load. */
idp_config *idp_config_from_settings(const config *cfg, FILE *err);

/* Whether a URL may be fetched under this config: https://, or http:// to a
 * loopback host when allow_http_loopback is set. */
bool idp_url_allowed(const char *url, bool allow_http_loopback);

/* The issuer whose "iss" this is, or NULL. */
const idp_issuer *idp_config_find(const idp_config *c, const char *iss);

/* Looks a key up in a map; NULL when absent. */
const char *idp_map_get(const idp_map *m, const char *key);

#endif
