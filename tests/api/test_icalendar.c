/* INT-6: iCalendar entries for meetings and invitations, and each person's
 * own calendar feed, over HTTP against the real database.
 *
 * Every entry is parsed with libical here; tests/run.sh also hands each one
 * this test saw (MAM_CALENDAR_SAMPLES) to an independent parser, node-ical
 * (tests/hooks/ical-check.mjs), with what it must and must not say. No
 * entry may carry the child's name, date of birth or the concern. */
#include <criterion/criterion.h>
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support/client.h"
#include "support/fixtures.h"
#include "support/people.h"
#include "support/planning.h"

/* What the fixtures' meeting says about the child and the concern
 * (tests/support/fixtures.c): none of it may reach a calendar. */
static const char *const never[] = {
    "Alex", "Example", "2015-06-01", "20150601", "Planning for a fictional family",
    "Agree how agencies will work together", "Progress has stalled", "CASE-", NULL,
};

static void expect_nothing_personal(const char *text)
{
    for (const char *const *w = never; *w; w++)
        cr_assert_null(strstr(text, *w), "a calendar entry carries \"%s\":\n%s", *w, text);
}

/* Keeps the entry for the independent parser, with what it must say. */
static void keep_sample(const char *name, const char *text, const char *method, const char *uid,
                        int sequence)
{
    const char *dir = getenv("MAM_CALENDAR_SAMPLES");
    if (!dir)
        return;
    char suffix[17], path[512];
    unique_suffix(suffix, sizeof suffix);
    snprintf(path, sizeof path, "%s/%s-%s.ics", dir, name, suffix);
    FILE *f = fopen(path, "w");
    cr_assert(f, "writing %s", path);
    fputs(text, f);
    fclose(f);
    snprintf(path, sizeof path, "%s/%s-%s.json", dir, name, suffix);
    json_t *never_list = json_array();
    for (const char *const *w = never; *w; w++)
        json_array_append_new(never_list, json_string(*w));
    json_t *expect = json_pack("{s:s, s:s, s:i, s:o}", "method", method, "uid", uid, "sequence",
                               sequence, "never", never_list);
    cr_assert_eq(json_dump_file(expect, path, 0), 0);
    json_decref(expect);
}

typedef struct entry {
    icalcomponent *cal;
    icalcomponent *event;
    char *text;
} entry;

static entry get_entry(const char *path, const person *who)
{
    http_response *r = api_get(path, who->token);
    cr_assert_eq(r->status, 200, "%s: %ld %s", path, r->status, r->body);
    char *type = http_header(r, "Content-Type");
    cr_assert(type && strncmp(type, "text/calendar", 13) == 0, "content type %s", type);
    free(type);
    entry e = {.text = strdup(r->body)};
    http_free(r);
    e.cal = icalparser_parse_string(e.text);
    cr_assert(e.cal, "libical parses it:\n%s", e.text);
    cr_assert_eq(icalcomponent_isa(e.cal), ICAL_VCALENDAR_COMPONENT);
    cr_assert_eq(icalcomponent_count_errors(e.cal), 0, "no errors:\n%s", e.text);
    e.event = icalcomponent_get_first_component(e.cal, ICAL_VEVENT_COMPONENT);
    cr_assert(e.event, "one event:\n%s", e.text);
    expect_nothing_personal(e.text);
    return e;
}

static void entry_free(entry *e)
{
    icalcomponent_free(e->cal);
    free(e->text);
}

static icalproperty_method method_of(const entry *e)
{
    icalproperty *p = icalcomponent_get_first_property(e->cal, ICAL_METHOD_PROPERTY);
    cr_assert(p, "a METHOD");
    return icalproperty_get_method(p);
}

static int sequence_of(const entry *e)
{
    icalproperty *p = icalcomponent_get_first_property(e->event, ICAL_SEQUENCE_PROPERTY);
    cr_assert(p, "a SEQUENCE");
    return icalproperty_get_sequence(p);
}

