#include "http/route.h"

#include <stdlib.h>
#include <string.h>

#include "core/text.h"

int routes_count(const route *table)
{
    int n = 0;
    while (table[n].method)
        n++;
    return n;
}

static const char *segment_end(const char *s)
{
    const char *e = strchr(s, '/');
    return e ? e : s + strlen(s);
}

int route_match(const char *template, const char *path, char **values, int max)
{
    int n = 0;
    const char *t = template, *p = path;
    while (*t == '/' && *p == '/') {
        t++;
        p++;
        const char *te = segment_end(t), *pe = segment_end(p);
        size_t tl = (size_t)(te - t), pl = (size_t)(pe - p);
        if (pl == 0)
            goto mismatch;
        if (tl > 2 && t[0] == '{' && t[tl - 1] == '}') {
            if (n == max)
                goto mismatch;
            char *v = text_percent_decode_path(p, pl);
            if (!v)
                goto mismatch;
            values[n++] = v;
        } else if (tl != pl || memcmp(t, p, tl) != 0) {
            goto mismatch;
        }
        t = te;
        p = pe;
    }
    if (*t == '\0' && (*p == '\0' || (p[0] == '/' && p[1] == '\0')))
        return n;
mismatch:
    for (int i = 0; i < n; i++)
        free(values[i]);
    return -1;
}
