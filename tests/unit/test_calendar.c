/* The working-days calendar (domain/calendar.c). */
#include <criterion/criterion.h>

#include "domain/calendar.h"

static cal_day day(const char *ymd)
{
    cal_day d;
    cr_assert(cal_parse(ymd, &d), "%s", ymd);
    return d;
}

/* England and Wales, Christmas 2026: Fri 25 Dec and Mon 28 Dec (substitute
 * for Boxing Day on Saturday). */
static const cal_day christmas_2026[] = {20812, 20815};

static holidays christmas(void)
{
    cr_assert_eq(christmas_2026[0], day("2026-12-25"));
    cr_assert_eq(christmas_2026[1], day("2026-12-28"));
    return (holidays){christmas_2026, 2};
}

Test(calendar, dates_round_trip)
{
    const char *dates[] = {"1970-01-01", "2000-02-29", "2024-02-29", "2026-11-23", "2099-12-31",
                           "1969-12-31"};
    for (size_t i = 0; i < sizeof dates / sizeof dates[0]; i++) {
        char out[11];
        cal_format(day(dates[i]), out);
        cr_assert_str_eq(out, dates[i]);
    }
    cal_day d;
    cr_assert_not(cal_parse("2026-02-29", &d));
    cr_assert_not(cal_parse("2026-1-1", &d));
}

Test(calendar, weekdays)
{
    cr_assert_eq(cal_weekday(day("1970-01-01")), 4, "Thursday");
    cr_assert_eq(cal_weekday(day("2026-11-23")), 1, "Monday");
    cr_assert_eq(cal_weekday(day("2026-11-29")), 7, "Sunday");
    cr_assert_eq(cal_weekday(day("1969-12-28")), 7, "a Sunday before the epoch");
}

Test(calendar, weekends_are_skipped)
{
    holidays none = {NULL, 0};
    char out[11];
    cal_format(cal_add_working_days(day("2026-11-20"), 1, &none), out); /* Fri + 1 */
    cr_assert_str_eq(out, "2026-11-23");
    cal_format(cal_add_working_days(day("2026-11-23"), 5, &none), out); /* Mon + 5 */
    cr_assert_str_eq(out, "2026-11-30");
    cal_format(cal_add_working_days(day("2026-11-28"), 1, &none), out); /* Sat + 1 */
    cr_assert_str_eq(out, "2026-11-30");
    cal_format(cal_add_working_days(day("2026-11-23"), -1, &none), out); /* Mon - 1 */
    cr_assert_str_eq(out, "2026-11-20");
    cr_assert_eq(cal_add_working_days(day("2026-11-23"), 0, &none), day("2026-11-23"));
}

Test(calendar, bank_holidays_are_skipped)
{
    holidays h = christmas();
    char out[11];
    /* Thu 24 Dec + 1 working day: Fri 25 holiday, weekend, Mon 28 holiday */
    cal_format(cal_add_working_days(day("2026-12-24"), 1, &h), out);
    cr_assert_str_eq(out, "2026-12-29");
    cal_format(cal_add_working_days(day("2026-12-29"), -1, &h), out);
    cr_assert_str_eq(out, "2026-12-24");
    cr_assert(cal_is_holiday(day("2026-12-25"), &h));
    cr_assert_not(cal_is_working_day(day("2026-12-28"), &h));
    cr_assert(cal_is_working_day(day("2026-12-24"), &h));
}

Test(calendar, working_days_between_counts_the_end_not_the_start)
{
    holidays h = christmas();
    cr_assert_eq(cal_working_days_between(day("2026-12-21"), day("2026-12-31"), &h), 6);
    cr_assert_eq(cal_working_days_between(day("2026-12-24"), day("2026-12-24"), &h), 0);
    cr_assert_eq(cal_working_days_between(day("2026-12-31"), day("2026-12-21"), &h), 0);
    /* adding then counting agrees */
    for (int n = 0; n < 30; n++) {
        cal_day from = day("2026-12-18");
        cr_assert_eq(cal_working_days_between(from, cal_add_working_days(from, n, &h), &h), n);
    }
}
