/* Scheduling an authorised meeting (MTG-6, MTG-7, FAM-2), rescheduling it,
 * recording attendance and holding it (MTG-8), over real HTTP against the
 * real database; with the short-notice warning (INV-4), who may see and run
 * the meeting (SEC-2, SEC-3), the audit trail (SEC-4) and the feed (INT-2).
 *
 * Every refusal is checked four ways: the status, the problem+json media
 * type, the errors[] entries naming the rule and field, and a fingerprint
 * of every agency involved taken before and after. */
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

#define HOUR 3600L
#define DAY 86400L

/* --- helpers --- */

/* The fingerprints of the three agencies of a planned meeting, as one
 * string (a new string). */
static char *fingerprint(const planned *p)
{
    char *a = db_fingerprint(p->csc), *b = db_fingerprint(p->police),
         *c = db_fingerprint(p->health);
    size_t n = strlen(a) + strlen(b) + strlen(c) + 8;
    char *out = malloc(n);
    snprintf(out, n, "%s | %s | %s", a, b, c);
    free(a);
    free(b);
    free(c);
    return out;
}

static void expect_nothing_changed(const planned *p, const char *before)
{
    char *after = fingerprint(p);
    cr_assert_str_eq(after, before, "the database changed: %s -> %s", before, after);
    free(after);
}

static void expect_str(const char *got, const char *want)
{
    cr_assert(got && strcmp(got, want) == 0, "expected '%s', got '%s'", want,
              got ? got : "(null)");
}

/* The stored status of a meeting. */
static void expect_stored_status(const char *id, const char *status)
{
    const char *params[] = {id};
    char *s = db_value("SELECT status FROM meetings WHERE id = $1", 1, params);
    expect_str(s, status);
    free(s);
}

static size_t error_count(const http_response *r)
{
    return json_array_size(json_object_get(r->json, "errors"));
}

/* A refusal that names no rule or field: a 403 for a role, a 404 that gives
 * no hint of the meeting (SEC-2), a 412 or 428 for If-Match. */
static void expect_no_errors(const http_response *r)
{
    cr_assert_null(json_object_get(r->json, "errors"), "no errors[]: %s", r->body);
}

/* How many errors[] entries carry this rule (and field, when not NULL). */
static int rule_count(const http_response *r, const char *rule, const char *field)
{
    int n = 0;
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(r->json, "errors"), i, e) {
        const char *er = json_str(e, "rule"), *ef = json_str(e, "field");
        if (er && strcmp(er, rule) == 0 && (!field || (ef && strcmp(ef, field) == 0)))
            n++;
    }
    return n;
}

/* True when an errors[] entry with this rule says `words` in its message. */
static bool error_says(const http_response *r, const char *rule, const char *words)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(r->json, "errors"), i, e) {
        const char *er = json_str(e, "rule"), *m = json_str(e, "message");
        if (er && m && strcmp(er, rule) == 0 && strstr(m, words))
            return true;
    }
    return false;
}

/* True when warnings[] holds an entry with this rule. */
static bool has_warning(const http_response *r, const char *rule)
{
    size_t i;
    json_t *w;
    json_array_foreach(json_object_get(r->json, "warnings"), i, w) {
        const char *wr = json_str(w, "rule");
        if (wr && strcmp(wr, rule) == 0)
            return true;
    }
    return false;
}

/* POST /v1/meetings/{id}/{command} with a JSON body (not consumed). */
static http_response *post_command(const person *by, const char *id, const char *command,
                                   json_t *body, const char *if_match)
{
    return api_call("POST", meeting_path(id, command), by->token, body, if_match);
}

static http_response *read_meeting(const person *by, const char *id)
{
    return api_get(meeting_path(id, NULL), by->token);
}

static long count_for(const char *sql, const char *id, const char *what)
{
    const char *params[] = {id, what};
    return db_long(sql, 2, params);
}

static long audit_rows(const char *resource_id, const char *action)
{
    return count_for("SELECT count(*) FROM audit_events WHERE resource_id = $1 AND action = $2",
                     resource_id, action);
}

/* Feed rows of this type about the meeting (one per agency concerned). */
static long feed_rows(const char *meeting_id, const char *type)
{
    return count_for("SELECT count(*) FROM events WHERE resource_id = $1 AND type = $2",
                     meeting_id, type);
}

/* Distinct events of this type about the meeting. */
static long feed_events(const char *meeting_id, const char *type)
{
    return count_for("SELECT count(DISTINCT event_id) FROM events"
                     " WHERE resource_id = $1 AND type = $2",
                     meeting_id, type);
}

static char *stored_attendance(const char *invitation_id)
{
    const char *params[] = {invitation_id};
    return db_value("SELECT coalesce(attendance, '(none)') FROM invitations WHERE id = $1", 1,
                    params);
}

static void expect_stored_attendance(const char *invitation_id, const char *mark)
{
    char *a = stored_attendance(invitation_id);
    expect_str(a, mark);
    free(a);
}

/* Agencies and people of a planned meeting, with the meeting requested
 * (not yet authorised). */
static void planned_requested(planned *p, const char *type)
{
    memset(p, 0, sizeof *p);
    p->csc = agency_new("childrens_social_care");
    p->police = agency_new("police");
    p->health = agency_new("health");
    p->requester = person_new(p->csc, "practitioner");
    p->manager = person_new(p->csc, "manager");
    p->police_officer = person_new(p->police, "practitioner");
    p->health_visitor = person_new(p->health, "practitioner");
    p->meeting_id = meeting_new(&p->requester, type);
    p->version = 1;
}

/* Authorised, both agencies invited, the family to be informed: every
 * precondition met but the schedule itself. */
static void planned_ready(planned *p, const char *type)
{
    planned_authorised(p, type);
    planned_invite_agencies(p);
    planned_inform_family(p);
}

/* Invites another professional as the requester; returns the invitation id. */
static char *invite_ok(const planned *p, const person *invitee)
{
    json_t *body = invitation_body(invitee, "Contribute what the agency knows");
    http_response *r = invite(&p->requester, p->meeting_id, body);
    json_decref(body);
    cr_assert_eq(r->status, 201, "inviting: %ld %s", r->status, r->body);
    char *id = strdup(json_str(r->json, "id"));
    http_free(r);
    return id;
}

/* Replaces the chair or minute taker of a schedule body. */
static void set_person(json_t *body, const char *key, const person *who, const char *role)
{
    json_t *o = json_pack("{s:s, s:s, s:s}", "sub", who->who.sub, "name", who->who.name,
                          "agency", who->who.agency);
    if (role)
        json_object_set_new(o, "role", json_string(role));
    json_object_set_new(body, key, o);
}

/* Schedules with this body as the requester; fails the test if refused. */
static void schedule_ok(planned *p, json_t *body)
{
    http_response *r =
        post_command(&p->requester, p->meeting_id, "schedule", body, etag_of(p->version));
    cr_assert_eq(r->status, 200, "scheduling: %ld %s", r->status, r->body);
    p->version = json_int(r->json, "version");
    http_free(r);
}

/* A decision not to inform the family, as the manager (FAM-2); returns its id. */
static char *decide_not_inform(const planned *p)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/meetings/%s/consent-decisions", p->meeting_id);
    json_t *body = json_pack("{s:s, s:[s], s:s}", "decision", "not_inform", "grounds",
                             "significant_harm_if_known", "rationale",
                             "Telling the parents beforehand would put the child at risk of "
                             "significant harm");
    http_response *r = api_call("POST", path, p->manager.token, body, NULL);
    json_decref(body);
    cr_assert_eq(r->status, 201, "deciding not to inform: %ld %s", r->status, r->body);
    expect_str(json_str(r->json, "decision"), "not_inform");
    expect_str(json_str(r->json, "status"), "pending_agreement");
    char *id = strdup(json_str(r->json, "id"));
    http_free(r);
    return id;
}

/* An invited agency's answer to a decision not to inform. */
static http_response *agree(const person *by, const char *decision_id, bool agrees)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/consent-decisions/%s/agreements", decision_id);
    json_t *body = agrees ? json_pack("{s:b}", "agrees", 1)
                          : json_pack("{s:b, s:s}", "agrees", 0, "comment",
                                      "The parents are engaging well; they should be told");
    http_response *r = api_call("POST", path, by->token, body, NULL);
    json_decref(body);
    return r;
}

static void agree_ok(const person *by, const char *decision_id, bool agrees,
                     const char *status_after)
{
    http_response *r = agree(by, decision_id, agrees);
    cr_assert_eq(r->status, 201, "agreeing: %ld %s", r->status, r->body);
    expect_str(json_str(r->json, "status"), status_after);
    http_free(r);
}

static http_response *respond(const person *by, const char *invitation_id, json_t *body,
                              long version)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/invitations/%s/respond", invitation_id);
    return api_call("POST", path, by->token, body, etag_of(version));
}

