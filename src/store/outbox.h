/* outbox (store): the webhook delivery worker's statements (INT-5).
 *
 * The outbox rows are written by a trigger on events, in the transaction
 * that made the change (sql/functions/80_integrations.sql). A worker, in
 * any instance of the service, takes one endpoint at a time with a lease
 * (FOR NO KEY UPDATE SKIP LOCKED, then leased_until): the endpoint's oldest
 * due deliveries, in feed order. It sends them outside any transaction and
 * records each answer; the lease ends when it is done. A worker that dies
 * leaves the lease to expire, and the deliveries it had not recorded are
 * sent again, with the same webhook-id: at least once, never lost. */
#ifndef MAM_STORE_OUTBOX_H
#define MAM_STORE_OUTBOX_H

#include "store/store.h"

typedef struct outbox_item {
    char id[24];
    char message_id[48];
    char *payload; /* owned */
    int attempts;  /* attempts made before this one */
} outbox_item;

typedef struct outbox_batch {
    char endpoint_id[37];
    char *url;             /* owned */
    char *secret_sealed;   /* owned */
    char *previous_sealed; /* owned; NULL when none is valid now */
    int n;
    outbox_item *items;    /* owned */
} outbox_batch;
void outbox_batch_free(outbox_batch *b);

/* Takes the least recently served endpoint with due deliveries, leased
 * for lease_s, and up to max of its due deliveries. 1 taken, 0 nothing is
 * due, -1 failure. Runs its own transaction. */
int outbox_claim(store *s, int lease_s, int max, outbox_batch *out);

/* Records an attempt's outcome (each in its own transaction):
 *  delivered: a 2xx;
 *  retry: a failure, tried again after delay_s (delay_s < 0: given up);
 *  gone: a 410, the endpoint disabled. status is the HTTP status or 0;
 * the first two renew the endpoint's lease for lease_s. */
int outbox_delivered(store *s, const char *endpoint_id, const char *delivery_id, int status,
                     int lease_s);
int outbox_retry(store *s, const char *endpoint_id, const char *delivery_id, int status,
                 const char *error, int delay_s, int lease_s);
int outbox_gone(store *s, const char *endpoint_id, const char *delivery_id);

/* Ends the lease on the endpoint. */
int outbox_release(store *s, const char *endpoint_id);

#endif
