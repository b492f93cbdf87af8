/* Children as subjects (children.h). */
#include "store/children.h"

#include <stdlib.h>

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
