#include "auth/idp_config.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/caller.h"
#include "core/xalloc.h"

static const struct {
    const char *name;
    unsigned bit;
} algs[] = {
    {"HS256", IDP_ALG_HS256}, {"RS256", IDP_ALG_RS256}, {"RS384", IDP_ALG_RS384},
    {"RS512", IDP_ALG_RS512}, {"PS256", IDP_ALG_PS256}, {"PS384", IDP_ALG_PS384},
    {"PS512", IDP_ALG_PS512}, {"ES256", IDP_ALG_ES256}, {"ES384", IDP_ALG_ES384},
    {"ES512", IDP_ALG_ES512},
};

unsigned idp_alg_from_name(const char *name)
{
    for (size_t i = 0; name && i < sizeof algs / sizeof algs[0]; i++)
        if (strcmp(algs[i].name, name) == 0)
            return algs[i].bit;
    return 0;
}

const char *idp_alg_name(unsigned alg)
{
    for (size_t i = 0; i < sizeof algs / sizeof algs[0]; i++)
        if (algs[i].bit == alg)
            return algs[i].name;
    return "unknown";
}

void idp_problems_free(idp_problems *p)
{
    for (int i = 0; i < p->n; i++)
        free(p->items[i]);
    p->n = 0;
    p->dropped = 0;
}

__attribute__((format(printf, 2, 3))) static void problem(idp_problems *p, const char *fmt, ...)
{
    if (p->n == IDP_MAX_PROBLEMS) {
        p->dropped++;
        return;
    }
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    p->items[p->n++] = xstrdup(line);
}

/* ---- small readers ---- */

static bool name_valid(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > IDP_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return false;
    }
    return true;
}

