/* The bank holidays the working-days calendar counts, over real HTTP
 * against the real database: read by any caller, kept by admins, every
 * change audited (SEC-4) and announced on every agency's feed (INT-2).
 *
 * The holiday added here is fictional and falls in this file's window of
 * the calendar, years ahead (see calendar_change.h), so that no working-day
 * result another test depends on (notice, deadlines, drift) ever changes;
 * it is removed again, and a fini removes it should the test stop half
 * way. The dates the refusals name (2031) are never added. */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support/client.h"
#include "support/expect.h"
#include "support/fixtures.h"
#include "support/people.h"

#include "calendar_change.h"

/* --- helpers --- */

static void expect_str(const char *got, const char *want)
{
    cr_assert(got && strcmp(got, want) == 0, "expected '%s', got '%s'", want,
              got ? got : "(null)");
}

static http_response *list(const person *by, const char *query)
{
    char path[256];
    snprintf(path, sizeof path, "/v1/bank-holidays%s%s", query ? "?" : "", query ? query : "");
    return api_get(path, by->token);
}

/* The dates listed on one page, comma-separated (a new string). */
static char *dates_of(const http_response *r)
{
    size_t cap = 16 + 11 * json_array_size(json_object_get(r->json, "items"));
    char *out = calloc(1, cap);
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(r->json, "items"), i, item) {
        if (i)
            strcat(out, ",");
        const char *d = json_str(item, "date");
        strncat(out, d ? d : "?", 10);
    }
    return out;
}

static http_response *add(const person *by, json_t *body)
{
    return api_call("POST", "/v1/bank-holidays", by->token, body, NULL);
}

static http_response *remove_day(const person *by, const char *date)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/bank-holidays/%s", date);
    return api_call("DELETE", path, by->token, NULL, NULL);
}

static bool stored(const char *date)
{
    const char *params[] = {date};
    return db_long("SELECT count(*) FROM bank_holidays WHERE day = $1::date", 1, params) == 1;
}

static long audit_rows(const char *actor, const char *action, const char *date)
{
    const char *params[] = {actor, action, date};
    return db_long("SELECT count(*) FROM audit_events WHERE actor_sub = $1 AND action = $2"
                   " AND resource_type = 'bank_holiday' AND resource_id = $3",
                   3, params);
}

static long feed_rows(const char *agency, const char *type, const char *date)
{
    const char *params[] = {agency, type, date};
    return db_long("SELECT count(*) FROM events WHERE agency = $1 AND type = $2"
                   " AND resource_type = 'bank_holiday' AND resource_id = $3",
                   3, params);
}

/* The fictional date a test adds, removed by remove_added should the test
 * stop before it removes it itself. */
static const char *added_date;

static void remove_added(void)
{
    if (!added_date)
        return;
    const char *params[] = {added_date};
    free(db_value("DELETE FROM bank_holidays WHERE day = $1::date AND name LIKE 'Fictional%'"
                  " RETURNING 1",
                  1, params));
    added_date = NULL;
}

/* Waits for an integration of `agency` to read this event on its feed
 * (events are served once every earlier transaction has ended). */
static bool feed_shows(const person *integration, const char *type, const char *date)
{
    for (int attempt = 0; attempt < 600; attempt++) { /* 30 s */
        char *after = NULL;
        bool found = false;
        for (int pages = 0; pages < 100 && !found; pages++) {
            char path[512];
            if (after)
                snprintf(path, sizeof path, "/v1/events?limit=200&after=%s", after);
            else
                snprintf(path, sizeof path, "/v1/events?limit=200");
            http_response *r = api_get(path, integration->token);
            cr_assert_eq(r->status, 200, "%s", r->body);
            json_t *items = json_object_get(r->json, "items");
            size_t i;
            json_t *e;
            json_array_foreach(items, i, e) {
                const char *t = json_str(e, "type"), *id = json_str(e, "resource_id");
                if (t && id && strcmp(t, type) == 0 && strcmp(id, date) == 0)
                    found = true;
            }
            size_t got = json_array_size(items);
            free(after);
            const char *next = json_str(r->json, "next_cursor");
            after = next ? strdup(next) : NULL;
            http_free(r);
            if (got < 200 || !after)
                break;
        }
        free(after);
        if (found)
            return true;
        usleep(50000);
    }
    return false;
}

