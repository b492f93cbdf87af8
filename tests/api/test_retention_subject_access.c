/* The record class subject_access_case (RET-1 to RET-3) over real HTTP
 * against the real database: an answered subject access request, with its
 * gathered items, a consultation of the police and its item link, is kept
 * 24 months from the day it was answered (the service's default policy),
 * listed among the records due once that has passed at a moved clock
 * (X-Test-Now; never a wait) and not before, nor while unanswered; a hold
 * on its child or on its record class stops its disposal; the dpo and an
 * admin dispose of it by the two-person rule, which deletes the request,
 * its items, its consultations and their links (counted in the tables),
 * leaves the tombstone and announces nothing on any agency's feed. Every
 * person, child and NHS number is fictitious. */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "held_meeting.h"
#include "sar_fixture.h"
#include "support/client.h"
#include "support/expect.h"
#include "support/fixtures.h"
#include "support/people.h"
#include "support/planning.h"

#define DAY 86400L
/* months after today, as seconds: 30.44 days a month */
#define MONTHS_LATER(n) ((long)((n) * 30.44 * DAY))

typedef struct sar_case {
    char *csc, *police;
    person practitioner, csc_manager, csc_senior, officer, dpo, admin;
    char nhs[11];
    char *meeting;
    char *child;
    char *sar;
    long version;    /* the request's */
    char *consultation;
} sar_case;

static char *id_of(http_response *r, const char *what)
{
    cr_assert_eq(r->status, 201, "%s: %ld %s", what, r->status, r->body);
    char *id = strdup(json_str(r->json, "id"));
    http_free(r);
    return id;
}

/* A meeting about a child by the csc, a police officer invited; a request
 * about the child by a parent, received today, gathered by the dpo, the
 * police consulted on their item; answered today when `answer`. */
static void sar_case_new(sar_case *c, bool answer)
{
    memset(c, 0, sizeof *c);
    test_clock_set(time(NULL));
    c->csc = agency_new("childrens_social_care");
    c->police = agency_new("police");
    c->practitioner = person_new(c->csc, "practitioner");
    c->csc_manager = person_new(c->csc, "manager");
    c->csc_senior = person_new(c->csc, "senior_manager");
    c->officer = person_new(c->police, "practitioner");
    c->dpo = person_new(c->csc, "dpo");
    c->admin = person_new(c->csc, "admin");
    nhs_number_new(c->nhs);
    json_t *body = meeting_body("professionals");
    json_object_set_new(json_array_get(json_object_get(body, "children"), 0), "nhs_number",
                        json_string(c->nhs));
    c->meeting = id_of(api_call("POST", "/v1/meetings", c->practitioner.token, body, NULL),
                       "a meeting");
    json_decref(body);
    meeting_authorise(&c->csc_manager, c->meeting, 1);
    body = invitation_body(&c->officer, "Police officer");
    free(id_of(invite(&c->practitioner, c->meeting, body), "inviting the officer"));
    json_decref(body);
    const char *params[] = {c->meeting};
    c->child = db_value("SELECT child_id::text FROM meeting_children WHERE meeting_id = $1"
                        " AND is_subject",
                        1, params);
    char ref[32], today[11], path[200];
    snprintf(ref, sizeof ref, "nhs_number:%s", c->nhs);
    date_from_today(0, today);
    c->sar = id_of(sar_register(&c->dpo, sar_child_body(ref, today)), "registering");
    http_response *r = sar_command(&c->dpo, c->sar, "gather", NULL, 1);
    cr_assert_eq(r->status, 200, "gathering: %ld %s", r->status, r->body);
    c->version = json_int(r->json, "version");
    http_free(r);
    const char *sp[] = {c->sar, c->police};
    long police_item = db_long("SELECT coalesce(min(item_no), -1) FROM subject_access_items"
                               " WHERE request_id = $1::uuid AND agency = $2",
                               2, sp);
    cr_assert(police_item > 0, "an item of the police");
    body = json_pack("{s:s, s:[i], s:s}", "agency", c->police, "item_nos", police_item,
                     "question", "Would disclosing this record harm anyone?");
    snprintf(path, sizeof path, "/v1/subject-access-requests/%s/consultations", c->sar);
    c->consultation = id_of(api_call("POST", path, c->dpo.token, body, NULL), "consulting");
    json_decref(body);
    if (!answer)
        return;
    /* every item disclosed, then answered today */
    const char *one[] = {c->sar};
    c->version = db_long("SELECT version FROM subject_access_requests WHERE id = $1::uuid", 1,
                         one);
    long n = db_long("SELECT count(*) FROM subject_access_items WHERE request_id = $1::uuid", 1,
                     one);
    for (long no = 1; no <= n; no++) {
        char etag[24];
        snprintf(path, sizeof path, "/v1/subject-access-requests/%s/items/%ld/decision",
                 c->sar, no);
        snprintf(etag, sizeof etag, "\"%ld\"", c->version);
        body = json_pack("{s:s}", "decision", "disclose");
        r = api_call("PUT", path, c->dpo.token, body, etag);
        json_decref(body);
        cr_assert_eq(r->status, 200, "deciding item %ld: %s", no, r->body);
        c->version = json_int(r->json, "version");
        http_free(r);
    }
    r = sar_answer(&c->dpo, c->sar, today, c->version);
    cr_assert_eq(r->status, 200, "answering: %s", r->body);
    c->version = json_int(r->json, "version");
    http_free(r);
}

