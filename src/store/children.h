/* children (store): children as subjects of their own (CHR-1, INT-1),
 * keyed by their identifiers (sql/033_children.sql). A caller sees a child
 * only through the meetings they may see (child_visible,
 * sql/functions/10_access.sql), and sees of it only what those meetings
 * say. */
#ifndef MAM_STORE_CHILDREN_H
#define MAM_STORE_CHILDREN_H

#include "domain/child_ids.h"
#include "domain/chronology.h"
#include "store/store.h"

/* GET /v1/children/{child_id}: rendered with child_record_json for the
 * caller. Children change only through their meetings; nothing announces
 * them. */
extern const store_kind STORE_CHILD;

/* GET /v1/children?ref=: the child an identifier names, when a meeting the
 * caller may see gives it (a page of at most one), after the cursor's id. */
int children_list_by_ref(store *s, const child_ref *ref, int limit, char *const *after,
                         store_page *out);

/* Is the child one the caller may see? 1, 0 (not, or not a UUID), -1. */
int children_visible(store *s, const char *child_id);

/* GET /v1/children/{child_id}/chronology: a page of the child's chronology
 * (CHR-1) as the caller may see it, oldest first, after the cursor's
 * (timestamp, entry key). */
int children_chronology(store *s, const char *child_id, const chronology_filters *f, int limit,
                        char *const *after, store_page *out);

#endif
