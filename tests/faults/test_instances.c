/* Faults with service processes of their own: stopped (SIGTERM) and killed
 * (SIGKILL) under write load, and two instances on one database. Every
 * write answered 2xx must be in the database afterwards, and nothing may be
 * half-written: each meeting has its audit row and its feed event. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "support/client.h"
#include "support/fixtures.h"
#include "support/instance.h"
#include "support/people.h"

#define WRITERS 6
#define MAX_ACKED 20000

typedef struct load {
    const char *url;
    const person *who;
    atomic_bool stop;
    atomic_int acked;  /* 201s received */
    atomic_int failed; /* anything else, connection errors included */
    pthread_mutex_t lock;
    char (*refs)[48]; /* the external ref of each acknowledged meeting */
} load;

static void *writer(void *arg)
{
    load *l = arg;
    char suffix[17], ref[48];
    while (!atomic_load(&l->stop)) {
        unique_suffix(suffix, sizeof suffix);
        snprintf(ref, sizeof ref, "fault-%s", suffix);
        json_t *body = meeting_body("multi_agency");
        json_object_set_new(body, "external_ref", json_pack("{s:s, s:s}", "system", "faults", "id", ref));
        char *text = json_dumps(body, JSON_COMPACT);
        json_decref(body);
        const char *headers[] = {"Content-Type: application/json", NULL};
        http_response *r = http_call_to(l->url, "POST", "/v1/meetings", l->who->token, headers,
                                        text, strlen(text));
        free(text);
        if (r->status == 201) {
            pthread_mutex_lock(&l->lock);
            int i = atomic_fetch_add(&l->acked, 1);
            if (i < MAX_ACKED)
                snprintf(l->refs[i], sizeof l->refs[i], "%s", ref);
            pthread_mutex_unlock(&l->lock);
        } else {
            atomic_fetch_add(&l->failed, 1);
            if (r->status < 0) {
                struct timespec pause = {0, 20 * 1000000L};
                nanosleep(&pause, NULL);
            }
        }
        http_free(r);
    }
    return NULL;
}

static void start_load(load *l, pthread_t *threads, const char *url, const person *who)
{
    memset(l, 0, sizeof *l);
    l->url = url;
    l->who = who;
    pthread_mutex_init(&l->lock, NULL);
    l->refs = calloc(MAX_ACKED, sizeof *l->refs);
    for (int i = 0; i < WRITERS; i++)
        pthread_create(&threads[i], NULL, writer, l);
}

static void stop_load(load *l, pthread_t *threads)
{
    atomic_store(&l->stop, true);
    for (int i = 0; i < WRITERS; i++)
        pthread_join(threads[i], NULL);
}

static void sleep_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

/* Every acknowledged meeting is stored; every stored meeting of the agency
 * has its audit row and its feed event. */
static void check_consistent(const char *agency, load *l)
{
    int acked = atomic_load(&l->acked);
    cr_assert_gt(acked, 0, "the load acknowledged no write at all");
    for (int i = 0; i < acked && i < MAX_ACKED; i++) {
        const char *params[] = {l->refs[i]};
        cr_assert_eq(db_long("SELECT count(*) FROM meetings WHERE external_system = 'faults'"
                             " AND external_id = $1", 1, params),
                     1, "acknowledged meeting %s is missing", l->refs[i]);
    }
    const char *params[] = {agency};
    long stored = db_long("SELECT count(*) FROM meetings WHERE convening_agency = $1", 1, params);
    cr_assert_geq(stored, acked, "fewer meetings stored (%ld) than acknowledged (%d)", stored, acked);
    cr_assert_eq(db_long("SELECT count(*) FROM meetings m WHERE m.convening_agency = $1"
                         " AND NOT EXISTS (SELECT 1 FROM audit_events a WHERE a.resource_id = m.id::text"
                         "                 AND a.action = 'meeting.create')",
                         1, params),
                 0, "a stored meeting has no audit row");
    cr_assert_eq(db_long("SELECT count(*) FROM meetings m WHERE m.convening_agency = $1"
                         " AND NOT EXISTS (SELECT 1 FROM events e WHERE e.resource_id = m.id::text"
                         "                 AND e.type = 'meeting.requested')",
                         1, params),
                 0, "a stored meeting has no feed event");
    cr_assert_eq(db_long("SELECT count(*) FROM meetings m WHERE m.convening_agency = $1"
                         " AND NOT EXISTS (SELECT 1 FROM meeting_children c WHERE c.meeting_id = m.id)",
                         1, params),
                 0, "a stored meeting has no children");
}

