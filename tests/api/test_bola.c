/* OWASP API1 (broken object-level authorisation) and API3 (mass
 * assignment) over real HTTP against the real database.
 *
 * One meeting is taken as far as the service goes — authorised, two
 * agencies invited, a family-notice decision, scheduled, attendance, held,
 * minutes written and approved (which makes the actions), an escalation
 * raised, its child named by an NHS number and given an agency's own
 * chronology entry (CHR-1, CHR-2), the family's rendition of the minutes
 * approved (REN-2), an inaccuracy pointed out in them (REN-4) and the
 * outcome letter sent (REN-3) — and then every route of src/api/routes.c that takes the id of
 * case data is called by people of an unrelated agency, one for each role
 * and one holding every role, with a well-formed request (the right body,
 * the resource's current version in If-Match), so that nothing but
 * visibility stands between them and the object. Each must get 404
 * problem+json that names nothing of the object (SEC-2), and the database
 * must be exactly as before: no change, no audit row, no feed event.
 * A further test proves that the table covers every route with a path
 * parameter in the route table the service really serves.
 *
 * A subject access request (SAR-2) on the world's child, registered and
 * gathered by a dpo, is the dpo's alone: its routes are 404 to every other
 * role, of the dpo's own agency as much as of another, and change nothing.
 *
 * Mass assignment: members the service sets (status, version,
 * convening_agency, reference, timestamps, requester, ...) sent in create,
 * patch and command bodies are refused by name (400, docs/conventions.md)
 * and change nothing. */
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/routes.h"
#include "http/route.h"
#include "support/client.h"
#include "support/expect.h"
#include "support/fixtures.h"
#include "support/minutes.h"
#include "support/people.h"
#include "support/planning.h"

#define N(a) (sizeof(a) / sizeof(a)[0])

/* --- the fixture: one meeting taken as far as practical --- */

typedef struct world {
    planned p;
    char *decision_id;
    char *action_id;
    char *escalation_id;
    char *obligation_id; /* the action's obligation (OBL-2) */
    char *child_id;
    char *entry_id;
    char *rendition_id; /* the family's rendition of the approved minutes (REN-2) */
    char *inaccuracy_id; /* an inaccuracy pointed out in them (REN-4) */
    char *sar_id;        /* a subject access request about the child, gathered (SAR-2) */
    char *consultation_id; /* the police consulted on their item of it (SAR-2) */
    person dpo;
    char reference[64];
    char title[256];
} world;

static char *db_str1(const char *sql, const char *a)
{
    const char *params[] = {a};
    return db_value(sql, 1, params);
}

static long version_of(const char *sql, const char *id)
{
    const char *params[] = {id};
    return db_long(sql, 1, params);
}

static void world_build(world *w)
{
    memset(w, 0, sizeof *w);
    planned *p = &w->p;
    planned_authorised(p, "professionals");
    /* the child by a fictitious NHS number of the 999 test range, unique
     * to the world (the meeting is authorised again after the change) */
    char nhs[11];
    unsigned h = 2166136261u;
    for (const char *c = p->meeting_id; *c; c++)
        h = (h ^ (unsigned char)*c) * 16777619u;
    for (;; h++) {
        snprintf(nhs, sizeof nhs, "999%06u", h % 1000000u);
        int sum = 0;
        for (int i = 0; i < 9; i++)
            sum += (nhs[i] - '0') * (10 - i);
        int check = (11 - sum % 11) % 11;
        if (check == 10)
            continue;
        nhs[9] = (char)('0' + check);
        nhs[10] = '\0';
        break;
    }
    json_t *patch = json_pack("{s:[{s:s, s:s, s:s}]}", "children", "name", "Alex Example",
                              "date_of_birth", "2015-06-01", "nhs_number", nhs);
    http_response *pr = api_call("PATCH", meeting_path(p->meeting_id, NULL), p->requester.token,
                                 patch, etag_of(p->version));
    json_decref(patch);
    cr_assert_eq(pr->status, 200, "naming the child: %ld %s", pr->status, pr->body);
    p->version = meeting_authorise(&p->manager, p->meeting_id, json_int(pr->json, "version"));
    http_free(pr);
    planned_invite_agencies(p);
    planned_inform_family(p);
    planned_schedule(p, 3600, "in_person", 0);

    minutes_hold(p, NULL);

    char path[192];
    snprintf(path, sizeof path, "/v1/meetings/%s/minutes", p->meeting_id);
    json_t *doc = minutes_complete(p, NULL);
    http_response *r = api_call("PUT", path, p->requester.token, doc, NULL);
    json_decref(doc);
    cr_assert_eq(r->status, 201, "writing minutes: %ld %s", r->status, r->body);
    long mv = json_int(r->json, "version");
    http_free(r);
    snprintf(path, sizeof path, "/v1/meetings/%s/minutes/approve", p->meeting_id);
    r = api_call("POST", path, p->manager.token, NULL, etag_of(mv));
    cr_assert_eq(r->status, 200, "approving: %ld %s", r->status, r->body);
    http_free(r);

    w->rendition_id = minutes_family_rendition(p->meeting_id, 1, &p->manager);
    snprintf(path, sizeof path, "/v1/meetings/%s/minutes/versions/1/inaccuracies",
             p->meeting_id);
    json_t *wrong = json_pack("{s:s}", "text", "The review date is a week out");
    r = api_call("POST", path, p->police_officer.token, wrong, NULL);
    json_decref(wrong);
    cr_assert_eq(r->status, 201, "an inaccuracy: %ld %s", r->status, r->body);
    w->inaccuracy_id = strdup(json_str(r->json, "id"));
    http_free(r);
    snprintf(path, sizeof path, "/v1/meetings/%s/outcome-letter", p->meeting_id);
    json_t *letter = json_pack("{s:s, s:s, s:s}", "decisions", "A joint visit", "plan",
                               "Weekly visits", "next_dates", "Review in six weeks");
    r = api_call("POST", path, p->manager.token, letter, NULL);
    json_decref(letter);
    cr_assert_eq(r->status, 201, "the outcome letter: %ld %s", r->status, r->body);
    http_free(r);

    w->decision_id = db_str1("SELECT id FROM consent_decisions WHERE meeting_id = $1"
                             " ORDER BY decided_at LIMIT 1",
                             p->meeting_id);
    w->action_id = db_str1("SELECT id FROM actions WHERE meeting_id = $1 AND kind = 'plan'"
                           " ORDER BY item_index LIMIT 1",
                           p->meeting_id);
    cr_assert(*w->decision_id && *w->action_id, "a decision and an action");

    json_t *esc = json_pack("{s:s, s:s, s:s, s:s, s:s}", "meeting_id", p->meeting_id, "type",
                            "concern_after_decision", "concern",
                            "The agreed plan is not being followed", "outcome_sought",
                            "A joint review of the plan", "with_agency", p->police);
    r = api_call("POST", "/v1/escalations", p->requester.token, esc, NULL);
    json_decref(esc);
    cr_assert_eq(r->status, 201, "raising: %ld %s", r->status, r->body);
    w->escalation_id = strdup(json_str(r->json, "id"));
    http_free(r);
    w->obligation_id = db_str1("SELECT obligation_id('action', $1::uuid, 0)", w->action_id);

    w->child_id = db_str1("SELECT child_id FROM meeting_children WHERE meeting_id = $1"
                          " AND is_subject",
                          p->meeting_id);
    cr_assert(*w->child_id, "the child is linked");
    snprintf(path, sizeof path, "/v1/children/%s/chronology/entries", w->child_id);
    json_t *entry = json_pack("{s:s, s:s, s:s, s:s}", "occurred_on", "2020-01-06", "what_happened",
                              "Seen at the clinic", "action_taken", "Notes shared", "basis",
                              "fact");
    r = api_call("POST", path, p->requester.token, entry, NULL);
    json_decref(entry);
    cr_assert_eq(r->status, 201, "an entry: %ld %s", r->status, r->body);
    w->entry_id = strdup(json_str(r->json, "id"));
    http_free(r);
    /* the dpo's subject access request about the child, gathered */
    w->dpo = person_new(p->csc, "dpo");
    char child_ref[32];
    snprintf(child_ref, sizeof child_ref, "nhs_number:%s", nhs);
    json_t *sar = json_pack("{s:{s:s}, s:{s:s, s:s}, s:s}", "subject", "child_ref", child_ref,
                            "requester", "name", "A Fictional Parent", "relation", "parent",
                            "received_on", "2026-01-05");
    r = api_call("POST", "/v1/subject-access-requests", w->dpo.token, sar, NULL);
    json_decref(sar);
    cr_assert_eq(r->status, 201, "a subject access request: %ld %s", r->status, r->body);
    w->sar_id = strdup(json_str(r->json, "id"));
    http_free(r);
    snprintf(path, sizeof path, "/v1/subject-access-requests/%s/gather", w->sar_id);
    r = api_call("POST", path, w->dpo.token, NULL, "\"1\"");
    cr_assert_eq(r->status, 200, "gathering: %ld %s", r->status, r->body);
    http_free(r);
    /* the police consulted on their first item */
    const char *of_police[] = {w->sar_id, p->police};
    long police_item = db_long("SELECT min(item_no) FROM subject_access_items"
                               " WHERE request_id = $1::uuid AND agency = $2",
                               2, of_police);
    json_t *consult = json_pack("{s:s, s:[i], s:s}", "agency", p->police, "item_nos",
                                police_item, "question", "Would disclosure harm anyone?");
    snprintf(path, sizeof path, "/v1/subject-access-requests/%s/consultations", w->sar_id);
    r = api_call("POST", path, w->dpo.token, consult, NULL);
    json_decref(consult);
    cr_assert_eq(r->status, 201, "consulting the police: %ld %s", r->status, r->body);
    w->consultation_id = strdup(json_str(r->json, "id"));
    http_free(r);
    char *ref = db_str1("SELECT reference FROM meetings WHERE id = $1", p->meeting_id);
    snprintf(w->reference, sizeof w->reference, "%s", ref);
    free(ref);
    char *title = db_str1("SELECT title FROM meetings WHERE id = $1", p->meeting_id);
    snprintf(w->title, sizeof w->title, "%s", title);
    free(title);
}

