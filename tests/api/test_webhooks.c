/* INT-5 over HTTP: an agency's webhook endpoints, their secrets and their
 * deliveries. The receiver side (signatures verified with the Standard
 * Webhooks library, retries, 410, replay, rotation, a killed service) is
 * tests/hooks/hooks.test.mjs; these tests hold the API and the outbox.
 *
 * Endpoints here point at 127.0.0.1 port 9, where nothing listens: every
 * attempt is refused at once, so nothing leaves the machine. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support/client.h"
#include "support/fixtures.h"
#include "support/people.h"

#define NOWHERE "http://127.0.0.1:9/hooks"

static http_response *create(const person *by, json_t *body)
{
    http_response *r = api_call("POST", "/v1/webhook-endpoints", by->token, body, NULL);
    json_decref(body);
    return r;
}

static char *endpoint_path(const char *id, const char *rest)
{
    static char path[256];
    snprintf(path, sizeof path, "/v1/webhook-endpoints/%s%s", id, rest ? rest : "");
    return path;
}

Test(webhooks, INT_5_an_integration_registers_an_endpoint_and_sees_its_secret_once)
{
    char *agency = agency_new("police");
    person system = person_new(agency, "integration");
    http_response *r = create(&system, json_pack("{s:s, s:[s, s], s:s}", "url", NOWHERE,
                                                 "event_types", "meeting.scheduled",
                                                 "invitation.created", "description",
                                                 "Case management system"));
    cr_assert_eq(r->status, 201, "%ld %s", r->status, r->body);
    char *id = strdup(json_str(r->json, "id"));
    const char *secret = json_str(r->json, "secret");
    cr_assert(secret && strncmp(secret, "whsec_", 6) == 0, "%s", r->body);
    char *secret_copy = strdup(secret);
    cr_assert_str_eq(json_str(r->json, "agency"), agency);
    cr_assert_str_eq(json_str(r->json, "status"), "active");
    char *location = http_header(r, "Location");
    cr_assert_str_eq(location, endpoint_path(id, NULL));
    free(location);
    http_free(r);

    /* never again: not in a read, a list, or the database in clear */
    r = api_get(endpoint_path(id, NULL), system.token);
    cr_assert_eq(r->status, 200);
    cr_assert_null(json_object_get(r->json, "secret"));
    cr_assert_null(strstr(r->body, secret_copy + 6));
    http_free(r);
    r = api_get("/v1/webhook-endpoints", system.token);
    cr_assert_eq(r->status, 200);
    cr_assert_null(strstr(r->body, secret_copy + 6));
    cr_assert(strstr(r->body, id));
    http_free(r);
    const char *params[] = {id};
    char *stored = db_value("SELECT secret_sealed FROM webhook_endpoints WHERE id = $1", 1, params);
    cr_assert(strncmp(stored, "v1.", 3) == 0, "sealed: %s", stored);
    cr_assert_null(strstr(stored, secret_copy + 6));
    free(stored);
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE resource_id = $1"
                         " AND action = 'webhook_endpoint.create'",
                         1, params),
                 1);

    /* rotation: a new secret, once; the old one signs for a while longer */
    r = api_call("POST", endpoint_path(id, "/rotate-secret"), system.token, NULL, "\"1\"");
    cr_assert_eq(r->status, 200, "%ld %s", r->status, r->body);
    const char *rotated = json_str(r->json, "secret");
    cr_assert(rotated && strcmp(rotated, secret_copy) != 0);
    cr_assert(json_is_string(json_object_get(r->json, "previous_secret_expires_at")), "%s",
              r->body);
    cr_assert_eq(json_int(r->json, "version"), 2);
    http_free(r);

    /* changes need If-Match; a stale one is refused */
    json_t *patch = json_pack("{s:[s]}", "event_types", "meeting.cancelled");
    r = api_call("PATCH", endpoint_path(id, NULL), system.token, patch, "\"1\"");
    cr_assert_eq(r->status, 412, "%s", r->body);
    http_free(r);
    r = api_call("PATCH", endpoint_path(id, NULL), system.token, patch, "\"2\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_eq(json_array_size(json_object_get(r->json, "event_types")), 1);
    http_free(r);
    json_decref(patch);

    /* another agency's integration, and a practitioner, see nothing */
    char *other = agency_new("police");
    person stranger = person_new(other, "integration");
    r = api_get(endpoint_path(id, NULL), stranger.token);
    cr_assert_eq(r->status, 404);
    http_free(r);
    r = api_get("/v1/webhook-endpoints", stranger.token);
    cr_assert_null(strstr(r->body, id));
    http_free(r);
    person officer = person_new(agency, "practitioner");
    r = api_get("/v1/webhook-endpoints", officer.token);
    cr_assert_eq(r->status, 403);
    http_free(r);
    /* an integration registers for its own agency only; an admin for any */
    r = create(&stranger, json_pack("{s:s, s:[s], s:s}", "url", NOWHERE, "event_types",
                                    "meeting.scheduled", "agency", agency));
    cr_assert_eq(r->status, 403, "%s", r->body);
    http_free(r);
    person admin = person_new("ADMIN-W1", "admin");
    r = api_get(endpoint_path(id, NULL), admin.token);
    cr_assert_eq(r->status, 200);
    http_free(r);

    /* deleted */
    r = api_call("DELETE", endpoint_path(id, NULL), system.token, NULL, "\"3\"");
    cr_assert_eq(r->status, 204, "%ld %s", r->status, r->body);
    http_free(r);
    r = api_get(endpoint_path(id, NULL), system.token);
    cr_assert_eq(r->status, 404);
    http_free(r);

    person_free(&admin);
    person_free(&officer);
    person_free(&stranger);
    free(other);
    free(secret_copy);
    free(id);
    person_free(&system);
    free(agency);
}

