/* obligations (store): what is owed, derived from the records (OBL-2,
 * sql/functions/85_obligations.sql), and the reminders due on it (OBL-3).
 *
 * An obligation is never stored. Each has its basis (the clock and the event
 * it runs from, with the policy version in effect then), who owes it, its
 * due date and when it was met; a caller sees it only through the
 * visibility of the resource it is about (SEC-2). */
#ifndef MAM_STORE_OBLIGATIONS_H
#define MAM_STORE_OBLIGATIONS_H

#include "store/store.h"

/* One obligation by its id, rendered (*json, a new string), when the caller
 * may see it: 1, 0 (absent, not visible or not a UUID: the same, SEC-2), or
 * -1 on a failure. */
int obligations_find(store *s, const char *id, char **json);

typedef struct obligation_filters {
    const char *owner_sub;    /* owed by this person, or NULL */
    const char *agency;       /* owed by this agency, or NULL */
    const char *meeting_id;   /* of this meeting, or NULL */
    const char *child_system; /* of meetings about this child (INT-1), or NULL */
    const char *child_id;
    const char *status;       /* open, overdue, met, missed, withdrawn; NULL: open and overdue */
    const char *due_before;   /* due before this day, or NULL */
} obligation_filters;

/* A page of the caller's obligations by due date then id, after the cursor's
 * (date, id); judged on the store's today. */
int obligations_list(store *s, const obligation_filters *f, int limit, char *const *after,
                     store_page *out);

/* OBL-3: sends every reminder due on the store's today and not sent yet —
 * one feed event per obligation and stage, recorded in reminders_sent in the
 * same transaction — unless another instance is sending them now (a
 * transaction-level advisory lock; *ran is then false). *sent is how many
 * were sent. Runs in the store's transaction; the caller commits. */
int reminders_send_due(store *s, bool *ran, long *sent);

/* The scheduler's run outside any request (serve.c): reminders_send_due in
 * a transaction of its own on c, as of `now`, committed. 0, or -1. */
int reminders_tick(db_conn *c, time_t now, bool *ran, long *sent);

#endif
