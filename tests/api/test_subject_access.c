/* Subject access requests (SAR-1, SAR-2) over real HTTP against the real
 * database: registered by the dpo, due by the ICO rule on the working-day
 * calendar (the seeded England and Wales bank holidays), extended once
 * before the first due date, the records touching a child gathered across
 * meetings with their provenance, decided item by item, and exported with
 * the redaction log; invisible to everyone else. Time moves by the test
 * clock. Every person, child and NHS number is fictitious (the 999 range
 * kept for testing). */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "held_meeting.h"
#include "sar_fixture.h"
#include "support/client.h"
#include "support/expect.h"
#include "support/fixtures.h"
#include "support/people.h"
#include "support/planning.h"

/* --- refusals change nothing --- */

/* One string for everything stored about the request: its row, its items
 * with their decisions, and its audit rows. */
static char *sar_state(const char *id)
{
    const char *params[] = {id};
    return db_value(
        "SELECT coalesce((SELECT row_to_json(r)::text FROM subject_access_requests r"
        "                  WHERE r.id::text = $1), '-')"
        "    || ' | ' || coalesce((SELECT string_agg(row_to_json(x)::text, ',' ORDER BY x.item_no)"
        "                            FROM subject_access_items x WHERE x.request_id::text = $1), '')"
        "    || ' | ' || (SELECT count(*) FROM audit_events WHERE resource_id = $1)",
        1, params);
}

static void expect_same(const char *id, const char *before, const char *what)
{
    char *after = sar_state(id);
    cr_assert_str_eq(after, before, "%s changed the request:\n%s\n->\n%s", what, before, after);
    free(after);
}

static long requests_by(const person *dpo)
{
    const char *params[] = {dpo->who.sub};
    return db_long("SELECT (SELECT count(*) FROM subject_access_requests"
                   "         WHERE registered_by_sub = $1)"
                   "     + (SELECT count(*) FROM audit_events WHERE actor_sub = $1)",
                   1, params);
}

static long audit_rows(const char *id, const char *action)
{
    const char *params[] = {id, action};
    return db_long("SELECT count(*) FROM audit_events WHERE resource_id = $1 AND action = $2"
                   "   AND resource_type = 'subject_access_request'",
                   2, params);
}

static void clock_at(const char *rfc3339)
{
    struct tm tm = {0};
    cr_assert(strptime(rfc3339, "%Y-%m-%dT%H:%M:%SZ", &tm), "%s", rfc3339);
    test_clock_set(timegm(&tm));
}

/* --- SAR-1: the due date --- */