/* A printable string of 1..max bytes without control characters. */
static bool text_ok(json_t *v, size_t max)
{
    if (!json_is_string(v))
        return false;
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (n == 0 || n > max || strlen(s) != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return false;
    return true;
}

static void path_free(idp_claim_path *p)
{
    for (int i = 0; i < p->n; i++)
        free(p->parts[i]);
    free(p->text);
    memset(p, 0, sizeof *p);
}

static void path_set(idp_claim_path *p, const char *const *parts, int n)
{
    path_free(p);
    size_t len = 1;
    for (int i = 0; i < n; i++) {
        p->parts[i] = xstrdup(parts[i]);
        len += strlen(parts[i]) + 1;
    }
    p->n = n;
    p->text = xcalloc(1, len);
    for (int i = 0; i < n; i++) {
        if (i)
            strcat(p->text, ".");
        strcat(p->text, parts[i]);
    }
}

/* A claim path: "oid", "realm_access.roles", or ["resource_access", "mam.api", "roles"]. */
static bool read_path(json_t *v, idp_claim_path *out, const char *where, idp_problems *pr)
{
    const char *parts[IDP_MAX_PATH];
    char *copy = NULL;
    int n = 0;
    bool ok = true;
    if (json_is_string(v)) {
        if (!text_ok(v, 256)) {
            ok = false;
        } else {
            copy = xstrdup(json_string_value(v));
            char *save = NULL;
            for (char *part = strtok_r(copy, ".", &save); part; part = strtok_r(NULL, ".", &save)) {
                if (n == IDP_MAX_PATH) {
                    ok = false;
                    break;
                }
                parts[n++] = part;
            }
            /* "a..b", ".a" and "a." name nothing */
            const char *s = json_string_value(v);
            if (s[0] == '.' || s[strlen(s) - 1] == '.' || strstr(s, ".."))
                ok = false;
        }
    } else if (json_is_array(v) && json_array_size(v) >= 1 && json_array_size(v) <= IDP_MAX_PATH) {
        size_t i;
        json_t *part;
        json_array_foreach(v, i, part) {
            if (!text_ok(part, 128)) {
                ok = false;
                break;
            }
            parts[n++] = json_string_value(part);
        }
    } else {
        ok = false;
    }
    if (ok && n > 0)
        path_set(out, parts, n);
    else
        problem(pr, "%s must be a claim name, a dotted path such as realm_access.roles, or an "
                    "array of up to %d names", where, IDP_MAX_PATH);
    free(copy);
    return ok && n > 0;
}

static void map_free(idp_map *m)
{
    for (int i = 0; i < m->n; i++) {
        free(m->keys[i]);
        free(m->values[i]);
    }
    free(m->keys);
    free(m->values);
    memset(m, 0, sizeof *m);
}

const char *idp_map_get(const idp_map *m, const char *key)
{
    for (int i = 0; i < m->n; i++)
        if (strcmp(m->keys[i], key) == 0)
            return m->values[i];
    return NULL;
}

enum map_values { VALUES_AGENCY, VALUES_ROLE };

/* An object of string keys to agency codes or role names. */
static void read_map(json_t *v, idp_map *out, enum map_values kind, const char *where,
                     idp_problems *pr)
{
    if (!json_is_object(v) || json_object_size(v) == 0 || json_object_size(v) > 1000) {
        problem(pr, "%s must be an object of 1 to 1000 entries", where);
        return;
    }
    out->keys = xcalloc(json_object_size(v), sizeof *out->keys);
    out->values = xcalloc(json_object_size(v), sizeof *out->values);
    const char *key;
    json_t *value;
    json_object_foreach(v, key, value) {
        if (strlen(key) == 0 || strlen(key) > 256) {
            problem(pr, "%s: keys are 1 to 256 characters", where);
            continue;
        }
        bool ok = json_is_string(value);
        if (ok && kind == VALUES_AGENCY)
            ok = agency_code_valid(json_string_value(value));
        if (ok && kind == VALUES_ROLE)
            ok = role_from_name(json_string_value(value)) != 0;
        if (!ok) {
            problem(pr, "%s: the value for \"%.64s\" must be %s", where, key,
                    kind == VALUES_AGENCY ? "an agency code (2 to 32 of A-Z, 0-9, _ and -)"
                                          : "one of the service's role names (README.md)");
            continue;
        }
        out->keys[out->n] = xstrdup(key);
        out->values[out->n] = xstrdup(json_string_value(value));
        out->n++;
    }
}

static void unknown_members(json_t *obj, const char *const *known, const char *where,
                            idp_problems *pr)
{
    const char *key;
    json_t *value;
    json_object_foreach(obj, key, value) {
        bool found = false;
        for (int i = 0; known[i]; i++)
            found |= strcmp(known[i], key) == 0;
        if (!found)
            problem(pr, "%s: unknown member \"%.64s\"", where, key);
    }
}

static int read_int(json_t *obj, const char *name, int fallback, int min, int max,
                    const char *where, idp_problems *pr)
{
    json_t *v = json_object_get(obj, name);
    if (!v)
        return fallback;
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
        problem(pr, "%s%s must be a whole number from %d to %d", where, name, min, max);
        return fallback;
    }
    return (int)json_integer_value(v);
}

/* ---- URLs ---- */

bool idp_url_allowed(const char *url, bool allow_http_loopback)
{
    if (!url || strlen(url) > 2048)
        return false;
    for (const char *p = url; *p; p++)
        if ((unsigned char)*p <= 0x20 || *p == 0x7f)
            return false;
    const char *host;
    bool https = strncmp(url, "https://", 8) == 0;
    if (https)
        host = url + 8;
    else if (strncmp(url, "http://", 7) == 0)
        host = url + 7;
    else
        return false;
    if (*host == '\0' || *host == '/' || strchr(url, '@'))
        return false; /* no host, or credentials in the URL */
    if (https)
        return true;
    if (!allow_http_loopback)
        return false;
    size_t n = strcspn(host, ":/?#");
    if (host[0] == '[')
        return strncmp(host, "[::1]", 5) == 0 && strchr(":/?#", host[5]) != NULL;
    if (n == 9 && strncmp(host, "localhost", 9) == 0)
        return true;
    if (strncmp(host, "127.", 4) != 0)
        return false;
    int dots = 1;
    for (size_t i = 4; i < n; i++) {
        if (host[i] == '.')
            dots++;
        else if (host[i] < '0' || host[i] > '9')
            return false;
    }
    return dots == 3;
}

/* ---- one issuer ---- */

static void issuer_free(idp_issuer *is)
{
    free(is->name);
    free(is->issuer);
    for (int i = 0; i < is->n_audiences; i++)
        free(is->audiences[i]);
    free(is->audiences);
    free(is->key_location);
    path_free(&is->subject_claim);
    path_free(&is->name_claim);
    path_free(&is->roles_claim);
    map_free(&is->role_values);
    path_free(&is->agency_claim);
    free(is->agency_fixed);
    map_free(&is->agency_map);
    path_free(&is->client_id_claim);
    map_free(&is->applications);
}

