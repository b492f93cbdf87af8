/* Meetings requested, authorised, declined and cancelled over real HTTP
 * against the real database (MTG-1, MTG-4, MTG-8, SEC-2, SEC-6).
 *
 * Every refusal is checked four ways: the status, the problem+json media
 * type, the errors[] entry naming the rule or field, and a database
 * fingerprint of every agency involved taken before and after. */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/client.h"
#include "support/expect.h"
#include "support/fixtures.h"
#include "support/people.h"

/* A state command with an optional {"reason": ...} body. */
static http_response *command(const person *p, const char *id, const char *name,
                              const char *reason, const char *if_match)
{
    json_t *body = reason ? json_pack("{s:s}", "reason", reason) : NULL;
    http_response *r = api_call("POST", meeting_path(id, name), p->token, body, if_match);
    json_decref(body);
    return r;
}

/* The stored status of a meeting, read directly (a new string). */
static char *stored_status(const char *id)
{
    const char *params[] = {id};
    return db_value("SELECT status FROM meetings WHERE id = $1", 1, params);
}

static long count_for(const char *sql, const char *id)
{
    const char *params[] = {id};
    return db_long(sql, 1, params);
}

static void expect_status(const char *id, const char *status)
{
    char *s = stored_status(id);
    cr_assert_str_eq(s, status);
    free(s);
}

Test(meetings, MTG_4_request_then_authorise_full_path)
{
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    person manager = person_new(agency, "manager");

    json_t *body = meeting_body("stop_and_review");
    http_response *r = api_call("POST", "/v1/meetings", requester.token, body, NULL);
    cr_assert_eq(r->status, 201, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "status"), "requested");
    cr_assert_eq(json_int(r->json, "version"), 1);
    char *etag = http_header(r, "ETag");
    cr_assert_str_eq(etag, "\"1\"");
    char *location = http_header(r, "Location");
    char *id = strdup(json_str(r->json, "id"));
    cr_assert(strstr(location, id));
    const char *reference = json_str(r->json, "reference");
    cr_assert(reference && strncmp(reference, "MAM-", 4) == 0, "reference %s", reference);
    http_free(r);

    r = api_call("POST", meeting_path(id, "authorise"), manager.token, NULL, "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "status"), "authorised");
    json_t *decision = json_object_get(r->json, "decision");
    cr_assert_str_eq(json_str(decision, "outcome"), "authorised");
    http_free(r);

    r = api_get(meeting_path(id, NULL), requester.token);
    cr_assert_eq(r->status, 200);
    cr_assert_str_eq(json_str(r->json, "status"), "authorised");
    cr_assert_eq(json_int(r->json, "version"), 2);
    http_free(r);

    const char *params[] = {id};
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE resource_id = $1"
                         " AND action IN ('meeting.create', 'meeting.authorise', 'meeting.read')",
                         1, params),
                 3);
    cr_assert_eq(db_long("SELECT count(*) FROM events WHERE resource_id = $1", 1, params), 2);

    json_decref(body);
    free(etag);
    free(location);
    free(id);
    free(agency);
    person_free(&requester);
    person_free(&manager);
}

/* --- decline (MTG-4) --- */

