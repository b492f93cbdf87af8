#include "support/people.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/crypto.h>

#include "auth/jwt.h"
#include "core/text.h"

const char *test_issuer(void)
{
    const char *v = getenv("JWT_ISSUER");
    return v ? v : "https://mam.test";
}

const char *test_audience(void)
{
    const char *v = getenv("JWT_AUDIENCE");
    return v ? v : "mam-test";
}

const char *test_secret(void)
{
    const char *v = getenv("JWT_HS256_SECRET");
    return v ? v : "test-secret-test-secret-test-secret-0123";
}

void unique_suffix(char *out, size_t size)
{
    char hex[17];
    text_random_hex(hex, 16);
    snprintf(out, size, "%s", hex);
}

json_t *claims_for(const person *p, long ttl)
{
    return jwt_claims_for(&p->who, test_issuer(), test_audience(), time(NULL), ttl);
}

char *token_with_claims(json_t *claims)
{
    return jwt_sign_hs256(test_secret(), claims);
}

static char *b64url_of(const void *data, size_t n)
{
    size_t size = 4 * (n / 3 + 1) + 1;
    char *out = malloc(size);
    text_base64url_encode(data, n, out, size);
    return out;
}

char *token_signed_raw(const char *header_json, const char *payload_json)
{
    char *h = b64url_of(header_json, strlen(header_json));
    char *p = b64url_of(payload_json, strlen(payload_json));
    size_t n = strlen(h) + strlen(p) + 2;
    char *input = malloc(n);
    snprintf(input, n, "%s.%s", h, p);
    unsigned char mac[32];
    gnutls_hmac_fast(GNUTLS_MAC_SHA256, test_secret(), strlen(test_secret()), input,
                     strlen(input), mac);
    char *sig = b64url_of(mac, sizeof mac);
    size_t total = strlen(input) + strlen(sig) + 2;
    char *token = malloc(total);
    snprintf(token, total, "%s.%s", input, sig);
    free(h);
    free(p);
    free(input);
    free(sig);
    return token;
}

person person_new(const char *agency, const char *roles)
{
    person p;
    memset(&p, 0, sizeof p);
    char suffix[17];
    unique_suffix(suffix, sizeof suffix);
    snprintf(p.who.sub, sizeof p.who.sub, "test-%s", suffix);
    snprintf(p.who.name, sizeof p.who.name, "Test Person %.8s", suffix);
    snprintf(p.who.agency, sizeof p.who.agency, "%s", agency);
    char *list = strdup(roles), *save = NULL;
    for (char *r = strtok_r(list, ",", &save); r; r = strtok_r(NULL, ",", &save))
        p.who.roles |= role_from_name(r);
    free(list);
    json_t *claims = claims_for(&p, 3600);
    p.token = token_with_claims(claims);
    json_decref(claims);
    return p;
}

void person_free(person *p)
{
    free(p->token);
    p->token = NULL;
}
