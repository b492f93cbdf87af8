/* Family-notice decisions over real HTTP against the real database:
 * informing the family (FAM-1), a decision not to inform and the invited
 * agencies' agreement to it (FAM-2), never inherited (FAM-3), a parent's
 * objection (FAM-4), every decision kept (FAM-8), no decision once the
 * meeting is held or cancelled (MTG-8), who sees them (SEC-2), and their
 * audit rows and feed events (SEC-4, INT-2).
 *
 * A decision not to inform is `pending_agreement` until every invited
 * professional agency agrees, `disputed` on any disagreement and `agreed`
 * when all agree; the status is derived, so inviting another agency
 * re-opens it. Every test makes its own agencies and people. Every refusal
 * is checked four ways: the status, the problem+json answer, the errors[]
 * entry naming the rule or field, and the database: a fingerprint of each
 * agency involved plus a digest of the meeting's invitations, decisions and
 * agreements, and the audit rows and feed events about any of them. */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/text.h"
#include "support/client.h"
#include "support/expect.h"
#include "support/fixtures.h"
#include "support/people.h"
#include "support/planning.h"

#define DAY (24L * 3600L)

/* --- helpers --- */

/* Everything stored under one meeting, as one comparable string. */
static char *planning_digest(const char *meeting_id)
{
    const char *params[] = {meeting_id};
    return db_value(
        "WITH inv AS (SELECT id FROM invitations WHERE meeting_id = $1::uuid),"
        " dec AS (SELECT id FROM consent_decisions WHERE meeting_id = $1::uuid),"
        " ids AS (SELECT $1::text AS id UNION ALL SELECT id::text FROM inv"
        "         UNION ALL SELECT id::text FROM dec)"
        " SELECT concat_ws(' ',"
        "  (SELECT count(*) || '/' || coalesce(sum(version), 0) FROM invitations"
        "    WHERE meeting_id = $1::uuid),"
        "  (SELECT md5(coalesce(string_agg(invitation_json(i, '2000-01-01')::text, ',' ORDER BY i.id), ''))"
        "     FROM invitations i WHERE i.meeting_id = $1::uuid),"
        "  (SELECT count(*) FROM invitation_history WHERE invitation_id IN (SELECT id FROM inv)),"
        "  (SELECT count(*) FROM invitation_papers WHERE invitation_id IN (SELECT id FROM inv)),"
        "  (SELECT count(*) || '/' || coalesce(sum(version), 0) FROM consent_decisions"
        "    WHERE meeting_id = $1::uuid),"
        "  (SELECT count(*) FROM consent_agreements WHERE decision_id IN (SELECT id FROM dec)),"
        "  (SELECT count(*) FROM events WHERE resource_id IN (SELECT id FROM ids)),"
        "  (SELECT count(*) FROM audit_events WHERE resource_id IN (SELECT id FROM ids)"
        "     OR resource_ids && ARRAY(SELECT id FROM ids)),"
        "  (SELECT md5(meeting_json(m, '2000-01-01')::text) FROM meetings m WHERE m.id = $1::uuid))",
        1, params);
}

typedef struct snapshot {
    char *meeting_id;
    char *digest;
    int n;
    char *agency[6];
    char *fingerprint[6];
} snapshot;

/* The database as seen from the meeting and the agencies (NULL-terminated). */
static snapshot snap(const char *meeting_id, ...)
{
    snapshot s;
    memset(&s, 0, sizeof s);
    va_list ap;
    va_start(ap, meeting_id);
    for (const char *a = va_arg(ap, const char *); a && s.n < 6; a = va_arg(ap, const char *)) {
        s.agency[s.n] = strdup(a);
        s.fingerprint[s.n] = db_fingerprint(a);
        s.n++;
    }
    va_end(ap);
    s.meeting_id = strdup(meeting_id);
    s.digest = planning_digest(meeting_id);
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
    char *now = planning_digest(s->meeting_id);
    cr_assert_str_eq(now, s->digest, "the meeting's planning changed: %s -> %s", s->digest, now);
    free(now);
    free(s->digest);
    free(s->meeting_id);
    memset(s, 0, sizeof *s);
}

static long count_of(const char *sql, const char *id)
{
    const char *params[] = {id};
    return db_long(sql, 1, params);
}

static long decisions_of(const char *meeting_id)
{
    return count_of("SELECT count(*) FROM consent_decisions WHERE meeting_id = $1::uuid",
                    meeting_id);
}

static long agreements_of(const char *decision_id)
{
    return count_of("SELECT count(*) FROM consent_agreements WHERE decision_id = $1::uuid",
                    decision_id);
}

static void expect_rule(const http_response *r, const char *rule, const char *field)
{
    cr_assert(problem_has_rule(r, rule, field), "expected rule %s on %s: %s", rule,
              field ? field : "(any field)", r->body);
}

/* A 400 naming the field, without a rule (a shape problem). */
static void expect_shape_error(const http_response *r, const char *field)
{
    cr_assert(problem_has_field(r, field), "expected a shape error on %s: %s", field, r->body);
    json_t *errors = json_object_get(r->json, "errors");
    size_t i;
    json_t *e;
    json_array_foreach(errors, i, e) {
        const char *f = json_str(e, "field");
        if (f && strcmp(f, field) == 0)
            cr_assert_null(json_object_get(e, "rule"), "a shape error has no rule: %s", r->body);
    }
}

static const char *decisions_path(const char *meeting_id)
{
    static char path[256];
    snprintf(path, sizeof path, "/v1/meetings/%s/consent-decisions", meeting_id);
    return path;
}

static const char *decision_path(const char *id, const char *command)
{
    static char path[256];
    if (command)
        snprintf(path, sizeof path, "/v1/consent-decisions/%s/%s", id, command);
    else
        snprintf(path, sizeof path, "/v1/consent-decisions/%s", id);
    return path;
}

/* POST a decision; takes the body. */
static http_response *decide(const person *by, const char *meeting_id, json_t *body)
{
    http_response *r = api_call("POST", decisions_path(meeting_id), by->token, body, NULL);
    json_decref(body);
    return r;
}

static json_t *inform(void)
{
    return json_pack("{s:s}", "decision", "inform");
}

static json_t *not_inform(void)
{
    return json_pack("{s:s, s:[s, s], s:s}", "decision", "not_inform", "grounds",
                     "significant_harm_if_known", "would_jeopardise_police_investigation",
                     "rationale", "The police are about to interview; telling the family now "
                     "could put the child at risk");
}

