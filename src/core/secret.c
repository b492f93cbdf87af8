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

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t secret_base64_encode(const unsigned char *in, size_t n, char *out, size_t out_size)
{
    size_t o = 0;
    if (out_size == 0)
        return 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        size_t chunk = n - i < 3 ? n - i : 3;
        if (chunk > 1)
            v |= (uint32_t)in[i + 1] << 8;
        if (chunk > 2)
            v |= in[i + 2];
        if (o + 5 > out_size)
            break;
        for (size_t k = 0; k < 4; k++)
            out[o++] = k <= chunk ? b64[(v >> (18 - 6 * k)) & 63] : '=';
    }
    out[o] = '\0';
    return o;
}

static int b64_value(char c)
{
    const char *p = c ? strchr(b64, c) : NULL;
    return p ? (int)(p - b64) : -1;
}

long secret_base64_decode(const char *in, unsigned char *out, size_t out_size)
{
    size_t n = strlen(in), o = 0;
    if (n % 4 != 0)
        return -1;
    for (size_t i = 0; i < n; i += 4) {
        uint32_t v = 0;
        int pad = 0;
        for (size_t k = 0; k < 4; k++) {
            char c = in[i + k];
            int d;
            if (c == '=' && i + 4 == n && k >= 2) {
                pad++;
                d = 0;
            } else {
                if (pad)
                    return -1; /* data after padding */
                d = b64_value(c);
                if (d < 0)
                    return -1;
            }
            v = (v << 6) | (uint32_t)d;
        }
        size_t bytes = 3 - (size_t)pad;
        /* canonical: the bits under the padding are zero */
        if ((pad == 1 && (v & 0xff)) || (pad == 2 && (v & 0xffff)))
            return -1;
        if (o + bytes > out_size)
            return -1;
        for (size_t k = 0; k < bytes; k++)
            out[o++] = (unsigned char)(v >> (16 - 8 * k));
    }
    return (long)o;
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
