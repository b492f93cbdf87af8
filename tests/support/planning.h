/* planning fixtures: a meeting taken through the API to the point a test
 * needs — authorised, invited, decided, scheduled — with fictional people
 * of three fresh agencies (children's social care, police, health). */
#ifndef TEST_PLANNING_H
#define TEST_PLANNING_H

#include <jansson.h>

#include "support/client.h"
#include "support/people.h"

typedef struct planned {
    char *csc, *police, *health;   /* agency codes */
    person requester;              /* practitioner of csc, requested the meeting */
    person manager;                /* manager of csc, authorised it */
    person police_officer;         /* practitioner of police */
    person health_visitor;         /* practitioner of health */
    char *meeting_id;
    long version;                  /* the meeting's version, kept up to date */
    char *police_invitation;       /* set by planned_invite_agencies */
    char *health_invitation;
} planned;

/* Agencies, people, and a meeting of this type requested and authorised. */
void planned_authorised(planned *p, const char *type);
/* The same, about the child of this NHS number (CHR-1); NULL: as above. */
void planned_authorised_about(planned *p, const char *type, const char *nhs_number);

/* Invites the police officer and the health visitor (professional). */
void planned_invite_agencies(planned *p);

/* Records a decision to inform the family, as the manager (FAM-1). */
void planned_inform_family(planned *p);

/* Schedules the meeting to start `seconds_from_now` from now, as the
 * requester, with the manager in the chair and the requester taking
 * minutes. Fails the test if the service refuses. */
void planned_schedule(planned *p, long seconds_from_now, const char *format, int two_part);

/* authorised + invited + informed + scheduled: ready to be held. */
void planned_scheduled(planned *p, const char *type, long seconds_from_now);

void planned_free(planned *p);

/* An invitation body for a professional of `agency` (a new JSON object). */
json_t *invitation_body(const person *invitee, const char *role);

/* POST /v1/meetings/{id}/invitations as `by`; returns the answer. */
http_response *invite(const person *by, const char *meeting_id, json_t *body);

/* A schedule body starting `seconds_from_now` from now (new JSON object). */
json_t *schedule_body(const planned *p, long seconds_from_now, const char *format, int two_part);

/* An RFC 3339 UTC time `seconds_from_now` from now (test_now). */
void time_from_now(long seconds_from_now, char out[32]);

/* The UTC date `days` from the test's today (test_now), YYYY-MM-DD. */
void date_from_today(long days, char out[11]);

/* A meeting is held only after its start (MTG-8): moves the test clock just
 * past the meeting's scheduled start, as stored, rather than waiting for it. */
void clock_past_start(const char *meeting_id);

/* "\"<version>\"" in a static buffer, for If-Match. */
const char *etag_of(long version);

#endif
