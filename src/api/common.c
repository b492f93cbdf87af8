#include "api/common.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http/cursor.h"

bool answer_violations(req *r, const violations *v)
{
    if (v->n == 0)
        return false;
    for (int i = 0; i < v->n; i++) {
        const violation *x = &v->items[i];
        if (x->rule)
            req_error(r, x->field, x->rule, x->message);
        else
            req_schema_error(r, x->field, x->message);
    }
    problem_invalid(r);
    return true;
}

void today_utc(char out[11])
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

bool read_page(req *r, int *limit, char **parts, int n_parts)
{
    for (int i = 0; i < n_parts; i++)
        parts[i] = NULL;
    if (!page_limit_parse(req_query(r, "limit"), limit))
        req_schema_error(r, "limit", "limit must be a whole number from 1 to 200");
    const char *cursor = req_query(r, "cursor");
    if (cursor && cursor_decode(cursor, parts, n_parts) != n_parts) {
        free_parts(parts, n_parts);
        req_schema_error(r, "cursor", "cursor is not one this service gave out");
    }
    if (req_has_errors(r)) {
        free_parts(parts, n_parts);
        problem_invalid(r);
        return false;
    }
    return true;
}

void free_parts(char **parts, int n)
{
    for (int i = 0; i < n; i++) {
        free(parts[i]);
        parts[i] = NULL;
    }
}

void answer_resource(req *r, int status, const char *json, long version, const char *location)
{
    if (db_commit(r->db) != 0) {
        req_db_failed(r);
        return;
    }
    reply_etag(r, version);
    if (location)
        reply_header(r, "Location", location);
    reply_json_text(r, status, json);
}

void warning_add(json_t *warnings, const char *rule, const char *field, const char *message)
{
    json_array_append_new(warnings, json_pack("{s:s, s:s, s:s}", "rule", rule, "field", field,
                                              "message", message));
}

char *with_warnings(const char *json, json_t *warnings)
{
    if (!warnings || json_array_size(warnings) == 0)
        return strdup(json);
    json_t *doc = json_loads(json, 0, NULL);
    if (!doc)
        return strdup(json);
    json_object_set(doc, "warnings", warnings);
    char *out = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    return out;
}

bool begin(req *r, bool read)
{
    db_conn *c = req_db(r);
    if (!c)
        return false;
    if ((read ? db_begin_read(c) : db_begin(c)) != 0) {
        req_db_failed(r);
        return false;
    }
    return true;
}
