/* Retention (RET-1) and holds (RET-2) over real HTTP against the real
 * database: the policy per record class with its history, changed by
 * admins; the case closures a case-management system reports; the records
 * due at the test clock (moved forward, never waited for); holds on a
 * meeting, a child and a record class that stop disposal until released
 * or ended. Every refusal is checked for its problem and for the database
 * left as it was. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/retention.h"
#include "support/client.h"
#include "support/expect.h"
#include "support/fixtures.h"
#include "support/people.h"
#include "support/planning.h"

#include "kept_record.h"

#define POLICY_PATH "/v1/retention-policies/meeting_record"

/* The versions an admin recorded. */
static long policy_versions_by(const person *admin)
{
    const char *params[] = {admin->who.sub};
    return db_long("SELECT count(*) FROM retention_policies WHERE changed_by_sub = $1", 1,
                   params);
}

/* The policy in effect as a PUT body with this reason (a new object). */
static json_t *policy_as_change(const json_t *policy, const char *reason)
{
    return json_pack("{s:I, s:s, s:s, s:s}", "period_months",
                     (json_int_t)json_int(policy, "period_months"), "runs_from",
                     json_str(policy, "runs_from"), "then", json_str(policy, "then"), "reason",
                     reason);
}

Test(retention, RET_1_policy_in_effect_and_a_change_kept_in_its_history)
{
    char *agency = agency_new("childrens_social_care");
    person admin = person_new(agency, "admin");
    person worker = person_new(agency, "practitioner");

    http_response *r = api_get(POLICY_PATH, worker.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "record_class"), "meeting_record");
    long version = json_int(r->json, "version");
    cr_assert_geq(version, 1);
    /* the same values again, so that the tests running beside this one
     * judge by the same period */
    json_t *change = policy_as_change(r->json, "Confirmed by the data protection board");
    http_free(r);

    r = api_call("PUT", POLICY_PATH, admin.token, change, etag_of(version));
    json_decref(change);
    cr_assert_eq(r->status, 200, "%s", r->body);
    long now_version = json_int(r->json, "version");
    cr_assert_gt(now_version, version);
    cr_assert_str_eq(json_str(r->json, "reason"), "Confirmed by the data protection board");
    cr_assert_str_eq(json_str(json_object_get(r->json, "changed_by"), "sub"), admin.who.sub);
    http_free(r);

    r = api_get(POLICY_PATH "/versions?limit=200", worker.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *items = json_object_get(r->json, "items");
    bool first_kept = false, mine_listed = false;
    size_t i;
    json_t *x;
    json_array_foreach(items, i, x) {
        if (json_int(x, "version") == 1)
            first_kept = !json_is_null(json_object_get(x, "reason")) &&
                         json_is_null(json_object_get(x, "effective_from"));
        if (json_int(x, "version") == now_version)
            mine_listed = true;
    }
    cr_assert(first_kept && mine_listed, "%s", r->body);
    http_free(r);

    char v[16];
    snprintf(v, sizeof v, "%ld", now_version);
    const char *params[] = {admin.who.sub};
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE actor_sub = $1"
                         " AND action = 'retention_policy.update'"
                         " AND resource_id = 'meeting_record'",
                         1, params),
                 1);
    person_free(&admin);
    person_free(&worker);
    free(agency);
}

