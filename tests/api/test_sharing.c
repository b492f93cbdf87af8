/* The information-sharing ledger (ISL-1 to ISL-3): the flows that disclose
 * write their own entries (distribution, the family's copy, papers in
 * advance), refusals and spoken disclosures are recorded with their
 * reasons and lawful basis, and the DPO and auditors list the ledger by
 * child, agency and period. Fictitious people and NHS numbers (the 999
 * range kept for testing). */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "held_meeting.h"
#include "support/client.h"
#include "support/expect.h"
#include "support/fixtures.h"
#include "support/people.h"
#include "support/planning.h"

/* A meeting about a child with an NHS number, held, its minutes approved
 * and shared with the family by decision; a paper shared with the police
 * beforehand. Returns the child's id. */
static char *shared_meeting(planned *p)
{
    test_clock_set(time(NULL));
    planned_authorised(p, "professionals");
    char nhs[11];
    nhs_number_new(nhs);
    json_t *patch = json_pack("{s:[{s:s, s:s, s:s}]}", "children", "name", "Alex Example",
                              "date_of_birth", "2015-06-01", "nhs_number", nhs);
    http_response *r = api_call("PATCH", meeting_path(p->meeting_id, NULL), p->requester.token,
                                patch, etag_of(p->version));
    json_decref(patch);
    cr_assert_eq(r->status, 200, "%s", r->body);
    p->version = meeting_authorise(&p->manager, p->meeting_id, json_int(r->json, "version"));
    http_free(r);
    planned_invite_agencies(p);
    char path[160];
    snprintf(path, sizeof path, "/v1/invitations/%s/papers", p->police_invitation);
    json_t *paper = json_pack("{s:s}", "title", "Health visiting summary");
    r = api_call("POST", path, p->requester.token, paper, NULL);
    json_decref(paper);
    cr_assert_eq(r->status, 201, "%s", r->body);
    http_free(r);
    planned_inform_family(p);
    planned_schedule(p, HELD_HOUR, "in_person", 0);
    held_attend_and_hold(p, &p->requester);
    held_minutes_approved(p, &p->manager, held_complete_minutes(p, 20));
    held_sharing(p, &p->manager, true);
    free(minutes_family_rendition(p->meeting_id, 1, &p->manager));
    r = held_distribute(p, &p->requester,
                        json_pack("[o, o]", held_recipient("Police records", p->police,
                                                           "professional"),
                                  held_recipient("The parents", NULL, "family")));
    cr_assert_eq(r->status, 201, "%s", r->body);
    http_free(r);
    const char *params[] = {p->meeting_id};
    return db_value("SELECT child_id::text FROM meeting_children WHERE meeting_id = $1"
                    " AND is_subject",
                    1, params);
}

static json_t *refusal_body(const char *child)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:s, s:{s:b, s:b, s:s}, s:s}",
                     "child_id", child, "kind", "refusal", "channel", "verbal", "what",
                     "The police intelligence behind the referral", "to", "name",
                     "The child's father", "category", "family", "purpose",
                     "The father asked why agencies are meeting", "views", "child_sought", 0,
                     "parents_sought", 1, "why_not", "The child is too young to be asked",
                     "refusal_reason",
                     "Sharing would prejudice a police investigation in progress");
}

static long ledger_rows(const char *meeting_id, const char *child)
{
    const char *params[] = {meeting_id, child};
    return db_long("SELECT count(*) FROM information_sharing WHERE meeting_id = $1::uuid"
                   " OR child_id = $2::uuid",
                   2, params);
}

/* The entry of this channel in a ledger page, or NULL. */
static json_t *entry_of(const json_t *items, const char *channel)
{
    size_t i;
    json_t *e;
    json_array_foreach(items, i, e) {
        if (strcmp(json_str(e, "channel"), channel) == 0)
            return e;
    }
    return NULL;
}

