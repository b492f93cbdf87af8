/* watchdog: a deadline for receiving each request.
 *
 * libmicrohttpd closes a connection after HTTP_CONNECTION_TIMEOUT_S of
 * silence, but a client that sends one byte a second is never silent: it
 * would hold its connection for as long as it likes (slowloris). The
 * watchdog gives every request REQUEST_TIMEOUT_S from its connection or
 * its request line to its answer, and shuts down the sockets of those that
 * overrun; libmicrohttpd then cleans them up as usual. Idle keep-alive
 * connections between requests carry no deadline.
 *
 * The three callbacks wrap the ones ulfius needs (see server.c). */
#ifndef MAM_WATCHDOG_H
#define MAM_WATCHDOG_H

#include <microhttpd.h>

int watchdog_start(int capacity, int request_timeout_s);
void watchdog_stop(void);
/* connections cut off so far */
unsigned long watchdog_cut_off(void);

void watchdog_notify_connection(void *cls, struct MHD_Connection *connection,
                                void **socket_context, enum MHD_ConnectionNotificationCode toe);
void *watchdog_uri_logger(void *cls, const char *uri, struct MHD_Connection *connection);
void watchdog_request_completed(void *cls, struct MHD_Connection *connection, void **con_cls,
                                enum MHD_RequestTerminationCode toe);

#endif
