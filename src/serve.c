#include "serve.h"

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yder.h>

#include "api/routes.h"
#include "auth/keys.h"
#include "auth/token_cache.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/version.h"
#include "db/db.h"
#include "db/migrate.h"
#include "core/clock.h"
#include "domain/ical.h"
#include "store/idempotency.h"
#include "store/meetings.h"
#include "store/obligations.h"
#include "store/retention.h"
#include "http/metrics.h"
#include "http/process_metrics.h"
#include "http/route.h"
#include "http/server.h"
#include "http/webhook_worker.h"

#define SHUTDOWN_GRACE_MS 10000
#define MAINTENANCE_INTERVAL_S 600
/* renderings renewed a run, in batches: a day's due dates pass for few
 * meetings, and what is left waits for the next run (reads render afresh) */
#define MAINTENANCE_RENDERINGS_BATCH 100
#define MAINTENANCE_RENDERINGS_BATCHES 50

/* What the running service is built from at start-up: read-only afterwards. */
static struct {
    config cfg;
    jwt_verifier *verifier;
    char *openapi;       /* the contract served at /openapi.yaml */
    size_t openapi_len;
    char *reference;     /* its HTML reference, served at /reference (optional) */
    size_t reference_len;
    http_service http;   /* what the server is handed */
} app;

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *data = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 65536;
            char *grown = realloc(data, cap + 1);
            if (!grown) {
                free(data);
                fclose(f);
                return NULL;
            }
            data = grown;
        }
        size_t got = fread(data + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    fclose(f);
    data[n] = '\0';
    *len = n;
    return data;
}

static int build_verifier(void)
{
    char err[1024] = "";
    idp_config *idp = idp_config_from_settings(&app.cfg, stderr);
    if (!idp)
        return -1;
    bool development = idp->n_issuers == 1 && idp->issuers[0].key_source == IDP_KEYS_HS256;
    buf warnings;
    buf_init(&warnings);
    app.verifier = jwt_verifier_new(idp, err, sizeof err, &warnings);
    if (!app.verifier) {
        fprintf(stderr, "config: token keys unusable: %s\n", err);
        buf_free(&warnings);
        return -1;
    }
    /* one line each, after the logs are set up */
    for (char *line = warnings.data, *end; line && *line; line = end + 1) {
        end = strchr(line, '\n');
        if (!end)
            break;
        *end = '\0';
        y_log_message(Y_LOG_LEVEL_WARNING, "keys: %s", line);
    }
    buf_free(&warnings);
    if (development)
        y_log_message(Y_LOG_LEVEL_WARNING, "tokens are verified with the development HS256 "
                                           "secret; use JWT_ISSUERS_FILE or JWT_JWKS_FILE in "
                                           "production");
    const idp_config *c = jwt_verifier_config(app.verifier);
    for (int i = 0; i < c->n_issuers; i++)
        y_log_message(Y_LOG_LEVEL_INFO, "issuer %s%s trusted", c->issuers[i].name,
                      c->issuers[i].primary ? " (primary)" : "");
    return 0;
}

/* Periodic housekeeping off the request path: the idempotency records
 * whose period under their retention policy has passed (RET-1), which the
 * service deletes itself, no decision needed: they are copies of answers
 * already in the record; and the stored meeting renderings that a due date
 * they embed has made stale (sql/050), which reads meanwhile render
 * afresh. */
static struct {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stop;
} maintenance = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

