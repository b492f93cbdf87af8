/* planning: the rules for taking an authorised meeting to a held one —
 * invitations and answers (INV-1 to INV-6), family-notice decisions (FAM-1
 * to FAM-4), scheduling (MTG-6, MTG-7) and holding (MTG-8) — as plain
 * functions over plain data, so tests can call them without HTTP.
 *
 * Parsers record shape problems as schema violations and missing parts as
 * rule violations; checkers add the rule violations that need the facts of
 * the meeting. Strings borrow from the JSON document parsed. */
#ifndef MAM_PLANNING_H
#define MAM_PLANNING_H

#include <jansson.h>
#include <stdbool.h>

#include "auth/caller.h"
#include "domain/calendar.h"
#include "domain/gate.h"
#include "domain/violations.h"

#define CONTACT_MAX 200
#define ROLE_TEXT_MAX 1000
#define NOTE_MAX 4000
#define VENUE_MAX 300
#define PAPER_TITLE_MAX 300
#define PAPER_REFERENCE_MAX 200

extern const char *const invitation_categories[];
extern const char *const invitation_responses[];
extern const char *const meeting_formats[];
extern const char *const chair_roles[];
extern const char *const chair_child_roles[];
extern const char *const attendance_marks[];
extern const char *const not_inform_grounds[];

/* A person named in a request: the chair, the minute taker, a delegate. */
typedef struct person_in {
    const char *sub;
    const char *name;
    const char *agency;
    const char *role;
    const char *child_role; /* the chair: the child's lead practitioner or keyworker */
    const char *contact;
} person_in;

bool invitation_is_family(const char *category);

/* --- invitations (INV-1, INV-2) --- */

typedef struct invitation_in {
    const char *category;
    person_in invitee;
    const char *role;
    const char *respond_by;
    const char *invited_by;     /* family: who invites them */
    const char *support_needs;  /* family: support to attend */
} invitation_in;

void invitation_parse(json_t *body, invitation_in *in, violations *v);

typedef struct invitation_facts {
    const char *today;                 /* YYYY-MM-DD */
    const char *start_day;             /* the meeting's start (UTC date), NULL until scheduled */
    const char *family_notice;         /* current decision: inform, not_inform or NULL */
    const char *family_notice_status;  /* effective, agreed, pending_agreement, disputed */
    bool two_part;
    bool scheduled;
} invitation_facts;

void invitation_check(const invitation_in *in, const invitation_facts *f, violations *v);

/* INV-8: the latest response deadline an invitation to a meeting that
 * starts on `start` may have — the working day before the start, or, for a
 * strategy discussion, called at the pace harm demands, the start day
 * itself — and never before today. */
cal_day invitation_deadline_cap(const char *meeting_type, cal_day today, cal_day start,
                                const holidays *h);

/* INV-8: the response deadline an invitation sent today gets by default:
 * `response_days` working days after today, and, once the meeting is
 * scheduled, no later than the cap above. */
cal_day invitation_default_deadline(const char *meeting_type, cal_day today, bool scheduled,
                                    cal_day start, int response_days, const holidays *h);

/* INV-4: sent less than `notice` working days before the start; never for
 * strategy discussions, which are called at the pace harm demands. */
bool invitation_short_notice(const char *meeting_type, cal_day invited, cal_day start,
                             int notice, const holidays *h);

/* --- answers (INV-3, INV-5) --- */

typedef struct response_in {
    const char *response;
    const char *reason;        /* declined */
    const char *contribution;  /* apologies */
    person_in delegate;        /* delegated */
    bool has_delegate;
    int technology_access_confirmed; /* -1 absent */
    const char *technology_support;  /* INV-5: the support needed to join, instead */
} response_in;

void response_parse(json_t *body, response_in *in, violations *v);

typedef struct response_facts {
    const char *category;
    const char *meeting_format;       /* NULL until scheduled */
    const char *invitee_sub;          /* who holds the invitation now */
} response_facts;

void response_check(const response_in *in, const response_facts *f, violations *v);

