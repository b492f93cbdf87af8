/* Reading one meeting over real HTTP against the real database: SEC-2
 * visibility, the SEC-4 audit of reads, ids that name nothing, query
 * parameters that do not belong, and X-Request-Id. */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/client.h"
#include "support/expect.h"
#include "support/fixtures.h"
#include "support/people.h"

static long audit_rows_for(const char *resource_id)
{
    const char *params[] = {resource_id};
    return db_long("SELECT count(*) FROM audit_events WHERE resource_id = $1", 1, params);
}

/* GET with an X-Request-Id of the test's choosing. */
static http_response *get_with_id(const char *path, const person *p, const char *request_id)
{
    char header[128];
    snprintf(header, sizeof header, "X-Request-Id: %s", request_id);
    const char *headers[] = {header, NULL};
    return http_call("GET", path, p ? p->token : NULL, headers, NULL, 0);
}

static void new_request_id(char *out, size_t size)
{
    char suffix[17];
    unique_suffix(suffix, sizeof suffix);
    snprintf(out, size, "h3-read-%s", suffix);
}

/* Does a list answer show this meeting? */
static bool list_shows(const http_response *r, const char *id)
{
    json_t *items = json_object_get(r->json, "items");
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item) {
        if (strcmp(json_str(item, "id"), id) == 0)
            return true;
    }
    return false;
}

Test(meetings_read, SEC_2_requester_and_convening_managers_see_it)
{
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    person manager = person_new(agency, "manager");
    char *id = meeting_new(&requester, "professionals");
    char path[128];
    snprintf(path, sizeof path, "/v1/meetings/%s", id);

    const person *readers[] = {&requester, &manager};
    for (size_t i = 0; i < 2; i++) {
        http_response *r = api_get(path, readers[i]->token);
        cr_assert_eq(r->status, 200, "%s", r->body);
        cr_assert_str_eq(json_str(r->json, "id"), id);
        char *etag = http_header(r, "ETag");
        cr_assert_str_eq(etag, "\"1\"");
        free(etag);
        char *ct = http_header(r, "Content-Type");
        cr_assert_str_eq(ct, "application/json");
        free(ct);
        http_free(r);
    }

    free(id);
    free(agency);
    person_free(&requester);
    person_free(&manager);
}

Test(meetings_read, SEC_2_unrelated_agency_gets_404_and_sees_nothing_in_lists)
{
    char *agency = agency_new("childrens_social_care");
    char *elsewhere = agency_new("police");
    person requester = person_new(agency, "practitioner");
    person stranger = person_new(elsewhere, "practitioner");
    person stranger_manager = person_new(elsewhere, "manager,senior_manager");
    char *id = meeting_new(&requester, "stop_and_review");
    const char *params[] = {id};
    char *reference = db_value("SELECT reference FROM meetings WHERE id = $1", 1, params);
    char *ext = db_value("SELECT external_system || ':' || external_id FROM meetings WHERE id = $1",
                         1, params);
    char *before = db_fingerprint(agency);
    long audit_before = audit_rows_for(id);

    char path[256];
    snprintf(path, sizeof path, "/v1/meetings/%s", id);
    const person *strangers[] = {&stranger, &stranger_manager};
    for (size_t i = 0; i < 2; i++) {
        const person *p = strangers[i];
        http_response *r = api_get(path, p->token);
        expect_problem(r, 404, NULL);
        cr_assert(strstr(r->body, reference) == NULL, "a 404 names nothing of the meeting");
        http_free(r);

        const char *queries[4][2] = {{"reference", reference},
                                     {"external_ref", ext},
                                     {"convening_agency", agency},
                                     {NULL, NULL}};
        for (int q = 0; q < 4; q++) {
            char list[512];
            if (queries[q][0])
                snprintf(list, sizeof list, "/v1/meetings?%s=%s", queries[q][0], queries[q][1]);
            else
                snprintf(list, sizeof list, "/v1/meetings?limit=200");
            r = api_get(list, p->token);
            cr_assert_eq(r->status, 200, "%s: %s", list, r->body);
            if (queries[q][0])
                cr_assert_eq(json_array_size(json_object_get(r->json, "items")), 0, "%s: %s",
                             list, r->body);
            cr_assert(!list_shows(r, id), "%s shows the meeting", list);
            cr_assert(strstr(r->body, reference) == NULL);
            http_free(r);
        }
    }
    expect_unchanged(agency, before);
    cr_assert_eq(audit_rows_for(id), audit_before, "a refused read is not audited as a read");
    const char *any[] = {id};
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE $1 = ANY (resource_ids)", 1, any),
                 0, "no list showed it to anyone");

    free(before);
    free(reference);
    free(ext);
    free(id);
    free(agency);
    free(elsewhere);
    person_free(&requester);
    person_free(&stranger);
    person_free(&stranger_manager);
}

