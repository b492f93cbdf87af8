#include "core/text.h"

#include <gnutls/crypto.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "core/xalloc.h"

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool text_is_uuid(const char *s)
{
    if (!s || strlen(s) != 36)
        return false;
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return false;
        } else if (!is_hex(s[i])) {
            return false;
        }
    }
    return true;
}

static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static bool valid_ymd(int y, int m, int d)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1 || m < 1 || m > 12 || d < 1)
        return false;
    int max = days[m - 1];
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        max = 29;
    return d <= max;
}

bool text_in_list(const char *const *list, const char *s)
{
    for (; s && *list; list++)
        if (strcmp(*list, s) == 0)
            return true;
    return false;
}

bool text_split_ref(const char *text, char **system, char **id)
{
    const char *colon = strchr(text, ':');
    if (!colon || colon == text || !colon[1] || strlen(text) > 201)
        return false;
    *system = strndup(text, (size_t)(colon - text));
    *id = strdup(colon + 1);
    return true;
}

bool text_is_date(const char *s)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    return valid_ymd(digits(s, 4), digits(s + 5, 2), digits(s + 8, 2));
}

bool text_is_timestamp(const char *s)
{
    if (!s || strlen(s) < 20)
        return false;
    char date[11];
    memcpy(date, s, 10);
    date[10] = '\0';
    if (!text_is_date(date) || (s[10] != 'T' && s[10] != 't'))
        return false;
    const char *t = s + 11;
    if (t[2] != ':' || t[5] != ':')
        return false;
    int hh = digits(t, 2), mm = digits(t + 3, 2), ss = digits(t + 6, 2);
    if (hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 60)
        return false;
    const char *z = t + 8;
    if (*z == '.') {
        z++;
        int n = 0;
        while (*z >= '0' && *z <= '9') {
            z++;
            n++;
        }
        if (n == 0 || n > 9)
            return false;
    }
    if ((*z == 'Z' || *z == 'z') && z[1] == '\0')
        return true;
    if ((*z == '+' || *z == '-') && strlen(z) == 6 && z[3] == ':') {
        /* PostgreSQL takes offsets up to 15:59; real zones stay within 14:00 */
        int oh = digits(z + 1, 2), om = digits(z + 4, 2);
        return oh >= 0 && oh <= 15 && om >= 0 && om <= 59;
    }
    return false;
}

bool text_parse_timestamp(const char *s, long long *epoch_seconds)
{
    if (!text_is_timestamp(s))
        return false;
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = digits(s, 4) - 1900;
    tm.tm_mon = digits(s + 5, 2) - 1;
    tm.tm_mday = digits(s + 8, 2);
    tm.tm_hour = digits(s + 11, 2);
    tm.tm_min = digits(s + 14, 2);
    tm.tm_sec = digits(s + 17, 2);
    long long t = (long long)timegm(&tm);
    const char *z = s + 19;
    if (*z == '.')
        for (z++; *z >= '0' && *z <= '9'; z++)
            ;
    if (*z == '+' || *z == '-') {
        long long offset = digits(z + 1, 2) * 3600LL + digits(z + 4, 2) * 60LL;
        t += *z == '+' ? -offset : offset;
    }
    *epoch_seconds = t;
    return true;
}

bool text_is_utf8(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    while (p < end) {
        unsigned char c = *p;
        if (c == 0)
            return false;
        if (c < 0x80) {
            p++;
            continue;
        }
        int extra;
        uint32_t cp;
        if (c >= 0xC2 && c <= 0xDF) {
            extra = 1;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            extra = 2;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            extra = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (end - p <= extra)
            return false;
        for (int i = 1; i <= extra; i++) {
            if ((p[i] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i] & 0x3F);
        }
        /* overlong forms, surrogates and beyond U+10FFFF */
        if ((extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) ||
            (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
            return false;
        p += extra + 1;
    }
    return true;
}

/* Length of the well-formed sequence at p (at most n bytes), or 0. */
static size_t utf8_sequence(const unsigned char *p, size_t n)
{
    size_t len = p[0] < 0x80 ? 1 : (p[0] >= 0xC2 && p[0] <= 0xDF) ? 2
               : (p[0] >= 0xE0 && p[0] <= 0xEF) ? 3 : (p[0] >= 0xF0 && p[0] <= 0xF4) ? 4 : 0;
    if (len == 0 || len > n)
        return 0;
    return text_is_utf8((const char *)p, len) ? len : 0;
}

void text_utf8_sanitize(char *s)
{
    size_t n = strlen(s);
    unsigned char *p = (unsigned char *)s, *end = p + n;
    while (p < end) {
        size_t len = utf8_sequence(p, (size_t)(end - p));
        if (len == 0) {
            *p++ = '?';
        } else {
            p += len;
        }
    }
}

size_t text_utf8_length(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p & 0xC0) != 0x80)
            n++;
    return n;
}

static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t text_base64url_encode(const unsigned char *in, size_t n, char *out, size_t out_size)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        size_t chunk = n - i < 3 ? n - i : 3;
        if (chunk > 1)
            v |= (uint32_t)in[i + 1] << 8;
        if (chunk > 2)
            v |= in[i + 2];
        size_t emit = chunk + 1;
        for (size_t k = 0; k < emit; k++) {
            if (o + 1 >= out_size)
                break;
            out[o++] = b64url[(v >> (18 - 6 * k)) & 63];
        }
    }
    if (out_size)
        out[o < out_size ? o : out_size - 1] = '\0';
    return o;
}

