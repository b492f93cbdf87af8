/* Children as subjects (children.h). */
#include "store/children.h"

#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "store/sql.h"

const store_kind STORE_CHILD = {
    "child",
    text_is_uuid,
    /* render follows a change, and a child changes only through its
     * meetings, whose own renderings answer them: it shows nobody's view */
    {"children_render",
     "SELECT json_build_object('id', c.id, 'version', c.version), c.version"
     "  FROM children c WHERE c.id = $1",
     1},
    {"children_read",
     "SELECT child_record_json(c.id, caller_principals($2, $3, $4::boolean, $5::boolean)),"
     "       c.version"
     "  FROM children c"
     " WHERE c.id = $1 AND child_visible(c.id, caller_principals($2, $3, $4::boolean, $5::boolean))",
     5},
    {"children_announce", "SELECT WHERE $1::text IS NOT NULL AND $2::text IS NOT NULL", 2},
};

/* The identifier must be given by a meeting the caller may see, not only
 * by one they may not: asking by it confirms nothing they could not see. */
static const db_stmt list_by_ref_stmt = {
    "children_list_by_ref",
    "WITH p AS (SELECT caller_principals($1, $2, $3::boolean, $4::boolean) AS principals)"
    " SELECT child_record_json(c.id, p.principals), c.id, c.id"
    "   FROM p, children c"
    "  WHERE c.id IN (SELECT mc.child_id"
    "                   FROM child_identifiers i"
    "                   JOIN meeting_children mc ON mc.child_id = i.child_id,"
    "                        child_keys(mc.external_system, mc.external_id, mc.nhs_number,"
    "                                   mc.upn) k"
    "                  WHERE i.system = $5 AND i.id = $6"
    "                    AND k.system = $5 AND k.id = $6"
    "                    AND meeting_visible(mc.meeting_id, p.principals))"
    "    AND ($7::uuid IS NULL OR c.id > $7::uuid)"
    "  ORDER BY c.id LIMIT $8",
    8};

int children_list_by_ref(store *s, const child_ref *ref, int limit, char *const *after,
                         store_page *out)
{
    const char *who[4];
    sql_caller(s, who);
    sql_int lim;
    const char *params[] = {who[0],  who[1], who[2], who[3], ref->system, ref->id,
                            after[0], sql_int_of(&lim, limit + 1)};
    return sql_list(s, &list_by_ref_stmt, params, limit, 1, 1, out);
}

static const db_stmt visible_stmt = {
    "children_visible",
    "SELECT 1 FROM children c"
    " WHERE c.id = $1 AND child_visible(c.id, caller_principals($2, $3, $4::boolean, $5::boolean))",
    5};

int children_visible(store *s, const char *child_id)
{
    if (!text_is_uuid(child_id))
        return 0;
    const char *who[4];
    sql_caller(s, who);
    const char *params[] = {child_id, who[0], who[1], who[2], who[3]};
    bool found;
    char *one = sql_value(s, &visible_stmt, params, &found);
    if (!one)
        return found ? -1 : 0;
    free(one);
    return 1;
}

static const db_stmt chronology_stmt = {
    "children_chronology",
    "SELECT json_build_object('at', rfc3339(e.at), 'kind', e.kind, 'agency', e.agency,"
    "         'summary', e.summary, 'action_taken', e.action_taken,"
    "         'significance', e.significance,"
    "         'source', json_build_object('type', e.source_type, 'id', e.source_id,"
    "                                     'version', e.source_version, 'href', e.source_path)),"
    "       rfc3339(e.at), e.entry_key"
    "  FROM child_chronology($1::uuid, caller_principals($2, $3, $4::boolean, $5::boolean), $3,"
    "                        $6::text[]) e"
    " WHERE ($7::date IS NULL OR e.at >= $7::date::timestamp AT TIME ZONE 'UTC')"
    "   AND ($8::date IS NULL OR e.at < ($8::date + 1)::timestamp AT TIME ZONE 'UTC')"
    "   AND ($9::text IS NULL OR e.agency = $9)"
    "   AND ($10::text IS NULL OR e.kind = $10)"
    "   AND ($11::timestamptz IS NULL OR (e.at, e.entry_key) > ($11::timestamptz, $12::text))"
    " ORDER BY e.at, e.entry_key LIMIT $13",
    13};

int children_chronology(store *s, const char *child_id, const chronology_filters *f, int limit,
                        char *const *after, store_page *out)
{
    const char *who[4];
    sql_caller(s, who);
    char roles[256];
    caller_roles_literal(s->who, roles, sizeof roles);
    sql_int lim;
    const char *params[] = {child_id, who[0],   who[1],   who[2],   who[3],
                            roles,    f->from,  f->to,    f->agency, f->kind,
                            after[0], after[1], sql_int_of(&lim, limit + 1)};
    return sql_list(s, &chronology_stmt, params, limit, 2, -1, out);
}

