/* Who chairs a meeting, and with what authority (MTG-6), over real HTTP
 * against the real database: a stop and review chaired by the child's
 * keyworker or lead practitioner, and a chair whose own token no longer
 * holds the role the schedule relied on, refused whenever they act as
 * chair — recording attendance, holding the meeting, writing, approving,
 * amending and distributing the minutes, deciding on sharing them and
 * closing the meeting — while the minute taker and the convening side go
 * on.
 *
 * Every refusal is checked for its status, problem type, the rule and the
 * database left as it was (db_meeting_digest: the meeting and everything
 * under it, with its audit rows and feed events). */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "support/client.h"
#include "support/expect.h"
#include "support/fixtures.h"
#include "support/people.h"
#include "support/planning.h"

#include "held_meeting.h"

#define HOUR 3600L

/* --- helpers --- */

static void expect_str(const char *got, const char *want)
{
    cr_assert(got && strcmp(got, want) == 0, "expected '%s', got '%s'", want,
              got ? got : "(null)");
}

/* A refusal that left the meeting and everything under it as it was. */
static void expect_refused(http_response *r, long status, const char *type, const char *rule,
                           const char *field, const char *meeting_id, const char *before)
{
    expect_problem(r, status, type);
    cr_assert(problem_has_rule(r, rule, field), "expected %s on %s: %s", rule,
              field ? field : "(any field)", r->body);
    http_free(r);
    char *after = db_meeting_digest(meeting_id);
    cr_assert_str_eq(after, before, "the database changed:\n%s\n->\n%s", before, after);
    free(after);
}

/* A schedule an hour ahead (by the test clock) with `chair` in the chair as
 * `role` (and `child_role`, when not NULL) and the requester taking minutes. */
static json_t *chaired_schedule(const planned *p, const person *chair, const char *role,
                                const char *child_role)
{
    json_t *body = schedule_body(p, HOUR, "in_person", 0);
    json_t *c = json_pack("{s:s, s:s, s:s, s:s}", "sub", chair->who.sub, "name", chair->who.name,
                          "agency", chair->who.agency, "role", role);
    if (child_role)
        json_object_set_new(c, "child_role", json_string(child_role));
    json_object_set_new(body, "chair", c);
    return body;
}

static http_response *schedule(planned *p, json_t *body)
{
    http_response *r = api_call("POST", meeting_path(p->meeting_id, "schedule"),
                                p->requester.token, body, etag_of(p->version));
    json_decref(body);
    return r;
}

static json_t *both_present(const planned *p)
{
    return json_pack("{s:[{s:s, s:s}, {s:s, s:s}]}", "entries", "invitation_id",
                     p->police_invitation, "attendance", "present", "invitation_id",
                     p->health_invitation, "attendance", "present");
}

/* The same person with other roles: a token issued later, after their
 * roles changed. */
static person with_roles(const person *who, unsigned roles)
{
    person p = *who;
    p.who.roles = roles;
    json_t *claims = claims_for(&p, 3600);
    p.token = token_with_claims(claims);
    json_decref(claims);
    return p;
}

/* --- a practitioner in the chair of a stop and review --- */

