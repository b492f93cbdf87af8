/* calendar_change: for the API tests that change the working-days calendar
 * (add a bank holiday and remove it again).
 *
 * A bank holiday moves every working-day result of the service (notice,
 * response deadlines, due dates, the drift window) and every agency's feed
 * hears of it. So such a test runs in the suite "working_days", which sorts
 * after the others, and calls wait_until_alone() before it changes the
 * calendar: no other test sees the calendar move or its agencies' feeds grow.
 *
 * Tests that change the calendar only where the others never look (a past
 * window, a year far ahead) may run alongside each other. Those whose
 * changes could meet (two holidays in the same days ahead) also hold the
 * calendar advisory lock exclusively (calendar_lock_exclusive), the lock the
 * planning suites hold shared, so that they run one after the other.
 *
 * Header-only (static functions), shared by test_drift.c,
 * test_bank_holidays.c, test_minutes.c and test_escalations.c. */
#ifndef TEST_API_CALENDAR_CHANGE_H
#define TEST_API_CALENDAR_CHANGE_H

#include <criterion/criterion.h>
#include <dirent.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "support/client.h"
#include "support/fixtures.h"

/* Each test's window of the calendar, years ahead: the day its clock is
 * pinned to (a Wednesday). A test looks at most a quarter of a year either
 * side of it; no other test looks so far, no two windows meet, and the
 * seeded holidays end in 2028. */
#define WINDOW_BANK_HOLIDAYS "2035-06-13" /* test_bank_holidays.c */
#define WINDOW_DRIFT "2036-06-11"         /* test_drift.c */
#define WINDOW_ESC_2 "2037-06-10"         /* test_escalations.c */
#define WINDOW_FAM_6 "2038-06-09"         /* test_minutes.c */

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

/* What a test that changes the calendar calls itself while it waits, so
 * that two of them never wait for each other. */
#define CALENDAR_CHANGER "calendar-change"

/* The calendar advisory lock (test_invitations.c, test_consent.c and
 * test_escalations.c hold it shared). */
#define CALENDAR_LOCK_KEY "7746353214520101"

/* Is this test running in a worker process of the Criterion runner? */
static inline bool in_worker(void)
{
    FILE *f = fopen("/proc/self/cmdline", "r");
    if (!f)
        return false;
    char cmdline[256];
    size_t n = fread(cmdline, 1, sizeof cmdline - 1, f);
    fclose(f);
    cmdline[n] = '\0';
    return strcmp(cmdline, "boxfort-worker") == 0;
}

/* How many other tests of this run are under way: the runner's live
 * worker processes, but for this one and those that change the calendar. */
static inline int other_tests_running(void)
{
    long runner = (long)getppid(), me = (long)getpid();
    DIR *proc = opendir("/proc");
    if (!proc)
        return 0;
    int running = 0;
    struct dirent *e;
    while ((e = readdir(proc)) != NULL) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end || pid <= 0 || pid == me)
            continue;
        char path[64], stat[512];
        snprintf(path, sizeof path, "/proc/%ld/stat", pid);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        size_t n = fread(stat, 1, sizeof stat - 1, f);
        fclose(f);
        stat[n] = '\0';
        /* "pid (comm) state ppid ...": comm may hold spaces and parentheses */
        char *open = strchr(stat, '('), *close = strrchr(stat, ')');
        char state;
        long ppid;
        if (!open || !close || sscanf(close + 1, " %c %ld", &state, &ppid) != 2 ||
            ppid != runner || state == 'Z')
            continue;
        *close = '\0';
        if (strcmp(open + 1, CALENDAR_CHANGER) != 0)
            running++;
    }
    closedir(proc);
    return running;
}

/* Waits until no other test of the run is under way (for a second on end,
 * so that a test the runner is about to start shows first), and fails the
 * test rather than change the calendar under others after 15 minutes.
 * Without a runner (--no-fork) tests run one at a time anyway. */
static inline void wait_until_alone(void)
{
    if (!in_worker())
        return;
    prctl(PR_SET_NAME, CALENDAR_CHANGER, 0, 0, 0);
    int quiet = 0;
    for (int polls = 0; quiet < 5 && polls < 15 * 60 * 5; polls++) {
        quiet = other_tests_running() > 0 ? 0 : quiet + 1;
        if (quiet < 5)
            usleep(200 * 1000);
    }
    cr_assert_geq(quiet, 5, "other tests still running after 15 minutes: the calendar is"
                            " left alone");
}

/* Holds the calendar advisory lock exclusively until calendar_unlock (or
 * the end of the process); returns the connection that holds it. */
static inline PGconn *calendar_lock_exclusive(void)
{
    PGconn *lock = PQconnectdb(getenv("MAM_DATABASE_URL"));
    cr_assert_eq(PQstatus(lock), CONNECTION_OK, "connecting: %s", PQerrorMessage(lock));
    PGresult *res = PQexec(lock, "SELECT pg_advisory_lock(" CALENDAR_LOCK_KEY ")");
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "locking: %s", PQerrorMessage(lock));
    PQclear(res);
    return lock;
}

static inline void calendar_unlock(PGconn **lock)
{
    if (*lock)
        PQfinish(*lock);
    *lock = NULL;
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

/* How many rows of the holiday a test added, `name` on `day`, are left.
 * By name as well as day: once the test has let go of the calendar lock,
 * the next test that changes the calendar may add its own holiday on the
 * same day. */
static inline long fictional_holiday_rows(const char *day, const char *name)
{
    const char *params[] = {day, name};
    return db_long("SELECT count(*) FROM bank_holidays WHERE day = $1::date AND name = $2", 2,
                   params);
}

#endif
