/* retention (store): retention policies per record class with their
 * history (RET-1), the case closures case-management systems report for a
 * child (the start event `case_closed`), and the records due at a day
 * of every class (records_due, sql/functions/88_retention.sql). Policies are
 * not case data: reads are not audited, changes are. */
#ifndef MAM_STORE_RETENTION_H
#define MAM_STORE_RETENTION_H

#include <stdbool.h>
#include <time.h>

#include "db/db.h"
#include "domain/retention.h"
#include "store/store.h"

/* A record class's policy in effect, by class name (GET and PUT
 * /v1/retention-policies/{record_class}); announced to every agency. */
extern const store_kind STORE_RETENTION_POLICY;

/* A case closure (POST /v1/children/{child_id}/case-closures); announced to
 * the agencies of the child's meetings. */
extern const store_kind STORE_CASE_CLOSURE;

/* RET-2, RET-3: holds and disposal decisions one at a time, a
 * transaction-level advisory lock taken before either reads what it judges
 * (a statement of its own, so that what it then reads is what committed
 * while it waited): a hold placed while a disposal is approved is either
 * seen by the approval or placed once the record is gone. 0 or -1. */
int retention_decisions_lock(store *s);

/* The version of the class's policy in effect: 1, 0 (no such class), -1. */
int retention_policy_version(store *s, const char *record_class, int *version);

/* Records the policy as the version after `after_version`, by the caller:
 * 0, or -1 (DB_UNIQUE when another change took that version first). */
int retention_policy_record(store *s, const char *record_class, int after_version,
                            const retention_policy_in *in);

/* A page of the class's versions, newest first, after the cursor's version. */
int retention_policy_history(store *s, const char *record_class, int limit, const char *after,
                             store_page *out);

/* Records the caller's report that the child's case closed; its id in id_out. */
int retention_case_closure_insert(store *s, const char *child_id, const char *closed_on,
                                  char id_out[37]);

/* GET /v1/records-due: a page of the records whose retention period has
 * passed by the store's today, oldest due first, after the cursor's (due
 * day, meeting id); held ones are marked, not left out (RET-2). */
int retention_due_list(store *s, int limit, char *const *after, store_page *out);

/* RET-1, the daily job: announces each record due by the store's today
 * and not yet announced under the policy in effect (record.due to the
 * agencies of the meeting, ids only) and records the day's run. One
 * instance at a time (a transaction-level advisory lock): *ran is false
 * when another holds it. Unless `again`, a day already run is not run
 * again (the scheduler's rule; an admin's run on demand always runs). The
 * ids announced go to ids_out (a PostgreSQL array literal, a new string,
 * NULL when it did not run). */
int retention_notices_send(store *s, bool again, bool *ran, long *noticed, char **ids_out);

/* The scheduler's run outside any request (serve.c), in its own
 * transaction, at `now`. */
int retention_tick(db_conn *c, time_t now, bool *ran, long *noticed);

#endif
