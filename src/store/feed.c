#include "store/feed.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/cursor.h"
#include "store/sql.h"

/* Only events whose transaction is older than every one still running are
 * served, so a follower that resumes from next_cursor never skips one. */
static const db_stmt page_stmt = {
    "events_feed",
    "SELECT event_json(e), e.tx::text, e.position FROM events e"
    " WHERE e.agency = $1 AND (e.tx, e.position) > ($2::xid8, $3::bigint)"
    "   AND e.tx < pg_snapshot_xmin(pg_current_snapshot())"
    " ORDER BY e.tx, e.position LIMIT $4",
    4};

static const db_stmt meeting_part_stmt = {
    "feed_meeting_part",
    "INSERT INTO events (event_id, agency, type, resource_type, resource_id, resource_version)"
    " SELECT e.id, a.code, $2, $3, $4, $5::integer"
    "   FROM meetings m, (SELECT gen_random_uuid() AS id) e,"
    "        LATERAL (SELECT DISTINCT unnest(meeting_agencies(m.id)) AS code) a"
    "  WHERE m.id = $1",
    5};

int feed_meeting_part(store *s, const char *meeting_id, const char *type, const char *resource_type,
                      const char *resource_id, long resource_version)
{
    sql_int version_text;
    const char *version = sql_int_of(&version_text, resource_version);
    const char *params[] = {meeting_id, type, resource_type, resource_id, version};
    return sql_run(s, &meeting_part_stmt, params);
}

int feed_page(store *s, const char *agency, const char *after_tx, const char *after_position,
              int limit, const char *resume, store_page *out)
{
    sql_int lim;
    const char *params[] = {agency, after_tx ? after_tx : "0", after_position ? after_position : "0",
                            sql_int_of(&lim, limit)};
    PGresult *res = sql_query(s, &page_stmt, params);
    if (!res)
        return -1;
    buf json;
    buf_init(&json);
    buf_puts(&json, "{\"items\":[");
    int rows = PQntuples(res);
    for (int i = 0; i < rows; i++) {
        if (i)
            buf_putc(&json, ',');
        buf_puts(&json, PQgetvalue(res, i, 0));
    }
    buf_puts(&json, "],\"next_cursor\":");
    char *next = NULL;
    if (rows > 0) {
        const char *parts[] = {PQgetvalue(res, rows - 1, 1), PQgetvalue(res, rows - 1, 2)};
        next = cursor_encode(parts, 2);
    } else if (resume) {
        next = strdup(resume);
    }
    if (next)
        buf_json_string(&json, next);
    else
        buf_puts(&json, "null");
    buf_putc(&json, '}');
    free(next);
    PQclear(res);
    out->json = buf_steal(&json);
    out->ids = strdup("{}");
    return 0;
}