/* --- reading --- */

Test(bank_holidays, any_caller_lists_the_seeded_england_and_wales_holidays)
{
    char *agency = agency_new("voluntary");
    const char *roles[] = {"practitioner", "integration", "auditor", "partnership"};
    for (size_t k = 0; k < sizeof roles / sizeof roles[0]; k++) {
        person who = person_new(agency, roles[k]);
        http_response *r = list(&who, "from=2026-12-01&to=2026-12-31");
        cr_assert_eq(r->status, 200, "%s: %s", roles[k], r->body);
        char *dates = dates_of(r);
        expect_str(dates, "2026-12-25,2026-12-28");
        free(dates);
        json_t *items = json_object_get(r->json, "items");
        expect_str(json_str(json_array_get(items, 0), "name"), "Christmas Day");
        expect_str(json_str(json_array_get(items, 1), "name"), "Boxing Day (substitute day)");
        cr_assert(json_is_null(json_object_get(r->json, "next_cursor")), "%s", r->body);
        http_free(r);
        person_free(&who);
    }

    /* one day, and a range with none */
    person who = person_new(agency, "practitioner");
    http_response *r = list(&who, "from=2027-05-31&to=2027-05-31");
    cr_assert_eq(r->status, 200, "%s", r->body);
    char *dates = dates_of(r);
    expect_str(dates, "2027-05-31");
    free(dates);
    http_free(r);
    r = list(&who, "from=2026-10-01&to=2026-10-31");
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_eq(json_array_size(json_object_get(r->json, "items")), 0, "%s", r->body);
    http_free(r);

    /* SEC-1: a token is still needed */
    r = api_get("/v1/bank-holidays", NULL);
    expect_problem(r, 401, NULL);
    http_free(r);

    person_free(&who);
    free(agency);
}

Test(bank_holidays, pages_through_a_year_with_the_cursor)
{
    char *agency = agency_new("housing");
    person who = person_new(agency, "practitioner");

    http_response *whole = list(&who, "from=2027-01-01&to=2027-12-31");
    cr_assert_eq(whole->status, 200, "%s", whole->body);
    char *expected = dates_of(whole);
    expect_str(expected, "2027-01-01,2027-03-26,2027-03-29,2027-05-03,2027-05-31,2027-08-30,"
                         "2027-12-27,2027-12-28");
    http_free(whole);

    /* three a page: 3 + 3 + 2, the last page without a cursor */
    char paged[256] = "";
    char *cursor = NULL;
    static const size_t sizes[] = {3, 3, 2};
    for (int page = 0; page < 3; page++) {
        char query[200];
        if (cursor)
            snprintf(query, sizeof query, "from=2027-01-01&to=2027-12-31&limit=3&cursor=%s",
                     cursor);
        else
            snprintf(query, sizeof query, "from=2027-01-01&to=2027-12-31&limit=3");
        http_response *r = list(&who, query);
        cr_assert_eq(r->status, 200, "%s", r->body);
        cr_assert_eq(json_array_size(json_object_get(r->json, "items")), sizes[page], "%s",
                     r->body);
        char *dates = dates_of(r);
        if (page)
            strcat(paged, ",");
        strcat(paged, dates);
        free(dates);
        free(cursor);
        const char *next = json_str(r->json, "next_cursor");
        cursor = next ? strdup(next) : NULL;
        if (page < 2)
            cr_assert(cursor, "page %d has a next cursor: %s", page, r->body);
        else
            cr_assert(json_is_null(json_object_get(r->json, "next_cursor")), "%s", r->body);
        http_free(r);
    }
    expect_str(paged, expected);

    free(cursor);
    free(expected);
    person_free(&who);
    free(agency);
}

