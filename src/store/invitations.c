#include "store/invitations.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"

#define INVITATION_COLUMNS                                                                   \
    "i.id, i.meeting_id, i.category, coalesce(i.invitee_sub, ''), coalesce(i.agency, ''),"   \
    " i.status, i.version, extract(epoch FROM i.invited_at)::bigint"

#define INVITATION_VISIBLE                                                                   \
    " (meeting_visible(m, $2, $3, $4::boolean) OR ($4::boolean AND i.agency = $3))"

static const db_stmt find_stmt = {
    "invitations_find",
    "SELECT " INVITATION_COLUMNS " FROM invitations i JOIN meetings m ON m.id = i.meeting_id"
    " WHERE i.id = $1 AND" INVITATION_VISIBLE,
    4};

static const db_stmt lock_stmt = {
    "invitations_lock",
    "SELECT " INVITATION_COLUMNS " FROM invitations i JOIN meetings m ON m.id = i.meeting_id"
    " WHERE i.id = $1 AND" INVITATION_VISIBLE " FOR UPDATE OF i",
    4};

static const db_stmt render_stmt = {
    "invitations_render", "SELECT invitation_json(i) FROM invitations i WHERE i.id = $1", 1};

static const db_stmt insert_stmt = {
    "invitations_insert",
    "INSERT INTO invitations (meeting_id, category, invitee_sub, invitee_name, agency, contact,"
    " role, part, invited_by_name, support_needs, respond_by, short_notice, invited_by_sub)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8::smallint, $9, $10, $11::date, $12::boolean, $13)"
    " RETURNING id",
    13};

static const db_stmt answer_stmt = {
    "invitations_answer",
    "UPDATE invitations SET status = $2, response_note = $3,"
    " technology_access_confirmed = coalesce($4::boolean, technology_access_confirmed),"
    " responded_at = now(), responded_by_sub = $5, responded_by_name = $6,"
    " version = version + 1, updated_at = now()"
    " WHERE id = $1",
    6};

/* The delegate holds the invitation from now on and owes an answer. */
static const db_stmt delegate_stmt = {
    "invitations_delegate",
    "UPDATE invitations SET invitee_sub = $2, invitee_name = $3,"
    " contact = $4, status = 'invited', response_note = NULL,"
    " technology_access_confirmed = NULL, responded_at = now(), responded_by_sub = $5,"
    " responded_by_name = $6, version = version + 1, updated_at = now()"
    " WHERE id = $1",
    6};