/* Records a decision; returns its id. */
static char *decide_ok(const person *by, const char *meeting_id, json_t *body)
{
    http_response *r = decide(by, meeting_id, body);
    cr_assert_eq(r->status, 201, "deciding: %ld %s", r->status, r->body);
    char *id = strdup(json_str(r->json, "id"));
    http_free(r);
    return id;
}

/* POST an agreement; takes the body. */
static http_response *answer_decision(const person *by, const char *decision_id, json_t *body)
{
    http_response *r =
        api_call("POST", decision_path(decision_id, "agreements"), by->token, body, NULL);
    json_decref(body);
    return r;
}

static json_t *agrees(void)
{
    return json_pack("{s:b}", "agrees", 1);
}

static json_t *disagrees(const char *comment)
{
    return json_pack("{s:b, s:s}", "agrees", 0, "comment", comment);
}

static void agree_ok(const person *by, const char *decision_id)
{
    http_response *r = answer_decision(by, decision_id, agrees());
    cr_assert_eq(r->status, 201, "agreeing: %ld %s", r->status, r->body);
    http_free(r);
}

/* The decision as `p` reads it (a new reference). */
static json_t *decision_read(const person *p, const char *id)
{
    http_response *r = api_get(decision_path(id, NULL), p->token);
    cr_assert_eq(r->status, 200, "reading the decision: %ld %s", r->status, r->body);
    json_t *j = json_incref(r->json);
    http_free(r);
    return j;
}

/* The meeting's family_notice as `p` reads it (a new reference, or NULL). */
static json_t *family_notice(const person *p, const char *meeting_id)
{
    http_response *r = api_get(meeting_path(meeting_id, NULL), p->token);
    cr_assert_eq(r->status, 200, "reading the meeting: %ld %s", r->status, r->body);
    json_t *n = json_object_get(r->json, "family_notice");
    cr_assert(n, "the meeting has a family_notice member: %s", r->body);
    json_t *out = json_is_null(n) ? NULL : json_incref(n);
    http_free(r);
    return out;
}

/* Does the JSON array of strings hold exactly these (in any order)? */
static bool holds_exactly(json_t *array, const char *const *want, size_t n)
{
    if (!json_is_array(array) || json_array_size(array) != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        bool found = false;
        size_t j;
        json_t *v;
        json_array_foreach(array, j, v) {
            if (json_is_string(v) && strcmp(json_string_value(v), want[i]) == 0)
                found = true;
        }
        if (!found)
            return false;
    }
    return true;
}

static void expect_awaiting(json_t *decision, const char *const *want, size_t n)
{
    json_t *awaiting = json_object_get(decision, "awaiting_agencies");
    char *text = json_dumps(decision, JSON_COMPACT);
    cr_assert(holds_exactly(awaiting, want, n), "awaiting_agencies: %s", text);
    free(text);
}

/* Reads the feed of the integration person's agency to its end; true when it
 * holds an event of this type about this decision. */
static bool feed_has(const person *integration, const char *resource_id, const char *type)
{
    char *after = NULL;
    bool found = false;
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
            if (rid && t && strcmp(rid, resource_id) == 0 && strcmp(t, type) == 0) {
                cr_assert_str_eq(json_str(e, "agency"), integration->who.agency);
                cr_assert_str_eq(json_str(e, "resource_type"), "consent_decision");
                found = true;
            }
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

/* The event shows on the feed: it is served once every earlier transaction
 * has ended, so a busy database may hold it back for a moment. */
static void expect_feed(const person *integration, const char *resource_id, const char *type)
{
    for (int attempt = 0; attempt < 200; attempt++) {
        if (feed_has(integration, resource_id, type))
            return;
        usleep(50000);
    }
    cr_assert_fail("%s about %s never reached the feed of %s", type, resource_id,
                   integration->who.agency);
}

/* --- FAM-1 --- */

Test(consent, FAM_1_a_decision_to_inform_is_effective_at_once)
{
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);

    /* the requester (a practitioner) may record it */
    http_response *r = decide(&p.requester, p.meeting_id, inform());
    cr_assert_eq(r->status, 201, "%s", r->body);
    const char *id = json_str(r->json, "id");
    cr_assert(text_is_uuid(id), "%s", r->body);
    char *decision_id = strdup(id);
    cr_assert_str_eq(json_str(r->json, "decision"), "inform");
    cr_assert_str_eq(json_str(r->json, "kind"), "family_notice");
    cr_assert_str_eq(json_str(r->json, "status"), "effective");
    cr_assert(json_is_true(json_object_get(r->json, "current")), "%s", r->body);
    cr_assert_eq(json_array_size(json_object_get(r->json, "awaiting_agencies")), 0, "%s", r->body);
    cr_assert_eq(json_array_size(json_object_get(r->json, "agreements")), 0, "%s", r->body);
    cr_assert_eq(json_array_size(json_object_get(r->json, "grounds")), 0, "%s", r->body);
    json_t *by = json_object_get(r->json, "decided_by");
    cr_assert_str_eq(json_str(by, "sub"), p.requester.who.sub);
    cr_assert_str_eq(json_str(by, "agency"), p.csc);
    cr_assert(text_is_timestamp(json_str(r->json, "decided_at")), "%s", r->body);
    cr_assert_eq(json_int(r->json, "version"), 1);
    cr_assert_null(json_object_get(r->json, "warnings"), "%s", r->body);
    char *etag = http_header(r, "ETag");
    cr_assert_str_eq(etag, "\"1\"");
    char *location = http_header(r, "Location");
    cr_assert_str_eq(location, decision_path(decision_id, NULL));
    free(etag);
    free(location);
    http_free(r);

    json_t *notice = family_notice(&p.requester, p.meeting_id);
    cr_assert_str_eq(json_str(notice, "decision_id"), decision_id);
    cr_assert_str_eq(json_str(notice, "decision"), "inform");
    cr_assert_str_eq(json_str(notice, "status"), "effective");
    json_decref(notice);

    /* nothing awaits anyone: the meeting can be scheduled straight away */
    planned_schedule(&p, 30 * DAY, "in_person", 0);
    free(decision_id);
    planned_free(&p);
}

/* --- FAM-2: deciding not to inform --- */

