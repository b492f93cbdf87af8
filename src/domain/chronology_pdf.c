/* A child's chronology as a PDF (chronology_pdf.h).
 *
 * Laid out twice by the same code: a dry run counts the pages, where each
 * entry starts and so the index's page numbers; the second run draws. Only
 * the links of the index are made last, once the entries' pages exist. */
#include "domain/chronology_pdf.h"

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
#define LABEL_W 92.0
#define TEXT_X (MARGIN + LABEL_W)
#define TEXT_W (CONTENT_W - LABEL_W)

#define BODY_SIZE 9.5
#define BODY_LEADING 12.5
#define HEAD_SIZE 10.5
#define HEAD_LEADING 16.0
#define TITLE_SIZE 16.0
#define SMALL_SIZE 8.0
#define ENTRY_GAP 9.0

/* index columns */
#define IX_NO MARGIN
#define IX_DATE (MARGIN + 34)
#define IX_KIND (MARGIN + 104)
#define IX_AGENCY (MARGIN + 262)
#define IX_PAGE_RIGHT (PAGE_W - MARGIN)

enum { FIELD_SUMMARY, FIELD_ACTION, FIELD_SIGNIFICANCE, FIELD_SOURCE, FIELDS };
static const char *const field_labels[FIELDS] = {"What happened", "Action taken",
                                                 "Significance", "Source"};

typedef struct entry_text {
    char *heading;            /* WinAnsi */
    char *field[FIELDS];      /* WinAnsi, NULL when absent */
    pdf_lines lines[FIELDS];
    char date[11];            /* YYYY-MM-DD */
    char kind[48], agency[40];
    int page;                 /* 1-based, where the entry starts */
    double top;               /* its heading's top on that page */
    HPDF_Page hpage;          /* in the drawing run */
} entry_text;

typedef struct index_link {
    HPDF_Page page;
    double y; /* baseline of the line */
    size_t entry;
} index_link;

typedef struct layout {
    HPDF_Doc pdf;
    bool draw, failed;
    HPDF_Font body, bold;
    double body_w[256], bold_w[256]; /* widths at 1 point */
    HPDF_Page page;
    int page_no, total_pages;
    double y;
    const char *child_id;
    char produced[21];
    HPDF_Outline outline_root, outline_entries, outline_year;
    char outline_year_text[5];
    index_link *links;
    size_t n_links;
} layout;

static void on_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user_data)
{
    (void)error_no;
    (void)detail_no;
    ((layout *)user_data)->failed = true;
}

static void text_out(layout *L, HPDF_Font font, double size, double x, double y, const char *s)
{
    if (!L->draw || !s[0])
        return;
    HPDF_Page_BeginText(L->page);
    HPDF_Page_SetFontAndSize(L->page, font, (HPDF_REAL)size);
    HPDF_Page_TextOut(L->page, (HPDF_REAL)x, (HPDF_REAL)y, s);
    HPDF_Page_EndText(L->page);
}

static void text_out_n(layout *L, HPDF_Font font, double size, double x, double y, const char *s,
                       size_t n)
{
    if (!L->draw || n == 0)
        return;
    char *line = strndup(s, n);
    if (!line) {
        L->failed = true;
        return;
    }
    text_out(L, font, size, x, y, line);
    free(line);
}

static double width_of(const double widths[256], double size, const char *s)
{
    return pdf_text_width(s, strlen(s), widths) * size;
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
    snprintf(text, sizeof text, "Multi-agency chronology of child %s", L->child_id);
    text_out(L, L->body, SMALL_SIZE, MARGIN, PAGE_H - 34, text);
    const char *mark = "Confidential: personal data of a child";
    text_out(L, L->body, SMALL_SIZE, PAGE_W - MARGIN - width_of(L->body_w, SMALL_SIZE, mark),
             PAGE_H - 34, mark);
    snprintf(text, sizeof text, "Page %d of %d", L->page_no, L->total_pages);
    text_out(L, L->body, SMALL_SIZE,
             (PAGE_W - width_of(L->body_w, SMALL_SIZE, text)) / 2, 30, text);
    HPDF_Page_SetLineWidth(L->page, 0.5);
    HPDF_Page_MoveTo(L->page, MARGIN, PAGE_H - 40);
    HPDF_Page_LineTo(L->page, PAGE_W - MARGIN, PAGE_H - 40);
    HPDF_Page_Stroke(L->page);
}

/* Room for height more points on this page, else a new page. */
static void need(layout *L, double height)
{
    if (L->y - height < BOTTOM)
        new_page(L);
}

