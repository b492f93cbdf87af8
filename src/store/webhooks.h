/* webhooks (store): an agency's webhook endpoints and their deliveries
 * (INT-5), as the API serves them. Reads are filtered by
 * webhook_endpoint_visible() (sql/functions/10_access.sql): an agency's
 * integrations and administrators. The outbox itself is written by a
 * trigger on events (sql/functions/80_integrations.sql); the delivery
 * worker's statements are in store/outbox.h. */
#ifndef MAM_STORE_WEBHOOKS_H
#define MAM_STORE_WEBHOOKS_H

#include <stdbool.h>

#include "auth/caller.h"
#include "store/store.h"

/* GET /v1/webhook-endpoints/{id}: rendered with webhook_endpoint_json (never
 * the secret); not announced on the feed. */
extern const store_kind STORE_WEBHOOK_ENDPOINT;

typedef struct endpoint_row {
    char id[37];
    char agency[CALLER_AGENCY_MAX + 1];
    char status[16];
    long version;
    char *secret_sealed; /* owned; free with endpoint_row_free */
} endpoint_row;
void endpoint_row_free(endpoint_row *e);

/* 1 found and visible, 0 not, -1 failure. */
int webhooks_find(store *s, const char *id, bool lock, endpoint_row *out);

/* A new endpoint id (the sealed secret is bound to it). */
int webhooks_new_id(store *s, char id_out[37]);

/* types_json: a JSON array of event types. */
int webhooks_insert(store *s, const char *id, const char *agency, const char *url,
                    const char *description, const char *types_json, const char *sealed);

/* NULL members keep the current value; description_null removes it. */
int webhooks_update(store *s, const char *id, const char *url, const char *description,
                    bool description_null, const char *types_json, const char *status);

/* The current secret becomes the previous one, valid overlap_s more. */
int webhooks_rotate(store *s, const char *id, const char *sealed, int overlap_s);

int webhooks_delete(store *s, const char *id);

/* The endpoints the caller may see, oldest first, optionally of one agency. */
int webhooks_list(store *s, const char *agency, int limit, char *const *after, store_page *out);

/* An endpoint's deliveries, newest first, optionally of one status. */
int webhooks_deliveries(store *s, const char *endpoint_id, const char *status, int limit,
                        const char *before, store_page *out);

/* Queues a delivery again now, with a fresh schedule: 1 done, 0 no such
 * delivery of the endpoint, -1 failure. json_out: its representation. */
int webhooks_replay(store *s, const char *endpoint_id, const char *delivery_id, char **json_out);

#endif
