/* A child's chronology (CHR-1): derived from the records, in order, each
 * entry linked to its source; seen only as far as the caller may see the
 * records (SEC-2); filtered by period, agency and kind; paged; every read
 * audited (SEC-4). A child of two meetings, with a family-notice decision,
 * a decline and an escalation, across three agencies. Every identifier is
 * fictitious (the NHS numbers of the 999 range kept for testing). */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/client.h"
#include "support/expect.h"
#include "support/fixtures.h"
#include "support/people.h"
#include "support/planning.h"
#include "held_meeting.h"

static char *meeting_about(const person *p, const char *nhs)
{
    json_t *body = meeting_body("professionals");
    json_t *child = json_array_get(json_object_get(body, "children"), 0);
    json_object_set_new(child, "nhs_number", json_string(nhs));
    http_response *r = api_call("POST", "/v1/meetings", p->token, body, NULL);
    json_decref(body);
    cr_assert_eq(r->status, 201, "requesting a meeting: %ld %s", r->status, r->body);
    char *id = strdup(json_str(r->json, "id"));
    http_free(r);
    return id;
}

static void ok(http_response *r, long status, const char *what)
{
    cr_assert_eq(r->status, status, "%s: %ld %s", what, r->status, r->body);
    http_free(r);
}

typedef struct walk {
    char *csc, *police, *health, *education;
    person social_worker, csc_manager, officer, nurse, health_manager, teacher;
    char nhs[11];
    char *first, *second, *child, *escalation;
} walk;

/* Meeting one (children's social care): requested, authorised, the police
 * officer and the nurse invited, the family to be informed. Meeting two
 * (health): requested and declined. An escalation about meeting one raised
 * by the police officer with health. */
static void walk_child(walk *w)
{
    memset(w, 0, sizeof *w);
    w->csc = agency_new("childrens_social_care");
    w->police = agency_new("police");
    w->health = agency_new("health");
    w->education = agency_new("education");
    w->social_worker = person_new(w->csc, "practitioner");
    w->csc_manager = person_new(w->csc, "manager");
    w->officer = person_new(w->police, "practitioner");
    w->nurse = person_new(w->health, "practitioner");
    w->health_manager = person_new(w->health, "manager");
    w->teacher = person_new(w->education, "practitioner");
    nhs_number_new(w->nhs);

    w->first = meeting_about(&w->social_worker, w->nhs);
    meeting_authorise(&w->csc_manager, w->first, 1);
    const person *invitees[] = {&w->officer, &w->nurse};
    for (int i = 0; i < 2; i++) {
        json_t *invitation = invitation_body(invitees[i], "Works with the child");
        ok(invite(&w->social_worker, w->first, invitation), 201, "inviting");
        json_decref(invitation);
    }
    char path[160];
    snprintf(path, sizeof path, "/v1/meetings/%s/consent-decisions", w->first);
    json_t *body = json_pack("{s:s}", "decision", "inform");
    ok(api_call("POST", path, w->csc_manager.token, body, NULL), 201, "deciding to inform");
    json_decref(body);

    w->second = meeting_about(&w->nurse, w->nhs);
    snprintf(path, sizeof path, "/v1/meetings/%s/decline", w->second);
    body = json_pack("{s:s}", "reason", "The concern is being met within the health plan");
    ok(api_call("POST", path, w->health_manager.token, body, "\"1\""), 200, "declining");
    json_decref(body);

    body = json_pack("{s:s, s:s, s:s, s:s, s:s}", "meeting_id", w->first, "type",
                     "concern_after_decision", "concern",
                     "Health information has not reached the plan", "outcome_sought",
                     "Health to share its assessment before the meeting", "with_agency",
                     w->health);
    http_response *r = api_call("POST", "/v1/escalations", w->officer.token, body, NULL);
    json_decref(body);
    cr_assert_eq(r->status, 201, "raising: %ld %s", r->status, r->body);
    w->escalation = strdup(json_str(r->json, "id"));
    http_free(r);

    const char *params[] = {w->first};
    w->child = db_value("SELECT child_id::text FROM meeting_children WHERE meeting_id = $1"
                        " AND is_subject",
                        1, params);
    cr_assert(w->child[0]);
}

static void walk_free(walk *w)
{
    free(w->csc);
    free(w->police);
    free(w->health);
    free(w->education);
    person *people[] = {&w->social_worker, &w->csc_manager,    &w->officer,
                        &w->nurse,         &w->health_manager, &w->teacher};
    for (size_t i = 0; i < sizeof people / sizeof people[0]; i++)
        person_free(people[i]);
    free(w->first);
    free(w->second);
    free(w->child);
    free(w->escalation);
}