static json_t *mark(const char *invitation_id, const char *attendance)
{
    return json_pack("{s:s, s:s}", "invitation_id", invitation_id, "attendance", attendance);
}

/* PUT /v1/meetings/{id}/attendance; takes the entries array. */
static http_response *put_attendance(const person *by, const char *meeting_id, json_t *entries,
                                     const char *if_match)
{
    json_t *body = json_pack("{s:o}", "entries", entries);
    http_response *r = api_call("PUT", meeting_path(meeting_id, "attendance"), by->token, body,
                                if_match);
    json_decref(body);
    return r;
}

/* Marks the police and health invitations; fails the test if refused. */
static void mark_both(planned *p, const person *by, const char *police, const char *health)
{
    json_t *entries = json_pack("[o, o]", mark(p->police_invitation, police),
                                mark(p->health_invitation, health));
    http_response *r = put_attendance(by, p->meeting_id, entries, etag_of(p->version));
    cr_assert_eq(r->status, 200, "recording attendance: %ld %s", r->status, r->body);
    p->version = json_int(r->json, "version");
    http_free(r);
}

static http_response *hold(const person *by, const char *meeting_id, long version)
{
    return post_command(by, meeting_id, "hold", NULL, etag_of(version));
}

/* The invitation with this id in GET /v1/meetings/{id}/invitations, read
 * as `by` (the list's reference is kept in *list; free it with json_decref). */
static json_t *listed_invitation(const person *by, const char *meeting_id,
                                 const char *invitation_id, json_t **list)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/meetings/%s/invitations", meeting_id);
    http_response *r = api_get(path, by->token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    *list = json_incref(r->json);
    http_free(r);
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(*list, "items"), i, item) {
        const char *id = json_str(item, "id");
        if (id && strcmp(id, invitation_id) == 0)
            return item;
    }
    cr_assert_fail("invitation %s is not listed", invitation_id);
    return NULL;
}

static void expect_listed_attendance(const person *by, const planned *p,
                                     const char *invitation_id, const char *attendance)
{
    json_t *list;
    json_t *item = listed_invitation(by, p->meeting_id, invitation_id, &list);
    expect_str(json_str(item, "attendance"), attendance);
    json_decref(list);
}

static bool listed_short_notice(const planned *p, const char *invitation_id)
{
    json_t *list;
    json_t *item = listed_invitation(&p->requester, p->meeting_id, invitation_id, &list);
    bool short_notice = json_is_true(json_object_get(item, "short_notice"));
    json_decref(list);
    return short_notice;
}

/* --- the full path --- */

Test(scheduling, MTG_8_FAM_2_full_path_requested_to_held)
{
    planned p;
    planned_requested(&p, "stop_and_review");

    /* requested */
    http_response *r = read_meeting(&p.requester, p.meeting_id);
    cr_assert_eq(r->status, 200, "%s", r->body);
    expect_str(json_str(r->json, "status"), "requested");
    cr_assert_eq(json_int(r->json, "version"), 1);
    http_free(r);

    /* authorised by a manager who is not the requester */
    p.version = meeting_authorise(&p.manager, p.meeting_id, 1);
    cr_assert_eq(p.version, 2);
    expect_stored_status(p.meeting_id, "authorised");

    /* invitations to the police and health */
    planned_invite_agencies(&p);

    /* a decision not to inform the family, agreed by both invited agencies */
    char *decision = decide_not_inform(&p);
    agree_ok(&p.police_officer, decision, true, "pending_agreement");
    agree_ok(&p.health_visitor, decision, true, "agreed");

    /* scheduled a few seconds ahead */
    json_t *body = schedule_body(&p, 3, "in_person", 0);
    char start[32];
    snprintf(start, sizeof start, "%s", json_str(body, "start"));
    r = post_command(&p.requester, p.meeting_id, "schedule", body, etag_of(p.version));
    json_decref(body);
    cr_assert_eq(r->status, 200, "%s", r->body);
    expect_str(json_str(r->json, "status"), "scheduled");
    cr_assert_eq(json_int(r->json, "version"), 3);
    char *etag = http_header(r, "ETag");
    expect_str(etag, "\"3\"");
    free(etag);
    json_t *schedule = json_object_get(r->json, "schedule");
    const char *shown_start = json_str(schedule, "start");
    cr_assert(shown_start && strncmp(shown_start, start, 19) == 0, "start %s vs %s", shown_start,
              start);
    cr_assert_eq(json_int(schedule, "duration_minutes"), 60);
    expect_str(json_str(schedule, "format"), "in_person");
    expect_str(json_str(json_object_get(schedule, "chair"), "sub"), p.manager.who.sub);
    expect_str(json_str(json_object_get(schedule, "minute_taker"), "sub"), p.requester.who.sub);
    json_t *notice = json_object_get(r->json, "family_notice");
    expect_str(json_str(notice, "decision"), "not_inform");
    expect_str(json_str(notice, "status"), "agreed");
    cr_assert(has_warning(r, "INV-4"), "invitations went out today: short notice: %s", r->body);
    cr_assert(has_warning(r, "INV-8"), "their answers are due before the start: %s", r->body);
    p.version = 3;
    http_free(r);

    /* scheduling judged the invitations short notice (INV-4), which changes
     * nothing the invitees answer; but it pulled their response deadlines in
     * to today, before the meeting (INV-8): a change of their terms, which
     * moved each to version 2 and was announced to the agencies */
    cr_assert(listed_short_notice(&p, p.police_invitation));
    const char *moved[] = {p.police_invitation, p.health_invitation};
    for (int i = 0; i < 2; i++) {
        cr_assert_eq(count_for("SELECT count(*) FROM invitations WHERE id = $1"
                               " AND respond_by = $2::date AND version = 2",
                               moved[i], start), 1, "due today, version 2");
        cr_assert_eq(feed_events(moved[i], "invitation.deadline_changed"), 1);
        cr_assert_eq(feed_rows(moved[i], "invitation.deadline_changed"), 3);
    }
    body = json_pack("{s:s}", "response", "accepted");
    r = respond(&p.police_officer, p.police_invitation, body, 2);
    json_decref(body);
    cr_assert_eq(r->status, 200, "%s", r->body);
    expect_str(json_str(r->json, "status"), "accepted");
    http_free(r);
    body = json_pack("{s:s, s:s}", "response", "apologies", "contribution",
                     "Written health update attached to the invitation");
    r = respond(&p.health_visitor, p.health_invitation, body, 2);
    json_decref(body);
    cr_assert_eq(r->status, 200, "%s", r->body);
    expect_str(json_str(r->json, "status"), "apologies");
    http_free(r);

    /* attendance */
    mark_both(&p, &p.requester, "present", "apologies");
    cr_assert_eq(p.version, 4);
    expect_listed_attendance(&p.requester, &p, p.police_invitation, "present");
    expect_listed_attendance(&p.requester, &p, p.health_invitation, "apologies");

    /* held, once the start has passed */
    clock_past_start(p.meeting_id);
    r = hold(&p.manager, p.meeting_id, p.version);
    cr_assert_eq(r->status, 200, "%s", r->body);
    expect_str(json_str(r->json, "status"), "held");
    cr_assert_eq(json_int(r->json, "version"), 5);
    const char *held_at = json_str(r->json, "held_at");
    cr_assert(held_at && strlen(held_at) >= 20, "held_at is set: %s", r->body);
    http_free(r);

    /* the invitees see it held */
    r = read_meeting(&p.police_officer, p.meeting_id);
    cr_assert_eq(r->status, 200, "%s", r->body);
    expect_str(json_str(r->json, "status"), "held");
    http_free(r);
    expect_stored_status(p.meeting_id, "held");

    /* SEC-4: each step audited; INT-2: each change announced to the agencies */
    cr_assert_eq(audit_rows(p.meeting_id, "meeting.create"), 1);
    cr_assert_eq(audit_rows(p.meeting_id, "meeting.authorise"), 1);
    cr_assert_eq(audit_rows(p.meeting_id, "meeting.schedule"), 1);
    cr_assert_eq(audit_rows(p.meeting_id, "meeting.attendance"), 1);
    cr_assert_eq(audit_rows(p.meeting_id, "meeting.hold"), 1);
    cr_assert_eq(audit_rows(decision, "consent_decision.create"), 1);
    cr_assert_eq(audit_rows(decision, "consent_decision.agree"), 2);
    cr_assert_eq(audit_rows(p.police_invitation, "invitation.respond"), 1);
    cr_assert_eq(audit_rows(p.health_invitation, "invitation.respond"), 1);
    cr_assert_eq(feed_events(p.meeting_id, "meeting.scheduled"), 1);
    cr_assert_eq(feed_events(p.meeting_id, "meeting.attendance_recorded"), 1);
    cr_assert_eq(feed_events(p.meeting_id, "meeting.held"), 1);
    /* the convening agency and both invited agencies hear of them */
    cr_assert_eq(feed_rows(p.meeting_id, "meeting.scheduled"), 3);
    cr_assert_eq(feed_rows(p.meeting_id, "meeting.held"), 3);
    const char *params[] = {p.meeting_id};
    cr_assert_eq(db_long("SELECT count(*) FROM events WHERE resource_id = $1"
                         " AND type = 'meeting.held' AND resource_version = 5",
                         1, params),
                 3);

    free(decision);
    planned_free(&p);
}

