/* The settings of webhooks (INT-5) and calendars (INT-6), read from the
 * environment with the rest of the configuration (core/config.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/config.h"
#include "core/secret.h"
#include "core/xalloc.h"

/* The Standard Webhooks example schedule: 5 s, 5 min, 30 min, 2 h, 5 h,
 * 10 h, 14 h, 20 h, 24 h after each failure, about three days in all. */
static const int default_schedule[] = {5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400};

int config_parse_schedule(const char *text, int *out, int max)
{
    int n = 0;
    const char *p = text;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char part[16];
        long v;
        if (n == max || len == 0 || len >= sizeof part)
            return -1;
        memcpy(part, p, len);
        part[len] = '\0';
        if (config_parse_int(part, 1, 604800, &v) != 0)
            return -1;
        out[n++] = (int)v;
        if (!comma)
            return n;
        p = comma + 1;
    }
}

static bool ipv4_literal(const char *s)
{
    int parts = 0;
    while (*s) {
        int digits = 0, v = 0;
        while (*s >= '0' && *s <= '9') {
            v = v * 10 + (*s++ - '0');
            if (++digits > 3 || v > 255)
                return false;
        }
        if (digits == 0)
            return false;
        parts++;
        if (*s == '.')
            s++;
        else if (*s)
            return false;
        else
            break;
    }
    return parts == 4;
}

static bool host_name(const char *s)
{
    size_t n = strlen(s), label = 0;
    if (n == 0 || n > 253 || s[0] == '.' || s[n - 1] == '.')
        return false;
    for (const char *p = s; *p; p++) {
        if (*p == '.') {
            if (label == 0)
                return false;
            label = 0;
        } else if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-') {
            if (++label > 63)
                return false;
        } else {
            return false;
        }
    }
    return true;
}

bool config_host_pattern_valid(const char *pattern)
{
    if (strncmp(pattern, "*.", 2) == 0)
        return strchr(pattern + 2, '.') != NULL && host_name(pattern + 2);
    return ipv4_literal(pattern) || host_name(pattern);
}

bool config_host_allowed(const config_integrations *c, const char *host)
{
    size_t n = strlen(host);
    if (n == 0 || n > 253)
        return false;
    for (int i = 0; i < c->n_webhook_allowed_hosts; i++) {
        const char *pat = c->webhook_allowed_hosts[i];
        if (strncmp(pat, "*.", 2) == 0) {
            size_t suffix = strlen(pat + 1); /* ".example.org" */
            if (n > suffix && strcasecmp(host + n - suffix, pat + 1) == 0)
                return true;
        } else if (strcasecmp(host, pat) == 0) {
            return true;
        }
    }
    return false;
}

static void parse_hosts(config_integrations *c, int *bad)
{
    const char *v = config_env("WEBHOOK_ALLOWED_HOSTS");
    if (!v)
        return;
    char *copy = xstrdup(v), *save = NULL;
    c->webhook_allowed_hosts = xcalloc(CONFIG_ALLOWED_HOSTS_MAX, sizeof *c->webhook_allowed_hosts);
    for (char *h = strtok_r(copy, ",", &save); h; h = strtok_r(NULL, ",", &save)) {
        while (*h == ' ')
            h++;
        size_t n = strlen(h);
        while (n > 0 && h[n - 1] == ' ')
            h[--n] = '\0';
        if (!config_host_pattern_valid(h)) {
            fprintf(stderr, "config: WEBHOOK_ALLOWED_HOSTS: \"%.100s\" is not a lower-case host "
                            "name, *.suffix or IPv4 address\n", h);
            (*bad)++;
        } else if (c->n_webhook_allowed_hosts == CONFIG_ALLOWED_HOSTS_MAX) {
            fprintf(stderr, "config: WEBHOOK_ALLOWED_HOSTS holds more than %d entries\n",
                    CONFIG_ALLOWED_HOSTS_MAX);
            (*bad)++;
            break;
        } else {
            c->webhook_allowed_hosts[c->n_webhook_allowed_hosts++] = xstrdup(h);
        }
    }
    free(copy);
}

