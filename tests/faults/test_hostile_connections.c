/* Hostile connections against a service instance of the test's own: clients
 * that trickle a request a byte a second (slowloris), connections that send
 * nothing, more connections than HTTP_CONNECTION_LIMIT, and oversized
 * headers. None of them may take the service down or keep other clients
 * waiting for long; every one is closed in bounded time.
 *
 * tests/run.sh runs these tests with REQUEST_TIMEOUT_S=5 (the watchdog's
 * deadline for a request, src/http/watchdog.h). */
#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

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

static int request_timeout_s(void)
{
    const char *v = getenv("REQUEST_TIMEOUT_S");
    cr_assert(v && atoi(v) > 0, "REQUEST_TIMEOUT_S is set by tests/run.sh");
    return atoi(v);
}

static int raw_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof a), 0, "connect: %s", strerror(errno));
    return fd;
}

/* 1 when the peer has closed fd (EOF or reset), 0 when it is still open;
 * any bytes the service sent are counted in *received. */
static int peer_closed(int fd, size_t *received)
{
    char buf[4096];
    for (;;) {
        ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n > 0) {
            *received += (size_t)n;
            continue;
        }
        if (n == 0)
            return 1;
        return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : 1;
    }
}

/* Waits until every fd is closed by the service or the deadline passes;
 * closed_at[i] gets the time (now_s()) fd i was seen closed, or 0. */
static void watch_until_closed(const int *fds, int n, double *closed_at, size_t *received,
                               double deadline)
{
    int open = 0;
    for (int i = 0; i < n; i++)
        open += closed_at[i] == 0;
    while (open > 0 && now_s() < deadline) {
        struct pollfd p[256];
        int map[256], k = 0;
        for (int i = 0; i < n && k < 256; i++)
            if (closed_at[i] == 0) {
                p[k] = (struct pollfd){.fd = fds[i], .events = POLLIN};
                map[k++] = i;
            }
        poll(p, (nfds_t)k, 50);
        for (int j = 0; j < k; j++)
            if (p[j].revents && peer_closed(fds[map[j]], &received[map[j]])) {
                closed_at[map[j]] = now_s();
                open--;
            }
    }
}

/* The value of a counter in /metrics, or -1. */
static long metric(const char *url, const char *name)
{
    http_response *r = http_call_to(url, "GET", "/metrics", NULL, NULL, NULL, 0);
    long v = -1;
    char *at = r->status == 200 ? strstr(r->body, name) : NULL;
    while (at && at > r->body && at[-1] != '\n')
        at = strstr(at + 1, name);
    if (at)
        v = atol(at + strlen(name) + 1);
    http_free(r);
    return v;
}

/* --- slow clients --- */

#define TRICKLERS 40

typedef struct trickle {
    int port;
    int fds[TRICKLERS];
    const char *text[TRICKLERS];
    size_t sent[TRICKLERS];
    size_t received[TRICKLERS];
    double opened_at[TRICKLERS];
    double closed_at[TRICKLERS];
    atomic_int open;
} trickle;

/* Sends every open connection its next byte once a second and notes when
 * the service closes each one. */
static void *trickler(void *arg)
{
    trickle *t = arg;
    double next_byte = now_s();
    while (atomic_load(&t->open) > 0 && now_s() < t->opened_at[0] + 60) {
        bool send_now = now_s() >= next_byte;
        if (send_now)
            next_byte += 1.0;
        for (int i = 0; i < TRICKLERS; i++) {
            if (t->closed_at[i] != 0)
                continue;
            bool closed = peer_closed(t->fds[i], &t->received[i]);
            if (!closed && send_now && t->text[i][t->sent[i]]) {
                if (send(t->fds[i], t->text[i] + t->sent[i], 1, MSG_NOSIGNAL) == 1)
                    t->sent[i]++;
                else
                    closed = true;
            }
            if (closed) {
                t->closed_at[i] = now_s();
                atomic_fetch_sub(&t->open, 1);
            }
        }
        sleep_ms(50);
    }
    return NULL;
}

