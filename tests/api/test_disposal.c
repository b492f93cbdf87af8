/* Disposal as a decision of two people (RET-3) over real HTTP against the
 * real database: a meeting record with everything a closed meeting holds
 * (invitations, family-notice and sharing decisions, approved minutes,
 * their distribution and the family's rendition, an inaccuracy pointed
 * out, the outcome letter, actions, an escalation, the ledger's entries,
 * obligations) is proposed for disposal by the dpo once its period has
 * passed at the test clock, refused to the proposer and to anyone on the
 * proposer's side, and approved by an admin: its content is gone from
 * every table (checked in the tables directly), the tombstone stays, the
 * feed says record.purged, and the audit trail of the record and of the
 * decision stays. The database's guards still refuse every other delete. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/client.h"
#include "support/expect.h"
#include "support/fixtures.h"
#include "support/people.h"
#include "support/planning.h"

#include "held_meeting.h"
#include "kept_record.h"

/* Every row of the record's content, counted per table, as one string.
 * ids: the record's invitation, decision, action, rendition and escalation
 * ids, as a PostgreSQL array literal, taken before it was disposed of. */
static char *content_counts(const char *meeting_id, const char *ids)
{
    const char *params[] = {meeting_id, ids};
    return db_value(
        "WITH m AS (SELECT $1::uuid AS id), x AS (SELECT $2::uuid[] AS ids)"
        " SELECT concat_ws(' ',"
        "  'meetings=' || (SELECT count(*) FROM meetings, m WHERE meetings.id = m.id),"
        "  'children=' || (SELECT count(*) FROM meeting_children c, m WHERE c.meeting_id = m.id),"
        "  'access=' || (SELECT count(*) FROM meeting_access a, m WHERE a.meeting_id = m.id),"
        "  'invitations=' || (SELECT count(*) FROM invitations i, m WHERE i.meeting_id = m.id),"
        "  'invitation_history=' || (SELECT count(*) FROM invitation_history h, x"
        "                             WHERE h.invitation_id = ANY (x.ids)),"
        "  'decisions=' || (SELECT count(*) FROM meeting_decisions d, m WHERE d.meeting_id = m.id),"
        "  'consent=' || (SELECT count(*) FROM consent_decisions d, m WHERE d.meeting_id = m.id),"
        "  'agreements=' || (SELECT count(*) FROM consent_agreements a, x"
        "                     WHERE a.decision_id = ANY (x.ids)),"
        "  'minutes=' || (SELECT count(*) FROM minutes v, m WHERE v.meeting_id = m.id),"
        "  'distribution=' || (SELECT count(*) FROM minutes_distribution d, m"
        "                       WHERE d.meeting_id = m.id),"
        "  'renditions=' || (SELECT count(*) FROM minutes_renditions r, m WHERE r.meeting_id = m.id),"
        "  'rendition_shares=' || (SELECT count(*) FROM rendition_shares s, x"
        "                           WHERE s.rendition_id = ANY (x.ids)),"
        "  'inaccuracies=' || (SELECT count(*) FROM minutes_inaccuracies i, m"
        "                       WHERE i.meeting_id = m.id),"
        "  'letters=' || (SELECT count(*) FROM outcome_letters l, m WHERE l.meeting_id = m.id),"
        "  'letter_recipients=' || (SELECT count(*) FROM outcome_letter_recipients l, m"
        "                            WHERE l.meeting_id = m.id),"
        "  'actions=' || (SELECT count(*) FROM actions a, m WHERE a.meeting_id = m.id),"
        "  'action_history=' || (SELECT count(*) FROM action_history h, x"
        "                         WHERE h.action_id = ANY (x.ids)),"
        "  'escalations=' || (SELECT count(*) FROM escalations e, m WHERE e.meeting_id = m.id),"
        "  'escalation_events=' || (SELECT count(*) FROM escalation_events e, x"
        "                            WHERE e.escalation_id = ANY (x.ids)),"
        "  'ledger=' || (SELECT count(*) FROM information_sharing s, m WHERE s.meeting_id = m.id),"
        "  'obligations=' || (SELECT count(*) FROM obligations o, m WHERE o.meeting_id = m.id),"
        "  'remembered=' || (SELECT count(*) FROM idempotency_keys k, m"
        "                     WHERE strpos(coalesce(k.body, '') || coalesce(k.location, ''),"
        "                                  m.id::text) > 0))",
        2, params);
}