Test(retention, RET_1_policy_changes_refused_change_nothing)
{
    char *agency = agency_new("childrens_social_care");
    person admin = person_new(agency, "admin");
    person worker = person_new(agency, "manager");
    http_response *r = api_get(POLICY_PATH, worker.token);
    long version = json_int(r->json, "version");
    json_t *good = policy_as_change(r->json, "A reason");
    http_free(r);
    long before = policy_versions_by(&admin);

    /* no If-Match: 428 */
    r = api_call("PUT", POLICY_PATH, admin.token, good, NULL);
    expect_problem(r, 428, "/problems/precondition-required");
    http_free(r);
    /* stale: 412 */
    r = api_call("PUT", POLICY_PATH, admin.token, good, etag_of(version + 1000));
    expect_problem(r, 412, "/problems/stale-version");
    http_free(r);
    /* not an admin: 403 */
    r = api_call("PUT", POLICY_PATH, worker.token, good, etag_of(version));
    expect_problem(r, 403, "/problems/forbidden");
    http_free(r);
    /* no such class: 404 */
    r = api_call("PUT", "/v1/retention-policies/shopping_lists", admin.token, good,
                 etag_of(version));
    expect_problem(r, 404, "/problems/not-found");
    http_free(r);
    /* a period out of bounds, a start that is not one: 422 RET-1 */
    json_t *bad = json_deep_copy(good);
    json_object_set_new(bad, "period_months", json_integer(0));
    json_object_set_new(bad, "runs_from", json_string("first_contact"));
    json_object_del(bad, "reason");
    /* `*`: the test beside this one may record a version meanwhile */
    r = api_call("PUT", POLICY_PATH, admin.token, bad, "*");
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert(problem_has_rule(r, "RET-1", "period_months"), "%s", r->body);
    cr_assert(problem_has_rule(r, "RET-1", "runs_from"), "%s", r->body);
    cr_assert(problem_has_rule(r, "RET-1", "reason"), "%s", r->body);
    http_free(r);
    json_decref(bad);
    /* an unknown member, a read-only one: 400 */
    bad = json_deep_copy(good);
    json_object_set_new(bad, "version", json_integer(7));
    json_object_set_new(bad, "colour", json_string("blue"));
    r = api_call("PUT", POLICY_PATH, admin.token, bad, etag_of(version));
    expect_problem(r, 400, "/problems/invalid-request");
    cr_assert(problem_has_field(r, "version") && problem_has_field(r, "colour"), "%s", r->body);
    http_free(r);
    json_decref(bad);

    cr_assert_eq(policy_versions_by(&admin), before, "a refused change recorded a version");
    json_decref(good);
    person_free(&admin);
    person_free(&worker);
    free(agency);
}

Test(retention, RET_1_case_closure_reported_and_refusals_change_nothing)
{
    kept k;
    kept_requested(&k);
    kept_cancel(&k);
    const char *params[] = {k.child_id};
    const char *count = "SELECT count(*) FROM child_case_closures WHERE child_id = $1::uuid";

    char tomorrow[11], today[11];
    date_from_today(1, tomorrow);
    date_from_today(0, today);
    char *before = db_fingerprint(k.agency);
    http_response *r = kept_report_closure(&k.manager, k.child_id, tomorrow);
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert(problem_has_rule(r, "RET-1", "closed_on"), "%s", r->body);
    http_free(r);
    /* a practitioner has no such role: 403; a manager elsewhere sees no child: 404 */
    r = kept_report_closure(&k.requester, k.child_id, today);
    expect_problem(r, 403, "/problems/forbidden");
    http_free(r);
    char *other = agency_new("childrens_social_care");
    person stranger = person_new(other, "manager");
    r = kept_report_closure(&stranger, k.child_id, today);
    expect_problem(r, 404, "/problems/not-found");
    http_free(r);
    cr_assert_eq(db_long(count, 1, params), 0);
    expect_unchanged(k.agency, before);
    free(before);

    r = kept_report_closure(&k.manager, k.child_id, today);
    cr_assert_eq(r->status, 201, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "closed_on"), today);
    cr_assert_str_eq(json_str(r->json, "child_id"), k.child_id);
    http_free(r);
    cr_assert_eq(db_long(count, 1, params), 1);
    const char *audit[] = {k.manager.who.sub};
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE actor_sub = $1"
                         " AND action = 'child.case_closure.record'",
                         1, audit),
                 1);
    person_free(&stranger);
    free(other);
    kept_free(&k);
}

