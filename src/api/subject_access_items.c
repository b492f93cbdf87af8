/* A subject access request's items (SAR-2): the records gathered for it,
 * each with its provenance; the dpo's decision on each (disclose, redact
 * spans of its text, or withhold, each redaction and withholding under an
 * exemption); and the disclosure set, once every item is decided, with its
 * redaction log. Visible to the dpo alone (404 to anyone else); every read
 * and decision is audited against the request. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/frame.h"
#include "api/handlers.h"
#include "core/config.h"
#include "domain/sar_pdf.h"
#include "domain/subject_access.h"
#include "store/audit.h"
#include "store/subject_access.h"

/* --- GET /v1/subject-access-requests/{sar_id}/items --- */

void handle_sar_items_list(req *r)
{
    static const enum cursor_part key[] = {PART_INTEGER};
    frame_page page;
    if (!frame_page_read(r, &page, 1, key))
        return;
    store *s = frame_begin(r, FRAME_READ);
    sar_row row;
    store_page rendered;
    if (s && frame_found(r, sar_find(s, req_path(r, 0), false, &row)) &&
        frame_ok(r, sar_items_list(s, row.id, page.limit, page.after, &rendered)))
        frame_list(r, &rendered, "subject_access_request.items", "subject_access_request");
    frame_page_free(&page);
}

/* --- PUT /v1/subject-access-requests/{sar_id}/items/{item_no}/decision --- */

void handle_sar_decide(req *r)
{
    violations v;
    violations_init(&v);
    sar_decision_in in;
    sar_decision_parse(r->body, &in, &v);
    if (v.schema && frame_violations(r, &v))
        return;
    long item_no;
    if (config_parse_int(req_path(r, 1), 1, 100000000, &item_no) != 0) {
        problem_not_found(r);
        return;
    }
    char number[24];
    snprintf(number, sizeof number, "%ld", item_no);
    store *s = frame_begin(r, FRAME_CHANGE);
    sar_row row;
    if (!s || !frame_found(r, sar_find(s, req_path(r, 0), true, &row)))
        return;
    bool found;
    char *text = sar_item_text(s, row.id, number, &found);
    if (!text) {
        if (found)
            req_db_failed(r);
        else
            problem_not_found(r);
        return;
    }
    if (frame_if_match(r, row.version)) {
        if (row.answered) {
            /* what went to the requester is what the log says */
            problem_conflict(r, "SAR-2", "The request has been answered.");
            free(text);
            return;
        }
        sar_decision_check(&in, text, &v);
        if (!frame_violations(r, &v) && frame_ok(r, sar_decide(s, row.id, number, &in)))
            frame_finish(r, &(frame_change){.kind = &STORE_SUBJECT_ACCESS_REQUEST,
                                            .id = row.id,
                                            .audit_action = "subject_access_request.decide"});
    }
    free(text);
}

/* --- GET /v1/subject-access-requests/{sar_id}/export --- */

/* The disclosure set of a request every item of which is decided (a new
 * reference), or NULL after answering: 404, 409 (SAR-2: not gathered, or
 * an item undecided) or 503. */
static json_t *disclosure_set(req *r, store *s, sar_row *row)
{
    if (!frame_found(r, sar_find(s, req_path(r, 0), false, row)))
        return NULL;
    if (!row->gathered) {
        problem_conflict(r, "SAR-2", "Gather the records before exporting the disclosure set.");
        return NULL;
    }
    json_t *items = sar_items_all(s, row->id);
    if (!items) {
        req_db_failed(r);
        return NULL;
    }
    json_t *set = sar_disclosure_set(items);
    json_decref(items);
    if (!set)
        problem_conflict(r, "SAR-2", "Every item needs a decision before the disclosure set "
                                     "is exported.");
    return set;
}

/* The disclosure set with the request it answers (a new reference), or
 * NULL after answering. */
static json_t *export_doc(req *r, store *s, sar_row *row, long *version)
{
    json_t *set = disclosure_set(r, s, row);
    if (!set)
        return NULL;
    char *request = store_render(s, &STORE_SUBJECT_ACCESS_REQUEST, row->id, version);
    json_t *doc = request ? json_loads(request, 0, NULL) : NULL;
    free(request);
    if (!doc) {
        json_decref(set);
        req_db_failed(r);
        return NULL;
    }
    json_object_set_new(set, "request", doc);
    return set;
}

void handle_sar_export(req *r)
{
    store *s = frame_begin(r, FRAME_READ);
    sar_row row;
    long version;
    json_t *set = s ? export_doc(r, s, &row, &version) : NULL;
    if (!set)
        return;
    if (audit_record(s, "subject_access_request.export", "subject_access_request", row.id) != 0 ||
        store_commit(s) != 0)
        req_db_failed(r);
    else {
        reply_etag(r, version);
        reply_json(r, 200, set);
    }
    json_decref(set);
}

/* --- GET /v1/subject-access-requests/{sar_id}/export/pdf --- */

void handle_sar_export_pdf(req *r)
{
    store *s = frame_begin(r, FRAME_READ);
    sar_row row;
    long version;
    json_t *set = s ? export_doc(r, s, &row, &version) : NULL;
    if (!set)
        return;
    unsigned char *pdf = NULL;
    size_t len = 0;
    enum sar_pdf_result made = sar_pdf_render(set, r->now, &pdf, &len);
    json_decref(set);
    if (made == SAR_PDF_TOO_LONG) {
        req_error(r, "", "SAR-2", "The disclosure set is too long for one document: export it "
                                  "as JSON.");
        problem_invalid(r);
    } else if (made != SAR_PDF_OK)
        problem_internal(r);
    else if (audit_record(s, "subject_access_request.export_pdf", "subject_access_request",
                          row.id) != 0 ||
             store_commit(s) != 0)
        req_db_failed(r);
    else {
        char disposition[120];
        snprintf(disposition, sizeof disposition,
                 "attachment; filename=\"disclosure-%s.pdf\"", row.id);
        reply_header(r, "Content-Disposition", disposition);
        reply_etag(r, version);
        reply_bytes(r, 200, "application/pdf", (const char *)pdf, len);
    }
    free(pdf);
}
