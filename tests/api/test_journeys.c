/* Journeys: one meeting of each type taken from request to close over real
 * HTTP against the real database, as the practitioners of each agency would
 * run it — every step through the API, each answer checked, each next call
 * made with the ETag the caller has just read. Time moves by the test clock
 * (X-Test-Now), never by sleeping.
 *
 * - a stop and review convened by a school, authorised by its designated
 *   safeguarding lead and chaired by the child's keyworker (MTG-4, MTG-6);
 * - a two-part professionals meeting whose family copy lacks part 1
 *   (MIN-5);
 * - a professionals-only meeting held without telling the family, re-opened
 *   by an agency invited late (FAM-2, FAM-9);
 * - a same-day strategy discussion with domestic abuse among the risks
 *   (INV-8, MTG-7, MIN-6, ACT-4);
 * - a multi-agency meeting followed to its review date (MIN-2, MTG-12).
 *
 * Each ends closed (MTG-8), its audit rows and feed events counted. Every
 * refusal met on the way is checked for its problem+json, the rule and the
 * leaf field it names, and the meeting with everything under it
 * (db_meeting_digest) left as it was. The people and agencies are
 * fictional and made fresh for each journey. */
#include <criterion/criterion.h>
#include <stdarg.h>
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

#define HOUR 3600L
#define DAY 86400L
#define SCP "strategy_considerations."

/* --- steps --- */

/* One call of a journey (body taken, if_match may be NULL) that must get
 * `status`; returns the answer's JSON (a new reference). */
static json_t *step(const char *what, const person *by, const char *method, const char *path,
                    json_t *body, const char *if_match, long status)
{
    http_response *r = api_call(method, path, by->token, body, if_match);
    json_decref(body);
    cr_assert_eq(r->status, status, "%s: %s %s answered %ld: %s", what, method, path, r->status,
                 r->body);
    json_t *j = json_incref(r->json);
    http_free(r);
    return j;
}

/* A call the service must refuse with `status`, problem `type`, an error of
 * `rule` on `field`, and the meeting and all under it as they were; returns
 * the answer for further checks (http_free it). */
static http_response *refused(const char *what, const person *by, const char *method,
                              const char *path, json_t *body, const char *if_match, long status,
                              const char *type, const char *rule, const char *field,
                              const char *meeting_id)
{
    char *before = db_meeting_digest(meeting_id);
    http_response *r = api_call(method, path, by->token, body, if_match);
    json_decref(body);
    expect_problem(r, status, type);
    cr_assert(problem_has_rule(r, rule, field), "%s: expected %s on '%s': %s", what, rule, field,
              r->body);
    char *after = db_meeting_digest(meeting_id);
    cr_assert_str_eq(after, before, "%s: the refusal changed the database", what);
    free(before);
    free(after);
    return r;
}

static void expect_str(const char *got, const char *want)
{
    cr_assert(got && strcmp(got, want) == 0, "expected '%s', got '%s'", want,
              got ? got : "(null)");
}

/* The warning of this rule in an answer, or NULL. */
static json_t *warning_of(json_t *answer, const char *rule)
{
    size_t i;
    json_t *w;
    json_array_foreach(json_object_get(answer, "warnings"), i, w) {
        if (strcmp(json_str(w, "rule"), rule) == 0)
            return w;
    }
    return NULL;
}

/* "/v1/<collection>/<id><rest>" in a static buffer, valid until the next
 * call. */
static const char *path_of(const char *collection, const char *id, const char *rest)
{
    static char path[256];
    snprintf(path, sizeof path, "/v1/%s/%s%s", collection, id, rest ? rest : "");
    return path;
}

#define MEETING(id, rest) path_of("meetings", id, rest)
#define INVITATION(id, rest) path_of("invitations", id, rest)
#define DECISION(id, rest) path_of("consent-decisions", id, rest)

/* The meeting as `by` reads it (a new reference). */
static json_t *meeting_read(const person *by, const char *meeting_id)
{
    return step("reading the meeting", by, "GET", MEETING(meeting_id, NULL), NULL, NULL, 200);
}

/* The meeting's ETag, read by `by` just before they act on it. */
static void meeting_etag(const person *by, const char *meeting_id, char etag[32])
{
    json_t *m = meeting_read(by, meeting_id);
    snprintf(etag, 32, "\"%ld\"", json_int(m, "version"));
    json_decref(m);
}

static const char *status_of(const person *by, const char *meeting_id)
{
    static char status[32];
    json_t *m = meeting_read(by, meeting_id);
    snprintf(status, sizeof status, "%s", json_str(m, "status"));
    json_decref(m);
    return status;
}

/* --- planning --- */

/* A meeting of `type` requested by `by` on `criterion` (a new id). */
static char *requested(const person *by, const char *type, const char *criterion)
{
    json_t *body = meeting_body(type);
    json_object_set_new(body, "criteria", json_pack("[s]", criterion));
    json_t *m = step("requesting", by, "POST", "/v1/meetings", body, NULL, 201);
    expect_str(json_str(m, "status"), "requested");
    expect_str(json_str(m, "convening_agency"), by->who.agency);
    char *id = strdup(json_str(m, "id"));
    json_decref(m);
    return id;
}

/* The request authorised by `by`, who has just read it (MTG-4). */
static void authorised(const person *by, const char *meeting_id)
{
    char etag[32];
    meeting_etag(by, meeting_id, etag);
    json_t *m = step("authorising", by, "POST", MEETING(meeting_id, "/authorise"), NULL, etag,
                     200);
    expect_str(json_str(m, "status"), "authorised");
    json_t *decision = json_object_get(m, "decision");
    expect_str(json_str(decision, "outcome"), "authorised");
    expect_str(json_str(json_object_get(decision, "by"), "sub"), by->who.sub);
    json_decref(m);
}

/* `invitee` invited by `by` for their agency; returns the invitation's id
 * (a new string) and, in *answer when not NULL, the whole answer. */
