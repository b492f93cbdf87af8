/* app: what every part of the running service shares, built once at start-up
 * by main() and read-only afterwards (except the atomics). */
#ifndef MAM_APP_H
#define MAM_APP_H

#include <stdbool.h>
#include <stddef.h>

#include "auth/jwt.h"
#include "core/config.h"

struct app {
    config cfg;
    jwt_verifier *verifier;
    char *openapi;       /* the contract served at /openapi.yaml */
    size_t openapi_len;
    int in_flight;       /* requests inside the pipeline (atomic) */
    bool draining;       /* shutting down: answer with Connection: close (atomic) */
};

extern struct app app;

#endif
