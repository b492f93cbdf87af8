/* The drift report (MTG-10) over real HTTP against the real database:
 * GET /v1/reports/drifting-meetings lists the visible meetings requested
 * but not held within the policy window (DRIFT_WORKING_DAYS, 20 working
 * days counted with the bank holidays), oldest first, and audits the ids it
 * showed (SEC-4).
 *
 * Each test pins its clock (test_clock_pin_noon), so that the service's
 * "today" is the test's. The report counts from a meeting's created_at,
 * which the database's clock stamps: meetings are put where a test needs
 * them by moving created_at directly, as the service's own database role.
 * Expected dates are worked out here in SQL from the bank_holidays table,
 * independently of the service's calendar.
 *
 * The window moves when a bank holiday is added in it: the test that adds
 * one runs in a window of the calendar of its own, years ahead (see
 * calendar_change.h), where no other test looks. */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/client.h"
#include "support/expect.h"
#include "support/fixtures.h"
#include "support/people.h"
#include "support/planning.h"

#include "calendar_change.h"

#define REPORT "/v1/reports/drifting-meetings"

/* --- helpers --- */

static void expect_str(const char *got, const char *want)
{
    cr_assert(got && strcmp(got, want) == 0, "expected '%s', got '%s'", want,
              got ? got : "(null)");
}

static http_response *report(const person *by, const char *query)
{
    char path[512];
    snprintf(path, sizeof path, "%s%s%s", REPORT, query ? "?" : "", query ? query : "");
    return api_get(path, by->token);
}

/* The report as `by`, which must answer 200 with the window it used. */
static http_response *report_ok(const person *by)
{
    http_response *r = report(by, NULL);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert(json_is_array(json_object_get(r->json, "items")), "%s", r->body);
    cr_assert_eq(json_int(r->json, "window_working_days"), 20, "%s", r->body);
    cr_assert(json_str(r->json, "requested_on_or_before"), "%s", r->body);
    return r;
}

/* The position of a meeting in the report's items, or -1. */
static int position_of(const http_response *r, const char *id)
{
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(r->json, "items"), i, item) {
        const char *got = json_str(item, "id");
        if (got && strcmp(got, id) == 0)
            return (int)i;
    }
    return -1;
}

static bool listed(const http_response *r, const char *id)
{
    return position_of(r, id) >= 0;
}

/* The ids shown, comma-separated (a new string). */
static char *ids_of(const http_response *r)
{
    json_t *items = json_object_get(r->json, "items");
    char *out = calloc(1, 8 + 37 * json_array_size(items));
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item) {
        if (i)
            strcat(out, ",");
        strncat(out, json_str(item, "id") ? json_str(item, "id") : "?", 36);
    }
    return out;
}

/* Moves a meeting's request time, as the service's database role: the
 * meeting's created_at and the copy meeting_access keeps of it. */
static void backdate(const char *id, const char *timestamp)
{
    const char *params[] = {id, timestamp};
    char *one = db_value("WITH access AS (UPDATE meeting_access SET created_at = $2::timestamptz"
                         "                 WHERE meeting_id = $1)"
                         " UPDATE meetings SET created_at = $2::timestamptz WHERE id = $1"
                         " RETURNING 1",
                         2, params);
    expect_str(one, "1");
    free(one);
}

/* Backdates a meeting to noon (UTC) `days` calendar days before the test's
 * today. */
static void backdate_days(const char *id, int days)
{
    char day[11], ts[40];
    date_from_today(-days, day);
    snprintf(ts, sizeof ts, "%sT12:00:00Z", day);
    backdate(id, ts);
}

/* SQL that is true for a working day d: Monday to Friday, not a bank holiday. */
#define WORKING(d) "extract(isodow FROM " d ") < 6 AND " d "::date NOT IN (SELECT day FROM bank_holidays)"

/* The test's today (UTC), as the service sees it (a new string). */
static char *today_utc(void)
{
    char today[11];
    date_from_today(0, today);
    return strdup(today);
}

/* The first working day after `date` (a new string). */
static char *next_working_day(const char *date)
{
    const char *params[] = {date};
    return db_value("SELECT to_char(min(g.d), 'YYYY-MM-DD') FROM generate_series($1::date + 1,"
                    " $1::date + 40, interval '1 day') AS g(d) WHERE " WORKING("g.d"),
                    1, params);
}

