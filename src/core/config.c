#include "core/config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yder.h>

#include "core/xalloc.h"

int config_parse_int(const char *text, long min, long max, long *out)
{
    if (!text || !*text)
        return -1;
    for (const char *p = text; *p; p++)
        if (*p < '0' || *p > '9')
            return -1;
    errno = 0;
    char *end = NULL;
    long v = strtol(text, &end, 10);
    if (errno || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

const char *config_env(const char *name)
{
    const char *v = getenv(name);
    return (v && *v) ? v : NULL;
}

long config_env_int(const char *name, long fallback, long min, long max, int *bad)
{
    const char *v = config_env(name);
    long out = fallback;
    if (v && config_parse_int(v, min, max, &out) != 0) {
        fprintf(stderr, "config: %s must be a whole number from %ld to %ld\n", name, min, max);
        (*bad)++;
        return fallback;
    }
    return out;
}

static char *env_dup(const char *name, const char *fallback)
{
    const char *v = config_env(name);
    if (v)
        return xstrdup(v);
    return fallback ? xstrdup(fallback) : NULL;
}

static int parse_log_level(config *cfg, int *bad)
{
    static const struct { const char *name; unsigned long level; } levels[] = {
        {"error", Y_LOG_LEVEL_ERROR}, {"warning", Y_LOG_LEVEL_WARNING},
        {"info", Y_LOG_LEVEL_INFO},   {"debug", Y_LOG_LEVEL_DEBUG},
    };
    const char *v = config_env("LOG_LEVEL");
    if (!v)
        v = "info";
    for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++) {
        if (strcmp(v, levels[i].name) == 0) {
            cfg->log_level = levels[i].level;
            cfg->log_level_name = levels[i].name;
            return 0;
        }
    }
    fprintf(stderr, "config: LOG_LEVEL must be one of error, warning, info, debug\n");
    (*bad)++;
    return -1;
}

/* ESCALATION_STAGE_WORKING_DAYS: four comma-separated numbers (ESC-2). */
static void parse_stage_days(config *cfg, int *bad)
{
    static const int defaults[4] = {5, 5, 10, 10};
    memcpy(cfg->escalation_stage_days, defaults, sizeof defaults);
    const char *v = config_env("ESCALATION_STAGE_WORKING_DAYS");
    if (!v)
        return;
    /* every field counts, empty ones too ("5,,5,10" is refused), and a
     * value too long for four numbers is refused rather than cut short */
    char copy[64];
    int n = 0;
    if (strlen(v) >= sizeof copy)
        n = -1;
    else
        snprintf(copy, sizeof copy, "%s", v);
    for (char *part = copy; n >= 0;) {
        char *comma = strchr(part, ',');
        if (comma)
            *comma = '\0';
        long days;
        if (n == 4 || config_parse_int(part, 1, 100, &days) != 0) {
            n = -1;
            break;
        }
        cfg->escalation_stage_days[n++] = (int)days;
        if (!comma)
            break;
        part = comma + 1;
    }
    if (n != 4) {
        fprintf(stderr, "config: ESCALATION_STAGE_WORKING_DAYS must be four numbers from 1 to 100, "
                        "such as 5,5,10,10\n");
        memcpy(cfg->escalation_stage_days, defaults, sizeof defaults);
        (*bad)++;
    }
}

static void parse_log_format(config *cfg, int *bad)
{
    const char *v = config_env("LOG_FORMAT");
    if (!v || strcmp(v, "text") == 0)
        return;
    if (strcmp(v, "json") == 0) {
        cfg->log_json = true;
        return;
    }
    fprintf(stderr, "config: LOG_FORMAT must be text or json\n");
    (*bad)++;
}

bool config_origin_valid(const char *origin)
{
    const char *p;
    if (strncmp(origin, "https://", 8) == 0)
        p = origin + 8;
    else if (strncmp(origin, "http://", 7) == 0)
        p = origin + 7;
    else
        return false;
    /* lower case only (browsers send origins lower-cased); no path, user
     * info, query or wildcard */
    if (*p == '[') {
        for (p++; *p && *p != ']'; p++)
            if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') || *p == ':'))
                return false;
        if (*p++ != ']')
            return false;
    } else {
        size_t n = 0;
        for (; *p && *p != ':'; p++, n++)
            if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '.'))
                return false;
        if (n == 0 || n > 253)
            return false;
    }
    if (*p == ':') {
        size_t digits = 0;
        for (p++; *p >= '0' && *p <= '9'; p++)
            digits++;
        if (digits == 0 || digits > 5)
            return false;
    }
    return *p == '\0';
}

