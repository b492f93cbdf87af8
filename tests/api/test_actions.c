/* Actions over real HTTP against the real database: approval turns each
 * item of the action plan into a tracked action (ACT-1), listed across
 * meetings by owner, agency, meeting, status and overdue (ACT-3), completed
 * or cancelled with a note and given a new due date with a reason (ACT-1),
 * by the owner, the chair or a manager of the owner's agency only (ACT-2),
 * unseen by anyone else (SEC-2), with audit rows and feed events (SEC-4,
 * INT-2).
 *
 * Every test makes its own agencies and people. Every refusal is checked
 * four ways: the status, the problem+json answer, the errors[] entries
 * naming the rule and field, and the database: the fingerprints of the
 * agencies involved plus the counts and digests of the meeting's minutes,
 * actions and their history. */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/client.h"
#include "support/expect.h"
#include "support/fixtures.h"
#include "support/minutes.h"
#include "support/people.h"
#include "support/planning.h"

#define DAY 86400L
/* how far ahead a meeting that is to be held is scheduled */
#define START_IN 3600L
/* the item of the plan whose due date has passed */
#define PAST_DUE "2020-03-02"

/* --- helpers --- */

static void expect_str(const char *got, const char *want)
{
    cr_assert(got && strcmp(got, want) == 0, "expected '%s', got '%s'", want,
              got ? got : "(null)");
}

/* A planned meeting, held, with a second police practitioner invited (who
 * sees the meeting but owns no action) and its actions once approved. */
typedef struct held {
    planned p;
    person colleague; /* practitioner of the police agency, invited */
    char *colleague_invitation;
    char *action[4];  /* ids, in the order of the plan's items */
    char due[3][11];  /* the due dates of items 0 to 2 (item 3 is PAST_DUE) */
} held;

/* Everything a refused request must leave as it was: the fingerprint of
 * the convening agency (and of `extra` when given), and in one query the
 * meeting's minutes, its actions and their history, and the audit rows and
 * feed events about the meeting or its actions, counted and digested (a
 * new string). */
static char *snapshot(const held *h, const char *extra)
{
    const planned *p = &h->p;
    char *csc = db_fingerprint(p->csc);
    char *other = extra ? db_fingerprint(extra) : strdup("-");
    const char *params[] = {p->meeting_id};
    char *state = db_value(
        "WITH mine AS (SELECT a.* FROM actions a"
        "               WHERE $1::uuid IN (a.meeting_id, a.current_meeting_id)),"
        " ids AS (SELECT $1::text AS id UNION ALL SELECT id::text FROM mine)"
        " SELECT concat_ws(' | ',"
        " 'minutes ' || (SELECT count(*) || ' ' || coalesce(md5(string_agg(v::text, ','"
        "   ORDER BY v.number)), '') FROM minutes v WHERE v.meeting_id = $1::uuid),"
        " 'actions ' || (SELECT count(*) || ' ' || coalesce(md5(string_agg(m::text, ','"
        "   ORDER BY m.id)), '') FROM mine m),"
        " 'history ' || (SELECT count(*) || ' ' || coalesce(md5(string_agg(h::text, ','"
        "   ORDER BY h.seq)), '') FROM action_history h WHERE h.action_id IN"
        "   (SELECT id FROM mine)),"
        " 'audit ' || (SELECT count(*) FROM audit_events e WHERE e.resource_id IN"
        "   (SELECT id FROM ids) OR e.resource_ids && ARRAY(SELECT id FROM ids)),"
        " 'feed ' || (SELECT count(*) FROM events e WHERE e.resource_id IN (SELECT id FROM ids)))",
        1, params);
    char *out = NULL;
    int n = asprintf(&out, "%s | %s | %s", csc, other, state);
    cr_assert(n > 0);
    free(csc);
    free(other);
    free(state);
    return out;
}

static void expect_same(const held *h, const char *extra, const char *before)
{
    char *after = snapshot(h, extra);
    cr_assert_str_eq(after, before, "the database changed:\n%s\n->\n%s", before, after);
    free(after);
}

static size_t error_count(const http_response *r)
{
    return json_array_size(json_object_get(r->json, "errors"));
}

/* The status, problem+json of the type, and either an errors[] entry with
 * the rule and field (rule not NULL) or no errors[] at all. */
static void expect_refusal(const http_response *r, long status, const char *type,
                           const char *rule, const char *field)
{
    expect_problem(r, status, type);
    if (rule)
        cr_assert(problem_has_rule(r, rule, field), "expected %s at '%s': %s", rule,
                  field ? field : "(any)", r->body);
    else
        cr_assert_null(json_object_get(r->json, "errors"), "no errors[]: %s", r->body);
}

static long count2(const char *sql, const char *a, const char *b)
{
    const char *params[] = {a, b};
    return db_long(sql, 2, params);
}

static long audit_rows(const char *resource_id, const char *action)
{
    return count2("SELECT count(*) FROM audit_events WHERE resource_id = $1 AND action = $2",
                  resource_id, action);
}

