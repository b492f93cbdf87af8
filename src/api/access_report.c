/* SEC-7: GET /v1/children/{child_id}/access-report: who read or changed the
 * child's records, and when, from the audit trail: the child, its meetings
 * and everything under them, its chronology and the ledger's entries about
 * it. For the dpo, and for managers of the convening agency of one of the
 * child's meetings; anyone else learns nothing (404). Reading the report is
 * itself audited. */
#include "api/frame.h"
#include "api/handlers.h"
#include "auth/caller.h"
#include "store/access_report.h"
#include "store/audit.h"

void handle_children_access_report(req *r)
{
    static const enum cursor_part key[] = {PART_INTEGER};
    frame_page page;
    if (!frame_page_read(r, &page, 1, key))
        return;
    const char *child_id = req_path(r, 0);
    store *s = frame_begin(r, FRAME_READ);
    store_page rendered;
    bool as_dpo = caller_has_any(&r->who, ROLE_DPO);
    if (s && frame_found(r, access_report_allowed(s, child_id, as_dpo)) &&
        frame_ok(r, access_report_page(s, child_id, as_dpo, page.limit, page.after[0],
                                       &rendered))) {
        if (audit_record(s, "child.access_report", "child", child_id) != 0) {
            store_page_free(&rendered);
            req_db_failed(r);
        } else {
            frame_list(r, &rendered, NULL, "audit_event");
        }
    }
    frame_page_free(&page);
}