static http_response *chronology(const walk *w, const person *p, const char *query)
{
    char path[800];
    snprintf(path, sizeof path, "/v1/children/%s/chronology%s%s", w->child, query ? "?" : "",
             query ? query : "");
    return api_get(path, p->token);
}

/* The kinds of the entries, comma-separated, in order (static buffer). */
static const char *kinds_of(const json_t *items)
{
    static char out[1024];
    out[0] = '\0';
    size_t i;
    json_t *e;
    json_array_foreach(items, i, e) {
        strcat(out, i ? "," : "");
        strcat(out, json_str(e, "kind"));
    }
    return out;
}

static long audit_rows_by(const char *actor, const char *action)
{
    const char *params[] = {actor, action};
    return db_long("SELECT count(*) FROM audit_events WHERE actor_sub = $1 AND action = $2", 2,
                   params);
}

Test(chronology, CHR_1_derived_in_order_every_entry_linked_to_its_source)
{
    walk w;
    walk_child(&w);
    long audited = audit_rows_by(w.nurse.who.sub, "child.chronology");
    http_response *r = chronology(&w, &w.nurse, NULL);
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *items = json_object_get(r->json, "items");
    cr_assert_str_eq(kinds_of(items),
                     "meeting_requested,meeting_authorised,family_notice_decided,"
                     "meeting_requested,meeting_declined,escalation_raised",
                     "%s", r->body);
    cr_assert(json_is_null(json_object_get(r->json, "next_cursor")));
    const char *agencies[] = {w.csc, w.csc, w.csc, w.health, w.health, w.police};
    const char *sources[] = {w.first, w.first, NULL, w.second, w.second, w.escalation};
    const char *previous = "";
    size_t i;
    json_t *e;
    json_array_foreach(items, i, e) {
        cr_assert_str_eq(json_str(e, "agency"), agencies[i], "entry %zu: %s", i, r->body);
        cr_assert(strcmp(json_str(e, "at"), previous) >= 0, "in order: %s", r->body);
        previous = json_str(e, "at");
        cr_assert(json_str(e, "summary")[0] && json_str(e, "action_taken")[0] &&
                  json_str(e, "significance")[0], "entry %zu explains itself", i);
        json_t *source = json_object_get(e, "source");
        if (sources[i])
            cr_assert_str_eq(json_str(source, "id"), sources[i], "entry %zu", i);
        cr_assert(json_integer_value(json_object_get(source, "version")) >= 1);
        /* the link opens the source, for the same caller */
        http_response *s = api_get(json_str(source, "href"), w.nurse.token);
        cr_assert_eq(s->status, 200, "%s: %s", json_str(source, "href"), s->body);
        cr_assert_str_eq(json_str(s->json, "id"), json_str(source, "id"));
        http_free(s);
    }
    cr_assert_eq(audit_rows_by(w.nurse.who.sub, "child.chronology"), audited + 1,
                 "SEC-4: the read is audited");
    const char *params[] = {w.nurse.who.sub, w.child};
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE actor_sub = $1"
                         " AND action = 'child.chronology' AND resource_type = 'child'"
                         " AND resource_id = $2",
                         2, params),
                 1);
    http_free(r);
    walk_free(&w);
}

Test(chronology, SEC_2_each_caller_sees_the_entries_of_what_they_may_see)
{
    walk w;
    walk_child(&w);
    /* invited to meeting one only, and party to the escalation about it */
    http_response *r = chronology(&w, &w.officer, NULL);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(kinds_of(json_object_get(r->json, "items")),
                     "meeting_requested,meeting_authorised,family_notice_decided,"
                     "escalation_raised",
                     "%s", r->body);
    cr_assert(strstr(r->body, w.second) == NULL, "nothing of meeting two: %s", r->body);
    http_free(r);
    /* the requester of meeting one: neither meeting two nor the escalation
     * between two other agencies */
    r = chronology(&w, &w.social_worker, NULL);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(kinds_of(json_object_get(r->json, "items")),
                     "meeting_requested,meeting_authorised,family_notice_decided", "%s", r->body);
    http_free(r);

    /* a practitioner of a fourth agency: the child is not there for them */
    long audited = db_long("SELECT count(*) FROM audit_events WHERE actor_sub = $1", 1,
                           (const char *const[]){w.teacher.who.sub});
    r = chronology(&w, &w.teacher, NULL);
    expect_problem(r, 404, NULL);
    cr_assert(strstr(r->body, w.nhs) == NULL);
    http_free(r);
    char path[160];
    snprintf(path, sizeof path, "/v1/children/%s", w.child);
    r = api_get(path, w.teacher.token);
    expect_problem(r, 404, NULL);
    http_free(r);
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE actor_sub = $1", 1,
                         (const char *const[]){w.teacher.who.sub}),
                 audited, "a 404 writes no audit event");
    walk_free(&w);
}

