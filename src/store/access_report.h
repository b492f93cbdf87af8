/* access_report (store): SEC-7, who read or changed a child's records and
 * when, from the audit trail (child_record_ids,
 * sql/functions/88_retention.sql). For the dpo, and for managers of the
 * convening agency of one of the child's meetings. */
#ifndef MAM_STORE_ACCESS_REPORT_H
#define MAM_STORE_ACCESS_REPORT_H

#include <stdbool.h>

#include "store/store.h"

/* May the caller read the child's report? (as_dpo: the caller is the dpo,
 * who may for every child that exists.) 1, 0 (absent, not a UUID or not
 * allowed: the same answer), -1. */
int access_report_allowed(store *s, const char *child_id, bool as_dpo);

/* A page of the audit rows about the child's records, newest first, before
 * the cursor's audit id: who (sub, agency), what action, on which resource,
 * when. For the dpo every meeting of the child counts; for anyone else only
 * the meetings the caller may see (SEC-2). */
int access_report_page(store *s, const char *child_id, bool as_dpo, int limit,
                       const char *before, store_page *out);

#endif
