/* meeting_change: the frame every change to a meeting shares.
 *
 *   meeting_change_begin  connection, transaction, the meeting locked if the
 *                         caller may see it (404 otherwise, SEC-2)
 *   ... the handler checks permission, If-Match, state and rules, and
 *       writes its change ...
 *   meeting_change_finish audit event, feed event, the new representation,
 *                         commit, 200 with the new ETag
 *
 * Both answer the request themselves when something fails. */
#ifndef MAM_MEETING_CHANGE_H
#define MAM_MEETING_CHANGE_H

#include <stdbool.h>

#include "http/req.h"
#include "store/meetings.h"

/* The meeting named by the first path parameter. */
bool meeting_change_begin(req *r, meeting_row *m);

/* The change raised the meeting's version by one. warnings (may be NULL)
 * are added to the answer. */
void meeting_change_finish(req *r, const meeting_row *m, const char *audit_action,
                           const char *event_type, json_t *warnings);

/* Answers 409 MTG-8 and returns false when the meeting cannot move to
 * `to` from its current status. */
bool meeting_change_allowed(req *r, const meeting_row *m, const char *to);

#endif