static void world_free(world *w)
{
    free(w->decision_id);
    free(w->action_id);
    free(w->escalation_id);
    free(w->obligation_id);
    free(w->child_id);
    free(w->entry_id);
    free(w->rendition_id);
    free(w->inaccuracy_id);
    free(w->sar_id);
    free(w->consultation_id);
    person_free(&w->dpo);
    planned_free(&w->p);
}

/* The whole of the world as one string: the meeting and all under it, and
 * the agencies involved (the stranger's too, for audit rows). */
static char *world_state(const world *w, const char *stranger_agency)
{
    const planned *p = &w->p;
    char *meeting = db_meeting_digest(p->meeting_id);
    /* the child's own entries and ledger, which are not under the meeting */
    char *child = db_str1("SELECT (SELECT count(*) || ':' || coalesce(sum(version), 0)"
                          "          FROM chronology_entries WHERE child_id = $1::uuid)"
                          "    || '/' || (SELECT count(*) FROM information_sharing"
                          "                WHERE child_id = $1::uuid)",
                          w->child_id);
    char *digest = NULL;
    cr_assert(asprintf(&digest, "%s | child %s", meeting, child) > 0);
    free(meeting);
    free(child);
    const char *agencies[] = {p->csc, p->police, p->health, stranger_agency};
    char *out = digest;
    for (size_t i = 0; i < N(agencies); i++) {
        if (!agencies[i])
            continue;
        char *fp = db_fingerprint(agencies[i]);
        char *next = NULL;
        cr_assert(asprintf(&next, "%s | %s", out, fp) > 0);
        free(out);
        free(fp);
        out = next;
    }
    return out;
}

/* --- the routes that take an id --- */

typedef enum {
    V_NONE,
    V_MEETING,
    V_INVITATION,
    V_MINUTES,
    V_ACTION,
    V_ESCALATION,
    V_ENTRY,
    V_INACCURACY,
    V_SAR,
    V_CONSULTATION,
} version_of_kind;

typedef json_t *(*body_fn)(const world *w, const person *caller);

typedef struct id_route {
    const char *method;
    const char *template;
    body_fn body;          /* NULL: no body */
    version_of_kind match; /* If-Match with the resource's current version */
} id_route;

