/* Minutes: drafting (MIN-1), reading every version (MIN-3) and amending
 * approved minutes (MIN-3). Approval is in minutes_approval.c and
 * distribution in minutes_distribution.c. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "api/handlers.h"
#include "api/minutes_common.h"
#include "core/buf.h"
#include "core/config.h"
#include "domain/json_in.h"
#include "domain/minutes.h"
#include "http/idempotency.h"
#include "http/page.h"
#include "http/pipeline.h"
#include "store/audit.h"
#include "store/feed.h"
#include "store/minutes.h"

static const db_stmt versions_stmt = {
    "minutes_versions",
    "SELECT minutes_json(v), v.number, v.number FROM minutes v WHERE v.meeting_id = $1"
    " AND ($2::integer IS NULL OR v.number > $2) ORDER BY v.number LIMIT $3",
    3};

/* Injects, into each action item of an amendment, the id of the action
 * the approved version created from it, so that approving the amendment
 * does not create it twice. */
static const db_stmt with_action_ids_stmt = {
    "minutes_with_action_ids",
    "SELECT jsonb_set(v.content, '{actions}', coalesce((SELECT jsonb_agg(CASE"
    "   WHEN a.id IS NULL OR coalesce(btrim(e.j->>'action_id'), '') <> '' THEN e.j"
    "   ELSE e.j || jsonb_build_object('action_id', a.id) END ORDER BY e.ord)"
    "  FROM jsonb_array_elements(coalesce(v.content -> 'actions', '[]')) WITH ORDINALITY e(j, ord)"
    "  LEFT JOIN actions a ON a.meeting_id = v.meeting_id AND a.minutes_number = v.number"
    "                     AND a.item_index = e.ord - 1 AND a.kind = 'plan'), '[]'))::text"
    " FROM minutes v WHERE v.meeting_id = $1 AND v.number = $2::integer",
    2};

/* --- PUT /v1/meetings/{meeting_id}/minutes --- */

void handle_minutes_put(req *r)
{
    violations v;
    violations_init(&v);
    minutes_check_shape(r->body, &v);
    if (answer_violations(r, &v))
        return;
    minutes_ctx m;
    if (!minutes_open(r, true, &m) || !minutes_writer(r, &m))
        return;
    if (strcmp(m.meeting.status, "held") != 0 && strcmp(m.meeting.status, "closed") != 0) {
        problem_conflict(r, "MIN-1", "Minutes are written once the meeting is held.");
        return;
    }
    bool create = m.current.number == 0;
    const char *if_match = req_header(r, "If-Match");
    if (create && if_match) {
        problem(r, 412, "stale-version", "Precondition Failed",
                "The meeting has no minutes yet; send no If-Match to write the first draft.");
        return;
    }
    if (!create && !if_match) {
        problem(r, 428, "precondition-required", "Precondition Required",
                "Send If-Match with the ETag of the minutes you last read.");
        return;
    }
    if (!create && !pipeline_if_match(r, m.current.version))
        return;
    if (!create && strcmp(m.current.status, "approved") == 0) {
        problem_conflict(r, "MIN-3", "Approved minutes cannot change; create an amendment.");
        return;
    }
    char *content = json_dumps(r->body, JSON_COMPACT);
    int number = create ? 1 : m.current.number;
    int rc = minutes_write(r, m.meeting.id, number, content, create, NULL);
    free(content);
    if (rc != 0) {
        req_db_failed(r);
        return;
    }
    minutes_answer(r, &m, number, create ? 1 : m.current.version + 1, create ? 201 : 200,
                   "minutes.write", "minutes.drafted");
}

/* --- GET /v1/meetings/{meeting_id}/minutes[/versions/{number}] --- */

