/* The minutes for each audience over real HTTP against the real database:
 * sections tagged with their audience and withheld reasons (REN-1), the
 * chair's renditions pinned to an approved version with a fair summary of
 * what was withheld (REN-2), the family's copy as their rendition (FAM-5),
 * each sending in the information-sharing ledger (ISL-2), and visibility
 * (SEC-2); inaccuracies pointed out within the window and the chair's
 * answer (REN-4). Every refusal is checked for its problem+json answer and for
 * the database being as it was (the meeting's digest, which covers its
 * minutes, distribution, renditions, their sending and the ledger, and
 * the agency's fingerprint). Fictional people only. */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "held_meeting.h"
#include "support/client.h"
#include "support/expect.h"
#include "support/fixtures.h"
#include "support/minutes.h"
#include "support/people.h"
#include "support/planning.h"

#define PART_1_MARKER "P1-ONLY-MARKER the police intelligence on the partner"
#define PRO_MARKER "PRO-ONLY-MARKER what the referrer told the school"
#define POLICE_MARKER "POLICE-ONLY-MARKER the interview planned for next week"
#define EVERYONE_MARKER "FOR-EVERYONE-MARKER the support the family asked for"

/* A two-part professionals meeting: the police and health invited, the
 * family informed, a parent invited to part 2, everyone present, held. */
static void two_part_held(planned *p)
{
    test_clock_set(time(NULL));
    planned_authorised(p, "professionals");
    planned_invite_agencies(p);
    planned_inform_family(p);
    planned_schedule(p, HELD_HOUR, "in_person", 1);
    free(minutes_invite_parent(p, "Parent Example"));
    minutes_hold(p, NULL);
}

static json_t *section(const char *heading, const char *text, const char *audience,
                       const char *agency, const char *reason)
{
    json_t *x = json_pack("{s:s, s:s, s:s}", "heading", heading, "text", text, "audience",
                          audience);
    if (agency)
        json_object_set_new(x, "agency", json_string(agency));
    if (reason)
        json_object_set_new(x, "withheld_reason", json_string(reason));
    return x;
}

/* Complete minutes of p's meeting with part 1 marked and three sections:
 * for the professionals only (the referrer's identity), for the police
 * only (a police investigation), and for everyone. */
static json_t *tagged_minutes(const planned *p)
{
    json_t *doc = minutes_complete(p, NULL);
    minutes_edit(doc, "part_1.discussion", json_string(PART_1_MARKER));
    json_object_set_new(
        doc, "sections",
        json_pack("[o, o, o]",
                  section("The referral", PRO_MARKER, "professionals_only", NULL,
                          "referrer_identity"),
                  section("Police enquiries", POLICE_MARKER, "agency", p->police,
                          "police_investigation"),
                  section("Support", EVERYONE_MARKER, "everyone", NULL, NULL)));
    return doc;
}

static const char *renditions_path(const char *meeting_id, int number)
{
    static char path[200];
    snprintf(path, sizeof path, "/v1/meetings/%s/minutes/versions/%d/renditions", meeting_id,
             number);
    return path;
}

static const char *rendition_path(const char *id, const char *rest)
{
    static char path[200];
    snprintf(path, sizeof path, "/v1/renditions/%s%s", id, rest ? rest : "");
    return path;
}

static http_response *render(const person *by, const char *meeting_id, int number,
                             const char *audience, const char *agency, const char *summary)
{
    json_t *body = json_pack("{s:s}", "audience", audience);
    if (agency)
        json_object_set_new(body, "agency", json_string(agency));
    if (summary)
        json_object_set_new(body, "withheld_summary", json_string(summary));
    http_response *r = api_call("POST", renditions_path(meeting_id, number), by->token, body,
                                NULL);
    json_decref(body);
    return r;
}

static char *render_ok(const person *by, const char *meeting_id, int number,
                       const char *audience, const char *agency)
{
    http_response *r = render(by, meeting_id, number, audience, agency,
                              "Some of what the professionals discussed is not in this copy, "
                              "to protect others and an investigation.");
    cr_assert_eq(r->status, 201, "rendering: %ld %s", r->status, r->body);
    char *id = strdup(json_str(r->json, "id"));
    http_free(r);
    return id;
}

/* The state a refusal must leave as it was: everything under the meeting
 * and the convening agency's fingerprint. */
static char *snapshot(const planned *p)
{
    char *meeting = db_meeting_digest(p->meeting_id);
    char *agency = db_fingerprint(p->csc);
    char *out = NULL;
    cr_assert(asprintf(&out, "%s | %s", meeting, agency) > 0);
    free(meeting);
    free(agency);
    return out;
}

