#include "http/watchdog.h"

#include <linux/tcp.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <ulfius.h>

#include "core/clock.h"
#include "core/xalloc.h"

enum phase {
    FRESH,      /* connected, no request line yet */
    IN_REQUEST, /* between the request line and the end of its answer */
    IDLE,       /* kept alive between requests */
};

typedef struct slot {
    bool used;
    MHD_socket fd;
    struct MHD_Connection *conn;
    pthread_t owner;        /* the libmicrohttpd thread that serves it */
    enum phase phase;
    long long since_ms;     /* FRESH: connected; IDLE: last answer completed */
    long long deadline_ms;  /* 0: none */
    unsigned long long rx_mark; /* IDLE: bytes received when it became idle */
    bool over_limit;        /* accepted over HTTP_CONNECTION_LIMIT */
    bool shed;              /* shut down to make room */
    /* the current request, for the guard */
    bool headers_done;
    bool answered;          /* by the guard itself */
    size_t body;            /* body bytes received */
} slot;

static struct {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_t thread;
    slot *slots;
    int capacity;
    int limit;
    int free_hint;
    long long timeout_ms;
    long long last_poll_ms; /* when idle connections were last looked at */
    bool running;
    int open;               /* connections within the limit */
    int open_over_limit;
    unsigned long cut_off, shed, over_limit;
} w = {.lock = PTHREAD_MUTEX_INITIALIZER};

static long long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* The slot index stored in a connection's socket context, or -1. */
static int index_of(struct MHD_Connection *connection)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    intptr_t v = info ? (intptr_t)info->socket_context : 0;
    return v > 0 && v <= w.capacity ? (int)v - 1 : -1;
}

/* Bytes the kernel has received on fd (tcpi_bytes_received, Linux 4.1 and
 * later); false when it cannot tell. */
static bool bytes_received(MHD_socket fd, unsigned long long *out)
{
    struct tcp_info info;
    socklen_t len = sizeof info;
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0 ||
        len < offsetof(struct tcp_info, tcpi_bytes_received) + sizeof info.tcpi_bytes_received)
        return false;
    *out = info.tcpi_bytes_received;
    return true;
}

/* Nothing received since it connected (FRESH) or since its last answer
 * (IDLE), and nothing waiting unread: no request is on its way. */
static bool quiet(const slot *s)
{
    unsigned long long rx;
    int unread = 0;
    return s->phase != IN_REQUEST && bytes_received(s->fd, &rx) &&
           rx == (s->phase == FRESH ? 0 : s->rx_mark) && ioctl(s->fd, FIONREAD, &unread) == 0 &&
           unread == 0;
}

/* A connection that may be shut down to make room: quiet long enough. */
static bool sheddable(const slot *s, long long now)
{
    return s->used && !s->over_limit && !s->shed && now - s->since_ms >= WATCHDOG_SHED_IDLE_MS &&
           !(s->phase == IDLE && s->deadline_ms) && quiet(s);
}

/* Under the lock: shuts down the connection idle longest, when one may go. */
static bool shed_one(long long now)
{
    int victim = -1;
    for (int i = 0; i < w.capacity; i++) {
        slot *s = &w.slots[i];
        if (s->used && !s->over_limit && !s->shed && s->phase != IN_REQUEST &&
            (victim < 0 || s->since_ms < w.slots[victim].since_ms) && sheddable(s, now))
            victim = i;
    }
    if (victim < 0)
        return false;
    slot *v = &w.slots[victim];
    shutdown(v->fd, SHUT_RDWR);
    v->shed = true;
    v->deadline_ms = 0;
    w.open--;
    w.shed++;
    return true;
}

