/* Obligations (OBL-2): what is due or overdue, derived from the records,
 * for the caller (`owner=me`), an agency, a meeting or a child; and the
 * reminder scheduler run on demand (OBL-3).
 *
 *  GET /v1/obligations: any caller, over what they may see (SEC-2); audited
 *    with the ids shown (SEC-4).
 *  POST /v1/reminders/run: `admin`; sends every reminder due now that was
 *    not sent yet, as the background scheduler does (the service's own
 *    thread, serve.c), under the same lock. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/frame.h"
#include "api/handlers.h"
#include "core/text.h"
#include "domain/child_ids.h"
#include "http/metrics.h"
#include "store/audit.h"
#include "store/obligations.h"

void handle_obligations_list(req *r)
{
    static const char *const statuses[] = {"open", "overdue", "met", "missed", "withdrawn", NULL};
    obligation_filters f;
    memset(&f, 0, sizeof f);
    /* a child as GET /v1/children?ref= names one (CHR-1, INT-1): `system:id`,
     * an NHS number or UPN checked and in its normal form */
    char *child_system = NULL, *child_id = NULL;
    child_ref national;
    const char *child = req_query(r, "child_external_ref");
    frame_read_whose(r, &f.owner_sub, &f.agency, &f.meeting_id);
    f.status = req_query(r, "status");
    f.due_before = req_query(r, "due_before");
    if (child && !text_split_ref(child, &child_system, &child_id))
        req_schema_error(r, "child_external_ref", "child_external_ref must be system:id (INT-1)");
    bool is_national = child_system_is_national(child_system);
    if (is_national && !child_ref_parse(child, &national))
        req_schema_error(r, "child_external_ref",
                         "an NHS number or UPN must pass its check (CHR-1, INT-1)");
    if (f.due_before && !text_is_date(f.due_before))
        req_schema_error(r, "due_before", "due_before must be a date (YYYY-MM-DD)");
    if (f.status && !text_in_list(statuses, f.status))
        req_schema_error(r, "status", "status is open, overdue, met, missed or withdrawn");
    f.child_system = child_system;
    f.child_id = is_national ? national.id : child_id;
    static const enum cursor_part key[] = {PART_DATE, PART_UUID};
    frame_page page;
    if (req_has_errors(r))
        problem_invalid(r);
    else if (frame_page_read(r, &page, 2, key)) {
        store *s = frame_begin(r, FRAME_READ);
        store_page rendered;
        if (s && frame_ok(r, obligations_list(s, &f, page.limit, page.after, &rendered)))
            frame_list(r, &rendered, "obligation.list", "obligation");
        frame_page_free(&page);
    }
    free(child_system);
    free(child_id);
}

/* GET /v1/obligations/{obligation_id}: what a reminder on the feed names
 * (OBL-3). Derived, never changed over the API: no version, no ETag. */
void handle_obligations_get(req *r)
{
    store *s = frame_begin(r, FRAME_READ);
    if (!s)
        return;
    const char *id = req_path(r, 0);
    char *json = NULL;
    if (!frame_found(r, obligations_find(s, id, &json)))
        return;
    if (audit_record(s, "obligation.read", "obligation", id) != 0 || store_commit(s) != 0)
        req_db_failed(r);
    else
        reply_json_text(r, 200, json);
    free(json);
}

void handle_reminders_run(req *r)
{
    store *s = frame_begin(r, FRAME_CHANGE);
    if (!s)
        return;
    bool ran = false;
    long sent = 0;
    if (reminders_send_due(s, &ran, &sent) != 0 ||
        audit_record(s, "reminders.run", "reminder", NULL) != 0 || store_commit(s) != 0) {
        req_db_failed(r);
        return;
    }
    metrics_reminders(ran, sent);
    char body[128];
    snprintf(body, sizeof body, "{\"ran\":%s,\"sent\":%ld,\"on\":\"%s\"}", ran ? "true" : "false",
             sent, s->today_text);
    reply_json_text(r, 200, body);
}
