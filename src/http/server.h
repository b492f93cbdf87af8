/* server: the HTTP listener (ulfius over libmicrohttpd).
 *
 * A fixed pool of HTTP_THREADS threads polls with epoll; connections are
 * limited and time out when idle. server_stop() first stops accepting, lets
 * requests in flight finish (up to a grace period), then closes. */
#ifndef MAM_SERVER_H
#define MAM_SERVER_H

#include "core/config.h"

int server_start(const config *cfg);
void server_stop(int grace_ms);

#endif
