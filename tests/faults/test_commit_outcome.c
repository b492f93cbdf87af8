/* A write whose connection to PostgreSQL is lost during COMMIT (issue 20,
 * item 2). The transaction may have committed or not; the service answered
 * a plain 503 either way, so a client told "nothing happened" could find
 * its meeting created, or its retried edit refused 412. Now the service
 * asks the server (pg_xact_status of the transaction's id, taken with
 * BEGIN) and answers what happened, or, when the server cannot be asked in
 * time, 503 /problems/outcome-unknown.
 *
 * The window is small (the commit is flushed, the answer not yet back), so
 * a crash hits it only now and then (the issue saw 6 of 21,947 503s). A
 * proxy between the service and PostgreSQL opens it every time: it drops
 * the connection just after the server's "COMMIT" answer, or just before
 * the client's COMMIT reaches the server, and can refuse new connections so
 * that the outcome cannot be learnt. Then PostgreSQL itself is crashed under
 * write load (immediate stop, and SIGKILL of the postmaster), and every
 * answer is checked against the database: each request carries its own
 * X-Request-Id, which the audit row of a committed change records. */
#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "support/client.h"
#include "support/fixtures.h"
#include "support/instance.h"
#include "support/people.h"

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

/* --- a proxy in front of PostgreSQL that can drop a COMMIT --- */

enum cut { PASS_THROUGH, CUT_AFTER_COMMIT, CUT_BEFORE_COMMIT };

typedef struct stream {
    unsigned char *data;
    size_t len, cap;
} stream;

typedef struct pair {
    int client, server;
    bool open;
    bool started;    /* the client's untyped startup message has gone by */
    stream from_client, from_server;
} pair;

#define MAX_PAIRS 64

typedef struct pgproxy {
    int listen_fd, port, upstream_port;
    pthread_t thread;
    atomic_bool stop;
    atomic_int cut;      /* enum cut: applies to the next COMMIT, then back to PASS_THROUGH */
    atomic_bool refuse;  /* new connections are closed at once */
    atomic_int cuts;     /* COMMITs dropped so far */
    pair pairs[MAX_PAIRS];
} pgproxy;

static void stream_add(stream *s, const unsigned char *p, size_t n)
{
    if (s->len + n > s->cap) {
        s->cap = (s->len + n) * 2;
        s->data = realloc(s->data, s->cap);
    }
    memcpy(s->data + s->len, p, n);
    s->len += n;
}