Test(bank_holidays, SEC_6_bad_from_to_limit_or_cursor_400)
{
    char *agency = agency_new("education");
    person who = person_new(agency, "practitioner");
    char *before = db_fingerprint(agency);

    static const struct {
        const char *query, *field;
    } cases[] = {
        {"from=2026-13-01", "from"},
        {"from=2026-02-30", "from"},
        {"to=31-12-2026", "to"},
        {"to=2026-12-31T00:00:00Z", "to"},
        {"from=yesterday&to=2026-12-31", "from"},
        {"limit=0", "limit"},
        {"limit=201", "limit"},
        {"cursor=not-a-cursor", "cursor"},
        {"day=2026-12-25", "day"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        http_response *r = list(&who, cases[i].query);
        expect_problem(r, 400, "/problems/invalid-request");
        cr_assert(problem_has_field(r, cases[i].field), "%s: %s", cases[i].query, r->body);
        http_free(r);
    }
    /* both at once */
    http_response *r = list(&who, "from=2026-1-1&to=2026-12-32");
    expect_problem(r, 400, "/problems/invalid-request");
    cr_assert(problem_has_field(r, "from") && problem_has_field(r, "to"), "%s", r->body);
    http_free(r);

    expect_unchanged(agency, before);
    free(before);
    person_free(&who);
    free(agency);
}

/* --- keeping the list --- */

Test(bank_holidays, SEC_4_INT_2_admin_adds_and_removes_a_bank_holiday, .fini = remove_added)
{
    clock_in_window(WINDOW_BANK_HOLIDAYS);
    char *agency = agency_new("other");
    person admin = person_new(agency, "admin");
    person integration = person_new(agency, "integration");
    person reader = person_new(agency, "practitioner");
    const char *date = "2035-06-15"; /* in the window */
    cr_assert(!stored(date), "%s is free", date);

    added_date = date;
    json_t *body = json_pack("{s:s, s:s}", "date", date, "name", "Fictional test holiday");
    http_response *r = add(&admin, body);
    json_decref(body);
    long created = r->status;
    char *location = http_header(r, "Location");
    char *shown_date = json_str(r->json, "date") ? strdup(json_str(r->json, "date")) : NULL;
    char *shown_name = json_str(r->json, "name") ? strdup(json_str(r->json, "name")) : NULL;
    char *created_body = strdup(r->body);
    http_free(r);

    r = list(&reader, "from=2035-06-01&to=2035-06-30");
    long listed_status = r->status;
    char *listed = r->status == 200 ? dates_of(r) : strdup("");
    http_free(r);

    /* the same date again */
    body = json_pack("{s:s, s:s}", "date", date, "name", "Fictional test holiday again");
    r = add(&admin, body);
    json_decref(body);
    long duplicate = r->status;
    char *duplicate_type = json_str(r->json, "type") ? strdup(json_str(r->json, "type")) : NULL;
    http_free(r);

    r = remove_day(&admin, date);
    long removed = r->status;
    size_t removed_len = r->body_len;
    http_free(r);
    remove_added();

    cr_assert_eq(created, 201, "%s", created_body);
    expect_str(location, "/v1/bank-holidays/2035-06-15");
    expect_str(shown_date, date);
    expect_str(shown_name, "Fictional test holiday");
    cr_assert_eq(listed_status, 200);
    expect_str(listed, date);
    cr_assert_eq(duplicate, 409);
    expect_str(duplicate_type, "/problems/bank-holiday-exists");
    cr_assert_eq(removed, 204);
    cr_assert_eq(removed_len, 0);
    cr_assert(!stored(date), "removed");

    r = list(&reader, "from=2035-06-01&to=2035-06-30");
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_eq(json_array_size(json_object_get(r->json, "items")), 0, "%s", r->body);
    http_free(r);

    /* audited, and announced to every agency: this one among them */
    cr_assert_eq(audit_rows(admin.who.sub, "bank_holiday.create", date), 1);
    cr_assert_eq(audit_rows(admin.who.sub, "bank_holiday.delete", date), 1);
    cr_assert_eq(feed_rows(agency, "bank_holiday.created", date), 1);
    cr_assert_eq(feed_rows(agency, "bank_holiday.removed", date), 1);
    cr_assert(feed_shows(&integration, "bank_holiday.created", date));
    cr_assert(feed_shows(&integration, "bank_holiday.removed", date));

    free(created_body);
    free(shown_name);
    free(shown_date);
    free(duplicate_type);
    free(listed);
    free(location);
    person_free(&reader);
    person_free(&integration);
    person_free(&admin);
    free(agency);
}

Test(bank_holidays, seeded_date_added_again_409_changes_nothing)
{
    char *agency = agency_new("other");
    person admin = person_new(agency, "admin");
    char *before = db_fingerprint(agency);

    json_t *body = json_pack("{s:s, s:s}", "date", "2026-12-25", "name", "Fictional Christmas");
    http_response *r = add(&admin, body);
    json_decref(body);
    expect_problem(r, 409, "/problems/bank-holiday-exists");
    http_free(r);

    expect_unchanged(agency, before);
    const char *params[] = {"2026-12-25"};
    char *name = db_value("SELECT name FROM bank_holidays WHERE day = $1::date", 1, params);
    expect_str(name, "Christmas Day");
    free(name);
    cr_assert_eq(audit_rows(admin.who.sub, "bank_holiday.create", "2026-12-25"), 0);

    free(before);
    person_free(&admin);
    free(agency);
}

Test(bank_holidays, SEC_3_non_admins_cannot_add_or_remove_403)
{
    char *agency = agency_new("childrens_social_care");
    char *before = db_fingerprint(agency);
    const char *roles[] = {"practitioner", "manager", "senior_manager", "partnership",
                           "auditor", "integration"};
    for (size_t k = 0; k < sizeof roles / sizeof roles[0]; k++) {
        person who = person_new(agency, roles[k]);
        json_t *body = json_pack("{s:s, s:s}", "date", "2031-05-06", "name",
                                 "Fictional holiday nobody may add");
        http_response *r = add(&who, body);
        json_decref(body);
        expect_problem(r, 403, "/problems/forbidden");
        http_free(r);
        r = remove_day(&who, "2026-12-25");
        expect_problem(r, 403, "/problems/forbidden");
        http_free(r);
        person_free(&who);
    }
    expect_unchanged(agency, before);
    cr_assert(!stored("2031-05-06"));
    cr_assert(stored("2026-12-25"));

    free(before);
    free(agency);
}

Test(bank_holidays, SEC_6_bad_body_400_adds_nothing)
{
    char *agency = agency_new("other");
    person admin = person_new(agency, "admin");
    char *before = db_fingerprint(agency);

    char long_name[260];
    memset(long_name, 'x', 201);
    long_name[201] = '\0';
    struct {
        json_t *body;
        const char *field;
    } cases[] = {
        {json_pack("{s:s}", "name", "Fictional holiday without a date"), "date"},
        {json_pack("{s:s}", "date", "2031-07-08"), "name"},
        {json_pack("{s:s, s:s}", "date", "2031-07-08", "name", "   "), "name"},
        {json_pack("{s:s, s:s}", "date", "08/07/2031", "name", "Fictional"), "date"},
        {json_pack("{s:s, s:s}", "date", "2031-02-29", "name", "Fictional"), "date"},
        {json_pack("{s:i, s:s}", "date", 20310708, "name", "Fictional"), "date"},
        {json_pack("{s:s, s:i}", "date", "2031-07-08", "name", 7), "name"},
        {json_pack("{s:s, s:s}", "date", "2031-07-08", "name", long_name), "name"},
        {json_pack("{s:s, s:s, s:b}", "date", "2031-07-08", "name", "Fictional", "regional", 1),
         "regional"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        http_response *r = add(&admin, cases[i].body);
        expect_problem(r, 400, "/problems/invalid-request");
        cr_assert(problem_has_field(r, cases[i].field), "case %zu: %s", i, r->body);
        http_free(r);
        json_decref(cases[i].body);
    }
    /* not JSON at all, and not an object */
    static const char *const json_type[] = {"Content-Type: application/json", NULL};
    http_response *r =
        http_call("POST", "/v1/bank-holidays", admin.token, json_type, "{\"date\":", 8);
    expect_problem(r, 400, "/problems/invalid-request");
    http_free(r);
    r = http_call("POST", "/v1/bank-holidays", admin.token, json_type, "[]", 2);
    expect_problem(r, 400, "/problems/invalid-request");
    http_free(r);

    expect_unchanged(agency, before);
    cr_assert(!stored("2031-07-08"));
    cr_assert(!stored("2031-02-28"));

    free(before);
    person_free(&admin);
    free(agency);
}

Test(bank_holidays, removing_an_absent_date_404_changes_nothing)
{
    char *agency = agency_new("other");
    person admin = person_new(agency, "admin");
    char *before = db_fingerprint(agency);

    static const char *const absent[] = {"2031-04-22", "2026-12-24", "2031-02-30", "not-a-date",
                                         "20311225"};
    for (size_t i = 0; i < sizeof absent / sizeof absent[0]; i++) {
        http_response *r = remove_day(&admin, absent[i]);
        expect_problem(r, 404, "/problems/not-found");
        http_free(r);
    }

    expect_unchanged(agency, before);
    cr_assert(stored("2026-12-25"));
    free(before);
    person_free(&admin);
    free(agency);
}

/* --- the GOV.UK bank-holidays file --- */

/* A file in the GOV.UK format whose England and Wales division lists the
 * given fictional days of the import window (a new reference); Scotland
 * lists another, which an import of England and Wales ignores. */
static json_t *govuk_file(const char *const *days)
{
    json_t *events = json_array();
    for (const char *const *d = days; *d; d++)
        json_array_append_new(events, json_pack("{s:s, s:s, s:s, s:b}", "title",
                                                "Fictional import day", "date", *d, "notes", "",
                                                "bunting", 1));
    return json_pack("{s:{s:s, s:o}, s:{s:s, s:[{s:s, s:s, s:s, s:b}]}}", "england-and-wales",
                     "division", "england-and-wales", "events", events, "scotland", "division",
                     "scotland", "events", "title", "Fictional Scottish day", "date",
                     "2041-06-19", "notes", "", "bunting", 0);
}

static http_response *import_file(const person *by, json_t *file, const char *division)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/bank-holiday-imports%s%s", division ? "?division=" : "",
             division ? division : "");
    return api_call("POST", path, by->token, file, NULL);
}

