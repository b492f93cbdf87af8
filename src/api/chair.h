/* chair: the chair acts with the authority the schedule relied on (MTG-6).
 *
 * A meeting is scheduled with a chair holding a role that qualifies them
 * (manager, senior_manager, senior_practitioner, or for a stop and review
 * a practitioner who is the child's lead practitioner or keyworker); the
 * role is recorded with the schedule. Whenever the chair acts as chair —
 * recording attendance, holding the meeting, writing, approving, amending
 * and distributing the minutes, deciding on sharing them, closing the
 * meeting — their own token must still hold that role. */
#ifndef MAM_API_CHAIR_H
#define MAM_API_CHAIR_H

#include <stdbool.h>

#include "http/req.h"
#include "store/meetings.h"

/* True when the caller is not the meeting's chair, or is and their token
 * holds the role the schedule relied on; otherwise answers 403 with rule
 * MTG-6 and returns false. */
bool chair_authority(req *r, const meeting_row *m);

#endif
