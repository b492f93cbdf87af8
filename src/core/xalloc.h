/* Allocation helpers that abort on exhaustion instead of returning NULL, so
 * that callers do not grow error paths that are never exercised. */
#ifndef MAM_XALLOC_H
#define MAM_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