static void parse_key(config_integrations *c, int *bad)
{
    const char *v = config_env("WEBHOOK_SECRET_KEY");
    if (!v) {
        if (c->n_webhook_allowed_hosts > 0) {
            fprintf(stderr, "config: WEBHOOK_SECRET_KEY (32 random bytes, base64) is required "
                            "with WEBHOOK_ALLOWED_HOSTS: endpoint secrets are stored sealed "
                            "with it\n");
            (*bad)++;
        }
        return;
    }
    unsigned char key[64];
    long n = secret_base64_decode(v, key, sizeof key);
    if (n != SECRET_KEY_BYTES) {
        fprintf(stderr, "config: WEBHOOK_SECRET_KEY must be 32 bytes in base64 (head -c 32 "
                        "/dev/urandom | base64)\n");
        (*bad)++;
        return;
    }
    memcpy(c->webhook_secret_key, key, SECRET_KEY_BYTES);
    c->has_webhook_secret_key = true;
}

static bool base_url_valid(const char *u)
{
    const char *p;
    if (strncmp(u, "https://", 8) == 0)
        p = u + 8;
    else if (strncmp(u, "http://", 7) == 0)
        p = u + 7;
    else
        return false;
    if (!*p || strlen(u) > 200 || u[strlen(u) - 1] == '/')
        return false;
    for (; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("-._~:/[]", *p))
            return false;
    return true;
}

void config_load_integrations(config_integrations *c, int *bad)
{
    memset(c, 0, sizeof *c);
    const char *base = config_env("PUBLIC_BASE_URL");
    if (base && !base_url_valid(base)) {
        fprintf(stderr, "config: PUBLIC_BASE_URL must be an http(s) URL without a trailing "
                        "slash, query or fragment, such as https://mam.example.org\n");
        (*bad)++;
    } else if (base) {
        c->public_base_url = xstrdup(base);
    }
    c->webhook_workers = (int)config_env_int("WEBHOOK_WORKERS", 2, 0, 64, bad);
    c->webhook_timeout_ms = (int)config_env_int("WEBHOOK_TIMEOUT_MS", 15000, 100, 120000, bad);
    c->webhook_connect_timeout_ms =
        (int)config_env_int("WEBHOOK_CONNECT_TIMEOUT_MS", 5000, 100, 60000, bad);
    c->webhook_poll_interval_ms = (int)config_env_int("WEBHOOK_POLL_INTERVAL_MS", 1000, 10, 60000, bad);
    c->webhook_batch = (int)config_env_int("WEBHOOK_BATCH", 20, 1, 500, bad);
    c->webhook_rotation_overlap_s =
        (int)config_env_int("WEBHOOK_ROTATION_OVERLAP_S", 86400, 0, 30 * 86400, bad);
    const char *schedule = config_env("WEBHOOK_RETRY_SCHEDULE_S");
    if (schedule) {
        c->n_webhook_retry = config_parse_schedule(schedule, c->webhook_retry_s, CONFIG_RETRY_MAX);
        if (c->n_webhook_retry < 1) {
            fprintf(stderr, "config: WEBHOOK_RETRY_SCHEDULE_S must be 1 to %d delays in seconds "
                            "(1 to 604800), such as 5,300,1800,7200\n", CONFIG_RETRY_MAX);
            (*bad)++;
            c->n_webhook_retry = 0;
        }
    }
    if (c->n_webhook_retry == 0) {
        c->n_webhook_retry = (int)(sizeof default_schedule / sizeof default_schedule[0]);
        memcpy(c->webhook_retry_s, default_schedule, sizeof default_schedule);
    }
    const char *loopback = config_env("WEBHOOK_ALLOW_LOOPBACK");
    if (loopback && strcmp(loopback, "true") != 0 && strcmp(loopback, "false") != 0) {
        fprintf(stderr, "config: WEBHOOK_ALLOW_LOOPBACK must be true or false\n");
        (*bad)++;
    }
    c->webhook_allow_loopback = loopback && strcmp(loopback, "true") == 0;
    parse_hosts(c, bad);
    parse_key(c, bad);
    c->calendar_token_ttl_days = (int)config_env_int("CALENDAR_TOKEN_TTL_DAYS", 365, 1, 3650, bad);
    c->calendar_feed_min_interval_s =
        (int)config_env_int("CALENDAR_FEED_MIN_INTERVAL_S", 60, 0, 86400, bad);
}

void config_free_integrations(config_integrations *c)
{
    free(c->public_base_url);
    for (int i = 0; i < c->n_webhook_allowed_hosts; i++)
        free(c->webhook_allowed_hosts[i]);
    free(c->webhook_allowed_hosts);
    memset(c, 0, sizeof *c);
}
