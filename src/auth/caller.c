#include "auth/caller.h"

#include <string.h>

static const struct {
    const char *name;
    unsigned role;
} roles[] = {
    {"practitioner", ROLE_PRACTITIONER},
    {"senior_practitioner", ROLE_SENIOR_PRACTITIONER},
    {"manager", ROLE_MANAGER},
    {"senior_manager", ROLE_SENIOR_MANAGER},
    {"safeguarding_lead", ROLE_SAFEGUARDING_LEAD},
    {"named_doctor", ROLE_NAMED_DOCTOR},
    {"partnership", ROLE_PARTNERSHIP},
    {"auditor", ROLE_AUDITOR},
    {"admin", ROLE_ADMIN},
    {"integration", ROLE_INTEGRATION},
    {"dpo", ROLE_DPO},
};

unsigned role_from_name(const char *name)
{
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
        if (strcmp(roles[i].name, name) == 0)
            return roles[i].role;
    return 0;
}

const char *role_name(unsigned role)
{
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
        if (roles[i].role == role)
            return roles[i].name;
    return "unknown";
}

void caller_roles_literal(const caller *c, char *out, size_t size)
{
    size_t n = 0;
    out[n++] = '{';
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
        if (!(c->roles & roles[i].role))
            continue;
        size_t len = strlen(roles[i].name);
        if (n + len + 3 > size)
            break;
        if (n > 1)
            out[n++] = ',';
        memcpy(out + n, roles[i].name, len);
        n += len;
    }
    out[n++] = '}';
    out[n] = '\0';
}

bool agency_code_valid(const char *code)
{
    size_t n = strlen(code);
    if (n < 2 || n > CALLER_AGENCY_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = code[i];
        bool ok = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  (i > 0 && (c == '_' || c == '-'));
        if (!ok)
            return false;
    }
    return true;
}
