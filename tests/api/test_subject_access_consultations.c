/* Consultations on a subject access request (SAR-2) over real HTTP against
 * the real database: the dpo consults the police, who contributed an item
 * (the officer's invitation), about it, with a deadline on the working-day
 * calendar; the police's managers see that consultation alone, with their
 * own item and nothing of the requester, and answer it once, late when
 * after the deadline; overdue ones show at a moved clock; every refusal
 * answers its problem and changes nothing. Every person, child and NHS
 * number is fictitious. */
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

#define REQUESTER "A Fictional Parent" /* sar_child_body's */

typedef struct consulted {
    char *csc, *police, *health;
    person practitioner, csc_manager, officer, police_manager, police_senior, dpo;
    char nhs[11];
    char *meeting;
    char *sar;
    long police_item, csc_item; /* an item of each agency */
    char csc_text[96];          /* the text of the csc's entry */
} consulted;

static char *id_of(http_response *r, const char *what)
{
    cr_assert_eq(r->status, 201, "%s: %ld %s", what, r->status, r->body);
    char *id = strdup(json_str(r->json, "id"));
    http_free(r);
    return id;
}

/* The first item of the agency's among the request's. */
static long item_of(const consulted *c, const char *agency)
{
    const char *params[] = {c->sar, agency};
    return db_long("SELECT coalesce(min(item_no), -1) FROM subject_access_items"
                   " WHERE request_id = $1::uuid AND agency = $2",
                   2, params);
}

/* A meeting about a child by the csc, a police officer invited (the
 * police's item), a csc chronology entry; a request about the child by a
 * parent, gathered by the dpo. */
static void consulted_case(consulted *c)
{
    memset(c, 0, sizeof *c);
    test_clock_set(time(NULL));
    c->csc = agency_new("childrens_social_care");
    c->police = agency_new("police");
    c->health = agency_new("health");
    c->practitioner = person_new(c->csc, "practitioner");
    c->csc_manager = person_new(c->csc, "manager");
    c->officer = person_new(c->police, "practitioner");
    c->police_manager = person_new(c->police, "manager");
    c->police_senior = person_new(c->police, "senior_manager");
    c->dpo = person_new(c->csc, "dpo");
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
    char *child = db_value("SELECT child_id::text FROM meeting_children WHERE meeting_id = $1"
                           " AND is_subject",
                           1, params);
    char suffix[17], path[160], yesterday[11];
    unique_suffix(suffix, sizeof suffix);
    snprintf(c->csc_text, sizeof c->csc_text, "Seen at home by the social worker %s", suffix);
    date_from_today(-1, yesterday);
    snprintf(path, sizeof path, "/v1/children/%s/chronology/entries", child);
    body = json_pack("{s:s, s:s, s:s, s:s}", "occurred_on", yesterday, "what_happened",
                     c->csc_text, "action_taken", "None needed", "basis", "fact");
    free(id_of(api_call("POST", path, c->practitioner.token, body, NULL), "an entry"));
    json_decref(body);
    free(child);
    char ref[32], today[11];
    snprintf(ref, sizeof ref, "nhs_number:%s", c->nhs);
    date_from_today(0, today);
    c->sar = id_of(sar_register(&c->dpo, sar_child_body(ref, today)), "registering");
    http_response *r = sar_command(&c->dpo, c->sar, "gather", NULL, 1);
    cr_assert_eq(r->status, 200, "gathering: %ld %s", r->status, r->body);
    http_free(r);
    c->police_item = item_of(c, c->police);
    c->csc_item = item_of(c, c->csc);
    cr_assert(c->police_item > 0 && c->csc_item > 0, "an item of each agency");
}

static void consulted_free(consulted *c)
{
    free(c->csc);
    free(c->police);
    free(c->health);
    free(c->meeting);
    free(c->sar);
    person_free(&c->practitioner);
    person_free(&c->csc_manager);
    person_free(&c->officer);
    person_free(&c->police_manager);
    person_free(&c->police_senior);
    person_free(&c->dpo);
}

/* The first Friday, 10:00 UTC, at least two weeks ahead whose next week
 * (Monday to Friday) has no bank holiday: the deadlines below cross one
 * weekend and nothing else. Sets the clock there; returns the day. */
