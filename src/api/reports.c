/* Reports over the meetings the caller may see, judged with the
 * working-days calendar:
 *  GET /v1/reports/drifting-meetings (MTG-10): requested but not held once
 *    DRIFT_WORKING_DAYS working days have passed since the day of the
 *    request, oldest first;
 *  GET /v1/reports/overdue-minutes: held, and MINUTES_DUE_WORKING_DAYS
 *    working days on, still without approved minutes that went out to
 *    someone, oldest first. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>

#include "api/common.h"
#include "api/handlers.h"
#include "app.h"
#include "core/buf.h"
#include "core/text.h"
#include "http/page.h"
#include "store/audit.h"
#include "store/holidays.h"
#include "store/meetings.h"

static const db_stmt drifting_stmt = {
    "reports_drifting",
    "SELECT meeting_json(m), rfc3339(m.created_at), m.id FROM meetings m"
    " WHERE m.status IN ('requested', 'authorised', 'scheduled')"
    "   AND (m.created_at AT TIME ZONE 'UTC')::date <= $4::date"
    "   AND m.id IN (" MEETINGS_VISIBLE_TO("$1", "$2", "$3")
    "     AND a.status IN ('requested', 'authorised', 'scheduled'))"
    "   AND ($5::timestamptz IS NULL OR (m.created_at, m.id) > ($5::timestamptz, $6::uuid))"
    " ORDER BY m.created_at, m.id LIMIT $7",
    7};

static const db_stmt overdue_minutes_stmt = {
    "reports_overdue_minutes",
    "SELECT meeting_json(m), rfc3339(m.held_at), m.id FROM meetings m"
    " WHERE m.status IN ('held', 'closed')"
    "   AND (m.held_at AT TIME ZONE 'UTC')::date <= $4::date"
    "   AND NOT EXISTS (SELECT 1 FROM minutes v JOIN minutes_distribution d"
    "                     ON d.meeting_id = v.meeting_id AND d.number = v.number"
    "                    WHERE v.meeting_id = m.id AND v.status = 'approved')"
    "   AND m.id IN (" MEETINGS_VISIBLE_TO("$1", "$2", "$3")
    "     AND a.status IN ('held', 'closed'))"
    "   AND ($5::timestamptz IS NULL OR (m.held_at, m.id) > ($5::timestamptz, $6::uuid))"
    " ORDER BY m.held_at, m.id LIMIT $7",
    7};

/* One report: the visible meetings of `stmt` on or before the day `days`
 * working days ago, with the window in the answer. */
static void report(req *r, const db_stmt *stmt, int days, const char *window_name,
                   const char *cutoff_name, const char *audit_action)
{
    int limit;
    char *after[2];
    if (!read_page(r, &limit, after, 2))
        return;
    if (after[0] && (!text_is_timestamp(after[0]) || !text_is_uuid(after[1]))) {
        free_parts(after, 2);
        req_schema_error(r, "cursor", "cursor is not one this service gave out");
        problem_invalid(r);
        return;
    }
    holidays h = {NULL, 0};
    PGresult *res = NULL;
    char cutoff[11] = "";
    bool begun = begin(r, true);
    if (begun && holidays_load(r->db, &h) == 0) {
        cal_format(cal_add_working_days(holidays_today(), -days, &h), cutoff);
        char limit_text[16];
        snprintf(limit_text, sizeof limit_text, "%d", limit + 1);
        const char *params[] = {r->who.sub, r->who.agency, caller_manager_param(&r->who),
                                cutoff,     after[0],      after[1],
                                limit_text};
        res = db_exec(r->db, stmt, params);
    }
    holidays_free(&h);
    free_parts(after, 2);
    if (!begun)
        return;
    if (!res) {
        req_db_failed(r);
        return;
    }
    buf page, ids, out;
    buf_init(&page);
    buf_init(&ids);
    buf_init(&out);
    page_spec spec = {.limit = limit, .key_first_col = 1, .key_cols = 2, .id_col = 2};
    page_render(res, &spec, &page, &ids);
    PQclear(res);
    /* the page, with the window it was judged by */
    buf_append(&out, page.data, page.len - 1);
    buf_printf(&out, ",\"%s\":%d,\"%s\":\"%s\"}", window_name, days, cutoff_name, cutoff);
    if (audit_record_list(r, audit_action, "meeting", ids.data) != 0 ||
        db_commit(r->db) != 0)
        req_db_failed(r);
    else
        reply_json_text(r, 200, out.data);
    buf_free(&page);
    buf_free(&ids);
    buf_free(&out);
}

void handle_reports_drifting(req *r)
{
    report(r, &drifting_stmt, app.cfg.drift_working_days, "window_working_days",
           "requested_on_or_before", "report.drifting_meetings");
}

void handle_reports_overdue_minutes(req *r)
{
    report(r, &overdue_minutes_stmt, app.cfg.minutes_due_working_days, "due_working_days",
           "held_on_or_before", "report.overdue_minutes");
}
