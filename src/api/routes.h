/* routes: the service's route table (routes.c), every route it answers in
 * one place. serve.c hands it to the server; `mam routes` prints it, and
 * tests/contract checks that it and openapi.yaml list the same routes. */
#ifndef MAM_ROUTES_H
#define MAM_ROUTES_H

#include "http/route.h"

/* Ends with an entry whose method is NULL. */
extern const route api_routes[];

#endif
