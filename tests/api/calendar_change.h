/* calendar_change: for the API tests that add a fictional bank holiday and
 * remove it again.
 *
 * A bank holiday moves every working-day result of the service (notice,
 * response deadlines, due dates, the drift window). So each test that adds
 * one does it in a window of its own, years ahead: it pins its clock to the
 * window's day (clock_in_window), adds its holiday a few days from there and
 * asserts there. The other tests run at the real date (test_clock_pin_noon
 * at most a day on) and never count working days so far ahead; the windows
 * lie years apart, so no two of these tests meet; and the seeded holidays
 * end in 2028, so a window holds only the holiday its test adds.
 *
 * Every agency's feed still hears of each holiday added or removed: tests
 * that read feeds or fingerprint an agency leave out calendar events (see
 * db_fingerprint and test_events.c), as they leave out other tests'
 * agencies.
 *
 * Header-only (static functions), shared by test_drift.c,
 * test_bank_holidays.c, test_minutes.c and test_escalations.c. */
#ifndef TEST_API_CALENDAR_CHANGE_H
#define TEST_API_CALENDAR_CHANGE_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "support/client.h"
#include "support/fixtures.h"

/* Each test's window: the day its clock is pinned to (a Wednesday). A test
 * looks at most a quarter of a year either side of it. */
#define WINDOW_BANK_HOLIDAYS "2035-06-13" /* test_bank_holidays.c */
#define WINDOW_DRIFT "2036-06-11"         /* test_drift.c */
#define WINDOW_ESC_2 "2037-06-10"         /* test_escalations.c */
#define WINDOW_FAM_6 "2038-06-09"         /* test_minutes.c */
#define WINDOW_IMPORT "2041-06-12"        /* test_bank_holidays.c, the GOV.UK file */
#define WINDOW_IMPORT_REFUSED "2042-06-11" /* test_bank_holidays.c, a GOV.UK file refused */

/* Pins the test clock at noon (UTC) of the window's day. */
static inline void clock_in_window(const char *day)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    cr_assert_eq(sscanf(day, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday), 3,
                 "a date: %s", day);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    tm.tm_hour = 12;
    test_clock_set(timegm(&tm));
}

/* Removes a fictional bank holiday a test added (directly, as the service's
 * database role), should the test stop before removing it over the API:
 * only the row of that day that carries that name, never a real holiday. */
static inline void remove_fictional_holiday(char day[11], const char *name)
{
    if (!day[0])
        return;
    const char *params[] = {day, name};
    free(db_value("DELETE FROM bank_holidays WHERE day = $1::date AND name = $2 RETURNING 1", 2,
                  params));
    day[0] = '\0';
}

/* Removes the holiday a test added over the API (DELETE
 * /v1/bank-holidays/{day}) as admin; on success forgets it in `day`, so
 * that remove_fictional_holiday has nothing left to do. Returns the status. */
static inline long remove_holiday_over_api(const char *admin_token, char day[11])
{
    char path[64];
    snprintf(path, sizeof path, "/v1/bank-holidays/%s", day);
    http_response *r = api_call("DELETE", path, admin_token, NULL, NULL);
    long status = r->status;
    http_free(r);
    if (status == 204)
        day[0] = '\0';
    return status;
}

/* How many rows of the holiday a test added, `name` on `day`, are left. */
static inline long fictional_holiday_rows(const char *day, const char *name)
{
    const char *params[] = {day, name};
    return db_long("SELECT count(*) FROM bank_holidays WHERE day = $1::date AND name = $2", 2,
                   params);
}

#endif
