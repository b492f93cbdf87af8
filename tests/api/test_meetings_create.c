/* Requesting a meeting over real HTTP against the real database: what a
 * request must carry (MTG-1, MTG-2, MTG-3, MTG-5), who may make one (SEC-3),
 * that bad input changes nothing (SEC-6), and Idempotency-Key. */
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/client.h"
#include "support/expect.h"
#include "support/fixtures.h"
#include "support/people.h"

/* --- helpers --- */

/* The external reference id of a request built by meeting_body(). */
static const char *ref_of(json_t *body)
{
    return json_str(json_object_get(body, "external_ref"), "id");
}

/* How many meetings carry this external reference (testcms system). */
static long meetings_with_ref(const char *ref_id)
{
    const char *params[] = {ref_id};
    return db_long("SELECT count(*) FROM meetings WHERE external_system = 'testcms'"
                   " AND external_id = $1",
                   1, params);
}

/* Things the caller left behind anywhere: meetings requested and audit events. */
static long traces_of(const person *p)
{
    const char *params[] = {p->who.sub};
    return db_long("SELECT (SELECT count(*) FROM meetings WHERE requester_sub = $1)"
                   " + (SELECT count(*) FROM audit_events WHERE actor_sub = $1)"
                   " + (SELECT count(*) FROM idempotency_keys WHERE caller_sub = $1)",
                   1, params);
}

/* POST /v1/meetings with raw JSON text and an optional Idempotency-Key. */
static http_response *post_text(const person *p, const char *text, const char *key)
{
    char key_header[400];
    const char *headers[3] = {"Content-Type: application/json", NULL, NULL};
    if (key) {
        snprintf(key_header, sizeof key_header, "Idempotency-Key: %s", key);
        headers[1] = key_header;
    }
    return http_call("POST", "/v1/meetings", p->token, headers, text, strlen(text));
}

static http_response *post_body(const person *p, json_t *body, const char *key)
{
    char *text = json_dumps(body, JSON_COMPACT);
    http_response *r = post_text(p, text, key);
    free(text);
    return r;
}

static void new_key(char *out, size_t size)
{
    char suffix[17];
    unique_suffix(suffix, sizeof suffix);
    snprintf(out, size, "idem-%s", suffix);
}

/* Requests `body` as p, expecting a refusal with `status` that changes
 * nothing for the agency; the answer is returned for further checks. */
static http_response *refused(const person *p, json_t *body, long status)
{
    char *before = db_fingerprint(p->who.agency);
    const char *ref = ref_of(body);
    long with_ref = ref ? meetings_with_ref(ref) : 0;
    http_response *r = post_body(p, body, NULL);
    expect_problem(r, status, NULL);
    expect_unchanged(p->who.agency, before);
    if (ref)
        cr_assert_eq(meetings_with_ref(ref), with_ref, "a refused request stored a meeting");
    free(before);
    return r;
}

/* --- MTG-1: what a request is --- */

Test(meetings_create, MTG_1_request_starts_requested_with_caller_as_requester)
{
    char *agency = agency_new("health");
    person requester = person_new(agency, "practitioner");
    json_t *body = meeting_body("professionals");

    http_response *r = post_body(&requester, body, NULL);
    cr_assert_eq(r->status, 201, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "status"), "requested");
    cr_assert_str_eq(json_str(r->json, "type"), "professionals");
    cr_assert_str_eq(json_str(r->json, "convening_agency"), agency);
    json_t *who = json_object_get(r->json, "requester");
    cr_assert_str_eq(json_str(who, "sub"), requester.who.sub);
    cr_assert_str_eq(json_str(who, "name"), requester.who.name);
    cr_assert_eq(json_int(r->json, "version"), 1);
    cr_assert_eq(json_array_size(json_object_get(r->json, "children")), 1);
    cr_assert_eq(json_array_size(json_object_get(r->json, "other_children")), 1);
    cr_assert(json_is_null(json_object_get(r->json, "decision")));
    json_t *ext = json_object_get(r->json, "external_ref");
    cr_assert_str_eq(json_str(ext, "system"), "testcms");
    cr_assert_str_eq(json_str(ext, "id"), ref_of(body));
    const char *id = json_str(r->json, "id");

    const char *params[] = {id, requester.who.sub};
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE resource_id = $1"
                         " AND action = 'meeting.create' AND actor_sub = $2",
                         2, params),
                 1);
    cr_assert_eq(db_long("SELECT count(*) FROM events WHERE resource_id = $1"
                         " AND type = 'meeting.requested'",
                         1, params),
                 1);
    cr_assert_eq(meetings_with_ref(ref_of(body)), 1);

    http_free(r);
    json_decref(body);
    free(agency);
    person_free(&requester);
}

