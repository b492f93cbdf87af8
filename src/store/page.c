#include <stdlib.h>

#include "core/buf.h"
#include "core/cursor.h"
#include "store/sql.h"

void sql_page(PGresult *res, const page_spec *spec, store_page *page)
{
    int rows = PQntuples(res);
    int shown = rows > spec->limit ? spec->limit : rows;
    buf out, ids;
    buf_init(&out);
    buf_init(&ids);
    buf_puts(&out, "{\"items\":[");
    buf_putc(&ids, '{');
    for (int i = 0; i < shown; i++) {
        if (i)
            buf_putc(&out, ',');
        buf_puts(&out, PQgetvalue(res, i, 0));
        if (spec->id_col >= 0) {
            if (i)
                buf_putc(&ids, ',');
            /* ids are UUIDs, agency codes or dates: no quoting needed */
            buf_puts(&ids, PQgetvalue(res, i, spec->id_col));
        }
    }
    buf_putc(&ids, '}');
    buf_puts(&out, "],\"next_cursor\":");
    char *cursor = NULL;
    if (rows > spec->limit && shown > 0) {
        const char *parts[CURSOR_MAX_PARTS];
        for (int k = 0; k < spec->key_cols && k < CURSOR_MAX_PARTS; k++)
            parts[k] = PQgetvalue(res, shown - 1, spec->key_first_col + k);
        cursor = cursor_encode(parts, spec->key_cols);
    }
    if (cursor)
        buf_json_string(&out, cursor);
    else
        buf_puts(&out, "null");
    buf_putc(&out, '}');
    free(cursor);
    PQclear(res);
    page->json = buf_steal(&out);
    page->ids = buf_steal(&ids);
}

void store_page_free(store_page *p)
{
    free(p->json);
    free(p->ids);
    p->json = p->ids = NULL;
}

int sql_list(store *s, const db_stmt *st, const char *const *params, int limit, int key_cols,
             int id_col, store_page *out)
{
    PGresult *res = sql_query(s, st, params);
    if (!res)
        return -1;
    page_spec spec = {.limit = limit, .key_first_col = 1, .key_cols = key_cols, .id_col = id_col};
    sql_page(res, &spec, out);
    return 0;
}
