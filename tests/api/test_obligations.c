/* Obligations and reminders (OBL-1 to OBL-3) over real HTTP against the real
 * database.
 *
 * The policy is one document for the whole deployment, and these tests run
 * beside every other test: the two tests that change it change one clock
 * each (the papers clock, OBL_1_..._later_obligations; the outcome-letter
 * clock, OBL_1_REN_3_...), which no other test asserts by its value, and put
 * it back before they end.
 *
 * Expected due dates are worked out here with the service's C calendar
 * (domain/calendar.c) over the bank holidays in the database, so the dates
 * the SQL derives (working_day_add) are checked against it. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "support/client.h"
#include "support/expect.h"
#include "support/fixtures.h"
#include "support/instance.h"
#include "support/people.h"
#include "support/minutes.h"
#include "support/planning.h"

#include "domain/calendar.h"

/* --- helpers --- */

static char *home_agency;

static person admin_new(void)
{
    if (!home_agency)
        home_agency = agency_new("childrens_social_care");
    return person_new(home_agency, "admin");
}

static http_response *policy_get(const person *by)
{
    return api_get("/v1/policy", by->token);
}

/* The current policy's clocks (a new reference) and version. */
static json_t *current_clocks(const person *by, long *version)
{
    http_response *r = policy_get(by);
    cr_assert_eq(r->status, 200, "%s", r->body);
    *version = json_int(r->json, "version");
    json_t *clocks = json_deep_copy(json_object_get(r->json, "clocks"));
    cr_assert(json_is_object(clocks), "%s", r->body);
    http_free(r);
    return clocks;
}

static http_response *policy_put(const person *by, json_t *clocks, const char *reason,
                                 const char *if_match)
{
    json_t *body = json_pack("{s:O}", "clocks", clocks);
    if (reason)
        json_object_set_new(body, "reason", json_string(reason));
    http_response *r = api_call("PUT", "/v1/policy", by->token, body, if_match);
    json_decref(body);
    return r;
}

/* --- OBL-1: the clocks as policy --- */

Test(obligations, OBL_1_policy_read_by_any_caller_with_every_clock)
{
    person admin = admin_new();
    person p = person_new(home_agency, "practitioner");
    http_response *r = policy_get(&p);
    cr_assert_eq(r->status, 200, "%s", r->body);
    char *etag = http_header(r, "ETag");
    char want[32];
    snprintf(want, sizeof want, "\"%ld\"", json_int(r->json, "version"));
    cr_assert(etag && strcmp(etag, want) == 0, "ETag %s, version %s", etag, want);
    free(etag);
    json_t *clocks = json_object_get(r->json, "clocks");
    static const char *const names[] = {
        "drift_working_days", "notice_working_days", "response_working_days",
        "minutes_due_working_days", "feedback_working_days", "safeguarding_referral_working_days",
        "escalation_stage_working_days", "papers_before_working_days", "icpc_working_days",
        "action_due_soon_working_days", "manager_reminder_working_days",
        "contingency_working_days", "accuracy_window_working_days",
        "outcome_letter_working_days", NULL};
    for (const char *const *n = names; *n; n++)
        cr_assert(json_object_get(clocks, *n), "%s missing: %s", *n, r->body);
    cr_assert_eq(json_array_size(json_object_get(clocks, "escalation_stage_working_days")), 4);
    http_free(r);

    r = api_get("/v1/policy/versions?limit=1", p.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_eq(json_array_size(json_object_get(r->json, "items")), 1, "%s", r->body);
    http_free(r);

    /* the first version carries what the deployment ran with before */
    cr_assert_eq(db_long("SELECT drift_working_days FROM policy_versions WHERE version = 1", 0,
                         NULL),
                 20);
    r = api_get("/v1/policy", NULL);
    cr_assert_eq(r->status, 401, "%s", r->body);
    http_free(r);
    person_free(&p);
    person_free(&admin);
}

Test(obligations, OBL_1_policy_change_refused_changes_nothing)
{
    person admin = admin_new();
    person manager = person_new(home_agency, "manager");
    long version;
    json_t *clocks = current_clocks(&admin, &version);
    const char *by_admin[] = {admin.who.sub};
    const char *by_admin_sql = "SELECT count(*) FROM policy_versions WHERE changed_by_sub = $1";
    char etag[32];
    snprintf(etag, sizeof etag, "\"%ld\"", version);

    /* not an admin: 403 */
    http_response *r = policy_put(&manager, clocks, NULL, etag);
    expect_problem(r, 403, NULL);
    http_free(r);
    /* no If-Match: 428; a stale one: 412 */
    r = policy_put(&admin, clocks, NULL, NULL);
    expect_problem(r, 428, NULL);
    http_free(r);
    r = policy_put(&admin, clocks, NULL, "\"999999\"");
    expect_problem(r, 412, NULL);
    http_free(r);
    /* an unknown clock, a wrong type: 400 naming the field */
    json_t *bad = json_deep_copy(clocks);
    json_object_set_new(bad, "tea_break_working_days", json_integer(1));
    r = policy_put(&admin, bad, NULL, etag);
    expect_problem(r, 400, NULL);
    cr_assert(problem_has_field(r, "clocks.tea_break_working_days"), "%s", r->body);
    http_free(r);
    json_decref(bad);
    bad = json_deep_copy(clocks);
    json_object_set_new(bad, "drift_working_days", json_string("twenty"));
    r = policy_put(&admin, bad, NULL, etag);
    expect_problem(r, 400, NULL);
    http_free(r);
    json_decref(bad);
    /* out of its limits, a clock left out, three stages: 422 OBL-1, all at once */
    bad = json_deep_copy(clocks);
    json_object_set_new(bad, "drift_working_days", json_integer(0));
    json_object_del(bad, "notice_working_days");
    json_object_set_new(bad, "escalation_stage_working_days", json_pack("[i,i,i]", 5, 5, 10));
    r = policy_put(&admin, bad, NULL, etag);
    expect_problem(r, 422, NULL);
    cr_assert(problem_has_rule(r, "OBL-1", "clocks.drift_working_days"), "%s", r->body);
    cr_assert(problem_has_rule(r, "OBL-1", "clocks.notice_working_days"), "%s", r->body);
    cr_assert(problem_has_rule(r, "OBL-1", "clocks.escalation_stage_working_days"), "%s",
              r->body);
    http_free(r);
    json_decref(bad);

    cr_assert_eq(db_long(by_admin_sql, 1, by_admin), 0);
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE actor_sub = $1", 1, by_admin), 0);
    json_decref(clocks);
    person_free(&manager);
    person_free(&admin);
}

/* The working days `n` from `from` (YYYY-MM-DD) by the C calendar over the
 * database's bank holidays, into out. */
static void working_days_from(const char *from, int n, char out[11])
{
    char *list = db_value("SELECT coalesce(string_agg((day - date '1970-01-01')::text, ','"
                          " ORDER BY day), '') FROM bank_holidays",
                          0, NULL);
    int count = 0;
    for (char *c = list; *c; c++)
        count += *c == ',';
    cal_day *days = calloc((size_t)count + 2, sizeof *days);
    int k = 0;
    for (char *save = NULL, *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save))
        days[k++] = atoi(t);
    holidays h = {days, k};
    cal_day d;
    cr_assert(cal_parse(from, &d), "a date: %s", from);
    cal_format(cal_add_working_days(d, n, &h), out);
    free(days);
    free(list);
}

static http_response *obligations(const person *by, const char *query)
{
    char path[512];
    snprintf(path, sizeof path, "/v1/obligations%s%s", query ? "?" : "", query ? query : "");
    http_response *r = api_get(path, by->token);
    return r;
}

/* The obligation of this clock about this resource in a 200 answer, or NULL. */
static json_t *find(const http_response *r, const char *clock, const char *resource_id)
{
    cr_assert_eq(r->status, 200, "%s", r->body);
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(r->json, "items"), i, item) {
        json_t *res = json_object_get(item, "resource");
        if (strcmp(json_str(item, "clock"), clock) == 0 &&
            strcmp(json_str(res, "id"), resource_id) == 0)
            return item;
    }
    return NULL;
}