Test(retention, RET_1_records_past_their_period_are_listed_with_the_clock_moved)
{
    kept k;
    kept_cancelled(&k, NULL);
    char closed_on[11];
    date_from_today(0, closed_on);
    person dpo = person_new(k.agency, "dpo");

    test_clock_set(time(NULL));
    json_t *entry = kept_due_entry(&dpo, k.meeting_id);
    cr_assert_null(entry, "kept 35 years, not due today");
    test_clock_set(time(NULL) + KEPT_YEARS_LATER(34));
    entry = kept_due_entry(&dpo, k.meeting_id);
    cr_assert_null(entry, "not due after 34 years");

    test_clock_set(time(NULL) + KEPT_YEARS_LATER(36));
    entry = kept_due_entry(&dpo, k.meeting_id);
    cr_assert_not_null(entry, "due after 36 years");
    cr_assert_str_eq(json_str(entry, "starts_on"), closed_on);
    cr_assert_str_eq(json_str(entry, "runs_from"), "case_closed");
    cr_assert_str_eq(json_str(entry, "record_class"), "meeting_record");
    cr_assert_str_eq(json_str(entry, "record_id"), k.meeting_id);
    cr_assert(json_is_false(json_object_get(entry, "held")));
    cr_assert(json_is_null(json_object_get(entry, "disposal_id")));
    /* 420 months after the closure */
    int y, m, d;
    cr_assert_eq(sscanf(closed_on, "%d-%d-%d", &y, &m, &d), 3);
    char due_prefix[8];
    snprintf(due_prefix, sizeof due_prefix, "%04d-%02d", y + 35, m);
    cr_assert_eq(strncmp(json_str(entry, "due_on"), due_prefix, 7), 0, "%s",
                 json_str(entry, "due_on"));
    json_decref(entry);

    /* listed for the dpo and admins only */
    http_response *r = api_get("/v1/records-due", k.manager.token);
    expect_problem(r, 403, "/problems/forbidden");
    http_free(r);
    const char *params[] = {dpo.who.sub};
    cr_assert_geq(db_long("SELECT count(*) FROM audit_events WHERE actor_sub = $1"
                          " AND action = 'record_due.list'",
                          1, params),
                  3);
    person_free(&dpo);
    kept_free(&k);
}

/* POST /v1/retention-holds as `by`: the answer. */
static http_response *place_hold(const person *by, json_t *body)
{
    http_response *r = api_call("POST", "/v1/retention-holds", by->token, body, NULL);
    json_decref(body);
    return r;
}

static http_response *release_hold(const person *by, const char *hold_id, long version)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/retention-holds/%s/release", hold_id);
    json_t *body = json_pack("{s:s}", "reason", "The litigation ended");
    http_response *r = api_call("POST", path, by->token, body, etag_of(version));
    json_decref(body);
    return r;
}

/* A proposal refused with 422 naming RET-2, nothing stored. */
static void expect_held(const person *by, const kept *k)
{
    char *before = kept_state(k->meeting_id);
    long audited = kept_audit_by(by);
    http_response *r = kept_propose(by, k->meeting_id);
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert(problem_has_rule(r, "RET-2", "meeting_id"), "%s", r->body);
    http_free(r);
    cr_assert_eq(kept_disposals(k->meeting_id), 0);
    cr_assert_eq(kept_audit_by(by), audited, "a refusal writes no audit row");
    char *after = kept_state(k->meeting_id);
    cr_assert_str_eq(after, before);
    free(before);
    free(after);
}

