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
#include "core/xalloc.h"
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

/* A turn's leases last one attempt and the writing of the answers, and
 * are renewed (with the answers so far) whenever less than an attempt's
 * worth of them is left (store/outbox.c). */
static int lease_seconds(void)
{
    return (w.cfg->webhook_timeout_ms + 999) / 1000 + 10;
}

/* A turn takes no more endpoints than this (and no more than a fair share
 * of those with work, so that the other workers have some too). */
#define TURN_ENDPOINTS 16

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

/* A turn being served: its endpoints, the answers not yet recorded, and
 * how many endpoints' leases have been ended already. */
typedef struct turn {
    outbox_turn t;
    outbox_answer *answers;
    char (*errors)[sizeof ((hook_result *)0)->error];
    int n_answers;
    outbox_lease *leases;
    int released;
    struct timespec lease_until; /* monotonic; a little before the database's */
} turn;

static void note_answer(turn *u, const outbox_batch *b, const outbox_item *it,
                        const hook_result *res)
{
    outbox_answer *a = &u->answers[u->n_answers];
    *a = (outbox_answer){.endpoint_id = b->endpoint_id, .delivery_id = it->id,
                         .status = res->status};
    if (res->status >= 200 && res->status <= 299) {
        a->outcome = OUTBOX_DELIVERED;
        metrics_count_webhook("delivered");
    } else if (res->status == 410) {
        a->outcome = OUTBOX_GONE;
        metrics_count_webhook("gone");
    } else {
        a->outcome = OUTBOX_RETRY;
        a->delay_s = hook_retry_delay(w.cfg, it->attempts + 1, res->retry_after_s, random_unit());
        snprintf(u->errors[u->n_answers], sizeof u->errors[0], "%s", res->error);
        a->error = u->errors[u->n_answers];
        metrics_count_webhook(a->delay_s < 0 ? "given_up" : "failed");
    }
    u->n_answers++;
}

/* Records the answers so far, ends the leases of the endpoints before
 * `serving` and renews the others' (renew) or ends them too. 0, or -1 when
 * nothing could be recorded: then the leases expire and what was sent is
 * sent again (same webhook-id). */
static int record(turn *u, int serving, bool renew)
{
    int n = 0;
    for (int i = u->released; i < u->t.n; i++)
        u->leases[n++] = (outbox_lease){.endpoint_id = u->t.batches[i].endpoint_id,
                                        .renew = renew && i >= serving};
    struct timespec started; /* the renewed leases count from before the statement */
    clock_monotonic_after_ms(0, &started);
    store s;
    db_conn *c;
    if (!begin_store(&s, &c))
        return -1;
    int rc = outbox_record(&s, u->answers, u->n_answers, u->leases, n, lease_seconds());
    db_release(c);
    if (rc != 0)
        return -1;
    u->n_answers = 0;
    u->released = renew ? serving : u->t.n;
    u->lease_until = started;
    u->lease_until.tv_sec += lease_seconds();
    return 0;
}

/* Is less of the lease left than one attempt and its recording need? */
static bool lease_short(const turn *u)
{
    struct timespec enough;
    clock_monotonic_after_ms(w.cfg->webhook_timeout_ms + 5000LL, &enough);
    return enough.tv_sec > u->lease_until.tv_sec ||
           (enough.tv_sec == u->lease_until.tv_sec && enough.tv_nsec > u->lease_until.tv_nsec);
}

/* Sends one endpoint's deliveries in feed order until one fails. false when
 * the turn must end at once (stopping, or its leases could not be renewed). */
static bool serve(turn *u, int k, hook_client *client)
{
    const outbox_batch *b = &u->t.batches[k];
    unsigned char keys[2][64];
    long key_len[2] = {-1, -1};
    key_len[0] = secret_open(w.cfg->webhook_secret_key, b->endpoint_id, b->secret_sealed, keys[0],
                             sizeof keys[0]);
    if (b->previous_sealed)
        key_len[1] = secret_open(w.cfg->webhook_secret_key, b->endpoint_id, b->previous_sealed,
                                 keys[1], sizeof keys[1]);
    bool go_on = true;
    for (int i = 0; i < b->n; i++) {
        if (w.stopping || (lease_short(u) && record(u, k, true) != 0)) {
            go_on = false;
            break;
        }
        hook_result res;
        if (key_len[0] <= 0) {
            memset(&res, 0, sizeof res);
            snprintf(res.error, sizeof res.error,
                     "the endpoint's secret does not open with WEBHOOK_SECRET_KEY");
        } else {
            hook_message m = {.url = b->url,
                              .msg_id = b->items[i].message_id,
                              .body = b->items[i].payload,
                              .keys = {keys[0], key_len[1] > 0 ? keys[1] : NULL},
                              .key_len = {(size_t)key_len[0],
                                          key_len[1] > 0 ? (size_t)key_len[1] : 0}};
            hook_send(w.cfg, client, &m, &w.stopping, &res);
        }
        if (res.aborted) {
            go_on = false; /* stopping: sent again later */
            break;
        }
        note_answer(u, b, &b->items[i], &res);
        if (res.status < 200 || res.status > 299)
            break; /* the rest wait for the endpoint's next turn */
    }
    secret_wipe(keys, sizeof keys);
    return go_on;
}

/* Was the turn as large as a turn may be (so that more is likely due)? */
static bool turn_full(const outbox_turn *t)
{
    if (t->n >= TURN_ENDPOINTS)
        return true;
    for (int k = 0; k < t->n; k++)
        if (t->batches[k].n >= w.cfg->webhook_batch)
            return true;
    return false;
}

/* One turn: 2 when it was full, 1 when there was less work than a turn
 * takes, 0 when none, -1 failure. */
static int work_once(hook_client *client)
{
    store s;
    db_conn *c;
    if (!begin_store(&s, &c))
        return -1;
    turn u = {0};
    clock_monotonic_after_ms(lease_seconds() * 1000LL, &u.lease_until);
    int got = outbox_claim(&s, lease_seconds(), TURN_ENDPOINTS, w.cfg->webhook_workers,
                           w.cfg->webhook_batch, &u.t);
    db_release(c);
    if (got <= 0)
        return got;
    int items = 0;
    for (int k = 0; k < u.t.n; k++)
        items += u.t.batches[k].n;
    u.answers = xcalloc((size_t)items, sizeof *u.answers);
    u.errors = xcalloc((size_t)items, sizeof *u.errors);
    u.leases = xcalloc((size_t)u.t.n, sizeof *u.leases);
    for (int k = 0; k < u.t.n && serve(&u, k, client); k++)
        ;
    record(&u, u.t.n, false);
    int full = turn_full(&u.t);
    free(u.answers);
    free(u.errors);
    free(u.leases);
    outbox_turn_free(&u.t);
    return full ? 2 : 1;
}

static void *worker_main(void *arg)
{
    (void)arg;
    hook_client *client = hook_client_new(); /* NULL: a connection per send */
    while (!w.stopping) {
        /* Only a full turn is followed at once by the next. After a
         * smaller one the worker waits the poll interval like an idle one,
         * so that under a stream of writes a turn carries what arrived
         * meanwhile: a claim and a record per endpoint per interval rather
         * than per delivery, which would take the writes' own cores. */
        int got = work_once(client);
        if (got == 2)
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
    hook_client_free(client);
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
