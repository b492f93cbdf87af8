/* Minutes over real HTTP against the real database: drafting by the chair
 * or the minute taker of a held meeting (MIN-1), the completeness check at
 * approval, every missing part listed at once with its rule and JSON path
 * (MIN-2, ACT-1, FAM-6, FAM-7), approval by the chair only and immutable
 * approved versions with amendments as new versions (MIN-3), distribution
 * and the family's copy (MIN-4, FAM-5), the family-feedback action (FAM-6),
 * closing (MTG-8), the overdue-minutes report, and the audit rows and feed
 * events (SEC-4, INT-2).
 *
 * Every test makes its own agencies and people. Every refusal is checked
 * four ways: the status, the problem+json answer, the errors[] entries
 * naming the rule and field, and the database: the fingerprints of the
 * agencies involved plus the counts and digests of the meeting's minutes,
 * actions, their history, distribution and decisions. */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "support/client.h"
#include "support/expect.h"
#include "support/fixtures.h"
#include "support/minutes.h"
#include "support/people.h"
#include "support/planning.h"

#include "calendar_change.h"

#define DAY 86400L
/* how far ahead a meeting that is to be held is scheduled */
#define START_IN 3600L

/* --- helpers --- */

static void expect_str(const char *got, const char *want)
{
    cr_assert(got && strcmp(got, want) == 0, "expected '%s', got '%s'", want,
              got ? got : "(null)");
}

/* Everything a refused request must leave as it was: the fingerprint of
 * the convening agency (and of `extra`, the caller's, when given), and in
 * one query the meeting's minutes, actions, action history, distribution,
 * decisions, audit rows and feed events, counted and digested (a new
 * string). */
static char *snapshot(const planned *p, const char *extra)
{
    char *csc = db_fingerprint(p->csc);
    char *other = extra ? db_fingerprint(extra) : strdup("-");
    const char *params[] = {p->meeting_id};
    char *state = db_value(
        "SELECT concat_ws(' | ',"
        " 'minutes ' || (SELECT count(*) || ' ' || coalesce(md5(string_agg(v::text, ','"
        "   ORDER BY v.number)), '') FROM minutes v WHERE v.meeting_id = $1),"
        " 'actions ' || (SELECT count(*) || ' ' || coalesce(md5(string_agg(a::text, ','"
        "   ORDER BY a.id)), '') FROM actions a WHERE $1 IN (a.meeting_id, a.current_meeting_id)),"
        " 'history ' || (SELECT count(*) FROM action_history h JOIN actions a"
        "   ON a.id = h.action_id WHERE $1 IN (a.meeting_id, a.current_meeting_id)),"
        " 'sent ' || (SELECT count(*) FROM minutes_distribution WHERE meeting_id = $1),"
        " 'decisions ' || (SELECT count(*) FROM consent_decisions WHERE meeting_id = $1),"
        " 'audit ' || (SELECT count(*) FROM audit_events WHERE resource_id = $1::text),"
        " 'feed ' || (SELECT count(*) FROM events WHERE resource_id = $1::text"
        "   OR resource_id IN (SELECT a.id::text FROM actions a WHERE $1 IN (a.meeting_id,"
        "   a.current_meeting_id))))",
        1, params);
    char *out = NULL;
    int n = asprintf(&out, "%s | %s | %s", csc, other, state);
    cr_assert(n > 0);
    free(csc);
    free(other);
    free(state);
    return out;
}

static void expect_same(const planned *p, const char *extra, const char *before)
{
    char *after = snapshot(p, extra);
    cr_assert_str_eq(after, before, "the database changed:\n%s\n->\n%s", before, after);
    free(after);
}

static long minutes_rows(const char *meeting_id)
{
    const char *params[] = {meeting_id};
    return db_long("SELECT count(*) FROM minutes WHERE meeting_id = $1", 1, params);
}

static long action_rows(const char *meeting_id)
{
    const char *params[] = {meeting_id};
    return db_long("SELECT count(*) FROM actions WHERE meeting_id = $1", 1, params);
}

/* The actions made of the items of the action plan (not the feedback to an
 * absent family, FAM-6). */
static long plan_action_rows(const char *meeting_id)
{
    const char *params[] = {meeting_id};
    return db_long("SELECT count(*) FROM actions WHERE meeting_id = $1 AND kind = 'plan'", 1,
                   params);
}

static size_t error_count(const http_response *r)
{
    return json_array_size(json_object_get(r->json, "errors"));
}

/* A refusal: the status, problem+json of the type, and either an errors[]
 * entry with the rule and field (rule not NULL) or no errors[] at all. */
static void expect_refusal(const http_response *r, long status, const char *type,
                           const char *rule, const char *field)
{
    expect_problem(r, status, type);
    if (rule)
        cr_assert(problem_has_rule(r, rule, field), "expected %s at '%s': %s", rule,
                  field ? field : "(any)", r->body);
    else
        cr_assert_null(json_object_get(r->json, "errors"), "no errors[]: %s", r->body);
}

static long count2(const char *sql, const char *a, const char *b)
{
    const char *params[] = {a, b};
    return db_long(sql, 2, params);
}

static long audit_rows(const char *resource_id, const char *action)
{
    return count2("SELECT count(*) FROM audit_events WHERE resource_id = $1 AND action = $2",
                  resource_id, action);
}

/* Distinct feed events of this type about the resource, and their rows
 * (one per agency told). */
static long feed_events(const char *resource_id, const char *type)
{
    return count2("SELECT count(DISTINCT event_id) FROM events"
                  " WHERE resource_id = $1 AND type = $2",
                  resource_id, type);
}

static long feed_rows(const char *resource_id, const char *type)
{
    return count2("SELECT count(*) FROM events WHERE resource_id = $1 AND type = $2",
                  resource_id, type);
}

/* --- holding a meeting --- */

/* A meeting of `type` taken to held: scheduled an hour ahead with the
 * manager in the chair (or, when `chair` is not NULL, a new senior
 * practitioner and named doctor of the health agency, returned there) and
 * the requester taking minutes, both invitees marked present; when
 * `family`, the meeting is in two parts and a parent, invited to part 2,
 * is marked present too; `marks` ({invitation id: mark}) marks some
 * otherwise. Held by the requester just after its start (the test clock). */
static void held_meeting_marked(planned *p, const char *type, person *chair, bool family,
                                json_t *marks)
{
    planned_authorised(p, type);
    planned_invite_agencies(p);
    planned_inform_family(p);
    json_t *body = schedule_body(p, START_IN, "in_person", family);
    if (chair) {
        *chair = person_new(p->health, "senior_practitioner,named_doctor");
        json_object_set_new(body, "chair",
                            json_pack("{s:s, s:s, s:s, s:s}", "sub", chair->who.sub, "name",
                                      chair->who.name, "agency", chair->who.agency, "role",
                                      "senior_practitioner"));
    }
    http_response *r = api_call("POST", meeting_path(p->meeting_id, "schedule"),
                                p->requester.token, body, etag_of(p->version));
    json_decref(body);
    cr_assert_eq(r->status, 200, "scheduling: %ld %s", r->status, r->body);
    p->version = json_int(r->json, "version");
    http_free(r);
    if (family)
        free(minutes_invite_parent(p, "Parent Example"));
    minutes_hold(p, marks);
}

static void held_meeting_with(planned *p, const char *type, person *chair, bool family)
{
    held_meeting_marked(p, type, chair, family, NULL);
}

/* With the family present where the meeting may have them (every type but
 * a strategy discussion, which the professionals hold alone). */
static void held_meeting_chaired(planned *p, const char *type, person *chair)
{
    held_meeting_with(p, type, chair, strcmp(type, "strategy_discussion") != 0);
}

static void held_meeting(planned *p, const char *type)
{
    held_meeting_chaired(p, type, NULL);
}

/* --- the minutes document --- */

/* Minutes with every part approval asks of the meeting (support/minutes.c):
 * three action items (police, health, children's social care). */
static json_t *complete_minutes(const planned *p)
{
    return minutes_complete(p, NULL);
}

static void edit_at(json_t *doc, const char *path, json_t *value)
{
    minutes_edit(doc, path, value);
}

/* --- calls --- */

static const char *minutes_path(const char *meeting_id, const char *rest)
{
    static char path[256];
    snprintf(path, sizeof path, "/v1/meetings/%s/minutes%s", meeting_id, rest ? rest : "");
    return path;
}

static http_response *put_minutes(const person *by, const char *meeting_id, json_t *doc,
                                  const char *if_match)
{
    return api_call("PUT", minutes_path(meeting_id, NULL), by->token, doc, if_match);
}

static http_response *approve(const person *by, const char *meeting_id, const char *if_match)
{
    return api_call("POST", minutes_path(meeting_id, "/approve"), by->token, NULL, if_match);
}

/* Writes the doc as the minute taker (the first draft, or an edit of the
 * draft at `version`); returns the new version. */
static long write_ok(const planned *p, json_t *doc, long version)
{
    http_response *r =
        put_minutes(&p->requester, p->meeting_id, doc, version ? etag_of(version) : NULL);
    cr_assert_eq(r->status, version ? 200 : 201, "writing minutes: %ld %s", r->status, r->body);
    long v = json_int(r->json, "version");
    http_free(r);
    return v;
}

/* Approves as the chair; returns the new version. */
static long approve_ok(const person *chair, const char *meeting_id, long version)
{
    http_response *r = approve(chair, meeting_id, etag_of(version));
    cr_assert_eq(r->status, 200, "approving: %ld %s", r->status, r->body);
    expect_str(json_str(r->json, "status"), "approved");
    long v = json_int(r->json, "version");
    http_free(r);
    return v;
}

/* Writes the complete minutes and has them approved; returns the version. */
static long approved_minutes(const planned *p)
{
    json_t *doc = complete_minutes(p);
    long v = write_ok(p, doc, 0);
    json_decref(doc);
    return approve_ok(&p->manager, p->meeting_id, v);
}

static http_response *distribute(const person *by, const char *meeting_id, json_t *body)
{
    return api_call("POST", minutes_path(meeting_id, "/distribution"), by->token, body, NULL);
}

static json_t *recipient(const char *name, const char *agency, const char *category)
{
    json_t *x = json_pack("{s:s, s:s, s:s}", "name", name, "category", category, "contact",
                          "post@example.invalid");
    if (agency)
        json_object_set_new(x, "agency", json_string(agency));
    return x;
}

static http_response *sharing_decision(const person *by, const char *meeting_id, json_t *body)
{
    return api_call("POST", meeting_path(meeting_id, "consent-decisions"), by->token, body, NULL);
}

/* --- MIN-1: drafting --- */