Test(consent, FAM_2_a_practitioner_does_not_decide_not_to_inform)
{
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);

    snapshot s = snap(p.meeting_id, p.csc, NULL);
    http_response *r = decide(&p.requester, p.meeting_id, not_inform());
    expect_problem(r, 403, "/problems/forbidden");
    expect_rule(r, "FAM-2", NULL);
    http_free(r);
    expect_same(&s);

    /* nor does a senior practitioner of the convening agency */
    person senior = person_new(p.csc, "senior_practitioner");
    char *other = meeting_new(&senior, "professionals");
    s = snap(other, p.csc, NULL);
    r = decide(&senior, other, not_inform());
    expect_problem(r, 403, "/problems/forbidden");
    expect_rule(r, "FAM-2", NULL);
    http_free(r);
    expect_same(&s);

    /* an invitee is not of the convening side at all */
    s = snap(p.meeting_id, p.csc, p.police, NULL);
    r = decide(&p.police_officer, p.meeting_id, inform());
    expect_problem(r, 403, "/problems/forbidden");
    http_free(r);
    expect_same(&s);

    cr_assert_eq(decisions_of(p.meeting_id), 0);
    cr_assert_eq(decisions_of(other), 0);
    free(other);
    person_free(&senior);
    planned_free(&p);
}

Test(consent, FAM_2_not_to_inform_needs_grounds_and_rationale)
{
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);

    snapshot s = snap(p.meeting_id, p.csc, NULL);
    http_response *r = decide(&p.manager, p.meeting_id, json_pack("{s:s}", "decision", "not_inform"));
    expect_problem(r, 422, "/problems/rule-violated");
    expect_rule(r, "FAM-2", "grounds");
    expect_rule(r, "FAM-2", "rationale");
    cr_assert_eq(json_array_size(json_object_get(r->json, "errors")), 2, "%s", r->body);
    http_free(r);
    expect_same(&s);

    /* an empty list of grounds is no better */
    s = snap(p.meeting_id, p.csc, NULL);
    r = decide(&p.manager, p.meeting_id,
               json_pack("{s:s, s:[], s:s}", "decision", "not_inform", "grounds", "rationale",
                         "Risk to the child"));
    expect_problem(r, 422, "/problems/rule-violated");
    expect_rule(r, "FAM-2", "grounds");
    http_free(r);
    expect_same(&s);

    /* an unknown ground */
    s = snap(p.meeting_id, p.csc, NULL);
    r = decide(&p.manager, p.meeting_id,
               json_pack("{s:s, s:[s, s], s:s}", "decision", "not_inform", "grounds",
                         "engagement_difficulties", "family_would_be_upset", "rationale",
                         "Risk to the child"));
    expect_problem(r, 422, "/problems/rule-violated");
    expect_rule(r, "FAM-2", "grounds[1]");
    cr_assert(!problem_has_field(r, "grounds[0]"), "%s", r->body);
    http_free(r);
    expect_same(&s);

    /* grounds belong to a decision not to inform */
    s = snap(p.meeting_id, p.csc, NULL);
    r = decide(&p.manager, p.meeting_id,
               json_pack("{s:s, s:[s]}", "decision", "inform", "grounds",
                         "engagement_difficulties"));
    expect_problem(r, 422, "/problems/rule-violated");
    expect_rule(r, "FAM-2", "grounds[0]");
    http_free(r);
    expect_same(&s);

    /* the decision itself is required and named */
    s = snap(p.meeting_id, p.csc, NULL);
    r = decide(&p.manager, p.meeting_id, json_pack("{s:s}", "decision", "perhaps"));
    expect_problem(r, 422, "/problems/rule-violated");
    expect_rule(r, "FAM-1", "decision");
    http_free(r);
    r = decide(&p.manager, p.meeting_id, json_object());
    expect_problem(r, 422, "/problems/rule-violated");
    expect_rule(r, "FAM-1", "decision");
    http_free(r);
    expect_same(&s);

    /* wrong types are bad requests */
    s = snap(p.meeting_id, p.csc, NULL);
    r = decide(&p.manager, p.meeting_id,
               json_pack("{s:s, s:s, s:i}", "decision", "not_inform", "grounds",
                         "significant_harm_if_known", "rationale", 7));
    expect_problem(r, 400, "/problems/invalid-request");
    expect_shape_error(r, "grounds");
    expect_shape_error(r, "rationale");
    http_free(r);
    r = decide(&p.manager, p.meeting_id,
               json_pack("{s:s, s:[i], s:s, s:s}", "decision", "not_inform", "grounds", 3,
                         "rationale", "Risk", "status", "agreed"));
    expect_problem(r, 400, "/problems/invalid-request");
    expect_shape_error(r, "grounds[0]");
    expect_shape_error(r, "status");
    http_free(r);
    expect_same(&s);

    cr_assert_eq(decisions_of(p.meeting_id), 0);
    planned_free(&p);
}

Test(consent, FAM_2_pending_until_every_invited_agency_agrees)
{
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);
    const char *both[] = {p.police, p.health};

    http_response *r = decide(&p.manager, p.meeting_id, not_inform());
    cr_assert_eq(r->status, 201, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "decision"), "not_inform");
    cr_assert_str_eq(json_str(r->json, "status"), "pending_agreement");
    cr_assert(json_is_true(json_object_get(r->json, "current")), "%s", r->body);
    cr_assert_eq(json_array_size(json_object_get(r->json, "grounds")), 2, "%s", r->body);
    cr_assert(json_str(r->json, "rationale"), "%s", r->body);
    expect_awaiting(r->json, both, 2);
    char *id = strdup(json_str(r->json, "id"));
    http_free(r);

    json_t *notice = family_notice(&p.manager, p.meeting_id);
    cr_assert_str_eq(json_str(notice, "status"), "pending_agreement");
    cr_assert_str_eq(json_str(notice, "decision"), "not_inform");
    json_decref(notice);

    /* the police agree: health is still awaited */
    r = answer_decision(&p.police_officer, id, agrees());
    cr_assert_eq(r->status, 201, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "status"), "pending_agreement");
    const char *health_only[] = {p.health};
    expect_awaiting(r->json, health_only, 1);
    cr_assert_eq(json_int(r->json, "version"), 2);
    char *etag = http_header(r, "ETag");
    cr_assert_str_eq(etag, "\"2\"");
    free(etag);
    json_t *agreements = json_object_get(r->json, "agreements");
    cr_assert_eq(json_array_size(agreements), 1, "%s", r->body);
    json_t *first = json_array_get(agreements, 0);
    cr_assert_str_eq(json_str(first, "agency"), p.police);
    cr_assert(json_is_true(json_object_get(first, "agrees")), "%s", r->body);
    cr_assert_str_eq(json_str(json_object_get(first, "by"), "sub"), p.police_officer.who.sub);
    http_free(r);

    /* health agrees too (a comment is welcome): agreed */
    r = answer_decision(&p.health_visitor, id,
                        json_pack("{s:b, s:s}", "agrees", 1, "comment", "Agreed for now"));
    cr_assert_eq(r->status, 201, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "status"), "agreed");
    expect_awaiting(r->json, NULL, 0);
    cr_assert_eq(json_int(r->json, "version"), 3);
    cr_assert_eq(json_array_size(json_object_get(r->json, "agreements")), 2, "%s", r->body);
    http_free(r);

    notice = family_notice(&p.requester, p.meeting_id);
    cr_assert_str_eq(json_str(notice, "decision_id"), id);
    cr_assert_str_eq(json_str(notice, "status"), "agreed");
    json_decref(notice);
    cr_assert_eq(agreements_of(id), 2);

    /* the decision has taken effect: the meeting can be scheduled */
    planned_schedule(&p, 30 * DAY, "in_person", 0);
    free(id);
    planned_free(&p);
}

