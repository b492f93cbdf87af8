/* text: small, pure string routines shared by the parsers. None allocates
 * unless it says so; none keeps state. */
#ifndef MAM_TEXT_H
#define MAM_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* A canonical UUID: 8-4-4-4-12 hexadecimal digits. */
bool text_is_uuid(const char *s);

/* s is one of the NULL-terminated list's strings. */
bool text_in_list(const char *const *list, const char *s);

/* An external reference "system:id" split into its halves, each a new
 * string (system at least one character, id too; 201 characters in all at
 * most); false, allocating nothing, when malformed. */
bool text_split_ref(const char *text, char **system, char **id);

/* A calendar date YYYY-MM-DD that exists (leap years included). */
bool text_is_date(const char *s);

/* RFC 3339 date-time with a zone (Z or +hh:mm). */
bool text_is_timestamp(const char *s);

/* Seconds since the epoch of an RFC 3339 date-time (fractions dropped). */
bool text_parse_timestamp(const char *s, long long *epoch_seconds);

/* Well-formed UTF-8 of exactly n bytes, with no NUL. */
bool text_is_utf8(const char *s, size_t n);

/* Makes s valid UTF-8 in place: each byte that does not start a complete,
 * well-formed sequence becomes '?' (a message cut mid-character, say). */
void text_utf8_sanitize(char *s);

/* Number of Unicode code points in valid UTF-8. */
size_t text_utf8_length(const char *s);

/* base64url without padding. Encode writes 4*ceil(n/3) bytes at most plus
 * NUL; decode returns the decoded length or -1 on a malformed input. */
size_t text_base64url_encode(const unsigned char *in, size_t n, char *out, size_t out_size);
long text_base64url_decode(const char *in, unsigned char *out, size_t out_size);

/* Decodes %XX (and, in a query component, '+' as a space) into a new
 * string; NULL when an escape is malformed or the result is not UTF-8. */
char *text_percent_decode(const char *s, size_t n);       /* query: '+' is a space */
char *text_percent_decode_path(const char *s, size_t n);  /* path: '+' is a '+' */

/* Copies s into out (out_size bytes, always terminated) with the content of
 * every double-quoted part replaced by "…": PostgreSQL quotes the offending
 * value in its messages (invalid input syntax for type uuid: "…"), which
 * must not reach the logs (SEC-5). An unterminated quote is redacted to the
 * end. */
void text_redact_quoted(const char *s, char *out, size_t out_size);

/* 32 random hexadecimal characters from the kernel's generator. */
void text_random_hex(char *out, size_t hex_chars);

/* Lower-case hexadecimal SHA-256 of data (65 bytes with the NUL). */
void text_sha256_hex(const void *data, size_t n, char out[65]);

#endif