static bool lists_meeting(const http_response *r, const char *meeting_id)
{
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(r->json, "items"), i, item)
        if (strcmp(json_str(item, "meeting_id"), meeting_id) == 0)
            return true;
    return false;
}

static char *start_day_of(const char *meeting_id)
{
    const char *params[] = {meeting_id};
    return db_value("SELECT to_char((scheduled_start AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD')"
                    " FROM meetings WHERE id = $1::uuid",
                    1, params);
}

/* An invitation of a new professional of `agency` to the meeting, as the
 * requester; its id (a new string). */
static char *invite_new(const planned *p, const char *agency, person *out)
{
    *out = person_new(agency, "practitioner");
    json_t *body = invitation_body(out, "Share what the agency knows");
    http_response *r = invite(&p->requester, p->meeting_id, body);
    json_decref(body);
    cr_assert_eq(r->status, 201, "inviting: %s", r->body);
    char *id = strdup(json_str(r->json, "id"));
    http_free(r);
    return id;
}

/* Sets one clock of the policy to `value`, as admin, leaving the others as
 * they are now; returns the new version. Two tests change clocks (the
 * papers clock, the outcome-letter clock) and may run at once: the policy is
 * read afresh and the change tried again when the other test's change made
 * the If-Match stale (412), so neither undoes the other. */
static long clock_set(const person *admin, const char *clock, long value, const char *reason)
{
    for (int tries = 0; tries < 50; tries++) {
        long from_version;
        json_t *changed = current_clocks(admin, &from_version);
        json_object_set_new(changed, clock, json_integer(value));
        char etag[32];
        snprintf(etag, sizeof etag, "\"%ld\"", from_version);
        http_response *r = policy_put(admin, changed, reason, etag);
        json_decref(changed);
        if (r->status == 412) {
            http_free(r);
            continue;
        }
        cr_assert_eq(r->status, 200, "%s", r->body);
        long version = json_int(r->json, "version");
        cr_assert_gt(version, from_version, "%s", r->body);
        cr_assert_eq(json_integer_value(json_object_get(json_object_get(r->json, "clocks"), clock)),
                     value, "%s", r->body);
        char *etag_got = http_header(r, "ETag");
        snprintf(etag, sizeof etag, "\"%ld\"", version);
        cr_assert(etag_got && strcmp(etag_got, etag) == 0);
        free(etag_got);
        http_free(r);
        return version;
    }
    cr_assert_fail("the policy kept changing under %s", clock);
    return 0;
}

/* The papers obligation of an invitation, as the invitee sees it: its due
 * date and the policy version it opened under. */
static void papers_due(const person *invitee, const char *invitation, char due[11], long *version)
{
    http_response *r = obligations(invitee, "owner=me");
    json_t *o = find(r, "papers", invitation);
    cr_assert(o, "a papers obligation for %s: %s", invitation, r->body);
    snprintf(due, 11, "%s", json_str(o, "due_date"));
    *version = json_int(json_object_get(o, "basis"), "policy_version");
    cr_assert_str_eq(json_str(json_object_get(o, "basis"), "event"), "invitation.created");
    http_free(r);
}

Test(obligations, OBL_1_policy_change_applies_only_to_later_obligations)
{
    person admin = admin_new();
    long version;
    json_t *clocks = current_clocks(&admin, &version);
    int papers = (int)json_integer_value(json_object_get(clocks, "papers_before_working_days"));
    planned p;
    planned_scheduled(&p, "professionals", 20L * 86400);
    char *start = start_day_of(p.meeting_id);

    /* opened before the change: the clock then */
    char due_before[11], want[11];
    long opened_under;
    papers_due(&p.police_officer, p.police_invitation, due_before, &opened_under);
    working_days_from(start, -papers, want);
    cr_assert_str_eq(due_before, want);

    long changed = clock_set(&admin, "papers_before_working_days", papers + 2,
                             "Papers two days earlier");
    cr_assert_geq(changed, opened_under + 1);

    /* opened after it: the new clock; the one already open does not move */
    person late;
    char *late_invitation = invite_new(&p, p.police, &late);
    char due_after[11];
    long late_under;
    papers_due(&late, late_invitation, due_after, &late_under);
    cr_assert_eq(late_under, changed);
    working_days_from(start, -(papers + 2), want);
    cr_assert_str_eq(due_after, want);
    char again[11];
    long still;
    papers_due(&p.police_officer, p.police_invitation, again, &still);
    cr_assert_str_eq(again, due_before);
    cr_assert_eq(still, opened_under);

    /* back as it was, as a version of its own; the history has both */
    long restored = clock_set(&admin, "papers_before_working_days", papers, "Papers as before");
    char path[96];
    snprintf(path, sizeof path, "/v1/policy/versions?limit=5");
    http_response *r = api_get(path, admin.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *items = json_object_get(r->json, "items");
    bool saw_changed = false, saw_restored = false;
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item) {
        long v = json_int(item, "version");
        if (v == changed) {
            saw_changed = true;
            cr_assert_str_eq(json_str(json_object_get(item, "changed_by"), "sub"), admin.who.sub);
            cr_assert_str_eq(json_str(item, "reason"), "Papers two days earlier");
            cr_assert(json_str(item, "effective_from"), "%s", r->body);
        }
        saw_restored |= v == restored;
    }
    cr_assert(saw_changed && saw_restored, "%s", r->body);
    http_free(r);

    /* audited and announced */
    char v[16];
    snprintf(v, sizeof v, "%ld", changed);
    const char *params[] = {v, admin.who.sub};
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE resource_type = 'policy'"
                         " AND resource_id = $1 AND actor_sub = $2 AND action = 'policy.update'",
                         2, params),
                 1);
    cr_assert_gt(db_long("SELECT count(*) FROM events WHERE resource_type = 'policy'"
                         " AND resource_id = $1 AND type = 'policy.changed'",
                         1, params),
                 0);
    free(late_invitation);
    person_free(&late);
    free(start);
    planned_free(&p);
    json_decref(clocks);
    person_free(&admin);
}

/* --- OBL-2: obligations derived from the records --- */

/* A practitioner who is at once an invitee (of meeting B), an action owner
 * and the chair (of meeting A): their `me` list has each, with its basis,
 * and nothing of meeting C, which they cannot see. */