static void set_default_claims(idp_issuer *is)
{
    static const char *const sub[] = {"sub"}, *const name[] = {"name"},
                             *const roles[] = {"roles"}, *const agency[] = {"agency"},
                             *const client[] = {"client_id"};
    path_set(&is->subject_claim, sub, 1);
    path_set(&is->name_claim, name, 1);
    path_set(&is->roles_claim, roles, 1);
    path_set(&is->agency_claim, agency, 1);
    path_set(&is->client_id_claim, client, 1);
    is->agency_mode = IDP_AGENCY_CLAIM;
}

static void read_keys(json_t *keys, idp_issuer *is, const char *where, bool allow_http_loopback,
                      idp_problems *pr)
{
    static const char *const known[] = {"jwks_url", "discovery_url", "jwks_file", NULL};
    if (!json_is_object(keys)) {
        problem(pr, "%s.keys is required: an object with one of jwks_url, discovery_url, jwks_file",
                where);
        return;
    }
    char at[96];
    snprintf(at, sizeof at, "%s.keys", where);
    unknown_members(keys, known, at, pr);
    int given = 0;
    for (int i = 0; known[i]; i++) {
        json_t *v = json_object_get(keys, known[i]);
        if (!v)
            continue;
        given++;
        if (!text_ok(v, 2048)) {
            problem(pr, "%s.%s must be a non-empty string", at, known[i]);
            continue;
        }
        const char *s = json_string_value(v);
        if (i < 2 && !idp_url_allowed(s, allow_http_loopback)) {
            problem(pr, "%s.%s must be an https:// URL%s", at, known[i],
                    allow_http_loopback ? " (or http:// to a loopback address)" : "");
            continue;
        }
        free(is->key_location);
        is->key_location = xstrdup(s);
        is->key_source = i == 0 ? IDP_KEYS_JWKS_URL : i == 1 ? IDP_KEYS_DISCOVERY : IDP_KEYS_FILE;
    }
    if (given != 1)
        problem(pr, "%s needs exactly one of jwks_url, discovery_url, jwks_file", at);
}

static void read_agency(json_t *v, idp_issuer *is, const char *where, idp_problems *pr)
{
    static const char *const known[] = {"claim", "fixed", "map", NULL};
    char at[96];
    snprintf(at, sizeof at, "%s.claims.agency", where);
    if (!json_is_object(v)) {
        problem(pr, "%s must be an object: {\"claim\": ...}, {\"fixed\": ...} or "
                    "{\"claim\": ..., \"map\": {...}}", at);
        return;
    }
    unknown_members(v, known, at, pr);
    json_t *claim = json_object_get(v, "claim"), *fixed = json_object_get(v, "fixed"),
           *map = json_object_get(v, "map");
    if (fixed && (claim || map)) {
        problem(pr, "%s: fixed excludes claim and map", at);
        return;
    }
    if (fixed) {
        if (!json_is_string(fixed) || !agency_code_valid(json_string_value(fixed))) {
            problem(pr, "%s.fixed must be an agency code (2 to 32 of A-Z, 0-9, _ and -)", at);
            return;
        }
        is->agency_mode = IDP_AGENCY_FIXED;
        is->agency_fixed = xstrdup(json_string_value(fixed));
        path_free(&is->agency_claim);
        return;
    }
    if (!claim) {
        problem(pr, "%s needs claim or fixed", at);
        return;
    }
    char claim_at[112];
    snprintf(claim_at, sizeof claim_at, "%s.claim", at);
    read_path(claim, &is->agency_claim, claim_at, pr);
    is->agency_mode = IDP_AGENCY_CLAIM;
    if (map) {
        char map_at[112];
        snprintf(map_at, sizeof map_at, "%s.map", at);
        read_map(map, &is->agency_map, VALUES_AGENCY, map_at, pr);
        is->agency_mode = IDP_AGENCY_MAPPED;
    }
}