/* --- MTG-6: every missing precondition at once --- */

Test(scheduling, MTG_6_empty_schedule_lists_every_missing_precondition)
{
    planned p;
    planned_authorised(&p, "professionals");
    char *before = fingerprint(&p);

    json_t *empty = json_object();
    http_response *r = post_command(&p.requester, p.meeting_id, "schedule", empty,
                                    etag_of(p.version));
    json_decref(empty);
    expect_problem(r, 422, "/problems/rule-violated");
    static const char *const fields[] = {"start",       "duration_minutes", "format",
                                         "chair",       "minute_taker",     "invitations",
                                         "family_notice", NULL};
    for (int i = 0; fields[i]; i++)
        cr_assert(problem_has_rule(r, "MTG-6", fields[i]), "MTG-6 %s missing: %s", fields[i],
                  r->body);
    cr_assert_eq(error_count(r), 7, "one entry per precondition: %s", r->body);
    cr_assert_eq(rule_count(r, "MTG-6", NULL), 7, "every entry is MTG-6: %s", r->body);
    http_free(r);

    expect_nothing_changed(&p, before);
    expect_stored_status(p.meeting_id, "authorised");
    free(before);
    planned_free(&p);
}

/* An authorised meeting refuses this body with exactly one error: rule on
 * field (saying `words`, when not NULL), and nothing changes. */
static void expect_refused_alone(planned *p, json_t *body, const char *rule, const char *field,
                                 const char *words)
{
    char *before = fingerprint(p);
    http_response *r =
        post_command(&p->requester, p->meeting_id, "schedule", body, etag_of(p->version));
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert(problem_has_rule(r, rule, field), "%s on %s: %s", rule, field, r->body);
    cr_assert_eq(error_count(r), 1, "only that precondition fails: %s", r->body);
    if (words)
        cr_assert(error_says(r, rule, words), "'%s' expected: %s", words, r->body);
    http_free(r);
    expect_nothing_changed(p, before);
    expect_stored_status(p->meeting_id, "authorised");
    free(before);
}

Test(scheduling, MTG_6_past_start_refused)
{
    planned p;
    planned_ready(&p, "professionals");
    json_t *body = schedule_body(&p, -HOUR, "in_person", 0);
    expect_refused_alone(&p, body, "MTG-6", "start", NULL);
    json_decref(body);
    /* now is not the future either */
    body = schedule_body(&p, 0, "in_person", 0);
    expect_refused_alone(&p, body, "MTG-6", "start", NULL);
    json_decref(body);
    planned_free(&p);
}

Test(scheduling, MTG_6_duration_outside_1_to_1440_minutes_refused)
{
    planned p;
    planned_ready(&p, "professionals");
    static const int durations[] = {0, -30, 1441};
    for (size_t i = 0; i < sizeof durations / sizeof durations[0]; i++) {
        json_t *body = schedule_body(&p, DAY, "in_person", 0);
        json_object_set_new(body, "duration_minutes", json_integer(durations[i]));
        expect_refused_alone(&p, body, "MTG-6", "duration_minutes", NULL);
        json_decref(body);
    }
    planned_free(&p);
}

/* A start is judged as the instant it names, whatever its offset. */
Test(scheduling, MTG_6_start_with_an_offset_is_judged_as_an_instant)
{
    planned p;
    planned_ready(&p, "professionals");
    time_t now = test_now();
    struct tm tm;
    char start[40];

    /* half an hour ago, written at +05:00 (the clock there reads ahead) */
    time_t past = now - 1800 + 5 * 3600;
    gmtime_r(&past, &tm);
    strftime(start, sizeof start, "%Y-%m-%dT%H:%M:%S+05:00", &tm);
    json_t *body = schedule_body(&p, DAY, "in_person", 0);
    json_object_set_new(body, "start", json_string(start));
    expect_refused_alone(&p, body, "MTG-6", "start", NULL);

    /* in half an hour, written at -05:00 (the clock there reads behind) */
    time_t soon = now + 1800 - 5 * 3600;
    gmtime_r(&soon, &tm);
    strftime(start, sizeof start, "%Y-%m-%dT%H:%M:%S-05:00", &tm);
    json_object_set_new(body, "start", json_string(start));
    http_response *r =
        post_command(&p.requester, p.meeting_id, "schedule", body, etag_of(p.version));
    json_decref(body);
    cr_assert_eq(r->status, 200, "%s", r->body);
    /* shown in UTC */
    time_t utc = now + 1800;
    gmtime_r(&utc, &tm);
    strftime(start, sizeof start, "%Y-%m-%dT%H:%M:%S", &tm);
    const char *shown = json_str(json_object_get(r->json, "schedule"), "start");
    cr_assert(shown && strncmp(shown, start, 19) == 0 && shown[strlen(shown) - 1] == 'Z',
              "start %s vs %s", shown, start);
    http_free(r);
    planned_free(&p);
}

Test(scheduling, MTG_6_in_person_or_hybrid_without_venue_refused)
{
    planned p;
    planned_ready(&p, "professionals");
    json_t *body = schedule_body(&p, DAY, "in_person", 0);
    json_object_del(body, "venue");
    expect_refused_alone(&p, body, "MTG-6", "venue", NULL);
    json_decref(body);
    body = schedule_body(&p, DAY, "hybrid", 0);
    json_object_set_new(body, "venue", json_string("   "));
    expect_refused_alone(&p, body, "MTG-6", "venue", NULL);
    json_decref(body);

    /* a virtual meeting needs no venue */
    body = schedule_body(&p, DAY, "virtual", 0);
    cr_assert_null(json_object_get(body, "venue"));
    schedule_ok(&p, body);
    json_decref(body);
    expect_stored_status(p.meeting_id, "scheduled");
    planned_free(&p);
}

Test(scheduling, MTG_6_practitioner_as_chair_refused)
{
    planned p;
    planned_ready(&p, "professionals");
    json_t *body = schedule_body(&p, DAY, "in_person", 0);
    set_person(body, "chair", &p.manager, "practitioner");
    expect_refused_alone(&p, body, "MTG-6", "chair.role", NULL);
    json_decref(body);

    /* a senior practitioner may chair */
    body = schedule_body(&p, DAY, "in_person", 0);
    set_person(body, "chair", &p.manager, "senior_practitioner");
    schedule_ok(&p, body);
    json_decref(body);
    planned_free(&p);
}

Test(scheduling, MTG_6_minute_taker_who_is_the_chair_refused)
{
    planned p;
    planned_ready(&p, "professionals");
    json_t *body = schedule_body(&p, DAY, "in_person", 0);
    set_person(body, "minute_taker", &p.manager, NULL);
    expect_refused_alone(&p, body, "MTG-6", "minute_taker.sub", NULL);
    json_decref(body);
    planned_free(&p);
}

Test(scheduling, MTG_6_only_one_agency_invited_refused)
{
    planned p;
    planned_authorised(&p, "professionals");
    /* two police officers are still one agency */
    person second_officer = person_new(p.police, "practitioner");
    p.police_invitation = invite_ok(&p, &p.police_officer);
    char *second = invite_ok(&p, &second_officer);
    planned_inform_family(&p);

    json_t *body = schedule_body(&p, DAY, "in_person", 0);
    expect_refused_alone(&p, body, "MTG-6", "invitations", "(1 invited)");

    /* a second agency invited: scheduled */
    p.health_invitation = invite_ok(&p, &p.health_visitor);
    schedule_ok(&p, body);
    json_decref(body);

    free(second);
    person_free(&second_officer);
    planned_free(&p);
}

Test(scheduling, MTG_6_FAM_1_no_family_notice_decision_refused)
{
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);
    json_t *body = schedule_body(&p, DAY, "in_person", 0);
    expect_refused_alone(&p, body, "MTG-6", "family_notice", NULL);
    planned_inform_family(&p);
    schedule_ok(&p, body);
    json_decref(body);
    planned_free(&p);
}

Test(scheduling, FAM_2_not_inform_decision_pending_agreement_refused)
{
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);
    char *decision = decide_not_inform(&p);
    json_t *body = schedule_body(&p, DAY, "in_person", 0);

    /* nobody has agreed, then one of the two invited agencies */
    expect_refused_alone(&p, body, "FAM-2", "family_notice", "awaits");
    agree_ok(&p.police_officer, decision, true, "pending_agreement");
    expect_refused_alone(&p, body, "FAM-2", "family_notice", "awaits");

    /* every invited agency agreed: the decision takes effect */
    agree_ok(&p.health_visitor, decision, true, "agreed");

    /* until another agency is invited: it must agree too */
    char *education = agency_new("education");
    person teacher = person_new(education, "practitioner");
    char *teacher_invitation = invite_ok(&p, &teacher);
    expect_refused_alone(&p, body, "FAM-2", "family_notice", "awaits");
    agree_ok(&teacher, decision, true, "agreed");

    schedule_ok(&p, body);
    expect_stored_status(p.meeting_id, "scheduled");
    json_decref(body);
    free(teacher_invitation);
    person_free(&teacher);
    free(education);
    free(decision);
    planned_free(&p);
}

