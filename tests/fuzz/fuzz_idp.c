/* Identity providers: the issuers document parser (idp_config_parse) and
 * the claim mapping (claims_map) of verified tokens. The input is parsed
 * as an issuers document, and also mapped as a token payload through three
 * fixed issuers (an Entra-like one with groups, app roles and applications,
 * a Keycloak-like one with nested paths, one with a fixed agency). Every
 * accepted document must be internally sound, and every caller a mapping
 * produces must be one the service can store. */
#include "fuzz.h"

#include "auth/caller.h"
#include "auth/claims.h"
#include "auth/idp_config.h"

static idp_config *fixed;

int LLVMFuzzerInitialize(int *argc, char ***argv);

static const char fixed_doc[] =
    "{\"issuers\": ["
    "{\"name\": \"council\", \"primary\": true, \"issuer\": \"https://council.test\","
    " \"audience\": \"mam\", \"keys\": {\"jwks_url\": \"https://council.test/keys\"},"
    " \"claims\": {\"subject\": \"oid\", \"roles\": \"roles\","
    "   \"role_values\": {\"Mam.Manager\": \"manager\", \"Mam.Admin\": \"admin\"},"
    "   \"agency\": {\"claim\": \"groups\", \"map\": {\"g1\": \"LA-CSC\", \"g2\": \"LA-EDU\"}}},"
    " \"applications\": {\"client_id_claim\": \"azp\", \"clients\": {\"cms\": \"LA-CSC\"}}},"
    "{\"name\": \"health\", \"issuer\": \"https://health.test\", \"audience\": [\"mam\"],"
    " \"keys\": {\"discovery_url\": \"https://health.test/.well-known/openid-configuration\"},"
    " \"claims\": {\"roles\": \"realm_access.roles\", \"agency\": {\"claim\": [\"org\", \"code\"]}}},"
    "{\"name\": \"police\", \"issuer\": \"https://police.test\", \"audience\": \"mam\","
    " \"keys\": {\"jwks_file\": \"/nonexistent\"}, \"claims\": {\"agency\": {\"fixed\": \"POL-1\"}}}"
    "]}";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    idp_problems pr = {.n = 0};
    fixed = idp_config_parse(fixed_doc, sizeof fixed_doc - 1, 30, &pr);
    if (!fixed)
        abort();
    return 0;
}

static void check_config(const idp_config *c)
{
    if (c->n_issuers < 1 || c->n_issuers > IDP_MAX_ISSUERS)
        abort();
    int primaries = 0;
    for (int i = 0; i < c->n_issuers; i++) {
        const idp_issuer *is = &c->issuers[i];
        if (!is->name || !is->issuer || !is->key_location || is->n_audiences < 1 ||
            !is->algorithms || (is->algorithms & IDP_ALG_HS256) || is->subject_claim.n < 1)
            abort();
        if (is->agency_mode == IDP_AGENCY_FIXED ? !agency_code_valid(is->agency_fixed)
                                                : is->agency_claim.n < 1)
            abort();
        if (idp_config_find(c, is->issuer) != is)
            abort();
        primaries += is->primary;
    }
    if (primaries > 1)
        abort();
}

static void check_caller(const idp_issuer *is, const caller *who)
{
    size_t n = strlen(who->sub);
    if (n == 0 || n > CALLER_SUB_MAX || !agency_code_valid(who->agency) || !who->name[0])
        abort();
    /* the person id says which issuer vouched for it */
    size_t name_len = strlen(is->name);
    if (is->primary ? strchr(who->sub, '|') != NULL
                    : strncmp(who->sub, is->name, name_len) != 0 || who->sub[name_len] != '|')
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    idp_problems pr = {.n = 0};
    idp_config *c = idp_config_parse((const char *)data, size, 30, &pr);
    if (c) {
        if (pr.n)
            abort();
        check_config(c);
        idp_config_free(c);
    } else if (pr.n == 0) {
        abort(); /* a refusal always says why */
    }
    idp_problems_free(&pr);

    json_t *payload = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    if (payload) {
        for (int i = 0; i < fixed->n_issuers; i++) {
            caller who;
            char claim[64];
            memset(&who, 0, sizeof who);
            if (claims_map(&fixed->issuers[i], payload, &who, claim, sizeof claim) == CLAIMS_OK)
                check_caller(&fixed->issuers[i], &who);
        }
        json_decref(payload);
    }
    return 0;
}
