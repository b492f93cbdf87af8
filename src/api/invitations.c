/* Invitations: sending them (INV-1, INV-2, INV-4, INV-7), reading them and
 * sharing papers in advance (INV-6). Answers are in invitation_answers.c. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "api/handlers.h"
#include "api/meeting_change.h"
#include "app.h"
#include "core/buf.h"
#include "core/text.h"
#include "domain/json_in.h"
#include "domain/planning.h"
#include "http/idempotency.h"
#include "http/page.h"
#include "store/audit.h"
#include "store/feed.h"
#include "store/holidays.h"
#include "store/invitations.h"
#include "store/meetings.h"
#include "store/planning.h"

static const db_stmt active_agency_stmt = {
    "invitations_active_agency", "SELECT 1 FROM agencies WHERE code = $1 AND active", 1};

static const db_stmt meeting_list_stmt = {
    "invitations_of_meeting",
    "SELECT invitation_json(i), rfc3339(i.invited_at), i.id FROM invitations i"
    " WHERE i.meeting_id = $1"
    "   AND ($2::timestamptz IS NULL OR (i.invited_at, i.id) > ($2::timestamptz, $3::uuid))"
    " ORDER BY i.invited_at, i.id LIMIT $4",
    4};

static const db_stmt mine_stmt = {
    "invitations_mine",
    "SELECT invitation_json(i), rfc3339(i.invited_at), i.id FROM invitations i"
    " WHERE i.invitee_sub = $1 AND ($2::text IS NULL OR i.status = $2)"
    "   AND ($3::timestamptz IS NULL OR (i.invited_at, i.id) < ($3::timestamptz, $4::uuid))"
    " ORDER BY i.invited_at DESC, i.id DESC LIMIT $5",
    5};

static bool in_list(const char *const *list, const char *s)
{
    for (; *list; list++)
        if (strcmp(*list, s) == 0)
            return true;
    return false;
}

/* --- POST /v1/meetings/{meeting_id}/invitations --- */

/* The rules that need the database: the facts of the meeting, an active
 * agency for professionals. Returns false after answering a failure. */
static bool check_with_facts(req *r, const meeting_row *m, const invitation_in *in, violations *v)
{
    planning_facts facts;
    if (planning_facts_load(r, m->id, &facts) != 0) {
        req_db_failed(r);
        return false;
    }
    char today[11];
    today_utc(today);
    invitation_facts f = {.today = today,
                          .family_notice = facts.family_notice[0] ? facts.family_notice : NULL,
                          .family_notice_status = facts.family_notice_status,
                          .two_part = m->two_part,
                          .scheduled = m->start_epoch != 0};
    invitation_check(in, &f, v);
    if (in->invitee.agency) {
        const char *params[] = {in->invitee.agency};
        bool found;
        char *one = db_exec_value(r->db, &active_agency_stmt, params, &found);
        free(one);
        if (!found && db_failure_of(r->db) != DB_OK) {
            req_db_failed(r);
            return false;
        }
        if (!found)
            violation_rule(v, "invitee.agency", "INV-1", "'%s' is not an active agency of the directory",
                           in->invitee.agency);
    }
    return true;
}

/* respond_by, unless given: RESPONSE_WORKING_DAYS working days from today.
 * Also judges short notice against the start, once there is one (INV-4). */
static bool deadline_and_notice(req *r, const meeting_row *m, const invitation_in *in,
                                char respond_by[11], bool *short_notice)
{
    holidays h;
    if (holidays_load(r->db, &h) != 0) {
        req_db_failed(r);
        return false;
    }
    cal_day today = holidays_today();
    if (in->respond_by)
        snprintf(respond_by, 11, "%s", in->respond_by);
    else
        cal_format(cal_add_working_days(today, app.cfg.response_working_days, &h), respond_by);
    *short_notice = m->start_epoch != 0 &&
                    invitation_short_notice(m->type, today, (cal_day)(m->start_epoch / 86400),
                                            app.cfg.notice_working_days, &h);
    holidays_free(&h);
    return true;
}

