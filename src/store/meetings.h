/* meetings (store): the SQL for meetings and their children. Every find is
 * filtered by SEC-2 visibility for the store's caller (meeting_visible,
 * sql/functions/10_access.sql), so a meeting the caller may not see is
 * indistinguishable from one that does not exist. */
#ifndef MAM_STORE_MEETINGS_H
#define MAM_STORE_MEETINGS_H

#include <jansson.h>
#include <stdbool.h>

#include "auth/caller.h"
#include "store/store.h"

/* GET /v1/meetings/{id}: rendered with meeting_json; announced to the
 * convening agency and every invited agency (INT-2). */
extern const store_kind STORE_MEETING;

typedef struct meeting_row {
    char id[37];
    char type[32];
    char status[16];
    char convening_agency[CALLER_AGENCY_MAX + 1];
    char requester_sub[CALLER_SUB_MAX + 1];
    long version;
    /* set once scheduled */
    char chair_sub[CALLER_SUB_MAX + 1];
    char chair_role[24]; /* MTG-6: the role the schedule relied on */
    char minute_taker_sub[CALLER_SUB_MAX + 1];
    char format[16];
    long long start_epoch; /* 0 until scheduled */
    bool two_part;
    char previous_meeting_id[37]; /* "" unless a review meeting (MTG-9) */
} meeting_row;

/* The convening side (requester, managers of the convening agency), who
 * plan the meeting; the chair and minute taker who run it. */
bool meeting_row_convening_side(const meeting_row *m, const caller *who);
bool meeting_row_runs_it(const meeting_row *m, const caller *who);

/* The meeting when the caller may see it. lock takes the row for update. */
int meetings_find(store *s, const char *id, bool lock, meeting_row *out);

/* The meeting without the visibility filter, for callers whose access was
 * established through something under it (an invitation they may answer). */
int meetings_load(store *s, const char *id, bool lock, meeting_row *out);

/* Inserts a request (fields of a validated request document) and its
 * children, requested by the store's caller; fills the new id. */
int meetings_insert(store *s, json_t *doc, const char *previous_meeting_id, char id_out[37]);

/* Replaces the editable fields and the children from a validated request
 * document, raising the version. */
int meetings_update(store *s, const char *id, json_t *doc);

/* MTG-9: 1 when the previous meeting is visible and about one of the
 * children of doc, 0 when visible but about other children, -2 when not
 * visible (or not a meeting), -1 on a failure. */
int meetings_same_child(store *s, const char *previous_id, json_t *doc);

/* MTG-4: authorised or declined (with its reason) by the store's caller;
 * the decision is kept in the meeting's history of decisions (MTG-11). */
int meetings_decide(store *s, const char *id, const char *status, const char *reason);

/* MTG-11: the request changed after it was authorised: back to requested,
 * its decision superseded in the history (by the store's caller) and no
 * longer current. The version is raised by the change itself. */
int meetings_reopen(store *s, const char *id);

/* MTG-8: cancelled with its reason by the store's caller. */
int meetings_cancel(store *s, const char *id, const char *reason);

/* MTG-6: the schedule; status scheduled. */
struct schedule_in;
int meetings_schedule(store *s, const char *id, const struct schedule_in *in);

/* MTG-8: held by the store's caller. */
int meetings_hold(store *s, const char *id);

/* MTG-8: closed by the store's caller. */
int meetings_close(store *s, const char *id);

/* MTG-8, FAM-5: what closing needs to know, in one query: whether the
 * latest minutes are approved, the current sharing decision, the agencies
 * whose invitations are marked present or apologies, and those (and the
 * family) that the approved version was recorded as sent to. The strings
 * of `out` live in `storage`. 0, or -1 on a failure. */
#define CLOSE_MAX_AGENCIES 64
typedef struct close_storage {
    char sharing[16];
    char agencies[2][CLOSE_MAX_AGENCIES][CALLER_AGENCY_MAX + 1];
    const char *attending[CLOSE_MAX_AGENCIES];
    const char *distributed[CLOSE_MAX_AGENCIES];
} close_storage;
struct close_facts;
int meetings_close_facts(store *s, const char *id, struct close_facts *out,
                         close_storage *storage);

/* MTG-12: the meeting follows the next review date of its minutes' version
 * `number`, just approved (NULL when they give a reason for none). */
int meetings_set_next_review(store *s, const char *id, int number);

/* Raises the version, for changes kept elsewhere (attendance). */
int meetings_bump(store *s, const char *id);

/* GET /v1/meetings: a page of the meetings the caller can see, newest
 * first, after the cursor's (created_at, id), as stored (sql/050), and its
 * audit row under audit_action: one statement, outside any transaction
 * (frame_begin's FRAME_READ_ONE). */
typedef struct meeting_filters {
    const char *status, *type, *convening_agency, *reference;
    const char *ext_system, *ext_id;     /* INT-1: the meeting's reference */
    const char *child_system, *child_id; /* INT-1: a child's reference */
} meeting_filters;
int meetings_list(store *s, const meeting_filters *f, int limit, char *const *after,
                  const char *audit_action, store_page *out);

/* Housekeeping (serve.c): renders again, at most `batch`, the stored
 * renderings a due date they embed has passed by the database's day, so
 * that reads serve them stored again; how many, or -1. */
int meetings_renew_renderings(db_conn *c, int batch);

#endif
