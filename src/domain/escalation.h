/* escalation: the multi-agency disagreement and escalation procedure as
 * plain rules (ESC-1 to ESC-4). Stages: 1 practitioners, 2 line managers,
 * 3 senior managers, 4 the safeguarding partnership. */
#ifndef MAM_ESCALATION_H
#define MAM_ESCALATION_H

#include <jansson.h>
#include <stdbool.h>

#include "auth/caller.h"
#include "domain/gate.h"
#include "domain/violations.h"

#define ESCALATION_TEXT_MAX 10000
#define ESCALATION_LAST_STAGE 4

extern const char *const escalation_types[];
extern const char *const escalation_statuses[];

/* ESC-4: resolved and withdrawn escalations are read-only. */
extern const state_gate escalation_gate_changes;

typedef struct escalation_in {
    const char *meeting_id;
    const char *type;
    const char *concern;
    const char *outcome_sought;
    const char *with_agency;
    const char *invitation_id;
    const char *consent_decision_id;
    const char *declined_request_id;
    int immediate_risk; /* -1 absent */
} escalation_in;

/* ESC-1: shape and the parts every escalation names. */
void escalation_parse(json_t *body, escalation_in *in, violations *v);

/* What the references point at, looked up by the caller of the rules. */
typedef struct escalation_refs {
    bool invitation_found;        /* an invitation of this meeting */
    const char *invitation_status;
    bool invitation_past_deadline;
    const char *invitation_attendance; /* its mark at the meeting, "" when none */
    bool decision_found;          /* a family-notice decision of this meeting */
    const char *decision_status;  /* "superseded" once a later decision replaced it */
    bool declined_found;          /* a meeting the caller can see */
    const char *declined_status;
    const char *declined_requester_sub;
    const char *declined_convening_agency;
    bool raiser_agency_invited;   /* the raiser's agency holds a professional invitation to it */
} escalation_refs;

/* ESC-1 with INV-7 and FAM-2: the reference each type needs. A declined
 * request's need is disputed by an agency invited to it, with the convening
 * agency, or by its requester, with their own agency whose manager declined
 * it. INV-7: an invitation declined, unanswered past its deadline, or
 * accepted and then marked absent without apologies is a lack of
 * engagement. */
void escalation_check(const escalation_in *in, const caller *raiser,
                      const escalation_refs *refs, violations *v);

/* ESC-3: where the procedure starts. */
int escalation_first_stage(const escalation_in *in);

/* ESC-2: who answers at a stage — practitioners of either agency at 1,
 * managers at 2, senior managers at 3, the partnership at 4. */
bool escalation_may_respond(const caller *who, int stage, const char *raised_by_agency,
                            const char *with_agency);

#endif