Test(hostile, slow_clients_are_cut_off_and_do_not_starve_others, .timeout = 90)
{
    int timeout = request_timeout_s();
    char *agency = agency_new("health");
    person p = person_new(agency, "practitioner");
    instance in;
    instance_start(&in);
    long cut_before = metric(in.url, "mam_http_requests_cut_off_total");

    /* Half trickle their request line and headers; half send complete
     * headers at once and trickle the body they announced. */
    static const char *slow_headers =
        "GET /v1/meetings HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "X-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n";
    static const char *body_head =
        "POST /v1/meetings HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Content-Length: 200\r\n\r\n";
    static const char *slow_body =
        "{\"title\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    trickle t;
    memset(&t, 0, sizeof t);
    t.port = in.port;
    for (int i = 0; i < TRICKLERS; i++) {
        t.fds[i] = raw_connect(in.port);
        t.opened_at[i] = now_s();
        if (i % 2) {
            cr_assert_eq(send(t.fds[i], body_head, strlen(body_head), MSG_NOSIGNAL),
                         (ssize_t)strlen(body_head));
            t.text[i] = slow_body;
        } else {
            t.text[i] = slow_headers;
        }
    }
    atomic_store(&t.open, TRICKLERS);
    pthread_t thread;
    pthread_create(&thread, NULL, trickler, &t);

    /* meanwhile, an ordinary client keeps asking */
    int served = 0, other = 0;
    double worst = 0;
    while (atomic_load(&t.open) > 0 && now_s() < t.opened_at[0] + timeout + 10) {
        double t0 = now_s();
        http_response *r = http_call_to(in.url, "GET", "/v1/meetings", p.token, NULL, NULL, 0);
        double took = now_s() - t0;
        if (took > worst)
            worst = took;
        if (r->status == 200)
            served++;
        else
            other++;
        http_free(r);
        sleep_ms(20);
    }
    pthread_join(thread, NULL);

    double first = 1e9, last = 0;
    for (int i = 0; i < TRICKLERS; i++) {
        cr_assert_neq(t.closed_at[i], 0, "slow connection %d was never closed", i);
        cr_assert_eq(t.received[i], 0, "slow connection %d got %zu bytes of answer", i,
                     t.received[i]);
        double held = t.closed_at[i] - t.opened_at[i];
        if (held < first)
            first = held;
        if (held > last)
            last = held;
        cr_assert(t.text[i][t.sent[i]] != '\0', "connection %d finished its request", i);
    }
    cr_assert_geq(first, timeout - 0.5, "cut off before REQUEST_TIMEOUT_S: %.2fs", first);
    cr_assert_leq(last, timeout + 2.5, "cut off late: %.2fs after connecting", last);
    cr_assert_eq(other, 0, "%d ordinary requests failed while the slow ones trickled", other);
    cr_assert_gt(served, 20, "only %d ordinary requests answered", served);
    cr_assert_lt(worst, 1.0, "an ordinary request waited %.2fs", worst);
    long cut_after = metric(in.url, "mam_http_requests_cut_off_total");
    cr_assert_geq(cut_after - cut_before, TRICKLERS, "cut-offs counted: %ld", cut_after - cut_before);
    cr_log_info("slow clients: %d cut off after %.2f-%.2fs (REQUEST_TIMEOUT_S=%d); meanwhile %d "
                "ordinary requests answered 200, slowest %.3fs",
                TRICKLERS, first, last, timeout, served, worst);
    for (int i = 0; i < TRICKLERS; i++)
        close(t.fds[i]);
    cr_assert_eq(instance_stop(&in, SIGTERM), 0, "log %s", in.log);
    person_free(&p);
    free(agency);
}

/* --- idle connections --- */