static long import_rows(void)
{
    return db_long("SELECT count(*) FROM bank_holidays WHERE day BETWEEN '2041-06-01' AND"
                   " '2041-06-30'",
                   0, NULL);
}

static void import_cleanup(void)
{
    free(db_value("DELETE FROM bank_holidays WHERE day BETWEEN '2041-06-01' AND '2041-06-30'"
                  " AND name LIKE 'Fictional %' RETURNING 1",
                  0, NULL));
}

Test(bank_holidays, calendar_loaded_from_the_govuk_file_within_its_span)
{
    clock_in_window(WINDOW_IMPORT);
    import_cleanup();
    char *agency = agency_new("childrens_social_care");
    person admin = person_new(agency, "admin");
    static const char *const first[] = {"2041-06-14", "2041-06-17", NULL};
    json_t *file = govuk_file(first);
    http_response *r = import_file(&admin, file, NULL);
    json_decref(file);
    cr_assert_eq(r->status, 200, "%s", r->body);
    expect_str(json_str(r->json, "division"), "england-and-wales");
    cr_assert_eq(json_array_size(json_object_get(r->json, "added")), 2, "%s", r->body);
    cr_assert_eq(json_array_size(json_object_get(r->json, "removed")), 0, "%s", r->body);
    http_free(r);
    cr_assert_eq(import_rows(), 2, "Scotland's day is not England's");

    /* the working days count them at once */
    r = api_get("/v1/bank-holidays/2041-06-17", admin.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);

    /* again: nothing changes; a new edition: within its span the calendar
     * becomes its list */
    file = govuk_file(first);
    r = import_file(&admin, file, "england-and-wales");
    json_decref(file);
    cr_assert_eq(json_array_size(json_object_get(r->json, "added")), 0, "%s", r->body);
    http_free(r);
    static const char *const second[] = {"2041-06-14", "2041-06-21", NULL};
    file = govuk_file(second);
    r = import_file(&admin, file, NULL);
    json_decref(file);
    cr_assert_eq(r->status, 200, "%s", r->body);
    expect_str(json_string_value(json_array_get(json_object_get(r->json, "added"), 0)),
               "2041-06-21");
    expect_str(json_string_value(json_array_get(json_object_get(r->json, "removed"), 0)),
               "2041-06-17");
    http_free(r);
    cr_assert_eq(import_rows(), 2);
    /* announced to every agency, as a single removal is (agency_new made one) */
    const char *announced[] = {"2041-06-17", agency};
    cr_assert_eq(db_long("SELECT count(*) FROM events WHERE resource_type = 'bank_holiday'"
                         " AND resource_id = $1 AND type = 'bank_holiday.removed' AND agency = $2",
                         2, announced),
                 1);
    import_cleanup();
    person_free(&admin);
    free(agency);
}

