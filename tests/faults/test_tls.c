/* TLS to PostgreSQL is honoured when DATABASE_URL asks for it. The test
 * cluster accepts TLS with a self-signed certificate (deploy/local-db.sh);
 * an instance started with sslmode=require or verify-full must hold only
 * encrypted connections (as pg_stat_ssl sees them), and one that cannot
 * verify the server must refuse to start, saying why. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support/client.h"
#include "support/fixtures.h"
#include "support/instance.h"
#include "support/people.h"

/* The output of a shell command, first line, trimmed (a new string). */
static char *command_line(const char *cmd)
{
    FILE *p = popen(cmd, "r");
    cr_assert(p, "%s", cmd);
    char line[1024] = "";
    char *got = fgets(line, sizeof line, p);
    int rc = pclose(p);
    cr_assert(got && rc == 0, "%s failed (%d)", cmd, rc);
    line[strcspn(line, "\r\n")] = '\0';
    return strdup(line);
}

static char *cluster_cert(void)
{
    const char *name = getenv("MAM_TEST_CLUSTER");
    cr_assert(name, "MAM_TEST_CLUSTER is set by tests/run.sh");
    char cmd[256];
    snprintf(cmd, sizeof cmd, "deploy/local-db.sh ssl-cert %s", name);
    return command_line(cmd);
}

/* "DATABASE_URL=<the service's URL><sep>extra" */
static char *database_url_with(const char *extra)
{
    const char *url = getenv("DATABASE_URL");
    cr_assert(url, "DATABASE_URL is set by tests/run.sh");
    char *out = NULL;
    cr_assert(asprintf(&out, "DATABASE_URL=%s%s%s", url, strchr(url, '?') ? "&" : "?", extra) > 0);
    return out;
}

/* The local TCP ports of the process's connections to PostgreSQL, as a
 * PostgreSQL array literal ("{51234,51236}"), so that pg_stat_activity's
 * client_port picks out exactly this instance's sessions. */
static char *pg_client_ports(pid_t pid, int *count)
{
    const char *pg_port = getenv("MAM_TEST_PG_PORT");
    cr_assert(pg_port);
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/fd", (int)pid);
    DIR *d = opendir(path);
    cr_assert(d, "cannot list %s", path);
    unsigned long inodes[512];
    int n_inodes = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n_inodes < 512) {
        char link[PATH_MAX], target[128];
        snprintf(link, sizeof link, "%s/%s", path, e->d_name);
        ssize_t len = readlink(link, target, sizeof target - 1);
        if (len <= 0)
            continue;
        target[len] = '\0';
        unsigned long inode;
        if (sscanf(target, "socket:[%lu]", &inode) == 1)
            inodes[n_inodes++] = inode;
    }
    closedir(d);

    FILE *f = fopen("/proc/net/tcp", "r");
    cr_assert(f);
    char line[512];
    char *list = strdup("{");
    *count = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned local_port, remote_port;
        unsigned long inode;
        if (sscanf(line, " %*d: %*x:%x %*x:%x %*x %*x:%*x %*x:%*x %*x %*u %*d %lu", &local_port,
                   &remote_port, &inode) != 3 ||
            (int)remote_port != atoi(pg_port))
            continue;
        for (int i = 0; i < n_inodes; i++)
            if (inodes[i] == inode) {
                char *grown = NULL;
                cr_assert(asprintf(&grown, "%s%s%u", list, *count ? "," : "", local_port) > 0);
                free(list);
                list = grown;
                (*count)++;
            }
    }
    fclose(f);
    char *done = NULL;
    cr_assert(asprintf(&done, "%s}", list) > 0);
    free(list);
    return done;
}

/* How many of the instance's sessions are encrypted, out of *total; the
 * TLS version of one of them in version. */
static long encrypted_sessions(const instance *in, long *total, char **version)
{
    int ports = 0;
    char *list = pg_client_ports(in->pid, &ports);
    cr_assert_gt(ports, 0, "the instance holds no connection to PostgreSQL");
    const char *params[] = {list};
    *total = db_long("SELECT count(*) FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid)"
                     " WHERE a.client_port = ANY($1::int[])", 1, params);
    long ssl = db_long("SELECT count(*) FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid)"
                       " WHERE a.client_port = ANY($1::int[]) AND s.ssl", 1, params);
    *version = db_value("SELECT coalesce(max(s.version), 'none') FROM pg_stat_activity a"
                        " JOIN pg_stat_ssl s USING (pid) WHERE a.client_port = ANY($1::int[])",
                        1, params);
    cr_assert_eq(*total, ports, "pg_stat_activity shows %ld of the %d connections", *total, ports);
    free(list);
    return ssl;
}