static int b64url_value(char c)
{
    const char *p = c ? strchr(b64url, c) : NULL;
    return p ? (int)(p - b64url) : -1;
}

long text_base64url_decode(const char *in, unsigned char *out, size_t out_size)
{
    size_t n = strlen(in), o = 0;
    if (n % 4 == 1)
        return -1;
    for (size_t i = 0; i < n; i += 4) {
        size_t chunk = n - i < 4 ? n - i : 4;
        uint32_t v = 0;
        for (size_t k = 0; k < 4; k++) {
            int d = 0;
            if (k < chunk) {
                d = b64url_value(in[i + k]);
                if (d < 0)
                    return -1;
            }
            v = (v << 6) | (uint32_t)d;
        }
        size_t bytes = chunk - 1;
        if (o + bytes > out_size)
            return -1;
        for (size_t k = 0; k < bytes; k++)
            out[o++] = (unsigned char)(v >> (16 - 8 * k));
    }
    return (long)o;
}

static char *percent_decode(const char *s, size_t n, bool plus_is_space);

char *text_percent_decode(const char *s, size_t n)
{
    return percent_decode(s, n, true);
}

char *text_percent_decode_path(const char *s, size_t n)
{
    return percent_decode(s, n, false);
}

static char *percent_decode(const char *s, size_t n, bool plus_is_space)
{
    char *out = xmalloc(n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%') {
            if (i + 2 >= n || !is_hex(s[i + 1]) || !is_hex(s[i + 2])) {
                free(out);
                return NULL;
            }
            char hex[3] = {s[i + 1], s[i + 2], '\0'};
            out[o++] = (char)strtol(hex, NULL, 16);
            i += 2;
        } else if (s[i] == '+' && plus_is_space) {
            out[o++] = ' ';
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    if (!text_is_utf8(out, o)) {
        free(out);
        return NULL;
    }
    return out;
}

void text_random_hex(char *out, size_t hex_chars)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char bytes[64];
    size_t need = (hex_chars + 1) / 2;
    if (need > sizeof bytes)
        need = sizeof bytes;
    size_t got = 0;
    while (got < need) {
        ssize_t r = getrandom(bytes + got, need - got, 0);
        if (r > 0)
            got += (size_t)r;
    }
    for (size_t i = 0; i < hex_chars && i / 2 < need; i++)
        out[i] = hex[(i % 2 == 0) ? bytes[i / 2] >> 4 : bytes[i / 2] & 15];
    out[hex_chars] = '\0';
}

void text_sha256_hex(const void *data, size_t n, char out[65])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char digest[32];
    gnutls_hash_fast(GNUTLS_DIG_SHA256, data, n, digest);
    for (int i = 0; i < 32; i++) {
        out[2 * i] = hex[digest[i] >> 4];
        out[2 * i + 1] = hex[digest[i] & 15];
    }
    out[64] = '\0';
}

void text_redact_quoted(const char *s, char *out, size_t out_size)
{
    static const char mark[] = "\xe2\x80\xa6"; /* U+2026, the ellipsis */
    if (out_size == 0)
        return;
    size_t o = 0;
    bool quoted = false;
    for (; *s && o + 1 < out_size; s++) {
        if (*s == '"') {
            if (!quoted && o + sizeof mark < out_size) {
                out[o++] = '"';
                memcpy(out + o, mark, sizeof mark - 1);
                o += sizeof mark - 1;
            } else if (quoted) {
                out[o++] = '"';
            } else {
                break; /* no room for the mark: stop rather than leak */
            }
            quoted = !quoted;
        } else if (!quoted) {
            out[o++] = *s;
        }
    }
    out[o] = '\0';
}