static void read_claims(json_t *v, idp_issuer *is, const char *where, idp_problems *pr)
{
    static const char *const known[] = {"subject", "name", "roles", "role_values", "agency", NULL};
    char at[96];
    snprintf(at, sizeof at, "%s.claims", where);
    if (!json_is_object(v)) {
        problem(pr, "%s must be an object", at);
        return;
    }
    unknown_members(v, known, at, pr);
    struct {
        const char *member;
        idp_claim_path *path;
    } paths[] = {{"subject", &is->subject_claim}, {"name", &is->name_claim},
                 {"roles", &is->roles_claim}};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        json_t *p = json_object_get(v, paths[i].member);
        if (!p)
            continue;
        char path_at[112];
        snprintf(path_at, sizeof path_at, "%s.%s", at, paths[i].member);
        read_path(p, paths[i].path, path_at, pr);
    }
    json_t *role_values = json_object_get(v, "role_values");
    if (role_values) {
        char map_at[112];
        snprintf(map_at, sizeof map_at, "%s.role_values", at);
        read_map(role_values, &is->role_values, VALUES_ROLE, map_at, pr);
    }
    json_t *agency = json_object_get(v, "agency");
    if (agency)
        read_agency(agency, is, where, pr);
}

static void read_applications(json_t *v, idp_issuer *is, const char *where, idp_problems *pr)
{
    static const char *const known[] = {"client_id_claim", "clients", NULL};
    char at[96];
    snprintf(at, sizeof at, "%s.applications", where);
    if (!json_is_object(v)) {
        problem(pr, "%s must be an object: {\"client_id_claim\": ..., \"clients\": {...}}", at);
        return;
    }
    unknown_members(v, known, at, pr);
    json_t *claim = json_object_get(v, "client_id_claim");
    if (claim) {
        char claim_at[112];
        snprintf(claim_at, sizeof claim_at, "%s.client_id_claim", at);
        read_path(claim, &is->client_id_claim, claim_at, pr);
    }
    json_t *clients = json_object_get(v, "clients");
    char map_at[112];
    snprintf(map_at, sizeof map_at, "%s.clients", at);
    if (!clients)
        problem(pr, "%s is required: client id -> agency code", map_at);
    else
        read_map(clients, &is->applications, VALUES_AGENCY, map_at, pr);
}

static void read_issuer(json_t *v, size_t index, idp_issuer *is, int default_leeway_s,
                        bool allow_http_loopback, idp_problems *pr)
{
    static const char *const known[] = {"name",   "primary", "issuer", "audience",
                                        "algorithms", "keys", "claims", "applications",
                                        "leeway_s", NULL};
    char where[64];
    set_default_claims(is);
    is->algorithms = IDP_ALG_RS256;
    is->leeway_s = default_leeway_s;
    json_t *name = json_object_get(v, "name");
    if (json_is_string(name) && name_valid(json_string_value(name))) {
        is->name = xstrdup(json_string_value(name));
        snprintf(where, sizeof where, "issuers[%zu] (%s)", index, is->name);
    } else {
        snprintf(where, sizeof where, "issuers[%zu]", index);
        problem(pr, "%s.name is required: 1 to %d of a-z, 0-9 and -", where, IDP_NAME_MAX);
    }
    unknown_members(v, known, where, pr);

    json_t *primary = json_object_get(v, "primary");
    if (primary && !json_is_boolean(primary))
        problem(pr, "%s.primary must be true or false", where);
    is->primary = json_is_true(primary);

    json_t *iss = json_object_get(v, "issuer");
    if (text_ok(iss, 512))
        is->issuer = xstrdup(json_string_value(iss));
    else
        problem(pr, "%s.issuer is required: the exact \"iss\" of its tokens", where);

    json_t *aud = json_object_get(v, "audience");
    if (text_ok(aud, 512)) {
        is->audiences = xcalloc(1, sizeof *is->audiences);
        is->audiences[is->n_audiences++] = xstrdup(json_string_value(aud));
    } else if (json_is_array(aud) && json_array_size(aud) >= 1 && json_array_size(aud) <= 8) {
        is->audiences = xcalloc(json_array_size(aud), sizeof *is->audiences);
        size_t i;
        json_t *a;
        json_array_foreach(aud, i, a) {
            if (text_ok(a, 512))
                is->audiences[is->n_audiences++] = xstrdup(json_string_value(a));
            else
                problem(pr, "%s.audience[%zu] must be a non-empty string", where, i);
        }
    } else {
        problem(pr, "%s.audience is required: a string, or an array of 1 to 8 strings", where);
    }

    json_t *alg = json_object_get(v, "algorithms");
    if (alg) {
        unsigned bits = 0;
        bool ok = json_is_array(alg) && json_array_size(alg) > 0;
        size_t i;
        json_t *a;
        json_array_foreach(alg, i, a) {
            unsigned bit = json_is_string(a) ? idp_alg_from_name(json_string_value(a)) : 0;
            if (!bit || bit == IDP_ALG_HS256) {
                ok = false;
                break;
            }
            bits |= bit;
        }
        if (ok)
            is->algorithms = bits;
        else
            problem(pr, "%s.algorithms must be a non-empty array of RS256, RS384, RS512, PS256, "
                        "PS384, PS512, ES256, ES384, ES512", where);
    }

    read_keys(json_object_get(v, "keys"), is, where, allow_http_loopback, pr);
    json_t *claims = json_object_get(v, "claims");
    if (claims)
        read_claims(claims, is, where, pr);
    json_t *apps = json_object_get(v, "applications");
    if (apps)
        read_applications(apps, is, where, pr);
    char leeway_at[80];
    snprintf(leeway_at, sizeof leeway_at, "%s.", where);
    is->leeway_s = read_int(v, "leeway_s", default_leeway_s, 0, 300, leeway_at, pr);
}

