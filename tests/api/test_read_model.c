/* The read model (issue 21; sql/050_meeting_renderings.sql,
 * sql/functions/87_meeting_renderings.sql), over real HTTP against the real
 * database: each meeting's representation is rendered at the COMMIT of any
 * change to what it embeds and stored, and GET /v1/meetings/{id} returns the
 * stored bytes. So a change is visible in the very next read, the stored row
 * is the read byte for byte with the meeting's version, concurrent writers
 * never leave an older rendering in place, and a read on a day the stored
 * rendering does not hold for (the test clock, X-Test-Now) renders afresh.
 *
 * Direct SQL only inspects the stored rendering, compares it with a fresh
 * one (meeting_json), proves the service's role cannot write it, and (as
 * the schema's owner) corrupts one to see `mam renderings check`'s query
 * name it. Reads that compare with the stored row follow the wall clock
 * (no X-Test-Now), whose day is the database's. */
#include <criterion/criterion.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "support/client.h"
#include "support/expect.h"
#include "support/fixtures.h"
#include "support/minutes.h"
#include "support/people.h"
#include "support/planning.h"

#include "held_meeting.h"

/* --- the stored rendering --- */

static char *stored(const char *meeting_id, const char *column)
{
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT %s FROM meeting_renderings WHERE meeting_id = $1", column);
    const char *params[] = {meeting_id};
    return db_value(sql, 1, params);
}

static long stored_version(const char *meeting_id)
{
    const char *params[] = {meeting_id};
    return db_long("SELECT version FROM meeting_renderings WHERE meeting_id = $1", 1, params);
}

/* The meeting rendered afresh on the database's day, and its version, as
 * "<version> <json>" (a new string). */
static char *fresh(const char *meeting_id)
{
    const char *params[] = {meeting_id};
    return db_value("SELECT m.version || ' ' || meeting_json(m, (now() AT TIME ZONE 'UTC')::date)"
                    " FROM meetings m WHERE m.id = $1",
                    1, params);
}

/* The stored row as "<version> <body>" (a new string). */
static char *stored_row(const char *meeting_id)
{
    return stored(meeting_id, "version || ' ' || body::text");
}

/* GET the meeting as `by` (200), and check that the answer is the stored
 * rendering byte for byte, that the stored version is the meeting's and the
 * ETag's, and that the stored rendering is what meeting_json renders now. */
static http_response *read_as_stored(const person *by, const char *meeting_id)
{
    http_response *r = api_get(meeting_path(meeting_id, NULL), by->token);
    cr_assert_eq(r->status, 200, "reading the meeting: %ld %s", r->status, r->body);
    char *body = stored(meeting_id, "body::text");
    cr_assert_str_eq(r->body, body, "the read is the stored rendering");
    free(body);
    long version = json_int(r->json, "version");
    const char *params[] = {meeting_id};
    cr_assert_eq(stored_version(meeting_id), version);
    cr_assert_eq(db_long("SELECT version FROM meetings WHERE id = $1", 1, params), version);
    char *etag = http_header(r, "ETag");
    cr_assert_str_eq(etag, etag_of(version));
    free(etag);
    char *now = fresh(meeting_id), *row = stored_row(meeting_id);
    cr_assert_str_eq(row, now, "the stored rendering is the meeting as it is");
    free(now);
    free(row);
    return r;
}

/* The answer's meeting is the next read's. */
static void expect_same_meeting(const http_response *change, const http_response *read)
{
    cr_assert(json_equal(change->json, read->json), "the change answered %s, the read %s",
              change->body, read->body);
}

static const char *member_str(const http_response *r, const char *object, const char *key)
{
    return json_str(json_object_get(r->json, object), key);
}

/* --- fixtures --- */

static const char *consent_path(const char *meeting_id)
{
    static char path[160];
    snprintf(path, sizeof path, "/v1/meetings/%s/consent-decisions", meeting_id);
    return path;
}

/* A decision not to inform the family (FAM-2) on the meeting, as `by`;
 * returns its id (a new string). */
static char *not_to_inform(const person *by, const char *meeting_id)
{
    json_t *body = json_pack("{s:s, s:[s], s:s}", "decision", "not_inform", "grounds",
                             "would_jeopardise_police_investigation", "rationale",
                             "The police are about to interview; telling the family now "
                             "could put the child at risk");
    http_response *r = api_call("POST", consent_path(meeting_id), by->token, body, NULL);
    json_decref(body);
    cr_assert_eq(r->status, 201, "deciding not to inform: %ld %s", r->status, r->body);
    char *id = strdup(json_str(r->json, "id"));
    http_free(r);
    return id;
}

