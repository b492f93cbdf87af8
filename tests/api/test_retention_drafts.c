/* The record class draft_minutes (RET-1 to RET-3) over real HTTP against
 * the real database: a meeting about a linked child, held, its minutes
 * approved and sent, closed, and then an amendment drafted and left (the
 * draft the lifecycle leaves behind: a meeting closes only once its latest
 * version is approved). The draft is kept 12 months from the close (the
 * service's default policy), listed among the records due once that has
 * passed at a moved clock (X-Test-Now; never a wait) and not before, nor
 * while its meeting is open; a hold on its class, its meeting or its child
 * stops its disposal; a senior manager who may see the meeting and the dpo
 * dispose of it by the two-person rule, which deletes that version alone
 * (counted in the tables): the meeting and its approved minutes stay and
 * read as before, the tombstone stays and record.purged names the version
 * on the meeting's agencies' feeds. Every person and child is fictitious.
 *
 * Clocks: the class hold is placed at 14 months and ends that day; the
 * other tests look at 11, 16 and 18 months, so it never stops them. */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "held_meeting.h"
#include "kept_record.h"
#include "support/client.h"
#include "support/expect.h"
#include "support/fixtures.h"
#include "support/people.h"
#include "support/planning.h"

#define DAY 86400L
/* months after today, as seconds: 30.44 days a month */
#define MONTHS_LATER(n) ((long)((n) * 30.44 * DAY))

typedef struct draft_case {
    planned p;
    person dpo, admin, senior, other_senior;
    char *child;     /* the meeting's subject child */
    char *approved;  /* version 1's id */
    char *draft;     /* version 2's id, the draft */
    char key[40];    /* the Idempotency-Key the amendment was made with */
} draft_case;

/* The id of a version of the meeting's minutes, as GET shows it (a new
 * string). */
static char *version_id(const planned *p, int number)
{
    char rest[48];
    snprintf(rest, sizeof rest, "/versions/%d", number);
    http_response *r = api_get(held_minutes_path(p->meeting_id, rest), p->requester.token);
    cr_assert_eq(r->status, 200, "version %d: %ld %s", number, r->status, r->body);
    char *id = strdup(json_str(r->json, "id"));
    http_free(r);
    return id;
}

/* The meeting about a linked child, held today, its minutes approved and
 * sent to both agencies (the family's copy withheld), closed; then, when
 * `amend`, an amendment drafted (with an Idempotency-Key) and left. */
static void draft_case_new(draft_case *c, bool amend)
{
    memset(c, 0, sizeof *c);
    planned *p = &c->p;
    test_clock_set(time(NULL));
    planned_authorised(p, "professionals");
    /* the child by its identifier (MTG-11: decided again) */
    json_t *body = json_pack("{s:[o]}", "children", kept_child());
    http_response *r = api_call("PATCH", meeting_path(p->meeting_id, NULL), p->requester.token,
                                body, etag_of(p->version));
    json_decref(body);
    cr_assert_eq(r->status, 200, "%s", r->body);
    p->version = meeting_authorise(&p->manager, p->meeting_id, json_int(r->json, "version"));
    http_free(r);
    planned_invite_agencies(p);
    planned_inform_family(p);
    planned_schedule(p, HELD_HOUR, "in_person", 0);
    held_attend_and_hold(p, &p->requester);
    held_minutes_approved(p, &p->manager, held_complete_minutes(p, 60));
    held_sharing(p, &p->manager, false);
    r = held_distribute(p, &p->requester,
                        json_pack("[o, o]",
                                  held_recipient("Police records", p->police, "professional"),
                                  held_recipient("Health records", p->health, "professional")));
    cr_assert_eq(r->status, 201, "%s", r->body);
    http_free(r);
    r = api_call("POST", meeting_path(p->meeting_id, "close"), p->manager.token, NULL,
                 etag_of(p->version));
    cr_assert_eq(r->status, 200, "closing: %s", r->body);
    p->version = json_int(r->json, "version");
    http_free(r);
    c->child = kept_child_of(p->meeting_id);
    c->approved = version_id(p, 1);
    c->dpo = person_new(p->csc, "dpo");
    c->admin = person_new(p->health, "admin");
    c->senior = person_new(p->csc, "senior_manager");
    c->other_senior = person_new(p->police, "senior_manager");
    if (!amend)
        return;
    char suffix[17], idem[64];
    unique_suffix(suffix, sizeof suffix);
    snprintf(c->key, sizeof c->key, "draft-%s", suffix);
    snprintf(idem, sizeof idem, "Idempotency-Key: %s", c->key);
    const char *headers[] = {"Content-Type: application/json", idem, NULL};
    const char *text = "{\"reason\": \"Correct the name of the school\"}";
    r = http_call("POST", held_minutes_path(p->meeting_id, "/amendments"), p->requester.token,
                  headers, text, strlen(text));
    cr_assert_eq(r->status, 201, "amending: %ld %s", r->status, r->body);
    cr_assert_eq(json_int(r->json, "number"), 2);
    cr_assert_str_eq(json_str(r->json, "status"), "draft");
    c->draft = strdup(json_str(r->json, "id"));
    http_free(r);
}