Test(consent, FAM_2_a_disagreement_needs_a_comment_and_disputes_the_decision)
{
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);
    char *id = decide_ok(&p.manager, p.meeting_id, not_inform());

    snapshot s = snap(p.meeting_id, p.csc, p.police, NULL);
    http_response *r = answer_decision(&p.police_officer, id, json_pack("{s:b}", "agrees", 0));
    expect_problem(r, 422, "/problems/rule-violated");
    expect_rule(r, "FAM-2", "comment");
    http_free(r);
    r = answer_decision(&p.police_officer, id, json_pack("{s:s}", "comment", "Not sure"));
    expect_problem(r, 422, "/problems/rule-violated");
    expect_rule(r, "FAM-2", "agrees");
    http_free(r);
    r = answer_decision(&p.police_officer, id, json_pack("{s:s}", "agrees", "no"));
    expect_problem(r, 400, "/problems/invalid-request");
    expect_shape_error(r, "agrees");
    http_free(r);
    r = answer_decision(&p.police_officer, id, json_pack("{s:b, s:s}", "agrees", 1, "agency", p.health));
    expect_problem(r, 400, "/problems/invalid-request");
    expect_shape_error(r, "agency");
    http_free(r);
    expect_same(&s);
    cr_assert_eq(agreements_of(id), 0);

    r = answer_decision(&p.police_officer, id,
                        disagrees("The parents already know of the concerns; telling them is safe"));
    cr_assert_eq(r->status, 201, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "status"), "disputed");
    json_t *first = json_array_get(json_object_get(r->json, "agreements"), 0);
    cr_assert(json_is_false(json_object_get(first, "agrees")), "%s", r->body);
    cr_assert_str_eq(json_str(first, "comment"),
                     "The parents already know of the concerns; telling them is safe");
    http_free(r);

    /* one agency's agreement does not undo another's disagreement */
    r = answer_decision(&p.health_visitor, id, agrees());
    cr_assert_eq(r->status, 201, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "status"), "disputed");
    http_free(r);

    json_t *notice = family_notice(&p.manager, p.meeting_id);
    cr_assert_str_eq(json_str(notice, "status"), "disputed");
    json_decref(notice);
    free(id);
    planned_free(&p);
}

Test(consent, FAM_2_an_agency_answers_once)
{
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);
    /* a second police officer is invited too */
    person sergeant = person_new(p.police, "practitioner");
    json_t *body = invitation_body(&sergeant, "Share the police intelligence");
    http_response *r = invite(&p.requester, p.meeting_id, body);
    json_decref(body);
    cr_assert_eq(r->status, 201, "%s", r->body);
    http_free(r);
    char *id = decide_ok(&p.manager, p.meeting_id, not_inform());
    agree_ok(&p.police_officer, id);

    snapshot s = snap(p.meeting_id, p.csc, p.police, NULL);
    r = answer_decision(&p.police_officer, id, agrees());
    expect_problem(r, 409, "/problems/already-answered");
    http_free(r);
    r = answer_decision(&sergeant, id, disagrees("I see it differently"));
    expect_problem(r, 409, "/problems/already-answered");
    http_free(r);
    expect_same(&s);

    cr_assert_eq(agreements_of(id), 1);
    json_t *d = decision_read(&p.manager, id);
    cr_assert_str_eq(json_str(d, "status"), "pending_agreement");
    cr_assert_eq(json_int(d, "version"), 2);
    json_decref(d);
    free(id);
    person_free(&sergeant);
    planned_free(&p);
}

Test(consent, FAM_2_only_invited_professionals_agree)
{
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);
    char *id = decide_ok(&p.manager, p.meeting_id, not_inform());
    char *school = agency_new("education");
    person stranger = person_new(school, "manager");
    person other_officer = person_new(p.police, "practitioner");

    /* the convening side holds no invitation: it cannot agree with itself */
    const person *convening[] = {&p.requester, &p.manager};
    for (size_t i = 0; i < 2; i++) {
        snapshot s = snap(p.meeting_id, p.csc, p.police, NULL);
        http_response *r = answer_decision(convening[i], id, agrees());
        expect_problem(r, 403, "/problems/forbidden");
        expect_rule(r, "FAM-2", NULL);
        http_free(r);
        expect_same(&s);
    }

    /* those who cannot see the meeting are told nothing */
    const person *outsiders[] = {&stranger, &other_officer};
    for (size_t i = 0; i < 2; i++) {
        snapshot s = snap(p.meeting_id, p.csc, p.police, school, NULL);
        http_response *r = answer_decision(outsiders[i], id, agrees());
        expect_problem(r, 404, "/problems/not-found");
        http_free(r);
        expect_same(&s);
    }
    cr_assert_eq(agreements_of(id), 0);

    free(id);
    free(school);
    person_free(&stranger);
    person_free(&other_officer);
    planned_free(&p);
}