static http_response *agree(const person *by, const char *decision_id)
{
    char path[160];
    snprintf(path, sizeof path, "/v1/consent-decisions/%s/agreements", decision_id);
    json_t *body = json_pack("{s:b}", "agrees", 1);
    http_response *r = api_call("POST", path, by->token, body, NULL);
    json_decref(body);
    return r;
}

static const char *action_path(const char *id, const char *command)
{
    static char path[160];
    snprintf(path, sizeof path, "/v1/actions/%s%s%s", id, command ? "/" : "",
             command ? command : "");
    return path;
}

static http_response *action_due(const person *by, const char *id, const char *due,
                                 const char *if_match)
{
    json_t *body = json_pack("{s:s, s:s}", "due_date", due, "reason", "The school asked for time");
    http_response *r = api_call("PATCH", action_path(id, NULL), by->token, body, if_match);
    json_decref(body);
    return r;
}

/* The previous meeting's plan action owned by the requester (item 2 of the
 * shared minutes), a new string. */
static char *requesters_action(const char *meeting_id)
{
    char *actions[3];
    minutes_plan_actions(meeting_id, actions, 3);
    free(actions[0]);
    free(actions[1]);
    return actions[2];
}

/* p held with its minutes approved (a review agreed `review_in_days` ahead)
 * and a follow-up requested by p's requester and authorised; the test
 * clock is given back to the wall clock. Returns the follow-up's id. */
static char *followed_up(planned *p, long review_in_days, long *version)
{
    held_meeting_now(p, "multi_agency");
    held_minutes_approved(p, &p->manager, held_complete_minutes(p, review_in_days));
    test_clock_set(0);
    char *id = held_review_requested(&p->requester, p->meeting_id);
    *version = meeting_authorise(&p->manager, id, 1);
    return id;
}

static bool lists_action(const json_t *meeting, const char *action_id, json_t **found)
{
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(meeting, "previous_open_actions"), i, a)
        if (strcmp(json_str(a, "id"), action_id) == 0) {
            if (found)
                *found = a;
            return true;
        }
    return false;
}

/* --- 1. the very next read --- */

Test(read_model, FAM_2_an_invitation_answered_or_added_is_in_the_next_read)
{
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);
    char *decision = not_to_inform(&p.manager, p.meeting_id);
    http_response *r = read_as_stored(&p.requester, p.meeting_id);
    cr_assert_str_eq(member_str(r, "family_notice", "decision_id"), decision);
    cr_assert_str_eq(member_str(r, "family_notice", "status"), "pending_agreement");
    http_free(r);

    /* both invited agencies agree: agreed in the next read */
    http_response *a = agree(&p.police_officer, decision);
    cr_assert_eq(a->status, 201, "%s", a->body);
    http_free(a);
    r = read_as_stored(&p.requester, p.meeting_id);
    cr_assert_str_eq(member_str(r, "family_notice", "status"), "pending_agreement");
    http_free(r);
    a = agree(&p.health_visitor, decision);
    cr_assert_eq(a->status, 201, "%s", a->body);
    http_free(a);
    r = read_as_stored(&p.requester, p.meeting_id);
    cr_assert_str_eq(member_str(r, "family_notice", "status"), "agreed");
    char *before = strdup(r->body);
    http_free(r);

    /* answering an invitation: the meeting's representation embeds nothing
     * of the answer (consent_status counts the agencies invited, answered
     * or not), so the next read of the invitation shows it and the next read
     * of the meeting is the same bytes, still the stored ones */
    char path[160];
    snprintf(path, sizeof path, "/v1/invitations/%s/respond", p.police_invitation);
    json_t *body = json_pack("{s:s}", "response", "accepted");
    http_response *answer = api_call("POST", path, p.police_officer.token, body, "\"1\"");
    json_decref(body);
    cr_assert_eq(answer->status, 200, "%s", answer->body);
    snprintf(path, sizeof path, "/v1/invitations/%s", p.police_invitation);
    http_response *invitation = api_get(path, p.requester.token);
    cr_assert_eq(invitation->status, 200, "%s", invitation->body);
    cr_assert_str_eq(json_str(invitation->json, "status"), "accepted");
    cr_assert(json_equal(answer->json, invitation->json), "%s / %s", answer->body,
              invitation->body);
    http_free(answer);
    http_free(invitation);
    r = read_as_stored(&p.requester, p.meeting_id);
    cr_assert_str_eq(r->body, before, "the answer changed nothing the meeting shows");
    http_free(r);
    free(before);

    /* inviting another agency re-opens the agreement: in the next read */
    char *education = agency_new("health");
    person nurse = person_new(education, "practitioner");
    body = invitation_body(&nurse, "School nurse");
    http_response *inv = invite(&p.requester, p.meeting_id, body);
    json_decref(body);
    cr_assert_eq(inv->status, 201, "%s", inv->body);
    http_free(inv);
    r = read_as_stored(&p.requester, p.meeting_id);
    cr_assert_str_eq(member_str(r, "family_notice", "status"), "pending_agreement");
    http_free(r);

    person_free(&nurse);
    free(education);
    free(decision);
    planned_free(&p);
}

