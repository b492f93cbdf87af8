#include "support/instance.h"

#include <criterion/criterion.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <pwd.h>

#include "support/client.h"

static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    cr_assert(bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
              getsockname(fd, (struct sockaddr *)&a, &len) == 0);
    int port = ntohs(a.sin_port);
    close(fd);
    return port;
}

static void apply_env(const char *const *env)
{
    for (const char *const *e = env; e && *e; e++) {
        const char *eq = strchr(*e, '=');
        if (!eq) {
            unsetenv(*e);
            continue;
        }
        char name[128];
        snprintf(name, sizeof name, "%.*s", (int)(eq - *e), *e);
        setenv(name, eq + 1, 1);
    }
}

void instance_spawn(instance *in, const char *const *env)
{
    const char *binary = getenv("MAM_SERVER_BINARY");
    const char *logdir = getenv("MAM_FAULT_LOGS");
    cr_assert(binary && logdir, "MAM_SERVER_BINARY and MAM_FAULT_LOGS are set by tests/run.sh");
    memset(in, 0, sizeof *in);
    in->port = free_port();
    snprintf(in->url, sizeof in->url, "http://127.0.0.1:%d", in->port);
    snprintf(in->log, sizeof in->log, "%s/instance-%d.log", logdir, in->port);
    in->pid = fork();
    cr_assert(in->pid >= 0);
    if (in->pid == 0) {
        char port[16];
        snprintf(port, sizeof port, "%d", in->port);
        setenv("PORT", port, 1);
        int fd = open(in->log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        /* as root, the service runs as postgres, like the main one; with
         * postgres's home, where libpq looks for ~/.postgresql (root's is
         * closed to it, which fails every TLS connection) */
        if (geteuid() == 0) {
            struct passwd *pw = getpwnam("postgres");
            if (pw)
                setenv("HOME", pw->pw_dir, 1);
        }
        apply_env(env);
        if (geteuid() == 0)
            execlp("setpriv", "setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups",
                   "--", binary, (char *)NULL);
        else
            execl(binary, binary, (char *)NULL);
        _exit(127);
    }
}

void instance_start_env(instance *in, const char *const *env)
{
    instance_spawn(in, env);
    for (int i = 0; i < 200; i++) {
        http_response *r = http_call_to(in->url, "GET", "/readyz", NULL, NULL, NULL, 0);
        long status = r->status;
        http_free(r);
        if (status == 200)
            return;
        struct timespec pause = {0, 50 * 1000000L};
        nanosleep(&pause, NULL);
    }
    cr_assert_fail("instance on port %d did not become ready (log %s)", in->port, in->log);
}

void instance_start(instance *in)
{
    instance_start_env(in, NULL);
}

static int exit_code(int status)
{
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

int instance_wait_exit(instance *in, int timeout_ms)
{
    if (in->pid <= 0)
        return -1;
    for (int waited = 0;; waited += 20) {
        int status = 0;
        pid_t done = waitpid(in->pid, &status, WNOHANG);
        if (done == in->pid) {
            in->pid = 0;
            return exit_code(status);
        }
        if (waited >= timeout_ms)
            return -1;
        struct timespec pause = {0, 20 * 1000000L};
        nanosleep(&pause, NULL);
    }
}

char *instance_log(const instance *in)
{
    FILE *f = fopen(in->log, "rb");
    if (!f)
        return strdup("");
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        fwrite(chunk, 1, n, mem);
    fclose(f);
    fclose(mem);
    return text;
}

int instance_stop(instance *in, int sig)
{
    if (in->pid <= 0)
        return -1;
    kill(in->pid, sig);
    int status = 0;
    waitpid(in->pid, &status, 0);
    in->pid = 0;
    return exit_code(status);
}
