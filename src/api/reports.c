/* Reports over the meetings the caller may see: views of the obligations
 * (OBL-2), each clock defined once (meeting_obligations in
 * sql/functions/85_obligations.sql), under the policy version in effect at
 * its event (OBL-1):
 *  GET /v1/reports/drifting-meetings (MTG-10): the drift obligation still
 *    owed (not held, not declined or cancelled) and due by today, oldest
 *    request first;
 *  GET /v1/reports/overdue-minutes (MIN-4): the minutes obligation still
 *    owed (no approved minutes sent to anyone) and due by today, oldest hold
 *    first;
 *  GET /v1/reports/review-overdue (MTG-12): the review obligation (the next
 *    review date agreed in the approved minutes) overdue with no review
 *    requested, for the convening side.
 * The window and cutoff in the first two answers are the current policy's:
 * those of a meeting requested or held today. */
#include <stdlib.h>
#include <string.h>

#include "api/frame.h"
#include "api/handlers.h"
#include "core/buf.h"
#include "store/holidays.h"
#include "store/policy.h"
#include "store/reports.h"

/* The page, with the window it was judged by (a new string in place). */
static void add_window(store_page *page, int days, const char *window_name,
                       const char *cutoff_name, const char *cutoff)
{
    buf out;
    buf_init(&out);
    buf_append(&out, page->json, strlen(page->json) - 1);
    buf_printf(&out, ",\"%s\":%d,\"%s\":\"%s\"}", window_name, days, cutoff_name, cutoff);
    free(page->json);
    page->json = buf_steal(&out);
}

/* One report: the visible meetings whose obligation is owed and due by
 * today, with the current policy's window and the day `days` working days
 * ago in the answer. */
static void report(req *r, enum meeting_report which, const char *window_name,
                   const char *cutoff_name, const char *audit_action)
{
    static const enum cursor_part key[] = {PART_TIMESTAMP, PART_UUID};
    frame_page page;
    if (!frame_page_read(r, &page, 2, key))
        return;
    store *s = frame_begin(r, FRAME_READ);
    holidays h = {NULL, 0};
    char cutoff[11] = "";
    store_page rendered;
    policy p;
    if (s && frame_ok(r, policy_load(s, &p)) && frame_ok(r, holidays_load(s, &h))) {
        int days = which == REPORT_DRIFTING ? p.drift_working_days : p.minutes_due_working_days;
        cal_format(cal_add_working_days(s->today, -days, &h), cutoff);
        if (frame_ok(r, reports_meetings(s, which, page.limit, page.after, &rendered))) {
            add_window(&rendered, days, window_name, cutoff_name, cutoff);
            frame_list(r, &rendered, audit_action, "meeting");
        }
    }
    holidays_free(&h);
    frame_page_free(&page);
}

void handle_reports_drifting(req *r)
{
    report(r, REPORT_DRIFTING, "window_working_days",
           "requested_on_or_before", "report.drifting_meetings");
}

/* GET /v1/reports/review-overdue (MTG-12): the meetings whose next review
 * date passed with no review meeting requested, for their convening side,
 * by review date. */
void handle_reports_review_overdue(req *r)
{
    static const enum cursor_part key[] = {PART_DATE, PART_UUID};
    frame_page page;
    if (!frame_page_read(r, &page, 2, key))
        return;
    store *s = frame_begin(r, FRAME_READ);
    store_page rendered;
    if (s && frame_ok(r, reports_review_overdue(s, page.limit, page.after, &rendered))) {
        buf out;
        buf_init(&out);
        buf_append(&out, rendered.json, strlen(rendered.json) - 1);
        buf_printf(&out, ",\"next_review_before\":\"%s\"}", s->today_text);
        free(rendered.json);
        rendered.json = buf_steal(&out);
        frame_list(r, &rendered, "report.review_overdue", "meeting");
    }
    frame_page_free(&page);
}

void handle_reports_overdue_minutes(req *r)
{
    report(r, REPORT_OVERDUE_MINUTES, "due_working_days",
           "held_on_or_before", "report.overdue_minutes");
}