Test(obligations, OBL_2_me_list_invitee_action_owner_and_chair)
{
    /* A: held, the manager in the chair, minutes approved with an action the
     * chair owns */
    planned a;
    planned_scheduled(&a, "professionals", 3600);
    minutes_hold(&a, NULL);
    person *chair = &a.manager;
    json_t *doc = minutes_complete(&a, NULL);
    char due[11];
    minutes_date(30, due);
    json_array_append_new(json_object_get(doc, "actions"),
                          minutes_action("Review the plan with the school", chair, due,
                                         "The senior manager reviews it"));
    char path[160];
    snprintf(path, sizeof path, "/v1/meetings/%s/minutes", a.meeting_id);
    http_response *r = api_call("PUT", path, a.requester.token, doc, NULL);
    json_decref(doc);
    cr_assert_eq(r->status, 201, "writing minutes: %s", r->body);
    long mv = json_int(r->json, "version");
    http_free(r);
    snprintf(path, sizeof path, "/v1/meetings/%s/minutes/approve", a.meeting_id);
    r = api_call("POST", path, chair->token, NULL, etag_of(mv));
    cr_assert_eq(r->status, 200, "approving: %s", r->body);
    http_free(r);
    const char *aparams[] = {a.meeting_id, chair->who.sub};
    char *action = db_value("SELECT id FROM actions WHERE meeting_id = $1::uuid AND owner_sub = $2",
                            2, aparams);
    cr_assert(*action, "the chair's action");

    /* B: the chair of A invited as a professional of their agency */
    planned b;
    planned_authorised(&b, "professionals");
    json_t *body = invitation_body(chair, "Bring the plan of meeting A");
    r = invite(&b.requester, b.meeting_id, body);
    json_decref(body);
    cr_assert_eq(r->status, 201, "inviting: %s", r->body);
    char *invitation = strdup(json_str(r->json, "id"));
    char respond_by[11];
    snprintf(respond_by, sizeof respond_by, "%s", json_str(r->json, "respond_by"));
    long iv = json_int(r->json, "version");
    http_free(r);

    /* C: nothing to do with them */
    planned c;
    planned_scheduled(&c, "professionals", 3600);

    r = obligations(chair, "owner=me&limit=200");
    json_t *minutes = find(r, "minutes", a.meeting_id);
    cr_assert(minutes, "minutes due from the chair: %s", r->body);
    json_t *basis = json_object_get(minutes, "basis");
    cr_assert_str_eq(json_str(basis, "event"), "meeting.held");
    cr_assert_str_eq(json_str(basis, "clock"), "minutes");
    cr_assert_gt(json_int(basis, "policy_version"), 0);
    const char *held_params[] = {a.meeting_id};
    char *held_day = db_value("SELECT to_char((held_at AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD')"
                              " FROM meetings WHERE id = $1::uuid",
                              1, held_params);
    long minutes_days = db_long("SELECT minutes_due_working_days FROM policy_at((SELECT held_at"
                                " FROM meetings WHERE id = $1::uuid))",
                                1, held_params);
    char want[11];
    working_days_from(held_day, (int)minutes_days, want);
    cr_assert_str_eq(json_str(minutes, "due_date"), want);
    cr_assert_str_eq(json_str(minutes, "status"), "open");
    cr_assert_str_eq(json_str(json_object_get(minutes, "owner"), "sub"), chair->who.sub);

    json_t *owed = find(r, "action", action);
    cr_assert(owed, "the chair's action: %s", r->body);
    cr_assert_str_eq(json_str(owed, "due_date"), due);
    cr_assert_str_eq(json_str(json_object_get(owed, "basis"), "event"), "action.created");

    json_t *answer = find(r, "response", invitation);
    cr_assert(answer, "the answer owed to meeting B: %s", r->body);
    cr_assert_str_eq(json_str(answer, "due_date"), respond_by);
    cr_assert_str_eq(json_str(answer, "meeting_id"), b.meeting_id);

    cr_assert(!lists_meeting(r, c.meeting_id), "nothing of meeting C: %s", r->body);
    /* the list is in due-date order */
    const char *last = "";
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(r->json, "items"), i, item) {
        cr_assert_geq(strcmp(json_str(item, "due_date"), last), 0, "%s", r->body);
        last = json_str(item, "due_date");
    }
    http_free(r);
    /* nor can they ask for it by meeting */
    snprintf(path, sizeof path, "meeting_id=%s", c.meeting_id);
    r = obligations(chair, path);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_eq(json_array_size(json_object_get(r->json, "items")), 0, "%s", r->body);
    http_free(r);

    /* met obligations leave the list and show as met */
    snprintf(path, sizeof path, "/v1/invitations/%s/respond", invitation);
    body = json_pack("{s:s}", "response", "accepted");
    r = api_call("POST", path, chair->token, body, etag_of(iv));
    json_decref(body);
    cr_assert_eq(r->status, 200, "answering: %s", r->body);
    http_free(r);
    snprintf(path, sizeof path, "/v1/actions/%s/complete", action);
    body = json_pack("{s:s}", "note", "Reviewed with the school");
    r = api_call("POST", path, chair->token, body, etag_of(1));
    json_decref(body);
    cr_assert_eq(r->status, 200, "completing: %s", r->body);
    http_free(r);
    r = obligations(chair, "owner=me&limit=200");
    cr_assert(!find(r, "response", invitation), "%s", r->body);
    cr_assert(!find(r, "action", action), "%s", r->body);
    cr_assert(find(r, "minutes", a.meeting_id), "%s", r->body);
    http_free(r);
    r = obligations(chair, "owner=me&status=met&limit=200");
    json_t *met = find(r, "response", invitation);
    cr_assert(met && json_str(met, "met_at"), "%s", r->body);
    cr_assert(find(r, "action", action), "%s", r->body);
    http_free(r);

    /* audited with the ids shown */
    const char *who[] = {chair->who.sub};
    cr_assert_gt(db_long("SELECT count(*) FROM audit_events WHERE actor_sub = $1"
                         " AND action = 'obligation.list'",
                         1, who),
                 0);
    free(held_day);
    free(invitation);
    free(action);
    planned_free(&c);
    planned_free(&b);
    planned_free(&a);
}

Test(obligations, OBL_2_agency_child_and_due_before_filters)
{
    planned p;
    planned_scheduled(&p, "professionals", 20L * 86400);
    /* the police manager sees the answers their agency owes */
    person police_manager = person_new(p.police, "manager");
    char query[256];
    snprintf(query, sizeof query, "agency=%s", p.police);
    http_response *r = obligations(&police_manager, query);
    json_t *o = find(r, "response", p.police_invitation);
    cr_assert(o, "%s", r->body);
    cr_assert_str_eq(json_str(json_object_get(o, "owner"), "agency"), p.police);
    cr_assert(!find(r, "response", p.health_invitation), "another agency's: %s", r->body);
    char due[11];
    snprintf(due, sizeof due, "%s", json_str(o, "due_date"));
    http_free(r);

    /* due_before is strict */
    snprintf(query, sizeof query, "agency=%s&due_before=%s", p.police, due);
    r = obligations(&police_manager, query);
    cr_assert(!find(r, "response", p.police_invitation), "%s", r->body);
    http_free(r);

    /* by child: the convening manager, by the child's external reference */
    const char *params[] = {p.meeting_id};
    char *ref = db_value("SELECT external_system || ':' || external_id FROM meeting_children"
                         " WHERE meeting_id = $1::uuid AND external_system IS NOT NULL LIMIT 1",
                         1, params);
    if (*ref) {
        snprintf(query, sizeof query, "child_external_ref=%s", ref);
        r = obligations(&p.manager, query);
        cr_assert(find(r, "drift", p.meeting_id), "%s", r->body);
        http_free(r);
    }
    free(ref);
    r = obligations(&p.manager, NULL);
    json_t *drift = find(r, "drift", p.meeting_id);
    cr_assert(drift, "%s", r->body);
    cr_assert_str_eq(json_str(json_object_get(drift, "basis"), "event"), "meeting.requested");
    http_free(r);

    /* bad filters: 400 naming each */
    r = obligations(&p.manager, "status=late&due_before=tomorrow&meeting_id=7&owner=");
    expect_problem(r, 400, NULL);
    cr_assert(problem_has_field(r, "status"), "%s", r->body);
    cr_assert(problem_has_field(r, "due_before"), "%s", r->body);
    cr_assert(problem_has_field(r, "meeting_id"), "%s", r->body);
    http_free(r);
    person_free(&police_manager);
    planned_free(&p);
}

/* CHR-1, INT-1: the child filter names a child as GET /v1/children?ref=
 * does: by NHS number in any written form, or UPN in either case; a number
 * whose check fails is a 400 that changes nothing (no audit event). */
