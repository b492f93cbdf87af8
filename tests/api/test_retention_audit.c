/* The record class audit_event (RET-1 to RET-3) over real HTTP against the
 * real database: a record is one calendar month (UTC) of the audit trail,
 * once the month has ended and holds an event; it is kept 480 months from
 * the month's end by default, listed among the records due once that has
 * passed at a moved clock (X-Test-Now; never a wait) and not before; a
 * hold on the class, or on a child or a meeting its events name, stops its
 * disposal; the dpo and an admin delete it or anonymise it by the
 * two-person rule, and the tombstone and the decision's own audit rows stay.
 *
 * The months are in the past (2001 to 2008), one per test, with audit rows
 * written into them by the tests' database connection as the service's own
 * role may (it appends to the trail): the service writes its rows at the
 * wall clock, so every test running beside these writes into the current
 * month, which none of these tests disposes of. The class hold of
 * RET_2_audit_month_held_by_its_class_a_child_or_a_meeting ends on the day
 * of its clock (2041-07-01): every other test here decides at a later one.
 * Every person and child is fictitious. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kept_record.h"
#include "support/client.h"
#include "support/expect.h"
#include "support/fixtures.h"
#include "support/people.h"
#include "support/planning.h"

/* Noon UTC of a day, YYYY-MM-DD, as the test clock takes it. */
static time_t day_at(const char *day)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    cr_assert_eq(sscanf(day, "%d-%d-%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday), 3);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    tm.tm_hour = 12;
    return timegm(&tm);
}

/* The record id of a month (YYYY-MM), as the database derives it. */
static char *month_id(const char *month)
{
    const char *params[] = {month};
    return db_value("SELECT audit_month_record_id(($1 || '-01')::date)::text", 1, params);
}

/* An audit row written at `at` (a timestamp in the month) by `by`, about
 * one resource or, with `listed` (an array literal), a list of them; a new
 * string, its id. */
static char *audit_row(const char *at, const person *by, const char *action, const char *type,
                       const char *resource_id, const char *listed)
{
    const char *params[] = {at, by->who.sub, by->who.agency, action, type, resource_id, listed};
    return db_value("INSERT INTO audit_events (occurred_at, request_id, actor_sub, actor_agency,"
                    " action, resource_type, resource_id, resource_ids, outcome, trace_id)"
                    " VALUES ($1::timestamptz, 'req-' || md5(random()::text), $2, $3, $4, $5,"
                    "         $6, $7::text[], 'success', md5(random()::text))"
                    " RETURNING id::text",
                    7, params);
}

#define IN_MONTH(e)                                                                            \
    e ".occurred_at >= ($1 || '-01')::timestamp AT TIME ZONE 'UTC'"                           \
      " AND " e ".occurred_at < (($1 || '-01')::timestamp + interval '1 month')"               \
      "     AT TIME ZONE 'UTC'"

/* A month's rows of the trail and of the agencies they concern, counted and
 * digested row by row, as one comparable string. */
static char *month_rows(const char *month)
{
    const char *params[] = {month};
    return db_value(
        "SELECT (SELECT count(*) || ':' || md5(coalesce(string_agg(e::text, ',' ORDER BY e.id),"
        "                                              ''))"
        "          FROM audit_events e WHERE " IN_MONTH("e") ")"
        "  || ' ' || (SELECT count(*) || ':' || md5(coalesce(string_agg(x::text, ','"
        "                                     ORDER BY x.event_id, x.agency), ''))"
        "               FROM audit_event_agencies x JOIN audit_events e ON e.id = x.event_id"
        "              WHERE " IN_MONTH("e") ")",
        1, params);
}

/* How many decisions name the record. */
static long disposals_of(const char *record_id)
{
    const char *params[] = {record_id};
    return db_long("SELECT count(*) FROM disposals WHERE record_id = $1::uuid", 1, params);
}

/* The month's entry among the records due at the test clock (a new
 * reference), or NULL. */
static json_t *month_due(const person *by, const char *month)
{
    char path[512] = "/v1/records-due?limit=200";
    for (;;) {
        http_response *r = api_get(path, by->token);
        cr_assert_eq(r->status, 200, "records due: %ld %s", r->status, r->body);
        size_t i;
        json_t *x;
        json_array_foreach(json_object_get(r->json, "items"), i, x) {
            const char *klass = json_str(x, "record_class"), *ref = json_str(x, "reference");
            if (klass && strcmp(klass, "audit_event") == 0 && ref && strcmp(ref, month) == 0) {
                json_t *found = json_incref(x);
                http_free(r);
                return found;
            }
        }
        const char *next = json_str(r->json, "next_cursor");
        if (!next) {
            http_free(r);
            return NULL;
        }
        snprintf(path, sizeof path, "/v1/records-due?limit=200&cursor=%s", next);
        http_free(r);
    }
}

static http_response *propose(const person *by, const char *record_id, const char *action)
{
    json_t *body = json_pack("{s:s, s:s, s:s}", "record_class", "audit_event", "record_id",
                             record_id, "action", action);
    http_response *r = api_call("POST", "/v1/disposals", by->token, body, NULL);
    json_decref(body);
    return r;
}

static http_response *approve(const person *by, const char *disposal_id, long version)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/disposals/%s/approve", disposal_id);
    return api_call("POST", path, by->token, NULL, etag_of(version));
}

