#include "store/escalations.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "store/sql.h"

/* Changes to an escalation are announced to the two agencies involved. */
const store_kind STORE_ESCALATION = {
    "escalation",
    text_is_uuid,
    {"escalations_render",
     "SELECT escalation_json(e, $2::date), e.version FROM escalations e WHERE e.id = $1", 2},
    {"escalations_read",
     "SELECT escalation_json(e, $6::date), e.version FROM escalations e"
     " WHERE e.id = $1"
     "   AND escalation_visible(e, caller_principals($2, $3, $4::boolean, $5::boolean), $3,"
     "                          $7::text[])",
     7},
    {"escalations_announce",
     "INSERT INTO events (event_id, agency, type, resource_type, resource_id, resource_version)"
     " SELECT e.id, a.code, $2, 'escalation', x.id::text, x.version"
     "   FROM escalations x, (SELECT gen_random_uuid() AS id) e,"
     "        LATERAL (SELECT DISTINCT unnest(ARRAY[x.raised_by_agency, x.with_agency]) AS code) a"
     "  WHERE x.id = $1",
     2},
};

#define ESCALATION_COLUMNS                                                                   \
    "e.id, e.meeting_id, e.raised_by_sub, e.raised_by_agency, e.with_agency, e.stage,"       \
    " e.status, e.version"

static const db_stmt find_stmt = {
    "escalations_find",
    "SELECT " ESCALATION_COLUMNS " FROM escalations e"
    " WHERE e.id = $1"
    "   AND escalation_visible(e, caller_principals($2, $3, $5::boolean, $6::boolean), $3,"
    "                          $4::text[])",
    6};

static const db_stmt lock_stmt = {
    "escalations_lock",
    "SELECT " ESCALATION_COLUMNS " FROM escalations e"
    " WHERE e.id = $1"
    "   AND escalation_visible(e, caller_principals($2, $3, $5::boolean, $6::boolean), $3,"
    "                          $4::text[])"
    " FOR UPDATE",
    6};


static const db_stmt refs_stmt = {
    "escalations_refs",
    "SELECT"
    " (SELECT i.status FROM invitations i WHERE i.id = $2::uuid AND i.meeting_id = $1),"
    " (SELECT i.respond_by < $8::date FROM invitations i"
    "   WHERE i.id = $2::uuid AND i.meeting_id = $1),"
    " (SELECT CASE WHEN EXISTS (SELECT 1 FROM consent_decisions n WHERE n.meeting_id = d.meeting_id"
    "                             AND n.kind = d.kind AND n.seq > d.seq)"
    "              THEN 'superseded' ELSE consent_status(d) END"
    "    FROM consent_decisions d WHERE d.id = $3::uuid"
    "   AND d.meeting_id = $1 AND d.kind = 'family_notice'),"
    " (SELECT m.status FROM meetings m WHERE m.id = $4::uuid"
    "   AND meeting_visible(m.id, caller_principals($5, $6, $7::boolean, $9::boolean))),"
    " (SELECT i.attendance FROM invitations i WHERE i.id = $2::uuid AND i.meeting_id = $1),"
    " (SELECT m.requester_sub FROM meetings m WHERE m.id = $4::uuid),"
    " (SELECT m.convening_agency FROM meetings m WHERE m.id = $4::uuid),"
    " EXISTS (SELECT 1 FROM invitations i WHERE i.meeting_id = $4::uuid AND i.agency = $6"
    "          AND i.category IN ('professional', 'specialist'))",
    9};


static const db_stmt insert_stmt = {
    "escalations_insert",
    "INSERT INTO escalations (meeting_id, type, concern, outcome_sought, raised_by_sub,"
    " raised_by_name, raised_by_agency, with_agency, invitation_id, consent_decision_id,"
    " declined_request_id, immediate_risk, stage, stage_started_on, stage_due)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, coalesce($12::boolean, false),"
    " $13::integer, $15::date, $14::date) RETURNING id",
    15};

