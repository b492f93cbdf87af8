/* Review meetings (MTG-9) over real HTTP against the real database: a
 * meeting names the meeting it reviews, which the caller must see and which
 * must be about the same child (same name and date of birth, or the same
 * external reference); it shows that meeting's open actions; its minutes
 * are approved only once each of them has a review outcome, which approval
 * then applies (completed, no longer needed, or carried forward with the
 * same id to the review meeting), announced on the feed (INT-2).
 *
 * Every test makes its own agencies and people. Every refusal is checked
 * four ways: the status, the problem+json answer, the errors[] entries
 * naming the rule and field, and the database: the fingerprints of the
 * agencies involved plus the counts and digests of the meetings' minutes
 * and actions. */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "support/client.h"
#include "support/expect.h"
#include "support/fixtures.h"
#include "support/minutes.h"
#include "support/people.h"
#include "support/planning.h"

#define DAY 86400L
/* how far ahead a meeting that is to be held is scheduled */
#define START_IN 3600L
#define UNKNOWN_ID "0b6c7a52-1d6e-4c36-9a51-2f4f6c1d7e90"

/* --- helpers --- */

static void expect_str(const char *got, const char *want)
{
    cr_assert(got && strcmp(got, want) == 0, "expected '%s', got '%s'", want,
              got ? got : "(null)");
}

/* What a refused request must leave as it was: the fingerprint of the
 * convening agency (and of `extra` when given), the meetings p's requester
 * made, and in one query the minutes and actions of the meetings (the
 * second may be NULL) and the audit rows and feed events about them,
 * counted and digested (a new string). */
static char *snapshot(const planned *p, const char *second_meeting, const char *extra)
{
    char *csc = db_fingerprint(p->csc);
    char *other = extra ? db_fingerprint(extra) : strdup("-");
    const char *params[] = {p->meeting_id, second_meeting ? second_meeting : p->meeting_id,
                            p->requester.who.sub};
    char *state = db_value(
        "WITH mine AS (SELECT a.* FROM actions a"
        "               WHERE a.meeting_id IN ($1::uuid, $2::uuid)"
        "                  OR a.current_meeting_id IN ($1::uuid, $2::uuid)),"
        " ids AS (SELECT $1::text AS id UNION ALL SELECT $2::text"
        "         UNION ALL SELECT id::text FROM mine)"
        " SELECT concat_ws(' | ',"
        " 'meetings ' || (SELECT count(*) FROM meetings WHERE requester_sub = $3),"
        " 'minutes ' || (SELECT count(*) || ' ' || coalesce(md5(string_agg(v::text, ','"
        "   ORDER BY v.meeting_id, v.number)), '') FROM minutes v"
        "   WHERE v.meeting_id IN ($1::uuid, $2::uuid)),"
        " 'actions ' || (SELECT count(*) || ' ' || coalesce(md5(string_agg(m::text, ','"
        "   ORDER BY m.id)), '') FROM mine m),"
        " 'history ' || (SELECT count(*) FROM action_history h WHERE h.action_id IN"
        "   (SELECT id FROM mine)),"
        " 'audit ' || (SELECT count(*) FROM audit_events e WHERE e.resource_id IN"
        "   (SELECT id FROM ids) OR e.resource_ids && ARRAY(SELECT id FROM ids)),"
        " 'feed ' || (SELECT count(*) FROM events e WHERE e.resource_id IN (SELECT id FROM ids)))",
        3, params);
    char *out = NULL;
    int n = asprintf(&out, "%s | %s | %s", csc, other, state);
    cr_assert(n > 0);
    free(csc);
    free(other);
    free(state);
    return out;
}

static void expect_same(const planned *p, const char *second, const char *extra,
                        const char *before)
{
    char *after = snapshot(p, second, extra);
    cr_assert_str_eq(after, before, "the database changed:\n%s\n->\n%s", before, after);
    free(after);
}

static size_t error_count(const http_response *r)
{
    return json_array_size(json_object_get(r->json, "errors"));
}