void watchdog_notify_connection(void *cls, struct MHD_Connection *connection,
                                void **socket_context, enum MHD_ConnectionNotificationCode toe)
{
    (void)cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *info =
            MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
        long long now = now_ms();
        pthread_mutex_lock(&w.lock);
        for (int n = 0; info && n < w.capacity; n++) {
            int i = (w.free_hint + n) % w.capacity;
            if (w.slots[i].used)
                continue;
            bool over = w.open >= w.limit && !shed_one(now);
            w.slots[i] = (slot){.used = true,
                                .fd = info->connect_fd,
                                .conn = connection,
                                .owner = pthread_self(),
                                .phase = FRESH,
                                .since_ms = now,
                                .deadline_ms = now + w.timeout_ms,
                                .over_limit = over};
            if (over)
                w.open_over_limit++;
            else
                w.open++;
            w.free_hint = (i + 1) % w.capacity;
            *socket_context = (void *)(intptr_t)(i + 1);
            break;
        }
        /* no need to wake the watchdog: it looks again within
         * WATCHDOG_POLL_MS, and every deadline is further away */
        pthread_mutex_unlock(&w.lock);
    } else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
        intptr_t v = (intptr_t)*socket_context;
        if (v > 0 && v <= w.capacity) {
            /* under the lock: the watchdog never shuts a socket down once
             * libmicrohttpd has started closing it */
            pthread_mutex_lock(&w.lock);
            slot *s = &w.slots[v - 1];
            if (s->over_limit)
                w.open_over_limit--;
            else if (!s->shed)
                w.open--;
            s->used = false;
            pthread_mutex_unlock(&w.lock);
        }
        *socket_context = NULL;
    }
}

/* The request line is complete. The deadline of a connection's first
 * request runs from the connection; a later request's from its first
 * byte, as the poll saw it, or else from the last poll that saw none. */
void *watchdog_uri_logger(void *cls, const char *uri, struct MHD_Connection *connection)
{
    int i = index_of(connection);
    if (i >= 0) {
        long long now = now_ms();
        pthread_mutex_lock(&w.lock);
        slot *s = &w.slots[i];
        if (s->used && !s->shed) {
            if (s->phase == IDLE && !s->over_limit && !s->deadline_ms) {
                long long start = s->since_ms > w.last_poll_ms ? s->since_ms : w.last_poll_ms;
                s->deadline_ms = (start < now ? start : now) + w.timeout_ms;
            }
            s->phase = IN_REQUEST;
            s->headers_done = false;
            s->answered = false;
            s->body = 0;
        }
        pthread_mutex_unlock(&w.lock);
    }
    return ulfius_uri_logger(cls, uri);
}

void watchdog_request_completed(void *cls, struct MHD_Connection *connection, void **con_cls,
                                enum MHD_RequestTerminationCode toe)
{
    mhd_request_completed(cls, connection, con_cls, toe);
    int i = index_of(connection);
    if (i < 0)
        return;
    long long now = now_ms();
    pthread_mutex_lock(&w.lock);
    slot *s = &w.slots[i];
    if (s->used && !s->shed) {
        s->phase = IDLE;
        s->since_ms = now;
        if (!bytes_received(s->fd, &s->rx_mark))
            s->rx_mark = ~0ULL; /* cannot tell: never shed, no early deadline */
        s->deadline_ms = 0;
    }
    pthread_mutex_unlock(&w.lock);
}

bool watchdog_headers_complete(struct MHD_Connection *connection, bool *over_limit)
{
    int i = index_of(connection);
    *over_limit = false;
    if (i < 0)
        return false;
    bool first = false;
    pthread_mutex_lock(&w.lock);
    slot *s = &w.slots[i];
    if (s->used && !s->headers_done) {
        s->headers_done = first = true;
        if (s->over_limit && w.open < w.limit) {
            /* a place came free: this connection takes it */
            s->over_limit = false;
            w.open_over_limit--;
            w.open++;
        }
        *over_limit = s->over_limit;
    }
    pthread_mutex_unlock(&w.lock);
    return first;
}

bool watchdog_body_over(struct MHD_Connection *connection, size_t n, size_t max)
{
    int i = index_of(connection);
    if (i < 0)
        return false;
    pthread_mutex_lock(&w.lock);
    slot *s = &w.slots[i];
    s->body = s->body + n < s->body ? (size_t)-1 : s->body + n;
    bool over = s->body > max;
    pthread_mutex_unlock(&w.lock);
    return over;
}

void watchdog_mark_answered(struct MHD_Connection *connection)
{
    int i = index_of(connection);
    if (i < 0)
        return;
    pthread_mutex_lock(&w.lock);
    w.slots[i].answered = true;
    pthread_mutex_unlock(&w.lock);
}