static long policy_version(const person *by)
{
    http_response *r = api_get("/v1/retention-policies/audit_event", by->token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    long v = json_int(r->json, "version");
    http_free(r);
    return v;
}

static http_response *put_policy(const person *by, long version, long months,
                                 const char *runs_from, const char *then)
{
    json_t *body = json_pack("{s:i, s:s, s:s, s:s}", "period_months", (int)months, "runs_from",
                             runs_from, "then", then, "reason",
                             "The partnership's schedule for the audit trail");
    http_response *r = api_call("PUT", "/v1/retention-policies/audit_event", by->token, body,
                                etag_of(version));
    json_decref(body);
    return r;
}

/* The people of one test: a convening agency's meeting about a linked
 * child (kept_requested), its dpo, another dpo, an admin and a senior
 * manager. */
typedef struct trail {
    kept k;
    person dpo, other_dpo, admin, senior;
} trail;

static void trail_new(trail *t)
{
    test_clock_set(time(NULL));
    kept_requested(&t->k);
    t->dpo = person_new(t->k.agency, "dpo");
    t->other_dpo = person_new(t->k.agency, "dpo");
    t->admin = person_new(t->k.agency, "admin");
    t->senior = person_new(t->k.agency, "senior_manager");
}

static void trail_free(trail *t)
{
    person_free(&t->dpo);
    person_free(&t->other_dpo);
    person_free(&t->admin);
    person_free(&t->senior);
    kept_free(&t->k);
}

Test(retention_audit, RET_1_audit_month_kept_480_months_from_its_end_and_listed_once_past)
{
    trail t;
    trail_new(&t);
    free(audit_row("2004-03-10T09:00:00Z", &t.k.manager, "meeting.read", "meeting",
                   t.k.meeting_id, NULL));
    free(audit_row("2004-03-31T23:59:59Z", &t.k.manager, "meeting.list", "meeting", NULL,
                   "{}"));
    free(audit_row("2004-05-03T09:00:00Z", &t.k.manager, "meeting.read", "meeting",
                   t.k.meeting_id, NULL));
    char *march = month_id("2004-03"), *april = month_id("2004-04"), *may = month_id("2004-05");
    cr_assert_str_neq(march, may);
    char *again = month_id("2004-03");
    cr_assert_str_eq(march, again, "a month's id is stable");
    free(again);

    /* the default policy */
    http_response *r = api_get("/v1/retention-policies/audit_event", t.admin.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "record_class"), "audit_event");
    cr_assert_eq(json_int(r->json, "period_months"), 480);
    cr_assert_str_eq(json_str(r->json, "runs_from"), "event_recorded");
    cr_assert_str_eq(json_str(r->json, "then"), "review");
    http_free(r);
    const char *v1[] = {"audit_event"};
    char *first = db_value("SELECT concat_ws(' ', period_months, runs_from, then_action)"
                           " FROM retention_policies WHERE record_class = $1 AND version = 1",
                           1, v1);
    cr_assert_str_eq(first, "480 event_recorded review");
    free(first);

    /* a month that has not ended is no record: not listed, not proposed */
    test_clock_set(day_at("2004-05-20"));
    json_t *entry = month_due(&t.dpo, "2004-05");
    cr_assert_null(entry);
    r = propose(&t.dpo, may, "delete");
    expect_problem(r, 404, "/problems/not-found");
    http_free(r);
    /* ended, but its period has not passed: 422 on record_id */
    test_clock_set(day_at("2044-03-31"));
    cr_assert_null(month_due(&t.dpo, "2004-03"), "kept 480 months from 2004-04-01");
    r = propose(&t.dpo, march, "delete");
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert(problem_has_rule(r, "RET-3", "record_id"), "%s", r->body);
    http_free(r);
    /* a month without an event is no record, however late */
    test_clock_set(day_at("2044-06-02"));
    r = propose(&t.dpo, april, "delete");
    expect_problem(r, 404, "/problems/not-found");
    http_free(r);
    cr_assert_null(month_due(&t.dpo, "2004-04"));
    cr_assert_eq(disposals_of(march) + disposals_of(april) + disposals_of(may), 0);

    /* due from the first day of the month 480 months after its end */
    test_clock_set(day_at("2044-04-01"));
    entry = month_due(&t.dpo, "2004-03");
    cr_assert_not_null(entry, "due on 2044-04-01");
    cr_assert_str_eq(json_str(entry, "record_id"), march);
    cr_assert(json_is_null(json_object_get(entry, "meeting_id")));
    cr_assert_eq(json_array_size(json_object_get(entry, "child_ids")), 0);
    cr_assert_str_eq(json_str(entry, "runs_from"), "event_recorded");
    cr_assert_str_eq(json_str(entry, "starts_on"), "2004-04-01");
    cr_assert_str_eq(json_str(entry, "due_on"), "2044-04-01");
    cr_assert(json_is_null(json_object_get(entry, "disposal_id")));
    json_decref(entry);
    cr_assert_null(month_due(&t.dpo, "2004-05"), "May is due from 2044-06-01");

    /* the policy changed: recorded with its reason; a start event or an end
     * the class does not allow is refused on the field, nothing recorded */
    long version = policy_version(&t.admin);
    r = put_policy(&t.admin, version, 480, "case_closed", "review");
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert(problem_has_rule(r, "RET-1", "runs_from"), "%s", r->body);
    http_free(r);
    r = put_policy(&t.admin, version, 480, "event_recorded", "archive");
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert(problem_has_rule(r, "RET-1", "then"), "%s", r->body);
    http_free(r);
    cr_assert_eq(policy_version(&t.admin), version, "nothing recorded");
    r = api_get("/v1/retention-policies/meeting_record", t.admin.token);
    long meeting_version = json_int(r->json, "version");
    http_free(r);
    json_t *body = json_pack("{s:i, s:s, s:s, s:s}", "period_months", 420, "runs_from",
                             "case_closed", "then", "anonymise", "reason", "A wrong end");
    r = api_call("PUT", "/v1/retention-policies/meeting_record", t.admin.token, body,
                 etag_of(meeting_version));
    json_decref(body);
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert(problem_has_rule(r, "RET-1", "then"), "%s", r->body);
    http_free(r);
    r = api_get("/v1/retention-policies/meeting_record", t.admin.token);
    cr_assert_eq(json_int(r->json, "version"), meeting_version, "nothing recorded");
    http_free(r);
    /* the same period, anonymised at its end (every proposal in these tests
     * names its action, so the change does not disturb them) */
    r = put_policy(&t.admin, version, 480, "event_recorded", "anonymise");
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "then"), "anonymise");
    cr_assert_eq(json_int(r->json, "version"), version + 1);
    http_free(r);
    r = put_policy(&t.admin, version + 1, 480, "event_recorded", "review");
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    free(march);
    free(april);
    free(may);
    trail_free(&t);
}