/* How many errors[] entries carry the rule and field and say `words`. */
static int errors_saying(const http_response *r, const char *rule, const char *field,
                         const char *words)
{
    int n = 0;
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(r->json, "errors"), i, e) {
        const char *er = json_str(e, "rule"), *ef = json_str(e, "field"),
                   *m = json_str(e, "message");
        if (er && ef && m && strcmp(er, rule) == 0 && strcmp(ef, field) == 0 &&
            (!words || strstr(m, words)))
            n++;
    }
    return n;
}

/* --- a held meeting and its minutes --- */

/* Takes p's authorised meeting to held: the police officer and health
 * visitor invited and present, and a parent at part 2 of the two-part
 * meeting; the manager in the chair, the requester taking minutes. */
static void hold_authorised(planned *p)
{
    planned_invite_agencies(p);
    planned_inform_family(p);
    planned_schedule(p, START_IN, "in_person", 1);
    free(minutes_invite_parent(p, "Parent Example"));
    minutes_hold(p, NULL);
}

/* A meeting of fresh agencies and people, held. */
static void held_meeting(planned *p)
{
    planned_authorised(p, "professionals");
    hold_authorised(p);
}

static json_t *person_json(const person *who)
{
    return json_pack("{s:s, s:s, s:s}", "name", who->who.name, "agency", who->who.agency, "sub",
                     who->who.sub);
}

/* Complete minutes (support/minutes.c) whose plan has an item for each of
 * the owners. */
static json_t *complete_minutes(const planned *p, const person *const *owners, size_t n)
{
    char due[11];
    date_from_today(30, due);
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        char description[64];
        snprintf(description, sizeof description, "Agreed task %zu", i + 1);
        json_array_append_new(items, json_pack("{s:s, s:o, s:s, s:s}", "description",
                                               description, "owner", person_json(owners[i]),
                                               "due_date", due, "contingency",
                                               "The chair reallocates it"));
    }
    json_t *doc = minutes_complete(p, NULL);
    json_object_set_new(doc, "actions", items);
    return doc;
}

static const char *minutes_path(const char *meeting_id, const char *rest)
{
    static char path[256];
    snprintf(path, sizeof path, "/v1/meetings/%s/minutes%s", meeting_id, rest ? rest : "");
    return path;
}

/* Writes the doc as p's minute taker: the first draft (version 0) or an
 * edit; returns the new version. */
static long write_ok(const planned *p, const char *meeting_id, json_t *doc, long version)
{
    http_response *r = api_call("PUT", minutes_path(meeting_id, NULL), p->requester.token, doc,
                                version ? etag_of(version) : NULL);
    cr_assert_eq(r->status, version ? 200 : 201, "writing minutes: %ld %s", r->status, r->body);
    long v = json_int(r->json, "version");
    http_free(r);
    return v;
}

static http_response *approve(const planned *p, const char *meeting_id, long version)
{
    return api_call("POST", minutes_path(meeting_id, "/approve"), p->manager.token, NULL,
                    etag_of(version));
}

/* --- requesting a review meeting --- */

/* A request for a meeting reviewing `previous`; the subject child is
 * replaced when `child` is not NULL (stolen). */
static json_t *review_body(const char *previous, json_t *child)
{
    json_t *body = meeting_body("professionals");
    json_object_set_new(body, "title", json_string("Review of the plan"));
    json_object_set_new(body, "previous_meeting_id", json_string(previous));
    if (child)
        json_object_set_new(body, "children", json_pack("[o]", child));
    return body;
}

static http_response *request(const person *by, json_t *body)
{
    return api_call("POST", "/v1/meetings", by->token, body, NULL);
}

/* Requests, as p's requester, a review of p's meeting, authorised by p's
 * manager; returns its id (a new string) and its version. */
static char *review_authorised(const planned *p, long *version)
{
    json_t *body = review_body(p->meeting_id, NULL);
    http_response *r = request(&p->requester, body);
    json_decref(body);
    cr_assert_eq(r->status, 201, "requesting the review: %ld %s", r->status, r->body);
    char *id = strdup(json_str(r->json, "id"));
    http_free(r);
    *version = meeting_authorise(&p->manager, id, 1);
    return id;
}