Test(meetings_read, SEC_4_get_audits_meeting_read_and_refused_get_nothing)
{
    char *agency = agency_new("health");
    char *elsewhere = agency_new("health");
    person requester = person_new(agency, "practitioner");
    person stranger = person_new(elsewhere, "manager");
    char *id = meeting_new(&requester, "multi_agency");
    char path[128], request_id[64];
    snprintf(path, sizeof path, "/v1/meetings/%s", id);
    new_request_id(request_id, sizeof request_id);

    http_response *r = get_with_id(path, &requester, request_id);
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    const char *params[] = {id, request_id, requester.who.sub, agency};
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE resource_id = $1"
                         " AND request_id = $2 AND actor_sub = $3 AND actor_agency = $4"
                         " AND action = 'meeting.read' AND resource_type = 'meeting'"
                         " AND outcome = 'success'",
                         4, params),
                 1);

    /* refused: another agency, an id that is not a UUID, a query that does not belong */
    long audit_before = audit_rows_for(id);
    char *before = db_fingerprint(agency);
    char *before_elsewhere = db_fingerprint(elsewhere);
    r = api_get(path, stranger.token);
    expect_problem(r, 404, NULL);
    http_free(r);
    char bad[256];
    snprintf(bad, sizeof bad, "%s?limit=1", path);
    r = api_get(bad, requester.token);
    expect_problem(r, 400, NULL);
    http_free(r);
    r = api_get(path, NULL);
    expect_problem(r, 401, NULL);
    http_free(r);
    cr_assert_eq(audit_rows_for(id), audit_before);
    expect_unchanged(agency, before);
    expect_unchanged(elsewhere, before_elsewhere);

    free(before);
    free(before_elsewhere);
    free(id);
    free(agency);
    free(elsewhere);
    person_free(&requester);
    person_free(&stranger);
}

Test(meetings_read, non_uuid_id_is_404)
{
    char *agency = agency_new("health");
    person requester = person_new(agency, "manager");
    char *id = meeting_new(&requester, "multi_agency");
    char *before = db_fingerprint(agency);
    char truncated[64];
    snprintf(truncated, sizeof truncated, "/v1/meetings/%.35s", id);
    char extended[80];
    snprintf(extended, sizeof extended, "/v1/meetings/%s0", id);

    const char *paths[] = {"/v1/meetings/not-a-uuid", "/v1/meetings/12345",
                           "/v1/meetings/%27%20OR%201%3D1--", truncated, extended};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        http_response *r = api_get(paths[i], requester.token);
        expect_problem(r, 404, NULL);
        http_free(r);
        char command[160];
        snprintf(command, sizeof command, "%s/authorise", paths[i]);
        r = api_call("POST", command, requester.token, NULL, "\"1\"");
        expect_problem(r, 404, NULL);
        http_free(r);
    }
    expect_unchanged(agency, before);

    free(before);
    free(id);
    free(agency);
    person_free(&requester);
}

