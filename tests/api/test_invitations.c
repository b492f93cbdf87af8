/* Invitations over real HTTP against the real database: sending them
 * (INV-1, INV-2, INV-4, INV-7), answering them (INV-3, INV-5), papers shared
 * in advance (INV-6), the lists, who sees them (SEC-2), and their audit
 * rows and feed events (SEC-4, INT-2).
 *
 * Every test makes its own agencies and people. Every refusal is checked
 * four ways: the status, the problem+json answer, the errors[] entry naming
 * the rule or field, and the database: a fingerprint of each agency
 * involved plus a digest of the meeting's invitations, their history and
 * papers, its family-notice decisions, and the audit rows and feed events
 * about any of them, taken before and after. */
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

#define DAY (24L * 3600L)

/* --- helpers --- */

/* Notice (INV-4) and response deadlines (INV-7) are counted in working days
 * from the service's "today": each test pins its clock (test_clock_pin_noon)
 * and counts from the same day. */
TestSuite(invitations, .init = test_clock_pin_noon);

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

static long invitations_of(const char *meeting_id)
{
    return count_of("SELECT count(*) FROM invitations WHERE meeting_id = $1::uuid", meeting_id);
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

static const char *invitation_path(const char *id, const char *command)
{
    static char path[256];
    if (command)
        snprintf(path, sizeof path, "/v1/invitations/%s/%s", id, command);
    else
        snprintf(path, sizeof path, "/v1/invitations/%s", id);
    return path;
}

static const char *invitations_list_path(const char *meeting_id)
{
    static char path[256];
    snprintf(path, sizeof path, "/v1/meetings/%s/invitations", meeting_id);
    return path;
}

/* POST an invitation; takes the body. */
static http_response *invite_with(const person *by, const char *meeting_id, json_t *body)
{
    http_response *r = invite(by, meeting_id, body);
    json_decref(body);
    return r;
}

/* Invites `invitee` as a professional; returns the invitation's id. */
static char *invite_ok(const person *by, const char *meeting_id, const person *invitee)
{
    http_response *r =
        invite_with(by, meeting_id, invitation_body(invitee, "Bring what your agency knows"));
    cr_assert_eq(r->status, 201, "inviting: %ld %s", r->status, r->body);
    char *id = strdup(json_str(r->json, "id"));
    http_free(r);
    return id;
}

/* POST /v1/invitations/{id}/respond; takes the body. */
static http_response *respond(const person *p, const char *invitation_id, json_t *body,
                              const char *if_match)
{
    http_response *r =
        api_call("POST", invitation_path(invitation_id, "respond"), p->token, body, if_match);
    json_decref(body);
    return r;
}

static json_t *answer(const char *response)
{
    return json_pack("{s:s}", "response", response);
}

static json_t *delegation_to(const person *delegate)
{
    return json_pack("{s:s, s:{s:s, s:s, s:s, s:s}}", "response", "delegated", "delegate", "sub",
                     delegate->who.sub, "name", delegate->who.name, "agency",
                     delegate->who.agency, "contact", "delegate.contact@example.invalid");
}

static json_t *family_body(void)
{
    return json_pack("{s:s, s:{s:s, s:s}, s:s, s:s, s:s}", "category", "parent_carer", "invitee",
                     "name", "Jo Example", "contact", "jo.example@example.invalid", "role",
                     "Share the family's view in part 2", "invited_by",
                     "The allocated social worker, by phone", "support_needs",
                     "An interpreter (Polish)");
}

static long stored_version(const char *invitation_id)
{
    return count_of("SELECT version FROM invitations WHERE id = $1::uuid", invitation_id);
}

/* A decision not to inform the family, as the manager; returns its id. */
static char *not_inform(planned *p)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/meetings/%s/consent-decisions", p->meeting_id);
    json_t *body = json_pack("{s:s, s:[s], s:s}", "decision", "not_inform", "grounds",
                             "significant_harm_if_known", "rationale",
                             "Telling the family could put the child at risk");
    http_response *r = api_call("POST", path, p->manager.token, body, NULL);
    json_decref(body);
    cr_assert_eq(r->status, 201, "deciding not to inform: %ld %s", r->status, r->body);
    char *id = strdup(json_str(r->json, "id"));
    http_free(r);
    return id;
}

static void agree(const person *p, const char *decision_id)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/consent-decisions/%s/agreements", decision_id);
    json_t *body = json_pack("{s:b}", "agrees", 1);
    http_response *r = api_call("POST", path, p->token, body, NULL);
    json_decref(body);
    cr_assert_eq(r->status, 201, "agreeing: %ld %s", r->status, r->body);
    http_free(r);
}

/* Reads the feed of the integration person's agency to its end; true when it
 * holds an event of this type about this resource. */
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
                cr_assert_str_eq(json_str(e, "resource_type"), "invitation");
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

static json_t *errors_of(const http_response *r)
{
    return json_object_get(r->json, "errors");
}

/* --- INV-1: what an invitation names --- */

Test(invitations, INV_1_each_required_part_missing_is_refused)
{
    planned p;
    planned_authorised(&p, "stop_and_review");
    static const char *const parts[] = {"category", "invitee", "role", "invitee.name",
                                        "invitee.contact", "invitee.agency", "invitee.sub"};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        json_t *body = invitation_body(&p.police_officer, "Share what the police know");
        if (strncmp(parts[i], "invitee.", 8) == 0)
            json_object_del(json_object_get(body, "invitee"), parts[i] + 8);
        else
            json_object_del(body, parts[i]);
        snapshot s = snap(p.meeting_id, p.csc, p.police, NULL);
        http_response *r = invite_with(&p.requester, p.meeting_id, body);
        expect_problem(r, 422, "/problems/rule-violated");
        expect_rule(r, "INV-1", parts[i]);
        http_free(r);
        expect_same(&s);
    }
    /* a blank role is as good as none */
    json_t *body = invitation_body(&p.police_officer, "   ");
    snapshot s = snap(p.meeting_id, p.csc, p.police, NULL);
    http_response *r = invite_with(&p.requester, p.meeting_id, body);
    expect_problem(r, 422, "/problems/rule-violated");
    expect_rule(r, "INV-1", "role");
    http_free(r);
    expect_same(&s);
    cr_assert_eq(invitations_of(p.meeting_id), 0);
    planned_free(&p);
}

Test(invitations, INV_1_missing_parts_are_reported_together)
{
    planned p;
    planned_authorised(&p, "stop_and_review");

    json_t *empty = json_object();
    snapshot s = snap(p.meeting_id, p.csc, NULL);
    http_response *r = invite_with(&p.requester, p.meeting_id, empty);
    expect_problem(r, 422, "/problems/rule-violated");
    expect_rule(r, "INV-1", "category");
    expect_rule(r, "INV-1", "invitee");
    expect_rule(r, "INV-1", "role");
    cr_assert_eq(json_array_size(errors_of(r)), 3, "%s", r->body);
    http_free(r);
    expect_same(&s);

    /* a professional with an empty invitee and no role: five parts at once */
    json_t *body = json_pack("{s:s, s:{}}", "category", "professional", "invitee");
    s = snap(p.meeting_id, p.csc, NULL);
    r = invite_with(&p.requester, p.meeting_id, body);
    expect_problem(r, 422, "/problems/rule-violated");
    static const char *const fields[] = {"role", "invitee.name", "invitee.contact",
                                         "invitee.agency", "invitee.sub"};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        expect_rule(r, "INV-1", fields[i]);
    http_free(r);
    expect_same(&s);
    cr_assert_eq(invitations_of(p.meeting_id), 0);
    planned_free(&p);
}

Test(invitations, INV_1_unknown_agency_is_refused)
{
    planned p;
    planned_authorised(&p, "stop_and_review");
    char suffix[17], code[32];
    unique_suffix(suffix, sizeof suffix);
    for (char *c = suffix; *c; c++)
        if (*c >= 'a' && *c <= 'z')
            *c = (char)(*c - 'a' + 'A');
    snprintf(code, sizeof code, "NOSUCH%.10s", suffix);
    json_t *body = invitation_body(&p.police_officer, "Share what the police know");
    json_object_set_new(json_object_get(body, "invitee"), "agency", json_string(code));
    snapshot s = snap(p.meeting_id, p.csc, p.police, NULL);
    http_response *r = invite_with(&p.requester, p.meeting_id, body);
    expect_problem(r, 422, "/problems/rule-violated");
    expect_rule(r, "INV-1", "invitee.agency");
    http_free(r);
    expect_same(&s);
    cr_assert_eq(invitations_of(p.meeting_id), 0);
    planned_free(&p);
}

Test(invitations, INV_1_inactive_agency_is_refused)
{
    planned p;
    planned_authorised(&p, "stop_and_review");
    char *school = agency_new("education");
    person teacher = person_new(school, "practitioner");
    person admin = person_new("ADMIN", "admin");
    char path[128];
    snprintf(path, sizeof path, "/v1/agencies/%s", school);
    json_t *patch = json_pack("{s:b}", "active", 0);
    http_response *r = api_call("PATCH", path, admin.token, patch, "\"1\"");
    json_decref(patch);
    cr_assert_eq(r->status, 200, "deactivating: %ld %s", r->status, r->body);
    http_free(r);

    snapshot s = snap(p.meeting_id, p.csc, school, NULL);
    r = invite_with(&p.requester, p.meeting_id, invitation_body(&teacher, "Share school attendance"));
    expect_problem(r, 422, "/problems/rule-violated");
    expect_rule(r, "INV-1", "invitee.agency");
    http_free(r);
    expect_same(&s);
    cr_assert_eq(invitations_of(p.meeting_id), 0);

    person_free(&teacher);
    person_free(&admin);
    free(school);
    planned_free(&p);
}