Test(chronology, CHR_1_filters_by_kind_agency_and_period_and_pages)
{
    walk w;
    walk_child(&w);
    http_response *r = chronology(&w, &w.nurse, "kind=meeting_requested");
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(kinds_of(json_object_get(r->json, "items")),
                     "meeting_requested,meeting_requested");
    http_free(r);

    char query[128];
    snprintf(query, sizeof query, "agency=%s", w.police);
    r = chronology(&w, &w.nurse, query);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(kinds_of(json_object_get(r->json, "items")), "escalation_raised");
    http_free(r);

    /* the period is of the records' own dates (the database's clock) */
    char today[11], yesterday[11];
    const char *no_params[] = {NULL};
    char *db_today = db_value("SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD')", 0,
                              no_params);
    char *db_yesterday = db_value(
        "SELECT to_char((now() AT TIME ZONE 'UTC') - interval '1 day', 'YYYY-MM-DD')", 0,
        no_params);
    snprintf(today, sizeof today, "%s", db_today);
    snprintf(yesterday, sizeof yesterday, "%s", db_yesterday);
    free(db_today);
    free(db_yesterday);
    snprintf(query, sizeof query, "from=%s&to=%s", today, today);
    r = chronology(&w, &w.nurse, query);
    cr_assert_eq(json_array_size(json_object_get(r->json, "items")), 6, "%s", r->body);
    http_free(r);
    snprintf(query, sizeof query, "to=%s", yesterday);
    r = chronology(&w, &w.nurse, query);
    cr_assert_eq(json_array_size(json_object_get(r->json, "items")), 0, "%s", r->body);
    http_free(r);

    /* pages of two make up the whole, in order */
    char all[1024] = "";
    char cursor[512] = "";
    for (int page = 0; page < 4; page++) {
        char paged[600];
        snprintf(paged, sizeof paged, "limit=2%s%s", cursor[0] ? "&cursor=" : "", cursor);
        r = chronology(&w, &w.nurse, paged);
        cr_assert_eq(r->status, 200, "%s", r->body);
        if (all[0] && json_array_size(json_object_get(r->json, "items")))
            strcat(all, ",");
        strcat(all, kinds_of(json_object_get(r->json, "items")));
        json_t *next = json_object_get(r->json, "next_cursor");
        if (json_is_null(next)) {
            cursor[0] = '\0';
            http_free(r);
            break;
        }
        snprintf(cursor, sizeof cursor, "%s", json_string_value(next));
        http_free(r);
    }
    cr_assert_str_eq(all,
                     "meeting_requested,meeting_authorised,family_notice_decided,"
                     "meeting_requested,meeting_declined,escalation_raised");
    walk_free(&w);
}

Test(chronology, CHR_1_bad_filters_are_refused_and_audit_nothing)
{
    walk w;
    walk_child(&w);
    long audited = audit_rows_by(w.nurse.who.sub, "child.chronology");
    const char *bad[] = {"kind=meeting_rescheduled", "from=2026-13-01", "to=yesterday",
                         "agency=not%20a%20code", "colour=red", "cursor=nonsense"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        http_response *r = chronology(&w, &w.nurse, bad[i]);
        expect_problem(r, 400, "/problems/invalid-request");
        http_free(r);
    }
    http_response *r = api_get("/v1/children/not-a-uuid/chronology", w.nurse.token);
    expect_problem(r, 404, NULL);
    http_free(r);
    cr_assert_eq(audit_rows_by(w.nurse.who.sub, "child.chronology"), audited);
    walk_free(&w);
}

/* A held meeting about the child adds its schedule, its hold, its approved
 * minutes, the actions they agreed, the decision on sharing them and their
 * distribution, each linked to its source (the minutes by version). */