static const db_stmt event_stmt = {
    "escalations_event",
    "INSERT INTO escalation_events (escalation_id, stage, kind, by_sub, by_name, by_agency,"
    " text, due) VALUES ($1, $2::integer, $3, $4, $5, $6, $7, $8::date)",
    8};

static const db_stmt move_stmt = {
    "escalations_move",
    "UPDATE escalations SET stage = $2::integer, stage_started_on = $4::date,"
    " stage_due = $3::date, version = version + 1, updated_at = now() WHERE id = $1",
    4};

static const db_stmt close_stmt = {
    "escalations_close",
    "UPDATE escalations SET status = $2, outcome = $3, closed_by_sub = $4, closed_by_name = $5,"
    " closed_at = now(), version = version + 1, updated_at = now() WHERE id = $1",
    5};

static const db_stmt bump_stmt = {
    "escalations_bump",
    "UPDATE escalations SET version = version + 1, updated_at = now() WHERE id = $1", 1};

static const db_stmt list_stmt = {
    "escalations_list",
    "SELECT escalation_json(e, $12::date), rfc3339(e.created_at), e.id FROM escalations e"
    " WHERE escalation_visible(e, caller_principals($1, $2, $13::boolean, $14::boolean), $2,"
    "                          $3::text[])"
    "   AND ($4::uuid IS NULL OR e.meeting_id = $4)"
    "   AND ($5::text IS NULL OR e.status = $5)"
    "   AND ($6::integer IS NULL OR e.stage = $6)"
    "   AND ($7::text IS NULL OR $7 IN (e.raised_by_agency, e.with_agency))"
    "   AND ($8::boolean IS NULL OR $8 = (e.status = 'open'"
    "        AND e.stage_due < $12::date))"
    "   AND ($9::timestamptz IS NULL OR (e.created_at, e.id) < ($9::timestamptz, $10::uuid))"
    " ORDER BY e.created_at DESC, e.id DESC LIMIT $11",
    14};

int escalations_find(store *s, const char *id, bool lock, escalation_row *out)
{
    if (!text_is_uuid(id))
        return 0;
    char roles[256];
    caller_roles_literal(s->who, roles, sizeof roles);
    const char *params[] = {id,    s->who->sub, s->who->agency, roles, caller_manager_param(s->who),
                            caller_lead_param(s->who)};
    PGresult *res = sql_query(s, lock ? &lock_stmt : &find_stmt, params);
    if (!res)
        return -1;
    int found = PQntuples(res) == 1;
    if (found) {
        sql_copy(out->id, sizeof out->id, PQgetvalue(res, 0, 0));
        sql_copy(out->meeting_id, sizeof out->meeting_id, PQgetvalue(res, 0, 1));
        sql_copy(out->raised_by_sub, sizeof out->raised_by_sub, PQgetvalue(res, 0, 2));
        sql_copy(out->raised_by_agency, sizeof out->raised_by_agency, PQgetvalue(res, 0, 3));
        sql_copy(out->with_agency, sizeof out->with_agency, PQgetvalue(res, 0, 4));
        out->stage = atoi(PQgetvalue(res, 0, 5));
        sql_copy(out->status, sizeof out->status, PQgetvalue(res, 0, 6));
        out->version = atol(PQgetvalue(res, 0, 7));
    }
    PQclear(res);
    return found;
}