Test(hostile, idle_connections_are_closed, .timeout = 60)
{
    int timeout = request_timeout_s();
    const int keep_alive_s = timeout + 3;
    char keep_alive[64];
    snprintf(keep_alive, sizeof keep_alive, "HTTP_CONNECTION_TIMEOUT_S=%d", keep_alive_s);
    const char *env[] = {keep_alive, NULL};
    instance in;
    instance_start_env(&in, env);

    /* connections that never send a byte: the request deadline runs from
     * the connection, so the watchdog closes them */
    enum { SILENT = 10 };
    int silent[SILENT];
    double silent_closed[SILENT] = {0};
    size_t silent_received[SILENT] = {0};
    double opened = now_s();
    for (int i = 0; i < SILENT; i++)
        silent[i] = raw_connect(in.port);

    /* a keep-alive connection after one complete request carries no request
     * deadline: libmicrohttpd closes it after HTTP_CONNECTION_TIMEOUT_S */
    int kept = raw_connect(in.port);
    const char *req = "GET /livez HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    cr_assert_eq(send(kept, req, strlen(req), MSG_NOSIGNAL), (ssize_t)strlen(req));
    double kept_opened = now_s();
    double kept_closed = 0;
    size_t kept_received = 0;

    watch_until_closed(silent, SILENT, silent_closed, silent_received, opened + timeout + 10);
    watch_until_closed(&kept, 1, &kept_closed, &kept_received, kept_opened + keep_alive_s + 10);

    double first = 1e9, last = 0;
    for (int i = 0; i < SILENT; i++) {
        cr_assert_neq(silent_closed[i], 0, "silent connection %d never closed", i);
        cr_assert_eq(silent_received[i], 0);
        double held = silent_closed[i] - opened;
        first = held < first ? held : first;
        last = held > last ? held : last;
        close(silent[i]);
    }
    cr_assert_geq(first, timeout - 0.5, "silent connection closed at %.2fs", first);
    cr_assert_leq(last, timeout + 2.5, "silent connection closed only at %.2fs", last);

    cr_assert_gt(kept_received, 0, "the keep-alive request was answered");
    cr_assert_neq(kept_closed, 0, "the idle keep-alive connection was never closed");
    double kept_held = kept_closed - kept_opened;
    cr_assert_geq(kept_held, keep_alive_s - 0.5,
                  "an idle keep-alive connection is not cut by the request deadline (%.2fs)",
                  kept_held);
    cr_assert_leq(kept_held, keep_alive_s + 2.0, "idle keep-alive closed at %.2fs", kept_held);
    close(kept);

    http_response *r = http_call_to(in.url, "GET", "/livez", NULL, NULL, NULL, 0);
    cr_assert_eq(r->status, 200);
    http_free(r);
    cr_log_info("idle: %d silent connections closed after %.2f-%.2fs (REQUEST_TIMEOUT_S=%d); "
                "idle keep-alive closed after %.2fs (HTTP_CONNECTION_TIMEOUT_S=%d)",
                SILENT, first, last, timeout, kept_held, keep_alive_s);
    cr_assert_eq(instance_stop(&in, SIGTERM), 0, "log %s", in.log);
}

/* --- the connection limit --- */

/* Connections waiting in the kernel's accept queue of the listening socket
 * on this port (rx_queue of a LISTEN entry in /proc/net/tcp), or -1. */
static long accept_queue(int port)
{
    FILE *f = fopen("/proc/net/tcp", "r");
    if (!f)
        return -1;
    char line[512];
    long queued = -1;
    while (fgets(line, sizeof line, f)) {
        unsigned local_port, state;
        unsigned long tx, rx;
        if (sscanf(line, " %*d: %*x:%x %*x:%*x %x %lx:%lx", &local_port, &state, &tx, &rx) == 4 &&
            (int)local_port == port && state == 0x0A)
            queued = (long)rx;
    }
    fclose(f);
    return queued;
}

typedef struct timed_call {
    const char *url;
    long status;
    double took;
} timed_call;