bool watchdog_answered(struct MHD_Connection *connection)
{
    int i = index_of(connection);
    if (i < 0)
        return false;
    pthread_mutex_lock(&w.lock);
    bool answered = w.slots[i].answered;
    pthread_mutex_unlock(&w.lock);
    return answered;
}

void watchdog_count_over_limit(void)
{
    pthread_mutex_lock(&w.lock);
    w.over_limit++;
    pthread_mutex_unlock(&w.lock);
}

struct MHD_Connection *watchdog_take_judged(void)
{
    pthread_t self = pthread_self();
    int found = -1, count = 0;
    pthread_mutex_lock(&w.lock);
    for (int i = 0; i < w.capacity; i++) {
        slot *s = &w.slots[i];
        if (!s->used || s->phase != IN_REQUEST || s->headers_done || s->answered ||
            !pthread_equal(s->owner, self))
            continue;
        /* on its own thread libmicrohttpd is inside this very call: the
         * connection's state cannot change under us */
        if (MHD_get_connection_info(s->conn, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE) &&
            !MHD_get_connection_info(s->conn, MHD_CONNECTION_INFO_HTTP_STATUS)) {
            found = i;
            count++;
        }
    }
    struct MHD_Connection *judged = NULL;
    if (count == 1) {
        w.slots[found].answered = true;
        judged = w.slots[found].conn;
    }
    pthread_mutex_unlock(&w.lock);
    return judged;
}

static void *watch(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&w.lock);
    while (w.running) {
        long long now = now_ms();
        long long next = now + WATCHDOG_POLL_MS;
        for (int i = 0; i < w.capacity; i++) {
            slot *s = &w.slots[i];
            if (!s->used || s->shed)
                continue;
            if (s->deadline_ms && now >= s->deadline_ms) {
                shutdown(s->fd, SHUT_RDWR);
                s->deadline_ms = 0;
                w.cut_off++;
                continue;
            }
            if (s->over_limit && now - s->since_ms >= WATCHDOG_OVER_LIMIT_MS && quiet(s)) {
                /* its place over the limit is for someone who asks */
                shutdown(s->fd, SHUT_RDWR);
                s->shed = true;
                w.shed++;
                continue;
            }
            unsigned long long rx;
            if (s->phase == IDLE && !s->deadline_ms && s->rx_mark != ~0ULL &&
                bytes_received(s->fd, &rx) && rx != s->rx_mark) {
                /* a next request's first byte starts its deadline; it
                 * arrived after the previous poll, which saw nothing */
                long long start = s->since_ms > w.last_poll_ms ? s->since_ms : w.last_poll_ms;
                s->deadline_ms = start + w.timeout_ms;
            }
            if (s->deadline_ms && s->deadline_ms < next)
                next = s->deadline_ms;
        }
        w.last_poll_ms = now;
        struct timespec until;
        long long wait = next - now_ms();
        clock_monotonic_after_ms(wait < 1 ? 1 : wait, &until);
        pthread_cond_timedwait(&w.wake, &w.lock, &until);
    }
    pthread_mutex_unlock(&w.lock);
    return NULL;
}

int watchdog_start(int capacity, int limit, int request_timeout_s)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&w.wake, &attr);
    pthread_condattr_destroy(&attr);
    w.capacity = capacity;
    w.limit = limit;
    w.slots = xcalloc((size_t)capacity, sizeof *w.slots);
    w.timeout_ms = (long long)request_timeout_s * 1000;
    w.last_poll_ms = now_ms();
    w.open = w.open_over_limit = 0;
    w.running = true;
    return pthread_create(&w.thread, NULL, watch, NULL) == 0 ? 0 : -1;
}

void watchdog_stop(void)
{
    pthread_mutex_lock(&w.lock);
    w.running = false;
    pthread_cond_signal(&w.wake);
    pthread_mutex_unlock(&w.lock);
    pthread_join(w.thread, NULL);
    pthread_cond_destroy(&w.wake);
    free(w.slots);
    w.slots = NULL;
    w.capacity = 0;
}

watchdog_counts watchdog_counters(void)
{
    pthread_mutex_lock(&w.lock);
    watchdog_counts c = {.cut_off = w.cut_off,
                         .shed = w.shed,
                         .over_limit = w.over_limit,
                         .open = w.open,
                         .open_over_limit = w.open_over_limit};
    pthread_mutex_unlock(&w.lock);
    return c;
}
