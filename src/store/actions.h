/* actions (store): the work agreed in approved minutes (ACT-1 to ACT-3),
 * the family-feedback action (FAM-6), the safeguarding-referral action
 * (ACT-4) and the review of a previous
 * meeting's open actions (MTG-9). Every change is kept in the action's
 * history; an action keeps its id when a review carries it forward. */
#ifndef MAM_STORE_ACTIONS_H
#define MAM_STORE_ACTIONS_H

#include <jansson.h>
#include <stdbool.h>

#include "auth/caller.h"
#include "core/buf.h"
#include "store/store.h"

/* GET /v1/actions/{id}: rendered with action_json; announced to the
 * agencies of the meeting that tracks it. */
extern const store_kind STORE_ACTION;

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

/* The action when the caller may see it (action_visible). */
int actions_find(store *s, const char *id, bool lock, action_row *out);

/* Creates an action for each item of content.actions that has no
 * action_id; appends the new ids to ids (a PostgreSQL array literal body,
 * comma-separated). Returns how many, or -1. */
int actions_from_minutes(store *s, const char *meeting_id, int number, const char *content_json,
                         buf *ids);

/* How many of the action_ids content.actions names are not actions of
 * this meeting (they must all be), or -1. */
int actions_foreign_ids(store *s, const char *meeting_id, const char *content_json);

/* FAM-6: 1 when the meeting has its family-feedback action, 0 when not,
 * -1 on a failure. */
int actions_has_family_feedback(store *s, const char *meeting_id);

/* FAM-6: the feedback to the family as an action. */
int actions_family_feedback(store *s, const char *meeting_id, int number, json_t *feedback,
                            const char *due_date, char id_out[37]);

/* ACT-4: 1 when the meeting has its safeguarding-referral action, 0 when
 * not, -1 on a failure. */
int actions_has_safeguarding_referral(store *s, const char *meeting_id);

/* ACT-4: the safeguarding referral as an action for whoever makes it
 * (referral.by), saying how (referral.how). */
int actions_safeguarding_referral(store *s, const char *meeting_id, int number, json_t *referral,
                                  const char *due_date, char id_out[37]);

/* MTG-9: the previous meeting's open actions (ids, new strings). */
int actions_open_for(store *s, const char *meeting_id, char ***ids, int *n);
void actions_free_ids(char **ids, int n);

/* MTG-9: the actions this review meeting has reviewed already (ids). */
int actions_reviewed_by(store *s, const char *meeting_id, char ***ids, int *n);

/* MTG-9: applies content.previous_actions outcomes for review meeting_id to
 * the actions still waiting for them, and announces each to the review
 * meeting's agencies. */
int actions_apply_review(store *s, const char *meeting_id, const char *content_json);

/* ACT-1: completes or cancels with a note. */
int actions_close(store *s, const char *id, const char *status, const char *note);

/* Changes the due date, keeping the old one and the reason in history. */
int actions_reschedule(store *s, const char *id, const char *from, const char *to,
                       const char *reason);

/* GET /v1/actions: a page of the actions the caller can see, by due date,
 * after the cursor's (due date, id). */
typedef struct action_filters {
    const char *owner_sub;
    const char *agency;
    const char *meeting_id;
    const char *status;
    const char *overdue; /* NULL, "true" or "false" */
} action_filters;
int actions_list(store *s, const action_filters *f, int limit, char *const *after,
                 store_page *out);

#endif
