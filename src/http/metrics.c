#include "http/metrics.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/jwt.h"
#include "auth/refusals.h"
#include "core/xalloc.h"
#include "db/db.h"
#include "http/route.h"
#include "http/process_metrics.h"
#include "http/watchdog.h"

static const jwt_verifier *verifier; /* its key stores' series, when set */

/* OBL-3: the reminder scheduler's runs (serve.c) */
static struct {
    unsigned long runs, skipped, sent, last_run;
} reminders;

void metrics_reminders(bool ran, long sent)
{
    if (ran) {
        __atomic_add_fetch(&reminders.runs, 1, __ATOMIC_RELAXED);
        __atomic_add_fetch(&reminders.sent, (unsigned long)(sent > 0 ? sent : 0), __ATOMIC_RELAXED);
        __atomic_store_n(&reminders.last_run, (unsigned long)time(NULL), __ATOMIC_RELAXED);
    } else {
        __atomic_add_fetch(&reminders.skipped, 1, __ATOMIC_RELAXED);
    }
}

static const int statuses[] = {200, 201, 204, 400, 401, 403, 404, 405, 409,
                               412, 413, 415, 422, 428, 500, 501, 503};
#define N_STATUS (sizeof statuses / sizeof statuses[0] + 1) /* + "other" */

static const double buckets[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                 0.1,   0.25,   0.5,   1.0,  2.5,   5.0};
#define N_BUCKET (sizeof buckets / sizeof buckets[0])

typedef struct series {
    unsigned long count[N_STATUS];
    unsigned long bucket[N_BUCKET]; /* non-cumulative; summed when rendered */
    unsigned long observations;
    unsigned long micros_sum;
} series;

static const char *const hook_outcomes[] = {"delivered", "failed", "given_up", "gone"};
#define N_HOOK_OUTCOMES (sizeof hook_outcomes / sizeof hook_outcomes[0])
static unsigned long hook_counts[N_HOOK_OUTCOMES];

static series *table;
static int n_series;
static const route *labelled; /* the route table, in series order */

void metrics_init(const route *routes)
{
    labelled = routes;
    n_series = routes_count(routes) + 1;
    table = xcalloc((size_t)n_series, sizeof *table);
}

void metrics_free(void)
{
    metrics_watch_verifier(NULL);
    free(table);
    table = NULL;
    n_series = 0;
}

static size_t status_slot(int status)
{
    for (size_t i = 0; i < N_STATUS - 1; i++)
        if (statuses[i] == status)
            return i;
    return N_STATUS - 1;
}

void metrics_observe(int route_index, int status, double seconds)
{
    if (!table)
        return;
    series *s = &table[route_index < 0 ? n_series - 1 : route_index];
    __atomic_add_fetch(&s->count[status_slot(status)], 1, __ATOMIC_RELAXED);
    size_t b = 0;
    while (b < N_BUCKET && seconds > buckets[b])
        b++;
    if (b < N_BUCKET)
        __atomic_add_fetch(&s->bucket[b], 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&s->observations, 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&s->micros_sum, (unsigned long)(seconds * 1e6), __ATOMIC_RELAXED);
}