/* The last working day before `date` (a new string). */
static char *previous_working_day(const char *date)
{
    const char *params[] = {date};
    return db_value("SELECT to_char(max(g.d), 'YYYY-MM-DD') FROM generate_series($1::date - 40,"
                    " $1::date - 1, interval '1 day') AS g(d) WHERE " WORKING("g.d"),
                    1, params);
}

/* The day 20 working days before the test's today: the last day a meeting
 * may have been requested and drift (a new string). */
static char *expected_cutoff(void)
{
    char *today = today_utc();
    const char *params[] = {today};
    char *cutoff = db_value("SELECT to_char(d, 'YYYY-MM-DD') FROM (SELECT g.d::date AS d FROM"
                            " generate_series($1::date - 80, $1::date - 1, interval '1 day')"
                            " AS g(d) WHERE " WORKING("g.d") " ORDER BY g.d DESC OFFSET 19"
                            " LIMIT 1) w",
                            1, params);
    free(today);
    return cutoff;
}

static void person_pair_free(person *a, person *b)
{
    person_free(a);
    person_free(b);
}

/* The latest drift-report audit row of this caller: its resource ids,
 * comma-separated ("" for none; "(null)" when it has no list). */
static char *audited_ids(const char *actor)
{
    const char *params[] = {actor};
    return db_value("SELECT coalesce(array_to_string(resource_ids, ','), '(null)')"
                    " FROM audit_events WHERE actor_sub = $1 AND action = 'report.drifting_meetings'"
                    " AND resource_type = 'meeting' ORDER BY id DESC LIMIT 1",
                    1, params);
}

/* Every test compares the service's "today" with its own. */
TestSuite(drift, .init = test_clock_pin_noon);

/* --- MTG-10 --- */

Test(drift, MTG_10_drifting_meetings_listed_oldest_first)
{
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    person manager = person_new(agency, "manager");
    char *oldest = meeting_new(&requester, "stop_and_review");
    char *newest = meeting_new(&requester, "professionals");
    char *middle = meeting_new(&requester, "professionals_only");
    char *recent = meeting_new(&requester, "multi_agency");
    char *authorised = meeting_new(&requester, "stop_and_review");
    meeting_authorise(&manager, authorised, 1);
    backdate_days(oldest, 60);
    backdate_days(middle, 50);
    backdate_days(authorised, 45);
    backdate_days(newest, 40);
    /* `recent` was requested today: it has not drifted */

    http_response *r = report_ok(&requester);
    char *cutoff = expected_cutoff();
    expect_str(json_str(r->json, "requested_on_or_before"), cutoff);
    char *ids = ids_of(r);
    char expected[200];
    snprintf(expected, sizeof expected, "%s,%s,%s,%s", oldest, middle, authorised, newest);
    expect_str(ids, expected);
    cr_assert(!listed(r, recent));
    cr_assert(json_is_null(json_object_get(r->json, "next_cursor")), "%s", r->body);
    json_t *first = json_array_get(json_object_get(r->json, "items"), 0);
    expect_str(json_str(first, "status"), "requested");
    json_t *third = json_array_get(json_object_get(r->json, "items"), 2);
    expect_str(json_str(third, "status"), "authorised");
    http_free(r);

    /* one a page, through the cursor, in the same order */
    char paged[200] = "";
    char *cursor = NULL;
    for (int page = 0; page < 4; page++) {
        char query[300];
        if (cursor)
            snprintf(query, sizeof query, "limit=1&cursor=%s", cursor);
        else
            snprintf(query, sizeof query, "limit=1");
        r = report(&requester, query);
        cr_assert_eq(r->status, 200, "%s", r->body);
        cr_assert_eq(json_array_size(json_object_get(r->json, "items")), 1, "%s", r->body);
        expect_str(json_str(r->json, "requested_on_or_before"), cutoff);
        char *one = ids_of(r);
        if (page)
            strcat(paged, ",");
        strcat(paged, one);
        free(one);
        free(cursor);
        const char *next = json_str(r->json, "next_cursor");
        cursor = next ? strdup(next) : NULL;
        http_free(r);
        if (page < 3)
            cr_assert(cursor, "page %d has a next cursor", page);
    }
    cr_assert_null(cursor, "the last page has no cursor");
    expect_str(paged, expected);

    free(ids);
    free(cutoff);
    free(oldest);
    free(middle);
    free(newest);
    free(recent);
    free(authorised);
    person_pair_free(&requester, &manager);
    free(agency);
}