static time_t friday_ahead(void)
{
    time_t t = time(NULL) + 14 * 86400L;
    t -= t % 86400L;
    for (;; t += 86400L) {
        struct tm tm;
        gmtime_r(&t, &tm);
        if (tm.tm_wday != 5)
            continue;
        char monday[11], friday[11];
        time_t m = t + 3 * 86400L, f = t + 7 * 86400L;
        strftime(monday, sizeof monday, "%Y-%m-%d", gmtime_r(&m, &tm));
        strftime(friday, sizeof friday, "%Y-%m-%d", gmtime_r(&f, &tm));
        const char *params[] = {monday, friday};
        if (db_long("SELECT count(*) FROM bank_holidays WHERE day BETWEEN $1::date AND $2::date",
                    2, params) == 0)
            break;
    }
    test_clock_set(t + 10 * 3600L);
    return t;
}

static void day_after(time_t friday, int days, char out[11])
{
    time_t d = friday + days * 86400L;
    struct tm tm;
    strftime(out, 11, "%Y-%m-%d", gmtime_r(&d, &tm));
}

static http_response *consult(const consulted *c, const person *by, const char *sar,
                              json_t *body)
{
    char path[160];
    snprintf(path, sizeof path, "/v1/subject-access-requests/%s/consultations", sar);
    http_response *r = api_call("POST", path, by->token, body, NULL);
    json_decref(body);
    (void)c;
    return r;
}

static json_t *consult_body(const char *agency, long item, int working_days)
{
    json_t *body = json_pack("{s:s, s:[i], s:s}", "agency", agency, "item_nos", item,
                             "question", "Would disclosing this record harm anyone?");
    if (working_days)
        json_object_set_new(body, "working_days", json_integer(working_days));
    return body;
}

static http_response *consultation_get(const person *by, const char *id)
{
    char path[160];
    snprintf(path, sizeof path, "/v1/subject-access-consultations/%s", id);
    return api_get(path, by->token);
}

static http_response *answer(const person *by, const char *id, const char *recommendation,
                             long version)
{
    char path[160], etag[24];
    snprintf(path, sizeof path, "/v1/subject-access-consultations/%s/answer", id);
    snprintf(etag, sizeof etag, "\"%ld\"", version);
    json_t *body = json_pack("{s:s, s:s}", "recommendation", recommendation, "text",
                             "It names an informant: withhold it under Schedule 2.");
    http_response *r = api_call("POST", path, by->token, body, etag);
    json_decref(body);
    return r;
}

/* Whether the page of consultations at path holds id. */
static bool listed(const person *by, const char *path, const char *id)
{
    http_response *r = api_get(path, by->token);
    cr_assert_eq(r->status, 200, "%s: %ld %s", path, r->status, r->body);
    bool found = strstr(r->body, id) != NULL;
    http_free(r);
    return found;
}

/* The request's consultations with their items, the audit rows by the
 * people of the case (and about the request or its consultations), and
 * the request's row: everything a refusal must leave as it was. */
static char *state_of(const consulted *c)
{
    char subs[1024];
    snprintf(subs, sizeof subs, "%s,%s,%s,%s,%s,%s", c->practitioner.who.sub,
             c->csc_manager.who.sub, c->officer.who.sub, c->police_manager.who.sub,
             c->police_senior.who.sub, c->dpo.who.sub);
    const char *params[] = {c->sar, subs};
    return db_value(
        "WITH cs AS (SELECT * FROM subject_access_consultations WHERE request_id = $1::uuid)"
        "SELECT (SELECT count(*) FROM cs)"
        "    || ' ' || (SELECT count(*) FROM subject_access_consultation_items i"
        "                WHERE i.request_id = $1::uuid)"
        "    || ' ' || (SELECT count(*) FROM audit_events a"
        "                WHERE a.actor_sub = ANY (string_to_array($2, ','))"
        "                   OR a.resource_id = $1::text OR a.resource_id IN (SELECT id::text FROM cs))"
        "    || ' ' || coalesce((SELECT string_agg(row_to_json(x)::text, ',' ORDER BY x.id)"
        "                          FROM cs x), '')"
        "    || ' ' || (SELECT row_to_json(r)::text FROM subject_access_requests r"
        "                WHERE r.id = $1::uuid)",
        2, params);
}

