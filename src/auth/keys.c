#include "auth/keys.h"

#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <yder.h>

#include "core/version.h"
#include "core/xalloc.h"

/* ---- keysets ---- */

static keyset *keyset_new(void)
{
    keyset *ks = xcalloc(1, sizeof *ks);
    ks->refs = 1;
    return ks;
}

keyset *keyset_retain(keyset *ks)
{
    if (ks)
        __atomic_add_fetch(&ks->refs, 1, __ATOMIC_ACQ_REL);
    return ks;
}

void keyset_release(keyset *ks)
{
    if (!ks || __atomic_sub_fetch(&ks->refs, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    for (int i = 0; i < ks->n; i++)
        r_jwk_free(ks->keys[i].jwk);
    free(ks);
}

bool keyset_has_kid(const keyset *ks, const char *kid)
{
    for (int i = 0; ks && kid && i < ks->n; i++)
        if (strcmp(ks->keys[i].kid, kid) == 0)
            return true;
    return false;
}

keyset *keyset_from_secret(const char *secret, char *err, size_t err_size)
{
    keyset *ks = keyset_new();
    jwt_key *k = &ks->keys[0];
    if (r_jwk_init(&k->jwk) != RHN_OK ||
        r_jwk_import_from_symmetric_key(k->jwk, (const unsigned char *)secret, strlen(secret)) !=
            RHN_OK) {
        snprintf(err, err_size, "cannot load the HS256 secret");
        r_jwk_free(k->jwk);
        k->jwk = NULL;
        keyset_release(ks);
        return NULL;
    }
    k->algs = IDP_ALG_HS256;
    ks->n = 1;
    return ks;
}

/* Whether a JOSE alg names key management or content encryption: such a
 * key is not for verifying signatures (RFC 7518 section 4). */
static bool alg_is_encryption(const char *alg)
{
    static const char *const prefixes[] = {"RSA-OAEP", "RSA1_5", "ECDH-ES", "A128", "A192",
                                           "A256",     "dir",    "PBES2",   NULL};
    for (int i = 0; prefixes[i]; i++)
        if (strncmp(alg, prefixes[i], strlen(prefixes[i])) == 0)
            return true;
    return false;
}

/* Whether the key's use or key_ops say it is for something else. */
static bool not_for_signing(json_t *key)
{
    json_t *use = json_object_get(key, "use");
    if (use && !(json_is_string(use) && strcmp(json_string_value(use), "sig") == 0))
        return true;
    json_t *ops = json_object_get(key, "key_ops");
    if (ops) {
        bool verify = false;
        size_t i;
        json_t *op;
        json_array_foreach(ops, i, op) verify |=
            json_is_string(op) && strcmp(json_string_value(op), "verify") == 0;
        if (!verify)
            return true;
    }
    json_t *alg = json_object_get(key, "alg");
    return json_is_string(alg) && alg_is_encryption(json_string_value(alg));
}

/* The algorithms a public key can verify, before the issuer's allow-list. */
static unsigned algs_for_key(jwk_t *jwk, char *why, size_t why_size)
{
    unsigned int bits = 0;
    int type = r_jwk_key_type(jwk, &bits, 0);
    if (type & (R_KEY_TYPE_PRIVATE | R_KEY_TYPE_SYMMETRIC)) {
        snprintf(why, why_size, "is a private or symmetric key; a JWKS for verifying holds "
                                "public keys only");
        return 0;
    }
    if (type & R_KEY_TYPE_RSA) {
        if (bits < 2048) {
            snprintf(why, why_size, "is an RSA key of %u bits; 2048 or more are required", bits);
            return 0;
        }
        return IDP_ALGS_RSA;
    }
    if (type & R_KEY_TYPE_EC)
        return bits == 256 ? IDP_ALG_ES256 : bits == 384 ? IDP_ALG_ES384
                           : bits == 521 ? IDP_ALG_ES512 : 0u;
    return 0; /* EdDSA and others: not verified here */
}

keyset *keyset_from_jwks(const char *json, size_t len, unsigned allowed, int *ignored, char *err,
                         size_t err_size)
{
    *ignored = 0;
    json_error_t jerr;
    json_t *doc = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    json_t *list = json_is_object(doc) ? json_object_get(doc, "keys") : NULL;
    if (!json_is_array(list) || json_array_size(list) == 0) {
        snprintf(err, err_size, "a JWKS must be a JSON object with a non-empty \"keys\" array");
        json_decref(doc);
        return NULL;
    }
    keyset *ks = keyset_new();
    size_t i;
    json_t *item;
    json_array_foreach(list, i, item) {
        if (!json_is_object(item)) {
            snprintf(err, err_size, "key %zu is not a JSON object", i);
            goto fail;
        }
        json_t *kty = json_object_get(item, "kty");
        if (json_is_string(kty) && strcmp(json_string_value(kty), "oct") == 0) {
            snprintf(err, err_size, "key %zu is a symmetric key; a JWKS for verifying holds "
                                    "public keys only", i);
            goto fail;
        }
        if (not_for_signing(item)) {
            (*ignored)++;
            continue;
        }
        if (ks->n == KEYS_MAX) {
            snprintf(err, err_size, "the JWKS holds more than %d signing keys", KEYS_MAX);
            goto fail;
        }
        jwt_key *k = &ks->keys[ks->n];
        if (r_jwk_init(&k->jwk) != RHN_OK || r_jwk_import_from_json_t(k->jwk, item) != RHN_OK) {
            snprintf(err, err_size, "key %zu cannot be read", i);
            r_jwk_free(k->jwk);
            k->jwk = NULL;
            goto fail;
        }
        char why[160] = "";
        unsigned algs = algs_for_key(k->jwk, why, sizeof why);
        if (why[0]) {
            snprintf(err, err_size, "key %zu %s", i, why);
            r_jwk_free(k->jwk);
            k->jwk = NULL;
            goto fail;
        }
        json_t *declared = json_object_get(item, "alg");
        if (json_is_string(declared))
            algs &= idp_alg_from_name(json_string_value(declared));
        json_t *kid = json_object_get(item, "kid");
        if (!(algs & allowed) || (kid && (!json_is_string(kid) ||
                                          json_string_length(kid) >= sizeof k->kid))) {
            /* for an algorithm this issuer does not allow, or unnameable */
            r_jwk_free(k->jwk);
            k->jwk = NULL;
            (*ignored)++;
            continue;
        }
        k->algs = algs & allowed;
        snprintf(k->kid, sizeof k->kid, "%s", kid ? json_string_value(kid) : "");
        ks->n++;
    }
    if (ks->n == 0) {
        snprintf(err, err_size, "no key in the JWKS is for signing with an allowed algorithm "
                                "(%d ignored)", *ignored);
        goto fail;
    }
    json_decref(doc);
    return ks;
fail:
    json_decref(doc);
    keyset_release(ks);
    return NULL;
}

/* ---- fetching ---- */

typedef struct download {
    buf body;
    bool too_large;
} download;

static size_t on_data(char *data, size_t size, size_t n, void *arg)
{
    download *d = arg;
    size_t bytes = size * n;
    if (d->body.len + bytes > KEYS_MAX_DOCUMENT_BYTES) {
        d->too_large = true;
        return 0;
    }
    buf_append(&d->body, data, bytes);
    return bytes;
}

/* GET url: the body (free()) of a 200 answer, or NULL with err. */
static char *http_get(const char *url, int timeout_ms, bool allow_http, size_t *len, char *err,
                      size_t err_size)
{
    CURL *curl = curl_easy_init();
    if (!curl) {
        snprintf(err, err_size, "cannot start libcurl");
        return NULL;
    }
    download d = {.too_large = false};
    buf_init(&d.body);
    char agent[64];
    snprintf(agent, sizeof agent, "mam/%s", mam_version);
    struct curl_slist *headers = curl_slist_append(NULL, "Accept: application/json");
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, allow_http ? "http,https" : "https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, (long)timeout_ms);
    curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)KEYS_MAX_DOCUMENT_BYTES);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &d);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, agent);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
    CURLcode rc = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    if (rc != CURLE_OK || status != 200) {
        if (d.too_large || rc == CURLE_FILESIZE_EXCEEDED)
            snprintf(err, err_size, "the document is larger than %d bytes",
                     KEYS_MAX_DOCUMENT_BYTES);
        else if (rc != CURLE_OK)
            snprintf(err, err_size, "%s", curl_easy_strerror(rc));
        else
            snprintf(err, err_size, "HTTP status %ld", status);
        buf_free(&d.body);
        return NULL;
    }
    *len = d.body.len;
    return buf_steal(&d.body);
}