/* A proposal refused with 422 naming RET-2 on record_id, nothing stored. */
static void expect_held(const trail *t, const char *month, const char *record_id)
{
    char *before = month_rows(month);
    long audited = kept_audit_by(&t->dpo);
    http_response *r = propose(&t->dpo, record_id, "delete");
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert(problem_has_rule(r, "RET-2", "record_id"), "%s", r->body);
    http_free(r);
    char *after = month_rows(month);
    cr_assert_str_eq(after, before);
    cr_assert_eq(disposals_of(record_id), 0);
    cr_assert_eq(kept_audit_by(&t->dpo), audited, "a refusal writes no audit row");
    free(before);
    free(after);
}

static char *hold(const trail *t, json_t *body, long *version)
{
    http_response *r = api_call("POST", "/v1/retention-holds", t->dpo.token, body, NULL);
    json_decref(body);
    cr_assert_eq(r->status, 201, "%s", r->body);
    char *id = strdup(json_str(r->json, "id"));
    *version = json_int(r->json, "version");
    http_free(r);
    return id;
}

static void release(const trail *t, const char *hold_id, long version)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/retention-holds/%s/release", hold_id);
    json_t *body = json_pack("{s:s}", "reason", "The inquiry has reported");
    http_response *r = api_call("POST", path, t->dpo.token, body, etag_of(version));
    json_decref(body);
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
}

