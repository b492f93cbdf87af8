/* chronology: a child's multi-agency chronology (CHR-1), derived from the
 * records the service holds (sql/functions/35_children.sql,
 * child_chronology), never typed twice. This module owns its vocabulary
 * and the checks of a request for it. */
#ifndef MAM_CHRONOLOGY_H
#define MAM_CHRONOLOGY_H

#include <jansson.h>
#include <stdbool.h>

#include "domain/violations.h"

/* Every kind of entry, as the contract's ChronologyKind enumerates them. */
extern const char *const chronology_kinds[];

bool chronology_kind_known(const char *kind);

/* The filters of GET /v1/children/{child_id}/chronology; each may be NULL.
 * from and to are dates (YYYY-MM-DD), both inclusive. */
typedef struct chronology_filters {
    const char *from, *to, *agency, *kind;
} chronology_filters;

/* CHR-2: an agency's own entry about the child: the date it happened
 * (not in the future), what happened, the action taken or why none (one of
 * the two), and whether it is fact or opinion. A change is a new version
 * with a reason. Strings borrow from the document. */
#define CHRONOLOGY_TEXT_MAX 10000
extern const char *const chronology_entry_bases[]; /* fact, opinion */
typedef struct chronology_entry_in {
    const char *occurred_on;
    const char *what_happened;
    const char *action_taken;
    const char *why_no_action;
    const char *basis;
    const char *reason; /* a change's (PATCH) */
} chronology_entry_in;

/* Reads a new entry (change false) or a whole changed entry with its
 * reason (change true): shapes are schema violations; what CHR-2 requires,
 * rule violations. today is YYYY-MM-DD (UTC). */
void chronology_entry_parse(json_t *doc, bool change, const char *today, chronology_entry_in *in,
                            violations *v);

#endif
