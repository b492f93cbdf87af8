#include "store/invitations.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "core/xalloc.h"
#include "store/sql.h"

#define INVITATION_COLUMNS                                                                   \
    "i.id, i.meeting_id, i.category, coalesce(i.invitee_sub, ''), coalesce(i.agency, ''),"   \
    " i.status, i.version, extract(epoch FROM i.invited_at)::bigint"

/* SEC-2 for the caller whose sub, agency, manager and lead flags are $2
 * to $5. */
#define VISIBLE_TO_CALLER \
    " invitation_visible(i, caller_principals($2, $3, $4::boolean, $5::boolean))"

/* Changes to an invitation are announced to its meeting's agencies. */
const store_kind STORE_INVITATION = {
    "invitation",
    text_is_uuid,
    {"invitations_render",
     "SELECT invitation_json(i, $2::date), i.version FROM invitations i WHERE i.id = $1", 2},
    {"invitations_read",
     "SELECT invitation_json(i, $6::date), i.version FROM invitations i"
     " WHERE i.id = $1 AND" VISIBLE_TO_CALLER,
     6},
    {"invitations_announce",
     "INSERT INTO events (event_id, agency, type, resource_type, resource_id, resource_version)"
     " SELECT e.id, a.code, $2, 'invitation', i.id::text, i.version"
     "   FROM invitations i, (SELECT gen_random_uuid() AS id) e,"
     "        LATERAL (SELECT DISTINCT unnest(meeting_agencies(i.meeting_id)) AS code) a"
     "  WHERE i.id = $1",
     2},
};

static const db_stmt find_stmt = {
    "invitations_find",
    "SELECT " INVITATION_COLUMNS " FROM invitations i WHERE i.id = $1 AND" VISIBLE_TO_CALLER, 5};

static const db_stmt lock_stmt = {
    "invitations_lock",
    "SELECT " INVITATION_COLUMNS " FROM invitations i WHERE i.id = $1 AND" VISIBLE_TO_CALLER
    " FOR UPDATE",
    5};

static const db_stmt of_meeting_stmt = {
    "invitations_of_meeting",
    "SELECT invitation_json(i, $5::date), rfc3339(i.invited_at), i.id FROM invitations i"
    " WHERE i.meeting_id = $1"
    "   AND ($2::timestamptz IS NULL OR (i.invited_at, i.id) > ($2::timestamptz, $3::uuid))"
    " ORDER BY i.invited_at, i.id LIMIT $4",
    5};

static const db_stmt mine_stmt = {
    "invitations_mine",
    "SELECT invitation_json(i, $6::date), rfc3339(i.invited_at), i.id FROM invitations i"
    " WHERE i.invitee_sub = $1 AND ($2::text IS NULL OR i.status = $2)"
    "   AND ($3::timestamptz IS NULL OR (i.invited_at, i.id) < ($3::timestamptz, $4::uuid))"
    " ORDER BY i.invited_at DESC, i.id DESC LIMIT $5",
    6};

static const db_stmt sent_days_stmt = {
    "invitations_sent_days",
    "SELECT id, (invited_at AT TIME ZONE 'UTC')::date - date '1970-01-01' FROM invitations"
    " WHERE meeting_id = $1 ORDER BY invited_at, id",
    1};

static const db_stmt agency_invited_stmt = {
    "invitations_agency_invited",
    "SELECT $2 = ANY (meeting_invited_agencies($1::uuid))", 2};

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
    " technology_support = $7,"
    " responded_at = now(), responded_by_sub = $5, responded_by_name = $6,"
    " version = version + 1, updated_at = now()"
    " WHERE id = $1",
    7};

