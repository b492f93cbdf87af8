/* chronology_pdf: a child's chronology as a PDF fit for a court bundle
 * (CHR-3), written by libharu (libhpdf), never by hand.
 *
 * The document: on the first page the child as the caller may see them
 * (names, identifiers, dates of birth, the record's id), the filters, when
 * it was produced, and an index of every entry (number, date, kind, agency
 * and the page it is on, each line a link to the entry); then the entries
 * in order, each with its time, kind, agency, what happened, the action
 * taken or why none, why it matters and its source with its version.
 * Every page is numbered "Page i of N"; the outline (bookmarks) has the
 * index and every entry, grouped by year. Text, never images, in the
 * standard Helvetica fonts (so nothing is embedded): every string passes
 * through pdf_text_winansi (domain/pdf_text.h). */
#ifndef MAM_CHRONOLOGY_PDF_H
#define MAM_CHRONOLOGY_PDF_H

#include <stddef.h>
#include <time.h>

#include "domain/chronology.h"

/* One entry as the chronology gives it (CHR-1); any member but at and kind
 * may be NULL, source_version -1 when it has none. */
typedef struct chronology_item {
    char *at; /* RFC 3339, UTC */
    char *kind, *agency, *summary, *action_taken, *significance;
    char *source_type, *source_id, *source_path;
    long source_version;
} chronology_item;

/* The child as the caller may see them: each a list joined by ", ", ""
 * when they see none. */
typedef struct chronology_child {
    char *id;
    char *names, *identifiers, *dates_of_birth;
} chronology_child;

/* A document holds at most this many pages; a longer one is not made. */
#define CHRONOLOGY_PDF_PAGES_MAX 2500

enum chronology_pdf_result {
    CHRONOLOGY_PDF_OK = 0,
    CHRONOLOGY_PDF_TOO_LONG,   /* over CHRONOLOGY_PDF_PAGES_MAX pages */
    CHRONOLOGY_PDF_FAILED,     /* the library failed (memory) */
};

/* Renders the chronology (items in the order to show, n of them) with the
 * filters that chose them and the moment it was produced. On success *pdf
 * is a new buffer of *len bytes (free()) and *pages its page count. */
enum chronology_pdf_result chronology_pdf_render(const chronology_child *child,
                                                 const chronology_item *items, size_t n,
                                                 const chronology_filters *filters,
                                                 time_t produced, unsigned char **pdf,
                                                 size_t *len, int *pages);

/* "meeting_requested" -> "Meeting requested" (out_size bytes, cut to fit). */
void chronology_kind_label(const char *kind, char *out, size_t out_size);

#endif
