/* buf: a growable byte buffer that always holds a NUL-terminated string.
 *
 * Owns its storage; buf_free() releases it. Allocation failure aborts the
 * process (see xalloc.h): a service that cannot allocate a few kilobytes
 * cannot answer anything sensibly either. */
#ifndef MAM_BUF_H
#define MAM_BUF_H

#include <stddef.h>

typedef struct buf {
    char *data;
    size_t len;
    size_t cap;
} buf;

void buf_init(buf *b);
void buf_free(buf *b);
void buf_reset(buf *b);
void buf_append(buf *b, const char *s, size_t n);
void buf_puts(buf *b, const char *s);
void buf_putc(buf *b, char c);
void buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s as a JSON string literal, quotes included. */
void buf_json_string(buf *b, const char *s);
/* Hands the string to the caller (free() it); the buffer is left empty. */
char *buf_steal(buf *b);

#endif
