/* watchdog: every connection's bookkeeping — its request deadline and its
 * place under the connection limit.
 *
 * Deadlines. libmicrohttpd closes a connection after HTTP_CONNECTION_TIMEOUT_S
 * of silence, but a client that sends one byte a second is never silent: it
 * would hold its connection for as long as it likes (slowloris). The
 * watchdog gives every request REQUEST_TIMEOUT_S to be received and
 * answered, counted from the connection for its first request and from the
 * request's first byte for later requests on a kept-alive connection, and
 * shuts down the sockets of those that overrun; libmicrohttpd then cleans
 * them up as usual. The first byte of a later request is seen by polling
 * the kernel's TCP_INFO of idle connections (tcpi_last_data_recv) every
 * WATCHDOG_POLL_MS: libmicrohttpd tells nothing before the request line is
 * complete, and a deadline started there lets a client trickle its request
 * line for free. Idle keep-alive connections between requests carry no
 * deadline; libmicrohttpd closes them after HTTP_CONNECTION_TIMEOUT_S.
 *
 * The connection limit. HTTP_CONNECTION_LIMIT connections are served. The
 * listener (libmicrohttpd) accepts up to `capacity`, a little more, so
 * that a client arriving at the limit is never left unaccepted in the
 * kernel's queue: room is made by shutting down the connection that has
 * been idle longest (a kept-alive connection between requests, or one that
 * has sent nothing since it connected), idle for at least WATCHDOG_SHED_IDLE_MS
 * and with nothing received since; when none is, the newcomer is "over the
 * limit" and its request is answered 503 with Retry-After (http/guard.c)
 * unless a place has come free by then. A connection over the limit that
 * stays quiet for WATCHDOG_OVER_LIMIT_MS (sends nothing, or nothing more
 * after its answer) is shut down: its place is for someone who asks.
 *
 * The three callbacks wrap the ones ulfius needs (see server.c). */
#ifndef MAM_WATCHDOG_H
#define MAM_WATCHDOG_H

#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>

/* How often idle connections are looked at for a next request's first byte. */
#define WATCHDOG_POLL_MS 200
/* An idle connection is shut down to make room only after this much quiet. */
#define WATCHDOG_SHED_IDLE_MS 1000
/* How long a connection over the limit may stay quiet. */
#define WATCHDOG_OVER_LIMIT_MS 2000

int watchdog_start(int capacity, int limit, int request_timeout_s);
void watchdog_stop(void);

/* Counters for /metrics. */
typedef struct watchdog_counts {
    unsigned long cut_off;   /* connections shut down at their request deadline */
    unsigned long shed;      /* idle connections shut down to make room */
    unsigned long over_limit; /* requests answered 503 over the connection limit */
    int open;                /* connections served now (within the limit) */
    int open_over_limit;     /* connections held over the limit now */
} watchdog_counts;
watchdog_counts watchdog_counters(void);

void watchdog_notify_connection(void *cls, struct MHD_Connection *connection,
                                void **socket_context, enum MHD_ConnectionNotificationCode toe);
void *watchdog_uri_logger(void *cls, const char *uri, struct MHD_Connection *connection);
void watchdog_request_completed(void *cls, struct MHD_Connection *connection, void **con_cls,
                                enum MHD_RequestTerminationCode toe);

/* --- for the guard (http/guard.c), on the connection's own thread --- */

/* The request's headers are complete (the first call of the access
 * handler): true once per request. *over_limit says whether the connection
 * is still over the limit (a place that came free has been taken). */
bool watchdog_headers_complete(struct MHD_Connection *connection, bool *over_limit);
/* Counts n more body bytes; true when the request's body is now over max. */
bool watchdog_body_over(struct MHD_Connection *connection, size_t n, size_t max);
/* The guard answered the request itself: nothing more goes to ulfius. */
void watchdog_mark_answered(struct MHD_Connection *connection);
bool watchdog_answered(struct MHD_Connection *connection);
void watchdog_count_over_limit(void);

/* The one connection of the calling thread whose request headers
 * libmicrohttpd is judging at this moment (received, no answer queued, the
 * access handler not yet called), marked answered; NULL when there is not
 * exactly one. For libmicrohttpd's own refusals, which no callback sees
 * (http/guard.c). */
struct MHD_Connection *watchdog_take_judged(void);

#endif