static void sar_case_free(sar_case *c)
{
    free(c->csc);
    free(c->police);
    free(c->meeting);
    free(c->child);
    free(c->sar);
    free(c->consultation);
    person_free(&c->practitioner);
    person_free(&c->csc_manager);
    person_free(&c->csc_senior);
    person_free(&c->officer);
    person_free(&c->dpo);
    person_free(&c->admin);
}

/* The request's entry among the records due at the test clock, or NULL. */
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

static http_response *propose(const person *by, const char *sar)
{
    json_t *body = json_pack("{s:s, s:s}", "record_class", "subject_access_case", "record_id", sar);
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

/* The request's rows, counted per table, and its disposals. */
static char *case_counts(const char *sar, const char *consultation)
{
    const char *params[] = {sar, consultation};
    return db_value(
        "SELECT concat_ws(' ',"
        "  'requests=' || (SELECT count(*) FROM subject_access_requests WHERE id = $1::uuid),"
        "  'items=' || (SELECT sign(count(*)) FROM subject_access_items"
        "                WHERE request_id = $1::uuid),"
        "  'consultations=' || (SELECT count(*) FROM subject_access_consultations"
        "                        WHERE request_id = $1::uuid),"
        "  'links=' || (SELECT count(*) FROM subject_access_consultation_items"
        "                WHERE consultation_id = $2::uuid),"
        "  'remembered=' || (SELECT count(*) FROM idempotency_keys k"
        "                     WHERE strpos(coalesce(k.body, '') || coalesce(k.location, ''),"
        "                                  $1::text) > 0),"
        "  'disposals=' || (SELECT count(*) FROM disposals WHERE record_id = $1::uuid),"
        "  'disposed=' || (SELECT count(*) FROM disposals WHERE record_id = $1::uuid"
        "                   AND status = 'disposed'))",
        2, params);
}

Test(retention_subject_access, RET_1_subject_access_case_listed_once_answered_and_past_its_period)
{
    sar_case open;
    sar_case_new(&open, false);
    test_clock_set(time(NULL) + MONTHS_LATER(30));
    json_t *entry = due_entry(&open.dpo, open.sar);
    cr_assert_null(entry, "an unanswered request is kept");

    sar_case c;
    sar_case_new(&c, true);
    char today[11];
    date_from_today(0, today);
    test_clock_set(time(NULL) + MONTHS_LATER(23));
    entry = due_entry(&c.dpo, c.sar);
    cr_assert_null(entry, "kept 24 months, not due after 23");
    test_clock_set(time(NULL) + MONTHS_LATER(26));
    entry = due_entry(&c.dpo, c.sar);
    cr_assert_not_null(entry, "due after 26 months");
    cr_assert_str_eq(json_str(entry, "record_class"), "subject_access_case");
    cr_assert_str_eq(json_str(entry, "record_id"), c.sar);
    cr_assert(json_is_null(json_object_get(entry, "meeting_id")));
    cr_assert(json_is_null(json_object_get(entry, "reference")));
    cr_assert_str_eq(json_string_value(json_array_get(json_object_get(entry, "child_ids"), 0)),
                     c.child);
    cr_assert_str_eq(json_str(entry, "runs_from"), "request_answered");
    cr_assert_str_eq(json_str(entry, "then"), "delete");
    cr_assert_str_eq(json_str(entry, "starts_on"), today);
    cr_assert(json_is_false(json_object_get(entry, "held")));
    cr_assert(json_is_null(json_object_get(entry, "disposal_id")));
    json_decref(entry);
    /* still unanswered, still kept */
    entry = due_entry(&c.dpo, open.sar);
    cr_assert_null(entry);

    /* the policy's start event fits its class (RET-1): refused, unchanged */
    http_response *r = api_get("/v1/retention-policies/subject_access_case", c.admin.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "runs_from"), "request_answered");
    long version = json_int(r->json, "version");
    http_free(r);
    json_t *body = json_pack("{s:i, s:s, s:s, s:s}", "period_months", 24, "runs_from",
                             "case_closed", "then", "delete", "reason", "A wrong start");
    r = api_call("PUT", "/v1/retention-policies/subject_access_case", c.admin.token, body,
                 etag_of(version));
    json_decref(body);
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert(problem_has_rule(r, "RET-1", "runs_from"), "%s", r->body);
    http_free(r);
    r = api_get("/v1/retention-policies/meeting_record", c.admin.token);
    long meeting_version = json_int(r->json, "version");
    http_free(r);
    body = json_pack("{s:i, s:s, s:s, s:s}", "period_months", 420, "runs_from",
                     "request_answered", "then", "review", "reason", "A wrong start");
    r = api_call("PUT", "/v1/retention-policies/meeting_record", c.admin.token, body,
                 etag_of(meeting_version));
    json_decref(body);
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert(problem_has_rule(r, "RET-1", "runs_from"), "%s", r->body);
    http_free(r);
    r = api_get("/v1/retention-policies/subject_access_case", c.admin.token);
    cr_assert_eq(json_int(r->json, "version"), version, "nothing recorded");
    http_free(r);
    sar_case_free(&c);
    sar_case_free(&open);
}

