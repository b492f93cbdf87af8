/* Children as subjects (CHR-1, INT-1): a meeting's children linked by their
 * identifiers, a child found by any of them and read by id, seen only
 * through the meetings the caller may see (SEC-2), every read audited
 * (SEC-4), and identifiers that fail their check refused with nothing
 * changed (SEC-6). Every identifier is fictitious: NHS numbers of the 999
 * range kept for testing, UPNs of local authority 999, which none has. */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/client.h"
#include "support/expect.h"
#include "support/fixtures.h"
#include "support/people.h"

/* A meeting request about one child with these identifiers (any NULL). */
static char *meeting_about(const person *p, const char *nhs, const char *upn, const char *ext_id)
{
    json_t *body = meeting_body("professionals");
    json_t *child = json_array_get(json_object_get(body, "children"), 0);
    if (nhs)
        json_object_set_new(child, "nhs_number", json_string(nhs));
    if (upn)
        json_object_set_new(child, "upn", json_string(upn));
    if (ext_id)
        json_object_set_new(child, "external_ref",
                            json_pack("{s:s, s:s}", "system", "testcms", "id", ext_id));
    http_response *r = api_call("POST", "/v1/meetings", p->token, body, NULL);
    json_decref(body);
    cr_assert_eq(r->status, 201, "requesting a meeting: %ld %s", r->status, r->body);
    char *id = strdup(json_str(r->json, "id"));
    http_free(r);
    return id;
}

static char *child_of(const char *meeting_id)
{
    const char *params[] = {meeting_id};
    return db_value("SELECT coalesce(child_id::text, '') FROM meeting_children"
                    " WHERE meeting_id = $1 AND is_subject AND position = 0",
                    1, params);
}

static long audit_rows(const char *action, const char *actor)
{
    const char *params[] = {action, actor};
    return db_long("SELECT count(*) FROM audit_events WHERE action = $1 AND actor_sub = $2", 2,
                   params);
}

static long audit_rows_by(const char *actor)
{
    const char *params[] = {actor};
    return db_long("SELECT count(*) FROM audit_events WHERE actor_sub = $1", 1, params);
}

/* Identifiers recorded with these values (tests run side by side, so
 * counting every child would count theirs). */
static long identifier_rows(const char *a, const char *b)
{
    const char *params[] = {a, b};
    return db_long("SELECT count(*) FROM child_identifiers WHERE id IN ($1, $2)", 2, params);
}

static bool shows_meeting(const json_t *child, const char *meeting_id)
{
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(child, "meetings"), i, m) {
        if (strcmp(json_str(m, "id"), meeting_id) == 0)
            return true;
    }
    return false;
}

static bool shows_identifier(const json_t *child, const char *system, const char *id)
{
    size_t i;
    json_t *k;
    json_array_foreach(json_object_get(child, "identifiers"), i, k) {
        if (strcmp(json_str(k, "system"), system) == 0 && strcmp(json_str(k, "id"), id) == 0)
            return true;
    }
    return false;
}

