#include "domain/json_in.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/text.h"

void jin_path(char *out, size_t size, const char *at, const char *key)
{
    if (at && *at)
        snprintf(out, size, "%s.%s", at, key);
    else
        snprintf(out, size, "%s", key);
}

void jin_index(char *out, size_t size, const char *at, const char *key, size_t index)
{
    char base[128];
    jin_path(base, sizeof base, at, key);
    snprintf(out, size, "%s[%zu]", base, index);
}

static bool listed(const char *const *list, const char *s)
{
    for (; list && *list; list++)
        if (strcmp(*list, s) == 0)
            return true;
    return false;
}

void jin_only_keys(violations *v, json_t *obj, const char *at, const char *const *allowed,
                   const char *const *read_only)
{
    const char *key;
    json_t *value;
    json_object_foreach(obj, key, value) {
        if (listed(allowed, key))
            continue;
        char path[128], shown[65];
        snprintf(shown, sizeof shown, "%s", key);
        if (!text_is_utf8(shown, strlen(shown)))
            snprintf(shown, sizeof shown, "?");
        jin_path(path, sizeof path, at, shown);
        if (listed(read_only, key))
            violation_schema(v, path, "'%s' is read-only: the service sets it", shown);
        else
            violation_schema(v, path, "unknown field '%s'", shown);
    }
}

static json_t *present(json_t *obj, const char *key)
{
    json_t *j = json_object_get(obj, key);
    return json_is_null(j) ? NULL : j;
}

static void missing(violations *v, const char *path, const char *rule)
{
    if (rule)
        violation_rule(v, path, rule, "'%s' is required", path);
    else
        violation_schema(v, path, "'%s' is required", path);
}

static bool blank(const char *s)
{
    for (; *s; s++)
        if (!isspace((unsigned char)*s))
            return false;
    return true;
}

const char *jin_string(violations *v, json_t *obj, const char *at, const char *key,
                       size_t max_chars, bool required, const char *missing_rule)
{
    char path[128];
    jin_path(path, sizeof path, at, key);
    json_t *j = present(obj, key);
    if (!j) {
        if (required)
            missing(v, path, missing_rule);
        return NULL;
    }
    if (!json_is_string(j)) {
        violation_schema(v, path, "'%s' must be a string", path);
        return NULL;
    }
    const char *s = json_string_value(j);
    if (strlen(s) != json_string_length(j)) {
        violation_schema(v, path, "'%s' must not contain NUL characters", path);
        return NULL;
    }
    if (text_utf8_length(s) > max_chars) {
        violation_schema(v, path, "'%s' is longer than %zu characters", path, max_chars);
        return NULL;
    }
    if (blank(s)) {
        if (required)
            missing(v, path, missing_rule);
        return NULL;
    }
    return s;
}

int jin_bool(violations *v, json_t *obj, const char *at, const char *key)
{
    json_t *j = present(obj, key);
    if (!j)
        return -1;
    if (!json_is_boolean(j)) {
        char path[128];
        jin_path(path, sizeof path, at, key);
        violation_schema(v, path, "'%s' must be true or false", path);
        return -1;
    }
    return json_is_true(j) ? 1 : 0;
}

json_t *jin_array(violations *v, json_t *obj, const char *at, const char *key, size_t max_items,
                  bool required, const char *missing_rule)
{
    char path[128];
    jin_path(path, sizeof path, at, key);
    json_t *j = present(obj, key);
    if (!j) {
        if (required)
            missing(v, path, missing_rule);
        return NULL;
    }
    if (!json_is_array(j)) {
        violation_schema(v, path, "'%s' must be an array", path);
        return NULL;
    }
    if (json_array_size(j) > max_items) {
        violation_schema(v, path, "'%s' holds more than %zu items", path, max_items);
        return NULL;
    }
    return j;
}

json_t *jin_object(violations *v, json_t *obj, const char *at, const char *key, bool required,
                   const char *missing_rule)
{
    char path[128];
    jin_path(path, sizeof path, at, key);
    json_t *j = present(obj, key);
    if (!j) {
        if (required)
            missing(v, path, missing_rule);
        return NULL;
    }
    if (!json_is_object(j)) {
        violation_schema(v, path, "'%s' must be an object", path);
        return NULL;
    }
    return j;
}

const char *jin_enum(violations *v, json_t *obj, const char *at, const char *key,
                     const char *const *values, bool required, const char *rule)
{
    const char *s = jin_string(v, obj, at, key, 64, required, rule);
    if (!s || listed(values, s))
        return s;
    char path[128];
    jin_path(path, sizeof path, at, key);
    if (rule)
        violation_rule(v, path, rule, "'%s' is not one of the accepted values", path);
    else
        violation_schema(v, path, "'%s' is not one of the accepted values", path);
    return NULL;
}