static const char *const EMPTY =
    "meetings=0 children=0 access=0 invitations=0 invitation_history=0 decisions=0 consent=0"
    " agreements=0 minutes=0 distribution=0 renditions=0 rendition_shares=0 inaccuracies=0"
    " letters=0 letter_recipients=0 actions=0 action_history=0 escalations=0"
    " escalation_events=0 ledger=0 obligations=0 remembered=0";

/* The ids under the meeting the content counts follow, as an array literal. */
static char *record_ids(const char *meeting_id)
{
    const char *params[] = {meeting_id};
    return db_value("SELECT '{' || concat_ws(',',"
                    "  (SELECT string_agg(id::text, ',') FROM invitations WHERE meeting_id = $1),"
                    "  (SELECT string_agg(id::text, ',') FROM consent_decisions"
                    "    WHERE meeting_id = $1),"
                    "  (SELECT string_agg(id::text, ',') FROM actions WHERE meeting_id = $1),"
                    "  (SELECT string_agg(id::text, ',') FROM minutes_renditions"
                    "    WHERE meeting_id = $1),"
                    "  (SELECT string_agg(id::text, ',') FROM escalations"
                    "    WHERE meeting_id = $1)) || '}'",
                    1, params);
}

/* A meeting about a linked child, held, its minutes approved and sent to
 * both agencies and the family, an inaccuracy pointed out and answered by
 * nobody yet, the outcome letter sent, an escalation raised, and closed;
 * the child's case closed today. Keeps the test clock at today. */
static char *closed_with_content(planned *p)
{
    test_clock_set(time(NULL));
    planned_authorised(p, "professionals");
    /* the child by its identifier (MTG-11: decided again) */
    json_t *body = json_pack("{s:[o]}", "children", kept_child());
    http_response *r = api_call("PATCH", meeting_path(p->meeting_id, NULL), p->requester.token,
                                body, etag_of(p->version));
    json_decref(body);
    cr_assert_eq(r->status, 200, "%s", r->body);
    p->version = meeting_authorise(&p->manager, p->meeting_id, json_int(r->json, "version"));
    http_free(r);
    planned_invite_agencies(p);
    planned_inform_family(p);
    planned_schedule(p, HELD_HOUR, "in_person", 0);
    held_attend_and_hold(p, &p->requester);
    held_minutes_approved(p, &p->manager, held_complete_minutes(p, 60));
    held_sharing(p, &p->manager, true);
    r = held_distribute(p, &p->requester,
                        json_pack("[o, o]",
                                  held_recipient("Police records", p->police, "professional"),
                                  held_recipient("Health records", p->health, "professional")));
    cr_assert_eq(r->status, 201, "%s", r->body);
    http_free(r);
    free(minutes_family_rendition(p->meeting_id, 1, &p->manager));
    r = held_distribute(p, &p->requester,
                        json_pack("[o]", held_recipient("The parents", NULL, "family")));
    cr_assert_eq(r->status, 201, "%s", r->body);
    http_free(r);

    body = json_pack("{s:s}", "text", "The police attended in person, not by phone");
    r = api_call("POST", held_minutes_path(p->meeting_id, "/versions/1/inaccuracies"),
                 p->police_officer.token, body, NULL);
    json_decref(body);
    cr_assert_eq(r->status, 201, "%s", r->body);
    http_free(r);
    body = json_pack("{s:s, s:s, s:s}", "decisions", "A plan agreed by all agencies", "plan",
                     "Weekly visits", "next_dates", "Review in two months");
    char path[128];
    snprintf(path, sizeof path, "/v1/meetings/%s/outcome-letter", p->meeting_id);
    r = api_call("POST", path, p->manager.token, body, NULL);
    json_decref(body);
    cr_assert_eq(r->status, 201, "%s", r->body);
    http_free(r);
    body = json_pack("{s:s, s:s, s:s, s:s, s:s}", "meeting_id", p->meeting_id, "type",
                     "concern_after_decision", "concern",
                     "The agreed plan is not being followed by the other agency",
                     "outcome_sought", "A joint review of the plan", "with_agency", p->police);
    r = api_call("POST", "/v1/escalations", p->requester.token, body, NULL);
    json_decref(body);
    cr_assert_eq(r->status, 201, "%s", r->body);
    http_free(r);

    r = api_call("POST", meeting_path(p->meeting_id, "close"), p->manager.token, NULL,
                 etag_of(p->version));
    cr_assert_eq(r->status, 200, "closing: %s", r->body);
    p->version = json_int(r->json, "version");
    http_free(r);

    char *child_id = kept_child_of(p->meeting_id);
    char today[11];
    date_from_today(0, today);
    r = kept_report_closure(&p->manager, child_id, today);
    cr_assert_eq(r->status, 201, "%s", r->body);
    http_free(r);
    return child_id;
}