/* What the caller may see of the child (child_record_json), each list
 * joined for the PDF's title. */
static const db_stmt export_child_stmt = {
    "children_export_child",
    "SELECT (SELECT string_agg(x #>> '{}', ', ') FROM json_array_elements(j -> 'names') x),"
    "       (SELECT string_agg((x ->> 'system') || ':' || (x ->> 'id'), ', ')"
    "          FROM json_array_elements(j -> 'identifiers') x),"
    "       (SELECT string_agg(x #>> '{}', ', ') FROM json_array_elements(j -> 'dates_of_birth') x)"
    "  FROM (SELECT child_record_json($1::uuid,"
    "                                 caller_principals($2, $3, $4::boolean, $5::boolean)) j) c",
    5};

/* The same entries, filters and order as chronology_stmt, column by column. */
static const db_stmt export_entries_stmt = {
    "children_export_entries",
    "SELECT rfc3339(e.at), e.kind, e.agency, e.summary, e.action_taken, e.significance,"
    "       e.source_type, e.source_id, e.source_version, e.source_path"
    "  FROM child_chronology($1::uuid, caller_principals($2, $3, $4::boolean, $5::boolean), $3,"
    "                        $6::text[]) e"
    " WHERE ($7::date IS NULL OR e.at >= $7::date::timestamp AT TIME ZONE 'UTC')"
    "   AND ($8::date IS NULL OR e.at < ($8::date + 1)::timestamp AT TIME ZONE 'UTC')"
    "   AND ($9::text IS NULL OR e.agency = $9)"
    "   AND ($10::text IS NULL OR e.kind = $10)"
    " ORDER BY e.at, e.entry_key LIMIT $11",
    11};

static char *column(PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? NULL : strdup(PQgetvalue(res, row, col));
}

static char *column_or_empty(PGresult *res, int row, int col)
{
    return strdup(PQgetisnull(res, row, col) ? "" : PQgetvalue(res, row, col));
}

void children_chronology_export_free(chronology_child *child, chronology_item *items, size_t n)
{
    if (child) {
        free(child->id);
        free(child->names);
        free(child->identifiers);
        free(child->dates_of_birth);
        memset(child, 0, sizeof *child);
    }
    for (size_t i = 0; items && i < n; i++) {
        chronology_item *it = &items[i];
        free(it->at);
        free(it->kind);
        free(it->agency);
        free(it->summary);
        free(it->action_taken);
        free(it->significance);
        free(it->source_type);
        free(it->source_id);
        free(it->source_path);
    }
    free(items);
}

int children_chronology_export(store *s, const char *child_id, const chronology_filters *f,
                               int max, chronology_child *child, chronology_item **items,
                               size_t *n)
{
    memset(child, 0, sizeof *child);
    *items = NULL;
    *n = 0;
    const char *who[4];
    sql_caller(s, who);
    char roles[256];
    caller_roles_literal(s->who, roles, sizeof roles);
    const char *child_params[] = {child_id, who[0], who[1], who[2], who[3]};
    PGresult *res = sql_query(s, &export_child_stmt, child_params);
    if (!res)
        return -1;
    if (PQntuples(res) == 1) {
        child->names = column_or_empty(res, 0, 0);
        child->identifiers = column_or_empty(res, 0, 1);
        child->dates_of_birth = column_or_empty(res, 0, 2);
    }
    PQclear(res);
    child->id = strdup(child_id);

    sql_int lim;
    const char *params[] = {child_id, who[0], who[1],    who[2],  who[3],
                            roles,    f->from, f->to,    f->agency, f->kind,
                            sql_int_of(&lim, (long long)max + 1)};
    res = sql_query(s, &export_entries_stmt, params);
    if (!res) {
        children_chronology_export_free(child, NULL, 0);
        return -1;
    }
    int rows = PQntuples(res);
    chronology_item *out = calloc(rows ? (size_t)rows : 1, sizeof *out);
    bool ok = out && child->id && child->names && child->identifiers && child->dates_of_birth;
    for (int i = 0; ok && i < rows; i++) {
        chronology_item *it = &out[i];
        it->at = column(res, i, 0);
        it->kind = column(res, i, 1);
        it->agency = column(res, i, 2);
        it->summary = column(res, i, 3);
        it->action_taken = column(res, i, 4);
        it->significance = column(res, i, 5);
        it->source_type = column(res, i, 6);
        it->source_id = column(res, i, 7);
        it->source_version = PQgetisnull(res, i, 8) ? -1 : atol(PQgetvalue(res, i, 8));
        it->source_path = column(res, i, 9);
        *n = (size_t)i + 1;
        if (!it->at || !it->kind)
            ok = false;
    }
    PQclear(res);
    if (!ok) {
        children_chronology_export_free(child, out, *n);
        *items = NULL;
        *n = 0;
        return -1;
    }
    *items = out;
    return 0;
}