/* The review meeting of p, held by the same people: a copy of p that
 * shares p's agencies and people (free with review_free, not planned_free). */
static void review_held(const planned *p, planned *review)
{
    *review = *p;
    review->meeting_id = review_authorised(p, &review->version);
    review->police_invitation = review->health_invitation = NULL;
    hold_authorised(review);
}

static void review_free(planned *review)
{
    free(review->meeting_id);
    free(review->police_invitation);
    free(review->health_invitation);
    memset(review, 0, sizeof *review);
}

/* The ids in a meeting's previous_open_actions, read as `by`. */
static json_t *previous_open_actions(const person *by, const char *meeting_id)
{
    http_response *r = api_get(meeting_path(meeting_id, NULL), by->token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *list = json_object_get(r->json, "previous_open_actions");
    cr_assert(json_is_array(list), "%s", r->body);
    json_t *out = json_incref(list);
    http_free(r);
    return out;
}

static bool lists_action(json_t *actions, const char *id)
{
    size_t i;
    json_t *a;
    json_array_foreach(actions, i, a)
        if (strcmp(json_str(a, "id"), id) == 0)
            return true;
    return false;
}

/* --- MTG-9: requesting --- */

Test(review_meetings, MTG_9_review_of_a_visible_meeting_about_the_same_child)
{
    planned p;
    held_meeting(&p);
    const person *owners[] = {&p.police_officer, &p.health_visitor, &p.requester};
    json_t *doc = complete_minutes(&p, owners, 3);
    long v = write_ok(&p, p.meeting_id, doc, 0);
    json_decref(doc);
    http_response *r = approve(&p, p.meeting_id, v);
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    char *actions[3];
    minutes_plan_actions(p.meeting_id, actions, 3);
    /* one of them done before the review */
    json_t *note = json_pack("{s:s}", "note", "Done before the review");
    char path[128];
    snprintf(path, sizeof path, "/v1/actions/%s/complete", actions[0]);
    r = api_call("POST", path, p.police_officer.token, note, "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    json_decref(note);

    /* same name (in any case) and date of birth */
    json_t *body = review_body(p.meeting_id, json_pack("{s:s, s:s}", "name", "ALEX example",
                                                       "date_of_birth", "2015-06-01"));
    r = request(&p.requester, body);
    json_decref(body);
    cr_assert_eq(r->status, 201, "%s", r->body);
    expect_str(json_str(r->json, "previous_meeting_id"), p.meeting_id);
    json_t *open = json_object_get(r->json, "previous_open_actions");
    cr_assert_eq(json_array_size(open), 2, "the two still open: %s", r->body);
    cr_assert(lists_action(open, actions[1]) && lists_action(open, actions[2]), "%s", r->body);
    cr_assert(!lists_action(open, actions[0]), "%s", r->body);
    size_t i;
    json_t *a;
    json_array_foreach(open, i, a) {
        expect_str(json_str(a, "status"), "open");
        expect_str(json_str(a, "meeting_id"), p.meeting_id);
    }
    char *review = strdup(json_str(r->json, "id"));
    http_free(r);
    /* the convening side reads it with the same list */
    json_t *listed = previous_open_actions(&p.manager, review);
    cr_assert_eq(json_array_size(listed), 2);
    json_decref(listed);
    const char *params[] = {review};
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE resource_id = $1"
                         " AND action = 'meeting.create'",
                         1, params),
                 1);
    cr_assert_eq(db_long("SELECT count(*) FROM events WHERE resource_id = $1"
                         " AND type = 'meeting.requested'",
                         1, params),
                 1);

    /* a manager of the convening agency who sees the meeting may request
     * its review too */
    person other_manager = person_new(p.csc, "manager");
    body = review_body(p.meeting_id, NULL);
    r = request(&other_manager, body);
    json_decref(body);
    cr_assert_eq(r->status, 201, "%s", r->body);
    http_free(r);

    person_free(&other_manager);
    free(review);
    for (int k = 0; k < 3; k++)
        free(actions[k]);
    planned_free(&p);
}