/* Whether the month's due entry is held, and by `hold_id` when given. */
static bool month_held(const trail *t, const char *month, const char *hold_id)
{
    json_t *entry = month_due(&t->dpo, month);
    cr_assert_not_null(entry, "%s is due", month);
    bool held = json_is_true(json_object_get(entry, "held"));
    if (held && hold_id) {
        bool named = false;
        size_t i;
        json_t *x;
        json_array_foreach(json_object_get(entry, "hold_ids"), i, x)
            named = named || strcmp(json_string_value(x), hold_id) == 0;
        held = named;
    }
    json_decref(entry);
    return held;
}

Test(retention_audit, RET_2_audit_month_held_by_its_class_a_child_or_a_meeting)
{
    trail t;
    trail_new(&t);
    /* March names the meeting; April lists it; May names another record */
    free(audit_row("2001-03-10T09:00:00Z", &t.k.manager, "meeting.read", "meeting",
                   t.k.meeting_id, NULL));
    char listed[64];
    snprintf(listed, sizeof listed, "{%s}", t.k.meeting_id);
    free(audit_row("2001-04-10T09:00:00Z", &t.k.manager, "meeting.list", "meeting", NULL,
                   listed));
    free(audit_row("2001-05-10T09:00:00Z", &t.k.manager, "meeting.read", "meeting",
                   "7c1d2e3f-4a5b-4c6d-8e7f-901a2b3c4d5e", NULL));
    char *march = month_id("2001-03"), *april = month_id("2001-04"), *may = month_id("2001-05");
    test_clock_set(day_at("2041-07-01"));

    /* a hold on the child holds the months whose events name its records */
    long version;
    char *on_child = hold(&t, json_pack("{s:s, s:s, s:s, s:s}", "scope", "child", "child_id",
                                        t.k.child_id, "kind", "inquiry", "reason",
                                        "A child safeguarding practice review"),
                          &version);
    cr_assert(month_held(&t, "2001-03", on_child));
    cr_assert(month_held(&t, "2001-04", on_child));
    cr_assert_not(month_held(&t, "2001-05", on_child));
    expect_held(&t, "2001-03", march);
    expect_held(&t, "2001-04", april);
    release(&t, on_child, version);

    /* so does a hold on the meeting */
    char *on_meeting = hold(&t, json_pack("{s:s, s:s, s:s, s:s}", "scope", "meeting",
                                          "meeting_id", t.k.meeting_id, "kind", "litigation",
                                          "reason", "A claim about the meeting"),
                            &version);
    cr_assert(month_held(&t, "2001-03", on_meeting));
    cr_assert(month_held(&t, "2001-04", on_meeting));
    cr_assert_not(month_held(&t, "2001-05", on_meeting));
    expect_held(&t, "2001-04", april);
    release(&t, on_meeting, version);

    /* a hold on the class holds every month; it ends today (see above) */
    char *on_class = hold(&t, json_pack("{s:s, s:s, s:s, s:s, s:s}", "scope", "record_class",
                                        "record_class", "audit_event", "kind", "complaint",
                                        "reason", "A complaint about access to records",
                                        "ends_on", "2041-07-01"),
                          &version);
    cr_assert(month_held(&t, "2001-05", on_class));
    expect_held(&t, "2001-05", may);
    release(&t, on_class, version);
    cr_assert_not(month_held(&t, "2001-03", NULL));
    cr_assert_not(month_held(&t, "2001-05", NULL));

    /* a hold placed after the proposal stops its approval: 422, unchanged */
    http_response *r = propose(&t.dpo, march, "delete");
    cr_assert_eq(r->status, 201, "%s", r->body);
    char *disposal = strdup(json_str(r->json, "id"));
    long disposal_version = json_int(r->json, "version");
    http_free(r);
    char *late = hold(&t, json_pack("{s:s, s:s, s:s, s:s}", "scope", "meeting", "meeting_id",
                                    t.k.meeting_id, "kind", "rapid_review", "reason",
                                    "A rapid review of the meeting"),
                      &version);
    char *before = month_rows("2001-03");
    r = approve(&t.admin, disposal, disposal_version);
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert(problem_has_rule(r, "RET-2", "record_id"), "%s", r->body);
    http_free(r);
    char *after = month_rows("2001-03");
    cr_assert_str_eq(after, before);
    const char *dp[] = {disposal};
    char *status = db_value("SELECT status FROM disposals WHERE id = $1::uuid", 1, dp);
    cr_assert_str_eq(status, "proposed");
    release(&t, late, version);
    free(status);
    free(before);
    free(after);
    free(late);
    free(disposal);
    free(on_child);
    free(on_meeting);
    free(on_class);
    free(march);
    free(april);
    free(may);
    trail_free(&t);
}

