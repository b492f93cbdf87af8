/* idempotency (store): the answers remembered for Idempotency-Key
 * (http/idempotency.h has the protocol). A key belongs to one caller and
 * is kept as long as the retention policy of the record class
 * idempotency_record says (RET-1: 24 hours by default), from the moment of
 * the request that made it; then the service deletes it itself. */
#ifndef MAM_STORE_IDEMPOTENCY_H
#define MAM_STORE_IDEMPOTENCY_H

#include <stdbool.h>
#include <time.h>

#include "store/store.h"

typedef struct idempotency_answer {
    char hash[65];   /* the request it answered */
    bool answered;   /* false while its request is still being processed */
    int status;
    char *location;  /* NULL when none; the strings are owned: idempotency_answer_free */
    char *etag;
    char *body;
} idempotency_answer;

/* Claims the caller's key for a request (by its hash), inside the
 * request's transaction: 1 when claimed (a new key, or one expired), 0 when
 * the key is held already, -1 on a failure. A concurrent claim of the same
 * key waits for this transaction. */
int idempotency_claim(store *s, const char *key, const char *hash);

/* The answer held under the caller's key: 1 found, 0 none, -1 failure. */
int idempotency_fetch(store *s, const char *key, idempotency_answer *out);
void idempotency_answer_free(idempotency_answer *a);

/* Remembers the answer of the request that claimed the key. */
int idempotency_remember(store *s, const char *key, int status, const char *location,
                         const char *etag, const char *body);

/* RET-1, RET-2: deletes the keys whose period has passed at `at`, under
 * the policy in effect, and none while a hold on the class is in effect
 * (housekeeping, no caller, in its own statement): how many, or -1. */
int idempotency_purge(db_conn *c, time_t at);

/* The same at the store's clock, in its transaction: how many, or -1; the
 * ids of the records deleted in ids_out (a PostgreSQL array literal, a new
 * string; NULL on a failure). */
int idempotency_purge_now(store *s, char **ids_out);

#endif