/* ---- the document ---- */

void idp_config_free(idp_config *c)
{
    if (!c)
        return;
    for (int i = 0; i < c->n_issuers; i++)
        issuer_free(&c->issuers[i]);
    free(c->issuers);
    free(c);
}

static idp_config *config_new(int n)
{
    idp_config *c = xcalloc(1, sizeof *c);
    c->issuers = xcalloc((size_t)(n > 0 ? n : 1), sizeof *c->issuers);
    c->n_issuers = n;
    c->key_refresh_interval_s = 3600;
    c->key_min_fetch_interval_s = 60;
    c->key_fetch_timeout_ms = 3000;
    c->key_file_check_interval_s = 10;
    return c;
}

idp_config *idp_config_parse(const char *json, size_t len, int default_leeway_s,
                             idp_problems *pr)
{
    static const char *const known[] = {"issuers",
                                        "key_refresh_interval_s",
                                        "key_min_fetch_interval_s",
                                        "key_fetch_timeout_ms",
                                        "key_file_check_interval_s",
                                        "allow_http_loopback",
                                        NULL};
    int before = pr->n + pr->dropped;
    json_error_t err;
    json_t *doc = json_loadb(json, len, JSON_REJECT_DUPLICATES, &err);
    if (!doc) {
        problem(pr, "not valid JSON (duplicate members included) at line %d, column %d: %.160s",
                err.line, err.column, err.text);
        return NULL;
    }
    json_t *list = json_object_get(doc, "issuers");
    if (!json_is_object(doc) || !json_is_array(list) || json_array_size(list) == 0 ||
        json_array_size(list) > IDP_MAX_ISSUERS) {
        problem(pr, "the document must be an object whose \"issuers\" is an array of 1 to %d "
                    "issuers", IDP_MAX_ISSUERS);
        json_decref(doc);
        return NULL;
    }
    unknown_members(doc, known, "the document", pr);
    idp_config *c = config_new((int)json_array_size(list));
    c->key_refresh_interval_s = read_int(doc, "key_refresh_interval_s", 3600, 60, 86400, "", pr);
    c->key_min_fetch_interval_s = read_int(doc, "key_min_fetch_interval_s", 60, 1, 3600, "", pr);
    c->key_fetch_timeout_ms = read_int(doc, "key_fetch_timeout_ms", 3000, 100, 30000, "", pr);
    c->key_file_check_interval_s = read_int(doc, "key_file_check_interval_s", 10, 1, 3600, "", pr);
    json_t *loopback = json_object_get(doc, "allow_http_loopback");
    if (loopback && !json_is_boolean(loopback))
        problem(pr, "allow_http_loopback must be true or false");
    c->allow_http_loopback = json_is_true(loopback);

    size_t i;
    json_t *item;
    int primaries = 0;
    json_array_foreach(list, i, item) {
        if (!json_is_object(item)) {
            problem(pr, "issuers[%zu] must be an object", i);
            set_default_claims(&c->issuers[i]);
            continue;
        }
        read_issuer(item, i, &c->issuers[i], default_leeway_s, c->allow_http_loopback, pr);
        primaries += c->issuers[i].primary;
        for (size_t j = 0; j < i; j++) {
            const idp_issuer *a = &c->issuers[j], *b = &c->issuers[i];
            if (a->name && b->name && strcmp(a->name, b->name) == 0)
                problem(pr, "issuers[%zu] and issuers[%zu] have the same name \"%s\"", j, i,
                        a->name);
            if (a->issuer && b->issuer && strcmp(a->issuer, b->issuer) == 0)
                problem(pr, "issuers[%zu] and issuers[%zu] have the same issuer", j, i);
        }
    }
    if (primaries > 1)
        problem(pr, "at most one issuer may be primary (its subjects are stored unprefixed); "
                    "%d are", primaries);
    json_decref(doc);
    if (pr->n + pr->dropped > before) {
        idp_config_free(c);
        return NULL;
    }
    return c;
}

