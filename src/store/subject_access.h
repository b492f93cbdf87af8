/* subject_access (store): subject access requests (SAR-1, SAR-2,
 * sql/040_subject_access_requests.sql): registered, extended, gathered and
 * decided item by item by the dpo, the only one who may see them
 * (subject_access_request_visible, sql/functions/10_access.sql). Nothing
 * is announced on any feed: a request's existence is itself personal data. */
#ifndef MAM_STORE_SUBJECT_ACCESS_H
#define MAM_STORE_SUBJECT_ACCESS_H

#include <jansson.h>

#include "domain/subject_access.h"
#include "store/store.h"

extern const store_kind STORE_SUBJECT_ACCESS_REQUEST;

typedef struct sar_row {
    char id[37];
    cal_day received_on;
    cal_day first_due_on;
    bool extended;
    bool gathered;
    bool answered;
    long version;
} sar_row;

/* The request, when the caller may see it (locked for update when lock):
 * 1, 0 (absent, not visible or not a UUID), -1. */
int sar_find(store *s, const char *id, bool lock, sar_row *out);

/* Registers the request by the caller, due on `due_on` (SAR-1). */
int sar_insert(store *s, const sar_in *in, const char *due_on, char id_out[37]);

/* Records the extension by the caller, to `due_on`. */
int sar_extend(store *s, const char *id, const sar_extension_in *in, const char *due_on);

/* Snapshots every record touching the subject into the request's items. */
int sar_gather(store *s, const char *id);

/* How many gathered items have no decision yet; -1 on a failure. */
long sar_undecided(store *s, const char *id);

/* Records that the disclosure set went to the requester on that day. */
int sar_answer(store *s, const char *id, const char *answered_on);

/* GET /v1/subject-access-requests: a page oldest first, after (created_at,
 * id); only those overdue at the request's date when overdue. */
int sar_list(store *s, bool overdue, int limit, char *const *after, store_page *out);

/* GET .../items: a page of the request's items by number, after the
 * cursor's number. */
int sar_items_list(store *s, const char *id, int limit, char *const *after, store_page *out);

/* The text of item item_no (new string), locking it; NULL with *found
 * false when there is no such item, NULL with *found true on a failure. */
char *sar_item_text(store *s, const char *id, const char *item_no, bool *found);

/* Records the caller's decision on the item and raises the request's
 * version. */
int sar_decide(store *s, const char *id, const char *item_no, const sar_decision_in *in);

/* Every item of the request, as subject_access_item_json renders them, in
 * order (a new reference); NULL on a failure. */
json_t *sar_items_all(store *s, const char *id);

/* --- consultations (SAR-2, sql/042_subject_access_consultations.sql) ---
 * Visible to the dpo and the consulted agency's managers
 * (subject_access_consultation_visible). */

extern const store_kind STORE_SUBJECT_ACCESS_CONSULTATION;

typedef struct sar_consultation_row {
    char id[37];
    char request_id[37];
    char agency[33];
    bool answered;
    long version;
} sar_consultation_row;

/* Every item of the request as [{item_no, agency}] (a new reference);
 * NULL on a failure. */
json_t *sar_item_agencies(store *s, const char *id);

/* Opens the consultation by the caller, asked today, due on `due_on`, and
 * raises the request's version. */
int sar_consultation_insert(store *s, const char *request_id, const sar_consultation_in *in,
                            const char *due_on, char id_out[37]);

/* The consultation, when the caller may see it (locked for update when
 * lock): 1, 0 (absent, not visible or not a UUID), -1. */
int sar_consultation_find(store *s, const char *id, bool lock, sar_consultation_row *out);

/* Records the caller's answer, given today, and raises the request's
 * version. */
int sar_consultation_answer(store *s, const char *id, const sar_consultation_answer_in *in);

/* GET .../{sar_id}/consultations (request_id given) and GET
 * /v1/subject-access-consultations (request_id NULL: those the caller may
 * see): a page oldest first after (created_at, id); only those overdue at
 * the request's date when overdue. */
int sar_consultations_list(store *s, const char *request_id, bool overdue, int limit,
                           char *const *after, store_page *out);

#endif