Test(meetings_create, SEC_6_read_only_fields_refused_by_name)
{
    char *agency = agency_new("childrens_social_care");
    char *other = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");

    /* mass assignment: the service sets these, a client cannot */
    json_t *body = meeting_body("stop_and_review");
    json_object_set_new(body, "status", json_string("authorised"));
    json_object_set_new(body, "convening_agency", json_string(other));
    json_object_set_new(body, "requester", json_pack("{s:s, s:s}", "sub", "someone-else", "name", "X"));
    json_object_set_new(body, "version", json_integer(7));
    json_object_set_new(body, "id", json_string("00000000-0000-4000-8000-000000000001"));
    json_object_set_new(body, "reference", json_string("MAM-1999-000001"));
    char *before_other = db_fingerprint(other);
    http_response *r = refused(&requester, body, 400);
    const char *fields[] = {"status", "convening_agency", "requester", "version", "id", "reference"};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        cr_assert(problem_has_field(r, fields[i]), "%s not named: %s", fields[i], r->body);
    http_free(r);
    expect_unchanged(other, before_other);
    cr_assert_eq(traces_of(&requester), 0);

    free(before_other);
    json_decref(body);
    free(agency);
    free(other);
    person_free(&requester);
}

Test(meetings_create, SEC_6_wrong_types_refused_400_naming_fields)
{
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");

    json_t *body = meeting_body("stop_and_review");
    json_object_set_new(body, "title", json_integer(5));
    json_object_set_new(body, "criteria", json_string("drift_no_improved_outcomes"));
    json_object_set_new(body, "children", json_object());
    json_object_set_new(body, "no_other_children", json_string("no"));
    json_object_set_new(body, "colour", json_string("blue"));
    http_response *r = refused(&requester, body, 400);
    const char *fields[] = {"title", "criteria", "children", "no_other_children", "colour"};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        cr_assert(problem_has_field(r, fields[i]), "%s not named: %s", fields[i], r->body);
    http_free(r);
    json_decref(body);

    /* nested: a child's date of birth of the wrong type, an unknown member */
    body = meeting_body("stop_and_review");
    json_t *child = json_array_get(json_object_get(body, "children"), 0);
    json_object_set_new(child, "date_of_birth", json_integer(2015));
    json_object_set_new(child, "shoe_size", json_integer(3));
    json_object_set_new(body, "title", json_string(
        "A title far longer than the two hundred characters a meeting title may have: "
        "A title far longer than the two hundred characters a meeting title may have: "
        "A title far longer than the two hundred characters a meeting title may have."));
    r = refused(&requester, body, 400);
    cr_assert(problem_has_field(r, "title"), "%s", r->body);
    cr_assert(problem_has_field(r, "children[0].date_of_birth"), "%s", r->body);
    cr_assert(problem_has_field(r, "children[0].shoe_size"), "%s", r->body);
    http_free(r);
    json_decref(body);
    cr_assert_eq(traces_of(&requester), 0);

    free(agency);
    person_free(&requester);
}

Test(meetings_create, SEC_6_malformed_json_and_media_type_refused)
{
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    char *before = db_fingerprint(agency);

    const char *bad[] = {"{\"title\": ", "[1, 2]", "{\"title\": \"a\", \"title\": \"b\"}", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        http_response *r = post_text(&requester, bad[i], NULL);
        expect_problem(r, 400, NULL);
        http_free(r);
    }
    /* over the size limit (MAX_BODY_BYTES, 64 KiB in the tests) */
    json_t *big = meeting_body("stop_and_review");
    char *filler = malloc(70001);
    memset(filler, 'a', 70000);
    filler[70000] = '\0';
    json_object_set_new(big, "purpose", json_string(filler));
    free(filler);
    http_response *large = post_body(&requester, big, NULL);
    expect_problem(large, 413, NULL);
    http_free(large);
    cr_assert_eq(meetings_with_ref(ref_of(big)), 0);
    json_decref(big);

    json_t *body = meeting_body("stop_and_review");
    char *text = json_dumps(body, JSON_COMPACT);
    const char *headers[] = {"Content-Type: text/plain", NULL};
    http_response *r = http_call("POST", "/v1/meetings", requester.token, headers, text, strlen(text));
    expect_problem(r, 415, NULL);
    http_free(r);
    free(text);
    expect_unchanged(agency, before);
    cr_assert_eq(meetings_with_ref(ref_of(body)), 0);
    cr_assert_eq(traces_of(&requester), 0);

    json_decref(body);
    free(before);
    free(agency);
    person_free(&requester);
}