/* A wrapped paragraph with its label (label NULL: none), full width when
 * x is MARGIN. Every line finds room of its own. */
static void paragraph(layout *L, const char *label, const char *text, const pdf_lines *lines,
                      double x, HPDF_Font font, double size, double leading)
{
    for (size_t i = 0; i < lines->n; i++) {
        need(L, leading);
        L->y -= leading;
        if (label && i == 0)
            text_out(L, L->bold, size, MARGIN, L->y, label);
        text_out_n(L, font, size, x, L->y, text + lines->items[i].start, lines->items[i].len);
    }
}

/* A paragraph wrapped here, for the title block. */
static void title_line(layout *L, const char *label, const char *utf8)
{
    char *text = pdf_text_winansi(utf8, strlen(utf8));
    double widths[256];
    for (int c = 0; c < 256; c++)
        widths[c] = L->body_w[c] * BODY_SIZE;
    pdf_lines lines = {0};
    if (!text || !pdf_text_wrap(text, TEXT_W, widths, &lines)) {
        L->failed = true;
    } else if (lines.n == 0) {
        need(L, BODY_LEADING);
        L->y -= BODY_LEADING;
        text_out(L, L->bold, BODY_SIZE, MARGIN, L->y, label);
        text_out(L, L->body, BODY_SIZE, TEXT_X, L->y, "none shown");
    } else {
        paragraph(L, label, text, &lines, TEXT_X, L->body, BODY_SIZE, BODY_LEADING);
    }
    pdf_lines_free(&lines);
    free(text);
}

static void describe_filters(const chronology_filters *f, char *out, size_t size)
{
    out[0] = '\0';
    size_t n = 0;
    const char *names[] = {"from", "to", "agency", "kind"};
    const char *values[] = {f ? f->from : NULL, f ? f->to : NULL, f ? f->agency : NULL,
                            f ? f->kind : NULL};
    for (int i = 0; i < 4; i++) {
        if (!values[i])
            continue;
        int w = snprintf(out + n, size - n, "%s%s %s", n ? "; " : "", names[i], values[i]);
        if (w < 0 || (size_t)w >= size - n)
            break;
        n += (size_t)w;
    }
    if (n == 0)
        snprintf(out, size, "none: every entry the producer may see");
}

static void title_block(layout *L, const chronology_child *child, const chronology_filters *f,
                        size_t n)
{
    L->y -= TITLE_SIZE + 4;
    text_out(L, L->bold, TITLE_SIZE, MARGIN, L->y, "Multi-agency chronology");
    L->y -= 8;
    title_line(L, "Child", child->names && child->names[0] ? child->names : "");
    title_line(L, "Identifiers", child->identifiers ? child->identifiers : "");
    title_line(L, "Date of birth", child->dates_of_birth ? child->dates_of_birth : "");
    title_line(L, "Record", child->id);
    char filters[400];
    describe_filters(f, filters, sizeof filters);
    title_line(L, "Filters", filters);
    char produced[160];
    snprintf(produced, sizeof produced, "%s; %zu %s on %d pages", L->produced, n,
             n == 1 ? "entry" : "entries", L->total_pages);
    title_line(L, "Produced", produced);
    title_line(L, "Scope", "Derived from the records the service holds (CHR-1) and the "
                           "agencies' own entries (CHR-2), as far as the person who produced "
                           "it may see them (SEC-2).");
    L->y -= 10;
    need(L, HEAD_LEADING + BODY_LEADING);
    L->y -= HEAD_LEADING;
    text_out(L, L->bold, 12, MARGIN, L->y, "Index");
}

static void index_header(layout *L)
{
    need(L, BODY_LEADING * 2);
    L->y -= BODY_LEADING;
    text_out(L, L->bold, BODY_SIZE, IX_NO, L->y, "No.");
    text_out(L, L->bold, BODY_SIZE, IX_DATE, L->y, "Date");
    text_out(L, L->bold, BODY_SIZE, IX_KIND, L->y, "Entry");
    text_out(L, L->bold, BODY_SIZE, IX_AGENCY, L->y, "Agency");
    text_out(L, L->bold, BODY_SIZE, IX_PAGE_RIGHT - width_of(L->bold_w, BODY_SIZE, "Page"), L->y,
             "Page");
}