static void *maintenance_loop(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&maintenance.lock);
    while (!maintenance.stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += MAINTENANCE_INTERVAL_S;
        pthread_cond_timedwait(&maintenance.wake, &maintenance.lock, &until);
        if (maintenance.stop)
            break;
        pthread_mutex_unlock(&maintenance.lock);
        enum db_failure why;
        db_conn *c = db_acquire(&why);
        if (c) {
            int n = idempotency_purge(c, clock_wall());
            if (n > 0)
                y_log_message(Y_LOG_LEVEL_INFO, "maintenance: %d expired idempotency keys removed", n);
            /* small batches, each its own statement and transaction: the
             * meetings' locks are held briefly, and a batch that fails
             * (a deadlock, the statement timeout) leaves the others done */
            int renewed = 0;
            for (int b = 0; b < MAINTENANCE_RENDERINGS_BATCHES; b++) {
                n = meetings_renew_renderings(c, MAINTENANCE_RENDERINGS_BATCH);
                if (n < 0)
                    y_log_message(Y_LOG_LEVEL_WARNING,
                                  "maintenance: renewing meeting renderings failed");
                if (n <= 0)
                    break;
                renewed += n;
                if (n < MAINTENANCE_RENDERINGS_BATCH)
                    break;
            }
            if (renewed > 0)
                y_log_message(Y_LOG_LEVEL_INFO, "maintenance: %d meeting renderings renewed",
                              renewed);
            db_release(c);
        }
        pthread_mutex_lock(&maintenance.lock);
    }
    pthread_mutex_unlock(&maintenance.lock);
    return NULL;
}

/* OBL-3: the reminder scheduler, every REMINDER_INTERVAL_S seconds. Every
 * instance runs one; a transaction-level advisory lock lets one at a time
 * send (store/obligations.c), and reminders_sent's key makes each reminder
 * go once whatever runs it. Its state is all in the database, so a restart
 * picks up where it stood: a stage reached while no instance ran is sent at
 * the next run. The same thread runs the daily retention job (RET-1,
 * store/retention.c): in the service rather than a CronJob because it needs
 * nothing a request lacks and its once-a-day rule lives in the database
 * (retention_runs), so every deployment (compose, systemd, Kubernetes) has
 * it with no scheduler of its own. */
static struct {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stop, started;
} scheduler = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

static void *scheduler_loop(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&scheduler.lock);
    while (!scheduler.stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += app.cfg.reminder_interval_s;
        pthread_cond_timedwait(&scheduler.wake, &scheduler.lock, &until);
        if (scheduler.stop)
            break;
        pthread_mutex_unlock(&scheduler.lock);
        enum db_failure why;
        db_conn *c = db_acquire(&why);
        if (c) {
            bool ran = false;
            long sent = 0;
            if (reminders_tick(c, clock_wall(), &ran, &sent) != 0)
                y_log_message(Y_LOG_LEVEL_WARNING, "reminders: the run failed; tried again next time");
            else if (sent > 0)
                y_log_message(Y_LOG_LEVEL_INFO, "reminders: %ld sent", sent);
            metrics_reminders(ran, sent);
            /* RET-1: the daily retention job, once a day (retention_runs) */
            long noticed = 0;
            if (retention_tick(c, clock_wall(), &ran, &noticed) != 0)
                y_log_message(Y_LOG_LEVEL_WARNING, "retention: the run failed; tried again next time");
            else if (noticed > 0)
                y_log_message(Y_LOG_LEVEL_INFO, "retention: %ld records due announced", noticed);
            db_release(c);
        }
        pthread_mutex_lock(&scheduler.lock);
    }
    pthread_mutex_unlock(&scheduler.lock);
    return NULL;
}

static void stop_scheduler(void)
{
    if (!scheduler.started)
        return;
    pthread_mutex_lock(&scheduler.lock);
    scheduler.stop = true;
    pthread_cond_signal(&scheduler.wake);
    pthread_mutex_unlock(&scheduler.lock);
    pthread_join(scheduler.thread, NULL);
}

static void stop_maintenance(void)
{
    pthread_mutex_lock(&maintenance.lock);
    maintenance.stop = true;
    pthread_cond_signal(&maintenance.wake);
    pthread_mutex_unlock(&maintenance.lock);
    pthread_join(maintenance.thread, NULL);
}

