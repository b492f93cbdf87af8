/* Escalations (the multi-agency disagreement and escalation procedure) over
 * real HTTP against the real database: what an escalation names and the
 * reference each type needs (ESC-1 with INV-7 and FAM-2), the four stages
 * with their responders and due dates in working days (ESC-2), moving up by
 * the raiser only and starting at stage 3 for a child at immediate risk
 * (ESC-3), responses, resolution and withdrawal, after which an escalation
 * is read-only (ESC-4), who sees one (SEC-2), the list and its filters,
 * If-Match and Idempotency-Key, and the audit rows and feed events (SEC-4,
 * INT-2).
 *
 * Every test makes its own agencies and people. Every refusal is checked
 * four ways: the status, the problem+json answer, the errors[] entry naming
 * the rule or field, and the database: a fingerprint of each agency
 * involved, the number of escalations and timeline rows touching those
 * agencies, and a digest of those escalations' representations.
 *
 * Due dates are computed here, independently of the service, from the bank
 * holidays it serves (GET /v1/bank-holidays) and the test's UTC date: each
 * test pins its clock (test_clock_pin_noon), so that the service's "today"
 * is the test's. */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/text.h"
#include "support/client.h"
#include "support/expect.h"
#include "support/fixtures.h"
#include "support/people.h"
#include "support/planning.h"

#include "calendar_change.h"

/* ESCALATION_STAGE_WORKING_DAYS defaults (ESC-2). */
static const int stage_days[4] = {5, 5, 10, 10};

TestSuite(escalations, .init = test_clock_pin_noon);

/* --- the database before and after --- */

typedef struct snapshot {
    int n;
    char *agency[4];
    char *fingerprint[4];
    char *agencies;    /* "{A,B}" */
    long escalations;  /* escalations touching the agencies */
    long events;       /* their timeline rows */
    char *digest;      /* their representations */
} snapshot;

static long count_escalations(const char *agencies)
{
    const char *params[] = {agencies};
    return db_long("SELECT count(*) FROM escalations"
                   " WHERE raised_by_agency = ANY ($1::text[]) OR with_agency = ANY ($1::text[])",
                   1, params);
}

static long count_escalation_events(const char *agencies)
{
    const char *params[] = {agencies};
    return db_long("SELECT count(*) FROM escalation_events t"
                   " JOIN escalations e ON e.id = t.escalation_id"
                   " WHERE e.raised_by_agency = ANY ($1::text[])"
                   "    OR e.with_agency = ANY ($1::text[])",
                   1, params);
}

static char *escalations_digest(const char *agencies)
{
    const char *params[] = {agencies};
    return db_value("SELECT coalesce(sum(version), 0) || '/' ||"
                    " md5(coalesce(string_agg(escalation_json(e, '2000-01-01')::text, ',' ORDER BY e.id), ''))"
                    " FROM escalations e"
                    " WHERE e.raised_by_agency = ANY ($1::text[])"
                    "    OR e.with_agency = ANY ($1::text[])",
                    1, params);
}

/* The database as seen from these agencies (NULL-terminated, up to 4). */
static snapshot snap(const char *first, ...)
{
    snapshot s;
    memset(&s, 0, sizeof s);
    char list[256] = "{";
    va_list ap;
    va_start(ap, first);
    for (const char *a = first; a && s.n < 4; a = va_arg(ap, const char *)) {
        s.agency[s.n] = strdup(a);
        s.fingerprint[s.n] = db_fingerprint(a);
        if (s.n)
            strcat(list, ",");
        strcat(list, a);
        s.n++;
    }
    va_end(ap);
    strcat(list, "}");
    s.agencies = strdup(list);
    s.escalations = count_escalations(s.agencies);
    s.events = count_escalation_events(s.agencies);
    s.digest = escalations_digest(s.agencies);
    return s;
}

/* Nothing changed since snap(); frees the snapshot. */
static void expect_same(snapshot *s)
{
    for (int i = 0; i < s->n; i++) {
        expect_unchanged(s->agency[i], s->fingerprint[i]);
        free(s->agency[i]);
        free(s->fingerprint[i]);
    }
    cr_assert_eq(count_escalations(s->agencies), s->escalations, "escalations were added");
    cr_assert_eq(count_escalation_events(s->agencies), s->events, "timeline rows were added");
    char *digest = escalations_digest(s->agencies);
    cr_assert_str_eq(digest, s->digest, "an escalation changed: %s -> %s", s->digest, digest);
    free(digest);
    free(s->digest);
    free(s->agencies);
    memset(s, 0, sizeof *s);
}

/* Frees a snapshot without comparing. */
static void snap_free(snapshot *s)
{
    for (int i = 0; i < s->n; i++) {
        free(s->agency[i]);
        free(s->fingerprint[i]);
    }
    free(s->digest);
    free(s->agencies);
    memset(s, 0, sizeof *s);
}

/* --- assertions --- */

static void expect_rule(const http_response *r, const char *rule, const char *field)
{
    cr_assert(problem_has_rule(r, rule, field), "expected rule %s on %s: %s", rule,
              field ? field : "(any field)", r->body);
}

/* A problem answer with this status, type and (when not NULL) rule on field. */
static void expect_refusal(const http_response *r, long status, const char *type,
                           const char *rule, const char *field)
{
    expect_problem(r, status, type);
    if (rule)
        expect_rule(r, rule, field);
    else if (field)
        cr_assert(problem_has_field(r, field), "expected an error on %s: %s", field, r->body);
}

static void expect_str(const char *got, const char *want)
{
    cr_assert(got && want && strcmp(got, want) == 0, "expected '%s', got '%s'",
              want ? want : "(null)", got ? got : "(null)");
}

static void expect_etag(const http_response *r, long version)
{
    char *etag = http_header(r, "ETag");
    cr_assert(etag, "an ETag: %s", r->body);
    cr_assert_str_eq(etag, etag_of(version));
    free(etag);
}

/* --- working days, computed here --- */

typedef struct calendar {
    int n;
    long days[512]; /* days since 1970-01-01 */
} calendar;

static long day_of(const char *ymd)
{
    int y, m, d;
    cr_assert_eq(sscanf(ymd, "%4d-%2d-%2d", &y, &m, &d), 3, "a date: %s", ymd);
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = d;
    tm.tm_hour = 12;
    return (long)(timegm(&tm) / 86400);
}

static void ymd_of(long day, char out[11])
{
    time_t t = (time_t)day * 86400 + 43200;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

/* The test's today (the service's, the clock being pinned), in days since
 * 1970-01-01. */
static long today(void)
{
    return (long)(test_now() / 86400);
}

static void today_ymd(char out[11])
{
    ymd_of(today(), out);
}

static bool is_holiday(const calendar *c, long day)
{
    for (int i = 0; i < c->n; i++)
        if (c->days[i] == day)
            return true;
    return false;
}

static bool is_working_day(const calendar *c, long day)
{
    time_t t = (time_t)day * 86400 + 43200;
    struct tm tm;
    gmtime_r(&t, &tm);
    return tm.tm_wday != 0 && tm.tm_wday != 6 && !is_holiday(c, day);
}

/* The n-th working day after `from`. */
static long add_working_days(const calendar *c, long from, int n)
{
    long day = from;
    while (n > 0) {
        day++;
        if (is_working_day(c, day))
            n--;
    }
    return day;
}

/* The bank holidays as the service serves them, every page. */
static void load_calendar(const person *p, calendar *c)
{
    memset(c, 0, sizeof *c);
    char *cursor = NULL;
    for (int pages = 0;; pages++) {
        cr_assert_lt(pages, 100, "the bank holidays end");
        char path[512];
        if (cursor)
            snprintf(path, sizeof path, "/v1/bank-holidays?limit=200&cursor=%s", cursor);
        else
            snprintf(path, sizeof path, "/v1/bank-holidays?limit=200");
        http_response *r = api_get(path, p->token);
        cr_assert_eq(r->status, 200, "%s -> %ld %s", path, r->status, r->body);
        size_t i;
        json_t *item;
        json_array_foreach(json_object_get(r->json, "items"), i, item) {
            cr_assert_lt(c->n, 512, "room for the bank holidays");
            c->days[c->n++] = day_of(json_str(item, "date"));
        }
        const char *next = json_str(r->json, "next_cursor");
        free(cursor);
        cursor = next ? strdup(next) : NULL;
        http_free(r);
        if (!cursor)
            break;
    }
}

/* The due date of `stage` for a stage that starts today (ESC-2). */
static void stage_due_from_today(const calendar *c, int stage, char out[11])
{
    ymd_of(add_working_days(c, today(), stage_days[stage - 1]), out);
}

/* --- requests --- */

static const char *esc_path(const char *id, const char *command)
{
    static char path[256];
    if (command)
        snprintf(path, sizeof path, "/v1/escalations/%s/%s", id, command);
    else
        snprintf(path, sizeof path, "/v1/escalations/%s", id);
    return path;
}

/* A valid escalation body (a new reference). */
static json_t *esc_body(const char *meeting_id, const char *type, const char *with_agency)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s}", "meeting_id", meeting_id, "type", type,
                     "concern", "The agreed plan is not being followed by the other agency",
                     "outcome_sought", "A joint review of the plan within a week", "with_agency",
                     with_agency);
}

/* POST /v1/escalations as `by`; takes the body. */
static http_response *raise_esc(const person *by, json_t *body)
{
    http_response *r = api_call("POST", "/v1/escalations", by->token, body, NULL);
    json_decref(body);
    return r;
}

/* Raises it and returns its id (a new string); fails the test if refused. */
static char *raise_ok(const person *by, json_t *body)
{
    http_response *r = raise_esc(by, body);
    cr_assert_eq(r->status, 201, "raising: %ld %s", r->status, r->body);
    char *id = strdup(json_str(r->json, "id"));
    http_free(r);
    return id;
}

/* A concern_after_decision escalation about the meeting, by the requester
 * (children's social care) with the police. */
static char *raise_with_police(const planned *p)
{
    return raise_ok(&p->requester, esc_body(p->meeting_id, "concern_after_decision", p->police));
}

static http_response *respond_esc(const person *by, const char *id, const char *text)
{
    json_t *body = json_pack("{s:s}", "text", text);
    http_response *r = api_call("POST", esc_path(id, "responses"), by->token, body, NULL);
    json_decref(body);
    return r;
}

static void respond_ok(const person *by, const char *id, long version_after)
{
    http_response *r = respond_esc(by, id, "We have looked again at our part in the plan");
    cr_assert_eq(r->status, 201, "responding: %ld %s", r->status, r->body);
    cr_assert_eq(json_int(r->json, "version"), version_after, "%s", r->body);
    http_free(r);
}

static http_response *escalate(const person *by, const char *id, const char *if_match)
{
    return api_call("POST", esc_path(id, "escalate"), by->token, NULL, if_match);
}

static http_response *resolve(const person *by, const char *id, const char *outcome,
                              const char *if_match)
{
    json_t *body = outcome ? json_pack("{s:s}", "outcome", outcome) : json_object();
    http_response *r = api_call("POST", esc_path(id, "resolve"), by->token, body, if_match);
    json_decref(body);
    return r;
}

static http_response *withdraw(const person *by, const char *id, const char *reason,
                               const char *if_match)
{
    json_t *body = reason ? json_pack("{s:s}", "reason", reason) : json_object();
    http_response *r = api_call("POST", esc_path(id, "withdraw"), by->token, body, if_match);
    json_decref(body);
    return r;
}

/* Moves it up a stage as the raiser; returns the answer's stage_due (a new string). */
static char *escalate_ok(const person *raiser, const char *id, long version, int next_stage)
{
    http_response *r = escalate(raiser, id, etag_of(version));
    cr_assert_eq(r->status, 200, "escalating: %ld %s", r->status, r->body);
    cr_assert_eq(json_int(r->json, "stage"), next_stage, "%s", r->body);
    cr_assert_eq(json_int(r->json, "version"), version + 1, "%s", r->body);
    expect_etag(r, version + 1);
    char *due = strdup(json_str(r->json, "stage_due"));
    http_free(r);
    return due;
}

