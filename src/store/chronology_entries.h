/* chronology_entries (store): agencies' own entries in a child's
 * chronology (CHR-2), in versions. Seen by whoever may see the child
 * (chronology_entry_visible, sql/functions/10_access.sql). */
#ifndef MAM_STORE_CHRONOLOGY_ENTRIES_H
#define MAM_STORE_CHRONOLOGY_ENTRIES_H

#include <stdbool.h>

#include "auth/caller.h"
#include "domain/chronology.h"
#include "store/store.h"

/* GET /v1/chronology-entries/{id}: rendered with chronology_entry_json;
 * announced to the entry's agency and the agencies of the child's
 * meetings. */
extern const store_kind STORE_CHRONOLOGY_ENTRY;

typedef struct chronology_entry_row {
    char id[37];
    char agency[CALLER_AGENCY_MAX + 1];
    char author_sub[CALLER_SUB_MAX + 1];
    long version;
} chronology_entry_row;

/* 1 found and visible, 0 not (or not a UUID), -1 a failure; lock takes
 * the row for a change. */
int chronology_entries_find(store *s, const char *id, bool lock, chronology_entry_row *out);

/* A new entry of the caller's agency, version 1. */
int chronology_entries_insert(store *s, const char *child_id, const chronology_entry_in *in,
                              char id_out[37]);

/* The next version, with its reason. */
int chronology_entries_change(store *s, const char *id, const chronology_entry_in *in);

#endif
