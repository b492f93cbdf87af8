/* fixtures: fictional agencies and meetings created through the API, and a
 * view of the database to prove that refused requests changed nothing. */
#ifndef TEST_FIXTURES_H
#define TEST_FIXTURES_H

#include <jansson.h>

#include "support/client.h"
#include "support/people.h"

/* Creates a new agency of this kind through the admin API; returns its code
 * (a new string). */
char *agency_new(const char *kind);

/* A valid meeting request of the type (new reference). */
json_t *meeting_body(const char *type);

/* A new, valid NHS number of the 999 test range (kept for testing), ten
 * digits, so that no other test's child is this one. */
void nhs_number_new(char out[11]);

/* Requests a meeting as p and returns its id (new string); fails the test
 * when the service refuses. */
char *meeting_new(const person *p, const char *type);

/* Authorises it as manager; returns the new version. */
long meeting_authorise(const person *manager, const char *id, long version);

/* /v1/meetings/{id} or /v1/meetings/{id}/{command} (a static buffer, valid
 * until the next call). */
const char *meeting_path(const char *id, const char *command);

/* Runs a query with text parameters against MAM_DATABASE_URL and returns
 * the first column of the first row as a new string ("" when no row). */
char *db_value(const char *sql, int n, const char *const *params);
long db_long(const char *sql, int n, const char *const *params);
/* Runs a statement and returns its SQLSTATE ("" on success), a new string. */
char *db_try(const char *sql);

/* Everything the service stores about an agency's cases and the callers of
 * that agency, as one comparable string: counts and version sums of
 * meetings, children, audit events, feed events and the agency row, and a
 * digest of the meetings' representations (so an edit that kept the version
 * would still show).
 * Directory, calendar and policy events about other resources (every
 * agency's feed hears of each new agency, bank holiday and policy change)
 * and reminders and records due (the scheduler sends them on its own time,
 * OBL-3, RET-1) are left
 * out, so tests running in parallel do not disturb it. */
char *db_fingerprint(const char *agency);

/* Everything stored under one meeting, as one comparable string: the
 * meeting, its history of decisions and its children, invitations (with history and papers),
 * decisions (with agreements), minutes and their distribution, renditions
 * and their sending, inaccuracies pointed out, the ledger's entries about
 * it, actions the
 * meeting agreed or tracks (with history), escalations about it (with their
 * events), each digested row by row, and the audit rows and feed events
 * about any of them, counted (reminders and records due left out: the
 * scheduler sends them
 * on its own time, OBL-3). */
char *db_meeting_digest(const char *meeting_id);

#endif