Test(scheduling, FAM_2_disputed_not_inform_decision_refused)
{
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);
    char *decision = decide_not_inform(&p);
    agree_ok(&p.health_visitor, decision, true, "pending_agreement");
    agree_ok(&p.police_officer, decision, false, "disputed");

    json_t *body = schedule_body(&p, DAY, "in_person", 0);
    char *before = fingerprint(&p);
    http_response *r =
        post_command(&p.requester, p.meeting_id, "schedule", body, etag_of(p.version));
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert(problem_has_rule(r, "FAM-2", "family_notice"), "%s", r->body);
    cr_assert(error_says(r, "FAM-2", "disputed"), "%s", r->body);
    cr_assert_eq(error_count(r), 1, "%s", r->body);
    http_free(r);
    expect_nothing_changed(&p, before);
    expect_stored_status(p.meeting_id, "authorised");

    free(before);
    json_decref(body);
    free(decision);
    planned_free(&p);
}

/* --- MTG-7: strategy discussions --- */

/* A strategy discussion with a children's social care colleague invited,
 * plus the police and/or health as asked, and the family to be informed. */
static void strategy_with(planned *p, person *csc_colleague, bool police, bool health)
{
    planned_authorised(p, "strategy_discussion");
    *csc_colleague = person_new(p->csc, "senior_practitioner");
    char *csc_invitation = invite_ok(p, csc_colleague);
    free(csc_invitation);
    if (police)
        p->police_invitation = invite_ok(p, &p->police_officer);
    if (health)
        p->health_invitation = invite_ok(p, &p->health_visitor);
    planned_inform_family(p);
}

Test(scheduling, MTG_7_strategy_discussion_without_police_refused)
{
    planned p;
    person colleague;
    strategy_with(&p, &colleague, false, true);
    json_t *body = schedule_body(&p, DAY, "virtual", 0);
    expect_refused_alone(&p, body, "MTG-7", "invitations", "police");
    json_decref(body);
    person_free(&colleague);
    planned_free(&p);
}

Test(scheduling, MTG_7_strategy_discussion_without_health_refused)
{
    planned p;
    person colleague;
    strategy_with(&p, &colleague, true, false);
    json_t *body = schedule_body(&p, DAY, "virtual", 0);
    expect_refused_alone(&p, body, "MTG-7", "invitations", "health");
    json_decref(body);
    person_free(&colleague);
    planned_free(&p);
}

/* A strategy discussion is requested by children's social care (MTG-2),
 * which counts among the agencies while it convenes the meeting. Over HTTP
 * social care goes missing when the directory re-classifies the convening
 * agency after the request: the police and health invited, nobody of
 * children's social care. */
Test(scheduling, MTG_7_strategy_discussion_without_childrens_social_care_refused)
{
    planned p;
    planned_authorised(&p, "strategy_discussion");
    planned_invite_agencies(&p);
    planned_inform_family(&p);
    person admin = person_new("ADMIN", "admin");
    char path[64];
    snprintf(path, sizeof path, "/v1/agencies/%s", p.csc);
    json_t *kind = json_pack("{s:s}", "kind", "other");
    http_response *r = api_call("PATCH", path, admin.token, kind, "\"1\"");
    json_decref(kind);
    cr_assert_eq(r->status, 200, "re-classifying the convening agency: %s", r->body);
    expect_str(json_str(r->json, "kind"), "other");
    http_free(r);

    json_t *body = schedule_body(&p, DAY, "virtual", 0);
    expect_refused_alone(&p, body, "MTG-7", "invitations", "children's social care");
    json_decref(body);
    person_free(&admin);
    planned_free(&p);
}

Test(scheduling, MTG_7_INV_4_strategy_discussion_with_all_three_scheduled_without_short_notice)
{
    planned p;
    person colleague;
    /* only children's social care invited: police and health each missing */
    strategy_with(&p, &colleague, false, false);
    json_t *body = schedule_body(&p, HOUR, "virtual", 0);
    char *before = fingerprint(&p);
    http_response *r =
        post_command(&p.requester, p.meeting_id, "schedule", body, etag_of(p.version));
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert_eq(rule_count(r, "MTG-7", "invitations"), 2, "%s", r->body);
    cr_assert(error_says(r, "MTG-7", "police"), "%s", r->body);
    cr_assert(error_says(r, "MTG-7", "health"), "%s", r->body);
    cr_assert(problem_has_rule(r, "MTG-6", "invitations"), "one agency invited: %s", r->body);
    cr_assert_eq(error_count(r), 3, "%s", r->body);
    http_free(r);
    expect_nothing_changed(&p, before);
    free(before);

    /* all three invited: scheduled, and short notice is no warning for a
     * strategy discussion (INV-4) */
    p.police_invitation = invite_ok(&p, &p.police_officer);
    p.health_invitation = invite_ok(&p, &p.health_visitor);
    json_decref(body);
    body = schedule_body(&p, HOUR, "virtual", 0);
    r = post_command(&p.requester, p.meeting_id, "schedule", body, etag_of(p.version));
    cr_assert_eq(r->status, 200, "%s", r->body);
    expect_str(json_str(r->json, "status"), "scheduled");
    cr_assert(!has_warning(r, "INV-4"), "no short-notice warning: %s", r->body);
    /* only that their answers, due in three working days, are now due today (INV-8),
     * and that neither invitee has yet confirmed the technology (INV-5) */
    cr_assert(has_warning(r, "INV-8"), "%s", r->body);
    cr_assert(has_warning(r, "INV-5"), "%s", r->body);
    cr_assert_eq(json_array_size(json_object_get(r->json, "warnings")), 2, "%s", r->body);
    p.version = json_int(r->json, "version");
    http_free(r);
    cr_assert(!listed_short_notice(&p, p.police_invitation));
    cr_assert(!listed_short_notice(&p, p.health_invitation));

    json_decref(body);
    person_free(&colleague);
    planned_free(&p);
}

/* --- MTG-4 / MTG-8: only authorised meetings are scheduled --- */

Test(scheduling, MTG_4_MTG_8_scheduling_a_requested_meeting_409)
{
    planned p;
    planned_requested(&p, "professionals");
    json_t *body = schedule_body(&p, DAY, "in_person", 0);
    char *before = fingerprint(&p);

    const person *callers[] = {&p.requester, &p.manager};
    for (int i = 0; i < 2; i++) {
        http_response *r = post_command(callers[i], p.meeting_id, "schedule", body, "\"1\"");
        expect_problem(r, 409, "/problems/invalid-state");
        cr_assert(problem_has_rule(r, "MTG-8", "status"), "%s", r->body);
        http_free(r);
        expect_nothing_changed(&p, before);
    }
    expect_stored_status(p.meeting_id, "requested");

    free(before);
    json_decref(body);
    planned_free(&p);
}

/* --- who may schedule (SEC-2, SEC-3) --- */

Test(scheduling, SEC_3_invitee_cannot_schedule_403)
{
    planned p;
    planned_ready(&p, "professionals");
    json_t *body = schedule_body(&p, DAY, "in_person", 0);
    char *before = fingerprint(&p);

    /* the invitee sees the meeting, but scheduling belongs to the convening side */
    const person *invitees[] = {&p.police_officer, &p.health_visitor};
    for (int i = 0; i < 2; i++) {
        http_response *r =
            post_command(invitees[i], p.meeting_id, "schedule", body, etag_of(p.version));
        expect_problem(r, 403, "/problems/forbidden");
        expect_no_errors(r);
        http_free(r);
        expect_nothing_changed(&p, before);
    }
    expect_stored_status(p.meeting_id, "authorised");

    /* a manager of the convening agency may schedule */
    http_response *r = post_command(&p.manager, p.meeting_id, "schedule", body, etag_of(p.version));
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);

    free(before);
    json_decref(body);
    planned_free(&p);
}