/* The escalation as `p` reads it (a new reference). */
static json_t *esc_read(const person *p, const char *id)
{
    http_response *r = api_get(esc_path(id, NULL), p->token);
    cr_assert_eq(r->status, 200, "reading the escalation: %ld %s", r->status, r->body);
    expect_etag(r, json_int(r->json, "version"));
    json_t *j = json_incref(r->json);
    http_free(r);
    return j;
}

/* GET of the escalation answers 404 to `p` and changes nothing. */
static void expect_hidden(const person *p, const char *id, const char *a, const char *b)
{
    snapshot s = snap(a, b, p->who.agency, NULL);
    http_response *r = api_get(esc_path(id, NULL), p->token);
    expect_refusal(r, 404, "/problems/not-found", NULL, NULL);
    http_free(r);
    expect_same(&s);
}

/* A response at this stage by `p` is refused with 403 ESC-2; nothing changes. */
static void expect_wrong_responder(const person *p, const char *id, const char *a,
                                   const char *b)
{
    snapshot s = snap(a, b, p->who.agency, NULL);
    http_response *r = respond_esc(p, id, "Not mine to answer");
    expect_refusal(r, 403, "/problems/forbidden", "ESC-2", NULL);
    http_free(r);
    expect_same(&s);
}

static long stored_version(const char *id)
{
    const char *params[] = {id};
    return db_long("SELECT version FROM escalations WHERE id = $1::uuid", 1, params);
}

/* Moves the stage due date `days_from_today` days (UTC) from today. */
static void move_stage_due(const char *id, int days_from_today)
{
    char day[11];
    ymd_of(today() + days_from_today, day);
    const char *params[] = {id, day};
    char *v = db_value("UPDATE escalations SET stage_due = $2::date WHERE id = $1::uuid"
                       " RETURNING 1",
                       2, params);
    cr_assert_str_eq(v, "1");
    free(v);
}

/* The timeline entry i of an escalation. */
static json_t *timeline_at(json_t *esc, size_t i)
{
    json_t *t = json_object_get(esc, "timeline");
    cr_assert(json_is_array(t), "a timeline");
    cr_assert_lt(i, json_array_size(t), "timeline entry %zu", i);
    return json_array_get(t, i);
}

static void expect_entry(json_t *entry, int stage, const char *kind, const person *by,
                         const char *due)
{
    char *text = json_dumps(entry, JSON_COMPACT);
    cr_assert_eq(json_int(entry, "stage"), stage, "stage of %s", text);
    cr_assert(json_str(entry, "kind") && strcmp(json_str(entry, "kind"), kind) == 0,
              "kind %s of %s", kind, text);
    json_t *who = json_object_get(entry, "by");
    cr_assert(json_str(who, "sub") && strcmp(json_str(who, "sub"), by->who.sub) == 0,
              "by of %s", text);
    cr_assert(json_str(who, "agency") && strcmp(json_str(who, "agency"), by->who.agency) == 0,
              "agency of %s", text);
    cr_assert(text_is_timestamp(json_str(entry, "at")), "at of %s", text);
    if (due)
        cr_assert(json_str(entry, "due") && strcmp(json_str(entry, "due"), due) == 0,
                  "due %s of %s", due, text);
    else
        cr_assert(json_is_null(json_object_get(entry, "due")), "no due date in %s", text);
    free(text);
}

/* --- references: invitations, decisions, requests --- */

/* Declines the invitation as `invitee`. */
static void decline_invitation(const person *invitee, const char *invitation_id)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/invitations/%s/respond", invitation_id);
    json_t *body = json_pack("{s:s, s:s}", "response", "declined", "reason",
                             "The case is held by another team");
    http_response *r = api_call("POST", path, invitee->token, body, "\"1\"");
    json_decref(body);
    cr_assert_eq(r->status, 200, "declining: %ld %s", r->status, r->body);
    http_free(r);
}

static void accept_invitation(const person *invitee, const char *invitation_id)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/invitations/%s/respond", invitation_id);
    json_t *body = json_pack("{s:s}", "response", "accepted");
    http_response *r = api_call("POST", path, invitee->token, body, "\"1\"");
    json_decref(body);
    cr_assert_eq(r->status, 200, "accepting: %ld %s", r->status, r->body);
    http_free(r);
}

/* Invites `invitee` with a response deadline of today; returns its id. */
static char *invite_due_today(const planned *p, const person *invitee)
{
    char day[11];
    today_ymd(day);
    json_t *body = invitation_body(invitee, "Share what your agency knows");
    json_object_set_new(body, "respond_by", json_string(day));
    http_response *r = invite(&p->requester, p->meeting_id, body);
    json_decref(body);
    cr_assert_eq(r->status, 201, "inviting: %ld %s", r->status, r->body);
    char *id = strdup(json_str(r->json, "id"));
    http_free(r);
    return id;
}

static void move_response_deadline_to_the_past(const char *invitation_id)
{
    char day[11];
    ymd_of(today() - 3, day);
    const char *params[] = {invitation_id, day};
    char *v = db_value("UPDATE invitations SET respond_by = $2::date WHERE id = $1"
                       " RETURNING 1",
                       2, params);
    cr_assert_str_eq(v, "1");
    free(v);
}

/* A family-notice decision as the manager; returns its id. */
static char *decide(const planned *p, bool inform)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/meetings/%s/consent-decisions", p->meeting_id);
    json_t *body = inform ? json_pack("{s:s}", "decision", "inform")
                          : json_pack("{s:s, s:[s], s:s}", "decision", "not_inform", "grounds",
                                      "significant_harm_if_known", "rationale",
                                      "Telling the family now could put the child at risk");
    http_response *r = api_call("POST", path, p->manager.token, body, NULL);
    json_decref(body);
    cr_assert_eq(r->status, 201, "deciding: %ld %s", r->status, r->body);
    cr_assert_str_eq(json_str(r->json, "status"), inform ? "effective" : "pending_agreement");
    char *id = strdup(json_str(r->json, "id"));
    http_free(r);
    return id;
}

static void disagree(const person *by, const char *decision_id)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/consent-decisions/%s/agreements", decision_id);
    json_t *body = json_pack("{s:b, s:s}", "agrees", 0, "comment",
                             "The family should know; the risk is overstated");
    http_response *r = api_call("POST", path, by->token, body, NULL);
    json_decref(body);
    cr_assert_eq(r->status, 201, "disagreeing: %ld %s", r->status, r->body);
    http_free(r);
}

/* Requests a meeting as `requester` and has `manager` decline it; returns its id. */
static char *declined_request(const person *requester, const person *manager)
{
    char *id = meeting_new(requester, "professionals");
    json_t *body = json_pack("{s:s}", "reason", "Needs can be met by a single agency");
    http_response *r = api_call("POST", meeting_path(id, "decline"), manager->token, body, "\"1\"");
    json_decref(body);
    cr_assert_eq(r->status, 200, "declining the request: %ld %s", r->status, r->body);
    cr_assert_str_eq(json_str(r->json, "status"), "declined");
    http_free(r);
    return id;
}

/* --- audit and feed --- */

static long audit_rows(const char *id, const char *action, const person *actor)
{
    const char *params[] = {id, action, actor->who.sub, actor->who.agency};
    return db_long("SELECT count(*) FROM audit_events WHERE resource_id = $1 AND action = $2"
                   " AND actor_sub = $3 AND actor_agency = $4 AND resource_type = 'escalation'"
                   " AND outcome = 'success' AND request_id <> ''",
                   4, params);
}

/* The event of this type about the resource on the integration's feed (a
 * new reference), or NULL; the feed is read to its end. */
static json_t *feed_find(const person *integration, const char *resource_id, const char *type)
{
    char *after = NULL;
    json_t *found = NULL;
    for (int pages = 0; pages < 1000; pages++) {
        char path[512];
        if (after)
            snprintf(path, sizeof path, "/v1/events?limit=200&after=%s", after);
        else
            snprintf(path, sizeof path, "/v1/events?limit=200");
        http_response *r = api_get(path, integration->token);
        cr_assert_eq(r->status, 200, "%s -> %ld %s", path, r->status, r->body);
        json_t *items = json_object_get(r->json, "items");
        size_t i;
        json_t *e;
        json_array_foreach(items, i, e) {
            const char *rid = json_str(e, "resource_id");
            const char *t = json_str(e, "type");
            if (!found && rid && t && strcmp(rid, resource_id) == 0 && strcmp(t, type) == 0)
                found = json_incref(e);
        }
        size_t got = json_array_size(items);
        const char *next = json_str(r->json, "next_cursor");
        free(after);
        after = next ? strdup(next) : NULL;
        http_free(r);
        if (got < 200 || !after)
            break;
    }
    free(after);
    return found;
}

/* The event reaches the feed (it is served once every earlier transaction
 * has ended, so a busy database may hold it back for a moment). */
static void expect_feed(const person *integration, const char *id, const char *type,
                        long version)
{
    for (int attempt = 0; attempt < 200; attempt++) {
        json_t *e = feed_find(integration, id, type);
        if (e) {
            expect_str(json_str(e, "agency"), integration->who.agency);
            expect_str(json_str(e, "resource_type"), "escalation");
            cr_assert_eq(json_int(e, "resource_version"), version, "version of %s", type);
            cr_assert(text_is_uuid(json_str(e, "id")), "event id");
            json_decref(e);
            return;
        }
        usleep(50000);
    }
    cr_assert_fail("%s about %s never reached the feed of %s", type, id,
                   integration->who.agency);
}

/* --- list --- */

static http_response *list(const person *by, const char *query)
{
    char path[512];
    snprintf(path, sizeof path, "/v1/escalations%s%s", query ? "?" : "", query ? query : "");
    return api_get(path, by->token);
}

/* The ids listed, comma-separated in order (a new string). */
static char *ids_of(const http_response *r)
{
    cr_assert_eq(r->status, 200, "listing: %ld %s", r->status, r->body);
    json_t *items = json_object_get(r->json, "items");
    cr_assert(json_is_array(items), "%s", r->body);
    size_t cap = 1 + 37 * (json_array_size(items) + 1);
    char *out = calloc(1, cap);
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item) {
        if (i)
            strcat(out, ",");
        strcat(out, json_str(item, "id"));
    }
    return out;
}

/* GET /v1/escalations?<query> as `by` lists exactly `want` (ids, newest first). */
static void expect_listed(const person *by, const char *query, const char *want)
{
    http_response *r = list(by, query);
    char *got = ids_of(r);
    cr_assert_str_eq(got, want, "?%s listed %s, expected %s", query ? query : "", got, want);
    free(got);
    http_free(r);
}

static char *joined(int n, ...)
{
    char *out = calloc(1, (size_t)n * 38 + 1);
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++) {
        if (i)
            strcat(out, ",");
        strcat(out, va_arg(ap, const char *));
    }
    va_end(ap);
    return out;
}

/* ====================== ESC-1: raising ====================== */