/* The audit trail's scope (SEC-4) for endpoints: an admin of another
 * agency registering, or deleting, an agency's endpoint is on that agency's
 * trail, and on no unrelated agency's. */
static json_t *trail_of(const person *auditor, const char *id)
{
    char path[256];
    snprintf(path, sizeof path, "/v1/audit-events?limit=200&resource_id=%s", id);
    http_response *r = api_get(path, auditor->token);
    cr_assert_eq(r->status, 200, "%ld %s", r->status, r->body);
    json_t *actions = json_array();
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(r->json, "items"), i, item)
        json_array_append_new(actions, json_string(json_str(item, "action")));
    http_free(r);
    return actions;
}

Test(webhooks, SEC_4_an_endpoint_is_on_its_agencys_audit_trail_whoever_registered_it)
{
    char *agency = agency_new("police");
    char *unrelated = agency_new("health");
    person admin = person_new("ADMIN-W2", "admin");
    http_response *r = create(&admin, json_pack("{s:s, s:[s], s:s}", "url", NOWHERE,
                                                "event_types", "meeting.scheduled", "agency",
                                                agency));
    cr_assert_eq(r->status, 201, "%ld %s", r->status, r->body);
    char *id = strdup(json_str(r->json, "id"));
    http_free(r);
    r = api_call("DELETE", endpoint_path(id, NULL), admin.token, NULL, "\"1\"");
    cr_assert_eq(r->status, 204, "%ld %s", r->status, r->body);
    http_free(r);

    person auditor = person_new(agency, "auditor");
    person stranger = person_new(unrelated, "auditor");
    json_t *seen = trail_of(&auditor, id);
    cr_assert_eq(json_array_size(seen), 2, "the agency's auditor sees %zu rows",
                 json_array_size(seen));
    cr_assert_str_eq(json_string_value(json_array_get(seen, 0)), "webhook_endpoint.delete");
    cr_assert_str_eq(json_string_value(json_array_get(seen, 1)), "webhook_endpoint.create");
    json_decref(seen);
    seen = trail_of(&stranger, id);
    cr_assert_eq(json_array_size(seen), 0, "an unrelated agency's auditor sees nothing");
    json_decref(seen);

    person_free(&stranger);
    person_free(&auditor);
    free(id);
    person_free(&admin);
    free(unrelated);
    free(agency);
}

Test(webhooks, INT_5_urls_and_event_types_are_checked)
{
    char *agency = agency_new("health");
    person system = person_new(agency, "integration");
    const char *bad_urls[] = {
        "http://hooks.mam.test/plain-http", "https://not-listed.example/hook",
        "https://user:pw@hooks.mam.test/", "https://10.0.0.1/", "https://169.254.169.254/latest",
        "ftp://hooks.mam.test/", "not a url", NULL};
    for (const char **u = bad_urls; *u; u++) {
        http_response *r =
            create(&system, json_pack("{s:s, s:[s]}", "url", *u, "event_types", "meeting.held"));
        cr_assert(r->status == 422 || r->status == 400, "%s: %ld %s", *u, r->status, r->body);
        if (r->status == 422)
            cr_assert(problem_has_rule(r, "INT-5", "url"), "%s: %s", *u, r->body);
        http_free(r);
    }
    http_response *r = create(&system, json_pack("{s:s, s:[s]}", "url", NOWHERE, "event_types",
                                                 "meeting.eaten"));
    cr_assert_eq(r->status, 422);
    cr_assert(problem_has_rule(r, "INT-5", "event_types[0]"), "%s", r->body);
    http_free(r);
    r = create(&system, json_pack("{s:s, s:[s], s:s}", "url", NOWHERE, "event_types",
                                  "meeting.held", "secret", "whsec_mine"));
    cr_assert_eq(r->status, 400, "a secret is never chosen by the client: %s", r->body);
    http_free(r);
    r = create(&system, json_pack("{s:s, s:[]}", "url", NOWHERE, "event_types"));
    cr_assert_eq(r->status, 422);
    http_free(r);
    const char *params[] = {agency};
    cr_assert_eq(db_long("SELECT count(*) FROM webhook_endpoints WHERE agency = $1", 1, params), 0);
    person_free(&system);
    free(agency);
}