static void release_app(void)
{
    jwt_verifier_free(app.verifier);
    free(app.openapi);
    free(app.reference);
    config_free(&app.cfg);
}

int serve_main(void)
{
    if (config_load(&app.cfg, CONFIG_FOR_SERVE) != 0)
        return 2;
    log_init(app.cfg.log_json, app.cfg.log_level);
    y_log_message(Y_LOG_LEVEL_INFO, "mam %s (commit %s)", mam_version, mam_commit);
    process_metrics_init();
    keys_global_init();
    app.openapi = read_file(app.cfg.openapi_file, &app.openapi_len);
    if (!app.openapi) {
        fprintf(stderr, "config: OPENAPI_FILE %s cannot be read\n", app.cfg.openapi_file);
        config_free(&app.cfg);
        keys_global_cleanup();
        log_close();
        return 2;
    }
    /* the HTML reference is built from the contract by tests/contract/reference.mjs
     * (the image and make test build it); without it /reference answers 404 */
    app.reference = read_file(app.cfg.reference_file, &app.reference_len);
    if (!app.reference)
        y_log_message(Y_LOG_LEVEL_WARNING, "REFERENCE_FILE %s cannot be read: /reference answers 404",
                      app.cfg.reference_file);
    if (build_verifier() != 0) {
        release_app();
        keys_global_cleanup();
        log_close();
        return 2;
    }
    json_object_seed(0);
    ical_init();
    token_cache_init();

    /* Every thread started from here on inherits this mask; the signals are
     * taken synchronously below, never in an asynchronous handler. */
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGHUP); /* re-read key files, refetch key URLs */
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (db_pool_open(app.cfg.database_url, app.cfg.db_pool_size, app.cfg.db_acquire_timeout_ms,
                     app.cfg.db_statement_timeout_ms) != 0) {
        db_pool_close();
        token_cache_free();
        release_app();
        keys_global_cleanup();
        log_close();
        return 1;
    }
    metrics_init(api_routes);
    metrics_watch_verifier(app.verifier);
    app.http = (http_service){.routes = api_routes,
                              .cfg = &app.cfg,
                              .verifier = app.verifier,
                              .contract = app.openapi,
                              .contract_len = app.openapi_len,
                              .reference = app.reference,
                              .reference_len = app.reference_len};
    if (server_start(&app.http) != 0) {
        metrics_free();
        db_pool_close();
        token_cache_free();
        release_app();
        keys_global_cleanup();
        log_close();
        return 1;
    }
    pthread_create(&maintenance.thread, NULL, maintenance_loop, NULL);
    if (app.cfg.reminder_interval_s > 0) {
        pthread_create(&scheduler.thread, NULL, scheduler_loop, NULL);
        scheduler.started = true;
    }
    hook_workers_start(&app.cfg.integrations);
    jwt_verifier_start(app.verifier);
    y_log_message(Y_LOG_LEVEL_INFO,
                  "listening on %s:%d (%d HTTP threads, %d database connections, schema %d)",
                  app.cfg.bind_address, app.cfg.port, app.cfg.http_threads, app.cfg.db_pool_size,
                  migrate_latest_version());

    int sig = 0;
    for (;;) {
        if (sigwait(&stop_signals, &sig) != 0)
            continue;
        if (sig != SIGHUP)
            break;
        y_log_message(Y_LOG_LEVEL_INFO, "SIGHUP: re-reading key files and fetching key URLs");
        jwt_verifier_reload(app.verifier);
    }
    y_log_message(Y_LOG_LEVEL_INFO, "signal %d: finishing requests in flight, then stopping", sig);
    server_stop(SHUTDOWN_GRACE_MS);
    stop_scheduler();
    hook_workers_stop();
    stop_maintenance();
    db_pool_close();
    metrics_free();
    token_cache_free();
    y_log_message(Y_LOG_LEVEL_INFO, "stopped");
    release_app();
    keys_global_cleanup();
    log_close();
    return 0;
}
