/* keys: each issuer's signing keys, kept current while the service runs
 * (IDP-1).
 *
 * A keyset is an immutable, reference-counted set of public keys, each bound
 * to the algorithms it may verify. Readers take a reference and release it;
 * a refresh installs a new set and never changes one in use.
 *
 * A key store holds one issuer's current keyset and knows where it comes
 * from: a JWKS URL, OIDC discovery (its jwks_uri), a JWKS file, or the
 * development HS256 secret. URL sources are fetched with libcurl (https only,
 * unless the configuration allows http to loopback for tests; no redirects;
 * bounded size and time), refreshed in the background every
 * key_refresh_interval_s, and on demand when a token names a key id the set
 * does not hold, but never more often than key_min_fetch_interval_s per
 * issuer, so forged key ids cannot make the service hammer its provider.
 * A failed fetch keeps the last good set. File sources are re-read when the
 * file changes (checked every key_file_check_interval_s) or on SIGHUP.
 *
 * Keys not meant for signing (use "enc", encryption algorithms, key_ops
 * without "verify") and keys for algorithms the issuer does not allow are
 * ignored. A set with a private or symmetric key, a short RSA key or an
 * unreadable key is refused whole. */
#ifndef MAM_KEYS_H
#define MAM_KEYS_H

#include <rhonabwy.h>
#include <stdbool.h>
#include <stddef.h>

#include "auth/idp_config.h"
#include "core/buf.h"

#define KEYS_MAX 64
#define KEYS_MAX_DOCUMENT_BYTES (1024 * 1024)

typedef struct jwt_key {
    jwk_t *jwk;
    unsigned algs; /* enum idp_alg bits this key verifies */
    char kid[129]; /* "" when the key has none */
} jwt_key;

typedef struct keyset {
    int refs; /* atomic */
    int n;
    jwt_key keys[KEYS_MAX];
} keyset;

/* Reads a JWKS document, keeping the keys usable with allowed (idp_alg
 * bits). NULL with err on a refusal; *ignored counts the keys left out. */
keyset *keyset_from_jwks(const char *json, size_t len, unsigned allowed, int *ignored, char *err,
                         size_t err_size);
/* The development HS256 secret as a one-key set. */
keyset *keyset_from_secret(const char *secret, char *err, size_t err_size);
keyset *keyset_retain(keyset *ks);
void keyset_release(keyset *ks);
bool keyset_has_kid(const keyset *ks, const char *kid);

typedef struct key_store key_store;

/* One issuer's store (is and cfg must outlive it). */
key_store *key_store_new(const idp_issuer *is, const idp_config *cfg);
void key_store_free(key_store *s);

/* The first load, at start-up: a file or secret must load (-1 with err
 * otherwise); a URL is tried once within the fetch timeout, and when it
 * fails the store starts empty (1, err says why) and the background
 * refresh keeps trying. 0 when keys are loaded. */
int key_store_load(key_store *s, char *err, size_t err_size);

/* The current set, retained (release it), or NULL when none is loaded. */
keyset *key_store_current(key_store *s);

/* For a token whose key id the current set lacks: waits for a fetch in
 * flight, or fetches now when the issuer's keys were last fetched at least
 * key_min_fetch_interval_s ago, within key_fetch_timeout_ms. Returns the
 * set then current, retained, or NULL. */
keyset *key_store_refresh_for_kid(key_store *s, const char *kid);

/* Background work, called about once a second by one thread: scheduled
 * refreshes, retries after failures, file changes. forced (SIGHUP) re-reads
 * every source now. */
void key_store_tick(key_store *s, bool forced);

/* Prometheus series for this store (fetches, keys held, last success). */
void key_store_render_metrics(key_store *s, buf *out, bool with_help);

/* libcurl's global state: once, before any thread starts, and at exit. */
void keys_global_init(void);
void keys_global_cleanup(void);

#endif
