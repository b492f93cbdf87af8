#include "http/cors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/route.h"

bool cors_origin_allowed(const config *cfg, const char *origin)
{
    for (int i = 0; origin && i < cfg->n_cors_origins; i++)
        if (strcmp(cfg->cors_origins[i], origin) == 0)
            return true;
    return false;
}

/* The methods the route table serves at this path, e.g. "GET, PATCH". */
static void methods_for(const route *routes, const char *path, char *out, size_t size)
{
    out[0] = '\0';
    for (const route *rt = routes; path && rt->method; rt++) {
        char *values[REQ_MAX_PATH_PARAMS];
        int n = route_match(rt->template, path, values, REQ_MAX_PATH_PARAMS);
        if (n < 0)
            continue;
        for (int k = 0; k < n; k++)
            free(values[k]);
        if (strstr(out, rt->method))
            continue;
        if (out[0])
            strncat(out, ", ", size - strlen(out) - 1);
        strncat(out, rt->method, size - strlen(out) - 1);
    }
}

bool cors_preflight(req *r, const http_service *svc)
{
    const char *origin = req_header(r, "Origin");
    if (!r->u->http_verb || strcmp(r->u->http_verb, "OPTIONS") != 0 || !origin ||
        !req_header(r, "Access-Control-Request-Method"))
        return false;
    if (!cors_origin_allowed(svc->cfg, origin)) {
        problem(r, 403, "cors-origin-refused", "Forbidden",
                "This origin may not call the API from a browser; see CORS_ALLOWED_ORIGINS.");
        return true;
    }
    char methods[128];
    methods_for(svc->routes, r->u->url_path, methods, sizeof methods);
    if (!methods[0]) {
        problem_not_found(r);
        return true;
    }
    char max_age[16];
    snprintf(max_age, sizeof max_age, "%d", svc->cfg->cors_max_age_s);
    reply_header(r, "Access-Control-Allow-Methods", methods);
    reply_header(r, "Access-Control-Allow-Headers", CORS_ALLOW_HEADERS);
    reply_header(r, "Access-Control-Max-Age", max_age);
    reply_empty(r, 204);
    return true;
}

void cors_decorate(req *r, const http_service *svc)
{
    const char *origin = req_header(r, "Origin");
    if (!origin || svc->cfg->n_cors_origins == 0)
        return;
    /* the answer depends on the origin: shared caches must keep them apart */
    reply_header(r, "Vary", "Origin");
    if (!cors_origin_allowed(svc->cfg, origin))
        return;
    reply_header(r, "Access-Control-Allow-Origin", origin);
    reply_header(r, "Access-Control-Expose-Headers", CORS_EXPOSE_HEADERS);
}
