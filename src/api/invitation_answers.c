/* POST /v1/invitations/{invitation_id}/respond: accepted, declined (with a
 * reason), apologies (with an optional written contribution) or delegated
 * to a named colleague of the same agency, who then holds the invitation
 * (INV-3); technology access for virtual and hybrid meetings (INV-5). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "api/handlers.h"
#include "domain/planning.h"
#include "http/pipeline.h"
#include "store/audit.h"
#include "store/feed.h"
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
    if (v.schema && answer_violations(r, &v))
        return;
    if (!begin(r, false))
        return;
    invitation_row row;
    meeting_row m;
    int found = invitations_find(r, req_path(r, 0), true, &row);
    if (found > 0)
        found = meetings_load(r, row.meeting_id, false, &m);
    if (found <= 0) {
        if (found < 0)
            req_db_failed(r);
        else
            problem_not_found(r);
        return;
    }
    bool convening = meeting_row_convening_side(&m, &r->who);
    if (!response_may_answer(&r->who, row.category, row.invitee_sub[0] ? row.invitee_sub : NULL,
                             row.agency[0] ? row.agency : NULL, convening)) {
        problem_forbidden(r, "INV-3", "The invitee, or a manager of their agency, answers an "
                                      "invitation (the convening side answers for family members).");
        return;
    }
    if (!pipeline_if_match(r, row.version))
        return;
    if (strcmp(m.status, "authorised") != 0 && strcmp(m.status, "scheduled") != 0) {
        problem_conflict(r, "MTG-8", "Invitations are answered before the meeting is held.");
        return;
    }
    response_facts f = {.category = row.category,
                        .meeting_format = m.format[0] ? m.format : NULL,
                        .invitee_sub = row.invitee_sub};
    response_check(&in, &f, &v);
    if (in.has_delegate && in.delegate.agency && row.agency[0] &&
        strcmp(in.delegate.agency, row.agency) != 0)
        violation_rule(&v, "delegate.agency", "INV-3", "a delegate is a colleague of the same agency");
    if (answer_violations(r, &v))
        return;
    if (invitations_answer(r, &row, &in) != 0) {
        if (db_failure_of(r->db) == DB_UNIQUE)
            problem(r, 409, "already-invited", "Conflict",
                    "The delegate already holds an invitation to this meeting.");
        else
            req_db_failed(r);
        return;
    }
    if (audit_record(r, "invitation.respond", "invitation", row.id) != 0 ||
        feed_meeting_part(r, m.id, event_for(in.response), "invitation", row.id,
                          row.version + 1) != 0) {
        req_db_failed(r);
        return;
    }
    char *json = invitations_render(r, row.id);
    if (!json) {
        req_db_failed(r);
        return;
    }
    answer_resource(r, 200, json, row.version + 1, NULL);
    free(json);
}
