/* The record classes consent_decision and escalation (RET-1 to RET-3) over
 * real HTTP against the real database. A meeting about a child (linked by
 * an NHS number) has a decision not to inform the family that the police
 * dispute (one agreement row), an escalation about that decision raised by
 * the police with an Idempotency-Key and resolved, and another escalation
 * still open; the meeting is cancelled and the child's case reported
 * closed today. Each class's default policy (the meeting record's: 420
 * months from case_closed, then review) is read and confirmed; start
 * events it does not allow are refused on the field. Its records are listed
 * due once the clock is moved past the period (X-Test-Now; never a wait),
 * the open escalation never; holds on the class, the meeting and the child
 * stop a proposal; a consent decision waits for the escalation about it; a
 * two-person disposal deletes the record's rows (counted in the tables),
 * leaves the meeting and the other records readable, keeps the tombstone
 * and the audit trail and announces record.purged to the agencies the
 * record concerned. Every person, child and NHS number is fictitious. */
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

#define DAY 86400L
#define YEARS_LATER(years) ((long)((years) * 365.25 * DAY))

typedef struct parts {
    planned p;           /* csc convenes; police and health invited */
    char nhs[11];
    char *child;         /* the subject child */
    char *reference;     /* the meeting's MAM-<year>-<number> */
    char *decision;      /* not_inform, disputed by the police: one agreement */
    char *notice;        /* the police's escalation about the decision, resolved */
    char *concern;       /* the csc's escalation with the police, still open */
    char idem_key[64];   /* the Idempotency-Key the notice was raised with */
    person dpo, admin;   /* dpo of csc, admin of health */
    person senior;       /* senior manager of csc: may see the meeting */
    char *elsewhere;     /* an agency with no part in the meeting */
    person stranger;     /* its senior manager */
} parts;

static char *created_id(http_response *r, const char *what)
{
    cr_assert_eq(r->status, 201, "%s: %ld %s", what, r->status, r->body);
    char *id = strdup(json_str(r->json, "id"));
    http_free(r);
    return id;
}

static json_t *escalation_body(const char *meeting_id, const char *type, const char *with)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s}", "meeting_id", meeting_id, "type", type,
                     "concern", "The agreed plan is not being followed by the other agency",
                     "outcome_sought", "A joint review of the plan within a week", "with_agency",
                     with);
}

