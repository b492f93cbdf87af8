/* Text for the PDF's standard fonts (pdf_text.h). */
#include "domain/pdf_text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Decodes one well-formed UTF-8 sequence at s (n > 0 bytes left): its
 * length, or 0 when malformed (overlong, a surrogate, over U+10FFFF, cut
 * short or a stray continuation byte). */
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char b = s[0];
    size_t len;
    uint32_t c, min;
    if (b < 0x80) {
        *cp = b;
        return 1;
    } else if (b >= 0xC2 && b <= 0xDF) {
        len = 2, c = b & 0x1Fu, min = 0x80;
    } else if (b >= 0xE0 && b <= 0xEF) {
        len = 3, c = b & 0x0Fu, min = 0x800;
    } else if (b >= 0xF0 && b <= 0xF4) {
        len = 4, c = b & 0x07u, min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3Fu);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return len;
}

/* Code page 1252's characters in 0x80..0x9F, by their code points. */
static const struct {
    uint16_t cp;
    unsigned char byte;
} cp1252_extra[] = {
    {0x20AC, 0x80}, {0x201A, 0x82}, {0x0192, 0x83}, {0x201E, 0x84}, {0x2026, 0x85},
    {0x2020, 0x86}, {0x2021, 0x87}, {0x02C6, 0x88}, {0x2030, 0x89}, {0x0160, 0x8A},
    {0x2039, 0x8B}, {0x0152, 0x8C}, {0x017D, 0x8E}, {0x2018, 0x91}, {0x2019, 0x92},
    {0x201C, 0x93}, {0x201D, 0x94}, {0x2022, 0x95}, {0x2013, 0x96}, {0x2014, 0x97},
    {0x02DC, 0x98}, {0x2122, 0x99}, {0x0161, 0x9A}, {0x203A, 0x9B}, {0x0153, 0x9C},
    {0x017E, 0x9E}, {0x0178, 0x9F},
};

/* Latin Extended-A (U+0100..U+017F), each letter's base letter; those
 * code page 1252 has (Œ, Š, Ÿ, Ž and their small letters) and Ĳ/ĳ are
 * taken before this table is read. */
static const char latin_extended_a[] =
    "AaAaAa" "CcCcCcCc" "DdDd" "EeEeEeEeEe" "GgGgGgGg" "HhHh" "IiIiIiIiIi" "Ii" "Jj" "Kkk"
    "LlLlLlLlLl" "NnNnNnnNn" "OoOoOo" "Oo" "RrRrRr" "SsSsSsSs" "TtTtTt" "UuUuUuUuUuUu" "WwYyY"
    "ZzZzZz" "s";
_Static_assert(sizeof latin_extended_a == 0x80 + 1, "one letter for each of U+0100..U+017F");

/* What a code point becomes: up to two bytes in out, their count; 0 to
 * drop it. */
static size_t map_code_point(uint32_t c, unsigned char out[2])
{
    if (c == '\n' || c == 0x2028 || c == 0x2029) {
        out[0] = '\n';
        return 1;
    }
    if (c == '\t' || c == 0xA0 || (c >= 0x2000 && c <= 0x200A) || c == 0x202F || c == 0x205F ||
        c == 0x3000) {
        out[0] = ' ';
        return 1;
    }
    if (c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0xAD || (c >= 0x200B && c <= 0x200F) ||
        c == 0x2060 || c == 0xFEFF)
        return 0;
    if (c < 0x7F || (c >= 0xA1 && c <= 0xFF)) {
        out[0] = (unsigned char)c;
        return 1;
    }
    for (size_t i = 0; i < sizeof cp1252_extra / sizeof cp1252_extra[0]; i++)
        if (cp1252_extra[i].cp == c) {
            out[0] = cp1252_extra[i].byte;
            return 1;
        }
    if (c == 0x0132 || c == 0x0133) {
        out[0] = c == 0x0132 ? 'I' : 'i';
        out[1] = c == 0x0132 ? 'J' : 'j';
        return 2;
    }
    if (c >= 0x0100 && c <= 0x017F) {
        out[0] = (unsigned char)latin_extended_a[c - 0x0100];
        return 1;
    }
    switch (c) {
    case 0x0218: out[0] = 'S'; return 1; /* Ș */
    case 0x0219: out[0] = 's'; return 1;
    case 0x021A: out[0] = 'T'; return 1; /* Ț */
    case 0x021B: out[0] = 't'; return 1;
    case 0x2010: case 0x2011: case 0x2012: case 0x2043: case 0x2212:
        out[0] = '-';
        return 1;
    case 0x2015: out[0] = 0x97; return 1; /* horizontal bar: em dash */
    case 0x201B: case 0x2032: out[0] = '\''; return 1;
    case 0x201F: case 0x2033: out[0] = '"'; return 1;
    case 0x2044: out[0] = '/'; return 1;
    default: out[0] = '?'; return 1;
    }
}

