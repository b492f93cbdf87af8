/* agencies (store): the agency directory (admins keep it; every caller
 * reads it). An agency's changes are announced to every agency's feed. */
#ifndef MAM_STORE_AGENCIES_H
#define MAM_STORE_AGENCIES_H

#include <stdbool.h>

#include "store/store.h"

extern const store_kind STORE_AGENCY;

/* The kind of an active agency (new string); NULL with *found false when
 * the code names no active agency, NULL with *found true on a failure. */
char *agencies_active_kind(store *s, const char *code, bool *found);

/* 1 when the code names an active agency, 0 when not, -1 on a failure. */
int agencies_is_active(store *s, const char *code);

/* The agency's version (locked for update): 1 found, 0 not, -1 failure. */
int agencies_lock(store *s, const char *code, long *version);

/* A new agency: 0, or -1 (DB_UNIQUE when the code is taken). */
int agencies_insert(store *s, const char *code, const char *name, const char *kind);

/* Changes the members given (NULL keeps one); active is "true", "false" or NULL. */
int agencies_update(store *s, const char *code, const char *name, const char *kind,
                    const char *active);

/* A page of the directory by code, after the cursor's code. */
int agencies_list(store *s, const char *kind, const char *active, int limit, const char *after,
                  store_page *out);

#endif