static long feed_events(const char *resource_id, const char *type)
{
    return count2("SELECT count(DISTINCT event_id) FROM events"
                  " WHERE resource_id = $1 AND type = $2",
                  resource_id, type);
}

static long feed_rows(const char *resource_id, const char *type)
{
    return count2("SELECT count(*) FROM events WHERE resource_id = $1 AND type = $2",
                  resource_id, type);
}

/* --- a held meeting and its approved plan --- */

/* A professionals meeting taken to held: the police officer, the health
 * visitor and a second police practitioner invited and present, with a
 * parent at part 2 of the two-part meeting; the manager in the chair, the
 * requester taking minutes. */
static void held_meeting(held *h)
{
    memset(h, 0, sizeof *h);
    planned *p = &h->p;
    planned_authorised(p, "professionals");
    planned_invite_agencies(p);
    h->colleague = person_new(p->police, "practitioner");
    json_t *body = invitation_body(&h->colleague, "Share what the neighbourhood team knows");
    http_response *r = invite(&p->requester, p->meeting_id, body);
    json_decref(body);
    cr_assert_eq(r->status, 201, "inviting: %ld %s", r->status, r->body);
    h->colleague_invitation = strdup(json_str(r->json, "id"));
    http_free(r);
    planned_inform_family(p);
    planned_schedule(p, START_IN, "in_person", 1);
    free(minutes_invite_parent(p, "Parent Example"));
    minutes_hold(p, NULL);
}

static void held_free(held *h)
{
    for (int i = 0; i < 4; i++)
        free(h->action[i]);
    free(h->colleague_invitation);
    person_free(&h->colleague);
    planned_free(&h->p);
}

static json_t *person_json(const person *who)
{
    return json_pack("{s:s, s:s, s:s}", "name", who->who.name, "agency", who->who.agency, "sub",
                     who->who.sub);
}

static json_t *action_item(const char *description, json_t *owner, const char *due,
                           const char *contingency)
{
    return json_pack("{s:s, s:o, s:s, s:s}", "description", description, "owner", owner,
                     "due_date", due, "contingency", contingency);
}

static const char *const descriptions[4] = {
    "Share police contacts with the lead professional",
    "Book the missed health review",
    "Arrange the joint home visit",
    "Check the address history",
};

/* Complete minutes (support/minutes.c) whose plan has four items: 0 owned
 * by the police officer, 1 by the health visitor, 2 by a police owner named
 * without a subject id, 3 by the requester and already past its due date. */
static json_t *complete_minutes(held *h)
{
    planned *p = &h->p;
    date_from_today(30, h->due[0]);
    date_from_today(20, h->due[1]);
    date_from_today(40, h->due[2]);
    json_t *doc = minutes_complete(p, NULL);
    json_object_set_new(
        doc, "actions",
        json_pack("[o, o, o, o]",
                  action_item(descriptions[0], person_json(&p->police_officer), h->due[0],
                              "The chair asks the police manager"),
                  action_item(descriptions[1], person_json(&p->health_visitor), h->due[1],
                              "The GP practice is asked to book it"),
                  action_item(descriptions[2],
                              json_pack("{s:s, s:s}", "name", "Duty sergeant", "agency",
                                        p->police),
                              h->due[2], "The police manager names another officer"),
                  action_item(descriptions[3], person_json(&p->requester), PAST_DUE,
                              "The team manager checks it")));
    return doc;
}

/* Held, minutes written by the minute taker and approved by the chair; the
 * ids of the four actions approval made. */
static void held_with_actions(held *h)
{
    held_meeting(h);
    planned *p = &h->p;
    json_t *doc = complete_minutes(h);
    char path[160];
    snprintf(path, sizeof path, "/v1/meetings/%s/minutes", p->meeting_id);
    http_response *r = api_call("PUT", path, p->requester.token, doc, NULL);
    json_decref(doc);
    cr_assert_eq(r->status, 201, "writing minutes: %ld %s", r->status, r->body);
    long v = json_int(r->json, "version");
    http_free(r);
    snprintf(path, sizeof path, "/v1/meetings/%s/minutes/approve", p->meeting_id);
    r = api_call("POST", path, p->manager.token, NULL, etag_of(v));
    cr_assert_eq(r->status, 200, "approving: %ld %s", r->status, r->body);
    http_free(r);
    for (int i = 0; i < 4; i++) {
        char n[16];
        snprintf(n, sizeof n, "%d", i);
        const char *params[] = {p->meeting_id, n};
        h->action[i] = db_value("SELECT id FROM actions WHERE meeting_id = $1 AND kind = 'plan'"
                                " AND item_index = $2::integer",
                                2, params);
        cr_assert(*h->action[i], "an action for item %d", i);
    }
}

/* --- calls --- */

static const char *action_path(const char *id, const char *command)
{
    static char path[160];
    snprintf(path, sizeof path, "/v1/actions/%s%s%s", id, command ? "/" : "",
             command ? command : "");
    return path;
}

