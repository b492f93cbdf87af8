#include "store/feed.h"

#include <libpq-fe.h>
#include <stdio.h>

static const db_stmt append = {
    "feed_append",
    "INSERT INTO events (event_id, agency, type, resource_type, resource_id, resource_version)"
    " SELECT e.id, a.code, $1, $2, $3, $4::integer"
    "   FROM (SELECT gen_random_uuid() AS id) e,"
    "        (SELECT DISTINCT unnest($5::text[]) AS code) a",
    5};

int feed_append(req *r, const char *type, const char *resource_type, const char *resource_id,
                long resource_version, const char *agencies)
{
    char version[24];
    snprintf(version, sizeof version, "%ld", resource_version);
    const char *params[] = {type, resource_type, resource_id, version, agencies};
    PGresult *res = db_exec(r->db, &append, params);
    if (!res)
        return -1;
    PQclear(res);
    return 0;
}
