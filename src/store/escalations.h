/* escalations (store): escalations and their timelines. Reads are
 * filtered by escalation_visible() (sql/functions/10_access.sql), so an
 * escalation the caller may not see is indistinguishable from one that
 * does not exist. */
#ifndef MAM_STORE_ESCALATIONS_H
#define MAM_STORE_ESCALATIONS_H

#include <stdbool.h>

#include "auth/caller.h"
#include "domain/escalation.h"
#include "store/store.h"

/* GET /v1/escalations/{id}: rendered with escalation_json; announced to the
 * two agencies involved. */
extern const store_kind STORE_ESCALATION;

typedef struct escalation_row {
    char id[37];
    char meeting_id[37];
    char raised_by_sub[CALLER_SUB_MAX + 1];
    char raised_by_agency[CALLER_AGENCY_MAX + 1];
    char with_agency[CALLER_AGENCY_MAX + 1];
    int stage;
    char status[16];
    long version;
} escalation_row;

int escalations_find(store *s, const char *id, bool lock, escalation_row *out);

/* Looks up what the references of a new escalation point at. The strings
 * in refs live in `storage`, owned by the caller. 0, or -1 on failure. */
typedef struct refs_storage {
    char invitation_status[16];
    char invitation_attendance[16];
    char decision_status[24];
    char declined_status[16];
    char declined_requester_sub[CALLER_SUB_MAX + 1];
    char declined_convening_agency[CALLER_AGENCY_MAX + 1];
} refs_storage;
int escalations_refs(store *st, const escalation_in *in, escalation_refs *refs, refs_storage *s);

/* Raised by the store's caller, the stage starting today. */
int escalations_insert(store *s, const escalation_in *in, int stage, const char *due,
                       char id_out[37]);
int escalations_event(store *s, const char *id, int stage, const char *kind, const char *text,
                      const char *due);
int escalations_move(store *s, const char *id, int stage, const char *due);
int escalations_close(store *s, const char *id, const char *status, const char *outcome);
int escalations_bump(store *s, const char *id);

typedef struct escalation_filters {
    const char *meeting_id;
    const char *status;
    const char *stage;
    const char *agency;
    const char *overdue; /* NULL, "true" or "false" */
} escalation_filters;

/* A page of the escalations the caller can see, newest first, before the
 * cursor's (created_at, id). */
int escalations_list(store *s, const escalation_filters *f, int limit, char *const *before,
                     store_page *out);

#endif
