/* The verified-token cache: a hit only for the very same token, and only
 * until the token's expiry. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "auth/token_cache.h"

static caller someone(long long expires_at)
{
    caller c;
    memset(&c, 0, sizeof c);
    strcpy(c.sub, "unit-sub-1");
    strcpy(c.agency, "UNIT-A");
    c.roles = ROLE_PRACTITIONER;
    c.expires_at = expires_at;
    return c;
}

TestSuite(token_cache, .init = token_cache_init, .fini = token_cache_free);

Test(token_cache, SEC_1_a_stored_token_is_found_until_it_expires)
{
    caller in = someone(1000);
    token_cache_put("aaa.bbb.ccc", &in);
    caller out;
    cr_assert(token_cache_get("aaa.bbb.ccc", 999, &out));
    cr_assert_str_eq(out.sub, "unit-sub-1");
    cr_assert_eq(out.roles, ROLE_PRACTITIONER);
    cr_assert(token_cache_get("aaa.bbb.ccc", 1000, &out));
    cr_assert_not(token_cache_get("aaa.bbb.ccc", 1001, &out), "expired tokens are a miss");
}

Test(token_cache, SEC_1_only_the_identical_token_hits)
{
    caller in = someone(1000);
    token_cache_put("aaa.bbb.ccc", &in);
    caller out;
    cr_assert_not(token_cache_get("aaa.bbb.ccd", 1, &out));
    cr_assert_not(token_cache_get("aaa.bbb.cc", 1, &out));
    cr_assert_not(token_cache_get("aaa.bbb.ccc ", 1, &out));
    cr_assert_not(token_cache_get("", 1, &out));
}

Test(token_cache, a_colliding_token_replaces_the_old_one_without_confusing_them)
{
    /* Fill far more tokens than there are slots: every lookup either misses
     * or returns the caller stored for exactly that token. */
    char token[32];
    for (int i = 0; i < 5000; i++) {
        caller c = someone(1000 + i);
        snprintf(token, sizeof token, "tok-%d", i);
        token_cache_put(token, &c);
    }
    int hits = 0;
    for (int i = 0; i < 5000; i++) {
        caller out;
        snprintf(token, sizeof token, "tok-%d", i);
        if (token_cache_get(token, 0, &out)) {
            cr_assert_eq(out.expires_at, 1000 + i, "token %d answered another's caller", i);
            hits++;
        }
    }
    cr_assert_gt(hits, 0);
    cr_assert_leq(hits, 1024, "the table is bounded");
}

Test(token_cache, nothing_is_found_before_init_or_after_free)
{
    token_cache_free();
    caller in = someone(1000);
    token_cache_put("x.y.z", &in);
    caller out;
    cr_assert_not(token_cache_get("x.y.z", 1, &out));
    token_cache_init();
}