Test(bank_holidays, govuk_file_refused_whole_and_changes_nothing)
{
    clock_in_window(WINDOW_IMPORT_REFUSED);
    /* the window's own year: the import test changes 2041 meanwhile, and the
     * other calendar tests their own windows */
    char *agency = agency_new("childrens_social_care");
    person admin = person_new(agency, "admin");
    person practitioner = person_new(agency, "practitioner");
    const char *window_sql = "SELECT count(*) FROM bank_holidays"
                             " WHERE day BETWEEN '2042-01-01' AND '2042-12-31'";
    long before = db_long(window_sql, 0, NULL);
    static const char *const days[] = {"2042-06-13", NULL};

    json_t *file = govuk_file(days);
    http_response *r = import_file(&practitioner, file, NULL);
    expect_problem(r, 403, NULL);
    http_free(r);
    r = import_file(&admin, file, "wales");
    expect_problem(r, 400, NULL);
    cr_assert(problem_has_field(r, "division"), "%s", r->body);
    http_free(r);
    json_decref(file);

    /* a day that does not exist, a blank title, the same day twice: all
     * named at once */
    static const char *const bad_days[] = {"2042-02-30", "2042-06-13", "2042-06-13", NULL};
    file = govuk_file(bad_days);
    json_t *events = json_object_get(json_object_get(file, "england-and-wales"), "events");
    json_object_set_new(json_array_get(events, 1), "title", json_string("  "));
    r = import_file(&admin, file, NULL);
    json_decref(file);
    expect_problem(r, 400, NULL);
    cr_assert(problem_has_field(r, "england-and-wales.events[0].date"), "%s", r->body);
    cr_assert(problem_has_field(r, "england-and-wales.events[1].title"), "%s", r->body);
    http_free(r);
    json_t *no_division = json_pack("{s:[]}", "scotland");
    r = api_call("POST", "/v1/bank-holiday-imports", admin.token, no_division, NULL);
    json_decref(no_division);
    expect_problem(r, 400, NULL);
    http_free(r);
    cr_assert_eq(db_long(window_sql, 0, NULL), before);
    person_free(&practitioner);
    person_free(&admin);
    free(agency);
}

/* /readyz warns, still ready, when the calendar ends less than twelve months
 * ahead (working days after it would count weekends alone). */
Test(bank_holidays, readyz_warns_when_less_than_a_year_is_covered)
{
    http_response *r = api_get("/readyz", NULL);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_null(json_object_get(r->json, "warnings"), "%s", r->body);
    http_free(r);
    clock_in_window("2060-06-09");
    r = api_get("/readyz", NULL);
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *w = json_array_get(json_object_get(r->json, "warnings"), 0);
    cr_assert(w, "%s", r->body);
    expect_str(json_str(w, "code"), "bank_holidays_ending");
    cr_assert(json_str(w, "calendar_ends"), "%s", r->body);
    http_free(r);
}