Test(disposal, RET_3_two_person_disposal_removes_the_content_and_leaves_a_tombstone)
{
    planned p;
    char *child_id = closed_with_content(&p);
    person dpo = person_new(p.csc, "dpo");
    person other_dpo = person_new(p.police, "dpo");
    person admin = person_new(p.health, "admin");
    person integration = person_new(p.police, "integration");
    char *ids = record_ids(p.meeting_id);
    char *before = content_counts(p.meeting_id, ids);
    cr_assert(strstr(before, "meetings=1") && strstr(before, "minutes=1") &&
                  strstr(before, "renditions=1") && strstr(before, "letters=1") &&
                  strstr(before, "inaccuracies=1") && strstr(before, "escalations=1") &&
                  !strstr(before, "actions=0") && !strstr(before, "ledger=0") &&
                  !strstr(before, "invitations=0") && !strstr(before, "obligations=0"),
              "the record holds content of every kind: %s", before);
    const char *mp[] = {p.meeting_id};
    long audit_about = db_long("SELECT count(*) FROM audit_events WHERE resource_id = $1", 1, mp);
    cr_assert_gt(audit_about, 5);

    /* 36 years on, the dpo proposes */
    test_clock_set(time(NULL) + KEPT_YEARS_LATER(36));
    http_response *r = kept_propose(&dpo, p.meeting_id);
    cr_assert_eq(r->status, 201, "%s", r->body);
    char *disposal_id = strdup(json_str(r->json, "id"));
    long version = json_int(r->json, "version");
    cr_assert_str_eq(json_str(r->json, "status"), "proposed");
    cr_assert_str_eq(json_str(r->json, "record_class"), "meeting_record");
    cr_assert_str_eq(json_str(r->json, "record_id"), p.meeting_id);
    cr_assert_str_eq(json_str(r->json, "action"), "delete", "the policy reviews: delete");
    cr_assert_str_eq(json_str(json_object_get(r->json, "proposed_by"), "as"), "dpo");
    http_free(r);

    /* one person alone, or two on the same side: 403, nothing changes */
    char *digest = kept_state(p.meeting_id);
    long audited = kept_audit_by(&dpo) + kept_audit_by(&other_dpo) + kept_audit_by(&admin);
    r = kept_approve(&dpo, disposal_id, version);
    expect_problem(r, 403, "/problems/forbidden");
    cr_assert(problem_has_rule(r, "RET-3", NULL), "%s", r->body);
    http_free(r);
    r = kept_approve(&other_dpo, disposal_id, version);
    expect_problem(r, 403, "/problems/forbidden");
    http_free(r);
    /* without If-Match: 428 */
    r = api_call("POST", "/v1/disposals/x/approve", admin.token, NULL, NULL);
    expect_problem(r, 428, "/problems/precondition-required");
    http_free(r);
    char *still = kept_state(p.meeting_id);
    cr_assert_str_eq(still, digest, "a refused approval changed the record");
    cr_assert_eq(kept_audit_by(&dpo) + kept_audit_by(&other_dpo) + kept_audit_by(&admin), audited,
                 "a refusal writes no audit row");
    char *counts = content_counts(p.meeting_id, ids);
    cr_assert_str_eq(counts, before);
    free(counts);
    free(still);
    free(digest);

    /* a second person on the other side: carried out */
    r = kept_approve(&admin, disposal_id, version);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "status"), "disposed");
    cr_assert_str_eq(json_str(json_object_get(r->json, "approved_by"), "sub"), admin.who.sub);
    cr_assert_str_eq(json_str(r->json, "meeting_id"), p.meeting_id);
    cr_assert_str_eq(json_string_value(json_array_get(json_object_get(r->json, "child_ids"), 0)),
                     child_id);
    cr_assert_null(strstr(r->body, "Alex Example"), "the tombstone holds no content");
    cr_assert_null(strstr(r->body, "fictional family"), "the tombstone holds no content");
    long tomb_version = json_int(r->json, "version");
    http_free(r);

    /* the content is gone from every table */
    counts = content_counts(p.meeting_id, ids);
    cr_assert_str_eq(counts, EMPTY);
    free(counts);
    r = api_get(meeting_path(p.meeting_id, NULL), p.manager.token);
    expect_problem(r, 404, "/problems/not-found");
    http_free(r);

    /* the tombstone stays; it is carried out once */
    char path[128];
    snprintf(path, sizeof path, "/v1/disposals/%s", disposal_id);
    r = api_get(path, dpo.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "status"), "disposed");
    http_free(r);
    r = kept_approve(&admin, disposal_id, tomb_version);
    expect_problem(r, 409, "/problems/invalid-state");
    http_free(r);

    /* record.purged to the agencies the record concerned, ids only */
    cr_assert_eq(db_long("SELECT count(DISTINCT agency) FROM events WHERE resource_id = $1"
                         " AND type = 'record.purged' AND resource_type = 'meeting'",
                         1, mp),
                 3);
    /* the audit trail of the record and of the decision stays */
    cr_assert_geq(db_long("SELECT count(*) FROM audit_events WHERE resource_id = $1", 1, mp),
                  audit_about);
    const char *dp[] = {disposal_id};
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE resource_id = $1"
                         " AND action IN ('disposal.propose', 'disposal.approve')",
                         1, dp),
                 2);
    free(ids);
    free(before);
    free(disposal_id);
    free(child_id);
    person_free(&dpo);
    person_free(&other_dpo);
    person_free(&admin);
    person_free(&integration);
    planned_free(&p);
}

