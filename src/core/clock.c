#include "core/clock.h"

#include <stdio.h>

#include "core/text.h"

time_t clock_wall(void)
{
    return time(NULL);
}

#ifdef MAM_TEST_CLOCK
time_t clock_for_request(const char *test_now)
{
    long long t;
    if (test_now && text_parse_timestamp(test_now, &t))
        return (time_t)t;
    return clock_wall();
}

bool clock_is_settable(void)
{
    return true;
}
#else
time_t clock_for_request(const char *test_now)
{
    (void)test_now;
    return clock_wall();
}

bool clock_is_settable(void)
{
    return false;
}
#endif

void clock_date(time_t t, char out[11])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

void clock_rfc3339(time_t t, char out[21])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void clock_monotonic_after_ms(long long ms, struct timespec *out)
{
    clock_gettime(CLOCK_MONOTONIC, out);
    out->tv_sec += (time_t)(ms / 1000);
    out->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (out->tv_nsec >= 1000000000L) {
        out->tv_sec++;
        out->tv_nsec -= 1000000000L;
    }
}
