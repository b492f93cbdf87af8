/* POST /v1/invitations/{invitation_id}/respond: accepted, declined (with a
 * reason), apologies (with an optional written contribution) or delegated
 * to a named colleague of the same agency, who then holds the invitation
 * (INV-3); technology access for virtual and hybrid meetings (INV-5). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/frame.h"
#include "api/handlers.h"
#include "domain/meeting.h"
#include "domain/planning.h"
#include "store/invitations.h"
#include "store/meetings.h"

static const char *event_for(const char *response)
{
    return strcmp(response, "delegated") == 0 ? "invitation.delegated" : "invitation.answered";
}

void handle_invitations_respond(req *r)
{
    violations v;
    violations_init(&v);
    response_in in;
    response_parse(r->body, &in, &v);
    if (v.schema && frame_violations(r, &v))
        return;
    invitation_row row;
    meeting_row m;
    store *s = frame_begin(r, FRAME_CHANGE);
    if (!s)
        return;
    int found = invitations_find(s, req_path(r, 0), true, &row);
    if (found > 0)
        found = meetings_load(s, row.meeting_id, false, &m);
    if (!frame_found(r, found))
        return;
    bool convening = meeting_row_convening_side(&m, &r->who);
    if (!response_may_answer(&r->who, row.category, row.invitee_sub[0] ? row.invitee_sub : NULL,
                             row.agency[0] ? row.agency : NULL, convening)) {
        problem_forbidden(r, "INV-3", "The invitee, or a manager of their agency, answers an "
                                      "invitation (the convening side answers for family members).");
        return;
    }
    if (!frame_if_match(r, row.version) || !frame_gate(r, &meeting_gate_answers, m.status) ||
        !frame_gate(r, &invitation_gate_withdrawn, row.status))
        return;
    response_facts f = {.category = row.category,
                        .meeting_format = m.format[0] ? m.format : NULL,
                        .invitee_sub = row.invitee_sub};
    response_check(&in, &f, &v);
    if (in.has_delegate && in.delegate.agency && row.agency[0] &&
        strcmp(in.delegate.agency, row.agency) != 0)
        violation_rule(&v, "delegate.agency", "INV-3", "a delegate is a colleague of the same agency");
    if (frame_violations(r, &v))
        return;
    if (invitations_answer(s, &row, &in) != 0) {
        if (store_failure(s) == DB_UNIQUE)
            problem(r, 409, "already-invited", "Conflict",
                    "The delegate already holds an invitation to this meeting.");
        else
            req_db_failed(r);
        return;
    }
    frame_finish(r, &(frame_change){.kind = &STORE_INVITATION,
                                    .id = row.id,
                                    .audit_action = "invitation.respond",
                                    .event = event_for(in.response)});
}
