/* feed (store): the INT-2 event feed. Every change appends an event in the
 * same transaction, once per agency concerned (each resource kind says
 * which: store_announce); integrations read their agency's events with
 * GET /v1/events. Events carry ids, types and versions only: clients fetch
 * the details with their own token. */
#ifndef MAM_FEED_H
#define MAM_FEED_H

#include "store/store.h"

/* An event about something under a meeting (an invitation, a decision),
 * for the meeting's agencies. */
int feed_meeting_part(store *s, const char *meeting_id, const char *type, const char *resource_type,
                      const char *resource_id, long resource_version);

/* GET /v1/events: the next page of an agency's feed after (tx, position),
 * in commit order; the cursor always says where to resume, on an empty page
 * the one given (resume, may be NULL). */
int feed_page(store *s, const char *agency, const char *after_tx, const char *after_position,
              int limit, const char *resume, store_page *out);

#endif
