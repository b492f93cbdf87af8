/* feed: the INT-2 event feed. Every change appends an event in the same
 * transaction, once per agency concerned; integrations read their agency's
 * events with GET /v1/events. Events carry ids, types and versions only:
 * clients fetch the details with their own token. */
#ifndef MAM_FEED_H
#define MAM_FEED_H

#include "http/req.h"

/* An event about a meeting, for every agency meeting_agencies() names. */
int feed_meeting(req *r, const char *meeting_id, const char *type);

/* An event about something under a meeting (an invitation, a decision),
 * for the meeting's agencies. */
int feed_meeting_part(req *r, const char *meeting_id, const char *type, const char *resource_type,
                      const char *resource_id, long resource_version);

/* An event for the agencies named (a PostgreSQL array literal, {A,B}). */
int feed_to(req *r, const char *type, const char *resource_type, const char *resource_id,
            long resource_version, const char *agencies);

/* An event for every agency in the directory (directory changes). */
int feed_everyone(req *r, const char *type, const char *resource_type, const char *resource_id,
                  long resource_version);

#endif