static json_t *b_title(const world *w, const person *c)
{
    (void)w;
    (void)c;
    return json_pack("{s:s}", "title", "Taken over by a stranger");
}
static json_t *b_reason(const world *w, const person *c)
{
    (void)w;
    (void)c;
    return json_pack("{s:s}", "reason", "No longer needed, says a stranger");
}
static json_t *b_schedule(const world *w, const person *c)
{
    json_t *b = schedule_body(&w->p, 30 * 86400L, "in_person", 0);
    json_object_set_new(json_object_get(b, "chair"), "sub", json_string(c->who.sub));
    return b;
}
static json_t *b_attendance(const world *w, const person *c)
{
    (void)c;
    return json_pack("{s:[{s:s, s:s}]}", "entries", "invitation_id", w->p.health_invitation,
                     "attendance", "absent");
}
static json_t *b_invitation(const world *w, const person *c)
{
    (void)w;
    return invitation_body(c, "Listen in");
}
static json_t *b_respond(const world *w, const person *c)
{
    (void)w;
    (void)c;
    return json_pack("{s:s, s:s}", "response", "declined", "reason", "Declined by a stranger");
}
static json_t *b_paper(const world *w, const person *c)
{
    (void)w;
    (void)c;
    return json_pack("{s:s}", "title", "A stranger's paper");
}
static json_t *b_decision(const world *w, const person *c)
{
    (void)w;
    (void)c;
    return json_pack("{s:s}", "decision", "inform");
}
static json_t *b_agreement(const world *w, const person *c)
{
    (void)w;
    (void)c;
    return json_pack("{s:b}", "agrees", 1);
}
static json_t *b_minutes(const world *w, const person *c)
{
    (void)w;
    (void)c;
    return json_pack("{s:s}", "purpose", "Rewritten by a stranger");
}
static json_t *b_empty(const world *w, const person *c)
{
    (void)w;
    (void)c;
    return json_object();
}
static json_t *b_distribution(const world *w, const person *c)
{
    (void)w;
    return json_pack("{s:[{s:s, s:s, s:s}]}", "recipients", "name", c->who.name, "contact",
                     "stranger@example.invalid", "category", "professional");
}
static json_t *b_rendition(const world *w, const person *c)
{
    (void)w;
    (void)c;
    return json_pack("{s:s, s:s}", "audience", "child", "withheld_summary",
                     "A stranger's summary");
}
static json_t *b_answer(const world *w, const person *c)
{
    (void)w;
    (void)c;
    return json_pack("{s:s, s:s}", "outcome", "refused", "reason", "A stranger refuses");
}
static json_t *b_letter(const world *w, const person *c)
{
    (void)w;
    (void)c;
    return json_pack("{s:s, s:s, s:s}", "decisions", "A stranger's decisions", "plan",
                     "A stranger's plan", "next_dates", "Never");
}
static json_t *b_due_date(const world *w, const person *c)
{
    (void)w;
    (void)c;
    return json_pack("{s:s, s:s}", "due_date", "2031-01-06", "reason", "A stranger says so");
}
static json_t *b_note(const world *w, const person *c)
{
    (void)w;
    (void)c;
    return json_pack("{s:s}", "note", "Closed by a stranger");
}
static json_t *b_text(const world *w, const person *c)
{
    (void)w;
    (void)c;
    return json_pack("{s:s}", "text", "A stranger's response");
}
static json_t *b_entry(const world *w, const person *c)
{
    (void)w;
    (void)c;
    return json_pack("{s:s, s:s, s:s, s:s}", "occurred_on", "2020-01-06", "what_happened",
                     "A stranger's account", "why_no_action", "None", "basis", "opinion");
}
static json_t *b_entry_change(const world *w, const person *c)
{
    (void)w;
    (void)c;
    return json_pack("{s:s, s:s}", "what_happened", "Rewritten by a stranger", "reason",
                     "A stranger says so");
}
static json_t *b_outcome(const world *w, const person *c)
{
    (void)w;
    (void)c;
    return json_pack("{s:s}", "outcome", "Resolved by a stranger");
}

static json_t *b_extension(const world *w, const person *c)
{
    (void)w;
    (void)c;
    return json_pack("{s:s, s:s}", "reason", "A stranger says it is complex",
                     "requester_told_on", "2026-01-06");
}
static json_t *b_sar_decision(const world *w, const person *c)
{
    (void)w;
    (void)c;
    return json_pack("{s:s, s:s}", "decision", "withhold", "exemption", "third_party_data");
}

static json_t *b_answer_sar(const world *w, const person *c)
{
    (void)w;
    (void)c;
    return json_pack("{s:s}", "answered_on", "2026-01-06");
}

static json_t *b_consult(const world *w, const person *c)
{
    (void)c;
    return json_pack("{s:s, s:[i], s:s}", "agency", w->p.police ? w->p.police : "POLICE",
                     "item_nos", 1, "question", "A stranger asks");
}

static json_t *b_consult_answer(const world *w, const person *c)
{
    (void)w;
    (void)c;
    return json_pack("{s:s, s:s}", "recommendation", "disclose", "text", "A stranger answers");
}

/* SAR-2: the dpo's alone, whatever other role or agency asks */
static const id_route dpo_routes[] = {
    {"GET", "/v1/subject-access-requests/{sar_id}", NULL, V_NONE},
    {"POST", "/v1/subject-access-requests/{sar_id}/extension", b_extension, V_SAR},
    {"POST", "/v1/subject-access-requests/{sar_id}/gather", b_empty, V_SAR},
    {"GET", "/v1/subject-access-requests/{sar_id}/items", NULL, V_NONE},
    {"PUT", "/v1/subject-access-requests/{sar_id}/items/{item_no}/decision", b_sar_decision,
     V_SAR},
    {"GET", "/v1/subject-access-requests/{sar_id}/export", NULL, V_NONE},
    {"GET", "/v1/subject-access-requests/{sar_id}/export/pdf", NULL, V_NONE},
    {"POST", "/v1/subject-access-requests/{sar_id}/answer", b_answer_sar, V_SAR},
    {"POST", "/v1/subject-access-requests/{sar_id}/consultations", b_consult, V_NONE},
    {"GET", "/v1/subject-access-requests/{sar_id}/consultations", NULL, V_NONE},
};

/* SAR-2: a consultation is the dpo's and the consulted agency's managers' */
static const id_route consultation_routes[] = {
    {"GET", "/v1/subject-access-consultations/{consultation_id}", NULL, V_NONE},
    {"POST", "/v1/subject-access-consultations/{consultation_id}/answer", b_consult_answer,
     V_CONSULTATION},
};

static json_t *b_closure(const world *w, const person *c)
{
    (void)w;
    (void)c;
    return json_pack("{s:s}", "closed_on", "2026-01-05");
}