/* CORS_ALLOWED_ORIGINS: comma-separated exact origins. */
static void parse_cors(config *cfg, int *bad)
{
    const char *v = config_env("CORS_ALLOWED_ORIGINS");
    if (!v)
        return;
    char *copy = xstrdup(v), *save = NULL;
    cfg->cors_origins = xcalloc(32, sizeof *cfg->cors_origins);
    for (char *o = strtok_r(copy, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
        while (*o == ' ')
            o++;
        size_t n = strlen(o);
        while (n > 0 && o[n - 1] == ' ')
            o[--n] = '\0';
        if (strcmp(o, "*") == 0) {
            fprintf(stderr, "config: CORS_ALLOWED_ORIGINS lists origins one by one; a wildcard "
                            "(*) is refused\n");
            (*bad)++;
        } else if (!config_origin_valid(o)) {
            fprintf(stderr, "config: CORS_ALLOWED_ORIGINS: \"%.100s\" is not an origin such as "
                            "https://app.example.org or http://127.0.0.1:3000 (lower case, no "
                            "path)\n", o);
            (*bad)++;
        } else if (cfg->n_cors_origins == 32) {
            fprintf(stderr, "config: CORS_ALLOWED_ORIGINS holds more than 32 origins\n");
            (*bad)++;
            break;
        } else {
            cfg->cors_origins[cfg->n_cors_origins++] = xstrdup(o);
        }
    }
    free(copy);
}

/* HTTP_THREADS: by default 8, or as many as the connection limit needs at
 * HTTP_CONNECTIONS_PER_THREAD_MAX a thread; a number too small for the
 * limit is refused. The room over the limit (an eighth, at least 16) is
 * where clients arriving at the limit are accepted and answered 503. */
static void plan_http_threads(config *cfg, int *bad)
{
    int limit = cfg->http_connection_limit;
    cfg->http_over_limit_room = limit / 8 > 16 ? limit / 8 : 16;
    int accepted = limit + cfg->http_over_limit_room;
    int needed = (accepted + HTTP_CONNECTIONS_PER_THREAD_MAX - 1) / HTTP_CONNECTIONS_PER_THREAD_MAX;
    int threads = (int)config_env_int("HTTP_THREADS", 0, 1, 256, bad);
    if (needed > 256) {
        fprintf(stderr,
                "config: HTTP_CONNECTION_LIMIT=%d would need %d HTTP threads (at most %d "
                "connections each), more than 256; run more instances instead\n",
                limit, needed, HTTP_CONNECTIONS_PER_THREAD_MAX);
        (*bad)++;
        cfg->http_threads = 256;
    } else if (threads == 0) {
        cfg->http_threads = needed > 8 ? needed : 8;
    } else if (threads < needed) {
        fprintf(stderr,
                "config: HTTP_THREADS=%d is too few for HTTP_CONNECTION_LIMIT=%d: a thread holds "
                "at most %d connections (%d with the room over the limit); use %d or more\n",
                threads, limit, HTTP_CONNECTIONS_PER_THREAD_MAX, accepted, needed);
        (*bad)++;
        cfg->http_threads = needed;
    } else {
        cfg->http_threads = threads;
    }
}

static void require(const char *name, const char *value, int *bad)
{
    if (!value) {
        fprintf(stderr, "config: %s is required\n", name);
        (*bad)++;
    }
}

/* JWT_ISSUERS_FILE excludes the shorthand; the document itself is read
 * and checked by auth/idp_config.c (idp_config_from_settings), above this
 * layer. */
static void check_issuers_file(config *cfg, int *bad)
{
    static const char *const shorthand[] = {"JWT_ISSUER", "JWT_AUDIENCE", "JWT_HS256_SECRET",
                                            "JWT_JWKS_FILE", NULL};
    for (int i = 0; shorthand[i]; i++) {
        if (config_env(shorthand[i])) {
            fprintf(stderr, "config: %s belongs to the single-issuer shorthand; with "
                            "JWT_ISSUERS_FILE, configure every issuer in the file\n",
                    shorthand[i]);
            (*bad)++;
        }
    }
    if (access(cfg->jwt_issuers_file, R_OK) != 0) {
        fprintf(stderr, "config: JWT_ISSUERS_FILE %s cannot be read\n", cfg->jwt_issuers_file);
        (*bad)++;
    }
}

static void check_token_keys(config *cfg, int *bad)
{
    if (cfg->jwt_issuers_file) {
        check_issuers_file(cfg, bad);
        return;
    }
    require("JWT_ISSUER", cfg->jwt_issuer, bad);
    require("JWT_AUDIENCE", cfg->jwt_audience, bad);
    if (cfg->jwt_hs256_secret && cfg->jwt_jwks_file) {
        fprintf(stderr, "config: set JWT_HS256_SECRET (development) or JWT_JWKS_FILE (production), not both\n");
        (*bad)++;
    } else if (!cfg->jwt_hs256_secret && !cfg->jwt_jwks_file) {
        fprintf(stderr, "config: one of JWT_HS256_SECRET (development) or JWT_JWKS_FILE (production) is required\n");
        (*bad)++;
    } else if (cfg->jwt_hs256_secret && strlen(cfg->jwt_hs256_secret) < 32) {
        /* RFC 7518 3.2: an HS256 key must be at least as long as the hash. */
        fprintf(stderr, "config: JWT_HS256_SECRET must be at least 32 bytes long\n");
        (*bad)++;
    } else if (cfg->jwt_jwks_file && access(cfg->jwt_jwks_file, R_OK) != 0) {
        fprintf(stderr, "config: JWT_JWKS_FILE %s cannot be read\n", cfg->jwt_jwks_file);
        (*bad)++;
    }
}

int config_load(config *cfg, enum config_purpose purpose)
{
    int bad = 0;
    memset(cfg, 0, sizeof *cfg);

    cfg->port = (int)config_env_int("PORT", 8080, 1, 65535, &bad);
    cfg->bind_address = env_dup("BIND_ADDRESS", "0.0.0.0");
    cfg->http_connection_limit = (int)config_env_int("HTTP_CONNECTION_LIMIT", 1024, 16, 65536, &bad);
    plan_http_threads(cfg, &bad);
    cfg->http_connection_timeout_s = (int)config_env_int("HTTP_CONNECTION_TIMEOUT_S", 30, 1, 3600, &bad);
    cfg->request_timeout_s = (int)config_env_int("REQUEST_TIMEOUT_S", 30, 1, 3600, &bad);
    cfg->max_body_bytes = (size_t)config_env_int("MAX_BODY_BYTES", 1048576, 1024, 64L * 1048576, &bad);
    cfg->openapi_file = env_dup("OPENAPI_FILE", "openapi.yaml");
    cfg->reference_file = env_dup("REFERENCE_FILE", "reference.html");

    cfg->database_url = env_dup("DATABASE_URL", NULL);
    cfg->migration_database_url = env_dup("MIGRATION_DATABASE_URL", NULL);
    cfg->db_pool_size = (int)config_env_int("DB_POOL_SIZE", 8, 1, 512, &bad);
    cfg->db_acquire_timeout_ms = (int)config_env_int("DB_ACQUIRE_TIMEOUT_MS", 2000, 1, 60000, &bad);
    cfg->db_statement_timeout_ms = (int)config_env_int("DB_STATEMENT_TIMEOUT_MS", 5000, 100, 600000, &bad);

    parse_log_level(cfg, &bad);
    parse_log_format(cfg, &bad);
    parse_cors(cfg, &bad);
    cfg->cors_max_age_s = (int)config_env_int("CORS_MAX_AGE_S", 600, 0, 86400, &bad);

    cfg->notice_working_days = (int)config_env_int("NOTICE_WORKING_DAYS", 5, 0, 100, &bad);
    cfg->response_working_days = (int)config_env_int("RESPONSE_WORKING_DAYS", 3, 1, 100, &bad);
    cfg->drift_working_days = (int)config_env_int("DRIFT_WORKING_DAYS", 20, 1, 500, &bad);
    cfg->feedback_working_days = (int)config_env_int("FEEDBACK_WORKING_DAYS", 5, 1, 100, &bad);
    cfg->safeguarding_referral_working_days =
        (int)config_env_int("SAFEGUARDING_REFERRAL_WORKING_DAYS", 1, 0, 20, &bad);
    cfg->minutes_due_working_days = (int)config_env_int("MINUTES_DUE_WORKING_DAYS", 15, 1, 200, &bad);
    parse_stage_days(cfg, &bad);
    cfg->reminder_interval_s = (int)config_env_int("REMINDER_INTERVAL_S", 60, 0, 86400, &bad);

    cfg->jwt_issuer = env_dup("JWT_ISSUER", NULL);
    cfg->jwt_audience = env_dup("JWT_AUDIENCE", NULL);
    cfg->jwt_hs256_secret = env_dup("JWT_HS256_SECRET", NULL);
    cfg->jwt_jwks_file = env_dup("JWT_JWKS_FILE", NULL);
    cfg->jwt_leeway_s = (int)config_env_int("JWT_LEEWAY_S", 30, 0, 300, &bad);
    cfg->jwt_issuers_file = env_dup("JWT_ISSUERS_FILE", NULL);

    if (purpose == CONFIG_FOR_SERVE)
        config_load_integrations(&cfg->integrations, &bad);

    if (purpose == CONFIG_FOR_SERVE || (purpose == CONFIG_FOR_MIGRATE && !cfg->migration_database_url))
        require("DATABASE_URL", cfg->database_url, &bad);
    if (purpose == CONFIG_FOR_SERVE)
        check_token_keys(cfg, &bad);
    if (purpose == CONFIG_FOR_TOKEN) {
        require("JWT_ISSUER", cfg->jwt_issuer, &bad);
        require("JWT_AUDIENCE", cfg->jwt_audience, &bad);
        if (!cfg->jwt_hs256_secret) {
            fprintf(stderr, "config: development tokens need JWT_HS256_SECRET; production tokens come from your identity provider\n");
            bad++;
        }
    }

    if (bad) {
        fprintf(stderr, "config: %d problem%s; not starting\n", bad, bad == 1 ? "" : "s");
        config_free(cfg);
        return -1;
    }
    return 0;
}

void config_free(config *cfg)
{
    free(cfg->bind_address);
    free(cfg->openapi_file);
    free(cfg->reference_file);
    free(cfg->database_url);
    free(cfg->migration_database_url);
    free(cfg->jwt_issuer);
    free(cfg->jwt_audience);
    free(cfg->jwt_hs256_secret);
    free(cfg->jwt_jwks_file);
    free(cfg->jwt_issuers_file);
    for (int i = 0; i < cfg->n_cors_origins; i++)
        free(cfg->cors_origins[i]);
    free(cfg->cors_origins);
    config_free_integrations(&cfg->integrations);
    memset(cfg, 0, sizeof *cfg);
}
