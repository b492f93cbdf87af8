/* Settings from the environment (core/config.c). Criterion runs each test
 * in its own process, so each test sets the environment it needs. */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yder.h>

#include "auth/idp_config.h"
#include "core/config.h"

#define DEV_SECRET "0123456789abcdef0123456789abcdef" /* exactly 32 bytes */

static const char *const all_vars[] = {
    "PORT",          "BIND_ADDRESS",          "HTTP_THREADS",          "HTTP_CONNECTION_LIMIT",
    "HTTP_CONNECTION_TIMEOUT_S", "MAX_BODY_BYTES", "OPENAPI_FILE",     "DATABASE_URL", "MIGRATION_DATABASE_URL",
    "DB_POOL_SIZE",  "DB_ACQUIRE_TIMEOUT_MS", "DB_STATEMENT_TIMEOUT_MS", "LOG_LEVEL",
    "JWT_ISSUER",    "JWT_AUDIENCE",          "JWT_HS256_SECRET",      "JWT_JWKS_FILE",
    "JWT_LEEWAY_S",  "REQUEST_TIMEOUT_S",     "NOTICE_WORKING_DAYS",   "RESPONSE_WORKING_DAYS",
    "DRIFT_WORKING_DAYS", "FEEDBACK_WORKING_DAYS", "SAFEGUARDING_REFERRAL_WORKING_DAYS",
    "MINUTES_DUE_WORKING_DAYS", "ESCALATION_STAGE_WORKING_DAYS", "JWT_ISSUERS_FILE",
    "CORS_ALLOWED_ORIGINS", "CORS_MAX_AGE_S", "LOG_FORMAT", NULL};

static void clear_env(void)
{
    for (int i = 0; all_vars[i]; i++)
        unsetenv(all_vars[i]);
}

/* The least a development service needs. */
static void dev_env(void)
{
    clear_env();
    setenv("DATABASE_URL", "postgresql:///mam_test", 1);
    setenv("JWT_ISSUER", "https://idp.example.test", 1);
    setenv("JWT_AUDIENCE", "mam-api", 1);
    setenv("JWT_HS256_SECRET", DEV_SECRET, 1);
}

static char err_text[8192];

/* config_load with stderr captured into err_text. */
static int load(config *cfg, enum config_purpose purpose)
{
    fflush(stderr);
    FILE *tmp = tmpfile();
    cr_assert_not_null(tmp);
    int saved = dup(STDERR_FILENO);
    cr_assert_geq(saved, 0);
    dup2(fileno(tmp), STDERR_FILENO);
    int rc = config_load(cfg, purpose);
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    rewind(tmp);
    size_t n = fread(err_text, 1, sizeof err_text - 1, tmp);
    err_text[n] = '\0';
    fclose(tmp);
    return rc;
}

/* A load that must fail, naming `what` in its report. */
static void assert_refused(enum config_purpose purpose, const char *what)
{
    config cfg;
    int rc = load(&cfg, purpose);
    if (rc == 0)
        config_free(&cfg);
    cr_assert_eq(rc, -1, "expected a refusal naming %s", what);
    cr_assert(strstr(err_text, what), "the report names %s: %s", what, err_text);
    cr_assert_null(cfg.database_url, "a refused config is freed");
    cr_assert_null(cfg.bind_address, "a refused config is freed");
}

static void assert_loads(enum config_purpose purpose)
{
    config cfg;
    int rc = load(&cfg, purpose);
    if (rc == 0)
        config_free(&cfg);
    cr_assert_eq(rc, 0, "expected to load, got: %s", err_text);
}

