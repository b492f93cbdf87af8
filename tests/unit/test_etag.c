/* If-Match against a resource version (http/etag.c): RFC 9110 strong
 * comparison of "<version>" entity tags. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "http/etag.h"

static const char *name_of(enum if_match_result r)
{
    switch (r) {
    case IF_MATCH_OK: return "OK";
    case IF_MATCH_STALE: return "STALE";
    case IF_MATCH_MALFORMED: return "MALFORMED";
    }
    return "?";
}

#define assert_if_match(header, version, expected)                                              \
    do {                                                                                        \
        const char *h_ = (header);                                                              \
        enum if_match_result got_ = etag_if_match(h_, version);                                 \
        cr_assert_eq(got_, expected, "If-Match: %s against version %ld: expected %s, got %s",  \
                     h_ ? h_ : "(null)", (long)(version),                                       \
                     name_of(expected), name_of(got_));                                         \
    } while (0)

Test(etag, current_version_matches)
{
    assert_if_match("\"3\"", 3, IF_MATCH_OK);
    assert_if_match("\"1\"", 1, IF_MATCH_OK);
    assert_if_match("\"0\"", 0, IF_MATCH_OK);
    assert_if_match("\"123456789\"", 123456789, IF_MATCH_OK);
}

Test(etag, older_or_newer_version_is_stale)
{
    assert_if_match("\"2\"", 3, IF_MATCH_STALE);
    assert_if_match("\"4\"", 3, IF_MATCH_STALE);
    assert_if_match("\"33\"", 3, IF_MATCH_STALE);
}

Test(etag, weak_tags_never_match)
{
    assert_if_match("W/\"3\"", 3, IF_MATCH_STALE);
    assert_if_match("W/\"3\", W/\"4\"", 3, IF_MATCH_STALE);
    assert_if_match("W/\"2\", \"3\"", 3, IF_MATCH_OK);
}

Test(etag, star_matches_any_version)
{
    assert_if_match("*", 3, IF_MATCH_OK);
    assert_if_match("  *  ", 99, IF_MATCH_OK);
    assert_if_match("*, \"3\"", 3, IF_MATCH_MALFORMED);
    assert_if_match("**", 3, IF_MATCH_MALFORMED);
}

Test(etag, a_list_matches_when_any_member_does)
{
    assert_if_match("\"1\", \"3\"", 3, IF_MATCH_OK);
    assert_if_match("\"3\",\"1\"", 3, IF_MATCH_OK);
    assert_if_match("\"1\", \"2\", \"4\"", 3, IF_MATCH_STALE);
}

Test(etag, whitespace_around_tags_is_allowed)
{
    assert_if_match("  \"3\"  ", 3, IF_MATCH_OK);
    assert_if_match("\"1\"  ,\t \"3\"", 3, IF_MATCH_OK);
}

Test(etag, other_opaque_tags_are_stale_not_malformed)
{
    assert_if_match("\"abc\"", 3, IF_MATCH_STALE);
    assert_if_match("\"\"", 3, IF_MATCH_STALE);
    assert_if_match("\"-3\"", 3, IF_MATCH_STALE);
    assert_if_match("\"3.0\"", 3, IF_MATCH_STALE);
    assert_if_match("\"99999999999999999999999\"", 3, IF_MATCH_STALE);
}

Test(etag, strong_comparison_is_character_by_character)
{
    /* RFC 9110 8.8.3.2: the service sends "3"; "03" is another entity tag. */
    assert_if_match("\"03\"", 3, IF_MATCH_STALE);
    assert_if_match("\"003\"", 3, IF_MATCH_STALE);
}

Test(etag, malformed_headers_are_refused)
{
    assert_if_match("3", 3, IF_MATCH_MALFORMED);
    assert_if_match("\"3", 3, IF_MATCH_MALFORMED);
    assert_if_match("3\"", 3, IF_MATCH_MALFORMED);
    assert_if_match("", 3, IF_MATCH_MALFORMED);
    assert_if_match("   ", 3, IF_MATCH_MALFORMED);
    assert_if_match("\"3\",", 3, IF_MATCH_MALFORMED);
    assert_if_match("\"3\", ", 3, IF_MATCH_MALFORMED);
    assert_if_match(", \"3\"", 3, IF_MATCH_MALFORMED);
    assert_if_match("\"3\" \"4\"", 3, IF_MATCH_MALFORMED);
    assert_if_match("\"3\"x", 3, IF_MATCH_MALFORMED);
    assert_if_match("w/\"3\"", 3, IF_MATCH_MALFORMED);
    assert_if_match("W/3", 3, IF_MATCH_MALFORMED);
    assert_if_match("\"3 4\"", 3, IF_MATCH_MALFORMED);
    assert_if_match("\"3\x7f\"", 3, IF_MATCH_MALFORMED);
    assert_if_match(NULL, 3, IF_MATCH_MALFORMED);
}

Test(etag, very_long_header_is_malformed)
{
    /* 400 tags of "1", then ours: over 1 KiB */
    size_t n = 400 * 5 + 4;
    char *h = malloc(n + 1);
    cr_assert_not_null(h);
    char *p = h;
    for (int i = 0; i < 400; i++) {
        memcpy(p, "\"1\", ", 5);
        p += 5;
    }
    memcpy(p, "\"3\"", 4);
    cr_assert_gt(strlen(h), 1024u);
    assert_if_match(h, 3, IF_MATCH_MALFORMED);
    free(h);

    char *one = malloc(5001);
    cr_assert_not_null(one);
    one[0] = '"';
    memset(one + 1, '7', 4998);
    one[4999] = '"';
    one[5000] = '\0';
    assert_if_match(one, 7, IF_MATCH_MALFORMED);
    free(one);
}

Test(etag, a_header_just_under_the_limit_is_read)
{
    /* 200 tags of "1" (5 bytes each with the separator) then "3": about 1 KiB */
    char h[1100];
    char *p = h;
    for (int i = 0; i < 200; i++) {
        memcpy(p, "\"1\", ", 5);
        p += 5;
    }
    memcpy(p, "\"3\"", 4);
    cr_assert_leq(strlen(h), 1024u);
    assert_if_match(h, 3, IF_MATCH_OK);
}
