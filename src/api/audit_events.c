/* GET /v1/audit-events: the SEC-4 trail, for auditors, newest first.
 * Auditors are audited too. */
#include <string.h>

#include "api/frame.h"
#include "api/handlers.h"
#include "core/text.h"
#include "store/audit.h"

void handle_audit_events_list(req *r)
{
    audit_filters f = {.actor = req_query(r, "actor"),
                       .resource_id = req_query(r, "resource_id"),
                       .resource_type = req_query(r, "resource_type"),
                       .from = req_query(r, "from"),
                       .to = req_query(r, "to")};
    if (f.actor && (strlen(f.actor) == 0 || strlen(f.actor) > CALLER_SUB_MAX))
        req_schema_error(r, "actor", "actor is a subject id of 1 to 128 characters");
    if (f.resource_id && (strlen(f.resource_id) == 0 || strlen(f.resource_id) > 64))
        req_schema_error(r, "resource_id", "resource_id is 1 to 64 characters");
    if (f.resource_type && (strlen(f.resource_type) == 0 || strlen(f.resource_type) > 64))
        req_schema_error(r, "resource_type", "resource_type is 1 to 64 characters");
    if (f.from && !text_is_timestamp(f.from))
        req_schema_error(r, "from", "from must be an RFC 3339 date-time");
    if (f.to && !text_is_timestamp(f.to))
        req_schema_error(r, "to", "to must be an RFC 3339 date-time");
    if (req_has_errors(r)) {
        problem_invalid(r);
        return;
    }
    static const enum cursor_part key[] = {PART_INTEGER};
    frame_page page;
    if (!frame_page_read(r, &page, 1, key))
        return;
    store *s = frame_begin(r, FRAME_CHANGE);
    store_page rendered;
    if (s && frame_ok(r, audit_list(s, &f, page.limit, page.after[0], &rendered))) {
        if (audit_record(s, "audit.list", "audit_event", NULL) != 0) {
            store_page_free(&rendered);
            req_db_failed(r);
        } else {
            frame_list(r, &rendered, NULL, "audit_event");
        }
    }
    frame_page_free(&page);
}
