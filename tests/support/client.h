/* client: HTTP calls to the service under test, for the API tests.
 *
 * The service's address comes from MAM_URL. Every response is parsed (as
 * JSON when it says so) and appended to the file named by MAM_RESPONSES_LOG,
 * which tests/contract/validate-responses.mjs checks against openapi.yaml
 * after the run. */
#ifndef TEST_CLIENT_H
#define TEST_CLIENT_H

#include <jansson.h>
#include <stddef.h>
#include <time.h>

typedef struct http_response {
    long status;
    char *body;
    size_t body_len;
    json_t *json; /* parsed body when it is JSON, else NULL */
    char *headers; /* raw header block */
    double seconds; /* from the start of the call to the end of the answer */
} http_response;

/* headers: NULL-terminated list of "Name: value" strings, may be NULL.
 * token: bearer token or NULL. body: raw bytes or NULL. */
http_response *http_call(const char *method, const char *path, const char *token,
                         const char *const *headers, const char *body, size_t body_len);

/* The same, against another instance of the service (base URL). */
http_response *http_call_to(const char *base, const char *method, const char *path,
                            const char *token, const char *const *headers, const char *body,
                            size_t body_len);

/* A JSON request (Content-Type: application/json); body may be NULL. */
http_response *api_call(const char *method, const char *path, const char *token, json_t *body,
                        const char *if_match);
http_response *api_get(const char *path, const char *token);

/* The first value of a response header (case-insensitive name), a new string. */
char *http_header(const http_response *r, const char *name);

void http_free(http_response *r);

/* The test clock. Once set, every call this test process makes names that
 * moment in X-Test-Now, and the service (a test build: src/core/clock.h)
 * judges "now", "today" and every deadline by it, so a test moves time
 * rather than waiting for it. Each test runs in its own process, so the
 * setting is the test's own. Record timestamps (created_at, held_at, audit
 * events) still come from the database's clock. */
void test_clock_set(time_t now);
void test_clock_advance(long seconds);
/* The moment the test runs at: the one set, else the wall clock. */
time_t test_now(void);
/* Pins the test clock, for a test that compares the service's "today"
 * with its own, at the first UTC noon at least an hour after the wall
 * clock. The day cannot turn during the test, a start some hours ahead
 * still falls on it, and every record the database stamps meanwhile with
 * its own clock (created_at, held_at, invited_at) lies before that moment,
 * on its day or the day before: never in the service's future. */
void test_clock_pin_noon(void);
/* The moment set, or 0 while the test follows the wall clock (to restore a
 * setting with test_clock_set after moving the clock for one call). */
time_t test_clock_setting(void);

/* Convenience readers of r->json: NULL / -1 when absent. */
const char *json_str(const json_t *j, const char *key);
long json_int(const json_t *j, const char *key);
/* True when the problem's errors[] holds an entry with this rule (and field,
 * when field is not NULL). */
int problem_has_rule(const http_response *r, const char *rule, const char *field);
/* True when the problem's errors[] holds an entry for this field. */
int problem_has_field(const http_response *r, const char *field);

#endif
