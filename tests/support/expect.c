#include "support/expect.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "support/fixtures.h"

void expect_problem(const http_response *r, long status, const char *type)
{
    cr_assert_eq(r->status, status, "expected %ld, got %ld: %s", status, r->status, r->body);
    char *ct = http_header(r, "Content-Type");
    cr_assert(ct && strcmp(ct, "application/problem+json") == 0, "Content-Type %s",
              ct ? ct : "(none)");
    free(ct);
    cr_assert(json_is_object(r->json), "the problem is JSON: %s", r->body);
    const char *t = json_str(r->json, "type");
    cr_assert(t && strncmp(t, "/problems/", 10) == 0, "problem type: %s", r->body);
    if (type)
        cr_assert_str_eq(t, type);
    const char *title = json_str(r->json, "title");
    cr_assert(title && *title, "problem title: %s", r->body);
    cr_assert_eq(json_int(r->json, "status"), status, "problem status: %s", r->body);
    const char *detail = json_str(r->json, "detail");
    cr_assert(detail && *detail, "problem detail: %s", r->body);
    const char *rid = json_str(r->json, "request_id");
    char *header = http_header(r, "X-Request-Id");
    cr_assert(rid && header && strcmp(rid, header) == 0, "request_id %s vs X-Request-Id %s",
              rid ? rid : "(none)", header ? header : "(none)");
    free(header);
}

void expect_unchanged(const char *agency, const char *before)
{
    char *after = db_fingerprint(agency);
    cr_assert_str_eq(after, before, "the database changed for %s: %s -> %s", agency, before,
                     after);
    free(after);
}