/* The PARTSTAT of the only attendee. */
static icalparameter_partstat partstat_of(const entry *e)
{
    icalproperty *a = icalcomponent_get_first_property(e->event, ICAL_ATTENDEE_PROPERTY);
    cr_assert(a, "an attendee:\n%s", e->text);
    cr_assert_null(icalcomponent_get_next_property(e->event, ICAL_ATTENDEE_PROPERTY),
                   "an invitation's entry names its own invitee only");
    icalparameter *ps = icalproperty_get_first_parameter(a, ICAL_PARTSTAT_PARAMETER);
    cr_assert(ps);
    return icalparameter_get_partstat(ps);
}

static void expect_common(const entry *e, const planned *p, const char *uid)
{
    cr_assert_str_eq(icalcomponent_get_uid(e->event), uid);
    icalproperty *c = icalcomponent_get_first_property(e->event, ICAL_CLASS_PROPERTY);
    cr_assert(c && icalproperty_get_class(c) == ICAL_CLASS_CONFIDENTIAL, "CLASS:CONFIDENTIAL");
    icalproperty *o = icalcomponent_get_first_property(e->event, ICAL_ORGANIZER_PROPERTY);
    cr_assert(o, "an organiser");
    char want[64];
    snprintf(want, sizeof want, "urn:mam:agency:%s", p->csc);
    cr_assert_str_eq(icalproperty_get_organizer(o), want, "the convening agency organises it");
    const char *summary = icalcomponent_get_summary(e->event);
    cr_assert(summary && strstr(summary, "Professionals meeting MAM-"), "summary: %s", summary);
}

