/* meetings (store): the SQL for meetings and their children. Every read is
 * filtered by SEC-2 visibility for the calling caller, so a meeting the
 * caller may not see is indistinguishable from one that does not exist. */
#ifndef MAM_STORE_MEETINGS_H
#define MAM_STORE_MEETINGS_H

#include <stdbool.h>

#include "auth/caller.h"
#include "http/req.h"

/* SQL: the ids of the meetings a caller can see (SEC-2), from meeting_access
 * (sql/006), given the parameters holding their sub, agency and whether
 * they count as a manager. One index range per principal, so a list or
 * report costs what the caller can see, not what the service holds. */
#define MEETINGS_VISIBLE_TO(sub, agency, is_manager)                                        \
    "SELECT a.meeting_id FROM meeting_access a WHERE a.principal = ANY (ARRAY['p:' || " sub \
    ", CASE WHEN " is_manager "::boolean THEN 'm:' || " agency " END])"

typedef struct meeting_row {
    char id[37];
    char type[32];
    char status[16];
    char convening_agency[CALLER_AGENCY_MAX + 1];
    char requester_sub[CALLER_SUB_MAX + 1];
    long version;
    /* set once scheduled */
    char chair_sub[CALLER_SUB_MAX + 1];
    char minute_taker_sub[CALLER_SUB_MAX + 1];
    char format[16];
    long long start_epoch; /* 0 until scheduled */
    bool two_part;
} meeting_row;

/* The convening side (requester, managers of the convening agency), who
 * plan the meeting; the chair and minute taker who run it. */
bool meeting_row_convening_side(const meeting_row *m, const caller *who);
bool meeting_row_runs_it(const meeting_row *m, const caller *who);

/* 1 when found and visible, 0 when not (or id is not a UUID), -1 on a
 * database failure. lock takes the row for update. */
int meetings_find(req *r, const char *id, bool lock, meeting_row *out);

/* The meeting without the visibility filter, for callers whose access was
 * established through something under it (an invitation they may answer). */
int meetings_load(req *r, const char *id, bool lock, meeting_row *out);

/* The representation of a visible meeting (free()) and its version; NULL
 * with *found false when not visible, NULL with *found true on failure. */
char *meetings_read(req *r, const char *id, long *version, bool *found);

/* The meeting's representation (free()), or NULL on a database failure. */
char *meetings_render(req *r, const char *id);

/* Inserts a request (fields of a validated request document) and its
 * children; fills the new id. 0 on success, -1 on a database failure. */
int meetings_insert(req *r, json_t *doc, const char *previous_meeting_id, char id_out[37]);

/* Replaces the editable fields and the children from a validated request
 * document, bumping the version. */
int meetings_update(req *r, const char *id, json_t *doc);

/* MTG-9: 1 when the previous meeting is visible and about one of the
 * children of doc, 0 when visible but about other children, -2 when not
 * visible (or not a meeting), -1 on a database failure. */
int meetings_same_child(req *r, const char *previous_id, json_t *doc);

/* Scheduling (MTG-6): sets the schedule, status scheduled, version + 1. */
struct schedule_in;
int meetings_schedule(req *r, const char *id, const struct schedule_in *in);

/* Holding (MTG-8): status held, version + 1. */
int meetings_hold(req *r, const char *id);

/* version + 1, for changes kept elsewhere (attendance). */
int meetings_bump(req *r, const char *id);

#endif