static void *call_livez(void *arg)
{
    timed_call *c = arg;
    double t0 = now_s();
    http_response *r = http_call_to(c->url, "GET", "/livez", NULL, NULL, NULL, 0);
    c->took = now_s() - t0;
    c->status = r->status;
    http_free(r);
    return NULL;
}

Test(hostile, connection_limit_holds_and_the_service_recovers, .timeout = 90)
{
    enum { LIMIT = 16, EXTRA = 8, TOTAL = LIMIT + EXTRA };
    int timeout = request_timeout_s();
    char *agency = agency_new("health");
    person p = person_new(agency, "practitioner");
    char limit[64];
    snprintf(limit, sizeof limit, "HTTP_CONNECTION_LIMIT=%d", LIMIT);
    const char *env[] = {limit, NULL};
    instance in;
    instance_start_env(&in, env);
    long cut_before = metric(in.url, "mam_http_requests_cut_off_total");

    /* more silent connections than the limit */
    int fds[TOTAL];
    double closed_at[TOTAL] = {0};
    size_t received[TOTAL] = {0};
    double opened = now_s();
    for (int i = 0; i < TOTAL; i++)
        fds[i] = raw_connect(in.port);
    sleep_ms(500);
    /* the service took in no more than its limit; the rest wait, unaccepted,
     * in the listen backlog */
    long queued = accept_queue(in.port);
    cr_assert_eq(queued, EXTRA, "connections left in the accept queue: %ld (limit %d of %d)",
                 queued, LIMIT, TOTAL);

    /* an ordinary client arriving now waits behind them until the watchdog
     * has cut the first round off, then is answered */
    timed_call waiting = {.url = in.url};
    pthread_t thread;
    pthread_create(&thread, NULL, call_livez, &waiting);
    watch_until_closed(fds, TOTAL, closed_at, received, opened + 2 * timeout + 10);
    pthread_join(thread, NULL);
    cr_assert_eq(waiting.status, 200, "the request made at the limit: %ld", waiting.status);
    cr_assert_leq(waiting.took, timeout + 2.5, "the request made at the limit waited %.2fs",
                  waiting.took);
    double last = 0;
    for (int i = 0; i < TOTAL; i++) {
        cr_assert_neq(closed_at[i], 0, "connection %d over the limit never closed", i);
        last = closed_at[i] - opened > last ? closed_at[i] - opened : last;
        close(fds[i]);
    }
    /* accepted in two rounds, each closed REQUEST_TIMEOUT_S after acceptance */
    cr_assert_leq(last, 2 * timeout + 3.0, "the last silent connection went at %.2fs", last);
    long cut = metric(in.url, "mam_http_requests_cut_off_total") - cut_before;
    cr_assert_geq(cut, TOTAL, "cut-offs counted: %ld", cut);

    /* at the limit again, this time the hostile client goes away by itself:
     * service is normal at once */
    for (int i = 0; i < TOTAL; i++)
        fds[i] = raw_connect(in.port);
    sleep_ms(300);
    cr_assert_eq(accept_queue(in.port), EXTRA);
    for (int i = 0; i < TOTAL; i++)
        close(fds[i]);
    double t0 = now_s();
    http_response *r = http_call_to(in.url, "GET", "/v1/meetings", p.token, NULL, NULL, 0);
    double recovered = now_s() - t0;
    cr_assert_eq(r->status, 200, "%ld %s", r->status, r->body);
    cr_assert_lt(recovered, 1.0, "first request after the connections closed took %.2fs",
                 recovered);
    http_free(r);
    for (int i = 0; i < 50; i++) {
        r = http_call_to(in.url, "GET", "/v1/meetings", p.token, NULL, NULL, 0);
        cr_assert_eq(r->status, 200);
        http_free(r);
    }
    cr_log_info("connection limit %d: %d silent connections, %ld left unaccepted, all closed by "
                "%.2fs; a request at the limit answered after %.2fs; after the client left, "
                "answered in %.3fs",
                LIMIT, TOTAL, queued, last, waiting.took, recovered);
    cr_assert_eq(instance_stop(&in, SIGTERM), 0, "log %s", in.log);
    person_free(&p);
    free(agency);
}