static void draft_case_free(draft_case *c)
{
    planned_free(&c->p);
    person_free(&c->dpo);
    person_free(&c->admin);
    person_free(&c->senior);
    person_free(&c->other_senior);
    free(c->child);
    free(c->approved);
    free(c->draft);
}

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

static http_response *propose(const person *by, const char *record_id)
{
    json_t *body = json_pack("{s:s, s:s}", "record_class", "draft_minutes", "record_id", record_id);
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

/* The meeting's minutes and what hangs on them, counted, with the draft's
 * rows and disposals: one comparable string. */
static char *draft_counts(const draft_case *c)
{
    const char *params[] = {c->p.meeting_id, c->draft, c->approved, c->key};
    return db_value(
        "SELECT concat_ws(' ',"
        "  'meetings=' || (SELECT count(*) FROM meetings WHERE id = $1::uuid),"
        "  'versions=' || (SELECT count(*) FROM minutes WHERE meeting_id = $1::uuid),"
        "  'draft=' || (SELECT count(*) FROM minutes WHERE id = $2::uuid),"
        "  'approved=' || (SELECT count(*) FROM minutes WHERE id = $3::uuid"
        "                   AND status = 'approved'),"
        "  'distribution=' || (SELECT count(*) FROM minutes_distribution"
        "                       WHERE meeting_id = $1::uuid),"
        "  'actions=' || (SELECT sign(count(*)) FROM actions WHERE meeting_id = $1::uuid),"
        "  'ledger=' || (SELECT sign(count(*)) FROM information_sharing"
        "                 WHERE meeting_id = $1::uuid),"
        "  'remembered=' || (SELECT count(*) FROM idempotency_keys WHERE key = $4),"
        "  'disposals=' || (SELECT count(*) FROM disposals WHERE record_id = $2::uuid),"
        "  'disposed=' || (SELECT count(*) FROM disposals WHERE record_id = $2::uuid"
        "                   AND status = 'disposed'))",
        4, params);
}

Test(retention_drafts, RET_1_draft_minutes_policy_read_and_a_start_it_does_not_allow_refused)
{
    person admin;
    char *agency = agency_new("childrens_social_care");
    admin = person_new(agency, "admin");
    http_response *r = api_get("/v1/retention-policies/draft_minutes", admin.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "record_class"), "draft_minutes");
    cr_assert_eq(json_int(r->json, "period_months"), 12);
    cr_assert_str_eq(json_str(r->json, "runs_from"), "meeting_closed");
    long version = json_int(r->json, "version");
    http_free(r);
    const char *cls[] = {"draft_minutes"};
    const char *count_sql = "SELECT count(*) FROM retention_policies WHERE record_class = $1";
    long rows = db_long(count_sql, 1, cls);

    /* a start event the class does not allow: 422 on runs_from, nothing recorded */
    const char *wrong[] = {"case_closed", "date_of_birth", "request_answered"};
    for (size_t i = 0; i < 3; i++) {
        json_t *body = json_pack("{s:i, s:s, s:s, s:s}", "period_months", 12, "runs_from",
                                 wrong[i], "then", "delete", "reason", "A wrong start");
        r = api_call("PUT", "/v1/retention-policies/draft_minutes", admin.token, body,
                     etag_of(version));
        json_decref(body);
        expect_problem(r, 422, "/problems/rule-violated");
        cr_assert(problem_has_rule(r, "RET-1", "runs_from"), "%s: %s", wrong[i], r->body);
        http_free(r);
        cr_assert_eq(db_long(count_sql, 1, cls), rows, "nothing recorded for %s", wrong[i]);
    }
    /* the meeting record's start and end stay its own too */
    r = api_get("/v1/retention-policies/draft_minutes", admin.token);
    cr_assert_eq(json_int(r->json, "version"), version);
    http_free(r);

    /* changed: reviewed rather than deleted, then back; each a new version
     * (the period and start stay, so the other tests' dates do not move) */
    const char *thens[] = {"review", "delete"};
    for (size_t i = 0; i < 2; i++) {
        json_t *body = json_pack("{s:i, s:s, s:s, s:s}", "period_months", 12, "runs_from",
                                 "meeting_closed", "then", thens[i], "reason",
                                 "The partnership's schedule for working papers");
        r = api_call("PUT", "/v1/retention-policies/draft_minutes", admin.token, body,
                     etag_of(version));
        json_decref(body);
        cr_assert_eq(r->status, 200, "%s", r->body);
        cr_assert_str_eq(json_str(r->json, "then"), thens[i]);
        cr_assert_gt(json_int(r->json, "version"), version);
        version = json_int(r->json, "version");
        http_free(r);
    }
    cr_assert_eq(db_long(count_sql, 1, cls), rows + 2);
    person_free(&admin);
    free(agency);
}