Test(config, development_config_loads_with_documented_defaults)
{
    dev_env();
    config cfg;
    cr_assert_eq(load(&cfg, CONFIG_FOR_SERVE), 0, "%s", err_text);
    cr_assert_eq(cfg.port, 8080);
    cr_assert_str_eq(cfg.bind_address, "0.0.0.0");
    /* 1024 connections and 128 over the limit, at most 126 a thread */
    cr_assert_eq(cfg.http_threads, 10);
    cr_assert_eq(cfg.http_connection_limit, 1024);
    cr_assert_eq(cfg.http_over_limit_room, 128);
    cr_assert_eq(cfg.http_connection_timeout_s, 30);
    cr_assert_eq(cfg.request_timeout_s, 30);
    cr_assert_eq(cfg.max_body_bytes, 1048576u);
    cr_assert_str_eq(cfg.openapi_file, "openapi.yaml");
    cr_assert_str_eq(cfg.database_url, "postgresql:///mam_test");
    cr_assert_eq(cfg.db_pool_size, 8);
    cr_assert_eq(cfg.db_acquire_timeout_ms, 2000);
    cr_assert_eq(cfg.db_statement_timeout_ms, 5000);
    cr_assert_eq(cfg.log_level, (unsigned long)Y_LOG_LEVEL_INFO);
    cr_assert_str_eq(cfg.log_level_name, "info");
    cr_assert_str_eq(cfg.jwt_issuer, "https://idp.example.test");
    cr_assert_str_eq(cfg.jwt_audience, "mam-api");
    cr_assert_str_eq(cfg.jwt_hs256_secret, DEV_SECRET);
    cr_assert_null(cfg.jwt_jwks_file);
    cr_assert_eq(cfg.jwt_leeway_s, 30);
    /* policy defaults: DOMAIN.md (INV-4, MTG-10, FAM-6, ESC-2) and README */
    cr_assert_eq(cfg.notice_working_days, 5);
    cr_assert_eq(cfg.response_working_days, 3);
    cr_assert_eq(cfg.drift_working_days, 20);
    cr_assert_eq(cfg.feedback_working_days, 5);
    cr_assert_eq(cfg.safeguarding_referral_working_days, 1);
    cr_assert_eq(cfg.minutes_due_working_days, 15);
    cr_assert_eq(cfg.escalation_stage_days[0], 5);
    cr_assert_eq(cfg.escalation_stage_days[1], 5);
    cr_assert_eq(cfg.escalation_stage_days[2], 10);
    cr_assert_eq(cfg.escalation_stage_days[3], 10);
    cr_assert_str_eq(err_text, "", "nothing reported: %s", err_text);
    config_free(&cfg);
    cr_assert_null(cfg.database_url, "config_free clears the struct");
    config_free(&cfg); /* and a second free is harmless */
}

/* libmicrohttpd stalls a thread that gets 128 events in one wait (see
 * HTTP_CONNECTIONS_PER_THREAD_MAX): threads are sized from the limit, and
 * too few of them are refused (issue 20). */
Test(config, http_threads_follow_the_connection_limit)
{
    dev_env();
    config cfg;
    setenv("HTTP_CONNECTION_LIMIT", "64", 1);
    cr_assert_eq(load(&cfg, CONFIG_FOR_SERVE), 0, "%s", err_text);
    cr_assert_eq(cfg.http_threads, 8, "small limits keep 8 threads");
    cr_assert_eq(cfg.http_over_limit_room, 16);
    config_free(&cfg);

    setenv("HTTP_CONNECTION_LIMIT", "4096", 1);
    cr_assert_eq(load(&cfg, CONFIG_FOR_SERVE), 0, "%s", err_text);
    cr_assert_eq(cfg.http_threads, 37, "(4096 + 512) / 126, rounded up");
    cr_assert_leq((cfg.http_connection_limit + cfg.http_over_limit_room) / cfg.http_threads,
                  HTTP_CONNECTIONS_PER_THREAD_MAX);
    config_free(&cfg);

    setenv("HTTP_CONNECTION_LIMIT", "1024", 1);
    setenv("HTTP_THREADS", "8", 1);
    cr_assert_neq(load(&cfg, CONFIG_FOR_SERVE), 0, "8 threads cannot hold 1152 connections");
    cr_assert(strstr(err_text, "HTTP_THREADS=8 is too few"), "%s", err_text);
    cr_assert(strstr(err_text, "use 10 or more"), "%s", err_text);

    setenv("HTTP_THREADS", "10", 1);
    cr_assert_eq(load(&cfg, CONFIG_FOR_SERVE), 0, "%s", err_text);
    cr_assert_eq(cfg.http_threads, 10);
    config_free(&cfg);

    unsetenv("HTTP_THREADS");
    setenv("HTTP_CONNECTION_LIMIT", "40000", 1);
    cr_assert_neq(load(&cfg, CONFIG_FOR_SERVE), 0, "a limit needing over 256 threads");
    cr_assert(strstr(err_text, "more than 256"), "%s", err_text);
}

