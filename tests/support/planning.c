#include "support/planning.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "support/fixtures.h"

const char *etag_of(long version)
{
    static char etag[32];
    snprintf(etag, sizeof etag, "\"%ld\"", version);
    return etag;
}

void time_from_now(long seconds_from_now, char out[32])
{
    time_t t = test_now() + seconds_from_now;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void date_from_today(long days, char out[11])
{
    clock_date(test_now() + days * 86400L, out);
}

void clock_past_start(const char *meeting_id)
{
    const char *params[] = {meeting_id};
    long start = db_long("SELECT ceil(extract(epoch FROM scheduled_start))::bigint"
                         " FROM meetings WHERE id = $1",
                         1, params);
    cr_assert(start > 0, "the meeting has a start");
    if ((long)test_now() <= start)
        test_clock_set((time_t)start + 1);
}

void planned_authorised(planned *p, const char *type)
{
    planned_authorised_about(p, type, NULL);
}

void planned_authorised_about(planned *p, const char *type, const char *nhs_number)
{
    memset(p, 0, sizeof *p);
    p->csc = agency_new("childrens_social_care");
    p->police = agency_new("police");
    p->health = agency_new("health");
    p->requester = person_new(p->csc, "practitioner");
    p->manager = person_new(p->csc, "manager");
    p->police_officer = person_new(p->police, "practitioner");
    p->health_visitor = person_new(p->health, "practitioner");
    if (nhs_number) {
        json_t *body = meeting_body(type);
        json_t *child = json_array_get(json_object_get(body, "children"), 0);
        json_object_set_new(child, "nhs_number", json_string(nhs_number));
        http_response *r = api_call("POST", "/v1/meetings", p->requester.token, body, NULL);
        json_decref(body);
        cr_assert_eq(r->status, 201, "requesting a meeting: %ld %s", r->status, r->body);
        p->meeting_id = strdup(json_str(r->json, "id"));
        http_free(r);
    } else
        p->meeting_id = meeting_new(&p->requester, type);
    p->version = meeting_authorise(&p->manager, p->meeting_id, 1);
}

json_t *invitation_body(const person *invitee, const char *role)
{
    return json_pack("{s:s, s:{s:s, s:s, s:s, s:s}, s:s}", "category", "professional", "invitee",
                     "sub", invitee->who.sub, "name", invitee->who.name, "agency",
                     invitee->who.agency, "contact", "work.contact@example.invalid", "role", role);
}

http_response *invite(const person *by, const char *meeting_id, json_t *body)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/meetings/%s/invitations", meeting_id);
    return api_call("POST", path, by->token, body, NULL);
}

static char *invite_ok(planned *p, const person *invitee, const char *role)
{
    json_t *body = invitation_body(invitee, role);
    http_response *r = invite(&p->requester, p->meeting_id, body);
    json_decref(body);
    cr_assert_eq(r->status, 201, "inviting: %ld %s", r->status, r->body);
    char *id = strdup(json_str(r->json, "id"));
    http_free(r);
    return id;
}

void planned_invite_agencies(planned *p)
{
    p->police_invitation = invite_ok(p, &p->police_officer, "Share what the police know");
    p->health_invitation = invite_ok(p, &p->health_visitor, "Share the health picture");
}

void planned_inform_family(planned *p)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/meetings/%s/consent-decisions", p->meeting_id);
    json_t *body = json_pack("{s:s}", "decision", "inform");
    http_response *r = api_call("POST", path, p->manager.token, body, NULL);
    json_decref(body);
    cr_assert_eq(r->status, 201, "deciding to inform: %ld %s", r->status, r->body);
    http_free(r);
}

json_t *schedule_body(const planned *p, long seconds_from_now, const char *format, int two_part)
{
    char start[32];
    time_from_now(seconds_from_now, start);
    json_t *body = json_pack(
        "{s:s, s:i, s:s, s:{s:s, s:s, s:s, s:s}, s:{s:s, s:s, s:s}}", "start", start,
        "duration_minutes", 60, "format", format, "chair", "sub", p->manager.who.sub, "name",
        p->manager.who.name, "agency", p->manager.who.agency, "role", "manager", "minute_taker",
        "sub", p->requester.who.sub, "name", p->requester.who.name, "agency",
        p->requester.who.agency);
    if (strcmp(format, "virtual") != 0 && strcmp(format, "phone") != 0)
        json_object_set_new(body, "venue", json_string("Meeting room 2, Example House"));
    if (two_part >= 0)
        json_object_set_new(body, "two_part", json_boolean(two_part));
    return body;
}

void planned_schedule(planned *p, long seconds_from_now, const char *format, int two_part)
{
    json_t *body = schedule_body(p, seconds_from_now, format, two_part);
    http_response *r = api_call("POST", meeting_path(p->meeting_id, "schedule"),
                                p->requester.token, body, etag_of(p->version));
    json_decref(body);
    cr_assert_eq(r->status, 200, "scheduling: %ld %s", r->status, r->body);
    p->version = json_int(r->json, "version");
    http_free(r);
}

void planned_scheduled(planned *p, const char *type, long seconds_from_now)
{
    planned_authorised(p, type);
    planned_invite_agencies(p);
    planned_inform_family(p);
    planned_schedule(p, seconds_from_now, "in_person", 0);
}

void planned_free(planned *p)
{
    free(p->csc);
    free(p->police);
    free(p->health);
    person_free(&p->requester);
    person_free(&p->manager);
    person_free(&p->police_officer);
    person_free(&p->health_visitor);
    free(p->meeting_id);
    free(p->police_invitation);
    free(p->health_invitation);
    memset(p, 0, sizeof *p);
}