Test(subject_access, SAR_1_due_date_by_the_ico_rule_on_edge_dates)
{
    clock_at("2026-12-06T12:00:00Z");
    char *agency = agency_new("childrens_social_care");
    person dpo = person_new(agency, "dpo");
    /* the edge dates rely on the seeded calendar's summer bank holiday */
    http_response *r = api_get("/v1/bank-holidays/2026-08-31", dpo.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    struct {
        const char *received, *due, *why;
    } cases[] = {
        {"2026-01-31", "2026-03-02", "no 31 February: the 28th, a Saturday, so Monday"},
        {"2024-01-31", "2024-02-29", "a leap year's last day of February, a Thursday"},
        {"2026-07-31", "2026-09-01", "31 August, the month's last day, is a bank holiday"},
        {"2026-04-30", "2026-06-01", "30 May is a Saturday"},
        {"2026-11-25", "2026-12-29", "Christmas, the weekend and Boxing Day's substitute"},
        {"2026-10-06", "2026-11-06", "the corresponding date, a Friday"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        r = sar_register(&dpo, sar_child_body("upn:A123456789012", cases[i].received));
        cr_assert_eq(r->status, 201, "%s", r->body);
        cr_assert_str_eq(json_str(r->json, "first_due_on"), cases[i].due, "%s: %s",
                         cases[i].received, cases[i].why);
        cr_assert_str_eq(json_str(r->json, "due_on"), cases[i].due);
        cr_assert_str_eq(json_str(r->json, "received_on"), cases[i].received);
        char *location = http_header(r, "Location");
        char expected[96];
        snprintf(expected, sizeof expected, "/v1/subject-access-requests/%s",
                 json_str(r->json, "id"));
        cr_assert_str_eq(location, expected);
        free(location);
        cr_assert_eq(audit_rows(json_str(r->json, "id"), "subject_access_request.create"), 1);
        http_free(r);
    }
    person_free(&dpo);
    free(agency);
}

Test(subject_access, SAR_1_registration_refused_with_every_rule_and_nothing_stored)
{
    clock_at("2026-12-06T12:00:00Z");
    char *agency = agency_new("childrens_social_care");
    person dpo = person_new(agency, "dpo");
    long before = requests_by(&dpo);

    json_t *body = sar_child_body("nhs_number:9990000018", "2026-12-07");
    json_object_set_new(json_object_get(body, "subject"), "name", json_string("Also a name"));
    json_object_set_new(json_object_get(body, "requester"), "relation", json_string("cousin"));
    json_object_set_new(body, "identity_verified_on", json_string("2026-12-01"));
    http_response *r = sar_register(&dpo, body);
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert(problem_has_rule(r, "SAR-1", "received_on"), "%s", r->body);
    cr_assert(problem_has_rule(r, "SAR-1", "subject"), "%s", r->body);
    cr_assert(problem_has_rule(r, "SAR-1", "requester.relation"), "%s", r->body);
    cr_assert(problem_has_rule(r, "SAR-1", "identity_verified_on"), "%s", r->body);
    http_free(r);

    r = sar_register(&dpo, sar_child_body("nhs_number:1234567890", "2026-12-01"));
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert(problem_has_rule(r, "SAR-1", "subject.child_ref"), "a failed check digit: %s",
              r->body);
    http_free(r);

    const char *shapes[] = {"due_on", "status", "version", "registered_by"};
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        body = sar_child_body("nhs_number:9990000018", "2026-12-01");
        json_object_set_new(body, shapes[i], json_string("2026-12-31"));
        r = sar_register(&dpo, body);
        expect_problem(r, 400, "/problems/invalid-request");
        cr_assert(problem_has_field(r, shapes[i]), "%s", r->body);
        http_free(r);
    }
    body = sar_child_body("nhs_number:9990000018", "2026-02-30");
    r = sar_register(&dpo, body);
    expect_problem(r, 400, "/problems/invalid-request");
    cr_assert(problem_has_field(r, "received_on"), "%s", r->body);
    http_free(r);

    cr_assert_eq(requests_by(&dpo), before, "nothing stored, nothing audited");
    person_free(&dpo);
    free(agency);
}

/* --- SAR-2: nobody but the dpo --- */

Test(subject_access, SAR_2_only_the_dpo_sees_subject_access_requests)
{
    clock_at("2026-12-06T12:00:00Z");
    char *agency = agency_new("childrens_social_care");
    person dpo = person_new(agency, "dpo");
    http_response *r = sar_register(&dpo, sar_child_body("testcms:SAR-HIDDEN", "2026-12-01"));
    cr_assert_eq(r->status, 201, "%s", r->body);
    char *id = strdup(json_str(r->json, "id"));
    http_free(r);
    char *before = sar_state(id);
    const char *roles[] = {"practitioner", "manager", "senior_manager", "admin",
                           "auditor",      "partnership", "integration",
                           "practitioner,manager,senior_manager,admin,auditor,partnership"};
    char path[128], items[160], export_path[160];
    snprintf(path, sizeof path, "/v1/subject-access-requests/%s", id);
    snprintf(items, sizeof items, "%s/items", path);
    snprintf(export_path, sizeof export_path, "%s/export", path);
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
        person other = person_new(agency, roles[i]);
        long own = requests_by(&other);
        const char *gets[] = {path, items, export_path, "/v1/subject-access-requests",
                              "/v1/subject-access-requests?overdue=true"};
        for (size_t k = 0; k < sizeof gets / sizeof gets[0]; k++) {
            r = api_get(gets[k], other.token);
            expect_problem(r, 404, "/problems/not-found");
            cr_assert_null(strstr(r->body, "SAR-HIDDEN"));
            http_free(r);
        }
        r = sar_register(&other, sar_child_body("testcms:SAR-OTHER", "2026-12-01"));
        expect_problem(r, 404, "/problems/not-found");
        http_free(r);
        cr_assert_eq(requests_by(&other), own, "%s: nothing stored or audited", roles[i]);
        expect_same(id, before, roles[i]);
        person_free(&other);
    }
    r = api_get(path, dpo.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_eq(audit_rows(id, "subject_access_request.read"), 1);
    http_free(r);
    free(before);
    free(id);
    person_free(&dpo);
    free(agency);
}

/* --- SAR-1: the extension --- */

static char *registered(const person *dpo, const char *received_on)
{
    http_response *r = sar_register(dpo, sar_child_body("testcms:SAR-EXT", received_on));
    cr_assert_eq(r->status, 201, "%s", r->body);
    char *id = strdup(json_str(r->json, "id"));
    http_free(r);
    return id;
}

static http_response *extend(const person *dpo, const char *id, const char *told_on,
                             const char *if_match)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/subject-access-requests/%s/extension", id);
    json_t *body = json_pack("{s:s, s:s}", "reason",
                             "Records held by five agencies over eleven years", "requester_told_on",
                             told_on);
    http_response *r = api_call("POST", path, dpo->token, body, if_match);
    json_decref(body);
    return r;
}

