/* webhook_send: one outbound webhook request (INT-5), signed per the
 * Standard Webhooks specification, and the egress policy that guards it.
 *
 * Signing: webhook-id, webhook-timestamp (the attempt's wall-clock second)
 * and webhook-signature, "v1," base64(HMAC-SHA256(secret, id "." timestamp
 * "." body)); during a rotation one signature per valid secret, separated
 * by a space. Secrets are 32 random bytes, shown as "whsec_" + base64.
 *
 * Egress (API7, SSRF): the URL was checked against the policy when it was
 * registered (domain/webhooks.h) and is checked again before each send
 * (the allow-list may have changed). libcurl then resolves the host, and
 * every address it is about to connect to is judged here
 * (CURLOPT_OPENSOCKETFUNCTION): private, loopback, link-local, shared,
 * multicast, reserved and documentation ranges, and IPv6 forms that embed
 * them, are refused, so a permitted name that resolves (or is rebound) to
 * an internal address reaches nothing. Plain http and loopback only when
 * the configuration allows loopback (tests). No redirects, no proxies from
 * the environment, a timeout on the whole request, at most 64 KiB of the
 * answer read. Nothing of the request or the answer is logged. */
#ifndef MAM_WEBHOOK_SEND_H
#define MAM_WEBHOOK_SEND_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "core/config.h"

#define HOOK_SECRET_BYTES 32
#define HOOK_SECRET_TEXT_MAX 64   /* "whsec_" + base64 of 32 bytes + NUL */
#define HOOK_SIGNATURE_MAX 64     /* "v1," + base64 of 32 bytes + NUL */

/* A new secret: raw bytes and its whsec_ text. */
void hook_secret_new(unsigned char raw[HOOK_SECRET_BYTES], char text[HOOK_SECRET_TEXT_MAX]);

/* "v1,<base64 signature>" of (msg_id, timestamp, body) under key. */
void hook_sign(const unsigned char *key, size_t key_len, const char *msg_id, long long timestamp,
               const char *body, char out[HOOK_SIGNATURE_MAX]);

/* Would a connection to this address be refused? allow_loopback lets
 * 127.0.0.0/8 and ::1 through (tests). */
bool hook_address_refused(const struct sockaddr *addr, bool allow_loopback);

typedef struct hook_result {
    int status;          /* HTTP status, 0 when no answer came */
    bool refused;        /* the egress policy refused the URL or every address */
    bool aborted;        /* the service is stopping */
    int retry_after_s;   /* a Retry-After in seconds, or 0 */
    char error[160];     /* why it failed, no personal data; "" on a 2xx */
} hook_result;

typedef struct hook_message {
    const char *url;
    const char *msg_id;
    const char *body;
    const unsigned char *keys[2]; /* current secret, then the previous one or NULL */
    size_t key_len[2];
} hook_message;

/* Sends one message; `stopping` (may be NULL) aborts a transfer under way
 * when it becomes true. */
void hook_send(const config_integrations *cfg, const hook_message *m, const volatile bool *stopping,
               hook_result *out);

#endif
