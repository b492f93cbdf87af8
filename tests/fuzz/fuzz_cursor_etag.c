/* Cursors (?cursor=, ?after=), page sizes (?limit=) and If-Match. */
#include "fuzz.h"

#include "core/cursor.h"
#include "http/etag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_string(data, size);
    char *parts[CURSOR_MAX_PARTS] = {0};
    int n = cursor_decode(s, parts, CURSOR_MAX_PARTS);
    if (n > CURSOR_MAX_PARTS)
        abort();
    for (int i = 0; i < n; i++) {
        if (!parts[i])
            abort();
        free(parts[i]);
    }
    int limit;
    if (page_limit_parse(s, &limit) && (limit < 1 || limit > PAGE_MAX_LIMIT))
        abort();
    enum if_match_result m = etag_if_match(s, 3);
    if (m != IF_MATCH_OK && m != IF_MATCH_STALE && m != IF_MATCH_MALFORMED)
        abort();
    free(s);
    return 0;
}
