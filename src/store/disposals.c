/* Disposals (disposals.h). */
#include "store/disposals.h"

#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "store/sql.h"

const store_kind STORE_DISPOSAL = {
    "disposal",
    text_is_uuid,
    {"disposals_render",
     "SELECT disposal_json(d), d.version FROM disposals d WHERE d.id = $1", 1},
    /* read: $6 (today) is not needed; it is named so that every parameter
     * before $7 (the roles) has a type */
    {"disposals_read",
     "SELECT disposal_json(d), d.version FROM disposals d WHERE d.id = $1"
     "   AND disposal_record_reachable(d.record_class, d.record_id, $7::text[],"
     "                                 caller_principals($2, $3, $4::boolean, $5::boolean))"
     "   AND $6::date IS NOT NULL",
     7},
    /* about the record by id, as its class names it on the feed: the record
     * itself may be gone (record.purged); minutes are named, as on every
     * minutes event, by their meeting and number (a draft's, draft_minutes) */
    {"disposals_announce",
     "INSERT INTO events (event_id, agency, type, resource_type, resource_id, resource_version,"
     " minutes_number)"
     " SELECT e.id, a.code, $2, coalesce(c.resource_type, d.record_class),"
     "        CASE WHEN d.minutes_number IS NULL THEN d.record_id ELSE d.meeting_id END::text,"
     "        NULL, d.minutes_number"
     "   FROM disposals d JOIN retention_record_classes c USING (record_class),"
     "        (SELECT gen_random_uuid() AS id) e,"
     "        LATERAL (SELECT DISTINCT unnest(d.agencies) AS code) a"
     "  WHERE d.id = $1::uuid",
     2},
};

#define FIND_COLUMNS                                                                           \
    "SELECT d.id, d.record_class, d.record_id, d.status, d.proposed_by_sub, d.proposed_as,"    \
    "       d.version"                                                                        \
    "  FROM disposals d WHERE d.id = $1"

static const db_stmt find_stmt = {"disposals_find", FIND_COLUMNS, 1};

int disposals_find(store *s, const char *id, disposal_row *out)
{
    if (!text_is_uuid(id))
        return 0;
    const char *params[] = {id};
    PGresult *res = sql_query(s, &find_stmt, params);
    if (!res)
        return -1;
    int found = PQntuples(res) == 1;
    if (found) {
        sql_copy(out->id, sizeof out->id, PQgetvalue(res, 0, 0));
        sql_copy(out->record_class, sizeof out->record_class, PQgetvalue(res, 0, 1));
        sql_copy(out->record_id, sizeof out->record_id, PQgetvalue(res, 0, 2));
        sql_copy(out->status, sizeof out->status, PQgetvalue(res, 0, 3));
        sql_copy(out->proposed_by_sub, sizeof out->proposed_by_sub, PQgetvalue(res, 0, 4));
        sql_copy(out->proposed_as, sizeof out->proposed_as, PQgetvalue(res, 0, 5));
        out->version = atol(PQgetvalue(res, 0, 6));
    }
    PQclear(res);
    return found;
}

/* The record's row is locked first (retention_record_lock: the meeting,
 * the request, ...), so that a decision and a change of the record cannot
 * pass each other (holds wait on retention_decisions_lock, which the
 * handlers take before this). */
static const db_stmt record_stmt = {
    "disposals_record",
    "WITH l AS (SELECT retention_record_lock($3, $1::uuid))"
    " SELECT r.starts_on IS NOT NULL, coalesce(r.due_on <= $2::date, false),"
    "        coalesce(to_char(r.due_on, 'YYYY-MM-DD'), ''), r.policy_version,"
    "        cardinality(r.hold_ids), r.disposal_id IS NOT NULL, r.dependants, r.then_action"
    "   FROM l, retention_records($3, $2::date, $1::uuid, NULL) r",
    3};

int disposals_record(store *s, const char *record_class, const char *record_id,
                     record_retention *out)
{
    const char *params[] = {record_id, s->today_text, record_class};
    PGresult *res = sql_query(s, &record_stmt, params);
    if (!res)
        return -1;
    int found = PQntuples(res) == 1;
    if (found) {
        out->ended = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
        out->due = strcmp(PQgetvalue(res, 0, 1), "t") == 0;
        sql_copy(out->due_on, sizeof out->due_on, PQgetvalue(res, 0, 2));
        out->policy_version = atoi(PQgetvalue(res, 0, 3));
        out->holds = atoi(PQgetvalue(res, 0, 4));
        out->decided = strcmp(PQgetvalue(res, 0, 5), "t") == 0;
        out->dependants = atoi(PQgetvalue(res, 0, 6));
        sql_copy(out->then_action, sizeof out->then_action, PQgetvalue(res, 0, 7));
    }
    PQclear(res);
    return found;
}

static const db_stmt reachable_stmt = {
    "disposals_reachable",
    "SELECT disposal_record_reachable($7, $1::uuid, $2::text[],"
    "                                 caller_principals($3, $4, $5::boolean, $6::boolean))",
    7};

int disposals_reachable(store *s, const char *record_class, const char *record_id)
{
    const char *who[4];
    sql_caller(s, who);
    char roles[256];
    caller_roles_literal(s->who, roles, sizeof roles);
    const char *params[] = {record_id, roles, who[0], who[1], who[2], who[3], record_class};
    bool found;
    char *v = sql_value(s, &reachable_stmt, params, &found);
    if (!v)
        return -1;
    int reachable = v[0] == 't';
    free(v);
    return reachable;
}

/* The tombstone's ids, children and agencies come from the class's
 * records function, as the decision saw them. */
static const db_stmt propose_stmt = {
    "disposals_propose",
    "INSERT INTO disposals (record_class, record_id, meeting_id, meeting_reference, child_ids,"
    " agencies, policy_version, due_on, proposed_by_sub, proposed_by_name, proposed_by_agency,"
    " proposed_as, action)"
    " SELECT r.record_class, r.record_id, r.meeting_id, r.reference, r.child_ids, r.agencies,"
    "        $2::integer, $3::date, $4, $5, $6, $7, $10"
    "   FROM retention_records($8, $9::date, $1::uuid, NULL) r RETURNING id",
    10};

int disposals_propose(store *s, const char *record_class, const char *record_id,
                      const char *action, const char *side, int policy_version,
                      const char *due_on, char id_out[37])
{
    sql_int v;
    const char *params[] = {record_id,      sql_int_of(&v, policy_version),
                            due_on,         s->who->sub,
                            s->who->name,   s->who->agency,
                            side,           record_class,
                            s->today_text,  action};
    bool found;
    char *id = sql_value(s, &propose_stmt, params, &found);
    if (!id)
        return -1;
    sql_copy(id_out, 37, id);
    free(id);
    return 0;
}

static const db_stmt carry_out_stmt = {
    "disposals_carry_out", "SELECT retention_dispose($1::uuid, $2, $3, $4)", 4};

int disposals_carry_out(store *s, const char *id)
{
    const char *params[] = {id, s->who->sub, s->who->name, s->who->agency};
    bool found;
    char *done = sql_value(s, &carry_out_stmt, params, &found);
    if (!done)
        return -1;
    int carried_out = done[0] == 't';
    free(done);
    return carried_out;
}