Test(scheduling, SEC_2_practitioner_who_is_not_the_requester_cannot_schedule_404)
{
    planned p;
    planned_ready(&p, "professionals");
    char *other = agency_new("education");
    person colleague = person_new(p.csc, "practitioner");
    person outsider = person_new(other, "manager");
    json_t *body = schedule_body(&p, DAY, "in_person", 0);
    char *before = fingerprint(&p);
    char *before_other = db_fingerprint(other);

    /* neither can see the meeting: 404, never a hint that it exists */
    const person *callers[] = {&colleague, &outsider};
    for (int i = 0; i < 2; i++) {
        http_response *r =
            post_command(callers[i], p.meeting_id, "schedule", body, etag_of(p.version));
        expect_problem(r, 404, "/problems/not-found");
        expect_no_errors(r);
        http_free(r);
        expect_nothing_changed(&p, before);
        expect_unchanged(other, before_other);
    }
    expect_stored_status(p.meeting_id, "authorised");

    /* the same answer as for a meeting that does not exist */
    http_response *hidden = post_command(&colleague, p.meeting_id, "schedule", body,
                                         etag_of(p.version));
    http_response *absent = post_command(&colleague, "7f3c2a9e-0000-4000-8000-000000000000",
                                         "schedule", body, etag_of(p.version));
    expect_problem(absent, 404, "/problems/not-found");
    expect_str(json_str(hidden->json, "title"), json_str(absent->json, "title"));
    expect_str(json_str(hidden->json, "detail"), json_str(absent->json, "detail"));
    http_free(hidden);
    http_free(absent);
    expect_nothing_changed(&p, before);

    free(before);
    free(before_other);
    json_decref(body);
    person_free(&colleague);
    person_free(&outsider);
    free(other);
    planned_free(&p);
}

/* --- If-Match --- */

Test(scheduling, schedule_with_stale_if_match_412_and_without_428)
{
    planned p;
    planned_ready(&p, "professionals");
    json_t *body = schedule_body(&p, DAY, "in_person", 0);
    char *before = fingerprint(&p);

    http_response *r =
        post_command(&p.requester, p.meeting_id, "schedule", body, etag_of(p.version - 1));
    expect_problem(r, 412, "/problems/stale-version");
    expect_no_errors(r);
    char *etag = http_header(r, "ETag");
    expect_str(etag, etag_of(p.version));
    free(etag);
    http_free(r);
    expect_nothing_changed(&p, before);

    r = post_command(&p.requester, p.meeting_id, "schedule", body, NULL);
    expect_problem(r, 428, "/problems/precondition-required");
    expect_no_errors(r);
    http_free(r);
    expect_nothing_changed(&p, before);

    r = post_command(&p.requester, p.meeting_id, "schedule", body, "3");
    expect_problem(r, 400, "/problems/invalid-request");
    cr_assert(problem_has_field(r, "If-Match"), "%s", r->body);
    http_free(r);
    expect_nothing_changed(&p, before);
    expect_stored_status(p.meeting_id, "authorised");

    free(before);
    json_decref(body);
    planned_free(&p);
}

Test(scheduling, SEC_6_schedule_body_of_wrong_shape_400)
{
    planned p;
    planned_ready(&p, "professionals");
    char *before = fingerprint(&p);

    json_t *body = schedule_body(&p, DAY, "in_person", 0);
    json_object_set_new(body, "duration_minutes", json_string("sixty"));
    json_object_set_new(body, "status", json_string("scheduled"));
    json_object_set_new(body, "start", json_string("tomorrow at ten"));
    http_response *r =
        post_command(&p.requester, p.meeting_id, "schedule", body, etag_of(p.version));
    expect_problem(r, 400, "/problems/invalid-request");
    cr_assert(problem_has_field(r, "duration_minutes"), "%s", r->body);
    cr_assert(problem_has_field(r, "status"), "%s", r->body);
    cr_assert(problem_has_field(r, "start"), "%s", r->body);
    http_free(r);
    json_decref(body);
    expect_nothing_changed(&p, before);
    expect_stored_status(p.meeting_id, "authorised");

    free(before);
    planned_free(&p);
}

/* --- INV-4: short notice --- */

Test(scheduling, INV_4_short_notice_warning_when_invitations_went_out_late)
{
    planned p;
    planned_ready(&p, "professionals");
    json_t *body = schedule_body(&p, HOUR, "in_person", 0);
    http_response *r =
        post_command(&p.requester, p.meeting_id, "schedule", body, etag_of(p.version));
    json_decref(body);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert(has_warning(r, "INV-4"), "%s", r->body);
    json_t *w = json_array_get(json_object_get(r->json, "warnings"), 0);
    expect_str(json_str(w, "field"), "invitations");
    const char *message = json_str(w, "message");
    cr_assert(message && strstr(message, "2 invitation"), "both counted: %s", r->body);
    p.version = json_int(r->json, "version");
    http_free(r);
    cr_assert(listed_short_notice(&p, p.police_invitation));
    cr_assert(listed_short_notice(&p, p.health_invitation));
    planned_free(&p);
}

/* The stored version of an invitation. */
static long invitation_version(const char *invitation_id)
{
    const char *params[] = {invitation_id};
    return db_long("SELECT version FROM invitations WHERE id = $1", 1, params);
}

Test(scheduling, INV_4_scheduling_judges_short_notice_without_changing_the_invitation_version)
{
    planned p;
    planned_authorised(&p, "professionals");
    /* invitations whose answers are due today: nothing about them moves but the
     * short-notice judgement */
    char today[11];
    time_t now = test_now();
    strftime(today, sizeof today, "%Y-%m-%d", gmtime(&now));
    const person *invitees[] = {&p.police_officer, &p.health_visitor};
    char *ids[2];
    for (int i = 0; i < 2; i++) {
        json_t *body = invitation_body(invitees[i], "Share what the agency knows");
        json_object_set_new(body, "respond_by", json_string(today));
        http_response *r = invite(&p.requester, p.meeting_id, body);
        json_decref(body);
        cr_assert_eq(r->status, 201, "%s", r->body);
        ids[i] = strdup(json_str(r->json, "id"));
        http_free(r);
    }
    planned_inform_family(&p);
    json_t *body = schedule_body(&p, HOUR, "in_person", 0);
    http_response *r =
        post_command(&p.requester, p.meeting_id, "schedule", body, etag_of(p.version));
    json_decref(body);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert(has_warning(r, "INV-4"), "%s", r->body);
    http_free(r);

    for (int i = 0; i < 2; i++) {
        cr_assert(listed_short_notice(&p, ids[i]), "judged short notice");
        cr_assert_eq(invitation_version(ids[i]), 1, "the invitation itself did not change");
    }
    cr_assert_eq(count_for("SELECT count(DISTINCT event_id) FROM events"
                           " WHERE resource_id = $1 AND type LIKE $2",
                           ids[0], "invitation.%"), 1, "only its creation was announced");
    /* the invitee answers with the ETag they read before the meeting was scheduled */
    body = json_pack("{s:s}", "response", "accepted");
    r = respond(&p.police_officer, ids[0], body, 1);
    json_decref(body);
    cr_assert_eq(r->status, 200, "%s", r->body);
    expect_str(json_str(r->json, "status"), "accepted");
    cr_assert(json_is_true(json_object_get(r->json, "short_notice")), "%s", r->body);
    http_free(r);

    free(ids[0]);
    free(ids[1]);
    planned_free(&p);
}

Test(scheduling, INV_4_no_warning_for_a_start_30_days_ahead)
{
    planned p;
    planned_ready(&p, "professionals");
    json_t *body = schedule_body(&p, 30 * DAY, "in_person", 0);
    http_response *r =
        post_command(&p.requester, p.meeting_id, "schedule", body, etag_of(p.version));
    json_decref(body);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert(!has_warning(r, "INV-4"), "%s", r->body);
    cr_assert_eq(json_array_size(json_object_get(r->json, "warnings")), 0, "%s", r->body);
    p.version = json_int(r->json, "version");
    http_free(r);
    cr_assert(!listed_short_notice(&p, p.police_invitation));
    cr_assert(!listed_short_notice(&p, p.health_invitation));
    planned_free(&p);
}

/* --- rescheduling --- */

Test(scheduling, MTG_8_reschedule_while_scheduled)
{
    planned p;
    planned_scheduled(&p, "professionals", HOUR);
    cr_assert(listed_short_notice(&p, p.police_invitation));
    long version = p.version;

    json_t *body = schedule_body(&p, 30 * DAY, "virtual", 0);
    char start[32];
    snprintf(start, sizeof start, "%s", json_str(body, "start"));
    http_response *r =
        post_command(&p.requester, p.meeting_id, "reschedule", body, etag_of(p.version));
    json_decref(body);
    cr_assert_eq(r->status, 200, "%s", r->body);
    expect_str(json_str(r->json, "status"), "scheduled");
    cr_assert_eq(json_int(r->json, "version"), version + 1);
    char *etag = http_header(r, "ETag");
    expect_str(etag, etag_of(version + 1));
    free(etag);
    cr_assert(!has_warning(r, "INV-4"), "the new start gives enough notice: %s", r->body);
    http_free(r);
    p.version = version + 1;

    /* the new start is what everyone reads */
    r = read_meeting(&p.police_officer, p.meeting_id);
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *schedule = json_object_get(r->json, "schedule");
    const char *shown = json_str(schedule, "start");
    cr_assert(shown && strncmp(shown, start, 19) == 0, "start %s vs %s", shown, start);
    expect_str(json_str(schedule, "format"), "virtual");
    cr_assert_eq(json_int(r->json, "version"), version + 1);
    http_free(r);
    /* short notice is judged again against the new start */
    cr_assert(!listed_short_notice(&p, p.police_invitation));

    cr_assert_eq(audit_rows(p.meeting_id, "meeting.reschedule"), 1);
    cr_assert_eq(feed_events(p.meeting_id, "meeting.rescheduled"), 1);
    cr_assert_eq(feed_rows(p.meeting_id, "meeting.rescheduled"), 3);

    /* rescheduling keeps the MTG-6 checks */
    char *before = fingerprint(&p);
    body = schedule_body(&p, -HOUR, "virtual", 0);
    r = post_command(&p.requester, p.meeting_id, "reschedule", body, etag_of(p.version));
    json_decref(body);
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert(problem_has_rule(r, "MTG-6", "start"), "%s", r->body);
    http_free(r);
    expect_nothing_changed(&p, before);
    free(before);
    planned_free(&p);
}

