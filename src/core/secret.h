/* secret: the cryptography of webhook secrets and calendar tokens, on
 * GnuTLS.
 *
 *  - random bytes from the kernel (getrandom);
 *  - base64 with the standard alphabet and padding (Standard Webhooks
 *    secrets and signatures);
 *  - HMAC-SHA256 (webhook signatures);
 *  - sealing: AES-256-GCM under a 32-byte key (WEBHOOK_SECRET_KEY), so that
 *    secrets are stored encrypted. A sealed value is text:
 *    "v1." base64(12-byte nonce || ciphertext || 16-byte tag). The
 *    associated data binds a sealed secret to what it belongs to (the
 *    endpoint's id), so one endpoint's sealed secret cannot be copied to
 *    another's row and still open.
 * Nothing here logs. */
#ifndef MAM_SECRET_H
#define MAM_SECRET_H

#include <stdbool.h>
#include <stddef.h>

#define SECRET_KEY_BYTES 32

void secret_random(unsigned char *out, size_t n);

/* Standard base64 with padding; encode returns the length written (out
 * must hold 4*ceil(n/3)+1). Decode returns the bytes written, or -1 for
 * text that is not canonical base64 or does not fit. */
size_t secret_base64_encode(const unsigned char *in, size_t n, char *out, size_t out_size);
long secret_base64_decode(const char *in, unsigned char *out, size_t out_size);

void secret_hmac_sha256(const unsigned char *key, size_t key_len, const void *data, size_t n,
                        unsigned char out[32]);

/* Seals plain (n bytes) under key, bound to ad; a new string or NULL. */
char *secret_seal(const unsigned char key[SECRET_KEY_BYTES], const char *ad,
                  const unsigned char *plain, size_t n);
/* Opens a sealed value: the bytes written to out, or -1 when it does not
 * open (another key, another ad, tampered, or too big for out). */
long secret_open(const unsigned char key[SECRET_KEY_BYTES], const char *ad, const char *sealed,
                 unsigned char *out, size_t out_size);

/* Overwrites memory that held a secret. */
void secret_wipe(void *p, size_t n);

/* Constant-time comparison of two byte strings of length n. */
bool secret_equal(const void *a, const void *b, size_t n);

#endif
