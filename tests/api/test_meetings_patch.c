/* Editing a meeting request with PATCH over real HTTP against the real
 * database: merge semantics, versions and If-Match, read-only fields (mass
 * assignment), the request rules re-checked (MTG-1/2/3/5), the lifecycle
 * (MTG-8) and visibility (SEC-2). */
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

/* PATCH with a body given as a jansson pack format's result (stolen). */
static http_response *patch(const person *p, const char *id, json_t *body, const char *if_match)
{
    http_response *r = api_call("PATCH", meeting_path(id, NULL), p->token, body, if_match);
    json_decref(body);
    return r;
}

/* Expects a refusal of the patch that leaves the agency as it was. */
static http_response *patch_refused(const person *p, const char *id, json_t *body,
                                    const char *if_match, long status)
{
    char *before = db_fingerprint(p->who.agency);
    const char *params[] = {id};
    char *stored = db_value("SELECT meeting_json(m, '2000-01-01')::text FROM meetings m WHERE id = $1", 1, params);
    http_response *r = patch(p, id, body, if_match);
    expect_problem(r, status, NULL);
    char *stored_after =
        db_value("SELECT meeting_json(m, '2000-01-01')::text FROM meetings m WHERE id = $1", 1, params);
    cr_assert_str_eq(stored_after, stored, "a refused patch changed the meeting");
    expect_unchanged(p->who.agency, before);
    free(stored);
    free(stored_after);
    free(before);
    return r;
}

static long count_for(const char *sql, const char *id)
{
    const char *params[] = {id};
    return db_long(sql, 1, params);
}

Test(meetings_patch, requester_edits_title_and_children)
{
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    char *id = meeting_new(&requester, "stop_and_review");

    json_t *body = json_pack("{s:s, s:[{s:s, s:s}, {s:s, s:b}]}", "title", "Revised planning",
                             "children", "name", "Jo Example", "date_of_birth", "2018-03-04",
                             "name", "Baby Example", "unborn", 1);
    http_response *r = patch(&requester, id, body, "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "title"), "Revised planning");
    cr_assert_eq(json_int(r->json, "version"), 2);
    char *etag = http_header(r, "ETag");
    cr_assert_str_eq(etag, "\"2\"");
    free(etag);
    json_t *children = json_object_get(r->json, "children");
    cr_assert_eq(json_array_size(children), 2, "%s", r->body);
    cr_assert_str_eq(json_str(json_array_get(children, 0), "name"), "Jo Example");
    cr_assert_str_eq(json_str(json_array_get(children, 0), "date_of_birth"), "2018-03-04");
    cr_assert_str_eq(json_str(json_array_get(children, 1), "name"), "Baby Example");
    cr_assert(json_is_true(json_object_get(json_array_get(children, 1), "unborn")));
    /* members not in the patch are kept */
    cr_assert_str_eq(json_str(r->json, "purpose"), "Agree how agencies will work together");
    cr_assert_eq(json_array_size(json_object_get(r->json, "other_children")), 1);
    cr_assert_str_eq(json_str(json_object_get(r->json, "external_ref"), "system"), "testcms");
    cr_assert_str_eq(json_str(r->json, "status"), "requested");
    http_free(r);

    /* the children were replaced, not added to */
    cr_assert_eq(count_for("SELECT count(*) FROM meeting_children WHERE meeting_id = $1"
                           " AND is_subject", id), 2);
    cr_assert_eq(count_for("SELECT count(*) FROM meeting_children WHERE meeting_id = $1"
                           " AND is_subject AND name = 'Alex Example'", id), 0);
    cr_assert_eq(count_for("SELECT count(*) FROM audit_events WHERE resource_id = $1"
                           " AND action = 'meeting.update'", id), 1);
    cr_assert_eq(count_for("SELECT count(*) FROM events WHERE resource_id = $1"
                           " AND type = 'meeting.updated' AND resource_version = 2", id), 1);

    r = api_get(meeting_path(id, NULL), requester.token);
    cr_assert_eq(r->status, 200);
    cr_assert_str_eq(json_str(r->json, "title"), "Revised planning");
    cr_assert_eq(json_array_size(json_object_get(r->json, "children")), 2);
    etag = http_header(r, "ETag");
    cr_assert_str_eq(etag, "\"2\"");
    free(etag);
    http_free(r);

    free(id);
    free(agency);
    person_free(&requester);
}

/* True when warnings[] holds an entry with this rule and field. */
static bool has_warning(const http_response *r, const char *rule, const char *field)
{
    size_t i;
    json_t *w;
    json_array_foreach(json_object_get(r->json, "warnings"), i, w) {
        const char *wr = json_str(w, "rule"), *wf = json_str(w, "field");
        if (wr && strcmp(wr, rule) == 0 && wf && strcmp(wf, field) == 0)
            return true;
    }
    return false;
}

static long count_for2(const char *sql, const char *a, const char *b)
{
    const char *params[] = {a, b};
    return db_long(sql, 2, params);
}

/* MTG-11: an authorised request changed in what the authorisation covered
 * is requested again; the answer says so and the earlier decision is kept. */
static void expect_reopened(const http_response *r, const char *field, const person *decider)
{
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "status"), "requested");
    cr_assert(has_warning(r, "MTG-11", field), "a warning MTG-11 on %s: %s", field, r->body);
    cr_assert(json_is_null(json_object_get(r->json, "decision")), "no current decision: %s",
              r->body);
    json_t *decisions = json_object_get(r->json, "decisions");
    cr_assert_eq(json_array_size(decisions), 1, "%s", r->body);
    json_t *earlier = json_array_get(decisions, 0);
    cr_assert_str_eq(json_str(earlier, "outcome"), "authorised");
    cr_assert_str_eq(json_str(json_object_get(earlier, "by"), "sub"), decider->who.sub);
    cr_assert_not_null(json_str(earlier, "superseded_at"), "%s", r->body);
    cr_assert_str_eq(json_str(earlier, "superseded_because"), "request_changed");
}