static void expect_same(const planned *p, char *before)
{
    char *after = snapshot(p);
    cr_assert_str_eq(after, before, "the database changed:\n%s\n->\n%s", before, after);
    free(after);
    free(before);
}

static void expect_refused(http_response *r, long status, const char *type, const char *rule,
                           const char *field)
{
    expect_problem(r, status, type);
    if (rule)
        cr_assert(problem_has_rule(r, rule, field), "%s at %s: %s", rule, field, r->body);
    http_free(r);
}

static long count_of(const char *sql, const char *a)
{
    const char *params[] = {a};
    return db_long(sql, 1, params);
}

/* Whether the withheld list names this part with this reason. */
static bool withholds(const json_t *withheld, const char *part, const char *reason)
{
    size_t i;
    json_t *x;
    json_array_foreach(withheld, i, x) {
        if (strcmp(json_str(x, "part"), part) == 0 && strcmp(json_str(x, "reason"), reason) == 0)
            return true;
    }
    return false;
}

static void approve_tagged(planned *p)
{
    held_minutes_approved(p, &p->manager, tagged_minutes(p));
}

/* --- REN-1 --- */

Test(renditions, REN_1_sections_need_an_audience_and_a_withheld_reason)
{
    planned p;
    two_part_held(&p);
    json_t *doc = tagged_minutes(&p);
    /* an audience outside the vocabulary is the wrong shape: 400 */
    json_t *bad = json_deep_copy(doc);
    json_object_set_new(json_array_get(json_object_get(bad, "sections"), 0), "audience",
                        json_string("the_press"));
    char *before = snapshot(&p);
    http_response *r =
        api_call("PUT", held_minutes_path(p.meeting_id, NULL), p.requester.token, bad, NULL);
    expect_refused(r, 400, "/problems/invalid-request", NULL, NULL);
    expect_same(&p, before);
    json_decref(bad);

    /* withheld without a reason, for an agency without one, a reason for
     * everyone: a draft may be incomplete, approval lists each (REN-1) */
    json_t *sections = json_object_get(doc, "sections");
    json_object_del(json_array_get(sections, 0), "withheld_reason");
    json_object_del(json_array_get(sections, 1), "agency");
    json_object_set_new(json_array_get(sections, 2), "withheld_reason",
                        json_string("third_party"));
    r = api_call("PUT", held_minutes_path(p.meeting_id, NULL), p.requester.token, doc, NULL);
    cr_assert_eq(r->status, 201, "%s", r->body);
    long v = json_int(r->json, "version");
    http_free(r);
    before = snapshot(&p);
    r = api_call("POST", held_minutes_path(p.meeting_id, "/approve"), p.manager.token, NULL,
                 etag_of(v));
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert(problem_has_rule(r, "REN-1", "sections[0].withheld_reason"), "%s", r->body);
    cr_assert(problem_has_rule(r, "REN-1", "sections[1].agency"), "%s", r->body);
    cr_assert(problem_has_rule(r, "REN-1", "sections[2].withheld_reason"), "%s", r->body);
    http_free(r);
    expect_same(&p, before);
    json_decref(doc);
    planned_free(&p);
}

/* --- REN-2 --- */