static char *read_whole_file(const char *path, size_t *len, char *err, size_t err_size)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, err_size, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    buf b;
    buf_init(&b);
    char chunk[8192];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0 && b.len <= KEYS_MAX_DOCUMENT_BYTES)
        buf_append(&b, chunk, got);
    fclose(f);
    if (b.len > KEYS_MAX_DOCUMENT_BYTES) {
        snprintf(err, err_size, "%s is larger than %d bytes", path, KEYS_MAX_DOCUMENT_BYTES);
        buf_free(&b);
        return NULL;
    }
    *len = b.len;
    return buf_steal(&b);
}

/* ---- stores ---- */

struct key_store {
    const idp_issuer *is;
    const idp_config *cfg;
    pthread_mutex_t lock;
    pthread_cond_t fetched;
    keyset *current;
    char *jwks_uri;           /* discovery: learnt from the document */
    bool fetching;
    bool ever_attempted;
    bool last_failed;
    struct timespec last_attempt; /* monotonic */
    struct timespec last_ok;      /* monotonic */
    double last_ok_wall;          /* seconds since the epoch, for the metric */
    struct timespec last_file_check;
    struct stat file_seen;
    /* counters, for /metrics */
    unsigned long fetch_ok, fetch_failed, limited;
};

static double seconds_since(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

static bool is_url_source(const key_store *s)
{
    return s->is->key_source == IDP_KEYS_JWKS_URL || s->is->key_source == IDP_KEYS_DISCOVERY;
}

key_store *key_store_new(const idp_issuer *is, const idp_config *cfg)
{
    key_store *s = xcalloc(1, sizeof *s);
    s->is = is;
    s->cfg = cfg;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->fetched, NULL);
    return s;
}

