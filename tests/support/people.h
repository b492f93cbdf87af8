/* people: fictional callers for the tests, each with a unique subject id so
 * that tests running in parallel never see each other's data. */
#ifndef TEST_PEOPLE_H
#define TEST_PEOPLE_H

#include <jansson.h>

#include "auth/caller.h"

typedef struct person {
    caller who;
    char *token;
} person;

/* A new person of the agency with the roles (comma-separated names). */
person person_new(const char *agency, const char *roles);
void person_free(person *p);

/* A unique token-safe suffix, e.g. for agency codes and ids. */
void unique_suffix(char *out, size_t size);

/* Signs arbitrary claims with the service's development secret. */
char *token_with_claims(json_t *claims);
/* A token whose header and payload are the exact JSON texts given (so that
 * they may hold what a JSON library would not write, such as a member
 * twice), HS256-signed with the development secret; free() it. */
char *token_signed_raw(const char *header_json, const char *payload_json);
/* The standard claims for p, valid from now for ttl seconds. */
json_t *claims_for(const person *p, long ttl);

const char *test_issuer(void);
const char *test_audience(void);
const char *test_secret(void);

#endif
