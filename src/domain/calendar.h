/* calendar: working days in England and Wales — weekdays that are not bank
 * holidays. Every "N working days" in the rules (notice, drift, feedback,
 * minutes and escalation due dates) is computed here, from the bank
 * holidays held in the database (store/holidays.c loads them).
 *
 * Dates are whole days counted from 1970-01-01 (cal_day), so that date
 * arithmetic is integer arithmetic. */
#ifndef MAM_CALENDAR_H
#define MAM_CALENDAR_H

#include <stdbool.h>

typedef int cal_day;

/* Bank holidays, sorted ascending, no duplicates. */
typedef struct holidays {
    const cal_day *days;
    int n;
} holidays;

/* YYYY-MM-DD <-> cal_day. Parse refuses dates that do not exist. */
bool cal_parse(const char *ymd, cal_day *out);
void cal_format(cal_day d, char out[11]);
cal_day cal_from_ymd(int y, int m, int d);

/* 1 = Monday ... 7 = Sunday */
int cal_weekday(cal_day d);

bool cal_is_holiday(cal_day d, const holidays *h);
bool cal_is_working_day(cal_day d, const holidays *h);

/* The n-th working day after `from` (n > 0) or before it (n < 0); `from`
 * itself when n is 0. `from` need not be a working day. */
cal_day cal_add_working_days(cal_day from, int n, const holidays *h);

/* The corresponding date `months` calendar months after `from` (before it
 * when negative), or that month's last day when it has no such date
 * (31 January + 1 month = 28 or 29 February). */
cal_day cal_add_months(cal_day from, int months);

/* `d` itself when it is a working day, else the next working day. */
cal_day cal_next_working_day(cal_day d, const holidays *h);

/* Working days in (from, to]: 0 when to <= from. */
int cal_working_days_between(cal_day from, cal_day to, const holidays *h);

#endif
