/* The database goes away under the service and comes back: requests get a
 * 503 problem (never a crash or a hang) and service resumes within seconds. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "support/client.h"
#include "support/fixtures.h"
#include "support/instance.h"
#include "support/people.h"

static void cluster(const char *action)
{
    char cmd[256];
    const char *name = getenv("MAM_TEST_CLUSTER");
    const char *port = getenv("MAM_TEST_PG_PORT");
    cr_assert(name && port, "MAM_TEST_CLUSTER and MAM_TEST_PG_PORT must be set");
    snprintf(cmd, sizeof cmd, "deploy/local-db.sh %s %s %s >/dev/null", action, name,
             strcmp(action, "start") == 0 ? port : "");
    cr_assert_eq(system(cmd), 0, "%s", cmd);
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

Test(faults, database_stopped_gives_503_and_service_recovers, .timeout = 180)
{
    char *agency = agency_new("health");
    person p = person_new(agency, "practitioner");
    http_response *r = api_get("/v1/meetings", p.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);

    cluster("stop");
    for (int i = 0; i < 20; i++) {
        double t0 = now_s();
        r = api_get("/v1/meetings", p.token);
        double took = now_s() - t0;
        cr_assert_eq(r->status, 503, "while the database is down: %ld %s", r->status, r->body);
        char *ct = http_header(r, "Content-Type");
        cr_assert_str_eq(ct, "application/problem+json");
        char *retry = http_header(r, "Retry-After");
        cr_assert(retry != NULL, "503 carries Retry-After");
        cr_assert_lt(took, 5.0, "a 503 must come quickly, took %.2fs", took);
        free(ct);
        free(retry);
        http_free(r);
    }
    r = api_get("/readyz", NULL);
    cr_assert_eq(r->status, 503, "readyz while down: %ld", r->status);
    http_free(r);
    r = api_get("/livez", NULL);
    cr_assert_eq(r->status, 200, "the process itself stays alive");
    http_free(r);

    cluster("start");
    double back = now_s();
    long status = 0;
    while (now_s() - back < 5.0) {
        r = api_get("/v1/meetings", p.token);
        status = r->status;
        http_free(r);
        if (status == 200)
            break;
    }
    cr_assert_eq(status, 200, "service did not recover within 5 s of the database returning");
    /* every pooled connection was replaced, not only the first */
    for (int i = 0; i < 20; i++) {
        r = api_get("/v1/meetings", p.token);
        cr_assert_eq(r->status, 200, "after recovery: %ld %s", r->status, r->body);
        http_free(r);
    }
    person_free(&p);
    free(agency);
}

/* --- PostgreSQL stopped under load --- */

enum phase { UP, STOPPING, DOWN, STARTING, BACK };
static const char *const phase_names[] = {"up", "stopping", "down", "starting", "back"};

#define LOAD_THREADS 6

typedef struct outage_load {
    const char *url;
    const person *who;
    _Atomic int phase;
    atomic_bool stop;
    pthread_mutex_t lock;
    long answers[5][4]; /* by phase at the start: 2xx, 503 problem, other, no answer */
    double slowest;
    char first_wrong[512];
    double back_at;          /* when the cluster was running again */
    double first_read_ok;    /* first 200 to a read started after back_at */
    double first_write_ok;   /* first 201 to a write started after back_at */
} outage_load;

static void note_wrong(outage_load *l, const char *what, long status, enum phase p, const char *body)
{
    if (!l->first_wrong[0])
        snprintf(l->first_wrong, sizeof l->first_wrong, "%s while %s: %ld %.300s", what,
                 phase_names[p], status, body ? body : "");
}

static void *outage_worker(void *arg)
{
    outage_load *l = arg;
    static atomic_int next_id;
    bool writes = atomic_fetch_add(&next_id, 1) % 2;
    while (!atomic_load(&l->stop)) {
        enum phase p0 = atomic_load(&l->phase);
        double t0 = now_s();
        http_response *r;
        if (writes) {
            json_t *body = meeting_body("multi_agency");
            char *text = json_dumps(body, JSON_COMPACT);
            json_decref(body);
            const char *headers[] = {"Content-Type: application/json", NULL};
            r = http_call_to(l->url, "POST", "/v1/meetings", l->who->token, headers, text,
                             strlen(text));
            free(text);
        } else {
            r = http_call_to(l->url, "GET", "/v1/meetings?limit=5", l->who->token, NULL, NULL, 0);
        }
        double t1 = now_s();
        enum phase p1 = atomic_load(&l->phase);
        char *ct = http_header(r, "Content-Type");
        char *retry = http_header(r, "Retry-After");
        bool ok = r->status == (writes ? 201 : 200);
        bool problem503 = r->status == 503 && ct && strcmp(ct, "application/problem+json") == 0 &&
                          retry && r->json && json_int(r->json, "status") == 503;
        pthread_mutex_lock(&l->lock);
        l->answers[p0][ok ? 0 : problem503 ? 1 : r->status > 0 ? 2 : 3]++;
        if (t1 - t0 > l->slowest)
            l->slowest = t1 - t0;
        if (!ok && !problem503)
            note_wrong(l, writes ? "write" : "read", r->status, p0, r->body);
        else if (ok && p0 == DOWN && p1 == DOWN)
            note_wrong(l, writes ? "write succeeded" : "read succeeded", r->status, p0, "");
        if (ok && p0 == BACK && t0 >= l->back_at) {
            double *first = writes ? &l->first_write_ok : &l->first_read_ok;
            if (*first == 0)
                *first = t1;
        }
        pthread_mutex_unlock(&l->lock);
        free(ct);
        free(retry);
        http_free(r);
        struct timespec pause = {0, 5 * 1000000L};
        nanosleep(&pause, NULL);
    }
    return NULL;
}