Test(icalendar, INT_6_entries_follow_the_schedule_the_answer_and_the_cancellation)
{
    planned p;
    planned_scheduled(&p, "professionals", 7 * 86400);
    char uid[64], inv_path[160], mtg_path[160];
    snprintf(uid, sizeof uid, "%s@mam", p.meeting_id);
    snprintf(inv_path, sizeof inv_path, "/v1/invitations/%s/calendar", p.police_invitation);
    snprintf(mtg_path, sizeof mtg_path, "/v1/meetings/%s/calendar", p.meeting_id);

    /* the invitee's entry: a request, not yet answered */
    entry e = get_entry(inv_path, &p.police_officer);
    cr_assert_eq(method_of(&e), ICAL_METHOD_REQUEST);
    expect_common(&e, &p, uid);
    cr_assert_eq(sequence_of(&e), 0);
    cr_assert_eq(partstat_of(&e), ICAL_PARTSTAT_NEEDSACTION);
    const char *params[] = {p.meeting_id};
    long start = db_long("SELECT extract(epoch FROM scheduled_start)::bigint FROM meetings"
                         " WHERE id = $1", 1, params);
    struct icaltimetype dtstart = icalcomponent_get_dtstart(e.event);
    cr_assert_eq((long)icaltime_as_timet(dtstart), start, "DTSTART is the meeting's start");
    keep_sample("invitation-request", e.text, "REQUEST", uid, 0);
    entry_free(&e);

    /* answered: the attendee's PARTSTAT follows (INV-3) */
    char path[160];
    snprintf(path, sizeof path, "/v1/invitations/%s", p.police_invitation);
    http_response *r = api_get(path, p.police_officer.token);
    long invitation_version = json_int(r->json, "version");
    http_free(r);
    json_t *body = json_pack("{s:s}", "response", "accepted");
    snprintf(path, sizeof path, "/v1/invitations/%s/respond", p.police_invitation);
    r = api_call("POST", path, p.police_officer.token, body, etag_of(invitation_version));
    json_decref(body);
    cr_assert_eq(r->status, 200, "answering: %ld %s", r->status, r->body);
    http_free(r);
    e = get_entry(inv_path, &p.police_officer);
    cr_assert_eq(partstat_of(&e), ICAL_PARTSTAT_ACCEPTED);
    entry_free(&e);

    /* the meeting's entry, for the convening side: every invitee attends */
    e = get_entry(mtg_path, &p.manager);
    cr_assert_eq(method_of(&e), ICAL_METHOD_REQUEST);
    expect_common(&e, &p, uid);
    cr_assert_eq(icalcomponent_count_properties(e.event, ICAL_ATTENDEE_PROPERTY), 2);
    keep_sample("meeting-request", e.text, "REQUEST", uid, 0);
    entry_free(&e);

    /* rescheduled: the same UID, SEQUENCE 1 */
    body = schedule_body(&p, 8 * 86400, "hybrid", 0);
    r = api_call("POST", meeting_path(p.meeting_id, "reschedule"), p.requester.token, body,
                 etag_of(p.version));
    json_decref(body);
    cr_assert_eq(r->status, 200, "rescheduling: %ld %s", r->status, r->body);
    p.version = json_int(r->json, "version");
    http_free(r);
    e = get_entry(inv_path, &p.police_officer);
    cr_assert_eq(method_of(&e), ICAL_METHOD_REQUEST);
    expect_common(&e, &p, uid);
    cr_assert_eq(sequence_of(&e), 1, "a reschedule raises SEQUENCE:\n%s", e.text);
    keep_sample("invitation-rescheduled", e.text, "REQUEST", uid, 1);
    entry_free(&e);

    /* cancelled: METHOD:CANCEL, STATUS:CANCELLED, SEQUENCE raised again */
    body = json_pack("{s:s}", "reason", "The family moved out of the area");
    r = api_call("POST", meeting_path(p.meeting_id, "cancel"), p.requester.token, body,
                 etag_of(p.version));
    json_decref(body);
    cr_assert_eq(r->status, 200, "cancelling: %ld %s", r->status, r->body);
    http_free(r);
    e = get_entry(inv_path, &p.police_officer);
    cr_assert_eq(method_of(&e), ICAL_METHOD_CANCEL);
    cr_assert_eq(icalcomponent_get_status(e.event), ICAL_STATUS_CANCELLED);
    cr_assert_eq(sequence_of(&e), 2);
    cr_assert_str_eq(icalcomponent_get_uid(e.event), uid);
    keep_sample("invitation-cancel", e.text, "CANCEL", uid, 2);
    entry_free(&e);

    /* each read is audited */
    cr_assert_geq(db_long("SELECT count(*) FROM audit_events WHERE resource_id = $1"
                          " AND action = 'meeting.calendar'", 1, params),
                  1);
    planned_free(&p);
}

Test(icalendar, INT_6_no_entry_before_scheduling_and_none_for_strangers)
{
    planned p;
    planned_authorised(&p, "professionals");
    char path[160];
    snprintf(path, sizeof path, "/v1/meetings/%s/calendar", p.meeting_id);
    http_response *r = api_get(path, p.manager.token);
    cr_assert_eq(r->status, 409, "%ld %s", r->status, r->body);
    cr_assert(problem_has_rule(r, "INT-6", NULL), "%s", r->body);
    http_free(r);
    char *elsewhere = agency_new("police");
    person stranger = person_new(elsewhere, "manager");
    r = api_get(path, stranger.token);
    cr_assert_eq(r->status, 404, "%s", r->body);
    http_free(r);
    person_free(&stranger);
    free(elsewhere);
    planned_free(&p);
}

