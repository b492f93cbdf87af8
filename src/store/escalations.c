#include "store/escalations.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"

#define ESCALATION_COLUMNS                                                                   \
    "e.id, e.meeting_id, e.raised_by_sub, e.raised_by_agency, e.with_agency, e.stage,"       \
    " e.status, e.version"

static const db_stmt find_stmt = {
    "escalations_find",
    "SELECT " ESCALATION_COLUMNS " FROM escalations e"
    " WHERE e.id = $1 AND escalation_visible(e, $2, $3, $4::text[])",
    4};

static const db_stmt lock_stmt = {
    "escalations_lock",
    "SELECT " ESCALATION_COLUMNS " FROM escalations e"
    " WHERE e.id = $1 AND escalation_visible(e, $2, $3, $4::text[]) FOR UPDATE",
    4};

static const db_stmt render_stmt = {
    "escalations_render", "SELECT escalation_json(e) FROM escalations e WHERE e.id = $1", 1};

static const db_stmt refs_stmt = {
    "escalations_refs",
    "SELECT"
    " (SELECT i.status FROM invitations i WHERE i.id = $2::uuid AND i.meeting_id = $1),"
    " (SELECT i.respond_by < (now() AT TIME ZONE 'UTC')::date FROM invitations i"
    "   WHERE i.id = $2::uuid AND i.meeting_id = $1),"
    " (SELECT CASE WHEN EXISTS (SELECT 1 FROM consent_decisions n WHERE n.meeting_id = d.meeting_id"
    "                             AND n.kind = d.kind AND n.seq > d.seq)"
    "              THEN 'superseded' ELSE consent_status(d) END"
    "    FROM consent_decisions d WHERE d.id = $3::uuid"
    "   AND d.meeting_id = $1 AND d.kind = 'family_notice'),"
    " (SELECT m.status FROM meetings m WHERE m.id = $4::uuid"
    "   AND meeting_visible(m, $5, $6, $7::boolean))",
    7};

static const db_stmt agency_stmt = {
    "escalations_agency", "SELECT 1 FROM agencies WHERE code = $1 AND active", 1};

static const db_stmt insert_stmt = {
    "escalations_insert",
    "INSERT INTO escalations (meeting_id, type, concern, outcome_sought, raised_by_sub,"
    " raised_by_name, raised_by_agency, with_agency, invitation_id, consent_decision_id,"
    " declined_request_id, immediate_risk, stage, stage_started_on, stage_due)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, coalesce($12::boolean, false),"
    " $13::integer, (now() AT TIME ZONE 'UTC')::date, $14::date) RETURNING id",
    14};

static const db_stmt event_stmt = {
    "escalations_event",
    "INSERT INTO escalation_events (escalation_id, stage, kind, by_sub, by_name, by_agency,"
    " text, due) VALUES ($1, $2::integer, $3, $4, $5, $6, $7, $8::date)",
    8};

static const db_stmt move_stmt = {
    "escalations_move",
    "UPDATE escalations SET stage = $2::integer, stage_started_on = (now() AT TIME ZONE 'UTC')::date,"
    " stage_due = $3::date, version = version + 1, updated_at = now() WHERE id = $1",
    3};

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
    "SELECT escalation_json(e), rfc3339(e.created_at), e.id FROM escalations e"
    " WHERE escalation_visible(e, $1, $2, $3::text[])"
    "   AND ($4::uuid IS NULL OR e.meeting_id = $4)"
    "   AND ($5::text IS NULL OR e.status = $5)"
    "   AND ($6::integer IS NULL OR e.stage = $6)"
    "   AND ($7::text IS NULL OR $7 IN (e.raised_by_agency, e.with_agency))"
    "   AND ($8::boolean IS NULL OR $8 = (e.status = 'open'"
    "        AND e.stage_due < (now() AT TIME ZONE 'UTC')::date))"
    "   AND ($9::timestamptz IS NULL OR (e.created_at, e.id) < ($9::timestamptz, $10::uuid))"
    " ORDER BY e.created_at DESC, e.id DESC LIMIT $11",
    11};

static void copy(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src);
}

static int run(req *r, const db_stmt *s, const char *const *params)
{
    PGresult *res = db_exec(r->db, s, params);
    if (!res)
        return -1;
    PQclear(res);
    return 0;
}