Test(subject_access_consultations, SAR_2_consultation_of_an_agency_on_its_items_due_in_working_days_across_a_weekend)
{
    consulted c;
    consulted_case(&c);
    time_t friday = friday_ahead();
    char asked[11], monday[11], next_friday[11];
    day_after(friday, 0, asked);
    day_after(friday, 3, monday);
    day_after(friday, 7, next_friday);

    http_response *r = consult(&c, &c.dpo, c.sar, consult_body(c.police, c.police_item, 1));
    cr_assert_eq(r->status, 201, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "asked_on"), asked);
    cr_assert_str_eq(json_str(r->json, "due_on"), monday, "one working day after a Friday");
    cr_assert_str_eq(json_str(r->json, "agency"), c.police);
    cr_assert(!json_is_true(json_object_get(r->json, "overdue")));
    cr_assert(json_is_null(json_object_get(r->json, "answer")));
    json_t *items = json_object_get(r->json, "items");
    cr_assert_eq(json_array_size(items), 1);
    cr_assert_eq(json_int(json_array_get(items, 0), "item_no"), c.police_item);
    char *location = http_header(r, "Location");
    char expected[120];
    snprintf(expected, sizeof expected, "/v1/subject-access-consultations/%s",
             json_str(r->json, "id"));
    cr_assert_str_eq(location, expected);
    free(location);
    const char *params[] = {json_str(r->json, "id")};
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE resource_id = $1"
                         "   AND action = 'subject_access_consultation.create'",
                         1, params),
                 1);
    http_free(r);

    /* the default: five working days, the next Friday */
    r = consult(&c, &c.dpo, c.sar, consult_body(c.police, c.police_item, 0));
    cr_assert_eq(r->status, 201, "%s", r->body);
    cr_assert_eq(json_int(r->json, "working_days"), 5);
    cr_assert_str_eq(json_str(r->json, "due_on"), next_friday);
    http_free(r);

    /* the request counts them; the dpo lists them */
    char path[200];
    snprintf(path, sizeof path, "/v1/subject-access-requests/%s", c.sar);
    r = api_get(path, c.dpo.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *counts = json_object_get(r->json, "consultations");
    cr_assert_eq(json_int(counts, "open"), 2, "%s", r->body);
    cr_assert_eq(json_int(counts, "overdue"), 0);
    http_free(r);
    snprintf(path, sizeof path, "/v1/subject-access-requests/%s/consultations", c.sar);
    r = api_get(path, c.dpo.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_eq(json_array_size(json_object_get(r->json, "items")), 2);
    http_free(r);
    consulted_free(&c);
}

Test(subject_access_consultations, SAR_2_consultation_the_consulted_manager_sees_only_theirs_and_answers_once)
{
    consulted c;
    consulted_case(&c);
    friday_ahead();
    http_response *r = consult(&c, &c.dpo, c.sar, consult_body(c.police, c.police_item, 5));
    char *id = id_of(r, "consulting");

    /* a consultation of the csc, which the police's managers do not see */
    r = consult(&c, &c.dpo, c.sar, consult_body(c.csc, c.csc_item, 5));
    char *other = id_of(r, "consulting the csc");

    const person *managers[] = {&c.police_manager, &c.police_senior};
    for (size_t i = 0; i < 2; i++) {
        cr_assert(listed(managers[i], "/v1/subject-access-consultations?limit=200", id));
        cr_assert(!listed(managers[i], "/v1/subject-access-consultations?limit=200", other));
        r = consultation_get(managers[i], id);
        cr_assert_eq(r->status, 200, "%s", r->body);
        /* their own item's text, nothing of the requester or of another agency */
        json_t *items = json_object_get(r->json, "items");
        cr_assert_eq(json_array_size(items), 1);
        cr_assert(strlen(json_str(json_array_get(items, 0), "text")) > 0);
        cr_assert_null(strstr(r->body, REQUESTER), "%s", r->body);
        cr_assert_null(strstr(r->body, "requester"), "%s", r->body);
        cr_assert_null(strstr(r->body, "relation"), "%s", r->body);
        cr_assert_null(strstr(r->body, c.csc_text), "%s", r->body);
        cr_assert_null(strstr(r->body, c.sar), "the request's id: %s", r->body);
        http_free(r);
        r = consultation_get(managers[i], other);
        expect_problem(r, 404, "/problems/not-found");
        http_free(r);
    }

    r = answer(&c.police_manager, id, "withhold", 1);
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *given = json_object_get(r->json, "answer");
    cr_assert_str_eq(json_str(given, "recommendation"), "withhold");
    cr_assert(json_is_false(json_object_get(given, "late")), "%s", r->body);
    long version = json_int(r->json, "version");
    http_free(r);
    const char *params[] = {id};
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE resource_id = $1"
                         "   AND action = 'subject_access_consultation.answer'",
                         1, params),
                 1);

    /* once: a second answer, by either manager, is refused and changes nothing */
    char *before = state_of(&c);
    r = answer(&c.police_senior, id, "disclose", version);
    expect_problem(r, 409, "/problems/invalid-state");
    cr_assert(strstr(r->body, "SAR-2"), "%s", r->body);
    http_free(r);
    char *after = state_of(&c);
    cr_assert_str_eq(after, before);
    free(after);
    free(before);

    /* the dpo sees the answer */
    r = consultation_get(&c.dpo, id);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(json_object_get(r->json, "answer"), "text"),
                     "It names an informant: withhold it under Schedule 2.");
    http_free(r);
    free(id);
    free(other);
    consulted_free(&c);
}

