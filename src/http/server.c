#include "http/server.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <ulfius.h>
#include <unistd.h>
#include <yder.h>

#include "http/guard.h"
#include "http/pipeline.h"
#include "http/route.h"
#include "http/watchdog.h"

static struct _u_instance instance;
static struct sockaddr_in bind_addr;
static MHD_socket quiesced_socket = MHD_INVALID_SOCKET;

/* "/v1/meetings/{id}" -> "/v1/meetings/:id", ulfius's template syntax */
static void ulfius_format(const char *template, char *out, size_t size)
{
    size_t o = 0;
    for (const char *p = template; *p && o + 1 < size; p++) {
        if (*p == '{')
            out[o++] = ':';
        else if (*p != '}')
            out[o++] = *p;
    }
    out[o] = '\0';
}

static int count_params(const char *template)
{
    int n = 0;
    for (const char *p = template; *p; p++)
        n += *p == '{';
    return n;
}

/* Descriptors the service holds besides its HTTP connections: per thread
 * an epoll set and a wake-up descriptor, the listening socket, the
 * database pool and one more connection per pooled one (a commit's outcome
 * is asked on a connection of its own, db.h), logs, and room for the files
 * it opens (the contract, keys, libpq's certificates). */
static long descriptors_needed(const config *cfg, int accepted)
{
    return (long)accepted + 2L * (cfg->http_threads + 1) + 1 + 2L * cfg->db_pool_size + 64;
}

/* The service must be able to hold every connection it accepts: with too
 * few descriptors accept() fails, libmicrohttpd stops accepting on that
 * thread until one of its own connections closes, and clients wait
 * unanswered in the kernel's queue. The soft RLIMIT_NOFILE is raised as
 * far as needed (within the hard limit); when even that is too low the
 * service refuses to start, saying what to change. */
static int ensure_descriptors(const config *cfg, int accepted)
{
    long needed = descriptors_needed(cfg, accepted);
    struct rlimit lim;
    if (getrlimit(RLIMIT_NOFILE, &lim) != 0)
        return 0;
    if (lim.rlim_cur != RLIM_INFINITY && (long)lim.rlim_cur < needed) {
        if (lim.rlim_max != RLIM_INFINITY && (long)lim.rlim_max < needed) {
            fprintf(stderr,
                    "server: HTTP_CONNECTION_LIMIT=%d (and %d more connections accepted to be "
                    "answered 503) needs %ld file descriptors, and the hard limit RLIMIT_NOFILE "
                    "is %ld: raise it (LimitNOFILE=, ulimit -Hn) or lower HTTP_CONNECTION_LIMIT\n",
                    cfg->http_connection_limit, cfg->http_over_limit_room, needed,
                    (long)lim.rlim_max);
            return -1;
        }
        lim.rlim_cur = (rlim_t)needed;
        if (setrlimit(RLIMIT_NOFILE, &lim) != 0) {
            perror("server: cannot raise RLIMIT_NOFILE");
            return -1;
        }
    }
    return 0;
}

