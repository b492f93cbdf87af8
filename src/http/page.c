#include "http/page.h"

#include <stdlib.h>

#include "http/cursor.h"

void page_render(PGresult *res, const page_spec *spec, buf *out, buf *ids)
{
    int rows = PQntuples(res);
    int shown = rows > spec->limit ? spec->limit : rows;
    buf_puts(out, "{\"items\":[");
    if (ids)
        buf_putc(ids, '{');
    for (int i = 0; i < shown; i++) {
        if (i)
            buf_putc(out, ',');
        buf_puts(out, PQgetvalue(res, i, 0));
        if (ids && spec->id_col >= 0) {
            if (i)
                buf_putc(ids, ',');
            /* ids are UUIDs or agency codes: no quoting needed */
            buf_puts(ids, PQgetvalue(res, i, spec->id_col));
        }
    }
    if (ids)
        buf_putc(ids, '}');
    buf_puts(out, "],\"next_cursor\":");
    char *cursor = NULL;
    if (rows > spec->limit && shown > 0) {
        const char *parts[CURSOR_MAX_PARTS];
        for (int k = 0; k < spec->key_cols && k < CURSOR_MAX_PARTS; k++)
            parts[k] = PQgetvalue(res, shown - 1, spec->key_first_col + k);
        cursor = cursor_encode(parts, spec->key_cols);
    }
    if (cursor)
        buf_json_string(out, cursor);
    else
        buf_puts(out, "null");
    buf_putc(out, '}');
    free(cursor);
}
