/* String routines shared by the parsers (core/text.c). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"

Test(text, uuid)
{
    cr_assert(text_is_uuid("0b5e3c1a-1111-4222-8333-944445555666"));
    cr_assert(text_is_uuid("0B5E3C1A-ABCD-4EF0-8333-944445555666"), "upper case hex");
    cr_assert(text_is_uuid("00000000-0000-0000-0000-000000000000"));
    cr_assert_not(text_is_uuid(NULL));
    cr_assert_not(text_is_uuid(""));
    cr_assert_not(text_is_uuid("0b5e3c1a-1111-4222-8333-94444555566"), "35 characters");
    cr_assert_not(text_is_uuid("0b5e3c1a-1111-4222-8333-9444455556666"), "37 characters");
    cr_assert_not(text_is_uuid("0b5e3c1a11114222833394444555566600000"), "no dashes");
    cr_assert_not(text_is_uuid("0b5e3c1a-1111-4222-8333_944445555666"), "wrong separator");
    cr_assert_not(text_is_uuid("0b5e3c1a-1111-4222-8333-94444555566g"), "non-hex digit");
    cr_assert_not(text_is_uuid("0b5e3c1a1-111-4222-8333-944445555666"), "dash misplaced");
    cr_assert_not(text_is_uuid("{b5e3c1a-1111-4222-8333-944445555666}"));
    cr_assert_not(text_is_uuid(" 0b5e3c1a-1111-4222-8333-94444555566"));
}

Test(text, in_list)
{
    static const char *const statuses[] = {"open", "completed", NULL};
    cr_assert(text_in_list(statuses, "open"));
    cr_assert(text_in_list(statuses, "completed"));
    cr_assert_not(text_in_list(statuses, "Open"), "case matters");
    cr_assert_not(text_in_list(statuses, "open "));
    cr_assert_not(text_in_list(statuses, ""));
    cr_assert_not(text_in_list(statuses, NULL));
}

Test(text, split_ref)
{
    char *system = NULL, *id = NULL;
    cr_assert(text_split_ref("lcs:12:34", &system, &id));
    cr_assert_str_eq(system, "lcs");
    cr_assert_str_eq(id, "12:34", "the id keeps any later colon");
    free(system);
    free(id);
    char long_ref[203];
    memset(long_ref, 'x', sizeof long_ref - 1);
    long_ref[sizeof long_ref - 1] = '\0';
    long_ref[3] = ':';
    const char *bad[] = {"", "lcs", ":12", "lcs:", long_ref};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        system = id = NULL;
        cr_assert_not(text_split_ref(bad[i], &system, &id), "%.20s", bad[i]);
        cr_assert_null(system, "nothing allocated for a malformed reference");
        cr_assert_null(id);
    }
}

Test(text, date)
{
    cr_assert(text_is_date("2026-11-23"));
    cr_assert(text_is_date("2024-02-29"), "2024 is a leap year");
    cr_assert(text_is_date("2000-02-29"), "2000 is a leap year (divisible by 400)");
    cr_assert_not(text_is_date("2023-02-29"), "2023 is not a leap year");
    cr_assert_not(text_is_date("1900-02-29"), "1900 is not a leap year (divisible by 100)");
    cr_assert(text_is_date("2023-02-28"));
    cr_assert_not(text_is_date("2026-13-01"), "month 13");
    cr_assert_not(text_is_date("2026-00-10"), "month 0");
    cr_assert_not(text_is_date("2026-01-00"), "day 0");
    cr_assert_not(text_is_date("2026-04-31"), "April has 30 days");
    cr_assert(text_is_date("2026-12-31"));
    cr_assert(text_is_date("0001-01-01"));
    cr_assert_not(text_is_date("0000-01-01"), "there is no year 0");
    cr_assert_not(text_is_date(NULL));
    cr_assert_not(text_is_date(""));
    cr_assert_not(text_is_date("2026-1-01"));
    cr_assert_not(text_is_date("2026-01-1"));
    cr_assert_not(text_is_date("2026/01/01"));
    cr_assert_not(text_is_date("20260101"));
    cr_assert_not(text_is_date("2026-01-01T00:00:00Z"));
    cr_assert_not(text_is_date("2026-01-1a"));
    cr_assert_not(text_is_date("-026-01-01"));
    cr_assert_not(text_is_date("+026-01-01"));
    cr_assert_not(text_is_date(" 2026-01-0"));
    cr_assert_not(text_is_date("2026-01- 1"));
}

Test(text, timestamp)
{
    cr_assert(text_is_timestamp("2026-11-23T10:00:00Z"));
    cr_assert(text_is_timestamp("2026-11-23t10:00:00z"), "RFC 3339 allows lower case T and Z");
    cr_assert(text_is_timestamp("2026-11-23T10:00:00+01:00"));
    cr_assert(text_is_timestamp("2026-11-23T10:00:00-05:30"));
    cr_assert(text_is_timestamp("2026-11-23T10:00:00+00:00"));
    cr_assert(text_is_timestamp("2026-11-23T10:00:00.1Z"));
    cr_assert(text_is_timestamp("2026-11-23T10:00:00.123456Z"));
    cr_assert(text_is_timestamp("2026-11-23T10:00:00.123456789+02:00"));
    cr_assert(text_is_timestamp("2026-12-31T23:59:60Z"), "leap second");
    cr_assert(text_is_timestamp("2024-02-29T00:00:00Z"));

    cr_assert_not(text_is_timestamp(NULL));
    cr_assert_not(text_is_timestamp(""));
    cr_assert_not(text_is_timestamp("2026-11-23"), "a date is not a timestamp");
    cr_assert_not(text_is_timestamp("2026-11-23T10:00:00"), "no zone");
    cr_assert_not(text_is_timestamp("2026-11-23T10:00Z"), "no seconds");
    cr_assert_not(text_is_timestamp("2026-11-23X10:00:00Z"));
    cr_assert_not(text_is_timestamp("2023-02-29T10:00:00Z"), "date does not exist");
    cr_assert_not(text_is_timestamp("2026-11-23T24:00:00Z"));
    cr_assert_not(text_is_timestamp("2026-11-23T23:60:00Z"));
    cr_assert_not(text_is_timestamp("2026-11-23T23:59:61Z"));
    cr_assert_not(text_is_timestamp("2026-11-23T1:00:00ZZ"));
    cr_assert_not(text_is_timestamp("2026-11-23T10:00:00.Z"), "fraction without digits");
    cr_assert_not(text_is_timestamp("2026-11-23T10:00:00.1234567890Z"), "ten fraction digits");
    cr_assert_not(text_is_timestamp("2026-11-23T10:00:00+0100"), "offset without colon");
    cr_assert_not(text_is_timestamp("2026-11-23T10:00:00+01"), "offset without minutes");
    cr_assert_not(text_is_timestamp("2026-11-23T10:00:00+24:00"));
    cr_assert_not(text_is_timestamp("2026-11-23T10:00:00+01:60"));
    cr_assert_not(text_is_timestamp("2026-11-23T10:00:00Z "), "trailing space");
    cr_assert_not(text_is_timestamp("2026-11-23T10:00:00ZZ"));
    cr_assert_not(text_is_timestamp("2026-11-23T10:00:00+01:00x"));
    cr_assert_not(text_is_timestamp("2026-11-23T1a:00:00Z"));
    cr_assert_not(text_is_timestamp("2026-11-23T-1:00:00Z"));
}

Test(text, utf8_well_formed)
{
    cr_assert(text_is_utf8("", 0));
    cr_assert(text_is_utf8("plain ascii", 11));
    cr_assert(text_is_utf8("\xc3\xa9", 2), "U+00E9");
    cr_assert(text_is_utf8("\xc2\x80", 2), "U+0080, smallest two-byte");
    cr_assert(text_is_utf8("\xe2\x82\xac", 3), "U+20AC");
    cr_assert(text_is_utf8("\xe0\xa0\x80", 3), "U+0800, smallest three-byte");
    cr_assert(text_is_utf8("\xef\xbf\xbf", 3), "U+FFFF");
    cr_assert(text_is_utf8("\xed\x9f\xbf", 3), "U+D7FF, just below the surrogates");
    cr_assert(text_is_utf8("\xee\x80\x80", 3), "U+E000, just above the surrogates");
    cr_assert(text_is_utf8("\xf0\x9f\x98\x80", 4), "U+1F600");
    cr_assert(text_is_utf8("\xf0\x90\x80\x80", 4), "U+10000, smallest four-byte");
    cr_assert(text_is_utf8("\xf4\x8f\xbf\xbf", 4), "U+10FFFF, the last code point");
}

Test(text, utf8_ill_formed)
{
    cr_assert_not(text_is_utf8("\xc0\x80", 2), "overlong NUL");
    cr_assert_not(text_is_utf8("\xc1\xbf", 2), "overlong two-byte");
    cr_assert_not(text_is_utf8("\xe0\x80\x80", 3), "overlong three-byte");
    cr_assert_not(text_is_utf8("\xe0\x9f\xbf", 3), "overlong U+07FF");
    cr_assert_not(text_is_utf8("\xf0\x80\x80\x80", 4), "overlong four-byte");
    cr_assert_not(text_is_utf8("\xf0\x8f\xbf\xbf", 4), "overlong U+FFFF");
    cr_assert_not(text_is_utf8("\xed\xa0\x80", 3), "surrogate U+D800");
    cr_assert_not(text_is_utf8("\xed\xbf\xbf", 3), "surrogate U+DFFF");
    cr_assert_not(text_is_utf8("\xf4\x90\x80\x80", 4), "U+110000");
    cr_assert_not(text_is_utf8("\xf5\x80\x80\x80", 4), "lead byte F5");
    cr_assert_not(text_is_utf8("\xf8\x88\x80\x80\x80", 5), "five-byte form");
    cr_assert_not(text_is_utf8("\xff", 1));
    cr_assert_not(text_is_utf8("\x80", 1), "lone continuation byte");
    cr_assert_not(text_is_utf8("a\xbf", 2), "lone continuation byte after ASCII");
    cr_assert_not(text_is_utf8("\xc3", 1), "truncated two-byte");
    cr_assert_not(text_is_utf8("\xe2\x82", 2), "truncated three-byte");
    cr_assert_not(text_is_utf8("\xf0\x9f\x98", 3), "truncated four-byte");
    cr_assert_not(text_is_utf8("\xc3\xa9", 1), "n cuts the sequence");
    cr_assert_not(text_is_utf8("\xc3\x41", 2), "bad continuation byte");
    cr_assert_not(text_is_utf8("\xe2\x28\xa1", 3));
    cr_assert_not(text_is_utf8("a\0b", 3), "NUL inside");
    cr_assert_not(text_is_utf8("\0", 1), "a lone NUL");
}

Test(text, utf8_length_counts_code_points)
{
    cr_assert_eq(text_utf8_length(""), 0);
    cr_assert_eq(text_utf8_length("abc"), 3);
    cr_assert_eq(text_utf8_length("\xc3\xa9"), 1);
    cr_assert_eq(text_utf8_length("caf\xc3\xa9"), 4);
    cr_assert_eq(text_utf8_length("\xe2\x82\xac" "uro"), 4);
    cr_assert_eq(text_utf8_length("\xf0\x9f\x98\x80\xf0\x9f\x98\x80"), 2);
}

static size_t encoded_length(size_t n)
{
    return 4 * (n / 3) + (n % 3 ? n % 3 + 1 : 0);
}

Test(text, base64url_round_trips_for_lengths_0_to_10)
{
    const unsigned char source[] = {0xfb, 0xff, 0x00, 'a', 0x3e, 0x3f, 0x80, 0x7f, 0xfe, 0x01, 0xbf};
    for (size_t n = 0; n <= 10; n++) {
        char enc[32];
        size_t len = text_base64url_encode(source, n, enc, sizeof enc);
        cr_assert_eq(len, encoded_length(n), "length %zu encodes to %zu chars: %s", n, len, enc);
        cr_assert_eq(strlen(enc), len, "terminated");
        cr_assert_eq(strspn(enc, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
                     len, "base64url alphabet, no padding: %s", enc);
        unsigned char dec[16];
        long got = text_base64url_decode(enc, dec, sizeof dec);
        cr_assert_eq(got, (long)n, "length %zu decodes to %ld bytes", n, got);
        cr_assert_eq(memcmp(dec, source, n), 0, "length %zu round trip", n);
    }
}

Test(text, base64url_known_vectors)
{
    static const struct {
        const char *plain, *encoded;
    } v[] = {{"", ""},         {"f", "Zg"},         {"fo", "Zm8"},      {"foo", "Zm9v"},
             {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"}};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char enc[32];
        text_base64url_encode((const unsigned char *)v[i].plain, strlen(v[i].plain), enc,
                              sizeof enc);
        cr_assert_str_eq(enc, v[i].encoded);
    }
    const unsigned char url[] = {0xfb, 0xff};
    char enc[8];
    text_base64url_encode(url, 2, enc, sizeof enc);
    cr_assert_str_eq(enc, "-_8", "'-' and '_' replace '+' and '/'");
}

Test(text, base64url_decode_refuses_malformed_input)
{
    unsigned char out[32];
    cr_assert_eq(text_base64url_decode("A", out, sizeof out), -1, "impossible length");
    cr_assert_eq(text_base64url_decode("Zm9vY", out, sizeof out), -1, "impossible length");
    cr_assert_eq(text_base64url_decode("Zm9v=", out, sizeof out), -1, "padding");
    cr_assert_eq(text_base64url_decode("Zm9vYg==", out, sizeof out), -1, "padding");
    cr_assert_eq(text_base64url_decode("Zm+v", out, sizeof out), -1, "standard alphabet '+'");
    cr_assert_eq(text_base64url_decode("Zm/v", out, sizeof out), -1, "standard alphabet '/'");
    cr_assert_eq(text_base64url_decode("Zm 9v", out, sizeof out), -1, "space");
    cr_assert_eq(text_base64url_decode("", out, sizeof out), 0);
    cr_assert_eq(text_base64url_decode("Zm9vYmFy", out, 5), -1, "output too small");
    cr_assert_eq(text_base64url_decode("Zm9vYmFy", out, 6), 6);
}

Test(text, base64url_encode_never_overflows)
{
    const unsigned char data[] = "foobar";
    char small[5];
    memset(small, 'x', sizeof small);
    text_base64url_encode(data, 6, small, sizeof small);
    cr_assert_eq(small[4], '\0', "terminated within out_size");
    cr_assert_eq(strncmp(small, "Zm9v", 4), 0);
}

static void assert_decodes(const char *in, const char *expected)
{
    char *out = text_percent_decode(in, strlen(in));
    bool ok = out && strcmp(out, expected) == 0;
    char got[128];
    snprintf(got, sizeof got, "%s", out ? out : "(null)");
    free(out);
    cr_assert(ok, "'%s' decodes to '%s', expected '%s'", in, got, expected);
}

static void assert_refused(const char *in)
{
    char *out = text_percent_decode(in, strlen(in));
    bool refused = out == NULL;
    free(out);
    cr_assert(refused, "'%s' must be refused", in);
}

Test(text, percent_decode)
{
    assert_decodes("", "");
    assert_decodes("abc", "abc");
    assert_decodes("a%20b", "a b");
    assert_decodes("a+b", "a b");
    assert_decodes("%41%42", "AB");
    assert_decodes("%c3%a9", "\xc3\xa9");
    assert_decodes("%C3%A9t%C3%A9", "\xc3\xa9t\xc3\xa9");
    assert_decodes("100%25", "100%");
    assert_decodes("%2B", "+");
    assert_decodes("\xc3\xa9", "\xc3\xa9");

    char *part = text_percent_decode("abcdef", 3);
    cr_assert_str_eq(part, "abc", "only n bytes are read");
    free(part);
    part = text_percent_decode("%41%42", 3);
    cr_assert_str_eq(part, "A");
    free(part);
}

Test(text, percent_decode_refuses_bad_escapes)
{
    assert_refused("%");
    assert_refused("%2");
    assert_refused("a%2");
    assert_refused("%zz");
    assert_refused("%2z");
    assert_refused("%z2");
    assert_refused("%%41");
    cr_assert_null(text_percent_decode("%41%4", 5), "escape cut by n");
}

Test(text, percent_decode_refuses_invalid_utf8)
{
    assert_refused("%00");
    assert_refused("a%00b");
    assert_refused("%C3");
    assert_refused("%FF");
    assert_refused("%C0%80");
    assert_refused("%ED%A0%80");
    assert_refused("\xc3");
}

Test(text, sha256_hex)
{
    char out[65];
    text_sha256_hex("abc", 3, out);
    cr_assert_str_eq(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    text_sha256_hex("", 0, out);
    cr_assert_str_eq(out, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const char two_blocks[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    text_sha256_hex(two_blocks, strlen(two_blocks), out);
    cr_assert_str_eq(out, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

Test(text, random_hex)
{
    char a[33], b[33];
    text_random_hex(a, 32);
    text_random_hex(b, 32);
    cr_assert_eq(strlen(a), 32);
    cr_assert_eq(strspn(a, "0123456789abcdef"), 32, "lower-case hex: %s", a);
    cr_assert_str_neq(a, b, "two draws differ");
    char odd[8];
    text_random_hex(odd, 7);
    cr_assert_eq(strlen(odd), 7);
}

/* SEC-5: database messages reach the log with the values they quote
 * replaced, whatever the buffer's size. */
Test(text, SEC_5_redact_quoted_values_in_database_messages)
{
    char out[128];
    text_redact_quoted("invalid input syntax for type uuid: \"Jane Doe 2014-03-02\"", out,
                       sizeof out);
    cr_assert_str_eq(out, "invalid input syntax for type uuid: \"\xe2\x80\xa6\"");
    text_redact_quoted("value \"99999999999\" is out of range for type integer", out, sizeof out);
    cr_assert_str_eq(out, "value \"\xe2\x80\xa6\" is out of range for type integer");
    text_redact_quoted("no quotes here", out, sizeof out);
    cr_assert_str_eq(out, "no quotes here");
    /* an unterminated quote hides everything after it */
    text_redact_quoted("bad: \"secret and more", out, sizeof out);
    cr_assert_str_eq(out, "bad: \"\xe2\x80\xa6");
    /* small buffers: always terminated, never a byte of the quoted value */
    for (size_t size = 1; size <= 12; size++) {
        char small[12];
        text_redact_quoted("ab \"secret\" cd", small, size);
        cr_assert_lt(strlen(small), size);
        cr_assert_null(strstr(small, "s"), "size %zu: %s", size, small);
    }
    text_redact_quoted("x", out, 0); /* nothing written, no crash */
}
