#include "http/watchdog.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <ulfius.h>

#include "core/xalloc.h"

typedef struct slot {
    MHD_socket fd;
    long long deadline_ms; /* 0: idle, no deadline */
    bool used;
} slot;

static struct {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_t thread;
    slot *slots;
    int capacity;
    int free_hint;
    long long timeout_ms;
    bool running;
    unsigned long cut_off;
} w = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

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

static void set_deadline(int i, long long deadline)
{
    if (i < 0)
        return;
    pthread_mutex_lock(&w.lock);
    if (w.slots[i].used)
        w.slots[i].deadline_ms = deadline;
    pthread_mutex_unlock(&w.lock);
}

void watchdog_notify_connection(void *cls, struct MHD_Connection *connection,
                                void **socket_context, enum MHD_ConnectionNotificationCode toe)
{
    (void)cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *info =
            MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
        pthread_mutex_lock(&w.lock);
        for (int n = 0; info && n < w.capacity; n++) {
            int i = (w.free_hint + n) % w.capacity;
            if (w.slots[i].used)
                continue;
            w.slots[i] = (slot){.fd = info->connect_fd, .deadline_ms = now_ms() + w.timeout_ms,
                                .used = true};
            w.free_hint = (i + 1) % w.capacity;
            *socket_context = (void *)(intptr_t)(i + 1);
            break;
        }
        pthread_mutex_unlock(&w.lock);
    } else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
        intptr_t v = (intptr_t)*socket_context;
        if (v > 0 && v <= w.capacity) {
            /* under the lock: the watchdog never shuts a socket down once
             * libmicrohttpd has started closing it */
            pthread_mutex_lock(&w.lock);
            w.slots[v - 1].used = false;
            pthread_mutex_unlock(&w.lock);
        }
        *socket_context = NULL;
    }
}

void *watchdog_uri_logger(void *cls, const char *uri, struct MHD_Connection *connection)
{
    set_deadline(index_of(connection), now_ms() + w.timeout_ms);
    return ulfius_uri_logger(cls, uri);
}

void watchdog_request_completed(void *cls, struct MHD_Connection *connection, void **con_cls,
                                enum MHD_RequestTerminationCode toe)
{
    mhd_request_completed(cls, connection, con_cls, toe);
    set_deadline(index_of(connection), 0);
}

static void *watch(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&w.lock);
    while (w.running) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 1;
        pthread_cond_timedwait(&w.wake, &w.lock, &until);
        long long now = now_ms();
        for (int i = 0; i < w.capacity; i++) {
            slot *s = &w.slots[i];
            if (s->used && s->deadline_ms && now > s->deadline_ms) {
                shutdown(s->fd, SHUT_RDWR);
                s->deadline_ms = 0;
                w.cut_off++;
            }
        }
    }
    pthread_mutex_unlock(&w.lock);
    return NULL;
}

int watchdog_start(int capacity, int request_timeout_s)
{
    w.capacity = capacity;
    w.slots = xcalloc((size_t)capacity, sizeof *w.slots);
    w.timeout_ms = (long long)request_timeout_s * 1000;
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
    free(w.slots);
    w.slots = NULL;
    w.capacity = 0;
}

unsigned long watchdog_cut_off(void)
{
    pthread_mutex_lock(&w.lock);
    unsigned long n = w.cut_off;
    pthread_mutex_unlock(&w.lock);
    return n;
}