Test(invitations, INV_1_wrong_types_are_bad_requests)
{
    planned p;
    planned_authorised(&p, "stop_and_review");

    json_t *body = json_pack("{s:i, s:s, s:[s], s:s}", "category", 5, "invitee", "PC Example",
                             "role", "listen", "respond_by", "next week");
    snapshot s = snap(p.meeting_id, p.csc, NULL);
    http_response *r = invite_with(&p.requester, p.meeting_id, body);
    expect_problem(r, 400, "/problems/invalid-request");
    expect_shape_error(r, "category");
    expect_shape_error(r, "invitee");
    expect_shape_error(r, "role");
    expect_shape_error(r, "respond_by");
    http_free(r);
    expect_same(&s);

    /* a malformed agency code, an unknown and a read-only field */
    body = invitation_body(&p.police_officer, "Share what the police know");
    json_object_set_new(json_object_get(body, "invitee"), "agency", json_string("police force"));
    json_object_set_new(body, "colour", json_string("blue"));
    json_object_set_new(body, "status", json_string("accepted"));
    s = snap(p.meeting_id, p.csc, NULL);
    r = invite_with(&p.requester, p.meeting_id, body);
    expect_problem(r, 400, "/problems/invalid-request");
    expect_shape_error(r, "invitee.agency");
    expect_shape_error(r, "colour");
    expect_shape_error(r, "status");
    http_free(r);
    expect_same(&s);

    /* a number where a contact is expected */
    body = invitation_body(&p.police_officer, "Share what the police know");
    json_object_set_new(json_object_get(body, "invitee"), "contact", json_integer(999));
    s = snap(p.meeting_id, p.csc, NULL);
    r = invite_with(&p.requester, p.meeting_id, body);
    expect_problem(r, 400, "/problems/invalid-request");
    expect_shape_error(r, "invitee.contact");
    http_free(r);
    expect_same(&s);
    cr_assert_eq(invitations_of(p.meeting_id), 0);
    planned_free(&p);
}

/* --- who invites, and when --- */

Test(invitations, SEC_2_SEC_3_only_the_convening_side_invites)
{
    planned p;
    planned_authorised(&p, "stop_and_review");
    planned_invite_agencies(&p);
    char *school = agency_new("education");
    person teacher = person_new(school, "practitioner");
    person stranger = person_new(school, "manager");

    /* an invitee sees the meeting but does not invite */
    snapshot s = snap(p.meeting_id, p.csc, p.police, school, NULL);
    http_response *r = invite_with(&p.police_officer, p.meeting_id,
                                   invitation_body(&teacher, "Share school attendance"));
    expect_problem(r, 403, "/problems/forbidden");
    http_free(r);
    expect_same(&s);

    /* a stranger is told nothing */
    s = snap(p.meeting_id, p.csc, school, NULL);
    r = invite_with(&stranger, p.meeting_id, invitation_body(&teacher, "Share school attendance"));
    expect_problem(r, 404, "/problems/not-found");
    http_free(r);
    expect_same(&s);
    cr_assert_eq(invitations_of(p.meeting_id), 2);

    /* a manager of the convening agency is of the convening side */
    char *id = invite_ok(&p.manager, p.meeting_id, &teacher);
    cr_assert_eq(invitations_of(p.meeting_id), 3);

    free(id);
    person_free(&teacher);
    person_free(&stranger);
    free(school);
    planned_free(&p);
}

Test(invitations, MTG_8_a_requested_meeting_takes_no_invitations)
{
    char *csc = agency_new("childrens_social_care");
    char *police = agency_new("police");
    person requester = person_new(csc, "practitioner");
    person officer = person_new(police, "practitioner");
    char *id = meeting_new(&requester, "professionals");

    snapshot s = snap(id, csc, police, NULL);
    http_response *r = invite_with(&requester, id, invitation_body(&officer, "Share what is known"));
    expect_problem(r, 409, "/problems/invalid-state");
    expect_rule(r, "MTG-8", "status");
    http_free(r);
    expect_same(&s);
    cr_assert_eq(invitations_of(id), 0);

    /* nor does a cancelled one */
    json_t *reason = json_pack("{s:s}", "reason", "Concerns resolved by a single agency");
    r = api_call("POST", meeting_path(id, "cancel"), requester.token, reason, "\"1\"");
    json_decref(reason);
    cr_assert_eq(r->status, 200, "cancelling: %s", r->body);
    http_free(r);
    s = snap(id, csc, police, NULL);
    r = invite_with(&requester, id, invitation_body(&officer, "Share what is known"));
    expect_problem(r, 409, "/problems/invalid-state");
    expect_rule(r, "MTG-8", "status");
    http_free(r);
    expect_same(&s);
    cr_assert_eq(invitations_of(id), 0);

    free(id);
    person_free(&requester);
    person_free(&officer);
    free(csc);
    free(police);
}

Test(invitations, same_person_invited_twice_is_a_conflict)
{
    planned p;
    planned_authorised(&p, "stop_and_review");
    planned_invite_agencies(&p);
    snapshot s = snap(p.meeting_id, p.csc, p.police, NULL);
    http_response *r = invite_with(&p.manager, p.meeting_id,
                                   invitation_body(&p.police_officer, "Again, in another role"));
    expect_problem(r, 409, "/problems/already-invited");
    http_free(r);
    expect_same(&s);
    cr_assert_eq(invitations_of(p.meeting_id), 2);
    planned_free(&p);
}

/* --- INV-2: family members --- */

Test(invitations, INV_2_family_refused_while_no_decision_is_recorded)
{
    planned p;
    planned_authorised(&p, "professionals");
    snapshot s = snap(p.meeting_id, p.csc, NULL);
    http_response *r = invite_with(&p.requester, p.meeting_id, family_body());
    expect_problem(r, 422, "/problems/rule-violated");
    expect_rule(r, "INV-2", "category");
    http_free(r);
    expect_same(&s);
    cr_assert_eq(invitations_of(p.meeting_id), 0);
    planned_free(&p);
}

Test(invitations, INV_2_family_refused_under_a_decision_not_to_inform)
{
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);
    char *decision = not_inform(&p);

    /* while the decision awaits agreement */
    snapshot s = snap(p.meeting_id, p.csc, p.police, p.health, NULL);
    http_response *r = invite_with(&p.requester, p.meeting_id, family_body());
    expect_problem(r, 422, "/problems/rule-violated");
    expect_rule(r, "INV-2", "category");
    http_free(r);
    expect_same(&s);

    /* and once agreed and scheduled in two parts: only "not informed" is left, which
     * INV-2 and FAM-9 both refuse */
    agree(&p.police_officer, decision);
    agree(&p.health_visitor, decision);
    planned_schedule(&p, 30 * DAY, "in_person", 1);
    s = snap(p.meeting_id, p.csc, p.police, p.health, NULL);
    r = invite_with(&p.requester, p.meeting_id, family_body());
    expect_problem(r, 422, "/problems/rule-violated");
    expect_rule(r, "INV-2", "category");
    expect_rule(r, "FAM-9", "category");
    cr_assert_eq(json_array_size(errors_of(r)), 2, "%s", r->body);
    http_free(r);
    expect_same(&s);
    cr_assert_eq(invitations_of(p.meeting_id), 2);
    free(decision);
    planned_free(&p);
}

Test(invitations, INV_2_family_refused_until_scheduled_in_two_parts)
{
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);
    planned_inform_family(&p);

    /* informed, but not yet scheduled */
    snapshot s = snap(p.meeting_id, p.csc, NULL);
    http_response *r = invite_with(&p.requester, p.meeting_id, family_body());
    expect_problem(r, 422, "/problems/rule-violated");
    expect_rule(r, "INV-2", "category");
    cr_assert_eq(json_array_size(errors_of(r)), 1, "%s", r->body);
    http_free(r);
    expect_same(&s);

    /* scheduled as one part */
    planned_schedule(&p, 30 * DAY, "in_person", 0);
    s = snap(p.meeting_id, p.csc, NULL);
    r = invite_with(&p.requester, p.meeting_id, family_body());
    expect_problem(r, 422, "/problems/rule-violated");
    expect_rule(r, "INV-2", "category");
    http_free(r);
    expect_same(&s);
    cr_assert_eq(invitations_of(p.meeting_id), 2);
    planned_free(&p);
}

Test(invitations, INV_2_family_invited_to_part_two_once_informed)
{
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);
    planned_inform_family(&p);
    planned_schedule(&p, 30 * DAY, "in_person", 1);

    http_response *r = invite_with(&p.requester, p.meeting_id, family_body());
    cr_assert_eq(r->status, 201, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "category"), "parent_carer");
    cr_assert_eq(json_int(r->json, "part"), 2, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "invited_by"), "The allocated social worker, by phone");
    cr_assert_str_eq(json_str(r->json, "support_needs"), "An interpreter (Polish)");
    cr_assert_str_eq(json_str(r->json, "status"), "invited");
    json_t *invitee = json_object_get(r->json, "invitee");
    cr_assert_str_eq(json_str(invitee, "name"), "Jo Example");
    cr_assert(json_is_null(json_object_get(invitee, "agency")), "%s", r->body);
    cr_assert(json_is_null(json_object_get(invitee, "sub")), "%s", r->body);
    char *etag = http_header(r, "ETag");
    cr_assert_str_eq(etag, "\"1\"");
    char *location = http_header(r, "Location");
    cr_assert_str_eq(location, invitation_path(json_str(r->json, "id"), NULL));
    free(etag);
    free(location);
    http_free(r);
    cr_assert_eq(invitations_of(p.meeting_id), 3);
    planned_free(&p);
}