Test(subject_access, SAR_1_extension_before_the_first_due_date_and_only_once)
{
    char *agency = agency_new("childrens_social_care");
    person dpo = person_new(agency, "dpo");
    clock_at("2026-11-10T09:00:00Z");
    char *id = registered(&dpo, "2026-11-02");
    char *before = sar_state(id);

    /* without If-Match, or with a stale one: nothing changes */
    http_response *r = extend(&dpo, id, "2026-11-09", NULL);
    expect_problem(r, 428, NULL);
    http_free(r);
    r = extend(&dpo, id, "2026-11-09", "\"7\"");
    expect_problem(r, 412, NULL);
    http_free(r);
    /* telling the requester in the future, or before the request came */
    r = extend(&dpo, id, "2026-11-11", "\"1\"");
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert(problem_has_rule(r, "SAR-1", "requester_told_on"), "%s", r->body);
    http_free(r);
    r = extend(&dpo, id, "2026-11-01", "\"1\"");
    expect_problem(r, 422, "/problems/rule-violated");
    http_free(r);
    expect_same(id, before, "the refused extensions");

    /* due 2 December; extended to 2 February 2027, three months from receipt */
    r = extend(&dpo, id, "2026-11-09", "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "first_due_on"), "2026-12-02");
    cr_assert_str_eq(json_str(r->json, "due_on"), "2027-02-02");
    json_t *extension = json_object_get(r->json, "extension");
    cr_assert_str_eq(json_str(extension, "requester_told_on"), "2026-11-09");
    cr_assert_str_eq(json_str(extension, "due_on"), "2027-02-02");
    cr_assert_str_eq(json_str(json_object_get(extension, "by"), "sub"), dpo.who.sub);
    cr_assert_eq(json_int(r->json, "version"), 2);
    char *etag = http_header(r, "ETag");
    cr_assert_str_eq(etag, "\"2\"");
    free(etag);
    http_free(r);
    cr_assert_eq(audit_rows(id, "subject_access_request.extend"), 1);

    /* once only */
    free(before);
    before = sar_state(id);
    r = extend(&dpo, id, "2026-11-09", "\"2\"");
    expect_problem(r, 409, "/problems/invalid-state");
    cr_assert(problem_has_rule(r, "SAR-1", NULL), "%s", r->body);
    http_free(r);
    expect_same(id, before, "a second extension");
    free(before);
    free(id);
    person_free(&dpo);
    free(agency);
}

Test(subject_access, SAR_1_extension_after_the_first_due_date_is_refused)
{
    char *agency = agency_new("childrens_social_care");
    person dpo = person_new(agency, "dpo");
    clock_at("2026-10-20T09:00:00Z");
    char *id = registered(&dpo, "2026-10-06"); /* due Friday 6 November */
    char *before = sar_state(id);
    const char *moments[] = {"2026-11-07T00:00:01Z", "2026-11-09T10:00:00Z",
                             "2027-01-04T10:00:00Z"};
    for (size_t i = 0; i < sizeof moments / sizeof moments[0]; i++) {
        clock_at(moments[i]);
        /* told in time, asked too late: still refused */
        http_response *r = extend(&dpo, id, "2026-10-30", "\"1\"");
        expect_problem(r, 422, "/problems/rule-violated");
        cr_assert(problem_has_rule(r, "SAR-1", NULL), "%s", r->body);
        cr_assert(strstr(r->body, "2026-11-06"), "names the first due date: %s", r->body);
        http_free(r);
        expect_same(id, before, moments[i]);
    }
    /* on the due date itself, the last day of the first month, it may still
     * be extended */
    clock_at("2026-11-06T23:59:00Z");
    http_response *r = extend(&dpo, id, "2026-11-06", "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "due_on"), "2027-01-06");
    http_free(r);
    free(before);
    free(id);
    person_free(&dpo);
    free(agency);
}

/* --- overdue --- */

/* Whether the list at `query` (walked page by page) shows the request. */
static bool listed(const person *dpo, const char *query, const char *id)
{
    char path[512];
    snprintf(path, sizeof path, "/v1/subject-access-requests?limit=200%s", query);
    for (;;) {
        http_response *r = api_get(path, dpo->token);
        cr_assert_eq(r->status, 200, "%s", r->body);
        size_t i;
        json_t *x;
        json_array_foreach(json_object_get(r->json, "items"), i, x) {
            if (strcmp(json_str(x, "id"), id) == 0) {
                cr_assert_eq(json_is_true(json_object_get(x, "overdue")),
                             strstr(query, "overdue=true") != NULL);
                http_free(r);
                return true;
            }
        }
        const char *next = json_str(r->json, "next_cursor");
        if (!next) {
            http_free(r);
            return false;
        }
        snprintf(path, sizeof path, "/v1/subject-access-requests?limit=200%s&cursor=%s", query,
                 next);
        http_free(r);
    }
}

Test(subject_access, SAR_1_overdue_requests_are_listed_at_the_request_clock)
{
    char *agency = agency_new("childrens_social_care");
    person dpo = person_new(agency, "dpo");
    clock_at("2026-10-05T09:00:00Z");
    char *id = registered(&dpo, "2026-10-01"); /* due Sunday 1 November: Monday 2nd */
    clock_at("2026-11-02T18:00:00Z");
    cr_assert(listed(&dpo, "", id));
    cr_assert_not(listed(&dpo, "&overdue=true", id), "due today is not overdue");
    clock_at("2026-11-03T08:00:00Z");
    cr_assert(listed(&dpo, "&overdue=true", id), "the day after its due date");

    /* answered (its reference names no child: nothing to decide), it is
     * overdue no more, and says it was late */
    http_response *r = sar_answer(&dpo, id, "2026-11-03", 1);
    expect_problem(r, 409, "/problems/invalid-state");
    cr_assert(problem_has_rule(r, "SAR-2", NULL), "not gathered yet: %s", r->body);
    http_free(r);
    r = sar_command(&dpo, id, "gather", NULL, 1);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_eq(json_int(json_object_get(r->json, "gathered"), "items"), 0);
    http_free(r);
    char *before = sar_state(id);
    const char *wrong[] = {"2026-09-30", "2026-11-04"};
    for (int i = 0; i < 2; i++) {
        r = sar_answer(&dpo, id, wrong[i], 2);
        expect_problem(r, 422, "/problems/rule-violated");
        cr_assert(problem_has_rule(r, "SAR-1", "answered_on"), "%s", r->body);
        http_free(r);
    }
    expect_same(id, before, "the refused answers");
    free(before);
    r = sar_answer(&dpo, id, "2026-11-03", 2);
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *answered = json_object_get(r->json, "answered");
    cr_assert_str_eq(json_str(answered, "on"), "2026-11-03");
    cr_assert(json_is_true(json_object_get(answered, "late")));
    cr_assert(json_is_false(json_object_get(r->json, "overdue")));
    http_free(r);
    cr_assert_eq(audit_rows(id, "subject_access_request.answer"), 1);
    cr_assert_not(listed(&dpo, "&overdue=true", id), "answered");
    before = sar_state(id);
    r = sar_answer(&dpo, id, "2026-11-03", 3);
    expect_problem(r, 409, "/problems/invalid-state");
    cr_assert(problem_has_rule(r, "SAR-1", NULL), "%s", r->body);
    http_free(r);
    expect_same(id, before, "a second answer");
    free(before);
    r = api_get("/v1/subject-access-requests?overdue=maybe", dpo.token);
    expect_problem(r, 400, "/problems/invalid-request");
    http_free(r);
    free(id);
    person_free(&dpo);
    free(agency);
}