Test(retention_audit, RET_3_audit_month_two_person_disposal_deletes_it_and_leaves_a_tombstone)
{
    trail t;
    trail_new(&t);
    char listed[64];
    snprintf(listed, sizeof listed, "{%s}", t.k.meeting_id);
    char *read = audit_row("2006-02-10T09:00:00Z", &t.k.manager, "meeting.read", "meeting",
                           t.k.meeting_id, NULL);
    free(audit_row("2006-02-11T09:00:00Z", &t.k.manager, "meeting.list", "meeting", NULL,
                   listed));
    free(audit_row("2006-03-01T00:00:00Z", &t.k.manager, "meeting.read", "meeting",
                   t.k.meeting_id, NULL));
    char *month = month_id("2006-02");
    char *before = month_rows("2006-02"), *next_month = month_rows("2006-03");
    cr_assert(strncmp(before, "2:", 2) == 0, "%s", before);

    /* the access report (SEC-7) shows the month's read of the child's meeting */
    char report[160];
    snprintf(report, sizeof report, "/v1/children/%s/access-report?limit=200", t.k.child_id);
    http_response *r = api_get(report, t.dpo.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    char quoted[48];
    snprintf(quoted, sizeof quoted, "\"%s\"", read);
    cr_assert_not_null(strstr(r->body, quoted), "%s", r->body);
    http_free(r);

    /* not due before 2046-03-01 */
    test_clock_set(day_at("2046-02-28"));
    r = propose(&t.dpo, month, "delete");
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert(problem_has_rule(r, "RET-3", "record_id"), "%s", r->body);
    http_free(r);

    test_clock_set(day_at("2046-03-02"));
    /* a senior manager reaches no month of the trail */
    r = propose(&t.senior, month, "delete");
    expect_problem(r, 404, "/problems/not-found");
    http_free(r);
    cr_assert_eq(disposals_of(month), 0);
    r = propose(&t.dpo, month, "delete");
    cr_assert_eq(r->status, 201, "%s", r->body);
    char *disposal = strdup(json_str(r->json, "id"));
    long version = json_int(r->json, "version");
    cr_assert_str_eq(json_str(r->json, "record_class"), "audit_event");
    cr_assert_str_eq(json_str(r->json, "record_id"), month);
    cr_assert_str_eq(json_str(r->json, "reference"), "2006-02");
    cr_assert(json_is_null(json_object_get(r->json, "meeting_id")));
    cr_assert_eq(json_array_size(json_object_get(r->json, "child_ids")), 0);
    cr_assert_str_eq(json_str(r->json, "action"), "delete");
    cr_assert_str_eq(json_str(r->json, "due_on"), "2046-03-01");
    long policy = json_int(r->json, "policy_version");
    http_free(r);
    /* a second proposal: 409 */
    r = propose(&t.admin, month, "anonymise");
    expect_problem(r, 409, "/problems/invalid-state");
    http_free(r);

    /* one person alone, or two on the same side: 403, nothing changes */
    long audited = kept_audit_by(&t.dpo) + kept_audit_by(&t.other_dpo);
    r = approve(&t.dpo, disposal, version);
    expect_problem(r, 403, "/problems/forbidden");
    cr_assert(problem_has_rule(r, "RET-3", NULL), "%s", r->body);
    http_free(r);
    r = approve(&t.other_dpo, disposal, version);
    expect_problem(r, 403, "/problems/forbidden");
    http_free(r);
    r = approve(&t.senior, disposal, version);
    expect_problem(r, 404, "/problems/not-found");
    http_free(r);
    char *after = month_rows("2006-02");
    cr_assert_str_eq(after, before);
    free(after);
    cr_assert_eq(kept_audit_by(&t.dpo) + kept_audit_by(&t.other_dpo), audited,
                 "a refusal writes no audit row");
    const char *dp[] = {disposal};
    char *status = db_value("SELECT status FROM disposals WHERE id = $1::uuid", 1, dp);
    cr_assert_str_eq(status, "proposed");
    free(status);

    /* the second person on the other side: the month is gone */
    r = approve(&t.admin, disposal, version);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "status"), "disposed");
    cr_assert_str_eq(json_str(json_object_get(r->json, "approved_by"), "sub"), t.admin.who.sub);
    long tomb_version = json_int(r->json, "version");
    http_free(r);
    after = month_rows("2006-02");
    cr_assert_str_eq(after, "0:d41d8cd98f00b204e9800998ecf8427e 0:d41d8cd98f00b204e9800998ecf8427e");
    free(after);
    after = month_rows("2006-03");
    cr_assert_str_eq(after, next_month, "the next month is untouched");
    free(after);
    cr_assert_null(month_due(&t.dpo, "2006-02"), "an empty month is no record");

    /* the tombstone stays, carried out once */
    char path[128];
    snprintf(path, sizeof path, "/v1/disposals/%s", disposal);
    r = api_get(path, t.admin.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "status"), "disposed");
    cr_assert_str_eq(json_str(r->json, "reference"), "2006-02");
    cr_assert_str_eq(json_str(r->json, "action"), "delete");
    cr_assert_eq(json_int(r->json, "policy_version"), policy, "decided under that version");
    http_free(r);
    r = approve(&t.dpo, disposal, tomb_version);
    expect_problem(r, 403, "/problems/forbidden");
    http_free(r);
    r = approve(&t.senior, disposal, tomb_version);
    expect_problem(r, 404, "/problems/not-found");
    http_free(r);
    person second_admin = person_new(t.k.agency, "admin");
    r = approve(&second_admin, disposal, tomb_version);
    expect_problem(r, 409, "/problems/invalid-state");
    http_free(r);
    person_free(&second_admin);

    /* announced on no agency's feed; the decision's audit rows stay */
    const char *mp[] = {month};
    cr_assert_eq(db_long("SELECT count(*) FROM events WHERE resource_id IN ($1, $2)", 2,
                         (const char *[]){disposal, month}),
                 0);
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE resource_id = $1"
                         " AND action IN ('disposal.propose', 'disposal.approve')",
                         1, dp),
                 2);
    cr_assert_eq(db_long("SELECT count(*) FROM disposals WHERE record_id = $1::uuid"
                         " AND status = 'disposed' AND meeting_reference = '2006-02'"
                         " AND cardinality(agencies) = 0",
                         1, mp),
                 1);
    /* the access report has nothing left of the month */
    r = api_get(report, t.dpo.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_null(strstr(r->body, quoted), "%s", r->body);
    http_free(r);
    free(read);
    free(month);
    free(before);
    free(next_month);
    free(disposal);
    trail_free(&t);
}

