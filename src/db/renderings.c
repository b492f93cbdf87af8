#include "db/renderings.h"

#include <stdbool.h>
#include <stdlib.h>

static long failed(PGresult *r, PGconn *pg, char *err, size_t err_size)
{
    snprintf(err, err_size, "%s", r ? PQresultErrorMessage(r) : PQerrorMessage(pg));
    if (r)
        PQclear(r);
    return -1;
}

long renderings_rebuild(PGconn *pg, int batch, char *err, size_t err_size)
{
    char size[16];
    snprintf(size, sizeof size, "%d", batch);
    char last[37] = "";
    long n = 0;
    for (;;) {
        const char *params[] = {last[0] ? last : NULL, size};
        /* one batch a transaction (autocommit): a large database is not
         * held in one transaction, and reads meanwhile see each meeting
         * either as it was stored or as rendered again */
        PGresult *r = PQexecParams(pg, "SELECT meeting_renderings_rebuild($1::uuid, $2::integer)",
                                   2, NULL, params, NULL, NULL, 0);
        if (PQresultStatus(r) != PGRES_TUPLES_OK)
            return failed(r, pg, err, err_size);
        bool done = PQgetisnull(r, 0, 0);
        if (!done)
            snprintf(last, sizeof last, "%s", PQgetvalue(r, 0, 0));
        PQclear(r);
        if (done)
            break;
    }
    PGresult *r = PQexec(pg, "SELECT meeting_renderings_mark_current(),"
                             " (SELECT count(*) FROM meeting_renderings)");
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        return failed(r, pg, err, err_size);
    n = atol(PQgetvalue(r, 0, 1));
    PQclear(r);
    return n;
}

long renderings_rebuild_if_changed(PGconn *pg, int batch, char *err, size_t err_size)
{
    PGresult *r = PQexec(pg, "SELECT meeting_renderings_current()");
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        return failed(r, pg, err, err_size);
    bool current = PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    return current ? 0 : renderings_rebuild(pg, batch, err, err_size);
}

long renderings_check(PGconn *pg, FILE *out, char *err, size_t err_size)
{
    PGresult *r = PQexec(pg, "SELECT s.meeting_id, coalesce(to_char(s.on_day, 'YYYY-MM-DD'),"
                             " 'none stored') FROM meeting_renderings_stale("
                             "(now() AT TIME ZONE 'UTC')::date) s ORDER BY 1, 2");
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        return failed(r, pg, err, err_size);
    long n = PQntuples(r);
    for (long i = 0; i < n; i++)
        fprintf(out, "stale: meeting %s on %s\n", PQgetvalue(r, (int)i, 0),
                PQgetvalue(r, (int)i, 1));
    PQclear(r);
    return n;
}