Test(obligations, OBL_2_INT_1_child_filter_by_nhs_number_and_upn_with_their_checks)
{
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    char nhs[11], other[11];
    nhs_number_new(nhs);
    do
        nhs_number_new(other);
    while (strcmp(nhs, other) == 0);
    json_t *body = meeting_body("professionals");
    json_object_set_new(json_array_get(json_object_get(body, "children"), 0), "nhs_number",
                        json_string(nhs));
    http_response *r = api_call("POST", "/v1/meetings", requester.token, body, NULL);
    json_decref(body);
    cr_assert_eq(r->status, 201, "%s", r->body);
    char *meeting = strdup(json_str(r->json, "id"));
    http_free(r);

    char query[160];
    snprintf(query, sizeof query, "child_external_ref=nhs_number:%s", nhs);
    r = obligations(&requester, query);
    cr_assert(find(r, "drift", meeting), "%s", r->body);
    http_free(r);
    snprintf(query, sizeof query, "child_external_ref=nhs_number:%.3s%%20%.3s%%20%s", nhs,
             nhs + 3, nhs + 6);
    r = obligations(&requester, query);
    cr_assert(find(r, "drift", meeting), "3-3-4: %s", r->body);
    http_free(r);
    /* another child, or a UPN the meeting does not give: nothing of it */
    snprintf(query, sizeof query, "child_external_ref=nhs_number:%s", other);
    r = obligations(&requester, query);
    cr_assert(!lists_meeting(r, meeting), "%s", r->body);
    http_free(r);
    r = obligations(&requester, "child_external_ref=upn:v999201000010");
    cr_assert(!lists_meeting(r, meeting), "%s", r->body);
    http_free(r);

    /* checks that fail: 400 naming the filter, and nothing written */
    const char *who[] = {requester.who.sub};
    const char *audit_sql = "SELECT count(*) FROM audit_events WHERE actor_sub = $1";
    long audited = db_long(audit_sql, 1, who);
    char wrong[11];
    snprintf(wrong, sizeof wrong, "%s", nhs);
    wrong[9] = (char)('0' + (wrong[9] - '0' + 1) % 10);
    char bad_nhs[64];
    snprintf(bad_nhs, sizeof bad_nhs, "child_external_ref=nhs_number:%s", wrong);
    const char *const refused[] = {bad_nhs, "child_external_ref=nhs_number:99900000",
                                   "child_external_ref=upn:W999201000010",
                                   "child_external_ref=upn:", NULL};
    for (const char *const *q = refused; *q; q++) {
        r = obligations(&requester, *q);
        expect_problem(r, 400, "/problems/invalid-request");
        cr_assert(problem_has_field(r, "child_external_ref"), "%s: %s", *q, r->body);
        http_free(r);
    }
    cr_assert_eq(db_long(audit_sql, 1, who), audited);
    free(meeting);
    person_free(&requester);
    free(agency);
}

/* OBL-1: the initial child protection conference opens from a strategy
 * discussion whose approved minutes start section 47 enquiries, due the
 * policy's icpc_working_days after the discussion was held; a strategy
 * discussion that starts none owes none. */
Test(obligations, OBL_1_icpc_opens_from_approved_strategy_minutes)
{
    planned p;
    planned_scheduled(&p, "strategy_discussion", 3600);
    minutes_hold(&p, NULL);
    json_t *doc = minutes_complete(&p, NULL);
    json_object_set_new(doc, "section_47_enquiry",
                        json_pack("{s:b, s:s}", "started", 1, "note", "Joint enquiries agreed"));
    char path[160];
    snprintf(path, sizeof path, "/v1/meetings/%s/minutes", p.meeting_id);
    http_response *r = api_call("PUT", path, p.requester.token, doc, NULL);
    json_decref(doc);
    cr_assert_eq(r->status, 201, "writing minutes: %s", r->body);
    long mv = json_int(r->json, "version");
    http_free(r);

    /* not before the minutes are approved */
    snprintf(path, sizeof path, "meeting_id=%s", p.meeting_id);
    r = obligations(&p.manager, path);
    cr_assert(!find(r, "icpc", p.meeting_id), "%s", r->body);
    http_free(r);

    snprintf(path, sizeof path, "/v1/meetings/%s/minutes/approve", p.meeting_id);
    r = api_call("POST", path, p.manager.token, NULL, etag_of(mv));
    cr_assert_eq(r->status, 200, "approving: %s", r->body);
    http_free(r);
    snprintf(path, sizeof path, "meeting_id=%s", p.meeting_id);
    r = obligations(&p.manager, path);
    json_t *icpc = find(r, "icpc", p.meeting_id);
    cr_assert(icpc, "%s", r->body);
    cr_assert_str_eq(json_str(json_object_get(icpc, "basis"), "event"), "minutes.approved");
    const char *params[] = {p.meeting_id};
    char *held_day = db_value("SELECT to_char((held_at AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD')"
                              " FROM meetings WHERE id = $1::uuid",
                              1, params);
    long days = db_long("SELECT icpc_working_days FROM policy_at((SELECT approved_at FROM minutes"
                        " WHERE meeting_id = $1::uuid AND status = 'approved'))",
                        1, params);
    char want[11];
    working_days_from(held_day, (int)days, want);
    cr_assert_str_eq(json_str(icpc, "due_date"), want);
    cr_assert_str_eq(json_str(json_object_get(icpc, "owner"), "sub"), p.manager.who.sub);
    http_free(r);
    /* the police officer, invited, sees it too; nobody outside does */
    r = obligations(&p.police_officer, path);
    cr_assert(find(r, "icpc", p.meeting_id), "%s", r->body);
    http_free(r);
    person outsider = person_new(p.police, "practitioner");
    r = obligations(&outsider, path);
    cr_assert_eq(json_array_size(json_object_get(r->json, "items")), 0, "%s", r->body);
    http_free(r);
    person_free(&outsider);
    free(held_day);
    planned_free(&p);
}

/* --- OBL-3: reminders --- */

/* Noon (UTC) of a day, as a moment. */
static time_t noon_of(const char *day)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    cr_assert_eq(sscanf(day, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday), 3);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    tm.tm_hour = 12;
    return timegm(&tm);
}

typedef struct run_call {
    const char *base; /* an instance's URL, or NULL for the main one */
    const char *token;
    long status;
    int ran;
    long sent;
} run_call;

static void *run_reminders(void *arg)
{
    run_call *c = arg;
    const char *base = c->base ? c->base : getenv("MAM_URL");
    http_response *r = http_call_to(base, "POST", "/v1/reminders/run", c->token, NULL, NULL, 0);
    c->status = r->status;
    if (r->status == 200) {
        c->ran = json_is_true(json_object_get(r->json, "ran"));
        c->sent = json_int(r->json, "sent");
    }
    http_free(r);
    return NULL;
}

/* Runs the scheduler as of noon on `day`, on the main instance, until it
 * runs: another instance's scheduler (another test's) may hold the lock for
 * a moment, and then this one skips, as it should. */
static void run_on(const person *admin, const char *day)
{
    test_clock_set(noon_of(day));
    run_call c = {NULL, admin->token, 0, 0, 0};
    for (int tries = 0; tries < 100 && !c.ran; tries++) {
        if (tries)
            usleep(50 * 1000);
        run_reminders(&c);
        cr_assert_eq(c.status, 200, "running the reminders on %s", day);
    }
    cr_assert(c.ran, "the scheduler ran on %s", day);
}

/* The id of the obligation of this clock about this record. */
static char *obligation_of(const char *clock, const char *source_id)
{
    const char *params[] = {clock, source_id};
    return db_value("SELECT obligation_id($1, $2::uuid, 0)", 2, params);
}

/* How many reminders of this type went to the feed about the obligation of
 * this clock and record (resource_type obligation, OBL-3). */
static long reminders_of(const char *clock, const char *source_id, const char *type)
{
    char *id = obligation_of(clock, source_id);
    const char *params[] = {id, type};
    long n = db_long("SELECT count(*) FROM events WHERE resource_type = 'obligation'"
                     " AND resource_id = $1 AND type = $2",
                     2, params);
    free(id);
    return n;
}

/* The agency whose feed a reminder went to. */
static char *reminded_agency(const char *clock, const char *source_id, const char *type)
{
    char *id = obligation_of(clock, source_id);
    const char *params[] = {id, type};
    char *agency = db_value("SELECT agency FROM events WHERE resource_type = 'obligation'"
                            " AND resource_id = $1 AND type = $2",
                            2, params);
    free(id);
    return agency;
}

static long policy_clock(const char *column, const char *at_sql, const char *id)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT %s FROM policy_at((%s))", column, at_sql);
    const char *params[] = {id};
    return db_long(sql, 1, params);
}