Test(meetings_create, MTG_1_MTG_3_MTG_5_all_reported_at_once)
{
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");

    json_t *body = meeting_body("professionals_only");
    json_object_del(body, "title");
    json_object_set_new(body, "criteria", json_pack("[s, s]", "drift_no_improved_outcomes",
                                                    "protect_working_relationship"));
    json_object_del(json_array_get(json_object_get(body, "children"), 0), "date_of_birth");
    http_response *r = refused(&requester, body, 422);
    cr_assert(problem_has_rule(r, "MTG-1", "title"), "%s", r->body);
    cr_assert(problem_has_rule(r, "MTG-3", "criteria[1]"), "%s", r->body);
    cr_assert(problem_has_rule(r, "MTG-5", "children[0]"), "%s", r->body);
    /* a 422 is about rules: every entry names one */
    json_t *errors = json_object_get(r->json, "errors");
    size_t i;
    json_t *e;
    json_array_foreach(errors, i, e) {
        cr_assert(json_str(e, "rule"), "an entry without a rule: %s", r->body);
    }
    http_free(r);
    cr_assert_eq(traces_of(&requester), 0);

    json_decref(body);
    free(agency);
    person_free(&requester);
}

Test(meetings_create, MTG_1_each_required_part_named)
{
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");

    json_t *body = meeting_body("multi_agency");
    const char *parts[] = {"type", "title", "purpose", "rationale", "criteria", "children"};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        json_object_del(body, parts[i]);
    http_response *r = refused(&requester, body, 422);
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        cr_assert(problem_has_rule(r, "MTG-1", parts[i]), "%s not named: %s", parts[i], r->body);
    http_free(r);
    json_decref(body);

    /* blank is missing; criteria [] is none */
    body = meeting_body("multi_agency");
    json_object_set_new(body, "purpose", json_string("   "));
    json_object_set_new(body, "criteria", json_array());
    json_object_set_new(body, "type", json_string("tea_party"));
    r = refused(&requester, body, 422);
    cr_assert(problem_has_rule(r, "MTG-1", "purpose"), "%s", r->body);
    cr_assert(problem_has_rule(r, "MTG-1", "criteria"), "%s", r->body);
    cr_assert(problem_has_rule(r, "MTG-1", "type"), "%s", r->body);
    http_free(r);
    json_decref(body);
    cr_assert_eq(traces_of(&requester), 0);

    free(agency);
    person_free(&requester);
}

/* --- MTG-3 --- */

Test(meetings_create, MTG_3_relationship_reason_rejected)
{
    char *agency = agency_new("education");
    person requester = person_new(agency, "practitioner");
    json_t *body = meeting_body("professionals_only");
    json_object_set_new(body, "criteria", json_pack("[s]", "protect_working_relationship"));
    http_response *r = refused(&requester, body, 422);
    cr_assert(problem_has_rule(r, "MTG-3", "criteria[0]"), "%s", r->body);
    http_free(r);
    cr_assert_eq(traces_of(&requester), 0);
    json_decref(body);
    free(agency);
    person_free(&requester);
}

/* --- MTG-2 --- */

Test(meetings_create, MTG_2_strategy_discussion_by_police_refused)
{
    char *agency = agency_new("police");
    person requester = person_new(agency, "practitioner");
    json_t *body = meeting_body("strategy_discussion");
    http_response *r = refused(&requester, body, 422);
    cr_assert(problem_has_rule(r, "MTG-2", "type"), "%s", r->body);
    http_free(r);
    cr_assert_eq(traces_of(&requester), 0);
    json_decref(body);
    free(agency);
    person_free(&requester);
}