Test(retention, RET_2_hold_on_a_meeting_stops_disposal_until_released)
{
    kept k;
    kept_cancelled(&k, NULL);
    person dpo = person_new(k.agency, "dpo");
    person admin = person_new(k.agency, "admin");
    test_clock_set(time(NULL) + KEPT_YEARS_LATER(36));

    http_response *r = place_hold(&dpo, json_pack("{s:s, s:s, s:s, s:s}", "scope", "meeting",
                                                  "meeting_id", k.meeting_id, "kind",
                                                  "litigation", "reason",
                                                  "A claim about the placement is pending"));
    cr_assert_eq(r->status, 201, "%s", r->body);
    char *hold_id = strdup(json_str(r->json, "id"));
    long hold_version = json_int(r->json, "version");
    cr_assert(json_is_null(json_object_get(r->json, "release")));
    http_free(r);

    json_t *entry = kept_due_entry(&dpo, k.meeting_id);
    cr_assert_not_null(entry);
    cr_assert(json_is_true(json_object_get(entry, "held")));
    cr_assert_str_eq(json_string_value(json_array_get(json_object_get(entry, "hold_ids"), 0)),
                     hold_id);
    json_decref(entry);
    expect_held(&admin, &k);

    /* released, with its reason, and kept */
    r = release_hold(&admin, hold_id, hold_version);
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *release = json_object_get(r->json, "release");
    cr_assert_str_eq(json_str(release, "reason"), "The litigation ended");
    hold_version = json_int(r->json, "version");
    http_free(r);
    /* once only: 409, nothing changed */
    r = release_hold(&admin, hold_id, hold_version);
    expect_problem(r, 409, "/problems/invalid-state");
    cr_assert(problem_has_rule(r, "RET-2", NULL), "%s", r->body);
    http_free(r);
    char path[128];
    snprintf(path, sizeof path, "/v1/retention-holds/%s", hold_id);
    r = api_get(path, dpo.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_eq(json_int(r->json, "version"), hold_version);
    http_free(r);

    r = kept_propose(&admin, k.meeting_id);
    cr_assert_eq(r->status, 201, "once released, disposal may be proposed: %s", r->body);
    http_free(r);
    const char *params[] = {hold_id};
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE resource_id = $1"
                         " AND action IN ('retention_hold.place', 'retention_hold.release')",
                         1, params),
                 2);
    free(hold_id);
    person_free(&dpo);
    person_free(&admin);
    kept_free(&k);
}

Test(retention, RET_2_hold_on_a_child_stops_disposal_of_its_meetings)
{
    kept k;
    kept_cancelled(&k, NULL);
    person dpo = person_new(k.agency, "dpo");
    test_clock_set(time(NULL) + KEPT_YEARS_LATER(36));
    http_response *r =
        place_hold(&dpo, json_pack("{s:s, s:s, s:s, s:s}", "scope", "child", "child_id",
                                   k.child_id, "kind", "rapid_review", "reason",
                                   "A rapid review of the family's circumstances"));
    cr_assert_eq(r->status, 201, "%s", r->body);
    http_free(r);
    json_t *entry = kept_due_entry(&dpo, k.meeting_id);
    cr_assert(entry && json_is_true(json_object_get(entry, "held")));
    json_decref(entry);
    expect_held(&dpo, &k);
    person_free(&dpo);
    kept_free(&k);
}

/* A hold on the whole class ends on its last day. It runs at today's clock,
 * on a case closed in 1990 (due since 2025), and ends today, so that the
 * tests beside it, 36 years on, are not held by it. */