Test(read_model, MIN_3_approved_minutes_are_in_the_next_read)
{
    planned p;
    held_meeting_now(&p, "multi_agency");
    test_clock_set(0);
    json_t *doc = held_complete_minutes(&p, 20);
    http_response *w =
        api_call("PUT", held_minutes_path(p.meeting_id, NULL), p.requester.token, doc, NULL);
    json_decref(doc);
    cr_assert_eq(w->status, 201, "writing the minutes: %ld %s", w->status, w->body);
    long version = json_int(w->json, "version");
    http_free(w);
    http_response *r = read_as_stored(&p.requester, p.meeting_id);
    cr_assert_str_eq(member_str(r, "minutes", "status"), "draft");
    cr_assert(json_is_null(json_object_get(r->json, "next_review_on")), "%s", r->body);
    http_free(r);

    w = api_call("POST", held_minutes_path(p.meeting_id, "/approve"), p.manager.token, NULL,
                 etag_of(version));
    cr_assert_eq(w->status, 200, "approving: %ld %s", w->status, w->body);
    r = read_as_stored(&p.requester, p.meeting_id);
    cr_assert_str_eq(member_str(r, "minutes", "status"), "approved");
    cr_assert_str_eq(member_str(r, "minutes", "approved_at"), json_str(w->json, "approved_at"));
    char review[11];
    held_date_from_today(20, review);
    cr_assert_str_eq(json_str(r->json, "next_review_on"), review);
    http_free(r);
    http_free(w);
    planned_free(&p);
}

Test(read_model, MTG_4_FAM_1_decisions_recorded_are_in_the_next_read)
{
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    person manager = person_new(agency, "manager");
    char *id = meeting_new(&requester, "stop_and_review");
    http_response *r = read_as_stored(&requester, id);
    cr_assert(json_is_null(json_object_get(r->json, "decision")), "%s", r->body);
    cr_assert(json_is_null(json_object_get(r->json, "family_notice")), "%s", r->body);
    http_free(r);

    /* the authorisation answers the meeting: the next read is that answer */
    http_response *c = api_call("POST", meeting_path(id, "authorise"), manager.token, NULL, "\"1\"");
    cr_assert_eq(c->status, 200, "authorising: %ld %s", c->status, c->body);
    r = read_as_stored(&requester, id);
    expect_same_meeting(c, r);
    cr_assert_str_eq(member_str(r, "decision", "outcome"), "authorised");
    cr_assert_str_eq(json_str(json_object_get(json_object_get(r->json, "decision"), "by"), "sub"),
                     manager.who.sub);
    http_free(r);
    http_free(c);

    /* a family-notice decision answers the decision; the meeting's next
     * read holds it */
    json_t *body = json_pack("{s:s}", "decision", "inform");
    c = api_call("POST", consent_path(id), manager.token, body, NULL);
    json_decref(body);
    cr_assert_eq(c->status, 201, "deciding: %ld %s", c->status, c->body);
    r = read_as_stored(&requester, id);
    cr_assert_str_eq(member_str(r, "family_notice", "decision_id"), json_str(c->json, "id"));
    cr_assert_str_eq(member_str(r, "family_notice", "decision"), "inform");
    cr_assert_str_eq(member_str(r, "family_notice", "status"), "effective");
    /* and the list shows the same stored rendering */
    http_response *l = api_get("/v1/meetings?status=authorised", requester.token);
    cr_assert_eq(l->status, 200, "%s", l->body);
    json_t *items = json_object_get(l->json, "items");
    cr_assert_eq(json_array_size(items), 1, "%s", l->body);
    cr_assert(json_equal(json_array_get(items, 0), r->json), "%s", l->body);
    http_free(l);
    http_free(r);
    http_free(c);

    free(id);
    person_free(&requester);
    person_free(&manager);
    free(agency);
}