Test(obligations, OBL_3_action_reminders_once_per_stage_with_two_instances)
{
    person admin = admin_new();
    planned p;
    planned_scheduled(&p, "professionals", 3600);
    minutes_hold(&p, NULL);
    json_t *doc = minutes_complete(&p, NULL);
    char path[160];
    snprintf(path, sizeof path, "/v1/meetings/%s/minutes", p.meeting_id);
    http_response *r = api_call("PUT", path, p.requester.token, doc, NULL);
    json_decref(doc);
    cr_assert_eq(r->status, 201, "writing minutes: %s", r->body);
    long mv = json_int(r->json, "version");
    http_free(r);
    snprintf(path, sizeof path, "/v1/meetings/%s/minutes/approve", p.meeting_id);
    r = api_call("POST", path, p.manager.token, NULL, etag_of(mv));
    cr_assert_eq(r->status, 200, "approving: %s", r->body);
    http_free(r);
    const char *aparams[] = {p.meeting_id, p.police_officer.who.sub};
    char *action = db_value("SELECT id FROM actions WHERE meeting_id = $1::uuid AND owner_sub = $2",
                            2, aparams);
    cr_assert(*action);
    const char *at = "SELECT created_at FROM actions WHERE id = $1::uuid";
    const char *ap[] = {action};
    char *due = db_value("SELECT to_char(due_date, 'YYYY-MM-DD') FROM actions WHERE id = $1::uuid",
                         1, ap);
    char soon[11], before_soon[11], overdue[11], manager[11], contingency[11];
    working_days_from(due, -(int)policy_clock("action_due_soon_working_days", at, action), soon);
    working_days_from(soon, -1, before_soon);
    working_days_from(due, 1, overdue);
    working_days_from(due, (int)policy_clock("manager_reminder_working_days", at, action), manager);
    working_days_from(due, (int)policy_clock("contingency_working_days", at, action), contingency);

    /* nothing before its stage */
    run_on(&admin, before_soon);
    cr_assert_eq(reminders_of("action", action, "reminder.action_due_soon"), 0);

    /* due soon: once, to the owner's agency, however often the scheduler runs */
    run_on(&admin, soon);
    run_on(&admin, soon);
    cr_assert_eq(reminders_of("action", action, "reminder.action_due_soon"), 1);
    char *agency = reminded_agency("action", action, "reminder.action_due_soon");
    cr_assert_str_eq(agency, p.police);
    free(agency);
    /* what the reminder names: the obligation, which the owner reads (and
     * nobody outside the meeting does) */
    char *obligation = obligation_of("action", action);
    snprintf(path, sizeof path, "/v1/obligations/%s", obligation);
    r = api_get(path, p.police_officer.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "clock"), "action");
    cr_assert_str_eq(json_str(json_object_get(r->json, "resource"), "id"), action);
    cr_assert_str_eq(json_str(r->json, "due_date"), due);
    http_free(r);
    person outsider = person_new(p.police, "practitioner");
    r = api_get(path, outsider.token);
    expect_problem(r, 404, NULL);
    http_free(r);
    person_free(&outsider);
    free(obligation);

    /* overdue: two instances run at once; one reminder */
    instance second;
    instance_start(&second);
    test_clock_set(noon_of(overdue));
    run_call calls[2];
    for (int tries = 0; tries < 100; tries++) {
        run_call fresh[2] = {{NULL, admin.token, 0, 0, 0}, {second.url, admin.token, 0, 0, 0}};
        memcpy(calls, fresh, sizeof calls);
        pthread_t threads[2];
        for (int i = 0; i < 2; i++)
            pthread_create(&threads[i], NULL, run_reminders, &calls[i]);
        for (int i = 0; i < 2; i++)
            pthread_join(threads[i], NULL);
        cr_assert_eq(calls[0].status, 200);
        cr_assert_eq(calls[1].status, 200);
        if (calls[0].ran || calls[1].ran)
            break;
        usleep(50 * 1000); /* a third scheduler (another test's instance) held the lock */
    }
    cr_assert(calls[0].ran || calls[1].ran, "one of them ran");
    cr_assert_eq(reminders_of("action", action, "reminder.action_overdue"), 1);
    cr_assert_eq(reminders_of("action", action, "reminder.action_due_soon"), 1);

    /* then to the owner's manager, once, whichever instance runs */
    test_clock_set(noon_of(manager));
    run_call again = {second.url, admin.token, 0, 0, 0};
    run_reminders(&again);
    cr_assert_eq(again.status, 200);
    run_on(&admin, manager);
    run_on(&admin, manager);
    cr_assert_eq(reminders_of("action", action, "reminder.action_overdue_manager"), 1);
    cr_assert_eq(instance_stop(&second, SIGTERM), 0);

    /* before its contingency passes, no escalation is offered */
    test_clock_set(noon_of(overdue));
    r = obligations(&p.manager, "owner=me&limit=200");
    cr_assert(!find(r, "action_plan_not_implemented", action), "%s", r->body);
    http_free(r);
    /* past it: offered to the chair, as an obligation and on the feed */
    run_on(&admin, contingency);
    cr_assert_eq(reminders_of("action_plan_not_implemented", action, "reminder.escalation_offered"), 1);
    agency = reminded_agency("action_plan_not_implemented", action, "reminder.escalation_offered");
    cr_assert_str_eq(agency, p.csc);
    free(agency);
    r = obligations(&p.manager, "owner=me&limit=200");
    json_t *offer = find(r, "action_plan_not_implemented", action);
    cr_assert(offer, "%s", r->body);
    cr_assert_str_eq(json_str(offer, "due_date"), contingency);
    cr_assert_str_eq(json_str(offer, "status"), "open");
    http_free(r);

    /* raising the escalation meets it */
    json_t *body = json_pack("{s:s, s:s, s:s, s:s, s:s}", "meeting_id", p.meeting_id, "type",
                             "action_plan_not_implemented", "concern",
                             "The agreed action is well past its contingency",
                             "outcome_sought", "A date the action will be done by",
                             "with_agency", p.police);
    r = api_call("POST", "/v1/escalations", p.manager.token, body, NULL);
    json_decref(body);
    cr_assert_eq(r->status, 201, "raising: %s", r->body);
    http_free(r);
    r = obligations(&p.manager, "owner=me&status=met&limit=200");
    cr_assert(find(r, "action_plan_not_implemented", action), "%s", r->body);
    http_free(r);

    /* a refused run sends nothing: not an admin */
    long before = db_long("SELECT count(*) FROM reminders_sent", 0, NULL);
    run_call refused = {NULL, p.manager.token, 0, 0, 0};
    run_reminders(&refused);
    cr_assert_eq(refused.status, 403);
    cr_assert_eq(db_long("SELECT count(*) FROM reminders_sent", 0, NULL), before);

    free(due);
    free(action);
    planned_free(&p);
    person_free(&admin);
}

/* The scheduler's own thread (REMINDER_INTERVAL_S), on the wall clock, in
 * an instance that is restarted: an invitation whose answer is due today
 * is reminded once, and never again after the restart. */