Test(consent, FAM_2_inviting_another_agency_reopens_the_agreement)
{
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);
    char *id = decide_ok(&p.manager, p.meeting_id, not_inform());
    agree_ok(&p.police_officer, id);
    agree_ok(&p.health_visitor, id);
    json_t *d = decision_read(&p.manager, id);
    cr_assert_str_eq(json_str(d, "status"), "agreed");
    json_decref(d);

    char *school = agency_new("education");
    person teacher = person_new(school, "practitioner");
    json_t *body = invitation_body(&teacher, "Share school attendance");
    http_response *r = invite(&p.requester, p.meeting_id, body);
    json_decref(body);
    cr_assert_eq(r->status, 201, "%s", r->body);
    /* the answer says so (FAM-2) */
    json_t *warnings = json_object_get(r->json, "warnings");
    cr_assert_eq(json_array_size(warnings), 1, "%s", r->body);
    cr_assert_str_eq(json_str(json_array_get(warnings, 0), "rule"), "FAM-2");
    cr_assert_str_eq(json_str(json_array_get(warnings, 0), "field"), "invitee.agency");
    cr_assert(strstr(json_str(json_array_get(warnings, 0), "message"), school), "%s", r->body);
    http_free(r);

    d = decision_read(&p.manager, id);
    cr_assert_str_eq(json_str(d, "status"), "pending_agreement");
    const char *school_only[] = {school};
    expect_awaiting(d, school_only, 1);
    json_decref(d);
    json_t *notice = family_notice(&p.manager, p.meeting_id);
    cr_assert_str_eq(json_str(notice, "status"), "pending_agreement");
    json_decref(notice);

    r = answer_decision(&teacher, id, agrees());
    cr_assert_eq(r->status, 201, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "status"), "agreed");
    expect_awaiting(r->json, NULL, 0);
    cr_assert_eq(json_array_size(json_object_get(r->json, "agreements")), 3, "%s", r->body);
    http_free(r);
    notice = family_notice(&p.manager, p.meeting_id);
    cr_assert_str_eq(json_str(notice, "status"), "agreed");
    json_decref(notice);

    free(id);
    free(school);
    person_free(&teacher);
    planned_free(&p);
}

Test(consent, FAM_2_inviting_an_agency_already_invited_does_not_warn)
{
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);
    char *id = decide_ok(&p.manager, p.meeting_id, not_inform());
    agree_ok(&p.police_officer, id);
    agree_ok(&p.health_visitor, id);

    /* a second officer of the police, which has agreed already */
    person detective = person_new(p.police, "practitioner");
    json_t *body = invitation_body(&detective, "Share the investigation's progress");
    http_response *r = invite(&p.requester, p.meeting_id, body);
    json_decref(body);
    cr_assert_eq(r->status, 201, "%s", r->body);
    cr_assert_null(json_object_get(r->json, "warnings"), "%s", r->body);
    http_free(r);
    json_t *d = decision_read(&p.manager, id);
    cr_assert_str_eq(json_str(d, "status"), "agreed");
    json_decref(d);

    /* nor does any invitation while the family is to be informed */
    planned q;
    planned_authorised(&q, "professionals");
    planned_inform_family(&q);
    body = invitation_body(&q.police_officer, "Share what the police know");
    r = invite(&q.requester, q.meeting_id, body);
    json_decref(body);
    cr_assert_eq(r->status, 201, "%s", r->body);
    cr_assert_null(json_object_get(r->json, "warnings"), "%s", r->body);
    http_free(r);

    free(id);
    person_free(&detective);
    planned_free(&p);
    planned_free(&q);
}

static json_t *not_inform_fii(void)
{
    return json_pack("{s:s, s:[s], s:s}", "decision", "not_inform", "grounds",
                     "fabricated_or_induced_illness", "rationale",
                     "Telling the parent would alert them to the paediatric investigation of "
                     "fabricated illness");
}

Test(consent, FAM_2_team_manager_cannot_decide_not_to_inform_on_the_fii_ground)
{
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);

    snapshot s = snap(p.meeting_id, p.csc, p.police, p.health, NULL);
    http_response *r = decide(&p.manager, p.meeting_id, not_inform_fii());
    expect_problem(r, 403, "/problems/forbidden");
    expect_rule(r, "FAM-2", NULL);
    cr_assert(strstr(json_str(r->json, "detail"), "fabricated"), "%s", r->body);
    http_free(r);
    expect_same(&s);
    cr_assert_eq(decisions_of(p.meeting_id), 0);

    /* a senior manager of the convening agency may */
    person senior = person_new(p.csc, "senior_manager");
    r = decide(&senior, p.meeting_id, not_inform_fii());
    cr_assert_eq(r->status, 201, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "decision"), "not_inform");
    cr_assert_str_eq(json_str(json_object_get(r->json, "decided_by"), "sub"), senior.who.sub);
    http_free(r);
    cr_assert_eq(decisions_of(p.meeting_id), 1);

    person_free(&senior);
    planned_free(&p);
}

Test(consent, FAM_2_named_doctor_decides_not_to_inform_on_the_fii_ground)
{
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);
    /* the trust's named doctor for safeguarding, invited to the meeting */
    person doctor = person_new(p.health, "named_doctor");
    json_t *body = invitation_body(&doctor, "Advise on the medical picture");
    http_response *r = invite(&p.requester, p.meeting_id, body);
    json_decref(body);
    cr_assert_eq(r->status, 201, "%s", r->body);
    http_free(r);

    /* not on another ground: that is the convening side's decision */
    snapshot s = snap(p.meeting_id, p.csc, p.health, NULL);
    r = decide(&doctor, p.meeting_id, not_inform());
    expect_problem(r, 403, "/problems/forbidden");
    http_free(r);
    expect_same(&s);

    r = decide(&doctor, p.meeting_id, not_inform_fii());
    cr_assert_eq(r->status, 201, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "decision"), "not_inform");
    cr_assert_str_eq(json_str(r->json, "status"), "pending_agreement");
    cr_assert_str_eq(json_str(json_object_get(r->json, "decided_by"), "sub"), doctor.who.sub);
    cr_assert_str_eq(json_str(json_object_get(r->json, "decided_by"), "agency"), p.health);
    char *id = strdup(json_str(r->json, "id"));
    http_free(r);
    cr_assert_eq(count_of("SELECT count(*) FROM audit_events WHERE resource_id = $1"
                          " AND action = 'consent_decision.create'", id), 1);
    cr_assert_eq(count_of("SELECT count(*) FROM events WHERE resource_id = $1"
                          " AND type = 'consent_decision.recorded'", id), 3);
    json_t *notice = family_notice(&p.manager, p.meeting_id);
    cr_assert_str_eq(json_str(notice, "decision"), "not_inform");
    json_decref(notice);

    /* a named doctor who cannot see the meeting learns nothing of it */
    person stranger = person_new(p.health, "named_doctor");
    s = snap(p.meeting_id, p.csc, p.health, NULL);
    r = decide(&stranger, p.meeting_id, not_inform_fii());
    expect_problem(r, 404, "/problems/not-found");
    http_free(r);
    expect_same(&s);

    free(id);
    person_free(&doctor);
    person_free(&stranger);
    planned_free(&p);
}