Test(meetings_patch, MTG_11_change_after_authorisation_returns_to_requested)
{
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    person manager = person_new(agency, "manager");
    char *id = meeting_new(&requester, "professionals");
    cr_assert_eq(meeting_authorise(&manager, id, 1), 2);

    http_response *r = patch(&manager, id,
                             json_pack("{s:s, s:[s, s]}", "rationale", "Two agencies disagree",
                                       "criteria", "professional_disagreement",
                                       "phone_email_inadequate"),
                             "\"2\"");
    expect_reopened(r, "rationale", &manager);
    cr_assert_eq(json_int(r->json, "version"), 3);
    cr_assert_eq(json_array_size(json_object_get(r->json, "criteria")), 2);
    cr_assert_str_eq(json_str(json_object_get(r->json, "requester"), "sub"), requester.who.sub,
                     "the requester stays who asked");
    json_t *warning = json_array_get(json_object_get(r->json, "warnings"), 0);
    cr_assert(strstr(json_str(warning, "message"), "criteria"), "%s", r->body);
    json_t *superseded_by = json_object_get(
        json_array_get(json_object_get(r->json, "decisions"), 0), "superseded_by");
    cr_assert_str_eq(json_str(superseded_by, "sub"), manager.who.sub);
    http_free(r);

    /* stored, audited and announced: the change and the decision reopened */
    cr_assert_eq(count_for("SELECT count(*) FROM meetings WHERE id = $1 AND status = 'requested'"
                           " AND decided_at IS NULL", id), 1);
    cr_assert_eq(count_for("SELECT count(*) FROM meeting_decisions WHERE meeting_id = $1"
                           " AND superseded_because = 'request_changed'", id), 1);
    cr_assert_eq(count_for("SELECT count(*) FROM audit_events WHERE resource_id = $1"
                           " AND action = 'meeting.update'", id), 1);
    cr_assert_eq(count_for2("SELECT count(*) FROM events WHERE resource_id = $1 AND type = $2"
                            " AND resource_version = 3", id, "meeting.decision_reopened"), 1);
    cr_assert_eq(count_for2("SELECT count(*) FROM events WHERE resource_id = $1 AND type = $2"
                            " AND resource_version = 3", id, "meeting.updated"), 1);

    /* not authorised any more: it cannot be scheduled */
    char *before = db_fingerprint(agency);
    json_t *body = json_pack("{s:s}", "start", "2099-01-01T10:00:00Z");
    r = api_call("POST", meeting_path(id, "schedule"), requester.token, body, "\"3\"");
    json_decref(body);
    expect_problem(r, 409, "/problems/invalid-state");
    cr_assert(problem_has_rule(r, "MTG-8", NULL), "%s", r->body);
    http_free(r);
    expect_unchanged(agency, before);
    free(before);

    /* a new decision on the request as it now stands */
    r = api_call("POST", meeting_path(id, "authorise"), manager.token, NULL, "\"3\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "status"), "authorised");
    json_t *decisions = json_object_get(r->json, "decisions");
    cr_assert_eq(json_array_size(decisions), 2, "%s", r->body);
    cr_assert_not_null(json_str(json_array_get(decisions, 0), "superseded_at"));
    cr_assert(json_is_null(json_object_get(json_array_get(decisions, 1), "superseded_at")));
    cr_assert_str_eq(json_str(json_object_get(r->json, "decision"), "outcome"), "authorised");
    http_free(r);

    free(id);
    free(agency);
    person_free(&requester);
    person_free(&manager);
}

Test(meetings_patch, MTG_11_children_changed_after_authorisation_needs_a_new_decision)
{
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    person manager = person_new(agency, "manager");
    char *id = meeting_new(&requester, "stop_and_review");
    cr_assert_eq(meeting_authorise(&manager, id, 1), 2);

    http_response *r = patch(&requester, id,
                             json_pack("{s:[{s:s, s:s}]}", "children", "name", "Jo Example",
                                       "date_of_birth", "2017-02-03"),
                             "\"2\"");
    expect_reopened(r, "children", &manager);
    cr_assert_str_eq(json_str(json_array_get(json_object_get(r->json, "children"), 0), "name"),
                     "Jo Example");
    http_free(r);
    cr_assert_eq(count_for("SELECT count(*) FROM meetings WHERE id = $1 AND status = 'requested'",
                           id), 1);
    cr_assert_eq(count_for("SELECT count(*) FROM events WHERE resource_id = $1"
                           " AND type = 'meeting.decision_reopened'", id), 1);

    free(id);
    free(agency);
    person_free(&requester);
    person_free(&manager);
}

Test(meetings_patch, MTG_11_title_change_keeps_the_authorisation)
{
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    person manager = person_new(agency, "manager");
    char *id = meeting_new(&requester, "professionals");
    cr_assert_eq(meeting_authorise(&manager, id, 1), 2);

    /* the title, the external reference and the same children as rendered */
    http_response *r = api_get(meeting_path(id, NULL), requester.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *children = json_deep_copy(json_object_get(r->json, "children"));
    http_free(r);
    size_t i;
    json_t *child;
    json_array_foreach(children, i, child) {
        json_object_del(child, "relationship"); /* null, and only for other children */
        json_object_del(child, "external_ref"); /* null */
    }
    r = patch(&requester, id,
              json_pack("{s:s, s:{s:s, s:s}, s:o}", "title", "A clearer title", "external_ref",
                        "system", "testcms", "id", "CASE-NEW", "children", children),
              "\"2\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "status"), "authorised", "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "title"), "A clearer title");
    cr_assert_null(json_object_get(r->json, "warnings"), "%s", r->body);
    cr_assert_str_eq(json_str(json_object_get(r->json, "decision"), "outcome"), "authorised");
    cr_assert_eq(json_array_size(json_object_get(r->json, "decisions")), 1);
    http_free(r);
    cr_assert_eq(count_for("SELECT count(*) FROM events WHERE resource_id = $1"
                           " AND type = 'meeting.decision_reopened'", id), 0);
    cr_assert_eq(count_for("SELECT count(*) FROM meeting_decisions WHERE meeting_id = $1"
                           " AND superseded_at IS NULL", id), 1);

    free(id);
    free(agency);
    person_free(&requester);
    person_free(&manager);
}

Test(meetings_patch, SEC_6_read_only_fields_refused_by_name)
{
    char *agency = agency_new("childrens_social_care");
    char *other = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    char *id = meeting_new(&requester, "stop_and_review");

    json_t *attempts[] = {
        json_pack("{s:s}", "status", "authorised"),
        json_pack("{s:i}", "version", 9),
        json_pack("{s:s}", "convening_agency", other),
        json_pack("{s:{s:s, s:s}}", "requester", "sub", "someone-else", "name", "Someone"),
        json_pack("{s:s}", "id", "00000000-0000-4000-8000-000000000001"),
        json_pack("{s:s}", "reference", "MAM-1999-000001"),
        json_pack("{s:s}", "type", "strategy_discussion"),
        json_pack("{s:n}", "decision"),
        json_pack("{s:s}", "created_at", "2020-01-01T00:00:00Z"),
    };
    const char *fields[] = {"status", "version", "convening_agency", "requester", "id",
                            "reference", "type", "decision", "created_at"};
    char *before_other = db_fingerprint(other);
    for (size_t i = 0; i < sizeof attempts / sizeof attempts[0]; i++) {
        http_response *r = patch_refused(&requester, id, attempts[i], "\"1\"", 400);
        cr_assert(problem_has_field(r, fields[i]), "%s not named: %s", fields[i], r->body);
        http_free(r);
    }
    /* smuggled in beside a legitimate change, it spoils the whole patch */
    http_response *r = patch_refused(&requester, id,
                                     json_pack("{s:s, s:s}", "title", "Innocent", "status",
                                               "authorised"),
                                     "\"1\"", 400);
    cr_assert(problem_has_field(r, "status"), "%s", r->body);
    http_free(r);
    expect_unchanged(other, before_other);

    free(before_other);
    free(id);
    free(agency);
    free(other);
    person_free(&requester);
}

Test(meetings_patch, SEC_6_wrong_shapes_refused)
{
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    char *id = meeting_new(&requester, "stop_and_review");

    http_response *r = patch_refused(&requester, id, json_object(), "\"1\"", 400);
    http_free(r);
    r = patch_refused(&requester, id, json_pack("{s:i}", "title", 5), "\"1\"", 400);
    cr_assert(problem_has_field(r, "title"), "%s", r->body);
    http_free(r);
    r = patch_refused(&requester, id, json_pack("{s:s}", "children", "Alex"), "\"1\"", 400);
    cr_assert(problem_has_field(r, "children"), "%s", r->body);
    http_free(r);
    r = patch_refused(&requester, id, json_pack("{s:s}", "colour", "blue"), "\"1\"", 400);
    cr_assert(problem_has_field(r, "colour"), "%s", r->body);
    http_free(r);

    free(id);
    free(agency);
    person_free(&requester);
}

Test(meetings_patch, MTG_1_MTG_3_MTG_5_rules_rechecked)
{
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    char *id = meeting_new(&requester, "professionals_only");

    http_response *r =
        patch_refused(&requester, id, json_pack("{s:[]}", "criteria"), "\"1\"", 422);
    cr_assert(problem_has_rule(r, "MTG-1", "criteria"), "%s", r->body);
    http_free(r);
    r = patch_refused(&requester, id, json_pack("{s:[s]}", "criteria", "protect_working_relationship"),
                      "\"1\"", 422);
    cr_assert(problem_has_rule(r, "MTG-3", "criteria[0]"), "%s", r->body);
    http_free(r);
    r = patch_refused(&requester, id, json_pack("{s:[s]}", "criteria", "significant_harm_suspected"),
                      "\"1\"", 422);
    cr_assert(problem_has_rule(r, "MTG-2", "criteria[0]"), "%s", r->body);
    http_free(r);
    r = patch_refused(&requester, id, json_pack("{s:[]}", "children"), "\"1\"", 422);
    cr_assert(problem_has_rule(r, "MTG-1", "children"), "%s", r->body);
    http_free(r);
    r = patch_refused(&requester, id, json_pack("{s:[{s:s}]}", "children", "name", "No Dob"),
                      "\"1\"", 422);
    cr_assert(problem_has_rule(r, "MTG-5", "children[0]"), "%s", r->body);
    http_free(r);
    /* dropping the household without saying "none" */
    r = patch_refused(&requester, id, json_pack("{s:[]}", "other_children"), "\"1\"", 422);
    cr_assert(problem_has_rule(r, "MTG-5", "other_children"), "%s", r->body);
    http_free(r);
    /* null removes: a required member cannot be removed */
    r = patch_refused(&requester, id, json_pack("{s:n}", "title"), "\"1\"", 422);
    cr_assert(problem_has_rule(r, "MTG-1", "title"), "%s", r->body);
    http_free(r);

    /* but saying "none" is fine */
    r = patch(&requester, id, json_pack("{s:[], s:b}", "other_children", "no_other_children", 1),
              "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert(json_is_true(json_object_get(r->json, "no_other_children")));
    cr_assert_eq(json_array_size(json_object_get(r->json, "other_children")), 0);
    http_free(r);

    free(id);
    free(agency);
    person_free(&requester);
}

Test(meetings_patch, MTG_8_patch_of_declined_or_cancelled_refused)
{
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    person manager = person_new(agency, "manager");
    char *declined = meeting_new(&requester, "professionals");
    char *cancelled = meeting_new(&requester, "professionals");
    json_t *reason = json_pack("{s:s}", "reason", "Single-agency plan suffices");
    http_response *r = api_call("POST", meeting_path(declined, "decline"), manager.token, reason, "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    r = api_call("POST", meeting_path(cancelled, "cancel"), requester.token, reason, "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    json_decref(reason);

    const char *ids[] = {declined, cancelled};
    const person *editors[] = {&requester, &manager};
    for (size_t i = 0; i < 2; i++)
        for (size_t k = 0; k < 2; k++) {
            r = patch_refused(editors[k], ids[i], json_pack("{s:s}", "title", "Too late"), "\"2\"",
                              409);
            cr_assert(problem_has_rule(r, "MTG-8", NULL), "%s", r->body);
            http_free(r);
        }

    free(declined);
    free(cancelled);
    free(agency);
    person_free(&requester);
    person_free(&manager);
}

Test(meetings_patch, SEC_2_patch_by_stranger_is_404)
{
    char *agency = agency_new("childrens_social_care");
    char *elsewhere = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    person colleague = person_new(agency, "practitioner");
    person outsider = person_new(elsewhere, "manager");
    char *id = meeting_new(&requester, "professionals");
    char *before_elsewhere = db_fingerprint(elsewhere);

    const person *strangers[] = {&colleague, &outsider};
    for (size_t i = 0; i < 2; i++) {
        char *before = db_fingerprint(agency);
        http_response *r = patch(strangers[i], id, json_pack("{s:s}", "title", "Mine now"), "\"1\"");
        expect_problem(r, 404, NULL);
        cr_assert_null(json_object_get(r->json, "errors"), "%s", r->body);
        http_free(r);
        expect_unchanged(agency, before);
        free(before);
    }
    expect_unchanged(elsewhere, before_elsewhere);
    const char *params[] = {id};
    char *title = db_value("SELECT title FROM meetings WHERE id = $1", 1, params);
    cr_assert_str_eq(title, "Planning for a fictional family");
    free(title);

    free(before_elsewhere);
    free(id);
    free(agency);
    free(elsewhere);
    person_free(&requester);
    person_free(&colleague);
    person_free(&outsider);
}

Test(meetings_patch, stale_missing_or_malformed_if_match_changes_nothing)
{
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    char *id = meeting_new(&requester, "professionals");

    http_response *r = patch_refused(&requester, id, json_pack("{s:s}", "title", "A"), "\"5\"", 412);
    char *etag = http_header(r, "ETag");
    cr_assert_str_eq(etag, "\"1\"");
    free(etag);
    http_free(r);
    r = patch_refused(&requester, id, json_pack("{s:s}", "title", "B"), NULL, 428);
    http_free(r);
    r = patch_refused(&requester, id, json_pack("{s:s}", "title", "C"), "one", 400);
    cr_assert(problem_has_field(r, "If-Match"), "%s", r->body);
    http_free(r);

    /* a lost update: two editors read version 1, the second is refused */
    r = patch(&requester, id, json_pack("{s:s}", "title", "First edit"), "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    r = patch_refused(&requester, id, json_pack("{s:s}", "title", "Second edit"), "\"1\"", 412);
    etag = http_header(r, "ETag");
    cr_assert_str_eq(etag, "\"2\"");
    free(etag);
    http_free(r);
    /* "*" matches any version */
    r = patch(&requester, id, json_pack("{s:s}", "title", "Third edit"), "*");
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_eq(json_int(r->json, "version"), 3);
    http_free(r);

    free(id);
    free(agency);
    person_free(&requester);
}

Test(meetings_patch, INT_1_external_ref_null_clears_it)
{
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    char *id = meeting_new(&requester, "professionals");
    const char *params[] = {id};
    char *old_ref = db_value("SELECT external_id FROM meetings WHERE id = $1", 1, params);

    http_response *r = patch(&requester, id, json_pack("{s:n}", "external_ref"), "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert(json_is_null(json_object_get(r->json, "external_ref")), "%s", r->body);
    cr_assert_eq(json_int(r->json, "version"), 2);
    http_free(r);
    cr_assert_eq(count_for("SELECT count(*) FROM meetings WHERE id = $1"
                           " AND external_system IS NULL AND external_id IS NULL", id), 1);

    char list[256];
    snprintf(list, sizeof list, "/v1/meetings?external_ref=testcms:%s", old_ref);
    r = api_get(list, requester.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_eq(json_array_size(json_object_get(r->json, "items")), 0, "%s", r->body);
    http_free(r);

    /* and a new one can be set, and found */
    r = patch(&requester, id,
              json_pack("{s:{s:s, s:s}}", "external_ref", "system", "othercms", "id", old_ref),
              "\"2\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    snprintf(list, sizeof list, "/v1/meetings?external_ref=othercms:%s", old_ref);
    r = api_get(list, requester.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *items = json_object_get(r->json, "items");
    cr_assert_eq(json_array_size(items), 1, "%s", r->body);
    cr_assert_str_eq(json_str(json_array_get(items, 0), "id"), id);
    http_free(r);

    /* half a reference is not one */
    r = patch_refused(&requester, id, json_pack("{s:{s:s}}", "external_ref", "system", "othercms"),
                      "\"3\"", 422);
    cr_assert(problem_has_rule(r, "INT-1", "external_ref.id"), "%s", r->body);
    http_free(r);

    free(old_ref);
    free(id);
    free(agency);
    person_free(&requester);
}

/* docs/conventions.md: "in the handler, body shape (400), visibility (404),
 * permission (403), version (412), state (409), rules (422)". A value of the
 * wrong type is a shape problem (400) whatever the version and state. */
Test(meetings_patch, SEC_6_shape_is_checked_before_version)
{
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    char *id = meeting_new(&requester, "professionals");

    http_response *r = patch_refused(&requester, id, json_pack("{s:i}", "title", 5), "\"7\"", 400);
    cr_assert(problem_has_field(r, "title"), "%s", r->body);
    http_free(r);

    free(id);
    free(agency);
    person_free(&requester);
}

Test(meetings_patch, SEC_6_shape_is_checked_before_state)
{
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    person manager = person_new(agency, "manager");
    char *id = meeting_new(&requester, "professionals");
    json_t *reason = json_pack("{s:s}", "reason", "Single-agency plan suffices");
    http_response *r = api_call("POST", meeting_path(id, "decline"), manager.token, reason, "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    json_decref(reason);

    r = patch_refused(&requester, id, json_pack("{s:i}", "title", 5), "\"2\"", 400);
    cr_assert(problem_has_field(r, "title"), "%s", r->body);
    http_free(r);

    free(id);
    free(agency);
    person_free(&requester);
    person_free(&manager);
}

/* --- concurrent changes: optimistic locking holds under a race --- */

typedef struct shot {
    const char *method;
    const char *path;
    const char *token;
    const char *text;
    pthread_barrier_t *go;
    http_response *answer;
} shot;

static void *fire(void *arg)
{
    shot *s = arg;
    const char *headers[] = {"Content-Type: application/json", "If-Match: \"1\"", NULL};
    pthread_barrier_wait(s->go);
    s->answer = http_call(s->method, s->path, s->token, headers, s->text, strlen(s->text));
    return NULL;
}

static void fire_all(shot *shots, int n)
{
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, (unsigned)n);
    pthread_t threads[8];
    for (int i = 0; i < n; i++) {
        shots[i].go = &go;
        cr_assert_eq(pthread_create(&threads[i], NULL, fire, &shots[i]), 0);
    }
    for (int i = 0; i < n; i++)
        pthread_join(threads[i], NULL);
    pthread_barrier_destroy(&go);
}

Test(meetings_patch, concurrent_edits_of_one_version_only_one_wins)
{
    enum { SHOTS = 5 };
    curl_global_init(CURL_GLOBAL_ALL);
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    char *id = meeting_new(&requester, "professionals");
    char target[128];
    snprintf(target, sizeof target, "/v1/meetings/%s", id);

    char texts[SHOTS][64];
    shot shots[SHOTS];
    for (int i = 0; i < SHOTS; i++) {
        snprintf(texts[i], sizeof texts[i], "{\"title\": \"Edit number %d\"}", i);
        shots[i] = (shot){"PATCH", target, requester.token, texts[i], NULL, NULL};
    }
    fire_all(shots, SHOTS);

    int won = -1;
    for (int i = 0; i < SHOTS; i++) {
        http_response *r = shots[i].answer;
        if (r->status == 200) {
            cr_assert_eq(won, -1, "two edits of version 1 both succeeded");
            won = i;
        } else {
            expect_problem(r, 412, NULL);
        }
    }
    cr_assert_neq(won, -1, "one edit succeeds");
    const char *params[] = {id};
    cr_assert_eq(db_long("SELECT version FROM meetings WHERE id = $1", 1, params), 2);
    char *title = db_value("SELECT title FROM meetings WHERE id = $1", 1, params);
    char expected[32];
    snprintf(expected, sizeof expected, "Edit number %d", won);
    cr_assert_str_eq(title, expected, "the stored title is the winner's");
    free(title);
    cr_assert_eq(count_for("SELECT count(*) FROM audit_events WHERE resource_id = $1"
                           " AND action = 'meeting.update'", id), 1);
    cr_assert_eq(count_for("SELECT count(*) FROM events WHERE resource_id = $1"
                           " AND type = 'meeting.updated'", id), 1);

    for (int i = 0; i < SHOTS; i++)
        http_free(shots[i].answer);
    free(id);
    free(agency);
    person_free(&requester);
    curl_global_cleanup();
}

Test(meetings_patch, MTG_8_concurrent_authorise_and_decline_only_one_decides)
{
    curl_global_init(CURL_GLOBAL_ALL);
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    person one = person_new(agency, "manager");
    person two = person_new(agency, "manager");
    char *id = meeting_new(&requester, "stop_and_review");
    char authorise[128], decline[128];
    snprintf(authorise, sizeof authorise, "/v1/meetings/%s/authorise", id);
    snprintf(decline, sizeof decline, "/v1/meetings/%s/decline", id);

    shot shots[4] = {
        {"POST", authorise, one.token, "{}", NULL, NULL},
        {"POST", decline, two.token, "{\"reason\": \"Single-agency plan\"}", NULL, NULL},
        {"POST", authorise, two.token, "{}", NULL, NULL},
        {"POST", decline, one.token, "{\"reason\": \"Not needed\"}", NULL, NULL},
    };
    fire_all(shots, 4);

    int decided = 0;
    for (int i = 0; i < 4; i++) {
        http_response *r = shots[i].answer;
        if (r->status == 200)
            decided++;
        else
            expect_problem(r, 412, NULL);
    }
    cr_assert_eq(decided, 1, "exactly one decision on one request");
    const char *params[] = {id};
    cr_assert_eq(db_long("SELECT version FROM meetings WHERE id = $1", 1, params), 2);
    cr_assert_eq(count_for("SELECT count(*) FROM audit_events WHERE resource_id = $1"
                           " AND action IN ('meeting.authorise', 'meeting.decline')", id), 1);

    for (int i = 0; i < 4; i++)
        http_free(shots[i].answer);
    free(id);
    free(agency);
    person_free(&requester);
    person_free(&one);
    person_free(&two);
    curl_global_cleanup();
}