Test(review_meetings, MTG_9_same_child_by_external_reference)
{
    planned p;
    planned_authorised(&p, "professionals");
    char ref[40], suffix[17];
    unique_suffix(suffix, sizeof suffix);
    snprintf(ref, sizeof ref, "CHILD-%s", suffix);
    /* the previous meeting's child has a reference in the case system */
    json_t *body = meeting_body("professionals");
    json_object_set_new(body, "children",
                        json_pack("[{s:s, s:{s:s, s:s}, s:s}]", "name", "Robin Sample",
                                  "external_ref", "system", "testcms", "id", ref,
                                  "date_of_birth", "2016-02-03"));
    http_response *r = request(&p.requester, body);
    json_decref(body);
    cr_assert_eq(r->status, 201, "%s", r->body);
    char *previous = strdup(json_str(r->json, "id"));
    http_free(r);

    /* a review naming the child by that reference, under another spelling */
    body = review_body(previous, json_pack("{s:s, s:{s:s, s:s}, s:s}", "name", "Robyn Sampel",
                                           "external_ref", "system", "testcms", "id", ref,
                                           "date_of_birth", "2016-02-03"));
    r = request(&p.requester, body);
    json_decref(body);
    cr_assert_eq(r->status, 201, "%s", r->body);
    expect_str(json_str(r->json, "previous_meeting_id"), previous);
    cr_assert_eq(json_array_size(json_object_get(r->json, "previous_open_actions")), 0, "%s",
                 r->body);
    http_free(r);

    /* the same reference in another system is another child */
    char *before = snapshot(&p, previous, NULL);
    body = review_body(previous, json_pack("{s:s, s:{s:s, s:s}, s:s}", "name", "Robyn Sampel",
                                           "external_ref", "system", "othercms", "id", ref,
                                           "date_of_birth", "2016-02-03"));
    r = request(&p.requester, body);
    json_decref(body);
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert(problem_has_rule(r, "MTG-9", "previous_meeting_id"), "%s", r->body);
    cr_assert_eq(error_count(r), 1, "%s", r->body);
    http_free(r);
    expect_same(&p, previous, NULL, before);
    free(before);
    free(previous);
    planned_free(&p);
}

Test(review_meetings, MTG_9_previous_meeting_the_caller_cannot_see_refused)
{
    planned p;
    held_meeting(&p);
    char *other = agency_new("childrens_social_care");
    person stranger = person_new(other, "practitioner");
    person stranger_manager = person_new(other, "manager");
    char *before = snapshot(&p, NULL, other);

    /* a meeting of another agency, however much about the same child */
    const person *outsiders[] = {&stranger, &stranger_manager};
    for (size_t i = 0; i < 2; i++) {
        json_t *body = review_body(p.meeting_id, NULL);
        http_response *r = request(outsiders[i], body);
        json_decref(body);
        expect_problem(r, 422, "/problems/rule-violated");
        cr_assert(problem_has_rule(r, "MTG-9", "previous_meeting_id"), "%s", r->body);
        cr_assert_eq(error_count(r), 1, "%s", r->body);
        /* no hint of the meeting: the same answer as for no meeting */
        cr_assert(!strstr(r->body, "same child"), "%s", r->body);
        http_free(r);
        expect_same(&p, NULL, other, before);
    }
    /* no such meeting */
    json_t *body = review_body(UNKNOWN_ID, NULL);
    http_response *r = request(&p.requester, body);
    json_decref(body);
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert(problem_has_rule(r, "MTG-9", "previous_meeting_id"), "%s", r->body);
    http_free(r);
    expect_same(&p, NULL, other, before);
    /* not a meeting id at all */
    body = review_body("meeting-1", NULL);
    r = request(&p.requester, body);
    json_decref(body);
    expect_problem(r, 400, "/problems/invalid-request");
    cr_assert(problem_has_field(r, "previous_meeting_id"), "%s", r->body);
    http_free(r);
    expect_same(&p, NULL, other, before);
    free(before);

    person_free(&stranger);
    person_free(&stranger_manager);
    free(other);
    planned_free(&p);
}

