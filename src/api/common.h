/* common: small pieces the resource handlers share. */
#ifndef MAM_API_COMMON_H
#define MAM_API_COMMON_H

#include <stdbool.h>

#include "domain/violations.h"
#include "http/req.h"

/* Answers 400/422 with every violation when there are any; returns whether
 * it answered. */
bool answer_violations(req *r, const violations *v);

/* Today's date in UTC, YYYY-MM-DD. */
void today_utc(char out[11]);

/* Reads ?limit= and ?cursor= (with `parts` sort-key parts); answers 400 and
 * returns false when either is malformed. Parts are new strings. */
bool read_page(req *r, int *limit, char **parts, int n_parts);
void free_parts(char **parts, int n);

/* Commits and answers with a resource's JSON, ETag and (for 201) Location. */
void answer_resource(req *r, int status, const char *json, long version, const char *location);

#endif
