/* meeting: the rules for requesting, deciding and moving a meeting through
 * its life (MTG-1 to MTG-5, MTG-8), as plain functions over plain data.
 *
 * The request document is parsed into a meeting_draft (meeting_draft_parse)
 * and then checked (meeting_check_draft); both record violations rather
 * than stopping at the first. Strings in a draft borrow from the JSON
 * document it was parsed from. */
#ifndef MAM_MEETING_H
#define MAM_MEETING_H

#include <jansson.h>
#include <stdbool.h>

#include "auth/caller.h"
#include "domain/child_ids.h"
#include "domain/gate.h"
#include "domain/violations.h"

#define MEETING_MAX_CRITERIA 10
#define MEETING_MAX_CHILDREN 20
#define MEETING_TITLE_MAX 200
#define MEETING_TEXT_MAX 10000
#define PERSON_NAME_MAX 200
#define EXTERNAL_PART_MAX 100

extern const char *const meeting_types[];
extern const char *const meeting_statuses[];
extern const char *const meeting_criteria[];   /* valid for every type but strategy */
extern const char *const agency_kinds[];

typedef struct external_ref {
    const char *system;
    const char *id;
} external_ref;

typedef struct child_in {
    const char *name;
    external_ref ref;
    char nhs_number[11];      /* subject children: normalised, "" when absent or invalid */
    char upn[14];             /* the same for the Unique Pupil Number */
    const char *date_of_birth;
    int unborn;               /* -1 absent, 0, 1 */
    const char *relationship; /* other children only */
} child_in;

typedef struct meeting_draft {
    const char *type;
    const char *title;
    const char *purpose;
    const char *rationale;
    const char *criteria[MEETING_MAX_CRITERIA];
    int n_criteria;
    child_in children[MEETING_MAX_CHILDREN];
    int n_children;
    child_in other_children[MEETING_MAX_CHILDREN];
    int n_other_children;
    int no_other_children; /* -1 absent, 0, 1 */
    external_ref ref;
    const char *previous_meeting_id; /* a review meeting (MTG-9) */
} meeting_draft;

/* Reads a meeting request document. Shape problems are schema violations;
 * missing parts the rules require are MTG-1/MTG-5 violations. */
void meeting_draft_parse(json_t *doc, meeting_draft *d, violations *v);

/* Keys a PATCH may carry; anything else is refused as read-only/unknown. */
extern const char *const meeting_patchable_fields[];
extern const char *const meeting_read_only_fields[];

/* MTG-1, MTG-2 (criteria), MTG-3, MTG-5. today is YYYY-MM-DD (UTC). */
void meeting_check_draft(const meeting_draft *d, const char *today, violations *v);

/* MTG-2: a strategy discussion is requested from children's social care. */
void meeting_check_requester(const char *type, const char *agency_kind, violations *v);

/* MTG-4: who may authorise or decline a requested meeting: a manager or
 * senior manager of the convening agency, or, for a stop and review, its
 * designated safeguarding lead; never the requester. */
enum decide_check {
    DECIDE_OK,
    DECIDE_NOT_MANAGER,       /* 403 MTG-4: lacks a role that decides this type */
    DECIDE_OTHER_AGENCY,      /* 403 MTG-4: not of the convening agency */
    DECIDE_OWN_REQUEST,       /* 403 MTG-4: four eyes */
};
enum decide_check meeting_can_decide(const char *type, const char *convening_agency,
                                     const char *requester_sub, const caller *who);

/* MTG-11: an authorisation covers the request as it was authorised — its
 * type, purpose, rationale, criteria (in any order) and the children it is
 * about. Fills `changed` with the names of those members that differ
 * between the two drafts, in that order, and returns how many; title,
 * external reference and the other children of the household are not
 * covered. */
#define MEETING_AUTHORISED_PARTS 5
int meeting_authorised_parts_changed(const meeting_draft *before, const meeting_draft *after,
                                     const char *changed[MEETING_AUTHORISED_PARTS]);

/* MTG-8: the lifecycle. */
bool meeting_transition_allowed(const char *from, const char *to);

/* MTG-8: a held meeting closes once its approved minutes went to every
 * agency that attended or sent apologies, and to the family where the
 * sharing decision says share (FAM-5); a sharing decision must be on
 * record. */
typedef struct close_facts {
    bool approved;                    /* the latest version of the minutes is approved */
    const char *sharing;              /* FAM-5: "share", "withhold" or NULL (none) */
    const char *const *attending;     /* agency codes marked present or apologies */
    int n_attending;
    const char *const *distributed;   /* agency codes the approved version went to */
    int n_distributed;
    bool family_copy_sent;            /* a family recipient of the approved version */
} close_facts;
void close_check(const close_facts *f, violations *v);

/* MTG-8: what a meeting is open to in each status. */
extern const state_gate meeting_gate_request_edits; /* the request changes (PATCH) */
extern const state_gate meeting_gate_invitations;   /* invitations are sent */
extern const state_gate meeting_gate_answers;       /* invitations are answered */
extern const state_gate meeting_gate_papers;        /* papers are shared in advance */
extern const state_gate meeting_gate_withdrawals;   /* a family member's invitation is withdrawn */
extern const state_gate meeting_gate_rescheduling;  /* a new time, place or chair */
extern const state_gate meeting_gate_attendance;    /* attendance is marked */
extern const state_gate meeting_gate_family_notice; /* whether the family is told (FAM-1) */
extern const state_gate meeting_gate_agreements;    /* agencies agree not to tell (FAM-2) */
extern const state_gate meeting_gate_minutes_sharing; /* sharing the minutes (FAM-5) */

/* MTG-6: the chair's authority is the role the schedule relied on
 * (chair_role, as scheduled); whenever they act as chair their own token
 * must hold it. False for a role that is not known. */
bool meeting_chair_token_ok(const char *chair_role, const caller *who);

/* The convening side, who may change, cancel and plan a meeting: its
 * requester or a manager (manager or senior_manager) of the convening
 * agency. */
bool meeting_can_edit(const char *convening_agency, const char *requester_sub, const caller *who);

#endif