Test(sharing, ISL_2_distribution_family_copy_and_papers_write_their_entries)
{
    planned p;
    char *child = shared_meeting(&p);
    person dpo = person_new(p.csc, "dpo");
    char path[200];
    snprintf(path, sizeof path, "/v1/information-sharing?child_id=%s", child);
    http_response *r = api_get(path, dpo.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *items = json_object_get(r->json, "items");
    cr_assert_eq(json_array_size(items), 3, "%s", r->body);

    json_t *paper = entry_of(items, "paper");
    cr_assert(paper, "%s", r->body);
    cr_assert_str_eq(json_str(json_object_get(paper, "to"), "agency"), p.police);
    cr_assert(strstr(json_str(json_object_get(paper, "what"), "summary"),
                     "Health visiting summary"));

    json_t *minutes = entry_of(items, "minutes_distribution");
    cr_assert(minutes, "%s", r->body);
    json_t *what = json_object_get(minutes, "what");
    cr_assert_str_eq(json_str(what, "resource_type"), "minutes");
    cr_assert_str_eq(json_str(what, "resource_id"), p.meeting_id);
    cr_assert_eq(json_integer_value(json_object_get(what, "version")), 1);
    cr_assert_str_eq(json_str(minutes, "lawful_basis"), "public_task");
    cr_assert_str_eq(json_str(minutes, "from_agency"), p.csc);
    cr_assert_str_eq(json_str(json_object_get(minutes, "decided_by"), "sub"),
                     p.requester.who.sub);

    json_t *family = entry_of(items, "family_copy");
    cr_assert(family, "%s", r->body);
    cr_assert_str_eq(json_str(json_object_get(family, "to"), "category"), "family");
    http_free(r);

    /* the ledger by agency: the police's auditor sees what went to the police */
    person police_auditor = person_new(p.police, "auditor");
    r = api_get(path, police_auditor.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    items = json_object_get(r->json, "items");
    cr_assert_eq(json_array_size(items), 2, "the paper and the minutes: %s", r->body);
    cr_assert_null(entry_of(items, "family_copy"));
    http_free(r);

    /* nobody else lists it */
    r = api_get(path, p.requester.token);
    expect_problem(r, 403, NULL);
    http_free(r);

    free(child);
    person_free(&dpo);
    person_free(&police_auditor);
    planned_free(&p);
}

Test(sharing, ISL_3_a_refusal_is_recorded_with_its_reason_and_listed)
{
    planned p;
    char *child = shared_meeting(&p);
    long before = ledger_rows(p.meeting_id, child);

    /* without its reason: refused, nothing recorded */
    json_t *body = refusal_body(child);
    json_object_del(body, "refusal_reason");
    http_response *r = api_call("POST", "/v1/information-sharing", p.requester.token, body, NULL);
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert(problem_has_rule(r, "ISL-3", "refusal_reason"), "%s", r->body);
    http_free(r);
    json_decref(body);
    /* a disclosure without its lawful basis, views not sought without why */
    body = refusal_body(child);
    json_object_set_new(body, "kind", json_string("disclosure"));
    json_object_del(body, "refusal_reason");
    json_object_del(json_object_get(body, "views"), "why_not");
    r = api_call("POST", "/v1/information-sharing", p.requester.token, body, NULL);
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert(problem_has_rule(r, "ISL-1", "lawful_basis"), "%s", r->body);
    cr_assert(problem_has_rule(r, "ISL-1", "views.why_not"), "%s", r->body);
    http_free(r);
    json_decref(body);
    /* a caller of an agency that cannot see the child */
    char *elsewhere = agency_new("education");
    person teacher = person_new(elsewhere, "practitioner");
    body = refusal_body(child);
    r = api_call("POST", "/v1/information-sharing", teacher.token, body, NULL);
    expect_problem(r, 404, NULL);
    http_free(r);
    cr_assert_eq(ledger_rows(p.meeting_id, child), before, "SEC-6: nothing recorded");

    r = api_call("POST", "/v1/information-sharing", p.requester.token, body, NULL);
    json_decref(body);
    cr_assert_eq(r->status, 201, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "kind"), "refusal");
    cr_assert_str_eq(json_str(r->json, "from_agency"), p.csc);
    http_free(r);

    person dpo = person_new(p.csc, "dpo");
    char path[200];
    snprintf(path, sizeof path, "/v1/information-sharing?child_id=%s", child);
    r = api_get(path, dpo.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *items = json_object_get(r->json, "items");
    cr_assert_eq(json_array_size(items), 4, "%s", r->body);
    json_t *refusal = json_array_get(items, 3);
    cr_assert_str_eq(json_str(refusal, "kind"), "refusal");
    cr_assert_str_eq(json_str(refusal, "refusal_reason"),
                     "Sharing would prejudice a police investigation in progress");
    cr_assert(json_is_null(json_object_get(refusal, "lawful_basis")));
    http_free(r);
    /* by period: nothing before today */
    snprintf(path, sizeof path, "/v1/information-sharing?child_id=%s&to=2000-01-01", child);
    r = api_get(path, dpo.token);
    cr_assert_eq(json_array_size(json_object_get(r->json, "items")), 0, "%s", r->body);
    http_free(r);
    /* the ledger is never changed */
    char *refused = db_try("UPDATE information_sharing SET what = 'x'");
    cr_assert_str_neq(refused, "", "the database refuses to change the ledger");
    free(refused);

    free(child);
    free(elsewhere);
    person_free(&teacher);
    person_free(&dpo);
    planned_free(&p);
}