char *pdf_text_winansi(const char *utf8, size_t n)
{
    const unsigned char *s = (const unsigned char *)utf8;
    /* only Ĳ/ĳ grow, two bytes into two: n bytes are always enough */
    unsigned char *out = malloc(n + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        uint32_t c;
        size_t len = utf8_next(s + i, n - i, &c);
        if (len == 0) {
            out[o++] = '?';
            i++;
            continue;
        }
        i += len;
        if (c == '\r') {
            /* CR LF and a lone CR are one break */
            if (i < n && s[i] == '\n')
                i++;
            c = '\n';
        }
        unsigned char b[2];
        size_t m = map_code_point(c, b);
        memcpy(out + o, b, m);
        o += m;
    }
    out[o] = '\0';
    return (char *)out;
}

void pdf_lines_free(pdf_lines *l)
{
    free(l->items);
    memset(l, 0, sizeof *l);
}

static bool push_line(pdf_lines *l, size_t start, size_t len)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        pdf_line *grown = realloc(l->items, cap * sizeof *grown);
        if (!grown)
            return false;
        l->items = grown;
        l->cap = cap;
    }
    l->items[l->n++] = (pdf_line){start, len};
    return true;
}

double pdf_text_width(const char *s, size_t n, const double widths[256])
{
    double w = 0;
    for (size_t i = 0; i < n; i++)
        w += widths[(unsigned char)s[i]];
    return w;
}

/* One paragraph (no '\n'), bytes [p, end) of text. */
static bool wrap_paragraph(const char *text, size_t p, size_t end, double width,
                           const double widths[256], pdf_lines *out)
{
    while (p < end) {
        while (p < end && text[p] == ' ')
            p++;
        if (p == end)
            break;
        double w = 0;
        size_t i = p, last_space = 0; /* the last space that fits, 0 for none */
        while (i < end) {
            double cw = widths[(unsigned char)text[i]];
            if (w + cw > width && i > p)
                break;
            if (text[i] == ' ')
                last_space = i;
            w += cw;
            i++;
        }
        size_t line_end = i;
        if (i < end && text[i] != ' ' && last_space > p)
            line_end = last_space; /* the word that does not fit goes on */
        size_t trimmed = line_end;
        while (trimmed > p && text[trimmed - 1] == ' ')
            trimmed--;
        if (!push_line(out, p, trimmed - p))
            return false;
        p = line_end;
    }
    return true;
}

bool pdf_text_wrap(const char *text, double width, const double widths[256], pdf_lines *out)
{
    size_t n = strlen(text);
    while (n > 0 && (text[n - 1] == ' ' || text[n - 1] == '\n'))
        n--;
    bool last_empty = false;
    for (size_t p = 0; p < n;) {
        const char *nl = memchr(text + p, '\n', n - p);
        size_t end = nl ? (size_t)(nl - text) : n;
        size_t before = out->n;
        if (!wrap_paragraph(text, p, end, width, widths, out))
            return false;
        if (out->n == before) {
            /* an empty line (or one of spaces): one of a run, and none first */
            if (!last_empty && before > 0 && !push_line(out, p, 0))
                return false;
            last_empty = true;
        } else {
            last_empty = false;
        }
        p = end + 1;
    }
    return true;
}

void pdf_text_fit(const char *s, size_t n, double width, const double widths[256], char *out,
                  size_t out_size)
{
    if (out_size == 0)
        return;
    size_t keep = n;
    bool cut = false;
    if (pdf_text_width(s, n, widths) > width) {
        double room = width - pdf_text_width("...", 3, widths);
        double w = 0;
        keep = 0;
        while (keep < n && w + widths[(unsigned char)s[keep]] <= room)
            w += widths[(unsigned char)s[keep++]];
        cut = true;
    }
    if (keep > out_size - 1) {
        keep = out_size - 1;
        cut = true;
    }
    if (cut && out_size > 4 && keep > out_size - 4)
        keep = out_size - 4;
    memcpy(out, s, keep);
    if (cut && out_size > 4) {
        memcpy(out + keep, "...", 3);
        keep += 3;
    }
    out[keep] = '\0';
}