static void parts_new(parts *c)
{
    memset(c, 0, sizeof *c);
    test_clock_set(time(NULL));
    nhs_number_new(c->nhs);
    planned *p = &c->p;
    planned_authorised_about(p, "professionals", c->nhs);
    planned_invite_agencies(p);

    json_t *body = json_pack("{s:s, s:[s], s:s}", "decision", "not_inform", "grounds",
                             "significant_harm_if_known", "rationale",
                             "Telling the family now could put the child at risk");
    c->decision = created_id(api_call("POST", meeting_path(p->meeting_id, "consent-decisions"),
                                      p->manager.token, body, NULL),
                             "deciding not to inform");
    json_decref(body);
    char path[160];
    snprintf(path, sizeof path, "/v1/consent-decisions/%s/agreements", c->decision);
    body = json_pack("{s:b, s:s}", "agrees", 0, "comment",
                     "The family should know; the risk is overstated");
    http_response *r = api_call("POST", path, p->police_officer.token, body, NULL);
    json_decref(body);
    cr_assert_eq(r->status, 201, "disagreeing: %ld %s", r->status, r->body);
    http_free(r);

    /* the police escalate the disputed decision, with an Idempotency-Key */
    body = escalation_body(p->meeting_id, "family_notice_disagreement", p->csc);
    json_object_set_new(body, "consent_decision_id", json_string(c->decision));
    char suffix[17], key_header[96];
    unique_suffix(suffix, sizeof suffix);
    snprintf(c->idem_key, sizeof c->idem_key, "notice-%s", suffix);
    snprintf(key_header, sizeof key_header, "Idempotency-Key: %s", c->idem_key);
    const char *headers[] = {"Content-Type: application/json", key_header, NULL};
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    c->notice = created_id(http_call("POST", "/v1/escalations", p->police_officer.token, headers,
                                     text, strlen(text)),
                           "escalating the decision");
    free(text);
    c->concern = created_id(api_call("POST", "/v1/escalations", p->requester.token,
                                     body = escalation_body(p->meeting_id,
                                                            "concern_after_decision", p->police),
                                     NULL),
                            "raising a concern");
    json_decref(body);
    snprintf(path, sizeof path, "/v1/escalations/%s/resolve", c->notice);
    body = json_pack("{s:s}", "outcome", "The family will be told after the interview");
    r = api_call("POST", path, p->police_officer.token, body, etag_of(1));
    json_decref(body);
    cr_assert_eq(r->status, 200, "resolving: %ld %s", r->status, r->body);
    http_free(r);

    r = api_get(meeting_path(p->meeting_id, NULL), p->manager.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    c->reference = strdup(json_str(r->json, "reference"));
    long version = json_int(r->json, "version");
    http_free(r);
    body = json_pack("{s:s}", "reason", "The family moved out of the area");
    r = api_call("POST", meeting_path(p->meeting_id, "cancel"), p->requester.token, body,
                 etag_of(version));
    json_decref(body);
    cr_assert_eq(r->status, 200, "cancelling: %ld %s", r->status, r->body);
    http_free(r);

    const char *params[] = {p->meeting_id};
    c->child = db_value("SELECT coalesce(child_id::text, '') FROM meeting_children"
                        " WHERE meeting_id = $1 AND is_subject",
                        1, params);
    cr_assert(c->child[0], "the child is linked by its NHS number");
    char today[11];
    date_from_today(0, today);
    snprintf(path, sizeof path, "/v1/children/%s/case-closures", c->child);
    body = json_pack("{s:s}", "closed_on", today);
    r = api_call("POST", path, p->manager.token, body, NULL);
    json_decref(body);
    cr_assert_eq(r->status, 201, "reporting the closure: %ld %s", r->status, r->body);
    http_free(r);

    c->dpo = person_new(p->csc, "dpo");
    c->admin = person_new(p->health, "admin");
    c->senior = person_new(p->csc, "senior_manager");
    c->elsewhere = agency_new("childrens_social_care");
    c->stranger = person_new(c->elsewhere, "senior_manager");
}

static void parts_free(parts *c)
{
    planned_free(&c->p);
    free(c->child);
    free(c->reference);
    free(c->decision);
    free(c->notice);
    free(c->concern);
    free(c->elsewhere);
    person_free(&c->dpo);
    person_free(&c->admin);
    person_free(&c->senior);
    person_free(&c->stranger);
}

/* Every row of the meeting's decision and escalations, and the decisions
 * about them, as one comparable string. */
static char *parts_counts(const parts *c)
{
    const char *params[] = {c->p.meeting_id, c->decision, c->notice, c->concern, c->idem_key};
    return db_value(
        "SELECT concat_ws(' ',"
        "  'meetings=' || (SELECT count(*) FROM meetings WHERE id = $1::uuid),"
        "  'decisions=' || (SELECT count(*) FROM consent_decisions WHERE meeting_id = $1::uuid),"
        "  'agreements=' || (SELECT count(*) FROM consent_agreements"
        "                     WHERE decision_id = $2::uuid),"
        "  'escalations=' || (SELECT count(*) FROM escalations WHERE meeting_id = $1::uuid),"
        "  'notice_events=' || (SELECT count(*) FROM escalation_events"
        "                        WHERE escalation_id = $3::uuid),"
        "  'concern_events=' || (SELECT count(*) FROM escalation_events"
        "                         WHERE escalation_id = $4::uuid),"
        "  'remembered=' || (SELECT count(*) FROM idempotency_keys k WHERE k.key = $5),"
        "  'disposals=' || (SELECT count(*) FROM disposals WHERE meeting_id = $1::uuid),"
        "  'disposed=' || (SELECT count(*) FROM disposals WHERE meeting_id = $1::uuid"
        "                   AND status = 'disposed'))",
        5, params);
}

static const char *const UNTOUCHED = "meetings=1 decisions=1 agreements=1 escalations=2"
                                     " notice_events=2 concern_events=1 remembered=1";

/* The record's entry among the records due at the test clock, or NULL. */
static json_t *due_entry(const person *by, const char *record_id)
{
    char path[512] = "/v1/records-due?limit=200";
    for (;;) {
        http_response *r = api_get(path, by->token);
        cr_assert_eq(r->status, 200, "records due: %ld %s", r->status, r->body);
        size_t i;
        json_t *x;
        json_array_foreach(json_object_get(r->json, "items"), i, x) {
            const char *id = json_str(x, "record_id");
            if (id && strcmp(id, record_id) == 0) {
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

static http_response *propose(const person *by, const char *record_class, const char *id)
{
    json_t *body = json_pack("{s:s, s:s}", "record_class", record_class, "record_id", id);
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

/* Proposed by `by` and approved by `second`: the disposal's id. */
static char *disposed(const person *by, const person *second, const char *record_class,
                      const char *id)
{
    http_response *r = propose(by, record_class, id);
    cr_assert_eq(r->status, 201, "proposing: %ld %s", r->status, r->body);
    char *disposal = strdup(json_str(r->json, "id"));
    long version = json_int(r->json, "version");
    http_free(r);
    r = approve(second, disposal, version);
    cr_assert_eq(r->status, 200, "approving: %ld %s", r->status, r->body);
    cr_assert_str_eq(json_str(r->json, "status"), "disposed");
    http_free(r);
    return disposal;
}

/* A proposal refused with 422 naming this rule on record_id, nothing
 * stored. */
static void expect_refused(const parts *c, const person *by, const char *record_class,
                           const char *id, const char *rule)
{
    char *before = parts_counts(c);
    http_response *r = propose(by, record_class, id);
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert(problem_has_rule(r, rule, "record_id"), "%s", r->body);
    http_free(r);
    char *after = parts_counts(c);
    cr_assert_str_eq(after, before);
    free(before);
    free(after);
}

static long policy_versions_by(const person *admin)
{
    const char *params[] = {admin->who.sub};
    return db_long("SELECT count(*) FROM retention_policies WHERE changed_by_sub = $1", 1,
                   params);
}

/* PUT the policy with these values: the answer. */
static http_response *put_policy(const person *admin, const char *record_class, int months,
                                 const char *runs_from, const char *then, long version)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/retention-policies/%s", record_class);
    json_t *body = json_pack("{s:i, s:s, s:s, s:s}", "period_months", months, "runs_from",
                             runs_from, "then", then, "reason",
                             "Confirmed by the data protection board");
    http_response *r = api_call("PUT", path, admin->token, body, etag_of(version));
    json_decref(body);
    return r;
}

static long policy_version(const person *by, const char *record_class)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/retention-policies/%s", record_class);
    http_response *r = api_get(path, by->token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    long version = json_int(r->json, "version");
    http_free(r);
    return version;
}

Test(retention_parts, RET_1_consent_decision_and_escalation_default_policies_read_and_changed)
{
    char *agency = agency_new("childrens_social_care");
    person admin = person_new(agency, "admin");
    person worker = person_new(agency, "practitioner");
    const char *classes[] = {"consent_decision", "escalation"};
    for (size_t i = 0; i < 2; i++) {
        char path[96];
        snprintf(path, sizeof path, "/v1/retention-policies/%s/versions?limit=200",
                 classes[i]);
        http_response *r = api_get(path, worker.token);
        cr_assert_eq(r->status, 200, "%s", r->body);
        json_t *first = NULL, *x;
        size_t n;
        json_array_foreach(json_object_get(r->json, "items"), n, x) {
            if (json_int(x, "version") == 1)
                first = x;
        }
        cr_assert_not_null(first, "%s", r->body);
        cr_assert_str_eq(json_str(first, "record_class"), classes[i]);
        cr_assert_eq(json_int(first, "period_months"), 420);
        cr_assert_str_eq(json_str(first, "runs_from"), "case_closed");
        cr_assert_str_eq(json_str(first, "then"), "review");
        cr_assert(json_is_null(json_object_get(first, "effective_from")));
        cr_assert(strstr(json_str(first, "reason"), "default"), "%s", r->body);
        http_free(r);

        /* confirmed with the same values (the tests beside this one judge
         * by the same period): a new version, audited */
        long version = policy_version(&worker, classes[i]);
        r = put_policy(&admin, classes[i], 420, "case_closed", "review", version);
        cr_assert_eq(r->status, 200, "%s", r->body);
        cr_assert_gt(json_int(r->json, "version"), version);
        cr_assert_str_eq(json_str(json_object_get(r->json, "changed_by"), "sub"),
                         admin.who.sub);
        http_free(r);
    }
    const char *params[] = {admin.who.sub};
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE actor_sub = $1"
                         " AND action = 'retention_policy.update'"
                         " AND resource_id IN ('consent_decision', 'escalation')",
                         1, params),
                 2);
    cr_assert_eq(policy_versions_by(&admin), 2);
    person_free(&admin);
    person_free(&worker);
    free(agency);
}

Test(retention_parts, RET_1_a_start_event_the_class_does_not_run_from_is_refused_on_the_field)
{
    char *agency = agency_new("childrens_social_care");
    person admin = person_new(agency, "admin");
    struct {
        const char *record_class, *runs_from;
    } refused[] = {
        {"consent_decision", "request_answered"},
        {"consent_decision", "escalation_resolved"},
        {"escalation", "request_answered"},
        {"meeting_record", "escalation_resolved"},
        {"subject_access_case", "escalation_resolved"},
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        long version = policy_version(&admin, refused[i].record_class);
        http_response *r =
            put_policy(&admin, refused[i].record_class, 420, refused[i].runs_from, "review",
                       version);
        expect_problem(r, 422, "/problems/rule-violated");
        cr_assert(problem_has_rule(r, "RET-1", "runs_from"), "%s: %s",
                  refused[i].record_class, r->body);
        http_free(r);
        cr_assert_eq(policy_version(&admin, refused[i].record_class), version,
                     "nothing recorded");
    }
    /* an end no class has: refused on the field, nothing recorded */
    long version = policy_version(&admin, "escalation");
    http_response *r = put_policy(&admin, "escalation", 420, "case_closed", "archive", version);
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert(problem_has_rule(r, "RET-1", "then"), "%s", r->body);
    http_free(r);
    cr_assert_eq(policy_version(&admin, "escalation"), version);
    cr_assert_eq(policy_versions_by(&admin), 0);
    const char *params[] = {admin.who.sub};
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE actor_sub = $1", 1, params), 0);
    person_free(&admin);
    free(agency);
}

/* The record's start and due day under an ad-hoc policy of its class
 * (runs_from, months), as "YYYY-MM-DD YYYY-MM-DD", "- -" when not started. */
static char *period_under(const char *record_class, const char *record_id,
                          const char *runs_from, const char *months)
{
    char sql[640];
    snprintf(sql, sizeof sql,
             "SELECT coalesce(to_char(r.starts_on, 'YYYY-MM-DD'), '-') || ' ' ||"
             "       coalesce(to_char(r.due_on, 'YYYY-MM-DD'), '-')"
             "  FROM retention_records_%s(current_date,"
             "         jsonb_populate_record(retention_policy_current($2),"
             "           jsonb_build_object('version', 99, 'period_months', $4::integer,"
             "                              'runs_from', $3::text, 'then_action', 'review'))) r"
             " WHERE r.record_id = $1::uuid",
             record_class);
    const char *params[] = {record_id, record_class, runs_from, months};
    return db_value(sql, 4, params);
}

Test(retention_parts, RET_1_parts_run_from_their_meetings_start_events_and_an_escalation_from_its_end)
{
    parts c;
    parts_new(&c);
    const char *mp[] = {c.p.meeting_id}, *ep[] = {c.notice};
    char *ended = db_value("SELECT to_char(cancelled_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
                           "  FROM meetings WHERE id = $1::uuid",
                           1, mp);
    char *resolved = db_value("SELECT to_char(closed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
                              "  FROM escalations WHERE id = $1::uuid",
                              1, ep);
    char *meeting_closed = period_under("meeting_record", c.p.meeting_id, "meeting_closed", "12");
    char *case_closed = period_under("meeting_record", c.p.meeting_id, "case_closed", "420");
    cr_assert_str_neq(case_closed, "- -");
    /* a decision and a resolved escalation start when their meeting does */
    const char *of[][2] = {{"consent_decision", c.decision}, {"escalation", c.notice}};
    for (size_t i = 0; i < 2; i++) {
        char *got = period_under(of[i][0], of[i][1], "meeting_closed", "12");
        cr_assert_str_eq(got, meeting_closed, "%s", of[i][0]);
        cr_assert_eq(strncmp(got, ended, 10), 0);
        free(got);
        got = period_under(of[i][0], of[i][1], "case_closed", "420");
        cr_assert_str_eq(got, case_closed, "%s", of[i][0]);
        free(got);
        /* the subject child of meeting_body was born on a known day */
        got = period_under(of[i][0], of[i][1], "date_of_birth", "900");
        char *expected = period_under("meeting_record", c.p.meeting_id, "date_of_birth", "900");
        cr_assert_str_eq(got, expected, "%s", of[i][0]);
        cr_assert_str_neq(got, "- -");
        free(expected);
        free(got);
    }
    /* an escalation's own end */
    char *got = period_under("escalation", c.notice, "escalation_resolved", "12");
    cr_assert_eq(strncmp(got, resolved, 10), 0, "%s", got);
    free(got);
    /* an open escalation is kept, whatever its period runs from */
    const char *starts[] = {"meeting_closed", "case_closed", "date_of_birth",
                            "escalation_resolved"};
    for (size_t i = 0; i < 4; i++) {
        got = period_under("escalation", c.concern, starts[i], "12");
        cr_assert_str_eq(got, "- -", "%s", starts[i]);
        free(got);
    }
    free(meeting_closed);
    free(case_closed);
    free(ended);
    free(resolved);
    parts_free(&c);
}

Test(retention_parts, RET_1_consent_decision_and_resolved_escalation_listed_due_at_a_moved_clock)
{
    parts c;
    parts_new(&c);
    test_clock_set(time(NULL) + YEARS_LATER(34));
    json_t *entry = due_entry(&c.dpo, c.decision);
    cr_assert_null(entry, "kept 420 months, not due after 34 years");
    entry = due_entry(&c.dpo, c.notice);
    cr_assert_null(entry);

    test_clock_set(time(NULL) + YEARS_LATER(36));
    const char *of[][2] = {{"consent_decision", c.decision}, {"escalation", c.notice}};
    for (size_t i = 0; i < 2; i++) {
        entry = due_entry(&c.dpo, of[i][1]);
        cr_assert_not_null(entry, "%s due after 36 years", of[i][0]);
        cr_assert_str_eq(json_str(entry, "record_class"), of[i][0]);
        cr_assert_str_eq(json_str(entry, "meeting_id"), c.p.meeting_id);
        cr_assert_str_eq(json_str(entry, "reference"), c.reference);
        cr_assert_str_eq(
            json_string_value(json_array_get(json_object_get(entry, "child_ids"), 0)), c.child);
        cr_assert_str_eq(json_str(entry, "then"), "review");
        cr_assert(json_is_false(json_object_get(entry, "held")));
        cr_assert(json_is_null(json_object_get(entry, "disposal_id")));
        json_decref(entry);
    }
    /* the open escalation is kept while open */
    entry = due_entry(&c.dpo, c.concern);
    cr_assert_null(entry, "an open escalation is not due");
    /* nor is it up for a decision */
    char *before = parts_counts(&c);
    http_response *r = propose(&c.dpo, "escalation", c.concern);
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert(problem_has_rule(r, "RET-3", "record_id"), "%s", r->body);
    http_free(r);
    char *after = parts_counts(&c);
    cr_assert_str_eq(after, before);
    free(before);
    free(after);
    parts_free(&c);
}

static char *hold(const parts *c, json_t *body, long *version)
{
    http_response *r = api_call("POST", "/v1/retention-holds", c->dpo.token, body, NULL);
    json_decref(body);
    cr_assert_eq(r->status, 201, "%s", r->body);
    char *id = strdup(json_str(r->json, "id"));
    *version = json_int(r->json, "version");
    http_free(r);
    return id;
}

static void release(const parts *c, const char *hold_id, long version)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/retention-holds/%s/release", hold_id);
    json_t *body = json_pack("{s:s}", "reason", "The inquiry has reported");
    http_response *r = api_call("POST", path, c->dpo.token, body, etag_of(version));
    json_decref(body);
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
}

/* Both records held: listed as held, every proposal refused (RET-2). */
static void expect_both_held(const parts *c, const char *hold_id)
{
    const char *of[][2] = {{"consent_decision", c->decision}, {"escalation", c->notice}};
    for (size_t i = 0; i < 2; i++) {
        json_t *entry = due_entry(&c->dpo, of[i][1]);
        cr_assert_not_null(entry);
        cr_assert(json_is_true(json_object_get(entry, "held")), "%s", of[i][0]);
        cr_assert_str_eq(
            json_string_value(json_array_get(json_object_get(entry, "hold_ids"), 0)), hold_id);
        json_decref(entry);
        expect_refused(c, &c->dpo, of[i][0], of[i][1], "RET-2");
    }
}

Test(retention_parts, RET_2_parts_held_by_a_hold_on_their_class_their_meeting_or_its_child)
{
    parts c;
    parts_new(&c);
    /* the class holds end the day of this clock: the other tests here
     * decide later */
    time_t at = time(NULL) + YEARS_LATER(35) + 30 * DAY;
    test_clock_set(at);
    char that_day[11];
    struct tm tm;
    strftime(that_day, sizeof that_day, "%Y-%m-%d", gmtime_r(&at, &tm));

    long version;
    char *on_meeting = hold(&c, json_pack("{s:s, s:s, s:s, s:s}", "scope", "meeting",
                                          "meeting_id", c.p.meeting_id, "kind", "rapid_review",
                                          "reason", "A rapid review of the case is under way"),
                            &version);
    expect_both_held(&c, on_meeting);
    release(&c, on_meeting, version);

    char *on_child = hold(&c, json_pack("{s:s, s:s, s:s, s:s}", "scope", "child", "child_id",
                                        c.child, "kind", "litigation", "reason",
                                        "Care proceedings about the child"),
                          &version);
    expect_both_held(&c, on_child);
    release(&c, on_child, version);

    const char *of[][2] = {{"consent_decision", c.decision}, {"escalation", c.notice}};
    for (size_t i = 0; i < 2; i++) {
        char *on_class = hold(&c, json_pack("{s:s, s:s, s:s, s:s, s:s}", "scope",
                                            "record_class", "record_class", of[i][0], "kind",
                                            "inquiry", "reason", "A national inquiry",
                                            "ends_on", that_day),
                              &version);
        json_t *entry = due_entry(&c.dpo, of[i][1]);
        cr_assert(json_is_true(json_object_get(entry, "held")), "%s", of[i][0]);
        json_decref(entry);
        /* a hold on one class holds nothing of the other */
        entry = due_entry(&c.dpo, of[1 - i][1]);
        cr_assert(json_is_false(json_object_get(entry, "held")), "%s", of[1 - i][0]);
        json_decref(entry);
        /* but it holds the meeting record, whose disposal would take the part */
        entry = due_entry(&c.dpo, c.p.meeting_id);
        cr_assert_not_null(entry, "the meeting record is due with its parts");
        cr_assert(json_is_true(json_object_get(entry, "held")), "%s holds the meeting record",
                  of[i][0]);
        json_decref(entry);
        expect_refused(&c, &c.dpo, of[i][0], of[i][1], "RET-2");
        release(&c, on_class, version);
        entry = due_entry(&c.dpo, c.p.meeting_id);
        cr_assert(json_is_false(json_object_get(entry, "held")), "released");
        json_decref(entry);
        free(on_class);
    }
    char *counts = parts_counts(&c);
    cr_assert_eq(strncmp(counts, UNTOUCHED, strlen(UNTOUCHED)), 0, "%s", counts);
    cr_assert_str_eq(counts + strlen(UNTOUCHED), " disposals=0 disposed=0");
    free(counts);
    free(on_meeting);
    free(on_child);
    parts_free(&c);
}

/* The feed events of this type about the record, as "agency,agency". */
static char *announced_to(const char *type, const char *resource_type, const char *id)
{
    const char *params[] = {type, resource_type, id};
    return db_value("SELECT coalesce(string_agg(agency, ',' ORDER BY agency), '') FROM events"
                    " WHERE type = $1 AND resource_type = $2 AND resource_id = $3",
                    3, params);
}

static char *sorted_pair(const char *a, const char *b)
{
    char *out = malloc(strlen(a) + strlen(b) + 2);
    sprintf(out, "%s,%s", strcmp(a, b) < 0 ? a : b, strcmp(a, b) < 0 ? b : a);
    return out;
}

Test(retention_parts, RET_3_escalation_two_person_disposal_deletes_it_and_its_timeline_and_leaves_the_meeting)
{
    parts c;
    parts_new(&c);
    char *before = parts_counts(&c);
    cr_assert_str_eq(before, "meetings=1 decisions=1 agreements=1 escalations=2"
                             " notice_events=2 concern_events=1 remembered=1"
                             " disposals=0 disposed=0");
    const char *ep[] = {c.notice};
    long audit_about = db_long("SELECT count(*) FROM audit_events WHERE resource_id = $1", 1, ep);
    cr_assert_geq(audit_about, 2, "raised and resolved");

    test_clock_set(time(NULL) + YEARS_LATER(36));
    /* a senior manager who may not see the meeting reaches nothing: 404 */
    http_response *r = propose(&c.stranger, "escalation", c.notice);
    expect_problem(r, 404, "/problems/not-found");
    http_free(r);
    char *now = parts_counts(&c);
    cr_assert_str_eq(now, before);
    free(now);

    r = propose(&c.dpo, "escalation", c.notice);
    cr_assert_eq(r->status, 201, "%s", r->body);
    char *disposal = strdup(json_str(r->json, "id"));
    long version = json_int(r->json, "version");
    cr_assert_str_eq(json_str(r->json, "record_class"), "escalation");
    cr_assert_str_eq(json_str(r->json, "record_id"), c.notice);
    cr_assert_str_eq(json_str(r->json, "meeting_id"), c.p.meeting_id);
    cr_assert_str_eq(json_str(r->json, "reference"), c.reference);
    cr_assert_str_eq(json_str(r->json, "action"), "delete");
    http_free(r);
    char *pair = sorted_pair(c.p.csc, c.p.police);
    char *told = announced_to("disposal.proposed", "escalation", c.notice);
    cr_assert_str_eq(told, pair, "the two agencies party to it");
    free(told);

    /* one person alone, or another on the same side: 403, nothing changes */
    person other_dpo = person_new(c.p.police, "dpo");
    char *proposed = parts_counts(&c);
    r = approve(&c.dpo, disposal, version);
    expect_problem(r, 403, "/problems/forbidden");
    cr_assert(problem_has_rule(r, "RET-3", NULL), "%s", r->body);
    http_free(r);
    r = approve(&other_dpo, disposal, version);
    expect_problem(r, 403, "/problems/forbidden");
    http_free(r);
    r = approve(&c.stranger, disposal, version);
    expect_problem(r, 404, "/problems/not-found");
    http_free(r);
    now = parts_counts(&c);
    cr_assert_str_eq(now, proposed);
    cr_assert_eq(strncmp(now, UNTOUCHED, strlen(UNTOUCHED)), 0, "%s", now);
    free(now);
    const char *who[] = {c.dpo.who.sub, other_dpo.who.sub, c.stranger.who.sub};
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE actor_sub IN ($1, $2, $3)"
                         " AND action = 'disposal.approve'",
                         3, who),
                 0, "a refusal writes no audit row");

    /* a senior manager who may see the meeting approves: carried out */
    r = approve(&c.senior, disposal, version);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "status"), "disposed");
    cr_assert_str_eq(json_str(json_object_get(r->json, "approved_by"), "sub"), c.senior.who.sub);
    cr_assert_null(strstr(r->body, "not being followed"), "the tombstone holds no content");
    http_free(r);
    now = parts_counts(&c);
    cr_assert_str_eq(now, "meetings=1 decisions=1 agreements=1 escalations=1"
                          " notice_events=0 concern_events=1 remembered=0"
                          " disposals=1 disposed=1");
    free(now);
    cr_assert_eq(db_long("SELECT count(*) FROM escalations WHERE id = $1::uuid", 1, ep), 0);

    /* the tombstone, read by both sides */
    char path[128];
    snprintf(path, sizeof path, "/v1/disposals/%s", disposal);
    const person *readers[] = {&c.dpo, &c.senior};
    for (size_t i = 0; i < 2; i++) {
        r = api_get(path, readers[i]->token);
        cr_assert_eq(r->status, 200, "%s", r->body);
        cr_assert_str_eq(json_str(r->json, "record_class"), "escalation");
        cr_assert_str_eq(json_str(r->json, "record_id"), c.notice);
        cr_assert_str_eq(json_str(r->json, "meeting_id"), c.p.meeting_id);
        cr_assert_str_eq(json_str(r->json, "reference"), c.reference);
        cr_assert_str_eq(json_str(r->json, "status"), "disposed");
        http_free(r);
    }
    r = api_get(path, c.stranger.token);
    expect_problem(r, 404, "/problems/not-found");
    http_free(r);
    told = announced_to("record.purged", "escalation", c.notice);
    cr_assert_str_eq(told, pair, "record.purged to the two agencies party to it");
    free(told);

    /* the meeting and the rest of it still read; the escalation is gone */
    r = api_get(meeting_path(c.p.meeting_id, NULL), c.p.manager.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    snprintf(path, sizeof path, "/v1/escalations/%s", c.notice);
    r = api_get(path, c.p.police_officer.token);
    expect_problem(r, 404, "/problems/not-found");
    http_free(r);
    snprintf(path, sizeof path, "/v1/escalations/%s", c.concern);
    r = api_get(path, c.p.police_officer.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    snprintf(path, sizeof path, "/v1/escalations?meeting_id=%s", c.p.meeting_id);
    r = api_get(path, c.p.requester.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_eq(json_array_size(json_object_get(r->json, "items")), 1, "%s", r->body);
    http_free(r);
    snprintf(path, sizeof path, "/v1/consent-decisions/%s", c.decision);
    r = api_get(path, c.p.manager.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);

    /* the audit trail stays: the escalation's own rows and the decision's */
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE resource_id = $1", 1, ep),
                 audit_about);
    const char *dp[] = {disposal};
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE resource_id = $1"
                         " AND action IN ('disposal.propose', 'disposal.approve')",
                         1, dp),
                 2);
    free(pair);
    free(proposed);
    free(before);
    free(disposal);
    person_free(&other_dpo);
    parts_free(&c);
}

