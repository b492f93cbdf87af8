/* pdf_doc: what every PDF the service draws with libhpdf shares (the
 * chronology for a court bundle, CHR-3; a subject access disclosure set,
 * SAR-2): the widths of a standard font's WinAnsi characters, which
 * pdf_text's line breaking needs, and the finished document as bytes. */
#ifndef MAM_PDF_DOC_H
#define MAM_PDF_DOC_H

#include <hpdf.h>
#include <stdbool.h>
#include <stddef.h>

/* The width of each WinAnsi byte in the font, in text-space units per point
 * of font size (out[c] * size is the width in points). False when libhpdf
 * reported an error. */
bool pdf_doc_font_widths(HPDF_Doc pdf, HPDF_Font font, double out[256]);

/* The document saved into a new buffer (free()) of *len bytes: true, or
 * false (nothing to free) when saving or reading the stream failed. */
bool pdf_doc_bytes(HPDF_Doc pdf, unsigned char **out, size_t *len);

#endif