static const id_route case_routes[] = {
    {"GET", "/v1/meetings/{meeting_id}", NULL, V_NONE},
    {"PATCH", "/v1/meetings/{meeting_id}", b_title, V_MEETING},
    {"POST", "/v1/meetings/{meeting_id}/authorise", NULL, V_MEETING},
    {"POST", "/v1/meetings/{meeting_id}/decline", b_reason, V_MEETING},
    {"POST", "/v1/meetings/{meeting_id}/cancel", b_reason, V_MEETING},
    {"POST", "/v1/meetings/{meeting_id}/schedule", b_schedule, V_MEETING},
    {"POST", "/v1/meetings/{meeting_id}/reschedule", b_schedule, V_MEETING},
    {"PUT", "/v1/meetings/{meeting_id}/attendance", b_attendance, V_MEETING},
    {"POST", "/v1/meetings/{meeting_id}/hold", NULL, V_MEETING},
    {"POST", "/v1/meetings/{meeting_id}/invitations", b_invitation, V_NONE},
    {"GET", "/v1/meetings/{meeting_id}/invitations", NULL, V_NONE},
    {"GET", "/v1/invitations/{invitation_id}", NULL, V_NONE},
    {"POST", "/v1/invitations/{invitation_id}/respond", b_respond, V_INVITATION},
    {"POST", "/v1/invitations/{invitation_id}/papers", b_paper, V_NONE},
    {"POST", "/v1/invitations/{invitation_id}/withdraw", b_reason, V_INVITATION},
    {"POST", "/v1/meetings/{meeting_id}/consent-decisions", b_decision, V_NONE},
    {"GET", "/v1/meetings/{meeting_id}/consent-decisions", NULL, V_NONE},
    {"GET", "/v1/consent-decisions/{decision_id}", NULL, V_NONE},
    {"POST", "/v1/consent-decisions/{decision_id}/agreements", b_agreement, V_NONE},
    {"PUT", "/v1/meetings/{meeting_id}/minutes", b_minutes, V_MINUTES},
    {"GET", "/v1/meetings/{meeting_id}/minutes", NULL, V_NONE},
    {"GET", "/v1/meetings/{meeting_id}/minutes/versions", NULL, V_NONE},
    {"GET", "/v1/meetings/{meeting_id}/minutes/versions/{number}", NULL, V_NONE},
    {"GET", "/v1/meetings/{meeting_id}/minutes/versions/{number}/family-copy", NULL, V_NONE},
    {"POST", "/v1/meetings/{meeting_id}/minutes/approve", b_empty, V_MINUTES},
    {"POST", "/v1/meetings/{meeting_id}/minutes/amendments", b_reason, V_NONE},
    {"POST", "/v1/meetings/{meeting_id}/minutes/distribution", b_distribution, V_NONE},
    {"POST", "/v1/meetings/{meeting_id}/close", b_empty, V_MEETING},
    {"GET", "/v1/actions/{action_id}", NULL, V_NONE},
    {"PATCH", "/v1/actions/{action_id}", b_due_date, V_ACTION},
    {"POST", "/v1/actions/{action_id}/complete", b_note, V_ACTION},
    {"POST", "/v1/actions/{action_id}/cancel", b_note, V_ACTION},
    {"GET", "/v1/escalations/{escalation_id}", NULL, V_NONE},
    {"POST", "/v1/escalations/{escalation_id}/responses", b_text, V_NONE},
    {"POST", "/v1/escalations/{escalation_id}/escalate", NULL, V_ESCALATION},
    {"POST", "/v1/escalations/{escalation_id}/resolve", b_outcome, V_ESCALATION},
    {"POST", "/v1/escalations/{escalation_id}/withdraw", b_reason, V_ESCALATION},
    {"GET", "/v1/obligations/{obligation_id}", NULL, V_NONE},
    {"GET", "/v1/meetings/{meeting_id}/calendar", NULL, V_NONE},
    {"GET", "/v1/invitations/{invitation_id}/calendar", NULL, V_NONE},
    {"GET", "/v1/children/{child_id}", NULL, V_NONE},
    {"GET", "/v1/children/{child_id}/chronology", NULL, V_NONE},
    {"GET", "/v1/children/{child_id}/chronology/pdf", NULL, V_NONE},
    {"POST", "/v1/children/{child_id}/chronology/entries", b_entry, V_NONE},
    {"GET", "/v1/chronology-entries/{entry_id}", NULL, V_NONE},
    {"PATCH", "/v1/chronology-entries/{entry_id}", b_entry_change, V_ENTRY},
    {"POST", "/v1/meetings/{meeting_id}/minutes/versions/{number}/renditions", b_rendition,
     V_NONE},
    {"GET", "/v1/meetings/{meeting_id}/renditions", NULL, V_NONE},
    {"GET", "/v1/renditions/{rendition_id}", NULL, V_NONE},
    {"POST", "/v1/renditions/{rendition_id}/shares", b_distribution, V_NONE},
    {"POST", "/v1/meetings/{meeting_id}/minutes/versions/{number}/inaccuracies", b_text,
     V_NONE},
    {"GET", "/v1/meetings/{meeting_id}/inaccuracies", NULL, V_NONE},
    {"GET", "/v1/inaccuracies/{inaccuracy_id}", NULL, V_NONE},
    {"POST", "/v1/inaccuracies/{inaccuracy_id}/answer", b_answer, V_INACCURACY},
    {"POST", "/v1/meetings/{meeting_id}/outcome-letter", b_letter, V_NONE},
    {"GET", "/v1/meetings/{meeting_id}/outcome-letter", NULL, V_NONE},
    {"POST", "/v1/children/{child_id}/case-closures", b_closure, V_NONE},
};

/* Routes with a path parameter that name no case data: the agency
 * directory and the working-days calendar are read by every caller and
 * kept by admins of any agency (function-level authorisation, API5:
 * auth::SEC_3_*, agencies::*, bank_holidays::*). Listed so that the
 * coverage check knows they were considered. */
static const struct {
    const char *method, *template;
} not_case_data[] = {
    {"GET", "/v1/agencies/{code}"},
    {"PATCH", "/v1/agencies/{code}"},
    {"GET", "/v1/bank-holidays/{date}"},
    {"DELETE", "/v1/bank-holidays/{date}"},
    /* the contract's problem types (public redirects to the reference) */
    {"GET", "/problems/{problem}"},
    /* an agency's webhook configuration, its integration's and admins'
     * (webhooks::INT_5_an_integration_registers_an_endpoint_and_sees_its_secret_once:
     * another agency's integration gets 404) */
    {"GET", "/v1/webhook-endpoints/{endpoint_id}"},
    {"PATCH", "/v1/webhook-endpoints/{endpoint_id}"},
    {"DELETE", "/v1/webhook-endpoints/{endpoint_id}"},
    {"POST", "/v1/webhook-endpoints/{endpoint_id}/rotate-secret"},
    {"GET", "/v1/webhook-endpoints/{endpoint_id}/deliveries"},
    {"POST", "/v1/webhook-endpoints/{endpoint_id}/deliveries/{delivery_id}/replay"},
    /* a person's own calendar feed tokens, and the feed the token itself
     * opens (icalendar::INT_6_a_personal_feed_is_reached_by_its_token_alone_and_revocable) */
    {"DELETE", "/v1/calendar-tokens/{token_id}"},
    {"GET", "/v1/calendar-feeds/{feed_token}"},
    /* retention policies are read by every caller and changed by admins
     * (retention::RET_1_policy_changes_refused_change_nothing) */
    {"GET", "/v1/retention-policies/{record_class}"},
    {"PUT", "/v1/retention-policies/{record_class}"},
    {"GET", "/v1/retention-policies/{record_class}/versions"},
    /* the dpo's and admins' across the service by design (RET-2), everyone
     * else 403 (retention::RET_2_holds_refused_change_nothing) */
    {"GET", "/v1/retention-holds/{hold_id}"},
    {"POST", "/v1/retention-holds/{hold_id}/release"},
    /* the dpo and admins decide on every record; a senior manager of another
     * agency gets 404 (disposal::RET_3_a_senior_manager_proposes_and_the_dpo_approves) */
    {"GET", "/v1/disposals/{disposal_id}"},
    {"POST", "/v1/disposals/{disposal_id}/approve"},
    /* the dpo reads every child's; a manager of another agency gets 404
     * (access_report::SEC_7_only_the_dpo_and_the_convening_managers_read_it) */
    {"GET", "/v1/children/{child_id}/access-report"},
};

static const char *const roles[] = {
    "practitioner", "senior_practitioner", "manager",     "senior_manager", "named_doctor",
    "partnership",  "auditor",             "admin",       "integration", "safeguarding_lead",
    "dpo",
    "practitioner,senior_practitioner,manager,senior_manager,named_doctor,partnership,auditor,"
    "admin,integration,safeguarding_lead,dpo",
};

