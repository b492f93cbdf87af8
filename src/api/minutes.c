/* Minutes: drafting (MIN-1), reading every version (MIN-3), the family's
 * copy of an approved version (MIN-5) and amending approved minutes
 * (MIN-3). Approval is in minutes_approval.c and
 * distribution in minutes_distribution.c. */
#include <stdlib.h>

#include "api/chair.h"
#include "api/frame.h"
#include "api/handlers.h"
#include "api/minutes_common.h"
#include "core/config.h"
#include "domain/json_in.h"
#include "domain/minutes.h"
#include "store/audit.h"
#include "store/minutes.h"

/* --- PUT /v1/meetings/{meeting_id}/minutes --- */

void handle_minutes_put(req *r)
{
    violations v;
    violations_init(&v);
    minutes_check_shape(r->body, &v);
    if (frame_violations(r, &v))
        return;
    minutes_ctx m;
    if (!minutes_open(r, true, &m) || !minutes_writer(r, &m) || !chair_authority(r, &m.meeting) ||
        !frame_gate(r, &meeting_gate_minutes, m.meeting.status))
        return;
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
    if (!create && (!frame_if_match(r, m.current.version) ||
                    !frame_gate(r, &minutes_gate_drafting, m.current.status)))
        return;
    char *content = json_dumps(r->body, JSON_COMPACT);
    int rc = minutes_write(m.s, m.meeting.id, create ? 1 : m.current.number, content, create, NULL);
    free(content);
    if (frame_ok(r, rc))
        minutes_answer(r, &m, create, "minutes.write", "minutes.drafted");
}

/* --- GET /v1/meetings/{meeting_id}/minutes[/versions/{number}] --- */

static void answer_version(req *r, int number_or_current)
{
    minutes_ctx m;
    if (!minutes_open(r, false, &m))
        return;
    int number = number_or_current > 0 ? number_or_current : m.current.number;
    bool found = false;
    long version = 0;
    char *json = number > 0 ? minutes_read(m.s, m.meeting.id, number, &version, &found) : NULL;
    if (!json) {
        if (found)
            req_db_failed(r);
        else
            problem_not_found(r);
        return;
    }
    if (audit_record(m.s, "minutes.read", "minutes", m.meeting.id) != 0 || store_commit(m.s) != 0) {
        req_db_failed(r);
    } else {
        reply_etag(r, version);
        reply_json_text(r, 200, json);
    }
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
    static const enum cursor_part key[] = {PART_INTEGER};
    frame_page page;
    if (!frame_page_read(r, &page, 1, key))
        return;
    minutes_ctx m;
    store_page rendered;
    if (minutes_open(r, false, &m) &&
        frame_ok(r, minutes_versions(m.s, m.meeting.id, page.limit, page.after[0], &rendered))) {
        /* the versions of one meeting's minutes: audited as a read of them */
        if (audit_record(m.s, "minutes.list", "minutes", m.meeting.id) != 0) {
            store_page_free(&rendered);
            req_db_failed(r);
        } else {
            frame_list(r, &rendered, NULL, "minutes");
        }
    }
    frame_page_free(&page);
}

/* --- GET /v1/meetings/{meeting_id}/minutes/versions/{number}/family-copy --- */

/* MIN-5: what the family receives of an approved version, built by the
 * service from an allow-list (never part 1). Whoever sees the meeting may
 * read it (SEC-2); a draft has none (409). */
void handle_minutes_family_copy(req *r)
{
    long n;
    if (config_parse_int(req_path(r, 1), 1, 100000, &n) != 0) {
        problem_not_found(r);
        return;
    }
    minutes_ctx m;
    if (!minutes_open(r, false, &m))
        return;
    minutes_family_copy_row row;
    int found = minutes_family_copy_load(m.s, m.meeting.id, (int)n, &row);
    if (frame_found(r, found) && frame_gate(r, &minutes_gate_family_copy, row.status)) {
        family_copy_facts f = {.meeting_id = m.meeting.id,
                               .reference = row.reference,
                               .type = row.type,
                               .held_at = row.held_at[0] ? row.held_at : NULL,
                               .approved_at = row.approved_at[0] ? row.approved_at : NULL,
                               .two_part = row.two_part,
                               .number = (int)n};
        json_t *copy = minutes_family_copy(row.content, &f);
        if (audit_record(m.s, "minutes.family_copy.read", "minutes", m.meeting.id) != 0 ||
            store_commit(m.s) != 0) {
            req_db_failed(r);
        } else {
            reply_etag(r, row.version);
            reply_json(r, 200, copy);
        }
        json_decref(copy);
    }
    json_decref(row.content);
}

/* --- POST /v1/meetings/{meeting_id}/minutes/amendments --- */

void handle_minutes_amend(req *r)
{
    static const char *const fields[] = {"reason", NULL};
    violations v;
    violations_init(&v);
    jin_only_keys(&v, r->body, "", fields, NULL);
    const char *reason = jin_string(&v, r->body, "", "reason", MINUTES_SHORT_MAX, true, "MIN-3");
    if (v.schema && frame_violations(r, &v))
        return;
    minutes_ctx m;
    if (!minutes_open(r, true, &m) || !frame_idempotent(r, "minutes.amend.replayed", "minutes") ||
        !minutes_writer(r, &m) || !chair_authority(r, &m.meeting))
        return;
    if (m.current.number == 0) {
        problem_conflict(r, "MIN-3", "There are no approved minutes to amend.");
        return;
    }
    if (!frame_gate(r, &minutes_gate_amendment, m.current.status) || frame_violations(r, &v))
        return;
    char *content = minutes_amendment_content(m.s, m.meeting.id, m.current.number);
    int rc = content ? minutes_write(m.s, m.meeting.id, m.current.number + 1, content, true, reason)
                     : -1;
    free(content);
    if (frame_ok(r, rc))
        minutes_answer(r, &m, true, "minutes.amend", "minutes.amended");
}
