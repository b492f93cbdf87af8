/* minutes fixtures: a scheduled meeting taken to held, and the minutes of a
 * held meeting written as the service will approve them, for the API tests
 * that need approved minutes (test_minutes, test_actions,
 * test_review_meetings, test_bola, test_hostile).
 *
 * The builder reads the meeting and its invitations through the API, so
 * the minutes agree with what was recorded before the hold: one attendance
 * entry per invitation (naming it) with the mark it was given, the child's
 * views, the family's presence
 * and feedback as the family invitations' marks say (FAM-6), and the parts
 * the meeting's type and form ask for (part 1 and part 2 of a two-part
 * meeting, MIN-5; the strategy discussion's, MIN-2, FAM-7, and its
 * considerations, MIN-6, every child of the meeting discussed). A test that proves a rule starts
 * from these minutes and changes the one part the rule is about. */
#ifndef TEST_MINUTES_H
#define TEST_MINUTES_H

#include <jansson.h>
#include <stdbool.h>

#include "support/people.h"
#include "support/planning.h"

/* --- holding --- */

/* Invites a parent (category parent_carer) to part 2 of p's scheduled
 * two-part meeting, as the requester (INV-2); returns the invitation's id
 * (a new string). */
char *minutes_invite_parent(const planned *p, const char *name);

/* Takes p's scheduled meeting to held: every invitation of the meeting is
 * marked as `marks` says ({"<invitation id>": "present" | "apologies" |
 * "absent"}, borrowed; an invitation it does not name, or every one when
 * it is NULL, is marked present; a withdrawn one, FAM-9, is left out),
 * then the requester holds it at a moment
 * just after its start, named with the test clock (restored afterwards),
 * so no test waits for the start. Keeps p->version up to date. */
void minutes_hold(planned *p, json_t *marks);

/* --- the minutes --- */

typedef struct minutes_opts {
    const person *feedback_by; /* who feeds back to an absent family (default: the requester) */
    bool domestic_abuse;       /* strategy discussions: domestic abuse among the risks */
} minutes_opts;

/* Minutes of p's held meeting with every part approval asks for (a new
 * reference; o may be NULL). The action plan has three items, owned by the
 * police officer, the health visitor and the requester, due in 30 days. */
json_t *minutes_complete(const planned *p, const minutes_opts *o);

/* {name, agency, sub} of a person (a new reference). */
json_t *minutes_person(const person *who);

/* An action item (a new reference). */
json_t *minutes_action(const char *description, const person *owner, const char *due,
                       const char *contingency);

/* YYYY-MM-DD, `days` from the test's today (UTC). */
void minutes_date(long days, char out[11]);

/* Sets (value not NULL, stolen) or removes the member at a path such as
 * "actions[2].owner.name" or "strategy_considerations.sarc_referral"; the
 * steps before the last may index arrays, the last names a member. */
void minutes_edit(json_t *doc, const char *path, json_t *value);

/* REN-2: the chair approves the family's (parent_or_carer) rendition of
 * version `number`, which a distribution to the family sends (FAM-5);
 * fails the test if refused. Returns its id (a new string). */
char *minutes_family_rendition(const char *meeting_id, int number, const person *chair);

/* The ids of the plan actions approval made of the meeting's minutes, in
 * the order of the items (ACT-1): new strings in out[0..n-1]; fails the
 * test when an item has none. */
void minutes_plan_actions(const char *meeting_id, char **out, size_t n);

#endif
