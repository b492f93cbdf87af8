/* clock: the service's one reading of "now".
 *
 * A request reads the clock once, when it starts (clock_for_request), and
 * passes that moment down: the domain rules and the store judge deadlines,
 * "today" and "after the start" from it, and SQL receives it as a
 * parameter, never calling now() for a rule. Record timestamps (created_at,
 * held_at, audit events' occurred_at) come from the database's own clock.
 *
 * Test builds (compiled with MAM_TEST_CLOCK, as `make test`'s are) let a
 * request name its own moment in the X-Test-Now header, so that tests of
 * deadlines move time instead of waiting for it. A release build has no
 * such code: it always reads the wall clock. Token expiry is judged by the
 * wall clock in every build. */
#ifndef MAM_CLOCK_H
#define MAM_CLOCK_H

#include <stdbool.h>
#include <time.h>

#define CLOCK_TEST_HEADER "X-Test-Now"

/* The wall clock, in seconds since the epoch. */
time_t clock_wall(void);

/* The moment a request runs at: the wall clock; in a test build, the
 * moment named by test_now (an RFC 3339 date-time, the X-Test-Now header's
 * value) when it is one. */
time_t clock_for_request(const char *test_now);

/* Whether this build honours X-Test-Now. */
bool clock_is_settable(void);

/* The UTC date of t, YYYY-MM-DD, and t as RFC 3339 (seconds, Z). */
void clock_date(time_t t, char out[11]);
void clock_rfc3339(time_t t, char out[21]);

/* CLOCK_MONOTONIC ms milliseconds from now, as pthread_cond_timedwait
 * wants it for a condition variable on that clock. */
void clock_monotonic_after_ms(long long ms, struct timespec *out);

#endif