idp_config *idp_config_single(const char *issuer, const char *audience, const char *hs256_secret,
                              const char *jwks_file, int leeway_s)
{
    idp_config *c = config_new(1);
    idp_issuer *is = &c->issuers[0];
    set_default_claims(is);
    is->name = xstrdup("default");
    is->primary = true;
    is->issuer = xstrdup(issuer);
    is->audiences = xcalloc(1, sizeof *is->audiences);
    is->audiences[0] = xstrdup(audience);
    is->n_audiences = 1;
    is->leeway_s = leeway_s;
    if (hs256_secret) {
        is->key_source = IDP_KEYS_HS256;
        is->key_location = xstrdup(hs256_secret);
        is->algorithms = IDP_ALG_HS256;
    } else {
        is->key_source = IDP_KEYS_FILE;
        is->key_location = xstrdup(jwks_file);
        is->algorithms = IDP_ALG_RS256 | IDP_ALG_ES256;
    }
    return c;
}

idp_config *idp_config_single_inline(const char *issuer, const char *audience,
                                     const char *jwks_json, int leeway_s)
{
    idp_config *c = idp_config_single(issuer, audience, NULL, jwks_json, leeway_s);
    c->issuers[0].key_source = IDP_KEYS_INLINE;
    return c;
}

const idp_issuer *idp_config_find(const idp_config *c, const char *iss)
{
    for (int i = 0; iss && i < c->n_issuers; i++)
        if (c->issuers[i].issuer && strcmp(c->issuers[i].issuer, iss) == 0)
            return &c->issuers[i];
    return NULL;
}

idp_config *idp_config_from_settings(const config *cfg, FILE *err)
{
    if (!cfg->jwt_issuers_file)
        return idp_config_single(cfg->jwt_issuer, cfg->jwt_audience, cfg->jwt_hs256_secret,
                                 cfg->jwt_jwks_file, cfg->jwt_leeway_s);
    FILE *f = fopen(cfg->jwt_issuers_file, "rb");
    if (!f) {
        fprintf(err, "config: JWT_ISSUERS_FILE %s cannot be read\n", cfg->jwt_issuers_file);
        return NULL;
    }
    char *text = xmalloc(1024 * 1024 + 1);
    size_t len = fread(text, 1, 1024 * 1024 + 1, f);
    fclose(f);
    if (len > 1024 * 1024) {
        fprintf(err, "config: JWT_ISSUERS_FILE is larger than 1 MiB; not starting\n");
        free(text);
        return NULL;
    }
    idp_problems problems = {.n = 0};
    idp_config *c = idp_config_parse(text, len, cfg->jwt_leeway_s, &problems);
    free(text);
    for (int i = 0; i < problems.n; i++)
        fprintf(err, "config: JWT_ISSUERS_FILE: %s\n", problems.items[i]);
    if (problems.dropped)
        fprintf(err, "config: JWT_ISSUERS_FILE: %d more problems\n", problems.dropped);
    int bad = problems.n + problems.dropped;
    if (!c)
        fprintf(err, "config: %d problem%s in JWT_ISSUERS_FILE; not starting\n", bad,
                bad == 1 ? "" : "s");
    idp_problems_free(&problems);
    return c;
}
