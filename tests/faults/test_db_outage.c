/* The database goes away under the service and comes back: requests get a
 * 503 problem (never a crash or a hang) and service resumes within seconds. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "support/client.h"
#include "support/fixtures.h"
#include "support/people.h"

static void cluster(const char *action)
{
    char cmd[256];
    const char *name = getenv("MAM_TEST_CLUSTER");
    const char *port = getenv("MAM_TEST_PG_PORT");
    cr_assert(name && port, "MAM_TEST_CLUSTER and MAM_TEST_PG_PORT must be set");
    snprintf(cmd, sizeof cmd, "deploy/local-db.sh %s %s %s >/dev/null", action, name,
             strcmp(action, "start") == 0 ? port : "");
    cr_assert_eq(system(cmd), 0, "%s", cmd);
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

Test(faults, database_stopped_gives_503_and_service_recovers, .timeout = 180)
{
    char *agency = agency_new("health");
    person p = person_new(agency, "practitioner");
    http_response *r = api_get("/v1/meetings", p.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);

    cluster("stop");
    for (int i = 0; i < 20; i++) {
        double t0 = now_s();
        r = api_get("/v1/meetings", p.token);
        double took = now_s() - t0;
        cr_assert_eq(r->status, 503, "while the database is down: %ld %s", r->status, r->body);
        char *ct = http_header(r, "Content-Type");
        cr_assert_str_eq(ct, "application/problem+json");
        char *retry = http_header(r, "Retry-After");
        cr_assert(retry != NULL, "503 carries Retry-After");
        cr_assert_lt(took, 5.0, "a 503 must come quickly, took %.2fs", took);
        free(ct);
        free(retry);
        http_free(r);
    }
    r = api_get("/readyz", NULL);
    cr_assert_eq(r->status, 503, "readyz while down: %ld", r->status);
    http_free(r);
    r = api_get("/livez", NULL);
    cr_assert_eq(r->status, 200, "the process itself stays alive");
    http_free(r);

    cluster("start");
    double back = now_s();
    long status = 0;
    while (now_s() - back < 5.0) {
        r = api_get("/v1/meetings", p.token);
        status = r->status;
        http_free(r);
        if (status == 200)
            break;
    }
    cr_assert_eq(status, 200, "service did not recover within 5 s of the database returning");
    /* every pooled connection was replaced, not only the first */
    for (int i = 0; i < 20; i++) {
        r = api_get("/v1/meetings", p.token);
        cr_assert_eq(r->status, 200, "after recovery: %ld %s", r->status, r->body);
        http_free(r);
    }
    person_free(&p);
    free(agency);
}
