/* idempotency (store): the answers remembered for Idempotency-Key
 * (http/idempotency.h has the protocol). A key belongs to one caller and
 * is kept for 24 hours. */
#ifndef MAM_STORE_IDEMPOTENCY_H
#define MAM_STORE_IDEMPOTENCY_H

#include <stdbool.h>

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

/* Deletes keys older than 24 hours (housekeeping, no caller): how many, or -1. */
int idempotency_purge(db_conn *c);

#endif