static void interrupted_under_load(int sig)
{
    char *agency = agency_new("childrens_social_care");
    person p = person_new(agency, "practitioner");
    instance in;
    instance_start(&in);
    load l;
    pthread_t threads[WRITERS];
    start_load(&l, threads, in.url, &p);
    sleep_ms(1500);
    int status = instance_stop(&in, sig);
    sleep_ms(300);
    stop_load(&l, threads);
    if (sig == SIGTERM)
        cr_assert_eq(status, 0, "a SIGTERM stops the service cleanly (status %d, log %s)", status,
                     in.log);
    else
        cr_assert_eq(status, 128 + SIGKILL);
    check_consistent(agency, &l);
    cr_log_info("%s under load: %d writes acknowledged, %d refused or cut", sig == SIGTERM ? "SIGTERM" : "SIGKILL",
                atomic_load(&l.acked), atomic_load(&l.failed));
    free(l.refs);
    person_free(&p);
    free(agency);
}

Test(faults, sigterm_under_write_load_loses_no_acknowledged_write, .timeout = 120)
{
    interrupted_under_load(SIGTERM);
}

Test(faults, sigkill_under_write_load_leaves_the_database_consistent, .timeout = 120)
{
    interrupted_under_load(SIGKILL);
}

/* --- two instances on one database --- */

typedef struct race {
    const char *url;
    const char *path;
    const char *token;
    const char *const *headers;
    const char *body;
    pthread_barrier_t *start;
    long status;
    char *location;
} race;

static void *racer(void *arg)
{
    race *x = arg;
    pthread_barrier_wait(x->start);
    http_response *r = http_call_to(x->url, "POST", x->path, x->token, x->headers, x->body,
                                    x->body ? strlen(x->body) : 0);
    x->status = r->status;
    x->location = http_header(r, "Location");
    http_free(r);
    return NULL;
}

static void run_race(race *a, race *b)
{
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, 2);
    a->start = b->start = &start;
    pthread_t ta, tb;
    pthread_create(&ta, NULL, racer, a);
    pthread_create(&tb, NULL, racer, b);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    pthread_barrier_destroy(&start);
}

Test(faults, two_instances_one_if_match_wins_and_one_idempotency_key_creates_once, .timeout = 120)
{
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    person manager = person_new(agency, "manager");
    instance b, c;
    instance_start(&b);
    instance_start(&c);

    for (int round = 0; round < 5; round++) {
        char *id = meeting_new(&requester, "stop_and_review");
        const char *headers[] = {"If-Match: \"1\"", NULL};
        race x = {.url = b.url, .path = meeting_path(id, "authorise"), .token = manager.token,
                  .headers = headers};
        char path[128];
        snprintf(path, sizeof path, "%s", x.path);
        x.path = path;
        race y = x;
        y.url = c.url;
        run_race(&x, &y);
        cr_assert((x.status == 200 && y.status == 412) || (x.status == 412 && y.status == 200),
                  "one authorisation wins and the other is stale: %ld and %ld", x.status, y.status);
        const char *params[] = {id};
        cr_assert_eq(db_long("SELECT version FROM meetings WHERE id = $1", 1, params), 2);
        cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE resource_id = $1"
                             " AND action = 'meeting.authorise'", 1, params), 1);
        free(x.location);
        free(y.location);
        free(id);
    }

    for (int round = 0; round < 5; round++) {
        char suffix[17], key[64], ref[48];
        unique_suffix(suffix, sizeof suffix);
        snprintf(key, sizeof key, "Idempotency-Key: race-%s", suffix);
        snprintf(ref, sizeof ref, "race-%s", suffix);
        json_t *body = meeting_body("stop_and_review");
        json_object_set_new(body, "external_ref", json_pack("{s:s, s:s}", "system", "faults", "id", ref));
        char *text = json_dumps(body, JSON_COMPACT);
        json_decref(body);
        const char *headers[] = {"Content-Type: application/json", key, NULL};
        race x = {.url = b.url, .path = "/v1/meetings", .token = requester.token,
                  .headers = headers, .body = text};
        race y = x;
        y.url = c.url;
        run_race(&x, &y);
        cr_assert_eq(x.status, 201, "first instance: %ld", x.status);
        cr_assert_eq(y.status, 201, "second instance: %ld", y.status);
        cr_assert_str_eq(x.location, y.location, "both answers name the same meeting");
        const char *params[] = {ref};
        cr_assert_eq(db_long("SELECT count(*) FROM meetings WHERE external_system = 'faults'"
                             " AND external_id = $1", 1, params), 1, "one meeting created");
        free(x.location);
        free(y.location);
        free(text);
    }
    cr_assert_eq(instance_stop(&b, SIGTERM), 0);
    cr_assert_eq(instance_stop(&c, SIGTERM), 0);
    person_free(&requester);
    person_free(&manager);
    free(agency);
}