Test(escalations, ESC_1_raised_at_stage_1_with_its_due_date_and_timeline)
{
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);
    calendar cal;
    load_calendar(&p.requester, &cal);
    char due[11], day[11];
    stage_due_from_today(&cal, 1, due);
    today_ymd(day);

    snapshot before = snap(p.csc, p.police, NULL);
    http_response *r =
        raise_esc(&p.requester, esc_body(p.meeting_id, "concern_after_decision", p.police));
    cr_assert_eq(r->status, 201, "%s", r->body);
    const char *id = json_str(r->json, "id");
    cr_assert(text_is_uuid(id), "%s", r->body);
    char *esc = strdup(id);
    char *location = http_header(r, "Location");
    cr_assert(location, "a Location");
    cr_assert_str_eq(location, esc_path(esc, NULL));
    free(location);
    expect_etag(r, 1);
    expect_str(json_str(r->json, "meeting_id"), p.meeting_id);
    expect_str(json_str(r->json, "type"), "concern_after_decision");
    expect_str(json_str(r->json, "concern"),
               "The agreed plan is not being followed by the other agency");
    expect_str(json_str(r->json, "outcome_sought"), "A joint review of the plan within a week");
    expect_str(json_str(r->json, "with_agency"), p.police);
    json_t *by = json_object_get(r->json, "raised_by");
    expect_str(json_str(by, "sub"), p.requester.who.sub);
    expect_str(json_str(by, "name"), p.requester.who.name);
    expect_str(json_str(by, "agency"), p.csc);
    cr_assert(json_is_false(json_object_get(r->json, "immediate_risk")), "%s", r->body);
    cr_assert_eq(json_int(r->json, "stage"), 1);
    expect_str(json_str(r->json, "status"), "open");
    expect_str(json_str(r->json, "stage_started_on"), day);
    expect_str(json_str(r->json, "stage_due"), due);
    cr_assert(json_is_false(json_object_get(r->json, "overdue")), "%s", r->body);
    cr_assert(json_is_null(json_object_get(r->json, "outcome")), "%s", r->body);
    cr_assert(json_is_null(json_object_get(r->json, "invitation_id")), "%s", r->body);
    cr_assert(json_is_null(json_object_get(r->json, "consent_decision_id")), "%s", r->body);
    cr_assert(json_is_null(json_object_get(r->json, "declined_request_id")), "%s", r->body);
    cr_assert_eq(json_int(r->json, "version"), 1);
    cr_assert(text_is_timestamp(json_str(r->json, "created_at")), "%s", r->body);
    cr_assert_eq(json_array_size(json_object_get(r->json, "timeline")), 1, "%s", r->body);
    json_t *raised = timeline_at(r->json, 0);
    expect_entry(raised, 1, "raised", &p.requester, due);
    expect_str(json_str(raised, "text"),
               "The agreed plan is not being followed by the other agency");
    http_free(r);

    cr_assert_eq(count_escalations(before.agencies), before.escalations + 1);
    cr_assert_eq(count_escalation_events(before.agencies), before.events + 1);
    const char *params[] = {esc};
    char *row = db_value("SELECT raised_by_agency || '/' || with_agency || '/' || stage || '/' ||"
                         " status || '/' || version FROM escalations WHERE id = $1::uuid",
                         1, params);
    char want[128];
    snprintf(want, sizeof want, "%s/%s/1/open/1", p.csc, p.police);
    cr_assert_str_eq(row, want);
    free(row);

    /* the with_agency's practitioner reads the same */
    json_t *seen = esc_read(&p.police_officer, esc);
    expect_str(json_str(seen, "id"), esc);
    expect_str(json_str(seen, "stage_due"), due);
    json_decref(seen);

    snap_free(&before);
    free(esc);
    planned_free(&p);
}

Test(escalations, ESC_1_missing_members_refused)
{
    planned p;
    planned_authorised(&p, "professionals");
    snapshot s = snap(p.csc, p.police, NULL);
    http_response *r = raise_esc(&p.requester, json_object());
    expect_refusal(r, 422, "/problems/rule-violated", "ESC-1", "meeting_id");
    expect_rule(r, "ESC-1", "type");
    expect_rule(r, "ESC-1", "concern");
    expect_rule(r, "ESC-1", "outcome_sought");
    expect_rule(r, "ESC-1", "with_agency");
    http_free(r);
    expect_same(&s);

    /* a blank concern is no concern */
    s = snap(p.csc, p.police, NULL);
    json_t *body = esc_body(p.meeting_id, "concern_after_decision", p.police);
    json_object_set_new(body, "concern", json_string("   "));
    r = raise_esc(&p.requester, body);
    expect_refusal(r, 422, "/problems/rule-violated", "ESC-1", "concern");
    http_free(r);
    expect_same(&s);

    /* a type that is not one of the six */
    s = snap(p.csc, p.police, NULL);
    r = raise_esc(&p.requester, esc_body(p.meeting_id, "general_grumble", p.police));
    expect_refusal(r, 422, "/problems/rule-violated", "ESC-1", "type");
    http_free(r);
    expect_same(&s);
    planned_free(&p);
}

Test(escalations, SEC_6_malformed_escalation_refused_with_400)
{
    planned p;
    planned_authorised(&p, "professionals");
    struct {
        const char *member;
        json_t *value;
    } cases[] = {
        {"meeting_id", json_string("not-a-uuid")},
        {"with_agency", json_string("lower case")},
        {"immediate_risk", json_string("yes")},
        {"invitation_id", json_integer(7)},
        {"stage", json_integer(4)},      /* read-only */
        {"status", json_string("open")}, /* read-only */
        {"colour", json_string("red")},  /* unknown */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snapshot s = snap(p.csc, p.police, NULL);
        json_t *body = esc_body(p.meeting_id, "concern_after_decision", p.police);
        json_object_set_new(body, cases[i].member, cases[i].value);
        http_response *r = raise_esc(&p.requester, body);
        expect_refusal(r, 400, "/problems/invalid-request", NULL, cases[i].member);
        http_free(r);
        expect_same(&s);
    }
    planned_free(&p);
}

Test(escalations, SEC_3_roles_without_casework_do_not_raise_escalations)
{
    planned p;
    planned_authorised(&p, "professionals");
    const char *roles[] = {"partnership", "integration", "auditor", "admin"};
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
        person who = person_new(p.csc, roles[i]);
        snapshot s = snap(p.csc, p.police, NULL);
        http_response *r =
            raise_esc(&who, esc_body(p.meeting_id, "concern_after_decision", p.police));
        expect_refusal(r, 403, "/problems/forbidden", NULL, NULL);
        http_free(r);
        expect_same(&s);
        person_free(&who);
    }
    planned_free(&p);
}

Test(escalations, ESC_1_with_own_agency_refused)
{
    planned p;
    planned_authorised(&p, "professionals");
    snapshot s = snap(p.csc, p.police, NULL);
    http_response *r =
        raise_esc(&p.requester, esc_body(p.meeting_id, "concern_after_decision", p.csc));
    expect_refusal(r, 422, "/problems/rule-violated", "ESC-1", "with_agency");
    http_free(r);
    expect_same(&s);
    planned_free(&p);
}

Test(escalations, ESC_1_unknown_or_inactive_agency_refused)
{
    planned p;
    planned_authorised(&p, "professionals");
    char suffix[17], code[40];
    unique_suffix(suffix, sizeof suffix);
    for (char *c = suffix; *c; c++)
        if (*c >= 'a' && *c <= 'z')
            *c = (char)(*c - 'a' + 'A');
    snprintf(code, sizeof code, "TNOSUCH%.8s", suffix);

    snapshot s = snap(p.csc, p.police, NULL);
    http_response *r =
        raise_esc(&p.requester, esc_body(p.meeting_id, "concern_after_decision", code));
    expect_refusal(r, 422, "/problems/rule-violated", "ESC-1", "with_agency");
    http_free(r);
    expect_same(&s);
    const char *params[] = {code};
    cr_assert_eq(db_long("SELECT count(*) FROM escalations WHERE with_agency = $1", 1, params),
                 0);

    /* an agency no longer active in the directory */
    char *gone = agency_new("housing");
    person admin = person_new("ADMIN", "admin");
    char path[128];
    snprintf(path, sizeof path, "/v1/agencies/%s", gone);
    json_t *patch = json_pack("{s:b}", "active", 0);
    r = api_call("PATCH", path, admin.token, patch, "\"1\"");
    json_decref(patch);
    cr_assert_eq(r->status, 200, "deactivating: %ld %s", r->status, r->body);
    http_free(r);
    s = snap(p.csc, p.police, gone, NULL);
    r = raise_esc(&p.requester, esc_body(p.meeting_id, "concern_after_decision", gone));
    expect_refusal(r, 422, "/problems/rule-violated", "ESC-1", "with_agency");
    http_free(r);
    expect_same(&s);
    free(gone);
    person_free(&admin);
    planned_free(&p);
}

Test(escalations, ESC_1_meeting_not_visible_to_the_raiser_refused)
{
    planned p;
    planned_authorised(&p, "professionals");
    /* a practitioner of a third agency, not invited */
    char *third = agency_new("education");
    person teacher = person_new(third, "practitioner");

    snapshot s = snap(p.csc, p.police, third, NULL);
    http_response *r =
        raise_esc(&teacher, esc_body(p.meeting_id, "concern_after_decision", p.police));
    expect_refusal(r, 422, "/problems/rule-violated", "ESC-1", "meeting_id");
    http_free(r);
    expect_same(&s);

    /* the police officer is not invited yet either */
    s = snap(p.csc, p.police, NULL);
    r = raise_esc(&p.police_officer, esc_body(p.meeting_id, "concern_after_decision", p.csc));
    expect_refusal(r, 422, "/problems/rule-violated", "ESC-1", "meeting_id");
    http_free(r);
    expect_same(&s);

    /* nor is a meeting that does not exist */
    char missing[37];
    char *uuid = db_value("SELECT gen_random_uuid()::text", 0, NULL);
    snprintf(missing, sizeof missing, "%s", uuid);
    free(uuid);
    s = snap(p.csc, p.police, NULL);
    r = raise_esc(&p.requester, esc_body(missing, "concern_after_decision", p.police));
    expect_refusal(r, 422, "/problems/rule-violated", "ESC-1", "meeting_id");
    http_free(r);
    expect_same(&s);

    /* once invited, the police officer may raise one about it */
    planned_invite_agencies(&p);
    char *id = raise_ok(&p.police_officer,
                        esc_body(p.meeting_id, "concern_after_decision", p.csc));
    free(id);
    free(third);
    person_free(&teacher);
    planned_free(&p);
}

Test(escalations, ESC_1_references_of_the_wrong_type_refused)
{
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);
    decline_invitation(&p.health_visitor, p.health_invitation);
    char *decision = decide(&p, false);
    disagree(&p.police_officer, decision);
    char *declined = declined_request(&p.requester, &p.manager);

    /* each reference belongs to one type only */
    struct {
        const char *type;
        const char *member;
        const char *value;
    } cases[] = {
        {"concern_after_decision", "invitation_id", p.health_invitation},
        {"concern_after_decision", "consent_decision_id", decision},
        {"concern_after_decision", "declined_request_id", declined},
        {"family_notice_disagreement", "invitation_id", p.health_invitation},
        {"lack_of_engagement", "declined_request_id", declined},
        {"disagreement_about_need_for_meeting", "consent_decision_id", decision},
        {"action_plan_not_implemented", "invitation_id", p.health_invitation},
        {"referral_response_disagreement", "consent_decision_id", decision},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snapshot s = snap(p.csc, p.police, NULL);
        json_t *body = esc_body(p.meeting_id, cases[i].type, p.police);
        json_object_set_new(body, cases[i].member, json_string(cases[i].value));
        http_response *r = raise_esc(&p.requester, body);
        expect_refusal(r, 422, "/problems/rule-violated", "ESC-1", cases[i].member);
        http_free(r);
        expect_same(&s);
    }
    free(decision);
    free(declined);
    planned_free(&p);
}

/* ====================== INV-7: lack of engagement ====================== */

/* A lack_of_engagement escalation about the invitation, by the requester. */
static json_t *engagement_body(const planned *p, const char *invitation_id, const char *with)
{
    json_t *body = esc_body(p->meeting_id, "lack_of_engagement", with);
    if (invitation_id)
        json_object_set_new(body, "invitation_id", json_string(invitation_id));
    return body;
}