static void index_lines(layout *L, entry_text *e, size_t n)
{
    if (n == 0) {
        need(L, BODY_LEADING);
        L->y -= BODY_LEADING;
        text_out(L, L->body, BODY_SIZE, MARGIN, L->y, "No entries.");
        return;
    }
    index_header(L);
    double widths[256];
    for (int c = 0; c < 256; c++)
        widths[c] = L->body_w[c] * BODY_SIZE;
    for (size_t i = 0; i < n; i++) {
        int before = L->page_no;
        need(L, BODY_LEADING);
        if (L->page_no != before)
            index_header(L);
        L->y -= BODY_LEADING;
        char text[64];
        snprintf(text, sizeof text, "%zu", i + 1);
        text_out(L, L->body, BODY_SIZE, IX_NO, L->y, text);
        text_out(L, L->body, BODY_SIZE, IX_DATE, L->y, e[i].date);
        char fitted[64];
        pdf_text_fit(e[i].kind, strlen(e[i].kind), IX_AGENCY - IX_KIND - 8, widths, fitted,
                     sizeof fitted);
        text_out(L, L->body, BODY_SIZE, IX_KIND, L->y, fitted);
        pdf_text_fit(e[i].agency, strlen(e[i].agency), IX_PAGE_RIGHT - 40 - IX_AGENCY, widths,
                     fitted, sizeof fitted);
        text_out(L, L->body, BODY_SIZE, IX_AGENCY, L->y, fitted);
        snprintf(text, sizeof text, "%d", e[i].page);
        text_out(L, L->body, BODY_SIZE, IX_PAGE_RIGHT - width_of(L->body_w, BODY_SIZE, text),
                 L->y, text);
        if (L->draw)
            L->links[L->n_links++] = (index_link){L->page, L->y, i};
    }
}

/* The outline entry of one chronology entry, under its year. */
static void outline_entry(layout *L, entry_text *e, size_t i, HPDF_Destination dst)
{
    if (!L->outline_year || strncmp(L->outline_year_text, e->date, 4) != 0) {
        memcpy(L->outline_year_text, e->date, 4);
        L->outline_year_text[4] = '\0';
        L->outline_year = HPDF_CreateOutline(L->pdf, L->outline_entries, L->outline_year_text,
                                             NULL);
        if (!L->outline_year) {
            L->failed = true;
            return;
        }
        HPDF_Outline_SetDestination(L->outline_year, dst);
    }
    char title[160];
    snprintf(title, sizeof title, "%zu. %s %s (%s)", i + 1, e->date, e->kind, e->agency);
    HPDF_Outline o = HPDF_CreateOutline(L->pdf, L->outline_year, title, NULL);
    if (!o)
        L->failed = true;
    else
        HPDF_Outline_SetDestination(o, dst);
}

static void entries(layout *L, entry_text *e, size_t n)
{
    for (size_t i = 0; i < n && !L->failed; i++) {
        /* the heading stays with the first line of the entry */
        need(L, HEAD_LEADING + BODY_LEADING);
        e[i].page = L->page_no;
        e[i].top = L->y;
        L->y -= HEAD_LEADING;
        text_out(L, L->bold, HEAD_SIZE, MARGIN, L->y, e[i].heading);
        if (L->draw) {
            e[i].hpage = L->page;
            HPDF_Destination dst = HPDF_Page_CreateDestination(L->page);
            if (!dst) {
                L->failed = true;
                return;
            }
            HPDF_Destination_SetFitH(dst, (HPDF_REAL)e[i].top);
            if (i == 0)
                HPDF_Outline_SetDestination(L->outline_entries, dst);
            outline_entry(L, &e[i], i, dst);
        }
        for (int f = 0; f < FIELDS; f++)
            if (e[i].field[f])
                paragraph(L, field_labels[f], e[i].field[f], &e[i].lines[f], TEXT_X, L->body,
                          BODY_SIZE, BODY_LEADING);
        L->y -= ENTRY_GAP / 2;
        if (L->draw && L->y > BOTTOM) {
            HPDF_Page_SetLineWidth(L->page, 0.3);
            HPDF_Page_MoveTo(L->page, MARGIN, (HPDF_REAL)L->y);
            HPDF_Page_LineTo(L->page, PAGE_W - MARGIN, (HPDF_REAL)L->y);
            HPDF_Page_Stroke(L->page);
        }
        L->y -= ENTRY_GAP / 2;
        if (L->page_no > CHRONOLOGY_PDF_PAGES_MAX)
            return;
    }
}

void chronology_kind_label(const char *kind, char *out, size_t out_size)
{
    if (out_size == 0)
        return;
    size_t i = 0;
    for (; kind && kind[i] && i + 1 < out_size; i++) {
        char c = kind[i] == '_' ? ' ' : kind[i];
        out[i] = i == 0 && c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
    }
    out[i] = '\0';
}