Test(retention_drafts, RET_1_draft_minutes_listed_a_year_after_the_close_and_not_before)
{
    /* a held meeting's draft: its meeting is open, it is kept */
    planned open;
    held_meeting_now(&open, "professionals");
    json_t *doc = held_complete_minutes(&open, 60);
    http_response *r =
        api_call("PUT", held_minutes_path(open.meeting_id, NULL), open.requester.token, doc, NULL);
    json_decref(doc);
    cr_assert_eq(r->status, 201, "%s", r->body);
    char *open_draft = strdup(json_str(r->json, "id"));
    http_free(r);

    draft_case c;
    draft_case_new(&c, true);
    test_clock_set(time(NULL) + MONTHS_LATER(11));
    json_t *entry = due_entry(&c.dpo, c.draft);
    cr_assert_null(entry, "kept 12 months, not due after 11");

    test_clock_set(time(NULL) + MONTHS_LATER(16));
    entry = due_entry(&c.dpo, c.draft);
    cr_assert_not_null(entry, "due after 16 months");
    const char *mp[] = {c.p.meeting_id};
    char *reference = db_value("SELECT reference FROM meetings WHERE id = $1", 1, mp);
    cr_assert_str_eq(json_str(entry, "record_class"), "draft_minutes");
    cr_assert_str_eq(json_str(entry, "meeting_id"), c.p.meeting_id);
    cr_assert_str_eq(json_str(entry, "reference"), reference);
    cr_assert_str_eq(json_string_value(json_array_get(json_object_get(entry, "child_ids"), 0)),
                     c.child);
    cr_assert_str_eq(json_str(entry, "runs_from"), "meeting_closed");
    /* the close's day, or the draft's last edit's when later, as stored (UTC):
     * the request's clock may have passed midnight since */
    const char *dp[] = {c.draft};
    char *started = db_value("SELECT to_char(greatest((m.closed_at AT TIME ZONE 'UTC')::date,"
                             "                        (v.updated_at AT TIME ZONE 'UTC')::date),"
                             "               'YYYY-MM-DD')"
                             "  FROM minutes v JOIN meetings m ON m.id = v.meeting_id"
                             " WHERE v.id = $1::uuid",
                             1, dp);
    cr_assert_str_eq(json_str(entry, "starts_on"), started);
    free(started);
    cr_assert(json_is_false(json_object_get(entry, "held")));
    cr_assert(json_is_null(json_object_get(entry, "disposal_id")));
    json_decref(entry);
    /* the approved version is the meeting record's, never a draft; the open
     * meeting's draft is kept */
    cr_assert_null(due_entry(&c.dpo, c.approved));
    cr_assert_null(due_entry(&c.dpo, open_draft));
    r = propose(&c.dpo, open_draft);
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert(problem_has_rule(r, "RET-3", "record_id"), "%s", r->body);
    http_free(r);
    free(reference);
    free(open_draft);
    planned_free(&open);
    draft_case_free(&c);
}