Test(escalations, INV_7_lack_of_engagement_accepted_invitation_refused)
{
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);
    accept_invitation(&p.police_officer, p.police_invitation);
    snapshot s = snap(p.csc, p.police, NULL);
    http_response *r = raise_esc(&p.requester, engagement_body(&p, p.police_invitation, p.police));
    expect_refusal(r, 422, "/problems/rule-violated", "INV-7", "invitation_id");
    http_free(r);
    expect_same(&s);
    planned_free(&p);
}

/* Accepted, and then the meeting is scheduled and the police invitation
 * marked `police_mark` (health present). */
static void accepted_then_marked(planned *p, const char *police_mark)
{
    planned_authorised(p, "professionals");
    planned_invite_agencies(p);
    accept_invitation(&p->police_officer, p->police_invitation);
    planned_inform_family(p);
    planned_schedule(p, 3600, "in_person", 0);
    json_t *body = json_pack("{s:[{s:s, s:s}, {s:s, s:s}]}", "entries", "invitation_id",
                             p->police_invitation, "attendance", police_mark, "invitation_id",
                             p->health_invitation, "attendance", "present");
    http_response *r = api_call("PUT", meeting_path(p->meeting_id, "attendance"),
                                p->requester.token, body, etag_of(p->version));
    json_decref(body);
    cr_assert_eq(r->status, 200, "marking attendance: %ld %s", r->status, r->body);
    p->version = json_int(r->json, "version");
    http_free(r);
}

Test(escalations, INV_7_lack_of_engagement_accepted_then_absent_accepted)
{
    planned p;
    accepted_then_marked(&p, "absent");
    http_response *r = raise_esc(&p.requester, engagement_body(&p, p.police_invitation, p.police));
    cr_assert_eq(r->status, 201, "%s", r->body);
    expect_str(json_str(r->json, "type"), "lack_of_engagement");
    expect_str(json_str(r->json, "invitation_id"), p.police_invitation);
    char *id = strdup(json_str(r->json, "id"));
    http_free(r);
    cr_assert_eq(audit_rows(id, "escalation.create", &p.requester), 1);
    free(id);
    planned_free(&p);
}

Test(escalations, INV_7_lack_of_engagement_accepted_then_present_or_apologies_refused)
{
    const char *marks[] = {"present", "apologies"};
    for (size_t i = 0; i < 2; i++) {
        planned p;
        accepted_then_marked(&p, marks[i]);
        snapshot s = snap(p.csc, p.police, NULL);
        http_response *r =
            raise_esc(&p.requester, engagement_body(&p, p.police_invitation, p.police));
        expect_refusal(r, 422, "/problems/rule-violated", "INV-7", "invitation_id");
        http_free(r);
        expect_same(&s);
        planned_free(&p);
    }
}

Test(escalations, INV_7_lack_of_engagement_invitation_within_its_deadline_refused)
{
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p); /* respond_by three working days away */
    snapshot s = snap(p.csc, p.police, NULL);
    http_response *r = raise_esc(&p.requester, engagement_body(&p, p.police_invitation, p.police));
    expect_refusal(r, 422, "/problems/rule-violated", "INV-7", "invitation_id");
    http_free(r);
    expect_same(&s);

    /* a deadline of today has not passed yet */
    person nurse = person_new(p.health, "practitioner");
    char *due_today = invite_due_today(&p, &nurse);
    s = snap(p.csc, p.health, NULL);
    r = raise_esc(&p.requester, engagement_body(&p, due_today, p.health));
    expect_refusal(r, 422, "/problems/rule-violated", "INV-7", "invitation_id");
    http_free(r);
    expect_same(&s);
    free(due_today);
    person_free(&nurse);
    planned_free(&p);
}

Test(escalations, INV_7_lack_of_engagement_apologies_or_a_late_answer_refused)
{
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);

    /* apologies are an answer, not a refusal to engage */
    char path[128];
    snprintf(path, sizeof path, "/v1/invitations/%s/respond", p.health_invitation);
    json_t *body = json_pack("{s:s}", "response", "apologies");
    http_response *r = api_call("POST", path, p.health_visitor.token, body, "\"1\"");
    json_decref(body);
    cr_assert_eq(r->status, 200, "sending apologies: %ld %s", r->status, r->body);
    http_free(r);
    snapshot s = snap(p.csc, p.health, NULL);
    r = raise_esc(&p.requester, engagement_body(&p, p.health_invitation, p.health));
    expect_refusal(r, 422, "/problems/rule-violated", "INV-7", "invitation_id");
    http_free(r);
    expect_same(&s);

    /* an invitation answered (accepted) and whose deadline has since passed */
    person officer = person_new(p.police, "practitioner");
    char *late = invite_due_today(&p, &officer);
    accept_invitation(&officer, late);
    move_response_deadline_to_the_past(late);
    s = snap(p.csc, p.police, NULL);
    r = raise_esc(&p.requester, engagement_body(&p, late, p.police));
    expect_refusal(r, 422, "/problems/rule-violated", "INV-7", "invitation_id");
    http_free(r);
    expect_same(&s);
    free(late);
    person_free(&officer);
    planned_free(&p);
}

Test(escalations, INV_7_lack_of_engagement_declined_invitation_accepted)
{
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);
    decline_invitation(&p.police_officer, p.police_invitation);
    http_response *r = raise_esc(&p.requester, engagement_body(&p, p.police_invitation, p.police));
    cr_assert_eq(r->status, 201, "%s", r->body);
    expect_str(json_str(r->json, "type"), "lack_of_engagement");
    expect_str(json_str(r->json, "invitation_id"), p.police_invitation);
    cr_assert_eq(json_int(r->json, "stage"), 1);
    http_free(r);
    planned_free(&p);
}

Test(escalations, INV_7_lack_of_engagement_unanswered_past_its_deadline_accepted)
{
    planned p;
    planned_authorised(&p, "professionals");
    person officer = person_new(p.police, "practitioner");
    char *invitation = invite_due_today(&p, &officer);
    move_response_deadline_to_the_past(invitation);
    http_response *r = raise_esc(&p.requester, engagement_body(&p, invitation, p.police));
    cr_assert_eq(r->status, 201, "%s", r->body);
    expect_str(json_str(r->json, "invitation_id"), invitation);
    http_free(r);
    free(invitation);
    person_free(&officer);
    planned_free(&p);
}

Test(escalations, INV_7_lack_of_engagement_without_invitation_refused)
{
    planned p;
    planned_authorised(&p, "professionals");
    snapshot s = snap(p.csc, p.police, NULL);
    http_response *r = raise_esc(&p.requester, engagement_body(&p, NULL, p.police));
    expect_refusal(r, 422, "/problems/rule-violated", "INV-7", "invitation_id");
    http_free(r);
    expect_same(&s);

    /* nor one that does not exist */
    char *uuid = db_value("SELECT gen_random_uuid()::text", 0, NULL);
    s = snap(p.csc, p.police, NULL);
    r = raise_esc(&p.requester, engagement_body(&p, uuid, p.police));
    expect_refusal(r, 422, "/problems/rule-violated", "INV-7", "invitation_id");
    http_free(r);
    expect_same(&s);
    free(uuid);
    planned_free(&p);
}

Test(escalations, INV_7_lack_of_engagement_invitation_of_another_meeting_refused)
{
    planned p, other;
    planned_authorised(&p, "professionals");
    planned_authorised(&other, "professionals");
    planned_invite_agencies(&other);
    decline_invitation(&other.police_officer, other.police_invitation);

    /* declined, but to another meeting */
    snapshot s = snap(p.csc, p.police, other.police, NULL);
    http_response *r =
        raise_esc(&p.requester, engagement_body(&p, other.police_invitation, p.police));
    expect_refusal(r, 422, "/problems/rule-violated", "INV-7", "invitation_id");
    http_free(r);
    expect_same(&s);
    planned_free(&p);
    planned_free(&other);
}

/* ====================== FAM-2: disputed family-notice decisions ====================== */

static json_t *notice_body(const planned *p, const char *decision_id, const char *with)
{
    json_t *body = esc_body(p->meeting_id, "family_notice_disagreement", with);
    if (decision_id)
        json_object_set_new(body, "consent_decision_id", json_string(decision_id));
    return body;
}

Test(escalations, FAM_2_family_notice_disagreement_pending_decision_refused)
{
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);
    char *decision = decide(&p, false);
    snapshot s = snap(p.csc, p.police, NULL);
    http_response *r = raise_esc(&p.police_officer, notice_body(&p, decision, p.csc));
    expect_refusal(r, 422, "/problems/rule-violated", "FAM-2", "consent_decision_id");
    http_free(r);
    expect_same(&s);

    /* nor once every invited agency has agreed */
    char path[128];
    snprintf(path, sizeof path, "/v1/consent-decisions/%s/agreements", decision);
    const person *both[] = {&p.police_officer, &p.health_visitor};
    for (int i = 0; i < 2; i++) {
        json_t *body = json_pack("{s:b}", "agrees", 1);
        r = api_call("POST", path, both[i]->token, body, NULL);
        json_decref(body);
        cr_assert_eq(r->status, 201, "agreeing: %s", r->body);
        http_free(r);
    }
    s = snap(p.csc, p.police, NULL);
    r = raise_esc(&p.police_officer, notice_body(&p, decision, p.csc));
    expect_refusal(r, 422, "/problems/rule-violated", "FAM-2", "consent_decision_id");
    http_free(r);
    expect_same(&s);
    free(decision);
    planned_free(&p);
}

Test(escalations, FAM_2_family_notice_disagreement_inform_decision_refused)
{
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);
    char *decision = decide(&p, true);
    snapshot s = snap(p.csc, p.police, NULL);
    http_response *r = raise_esc(&p.police_officer, notice_body(&p, decision, p.csc));
    expect_refusal(r, 422, "/problems/rule-violated", "FAM-2", "consent_decision_id");
    http_free(r);
    expect_same(&s);
    free(decision);
    planned_free(&p);
}

Test(escalations, FAM_2_family_notice_disagreement_disputed_decision_accepted)
{
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);
    char *decision = decide(&p, false);
    disagree(&p.police_officer, decision);

    /* without naming the decision */
    snapshot s = snap(p.csc, p.police, NULL);
    http_response *r = raise_esc(&p.police_officer, notice_body(&p, NULL, p.csc));
    expect_refusal(r, 422, "/problems/rule-violated", "FAM-2", "consent_decision_id");
    http_free(r);
    expect_same(&s);

    /* a disputed decision of another meeting */
    planned other;
    planned_authorised(&other, "professionals");
    planned_invite_agencies(&other);
    char *elsewhere = decide(&other, false);
    disagree(&other.police_officer, elsewhere);
    s = snap(p.csc, p.police, NULL);
    r = raise_esc(&p.police_officer, notice_body(&p, elsewhere, p.csc));
    expect_refusal(r, 422, "/problems/rule-violated", "FAM-2", "consent_decision_id");
    http_free(r);
    expect_same(&s);

    /* the disagreeing agency escalates it, with the convening agency */
    r = raise_esc(&p.police_officer, notice_body(&p, decision, p.csc));
    cr_assert_eq(r->status, 201, "%s", r->body);
    expect_str(json_str(r->json, "type"), "family_notice_disagreement");
    expect_str(json_str(r->json, "consent_decision_id"), decision);
    expect_str(json_str(json_object_get(r->json, "raised_by"), "agency"), p.police);
    expect_str(json_str(r->json, "with_agency"), p.csc);
    char *id = strdup(json_str(r->json, "id"));
    http_free(r);
    /* the convening agency's practitioner sees it */
    json_t *seen = esc_read(&p.requester, id);
    json_decref(seen);
    free(id);
    free(decision);
    free(elsewhere);
    planned_free(&other);
    planned_free(&p);
}

