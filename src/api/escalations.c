/* Escalations: the multi-agency disagreement and escalation procedure.
 * Raised about a meeting (ESC-1), moving through four stages with due dates
 * in working days (ESC-2), moved up by the raiser, starting at stage 3 when
 * a child is at immediate risk (ESC-3), with every response and the
 * outcome on record; resolved and withdrawn escalations are read-only
 * (ESC-4). */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "api/handlers.h"
#include "app.h"
#include "core/buf.h"
#include "core/text.h"
#include "domain/escalation.h"
#include "domain/json_in.h"
#include "http/idempotency.h"
#include "http/page.h"
#include "http/pipeline.h"
#include "store/audit.h"
#include "store/escalations.h"
#include "store/feed.h"
#include "store/holidays.h"
#include "store/meetings.h"

/* The due date of a stage: its working days from today (ESC-2). */
static bool stage_due(req *r, int stage, char due[11])
{
    holidays h;
    if (holidays_load(r->db, &h) != 0)
        return false;
    cal_format(cal_add_working_days(holidays_today(), app.cfg.escalation_stage_days[stage - 1], &h),
               due);
    holidays_free(&h);
    return true;
}

static int announce(req *r, const char *id, const char *raised_by, const char *with,
                    const char *event, long version)
{
    char agencies[80];
    snprintf(agencies, sizeof agencies, "{%s,%s}", raised_by, with);
    return feed_to(r, event, "escalation", id, version, agencies);
}

/* Commits and answers with the escalation. */
static void answer(req *r, const char *id, long version, int status)
{
    char *json = escalations_render(r, id);
    if (!json) {
        req_db_failed(r);
        return;
    }
    char location[64], etag[24];
    snprintf(location, sizeof location, "/v1/escalations/%s", id);
    snprintf(etag, sizeof etag, "\"%ld\"", version);
    if (status == 201 && idem_remember(r, 201, location, etag, json) != 0) {
        free(json);
        req_db_failed(r);
        return;
    }
    answer_resource(r, status, json, version, status == 201 ? location : NULL);
    free(json);
}

/* --- POST /v1/escalations --- */

void handle_escalations_create(req *r)
{
    violations v;
    violations_init(&v);
    escalation_in in;
    escalation_parse(r->body, &in, &v);
    if (v.schema && answer_violations(r, &v))
        return;
    if (!begin(r, false))
        return;
    if (idem_begin(r, "escalation.create.replayed", "escalation") != IDEM_PROCEED)
        return;
    meeting_row m;
    int found = in.meeting_id ? meetings_find(r, in.meeting_id, true, &m) : 0;
    if (found < 0) {
        req_db_failed(r);
        return;
    }
    if (in.meeting_id && found == 0)
        violation_rule(&v, "meeting_id", "ESC-1", "not a meeting you can see");
    int own = escalations_agency_active(r, r->who.agency);
    if (own <= 0) {
        if (own < 0)
            req_db_failed(r);
        else
            problem_forbidden(r, NULL, "Your agency is not an active entry of the agency directory; "
                                       "an admin must add it before it can raise escalations.");
        return;
    }
    int active = in.with_agency ? escalations_agency_active(r, in.with_agency) : 1;
    if (active < 0) {
        req_db_failed(r);
        return;
    }
    if (!active)
        violation_rule(&v, "with_agency", "ESC-1", "not an active agency of the directory");
    escalation_refs refs;
    refs_storage storage;
    if (found > 0 && escalations_refs(r, &in, &refs, &storage) != 0) {
        req_db_failed(r);
        return;
    }
    if (found > 0)
        escalation_check(&in, &r->who, &refs, &v);
    if (answer_violations(r, &v))
        return;
    int stage = escalation_first_stage(&in);
    char due[11], id[37];
    if (!stage_due(r, stage, due) || escalations_insert(r, &in, stage, due, id) != 0 ||
        escalations_event(r, id, stage, "raised", in.concern, due) != 0 ||
        audit_record(r, "escalation.create", "escalation", id) != 0 ||
        announce(r, id, r->who.agency, in.with_agency, "escalation.raised", 1) != 0) {
        req_db_failed(r);
        return;
    }
    answer(r, id, 1, 201);
}