int escalations_find(req *r, const char *id, bool lock, escalation_row *out)
{
    if (!text_is_uuid(id))
        return 0;
    char roles[256];
    caller_roles_literal(&r->who, roles, sizeof roles);
    const char *params[] = {id, r->who.sub, r->who.agency, roles};
    PGresult *res = db_exec(r->db, lock ? &lock_stmt : &find_stmt, params);
    if (!res)
        return -1;
    int found = PQntuples(res) == 1;
    if (found) {
        copy(out->id, sizeof out->id, PQgetvalue(res, 0, 0));
        copy(out->meeting_id, sizeof out->meeting_id, PQgetvalue(res, 0, 1));
        copy(out->raised_by_sub, sizeof out->raised_by_sub, PQgetvalue(res, 0, 2));
        copy(out->raised_by_agency, sizeof out->raised_by_agency, PQgetvalue(res, 0, 3));
        copy(out->with_agency, sizeof out->with_agency, PQgetvalue(res, 0, 4));
        out->stage = atoi(PQgetvalue(res, 0, 5));
        copy(out->status, sizeof out->status, PQgetvalue(res, 0, 6));
        out->version = atol(PQgetvalue(res, 0, 7));
    }
    PQclear(res);
    return found;
}

char *escalations_render(req *r, const char *id)
{
    const char *params[] = {id};
    bool found;
    return db_exec_value(r->db, &render_stmt, params, &found);
}

int escalations_refs(req *r, const escalation_in *in, escalation_refs *refs, refs_storage *s)
{
    memset(refs, 0, sizeof *refs);
    memset(s, 0, sizeof *s);
    const char *params[] = {in->meeting_id,
                            in->invitation_id,
                            in->consent_decision_id,
                            in->declined_request_id,
                            r->who.sub,
                            r->who.agency,
                            caller_manager_param(&r->who)};
    PGresult *res = db_exec(r->db, &refs_stmt, params);
    if (!res)
        return -1;
    refs->invitation_found = !PQgetisnull(res, 0, 0);
    copy(s->invitation_status, sizeof s->invitation_status, PQgetvalue(res, 0, 0));
    refs->invitation_status = s->invitation_status;
    refs->invitation_past_deadline = PQgetvalue(res, 0, 1)[0] == 't';
    refs->decision_found = !PQgetisnull(res, 0, 2);
    copy(s->decision_status, sizeof s->decision_status, PQgetvalue(res, 0, 2));
    refs->decision_status = s->decision_status;
    refs->declined_found = !PQgetisnull(res, 0, 3);
    copy(s->declined_status, sizeof s->declined_status, PQgetvalue(res, 0, 3));
    refs->declined_status = s->declined_status;
    PQclear(res);
    return 0;
}

int escalations_agency_active(req *r, const char *code)
{
    const char *params[] = {code};
    bool found;
    char *one = db_exec_value(r->db, &agency_stmt, params, &found);
    free(one);
    if (!found && db_failure_of(r->db) != DB_OK)
        return -1;
    return found;
}

int escalations_insert(req *r, const escalation_in *in, int stage, const char *due,
                       char id_out[37])
{
    char stage_text[8];
    snprintf(stage_text, sizeof stage_text, "%d", stage);
    const char *params[] = {in->meeting_id,
                            in->type,
                            in->concern,
                            in->outcome_sought,
                            r->who.sub,
                            r->who.name,
                            r->who.agency,
                            in->with_agency,
                            in->invitation_id,
                            in->consent_decision_id,
                            in->declined_request_id,
                            in->immediate_risk < 0 ? NULL : in->immediate_risk ? "true" : "false",
                            stage_text,
                            due};
    PGresult *res = db_exec(r->db, &insert_stmt, params);
    if (!res)
        return -1;
    copy(id_out, 37, PQgetvalue(res, 0, 0));
    PQclear(res);
    return 0;
}

int escalations_event(req *r, const char *id, int stage, const char *kind, const char *text,
                      const char *due)
{
    char stage_text[8];
    snprintf(stage_text, sizeof stage_text, "%d", stage);
    const char *params[] = {id, stage_text, kind, r->who.sub, r->who.name, r->who.agency, text,
                            due};
    return run(r, &event_stmt, params);
}

int escalations_move(req *r, const char *id, int stage, const char *due)
{
    char stage_text[8];
    snprintf(stage_text, sizeof stage_text, "%d", stage);
    const char *params[] = {id, stage_text, due};
    return run(r, &move_stmt, params);
}

int escalations_close(req *r, const char *id, const char *status, const char *outcome)
{
    const char *params[] = {id, status, outcome, r->who.sub, r->who.name};
    return run(r, &close_stmt, params);
}

int escalations_bump(req *r, const char *id)
{
    const char *params[] = {id};
    return run(r, &bump_stmt, params);
}

PGresult *escalations_list(req *r, const escalation_filters *f)
{
    char roles[256], limit[16];
    caller_roles_literal(&r->who, roles, sizeof roles);
    snprintf(limit, sizeof limit, "%d", f->limit + 1);
    const char *params[] = {r->who.sub,     r->who.agency, roles,
                            f->meeting_id,  f->status,     f->stage,
                            f->agency,      f->overdue,
                            f->before_created, f->before_id, limit};
    return db_exec(r->db, &list_stmt, params);
}
