/* The information-sharing ledger (sharing.h). */
#include "store/sharing.h"

#include <stdlib.h>

#include "core/clock.h"
#include "core/text.h"
#include "store/sql.h"

/* Entries are the DPO's and auditors' to read (ISL-3), listed rather than
 * read one by one: read answers only for the dpo. */
const store_kind STORE_SHARING = {
    "information_sharing",
    text_is_uuid,
    {"sharing_render",
     "SELECT information_sharing_json(x), 1 FROM information_sharing x WHERE x.id = $1", 1},
    {"sharing_read",
     "SELECT information_sharing_json(x), 1 FROM information_sharing x"
     " WHERE x.id = $1 AND 'dpo' = ANY ($7::text[])"
     "   AND $2::text IS NOT NULL AND $3::text IS NOT NULL AND $4::boolean IS NOT NULL"
     "   AND $5::boolean IS NOT NULL AND $6::date IS NOT NULL",
     7},
    {"sharing_announce",
     "INSERT INTO events (event_id, agency, type, resource_type, resource_id, resource_version)"
     " SELECT e.id, a.code, $2, 'information_sharing', x.id::text, 1"
     "   FROM information_sharing x, (SELECT gen_random_uuid() AS id) e,"
     "        LATERAL (SELECT DISTINCT c AS code FROM unnest(ARRAY[x.from_agency, x.to_agency]) c"
     "                  WHERE c IS NOT NULL AND EXISTS (SELECT 1 FROM agencies g"
     "                                                   WHERE g.code = c)) a"
     "  WHERE x.id = $1",
     2},
};

static const db_stmt meeting_of_child_stmt = {
    "sharing_meeting_of_child",
    "SELECT 1 FROM meeting_children c"
    " WHERE c.meeting_id = $1 AND c.child_id = $2"
    "   AND meeting_visible(c.meeting_id, caller_principals($3, $4, $5::boolean, $6::boolean))"
    " LIMIT 1",
    6};

int sharing_meeting_of_child(store *s, const char *meeting_id, const char *child_id)
{
    const char *who[4];
    sql_caller(s, who);
    const char *params[] = {meeting_id, child_id, who[0], who[1], who[2], who[3]};
    bool found;
    char *one = sql_value(s, &meeting_of_child_stmt, params, &found);
    if (!one)
        return found ? -1 : 0;
    free(one);
    return 1;
}

static const db_stmt insert_stmt = {
    "sharing_insert",
    "INSERT INTO information_sharing (kind, channel, child_id, meeting_id, from_agency, what,"
    "  to_name, to_agency, to_category, shared_at, purpose, lawful_basis, child_views_sought,"
    "  parents_views_sought, views_not_sought_reason, decided_by_sub, decided_by_name,"
    "  onward_limit, refusal_reason)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, coalesce($10::timestamptz, $20::timestamptz),"
    "         $11, $12, $13::boolean, $14::boolean, $15, $16, $17, $18, $19)"
    " RETURNING id",
    20};

static const char *tri(int b)
{
    return b < 0 ? NULL : b ? "true" : "false";
}

int sharing_insert(store *s, const sharing_in *in, char id_out[37])
{
    char now[21];
    clock_rfc3339(s->now, now);
    const char *params[] = {in->kind,
                            in->channel,
                            in->child_id,
                            in->meeting_id,
                            s->who->agency,
                            in->what,
                            in->to_name,
                            in->to_agency,
                            in->to_category,
                            in->at,
                            in->purpose,
                            in->lawful_basis,
                            tri(in->child_views_sought),
                            tri(in->parents_views_sought),
                            in->views_not_sought_reason,
                            s->who->sub,
                            s->who->name,
                            in->onward_limit,
                            in->refusal_reason,
                            now};
    bool found;
    char *id = sql_value(s, &insert_stmt, params, &found);
    if (!id)
        return -1;
    sql_copy(id_out, 37, id);
    free(id);
    return 0;
}

static const db_stmt list_stmt = {
    "sharing_list",
    "SELECT information_sharing_json(x), rfc3339(x.shared_at), x.seq, x.id"
    "  FROM information_sharing x"
    " WHERE ('dpo' = ANY ($1::text[]) OR $1::text[] @> ARRAY['auditor', 'partnership']"
    "        OR $2 IN (x.from_agency, x.to_agency))"
    "   AND ($3::uuid IS NULL OR information_sharing_concerns(x, $3::uuid))"
    "   AND ($4::text IS NULL OR $4 IN (x.from_agency, x.to_agency))"
    "   AND ($5::date IS NULL OR x.shared_at >= $5::date::timestamp AT TIME ZONE 'UTC')"
    "   AND ($6::date IS NULL OR x.shared_at < ($6::date + 1)::timestamp AT TIME ZONE 'UTC')"
    "   AND ($7::timestamptz IS NULL OR (x.shared_at, x.seq) > ($7::timestamptz, $8::bigint))"
    " ORDER BY x.shared_at, x.seq LIMIT $9",
    9};

int sharing_list(store *s, const sharing_filters *f, int limit, char *const *after,
                 store_page *out)
{
    char roles[256];
    caller_roles_literal(s->who, roles, sizeof roles);
    sql_int lim;
    const char *params[] = {roles,   s->who->agency, f->child_id, f->agency, f->from, f->to,
                            after[0], after[1],      sql_int_of(&lim, limit + 1)};
    return sql_list(s, &list_stmt, params, limit, 2, 3, out);
}
