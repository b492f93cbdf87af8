/* Children as subjects (CHR-1, INT-1): a child is asked for by any
 * identifier a meeting gives it (an external reference `system:id`, or
 * `nhs_number:` and `upn:` for the national identifiers), and read by id.
 * A caller sees a child, and what is said of it, only through the meetings
 * they may see (SEC-2); every read is audited. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/frame.h"
#include "api/handlers.h"
#include "auth/caller.h"
#include "core/text.h"
#include "domain/child_ids.h"
#include "domain/chronology.h"
#include "domain/chronology_pdf.h"
#include "store/audit.h"
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

/* --- GET /v1/children/{child_id}/chronology --- */

/* The filters of the chronology and of its PDF; false (answered 400) when
 * one is malformed. */
static bool chronology_filters_read(req *r, chronology_filters *f)
{
    *f = (chronology_filters){
        .from = req_query(r, "from"),
        .to = req_query(r, "to"),
        .agency = req_query(r, "agency"),
        .kind = req_query(r, "kind"),
    };
    if (f->from && !text_is_date(f->from))
        req_schema_error(r, "from", "from must be a date, YYYY-MM-DD");
    if (f->to && !text_is_date(f->to))
        req_schema_error(r, "to", "to must be a date, YYYY-MM-DD");
    if (f->agency && !agency_code_valid(f->agency))
        req_schema_error(r, "agency", "agency is not an agency code");
    if (f->kind && !chronology_kind_known(f->kind))
        req_schema_error(r, "kind", "kind is not a kind of chronology entry (CHR-1)");
    if (req_has_errors(r)) {
        problem_invalid(r);
        return false;
    }
    return true;
}

void handle_children_chronology(req *r)
{
    chronology_filters f;
    if (!chronology_filters_read(r, &f))
        return;
    static const enum cursor_part key[] = {PART_TIMESTAMP, PART_TEXT};
    frame_page page;
    if (!frame_page_read(r, &page, 2, key))
        return;
    const char *child_id = req_path(r, 0);
    store *s = frame_begin(r, FRAME_READ);
    store_page rendered;
    /* the read of the child's record is one audit row naming the child */
    if (s && frame_found(r, children_visible(s, child_id)) &&
        frame_ok(r, children_chronology(s, child_id, &f, page.limit, page.after, &rendered))) {
        if (audit_record(s, "child.chronology", "child", child_id) != 0) {
            store_page_free(&rendered);
            req_db_failed(r);
        } else {
            frame_list(r, &rendered, NULL, "child");
        }
    }
    frame_page_free(&page);
}

/* --- GET /v1/children/{child_id}/chronology/pdf --- */

/* A court bundle's chronology is whole or not made: one document holds at
 * most this many entries; more must be narrowed by period (CHR-3). */
#define CHRONOLOGY_PDF_ENTRIES_MAX 2000

static void too_long(req *r, const char *detail)
{
    req_error(r, "to", "CHR-3", detail);
    problem_invalid(r);
}

void handle_children_chronology_pdf(req *r)
{
    chronology_filters f;
    if (!chronology_filters_read(r, &f))
        return;
    const char *child_id = req_path(r, 0);
    store *s = frame_begin(r, FRAME_READ);
    if (!s || !frame_found(r, children_visible(s, child_id)))
        return;
    chronology_child child;
    chronology_item *items;
    size_t n;
    if (!frame_ok(r, children_chronology_export(s, child_id, &f, CHRONOLOGY_PDF_ENTRIES_MAX,
                                                &child, &items, &n)))
        return;
    unsigned char *pdf = NULL;
    size_t len = 0;
    int pages = 0;
    enum chronology_pdf_result made = CHRONOLOGY_PDF_TOO_LONG;
    if (n <= CHRONOLOGY_PDF_ENTRIES_MAX)
        made = chronology_pdf_render(&child, items, n, &f, r->now, &pdf, &len, &pages);
    children_chronology_export_free(&child, items, n);
    if (made == CHRONOLOGY_PDF_TOO_LONG)
        too_long(r, "The chronology is too long for one document: ask for a shorter period "
                    "with from and to.");
    else if (made != CHRONOLOGY_PDF_OK)
        problem_internal(r);
    /* the export is one audit row naming the child, as the read is */
    else if (audit_record(s, "child.chronology_pdf", "child", child_id) != 0 ||
             store_commit(s) != 0)
        req_db_failed(r);
    else {
        char disposition[120];
        snprintf(disposition, sizeof disposition,
                 "attachment; filename=\"chronology-%s.pdf\"", child_id);
        reply_header(r, "Content-Disposition", disposition);
        reply_bytes(r, 200, "application/pdf", (const char *)pdf, len);
    }
    free(pdf);
}
