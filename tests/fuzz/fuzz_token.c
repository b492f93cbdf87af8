/* Bearer tokens: jwt_verify against an HS256 verifier and a JWKS one. */
#include "fuzz.h"

#include "auth/jwt.h"

static jwt_verifier *hs256, *jwks;

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    char err[256];
    hs256 = jwt_verifier_hs256("fuzzing-secret-fuzzing-secret-0123", "https://mam.test",
                               "mam-test", 30, err, sizeof err);
    /* a fixed P-256 public key (RFC 7515 appendix A.3) */
    jwks = jwt_verifier_jwks("{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\","
                             "\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
                             "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}]}",
                             "https://mam.test", "mam-test", 30, err, sizeof err);
    if (!hs256 || !jwks)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *token = fuzz_string(data, size);
    caller who;
    enum jwt_result a = jwt_verify(hs256, token, 1795000000, &who);
    enum jwt_result b = jwt_verify(jwks, token, 1795000000, &who);
    /* nothing an attacker can send without a key may verify */
    if (a == JWT_OK || b == JWT_OK)
        abort();
    free(token);
    return 0;
}