/* A proposal refused with 422 naming RET-2, nothing stored. */
static void expect_held(const sar_case *c)
{
    char *before = case_counts(c->sar, c->consultation);
    http_response *r = propose(&c->dpo, c->sar);
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert(problem_has_rule(r, "RET-2", "record_id"), "%s", r->body);
    http_free(r);
    char *after = case_counts(c->sar, c->consultation);
    cr_assert_str_eq(after, before);
    free(before);
    free(after);
}

static char *hold(const sar_case *c, json_t *body, long *version)
{
    http_response *r = api_call("POST", "/v1/retention-holds", c->dpo.token, body, NULL);
    json_decref(body);
    cr_assert_eq(r->status, 201, "%s", r->body);
    char *id = strdup(json_str(r->json, "id"));
    *version = json_int(r->json, "version");
    http_free(r);
    return id;
}

static void release(const sar_case *c, const char *hold_id, long version)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/retention-holds/%s/release", hold_id);
    json_t *body = json_pack("{s:s}", "reason", "The complaint was resolved");
    http_response *r = api_call("POST", path, c->dpo.token, body, etag_of(version));
    json_decref(body);
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
}

Test(retention_subject_access, RET_2_subject_access_case_held_on_its_child_or_its_class)
{
    sar_case c;
    sar_case_new(&c, true);
    /* the class hold ends the day of this clock: the other tests here use
     * other days */
    time_t at = time(NULL) + MONTHS_LATER(25);
    test_clock_set(at);
    char that_day[11];
    struct tm tm;
    strftime(that_day, sizeof that_day, "%Y-%m-%d", gmtime_r(&at, &tm));

    long version;
    char *on_child = hold(&c, json_pack("{s:s, s:s, s:s, s:s}", "scope", "child", "child_id",
                                        c.child, "kind", "subject_access", "reason",
                                        "A second request about the child is being answered"),
                          &version);
    json_t *entry = due_entry(&c.dpo, c.sar);
    cr_assert_not_null(entry);
    cr_assert(json_is_true(json_object_get(entry, "held")));
    cr_assert_str_eq(json_string_value(json_array_get(json_object_get(entry, "hold_ids"), 0)),
                     on_child);
    json_decref(entry);
    expect_held(&c);
    release(&c, on_child, version);

    char *on_class = hold(&c, json_pack("{s:s, s:s, s:s, s:s, s:s}", "scope", "record_class",
                                        "record_class", "subject_access_case", "kind",
                                        "complaint", "reason", "A complaint to the ICO",
                                        "ends_on", that_day),
                          &version);
    entry = due_entry(&c.dpo, c.sar);
    cr_assert(json_is_true(json_object_get(entry, "held")));
    json_decref(entry);
    expect_held(&c);
    release(&c, on_class, version);
    entry = due_entry(&c.dpo, c.sar);
    cr_assert(json_is_false(json_object_get(entry, "held")));
    json_decref(entry);
    free(on_child);
    free(on_class);
    sar_case_free(&c);
}

