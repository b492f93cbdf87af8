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
/* Sends a signal and waits for the exit; returns the exit status (or 128 +
 * the signal that ended it). */
int instance_stop(instance *in, int sig);

#endif
