/* GET /v1/events: the INT-2 feed of the caller's agency, in feed order
 * (store/feed.h). Not case data: ids, types and versions only, so reading
 * it is not audited. */
#include "api/frame.h"
#include "api/handlers.h"
#include "core/config.h"
#include "store/feed.h"

static bool number(const char *s)
{
    long v;
    return s && config_parse_int(s, 0, 0x7fffffffffffffffL, &v) == 0;
}

void handle_events_list(req *r)
{
    int limit;
    if (!page_limit_parse(req_query(r, "limit"), &limit)) {
        req_schema_error(r, "limit", "limit must be a whole number from 1 to 200");
        problem_invalid(r);
        return;
    }
    char *after[2] = {NULL, NULL};
    const char *cursor = req_query(r, "after");
    if (cursor && (cursor_decode(cursor, after, 2) != 2 || !number(after[0]) || !number(after[1]))) {
        req_schema_error(r, "after", "after is not a cursor this service gave out");
        problem_invalid(r);
    } else {
        store *s = req_store(r);
        store_page page;
        if (s && frame_ok(r, feed_page(s, r->who.agency, after[0], after[1], limit, cursor, &page))) {
            reply_json_text(r, 200, page.json);
            store_page_free(&page);
        }
    }
    free(after[0]);
    free(after[1]);
}