/* A proposal refused with 422 naming RET-2, nothing stored. */
static void expect_held(const draft_case *c)
{
    char *before = draft_counts(c);
    http_response *r = propose(&c->dpo, c->draft);
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert(problem_has_rule(r, "RET-2", "record_id"), "%s", r->body);
    http_free(r);
    char *after = draft_counts(c);
    cr_assert_str_eq(after, before);
    free(before);
    free(after);
}

static char *hold(const draft_case *c, json_t *body, long *version)
{
    http_response *r = api_call("POST", "/v1/retention-holds", c->dpo.token, body, NULL);
    json_decref(body);
    cr_assert_eq(r->status, 201, "%s", r->body);
    char *id = strdup(json_str(r->json, "id"));
    *version = json_int(r->json, "version");
    http_free(r);
    return id;
}

static void release(const draft_case *c, const char *hold_id, long version)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/retention-holds/%s/release", hold_id);
    json_t *body = json_pack("{s:s}", "reason", "The review has finished");
    http_response *r = api_call("POST", path, c->dpo.token, body, etag_of(version));
    json_decref(body);
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
}

/* The hold is in effect on the draft: listed as held by it, and stops a
 * proposal; released, it no longer does. */
static void held_by(const draft_case *c, json_t *hold_body)
{
    long version;
    char *id = hold(c, hold_body, &version);
    json_t *entry = due_entry(&c->dpo, c->draft);
    cr_assert_not_null(entry);
    cr_assert(json_is_true(json_object_get(entry, "held")));
    bool named = false;
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(entry, "hold_ids"), i, x) {
        named |= strcmp(json_string_value(x), id) == 0;
    }
    cr_assert(named, "the hold is named");
    json_decref(entry);
    expect_held(c);
    release(c, id, version);
    free(id);
}

Test(retention_drafts, RET_2_draft_minutes_held_by_a_hold_on_its_class_its_meeting_or_its_child)
{
    draft_case c;
    draft_case_new(&c, true);
    time_t at = time(NULL) + MONTHS_LATER(14);
    test_clock_set(at);
    char that_day[11];
    struct tm tm;
    strftime(that_day, sizeof that_day, "%Y-%m-%d", gmtime_r(&at, &tm));

    held_by(&c, json_pack("{s:s, s:s, s:s, s:s}", "scope", "meeting", "meeting_id",
                          c.p.meeting_id, "kind", "complaint", "reason",
                          "The family complained about the meeting"));
    held_by(&c, json_pack("{s:s, s:s, s:s, s:s}", "scope", "child", "child_id", c.child, "kind",
                          "rapid_review", "reason", "A rapid review about the child"));
    held_by(&c, json_pack("{s:s, s:s, s:s, s:s, s:s}", "scope", "record_class", "record_class",
                          "draft_minutes", "kind", "inquiry", "reason",
                          "An inquiry into how minutes are amended", "ends_on", that_day));
    json_t *entry = due_entry(&c.dpo, c.draft);
    cr_assert(json_is_false(json_object_get(entry, "held")), "released, none holds it");
    json_decref(entry);
    draft_case_free(&c);
}

