/* caller: who is calling, as proven by their bearer token (SEC-1).
 *
 * A caller is a practitioner or a system: a stable subject id, a display
 * name, the code of the agency they act for and a set of roles. */
#ifndef MAM_CALLER_H
#define MAM_CALLER_H

#include <stdbool.h>
#include <stddef.h>

enum role {
    ROLE_PRACTITIONER        = 1u << 0,
    ROLE_SENIOR_PRACTITIONER = 1u << 1,
    ROLE_MANAGER             = 1u << 2,
    ROLE_SENIOR_MANAGER      = 1u << 3,
    ROLE_NAMED_DOCTOR        = 1u << 4,
    ROLE_PARTNERSHIP         = 1u << 5,
    ROLE_AUDITOR             = 1u << 6,
    ROLE_ADMIN               = 1u << 7,
    ROLE_INTEGRATION         = 1u << 8,
    ROLE_SAFEGUARDING_LEAD   = 1u << 9, /* a designated safeguarding lead (MTG-4) */
    ROLE_DPO                 = 1u << 10, /* the data protection officer (ISL-3) */
};

/* The highest role bit: every role is a bit from 1 up to it. */
#define ROLE_HIGHEST ROLE_DPO

/* "Managers" of an agency, as SEC-2 uses the word. */
#define ROLES_MANAGERS (ROLE_MANAGER | ROLE_SENIOR_MANAGER)

/* Roles held by people who work directly with children and families. */
#define ROLES_CASEWORK (ROLE_PRACTITIONER | ROLE_SENIOR_PRACTITIONER | ROLE_MANAGER | \
                        ROLE_SENIOR_MANAGER | ROLE_NAMED_DOCTOR | ROLE_SAFEGUARDING_LEAD)

#define CALLER_SUB_MAX 128
#define CALLER_NAME_MAX 200
#define CALLER_AGENCY_MAX 32

typedef struct caller {
    char sub[CALLER_SUB_MAX + 1];
    char name[CALLER_NAME_MAX * 4 + 1]; /* up to 200 code points of UTF-8 */
    char agency[CALLER_AGENCY_MAX + 1];
    unsigned roles;
    long long expires_at; /* the token's exp, seconds since the epoch */
} caller;

/* The role bit for a claim value, or 0 for a role this service ignores. */
unsigned role_from_name(const char *name);
const char *role_name(unsigned role);

static inline bool caller_has_any(const caller *c, unsigned roles)
{
    return (c->roles & roles) != 0;
}

/* "true" or "false": whether the caller is a manager (SEC-2), as a SQL
 * parameter. */
static inline const char *caller_manager_param(const caller *c)
{
    return caller_has_any(c, ROLES_MANAGERS) ? "true" : "false";
}

/* "true" or "false": whether the caller is a designated safeguarding lead,
 * who sees the stop-and-review requests of their agency that they may
 * decide (MTG-4), as a SQL parameter. */
static inline const char *caller_lead_param(const caller *c)
{
    return caller_has_any(c, ROLE_SAFEGUARDING_LEAD) ? "true" : "false";
}

/* "true" or "false": whether the caller is an integration, which acts as
 * its agency's integration principal (INT-4), as a SQL parameter. */
static inline const char *caller_integration_param(const caller *c)
{
    return caller_has_any(c, ROLE_INTEGRATION) ? "true" : "false";
}

/* The caller's roles as a PostgreSQL array literal, e.g. {manager,admin}. */
void caller_roles_literal(const caller *c, char *out, size_t size);

/* A well-formed agency code, as the agency directory stores them. */
bool agency_code_valid(const char *code);

#endif
