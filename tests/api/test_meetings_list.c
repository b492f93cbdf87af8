/* Listing meetings over real HTTP against the real database: only what the
 * caller may see (SEC-2), the filters (INT-1), malformed queries (SEC-6),
 * cursor pagination and the audit of what was shown (SEC-4). */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/client.h"
#include "support/expect.h"
#include "support/fixtures.h"
#include "support/people.h"

/* The ids a list answer shows, comma-separated in order (a new string). */
static char *ids_shown(const http_response *r)
{
    json_t *items = json_object_get(r->json, "items");
    cr_assert(json_is_array(items), "%s", r->body);
    size_t n = json_array_size(items);
    char *out = calloc(1, n * 37 + 1);
    for (size_t i = 0; i < n; i++) {
        if (i)
            strcat(out, ",");
        strcat(out, json_str(json_array_get(items, i), "id"));
    }
    return out;
}

/* GET a list and expect 200 showing exactly `expected` (ids, comma-separated, in order). */
static void expect_list(const person *p, const char *query, const char *expected)
{
    char path[512];
    snprintf(path, sizeof path, "/v1/meetings?%s", query);
    http_response *r = api_get(path, p->token);
    cr_assert_eq(r->status, 200, "%s: %s", path, r->body);
    char *shown = ids_shown(r);
    cr_assert_str_eq(shown, expected, "%s", path);
    cr_assert(json_is_null(json_object_get(r->json, "next_cursor")), "%s: %s", path, r->body);
    free(shown);
    http_free(r);
}

static char *joined(const char *const *ids, size_t n)
{
    char *out = calloc(1, n * 37 + 1);
    for (size_t i = 0; i < n; i++) {
        if (i)
            strcat(out, ",");
        strcat(out, ids[i]);
    }
    return out;
}

static void new_request_id(char *out, size_t size)
{
    char suffix[17];
    unique_suffix(suffix, sizeof suffix);
    snprintf(out, size, "h3-list-%s", suffix);
}

Test(meetings_list, SEC_2_manager_sees_agency_practitioner_only_own)
{
    char *agency = agency_new("childrens_social_care");
    char *elsewhere = agency_new("childrens_social_care");
    person one = person_new(agency, "practitioner");
    person two = person_new(agency, "practitioner,senior_practitioner");
    person manager = person_new(agency, "manager");
    person outsider = person_new(elsewhere, "manager");
    char *m1 = meeting_new(&one, "stop_and_review");
    char *m2 = meeting_new(&one, "professionals");
    char *m3 = meeting_new(&two, "multi_agency");
    char query[128];
    snprintf(query, sizeof query, "convening_agency=%s", agency);

    const char *all[] = {m3, m2, m1};
    char *everything = joined(all, 3);
    expect_list(&manager, query, everything);
    const char *ones[] = {m2, m1};
    char *own = joined(ones, 2);
    expect_list(&one, query, own);
    expect_list(&one, "limit=200", own);
    expect_list(&two, "limit=200", m3);
    expect_list(&outsider, query, "");
    expect_list(&outsider, "limit=200", "");

    free(everything);
    free(own);
    free(m1);
    free(m2);
    free(m3);
    free(agency);
    free(elsewhere);
    person_free(&one);
    person_free(&two);
    person_free(&manager);
    person_free(&outsider);
}

Test(meetings_list, INT_1_filters_select_what_they_name)
{
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    person manager = person_new(agency, "manager");

    char *review = meeting_new(&requester, "stop_and_review");
    meeting_authorise(&manager, review, 1);
    char *professionals = meeting_new(&requester, "professionals");
    json_t *body = meeting_body("multi_agency");
    char child_ref[40], suffix[17];
    unique_suffix(suffix, sizeof suffix);
    snprintf(child_ref, sizeof child_ref, "CHILD-%s", suffix);
    json_object_set_new(json_array_get(json_object_get(body, "children"), 0), "external_ref",
                        json_pack("{s:s, s:s}", "system", "lacms", "id", child_ref));
    http_response *r = api_call("POST", "/v1/meetings", requester.token, body, NULL);
    cr_assert_eq(r->status, 201, "%s", r->body);
    char *with_child = strdup(json_str(r->json, "id"));
    char *reference = strdup(json_str(r->json, "reference"));
    char *ext_id = strdup(json_str(json_object_get(r->json, "external_ref"), "id"));
    http_free(r);
    json_decref(body);

    char q[512];
    snprintf(q, sizeof q, "convening_agency=%s&status=authorised", agency);
    expect_list(&manager, q, review);
    snprintf(q, sizeof q, "convening_agency=%s&status=declined", agency);
    expect_list(&manager, q, "");
    snprintf(q, sizeof q, "convening_agency=%s&type=professionals", agency);
    expect_list(&manager, q, professionals);
    snprintf(q, sizeof q, "convening_agency=%s&status=requested&type=multi_agency", agency);
    expect_list(&manager, q, with_child);
    snprintf(q, sizeof q, "external_ref=testcms:%s", ext_id);
    expect_list(&requester, q, with_child);
    snprintf(q, sizeof q, "external_ref=testcms%%3A%s", ext_id);
    expect_list(&manager, q, with_child);
    snprintf(q, sizeof q, "external_ref=othercms:%s", ext_id);
    expect_list(&manager, q, "");
    snprintf(q, sizeof q, "child_external_ref=lacms:%s", child_ref);
    expect_list(&manager, q, with_child);
    snprintf(q, sizeof q, "child_external_ref=testcms:%s", child_ref);
    expect_list(&manager, q, "");
    snprintf(q, sizeof q, "reference=%s", reference);
    expect_list(&requester, q, with_child);
    const char *params[] = {review};
    char *review_ref = db_value("SELECT reference FROM meetings WHERE id = $1", 1, params);
    snprintf(q, sizeof q, "reference=%s&status=requested", review_ref);
    expect_list(&manager, q, "");
    free(review_ref);

    free(with_child);
    free(reference);
    free(ext_id);
    free(review);
    free(professionals);
    free(agency);
    person_free(&requester);
    person_free(&manager);
}

