/* audit: the SEC-4 trail. Every read or change of case data records who did
 * what to which resource, in the same transaction as the work itself, so
 * that the trail and the data can never disagree. */
#ifndef MAM_AUDIT_H
#define MAM_AUDIT_H

#include "http/req.h"

/* Records one event for a single resource; 0 on success, -1 on a database
 * failure (recorded on the request's connection). */
int audit_record(req *r, const char *action, const char *resource_type, const char *resource_id);

/* Records one event for a list read: the ids given (a PostgreSQL array
 * literal such as {a,b}) are the resources the caller was shown. */
int audit_record_list(req *r, const char *action, const char *resource_type,
                      const char *ids_array_literal);

#endif
