/* INT-4: an integration reads what its agency's feed announced to it, as
 * that system, and nothing else. The police integration follows its feed
 * for a professionals meeting it is invited to (invitations, the family
 * notice decision, the schedule, draft minutes, an escalation), reads every
 * resource each event names (200, audited as the integration), and gets 404
 * for a meeting and an escalation its agency was never told about; then
 * the actions that approved minutes made, the same way. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "support/client.h"
#include "support/feed.h"
#include "support/fixtures.h"
#include "support/minutes.h"
#include "support/people.h"
#include "support/planning.h"

/* Where the resource an event names is read (the webhook payload's link). */
static void resource_path(json_t *event, char *out, size_t size)
{
    const char *type = json_str(event, "resource_type");
    const char *id = json_str(event, "resource_id");
    if (strcmp(type, "meeting") == 0)
        snprintf(out, size, "/v1/meetings/%s", id);
    else if (strcmp(type, "invitation") == 0)
        snprintf(out, size, "/v1/invitations/%s", id);
    else if (strcmp(type, "consent_decision") == 0)
        snprintf(out, size, "/v1/consent-decisions/%s", id);
    else if (strcmp(type, "minutes") == 0)
        snprintf(out, size, "/v1/meetings/%s/minutes/versions/%ld", id,
                 json_int(event, "minutes_number"));
    else if (strcmp(type, "action") == 0)
        snprintf(out, size, "/v1/actions/%s", id);
    else if (strcmp(type, "escalation") == 0)
        snprintf(out, size, "/v1/escalations/%s", id);
    else if (strcmp(type, "agency") == 0)
        snprintf(out, size, "/v1/agencies/%s", id);
    else
        snprintf(out, size, "/v1/bank-holidays/%s", id);
}

/* The agency's whole feed, once it holds an event of this type about id. */
static json_t *feed_until(const person *integration, const char *type, const char *id)
{
    for (int attempt = 0; attempt < 200; attempt++) {
        json_t *all = feed_read_all(integration);
        size_t i;
        json_t *e;
        json_array_foreach(all, i, e) {
            if (strcmp(json_str(e, "type"), type) == 0 &&
                strcmp(json_str(e, "resource_id"), id) == 0)
                return all;
        }
        json_decref(all);
        usleep(50000);
    }
    cr_assert_fail("the feed never showed %s about %s", type, id);
    return NULL;
}

static void sleep_past_start(const char *meeting_id)
{
    const char *params[] = {meeting_id};
    long start = db_long("SELECT ceil(extract(epoch FROM scheduled_start))::bigint"
                         " FROM meetings WHERE id = $1",
                         1, params);
    while ((long)time(NULL) <= start)
        usleep(100 * 1000);
}