static unsigned long load(const unsigned long *p)
{
    return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static void labels(buf *out, int i)
{
    if (i == n_series - 1)
        buf_puts(out, "method=\"\",route=\"unmatched\"");
    else
        buf_printf(out, "method=\"%s\",route=\"%s\"", labelled[i].method,
                   labelled[i].template);
}

void metrics_render(buf *out)
{
    watchdog_counts counts = watchdog_counters();
    buf_puts(out, "# HELP mam_http_requests_total HTTP requests answered, by route and status.\n"
                  "# TYPE mam_http_requests_total counter\n");
    for (int i = 0; i < n_series; i++) {
        for (size_t s = 0; s < N_STATUS; s++) {
            unsigned long n = load(&table[i].count[s]);
            if (!n)
                continue;
            buf_puts(out, "mam_http_requests_total{");
            labels(out, i);
            if (s < N_STATUS - 1)
                buf_printf(out, ",status=\"%d\"} %lu\n", statuses[s], n);
            else
                buf_printf(out, ",status=\"other\"} %lu\n", n);
        }
    }
    buf_puts(out, "# HELP mam_http_request_duration_seconds Time from the request's arrival "
                  "to its answer.\n"
                  "# TYPE mam_http_request_duration_seconds histogram\n");
    for (int i = 0; i < n_series; i++) {
        unsigned long total = load(&table[i].observations);
        if (!total)
            continue;
        unsigned long cumulative = 0;
        for (size_t b = 0; b < N_BUCKET; b++) {
            cumulative += load(&table[i].bucket[b]);
            buf_puts(out, "mam_http_request_duration_seconds_bucket{");
            labels(out, i);
            buf_printf(out, ",le=\"%g\"} %lu\n", buckets[b], cumulative);
        }
        buf_puts(out, "mam_http_request_duration_seconds_bucket{");
        labels(out, i);
        buf_printf(out, ",le=\"+Inf\"} %lu\n", total);
        buf_puts(out, "mam_http_request_duration_seconds_sum{");
        labels(out, i);
        buf_printf(out, "} %.6f\n", (double)load(&table[i].micros_sum) / 1e6);
        buf_puts(out, "mam_http_request_duration_seconds_count{");
        labels(out, i);
        buf_printf(out, "} %lu\n", total);
    }
    buf_printf(out,
               "# HELP mam_db_pool_connections Connections in the database pool.\n"
               "# TYPE mam_db_pool_connections gauge\n"
               "mam_db_pool_connections %d\n"
               "# HELP mam_db_pool_connections_in_use Pool connections lent to requests now.\n"
               "# TYPE mam_db_pool_connections_in_use gauge\n"
               "mam_db_pool_connections_in_use %d\n"
               "# HELP mam_http_requests_cut_off_total Connections shut down for taking longer than "
               "REQUEST_TIMEOUT_S to send a request.\n"
               "# TYPE mam_http_requests_cut_off_total counter\n"
               "mam_http_requests_cut_off_total %lu\n"
               "# HELP mam_http_connections Connections held now, within HTTP_CONNECTION_LIMIT "
               "and over it.\n"
               "# TYPE mam_http_connections gauge\n"
               "mam_http_connections{limit=\"within\"} %d\n"
               "mam_http_connections{limit=\"over\"} %d\n"
               "# HELP mam_http_connections_shed_total Idle connections shut down to make room "
               "for a new one at HTTP_CONNECTION_LIMIT.\n"
               "# TYPE mam_http_connections_shed_total counter\n"
               "mam_http_connections_shed_total %lu\n"
               "# HELP mam_http_requests_over_limit_total Requests answered 503 because they "
               "came over HTTP_CONNECTION_LIMIT.\n"
               "# TYPE mam_http_requests_over_limit_total counter\n"
               "mam_http_requests_over_limit_total %lu\n",
               db_pool_size(), db_pool_in_use(), counts.cut_off, counts.open,
               counts.open_over_limit, counts.shed, counts.over_limit);
    buf_printf(out,
               "# HELP mam_reminder_runs_total Runs of the reminder scheduler (OBL-3) by this "
               "instance: ran, or skipped because another instance held the lock.\n"
               "# TYPE mam_reminder_runs_total counter\n"
               "mam_reminder_runs_total{outcome=\"ran\"} %lu\n"
               "mam_reminder_runs_total{outcome=\"skipped\"} %lu\n"
               "# HELP mam_reminders_sent_total Reminders this instance sent to the feed.\n"
               "# TYPE mam_reminders_sent_total counter\n"
               "mam_reminders_sent_total %lu\n"
               "# HELP mam_reminder_last_run_timestamp_seconds When this instance last ran the "
               "scheduler (0: never).\n"
               "# TYPE mam_reminder_last_run_timestamp_seconds gauge\n"
               "mam_reminder_last_run_timestamp_seconds %lu\n",
               __atomic_load_n(&reminders.runs, __ATOMIC_RELAXED),
               __atomic_load_n(&reminders.skipped, __ATOMIC_RELAXED),
               __atomic_load_n(&reminders.sent, __ATOMIC_RELAXED),
               __atomic_load_n(&reminders.last_run, __ATOMIC_RELAXED));
    refusals_render(out);
    buf_printf(out, "# HELP mam_webhook_attempts_total Webhook delivery attempts of this instance "
                    "by outcome.\n# TYPE mam_webhook_attempts_total counter\n");
    for (size_t i = 0; i < N_HOOK_OUTCOMES; i++)
        buf_printf(out, "mam_webhook_attempts_total{outcome=\"%s\"} %lu\n", hook_outcomes[i],
                   __atomic_load_n(&hook_counts[i], __ATOMIC_RELAXED));
    const jwt_verifier *v = __atomic_load_n(&verifier, __ATOMIC_ACQUIRE);
    if (v)
        jwt_verifier_render_metrics(v, out);
    process_metrics_render(out);
}

void metrics_count_webhook(const char *outcome)
{
    for (size_t i = 0; i < N_HOOK_OUTCOMES; i++)
        if (strcmp(hook_outcomes[i], outcome) == 0)
            __atomic_add_fetch(&hook_counts[i], 1, __ATOMIC_RELAXED);
}

void metrics_watch_verifier(const jwt_verifier *v)
{
    __atomic_store_n(&verifier, v, __ATOMIC_RELEASE);

}
