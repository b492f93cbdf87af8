/* Path matching against route templates (http/route.c, route_match). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/routes.h"
#include "http/route.h"

static void free_values(char **values, int n)
{
    for (int i = 0; i < n; i++) {
        free(values[i]);
        values[i] = NULL;
    }
}

/* Matches and expects exactly the given values (NULL-terminated list). */
static void assert_match(const char *template, const char *path, const char *const *expected)
{
    char *values[4] = {0};
    int want = 0;
    while (expected && expected[want])
        want++;
    int n = route_match(template, path, values, 4);
    int bad = -1;
    char got[128] = "";
    for (int i = 0; i < n && i < want; i++) {
        if (bad < 0 && strcmp(values[i], expected[i]) != 0) {
            bad = i;
            snprintf(got, sizeof got, "%s", values[i]);
        }
    }
    free_values(values, n > 0 ? n : 0);
    cr_assert_eq(n, want, "%s against %s: %d values, expected %d", path, template, n, want);
    cr_assert_eq(bad, -1, "%s against %s: value %d is '%s', expected '%s'", path, template, bad,
                 got, bad >= 0 ? expected[bad] : "");
}

static void assert_mismatch(const char *template, const char *path)
{
    char *values[4] = {0};
    int n = route_match(template, path, values, 4);
    if (n > 0)
        free_values(values, n);
    cr_assert_eq(n, -1, "%s must not match %s", path, template);
}

Test(route_match, literal_routes)
{
    assert_match("/v1/meetings", "/v1/meetings", NULL);
    assert_match("/livez", "/livez", NULL);
    assert_mismatch("/v1/meetings", "/v1/meeting");
    assert_mismatch("/v1/meetings", "/v1/meetingsx");
    assert_mismatch("/v1/meetings", "/v2/meetings");
    assert_mismatch("/v1/meetings", "/V1/meetings");
    assert_mismatch("/livez", "/readyz");
}

Test(route_match, one_parameter)
{
    const char *id[] = {"0b5e3c1a-1111-4222-8333-944445555666", NULL};
    assert_match("/v1/meetings/{id}", "/v1/meetings/0b5e3c1a-1111-4222-8333-944445555666", id);
    const char *abc[] = {"abc", NULL};
    assert_match("/v1/meetings/{id}/authorise", "/v1/meetings/abc/authorise", abc);
    assert_mismatch("/v1/meetings/{id}/authorise", "/v1/meetings/abc/decline");
}

Test(route_match, two_parameters)
{
    const char *both[] = {"m-1", "i-2", NULL};
    assert_match("/v1/meetings/{id}/invitations/{invitation_id}",
                 "/v1/meetings/m-1/invitations/i-2", both);
}

Test(route_match, every_value_is_freed_by_the_caller)
{
    char *values[2] = {0};
    int n = route_match("/a/{x}/b/{y}", "/a/1/b/2", values, 2);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(values[0], "1");
    cr_assert_str_eq(values[1], "2");
    free(values[0]);
    free(values[1]);
}

Test(route_match, more_parameters_than_room_is_a_mismatch)
{
    char *values[1] = {0};
    cr_assert_eq(route_match("/a/{x}/b/{y}", "/a/1/b/2", values, 1), -1);
    cr_assert_eq(route_match("/a/{x}", "/a/1", values, 0), -1);
}

Test(route_match, percent_decoded_values)
{
    const char *space[] = {"a b", NULL};
    assert_match("/v1/meetings/{id}", "/v1/meetings/a%20b", space);
    const char *e[] = {"\xc3\xa9t\xc3\xa9", NULL};
    assert_match("/v1/agencies/{code}", "/v1/agencies/%C3%A9t%c3%a9", e);
    const char *pct[] = {"100%", NULL};
    assert_match("/v1/agencies/{code}", "/v1/agencies/100%25", pct);
}

Test(route_match, plus_in_a_path_is_a_plus)
{
    /* '+' means a space only in form-encoded query strings (RFC 3986: a path
     * sub-delimiter with no special meaning). */
    const char *plus[] = {"a+b", NULL};
    assert_match("/v1/agencies/{code}", "/v1/agencies/a+b", plus);
}

Test(route_match, trailing_slash_accepted)
{
    assert_match("/v1/meetings", "/v1/meetings/", NULL);
    const char *id[] = {"x", NULL};
    assert_match("/v1/meetings/{id}", "/v1/meetings/x/", id);
    assert_mismatch("/v1/meetings", "/v1/meetings//");
}

Test(route_match, extra_or_missing_segments_rejected)
{
    assert_mismatch("/v1/meetings/{id}", "/v1/meetings/x/y");
    assert_mismatch("/v1/meetings/{id}", "/v1/meetings");
    assert_mismatch("/v1/meetings/{id}/authorise", "/v1/meetings/x");
    assert_mismatch("/v1/meetings", "/v1");
    assert_mismatch("/v1/meetings", "/");
    assert_mismatch("/v1/meetings", "");
    assert_mismatch("/v1/meetings", "v1/meetings");
}

Test(route_match, empty_segment_rejected)
{
    assert_mismatch("/v1/meetings/{id}", "/v1/meetings/");
    assert_mismatch("/v1/meetings/{id}/authorise", "/v1/meetings//authorise");
    assert_mismatch("/v1/meetings", "/v1//meetings");
    assert_mismatch("/v1/meetings", "//v1/meetings");
}

Test(route_match, invalid_percent_escapes_rejected)
{
    assert_mismatch("/v1/meetings/{id}", "/v1/meetings/%");
    assert_mismatch("/v1/meetings/{id}", "/v1/meetings/%2");
    assert_mismatch("/v1/meetings/{id}", "/v1/meetings/a%2");
    assert_mismatch("/v1/meetings/{id}", "/v1/meetings/%zz");
    assert_mismatch("/v1/meetings/{id}", "/v1/meetings/%00");
    assert_mismatch("/v1/meetings/{id}", "/v1/meetings/%C3");
    assert_mismatch("/v1/meetings/{id}", "/v1/meetings/%ff%fe");
}

Test(route_match, a_late_mismatch_frees_earlier_values)
{
    /* the first value is decoded before the second segment fails; LeakSanitizer
     * checks it is released */
    assert_mismatch("/v1/meetings/{id}/invitations/{invitation_id}",
                    "/v1/meetings/m-1/invitations/%zz");
    assert_mismatch("/v1/meetings/{id}/invitations", "/v1/meetings/m-1/minutes");
    assert_mismatch("/v1/meetings/{id}", "/v1/meetings/m-1/extra");
}

Test(route_match, braces_in_a_path_are_literal_text)
{
    assert_mismatch("/v1/meetings", "/v1/{meetings}");
    const char *braces[] = {"{id}", NULL};
    assert_match("/v1/meetings/{id}", "/v1/meetings/{id}", braces);
}

Test(route_match, the_route_table_is_well_formed)
{
    int n = routes_count(api_routes);
    cr_assert_gt(n, 0);
    for (int i = 0; i < n; i++) {
        const route *r = &api_routes[i];
        cr_assert_not_null(r->template, "route %d", i);
        cr_assert_eq(r->template[0], '/', "route %d: %s", i, r->template);
        cr_assert_not_null(r->handler, "%s %s", r->method, r->template);
        /* a template matches itself, with its parameter names as values */
        char *values[4] = {0};
        int got = route_match(r->template, r->template, values, 4);
        cr_assert_geq(got, 0, "%s does not match itself", r->template);
        free_values(values, got);
    }
}