Test(minutes, MIN_1_first_draft_is_version_1_later_edits_need_if_match)
{
    planned p;
    held_meeting(&p, "professionals");
    json_t *doc = json_pack("{s:s}", "purpose", "First notes from the meeting");

    /* the first draft takes no If-Match */
    char *before = snapshot(&p, NULL);
    http_response *r = put_minutes(&p.requester, p.meeting_id, doc, "\"1\"");
    expect_refusal(r, 412, "/problems/stale-version", NULL, NULL);
    http_free(r);
    expect_same(&p, NULL, before);
    cr_assert_eq(minutes_rows(p.meeting_id), 0);
    free(before);

    r = put_minutes(&p.requester, p.meeting_id, doc, NULL);
    cr_assert_eq(r->status, 201, "%s", r->body);
    char *etag = http_header(r, "ETag"), *location = http_header(r, "Location");
    expect_str(etag, "\"1\"");
    char want[160];
    snprintf(want, sizeof want, "/v1/meetings/%s/minutes/versions/1", p.meeting_id);
    expect_str(location, want);
    free(etag);
    free(location);
    cr_assert_eq(json_int(r->json, "number"), 1);
    cr_assert_eq(json_int(r->json, "version"), 1);
    expect_str(json_str(r->json, "status"), "draft");
    cr_assert(json_is_true(json_object_get(r->json, "current")), "%s", r->body);
    cr_assert(json_equal(json_object_get(r->json, "content"), doc), "%s", r->body);
    expect_str(json_str(json_object_get(r->json, "created_by"), "sub"), p.requester.who.sub);
    http_free(r);
    cr_assert_eq(minutes_rows(p.meeting_id), 1);

    /* later drafts need If-Match: missing, stale */
    json_object_set_new(doc, "decisions", json_string("A joint visit"));
    before = snapshot(&p, NULL);
    r = put_minutes(&p.requester, p.meeting_id, doc, NULL);
    expect_refusal(r, 428, "/problems/precondition-required", NULL, NULL);
    http_free(r);
    expect_same(&p, NULL, before);
    r = put_minutes(&p.requester, p.meeting_id, doc, "\"7\"");
    expect_refusal(r, 412, "/problems/stale-version", NULL, NULL);
    etag = http_header(r, "ETag");
    expect_str(etag, "\"1\"");
    free(etag);
    http_free(r);
    expect_same(&p, NULL, before);
    cr_assert_eq(minutes_rows(p.meeting_id), 1);
    cr_assert_eq(action_rows(p.meeting_id), 0);
    free(before);

    /* the chair edits the draft too; still one row, version 2 */
    r = put_minutes(&p.manager, p.meeting_id, doc, "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    etag = http_header(r, "ETag");
    expect_str(etag, "\"2\"");
    free(etag);
    cr_assert_eq(json_int(r->json, "number"), 1);
    cr_assert_eq(json_int(r->json, "version"), 2);
    expect_str(json_str(json_object_get(r->json, "updated_by"), "sub"), p.manager.who.sub);
    cr_assert(json_equal(json_object_get(r->json, "content"), doc), "%s", r->body);
    http_free(r);
    cr_assert_eq(minutes_rows(p.meeting_id), 1);

    /* the invitees read the draft; the meeting shows it */
    r = api_get(minutes_path(p.meeting_id, NULL), p.police_officer.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert(json_equal(json_object_get(r->json, "content"), doc), "%s", r->body);
    etag = http_header(r, "ETag");
    expect_str(etag, "\"2\"");
    free(etag);
    http_free(r);
    r = api_get(meeting_path(p.meeting_id, NULL), p.requester.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *summary = json_object_get(r->json, "minutes");
    cr_assert_eq(json_int(summary, "number"), 1, "%s", r->body);
    expect_str(json_str(summary, "status"), "draft");
    http_free(r);

    json_decref(doc);
    planned_free(&p);
}

Test(minutes, MIN_1_only_the_chair_or_minute_taker_writes_SEC_2_stranger_not_found)
{
    planned p;
    held_meeting(&p, "professionals");
    char *other = agency_new("childrens_social_care");
    person stranger = person_new(other, "manager");
    person other_manager = person_new(p.csc, "manager");
    json_t *doc = json_pack("{s:s}", "purpose", "Notes");

    /* an invitee and a manager of the convening agency see the meeting but
     * do not write its minutes; a stranger does not learn it exists */
    char *before = snapshot(&p, other);
    const person *not_writers[] = {&p.police_officer, &other_manager};
    for (size_t i = 0; i < 2; i++) {
        http_response *r = put_minutes(not_writers[i], p.meeting_id, doc, NULL);
        expect_refusal(r, 403, "/problems/forbidden", "MIN-1", "");
        http_free(r);
        expect_same(&p, other, before);
    }
    http_response *r = put_minutes(&stranger, p.meeting_id, doc, NULL);
    expect_refusal(r, 404, "/problems/not-found", NULL, NULL);
    http_free(r);
    expect_same(&p, other, before);
    cr_assert_eq(minutes_rows(p.meeting_id), 0);
    free(before);

    /* with a draft in place, the same */
    long v = write_ok(&p, doc, 0);
    json_object_set_new(doc, "needs", json_string("Changed by someone else"));
    before = snapshot(&p, other);
    for (size_t i = 0; i < 2; i++) {
        r = put_minutes(not_writers[i], p.meeting_id, doc, etag_of(v));
        expect_refusal(r, 403, "/problems/forbidden", "MIN-1", "");
        http_free(r);
        expect_same(&p, other, before);
    }
    r = put_minutes(&stranger, p.meeting_id, doc, etag_of(v));
    expect_refusal(r, 404, "/problems/not-found", NULL, NULL);
    http_free(r);
    r = api_get(minutes_path(p.meeting_id, NULL), stranger.token);
    expect_refusal(r, 404, "/problems/not-found", NULL, NULL);
    http_free(r);
    r = api_get(minutes_path(p.meeting_id, "/versions/1"), stranger.token);
    expect_refusal(r, 404, "/problems/not-found", NULL, NULL);
    http_free(r);
    expect_same(&p, other, before);
    cr_assert_eq(minutes_rows(p.meeting_id), 1);
    free(before);

    json_decref(doc);
    person_free(&stranger);
    person_free(&other_manager);
    free(other);
    planned_free(&p);
}

Test(minutes, MIN_1_minutes_only_for_a_held_meeting)
{
    planned p;
    planned_scheduled(&p, "professionals", 3600);
    json_t *doc = json_pack("{s:s}", "purpose", "Notes written too early");
    char *before = snapshot(&p, NULL);
    const person *writers[] = {&p.manager, &p.requester};
    for (size_t i = 0; i < 2; i++) {
        http_response *r = put_minutes(writers[i], p.meeting_id, doc, NULL);
        expect_refusal(r, 409, "/problems/invalid-state", "MIN-1", "status");
        http_free(r);
        expect_same(&p, NULL, before);
    }
    /* nothing to approve */
    http_response *none = approve(&p.manager, p.meeting_id, etag_of(1));
    expect_refusal(none, 409, "/problems/invalid-state", "MIN-3", "status");
    http_free(none);
    expect_same(&p, NULL, before);
    /* no sharing decision on the minutes before the meeting is held */
    json_t *body = json_pack("{s:s, s:s}", "kind", "minutes_sharing", "decision", "share");
    http_response *r = sharing_decision(&p.manager, p.meeting_id, body);
    expect_refusal(r, 409, "/problems/invalid-state", "MTG-8", "status");
    http_free(r);
    json_decref(body);
    expect_same(&p, NULL, before);
    cr_assert_eq(minutes_rows(p.meeting_id), 0);
    free(before);
    json_decref(doc);
    planned_free(&p);
}

Test(minutes, MIN_1_a_draft_of_the_wrong_shape_is_rejected)
{
    planned p;
    held_meeting(&p, "professionals");
    json_t *doc = complete_minutes(&p);
    json_object_set_new(doc, "agenda", json_string("not a part of the minutes"));
    edit_at(doc, "actions[1].due_date", json_string("next week"));
    edit_at(doc, "family_feedback.family_present", json_string("no"));
    char *before = snapshot(&p, NULL);
    http_response *r = put_minutes(&p.requester, p.meeting_id, doc, NULL);
    expect_problem(r, 400, "/problems/invalid-request");
    cr_assert(problem_has_field(r, "agenda"), "%s", r->body);
    cr_assert(problem_has_field(r, "actions[1].due_date"), "%s", r->body);
    cr_assert(problem_has_field(r, "family_feedback.family_present"), "%s", r->body);
    cr_assert_eq(error_count(r), 3, "%s", r->body);
    http_free(r);
    expect_same(&p, NULL, before);
    cr_assert_eq(minutes_rows(p.meeting_id), 0);
    free(before);
    json_decref(doc);
    planned_free(&p);
}

/* --- MIN-2: completeness --- */

Test(minutes, MIN_2_approving_an_empty_draft_lists_every_missing_part)
{
    planned p;
    held_meeting(&p, "multi_agency");
    json_t *empty = json_object();
    long v = write_ok(&p, empty, 0);
    json_decref(empty);

    char *before = snapshot(&p, NULL);
    http_response *r = approve(&p.manager, p.meeting_id, etag_of(v));
    expect_problem(r, 422, "/problems/rule-violated");
    static const struct {
        const char *rule, *field;
    } missing[] = {
        {"MIN-2", "attendance"},
        {"MIN-2", "purpose"},
        {"MIN-2", "childs_views.how_represented"},
        {"MIN-2", "childs_views.views"},
        {"MIN-5", "part_1.discussion"},
        {"MIN-5", "part_2.discussion"},
        {"MIN-2", "needs"},
        {"MIN-2", "strengths"},
        {"MIN-2", "risks"},
        {"MIN-2", "decisions"},
        {"MIN-2", "actions"},
        {"MIN-2", "plan_coordinator"},
        {"MIN-2", "information_sharing.with_whom"},
        {"MIN-2", "information_sharing.family"},
        {"MIN-2", "safeguarding_referral.needed"},
        {"MIN-2", "caf_considered.considered"},
        {"MIN-2", "fgc_considered.considered"},
        {"MIN-2", "next_review.date"},
    };
    size_t n = sizeof missing / sizeof missing[0];
    for (size_t i = 0; i < n; i++)
        cr_assert(problem_has_rule(r, missing[i].rule, missing[i].field), "%s at %s: %s",
                  missing[i].rule, missing[i].field, r->body);
    cr_assert_eq(error_count(r), n, "exactly the %zu missing parts: %s", n, r->body);
    /* the parent was marked present: nobody need feed back (FAM-6) */
    cr_assert(!problem_has_field(r, "family_feedback.by"), "%s", r->body);
    /* a meeting that is not a strategy discussion is not asked for its parts */
    cr_assert(!problem_has_field(r, "risk_analysis"), "%s", r->body);
    cr_assert(!problem_has_field(r, "shared_with_family.shared"), "%s", r->body);
    http_free(r);
    expect_same(&p, NULL, before);
    cr_assert_eq(minutes_rows(p.meeting_id), 1);
    cr_assert_eq(action_rows(p.meeting_id), 0);
    free(before);

    r = api_get(minutes_path(p.meeting_id, NULL), p.requester.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    expect_str(json_str(r->json, "status"), "draft");
    http_free(r);
    planned_free(&p);
}

typedef struct missing_case {
    const char *path;  /* what to change in the complete minutes */
    const char *value; /* its new value as JSON, or NULL to remove it */
    const char *rule;  /* the one error approval must report */
    const char *field;
} missing_case;

/* For each case: the complete minutes with one part changed are written
 * over the draft at version v (0: none yet), and approval names exactly
 * that part and changes nothing. Finally the complete minutes are
 * approved, and make the three actions of their plan. */
static void each_missing_part_alone(planned *p, const missing_case *cases, size_t n, long v)
{
    for (size_t i = 0; i < n; i++) {
        json_t *doc = complete_minutes(p);
        json_t *value = NULL;
        if (cases[i].value) {
            json_error_t err;
            value = json_loads(cases[i].value, JSON_DECODE_ANY, &err);
            cr_assert_not_null(value, "case %zu: %s", i, err.text);
        }
        edit_at(doc, cases[i].path, value);
        v = write_ok(p, doc, v);
        json_decref(doc);

        char *before = snapshot(p, NULL);
        http_response *r = approve(&p->manager, p->meeting_id, etag_of(v));
        expect_problem(r, 422, "/problems/rule-violated");
        cr_assert(problem_has_rule(r, cases[i].rule, cases[i].field),
                  "changing %s: expected %s at %s: %s", cases[i].path, cases[i].rule,
                  cases[i].field, r->body);
        cr_assert_eq(error_count(r), 1, "changing %s names that part only: %s", cases[i].path,
                     r->body);
        http_free(r);
        expect_same(p, NULL, before);
        free(before);
    }
    cr_assert_eq(action_rows(p->meeting_id), 0);
    json_t *doc = complete_minutes(p);
    v = write_ok(p, doc, v);
    json_decref(doc);
    approve_ok(&p->manager, p->meeting_id, v);
    cr_assert_eq(plan_action_rows(p->meeting_id), 3);
}

/* The table runs in three tests (three meetings) to keep each short. */
static void missing_parts_test(const missing_case *cases, size_t n)
{
    planned p;
    held_meeting(&p, "professionals");
    each_missing_part_alone(&p, cases, n, 0);
    planned_free(&p);
}

Test(minutes, MIN_2_each_missing_part_is_named_alone_attendance_to_decisions)
{
    static const missing_case cases[] = {
        {"attendance", NULL, "MIN-2", "attendance"},
        {"attendance", "[]", "MIN-2", "attendance"},
        {"purpose", NULL, "MIN-2", "purpose"},
        {"purpose", "\"   \"", "MIN-2", "purpose"},
        {"needs", NULL, "MIN-2", "needs"},
        {"strengths", NULL, "MIN-2", "strengths"},
        {"risks", NULL, "MIN-2", "risks"},
        {"decisions", "\"\"", "MIN-2", "decisions"},
    };
    missing_parts_test(cases, sizeof cases / sizeof cases[0]);
}

Test(minutes, MIN_2_ACT_1_each_missing_part_of_the_action_plan_is_named_alone)
{
    static const missing_case cases[] = {
        {"actions", NULL, "MIN-2", "actions"},
        {"actions", "[]", "MIN-2", "actions"},
        {"actions[2].description", NULL, "ACT-1", "actions[2].description"},
        {"actions[2].owner", NULL, "ACT-1", "actions[2].owner"},
        {"actions[2].owner.name", NULL, "ACT-1", "actions[2].owner"},
        {"actions[1].owner.agency", NULL, "ACT-1", "actions[1].owner"},
        {"actions[0].due_date", NULL, "ACT-1", "actions[0].due_date"},
        {"actions[2].contingency", NULL, "ACT-1", "actions[2].contingency"},
        {"actions[2].contingency", "\" \"", "ACT-1", "actions[2].contingency"},
        {"plan_coordinator", NULL, "MIN-2", "plan_coordinator"},
        {"plan_coordinator.agency", NULL, "MIN-2", "plan_coordinator"},
    };
    missing_parts_test(cases, sizeof cases / sizeof cases[0]);
}

Test(minutes, MIN_2_FAM_6_each_missing_part_after_the_plan_is_named_alone)
{
    static const missing_case cases[] = {
        {"information_sharing", "{\"family\": \"The plan\"}", "MIN-2",
         "information_sharing.with_whom"},
        {"information_sharing.with_whom", NULL, "MIN-2", "information_sharing.with_whom"},
        {"information_sharing.family", NULL, "MIN-2", "information_sharing.family"},
        /* the parent was marked present: minutes saying otherwise */
        {"family_feedback",
         "{\"family_present\": false, \"by\": {\"name\": \"A Worker\", \"agency\": \"X1\"},"
         " \"method\": \"A visit by the social worker\"}",
         "FAM-6", "family_feedback.family_present"},
        {"safeguarding_referral", NULL, "MIN-2", "safeguarding_referral.needed"},
        {"safeguarding_referral", "{\"needed\": true, \"how\": \"Online form\"}", "MIN-2",
         "safeguarding_referral.by"},
        {"safeguarding_referral",
         "{\"needed\": true, \"by\": {\"name\": \"A Worker\", \"agency\": \"X1\"}}", "MIN-2",
         "safeguarding_referral.how"},
        {"caf_considered", NULL, "MIN-2", "caf_considered.considered"},
        {"fgc_considered.considered", NULL, "MIN-2", "fgc_considered.considered"},
        {"next_review", NULL, "MIN-2", "next_review.date"},
        {"next_review", "{}", "MIN-2", "next_review.date"},
    };
    missing_parts_test(cases, sizeof cases / sizeof cases[0]);
}

/* The refusal of approval at version v: 422 with each of the errors (and
 * no others), nothing changed. */
static void expect_approval_refused(const planned *p, long v, const missing_case *want,
                                    size_t n)
{
    char *before = snapshot(p, NULL);
    http_response *r = approve(&p->manager, p->meeting_id, etag_of(v));
    expect_problem(r, 422, "/problems/rule-violated");
    for (size_t i = 0; i < n; i++)
        cr_assert(problem_has_rule(r, want[i].rule, want[i].field), "expected %s at %s: %s",
                  want[i].rule, want[i].field, r->body);
    cr_assert_eq(error_count(r), n, "exactly %zu errors: %s", n, r->body);
    http_free(r);
    expect_same(p, NULL, before);
    free(before);
    cr_assert_eq(action_rows(p->meeting_id), 0);
    const char *params[] = {p->meeting_id};
    cr_assert_eq(db_long("SELECT count(*) FROM minutes WHERE meeting_id = $1"
                         " AND status = 'approved'",
                         1, params),
                 0);
}

/* The message of the errors[] entry for this field. */
static const char *error_message(const http_response *r, const char *field)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(r->json, "errors"), i, e)
        if (strcmp(json_str(e, "field"), field) == 0)
            return json_str(e, "message");
    return NULL;
}

Test(minutes, MIN_2_lado_referral_required_without_who_refused)
{
    planned p;
    held_meeting(&p, "strategy_discussion");
    json_t *doc = complete_minutes(&p);
    edit_at(doc, "lado_referral", json_pack("{s:b, s:{s:s}}", "required", 1, "by", "name",
                                            "A Named Officer"));
    long v = write_ok(&p, doc, 0);
    const missing_case want[] = {{NULL, NULL, "MIN-2", "lado_referral.by"}};
    expect_approval_refused(&p, v, want, 1);

    /* who makes it, with their agency: approved */
    edit_at(doc, "lado_referral",
            json_pack("{s:b, s:o}", "required", 1, "by", minutes_person(&p.requester)));
    v = write_ok(&p, doc, v);
    v = approve_ok(&p.manager, p.meeting_id, v);
    http_response *r = api_get(minutes_path(p.meeting_id, NULL), p.police_officer.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *by = json_object_get(json_object_get(json_object_get(r->json, "content"),
                                                 "lado_referral"),
                                 "by");
    expect_str(json_str(by, "sub"), p.requester.who.sub);
    http_free(r);
    cr_assert_eq(audit_rows(p.meeting_id, "minutes.approve"), 1);
    cr_assert_eq(feed_events(p.meeting_id, "minutes.approved"), 1);
    json_decref(doc);
    planned_free(&p);
}

Test(minutes, MIN_2_empty_attendance_entry_refused_with_leaf_fields)
{
    planned p;
    held_meeting(&p, "professionals");
    json_t *doc = complete_minutes(&p);
    /* the police officer's entry (after the chair's) emptied */
    json_array_set_new(json_object_get(doc, "attendance"), 1, json_object());
    long v = write_ok(&p, doc, 0);
    const missing_case want[] = {{NULL, NULL, "MIN-2", "attendance[1].name"},
                                 {NULL, NULL, "MIN-2", "attendance[1].agency"},
                                 {NULL, NULL, "MIN-2", "attendance[1].attendance"},
                                 {NULL, NULL, "MIN-2", "attendance"}};
    expect_approval_refused(&p, v, want, 4);
    http_response *r = approve(&p.manager, p.meeting_id, etag_of(v));
    const char *message = error_message(r, "attendance");
    cr_assert(message && strstr(message, p.police_invitation),
              "the invitation left without an entry is named: %s", r->body);
    http_free(r);
    json_decref(doc);
    planned_free(&p);
}

Test(minutes, MIN_2_attendance_contradicting_the_marks_refused_each_difference_listed)
{
    /* marked before the hold: the police officer present, the health
     * visitor with apologies, the parent absent */
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);
    planned_inform_family(&p);
    planned_schedule(&p, START_IN, "in_person", 1);
    char *parent = minutes_invite_parent(&p, "Parent Example");
    json_t *marks = json_pack("{s:s, s:s, s:s}", p.police_invitation, "present",
                              p.health_invitation, "apologies", parent, "absent");
    minutes_hold(&p, marks);
    json_decref(marks);

    /* minutes that say otherwise for each of them, name an invitation of no
     * meeting, and the police officer's twice */
    json_t *right = complete_minutes(&p);
    json_t *doc = json_deep_copy(right);
    json_t *list = json_object_get(doc, "attendance");
    cr_assert_eq(json_array_size(list), 4, "the chair and the three invitees");
    edit_at(doc, "attendance[1].attendance", json_string("absent"));
    edit_at(doc, "attendance[2].attendance", json_string("present"));
    edit_at(doc, "attendance[3].attendance", json_string("present"));
    json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s}", "invitation_id",
                                          "0b6c7a52-1d6e-4c36-9a51-2f4f6c1d7e90", "name",
                                          "Someone Else", "agency", p.police, "attendance",
                                          "present"));
    json_array_append_new(list, json_deep_copy(json_array_get(json_object_get(right,
                                                                              "attendance"),
                                                              1)));
    long v = write_ok(&p, doc, 0);
    const missing_case want[] = {{NULL, NULL, "MIN-2", "attendance[1].attendance"},
                                 {NULL, NULL, "MIN-2", "attendance[2].attendance"},
                                 {NULL, NULL, "MIN-2", "attendance[3].attendance"},
                                 {NULL, NULL, "MIN-2", "attendance[4].invitation_id"},
                                 {NULL, NULL, "MIN-2", "attendance[5].invitation_id"}};
    expect_approval_refused(&p, v, want, 5);
    http_response *r = approve(&p.manager, p.meeting_id, etag_of(v));
    const char *m1 = error_message(r, "attendance[1].attendance");
    const char *m2 = error_message(r, "attendance[2].attendance");
    cr_assert(m1 && strstr(m1, "present") && m2 && strstr(m2, "apologies"),
              "each names the mark recorded: %s", r->body);
    http_free(r);

    /* as recorded: approved, and the attendance kept with its invitations */
    v = write_ok(&p, right, v);
    approve_ok(&p.manager, p.meeting_id, v);
    r = api_get(minutes_path(p.meeting_id, NULL), p.health_visitor.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *kept = json_object_get(json_object_get(r->json, "content"), "attendance");
    expect_str(json_str(json_array_get(kept, 2), "invitation_id"), p.health_invitation);
    expect_str(json_str(json_array_get(kept, 2), "attendance"), "apologies");
    expect_str(json_str(json_array_get(kept, 3), "invitation_id"), parent);
    http_free(r);
    cr_assert_eq(audit_rows(p.meeting_id, "minutes.approve"), 1);
    cr_assert_eq(feed_events(p.meeting_id, "minutes.approved"), 1);

    json_decref(doc);
    json_decref(right);
    free(parent);
    planned_free(&p);
}

