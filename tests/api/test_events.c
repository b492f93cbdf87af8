/* The integration event feed (INT-2) over real HTTP against the real
 * database: every change appends an event for the agencies concerned, in
 * the same transaction; GET /v1/events?after= returns an agency's events in
 * commit order, each exactly once, without personal data.
 *
 * Every agency's feed also hears of each bank holiday added or removed,
 * and tests running in parallel add fictional holidays all the time: so
 * these tests look at their own events (their meetings and their agency)
 * and compare whole feeds only up to a position read before. Directory
 * changes reach only the agency's own feed. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/text.h"
#include "support/client.h"
#include "support/expect.h"
#include "support/fixtures.h"
#include "support/minutes.h"
#include "support/people.h"
#include "support/planning.h"

/* --- helpers --- */

static http_response *feed(const person *integration, const char *after, int limit)
{
    char path[512];
    int n = snprintf(path, sizeof path, "/v1/events");
    char sep = '?';
    if (after) {
        n += snprintf(path + n, sizeof path - (size_t)n, "%cafter=%s", sep, after);
        sep = '&';
    }
    if (limit > 0)
        snprintf(path + n, sizeof path - (size_t)n, "%climit=%d", sep, limit);
    http_response *r = api_get(path, integration->token);
    cr_assert_eq(r->status, 200, "%s -> %ld %s", path, r->status, r->body);
    cr_assert(json_is_array(json_object_get(r->json, "items")), "%s", r->body);
    return r;
}

/* Is this event one of the test's own: about its meetings, or about its
 * agency (and not another test's agency joining the directory, nor another
 * test's bank holiday or policy change, nor a reminder)? */
static bool mine(json_t *event, const char *agency)
{
    const char *type = json_str(event, "resource_type");
    if (type && strcmp(type, "agency") == 0)
        return strcmp(json_str(event, "resource_id"), agency) == 0;
    /* reminders (OBL-3) come from the scheduler on its own time, like
     * another test's bank holiday or a policy change: not the test's own */
    const char *event_type = json_str(event, "type");
    if (event_type && strncmp(event_type, "reminder.", 9) == 0)
        return false;
    return !type || (strcmp(type, "bank_holiday") != 0 && strcmp(type, "policy") != 0);
}

/* Reads the integration's feed from the start to its current end, 200 at a
 * time; returns every event (new reference) and the last cursor (new
 * string, or NULL for an empty feed). */
static json_t *read_to_end(const person *integration, char **cursor_out)
{
    json_t *all = json_array();
    char *after = NULL;
    for (int pages = 0;; pages++) {
        cr_assert_lt(pages, 1000, "the feed ends");
        http_response *r = feed(integration, after, 200);
        json_t *items = json_object_get(r->json, "items");
        size_t got = json_array_size(items);
        json_array_extend(all, items);
        json_t *next = json_object_get(r->json, "next_cursor");
        if (json_is_string(next)) {
            free(after);
            after = strdup(json_string_value(next));
        }
        http_free(r);
        if (got < 200)
            break;
    }
    if (cursor_out)
        *cursor_out = after;
    else
        free(after);
    return all;
}

/* The test's own events on the feed (new reference), once there are at
 * least `want`. An event is served only when every transaction that could
 * commit before it has ended, so a busy database may hold it back for a
 * moment: ask again until it shows. */
static json_t *own_events(const person *integration, const char *agency, size_t want)
{
    for (int attempt = 0; attempt < 200; attempt++) {
        json_t *all = read_to_end(integration, NULL);
        json_t *own = json_array();
        size_t i;
        json_t *e;
        json_array_foreach(all, i, e) {
            if (mine(e, agency))
                json_array_append(own, e);
        }
        json_decref(all);
        if (json_array_size(own) >= want)
            return own;
        json_decref(own);
        usleep(50000);
    }
    cr_assert_fail("the feed did not show %zu events of the test within 10 s", want);
    return NULL;
}

static const char *type_of(json_t *events, size_t i)
{
    return json_str(json_array_get(events, i), "type");
}

/* --- INT-2 --- */

