/* Escalations: the multi-agency disagreement and escalation procedure.
 * Raised about a meeting (ESC-1), moving through four stages with due dates
 * in working days (ESC-2), moved up by the raiser, starting at stage 3 when
 * a child is at immediate risk (ESC-3), with every response and the
 * outcome on record; resolved and withdrawn escalations are read-only
 * (ESC-4). */
#include <string.h>

#include "api/frame.h"
#include "api/handlers.h"
#include "core/text.h"
#include "domain/escalation.h"
#include "domain/json_in.h"
#include "store/agencies.h"
#include "store/escalations.h"
#include "store/holidays.h"
#include "store/meetings.h"
#include "store/policy.h"

/* The due date of a stage: its working days from today (ESC-2), by the
 * policy in effect (OBL-1). */
static bool stage_due(req *r, store *s, int stage, char due[11])
{
    (void)r;
    policy p;
    holidays h;
    if (policy_load(s, &p) != 0 || holidays_load(s, &h) != 0)
        return false;
    cal_format(cal_add_working_days(s->today, p.escalation_stage_working_days[stage - 1], &h), due);
    holidays_free(&h);
    return true;
}

static void finish(req *r, const char *id, const char *audit_action, const char *event,
                   bool created)
{
    frame_finish(r, &(frame_change){.kind = &STORE_ESCALATION,
                                    .id = id,
                                    .audit_action = audit_action,
                                    .event = event,
                                    .created = created});
}

/* --- POST /v1/escalations --- */

void handle_escalations_create(req *r)
{
    violations v;
    violations_init(&v);
    escalation_in in;
    escalation_parse(r->body, &in, &v);
    if (v.schema && frame_violations(r, &v))
        return;
    store *s = frame_begin(r, FRAME_CHANGE);
    if (!s || !frame_idempotent(r, "escalation.create.replayed", "escalation"))
        return;
    meeting_row m;
    int found = in.meeting_id ? meetings_find(s, in.meeting_id, true, &m) : 0;
    if (found < 0) {
        req_db_failed(r);
        return;
    }
    if (in.meeting_id && found == 0)
        violation_rule(&v, "meeting_id", "ESC-1", "not a meeting you can see");
    int own = agencies_is_active(s, r->who.agency);
    if (own <= 0) {
        if (own < 0)
            req_db_failed(r);
        else
            problem_forbidden(r, NULL, "Your agency is not an active entry of the agency directory; "
                                       "an admin must add it before it can raise escalations.");
        return;
    }
    int active = in.with_agency ? agencies_is_active(s, in.with_agency) : 1;
    if (active < 0) {
        req_db_failed(r);
        return;
    }
    if (!active)
        violation_rule(&v, "with_agency", "ESC-1", "not an active agency of the directory");
    escalation_refs refs;
    refs_storage storage;
    if (found > 0 && escalations_refs(s, &in, &refs, &storage) != 0) {
        req_db_failed(r);
        return;
    }
    if (found > 0)
        escalation_check(&in, &r->who, &refs, &v);
    if (frame_violations(r, &v))
        return;
    int stage = escalation_first_stage(&in);
    char due[11], id[37];
    if (!stage_due(r, s, stage, due) || escalations_insert(s, &in, stage, due, id) != 0 ||
        escalations_event(s, id, stage, "raised", in.concern, due) != 0) {
        req_db_failed(r);
        return;
    }
    finish(r, id, "escalation.create", "escalation.raised", true);
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
    if (f.status && !text_in_list(escalation_statuses, f.status))
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
    static const enum cursor_part key[] = {PART_TIMESTAMP, PART_UUID};
    frame_page page;
    if (!frame_page_read(r, &page, 2, key))
        return;
    store *s = frame_begin(r, FRAME_READ);
    store_page rendered;
    if (s && frame_ok(r, escalations_list(s, &f, page.limit, page.after, &rendered)))
        frame_list(r, &rendered, "escalation.list", "escalation");
    frame_page_free(&page);
}

