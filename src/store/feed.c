#include "store/feed.h"

#include <libpq-fe.h>
#include <stdio.h>

static const db_stmt meeting_stmt = {
    "feed_meeting",
    "INSERT INTO events (event_id, agency, type, resource_type, resource_id, resource_version)"
    " SELECT e.id, a.code, $2, 'meeting', m.id::text, m.version"
    "   FROM meetings m, (SELECT gen_random_uuid() AS id) e,"
    "        LATERAL (SELECT DISTINCT unnest(meeting_agencies(m)) AS code) a"
    "  WHERE m.id = $1",
    2};

static const db_stmt meeting_part_stmt = {
    "feed_meeting_part",
    "INSERT INTO events (event_id, agency, type, resource_type, resource_id, resource_version)"
    " SELECT e.id, a.code, $2, $3, $4, $5::integer"
    "   FROM meetings m, (SELECT gen_random_uuid() AS id) e,"
    "        LATERAL (SELECT DISTINCT unnest(meeting_agencies(m)) AS code) a"
    "  WHERE m.id = $1",
    5};

static const db_stmt to_stmt = {
    "feed_to",
    "INSERT INTO events (event_id, agency, type, resource_type, resource_id, resource_version)"
    " SELECT e.id, a.code, $1, $2, $3, $4::integer"
    "   FROM (SELECT gen_random_uuid() AS id) e,"
    "        (SELECT DISTINCT unnest($5::text[]) AS code) a",
    5};

static const db_stmt everyone_stmt = {
    "feed_everyone",
    "INSERT INTO events (event_id, agency, type, resource_type, resource_id, resource_version)"
    " SELECT e.id, a.code, $1, $2, $3, $4::integer"
    "   FROM (SELECT gen_random_uuid() AS id) e, agencies a",
    4};

static int run(req *r, const db_stmt *s, const char *const *params)
{
    PGresult *res = db_exec(r->db, s, params);
    if (!res)
        return -1;
    PQclear(res);
    return 0;
}

int feed_meeting(req *r, const char *meeting_id, const char *type)
{
    const char *params[] = {meeting_id, type};
    return run(r, &meeting_stmt, params);
}

int feed_meeting_part(req *r, const char *meeting_id, const char *type, const char *resource_type,
                      const char *resource_id, long resource_version)
{
    char version[24];
    snprintf(version, sizeof version, "%ld", resource_version);
    const char *params[] = {meeting_id, type, resource_type, resource_id, version};
    return run(r, &meeting_part_stmt, params);
}

int feed_to(req *r, const char *type, const char *resource_type, const char *resource_id,
            long resource_version, const char *agencies)
{
    char version[24];
    snprintf(version, sizeof version, "%ld", resource_version);
    const char *params[] = {type, resource_type, resource_id, version, agencies};
    return run(r, &to_stmt, params);
}

int feed_everyone(req *r, const char *type, const char *resource_type, const char *resource_id,
                  long resource_version)
{
    char version[24];
    snprintf(version, sizeof version, "%ld", resource_version);
    const char *params[] = {type, resource_type, resource_id, version};
    return run(r, &everyone_stmt, params);
}
