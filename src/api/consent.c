/* Family-notice decisions: whether the parents or carers are told of the
 * meeting beforehand (FAM-1), with the invited agencies' agreement to a
 * decision not to (FAM-2), never inherited (FAM-3), with a recommendation
 * when a parent objects (FAM-4), every decision kept (FAM-8). */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "api/handlers.h"
#include "api/meeting_change.h"
#include "core/buf.h"
#include "core/config.h"
#include "domain/json_in.h"
#include "domain/planning.h"
#include "http/idempotency.h"
#include "http/page.h"
#include "store/audit.h"
#include "store/consent.h"
#include "store/feed.h"
#include "store/meetings.h"
#include "store/planning.h"

static const db_stmt list_stmt = {
    "consent_list",
    "SELECT consent_decision_json(d), d.seq, d.id FROM consent_decisions d"
    " WHERE d.meeting_id = $1 AND ($2::bigint IS NULL OR d.seq < $2)"
    " ORDER BY d.seq DESC LIMIT $3",
    3};

static bool planning_open(const char *status)
{
    return strcmp(status, "requested") == 0 || strcmp(status, "authorised") == 0 ||
           strcmp(status, "scheduled") == 0;
}

/* Commits and answers 201 with the decision, its warnings and Location. */
static void answer_decision(req *r, const char *id, long version, json_t *warnings)
{
    char *json = consent_render(r, id);
    char *body = json ? with_warnings(json, warnings) : NULL;
    free(json);
    char location[72], etag[24];
    snprintf(location, sizeof location, "/v1/consent-decisions/%s", id);
    snprintf(etag, sizeof etag, "\"%ld\"", version);
    if (!body || idem_remember(r, 201, location, etag, body) != 0) {
        free(body);
        req_db_failed(r);
        return;
    }
    answer_resource(r, 201, body, version, location);
    free(body);
}

/* --- POST /v1/meetings/{meeting_id}/consent-decisions --- */

void handle_consent_create(req *r)
{
    violations v;
    violations_init(&v);
    consent_in in;
    consent_parse(r->body, &in, &v);
    if (v.schema && answer_violations(r, &v))
        return;
    meeting_row m;
    if (!meeting_change_begin(r, &m))
        return;
    if (idem_begin(r, "consent_decision.create.replayed", "consent_decision") != IDEM_PROCEED)
        return;
    bool sharing = consent_is_sharing(&in);
    if (!meeting_row_convening_side(&m, &r->who) && !(sharing && meeting_row_runs_it(&m, &r->who))) {
        problem_forbidden(r, NULL, sharing ? "The convening side, the chair or the minute taker "
                                             "decides on sharing the minutes with the family."
                                           : "The convening side records whether the family is "
                                             "informed.");
        return;
    }
    const char *refused = consent_refused_rule(&in, &r->who);
    if (refused) {
        problem_forbidden(r, refused, strcmp(refused, "FAM-2") == 0
                                          ? "A decision not to inform the family is made by a "
                                            "manager or senior manager."
                                          : "Withholding the minutes for fabricated or induced "
                                            "illness is decided by a senior manager or a named "
                                            "doctor.");
        return;
    }
    bool after = strcmp(m.status, "held") == 0 || strcmp(m.status, "closed") == 0;
    if (sharing ? !after : !planning_open(m.status)) {
        problem_conflict(r, "MTG-8", sharing ? "Sharing the minutes is decided once the meeting is held."
                                             : "The family-notice decision is made before the "
                                               "meeting is held.");
        return;
    }
    consent_check(&in, &v);
    if (answer_violations(r, &v))
        return;
    char id[37];
    if (consent_insert(r, m.id, &in, id) != 0 ||
        audit_record(r, "consent_decision.create", "consent_decision", id) != 0 ||
        feed_meeting_part(r, m.id, "consent_decision.recorded", "consent_decision", id, 1) != 0) {
        req_db_failed(r);
        return;
    }
    json_t *warnings = json_array();
    planning_facts facts;
    if (!sharing && strcmp(in.decision, "not_inform") == 0) {
        if (planning_facts_load(r, m.id, &facts) != 0) {
            json_decref(warnings);
            req_db_failed(r);
            return;
        }
        if (facts.family_invited)
            warning_add(warnings, "INV-2", "decision",
                        "family members already hold invitations made while the family was to "
                        "be informed");
    }
    if (in.parent_objection)
        warning_add(warnings, "FAM-4", "parent_objection",
                    "a parent or carer objects to the meeting: consider whether the concerns "
                    "call for a strategy discussion instead");
    answer_decision(r, id, 1, warnings);
    json_decref(warnings);
}

/* --- GET /v1/meetings/{meeting_id}/consent-decisions --- */