Test(minutes, MIN_2_childs_views_required)
{
    planned p;
    held_meeting(&p, "multi_agency");
    json_t *doc = complete_minutes(&p);
    edit_at(doc, "childs_views", NULL);
    long v = write_ok(&p, doc, 0);
    const missing_case want[] = {{NULL, NULL, "MIN-2", "childs_views.how_represented"},
                                 {NULL, NULL, "MIN-2", "childs_views.views"}};
    expect_approval_refused(&p, v, want, 2);

    /* views not yet sought: why, and how they will be */
    edit_at(doc, "childs_views", json_pack("{s:s}", "how_represented", "not_yet_sought"));
    v = write_ok(&p, doc, v);
    const missing_case why[] = {{NULL, NULL, "MIN-2", "childs_views.note"}};
    expect_approval_refused(&p, v, why, 1);

    edit_at(doc, "childs_views",
            json_pack("{s:s, s:s}", "how_represented", "advocate", "views",
                      "Through her advocate: wants to stay at her school"));
    v = write_ok(&p, doc, v);
    v = approve_ok(&p.manager, p.meeting_id, v);
    http_response *r = api_get(minutes_path(p.meeting_id, "/versions/1"), p.requester.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *views = json_object_get(json_object_get(r->json, "content"), "childs_views");
    expect_str(json_str(views, "how_represented"), "advocate");
    http_free(r);
    json_decref(doc);
    planned_free(&p);
}

Test(minutes, MIN_2_further_assessment_required_names_who_and_by_when)
{
    planned p;
    held_meeting(&p, "professionals");
    json_t *doc = complete_minutes(&p);
    edit_at(doc, "further_assessment",
            json_pack("{s:b, s:s}", "required", 1, "what", "Speech and language assessment"));
    long v = write_ok(&p, doc, 0);
    const missing_case want[] = {{NULL, NULL, "MIN-2", "further_assessment.by"},
                                 {NULL, NULL, "MIN-2", "further_assessment.due_date"}};
    expect_approval_refused(&p, v, want, 2);

    char due[11];
    minutes_date(20, due);
    edit_at(doc, "further_assessment",
            json_pack("{s:b, s:s, s:o, s:s}", "required", 1, "what",
                      "Speech and language assessment", "by",
                      minutes_person(&p.health_visitor), "due_date", due));
    v = write_ok(&p, doc, v);
    approve_ok(&p.manager, p.meeting_id, v);
    json_decref(doc);
    planned_free(&p);
}

Test(minutes, MIN_2_next_review_may_be_a_stated_reason_for_none)
{
    planned p;
    held_meeting(&p, "professionals");
    json_t *doc = complete_minutes(&p);
    edit_at(doc, "next_review",
            json_pack("{s:s}", "no_review_reason", "The plan ends with the school term"));
    long v = write_ok(&p, doc, 0);
    json_decref(doc);
    approve_ok(&p.manager, p.meeting_id, v);
    planned_free(&p);
}

Test(minutes, MIN_2_FAM_7_strategy_discussion_adds_its_parts)
{
    planned p;
    held_meeting(&p, "strategy_discussion");

    /* the minutes of any other meeting lack the strategy parts, all listed */
    json_t *doc = complete_minutes(&p);
    const char *strategy_parts[] = {"risk_analysis", "legal_action",
                                    "further_strategy_discussion", "lado_referral",
                                    "shared_with_family"};
    for (size_t i = 0; i < sizeof strategy_parts / sizeof strategy_parts[0]; i++)
        edit_at(doc, strategy_parts[i], NULL);
    long v = write_ok(&p, doc, 0);
    json_decref(doc);
    char *before = snapshot(&p, NULL);
    http_response *r = approve(&p.manager, p.meeting_id, etag_of(v));
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert(problem_has_rule(r, "MIN-2", "risk_analysis"), "%s", r->body);
    cr_assert(problem_has_rule(r, "MIN-2", "legal_action.required"), "%s", r->body);
    cr_assert(problem_has_rule(r, "MIN-2", "further_strategy_discussion.required"), "%s",
              r->body);
    cr_assert(problem_has_rule(r, "MIN-2", "lado_referral.required"), "%s", r->body);
    cr_assert(problem_has_rule(r, "FAM-7", "shared_with_family.shared"), "%s", r->body);
    cr_assert_eq(error_count(r), 5, "%s", r->body);
    http_free(r);
    expect_same(&p, NULL, before);
    free(before);

    /* then each alone, FAM-7's rationale among them */
    static const missing_case cases[] = {
        {"risk_analysis", NULL, "MIN-2", "risk_analysis"},
        {"legal_action", NULL, "MIN-2", "legal_action.required"},
        {"further_strategy_discussion.required", NULL, "MIN-2",
         "further_strategy_discussion.required"},
        {"lado_referral", "{}", "MIN-2", "lado_referral.required"},
        {"lado_referral", "{\"required\": true}", "MIN-2", "lado_referral.by"},
        {"shared_with_family", NULL, "FAM-7", "shared_with_family.shared"},
        {"shared_with_family.shared", NULL, "FAM-7", "shared_with_family.shared"},
        {"shared_with_family.not_shared_rationale", NULL, "FAM-7",
         "shared_with_family.not_shared_rationale"},
        {"shared_with_family.not_shared_rationale", "\"  \"", "FAM-7",
         "shared_with_family.not_shared_rationale"},
    };
    each_missing_part_alone(&p, cases, sizeof cases / sizeof cases[0], v);

    /* everything shared: no rationale needed (checked on an amendment,
     * approved minutes being final) */
    json_t *reason = json_pack("{s:s}", "reason", "Everything was shared after all");
    http_response *amend = api_call("POST", minutes_path(p.meeting_id, "/amendments"),
                                    p.requester.token, reason, NULL);
    cr_assert_eq(amend->status, 201, "%s", amend->body);
    doc = json_deep_copy(json_object_get(amend->json, "content"));
    http_free(amend);
    json_decref(reason);
    edit_at(doc, "shared_with_family", json_pack("{s:s}", "shared", "Everything discussed"));
    v = write_ok(&p, doc, 1);
    json_decref(doc);
    approve_ok(&p.manager, p.meeting_id, v);
    cr_assert_eq(plan_action_rows(p.meeting_id), 3);
    planned_free(&p);
}

/* --- MIN-3: approval and immutability --- */

Test(minutes, MIN_3_only_the_chair_approves)
{
    planned p;
    held_meeting(&p, "professionals");
    char *other = agency_new("police");
    person stranger = person_new(other, "manager");
    person other_manager = person_new(p.csc, "manager");
    person senior = person_new(p.csc, "senior_manager");
    json_t *doc = complete_minutes(&p);
    long v = write_ok(&p, doc, 0);

    char *before = snapshot(&p, other);
    /* the minute taker, a manager and a senior manager of the convening
     * agency, and an invitee: they see the meeting, they are not the chair */
    const person *not_chair[] = {&p.requester, &other_manager, &senior, &p.police_officer};
    for (size_t i = 0; i < 4; i++) {
        http_response *r = approve(not_chair[i], p.meeting_id, etag_of(v));
        expect_refusal(r, 403, "/problems/forbidden", "MIN-3", "");
        http_free(r);
        expect_same(&p, other, before);
    }
    http_response *r = approve(&stranger, p.meeting_id, etag_of(v));
    expect_refusal(r, 404, "/problems/not-found", NULL, NULL);
    http_free(r);
    expect_same(&p, other, before);
    /* the chair with a stale or missing If-Match */
    r = approve(&p.manager, p.meeting_id, "\"9\"");
    expect_refusal(r, 412, "/problems/stale-version", NULL, NULL);
    http_free(r);
    expect_same(&p, other, before);
    r = approve(&p.manager, p.meeting_id, NULL);
    expect_refusal(r, 428, "/problems/precondition-required", NULL, NULL);
    http_free(r);
    expect_same(&p, other, before);
    cr_assert_eq(action_rows(p.meeting_id), 0);
    free(before);

    r = approve(&p.manager, p.meeting_id, etag_of(v));
    cr_assert_eq(r->status, 200, "%s", r->body);
    expect_str(json_str(r->json, "status"), "approved");
    cr_assert_eq(json_int(r->json, "version"), v + 1);
    char *etag = http_header(r, "ETag");
    expect_str(etag, etag_of(v + 1));
    free(etag);
    expect_str(json_str(json_object_get(r->json, "approved_by"), "sub"), p.manager.who.sub);
    cr_assert(json_str(r->json, "approved_at"), "%s", r->body);
    cr_assert(json_equal(json_object_get(r->json, "content"), doc), "%s", r->body);
    http_free(r);
    cr_assert_eq(action_rows(p.meeting_id), 3);

    json_decref(doc);
    person_free(&stranger);
    person_free(&other_manager);
    person_free(&senior);
    free(other);
    planned_free(&p);
}

Test(minutes, MIN_3_approved_minutes_are_immutable)
{
    planned p;
    held_meeting(&p, "professionals");
    long v = approved_minutes(&p);
    const char *params[] = {p.meeting_id};
    char *content = db_value("SELECT content::text FROM minutes WHERE meeting_id = $1"
                             " AND number = 1",
                             1, params);

    /* through the API: no edit, no second approval */
    json_t *doc = complete_minutes(&p);
    json_object_set_new(doc, "decisions", json_string("Rewritten after approval"));
    char *before = snapshot(&p, NULL);
    const person *writers[] = {&p.requester, &p.manager};
    for (size_t i = 0; i < 2; i++) {
        http_response *r = put_minutes(writers[i], p.meeting_id, doc, etag_of(v));
        expect_refusal(r, 409, "/problems/invalid-state", "MIN-3", "status");
        http_free(r);
        expect_same(&p, NULL, before);
    }
    http_response *r = approve(&p.manager, p.meeting_id, etag_of(v));
    expect_refusal(r, 409, "/problems/invalid-state", "MIN-3", "status");
    http_free(r);
    expect_same(&p, NULL, before);
    json_decref(doc);

    /* not even with SQL as the service's own database role */
    char sql[256];
    snprintf(sql, sizeof sql,
             "UPDATE minutes SET content = '{}' WHERE meeting_id = '%s' AND number = 1",
             p.meeting_id);
    char *state = db_try(sql);
    expect_str(state, "42501");
    free(state);
    snprintf(sql, sizeof sql,
             "UPDATE minutes SET status = 'draft', approved_at = NULL WHERE meeting_id = '%s'",
             p.meeting_id);
    state = db_try(sql);
    expect_str(state, "42501");
    free(state);
    snprintf(sql, sizeof sql, "DELETE FROM minutes WHERE meeting_id = '%s'", p.meeting_id);
    state = db_try(sql);
    expect_str(state, "42501");
    free(state);
    expect_same(&p, NULL, before);
    char *after = db_value("SELECT content::text FROM minutes WHERE meeting_id = $1"
                           " AND number = 1",
                           1, params);
    expect_str(after, content);
    cr_assert_eq(minutes_rows(p.meeting_id), 1);
    free(after);
    free(content);
    free(before);
    planned_free(&p);
}

/* The id of the action approval made from item `index` of version 1. */
static char *action_of_item(const char *meeting_id, int index)
{
    char n[16];
    snprintf(n, sizeof n, "%d", index);
    const char *params[] = {meeting_id, n};
    return db_value("SELECT id FROM actions WHERE meeting_id = $1 AND kind = 'plan'"
                    " AND minutes_number = 1 AND item_index = $2::integer",
                    2, params);
}

Test(minutes, MIN_3_an_amendment_is_a_new_version_approved_again)
{
    planned p;
    held_meeting(&p, "professionals");
    json_t *original = complete_minutes(&p);
    long v = write_ok(&p, original, 0);
    v = approve_ok(&p.manager, p.meeting_id, v);
    cr_assert_eq(action_rows(p.meeting_id), 3);
    http_response *r = api_get(minutes_path(p.meeting_id, "/versions/1"), p.requester.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *version1 = json_incref(r->json);
    http_free(r);

    /* an amendment needs a reason, from the chair or minute taker */
    char *before = snapshot(&p, NULL);
    json_t *no_reason = json_object();
    r = api_call("POST", minutes_path(p.meeting_id, "/amendments"), p.requester.token, no_reason,
                 NULL);
    expect_refusal(r, 422, "/problems/rule-violated", "MIN-3", "reason");
    http_free(r);
    json_decref(no_reason);
    expect_same(&p, NULL, before);
    json_t *reason = json_pack("{s:s}", "reason", "The health visitor's name was misspelt");
    r = api_call("POST", minutes_path(p.meeting_id, "/amendments"), p.police_officer.token,
                 reason, NULL);
    expect_refusal(r, 403, "/problems/forbidden", "MIN-1", "");
    http_free(r);
    expect_same(&p, NULL, before);
    cr_assert_eq(minutes_rows(p.meeting_id), 1);
    free(before);

    r = api_call("POST", minutes_path(p.meeting_id, "/amendments"), p.requester.token, reason,
                 NULL);
    cr_assert_eq(r->status, 201, "%s", r->body);
    cr_assert_eq(json_int(r->json, "number"), 2);
    cr_assert_eq(json_int(r->json, "version"), 1);
    expect_str(json_str(r->json, "status"), "draft");
    expect_str(json_str(r->json, "amendment_reason"), "The health visitor's name was misspelt");
    char *location = http_header(r, "Location");
    char want[160];
    snprintf(want, sizeof want, "/v1/meetings/%s/minutes/versions/2", p.meeting_id);
    expect_str(location, want);
    free(location);
    /* the action items carry the actions approval made of them */
    json_t *amended = json_deep_copy(json_object_get(r->json, "content"));
    http_free(r);
    json_t *items = json_object_get(amended, "actions");
    cr_assert_eq(json_array_size(items), 3);
    for (int i = 0; i < 3; i++) {
        char *id = action_of_item(p.meeting_id, i);
        cr_assert(*id, "an action for item %d", i);
        expect_str(json_str(json_array_get(items, (size_t)i), "action_id"), id);
        free(id);
    }

    /* a second amendment waits for this one */
    before = snapshot(&p, NULL);
    r = api_call("POST", minutes_path(p.meeting_id, "/amendments"), p.requester.token, reason,
                 NULL);
    expect_refusal(r, 409, "/problems/invalid-state", "MIN-3", "status");
    http_free(r);
    expect_same(&p, NULL, before);
    free(before);

    /* edited like any draft, and approved again by the chair */
    json_object_set_new(amended, "decisions", json_string("A joint home visit within ten days"));
    v = write_ok(&p, amended, 1);
    cr_assert_eq(v, 2);
    before = snapshot(&p, NULL);
    r = approve(&p.requester, p.meeting_id, etag_of(v));
    expect_refusal(r, 403, "/problems/forbidden", "MIN-3", "");
    http_free(r);
    expect_same(&p, NULL, before);
    free(before);
    v = approve_ok(&p.manager, p.meeting_id, v);
    cr_assert_eq(v, 3);
    /* the amended items are the same actions: none made twice */
    cr_assert_eq(action_rows(p.meeting_id), 3);
    /* each approval's event names the minutes it approved (INT-2): the
     * number and that number's own version, never one for the other */
    const char *ids[] = {p.meeting_id};
    char *approvals = db_value("SELECT string_agg(DISTINCT n, ' ' ORDER BY n) FROM"
                               " (SELECT minutes_number || ':' || resource_version AS n FROM events"
                               "   WHERE resource_id = $1 AND type = 'minutes.approved') e",
                               1, ids);
    char want_approvals[32];
    snprintf(want_approvals, sizeof want_approvals, "1:%ld 2:3", json_int(version1, "version"));
    expect_str(approvals, want_approvals);
    free(approvals);

    /* every version stays readable; version 1 as it was */
    r = api_get(minutes_path(p.meeting_id, "/versions/1"), p.police_officer.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert(json_equal(json_object_get(r->json, "content"), original), "%s", r->body);
    expect_str(json_str(r->json, "status"), "approved");
    cr_assert(json_is_false(json_object_get(r->json, "current")), "%s", r->body);
    expect_str(json_str(r->json, "approved_at"), json_str(version1, "approved_at"));
    cr_assert_eq(json_int(r->json, "version"), json_int(version1, "version"));
    char *etag = http_header(r, "ETag");
    expect_str(etag, etag_of(json_int(version1, "version")));
    free(etag);
    http_free(r);
    r = api_get(minutes_path(p.meeting_id, "/versions/2"), p.police_officer.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert(json_equal(json_object_get(r->json, "content"), amended), "%s", r->body);
    expect_str(json_str(r->json, "status"), "approved");
    expect_str(json_str(r->json, "amendment_reason"), "The health visitor's name was misspelt");
    cr_assert(json_is_true(json_object_get(r->json, "current")), "%s", r->body);
    http_free(r);
    r = api_get(minutes_path(p.meeting_id, NULL), p.police_officer.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_eq(json_int(r->json, "number"), 2);
    http_free(r);
    before = snapshot(&p, NULL);
    r = api_get(minutes_path(p.meeting_id, "/versions/3"), p.police_officer.token);
    expect_refusal(r, 404, "/problems/not-found", NULL, NULL);
    http_free(r);
    expect_same(&p, NULL, before);
    free(before);

    r = api_get(minutes_path(p.meeting_id, "/versions"), p.health_visitor.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *list = json_object_get(r->json, "items");
    cr_assert_eq(json_array_size(list), 2, "%s", r->body);
    cr_assert_eq(json_int(json_array_get(list, 0), "number"), 1);
    cr_assert_eq(json_int(json_array_get(list, 1), "number"), 2);
    cr_assert(json_is_false(json_object_get(json_array_get(list, 0), "current")), "%s", r->body);
    cr_assert(json_is_true(json_object_get(json_array_get(list, 1), "current")), "%s", r->body);
    cr_assert(json_is_null(json_object_get(r->json, "next_cursor")), "%s", r->body);
    http_free(r);
    /* one at a time */
    r = api_get(minutes_path(p.meeting_id, "/versions?limit=1"), p.health_visitor.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_eq(json_array_size(json_object_get(r->json, "items")), 1, "%s", r->body);
    const char *cursor = json_str(r->json, "next_cursor");
    cr_assert(cursor, "%s", r->body);
    char path[512];
    snprintf(path, sizeof path, "%s?limit=1&cursor=%s", minutes_path(p.meeting_id, "/versions"),
             cursor);
    http_free(r);
    r = api_get(path, p.health_visitor.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_eq(json_int(json_array_get(json_object_get(r->json, "items"), 0), "number"), 2,
                 "%s", r->body);
    http_free(r);

    json_decref(reason);
    json_decref(amended);
    json_decref(original);
    json_decref(version1);
    planned_free(&p);
}

/* --- MIN-4, FAM-5: distribution --- */

Test(minutes, MIN_4_only_approved_minutes_are_distributed_to_recorded_recipients)
{
    planned p;
    held_meeting(&p, "professionals");
    char *other = agency_new("health");
    person stranger = person_new(other, "manager");
    json_t *doc = complete_minutes(&p);
    long v = write_ok(&p, doc, 0);
    json_decref(doc);
    char sent_at[32];
    time_from_now(-3600, sent_at);
    json_t *body = json_pack("{s:[o, o], s:s}", "recipients",
                             recipient("Police lead", p.police, "professional"),
                             recipient("Health lead", p.health, "professional"), "sent_at",
                             sent_at);

    /* a draft is not distributed */
    char *before = snapshot(&p, other);
    http_response *r = distribute(&p.requester, p.meeting_id, body);
    expect_refusal(r, 409, "/problems/invalid-state", "MIN-4", "status");
    http_free(r);
    expect_same(&p, other, before);
    free(before);

    approve_ok(&p.manager, p.meeting_id, v);

    /* who receives them is named, with a contact */
    before = snapshot(&p, other);
    json_t *none = json_pack("{s:[]}", "recipients");
    r = distribute(&p.requester, p.meeting_id, none);
    expect_refusal(r, 422, "/problems/rule-violated", "MIN-4", "recipients");
    http_free(r);
    json_decref(none);
    expect_same(&p, other, before);
    json_t *no_contact = json_pack("{s:[{s:s, s:s}]}", "recipients", "name", "Someone",
                                   "category", "professional");
    r = distribute(&p.requester, p.meeting_id, no_contact);
    expect_refusal(r, 422, "/problems/rule-violated", "MIN-4", "recipients[0].contact");
    http_free(r);
    json_decref(no_contact);
    expect_same(&p, other, before);
    /* an invitee does not distribute; a stranger does not see the meeting */
    r = distribute(&p.police_officer, p.meeting_id, body);
    expect_refusal(r, 403, "/problems/forbidden", "MIN-4", "");
    http_free(r);
    expect_same(&p, other, before);
    r = distribute(&stranger, p.meeting_id, body);
    expect_refusal(r, 404, "/problems/not-found", NULL, NULL);
    http_free(r);
    expect_same(&p, other, before);
    free(before);

    r = distribute(&p.requester, p.meeting_id, body);
    cr_assert_eq(r->status, 201, "%s", r->body);
    json_t *sent = json_object_get(r->json, "distribution");
    cr_assert_eq(json_array_size(sent), 2, "%s", r->body);
    size_t i;
    json_t *x;
    json_array_foreach(sent, i, x) {
        const char *at = json_str(x, "sent_at");
        cr_assert(at && strncmp(at, sent_at, 19) == 0, "sent_at %s: %s", sent_at, r->body);
        expect_str(json_str(json_object_get(x, "recorded_by"), "sub"), p.requester.who.sub);
        expect_str(json_str(x, "category"), "professional");
    }
    http_free(r);
    /* without sent_at: now, a record timestamp of the database's clock, so
     * judged by the wall clock rather than the test's */
    json_t *later = json_pack("{s:[o]}", "recipients", recipient("The GP", NULL, "other"));
    char earliest[21];
    clock_rfc3339(time(NULL) - 5, earliest);
    r = distribute(&p.manager, p.meeting_id, later);
    cr_assert_eq(r->status, 201, "%s", r->body);
    sent = json_object_get(r->json, "distribution");
    cr_assert_eq(json_array_size(sent), 3, "%s", r->body);
    const char *at = json_str(json_array_get(sent, 2), "sent_at");
    cr_assert(at && strncmp(at, earliest, 19) >= 0, "sent now: %s", r->body);
    expect_str(json_str(json_array_get(sent, 2), "name"), "The GP");
    http_free(r);
    json_decref(later);

    const char *params[] = {p.meeting_id};
    cr_assert_eq(db_long("SELECT count(*) FROM minutes_distribution WHERE meeting_id = $1", 1,
                         params),
                 3);
    cr_assert_eq(audit_rows(p.meeting_id, "minutes.distribute"), 2);
    cr_assert_eq(feed_events(p.meeting_id, "minutes.distributed"), 2);

    json_decref(body);
    person_free(&stranger);
    free(other);
    planned_free(&p);
}

Test(minutes, MIN_4_FAM_5_MIN_5_the_family_gets_its_copy_only_when_the_decision_says_share)
{
    planned p;
    held_meeting(&p, "professionals");
    approved_minutes(&p);
    json_t *body = json_pack("{s:[o, o]}", "recipients",
                             recipient("Police lead", p.police, "professional"),
                             recipient("The parents", NULL, "family"));
    /* REN-2: what the family receives is their rendition */
    char *rendition = minutes_family_rendition(p.meeting_id, 1, &p.manager);

    /* no decision yet */
    char *before = snapshot(&p, NULL);
    http_response *r = distribute(&p.requester, p.meeting_id, body);
    expect_refusal(r, 422, "/problems/rule-violated", "FAM-5", "recipients");
    cr_assert_eq(error_count(r), 1, "%s", r->body);
    http_free(r);
    expect_same(&p, NULL, before);
    free(before);

    /* withholding needs a rationale; then it holds the copy back */
    json_t *bare = json_pack("{s:s, s:s}", "kind", "minutes_sharing", "decision", "withhold");
    before = snapshot(&p, NULL);
    r = sharing_decision(&p.manager, p.meeting_id, bare);
    expect_refusal(r, 422, "/problems/rule-violated", "FAM-5", "rationale");
    http_free(r);
    expect_same(&p, NULL, before);
    free(before);
    json_decref(bare);
    json_t *withhold = json_pack("{s:s, s:s, s:s}", "kind", "minutes_sharing", "decision",
                                 "withhold", "rationale", "The parents are not yet told of "
                                                          "the police enquiry");
    r = sharing_decision(&p.manager, p.meeting_id, withhold);
    cr_assert_eq(r->status, 201, "%s", r->body);
    http_free(r);
    json_decref(withhold);
    before = snapshot(&p, NULL);
    r = distribute(&p.requester, p.meeting_id, body);
    expect_refusal(r, 422, "/problems/rule-violated", "FAM-5", "recipients");
    http_free(r);
    expect_same(&p, NULL, before);
    free(before);

    /* the latest decision says share */
    json_t *share = json_pack("{s:s, s:s}", "kind", "minutes_sharing", "decision", "share");
    r = sharing_decision(&p.requester, p.meeting_id, share);
    cr_assert_eq(r->status, 201, "%s", r->body);
    http_free(r);
    json_decref(share);
    r = distribute(&p.requester, p.meeting_id, body);
    cr_assert_eq(r->status, 201, "%s", r->body);
    json_t *sent = json_object_get(r->json, "distribution");
    cr_assert_eq(json_array_size(sent), 2, "%s", r->body);
    bool family = false;
    size_t i;
    json_t *x;
    json_array_foreach(sent, i, x) {
        bool is_family = strcmp(json_str(x, "category"), "family") == 0;
        family |= is_family;
        /* MIN-5: the family receives the family's copy, the others the record */
        expect_str(json_str(x, "copy"), is_family ? "family" : "full");
        if (is_family)
            expect_str(json_str(x, "rendition_id"), rendition);
    }
    cr_assert(family, "the family's copy is recorded: %s", r->body);
    http_free(r);
    const char *params[] = {p.meeting_id};
    cr_assert_eq(db_long("SELECT count(*) FROM minutes_distribution WHERE meeting_id = $1"
                         " AND category = 'family' AND copy = 'family'",
                         1, params),
                 1);

    free(rendition);
    json_decref(body);
    planned_free(&p);
}

Test(minutes, FAM_5_withholding_for_fabricated_illness_needs_a_senior_manager_or_named_doctor)
{
    planned p;
    person doctor;
    held_meeting_chaired(&p, "professionals", &doctor);
    person senior = person_new(p.csc, "senior_manager");
    json_t *fii = json_pack("{s:s, s:s, s:[s], s:s}", "kind", "minutes_sharing", "decision",
                            "withhold", "grounds", "fabricated_or_induced_illness", "rationale",
                            "Sharing would alert the parent to the medical investigation");

    /* a manager of the convening agency may decide on sharing, not this */
    char *before = snapshot(&p, NULL);
    http_response *r = sharing_decision(&p.manager, p.meeting_id, fii);
    expect_refusal(r, 403, "/problems/forbidden", "FAM-5", "");
    http_free(r);
    expect_same(&p, NULL, before);
    /* nor the minute taker */
    r = sharing_decision(&p.requester, p.meeting_id, fii);
    expect_refusal(r, 403, "/problems/forbidden", "FAM-5", "");
    http_free(r);
    expect_same(&p, NULL, before);
    free(before);

    /* a senior manager of the convening agency */
    r = sharing_decision(&senior, p.meeting_id, fii);
    cr_assert_eq(r->status, 201, "%s", r->body);
    expect_str(json_str(r->json, "kind"), "minutes_sharing");
    expect_str(json_str(r->json, "decision"), "withhold");
    http_free(r);
    /* the chair, a named doctor */
    r = sharing_decision(&doctor, p.meeting_id, fii);
    cr_assert_eq(r->status, 201, "%s", r->body);
    http_free(r);
    const char *params[] = {p.meeting_id};
    cr_assert_eq(db_long("SELECT count(*) FROM consent_decisions WHERE meeting_id = $1"
                         " AND kind = 'minutes_sharing' AND decision = 'withhold'",
                         1, params),
                 2);

    json_decref(fii);
    person_free(&senior);
    person_free(&doctor);
    planned_free(&p);
}

/* --- MIN-6: a strategy discussion's considerations --- */

#define SCP "strategy_considerations."

Test(minutes, MIN_6_strategy_minutes_without_considerations_list_each_leaf)
{
    planned p;
    held_meeting(&p, "strategy_discussion");
    json_t *doc = complete_minutes(&p);
    edit_at(doc, "risk_categories", NULL);
    edit_at(doc, "strategy_considerations", NULL);
    long v = write_ok(&p, doc, 0);
    json_decref(doc);
    /* the child and the sibling each; each consideration by its leaf */
    const missing_case want[] = {
        {NULL, NULL, "MIN-6", "risk_categories"},
        {NULL, NULL, "MIN-6", SCP "children_discussed"},
        {NULL, NULL, "MIN-6", SCP "children_discussed"},
        {NULL, NULL, "MIN-6", SCP "non_resident_parents.outcome"},
        {NULL, NULL, "MIN-6", SCP "voice_of_child_and_family.outcome"},
        {NULL, NULL, "MIN-6", SCP "safety_measures.outcome"},
        {NULL, NULL, "MIN-6", SCP "child_protection_medical.outcome"},
        {NULL, NULL, "MIN-6", SCP "sarc_referral.outcome"},
        {NULL, NULL, "MIN-6", SCP "criminal_proceedings.outcome"},
        {NULL, NULL, "MIN-6", SCP "criminal_proceedings.family_sharing.can_share"},
        {NULL, NULL, "MIN-6", SCP "criminal_proceedings.family_sharing.cannot_share"},
        {NULL, NULL, "MIN-6", SCP "abe_interview.outcome"},
    };
    expect_approval_refused(&p, v, want, sizeof want / sizeof want[0]);
    http_response *r = approve(&p.manager, p.meeting_id, etag_of(v));
    bool child = false, sibling = false;
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(r->json, "errors"), i, e) {
        const char *m = json_str(e, "message");
        child |= strstr(m, "children[0]") != NULL && strstr(m, "other_children") == NULL;
        sibling |= strstr(m, "other_children[0]") != NULL;
    }
    cr_assert(child && sibling, "each child named: %s", r->body);
    http_free(r);
    planned_free(&p);
}

Test(minutes, MIN_6_domestic_abuse_among_the_risks_requires_its_considerations)
{
    planned p;
    held_meeting(&p, "strategy_discussion");
    json_t *doc = complete_minutes(&p);
    json_array_append_new(json_object_get(doc, "risk_categories"),
                          json_string("domestic_abuse"));
    long v = write_ok(&p, doc, 0);
    json_decref(doc);
    const missing_case want[] = {
        {NULL, NULL, "MIN-6", SCP "marac_referral.outcome"},
        {NULL, NULL, "MIN-6", SCP "dash_risk_assessment.outcome"},
        {NULL, NULL, "MIN-6", SCP "clares_law.outcome"},
        {NULL, NULL, "MIN-6", SCP "children_as_victims.recognised"},
        {NULL, NULL, "MIN-6", SCP "children_as_victims.support"},
    };
    expect_approval_refused(&p, v, want, sizeof want / sizeof want[0]);

    /* the children not recognised as victims: refused with the reason */
    doc = minutes_complete(&p, &(minutes_opts){.domestic_abuse = true});
    edit_at(doc, SCP "children_as_victims.recognised", json_false());
    v = write_ok(&p, doc, v);
    json_decref(doc);
    const missing_case victims[] = {{NULL, NULL, "MIN-6", SCP "children_as_victims.recognised"}};
    expect_approval_refused(&p, v, victims, 1);
    planned_free(&p);
}

Test(minutes, MIN_6_complete_considerations_approved_and_read_back)
{
    planned p;
    held_meeting(&p, "strategy_discussion");
    json_t *doc = minutes_complete(&p, &(minutes_opts){.domestic_abuse = true});
    long v = write_ok(&p, doc, 0);
    v = approve_ok(&p.manager, p.meeting_id, v);
    http_response *r = api_get(minutes_path(p.meeting_id, "/versions/1"), p.police_officer.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *content = json_object_get(r->json, "content");
    cr_assert(json_equal(content, doc), "stored as written: %s", r->body);
    json_t *sc = json_object_get(content, "strategy_considerations");
    expect_str(json_str(json_object_get(sc, "dash_risk_assessment"), "outcome"), "done");
    expect_str(json_str(json_object_get(json_object_get(sc, "dash_risk_assessment"), "by"),
                        "sub"),
               p.police_officer.who.sub);
    cr_assert(json_is_true(json_object_get(json_object_get(sc, "children_as_victims"),
                                           "recognised")),
              "%s", r->body);
    cr_assert_eq(json_array_size(json_object_get(sc, "children_discussed")), 2, "%s", r->body);
    cr_assert_eq(json_array_size(json_object_get(content, "risk_categories")), 3, "%s", r->body);
    http_free(r);
    cr_assert_eq(audit_rows(p.meeting_id, "minutes.approve"), 1);
    cr_assert_eq(feed_events(p.meeting_id, "minutes.approved"), 1);

    /* an unknown outcome never gets in: 400 naming it, nothing changed */
    json_t *reason = json_pack("{s:s}", "reason", "The SARC referral was reconsidered");
    r = api_call("POST", minutes_path(p.meeting_id, "/amendments"), p.requester.token, reason,
                 NULL);
    cr_assert_eq(r->status, 201, "%s", r->body);
    http_free(r);
    json_decref(reason);
    edit_at(doc, SCP "sarc_referral.outcome", json_string("perhaps"));
    char *before = snapshot(&p, NULL);
    r = put_minutes(&p.requester, p.meeting_id, doc, etag_of(1));
    expect_problem(r, 400, "/problems/invalid-request");
    cr_assert(problem_has_field(r, SCP "sarc_referral.outcome"), "%s", r->body);
    http_free(r);
    expect_same(&p, NULL, before);
    free(before);
    json_decref(doc);
    planned_free(&p);
}

/* --- MIN-5: two-part meetings and the family's copy --- */

Test(minutes, MIN_5_part_missing_refused)
{
    /* a two-part meeting: both parts, kept apart */
    planned p;
    held_meeting(&p, "professionals");
    json_t *doc = complete_minutes(&p);
    edit_at(doc, "part_1", NULL);
    edit_at(doc, "part_2", json_pack("{s:s}", "discussion", "  "));
    long v = write_ok(&p, doc, 0);
    json_decref(doc);
    const missing_case want[] = {{NULL, NULL, "MIN-5", "part_1.discussion"},
                                 {NULL, NULL, "MIN-5", "part_2.discussion"}};
    expect_approval_refused(&p, v, want, 2);
    planned_free(&p);

    /* a meeting held in one part has no parts */
    held_meeting_with(&p, "professionals", NULL, false);
    doc = complete_minutes(&p);
    edit_at(doc, "part_1", json_pack("{s:s}", "discussion", "Professionals alone"));
    v = write_ok(&p, doc, 0);
    json_decref(doc);
    const missing_case one_part[] = {{NULL, NULL, "MIN-5", "part_1"}};
    expect_approval_refused(&p, v, one_part, 1);
    planned_free(&p);
}

static const char *family_copy_path(const char *meeting_id, int number)
{
    static char path[192];
    snprintf(path, sizeof path, "/v1/meetings/%s/minutes/versions/%d/family-copy", meeting_id,
             number);
    return path;
}

/* Every text of the minutes that the family must not see carries a marker;
 * `allowed` lists the paths ([] for any index) that may reach them. */
static void mark_for_professionals(json_t *node, const char *path, const char *const *allowed)
{
    const char *key;
    json_t *value;
    void *tmp;
    if (json_is_array(node)) {
        size_t i;
        json_t *x;
        char sub[160];
        snprintf(sub, sizeof sub, "%s[]", path);
        json_array_foreach(node, i, x)
            mark_for_professionals(x, sub, allowed);
        return;
    }
    json_object_foreach_safe(node, tmp, key, value) {
        char sub[160];
        snprintf(sub, sizeof sub, "%s%s%s", path, *path ? "." : "", key);
        if (!json_is_string(value)) {
            mark_for_professionals(value, sub, allowed);
            continue;
        }
        bool keep = false;
        for (const char *const *a = allowed; *a; a++)
            keep |= strcmp(*a, sub) == 0;
        /* dates, ids and choices from a list are checked as such: they stay
         * (ids are looked for below), the texts are marked */
        static const char *const checked[] = {"attendance", "how_represented", "due_date",
                                              "date", "review_date", "invitation_id", "sub",
                                              "outcome", "child", NULL};
        for (const char *const *c = checked; *c; c++)
            keep |= strcmp(*c, key) == 0;
        if (!keep)
            json_object_set_new(node, key,
                                json_string(strcmp(sub, "part_1.discussion") == 0
                                                ? "P1-ONLY-MARKER"
                                                : "NOT-FOR-FAMILY"));
    }
}

Test(minutes, MIN_5_family_copy_of_a_two_part_meeting_lacks_part_1)
{
    static const char *const allowed[] = {
        "purpose", "part_2.discussion", "decisions", "actions[].description",
        "actions[].owner.name", "actions[].owner.agency", "next_review.date", NULL};
    planned p;
    held_meeting(&p, "professionals");
    json_t *doc = complete_minutes(&p);
    edit_at(doc, "further_assessment",
            json_pack("{s:b, s:s, s:o, s:s}", "required", 1, "what", "An assessment", "by",
                      minutes_person(&p.health_visitor), "due_date", "2031-01-06"));
    mark_for_professionals(doc, "", allowed);
    long v = write_ok(&p, doc, 0);

    /* a draft has no family copy */
    char *before = snapshot(&p, NULL);
    http_response *r = api_get(family_copy_path(p.meeting_id, 1), p.requester.token);
    expect_refusal(r, 409, "/problems/invalid-state", "MIN-5", "status");
    http_free(r);
    expect_same(&p, NULL, before);
    free(before);

    v = approve_ok(&p.manager, p.meeting_id, v);
    /* whoever sees the meeting reads it; an invitee here */
    r = api_get(family_copy_path(p.meeting_id, 1), p.police_officer.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_null(strstr(r->body, "P1-ONLY-MARKER"), "part 1 reached the family: %s", r->body);
    cr_assert_null(strstr(r->body, "NOT-FOR-FAMILY"), "not for the family: %s", r->body);
    cr_assert_null(json_object_get(r->json, "part_1"), "%s", r->body);
    cr_assert_null(strstr(r->body, p.police_officer.who.sub), "no subject ids: %s", r->body);
    expect_str(json_str(json_object_get(r->json, "part_2"), "discussion"),
               "With the family: the plan and the support offered");
    json_t *outcome = json_object_get(r->json, "outcome");
    cr_assert_eq(json_array_size(json_object_get(outcome, "actions")), 3, "%s", r->body);
    expect_str(json_str(outcome, "decisions"), "A joint home visit within two weeks");
    expect_str(json_str(r->json, "meeting_id"), p.meeting_id);
    cr_assert_eq(json_int(r->json, "minutes_number"), 1);
    cr_assert(json_is_true(json_object_get(r->json, "two_part")), "%s", r->body);
    char *etag = http_header(r, "ETag");
    expect_str(etag, etag_of(v));
    free(etag);
    http_free(r);
    cr_assert_eq(audit_rows(p.meeting_id, "minutes.family_copy.read"), 1);
    const char *params[] = {p.meeting_id, p.police_officer.who.sub};
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE resource_id = $1"
                         " AND action = 'minutes.family_copy.read' AND actor_sub = $2",
                         2, params),
                 1);

    /* no such version; a stranger learns nothing */
    char *other = agency_new("childrens_social_care");
    person stranger = person_new(other, "manager");
    before = snapshot(&p, other);
    r = api_get(family_copy_path(p.meeting_id, 2), p.requester.token);
    expect_refusal(r, 404, "/problems/not-found", NULL, NULL);
    http_free(r);
    r = api_get(family_copy_path(p.meeting_id, 1), stranger.token);
    expect_refusal(r, 404, "/problems/not-found", NULL, NULL);
    http_free(r);
    expect_same(&p, other, before);
    free(before);

    json_decref(doc);
    person_free(&stranger);
    free(other);
    planned_free(&p);
}

Test(minutes, MIN_5_family_copy_of_a_strategy_discussion_is_what_is_shared)
{
    static const char *const allowed[] = {"shared_with_family.shared", NULL};
    planned p;
    held_meeting(&p, "strategy_discussion");
    json_t *doc = complete_minutes(&p);
    mark_for_professionals(doc, "", allowed);
    long v = write_ok(&p, doc, 0);
    json_decref(doc);
    approve_ok(&p.manager, p.meeting_id, v);
    http_response *r = api_get(family_copy_path(p.meeting_id, 1), p.requester.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_null(strstr(r->body, "NOT-FOR-FAMILY"), "not for the family: %s", r->body);
    expect_str(json_str(r->json, "shared"), "That agencies met and the plan");
    cr_assert(json_is_null(json_object_get(r->json, "outcome")), "%s", r->body);
    http_free(r);
    planned_free(&p);
}

/* --- FAM-6: feeding back to an absent family --- */

/* The date `n` working days after the test's today (UTC), skipping weekends
 * and the bank holidays the service lists. */
static void working_days_from_today(const person *by, int n, char out[11])
{
    long today = (long)(test_now() / DAY);
    char from[11], to[11];
    date_from_today(0, from);
    date_from_today(60, to);
    char path[128];
    snprintf(path, sizeof path, "/v1/bank-holidays?from=%s&to=%s&limit=200", from, to);
    http_response *r = api_get(path, by->token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *items = json_object_get(r->json, "items");
    long d = today;
    while (n > 0) {
        d++;
        int weekday = (int)((d + 4) % 7); /* 1970-01-01 was a Thursday */
        if (weekday == 0 || weekday == 6)
            continue;
        time_t t = (time_t)(d * DAY);
        struct tm tm;
        gmtime_r(&t, &tm);
        char day[11];
        strftime(day, sizeof day, "%Y-%m-%d", &tm);
        bool holiday = false;
        size_t i;
        json_t *h;
        json_array_foreach(items, i, h)
            holiday |= strcmp(json_str(h, "date"), day) == 0;
        if (!holiday)
            n--;
    }
    http_free(r);
    time_t t = (time_t)(d * DAY);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

/* Writes complete minutes of a meeting the family did not attend, with the
 * police officer to feed back by a home visit; returns their version. */
static long write_family_absent_minutes(const planned *p)
{
    json_t *doc = minutes_complete(p, &(minutes_opts){.feedback_by = &p->police_officer});
    long v = write_ok(p, doc, 0);
    json_decref(doc);
    return v;
}

Test(minutes, FAM_6_family_absent_approval_creates_one_feedback_action)
{
    planned p;
    held_meeting_with(&p, "professionals", NULL, false);
    long v = write_family_absent_minutes(&p);

    char expected_due[11];
    working_days_from_today(&p.requester, 5, expected_due);
    approve_ok(&p.manager, p.meeting_id, v);
    cr_assert_eq(action_rows(p.meeting_id), 4);

    char path[160];
    snprintf(path, sizeof path, "/v1/actions?meeting_id=%s", p.meeting_id);
    http_response *r = api_get(path, p.police_officer.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *feedback = NULL;
    int found = 0;
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(r->json, "items"), i, a) {
        if (strcmp(json_str(a, "kind"), "family_feedback") == 0) {
            feedback = a;
            found++;
        }
    }
    cr_assert_eq(found, 1, "one family-feedback action: %s", r->body);
    json_t *owner = json_object_get(feedback, "owner");
    expect_str(json_str(owner, "sub"), p.police_officer.who.sub);
    expect_str(json_str(owner, "name"), p.police_officer.who.name);
    expect_str(json_str(owner, "agency"), p.police);
    expect_str(json_str(feedback, "status"), "open");
    const char *due = json_str(feedback, "due_date");
    cr_assert(due && strcmp(due, expected_due) == 0, "due 5 working days on (%s): %s",
              expected_due, due ? due : "(none)");
    cr_assert(strstr(json_str(feedback, "description"), "A home visit with the child"),
              "%s", r->body);
    cr_assert(json_str(feedback, "contingency"), "%s", r->body);
    char *feedback_id = strdup(json_str(feedback, "id"));
    http_free(r);
    cr_assert_eq(feed_events(feedback_id, "action.created"), 1);

    /* an amendment approved again makes no second one */
    json_t *reason = json_pack("{s:s}", "reason", "The method of feedback was clarified");
    r = api_call("POST", minutes_path(p.meeting_id, "/amendments"), p.manager.token, reason,
                 NULL);
    cr_assert_eq(r->status, 201, "%s", r->body);
    http_free(r);
    json_decref(reason);
    approve_ok(&p.manager, p.meeting_id, 1);
    const char *params[] = {p.meeting_id};
    cr_assert_eq(db_long("SELECT count(*) FROM actions WHERE meeting_id = $1"
                         " AND kind = 'family_feedback'",
                         1, params),
                 1);
    cr_assert_eq(action_rows(p.meeting_id), 4);
    free(feedback_id);
    planned_free(&p);
}

/* A two-part professionals meeting whose parent, invited to part 2, was
 * marked `mark` before the hold (the police officer and health visitor
 * present); the parent's invitation id (a new string). */
static char *held_with_parent_marked(planned *p, const char *mark)
{
    planned_authorised(p, "professionals");
    planned_invite_agencies(p);
    planned_inform_family(p);
    planned_schedule(p, START_IN, "in_person", 1);
    char *parent = minutes_invite_parent(p, "Mother Example");
    json_t *marks = json_pack("{s:s}", parent, mark);
    minutes_hold(p, marks);
    json_decref(marks);
    return parent;
}

static long family_feedback_actions(const char *meeting_id)
{
    const char *params[] = {meeting_id};
    return db_long("SELECT count(*) FROM actions WHERE meeting_id = $1"
                   " AND kind = 'family_feedback'",
                   1, params);
}

Test(minutes, FAM_6_mother_marked_absent_minutes_say_present_refused)
{
    planned p;
    char *parent = held_with_parent_marked(&p, "absent");
    /* the issue's case: minutes saying the family was present, with the
     * mother's entry as marked */
    json_t *doc = complete_minutes(&p);
    edit_at(doc, "family_feedback", json_pack("{s:b}", "family_present", 1));
    long v = write_ok(&p, doc, 0);
    const missing_case want[] = {{NULL, NULL, "FAM-6", "family_feedback.family_present"},
                                 {NULL, NULL, "FAM-6", "family_feedback.by"},
                                 {NULL, NULL, "FAM-6", "family_feedback.method"}};
    expect_approval_refused(&p, v, want, 3);
    cr_assert_eq(family_feedback_actions(p.meeting_id), 0);

    /* saying so with someone to feed back: still refused, the claim is false */
    edit_at(doc, "family_feedback",
            json_pack("{s:b, s:o, s:s}", "family_present", 1, "by",
                      minutes_person(&p.requester), "method", "A home visit"));
    v = write_ok(&p, doc, v);
    const missing_case claim[] = {{NULL, NULL, "FAM-6", "family_feedback.family_present"}};
    expect_approval_refused(&p, v, claim, 1);
    json_decref(doc);
    free(parent);
    planned_free(&p);
}

Test(minutes, FAM_6_mother_marked_absent_feedback_action_created)
{
    planned p;
    char *parent = held_with_parent_marked(&p, "absent");
    json_t *doc = minutes_complete(&p, &(minutes_opts){.feedback_by = &p.health_visitor});
    /* the minutes need not say whether the family was there */
    edit_at(doc, "family_feedback.family_present", NULL);
    long v = write_ok(&p, doc, 0);
    json_decref(doc);
    approve_ok(&p.manager, p.meeting_id, v);
    cr_assert_eq(family_feedback_actions(p.meeting_id), 1);
    const char *params[] = {p.meeting_id, p.health_visitor.who.sub};
    cr_assert_eq(db_long("SELECT count(*) FROM actions WHERE meeting_id = $1"
                         " AND kind = 'family_feedback' AND owner_sub = $2 AND status = 'open'",
                         2, params),
                 1);
    char *id = db_value("SELECT id FROM actions WHERE meeting_id = $1"
                        " AND kind = 'family_feedback'",
                        1, params);
    cr_assert_eq(feed_events(id, "action.created"), 1);
    cr_assert_eq(audit_rows(p.meeting_id, "minutes.approve"), 1);
    free(id);
    free(parent);
    planned_free(&p);
}

Test(minutes, FAM_6_family_present_no_feedback_action)
{
    planned p;
    held_meeting(&p, "professionals");
    /* the parent was marked present: minutes saying otherwise are refused */
    json_t *doc = complete_minutes(&p);
    edit_at(doc, "family_feedback",
            json_pack("{s:b, s:o, s:s}", "family_present", 0, "by",
                      minutes_person(&p.requester), "method", "A home visit"));
    long v = write_ok(&p, doc, 0);
    json_decref(doc);
    const missing_case claim[] = {{NULL, NULL, "FAM-6", "family_feedback.family_present"}};
    expect_approval_refused(&p, v, claim, 1);
    doc = complete_minutes(&p);
    v = write_ok(&p, doc, v);
    json_decref(doc);
    approve_ok(&p.manager, p.meeting_id, v);
    const char *params[] = {p.meeting_id};
    cr_assert_eq(db_long("SELECT count(*) FROM actions WHERE meeting_id = $1"
                         " AND kind = 'family_feedback'",
                         1, params),
                 0);
    cr_assert_eq(action_rows(p.meeting_id), 3);
    planned_free(&p);
}

/* A family member's invitation withdrawn (FAM-9) counts for nothing in the
 * minutes: no attendance entry is owed for it, none may name it (MIN-2),
 * and the family was present when every one still invited was (FAM-6). */
Test(minutes, FAM_9_FAM_6_MIN_2_withdrawn_family_invitation_owes_no_entry_nor_feedback)
{
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);
    planned_inform_family(&p);
    planned_schedule(&p, START_IN, "in_person", 1);
    char *mother = minutes_invite_parent(&p, "Mother Example");
    char *father = minutes_invite_parent(&p, "Father Example");
    char path[160];
    snprintf(path, sizeof path, "/v1/invitations/%s/withdraw", father);
    json_t *reason = json_pack("{s:s}", "reason", "The father no longer has contact");
    http_response *r = api_call("POST", path, p.requester.token, reason, "\"1\"");
    json_decref(reason);
    cr_assert_eq(r->status, 200, "%s", r->body);
    expect_str(json_str(r->json, "status"), "withdrawn");
    http_free(r);
    minutes_hold(&p, NULL); /* the mother present; the father is marked nothing */

    /* an entry naming the withdrawn invitation names none of the meeting's */
    json_t *doc = complete_minutes(&p);
    json_t *entries = json_object_get(doc, "attendance");
    cr_assert_eq(json_array_size(entries), 4, "the chair, the police, health and the mother");
    json_array_append_new(entries, json_pack("{s:s, s:s, s:s, s:s}", "invitation_id", father,
                                             "name", "Father Example", "role", "parent",
                                             "attendance", "absent"));
    long v = write_ok(&p, doc, 0);
    json_decref(doc);
    const missing_case want[] = {{NULL, NULL, "MIN-2", "attendance[4].invitation_id"},
                                 {NULL, NULL, "MIN-2", "attendance[4].agency"}};
    expect_approval_refused(&p, v, want, 2);

    /* without it: the family was present, no feedback is owed */
    doc = complete_minutes(&p);
    cr_assert(json_is_true(json_object_get(json_object_get(doc, "family_feedback"),
                                           "family_present")));
    v = write_ok(&p, doc, v);
    json_decref(doc);
    approve_ok(&p.manager, p.meeting_id, v);
    cr_assert_eq(family_feedback_actions(p.meeting_id), 0);
    cr_assert_eq(plan_action_rows(p.meeting_id), 3);
    free(mother);
    free(father);
    planned_free(&p);
}

/* --- FAM-6 with a bank holiday in the window --- */

#define FAM_6_HOLIDAY "Fictional FAM-6 test holiday"

/* The fictional holiday the next test adds; its fini removes it should the
 * test stop half way. */
static char fam6_holiday[11];

static void fam6_restore_calendar(void)
{
    remove_fictional_holiday(fam6_holiday, FAM_6_HOLIDAY);
}

/* True when a Saturday or Sunday falls after `from` and on or before `to`
 * (both YYYY-MM-DD, UTC). */
static bool weekend_between(const char *from, const char *to)
{
    const char *params[] = {from, to};
    return db_long("SELECT count(*) FROM generate_series($1::date + 1, $2::date,"
                   " interval '1 day') AS g(d) WHERE extract(isodow FROM g.d) >= 6",
                   2, params) > 0;
}

/* In this test's window of the calendar, years ahead (calendar_change.h). */
Test(minutes, FAM_6_feedback_due_date_skips_a_bank_holiday_in_the_window,
     .fini = fam6_restore_calendar)
{
    clock_in_window(WINDOW_FAM_6);
    planned p;
    held_meeting_with(&p, "professionals", NULL, false);
    person admin = person_new(p.csc, "admin");
    long v = write_family_absent_minutes(&p);

    /* without a new holiday: 5 working days on; the holiday: the third of
     * them, a weekday that is no bank holiday yet */
    char today[11], due_without[11], sixth[11], day[11];
    date_from_today(0, today);
    working_days_from_today(&p.requester, 5, due_without);
    working_days_from_today(&p.requester, 6, sixth);
    working_days_from_today(&p.requester, 3, day);
    const char *day_params[] = {day};
    cr_assert_eq(db_long("SELECT count(*) FROM bank_holidays WHERE day = $1::date", 1,
                         day_params),
                 0, "%s is no bank holiday yet", day);

    /* add the holiday, approve, remove the holiday: then judge */
    snprintf(fam6_holiday, sizeof fam6_holiday, "%s", day);
    json_t *body = json_pack("{s:s, s:s}", "date", day, "name", FAM_6_HOLIDAY);
    http_response *r = api_call("POST", "/v1/bank-holidays", admin.token, body, NULL);
    json_decref(body);
    long added = r->status;
    http_free(r);
    char due_with[11];
    working_days_from_today(&p.requester, 5, due_with);
    r = approve(&p.manager, p.meeting_id, etag_of(v));
    long approved = r->status;
    char *approved_body = strdup(r->body);
    http_free(r);
    long removed = remove_holiday_over_api(admin.token, fam6_holiday);
    fam6_restore_calendar();

    cr_assert_eq(added, 201, "adding the holiday %s", day);
    cr_assert_eq(approved, 200, "approving: %s", approved_body);
    cr_assert_eq(removed, 204, "removing the holiday %s", day);
    free(approved_body);

    /* the expected dates: the holiday and a weekend fall inside the window,
     * and the holiday moves the due date one working day on */
    cr_assert(strcmp(today, day) < 0 && strcmp(day, due_with) < 0,
              "the holiday %s falls after today %s and before the due date %s", day, today,
              due_with);
    cr_assert(weekend_between(today, due_with), "a weekend between %s and %s", today, due_with);
    cr_assert(strcmp(due_with, due_without) > 0, "the holiday moves %s on: %s", due_without,
              due_with);
    expect_str(due_with, sixth);

    /* one family-feedback action, due 5 working days on counting the holiday */
    const char *params[] = {p.meeting_id};
    cr_assert_eq(db_long("SELECT count(*) FROM actions WHERE meeting_id = $1"
                         " AND kind = 'family_feedback'",
                         1, params),
                 1);
    char path[160];
    snprintf(path, sizeof path, "/v1/actions?meeting_id=%s", p.meeting_id);
    r = api_get(path, p.police_officer.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *feedback = NULL;
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(r->json, "items"), i, a) {
        if (strcmp(json_str(a, "kind"), "family_feedback") == 0)
            feedback = a;
    }
    cr_assert(feedback, "a family-feedback action: %s", r->body);
    expect_str(json_str(json_object_get(feedback, "owner"), "sub"), p.police_officer.who.sub);
    const char *due = json_str(feedback, "due_date");
    cr_assert(due && strcmp(due, due_with) == 0,
              "due 5 working days on, skipping the weekend and %s: expected %s (%s without the"
              " holiday), got %s",
              day, due_with, due_without, due ? due : "(none)");
    cr_assert(strcmp(due, due_without) != 0, "the holiday %s was counted as a working day", day);
    http_free(r);

    /* the holiday is gone again */
    cr_assert_eq(fictional_holiday_rows(day, FAM_6_HOLIDAY), 0, "%s removed", day);

    person_free(&admin);
    planned_free(&p);
}

/* --- ACT-4: a needed safeguarding referral is tracked --- */

static json_t *action_of_kind(const person *by, const char *meeting_id, const char *kind,
                              int *count)
{
    char path[160];
    snprintf(path, sizeof path, "/v1/actions?meeting_id=%s", meeting_id);
    http_response *r = api_get(path, by->token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *found = NULL;
    *count = 0;
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(r->json, "items"), i, a) {
        if (strcmp(json_str(a, "kind"), kind) == 0) {
            if (!found)
                found = json_incref(a);
            (*count)++;
        }
    }
    http_free(r);
    return found;
}

static long referral_actions(const char *meeting_id)
{
    const char *params[] = {meeting_id};
    return db_long("SELECT count(*) FROM actions WHERE meeting_id = $1"
                   " AND kind = 'safeguarding_referral'",
                   1, params);
}

/* Complete minutes recording that the police officer makes a referral. */
static json_t *minutes_with_referral(const planned *p)
{
    json_t *doc = complete_minutes(p);
    edit_at(doc, "safeguarding_referral",
            json_pack("{s:b, s:o, s:s}", "needed", 1, "by", minutes_person(&p->police_officer),
                      "how", "By phone to the children's front door, then in writing"));
    return doc;
}

/* The day the meeting was held (UTC), as the database recorded it. */
static char *held_on(const char *meeting_id)
{
    const char *params[] = {meeting_id};
    return db_value("SELECT to_char((held_at AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD')"
                    " FROM meetings WHERE id = $1",
                    1, params);
}

/* The working day after `day` by the service's calendar (weekends and the
 * bank holidays it lists skipped). */
static char *working_day_after(const char *day)
{
    const char *params[] = {day};
    return db_value("SELECT to_char(min(d), 'YYYY-MM-DD') FROM generate_series($1::date + 1,"
                    " $1::date + 14, interval '1 day') AS g(d)"
                    " WHERE extract(isodow FROM d) < 6"
                    "   AND NOT EXISTS (SELECT 1 FROM bank_holidays h WHERE h.day = d::date)",
                    1, params);
}

Test(minutes, ACT_4_needed_safeguarding_referral_tracked_for_whoever_makes_it)
{
    planned p;
    held_meeting(&p, "professionals");
    json_t *doc = minutes_with_referral(&p);
    long v = write_ok(&p, doc, 0);
    json_decref(doc);
    approve_ok(&p.manager, p.meeting_id, v);

    /* one action, for the police officer, due the working day after the hold */
    int n;
    json_t *a = action_of_kind(&p.police_officer, p.meeting_id, "safeguarding_referral", &n);
    cr_assert_eq(n, 1, "one safeguarding-referral action");
    json_t *owner = json_object_get(a, "owner");
    expect_str(json_str(owner, "sub"), p.police_officer.who.sub);
    expect_str(json_str(owner, "name"), p.police_officer.who.name);
    expect_str(json_str(owner, "agency"), p.police);
    expect_str(json_str(a, "status"), "open");
    cr_assert(strstr(json_str(a, "description"), "By phone to the children's front door"),
              "says how: %s", json_str(a, "description"));
    cr_assert(json_str(a, "contingency"));
    char *held = held_on(p.meeting_id), *due = working_day_after(held);
    expect_str(json_str(a, "due_date"), due);
    free(held);
    free(due);
    char *id = strdup(json_str(a, "id"));
    json_decref(a);
    cr_assert_eq(feed_events(id, "action.created"), 1);
    cr_assert_eq(audit_rows(p.meeting_id, "minutes.approve"), 1);
    const char *params[] = {id};
    cr_assert_eq(db_long("SELECT count(*) FROM action_history WHERE action_id = $1"
                         " AND change = 'created'",
                         1, params),
                 1);
    cr_assert_eq(plan_action_rows(p.meeting_id), 3);

    /* an amendment approved again makes no second one */
    json_t *reason = json_pack("{s:s}", "reason", "How the referral is made was clarified");
    http_response *r = api_call("POST", minutes_path(p.meeting_id, "/amendments"),
                                p.manager.token, reason, NULL);
    cr_assert_eq(r->status, 201, "%s", r->body);
    http_free(r);
    json_decref(reason);
    approve_ok(&p.manager, p.meeting_id, 1);
    cr_assert_eq(referral_actions(p.meeting_id), 1);
    cr_assert_eq(feed_events(id, "action.created"), 1);
    free(id);
    planned_free(&p);
}

Test(minutes, ACT_4_referral_not_needed_makes_no_action)
{
    planned p;
    held_meeting(&p, "professionals");
    approved_minutes(&p);
    cr_assert_eq(referral_actions(p.meeting_id), 0);
    planned_free(&p);
}

Test(minutes, ACT_4_amendment_that_first_records_a_referral_makes_it)
{
    planned p;
    held_meeting(&p, "professionals");
    approved_minutes(&p);
    cr_assert_eq(referral_actions(p.meeting_id), 0);
    json_t *reason = json_pack("{s:s}", "reason", "A referral was agreed after all");
    http_response *r = api_call("POST", minutes_path(p.meeting_id, "/amendments"),
                                p.requester.token, reason, NULL);
    cr_assert_eq(r->status, 201, "%s", r->body);
    json_t *doc = json_deep_copy(json_object_get(r->json, "content"));
    http_free(r);
    json_decref(reason);
    edit_at(doc, "safeguarding_referral",
            json_pack("{s:b, s:o, s:s}", "needed", 1, "by", minutes_person(&p.health_visitor),
                      "how", "Online referral form"));
    long v = write_ok(&p, doc, 1);
    json_decref(doc);
    approve_ok(&p.manager, p.meeting_id, v);
    const char *params[] = {p.meeting_id, p.health_visitor.who.sub};
    cr_assert_eq(db_long("SELECT count(*) FROM actions WHERE meeting_id = $1"
                         " AND kind = 'safeguarding_referral' AND owner_sub = $2"
                         " AND minutes_number = 2",
                         2, params),
                 1);
    planned_free(&p);
}

Test(minutes, ACT_4_due_from_the_day_held_skipping_weekends_and_bank_holidays)
{
    /* held on Thursday 24 December 2026 (the database's record): Christmas
     * Day, the weekend and the Boxing Day holiday pass before the next
     * working day, Tuesday 29 December */
    planned p;
    held_meeting(&p, "professionals");
    const char *params[] = {p.meeting_id};
    char *id = db_value("UPDATE meetings SET held_at = '2026-12-24T16:30:00Z'"
                        " WHERE id = $1 RETURNING id",
                        1, params);
    expect_str(id, p.meeting_id);
    free(id);
    cr_assert_eq(db_long("SELECT count(*) FROM bank_holidays"
                         " WHERE day IN ('2026-12-25', '2026-12-28')",
                         0, NULL),
                 2, "the seeded holidays of England and Wales");
    json_t *doc = minutes_with_referral(&p);
    long v = write_ok(&p, doc, 0);
    json_decref(doc);
    approve_ok(&p.manager, p.meeting_id, v);
    int n;
    json_t *a = action_of_kind(&p.police_officer, p.meeting_id, "safeguarding_referral", &n);
    cr_assert_eq(n, 1);
    expect_str(json_str(a, "due_date"), "2026-12-29");
    json_decref(a);
    planned_free(&p);
}

/* --- MTG-8: closing --- */

Test(minutes, MTG_8_a_meeting_closes_once_its_minutes_are_approved)
{
    planned p;
    held_meeting(&p, "professionals");
    /* no minutes, then a draft: refused */
    char *before = snapshot(&p, NULL);
    http_response *r = api_call("POST", meeting_path(p.meeting_id, "close"), p.manager.token,
                                NULL, etag_of(p.version));
    expect_refusal(r, 422, "/problems/rule-violated", "MTG-8", "minutes");
    http_free(r);
    expect_same(&p, NULL, before);
    free(before);
    json_t *doc = complete_minutes(&p);
    long v = write_ok(&p, doc, 0);
    json_decref(doc);
    before = snapshot(&p, NULL);
    r = api_call("POST", meeting_path(p.meeting_id, "close"), p.requester.token, NULL,
                 etag_of(p.version));
    expect_refusal(r, 422, "/problems/rule-violated", "MTG-8", "minutes");
    http_free(r);
    expect_same(&p, NULL, before);
    free(before);

    approve_ok(&p.manager, p.meeting_id, v);
    /* MTG-8, FAM-5: the sharing decided, and the minutes sent to the agencies that
     * attended (test_closing.c tests these preconditions) */
    json_t *withhold = json_pack("{s:s, s:s, s:s}", "kind", "minutes_sharing", "decision",
                                 "withhold", "rationale", "The family hears the outcome in person");
    r = sharing_decision(&p.manager, p.meeting_id, withhold);
    json_decref(withhold);
    cr_assert_eq(r->status, 201, "%s", r->body);
    http_free(r);
    json_t *recipients = json_pack("{s:[o, o]}", "recipients",
                                   recipient("Police records", p.police, "professional"),
                                   recipient("Health records", p.health, "professional"));
    r = distribute(&p.manager, p.meeting_id, recipients);
    json_decref(recipients);
    cr_assert_eq(r->status, 201, "%s", r->body);
    http_free(r);
    before = snapshot(&p, NULL);
    r = api_call("POST", meeting_path(p.meeting_id, "close"), p.manager.token, NULL, NULL);
    expect_refusal(r, 428, "/problems/precondition-required", NULL, NULL);
    http_free(r);
    r = api_call("POST", meeting_path(p.meeting_id, "close"), p.manager.token, NULL,
                 etag_of(p.version - 1));
    expect_refusal(r, 412, "/problems/stale-version", NULL, NULL);
    http_free(r);
    expect_same(&p, NULL, before);
    free(before);

    r = api_call("POST", meeting_path(p.meeting_id, "close"), p.manager.token, NULL,
                 etag_of(p.version));
    cr_assert_eq(r->status, 200, "%s", r->body);
    expect_str(json_str(r->json, "status"), "closed");
    cr_assert(json_str(r->json, "closed_at"), "%s", r->body);
    cr_assert_eq(json_int(r->json, "version"), p.version + 1);
    p.version++;
    http_free(r);
    cr_assert_eq(audit_rows(p.meeting_id, "meeting.close"), 1);
    cr_assert_eq(feed_events(p.meeting_id, "meeting.closed"), 1);

    /* closed is the end */
    before = snapshot(&p, NULL);
    r = api_call("POST", meeting_path(p.meeting_id, "close"), p.manager.token, NULL,
                 etag_of(p.version));
    expect_refusal(r, 409, "/problems/invalid-state", "MTG-8", "status");
    http_free(r);
    expect_same(&p, NULL, before);
    free(before);
    planned_free(&p);
}

/* --- the overdue-minutes report --- */

static bool in_report(const person *by, const char *meeting_id, char cutoff[11])
{
    http_response *r = api_get("/v1/reports/overdue-minutes", by->token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_eq(json_int(r->json, "due_working_days"), 15, "%s", r->body);
    const char *c = json_str(r->json, "held_on_or_before");
    cr_assert(c && strlen(c) == 10, "%s", r->body);
    snprintf(cutoff, 11, "%s", c);
    bool found = false;
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(r->json, "items"), i, m) {
        if (strcmp(json_str(m, "id"), meeting_id) == 0) {
            found = true;
            const char *held = json_str(m, "held_at");
            cr_assert(held && strncmp(held, cutoff, 10) <= 0, "held %s, cutoff %s", held,
                      cutoff);
        }
    }
    http_free(r);
    return found;
}

Test(minutes, overdue_minutes_report_until_approved_and_distributed)
{
    planned p;
    held_meeting(&p, "professionals");
    char cutoff[11];
    /* held today: not yet overdue */
    cr_assert(!in_report(&p.manager, p.meeting_id, cutoff));

    /* held 40 days ago (at least 16 working days, whatever the holidays):
     * the report counts from held_at, which the database's clock stamped */
    char held_at[32];
    time_from_now(-40 * DAY, held_at);
    const char *params[] = {p.meeting_id, held_at};
    char *id = db_value("UPDATE meetings SET held_at = $2::timestamptz"
                        " WHERE id = $1 RETURNING id",
                        2, params);
    expect_str(id, p.meeting_id);
    free(id);
    cr_assert(in_report(&p.manager, p.meeting_id, cutoff), "no minutes: overdue");
    cr_assert(in_report(&p.requester, p.meeting_id, cutoff));
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE action ="
                         " 'report.overdue_minutes' AND $1 = ANY (resource_ids)",
                         1, params),
                 2);

    /* a draft, then approved minutes sent to no one: still overdue */
    json_t *doc = complete_minutes(&p);
    long v = write_ok(&p, doc, 0);
    json_decref(doc);
    cr_assert(in_report(&p.manager, p.meeting_id, cutoff), "a draft: overdue");
    approve_ok(&p.manager, p.meeting_id, v);
    cr_assert(in_report(&p.manager, p.meeting_id, cutoff), "not distributed: overdue");

    /* an unrelated manager never sees it */
    char *other = agency_new("childrens_social_care");
    person stranger = person_new(other, "manager");
    cr_assert(!in_report(&stranger, p.meeting_id, cutoff));

    json_t *body = json_pack("{s:[o]}", "recipients",
                             recipient("Police lead", p.police, "professional"));
    http_response *r = distribute(&p.requester, p.meeting_id, body);
    cr_assert_eq(r->status, 201, "%s", r->body);
    http_free(r);
    json_decref(body);
    cr_assert(!in_report(&p.manager, p.meeting_id, cutoff), "approved and sent: not overdue");

    person_free(&stranger);
    free(other);
    planned_free(&p);
}

/* --- SEC-4, INT-2 --- */

Test(minutes, SEC_4_INT_2_minutes_audited_and_announced)
{
    planned p;
    held_meeting(&p, "professionals");
    json_t *doc = complete_minutes(&p);
    long v = write_ok(&p, doc, 0);
    v = write_ok(&p, doc, v);
    json_decref(doc);
    http_response *r = api_get(minutes_path(p.meeting_id, NULL), p.police_officer.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    r = api_get(minutes_path(p.meeting_id, "/versions/1"), p.health_visitor.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    approve_ok(&p.manager, p.meeting_id, v);

    cr_assert_eq(audit_rows(p.meeting_id, "minutes.write"), 2);
    cr_assert_eq(audit_rows(p.meeting_id, "minutes.read"), 2);
    cr_assert_eq(audit_rows(p.meeting_id, "minutes.approve"), 1);
    const char *params[] = {p.meeting_id, p.police_officer.who.sub, p.police};
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE resource_id = $1"
                         " AND action = 'minutes.read' AND actor_sub = $2 AND actor_agency = $3"
                         " AND resource_type = 'minutes' AND outcome = 'success'",
                         3, params),
                 1);

    /* each agency of the meeting hears of the drafts, the approval and each
     * new action */
    cr_assert_eq(feed_events(p.meeting_id, "minutes.drafted"), 2);
    cr_assert_eq(feed_events(p.meeting_id, "minutes.approved"), 1);
    cr_assert_eq(feed_rows(p.meeting_id, "minutes.approved"), 3);
    cr_assert_eq(db_long("SELECT count(*) FROM events WHERE resource_id = $1"
                         " AND type = 'minutes.approved' AND resource_type = 'minutes'"
                         " AND resource_version = 3",
                         1, params),
                 3);
    cr_assert_eq(db_long("SELECT count(DISTINCT e.event_id) FROM events e JOIN actions a"
                         " ON a.id::text = e.resource_id WHERE a.meeting_id = $1"
                         " AND e.type = 'action.created' AND e.resource_type = 'action'",
                         1, params),
                 3);
    cr_assert_eq(db_long("SELECT count(*) FROM events e JOIN actions a"
                         " ON a.id::text = e.resource_id WHERE a.meeting_id = $1"
                         " AND e.type = 'action.created'",
                         1, params),
                 9);

    /* an integration of the police agency follows them on its feed (read
     * to its end; an event shows once every earlier transaction has ended) */
    person integration = person_new(p.police, "integration");
    int approved = 0, created = 0;
    for (int attempt = 0; attempt < 300 && (approved < 1 || created < 3); attempt++) {
        if (attempt)
            usleep(100 * 1000);
        approved = created = 0;
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
                const char *type = json_str(e, "type");
                if (strcmp(type, "minutes.approved") == 0 &&
                    strcmp(json_str(e, "resource_id"), p.meeting_id) == 0)
                    approved++;
                if (strcmp(type, "action.created") == 0)
                    created++;
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
    cr_assert_eq(approved, 1, "the police feed tells of the approval once");
    cr_assert_eq(created, 3, "the police feed tells of each new action once");
    person_free(&integration);
    planned_free(&p);
}
