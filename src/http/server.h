/* server: the HTTP listener (ulfius over libmicrohttpd).
 *
 * A fixed pool of HTTP_THREADS threads polls with epoll; connections are
 * limited and time out when idle. server_stop() first stops accepting, lets
 * requests in flight finish (up to a grace period), then closes. */
#ifndef MAM_SERVER_H
#define MAM_SERVER_H

#include <stddef.h>

#include "auth/jwt.h"
#include "core/config.h"
#include "http/route.h"

/* What the server serves, handed to it by serve.c and read-only while it
 * runs: the HTTP layer reaches into no other layer's globals. */
typedef struct http_service {
    const route *routes;          /* ends with an entry whose method is NULL */
    const config *cfg;
    const jwt_verifier *verifier;
    const char *contract;         /* openapi.yaml, served at /openapi.yaml */
    size_t contract_len;
    const char *reference;        /* its HTML reference, served at /reference, or NULL */
    size_t reference_len;
} http_service;

int server_start(const http_service *svc);
void server_stop(int grace_ms);

#endif