static const db_stmt history_stmt = {
    "invitations_history",
    "INSERT INTO invitation_history (invitation_id, actor_sub, actor_name, action, note,"
    " delegate_sub, delegate_name) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    7};

static const db_stmt paper_stmt = {
    "invitations_paper",
    "INSERT INTO invitation_papers (invitation_id, title, reference, shared_at, shared_by_sub,"
    " shared_by_name) VALUES ($1, $2, $3, coalesce($4::timestamptz, now()), $5, $6)"
    " RETURNING id",
    6};

static const db_stmt paper_bump_stmt = {
    "invitations_paper_bump",
    "UPDATE invitations SET version = version + 1, updated_at = now() WHERE id = $1", 1};

static const db_stmt mark_stmt = {
    "invitations_mark",
    "WITH marked AS ("
    "  UPDATE invitations SET attendance = $3, version = version + 1, updated_at = now()"
    "   WHERE id = $2 AND meeting_id = $1 RETURNING id)"
    " INSERT INTO invitation_history (invitation_id, actor_sub, actor_name, action, note)"
    " SELECT id, $4, $5, 'attendance', $3 FROM marked",
    5};

static const db_stmt short_notice_stmt = {
    "invitations_short_notice",
    "UPDATE invitations SET short_notice = $2::boolean, version = version + 1, updated_at = now()"
    " WHERE id = $1 AND short_notice <> $2::boolean",
    2};

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

int invitations_find(req *r, const char *id, bool lock, invitation_row *out)
{
    if (!text_is_uuid(id))
        return 0;
    const char *params[] = {id, r->who.sub, r->who.agency, caller_manager_param(&r->who)};
    PGresult *res = db_exec(r->db, lock ? &lock_stmt : &find_stmt, params);
    if (!res)
        return -1;
    int found = PQntuples(res) == 1;
    if (found) {
        copy(out->id, sizeof out->id, PQgetvalue(res, 0, 0));
        copy(out->meeting_id, sizeof out->meeting_id, PQgetvalue(res, 0, 1));
        copy(out->category, sizeof out->category, PQgetvalue(res, 0, 2));
        copy(out->invitee_sub, sizeof out->invitee_sub, PQgetvalue(res, 0, 3));
        copy(out->agency, sizeof out->agency, PQgetvalue(res, 0, 4));
        copy(out->status, sizeof out->status, PQgetvalue(res, 0, 5));
        out->version = atol(PQgetvalue(res, 0, 6));
        out->invited_epoch = atoll(PQgetvalue(res, 0, 7));
    }
    PQclear(res);
    return found;
}

char *invitations_render(req *r, const char *id)
{
    const char *params[] = {id};
    bool found;
    return db_exec_value(r->db, &render_stmt, params, &found);
}

int invitations_insert(req *r, const char *meeting_id, const invitation_in *in,
                       const char *respond_by, bool part_two, bool short_notice, char id_out[37])
{
    const char *params[] = {meeting_id,
                            in->category,
                            in->invitee.sub,
                            in->invitee.name,
                            in->invitee.agency,
                            in->invitee.contact,
                            in->role,
                            part_two ? "2" : NULL,
                            in->invited_by,
                            in->support_needs,
                            respond_by,
                            short_notice ? "true" : "false",
                            r->who.sub};
    PGresult *res = db_exec(r->db, &insert_stmt, params);
    if (!res)
        return -1;
    copy(id_out, 37, PQgetvalue(res, 0, 0));
    PQclear(res);
    return 0;
}

int invitations_answer(req *r, const invitation_row *row, const response_in *in)
{
    bool delegated = strcmp(in->response, "delegated") == 0;
    const char *note = in->reason ? in->reason : in->contribution;
    if (delegated) {
        const char *params[] = {row->id, in->delegate.sub, in->delegate.name,
                                in->delegate.contact, r->who.sub, r->who.name};
        if (run(r, &delegate_stmt, params) != 0)
            return -1;
    } else {
        const char *tech = in->technology_access_confirmed < 0 ? NULL
                           : in->technology_access_confirmed ? "true"
                                                             : "false";
        const char *params[] = {row->id, in->response, note, tech, r->who.sub, r->who.name};
        if (run(r, &answer_stmt, params) != 0)
            return -1;
    }
    const char *history[] = {row->id,
                             r->who.sub,
                             r->who.name,
                             in->response,
                             note,
                             delegated ? in->delegate.sub : NULL,
                             delegated ? in->delegate.name : NULL};
    return run(r, &history_stmt, history);
}

int invitations_add_paper(req *r, const char *invitation_id, const char *title,
                          const char *reference, const char *shared_at, char id_out[37])
{
    const char *params[] = {invitation_id, title, reference, shared_at, r->who.sub, r->who.name};
    PGresult *res = db_exec(r->db, &paper_stmt, params);
    if (!res)
        return -1;
    copy(id_out, 37, PQgetvalue(res, 0, 0));
    PQclear(res);
    const char *bump[] = {invitation_id};
    return run(r, &paper_bump_stmt, bump);
}

int invitations_mark(req *r, const char *meeting_id, const char *invitation_id,
                     const char *attendance)
{
    if (!text_is_uuid(invitation_id))
        return 0;
    const char *params[] = {meeting_id, invitation_id, attendance, r->who.sub, r->who.name};
    PGresult *res = db_exec(r->db, &mark_stmt, params);
    if (!res)
        return -1;
    int n = atoi(PQcmdTuples(res));
    PQclear(res);
    return n > 0;
}

int invitations_set_short_notice(req *r, const char *invitation_id, bool short_notice)
{
    const char *params[] = {invitation_id, short_notice ? "true" : "false"};
    return run(r, &short_notice_stmt, params);
}
