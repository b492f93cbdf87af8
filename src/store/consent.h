/* consent (store): family-notice decisions and the invited agencies'
 * agreements (FAM-1 to FAM-4, FAM-8). Decisions are only ever added; the
 * newest of a kind is current, and its status is derived in SQL
 * (consent_status) from the agreements and the invited agencies. */
#ifndef MAM_STORE_CONSENT_H
#define MAM_STORE_CONSENT_H

#include <stdbool.h>

#include "auth/caller.h"
#include "domain/planning.h"
#include "store/store.h"

/* GET /v1/consent-decisions/{id}; announced to its meeting's agencies. */
extern const store_kind STORE_CONSENT_DECISION;

typedef struct decision_row {
    char id[37];
    char meeting_id[37];
    char decision[16];
    char status[24];
    bool current;
    long version;
} decision_row;

/* The decision when the caller may see its meeting. lock takes the
 * decision and its meeting, so that agreements and new decisions on one
 * meeting are taken one at a time. */
int consent_find(store *s, const char *id, bool lock, decision_row *out);

/* A new decision by the store's caller. */
int consent_insert(store *s, const char *meeting_id, const consent_in *in, char id_out[37]);

/* 1 recorded, 0 this agency already answered, -1 database failure. */
int consent_agree(store *s, const char *decision_id, const char *agency, bool agrees,
                  const char *comment);

/* The decision's version goes up with each agreement. */
int consent_bump(store *s, const char *decision_id);

/* The agency for which the caller speaks on this meeting: the agency of a
 * professional invitation they hold, "" when they hold none. */
int consent_speaker_agency(store *s, const char *meeting_id, char agency_out[CALLER_AGENCY_MAX + 1]);

/* FAM-5: the current decision on sharing the minutes with the family
 * ("share" or "withhold"), "" when none is recorded. 0, or -1 on a failure. */
int consent_minutes_sharing(store *s, const char *meeting_id, char decision[16]);

/* A page of a meeting's decisions, newest first, before the cursor's seq. */
int consent_list(store *s, const char *meeting_id, int limit, const char *before,
                 store_page *out);

#endif