static void serves(const instance *in)
{
    char *agency = agency_new("health");
    person p = person_new(agency, "practitioner");
    for (int i = 0; i < 20; i++) {
        http_response *r = http_call_to(in->url, "GET", "/v1/meetings", p.token, NULL, NULL, 0);
        cr_assert_eq(r->status, 200, "%ld %s", r->status, r->body);
        http_free(r);
    }
    person_free(&p);
    free(agency);
}

Test(tls, sslmode_require_gives_encrypted_connections_only, .timeout = 60)
{
    char *url = database_url_with("sslmode=require");
    const char *env[] = {url, NULL};
    instance in;
    instance_start_env(&in, env);
    serves(&in);
    long total = 0;
    char *version = NULL;
    long ssl = encrypted_sessions(&in, &total, &version);
    cr_assert_eq(ssl, total, "sslmode=require: %ld of %ld connections encrypted", ssl, total);
    cr_log_info("sslmode=require: %ld of %ld pool connections encrypted (%s)", ssl, total, version);
    cr_assert_eq(instance_stop(&in, SIGTERM), 0, "log %s", in.log);
    free(version);
    free(url);
}

Test(tls, sslmode_disable_is_seen_unencrypted, .timeout = 60)
{
    /* the control: the check above does tell the two apart */
    char *url = database_url_with("sslmode=disable");
    const char *env[] = {url, NULL};
    instance in;
    instance_start_env(&in, env);
    serves(&in);
    long total = 0;
    char *version = NULL;
    long ssl = encrypted_sessions(&in, &total, &version);
    cr_assert_eq(ssl, 0, "sslmode=disable: %ld of %ld connections encrypted", ssl, total);
    cr_assert_eq(instance_stop(&in, SIGTERM), 0, "log %s", in.log);
    free(version);
    free(url);
}

Test(tls, verify_full_with_the_right_root_certificate_serves, .timeout = 60)
{
    char *cert = cluster_cert();
    char extra[1200];
    snprintf(extra, sizeof extra, "sslmode=verify-full&sslrootcert=%s", cert);
    char *url = database_url_with(extra);
    const char *env[] = {url, NULL};
    instance in;
    instance_start_env(&in, env);
    serves(&in);
    long total = 0;
    char *version = NULL;
    long ssl = encrypted_sessions(&in, &total, &version);
    cr_assert_eq(ssl, total, "verify-full: %ld of %ld connections encrypted", ssl, total);
    cr_assert_eq(instance_stop(&in, SIGTERM), 0, "log %s", in.log);
    free(version);
    free(url);
    free(cert);
}

Test(tls, verify_full_with_a_wrong_root_certificate_refuses_to_start, .timeout = 60)
{
    /* a root the server's certificate was not signed by, readable by the
     * service's user */
    char dir[] = "/tmp/mam-wrong-root-XXXXXX";
    cr_assert(mkdtemp(dir));
    chmod(dir, 0755);
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=not-the-server"
             " -keyout %s/root.key -out %s/root.crt >/dev/null 2>&1 && chmod 644 %s/root.crt",
             dir, dir, dir);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
    char extra[600];
    snprintf(extra, sizeof extra, "sslmode=verify-full&sslrootcert=%s/root.crt", dir);
    char *url = database_url_with(extra);
    const char *env[] = {url, NULL};
    instance in;
    instance_spawn(&in, env);
    int status = instance_wait_exit(&in, 15000);
    if (status < 0)
        instance_stop(&in, SIGKILL);
    char *log = instance_log(&in);
    cr_assert_gt(status, 0, "a service that cannot verify the database must not start "
                            "(status %d): %s", status, log);
    cr_assert(strstr(log, "TLS refused") && strstr(log, "certificate verify failed"),
              "the refusal says why: %s", log);
    cr_log_info("verify-full with a wrong root: exit status %d, \"%.*s\"", status,
                (int)strcspn(strstr(log, "database: TLS"), "\n"), strstr(log, "database: TLS"));
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
    free(log);
    free(url);
}
