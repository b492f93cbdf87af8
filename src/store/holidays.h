/* holidays (store): the bank holidays the calendar counts working days
 * with, read from the database for each computation so that every instance
 * agrees as soon as an admin changes them. */
#ifndef MAM_STORE_HOLIDAYS_H
#define MAM_STORE_HOLIDAYS_H

#include "db/db.h"
#include "domain/calendar.h"

/* Fills h with every bank holiday (h->days is malloc'd: holidays_free).
 * 0 on success, -1 on a database failure. */
int holidays_load(db_conn *c, holidays *h);
void holidays_free(holidays *h);

/* Today in UTC as a calendar day. */
cal_day holidays_today(void);

#endif
