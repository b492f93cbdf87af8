/* The request clock (src/core/clock.h): test builds take the moment a
 * request names in X-Test-Now; anything that is not an RFC 3339 date-time
 * leaves the wall clock. (make test checks that a release build has no
 * such code.) */
#include <criterion/criterion.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"

Test(clock, test_builds_are_settable)
{
    cr_assert(clock_is_settable());
}

Test(clock, a_named_moment_is_the_requests_now)
{
    cr_assert_eq(clock_for_request("2031-02-03T04:05:06Z"), (time_t)1927857906);
    cr_assert_eq(clock_for_request("2031-02-03T05:05:06+01:00"), (time_t)1927857906);
}

Test(clock, anything_else_is_the_wall_clock)
{
    const char *not_moments[] = {NULL, "", "tomorrow", "2031-02-30T00:00:00Z", "2031-02-03",
                                 "2031-02-03T04:05:06", "1927857906"};
    for (size_t i = 0; i < sizeof not_moments / sizeof not_moments[0]; i++) {
        time_t before = time(NULL);
        time_t t = clock_for_request(not_moments[i]);
        cr_assert(t >= before && t <= time(NULL) + 1, "'%s' set the clock",
                  not_moments[i] ? not_moments[i] : "(null)");
    }
}

Test(clock, dates_and_times_are_utc)
{
    char date[11], stamp[21];
    clock_date((time_t)1927857906, date);
    clock_rfc3339((time_t)1927857906, stamp);
    cr_assert_str_eq(date, "2031-02-03");
    cr_assert_str_eq(stamp, "2031-02-03T04:05:06Z");
    clock_date((time_t)1927843199, date); /* one second before midnight */
    cr_assert_str_eq(date, "2031-02-02");
}