Test(retention_drafts, RET_3_draft_minutes_two_person_disposal_deletes_that_version_alone)
{
    draft_case c;
    draft_case_new(&c, true);
    char *before = draft_counts(&c);
    cr_assert_str_eq(before, "meetings=1 versions=2 draft=1 approved=1 distribution=2 actions=1"
                             " ledger=1 remembered=1 disposals=0 disposed=0");
    /* only the disposal deletes a draft (RET-3): the service's own role may not */
    char sql[256];
    snprintf(sql, sizeof sql, "DELETE FROM minutes WHERE id = '%s'", c.draft);
    char *state = db_try(sql);
    cr_assert_str_eq(state, "42501");
    free(state);
    const char *mp[] = {c.p.meeting_id};
    long audit_about = db_long("SELECT count(*) FROM audit_events WHERE resource_id = $1", 1, mp);

    /* not due yet; an approved version is no draft; a draft is named by record_id */
    test_clock_set(time(NULL) + MONTHS_LATER(6));
    http_response *r = propose(&c.dpo, c.draft);
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert(problem_has_rule(r, "RET-3", "record_id"), "%s", r->body);
    http_free(r);
    test_clock_set(time(NULL) + MONTHS_LATER(18));
    r = propose(&c.dpo, c.approved);
    expect_problem(r, 404, "/problems/not-found");
    http_free(r);
    json_t *body = json_pack("{s:s, s:s}", "record_class", "draft_minutes", "meeting_id",
                             c.p.meeting_id);
    r = api_call("POST", "/v1/disposals", c.dpo.token, body, NULL);
    json_decref(body);
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert(problem_has_rule(r, "RET-3", "meeting_id"), "%s", r->body);
    http_free(r);
    /* a senior manager who may not see the meeting reaches nothing (SEC-2) */
    r = propose(&c.other_senior, c.draft);
    expect_problem(r, 404, "/problems/not-found");
    http_free(r);
    char *unchanged = draft_counts(&c);
    cr_assert_str_eq(unchanged, before);
    free(unchanged);

    /* the convening agency's senior manager proposes */
    r = propose(&c.senior, c.draft);
    cr_assert_eq(r->status, 201, "%s", r->body);
    char *disposal = strdup(json_str(r->json, "id"));
    long version = json_int(r->json, "version");
    cr_assert_str_eq(json_str(r->json, "record_class"), "draft_minutes");
    cr_assert_str_eq(json_str(r->json, "record_id"), c.draft);
    cr_assert_str_eq(json_str(r->json, "meeting_id"), c.p.meeting_id);
    cr_assert_eq(json_int(r->json, "minutes_number"), 2);
    cr_assert_str_eq(json_str(r->json, "action"), "delete");
    cr_assert_str_eq(json_str(json_object_get(r->json, "proposed_by"), "as"), "manager");
    http_free(r);
    r = propose(&c.dpo, c.draft);
    expect_problem(r, 409, "/problems/invalid-state");
    http_free(r);

    /* one person alone, or two on the same side: 403, nothing changes */
    char *proposed = draft_counts(&c);
    long audited = kept_audit_by(&c.senior) + kept_audit_by(&c.admin);
    r = approve(&c.senior, disposal, version);
    expect_problem(r, 403, "/problems/forbidden");
    cr_assert(problem_has_rule(r, "RET-3", NULL), "%s", r->body);
    http_free(r);
    r = approve(&c.admin, disposal, version);
    expect_problem(r, 403, "/problems/forbidden");
    http_free(r);
    r = approve(&c.other_senior, disposal, version);
    expect_problem(r, 404, "/problems/not-found");
    http_free(r);
    char *after = draft_counts(&c);
    cr_assert_str_eq(after, proposed);
    cr_assert_str_eq(after, "meetings=1 versions=2 draft=1 approved=1 distribution=2 actions=1"
                            " ledger=1 remembered=1 disposals=1 disposed=0");
    cr_assert_eq(kept_audit_by(&c.senior) + kept_audit_by(&c.admin), audited);
    free(after);

    /* the dpo, the other side: that version is gone, everything else stays */
    r = approve(&c.dpo, disposal, version);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "status"), "disposed");
    cr_assert_str_eq(json_str(json_object_get(r->json, "approved_by"), "sub"), c.dpo.who.sub);
    http_free(r);
    after = draft_counts(&c);
    cr_assert_str_eq(after, "meetings=1 versions=1 draft=0 approved=1 distribution=2 actions=1"
                            " ledger=1 remembered=0 disposals=1 disposed=1");
    free(after);

    /* the meeting and its approved minutes read as before */
    r = api_get(meeting_path(c.p.meeting_id, NULL), c.p.requester.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "status"), "closed");
    http_free(r);
    r = api_get(held_minutes_path(c.p.meeting_id, NULL), c.p.requester.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_eq(json_int(r->json, "number"), 1);
    cr_assert_str_eq(json_str(r->json, "status"), "approved");
    cr_assert(json_is_true(json_object_get(r->json, "current")));
    cr_assert_str_eq(json_str(r->json, "id"), c.approved);
    http_free(r);
    r = api_get(held_minutes_path(c.p.meeting_id, "/versions"), c.p.requester.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_eq(json_array_size(json_object_get(r->json, "items")), 1);
    http_free(r);
    r = api_get(held_minutes_path(c.p.meeting_id, "/versions/2"), c.p.requester.token);
    expect_problem(r, 404, "/problems/not-found");
    http_free(r);

    /* the tombstone: ids, class, version number, who and when */
    char path[128];
    snprintf(path, sizeof path, "/v1/disposals/%s", disposal);
    const person *readers[] = {&c.senior, &c.dpo};
    for (size_t i = 0; i < 2; i++) {
        r = api_get(path, readers[i]->token);
        cr_assert_eq(r->status, 200, "%s", r->body);
        cr_assert_str_eq(json_str(r->json, "status"), "disposed");
        cr_assert_str_eq(json_str(r->json, "record_id"), c.draft);
        cr_assert_str_eq(json_str(r->json, "meeting_id"), c.p.meeting_id);
        cr_assert_eq(json_int(r->json, "minutes_number"), 2);
        cr_assert_not_null(json_str(r->json, "reference"));
        cr_assert_null(json_object_get(r->json, "content"));
        http_free(r);
    }
    r = api_get(path, c.other_senior.token);
    expect_problem(r, 404, "/problems/not-found");
    http_free(r);

    /* record.purged to the meeting's agencies: the minutes by meeting and number */
    const char *ep[] = {c.p.meeting_id};
    char *purged = db_value("SELECT string_agg(agency || ':' || resource_type || ':'"
                            "                  || minutes_number, ',' ORDER BY agency)"
                            "  FROM events WHERE type = 'record.purged' AND resource_id = $1",
                            1, ep);
    char expected[512];
    const char *agencies[] = {c.p.csc, c.p.police, c.p.health};
    /* in agency order */
    for (int i = 0; i < 3; i++)
        for (int k = i + 1; k < 3; k++)
            if (strcmp(agencies[k], agencies[i]) < 0) {
                const char *t = agencies[i];
                agencies[i] = agencies[k];
                agencies[k] = t;
            }
    snprintf(expected, sizeof expected, "%s:minutes:2,%s:minutes:2,%s:minutes:2", agencies[0],
             agencies[1], agencies[2]);
    cr_assert_str_eq(purged, expected);
    free(purged);

    /* the audit trail of the record and of the decision stays */
    cr_assert_geq(db_long("SELECT count(*) FROM audit_events WHERE resource_id = $1", 1, mp),
                  audit_about);
    const char *dp[] = {disposal};
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE resource_id = $1"
                         " AND action IN ('disposal.propose', 'disposal.approve')",
                         1, dp),
                 2);
    free(proposed);
    free(before);
    free(disposal);
    draft_case_free(&c);
}