Test(subject_access_consultations, SAR_2_consultation_overdue_at_a_moved_clock_and_answered_late)
{
    consulted c;
    consulted_case(&c);
    time_t friday = friday_ahead();
    http_response *r = consult(&c, &c.dpo, c.sar, consult_body(c.police, c.police_item, 1));
    char *id = id_of(r, "consulting");
    char list[200], overdue[220], request[160];
    snprintf(list, sizeof list, "/v1/subject-access-requests/%s/consultations", c.sar);
    snprintf(overdue, sizeof overdue, "%s?overdue=true", list);
    snprintf(request, sizeof request, "/v1/subject-access-requests/%s", c.sar);

    /* on Monday, the deadline, it is not overdue yet */
    test_clock_set(friday + 3 * 86400L + 16 * 3600L);
    r = consultation_get(&c.police_manager, id);
    cr_assert(json_is_false(json_object_get(r->json, "overdue")), "%s", r->body);
    http_free(r);
    cr_assert(!listed(&c.dpo, overdue, id));

    /* on Tuesday it is */
    test_clock_set(friday + 4 * 86400L + 9 * 3600L);
    r = consultation_get(&c.police_manager, id);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert(json_is_true(json_object_get(r->json, "overdue")), "%s", r->body);
    long version = json_int(r->json, "version");
    http_free(r);
    cr_assert(listed(&c.dpo, overdue, id));
    cr_assert(listed(&c.police_manager, "/v1/subject-access-consultations?overdue=true", id));
    r = api_get(request, c.dpo.token);
    cr_assert_eq(json_int(json_object_get(r->json, "consultations"), "overdue"), 1, "%s",
                 r->body);
    http_free(r);

    /* answered then: late, and overdue no more */
    r = answer(&c.police_manager, id, "redact", version);
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *given = json_object_get(r->json, "answer");
    cr_assert(json_is_true(json_object_get(given, "late")), "%s", r->body);
    cr_assert(json_is_false(json_object_get(r->json, "overdue")));
    http_free(r);
    cr_assert(!listed(&c.dpo, overdue, id));
    r = api_get(request, c.dpo.token);
    json_t *counts = json_object_get(r->json, "consultations");
    cr_assert_eq(json_int(counts, "overdue"), 0, "%s", r->body);
    cr_assert_eq(json_int(counts, "answered"), 1, "%s", r->body);
    http_free(r);
    free(id);
    consulted_free(&c);
}

