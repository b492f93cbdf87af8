#include "store/consent.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "store/sql.h"

/* Changes to a decision are announced to its meeting's agencies. */
const store_kind STORE_CONSENT_DECISION = {
    "consent_decision",
    text_is_uuid,
    {"consent_render",
     "SELECT consent_decision_json(d), d.version FROM consent_decisions d WHERE d.id = $1", 1},
    {"consent_read",
     "SELECT consent_decision_json(d), d.version FROM consent_decisions d"
     " WHERE d.id = $1"
     "   AND consent_decision_visible(d, caller_principals($2, $3, $4::boolean, $5::boolean))",
     5},
    {"consent_announce",
     "INSERT INTO events (event_id, agency, type, resource_type, resource_id, resource_version)"
     " SELECT e.id, a.code, $2, 'consent_decision', d.id::text, d.version"
     "   FROM consent_decisions d, (SELECT gen_random_uuid() AS id) e,"
     "        LATERAL (SELECT DISTINCT unnest(meeting_agencies(d.meeting_id)) AS code) a"
     "  WHERE d.id = $1",
     2},
};

static const db_stmt find_stmt = {
    "consent_find",
    "SELECT d.id, d.meeting_id, d.decision, consent_status(d),"
    " NOT EXISTS (SELECT 1 FROM consent_decisions n"
    "              WHERE n.meeting_id = d.meeting_id AND n.kind = d.kind AND n.seq > d.seq),"
    " d.version"
    " FROM consent_decisions d"
    " WHERE d.id = $1"
    "   AND consent_decision_visible(d, caller_principals($2, $3, $4::boolean, $5::boolean))",
    5};

/* Locks the decision's meeting, so agreements and new decisions on one
 * meeting are taken one at a time. */
static const db_stmt lock_stmt = {
    "consent_lock",
    "SELECT d.id, d.meeting_id, d.decision, consent_status(d),"
    " NOT EXISTS (SELECT 1 FROM consent_decisions n"
    "              WHERE n.meeting_id = d.meeting_id AND n.kind = d.kind AND n.seq > d.seq),"
    " d.version"
    " FROM consent_decisions d JOIN meetings m ON m.id = d.meeting_id"
    " WHERE d.id = $1"
    "   AND consent_decision_visible(d, caller_principals($2, $3, $4::boolean, $5::boolean))"
    " FOR UPDATE OF m, d",
    5};

static const db_stmt sharing_stmt = {
    "consent_minutes_sharing",
    "SELECT decision FROM consent_decisions WHERE meeting_id = $1 AND kind = 'minutes_sharing'"
    " ORDER BY seq DESC LIMIT 1",
    1};

static const db_stmt list_stmt = {
    "consent_list",
    "SELECT consent_decision_json(d), d.seq, d.id FROM consent_decisions d"
    " WHERE d.meeting_id = $1 AND ($2::bigint IS NULL OR d.seq < $2)"
    " ORDER BY d.seq DESC LIMIT $3",
    3};

static const db_stmt insert_stmt = {
    "consent_insert",
    "INSERT INTO consent_decisions (meeting_id, kind, decision, grounds, rationale,"
    " parent_objection, decided_by_sub, decided_by_name, decided_by_agency)"
    " VALUES ($1, $9, $2, ARRAY(SELECT json_array_elements_text($3::json)), $4,"
    " $5, $6, $7, $8) RETURNING id",
    9};

static const db_stmt agree_stmt = {
    "consent_agree",
    "INSERT INTO consent_agreements (decision_id, agency, agrees, comment, by_sub, by_name)"
    " VALUES ($1, $2, $3::boolean, $4, $5, $6) ON CONFLICT DO NOTHING",
    6};

static const db_stmt bump_stmt = {
    "consent_bump", "UPDATE consent_decisions SET version = version + 1 WHERE id = $1", 1};

static const db_stmt speaker_stmt = {
    "consent_speaker",
    "SELECT i.agency FROM invitations i WHERE i.meeting_id = $1 AND i.invitee_sub = $2"
    " AND i.category IN ('professional', 'specialist') LIMIT 1",
    2};

static int fill(PGresult *res, decision_row *out)
{
    int found = PQntuples(res) == 1;
    if (found) {
        snprintf(out->id, sizeof out->id, "%s", PQgetvalue(res, 0, 0));
        snprintf(out->meeting_id, sizeof out->meeting_id, "%s", PQgetvalue(res, 0, 1));
        snprintf(out->decision, sizeof out->decision, "%s", PQgetvalue(res, 0, 2));
        snprintf(out->status, sizeof out->status, "%s", PQgetvalue(res, 0, 3));
        out->current = PQgetvalue(res, 0, 4)[0] == 't';
        out->version = atol(PQgetvalue(res, 0, 5));
    }
    PQclear(res);
    return found;
}

int consent_find(store *s, const char *id, bool lock, decision_row *out)
{
    if (!text_is_uuid(id))
        return 0;
    const char *params[] = {id, s->who->sub, s->who->agency, caller_manager_param(s->who),
                            caller_lead_param(s->who)};
    PGresult *res = sql_query(s, lock ? &lock_stmt : &find_stmt, params);
    return res ? fill(res, out) : -1;
}

int consent_insert(store *s, const char *meeting_id, const consent_in *in, char id_out[37])
{
    json_t *grounds = json_array();
    for (int i = 0; i < in->n_grounds; i++)
        json_array_append_new(grounds, json_string(in->grounds[i]));
    char *grounds_text = json_dumps(grounds, JSON_COMPACT);
    json_decref(grounds);
    const char *params[] = {meeting_id,           in->decision, grounds_text, in->rationale,
                            in->parent_objection, s->who->sub,   s->who->name,  s->who->agency,
                            in->kind};
    PGresult *res = sql_query(s, &insert_stmt, params);
    free(grounds_text);
    if (!res)
        return -1;
    snprintf(id_out, 37, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    return 0;
}

int consent_agree(store *s, const char *decision_id, const char *agency, bool agrees,
                  const char *comment)
{
    const char *params[] = {decision_id, agency, agrees ? "true" : "false", comment, s->who->sub,
                            s->who->name};
    PGresult *res = sql_query(s, &agree_stmt, params);
    if (!res)
        return -1;
    int n = atoi(PQcmdTuples(res));
    PQclear(res);
    return n > 0;
}

int consent_bump(store *s, const char *decision_id)
{
    const char *params[] = {decision_id};
    return sql_run(s, &bump_stmt, params);
}

int consent_speaker_agency(store *s, const char *meeting_id, char agency_out[CALLER_AGENCY_MAX + 1])
{
    const char *params[] = {meeting_id, s->who->sub};
    bool found;
    char *agency = sql_value(s, &speaker_stmt, params, &found);
    if (!agency && found)
        return -1;
    snprintf(agency_out, CALLER_AGENCY_MAX + 1, "%s", agency ? agency : "");
    free(agency);
    return 0;
}

int consent_list(store *s, const char *meeting_id, int limit, const char *before,
                 store_page *out)
{
    sql_int lim;
    const char *params[] = {meeting_id, before, sql_int_of(&lim, limit + 1)};
    return sql_list(s, &list_stmt, params, limit, 1, 2, out);
}

int consent_minutes_sharing(store *s, const char *meeting_id, char decision[16])
{
    const char *params[] = {meeting_id};
    bool found;
    char *d = sql_value(s, &sharing_stmt, params, &found);
    if (!d && found)
        return -1;
    sql_copy(decision, 16, d ? d : "");
    free(d);
    return 0;
}