static http_response *get_action(const person *by, const char *id)
{
    return api_get(action_path(id, NULL), by->token);
}

/* POST /v1/actions/{id}/{complete|cancel} with {"note": note} (no body
 * when note is NULL). */
static http_response *close_action(const person *by, const char *id, const char *command,
                                   const char *note, const char *if_match)
{
    json_t *body = note ? json_pack("{s:s}", "note", note) : NULL;
    http_response *r = api_call("POST", action_path(id, command), by->token, body, if_match);
    json_decref(body);
    return r;
}

static http_response *new_due_date(const person *by, const char *id, const char *due,
                                   const char *reason, const char *if_match)
{
    json_t *body = json_pack("{s:s}", "due_date", due);
    if (reason)
        json_object_set_new(body, "reason", json_string(reason));
    http_response *r = api_call("PATCH", action_path(id, NULL), by->token, body, if_match);
    json_decref(body);
    return r;
}

/* GET /v1/actions?<query> as `by`, which must answer 200 (caller frees). */
static http_response *list(const person *by, const char *query)
{
    char path[512];
    snprintf(path, sizeof path, "/v1/actions%s%s", query ? "?" : "", query ? query : "");
    http_response *r = api_get(path, by->token);
    cr_assert_eq(r->status, 200, "%s -> %ld %s", path, r->status, r->body);
    cr_assert(json_is_array(json_object_get(r->json, "items")), "%s", r->body);
    return r;
}

/* The listed ids equal exactly these actions of h, in this order. */
static void expect_listed(const http_response *r, const held *h, const int *which, size_t n)
{
    json_t *items = json_object_get(r->json, "items");
    cr_assert_eq(json_array_size(items), n, "expected %zu actions: %s", n, r->body);
    for (size_t i = 0; i < n; i++)
        expect_str(json_str(json_array_get(items, i), "id"), h->action[which[i]]);
}

/* --- ACT-1: approval makes the actions --- */

Test(actions, ACT_1_approval_turns_each_plan_item_into_an_action)
{
    held h;
    held_with_actions(&h);
    planned *p = &h.p;
    const person *owners[4] = {&p->police_officer, &p->health_visitor, NULL, &p->requester};
    const char *agencies[4] = {p->police, p->health, p->police, p->csc};
    const char *dues[4] = {h.due[0], h.due[1], h.due[2], PAST_DUE};
    for (int i = 0; i < 4; i++) {
        http_response *r = get_action(&p->manager, h.action[i]);
        cr_assert_eq(r->status, 200, "%s", r->body);
        char *etag = http_header(r, "ETag");
        expect_str(etag, "\"1\"");
        free(etag);
        json_t *a = r->json;
        expect_str(json_str(a, "id"), h.action[i]);
        expect_str(json_str(a, "meeting_id"), p->meeting_id);
        expect_str(json_str(a, "current_meeting_id"), p->meeting_id);
        expect_str(json_str(a, "kind"), "plan");
        expect_str(json_str(a, "description"), descriptions[i]);
        json_t *owner = json_object_get(a, "owner");
        expect_str(json_str(owner, "agency"), agencies[i]);
        if (owners[i]) {
            expect_str(json_str(owner, "name"), owners[i]->who.name);
            expect_str(json_str(owner, "sub"), owners[i]->who.sub);
        } else {
            expect_str(json_str(owner, "name"), "Duty sergeant");
            cr_assert(json_is_null(json_object_get(owner, "sub")), "%s", r->body);
        }
        expect_str(json_str(a, "due_date"), dues[i]);
        cr_assert(json_str(a, "contingency") && *json_str(a, "contingency"), "%s", r->body);
        expect_str(json_str(a, "status"), "open");
        cr_assert(json_is_null(json_object_get(a, "status_note")), "%s", r->body);
        /* only the item whose due date has passed is overdue */
        cr_assert_eq(json_is_true(json_object_get(a, "overdue")), i == 3, "%s", r->body);
        cr_assert_eq(json_int(a, "version"), 1);
        json_t *history = json_object_get(a, "history");
        cr_assert_eq(json_array_size(history), 1, "%s", r->body);
        json_t *created = json_array_get(history, 0);
        expect_str(json_str(created, "change"), "created");
        expect_str(json_str(json_object_get(created, "by"), "sub"), p->manager.who.sub);
        expect_str(json_str(created, "meeting_id"), p->meeting_id);
        http_free(r);
        cr_assert_eq(feed_events(h.action[i], "action.created"), 1);
        cr_assert_eq(feed_rows(h.action[i], "action.created"), 3);
        cr_assert_eq(audit_rows(h.action[i], "action.read"), 1);
    }
    held_free(&h);
}

/* --- ACT-3: listing --- */