Test(retention_subject_access, RET_3_subject_access_case_two_person_disposal_deletes_the_request_and_leaves_a_tombstone)
{
    sar_case c;
    sar_case_new(&c, true);
    char *before = case_counts(c.sar, c.consultation);
    cr_assert_str_eq(before, "requests=1 items=1 consultations=1 links=1 remembered=0"
                             " disposals=0 disposed=0");

    /* ordinary deletes are refused (RET-3: only the disposal deletes) */
    const char *tables[] = {"subject_access_consultation_items", "subject_access_items"};
    char sql[512];
    for (size_t i = 0; i < 2; i++) {
        snprintf(sql, sizeof sql,
                 "SELECT set_config('mam.disposal', 'on', false);"
                 " DELETE FROM %s WHERE request_id = '%s'",
                 tables[i], c.sar);
        char *state = db_try(sql);
        cr_assert_str_eq(state, "42501", "deleting from %s", tables[i]);
        free(state);
    }
    snprintf(sql, sizeof sql, "DELETE FROM subject_access_requests WHERE id = '%s'", c.sar);
    char *state = db_try(sql);
    cr_assert_str_eq(state, "42501");
    free(state);

    /* not due yet */
    test_clock_set(time(NULL) + MONTHS_LATER(12));
    http_response *r = propose(&c.dpo, c.sar);
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert(problem_has_rule(r, "RET-3", "record_id"), "%s", r->body);
    http_free(r);

    test_clock_set(time(NULL) + MONTHS_LATER(27));
    /* a senior manager reaches no subject access case */
    r = propose(&c.csc_senior, c.sar);
    expect_problem(r, 404, "/problems/not-found");
    http_free(r);
    r = propose(&c.dpo, c.sar);
    cr_assert_eq(r->status, 201, "%s", r->body);
    char *disposal = strdup(json_str(r->json, "id"));
    long version = json_int(r->json, "version");
    cr_assert_str_eq(json_str(r->json, "record_class"), "subject_access_case");
    cr_assert_str_eq(json_str(r->json, "record_id"), c.sar);
    cr_assert(json_is_null(json_object_get(r->json, "meeting_id")));
    cr_assert_str_eq(json_str(r->json, "status"), "proposed");
    http_free(r);

    /* one person alone is refused, and nothing changes */
    char *proposed = case_counts(c.sar, c.consultation);
    r = approve(&c.dpo, disposal, version);
    expect_problem(r, 403, "/problems/forbidden");
    cr_assert(problem_has_rule(r, "RET-3", NULL), "%s", r->body);
    http_free(r);
    r = approve(&c.csc_senior, disposal, version);
    expect_problem(r, 404, "/problems/not-found");
    http_free(r);
    char *after = case_counts(c.sar, c.consultation);
    cr_assert_str_eq(after, proposed);
    cr_assert_str_eq(after, "requests=1 items=1 consultations=1 links=1 remembered=0"
                            " disposals=1 disposed=0");
    free(after);

    /* the second person on the other side: gone, the tombstone stays */
    r = approve(&c.admin, disposal, version);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "status"), "disposed");
    cr_assert_str_eq(json_str(json_object_get(r->json, "approved_by"), "sub"), c.admin.who.sub);
    http_free(r);
    after = case_counts(c.sar, c.consultation);
    cr_assert_str_eq(after, "requests=0 items=0 consultations=0 links=0 remembered=0"
                            " disposals=1 disposed=1");
    free(after);
    const char *params[] = {disposal, c.sar};
    char *tomb = db_value("SELECT concat_ws(' ', record_class, record_id, meeting_id IS NULL,"
                          " meeting_reference IS NULL, cardinality(agencies), policy_version,"
                          " proposed_by_sub IS NOT NULL, approved_at IS NOT NULL)"
                          " FROM disposals WHERE id = $1::uuid",
                          1, params);
    char expected[160];
    snprintf(expected, sizeof expected, "subject_access_case %s t t 0 %ld t t", c.sar,
             db_long("SELECT max(version) FROM retention_policies"
                     " WHERE record_class = 'subject_access_case'",
                     0, NULL));
    cr_assert_str_eq(tomb, expected);
    free(tomb);
    /* announced on no agency's feed; the audit trail is the proof */
    cr_assert_eq(db_long("SELECT count(*) FROM events WHERE resource_id IN ($1, $2)", 2, params),
                 0);
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE resource_id = $1"
                         " AND action IN ('disposal.propose', 'disposal.approve')",
                         1, params),
                 2);
    char path[128];
    snprintf(path, sizeof path, "/v1/subject-access-requests/%s", c.sar);
    r = api_get(path, c.dpo.token);
    expect_problem(r, 404, "/problems/not-found");
    http_free(r);
    free(proposed);
    free(before);
    free(disposal);
    sar_case_free(&c);
}
