/* webhooks (domain): what an agency may register as a webhook endpoint
 * (INT-5), as plain functions the handlers and the fuzzer call.
 *
 *  - the event types an endpoint may subscribe to (the feed's vocabulary);
 *  - the shape of POST and PATCH bodies;
 *  - the URL policy: https (plain http only to a loopback address, and only
 *    when the configuration allows loopback), no user name or password, no
 *    fragment, a host on WEBHOOK_ALLOWED_HOSTS. Where the host's addresses
 *    point is judged again at every connection, after DNS
 *    (http/webhook_send.h), so a name that resolves to a private address
 *    is refused then. */
#ifndef MAM_DOMAIN_WEBHOOKS_H
#define MAM_DOMAIN_WEBHOOKS_H

#include <jansson.h>
#include <stdbool.h>

#include "core/config.h"
#include "domain/violations.h"

#define WEBHOOK_URL_MAX 2000
#define WEBHOOK_TYPES_MAX 64
#define WEBHOOK_DESCRIPTION_MAX 200

/* The event types of the feed (GET /v1/events), NULL-terminated. */
extern const char *const webhook_event_types[];
bool webhook_event_type_known(const char *type);

typedef struct endpoint_in {
    const char *url;         /* NULL when absent (PATCH) */
    const char *agency;      /* POST: for an admin, whose endpoint; NULL: the caller's */
    const char *description; /* NULL when absent */
    bool description_null;   /* PATCH: "description": null removes it */
    const char *types[WEBHOOK_TYPES_MAX];
    int n_types;             /* -1 when absent (PATCH) */
    const char *status;      /* PATCH: "active" or "disabled", or NULL */
} endpoint_in;

/* Reads a POST (create) or PATCH body; shape problems are schema
 * violations (400), an unknown event type or a URL the policy refuses are
 * INT-5 violations (422). */
void endpoint_parse(json_t *body, bool patch, const config_integrations *cfg, endpoint_in *out,
                    violations *v);

/* The URL policy alone: NULL when url may be registered, else why not. */
const char *webhook_url_refusal(const char *url, const config_integrations *cfg);

/* The pieces of an http(s) URL the policy looks at; false when it is not
 * one (no scheme, no host, spaces or control characters). */
typedef struct url_parts {
    bool https;
    char host[256]; /* without brackets for IPv6 literals */
    bool has_userinfo, has_fragment;
    int port; /* 0 when not given */
} url_parts;
bool webhook_url_split(const char *url, url_parts *out);

/* Is host a loopback address literal (127.0.0.0/8, ::1) or "localhost"? */
bool webhook_host_is_loopback(const char *host);

#endif
