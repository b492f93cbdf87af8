/* pdf_text: text made fit for a PDF's standard fonts, and laid out in lines
 * (CHR-3). The standard 14 fonts of a PDF, which every reader has, write
 * WinAnsiEncoding (Windows code page 1252), not Unicode: this module owns
 * the one deterministic mapping of UTF-8 text into it, and the breaking of
 * that text into lines of a given width. Neither needs libhpdf: the widths
 * come from the caller (domain/chronology_pdf.c reads them from the font). */
#ifndef MAM_PDF_TEXT_H
#define MAM_PDF_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* UTF-8 (n bytes, which may hold anything) as WinAnsi, a new
 * NUL-terminated string (free()), NULL only when memory runs out.
 * - printable ASCII, Latin-1 (U+00A1..U+00FF) and the 27 other characters
 *   of code page 1252 (curly quotes, dashes, the euro, Œ, Š, Ž, ...) are
 *   kept;
 * - letters with diacritics outside it (Latin Extended-A, Romanian ș ț)
 *   become their base letter (ł -> l, ő -> o, Ĳ -> IJ), typographic spaces
 *   a space, hyphens and the minus sign '-', primes ' and ";
 * - a line feed, CR LF, a lone CR and U+2028/U+2029 are one line break
 *   ('\n'), a tab is a space;
 * - other control characters, zero-width characters, the soft hyphen and
 *   the byte-order mark are dropped;
 * - every other character (Greek, Cyrillic, CJK, emoji, ...) and every byte
 *   of malformed UTF-8 is one '?'.
 * The result holds no control character but '\n', and is never longer
 * than n bytes but for Ĳ/ĳ (two bytes of output for two of input). */
char *pdf_text_winansi(const char *utf8, size_t n);

/* One line of laid-out text: bytes [start, start + len) of the text. */
typedef struct pdf_line {
    size_t start, len;
} pdf_line;

typedef struct pdf_lines {
    pdf_line *items;
    size_t n, cap;
} pdf_lines;

/* Breaks WinAnsi text (as pdf_text_winansi makes it) into lines no wider
 * than width, where widths[c] is the width of byte c in the font and size
 * used (a byte's width never depends on its neighbours: no kerning).
 * A '\n' ends a line; runs of empty lines count as one. A line breaks
 * after the last space that fits; a word wider than the line breaks
 * where it must (at least one character a line, so it always ends). The
 * spaces at a break are dropped, as are those at the end of the text.
 * Appends to out (zeroed by the caller to start); false when memory runs
 * out. An empty text is no lines. */
bool pdf_text_wrap(const char *text, double width, const double widths[256], pdf_lines *out);

void pdf_lines_free(pdf_lines *l);

/* The width of bytes [s, s+n) in the font whose widths are given. */
double pdf_text_width(const char *s, size_t n, const double widths[256]);

/* How many leading bytes of s (n bytes) fit in width; when all do not, it
 * is the count that fits with the ellipsis "..." after it. Writes into out
 * (out_size bytes, terminated) what fits, with the ellipsis if cut. */
void pdf_text_fit(const char *s, size_t n, double width, const double widths[256], char *out,
                  size_t out_size);

#endif