/* ====================== ESC-1: declined requests ====================== */

Test(escalations, ESC_1_disagreement_about_need_for_meeting_needs_a_declined_request)
{
    planned p;
    planned_authorised(&p, "professionals");
    char *declined = declined_request(&p.requester, &p.manager);
    char *requested = meeting_new(&p.requester, "professionals");

    struct {
        const char *meeting;
        const char *reference; /* NULL: none named */
    } refused[] = {
        {declined, NULL},              /* none named */
        {requested, requested},        /* still requested */
        {p.meeting_id, p.meeting_id},  /* authorised */
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        snapshot s = snap(p.csc, p.police, NULL);
        json_t *body =
            esc_body(refused[i].meeting, "disagreement_about_need_for_meeting", p.police);
        if (refused[i].reference)
            json_object_set_new(body, "declined_request_id", json_string(refused[i].reference));
        http_response *r = raise_esc(&p.requester, body);
        expect_refusal(r, 422, "/problems/rule-violated", "ESC-1", "declined_request_id");
        http_free(r);
        expect_same(&s);
    }

    /* a declined request the raiser cannot see */
    char *elsewhere = agency_new("childrens_social_care");
    person other_requester = person_new(elsewhere, "practitioner");
    person other_manager = person_new(elsewhere, "manager");
    char *hidden = declined_request(&other_requester, &other_manager);
    snapshot s = snap(p.csc, p.police, elsewhere, NULL);
    json_t *body = esc_body(p.meeting_id, "disagreement_about_need_for_meeting", p.police);
    json_object_set_new(body, "declined_request_id", json_string(hidden));
    http_response *r = raise_esc(&p.requester, body);
    expect_refusal(r, 422, "/problems/rule-violated", "ESC-1", "declined_request_id");
    http_free(r);
    expect_same(&s);

    /* the declined request itself, disputed by its requester with their own agency,
     * whose manager declined it (ESC-1) */
    body = esc_body(declined, "disagreement_about_need_for_meeting", p.csc);
    json_object_set_new(body, "declined_request_id", json_string(declined));
    r = raise_esc(&p.requester, body);
    cr_assert_eq(r->status, 201, "%s", r->body);
    expect_str(json_str(r->json, "declined_request_id"), declined);
    expect_str(json_str(r->json, "meeting_id"), declined);
    http_free(r);

    free(declined);
    free(requested);
    free(hidden);
    free(elsewhere);
    person_free(&other_requester);
    person_free(&other_manager);
    planned_free(&p);
}

Test(escalations, ESC_1_requester_escalates_their_managers_decline)
{
    planned p;
    planned_authorised(&p, "professionals");
    char *declined = declined_request(&p.requester, &p.manager);

    /* not with another agency: the decline was their own agency's */
    snapshot s = snap(p.csc, p.police, NULL);
    json_t *body = esc_body(declined, "disagreement_about_need_for_meeting", p.police);
    json_object_set_new(body, "declined_request_id", json_string(declined));
    http_response *r = raise_esc(&p.requester, body);
    expect_refusal(r, 422, "/problems/rule-violated", "ESC-1", "with_agency");
    cr_assert(strstr(r->body, p.csc), "the message names the agency to escalate with: %s",
              r->body);
    http_free(r);
    expect_same(&s);

    body = esc_body(declined, "disagreement_about_need_for_meeting", p.csc);
    json_object_set_new(body, "declined_request_id", json_string(declined));
    r = raise_esc(&p.requester, body);
    cr_assert_eq(r->status, 201, "%s", r->body);
    expect_str(json_str(r->json, "with_agency"), p.csc);
    expect_str(json_str(json_object_get(r->json, "raised_by"), "agency"), p.csc);
    cr_assert_eq(json_int(r->json, "stage"), 1);
    char *id = strdup(json_str(r->json, "id"));
    http_free(r);
    cr_assert_eq(audit_rows(id, "escalation.create", &p.requester), 1);
    const char *params[] = {id};
    cr_assert_eq(db_long("SELECT count(*) FROM events WHERE resource_id = $1"
                         " AND type = 'escalation.raised'", 1, params), 1,
                 "one agency involved, one feed");

    /* the manager who declined it sees it and answers for their agency at stage 2 */
    r = api_get(esc_path(id, NULL), p.manager.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);

    free(id);
    free(declined);
    planned_free(&p);
}

Test(escalations, ESC_1_convening_manager_cannot_escalate_the_decline)
{
    planned p;
    planned_authorised(&p, "professionals");
    char *declined = declined_request(&p.requester, &p.manager);
    person colleague = person_new(p.csc, "manager");

    /* a manager of the convening agency is neither its requester nor invited to it */
    const char *with[] = {p.police, p.csc};
    for (size_t i = 0; i < 2; i++) {
        snapshot s = snap(p.csc, p.police, NULL);
        json_t *body = esc_body(declined, "disagreement_about_need_for_meeting", with[i]);
        json_object_set_new(body, "declined_request_id", json_string(declined));
        http_response *r = raise_esc(&colleague, body);
        expect_refusal(r, 422, "/problems/rule-violated", "ESC-1", "declined_request_id");
        http_free(r);
        expect_same(&s);
    }

    free(declined);
    person_free(&colleague);
    planned_free(&p);
}

/* ====================== ESC-2 / ESC-3: the stages ====================== */

Test(escalations, ESC_2_ESC_3_full_walk_from_stage_1_to_4)
{
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);
    person police_manager = person_new(p.police, "manager");
    person police_senior = person_new(p.police, "senior_manager");
    person police_senior_practitioner = person_new(p.police, "senior_practitioner");
    person csc_manager = person_new(p.csc, "manager");
    char *partnership_agency = agency_new("other");
    person partnership = person_new(partnership_agency, "partnership");
    calendar cal;
    load_calendar(&p.requester, &cal);
    char due[11];

    char *id = raise_with_police(&p);

    /* stage 1: practitioners; a manager is not the one to answer */
    expect_wrong_responder(&police_manager, id, p.csc, p.police);
    expect_wrong_responder(&csc_manager, id, p.csc, p.police);
    respond_ok(&p.police_officer, id, 2);

    char *got = escalate_ok(&p.requester, id, 2, 2);
    stage_due_from_today(&cal, 2, due);
    cr_assert_str_eq(got, due, "stage 2 due in %d working days", stage_days[1]);
    free(got);
    char day[11];
    today_ymd(day);
    const char *started_params[] = {id};
    char *started = db_value("SELECT to_char(stage_started_on, 'YYYY-MM-DD') || '/' ||"
                             " to_char(stage_due, 'YYYY-MM-DD') FROM escalations"
                             " WHERE id = $1::uuid",
                             1, started_params);
    char want_started[32];
    snprintf(want_started, sizeof want_started, "%s/%s", day, due);
    cr_assert_str_eq(started, want_started);
    free(started);

    /* stage 2: line managers */
    expect_wrong_responder(&p.police_officer, id, p.csc, p.police);
    expect_wrong_responder(&police_senior_practitioner, id, p.csc, p.police);
    respond_ok(&police_manager, id, 4);

    got = escalate_ok(&p.requester, id, 4, 3);
    stage_due_from_today(&cal, 3, due);
    cr_assert_str_eq(got, due, "stage 3 due in %d working days", stage_days[2]);
    free(got);

    /* stage 3: senior managers */
    expect_wrong_responder(&police_manager, id, p.csc, p.police);
    expect_wrong_responder(&p.police_officer, id, p.csc, p.police);
    expect_hidden(&partnership, id, p.csc, p.police);
    respond_ok(&police_senior, id, 6);

    got = escalate_ok(&p.requester, id, 6, 4);
    stage_due_from_today(&cal, 4, due);
    cr_assert_str_eq(got, due, "stage 4 due in %d working days", stage_days[3]);
    free(got);

    /* stage 4: the safeguarding partnership */
    expect_wrong_responder(&police_senior, id, p.csc, p.police);
    expect_wrong_responder(&police_manager, id, p.csc, p.police);
    respond_ok(&partnership, id, 8);

    /* stage 4 is the last */
    snapshot s = snap(p.csc, p.police, partnership_agency, NULL);
    http_response *r = escalate(&p.requester, id, etag_of(8));
    expect_refusal(r, 409, "/problems/invalid-state", "ESC-3", NULL);
    http_free(r);
    expect_same(&s);

    /* the whole story, in order */
    char d2[11], d3[11], d4[11], d1[11];
    stage_due_from_today(&cal, 1, d1);
    stage_due_from_today(&cal, 2, d2);
    stage_due_from_today(&cal, 3, d3);
    stage_due_from_today(&cal, 4, d4);
    json_t *e = esc_read(&p.requester, id);
    cr_assert_eq(json_int(e, "stage"), 4);
    cr_assert_eq(json_int(e, "version"), 8);
    expect_str(json_str(e, "status"), "open");
    expect_str(json_str(e, "stage_due"), d4);
    cr_assert_eq(json_array_size(json_object_get(e, "timeline")), 8);
    expect_entry(timeline_at(e, 0), 1, "raised", &p.requester, d1);
    expect_entry(timeline_at(e, 1), 1, "response", &p.police_officer, NULL);
    expect_str(json_str(timeline_at(e, 1), "text"), "We have looked again at our part in the plan");
    expect_entry(timeline_at(e, 2), 2, "escalated", &p.requester, d2);
    expect_entry(timeline_at(e, 3), 2, "response", &police_manager, NULL);
    expect_entry(timeline_at(e, 4), 3, "escalated", &p.requester, d3);
    expect_entry(timeline_at(e, 5), 3, "response", &police_senior, NULL);
    expect_entry(timeline_at(e, 6), 4, "escalated", &p.requester, d4);
    expect_entry(timeline_at(e, 7), 4, "response", &partnership, NULL);
    json_decref(e);
    const char *params[] = {id};
    cr_assert_eq(db_long("SELECT count(*) FROM escalation_events WHERE escalation_id = $1::uuid",
                         1, params),
                 8);

    /* the partnership, the current stage's responder, records the outcome */
    r = resolve(&partnership, id, "A joint plan was agreed at the partnership's review", "\"8\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    expect_str(json_str(r->json, "status"), "resolved");
    expect_str(json_str(json_object_get(r->json, "closed_by"), "sub"), partnership.who.sub);
    http_free(r);

    free(id);
    free(partnership_agency);
    person_free(&police_manager);
    person_free(&police_senior);
    person_free(&police_senior_practitioner);
    person_free(&csc_manager);
    person_free(&partnership);
    planned_free(&p);
}

Test(escalations, ESC_2_both_agencies_answer_at_their_stage)
{
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);
    person csc_colleague = person_new(p.csc, "practitioner");
    person named_doctor = person_new(p.police, "named_doctor");
    person csc_manager = person_new(p.csc, "manager");
    char *id = raise_with_police(&p);

    /* at stage 1 practitioners (and named doctors) of either agency */
    respond_ok(&csc_colleague, id, 2);
    respond_ok(&named_doctor, id, 3);
    /* the health visitor is invited to the meeting but not involved */
    snapshot s = snap(p.csc, p.police, p.health, NULL);
    http_response *r = respond_esc(&p.health_visitor, id, "Not our disagreement");
    expect_refusal(r, 404, "/problems/not-found", NULL, NULL);
    http_free(r);
    expect_same(&s);

    free(escalate_ok(&p.requester, id, 3, 2));
    /* at stage 2 a manager of the raiser's agency too */
    respond_ok(&csc_manager, id, 5);

    /* a response needs its text */
    s = snap(p.csc, p.police, NULL);
    json_t *body = json_object();
    r = api_call("POST", esc_path(id, "responses"), csc_manager.token, body, NULL);
    json_decref(body);
    expect_refusal(r, 422, "/problems/rule-violated", "ESC-4", "text");
    http_free(r);
    expect_same(&s);
    s = snap(p.csc, p.police, NULL);
    body = json_pack("{s:s, s:s}", "text", "Fine", "stage", "3");
    r = api_call("POST", esc_path(id, "responses"), csc_manager.token, body, NULL);
    json_decref(body);
    expect_refusal(r, 400, "/problems/invalid-request", NULL, "stage");
    http_free(r);
    expect_same(&s);

    free(id);
    person_free(&csc_colleague);
    person_free(&named_doctor);
    person_free(&csc_manager);
    planned_free(&p);
}

