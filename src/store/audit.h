/* audit (store): the SEC-4 trail. Every read or change of case data records
 * who did what to which resource, in the same transaction as the work
 * itself, so that the trail and the data can never disagree. Events are
 * written with the database's clock and listed for auditors. */
#ifndef MAM_STORE_AUDIT_H
#define MAM_STORE_AUDIT_H

#include "store/store.h"

/* Records one event for a single resource; 0, or -1 on a failure. */
int audit_record(store *s, const char *action, const char *resource_type, const char *resource_id);

/* Records one event for a list read: the ids given (a PostgreSQL array
 * literal such as {a,b}) are the resources the caller was shown. */
int audit_record_list(store *s, const char *action, const char *resource_type,
                      const char *ids_array_literal);

/* GET /v1/audit-events: a page of the trail, newest first, before the
 * cursor's id; every filter may be NULL. The caller reads the rows that
 * concern their agency, or every row when they hold `partnership` as well
 * as `auditor` (sql/010_audit_scope.sql). */
typedef struct audit_filters {
    const char *actor, *resource_id, *resource_type, *from, *to;
} audit_filters;
int audit_list(store *s, const audit_filters *f, int limit, const char *before,
               store_page *out);

#endif