Test(drift, MTG_10_requested_on_the_boundary_day_listed_the_working_day_after_not)
{
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    char *on_boundary = meeting_new(&requester, "stop_and_review");
    char *day_after = meeting_new(&requester, "stop_and_review");

    http_response *r = report_ok(&requester);
    char *cutoff = strdup(json_str(r->json, "requested_on_or_before"));
    http_free(r);

    /* the window: the boundary is a working day, and from it to yesterday
     * there are exactly 20 working days */
    char *expected = expected_cutoff();
    expect_str(cutoff, expected);
    free(expected);
    char *today = today_utc();
    const char *params[] = {cutoff, today};
    cr_assert_eq(db_long("SELECT count(*) FROM generate_series($1::date, $2::date - 1,"
                         " interval '1 day') AS g(d) WHERE " WORKING("g.d"),
                         2, params),
                 20);
    char *after = next_working_day(cutoff);
    cr_assert(strcmp(after, today) <= 0, "the next working day %s is not after today %s", after,
              today);

    /* the last moment of the boundary day, the first of the next working day */
    char ts[40];
    snprintf(ts, sizeof ts, "%sT23:59:59.999Z", cutoff);
    backdate(on_boundary, ts);
    snprintf(ts, sizeof ts, "%sT00:00:00Z", after);
    backdate(day_after, ts);

    r = report_ok(&requester);
    expect_str(json_str(r->json, "requested_on_or_before"), cutoff);
    cr_assert(listed(r, on_boundary), "requested on %s: drifting: %s", cutoff, r->body);
    cr_assert(!listed(r, day_after), "requested on %s: not yet: %s", after, r->body);
    cr_assert_eq(json_array_size(json_object_get(r->json, "items")), 1, "%s", r->body);
    http_free(r);

    free(after);
    free(today);
    free(cutoff);
    free(on_boundary);
    free(day_after);
    person_free(&requester);
    free(agency);
}

