/* holidays (store): the bank holidays the calendar counts working days
 * with (domain/calendar.h), read from the database for each computation so
 * that every instance agrees as soon as an admin changes them. A bank
 * holiday is never edited, only added or removed: its version is always 1.
 * Changes are announced to every agency's feed. */
#ifndef MAM_STORE_HOLIDAYS_H
#define MAM_STORE_HOLIDAYS_H

#include "domain/calendar.h"
#include "store/store.h"

extern const store_kind STORE_BANK_HOLIDAY;

/* Fills h with every bank holiday (h->days is malloc'd: holidays_free).
 * 0 on success, -1 on a failure. */
int holidays_load(store *s, holidays *h);
void holidays_free(holidays *h);

/* A new bank holiday: 0, or -1 (DB_UNIQUE when the day is one already). */
int holidays_insert(store *s, const char *date, const char *name);

/* 1 removed, 0 when the day was no bank holiday, -1 on a failure. */
int holidays_delete(store *s, const char *date);

/* Loads a division of the GOV.UK file (domain/govuk_holidays.h) into the
 * calendar: within the span of its dates (the first to the last), the
 * calendar becomes the file's list — days it lacks are added, days the file
 * does not list are removed; outside the span nothing changes. The days
 * added and removed (YYYY-MM-DD) come back in *added and *removed (each a
 * malloc'd array of malloc'd strings: holidays_dates_free). 0, or -1. */
struct govuk_holiday;
int holidays_import(store *s, const struct govuk_holiday *list, int n, char ***added,
                    int *n_added, char ***removed, int *n_removed);
void holidays_dates_free(char **dates, int n);

/* The last bank holiday the calendar knows (YYYY-MM-DD into out; "" when
 * none): working days after it are counted with weekends alone. 0, or -1. */
int holidays_last(store *s, char out[11]);

/* A page of bank holidays by date within [from, to] (either may be NULL),
 * after the cursor's date. */
int holidays_list(store *s, const char *from, const char *to, int limit, const char *after,
                  store_page *out);

#endif
