/* route: one entry of a route table. The service's table is api/routes.c;
 * serve.c hands it to the server (http/server.h).
 *
 * Templates are written as in openapi.yaml ("/v1/meetings/{id}"), so the
 * same string names the route in the contract, the access log and the
 * metrics. */
#ifndef MAM_ROUTE_H
#define MAM_ROUTE_H

struct req;
typedef void (*handler_fn)(struct req *r);

enum route_flags {
    ROUTE_PUBLIC        = 1u << 0, /* no bearer token (operations endpoints) */
    ROUTE_BODY_REQUIRED = 1u << 1, /* a JSON object body must be sent */
    ROUTE_BODY_OPTIONAL = 1u << 2, /* a JSON object body may be sent */
    ROUTE_IF_MATCH      = 1u << 3, /* a change of state: If-Match is required */
};

typedef struct route {
    const char *method;
    const char *template;
    handler_fn handler;
    unsigned flags;
    unsigned roles;                   /* any of these roles, or 0 for any caller */
    const char *const *query_params;  /* NULL-terminated allowed names, or NULL */
} route;

/* How many routes a table holds (it ends with an entry whose method is NULL). */
int routes_count(const route *table);

/* Matches a path against a template; on success fills up to max values
 * (new strings, percent-decoded) and returns how many, else -1. */
int route_match(const char *template, const char *path, char **values, int max);

#endif
