/* pipeline: the one ulfius callback every route runs through.
 *
 * In order: request id; body size (413); bearer token (401); route role
 * (403); query parameters (400); media type (415) and JSON body (400);
 * If-Match presence (428); then the route's handler. Whatever happened, the
 * request is finished the same way: connection released, common headers,
 * metrics, one access-log line. */
#ifndef MAM_PIPELINE_H
#define MAM_PIPELINE_H

#include <stdbool.h>
#include <ulfius.h>

#include "http/server.h"

/* The service every request is served from; set once before the server
 * starts. */
void pipeline_init(const http_service *svc);

/* Requests inside the pipeline now. */
int pipeline_in_flight(void);
/* Shutting down: answers say Connection: close from now on. */
void pipeline_drain(void);

/* user_data is the route, or NULL for the default endpoint (404/405). */
int pipeline_dispatch(const struct _u_request *u, struct _u_response *resp, void *user_data);

/* Checks If-Match against the resource's current version; answers 412 (or
 * 400 for a malformed header) and returns false when the change must stop. */
struct req;
bool pipeline_if_match(struct req *r, long current_version);

#endif
