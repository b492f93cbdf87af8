/* invitations (store): the SQL for invitations, their history and papers.
 *
 * An invitation is visible to whoever may see its meeting (SEC-2) and to
 * the managers of the invited agency, who may answer for it (INV-3). */
#ifndef MAM_STORE_INVITATIONS_H
#define MAM_STORE_INVITATIONS_H

#include <stdbool.h>

#include "auth/caller.h"
#include "domain/calendar.h"
#include "domain/planning.h"
#include "store/store.h"

/* GET /v1/invitations/{id}: rendered with invitation_json; announced to its
 * meeting's agencies. */
extern const store_kind STORE_INVITATION;

typedef struct invitation_row {
    char id[37];
    char meeting_id[37];
    char category[24];
    char invitee_sub[CALLER_SUB_MAX + 1];   /* "" for family members */
    char agency[CALLER_AGENCY_MAX + 1];     /* "" for family members */
    char status[16];
    long version;
    long long invited_epoch;
} invitation_row;

/* The invitation when the caller may see it (invitation_visible). */
int invitations_find(store *s, const char *id, bool lock, invitation_row *out);

/* Inserts an invitation to meeting_id; respond_by is YYYY-MM-DD. Fills id.
 * 0, -1 on failure (DB_UNIQUE when the person is already invited). */
int invitations_insert(store *s, const char *meeting_id, const invitation_in *in,
                       const char *respond_by, bool part_two, bool short_notice, char id_out[37]);

/* FAM-2: 1 when the agency is already among the professional agencies
 * invited to the meeting, 0 when not, -1 on a failure. */
int invitations_agency_invited(store *s, const char *meeting_id, const char *agency);

/* Records an answer by the store's caller (and a delegation), with its
 * history entry. */
int invitations_answer(store *s, const invitation_row *row, const response_in *in);

/* Shares a paper with the invitee; fills the paper's id. */
int invitations_add_paper(store *s, const char *invitation_id, const char *title,
                          const char *reference, const char *shared_at, char id_out[37]);

/* Every invitation of a meeting as attendance is checked against it (id,
 * category, status); *out is malloc'd (free()). */
int invitations_roll(store *s, const char *meeting_id, roll_invitation **out, int *n);

/* FAM-9: a family member's invitation withdrawn by the store's caller, with
 * its reason, kept in its history. */
int invitations_withdraw(store *s, const char *invitation_id, const char *reason);

/* Marks attendance; 1 when the invitation belongs to the meeting, 0 when
 * not, -1 on failure. */
int invitations_mark(store *s, const char *meeting_id, const char *invitation_id,
                     const char *attendance);

/* INV-8: the response deadline of every invitation still awaiting its
 * answer that falls after `cap` (YYYY-MM-DD) is pulled in to it — a change
 * of the invitation's terms: its version is raised and the change kept in
 * its history, by the store's caller. *ids (malloc'd, free()) lists the
 * invitations moved, *n how many. */
int invitations_pull_deadlines(store *s, const char *meeting_id, const char *cap,
                               char (**ids)[37], int *n);

/* Sets an invitation's short_notice flag (INV-4), as judged against the
 * start; a judgement, not a change of the invitation: its version stays. */
int invitations_set_short_notice(store *s, const char *invitation_id, bool short_notice);

/* A page of a meeting's invitations, oldest first, after (invited_at, id). */
int invitations_of_meeting(store *s, const char *meeting_id, int limit, char *const *after,
                           store_page *out);

/* A page of the caller's own invitations, newest first, optionally of one
 * status. */
int invitations_mine(store *s, const char *status, int limit, char *const *after,
                     store_page *out);

/* Each invitation of a meeting and the day it was sent (INV-4), oldest
 * first; *out is malloc'd (free()). */
typedef struct invitation_sent {
    char id[37];
    cal_day day;
} invitation_sent;
int invitations_sent(store *s, const char *meeting_id, invitation_sent **out, int *n);

#endif