Test(children, CHR_1_meetings_about_one_child_link_by_nhs_number)
{
    char *csc = agency_new("childrens_social_care");
    char *health = agency_new("health");
    person social_worker = person_new(csc, "practitioner");
    person nurse = person_new(health, "practitioner");
    char nhs[11], spaced[13], ext_a[40], ext_b[40], suffix[17];
    nhs_number_new(nhs);
    snprintf(spaced, sizeof spaced, "%.3s %.3s %.4s", nhs, nhs + 3, nhs + 6);
    unique_suffix(suffix, sizeof suffix);
    snprintf(ext_a, sizeof ext_a, "CH-A-%s", suffix);
    snprintf(ext_b, sizeof ext_b, "CH-B-%s", suffix);

    char *first = meeting_about(&social_worker, nhs, NULL, ext_a);
    char *second = meeting_about(&nurse, spaced, "V999201000010", ext_b);
    char *child = child_of(first);
    char *again = child_of(second);
    cr_assert(child[0], "a child with identifiers is linked");
    cr_assert_str_eq(again, child, "the same NHS number, however spaced, is the same child");

    /* the meeting shows the identifiers normalised and the child */
    char path[160];
    snprintf(path, sizeof path, "/v1/meetings/%s", second);
    http_response *r = api_get(path, nurse.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *c0 = json_array_get(json_object_get(r->json, "children"), 0);
    cr_assert_str_eq(json_str(c0, "nhs_number"), nhs);
    cr_assert_str_eq(json_str(c0, "upn"), "V999201000010");
    http_free(r);

    /* the second requester sees only their own meeting of the child */
    long audited = audit_rows("child.list", nurse.who.sub);
    char list[256];
    snprintf(list, sizeof list, "/v1/children?ref=nhs_number:%s", nhs);
    r = api_get(list, nurse.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *items = json_object_get(r->json, "items");
    cr_assert_eq(json_array_size(items), 1, "%s", r->body);
    json_t *found = json_array_get(items, 0);
    cr_assert_str_eq(json_str(found, "id"), child);
    cr_assert(shows_meeting(found, second));
    cr_assert(!shows_meeting(found, first), "SEC-2: a meeting the caller may not see: %s",
              r->body);
    cr_assert(shows_identifier(found, "testcms", ext_b));
    cr_assert(!shows_identifier(found, "testcms", ext_a),
              "SEC-2: an identifier only a hidden meeting gives: %s", r->body);
    cr_assert_eq(audit_rows("child.list", nurse.who.sub), audited + 1, "SEC-4: the list is audited");
    http_free(r);

    /* asking by the identifier only the hidden meeting gives finds nothing */
    snprintf(list, sizeof list, "/v1/children?ref=testcms:%s", ext_a);
    r = api_get(list, nurse.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_eq(json_array_size(json_object_get(r->json, "items")), 0, "%s", r->body);
    http_free(r);

    /* the first requester: by their own reference, their meeting only */
    snprintf(list, sizeof list, "/v1/children?ref=testcms:%s", ext_a);
    r = api_get(list, social_worker.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    found = json_array_get(json_object_get(r->json, "items"), 0);
    cr_assert(found, "%s", r->body);
    cr_assert(shows_meeting(found, first) && !shows_meeting(found, second), "%s", r->body);
    cr_assert(shows_identifier(found, "nhs_number", nhs));
    cr_assert(!shows_identifier(found, "upn", "V999201000010"), "%s", r->body);
    http_free(r);

    /* read by id, audited */
    audited = audit_rows("child.read", social_worker.who.sub);
    snprintf(path, sizeof path, "/v1/children/%s", child);
    r = api_get(path, social_worker.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "id"), child);
    cr_assert(shows_meeting(r->json, first));
    cr_assert_eq(audit_rows("child.read", social_worker.who.sub), audited + 1);
    http_free(r);

    free(first);
    free(second);
    free(child);
    free(again);
    free(csc);
    free(health);
    person_free(&social_worker);
    person_free(&nurse);
}

Test(children, SEC_2_a_child_of_no_visible_meeting_is_404_and_unlisted)
{
    char *csc = agency_new("childrens_social_care");
    char *police = agency_new("police");
    person social_worker = person_new(csc, "practitioner");
    person officer = person_new(police, "practitioner");
    person police_manager = person_new(police, "manager,senior_manager");
    char nhs[11];
    nhs_number_new(nhs);
    char *meeting = meeting_about(&social_worker, nhs, NULL, NULL);
    char *child = child_of(meeting);
    long audit_before = audit_rows_by(officer.who.sub) + audit_rows_by(police_manager.who.sub);

    const person *strangers[] = {&officer, &police_manager};
    for (int i = 0; i < 2; i++) {
        char path[160];
        snprintf(path, sizeof path, "/v1/children/%s", child);
        http_response *r = api_get(path, strangers[i]->token);
        expect_problem(r, 404, NULL);
        cr_assert(strstr(r->body, nhs) == NULL);
        http_free(r);
        snprintf(path, sizeof path, "/v1/children?ref=nhs_number:%s", nhs);
        r = api_get(path, strangers[i]->token);
        cr_assert_eq(r->status, 200, "%s", r->body);
        cr_assert_eq(json_array_size(json_object_get(r->json, "items")), 0, "%s", r->body);
        http_free(r);
    }
    /* the 404s wrote nothing; the two empty lists were audited */
    cr_assert_eq(audit_rows_by(officer.who.sub) + audit_rows_by(police_manager.who.sub),
                 audit_before + 2);

    free(meeting);
    free(child);
    free(csc);
    free(police);
    person_free(&social_worker);
    person_free(&officer);
    person_free(&police_manager);
}

Test(children, INT_1_identifiers_that_fail_their_check_are_refused_and_change_nothing)
{
    char *csc = agency_new("childrens_social_care");
    person social_worker = person_new(csc, "practitioner");
    char nhs[11];
    nhs_number_new(nhs);
    char wrong[11];
    memcpy(wrong, nhs, 11);
    wrong[9] = (char)('0' + (nhs[9] - '0' + 1) % 10);

    struct {
        const char *field, *value, *problem_field;
    } cases[] = {
        {"nhs_number", wrong, "children[0].nhs_number"},
        {"nhs_number", "999000001", "children[0].nhs_number"},
        {"upn", "W999201000010", "children[0].upn"},
        {"upn", "V9992010000I0", "children[0].upn"},
    };
    char *before = db_fingerprint(csc);

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *body = meeting_body("professionals");
        json_t *child = json_array_get(json_object_get(body, "children"), 0);
        json_object_set_new(child, cases[i].field, json_string(cases[i].value));
        http_response *r = api_call("POST", "/v1/meetings", social_worker.token, body, NULL);
        json_decref(body);
        expect_problem(r, 422, "/problems/rule-violated");
        cr_assert(problem_has_rule(r, "INT-1", cases[i].problem_field), "%s", r->body);
        http_free(r);
    }
    /* a national identifier is not an external reference system */
    json_t *body = meeting_body("professionals");
    json_t *child = json_array_get(json_object_get(body, "children"), 0);
    json_object_set_new(child, "external_ref",
                        json_pack("{s:s, s:s}", "system", "nhs_number", "id", nhs));
    http_response *r = api_call("POST", "/v1/meetings", social_worker.token, body, NULL);
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert(problem_has_rule(r, "INT-1", "children[0].external_ref.system"), "%s", r->body);
    http_free(r);
    /* the child a meeting's child is linked to is the service's, not a member */
    json_object_del(child, "external_ref");
    json_object_set_new(child, "child_id", json_string("0b5e3c1a-1111-4222-8333-944445555666"));
    r = api_call("POST", "/v1/meetings", social_worker.token, body, NULL);
    json_decref(body);
    expect_problem(r, 400, "/problems/invalid-request");
    http_free(r);

    expect_unchanged(csc, before);
    cr_assert_eq(identifier_rows(nhs, wrong), 0, "SEC-6: no identifier was recorded");

    free(before);
    free(csc);
    person_free(&social_worker);
}

Test(children, INT_1_ref_query_must_be_a_valid_identifier)
{
    char *csc = agency_new("childrens_social_care");
    person p = person_new(csc, "practitioner");
    const char *bad[] = {"/v1/children", "/v1/children?ref=nocolon", "/v1/children?ref=:x",
                         "/v1/children?ref=nhs_number:9990000019",
                         "/v1/children?ref=upn:W999201000010", "/v1/children?ref=a:b&colour=red"};
    long audit_before = audit_rows_by(p.who.sub);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        http_response *r = api_get(bad[i], p.token);
        expect_problem(r, 400, "/problems/invalid-request");
        http_free(r);
    }
    http_response *r = api_get("/v1/children/not-a-uuid", p.token);
    expect_problem(r, 404, NULL);
    http_free(r);
    cr_assert_eq(audit_rows_by(p.who.sub), audit_before,
                 "refusals write no audit event");
    free(csc);
    person_free(&p);
}