/* INV-3: who may answer — the invitee or a manager of their agency; for a
 * family member, the convening side answers on their behalf. */
bool response_may_answer(const caller *who, const char *category, const char *invitee_sub,
                         const char *agency, bool convening_side);

/* --- consent decisions: family notice (FAM-1 to FAM-4) and the sharing
 * of the minutes with the family (FAM-5) --- */

#define CONSENT_MAX_GROUNDS 4

typedef struct consent_in {
    const char *kind; /* family_notice (the default) or minutes_sharing */
    const char *decision;
    const char *grounds[CONSENT_MAX_GROUNDS];
    int n_grounds;
    const char *rationale;
    const char *parent_objection;
} consent_in;

bool consent_is_sharing(const consent_in *in);
void consent_parse(json_t *body, consent_in *in, violations *v);
void consent_check(const consent_in *in, violations *v);

/* Whether one of the decision's grounds is fabricated or induced illness. */
bool consent_on_fii_ground(const consent_in *in);

/* FAM-2: a decision not to inform is made by a manager or senior manager;
 * on the ground of fabricated or induced illness only by a senior manager
 * or a named doctor, as FAM-5. FAM-5: withholding the minutes for
 * fabricated or induced illness by a senior manager or a named doctor.
 * Returns the rule refused, or NULL. */
const char *consent_refused_rule(const consent_in *in, const caller *who);

/* --- scheduling (MTG-6, MTG-7) --- */

typedef struct schedule_in {
    const char *start;
    long long start_epoch;
    long duration_minutes; /* -1 absent */
    const char *format;
    const char *venue;
    person_in chair;
    person_in minute_taker;
    bool has_chair, has_minute_taker;
    int two_part;          /* -1 absent */
} schedule_in;

void schedule_parse(json_t *body, schedule_in *in, violations *v);

typedef struct schedule_facts {
    const char *meeting_type;
    long long now_epoch;
    int invited_agencies;            /* distinct professional agencies invited */
    bool invited_childrens_social_care, invited_police, invited_health;
    const char *family_notice_status; /* NULL when no decision is recorded */
    bool family_invited;             /* a family member holds an invitation */
} schedule_facts;

/* Every missing precondition, each with its rule ID, in one go. */
void schedule_check(const schedule_in *in, const schedule_facts *f, violations *v);

/* --- attendance (MTG-8, FAM-9) --- */

/* An invitation of the meeting as attendance is checked against it. */
typedef struct roll_invitation {
    char id[37];
    char category[24];
    char status[16];
} roll_invitation;

typedef struct mark_in {
    const char *invitation_id;
    const char *attendance;
} mark_in;

/* MTG-8: each mark names an invitation of this meeting that was not
 * withdrawn (entries[i].invitation_id); FAM-9: under a decision not to
 * inform the family (family_notice "not_inform"), no family member is
 * marked present (entries[i].attendance). */
void attendance_check(const mark_in *marks, int n, const roll_invitation *roll, int n_roll,
                      const char *family_notice, violations *v);

/* --- withdrawing a family member's invitation (FAM-9) --- */

/* What an invitation is open to by its own status: withdrawn ones to
 * nothing more (409 FAM-9). */
extern const state_gate invitation_gate_withdrawn;

/* FAM-9: only a family member's invitation is withdrawn (a professional
 * declines or delegates), with a reason. */
void withdrawal_check(const char *category, const char *reason, violations *v);

/* --- holding (MTG-8, MTG-7, FAM-9) --- */

typedef struct hold_facts {
    long long now_epoch;
    long long start_epoch;
    int invitations;                  /* not withdrawn */
    int unmarked;
    const char *meeting_type;
    const char *family_notice;        /* current decision, NULL when none */
    const char *family_notice_status; /* its derived status */
    const char *awaiting_agencies;    /* those whose agreement it awaits, "A, B" */
    int family_invitations;           /* family members invited, not withdrawn */
    /* MTG-7: marked present (children's social care also when it convenes) */
    bool csc_present, police_present, health_present;
} hold_facts;

void hold_check(const hold_facts *f, violations *v);

#endif