Test(renditions, REN_2_family_rendition_of_a_two_part_meeting_lacks_part_1_and_professionals_only)
{
    planned p;
    two_part_held(&p);
    approve_tagged(&p);

    /* only the chair approves a rendition */
    char *before = snapshot(&p);
    http_response *r = render(&p.requester, p.meeting_id, 1, "parent_or_carer", NULL, "summary");
    expect_refused(r, 403, "/problems/forbidden", "REN-2", NULL);
    expect_same(&p, before);
    /* what is withheld needs the chair's fair summary */
    before = snapshot(&p);
    r = render(&p.manager, p.meeting_id, 1, "parent_or_carer", NULL, NULL);
    expect_refused(r, 422, "/problems/rule-violated", "REN-2", "withheld_summary");
    expect_same(&p, before);
    /* an agency's rendition names the agency */
    before = snapshot(&p);
    r = render(&p.manager, p.meeting_id, 1, "agency", NULL, "summary");
    expect_refused(r, 422, "/problems/rule-violated", "REN-2", "agency");
    expect_same(&p, before);

    char *family = render_ok(&p.manager, p.meeting_id, 1, "parent_or_carer", NULL);
    r = api_get(rendition_path(family, NULL), p.police_officer.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    /* searched in the whole rendered answer: nothing of part 1, nothing for
     * the professionals or the police only */
    cr_assert_null(strstr(r->body, "P1-ONLY-MARKER"), "part 1 reached the family: %s", r->body);
    cr_assert_null(strstr(r->body, "PRO-ONLY-MARKER"), "professionals only: %s", r->body);
    cr_assert_null(strstr(r->body, "POLICE-ONLY-MARKER"), "the police only: %s", r->body);
    cr_assert_not_null(strstr(r->body, "FOR-EVERYONE-MARKER"), "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "audience"), "parent_or_carer");
    cr_assert_eq(json_int(r->json, "minutes_number"), 1);
    json_t *withheld = json_object_get(r->json, "withheld");
    cr_assert_eq(json_array_size(withheld), 3, "%s", r->body);
    cr_assert(withholds(withheld, "part_1", "family_excluded_part"), "%s", r->body);
    cr_assert(withholds(withheld, "sections[0]", "referrer_identity"), "%s", r->body);
    cr_assert(withholds(withheld, "sections[1]", "police_investigation"), "%s", r->body);
    cr_assert_not_null(json_str(r->json, "withheld_summary"));
    http_free(r);

    /* the health agency's rendition: the professionals' record without the
     * section kept for the police */
    char *health = render_ok(&p.manager, p.meeting_id, 1, "agency", p.health);
    r = api_get(rendition_path(health, NULL), p.requester.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_not_null(strstr(r->body, "P1-ONLY-MARKER"), "%s", r->body);
    cr_assert_not_null(strstr(r->body, "PRO-ONLY-MARKER"), "%s", r->body);
    cr_assert_null(strstr(r->body, "POLICE-ONLY-MARKER"), "%s", r->body);
    cr_assert(withholds(json_object_get(r->json, "withheld"), "sections[1]",
                        "police_investigation"),
              "%s", r->body);
    http_free(r);

    /* a public summary says nothing of the case */
    char *summary = render_ok(&p.manager, p.meeting_id, 1, "public_summary", NULL);
    r = api_get(rendition_path(summary, NULL), p.requester.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_null(strstr(r->body, "MARKER"), "%s", r->body);
    cr_assert_eq(json_int(json_object_get(r->json, "content"), "actions_agreed"), 3);
    http_free(r);

    /* once per version and audience: a rendition never changes */
    before = snapshot(&p);
    r = render(&p.manager, p.meeting_id, 1, "parent_or_carer", NULL, "again");
    expect_refused(r, 409, NULL, "REN-2", NULL);
    expect_same(&p, before);

    /* listed, audited and announced */
    r = api_get(meeting_path(p.meeting_id, "renditions"), p.health_visitor.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_eq(json_array_size(json_object_get(r->json, "items")), 3, "%s", r->body);
    http_free(r);
    cr_assert_eq(count_of("SELECT count(*) FROM events WHERE resource_id = $1"
                          " AND type = 'rendition.approved'",
                          family),
                 count_of("SELECT count(DISTINCT agency) FROM events WHERE resource_id = $1",
                          family));
    cr_assert_gt(count_of("SELECT count(*) FROM events WHERE resource_id = $1", family), 0);
    cr_assert_eq(count_of("SELECT count(*) FROM audit_events WHERE resource_id = $1"
                          " AND action = 'rendition.approve'",
                          family),
                 1);
    free(family);
    free(health);
    free(summary);
    planned_free(&p);
}

Test(renditions, REN_2_a_draft_has_no_rendition)
{
    planned p;
    two_part_held(&p);
    json_t *doc = tagged_minutes(&p);
    http_response *r =
        api_call("PUT", held_minutes_path(p.meeting_id, NULL), p.requester.token, doc, NULL);
    json_decref(doc);
    cr_assert_eq(r->status, 201, "%s", r->body);
    http_free(r);
    char *before = snapshot(&p);
    r = render(&p.manager, p.meeting_id, 1, "parent_or_carer", NULL, "summary");
    expect_refused(r, 409, "/problems/invalid-state", "REN-2", NULL);
    expect_same(&p, before);
    before = snapshot(&p);
    r = render(&p.manager, p.meeting_id, 2, "parent_or_carer", NULL, "summary");
    expect_refused(r, 404, "/problems/not-found", NULL, NULL);
    expect_same(&p, before);
    planned_free(&p);
}

Test(renditions, REN_2_an_amendment_after_a_rendition_leaves_it_pinned)
{
    planned p;
    two_part_held(&p);
    approve_tagged(&p);
    char *family = render_ok(&p.manager, p.meeting_id, 1, "parent_or_carer", NULL);
    http_response *r = api_get(rendition_path(family, NULL), p.requester.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    char *content = json_dumps(json_object_get(r->json, "content"), JSON_SORT_KEYS);
    cr_assert(json_is_true(json_object_get(r->json, "minutes_current")), "%s", r->body);
    http_free(r);

    /* the chair amends the minutes: version 2 changes the section for
     * everyone, and is approved */
    json_t *reason = json_pack("{s:s}", "reason", "The support offered was recorded wrongly");
    r = api_call("POST", held_minutes_path(p.meeting_id, "/amendments"), p.manager.token, reason,
                 NULL);
    json_decref(reason);
    cr_assert_eq(r->status, 201, "%s", r->body);
    long v = json_int(r->json, "version");
    json_t *doc = json_deep_copy(json_object_get(r->json, "content"));
    http_free(r);
    json_object_set_new(json_array_get(json_object_get(doc, "sections"), 2), "text",
                        json_string("AMENDED-MARKER the support agreed after correction"));
    r = api_call("PUT", held_minutes_path(p.meeting_id, NULL), p.manager.token, doc,
                 etag_of(v));
    json_decref(doc);
    cr_assert_eq(r->status, 200, "%s", r->body);
    v = json_int(r->json, "version");
    http_free(r);
    r = api_call("POST", held_minutes_path(p.meeting_id, "/approve"), p.manager.token, NULL,
                 etag_of(v));
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);

    /* the rendition stays pinned to version 1, as it was */
    r = api_get(rendition_path(family, NULL), p.requester.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_eq(json_int(r->json, "minutes_number"), 1);
    cr_assert(json_is_false(json_object_get(r->json, "minutes_current")), "%s", r->body);
    char *now = json_dumps(json_object_get(r->json, "content"), JSON_SORT_KEYS);
    cr_assert_str_eq(now, content, "the rendition changed");
    cr_assert_null(strstr(r->body, "AMENDED-MARKER"), "%s", r->body);
    http_free(r);
    free(now);

    /* version 2 has its own */
    char *second = render_ok(&p.manager, p.meeting_id, 2, "parent_or_carer", NULL);
    r = api_get(rendition_path(second, NULL), p.requester.token);
    cr_assert_not_null(strstr(r->body, "AMENDED-MARKER"), "%s", r->body);
    cr_assert_eq(json_int(r->json, "minutes_number"), 2);
    http_free(r);

    /* no role may change or remove a rendition: the database refuses */
    char sql[160];
    snprintf(sql, sizeof sql, "UPDATE minutes_renditions SET withheld_summary = 'x' WHERE id = '%s'",
             family);
    char *state = db_try(sql);
    cr_assert_str_eq(state, "42501", "an UPDATE was not refused");
    free(state);
    snprintf(sql, sizeof sql, "DELETE FROM minutes_renditions WHERE id = '%s'", family);
    state = db_try(sql);
    cr_assert_str_eq(state, "42501", "a DELETE was not refused");
    free(state);
    free(content);
    free(family);
    free(second);
    planned_free(&p);
}

Test(renditions, REN_2_FAM_5_the_family_distribution_sends_their_rendition)
{
    planned p;
    two_part_held(&p);
    approve_tagged(&p);
    held_sharing(&p, &p.manager, true);
    /* no rendition for the family yet: the family gets no copy at all */
    char *before = snapshot(&p);
    http_response *r = held_distribute(
        &p, &p.requester, json_pack("[o]", held_recipient("The parents", NULL, "family")));
    expect_refused(r, 422, "/problems/rule-violated", "REN-2", "recipients");
    expect_same(&p, before);

    char *family = render_ok(&p.manager, p.meeting_id, 1, "parent_or_carer", NULL);
    r = held_distribute(&p, &p.requester,
                        json_pack("[o]", held_recipient("The parents", NULL, "family")));
    cr_assert_eq(r->status, 201, "%s", r->body);
    json_t *sent = json_array_get(json_object_get(r->json, "distribution"), 0);
    cr_assert_str_eq(json_str(sent, "rendition_id"), family);
    http_free(r);
    /* the ledger names the rendition that went, in the same transaction */
    cr_assert_eq(count_of("SELECT count(*) FROM information_sharing WHERE channel = 'family_copy'"
                          " AND resource_type = 'rendition' AND resource_id = $1",
                          family),
                 1);
    free(family);
    planned_free(&p);
}

Test(renditions, REN_2_ISL_2_each_rendition_sent_is_in_the_ledger)
{
    planned p;
    two_part_held(&p);
    approve_tagged(&p);
    char *family = render_ok(&p.manager, p.meeting_id, 1, "parent_or_carer", NULL);
    char *police = render_ok(&p.manager, p.meeting_id, 1, "agency", p.police);
    json_t *to_family = json_pack("{s:[o]}", "recipients",
                                  held_recipient("The parents", NULL, "family"));

    /* no sharing decision yet (FAM-5) */
    char *before = snapshot(&p);
    http_response *r =
        api_call("POST", rendition_path(family, "/shares"), p.requester.token, to_family, NULL);
    expect_refused(r, 422, "/problems/rule-violated", "FAM-5", "recipients[0].category");
    expect_same(&p, before);
    held_sharing(&p, &p.manager, true);

    /* the family's rendition goes to the family only; an agency's to it only */
    json_t *to_health = json_pack("{s:[o]}", "recipients",
                                  held_recipient("Health records", p.health, "professional"));
    before = snapshot(&p);
    r = api_call("POST", rendition_path(family, "/shares"), p.requester.token, to_health, NULL);
    expect_refused(r, 422, "/problems/rule-violated", "REN-2", "recipients[0].category");
    expect_same(&p, before);
    before = snapshot(&p);
    r = api_call("POST", rendition_path(police, "/shares"), p.requester.token, to_health, NULL);
    expect_refused(r, 422, "/problems/rule-violated", "REN-2", "recipients[0].agency");
    expect_same(&p, before);
    before = snapshot(&p);
    r = api_call("POST", rendition_path(police, "/shares"), p.requester.token, to_family, NULL);
    expect_refused(r, 422, "/problems/rule-violated", "REN-2", "recipients[0].category");
    expect_same(&p, before);
    /* an invitee who is neither chair, minute taker nor convening side */
    before = snapshot(&p);
    r = api_call("POST", rendition_path(family, "/shares"), p.police_officer.token, to_family,
                 NULL);
    expect_refused(r, 403, "/problems/forbidden", "REN-2", NULL);
    expect_same(&p, before);

    r = api_call("POST", rendition_path(family, "/shares"), p.requester.token, to_family, NULL);
    cr_assert_eq(r->status, 201, "%s", r->body);
    json_t *shares = json_object_get(r->json, "shares");
    cr_assert_eq(json_array_size(shares), 1, "%s", r->body);
    cr_assert_str_eq(json_str(json_array_get(shares, 0), "category"), "family");
    http_free(r);
    cr_assert_eq(count_of("SELECT count(*) FROM information_sharing WHERE channel = 'rendition'"
                          " AND resource_type = 'rendition' AND resource_id = $1"
                          " AND to_category = 'family' AND lawful_basis = 'public_task'",
                          family),
                 1);
    cr_assert_gt(count_of("SELECT count(*) FROM events WHERE resource_id = $1"
                          " AND type = 'rendition.shared'",
                          family),
                 0);

    /* the police's rendition to the police; the DPO reads both entries */
    json_t *to_police = json_pack("{s:[o]}", "recipients",
                                  held_recipient("Police records", p.police, "professional"));
    r = api_call("POST", rendition_path(police, "/shares"), p.manager.token, to_police, NULL);
    cr_assert_eq(r->status, 201, "%s", r->body);
    http_free(r);
    cr_assert_eq(count_of("SELECT count(*) FROM information_sharing WHERE channel = 'rendition'"
                          " AND meeting_id = $1::uuid",
                          p.meeting_id),
                 2);

    json_decref(to_family);
    json_decref(to_health);
    json_decref(to_police);
    free(family);
    free(police);
    planned_free(&p);
}

Test(renditions, REN_2_SEC_2_a_stranger_learns_nothing)
{
    planned p;
    two_part_held(&p);
    approve_tagged(&p);
    char *family = render_ok(&p.manager, p.meeting_id, 1, "parent_or_carer", NULL);
    char *other = agency_new("childrens_social_care");
    person stranger = person_new(other, "manager");
    char *before = snapshot(&p);
    http_response *r = api_get(rendition_path(family, NULL), stranger.token);
    expect_refused(r, 404, "/problems/not-found", NULL, NULL);
    r = api_get(meeting_path(p.meeting_id, "renditions"), stranger.token);
    expect_refused(r, 404, "/problems/not-found", NULL, NULL);
    r = render(&stranger, p.meeting_id, 1, "child", NULL, "summary");
    expect_refused(r, 404, "/problems/not-found", NULL, NULL);
    json_t *to_family = json_pack("{s:[o]}", "recipients",
                                  held_recipient("The parents", NULL, "family"));
    r = api_call("POST", rendition_path(family, "/shares"), stranger.token, to_family, NULL);
    expect_refused(r, 404, "/problems/not-found", NULL, NULL);
    json_decref(to_family);
    expect_same(&p, before);
    person_free(&stranger);
    free(other);
    free(family);
    planned_free(&p);
}

/* --- REN-4: inaccuracies and the chair's answer --- */

static const char *inaccuracies_path(const char *meeting_id, int number)
{
    static char path[200];
    snprintf(path, sizeof path, "/v1/meetings/%s/minutes/versions/%d/inaccuracies", meeting_id,
             number);
    return path;
}

static http_response *raise_inaccuracy(const person *by, const char *meeting_id, int number,
                                       const char *text)
{
    json_t *body = text ? json_pack("{s:s, s:s}", "text", text, "part", "sections[2]")
                        : json_pack("{s:s}", "part", "sections[2]");
    http_response *r = api_call("POST", inaccuracies_path(meeting_id, number), by->token, body,
                                NULL);
    json_decref(body);
    return r;
}

static http_response *answer(const person *by, const char *id, long version, json_t *body)
{
    char path[160];
    snprintf(path, sizeof path, "/v1/inaccuracies/%s/answer", id);
    http_response *r = api_call("POST", path, by->token, body, etag_of(version));
    json_decref(body);
    return r;
}

Test(inaccuracies, REN_4_raised_within_the_window_and_refused_with_a_reason)
{
    planned p;
    two_part_held(&p);
    approve_tagged(&p);

    /* what is wrong is said */
    char *before = snapshot(&p);
    http_response *r = raise_inaccuracy(&p.police_officer, p.meeting_id, 1, NULL);
    expect_refused(r, 422, "/problems/rule-violated", "REN-4", "text");
    expect_same(&p, before);

    r = raise_inaccuracy(&p.police_officer, p.meeting_id, 1,
                         "The support asked for was a nursery place, not respite care");
    cr_assert_eq(r->status, 201, "%s", r->body);
    char *id = strdup(json_str(r->json, "id"));
    long version = json_int(r->json, "version");
    cr_assert_str_eq(json_str(r->json, "status"), "open");
    cr_assert_str_eq(json_str(json_object_get(r->json, "raised_by"), "agency"), p.police);
    cr_assert_not_null(json_str(r->json, "window_closes_on"));
    http_free(r);
    cr_assert_gt(count_of("SELECT count(*) FROM events WHERE resource_id = $1"
                          " AND type = 'inaccuracy.raised'",
                          id),
                 0);

    /* only the chair answers; a refusal needs its reason */
    before = snapshot(&p);
    r = answer(&p.requester, id, version,
               json_pack("{s:s, s:s}", "outcome", "refused", "reason", "No"));
    expect_refused(r, 403, "/problems/forbidden", "REN-4", NULL);
    expect_same(&p, before);
    before = snapshot(&p);
    r = answer(&p.manager, id, version, json_pack("{s:s}", "outcome", "refused"));
    expect_refused(r, 422, "/problems/rule-violated", "REN-4", "reason");
    expect_same(&p, before);
    before = snapshot(&p);
    r = answer(&p.manager, id, version + 1,
               json_pack("{s:s, s:s}", "outcome", "refused", "reason", "stale"));
    expect_refused(r, 412, NULL, NULL, NULL);
    expect_same(&p, before);

    r = answer(&p.manager, id, version,
               json_pack("{s:s, s:s}", "outcome", "refused", "reason",
                         "The minutes record what was agreed at the meeting; the nursery place "
                         "is for the next review"));
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "status"), "refused");
    json_t *a = json_object_get(r->json, "answer");
    cr_assert_str_eq(json_str(a, "outcome"), "refused");
    cr_assert_str_eq(json_str(json_object_get(a, "by"), "sub"), p.manager.who.sub);
    version = json_int(r->json, "version");
    http_free(r);

    /* answered once */
    before = snapshot(&p);
    r = answer(&p.manager, id, version,
               json_pack("{s:s, s:s}", "outcome", "refused", "reason", "again"));
    expect_refused(r, 409, "/problems/invalid-state", "REN-4", NULL);
    expect_same(&p, before);

    /* after the window (ten working days from approval) nothing more is raised */
    test_clock_advance(20 * HELD_DAY);
    before = snapshot(&p);
    r = raise_inaccuracy(&p.health_visitor, p.meeting_id, 1, "Too late to say so");
    expect_refused(r, 422, "/problems/rule-violated", "REN-4", "minutes_number");
    expect_same(&p, before);
    free(id);
    planned_free(&p);
}

Test(inaccuracies, REN_4_MIN_3_the_chair_answers_with_an_amendment)
{
    planned p;
    two_part_held(&p);
    approve_tagged(&p);
    http_response *r = raise_inaccuracy(&p.health_visitor, p.meeting_id, 1,
                                        "The health visitor's visits are weekly, not monthly");
    cr_assert_eq(r->status, 201, "%s", r->body);
    char *id = strdup(json_str(r->json, "id"));
    long version = json_int(r->json, "version");
    http_free(r);

    /* no amendment yet: the answer must name an approved later version */
    char *before = snapshot(&p);
    r = answer(&p.manager, id, version,
               json_pack("{s:s, s:i}", "outcome", "amended", "amendment_number", 2));
    expect_refused(r, 422, "/problems/rule-violated", "REN-4", "amendment_number");
    expect_same(&p, before);

    json_t *reason = json_pack("{s:s}", "reason", "The health visitor's visits are weekly");
    r = api_call("POST", held_minutes_path(p.meeting_id, "/amendments"), p.manager.token, reason,
                 NULL);
    json_decref(reason);
    cr_assert_eq(r->status, 201, "%s", r->body);
    long mv = json_int(r->json, "version");
    http_free(r);
    /* a draft amendment does not answer it either */
    before = snapshot(&p);
    r = answer(&p.manager, id, version,
               json_pack("{s:s, s:i}", "outcome", "amended", "amendment_number", 2));
    expect_refused(r, 422, "/problems/rule-violated", "REN-4", "amendment_number");
    expect_same(&p, before);
    r = api_call("POST", held_minutes_path(p.meeting_id, "/approve"), p.manager.token, NULL,
                 etag_of(mv));
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);

    r = answer(&p.manager, id, version,
               json_pack("{s:s, s:i}", "outcome", "amended", "amendment_number", 2));
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "status"), "amended");
    cr_assert_eq(json_int(json_object_get(r->json, "answer"), "amendment_number"), 2);
    http_free(r);
    cr_assert_gt(count_of("SELECT count(*) FROM events WHERE resource_id = $1"
                          " AND type = 'inaccuracy.answered'",
                          id),
                 0);
    cr_assert_eq(count_of("SELECT count(*) FROM audit_events WHERE resource_id = $1"
                          " AND action = 'inaccuracy.answer'",
                          id),
                 1);
    r = api_get(meeting_path(p.meeting_id, "inaccuracies"), p.police_officer.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_eq(json_array_size(json_object_get(r->json, "items")), 1, "%s", r->body);
    http_free(r);
    /* the database keeps an answered inaccuracy as it is */
    char sql[160];
    snprintf(sql, sizeof sql, "UPDATE minutes_inaccuracies SET text = 'x' WHERE id = '%s'", id);
    char *state = db_try(sql);
    cr_assert_str_eq(state, "42501", "an UPDATE was not refused");
    free(state);
    free(id);
    planned_free(&p);
}

Test(inaccuracies, REN_4_SEC_2_a_stranger_learns_nothing)
{
    planned p;
    two_part_held(&p);
    approve_tagged(&p);
    http_response *r = raise_inaccuracy(&p.police_officer, p.meeting_id, 1, "A wrong date");
    cr_assert_eq(r->status, 201, "%s", r->body);
    char *id = strdup(json_str(r->json, "id"));
    http_free(r);
    char *other = agency_new("childrens_social_care");
    person stranger = person_new(other, "manager");
    char *before = snapshot(&p);
    r = raise_inaccuracy(&stranger, p.meeting_id, 1, "A stranger's view");
    expect_refused(r, 404, "/problems/not-found", NULL, NULL);
    r = api_get(meeting_path(p.meeting_id, "inaccuracies"), stranger.token);
    expect_refused(r, 404, "/problems/not-found", NULL, NULL);
    char path[160];
    snprintf(path, sizeof path, "/v1/inaccuracies/%s", id);
    r = api_get(path, stranger.token);
    expect_refused(r, 404, "/problems/not-found", NULL, NULL);
    r = answer(&stranger, id, 1, json_pack("{s:s, s:s}", "outcome", "refused", "reason", "no"));
    expect_refused(r, 404, "/problems/not-found", NULL, NULL);
    expect_same(&p, before);
    person_free(&stranger);
    free(other);
    free(id);
    planned_free(&p);
}

/* --- REN-3: the chair's outcome letter --- */

static http_response *send_letter(const person *by, const char *meeting_id, json_t *body)
{
    http_response *r = api_call("POST", meeting_path(meeting_id, "outcome-letter"), by->token,
                                body, NULL);
    json_decref(body);
    return r;
}

static json_t *letter_body(void)
{
    return json_pack("{s:s, s:s, s:s}", "decisions",
                     "A joint home visit within two weeks; a nursery place offered",
                     "plan", "The health visitor visits weekly; the school reports attendance",
                     "next_dates", "Review meeting in six weeks");
}

Test(outcome_letters, REN_3_the_chair_writes_to_every_invitee_due_a_working_day_after_the_hold)
{
    planned p;
    two_part_held(&p);

    /* only the chair; each part named */
    char *before = snapshot(&p);
    http_response *r = send_letter(&p.requester, p.meeting_id, letter_body());
    expect_refused(r, 403, "/problems/forbidden", "REN-3", NULL);
    expect_same(&p, before);
    json_t *partial = letter_body();
    json_object_del(partial, "plan");
    json_object_set_new(partial, "next_dates", json_string(" "));
    before = snapshot(&p);
    r = send_letter(&p.manager, p.meeting_id, partial);
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert(problem_has_rule(r, "REN-3", "plan"), "%s", r->body);
    cr_assert(problem_has_rule(r, "REN-3", "next_dates"), "%s", r->body);
    http_free(r);
    expect_same(&p, before);

    r = send_letter(&p.manager, p.meeting_id, letter_body());
    cr_assert_eq(r->status, 201, "%s", r->body);
    /* the police, health and the parent: every invitee */
    cr_assert_eq(json_array_size(json_object_get(r->json, "recipients")), 3, "%s", r->body);
    cr_assert(json_is_false(json_object_get(r->json, "late")), "%s", r->body);
    const char *params[] = {p.meeting_id};
    /* one working day by default; the policy at the hold (a test of OBL-1
     * may change it meanwhile) */
    char *due = db_value("SELECT to_char(working_day_add(utc_day(held_at),"
                         " (policy_at(held_at)).outcome_letter_working_days), 'YYYY-MM-DD')"
                         " FROM meetings WHERE id = $1",
                         1, params);
    cr_assert_str_eq(json_str(r->json, "due_on"), due);
    free(due);
    http_free(r);
    /* each invitee in the ledger, in the same transaction */
    cr_assert_eq(count_of("SELECT count(*) FROM information_sharing WHERE channel = 'outcome_letter'"
                          " AND meeting_id = $1::uuid",
                          p.meeting_id),
                 3);
    cr_assert_eq(count_of("SELECT count(*) FROM information_sharing WHERE channel = 'outcome_letter'"
                          " AND meeting_id = $1::uuid AND to_category = 'family'",
                          p.meeting_id),
                 1);
    cr_assert_gt(count_of("SELECT count(*) FROM events WHERE resource_id = $1"
                          " AND type = 'outcome_letter.sent'",
                          p.meeting_id),
                 0);

    /* sent once */
    before = snapshot(&p);
    r = send_letter(&p.manager, p.meeting_id, letter_body());
    expect_refused(r, 409, "/problems/invalid-state", "REN-3", NULL);
    expect_same(&p, before);

    /* read by an invitee; a stranger learns nothing */
    r = api_get(meeting_path(p.meeting_id, "outcome-letter"), p.health_visitor.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "next_dates"), "Review meeting in six weeks");
    http_free(r);
    char *other = agency_new("childrens_social_care");
    person stranger = person_new(other, "manager");
    before = snapshot(&p);
    r = api_get(meeting_path(p.meeting_id, "outcome-letter"), stranger.token);
    expect_refused(r, 404, "/problems/not-found", NULL, NULL);
    r = send_letter(&stranger, p.meeting_id, letter_body());
    expect_refused(r, 404, "/problems/not-found", NULL, NULL);
    expect_same(&p, before);
    person_free(&stranger);
    free(other);
    planned_free(&p);
}

Test(outcome_letters, REN_3_a_letter_after_its_due_day_is_late_and_none_before_the_hold)
{
    planned p;
    test_clock_set(time(NULL));
    planned_scheduled(&p, "professionals", HELD_HOUR);
    /* not held yet */
    char *before = snapshot(&p);
    http_response *r = send_letter(&p.manager, p.meeting_id, letter_body());
    expect_refused(r, 409, "/problems/invalid-state", "REN-3", NULL);
    expect_same(&p, before);
    minutes_hold(&p, NULL);
    /* a week later by the test clock: past the working day allowed */
    test_clock_advance(7 * HELD_DAY);
    char sent_at[32];
    time_t later = test_now();
    struct tm tm;
    gmtime_r(&later, &tm);
    strftime(sent_at, sizeof sent_at, "%Y-%m-%dT%H:%M:%SZ", &tm);
    json_t *body = letter_body();
    json_object_set_new(body, "sent_at", json_string(sent_at));
    r = send_letter(&p.manager, p.meeting_id, body);
    cr_assert_eq(r->status, 201, "%s", r->body);
    cr_assert(json_is_true(json_object_get(r->json, "late")), "%s", r->body);
    http_free(r);
    planned_free(&p);
}