/* The template with the world's ids put in. */
static void fill(const world *w, const char *template, char *out, size_t size)
{
    struct {
        const char *name, *value;
    } subs[] = {{"{meeting_id}", w->p.meeting_id},       {"{invitation_id}", w->p.police_invitation},
                {"{decision_id}", w->decision_id},       {"{action_id}", w->action_id},
                {"{escalation_id}", w->escalation_id},   {"{number}", "1"},
                {"{obligation_id}", w->obligation_id},
                {"{child_id}", w->child_id},             {"{entry_id}", w->entry_id},
                {"{rendition_id}", w->rendition_id},     {"{inaccuracy_id}", w->inaccuracy_id},
                {"{sar_id}", w->sar_id},                 {"{item_no}", "1"},
                {"{consultation_id}", w->consultation_id}};
    size_t o = 0;
    for (const char *t = template; *t && o + 1 < size;) {
        bool done = false;
        for (size_t i = 0; i < N(subs); i++) {
            size_t n = strlen(subs[i].name);
            if (strncmp(t, subs[i].name, n) == 0) {
                o += (size_t)snprintf(out + o, size - o, "%s", subs[i].value);
                t += n;
                done = true;
                break;
            }
        }
        if (!done)
            out[o++] = *t++;
    }
    out[o < size ? o : size - 1] = '\0';
}

static long current_version(const world *w, version_of_kind k)
{
    switch (k) {
    case V_MEETING:
        return version_of("SELECT version FROM meetings WHERE id = $1", w->p.meeting_id);
    case V_INVITATION:
        return version_of("SELECT version FROM invitations WHERE id = $1",
                          w->p.police_invitation);
    case V_MINUTES:
        return version_of("SELECT max(version) FROM minutes WHERE meeting_id = $1"
                          " AND number = (SELECT max(number) FROM minutes WHERE meeting_id = $1)",
                          w->p.meeting_id);
    case V_ACTION:
        return version_of("SELECT version FROM actions WHERE id = $1", w->action_id);
    case V_ESCALATION:
        return version_of("SELECT version FROM escalations WHERE id = $1", w->escalation_id);
    case V_ENTRY:
        return version_of("SELECT version FROM chronology_entries WHERE id = $1", w->entry_id);
    case V_INACCURACY:
        return version_of("SELECT version FROM minutes_inaccuracies WHERE id = $1",
                          w->inaccuracy_id);
    case V_SAR:
        return version_of("SELECT version FROM subject_access_requests WHERE id = $1",
                          w->sar_id);
    case V_CONSULTATION:
        return version_of("SELECT version FROM subject_access_consultations WHERE id = $1",
                          w->consultation_id);
    case V_NONE:
        break;
    }
    return 0;
}

/* One call as the stranger: 404 problem+json that names nothing of it. */
static void expect_invisible(const world *w, const id_route *rt, const person *stranger,
                             const char *role)
{
    char path[256];
    fill(w, rt->template, path, sizeof path);
    json_t *body = rt->body ? rt->body(w, stranger) : NULL;
    long v = current_version(w, rt->match);
    char etag[32];
    snprintf(etag, sizeof etag, "\"%ld\"", v);
    http_response *r = api_call(rt->method, path, stranger->token, body, v ? etag : NULL);
    json_decref(body);
    cr_assert_eq(r->status, 404, "%s %s as a stranger (%s): expected 404, got %ld %s",
                 rt->method, rt->template, role, r->status, r->body);
    expect_problem(r, 404, "/problems/not-found");
    cr_assert_null(strstr(r->body, w->reference), "%s %s: the 404 names the meeting: %s",
                   rt->method, rt->template, r->body);
    cr_assert_null(strstr(r->body, w->title), "%s %s: the 404 shows the title", rt->method,
                   rt->template);
    cr_assert_null(json_object_get(r->json, "errors"), "%s %s: a 404 says nothing more: %s",
                   rt->method, rt->template, r->body);
    char *etag_header = http_header(r, "ETag");
    cr_assert_null(etag_header, "%s %s: a 404 carries no ETag (it would reveal the version)",
                   rt->method, rt->template);
    http_free(r);
}

Test(bola, SEC_2_every_id_route_is_404_to_every_role_of_an_unrelated_agency)
{
    world w;
    world_build(&w);
    char *elsewhere = agency_new("education");
    /* after each call the meeting and everything under it (with the audit
     * rows and feed events about any of it); after each caller, the
     * agencies' fingerprints too */
    char *before = world_state(&w, elsewhere);
    char *digest_before = db_meeting_digest(w.p.meeting_id);
    size_t cases = 0;
    for (size_t k = 0; k < N(roles); k++) {
        person stranger = person_new(elsewhere, roles[k]);
        for (size_t i = 0; i < N(case_routes); i++) {
            expect_invisible(&w, &case_routes[i], &stranger, roles[k]);
            char *after = db_meeting_digest(w.p.meeting_id);
            cr_assert_str_eq(after, digest_before,
                             "%s %s as %s changed the database:\n%s\n->\n%s",
                             case_routes[i].method, case_routes[i].template, roles[k],
                             digest_before, after);
            free(after);
            cases++;
        }
        char *after = world_state(&w, elsewhere);
        cr_assert_str_eq(after, before, "calls as %s changed the database:\n%s\n->\n%s",
                         roles[k], before, after);
        free(after);
        person_free(&stranger);
    }
    cr_log_info("BOLA: %zu routes x %zu callers = %zu cases, all 404 and nothing changed",
                N(case_routes), N(roles), cases);
    printf("BOLA: %zu routes x %zu callers = %zu cases\n", N(case_routes), N(roles), cases);

    /* and the owners still see what the strangers could not: the ids are real */
    const person *owner = &w.p.requester;
    for (size_t i = 0; i < N(case_routes); i++) {
        if (strcmp(case_routes[i].method, "GET") != 0)
            continue;
        char path[256];
        fill(&w, case_routes[i].template, path, sizeof path);
        const person *who = strstr(path, "/v1/invitations/") ? &w.p.police_officer : owner;
        http_response *r = api_get(path, who->token);
        cr_assert_eq(r->status, 200, "GET %s by someone who may see it: %ld %s",
                     case_routes[i].template, r->status, r->body);
        http_free(r);
    }
    free(digest_before);
    free(before);
    free(elsewhere);
    world_free(&w);
}

/* Ids that name nothing (unknown UUIDs, not UUIDs at all, injection
 * attempts) answer exactly as ids the caller may not see: 404. */
Test(bola, SEC_2_ids_that_name_nothing_are_404_too)
{
    char *agency = agency_new("health");
    person p = person_new(agency, "manager,admin,auditor");
    static const char *const ids[] = {"00000000-0000-0000-0000-000000000000",
                                      "ffffffff-ffff-ffff-ffff-ffffffffffff", "not-a-uuid",
                                      "1%20OR%201=1", "%27%3B--"};
    size_t n = 0;
    for (size_t i = 0; i < N(ids); i++)
        for (size_t j = 0; j < N(case_routes); j++) {
            const id_route *rt = &case_routes[j];
            world w;
            memset(&w, 0, sizeof w);
            w.p.meeting_id = (char *)ids[i];
            w.p.police_invitation = (char *)ids[i];
            /* named in a body, where it must be well-formed */
            w.p.health_invitation = "00000000-0000-0000-0000-000000000000";
            w.decision_id = (char *)ids[i];
            w.action_id = (char *)ids[i];
            w.escalation_id = (char *)ids[i];
            w.obligation_id = (char *)ids[i];
            w.p.manager = p;
            w.p.requester = p;
            char path[256];
            fill(&w, rt->template, path, sizeof path);
            json_t *body = rt->body ? rt->body(&w, &p) : NULL;
            http_response *r =
                api_call(rt->method, path, p.token, body, rt->match != V_NONE ? "\"1\"" : NULL);
            json_decref(body);
            cr_assert_eq(r->status, 404, "%s %s -> %ld %s", rt->method, path, r->status,
                         r->body);
            expect_problem(r, 404, "/problems/not-found");
            http_free(r);
            n++;
        }
    cr_log_info("%zu calls with ids that name nothing", n);
    person_free(&p);
    free(agency);
}