Test(invitations, INV_2_family_invitation_records_who_invites_and_support)
{
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);
    planned_inform_family(&p);
    planned_schedule(&p, 30 * DAY, "in_person", 1);

    json_t *body = family_body();
    json_object_del(body, "invited_by");
    json_object_del(body, "support_needs");
    snapshot s = snap(p.meeting_id, p.csc, NULL);
    http_response *r = invite_with(&p.requester, p.meeting_id, body);
    expect_problem(r, 422, "/problems/rule-violated");
    expect_rule(r, "INV-2", "invited_by");
    expect_rule(r, "INV-2", "support_needs");
    http_free(r);
    expect_same(&s);

    /* a family member is not invited on behalf of an agency */
    body = family_body();
    json_object_set_new(json_object_get(body, "invitee"), "agency", json_string(p.police));
    s = snap(p.meeting_id, p.csc, NULL);
    r = invite_with(&p.requester, p.meeting_id, body);
    expect_problem(r, 422, "/problems/rule-violated");
    expect_rule(r, "INV-1", "invitee.agency");
    http_free(r);
    expect_same(&s);

    /* who invites and support needs belong to family invitations */
    body = invitation_body(&p.manager, "Chair the meeting");
    json_object_set_new(body, "invited_by", json_string("Someone"));
    s = snap(p.meeting_id, p.csc, NULL);
    r = invite_with(&p.requester, p.meeting_id, body);
    expect_problem(r, 422, "/problems/rule-violated");
    expect_rule(r, "INV-2", "invited_by");
    http_free(r);
    expect_same(&s);
    cr_assert_eq(invitations_of(p.meeting_id), 2);
    planned_free(&p);
}

/* --- INV-3: answers --- */