Test(escalations, ESC_3_only_the_raiser_escalates)
{
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);
    person csc_colleague = person_new(p.csc, "practitioner");
    char *id = raise_with_police(&p);

    const person *others[] = {&p.police_officer, &p.manager, &csc_colleague};
    for (size_t i = 0; i < 3; i++) {
        snapshot s = snap(p.csc, p.police, NULL);
        http_response *r = escalate(others[i], id, etag_of(1));
        expect_refusal(r, 403, "/problems/forbidden", "ESC-3", NULL);
        http_free(r);
        expect_same(&s);
    }
    cr_assert_eq(stored_version(id), 1);

    /* escalate takes no members */
    snapshot s = snap(p.csc, p.police, NULL);
    json_t *body = json_pack("{s:i}", "stage", 4);
    http_response *r = api_call("POST", esc_path(id, "escalate"), p.requester.token, body,
                                etag_of(1));
    json_decref(body);
    expect_refusal(r, 400, "/problems/invalid-request", NULL, NULL);
    http_free(r);
    expect_same(&s);

    free(escalate_ok(&p.requester, id, 1, 2));
    free(id);
    person_free(&csc_colleague);
    planned_free(&p);
}

Test(escalations, ESC_3_immediate_risk_starts_at_stage_3)
{
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);
    person police_senior = person_new(p.police, "senior_manager");
    calendar cal;
    load_calendar(&p.requester, &cal);
    char due3[11], due4[11], day[11];
    stage_due_from_today(&cal, 3, due3);
    stage_due_from_today(&cal, 4, due4);
    today_ymd(day);

    json_t *body = esc_body(p.meeting_id, "concern_after_decision", p.police);
    json_object_set_new(body, "immediate_risk", json_true());
    http_response *r = raise_esc(&p.requester, body);
    cr_assert_eq(r->status, 201, "%s", r->body);
    cr_assert(json_is_true(json_object_get(r->json, "immediate_risk")), "%s", r->body);
    cr_assert_eq(json_int(r->json, "stage"), 3, "%s", r->body);
    expect_str(json_str(r->json, "stage_due"), due3);
    expect_str(json_str(r->json, "stage_started_on"), day);
    expect_entry(timeline_at(r->json, 0), 3, "raised", &p.requester, due3);
    char *id = strdup(json_str(r->json, "id"));
    http_free(r);

    /* senior managers see it and answer at once; practitioners do not answer */
    json_t *seen = esc_read(&police_senior, id);
    json_decref(seen);
    expect_wrong_responder(&p.police_officer, id, p.csc, p.police);
    respond_ok(&police_senior, id, 2);

    char *got = escalate_ok(&p.requester, id, 2, 4);
    cr_assert_str_eq(got, due4);
    free(got);

    /* immediate_risk false starts at stage 1 */
    body = esc_body(p.meeting_id, "concern_after_decision", p.police);
    json_object_set_new(body, "immediate_risk", json_false());
    r = raise_esc(&p.requester, body);
    cr_assert_eq(r->status, 201, "%s", r->body);
    cr_assert_eq(json_int(r->json, "stage"), 1, "%s", r->body);
    http_free(r);

    free(id);
    person_free(&police_senior);
    planned_free(&p);
}

Test(escalations, ESC_2_due_dates_count_working_days_and_overdue_is_listed)
{
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);
    calendar cal;
    load_calendar(&p.requester, &cal);

    /* the seeded holidays are in the calendar the service serves, and the
     * count here steps over them: from Wednesday 23 December 2026, five
     * working days skip Christmas Day (Fri), Boxing Day's substitute (Mon
     * 28) and New Year's Day (Fri 1 January 2027); ten from Friday 18
     * December land on Wednesday 6 January. Today's window may hold none
     * (today + 10 working days is what the service is asked for), so this
     * proves the count the service is compared with below. */
    cr_assert(is_holiday(&cal, day_of("2026-12-25")), "2026-12-25 is a bank holiday");
    cr_assert(is_holiday(&cal, day_of("2026-12-28")), "2026-12-28 is a bank holiday");
    cr_assert(is_holiday(&cal, day_of("2027-01-01")), "2027-01-01 is a bank holiday");
    char check[11];
    ymd_of(add_working_days(&cal, day_of("2026-12-23"), 5), check);
    cr_assert_str_eq(check, "2027-01-04");
    ymd_of(add_working_days(&cal, day_of("2026-12-18"), 10), check);
    cr_assert_str_eq(check, "2027-01-06");

    /* a new escalation is due today + 5 working days, holidays counted
     * (whenever the window holds one) */
    char due[11];
    stage_due_from_today(&cal, 1, due);
    char *late = raise_with_police(&p);
    char *on_time = raise_with_police(&p);
    char *closed = raise_with_police(&p);
    json_t *e = esc_read(&p.requester, late);
    expect_str(json_str(e, "stage_due"), due);
    json_decref(e);

    /* one due yesterday, one due today, one overdue but resolved */
    move_stage_due(late, -1);
    move_stage_due(on_time, 0);
    move_stage_due(closed, -1);
    http_response *r = resolve(&p.requester, closed, "Sorted out by phone", "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);

    char query[256];
    snprintf(query, sizeof query, "overdue=true&agency=%s", p.police);
    expect_listed(&p.requester, query, late);
    expect_listed(&p.police_officer, query, late);
    /* overdue=false lists the ones that are not overdue */
    snprintf(query, sizeof query, "overdue=false&agency=%s", p.police);
    char *rest = joined(2, closed, on_time);
    expect_listed(&p.requester, query, rest);
    free(rest);

    e = esc_read(&p.requester, late);
    cr_assert(json_is_true(json_object_get(e, "overdue")), "overdue when due yesterday");
    json_decref(e);
    e = esc_read(&p.requester, on_time);
    cr_assert(json_is_false(json_object_get(e, "overdue")), "not overdue when due today");
    json_decref(e);
    e = esc_read(&p.requester, closed);
    cr_assert(json_is_false(json_object_get(e, "overdue")), "a resolved one is not overdue");
    json_decref(e);

    /* an overdue escalation is moved up by its raiser, with a new due date */
    char *got = escalate_ok(&p.requester, late, 1, 2);
    stage_due_from_today(&cal, 2, due);
    cr_assert_str_eq(got, due);
    free(got);
    snprintf(query, sizeof query, "overdue=true&agency=%s", p.police);
    expect_listed(&p.requester, query, "");

    free(late);
    free(on_time);
    free(closed);
    planned_free(&p);
}

/* --- ESC-2 with a bank holiday in the window --- */

#define ESC_2_HOLIDAY "Fictional ESC-2 test holiday"

/* The fictional holiday the next test adds; its fini removes it should the
 * test stop half way. */
static char esc2_holiday[11];

static void esc2_restore_calendar(void)
{
    remove_fictional_holiday(esc2_holiday, ESC_2_HOLIDAY);
}

/* In this test's window of the calendar, years ahead (calendar_change.h). */
Test(escalations, ESC_2_stage_due_date_skips_a_bank_holiday_in_the_window,
     .fini = esc2_restore_calendar)
{
    clock_in_window(WINDOW_ESC_2);
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);
    person admin = person_new(p.csc, "admin");
    long day0 = today(); /* the day the escalation is raised */

    /* without a new holiday: stage 1 is due 5 working days on; the holiday:
     * the third of them, a weekday that is no bank holiday yet */
    calendar cal;
    load_calendar(&p.requester, &cal);
    char due_without[11], sixth[11], day[11];
    stage_due_from_today(&cal, 1, due_without);
    ymd_of(add_working_days(&cal, today(), stage_days[0] + 1), sixth);
    ymd_of(add_working_days(&cal, today(), 3), day);
    cr_assert(!is_holiday(&cal, day_of(day)), "%s is no bank holiday yet", day);

    /* add the holiday, raise, remove the holiday: then judge */
    snprintf(esc2_holiday, sizeof esc2_holiday, "%s", day);
    json_t *body = json_pack("{s:s, s:s}", "date", day, "name", ESC_2_HOLIDAY);
    http_response *r = api_call("POST", "/v1/bank-holidays", admin.token, body, NULL);
    json_decref(body);
    long added = r->status;
    http_free(r);
    calendar with;
    load_calendar(&p.requester, &with);
    char due_with[11];
    stage_due_from_today(&with, 1, due_with);
    r = raise_esc(&p.requester, esc_body(p.meeting_id, "concern_after_decision", p.police));
    long raised = r->status;
    json_t *answer = json_incref(r->json);
    char *raised_body = strdup(r->body);
    http_free(r);
    long removed = remove_holiday_over_api(admin.token, esc2_holiday);
    esc2_restore_calendar();

    cr_assert_eq(added, 201, "adding the holiday %s", day);
    cr_assert_eq(raised, 201, "raising: %s", raised_body);
    cr_assert_eq(removed, 204, "removing the holiday %s", day);
    free(raised_body);

    /* the expected dates: the holiday and a weekend fall inside the window,
     * and the holiday moves the due date one working day on */
    cr_assert(is_holiday(&with, day_of(day)), "the service serves %s as a holiday", day);
    cr_assert(day0 < day_of(day) && day_of(day) < day_of(due_with),
              "the holiday %s falls after today and before the due date %s", day, due_with);
    bool weekend = false;
    for (long d = day0 + 1; d <= day_of(due_with); d++)
        weekend |= !is_working_day(&cal, d) && !is_holiday(&cal, d);
    cr_assert(weekend, "a weekend before the due date %s", due_with);
    expect_str(due_with, sixth);
    cr_assert_str_neq(due_with, due_without);

    /* stage 1, due 5 working days on counting the holiday, and so stored */
    cr_assert_eq(json_int(answer, "stage"), 1);
    const char *due = json_str(answer, "stage_due");
    cr_assert(due && strcmp(due, due_with) == 0,
              "due 5 working days on, skipping the weekend and %s: expected %s (%s without the"
              " holiday), got %s",
              day, due_with, due_without, due ? due : "(none)");
    expect_entry(timeline_at(answer, 0), 1, "raised", &p.requester, due_with);
    json_t *e = esc_read(&p.requester, json_str(answer, "id"));
    expect_str(json_str(e, "stage_due"), due_with);
    json_decref(e);
    json_decref(answer);

    /* the holiday is gone again */
    cr_assert_eq(fictional_holiday_rows(day, ESC_2_HOLIDAY), 0, "%s removed", day);

    person_free(&admin);
    planned_free(&p);
}

/* ====================== ESC-4: resolution and withdrawal ====================== */

