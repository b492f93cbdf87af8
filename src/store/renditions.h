/* renditions (store): the minutes for each audience (REN-2), pinned to an
 * approved version, and each sending of them. A rendition is never changed
 * or deleted: the database refuses (sql/036_renditions.sql), whatever the
 * code above it does; each sending writes its ledger entry by trigger in
 * the same transaction (ISL-2). Visible to whoever may see the meeting
 * (SEC-2). */
#ifndef MAM_STORE_RENDITIONS_H
#define MAM_STORE_RENDITIONS_H

#include <stdbool.h>

#include "store/store.h"

extern const store_kind STORE_RENDITION;

typedef struct rendition_row {
    char id[37];
    char meeting_id[37];
    int number;
    char audience[24];
    char agency[40]; /* "" unless for an agency */
} rendition_row;

/* The rendition if the caller may see its meeting: 1, 0 (absent or not
 * visible) or -1. It never changes, so it is not locked: a change under it
 * locks its meeting. */
int renditions_find(store *s, const char *id, rendition_row *out);

/* The rendition of version `number` for this audience (and agency, or
 * NULL): 1 with its id, 0 none, -1 a failure. */
int renditions_of(store *s, const char *meeting_id, int number, const char *audience,
                  const char *agency, char id_out[37]);

/* Records the chair's approval of a rendition (content and withheld are
 * JSON texts); its id in id_out. */
int renditions_insert(store *s, const char *meeting_id, int number, const char *audience,
                      const char *agency, const char *content_json, const char *withheld_json,
                      const char *withheld_summary, char id_out[37]);

/* A page of a meeting's renditions, in the order they were approved. */
int renditions_list(store *s, const char *meeting_id, int limit, const char *after,
                    store_page *out);

/* Records one sending of the rendition (sent_at NULL: now). */
int renditions_share(store *s, const char *rendition_id, const char *name, const char *agency,
                     const char *category, const char *contact, const char *sent_at);

#endif
