/* violations: what is wrong with a request, collected in full before the
 * service answers, so that a client learns every problem at once.
 *
 * A violation either breaks the documented shape of the request (schema:
 * wrong type, unknown or read-only field, too long) and makes the answer
 * 400, or breaks a domain rule (rule ID from DOMAIN.md) and makes it 422. */
#ifndef MAM_VIOLATIONS_H
#define MAM_VIOLATIONS_H

#include <stdbool.h>

/* Enough for every part of an empty strategy discussion's minutes with
 * many invitations and children; beyond it, further violations are dropped. */
#define VIOLATIONS_MAX 256

typedef struct violation {
    char field[128];   /* JSON path, e.g. children[1].date_of_birth */
    const char *rule;  /* static rule ID, or NULL for schema violations */
    char message[192];
} violation;

typedef struct violations {
    violation items[VIOLATIONS_MAX];
    int n;
    bool schema; /* at least one schema violation */
} violations;

void violations_init(violations *v);
void violation_rule(violations *v, const char *field, const char *rule, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void violation_schema(violations *v, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Copies only the schema violations of `in` into `out`. */
void violations_schema_only(const violations *in, violations *out);

/* True when a violation names this rule (and, if field is not NULL, field). */
bool violations_has(const violations *v, const char *rule, const char *field);

#endif
