/* Least privilege survives a missed grant: `mam migrate` grants the runtime
 * role (mam_runtime) its privileges on every run, not only in migration 002,
 * which granted nothing if the role did not exist yet (on CloudNativePG the
 * operator creates it while the migration Job may already be running). */
#include <criterion/criterion.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "support/fixtures.h"

static void as_owner(const char *sql)
{
    const char *url = getenv("MIGRATION_DATABASE_URL");
    cr_assert(url, "MIGRATION_DATABASE_URL is set by tests/run.sh");
    PGconn *pg = PQconnectdb(url);
    cr_assert_eq(PQstatus(pg), CONNECTION_OK, "%s", PQerrorMessage(pg));
    PGresult *r = PQexec(pg, sql);
    cr_assert_eq(PQresultStatus(r), PGRES_COMMAND_OK, "%s: %s", sql, PQerrorMessage(pg));
    PQclear(r);
    PQfinish(pg);
}

static int migrate(const char *args)
{
    const char *binary = getenv("MAM_SERVER_BINARY");
    cr_assert(binary, "MAM_SERVER_BINARY is set by tests/run.sh");
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "'%s' migrate %s >/dev/null 2>&1", binary, args);
    int status = system(cmd);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void expect_state(const char *sql, const char *want)
{
    char *state = db_try(sql);
    cr_assert_str_eq(state, want, "%s as the service's role: SQLSTATE '%s', expected '%s'", sql,
                     state, want);
    free(state);
}

Test(least_privilege, SEC_4_migrate_grants_the_runtime_role_again)
{
    const char *read = "SELECT count(*) FROM bank_holidays";
    expect_state(read, "");
    as_owner("REVOKE SELECT ON bank_holidays FROM mam_runtime");
    expect_state(read, "42501"); /* insufficient_privilege: the grant is missing */

    cr_assert_eq(migrate("--require-runtime-role"), 0, "mam migrate with the role present");
    expect_state(read, "");
    /* and still no more than that: the audit trail stays append-only */
    expect_state("UPDATE audit_events SET outcome = outcome WHERE false", "42501");
    expect_state("DELETE FROM schema_migrations WHERE false", "42501");
}

Test(least_privilege, migrate_refuses_unknown_arguments)
{
    cr_assert_eq(migrate("--require-runtime-rol"), 2);
}