Test(review_meetings, MTG_9_previous_meeting_about_another_child_refused)
{
    planned p;
    planned_authorised(&p, "professionals");
    char *before = snapshot(&p, NULL, NULL);
    json_t *children[] = {
        json_pack("{s:s, s:s}", "name", "Jordan Other", "date_of_birth", "2012-01-09"),
        json_pack("{s:s, s:s}", "name", "Alex Example", "date_of_birth", "2015-06-02"),
        json_pack("{s:s, s:s}", "name", "Alexa Example", "date_of_birth", "2015-06-01"),
        json_pack("{s:{s:s, s:s}, s:s}", "external_ref", "system", "testcms", "id", "NOBODY-1",
                  "date_of_birth", "2015-06-01"),
    };
    for (size_t i = 0; i < sizeof children / sizeof children[0]; i++) {
        json_t *body = review_body(p.meeting_id, children[i]);
        http_response *r = request(&p.requester, body);
        json_decref(body);
        expect_problem(r, 422, "/problems/rule-violated");
        cr_assert(problem_has_rule(r, "MTG-9", "previous_meeting_id"), "child %zu: %s", i,
                  r->body);
        cr_assert_eq(error_count(r), 1, "%s", r->body);
        http_free(r);
        expect_same(&p, NULL, NULL, before);
    }
    free(before);
    planned_free(&p);
}

/* --- MTG-9: the review outcomes --- */

/* {"action_id": id, "outcome": outcome, "note": note?} */
static json_t *outcome(const char *id, const char *what, const char *note)
{
    json_t *o = json_pack("{s:s, s:s}", "action_id", id, "outcome", what);
    if (note)
        json_object_set_new(o, "note", json_string(note));
    return o;
}

/* Writes the review's minutes with these outcomes (stolen) and asks the
 * chair to approve them: the answer must be a refusal with `n_errors`
 * errors that changes nothing; returns the minutes version. */
static long refused_with(const planned *p, const planned *review, json_t *outcomes,
                         long version, int n_errors, const char *rule, const char *field,
                         const char *words, http_response **answer)
{
    const person *owners[] = {&p->requester};
    json_t *doc = complete_minutes(review, owners, 1);
    json_object_set_new(doc, "previous_actions", outcomes);
    version = write_ok(review, review->meeting_id, doc, version);
    json_decref(doc);
    char *before = snapshot(p, review->meeting_id, NULL);
    http_response *r = approve(review, review->meeting_id, version);
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert_eq(error_count(r), (size_t)n_errors, "%s", r->body);
    cr_assert(errors_saying(r, rule, field, words) >= 1, "%s at %s saying '%s': %s", rule, field,
              words ? words : "", r->body);
    expect_same(p, review->meeting_id, NULL, before);
    free(before);
    if (answer)
        *answer = r;
    else
        http_free(r);
    return version;
}