static void stream_drop(stream *s, size_t n)
{
    memmove(s->data, s->data + n, s->len - n);
    s->len -= n;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void close_pair(pair *p)
{
    close(p->client);
    close(p->server);
    p->open = false;
    free(p->from_client.data);
    free(p->from_server.data);
    memset(&p->from_client, 0, sizeof p->from_client);
    memset(&p->from_server, 0, sizeof p->from_server);
}

static bool send_all(int fd, const unsigned char *p, size_t n)
{
    while (n > 0) {
        ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
        if (k <= 0)
            return false;
        p += k;
        n -= (size_t)k;
    }
    return true;
}

/* Forwards every complete message of s to fd; false when the pair must be
 * dropped (the cut, or a send failure). */
static bool forward(pgproxy *px, pair *p, bool from_client)
{
    stream *s = from_client ? &p->from_client : &p->from_server;
    int to = from_client ? p->server : p->client;
    for (;;) {
        size_t head = from_client && !p->started ? 0 : 1; /* the startup message has no type */
        if (s->len < head + 4)
            return true;
        size_t len = head + be32(s->data + head);
        if (s->len < len)
            return true;
        int cut = atomic_load(&px->cut);
        bool commit_query = from_client && head == 1 && s->data[0] == 'Q' &&
                            len == 1 + 4 + 7 && memcmp(s->data + 5, "COMMIT", 7) == 0;
        bool commit_done = !from_client && s->data[0] == 'C' && len == 1 + 4 + 7 &&
                           memcmp(s->data + 5, "COMMIT", 7) == 0;
        if ((cut == CUT_BEFORE_COMMIT && commit_query) || (cut == CUT_AFTER_COMMIT && commit_done)) {
            atomic_store(&px->cut, PASS_THROUGH);
            atomic_fetch_add(&px->cuts, 1);
            return false;
        }
        if (!send_all(to, s->data, len))
            return false;
        if (from_client)
            p->started = true;
        stream_drop(s, len);
    }
}

static void *proxy_loop(void *arg)
{
    pgproxy *px = arg;
    while (!atomic_load(&px->stop)) {
        struct pollfd fds[1 + 2 * MAX_PAIRS];
        int who[1 + 2 * MAX_PAIRS];
        int n = 0;
        fds[n] = (struct pollfd){.fd = px->listen_fd, .events = POLLIN};
        who[n++] = -1;
        for (int i = 0; i < MAX_PAIRS; i++) {
            if (!px->pairs[i].open)
                continue;
            fds[n] = (struct pollfd){.fd = px->pairs[i].client, .events = POLLIN};
            who[n++] = 2 * i;
            fds[n] = (struct pollfd){.fd = px->pairs[i].server, .events = POLLIN};
            who[n++] = 2 * i + 1;
        }
        if (poll(fds, (nfds_t)n, 50) <= 0)
            continue;
        for (int k = 0; k < n; k++) {
            if (!fds[k].revents)
                continue;
            if (who[k] < 0) {
                int c = accept(px->listen_fd, NULL, NULL);
                if (c < 0)
                    continue;
                if (atomic_load(&px->refuse)) {
                    close(c);
                    continue;
                }
                int s = socket(AF_INET, SOCK_STREAM, 0);
                struct sockaddr_in a = {.sin_family = AF_INET,
                                        .sin_port = htons((uint16_t)px->upstream_port),
                                        .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
                int slot = -1;
                for (int i = 0; i < MAX_PAIRS && slot < 0; i++)
                    if (!px->pairs[i].open)
                        slot = i;
                if (slot < 0 || connect(s, (struct sockaddr *)&a, sizeof a) != 0) {
                    close(c);
                    close(s);
                    continue;
                }
                px->pairs[slot] = (pair){.client = c, .server = s, .open = true};
                continue;
            }
            pair *p = &px->pairs[who[k] / 2];
            if (!p->open)
                continue;
            bool from_client = who[k] % 2 == 0;
            unsigned char buf[65536];
            ssize_t got = recv(from_client ? p->client : p->server, buf, sizeof buf, 0);
            if (got <= 0) {
                close_pair(p);
                continue;
            }
            stream_add(from_client ? &p->from_client : &p->from_server, buf, (size_t)got);
            if (!forward(px, p, from_client))
                close_pair(p);
        }
    }
    for (int i = 0; i < MAX_PAIRS; i++)
        if (px->pairs[i].open)
            close_pair(&px->pairs[i]);
    return NULL;
}

static void proxy_start(pgproxy *px)
{
    memset(px, 0, sizeof *px);
    const char *port = getenv("MAM_TEST_PG_PORT");
    cr_assert(port, "MAM_TEST_PG_PORT is set by tests/run.sh");
    px->upstream_port = atoi(port);
    px->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    cr_assert(bind(px->listen_fd, (struct sockaddr *)&a, sizeof a) == 0 &&
              listen(px->listen_fd, 64) == 0 &&
              getsockname(px->listen_fd, (struct sockaddr *)&a, &len) == 0);
    px->port = ntohs(a.sin_port);
    pthread_create(&px->thread, NULL, proxy_loop, px);
}

static void proxy_stop(pgproxy *px)
{
    atomic_store(&px->stop, true);
    pthread_join(px->thread, NULL);
    close(px->listen_fd);
}

/* MAM_DATABASE_URL with another port, and further parameters. */
static void database_url(char *out, size_t size, int port, const char *params)
{
    const char *url = getenv("MAM_DATABASE_URL");
    cr_assert(url && !strchr(url, '?'), "MAM_DATABASE_URL is a plain URL");
    if (port <= 0) {
        snprintf(out, size, "DATABASE_URL=%s?%s", url, params);
        return;
    }
    /* postgresql://user:password@127.0.0.1:PORT/db */
    const char *at = strrchr(url, '@');
    const char *colon = at ? strchr(at, ':') : NULL;
    const char *slash = colon ? strchr(colon, '/') : NULL;
    cr_assert(slash, "MAM_DATABASE_URL has a host, port and database: %s", url);
    snprintf(out, size, "DATABASE_URL=%.*s:%d%s?%s", (int)(colon - url), url, port, slash, params);
}

/* --- requests --- */

/* The audit trail names every committed change by its request id. */
static bool committed(const char *request_id)
{
    const char *params[] = {request_id};
    return db_long("SELECT count(*) FROM audit_events WHERE request_id = $1", 1, params) > 0;
}

static long meetings_with_ref(const char *ref)
{
    const char *params[] = {ref};
    return db_long("SELECT count(*) FROM meetings WHERE external_system = 'outcome'"
                   " AND external_id = $1",
                   1, params);
}

static http_response *create(const char *url, const person *p, const char *ref,
                              const char *request_id, const char *key)
{
    json_t *body = meeting_body("multi_agency");
    json_object_set_new(body, "external_ref", json_pack("{s:s, s:s}", "system", "outcome", "id", ref));
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    char rid[128], idem[300];
    snprintf(rid, sizeof rid, "X-Request-Id: %s", request_id);
    snprintf(idem, sizeof idem, "Idempotency-Key: %s", key);
    const char *headers[] = {"Content-Type: application/json", rid, key ? idem : NULL, NULL};
    http_response *r = http_call_to(url, "POST", "/v1/meetings", p->token, headers, text,
                                    strlen(text));
    free(text);
    return r;
}

static http_response *edit(const char *url, const person *p, const char *id, long version,
                           const char *title, const char *request_id)
{
    json_t *body = json_pack("{s:s}", "title", title);
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    char rid[128], match[64];
    snprintf(rid, sizeof rid, "X-Request-Id: %s", request_id);
    snprintf(match, sizeof match, "If-Match: \"%ld\"", version);
    const char *headers[] = {"Content-Type: application/json", rid, match, NULL};
    http_response *r = http_call_to(url, "PATCH", meeting_path(id, NULL), p->token, headers, text,
                                    strlen(text));
    free(text);
    return r;
}

static const char *problem_type(const http_response *r)
{
    return r->json ? json_str(r->json, "type") : NULL;
}

static bool is_type(const http_response *r, const char *type)
{
    const char *t = problem_type(r);
    return t && strcmp(t, type) == 0;
}

static long version_of(const http_response *r)
{
    char *etag = http_header(r, "ETag");
    long v = etag ? atol(etag + 1) : -1;
    free(etag);
    return v;
}

/* --- the lost COMMIT, every time --- */

Test(outcome, a_commit_whose_answer_is_lost_is_learnt_and_answered, .timeout = 120)
{
    char *agency = agency_new("childrens_social_care");
    person p = person_new(agency, "practitioner");
    pgproxy px;
    proxy_start(&px);
    char url_env[512];
    database_url(url_env, sizeof url_env, px.port, "sslmode=disable&gssencmode=disable");
    /* no webhook delivery workers: their transactions would commit through
     * the proxy too, and it cuts whichever COMMIT comes first */
    const char *env[] = {url_env, "WEBHOOK_WORKERS=0", NULL};
    instance in;
    instance_start_env(&in, env);
    char suffix[17], ref[64], rid[64], key[64];
    unique_suffix(suffix, sizeof suffix);

    /* committed, its answer lost: the service learns it and answers 201 */
    snprintf(ref, sizeof ref, "a-%s", suffix);
    snprintf(rid, sizeof rid, "outcome-a-%s", suffix);
    atomic_store(&px.cut, CUT_AFTER_COMMIT);
    http_response *r = create(in.url, &p, ref, rid, NULL);
    cr_assert_eq(atomic_load(&px.cuts), 1, "the proxy dropped the answer to COMMIT");
    cr_assert_eq(r->status, 201, "a creation that committed: %ld %s", r->status, r->body);
    cr_assert(committed(rid) && meetings_with_ref(ref) == 1);
    char *id = strdup(json_str(r->json, "id"));
    long version = version_of(r);
    http_free(r);

    /* an edit, likewise: 200 with the new version */
    snprintf(rid, sizeof rid, "outcome-b-%s", suffix);
    atomic_store(&px.cut, CUT_AFTER_COMMIT);
    r = edit(in.url, &p, id, version, "Edited while the connection broke", rid);
    cr_assert_eq(atomic_load(&px.cuts), 2);
    cr_assert_eq(r->status, 200, "an edit that committed: %ld %s", r->status, r->body);
    cr_assert_eq(version_of(r), version + 1);
    cr_assert(committed(rid));
    http_free(r);

    /* COMMIT never reached the server: nothing happened, a plain 503, and
     * the Idempotency-Key is unused */
    snprintf(ref, sizeof ref, "c-%s", suffix);
    snprintf(rid, sizeof rid, "outcome-c-%s", suffix);
    snprintf(key, sizeof key, "key-c-%s", suffix);
    atomic_store(&px.cut, CUT_BEFORE_COMMIT);
    r = create(in.url, &p, ref, rid, key);
    cr_assert_eq(atomic_load(&px.cuts), 3);
    cr_assert_eq(r->status, 503, "%ld %s", r->status, r->body);
    cr_assert(is_type(r, "/problems/database-unavailable"), "%s", r->body);
    cr_assert(!committed(rid) && meetings_with_ref(ref) == 0);
    http_free(r);
    snprintf(rid, sizeof rid, "outcome-c2-%s", suffix);
    r = create(in.url, &p, ref, rid, key);
    cr_assert_eq(r->status, 201, "the retry with the unused key: %ld %s", r->status, r->body);
    char *replayed = http_header(r, "Idempotent-Replayed");
    cr_assert_null(replayed, "made now, not replayed");
    cr_assert_eq(meetings_with_ref(ref), 1);
    http_free(r);

    /* committed, and the server cannot be asked in time: the documented
     * unknown outcome; the same key then replays the creation */
    snprintf(ref, sizeof ref, "d-%s", suffix);
    snprintf(rid, sizeof rid, "outcome-d-%s", suffix);
    snprintf(key, sizeof key, "key-d-%s", suffix);
    atomic_store(&px.refuse, true);
    atomic_store(&px.cut, CUT_AFTER_COMMIT);
    double t0 = now_s();
    r = create(in.url, &p, ref, rid, key);
    double unknown_took = now_s() - t0;
    cr_assert_eq(atomic_load(&px.cuts), 4);
    cr_assert_eq(r->status, 503, "%ld %s", r->status, r->body);
    cr_assert(is_type(r, "/problems/outcome-unknown"), "%s", r->body);
    char *retry = http_header(r, "Retry-After");
    cr_assert_not_null(retry);
    free(retry);
    cr_assert(committed(rid) && meetings_with_ref(ref) == 1, "it did commit");
    http_free(r);
    atomic_store(&px.refuse, false);
    snprintf(rid, sizeof rid, "outcome-d2-%s", suffix);
    r = create(in.url, &p, ref, rid, key);
    cr_assert_eq(r->status, 201, "the retry with the same key: %ld %s", r->status, r->body);
    replayed = http_header(r, "Idempotent-Replayed");
    cr_assert(replayed && strcmp(replayed, "true") == 0, "the first answer replayed");
    free(replayed);
    cr_assert_eq(meetings_with_ref(ref), 1, "created once");
    http_free(r);

    /* not committed, and the server cannot be asked: unknown too; the same
     * key then makes it */
    snprintf(ref, sizeof ref, "e-%s", suffix);
    snprintf(rid, sizeof rid, "outcome-e-%s", suffix);
    snprintf(key, sizeof key, "key-e-%s", suffix);
    atomic_store(&px.refuse, true);
    atomic_store(&px.cut, CUT_BEFORE_COMMIT);
    r = create(in.url, &p, ref, rid, key);
    cr_assert_eq(r->status, 503, "%ld %s", r->status, r->body);
    cr_assert(is_type(r, "/problems/outcome-unknown"), "%s", r->body);
    cr_assert_eq(meetings_with_ref(ref), 0);
    http_free(r);
    atomic_store(&px.refuse, false);
    snprintf(rid, sizeof rid, "outcome-e2-%s", suffix);
    r = create(in.url, &p, ref, rid, key);
    cr_assert_eq(r->status, 201, "%ld %s", r->status, r->body);
    replayed = http_header(r, "Idempotent-Replayed");
    cr_assert_null(replayed, "made now, not replayed");
    cr_assert_eq(meetings_with_ref(ref), 1);
    http_free(r);

    cr_log_info("lost COMMIT: a creation and an edit that committed answered 201 and 200; one "
                "that did not, 503 database-unavailable and its key unused; with the server "
                "unreachable, 503 outcome-unknown after %.2fs (REQUEST_TIMEOUT_S %s), and the "
                "same key replayed (committed) or made it (not)",
                unknown_took, getenv("REQUEST_TIMEOUT_S"));
    cr_assert_eq(instance_stop(&in, SIGTERM), 0, "log %s", in.log);
    proxy_stop(&px);
    free(id);
    person_free(&p);
    free(agency);
}

/* --- PostgreSQL crashed under write load --- */

enum answer { ANS_2XX, ANS_PLAIN_503, ANS_UNKNOWN, ANS_412, ANS_OTHER, ANS_NONE, N_ANS };
static const char *const answer_names[] = {"2xx", "plain 503", "outcome-unknown", "412", "other",
                                           "no answer"};

#define MAX_REQUESTS 40000

typedef struct record {
    char request_id[48];
    enum answer answer;
    long status;
    bool write_is_edit;
} record;

typedef struct crash_load {
    const char *url;
    const person *who;
    char suffix[17];
    char *meeting[3];   /* one per editor */
    atomic_bool stop;
    atomic_int n;
    record *records;
} crash_load;

static enum answer classify(const http_response *r)
{
    if (r->status >= 200 && r->status < 300)
        return ANS_2XX;
    if (r->status == 503)
        return is_type(r, "/problems/outcome-unknown") ? ANS_UNKNOWN : ANS_PLAIN_503;
    if (r->status == 412)
        return ANS_412;
    return r->status > 0 ? ANS_OTHER : ANS_NONE;
}

static void note(crash_load *l, const char *rid, const http_response *r, bool edit)
{
    int i = atomic_fetch_add(&l->n, 1);
    if (i >= MAX_REQUESTS)
        return;
    record *rec = &l->records[i];
    snprintf(rec->request_id, sizeof rec->request_id, "%s", rid);
    rec->answer = classify(r);
    rec->status = r->status;
    rec->write_is_edit = edit;
}

static void *creator(void *arg)
{
    crash_load *l = arg;
    static atomic_int seq;
    while (!atomic_load(&l->stop)) {
        int k = atomic_fetch_add(&seq, 1);
        char rid[48], ref[48];
        snprintf(rid, sizeof rid, "crash-%s-c%d", l->suffix, k);
        snprintf(ref, sizeof ref, "crash-%s-%d", l->suffix, k);
        http_response *r = create(l->url, l->who, ref, rid, rid);
        note(l, rid, r, false);
        if (r->status <= 0 || r->status == 503)
            sleep_ms(20);
        http_free(r);
    }
    return NULL;
}

typedef struct editor_arg {
    crash_load *l;
    int which;
} editor_arg;

static void *editor(void *arg)
{
    editor_arg *e = arg;
    crash_load *l = e->l;
    const char *id = l->meeting[e->which];
    long version = -1;
    for (int k = 0; !atomic_load(&l->stop); k++) {
        if (version < 0) {
            /* learn the current version (after a 412 or an unknown outcome) */
            http_response *g = http_call_to(l->url, "GET", meeting_path(id, NULL), l->who->token,
                                            NULL, NULL, 0);
            if (g->status == 200)
                version = version_of(g);
            http_free(g);
            if (version < 0) {
                sleep_ms(50);
                continue;
            }
        }
        char rid[48], title[64];
        snprintf(rid, sizeof rid, "crash-%s-e%d-%d", l->suffix, e->which, k);
        snprintf(title, sizeof title, "Edit %d of editor %d", k, e->which);
        http_response *r = edit(l->url, l->who, id, version, title, rid);
        note(l, rid, r, true);
        enum answer a = classify(r);
        if (a == ANS_2XX)
            version = version_of(r);
        else if (a != ANS_PLAIN_503)
            version = -1; /* a plain 503 changed nothing: the version stands */
        if (r->status <= 0 || r->status == 503)
            sleep_ms(20);
        http_free(r);
    }
    return NULL;
}

static void cluster(const char *action, const char *how)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "deploy/local-db.sh %s %s %s >/dev/null", action,
             getenv("MAM_TEST_CLUSTER"),
             strcmp(action, "start") == 0 ? getenv("MAM_TEST_PG_PORT") : how);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
}

