#include "http/pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yder.h>

#include "auth/refusals.h"
#include "auth/token_cache.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/text.h"
#include "http/cors.h"
#include "http/etag.h"
#include "http/metrics.h"
#include "http/req.h"
#include "http/trace.h"

static const http_service *service;
static int in_flight;  /* atomic */
static bool draining;  /* atomic */

void pipeline_init(const http_service *svc)
{
    service = svc;
}

int pipeline_in_flight(void)
{
    return __atomic_load_n(&in_flight, __ATOMIC_SEQ_CST);
}

void pipeline_drain(void)
{
    __atomic_store_n(&draining, true, __ATOMIC_SEQ_CST);
}

static void begin(req *r, const struct _u_request *u, struct _u_response *resp,
                  const route *rt)
{
    memset(r, 0, sizeof *r);
    clock_gettime(CLOCK_MONOTONIC, &r->started);
    r->u = u;
    r->resp = resp;
    r->route = rt;
    r->svc = service;
    /* the request's one clock, read once (core/clock.h) */
    r->now = clock_for_request(u_map_get_case(u->map_header, CLOCK_TEST_HEADER));
    req_id_choose(u_map_get_case(u->map_header, "X-Request-Id"), r->request_id);
    trace_parse(u_map_get_case(u->map_header, "traceparent"), r->trace_id);
}

static void finish(req *r)
{
    if (!r->status) {
        y_log_message(Y_LOG_LEVEL_ERROR, "request %s: handler for %s gave no answer",
                      r->request_id, r->route ? r->route->template : "unmatched");
        problem_internal(r);
    }
    req_release(r);
    reply_header(r, "X-Request-Id", r->request_id);
    reply_header(r, "Cache-Control", "no-store");
    cors_decorate(r, service);
    if (__atomic_load_n(&draining, __ATOMIC_RELAXED))
        reply_header(r, "Connection", "close");

    struct timespec end;
    clock_gettime(CLOCK_MONOTONIC, &end);
    double seconds = (double)(end.tv_sec - r->started.tv_sec) +
                     (double)(end.tv_nsec - r->started.tv_nsec) / 1e9;
    metrics_observe(r->route ? (int)(r->route - service->routes) : -1, r->status, seconds);
    /* SEC-5: method, route template, status and timing only; never the path,
     * query, body or the caller's name. */
    log_access(r->request_id, r->trace_id, req_method_label(r->u->http_verb),
               r->route ? r->route->template : "unmatched", r->status, seconds * 1000.0);

    json_decref(r->body);
    json_decref(r->errors);
    for (int i = 0; i < r->n_path; i++)
        free(r->path[i]);
    query_free(r->query, r->n_query);
}

/* No route for this method and path: 405 when another method would do. */
static void unmatched(req *r)
{
    if (cors_preflight(r, service))
        return;
    char allow[128] = "";
    const char *path = r->u->url_path;
    for (const route *rt = service->routes; rt->method; rt++) {
        char *values[REQ_MAX_PATH_PARAMS];
        int n = route_match(rt->template, path, values, REQ_MAX_PATH_PARAMS);
        if (n < 0)
            continue;
        for (int k = 0; k < n; k++)
            free(values[k]);
        if (strstr(allow, rt->method))
            continue;
        if (allow[0])
            strncat(allow, ", ", sizeof allow - strlen(allow) - 1);
        strncat(allow, rt->method, sizeof allow - strlen(allow) - 1);
    }
    if (allow[0]) {
        reply_header(r, "Allow", allow);
        problem(r, 405, "method-not-allowed", "Method Not Allowed",
                "This resource does not support that method; see the Allow header.");
    } else {
        problem(r, 404, "not-found", "Not Found", "There is no such route; see /openapi.yaml.");
    }
}

static bool body_too_large(req *r)
{
    /* routes without a body ignore whatever is sent with them */
    if (!(r->route->flags & (ROUTE_BODY_REQUIRED | ROUTE_BODY_OPTIONAL)))
        return false;
    size_t max = service->cfg->max_body_bytes;
    const char *declared = req_header(r, "Content-Length");
    bool too_large = r->u->binary_body_length > max;
    if (declared) {
        long n;
        too_large |= config_parse_int(declared, 0, 0x7fffffffL, &n) != 0 || (size_t)n > max;
    }
    if (too_large) {
        char detail[96];
        snprintf(detail, sizeof detail, "Request bodies are limited to %zu bytes.", max);
        problem(r, 413, "payload-too-large", "Content Too Large", detail);
    }
    return too_large;
}

static bool authenticate(req *r)
{
    const char *h = req_header(r, "Authorization");
    if (!h || strncasecmp(h, "Bearer ", 7) != 0) {
        refusals_count("missing_token");
        reply_header(r, "WWW-Authenticate", "Bearer realm=\"mam\"");
        problem_unauthenticated(r, "missing_token", "A bearer token is required.");
        return false;
    }
    const char *token = h + 7;
    while (*token == ' ')
        token++;
    time_t now = clock_wall(); /* tokens expire by the wall clock, in every build */
    if (token_cache_get(token, now, &r->who))
        return true;
    jwt_refusal why;
    enum jwt_result res = jwt_verify_why(service->verifier, token, now, &r->who, &why);
    if (res == JWT_OK) {
        token_cache_put(token, &r->who);
        return true;
    }
    /* IDP-2: the reason and the issuer's configured name, never the token */
    refusals_count(why.reason);
    log_auth_refused(r->request_id, r->trace_id, why.reason, why.issuer);
    char header[256];
    snprintf(header, sizeof header,
             "Bearer realm=\"mam\", error=\"invalid_token\", error_description=\"%s\"",
             jwt_result_text(res));
    reply_header(r, "WWW-Authenticate", header);
    problem_unauthenticated(r, jwt_result_class(res, why.reason), jwt_result_text(res));
    return false;
}

