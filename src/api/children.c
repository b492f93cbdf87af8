/* Children as subjects (CHR-1, INT-1): a child is asked for by any
 * identifier a meeting gives it (an external reference `system:id`, or
 * `nhs_number:` and `upn:` for the national identifiers), and read by id.
 * A caller sees a child, and what is said of it, only through the meetings
 * they may see (SEC-2); every read is audited. */
#include <string.h>

#include "api/frame.h"
#include "api/handlers.h"
#include "domain/child_ids.h"
#include "store/children.h"

/* --- GET /v1/children?ref= --- */

void handle_children_list(req *r)
{
    const char *ref_text = req_query(r, "ref");
    child_ref ref;
    if (!ref_text)
        req_schema_error(r, "ref", "ref is required: system:id, nhs_number:<NHS number> or "
                                   "upn:<UPN> (INT-1)");
    else if (!child_ref_parse(ref_text, &ref))
        req_schema_error(r, "ref", "ref must be system:id; an NHS number or UPN must pass its "
                                   "check (INT-1)");
    if (req_has_errors(r)) {
        problem_invalid(r);
        return;
    }
    static const enum cursor_part key[] = {PART_UUID};
    frame_page page;
    if (!frame_page_read(r, &page, 1, key))
        return;
    store *s = frame_begin(r, FRAME_READ);
    store_page rendered;
    if (s && frame_ok(r, children_list_by_ref(s, &ref, page.limit, page.after, &rendered)))
        frame_list(r, &rendered, "child.list", "child");
    frame_page_free(&page);
}

/* --- GET /v1/children/{child_id} --- */

void handle_children_get(req *r)
{
    frame_get(r, &STORE_CHILD, "child.read");
}