/* Runs a statement as the cluster's superuser. */
static void admin_exec(const char *sql)
{
    char cmd[256], url[512] = "";
    snprintf(cmd, sizeof cmd, "deploy/local-db.sh admin-url %s", getenv("MAM_TEST_CLUSTER"));
    FILE *f = popen(cmd, "r");
    cr_assert(f && fgets(url, sizeof url, f), "%s", cmd);
    pclose(f);
    url[strcspn(url, "\n")] = '\0';
    PGconn *pg = PQconnectdb(url);
    cr_assert_eq(PQstatus(pg), CONNECTION_OK, "%s", PQerrorMessage(pg));
    PGresult *r = PQexec(pg, sql);
    ExecStatusType st = PQresultStatus(r);
    cr_assert(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK, "%s: %s", sql, PQerrorMessage(pg));
    PQclear(r);
    PQfinish(pg);
}

/* Commits flush their record and then wait for a standby that never comes:
 * committed on this server, unanswered. A crash now leaves every write in
 * its COMMIT committed and its client without an answer. */
static void hold_commits(bool hold)
{
    admin_exec(hold ? "ALTER SYSTEM SET synchronous_standby_names = 'mam_test_absent_standby'"
                    : "ALTER SYSTEM RESET synchronous_standby_names");
    admin_exec("SELECT pg_reload_conf()");
}

