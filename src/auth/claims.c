#include "auth/claims.h"

#include <stdio.h>
#include <string.h>

#include "core/text.h"

#define MAX_ROLES 32
#define MAX_AGENCY_VALUES 256

json_t *claims_lookup(json_t *payload, const idp_claim_path *path)
{
    json_t *v = payload;
    for (int i = 0; v && i < path->n; i++)
        v = json_is_object(v) ? json_object_get(v, path->parts[i]) : NULL;
    return path->n > 0 ? v : NULL;
}

static enum claims_result refuse(enum claims_result r, const idp_claim_path *path, char *claim,
                                 size_t claim_size)
{
    snprintf(claim, claim_size, "%s", path->text ? path->text : "");
    return r;
}

/* A string claim of 1..max_chars code points that fits out. */
static enum claims_result copy_string(json_t *v, char *out, size_t out_size, size_t max_chars)
{
    if (!v)
        return CLAIMS_MISSING;
    if (!json_is_string(v))
        return CLAIMS_INVALID;
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (n == 0 || n >= out_size || strlen(s) != n || text_utf8_length(s) > max_chars)
        return CLAIMS_INVALID;
    memcpy(out, s, n + 1);
    return CLAIMS_OK;
}

/* The person id: the subject, prefixed with the issuer's name unless primary. */
static enum claims_result set_subject(const idp_issuer *is, const char *subject, caller *out)
{
    if (is->primary) {
        if (strchr(subject, '|'))
            return CLAIMS_SUBJECT;
        snprintf(out->sub, sizeof out->sub, "%s", subject);
        return CLAIMS_OK;
    }
    int n = snprintf(out->sub, sizeof out->sub, "%s|%s", is->name, subject);
    if (n < 0 || (size_t)n > CALLER_SUB_MAX)
        return CLAIMS_SUBJECT;
    return CLAIMS_OK;
}

static enum claims_result map_application(const idp_issuer *is, const char *client_id,
                                          const char *agency, caller *out, char *claim,
                                          size_t claim_size)
{
    if (strlen(client_id) > CALLER_NAME_MAX || !text_is_utf8(client_id, strlen(client_id)))
        return refuse(CLAIMS_INVALID, &is->client_id_claim, claim, claim_size);
    if (set_subject(is, client_id, out) != CLAIMS_OK)
        return refuse(CLAIMS_SUBJECT, &is->client_id_claim, claim, claim_size);
    snprintf(out->name, sizeof out->name, "%s", client_id);
    snprintf(out->agency, sizeof out->agency, "%s", agency);
    out->roles = ROLE_INTEGRATION;
    return CLAIMS_OK;
}

static enum claims_result map_roles(const idp_issuer *is, json_t *payload, caller *out,
                                    char *claim, size_t claim_size)
{
    json_t *roles = claims_lookup(payload, &is->roles_claim);
    if (!roles)
        return refuse(CLAIMS_MISSING, &is->roles_claim, claim, claim_size);
    if (!json_is_array(roles) || json_array_size(roles) > MAX_ROLES)
        return refuse(CLAIMS_INVALID, &is->roles_claim, claim, claim_size);
    size_t i;
    json_t *r;
    json_array_foreach(roles, i, r) {
        if (!json_is_string(r))
            return refuse(CLAIMS_INVALID, &is->roles_claim, claim, claim_size);
        const char *value = json_string_value(r);
        if (is->role_values.n > 0) {
            /* only the issuer's values the configuration names count */
            const char *mapped = idp_map_get(&is->role_values, value);
            out->roles |= mapped ? role_from_name(mapped) : 0;
        } else {
            out->roles |= role_from_name(value);
        }
    }
    return CLAIMS_OK;
}

static enum claims_result map_agency(const idp_issuer *is, json_t *payload, caller *out,
                                     char *claim, size_t claim_size)
{
    if (is->agency_mode == IDP_AGENCY_FIXED) {
        snprintf(out->agency, sizeof out->agency, "%s", is->agency_fixed);
        return CLAIMS_OK;
    }
    json_t *v = claims_lookup(payload, &is->agency_claim);
    if (is->agency_mode == IDP_AGENCY_CLAIM) {
        enum claims_result r = copy_string(v, out->agency, sizeof out->agency, CALLER_AGENCY_MAX);
        if (r == CLAIMS_OK && !agency_code_valid(out->agency))
            r = CLAIMS_INVALID;
        return r == CLAIMS_OK ? r : refuse(r, &is->agency_claim, claim, claim_size);
    }
    /* mapped: a string or an array of strings (groups, app roles); every
     * value the map knows must name the same agency */
    if (!v)
        return refuse(CLAIMS_MISSING, &is->agency_claim, claim, claim_size);
    const char *found = NULL;
    if (json_is_string(v)) {
        found = idp_map_get(&is->agency_map, json_string_value(v));
    } else if (json_is_array(v) && json_array_size(v) <= MAX_AGENCY_VALUES) {
        size_t i;
        json_t *item;
        json_array_foreach(v, i, item) {
            if (!json_is_string(item))
                return refuse(CLAIMS_INVALID, &is->agency_claim, claim, claim_size);
            const char *agency = idp_map_get(&is->agency_map, json_string_value(item));
            if (agency && found && strcmp(agency, found) != 0)
                return refuse(CLAIMS_INVALID, &is->agency_claim, claim, claim_size);
            if (agency)
                found = agency;
        }
    } else {
        return refuse(CLAIMS_INVALID, &is->agency_claim, claim, claim_size);
    }
    if (!found)
        return refuse(CLAIMS_MISSING, &is->agency_claim, claim, claim_size);
    snprintf(out->agency, sizeof out->agency, "%s", found);
    return CLAIMS_OK;
}

enum claims_result claims_map(const idp_issuer *is, json_t *payload, caller *out, char *claim,
                              size_t claim_size)
{
    long long expires_at = out->expires_at;
    memset(out, 0, sizeof *out);
    out->expires_at = expires_at;
    claim[0] = '\0';
    if (!json_is_object(payload))
        return CLAIMS_INVALID;

    if (is->applications.n > 0) {
        json_t *client = claims_lookup(payload, &is->client_id_claim);
        const char *agency =
            json_is_string(client) ? idp_map_get(&is->applications, json_string_value(client))
                                   : NULL;
        if (agency)
            return map_application(is, json_string_value(client), agency, out, claim, claim_size);
    }

    char subject[CALLER_SUB_MAX + 1];
    enum claims_result r = copy_string(claims_lookup(payload, &is->subject_claim), subject,
                                       sizeof subject, CALLER_SUB_MAX);
    if (r != CLAIMS_OK)
        return refuse(r, &is->subject_claim, claim, claim_size);
    if (set_subject(is, subject, out) != CLAIMS_OK)
        return refuse(CLAIMS_SUBJECT, &is->subject_claim, claim, claim_size);
    r = copy_string(claims_lookup(payload, &is->name_claim), out->name, sizeof out->name,
                    CALLER_NAME_MAX);
    if (r != CLAIMS_OK)
        return refuse(r, &is->name_claim, claim, claim_size);
    r = map_agency(is, payload, out, claim, claim_size);
    if (r != CLAIMS_OK)
        return r;
    return map_roles(is, payload, out, claim, claim_size);
}
