/* Agencies' own chronology entries (chronology_entries.h). */
#include "store/chronology_entries.h"

#include <libpq-fe.h>
#include <stdlib.h>

#include "core/text.h"
#include "store/sql.h"

#define ENTRY_AGENCIES                                                                       \
    "SELECT DISTINCT a.code FROM ("                                                          \
    "  SELECT x.agency AS code FROM chronology_entries x WHERE x.id = $1"                    \
    "  UNION SELECT unnest(meeting_agencies(c.meeting_id)) FROM chronology_entries x"        \
    "    JOIN meeting_children c ON c.child_id = x.child_id WHERE x.id = $1) a"

const store_kind STORE_CHRONOLOGY_ENTRY = {
    "chronology_entry",
    text_is_uuid,
    {"chronology_entries_render",
     "SELECT chronology_entry_json(x), x.version FROM chronology_entries x WHERE x.id = $1", 1},
    {"chronology_entries_read",
     "SELECT chronology_entry_json(x), x.version FROM chronology_entries x"
     " WHERE x.id = $1"
     "   AND chronology_entry_visible(x, caller_principals($2, $3, $4::boolean, $5::boolean))",
     5},
    {"chronology_entries_announce",
     "INSERT INTO events (event_id, agency, type, resource_type, resource_id, resource_version)"
     " SELECT e.id, a.code, $2, 'chronology_entry', x.id::text, x.version"
     "   FROM chronology_entries x, (SELECT gen_random_uuid() AS id) e, (" ENTRY_AGENCIES ") a"
     "  WHERE x.id = $1",
     2},
};

static const db_stmt find_stmt = {
    "chronology_entries_find",
    "SELECT x.id, x.agency, x.author_sub, x.version FROM chronology_entries x"
    " WHERE x.id = $1"
    "   AND chronology_entry_visible(x, caller_principals($2, $3, $4::boolean, $5::boolean))",
    5};

static const db_stmt lock_stmt = {
    "chronology_entries_lock",
    "SELECT x.id, x.agency, x.author_sub, x.version FROM chronology_entries x"
    " WHERE x.id = $1"
    "   AND chronology_entry_visible(x, caller_principals($2, $3, $4::boolean, $5::boolean))"
    " FOR UPDATE",
    5};

int chronology_entries_find(store *s, const char *id, bool lock, chronology_entry_row *out)
{
    if (!text_is_uuid(id))
        return 0;
    const char *who[4];
    sql_caller(s, who);
    const char *params[] = {id, who[0], who[1], who[2], who[3]};
    PGresult *res = sql_query(s, lock ? &lock_stmt : &find_stmt, params);
    if (!res)
        return -1;
    int found = PQntuples(res) == 1;
    if (found) {
        sql_copy(out->id, sizeof out->id, PQgetvalue(res, 0, 0));
        sql_copy(out->agency, sizeof out->agency, PQgetvalue(res, 0, 1));
        sql_copy(out->author_sub, sizeof out->author_sub, PQgetvalue(res, 0, 2));
        out->version = atol(PQgetvalue(res, 0, 3));
    }
    PQclear(res);
    return found;
}

static const db_stmt insert_stmt = {
    "chronology_entries_insert",
    "WITH x AS (INSERT INTO chronology_entries (child_id, agency, author_sub, author_name,"
    "             occurred_on, what_happened, action_taken, why_no_action, basis)"
    "           VALUES ($1, $2, $3, $4, $5::date, $6, $7, $8, $9) RETURNING *)"
    " INSERT INTO chronology_entry_versions (entry_id, version, occurred_on, what_happened,"
    "   action_taken, why_no_action, basis, by_sub, by_name)"
    " SELECT x.id, 1, x.occurred_on, x.what_happened, x.action_taken, x.why_no_action, x.basis,"
    "        x.author_sub, x.author_name FROM x"
    " RETURNING entry_id",
    9};

int chronology_entries_insert(store *s, const char *child_id, const chronology_entry_in *in,
                              char id_out[37])
{
    const char *params[] = {child_id,          s->who->agency,    s->who->sub,
                            s->who->name,      in->occurred_on,   in->what_happened,
                            in->action_taken,  in->why_no_action, in->basis};
    bool found;
    char *id = sql_value(s, &insert_stmt, params, &found);
    if (!id)
        return -1;
    sql_copy(id_out, 37, id);
    free(id);
    return 0;
}

static const db_stmt change_stmt = {
    "chronology_entries_change",
    "WITH x AS (UPDATE chronology_entries SET occurred_on = $2::date, what_happened = $3,"
    "             action_taken = $4, why_no_action = $5, basis = $6, version = version + 1,"
    "             updated_at = now()"
    "           WHERE id = $1 RETURNING *)"
    " INSERT INTO chronology_entry_versions (entry_id, version, occurred_on, what_happened,"
    "   action_taken, why_no_action, basis, reason, by_sub, by_name)"
    " SELECT x.id, x.version, x.occurred_on, x.what_happened, x.action_taken, x.why_no_action,"
    "        x.basis, $7, $8, $9 FROM x",
    9};

int chronology_entries_change(store *s, const char *id, const chronology_entry_in *in)
{
    const char *params[] = {id,        in->occurred_on,   in->what_happened,
                            in->action_taken, in->why_no_action, in->basis,
                            in->reason, s->who->sub,      s->who->name};
    return sql_run(s, &change_stmt, params);
}
