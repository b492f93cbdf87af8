/* invitations (store): the SQL for invitations, their history and papers.
 *
 * An invitation is visible to whoever may see its meeting (SEC-2) and to
 * the managers of the invited agency, who may answer for it (INV-3). */
#ifndef MAM_STORE_INVITATIONS_H
#define MAM_STORE_INVITATIONS_H

#include <stdbool.h>

#include "auth/caller.h"
#include "domain/planning.h"
#include "http/req.h"

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

/* 1 found and visible, 0 not (or not a UUID), -1 database failure. */
int invitations_find(req *r, const char *id, bool lock, invitation_row *out);

/* The representation (free()), or NULL on a database failure. */
char *invitations_render(req *r, const char *id);

/* Inserts an invitation to meeting_id; respond_by is YYYY-MM-DD. Fills id.
 * 0, -1 on failure (DB_UNIQUE when the person is already invited). */
int invitations_insert(req *r, const char *meeting_id, const invitation_in *in,
                       const char *respond_by, bool part_two, bool short_notice, char id_out[37]);

/* Records an answer (and a delegation), with its history entry. */
int invitations_answer(req *r, const invitation_row *row, const response_in *in);

/* Shares a paper with the invitee; fills the paper's id. */
int invitations_add_paper(req *r, const char *invitation_id, const char *title,
                          const char *reference, const char *shared_at, char id_out[37]);

/* Marks attendance; 1 when the invitation belongs to the meeting, 0 when
 * not, -1 on failure. */
int invitations_mark(req *r, const char *meeting_id, const char *invitation_id,
                     const char *attendance);

/* Sets an invitation's short_notice flag (INV-4), as judged against the start. */
int invitations_set_short_notice(req *r, const char *invitation_id, bool short_notice);

#endif
