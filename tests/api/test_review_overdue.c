/* The next review date is followed (MTG-12), over real HTTP against the
 * real database: the date agreed in approved minutes is the meeting's
 * `next_review_on`; once it passes (by the test clock) with no review
 * meeting requested (MTG-9), the meeting is `review_overdue` and listed in
 * GET /v1/reports/review-overdue for its convening side — its requester
 * and the managers of the convening agency — and for nobody else; a review
 * requested at any time, earlier too, takes it off. */
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

#include "held_meeting.h"

#define REPORT "/v1/reports/review-overdue"

/* Whether the report, read as `by`, lists the meeting (every page). */
static bool reported(const person *by, const char *meeting_id)
{
    char path[512];
    char *cursor = NULL;
    bool found = false;
    for (int pages = 0; pages < 50 && !found; pages++) {
        if (cursor)
            snprintf(path, sizeof path, REPORT "?limit=200&cursor=%s", cursor);
        else
            snprintf(path, sizeof path, REPORT "?limit=200");
        http_response *r = api_get(path, by->token);
        cr_assert_eq(r->status, 200, "%s", r->body);
        size_t i;
        json_t *item;
        json_array_foreach(json_object_get(r->json, "items"), i, item) {
            const char *id = json_str(item, "id");
            if (id && strcmp(id, meeting_id) == 0) {
                found = true;
                cr_assert(json_is_true(json_object_get(item, "review_overdue")), "%s", r->body);
            }
        }
        const char *next = json_str(r->json, "next_cursor");
        free(cursor);
        cursor = next ? strdup(next) : NULL;
        http_free(r);
        if (!cursor)
            break;
    }
    free(cursor);
    return found;
}

