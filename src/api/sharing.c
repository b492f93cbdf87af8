/* The information-sharing ledger (ISL-1 to ISL-3): disclosures and
 * refusals recorded by hand (what was said, or written outside the
 * service), by a caseworker who may see the child; the ledger listed for
 * the DPO and auditors by child, agency and period. The disclosing flows
 * (distribution, family copies, papers) write their own entries in their
 * transactions (sql/functions/37_information_sharing.sql). */
#include <string.h>

#include "api/frame.h"
#include "api/handlers.h"
#include "auth/caller.h"
#include "core/text.h"
#include "domain/sharing.h"
#include "store/children.h"
#include "store/sharing.h"

/* --- POST /v1/information-sharing --- */

void handle_sharing_create(req *r)
{
    violations v;
    violations_init(&v);
    sharing_in in;
    sharing_parse(r->body, &in, &v);
    if (v.schema && frame_violations(r, &v))
        return;
    store *s = frame_begin(r, FRAME_CHANGE);
    if (!s || !frame_idempotent(r, "information_sharing.create.replayed", "information_sharing"))
        return;
    if (!frame_found(r, children_visible(s, in.child_id)))
        return;
    if (in.meeting_id) {
        int about = sharing_meeting_of_child(s, in.meeting_id, in.child_id);
        if (about < 0) {
            req_db_failed(r);
            return;
        }
        if (!about)
            violation_rule(&v, "meeting_id", "ISL-1",
                           "not a meeting you can see about this child");
    }
    if (frame_violations(r, &v))
        return;
    char id[37];
    if (frame_ok(r, sharing_insert(s, &in, id)))
        frame_finish(r, &(frame_change){.kind = &STORE_SHARING,
                                        .id = id,
                                        .audit_action = "information_sharing.create",
                                        .event = "information_sharing.recorded",
                                        .created = true});
}

/* --- GET /v1/information-sharing --- */

void handle_sharing_list(req *r)
{
    sharing_filters f = {
        .child_id = req_query(r, "child_id"),
        .agency = req_query(r, "agency"),
        .from = req_query(r, "from"),
        .to = req_query(r, "to"),
    };
    if (f.child_id && !text_is_uuid(f.child_id))
        req_schema_error(r, "child_id", "child_id must be a UUID");
    if (f.agency && !agency_code_valid(f.agency))
        req_schema_error(r, "agency", "agency is not an agency code");
    if (f.from && !text_is_date(f.from))
        req_schema_error(r, "from", "from must be a date, YYYY-MM-DD");
    if (f.to && !text_is_date(f.to))
        req_schema_error(r, "to", "to must be a date, YYYY-MM-DD");
    if (req_has_errors(r)) {
        problem_invalid(r);
        return;
    }
    static const enum cursor_part key[] = {PART_TIMESTAMP, PART_INTEGER};
    frame_page page;
    if (!frame_page_read(r, &page, 2, key))
        return;
    store *s = frame_begin(r, FRAME_READ);
    store_page rendered;
    if (s && frame_ok(r, sharing_list(s, &f, page.limit, page.after, &rendered)))
        frame_list(r, &rendered, "information_sharing.list", "information_sharing");
    frame_page_free(&page);
}
