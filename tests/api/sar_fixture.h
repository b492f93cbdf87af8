/* sar_fixture: subject access requests registered through the API, for the
 * tests of SAR-1 and SAR-2 (test_subject_access.c,
 * test_subject_access_items.c). Header-only, as held_meeting.h. */
#ifndef TEST_API_SAR_FIXTURE_H
#define TEST_API_SAR_FIXTURE_H

#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>

#include "support/client.h"
#include "support/people.h"

/* A registration about the child of this reference (system:id), received
 * on that day, asked by a parent whose identity was checked the same day. */
static inline json_t *sar_child_body(const char *child_ref, const char *received_on)
{
    return json_pack("{s:{s:s}, s:{s:s, s:s}, s:s, s:s}", "subject", "child_ref", child_ref,
                     "requester", "name", "A Fictional Parent", "relation", "parent",
                     "received_on", received_on, "identity_verified_on", received_on);
}

/* POST /v1/subject-access-requests as `by` (the body is taken). */
static inline http_response *sar_register(const person *by, json_t *body)
{
    http_response *r = api_call("POST", "/v1/subject-access-requests", by->token, body, NULL);
    json_decref(body);
    return r;
}

/* POST .../{command} of the request as `by` with If-Match "version" (the
 * body is taken; NULL for none). */
static inline http_response *sar_command(const person *by, const char *id, const char *command,
                                         json_t *body, long version)
{
    char path[160], etag[24];
    snprintf(path, sizeof path, "/v1/subject-access-requests/%s/%s", id, command);
    snprintf(etag, sizeof etag, "\"%ld\"", version);
    http_response *r = api_call("POST", path, by->token, body, etag);
    json_decref(body);
    return r;
}

static inline http_response *sar_answer(const person *by, const char *id, const char *on,
                                        long version)
{
    return sar_command(by, id, "answer", json_pack("{s:s}", "answered_on", on), version);
}

#endif