Test(meetings_create, MTG_2_strategy_discussion_by_childrens_social_care_accepted)
{
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    json_t *body = meeting_body("strategy_discussion");
    http_response *r = post_body(&requester, body, NULL);
    cr_assert_eq(r->status, 201, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "type"), "strategy_discussion");
    json_t *criteria = json_object_get(r->json, "criteria");
    cr_assert_eq(json_array_size(criteria), 1);
    cr_assert_str_eq(json_string_value(json_array_get(criteria, 0)), "significant_harm_suspected");
    cr_assert_eq(meetings_with_ref(ref_of(body)), 1);
    http_free(r);
    json_decref(body);
    free(agency);
    person_free(&requester);
}

Test(meetings_create, MTG_2_significant_harm_on_stop_and_review_refused)
{
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    json_t *body = meeting_body("stop_and_review");
    json_object_set_new(body, "criteria", json_pack("[s]", "significant_harm_suspected"));
    http_response *r = refused(&requester, body, 422);
    cr_assert(problem_has_rule(r, "MTG-2", "criteria[0]"), "%s", r->body);
    http_free(r);
    cr_assert_eq(traces_of(&requester), 0);
    json_decref(body);
    free(agency);
    person_free(&requester);
}

Test(meetings_create, MTG_2_strategy_discussion_needs_significant_harm)
{
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    json_t *body = meeting_body("strategy_discussion");
    json_object_set_new(body, "criteria", json_pack("[s]", "drift_no_improved_outcomes"));
    http_response *r = refused(&requester, body, 422);
    cr_assert(problem_has_rule(r, "MTG-2", NULL), "%s", r->body);
    http_free(r);
    cr_assert_eq(traces_of(&requester), 0);
    json_decref(body);
    free(agency);
    person_free(&requester);
}

/* --- MTG-5 --- */

Test(meetings_create, MTG_5_unborn_child_without_date_of_birth_accepted)
{
    char *agency = agency_new("health");
    person requester = person_new(agency, "practitioner");
    json_t *body = meeting_body("multi_agency");
    json_object_set_new(body, "children",
                        json_pack("[{s:s, s:b}]", "name", "Baby Example", "unborn", 1));
    http_response *r = post_body(&requester, body, NULL);
    cr_assert_eq(r->status, 201, "%s", r->body);
    json_t *child = json_array_get(json_object_get(r->json, "children"), 0);
    cr_assert(json_is_true(json_object_get(child, "unborn")), "%s", r->body);
    cr_assert(json_is_null(json_object_get(child, "date_of_birth")), "%s", r->body);
    http_free(r);
    json_decref(body);
    free(agency);
    person_free(&requester);
}

Test(meetings_create, MTG_5_child_without_date_of_birth_or_unborn_refused)
{
    char *agency = agency_new("health");
    person requester = person_new(agency, "practitioner");
    json_t *body = meeting_body("multi_agency");
    json_object_set_new(body, "children", json_pack("[{s:s}]", "name", "Alex Example"));
    http_response *r = refused(&requester, body, 422);
    cr_assert(problem_has_rule(r, "MTG-5", "children[0]"), "%s", r->body);
    http_free(r);
    json_decref(body);

    /* nor a child with neither name nor external reference */
    body = meeting_body("multi_agency");
    json_object_set_new(body, "children", json_pack("[{s:s}]", "date_of_birth", "2016-02-03"));
    r = refused(&requester, body, 422);
    cr_assert(problem_has_rule(r, "MTG-5", "children[0]"), "%s", r->body);
    http_free(r);
    json_decref(body);
    cr_assert_eq(traces_of(&requester), 0);

    free(agency);
    person_free(&requester);
}

Test(meetings_create, MTG_5_household_not_stated_refused)
{
    char *agency = agency_new("health");
    person requester = person_new(agency, "practitioner");
    json_t *body = meeting_body("multi_agency");
    json_object_del(body, "other_children");
    http_response *r = refused(&requester, body, 422);
    cr_assert(problem_has_rule(r, "MTG-5", "other_children"), "%s", r->body);
    http_free(r);

    /* an explicit "none" is a statement */
    json_object_set_new(body, "no_other_children", json_true());
    r = post_body(&requester, body, NULL);
    cr_assert_eq(r->status, 201, "%s", r->body);
    cr_assert(json_is_true(json_object_get(r->json, "no_other_children")), "%s", r->body);
    cr_assert_eq(json_array_size(json_object_get(r->json, "other_children")), 0);
    http_free(r);
    json_decref(body);

    /* but it cannot contradict a listed sibling */
    body = meeting_body("multi_agency");
    json_object_set_new(body, "no_other_children", json_true());
    r = refused(&requester, body, 422);
    cr_assert(problem_has_rule(r, "MTG-5", "no_other_children"), "%s", r->body);
    http_free(r);
    json_decref(body);

    free(agency);
    person_free(&requester);
}

