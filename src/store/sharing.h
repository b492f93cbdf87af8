/* sharing (store): the information-sharing ledger (ISL-1 to ISL-3). The
 * flows that disclose write their entries by the triggers of
 * sql/functions/37_information_sharing.sql; this module records the
 * disclosures and refusals recorded by hand and lists the ledger. */
#ifndef MAM_STORE_SHARING_H
#define MAM_STORE_SHARING_H

#include "domain/sharing.h"
#include "store/store.h"

/* An entry as rendered by information_sharing_json; announced to the
 * disclosing agency and the recipient's. */
extern const store_kind STORE_SHARING;

/* Is meeting_id a meeting the caller may see about this child? 1, 0, -1. */
int sharing_meeting_of_child(store *s, const char *meeting_id, const char *child_id);

/* Records a disclosure or refusal of the caller's agency, decided by the
 * caller; "at" defaults to the request's moment. */
int sharing_insert(store *s, const sharing_in *in, char id_out[37]);

/* GET /v1/information-sharing: a page, oldest first, after (time, seq).
 * The dpo reads every entry; an auditor those from or to their agency, or
 * every entry with `partnership` too. Filters may be NULL; from and to
 * are dates, inclusive. */
typedef struct sharing_filters {
    const char *child_id, *agency, *from, *to;
} sharing_filters;
int sharing_list(store *s, const sharing_filters *f, int limit, char *const *after,
                 store_page *out);

#endif
