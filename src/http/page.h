/* page: renders a page of a list from a query result.
 *
 * The query returns up to limit+1 rows: column 0 is the item's JSON, then
 * the columns that make up its sort key. The extra row, when present, only
 * tells that there is a next page; the cursor is the sort key of the last
 * row shown. */
#ifndef MAM_PAGE_H
#define MAM_PAGE_H

#include <libpq-fe.h>

#include "core/buf.h"

typedef struct page_spec {
    int limit;
    int key_first_col; /* first sort-key column */
    int key_cols;      /* how many sort-key columns */
    int id_col;        /* column with each item's id for the audit, or -1 */
} page_spec;

/* Writes {"items":[...],"next_cursor":...} to out. When ids is not NULL it
 * receives the shown ids as a PostgreSQL array literal ({a,b,...}). */
void page_render(PGresult *res, const page_spec *spec, buf *out, buf *ids);

#endif