Test(obligations, OBL_3_scheduler_thread_survives_restart_and_sends_once)
{
    planned p;
    planned_authorised(&p, "professionals");
    person invitee = person_new(p.csc, "practitioner");
    json_t *body = invitation_body(&invitee, "Share the school's view");
    char today[11];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(today, sizeof today, "%Y-%m-%d", &tm);
    json_object_set_new(body, "respond_by", json_string(today));
    http_response *r = invite(&p.requester, p.meeting_id, body);
    json_decref(body);
    cr_assert_eq(r->status, 201, "inviting: %s", r->body);
    char *invitation = strdup(json_str(r->json, "id"));
    http_free(r);

    static const char *const env[] = {"REMINDER_INTERVAL_S=1", NULL};
    instance one;
    instance_start_env(&one, env);
    long sent = 0;
    for (int i = 0; i < 150 && sent == 0; i++) {
        usleep(100 * 1000); /* the thread's own interval, not a date */
        sent = reminders_of("response", invitation, "reminder.response_due");
    }
    cr_assert_eq(sent, 1, "the scheduler reminded the invitee once");
    cr_assert_eq(instance_stop(&one, SIGTERM), 0);

    instance two;
    instance_start_env(&two, env);
    char *metrics = NULL;
    for (int i = 0; i < 100; i++) {
        usleep(100 * 1000);
        http_response *m = http_call_to(two.url, "GET", "/metrics", NULL, NULL, NULL, 0);
        bool ran = strstr(m->body, "mam_reminder_runs_total{outcome=\"ran\"} 0") == NULL ||
                   strstr(m->body, "mam_reminder_runs_total{outcome=\"skipped\"} 0") == NULL;
        http_free(m);
        if (ran && i >= 20)
            break;
    }
    free(metrics);
    cr_assert_eq(reminders_of("response", invitation, "reminder.response_due"), 1);
    cr_assert_eq(instance_stop(&two, SIGTERM), 0);
    free(invitation);
    person_free(&invitee);
    planned_free(&p);
}

/* --- OBL-2: the rows kept are the rows derived --- */

/* The meeting's rows in table obligations and the rows meeting_obligations
 * derives from its records now, compared whole: how many differ. */
static long rows_differing(const char *meeting_id)
{
    const char *params[] = {meeting_id};
    return db_long("SELECT count(*) FROM ("
                   " (SELECT * FROM meeting_obligations($1::uuid)"
                   "  EXCEPT SELECT * FROM obligations WHERE meeting_id = $1::uuid)"
                   " UNION ALL"
                   " (SELECT * FROM obligations WHERE meeting_id = $1::uuid"
                   "  EXCEPT SELECT * FROM meeting_obligations($1::uuid))) d",
                   1, params);
}

static long rows_kept(const char *meeting_id)
{
    const char *params[] = {meeting_id};
    return db_long("SELECT count(*) FROM obligations WHERE meeting_id = $1::uuid", 1, params);
}

/* Each change of a record an obligation is derived from (a meeting
 * requested, authorised, invited to, scheduled, held; minutes approved with
 * an action; an invitation answered; the action completed) leaves, once
 * committed, exactly the rows the derivation gives: the lists and reports
 * read those rows. */
Test(obligations, OBL_2_rows_kept_are_the_rows_derived_after_each_change)
{
    planned b;
    planned_scheduled(&b, "professionals", 3600);
    cr_assert_eq(rows_differing(b.meeting_id), 0, "scheduled");
    planned a;
    planned_authorised(&a, "professionals");
    cr_assert_gt(rows_kept(a.meeting_id), 0, "the drift obligation from the request");
    cr_assert_eq(rows_differing(a.meeting_id), 0, "authorised");

    /* B's chair invited to A as a professional of their agency */
    person *chair = &b.manager;
    json_t *body = invitation_body(chair, "Bring the plan");
    http_response *r = invite(&a.requester, a.meeting_id, body);
    json_decref(body);
    cr_assert_eq(r->status, 201, "inviting: %s", r->body);
    char *invitation = strdup(json_str(r->json, "id"));
    long iv = json_int(r->json, "version");
    http_free(r);
    cr_assert_eq(rows_differing(a.meeting_id), 0, "invited");

    char path[160];
    snprintf(path, sizeof path, "/v1/invitations/%s/respond", invitation);
    body = json_pack("{s:s}", "response", "accepted");
    r = api_call("POST", path, chair->token, body, etag_of(iv));
    json_decref(body);
    cr_assert_eq(r->status, 200, "answering: %s", r->body);
    http_free(r);
    cr_assert_eq(rows_differing(a.meeting_id), 0, "answered");

    minutes_hold(&b, NULL);
    cr_assert_eq(rows_differing(b.meeting_id), 0, "held");
    json_t *doc = minutes_complete(&b, NULL);
    char due[11];
    minutes_date(30, due);
    json_array_append_new(json_object_get(doc, "actions"),
                          minutes_action("Review the plan with the school", &b.manager, due,
                                         "The senior manager reviews it"));
    snprintf(path, sizeof path, "/v1/meetings/%s/minutes", b.meeting_id);
    r = api_call("PUT", path, b.requester.token, doc, NULL);
    json_decref(doc);
    cr_assert_eq(r->status, 201, "writing minutes: %s", r->body);
    long mv = json_int(r->json, "version");
    http_free(r);
    snprintf(path, sizeof path, "/v1/meetings/%s/minutes/approve", b.meeting_id);
    r = api_call("POST", path, b.manager.token, NULL, etag_of(mv));
    cr_assert_eq(r->status, 200, "approving: %s", r->body);
    http_free(r);
    cr_assert_eq(rows_differing(b.meeting_id), 0, "minutes approved, actions agreed");

    const char *aparams[] = {b.meeting_id, b.manager.who.sub};
    char *action = db_value("SELECT id FROM actions WHERE meeting_id = $1::uuid AND owner_sub = $2",
                            2, aparams);
    snprintf(path, sizeof path, "/v1/actions/%s/complete", action);
    body = json_pack("{s:s}", "note", "Reviewed with the school");
    r = api_call("POST", path, b.manager.token, body, etag_of(1));
    json_decref(body);
    cr_assert_eq(r->status, 200, "completing: %s", r->body);
    http_free(r);
    cr_assert_eq(rows_differing(b.meeting_id), 0, "the action completed");
    const char *met_params[] = {action};
    cr_assert_eq(db_long("SELECT count(*) FROM obligations WHERE resource_id = $1::uuid"
                         " AND clock = 'action' AND met_at IS NOT NULL",
                         1, met_params),
                 1, "kept as met");

    free(action);
    free(invitation);
    planned_free(&b);
    planned_free(&a);
}

/* --- REN-3: the chair's outcome letter as an obligation --- */

/* A scheduled meeting of new agencies, held (the manager chairs it). */
static void held(planned *p)
{
    planned_scheduled(p, "professionals", 3600);
    minutes_hold(p, NULL);
}

/* The day the outcome letter of this held meeting is due: the policy's
 * working days in effect at the hold, after the day of the hold (UTC), by
 * the C calendar. */
static void letter_due(const char *meeting_id, char out[11])
{
    const char *params[] = {meeting_id};
    char *held_day = db_value("SELECT to_char(utc_day(held_at), 'YYYY-MM-DD') FROM meetings"
                              " WHERE id = $1::uuid",
                              1, params);
    long days = policy_clock("outcome_letter_working_days",
                             "SELECT held_at FROM meetings WHERE id = $1::uuid", meeting_id);
    working_days_from(held_day, (int)days, out);
    free(held_day);
}

/* The meeting's outcome-letter obligation in the caller's list (`query`
 * added to meeting_id=...), or NULL; *r keeps the answer it points into. */
static json_t *letter_listed(const person *by, const char *meeting_id, const char *query,
                             http_response **r)
{
    char q[256];
    snprintf(q, sizeof q, "meeting_id=%s%s%s", meeting_id, query ? "&" : "", query ? query : "");
    *r = obligations(by, q);
    return find(*r, "outcome_letter", meeting_id);
}

static long letter_rows(const char *meeting_id)
{
    const char *params[] = {meeting_id};
    return db_long("SELECT count(*) FROM obligations WHERE meeting_id = $1::uuid"
                   " AND clock = 'outcome_letter'",
                   1, params);
}

/* The obligation's row as kept, as text: to show a refusal changed nothing. */
static char *letter_row(const char *meeting_id)
{
    const char *params[] = {meeting_id};
    return db_value("SELECT coalesce((SELECT o::text FROM obligations o WHERE meeting_id = $1::uuid"
                    " AND clock = 'outcome_letter'), 'none')",
                    1, params);
}