/* --- GET /v1/escalations and /v1/escalations/{escalation_id} --- */

void handle_escalations_list(req *r)
{
    escalation_filters f;
    memset(&f, 0, sizeof f);
    f.meeting_id = req_query(r, "meeting_id");
    f.status = req_query(r, "status");
    f.stage = req_query(r, "stage");
    f.agency = req_query(r, "agency");
    const char *overdue = req_query(r, "overdue");
    bool known = false;
    for (const char *const *s = escalation_statuses; f.status && *s; s++)
        known |= strcmp(*s, f.status) == 0;
    if (f.status && !known)
        req_schema_error(r, "status", "status is open, resolved or withdrawn");
    if (f.meeting_id && !text_is_uuid(f.meeting_id))
        req_schema_error(r, "meeting_id", "meeting_id must be a UUID");
    if (f.stage && (strlen(f.stage) != 1 || f.stage[0] < '1' || f.stage[0] > '4'))
        req_schema_error(r, "stage", "stage is 1 to 4");
    if (f.agency && !agency_code_valid(f.agency))
        req_schema_error(r, "agency", "agency is not an agency code");
    if (overdue && strcmp(overdue, "true") != 0 && strcmp(overdue, "false") != 0)
        req_schema_error(r, "overdue", "overdue is true or false");
    f.overdue = overdue;
    if (req_has_errors(r)) {
        problem_invalid(r);
        return;
    }
    char *before[2];
    if (!read_page(r, &f.limit, before, 2))
        return;
    if (before[0] && (!text_is_timestamp(before[0]) || !text_is_uuid(before[1]))) {
        free_parts(before, 2);
        req_schema_error(r, "cursor", "cursor is not one this service gave out");
        problem_invalid(r);
        return;
    }
    f.before_created = before[0];
    f.before_id = before[1];
    PGresult *res = NULL;
    bool begun = begin(r, true);
    if (begun)
        res = escalations_list(r, &f);
    free_parts(before, 2);
    if (!begun)
        return;
    if (!res) {
        req_db_failed(r);
        return;
    }
    buf out, ids;
    buf_init(&out);
    buf_init(&ids);
    page_spec spec = {.limit = f.limit, .key_first_col = 1, .key_cols = 2, .id_col = 2};
    page_render(res, &spec, &out, &ids);
    PQclear(res);
    if (audit_record_list(r, "escalation.list", "escalation", ids.data) != 0 ||
        db_commit(r->db) != 0)
        req_db_failed(r);
    else
        reply_json_text(r, 200, out.data);
    buf_free(&out);
    buf_free(&ids);
}

static bool open_escalation(req *r, bool change, escalation_row *e)
{
    if (!begin(r, !change))
        return false;
    int found = escalations_find(r, req_path(r, 0), change, e);
    if (found < 0)
        req_db_failed(r);
    else if (found == 0)
        problem_not_found(r);
    return found > 0;
}

void handle_escalations_get(req *r)
{
    escalation_row e;
    if (!open_escalation(r, false, &e))
        return;
    if (audit_record(r, "escalation.read", "escalation", e.id) != 0)
        req_db_failed(r);
    else
        answer(r, e.id, e.version, 200);
}

/* --- commands --- */

/* Reads {"<member>": text}; the text is required by `rule`. */
static bool read_text(req *r, const char *member, const char *rule, const char **text)
{
    const char *const fields[] = {member, NULL};
    violations v;
    violations_init(&v);
    *text = NULL;
    if (r->body) {
        jin_only_keys(&v, r->body, "", fields, NULL);
        *text = jin_string(&v, r->body, "", member, ESCALATION_TEXT_MAX, false, NULL);
    }
    if (!v.schema && !*text)
        violation_rule(&v, member, rule, "this needs its text");
    return !answer_violations(r, &v);
}

static bool still_open(req *r, const escalation_row *e)
{
    if (strcmp(e->status, "open") == 0)
        return true;
    problem_conflict(r, "ESC-4", "A resolved or withdrawn escalation cannot change.");
    return false;
}