Test(retention_drafts, RET_3_a_draft_approved_after_its_proposal_is_the_meeting_records_and_stays)
{
    draft_case c;
    draft_case_new(&c, true);
    test_clock_set(time(NULL) + MONTHS_LATER(18));
    http_response *r = propose(&c.dpo, c.draft);
    cr_assert_eq(r->status, 201, "%s", r->body);
    char *disposal = strdup(json_str(r->json, "id"));
    long version = json_int(r->json, "version");
    http_free(r);

    /* meanwhile the chair approves the draft (MIN-3): it is the record now */
    test_clock_set(time(NULL));
    r = api_get(held_minutes_path(c.p.meeting_id, NULL), c.p.requester.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    long minutes_version = json_int(r->json, "version");
    http_free(r);
    r = api_call("POST", held_minutes_path(c.p.meeting_id, "/approve"), c.p.manager.token, NULL,
                 etag_of(minutes_version));
    cr_assert_eq(r->status, 200, "approving the amendment: %s", r->body);
    http_free(r);

    /* the proposal is about a draft no more: refused, nothing changes */
    test_clock_set(time(NULL) + MONTHS_LATER(18));
    char *before = draft_counts(&c);
    r = approve(&c.admin, disposal, version);
    expect_problem(r, 404, "/problems/not-found");
    http_free(r);
    char *after = draft_counts(&c);
    cr_assert_str_eq(after, before);
    cr_assert(strstr(after, "versions=2 draft=1"), "%s", after);
    r = api_get(held_minutes_path(c.p.meeting_id, NULL), c.p.requester.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "id"), c.draft);
    cr_assert_str_eq(json_str(r->json, "status"), "approved");
    http_free(r);
    char path[128];
    snprintf(path, sizeof path, "/v1/disposals/%s", disposal);
    r = api_get(path, c.dpo.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "status"), "proposed");
    http_free(r);
    cr_assert_null(due_entry(&c.dpo, c.draft), "an approved version is listed as no draft");
    free(before);
    free(after);
    free(disposal);
    draft_case_free(&c);
}