/* The subject access request and its items, with their audit rows. */
static char *sar_digest(const world *w)
{
    return db_str1("SELECT (SELECT row_to_json(r)::text FROM subject_access_requests r"
                   "         WHERE r.id = $1::uuid)"
                   "    || (SELECT string_agg(row_to_json(x)::text, ',' ORDER BY x.item_no)"
                   "          FROM subject_access_items x WHERE x.request_id = $1::uuid)"
                   "    || (SELECT count(*) FROM audit_events WHERE resource_id = $1::text)",
                   w->sar_id);
}

Test(bola, SEC_2_SAR_2_subject_access_routes_are_404_to_every_role_but_the_dpo)
{
    world w;
    world_build(&w);
    char *elsewhere = agency_new("education");
    char *before = world_state(&w, elsewhere);
    char *sar_before = sar_digest(&w);
    size_t cases = 0;
    /* every role but dpo, in the dpo's own agency and in another */
    const char *const agencies[] = {w.p.csc, elsewhere};
    for (size_t a = 0; a < N(agencies); a++)
        for (size_t k = 0; k < N(roles); k++) {
            if (strstr(roles[k], "dpo"))
                continue;
            person other = person_new(agencies[a], roles[k]);
            for (size_t i = 0; i < N(dpo_routes); i++) {
                expect_invisible(&w, &dpo_routes[i], &other, roles[k]);
                char *after = sar_digest(&w);
                cr_assert_str_eq(after, sar_before, "%s %s as %s changed the request",
                                 dpo_routes[i].method, dpo_routes[i].template, roles[k]);
                free(after);
                cases++;
            }
            person_free(&other);
        }
    person every = person_new(elsewhere,
                              "practitioner,senior_practitioner,manager,senior_manager,"
                              "named_doctor,partnership,auditor,admin,integration,"
                              "safeguarding_lead");
    for (size_t i = 0; i < N(dpo_routes); i++)
        expect_invisible(&w, &dpo_routes[i], &every, "every role but dpo");
    person_free(&every);
    char *after = world_state(&w, elsewhere);
    cr_assert_str_eq(after, before, "the calls changed the database");
    free(after);
    cr_log_info("BOLA (SAR-2): %zu cases, all 404 and nothing changed", cases);
    /* and the dpo reads every one of them */
    for (size_t i = 0; i < N(dpo_routes); i++) {
        if (strcmp(dpo_routes[i].method, "GET") != 0 || strstr(dpo_routes[i].template, "export"))
            continue;
        char path[256];
        fill(&w, dpo_routes[i].template, path, sizeof path);
        http_response *r = api_get(path, w.dpo.token);
        cr_assert_eq(r->status, 200, "GET %s by the dpo: %ld %s", dpo_routes[i].template,
                     r->status, r->body);
        http_free(r);
    }
    free(sar_before);
    free(before);
    free(elsewhere);
    world_free(&w);
}

/* The consultation with its items, and the audit rows about it. */
static char *consultation_digest(const world *w)
{
    return db_str1("SELECT (SELECT row_to_json(c)::text FROM subject_access_consultations c"
                   "         WHERE c.id = $1::uuid)"
                   "    || (SELECT count(*) FROM subject_access_consultation_items i"
                   "         WHERE i.consultation_id = $1::uuid)"
                   "    || (SELECT count(*) FROM audit_events WHERE resource_id = $1::text)",
                   w->consultation_id);
}

Test(bola, SEC_2_SAR_2_consultation_routes_are_404_to_all_but_the_dpo_and_the_consulted_managers)
{
    world w;
    world_build(&w);
    char *elsewhere = agency_new("education");
    char *before = consultation_digest(&w);
    char *sar_before = sar_digest(&w);
    size_t cases = 0;
    /* every role of the requesting agency and of another; the consulted
     * agency's roles but its managers' */
    const char *const agencies[] = {w.p.csc, w.p.police, elsewhere};
    for (size_t a = 0; a < N(agencies); a++)
        for (size_t k = 0; k < N(roles); k++) {
            if (strstr(roles[k], "dpo") || (a == 1 && strstr(roles[k], "manager")))
                continue;
            person other = person_new(agencies[a], roles[k]);
            for (size_t i = 0; i < N(consultation_routes); i++) {
                expect_invisible(&w, &consultation_routes[i], &other, roles[k]);
                char *after = consultation_digest(&w);
                cr_assert_str_eq(after, before, "%s %s as %s of %s changed the consultation",
                                 consultation_routes[i].method, consultation_routes[i].template,
                                 roles[k], agencies[a]);
                free(after);
                cases++;
            }
            person_free(&other);
        }
    /* the managers of every other agency, with every role but dpo */
    person every = person_new(elsewhere,
                              "practitioner,senior_practitioner,manager,senior_manager,"
                              "named_doctor,partnership,auditor,admin,integration,"
                              "safeguarding_lead");
    for (size_t i = 0; i < N(consultation_routes); i++)
        expect_invisible(&w, &consultation_routes[i], &every, "every role but dpo");
    person_free(&every);
    char *sar_after = sar_digest(&w);
    cr_assert_str_eq(sar_after, sar_before, "the calls changed the request");
    free(sar_after);
    cr_log_info("BOLA (SAR-2 consultations): %zu cases, all 404 and nothing changed", cases);
    /* and the consulted agency's managers and the dpo read it */
    const char *const readers[] = {"manager", "senior_manager"};
    char path[256];
    fill(&w, consultation_routes[0].template, path, sizeof path);
    for (size_t k = 0; k < N(readers); k++) {
        person manager = person_new(w.p.police, readers[k]);
        http_response *r = api_get(path, manager.token);
        cr_assert_eq(r->status, 200, "GET %s by the police's %s: %ld %s", path, readers[k],
                     r->status, r->body);
        http_free(r);
        person_free(&manager);
    }
    http_response *r = api_get(path, w.dpo.token);
    cr_assert_eq(r->status, 200, "GET %s by the dpo: %ld %s", path, r->status, r->body);
    http_free(r);
    free(sar_before);
    free(before);
    free(elsewhere);
    world_free(&w);
}