Test(escalations, ESC_4_resolve_by_the_raiser_needs_an_outcome)
{
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);
    char *id = raise_with_police(&p);

    snapshot s = snap(p.csc, p.police, NULL);
    http_response *r = resolve(&p.requester, id, NULL, "\"1\"");
    expect_refusal(r, 422, "/problems/rule-violated", "ESC-4", "outcome");
    http_free(r);
    expect_same(&s);

    s = snap(p.csc, p.police, NULL);
    r = resolve(&p.requester, id, "  ", "\"1\"");
    expect_refusal(r, 422, "/problems/rule-violated", "ESC-4", "outcome");
    http_free(r);
    expect_same(&s);

    r = resolve(&p.requester, id, "The police agreed to attend the review", "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    expect_etag(r, 2);
    expect_str(json_str(r->json, "status"), "resolved");
    expect_str(json_str(r->json, "outcome"), "The police agreed to attend the review");
    json_t *closed_by = json_object_get(r->json, "closed_by");
    expect_str(json_str(closed_by, "sub"), p.requester.who.sub);
    cr_assert(text_is_timestamp(json_str(r->json, "closed_at")), "%s", r->body);
    cr_assert_eq(json_int(r->json, "version"), 2);
    cr_assert_eq(json_int(r->json, "stage"), 1);
    cr_assert_eq(json_array_size(json_object_get(r->json, "timeline")), 2, "%s", r->body);
    json_t *entry = timeline_at(r->json, 1);
    expect_entry(entry, 1, "resolved", &p.requester, NULL);
    expect_str(json_str(entry, "text"), "The police agreed to attend the review");
    http_free(r);
    cr_assert_eq(audit_rows(id, "escalation.resolve", &p.requester), 1);

    person csc_integration = person_new(p.csc, "integration");
    person police_integration = person_new(p.police, "integration");
    expect_feed(&csc_integration, id, "escalation.resolved", 2);
    expect_feed(&police_integration, id, "escalation.resolved", 2);
    person_free(&csc_integration);
    person_free(&police_integration);
    free(id);
    planned_free(&p);
}

Test(escalations, ESC_4_resolve_by_a_responder_of_the_current_stage)
{
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);
    person police_manager = person_new(p.police, "manager");
    char *id = raise_with_police(&p);

    /* a manager does not answer at stage 1, so does not resolve it either */
    snapshot s = snap(p.csc, p.police, NULL);
    http_response *r = resolve(&police_manager, id, "Closed by a manager", "\"1\"");
    expect_refusal(r, 403, "/problems/forbidden", "ESC-4", NULL);
    http_free(r);
    expect_same(&s);

    /* the with_agency's practitioner, who answers at stage 1, does */
    r = resolve(&p.police_officer, id, "We will attend the next meeting", "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    expect_str(json_str(r->json, "status"), "resolved");
    expect_str(json_str(json_object_get(r->json, "closed_by"), "sub"), p.police_officer.who.sub);
    http_free(r);

    free(id);
    person_free(&police_manager);
    planned_free(&p);
}

Test(escalations, ESC_4_withdraw_by_the_raiser_only_with_a_reason)
{
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);
    person csc_colleague = person_new(p.csc, "practitioner");
    char *id = raise_with_police(&p);

    const person *others[] = {&p.police_officer, &p.manager, &csc_colleague};
    for (size_t i = 0; i < 3; i++) {
        snapshot s = snap(p.csc, p.police, NULL);
        http_response *r = withdraw(others[i], id, "Not needed any more", "\"1\"");
        expect_refusal(r, 403, "/problems/forbidden", "ESC-4", NULL);
        http_free(r);
        expect_same(&s);
    }

    snapshot s = snap(p.csc, p.police, NULL);
    http_response *r = withdraw(&p.requester, id, NULL, "\"1\"");
    expect_refusal(r, 422, "/problems/rule-violated", "ESC-4", "reason");
    http_free(r);
    expect_same(&s);

    r = withdraw(&p.requester, id, "Raised about the wrong meeting", "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    expect_etag(r, 2);
    expect_str(json_str(r->json, "status"), "withdrawn");
    expect_str(json_str(r->json, "outcome"), "Raised about the wrong meeting");
    expect_entry(timeline_at(r->json, 1), 1, "withdrawn", &p.requester, NULL);
    http_free(r);
    cr_assert_eq(audit_rows(id, "escalation.withdraw", &p.requester), 1);

    free(id);
    person_free(&csc_colleague);
    planned_free(&p);
}

/* Every change to a closed escalation is refused with 409 ESC-4. */
static void expect_read_only(planned *p, const char *id, long version)
{
    const char *v = etag_of(version);
    char etag[32];
    snprintf(etag, sizeof etag, "%s", v);
    for (int i = 0; i < 4; i++) {
        snapshot s = snap(p->csc, p->police, NULL);
        http_response *r = NULL;
        switch (i) {
        case 0:
            r = respond_esc(&p->police_officer, id, "One more thing");
            break;
        case 1:
            r = escalate(&p->requester, id, etag);
            break;
        case 2:
            r = resolve(&p->requester, id, "Resolved again", etag);
            break;
        case 3:
            r = withdraw(&p->requester, id, "Withdrawn again", etag);
            break;
        }
        expect_refusal(r, 409, "/problems/invalid-state", "ESC-4", "status");
        http_free(r);
        expect_same(&s);
    }
    /* still readable */
    json_t *e = esc_read(&p->police_officer, id);
    cr_assert_eq(json_int(e, "version"), version);
    json_decref(e);
}

Test(escalations, ESC_4_resolved_escalation_is_read_only)
{
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);
    char *id = raise_with_police(&p);
    respond_ok(&p.police_officer, id, 2);
    http_response *r = resolve(&p.requester, id, "Agreed a joint visit", "\"2\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    expect_read_only(&p, id, 3);
    free(id);
    planned_free(&p);
}

Test(escalations, ESC_4_withdrawn_escalation_is_read_only)
{
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);
    char *id = raise_with_police(&p);
    http_response *r = withdraw(&p.requester, id, "Resolved informally", "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    expect_read_only(&p, id, 2);
    free(id);
    planned_free(&p);
}

Test(escalations, ESC_4_closed_at_stage_4_is_read_only_before_the_last_stage_check)
{
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);
    json_t *body = esc_body(p.meeting_id, "concern_after_decision", p.police);
    json_object_set_new(body, "immediate_risk", json_true());
    char *id = raise_ok(&p.requester, body);
    free(escalate_ok(&p.requester, id, 1, 4));
    http_response *r = withdraw(&p.requester, id, "Overtaken by events", "\"2\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    expect_read_only(&p, id, 3);
    free(id);
    planned_free(&p);
}

/* ====================== SEC-2: who sees an escalation ====================== */

Test(escalations, SEC_2_a_stranger_gets_404_on_read_and_every_command)
{
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);
    char *third = agency_new("education");
    person stranger = person_new(third, "practitioner");
    person stranger_manager = person_new(third, "manager,senior_manager");
    char *id = raise_with_police(&p);

    const person *strangers[] = {&stranger, &stranger_manager};
    for (int k = 0; k < 2; k++) {
        const person *who = strangers[k];
        for (int i = 0; i < 5; i++) {
            snapshot s = snap(p.csc, p.police, third, NULL);
            http_response *r = NULL;
            switch (i) {
            case 0:
                r = api_get(esc_path(id, NULL), who->token);
                break;
            case 1:
                r = respond_esc(who, id, "I know nothing of this");
                break;
            case 2:
                r = escalate(who, id, "\"1\"");
                break;
            case 3:
                r = resolve(who, id, "Closed", "\"1\"");
                break;
            case 4:
                r = withdraw(who, id, "Withdrawn", "\"1\"");
                break;
            }
            expect_refusal(r, 404, "/problems/not-found", NULL, NULL);
            cr_assert_null(strstr(r->body, p.police), "no hint of the escalation: %s", r->body);
            http_free(r);
            expect_same(&s);
        }
        /* nor is it listed */
        char query[128];
        snprintf(query, sizeof query, "meeting_id=%s", p.meeting_id);
        expect_listed(who, query, "");
    }

    /* the same answer as for an escalation that does not exist */
    char *missing = db_value("SELECT gen_random_uuid()::text", 0, NULL);
    snapshot s = snap(p.csc, p.police, NULL);
    http_response *r = api_get(esc_path(missing, NULL), p.requester.token);
    expect_refusal(r, 404, "/problems/not-found", NULL, NULL);
    http_free(r);
    r = api_get(esc_path("not-a-uuid", NULL), p.requester.token);
    expect_refusal(r, 404, "/problems/not-found", NULL, NULL);
    http_free(r);
    r = respond_esc(&p.police_officer, missing, "Hello");
    expect_refusal(r, 404, "/problems/not-found", NULL, NULL);
    http_free(r);
    expect_same(&s);

    /* a stranger may not raise one about the meeting it cannot see */
    s = snap(p.csc, p.police, third, NULL);
    r = raise_esc(&stranger, esc_body(p.meeting_id, "concern_after_decision", p.csc));
    expect_refusal(r, 422, "/problems/rule-violated", "ESC-1", "meeting_id");
    http_free(r);
    expect_same(&s);

    cr_assert_eq(stored_version(id), 1);
    free(missing);
    free(id);
    free(third);
    person_free(&stranger);
    person_free(&stranger_manager);
    planned_free(&p);
}

Test(escalations, SEC_2_senior_managers_see_it_from_stage_3)
{
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);
    person police_senior = person_new(p.police, "senior_manager");
    person csc_senior = person_new(p.csc, "senior_manager");
    char *id = raise_with_police(&p);
    char query[128];
    snprintf(query, sizeof query, "meeting_id=%s", p.meeting_id);

    const person *seniors[] = {&police_senior, &csc_senior};
    for (int stage = 1; stage <= 2; stage++) {
        for (int k = 0; k < 2; k++) {
            expect_hidden(seniors[k], id, p.csc, p.police);
            snapshot s = snap(p.csc, p.police, NULL);
            http_response *r = respond_esc(seniors[k], id, "Seen it");
            expect_refusal(r, 404, "/problems/not-found", NULL, NULL);
            http_free(r);
            expect_same(&s);
            expect_listed(seniors[k], query, "");
            if (stage == 1) {
                long v = stored_version(id);
                for (int c = 0; c < 3; c++) {
                    s = snap(p.csc, p.police, NULL);
                    r = c == 0   ? escalate(seniors[k], id, etag_of(v))
                        : c == 1 ? resolve(seniors[k], id, "Closed from above", etag_of(v))
                                 : withdraw(seniors[k], id, "Withdrawn from above", etag_of(v));
                    expect_refusal(r, 404, "/problems/not-found", NULL, NULL);
                    http_free(r);
                    expect_same(&s);
                }
            }
        }
        if (stage == 1)
            free(escalate_ok(&p.requester, id, 1, 2));
    }
    free(escalate_ok(&p.requester, id, 2, 3));

    for (int k = 0; k < 2; k++) {
        json_t *e = esc_read(seniors[k], id);
        cr_assert_eq(json_int(e, "stage"), 3);
        json_decref(e);
        expect_listed(seniors[k], query, id);
    }
    /* a senior manager of an agency not involved still does not */
    char *third = agency_new("probation");
    person outsider = person_new(third, "senior_manager");
    expect_hidden(&outsider, id, p.csc, p.police);
    expect_listed(&outsider, query, "");
    person_free(&outsider);
    free(third);
    free(id);
    person_free(&police_senior);
    person_free(&csc_senior);
    planned_free(&p);
}

Test(escalations, SEC_2_the_partnership_sees_it_only_at_stage_4)
{
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);
    char *partnership_agency = agency_new("other");
    person partnership = person_new(partnership_agency, "partnership");
    char *id = raise_with_police(&p);
    char query[128];
    snprintf(query, sizeof query, "meeting_id=%s", p.meeting_id);

    for (int stage = 1; stage <= 3; stage++) {
        expect_hidden(&partnership, id, p.csc, p.police);
        snapshot s = snap(p.csc, p.police, partnership_agency, NULL);
        http_response *r = respond_esc(&partnership, id, "Too early for us");
        expect_refusal(r, 404, "/problems/not-found", NULL, NULL);
        http_free(r);
        expect_same(&s);
        expect_listed(&partnership, query, "");
        free(escalate_ok(&p.requester, id, stage, stage + 1));
    }
    json_t *e = esc_read(&partnership, id);
    cr_assert_eq(json_int(e, "stage"), 4);
    json_decref(e);
    expect_listed(&partnership, query, id);

    free(id);
    free(partnership_agency);
    person_free(&partnership);
    planned_free(&p);
}