static char *invited(const person *by, const char *meeting_id, const person *invitee,
                     const char *role, json_t **answer)
{
    json_t *inv = step("inviting", by, "POST", MEETING(meeting_id, "/invitations"),
                       invitation_body(invitee, role), NULL, 201);
    expect_str(json_str(inv, "status"), "invited");
    char *id = strdup(json_str(inv, "id"));
    if (answer)
        *answer = inv;
    else
        json_decref(inv);
    return id;
}

/* A family-notice or sharing decision recorded by `by` (body taken);
 * returns the decision (a new reference). */
static json_t *decided(const person *by, const char *meeting_id, json_t *body)
{
    return step("deciding", by, "POST", MEETING(meeting_id, "/consent-decisions"), body, NULL,
                201);
}

/* `by` agrees, for their agency, with the decision not to inform; returns
 * the decision's status after it. */
static const char *agreed(const person *by, const char *decision_id)
{
    static char status[32];
    json_t *d = step("agreeing", by, "POST", DECISION(decision_id, "/agreements"),
                     json_pack("{s:b}", "agrees", 1), NULL, 201);
    snprintf(status, sizeof status, "%s", json_str(d, "status"));
    json_decref(d);
    return status;
}

static json_t *chair_of(const person *chair, const char *role, const char *child_role)
{
    json_t *c = json_pack("{s:s, s:s, s:s, s:s}", "sub", chair->who.sub, "name", chair->who.name,
                          "agency", chair->who.agency, "role", role);
    if (child_role)
        json_object_set_new(c, "child_role", json_string(child_role));
    return c;
}

/* Schedules the meeting `seconds` ahead (by the test clock) as `by`;
 * returns the answer (a new reference), with its warnings. */
static json_t *scheduled(const person *by, const char *meeting_id, long seconds,
                         const char *format, bool two_part, json_t *chair,
                         const person *minute_taker)
{
    char start[32];
    time_from_now(seconds, start);
    json_t *body = json_pack("{s:s, s:i, s:s, s:o, s:{s:s, s:s, s:s}, s:b}", "start", start,
                             "duration_minutes", 90, "format", format, "chair", chair,
                             "minute_taker", "sub", minute_taker->who.sub, "name",
                             minute_taker->who.name, "agency", minute_taker->who.agency,
                             "two_part", two_part);
    if (strcmp(format, "in_person") == 0 || strcmp(format, "hybrid") == 0)
        json_object_set_new(body, "venue", json_string("Meeting room 2, Example House"));
    char etag[32];
    meeting_etag(by, meeting_id, etag);
    json_t *m = step("scheduling", by, "POST", MEETING(meeting_id, "/schedule"), body, etag, 200);
    expect_str(json_str(m, "status"), "scheduled");
    return m;
}

/* The invitation answered by `by` (answer taken) with the ETag they have
 * just read; returns the invitation as answered (a new reference). */
static json_t *answered(const person *by, const char *invitation_id, json_t *answer)
{
    json_t *inv = step("reading the invitation", by, "GET", INVITATION(invitation_id, NULL), NULL,
                       NULL, 200);
    char etag[32];
    snprintf(etag, sizeof etag, "\"%ld\"", json_int(inv, "version"));
    json_decref(inv);
    return step("answering", by, "POST", INVITATION(invitation_id, "/respond"), answer, etag,
                200);
}

static json_t *accept_online(void)
{
    return json_pack("{s:s, s:b}", "response", "accepted", "technology_access_confirmed", 1);
}

static json_t *apologies(const char *contribution)
{
    return json_pack("{s:s, s:s}", "response", "apologies", "contribution", contribution);
}

/* Attendance recorded by `by`: pairs of invitation id and mark, NULL-ended. */
static void attendance(const person *by, const char *meeting_id, ...)
{
    json_t *entries = json_array();
    va_list ap;
    va_start(ap, meeting_id);
    for (const char *id = va_arg(ap, const char *); id; id = va_arg(ap, const char *)) {
        const char *mark = va_arg(ap, const char *);
        json_array_append_new(entries,
                              json_pack("{s:s, s:s}", "invitation_id", id, "attendance", mark));
    }
    va_end(ap);
    char etag[32];
    meeting_etag(by, meeting_id, etag);
    json_t *m = step("recording attendance", by, "PUT", MEETING(meeting_id, "/attendance"),
                     json_pack("{s:o}", "entries", entries), etag, 200);
    json_decref(m);
}

/* Held by `by` once the test clock has passed its start (MTG-8). */
static void held(const person *by, const char *meeting_id)
{
    clock_past_start(meeting_id);
    char etag[32];
    meeting_etag(by, meeting_id, etag);
    json_t *m = step("holding", by, "POST", MEETING(meeting_id, "/hold"), NULL, etag, 200);
    expect_str(json_str(m, "status"), "held");
    cr_assert(json_str(m, "held_at"), "held_at");
    json_decref(m);
}

/* --- the minutes --- */

/* Minutes of the held meeting with every part approval asks of it, from the
 * shared builder (tests/support/minutes.h): read by `minute_taker` (the
 * plan's coordinator), one attendance entry per invitation with the mark
 * recorded, the family's presence as the marks say (FAM-6); the action
 * plan's items owned by `a`, `b` and the minute taker. */
static json_t *minutes_of(const char *meeting_id, const person *minute_taker, const person *a,
                          const person *b, const minutes_opts *o)
{
    planned view;
    memset(&view, 0, sizeof view);
    view.meeting_id = (char *)meeting_id;
    view.requester = *minute_taker;
    view.police_officer = *a;
    view.health_visitor = *b;
    return minutes_complete(&view, o);
}

/* The draft written by `by` (doc borrowed): the first (version 0) or an
 * edit of the draft at `version`; returns the new version. */
