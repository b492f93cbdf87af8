/* query: the query string of a request, parsed by the service itself.
 *
 * ulfius merges query and path parameters into one map, where ?id=x would
 * mix with a path's {id}; parsing the raw query string keeps them apart.
 * Names and values are percent-decoded and must be UTF-8; a name the route
 * does not take, or one given twice, is a schema violation. */
#ifndef MAM_QUERY_H
#define MAM_QUERY_H

#include "domain/violations.h"

typedef struct query_param {
    char *name;
    char *value;
} query_param;

/* Parses qs (the text after '?', may be NULL) into out (new strings; free
 * with query_free). allowed is NULL-terminated (or NULL: none allowed).
 * Returns the number of parameters kept; problems go to v. */
int query_parse(const char *qs, const char *const *allowed, query_param *out, int max,
                violations *v);
void query_free(query_param *params, int n);

#endif