void handle_invitations_create(req *r)
{
    violations v;
    violations_init(&v);
    invitation_in in;
    invitation_parse(r->body, &in, &v);
    if (v.schema && answer_violations(r, &v))
        return;
    meeting_row m;
    if (!meeting_change_begin(r, &m) ||
        idem_begin(r, "invitation.create.replayed", "invitation") != IDEM_PROCEED)
        return;
    if (!meeting_row_convening_side(&m, &r->who)) {
        problem_forbidden(r, NULL, "Only the convening side (the requester or a manager of the "
                                   "convening agency) sends invitations.");
        return;
    }
    if (strcmp(m.status, "authorised") != 0 && strcmp(m.status, "scheduled") != 0) {
        problem_conflict(r, "MTG-8", "Invitations are sent for authorised or scheduled meetings.");
        return;
    }
    if (!check_with_facts(r, &m, &in, &v) || answer_violations(r, &v))
        return;
    char respond_by[11];
    bool short_notice;
    if (!deadline_and_notice(r, &m, &in, respond_by, &short_notice))
        return;
    char id[37];
    if (invitations_insert(r, m.id, &in, respond_by, invitation_is_family(in.category),
                           short_notice, id) != 0) {
        if (db_failure_of(r->db) == DB_UNIQUE)
            problem(r, 409, "already-invited", "Conflict", "That person is already invited.");
        else
            req_db_failed(r);
        return;
    }
    if (audit_record(r, "invitation.create", "invitation", id) != 0 ||
        feed_meeting_part(r, m.id, "invitation.created", "invitation", id, 1) != 0) {
        req_db_failed(r);
        return;
    }
    char *json = invitations_render(r, id);
    json_t *warnings = json_array();
    if (short_notice)
        warning_add(warnings, "INV-4", "invitations",
                    "sent with less than the notice the policy asks for before the start");
    char *body = json ? with_warnings(json, warnings) : NULL;
    json_decref(warnings);
    free(json);
    char location[64];
    snprintf(location, sizeof location, "/v1/invitations/%s", id);
    if (!body || idem_remember(r, 201, location, "\"1\"", body) != 0) {
        free(body);
        req_db_failed(r);
        return;
    }
    answer_resource(r, 201, body, 1, location);
    free(body);
}

/* --- GET /v1/meetings/{meeting_id}/invitations --- */

static void answer_page(req *r, PGresult *res, int limit, const char *audit_action)
{
    buf out, ids;
    buf_init(&out);
    buf_init(&ids);
    page_spec spec = {.limit = limit, .key_first_col = 1, .key_cols = 2, .id_col = 2};
    page_render(res, &spec, &out, &ids);
    PQclear(res);
    if (audit_record_list(r, audit_action, "invitation", ids.data) != 0 || db_commit(r->db) != 0)
        req_db_failed(r);
    else
        reply_json_text(r, 200, out.data);
    buf_free(&out);
    buf_free(&ids);
}

/* ?limit and ?cursor over (invited_at, id). */
static bool read_time_page(req *r, int *limit, char **after)
{
    if (!read_page(r, limit, after, 2))
        return false;
    if (after[0] && (!text_is_timestamp(after[0]) || !text_is_uuid(after[1]))) {
        free_parts(after, 2);
        req_schema_error(r, "cursor", "cursor is not one this service gave out");
        problem_invalid(r);
        return false;
    }
    return true;
}

void handle_meeting_invitations_list(req *r)
{
    int limit;
    char *after[2];
    if (!read_time_page(r, &limit, after))
        return;
    meeting_row m;
    int found = begin(r, true) ? meetings_find(r, req_path(r, 0), false, &m) : -2;
    PGresult *res = NULL;
    if (found > 0) {
        char limit_text[16];
        snprintf(limit_text, sizeof limit_text, "%d", limit + 1);
        const char *params[] = {m.id, after[0], after[1], limit_text};
        res = db_exec(r->db, &meeting_list_stmt, params);
    }
    free_parts(after, 2);
    if (found == -2)
        return;
    if (found == 0) {
        problem_not_found(r);
        return;
    }
    if (found < 0 || !res) {
        req_db_failed(r);
        return;
    }
    answer_page(r, res, limit, "invitation.list");
}

/* --- GET /v1/invitations?invitee=me --- */