static bool is_raiser(req *r, const escalation_row *e, const char *rule, const char *detail)
{
    if (strcmp(r->who.sub, e->raised_by_sub) == 0)
        return true;
    problem_forbidden(r, rule, detail);
    return false;
}

static void finish(req *r, const escalation_row *e, const char *audit_action, const char *event,
                   int status)
{
    if (audit_record(r, audit_action, "escalation", e->id) != 0 ||
        announce(r, e->id, e->raised_by_agency, e->with_agency, event, e->version + 1) != 0) {
        req_db_failed(r);
        return;
    }
    answer(r, e->id, e->version + 1, status);
}

void handle_escalations_respond(req *r)
{
    const char *text;
    escalation_row e;
    if (!open_escalation(r, true, &e) ||
        idem_begin(r, "escalation.respond.replayed", "escalation") != IDEM_PROCEED ||
        !still_open(r, &e))
        return;
    if (!escalation_may_respond(&r->who, e.stage, e.raised_by_agency, e.with_agency)) {
        problem_forbidden(r, "ESC-2", "At this stage the response comes from another role: "
                                      "practitioners (1), managers (2), senior managers (3), "
                                      "the partnership (4).");
        return;
    }
    if (!read_text(r, "text", "ESC-4", &text))
        return;
    if (escalations_event(r, e.id, e.stage, "response", text, NULL) != 0 ||
        escalations_bump(r, e.id) != 0) {
        req_db_failed(r);
        return;
    }
    finish(r, &e, "escalation.respond", "escalation.responded", 201);
}

void handle_escalations_escalate(req *r)
{
    escalation_row e;
    if (r->body && json_object_size(r->body) > 0) {
        req_schema_error(r, "", "escalate takes no members");
        problem_invalid(r);
        return;
    }
    if (!open_escalation(r, true, &e) ||
        !is_raiser(r, &e, "ESC-3", "The raiser moves an escalation to the next stage.") ||
        !pipeline_if_match(r, e.version) || !still_open(r, &e))
        return;
    if (e.stage >= ESCALATION_LAST_STAGE) {
        problem_conflict(r, "ESC-3", "Stage 4, the safeguarding partnership, is the last stage.");
        return;
    }
    char due[11];
    int next = e.stage + 1;
    if (!stage_due(r, next, due) || escalations_move(r, e.id, next, due) != 0 ||
        escalations_event(r, e.id, next, "escalated", NULL, due) != 0) {
        req_db_failed(r);
        return;
    }
    finish(r, &e, "escalation.escalate", "escalation.escalated", 200);
}

void handle_escalations_resolve(req *r)
{
    const char *outcome;
    escalation_row e;
    if (!open_escalation(r, true, &e))
        return;
    if (strcmp(r->who.sub, e.raised_by_sub) != 0 &&
        !escalation_may_respond(&r->who, e.stage, e.raised_by_agency, e.with_agency)) {
        problem_forbidden(r, "ESC-4", "The raiser or a responder of the current stage records "
                                      "the resolution.");
        return;
    }
    if (!pipeline_if_match(r, e.version) || !still_open(r, &e) ||
        !read_text(r, "outcome", "ESC-4", &outcome))
        return;
    if (escalations_close(r, e.id, "resolved", outcome) != 0 ||
        escalations_event(r, e.id, e.stage, "resolved", outcome, NULL) != 0) {
        req_db_failed(r);
        return;
    }
    finish(r, &e, "escalation.resolve", "escalation.resolved", 200);
}

void handle_escalations_withdraw(req *r)
{
    const char *reason;
    escalation_row e;
    if (!open_escalation(r, true, &e) ||
        !is_raiser(r, &e, "ESC-4", "Only the raiser withdraws an escalation.") ||
        !pipeline_if_match(r, e.version) || !still_open(r, &e) ||
        !read_text(r, "reason", "ESC-4", &reason))
        return;
    if (escalations_close(r, e.id, "withdrawn", reason) != 0 ||
        escalations_event(r, e.id, e.stage, "withdrawn", reason, NULL) != 0) {
        req_db_failed(r);
        return;
    }
    finish(r, &e, "escalation.withdraw", "escalation.withdrawn", 200);
}
