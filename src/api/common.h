/* common: small pieces the resource handlers share. */
#ifndef MAM_API_COMMON_H
#define MAM_API_COMMON_H

#include <jansson.h>
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

/* Warnings that do not block (INV-4, FAM-4): {rule, field, message}. */
void warning_add(json_t *warnings, const char *rule, const char *field, const char *message);
/* The representation with "warnings" added when there are any (free()). */
char *with_warnings(const char *json, json_t *warnings);

/* Begins a transaction on the request's connection; answers 503 and
 * returns false when it cannot. read: an audited read (db_begin_read). */
bool begin(req *r, bool read);

#endif