void handle_invitations_mine(req *r)
{
    static const char *const statuses[] = {"invited", "accepted", "declined", "apologies", NULL};
    const char *invitee = req_query(r, "invitee");
    const char *status = req_query(r, "status");
    if (!invitee || strcmp(invitee, "me") != 0)
        req_schema_error(r, "invitee", "invitee=me is required: the list shows your own invitations");
    if (status && !in_list(statuses, status))
        req_schema_error(r, "status", "status is not an invitation status");
    if (req_has_errors(r)) {
        problem_invalid(r);
        return;
    }
    int limit;
    char *after[2];
    if (!read_time_page(r, &limit, after))
        return;
    PGresult *res = NULL;
    bool begun = begin(r, true);
    if (begun) {
        char limit_text[16];
        snprintf(limit_text, sizeof limit_text, "%d", limit + 1);
        const char *params[] = {r->who.sub, status, after[0], after[1], limit_text};
        res = db_exec(r->db, &mine_stmt, params);
    }
    free_parts(after, 2);
    if (!begun)
        return;
    if (!res) {
        req_db_failed(r);
        return;
    }
    answer_page(r, res, limit, "invitation.list");
}

/* --- GET /v1/invitations/{invitation_id} --- */

void handle_invitations_get(req *r)
{
    if (!begin(r, true))
        return;
    invitation_row row;
    int found = invitations_find(r, req_path(r, 0), false, &row);
    if (found <= 0) {
        if (found < 0)
            req_db_failed(r);
        else
            problem_not_found(r);
        return;
    }
    char *json = invitations_render(r, row.id);
    if (!json || audit_record(r, "invitation.read", "invitation", row.id) != 0)
        req_db_failed(r);
    else
        answer_resource(r, 200, json, row.version, NULL);
    free(json);
}

/* --- POST /v1/invitations/{invitation_id}/papers --- */

void handle_invitations_add_paper(req *r)
{
    static const char *const fields[] = {"title", "reference", "shared_at", NULL};
    violations v;
    violations_init(&v);
    jin_only_keys(&v, r->body, "", fields, NULL);
    const char *title = jin_string(&v, r->body, "", "title", PAPER_TITLE_MAX, true, "INV-6");
    const char *reference = jin_string(&v, r->body, "", "reference", PAPER_REFERENCE_MAX, false, NULL);
    const char *shared_at = jin_string(&v, r->body, "", "shared_at", 40, false, NULL);
    if (shared_at && !text_is_timestamp(shared_at))
        violation_schema(&v, "shared_at", "'shared_at' must be an RFC 3339 date-time");
    if (v.schema && answer_violations(r, &v))
        return;
    if (!begin(r, false) ||
        idem_begin(r, "invitation.paper.replayed", "invitation") != IDEM_PROCEED)
        return;
    invitation_row row;
    meeting_row m;
    int found = invitations_find(r, req_path(r, 0), true, &row);
    if (found > 0)
        found = meetings_load(r, row.meeting_id, false, &m);
    if (found <= 0) {
        if (found < 0)
            req_db_failed(r);
        else
            problem_not_found(r);
        return;
    }
    if (!meeting_row_convening_side(&m, &r->who) && !meeting_row_runs_it(&m, &r->who)) {
        problem_forbidden(r, NULL, "Papers are shared by the convening side, the chair or the minute taker.");
        return;
    }
    if (strcmp(m.status, "authorised") != 0 && strcmp(m.status, "scheduled") != 0) {
        problem_conflict(r, "MTG-8", "Papers are shared in advance of the meeting.");
        return;
    }
    if (answer_violations(r, &v))
        return;
    char paper_id[37];
    if (invitations_add_paper(r, row.id, title, reference, shared_at, paper_id) != 0 ||
        audit_record(r, "invitation.paper", "invitation", row.id) != 0 ||
        feed_meeting_part(r, m.id, "invitation.paper_shared", "invitation", row.id,
                          row.version + 1) != 0) {
        req_db_failed(r);
        return;
    }
    char *json = invitations_render(r, row.id);
    char location[64], etag[24];
    snprintf(location, sizeof location, "/v1/invitations/%s", row.id);
    snprintf(etag, sizeof etag, "\"%ld\"", row.version + 1);
    if (!json || idem_remember(r, 201, location, etag, json) != 0) {
        free(json);
        req_db_failed(r);
        return;
    }
    answer_resource(r, 201, json, row.version + 1, location);
    free(json);
}