/* After the test, passed or not: commits must never stay held (the setting
 * outlives restarts; deploy/local-db.sh start drops it from test clusters
 * too, should the cluster be down now). */
static void release_commits(void)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd,
             "psql -X -q \"$(deploy/local-db.sh admin-url %s)\" -c 'ALTER SYSTEM RESET "
             "synchronous_standby_names' -c 'SELECT pg_reload_conf()' >/dev/null 2>&1",
             getenv("MAM_TEST_CLUSTER"));
    int rc = system(cmd);
    (void)rc;
}

/* Waits until the instance answers a read 200 again; seconds taken. */
static double back_in_service(const char *url, const person *p)
{
    double t0 = now_s();
    while (now_s() - t0 < 30) {
        http_response *r = http_call_to(url, "GET", "/v1/meetings?limit=1", p->token, NULL, NULL, 0);
        long status = r->status;
        http_free(r);
        if (status == 200)
            return now_s() - t0;
        sleep_ms(100);
    }
    return -1;
}

/* Two defects this test once found in fresh-clone runs: a lost COMMIT
 * answered 201 because its transaction id, reused by the restarted server
 * for another transaction, had committed (src/db/db.c outcome_of); and a
 * PATCH sent to another editor's meeting, its path taken from a buffer the
 * editor threads shared (tests/support/fixtures.c meeting_path). */