Test(meetings_read, path_and_query_parameters_never_mix)
{
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    person manager = person_new(agency, "manager");
    char *mine = meeting_new(&requester, "professionals");
    char *other = meeting_new(&requester, "professionals");
    char *before = db_fingerprint(agency);
    long audit_mine = audit_rows_for(mine), audit_other = audit_rows_for(other);

    const char *names[] = {"meeting_id", "id"};
    for (size_t i = 0; i < 2; i++) {
        char path[256];
        snprintf(path, sizeof path, "/v1/meetings/%s?%s=%s", mine, names[i], other);
        http_response *r = api_get(path, requester.token);
        expect_problem(r, 400, NULL);
        cr_assert(problem_has_field(r, names[i]), "%s: %s", names[i], r->body);
        cr_assert(strstr(r->body, "\"purpose\"") == NULL, "no meeting in the answer");
        http_free(r);

        snprintf(path, sizeof path, "/v1/meetings/%s/authorise?%s=%s", mine, names[i], other);
        r = api_call("POST", path, manager.token, NULL, "\"1\"");
        expect_problem(r, 400, NULL);
        cr_assert(problem_has_field(r, names[i]), "%s: %s", names[i], r->body);
        http_free(r);
    }
    expect_unchanged(agency, before);
    cr_assert_eq(audit_rows_for(mine), audit_mine);
    cr_assert_eq(audit_rows_for(other), audit_other);

    free(before);
    free(mine);
    free(other);
    free(agency);
    person_free(&requester);
    person_free(&manager);
}

Test(meetings_read, request_id_given_by_the_client_is_echoed)
{
    char *agency = agency_new("childrens_social_care");
    person requester = person_new(agency, "practitioner");
    char *id = meeting_new(&requester, "professionals");
    char path[128], request_id[64];
    snprintf(path, sizeof path, "/v1/meetings/%s", id);

    /* on a success, a 404, a 400 and a 401 alike */
    const char *paths[] = {path, "/v1/meetings/00000000-0000-4000-8000-000000000000",
                           "/v1/meetings?status=bogus", path};
    for (size_t i = 0; i < 4; i++) {
        new_request_id(request_id, sizeof request_id);
        http_response *r = get_with_id(paths[i], i == 3 ? NULL : &requester, request_id);
        char *echoed = http_header(r, "X-Request-Id");
        cr_assert(echoed && strcmp(echoed, request_id) == 0, "%s: sent %s, got %s", paths[i],
                  request_id, echoed ? echoed : "(none)");
        free(echoed);
        if (r->status >= 400)
            cr_assert_str_eq(json_str(r->json, "request_id"), request_id, "%s", r->body);
        http_free(r);
    }

    /* the longest usable id, 64 characters of the allowed set, is kept as is */
    const char *longest = "Aa0-_.:Aa0-_.:Aa0-_.:Aa0-_.:Aa0-_.:Aa0-_.:Aa0-_.:Aa0-_.:Aa0-_.:X";
    cr_assert_eq(strlen(longest), 64);
    http_response *kept = get_with_id(path, &requester, longest);
    char *echoed = http_header(kept, "X-Request-Id");
    cr_assert_str_eq(echoed, longest);
    free(echoed);
    http_free(kept);

    /* none given, or one unfit for logs: the service makes one */
    const char *unusable[] = {NULL, "has spaces in it",
                              "x123456789012345678901234567890123456789012345678901234567890123456789"};
    for (size_t i = 0; i < 3; i++) {
        http_response *r = unusable[i] ? get_with_id(path, &requester, unusable[i])
                                       : api_get(path, requester.token);
        cr_assert_eq(r->status, 200, "%s", r->body);
        char *made = http_header(r, "X-Request-Id");
        cr_assert(made && *made, "every response carries X-Request-Id");
        if (unusable[i])
            cr_assert_str_neq(made, unusable[i]);
        free(made);
        http_free(r);
    }

    free(id);
    free(agency);
    person_free(&requester);
}