Test(consent, FAM_9_not_inform_refused_while_a_parent_is_invited_until_withdrawn)
{
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);
    planned_inform_family(&p);
    planned_schedule(&p, 30 * 86400L, "in_person", 1);
    json_t *body = json_pack("{s:s, s:{s:s, s:s}, s:s, s:s, s:s}", "category", "parent_carer",
                             "invitee", "name", "Jo Example", "contact",
                             "jo.example@example.invalid", "role", "Share the family's view",
                             "invited_by", "The social worker, by phone", "support_needs", "none");
    http_response *r = invite(&p.requester, p.meeting_id, body);
    json_decref(body);
    cr_assert_eq(r->status, 201, "%s", r->body);
    char *parent = strdup(json_str(r->json, "id"));
    http_free(r);

    /* the family cannot be left uninformed while a parent holds an invitation */
    snapshot s = snap(p.meeting_id, p.csc, p.police, p.health, NULL);
    r = decide(&p.manager, p.meeting_id, not_inform());
    expect_problem(r, 422, "/problems/rule-violated");
    expect_rule(r, "FAM-9", "decision");
    http_free(r);
    expect_same(&s);
    cr_assert_eq(decisions_of(p.meeting_id), 1, "only the decision to inform");

    /* withdrawn first, then decided */
    char path[128];
    snprintf(path, sizeof path, "/v1/invitations/%s/withdraw", parent);
    body = json_pack("{s:s}", "reason", "The police now ask that the family is not told");
    r = api_call("POST", path, p.requester.token, body, "\"1\"");
    json_decref(body);
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    r = decide(&p.manager, p.meeting_id, not_inform());
    cr_assert_eq(r->status, 201, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "decision"), "not_inform");
    cr_assert_null(json_object_get(r->json, "warnings"), "%s", r->body);
    http_free(r);
    cr_assert_eq(decisions_of(p.meeting_id), 2);

    free(parent);
    planned_free(&p);
}

Test(consent, FAM_2_only_the_current_decision_not_to_inform_awaits_agreement)
{
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);
    char *first = decide_ok(&p.manager, p.meeting_id, not_inform());
    char *second = decide_ok(&p.manager, p.meeting_id, not_inform());

    /* the first is superseded */
    snapshot s = snap(p.meeting_id, p.csc, p.police, NULL);
    http_response *r = answer_decision(&p.police_officer, first, agrees());
    expect_problem(r, 409, "/problems/invalid-state");
    expect_rule(r, "FAM-2", "status");
    http_free(r);
    expect_same(&s);
    cr_assert_eq(agreements_of(first), 0);

    /* the current one takes agreements */
    agree_ok(&p.police_officer, second);

    /* a decision to inform awaits nobody */
    char *third = decide_ok(&p.manager, p.meeting_id, inform());
    s = snap(p.meeting_id, p.csc, p.health, NULL);
    r = answer_decision(&p.health_visitor, third, agrees());
    expect_problem(r, 409, "/problems/invalid-state");
    expect_rule(r, "FAM-2", "status");
    http_free(r);
    /* and now the second is superseded too */
    r = answer_decision(&p.health_visitor, second, agrees());
    expect_problem(r, 409, "/problems/invalid-state");
    expect_rule(r, "FAM-2", "status");
    http_free(r);
    expect_same(&s);
    cr_assert_eq(agreements_of(second), 1);
    cr_assert_eq(agreements_of(third), 0);

    free(first);
    free(second);
    free(third);
    planned_free(&p);
}

/* --- FAM-3: never inherited --- */

Test(consent, FAM_3_exclusion_from_an_earlier_meeting_is_not_a_ground)
{
    planned p;
    planned_authorised(&p, "professionals_only");
    planned_invite_agencies(&p);

    snapshot s = snap(p.meeting_id, p.csc, NULL);
    http_response *r = decide(&p.manager, p.meeting_id,
                              json_pack("{s:s, s:[s], s:s}", "decision", "not_inform", "grounds",
                                        "excluded_from_previous_meeting", "rationale",
                                        "They were not told of the last meeting either"));
    expect_problem(r, 422, "/problems/rule-violated");
    expect_rule(r, "FAM-3", "grounds[0]");
    http_free(r);
    /* not even beside a valid ground */
    r = decide(&p.manager, p.meeting_id,
               json_pack("{s:s, s:[s, s], s:s}", "decision", "not_inform", "grounds",
                         "engagement_difficulties", "excluded_from_previous_meeting", "rationale",
                         "Engagement has broken down"));
    expect_problem(r, 422, "/problems/rule-violated");
    expect_rule(r, "FAM-3", "grounds[1]");
    http_free(r);
    expect_same(&s);
    cr_assert_eq(decisions_of(p.meeting_id), 0);
    planned_free(&p);
}

/* A meeting request about the child with this case-management reference. */
static char *meeting_about(const person *requester, const char *child_ref)
{
    json_t *body = meeting_body("professionals_only");
    json_t *child = json_array_get(json_object_get(body, "children"), 0);
    json_object_set_new(child, "external_ref",
                        json_pack("{s:s, s:s}", "system", "testcms", "id", child_ref));
    http_response *r = api_call("POST", "/v1/meetings", requester->token, body, NULL);
    json_decref(body);
    cr_assert_eq(r->status, 201, "requesting: %ld %s", r->status, r->body);
    char *id = strdup(json_str(r->json, "id"));
    http_free(r);
    return id;
}