void handle_consent_list(req *r)
{
    int limit;
    char *before[1];
    if (!read_page(r, &limit, before, 1))
        return;
    long seq;
    if (before[0] && config_parse_int(before[0], 1, 0x7fffffffffffffffL, &seq) != 0) {
        free_parts(before, 1);
        req_schema_error(r, "cursor", "cursor is not one this service gave out");
        problem_invalid(r);
        return;
    }
    meeting_row m;
    int found = begin(r, true) ? meetings_find(r, req_path(r, 0), false, &m) : -2;
    PGresult *res = NULL;
    if (found > 0) {
        char limit_text[16];
        snprintf(limit_text, sizeof limit_text, "%d", limit + 1);
        const char *params[] = {m.id, before[0], limit_text};
        res = db_exec(r->db, &list_stmt, params);
    }
    free_parts(before, 1);
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
    buf out, ids;
    buf_init(&out);
    buf_init(&ids);
    page_spec spec = {.limit = limit, .key_first_col = 1, .key_cols = 1, .id_col = 2};
    page_render(res, &spec, &out, &ids);
    PQclear(res);
    if (audit_record_list(r, "consent_decision.list", "consent_decision", ids.data) != 0 ||
        db_commit(r->db) != 0)
        req_db_failed(r);
    else
        reply_json_text(r, 200, out.data);
    buf_free(&out);
    buf_free(&ids);
}

/* --- GET /v1/consent-decisions/{decision_id} --- */

void handle_consent_get(req *r)
{
    if (!begin(r, true))
        return;
    decision_row d;
    int found = consent_find(r, req_path(r, 0), false, &d);
    if (found <= 0) {
        if (found < 0)
            req_db_failed(r);
        else
            problem_not_found(r);
        return;
    }
    char *json = consent_render(r, d.id);
    if (!json || audit_record(r, "consent_decision.read", "consent_decision", d.id) != 0)
        req_db_failed(r);
    else
        answer_resource(r, 200, json, d.version, NULL);
    free(json);
}

/* --- POST /v1/consent-decisions/{decision_id}/agreements --- */

void handle_consent_agree(req *r)
{
    static const char *const fields[] = {"agrees", "comment", NULL};
    violations v;
    violations_init(&v);
    jin_only_keys(&v, r->body, "", fields, NULL);
    int agrees = jin_bool(&v, r->body, "", "agrees");
    const char *comment = jin_string(&v, r->body, "", "comment", NOTE_MAX, false, NULL);
    if (v.schema && answer_violations(r, &v))
        return;
    if (!begin(r, false) ||
        idem_begin(r, "consent_decision.agree.replayed", "consent_decision") != IDEM_PROCEED)
        return;
    decision_row d;
    meeting_row m;
    int found = consent_find(r, req_path(r, 0), true, &d);
    if (found > 0)
        found = meetings_load(r, d.meeting_id, false, &m);
    if (found <= 0) {
        if (found < 0)
            req_db_failed(r);
        else
            problem_not_found(r);
        return;
    }
    char agency[CALLER_AGENCY_MAX + 1];
    if (consent_speaker_agency(r, d.meeting_id, agency) != 0) {
        req_db_failed(r);
        return;
    }
    if (!agency[0]) {
        problem_forbidden(r, "FAM-2", "Agreement is given by a practitioner invited on behalf of "
                                      "a professional agency.");
        return;
    }
    if (strcmp(d.decision, "not_inform") != 0 || !d.current) {
        problem_conflict(r, "FAM-2", "Only the current decision not to inform the family awaits "
                                     "the agencies' agreement.");
        return;
    }
    if (!planning_open(m.status)) {
        problem_conflict(r, "MTG-8", "Agreement is given before the meeting is held.");
        return;
    }
    if (agrees < 0)
        violation_rule(&v, "agrees", "FAM-2", "say whether your agency agrees");
    if (agrees == 0 && !comment)
        violation_rule(&v, "comment", "FAM-2", "say why your agency disagrees");
    if (answer_violations(r, &v))
        return;
    int recorded = consent_agree(r, d.id, agency, agrees == 1, comment);
    if (recorded == 0) {
        problem(r, 409, "already-answered", "Conflict",
                "Your agency has already answered this decision; a new decision starts afresh.");
        return;
    }
    if (recorded < 0 || consent_bump(r, d.id) != 0 ||
        audit_record(r, "consent_decision.agree", "consent_decision", d.id) != 0 ||
        feed_meeting_part(r, m.id, "consent_decision.answered", "consent_decision", d.id,
                          d.version + 1) != 0) {
        req_db_failed(r);
        return;
    }
    answer_decision(r, d.id, d.version + 1, NULL);
}