Test(events, INT_2_requested_and_authorised_appear_in_order)
{
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    person manager = person_new(agency, "manager");
    person integration = person_new(agency, "integration");
    char *id = meeting_new(&requester, "stop_and_review");
    meeting_authorise(&manager, id, 1);

    /* the agency's own creation comes first on its feed */
    json_t *own = own_events(&integration, agency, 3);
    cr_assert_eq(json_array_size(own), 3);
    cr_assert_str_eq(type_of(own, 0), "agency.created");
    cr_assert_str_eq(type_of(own, 1), "meeting.requested");
    cr_assert_str_eq(type_of(own, 2), "meeting.authorised");
    for (size_t i = 1; i < 3; i++) {
        json_t *e = json_array_get(own, i);
        cr_assert_str_eq(json_str(e, "resource_type"), "meeting");
        cr_assert_str_eq(json_str(e, "resource_id"), id);
        cr_assert_eq(json_int(e, "resource_version"), (long)i);
        cr_assert_str_eq(json_str(e, "agency"), agency);
        cr_assert(text_is_uuid(json_str(e, "id")), "event id %s", json_str(e, "id"));
        cr_assert(text_is_timestamp(json_str(e, "occurred_at")));
    }
    cr_assert_str_neq(json_str(json_array_get(own, 1), "id"),
                      json_str(json_array_get(own, 2), "id"));
    json_decref(own);

    /* a page with events says where to resume */
    http_response *r = feed(&integration, NULL, 1);
    cr_assert(json_is_string(json_object_get(r->json, "next_cursor")), "%s", r->body);
    http_free(r);

    /* one event per change, written with it: the version is the meeting's */
    const char *params[] = {id};
    cr_assert_eq(db_long("SELECT count(*) FROM events WHERE resource_id = $1", 1, params), 2);
    cr_assert_eq(db_long("SELECT version FROM meetings WHERE id = $1", 1, params), 2);

    free(id);
    person_free(&integration);
    person_free(&manager);
    person_free(&requester);
    free(agency);
}

