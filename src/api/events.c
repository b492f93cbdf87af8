/* GET /v1/events: the INT-2 feed of the caller's agency, in feed order.
 *
 * Order is (tx, position): an event is served only when every transaction
 * that might still commit an event before it has ended, so a follower that
 * resumes from next_cursor never skips one. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "api/handlers.h"
#include "core/buf.h"
#include "core/config.h"
#include "http/cursor.h"

static const db_stmt feed_stmt = {
    "events_feed",
    "SELECT event_json(e), e.tx::text, e.position FROM events e"
    " WHERE e.agency = $1 AND (e.tx, e.position) > ($2::xid8, $3::bigint)"
    "   AND e.tx < pg_snapshot_xmin(pg_current_snapshot())"
    " ORDER BY e.tx, e.position LIMIT $4",
    4};

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
        free_parts(after, 2);
        req_schema_error(r, "after", "after is not a cursor this service gave out");
        problem_invalid(r);
        return;
    }
    db_conn *c = req_db(r);
    PGresult *res = NULL;
    if (c) {
        char limit_text[16];
        snprintf(limit_text, sizeof limit_text, "%d", limit);
        const char *params[] = {r->who.agency, after[0] ? after[0] : "0", after[1] ? after[1] : "0",
                                limit_text};
        res = db_exec(c, &feed_stmt, params);
    }
    if (!c || !res) {
        if (c)
            req_db_failed(r);
        free_parts(after, 2);
        return;
    }
    buf out;
    buf_init(&out);
    buf_puts(&out, "{\"items\":[");
    int rows = PQntuples(res);
    for (int i = 0; i < rows; i++) {
        if (i)
            buf_putc(&out, ',');
        buf_puts(&out, PQgetvalue(res, i, 0));
    }
    buf_puts(&out, "],\"next_cursor\":");
    /* a feed always says where to resume, even from an empty page */
    char *next = NULL;
    if (rows > 0) {
        const char *parts[] = {PQgetvalue(res, rows - 1, 1), PQgetvalue(res, rows - 1, 2)};
        next = cursor_encode(parts, 2);
    } else if (cursor) {
        next = strdup(cursor);
    }
    if (next)
        buf_json_string(&out, next);
    else
        buf_puts(&out, "null");
    buf_putc(&out, '}');
    PQclear(res);
    free(next);
    free_parts(after, 2);
    reply_json_text(r, 200, out.data);
    buf_free(&out);
}