/* --- who may request (SEC-3) --- */

Test(meetings_create, SEC_3_agency_not_in_directory_forbidden)
{
    char suffix[17], code[33];
    unique_suffix(suffix, sizeof suffix);
    for (char *p = suffix; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    snprintf(code, sizeof code, "TNODIR%.10s", suffix);
    person stray = person_new(code, "practitioner");
    json_t *body = meeting_body("stop_and_review");
    http_response *r = refused(&stray, body, 403);
    http_free(r);
    cr_assert_eq(traces_of(&stray), 0);
    json_decref(body);
    person_free(&stray);
}

Test(meetings_create, SEC_3_agency_deactivated_in_directory_forbidden)
{
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "manager");
    person admin = person_new("ADMIN", "admin");
    char agency_path[96];
    snprintf(agency_path, sizeof agency_path, "/v1/agencies/%s", agency);
    json_t *off = json_pack("{s:b}", "active", 0);
    http_response *r = api_call("PATCH", agency_path, admin.token, off, "\"1\"");
    cr_assert_eq(r->status, 200, "deactivating: %s", r->body);
    http_free(r);
    json_decref(off);

    json_t *body = meeting_body("stop_and_review");
    r = refused(&requester, body, 403);
    http_free(r);
    cr_assert_eq(traces_of(&requester), 0);
    json_decref(body);
    free(agency);
    person_free(&requester);
    person_free(&admin);
}

Test(meetings_create, SEC_3_non_casework_roles_cannot_request)
{
    char *agency = agency_new("childrens_social_care");
    const char *roles[] = {"auditor", "admin", "integration", "partnership"};
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
        person p = person_new(agency, roles[i]);
        json_t *body = meeting_body("stop_and_review");
        http_response *r = refused(&p, body, 403);
        http_free(r);
        cr_assert_eq(traces_of(&p), 0, "%s left traces", roles[i]);
        json_decref(body);
        person_free(&p);
    }
    free(agency);
}

/* --- Idempotency-Key --- */

Test(meetings_create, idempotency_key_replays_the_first_answer)
{
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    json_t *body = meeting_body("stop_and_review");
    char *text = json_dumps(body, JSON_COMPACT);
    char key[64];
    new_key(key, sizeof key);

    http_response *first = post_text(&requester, text, key);
    cr_assert_eq(first->status, 201, "%s", first->body);
    char *replayed = http_header(first, "Idempotent-Replayed");
    cr_assert_null(replayed, "the first answer is not a replay");
    char *location = http_header(first, "Location");
    char *etag = http_header(first, "ETag");
    char *meetings_before = db_fingerprint(agency);

    http_response *again = post_text(&requester, text, key);
    cr_assert_eq(again->status, 201, "%s", again->body);
    cr_assert_str_eq(again->body, first->body, "the replay is the first answer");
    char *location2 = http_header(again, "Location");
    char *etag2 = http_header(again, "ETag");
    replayed = http_header(again, "Idempotent-Replayed");
    cr_assert_str_eq(location2, location);
    cr_assert_str_eq(etag2, etag);
    cr_assert(replayed && strcmp(replayed, "true") == 0, "Idempotent-Replayed: %s", replayed);
    free(replayed);

    /* the same request with other key order and whitespace is the same request */
    json_t *parsed = json_loads(text, 0, NULL);
    char *reordered = json_dumps(parsed, JSON_SORT_KEYS | JSON_INDENT(2));
    http_response *third = post_text(&requester, reordered, key);
    cr_assert_eq(third->status, 201, "%s", third->body);
    cr_assert_str_eq(third->body, first->body);
    replayed = http_header(third, "Idempotent-Replayed");
    cr_assert(replayed && strcmp(replayed, "true") == 0, "Idempotent-Replayed: %s", replayed);
    free(replayed);

    cr_assert_eq(meetings_with_ref(ref_of(body)), 1, "only one meeting for one key");
    /* replays store nothing about the case: same meetings, children, feed */
    char *after = db_fingerprint(agency);
    char m_before[64], m_after[64];
    int audit_before, audit_after;
    char tail_before[64], tail_after[64];
    char c_before[16], c_after[16];
    cr_assert_eq(sscanf(meetings_before, "%63s %15s %d %63[^\n]", m_before, c_before,
                        &audit_before, tail_before), 4);
    cr_assert_eq(sscanf(after, "%63s %15s %d %63[^\n]", m_after, c_after, &audit_after,
                        tail_after), 4);
    cr_assert_str_eq(m_after, m_before);
    cr_assert_str_eq(c_after, c_before);
    cr_assert_str_eq(tail_after, tail_before);
    const char *params[] = {json_str(first->json, "id")};
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE resource_id = $1"
                         " AND action = 'meeting.create'", 1, params), 1);

    free(after);
    free(meetings_before);
    free(reordered);
    json_decref(parsed);
    http_free(third);
    free(location);
    free(location2);
    free(etag);
    free(etag2);
    http_free(first);
    http_free(again);
    free(text);
    json_decref(body);
    free(agency);
    person_free(&requester);
}