/* ====================== the list ====================== */

Test(escalations, ESC_1_list_filters_by_meeting_status_stage_and_agency)
{
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);
    char *second = meeting_new(&p.requester, "stop_and_review");

    char *e1 = raise_with_police(&p);
    json_t *body = esc_body(p.meeting_id, "concern_after_decision", p.health);
    json_object_set_new(body, "immediate_risk", json_true());
    char *e2 = raise_ok(&p.requester, body);
    char *e3 = raise_ok(&p.requester, esc_body(second, "action_plan_not_implemented", p.police));
    http_response *r = resolve(&p.requester, e3, "Done", "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);

    char query[256];
    char *want;
    want = joined(3, e3, e2, e1);
    expect_listed(&p.requester, NULL, want);
    free(want);

    snprintf(query, sizeof query, "meeting_id=%s", p.meeting_id);
    want = joined(2, e2, e1);
    expect_listed(&p.requester, query, want);
    free(want);
    snprintf(query, sizeof query, "meeting_id=%s", second);
    expect_listed(&p.requester, query, e3);

    expect_listed(&p.requester, "status=resolved", e3);
    want = joined(2, e2, e1);
    expect_listed(&p.requester, "status=open", want);
    free(want);
    expect_listed(&p.requester, "status=withdrawn", "");

    expect_listed(&p.requester, "stage=3", e2);
    want = joined(2, e3, e1);
    expect_listed(&p.requester, "stage=1", want);
    free(want);
    expect_listed(&p.requester, "stage=4", "");

    snprintf(query, sizeof query, "agency=%s", p.health);
    expect_listed(&p.requester, query, e2);
    snprintf(query, sizeof query, "agency=%s", p.police);
    want = joined(2, e3, e1);
    expect_listed(&p.requester, query, want);
    free(want);
    snprintf(query, sizeof query, "agency=%s", p.csc);
    want = joined(3, e3, e2, e1);
    expect_listed(&p.requester, query, want);
    free(want);

    snprintf(query, sizeof query, "status=open&stage=1&agency=%s&meeting_id=%s", p.police,
             p.meeting_id);
    expect_listed(&p.requester, query, e1);

    /* the police officer sees only those its agency is in */
    want = joined(2, e3, e1);
    expect_listed(&p.police_officer, NULL, want);
    free(want);
    snprintf(query, sizeof query, "agency=%s", p.health);
    expect_listed(&p.police_officer, query, "");

    /* one a page, with the cursor, each once */
    char *cursor = NULL;
    char seen[3][37];
    int n = 0;
    for (int pages = 0; pages < 5; pages++) {
        if (cursor)
            snprintf(query, sizeof query, "limit=1&cursor=%s", cursor);
        else
            snprintf(query, sizeof query, "limit=1");
        r = list(&p.requester, query);
        cr_assert_eq(r->status, 200, "%s", r->body);
        json_t *items = json_object_get(r->json, "items");
        cr_assert_leq(json_array_size(items), 1, "%s", r->body);
        if (json_array_size(items) == 1) {
            cr_assert_lt(n, 3, "no more than three: %s", r->body);
            snprintf(seen[n++], 37, "%s", json_str(json_array_get(items, 0), "id"));
        }
        const char *next = json_str(r->json, "next_cursor");
        free(cursor);
        cursor = next ? strdup(next) : NULL;
        if (!next)
            cr_assert(json_is_null(json_object_get(r->json, "next_cursor")), "%s", r->body);
        http_free(r);
        if (!cursor)
            break;
    }
    free(cursor);
    cr_assert_eq(n, 3);
    cr_assert_str_eq(seen[0], e3);
    cr_assert_str_eq(seen[1], e2);
    cr_assert_str_eq(seen[2], e1);

    /* a list is an audited read of what it shows */
    const char *params[] = {e1, p.requester.who.sub};
    cr_assert_geq(db_long("SELECT count(*) FROM audit_events WHERE action = 'escalation.list'"
                          " AND $1 = ANY (resource_ids) AND actor_sub = $2",
                          2, params),
                  1);

    free(e1);
    free(e2);
    free(e3);
    free(second);
    planned_free(&p);
}

Test(escalations, SEC_6_malformed_list_filters_refused)
{
    planned p;
    planned_authorised(&p, "professionals");
    struct {
        const char *query;
        const char *field;
    } cases[] = {
        {"meeting_id=not-a-uuid", "meeting_id"},
        {"status=closed", "status"},
        {"status=OPEN", "status"},
        {"stage=0", "stage"},
        {"stage=5", "stage"},
        {"stage=12", "stage"},
        {"stage=two", "stage"},
        {"agency=lower-case", "agency"},
        {"overdue=yes", "overdue"},
        {"overdue=1", "overdue"},
        {"limit=0", "limit"},
        {"limit=201", "limit"},
        {"cursor=not-a-cursor", "cursor"},
        {"colour=red", "colour"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snapshot s = snap(p.csc, NULL);
        http_response *r = list(&p.requester, cases[i].query);
        expect_refusal(r, 400, "/problems/invalid-request", NULL, cases[i].field);
        http_free(r);
        expect_same(&s);
    }
    planned_free(&p);
}

/* ====================== If-Match and Idempotency-Key ====================== */

Test(escalations, ESC_3_ESC_4_if_match_stale_412_and_missing_428)
{
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);
    char *id = raise_with_police(&p);
    respond_ok(&p.police_officer, id, 2);

    for (int command = 0; command < 3; command++) {
        for (int variant = 0; variant < 3; variant++) {
            const char *if_match = variant == 0 ? "\"1\"" : variant == 1 ? NULL : "soon";
            snapshot s = snap(p.csc, p.police, NULL);
            http_response *r = command == 0   ? escalate(&p.requester, id, if_match)
                               : command == 1 ? resolve(&p.requester, id, "Agreed", if_match)
                                              : withdraw(&p.requester, id, "Gone", if_match);
            if (variant == 0) {
                expect_refusal(r, 412, "/problems/stale-version", NULL, NULL);
                expect_etag(r, 2);
            } else if (variant == 1) {
                expect_refusal(r, 428, "/problems/precondition-required", NULL, NULL);
            } else {
                expect_refusal(r, 400, "/problems/invalid-request", NULL, "If-Match");
            }
            http_free(r);
            expect_same(&s);
        }
    }
    free(escalate_ok(&p.requester, id, 2, 2));
    free(id);
    planned_free(&p);
}

Test(escalations, ESC_1_idempotency_key_replays_the_creation)
{
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);
    char suffix[17], key[64];
    unique_suffix(suffix, sizeof suffix);
    snprintf(key, sizeof key, "Idempotency-Key: esc-%s", suffix);
    const char *headers[] = {"Content-Type: application/json", key, NULL};
    json_t *body = esc_body(p.meeting_id, "concern_after_decision", p.police);
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);

    http_response *first =
        http_call("POST", "/v1/escalations", p.requester.token, headers, text, strlen(text));
    cr_assert_eq(first->status, 201, "%s", first->body);
    const char *id = json_str(first->json, "id");
    char *location = http_header(first, "Location");
    char *agencies = NULL;
    {
        char list_[128];
        snprintf(list_, sizeof list_, "{%s,%s}", p.csc, p.police);
        agencies = strdup(list_);
    }
    long escalations = count_escalations(agencies);
    long events = count_escalation_events(agencies);
    char *digest = escalations_digest(agencies);

    /* the same key and body: the first answer again, nothing new */
    http_response *again =
        http_call("POST", "/v1/escalations", p.requester.token, headers, text, strlen(text));
    cr_assert_eq(again->status, 201, "%s", again->body);
    cr_assert_str_eq(json_str(again->json, "id"), id);
    char *replayed = http_header(again, "Idempotent-Replayed");
    cr_assert(replayed && strcmp(replayed, "true") == 0, "Idempotent-Replayed: %s",
              replayed ? replayed : "(none)");
    free(replayed);
    char *location2 = http_header(again, "Location");
    cr_assert_str_eq(location2, location);
    free(location2);
    expect_etag(again, 1);
    cr_assert_eq(count_escalations(agencies), escalations);
    cr_assert_eq(count_escalation_events(agencies), events);
    char *digest2 = escalations_digest(agencies);
    cr_assert_str_eq(digest2, digest);
    free(digest2);
    const char *params[] = {id};
    cr_assert_eq(db_long("SELECT count(*) FROM events WHERE resource_id = $1"
                         " AND type = 'escalation.raised'",
                         1, params),
                 2, "one escalation.raised per agency");

    /* the same key with another body is refused */
    json_t *other = esc_body(p.meeting_id, "concern_after_decision", p.health);
    char *other_text = json_dumps(other, JSON_COMPACT);
    json_decref(other);
    snapshot s = snap(p.csc, p.police, p.health, NULL);
    http_response *r = http_call("POST", "/v1/escalations", p.requester.token, headers,
                                 other_text, strlen(other_text));
    expect_refusal(r, 422, "/problems/idempotency-key-reused", NULL, "Idempotency-Key");
    http_free(r);
    expect_same(&s);

    /* keys are per caller: the manager's same key is a new escalation */
    r = http_call("POST", "/v1/escalations", p.manager.token, headers, text, strlen(text));
    cr_assert_eq(r->status, 201, "%s", r->body);
    cr_assert_str_neq(json_str(r->json, "id"), id);
    http_free(r);

    free(other_text);
    free(digest);
    free(agencies);
    free(location);
    free(text);
    http_free(first);
    http_free(again);
    planned_free(&p);
}

/* ====================== SEC-4 / INT-2: audit and feed ====================== */

Test(escalations, SEC_4_INT_2_audit_rows_and_feed_events_on_both_agencies)
{
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);
    person police_manager = person_new(p.police, "manager");
    person csc_integration = person_new(p.csc, "integration");
    person police_integration = person_new(p.police, "integration");
    person health_integration = person_new(p.health, "integration");

    char *id = raise_with_police(&p);
    respond_ok(&p.police_officer, id, 2);
    free(escalate_ok(&p.requester, id, 2, 2));
    json_t *e = esc_read(&police_manager, id);
    json_decref(e);

    cr_assert_eq(audit_rows(id, "escalation.create", &p.requester), 1);
    cr_assert_eq(audit_rows(id, "escalation.respond", &p.police_officer), 1);
    cr_assert_eq(audit_rows(id, "escalation.escalate", &p.requester), 1);
    cr_assert_eq(audit_rows(id, "escalation.read", &police_manager), 1);
    const char *params[] = {id};
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE resource_id = $1", 1, params),
                 4, "one audit row per request");

    const person *feeds[] = {&csc_integration, &police_integration};
    for (int i = 0; i < 2; i++) {
        expect_feed(feeds[i], id, "escalation.raised", 1);
        expect_feed(feeds[i], id, "escalation.responded", 2);
        expect_feed(feeds[i], id, "escalation.escalated", 3);
    }
    /* an agency not involved hears nothing of it */
    json_t *none = feed_find(&health_integration, id, "escalation.raised");
    cr_assert_null(none, "the health agency's feed has the escalation");
    cr_assert_eq(db_long("SELECT count(*) FROM events WHERE resource_id = $1", 1, params), 6);
    /* and the feed carries no case text */
    const char *text_params[] = {id, "%not being followed%"};
    cr_assert_eq(db_long("SELECT count(*) FROM events e WHERE resource_id = $1"
                         " AND e::text LIKE $2",
                         2, text_params),
                 0);

    free(id);
    person_free(&police_manager);
    person_free(&csc_integration);
    person_free(&police_integration);
    person_free(&health_integration);
    planned_free(&p);
}