/* The meeting as `by` reads it (a new reference). */
static json_t *meeting_read(const person *by, const char *meeting_id)
{
    http_response *r = api_get(meeting_path(meeting_id, NULL), by->token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *j = json_incref(r->json);
    http_free(r);
    return j;
}

static bool review_overdue(const person *by, const char *meeting_id)
{
    json_t *m = meeting_read(by, meeting_id);
    bool overdue = json_is_true(json_object_get(m, "review_overdue"));
    json_decref(m);
    return overdue;
}

/* A held meeting whose approved minutes agree a review `days` from today
 * (0: a reason for none). */
static void reviewed_in(planned *p, long days)
{
    held_meeting_now(p, "multi_agency");
    held_minutes_approved(p, &p->manager, held_complete_minutes(p, days));
}

Test(review_overdue, MTG_12_passed_next_review_reported_to_the_convening_side)
{
    planned p;
    reviewed_in(&p, 10);
    char review[11];
    held_date_from_today(10, review);
    json_t *m = meeting_read(&p.requester, p.meeting_id);
    cr_assert_str_eq(json_str(m, "next_review_on"), review);
    cr_assert(json_is_false(json_object_get(m, "review_overdue")), "not yet");
    json_decref(m);
    const char *params[] = {p.meeting_id, review};
    cr_assert_eq(db_long("SELECT count(*) FROM meetings WHERE id = $1 AND next_review_on = $2",
                         2, params),
                 1);
    cr_assert(!reported(&p.requester, p.meeting_id), "the date has not come");

    /* on the review date itself it is not overdue yet */
    test_clock_advance(10 * HELD_DAY);
    cr_assert(!reported(&p.requester, p.meeting_id));
    cr_assert(!review_overdue(&p.requester, p.meeting_id));

    /* the day after, with no review requested */
    test_clock_advance(HELD_DAY);
    cr_assert(review_overdue(&p.requester, p.meeting_id));
    cr_assert(reported(&p.requester, p.meeting_id), "the requester is told");
    cr_assert(reported(&p.manager, p.meeting_id), "a manager of the convening agency is told");
    person senior = person_new(p.csc, "senior_manager");
    cr_assert(reported(&senior, p.meeting_id));
    /* an invitee sees the meeting, overdue, but it is not theirs to follow */
    cr_assert(review_overdue(&p.police_officer, p.meeting_id));
    cr_assert(!reported(&p.police_officer, p.meeting_id), "not for an invitee");
    /* and a stranger sees nothing */
    char *elsewhere = agency_new("childrens_social_care");
    person stranger = person_new(elsewhere, "manager");
    cr_assert(!reported(&stranger, p.meeting_id));

    /* the report states its day and is audited with the ids it showed */
    http_response *r = api_get(REPORT, p.requester.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    char today[11];
    held_date_from_today(0, today);
    cr_assert_str_eq(json_str(r->json, "next_review_before"), today);
    http_free(r);
    const char *ids[] = {p.meeting_id};
    cr_assert(db_long("SELECT count(*) FROM audit_events WHERE action = 'report.review_overdue'"
                      " AND $1 = ANY (resource_ids)",
                      1, ids) >= 1);

    free(elsewhere);
    person_free(&stranger);
    person_free(&senior);
    planned_free(&p);
}

Test(review_overdue, MTG_12_review_requested_leaves_the_report)
{
    planned p;
    reviewed_in(&p, 5);
    test_clock_advance(6 * HELD_DAY);
    cr_assert(reported(&p.requester, p.meeting_id));

    char *review = held_review_requested(&p.requester, p.meeting_id);
    cr_assert(!reported(&p.requester, p.meeting_id), "a review is requested");
    cr_assert(!review_overdue(&p.requester, p.meeting_id));

    /* a review that was cancelled does not count */
    json_t *body = json_pack("{s:s}", "reason", "Requested in error");
    http_response *r =
        api_call("POST", meeting_path(review, "cancel"), p.requester.token, body, "\"1\"");
    json_decref(body);
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    cr_assert(reported(&p.requester, p.meeting_id), "overdue again");
    free(review);
    planned_free(&p);
}

Test(review_overdue, MTG_12_review_requested_early_when_the_plan_is_not_working)
{
    planned p;
    reviewed_in(&p, 30);
    /* the plan is not working: a review is requested a week in */
    test_clock_advance(7 * HELD_DAY);
    char *review = held_review_requested(&p.manager, p.meeting_id);
    test_clock_advance(30 * HELD_DAY);
    cr_assert(!reported(&p.requester, p.meeting_id));
    cr_assert(!review_overdue(&p.requester, p.meeting_id));
    free(review);
    planned_free(&p);
}

Test(review_overdue, MTG_12_no_review_reason_is_never_overdue)
{
    planned p;
    reviewed_in(&p, 0);
    json_t *m = meeting_read(&p.requester, p.meeting_id);
    cr_assert(json_is_null(json_object_get(m, "next_review_on")), "no date agreed");
    json_decref(m);
    test_clock_advance(400 * HELD_DAY);
    cr_assert(!reported(&p.requester, p.meeting_id));
    cr_assert(!review_overdue(&p.requester, p.meeting_id));
    planned_free(&p);
}

Test(review_overdue, MTG_12_an_amendment_approved_again_moves_the_next_review)
{
    planned p;
    reviewed_in(&p, 5);
    json_t *body = json_pack("{s:s}", "reason", "The review is agreed for later");
    http_response *r = api_call("POST", held_minutes_path(p.meeting_id, "/amendments"),
                                p.requester.token, body, NULL);
    json_decref(body);
    cr_assert_eq(r->status, 201, "%s", r->body);
    long version = json_int(r->json, "version");
    json_t *doc = json_deep_copy(json_object_get(r->json, "content"));
    http_free(r);
    char later[11];
    held_date_from_today(40, later);
    json_object_set_new(doc, "next_review", json_pack("{s:s}", "date", later));
    r = api_call("PUT", held_minutes_path(p.meeting_id, NULL), p.requester.token, doc,
                 etag_of(version));
    json_decref(doc);
    cr_assert_eq(r->status, 200, "%s", r->body);
    version = json_int(r->json, "version");
    http_free(r);
    /* the draft alone changes nothing */
    json_t *m = meeting_read(&p.requester, p.meeting_id);
    cr_assert_str_neq(json_str(m, "next_review_on"), later);
    json_decref(m);
    r = api_call("POST", held_minutes_path(p.meeting_id, "/approve"), p.manager.token, NULL,
                 etag_of(version));
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    m = meeting_read(&p.requester, p.meeting_id);
    cr_assert_str_eq(json_str(m, "next_review_on"), later);
    json_decref(m);
    test_clock_advance(10 * HELD_DAY);
    cr_assert(!reported(&p.requester, p.meeting_id), "the later date has not passed");
    planned_free(&p);
}

Test(review_overdue, SEC_6_report_cursor_and_parameters_checked)
{
    person someone = person_new("LA-NOWHERE", "practitioner");
    http_response *r = api_get(REPORT "?cursor=not-a-cursor", someone.token);
    expect_problem(r, 400, "/problems/invalid-request");
    http_free(r);
    r = api_get(REPORT "?status=held", someone.token);
    expect_problem(r, 400, "/problems/invalid-request");
    http_free(r);
    r = api_get(REPORT, someone.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_eq(json_array_size(json_object_get(r->json, "items")), 0);
    http_free(r);
    person_free(&someone);
}