Test(retention_audit, RET_3_audit_month_anonymised_keeps_what_happened_without_who_or_which)
{
    trail t;
    trail_new(&t);
    char listed[64];
    snprintf(listed, sizeof listed, "{%s}", t.k.meeting_id);
    free(audit_row("2007-05-10T09:00:00Z", &t.k.manager, "meeting.read", "meeting",
                   t.k.meeting_id, NULL));
    /* listed by another agency's person: the convening agency is given the id */
    char *elsewhere = agency_new("police");
    person outsider = person_new(elsewhere, "practitioner");
    free(audit_row("2007-05-20T09:00:00Z", &outsider, "meeting.list", "meeting", NULL, listed));
    free(audit_row("2007-06-01T09:00:00Z", &t.k.manager, "meeting.read", "meeting",
                   t.k.meeting_id, NULL));
    char *month = month_id("2007-05");
    const char *mm[] = {"2007-05"};
    /* what stays, row by row: when, what, on what type, by which agency, how */
    const char *kept_sql =
        "SELECT string_agg(concat_ws('|', e.id, e.occurred_at, e.action, e.resource_type,"
        "                            e.actor_agency, e.outcome), ',' ORDER BY e.id)"
        "  FROM audit_events e WHERE " IN_MONTH("e");
    char *kept_before = db_value(kept_sql, 1, mm);
    const char *agencies_sql =
        "SELECT count(*) || '/' || count(x.resource_ids)"
        "  FROM audit_event_agencies x JOIN audit_events e ON e.id = x.event_id"
        " WHERE " IN_MONTH("e");
    char *agencies_before = db_value(agencies_sql, 1, mm);
    cr_assert(strncmp(agencies_before, "0/", 2) != 0 &&
                  strcmp(strchr(agencies_before, '/'), "/0") != 0,
              "the month concerns agencies, the list's with its ids: %s", agencies_before);
    const char *who_sql =
        "SELECT count(*) FILTER (WHERE actor_sub = 'anonymised' AND request_id = 'anonymised'"
        "                          AND trace_id IS NULL AND resource_id IS NULL"
        "                          AND resource_ids IS NULL)"
        "       || '/' || count(*)"
        "  FROM audit_events e WHERE " IN_MONTH("e");
    char *who_before = db_value(who_sql, 1, mm);
    cr_assert_str_eq(who_before, "0/2");
    char *next_month = month_rows("2007-06");

    test_clock_set(day_at("2047-06-03"));
    /* proposed by an admin, approved by the dpo */
    http_response *r = propose(&t.admin, month, "anonymise");
    cr_assert_eq(r->status, 201, "%s", r->body);
    char *disposal = strdup(json_str(r->json, "id"));
    long version = json_int(r->json, "version");
    cr_assert_str_eq(json_str(r->json, "action"), "anonymise");
    cr_assert_str_eq(json_str(json_object_get(r->json, "proposed_by"), "as"), "manager");
    http_free(r);
    char *unchanged = month_rows("2007-05");
    person second_admin = person_new(t.k.agency, "admin");
    r = approve(&second_admin, disposal, version);
    expect_problem(r, 403, "/problems/forbidden");
    http_free(r);
    person_free(&second_admin);
    char *after = month_rows("2007-05");
    cr_assert_str_eq(after, unchanged);
    free(after);

    r = approve(&t.dpo, disposal, version);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "status"), "disposed");
    cr_assert_str_eq(json_str(r->json, "action"), "anonymise");
    http_free(r);

    /* who and which are gone; everything else is as it was */
    char *who_after = db_value(who_sql, 1, mm);
    cr_assert_str_eq(who_after, "2/2");
    char *kept_after = db_value(kept_sql, 1, mm);
    cr_assert_str_eq(kept_after, kept_before);
    char *agencies_after = db_value(agencies_sql, 1, mm);
    char expected[32];
    snprintf(expected, sizeof expected, "%.*s/0", (int)strcspn(agencies_before, "/"),
             agencies_before);
    cr_assert_str_eq(agencies_after, expected);
    const char *both[] = {"2007-05", t.k.manager.who.sub, t.k.meeting_id};
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events e"
                         " WHERE (e.actor_sub = $2 OR e.resource_id = $3"
                         "        OR $3 = ANY (e.resource_ids)) AND " IN_MONTH("e"),
                         3, both),
                 0, "nothing in the month names the person or the meeting");
    after = month_rows("2007-06");
    cr_assert_str_eq(after, next_month, "the next month is untouched");
    free(after);

    /* still a record of the trail, with its decision made: not decided again */
    json_t *entry = month_due(&t.dpo, "2007-05");
    cr_assert_not_null(entry);
    cr_assert_str_eq(json_str(entry, "disposal_id"), disposal);
    json_decref(entry);
    r = propose(&t.dpo, month, "delete");
    expect_problem(r, 409, "/problems/invalid-state");
    http_free(r);
    free(month);
    free(kept_before);
    free(kept_after);
    free(agencies_before);
    free(agencies_after);
    free(who_before);
    free(who_after);
    free(next_month);
    free(unchanged);
    free(disposal);
    free(elsewhere);
    person_free(&outsider);
    trail_free(&t);
}

