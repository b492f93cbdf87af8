/* claims: a verified token's payload made into a caller, following its
 * issuer's claim mapping (IDP-2).
 *
 * The person id the service stores and compares (caller.sub) is the
 * subject claim unchanged for the primary issuer and "<issuer name>|<subject>"
 * for every other issuer, so the same subject at two issuers is two people.
 * A primary subject containing '|' could pass for another issuer's person and
 * is refused; so is a qualified id longer than CALLER_SUB_MAX.
 *
 * An application token (client credentials) is one whose client-id claim
 * names a client in the issuer's "applications": it acts for that client's
 * agency with the integration role only, named by its client id.
 *
 * Pure functions of their arguments: no I/O, no globals. */
#ifndef MAM_CLAIMS_H
#define MAM_CLAIMS_H

#include <jansson.h>
#include <stddef.h>

#include "auth/caller.h"
#include "auth/idp_config.h"

enum claims_result {
    CLAIMS_OK = 0,
    CLAIMS_MISSING, /* a claim the mapping needs is absent, or maps to nothing */
    CLAIMS_INVALID, /* present but of the wrong type, length or form, or ambiguous */
    CLAIMS_SUBJECT, /* the subject cannot be an identity here (see above) */
};

/* Fills *out (sub, name, agency, roles; not expires_at) from the payload.
 * On a refusal, claim receives the claim's name as configured (e.g.
 * "realm_access.roles"), never its value. */
enum claims_result claims_map(const idp_issuer *is, json_t *payload, caller *out, char *claim,
                              size_t claim_size);

/* The member at a claim path, borrowed; NULL when any step is absent. */
json_t *claims_lookup(json_t *payload, const idp_claim_path *path);

#endif