/* The outbox: a committed change of a subscribed type queues one delivery
 * per endpoint, in the same transaction; a refused change queues nothing;
 * an unreachable receiver is retried; replay queues it again. */
Test(webhooks, INT_5_the_outbox_follows_committed_changes_only)
{
    char *agency = agency_new("childrens_social_care");
    person system = person_new(agency, "integration");
    person requester = person_new(agency, "practitioner");
    http_response *r = create(&system, json_pack("{s:s, s:[s]}", "url", NOWHERE, "event_types",
                                                 "meeting.requested"));
    cr_assert_eq(r->status, 201, "%s", r->body);
    char *id = strdup(json_str(r->json, "id"));
    http_free(r);

    char *meeting = meeting_new(&requester, "stop_and_review");
    /* refused: a meeting without a title queues nothing */
    json_t *body = meeting_body("stop_and_review");
    json_object_del(body, "title");
    r = api_call("POST", "/v1/meetings", requester.token, body, NULL);
    json_decref(body);
    cr_assert_eq(r->status, 422);
    http_free(r);

    const char *params[] = {id, meeting};
    cr_assert_eq(db_long("SELECT count(*) FROM webhook_deliveries WHERE endpoint_id = $1", 1,
                         params),
                 1, "one delivery: the committed request only");
    char *payload = db_value("SELECT payload FROM webhook_deliveries WHERE endpoint_id = $1", 1,
                             params);
    json_t *p = json_loads(payload, 0, NULL);
    cr_assert(p, "%s", payload);
    cr_assert_str_eq(json_str(p, "type"), "meeting.requested");
    json_t *data = json_object_get(p, "data");
    cr_assert_str_eq(json_str(data, "resource_id"), meeting);
    cr_assert_str_eq(json_str(data, "resource_type"), "meeting");
    cr_assert_eq(json_int(data, "resource_version"), 1);
    char link[128];
    snprintf(link, sizeof link, "/v1/meetings/%s", meeting);
    cr_assert_str_eq(json_str(json_object_get(data, "links"), "resource"), link);
    /* thin: nothing of the case */
    cr_assert_null(strstr(payload, "Alex"));
    cr_assert_null(strstr(payload, "Planning for a fictional family"));
    cr_assert_null(strstr(payload, requester.who.name));
    json_decref(p);
    free(payload);

    /* nothing listens there: attempted, failed, to be tried again */
    long attempts = 0;
    for (int i = 0; i < 200 && attempts == 0; i++) {
        attempts = db_long("SELECT attempts FROM webhook_deliveries WHERE endpoint_id = $1", 1,
                           params);
        if (!attempts)
            usleep(50000);
    }
    cr_assert_geq(attempts, 1, "the worker attempted it");
    r = api_get(endpoint_path(id, "/deliveries?status=pending"), system.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *items = json_object_get(r->json, "items");
    cr_assert_eq(json_array_size(items), 1, "%s", r->body);
    json_t *d = json_array_get(items, 0);
    cr_assert(json_str(d, "last_error"), "%s", r->body);
    cr_assert(json_str(d, "next_attempt_at"));
    char *delivery = strdup(json_str(d, "id"));
    cr_assert(strncmp(json_str(d, "message_id"), "msg_", 4) == 0);
    http_free(r);
    r = api_get(endpoint_path(id, "/deliveries?status=delivered"), system.token);
    cr_assert_eq(json_array_size(json_object_get(r->json, "items")), 0);
    http_free(r);
    r = api_get(endpoint_path(id, "/deliveries?status=lost"), system.token);
    cr_assert_eq(r->status, 400);
    http_free(r);

    /* replay: due again now, with a fresh schedule */
    char path[256];
    snprintf(path, sizeof path, "/v1/webhook-endpoints/%s/deliveries/%s/replay", id, delivery);
    r = api_call("POST", path, system.token, NULL, NULL);
    cr_assert_eq(r->status, 200, "%ld %s", r->status, r->body);
    cr_assert_str_eq(json_str(r->json, "status"), "pending");
    http_free(r);
    snprintf(path, sizeof path, "/v1/webhook-endpoints/%s/deliveries/999999999999/replay", id);
    r = api_call("POST", path, system.token, NULL, NULL);
    cr_assert_eq(r->status, 404);
    http_free(r);

    /* disabled: no more deliveries are queued */
    json_t *patch = json_pack("{s:s}", "status", "disabled");
    r = api_call("PATCH", endpoint_path(id, NULL), system.token, patch, "\"1\"");
    json_decref(patch);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "disabled_reason"), "by_request");
    http_free(r);
    char *second = meeting_new(&requester, "professionals");
    cr_assert_eq(db_long("SELECT count(*) FROM webhook_deliveries WHERE endpoint_id = $1", 1,
                         params),
                 1);

    free(second);
    free(delivery);
    free(meeting);
    free(id);
    person_free(&requester);
    person_free(&system);
    free(agency);
}
