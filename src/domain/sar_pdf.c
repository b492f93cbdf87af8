/* A disclosure set as a PDF (sar_pdf.h).
 *
 * Laid out twice by the same code, as the chronology is: a dry run counts
 * the pages for "Page i of N", the second run draws. */
#include "domain/sar_pdf.h"

#include <hpdf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "domain/pdf_doc.h"
#include "domain/pdf_text.h"

/* A4 in points, margins of 2 cm */
#define PAGE_W 595.276
#define PAGE_H 841.89
#define MARGIN 56.7
#define CONTENT_W (PAGE_W - 2 * MARGIN)
#define TOP (PAGE_H - MARGIN)
#define BOTTOM MARGIN

#define BODY_SIZE 9.5
#define BODY_LEADING 12.5
#define HEAD_SIZE 10.5
#define HEAD_LEADING 16.0
#define TITLE_SIZE 16.0
#define SMALL_SIZE 8.0
#define GAP 9.0

typedef struct layout {
    HPDF_Doc pdf;
    bool draw, failed;
    HPDF_Font body, bold;
    double body_w[256], bold_w[256]; /* widths at 1 point */
    HPDF_Page page;
    int page_no, total_pages;
    double y;
    const char *request_id;
} layout;

static void on_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user_data)
{
    (void)error_no;
    (void)detail_no;
    ((layout *)user_data)->failed = true;
}

static void text_out(layout *L, HPDF_Font font, double size, double x, double y, const char *s,
                     size_t n)
{
    if (!L->draw || n == 0 || L->failed)
        return;
    char *line = strndup(s, n);
    if (!line) {
        L->failed = true;
        return;
    }
    HPDF_Page_BeginText(L->page);
    HPDF_Page_SetFontAndSize(L->page, font, (HPDF_REAL)size);
    HPDF_Page_TextOut(L->page, (HPDF_REAL)x, (HPDF_REAL)y, line);
    HPDF_Page_EndText(L->page);
    free(line);
}