Test(meetings_list, SEC_6_malformed_queries_refused_naming_the_parameter)
{
    char *agency = agency_new("health");
    person manager = person_new(agency, "manager");
    char *id = meeting_new(&manager, "multi_agency");
    char *before = db_fingerprint(agency);

    static const struct {
        const char *query, *field;
    } cases[] = {
        {"status=bogus", "status"},
        {"type=bogus", "type"},
        {"convening_agency=lower%20case", "convening_agency"},
        {"external_ref=nocolon", "external_ref"},
        {"external_ref=:x", "external_ref"},
        {"external_ref=x:", "external_ref"},
        {"child_external_ref=nocolon", "child_external_ref"},
        {"reference=MAM-2026-0000000000000000000000000000", "reference"},
        {"limit=0", "limit"},
        {"limit=201", "limit"},
        {"limit=-1", "limit"},
        {"limit=ten", "limit"},
        {"limit=", "limit"},
        {"cursor=garbage", "cursor"},
        {"cursor=", "cursor"},
        {"foo=1", "foo"},
        {"status=requested&status=authorised", "status"},
        {"limit=1&limit=1", "limit"},
        {"meeting_id=1", "meeting_id"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[256];
        snprintf(path, sizeof path, "/v1/meetings?%s", cases[i].query);
        http_response *r = api_get(path, manager.token);
        expect_problem(r, 400, NULL);
        cr_assert(problem_has_field(r, cases[i].field), "%s does not name %s: %s",
                  cases[i].query, cases[i].field, r->body);
        http_free(r);
    }
    /* a cursor that decodes, but to nothing this service gave out */
    const char *forged[] = {"YzF8bm90LWEtdGltZXxub3QtYS11dWlk", /* c1|not-a-time|not-a-uuid */
                            "eDF8MjAyNi0wMS0wMQ"};            /* x1|2026-01-01 */
    for (size_t i = 0; i < 2; i++) {
        char path[256];
        snprintf(path, sizeof path, "/v1/meetings?cursor=%s", forged[i]);
        http_response *r = api_get(path, manager.token);
        expect_problem(r, 400, NULL);
        cr_assert(problem_has_field(r, "cursor"), "%s", r->body);
        http_free(r);
    }
    /* every malformed part is named at once */
    http_response *r = api_get("/v1/meetings?status=bogus&type=bogus&limit=0", manager.token);
    expect_problem(r, 400, NULL);
    cr_assert(problem_has_field(r, "status") && problem_has_field(r, "type"), "%s", r->body);
    http_free(r);
    expect_unchanged(agency, before);

    free(before);
    free(id);
    free(agency);
    person_free(&manager);
}

/* A cursor is opaque, but one a client forged must get a 400, never a 500:
 * this one decodes to a well-formed RFC 3339 time whose offset (+23:59)
 * PostgreSQL refuses ("time zone displacement out of range"). */
Test(meetings_list, SEC_6_forged_cursor_with_out_of_range_offset_is_400)
{
    char *agency = agency_new("health");
    person manager = person_new(agency, "manager");
    char *id = meeting_new(&manager, "multi_agency");
    char *before = db_fingerprint(agency);

    const char *forged[] = {
        /* c1|2024-01-01T00:00:00+23:59|00000000-0000-4000-8000-000000000000 */
        "YzF8MjAyNC0wMS0wMVQwMDowMDowMCsyMzo1OXwwMDAwMDAwMC0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDA",
        /* c1|2024-01-01T00:00:00-16:00|00000000-0000-4000-8000-000000000000 */
        "YzF8MjAyNC0wMS0wMVQwMDowMDowMC0xNjowMHwwMDAwMDAwMC0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDA",
    };
    for (size_t i = 0; i < 2; i++) {
        char path[256];
        snprintf(path, sizeof path, "/v1/meetings?cursor=%s", forged[i]);
        http_response *r = api_get(path, manager.token);
        expect_problem(r, 400, NULL);
        cr_assert(problem_has_field(r, "cursor"), "%s", r->body);
        http_free(r);
    }
    expect_unchanged(agency, before);

    free(before);
    free(id);
    free(agency);
    person_free(&manager);
}

Test(meetings_list, pagination_shows_each_meeting_once_newest_first)
{
    char *agency = agency_new("education");
    person requester = person_new(agency, "practitioner");
    person manager = person_new(agency, "manager");
    enum { N = 5 };
    char *ids[N];
    for (int i = 0; i < N; i++)
        ids[i] = meeting_new(&requester, "professionals");

    char *cursor = NULL;
    const char *seen[N + 1];
    int n_seen = 0, pages = 0;
    http_response *kept[4] = {NULL};
    do {
        char path[512];
        if (cursor)
            snprintf(path, sizeof path, "/v1/meetings?convening_agency=%s&limit=2&cursor=%s",
                     agency, cursor);
        else
            snprintf(path, sizeof path, "/v1/meetings?convening_agency=%s&limit=2", agency);
        free(cursor);
        cursor = NULL;
        cr_assert_lt(pages, 3, "too many pages");
        http_response *r = api_get(path, manager.token);
        cr_assert_eq(r->status, 200, "%s", r->body);
        json_t *items = json_object_get(r->json, "items");
        cr_assert_leq(json_array_size(items), 2);
        size_t i;
        json_t *item;
        json_array_foreach(items, i, item) {
            cr_assert_lt(n_seen, N, "more meetings than were created");
            seen[n_seen++] = json_str(item, "id");
        }
        json_t *next = json_object_get(r->json, "next_cursor");
        if (json_is_string(next))
            cursor = strdup(json_string_value(next));
        else
            cr_assert(json_is_null(next), "next_cursor is a string or null: %s", r->body);
        kept[pages++] = r;
    } while (cursor);

    cr_assert_eq(pages, 3);
    cr_assert_eq(n_seen, N);
    /* newest first: the reverse of the order they were created in */
    for (int i = 0; i < N; i++)
        cr_assert_str_eq(seen[i], ids[N - 1 - i], "position %d", i);

    /* a page that ends exactly at the last meeting has no next cursor */
    char path[256];
    snprintf(path, sizeof path, "/v1/meetings?convening_agency=%s&limit=5", agency);
    http_response *r = api_get(path, manager.token);
    cr_assert_eq(json_array_size(json_object_get(r->json, "items")), 5);
    cr_assert(json_is_null(json_object_get(r->json, "next_cursor")), "%s", r->body);
    http_free(r);

    for (int i = 0; i < pages; i++)
        http_free(kept[i]);
    for (int i = 0; i < N; i++)
        free(ids[i]);
    free(agency);
    person_free(&requester);
    person_free(&manager);
}

Test(meetings_list, SEC_4_list_audits_the_ids_it_showed)
{
    char *agency = agency_new("health");
    person requester = person_new(agency, "practitioner");
    char *first = meeting_new(&requester, "multi_agency");
    char *second = meeting_new(&requester, "multi_agency");
    char *third = meeting_new(&requester, "multi_agency");

    char request_id[64], header[100];
    new_request_id(request_id, sizeof request_id);
    snprintf(header, sizeof header, "X-Request-Id: %s", request_id);
    const char *headers[] = {header, NULL};
    http_response *r = http_call("GET", "/v1/meetings?limit=2", requester.token, headers, NULL, 0);
    cr_assert_eq(r->status, 200, "%s", r->body);
    char *shown = ids_shown(r);
    const char *expected_ids[] = {third, second};
    char *expected = joined(expected_ids, 2);
    cr_assert_str_eq(shown, expected);
    http_free(r);

    const char *params[] = {request_id};
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE request_id = $1", 1, params), 1,
                 "one list, one audit row");
    char *audited = db_value("SELECT array_to_string(resource_ids, ',') FROM audit_events"
                             " WHERE request_id = $1 AND action = 'meeting.list'"
                             " AND resource_type = 'meeting' AND resource_id IS NULL",
                             1, params);
    cr_assert_str_eq(audited, shown, "the audit lists exactly the ids shown, in order");
    const char *who[] = {request_id, requester.who.sub, agency};
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE request_id = $1"
                         " AND actor_sub = $2 AND actor_agency = $3",
                         3, who),
                 1);

    /* an empty page is audited too, with no ids */
    new_request_id(request_id, sizeof request_id);
    snprintf(header, sizeof header, "X-Request-Id: %s", request_id);
    r = http_call("GET", "/v1/meetings?status=closed", requester.token, headers, NULL, 0);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_eq(json_array_size(json_object_get(r->json, "items")), 0);
    http_free(r);
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE request_id = $1"
                         " AND action = 'meeting.list' AND cardinality(resource_ids) = 0",
                         1, params),
                 1);

    free(audited);
    free(shown);
    free(expected);
    free(first);
    free(second);
    free(third);
    free(agency);
    person_free(&requester);
}
