#include "http/webhook_worker.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <yder.h>

#include "core/clock.h"
#include "core/secret.h"
#include "db/db.h"
#include "http/metrics.h"
#include "http/webhook_send.h"
#include "store/outbox.h"

#define MAX_WORKERS 64

static struct {
    const config_integrations *cfg;
    pthread_t threads[MAX_WORKERS];
    int n;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    volatile bool stopping;
} w = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* The idle wait is on the monotonic clock: a wall clock set back does not
 * stall the workers. */
static pthread_once_t wake_once = PTHREAD_ONCE_INIT;

static void wake_init(void)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&w.wake, &attr);
    pthread_condattr_destroy(&attr);
}

int hook_retry_delay(const config_integrations *cfg, int attempt, int retry_after_s,
                     double jitter)
{
    if (attempt < 1 || attempt > cfg->n_webhook_retry)
        return -1;
    int base = cfg->webhook_retry_s[attempt - 1];
    int delay = base + (int)(base * 0.1 * jitter);
    if (retry_after_s > delay)
        delay = retry_after_s;
    return delay;
}

static double random_unit(void)
{
    unsigned int r = 0;
    if (getrandom(&r, sizeof r, 0) != sizeof r)
        return 0.0;
    return (double)r / 4294967296.0;
}

/* The lease covers one attempt and the writing of its answer; each answer
 * written renews it (store/outbox.c). */
static int lease_seconds(void)
{
    return (w.cfg->webhook_timeout_ms + 999) / 1000 + 10;
}

/* Runs fn with a store on a pooled connection; -1 when none is to be had. */
static store *begin_store(store *s, db_conn **c)
{
    enum db_failure why;
    *c = db_acquire(&why);
    if (!*c)
        return NULL;
    store_init(s, *c, NULL, "webhook-worker", time(NULL));
    return s;
}

static void record(const outbox_batch *b, const outbox_item *it, const hook_result *res)
{
    store s;
    db_conn *c;
    if (!begin_store(&s, &c))
        return; /* the lease expires; the delivery is sent again */
    int lease = lease_seconds();
    if (res->status >= 200 && res->status <= 299) {
        outbox_delivered(&s, b->endpoint_id, it->id, res->status, lease);
        metrics_count_webhook("delivered");
    } else if (res->status == 410) {
        outbox_gone(&s, b->endpoint_id, it->id);
        metrics_count_webhook("gone");
    } else {
        int delay = hook_retry_delay(w.cfg, it->attempts + 1, res->retry_after_s, random_unit());
        outbox_retry(&s, b->endpoint_id, it->id, res->status, res->error, delay, lease);
        metrics_count_webhook(delay < 0 ? "given_up" : "failed");
    }
    db_release(c);
}

/* One endpoint's turn: 1 when there was work, 0 when none, -1 failure. */
static int work_once(void)
{
    store s;
    db_conn *c;
    if (!begin_store(&s, &c))
        return -1;
    outbox_batch b;
    int got = outbox_claim(&s, lease_seconds(), w.cfg->webhook_batch, &b);
    db_release(c);
    if (got <= 0)
        return got;
    unsigned char keys[2][64];
    long key_len[2] = {-1, -1};
    key_len[0] = secret_open(w.cfg->webhook_secret_key, b.endpoint_id, b.secret_sealed, keys[0],
                             sizeof keys[0]);
    if (b.previous_sealed)
        key_len[1] = secret_open(w.cfg->webhook_secret_key, b.endpoint_id, b.previous_sealed,
                                 keys[1], sizeof keys[1]);
    for (int i = 0; i < b.n && !w.stopping; i++) {
        hook_result res;
        if (key_len[0] <= 0) {
            memset(&res, 0, sizeof res);
            snprintf(res.error, sizeof res.error,
                     "the endpoint's secret does not open with WEBHOOK_SECRET_KEY");
        } else {
            hook_message m = {.url = b.url,
                              .msg_id = b.items[i].message_id,
                              .body = b.items[i].payload,
                              .keys = {keys[0], key_len[1] > 0 ? keys[1] : NULL},
                              .key_len = {(size_t)key_len[0],
                                          key_len[1] > 0 ? (size_t)key_len[1] : 0}};
            hook_send(w.cfg, &m, &w.stopping, &res);
        }
        if (res.aborted)
            break; /* stopping: sent again later */
        record(&b, &b.items[i], &res);
        if (res.status < 200 || res.status > 299)
            break; /* the rest wait for the endpoint's next turn */
    }
    secret_wipe(keys, sizeof keys);
    if (begin_store(&s, &c)) {
        outbox_release(&s, b.endpoint_id);
        db_release(c);
    }
    outbox_batch_free(&b);
    return 1;
}

static void *worker_main(void *arg)
{
    (void)arg;
    while (!w.stopping) {
        int got = work_once();
        if (got > 0)
            continue;
        pthread_mutex_lock(&w.lock);
        if (!w.stopping) {
            struct timespec until;
            clock_monotonic_after_ms(w.cfg->webhook_poll_interval_ms * (got < 0 ? 5LL : 1LL),
                                     &until);
            pthread_cond_timedwait(&w.wake, &w.lock, &until);
        }
        pthread_mutex_unlock(&w.lock);
    }
    return NULL;
}

void hook_workers_start(const config_integrations *cfg)
{
    pthread_once(&wake_once, wake_init);
    w.cfg = cfg;
    w.stopping = false;
    w.n = 0;
    if (!cfg->has_webhook_secret_key)
        return; /* no endpoint can exist without the key */
    for (int i = 0; i < cfg->webhook_workers && i < MAX_WORKERS; i++)
        if (pthread_create(&w.threads[w.n], NULL, worker_main, NULL) == 0)
            w.n++;
    if (w.n)
        y_log_message(Y_LOG_LEVEL_INFO, "webhooks: %d delivery worker(s)", w.n);
}

void hook_workers_stop(void)
{
    pthread_once(&wake_once, wake_init);
    pthread_mutex_lock(&w.lock);
    w.stopping = true;
    pthread_cond_broadcast(&w.wake);
    pthread_mutex_unlock(&w.lock);
    for (int i = 0; i < w.n; i++)
        pthread_join(w.threads[i], NULL);
    w.n = 0;
}