Test(integrations, INT_4_an_integration_reads_every_resource_its_feed_announced)
{
    planned p;
    planned_scheduled(&p, "professionals", 3);
    person police_system = person_new(p.police, "integration");

    /* an escalation between the convening agency and the police */
    json_t *body = json_pack("{s:s, s:s, s:s, s:s, s:s}", "meeting_id", p.meeting_id, "type",
                             "concern_after_decision", "concern",
                             "The agreed plan is not being followed by the other agency",
                             "outcome_sought", "A joint review of the plan within a week",
                             "with_agency", p.police);
    http_response *r = api_call("POST", "/v1/escalations", p.requester.token, body, NULL);
    json_decref(body);
    cr_assert_eq(r->status, 201, "raising: %s", r->body);
    char *escalation = strdup(json_str(r->json, "id"));
    http_free(r);

    /* attended, held, and draft minutes written */
    body = json_pack("{s:[{s:s, s:s}, {s:s, s:s}]}", "entries", "invitation_id",
                     p.police_invitation, "attendance", "present", "invitation_id",
                     p.health_invitation, "attendance", "present");
    r = api_call("PUT", meeting_path(p.meeting_id, "attendance"), p.requester.token, body,
                 etag_of(p.version));
    json_decref(body);
    cr_assert_eq(r->status, 200, "attendance: %ld %s", r->status, r->body);
    p.version = json_int(r->json, "version");
    http_free(r);
    sleep_past_start(p.meeting_id);
    r = api_call("POST", meeting_path(p.meeting_id, "hold"), p.requester.token, NULL,
                 etag_of(p.version));
    cr_assert_eq(r->status, 200, "holding: %s", r->body);
    http_free(r);
    body = json_pack("{s:s}", "purpose", "First notes from the meeting");
    char path[256];
    snprintf(path, sizeof path, "/v1/meetings/%s/minutes", p.meeting_id);
    r = api_call("PUT", path, p.requester.token, body, NULL);
    json_decref(body);
    cr_assert_eq(r->status, 201, "drafting: %s", r->body);
    http_free(r);

    /* every resource the police feed announced reads 200, as the system */
    json_t *feed = feed_until(&police_system, "minutes.drafted", p.meeting_id);
    size_t i;
    json_t *e;
    int read = 0, kinds_seen = 0;
    const char *kinds[] = {"meeting", "invitation", "consent_decision", "minutes", "escalation"};
    bool seen[5] = {false};
    json_array_foreach(feed, i, e) {
        const char *type = json_str(e, "resource_type");
        if (strcmp(type, "bank_holiday") == 0 || strcmp(type, "agency") == 0)
            continue; /* the directory and the calendar: not case data, read by anyone */
        resource_path(e, path, sizeof path);
        r = api_get(path, police_system.token);
        cr_assert_eq(r->status, 200, "%s %s: %ld %s", json_str(e, "type"), path, r->status,
                     r->body);
        http_free(r);
        read++;
        for (int k = 0; k < 5; k++)
            if (strcmp(type, kinds[k]) == 0 && !seen[k]) {
                seen[k] = true;
                kinds_seen++;
            }
    }
    cr_assert_eq(kinds_seen, 5, "meetings, invitations, decisions, minutes and escalations were "
                                "announced and read (%d resources read)", read);
    json_decref(feed);

    /* each read is audited as the integration itself: one row per read */
    const char *by_actor[] = {police_system.who.sub, p.police};
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE actor_sub = $1", 1, by_actor),
                 read);
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE actor_sub = $1"
                         " AND actor_agency = $2 AND action LIKE '%.read'",
                         2, by_actor),
                 read);

    /* the health integration was told of the meeting, not of the escalation */
    person health_system = person_new(p.health, "integration");
    r = api_get(meeting_path(p.meeting_id, NULL), health_system.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    snprintf(path, sizeof path, "/v1/escalations/%s", escalation);
    r = api_get(path, health_system.token);
    cr_assert_eq(r->status, 404, "%s", r->body);
    http_free(r);

    /* a meeting of the convening agency the police were never invited to */
    char *other = meeting_new(&p.requester, "stop_and_review");
    r = api_get(meeting_path(other, NULL), police_system.token);
    cr_assert_eq(r->status, 404, "not told of it: %s", r->body);
    http_free(r);
    /* nor any other agency's integration */
    char *stranger_agency = agency_new("police");
    person stranger = person_new(stranger_agency, "integration");
    r = api_get(meeting_path(p.meeting_id, NULL), stranger.token);
    cr_assert_eq(r->status, 404, "%s", r->body);
    http_free(r);
    /* and the convening agency's own integration reads its new request */
    person csc_system = person_new(p.csc, "integration");
    r = api_get(meeting_path(other, NULL), csc_system.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);

    /* an integration reads, it does not act: a command is still refused */
    body = json_pack("{s:s}", "reason", "Not the integration's to cancel");
    r = api_call("POST", meeting_path(p.meeting_id, "cancel"), police_system.token, body,
                 etag_of(p.version + 1));
    json_decref(body);
    cr_assert_eq(r->status, 403, "%ld %s", r->status, r->body);
    http_free(r);

    person_free(&stranger);
    free(stranger_agency);
    person_free(&csc_system);
    person_free(&health_system);
    free(other);
    free(escalation);
    person_free(&police_system);
    planned_free(&p);
}

/* The actions approval makes are announced to the agencies at the meeting:
 * the police integration reads each one its feed announced (200), and the
 * approved minutes; another agency's integration reads none of them. */
Test(integrations, INT_4_an_integration_reads_the_actions_its_feed_announced)
{
    planned p;
    planned_scheduled(&p, "professionals", 3600);
    minutes_hold(&p, NULL);
    json_t *doc = minutes_complete(&p, NULL);
    char path[256];
    snprintf(path, sizeof path, "/v1/meetings/%s/minutes", p.meeting_id);
    http_response *r = api_call("PUT", path, p.requester.token, doc, NULL);
    json_decref(doc);
    cr_assert_eq(r->status, 201, "writing minutes: %ld %s", r->status, r->body);
    long v = json_int(r->json, "version");
    http_free(r);
    snprintf(path, sizeof path, "/v1/meetings/%s/minutes/approve", p.meeting_id);
    r = api_call("POST", path, p.manager.token, NULL, etag_of(v));
    cr_assert_eq(r->status, 200, "approving: %ld %s", r->status, r->body);
    http_free(r);

    person police_system = person_new(p.police, "integration");
    char *stranger_agency = agency_new("police");
    person stranger = person_new(stranger_agency, "integration");
    json_t *feed = feed_until(&police_system, "minutes.approved", p.meeting_id);
    size_t i;
    json_t *e;
    int actions = 0, minutes = 0;
    json_array_foreach(feed, i, e) {
        const char *type = json_str(e, "type");
        bool action = strcmp(type, "action.created") == 0;
        if (!action && strcmp(type, "minutes.approved") != 0)
            continue;
        resource_path(e, path, sizeof path);
        r = api_get(path, police_system.token);
        cr_assert_eq(r->status, 200, "%s %s: %ld %s", type, path, r->status, r->body);
        http_free(r);
        r = api_get(path, stranger.token);
        cr_assert_eq(r->status, 404, "another agency's integration, %s: %ld", path, r->status);
        http_free(r);
        if (action)
            actions++;
        else
            minutes++;
    }
    cr_assert_eq(minutes, 1);
    const char *params[] = {p.meeting_id};
    cr_assert_eq(actions, db_long("SELECT count(*) FROM actions WHERE meeting_id = $1", 1, params),
                 "every action of the plan was announced to the police (%d)", actions);
    cr_assert_geq(actions, 1);
    json_decref(feed);

    person_free(&stranger);
    free(stranger_agency);
    person_free(&police_system);
    planned_free(&p);
}