Test(config, every_setting_is_read)
{
    dev_env();
    setenv("PORT", "9090", 1);
    setenv("BIND_ADDRESS", "127.0.0.1", 1);
    setenv("HTTP_THREADS", "4", 1);
    setenv("HTTP_CONNECTION_LIMIT", "64", 1);
    setenv("HTTP_CONNECTION_TIMEOUT_S", "10", 1);
    setenv("MAX_BODY_BYTES", "2048", 1);
    setenv("OPENAPI_FILE", "/srv/openapi.yaml", 1);
    setenv("DB_POOL_SIZE", "2", 1);
    setenv("DB_ACQUIRE_TIMEOUT_MS", "100", 1);
    setenv("DB_STATEMENT_TIMEOUT_MS", "1000", 1);
    setenv("LOG_LEVEL", "debug", 1);
    setenv("JWT_LEEWAY_S", "0", 1);
    setenv("REQUEST_TIMEOUT_S", "45", 1);
    setenv("NOTICE_WORKING_DAYS", "7", 1);
    setenv("RESPONSE_WORKING_DAYS", "4", 1);
    setenv("DRIFT_WORKING_DAYS", "30", 1);
    setenv("FEEDBACK_WORKING_DAYS", "6", 1);
    setenv("SAFEGUARDING_REFERRAL_WORKING_DAYS", "2", 1);
    setenv("MINUTES_DUE_WORKING_DAYS", "12", 1);
    setenv("ESCALATION_STAGE_WORKING_DAYS", "2,3,7,9", 1);
    config cfg;
    cr_assert_eq(load(&cfg, CONFIG_FOR_SERVE), 0, "%s", err_text);
    cr_assert_eq(cfg.port, 9090);
    cr_assert_str_eq(cfg.bind_address, "127.0.0.1");
    cr_assert_eq(cfg.http_threads, 4);
    cr_assert_eq(cfg.http_connection_limit, 64);
    cr_assert_eq(cfg.http_connection_timeout_s, 10);
    cr_assert_eq(cfg.max_body_bytes, 2048u);
    cr_assert_str_eq(cfg.openapi_file, "/srv/openapi.yaml");
    cr_assert_eq(cfg.db_pool_size, 2);
    cr_assert_eq(cfg.db_acquire_timeout_ms, 100);
    cr_assert_eq(cfg.db_statement_timeout_ms, 1000);
    cr_assert_eq(cfg.log_level, (unsigned long)Y_LOG_LEVEL_DEBUG);
    cr_assert_str_eq(cfg.log_level_name, "debug");
    cr_assert_eq(cfg.jwt_leeway_s, 0);
    cr_assert_eq(cfg.request_timeout_s, 45);
    cr_assert_eq(cfg.notice_working_days, 7);
    cr_assert_eq(cfg.response_working_days, 4);
    cr_assert_eq(cfg.drift_working_days, 30);
    cr_assert_eq(cfg.feedback_working_days, 6);
    cr_assert_eq(cfg.safeguarding_referral_working_days, 2);
    cr_assert_eq(cfg.minutes_due_working_days, 12);
    cr_assert_eq(cfg.escalation_stage_days[0], 2);
    cr_assert_eq(cfg.escalation_stage_days[1], 3);
    cr_assert_eq(cfg.escalation_stage_days[2], 7);
    cr_assert_eq(cfg.escalation_stage_days[3], 9);
    config_free(&cfg);
}

Test(config, every_log_level_is_accepted)
{
    static const struct {
        const char *name;
        unsigned long level;
    } levels[] = {{"error", Y_LOG_LEVEL_ERROR},
                  {"warning", Y_LOG_LEVEL_WARNING},
                  {"info", Y_LOG_LEVEL_INFO},
                  {"debug", Y_LOG_LEVEL_DEBUG}};
    for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++) {
        dev_env();
        setenv("LOG_LEVEL", levels[i].name, 1);
        config cfg;
        cr_assert_eq(load(&cfg, CONFIG_FOR_SERVE), 0, "%s: %s", levels[i].name, err_text);
        cr_assert_eq(cfg.log_level, levels[i].level, "%s", levels[i].name);
        cr_assert_str_eq(cfg.log_level_name, levels[i].name);
        config_free(&cfg);
    }
}

Test(config, empty_variables_count_as_unset)
{
    dev_env();
    setenv("PORT", "", 1);
    setenv("LOG_LEVEL", "", 1);
    setenv("BIND_ADDRESS", "", 1);
    config cfg;
    cr_assert_eq(load(&cfg, CONFIG_FOR_SERVE), 0, "%s", err_text);
    cr_assert_eq(cfg.port, 8080);
    cr_assert_str_eq(cfg.log_level_name, "info");
    cr_assert_str_eq(cfg.bind_address, "0.0.0.0");
    config_free(&cfg);

    setenv("DATABASE_URL", "", 1);
    assert_refused(CONFIG_FOR_SERVE, "DATABASE_URL");
}

Test(config, port_0_refused)
{
    dev_env();
    setenv("PORT", "0", 1);
    assert_refused(CONFIG_FOR_SERVE, "PORT");
}