static void answer_version(req *r, int number_or_current)
{
    minutes_ctx m;
    if (!minutes_open(r, false, &m))
        return;
    int number = number_or_current > 0 ? number_or_current : m.current.number;
    bool found = false;
    char *json = number > 0 ? minutes_render(r, m.meeting.id, number, &found) : NULL;
    if (!json) {
        if (found)
            req_db_failed(r);
        else
            problem_not_found(r);
        return;
    }
    long version = number == m.current.number ? m.current.version : 0;
    if (version == 0) {
        json_t *doc = json_loads(json, 0, NULL);
        version = (long)json_integer_value(json_object_get(doc, "version"));
        json_decref(doc);
    }
    if (audit_record(r, "minutes.read", "minutes", m.meeting.id) != 0)
        req_db_failed(r);
    else
        answer_resource(r, 200, json, version, NULL);
    free(json);
}

void handle_minutes_get(req *r)
{
    answer_version(r, 0);
}

void handle_minutes_version(req *r)
{
    long n;
    if (config_parse_int(req_path(r, 1), 1, 100000, &n) != 0) {
        problem_not_found(r);
        return;
    }
    answer_version(r, (int)n);
}

void handle_minutes_versions(req *r)
{
    int limit;
    char *after[1];
    if (!read_page(r, &limit, after, 1))
        return;
    long n;
    if (after[0] && config_parse_int(after[0], 1, 100000, &n) != 0) {
        free_parts(after, 1);
        req_schema_error(r, "cursor", "cursor is not one this service gave out");
        problem_invalid(r);
        return;
    }
    minutes_ctx m;
    PGresult *res = NULL;
    bool open = minutes_open(r, false, &m);
    if (open) {
        char limit_text[16];
        snprintf(limit_text, sizeof limit_text, "%d", limit + 1);
        const char *params[] = {m.meeting.id, after[0], limit_text};
        res = db_exec(r->db, &versions_stmt, params);
    }
    free_parts(after, 1);
    if (!open)
        return;
    if (!res) {
        req_db_failed(r);
        return;
    }
    buf out;
    buf_init(&out);
    page_spec spec = {.limit = limit, .key_first_col = 1, .key_cols = 1, .id_col = -1};
    page_render(res, &spec, &out, NULL);
    PQclear(res);
    if (audit_record(r, "minutes.list", "minutes", m.meeting.id) != 0 || db_commit(r->db) != 0)
        req_db_failed(r);
    else
        reply_json_text(r, 200, out.data);
    buf_free(&out);
}

/* --- POST /v1/meetings/{meeting_id}/minutes/amendments --- */

void handle_minutes_amend(req *r)
{
    static const char *const fields[] = {"reason", NULL};
    violations v;
    violations_init(&v);
    jin_only_keys(&v, r->body, "", fields, NULL);
    const char *reason = jin_string(&v, r->body, "", "reason", MINUTES_SHORT_MAX, true, "MIN-3");
    if (v.schema && answer_violations(r, &v))
        return;
    minutes_ctx m;
    if (!minutes_open(r, true, &m) ||
        idem_begin(r, "minutes.amend.replayed", "minutes") != IDEM_PROCEED ||
        !minutes_writer(r, &m))
        return;
    if (strcmp(m.current.status, "approved") != 0) {
        problem_conflict(r, "MIN-3", m.current.number == 0
                                         ? "There are no approved minutes to amend."
                                         : "The current version is still a draft; edit it instead.");
        return;
    }
    if (answer_violations(r, &v))
        return;
    char n[16];
    snprintf(n, sizeof n, "%d", m.current.number);
    const char *params[] = {m.meeting.id, n};
    bool found;
    char *content = db_exec_value(r->db, &with_action_ids_stmt, params, &found);
    int rc = content ? minutes_write(r, m.meeting.id, m.current.number + 1, content, true, reason)
                     : -1;
    free(content);
    if (rc != 0) {
        req_db_failed(r);
        return;
    }
    minutes_answer(r, &m, m.current.number + 1, 1, 201, "minutes.amend", "minutes.amended");
}