Test(chronology, CHR_1_a_held_meeting_adds_schedule_hold_minutes_actions_and_distribution)
{
    planned p;
    test_clock_set(time(NULL));
    planned_authorised(&p, "professionals");
    /* the request names the child by its NHS number (a change after the
     * authorisation: decided again, MTG-11) */
    char nhs[11];
    nhs_number_new(nhs);
    json_t *patch = json_pack("{s:[{s:s, s:s, s:s}]}", "children", "name", "Alex Example",
                              "date_of_birth", "2015-06-01", "nhs_number", nhs);
    http_response *r = api_call("PATCH", meeting_path(p.meeting_id, NULL), p.requester.token,
                                patch, etag_of(p.version));
    json_decref(patch);
    cr_assert_eq(r->status, 200, "%s", r->body);
    p.version = meeting_authorise(&p.manager, p.meeting_id, json_int(r->json, "version"));
    http_free(r);
    planned_invite_agencies(&p);
    planned_inform_family(&p);
    planned_schedule(&p, HELD_HOUR, "in_person", 0);
    held_attend_and_hold(&p, &p.requester);
    held_minutes_approved(&p, &p.manager, held_complete_minutes(&p, 20));
    held_sharing(&p, &p.manager, false);
    r = held_distribute(&p, &p.requester,
                        json_pack("[o]", held_recipient("Police records", p.police,
                                                        "professional")));
    cr_assert_eq(r->status, 201, "%s", r->body);
    http_free(r);

    const char *params[] = {p.meeting_id};
    char *child = db_value("SELECT child_id::text FROM meeting_children WHERE meeting_id = $1"
                           " AND is_subject",
                           1, params);
    char path[160];
    snprintf(path, sizeof path, "/v1/children/%s/chronology?limit=200", child);
    r = api_get(path, p.manager.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    const char *kinds = kinds_of(json_object_get(r->json, "items"));
    const char *expected[] = {"meeting_requested",       "meeting_authorised",
                              "family_notice_decided",   "meeting_scheduled",
                              "meeting_held",            "minutes_approved",
                              "action_agreed",           "minutes_sharing_decided",
                              "minutes_distributed"};
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
        cr_assert(strstr(kinds, expected[i]), "%s missing from %s", expected[i], kinds);
    }
    /* the first decision was superseded by the change: both are in the record */
    cr_assert(strstr(strstr(kinds, "meeting_authorised") + 1, "meeting_authorised"),
              "both authorisations: %s", kinds);
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(r->json, "items"), i, e) {
        json_t *source = json_object_get(e, "source");
        if (strcmp(json_str(e, "kind"), "minutes_approved") == 0) {
            cr_assert_str_eq(json_str(source, "type"), "minutes");
            cr_assert_eq(json_integer_value(json_object_get(source, "version")), 1);
        }
        http_response *s = api_get(json_str(source, "href"), p.manager.token);
        cr_assert_eq(s->status, 200, "%s: %s", json_str(source, "href"), s->body);
        http_free(s);
    }
    http_free(r);
    free(child);
    planned_free(&p);
}

static long entries_of(const char *child)
{
    const char *params[] = {child};
    return db_long("SELECT (SELECT count(*) FROM chronology_entries WHERE child_id = $1)"
                   " + (SELECT count(*) FROM chronology_entry_versions v JOIN chronology_entries x"
                   "     ON x.id = v.entry_id WHERE x.child_id = $1)",
                   1, params);
}