Test(disposal, RET_3_a_senior_manager_proposes_and_the_dpo_approves)
{
    kept k;
    kept_cancelled(&k, NULL);
    person senior = person_new(k.agency, "senior_manager");
    char *elsewhere = agency_new("childrens_social_care");
    person stranger = person_new(elsewhere, "senior_manager");
    person dpo = person_new(elsewhere, "dpo");
    test_clock_set(time(NULL) + KEPT_YEARS_LATER(36));

    /* a senior manager of another agency cannot see the meeting: 404 */
    http_response *r = kept_propose(&stranger, k.meeting_id);
    expect_problem(r, 404, "/problems/not-found");
    http_free(r);
    cr_assert_eq(kept_disposals(k.meeting_id), 0);

    r = kept_propose(&senior, k.meeting_id);
    cr_assert_eq(r->status, 201, "%s", r->body);
    char *id = strdup(json_str(r->json, "id"));
    cr_assert_str_eq(json_str(json_object_get(r->json, "proposed_by"), "as"), "manager");
    http_free(r);
    /* a second proposal: 409 */
    r = kept_propose(&dpo, k.meeting_id);
    expect_problem(r, 409, "/problems/invalid-state");
    cr_assert(problem_has_rule(r, "RET-3", NULL), "%s", r->body);
    http_free(r);
    cr_assert_eq(kept_disposals(k.meeting_id), 1);
    /* the stranger still learns nothing of it */
    r = kept_approve(&stranger, id, 1);
    expect_problem(r, 404, "/problems/not-found");
    http_free(r);

    r = kept_approve(&dpo, id, 1);
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    const char *params[] = {k.meeting_id};
    cr_assert_eq(db_long("SELECT count(*) FROM meetings WHERE id = $1", 1, params), 0);
    cr_assert_eq(db_long("SELECT count(*) FROM meeting_children WHERE meeting_id = $1", 1, params),
                 0);
    free(id);
    free(elsewhere);
    person_free(&senior);
    person_free(&stranger);
    person_free(&dpo);
    kept_free(&k);
}