Test(events, INT_2_paging_with_after_returns_each_event_once_in_order)
{
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    person manager = person_new(agency, "manager");
    person integration = person_new(agency, "integration");
    char *first = meeting_new(&requester, "stop_and_review");
    char *second = meeting_new(&requester, "professionals");
    meeting_authorise(&manager, first, 1);
    char path[128];
    snprintf(path, sizeof path, "/v1/meetings/%s/decline", second);
    json_t *reason = json_pack("{s:s}", "reason", "Handled within a single agency");
    http_response *r = api_call("POST", path, manager.token, reason, "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    json_decref(reason);

    /* agency.created, two requests, the authorisation and the decline */
    json_t *own = own_events(&integration, agency, 5);
    cr_assert_eq(json_array_size(own), 5);
    cr_assert_str_eq(type_of(own, 0), "agency.created");
    cr_assert_str_eq(type_of(own, 1), "meeting.requested");
    cr_assert_str_eq(type_of(own, 2), "meeting.requested");
    cr_assert_str_eq(type_of(own, 3), "meeting.authorised");
    cr_assert_str_eq(type_of(own, 4), "meeting.declined");
    cr_assert_str_eq(json_str(json_array_get(own, 1), "resource_id"), first);
    cr_assert_str_eq(json_str(json_array_get(own, 2), "resource_id"), second);
    json_decref(own);

    /* the feed as one read; then page by page: up to where the single read
     * ended, the pages hold exactly its events, each once, in its order */
    char *end_cursor = NULL;
    json_t *whole = read_to_end(&integration, &end_cursor);
    size_t n = json_array_size(whole);
    cr_assert_geq(n, 5);
    const char *last_id = json_str(json_array_get(whole, n - 1), "id");
    for (int limit = 1; limit <= 2; limit++) {
        json_t *seen = json_array();
        char *after = NULL;
        bool reached = false;
        for (int pages = 0; !reached; pages++) {
            cr_assert_lt(pages, 5000, "paging ends");
            r = feed(&integration, after, limit);
            json_t *items = json_object_get(r->json, "items");
            cr_assert_leq(json_array_size(items), (size_t)limit);
            cr_assert_gt(json_array_size(items), 0,
                         "limit %d: the feed ended before the single read's last event", limit);
            size_t i;
            json_t *e;
            json_array_foreach(items, i, e) {
                if (!reached)
                    json_array_append(seen, e);
                reached |= strcmp(json_str(e, "id"), last_id) == 0;
            }
            json_t *next = json_object_get(r->json, "next_cursor");
            cr_assert(json_is_string(next), "the feed always says where to resume: %s",
                      r->body);
            free(after);
            after = strdup(json_string_value(next));
            http_free(r);
        }
        cr_assert(json_equal(seen, whole),
                  "limit %d: %zu paged events equal the %zu of the single read", limit,
                  json_array_size(seen), n);
        free(after);
        json_decref(seen);
    }

    /* a follower that resumes from the last cursor sees only what is new */
    snprintf(path, sizeof path, "/v1/meetings/%s/cancel", first);
    reason = json_pack("{s:s}", "reason", "No longer needed");
    r = api_call("POST", path, requester.token, reason, "\"2\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    json_decref(reason);
    /* read on from the cursor, page after page: other tests' agencies add
     * events of their own meanwhile */
    json_t *cancelled = NULL;
    char *cursor = strdup(end_cursor);
    for (int attempt = 0; attempt < 600 && !cancelled; attempt++) { /* 30 s of waiting */
        r = feed(&integration, cursor, 200);
        size_t i;
        json_t *e;
        json_t *items = json_object_get(r->json, "items");
        json_array_foreach(items, i, e) {
            cr_assert(mine(e, agency) ? strcmp(json_str(e, "type"), "meeting.cancelled") == 0
                                      : true,
                      "only the new event of ours comes after the cursor: %s", r->body);
            if (mine(e, agency))
                cancelled = json_incref(e);
        }
        bool caught_up = json_array_size(items) < 200;
        const char *next = json_str(r->json, "next_cursor");
        cr_assert(next, "a feed always says where to resume: %s", r->body);
        free(cursor);
        cursor = strdup(next);
        http_free(r);
        if (!cancelled && caught_up)
            usleep(50000);
    }
    free(cursor);
    cr_assert(cancelled, "the cancellation reaches the feed");
    cr_assert_str_eq(json_str(cancelled, "resource_id"), first);
    cr_assert_eq(json_int(cancelled, "resource_version"), 3);
    json_decref(cancelled);

    free(end_cursor);
    json_decref(whole);
    free(first);
    free(second);
    person_free(&integration);
    person_free(&manager);
    person_free(&requester);
    free(agency);
}

/* Writers for the concurrency test: no criterion assertions off the main
 * thread; each records how many of its requests were created. */
typedef struct writer {
    const person *who;
    int meetings;
    int created;
} writer;

static void *write_meetings(void *arg)
{
    writer *w = arg;
    for (int i = 0; i < w->meetings; i++) {
        json_t *body = meeting_body(i % 2 ? "professionals" : "stop_and_review");
        char *text = json_dumps(body, JSON_COMPACT);
        json_decref(body);
        const char *headers[] = {"Content-Type: application/json", NULL};
        http_response *r = http_call("POST", "/v1/meetings", w->who->token, headers, text,
                                     strlen(text));
        if (r->status == 201)
            w->created++;
        http_free(r);
        free(text);
    }
    return NULL;
}

Test(events, INT_2_follower_misses_nothing_under_concurrent_changes)
{
    enum { WRITERS = 4, EACH = 5 };
    char *agency = agency_new("childrens_social_care");
    person integration = person_new(agency, "integration");
    person people[WRITERS];
    writer writers[WRITERS];
    pthread_t threads[WRITERS];
    for (int i = 0; i < WRITERS; i++) {
        people[i] = person_new(agency, "practitioner");
        writers[i] = (writer){.who = &people[i], .meetings = EACH, .created = 0};
    }
    for (int i = 0; i < WRITERS; i++)
        cr_assert_eq(pthread_create(&threads[i], NULL, write_meetings, &writers[i]), 0);

    /* follow the feed two at a time while the writers write */
    json_t *followed = json_array();
    char *after = NULL;
    size_t want = 1 + WRITERS * EACH, own = 0;
    for (int round = 0; round < 3000 && own < want; round++) {
        http_response *r = feed(&integration, after, 2);
        json_t *items = json_object_get(r->json, "items");
        size_t i;
        json_t *e;
        json_array_foreach(items, i, e) {
            json_array_append(followed, e);
            own += mine(e, agency);
        }
        json_t *next = json_object_get(r->json, "next_cursor");
        if (json_is_string(next)) {
            free(after);
            after = strdup(json_string_value(next));
        }
        size_t got = json_array_size(items);
        http_free(r);
        if (got == 0)
            usleep(10000);
    }
    for (int i = 0; i < WRITERS; i++) {
        pthread_join(threads[i], NULL);
        cr_assert_eq(writers[i].created, EACH, "writer %d created %d", i, writers[i].created);
    }
    cr_assert_eq(own, want, "the follower saw %zu of the %zu events of the test", own, want);

    /* what the follower saw is the feed: read at once afterwards, it begins
     * with the same events in the same order, and none of them repeats */
    json_t *whole = read_to_end(&integration, NULL);
    size_t n = json_array_size(followed);
    cr_assert_geq(json_array_size(whole), n);
    for (size_t i = 0; i < n; i++)
        cr_assert(json_equal(json_array_get(followed, i), json_array_get(whole, i)),
                  "event %zu differs between the follower and the feed", i);
    for (size_t i = 0; i < n; i++)
        for (size_t k = i + 1; k < n; k++)
            cr_assert_str_neq(json_str(json_array_get(followed, i), "id"),
                              json_str(json_array_get(followed, k), "id"));
    /* and nothing of ours arrives after the follower's last cursor */
    http_response *r = feed(&integration, after, 200);
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(r->json, "items"), i, e)
        cr_assert(!mine(e, agency), "a late event of ours: %s", r->body);
    http_free(r);

    json_decref(whole);
    free(after);
    json_decref(followed);
    for (int k = 0; k < WRITERS; k++)
        person_free(&people[k]);
    person_free(&integration);
    free(agency);
}

Test(events, INT_2_other_agencies_never_see_the_events)
{
    char *agency = agency_new("childrens_social_care");
    char *other = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    person manager = person_new(agency, "manager");
    person mine_integration = person_new(agency, "integration");
    person theirs = person_new(other, "integration");
    char *id = meeting_new(&requester, "stop_and_review");
    meeting_authorise(&manager, id, 1);
    json_t *own = own_events(&mine_integration, agency, 3);
    json_decref(own);

    /* the other agency's feed: no meeting of ours, only its own agency column */
    json_t *all = read_to_end(&theirs, NULL);
    size_t i;
    json_t *e;
    json_array_foreach(all, i, e) {
        cr_assert_str_eq(json_str(e, "agency"), other);
        cr_assert_str_neq(json_str(e, "resource_id"), id);
        cr_assert_str_neq(json_str(e, "resource_type"), "meeting",
                          "no meeting events of another agency");
    }
    json_decref(all);

    /* nor through a cursor taken from another agency's feed */
    http_response *r = feed(&mine_integration, NULL, 1);
    char *cursor = strdup(json_string_value(json_object_get(r->json, "next_cursor")));
    http_free(r);
    r = feed(&theirs, cursor, 200);
    cr_assert_null(strstr(r->body, id), "no trace of the meeting: %s", r->body);
    json_array_foreach(json_object_get(r->json, "items"), i, e)
        cr_assert_str_eq(json_str(e, "agency"), other);
    http_free(r);
    free(cursor);

    /* an integration of an agency the directory does not know sees nothing */
    person stranger = person_new("NOT-IN-DIRECTORY", "integration");
    r = feed(&stranger, NULL, 200);
    cr_assert_eq(json_array_size(json_object_get(r->json, "items")), 0, "%s", r->body);
    http_free(r);

    person_free(&stranger);
    free(id);
    person_free(&theirs);
    person_free(&mine_integration);
    person_free(&manager);
    person_free(&requester);
    free(other);
    free(agency);
}

Test(events, INT_2_directory_changes_reach_the_agencys_own_feed_only)
{
    char *older = agency_new("police");
    person integration = person_new(older, "integration");
    char *newer = agency_new("health");
    person newer_integration = person_new(newer, "integration");
    person admin = person_new("ADMIN-H4", "admin");
    char path[96];
    snprintf(path, sizeof path, "/v1/agencies/%s", newer);
    json_t *body = json_pack("{s:s}", "name", "Renamed Health Trust");
    http_response *r = api_call("PATCH", path, admin.token, body, "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    json_decref(body);

    /* the newer agency's own feed hears of its creation and of its change */
    bool created = false, updated = false;
    for (int attempt = 0; attempt < 200 && !(created && updated); attempt++) {
        json_t *all = read_to_end(&newer_integration, NULL);
        size_t i;
        json_t *e;
        json_array_foreach(all, i, e) {
            cr_assert_str_eq(json_str(e, "agency"), newer);
            if (strcmp(json_str(e, "resource_type"), "agency") != 0)
                continue;
            cr_assert_str_eq(json_str(e, "resource_id"), newer,
                             "no other agency's directory events: %s", json_str(e, "resource_id"));
            if (strcmp(json_str(e, "type"), "agency.created") == 0) {
                cr_assert(!updated, "created comes before updated");
                cr_assert_eq(json_int(e, "resource_version"), 1);
                created = true;
            } else if (strcmp(json_str(e, "type"), "agency.updated") == 0) {
                cr_assert_eq(json_int(e, "resource_version"), 2);
                updated = true;
            }
        }
        json_decref(all);
        if (!(created && updated))
            usleep(50000);
    }
    cr_assert(created && updated, "the directory events reach the agency's own feed");
    /* and never another agency's: the older agency's feed has none of them */
    const char *params[] = {older, newer};
    cr_assert_eq(db_long("SELECT count(*) FROM events WHERE agency = $1 AND resource_id = $2", 2,
                         params),
                 0);
    json_t *all = read_to_end(&integration, NULL);
    size_t i;
    json_t *e;
    json_array_foreach(all, i, e)
        cr_assert(strcmp(json_str(e, "resource_type"), "agency") != 0 ||
                      strcmp(json_str(e, "resource_id"), older) == 0,
                  "another agency's directory event on the feed");
    json_decref(all);
    person_free(&admin);
    person_free(&newer_integration);
    free(newer);
    person_free(&integration);
    free(older);
}

/* The versions of one invitation its feed announced, in feed order, as
 * "1 2 3" (a new string), once the feed shows `last`. */
static char *announced_versions(const person *integration, const char *invitation, long last)
{
    char *out = NULL;
    for (int attempt = 0; attempt < 200 && !out; attempt++) {
        if (attempt)
            usleep(50000);
        json_t *all = read_to_end(integration, NULL);
        char seen[512] = "";
        long highest = 0;
        size_t i;
        json_t *e;
        json_array_foreach(all, i, e) {
            if (strcmp(json_str(e, "resource_id"), invitation) != 0)
                continue;
            long v = json_int(e, "resource_version");
            size_t used = strlen(seen);
            snprintf(seen + used, sizeof seen - used, "%s%ld", used ? " " : "", v);
            highest = v > highest ? v : highest;
        }
        json_decref(all);
        if (highest >= last)
            out = strdup(seen);
    }
    cr_assert(out, "the feed never showed version %ld of the invitation", last);
    return out;
}

/* Every change of an invitation's version is announced (INT-2), so a
 * follower sees 1, 2, 3 and never 1 then 3: a schedule and a reschedule
 * judge its short notice (INV-4) without changing its version (issue 13),
 * then an answer, and the attendance marked at the meeting. */
Test(events, INT_2_every_version_of_an_invitation_is_announced)
{
    planned p;
    planned_scheduled(&p, "professionals", 3600);
    json_t *body = schedule_body(&p, 60 * 86400L, "in_person", 0);
    http_response *r = api_call("POST", meeting_path(p.meeting_id, "reschedule"),
                                p.requester.token, body, etag_of(p.version));
    json_decref(body);
    cr_assert_eq(r->status, 200, "rescheduling: %ld %s", r->status, r->body);
    p.version = json_int(r->json, "version");
    http_free(r);
    char path[160];
    const char *ids[] = {p.police_invitation};
    snprintf(path, sizeof path, "/v1/invitations/%s/respond", p.police_invitation);
    body = json_pack("{s:s}", "response", "accepted");
    r = api_call("POST", path, p.police_officer.token, body,
                 etag_of(db_long("SELECT version FROM invitations WHERE id = $1", 1, ids)));
    json_decref(body);
    cr_assert_eq(r->status, 200, "answering: %ld %s", r->status, r->body);
    http_free(r);
    minutes_hold(&p, NULL);

    long version = db_long("SELECT version FROM invitations WHERE id = $1", 1, ids);
    cr_assert_geq(version, 3, "created, answered, marked: %ld", version);
    char want[512] = "";
    for (long v = 1; v <= version; v++) {
        size_t used = strlen(want);
        snprintf(want + used, sizeof want - used, "%s%ld", v > 1 ? " " : "", v);
    }
    person integration = person_new(p.police, "integration");
    char *seen = announced_versions(&integration, p.police_invitation, version);
    cr_assert_str_eq(seen, want, "the police feed announced versions %s of %s", seen, want);
    free(seen);
    /* one version marked, announced to each agency concerned */
    cr_assert_eq(db_long("SELECT count(DISTINCT resource_version) FROM events"
                         " WHERE resource_id = $1 AND type = 'invitation.attendance_recorded'",
                         1, ids),
                 1);
    person_free(&integration);
    planned_free(&p);
}

Test(events, INT_2_events_carry_no_personal_data)
{
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    person manager = person_new(agency, "manager");
    person integration = person_new(agency, "integration");

    json_t *body = meeting_body("stop_and_review");
    json_object_set_new(body, "title", json_string("Zebediah Quartermaine family review"));
    json_object_set_new(body, "purpose", json_string("Purpose text Wilhelmina"));
    json_object_set_new(body, "rationale", json_string("Rationale text Bartholomew"));
    json_object_set_new(body, "children", json_pack("[{s:s, s:s}]", "name", "Ottoline Fairweather",
                                                    "date_of_birth", "2016-02-29"));
    json_object_set_new(body, "other_children",
                        json_pack("[{s:s, s:s}]", "name", "Peregrine Fairweather",
                                  "relationship", "sibling"));
    http_response *r = api_call("POST", "/v1/meetings", requester.token, body, NULL);
    cr_assert_eq(r->status, 201, "%s", r->body);
    char *id = strdup(json_str(r->json, "id"));
    char *external = strdup(json_str(json_object_get(body, "external_ref"), "id"));
    http_free(r);
    json_decref(body);
    meeting_authorise(&manager, id, 1);

    json_t *own = own_events(&integration, agency, 3);
    json_decref(own);
    r = feed(&integration, NULL, 200);
    const char *never[] = {"Zebediah", "Quartermaine", "Wilhelmina", "Bartholomew",
                           "Ottoline", "Peregrine", "Fairweather", "2016-02-29",
                           requester.who.name, manager.who.name, requester.who.sub,
                           manager.who.sub, external, NULL};
    for (const char *const *word = never; *word; word++)
        cr_assert_null(strstr(r->body, *word), "the feed carries '%s': %s", *word, r->body);
    /* only references and metadata */
    const char *allowed[] = {"id", "type", "occurred_at", "agency", "resource_type",
                             "resource_id", "resource_version", "minutes_number", NULL};
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(r->json, "items"), i, e) {
        const char *key;
        json_t *value;
        json_object_foreach(e, key, value) {
            bool ok = false;
            for (const char *const *a = allowed; *a; a++)
                ok |= strcmp(*a, key) == 0;
            cr_assert(ok, "unexpected member '%s' in an event: %s", key, r->body);
        }
    }
    http_free(r);
    free(external);
    free(id);
    person_free(&integration);
    person_free(&manager);
    person_free(&requester);
    free(agency);
}

Test(events, INT_2_refused_changes_append_nothing)
{
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    person manager = person_new(agency, "manager");
    char *id = meeting_new(&requester, "stop_and_review");
    const char *params[] = {agency};
    const char *own_sql = "SELECT count(*) FROM events WHERE agency = $1"
                          " AND type NOT LIKE 'reminder.%'"
                          " AND NOT (resource_type IN ('agency', 'bank_holiday', 'policy')"
                          "          AND resource_id <> $1)";
    long before = db_long(own_sql, 1, params);

    char path[128];
    snprintf(path, sizeof path, "/v1/meetings/%s/authorise", id);
    /* a stale If-Match, the requester deciding, a rule broken: all refused */
    http_response *r = api_call("POST", path, manager.token, NULL, "\"7\"");
    cr_assert_eq(r->status, 412, "%s", r->body);
    http_free(r);
    r = api_call("POST", path, requester.token, NULL, "\"1\"");
    cr_assert_eq(r->status, 403, "%s", r->body);
    http_free(r);
    json_t *body = meeting_body("stop_and_review");
    json_object_set_new(body, "criteria", json_pack("[s]", "protect_working_relationship"));
    r = api_call("POST", "/v1/meetings", requester.token, body, NULL);
    cr_assert_eq(r->status, 422, "%s", r->body);
    http_free(r);
    json_decref(body);
    cr_assert_eq(db_long(own_sql, 1, params), before);
    const char *id_params[] = {id};
    cr_assert_eq(db_long("SELECT count(*) FROM events WHERE resource_id = $1", 1, id_params), 1);

    free(id);
    person_free(&manager);
    person_free(&requester);
    free(agency);
}

Test(events, empty_page_returns_the_same_cursor)
{
    char *agency = agency_new("police");
    person integration = person_new(agency, "integration");
    json_t *own = own_events(&integration, agency, 1);
    json_decref(own);

    /* read on until a page comes back empty (agencies added by other tests
     * keep arriving): that page gives back the cursor it was sent */
    char *after = NULL;
    int empty = 0;
    for (int pages = 0; empty < 2; pages++) {
        cr_assert_lt(pages, 2000, "the feed ends");
        http_response *r = feed(&integration, after, 50);
        json_t *next = json_object_get(r->json, "next_cursor");
        cr_assert(json_is_string(next), "%s", r->body);
        if (json_array_size(json_object_get(r->json, "items")) == 0) {
            cr_assert_str_eq(json_string_value(next), after, "the same cursor comes back");
            empty++;
        }
        free(after);
        after = strdup(json_string_value(next));
        http_free(r);
    }
    free(after);

    /* with no events at all and no cursor, there is nowhere to resume from */
    person stranger = person_new("EMPTY-FEED-AGENCY", "integration");
    http_response *r = feed(&stranger, NULL, 10);
    cr_assert_eq(json_array_size(json_object_get(r->json, "items")), 0, "%s", r->body);
    cr_assert(json_is_null(json_object_get(r->json, "next_cursor")), "%s", r->body);
    http_free(r);
    person_free(&stranger);
    person_free(&integration);
    free(agency);
}

Test(events, SEC_6_malformed_after_400)
{
    char *agency = agency_new("health");
    person integration = person_new(agency, "integration");
    char word[64], three[64], negative[64], no_prefix[64];
    text_base64url_encode((const unsigned char *)"c1|abc|def", 10, word, sizeof word);
    text_base64url_encode((const unsigned char *)"c1|1|2|3", 8, three, sizeof three);
    text_base64url_encode((const unsigned char *)"c1|-1|2", 7, negative, sizeof negative);
    text_base64url_encode((const unsigned char *)"x9|1|2", 6, no_prefix, sizeof no_prefix);
    const char *bad[] = {"x", "", "!!!", "c1|1|2", word, three, negative, no_prefix, NULL};
    for (const char *const *a = bad; *a; a++) {
        char path[160];
        snprintf(path, sizeof path, "/v1/events?after=%s", *a);
        http_response *r = api_get(path, integration.token);
        cr_assert_eq(r->status, 400, "after=%s -> %ld %s", *a, r->status, r->body);
        expect_problem(r, 400, "/problems/invalid-request");
        cr_assert(problem_has_field(r, "after"), "%s", r->body);
        cr_assert_null(json_object_get(r->json, "items"));
        http_free(r);
    }
    person_free(&integration);
    free(agency);
}

Test(events, limit_bounds)
{
    char *agency = agency_new("health");
    person integration = person_new(agency, "integration");
    const char *bad[] = {"0", "201", "-1", "1000000", "ten", "", "1.5", NULL};
    for (const char *const *l = bad; *l; l++) {
        char path[96];
        snprintf(path, sizeof path, "/v1/events?limit=%s", *l);
        http_response *r = api_get(path, integration.token);
        cr_assert_eq(r->status, 400, "limit=%s -> %ld %s", *l, r->status, r->body);
        expect_problem(r, 400, "/problems/invalid-request");
        cr_assert(problem_has_field(r, "limit"), "%s", r->body);
        http_free(r);
    }
    const int good[] = {1, 50, 200};
    for (size_t i = 0; i < 3; i++) {
        http_response *r = feed(&integration, NULL, good[i]);
        cr_assert_leq(json_array_size(json_object_get(r->json, "items")), (size_t)good[i]);
        http_free(r);
    }
    /* the default is a bounded page too */
    http_response *r = feed(&integration, NULL, 0);
    cr_assert_leq(json_array_size(json_object_get(r->json, "items")), 50);
    http_free(r);
    person_free(&integration);
    free(agency);
}