/* To the dpo too, ids that name no request are 404. */
Test(bola, SEC_2_SAR_2_ids_that_name_no_request_are_404_to_the_dpo)
{
    char *agency = agency_new("health");
    person dpo = person_new(agency, "dpo");
    static const char *const ids[] = {"00000000-0000-0000-0000-000000000000", "not-a-uuid",
                                      "1%20OR%201=1", "%27%3B--"};
    for (size_t i = 0; i < N(ids); i++)
        for (size_t j = 0; j < N(dpo_routes); j++) {
            world w;
            memset(&w, 0, sizeof w);
            w.sar_id = (char *)ids[i];
            char path[256];
            fill(&w, dpo_routes[j].template, path, sizeof path);
            json_t *body = dpo_routes[j].body ? dpo_routes[j].body(&w, &dpo) : NULL;
            http_response *r = api_call(dpo_routes[j].method, path, dpo.token, body,
                                        dpo_routes[j].match != V_NONE ? "\"1\"" : NULL);
            json_decref(body);
            cr_assert_eq(r->status, 404, "%s %s -> %ld %s", dpo_routes[j].method, path,
                         r->status, r->body);
            expect_problem(r, 404, "/problems/not-found");
            http_free(r);
        }
    for (size_t i = 0; i < N(ids); i++)
        for (size_t j = 0; j < N(consultation_routes); j++) {
            world w;
            memset(&w, 0, sizeof w);
            w.consultation_id = (char *)ids[i];
            char path[256];
            fill(&w, consultation_routes[j].template, path, sizeof path);
            json_t *body =
                consultation_routes[j].body ? consultation_routes[j].body(&w, &dpo) : NULL;
            http_response *r = api_call(consultation_routes[j].method, path, dpo.token, body,
                                        consultation_routes[j].match != V_NONE ? "\"1\"" : NULL);
            json_decref(body);
            cr_assert_eq(r->status, 404, "%s %s -> %ld %s", consultation_routes[j].method, path,
                         r->status, r->body);
            expect_problem(r, 404, "/problems/not-found");
            http_free(r);
        }
    person_free(&dpo);
    free(agency);
}

Test(bola, every_route_with_a_path_parameter_is_covered)
{
    size_t served = 0;
    for (int i = 0; api_routes[i].method; i++) {
        const route *rt = &api_routes[i];
        if (!strchr(rt->template, '{'))
            continue;
        served++;
        bool found = false;
        for (size_t j = 0; j < N(case_routes) && !found; j++)
            found = strcmp(case_routes[j].method, rt->method) == 0 &&
                    strcmp(case_routes[j].template, rt->template) == 0;
        for (size_t j = 0; j < N(not_case_data) && !found; j++)
            found = strcmp(not_case_data[j].method, rt->method) == 0 &&
                    strcmp(not_case_data[j].template, rt->template) == 0;
        for (size_t j = 0; j < N(dpo_routes) && !found; j++)
            found = strcmp(dpo_routes[j].method, rt->method) == 0 &&
                    strcmp(dpo_routes[j].template, rt->template) == 0;
        for (size_t j = 0; j < N(consultation_routes) && !found; j++)
            found = strcmp(consultation_routes[j].method, rt->method) == 0 &&
                    strcmp(consultation_routes[j].template, rt->template) == 0;
        cr_assert(found, "%s %s takes an id but test_bola.c does not call it", rt->method,
                  rt->template);
    }
    /* and nothing in the table that the service no longer serves */
    for (size_t j = 0; j < N(case_routes); j++) {
        bool found = false;
        for (int i = 0; api_routes[i].method && !found; i++)
            found = strcmp(case_routes[j].method, api_routes[i].method) == 0 &&
                    strcmp(case_routes[j].template, api_routes[i].template) == 0;
        cr_assert(found, "%s %s is not in the route table", case_routes[j].method,
                  case_routes[j].template);
    }
    for (size_t j = 0; j < N(dpo_routes); j++) {
        bool found = false;
        for (int i = 0; api_routes[i].method && !found; i++)
            found = strcmp(dpo_routes[j].method, api_routes[i].method) == 0 &&
                    strcmp(dpo_routes[j].template, api_routes[i].template) == 0;
        cr_assert(found, "%s %s is not in the route table", dpo_routes[j].method,
                  dpo_routes[j].template);
    }
    for (size_t j = 0; j < N(consultation_routes); j++) {
        bool found = false;
        for (int i = 0; api_routes[i].method && !found; i++)
            found = strcmp(consultation_routes[j].method, api_routes[i].method) == 0 &&
                    strcmp(consultation_routes[j].template, api_routes[i].template) == 0;
        cr_assert(found, "%s %s is not in the route table", consultation_routes[j].method,
                  consultation_routes[j].template);
    }
    cr_assert_eq(served,
                 N(case_routes) + N(not_case_data) + N(dpo_routes) + N(consultation_routes),
                 "%zu routes take an id", served);
}

/* --- API3: mass assignment --- */

typedef struct assignment {
    const char *field;
    const char *value; /* JSON text */
} assignment;

typedef struct assign_target {
    const char *what;
    const char *method;
    char path[256];
    const person *who;
    long version; /* If-Match, 0 for none */
    json_t *body; /* a valid body */
    const assignment *fields;
    size_t n;
} assign_target;

static size_t refuse_assignments(const world *w, const char *stranger_agency,
                                 const assign_target *t)
{
    char *before = world_state(w, stranger_agency);
    char etag[32];
    snprintf(etag, sizeof etag, "\"%ld\"", t->version);
    for (size_t i = 0; i < t->n; i++) {
        json_t *body = json_deep_copy(t->body);
        json_error_t err;
        json_t *value = json_loads(t->fields[i].value, JSON_DECODE_ANY, &err);
        cr_assert(value, "%s", t->fields[i].value);
        json_object_set_new(body, t->fields[i].field, value);
        http_response *r = api_call(t->method, t->path, t->who->token, body,
                                    t->version ? etag : NULL);
        json_decref(body);
        cr_assert_eq(r->status, 400, "%s with '%s': expected 400, got %ld %s", t->what,
                     t->fields[i].field, r->status, r->body);
        expect_problem(r, 400, "/problems/invalid-request");
        cr_assert(problem_has_field(r, t->fields[i].field), "%s: the 400 names '%s': %s",
                  t->what, t->fields[i].field, r->body);
        http_free(r);
        char *after = world_state(w, stranger_agency);
        cr_assert_str_eq(after, before, "%s with '%s' changed the database", t->what,
                         t->fields[i].field);
        free(after);
    }
    free(before);
    return t->n;
}

static const assignment meeting_fields[] = {
    {"id", "\"00000000-0000-0000-0000-000000000001\""},
    {"reference", "\"MAM-2000-000001\""},
    {"status", "\"closed\""},
    {"version", "99"},
    {"convening_agency", "\"ADMIN\""},
    {"requester", "{\"sub\":\"attacker\",\"name\":\"Attacker\"}"},
    {"requester_sub", "\"attacker\""},
    {"requester_name", "\"Attacker\""},
    {"decision", "{\"by\":{\"sub\":\"attacker\"},\"outcome\":\"authorised\"}"},
    {"cancellation", "null"},
    {"schedule", "{\"start\":\"2031-01-01T10:00:00Z\"}"},
    {"family_notice", "{\"decision\":\"inform\"}"},
    {"minutes", "{\"status\":\"approved\"}"},
    {"held_at", "\"2000-01-01T00:00:00Z\""},
    {"closed_at", "\"2000-01-01T00:00:00Z\""},
    {"created_at", "\"2000-01-01T00:00:00Z\""},
    {"updated_at", "\"2000-01-01T00:00:00Z\""},
    {"created_by_sub", "\"attacker\""},
    {"actor_sub", "\"attacker\""},
    {"request_id", "\"forged\""},
    {"chair_sub", "\"attacker\""},
};