Test(scheduling, MTG_8_reschedule_of_an_authorised_meeting_409)
{
    planned p;
    planned_ready(&p, "professionals");
    json_t *body = schedule_body(&p, DAY, "in_person", 0);
    char *before = fingerprint(&p);
    http_response *r =
        post_command(&p.requester, p.meeting_id, "reschedule", body, etag_of(p.version));
    expect_problem(r, 409, "/problems/invalid-state");
    cr_assert(problem_has_rule(r, "MTG-8", "status"), "%s", r->body);
    http_free(r);
    expect_nothing_changed(&p, before);
    expect_stored_status(p.meeting_id, "authorised");
    free(before);
    json_decref(body);
    planned_free(&p);
}

/* --- attendance --- */

Test(scheduling, MTG_8_attendance_marks_each_invitation)
{
    planned p;
    planned_scheduled(&p, "professionals", HOUR);
    char *education = agency_new("education");
    person teacher = person_new(education, "practitioner");
    char *teacher_invitation = invite_ok(&p, &teacher);
    long version = p.version;

    json_t *entries = json_pack("[o, o, o]", mark(p.police_invitation, "present"),
                                mark(p.health_invitation, "apologies"),
                                mark(teacher_invitation, "absent"));
    http_response *r = put_attendance(&p.requester, p.meeting_id, entries, etag_of(version));
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_eq(json_int(r->json, "version"), version + 1);
    char *etag = http_header(r, "ETag");
    expect_str(etag, etag_of(version + 1));
    free(etag);
    http_free(r);
    p.version = version + 1;

    expect_listed_attendance(&p.requester, &p, p.police_invitation, "present");
    expect_listed_attendance(&p.requester, &p, p.health_invitation, "apologies");
    expect_listed_attendance(&p.requester, &p, teacher_invitation, "absent");

    /* a mark can be corrected before the meeting is held */
    entries = json_pack("[o]", mark(teacher_invitation, "present"));
    r = put_attendance(&p.requester, p.meeting_id, entries, etag_of(p.version));
    cr_assert_eq(r->status, 200, "%s", r->body);
    p.version = json_int(r->json, "version");
    http_free(r);
    expect_listed_attendance(&p.requester, &p, teacher_invitation, "present");
    expect_listed_attendance(&p.requester, &p, p.police_invitation, "present");
    cr_assert_eq(audit_rows(p.meeting_id, "meeting.attendance"), 2);
    cr_assert_eq(feed_events(p.meeting_id, "meeting.attendance_recorded"), 2);

    free(teacher_invitation);
    person_free(&teacher);
    free(education);
    planned_free(&p);
}

Test(scheduling, MTG_8_attendance_for_an_unknown_invitation_422_marks_nothing)
{
    planned p;
    planned_scheduled(&p, "professionals", HOUR);
    planned elsewhere;
    planned_authorised(&elsewhere, "professionals");
    planned_invite_agencies(&elsewhere);
    char *before = fingerprint(&p);

    /* an id that is no invitation at all */
    json_t *entries = json_pack("[o, o]", mark(p.police_invitation, "present"),
                                mark("00000000-0000-4000-8000-000000000000", "absent"));
    http_response *r = put_attendance(&p.requester, p.meeting_id, entries, etag_of(p.version));
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert(problem_has_rule(r, "MTG-8", "entries[1].invitation_id"), "%s", r->body);
    cr_assert_eq(error_count(r), 1, "%s", r->body);
    http_free(r);
    expect_nothing_changed(&p, before);
    expect_stored_attendance(p.police_invitation, "(none)");

    /* an invitation to another meeting */
    entries = json_pack("[o, o]", mark(elsewhere.health_invitation, "present"),
                        mark(p.health_invitation, "present"));
    r = put_attendance(&p.requester, p.meeting_id, entries, etag_of(p.version));
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert(problem_has_rule(r, "MTG-8", "entries[0].invitation_id"), "%s", r->body);
    cr_assert_eq(error_count(r), 1, "%s", r->body);
    http_free(r);
    expect_nothing_changed(&p, before);
    expect_stored_attendance(p.health_invitation, "(none)");
    expect_stored_attendance(elsewhere.health_invitation, "(none)");

    free(before);
    planned_free(&elsewhere);
    planned_free(&p);
}

Test(scheduling, SEC_6_attendance_of_wrong_shape_400)
{
    planned p;
    planned_scheduled(&p, "professionals", HOUR);
    char *before = fingerprint(&p);

    json_t *entries = json_pack("[o, {s:s, s:s}, s]", mark(p.police_invitation, "late"),
                                "invitation_id", "not-a-uuid", "attendance", "present",
                                "plain string");
    http_response *r = put_attendance(&p.requester, p.meeting_id, entries, etag_of(p.version));
    expect_problem(r, 400, "/problems/invalid-request");
    cr_assert(problem_has_field(r, "entries[0].attendance"), "%s", r->body);
    cr_assert(problem_has_field(r, "entries[1].invitation_id"), "%s", r->body);
    cr_assert(problem_has_field(r, "entries[2]"), "%s", r->body);
    http_free(r);
    expect_nothing_changed(&p, before);
    expect_stored_attendance(p.police_invitation, "(none)");

    free(before);
    planned_free(&p);
}

Test(scheduling, SEC_2_SEC_3_attendance_by_a_stranger_404_by_an_invitee_403)
{
    planned p;
    planned_scheduled(&p, "professionals", HOUR);
    char *other = agency_new("housing");
    person stranger = person_new(other, "manager");
    char *before = fingerprint(&p);
    char *before_other = db_fingerprint(other);

    json_t *entries = json_pack("[o]", mark(p.police_invitation, "present"));
    http_response *r = put_attendance(&stranger, p.meeting_id, entries, etag_of(p.version));
    expect_problem(r, 404, "/problems/not-found");
    expect_no_errors(r);
    http_free(r);
    expect_nothing_changed(&p, before);
    expect_unchanged(other, before_other);

    /* an invitee sees the meeting but does not record attendance */
    entries = json_pack("[o]", mark(p.police_invitation, "present"));
    r = put_attendance(&p.police_officer, p.meeting_id, entries, etag_of(p.version));
    expect_problem(r, 403, "/problems/forbidden");
    expect_no_errors(r);
    http_free(r);
    expect_nothing_changed(&p, before);
    expect_stored_attendance(p.police_invitation, "(none)");

    free(before);
    free(before_other);
    person_free(&stranger);
    free(other);
    planned_free(&p);
}

/* A chair from outside the convening agency runs the meeting: records
 * attendance and holds it (MTG-8), and can see it (SEC-2). */
Test(scheduling, MTG_8_SEC_2_chair_records_attendance_and_holds)
{
    planned p;
    planned_ready(&p, "professionals");
    char *independent = agency_new("other");
    person chair = person_new(independent, "senior_practitioner");
    json_t *body = schedule_body(&p, 3, "in_person", 0);
    set_person(body, "chair", &chair, "senior_practitioner");
    schedule_ok(&p, body);
    json_decref(body);

    mark_both(&p, &chair, "present", "absent");
    expect_listed_attendance(&chair, &p, p.police_invitation, "present");
    expect_listed_attendance(&chair, &p, p.health_invitation, "absent");

    clock_past_start(p.meeting_id);
    http_response *r = hold(&chair, p.meeting_id, p.version);
    cr_assert_eq(r->status, 200, "%s", r->body);
    expect_str(json_str(r->json, "status"), "held");
    http_free(r);
    const char *params[] = {p.meeting_id};
    char *held_by = db_value("SELECT held_by_sub FROM meetings WHERE id = $1", 1, params);
    expect_str(held_by, chair.who.sub);
    free(held_by);

    person_free(&chair);
    free(independent);
    planned_free(&p);
}

/* --- holding (MTG-8) --- */

