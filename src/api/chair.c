#include "api/chair.h"

#include <stdio.h>
#include <string.h>

#include "domain/meeting.h"

bool chair_authority(req *r, const meeting_row *m)
{
    if (!m->chair_sub[0] || strcmp(m->chair_sub, r->who.sub) != 0 ||
        meeting_chair_token_ok(m->chair_role, &r->who))
        return true;
    char detail[200];
    snprintf(detail, sizeof detail,
             "You chair this meeting as %s, the role it was scheduled on; your token does not "
             "hold that role.",
             m->chair_role[0] ? m->chair_role : "(no role recorded)");
    problem_forbidden(r, "MTG-6", detail);
    return false;
}
