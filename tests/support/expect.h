/* expect: assertions shared by the API tests. */
#ifndef TEST_EXPECT_H
#define TEST_EXPECT_H

#include "support/client.h"

/* A problem+json answer with this status: type (when not NULL), title,
 * status, detail and a request_id equal to the X-Request-Id header. */
void expect_problem(const http_response *r, long status, const char *type);

/* db_fingerprint(agency) is what it was before: the request changed nothing. */
void expect_unchanged(const char *agency, const char *before);

#endif