static long minutes_written(const person *by, const char *meeting_id, json_t *doc, long version)
{
    json_t *v = step("writing the minutes", by, "PUT", MEETING(meeting_id, "/minutes"),
                     json_incref(doc), version ? etag_of(version) : NULL, version ? 200 : 201);
    expect_str(json_str(v, "status"), "draft");
    long out = json_int(v, "version");
    json_decref(v);
    return out;
}

/* Approved by the chair; returns the approved version (a new reference). */
static json_t *minutes_approved(const person *chair, const char *meeting_id, long version)
{
    json_t *v = step("approving the minutes", chair, "POST",
                     MEETING(meeting_id, "/minutes/approve"), NULL, etag_of(version), 200);
    expect_str(json_str(v, "status"), "approved");
    expect_str(json_str(json_object_get(v, "approved_by"), "sub"), chair->who.sub);
    return v;
}

static json_t *recipient(const char *name, const char *agency, const char *category)
{
    json_t *x = json_pack("{s:s, s:s, s:s}", "name", name, "category", category, "contact",
                          "records@example.invalid");
    if (agency)
        json_object_set_new(x, "agency", json_string(agency));
    return x;
}

/* The distribution recorded by `by` (recipients taken); returns the
 * minutes with their distribution (a new reference). */
static json_t *distributed(const person *by, const char *meeting_id, json_t *recipients)
{
    return step("distributing the minutes", by, "POST",
                MEETING(meeting_id, "/minutes/distribution"),
                json_pack("{s:o}", "recipients", recipients), NULL, 201);
}

static json_t *share(void)
{
    return json_pack("{s:s, s:s}", "kind", "minutes_sharing", "decision", "share");
}

static json_t *withhold(const char *rationale)
{
    return json_pack("{s:s, s:s, s:s}", "kind", "minutes_sharing", "decision", "withhold",
                     "rationale", rationale);
}

/* The meeting's actions of `kind`, as `by` lists them; *count says how
 * many; returns the first (a new reference) or NULL. */
static json_t *action_of_kind(const person *by, const char *meeting_id, const char *kind,
                              int *count)
{
    char path[160];
    snprintf(path, sizeof path, "/v1/actions?meeting_id=%s&limit=200", meeting_id);
    json_t *page = step("listing the actions", by, "GET", path, NULL, NULL, 200);
    json_t *found = NULL;
    *count = 0;
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(page, "items"), i, a) {
        if (strcmp(json_str(a, "kind"), kind) == 0) {
            if (!found)
                found = json_incref(a);
            (*count)++;
        }
    }
    json_decref(page);
    return found;
}

/* --- closing, and the trail it leaves --- */

/* Closed by `by`, who has just read the meeting (MTG-8). */
static void closed(const person *by, const char *meeting_id)
{
    char etag[32];
    meeting_etag(by, meeting_id, etag);
    json_t *m = step("closing", by, "POST", MEETING(meeting_id, "/close"), NULL, etag, 200);
    expect_str(json_str(m, "status"), "closed");
    cr_assert(json_str(m, "closed_at"), "closed_at");
    json_decref(m);
    expect_str(status_of(by, meeting_id), "closed");
}

static long count2(const char *sql, const char *a, const char *b)
{
    const char *params[] = {a, b};
    return db_long(sql, 2, params);
}

/* One audit row of each command that took the meeting from request to
 * close (attendance and distribution at least once), and each step
 * announced once on the feed (INT-2, SEC-4). */
static void expect_trail(const char *meeting_id)
{
    static const char *const once[] = {"meeting.create", "meeting.authorise", "meeting.schedule",
                                       "meeting.hold",   "minutes.approve",   "meeting.close"};
    static const char *const at_least_once[] = {"meeting.attendance", "minutes.write",
                                                "minutes.distribute"};
    for (size_t i = 0; i < sizeof once / sizeof once[0]; i++)
        cr_assert_eq(count2("SELECT count(*) FROM audit_events WHERE resource_id = $1"
                            " AND action = $2",
                            meeting_id, once[i]),
                     1, "one %s audit row", once[i]);
    for (size_t i = 0; i < sizeof at_least_once / sizeof at_least_once[0]; i++)
        cr_assert_geq(count2("SELECT count(*) FROM audit_events WHERE resource_id = $1"
                             " AND action = $2",
                             meeting_id, at_least_once[i]),
                      1, "a %s audit row", at_least_once[i]);
    static const char *const events[] = {"meeting.requested", "meeting.authorised",
                                         "meeting.scheduled", "meeting.held",
                                         "minutes.approved",  "meeting.closed"};
    for (size_t i = 0; i < sizeof events / sizeof events[0]; i++)
        cr_assert_eq(count2("SELECT count(DISTINCT event_id) FROM events WHERE resource_id = $1"
                            " AND type = $2",
                            meeting_id, events[i]),
                     1, "%s announced once", events[i]);
}

/* --- calendar --- */

/* The UTC day the database recorded the hold, YYYY-MM-DD (a new string). */
static char *held_on(const char *meeting_id)
{
    const char *params[] = {meeting_id};
    return db_value("SELECT to_char((held_at AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD')"
                    " FROM meetings WHERE id = $1",
                    1, params);
}

/* The n-th working day after `day` by the service's calendar (weekends and
 * the bank holidays it lists skipped), YYYY-MM-DD (a new string). */
static char *working_days_after(const char *day, int n)
{
    char count[8];
    snprintf(count, sizeof count, "%d", n - 1);
    const char *params[] = {day, count};
    return db_value("SELECT to_char(d, 'YYYY-MM-DD') FROM generate_series($1::date + 1,"
                    " $1::date + 60, interval '1 day') AS g(d)"
                    " WHERE extract(isodow FROM d) < 6"
                    "   AND NOT EXISTS (SELECT 1 FROM bank_holidays h WHERE h.day = d::date)"
                    " ORDER BY d OFFSET $2::integer LIMIT 1",
                    2, params);
}