Test(faults, database_stopped_under_load_answers_503_and_recovers, .timeout = 180)
{
    char *agency = agency_new("childrens_social_care");
    person p = person_new(agency, "practitioner");
    instance in;
    instance_start(&in);

    outage_load l;
    memset(&l, 0, sizeof l);
    l.url = in.url;
    l.who = &p;
    pthread_mutex_init(&l.lock, NULL);
    pthread_t threads[LOAD_THREADS];
    for (int i = 0; i < LOAD_THREADS; i++)
        pthread_create(&threads[i], NULL, outage_worker, &l);

    struct timespec second = {1, 0}, outage = {4, 0};
    nanosleep(&second, NULL);
    atomic_store(&l.phase, STOPPING);
    cluster("stop");
    atomic_store(&l.phase, DOWN);
    nanosleep(&outage, NULL);
    atomic_store(&l.phase, STARTING);
    cluster("start");
    pthread_mutex_lock(&l.lock);
    l.back_at = now_s();
    pthread_mutex_unlock(&l.lock);
    atomic_store(&l.phase, BACK);
    while (now_s() - l.back_at < 6.0) {
        pthread_mutex_lock(&l.lock);
        bool both = l.first_read_ok != 0 && l.first_write_ok != 0;
        pthread_mutex_unlock(&l.lock);
        if (both && now_s() - l.back_at > 2.0)
            break;
        struct timespec pause = {0, 50 * 1000000L};
        nanosleep(&pause, NULL);
    }
    atomic_store(&l.stop, true);
    for (int i = 0; i < LOAD_THREADS; i++)
        pthread_join(threads[i], NULL);

    cr_assert_eq(kill(in.pid, 0), 0, "the service process is gone (log %s)", in.log);
    cr_assert_str_empty(l.first_wrong, "%s", l.first_wrong);
    cr_assert_gt(l.answers[UP][0], 0, "no request succeeded before the stop");
    cr_assert_gt(l.answers[DOWN][1], 0, "no 503 while the database was down");
    cr_assert_lt(l.slowest, 5.0, "a request took %.2fs", l.slowest);
    cr_assert_neq(l.first_read_ok, 0, "no read succeeded after the restart");
    cr_assert_neq(l.first_write_ok, 0, "no write succeeded after the restart");
    double read_back = l.first_read_ok - l.back_at, write_back = l.first_write_ok - l.back_at;
    cr_assert_lt(read_back, 5.0, "reads back after %.2fs", read_back);
    cr_assert_lt(write_back, 5.0, "writes back after %.2fs", write_back);
    cr_log_info("outage under load (%d threads): before %ld ok; stopping %ld ok / %ld 503; "
                "down %ld 503 / %ld ok; starting %ld ok / %ld 503; after %ld ok / %ld 503; "
                "slowest answer %.3fs; first 200 %.3fs and first 201 %.3fs after the restart",
                LOAD_THREADS, l.answers[UP][0], l.answers[STOPPING][0], l.answers[STOPPING][1],
                l.answers[DOWN][1], l.answers[DOWN][0], l.answers[STARTING][0],
                l.answers[STARTING][1], l.answers[BACK][0], l.answers[BACK][1], l.slowest,
                read_back, write_back);
    cr_assert_eq(instance_stop(&in, SIGTERM), 0, "stopped cleanly (log %s)", in.log);
    person_free(&p);
    free(agency);
}

/* --- connections the server ended while they sat idle in the pool --- */

typedef struct burst {
    const char *url;
    const char *token;
    int ok, other;
    long first_other;
} burst;

static void *burst_reader(void *arg)
{
    burst *b = arg;
    for (int i = 0; i < 10; i++) {
        http_response *r = http_call_to(b->url, "GET", "/v1/meetings?limit=5", b->token, NULL,
                                        NULL, 0);
        if (r->status == 200) {
            b->ok++;
        } else {
            if (!b->other)
                b->first_other = r->status;
            b->other++;
        }
        http_free(r);
    }
    return NULL;
}

static void parallel_reads(const char *url, const char *token, int *ok, int *other, long *first)
{
    enum { READERS = 12 };
    burst b[READERS];
    pthread_t threads[READERS];
    for (int i = 0; i < READERS; i++) {
        b[i] = (burst){.url = url, .token = token};
        pthread_create(&threads[i], NULL, burst_reader, &b[i]);
    }
    *ok = *other = 0;
    *first = 0;
    for (int i = 0; i < READERS; i++) {
        pthread_join(threads[i], NULL);
        *ok += b[i].ok;
        *other += b[i].other;
        if (b[i].other && !*first)
            *first = b[i].first_other;
    }
}

Test(faults, pool_connections_ended_while_idle_are_replaced_without_a_503, .timeout = 120)
{
    char *agency = agency_new("health");
    person p = person_new(agency, "practitioner");
    instance in;
    instance_start(&in);
    int ok, other;
    long first;
    /* every pooled connection in use at least once */
    parallel_reads(in.url, p.token, &ok, &other, &first);
    cr_assert_eq(other, 0, "before the restart: %d answers were %ld", other, first);

    /* the server ends every session while the pool is idle, and is back
     * before the next request */
    cluster("stop");
    cluster("start");
    struct timespec settle = {1, 0};
    nanosleep(&settle, NULL);
    parallel_reads(in.url, p.token, &ok, &other, &first);
    cr_assert_eq(other, 0, "with the database back, %d of %d requests still failed (first: %ld)",
                 other, ok + other, first);
    cr_log_info("after a restart with the pool idle: %d of %d requests answered 200", ok,
                ok + other);
    cr_assert_eq(instance_stop(&in, SIGTERM), 0, "log %s", in.log);
    person_free(&p);
    free(agency);
}