/* "2026-03-04T14:05:06.123456Z" -> "2026-03-04 14:05 UTC" */
static void format_at(const char *at, char *out, size_t size, char date[11])
{
    if (at && strlen(at) >= 16 && at[4] == '-' && at[10] == 'T') {
        snprintf(out, size, "%.10s %.5s UTC", at, at + 11);
        snprintf(date, 11, "%.10s", at);
    } else {
        snprintf(out, size, "%s", at ? at : "");
        snprintf(date, 11, "%s", at ? at : "");
    }
}

static char *winansi(const char *s)
{
    return s ? pdf_text_winansi(s, strlen(s)) : NULL;
}

static bool prepare(layout *L, const chronology_item *it, size_t i, entry_text *e)
{
    char when[40], kind[48];
    format_at(it->at, when, sizeof when, e->date);
    chronology_kind_label(it->kind, kind, sizeof kind);
    char *kind_w = winansi(kind), *agency_w = winansi(it->agency ? it->agency : "-");
    if (!kind_w || !agency_w) {
        free(kind_w);
        free(agency_w);
        return false;
    }
    snprintf(e->kind, sizeof e->kind, "%s", kind_w);
    snprintf(e->agency, sizeof e->agency, "%s", agency_w);
    free(kind_w);
    free(agency_w);
    char heading[200];
    snprintf(heading, sizeof heading, "%zu.  %s  %s  %s", i + 1, when, e->kind, e->agency);
    e->heading = winansi(heading);

    char source[400] = "";
    if (it->source_type) {
        int w = snprintf(source, sizeof source, "%s", it->source_type);
        if (it->source_version >= 0)
            w += snprintf(source + w, sizeof source - (size_t)w, ", version %ld",
                          it->source_version);
        if (it->source_path)
            snprintf(source + w, sizeof source - (size_t)w, ": %s", it->source_path);
        else if (it->source_id)
            snprintf(source + w, sizeof source - (size_t)w, " %s", it->source_id);
    }
    e->field[FIELD_SUMMARY] = winansi(it->summary);
    e->field[FIELD_ACTION] = winansi(it->action_taken);
    e->field[FIELD_SIGNIFICANCE] = winansi(it->significance);
    e->field[FIELD_SOURCE] = source[0] ? winansi(source) : NULL;
    if (!e->heading)
        return false;
    double widths[256];
    for (int c = 0; c < 256; c++)
        widths[c] = L->body_w[c] * BODY_SIZE;
    for (int f = 0; f < FIELDS; f++)
        if (e->field[f] && !pdf_text_wrap(e->field[f], TEXT_W, widths, &e->lines[f]))
            return false;
    return true;
}

static void entries_free(entry_text *e, size_t n)
{
    for (size_t i = 0; e && i < n; i++) {
        free(e[i].heading);
        for (int f = 0; f < FIELDS; f++) {
            free(e[i].field[f]);
            pdf_lines_free(&e[i].lines[f]);
        }
    }
    free(e);
}

static void set_info(layout *L, time_t produced)
{
    struct tm tm;
    gmtime_r(&produced, &tm);
    HPDF_Date d = {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                   tm.tm_sec,         'Z',           0,         0};
    HPDF_SetInfoDateAttr(L->pdf, HPDF_INFO_CREATION_DATE, d);
    HPDF_SetInfoAttr(L->pdf, HPDF_INFO_TITLE, "Multi-agency chronology");
    HPDF_SetInfoAttr(L->pdf, HPDF_INFO_CREATOR, "Multi-agency meetings service");
}

/* Runs the whole layout once (drawing or not): the index pages, then the
 * entries. */
static void run(layout *L, const chronology_child *child, const chronology_filters *f,
                entry_text *e, size_t n)
{
    L->page_no = 0;
    new_page(L);
    title_block(L, child, f, n);
    if (L->draw) {
        HPDF_Destination dst = HPDF_Page_CreateDestination(L->page);
        HPDF_Outline index = HPDF_CreateOutline(L->pdf, L->outline_root, "Index", NULL);
        if (!dst || !index) {
            L->failed = true;
            return;
        }
        HPDF_Destination_SetFitH(dst, (HPDF_REAL)(L->y + HEAD_LEADING));
        HPDF_Outline_SetDestination(index, dst);
    }
    index_lines(L, e, n);
    if (n == 0 || L->failed)
        return;
    new_page(L);
    if (L->draw) {
        L->outline_entries = HPDF_CreateOutline(L->pdf, L->outline_root, "Entries", NULL);
        if (!L->outline_entries) {
            L->failed = true;
            return;
        }
        HPDF_Outline_SetOpened(L->outline_entries, HPDF_TRUE);
    }
    entries(L, e, n);
}

