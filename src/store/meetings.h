/* meetings (store): the SQL for meetings and their children. Every read is
 * filtered by SEC-2 visibility for the calling caller, so a meeting the
 * caller may not see is indistinguishable from one that does not exist. */
#ifndef MAM_STORE_MEETINGS_H
#define MAM_STORE_MEETINGS_H

#include <stdbool.h>

#include "auth/caller.h"
#include "http/req.h"

typedef struct meeting_row {
    char id[37];
    char type[32];
    char status[16];
    char convening_agency[CALLER_AGENCY_MAX + 1];
    char requester_sub[CALLER_SUB_MAX + 1];
    long version;
} meeting_row;

/* 1 when found and visible, 0 when not (or id is not a UUID), -1 on a
 * database failure. lock takes the row for update. */
int meetings_find(req *r, const char *id, bool lock, meeting_row *out);

/* The representation of a visible meeting (free()) and its version; NULL
 * with *found false when not visible, NULL with *found true on failure. */
char *meetings_read(req *r, const char *id, long *version, bool *found);

/* The meeting's representation (free()), or NULL on a database failure. */
char *meetings_render(req *r, const char *id);

/* Inserts a request (fields of a validated request document) and its
 * children; fills the new id. 0 on success, -1 on a database failure. */
int meetings_insert(req *r, json_t *doc, char id_out[37]);

/* Replaces the editable fields and the children from a validated request
 * document, bumping the version. */
int meetings_update(req *r, const char *id, json_t *doc);

#endif