Test(actions, ACT_3_actions_listed_by_owner_agency_meeting_status_and_overdue)
{
    held h;
    held_with_actions(&h);
    planned *p = &h.p;
    char q[256];
    /* by meeting, ordered by due date: 1 (20 days), 0 (30), 2 (40), 3 is past */
    snprintf(q, sizeof q, "meeting_id=%s", p->meeting_id);
    http_response *r = list(&p->manager, q);
    expect_listed(r, &h, (const int[]){3, 1, 0, 2}, 4);
    cr_assert(json_is_null(json_object_get(r->json, "next_cursor")), "%s", r->body);
    http_free(r);
    /* the police officer sees the meeting's actions too */
    r = list(&p->police_officer, q);
    expect_listed(r, &h, (const int[]){3, 1, 0, 2}, 4);
    http_free(r);

    /* by owner: me, or a subject id */
    r = list(&p->police_officer, "owner=me");
    expect_listed(r, &h, (const int[]){0}, 1);
    http_free(r);
    r = list(&p->requester, "owner=me");
    expect_listed(r, &h, (const int[]){3}, 1);
    http_free(r);
    snprintf(q, sizeof q, "owner=%s", p->health_visitor.who.sub);
    r = list(&p->manager, q);
    expect_listed(r, &h, (const int[]){1}, 1);
    http_free(r);
    r = list(&h.colleague, "owner=me");
    expect_listed(r, &h, NULL, 0);
    http_free(r);

    /* by the owner's agency */
    snprintf(q, sizeof q, "agency=%s", p->police);
    r = list(&p->manager, q);
    expect_listed(r, &h, (const int[]){0, 2}, 2);
    http_free(r);

    /* overdue: open and past the due date */
    snprintf(q, sizeof q, "meeting_id=%s&overdue=true", p->meeting_id);
    r = list(&p->manager, q);
    expect_listed(r, &h, (const int[]){3}, 1);
    cr_assert(json_is_true(json_object_get(json_array_get(json_object_get(r->json, "items"), 0),
                                           "overdue")),
              "%s", r->body);
    http_free(r);
    snprintf(q, sizeof q, "meeting_id=%s&overdue=false", p->meeting_id);
    r = list(&p->manager, q);
    expect_listed(r, &h, (const int[]){1, 0, 2}, 3);
    http_free(r);

    /* by status, once one is completed and one cancelled */
    http_response *c = close_action(&p->police_officer, h.action[0], "complete",
                                    "Contacts shared by email", "\"1\"");
    cr_assert_eq(c->status, 200, "%s", c->body);
    http_free(c);
    c = close_action(&p->manager, h.action[3], "cancel", "The address history was already known",
                     "\"1\"");
    cr_assert_eq(c->status, 200, "%s", c->body);
    http_free(c);
    snprintf(q, sizeof q, "meeting_id=%s&status=open", p->meeting_id);
    r = list(&p->manager, q);
    expect_listed(r, &h, (const int[]){1, 2}, 2);
    http_free(r);
    snprintf(q, sizeof q, "meeting_id=%s&status=completed", p->meeting_id);
    r = list(&p->manager, q);
    expect_listed(r, &h, (const int[]){0}, 1);
    http_free(r);
    snprintf(q, sizeof q, "meeting_id=%s&status=cancelled", p->meeting_id);
    r = list(&p->manager, q);
    expect_listed(r, &h, (const int[]){3}, 1);
    http_free(r);
    /* a cancelled action is no longer overdue */
    snprintf(q, sizeof q, "meeting_id=%s&overdue=true", p->meeting_id);
    r = list(&p->manager, q);
    expect_listed(r, &h, NULL, 0);
    http_free(r);
    /* filters combine */
    snprintf(q, sizeof q, "agency=%s&status=open&meeting_id=%s", p->police, p->meeting_id);
    r = list(&p->manager, q);
    expect_listed(r, &h, (const int[]){2}, 1);
    http_free(r);
    snprintf(q, sizeof q, "owner=%s&status=completed", p->police_officer.who.sub);
    r = list(&p->manager, q);
    expect_listed(r, &h, (const int[]){0}, 1);
    http_free(r);

    /* the list is audited with the ids it showed */
    const char *params[] = {h.action[2], p->manager.who.sub};
    cr_assert(db_long("SELECT count(*) FROM audit_events WHERE action = 'action.list'"
                      " AND $1 = ANY (resource_ids) AND actor_sub = $2",
                      2, params) >= 3);
    held_free(&h);
}