/* Noon UTC of a YYYY-MM-DD day, for the test clock. */
static time_t noon_of(const char *day)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    cr_assert(strptime(day, "%Y-%m-%d", &tm), "a day: %s", day);
    tm.tm_hour = 12;
    return timegm(&tm);
}

/* --- J1: stop and review, education convenes --- */

Test(journeys, JOURNEY_stop_and_review_chaired_by_the_childs_keyworker)
{
    test_clock_pin_noon();
    char *school = agency_new("education");
    char *csc = agency_new("childrens_social_care");
    char *health = agency_new("health");
    person teacher = person_new(school, "practitioner");
    person dsl = person_new(school, "safeguarding_lead");
    person keyworker = person_new(school, "practitioner");
    person social_worker = person_new(csc, "practitioner");
    person nurse = person_new(health, "practitioner");

    /* the class teacher asks for a stop and review; the school's designated
     * safeguarding lead sees the request and authorises it (MTG-4) */
    char *id = requested(&teacher, "stop_and_review", "drift_no_improved_outcomes");
    json_t *m = meeting_read(&dsl, id);
    expect_str(json_str(m, "status"), "requested");
    json_decref(m);
    authorised(&dsl, id);

    /* children's social care and the school nurse are invited; the family
     * is told (FAM-1) */
    char *sw_inv = invited(&teacher, id, &social_worker, "Share the social care picture", NULL);
    char *nurse_inv = invited(&teacher, id, &nurse, "Share the health picture", NULL);
    json_t *d = decided(&teacher, id, json_pack("{s:s}", "decision", "inform"));
    expect_str(json_str(d, "status"), "effective");
    json_decref(d);

    /* online tomorrow, the child's keyworker, a practitioner, in the chair
     * (MTG-6); neither invitee has said whether they can join (INV-5) */
    m = scheduled(&teacher, id, DAY, "virtual", false,
                  chair_of(&keyworker, "practitioner", "keyworker"), &teacher);
    json_t *chair = json_object_get(json_object_get(m, "schedule"), "chair");
    expect_str(json_str(chair, "sub"), keyworker.who.sub);
    expect_str(json_str(chair, "child_role"), "keyworker");
    json_t *w = warning_of(m, "INV-5");
    cr_assert_not_null(w, "the warning is given");
    cr_assert(strstr(json_str(w, "message"), "2 invitee(s)"), "%s", json_str(w, "message"));
    json_decref(m);

    /* each accepts, confirming the technology, with the ETag they read */
    json_t *inv = answered(&social_worker, sw_inv, accept_online());
    expect_str(json_str(inv, "status"), "accepted");
    json_decref(inv);
    inv = answered(&nurse, nurse_inv, accept_online());
    cr_assert(json_is_true(json_object_get(inv, "technology_access_confirmed")), "confirmed");
    json_decref(inv);

    /* the keyworker runs the meeting */
    attendance(&keyworker, id, sw_inv, "present", nurse_inv, "present", NULL);
    held(&keyworker, id);

    /* the teacher writes the minutes: the family was not there, so someone
     * feeds back (FAM-6); the keyworker approves them as chair */
    json_t *doc = minutes_of(id, &teacher, &social_worker, &nurse, NULL);
    cr_assert(json_is_false(json_object_get(json_object_get(doc, "family_feedback"),
                                            "family_present")),
              "no family member was invited");
    long v = minutes_written(&teacher, id, doc, 0);
    json_decref(doc);
    json_t *approved = minutes_approved(&keyworker, id, v);
    json_decref(approved);
    int n;
    json_t *a = action_of_kind(&keyworker, id, "family_feedback", &n);
    cr_assert_eq(n, 1, "the feedback to the family is tracked");
    expect_str(json_str(json_object_get(a, "owner"), "sub"), teacher.who.sub);
    json_decref(a);
    a = action_of_kind(&keyworker, id, "plan", &n);
    cr_assert_eq(n, 3, "the action plan");
    json_decref(a);

    /* the keyworker shares the minutes with the family and sends them: the
     * family's copy is their rendition, approved by the keyworker as chair */
    free(minutes_family_rendition(id, 1, &keyworker));
    d = decided(&keyworker, id, share());
    expect_str(json_str(d, "status"), "effective");
    json_decref(d);
    json_t *sent = distributed(&keyworker, id,
                               json_pack("[o, o, o]",
                                         recipient("Social care records", csc, "professional"),
                                         recipient("School nurse team", health, "professional"),
                                         recipient("The parents", NULL, "family")));
    size_t i;
    json_t *x;
    int family_rows = 0;
    json_array_foreach(json_object_get(sent, "distribution"), i, x) {
        bool family = strcmp(json_str(x, "category"), "family") == 0;
        expect_str(json_str(x, "copy"), family ? "family" : "full");
        family_rows += family;
    }
    cr_assert_eq(family_rows, 1, "one family recipient");
    json_decref(sent);

    closed(&keyworker, id);
    expect_trail(id);

    free(id);
    free(sw_inv);
    free(nurse_inv);
    person_free(&teacher);
    person_free(&dsl);
    person_free(&keyworker);
    person_free(&social_worker);
    person_free(&nurse);
    free(school);
    free(csc);
    free(health);
}

/* --- J2: a two-part professionals meeting, children's social care convenes --- */

