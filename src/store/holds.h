/* holds (store): retention holds on a child, a meeting or a record class
 * (RET-2, sql/041_retention.sql). Placed and released by the dpo or an
 * admin, who see every hold; a released hold is kept with who released it,
 * when and why. Placing and releasing are announced to the agencies of the
 * records held (every agency for a record class). */
#ifndef MAM_STORE_HOLDS_H
#define MAM_STORE_HOLDS_H

#include <stdbool.h>

#include "domain/retention.h"
#include "store/store.h"

extern const store_kind STORE_HOLD;

typedef struct hold_row {
    char id[37];
    bool released;
    long version;
} hold_row;

/* The hold, locked when asked: 1, 0 (absent or not a UUID), -1. */
int holds_find(store *s, const char *id, bool lock, hold_row *out);

/* Whether the target of a hold exists (a child, or a meeting not yet
 * disposed of): 1, 0, -1. */
int holds_target_exists(store *s, const hold_in *in);

/* Records the hold, placed by the caller; its id in id_out. */
int holds_insert(store *s, const hold_in *in, char id_out[37]);

/* Releases it, by the caller, with the reason. */
int holds_release(store *s, const char *id, const char *reason);

/* A page of holds, newest first, after the cursor's sequence number;
 * in_effect_only: only those in effect today. */
int holds_list(store *s, bool in_effect_only, int limit, const char *after, store_page *out);

#endif