Test(consent, FAM_3_a_new_meeting_about_the_same_child_starts_without_a_decision)
{
    char *csc = agency_new("childrens_social_care");
    person requester = person_new(csc, "practitioner");
    person manager = person_new(csc, "manager");
    char suffix[17], child_ref[40];
    unique_suffix(suffix, sizeof suffix);
    snprintf(child_ref, sizeof child_ref, "CHILD-%s", suffix);

    char *earlier = meeting_about(&requester, child_ref);
    char *decision = decide_ok(&manager, earlier, not_inform());
    json_t *notice = family_notice(&requester, earlier);
    cr_assert_str_eq(json_str(notice, "decision_id"), decision);
    json_decref(notice);

    char *later = meeting_about(&requester, child_ref);
    cr_assert_null(family_notice(&requester, later), "a new meeting inherits no decision");
    http_response *r = api_get(decisions_path(later), manager.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_eq(json_array_size(json_object_get(r->json, "items")), 0, "%s", r->body);
    http_free(r);
    cr_assert_eq(decisions_of(later), 0);

    /* and the earlier meeting keeps its own */
    r = api_get(decisions_path(earlier), manager.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_eq(json_array_size(json_object_get(r->json, "items")), 1, "%s", r->body);
    http_free(r);

    free(earlier);
    free(later);
    free(decision);
    free(csc);
    person_free(&requester);
    person_free(&manager);
}

/* --- FAM-4: a parent's objection --- */

Test(consent, FAM_4_a_parent_objection_recommends_a_strategy_discussion)
{
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);
    json_t *body = json_pack("{s:s, s:s}", "decision", "inform", "parent_objection",
                             "Mother objects to agencies meeting without her");
    http_response *r = decide(&p.requester, p.meeting_id, body);
    cr_assert_eq(r->status, 201, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "parent_objection"),
                     "Mother objects to agencies meeting without her");
    json_t *warnings = json_object_get(r->json, "warnings");
    cr_assert_eq(json_array_size(warnings), 1, "%s", r->body);
    cr_assert_str_eq(json_str(json_array_get(warnings, 0), "rule"), "FAM-4");
    cr_assert_str_eq(json_str(json_array_get(warnings, 0), "field"), "parent_objection");
    cr_assert(json_str(json_array_get(warnings, 0), "message"), "%s", r->body);
    char *id = strdup(json_str(r->json, "id"));
    http_free(r);

    /* the objection is kept on the decision; the warning is for the answer */
    json_t *d = decision_read(&p.manager, id);
    cr_assert_str_eq(json_str(d, "parent_objection"),
                     "Mother objects to agencies meeting without her");
    cr_assert_null(json_object_get(d, "warnings"));
    json_decref(d);

    /* a decision not to inform can record one too */
    body = not_inform();
    json_object_set_new(body, "parent_objection", json_string("Father objects"));
    r = decide(&p.manager, p.meeting_id, body);
    cr_assert_eq(r->status, 201, "%s", r->body);
    cr_assert_str_eq(json_str(json_array_get(json_object_get(r->json, "warnings"), 0), "rule"),
                     "FAM-4");
    http_free(r);
    free(id);
    planned_free(&p);
}

/* --- FAM-8: history --- */

Test(consent, FAM_8_every_decision_is_kept_newest_first)
{
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);
    char *first = decide_ok(&p.requester, p.meeting_id, inform());
    char *second = decide_ok(&p.manager, p.meeting_id, not_inform());
    char *third = decide_ok(&p.manager, p.meeting_id, inform());
    const char *newest_first[] = {third, second, first};
    const char *by[] = {p.manager.who.sub, p.manager.who.sub, p.requester.who.sub};

    http_response *r = api_get(decisions_path(p.meeting_id), p.manager.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *items = json_object_get(r->json, "items");
    cr_assert_eq(json_array_size(items), 3, "%s", r->body);
    int current = 0;
    for (size_t i = 0; i < 3; i++) {
        json_t *d = json_array_get(items, i);
        cr_assert_str_eq(json_str(d, "id"), newest_first[i]);
        cr_assert_str_eq(json_str(json_object_get(d, "decided_by"), "sub"), by[i]);
        cr_assert(text_is_timestamp(json_str(d, "decided_at")), "%s", r->body);
        if (json_is_true(json_object_get(d, "current")))
            current++;
    }
    cr_assert_eq(current, 1, "exactly one current decision: %s", r->body);
    cr_assert(json_is_true(json_object_get(json_array_get(items, 0), "current")), "%s", r->body);
    cr_assert(json_is_null(json_object_get(r->json, "next_cursor")), "%s", r->body);
    http_free(r);

    /* in pages */
    char path[512];
    snprintf(path, sizeof path, "%s?limit=2", decisions_path(p.meeting_id));
    r = api_get(path, p.requester.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    items = json_object_get(r->json, "items");
    cr_assert_eq(json_array_size(items), 2, "%s", r->body);
    cr_assert_str_eq(json_str(json_array_get(items, 1), "id"), second);
    const char *next = json_str(r->json, "next_cursor");
    cr_assert(next, "%s", r->body);
    snprintf(path, sizeof path, "%s?limit=2&cursor=%s", decisions_path(p.meeting_id), next);
    http_free(r);
    r = api_get(path, p.requester.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    items = json_object_get(r->json, "items");
    cr_assert_eq(json_array_size(items), 1, "%s", r->body);
    cr_assert_str_eq(json_str(json_array_get(items, 0), "id"), first);
    cr_assert(json_is_null(json_object_get(r->json, "next_cursor")), "%s", r->body);
    http_free(r);

    /* an earlier decision stays readable, no longer current */
    json_t *d = decision_read(&p.police_officer, second);
    cr_assert(json_is_false(json_object_get(d, "current")));
    cr_assert_str_eq(json_str(d, "decision"), "not_inform");
    json_decref(d);

    /* the meeting shows the current one */
    json_t *notice = family_notice(&p.police_officer, p.meeting_id);
    cr_assert_str_eq(json_str(notice, "decision_id"), third);
    cr_assert_str_eq(json_str(notice, "decision"), "inform");
    cr_assert_str_eq(json_str(notice, "status"), "effective");
    json_decref(notice);
    cr_assert_eq(decisions_of(p.meeting_id), 3);

    free(first);
    free(second);
    free(third);
    planned_free(&p);
}

Test(consent, FAM_8_MTG_8_no_decision_once_the_meeting_is_cancelled)
{
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);
    char *id = decide_ok(&p.manager, p.meeting_id, not_inform());

    json_t *reason = json_pack("{s:s}", "reason", "The family moved out of the area");
    http_response *r = api_call("POST", meeting_path(p.meeting_id, "cancel"), p.requester.token,
                                reason, etag_of(p.version));
    json_decref(reason);
    cr_assert_eq(r->status, 200, "cancelling: %s", r->body);
    cr_assert_str_eq(json_str(r->json, "status"), "cancelled");
    http_free(r);

    snapshot s = snap(p.meeting_id, p.csc, p.police, NULL);
    r = decide(&p.manager, p.meeting_id, inform());
    expect_problem(r, 409, "/problems/invalid-state");
    expect_rule(r, "MTG-8", "status");
    http_free(r);
    r = decide(&p.requester, p.meeting_id, inform());
    expect_problem(r, 409, "/problems/invalid-state");
    expect_rule(r, "MTG-8", "status");
    http_free(r);
    /* nor an agreement */
    r = answer_decision(&p.police_officer, id, agrees());
    expect_problem(r, 409, "/problems/invalid-state");
    expect_rule(r, "MTG-8", "status");
    http_free(r);
    expect_same(&s);
    cr_assert_eq(decisions_of(p.meeting_id), 1);
    cr_assert_eq(agreements_of(id), 0);
    free(id);
    planned_free(&p);
}

Test(consent, FAM_8_MTG_8_no_decision_once_the_meeting_is_held)
{
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);
    planned_inform_family(&p);
    planned_schedule(&p, 3, "in_person", 0);

    json_t *marks = json_pack("{s:[{s:s, s:s}, {s:s, s:s}]}", "entries", "invitation_id",
                              p.police_invitation, "attendance", "present", "invitation_id",
                              p.health_invitation, "attendance", "apologies");
    http_response *r = api_call("PUT", meeting_path(p.meeting_id, "attendance"),
                                p.requester.token, marks, etag_of(p.version));
    json_decref(marks);
    cr_assert_eq(r->status, 200, "attendance: %s", r->body);
    p.version = json_int(r->json, "version");
    http_free(r);
    clock_past_start(p.meeting_id);
    r = api_call("POST", meeting_path(p.meeting_id, "hold"), p.requester.token, NULL,
                 etag_of(p.version));
    cr_assert_eq(r->status, 200, "holding: %s", r->body);
    cr_assert_str_eq(json_str(r->json, "status"), "held");
    http_free(r);

    snapshot s = snap(p.meeting_id, p.csc, NULL);
    r = decide(&p.manager, p.meeting_id, not_inform());
    expect_problem(r, 409, "/problems/invalid-state");
    expect_rule(r, "MTG-8", "status");
    http_free(r);
    r = decide(&p.requester, p.meeting_id, inform());
    expect_problem(r, 409, "/problems/invalid-state");
    expect_rule(r, "MTG-8", "status");
    http_free(r);
    expect_same(&s);
    cr_assert_eq(decisions_of(p.meeting_id), 1);
    planned_free(&p);
}

