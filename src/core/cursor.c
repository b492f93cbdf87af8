#include "core/cursor.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/config.h"
#include "core/text.h"
#include "core/xalloc.h"

#define CURSOR_PREFIX "c1|"

char *cursor_encode(const char *const *parts, int n)
{
    buf raw;
    buf_init(&raw);
    buf_puts(&raw, CURSOR_PREFIX);
    for (int i = 0; i < n; i++) {
        if (strchr(parts[i], '|')) {
            buf_free(&raw);
            return NULL;
        }
        if (i)
            buf_putc(&raw, '|');
        buf_puts(&raw, parts[i]);
    }
    size_t out_size = raw.len * 4 / 3 + 4;
    if (out_size > CURSOR_MAX_BYTES) {
        buf_free(&raw);
        return NULL;
    }
    char *out = xmalloc(out_size);
    text_base64url_encode((const unsigned char *)raw.data, raw.len, out, out_size);
    buf_free(&raw);
    return out;
}

int cursor_decode(const char *cursor, char **parts, int max)
{
    if (!cursor || !*cursor || strlen(cursor) > CURSOR_MAX_BYTES)
        return -1;
    unsigned char raw[CURSOR_MAX_BYTES];
    long n = text_base64url_decode(cursor, raw, sizeof raw - 1);
    if (n < (long)strlen(CURSOR_PREFIX) || memcmp(raw, CURSOR_PREFIX, strlen(CURSOR_PREFIX)) != 0)
        return -1;
    raw[n] = '\0';
    if ((long)strlen((char *)raw) != n || !text_is_utf8((char *)raw, (size_t)n))
        return -1;
    int count = 0;
    char *p = (char *)raw + strlen(CURSOR_PREFIX);
    for (;;) {
        char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (count == max) {
            for (int i = 0; i < count; i++) {
                free(parts[i]);
                parts[i] = NULL;
            }
            return -1;
        }
        parts[count++] = xstrndup(p, len);
        if (!bar)
            break;
        p = bar + 1;
    }
    return count;
}

bool page_limit_parse(const char *text, int *limit)
{
    if (!text) {
        *limit = PAGE_DEFAULT_LIMIT;
        return true;
    }
    long v;
    if (config_parse_int(text, 1, PAGE_MAX_LIMIT, &v) != 0)
        return false;
    *limit = (int)v;
    return true;
}