Test(outcome, postgresql_crashed_under_write_load_never_gets_a_plain_503_for_a_committed_change,
     .timeout = 240, .fini = release_commits)
{
    release_commits();
    char *agency = agency_new("childrens_social_care");
    person p = person_new(agency, "practitioner");
    /* acknowledged means durable: the test clusters commit asynchronously
     * by default (tests/run.sh); the service's instance here does not */
    char url_env[512];
    database_url(url_env, sizeof url_env, 0, "options=-c%20synchronous_commit%3Don");
    const char *env[] = {url_env, NULL};
    instance in;
    instance_start_env(&in, env);

    crash_load l;
    memset(&l, 0, sizeof l);
    l.url = in.url;
    l.who = &p;
    unique_suffix(l.suffix, sizeof l.suffix);
    l.records = calloc(MAX_REQUESTS, sizeof *l.records);
    for (int i = 0; i < 3; i++)
        l.meeting[i] = meeting_new(&p, "multi_agency");

    pthread_t threads[6];
    editor_arg eargs[3];
    for (int i = 0; i < 3; i++) {
        pthread_create(&threads[i], NULL, creator, &l);
        eargs[i] = (editor_arg){&l, i};
        pthread_create(&threads[3 + i], NULL, editor, &eargs[i]);
    }
    /* the last two crashes come while commits are held (hold_commits) */
    static const struct {
        const char *how;
        bool held;
    } crashes[] = {{"immediate", false}, {"kill", false}, {"immediate", true}, {"kill", true}};
    double worst_back = 0;
    for (size_t c = 0; c < sizeof crashes / sizeof crashes[0]; c++) {
        sleep_ms(1500);
        if (crashes[c].held) {
            hold_commits(true);
            sleep_ms(700);
        }
        cluster("crash", crashes[c].how);
        sleep_ms(500);
        cluster("start", NULL);
        if (crashes[c].held)
            hold_commits(false);
        double back = back_in_service(in.url, &p);
        cr_assert_geq(back, 0, "the service was not back 30 s after the restart (log %s)", in.log);
        worst_back = back > worst_back ? back : worst_back;
    }
    sleep_ms(1000);
    atomic_store(&l.stop, true);
    for (int i = 0; i < 6; i++)
        pthread_join(threads[i], NULL);

    int n = atomic_load(&l.n);
    cr_assert_lt(n, MAX_REQUESTS);
    /* every request id of this load that the audit trail holds, one query */
    char pattern[48];
    snprintf(pattern, sizeof pattern, "crash-%s-%%", l.suffix);
    const char *params[] = {pattern};
    char *ids = db_value("SELECT ' ' || coalesce(string_agg(DISTINCT request_id, ' '), '') || ' '"
                         " FROM audit_events WHERE request_id LIKE $1",
                         1, params);
    long counts[N_ANS] = {0}, unknown_committed = 0;
    for (int i = 0; i < n; i++) {
        record *rec = &l.records[i];
        counts[rec->answer]++;
        char needle[64];
        snprintf(needle, sizeof needle, " %s ", rec->request_id);
        bool done = strstr(ids, needle) != NULL;
        const char *what = rec->write_is_edit ? "edit" : "creation";
        switch (rec->answer) {
        case ANS_2XX:
            cr_assert(done, "an acknowledged %s is not in the database (%s)", what,
                      rec->request_id);
            break;
        case ANS_PLAIN_503:
        case ANS_412:
            cr_assert(!done, "a %s answered %ld (%s) had committed (%s)", what, rec->status,
                      answer_names[rec->answer], rec->request_id);
            break;
        case ANS_UNKNOWN:
            unknown_committed += done;
            break;
        case ANS_OTHER:
            cr_assert_fail("a %s answered %ld (%s)", what, rec->status, rec->request_id);
            break;
        case ANS_NONE:
            cr_assert_fail("a %s got no answer (%s; log %s)", what, rec->request_id, in.log);
            break;
        case N_ANS:
            break;
        }
    }
    free(ids);
    cr_assert_gt(counts[ANS_2XX], 0);
    cr_assert_gt(counts[ANS_PLAIN_503], 0, "no write met the crashes");
    char *log = instance_log(&in);
    int learnt_committed = 0, learnt_not = 0;
    for (const char *at = strstr(log, "during COMMIT; the transaction "); at;
         at = strstr(at + 1, "during COMMIT; the transaction ")) {
        learnt_committed += strncmp(at + 31, "committed", 9) == 0;
        learnt_not += strncmp(at + 31, "did not", 7) == 0;
    }
    free(log);
    /* with commits held, every write in flight was in its COMMIT, committed */
    cr_assert_gt(learnt_committed + unknown_committed, 0,
                 "no COMMIT was lost with its transaction committed");
    cr_log_info("crashes under write load (2 immediate stops, 2 postmaster kills, each once with "
                "commits held; 3 creators and 3 editors): %d writes, %ld 2xx, %ld plain 503, %ld "
                "outcome-unknown (%ld of them committed), %ld 412; every answer agrees with the "
                "database; lost COMMITs learnt from the server: %d committed, %d not; back in "
                "service at most %.2fs after each restart",
                n, counts[ANS_2XX], counts[ANS_PLAIN_503], counts[ANS_UNKNOWN], unknown_committed,
                counts[ANS_412], learnt_committed, learnt_not, worst_back);
    cr_assert_eq(instance_stop(&in, SIGTERM), 0, "log %s", in.log);
    for (int i = 0; i < 3; i++)
        free(l.meeting[i]);
    free(l.records);
    person_free(&p);
    free(agency);
}