/* The trail's guards still refuse the service's own role, with the
 * disposal's setting made by hand too: only retention_dispose, for an open
 * decision and a second person, deletes or anonymises a month. */
Test(retention_audit, RET_3_audit_month_ordinary_deletes_and_updates_are_still_refused)
{
    trail t;
    trail_new(&t);
    free(audit_row("2008-01-10T09:00:00Z", &t.k.manager, "meeting.read", "meeting",
                   t.k.meeting_id, NULL));
    char *before = month_rows("2008-01");
    const char *statements[] = {
        "DELETE FROM audit_event_agencies x USING audit_events e WHERE e.id = x.event_id"
        " AND e.occurred_at >= '2008-01-01Z' AND e.occurred_at < '2008-02-01Z'",
        "DELETE FROM audit_events WHERE occurred_at >= '2008-01-01Z'"
        " AND occurred_at < '2008-02-01Z'",
        "UPDATE audit_events SET actor_sub = 'anonymised', request_id = 'anonymised',"
        " trace_id = NULL, resource_id = NULL, resource_ids = NULL"
        " WHERE occurred_at >= '2008-01-01Z' AND occurred_at < '2008-02-01Z'",
        "UPDATE audit_event_agencies x SET resource_ids = NULL FROM audit_events e"
        " WHERE e.id = x.event_id AND e.occurred_at >= '2008-01-01Z'",
        "TRUNCATE audit_event_agencies, audit_events",
        "SELECT retention_dispose_audit_event(NULL::disposals)",
        "SELECT retention_anonymise_audit_event(NULL::disposals)",
    };
    char sql[1024];
    for (size_t i = 0; i < sizeof statements / sizeof statements[0]; i++) {
        snprintf(sql, sizeof sql, "SELECT set_config('mam.disposal', 'on', false); %s",
                 statements[i]);
        char *state = db_try(sql);
        cr_assert_str_eq(state, "42501", "%s", statements[i]);
        free(state);
        state = db_try(statements[i]);
        cr_assert_str_eq(state, "42501", "%s", statements[i]);
        free(state);
    }
    char *after = month_rows("2008-01");
    cr_assert_str_eq(after, before);
    cr_assert(strncmp(after, "1:", 2) == 0, "%s", after);
    free(before);
    free(after);
    trail_free(&t);
}

