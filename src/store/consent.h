/* consent (store): family-notice decisions and the invited agencies'
 * agreements (FAM-1 to FAM-4, FAM-8). Decisions are only ever added; the
 * newest of a kind is current, and its status is derived in SQL
 * (consent_status) from the agreements and the invited agencies. */
#ifndef MAM_STORE_CONSENT_H
#define MAM_STORE_CONSENT_H

#include <stdbool.h>

#include "auth/caller.h"
#include "domain/planning.h"
#include "http/req.h"

typedef struct decision_row {
    char id[37];
    char meeting_id[37];
    char decision[16];
    char status[24];
    bool current;
    long version;
} decision_row;

/* 1 found (and its meeting visible), 0 not, -1 database failure. */
int consent_find(req *r, const char *id, bool lock, decision_row *out);

char *consent_render(req *r, const char *id);

int consent_insert(req *r, const char *meeting_id, const consent_in *in, char id_out[37]);

/* 1 recorded, 0 this agency already answered, -1 database failure. */
int consent_agree(req *r, const char *decision_id, const char *agency, bool agrees,
                  const char *comment);

/* The decision's version goes up with each agreement. */
int consent_bump(req *r, const char *decision_id);

/* The agency for which the caller speaks on this meeting: the agency of a
 * professional invitation they hold, "" when they hold none. */
int consent_speaker_agency(req *r, const char *meeting_id, char agency_out[CALLER_AGENCY_MAX + 1]);

#endif