Test(actions, ACT_3_pages_of_actions_follow_the_cursor)
{
    held h;
    held_with_actions(&h);
    planned *p = &h.p;
    const int order[] = {3, 1, 0, 2};
    for (int size = 1; size <= 3; size += 2) {
        char q[400];
        snprintf(q, sizeof q, "meeting_id=%s&limit=%d", p->meeting_id, size);
        size_t seen = 0;
        char *cursor = NULL;
        for (int pages = 0; pages < 10; pages++) {
            char with_cursor[600];
            snprintf(with_cursor, sizeof with_cursor, "%s%s%s", q, cursor ? "&cursor=" : "",
                     cursor ? cursor : "");
            http_response *r = list(&p->manager, with_cursor);
            json_t *items = json_object_get(r->json, "items");
            cr_assert(json_array_size(items) <= (size_t)size, "%s", r->body);
            size_t i;
            json_t *a;
            json_array_foreach(items, i, a) {
                cr_assert(seen < 4, "no action twice: %s", r->body);
                expect_str(json_str(a, "id"), h.action[order[seen]]);
                seen++;
            }
            free(cursor);
            const char *next = json_str(r->json, "next_cursor");
            cursor = next ? strdup(next) : NULL;
            if (seen < 4)
                cr_assert(cursor, "a next page while actions remain: %s", r->body);
            http_free(r);
            if (!cursor)
                break;
        }
        free(cursor);
        cr_assert_eq(seen, 4, "every action once with limit %d", size);
    }
    held_free(&h);
}

Test(actions, ACT_3_malformed_filters_are_rejected)
{
    held h;
    held_with_actions(&h);
    planned *p = &h.p;
    static const struct {
        const char *query, *field;
    } bad[] = {
        {"owner=", "owner"},
        {"agency=police%20team", "agency"},
        {"agency=x", "agency"},
        {"meeting_id=12345", "meeting_id"},
        {"status=done", "status"},
        {"status=OPEN", "status"},
        {"overdue=yes", "overdue"},
        {"overdue=1", "overdue"},
        {"limit=0", "limit"},
        {"limit=201", "limit"},
        {"limit=ten", "limit"},
        {"cursor=not-a-cursor", "cursor"},
        {"colour=red", "colour"},
    };
    char *before = snapshot(&h, NULL);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char path[256];
        snprintf(path, sizeof path, "/v1/actions?%s", bad[i].query);
        http_response *r = api_get(path, p->manager.token);
        expect_problem(r, 400, "/problems/invalid-request");
        cr_assert(problem_has_field(r, bad[i].field), "%s names %s: %s", bad[i].query,
                  bad[i].field, r->body);
        http_free(r);
        expect_same(&h, NULL, before);
    }
    /* every malformed filter at once */
    http_response *r =
        api_get("/v1/actions?owner=&meeting_id=x&status=done&overdue=yes", p->manager.token);
    expect_problem(r, 400, "/problems/invalid-request");
    cr_assert_eq(error_count(r), 4, "%s", r->body);
    http_free(r);
    expect_same(&h, NULL, before);
    free(before);
    held_free(&h);
}

/* --- ACT-1: completing, cancelling, a new due date --- */