/* SEC-4, RET-3: a disposal row written for the month now running, by the
 * service's own role, with a second name of its own choosing, still
 * deletes nothing: the database's clock has not seen the month end, so the
 * trail of what is being done now stays whatever the request's clock. */
Test(retention_audit, RET_3_the_month_now_running_is_never_disposed_of)
{
    const char *month_count = "SELECT count(*) FROM audit_events"
                              " WHERE occurred_at >= date_trunc('month', now())";
    long before = db_long(month_count, 0, NULL);
    cr_assert_gt(before, 0, "the month now running holds this run's audit rows");
    const char *actions[] = {"delete", "anonymise"};
    for (size_t i = 0; i < 2; i++) {
        char sql[1400];
        snprintf(sql, sizeof sql,
                 "WITH d AS (INSERT INTO disposals (record_class, record_id, meeting_reference,"
                 "  child_ids, agencies, policy_version, due_on, proposed_by_sub,"
                 "  proposed_by_name, proposed_by_agency, proposed_as, action)"
                 " SELECT 'audit_event', audit_month_record_id(date_trunc('month', now())::date),"
                 "  to_char(now(), 'YYYY-MM'), '{}', '{}', 1, current_date, 'forger',"
                 "  'Forger', 'X', 'dpo', '%s' RETURNING id)"
                 " SELECT retention_dispose(d.id, 'accomplice', 'Accomplice', 'X') FROM d",
                 actions[i]);
        char *state = db_try(sql);
        cr_assert_str_eq(state, "42501", "%s: '%s'", actions[i], state);
        free(state);
    }
    cr_assert_geq(db_long(month_count, 0, NULL), before, "nothing of the month went");
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events"
                         " WHERE occurred_at >= date_trunc('month', now())"
                         "   AND actor_sub = audit_anonymised_mark()",
                         0, NULL),
                 0, "nothing of the month was anonymised");
    cr_assert_eq(db_long("SELECT count(*) FROM disposals WHERE proposed_by_sub = 'forger'", 0,
                         NULL),
                 0, "the forged row went with its refused transaction");
}
