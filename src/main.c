/* mam: the multi-agency meetings service.
 *
 *   mam [serve]      run the HTTP service (the default)
 *   mam serve --migrate  apply migrations first (containers, systemd)
 *   mam migrate [--require-runtime-role]  apply database migrations, grant
 *                    the runtime role its privileges, and exit
 *   mam token ...    print a development token (needs JWT_HS256_SECRET)
 *   mam healthcheck  exit 0 when the local service answers /livez
 *   mam routes       print the route table
 *   mam renderings rebuild|check  render every meeting again (after a
 *                    release that changed a rendering); list stored
 *                    renderings that differ from a fresh one
 *   mam --version    print the version and commit
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "api/routes.h"
#include "auth/jwt.h"
#include "core/config.h"
#include "core/version.h"
#include "db/db.h"
#include "db/migrate.h"
#include "db/renderings.h"
#include "http/route.h"
#include "serve.h"

static int usage(FILE *out)
{
    fprintf(out,
            "usage: mam [serve [--migrate]]\n"
            "       mam migrate [--require-runtime-role]\n"
            "       mam token --sub ID --name NAME --agency CODE --roles ROLE[,ROLE...] [--ttl SECONDS]\n"
            "       mam healthcheck\n"
            "       mam routes\n"
            "       mam renderings rebuild|check\n"
            "       mam --version\n"
            "Configuration comes from the environment; see README.md.\n");
    return out == stdout ? 0 : 2;
}

/* require_runtime_role: fail when the mam_runtime role does not exist
 * yet, so that a Kubernetes Job retries until the operator has created it
 * (deploy/kubernetes/base/migrate-job.yaml). */
static int cmd_migrate(bool require_runtime_role)
{
    config cfg;
    if (config_load(&cfg, CONFIG_FOR_MIGRATE) != 0)
        return 2;
    char err[256];
    /* migrations run as the schema's owner when one is configured */
    const char *url = cfg.migration_database_url ? cfg.migration_database_url : cfg.database_url;
    PGconn *pg = db_connect_direct(url, err, sizeof err);
    if (!pg) {
        config_free(&cfg);
        fprintf(stderr, "migrate: cannot connect: %s", err);
        return 1;
    }
    /* The environment's clocks seed the first policy version of a new
     * database (sql/030_policy_and_reminders.sql); afterwards the policy
     * lives in the database and admins change it over the API (OBL-1). */
    char v[7][16], stages[64];
    const int days[] = {cfg.drift_working_days,       cfg.notice_working_days,
                        cfg.response_working_days,    cfg.minutes_due_working_days,
                        cfg.feedback_working_days,    cfg.safeguarding_referral_working_days};
    for (int i = 0; i < 6; i++)
        snprintf(v[i], sizeof v[i], "%d", days[i]);
    snprintf(stages, sizeof stages, "%d,%d,%d,%d", cfg.escalation_stage_days[0],
             cfg.escalation_stage_days[1], cfg.escalation_stage_days[2],
             cfg.escalation_stage_days[3]);
    const char *const names[] = {"mam.seed_drift_working_days",
                                 "mam.seed_notice_working_days",
                                 "mam.seed_response_working_days",
                                 "mam.seed_minutes_due_working_days",
                                 "mam.seed_feedback_working_days",
                                 "mam.seed_safeguarding_referral_working_days",
                                 "mam.seed_escalation_stage_working_days"};
    const char *const values[] = {v[0], v[1], v[2], v[3], v[4], v[5], stages};
    config_free(&cfg);
    int rc = migrate_set(pg, names, values, 7);
    if (rc == 0)
        rc = migrate_apply(pg);
    if (rc == 0) {
        int granted = migrate_grant_runtime(pg);
        if (granted == 1) {
            fprintf(stderr, "migrate: privileges of the runtime role mam_runtime granted\n");
        } else if (granted == 0 && require_runtime_role) {
            fprintf(stderr, "migrate: the role mam_runtime does not exist (yet); the service's "
                            "login role must be a member of it\n");
            rc = -1;
        } else if (granted == 0) {
            fprintf(stderr, "migrate: no mam_runtime role: nothing granted (the service connects "
                            "as the owner, without least privilege)\n");
        } else {
            rc = -1;
        }
    }
    /* The read model follows the functions just applied: when a release
     * changed how a meeting is rendered (or the database is new), every
     * meeting is rendered again, a batch per transaction, after the
     * functions' transaction, so that writers are never held behind it. */
    if (rc == 0) {
        char why[256];
        long n = renderings_rebuild_if_changed(pg, 1000, why, sizeof why);
        if (n < 0) {
            fprintf(stderr, "migrate: rendering the meetings again failed: %s", why);
            rc = -1;
        } else if (n > 0) {
            fprintf(stderr, "migrate: %ld meetings rendered again (their rendering changed)\n", n);
        }
    }
    PQfinish(pg);
    return rc == 0 ? 0 : 1;
}