/* The index's lines link to their entries. */
static void link_index(layout *L, entry_text *e)
{
    for (size_t i = 0; i < L->n_links && !L->failed; i++) {
        entry_text *to = &e[L->links[i].entry];
        HPDF_Destination dst = HPDF_Page_CreateDestination(to->hpage);
        if (!dst) {
            L->failed = true;
            return;
        }
        HPDF_Destination_SetFitH(dst, (HPDF_REAL)to->top);
        HPDF_Rect rect = {MARGIN, (HPDF_REAL)(L->links[i].y - 3), PAGE_W - MARGIN,
                          (HPDF_REAL)(L->links[i].y + BODY_SIZE)};
        HPDF_Annotation a = HPDF_Page_CreateLinkAnnot(L->links[i].page, rect, dst);
        if (!a)
            L->failed = true;
        else
            HPDF_LinkAnnot_SetBorderStyle(a, 0, 0, 0);
    }
}

enum chronology_pdf_result chronology_pdf_render(const chronology_child *child,
                                                 const chronology_item *items, size_t n,
                                                 const chronology_filters *filters,
                                                 time_t produced, unsigned char **pdf,
                                                 size_t *len, int *pages)
{
    *pdf = NULL;
    *len = 0;
    *pages = 0;
    layout L;
    memset(&L, 0, sizeof L);
    L.child_id = child->id;
    clock_rfc3339(produced, L.produced);
    L.pdf = HPDF_New(on_error, &L);
    if (!L.pdf)
        return CHRONOLOGY_PDF_FAILED;
    enum chronology_pdf_result result = CHRONOLOGY_PDF_FAILED;
    entry_text *e = calloc(n ? n : 1, sizeof *e);
    L.links = calloc(n ? n : 1, sizeof *L.links);
    if (!e || !L.links)
        goto done;
    HPDF_SetCompressionMode(L.pdf, HPDF_COMP_ALL);
    HPDF_SetPageMode(L.pdf, HPDF_PAGE_MODE_USE_OUTLINE);
    L.body = HPDF_GetFont(L.pdf, "Helvetica", "WinAnsiEncoding");
    L.bold = HPDF_GetFont(L.pdf, "Helvetica-Bold", "WinAnsiEncoding");
    if (!L.body || !L.bold)
        goto done;
    if (!pdf_doc_font_widths(L.pdf, L.body, L.body_w) ||
        !pdf_doc_font_widths(L.pdf, L.bold, L.bold_w))
        L.failed = true;
    /* more lines than the pages allowed can hold: refused before the
     * layout (and before the lines of every entry are kept) */
    size_t lines = 0, lines_max = (size_t)(CHRONOLOGY_PDF_PAGES_MAX * ((TOP - BOTTOM) / BODY_LEADING));
    for (size_t i = 0; i < n && !L.failed; i++) {
        if (!prepare(&L, &items[i], i, &e[i]))
            L.failed = true;
        for (int f = 0; f < FIELDS; f++)
            lines += e[i].lines[f].n;
        if (lines > lines_max) {
            result = CHRONOLOGY_PDF_TOO_LONG;
            goto done;
        }
    }
    if (L.failed)
        goto done;

    /* the dry run: how many pages, and where each entry starts */
    L.draw = false;
    run(&L, child, filters, e, n);
    if (L.page_no > CHRONOLOGY_PDF_PAGES_MAX) {
        result = CHRONOLOGY_PDF_TOO_LONG;
        goto done;
    }
    L.total_pages = L.page_no;

    L.draw = true;
    set_info(&L, produced);
    L.outline_root = HPDF_CreateOutline(L.pdf, NULL, "Multi-agency chronology", NULL);
    if (!L.outline_root)
        goto done;
    HPDF_Outline_SetOpened(L.outline_root, HPDF_TRUE);
    run(&L, child, filters, e, n);
    link_index(&L, e);
    if (L.failed || L.page_no != L.total_pages)
        goto done;
    if (pdf_doc_bytes(L.pdf, pdf, len)) {
        *pages = L.total_pages;
        result = CHRONOLOGY_PDF_OK;
    }
done:
    entries_free(e, n);
    free(L.links);
    HPDF_Free(L.pdf);
    return result;
}