/* The delegate holds the invitation from now on and owes an answer. */
static const db_stmt delegate_stmt = {
    "invitations_delegate",
    "UPDATE invitations SET invitee_sub = $2, invitee_name = $3,"
    " contact = $4, status = 'invited', response_note = NULL,"
    " technology_access_confirmed = NULL, technology_support = NULL,"
    " responded_at = now(), responded_by_sub = $5,"
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

/* INV-8: deadlines still awaited that fall after the cap move to it. */
static const db_stmt pull_deadlines_stmt = {
    "invitations_pull_deadlines",
    "WITH due AS ("
    "  SELECT id, respond_by FROM invitations"
    "   WHERE meeting_id = $1 AND status = 'invited' AND respond_by > $2::date FOR UPDATE),"
    " moved AS ("
    "  UPDATE invitations i SET respond_by = $2::date, version = i.version + 1,"
    "   updated_at = now()"
    "   FROM due WHERE i.id = due.id RETURNING i.id, due.respond_by AS was),"
    " kept AS ("
    "  INSERT INTO invitation_history (invitation_id, actor_sub, actor_name, action, note)"
    "  SELECT id, $3, $4, 'deadline_changed',"
    "         'from ' || to_char(was, 'YYYY-MM-DD') || ' to ' || to_char($2::date, 'YYYY-MM-DD')"
    "    FROM moved)"
    " SELECT id FROM moved ORDER BY id",
    4};

/* A judgement of the invitation against the meeting's start, which the
 * (re)schedule announces: it changes nothing the invitee answers, so it
 * leaves the invitation's version alone, and an invitee answering with the
 * ETag they read is not refused for it. */
static const db_stmt roll_stmt = {
    "invitations_roll",
    "SELECT id, category, status FROM invitations WHERE meeting_id = $1 ORDER BY invited_at, id",
    1};

static const db_stmt withdraw_stmt = {
    "invitations_withdraw",
    "WITH withdrawn AS ("
    "  UPDATE invitations SET status = 'withdrawn', withdrawn_at = now(),"
    "   withdrawn_by_sub = $2, withdrawn_by_name = $3, withdraw_reason = $4,"
    "   version = version + 1, updated_at = now()"
    "   WHERE id = $1 RETURNING id)"
    " INSERT INTO invitation_history (invitation_id, actor_sub, actor_name, action, note)"
    " SELECT id, $2, $3, 'withdrawn', $4 FROM withdrawn",
    4};

static const db_stmt short_notice_stmt = {
    "invitations_short_notice",
    "UPDATE invitations SET short_notice = $2::boolean"
    " WHERE id = $1 AND short_notice <> $2::boolean",
    2};

int invitations_find(store *s, const char *id, bool lock, invitation_row *out)
{
    if (!text_is_uuid(id))
        return 0;
    const char *params[] = {id, s->who->sub, s->who->agency, caller_manager_param(s->who),
                            caller_lead_param(s->who)};
    PGresult *res = sql_query(s, lock ? &lock_stmt : &find_stmt, params);
    if (!res)
        return -1;
    int found = PQntuples(res) == 1;
    if (found) {
        sql_copy(out->id, sizeof out->id, PQgetvalue(res, 0, 0));
        sql_copy(out->meeting_id, sizeof out->meeting_id, PQgetvalue(res, 0, 1));
        sql_copy(out->category, sizeof out->category, PQgetvalue(res, 0, 2));
        sql_copy(out->invitee_sub, sizeof out->invitee_sub, PQgetvalue(res, 0, 3));
        sql_copy(out->agency, sizeof out->agency, PQgetvalue(res, 0, 4));
        sql_copy(out->status, sizeof out->status, PQgetvalue(res, 0, 5));
        out->version = atol(PQgetvalue(res, 0, 6));
        out->invited_epoch = atoll(PQgetvalue(res, 0, 7));
    }
    PQclear(res);
    return found;
}

int invitations_insert(store *s, const char *meeting_id, const invitation_in *in,
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
                            s->who->sub};
    PGresult *res = sql_query(s, &insert_stmt, params);
    if (!res)
        return -1;
    sql_copy(id_out, 37, PQgetvalue(res, 0, 0));
    PQclear(res);
    return 0;
}

int invitations_agency_invited(store *s, const char *meeting_id, const char *agency)
{
    const char *params[] = {meeting_id, agency};
    bool found;
    char *v = sql_value(s, &agency_invited_stmt, params, &found);
    if (!v)
        return -1;
    int invited = v[0] == 't';
    free(v);
    return invited;
}

int invitations_answer(store *s, const invitation_row *row, const response_in *in)
{
    bool delegated = strcmp(in->response, "delegated") == 0;
    const char *note = in->reason ? in->reason : in->contribution;
    if (delegated) {
        const char *params[] = {row->id, in->delegate.sub, in->delegate.name,
                                in->delegate.contact, s->who->sub, s->who->name};
        if (sql_run(s, &delegate_stmt, params) != 0)
            return -1;
    } else {
        const char *tech = in->technology_access_confirmed < 0 ? NULL
                           : in->technology_access_confirmed ? "true"
                                                             : "false";
        const char *params[] = {row->id,     in->response, note, tech,
                                s->who->sub, s->who->name, in->technology_support};
        if (sql_run(s, &answer_stmt, params) != 0)
            return -1;
    }
    const char *history[] = {row->id,
                             s->who->sub,
                             s->who->name,
                             in->response,
                             note,
                             delegated ? in->delegate.sub : NULL,
                             delegated ? in->delegate.name : NULL};
    return sql_run(s, &history_stmt, history);
}

