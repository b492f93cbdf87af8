/* Webhook endpoints and their deliveries (INT-5): registered by an
 * agency's integrations for their own agency, or by an administrator for
 * any. Endpoints are configuration, not case data, so reading them is not
 * audited; every change is. The secret is shown once, when it is made
 * (creation, rotation), and stored sealed (core/secret.h): never in clear,
 * never remembered for an Idempotency-Key, never logged. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/frame.h"
#include "api/handlers.h"
#include "core/secret.h"
#include "domain/webhooks.h"
#include "http/webhook_send.h"
#include "store/agencies.h"
#include "store/audit.h"
#include "store/webhooks.h"

static const config_integrations *settings(req *r)
{
    return &req_config(r)->integrations;
}

/* An integration acts for its own agency only; an admin for any. */
static bool may_act_for(req *r, const char *agency)
{
    if (caller_has_any(&r->who, ROLE_ADMIN) || strcmp(agency, r->who.agency) == 0)
        return true;
    problem_forbidden(r, "INT-5", "An integration registers endpoints for its own agency only.");
    return false;
}

static char *types_json(const endpoint_in *in)
{
    if (in->n_types < 0)
        return NULL;
    json_t *a = json_array();
    for (int i = 0; i < in->n_types; i++)
        json_array_append_new(a, json_string(in->types[i]));
    char *text = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    return text;
}

/* A new secret sealed for the endpoint; the whsec_ text for the answer. */
static char *new_secret(req *r, const char *endpoint_id, char text[HOOK_SECRET_TEXT_MAX])
{
    unsigned char raw[HOOK_SECRET_BYTES];
    hook_secret_new(raw, text);
    char *sealed = secret_seal(settings(r)->webhook_secret_key, endpoint_id, raw, sizeof raw);
    secret_wipe(raw, sizeof raw);
    return sealed;
}

void handle_webhooks_create(req *r)
{
    violations v;
    violations_init(&v);
    endpoint_in in;
    endpoint_parse(r->body, false, settings(r), &in, &v);
    if (v.schema && frame_violations(r, &v))
        return;
    const char *agency = in.agency ? in.agency : r->who.agency;
    if (!may_act_for(r, agency))
        return;
    store *s = frame_begin(r, FRAME_CHANGE);
    if (!s)
        return;
    int active = agencies_is_active(s, agency);
    if (!frame_ok(r, active < 0 ? -1 : 0))
        return;
    if (!active)
        violation_rule(&v, "agency", "INT-5", "not an active agency of the directory");
    if (!settings(r)->has_webhook_secret_key)
        violation_rule(&v, "url", "INT-5", "webhooks are not configured (WEBHOOK_SECRET_KEY)");
    if (frame_violations(r, &v))
        return;
    char id[37], secret[HOOK_SECRET_TEXT_MAX];
    if (!frame_ok(r, webhooks_new_id(s, id)))
        return;
    char *sealed = new_secret(r, id, secret);
    char *types = types_json(&in);
    bool made = sealed && types;
    int rc = made ? webhooks_insert(s, id, agency, in.url, in.description, types, sealed) : -1;
    free(sealed);
    free(types);
    if (!made) {
        problem_internal(r);
        return;
    }
    if (!frame_ok(r, rc))
        return;
    json_t *extra = json_pack("{s:s}", "secret", secret);
    secret_wipe(secret, sizeof secret);
    frame_finish(r, &(frame_change){.kind = &STORE_WEBHOOK_ENDPOINT,
                                    .id = id,
                                    .audit_action = "webhook_endpoint.create",
                                    .created = true,
                                    .extra = extra});
    json_decref(extra);
}

void handle_webhooks_list(req *r)
{
    const char *agency = req_query(r, "agency");
    if (agency && !agency_code_valid(agency)) {
        req_schema_error(r, "agency", "not an agency code");
        problem_invalid(r);
        return;
    }
    static const enum cursor_part key[] = {PART_TIMESTAMP, PART_UUID};
    frame_page page;
    if (!frame_page_read(r, &page, 2, key))
        return;
    store *s = frame_begin(r, FRAME_READ);
    store_page rendered;
    if (s && frame_ok(r, webhooks_list(s, agency, page.limit, page.after, &rendered)))
        frame_list(r, &rendered, NULL, "webhook_endpoint");
    frame_page_free(&page);
}

void handle_webhooks_get(req *r)
{
    frame_get(r, &STORE_WEBHOOK_ENDPOINT, NULL);
}

