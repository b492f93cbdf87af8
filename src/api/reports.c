/* GET /v1/reports/drifting-meetings (MTG-10): the visible meetings that
 * were requested but not held within the policy window, oldest first.
 * A meeting drifts once DRIFT_WORKING_DAYS working days have passed since
 * the day it was requested, counted with the bank holidays. */
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

static const db_stmt drifting_stmt = {
    "reports_drifting",
    "SELECT meeting_json(m), rfc3339(m.created_at), m.id FROM meetings m"
    " WHERE m.status IN ('requested', 'authorised', 'scheduled')"
    "   AND (m.created_at AT TIME ZONE 'UTC')::date <= $4::date"
    "   AND meeting_visible(m, $1, $2, $3::boolean)"
    "   AND ($5::timestamptz IS NULL OR (m.created_at, m.id) > ($5::timestamptz, $6::uuid))"
    " ORDER BY m.created_at, m.id LIMIT $7",
    7};

void handle_reports_drifting(req *r)
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
        cal_format(cal_add_working_days(holidays_today(), -app.cfg.drift_working_days, &h), cutoff);
        char limit_text[16];
        snprintf(limit_text, sizeof limit_text, "%d", limit + 1);
        const char *params[] = {r->who.sub, r->who.agency, caller_manager_param(&r->who),
                                cutoff,     after[0],      after[1],
                                limit_text};
        res = db_exec(r->db, &drifting_stmt, params);
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
    buf_printf(&out, ",\"window_working_days\":%d,\"requested_on_or_before\":\"%s\"}",
               app.cfg.drift_working_days, cutoff);
    if (audit_record_list(r, "report.drifting_meetings", "meeting", ids.data) != 0 ||
        db_commit(r->db) != 0)
        req_db_failed(r);
    else
        reply_json_text(r, 200, out.data);
    buf_free(&page);
    buf_free(&ids);
    buf_free(&out);
}