Test(journeys, JOURNEY_two_part_professionals_meeting_family_copy_lacks_part_1)
{
    test_clock_pin_noon();
    char *csc = agency_new("childrens_social_care");
    char *police = agency_new("police");
    char *health = agency_new("health");
    person social_worker = person_new(csc, "practitioner");
    person manager = person_new(csc, "manager");
    person officer = person_new(police, "practitioner");
    person visitor = person_new(health, "practitioner");

    char *id = requested(&social_worker, "professionals", "professional_disagreement");
    authorised(&manager, id);
    char *police_inv = invited(&social_worker, id, &officer, "Share what the police know", NULL);
    char *health_inv = invited(&social_worker, id, &visitor, "Share the health picture", NULL);
    json_decref(decided(&manager, id, json_pack("{s:s}", "decision", "inform")));

    /* in person, in two parts, the manager in the chair */
    json_t *m = scheduled(&social_worker, id, HOUR, "in_person", true,
                          chair_of(&manager, "manager", NULL), &social_worker);
    cr_assert(json_is_true(json_object_get(json_object_get(m, "schedule"), "two_part")),
              "two parts");
    json_decref(m);

    /* the mother is invited to part 2 (INV-2) */
    json_t *inv = step("inviting the mother", &social_worker, "POST", MEETING(id, "/invitations"),
                       json_pack("{s:s, s:{s:s, s:s}, s:s, s:s, s:s}", "category",
                                 "parent_carer", "invitee", "name", "Mother Example", "contact",
                                 "mother@example.invalid", "role", "Parent of the child",
                                 "invited_by", social_worker.who.name, "support_needs",
                                 "An interpreter"),
                       NULL, 201);
    cr_assert_eq(json_int(inv, "part"), 2, "the family joins part 2");
    char *mother_inv = strdup(json_str(inv, "id"));
    json_decref(inv);

    /* the police accept, health sends apologies with its contribution, and
     * the convening side answers for the mother (INV-3) */
    json_decref(answered(&officer, police_inv, json_pack("{s:s}", "response", "accepted")));
    json_decref(answered(&visitor, health_inv,
                         apologies("Missed appointments since March; report attached")));
    json_decref(answered(&social_worker, mother_inv, json_pack("{s:s}", "response", "accepted")));

    attendance(&social_worker, id, police_inv, "present", health_inv, "apologies", mother_inv,
               "present", NULL);
    held(&social_worker, id);

    /* part 1, the professionals alone, carries a marker the family must
     * never receive */
    json_t *doc = minutes_of(id, &social_worker, &officer, &visitor, NULL);
    minutes_edit(doc, "part_1.discussion",
                 json_string("P1-ONLY-MARKER: the police intelligence on the partner"));
    json_t *fb = json_object_get(doc, "family_feedback");
    cr_assert(json_is_true(json_object_get(fb, "family_present")),
              "the mother was marked present (FAM-6)");
    long v = minutes_written(&social_worker, id, doc, 0);
    json_decref(doc);
    json_decref(minutes_approved(&manager, id, v));
    int n;
    json_t *a = action_of_kind(&manager, id, "family_feedback", &n);
    cr_assert_eq(n, 0, "the family was there: no feedback action");
    json_decref(a);

    /* shared with the family: the mother gets the family's copy, their
     * rendition (REN-2) */
    free(minutes_family_rendition(id, 1, &manager));
    json_decref(decided(&manager, id, share()));
    json_decref(distributed(&manager, id,
                            json_pack("[o, o, o]",
                                      recipient("Police safeguarding unit", police,
                                                "professional"),
                                      recipient("Health visiting team", health, "professional"),
                                      recipient("Mother Example", NULL, "family"))));
    http_response *r =
        api_get(MEETING(id, "/minutes/versions/1/family-copy"), social_worker.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_null(json_object_get(r->json, "part_1"), "%s", r->body);
    cr_assert_null(strstr(r->body, "P1-ONLY-MARKER"), "part 1 reached the family: %s", r->body);
    cr_assert_null(strstr(r->body, "Stable routines and school attendance"),
                   "the needs are discussed in part 1: %s", r->body);
    cr_assert_null(strstr(r->body, "Missed health appointments"), "the risks: %s", r->body);
    cr_assert_not_null(json_object_get(r->json, "part_2"), "%s", r->body);
    cr_assert_not_null(json_object_get(r->json, "outcome"), "%s", r->body);
    http_free(r);
    const char *params[] = {id};
    cr_assert_eq(db_long("SELECT count(*) FROM minutes_distribution WHERE meeting_id = $1"
                         " AND category = 'family' AND copy = 'family'",
                         1, params),
                 1);

    closed(&manager, id);
    expect_trail(id);

    free(id);
    free(police_inv);
    free(health_inv);
    free(mother_inv);
    person_free(&social_worker);
    person_free(&manager);
    person_free(&officer);
    person_free(&visitor);
    free(csc);
    free(police);
    free(health);
}

/* --- J3: professionals only, without telling the family; health convenes --- */

Test(journeys, JOURNEY_professionals_only_meeting_without_telling_the_family)
{
    test_clock_pin_noon();
    char *health = agency_new("health");
    char *csc = agency_new("childrens_social_care");
    char *police = agency_new("police");
    char *school = agency_new("education");
    person visitor = person_new(health, "practitioner");
    person manager = person_new(health, "manager");
    person social_worker = person_new(csc, "practitioner");
    person officer = person_new(police, "practitioner");
    person teacher = person_new(school, "practitioner");

    char *id = requested(&visitor, "professionals_only", "adult_hostility_or_non_compliance");
    authorised(&manager, id);
    char *sw_inv = invited(&visitor, id, &social_worker, "Share the social care picture", NULL);
    char *police_inv = invited(&visitor, id, &officer, "Share what the police know", NULL);

    /* not to inform the family: the health manager decides, the invited
     * agencies agree (FAM-2) */
    json_t *d = decided(&manager, id,
                        json_pack("{s:s, s:[s], s:s}", "decision", "not_inform", "grounds",
                                  "significant_harm_if_known", "rationale",
                                  "The father has threatened staff who raised concerns"));
    expect_str(json_str(d, "status"), "pending_agreement");
    char *decision = strdup(json_str(d, "id"));
    json_decref(d);
    expect_str(agreed(&social_worker, decision), "pending_agreement");
    expect_str(agreed(&officer, decision), "agreed");

    json_decref(scheduled(&visitor, id, DAY, "virtual", false,
                          chair_of(&manager, "manager", NULL), &visitor));
    json_decref(answered(&social_worker, sw_inv, accept_online()));
    json_t *inv = answered(&officer, police_inv,
                           json_pack("{s:s, s:s}", "response", "accepted", "technology_support",
                                     "Needs a dial-in number from the station"));
    expect_str(json_str(inv, "technology_support"), "Needs a dial-in number from the station");
    json_decref(inv);

    /* the school, invited late, re-opens the decision, and the answer says
     * so (FAM-2) */
    json_t *answer = NULL;
    char *school_inv = invited(&visitor, id, &teacher, "Share school attendance", &answer);
    json_t *w = warning_of(answer, "FAM-2");
    cr_assert_not_null(w, "the warning is given");
    expect_str(json_str(w, "field"), "invitee.agency");
    json_decref(answer);
    json_t *m = meeting_read(&visitor, id);
    expect_str(json_str(json_object_get(m, "family_notice"), "status"), "pending_agreement");
    json_decref(m);

    /* held only once the school agrees too (FAM-9) */
    attendance(&visitor, id, sw_inv, "present", police_inv, "present", school_inv, "apologies",
               NULL);
    clock_past_start(id);
    char etag[32];
    meeting_etag(&manager, id, etag);
    http_response *r = refused("holding before the school agrees", &manager, "POST",
                               MEETING(id, "/hold"), NULL, etag, 422, "/problems/rule-violated",
                               "FAM-9", "family_notice", id);
    http_free(r);
    expect_str(agreed(&teacher, decision), "agreed");
    held(&manager, id);

    /* the minutes: the family was not there (FAM-6) */
    json_t *doc = minutes_of(id, &visitor, &social_worker, &officer, NULL);
    long v = minutes_written(&visitor, id, doc, 0);
    json_decref(doc);
    json_decref(minutes_approved(&manager, id, v));
    int n;
    json_t *a = action_of_kind(&manager, id, "family_feedback", &n);
    cr_assert_eq(n, 1, "the outcome is fed back to the family");
    json_decref(a);

    /* withheld from the family; sent to each agency that came or sent
     * apologies */
    json_decref(decided(&manager, id,
                        withhold("The family is not to know of the meeting; the lead "
                                 "professional explains the plan in person")));
    json_decref(distributed(&visitor, id,
                            json_pack("[o, o, o]",
                                      recipient("Social care records", csc, "professional"),
                                      recipient("Police safeguarding unit", police,
                                                "professional"),
                                      recipient("School safeguarding team", school,
                                                "professional"))));
    closed(&manager, id);
    expect_trail(id);

    free(id);
    free(decision);
    free(sw_inv);
    free(police_inv);
    free(school_inv);
    person_free(&visitor);
    person_free(&manager);
    person_free(&social_worker);
    person_free(&officer);
    person_free(&teacher);
    free(health);
    free(csc);
    free(police);
    free(school);
}

/* --- J4: a same-day strategy discussion, children's social care convenes --- */

/* Whether the integration of an agency reads an event of `type` about
 * `resource_id` on its feed, read from its start to its end (the feed also
 * carries every new agency of the directory). An event is served once
 * every transaction that could commit before it has ended: ask again for a
 * moment. */
static bool on_feed(const person *integration, const char *type, const char *resource_id)
{
    for (int attempt = 0; attempt < 100; attempt++) {
        bool found = false;
        char path[256] = "/v1/events?limit=200";
        for (int pages = 0; pages < 1000 && !found; pages++) {
            json_t *page = step("reading the feed", integration, "GET", path, NULL, NULL, 200);
            json_t *items = json_object_get(page, "items");
            size_t i;
            json_t *e;
            json_array_foreach(items, i, e) {
                found |= strcmp(json_str(e, "type"), type) == 0 &&
                         strcmp(json_str(e, "resource_id"), resource_id) == 0;
            }
            const char *next = json_str(page, "next_cursor");
            bool more = next && json_array_size(items) == 200;
            if (more)
                snprintf(path, sizeof path, "/v1/events?limit=200&after=%s", next);
            json_decref(page);
            if (!more)
                break;
        }
        if (found)
            return true;
        usleep(100000);
    }
    return false;
}

Test(journeys, JOURNEY_strategy_discussion_with_domestic_abuse_among_the_risks)
{
    test_clock_pin_noon();
    char *csc = agency_new("childrens_social_care");
    char *police = agency_new("police");
    char *health = agency_new("health");
    char *school = agency_new("education");
    person social_worker = person_new(csc, "practitioner");
    person manager = person_new(csc, "manager");
    person officer = person_new(police, "practitioner");
    person police_systems = person_new(police, "integration");
    person paediatrician = person_new(health, "practitioner");
    person teacher = person_new(school, "practitioner");

    /* significant harm suspected: a child and a sibling (meeting_body) */
    char *id = requested(&social_worker, "strategy_discussion", "significant_harm_suspected");
    authorised(&manager, id);

    /* invited today: due in three working days (INV-7) */
    char today[11];
    date_from_today(0, today);
    char *three = working_days_after(today, 3);
    json_t *answer = NULL;
    char *police_inv = invited(&social_worker, id, &officer, "Share what the police know",
                               &answer);
    expect_str(json_str(answer, "respond_by"), three);
    json_decref(answer);
    char *health_inv = invited(&social_worker, id, &paediatrician, "Share the health picture",
                               NULL);
    char *school_inv = invited(&social_worker, id, &teacher, "Share what the school knows", NULL);

    /* not to tell the family: it would jeopardise the police investigation */
    json_t *d = decided(&manager, id,
                        json_pack("{s:s, s:[s], s:s}", "decision", "not_inform", "grounds",
                                  "would_jeopardise_police_investigation", "rationale",
                                  "The mother's partner is to be interviewed under caution"));
    char *decision = strdup(json_str(d, "id"));
    json_decref(d);
    agreed(&officer, decision);
    agreed(&paediatrician, decision);
    expect_str(agreed(&teacher, decision), "agreed");

    /* called for five minutes' time, by phone: every deadline moves to
     * today (INV-8) and the police systems hear of it */
    json_t *m = scheduled(&social_worker, id, 5 * 60, "phone", false,
                          chair_of(&manager, "manager", NULL), &social_worker);
    json_t *w = warning_of(m, "INV-8");
    cr_assert_not_null(w, "the warning is given");
    cr_assert(strstr(json_str(w, "message"), "3 response deadline"), "%s", json_str(w, "message"));
    cr_assert_null(warning_of(m, "INV-4"), "never short notice for a strategy discussion");
    json_decref(m);
    const char *invs[] = {police_inv, health_inv, school_inv};
    for (int k = 0; k < 3; k++) {
        json_t *inv = step("reading the invitation", &manager, "GET", INVITATION(invs[k], NULL),
                           NULL, NULL, 200);
        expect_str(json_str(inv, "respond_by"), today);
        cr_assert_eq(json_int(inv, "version"), 2, "a change of its terms");
        json_decref(inv);
    }
    cr_assert(on_feed(&police_systems, "invitation.deadline_changed", police_inv),
              "the police feed announces the new deadline");

    /* the answers, each with the ETag its invitee has just read ("2") */
    json_decref(answered(&officer, police_inv, json_pack("{s:s}", "response", "accepted")));
    json_decref(answered(&paediatrician, health_inv, json_pack("{s:s}", "response", "accepted")));
    json_decref(answered(&teacher, school_inv,
                         apologies("Attendance 71%; bruising seen twice this term")));

    /* held with the three agencies MTG-7 asks for present */
    attendance(&manager, id, police_inv, "present", health_inv, "present", school_inv,
               "apologies", NULL);
    held(&manager, id);

    /* domestic abuse among the risks, its considerations not yet recorded:
     * approval lists each (MIN-6) and changes nothing */
    json_t *doc = minutes_of(id, &social_worker, &officer, &paediatrician, NULL);
    minutes_edit(doc, "risk_categories", json_pack("[s, s]", "domestic_abuse", "physical_abuse"));
    long v = minutes_written(&social_worker, id, doc, 0);
    json_decref(doc);
    http_response *r = refused("approving without the domestic abuse considerations", &manager,
                               "POST", MEETING(id, "/minutes/approve"), NULL, etag_of(v), 422,
                               "/problems/rule-violated", "MIN-6",
                               SCP "marac_referral.outcome", id);
    static const char *const leaves[] = {
        SCP "dash_risk_assessment.outcome", SCP "clares_law.outcome",
        SCP "children_as_victims.recognised", SCP "children_as_victims.support"};
    for (size_t k = 0; k < sizeof leaves / sizeof leaves[0]; k++)
        cr_assert(problem_has_rule(r, "MIN-6", leaves[k]), "%s: %s", leaves[k], r->body);
    http_free(r);

    /* recorded in full, with a safeguarding referral the police make today */
    doc = minutes_of(id, &social_worker, &officer, &paediatrician,
                     &(minutes_opts){.domestic_abuse = true});
    minutes_edit(doc, "risk_categories", json_pack("[s, s]", "domestic_abuse", "physical_abuse"));
    minutes_edit(doc, "safeguarding_referral",
                 json_pack("{s:b, s:o, s:s}", "needed", 1, "by", minutes_person(&officer), "how",
                           "Police protection notice to the children's front door"));
    cr_assert(json_is_false(json_object_get(json_object_get(doc, "lado_referral"), "required")),
              "no LADO referral");
    v = minutes_written(&social_worker, id, doc, v);
    json_decref(doc);
    json_t *approved = minutes_approved(&manager, id, v);
    json_t *sc = json_object_get(json_object_get(approved, "content"), "strategy_considerations");
    cr_assert(json_is_true(json_object_get(json_object_get(sc, "children_as_victims"),
                                           "recognised")),
              "the children are victims in their own right");
    cr_assert_eq(json_array_size(json_object_get(sc, "children_discussed")), 2,
                 "the child and the sibling");
    json_decref(approved);

    /* the action plan, the feedback, and the referral for the police,
     * due the working day after the discussion (ACT-4) */
    int n;
    json_t *a = action_of_kind(&manager, id, "plan", &n);
    cr_assert_eq(n, 3);
    json_decref(a);
    a = action_of_kind(&manager, id, "family_feedback", &n);
    cr_assert_eq(n, 1);
    json_decref(a);
    a = action_of_kind(&manager, id, "safeguarding_referral", &n);
    cr_assert_eq(n, 1, "the referral is tracked");
    expect_str(json_str(json_object_get(a, "owner"), "sub"), officer.who.sub);
    char *day = held_on(id), *due = working_days_after(day, 1);
    expect_str(json_str(a, "due_date"), due);
    json_decref(a);

    json_decref(decided(&manager, id,
                        withhold("The police investigation continues; the family hears what "
                                 "FAM-7 allows from the social worker")));
    json_decref(distributed(&manager, id,
                            json_pack("[o, o, o]",
                                      recipient("Police child abuse team", police,
                                                "professional"),
                                      recipient("Named doctor's office", health, "professional"),
                                      recipient("School safeguarding team", school,
                                                "professional"))));
    closed(&manager, id);
    expect_trail(id);

    free(day);
    free(due);
    free(three);
    free(id);
    free(decision);
    free(police_inv);
    free(health_inv);
    free(school_inv);
    person_free(&social_worker);
    person_free(&manager);
    person_free(&officer);
    person_free(&police_systems);
    person_free(&paediatrician);
    person_free(&teacher);
    free(csc);
    free(police);
    free(health);
    free(school);
}

/* --- J5: a multi-agency meeting followed to its review --- */

/* Whether the review-overdue report, read as `by`, lists the meeting (every
 * page). */
static bool review_reported(const person *by, const char *meeting_id)
{
    char path[512];
    char *cursor = NULL;
    bool found = false;
    for (int pages = 0; pages < 50 && !found; pages++) {
        if (cursor)
            snprintf(path, sizeof path, "/v1/reports/review-overdue?limit=200&cursor=%s", cursor);
        else
            snprintf(path, sizeof path, "/v1/reports/review-overdue?limit=200");
        json_t *page = step("reading the review-overdue report", by, "GET", path, NULL, NULL, 200);
        size_t i;
        json_t *item;
        json_array_foreach(json_object_get(page, "items"), i, item) {
            found |= strcmp(json_str(item, "id"), meeting_id) == 0;
        }
        const char *next = json_str(page, "next_cursor");
        free(cursor);
        cursor = next ? strdup(next) : NULL;
        json_decref(page);
        if (!cursor)
            break;
    }
    free(cursor);
    return found;
}

Test(journeys, JOURNEY_multi_agency_meeting_followed_to_its_review)
{
    test_clock_pin_noon();
    char *csc = agency_new("childrens_social_care");
    char *school = agency_new("education");
    char *health = agency_new("health");
    char *housing = agency_new("housing");
    person social_worker = person_new(csc, "practitioner");
    person manager = person_new(csc, "manager");
    person teacher = person_new(school, "practitioner");
    person visitor = person_new(health, "practitioner");
    person officer = person_new(housing, "practitioner");

    char *id = requested(&social_worker, "multi_agency", "needs_unmet_by_agency_resources");
    authorised(&manager, id);
    char *school_inv = invited(&social_worker, id, &teacher, "Share school attendance", NULL);
    char *health_inv = invited(&social_worker, id, &visitor, "Share the health picture", NULL);
    char *housing_inv = invited(&social_worker, id, &officer, "Share the tenancy position", NULL);
    json_decref(decided(&manager, id, json_pack("{s:s}", "decision", "inform")));

    /* hybrid: a room and a link */
    json_decref(scheduled(&social_worker, id, HOUR, "hybrid", false,
                          chair_of(&manager, "manager", NULL), &social_worker));
    json_decref(answered(&teacher, school_inv, accept_online()));
    json_decref(answered(&visitor, health_inv,
                         json_pack("{s:s, s:s}", "response", "accepted", "technology_support",
                                   "Joins in the room: no camera at the clinic")));
    json_decref(answered(&officer, housing_inv,
                         apologies("Rent arrears cleared; a move is possible in the spring")));
    attendance(&social_worker, id, school_inv, "present", health_inv, "present", housing_inv,
               "apologies", NULL);
    held(&social_worker, id);

    /* the minutes: early help and a family group conference considered, a
     * further assessment, and a review four weeks after the meeting */
    char *day = held_on(id);
    const char *params[] = {day};
    char *review = db_value("SELECT to_char($1::date + 28, 'YYYY-MM-DD')", 1, params);
    char assess_by[11];
    minutes_date(14, assess_by);
    json_t *doc = minutes_of(id, &social_worker, &teacher, &visitor, NULL);
    cr_assert(json_is_true(json_object_get(json_object_get(doc, "caf_considered"), "considered")));
    cr_assert(json_is_true(json_object_get(json_object_get(doc, "fgc_considered"), "considered")));
    minutes_edit(doc, "further_assessment",
                 json_pack("{s:b, s:s, s:o, s:s}", "required", 1, "what",
                           "A speech and language assessment", "by", minutes_person(&visitor),
                           "due_date", assess_by));
    minutes_edit(doc, "next_review", json_pack("{s:s}", "date", review));
    long v = minutes_written(&social_worker, id, doc, 0);
    json_decref(doc);
    json_decref(minutes_approved(&manager, id, v));

    free(minutes_family_rendition(id, 1, &manager));
    json_decref(decided(&manager, id, share()));
    json_decref(distributed(&social_worker, id,
                            json_pack("[o, o, o, o]",
                                      recipient("School safeguarding team", school,
                                                "professional"),
                                      recipient("Health visiting team", health, "professional"),
                                      recipient("Housing officer", housing, "professional"),
                                      recipient("The parents", NULL, "family"))));
    closed(&manager, id);
    expect_trail(id);
    json_t *m = meeting_read(&social_worker, id);
    expect_str(json_str(m, "next_review_on"), review);
    cr_assert(json_is_false(json_object_get(m, "review_overdue")), "not yet");
    json_decref(m);

    /* the day after the review date, with no review requested (MTG-12):
     * reported to the convening side, not to the school it invited */
    test_clock_set(noon_of(review) + DAY);
    cr_assert(review_reported(&social_worker, id), "the requester is told");
    cr_assert(review_reported(&manager, id), "the convening manager is told");
    cr_assert(!review_reported(&teacher, id), "not the invitee's to follow");
    m = meeting_read(&teacher, id);
    cr_assert(json_is_true(json_object_get(m, "review_overdue")), "the invitee sees it overdue");
    json_decref(m);

    /* the review meeting is requested: the report no longer lists it */
    json_t *body = meeting_body("multi_agency");
    json_object_set_new(body, "previous_meeting_id", json_string(id));
    json_t *next = step("requesting the review", &social_worker, "POST", "/v1/meetings", body,
                        NULL, 201);
    expect_str(json_str(next, "previous_meeting_id"), id);
    json_decref(next);
    cr_assert(!review_reported(&social_worker, id), "the review is requested");
    cr_assert(!review_reported(&manager, id));
    m = meeting_read(&social_worker, id);
    cr_assert(json_is_false(json_object_get(m, "review_overdue")), "no longer overdue");
    json_decref(m);

    free(day);
    free(review);
    free(id);
    free(school_inv);
    free(health_inv);
    free(housing_inv);
    person_free(&social_worker);
    person_free(&manager);
    person_free(&teacher);
    person_free(&visitor);
    person_free(&officer);
    free(csc);
    free(school);
    free(health);
    free(housing);
}