Test(chairs, MTG_6_keyworker_practitioner_chairs_a_stop_and_review)
{
    test_clock_set(time(NULL));
    planned p;
    planned_authorised(&p, "stop_and_review");
    planned_invite_agencies(&p);
    planned_inform_family(&p);
    /* the child's keyworker at school, a practitioner */
    char *school = agency_new("education");
    person keyworker = person_new(school, "practitioner");

    http_response *r = schedule(&p, chaired_schedule(&p, &keyworker, "practitioner", "keyworker"));
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *chair = json_object_get(json_object_get(r->json, "schedule"), "chair");
    expect_str(json_str(chair, "sub"), keyworker.who.sub);
    expect_str(json_str(chair, "role"), "practitioner");
    expect_str(json_str(chair, "child_role"), "keyworker");
    p.version = json_int(r->json, "version");
    http_free(r);
    const char *params[] = {p.meeting_id};
    cr_assert_eq(db_long("SELECT count(*) FROM meetings WHERE id = $1 AND chair_role ="
                         " 'practitioner' AND chair_child_role = 'keyworker'",
                         1, params),
                 1);

    /* the keyworker runs the meeting and approves its minutes as chair */
    held_attend_and_hold(&p, &keyworker);
    json_t *doc = held_complete_minutes(&p, 60);
    r = api_call("PUT", held_minutes_path(p.meeting_id, NULL), keyworker.token, doc, NULL);
    json_decref(doc);
    cr_assert_eq(r->status, 201, "%s", r->body);
    long version = json_int(r->json, "version");
    http_free(r);
    r = api_call("POST", held_minutes_path(p.meeting_id, "/approve"), keyworker.token, NULL,
                 etag_of(version));
    cr_assert_eq(r->status, 200, "%s", r->body);
    expect_str(json_str(r->json, "status"), "approved");
    expect_str(json_str(json_object_get(r->json, "approved_by"), "sub"), keyworker.who.sub);
    http_free(r);
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE resource_id = $1"
                         " AND action = 'minutes.approve'",
                         1, params),
                 1);

    free(school);
    person_free(&keyworker);
    planned_free(&p);
}

Test(chairs, MTG_6_lead_practitioner_chairs_a_stop_and_review)
{
    planned p;
    planned_authorised(&p, "stop_and_review");
    planned_invite_agencies(&p);
    planned_inform_family(&p);
    person lead = person_new(p.health, "practitioner");
    http_response *r =
        schedule(&p, chaired_schedule(&p, &lead, "practitioner", "lead_practitioner"));
    cr_assert_eq(r->status, 200, "%s", r->body);
    expect_str(json_str(json_object_get(json_object_get(r->json, "schedule"), "chair"),
                        "child_role"),
               "lead_practitioner");
    http_free(r);
    person_free(&lead);
    planned_free(&p);
}

Test(chairs, MTG_6_practitioner_chair_of_a_stop_and_review_needs_child_role)
{
    planned p;
    planned_authorised(&p, "stop_and_review");
    planned_invite_agencies(&p);
    planned_inform_family(&p);
    person keyworker = person_new(p.health, "practitioner");
    char *before = db_meeting_digest(p.meeting_id);
    http_response *r = schedule(&p, chaired_schedule(&p, &keyworker, "practitioner", NULL));
    expect_refused(r, 422, "/problems/rule-violated", "MTG-6", "chair.child_role", p.meeting_id,
                   before);
    free(before);

    /* a child role outside the list is a shape problem */
    before = db_meeting_digest(p.meeting_id);
    r = schedule(&p, chaired_schedule(&p, &keyworker, "practitioner", "social_worker"));
    expect_problem(r, 400, "/problems/invalid-request");
    cr_assert(problem_has_field(r, "chair.child_role"), "%s", r->body);
    http_free(r);
    char *after = db_meeting_digest(p.meeting_id);
    cr_assert_str_eq(after, before);
    free(after);
    free(before);
    person_free(&keyworker);
    planned_free(&p);
}

Test(chairs, MTG_6_practitioner_chairs_only_a_stop_and_review)
{
    planned p;
    planned_authorised(&p, "multi_agency");
    planned_invite_agencies(&p);
    planned_inform_family(&p);
    person keyworker = person_new(p.health, "practitioner");
    char *before = db_meeting_digest(p.meeting_id);
    http_response *r =
        schedule(&p, chaired_schedule(&p, &keyworker, "practitioner", "lead_practitioner"));
    expect_refused(r, 422, "/problems/rule-violated", "MTG-6", "chair.role", p.meeting_id, before);
    free(before);
    person_free(&keyworker);
    planned_free(&p);
}

/* --- the chair's own token --- */