Test(subject_access_consultations, SAR_2_consultation_refusals_answer_their_problem_and_change_nothing)
{
    consulted c;
    consulted_case(&c);
    friday_ahead();
    http_response *r = consult(&c, &c.dpo, c.sar, consult_body(c.police, c.police_item, 5));
    char *id = id_of(r, "consulting");
    char *before = state_of(&c);

    /* an agency that contributed nothing */
    r = consult(&c, &c.dpo, c.sar, consult_body(c.health, c.police_item, 5));
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert(problem_has_rule(r, "SAR-2", "agency"), "%s", r->body);
    http_free(r);
    /* items of another agency, and one the request does not have */
    json_t *body = consult_body(c.police, c.csc_item, 5);
    json_array_append_new(json_object_get(body, "item_nos"), json_integer(99999));
    r = consult(&c, &c.dpo, c.sar, body);
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert(problem_has_rule(r, "SAR-2", "item_nos[0]"), "%s", r->body);
    cr_assert(problem_has_rule(r, "SAR-2", "item_nos[1]"), "%s", r->body);
    http_free(r);
    /* a deadline out of bounds, no items, no question */
    r = consult(&c, &c.dpo, c.sar, consult_body(c.police, c.police_item, 21));
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert(problem_has_rule(r, "SAR-2", "working_days"), "%s", r->body);
    http_free(r);
    r = consult(&c, &c.dpo, c.sar,
                json_pack("{s:s, s:[], s:s}", "agency", c.police, "item_nos", "question", ""));
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert(problem_has_rule(r, "SAR-2", "item_nos"), "%s", r->body);
    cr_assert(problem_has_rule(r, "SAR-2", "question"), "%s", r->body);
    http_free(r);
    /* an unknown member, a wrongly typed item number */
    r = consult(&c, &c.dpo, c.sar,
                json_pack("{s:s, s:[s], s:s, s:s}", "agency", c.police, "item_nos", "one",
                          "question", "Harm?", "due_on", "2030-01-01"));
    expect_problem(r, 400, "/problems/invalid-request");
    http_free(r);
    /* anyone but the dpo consults nothing: 404 */
    r = consult(&c, &c.police_manager, c.sar, consult_body(c.police, c.police_item, 5));
    expect_problem(r, 404, "/problems/not-found");
    http_free(r);
    char *after = state_of(&c);
    cr_assert_str_eq(after, before, "the refused consultations changed:\n%s\n->\n%s", before,
                     after);
    free(after);

    /* before gathering: 409 */
    char ref[32], today[11];
    snprintf(ref, sizeof ref, "nhs_number:%s", c.nhs);
    date_from_today(0, today);
    char *ungathered = id_of(sar_register(&c.dpo, sar_child_body(ref, today)), "registering");
    const char *params[] = {ungathered};
    free(before);
    before = state_of(&c); /* the registration is audited */
    r = consult(&c, &c.dpo, ungathered, consult_body(c.police, 1, 5));
    expect_problem(r, 409, "/problems/invalid-state");
    cr_assert(strstr(r->body, "SAR-2"), "%s", r->body);
    http_free(r);
    cr_assert_eq(db_long("SELECT count(*) FROM subject_access_consultations"
                         " WHERE request_id = $1::uuid",
                         1, params),
                 0);

    /* another agency's manager, the consulted agency's practitioner: 404 on
     * reading and answering; the dpo reads but does not answer (403) */
    person health_manager = person_new(c.health, "manager,senior_manager");
    const person *strangers[] = {&health_manager, &c.officer, &c.csc_manager, &c.practitioner};
    for (size_t i = 0; i < sizeof strangers / sizeof strangers[0]; i++) {
        r = consultation_get(strangers[i], id);
        expect_problem(r, 404, "/problems/not-found");
        http_free(r);
        r = answer(strangers[i], id, "disclose", 1);
        expect_problem(r, 404, "/problems/not-found");
        http_free(r);
    }
    r = api_get("/v1/subject-access-consultations", c.officer.token);
    expect_problem(r, 404, "/problems/not-found");
    http_free(r);
    r = answer(&c.dpo, id, "disclose", 1);
    expect_problem(r, 403, "/problems/forbidden");
    http_free(r);
    after = state_of(&c);
    cr_assert_str_eq(after, before, "the refused answers changed:\n%s\n->\n%s", before, after);
    free(after);
    /* and other agencies' managers' lists do not show it */
    cr_assert(!listed(&health_manager, "/v1/subject-access-consultations?limit=200", id));
    cr_assert(!listed(&c.csc_manager, "/v1/subject-access-consultations?limit=200", id));
    person_free(&health_manager);
    free(before);
    free(ungathered);
    free(id);
    consulted_free(&c);
}
