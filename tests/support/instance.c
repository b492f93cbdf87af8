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

void instance_start(instance *in)
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
        /* as root, the service runs as postgres, like the main one */
        if (geteuid() == 0)
            execlp("setpriv", "setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups",
                   "--", binary, (char *)NULL);
        else
            execl(binary, binary, (char *)NULL);
        _exit(127);
    }
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

int instance_stop(instance *in, int sig)
{
    if (in->pid <= 0)
        return -1;
    kill(in->pid, sig);
    int status = 0;
    waitpid(in->pid, &status, 0);
    in->pid = 0;
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}