Test(config, port_abc_refused)
{
    dev_env();
    setenv("PORT", "abc", 1);
    assert_refused(CONFIG_FOR_SERVE, "PORT");
}

Test(config, port_bounds)
{
    dev_env();
    setenv("PORT", "65536", 1);
    assert_refused(CONFIG_FOR_SERVE, "PORT");
    setenv("PORT", "-1", 1);
    assert_refused(CONFIG_FOR_SERVE, "PORT");
    setenv("PORT", "80 ", 1);
    assert_refused(CONFIG_FOR_SERVE, "PORT");
    setenv("PORT", "65535", 1);
    assert_loads(CONFIG_FOR_SERVE);
    setenv("PORT", "1", 1);
    assert_loads(CONFIG_FOR_SERVE);
}

Test(config, db_pool_size_0_refused)
{
    dev_env();
    setenv("DB_POOL_SIZE", "0", 1);
    assert_refused(CONFIG_FOR_SERVE, "DB_POOL_SIZE");
}

Test(config, max_body_bytes_10_refused)
{
    dev_env();
    setenv("MAX_BODY_BYTES", "10", 1);
    assert_refused(CONFIG_FOR_SERVE, "MAX_BODY_BYTES");
    setenv("MAX_BODY_BYTES", "1024", 1);
    assert_loads(CONFIG_FOR_SERVE);
}

