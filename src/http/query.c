#include "http/query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "core/xalloc.h"

static bool allowed_name(const char *const *allowed, const char *name)
{
    for (const char *const *q = allowed; q && *q; q++)
        if (strcmp(*q, name) == 0)
            return true;
    return false;
}

static bool seen(const query_param *out, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(out[i].name, name) == 0)
            return true;
    return false;
}

int query_parse(const char *qs, const char *const *allowed, query_param *out, int max,
                violations *v)
{
    int n = 0;
    const char *q = qs;
    while (q && *q) {
        const char *amp = strchr(q, '&');
        size_t len = amp ? (size_t)(amp - q) : strlen(q);
        if (len > 0) {
            const char *eq = memchr(q, '=', len);
            size_t name_len = eq ? (size_t)(eq - q) : len;
            char *name = text_percent_decode(q, name_len);
            char *value = eq ? text_percent_decode(eq + 1, len - name_len - 1) : xstrdup("");
            if (!name || !value) {
                violation_schema(v, "query", "a query parameter is not valid percent-encoded UTF-8");
            } else if (!allowed_name(allowed, name)) {
                violation_schema(v, name, "unknown query parameter '%.64s'", name);
            } else if (seen(out, n, name)) {
                violation_schema(v, name, "the parameter is given more than once");
            } else if (n == max) {
                violation_schema(v, name, "too many query parameters");
            } else {
                out[n].name = name;
                out[n].value = value;
                n++;
                name = value = NULL;
            }
            free(name);
            free(value);
        }
        q = amp ? amp + 1 : NULL;
    }
    return n;
}

void query_free(query_param *params, int n)
{
    for (int i = 0; i < n; i++) {
        free(params[i].name);
        free(params[i].value);
    }
}