void key_store_free(key_store *s)
{
    if (!s)
        return;
    keyset_release(s->current);
    free(s->jwks_uri);
    pthread_cond_destroy(&s->fetched);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

/* Installs a new set (taking its reference), under the lock. */
static void install(key_store *s, keyset *ks)
{
    keyset *old = s->current;
    s->current = ks;
    clock_gettime(CLOCK_MONOTONIC, &s->last_ok);
    struct timespec wall;
    clock_gettime(CLOCK_REALTIME, &wall);
    s->last_ok_wall = (double)wall.tv_sec + (double)wall.tv_nsec / 1e9;
    keyset_release(old);
}

/* The discovery document's jwks_uri (free()), checked: the document must be
 * for this issuer (OpenID Connect Discovery 1.0, section 4.3). */
static char *discover(key_store *s, char *err, size_t err_size)
{
    size_t len = 0;
    char *text = http_get(s->is->key_location, s->cfg->key_fetch_timeout_ms,
                          s->cfg->allow_http_loopback, &len, err, err_size);
    if (!text)
        return NULL;
    json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
    free(text);
    json_t *iss = json_object_get(doc, "issuer"), *uri = json_object_get(doc, "jwks_uri");
    char *out = NULL;
    if (!json_is_string(iss) || strcmp(json_string_value(iss), s->is->issuer) != 0)
        snprintf(err, err_size, "the discovery document is for another issuer");
    else if (!json_is_string(uri) ||
             !idp_url_allowed(json_string_value(uri), s->cfg->allow_http_loopback))
        snprintf(err, err_size, "the discovery document's jwks_uri is missing or not https");
    else
        out = xstrdup(json_string_value(uri));
    json_decref(doc);
    return out;
}

/* Reads the source once, outside the lock; the new set or NULL with err. */
static keyset *load_source(key_store *s, bool rediscover, char *err, size_t err_size)
{
    const idp_issuer *is = s->is;
    if (is->key_source == IDP_KEYS_HS256)
        return keyset_from_secret(is->key_location, err, err_size);
    char *text = NULL;
    size_t len = 0;
    if (is->key_source == IDP_KEYS_INLINE) {
        text = xstrdup(is->key_location);
        len = strlen(text);
    } else if (is->key_source == IDP_KEYS_FILE) {
        text = read_whole_file(is->key_location, &len, err, err_size);
    } else {
        char *uri = NULL;
        if (is->key_source == IDP_KEYS_DISCOVERY) {
            pthread_mutex_lock(&s->lock);
            uri = s->jwks_uri && !rediscover ? xstrdup(s->jwks_uri) : NULL;
            pthread_mutex_unlock(&s->lock);
            if (!uri) {
                uri = discover(s, err, err_size);
                if (!uri) {
                    /* the discovery document is unavailable: the keys may
                     * still be, at the address it gave last time */
                    pthread_mutex_lock(&s->lock);
                    uri = s->jwks_uri ? xstrdup(s->jwks_uri) : NULL;
                    pthread_mutex_unlock(&s->lock);
                    if (!uri)
                        return NULL;
                    y_log_message(Y_LOG_LEVEL_WARNING, "keys: issuer %s: discovery failed (%s); "
                                  "fetching the keys from the last jwks_uri", is->name, err);
                }
                pthread_mutex_lock(&s->lock);
                if (!s->jwks_uri || strcmp(s->jwks_uri, uri) != 0) {
                    free(s->jwks_uri);
                    s->jwks_uri = xstrdup(uri);
                }
                pthread_mutex_unlock(&s->lock);
            }
        } else {
            uri = xstrdup(is->key_location);
        }
        text = http_get(uri, s->cfg->key_fetch_timeout_ms, s->cfg->allow_http_loopback, &len,
                        err, err_size);
        free(uri);
    }
    if (!text)
        return NULL;
    int ignored = 0;
    keyset *ks = keyset_from_jwks(text, len, is->algorithms, &ignored, err, err_size);
    free(text);
    if (ks)
        y_log_message(Y_LOG_LEVEL_DEBUG, "keys: issuer %s: %d signing key(s) loaded, %d ignored",
                      is->name, ks->n, ignored);
    return ks;
}

/* One fetch by the caller that set s->fetching; installs on success. */
static bool fetch_now(key_store *s, bool rediscover)
{
    char err[256] = "";
    keyset *ks = load_source(s, rediscover, err, sizeof err);
    pthread_mutex_lock(&s->lock);
    s->fetching = false;
    if (ks) {
        install(s, ks);
        s->fetch_ok++;
        if (s->last_failed)
            y_log_message(Y_LOG_LEVEL_INFO, "keys: issuer %s: keys fetched again", s->is->name);
        s->last_failed = false;
    } else {
        s->fetch_failed++;
        s->last_failed = true;
    }
    pthread_cond_broadcast(&s->fetched);
    pthread_mutex_unlock(&s->lock);
    if (!ks)
        y_log_message(Y_LOG_LEVEL_WARNING,
                      "keys: issuer %s: cannot refresh its keys (%s); keeping the last good set",
                      s->is->name, err);
    return ks != NULL;
}

static void remember_file(key_store *s)
{
    struct stat st;
    if (stat(s->is->key_location, &st) == 0)
        s->file_seen = st;
    clock_gettime(CLOCK_MONOTONIC, &s->last_file_check);
}

int key_store_load(key_store *s, char *err, size_t err_size)
{
    if (s->is->key_source == IDP_KEYS_FILE)
        remember_file(s);
    pthread_mutex_lock(&s->lock);
    s->ever_attempted = true;
    clock_gettime(CLOCK_MONOTONIC, &s->last_attempt);
    pthread_mutex_unlock(&s->lock);
    keyset *ks = load_source(s, true, err, err_size);
    pthread_mutex_lock(&s->lock);
    if (ks) {
        install(s, ks);
        if (is_url_source(s))
            s->fetch_ok++;
    } else if (is_url_source(s)) {
        s->fetch_failed++;
        s->last_failed = true;
    }
    pthread_mutex_unlock(&s->lock);
    if (ks)
        return 0;
    return is_url_source(s) ? 1 : -1;
}

keyset *key_store_current(key_store *s)
{
    pthread_mutex_lock(&s->lock);
    keyset *ks = keyset_retain(s->current);
    pthread_mutex_unlock(&s->lock);
    return ks;
}

keyset *key_store_refresh_for_kid(key_store *s, const char *kid)
{
    if (!is_url_source(s))
        return key_store_current(s);
    pthread_mutex_lock(&s->lock);
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    long ms = s->cfg->key_fetch_timeout_ms;
    deadline.tv_sec += ms / 1000;
    deadline.tv_nsec += (ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    /* a fetch in flight (another request's, or the background's): wait for it */
    while (s->fetching) {
        if (pthread_cond_timedwait(&s->fetched, &s->lock, &deadline) == ETIMEDOUT)
            break;
    }
    if (!s->fetching && !keyset_has_kid(s->current, kid)) {
        if (s->ever_attempted &&
            seconds_since(&s->last_attempt) < (double)s->cfg->key_min_fetch_interval_s) {
            s->limited++;
        } else {
            s->fetching = true;
            s->ever_attempted = true;
            clock_gettime(CLOCK_MONOTONIC, &s->last_attempt);
            pthread_mutex_unlock(&s->lock);
            fetch_now(s, false);
            pthread_mutex_lock(&s->lock);
        }
    }
    keyset *ks = keyset_retain(s->current);
    pthread_mutex_unlock(&s->lock);
    return ks;
}

static void tick_file(key_store *s, bool forced)
{
    if (!forced && seconds_since(&s->last_file_check) < (double)s->cfg->key_file_check_interval_s)
        return;
    struct stat before = s->file_seen, st;
    clock_gettime(CLOCK_MONOTONIC, &s->last_file_check);
    if (stat(s->is->key_location, &st) != 0) {
        if (forced)
            y_log_message(Y_LOG_LEVEL_WARNING, "keys: issuer %s: key file unreadable (%s); "
                          "keeping the last good set", s->is->name, strerror(errno));
        return;
    }
    bool changed = st.st_ino != before.st_ino || st.st_size != before.st_size ||
                   st.st_mtim.tv_sec != before.st_mtim.tv_sec ||
                   st.st_mtim.tv_nsec != before.st_mtim.tv_nsec;
    if (!changed && !forced)
        return;
    s->file_seen = st;
    char err[256] = "";
    keyset *ks = load_source(s, false, err, sizeof err);
    if (!ks) {
        y_log_message(Y_LOG_LEVEL_ERROR, "keys: issuer %s: the key file cannot be used (%s); "
                      "keeping the last good set", s->is->name, err);
        return;
    }
    pthread_mutex_lock(&s->lock);
    install(s, ks);
    pthread_mutex_unlock(&s->lock);
    y_log_message(Y_LOG_LEVEL_INFO, "keys: issuer %s: key file re-read (%d signing keys)",
                  s->is->name, ks->n);
}

void key_store_tick(key_store *s, bool forced)
{
    if (s->is->key_source == IDP_KEYS_FILE) {
        tick_file(s, forced);
        return;
    }
    if (!is_url_source(s))
        return;
    pthread_mutex_lock(&s->lock);
    bool due = forced;
    if (!s->fetching && !due) {
        if (s->last_failed || !s->current)
            due = seconds_since(&s->last_attempt) >= (double)s->cfg->key_min_fetch_interval_s;
        else
            due = seconds_since(&s->last_ok) >= (double)s->cfg->key_refresh_interval_s;
    }
    if (!due || s->fetching) {
        pthread_mutex_unlock(&s->lock);
        return;
    }
    s->fetching = true;
    s->ever_attempted = true;
    clock_gettime(CLOCK_MONOTONIC, &s->last_attempt);
    pthread_mutex_unlock(&s->lock);
    /* the background refresh reads the discovery document again too */
    fetch_now(s, true);
}

void key_store_render_metrics(key_store *s, buf *out, bool with_help)
{
    pthread_mutex_lock(&s->lock);
    unsigned long ok = s->fetch_ok, failed = s->fetch_failed, limited = s->limited;
    int n = s->current ? s->current->n : 0;
    double last = s->last_ok_wall;
    pthread_mutex_unlock(&s->lock);
    const char *name = s->is->name;
    if (with_help)
        buf_puts(out, "# HELP mam_auth_keys Signing keys held, by issuer.\n"
                      "# TYPE mam_auth_keys gauge\n");
    buf_printf(out, "mam_auth_keys{issuer=\"%s\"} %d\n", name, n);
    if (with_help)
        buf_puts(out, "# HELP mam_auth_key_fetches_total Fetches of an issuer's keys from its "
                      "URL, by outcome.\n"
                      "# TYPE mam_auth_key_fetches_total counter\n");
    buf_printf(out, "mam_auth_key_fetches_total{issuer=\"%s\",outcome=\"success\"} %lu\n", name, ok);
    buf_printf(out, "mam_auth_key_fetches_total{issuer=\"%s\",outcome=\"failure\"} %lu\n", name,
               failed);
    if (with_help)
        buf_puts(out, "# HELP mam_auth_key_refreshes_limited_total Unknown-key refreshes not made "
                      "because the issuer's keys were fetched too recently.\n"
                      "# TYPE mam_auth_key_refreshes_limited_total counter\n");
    buf_printf(out, "mam_auth_key_refreshes_limited_total{issuer=\"%s\"} %lu\n", name, limited);
    if (with_help)
        buf_puts(out, "# HELP mam_auth_keys_loaded_timestamp_seconds When the issuer's current "
                      "keys were loaded (0: never).\n"
                      "# TYPE mam_auth_keys_loaded_timestamp_seconds gauge\n");
    buf_printf(out, "mam_auth_keys_loaded_timestamp_seconds{issuer=\"%s\"} %.3f\n", name, last);
}

void keys_global_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

void keys_global_cleanup(void)
{
    curl_global_cleanup();
}