Test(retention_parts, RET_3_consent_decision_disposed_once_the_escalation_about_it_is_gone)
{
    parts c;
    parts_new(&c);
    test_clock_set(time(NULL) + YEARS_LATER(36) + 10 * DAY);
    /* the escalation about it points at it: disposed of first */
    expect_refused(&c, &c.dpo, "consent_decision", c.decision, "RET-3");
    free(disposed(&c.dpo, &c.admin, "escalation", c.notice));

    /* a senior manager who may see the meeting proposes, the dpo approves */
    http_response *r = propose(&c.stranger, "consent_decision", c.decision);
    expect_problem(r, 404, "/problems/not-found");
    http_free(r);
    r = propose(&c.senior, "consent_decision", c.decision);
    cr_assert_eq(r->status, 201, "%s", r->body);
    char *disposal = strdup(json_str(r->json, "id"));
    long version = json_int(r->json, "version");
    cr_assert_str_eq(json_str(json_object_get(r->json, "proposed_by"), "as"), "manager");
    cr_assert_str_eq(json_str(r->json, "meeting_id"), c.p.meeting_id);
    cr_assert_str_eq(json_str(r->json, "reference"), c.reference);
    http_free(r);
    /* a second proposal: 409, nothing stored */
    char *proposed = parts_counts(&c);
    r = propose(&c.dpo, "consent_decision", c.decision);
    expect_problem(r, 409, "/problems/invalid-state");
    http_free(r);
    r = approve(&c.senior, disposal, version);
    expect_problem(r, 403, "/problems/forbidden");
    http_free(r);
    char *now = parts_counts(&c);
    cr_assert_str_eq(now, proposed);
    cr_assert_str_eq(now, "meetings=1 decisions=1 agreements=1 escalations=1"
                          " notice_events=0 concern_events=1 remembered=0"
                          " disposals=2 disposed=1");
    free(now);

    r = approve(&c.dpo, disposal, version);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "status"), "disposed");
    cr_assert_null(strstr(r->body, "put the child at risk"), "the tombstone holds no content");
    http_free(r);
    now = parts_counts(&c);
    cr_assert_str_eq(now, "meetings=1 decisions=0 agreements=0 escalations=1"
                          " notice_events=0 concern_events=1 remembered=0"
                          " disposals=2 disposed=2");
    free(now);

    /* record.purged to the meeting's agencies */
    char *told = announced_to("record.purged", "consent_decision", c.decision);
    const char *mp[] = {c.p.meeting_id};
    char *agencies = db_value("SELECT string_agg(a, ',' ORDER BY a)"
                              "  FROM (SELECT DISTINCT unnest(meeting_agencies($1::uuid)) a) x",
                              1, mp);
    cr_assert_str_eq(told, agencies);
    cr_assert(strstr(told, c.p.health), "%s", told);
    free(told);
    free(agencies);

    /* the meeting reads without it; the decision is gone */
    r = api_get(meeting_path(c.p.meeting_id, NULL), c.p.manager.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    r = api_get(meeting_path(c.p.meeting_id, "consent-decisions"), c.p.manager.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_eq(json_array_size(json_object_get(r->json, "items")), 0, "%s", r->body);
    http_free(r);
    char path[128];
    snprintf(path, sizeof path, "/v1/consent-decisions/%s", c.decision);
    r = api_get(path, c.p.manager.token);
    expect_problem(r, 404, "/problems/not-found");
    http_free(r);
    snprintf(path, sizeof path, "/v1/disposals/%s", disposal);
    r = api_get(path, c.senior.token);
    cr_assert_eq(r->status, 200, "the tombstone, read once the record is gone: %s", r->body);
    cr_assert_str_eq(json_str(r->json, "record_class"), "consent_decision");
    http_free(r);
    const char *dp[] = {disposal, c.decision};
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE resource_id = $1"
                         " AND action IN ('disposal.propose', 'disposal.approve')",
                         1, dp),
                 2);
    cr_assert_gt(db_long("SELECT count(*) FROM audit_events WHERE resource_id = $1", 1, dp + 1), 0,
                 "the decision's own audit rows stay");

    /* the meeting record is still disposed of whole, beside its parts'
     * tombstones: the open escalation goes with it */
    json_t *body = json_pack("{s:s}", "meeting_id", c.p.meeting_id);
    r = api_call("POST", "/v1/disposals", c.dpo.token, body, NULL);
    json_decref(body);
    cr_assert_eq(r->status, 201, "%s", r->body);
    char *whole = strdup(json_str(r->json, "id"));
    version = json_int(r->json, "version");
    http_free(r);
    r = approve(&c.admin, whole, version);
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    now = parts_counts(&c);
    cr_assert_str_eq(now, "meetings=0 decisions=0 agreements=0 escalations=0"
                          " notice_events=0 concern_events=0 remembered=0"
                          " disposals=3 disposed=3");
    free(now);
    r = api_get(path, c.dpo.token);
    cr_assert_eq(r->status, 200, "the part's tombstone outlives the meeting: %s", r->body);
    http_free(r);
    free(whole);
    free(proposed);
    free(disposal);
    parts_free(&c);
}