Test(meetings, MTG_4_decline_with_reason)
{
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    person manager = person_new(agency, "manager");
    char *id = meeting_new(&requester, "professionals");

    http_response *r = command(&manager, id, "decline", "Needs can be met by a single agency", "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "status"), "declined");
    cr_assert_eq(json_int(r->json, "version"), 2);
    char *etag = http_header(r, "ETag");
    cr_assert_str_eq(etag, "\"2\"");
    json_t *decision = json_object_get(r->json, "decision");
    cr_assert_str_eq(json_str(decision, "outcome"), "declined");
    cr_assert_str_eq(json_str(decision, "reason"), "Needs can be met by a single agency");
    cr_assert_str_eq(json_str(json_object_get(decision, "by"), "sub"), manager.who.sub);
    http_free(r);

    expect_status(id, "declined");
    cr_assert_eq(count_for("SELECT count(*) FROM audit_events WHERE resource_id = $1"
                           " AND action = 'meeting.decline'", id), 1);
    cr_assert_eq(count_for("SELECT count(*) FROM events WHERE resource_id = $1"
                           " AND type = 'meeting.declined'", id), 1);

    free(etag);
    free(id);
    free(agency);
    person_free(&requester);
    person_free(&manager);
}

Test(meetings, MTG_4_decline_without_reason_refused)
{
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    person manager = person_new(agency, "manager");
    char *id = meeting_new(&requester, "professionals");
    char *before = db_fingerprint(agency);

    /* no body at all, an empty object, and a blank reason */
    http_response *r = command(&manager, id, "decline", NULL, "\"1\"");
    expect_problem(r, 422, NULL);
    cr_assert(problem_has_rule(r, "MTG-4", "reason"), "%s", r->body);
    http_free(r);
    expect_unchanged(agency, before);

    json_t *empty = json_object();
    r = api_call("POST", meeting_path(id, "decline"), manager.token, empty, "\"1\"");
    json_decref(empty);
    expect_problem(r, 422, NULL);
    cr_assert(problem_has_rule(r, "MTG-4", "reason"), "%s", r->body);
    http_free(r);
    expect_unchanged(agency, before);

    r = command(&manager, id, "decline", "   ", "\"1\"");
    expect_problem(r, 422, NULL);
    cr_assert(problem_has_rule(r, "MTG-4", "reason"), "%s", r->body);
    http_free(r);
    expect_unchanged(agency, before);
    expect_status(id, "requested");

    free(before);
    free(id);
    free(agency);
    person_free(&requester);
    person_free(&manager);
}

Test(meetings, SEC_6_decline_reason_of_wrong_type_refused)
{
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    person manager = person_new(agency, "manager");
    char *id = meeting_new(&requester, "professionals");
    char *before = db_fingerprint(agency);

    json_t *body = json_pack("{s:i}", "reason", 42);
    http_response *r = api_call("POST", meeting_path(id, "decline"), manager.token, body, "\"1\"");
    expect_problem(r, 400, NULL);
    cr_assert(problem_has_field(r, "reason"), "%s", r->body);
    http_free(r);
    json_decref(body);

    /* authorise takes no reason: anything in its body is unknown */
    body = json_pack("{s:s}", "reason", "looks fine");
    r = api_call("POST", meeting_path(id, "authorise"), manager.token, body, "\"1\"");
    expect_problem(r, 400, NULL);
    cr_assert(problem_has_field(r, "reason"), "%s", r->body);
    http_free(r);
    json_decref(body);

    expect_unchanged(agency, before);
    expect_status(id, "requested");

    free(before);
    free(id);
    free(agency);
    person_free(&requester);
    person_free(&manager);
}

/* --- cancel (MTG-8) --- */

Test(meetings, MTG_8_cancel_with_reason_from_requested)
{
    char *agency = agency_new("health");
    person requester = person_new(agency, "practitioner");
    char *id = meeting_new(&requester, "multi_agency");

    http_response *r = command(&requester, id, "cancel", "Concerns resolved by phone", "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "status"), "cancelled");
    cr_assert_eq(json_int(r->json, "version"), 2);
    json_t *cancellation = json_object_get(r->json, "cancellation");
    cr_assert_str_eq(json_str(cancellation, "reason"), "Concerns resolved by phone");
    cr_assert_str_eq(json_str(json_object_get(cancellation, "by"), "sub"), requester.who.sub);
    cr_assert(json_is_null(json_object_get(r->json, "decision")), "%s", r->body);
    http_free(r);

    expect_status(id, "cancelled");
    cr_assert_eq(count_for("SELECT count(*) FROM audit_events WHERE resource_id = $1"
                           " AND action = 'meeting.cancel'", id), 1);
    cr_assert_eq(count_for("SELECT count(*) FROM events WHERE resource_id = $1"
                           " AND type = 'meeting.cancelled'", id), 1);

    free(id);
    free(agency);
    person_free(&requester);
}

Test(meetings, MTG_8_cancel_with_reason_from_authorised)
{
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    person manager = person_new(agency, "manager");
    char *id = meeting_new(&requester, "stop_and_review");
    cr_assert_eq(meeting_authorise(&manager, id, 1), 2);

    http_response *r = command(&manager, id, "cancel", "Family moved out of the area", "\"2\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "status"), "cancelled");
    cr_assert_eq(json_int(r->json, "version"), 3);
    char *etag = http_header(r, "ETag");
    cr_assert_str_eq(etag, "\"3\"");
    json_t *cancellation = json_object_get(r->json, "cancellation");
    cr_assert_str_eq(json_str(cancellation, "reason"), "Family moved out of the area");
    cr_assert_str_eq(json_str(json_object_get(r->json, "decision"), "outcome"), "authorised");
    http_free(r);
    expect_status(id, "cancelled");

    free(etag);
    free(id);
    free(agency);
    person_free(&requester);
    person_free(&manager);
}

Test(meetings, MTG_8_cancel_without_reason_refused)
{
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    person manager = person_new(agency, "manager");
    char *requested = meeting_new(&requester, "professionals");
    char *authorised = meeting_new(&requester, "professionals");
    cr_assert_eq(meeting_authorise(&manager, authorised, 1), 2);
    char *before = db_fingerprint(agency);

    http_response *r = command(&requester, requested, "cancel", NULL, "\"1\"");
    expect_problem(r, 422, NULL);
    cr_assert(problem_has_rule(r, "MTG-8", "reason"), "%s", r->body);
    http_free(r);
    expect_unchanged(agency, before);

    r = command(&manager, authorised, "cancel", "", "\"2\"");
    expect_problem(r, 422, NULL);
    cr_assert(problem_has_rule(r, "MTG-8", "reason"), "%s", r->body);
    http_free(r);
    expect_unchanged(agency, before);

    expect_status(requested, "requested");
    expect_status(authorised, "authorised");

    free(before);
    free(requested);
    free(authorised);
    free(agency);
    person_free(&requester);
    person_free(&manager);
}

Test(meetings, MTG_8_cancel_of_declined_or_cancelled_refused)
{
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    person manager = person_new(agency, "manager");
    char *declined = meeting_new(&requester, "professionals");
    char *cancelled = meeting_new(&requester, "professionals");

    http_response *r = command(&manager, declined, "decline", "Single-agency plan suffices", "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    r = command(&requester, cancelled, "cancel", "No longer needed", "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    char *before = db_fingerprint(agency);

    r = command(&requester, declined, "cancel", "Trying again", "\"2\"");
    expect_problem(r, 409, NULL);
    cr_assert(problem_has_rule(r, "MTG-8", NULL), "%s", r->body);
    http_free(r);
    expect_unchanged(agency, before);

    r = command(&manager, cancelled, "cancel", "Cancel it twice", "\"2\"");
    expect_problem(r, 409, NULL);
    cr_assert(problem_has_rule(r, "MTG-8", NULL), "%s", r->body);
    http_free(r);
    expect_unchanged(agency, before);

    /* and no decision on either any more */
    r = command(&manager, declined, "authorise", NULL, "\"2\"");
    expect_problem(r, 409, NULL);
    cr_assert(problem_has_rule(r, "MTG-8", NULL), "%s", r->body);
    http_free(r);
    r = command(&manager, cancelled, "decline", "Too late", "\"2\"");
    expect_problem(r, 409, NULL);
    cr_assert(problem_has_rule(r, "MTG-8", NULL), "%s", r->body);
    http_free(r);
    expect_unchanged(agency, before);

    expect_status(declined, "declined");
    expect_status(cancelled, "cancelled");

    free(before);
    free(declined);
    free(cancelled);
    free(agency);
    person_free(&requester);
    person_free(&manager);
}

Test(meetings, MTG_8_authorise_twice_refused)
{
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    person manager = person_new(agency, "manager");
    person other_manager = person_new(agency, "manager");
    char *id = meeting_new(&requester, "stop_and_review");
    cr_assert_eq(meeting_authorise(&manager, id, 1), 2);
    char *before = db_fingerprint(agency);

    http_response *r = command(&other_manager, id, "authorise", NULL, "\"2\"");
    expect_problem(r, 409, NULL);
    cr_assert(problem_has_rule(r, "MTG-8", "status"), "%s", r->body);
    http_free(r);
    expect_unchanged(agency, before);

    /* nor can an authorised meeting be declined afterwards */
    r = command(&other_manager, id, "decline", "Changed my mind", "\"2\"");
    expect_problem(r, 409, NULL);
    cr_assert(problem_has_rule(r, "MTG-8", "status"), "%s", r->body);
    http_free(r);
    expect_unchanged(agency, before);

    const char *params[] = {id};
    cr_assert_eq(db_long("SELECT version FROM meetings WHERE id = $1", 1, params), 2);
    expect_status(id, "authorised");

    free(before);
    free(id);
    free(agency);
    person_free(&requester);
    person_free(&manager);
    person_free(&other_manager);
}

/* --- who decides (MTG-4, SEC-2) --- */

Test(meetings, MTG_4_manager_cannot_authorise_own_request)
{
    char *agency = agency_new("childrens_social_care");
    person manager = person_new(agency, "manager");
    person colleague = person_new(agency, "manager");
    char *id = meeting_new(&manager, "professionals_only");
    char *before = db_fingerprint(agency);

    http_response *r = command(&manager, id, "authorise", NULL, "\"1\"");
    expect_problem(r, 403, NULL);
    cr_assert(problem_has_rule(r, "MTG-4", NULL), "%s", r->body);
    http_free(r);
    expect_unchanged(agency, before);

    r = command(&manager, id, "decline", "Not needed after all", "\"1\"");
    expect_problem(r, 403, NULL);
    cr_assert(problem_has_rule(r, "MTG-4", NULL), "%s", r->body);
    http_free(r);
    expect_unchanged(agency, before);
    expect_status(id, "requested");

    /* a second manager of the same agency can */
    cr_assert_eq(meeting_authorise(&colleague, id, 1), 2);

    free(before);
    free(id);
    free(agency);
    person_free(&manager);
    person_free(&colleague);
}

Test(meetings, MTG_4_practitioner_requester_cannot_authorise)
{
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner,senior_practitioner");
    char *id = meeting_new(&requester, "professionals");
    char *before = db_fingerprint(agency);

    http_response *r = command(&requester, id, "authorise", NULL, "\"1\"");
    expect_problem(r, 403, NULL);
    cr_assert(problem_has_rule(r, "MTG-4", NULL), "%s", r->body);
    http_free(r);
    expect_unchanged(agency, before);
    expect_status(id, "requested");

    free(before);
    free(id);
    free(agency);
    person_free(&requester);
}

/* Whether GET /v1/meetings, read as p, lists the meeting. */
static bool listed_for(const person *p, const char *id)
{
    http_response *r = api_get("/v1/meetings?limit=200", p->token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    bool found = false;
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(r->json, "items"), i, item) {
        const char *mid = json_str(item, "id");
        found |= mid && strcmp(mid, id) == 0;
    }
    http_free(r);
    return found;
}

Test(meetings, MTG_4_senior_manager_authorises)
{
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    person senior = person_new(agency, "senior_manager");
    char *id = meeting_new(&requester, "professionals");

    http_response *r = command(&senior, id, "authorise", NULL, "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "status"), "authorised");
    json_t *decision = json_object_get(r->json, "decision");
    cr_assert_str_eq(json_str(decision, "outcome"), "authorised");
    cr_assert_str_eq(json_str(json_object_get(decision, "by"), "sub"), senior.who.sub);
    http_free(r);
    expect_status(id, "authorised");
    cr_assert_eq(count_for("SELECT count(*) FROM audit_events WHERE resource_id = $1"
                           " AND action = 'meeting.authorise'", id), 1);
    cr_assert_eq(count_for("SELECT count(*) FROM events WHERE resource_id = $1"
                           " AND type = 'meeting.authorised'", id), 1);

    free(id);
    free(agency);
    person_free(&requester);
    person_free(&senior);
}

Test(meetings, MTG_4_safeguarding_lead_sees_and_authorises_a_colleagues_stop_and_review)
{
    char *school = agency_new("education");
    person teacher = person_new(school, "practitioner");
    person dsl = person_new(school, "safeguarding_lead");
    char *id = meeting_new(&teacher, "stop_and_review");

    /* the school's designated safeguarding lead sees the request it may decide */
    http_response *r = api_get(meeting_path(id, NULL), dsl.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "status"), "requested");
    http_free(r);
    cr_assert(listed_for(&dsl, id), "the request is in the lead's list");
    char url[160];
    snprintf(url, sizeof url, "/v1/meetings?status=requested&type=stop_and_review&limit=200");
    r = api_get(url, dsl.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert(strstr(r->body, id), "filtered lists show it too: %s", r->body);
    http_free(r);

    r = command(&dsl, id, "authorise", NULL, "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "status"), "authorised");
    json_t *decision = json_object_get(r->json, "decision");
    cr_assert_str_eq(json_str(json_object_get(decision, "by"), "sub"), dsl.who.sub);
    http_free(r);
    expect_status(id, "authorised");
    cr_assert_eq(count_for("SELECT count(*) FROM audit_events WHERE resource_id = $1"
                           " AND action = 'meeting.authorise'", id), 1);
    cr_assert_eq(count_for("SELECT count(*) FROM events WHERE resource_id = $1"
                           " AND type = 'meeting.authorised'", id), 1);

    /* whoever decided keeps sight of what they decided */
    r = api_get(meeting_path(id, NULL), dsl.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "status"), "authorised");
    http_free(r);
    cr_assert(listed_for(&dsl, id));

    free(id);
    free(school);
    person_free(&teacher);
    person_free(&dsl);
}

Test(meetings, MTG_4_safeguarding_lead_declines_with_reason)
{
    char *school = agency_new("education");
    person teacher = person_new(school, "practitioner");
    person dsl = person_new(school, "safeguarding_lead");
    char *id = meeting_new(&teacher, "stop_and_review");
    char *before = db_fingerprint(school);

    /* a decline needs its reason, from the lead as from a manager */
    http_response *r = command(&dsl, id, "decline", NULL, "\"1\"");
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert(problem_has_rule(r, "MTG-4", "reason"), "%s", r->body);
    http_free(r);
    expect_unchanged(school, before);

    r = command(&dsl, id, "decline", "The school's own plan is working; review in a month",
                "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "status"), "declined");
    json_t *decision = json_object_get(r->json, "decision");
    cr_assert_str_eq(json_str(decision, "outcome"), "declined");
    cr_assert_str_eq(json_str(decision, "reason"),
                     "The school's own plan is working; review in a month");
    cr_assert_str_eq(json_str(json_object_get(decision, "by"), "sub"), dsl.who.sub);
    http_free(r);
    expect_status(id, "declined");
    cr_assert_eq(count_for("SELECT count(*) FROM audit_events WHERE resource_id = $1"
                           " AND action = 'meeting.decline'", id), 1);
    cr_assert_eq(count_for("SELECT count(*) FROM events WHERE resource_id = $1"
                           " AND type = 'meeting.declined'", id), 1);

    free(before);
    free(id);
    free(school);
    person_free(&teacher);
    person_free(&dsl);
}

Test(meetings, MTG_4_safeguarding_lead_cannot_see_a_professionals_request_404)
{
    char *school = agency_new("education");
    person teacher = person_new(school, "practitioner");
    person dsl = person_new(school, "safeguarding_lead");
    char *id = meeting_new(&teacher, "professionals");
    char *before = db_fingerprint(school);

    http_response *r = api_get(meeting_path(id, NULL), dsl.token);
    expect_problem(r, 404, "/problems/not-found");
    http_free(r);
    r = command(&dsl, id, "authorise", NULL, "\"1\"");
    expect_problem(r, 404, "/problems/not-found");
    cr_assert_null(json_object_get(r->json, "errors"), "%s", r->body);
    http_free(r);
    expect_unchanged(school, before);
    expect_status(id, "requested");
    cr_assert_not(listed_for(&dsl, id)); /* (a list is audited: after the comparison) */

    free(before);
    free(id);
    free(school);
    person_free(&teacher);
    person_free(&dsl);
}

Test(meetings, MTG_4_safeguarding_lead_cannot_authorise_own_request_403)
{
    char *school = agency_new("education");
    person dsl = person_new(school, "safeguarding_lead");
    char *id = meeting_new(&dsl, "stop_and_review");
    char *before = db_fingerprint(school);

    http_response *r = command(&dsl, id, "authorise", NULL, "\"1\"");
    expect_problem(r, 403, "/problems/forbidden");
    cr_assert(problem_has_rule(r, "MTG-4", NULL), "%s", r->body);
    http_free(r);
    expect_unchanged(school, before);
    expect_status(id, "requested");

    free(before);
    free(id);
    free(school);
    person_free(&dsl);
}

Test(meetings, MTG_4_safeguarding_lead_of_another_agency_sees_nothing_404)
{
    char *school = agency_new("education");
    char *other_school = agency_new("education");
    person teacher = person_new(school, "practitioner");
    person other_dsl = person_new(other_school, "safeguarding_lead");
    char *id = meeting_new(&teacher, "stop_and_review");
    char *before = db_fingerprint(school);

    http_response *r = command(&other_dsl, id, "authorise", NULL, "\"1\"");
    expect_problem(r, 404, "/problems/not-found");
    http_free(r);
    expect_unchanged(school, before);
    expect_status(id, "requested");
    cr_assert_not(listed_for(&other_dsl, id)); /* (a list is audited: after the comparison) */

    free(before);
    free(id);
    free(school);
    free(other_school);
    person_free(&teacher);
    person_free(&other_dsl);
}

Test(meetings, MTG_4_SEC_2_safeguarding_lead_no_longer_sees_a_request_another_manager_decided)
{
    char *school = agency_new("education");
    person teacher = person_new(school, "practitioner");
    person dsl = person_new(school, "safeguarding_lead");
    person head = person_new(school, "manager");
    char *id = meeting_new(&teacher, "stop_and_review");

    http_response *r = api_get(meeting_path(id, NULL), dsl.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    cr_assert_eq(meeting_authorise(&head, id, 1), 2);

    /* no longer a request awaiting the lead's decision, and not theirs */
    char *before = db_fingerprint(school);
    r = api_get(meeting_path(id, NULL), dsl.token);
    expect_problem(r, 404, "/problems/not-found");
    http_free(r);
    r = command(&dsl, id, "cancel", "Not needed", "\"2\"");
    expect_problem(r, 404, "/problems/not-found");
    http_free(r);
    expect_unchanged(school, before);
    expect_status(id, "authorised");
    cr_assert_not(listed_for(&dsl, id)); /* (a list is audited: after the comparison) */

    free(before);
    free(id);
    free(school);
    person_free(&teacher);
    person_free(&dsl);
    person_free(&head);
}

/* The members of a 404 that could tell one missing meeting from another. */
static void expect_same_not_found(const http_response *a, const http_response *b)
{
    cr_assert_str_eq(json_str(a->json, "type"), json_str(b->json, "type"));
    cr_assert_str_eq(json_str(a->json, "title"), json_str(b->json, "title"));
    cr_assert_str_eq(json_str(a->json, "detail"), json_str(b->json, "detail"));
    cr_assert_null(json_object_get(a->json, "errors"), "%s", a->body);
    char *etag = http_header(a, "ETag");
    bool has_etag = etag != NULL;
    free(etag);
    cr_assert(!has_etag, "a 404 carries no ETag");
}

Test(meetings, SEC_2_manager_of_another_agency_gets_404)
{
    char *agency = agency_new("childrens_social_care");
    char *elsewhere = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    person outsider = person_new(elsewhere, "manager");
    char *id = meeting_new(&requester, "stop_and_review");
    char *before = db_fingerprint(agency);
    char *before_elsewhere = db_fingerprint(elsewhere);

    /* what a meeting that does not exist at all looks like */
    http_response *absent =
        command(&outsider, "00000000-0000-4000-8000-000000000000", "authorise", NULL, "\"1\"");
    expect_problem(absent, 404, NULL);

    const char *commands[] = {"authorise", "decline", "cancel"};
    for (size_t i = 0; i < 3; i++) {
        http_response *r = command(&outsider, id, commands[i],
                                   i ? "I should not be able to" : NULL, "\"1\"");
        expect_problem(r, 404, NULL);
        expect_same_not_found(r, absent);
        http_free(r);
    }
    http_response *r = api_get(meeting_path(id, NULL), outsider.token);
    expect_problem(r, 404, NULL);
    expect_same_not_found(r, absent);
    http_free(r);
    http_free(absent);

    expect_unchanged(agency, before);
    expect_unchanged(elsewhere, before_elsewhere);
    expect_status(id, "requested");

    free(before);
    free(before_elsewhere);
    free(id);
    free(agency);
    free(elsewhere);
    person_free(&requester);
    person_free(&outsider);
}

Test(meetings, SEC_2_practitioner_of_convening_agency_cannot_see_or_authorise)
{
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    person colleague = person_new(agency, "practitioner,senior_practitioner");
    char *id = meeting_new(&requester, "stop_and_review");
    char *before = db_fingerprint(agency);

    /* not the requester and not a manager: SEC-2 hides the meeting */
    http_response *r = command(&colleague, id, "authorise", NULL, "\"1\"");
    expect_problem(r, 404, NULL);
    http_free(r);
    r = command(&colleague, id, "cancel", "Not mine to cancel", "\"1\"");
    expect_problem(r, 404, NULL);
    http_free(r);
    r = api_get(meeting_path(id, NULL), colleague.token);
    expect_problem(r, 404, NULL);
    http_free(r);

    expect_unchanged(agency, before);
    expect_status(id, "requested");

    free(before);
    free(id);
    free(agency);
    person_free(&requester);
    person_free(&colleague);
}

/* --- If-Match on commands --- */

Test(meetings, stale_if_match_on_authorise_gets_412_and_changes_nothing)
{
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    person manager = person_new(agency, "manager");
    char *id = meeting_new(&requester, "stop_and_review");
    char *before = db_fingerprint(agency);

    http_response *r = command(&manager, id, "authorise", NULL, "\"5\"");
    expect_problem(r, 412, NULL);
    char *etag = http_header(r, "ETag");
    cr_assert_str_eq(etag, "\"1\"", "a 412 tells the current version");
    free(etag);
    http_free(r);
    expect_unchanged(agency, before);

    /* a weak tag never matches for a change */
    r = command(&manager, id, "authorise", NULL, "W/\"1\"");
    expect_problem(r, 412, NULL);
    http_free(r);
    expect_unchanged(agency, before);

    /* after a change the old tag is stale */
    r = command(&requester, id, "cancel", "Raised in error", "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    char *after_cancel = db_fingerprint(agency);
    r = command(&requester, id, "cancel", "Raised in error", "\"1\"");
    expect_problem(r, 412, NULL);
    http_free(r);
    expect_unchanged(agency, after_cancel);

    free(after_cancel);
    free(before);
    free(id);
    free(agency);
    person_free(&requester);
    person_free(&manager);
}

Test(meetings, missing_if_match_on_commands_gets_428_and_changes_nothing)
{
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    person manager = person_new(agency, "manager");
    char *id = meeting_new(&requester, "stop_and_review");
    char *before = db_fingerprint(agency);

    http_response *r = command(&manager, id, "authorise", NULL, NULL);
    expect_problem(r, 428, NULL);
    http_free(r);
    r = command(&manager, id, "decline", "A reason", NULL);
    expect_problem(r, 428, NULL);
    http_free(r);
    r = command(&requester, id, "cancel", "A reason", NULL);
    expect_problem(r, 428, NULL);
    http_free(r);

    expect_unchanged(agency, before);
    expect_status(id, "requested");

    free(before);
    free(id);
    free(agency);
    person_free(&requester);
    person_free(&manager);
}

Test(meetings, malformed_if_match_on_commands_gets_400)
{
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    person manager = person_new(agency, "manager");
    char *id = meeting_new(&requester, "stop_and_review");
    char *before = db_fingerprint(agency);

    const char *bad[] = {"1", "\"1", "\"1\" junk", "\"1\",", "W/1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        http_response *r = command(&manager, id, "authorise", NULL, bad[i]);
        expect_problem(r, 400, NULL);
        cr_assert(problem_has_field(r, "If-Match"), "If-Match %s: %s", bad[i], r->body);
        http_free(r);
    }
    expect_unchanged(agency, before);
    expect_status(id, "requested");

    free(before);
    free(id);
    free(agency);
    person_free(&requester);
    person_free(&manager);
}

/* RFC 9110 8.8.3.2: If-Match uses the strong comparison, "both entity tags
 * are not weak and their opaque-tags match character-by-character". The
 * meeting's ETag is "1"; "01" and "+1" are other tags, so they are stale. */
Test(meetings, if_match_compares_entity_tags_character_by_character)
{
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    person manager = person_new(agency, "manager");
    char *id = meeting_new(&requester, "stop_and_review");
    char *before = db_fingerprint(agency);

    const char *others[] = {"\"01\"", "\"+1\"", "\"1.0\""};
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        http_response *r = command(&manager, id, "authorise", NULL, others[i]);
        expect_problem(r, 412, NULL);
        http_free(r);
        expect_unchanged(agency, before);
    }
    expect_status(id, "requested");
    /* a list naming the current tag among others matches */
    http_response *r = command(&manager, id, "authorise", NULL, "\"7\", \"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);

    free(before);
    free(id);
    free(agency);
    person_free(&requester);
    person_free(&manager);
}