static http_response *send_letter(const person *by, const char *meeting_id, const char *sent_at)
{
    json_t *body = json_pack("{s:s, s:s, s:s}", "decisions", "A joint home visit within a week",
                             "plan", "The health visitor visits weekly", "next_dates",
                             "Review meeting in six weeks");
    if (sent_at)
        json_object_set_new(body, "sent_at", json_string(sent_at));
    http_response *r =
        api_call("POST", meeting_path(meeting_id, "outcome-letter"), by->token, body, NULL);
    json_decref(body);
    return r;
}

/* From the hold: owed by the chair (in their `me` list, with its basis and
 * due date), seen by whoever sees the meeting, and by nobody else. */
Test(obligations, OBL_2_REN_3_outcome_letter_owed_by_the_chair_from_the_hold)
{
    planned p;
    planned_scheduled(&p, "professionals", 3600);
    person *chair = &p.manager;
    /* not before the hold */
    http_response *r;
    cr_assert_null(letter_listed(chair, p.meeting_id, "status=open", &r), "%s", r->body);
    http_free(r);
    cr_assert_eq(letter_rows(p.meeting_id), 0);

    minutes_hold(&p, NULL);
    r = obligations(chair, "owner=me&limit=200");
    json_t *o = find(r, "outcome_letter", p.meeting_id);
    cr_assert(o, "the chair owes the letter: %s", r->body);
    json_t *basis = json_object_get(o, "basis");
    cr_assert_str_eq(json_str(basis, "clock"), "outcome_letter");
    cr_assert_str_eq(json_str(basis, "event"), "meeting.held");
    const char *params[] = {p.meeting_id};
    char *held_at = db_value("SELECT rfc3339(held_at) FROM meetings WHERE id = $1::uuid", 1,
                             params);
    cr_assert_str_eq(json_str(basis, "event_at"), held_at);
    cr_assert_eq(json_int(basis, "policy_version"),
                 policy_clock("version", "SELECT held_at FROM meetings WHERE id = $1::uuid",
                              p.meeting_id));
    char due[11];
    letter_due(p.meeting_id, due);
    cr_assert_str_eq(json_str(o, "due_date"), due);
    cr_assert_str_eq(json_str(o, "status"), "open");
    cr_assert(json_is_null(json_object_get(o, "met_at")), "%s", r->body);
    cr_assert_str_eq(json_str(json_object_get(o, "owner"), "sub"), chair->who.sub);
    cr_assert_str_eq(json_str(json_object_get(o, "owner"), "agency"), p.csc);
    cr_assert_str_eq(json_str(json_object_get(o, "resource"), "type"), "meeting");
    cr_assert_str_eq(json_str(json_object_get(o, "resource"), "id"), p.meeting_id);
    char *id = strdup(json_str(o, "id"));
    http_free(r);

    /* the police officer sees the meeting's, but owes none */
    r = obligations(&p.police_officer, "owner=me&limit=200");
    cr_assert_null(find(r, "outcome_letter", p.meeting_id), "%s", r->body);
    http_free(r);
    cr_assert(letter_listed(&p.police_officer, p.meeting_id, NULL, &r), "%s", r->body);
    http_free(r);
    /* what a reminder names: read by the chair, not by one outside */
    char path[96];
    snprintf(path, sizeof path, "/v1/obligations/%s", id);
    r = api_get(path, chair->token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "clock"), "outcome_letter");
    cr_assert_str_eq(json_str(r->json, "due_date"), due);
    http_free(r);
    char *elsewhere = agency_new("police");
    person outsider = person_new(elsewhere, "manager");
    r = api_get(path, outsider.token);
    expect_problem(r, 404, "/problems/not-found");
    http_free(r);
    cr_assert_null(letter_listed(&outsider, p.meeting_id, NULL, &r), "%s", r->body);
    http_free(r);
    char query[128];
    snprintf(query, sizeof query, "agency=%s&limit=200", p.csc);
    r = obligations(&outsider, query);
    cr_assert(!lists_meeting(r, p.meeting_id), "%s", r->body);
    http_free(r);
    cr_assert_eq(rows_differing(p.meeting_id), 0);
    person_free(&outsider);
    free(elsewhere);
    free(id);
    free(held_at);
    planned_free(&p);
}

/* Past its due day (the test clock) it is overdue; a send refused changes
 * nothing; the letter sent, late, meets it and it leaves the open lists. */