static int cmd_token(int argc, char **argv)
{
    static const struct option options[] = {
        {"sub", required_argument, NULL, 's'},   {"name", required_argument, NULL, 'n'},
        {"agency", required_argument, NULL, 'a'}, {"roles", required_argument, NULL, 'r'},
        {"ttl", required_argument, NULL, 't'},   {NULL, 0, NULL, 0},
    };
    caller who;
    memset(&who, 0, sizeof who);
    const char *roles = NULL;
    long ttl = 3600;
    int opt;
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (opt) {
        case 's': snprintf(who.sub, sizeof who.sub, "%s", optarg); break;
        case 'n': snprintf(who.name, sizeof who.name, "%s", optarg); break;
        case 'a': snprintf(who.agency, sizeof who.agency, "%s", optarg); break;
        case 'r': roles = optarg; break;
        case 't':
            if (config_parse_int(optarg, 60, 7 * 86400, &ttl) != 0) {
                fprintf(stderr, "token: --ttl is 60 to 604800 seconds\n");
                return 2;
            }
            break;
        default: return usage(stderr);
        }
    }
    if (!who.sub[0] || !who.name[0] || !who.agency[0] || !roles) {
        fprintf(stderr, "token: --sub, --name, --agency and --roles are required\n");
        return usage(stderr);
    }
    char *list = strdup(roles), *save = NULL;
    for (char *role = strtok_r(list, ",", &save); role; role = strtok_r(NULL, ",", &save)) {
        unsigned bit = role_from_name(role);
        if (!bit) {
            fprintf(stderr, "token: unknown role '%s'\n", role);
            free(list);
            return 2;
        }
        who.roles |= bit;
    }
    free(list);
    config cfg;
    if (config_load(&cfg, CONFIG_FOR_TOKEN) != 0)
        return 2;
    json_t *claims = jwt_claims_for(&who, cfg.jwt_issuer, cfg.jwt_audience, time(NULL), ttl);
    char *token = jwt_sign_hs256(cfg.jwt_hs256_secret, claims);
    json_decref(claims);
    config_free(&cfg);
    if (!token) {
        fprintf(stderr, "token: signing failed\n");
        return 1;
    }
    printf("%s\n", token);
    free(token);
    return 0;
}

/* For container health checks, where there is no curl: GET /livez on the
 * local port and expect a 200. */
static int cmd_healthcheck(void)
{
    long port = 8080;
    const char *env = getenv("PORT");
    if (env && config_parse_int(env, 1, 65535, &port) != 0)
        return 1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return 1;
    struct timeval tv = {3, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    char response[64] = "";
    const char request[] = "GET /livez HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    int ok = connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0 &&
             write(fd, request, sizeof request - 1) == (ssize_t)(sizeof request - 1) &&
             read(fd, response, sizeof response - 1) > 12 &&
             strncmp(response + 9, "200", 3) == 0;
    close(fd);
    return ok ? 0 : 1;
}

/* The read model (sql/050_meeting_renderings.sql): `rebuild` renders every
 * meeting again, 1000 to a transaction, and records the definition;
 * `check` lists the stored renderings that differ from a fresh rendering
 * and fails when there is any. As the schema's owner when one is
 * configured: the runtime role may only read renderings. */
static int cmd_renderings(const char *what)
{
    bool rebuild = strcmp(what, "rebuild") == 0;
    if (!rebuild && strcmp(what, "check") != 0)
        return usage(stderr);
    config cfg;
    if (config_load(&cfg, CONFIG_FOR_MIGRATE) != 0)
        return 2;
    char err[256];
    const char *url = cfg.migration_database_url ? cfg.migration_database_url : cfg.database_url;
    PGconn *pg = db_connect_direct(url, err, sizeof err);
    config_free(&cfg);
    if (!pg) {
        fprintf(stderr, "renderings: cannot connect: %s", err);
        return 1;
    }
    long n = rebuild ? renderings_rebuild(pg, 1000, err, sizeof err)
                     : renderings_check(pg, stdout, err, sizeof err);
    PQfinish(pg);
    if (n < 0) {
        fprintf(stderr, "renderings: %s", err);
        return 1;
    }
    if (rebuild)
        printf("renderings: %ld meetings rendered\n", n);
    else
        printf("renderings: %ld stale\n", n);
    return rebuild || n == 0 ? 0 : 1;
}

static int cmd_routes(void)
{
    for (const route *rt = api_routes; rt->method; rt++)
        printf("%s %s\n", rt->method, rt->template);
    return 0;
}

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : "serve";
    if (strcmp(cmd, "serve") == 0) {
        if (argc > 2 && strcmp(argv[2], "--migrate") == 0) {
            int rc = cmd_migrate(false);
            if (rc != 0)
                return rc;
        } else if (argc > 2) {
            return usage(stderr);
        }
        return serve_main();
    }
    if (strcmp(cmd, "migrate") == 0) {
        if (argc > 2 && strcmp(argv[2], "--require-runtime-role") != 0)
            return usage(stderr);
        return cmd_migrate(argc > 2);
    }
    if (strcmp(cmd, "token") == 0)
        return cmd_token(argc - 1, argv + 1);
    if (strcmp(cmd, "healthcheck") == 0)
        return cmd_healthcheck();
    if (strcmp(cmd, "routes") == 0)
        return cmd_routes();
    if (strcmp(cmd, "renderings") == 0 && argc == 3)
        return cmd_renderings(argv[2]);
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("mam %s (commit %s)\n", mam_version, mam_commit);
        return 0;
    }
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0 || strcmp(cmd, "-h") == 0)
        return usage(stdout);
    fprintf(stderr, "mam: unknown command '%s'\n", cmd);
    return usage(stderr);
}