Test(drift, MTG_10_held_cancelled_and_declined_meetings_not_listed)
{
    /* held: scheduled a moment ahead, attended, held once started */
    planned p;
    planned_scheduled(&p, "stop_and_review", 3);
    char path[128];
    snprintf(path, sizeof path, "/v1/meetings/%s/attendance", p.meeting_id);
    json_t *body = json_pack("{s:[{s:s, s:s}, {s:s, s:s}]}", "entries", "invitation_id",
                             p.police_invitation, "attendance", "present", "invitation_id",
                             p.health_invitation, "attendance", "apologies");
    http_response *r = api_call("PUT", path, p.requester.token, body, etag_of(p.version));
    json_decref(body);
    cr_assert_eq(r->status, 200, "%s", r->body);
    p.version = json_int(r->json, "version");
    http_free(r);
    clock_past_start(p.meeting_id);
    r = api_call("POST", meeting_path(p.meeting_id, "hold"), p.manager.token, NULL,
                 etag_of(p.version));
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);

    /* declined and cancelled, and still open: requested, authorised */
    char *declined = meeting_new(&p.requester, "professionals");
    json_t *reason = json_pack("{s:s}", "reason", "A single agency can meet the need");
    r = api_call("POST", meeting_path(declined, "decline"), p.manager.token, reason, "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    char *cancelled = meeting_new(&p.requester, "professionals");
    json_object_set_new(reason, "reason", json_string("The family moved out of the area"));
    r = api_call("POST", meeting_path(cancelled, "cancel"), p.requester.token, reason, "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    json_decref(reason);
    char *requested = meeting_new(&p.requester, "professionals");
    char *authorised = meeting_new(&p.requester, "professionals");
    meeting_authorise(&p.manager, authorised, 1);

    /* scheduled, not yet held (start far ahead) */
    planned q;
    planned_scheduled(&q, "professionals", 7 * 86400L);

    backdate_days(p.meeting_id, 40);
    backdate_days(declined, 39);
    backdate_days(cancelled, 38);
    backdate_days(requested, 37);
    backdate_days(authorised, 36);
    backdate_days(q.meeting_id, 35);

    r = report_ok(&p.manager);
    cr_assert(!listed(r, p.meeting_id), "held: %s", r->body);
    cr_assert(!listed(r, declined), "declined: %s", r->body);
    cr_assert(!listed(r, cancelled), "cancelled: %s", r->body);
    cr_assert(listed(r, requested), "requested: %s", r->body);
    cr_assert(listed(r, authorised), "authorised: %s", r->body);
    cr_assert_eq(json_array_size(json_object_get(r->json, "items")), 2, "%s", r->body);
    http_free(r);
    r = report_ok(&q.requester);
    cr_assert(listed(r, q.meeting_id), "scheduled but not held: %s", r->body);
    expect_str(json_str(json_array_get(json_object_get(r->json, "items"), 0), "status"),
               "scheduled");
    http_free(r);

    free(declined);
    free(cancelled);
    free(requested);
    free(authorised);
    planned_free(&q);
    planned_free(&p);
}

Test(drift, MTG_10_SEC_2_only_visible_meetings_listed)
{
    char *agency = agency_new("childrens_social_care");
    char *other = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    person colleague = person_new(agency, "practitioner");
    person manager = person_new(agency, "manager");
    person elsewhere = person_new(other, "practitioner");
    person other_manager = person_new(other, "manager");
    char *mine = meeting_new(&requester, "stop_and_review");
    char *colleagues = meeting_new(&colleague, "stop_and_review");
    char *theirs = meeting_new(&elsewhere, "stop_and_review");
    backdate_days(mine, 45);
    backdate_days(colleagues, 44);
    backdate_days(theirs, 43);

    /* a practitioner sees their own requests */
    http_response *r = report_ok(&requester);
    cr_assert(listed(r, mine));
    cr_assert(!listed(r, colleagues), "a colleague's request is not visible: %s", r->body);
    cr_assert(!listed(r, theirs), "another agency's request is not visible: %s", r->body);
    http_free(r);

    /* a manager of the convening agency sees the agency's; never another agency's */
    r = report_ok(&manager);
    char *ids = ids_of(r);
    char expected[100];
    snprintf(expected, sizeof expected, "%s,%s", mine, colleagues);
    expect_str(ids, expected);
    free(ids);
    http_free(r);

    r = report_ok(&other_manager);
    ids = ids_of(r);
    expect_str(ids, theirs);
    free(ids);
    http_free(r);

    free(mine);
    free(colleagues);
    free(theirs);
    person_pair_free(&requester, &colleague);
    person_pair_free(&manager, &elsewhere);
    person_free(&other_manager);
    free(other);
    free(agency);
}

/* --- the window counts bank holidays --- */

/* The fictional holiday added by the next test, removed by its fini
 * (directly) should the test stop before removing it over the API. */
#define DRIFT_HOLIDAY "Fictional drift test holiday"
static char added_holiday[11];

static void remove_added_holiday(void)
{
    remove_fictional_holiday(added_holiday, DRIFT_HOLIDAY);
}

/* In this test's window of the calendar, years ahead (calendar_change.h).
 * The report counts from created_at, which the database stamps now: the
 * two meetings are moved into the window, onto the boundary days, like the
 * other tests' meetings are moved into the past. */
Test(drift, MTG_10_drift_window_counts_bank_holidays, .fini = remove_added_holiday)
{
    clock_in_window(WINDOW_DRIFT);
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    person admin = person_new(agency, "admin");
    char *on_old_boundary = meeting_new(&requester, "stop_and_review");
    char *on_new_boundary = meeting_new(&requester, "stop_and_review");

    http_response *r = report_ok(&requester);
    char *old_cutoff = strdup(json_str(r->json, "requested_on_or_before"));
    http_free(r);
    char *new_cutoff = previous_working_day(old_cutoff);
    char ts[40];
    snprintf(ts, sizeof ts, "%sT12:00:00Z", old_cutoff);
    backdate(on_old_boundary, ts);
    snprintf(ts, sizeof ts, "%sT12:00:00Z", new_cutoff);
    backdate(on_new_boundary, ts);

    /* a weekday inside the window that is not a holiday yet */
    char *today = today_utc();
    const char *params[] = {old_cutoff, today};
    char *day = db_value("SELECT to_char(max(g.d), 'YYYY-MM-DD') FROM generate_series("
                         "$1::date + 1, $2::date - 1, interval '1 day') AS g(d)"
                         " WHERE " WORKING("g.d"),
                         2, params);
    free(today);
    cr_assert(strlen(day) == 10, "a working day between %s and today", old_cutoff);

    r = report_ok(&requester);
    bool before_old = listed(r, on_old_boundary), before_new = listed(r, on_new_boundary);
    http_free(r);

    /* add the holiday, read the report, remove the holiday: then judge */
    snprintf(added_holiday, sizeof added_holiday, "%s", day);
    json_t *body = json_pack("{s:s, s:s}", "date", day, "name", DRIFT_HOLIDAY);
    r = api_call("POST", "/v1/bank-holidays", admin.token, body, NULL);
    json_decref(body);
    long added = r->status;
    http_free(r);
    r = report(&requester, NULL);
    long reported = r->status;
    char *moved_cutoff = json_str(r->json, "requested_on_or_before")
                             ? strdup(json_str(r->json, "requested_on_or_before"))
                             : strdup("(none)");
    bool during_old = listed(r, on_old_boundary), during_new = listed(r, on_new_boundary);
    long window = json_int(r->json, "window_working_days");
    http_free(r);
    long removed = remove_holiday_over_api(admin.token, added_holiday);
    remove_added_holiday();

    cr_assert_eq(added, 201, "adding the holiday %s", day);
    cr_assert_eq(removed, 204, "removing the holiday %s", day);
    cr_assert(before_old && before_new, "both drifting before the holiday");
    cr_assert_eq(reported, 200);
    cr_assert_eq(window, 20);
    expect_str(moved_cutoff, new_cutoff);
    cr_assert(!during_old, "requested on %s: inside the window once %s is a holiday",
              old_cutoff, day);
    cr_assert(during_new, "requested on %s: still drifting", new_cutoff);

    /* the holiday gone, the window is where it was */
    r = report_ok(&requester);
    expect_str(json_str(r->json, "requested_on_or_before"), old_cutoff);
    cr_assert(listed(r, on_old_boundary), "%s", r->body);
    http_free(r);

    free(moved_cutoff);
    free(day);
    free(new_cutoff);
    free(old_cutoff);
    free(on_old_boundary);
    free(on_new_boundary);
    person_pair_free(&requester, &admin);
    free(agency);
}

/* --- SEC-4, SEC-6 --- */

Test(drift, SEC_4_report_audited_with_the_ids_shown)
{
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    person newcomer = person_new(agency, "practitioner");
    char *first = meeting_new(&requester, "stop_and_review");
    char *second = meeting_new(&requester, "professionals");
    backdate_days(first, 50);
    backdate_days(second, 45);

    http_response *r = report_ok(&requester);
    char *shown = ids_of(r);
    http_free(r);
    char expected[100];
    snprintf(expected, sizeof expected, "%s,%s", first, second);
    expect_str(shown, expected);
    char *audited = audited_ids(requester.who.sub);
    expect_str(audited, shown);
    free(audited);
    const char *params[] = {requester.who.sub};
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE actor_sub = $1"
                         " AND action = 'report.drifting_meetings' AND outcome = 'success'",
                         1, params),
                 1);

    /* a page shows one: the row lists that one */
    r = report(&requester, "limit=1");
    cr_assert_eq(r->status, 200, "%s", r->body);
    audited = audited_ids(requester.who.sub);
    expect_str(audited, first);
    free(audited);
    http_free(r);

    /* nothing shown: an empty list, still audited */
    r = report_ok(&newcomer);
    cr_assert_eq(json_array_size(json_object_get(r->json, "items")), 0, "%s", r->body);
    http_free(r);
    audited = audited_ids(newcomer.who.sub);
    expect_str(audited, "");
    free(audited);

    free(shown);
    free(first);
    free(second);
    person_pair_free(&requester, &newcomer);
    free(agency);
}

Test(drift, SEC_6_bad_paging_400_changes_nothing)
{
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    char *id = meeting_new(&requester, "stop_and_review");
    backdate_days(id, 50);
    char *before = db_fingerprint(agency);

    static const struct {
        const char *query, *field;
    } cases[] = {
        {"limit=0", "limit"},
        {"limit=201", "limit"},
        {"limit=ten", "limit"},
        {"cursor=not-a-cursor", "cursor"},
        {"status=requested", "status"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        http_response *r = report(&requester, cases[i].query);
        expect_problem(r, 400, "/problems/invalid-request");
        cr_assert(problem_has_field(r, cases[i].field), "%s: %s", cases[i].query, r->body);
        http_free(r);
    }
    expect_unchanged(agency, before);

    /* SEC-1: no token, no report */
    http_response *r = api_get(REPORT, NULL);
    expect_problem(r, 401, NULL);
    http_free(r);
    expect_unchanged(agency, before);

    free(before);
    free(id);
    person_free(&requester);
    free(agency);
}