int escalations_refs(store *st, const escalation_in *in, escalation_refs *refs, refs_storage *s)
{
    memset(refs, 0, sizeof *refs);
    memset(s, 0, sizeof *s);
    const char *params[] = {in->meeting_id,
                            in->invitation_id,
                            in->consent_decision_id,
                            in->declined_request_id,
                            st->who->sub,
                            st->who->agency,
                            caller_manager_param(st->who),
                            st->today_text,
                            caller_lead_param(st->who)};
    PGresult *res = sql_query(st, &refs_stmt, params);
    if (!res)
        return -1;
    refs->invitation_found = !PQgetisnull(res, 0, 0);
    sql_copy(s->invitation_status, sizeof s->invitation_status, PQgetvalue(res, 0, 0));
    refs->invitation_status = s->invitation_status;
    refs->invitation_past_deadline = PQgetvalue(res, 0, 1)[0] == 't';
    refs->decision_found = !PQgetisnull(res, 0, 2);
    sql_copy(s->decision_status, sizeof s->decision_status, PQgetvalue(res, 0, 2));
    refs->decision_status = s->decision_status;
    refs->declined_found = !PQgetisnull(res, 0, 3);
    sql_copy(s->declined_status, sizeof s->declined_status, PQgetvalue(res, 0, 3));
    refs->declined_status = s->declined_status;
    sql_copy(s->invitation_attendance, sizeof s->invitation_attendance, PQgetvalue(res, 0, 4));
    refs->invitation_attendance = s->invitation_attendance;
    /* what the declined request is, only once it is known to be visible */
    if (refs->declined_found) {
        sql_copy(s->declined_requester_sub, sizeof s->declined_requester_sub,
                 PQgetvalue(res, 0, 5));
        sql_copy(s->declined_convening_agency, sizeof s->declined_convening_agency,
                 PQgetvalue(res, 0, 6));
        refs->raiser_agency_invited = PQgetvalue(res, 0, 7)[0] == 't';
    }
    refs->declined_requester_sub = s->declined_requester_sub;
    refs->declined_convening_agency = s->declined_convening_agency;
    PQclear(res);
    return 0;
}

int escalations_insert(store *s, const escalation_in *in, int stage, const char *due,
                       char id_out[37])
{
    sql_int stage_holder;
    const char *stage_text = sql_int_of(&stage_holder, stage);
    const char *params[] = {in->meeting_id,
                            in->type,
                            in->concern,
                            in->outcome_sought,
                            s->who->sub,
                            s->who->name,
                            s->who->agency,
                            in->with_agency,
                            in->invitation_id,
                            in->consent_decision_id,
                            in->declined_request_id,
                            in->immediate_risk < 0 ? NULL : in->immediate_risk ? "true" : "false",
                            stage_text,
                            due,
                            s->today_text};
    PGresult *res = sql_query(s, &insert_stmt, params);
    if (!res)
        return -1;
    sql_copy(id_out, 37, PQgetvalue(res, 0, 0));
    PQclear(res);
    return 0;
}

int escalations_event(store *s, const char *id, int stage, const char *kind, const char *text,
                      const char *due)
{
    sql_int stage_holder;
    const char *stage_text = sql_int_of(&stage_holder, stage);
    const char *params[] = {id, stage_text, kind, s->who->sub, s->who->name, s->who->agency, text,
                            due};
    return sql_run(s, &event_stmt, params);
}

int escalations_move(store *s, const char *id, int stage, const char *due)
{
    sql_int stage_holder;
    const char *stage_text = sql_int_of(&stage_holder, stage);
    const char *params[] = {id, stage_text, due, s->today_text};
    return sql_run(s, &move_stmt, params);
}

int escalations_close(store *s, const char *id, const char *status, const char *outcome)
{
    const char *params[] = {id, status, outcome, s->who->sub, s->who->name};
    return sql_run(s, &close_stmt, params);
}

int escalations_bump(store *s, const char *id)
{
    const char *params[] = {id};
    return sql_run(s, &bump_stmt, params);
}

int escalations_list(store *s, const escalation_filters *f, int limit, char *const *before,
                     store_page *out)
{
    char roles[256];
    caller_roles_literal(s->who, roles, sizeof roles);
    sql_int lim;
    const char *params[] = {s->who->sub,   s->who->agency, roles,
                            f->meeting_id, f->status,      f->stage,
                            f->agency,     f->overdue,     before[0],
                            before[1],     sql_int_of(&lim, limit + 1), s->today_text,
                            caller_manager_param(s->who), caller_lead_param(s->who)};
    return sql_list(s, &list_stmt, params, limit, 2, 2, out);
}
