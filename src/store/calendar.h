/* calendar (store): what iCalendar entries are made of (INT-6), and the
 * calendar feed tokens of each person. Visibility is the caller's (the
 * meeting or invitation is found through its own store module first);
 * a feed token is its owner's alone (calendar_token_visible). Only a
 * token's SHA-256 is stored. */
#ifndef MAM_STORE_CALENDAR_H
#define MAM_STORE_CALENDAR_H

#include <stdbool.h>

#include "auth/caller.h"
#include "domain/ical.h"
#include "store/store.h"

/* GET /v1/calendar-tokens/{id}: never the token. */
extern const store_kind STORE_CALENDAR_TOKEN;

/* A scheduled meeting's entry with every invitation as an attendee, or
 * only the invitation given (NULL: all). 1 filled, 0 the meeting has no
 * time (never scheduled), -1 failure. Free with calendar_event_free. */
int calendar_event(store *s, const char *meeting_id, const char *invitation_id, ical_event *out);
void calendar_event_free(ical_event *e);

/* The person's invitations to scheduled meetings, from 90 days ago on
 * (at most 500), one event each with that invitation as its attendee;
 * ids: their invitation ids as a PostgreSQL array literal (the audit). */
int calendar_feed(store *s, const char *owner_sub, ical_event **out, int *n, char **ids);
void calendar_feed_free(ical_event *events, int n);

/* How many live tokens the caller has. */
int calendar_tokens_live(store *s, int *count);
/* A token for the caller, stored as its SHA-256, expiring ttl_days after
 * the store's clock. */
int calendar_tokens_insert(store *s, const char *sha256_hex, const char *label, int ttl_days,
                           char id_out[37]);
int calendar_tokens_list(store *s, int limit, char *const *after, store_page *out);
/* Revokes one of the caller's tokens: 1 done, 0 none such, -1 failure. */
int calendar_tokens_revoke(store *s, const char *id);

/* A feed request: the live token with this SHA-256 is used now, at most
 * once per min_interval_s. 1 (owner filled in), 0 no such live token,
 * 2 used too recently, -1 failure. */
int calendar_tokens_use(store *s, const char *sha256_hex, int min_interval_s,
                        char owner_sub[CALLER_SUB_MAX + 1], char owner_agency[CALLER_AGENCY_MAX + 1]);

#endif