Test(obligations, OBL_2_REN_3_outcome_letter_overdue_then_met_when_sent)
{
    planned p;
    held(&p);
    person *chair = &p.manager;
    char due[11], after[11];
    letter_due(p.meeting_id, due);
    working_days_from(due, 1, after);

    test_clock_set(noon_of(due));
    http_response *r;
    json_t *o = letter_listed(chair, p.meeting_id, NULL, &r);
    cr_assert(o && strcmp(json_str(o, "status"), "open") == 0, "open on its day: %s", r->body);
    http_free(r);
    test_clock_set(noon_of(after));
    r = obligations(chair, "owner=me&status=overdue&limit=200");
    o = find(r, "outcome_letter", p.meeting_id);
    cr_assert(o, "overdue the working day after: %s", r->body);
    cr_assert_str_eq(json_str(o, "status"), "overdue");
    http_free(r);

    /* not the chair: 403 REN-3, and the letter still owed, as it was */
    char *row = letter_row(p.meeting_id);
    char *digest = db_meeting_digest(p.meeting_id);
    r = send_letter(&p.requester, p.meeting_id, NULL);
    expect_problem(r, 403, "/problems/forbidden");
    cr_assert(problem_has_rule(r, "REN-3", NULL), "%s", r->body);
    http_free(r);
    char *row_after = letter_row(p.meeting_id);
    char *digest_after = db_meeting_digest(p.meeting_id);
    cr_assert_str_eq(row_after, row);
    cr_assert_str_eq(digest_after, digest);
    free(row_after);
    free(digest_after);
    free(row);
    free(digest);

    /* sent, late, by the chair: met at the moment it was sent */
    char sent_at[32];
    time_t now = noon_of(after);
    strftime(sent_at, sizeof sent_at, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    r = send_letter(chair, p.meeting_id, sent_at);
    cr_assert_eq(r->status, 201, "%s", r->body);
    cr_assert(json_is_true(json_object_get(r->json, "late")), "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "due_on"), due);
    http_free(r);
    r = obligations(chair, "owner=me&limit=200");
    cr_assert_null(find(r, "outcome_letter", p.meeting_id), "%s", r->body);
    http_free(r);
    r = obligations(chair, "owner=me&status=overdue&limit=200");
    cr_assert_null(find(r, "outcome_letter", p.meeting_id), "%s", r->body);
    http_free(r);
    o = letter_listed(chair, p.meeting_id, "status=met", &r);
    cr_assert(o, "%s", r->body);
    cr_assert_str_eq(json_str(o, "status"), "met");
    char want[40];
    strftime(want, sizeof want, "%Y-%m-%dT%H:%M:%S.000000Z", gmtime(&now));
    cr_assert_str_eq(json_str(o, "met_at"), want);
    cr_assert(json_is_null(json_object_get(o, "ended_reason")), "%s", r->body);
    http_free(r);
    cr_assert_eq(rows_differing(p.meeting_id), 0, "the letter derived the rows again");
    planned_free(&p);
}

/* OBL-3: `reminder.outcome_letter_due` on the due day, once, to the chair's
 * agency (and so to its webhooks), with two instances running the
 * scheduler at once and again later; none for a letter already sent. */
Test(obligations, OBL_3_REN_3_outcome_letter_reminded_once_with_two_instances)
{
    person admin = admin_new();
    planned p, sent;
    held(&p);
    held(&sent);
    char due[11], sent_due[11], before[11], after[11];
    letter_due(p.meeting_id, due);
    letter_due(sent.meeting_id, sent_due);
    working_days_from(due, -1, before);
    working_days_from(due, 1, after);
    http_response *r = send_letter(&sent.manager, sent.meeting_id, NULL);
    cr_assert_eq(r->status, 201, "%s", r->body);
    http_free(r);

    /* the chair's agency's system hears of it by webhook */
    person system = person_new(p.csc, "integration");
    json_t *body = json_pack("{s:s, s:[s]}", "url", "http://127.0.0.1:9/hooks", "event_types",
                             "reminder.outcome_letter_due");
    r = api_call("POST", "/v1/webhook-endpoints", system.token, body, NULL);
    json_decref(body);
    cr_assert_eq(r->status, 201, "a known event type: %s", r->body);
    char *endpoint = strdup(json_str(r->json, "id"));
    http_free(r);

    run_on(&admin, before);
    cr_assert_eq(reminders_of("outcome_letter", p.meeting_id, "reminder.outcome_letter_due"), 0);

    instance second;
    instance_start(&second);
    test_clock_set(noon_of(due));
    run_call calls[2];
    for (int tries = 0; tries < 100; tries++) {
        run_call fresh[2] = {{NULL, admin.token, 0, 0, 0}, {second.url, admin.token, 0, 0, 0}};
        memcpy(calls, fresh, sizeof calls);
        pthread_t threads[2];
        for (int i = 0; i < 2; i++)
            pthread_create(&threads[i], NULL, run_reminders, &calls[i]);
        for (int i = 0; i < 2; i++)
            pthread_join(threads[i], NULL);
        cr_assert_eq(calls[0].status, 200);
        cr_assert_eq(calls[1].status, 200);
        if (calls[0].ran || calls[1].ran)
            break;
        usleep(50 * 1000); /* a third scheduler (another test's instance) held the lock */
    }
    cr_assert(calls[0].ran || calls[1].ran, "one of them ran");
    cr_assert_eq(instance_stop(&second, SIGTERM), 0);
    run_on(&admin, due);
    run_on(&admin, after);
    cr_assert_eq(reminders_of("outcome_letter", p.meeting_id, "reminder.outcome_letter_due"), 1);
    char *agency = reminded_agency("outcome_letter", p.meeting_id, "reminder.outcome_letter_due");
    cr_assert_str_eq(agency, p.csc);
    free(agency);
    /* a letter sent before its day is reminded of never */
    cr_assert_lt(strcmp(sent_due, after), 0);
    cr_assert_eq(reminders_of("outcome_letter", sent.meeting_id, "reminder.outcome_letter_due"),
                 0);

    /* one delivery, naming the obligation and nothing of the case */
    const char *eparams[] = {endpoint};
    cr_assert_eq(db_long("SELECT count(*) FROM webhook_deliveries WHERE endpoint_id = $1::uuid",
                         1, eparams),
                 1);
    char *payload = db_value("SELECT payload FROM webhook_deliveries WHERE endpoint_id = $1::uuid",
                             1, eparams);
    char *obligation = obligation_of("outcome_letter", p.meeting_id);
    cr_assert(strstr(payload, "reminder.outcome_letter_due"), "%s", payload);
    cr_assert(strstr(payload, obligation), "%s", payload);
    cr_assert_null(strstr(payload, p.manager.who.sub), "%s", payload);
    free(obligation);
    free(payload);
    free(endpoint);
    person_free(&system);
    planned_free(&sent);
    planned_free(&p);
    person_free(&admin);
}

/* OBL-1: a change of outcome_letter_working_days applies to meetings held
 * after it; the letter of a meeting held before keeps its due date. The
 * letter's due_on and the obligation's due date are one definition. */
Test(obligations, OBL_1_REN_3_outcome_letter_clock_change_applies_only_to_later_holds)
{
    person admin = admin_new();
    long version;
    json_t *clocks = current_clocks(&admin, &version);
    long days = json_integer_value(json_object_get(clocks, "outcome_letter_working_days"));
    long changed_days = days < 20 ? days + 1 : days - 1;
    planned before, after;
    held(&before);
    http_response *r;
    json_t *o = letter_listed(&before.manager, before.meeting_id, NULL, &r);
    cr_assert(o, "%s", r->body);
    char due_before[11];
    snprintf(due_before, sizeof due_before, "%s", json_str(o, "due_date"));
    long opened_under = json_int(json_object_get(o, "basis"), "policy_version");
    http_free(r);

    long changed = clock_set(&admin, "outcome_letter_working_days", changed_days,
                             "The outcome letter a day later");
    held(&after);
    const char *held_sql = "SELECT held_at FROM meetings WHERE id = $1::uuid";
    cr_assert_eq(policy_clock("outcome_letter_working_days", held_sql, after.meeting_id),
                 changed_days);
    o = letter_listed(&after.manager, after.meeting_id, NULL, &r);
    cr_assert(o, "%s", r->body);
    cr_assert_geq(json_int(json_object_get(o, "basis"), "policy_version"), changed);
    char want[11];
    const char *params[] = {after.meeting_id};
    char *held_day = db_value("SELECT to_char(utc_day(held_at), 'YYYY-MM-DD') FROM meetings"
                              " WHERE id = $1::uuid",
                              1, params);
    working_days_from(held_day, (int)changed_days, want);
    cr_assert_str_eq(json_str(o, "due_date"), want);
    char due_after[11];
    snprintf(due_after, sizeof due_after, "%s", json_str(o, "due_date"));
    http_free(r);

    /* the one held before does not move, kept or derived again */
    o = letter_listed(&before.manager, before.meeting_id, NULL, &r);
    cr_assert(o, "%s", r->body);
    cr_assert_str_eq(json_str(o, "due_date"), due_before);
    cr_assert_eq(json_int(json_object_get(o, "basis"), "policy_version"), opened_under);
    http_free(r);
    cr_assert_eq(rows_differing(before.meeting_id), 0);
    cr_assert_eq(policy_clock("outcome_letter_working_days", held_sql, before.meeting_id), days);

    clock_set(&admin, "outcome_letter_working_days", days, "The outcome letter as before");

    /* each letter records the due day of its obligation */
    r = send_letter(&before.manager, before.meeting_id, NULL);
    cr_assert_eq(r->status, 201, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "due_on"), due_before);
    http_free(r);
    r = send_letter(&after.manager, after.meeting_id, NULL);
    cr_assert_eq(r->status, 201, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "due_on"), due_after);
    http_free(r);
    free(held_day);
    planned_free(&after);
    planned_free(&before);
    json_decref(clocks);
    person_free(&admin);
}

/* Migration 039 introduced the clock: a meeting held before then owes no
 * outcome letter (a rebuild must not make every older meeting owe one,
 * overdue), not even once its letter is sent; its other clocks are kept. */
Test(obligations, OBL_2_REN_3_no_outcome_letter_owed_for_a_meeting_held_before_the_clock)
{
    planned p;
    held(&p);
    cr_assert_eq(letter_rows(p.meeting_id), 1);
    /* held a day before the clock was introduced */
    const char *params[] = {p.meeting_id};
    char *id = db_value("UPDATE meetings SET held_at = (SELECT introduced_at - interval '1 day'"
                        "   FROM obligation_clocks_introduced WHERE clock = 'outcome_letter')"
                        " WHERE id = $1::uuid RETURNING id",
                        1, params);
    cr_assert_str_eq(id, p.meeting_id);
    free(id);
    cr_assert_eq(letter_rows(p.meeting_id), 0);
    cr_assert_eq(rows_differing(p.meeting_id), 0);
    http_response *r;
    cr_assert_null(letter_listed(&p.manager, p.meeting_id, NULL, &r), "%s", r->body);
    cr_assert(find(r, "minutes", p.meeting_id), "the minutes still owed: %s", r->body);
    http_free(r);

    /* the letter may still be sent; it meets nothing */
    r = send_letter(&p.manager, p.meeting_id, NULL);
    cr_assert_eq(r->status, 201, "%s", r->body);
    http_free(r);
    cr_assert_null(letter_listed(&p.manager, p.meeting_id, "status=met", &r), "%s", r->body);
    http_free(r);
    cr_assert_eq(letter_rows(p.meeting_id), 0);
    planned_free(&p);
}