Test(invitations, INV_3_invitee_accepts)
{
    planned p;
    planned_authorised(&p, "stop_and_review");
    planned_invite_agencies(&p);
    http_response *r = respond(&p.police_officer, p.police_invitation, answer("accepted"), "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "status"), "accepted");
    cr_assert_eq(json_int(r->json, "version"), 2);
    char *etag = http_header(r, "ETag");
    cr_assert_str_eq(etag, "\"2\"");
    free(etag);
    cr_assert_str_eq(json_str(json_object_get(r->json, "responded_by"), "sub"),
                     p.police_officer.who.sub);
    cr_assert(text_is_timestamp(json_str(r->json, "responded_at")), "%s", r->body);
    json_t *history = json_object_get(r->json, "history");
    cr_assert_eq(json_array_size(history), 1, "%s", r->body);
    cr_assert_str_eq(json_str(json_array_get(history, 0), "action"), "accepted");
    http_free(r);
    cr_assert_eq(stored_version(p.police_invitation), 2);
    planned_free(&p);
}

Test(invitations, INV_3_decline_needs_a_reason)
{
    planned p;
    planned_authorised(&p, "stop_and_review");
    planned_invite_agencies(&p);
    snapshot s = snap(p.meeting_id, p.csc, p.police, NULL);
    http_response *r = respond(&p.police_officer, p.police_invitation, answer("declined"), "\"1\"");
    expect_problem(r, 422, "/problems/rule-violated");
    expect_rule(r, "INV-3", "reason");
    http_free(r);
    expect_same(&s);

    /* a reason goes with a decline only */
    s = snap(p.meeting_id, p.csc, p.police, NULL);
    r = respond(&p.police_officer, p.police_invitation,
                json_pack("{s:s, s:s}", "response", "accepted", "reason", "Happy to"), "\"1\"");
    expect_problem(r, 422, "/problems/rule-violated");
    expect_rule(r, "INV-3", "reason");
    http_free(r);
    expect_same(&s);

    r = respond(&p.police_officer, p.police_invitation,
                json_pack("{s:s, s:s}", "response", "declined", "reason",
                          "The case is held by another team"),
                "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "status"), "declined");
    cr_assert_str_eq(json_str(r->json, "response_note"), "The case is held by another team");
    http_free(r);
    planned_free(&p);
}

Test(invitations, INV_3_apologies_with_a_written_contribution)
{
    planned p;
    planned_authorised(&p, "stop_and_review");
    planned_invite_agencies(&p);

    /* a contribution goes with apologies, not an acceptance */
    snapshot s = snap(p.meeting_id, p.csc, p.health, NULL);
    http_response *r = respond(&p.health_visitor, p.health_invitation,
                               json_pack("{s:s, s:s}", "response", "accepted", "contribution",
                                         "Growth is on track"),
                               "\"1\"");
    expect_problem(r, 422, "/problems/rule-violated");
    expect_rule(r, "INV-3", "contribution");
    http_free(r);
    expect_same(&s);

    r = respond(&p.health_visitor, p.health_invitation,
                json_pack("{s:s, s:s}", "response", "apologies", "contribution",
                          "Health visits have been missed three times since March"),
                "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "status"), "apologies");
    cr_assert_str_eq(json_str(r->json, "response_note"),
                     "Health visits have been missed three times since March");
    json_t *history = json_object_get(r->json, "history");
    cr_assert_str_eq(json_str(json_array_get(history, 0), "action"), "apologies");
    cr_assert_str_eq(json_str(json_array_get(history, 0), "note"),
                     "Health visits have been missed three times since March");
    http_free(r);

    /* apologies without a contribution are fine too */
    r = respond(&p.police_officer, p.police_invitation, answer("apologies"), "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "status"), "apologies");
    http_free(r);
    planned_free(&p);
}

Test(invitations, INV_3_a_manager_of_the_invitees_agency_answers)
{
    planned p;
    planned_authorised(&p, "stop_and_review");
    planned_invite_agencies(&p);
    person inspector = person_new(p.police, "manager");

    /* the manager sees the agency's invitation, not the meeting */
    http_response *r = api_get(invitation_path(p.police_invitation, NULL), inspector.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    r = api_get(meeting_path(p.meeting_id, NULL), inspector.token);
    expect_problem(r, 404, "/problems/not-found");
    http_free(r);

    r = respond(&inspector, p.police_invitation, answer("accepted"), "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "status"), "accepted");
    cr_assert_str_eq(json_str(json_object_get(r->json, "responded_by"), "sub"), inspector.who.sub);
    /* the invitation stays the officer's */
    cr_assert_str_eq(json_str(json_object_get(r->json, "invitee"), "sub"), p.police_officer.who.sub);
    http_free(r);

    /* a manager of another invited agency does not answer for the police */
    person matron = person_new(p.health, "manager");
    snapshot s = snap(p.meeting_id, p.csc, p.police, p.health, NULL);
    r = respond(&matron, p.police_invitation, answer("declined"), "\"2\"");
    expect_problem(r, 404, "/problems/not-found");
    http_free(r);
    expect_same(&s);

    person_free(&inspector);
    person_free(&matron);
    planned_free(&p);
}

Test(invitations, INV_3_a_colleague_practitioner_does_not_answer)
{
    planned p;
    planned_authorised(&p, "stop_and_review");
    planned_invite_agencies(&p);
    /* a colleague invited to the same meeting sees it, but may not answer
     * the officer's invitation */
    person colleague = person_new(p.police, "practitioner,senior_practitioner");
    char *own = invite_ok(&p.requester, p.meeting_id, &colleague);

    snapshot s = snap(p.meeting_id, p.csc, p.police, NULL);
    http_response *r = respond(&colleague, p.police_invitation, answer("accepted"), "\"1\"");
    expect_problem(r, 403, "/problems/forbidden");
    expect_rule(r, "INV-3", NULL);
    http_free(r);
    expect_same(&s);

    /* a colleague who is not invited does not even see it (SEC-2) */
    person other = person_new(p.police, "practitioner");
    s = snap(p.meeting_id, p.csc, p.police, NULL);
    r = respond(&other, p.police_invitation, answer("accepted"), "\"1\"");
    expect_problem(r, 404, "/problems/not-found");
    http_free(r);
    expect_same(&s);

    cr_assert_eq(stored_version(p.police_invitation), 1);
    free(own);
    person_free(&colleague);
    person_free(&other);
    planned_free(&p);
}

Test(invitations, INV_3_a_stranger_is_told_nothing)
{
    planned p;
    planned_authorised(&p, "stop_and_review");
    planned_invite_agencies(&p);
    char *school = agency_new("education");
    person stranger = person_new(school, "manager");
    snapshot s = snap(p.meeting_id, p.csc, p.police, school, NULL);
    http_response *r = respond(&stranger, p.police_invitation, answer("accepted"), "\"1\"");
    expect_problem(r, 404, "/problems/not-found");
    http_free(r);
    expect_same(&s);
    person_free(&stranger);
    free(school);
    planned_free(&p);
}

Test(invitations, INV_3_delegation_to_a_named_colleague)
{
    planned p;
    planned_authorised(&p, "stop_and_review");
    planned_invite_agencies(&p);
    person colleague = person_new(p.police, "practitioner");

    http_response *r = api_get(meeting_path(p.meeting_id, NULL), colleague.token);
    expect_problem(r, 404, "/problems/not-found");
    http_free(r);

    r = respond(&p.police_officer, p.police_invitation, delegation_to(&colleague), "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "status"), "invited");
    cr_assert_eq(json_int(r->json, "version"), 2);
    json_t *invitee = json_object_get(r->json, "invitee");
    cr_assert_str_eq(json_str(invitee, "sub"), colleague.who.sub);
    cr_assert_str_eq(json_str(invitee, "name"), colleague.who.name);
    cr_assert_str_eq(json_str(invitee, "agency"), p.police);
    json_t *history = json_object_get(r->json, "history");
    cr_assert_eq(json_array_size(history), 1, "%s", r->body);
    json_t *h = json_array_get(history, 0);
    cr_assert_str_eq(json_str(h, "action"), "delegated");
    cr_assert_str_eq(json_str(json_object_get(h, "by"), "sub"), p.police_officer.who.sub);
    cr_assert_str_eq(json_str(json_object_get(h, "delegate"), "sub"), colleague.who.sub);
    http_free(r);

    /* the delegate now sees the meeting and holds the invitation */
    r = api_get(meeting_path(p.meeting_id, NULL), colleague.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    r = api_get("/v1/invitations?invitee=me", colleague.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_eq(json_array_size(json_object_get(r->json, "items")), 1, "%s", r->body);
    cr_assert_str_eq(json_str(json_array_get(json_object_get(r->json, "items"), 0), "id"),
                     p.police_invitation);
    http_free(r);

    /* the original invitee no longer sees it, nor the meeting */
    snapshot s = snap(p.meeting_id, p.csc, p.police, NULL);
    r = respond(&p.police_officer, p.police_invitation, answer("accepted"), "\"2\"");
    expect_problem(r, 404, "/problems/not-found");
    http_free(r);
    r = api_get(invitation_path(p.police_invitation, NULL), p.police_officer.token);
    expect_problem(r, 404, "/problems/not-found");
    http_free(r);
    r = api_get(meeting_path(p.meeting_id, NULL), p.police_officer.token);
    expect_problem(r, 404, "/problems/not-found");
    http_free(r);
    expect_same(&s);
    r = api_get("/v1/invitations?invitee=me", p.police_officer.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_eq(json_array_size(json_object_get(r->json, "items")), 0, "%s", r->body);
    http_free(r);

    /* the delegate answers */
    r = respond(&colleague, p.police_invitation, answer("accepted"), "\"2\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "status"), "accepted");
    cr_assert_str_eq(json_str(json_object_get(r->json, "responded_by"), "sub"), colleague.who.sub);
    history = json_object_get(r->json, "history");
    cr_assert_eq(json_array_size(history), 2, "%s", r->body);
    cr_assert_str_eq(json_str(json_array_get(history, 1), "action"), "accepted");
    http_free(r);

    person_free(&colleague);
    planned_free(&p);
}

Test(invitations, INV_3_delegation_stays_within_the_agency)
{
    planned p;
    planned_authorised(&p, "stop_and_review");
    planned_invite_agencies(&p);
    char *school = agency_new("education");
    person teacher = person_new(school, "practitioner");

    snapshot s = snap(p.meeting_id, p.csc, p.police, school, NULL);
    http_response *r = respond(&p.police_officer, p.police_invitation, delegation_to(&teacher), "\"1\"");
    expect_problem(r, 422, "/problems/rule-violated");
    expect_rule(r, "INV-3", "delegate.agency");
    http_free(r);
    expect_same(&s);

    /* a delegation names the colleague */
    s = snap(p.meeting_id, p.csc, p.police, NULL);
    r = respond(&p.police_officer, p.police_invitation, answer("delegated"), "\"1\"");
    expect_problem(r, 422, "/problems/rule-violated");
    expect_rule(r, "INV-3", "delegate");
    http_free(r);
    expect_same(&s);

    /* and is not to oneself */
    s = snap(p.meeting_id, p.csc, p.police, NULL);
    r = respond(&p.police_officer, p.police_invitation, delegation_to(&p.police_officer), "\"1\"");
    expect_problem(r, 422, "/problems/rule-violated");
    expect_rule(r, "INV-3", "delegate.sub");
    http_free(r);
    expect_same(&s);

    /* a colleague who already holds an invitation to the meeting */
    person colleague = person_new(p.police, "practitioner");
    char *theirs = invite_ok(&p.requester, p.meeting_id, &colleague);
    s = snap(p.meeting_id, p.csc, p.police, NULL);
    r = respond(&p.police_officer, p.police_invitation, delegation_to(&colleague), "\"1\"");
    expect_problem(r, 409, "/problems/already-invited");
    http_free(r);
    expect_same(&s);
    free(theirs);
    person_free(&colleague);

    /* the teacher still sees nothing */
    r = api_get(meeting_path(p.meeting_id, NULL), teacher.token);
    expect_problem(r, 404, "/problems/not-found");
    http_free(r);
    const char *params[] = {p.police_invitation};
    cr_assert_eq(db_long("SELECT count(*) FROM invitation_history WHERE invitation_id = $1::uuid",
                         1, params),
                 0);

    person_free(&teacher);
    free(school);
    planned_free(&p);
}

Test(invitations, INV_3_answer_needs_a_current_if_match)
{
    planned p;
    planned_authorised(&p, "stop_and_review");
    planned_invite_agencies(&p);

    snapshot s = snap(p.meeting_id, p.csc, p.police, NULL);
    http_response *r = respond(&p.police_officer, p.police_invitation, answer("accepted"), "\"7\"");
    expect_problem(r, 412, "/problems/stale-version");
    char *etag = http_header(r, "ETag");
    cr_assert_str_eq(etag, "\"1\"");
    free(etag);
    http_free(r);
    expect_same(&s);

    s = snap(p.meeting_id, p.csc, p.police, NULL);
    r = respond(&p.police_officer, p.police_invitation, answer("accepted"), NULL);
    expect_problem(r, 428, "/problems/precondition-required");
    http_free(r);
    expect_same(&s);

    /* after an answer, the old ETag is stale */
    r = respond(&p.police_officer, p.police_invitation, answer("accepted"), "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    s = snap(p.meeting_id, p.csc, p.police, NULL);
    r = respond(&p.police_officer, p.police_invitation,
                json_pack("{s:s, s:s}", "response", "declined", "reason", "Clash"), "\"1\"");
    expect_problem(r, 412, "/problems/stale-version");
    http_free(r);
    expect_same(&s);
    cr_assert_eq(stored_version(p.police_invitation), 2);
    planned_free(&p);
}

/* --- INV-4: short notice --- */

Test(invitations, INV_4_short_notice_invitation_carries_a_warning)
{
    planned p;
    planned_scheduled(&p, "stop_and_review", 3600);
    person gp = person_new(p.health, "practitioner");
    http_response *r = invite_with(&p.requester, p.meeting_id, invitation_body(&gp, "GP view"));
    cr_assert_eq(r->status, 201, "%s", r->body);
    cr_assert(json_is_true(json_object_get(r->json, "short_notice")), "%s", r->body);
    json_t *warnings = json_object_get(r->json, "warnings");
    cr_assert_eq(json_array_size(warnings), 1, "%s", r->body);
    cr_assert_str_eq(json_str(json_array_get(warnings, 0), "rule"), "INV-4");
    char *id = strdup(json_str(r->json, "id"));
    http_free(r);

    /* the flag stays on the invitation */
    r = api_get(invitation_path(id, NULL), gp.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert(json_is_true(json_object_get(r->json, "short_notice")), "%s", r->body);
    cr_assert_null(json_object_get(r->json, "warnings"), "%s", r->body);
    http_free(r);
    free(id);
    person_free(&gp);
    planned_free(&p);
}

Test(invitations, INV_4_strategy_discussions_are_never_short_notice)
{
    planned p;
    planned_authorised(&p, "strategy_discussion");
    planned_invite_agencies(&p);
    /* MTG-7: children's social care is invited too */
    person social_worker = person_new(p.csc, "practitioner");
    char *csc_invitation = invite_ok(&p.requester, p.meeting_id, &social_worker);
    planned_inform_family(&p);
    planned_schedule(&p, 3600, "in_person", 0);

    person gp = person_new(p.health, "practitioner");
    http_response *r = invite_with(&p.requester, p.meeting_id, invitation_body(&gp, "GP view"));
    cr_assert_eq(r->status, 201, "%s", r->body);
    cr_assert(json_is_false(json_object_get(r->json, "short_notice")), "%s", r->body);
    cr_assert_null(json_object_get(r->json, "warnings"), "%s", r->body);
    http_free(r);
    free(csc_invitation);
    person_free(&social_worker);
    person_free(&gp);
    planned_free(&p);
}

Test(invitations, INV_4_thirty_days_notice_is_not_short)
{
    planned p;
    planned_scheduled(&p, "stop_and_review", 30 * DAY);
    person gp = person_new(p.health, "practitioner");
    http_response *r = invite_with(&p.requester, p.meeting_id, invitation_body(&gp, "GP view"));
    cr_assert_eq(r->status, 201, "%s", r->body);
    cr_assert(json_is_false(json_object_get(r->json, "short_notice")), "%s", r->body);
    cr_assert_null(json_object_get(r->json, "warnings"), "%s", r->body);
    http_free(r);
    person_free(&gp);
    planned_free(&p);
}

/* Seconds from the test's now to noon (UTC) of the n-th working day after
 * its today. */
static long noon_of_working_day(int n)
{
    char n_text[8], now[32];
    snprintf(n_text, sizeof n_text, "%d", n - 1);
    time_from_now(0, now);
    const char *params[] = {n_text, now};
    return db_long(
        "SELECT extract(epoch FROM (d + time '12:00') AT TIME ZONE 'UTC')::bigint"
        "       - extract(epoch FROM $2::timestamptz)::bigint"
        "  FROM (SELECT ($2::timestamptz AT TIME ZONE 'UTC')::date + k AS d"
        "          FROM generate_series(1, 40) AS g(k)) days"
        " WHERE extract(isodow FROM d) < 6 AND d NOT IN (SELECT day FROM bank_holidays)"
        " ORDER BY d OFFSET $1::int LIMIT 1",
        2, params);
}

Test(invitations, INV_4_five_working_days_is_enough_notice_four_is_not)
{
    static const struct {
        int working_days;
        bool short_notice;
    } cases[] = {{4, true}, {5, false}};
    for (size_t i = 0; i < 2; i++) {
        planned p;
        planned_scheduled(&p, "multi_agency", noon_of_working_day(cases[i].working_days));
        person gp = person_new(p.health, "practitioner");
        http_response *r = invite_with(&p.requester, p.meeting_id, invitation_body(&gp, "GP view"));
        cr_assert_eq(r->status, 201, "%s", r->body);
        cr_assert_eq(json_is_true(json_object_get(r->json, "short_notice")), cases[i].short_notice,
                     "starting on working day %d: %s", cases[i].working_days, r->body);
        json_t *warnings = json_object_get(r->json, "warnings");
        if (cases[i].short_notice) {
            cr_assert_eq(json_array_size(warnings), 1, "%s", r->body);
            cr_assert_str_eq(json_str(json_array_get(warnings, 0), "rule"), "INV-4");
        } else {
            cr_assert_null(warnings, "%s", r->body);
        }
        http_free(r);
        person_free(&gp);
        planned_free(&p);
    }
}

/* --- INV-5: technology for virtual meetings --- */

Test(invitations, INV_5_virtual_meeting_acceptance_confirms_technology)
{
    planned p;
    planned_authorised(&p, "stop_and_review");
    planned_invite_agencies(&p);
    planned_inform_family(&p);
    planned_schedule(&p, 30 * DAY, "virtual", 0);

    snapshot s = snap(p.meeting_id, p.csc, p.police, NULL);
    http_response *r = respond(&p.police_officer, p.police_invitation, answer("accepted"), "\"1\"");
    expect_problem(r, 422, "/problems/rule-violated");
    expect_rule(r, "INV-5", "technology_access_confirmed");
    http_free(r);
    expect_same(&s);

    s = snap(p.meeting_id, p.csc, p.police, NULL);
    r = respond(&p.police_officer, p.police_invitation,
                json_pack("{s:s, s:b}", "response", "accepted", "technology_access_confirmed", 0),
                "\"1\"");
    expect_problem(r, 422, "/problems/rule-violated");
    expect_rule(r, "INV-5", "technology_access_confirmed");
    http_free(r);
    expect_same(&s);

    s = snap(p.meeting_id, p.csc, p.police, NULL);
    r = respond(&p.police_officer, p.police_invitation,
                json_pack("{s:s, s:s}", "response", "accepted", "technology_access_confirmed",
                          "yes"),
                "\"1\"");
    expect_problem(r, 400, "/problems/invalid-request");
    expect_shape_error(r, "technology_access_confirmed");
    http_free(r);
    expect_same(&s);

    r = respond(&p.police_officer, p.police_invitation,
                json_pack("{s:s, s:b}", "response", "accepted", "technology_access_confirmed", 1),
                "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "status"), "accepted");
    cr_assert(json_is_true(json_object_get(r->json, "technology_access_confirmed")), "%s", r->body);
    http_free(r);
    planned_free(&p);
}

Test(invitations, INV_5_parent_joining_a_virtual_meeting_is_asked_about_technology)
{
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);
    planned_inform_family(&p);
    planned_schedule(&p, 30 * DAY, "virtual", 1);
    http_response *r = invite_with(&p.requester, p.meeting_id, family_body());
    cr_assert_eq(r->status, 201, "%s", r->body);
    char *parent = strdup(json_str(r->json, "id"));
    http_free(r);

    /* the convening side answers for the parent: joining needs the technology */
    snapshot s = snap(p.meeting_id, p.csc, NULL);
    r = respond(&p.requester, parent, answer("accepted"), "\"1\"");
    expect_problem(r, 422, "/problems/rule-violated");
    expect_rule(r, "INV-5", "technology_access_confirmed");
    http_free(r);
    expect_same(&s);

    /* support on a decline is not what INV-5 asks */
    s = snap(p.meeting_id, p.csc, NULL);
    r = respond(&p.requester, parent,
                json_pack("{s:s, s:s, s:s}", "response", "declined", "reason",
                          "Mother cannot attend on that day", "technology_support", "A laptop"),
                "\"1\"");
    expect_problem(r, 422, "/problems/rule-violated");
    expect_rule(r, "INV-5", "technology_support");
    http_free(r);
    expect_same(&s);

    /* the support they need, stated instead */
    r = respond(&p.requester, parent,
                json_pack("{s:s, s:s}", "response", "accepted", "technology_support",
                          "Needs a laptop lent by the school"),
                "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "status"), "accepted");
    cr_assert_str_eq(json_str(r->json, "technology_support"), "Needs a laptop lent by the school");
    cr_assert(json_is_null(json_object_get(r->json, "technology_access_confirmed")), "%s",
              r->body);
    http_free(r);
    cr_assert_eq(count_of("SELECT count(*) FROM invitations WHERE id = $1::uuid"
                          " AND technology_support = 'Needs a laptop lent by the school'",
                          parent),
                 1);
    cr_assert_eq(count_of("SELECT count(*) FROM audit_events WHERE resource_id = $1"
                          " AND action = 'invitation.respond'", parent), 1);
    free(parent);
    planned_free(&p);
}

Test(invitations, INV_5_schedule_warning_counts_family_invitees)
{
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);
    planned_inform_family(&p);
    planned_schedule(&p, 30 * DAY, "in_person", 1);
    http_response *r = invite_with(&p.requester, p.meeting_id, family_body());
    cr_assert_eq(r->status, 201, "%s", r->body);
    http_free(r);
    /* the police confirm; health and the parent have not said */
    r = respond(&p.police_officer, p.police_invitation,
                json_pack("{s:s, s:b}", "response", "accepted", "technology_access_confirmed", 1),
                "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);

    /* moved online: the warning counts every invitee still to say, the parent too */
    json_t *body = schedule_body(&p, 30 * DAY, "virtual", 1);
    r = api_call("POST", meeting_path(p.meeting_id, "reschedule"), p.requester.token, body,
                 etag_of(p.version));
    json_decref(body);
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *w = NULL;
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(r->json, "warnings"), i, item) {
        if (strcmp(json_str(item, "rule"), "INV-5") == 0)
            w = item;
    }
    cr_assert_not_null(w, "%s", r->body);
    cr_assert_str_eq(json_str(w, "field"), "invitations");
    cr_assert(strstr(json_str(w, "message"), "2 invitee(s), family members included"), "%s",
              r->body);
    http_free(r);
    planned_free(&p);
}

Test(invitations, INV_5_hybrid_meeting_acceptance_confirms_technology)
{
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);
    planned_inform_family(&p);
    planned_schedule(&p, 30 * DAY, "hybrid", 0);

    snapshot s = snap(p.meeting_id, p.csc, p.health, NULL);
    http_response *r = respond(&p.health_visitor, p.health_invitation, answer("accepted"), "\"1\"");
    expect_problem(r, 422, "/problems/rule-violated");
    expect_rule(r, "INV-5", "technology_access_confirmed");
    http_free(r);
    expect_same(&s);

    /* apologies need no technology */
    r = respond(&p.police_officer, p.police_invitation, answer("apologies"), "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    r = respond(&p.health_visitor, p.health_invitation,
                json_pack("{s:s, s:b}", "response", "accepted", "technology_access_confirmed", 1),
                "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert(json_is_true(json_object_get(r->json, "technology_access_confirmed")), "%s", r->body);
    http_free(r);
    planned_free(&p);
}

/* --- INV-6: papers --- */

Test(invitations, INV_6_papers_shared_by_the_convening_side)
{
    planned p;
    planned_authorised(&p, "stop_and_review");
    planned_invite_agencies(&p);

    json_t *paper = json_pack("{s:s, s:s}", "title", "Chronology of contacts", "reference",
                              "DOC-2024-117");
    http_response *r = api_call("POST", invitation_path(p.police_invitation, "papers"),
                                p.requester.token, paper, NULL);
    json_decref(paper);
    cr_assert_eq(r->status, 201, "%s", r->body);
    cr_assert_eq(json_int(r->json, "version"), 2);
    http_free(r);

    /* the invitee sees the paper on the invitation */
    r = api_get(invitation_path(p.police_invitation, NULL), p.police_officer.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *papers = json_object_get(r->json, "papers");
    cr_assert_eq(json_array_size(papers), 1, "%s", r->body);
    json_t *first = json_array_get(papers, 0);
    cr_assert_str_eq(json_str(first, "title"), "Chronology of contacts");
    cr_assert_str_eq(json_str(first, "reference"), "DOC-2024-117");
    cr_assert(text_is_timestamp(json_str(first, "shared_at")), "%s", r->body);
    cr_assert_str_eq(json_str(json_object_get(first, "shared_by"), "sub"), p.requester.who.sub);
    http_free(r);

    /* the invitee does not share papers */
    paper = json_pack("{s:s}", "title", "Police summary");
    snapshot s = snap(p.meeting_id, p.csc, p.police, NULL);
    r = api_call("POST", invitation_path(p.police_invitation, "papers"), p.police_officer.token,
                 paper, NULL);
    json_decref(paper);
    expect_problem(r, 403, "/problems/forbidden");
    http_free(r);
    expect_same(&s);

    /* a paper has a title */
    paper = json_pack("{s:s}", "reference", "DOC-1");
    s = snap(p.meeting_id, p.csc, p.police, NULL);
    r = api_call("POST", invitation_path(p.police_invitation, "papers"), p.manager.token, paper,
                 NULL);
    json_decref(paper);
    expect_problem(r, 422, "/problems/rule-violated");
    expect_rule(r, "INV-6", "title");
    http_free(r);
    expect_same(&s);

    const char *params[] = {p.police_invitation};
    cr_assert_eq(db_long("SELECT count(*) FROM invitation_papers WHERE invitation_id = $1::uuid",
                         1, params),
                 1);
    planned_free(&p);
}

/* --- INV-7: response deadline --- */

Test(invitations, INV_7_respond_by_defaults_to_three_working_days)
{
    planned p;
    planned_authorised(&p, "stop_and_review");
    http_response *r = invite_with(&p.requester, p.meeting_id,
                                   invitation_body(&p.police_officer, "Share what is known"));
    cr_assert_eq(r->status, 201, "%s", r->body);
    /* the third weekday after today (UTC) that is not a bank holiday */
    char today[11];
    date_from_today(0, today);
    const char *params[] = {today};
    char *expected = db_value(
        "SELECT to_char(d, 'YYYY-MM-DD') FROM (SELECT $1::date + n AS d"
        "   FROM generate_series(1, 40) AS g(n)) days"
        " WHERE extract(isodow FROM d) < 6 AND d NOT IN (SELECT day FROM bank_holidays)"
        " ORDER BY d OFFSET 2 LIMIT 1",
        1, params);
    cr_assert_str_eq(json_str(r->json, "respond_by"), expected);
    cr_assert(json_is_false(json_object_get(r->json, "response_overdue")), "%s", r->body);
    char *id = strdup(json_str(r->json, "id"));
    http_free(r);

    /* and shown to the invitee */
    r = api_get(invitation_path(id, NULL), p.police_officer.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "respond_by"), expected);
    cr_assert(json_is_false(json_object_get(r->json, "response_overdue")), "%s", r->body);
    http_free(r);

    /* a deadline the sender gives is kept */
    json_t *body = invitation_body(&p.health_visitor, "Share the health picture");
    json_object_set_new(body, "respond_by", json_string("2099-01-15"));
    r = invite_with(&p.requester, p.meeting_id, body);
    cr_assert_eq(r->status, 201, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "respond_by"), "2099-01-15");
    cr_assert(json_is_false(json_object_get(r->json, "response_overdue")), "%s", r->body);
    http_free(r);
    free(expected);
    free(id);
    planned_free(&p);
}

/* --- INV-8: the response deadline falls before the meeting --- */

/* A moment by the test clock: YYYY-MM-DDTHH:MM:SSZ. */
static time_t moment(const char *rfc3339)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    cr_assert(strptime(rfc3339, "%Y-%m-%dT%H:%M:%SZ", &tm), "a moment: %s", rfc3339);
    return timegm(&tm);
}

/* Schedules p's meeting to start at `start` (RFC 3339) as the requester;
 * returns the answer. */
static http_response *schedule_at(planned *p, const char *start, const char *format)
{
    json_t *body = schedule_body(p, 3600, format, -1);
    json_object_set_new(body, "start", json_string(start));
    http_response *r = api_call("POST", meeting_path(p->meeting_id, "schedule"),
                                p->requester.token, body, etag_of(p->version));
    json_decref(body);
    return r;
}

/* The warning with this rule in an answer, or NULL. */
static json_t *warning_of(const http_response *r, const char *rule)
{
    size_t i;
    json_t *w;
    json_array_foreach(json_object_get(r->json, "warnings"), i, w) {
        const char *wr = json_str(w, "rule");
        if (wr && strcmp(wr, rule) == 0)
            return w;
    }
    return NULL;
}

/* The invitation as `p` reads it (a new reference). */
static json_t *invitation_read(const person *p, const char *id)
{
    http_response *r = api_get(invitation_path(id, NULL), p->token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *j = json_incref(r->json);
    http_free(r);
    return j;
}

Test(invitations, INV_8_same_day_strategy_discussion_deadlines_moved_to_its_start)
{
    /* Monday 1 March 2027, nine in the morning */
    test_clock_set(moment("2027-03-01T09:00:00Z"));
    planned p;
    planned_authorised(&p, "strategy_discussion");
    planned_invite_agencies(&p);
    json_t *before = invitation_read(&p.police_officer, p.police_invitation);
    cr_assert_str_eq(json_str(before, "respond_by"), "2027-03-04", "three working days");
    json_decref(before);
    planned_inform_family(&p);

    /* the discussion is called for five past nine, by phone */
    http_response *r = schedule_at(&p, "2027-03-01T09:05:00Z", "phone");
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *w = warning_of(r, "INV-8");
    cr_assert_not_null(w, "%s", r->body);
    cr_assert_str_eq(json_str(w, "field"), "invitations");
    cr_assert(strstr(json_str(w, "message"), "2 response deadline") &&
                  strstr(json_str(w, "message"), "2027-03-01"),
              "%s", r->body);
    cr_assert_null(warning_of(r, "INV-4"), "never short notice for a strategy discussion");
    p.version = json_int(r->json, "version");
    http_free(r);

    const char *ids[] = {p.police_invitation, p.health_invitation};
    for (int i = 0; i < 2; i++) {
        json_t *inv = invitation_read(&p.requester, ids[i]);
        cr_assert_str_eq(json_str(inv, "respond_by"), "2027-03-01", "due at the start");
        cr_assert_eq(json_int(inv, "version"), 2, "a change of its terms");
        json_t *history = json_object_get(inv, "history");
        json_t *last = json_array_get(history, json_array_size(history) - 1);
        cr_assert_str_eq(json_str(last, "action"), "deadline_changed");
        cr_assert_str_eq(json_str(last, "note"), "from 2027-03-04 to 2027-03-01");
        cr_assert_str_eq(json_str(json_object_get(last, "by"), "sub"), p.requester.who.sub);
        json_decref(inv);
        cr_assert_eq(count_of("SELECT count(DISTINCT event_id) FROM events WHERE resource_id = $1"
                              " AND type = 'invitation.deadline_changed' AND resource_version = 2",
                              ids[i]),
                     1, "announced");
    }
    /* the police's feed hears of it */
    cr_assert_eq(count_of("SELECT count(*) FROM events WHERE resource_id = $1"
                          " AND type = 'invitation.deadline_changed'",
                          p.police_invitation),
                 3, "the convening agency, the police and health");

    /* an answer with the ETag read before is stale: the invitee re-reads */
    r = respond(&p.police_officer, p.police_invitation, answer("accepted"), "\"1\"");
    expect_problem(r, 412, "/problems/stale-version");
    http_free(r);
    r = respond(&p.police_officer, p.police_invitation, answer("accepted"), "\"2\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    planned_free(&p);
}

Test(invitations, INV_8_invitation_after_scheduling_defaults_before_the_start)
{
    /* Monday 1 March 2027; the meeting on Thursday 4 March */
    test_clock_set(moment("2027-03-01T09:00:00Z"));
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);
    planned_inform_family(&p);
    http_response *r = schedule_at(&p, "2027-03-04T10:00:00Z", "in_person");
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_not_null(warning_of(r, "INV-8"), "4 March pulled to the Wednesday: %s", r->body);
    http_free(r);
    json_t *inv = invitation_read(&p.requester, p.police_invitation);
    cr_assert_str_eq(json_str(inv, "respond_by"), "2027-03-03");
    json_decref(inv);

    /* a colleague invited now is due on the working day before the start */
    person nurse = person_new(p.health, "practitioner");
    r = invite_with(&p.requester, p.meeting_id, invitation_body(&nurse, "Share the health picture"));
    cr_assert_eq(r->status, 201, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "respond_by"), "2027-03-03", "%s", r->body);
    char *id = strdup(json_str(r->json, "id"));
    http_free(r);
    cr_assert_eq(count_of("SELECT count(*) FROM invitations WHERE id = $1"
                          " AND respond_by = '2027-03-03'", id), 1);

    /* a meeting further ahead keeps the policy's three working days */
    planned q;
    planned_authorised(&q, "professionals");
    planned_invite_agencies(&q);
    planned_inform_family(&q);
    r = schedule_at(&q, "2027-03-15T10:00:00Z", "in_person");
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_null(warning_of(r, "INV-8"), "nothing moved: %s", r->body);
    http_free(r);
    r = invite_with(&q.requester, q.meeting_id, invitation_body(&nurse, "Share the health picture"));
    cr_assert_eq(r->status, 201, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "respond_by"), "2027-03-04", "%s", r->body);
    http_free(r);

    free(id);
    person_free(&nurse);
    planned_free(&p);
    planned_free(&q);
}

Test(invitations, INV_8_explicit_deadline_after_the_start_refused)
{
    test_clock_set(moment("2027-03-01T09:00:00Z"));
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);
    planned_inform_family(&p);
    http_response *r = schedule_at(&p, "2027-03-04T10:00:00Z", "in_person");
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);

    person nurse = person_new(p.health, "practitioner");
    snapshot s = snap(p.meeting_id, p.csc, p.health, NULL);
    json_t *body = invitation_body(&nurse, "Share the health picture");
    json_object_set_new(body, "respond_by", json_string("2027-03-05"));
    r = invite_with(&p.requester, p.meeting_id, body);
    expect_problem(r, 422, "/problems/rule-violated");
    expect_rule(r, "INV-8", "respond_by");
    http_free(r);
    expect_same(&s);
    cr_assert_eq(invitations_of(p.meeting_id), 2);

    /* by the day it starts is accepted */
    body = invitation_body(&nurse, "Share the health picture");
    json_object_set_new(body, "respond_by", json_string("2027-03-04"));
    r = invite_with(&p.requester, p.meeting_id, body);
    cr_assert_eq(r->status, 201, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "respond_by"), "2027-03-04");
    http_free(r);

    person_free(&nurse);
    planned_free(&p);
}

Test(invitations, INV_7_respond_by_in_the_past_is_refused)
{
    planned p;
    planned_authorised(&p, "stop_and_review");
    char yesterday[32];
    time_from_now(-DAY, yesterday);
    yesterday[10] = '\0';
    json_t *body = invitation_body(&p.police_officer, "Share what is known");
    json_object_set_new(body, "respond_by", json_string(yesterday));
    snapshot s = snap(p.meeting_id, p.csc, p.police, NULL);
    http_response *r = invite_with(&p.requester, p.meeting_id, body);
    expect_problem(r, 422, "/problems/rule-violated");
    expect_rule(r, "INV-7", "respond_by");
    http_free(r);
    expect_same(&s);
    cr_assert_eq(invitations_of(p.meeting_id), 0);
    planned_free(&p);
}

/* --- lists --- */

Test(invitations, meeting_invitations_listed_in_order_with_pages)
{
    planned p;
    planned_authorised(&p, "stop_and_review");
    planned_invite_agencies(&p);
    person gp = person_new(p.health, "practitioner");
    char *third = invite_ok(&p.requester, p.meeting_id, &gp);
    const char *order[] = {p.police_invitation, p.health_invitation, third};

    /* all at once */
    http_response *r = api_get(invitations_list_path(p.meeting_id), p.requester.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *items = json_object_get(r->json, "items");
    cr_assert_eq(json_array_size(items), 3, "%s", r->body);
    for (size_t i = 0; i < 3; i++)
        cr_assert_str_eq(json_str(json_array_get(items, i), "id"), order[i]);
    cr_assert(json_is_null(json_object_get(r->json, "next_cursor")), "%s", r->body);
    http_free(r);

    /* two pages */
    char path[512];
    snprintf(path, sizeof path, "%s?limit=2", invitations_list_path(p.meeting_id));
    r = api_get(path, p.manager.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    items = json_object_get(r->json, "items");
    cr_assert_eq(json_array_size(items), 2, "%s", r->body);
    cr_assert_str_eq(json_str(json_array_get(items, 0), "id"), order[0]);
    cr_assert_str_eq(json_str(json_array_get(items, 1), "id"), order[1]);
    const char *next = json_str(r->json, "next_cursor");
    cr_assert(next, "%s", r->body);
    snprintf(path, sizeof path, "%s?limit=2&cursor=%s", invitations_list_path(p.meeting_id), next);
    http_free(r);
    r = api_get(path, p.manager.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    items = json_object_get(r->json, "items");
    cr_assert_eq(json_array_size(items), 1, "%s", r->body);
    cr_assert_str_eq(json_str(json_array_get(items, 0), "id"), order[2]);
    cr_assert(json_is_null(json_object_get(r->json, "next_cursor")), "%s", r->body);
    http_free(r);

    /* an invitee sees the list too */
    r = api_get(invitations_list_path(p.meeting_id), gp.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_eq(json_array_size(json_object_get(r->json, "items")), 3, "%s", r->body);
    http_free(r);

    /* a bad cursor or limit */
    snapshot s = snap(p.meeting_id, p.csc, NULL);
    snprintf(path, sizeof path, "%s?limit=0", invitations_list_path(p.meeting_id));
    r = api_get(path, p.requester.token);
    expect_problem(r, 400, "/problems/invalid-request");
    expect_shape_error(r, "limit");
    http_free(r);
    snprintf(path, sizeof path, "%s?cursor=not-a-cursor", invitations_list_path(p.meeting_id));
    r = api_get(path, p.requester.token);
    expect_problem(r, 400, "/problems/invalid-request");
    expect_shape_error(r, "cursor");
    http_free(r);
    expect_same(&s);

    free(third);
    person_free(&gp);
    planned_free(&p);
}

Test(invitations, own_invitations_listed_with_invitee_me)
{
    planned a, b;
    planned_authorised(&a, "stop_and_review");
    planned_authorised(&b, "professionals");
    /* one officer, invited to two meetings */
    char *first = invite_ok(&a.requester, a.meeting_id, &a.police_officer);
    char *second = invite_ok(&b.requester, b.meeting_id, &a.police_officer);
    http_response *r = respond(&a.police_officer, first, answer("accepted"), "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);

    r = api_get("/v1/invitations?invitee=me", a.police_officer.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *items = json_object_get(r->json, "items");
    cr_assert_eq(json_array_size(items), 2, "%s", r->body);
    /* newest first */
    cr_assert_str_eq(json_str(json_array_get(items, 0), "id"), second);
    cr_assert_str_eq(json_str(json_array_get(items, 1), "id"), first);
    cr_assert(json_is_null(json_object_get(r->json, "next_cursor")), "%s", r->body);
    http_free(r);

    r = api_get("/v1/invitations?invitee=me&limit=1", a.police_officer.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_eq(json_array_size(json_object_get(r->json, "items")), 1, "%s", r->body);
    const char *next = json_str(r->json, "next_cursor");
    cr_assert(next, "%s", r->body);
    char path[512];
    snprintf(path, sizeof path, "/v1/invitations?invitee=me&limit=1&cursor=%s", next);
    http_free(r);
    r = api_get(path, a.police_officer.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    items = json_object_get(r->json, "items");
    cr_assert_eq(json_array_size(items), 1, "%s", r->body);
    cr_assert_str_eq(json_str(json_array_get(items, 0), "id"), first);
    http_free(r);

    r = api_get("/v1/invitations?invitee=me&status=accepted", a.police_officer.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    items = json_object_get(r->json, "items");
    cr_assert_eq(json_array_size(items), 1, "%s", r->body);
    cr_assert_str_eq(json_str(json_array_get(items, 0), "id"), first);
    cr_assert_str_eq(json_str(json_array_get(items, 0), "status"), "accepted");
    http_free(r);

    /* someone else's list holds none of them */
    r = api_get("/v1/invitations?invitee=me", a.health_visitor.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_eq(json_array_size(json_object_get(r->json, "items")), 0, "%s", r->body);
    http_free(r);

    /* invitee=me is required, and nothing else is accepted for it */
    static const char *const bad[] = {"/v1/invitations", "/v1/invitations?invitee=someone",
                                      "/v1/invitations?status=accepted"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snapshot s = snap(a.meeting_id, a.csc, a.police, NULL);
        r = api_get(bad[i], a.police_officer.token);
        expect_problem(r, 400, "/problems/invalid-request");
        expect_shape_error(r, "invitee");
        http_free(r);
        expect_same(&s);
    }
    snapshot s = snap(a.meeting_id, a.csc, a.police, NULL);
    r = api_get("/v1/invitations?invitee=me&status=maybe", a.police_officer.token);
    expect_problem(r, 400, "/problems/invalid-request");
    expect_shape_error(r, "status");
    http_free(r);
    expect_same(&s);

    free(first);
    free(second);
    planned_free(&a);
    planned_free(&b);
}

/* --- SEC-2: who sees invitations --- */

Test(invitations, SEC_2_an_uninvited_agency_sees_nothing)
{
    planned p;
    planned_authorised(&p, "stop_and_review");
    planned_invite_agencies(&p);
    char *school = agency_new("education");
    person teacher = person_new(school, "practitioner");
    person head = person_new(school, "manager");
    person other_officer = person_new(p.police, "practitioner");

    const person *outsiders[] = {&teacher, &head, &other_officer};
    for (size_t i = 0; i < 3; i++) {
        snapshot s = snap(p.meeting_id, p.csc, p.police, school, NULL);
        http_response *r = api_get(meeting_path(p.meeting_id, NULL), outsiders[i]->token);
        expect_problem(r, 404, "/problems/not-found");
        http_free(r);
        r = api_get(invitations_list_path(p.meeting_id), outsiders[i]->token);
        expect_problem(r, 404, "/problems/not-found");
        http_free(r);
        const char *ids[] = {p.police_invitation, p.health_invitation};
        for (size_t j = 0; j < 2; j++) {
            r = api_get(invitation_path(ids[j], NULL), outsiders[i]->token);
            expect_problem(r, 404, "/problems/not-found");
            http_free(r);
        }
        expect_same(&s);
    }

    /* the invitee sees the meeting; the invited agency's manager the invitation */
    http_response *r = api_get(meeting_path(p.meeting_id, NULL), p.police_officer.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "id"), p.meeting_id);
    http_free(r);
    r = api_get(invitation_path(p.police_invitation, NULL), p.police_officer.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    char *etag = http_header(r, "ETag");
    cr_assert_str_eq(etag, "\"1\"");
    free(etag);
    http_free(r);
    person inspector = person_new(p.police, "manager");
    r = api_get(invitation_path(p.police_invitation, NULL), inspector.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "id"), p.police_invitation);
    http_free(r);
    /* but not the health invitation of the same meeting */
    snapshot s = snap(p.meeting_id, p.csc, p.police, NULL);
    r = api_get(invitation_path(p.health_invitation, NULL), inspector.token);
    expect_problem(r, 404, "/problems/not-found");
    http_free(r);
    expect_same(&s);

    person_free(&teacher);
    person_free(&head);
    person_free(&other_officer);
    person_free(&inspector);
    free(school);
    planned_free(&p);
}

/* --- SEC-4 and INT-2: audit rows and feed events --- */

/* --- FAM-9: withdrawing a family member's invitation --- */

/* POST /v1/invitations/{id}/withdraw with this reason (NULL: none). */
static http_response *withdraw(const person *by, const char *invitation_id, const char *reason,
                               const char *if_match)
{
    json_t *body = reason ? json_pack("{s:s}", "reason", reason) : json_object();
    http_response *r =
        api_call("POST", invitation_path(invitation_id, "withdraw"), by->token, body, if_match);
    json_decref(body);
    return r;
}

/* A two-part meeting, scheduled, with a parent invited to part 2; returns
 * the parent's invitation. */
static char *parent_invited(planned *p)
{
    planned_authorised(p, "professionals");
    planned_invite_agencies(p);
    planned_inform_family(p);
    planned_schedule(p, 30 * DAY, "in_person", 1);
    http_response *r = invite_with(&p->requester, p->meeting_id, family_body());
    cr_assert_eq(r->status, 201, "%s", r->body);
    char *id = strdup(json_str(r->json, "id"));
    http_free(r);
    return id;
}

Test(invitations, FAM_9_convening_side_withdraws_a_family_invitation)
{
    planned p;
    char *parent = parent_invited(&p);

    http_response *r = withdraw(&p.manager, parent, "The family is no longer to be told", "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "status"), "withdrawn");
    cr_assert_eq(json_int(r->json, "version"), 2);
    json_t *w = json_object_get(r->json, "withdrawn");
    cr_assert_str_eq(json_str(w, "reason"), "The family is no longer to be told");
    cr_assert_str_eq(json_str(json_object_get(w, "by"), "sub"), p.manager.who.sub);
    cr_assert_not_null(json_str(w, "at"));
    json_t *history = json_object_get(r->json, "history");
    json_t *last = json_array_get(history, json_array_size(history) - 1);
    cr_assert_str_eq(json_str(last, "action"), "withdrawn");
    cr_assert_str_eq(json_str(last, "note"), "The family is no longer to be told");
    http_free(r);
    cr_assert_eq(count_of("SELECT count(*) FROM invitations WHERE id = $1::uuid"
                          " AND status = 'withdrawn' AND withdrawn_by_sub IS NOT NULL",
                          parent),
                 1);
    cr_assert_eq(count_of("SELECT count(*) FROM audit_events WHERE resource_id = $1"
                          " AND action = 'invitation.withdraw'", parent), 1);
    cr_assert_eq(count_of("SELECT count(DISTINCT event_id) FROM events WHERE resource_id = $1"
                          " AND type = 'invitation.withdrawn' AND resource_version = 2",
                          parent),
                 1);

    /* nothing more happens to it: not answered, not withdrawn again */
    snapshot s = snap(p.meeting_id, p.csc, NULL);
    r = respond(&p.requester, parent, answer("accepted"), "\"2\"");
    expect_problem(r, 409, "/problems/invalid-state");
    expect_rule(r, "FAM-9", NULL);
    http_free(r);
    r = withdraw(&p.manager, parent, "Again", "\"2\"");
    expect_problem(r, 409, "/problems/invalid-state");
    expect_rule(r, "FAM-9", NULL);
    http_free(r);
    expect_same(&s);
    free(parent);
    planned_free(&p);
}

Test(invitations, FAM_9_withdraw_is_for_family_invitations_only)
{
    planned p;
    char *parent = parent_invited(&p);
    snapshot s = snap(p.meeting_id, p.csc, p.police, NULL);
    http_response *r = withdraw(&p.requester, p.police_invitation, "No longer needed", "\"1\"");
    expect_problem(r, 422, "/problems/rule-violated");
    expect_rule(r, "FAM-9", "category");
    http_free(r);
    expect_same(&s);
    free(parent);
    planned_free(&p);
}

Test(invitations, FAM_9_withdraw_needs_a_reason)
{
    planned p;
    char *parent = parent_invited(&p);
    snapshot s = snap(p.meeting_id, p.csc, NULL);
    http_response *r = withdraw(&p.requester, parent, NULL, "\"1\"");
    expect_problem(r, 422, "/problems/rule-violated");
    expect_rule(r, "FAM-9", "reason");
    http_free(r);
    r = withdraw(&p.requester, parent, "   ", "\"1\"");
    expect_problem(r, 422, "/problems/rule-violated");
    expect_rule(r, "FAM-9", "reason");
    http_free(r);
    /* a reason of the wrong type is a shape problem */
    json_t *body = json_pack("{s:i}", "reason", 7);
    r = api_call("POST", invitation_path(parent, "withdraw"), p.requester.token, body, "\"1\"");
    json_decref(body);
    expect_problem(r, 400, "/problems/invalid-request");
    expect_shape_error(r, "reason");
    http_free(r);
    expect_same(&s);
    free(parent);
    planned_free(&p);
}

Test(invitations, FAM_9_withdraw_by_the_convening_side_with_a_current_if_match)
{
    planned p;
    char *parent = parent_invited(&p);
    char *elsewhere = agency_new("childrens_social_care");
    person stranger = person_new(elsewhere, "manager");
    snapshot s = snap(p.meeting_id, p.csc, p.police, NULL);

    /* an invitee sees the meeting, but does not withdraw anyone */
    http_response *r = withdraw(&p.police_officer, parent, "Not mine to do", "\"1\"");
    expect_problem(r, 403, "/problems/forbidden");
    http_free(r);
    /* a stranger learns nothing */
    r = withdraw(&stranger, parent, "Not mine to do", "\"1\"");
    expect_problem(r, 404, "/problems/not-found");
    http_free(r);
    /* a stale version changes nothing */
    r = withdraw(&p.requester, parent, "Stale", "\"7\"");
    expect_problem(r, 412, "/problems/stale-version");
    http_free(r);
    r = withdraw(&p.requester, parent, "No If-Match", NULL);
    expect_problem(r, 428, "/problems/precondition-required");
    http_free(r);
    expect_same(&s);

    free(parent);
    free(elsewhere);
    person_free(&stranger);
    planned_free(&p);
}

Test(invitations, SEC_4_INT_2_invitations_are_audited_and_announced)
{
    planned p;
    planned_authorised(&p, "stop_and_review");
    planned_invite_agencies(&p);
    person colleague = person_new(p.police, "practitioner");

    http_response *r = respond(&p.health_visitor, p.health_invitation, answer("accepted"), "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    r = respond(&p.police_officer, p.police_invitation, delegation_to(&colleague), "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    r = api_get(invitation_path(p.police_invitation, NULL), colleague.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    r = api_get(invitations_list_path(p.meeting_id), p.requester.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);

    /* audit rows, each with its actor's agency */
    const char *q = "SELECT count(*) FROM audit_events WHERE resource_id = $1 AND action = $2"
                    " AND actor_sub = $3 AND actor_agency = $4 AND outcome = 'success'";
    const char *created[] = {p.police_invitation, "invitation.create", p.requester.who.sub, p.csc};
    cr_assert_eq(db_long(q, 4, created), 1);
    const char *answered[] = {p.health_invitation, "invitation.respond", p.health_visitor.who.sub,
                              p.health};
    cr_assert_eq(db_long(q, 4, answered), 1);
    const char *delegated[] = {p.police_invitation, "invitation.respond", p.police_officer.who.sub,
                               p.police};
    cr_assert_eq(db_long(q, 4, delegated), 1);
    const char *read[] = {p.police_invitation, "invitation.read", colleague.who.sub, p.police};
    cr_assert_eq(db_long(q, 4, read), 1);
    const char *listed[] = {p.police_invitation, p.health_invitation, p.requester.who.sub};
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE action = 'invitation.list'"
                         " AND resource_ids @> ARRAY[$1, $2] AND actor_sub = $3",
                         3, listed),
                 1);

    /* feed events on the convening agency's feed and each invited agency's */
    person csc_system = person_new(p.csc, "integration");
    person police_system = person_new(p.police, "integration");
    person health_system = person_new(p.health, "integration");
    expect_feed(&csc_system, p.police_invitation, "invitation.created");
    expect_feed(&csc_system, p.health_invitation, "invitation.created");
    expect_feed(&csc_system, p.health_invitation, "invitation.answered");
    expect_feed(&csc_system, p.police_invitation, "invitation.delegated");
    expect_feed(&police_system, p.police_invitation, "invitation.created");
    expect_feed(&police_system, p.police_invitation, "invitation.delegated");
    expect_feed(&police_system, p.health_invitation, "invitation.answered");
    expect_feed(&health_system, p.health_invitation, "invitation.created");
    expect_feed(&health_system, p.health_invitation, "invitation.answered");
    expect_feed(&health_system, p.police_invitation, "invitation.delegated");

    /* one event per agency concerned, each with the invitation's version */
    const char *ev[] = {p.police_invitation};
    cr_assert_eq(db_long("SELECT count(*) FROM events WHERE resource_id = $1"
                         " AND type = 'invitation.delegated' AND resource_version = 2",
                         1, ev),
                 3);

    person_free(&colleague);
    person_free(&csc_system);
    person_free(&police_system);
    person_free(&health_system);
    planned_free(&p);
}