Test(config, other_integer_settings_bounded)
{
    static const struct {
        const char *name, *bad;
    } cases[] = {
        {"HTTP_THREADS", "0"},           {"HTTP_THREADS", "257"},
        {"HTTP_CONNECTION_LIMIT", "15"}, {"HTTP_CONNECTION_TIMEOUT_S", "0"},
        {"DB_ACQUIRE_TIMEOUT_MS", "0"},  {"DB_STATEMENT_TIMEOUT_MS", "99"},
        {"JWT_LEEWAY_S", "301"},         {"JWT_LEEWAY_S", "-5"},
        {"DB_POOL_SIZE", "513"},         {"MAX_BODY_BYTES", "67108865"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        dev_env();
        setenv(cases[i].name, cases[i].bad, 1);
        assert_refused(CONFIG_FOR_SERVE, cases[i].name);
    }
}

Test(config, request_timeout_and_policy_days_bounded)
{
    static const struct {
        const char *name, *bad;
    } cases[] = {
        {"REQUEST_TIMEOUT_S", "0"},          {"REQUEST_TIMEOUT_S", "3601"},
        {"REQUEST_TIMEOUT_S", "30s"},        {"NOTICE_WORKING_DAYS", "101"},
        {"NOTICE_WORKING_DAYS", "-1"},       {"NOTICE_WORKING_DAYS", "five"},
        {"RESPONSE_WORKING_DAYS", "0"},      {"RESPONSE_WORKING_DAYS", "101"},
        {"RESPONSE_WORKING_DAYS", "2.5"},    {"DRIFT_WORKING_DAYS", "0"},
        {"DRIFT_WORKING_DAYS", "501"},       {"DRIFT_WORKING_DAYS", " 20"},
        {"FEEDBACK_WORKING_DAYS", "0"},      {"FEEDBACK_WORKING_DAYS", "101"},
        {"FEEDBACK_WORKING_DAYS", "-5"},     {"MINUTES_DUE_WORKING_DAYS", "0"},
        {"MINUTES_DUE_WORKING_DAYS", "201"}, {"MINUTES_DUE_WORKING_DAYS", "abc"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        dev_env();
        setenv(cases[i].name, cases[i].bad, 1);
        assert_refused(CONFIG_FOR_SERVE, cases[i].name);
        cr_assert(strstr(err_text, "must be a whole number from"), "%s=%s: %s", cases[i].name,
                  cases[i].bad, err_text);
    }
}

Test(config, request_timeout_and_policy_days_edges_accepted)
{
    static const struct {
        const char *name, *good;
    } cases[] = {
        {"REQUEST_TIMEOUT_S", "1"},        {"REQUEST_TIMEOUT_S", "3600"},
        {"NOTICE_WORKING_DAYS", "100"},    {"RESPONSE_WORKING_DAYS", "1"},
        {"RESPONSE_WORKING_DAYS", "100"},  {"DRIFT_WORKING_DAYS", "1"},
        {"DRIFT_WORKING_DAYS", "500"},     {"FEEDBACK_WORKING_DAYS", "1"},
        {"FEEDBACK_WORKING_DAYS", "100"},  {"MINUTES_DUE_WORKING_DAYS", "1"},
        {"MINUTES_DUE_WORKING_DAYS", "200"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        dev_env();
        setenv(cases[i].name, cases[i].good, 1);
        assert_loads(CONFIG_FOR_SERVE);
    }
}

/* NOTICE_WORKING_DAYS alone may be 0 (no notice expected, so no invitation
 * is short notice); the other policy windows start at 1. */
Test(config, notice_working_days_may_be_0)
{
    dev_env();
    setenv("NOTICE_WORKING_DAYS", "0", 1);
    config cfg;
    cr_assert_eq(load(&cfg, CONFIG_FOR_SERVE), 0, "%s", err_text);
    cr_assert_eq(cfg.notice_working_days, 0);
    config_free(&cfg);
}

Test(config, escalation_stage_days_take_four_numbers)
{
    dev_env();
    setenv("ESCALATION_STAGE_WORKING_DAYS", "1,100,007,42", 1);
    config cfg;
    cr_assert_eq(load(&cfg, CONFIG_FOR_SERVE), 0, "%s", err_text);
    cr_assert_eq(cfg.escalation_stage_days[0], 1);
    cr_assert_eq(cfg.escalation_stage_days[1], 100);
    cr_assert_eq(cfg.escalation_stage_days[2], 7, "leading zeros are decimal");
    cr_assert_eq(cfg.escalation_stage_days[3], 42);
    cr_assert_str_eq(err_text, "", "nothing reported: %s", err_text);
    config_free(&cfg);
}

Test(config, escalation_stage_days_bad_forms_refused)
{
    static const char *const bad[] = {
        "5",          "5,5,10",       "5,5,10,10,10", "a,b,c,d",    "5,5,10,x",
        "0,5,10,10",  "5,5,10,0",     "-1,5,10,10",   "5,5,10,101", "5;5;10;10",
        "5, 5,10,10", "5,5,10,10 ",   "5.5,5,10,10",  ",",          "1e1,5,10,10",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        dev_env();
        setenv("ESCALATION_STAGE_WORKING_DAYS", bad[i], 1);
        assert_refused(CONFIG_FOR_SERVE, "ESCALATION_STAGE_WORKING_DAYS");
        cr_assert(strstr(err_text, "four numbers from 1 to 100"), "%s: %s", bad[i], err_text);
        cr_assert(strstr(err_text, "1 problem;"), "one problem for %s: %s", bad[i], err_text);
    }
}

/* Every field counts: an empty one is not skipped, and a value too long to
 * be four numbers is refused, not cut short to its first 63 characters. */
Test(config, escalation_stage_days_empty_fields_and_overlong_values_refused)
{
    static const char *const loose[] = {"5,,5,10,10", ",5,5,10,10", "5,5,10,10,", "5,5,,10",
                                        "5,5,10,10,                                              "
                                        "          5"};
    for (size_t i = 0; i < sizeof loose / sizeof loose[0]; i++) {
        dev_env();
        setenv("ESCALATION_STAGE_WORKING_DAYS", loose[i], 1);
        assert_refused(CONFIG_FOR_SERVE, "ESCALATION_STAGE_WORKING_DAYS");
    }
}

Test(config, log_level_loud_refused)
{
    dev_env();
    setenv("LOG_LEVEL", "loud", 1);
    assert_refused(CONFIG_FOR_SERVE, "LOG_LEVEL");
    setenv("LOG_LEVEL", "INFO", 1);
    assert_refused(CONFIG_FOR_SERVE, "LOG_LEVEL");
}

Test(config, every_bad_value_reported_at_once)
{
    dev_env();
    setenv("PORT", "0", 1);
    setenv("DB_POOL_SIZE", "0", 1);
    setenv("MAX_BODY_BYTES", "10", 1);
    setenv("LOG_LEVEL", "loud", 1);
    unsetenv("DATABASE_URL");
    config cfg;
    int rc = load(&cfg, CONFIG_FOR_SERVE);
    cr_assert_eq(rc, -1);
    const char *names[] = {"PORT", "DB_POOL_SIZE", "MAX_BODY_BYTES", "LOG_LEVEL", "DATABASE_URL"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        cr_assert(strstr(err_text, names[i]), "%s is reported: %s", names[i], err_text);
    cr_assert(strstr(err_text, "5 problems"), "the count: %s", err_text);
}

Test(config, both_token_keys_refused)
{
    dev_env();
    setenv("JWT_JWKS_FILE", "/dev/null", 1);
    assert_refused(CONFIG_FOR_SERVE, "not both");
}

Test(config, no_token_key_refused)
{
    dev_env();
    unsetenv("JWT_HS256_SECRET");
    assert_refused(CONFIG_FOR_SERVE, "JWT_HS256_SECRET");
    cr_assert(strstr(err_text, "JWT_JWKS_FILE"), "%s", err_text);
}

Test(config, short_hs256_secret_refused)
{
    dev_env();
    setenv("JWT_HS256_SECRET", "0123456789", 1);
    assert_refused(CONFIG_FOR_SERVE, "JWT_HS256_SECRET");
    setenv("JWT_HS256_SECRET", "0123456789abcdef0123456789abcde", 1); /* 31 bytes */
    assert_refused(CONFIG_FOR_SERVE, "32 bytes");
}

Test(config, issuer_and_audience_required)
{
    dev_env();
    unsetenv("JWT_ISSUER");
    assert_refused(CONFIG_FOR_SERVE, "JWT_ISSUER");
    dev_env();
    unsetenv("JWT_AUDIENCE");
    assert_refused(CONFIG_FOR_SERVE, "JWT_AUDIENCE");
}

Test(config, jwks_file_must_be_readable)
{
    dev_env();
    unsetenv("JWT_HS256_SECRET");
    setenv("JWT_JWKS_FILE", "/nonexistent/mam/jwks.json", 1);
    assert_refused(CONFIG_FOR_SERVE, "JWT_JWKS_FILE");
}

Test(config, readable_jwks_file_accepted)
{
    char path[] = "/tmp/mam-test-jwks-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, "{\"keys\":[]}", 11), 11);
    close(fd);
    dev_env();
    unsetenv("JWT_HS256_SECRET");
    setenv("JWT_JWKS_FILE", path, 1);
    config cfg;
    int rc = load(&cfg, CONFIG_FOR_SERVE);
    unlink(path);
    cr_assert_eq(rc, 0, "%s", err_text);
    cr_assert_str_eq(cfg.jwt_jwks_file, path);
    cr_assert_null(cfg.jwt_hs256_secret);
    config_free(&cfg);
}

Test(config, database_url_needed_to_serve_and_migrate_but_not_for_tokens)
{
    dev_env();
    unsetenv("DATABASE_URL");
    assert_refused(CONFIG_FOR_SERVE, "DATABASE_URL");
    assert_refused(CONFIG_FOR_MIGRATE, "DATABASE_URL");
    assert_loads(CONFIG_FOR_TOKEN);
}

Test(config, migrations_may_run_as_the_schema_owner_alone)
{
    clear_env();
    setenv("MIGRATION_DATABASE_URL", "postgresql://owner@/mam_test", 1);
    config cfg;
    cr_assert_eq(load(&cfg, CONFIG_FOR_MIGRATE), 0, "%s", err_text);
    cr_assert_str_eq(cfg.migration_database_url, "postgresql://owner@/mam_test");
    config_free(&cfg);
    assert_refused(CONFIG_FOR_SERVE, "DATABASE_URL");
}

Test(config, migrate_needs_no_token_settings)
{
    clear_env();
    setenv("DATABASE_URL", "postgresql:///mam_test", 1);
    assert_loads(CONFIG_FOR_MIGRATE);
}

Test(config, token_needs_secret_issuer_and_audience)
{
    clear_env();
    setenv("JWT_ISSUER", "https://idp.example.test", 1);
    setenv("JWT_AUDIENCE", "mam-api", 1);
    assert_refused(CONFIG_FOR_TOKEN, "JWT_HS256_SECRET");
    setenv("JWT_JWKS_FILE", "/dev/null", 1);
    assert_refused(CONFIG_FOR_TOKEN, "JWT_HS256_SECRET");
    setenv("JWT_HS256_SECRET", DEV_SECRET, 1);
    unsetenv("JWT_ISSUER");
    assert_refused(CONFIG_FOR_TOKEN, "JWT_ISSUER");
}

Test(config, parse_int_edges)
{
    long out = -42;
    cr_assert_eq(config_parse_int("0", 0, 10, &out), 0);
    cr_assert_eq(out, 0);
    cr_assert_eq(config_parse_int("10", 0, 10, &out), 0);
    cr_assert_eq(out, 10);
    cr_assert_eq(config_parse_int("007", 0, 10, &out), 0, "leading zeros are decimal");
    cr_assert_eq(out, 7);

    out = -42;
    cr_assert_eq(config_parse_int("11", 0, 10, &out), -1, "above max");
    cr_assert_eq(config_parse_int("4", 5, 10, &out), -1, "below min");
    cr_assert_eq(config_parse_int("-1", -5, 10, &out), -1, "signs are not accepted");
    cr_assert_eq(config_parse_int("+1", 0, 10, &out), -1);
    cr_assert_eq(config_parse_int(" 1", 0, 10, &out), -1);
    cr_assert_eq(config_parse_int("1 ", 0, 10, &out), -1);
    cr_assert_eq(config_parse_int("", 0, 10, &out), -1);
    cr_assert_eq(config_parse_int(NULL, 0, 10, &out), -1);
    cr_assert_eq(config_parse_int("abc", 0, 10, &out), -1);
    cr_assert_eq(config_parse_int("1e3", 0, 10000, &out), -1);
    cr_assert_eq(config_parse_int("0x10", 0, 100, &out), -1);
    cr_assert_eq(config_parse_int("1.5", 0, 10, &out), -1);
    cr_assert_eq(config_parse_int("99999999999999999999", 0, LONG_MAX, &out), -1, "overflow");
    cr_assert_eq(out, -42, "out is untouched on failure");

    char max[32];
    snprintf(max, sizeof max, "%ld", LONG_MAX);
    cr_assert_eq(config_parse_int(max, 0, LONG_MAX, &out), 0);
    cr_assert_eq(out, LONG_MAX);
}

/* ---- JWT_ISSUERS_FILE, CORS_ALLOWED_ORIGINS, LOG_FORMAT ---- */

static char *temp_file(const char *text)
{
    char *path = strdup("/tmp/mam-test-issuers-XXXXXX");
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static void issuers_env(const char *path)
{
    dev_env();
    unsetenv("JWT_ISSUER");
    unsetenv("JWT_AUDIENCE");
    unsetenv("JWT_HS256_SECRET");
    setenv("JWT_ISSUERS_FILE", path, 1);
}

#define GOOD_ISSUERS \
    "{\"issuers\": [{\"name\": \"council\", \"primary\": true, " \
    "\"issuer\": \"https://login.example.test/t/v2.0\", \"audience\": \"api://mam\", " \
    "\"keys\": {\"jwks_url\": \"https://login.example.test/t/keys\"}}]}"

/* idp_config_from_settings with its report captured into err_text. */
static idp_config *issuers_from(const config *cfg)
{
    FILE *tmp = tmpfile();
    cr_assert_not_null(tmp);
    idp_config *c = idp_config_from_settings(cfg, tmp);
    rewind(tmp);
    size_t n = fread(err_text, 1, sizeof err_text - 1, tmp);
    err_text[n] = '\0';
    fclose(tmp);
    return c;
}

Test(config, IDP_1_issuers_file_accepted)
{
    char *path = temp_file(GOOD_ISSUERS);
    issuers_env(path);
    config cfg;
    int rc = load(&cfg, CONFIG_FOR_SERVE);
    cr_assert_eq(rc, 0, "%s", err_text);
    idp_config *idp = issuers_from(&cfg);
    unlink(path);
    free(path);
    cr_assert_not_null(idp, "%s", err_text);
    cr_assert_eq(idp->n_issuers, 1);
    cr_assert_eq(idp->issuers[0].leeway_s, 30, "JWT_LEEWAY_S is every issuer's default");
    idp_config_free(idp);
    config_free(&cfg);
}

Test(config, IDP_1_issuers_file_problems_are_all_listed)
{
    char *path = temp_file("{\"issuers\": [{\"name\": \"Council!\", \"issuer\": \"\", "
                           "\"keys\": {\"jwks_url\": \"http://idp.example.test/keys\"}, "
                           "\"claims\": {\"agency\": {\"fixed\": \"lower\"}}, \"colour\": 1}]}");
    issuers_env(path);
    config cfg;
    cr_assert_eq(load(&cfg, CONFIG_FOR_SERVE), 0, "the settings themselves are fine: %s", err_text);
    idp_config *idp = issuers_from(&cfg);
    unlink(path);
    free(path);
    cr_assert_null(idp);
    config_free(&cfg);
    static const char *const named[] = {".name", ".issuer", ".audience", "jwks_url", "fixed",
                                        "colour"};
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        cr_assert(strstr(err_text, named[i]), "the report names %s: %s", named[i], err_text);
    cr_assert(strstr(err_text, "problems in JWT_ISSUERS_FILE; not starting"), "%s", err_text);
}

Test(config, IDP_1_issuers_file_excludes_the_shorthand)
{
    char *path = temp_file(GOOD_ISSUERS);
    issuers_env(path);
    setenv("JWT_ISSUER", "https://idp.example.test", 1);
    setenv("JWT_HS256_SECRET", DEV_SECRET, 1);
    assert_refused(CONFIG_FOR_SERVE, "JWT_ISSUER belongs to the single-issuer shorthand");
    cr_assert(strstr(err_text, "JWT_HS256_SECRET belongs"), "%s", err_text);
    unlink(path);
    free(path);
    issuers_env("/nonexistent/mam/issuers.json");
    assert_refused(CONFIG_FOR_SERVE, "JWT_ISSUERS_FILE /nonexistent/mam/issuers.json cannot be read");
}

Test(config, IDP_1_shorthand_is_one_primary_issuer)
{
    dev_env();
    config cfg;
    cr_assert_eq(load(&cfg, CONFIG_FOR_SERVE), 0, "%s", err_text);
    idp_config *idp = issuers_from(&cfg);
    cr_assert_not_null(idp);
    cr_assert_eq(idp->n_issuers, 1);
    cr_assert(idp->issuers[0].primary);
    cr_assert_str_eq(idp->issuers[0].issuer, "https://idp.example.test");
    cr_assert_eq(idp->issuers[0].key_source, IDP_KEYS_HS256);
    idp_config_free(idp);
    config_free(&cfg);
}

Test(config, CORS_origins_are_exact_and_never_a_wildcard)
{
    dev_env();
    setenv("CORS_ALLOWED_ORIGINS", "https://app.example.org, http://127.0.0.1:3000,https://[::1]:8443",
           1);
    config cfg;
    cr_assert_eq(load(&cfg, CONFIG_FOR_SERVE), 0, "%s", err_text);
    cr_assert_eq(cfg.n_cors_origins, 3);
    cr_assert_str_eq(cfg.cors_origins[0], "https://app.example.org");
    cr_assert_str_eq(cfg.cors_origins[1], "http://127.0.0.1:3000");
    cr_assert_eq(cfg.cors_max_age_s, 600);
    config_free(&cfg);

    static const char *const refused[] = {"*", "https://*.example.org", "https://app.example.org/",
                                          "https://App.example.org", "ftp://app.example.org",
                                          "https://user@app.example.org", "app.example.org",
                                          "https://app.example.org:", "https://app.example.org:123456"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        dev_env();
        setenv("CORS_ALLOWED_ORIGINS", refused[i], 1);
        assert_refused(CONFIG_FOR_SERVE, "CORS_ALLOWED_ORIGINS");
    }
    cr_assert(!config_origin_valid("null"));
    cr_assert(config_origin_valid("http://localhost:8080"));
}

Test(config, log_format_is_text_or_json)
{
    dev_env();
    config cfg;
    cr_assert_eq(load(&cfg, CONFIG_FOR_SERVE), 0, "%s", err_text);
    cr_assert(!cfg.log_json, "text by default");
    config_free(&cfg);
    setenv("LOG_FORMAT", "json", 1);
    cr_assert_eq(load(&cfg, CONFIG_FOR_SERVE), 0, "%s", err_text);
    cr_assert(cfg.log_json);
    config_free(&cfg);
    setenv("LOG_FORMAT", "xml", 1);
    assert_refused(CONFIG_FOR_SERVE, "LOG_FORMAT");
}

/* ACT-4: a needed safeguarding referral is due SAFEGUARDING_REFERRAL_WORKING_DAYS
 * after the meeting is held: 1 by default, 0 (the same day) to 20. */
Test(config, ACT_4_safeguarding_referral_days_default_1_and_bounds)
{
    dev_env();
    assert_loads(CONFIG_FOR_SERVE);
    config cfg;
    cr_assert_eq(load(&cfg, CONFIG_FOR_SERVE), 0, "%s", err_text);
    cr_assert_eq(cfg.safeguarding_referral_working_days, 1);
    config_free(&cfg);
    static const char *const good[] = {"0", "1", "20"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        dev_env();
        setenv("SAFEGUARDING_REFERRAL_WORKING_DAYS", good[i], 1);
        cr_assert_eq(load(&cfg, CONFIG_FOR_SERVE), 0, "%s: %s", good[i], err_text);
        cr_assert_eq(cfg.safeguarding_referral_working_days, atoi(good[i]));
        config_free(&cfg);
    }
    static const char *const bad[] = {"-1", "21", "one", "1.5"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        dev_env();
        setenv("SAFEGUARDING_REFERRAL_WORKING_DAYS", bad[i], 1);
        assert_refused(CONFIG_FOR_SERVE, "SAFEGUARDING_REFERRAL_WORKING_DAYS");
        cr_assert(strstr(err_text, "must be a whole number from"), "%s: %s", bad[i], err_text);
    }
}