/* The escalation of the first path parameter, locked, when the caller may
 * see it. */
static store *open_escalation(req *r, escalation_row *e)
{
    store *s = frame_begin(r, FRAME_CHANGE);
    return s && frame_found(r, escalations_find(s, req_path(r, 0), true, e)) ? s : NULL;
}

void handle_escalations_get(req *r)
{
    frame_get(r, &STORE_ESCALATION, "escalation.read");
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
    return !frame_violations(r, &v);
}

static bool still_open(req *r, const escalation_row *e)
{
    return frame_gate(r, &escalation_gate_changes, e->status);
}

static bool is_raiser(req *r, const escalation_row *e, const char *rule, const char *detail)
{
    if (strcmp(r->who.sub, e->raised_by_sub) == 0)
        return true;
    problem_forbidden(r, rule, detail);
    return false;
}

void handle_escalations_respond(req *r)
{
    const char *text;
    escalation_row e;
    store *s = open_escalation(r, &e);
    if (!s || !frame_idempotent(r, "escalation.respond.replayed", "escalation") ||
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
    if (escalations_event(s, e.id, e.stage, "response", text, NULL) != 0 ||
        escalations_bump(s, e.id) != 0) {
        req_db_failed(r);
        return;
    }
    finish(r, e.id, "escalation.respond", "escalation.responded", true);
}

void handle_escalations_escalate(req *r)
{
    escalation_row e;
    if (r->body && json_object_size(r->body) > 0) {
        req_schema_error(r, "", "escalate takes no members");
        problem_invalid(r);
        return;
    }
    store *s = open_escalation(r, &e);
    if (!s || !is_raiser(r, &e, "ESC-3", "The raiser moves an escalation to the next stage.") ||
        !frame_if_match(r, e.version) || !still_open(r, &e))
        return;
    if (e.stage >= ESCALATION_LAST_STAGE) {
        problem_conflict(r, "ESC-3", "Stage 4, the safeguarding partnership, is the last stage.");
        return;
    }
    char due[11];
    int next = e.stage + 1;
    if (!stage_due(r, s, next, due) || escalations_move(s, e.id, next, due) != 0 ||
        escalations_event(s, e.id, next, "escalated", NULL, due) != 0) {
        req_db_failed(r);
        return;
    }
    finish(r, e.id, "escalation.escalate", "escalation.escalated", false);
}

void handle_escalations_resolve(req *r)
{
    const char *outcome;
    escalation_row e;
    store *s = open_escalation(r, &e);
    if (!s)
        return;
    if (strcmp(r->who.sub, e.raised_by_sub) != 0 &&
        !escalation_may_respond(&r->who, e.stage, e.raised_by_agency, e.with_agency)) {
        problem_forbidden(r, "ESC-4", "The raiser or a responder of the current stage records "
                                      "the resolution.");
        return;
    }
    if (!frame_if_match(r, e.version) || !still_open(r, &e) ||
        !read_text(r, "outcome", "ESC-4", &outcome))
        return;
    if (escalations_close(s, e.id, "resolved", outcome) != 0 ||
        escalations_event(s, e.id, e.stage, "resolved", outcome, NULL) != 0) {
        req_db_failed(r);
        return;
    }
    finish(r, e.id, "escalation.resolve", "escalation.resolved", false);
}

void handle_escalations_withdraw(req *r)
{
    const char *reason;
    escalation_row e;
    store *s = open_escalation(r, &e);
    if (!s || !is_raiser(r, &e, "ESC-4", "Only the raiser withdraws an escalation.") ||
        !frame_if_match(r, e.version) || !still_open(r, &e) ||
        !read_text(r, "reason", "ESC-4", &reason))
        return;
    if (escalations_close(s, e.id, "withdrawn", reason) != 0 ||
        escalations_event(s, e.id, e.stage, "withdrawn", reason, NULL) != 0) {
        req_db_failed(r);
        return;
    }
    finish(r, e.id, "escalation.withdraw", "escalation.withdrawn", false);
}