Test(meetings_create, idempotency_key_with_another_body_refused)
{
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    json_t *body = meeting_body("stop_and_review");
    char key[64];
    new_key(key, sizeof key);
    http_response *first = post_body(&requester, body, key);
    cr_assert_eq(first->status, 201, "%s", first->body);

    json_t *other = meeting_body("stop_and_review");
    char *before = db_fingerprint(agency);
    http_response *r = post_body(&requester, other, key);
    expect_problem(r, 422, NULL);
    cr_assert(problem_has_field(r, "Idempotency-Key"), "%s", r->body);
    expect_unchanged(agency, before);
    cr_assert_eq(meetings_with_ref(ref_of(other)), 0);
    cr_assert_eq(meetings_with_ref(ref_of(body)), 1);
    http_free(r);

    /* a one-word change is another body too */
    json_object_set_new(body, "title", json_string("Planning for a fictional family!"));
    r = post_body(&requester, body, key);
    expect_problem(r, 422, NULL);
    expect_unchanged(agency, before);
    cr_assert_eq(meetings_with_ref(ref_of(body)), 1);
    http_free(r);

    free(before);
    json_decref(other);
    http_free(first);
    json_decref(body);
    free(agency);
    person_free(&requester);
}

Test(meetings_create, idempotency_key_is_scoped_to_the_caller)
{
    char *agency = agency_new("childrens_social_care");
    person one = person_new(agency, "practitioner");
    person two = person_new(agency, "practitioner");
    json_t *body = meeting_body("stop_and_review");
    char *text = json_dumps(body, JSON_COMPACT);
    char key[64];
    new_key(key, sizeof key);

    http_response *a = post_text(&one, text, key);
    cr_assert_eq(a->status, 201, "%s", a->body);
    http_response *b = post_text(&two, text, key);
    cr_assert_eq(b->status, 201, "%s", b->body);
    char *replayed = http_header(b, "Idempotent-Replayed");
    cr_assert_null(replayed, "another caller's key is not replayed");
    cr_assert_str_neq(json_str(a->json, "id"), json_str(b->json, "id"));
    cr_assert_str_eq(json_str(json_object_get(b->json, "requester"), "sub"), two.who.sub);
    cr_assert_eq(meetings_with_ref(ref_of(body)), 2);

    http_free(a);
    http_free(b);
    free(text);
    json_decref(body);
    free(agency);
    person_free(&one);
    person_free(&two);
}

Test(meetings_create, idempotency_key_not_spent_by_a_refused_request)
{
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    char key[64];
    new_key(key, sizeof key);

    json_t *bad = meeting_body("stop_and_review");
    json_object_set_new(bad, "criteria", json_pack("[s]", "protect_working_relationship"));
    char *before = db_fingerprint(agency);
    http_response *r = post_body(&requester, bad, key);
    expect_problem(r, 422, NULL);
    cr_assert(problem_has_rule(r, "MTG-3", NULL), "%s", r->body);
    http_free(r);
    expect_unchanged(agency, before);
    cr_assert_eq(traces_of(&requester), 0, "a refused request remembers no key");

    json_t *good = meeting_body("stop_and_review");
    r = post_body(&requester, good, key);
    cr_assert_eq(r->status, 201, "the corrected request goes through: %s", r->body);
    http_free(r);
    cr_assert_eq(meetings_with_ref(ref_of(good)), 1);

    free(before);
    json_decref(bad);
    json_decref(good);
    free(agency);
    person_free(&requester);
}

