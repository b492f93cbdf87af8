/* chronology: a child's multi-agency chronology (CHR-1), derived from the
 * records the service holds (sql/functions/35_children.sql,
 * child_chronology), never typed twice. This module owns its vocabulary
 * and the checks of a request for it. */
#ifndef MAM_CHRONOLOGY_H
#define MAM_CHRONOLOGY_H

#include <stdbool.h>

/* Every kind of entry, as the contract's ChronologyKind enumerates them. */
extern const char *const chronology_kinds[];

bool chronology_kind_known(const char *kind);

/* The filters of GET /v1/children/{child_id}/chronology; each may be NULL.
 * from and to are dates (YYYY-MM-DD), both inclusive. */
typedef struct chronology_filters {
    const char *from, *to, *agency, *kind;
} chronology_filters;

#endif