Test(review_meetings, MTG_9_review_minutes_approved_once_every_open_action_has_an_outcome)
{
    planned p;
    held_meeting(&p);
    /* the previous meeting: four actions, one completed before the review */
    const person *owners[] = {&p.police_officer, &p.health_visitor, &p.requester,
                              &p.police_officer};
    json_t *doc = complete_minutes(&p, owners, 4);
    /* a meeting that reviews nothing takes no outcomes */
    json_object_set_new(doc, "previous_actions",
                        json_pack("[o]", outcome(UNKNOWN_ID, "completed", "Done")));
    long v = write_ok(&p, p.meeting_id, doc, 0);
    char *before = snapshot(&p, NULL, NULL);
    http_response *r = approve(&p, p.meeting_id, v);
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert(problem_has_rule(r, "MTG-9", "previous_actions[0].action_id"), "%s", r->body);
    cr_assert_eq(error_count(r), 1, "%s", r->body);
    http_free(r);
    expect_same(&p, NULL, NULL, before);
    free(before);
    json_object_del(doc, "previous_actions");
    v = write_ok(&p, p.meeting_id, doc, v);
    json_decref(doc);
    r = approve(&p, p.meeting_id, v);
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    char *a[4];
    minutes_plan_actions(p.meeting_id, a, 4);
    json_t *note = json_pack("{s:s}", "note", "Done before the review");
    char path[128];
    snprintf(path, sizeof path, "/v1/actions/%s/complete", a[3]);
    r = api_call("POST", path, p.police_officer.token, note, "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    json_decref(note);

    /* the review meeting, held, shows the three still open */
    planned review;
    review_held(&p, &review);
    json_t *open = previous_open_actions(&p.manager, review.meeting_id);
    cr_assert_eq(json_array_size(open), 3);
    for (int i = 0; i < 3; i++)
        cr_assert(lists_action(open, a[i]), "action %d is listed", i);
    json_decref(open);

    /* no outcomes: one error for each open action, naming it */
    r = NULL;
    long rv = refused_with(&p, &review, json_array(), 0, 3, "MTG-9", "previous_actions", a[0],
                           &r);
    cr_assert_eq(errors_saying(r, "MTG-9", "previous_actions", a[1]), 1, "%s", r->body);
    cr_assert_eq(errors_saying(r, "MTG-9", "previous_actions", a[2]), 1, "%s", r->body);
    http_free(r);
    /* one still missing */
    rv = refused_with(&p, &review,
                      json_pack("[o, o]", outcome(a[0], "completed", "Contacts shared"),
                                outcome(a[1], "no_longer_needed", "The family moved GP")),
                      rv, 1, "MTG-9", "previous_actions", a[2], NULL);
    /* an outcome for an action unknown to the previous meeting, or not open */
    const char *strangers[] = {UNKNOWN_ID, a[3]};
    for (int k = 0; k < 2; k++)
        rv = refused_with(&p, &review,
                          json_pack("[o, o, o, o]", outcome(a[0], "completed", "Done"),
                                    outcome(a[1], "no_longer_needed", "Moved"),
                                    outcome(a[2], "carried_forward", NULL),
                                    outcome(strangers[k], "completed", "Done")),
                          rv, 1, "MTG-9", "previous_actions[3].action_id", NULL, NULL);
    /* two outcomes for one action */
    rv = refused_with(&p, &review,
                      json_pack("[o, o, o, o]", outcome(a[0], "completed", "Done"),
                                outcome(a[1], "no_longer_needed", "Moved"),
                                outcome(a[2], "carried_forward", NULL),
                                outcome(a[0], "carried_forward", NULL)),
                      rv, 1, "MTG-9", "previous_actions[3]", NULL, NULL);
    /* an outcome without what it was */
    rv = refused_with(&p, &review,
                      json_pack("[o, o, {s:s}]", outcome(a[0], "completed", "Done"),
                                outcome(a[1], "no_longer_needed", "Moved"), "action_id", a[2]),
                      rv, 1, "MTG-9", "previous_actions[2].outcome", NULL, NULL);
    /* an outcome that is not one */
    doc = complete_minutes(&review, (const person *const[]){&p.requester}, 1);
    json_object_set_new(doc, "previous_actions",
                        json_pack("[o]", outcome(a[0], "postponed", NULL)));
    before = snapshot(&p, review.meeting_id, NULL);
    r = api_call("PUT", minutes_path(review.meeting_id, NULL), p.requester.token, doc,
                 etag_of(rv));
    expect_problem(r, 400, "/problems/invalid-request");
    cr_assert(problem_has_field(r, "previous_actions[0].outcome"), "%s", r->body);
    http_free(r);
    json_decref(doc);
    expect_same(&p, review.meeting_id, NULL, before);
    free(before);
    open = previous_open_actions(&p.manager, review.meeting_id);
    cr_assert_eq(json_array_size(open), 3, "nothing applied yet");
    json_decref(open);

    /* every open action reviewed: approved, and the outcomes applied */
    doc = complete_minutes(&review, (const person *const[]){&p.requester}, 1);
    json_object_set_new(doc, "previous_actions",
                        json_pack("[o, o, o]", outcome(a[0], "completed", "Contacts shared"),
                                  outcome(a[1], "no_longer_needed", "The family moved GP"),
                                  outcome(a[2], "carried_forward", "Visit not yet possible")));
    rv = write_ok(&review, review.meeting_id, doc, rv);
    json_decref(doc);
    r = approve(&review, review.meeting_id, rv);
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);

    const char *expected_status[] = {"completed", "cancelled", "open"};
    const char *history_change[] = {"reviewed", "reviewed", "carried_forward"};
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "/v1/actions/%s", a[i]);
        r = api_get(path, p.manager.token);
        cr_assert_eq(r->status, 200, "%s", r->body);
        expect_str(json_str(r->json, "id"), a[i]);
        expect_str(json_str(r->json, "status"), expected_status[i]);
        expect_str(json_str(r->json, "meeting_id"), p.meeting_id);
        expect_str(json_str(r->json, "current_meeting_id"),
                   i == 2 ? review.meeting_id : p.meeting_id);
        cr_assert_eq(json_int(r->json, "version"), 2, "%s", r->body);
        if (i < 2) {
            const char *status_note = json_str(r->json, "status_note");
            cr_assert(status_note && *status_note, "closed with a note: %s", r->body);
            cr_assert(json_str(r->json, "closed_at"), "%s", r->body);
        } else {
            cr_assert(json_is_null(json_object_get(r->json, "closed_at")), "%s", r->body);
        }
        json_t *history = json_object_get(r->json, "history");
        cr_assert_eq(json_array_size(history), 2, "%s", r->body);
        json_t *last = json_array_get(history, 1);
        expect_str(json_str(last, "change"), history_change[i]);
        expect_str(json_str(last, "meeting_id"), review.meeting_id);
        expect_str(json_str(json_object_get(last, "by"), "sub"), p.manager.who.sub);
        http_free(r);
    }
    snprintf(path, sizeof path, "/v1/actions/%s", a[0]);
    r = api_get(path, p.manager.token);
    cr_assert(strstr(json_str(r->json, "status_note"), "Contacts shared"), "%s", r->body);
    http_free(r);
    const char *params[] = {a[2], review.meeting_id};
    cr_assert_eq(db_long("SELECT count(*) FROM actions WHERE id = $1 AND current_meeting_id = $2",
                         2, params),
                 1);

    /* an amendment of the review's minutes carries the outcomes again;
     * approving it applies nothing twice */
    json_t *reason = json_pack("{s:s}", "reason", "A typing error in the decisions");
    r = api_call("POST", minutes_path(review.meeting_id, "/amendments"), p.requester.token,
                 reason, NULL);
    cr_assert_eq(r->status, 201, "%s", r->body);
    cr_assert_eq(json_array_size(json_object_get(json_object_get(r->json, "content"),
                                                 "previous_actions")),
                 3, "%s", r->body);
    http_free(r);
    json_decref(reason);
    r = approve(&review, review.meeting_id, 1);
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    for (int i = 0; i < 3; i++) {
        const char *id[] = {a[i]};
        cr_assert_eq(db_long("SELECT version FROM actions WHERE id = $1", 1, id), 2,
                     "action %d changed once", i);
        cr_assert_eq(db_long("SELECT count(*) FROM action_history WHERE action_id = $1", 1, id),
                     2, "action %d reviewed once", i);
    }

    /* nothing of the previous meeting is left open for the review */
    open = previous_open_actions(&p.manager, review.meeting_id);
    cr_assert_eq(json_array_size(open), 0);
    json_decref(open);
    /* the carried-forward action is the review meeting's now */
    snprintf(path, sizeof path, "/v1/actions?meeting_id=%s&status=open", review.meeting_id);
    r = api_get(path, p.manager.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert(lists_action(json_object_get(r->json, "items"), a[2]), "%s", r->body);
    cr_assert_eq(json_array_size(json_object_get(r->json, "items")), 2, "its own and the carried"
                                                                       " one: %s",
                 r->body);
    http_free(r);
    /* and a review of the review meets it again, same id */
    json_t *body = review_body(review.meeting_id, NULL);
    r = request(&p.requester, body);
    json_decref(body);
    cr_assert_eq(r->status, 201, "%s", r->body);
    open = json_object_get(r->json, "previous_open_actions");
    cr_assert_eq(json_array_size(open), 2, "%s", r->body);
    cr_assert(lists_action(open, a[2]), "%s", r->body);
    http_free(r);

    review_free(&review);
    for (int i = 0; i < 4; i++)
        free(a[i]);
    planned_free(&p);
}

