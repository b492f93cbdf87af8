/* feed: the INT-2 event feed. Every change appends an event, in the same
 * transaction, for each agency concerned; integrations read their agency's
 * events with GET /v1/events. Events carry ids and types only. */
#ifndef MAM_FEED_H
#define MAM_FEED_H

#include "http/req.h"

/* agencies is a PostgreSQL array literal of agency codes, e.g. {LA01,PD02}.
 * 0 on success, -1 on a database failure. */
int feed_append(req *r, const char *type, const char *resource_type, const char *resource_id,
                long resource_version, const char *agencies);

#endif
