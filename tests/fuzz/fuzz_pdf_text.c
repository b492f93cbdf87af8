/* The chronology PDF's text (CHR-3): any bytes a record holds, mapped into
 * WinAnsi and broken into lines. The result holds no control character but
 * '\n' and is no longer than the input (Ĳ/ĳ aside, which stay even); the
 * lines lie inside the text, hold no '\n', and fit the width unless one
 * character alone is wider. */
#include "fuzz.h"

#include "domain/pdf_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = pdf_text_winansi((const char *)data, size);
    if (!text)
        abort();
    size_t n = strlen(text);
    if (n > size)
        abort();
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)text[i];
        if ((c < 0x20 && c != '\n') || c == 0x7F || c == 0x81 || c == 0x8D || c == 0x8F ||
            c == 0x90 || c == 0x9D)
            abort();
    }
    double widths[256];
    for (int c = 0; c < 256; c++)
        widths[c] = 1.0 + (double)(c % 7);
    double width = 40.0;
    pdf_lines lines = {0};
    if (!pdf_text_wrap(text, width, widths, &lines))
        abort();
    for (size_t i = 0; i < lines.n; i++) {
        pdf_line l = lines.items[i];
        if (l.start > n || l.len > n - l.start || memchr(text + l.start, '\n', l.len))
            abort();
        if (l.len > 1 && pdf_text_width(text + l.start, l.len, widths) > width)
            abort();
    }
    pdf_lines_free(&lines);
    char fitted[32];
    pdf_text_fit(text, n, width, widths, fitted, sizeof fitted);
    if (strlen(fitted) >= sizeof fitted)
        abort();
    free(text);
    return 0;
}