Test(meetings_create, malformed_idempotency_key_refused)
{
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    json_t *body = meeting_body("stop_and_review");
    char long_key[300];
    memset(long_key, 'k', 256);
    long_key[256] = '\0';
    const char *bad[] = {"two words", long_key, "caf\xc3\xa9"};
    char *before = db_fingerprint(agency);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        http_response *r = post_body(&requester, body, bad[i]);
        expect_problem(r, 400, NULL);
        cr_assert(problem_has_field(r, "Idempotency-Key"), "%s", r->body);
        http_free(r);
    }
    expect_unchanged(agency, before);
    cr_assert_eq(meetings_with_ref(ref_of(body)), 0);
    cr_assert_eq(traces_of(&requester), 0);
    free(before);
    json_decref(body);
    free(agency);
    person_free(&requester);
}

typedef struct shot {
    const char *token;
    const char *text;
    const char *key;
    pthread_barrier_t *go;
    http_response *answer;
} shot;

static void *fire(void *arg)
{
    shot *s = arg;
    char key_header[128];
    snprintf(key_header, sizeof key_header, "Idempotency-Key: %s", s->key);
    const char *headers[] = {"Content-Type: application/json", key_header, NULL};
    pthread_barrier_wait(s->go);
    s->answer = http_call("POST", "/v1/meetings", s->token, headers, s->text, strlen(s->text));
    return NULL;
}

Test(meetings_create, idempotency_key_concurrent_duplicates_create_one_meeting)
{
    enum { SHOTS = 5 };
    curl_global_init(CURL_GLOBAL_ALL);
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    json_t *body = meeting_body("stop_and_review");
    char *text = json_dumps(body, JSON_COMPACT);
    char key[64];
    new_key(key, sizeof key);

    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, SHOTS);
    shot shots[SHOTS];
    pthread_t threads[SHOTS];
    for (int i = 0; i < SHOTS; i++) {
        shots[i] = (shot){requester.token, text, key, &go, NULL};
        cr_assert_eq(pthread_create(&threads[i], NULL, fire, &shots[i]), 0);
    }
    for (int i = 0; i < SHOTS; i++)
        pthread_join(threads[i], NULL);
    pthread_barrier_destroy(&go);

    int created = 0, originals = 0;
    const char *id = NULL;
    for (int i = 0; i < SHOTS; i++) {
        http_response *r = shots[i].answer;
        if (r->status == 409) {
            /* documented: the key's first request is still being processed */
            expect_problem(r, 409, NULL);
            char *retry = http_header(r, "Retry-After");
            cr_assert(retry != NULL, "a 409 in progress says when to retry");
            free(retry);
            continue;
        }
        cr_assert_eq(r->status, 201, "shot %d: %ld %s", i, r->status, r->body);
        created++;
        if (!id)
            id = json_str(r->json, "id");
        cr_assert_str_eq(json_str(r->json, "id"), id, "every answer names the same meeting");
        char *replayed = http_header(r, "Idempotent-Replayed");
        if (!replayed)
            originals++;
        free(replayed);
    }
    cr_assert_geq(created, 1);
    cr_assert_eq(originals, 1, "exactly one request created the meeting");
    cr_assert_eq(meetings_with_ref(ref_of(body)), 1, "one key, one meeting");
    const char *sub[] = {requester.who.sub};
    const char *mid[] = {id};
    cr_assert_eq(db_long("SELECT count(*) FROM meetings WHERE requester_sub = $1", 1, sub), 1);
    cr_assert_eq(db_long("SELECT count(*) FROM idempotency_keys WHERE caller_sub = $1", 1, sub), 1);
    cr_assert_eq(db_long("SELECT count(*) FROM events WHERE resource_id = $1"
                         " AND type = 'meeting.requested'", 1, mid), 1);
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE resource_id = $1"
                         " AND action = 'meeting.create'", 1, mid), 1);

    for (int i = 0; i < SHOTS; i++)
        http_free(shots[i].answer);
    free(text);
    json_decref(body);
    free(agency);
    person_free(&requester);
    curl_global_cleanup();
}
