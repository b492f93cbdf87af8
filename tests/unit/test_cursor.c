/* Cursor encoding and page sizes (http/cursor.c). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "core/cursor.h"

Test(cursor, round_trip_keeps_every_part)
{
    const char *parts[] = {"2026-11-23T10:00:00.123456Z", "0b5e3c1a-1111-4222-8333-944445555666"};
    char *c = cursor_encode(parts, 2);
    cr_assert_not_null(c);
    cr_assert_eq(strspn(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
                 strlen(c), "base64url alphabet only: %s", c);
    char *out[4] = {0};
    cr_assert_eq(cursor_decode(c, out, 4), 2);
    cr_assert_str_eq(out[0], parts[0]);
    cr_assert_str_eq(out[1], parts[1]);
    free(out[0]);
    free(out[1]);
    free(c);
}

Test(cursor, malformed_cursors_are_refused)
{
    char *out[4] = {0};
    cr_assert_eq(cursor_decode("", out, 4), -1);
    cr_assert_eq(cursor_decode("not base64!", out, 4), -1);
    cr_assert_eq(cursor_decode("YWJj", out, 4), -1, "valid base64url without the c1 prefix");
    cr_assert_eq(cursor_decode("A", out, 4), -1, "impossible length");
}

Test(cursor, too_many_parts_are_refused_without_leaking)
{
    const char *parts[] = {"a", "b", "c"};
    char *c = cursor_encode(parts, 3);
    char *out[2] = {0};
    cr_assert_eq(cursor_decode(c, out, 2), -1);
    cr_assert_null(out[0]);
    free(c);
}

Test(cursor, a_part_with_the_separator_cannot_be_encoded)
{
    const char *parts[] = {"a|b"};
    cr_assert_null(cursor_encode(parts, 1));
}

Test(cursor, page_limit_bounds)
{
    int limit = 0;
    cr_assert(page_limit_parse(NULL, &limit));
    cr_assert_eq(limit, 50);
    cr_assert(page_limit_parse("1", &limit));
    cr_assert_eq(limit, 1);
    cr_assert(page_limit_parse("200", &limit));
    cr_assert_eq(limit, 200);
    cr_assert_not(page_limit_parse("0", &limit));
    cr_assert_not(page_limit_parse("201", &limit));
    cr_assert_not(page_limit_parse("-1", &limit));
    cr_assert_not(page_limit_parse("10x", &limit));
    cr_assert_not(page_limit_parse("", &limit));
}
