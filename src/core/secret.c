#include "core/secret.h"

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "core/xalloc.h"

void secret_random(unsigned char *out, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = getrandom(out + got, n - got, 0);
        if (r > 0)
            got += (size_t)r;
    }
}

/* base64 is gnutls's; only canonical text is accepted (what encoding the
 * bytes gives back), so one secret or key has one spelling. */
size_t secret_base64_encode(const unsigned char *in, size_t n, char *out, size_t out_size)
{
    if (out_size == 0)
        return 0;
    out[0] = '\0';
    gnutls_datum_t raw = {(unsigned char *)in, (unsigned int)n}, text = {NULL, 0};
    if (gnutls_base64_encode2(&raw, &text) != 0)
        return 0;
    size_t len = text.size;
    while (len > 0 && text.data[len - 1] == '\0')
        len--;
    if (len >= out_size)
        len = 0; /* does not fit: nothing rather than a part */
    memcpy(out, text.data, len);
    out[len] = '\0';
    gnutls_free(text.data);
    return len;
}

long secret_base64_decode(const char *in, unsigned char *out, size_t out_size)
{
    size_t n = strlen(in);
    if (n == 0 || n % 4 != 0 || strspn(in, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                           "0123456789+/=") != n)
        return n == 0 ? 0 : -1;
    gnutls_datum_t text = {(unsigned char *)in, (unsigned int)n}, raw = {NULL, 0};
    if (gnutls_base64_decode2(&text, &raw) != 0)
        return -1;
    long got = raw.size <= out_size ? (long)raw.size : -1;
    if (got >= 0) {
        char *again = xmalloc(n + 1);
        got = secret_base64_encode(raw.data, raw.size, again, n + 1) == n &&
                      memcmp(again, in, n) == 0
                  ? got
                  : -1;
        free(again);
    }
    if (got >= 0)
        memcpy(out, raw.data, (size_t)got);
    gnutls_memset(raw.data, 0, raw.size);
    gnutls_free(raw.data);
    return got;
}

void secret_hmac_sha256(const unsigned char *key, size_t key_len, const void *data, size_t n,
                        unsigned char out[32])
{
    gnutls_hmac_fast(GNUTLS_MAC_SHA256, key, key_len, data, n, out);
}

#define NONCE_BYTES 12
#define TAG_BYTES 16
#define SEALED_PREFIX "v1."
#define SEAL_MAX 512

char *secret_seal(const unsigned char key[SECRET_KEY_BYTES], const char *ad,
                  const unsigned char *plain, size_t n)
{
    if (n > SEAL_MAX)
        return NULL;
    unsigned char box[NONCE_BYTES + SEAL_MAX + TAG_BYTES];
    secret_random(box, NONCE_BYTES);
    gnutls_datum_t k = {(unsigned char *)key, SECRET_KEY_BYTES};
    gnutls_aead_cipher_hd_t h;
    if (gnutls_aead_cipher_init(&h, GNUTLS_CIPHER_AES_256_GCM, &k) < 0)
        return NULL;
    size_t out_len = SEAL_MAX + TAG_BYTES;
    int rc = gnutls_aead_cipher_encrypt(h, box, NONCE_BYTES, ad, strlen(ad), TAG_BYTES, plain, n,
                                        box + NONCE_BYTES, &out_len);
    gnutls_aead_cipher_deinit(h);
    if (rc < 0)
        return NULL;
    size_t total = NONCE_BYTES + out_len;
    size_t text_size = sizeof SEALED_PREFIX + 4 * ((total + 2) / 3) + 1;
    char *text = xmalloc(text_size);
    memcpy(text, SEALED_PREFIX, sizeof SEALED_PREFIX - 1);
    secret_base64_encode(box, total, text + sizeof SEALED_PREFIX - 1,
                         text_size - (sizeof SEALED_PREFIX - 1));
    gnutls_memset(box, 0, sizeof box);
    return text;
}

long secret_open(const unsigned char key[SECRET_KEY_BYTES], const char *ad, const char *sealed,
                 unsigned char *out, size_t out_size)
{
    if (strncmp(sealed, SEALED_PREFIX, sizeof SEALED_PREFIX - 1) != 0)
        return -1;
    unsigned char box[NONCE_BYTES + SEAL_MAX + TAG_BYTES];
    long total = secret_base64_decode(sealed + sizeof SEALED_PREFIX - 1, box, sizeof box);
    if (total < NONCE_BYTES + TAG_BYTES)
        return -1;
    gnutls_datum_t k = {(unsigned char *)key, SECRET_KEY_BYTES};
    gnutls_aead_cipher_hd_t h;
    if (gnutls_aead_cipher_init(&h, GNUTLS_CIPHER_AES_256_GCM, &k) < 0)
        return -1;
    unsigned char plain[SEAL_MAX];
    size_t plain_len = sizeof plain;
    int rc = gnutls_aead_cipher_decrypt(h, box, NONCE_BYTES, ad, strlen(ad), TAG_BYTES,
                                        box + NONCE_BYTES, (size_t)total - NONCE_BYTES, plain,
                                        &plain_len);
    gnutls_aead_cipher_deinit(h);
    if (rc < 0 || plain_len > out_size) {
        gnutls_memset(plain, 0, sizeof plain);
        return -1;
    }
    memcpy(out, plain, plain_len);
    gnutls_memset(plain, 0, sizeof plain);
    return (long)plain_len;
}

bool secret_equal(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    unsigned char diff = 0;
    for (size_t i = 0; i < n; i++)
        diff |= x[i] ^ y[i];
    return diff == 0;
}

void secret_wipe(void *p, size_t n)
{
    gnutls_memset(p, 0, n);
}
