/* minutes: the record of a held meeting and the rules for it.
 *
 * The minutes are one JSON document (see openapi.yaml, MinutesContent).
 * minutes_check_shape() runs on every draft (PUT): wrong types, unknown
 * members and over-long text are schema violations. minutes_check_complete()
 * runs when the chair approves: every part MIN-2 calls essential must be
 * there, each missing one reported with its rule ID and the JSON path of
 * the part — always the same path for a part, the leaf, such as
 * actions[2].contingency or lado_referral.by (MIN-2, MIN-5, MIN-6, ACT-1,
 * FAM-6, FAM-7) —
 * judged against what the database recorded of the meeting (minutes_facts).
 * MTG-9 outcomes for a review meeting are checked with
 * minutes_check_review(). */
#ifndef MAM_MINUTES_H
#define MAM_MINUTES_H

#include <jansson.h>
#include <stdbool.h>

#include "auth/caller.h"
#include "domain/calendar.h"
#include "domain/gate.h"
#include "domain/violations.h"

#define MINUTES_MAX_ACTIONS 100
#define MINUTES_MAX_ATTENDEES 200
#define MINUTES_TEXT_MAX 20000
#define MINUTES_SHORT_MAX 2000
#define MINUTES_MAX_RISK_CATEGORIES 15 /* as many as there are categories */
#define MINUTES_MAX_CHILDREN 40        /* children discussed (MIN-6) */
#define MINUTES_MAX_INVOLVED 20        /* people involved in safety measures (MIN-6) */
#define MINUTES_MAX_SECTIONS 50        /* sections with an audience (REN-1) */

extern const char *const review_outcomes[];
/* MIN-2: how the child's views were represented. */
extern const char *const childs_views_represented[];
/* MIN-6: the categories of risk a strategy discussion records. */
extern const char *const risk_categories[];
/* REN-1: who a section of the minutes is for: everyone, the professionals
 * only, one agency, or the part the family was excluded from (part 1 of a
 * two-part meeting); and why material is withheld from anyone. */
extern const char *const minutes_section_audiences[];
extern const char *const minutes_withheld_reasons[];

/* What a meeting and its current minutes are open to (MIN-1, MIN-3, MIN-4,
 * MTG-8): the meeting's status, then the minutes' (draft or approved). */
extern const state_gate meeting_gate_minutes;    /* minutes are written once held */
extern const state_gate minutes_gate_drafting;   /* a draft is edited */
extern const state_gate minutes_gate_approval;   /* a draft is approved */
extern const state_gate minutes_gate_amendment;  /* approved minutes are amended */
extern const state_gate minutes_gate_distribution; /* approved minutes are distributed */
extern const state_gate minutes_gate_family_copy;  /* approved minutes have a family copy */

void minutes_check_shape(json_t *content, violations *v);

/* An invitation of the meeting, as the database recorded it before the
 * hold. Strings are borrowed. */
typedef struct minutes_invitation {
    const char *id;
    const char *category;   /* professional, specialist, parent_carer, child_young_person */
    const char *agency;     /* NULL for a family member */
    const char *attendance; /* present, apologies, absent; NULL when never marked */
} minutes_invitation;

/* What approval judges the minutes against, from the database. */
typedef struct minutes_facts {
    const char *meeting_type; /* a strategy_discussion adds its parts (MIN-2, FAM-7) */
    bool two_part;            /* MIN-5: part 1 and part 2 kept apart */
    int n_children;           /* MIN-6: the children the meeting is about ... */
    int n_other_children;     /* ... and the other children of the household */
    const minutes_invitation *invitations;
    int n_invitations;
} minutes_facts;

void minutes_check_complete(json_t *content, const minutes_facts *f, violations *v);

/* MTG-9: open_action_ids are the previous meeting's actions still open;
 * each needs exactly one outcome in content.previous_actions. An outcome
 * may also name an action this meeting reviewed already (an amendment of
 * approved minutes carries the outcomes again); any other is refused. */
void minutes_check_review(json_t *content, const char *const *open_action_ids, int n_open,
                          const char *const *reviewed_ids, int n_reviewed, violations *v);

/* FAM-6: whether the family was present, from the attendance recorded on
 * the invitations before the hold (never from the minutes): at least one
 * family member (parent_carer, child_young_person) was invited and every
 * family member invited was marked present (the store leaves withdrawn
 * invitations out of the facts, FAM-9). Feedback goes to each of them
 * who was not there; a child attending does not inform absent parents. */
bool minutes_family_present_from(const minutes_invitation *invitations, int n);

/* MIN-5: the copy of approved minutes that goes to the family, built from
 * an allow-list, so that a member added to the minutes later never reaches
 * the family unless it is added here: the meeting's reference, type and
 * dates; for every type but a strategy discussion the purpose, the outcome
 * (decisions, the actions' description, owner name and agency, due date,
 * the next review) and, in a two-part meeting, part 2 — never part 1 —
 * or, in a one-part meeting, the needs, strengths and risks; for a strategy
 * discussion only what it decided to share with the family (FAM-7). Never
 * the attendance, the child's views, referrals, considerations, risk
 * analysis, contingencies or anyone's subject id. A new reference. */
typedef struct family_copy_facts {
    const char *meeting_id, *reference, *type, *held_at, *approved_at;
    bool two_part;
    int number; /* the version of the minutes */
} family_copy_facts;
json_t *minutes_family_copy(json_t *content, const family_copy_facts *f);

/* MIN-5: which copy a recipient of this category receives: "family" for
 * the family, "full" for everyone else. */
const char *minutes_copy_for(const char *recipient_category);

/* ACT-4: a safeguarding referral recorded as needed becomes a tracked
 * action for whoever makes it, due `working_days` (policy) after the day the
 * meeting was held: the guidance has it made straight after the meeting,
 * not after the minutes are approved. */
bool minutes_referral_needed(json_t *content);
cal_day minutes_referral_due(cal_day held_on, int working_days, const holidays *h);

/* MIN-1: the chair or the minute taker writes the minutes. MIN-3: only the
 * chair approves. */
bool minutes_may_write(const caller *who, const char *chair_sub, const char *minute_taker_sub);
bool minutes_may_approve(const caller *who, const char *chair_sub);

/* ACT-2: the owner, the chair of the meeting tracking it, or a manager of
 * the owner's agency changes an action. */
bool action_may_change(const caller *who, const char *owner_sub, const char *owner_agency,
                       const char *chair_sub);

#endif
