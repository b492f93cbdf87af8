/* instance: extra service processes for the fault tests — started from
 * the binary tests/run.sh names (MAM_SERVER_BINARY), on a free port of
 * their own, with the same database and token settings as the main one. */
#ifndef TEST_INSTANCE_H
#define TEST_INSTANCE_H

#include <sys/types.h>

typedef struct instance {
    pid_t pid;
    int port;
    char url[64];
    char log[256];
} instance;

/* Starts one and waits until /readyz answers; fails the test otherwise. */
void instance_start(instance *in);
/* The same with changes to the child's environment: "NAME=value" sets a
 * variable, a bare "NAME" removes it; env is NULL-terminated (or NULL). */
void instance_start_env(instance *in, const char *const *env);
/* Starts one without waiting for it to be ready (for start-ups expected to
 * fail). */
void instance_spawn(instance *in, const char *const *env);
/* Waits up to timeout_ms for it to exit on its own: its exit status (or 128
 * + the signal that ended it), or -1 when it is still running. */
int instance_wait_exit(instance *in, int timeout_ms);
/* Its log so far (stdout and stderr), a new string. */
char *instance_log(const instance *in);
/* Sends a signal and waits for the exit; returns the exit status (or 128 +
 * the signal that ended it). */
int instance_stop(instance *in, int sig);

#endif