/* The endpoint named by the path, locked, when the caller may see it. */
static bool load(req *r, store **s, endpoint_row *e)
{
    memset(e, 0, sizeof *e);
    *s = frame_begin(r, FRAME_CHANGE);
    return *s && frame_found(r, webhooks_find(*s, req_path(r, 0), true, e)) &&
           frame_if_match(r, e->version);
}

void handle_webhooks_update(req *r)
{
    violations v;
    violations_init(&v);
    endpoint_in in;
    endpoint_parse(r->body, true, settings(r), &in, &v);
    if (v.schema && frame_violations(r, &v))
        return;
    store *s;
    endpoint_row e;
    if (!load(r, &s, &e) || frame_violations(r, &v)) {
        endpoint_row_free(&e);
        return;
    }
    char *types = types_json(&in);
    bool ok = frame_ok(r, webhooks_update(s, e.id, in.url, in.description, in.description_null,
                                          types, in.status));
    free(types);
    if (ok)
        frame_finish(r, &(frame_change){.kind = &STORE_WEBHOOK_ENDPOINT,
                                        .id = e.id,
                                        .audit_action = "webhook_endpoint.update"});
    endpoint_row_free(&e);
}

void handle_webhooks_delete(req *r)
{
    store *s;
    endpoint_row e;
    if (load(r, &s, &e)) {
        /* audited first, while the row still says whose endpoint it was */
        if (audit_record(s, "webhook_endpoint.delete", "webhook_endpoint", e.id) != 0 ||
            webhooks_delete(s, e.id) != 0 ||
            store_commit(s) != 0)
            req_db_failed(r);
        else
            reply_empty(r, 204);
    }
    endpoint_row_free(&e);
}

void handle_webhooks_rotate(req *r)
{
    store *s;
    endpoint_row e;
    if (!load(r, &s, &e)) {
        endpoint_row_free(&e);
        return;
    }
    char secret[HOOK_SECRET_TEXT_MAX];
    char *sealed = new_secret(r, e.id, secret);
    if (!sealed) {
        problem_internal(r);
    } else if (frame_ok(r, webhooks_rotate(s, e.id, sealed,
                                           settings(r)->webhook_rotation_overlap_s))) {
        json_t *extra = json_pack("{s:s}", "secret", secret);
        frame_finish(r, &(frame_change){.kind = &STORE_WEBHOOK_ENDPOINT,
                                        .id = e.id,
                                        .audit_action = "webhook_endpoint.rotate_secret",
                                        .extra = extra});
        json_decref(extra);
    }
    secret_wipe(secret, sizeof secret);
    free(sealed);
    endpoint_row_free(&e);
}

void handle_webhooks_deliveries(req *r)
{
    static const char *const statuses[] = {"pending", "delivered", "failed", NULL};
    const char *status = req_query(r, "status");
    bool known = !status;
    for (int i = 0; status && statuses[i]; i++)
        known |= strcmp(statuses[i], status) == 0;
    if (!known) {
        req_schema_error(r, "status", "status is pending, delivered or failed");
        problem_invalid(r);
        return;
    }
    static const enum cursor_part key[] = {PART_INTEGER};
    frame_page page;
    if (!frame_page_read(r, &page, 1, key))
        return;
    store *s = frame_begin(r, FRAME_READ);
    endpoint_row e = {0};
    store_page rendered;
    if (s && frame_found(r, webhooks_find(s, req_path(r, 0), false, &e)) &&
        frame_ok(r, webhooks_deliveries(s, e.id, status, page.limit, page.after[0], &rendered)))
        frame_list(r, &rendered, NULL, "webhook_delivery");
    endpoint_row_free(&e);
    frame_page_free(&page);
}

void handle_webhooks_replay(req *r)
{
    store *s = frame_begin(r, FRAME_CHANGE);
    endpoint_row e = {0};
    char *json = NULL;
    if (s && frame_found(r, webhooks_find(s, req_path(r, 0), true, &e)) &&
        frame_found(r, webhooks_replay(s, e.id, req_path(r, 1), &json))) {
        if (audit_record(s, "webhook_delivery.replay", "webhook_delivery", req_path(r, 1)) != 0 ||
            store_commit(s) != 0)
            req_db_failed(r);
        else
            reply_json_text(r, 200, json);
    }
    free(json);
    endpoint_row_free(&e);
}
