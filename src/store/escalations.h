/* escalations (store): escalations and their timelines. Reads are
 * filtered by escalation_visible() (sql/005), so an escalation the caller
 * may not see is indistinguishable from one that does not exist. */
#ifndef MAM_STORE_ESCALATIONS_H
#define MAM_STORE_ESCALATIONS_H

#include <stdbool.h>

#include "auth/caller.h"
#include "domain/escalation.h"
#include "http/req.h"

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

int escalations_find(req *r, const char *id, bool lock, escalation_row *out);
char *escalations_render(req *r, const char *id);

/* Looks up what the references of a new escalation point at. The strings
 * in refs live in `storage`, owned by the caller. 0, or -1 on failure. */
typedef struct refs_storage {
    char invitation_status[16];
    char decision_status[24];
    char declined_status[16];
} refs_storage;
int escalations_refs(req *r, const escalation_in *in, escalation_refs *refs, refs_storage *s);

/* 1 when the agency is active in the directory, 0 when not, -1 failure. */
int escalations_agency_active(req *r, const char *code);

int escalations_insert(req *r, const escalation_in *in, int stage, const char *due,
                       char id_out[37]);
int escalations_event(req *r, const char *id, int stage, const char *kind, const char *text,
                      const char *due);
int escalations_move(req *r, const char *id, int stage, const char *due);
int escalations_close(req *r, const char *id, const char *status, const char *outcome);
int escalations_bump(req *r, const char *id);

typedef struct escalation_filters {
    const char *meeting_id;
    const char *status;
    const char *stage;
    const char *agency;
    const char *overdue; /* NULL, "true" or "false" */
    const char *before_created; /* cursor */
    const char *before_id;
    int limit;
} escalation_filters;

PGresult *escalations_list(req *r, const escalation_filters *f);

#endif