Test(icalendar, INT_6_a_personal_feed_is_reached_by_its_token_alone_and_revocable)
{
    planned p;
    planned_scheduled(&p, "professionals", 7 * 86400);
    char uid[64];
    snprintf(uid, sizeof uid, "%s@mam", p.meeting_id);

    json_t *body = json_pack("{s:s}", "label", "Work phone");
    http_response *r = api_call("POST", "/v1/calendar-tokens", p.police_officer.token, body, NULL);
    json_decref(body);
    cr_assert_eq(r->status, 201, "%ld %s", r->status, r->body);
    char *token = strdup(json_str(r->json, "token"));
    char *token_id = strdup(json_str(r->json, "id"));
    cr_assert(strncmp(token, "mamcal_", 7) == 0 && strlen(token) == 50, "token %s", token);
    cr_assert(strstr(json_str(r->json, "feed_url"), token));
    http_free(r);

    /* only its hash is stored */
    const char *id_param[] = {token_id};
    char *stored = db_value("SELECT token_sha256 FROM calendar_tokens WHERE id = $1", 1, id_param);
    cr_assert_eq(strlen(stored), 64);
    cr_assert_null(strstr(stored, token + 7));
    free(stored);

    /* listed without the token */
    r = api_get("/v1/calendar-tokens", p.police_officer.token);
    cr_assert_eq(r->status, 200);
    cr_assert_null(strstr(r->body, token), "the list never shows a token");
    cr_assert(strstr(r->body, token_id));
    http_free(r);

    /* the feed, with no bearer token: the officer's invitation, published */
    char path[160];
    snprintf(path, sizeof path, "/v1/calendar-feeds/%s", token);
    r = http_call("GET", path, NULL, NULL, NULL, 0);
    cr_assert_eq(r->status, 200, "%ld %s", r->status, r->body);
    cr_assert(strstr(r->body, "METHOD:PUBLISH"), "%s", r->body);
    cr_assert(strstr(r->body, uid), "the invitation's meeting is in the feed:\n%s", r->body);
    cr_assert(strstr(r->body, "CLASS:CONFIDENTIAL"));
    cr_assert_null(strstr(r->body, "ATTENDEE"), "PUBLISH names no attendee");
    expect_nothing_personal(r->body);
    icalcomponent *cal = icalparser_parse_string(r->body);
    cr_assert(cal);
    icalcomponent_free(cal);
    keep_sample("feed", r->body, "PUBLISH", uid, 0);
    http_free(r);

    /* read as its owner, and audited so */
    const char *who[] = {p.police_officer.who.sub};
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE actor_sub = $1"
                         " AND action = 'calendar_feed.read'", 1, who),
                 1);

    /* at most once per CALENDAR_FEED_MIN_INTERVAL_S */
    r = http_call("GET", path, NULL, NULL, NULL, 0);
    cr_assert_eq(r->status, 429, "%ld %s", r->status, r->body);
    char *after = http_header(r, "Retry-After");
    cr_assert(after && atoi(after) > 0);
    free(after);
    http_free(r);

    /* someone else cannot revoke it; its owner can, and then it reads nothing */
    snprintf(path, sizeof path, "/v1/calendar-tokens/%s", token_id);
    r = api_call("DELETE", path, p.health_visitor.token, NULL, NULL);
    cr_assert_eq(r->status, 404, "%s", r->body);
    http_free(r);
    r = api_call("DELETE", path, p.police_officer.token, NULL, NULL);
    cr_assert_eq(r->status, 204, "%ld %s", r->status, r->body);
    http_free(r);
    snprintf(path, sizeof path, "/v1/calendar-feeds/%s", token);
    sleep(2);
    r = http_call("GET", path, NULL, NULL, NULL, 0);
    cr_assert_eq(r->status, 404, "a revoked token reads nothing: %ld %s", r->status, r->body);
    http_free(r);

    /* a token that was never given out, or is not one at all */
    token[10] = token[10] == 'A' ? 'B' : 'A';
    snprintf(path, sizeof path, "/v1/calendar-feeds/%s", token);
    r = http_call("GET", path, NULL, NULL, NULL, 0);
    cr_assert_eq(r->status, 404);
    http_free(r);
    r = http_call("GET", "/v1/calendar-feeds/not-a-token", NULL, NULL, NULL, 0);
    cr_assert_eq(r->status, 404);
    http_free(r);

    free(token_id);
    free(token);
    planned_free(&p);
}