/* PATCH also refuses the members a request may only set when it is made */
static const assignment patch_fields[] = {
    {"type", "\"strategy_discussion\""},
    {"previous_meeting_id", "\"00000000-0000-0000-0000-000000000001\""},
};

static const assignment invitation_fields[] = {
    {"id", "\"00000000-0000-0000-0000-000000000001\""},
    {"meeting_id", "\"00000000-0000-0000-0000-000000000001\""},
    {"status", "\"accepted\""},
    {"version", "7"},
    {"short_notice", "false"},
    {"attendance", "\"present\""},
    {"papers", "[]"},
    {"history", "[]"},
    {"invited_at", "\"2000-01-01T00:00:00Z\""},
    {"part", "1"},
    {"invited_by_sub", "\"attacker\""},
};

static const assignment respond_fields[] = {
    {"status", "\"accepted\""},
    {"version", "7"},
    {"invitee", "{\"sub\":\"attacker\"}"},
    {"attendance", "\"present\""},
    {"responded_by", "{\"sub\":\"attacker\"}"},
};

static const assignment decision_fields[] = {
    {"id", "\"00000000-0000-0000-0000-000000000001\""},
    {"status", "\"agreed\""},
    {"current", "true"},
    {"decided_by", "{\"sub\":\"attacker\"}"},
    {"decided_at", "\"2000-01-01T00:00:00Z\""},
    {"agreements", "[]"},
    {"meeting_id", "\"00000000-0000-0000-0000-000000000001\""},
};

static const assignment schedule_fields[] = {
    {"status", "\"scheduled\""},
    {"version", "7"},
    {"scheduled_at", "\"2000-01-01T00:00:00Z\""},
};

static const assignment escalation_fields[] = {
    {"id", "\"00000000-0000-0000-0000-000000000001\""},
    {"stage", "4"},
    {"status", "\"resolved\""},
    {"stage_due", "\"2099-01-01\""},
    {"raised_by", "{\"sub\":\"attacker\"}"},
    {"timeline", "[]"},
    {"version", "7"},
    {"outcome", "\"Resolved\""},
    {"raised_by_agency", "\"ADMIN\""},
};

static const assignment action_fields[] = {
    {"id", "\"00000000-0000-0000-0000-000000000001\""},
    {"status", "\"completed\""},
    {"owner", "{\"sub\":\"attacker\"}"},
    {"description", "\"Rewritten\""},
    {"version", "7"},
    {"history", "[]"},
    {"meeting_id", "\"00000000-0000-0000-0000-000000000001\""},
    {"owner_sub", "\"attacker\""},
};

Test(bola, SEC_6_mass_assignment_of_service_set_members_is_refused_by_name)
{
    world w;
    world_build(&w);
    planned *p = &w.p;
    size_t n = 0;

    /* a new request */
    assign_target t = {"POST /v1/meetings", "POST", "/v1/meetings", &p->requester, 0,
                       meeting_body("professionals"), meeting_fields, N(meeting_fields)};
    n += refuse_assignments(&w, NULL, &t);
    json_decref(t.body);
    const char *params[] = {p->requester.who.sub};
    cr_assert_eq(db_long("SELECT count(*) FROM meetings WHERE requester_sub = $1", 1, params), 1,
                 "no meeting was made by the refused requests");

    /* a patch (on a fresh requested meeting, where PATCH applies) */
    char *fresh = meeting_new(&p->requester, "professionals");
    char *before_fresh = db_meeting_digest(fresh);
    assign_target pt = {"PATCH /v1/meetings/{id}", "PATCH", "", &p->requester, 1,
                        json_pack("{s:s}", "title", "A new title"), meeting_fields,
                        N(meeting_fields)};
    snprintf(pt.path, sizeof pt.path, "%s", meeting_path(fresh, NULL));
    n += refuse_assignments(&w, NULL, &pt);
    pt.fields = patch_fields;
    pt.n = N(patch_fields);
    n += refuse_assignments(&w, NULL, &pt);
    json_decref(pt.body);
    char *after_fresh = db_meeting_digest(fresh);
    cr_assert_str_eq(after_fresh, before_fresh, "the patched meeting is unchanged");
    free(after_fresh);
    free(before_fresh);

    /* invitations, answers, decisions, schedules, escalations, actions */
    person extra = person_new(p->police, "practitioner");
    assign_target it = {"POST invitations", "POST", "", &p->requester, 0,
                        invitation_body(&extra, "Listen in"), invitation_fields,
                        N(invitation_fields)};
    snprintf(it.path, sizeof it.path, "/v1/meetings/%s/invitations", p->meeting_id);
    n += refuse_assignments(&w, NULL, &it);
    json_decref(it.body);

    assign_target rt = {"POST respond", "POST", "", &p->police_officer,
                        current_version(&w, V_INVITATION),
                        json_pack("{s:s}", "response", "accepted"), respond_fields,
                        N(respond_fields)};
    snprintf(rt.path, sizeof rt.path, "/v1/invitations/%s/respond", p->police_invitation);
    n += refuse_assignments(&w, NULL, &rt);
    json_decref(rt.body);

    assign_target dt = {"POST consent-decisions", "POST", "", &p->manager, 0,
                        json_pack("{s:s}", "decision", "inform"), decision_fields,
                        N(decision_fields)};
    snprintf(dt.path, sizeof dt.path, "/v1/meetings/%s/consent-decisions", p->meeting_id);
    n += refuse_assignments(&w, NULL, &dt);
    json_decref(dt.body);

    assign_target st = {"POST schedule", "POST", "", &p->requester,
                        current_version(&w, V_MEETING),
                        schedule_body(p, 30 * 86400L, "in_person", 0), schedule_fields,
                        N(schedule_fields)};
    snprintf(st.path, sizeof st.path, "%s", meeting_path(p->meeting_id, "schedule"));
    n += refuse_assignments(&w, NULL, &st);
    json_decref(st.body);

    assign_target et = {"POST /v1/escalations", "POST", "/v1/escalations", &p->requester, 0,
                        json_pack("{s:s, s:s, s:s, s:s, s:s}", "meeting_id", p->meeting_id,
                                  "type", "concern_after_decision", "concern", "Not followed",
                                  "outcome_sought", "A review", "with_agency", p->health),
                        escalation_fields, N(escalation_fields)};
    n += refuse_assignments(&w, NULL, &et);
    json_decref(et.body);

    assign_target at = {"PATCH /v1/actions/{id}", "PATCH", "", &p->police_officer,
                        current_version(&w, V_ACTION),
                        json_pack("{s:s, s:s}", "due_date", "2031-01-06", "reason",
                                  "Waiting for the school"),
                        action_fields, N(action_fields)};
    snprintf(at.path, sizeof at.path, "/v1/actions/%s", w.action_id);
    n += refuse_assignments(&w, NULL, &at);
    json_decref(at.body);

    cr_log_info("mass assignment: %zu bodies refused by name", n);
    person_free(&extra);
    free(fresh);
    world_free(&w);
}
