/* actions (store): the work agreed in approved minutes (ACT-1 to ACT-3),
 * the family-feedback action (FAM-6) and the review of a previous
 * meeting's open actions (MTG-9). Every change is kept in the action's
 * history; an action keeps its id when a review carries it forward. */
#ifndef MAM_STORE_ACTIONS_H
#define MAM_STORE_ACTIONS_H

#include <jansson.h>
#include <stdbool.h>

#include "auth/caller.h"
#include "core/buf.h"
#include "http/req.h"

typedef struct action_row {
    char id[37];
    char meeting_id[37];
    char current_meeting_id[37];
    char owner_sub[CALLER_SUB_MAX + 1];
    char owner_agency[CALLER_AGENCY_MAX + 1];
    char status[16];
    char due_date[11];
    char chair_sub[CALLER_SUB_MAX + 1]; /* of the meeting tracking it */
    long version;
} action_row;

/* 1 found and visible, 0 not, -1 database failure. */
int actions_find(req *r, const char *id, bool lock, action_row *out);
char *actions_render(req *r, const char *id);

/* Creates an action for each item of content.actions that has no
 * action_id; appends the new ids to ids (a PostgreSQL array literal body,
 * comma-separated). Returns how many, or -1. */
int actions_from_minutes(req *r, const char *meeting_id, int number, const char *content_json,
                         buf *ids);

/* How many of the action_ids content.actions names are not actions of
 * this meeting (they must all be), or -1. */
int actions_foreign_ids(req *r, const char *meeting_id, const char *content_json);

/* FAM-6: the feedback to the family as an action. */
int actions_family_feedback(req *r, const char *meeting_id, int number, json_t *feedback,
                            const char *due_date, char id_out[37]);

/* MTG-9: the previous meeting's open actions (ids, new strings). */
int actions_open_for(req *r, const char *meeting_id, char ***ids, int *n);
void actions_free_ids(char **ids, int n);

/* MTG-9: the actions this review meeting has reviewed already (ids). */
int actions_reviewed_by(req *r, const char *meeting_id, char ***ids, int *n);

/* MTG-9: applies content.previous_actions outcomes for review meeting_id to
 * the actions still waiting for them. Returns the rows (action id, change,
 * new version) for the caller to announce and PQclear, or NULL on failure. */
PGresult *actions_apply_review(req *r, const char *meeting_id, const char *content_json);

/* ACT-1: completes or cancels with a note. */
int actions_close(req *r, const char *id, const char *status, const char *note);

/* Changes the due date, keeping the old one and the reason in history. */
int actions_reschedule(req *r, const char *id, const char *from, const char *to,
                       const char *reason);

/* In the same order as the list filters of GET /v1/actions. */
typedef struct action_filters {
    const char *owner_sub;
    const char *agency;
    const char *meeting_id;
    const char *status;
    const char *overdue; /* NULL, "true" or "false" */
    const char *after_due;  /* cursor: due date and id of the last shown */
    const char *after_id;
    int limit;
} action_filters;

PGresult *actions_list(req *r, const action_filters *f);

#endif