/* RET-3: a proposal still open on a draft when its whole meeting record is
 * disposed of has nothing left to decide: it goes with the record (its
 * audit rows stay), rather than staying proposed for ever with a 404 for
 * whoever tries to approve it. */
Test(retention_drafts, RET_3_a_draft_s_open_proposal_goes_with_its_meeting_record)
{
    draft_case c;
    draft_case_new(&c, true);
    char today[11];
    date_from_today(0, today);
    http_response *r = kept_report_closure(&c.p.manager, c.child, today);
    cr_assert_eq(r->status, 201, "reporting the closure: %s", r->body);
    http_free(r);
    test_clock_set(time(NULL) + KEPT_YEARS_LATER(36));
    r = propose(&c.dpo, c.draft);
    cr_assert_eq(r->status, 201, "%s", r->body);
    char *draft_disposal = strdup(json_str(r->json, "id"));
    http_free(r);
    json_t *body = json_pack("{s:s}", "meeting_id", c.p.meeting_id);
    r = api_call("POST", "/v1/disposals", c.dpo.token, body, NULL);
    json_decref(body);
    cr_assert_eq(r->status, 201, "%s", r->body);
    char *whole = strdup(json_str(r->json, "id"));
    long version = json_int(r->json, "version");
    http_free(r);
    r = approve(&c.admin, whole, version);
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    const char *dp[] = {draft_disposal};
    cr_assert_eq(db_long("SELECT count(*) FROM disposals WHERE id = $1::uuid", 1, dp), 0,
                 "the draft's open proposal went with the record");
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE resource_id = $1"
                         " AND action = 'disposal.propose'",
                         1, dp),
                 1, "its audit row stays");
    char path[128];
    snprintf(path, sizeof path, "/v1/disposals/%s", draft_disposal);
    r = api_get(path, c.dpo.token);
    expect_problem(r, 404, "/problems/not-found");
    http_free(r);
    snprintf(path, sizeof path, "/v1/disposals/%s", whole);
    r = api_get(path, c.dpo.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "status"), "disposed");
    http_free(r);
    free(whole);
    free(draft_disposal);
    draft_case_free(&c);
}