int server_start(const http_service *svc)
{
    const config *cfg = svc->cfg;
    /* connections libmicrohttpd accepts: those served, and the room over
     * the limit where newcomers are answered 503 (http/watchdog.h) */
    int accepted = cfg->http_connection_limit + cfg->http_over_limit_room;
    if (ensure_descriptors(cfg, accepted) != 0)
        return -1;
    pipeline_init(svc);
    memset(&bind_addr, 0, sizeof bind_addr);
    bind_addr.sin_family = AF_INET;
    bind_addr.sin_port = htons((uint16_t)cfg->port);
    if (inet_pton(AF_INET, cfg->bind_address, &bind_addr.sin_addr) != 1) {
        fprintf(stderr, "server: BIND_ADDRESS %s is not an IPv4 address\n", cfg->bind_address);
        return -1;
    }
    if (ulfius_init_instance(&instance, (unsigned)cfg->port, &bind_addr, NULL) != U_OK) {
        fprintf(stderr, "server: cannot initialise ulfius\n");
        return -1;
    }
    /* one byte over the limit, so that the pipeline can tell "too large"
     * from "exactly at the limit" (ulfius truncates silently) */
    instance.max_post_body_size = cfg->max_body_bytes + 1;
    instance.allowed_post_processor = U_POST_PROCESS_NONE;

    for (const route *rt = svc->routes; rt->method; rt++) {
        char format[256];
        ulfius_format(rt->template, format, sizeof format);
        /* static segments first: /v1/x/list must win over /v1/x/{id} */
        unsigned priority = (unsigned)count_params(rt->template);
        if (ulfius_add_endpoint_by_val(&instance, rt->method, NULL, format, priority,
                                       pipeline_dispatch, (void *)rt) != U_OK) {
            fprintf(stderr, "server: cannot register %s %s\n", rt->method, rt->template);
            ulfius_clean_instance(&instance);
            return -1;
        }
    }
    ulfius_set_default_endpoint(&instance, pipeline_dispatch, NULL);

    /* the watchdog wraps the two callbacks ulfius requires */
    if (watchdog_start(accepted + 16, cfg->http_connection_limit, cfg->request_timeout_s) != 0) {
        ulfius_clean_instance(&instance);
        return -1;
    }
    guard_configure(cfg->max_body_bytes);
    /* libmicrohttpd shares MHD_OPTION_CONNECTION_LIMIT among the threads;
     * HTTP_THREADS is sized (core/config.c) so that none holds more than
     * HTTP_CONNECTIONS_PER_THREAD_MAX */
    struct MHD_OptionItem options[] = {
        /* first, or libmicrohttpd logs what comes before it to stderr itself */
        {MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)guard_log, NULL},
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)watchdog_request_completed, NULL},
        {MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)watchdog_uri_logger, NULL},
        {MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)watchdog_notify_connection, NULL},
        {MHD_OPTION_SOCK_ADDR, 0, &bind_addr},
        {MHD_OPTION_THREAD_POOL_SIZE, cfg->http_threads, NULL},
        {MHD_OPTION_CONNECTION_LIMIT, accepted, NULL},
        {MHD_OPTION_CONNECTION_TIMEOUT, cfg->http_connection_timeout_s, NULL},
        {MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024, NULL},
        {MHD_OPTION_END, 0, NULL},
    };
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
                     MHD_USE_ERROR_LOG;
    if (ulfius_start_framework_with_mhd_options(&instance, flags, options) != U_OK) {
        fprintf(stderr, "server: cannot listen on %s:%d\n", cfg->bind_address, cfg->port);
        watchdog_stop();
        ulfius_clean_instance(&instance);
        return -1;
    }
    if (!guard_installed()) {
        /* ulfius no longer starts libmicrohttpd through MHD_start_daemon():
         * without the guard, bodies would be read whole before any limit */
        fprintf(stderr, "server: the request guard is not in front of ulfius (http/guard.h)\n");
        ulfius_stop_framework(&instance);
        watchdog_stop();
        ulfius_clean_instance(&instance);
        return -1;
    }
    return 0;
}

static unsigned open_connections(void)
{
    const union MHD_DaemonInfo *info =
        MHD_get_daemon_info(instance.mhd_daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
    return info ? info->num_connections : 0;
}

static long elapsed_ms(const struct timespec *since)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - since->tv_sec) * 1000L + (now.tv_nsec - since->tv_nsec) / 1000000L;
}

void server_stop(int grace_ms)
{
    pipeline_drain();
    quiesced_socket = MHD_quiesce_daemon(instance.mhd_daemon);

    /* Requests in flight finish and are answered with Connection: close.
     * Idle keep-alive connections are given a moment to go, then closed. */
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    long idle_since = -1;
    while (elapsed_ms(&start) < grace_ms) {
        int busy = pipeline_in_flight();
        if (busy == 0 && open_connections() == 0)
            break;
        if (busy == 0) {
            if (idle_since < 0)
                idle_since = elapsed_ms(&start);
            else if (elapsed_ms(&start) - idle_since > 200)
                break;
        } else {
            idle_since = -1;
        }
        struct timespec pause = {0, 10 * 1000000L};
        nanosleep(&pause, NULL);
    }
    int left = pipeline_in_flight();
    if (left)
        y_log_message(Y_LOG_LEVEL_WARNING, "shutdown: %d request(s) still running after %d ms",
                      left, grace_ms);
    ulfius_stop_framework(&instance);
    ulfius_clean_instance(&instance);
    watchdog_stop();
    guard_reset();
    if (quiesced_socket != MHD_INVALID_SOCKET)
        close(quiesced_socket);
}
