/* sar_pdf: a subject access request's disclosure set as a PDF (SAR-2), for
 * the requester, written by libharu (libhpdf) as the chronology's is
 * (domain/chronology_pdf.c): A4, text in the standard Helvetica fonts
 * (every string through pdf_text_winansi), every page numbered "Page i of
 * N". First the request (its id, the requester, when it was received and
 * when due, when the set was produced); then each disclosed item (its
 * number, kind, agency, source and text, redactions already replaced);
 * then the redaction log, a line for every decision. Built only from the
 * disclosure set (sar_disclosure_set), so it can hold nothing the JSON
 * export does not. */
#ifndef MAM_SAR_PDF_H
#define MAM_SAR_PDF_H

#include <jansson.h>
#include <stddef.h>
#include <time.h>

/* A document holds at most this many pages; a longer one is not made. */
#define SAR_PDF_PAGES_MAX 5000

enum sar_pdf_result {
    SAR_PDF_OK = 0,
    SAR_PDF_TOO_LONG, /* over SAR_PDF_PAGES_MAX pages */
    SAR_PDF_FAILED,   /* the library failed (memory) */
};

/* Renders the disclosure set ({request, items, redaction_log}). On success
 * *pdf is a new buffer of *len bytes (free()). */
enum sar_pdf_result sar_pdf_render(json_t *set, time_t produced, unsigned char **pdf,
                                   size_t *len);

#endif