Test(scheduling, MTG_8_hold_before_the_start_refused)
{
    planned p;
    planned_scheduled(&p, "professionals", HOUR);
    mark_both(&p, &p.requester, "present", "present");
    char *before = fingerprint(&p);
    http_response *r = hold(&p.requester, p.meeting_id, p.version);
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert(problem_has_rule(r, "MTG-8", "status"), "%s", r->body);
    cr_assert_eq(error_count(r), 1, "%s", r->body);
    http_free(r);
    expect_nothing_changed(&p, before);
    expect_stored_status(p.meeting_id, "scheduled");
    free(before);
    planned_free(&p);
}

/* --- FAM-9 and MTG-7 at the hold --- */

/* The fingerprint of the planned meeting's agencies and one more. */
static char *fingerprint_with(const planned *p, const char *agency)
{
    char *a = fingerprint(p), *b = db_fingerprint(agency);
    size_t n = strlen(a) + strlen(b) + 4;
    char *out = malloc(n);
    snprintf(out, n, "%s | %s", a, b);
    free(a);
    free(b);
    return out;
}

static void expect_nothing_changed_with(const planned *p, const char *agency, const char *before)
{
    char *after = fingerprint_with(p, agency);
    cr_assert_str_eq(after, before, "the database changed: %s -> %s", before, after);
    free(after);
}

/* Marks three invitations; fails the test if refused. */
static void mark_three(planned *p, const char *a, const char *a_mark, const char *b,
                       const char *b_mark, const char *c, const char *c_mark)
{
    json_t *entries = json_pack("[o, o, o]", mark(a, a_mark), mark(b, b_mark), mark(c, c_mark));
    http_response *r = put_attendance(&p->requester, p->meeting_id, entries, etag_of(p->version));
    cr_assert_eq(r->status, 200, "recording attendance: %ld %s", r->status, r->body);
    p->version = json_int(r->json, "version");
    http_free(r);
}

/* An agreed decision not to inform the family, the meeting scheduled an
 * hour ahead by the test clock, and a school invited afterwards (which
 * re-opens the decision, FAM-2); all three marked present. */
static char *reopened_after_scheduling(planned *p, char **school, person *teacher,
                                       char **school_invitation)
{
    test_clock_set(time(NULL));
    planned_authorised(p, "professionals");
    planned_invite_agencies(p);
    char *decision = decide_not_inform(p);
    agree_ok(&p->police_officer, decision, true, "pending_agreement");
    agree_ok(&p->health_visitor, decision, true, "agreed");
    json_t *body = schedule_body(p, HOUR, "in_person", 0);
    schedule_ok(p, body);
    json_decref(body);

    *school = agency_new("education");
    *teacher = person_new(*school, "practitioner");
    body = invitation_body(teacher, "Share school attendance");
    http_response *r = invite(&p->requester, p->meeting_id, body);
    json_decref(body);
    cr_assert_eq(r->status, 201, "%s", r->body);
    cr_assert(has_warning(r, "FAM-2"), "the invitation re-opens the decision: %s", r->body);
    *school_invitation = strdup(json_str(r->json, "id"));
    http_free(r);
    mark_three(p, p->police_invitation, "present", p->health_invitation, "present",
               *school_invitation, "present");
    test_clock_advance(2 * HOUR);
    return decision;
}

Test(scheduling, FAM_9_agency_invited_after_scheduling_blocks_the_hold_until_it_agrees)
{
    planned p;
    char *school, *school_invitation;
    person teacher;
    char *decision = reopened_after_scheduling(&p, &school, &teacher, &school_invitation);

    char *before = fingerprint_with(&p, school);
    http_response *r = hold(&p.manager, p.meeting_id, p.version);
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert_eq(rule_count(r, "FAM-9", "family_notice"), 1, "%s", r->body);
    cr_assert(error_says(r, "FAM-9", school), "names the agency it awaits: %s", r->body);
    cr_assert_eq(error_count(r), 1, "%s", r->body);
    http_free(r);
    expect_nothing_changed_with(&p, school, before);
    expect_stored_status(p.meeting_id, "scheduled");
    free(before);

    /* the school agrees: the decision is in effect again, and the meeting is held */
    agree_ok(&teacher, decision, true, "agreed");
    r = hold(&p.manager, p.meeting_id, p.version);
    cr_assert_eq(r->status, 200, "%s", r->body);
    expect_str(json_str(r->json, "status"), "held");
    http_free(r);
    expect_stored_status(p.meeting_id, "held");
    cr_assert_eq(audit_rows(p.meeting_id, "meeting.hold"), 1);
    cr_assert_eq(feed_events(p.meeting_id, "meeting.held"), 1);

    free(decision);
    free(school);
    free(school_invitation);
    person_free(&teacher);
    planned_free(&p);
}

Test(scheduling, FAM_9_disputed_decision_blocks_the_hold)
{
    planned p;
    char *school, *school_invitation;
    person teacher;
    char *decision = reopened_after_scheduling(&p, &school, &teacher, &school_invitation);
    agree_ok(&teacher, decision, false, "disputed");

    char *before = fingerprint_with(&p, school);
    http_response *r = hold(&p.manager, p.meeting_id, p.version);
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert_eq(rule_count(r, "FAM-9", "family_notice"), 1, "%s", r->body);
    cr_assert(error_says(r, "FAM-9", "disputed"), "%s", r->body);
    http_free(r);
    expect_nothing_changed_with(&p, school, before);
    expect_stored_status(p.meeting_id, "scheduled");

    free(before);
    free(decision);
    free(school);
    free(school_invitation);
    person_free(&teacher);
    planned_free(&p);
}

/* A parent invited to part 2 (the family informed), and then, as data made
 * before FAM-9 could be, a decision not to inform recorded over it. */
static char *parent_under_legacy_not_inform(planned *p)
{
    test_clock_set(time(NULL));
    planned_authorised(p, "professionals");
    planned_invite_agencies(p);
    planned_inform_family(p);
    planned_schedule(p, HOUR, "in_person", 1);
    json_t *body = json_pack("{s:s, s:{s:s, s:s}, s:s, s:s, s:s}", "category", "parent_carer",
                             "invitee", "name", "Jo Example", "contact",
                             "jo.example@example.invalid", "role", "Share the family's view",
                             "invited_by", "The social worker, by phone", "support_needs", "none");
    http_response *r = invite(&p->requester, p->meeting_id, body);
    json_decref(body);
    cr_assert_eq(r->status, 201, "%s", r->body);
    char *parent = strdup(json_str(r->json, "id"));
    http_free(r);
    const char *params[] = {p->meeting_id, p->csc};
    char *id = db_value("INSERT INTO consent_decisions (meeting_id, kind, decision, grounds,"
                        " rationale, decided_by_sub, decided_by_name, decided_by_agency)"
                        " VALUES ($1, 'family_notice', 'not_inform',"
                        " ARRAY['significant_harm_if_known'], 'Recorded before FAM-9',"
                        " 'legacy-manager', 'A manager', $2) RETURNING id",
                        2, params);
    free(id);
    return parent;
}

Test(scheduling, FAM_9_parent_cannot_be_marked_present_under_not_inform)
{
    planned p;
    char *parent = parent_under_legacy_not_inform(&p);

    char *before = fingerprint(&p);
    json_t *entries = json_pack("[o, o, o]", mark(p.police_invitation, "present"),
                                mark(p.health_invitation, "present"), mark(parent, "present"));
    http_response *r = put_attendance(&p.requester, p.meeting_id, entries, etag_of(p.version));
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert_eq(rule_count(r, "FAM-9", "entries[2].attendance"), 1, "%s", r->body);
    cr_assert_eq(error_count(r), 1, "%s", r->body);
    http_free(r);
    expect_nothing_changed(&p, before);
    expect_stored_attendance(p.police_invitation, "(none)");
    expect_stored_attendance(parent, "(none)");
    free(before);

    /* absent may be recorded; the hold then wants the invitation withdrawn and the
     * decision agreed */
    mark_three(&p, p.police_invitation, "present", p.health_invitation, "present", parent,
               "absent");
    test_clock_advance(2 * HOUR);
    before = fingerprint(&p);
    r = hold(&p.manager, p.meeting_id, p.version);
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert_eq(rule_count(r, "FAM-9", "invitations"), 1, "%s", r->body);
    cr_assert_eq(rule_count(r, "FAM-9", "family_notice"), 1, "%s", r->body);
    http_free(r);
    expect_nothing_changed(&p, before);
    free(before);

    char path[128];
    snprintf(path, sizeof path, "/v1/invitations/%s/withdraw", parent);
    json_t *body = json_pack("{s:s}", "reason", "The family is now not to be told of the meeting");
    r = api_call("POST", path, p.requester.token, body, "\"2\"");
    json_decref(body);
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    const char *params[] = {p.meeting_id};
    char *decision = db_value("SELECT id FROM consent_decisions WHERE meeting_id = $1"
                              " AND kind = 'family_notice' ORDER BY seq DESC LIMIT 1",
                              1, params);
    agree_ok(&p.police_officer, decision, true, "pending_agreement");
    agree_ok(&p.health_visitor, decision, true, "agreed");
    r = hold(&p.manager, p.meeting_id, p.version);
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);

    free(decision);
    free(parent);
    planned_free(&p);
}