Test(disposal, RET_3_a_record_not_yet_due_is_not_proposed)
{
    kept k;
    kept_cancelled(&k, NULL);
    person dpo = person_new(k.agency, "dpo");
    char *before = kept_state(k.meeting_id);
    long audited = kept_audit_by(&dpo);
    test_clock_set(time(NULL) + KEPT_YEARS_LATER(34));
    http_response *r = kept_propose(&dpo, k.meeting_id);
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert(problem_has_rule(r, "RET-3", "meeting_id"), "%s", r->body);
    http_free(r);
    /* an open meeting's period has not started */
    kept open;
    kept_requested(&open);
    test_clock_set(time(NULL) + KEPT_YEARS_LATER(100));
    r = kept_propose(&dpo, open.meeting_id);
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert(problem_has_rule(r, "RET-3", "meeting_id"), "%s", r->body);
    http_free(r);
    /* a meeting that is not one: 404; a body not of the shape: 400 */
    r = kept_propose(&dpo, "00000000-0000-4000-8000-000000000000");
    expect_problem(r, 404, "/problems/not-found");
    http_free(r);
    json_t *body = json_pack("{s:s, s:s}", "meeting_id", "MAM-2026-000001", "status", "disposed");
    r = api_call("POST", "/v1/disposals", dpo.token, body, NULL);
    json_decref(body);
    expect_problem(r, 400, "/problems/invalid-request");
    http_free(r);
    /* an action no class has: 400 on it */
    body = json_pack("{s:s, s:s}", "meeting_id", k.meeting_id, "action", "shred");
    r = api_call("POST", "/v1/disposals", dpo.token, body, NULL);
    json_decref(body);
    expect_problem(r, 400, "/problems/invalid-request");
    cr_assert(strstr(r->body, "\"action\""), "%s", r->body);
    http_free(r);
    /* a practitioner: 403 */
    r = kept_propose(&k.requester, k.meeting_id);
    expect_problem(r, 403, "/problems/forbidden");
    http_free(r);
    cr_assert_eq(kept_disposals(k.meeting_id) + kept_disposals(open.meeting_id), 0);
    cr_assert_eq(kept_audit_by(&dpo), audited, "a refusal writes no audit row");
    char *after = kept_state(k.meeting_id);
    cr_assert_str_eq(after, before);
    free(before);
    free(after);
    person_free(&dpo);
    kept_free(&open);
    kept_free(&k);
}

/* The guards of the content tables still refuse the service's own role,
 * even with the disposal's setting made by hand; only the disposal
 * function, for an open decision and a second person, passes them. */
Test(disposal, RET_3_ordinary_deletes_are_still_refused)
{
    planned p;
    held_meeting_now(&p, "professionals");
    held_minutes_approved(&p, &p.manager, held_complete_minutes(&p, 60));
    held_sharing(&p, &p.manager, true);
    http_response *r = held_distribute(
        &p, &p.requester, json_pack("[o]", held_recipient("Police records", p.police,
                                                           "professional")));
    cr_assert_eq(r->status, 201, "%s", r->body);
    http_free(r);
    char *digest = db_meeting_digest(p.meeting_id);
    char sql[512];
    const char *tables[] = {"minutes", "information_sharing"};
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        snprintf(sql, sizeof sql,
                 "SELECT set_config('mam.disposal', 'on', false);"
                 " DELETE FROM %s WHERE meeting_id = '%s'",
                 tables[i], p.meeting_id);
        char *state = db_try(sql);
        cr_assert(strcmp(state, "42501") == 0 || strcmp(state, "23503") == 0,
                  "deleting from %s: SQLSTATE %s", tables[i], state);
        free(state);
    }
    snprintf(sql, sizeof sql, "DELETE FROM audit_events WHERE resource_id = '%s'", p.meeting_id);
    char *state = db_try(sql);
    cr_assert_str_eq(state, "42501");
    free(state);
    /* the disposal function with no open decision */
    state = db_try("SELECT retention_dispose(gen_random_uuid(), 'x', 'x', 'X')");
    cr_assert_str_eq(state, "42501");
    free(state);
    /* nor with a decision of the caller's own making, in a temporary table
     * that would stand in for the real one if the function's search_path
     * let it */
    char attack[1024];
    snprintf(attack, sizeof attack,
             "CREATE TEMP TABLE disposals (LIKE public.disposals INCLUDING DEFAULTS);"
             " GRANT ALL ON disposals TO PUBLIC;"
             " INSERT INTO disposals (id, record_class, record_id, meeting_id,"
             "  meeting_reference, child_ids, agencies, policy_version, due_on, status,"
             "  proposed_by_sub, proposed_by_name, proposed_by_agency, proposed_as)"
             " VALUES ('8d6c1a0e-0000-4000-8000-000000000001', 'meeting_record', '%s', '%s',"
             "  'X', '{}', '{}', 1, '2000-01-01', 'proposed', 'ghost', 'Ghost', 'X', 'dpo');"
             " SELECT retention_dispose('8d6c1a0e-0000-4000-8000-000000000001', 'me', 'Me',"
             "  'X')",
             p.meeting_id, p.meeting_id);
    state = db_try(attack);
    cr_assert_str_eq(state, "42501", "a temporary table stood in for disposals");
    free(state);
    char *after = db_meeting_digest(p.meeting_id);
    cr_assert_str_eq(after, digest);
    free(after);
    free(digest);
    planned_free(&p);
}
