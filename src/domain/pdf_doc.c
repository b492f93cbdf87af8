/* The shared parts of the service's PDFs (pdf_doc.h). */
#include "domain/pdf_doc.h"

#include <stdlib.h>

bool pdf_doc_font_widths(HPDF_Doc pdf, HPDF_Font font, double out[256])
{
    for (int c = 0; c < 256; c++) {
        HPDF_BYTE b = (HPDF_BYTE)c;
        HPDF_TextWidth tw = HPDF_Font_TextWidth(font, &b, 1);
        out[c] = tw.width / 1000.0;
    }
    return HPDF_GetError(pdf) == HPDF_OK;
}

bool pdf_doc_bytes(HPDF_Doc pdf, unsigned char **out, size_t *len)
{
    if (HPDF_SaveToStream(pdf) != HPDF_OK)
        return false;
    HPDF_UINT32 size = HPDF_GetStreamSize(pdf);
    unsigned char *buf = malloc(size ? size : 1);
    if (!buf)
        return false;
    HPDF_UINT32 got = 0;
    while (got < size) {
        HPDF_UINT32 chunk = size - got;
        HPDF_STATUS st = HPDF_ReadFromStream(pdf, buf + got, &chunk);
        got += chunk;
        if (st == HPDF_STREAM_EOF || chunk == 0)
            break;
        if (st != HPDF_OK) {
            free(buf);
            return false;
        }
    }
    if (got != size) {
        free(buf);
        return false;
    }
    *out = buf;
    *len = size;
    return true;
}