/* A strategy discussion scheduled an hour ahead by the test clock. */
static void strategy_scheduled(planned *p)
{
    test_clock_set(time(NULL));
    planned_authorised(p, "strategy_discussion");
    planned_invite_agencies(p);
    planned_inform_family(p);
    planned_schedule(p, HOUR, "phone", -1);
}

Test(scheduling, MTG_7_strategy_discussion_held_without_police_refused)
{
    planned p;
    strategy_scheduled(&p);
    /* the police decline, and are marked absent */
    const char *params[] = {p.police_invitation};
    long version = db_long("SELECT version FROM invitations WHERE id = $1", 1, params);
    json_t *body = json_pack("{s:s, s:s}", "response", "declined", "reason",
                             "No officer is free this afternoon");
    http_response *r = respond(&p.police_officer, p.police_invitation, body, version);
    json_decref(body);
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    mark_both(&p, &p.requester, "absent", "present");
    test_clock_advance(2 * HOUR);

    char *before = fingerprint(&p);
    r = hold(&p.manager, p.meeting_id, p.version);
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert_eq(rule_count(r, "MTG-7", "attendance"), 1, "%s", r->body);
    cr_assert(error_says(r, "MTG-7", "police"), "names the police: %s", r->body);
    cr_assert_eq(error_count(r), 1, "%s", r->body);
    http_free(r);
    expect_nothing_changed(&p, before);
    expect_stored_status(p.meeting_id, "scheduled");
    free(before);
    planned_free(&p);
}

Test(scheduling, MTG_7_strategy_discussion_held_with_all_three_present)
{
    planned p;
    strategy_scheduled(&p);
    mark_both(&p, &p.requester, "present", "present");
    test_clock_advance(2 * HOUR);
    http_response *r = hold(&p.manager, p.meeting_id, p.version);
    cr_assert_eq(r->status, 200, "%s", r->body);
    expect_str(json_str(r->json, "status"), "held");
    http_free(r);
    expect_stored_status(p.meeting_id, "held");
    cr_assert_eq(audit_rows(p.meeting_id, "meeting.hold"), 1);
    planned_free(&p);
}

Test(scheduling, MTG_8_hold_with_an_unmarked_invitation_refused)
{
    planned p;
    planned_scheduled(&p, "professionals", 3);
    json_t *entries = json_pack("[o]", mark(p.police_invitation, "present"));
    http_response *r = put_attendance(&p.requester, p.meeting_id, entries, etag_of(p.version));
    cr_assert_eq(r->status, 200, "%s", r->body);
    p.version = json_int(r->json, "version");
    http_free(r);
    clock_past_start(p.meeting_id);

    char *before = fingerprint(&p);
    r = hold(&p.requester, p.meeting_id, p.version);
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert(problem_has_rule(r, "MTG-8", "attendance"), "%s", r->body);
    cr_assert(error_says(r, "MTG-8", "1 of 2"), "%s", r->body);
    cr_assert_eq(error_count(r), 1, "the start has passed: %s", r->body);
    http_free(r);
    expect_nothing_changed(&p, before);
    expect_stored_status(p.meeting_id, "scheduled");
    free(before);
    planned_free(&p);
}

Test(scheduling, MTG_8_hold_before_the_start_and_unmarked_lists_both)
{
    planned p;
    planned_scheduled(&p, "professionals", HOUR);
    char *before = fingerprint(&p);
    http_response *r = hold(&p.manager, p.meeting_id, p.version);
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert(problem_has_rule(r, "MTG-8", "status"), "%s", r->body);
    cr_assert(problem_has_rule(r, "MTG-8", "attendance"), "%s", r->body);
    cr_assert(error_says(r, "MTG-8", "2 of 2"), "%s", r->body);
    cr_assert_eq(error_count(r), 2, "%s", r->body);
    http_free(r);
    expect_nothing_changed(&p, before);
    expect_stored_status(p.meeting_id, "scheduled");
    free(before);
    planned_free(&p);
}

Test(scheduling, MTG_8_held_meeting_cannot_be_held_again_cancelled_or_changed)
{
    planned p;
    planned_scheduled(&p, "professionals", 3);
    mark_both(&p, &p.requester, "present", "apologies");
    clock_past_start(p.meeting_id);
    http_response *r = hold(&p.requester, p.meeting_id, p.version);
    cr_assert_eq(r->status, 200, "%s", r->body);
    expect_str(json_str(r->json, "status"), "held");
    const char *held_at = json_str(r->json, "held_at");
    cr_assert(held_at && *held_at, "held_at is set: %s", r->body);
    p.version = json_int(r->json, "version");
    http_free(r);

    char *before = fingerprint(&p);
    /* held twice */
    r = hold(&p.requester, p.meeting_id, p.version);
    expect_problem(r, 409, "/problems/invalid-state");
    cr_assert(problem_has_rule(r, "MTG-8", "status"), "%s", r->body);
    http_free(r);
    expect_nothing_changed(&p, before);

    /* cancelled once held */
    json_t *reason = json_pack("{s:s}", "reason", "No longer needed");
    r = post_command(&p.requester, p.meeting_id, "cancel", reason, etag_of(p.version));
    json_decref(reason);
    expect_problem(r, 409, "/problems/invalid-state");
    cr_assert(problem_has_rule(r, "MTG-8", "status"), "%s", r->body);
    http_free(r);
    expect_nothing_changed(&p, before);

    /* attendance and the schedule are settled once held */
    json_t *entries = json_pack("[o]", mark(p.health_invitation, "absent"));
    r = put_attendance(&p.requester, p.meeting_id, entries, etag_of(p.version));
    expect_problem(r, 409, "/problems/invalid-state");
    cr_assert(problem_has_rule(r, "MTG-8", "status"), "%s", r->body);
    http_free(r);
    expect_nothing_changed(&p, before);
    expect_stored_attendance(p.health_invitation, "apologies");

    json_t *body = schedule_body(&p, DAY, "in_person", 0);
    r = post_command(&p.requester, p.meeting_id, "reschedule", body, etag_of(p.version));
    json_decref(body);
    expect_problem(r, 409, "/problems/invalid-state");
    cr_assert(problem_has_rule(r, "MTG-8", "status"), "%s", r->body);
    http_free(r);
    expect_nothing_changed(&p, before);
    expect_stored_status(p.meeting_id, "held");

    cr_assert_eq(audit_rows(p.meeting_id, "meeting.hold"), 1);
    cr_assert_eq(feed_events(p.meeting_id, "meeting.held"), 1);
    free(before);
    planned_free(&p);
}

/* --- SEC-2: who sees a scheduled meeting --- */

Test(scheduling, SEC_2_chair_and_minute_taker_see_the_meeting_once_scheduled)
{
    planned p;
    planned_ready(&p, "professionals");
    char *chair_agency = agency_new("probation");
    char *taker_agency = agency_new("youth_justice");
    char *uninvited = agency_new("education");
    person chair = person_new(chair_agency, "senior_manager");
    person minute_taker = person_new(taker_agency, "practitioner");
    person outsider = person_new(uninvited, "practitioner");

    const person *runners[] = {&chair, &minute_taker};
    for (int i = 0; i < 2; i++) {
        http_response *r = read_meeting(runners[i], p.meeting_id);
        expect_problem(r, 404, "/problems/not-found");
        expect_no_errors(r);
        http_free(r);
    }

    json_t *body = schedule_body(&p, DAY, "virtual", 0);
    set_person(body, "chair", &chair, "senior_manager");
    set_person(body, "minute_taker", &minute_taker, NULL);
    schedule_ok(&p, body);
    json_decref(body);

    for (int i = 0; i < 2; i++) {
        http_response *r = read_meeting(runners[i], p.meeting_id);
        cr_assert_eq(r->status, 200, "%s", r->body);
        expect_str(json_str(r->json, "status"), "scheduled");
        http_free(r);
    }
    /* the invitees see it too; a practitioner of an agency not invited does not */
    http_response *r = read_meeting(&p.health_visitor, p.meeting_id);
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    char *before_outsider = db_fingerprint(uninvited);
    r = read_meeting(&outsider, p.meeting_id);
    expect_problem(r, 404, "/problems/not-found");
    expect_no_errors(r);
    http_free(r);
    char path[128];
    snprintf(path, sizeof path, "/v1/meetings/%s/invitations", p.meeting_id);
    r = api_get(path, outsider.token);
    expect_problem(r, 404, "/problems/not-found");
    expect_no_errors(r);
    http_free(r);
    expect_unchanged(uninvited, before_outsider);

    free(before_outsider);
    person_free(&chair);
    person_free(&minute_taker);
    person_free(&outsider);
    free(chair_agency);
    free(taker_agency);
    free(uninvited);
    planned_free(&p);
}