Test(read_model, ACT_1_ACT_2_an_action_of_the_previous_meeting_changed_or_closed_is_in_the_next_read)
{
    planned p;
    long version;
    char *follow_up = followed_up(&p, 20, &version);
    char *mine = requesters_action(p.meeting_id);
    const char *params[] = {p.meeting_id};
    long open = db_long("SELECT count(*) FROM actions WHERE current_meeting_id = $1"
                        " AND status = 'open'",
                        1, params);
    cr_assert_geq(open, 1);
    http_response *r = read_as_stored(&p.requester, follow_up);
    json_t *listed = json_object_get(r->json, "previous_open_actions");
    char *text = json_dumps(listed, JSON_COMPACT);
    cr_assert_eq((long)json_array_size(listed), open, "%s", text);
    cr_assert(lists_action(r->json, mine, NULL), "%s", text);
    free(text);
    http_free(r);

    /* a new due date */
    char later[11];
    date_from_today(45, later);
    http_response *c = action_due(&p.requester, mine, later, "\"1\"");
    cr_assert_eq(c->status, 200, "a new due date: %ld %s", c->status, c->body);
    http_free(c);
    r = read_as_stored(&p.requester, follow_up);
    json_t *a = NULL;
    cr_assert(lists_action(r->json, mine, &a), "%s", r->body);
    cr_assert_str_eq(json_str(a, "due_date"), later);
    cr_assert_eq(json_int(r->json, "version"), version, "the follow-up itself did not change");
    http_free(r);

    /* completed: gone from the next read */
    json_t *body = json_pack("{s:s}", "note", "Done");
    c = api_call("POST", action_path(mine, "complete"), p.requester.token, body, "\"2\"");
    json_decref(body);
    cr_assert_eq(c->status, 200, "completing: %ld %s", c->status, c->body);
    http_free(c);
    r = read_as_stored(&p.requester, follow_up);
    cr_assert(!lists_action(r->json, mine, NULL), "%s", r->body);
    cr_assert_eq((long)json_array_size(json_object_get(r->json, "previous_open_actions")),
                 open - 1);
    http_free(r);

    free(mine);
    free(follow_up);
    planned_free(&p);
}