Test(chronology, CHR_2_an_agency_entry_joins_the_chronology_and_changes_by_versions)
{
    walk w;
    walk_child(&w);
    char path[200], happened_on[11];
    date_from_today(-10, happened_on);
    snprintf(path, sizeof path, "/v1/children/%s/chronology/entries", w.child);
    json_t *body = json_pack("{s:s, s:s, s:s, s:s}", "occurred_on", happened_on, "what_happened",
                             "Seen at the clinic with a bruise the parent explained",
                             "action_taken", "Body map completed and shared with the social worker",
                             "basis", "fact");
    long stored = entries_of(w.child);
    /* a fourth agency may not write about a child it cannot see */
    http_response *r = api_call("POST", path, w.teacher.token, body, NULL);
    expect_problem(r, 404, NULL);
    http_free(r);
    cr_assert_eq(entries_of(w.child), stored);

    r = api_call("POST", path, w.nurse.token, body, NULL);
    json_decref(body);
    cr_assert_eq(r->status, 201, "%s", r->body);
    char *entry = strdup(json_str(r->json, "id"));
    cr_assert_str_eq(json_str(r->json, "agency"), w.health);
    cr_assert_eq(json_int(r->json, "version"), 1);
    http_free(r);

    /* in the chronology of whoever may see the child, at the date it happened */
    r = chronology(&w, &w.officer, "kind=agency_entry");
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *items = json_object_get(r->json, "items");
    cr_assert_eq(json_array_size(items), 1, "%s", r->body);
    json_t *e = json_array_get(items, 0);
    cr_assert(strncmp(json_str(e, "at"), happened_on, 10) == 0, "%s", r->body);
    cr_assert_str_eq(json_str(json_object_get(e, "source"), "id"), entry);
    cr_assert_str_eq(json_str(json_object_get(e, "source"), "type"), "chronology_entry");
    http_free(r);
    r = chronology(&w, &w.officer, NULL);
    cr_assert_str_eq(json_str(json_array_get(json_object_get(r->json, "items"), 0), "kind"),
                     "agency_entry", "ten days ago comes first: %s", r->body);
    http_free(r);
    snprintf(path, sizeof path, "/v1/chronology-entries/%s", entry);
    r = api_get(path, w.teacher.token);
    expect_problem(r, 404, NULL);
    http_free(r);

    /* a change needs a reason (422), its author or a manager of its agency (403) */
    stored = entries_of(w.child);
    json_t *change = json_pack("{s:s}", "what_happened", "Seen at the clinic with two bruises");
    r = api_call("PATCH", path, w.nurse.token, change, "\"1\"");
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert(problem_has_rule(r, "CHR-2", "reason"), "%s", r->body);
    http_free(r);
    json_object_set_new(change, "reason", json_string("The nurse's notes say two bruises"));
    r = api_call("PATCH", path, w.officer.token, change, "\"1\"");
    expect_problem(r, 403, NULL);
    http_free(r);
    r = api_call("PATCH", path, w.nurse.token, change, "\"7\"");
    expect_problem(r, 412, NULL);
    http_free(r);
    cr_assert_eq(entries_of(w.child), stored, "refusals change nothing");

    r = api_call("PATCH", path, w.health_manager.token, change, "\"1\"");
    json_decref(change);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_eq(json_int(r->json, "version"), 2);
    json_t *versions = json_object_get(r->json, "versions");
    cr_assert_eq(json_array_size(versions), 2, "%s", r->body);
    cr_assert_str_eq(json_str(json_array_get(versions, 0), "what_happened"),
                     "Seen at the clinic with a bruise the parent explained",
                     "the first version stays readable");
    cr_assert_str_eq(json_str(json_array_get(versions, 1), "reason"),
                     "The nurse's notes say two bruises");
    http_free(r);
    free(entry);
    walk_free(&w);
}

Test(chronology, CHR_2_an_entry_needs_its_parts_and_nothing_is_stored_without_them)
{
    walk w;
    walk_child(&w);
    char path[200], tomorrow[11], last_week[11];
    date_from_today(1, tomorrow);
    date_from_today(-7, last_week);
    snprintf(path, sizeof path, "/v1/children/%s/chronology/entries", w.child);
    struct {
        json_t *body;
        const char *field;
    } cases[] = {
        {json_pack("{s:s, s:s, s:s}", "occurred_on", last_week, "what_happened", "Missed school",
                   "basis", "fact"),
         "action_taken"},
        {json_pack("{s:s, s:s, s:s, s:s, s:s}", "occurred_on", last_week, "what_happened",
                   "Missed school", "action_taken", "Called home", "why_no_action", "None",
                   "basis", "fact"),
         "why_no_action"},
        {json_pack("{s:s, s:s, s:s, s:s}", "occurred_on", tomorrow, "what_happened",
                   "Missed school", "action_taken", "Called home", "basis", "fact"),
         "occurred_on"},
        {json_pack("{s:s, s:s, s:s}", "occurred_on", last_week, "action_taken", "Called home",
                   "basis", "fact"),
         "what_happened"},
        {json_pack("{s:s, s:s, s:s, s:s}", "occurred_on", last_week, "what_happened",
                   "Missed school", "action_taken", "Called home", "basis", "rumour"),
         "basis"},
    };
    long stored = entries_of(w.child);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        http_response *r = api_call("POST", path, w.nurse.token, cases[i].body, NULL);
        json_decref(cases[i].body);
        expect_problem(r, 422, "/problems/rule-violated");
        cr_assert(problem_has_rule(r, "CHR-2", cases[i].field), "%s: %s", cases[i].field, r->body);
        http_free(r);
    }
    cr_assert_eq(entries_of(w.child), stored, "SEC-6: nothing stored");
    walk_free(&w);
}