/* --- oversized headers --- */

/* Sends text on a new connection and returns the status of the answer (0
 * when the connection closed without one); *took is the time it took. */
static int raw_status(int port, const char *text, size_t len, double *took)
{
    int fd = raw_connect(port);
    double t0 = now_s();
    size_t off = 0;
    while (off < len) {
        ssize_t n = send(fd, text + off, len - off, MSG_NOSIGNAL);
        if (n <= 0)
            break; /* the service may answer and close before reading it all */
        off += (size_t)n;
    }
    char buf[256] = "";
    size_t got = 0;
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    while (got < sizeof buf - 1 && poll(&pfd, 1, 10000) > 0) {
        ssize_t n = recv(fd, buf + got, sizeof buf - 1 - got, 0);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    buf[got] = '\0';
    *took = now_s() - t0;
    close(fd);
    int status = 0;
    sscanf(buf, "HTTP/1.%*d %d", &status);
    return status;
}

Test(hostile, oversized_headers_get_4xx_and_the_service_stays_responsive, .timeout = 60)
{
    instance in;
    instance_start(&in);
    enum { BIG = 100 * 1024 };
    char *one_header = malloc(BIG + 256);
    int n = snprintf(one_header, 256, "GET /livez HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ");
    memset(one_header + n, 'a', BIG);
    memcpy(one_header + n + BIG, "\r\n\r\n", 5);
    size_t one_len = strlen(one_header);

    char *many_headers = malloc(BIG + 256 * 1024);
    size_t many_len = (size_t)sprintf(many_headers, "GET /livez HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    for (int i = 0; i < 1000; i++)
        many_len += (size_t)sprintf(many_headers + many_len, "X-H%d: %0100d\r\n", i, i);
    many_len += (size_t)sprintf(many_headers + many_len, "\r\n");

    char *long_uri = malloc(BIG + 256);
    n = snprintf(long_uri, 256, "GET /v1/meetings?q=");
    memset(long_uri + n, 'q', BIG);
    snprintf(long_uri + n + BIG, 256, " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    size_t uri_len = strlen(long_uri);

    double worst = 0;
    int counts[3] = {0};
    for (int round = 0; round < 20; round++) {
        double took;
        int s = raw_status(in.port, one_header, one_len, &took);
        cr_assert(s == 431 || s == 400, "a 100 KiB header: %d", s);
        worst = took > worst ? took : worst;
        counts[0] += s == 431;
        s = raw_status(in.port, many_headers, many_len, &took);
        cr_assert(s == 431 || s == 400, "1000 headers: %d", s);
        worst = took > worst ? took : worst;
        counts[1] += s == 431;
        s = raw_status(in.port, long_uri, uri_len, &took);
        cr_assert(s == 414 || s == 431 || s == 400, "a 100 KiB URI: %d", s);
        worst = took > worst ? took : worst;
        counts[2] += s == 414;
        http_response *r = http_call_to(in.url, "GET", "/livez", NULL, NULL, NULL, 0);
        cr_assert_eq(r->status, 200, "after oversized requests: %ld", r->status);
        http_free(r);
    }
    cr_assert_lt(worst, 2.0, "an oversized request took %.2fs to be refused", worst);
    cr_log_info("oversized: 20 x (100 KiB header: 431 %d times; 1000 headers: 431 %d times; "
                "100 KiB URI: 414 %d times), slowest refusal %.3fs, /livez 200 after each",
                counts[0], counts[1], counts[2], worst);
    free(one_header);
    free(many_headers);
    free(long_uri);
    cr_assert_eq(instance_stop(&in, SIGTERM), 0, "log %s", in.log);
}