Test(chairs, MTG_6_chair_whose_token_lacks_the_declared_role_cannot_act_as_chair)
{
    test_clock_set(time(NULL));
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);
    planned_inform_family(&p);
    /* scheduled as a senior practitioner; the same person's token, now, says
     * practitioner only */
    person chair = person_new(p.health, "senior_practitioner");
    person demoted = with_roles(&chair, ROLE_PRACTITIONER);
    http_response *r =
        schedule(&p, chaired_schedule(&p, &chair, "senior_practitioner", NULL));
    cr_assert_eq(r->status, 200, "%s", r->body);
    p.version = json_int(r->json, "version");
    http_free(r);

    /* attendance and the hold */
    char *before = db_meeting_digest(p.meeting_id);
    json_t *body = both_present(&p);
    r = api_call("PUT", meeting_path(p.meeting_id, "attendance"), demoted.token, body,
                 etag_of(p.version));
    json_decref(body);
    expect_refused(r, 403, "/problems/forbidden", "MTG-6", NULL, p.meeting_id, before);
    free(before);
    /* the minute taker records attendance and holds it instead */
    held_attend_and_hold(&p, &p.requester);
    before = db_meeting_digest(p.meeting_id);
    r = api_call("POST", meeting_path(p.meeting_id, "hold"), demoted.token, NULL,
                 etag_of(p.version));
    expect_refused(r, 403, "/problems/forbidden", "MTG-6", NULL, p.meeting_id, before);
    free(before);

    /* writing and approving the minutes */
    json_t *doc = held_complete_minutes(&p, 60);
    before = db_meeting_digest(p.meeting_id);
    r = api_call("PUT", held_minutes_path(p.meeting_id, NULL), demoted.token, doc, NULL);
    expect_refused(r, 403, "/problems/forbidden", "MTG-6", NULL, p.meeting_id, before);
    free(before);
    r = api_call("PUT", held_minutes_path(p.meeting_id, NULL), p.requester.token, doc, NULL);
    json_decref(doc);
    cr_assert_eq(r->status, 201, "the minute taker writes them: %s", r->body);
    long version = json_int(r->json, "version");
    http_free(r);
    before = db_meeting_digest(p.meeting_id);
    r = api_call("POST", held_minutes_path(p.meeting_id, "/approve"), demoted.token, NULL,
                 etag_of(version));
    expect_refused(r, 403, "/problems/forbidden", "MTG-6", NULL, p.meeting_id, before);
    free(before);
    const char *params[] = {p.meeting_id};
    cr_assert_eq(db_long("SELECT count(*) FROM minutes WHERE meeting_id = $1"
                         " AND status = 'approved'", 1, params), 0);

    /* with the role, as scheduled, the chair approves */
    r = api_call("POST", held_minutes_path(p.meeting_id, "/approve"), chair.token, NULL,
                 etag_of(version));
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);

    /* amending, deciding on sharing, distributing, closing */
    before = db_meeting_digest(p.meeting_id);
    body = json_pack("{s:s}", "reason", "Correct the review date");
    r = api_call("POST", held_minutes_path(p.meeting_id, "/amendments"), demoted.token, body, NULL);
    json_decref(body);
    expect_refused(r, 403, "/problems/forbidden", "MTG-6", NULL, p.meeting_id, before);
    body = json_pack("{s:s, s:s}", "kind", "minutes_sharing", "decision", "share");
    r = api_call("POST", meeting_path(p.meeting_id, "consent-decisions"), demoted.token, body,
                 NULL);
    json_decref(body);
    expect_refused(r, 403, "/problems/forbidden", "MTG-6", NULL, p.meeting_id, before);
    body = json_pack("{s:[{s:s, s:s, s:s, s:s}]}", "recipients", "name", "Police records",
                     "agency", p.police, "category", "professional", "contact",
                     "records@example.invalid");
    r = api_call("POST", held_minutes_path(p.meeting_id, "/distribution"), demoted.token, body, NULL);
    expect_refused(r, 403, "/problems/forbidden", "MTG-6", NULL, p.meeting_id, before);
    r = api_call("POST", meeting_path(p.meeting_id, "close"), demoted.token, NULL,
                 etag_of(p.version));
    expect_refused(r, 403, "/problems/forbidden", "MTG-6", NULL, p.meeting_id, before);
    free(before);

    /* the minute taker distributes */
    r = api_call("POST", held_minutes_path(p.meeting_id, "/distribution"), p.requester.token, body,
                 NULL);
    json_decref(body);
    cr_assert_eq(r->status, 201, "%s", r->body);
    http_free(r);

    person_free(&chair);
    person_free(&demoted);
    planned_free(&p);
}
