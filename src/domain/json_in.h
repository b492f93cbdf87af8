/* json_in: typed reads of a JSON request document with every problem
 * recorded as a violation (never an early return), so one answer lists all.
 *
 * Paths: `at` is the path of the object being read ("" for the body,
 * "children[1]" inside it); fields are reported as at.key.
 * A JSON null counts as absent. Strings count code points, not bytes.
 * Returned pointers borrow from the document. */
#ifndef MAM_JSON_IN_H
#define MAM_JSON_IN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "domain/violations.h"

/* Reports every key of obj not in allowed (NULL-terminated) as a schema
 * violation; read_only (may be NULL) keys get a clearer message. */
void jin_only_keys(violations *v, json_t *obj, const char *at, const char *const *allowed,
                   const char *const *read_only);

/* When required and absent or blank, records `missing_rule` (a rule
 * violation, or a schema one when missing_rule is NULL). */
const char *jin_string(violations *v, json_t *obj, const char *at, const char *key,
                       size_t max_chars, bool required, const char *missing_rule);

/* -1 absent, 0 false, 1 true; a wrong type is a schema violation (-1). */
int jin_bool(violations *v, json_t *obj, const char *at, const char *key);

/* An array of at most max_items, or NULL when absent or wrongly typed. */
json_t *jin_array(violations *v, json_t *obj, const char *at, const char *key, size_t max_items,
                  bool required, const char *missing_rule);

/* An object, or NULL when absent or wrongly typed. */
json_t *jin_object(violations *v, json_t *obj, const char *at, const char *key, bool required,
                   const char *missing_rule);

/* A string from a fixed set; a value outside it is a rule violation of
 * `rule` (or a schema violation when rule is NULL). */
const char *jin_enum(violations *v, json_t *obj, const char *at, const char *key,
                     const char *const *values, bool required, const char *rule);

/* Joins a path: at.key, or key when at is empty. */
void jin_path(char *out, size_t size, const char *at, const char *key);
/* at[index] */
void jin_index(char *out, size_t size, const char *at, const char *key, size_t index);

#endif
