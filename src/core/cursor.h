/* cursor: opaque list positions (?cursor=) and page sizes (?limit=).
 *
 * A cursor is the sort key of the last item a page showed, encoded as
 * base64url("c1|part|part..."). Clients must treat it as opaque; the
 * server checks every decoded part before using it in a query. */
#ifndef MAM_CURSOR_H
#define MAM_CURSOR_H

#include <stdbool.h>

#define CURSOR_MAX_PARTS 4
#define CURSOR_MAX_BYTES 512

#define PAGE_DEFAULT_LIMIT 50
#define PAGE_MAX_LIMIT 200

/* Returns a new string (free()), or NULL when a part contains '|' or the
 * result would be too long. */
char *cursor_encode(const char *const *parts, int n);

/* Decodes into new strings (free() each); returns the number of parts, or
 * -1 when the cursor is malformed. */
int cursor_decode(const char *cursor, char **parts, int max);

/* Parses ?limit=: 1..PAGE_MAX_LIMIT, PAGE_DEFAULT_LIMIT when absent. */
bool page_limit_parse(const char *text, int *limit);

#endif