int invitations_add_paper(store *s, const char *invitation_id, const char *title,
                          const char *reference, const char *shared_at, char id_out[37])
{
    const char *params[] = {invitation_id, title, reference, shared_at, s->who->sub, s->who->name};
    PGresult *res = sql_query(s, &paper_stmt, params);
    if (!res)
        return -1;
    sql_copy(id_out, 37, PQgetvalue(res, 0, 0));
    PQclear(res);
    const char *bump[] = {invitation_id};
    return sql_run(s, &paper_bump_stmt, bump);
}

int invitations_mark(store *s, const char *meeting_id, const char *invitation_id,
                     const char *attendance)
{
    if (!text_is_uuid(invitation_id))
        return 0;
    const char *params[] = {meeting_id, invitation_id, attendance, s->who->sub, s->who->name};
    PGresult *res = sql_query(s, &mark_stmt, params);
    if (!res)
        return -1;
    int n = atoi(PQcmdTuples(res));
    PQclear(res);
    return n > 0;
}

int invitations_roll(store *s, const char *meeting_id, roll_invitation **out, int *n)
{
    *out = NULL;
    *n = 0;
    const char *params[] = {meeting_id};
    PGresult *res = sql_query(s, &roll_stmt, params);
    if (!res)
        return -1;
    *n = PQntuples(res);
    *out = xcalloc((size_t)(*n ? *n : 1), sizeof **out);
    for (int i = 0; i < *n; i++) {
        sql_copy((*out)[i].id, sizeof (*out)[i].id, PQgetvalue(res, i, 0));
        sql_copy((*out)[i].category, sizeof (*out)[i].category, PQgetvalue(res, i, 1));
        sql_copy((*out)[i].status, sizeof (*out)[i].status, PQgetvalue(res, i, 2));
    }
    PQclear(res);
    return 0;
}

int invitations_withdraw(store *s, const char *invitation_id, const char *reason)
{
    const char *params[] = {invitation_id, s->who->sub, s->who->name, reason};
    return sql_run(s, &withdraw_stmt, params);
}

int invitations_pull_deadlines(store *s, const char *meeting_id, const char *cap,
                               char (**ids)[37], int *n)
{
    *ids = NULL;
    *n = 0;
    const char *params[] = {meeting_id, cap, s->who->sub, s->who->name};
    PGresult *res = sql_query(s, &pull_deadlines_stmt, params);
    if (!res)
        return -1;
    *n = PQntuples(res);
    *ids = xcalloc((size_t)(*n ? *n : 1), sizeof **ids);
    for (int i = 0; i < *n; i++)
        sql_copy((*ids)[i], sizeof (*ids)[i], PQgetvalue(res, i, 0));
    PQclear(res);
    return 0;
}

int invitations_set_short_notice(store *s, const char *invitation_id, bool short_notice)
{
    const char *params[] = {invitation_id, short_notice ? "true" : "false"};
    return sql_run(s, &short_notice_stmt, params);
}

int invitations_of_meeting(store *s, const char *meeting_id, int limit, char *const *after,
                           store_page *out)
{
    sql_int lim;
    const char *params[] = {meeting_id, after[0], after[1], sql_int_of(&lim, limit + 1),
                            s->today_text};
    return sql_list(s, &of_meeting_stmt, params, limit, 2, 2, out);
}

int invitations_mine(store *s, const char *status, int limit, char *const *after,
                     store_page *out)
{
    sql_int lim;
    const char *params[] = {s->who->sub, status, after[0], after[1], sql_int_of(&lim, limit + 1),
                            s->today_text};
    return sql_list(s, &mine_stmt, params, limit, 2, 2, out);
}

int invitations_sent(store *s, const char *meeting_id, invitation_sent **out, int *n)
{
    *out = NULL;
    *n = 0;
    const char *params[] = {meeting_id};
    PGresult *res = sql_query(s, &sent_days_stmt, params);
    if (!res)
        return -1;
    *n = PQntuples(res);
    *out = xcalloc((size_t)(*n ? *n : 1), sizeof **out);
    for (int i = 0; i < *n; i++) {
        sql_copy((*out)[i].id, sizeof (*out)[i].id, PQgetvalue(res, i, 0));
        (*out)[i].day = (cal_day)atoi(PQgetvalue(res, i, 1));
    }
    PQclear(res);
    return 0;
}