Test(read_model, MTG_12_a_review_requested_is_in_the_previous_meetings_next_read)
{
    planned p;
    held_meeting_now(&p, "multi_agency");
    held_minutes_approved(&p, &p.manager, held_complete_minutes(&p, 1));
    test_clock_set(0);
    http_response *r = read_as_stored(&p.requester, p.meeting_id);
    cr_assert(json_is_false(json_object_get(r->json, "review_overdue")), "%s", r->body);
    http_free(r);
    /* the stored rendering holds until the day after the review date */
    const char *params[] = {p.meeting_id};
    char *until = stored(p.meeting_id, "valid_until::text");
    char *expected = db_value("SELECT (next_review_on + 1)::text FROM meetings WHERE id = $1", 1,
                              params);
    cr_assert_str_eq(until, expected);
    free(until);
    free(expected);

    /* three days later (the request's clock) the review is overdue, in a
     * rendering made afresh for that day */
    time_t later = time(NULL) + 3 * HELD_DAY;
    test_clock_set(later);
    r = api_get(meeting_path(p.meeting_id, NULL), p.requester.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert(json_is_true(json_object_get(r->json, "review_overdue")), "%s", r->body);
    http_free(r);
    char *rendered_before = stored(p.meeting_id, "rendered_at::text");

    /* a review requested: the previous meeting's next read is not overdue */
    char *review = held_review_requested(&p.requester, p.meeting_id);
    r = api_get(meeting_path(p.meeting_id, NULL), p.requester.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert(json_is_false(json_object_get(r->json, "review_overdue")), "%s", r->body);
    http_free(r);
    /* and its stored rendering was made again at the request's COMMIT,
     * still the meeting as it is */
    char *rendered_after = stored(p.meeting_id, "rendered_at::text");
    cr_assert_str_neq(rendered_after, rendered_before, "rendered again");
    test_clock_set(0);
    r = read_as_stored(&p.requester, p.meeting_id);
    cr_assert(json_is_false(json_object_get(r->json, "review_overdue")), "%s", r->body);
    http_free(r);

    free(rendered_before);
    free(rendered_after);
    free(review);
    planned_free(&p);
}

/* --- 2. concurrent writers --- */

#define ACTIONS 3 /* the plan items of the shared minutes */
#define WRITERS (5 + ACTIONS)
/* Rounds: the writers that need an agency of their own each round (the
 * invitations and agreements) write in the first ROUNDS; the title and
 * action writers in every one of ACTION_ROUNDS. */
#define ROUNDS 12
#define ACTION_ROUNDS 30

typedef struct race {
    const char *meeting_id;   /* the follow-up every writer changes */
    const char *actions[ACTIONS]; /* the open actions of its previous meeting */
    const char *decision_id;  /* its decision not to inform */
    const person *requester, *chair;
    const person *agreeing[2 * ROUNDS]; /* invited, agreeing with the decision */
    const person *invitees[2 * ROUNDS]; /* of agencies not yet invited */
    pthread_barrier_t start, done;      /* the writers and the checker, each round */
} race;

typedef struct writer {
    race *race;
    int kind;
    int failures;
    long last_status;
    char last_body[256];
} writer;

static void writer_note(writer *w, http_response *r, long want)
{
    if (r->status != want) {
        w->failures++;
        w->last_status = r->status;
        snprintf(w->last_body, sizeof w->last_body, "%s", r->body);
    }
    http_free(r);
}

/* One write of round i, on a connection of its own: the meeting (its
 * title), invitations (two writers, each adding an agency), consent
 * agreements (two writers, different agencies), or the actions of the
 * previous meeting (a writer each, their due dates, as its chair) — each a
 * table the rendering embeds. The first five lock the meeting's row; the
 * action writers do not, so only the rendering's own lock orders their
 * COMMITs' renderings. */
static void write_once(writer *w, int i)
{
    const race *g = w->race;
    json_t *body = NULL;
    if (i >= ROUNDS && w->kind >= 1 && w->kind <= 4)
        return; /* no more agencies of their own */
    switch (w->kind) {
    case 0: {
        char title[64];
        snprintf(title, sizeof title, "Review, round %d", i + 1);
        body = json_pack("{s:s}", "title", title);
        writer_note(w, api_call("PATCH", meeting_path(g->meeting_id, NULL), g->requester->token,
                                body, "*"),
                    200);
        break;
    }
    case 1:
    case 2:
        body = invitation_body(g->invitees[2 * i + w->kind - 1], "Health visitor");
        writer_note(w, invite(g->requester, g->meeting_id, body), 201);
        break;
    case 3:
    case 4:
        writer_note(w, agree(g->agreeing[2 * i + w->kind - 3], g->decision_id), 201);
        break;
    default: {
        char due[11];
        date_from_today(31 + i + (w->kind - 5), due);
        writer_note(w, action_due(g->chair, g->actions[w->kind - 5], due, "*"), 200);
        break;
    }
    }
    json_decref(body);
}

/* Every round the writers start together, so that their COMMITs meet. */
static void *write_rounds(void *arg)
{
    writer *w = arg;
    for (int i = 0; i < ACTION_ROUNDS; i++) {
        pthread_barrier_wait(&w->race->start);
        write_once(w, i);
        pthread_barrier_wait(&w->race->done);
    }
    return NULL;
}

Test(read_model, concurrent_writers_never_leave_a_rendering_older_than_its_row)
{
    planned p;
    long version;
    char *follow_up = followed_up(&p, 20, &version);
    race g = {.meeting_id = follow_up, .requester = &p.requester, .chair = &p.manager};
    char *actions[ACTIONS];
    minutes_plan_actions(p.meeting_id, actions, ACTIONS);
    for (int i = 0; i < ACTIONS; i++)
        g.actions[i] = actions[i];
    char *agencies[4 * ROUNDS];
    person people[4 * ROUNDS];
    for (int i = 0; i < 4 * ROUNDS; i++) {
        agencies[i] = agency_new("health");
        people[i] = person_new(agencies[i], "practitioner");
    }
    for (int i = 0; i < 2 * ROUNDS; i++) {
        json_t *body = invitation_body(&people[i], "Health visitor");
        http_response *r = invite(&p.requester, follow_up, body);
        json_decref(body);
        cr_assert_eq(r->status, 201, "inviting: %ld %s", r->status, r->body);
        http_free(r);
        g.agreeing[i] = &people[i];
    }
    for (int i = 0; i < 2 * ROUNDS; i++)
        g.invitees[i] = &people[2 * ROUNDS + i];
    char *decision = not_to_inform(&p.manager, follow_up);
    g.decision_id = decision;

    pthread_barrier_init(&g.start, NULL, WRITERS + 1);
    pthread_barrier_init(&g.done, NULL, WRITERS + 1);
    writer writers[WRITERS];
    pthread_t threads[WRITERS];
    for (int k = 0; k < WRITERS; k++) {
        writers[k] = (writer){.race = &g, .kind = k};
        cr_assert_eq(pthread_create(&threads[k], NULL, write_rounds, &writers[k]), 0);
    }
    /* after each round the stored rendering is the meeting as every write
     * of the round left it */
    int stale = 0;
    char stale_after[512] = "";
    for (int i = 0; i < ACTION_ROUNDS; i++) {
        pthread_barrier_wait(&g.start);
        pthread_barrier_wait(&g.done);
        char *now = fresh(follow_up), *row = stored_row(follow_up);
        if (strcmp(now, row) != 0) {
            /* where they part, for the message */
            size_t at = 0;
            while (now[at] && now[at] == row[at])
                at++;
            at = at > 80 ? at - 80 : 0;
            stale++;
            snprintf(stale_after, sizeof stale_after, "round %d: stored ...%.200s, fresh ...%.200s",
                     i + 1, row + at, now + at);
        }
        free(now);
        free(row);
    }
    for (int k = 0; k < WRITERS; k++)
        pthread_join(threads[k], NULL);
    pthread_barrier_destroy(&g.start);
    pthread_barrier_destroy(&g.done);
    for (int k = 0; k < WRITERS; k++)
        cr_assert_eq(writers[k].failures, 0, "writer %d: %ld %s", k, writers[k].last_status,
                     writers[k].last_body);
    cr_assert_eq(stale, 0, "a rendering older than its row after %d of %d rounds (%s)", stale,
                 ACTION_ROUNDS, stale_after);

    /* and the read is every change */
    http_response *r = read_as_stored(&p.requester, follow_up);
    char title[64];
    snprintf(title, sizeof title, "Review, round %d", ACTION_ROUNDS);
    cr_assert_str_eq(json_str(r->json, "title"), title);
    cr_assert_eq(json_int(r->json, "version"), version + ACTION_ROUNDS);
    cr_assert_str_eq(member_str(r, "family_notice", "status"), "pending_agreement");
    for (int i = 0; i < ACTIONS; i++) {
        json_t *a = NULL;
        cr_assert(lists_action(r->json, actions[i], &a), "%s", r->body);
        char last_due[11];
        date_from_today(31 + ACTION_ROUNDS - 1 + i, last_due);
        cr_assert_str_eq(json_str(a, "due_date"), last_due);
    }
    http_free(r);
    const char *params[] = {follow_up};
    cr_assert_eq(db_long("SELECT cardinality(meeting_invited_agencies($1))", 1, params),
                 4 * ROUNDS);

    for (int i = 0; i < 4 * ROUNDS; i++) {
        person_free(&people[i]);
        free(agencies[i]);
    }
    for (int i = 0; i < ACTIONS; i++)
        free(actions[i]);
    free(decision);
    free(follow_up);
    planned_free(&p);
}

/* --- 3. the days a rendering holds for --- */

Test(read_model, ACT_1_an_overdue_flag_holds_until_the_due_date_passes_then_renders_afresh)
{
    planned p;
    long version;
    char *follow_up = followed_up(&p, 0, &version);
    char *mine = requesters_action(p.meeting_id);
    /* due three days after the database's day */
    char *due = db_value("SELECT ((now() AT TIME ZONE 'UTC')::date + 3)::text", 0, NULL);
    http_response *c = action_due(&p.requester, mine, due, "\"1\"");
    cr_assert_eq(c->status, 200, "a new due date: %ld %s", c->status, c->body);
    http_free(c);
    http_response *r = read_as_stored(&p.requester, follow_up);
    char *body = strdup(r->body);
    http_free(r);
    char *until = stored(follow_up, "valid_until::text");
    char *day_after = db_value("SELECT ($1::date + 1)::text", 1, (const char *const[]){due});
    cr_assert_str_eq(until, day_after, "held until the day after the due date");
    char *rendered_at = stored(follow_up, "rendered_at::text");

    /* on the due date (the request's clock, noon): the stored bytes, not
     * overdue */
    struct tm tm = {0};
    cr_assert(strptime(due, "%Y-%m-%d", &tm));
    tm.tm_hour = 12;
    time_t due_noon = timegm(&tm);
    test_clock_set(due_noon);
    r = api_get(meeting_path(follow_up, NULL), p.requester.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(r->body, body, "the stored rendering holds on the due date");
    json_t *a = NULL;
    cr_assert(lists_action(r->json, mine, &a), "%s", r->body);
    cr_assert(json_is_false(json_object_get(a, "overdue")), "%s", r->body);
    http_free(r);

    /* the day after: rendered afresh, overdue; nothing else differs */
    test_clock_set(due_noon + HELD_DAY);
    r = api_get(meeting_path(follow_up, NULL), p.requester.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert(lists_action(r->json, mine, &a), "%s", r->body);
    cr_assert(json_is_true(json_object_get(a, "overdue")), "%s", r->body);
    json_object_set_new(a, "overdue", json_false());
    json_t *was = json_loads(body, 0, NULL);
    cr_assert(json_equal(r->json, was), "only the flag differs: %s", r->body);
    json_decref(was);
    http_free(r);

    /* the reads wrote nothing */
    char *after = stored(follow_up, "rendered_at::text");
    cr_assert_str_eq(after, rendered_at);
    free(after);
    test_clock_set(0);
    r = read_as_stored(&p.requester, follow_up);
    cr_assert_str_eq(r->body, body);
    http_free(r);

    free(rendered_at);
    free(day_after);
    free(until);
    free(body);
    free(due);
    free(mine);
    free(follow_up);
    planned_free(&p);
}

/* --- 4. only the schema writes renderings; a refusal changes none --- */

Test(read_model, the_services_role_cannot_write_renderings)
{
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    char *id = meeting_new(&requester, "professionals");
    char *row = stored_row(id);
    char sql[512];
    /* each statement's text before and after the meeting's id */
    const char *attempts[][2] = {
        {"UPDATE meeting_renderings SET body = '{}' WHERE meeting_id = ", ""},
        {"DELETE FROM meeting_renderings WHERE meeting_id = ", ""},
        {"INSERT INTO meeting_renderings (meeting_id, body, version, valid_from, valid_until,"
         " rendered_at) VALUES (",
         ", '{}', 99, '-infinity', 'infinity', now()) ON CONFLICT (meeting_id) DO NOTHING"},
    };
    for (size_t i = 0; i < sizeof attempts / sizeof attempts[0]; i++) {
        snprintf(sql, sizeof sql, "%s'%s'%s", attempts[i][0], id, attempts[i][1]);
        char *state = db_try(sql);
        cr_assert_str_eq(state, "42501", "permission denied: %s", sql);
        free(state);
    }
    char *after = stored_row(id);
    cr_assert_str_eq(after, row);
    free(after);
    free(row);
    free(id);
    person_free(&requester);
    free(agency);
}

Test(read_model, a_refused_change_leaves_the_stored_rendering_unchanged)
{
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    person manager = person_new(agency, "manager");
    char *id = meeting_new(&requester, "professionals");
    long version = meeting_authorise(&manager, id, 1);
    char *row = stored(id, "version || ' ' || rendered_at || ' ' || body::text");

    /* a stale If-Match */
    json_t *body = json_pack("{s:s}", "title", "Not this title");
    http_response *r = api_call("PATCH", meeting_path(id, NULL), requester.token, body, "\"1\"");
    json_decref(body);
    expect_problem(r, 412, NULL);
    http_free(r);
    /* authorised already */
    r = api_call("POST", meeting_path(id, "authorise"), manager.token, NULL, etag_of(version));
    expect_problem(r, 409, "/problems/invalid-state");
    http_free(r);

    char *after = stored(id, "version || ' ' || rendered_at || ' ' || body::text");
    cr_assert_str_eq(after, row, "the stored rendering is untouched");
    free(after);
    r = read_as_stored(&requester, id);
    cr_assert_str_neq(json_str(r->json, "title"), "Not this title");
    http_free(r);
    free(row);
    free(id);
    person_free(&requester);
    person_free(&manager);
    free(agency);
}

/* --- 5. `mam renderings check` names a rendering that is not the meeting --- */

/* Runs a statement as the schema's owner (MIGRATION_DATABASE_URL); returns
 * the first value of its first row, a new string ("" when none). */
static char *as_owner(const char *sql, const char *param)
{
    const char *url = getenv("MIGRATION_DATABASE_URL");
    cr_assert(url, "MIGRATION_DATABASE_URL is not set");
    PGconn *pg = PQconnectdb(url);
    cr_assert_eq(PQstatus(pg), CONNECTION_OK, "%s", PQerrorMessage(pg));
    const char *params[] = {param};
    PGresult *res = PQexecParams(pg, sql, 1, NULL, params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(res);
    cr_assert(st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK, "%s: %s", sql,
              PQresultErrorMessage(res));
    char *out = strdup(st == PGRES_TUPLES_OK && PQntuples(res) > 0 ? PQgetvalue(res, 0, 0) : "");
    PQclear(res);
    PQfinish(pg);
    return out;
}

static char *stale_days(const char *meeting_id)
{
    return as_owner("SELECT coalesce(string_agg(coalesce(s.on_day::text, 'none'), ','), '')"
                    " FROM meeting_renderings_stale((now() AT TIME ZONE 'UTC')::date) s"
                    " WHERE s.meeting_id = $1::uuid",
                    meeting_id);
}

Test(read_model, a_corrupted_rendering_is_named_by_the_check_and_rendered_again_and_a_missing_one_read_afresh)
{
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    char *id = meeting_new(&requester, "professionals");
    char *days = stale_days(id);
    cr_assert_str_eq(days, "", "a fresh rendering is not stale");
    free(days);

    /* a body that is not the meeting */
    free(as_owner("UPDATE meeting_renderings SET body = json_build_object('id', meeting_id)"
                  " WHERE meeting_id = $1::uuid",
                  id));
    days = stale_days(id);
    cr_assert_str_neq(days, "", "the check names it");
    free(days);
    free(as_owner("SELECT meeting_renderings_refresh($1::uuid)", id));
    days = stale_days(id);
    cr_assert_str_eq(days, "");
    free(days);

    /* the right body made from another version */
    free(as_owner("UPDATE meeting_renderings SET version = version + 1 WHERE meeting_id = $1::uuid",
                  id));
    days = stale_days(id);
    cr_assert_str_neq(days, "", "the check names it");
    free(days);
    /* and a missing one */
    free(as_owner("DELETE FROM meeting_renderings WHERE meeting_id = $1::uuid", id));
    days = stale_days(id);
    cr_assert_str_eq(days, "none");
    free(days);
    /* which a read renders afresh, audited, rather than answering 404 */
    const char *params[] = {id};
    const char *audited = "SELECT count(*) FROM audit_events WHERE action = 'meeting.read'"
                          " AND resource_id = $1";
    long reads = db_long(audited, 1, params);
    http_response *missing = api_get(meeting_path(id, NULL), requester.token);
    cr_assert_eq(missing->status, 200, "%ld %s", missing->status, missing->body);
    char *now = fresh(id);
    cr_assert(strstr(now, missing->body), "the read is the meeting rendered afresh");
    free(now);
    cr_assert_eq(db_long(audited, 1, params), reads + 1);
    http_free(missing);

    free(as_owner("SELECT meeting_renderings_refresh($1::uuid)", id));
    days = stale_days(id);
    cr_assert_str_eq(days, "", "rendered again");
    free(days);
    http_response *r = read_as_stored(&requester, id);
    http_free(r);

    /* housekeeping renews a rendering whose days have passed */
    free(as_owner("UPDATE meeting_renderings SET valid_from = '2000-01-01',"
                  " valid_until = '2000-01-02' WHERE meeting_id = $1::uuid",
                  id));
    char *renewed = as_owner("SELECT meeting_renderings_renew((now() AT TIME ZONE 'UTC')::date,"
                             " 1000) WHERE $1::uuid IS NOT NULL",
                             id);
    cr_assert_neq(atol(renewed), 0, "renewed");
    free(renewed);
    char *until = stored(id, "valid_until::text");
    cr_assert_str_eq(until, "infinity", "the renewed rendering holds again");
    free(until);
    days = stale_days(id);
    cr_assert_str_eq(days, "");
    free(days);
    free(id);
    person_free(&requester);
    free(agency);
}
