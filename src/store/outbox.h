/* outbox (store): the webhook delivery worker's statements (INT-5).
 *
 * The outbox rows are written by a trigger on events, in the transaction
 * that made the change (sql/functions/80_integrations.sql). A worker, in
 * any instance of the service, takes a turn: a few endpoints at once, each
 * with a lease (FOR NO KEY UPDATE SKIP LOCKED, then leased_until), and each
 * endpoint's oldest due deliveries, in feed order. It sends them outside
 * any transaction, one endpoint after another, and records the answers of
 * the turn and ends its leases in one statement (outbox_record). A worker
 * that dies leaves the leases to expire, and the deliveries it had not
 * recorded are sent again, with the same webhook-id: at least once, never
 * lost. */
#ifndef MAM_STORE_OUTBOX_H
#define MAM_STORE_OUTBOX_H

#include <stdbool.h>

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

/* The endpoints of one turn, each leased until the same moment. */
typedef struct outbox_turn {
    int n;
    outbox_batch *batches; /* owned */
} outbox_turn;
void outbox_turn_free(outbox_turn *t);

/* Takes up to max_endpoints of the least recently served endpoints with due
 * deliveries, but no more than a fair share (those due divided by
 * share_among, the workers looking), each leased for lease_s, and up to
 * max_items of each one's due deliveries. 1 taken, 0 nothing is due, -1
 * failure. Runs its own transaction. */
int outbox_claim(store *s, int lease_s, int max_endpoints, int share_among, int max_items,
                 outbox_turn *out);

enum outbox_outcome {
    OUTBOX_DELIVERED, /* a 2xx */
    OUTBOX_RETRY,     /* a failure: tried again after delay_s (delay_s < 0: given up) */
    OUTBOX_GONE,      /* a 410: the delivery failed and the endpoint is disabled */
};

typedef struct outbox_answer {
    const char *endpoint_id;
    const char *delivery_id;
    enum outbox_outcome outcome;
    int status;        /* the HTTP status, 0 when none came */
    const char *error; /* why it failed; NULL when delivered */
    int delay_s;       /* OUTBOX_RETRY only */
} outbox_answer;

typedef struct outbox_lease {
    const char *endpoint_id;
    bool renew; /* leased for lease_s more (still being served), else ended */
} outbox_lease;

/* Records the answers and renews or ends the leases, in one statement and
 * one transaction. An endpoint a 410 disabled has its lease ended whatever
 * its entry says. 0, or -1 on a failure. */
int outbox_record(store *s, const outbox_answer *answers, int n_answers,
                  const outbox_lease *leases, int n_leases, int lease_s);

#endif
