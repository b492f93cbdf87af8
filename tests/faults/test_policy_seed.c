/* OBL-1: the clocks the deployment ran with before become the first policy
 * version. `mam migrate` on a new database, with the environment's
 * working-day variables set, carries their values (the defaults where one
 * is not set) into policy_versions version 1 (sql/030_policy_and_reminders.sql),
 * effective from the start; the service then reads them from there. */
#include <criterion/criterion.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Runs a command, returning its first line of output (a new string, "" when
 * none); fails the test when it fails. */
static char *run(const char *cmd)
{
    FILE *p = popen(cmd, "r");
    cr_assert(p, "%s", cmd);
    char line[2048] = "";
    if (!fgets(line, sizeof line, p))
        line[0] = '\0';
    int status = pclose(p);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s failed", cmd);
    line[strcspn(line, "\n")] = '\0';
    return strdup(line);
}

static char *value(const char *url, const char *sql)
{
    PGconn *pg = PQconnectdb(url);
    cr_assert_eq(PQstatus(pg), CONNECTION_OK, "%s", PQerrorMessage(pg));
    PGresult *r = PQexec(pg, sql);
    cr_assert_eq(PQresultStatus(r), PGRES_TUPLES_OK, "%s: %s", sql, PQerrorMessage(pg));
    char *out = strdup(PQntuples(r) ? PQgetvalue(r, 0, 0) : "");
    PQclear(r);
    PQfinish(pg);
    return out;
}

Test(policy_seed, OBL_1_migration_carries_the_environment_into_the_first_version)
{
    const char *cluster = getenv("MAM_TEST_CLUSTER");
    const char *binary = getenv("MAM_SERVER_BINARY");
    cr_assert(cluster && binary, "MAM_TEST_CLUSTER and MAM_SERVER_BINARY are set by tests/run.sh");
    char db[64], cmd[2048];
    snprintf(db, sizeof db, "mam_seed_%d", (int)getpid());
    snprintf(cmd, sizeof cmd, "deploy/local-db.sh ensure-db '%s' '%s' >/dev/null && echo ok",
             cluster, db);
    free(run(cmd));
    snprintf(cmd, sizeof cmd, "deploy/local-db.sh url '%s' '%s'", cluster, db);
    char *url = run(cmd);
    snprintf(cmd, sizeof cmd, "deploy/local-db.sh owner-url '%s' '%s'", cluster, db);
    char *owner = run(cmd);

    /* drift and the stages set; the others left to their defaults */
    snprintf(cmd, sizeof cmd,
             "env -u NOTICE_WORKING_DAYS -u RESPONSE_WORKING_DAYS -u FEEDBACK_WORKING_DAYS"
             " -u SAFEGUARDING_REFERRAL_WORKING_DAYS -u MINUTES_DUE_WORKING_DAYS"
             " DATABASE_URL='%s' MIGRATION_DATABASE_URL='%s' DRIFT_WORKING_DAYS=23"
             " ESCALATION_STAGE_WORKING_DAYS=4,6,8,12 '%s' migrate >/dev/null 2>&1 && echo ok",
             url, owner, binary);
    free(run(cmd));
    char *seeded = value(url, "SELECT version || ' ' || drift_working_days || ' ' ||"
                              " array_to_string(escalation_stage_working_days, ',') || ' ' ||"
                              " notice_working_days || ' ' || minutes_due_working_days || ' ' ||"
                              " (effective_from = '-infinity') FROM policy_versions");
    cr_assert_str_eq(seeded, "1 23 4,6,8,12 5 15 true");
    free(seeded);

    /* the variables only seed: a second migrate with others changes nothing */
    snprintf(cmd, sizeof cmd,
             "env DATABASE_URL='%s' MIGRATION_DATABASE_URL='%s' DRIFT_WORKING_DAYS=30 '%s'"
             " migrate >/dev/null 2>&1 && echo ok",
             url, owner, binary);
    free(run(cmd));
    char *still = value(url, "SELECT count(*) || ' ' || max(drift_working_days) FROM policy_versions");
    cr_assert_str_eq(still, "1 23");
    free(still);

    snprintf(cmd, sizeof cmd, "deploy/local-db.sh drop-db '%s' '%s' >/dev/null && echo ok",
             cluster, db);
    free(run(cmd));
    free(owner);
    free(url);
}
