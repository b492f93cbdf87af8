/* inaccuracies (store): inaccuracies pointed out in approved minutes and the
 * chair's answers (REN-4). An answered inaccuracy never changes and none is
 * deleted: the database refuses (sql/037_inaccuracies.sql). Visible to
 * whoever may see the meeting (SEC-2). */
#ifndef MAM_STORE_INACCURACIES_H
#define MAM_STORE_INACCURACIES_H

#include <stdbool.h>

#include "domain/inaccuracy.h"
#include "store/store.h"

extern const store_kind STORE_INACCURACY;

typedef struct inaccuracy_row {
    char id[37];
    char meeting_id[37];
    int number;
    char status[16];
    long version;
} inaccuracy_row;

/* The inaccuracy if the caller may see its meeting, locked when asked:
 * 1, 0 (absent or not visible) or -1. */
int inaccuracies_find(store *s, const char *id, bool lock, inaccuracy_row *out);

/* Version n of a meeting's minutes, for an inaccuracy about it: its status
 * and the last day of its accuracy window (YYYY-MM-DD, "" while a draft).
 * 1 found, 0 no such version, -1 a failure. */
int inaccuracies_window(store *s, const char *meeting_id, int number, char status[16],
                        char closes_on[11]);

/* Whether version n of the meeting's minutes exists and is approved: 1, 0, -1. */
int inaccuracies_version_approved(store *s, const char *meeting_id, int number);

/* Records an inaccuracy raised by the caller; its id in id_out. */
int inaccuracies_insert(store *s, const char *meeting_id, int number, const inaccuracy_in *in,
                        const char *window_closes_on, char id_out[37]);

/* A page of a meeting's inaccuracies, in the order they were raised. */
int inaccuracies_list(store *s, const char *meeting_id, int limit, const char *after,
                      store_page *out);

/* Records the chair's answer (the caller). */
int inaccuracies_answer(store *s, const char *id, const inaccuracy_answer *in);

#endif