/* Starts a page: the running header and the footer "Page i of N". */
static void new_page(layout *L)
{
    L->page_no++;
    L->y = TOP;
    if (!L->draw)
        return;
    L->page = HPDF_AddPage(L->pdf);
    if (!L->page) {
        L->failed = true;
        return;
    }
    HPDF_Page_SetSize(L->page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
    char text[160];
    int n = snprintf(text, sizeof text, "Subject access request %s: the disclosure",
                     L->request_id);
    text_out(L, L->body, SMALL_SIZE, MARGIN, PAGE_H - 34, text, (size_t)n);
    n = snprintf(text, sizeof text, "Page %d of %d", L->page_no, L->total_pages);
    double w = pdf_text_width(text, (size_t)n, L->body_w) * SMALL_SIZE;
    text_out(L, L->body, SMALL_SIZE, (PAGE_W - w) / 2, 30, text, (size_t)n);
}

/* UTF-8 text wrapped to the content width, one line at a time, each line
 * finding room of its own. */
static void paragraph(layout *L, const char *utf8, HPDF_Font font, const double *widths,
                      double size, double leading)
{
    if (!utf8 || L->failed)
        return;
    char *text = pdf_text_winansi(utf8, strlen(utf8));
    double scaled[256];
    for (int c = 0; c < 256; c++)
        scaled[c] = widths[c] * size;
    pdf_lines lines = {0};
    if (!text || !pdf_text_wrap(text, CONTENT_W, scaled, &lines)) {
        L->failed = true;
    } else {
        for (size_t i = 0; i < lines.n && L->page_no <= SAR_PDF_PAGES_MAX; i++) {
            if (L->y - leading < BOTTOM)
                new_page(L);
            L->y -= leading;
            text_out(L, font, size, MARGIN, L->y, text + lines.items[i].start,
                     lines.items[i].len);
        }
    }
    pdf_lines_free(&lines);
    free(text);
}

static const char *str(json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s ? s : "";
}

static void heading(layout *L, const char *text, double size, double leading)
{
    if (L->y - leading - 2 * BODY_LEADING < BOTTOM)
        new_page(L);
    paragraph(L, text, L->bold, L->bold_w, size, leading);
}

static void request_block(layout *L, json_t *request, time_t produced)
{
    paragraph(L, "Subject access request: the information disclosed", L->bold, L->bold_w,
              TITLE_SIZE, TITLE_SIZE + 6);
    char produced_at[21], line[512];
    clock_rfc3339(produced, produced_at);
    json_t *requester = json_object_get(request, "requester");
    const char *rows[][2] = {
        {"Request", str(request, "id")},
        {"Requested by", str(requester, "name")},
        {"Received on", str(request, "received_on")},
        {"Due on", str(request, "due_on")},
        {"Produced at", produced_at},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        snprintf(line, sizeof line, "%s: %s", rows[i][0], rows[i][1]);
        paragraph(L, line, L->body, L->body_w, BODY_SIZE, BODY_LEADING);
    }
    paragraph(L,
              "Parts redacted are marked [redacted: <exemption>]; the exemptions are those of "
              "the Data Protection Act 2018. Items withheld in full are listed in the log at "
              "the end, with their exemption.",
              L->body, L->body_w, BODY_SIZE, BODY_LEADING);
}

static void items_block(layout *L, json_t *items)
{
    size_t i;
    json_t *x;
    json_array_foreach(items, i, x) {
        L->y -= GAP;
        char line[400];
        json_t *source = json_object_get(x, "source");
        snprintf(line, sizeof line, "Item %lld: %s (%s)",
                 (long long)json_integer_value(json_object_get(x, "item_no")), str(x, "kind"),
                 json_is_string(json_object_get(x, "agency")) ? str(x, "agency") : "no agency");
        heading(L, line, HEAD_SIZE, HEAD_LEADING);
        snprintf(line, sizeof line, "Source: %s %s, version %lld", str(source, "type"),
                 str(source, "id"), (long long)json_integer_value(json_object_get(source, "version")));
        paragraph(L, line, L->body, L->body_w, SMALL_SIZE, BODY_LEADING);
        paragraph(L, str(x, "text"), L->body, L->body_w, BODY_SIZE, BODY_LEADING);
    }
}

static void log_block(layout *L, json_t *log)
{
    L->y -= GAP;
    heading(L, "Redaction log", HEAD_SIZE + 2, HEAD_LEADING + 2);
    size_t i;
    json_t *x;
    json_array_foreach(log, i, x) {
        char line[600];
        int n = snprintf(line, sizeof line, "Item %lld: %s",
                         (long long)json_integer_value(json_object_get(x, "item_no")),
                         str(x, "decision"));
        if (json_is_string(json_object_get(x, "exemption")))
            n += snprintf(line + n, sizeof line - (size_t)n, " (%s)", str(x, "exemption"));
        size_t k;
        json_t *span;
        json_array_foreach(json_object_get(x, "spans"), k, span) {
            if ((size_t)n >= sizeof line - 80)
                break;
            n += snprintf(line + n, sizeof line - (size_t)n, "%s characters %lld-%lld (%s)",
                          k ? "," : ":",
                          (long long)json_integer_value(json_object_get(span, "start")),
                          (long long)json_integer_value(json_object_get(span, "end")),
                          str(span, "exemption"));
        }
        if ((size_t)n < sizeof line - 1)
            snprintf(line + n, sizeof line - (size_t)n, "; decided by %s at %s",
                     str(json_object_get(x, "decided_by"), "name"), str(x, "decided_at"));
        paragraph(L, line, L->body, L->body_w, BODY_SIZE, BODY_LEADING);
    }
}

static void run(layout *L, json_t *set, time_t produced)
{
    L->page_no = 0;
    new_page(L);
    request_block(L, json_object_get(set, "request"), produced);
    items_block(L, json_object_get(set, "items"));
    log_block(L, json_object_get(set, "redaction_log"));
}

enum sar_pdf_result sar_pdf_render(json_t *set, time_t produced, unsigned char **pdf,
                                   size_t *len)
{
    *pdf = NULL;
    *len = 0;
    layout L;
    memset(&L, 0, sizeof L);
    L.request_id = str(json_object_get(set, "request"), "id");
    L.pdf = HPDF_New(on_error, &L);
    if (!L.pdf)
        return SAR_PDF_FAILED;
    enum sar_pdf_result result = SAR_PDF_FAILED;
    HPDF_SetCompressionMode(L.pdf, HPDF_COMP_ALL);
    L.body = HPDF_GetFont(L.pdf, "Helvetica", "WinAnsiEncoding");
    L.bold = HPDF_GetFont(L.pdf, "Helvetica-Bold", "WinAnsiEncoding");
    if (!L.body || !L.bold)
        goto done;
    if (!pdf_doc_font_widths(L.pdf, L.body, L.body_w) ||
        !pdf_doc_font_widths(L.pdf, L.bold, L.bold_w))
        L.failed = true;
    /* the dry run: how many pages */
    L.draw = false;
    run(&L, set, produced);
    if (L.page_no > SAR_PDF_PAGES_MAX) {
        result = SAR_PDF_TOO_LONG;
        goto done;
    }
    if (L.failed)
        goto done;
    L.total_pages = L.page_no;
    L.draw = true;
    HPDF_SetInfoAttr(L.pdf, HPDF_INFO_TITLE, "Subject access request: the disclosure");
    HPDF_SetInfoAttr(L.pdf, HPDF_INFO_CREATOR, "Multi-agency meetings service");
    run(&L, set, produced);
    if (!L.failed && L.page_no == L.total_pages && pdf_doc_bytes(L.pdf, pdf, len))
        result = SAR_PDF_OK;
done:
    HPDF_Free(L.pdf);
    return result;
}