/* The query string, parsed by http/query.c rather than read from ulfius's
 * map, where query and path parameters mix. */
static bool parse_query(req *r)
{
    const char *url = r->u->http_url;
    const char *q = url ? strchr(url, '?') : NULL;
    violations v;
    violations_init(&v);
    r->n_query = query_parse(q ? q + 1 : NULL, r->route->query_params, r->query,
                             REQ_MAX_QUERY_PARAMS, &v);
    if (v.n == 0)
        return true;
    for (int i = 0; i < v.n; i++)
        req_schema_error(r, v.items[i].field, v.items[i].message);
    problem_invalid(r);
    return false;
}

static bool media_type_is_json(const char *ct)
{
    while (*ct == ' ')
        ct++;
    if (strncasecmp(ct, "application/json", 16) != 0)
        return false;
    const char *rest = ct + 16;
    while (*rest == ' ')
        rest++;
    if (*rest == '\0')
        return true;
    if (*rest != ';')
        return false;
    rest++;
    while (*rest == ' ')
        rest++;
    /* the only parameter JSON has is charset, and it must be UTF-8 */
    return strncasecmp(rest, "charset=", 8) == 0 &&
           (strcasecmp(rest + 8, "utf-8") == 0 || strcasecmp(rest + 8, "\"utf-8\"") == 0);
}

static bool parse_body(req *r)
{
    unsigned flags = r->route->flags;
    size_t n = r->u->binary_body_length;
    if (!(flags & (ROUTE_BODY_REQUIRED | ROUTE_BODY_OPTIONAL)))
        return true; /* GET and friends: any body is ignored */
    if (n == 0 && (flags & ROUTE_BODY_OPTIONAL))
        return true;
    const char *ct = req_header(r, "Content-Type");
    if (!ct || !media_type_is_json(ct)) {
        problem(r, 415, "unsupported-media-type", "Unsupported Media Type",
                "Send the body as application/json (UTF-8).");
        return false;
    }
    if (n == 0) {
        req_schema_error(r, "", "a JSON object body is required");
        problem_invalid(r);
        return false;
    }
    json_error_t err;
    r->body = json_loadb(r->u->binary_body, n, JSON_REJECT_DUPLICATES, &err);
    if (!r->body) {
        char msg[200];
        snprintf(msg, sizeof msg, "not valid JSON at line %d, column %d: %.120s", err.line,
                 err.column, err.text);
        req_schema_error(r, "", msg);
        problem_invalid(r);
        return false;
    }
    if (!json_is_object(r->body)) {
        req_schema_error(r, "", "the body must be a JSON object");
        problem_invalid(r);
        return false;
    }
    return true;
}

bool pipeline_if_match(req *r, long current_version)
{
    switch (etag_if_match(req_header(r, "If-Match"), current_version)) {
    case IF_MATCH_OK:
        return true;
    case IF_MATCH_STALE:
        reply_etag(r, current_version);
        problem(r, 412, "stale-version", "Precondition Failed",
                "The resource has changed since you read it; fetch it again and retry.");
        return false;
    case IF_MATCH_MALFORMED:
        req_schema_error(r, "If-Match", "If-Match must be a quoted entity tag such as \"3\"");
        problem_invalid(r);
        return false;
    }
    return false;
}

int pipeline_dispatch(const struct _u_request *u, struct _u_response *resp, void *user_data)
{
    const route *rt = user_data;
    req r;
    __atomic_add_fetch(&in_flight, 1, __ATOMIC_SEQ_CST);
    begin(&r, u, resp, rt);

    if (!rt) {
        unmatched(&r);
        goto done;
    }
    r.n_path = route_match(rt->template, u->url_path, r.path, REQ_MAX_PATH_PARAMS);
    if (r.n_path < 0) {
        r.n_path = 0;
        problem_not_found(&r);
        goto done;
    }
    if (body_too_large(&r))
        goto done;
    if (!(rt->flags & ROUTE_PUBLIC)) {
        if (!authenticate(&r))
            goto done;
        if (rt->roles && !caller_has_any(&r.who, rt->roles)) {
            problem_forbidden(&r, NULL, "Your roles do not allow this.");
            goto done;
        }
    }
    if (!parse_query(&r) || !parse_body(&r))
        goto done;
    if ((rt->flags & ROUTE_IF_MATCH) && !req_header(&r, "If-Match")) {
        problem(&r, 428, "precondition-required", "Precondition Required",
                "Send If-Match with the ETag you last read, so that changes are never lost.");
        goto done;
    }
    rt->handler(&r);
done:
    finish(&r);
    __atomic_sub_fetch(&in_flight, 1, __ATOMIC_SEQ_CST);
    return U_CALLBACK_COMPLETE;
}