Test(actions, ACT_1_complete_and_cancel_need_a_note_if_match_and_an_open_action)
{
    held h;
    held_with_actions(&h);
    planned *p = &h.p;
    const char *id = h.action[0];
    const char *commands[] = {"complete", "cancel"};

    char *before = snapshot(&h, NULL);
    for (size_t i = 0; i < 2; i++) {
        http_response *r = close_action(&p->police_officer, id, commands[i], NULL, "\"1\"");
        expect_refusal(r, 422, "/problems/rule-violated", "ACT-1", "note");
        http_free(r);
        r = close_action(&p->police_officer, id, commands[i], "   ", "\"1\"");
        expect_refusal(r, 422, "/problems/rule-violated", "ACT-1", "note");
        http_free(r);
        r = close_action(&p->police_officer, id, commands[i], "Done", NULL);
        expect_refusal(r, 428, "/problems/precondition-required", NULL, NULL);
        http_free(r);
        r = close_action(&p->police_officer, id, commands[i], "Done", "\"4\"");
        expect_refusal(r, 412, "/problems/stale-version", NULL, NULL);
        char *etag = http_header(r, "ETag");
        expect_str(etag, "\"1\"");
        free(etag);
        http_free(r);
        json_t *extra = json_pack("{s:s, s:s}", "note", "Done", "status", "completed");
        r = api_call("POST", action_path(id, commands[i]), p->police_officer.token, extra,
                     "\"1\"");
        expect_problem(r, 400, "/problems/invalid-request");
        cr_assert(problem_has_field(r, "status"), "%s", r->body);
        http_free(r);
        json_decref(extra);
        expect_same(&h, NULL, before);
    }
    free(before);

    /* completed by its owner, with the note in the history */
    http_response *r =
        close_action(&p->police_officer, id, "complete", "Contacts shared by email", "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    char *etag = http_header(r, "ETag");
    expect_str(etag, "\"2\"");
    free(etag);
    expect_str(json_str(r->json, "status"), "completed");
    expect_str(json_str(r->json, "status_note"), "Contacts shared by email");
    cr_assert(json_str(r->json, "closed_at"), "%s", r->body);
    cr_assert_eq(json_int(r->json, "version"), 2);
    json_t *history = json_object_get(r->json, "history");
    cr_assert_eq(json_array_size(history), 2, "%s", r->body);
    json_t *last = json_array_get(history, 1);
    expect_str(json_str(last, "change"), "completed");
    expect_str(json_str(last, "note"), "Contacts shared by email");
    expect_str(json_str(json_object_get(last, "by"), "sub"), p->police_officer.who.sub);
    http_free(r);

    /* only an open action is completed, cancelled or given a new date */
    char later[11];
    date_from_today(50, later);
    before = snapshot(&h, NULL);
    for (size_t i = 0; i < 2; i++) {
        r = close_action(&p->police_officer, id, commands[i], "Again", "\"2\"");
        expect_refusal(r, 409, "/problems/invalid-state", "ACT-1", "status");
        http_free(r);
        expect_same(&h, NULL, before);
    }
    r = new_due_date(&p->police_officer, id, later, "More time", "\"2\"");
    expect_refusal(r, 409, "/problems/invalid-state", "ACT-1", "status");
    http_free(r);
    expect_same(&h, NULL, before);
    free(before);

    /* cancelled by the chair */
    r = close_action(&p->manager, h.action[1], "cancel", "The review was booked by the GP",
                     "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    expect_str(json_str(r->json, "status"), "cancelled");
    expect_str(json_str(r->json, "status_note"), "The review was booked by the GP");
    history = json_object_get(r->json, "history");
    expect_str(json_str(json_array_get(history, 1), "change"), "cancelled");
    http_free(r);
    before = snapshot(&h, NULL);
    r = close_action(&p->manager, h.action[1], "complete", "Done after all", "\"2\"");
    expect_refusal(r, 409, "/problems/invalid-state", "ACT-1", "status");
    http_free(r);
    expect_same(&h, NULL, before);
    free(before);
    held_free(&h);
}

Test(actions, ACT_1_a_new_due_date_needs_a_reason_kept_in_the_history)
{
    held h;
    held_with_actions(&h);
    planned *p = &h.p;
    const char *id = h.action[3]; /* overdue, owned by the requester */
    char later[11], yesterday[11];
    date_from_today(14, later);
    date_from_today(-1, yesterday);

    char *before = snapshot(&h, NULL);
    http_response *r = new_due_date(&p->requester, id, later, NULL, "\"1\"");
    expect_refusal(r, 422, "/problems/rule-violated", "ACT-1", "reason");
    cr_assert_eq(error_count(r), 1, "%s", r->body);
    http_free(r);
    r = new_due_date(&p->requester, id, yesterday, "Too late already", "\"1\"");
    expect_refusal(r, 422, "/problems/rule-violated", "ACT-1", "due_date");
    http_free(r);
    r = new_due_date(&p->requester, id, yesterday, NULL, "\"1\"");
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert(problem_has_rule(r, "ACT-1", "reason"), "%s", r->body);
    cr_assert(problem_has_rule(r, "ACT-1", "due_date"), "%s", r->body);
    http_free(r);
    r = new_due_date(&p->requester, id, later, "More time", NULL);
    expect_refusal(r, 428, "/problems/precondition-required", NULL, NULL);
    http_free(r);
    r = new_due_date(&p->requester, id, later, "More time", "\"3\"");
    expect_refusal(r, 412, "/problems/stale-version", NULL, NULL);
    http_free(r);
    r = new_due_date(&p->requester, id, "14/05/2031", "More time", "\"1\"");
    expect_problem(r, 400, "/problems/invalid-request");
    cr_assert(problem_has_field(r, "due_date"), "%s", r->body);
    http_free(r);
    json_t *owner_change = json_pack("{s:s, s:s, s:{s:s}}", "due_date", later, "reason", "x",
                                     "owner", "name", "Someone else");
    r = api_call("PATCH", action_path(id, NULL), p->requester.token, owner_change, "\"1\"");
    expect_problem(r, 400, "/problems/invalid-request");
    cr_assert(problem_has_field(r, "owner"), "%s", r->body);
    http_free(r);
    json_decref(owner_change);
    expect_same(&h, NULL, before);
    free(before);

    r = new_due_date(&p->requester, id, later, "Waiting for the housing records", "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    expect_str(json_str(r->json, "due_date"), later);
    expect_str(json_str(r->json, "status"), "open");
    cr_assert(json_is_false(json_object_get(r->json, "overdue")), "%s", r->body);
    cr_assert_eq(json_int(r->json, "version"), 2);
    json_t *history = json_object_get(r->json, "history");
    cr_assert_eq(json_array_size(history), 2, "%s", r->body);
    json_t *change = json_array_get(history, 1);
    expect_str(json_str(change, "change"), "due_date_changed");
    expect_str(json_str(change, "from"), PAST_DUE);
    expect_str(json_str(change, "to"), later);
    expect_str(json_str(change, "note"), "Waiting for the housing records");
    expect_str(json_str(json_object_get(change, "by"), "sub"), p->requester.who.sub);
    http_free(r);
    /* no longer overdue */
    char q[160];
    snprintf(q, sizeof q, "meeting_id=%s&overdue=true", p->meeting_id);
    r = list(&p->manager, q);
    expect_listed(r, &h, NULL, 0);
    http_free(r);
    held_free(&h);
}

/* --- ACT-2: who changes an action --- */

Test(actions, ACT_2_the_owner_the_chair_or_a_manager_of_the_owners_agency_changes_it)
{
    held h;
    held_with_actions(&h);
    planned *p = &h.p;
    char *other = agency_new("education");
    person stranger = person_new(other, "practitioner");
    person csc_manager = person_new(p->csc, "manager");
    person police_manager = person_new(p->police, "manager");
    const char *id = h.action[0]; /* owned by the police officer (by sub) */
    char d1[11], d2[11], d3[11];
    date_from_today(31, d1);
    date_from_today(32, d2);
    date_from_today(33, d3);

    /* those who see it but are not the owner, the chair or a manager of
     * the owner's agency: a practitioner of the owner's agency invited to
     * the meeting, an invitee of another agency, the minute taker and a
     * manager of the convening agency */
    const person *not_allowed[] = {&h.colleague, &p->health_visitor, &p->requester, &csc_manager};
    for (size_t i = 0; i < 4; i++) {
        http_response *r = get_action(not_allowed[i], id);
        cr_assert_eq(r->status, 200, "they see it: %s", r->body);
        http_free(r);
    }

    /* a stranger does not learn the action exists */
    char *before = snapshot(&h, other);
    http_response *r = get_action(&stranger, id);
    expect_refusal(r, 404, "/problems/not-found", NULL, NULL);
    http_free(r);
    r = new_due_date(&stranger, id, d1, "More time", "\"1\"");
    expect_refusal(r, 404, "/problems/not-found", NULL, NULL);
    http_free(r);
    r = close_action(&stranger, id, "complete", "Done", "\"1\"");
    expect_refusal(r, 404, "/problems/not-found", NULL, NULL);
    http_free(r);
    expect_same(&h, other, before);

    /* ... and none of those who only see it changes it */
    for (size_t i = 0; i < 4; i++) {
        r = new_due_date(not_allowed[i], id, d1, "More time", "\"1\"");
        expect_refusal(r, 403, "/problems/forbidden", "ACT-2", "");
        http_free(r);
        r = close_action(not_allowed[i], id, "complete", "Done", "\"1\"");
        expect_refusal(r, 403, "/problems/forbidden", "ACT-2", "");
        http_free(r);
        r = close_action(not_allowed[i], id, "cancel", "Not needed", "\"1\"");
        expect_refusal(r, 403, "/problems/forbidden", "ACT-2", "");
        http_free(r);
        expect_same(&h, other, before);
    }
    free(before);

    /* the owner by subject id, the chair, a manager of the owner's agency
     * (who sees the action without seeing the meeting) */
    r = new_due_date(&p->police_officer, id, d1, "Awaiting a reply", "\"1\"");
    cr_assert_eq(r->status, 200, "the owner: %s", r->body);
    http_free(r);
    r = new_due_date(&p->manager, id, d2, "Agreed with the chair", "\"2\"");
    cr_assert_eq(r->status, 200, "the chair: %s", r->body);
    http_free(r);
    r = get_action(&police_manager, id);
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    before = snapshot(&h, NULL);
    r = api_get(meeting_path(p->meeting_id, NULL), police_manager.token);
    expect_refusal(r, 404, "/problems/not-found", NULL, NULL);
    http_free(r);
    expect_same(&h, NULL, before);
    free(before);
    r = new_due_date(&police_manager, id, d3, "The officer is on leave", "\"3\"");
    cr_assert_eq(r->status, 200, "the manager of the owner's agency: %s", r->body);
    expect_str(json_str(r->json, "due_date"), d3);
    json_t *history = json_object_get(r->json, "history");
    cr_assert_eq(json_array_size(history), 4, "%s", r->body);
    expect_str(json_str(json_object_get(json_array_get(history, 1), "by"), "sub"),
               p->police_officer.who.sub);
    expect_str(json_str(json_object_get(json_array_get(history, 2), "by"), "sub"),
               p->manager.who.sub);
    expect_str(json_str(json_object_get(json_array_get(history, 3), "by"), "sub"),
               police_manager.who.sub);
    http_free(r);
    r = close_action(&police_manager, id, "complete", "Done by a colleague", "\"4\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);

    /* an owner named without a subject id: no practitioner is its owner */
    const char *unnamed = h.action[2];
    before = snapshot(&h, other);
    r = close_action(&p->police_officer, unnamed, "complete", "Done", "\"1\"");
    expect_refusal(r, 403, "/problems/forbidden", "ACT-2", "");
    http_free(r);
    expect_same(&h, other, before);
    free(before);
    r = close_action(&police_manager, unnamed, "complete", "The sergeant did it", "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);

    person_free(&stranger);
    person_free(&csc_manager);
    person_free(&police_manager);
    free(other);
    held_free(&h);
}

/* --- SEC-2 --- */

Test(actions, SEC_2_an_unrelated_agency_sees_none_of_the_actions)
{
    held h;
    held_with_actions(&h);
    planned *p = &h.p;
    char *other = agency_new("police");
    person stranger = person_new(other, "practitioner");
    person stranger_manager = person_new(other, "manager");
    person police_manager = person_new(p->police, "manager");

    /* (the outsiders' own agency gains the audit rows of their empty
     * lists, so it is left out of the comparison) */
    char *before = snapshot(&h, NULL);
    const person *outsiders[] = {&stranger, &stranger_manager};
    for (size_t k = 0; k < 2; k++) {
        char q[256];
        http_response *r = list(outsiders[k], NULL);
        expect_listed(r, &h, NULL, 0);
        http_free(r);
        snprintf(q, sizeof q, "meeting_id=%s", p->meeting_id);
        r = list(outsiders[k], q);
        expect_listed(r, &h, NULL, 0);
        http_free(r);
        snprintf(q, sizeof q, "agency=%s", p->police);
        r = list(outsiders[k], q);
        expect_listed(r, &h, NULL, 0);
        http_free(r);
        snprintf(q, sizeof q, "owner=%s", p->police_officer.who.sub);
        r = list(outsiders[k], q);
        expect_listed(r, &h, NULL, 0);
        http_free(r);
        snprintf(q, sizeof q, "overdue=true");
        r = list(outsiders[k], q);
        expect_listed(r, &h, NULL, 0);
        http_free(r);
        for (int i = 0; i < 4; i++) {
            r = get_action(outsiders[k], h.action[i]);
            expect_refusal(r, 404, "/problems/not-found", NULL, NULL);
            http_free(r);
        }
        expect_same(&h, NULL, before);
    }
    free(before);
    /* no audit row says an outsider saw any of them */
    const char *params[] = {h.action[0], h.action[1], h.action[2], h.action[3], other};
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE actor_agency = $5"
                         " AND (resource_id IN ($1, $2, $3, $4)"
                         "      OR resource_ids && ARRAY[$1, $2, $3, $4]::text[])",
                         5, params),
                 0);

    /* a manager of the owners' police agency sees the police-owned ones */
    http_response *r = list(&police_manager, NULL);
    expect_listed(r, &h, (const int[]){0, 2}, 2);
    http_free(r);
    before = snapshot(&h, NULL);
    r = get_action(&police_manager, h.action[1]);
    expect_refusal(r, 404, "/problems/not-found", NULL, NULL);
    http_free(r);
    expect_same(&h, NULL, before);
    free(before);

    person_free(&stranger);
    person_free(&stranger_manager);
    person_free(&police_manager);
    free(other);
    held_free(&h);
}

/* --- SEC-4, INT-2 --- */

Test(actions, SEC_4_INT_2_action_changes_audited_and_announced)
{
    held h;
    held_with_actions(&h);
    planned *p = &h.p;
    char later[11];
    date_from_today(45, later);
    http_response *r = new_due_date(&p->health_visitor, h.action[1], later, "Clinic moved",
                                    "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    r = close_action(&p->police_officer, h.action[0], "complete", "Done", "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    r = close_action(&p->manager, h.action[3], "cancel", "Not needed", "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    r = get_action(&p->health_visitor, h.action[1]);
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);

    cr_assert_eq(audit_rows(h.action[1], "action.update"), 1);
    cr_assert_eq(audit_rows(h.action[0], "action.complete"), 1);
    cr_assert_eq(audit_rows(h.action[3], "action.cancel"), 1);
    cr_assert_eq(audit_rows(h.action[1], "action.read"), 1);
    const char *params[] = {h.action[1], p->health_visitor.who.sub, p->health};
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE resource_id = $1"
                         " AND action = 'action.update' AND actor_sub = $2 AND actor_agency = $3"
                         " AND resource_type = 'action' AND outcome = 'success'",
                         3, params),
                 1);

    /* each agency of the meeting hears of each change, with the version */
    cr_assert_eq(feed_events(h.action[1], "action.updated"), 1);
    cr_assert_eq(feed_rows(h.action[1], "action.updated"), 3);
    cr_assert_eq(feed_events(h.action[0], "action.completed"), 1);
    cr_assert_eq(feed_rows(h.action[0], "action.completed"), 3);
    cr_assert_eq(feed_events(h.action[3], "action.cancelled"), 1);
    cr_assert_eq(db_long("SELECT count(*) FROM events WHERE resource_id = $1"
                         " AND type = 'action.updated' AND resource_type = 'action'"
                         " AND resource_version = 2",
                         1, params),
                 3);
    /* the feed tells nothing of the people involved */
    cr_assert_eq(db_long("SELECT count(*) FROM events WHERE resource_id = $1"
                         " AND (type || resource_type || resource_id) LIKE '%' || $2 || '%'",
                         2, params),
                 0);
    held_free(&h);
}
