#include "db/migrate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/text.h"

/* Serialises concurrent migrators (two instances starting at once). */
#define MIGRATE_LOCK_KEY "4242001"

int migrate_latest_version(void)
{
    int latest = 0;
    for (int i = 0; i < mam_migration_count; i++)
        if (mam_migrations[i].version > latest)
            latest = mam_migrations[i].version;
    return latest;
}

static int run(PGconn *pg, const char *sql)
{
    PGresult *r = PQexec(pg, sql);
    ExecStatusType st = PQresultStatus(r);
    int ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (!ok)
        fprintf(stderr, "migrate: %s", PQerrorMessage(pg));
    PQclear(r);
    return ok ? 0 : -1;
}

int migrate_current_version(PGconn *pg)
{
    PGresult *r = PQexec(pg, "SELECT coalesce(max(version), 0) FROM schema_migrations");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        int undefined_table = state && strcmp(state, "42P01") == 0;
        PQclear(r);
        return undefined_table ? 0 : -1;
    }
    int v = atoi(PQgetvalue(r, 0, 0));
    PQclear(r);
    return v;
}

/* 1 if applied with the same checksum, 0 if not applied, -1 if it differs. */
static int applied_state(PGconn *pg, const migration *m, const char *checksum)
{
    char version[16];
    snprintf(version, sizeof version, "%d", m->version);
    const char *params[] = {version};
    PGresult *r = PQexecParams(pg, "SELECT checksum FROM schema_migrations WHERE version = $1",
                               1, NULL, params, NULL, NULL, 0);
    int state = 0;
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        fprintf(stderr, "migrate: %s", PQerrorMessage(pg));
        state = -2;
    } else if (PQntuples(r) == 1) {
        state = strcmp(PQgetvalue(r, 0, 0), checksum) == 0 ? 1 : -1;
    }
    PQclear(r);
    return state;
}

static int apply_one(PGconn *pg, const migration *m, const char *checksum)
{
    if (run(pg, "BEGIN") != 0)
        return -1;
    if (run(pg, m->sql) != 0) {
        fprintf(stderr, "migrate: %03d_%s failed; rolled back\n", m->version, m->name);
        run(pg, "ROLLBACK");
        return -1;
    }
    char version[16];
    snprintf(version, sizeof version, "%d", m->version);
    const char *params[] = {version, m->name, checksum};
    PGresult *r = PQexecParams(pg,
                               "INSERT INTO schema_migrations (version, name, checksum) "
                               "VALUES ($1, $2, $3)",
                               3, NULL, params, NULL, NULL, 0);
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok)
        fprintf(stderr, "migrate: %s", PQerrorMessage(pg));
    PQclear(r);
    if (!ok || run(pg, "COMMIT") != 0) {
        run(pg, "ROLLBACK");
        return -1;
    }
    fprintf(stderr, "migrate: applied %03d_%s\n", m->version, m->name);
    return 0;
}

/* Every function file, in one transaction, recorded with the checksum of
 * them all and the migration version they were applied at. */
static int apply_functions(PGconn *pg)
{
    if (run(pg, "BEGIN") != 0)
        return -1;
    buf all; /* the files' checksums, one after the other */
    buf_init(&all);
    for (int i = 0; i < mam_function_file_count; i++) {
        const function_file *f = &mam_function_files[i];
        if (run(pg, f->sql) != 0) {
            fprintf(stderr, "migrate: functions/%s failed; rolled back\n", f->name);
            run(pg, "ROLLBACK");
            buf_free(&all);
            return -1;
        }
        char one[65];
        text_sha256_hex(f->sql, strlen(f->sql), one);
        buf_puts(&all, one);
    }
    char checksum[65], version[16];
    text_sha256_hex(all.data, all.len, checksum);
    buf_free(&all);
    snprintf(version, sizeof version, "%d", migrate_latest_version());
    const char *params[] = {checksum, version};
    PGresult *r = PQexecParams(pg,
                               "INSERT INTO schema_functions (id, checksum, migration_version)"
                               " VALUES (1, $1, $2)"
                               " ON CONFLICT (id) DO UPDATE SET checksum = $1,"
                               "   migration_version = $2, applied_at = now()",
                               2, NULL, params, NULL, NULL, 0);
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok)
        fprintf(stderr, "migrate: %s", PQerrorMessage(pg));
    PQclear(r);
    if (!ok || run(pg, "COMMIT") != 0) {
        run(pg, "ROLLBACK");
        return -1;
    }
    fprintf(stderr, "migrate: %d function files applied\n", mam_function_file_count);
    return 0;
}

int migrate_set(PGconn *pg, const char *const *names, const char *const *values, int n)
{
    for (int i = 0; i < n; i++) {
        const char *params[] = {names[i], values[i]};
        PGresult *r = PQexecParams(pg, "SELECT set_config($1, $2, false)", 2, NULL, params, NULL,
                                   NULL, 0);
        int ok = PQresultStatus(r) == PGRES_TUPLES_OK;
        if (!ok)
            fprintf(stderr, "migrate: %s", PQerrorMessage(pg));
        PQclear(r);
        if (!ok)
            return -1;
    }
    return 0;
}

int migrate_apply(PGconn *pg)
{
    if (run(pg, "SET client_min_messages = warning") != 0 ||
        run(pg, "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")") != 0)
        return -1;
    int rc = run(pg, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                     " version integer PRIMARY KEY,"
                     " name text NOT NULL,"
                     " checksum text NOT NULL,"
                     " applied_at timestamptz NOT NULL DEFAULT now())");
    if (rc == 0)
        rc = run(pg, "CREATE TABLE IF NOT EXISTS schema_functions ("
                     " id integer PRIMARY KEY CHECK (id = 1),"
                     " checksum text NOT NULL,"
                     " migration_version integer NOT NULL,"
                     " applied_at timestamptz NOT NULL DEFAULT now())");
    int applied = 0;
    for (int i = 0; rc == 0 && i < mam_migration_count; i++) {
        const migration *m = &mam_migrations[i];
        char checksum[65];
        text_sha256_hex(m->sql, strlen(m->sql), checksum);
        int state = applied_state(pg, m, checksum);
        if (state == 1)
            continue;
        if (state == -1) {
            fprintf(stderr, "migrate: %03d_%s was changed after it was applied; "
                            "add a new migration instead\n", m->version, m->name);
            rc = -1;
        } else if (state < -1 || apply_one(pg, m, checksum) != 0) {
            rc = -1;
        } else {
            applied++;
        }
    }
    if (rc == 0)
        rc = apply_functions(pg);
    run(pg, "SELECT pg_advisory_unlock(" MIGRATE_LOCK_KEY ")");
    if (rc == 0)
        fprintf(stderr, "migrate: schema at version %d (%d applied now)\n",
                migrate_latest_version(), applied);
    return rc;
}

int migrate_grant_runtime(PGconn *pg)
{
    PGresult *r = PQexec(pg, "SELECT mam_grant_runtime()");
    int rc = -1;
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
        rc = strcmp(PQgetvalue(r, 0, 0), "t") == 0 ? 1 : 0;
    else
        fprintf(stderr, "migrate: granting the runtime role: %s", PQerrorMessage(pg));
    PQclear(r);
    return rc;
}
