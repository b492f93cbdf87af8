/* config: the service's settings, read once from the environment.
 *
 * config_load() fills a config from environ and reports every unusable
 * variable at once; main() refuses to start when it fails. After start-up
 * the config is read-only and shared by all threads. */
#ifndef MAM_CONFIG_H
#define MAM_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define CONFIG_RETRY_MAX 20
#define CONFIG_ALLOWED_HOSTS_MAX 64

/* Webhooks (INT-5) and calendars (INT-6). */
typedef struct config_integrations {
    char *public_base_url;          /* PUBLIC_BASE_URL: absolute links, or NULL */
    int webhook_workers;            /* delivery threads in this instance; 0: none */
    int webhook_timeout_ms;         /* one delivery request, all of it */
    int webhook_connect_timeout_ms;
    int webhook_poll_interval_ms;   /* idle workers look for due deliveries this often */
    int webhook_batch;              /* deliveries of one endpoint taken at once */
    int webhook_retry_s[CONFIG_RETRY_MAX]; /* delays after the 1st, 2nd, ... failure */
    int n_webhook_retry;
    int webhook_rotation_overlap_s; /* a rotated-out secret keeps signing this long */
    char **webhook_allowed_hosts;   /* exact host names or *.suffix */
    int n_webhook_allowed_hosts;
    bool webhook_allow_loopback;    /* tests only: plain http to 127.0.0.0/8 and ::1 */
    bool has_webhook_secret_key;
    unsigned char webhook_secret_key[32]; /* seals endpoint secrets at rest */
    int calendar_token_ttl_days;
    int calendar_feed_min_interval_s; /* a feed token is served at most this often */
} config_integrations;

typedef struct config {
    /* HTTP */
    int port;
    char *bind_address;
    int http_threads;               /* resolved: HTTP_THREADS or enough for the limit */
    int http_connection_limit;
    int http_over_limit_room;       /* accepted above the limit, only to be answered 503 */
    int http_connection_timeout_s;
    int request_timeout_s;          /* to receive and answer one request */
    size_t max_body_bytes;
    char *openapi_file;
    char *reference_file; /* the contract's HTML reference (tests/contract/reference.mjs) */

    /* Database */
    char *database_url;
    char *migration_database_url; /* the schema owner's; DATABASE_URL if unset */
    int db_pool_size;
    int db_acquire_timeout_ms;
    int db_statement_timeout_ms;

    /* Logging: yder level; text lines or one JSON object per line */
    unsigned long log_level;
    const char *log_level_name;
    bool log_json;

    /* CORS: exact origins (scheme://host[:port]) allowed to call the API
     * from a browser; none by default */
    char **cors_origins;
    int n_cors_origins;
    int cors_max_age_s;

    /* Policy: working days (DOMAIN.md defaults) */
    int notice_working_days;        /* INV-4: invitations sent closer are short notice */
    int response_working_days;      /* INV-7: default response deadline after inviting */
    int drift_working_days;         /* MTG-10: requested but not held within this */
    int feedback_working_days;      /* FAM-6: feedback to the family due after approval */
    int safeguarding_referral_working_days; /* ACT-4: a needed referral due after the hold */
    int minutes_due_working_days;   /* minutes distributed this long after holding */
    int escalation_stage_days[4];   /* ESC-2: due dates of stages 1 to 4 */
    /* The policies above only seed the first policy version of a new
     * database (mam migrate; OBL-1): the service reads them from there. */

    /* OBL-3: seconds between the reminder scheduler's runs; 0: none */
    int reminder_interval_s;

    /* Tokens */
    char *jwt_issuer;
    char *jwt_audience;
    char *jwt_hs256_secret; /* development */
    char *jwt_jwks_file;    /* production: RS256/ES256 public keys */
    int jwt_leeway_s;
    char *jwt_issuers_file; /* the issuers document (auth/idp_config.h reads it) */

    /* Integrations (INT-5, INT-6): core/config_integrations.c */
    config_integrations integrations;
} config;

/* libmicrohttpd's epoll loop takes at most 128 events per wait and, when it
 * gets 128, waits again before handling any: a thread whose every
 * connection (plus its wake-up descriptor) is ready at once sits until a
 * timeout with all of them unanswered. A thread holding at most 126
 * connections can never get 128 events (connections, the listening socket
 * and the wake-up descriptor), so each thread is given no more than that
 * (http/server.c; measured in tests/faults/test_connection_pressure.c). */
#define HTTP_CONNECTIONS_PER_THREAD_MAX 126

/* What the config is needed for: the token subcommand needs no database. */
enum config_purpose { CONFIG_FOR_SERVE, CONFIG_FOR_MIGRATE, CONFIG_FOR_TOKEN };

/* Returns 0 and fills cfg, or -1 after printing every problem to stderr. */
int config_load(config *cfg, enum config_purpose purpose);
void config_free(config *cfg);

/* Checks a CORS_ALLOWED_ORIGINS entry: scheme://host[:port], http or https,
 * no path, no wildcard. */
bool config_origin_valid(const char *origin);

/* Reads the integration settings (config_integrations.c); counts each
 * problem in *bad after printing it. */
void config_load_integrations(config_integrations *c, int *bad);
void config_free_integrations(config_integrations *c);

/* WEBHOOK_ALLOWED_HOSTS entries: a lower-case host name, "*." and a
 * suffix, or an IPv4 literal. */
bool config_host_pattern_valid(const char *pattern);
/* Is host (any case) allowed by the list? "*.example.org" allows every
 * name under example.org, not example.org itself. */
bool config_host_allowed(const config_integrations *c, const char *host);

/* WEBHOOK_RETRY_SCHEDULE_S: comma-separated delays in seconds (1 to
 * 604800), at most CONFIG_RETRY_MAX; returns how many, or -1. */
int config_parse_schedule(const char *text, int *out, int max);

/* Parses a whole decimal integer within [min, max]; 0 on success. */
int config_parse_int(const char *text, long min, long max, long *out);

/* For the configuration's own modules (config.c, config_integrations.c):
 * a variable's value, NULL when unset or empty; and an integer variable,
 * the fallback when unset, a bad value reported and counted in *bad. */
const char *config_env(const char *name);
long config_env_int(const char *name, long fallback, long min, long max, int *bad);

#endif
