/* held_meeting: a meeting taken through the API to held, its minutes
 * written and approved, distributed and shared — for the API tests of what
 * comes after the hold (test_chairs.c, test_closing.c,
 * test_review_overdue.c). Time moves by the test clock (X-Test-Now), never
 * by sleeping.
 *
 * Header-only (static functions), as calendar_change.h. The minutes come
 * from the shared builder (tests/support/minutes.h). */
#ifndef TEST_API_HELD_MEETING_H
#define TEST_API_HELD_MEETING_H

#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "support/client.h"
#include "support/fixtures.h"
#include "support/minutes.h"
#include "support/people.h"
#include "support/planning.h"

#define HELD_HOUR 3600L
#define HELD_DAY 86400L

/* YYYY-MM-DD, `days` from the test's today. */
static inline void held_date_from_today(long days, char out[11])
{
    time_t t = test_now() + days * HELD_DAY;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

/* Minutes with every part approval asks of p's held meeting, from the
 * shared builder (tests/support/minutes.h): the chair the schedule names,
 * each invitation with the mark it was given, the next review
 * `review_in_days` from today (0: a stated reason for none). */
static inline json_t *held_complete_minutes(const planned *p, long review_in_days)
{
    json_t *doc = minutes_complete(p, NULL);
    if (review_in_days) {
        char review[11];
        held_date_from_today(review_in_days, review);
        json_object_set_new(doc, "next_review", json_pack("{s:s}", "date", review));
    } else {
        json_object_set_new(doc, "next_review",
                            json_pack("{s:s}", "no_review_reason",
                                      "The plan ends with the school term; no review is needed"));
    }
    return doc;
}

static inline const char *held_minutes_path(const char *meeting_id, const char *rest)
{
    static char path[256];
    snprintf(path, sizeof path, "/v1/meetings/%s/minutes%s", meeting_id, rest ? rest : "");
    return path;
}

/* Marks both invitations present and holds the meeting, as `by`, once the
 * test clock has passed its start (scheduled an hour ahead). */
static inline void held_attend_and_hold(planned *p, const person *by)
{
    json_t *body = json_pack("{s:[{s:s, s:s}, {s:s, s:s}]}", "entries", "invitation_id",
                             p->police_invitation, "attendance", "present", "invitation_id",
                             p->health_invitation, "attendance", "present");
    http_response *r = api_call("PUT", meeting_path(p->meeting_id, "attendance"), by->token,
                                body, etag_of(p->version));
    json_decref(body);
    cr_assert_eq(r->status, 200, "attendance: %ld %s", r->status, r->body);
    p->version = json_int(r->json, "version");
    http_free(r);
    test_clock_advance(2 * HELD_HOUR);
    r = api_call("POST", meeting_path(p->meeting_id, "hold"), by->token, NULL,
                 etag_of(p->version));
    cr_assert_eq(r->status, 200, "holding: %ld %s", r->status, r->body);
    p->version = json_int(r->json, "version");
    http_free(r);
}

/* A meeting of `type` requested, authorised, with the police and health
 * invited, the family informed, scheduled an hour ahead with the manager in
 * the chair, both invitees present, held by the requester (the minute
 * taker). Sets the test clock. */
static inline void held_meeting_now(planned *p, const char *type)
{
    test_clock_set(time(NULL));
    planned_authorised(p, type);
    planned_invite_agencies(p);
    planned_inform_family(p);
    planned_schedule(p, HELD_HOUR, "in_person", 0);
    held_attend_and_hold(p, &p->requester);
}

/* The requester writes `doc` (taken) as the first draft and `chair`
 * approves it; returns the approved minutes' version. */
static inline long held_minutes_approved(const planned *p, const person *chair, json_t *doc)
{
    http_response *r =
        api_call("PUT", held_minutes_path(p->meeting_id, NULL), p->requester.token, doc, NULL);
    json_decref(doc);
    cr_assert_eq(r->status, 201, "writing the minutes: %ld %s", r->status, r->body);
    long version = json_int(r->json, "version");
    http_free(r);
    r = api_call("POST", held_minutes_path(p->meeting_id, "/approve"), chair->token, NULL,
                 etag_of(version));
    cr_assert_eq(r->status, 200, "approving the minutes: %ld %s", r->status, r->body);
    version = json_int(r->json, "version");
    http_free(r);
    return version;
}

/* A minutes-sharing decision (FAM-5) as `by`: share, or withhold with a
 * rationale; fails the test if refused. */
static inline void held_sharing(const planned *p, const person *by, bool share)
{
    json_t *body = share ? json_pack("{s:s, s:s}", "kind", "minutes_sharing", "decision", "share")
                         : json_pack("{s:s, s:s, s:s}", "kind", "minutes_sharing", "decision",
                                     "withhold", "rationale",
                                     "The family hears the outcome in person first");
    http_response *r = api_call("POST", meeting_path(p->meeting_id, "consent-decisions"),
                                by->token, body, NULL);
    json_decref(body);
    cr_assert_eq(r->status, 201, "deciding on sharing: %ld %s", r->status, r->body);
    http_free(r);
}

/* A recipient of the minutes (a new object); agency NULL for the family. */
static inline json_t *held_recipient(const char *name, const char *agency, const char *category)
{
    json_t *x = json_pack("{s:s, s:s, s:s}", "name", name, "category", category, "contact",
                          "post@example.invalid");
    if (agency)
        json_object_set_new(x, "agency", json_string(agency));
    return x;
}

/* POST the distribution (recipients taken) as `by`; returns the answer. */
static inline http_response *held_distribute(const planned *p, const person *by,
                                             json_t *recipients)
{
    json_t *body = json_pack("{s:o}", "recipients", recipients);
    http_response *r =
        api_call("POST", held_minutes_path(p->meeting_id, "/distribution"), by->token, body, NULL);
    json_decref(body);
    return r;
}

/* Requests a review meeting (MTG-9) of `previous` as `by`; returns its id
 * (a new string). */
static inline char *held_review_requested(const person *by, const char *previous)
{
    json_t *body = meeting_body("multi_agency");
    json_object_set_new(body, "previous_meeting_id", json_string(previous));
    http_response *r = api_call("POST", "/v1/meetings", by->token, body, NULL);
    json_decref(body);
    cr_assert_eq(r->status, 201, "requesting the review: %ld %s", r->status, r->body);
    char *id = strdup(json_str(r->json, "id"));
    http_free(r);
    return id;
}

#endif