/* SEC-2, RET-3: an escalation between two agencies other than the
 * convening one reaches, for a decision on its disposal, none of the
 * convening agency's senior managers, though they see its meeting: the
 * escalation's own visibility never reached them, so neither does its
 * tombstone. The dpo and admins reach it as any record. */
Test(retention_parts, SEC_2_an_escalation_s_disposal_reaches_only_the_agencies_party_to_it)
{
    parts c;
    parts_new(&c);
    json_t *body = escalation_body(c.p.meeting_id, "concern_after_decision", c.p.health);
    char *between = created_id(api_call("POST", "/v1/escalations", c.p.police_officer.token,
                                        body, NULL),
                               "the police raising a concern with health");
    json_decref(body);
    char path[128];
    snprintf(path, sizeof path, "/v1/escalations/%s/resolve", between);
    body = json_pack("{s:s}", "outcome", "Health will review the plan with the police");
    http_response *r = api_call("POST", path, c.p.police_officer.token, body, etag_of(1));
    json_decref(body);
    cr_assert_eq(r->status, 200, "resolving: %ld %s", r->status, r->body);
    http_free(r);

    test_clock_set(time(NULL) + YEARS_LATER(36));
    r = api_get(meeting_path(c.p.meeting_id, NULL), c.senior.token);
    cr_assert_eq(r->status, 200, "the convening agency's senior manager sees the meeting: %s",
                 r->body);
    http_free(r);
    const char *ep[] = {between};
    const char *count = "SELECT count(*) FROM disposals WHERE record_id = $1::uuid";
    r = propose(&c.senior, "escalation", between);
    expect_problem(r, 404, "/problems/not-found");
    http_free(r);
    cr_assert_eq(db_long(count, 1, ep), 0, "the refusal proposed nothing");

    r = propose(&c.dpo, "escalation", between);
    cr_assert_eq(r->status, 201, "the dpo reaches it: %s", r->body);
    char *disposal = strdup(json_str(r->json, "id"));
    http_free(r);
    char *pair = sorted_pair(c.p.police, c.p.health);
    char *told = announced_to("disposal.proposed", "escalation", between);
    cr_assert_str_eq(told, pair, "the two agencies party to it, not the convening one");
    snprintf(path, sizeof path, "/v1/disposals/%s", disposal);
    r = api_get(path, c.senior.token);
    expect_problem(r, 404, "/problems/not-found");
    http_free(r);
    free(told);
    free(pair);
    free(disposal);
    free(between);
    parts_free(&c);
}