/* --- SEC-2: who sees decisions --- */

Test(consent, SEC_2_an_uninvited_agency_sees_no_decisions)
{
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);
    char *first = decide_ok(&p.requester, p.meeting_id, inform());
    char *second = decide_ok(&p.manager, p.meeting_id, not_inform());
    char *school = agency_new("education");
    person teacher = person_new(school, "practitioner");
    person head = person_new(school, "manager");
    person other_officer = person_new(p.police, "practitioner");
    /* managers of an invited agency see its invitations, not the meeting */
    person inspector = person_new(p.police, "manager");

    const person *outsiders[] = {&teacher, &head, &other_officer, &inspector};
    const char *ids[] = {first, second};
    for (size_t i = 0; i < 4; i++) {
        snapshot s = snap(p.meeting_id, p.csc, p.police, school, NULL);
        http_response *r = api_get(decisions_path(p.meeting_id), outsiders[i]->token);
        expect_problem(r, 404, "/problems/not-found");
        http_free(r);
        for (size_t j = 0; j < 2; j++) {
            r = api_get(decision_path(ids[j], NULL), outsiders[i]->token);
            expect_problem(r, 404, "/problems/not-found");
            http_free(r);
        }
        r = answer_decision(outsiders[i], second, agrees());
        expect_problem(r, 404, "/problems/not-found");
        http_free(r);
        r = decide(outsiders[i], p.meeting_id, inform());
        expect_problem(r, 404, "/problems/not-found");
        http_free(r);
        expect_same(&s);
    }

    /* the invitees see them */
    http_response *r = api_get(decisions_path(p.meeting_id), p.health_visitor.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_eq(json_array_size(json_object_get(r->json, "items")), 2, "%s", r->body);
    http_free(r);
    r = api_get(decision_path(first, NULL), p.police_officer.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    char *etag = http_header(r, "ETag");
    cr_assert_str_eq(etag, "\"1\"");
    free(etag);
    http_free(r);

    free(first);
    free(second);
    free(school);
    person_free(&teacher);
    person_free(&head);
    person_free(&other_officer);
    person_free(&inspector);
    planned_free(&p);
}

/* --- SEC-4 and INT-2: audit rows and feed events --- */

Test(consent, SEC_4_INT_2_decisions_are_audited_and_announced)
{
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);
    char *id = decide_ok(&p.manager, p.meeting_id, not_inform());
    agree_ok(&p.police_officer, id);
    json_t *d = decision_read(&p.health_visitor, id);
    json_decref(d);
    http_response *r = api_get(decisions_path(p.meeting_id), p.requester.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);

    const char *q = "SELECT count(*) FROM audit_events WHERE resource_id = $1 AND action = $2"
                    " AND actor_sub = $3 AND actor_agency = $4 AND outcome = 'success'";
    const char *created[] = {id, "consent_decision.create", p.manager.who.sub, p.csc};
    cr_assert_eq(db_long(q, 4, created), 1);
    const char *agreed[] = {id, "consent_decision.agree", p.police_officer.who.sub, p.police};
    cr_assert_eq(db_long(q, 4, agreed), 1);
    const char *read[] = {id, "consent_decision.read", p.health_visitor.who.sub, p.health};
    cr_assert_eq(db_long(q, 4, read), 1);
    const char *listed[] = {id, p.requester.who.sub};
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE action = 'consent_decision.list'"
                         " AND resource_ids @> ARRAY[$1] AND actor_sub = $2",
                         2, listed),
                 1);

    person csc_system = person_new(p.csc, "integration");
    person police_system = person_new(p.police, "integration");
    person health_system = person_new(p.health, "integration");
    const person *systems[] = {&csc_system, &police_system, &health_system};
    for (size_t i = 0; i < 3; i++) {
        expect_feed(systems[i], id, "consent_decision.recorded");
        expect_feed(systems[i], id, "consent_decision.answered");
    }
    const char *ev[] = {id};
    cr_assert_eq(db_long("SELECT count(*) FROM events WHERE resource_id = $1"
                         " AND type = 'consent_decision.answered' AND resource_version = 2",
                         1, ev),
                 3);
    cr_assert_eq(db_long("SELECT count(*) FROM events WHERE resource_id = $1"
                         " AND type = 'consent_decision.recorded' AND resource_version = 1",
                         1, ev),
                 3);

    free(id);
    person_free(&csc_system);
    person_free(&police_system);
    person_free(&health_system);
    planned_free(&p);
}