Test(retention, RET_2_hold_on_a_record_class_stops_disposal_until_its_end_day)
{
    kept k;
    kept_cancelled(&k, "1990-01-01");
    person dpo = person_new(k.agency, "dpo");
    person admin = person_new(k.agency, "admin");
    test_clock_pin_noon();
    char today[11];
    date_from_today(0, today);
    http_response *r =
        place_hold(&dpo, json_pack("{s:s, s:s, s:s, s:s, s:s}", "scope", "record_class",
                                   "record_class", "meeting_record", "kind", "inquiry", "reason",
                                   "A national inquiry asks that no such record be destroyed",
                                   "ends_on", today));
    cr_assert_eq(r->status, 201, "%s", r->body);
    char *hold_id = strdup(json_str(r->json, "id"));
    long version = json_int(r->json, "version");
    http_free(r);
    expect_held(&admin, &k);

    r = api_get("/v1/retention-holds?in_effect=true&limit=200", dpo.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert(strstr(r->body, hold_id), "in effect today: %s", r->body);
    http_free(r);

    /* the day after its end it holds nothing */
    test_clock_advance(KEPT_DAY);
    r = api_get("/v1/retention-holds?in_effect=true&limit=200", dpo.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_null(strstr(r->body, hold_id), "ended: %s", r->body);
    http_free(r);
    r = kept_propose(&admin, k.meeting_id);
    cr_assert_eq(r->status, 201, "%s", r->body);
    http_free(r);
    r = release_hold(&dpo, hold_id, version);
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    free(hold_id);
    person_free(&dpo);
    person_free(&admin);
    kept_free(&k);
}

Test(retention, RET_2_holds_refused_change_nothing)
{
    kept k;
    kept_cancelled(&k, NULL);
    person dpo = person_new(k.agency, "dpo");
    long before = db_long("SELECT count(*) FROM retention_holds", 0, NULL);
    char yesterday[11];
    date_from_today(-1, yesterday);

    /* an end day passed, a target its scope does not name: 422 RET-2 */
    http_response *r = place_hold(
        &dpo, json_pack("{s:s, s:s, s:s, s:s, s:s}", "scope", "meeting", "child_id", k.child_id,
                        "kind", "complaint", "reason", "A complaint", "ends_on", yesterday));
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert(problem_has_rule(r, "RET-2", "ends_on"), "%s", r->body);
    cr_assert(problem_has_rule(r, "RET-2", "meeting_id"), "%s", r->body);
    cr_assert(problem_has_rule(r, "RET-2", "child_id"), "%s", r->body);
    http_free(r);
    /* a meeting the service does not hold: 422 RET-2 */
    r = place_hold(&dpo, json_pack("{s:s, s:s, s:s, s:s}", "scope", "meeting", "meeting_id",
                                   "00000000-0000-4000-8000-000000000000", "kind", "complaint",
                                   "reason", "A complaint"));
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert(problem_has_rule(r, "RET-2", "meeting_id"), "%s", r->body);
    http_free(r);
    /* a kind that is not one, no reason: 422 RET-2 */
    r = place_hold(&dpo, json_pack("{s:s, s:s, s:s}", "scope", "child", "child_id", k.child_id,
                                   "kind", "curiosity"));
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert(problem_has_rule(r, "RET-2", "kind"), "%s", r->body);
    cr_assert(problem_has_rule(r, "RET-2", "reason"), "%s", r->body);
    http_free(r);
    /* not a UUID, an unknown member: 400 */
    r = place_hold(&dpo, json_pack("{s:s, s:s, s:s, s:s, s:b}", "scope", "child", "child_id",
                                   "nobody", "kind", "inquiry", "reason", "R", "urgent", 1));
    expect_problem(r, 400, "/problems/invalid-request");
    http_free(r);
    /* a manager is not one who places holds: 403 */
    r = place_hold(&k.manager, json_pack("{s:s, s:s, s:s, s:s}", "scope", "child", "child_id",
                                         k.child_id, "kind", "inquiry", "reason", "R"));
    expect_problem(r, 403, "/problems/forbidden");
    http_free(r);
    cr_assert_eq(db_long("SELECT count(*) FROM retention_holds", 0, NULL), before);
    person_free(&dpo);
    kept_free(&k);
}

/* The daily job (run on demand, as the scheduler runs it once a day):
 * each record due is announced once, as record.due with ids only, to the
 * agencies of the meeting. */
Test(retention, RET_1_the_daily_job_announces_each_record_due_once)
{
    kept k;
    kept_cancelled(&k, NULL);
    person dpo = person_new(k.agency, "dpo");
    const char *params[] = {k.meeting_id};
    const char *announced = "SELECT count(*) FROM events WHERE resource_id = $1"
                            " AND type = 'record.due' AND resource_type = 'meeting'"
                            " AND resource_version IS NULL";

    test_clock_set(time(NULL) + KEPT_YEARS_LATER(34));
    http_response *r = api_call("POST", "/v1/records-due/run", dpo.token, NULL, NULL);
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    cr_assert_eq(db_long(announced, 1, params), 0, "not due yet");

    test_clock_set(time(NULL) + KEPT_YEARS_LATER(36));
    r = api_call("POST", "/v1/records-due/run", dpo.token, NULL, NULL);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert(json_is_true(json_object_get(r->json, "ran")), "%s", r->body);
    http_free(r);
    cr_assert_eq(db_long(announced, 1, params), 1, "announced to the convening agency");
    r = api_call("POST", "/v1/records-due/run", dpo.token, NULL, NULL);
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    cr_assert_eq(db_long(announced, 1, params), 1, "once");
    const char *audit[] = {dpo.who.sub, k.meeting_id};
    cr_assert_geq(db_long("SELECT count(*) FROM audit_events WHERE actor_sub = $1"
                          " AND action = 'record_due.notice' AND $2 = ANY (resource_ids)",
                          2, audit),
                  1);
    /* run by the dpo and admins only */
    r = api_call("POST", "/v1/records-due/run", k.manager.token, NULL, NULL);
    expect_problem(r, 403, "/problems/forbidden");
    http_free(r);
    person_free(&dpo);
    kept_free(&k);
}

/* The start, and the due day, of a meeting record's period under a policy
 * given here ("start due", "-" for none), read from the database's rule
 * directly: the policy in effect is shared by the tests running beside this
 * one, so the other start events are judged under a policy of the test's
 * own rather than by changing it. */
static char *period_under(const char *meeting_id, const char *runs_from, const char *months)
{
    char today[11];
    date_from_today(0, today);
    const char *params[] = {meeting_id, today, months, runs_from};
    return db_value("SELECT coalesce(to_char(r.starts_on, 'YYYY-MM-DD'), '-') || ' '"
                    "       || coalesce(to_char(r.due_on, 'YYYY-MM-DD'), '-')"
                    "  FROM retention_records_meeting_record($2::date,"
                    "         jsonb_populate_record(retention_policy_current('meeting_record'),"
                    "           jsonb_build_object('version', 99, 'period_months', $3::integer,"
                    "                              'runs_from', $4::text, 'then_action', 'review'))) r"
                    " WHERE r.meeting_id = $1::uuid",
                    4, params);
}

Test(retention, RET_1_each_start_event_a_period_runs_from)
{
    kept k;
    kept_cancelled(&k, "2020-03-01");
    kept open;
    kept_requested(&open);
    const char *params[] = {k.meeting_id};
    char *cancelled_on = db_value("SELECT to_char(cancelled_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
                                  "  FROM meetings WHERE id = $1",
                                  1, params);
    int y, m, d;
    cr_assert_eq(sscanf(cancelled_on, "%d-%d-%d", &y, &m, &d), 3);
    char expected[32];
    /* the day the meeting ended (here cancelled), 12 months on */
    snprintf(expected, sizeof expected, "%s %04d-%02d-%02d", cancelled_on, y + 1, m, d);
    char *got = period_under(k.meeting_id, "meeting_closed", "12");
    if (!(m == 2 && d == 29))
        cr_assert_str_eq(got, expected);
    free(got);
    /* the subject child's date of birth (2015-06-01), 75 years on */
    got = period_under(k.meeting_id, "date_of_birth", "900");
    cr_assert_str_eq(got, "2015-06-01 2090-06-01");
    free(got);
    /* the case closure reported, 35 years on */
    got = period_under(k.meeting_id, "case_closed", "420");
    cr_assert_str_eq(got, "2020-03-01 2055-03-01");
    free(got);
    /* an open meeting's period has not started, whatever it runs from */
    const char *starts[] = {"meeting_closed", "date_of_birth", "case_closed"};
    for (size_t i = 0; i < 3; i++) {
        got = period_under(open.meeting_id, starts[i], "12");
        cr_assert_str_eq(got, "- -", "%s", starts[i]);
        free(got);
    }
    free(cancelled_on);
    kept_free(&open);
    kept_free(&k);
}

/* The pairs a class allows (class:event or class:end), as the domain's class
 * table has them, as a PostgreSQL array literal. */
static void domain_pairs(bool ends, char *out, size_t size)
{
    size_t len = (size_t)snprintf(out, size, "{");
    for (const char *const *n = retention_record_classes; *n; n++) {
        const retention_class *c = retention_class_of(*n);
        const char *const *list = ends ? c->thens : c->starts;
        for (size_t i = 0; list[i]; i++)
            len += (size_t)snprintf(out + len, size - len, "%s%s:%s", len > 1 ? "," : "", *n,
                                    list[i]);
    }
    snprintf(out + len, size - len, "}");
}

/* RET-1: the record classes, their start events and ends are the schema's
 * (sql/044): the service's role reads them and may not change them, so
 * that what a policy may say is widened only by a migration; and the rows
 * are exactly the domain's class table, so that a refusal is always the
 * domain's 422 and never a foreign key's failure. */
Test(retention, RET_1_the_class_registry_is_the_schema_s_and_the_domain_s)
{
    const char *writes[] = {
        "INSERT INTO retention_class_starts VALUES ('meeting_record', 'request_answered')",
        "INSERT INTO retention_class_actions VALUES ('meeting_record', 'anonymise')",
        "UPDATE retention_record_classes SET row_table = NULL",
        "DELETE FROM retention_class_starts WHERE false"};
    for (size_t i = 0; i < sizeof writes / sizeof writes[0]; i++) {
        char *state = db_try(writes[i]);
        cr_assert_str_eq(state, "42501", "%s as the service's role: '%s'", writes[i], state);
        free(state);
    }
    char pairs[2048];
    domain_pairs(false, pairs, sizeof pairs);
    const char *p[] = {pairs};
    cr_assert_eq(db_long("SELECT count(*) FROM ((SELECT record_class || ':' || runs_from"
                         "   FROM retention_class_starts EXCEPT SELECT unnest($1::text[]))"
                         " UNION ALL (SELECT unnest($1::text[]) EXCEPT"
                         "   SELECT record_class || ':' || runs_from FROM retention_class_starts)) x",
                         1, p),
                 0, "the start events differ from the domain's: %s", pairs);
    domain_pairs(true, pairs, sizeof pairs);
    cr_assert_eq(db_long("SELECT count(*) FROM ((SELECT record_class || ':' || then_action"
                         "   FROM retention_class_actions EXCEPT SELECT unnest($1::text[]))"
                         " UNION ALL (SELECT unnest($1::text[]) EXCEPT"
                         "   SELECT record_class || ':' || then_action FROM retention_class_actions)) x",
                         1, p),
                 0, "the ends differ from the domain's: %s", pairs);
    /* every class has a policy in effect, its records and, when people
     * decide its disposal, its disposal */
    long classes = 0;
    while (retention_record_classes[classes])
        classes++;
    cr_assert_eq(db_long("SELECT count(*) FROM retention_record_classes c"
                         " WHERE (retention_policy_current(c.record_class)).version IS NOT NULL"
                         "   AND to_regproc('retention_records_' || c.record_class) IS NOT NULL"
                         "   AND (c.disposed_by <> 'decision'"
                         "        OR to_regproc('retention_dispose_' || c.record_class) IS NOT NULL)",
                         0, NULL),
                 classes);
}

/* RET-3: a subject access case's tombstone names no meeting and no agency,
 * whatever wrote it, so that nothing of the request reaches a feed. */
Test(retention, RET_3_a_subject_access_case_s_disposal_names_no_agency)
{
    char *state = db_try("INSERT INTO disposals (record_class, record_id, child_ids, agencies,"
                         " policy_version, due_on, proposed_by_sub, proposed_by_name,"
                         " proposed_by_agency, proposed_as)"
                         " VALUES ('subject_access_case', gen_random_uuid(), '{}', '{X}', 1,"
                         " '2000-01-01', 'dpo-x', 'D', 'X', 'dpo')");
    cr_assert_str_eq(state, "23514", "a check violation, not '%s'", state);
    free(state);
}