/* INT-2: the review changes the previous meeting's actions (status,
 * version, meeting); each change is announced like any other change to an
 * action, with the action's new version. */
Test(review_meetings, INT_2_review_outcomes_are_announced_on_the_feed)
{
    planned p;
    held_meeting(&p);
    const person *owners[] = {&p.police_officer, &p.health_visitor, &p.requester};
    json_t *doc = complete_minutes(&p, owners, 3);
    long v = write_ok(&p, p.meeting_id, doc, 0);
    json_decref(doc);
    http_response *r = approve(&p, p.meeting_id, v);
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    char *a[3];
    minutes_plan_actions(p.meeting_id, a, 3);

    planned review;
    review_held(&p, &review);
    doc = complete_minutes(&review, (const person *const[]){&p.requester}, 1);
    json_object_set_new(doc, "previous_actions",
                        json_pack("[o, o, o]", outcome(a[0], "completed", "Done"),
                                  outcome(a[1], "no_longer_needed", "Moved away"),
                                  outcome(a[2], "carried_forward", NULL)));
    v = write_ok(&review, review.meeting_id, doc, 0);
    json_decref(doc);
    r = approve(&review, review.meeting_id, v);
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);

    /* each change told once to each agency of the review meeting, with the
     * action's new version */
    const char *types[] = {"action.reviewed", "action.reviewed", "action.carried_forward"};
    for (int i = 0; i < 3; i++) {
        const char *params[] = {a[i], types[i]};
        cr_assert_eq(db_long("SELECT version FROM actions WHERE id = $1", 1, params), 2);
        cr_assert_eq(db_long("SELECT count(DISTINCT event_id) FROM events WHERE resource_id = $1"
                             " AND type = $2 AND resource_type = 'action'"
                             " AND resource_version = 2",
                             2, params),
                     1, "the review's change to action %d is on the feed as %s", i, types[i]);
        cr_assert_eq(db_long("SELECT count(*) FROM events WHERE resource_id = $1 AND type = $2",
                             2, params),
                     3, "told to the three agencies");
    }
    /* an integration of the police agency reads them */
    person integration = person_new(p.police, "integration");
    int seen = 0;
    for (int attempt = 0; attempt < 300 && seen < 3; attempt++) { /* 30 s */
        if (attempt)
            usleep(100 * 1000);
        seen = 0;
        char *after = NULL;
        for (;;) {
            char path[512];
            snprintf(path, sizeof path, "/v1/events?limit=200%s%s", after ? "&after=" : "",
                     after ? after : "");
            r = api_get(path, integration.token);
            cr_assert_eq(r->status, 200, "%s", r->body);
            json_t *items = json_object_get(r->json, "items");
            size_t i;
            json_t *e;
            json_array_foreach(items, i, e) {
                for (int k = 0; k < 3; k++)
                    if (strcmp(json_str(e, "resource_id"), a[k]) == 0 &&
                        strcmp(json_str(e, "type"), types[k]) == 0)
                        seen++;
            }
            size_t n = json_array_size(items);
            free(after);
            after = json_str(r->json, "next_cursor") ? strdup(json_str(r->json, "next_cursor"))
                                                      : NULL;
            http_free(r);
            if (n == 0 || !after)
                break;
        }
        free(after);
    }
    cr_assert_eq(seen, 3, "the police feed tells of each reviewed action once");
    person_free(&integration);
    review_free(&review);
    for (int i = 0; i < 3; i++)
        free(a[i]);
    planned_free(&p);
}
