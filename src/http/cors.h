/* cors: Cross-Origin Resource Sharing for browser front ends
 * (https://fetch.spec.whatwg.org/#http-cors-protocol).
 *
 * Only the exact origins of CORS_ALLOWED_ORIGINS are served; there is no
 * wildcard, and Access-Control-Allow-Credentials is never sent: callers
 * authenticate with a bearer token in Authorization, not with cookies.
 *   - A preflight (OPTIONS with Origin and Access-Control-Request-Method)
 *     for a known path from an allowed origin: 204 with the path's methods,
 *     the request headers the API reads (Authorization, Content-Type,
 *     If-Match, Idempotency-Key, X-Request-Id, traceparent) and a max age.
 *     From any other origin: 403 problem+json without CORS headers. For an
 *     unknown path: 404.
 *   - Any other answer to an allowed origin carries Access-Control-Allow-
 *     Origin and exposes the response headers a client reads (ETag,
 *     Location, X-Request-Id, Retry-After, Idempotent-Replayed,
 *     WWW-Authenticate, Allow). A disallowed origin gets no CORS headers,
 *     so the browser withholds the answer from the page. */
#ifndef MAM_CORS_H
#define MAM_CORS_H

#include <stdbool.h>

#include "http/req.h"
#include "http/server.h"

#define CORS_ALLOW_HEADERS \
    "Authorization, Content-Type, If-Match, Idempotency-Key, X-Request-Id, traceparent"
#define CORS_EXPOSE_HEADERS \
    "ETag, Location, X-Request-Id, Retry-After, Idempotent-Replayed, WWW-Authenticate, Allow"

/* Whether the origin is one of the configured ones. */
bool cors_origin_allowed(const config *cfg, const char *origin);

/* Answers a CORS preflight for the service's routes and returns true;
 * false when the request is not one (the pipeline goes on as usual). */
bool cors_preflight(req *r, const http_service *svc);

/* Adds the CORS headers of an ordinary answer (called once per request). */
void cors_decorate(req *r, const http_service *svc);

#endif
