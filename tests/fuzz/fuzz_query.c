/* Query strings and paths: query_parse, route_match and the text parsers
 * they rely on. */
#include "fuzz.h"

#include "core/text.h"
#include "http/query.h"
#include "http/route.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_string(data, size);
    static const char *const allowed[] = {"status", "limit", "cursor", "after", NULL};
    query_param params[8];
    violations v;
    violations_init(&v);
    int n = query_parse(s, allowed, params, 8, &v);
    if (n < 0 || n > 8)
        abort();
    for (int i = 0; i < n; i++)
        if (!text_is_utf8(params[i].value, strlen(params[i].value)))
            abort();
    query_free(params, n);
    fuzz_check_violations(&v);
    char *values[4];
    int k = route_match("/v1/meetings/{meeting_id}/minutes/versions/{number}", s, values, 4);
    for (int i = 0; i < k; i++)
        free(values[i]);
    long long epoch;
    text_parse_timestamp(s, &epoch);
    text_is_date(s);
    free(s);
    return 0;
}
