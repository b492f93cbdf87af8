#include "domain/calendar.h"

#include <stdio.h>
#include <string.h>

#include "core/text.h"

/* Days from civil date, proleptic Gregorian (H. Hinnant's algorithm). */
cal_day cal_from_ymd(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void ymd_from_days(cal_day z, int *y, int *m, int *d)
{
    z += 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    int doe = z - era * 146097;
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp + (mp < 10 ? 3 : -9);
    *y = yoe + era * 400 + (*m <= 2);
}

bool cal_parse(const char *ymd, cal_day *out)
{
    if (!text_is_date(ymd))
        return false;
    int y, m, d;
    if (sscanf(ymd, "%4d-%2d-%2d", &y, &m, &d) != 3)
        return false;
    *out = cal_from_ymd(y, m, d);
    return true;
}

void cal_format(cal_day day, char out[11])
{
    int y, m, d;
    ymd_from_days(day, &y, &m, &d);
    /* the API's dates are four-digit years; clamp so the text always fits */
    if (y < 0)
        y = 0;
    if (y > 9999)
        y = 9999;
    snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u, (unsigned)d % 100u);
}

int cal_weekday(cal_day d)
{
    /* 1970-01-01 was a Thursday (4) */
    int w = (d % 7 + 7 + 3) % 7;
    return w + 1;
}

bool cal_is_holiday(cal_day d, const holidays *h)
{
    int lo = 0, hi = h ? h->n - 1 : -1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        if (h->days[mid] == d)
            return true;
        if (h->days[mid] < d)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return false;
}

bool cal_is_working_day(cal_day d, const holidays *h)
{
    return cal_weekday(d) <= 5 && !cal_is_holiday(d, h);
}

cal_day cal_add_working_days(cal_day from, int n, const holidays *h)
{
    int step = n >= 0 ? 1 : -1;
    int left = n >= 0 ? n : -n;
    cal_day d = from;
    while (left > 0) {
        d += step;
        if (cal_is_working_day(d, h))
            left--;
    }
    return d;
}

int cal_working_days_between(cal_day from, cal_day to, const holidays *h)
{
    int n = 0;
    for (cal_day d = from + 1; d <= to; d++)
        if (cal_is_working_day(d, h))
            n++;
    return n;
}

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

cal_day cal_add_months(cal_day from, int months)
{
    int y, m, d;
    ymd_from_days(from, &y, &m, &d);
    int index = y * 12 + (m - 1) + months; /* months since year 0 */
    int to_y = index >= 0 ? index / 12 : (index - 11) / 12;
    int to_m = index - to_y * 12 + 1;
    int last = days_in_month(to_y, to_m);
    return cal_from_ymd(to_y, to_m, d < last ? d : last);
}

cal_day cal_next_working_day(cal_day d, const holidays *h)
{
    while (!cal_is_working_day(d, h))
        d++;
    return d;
}
