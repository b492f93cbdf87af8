/* Webhooks (INT-5) without the database: Standard Webhooks signatures
 * (the reference libraries' own test vector), the egress policy for URLs
 * and for the addresses a host resolves to (API7, SSRF), sealing secrets
 * at rest, the retry schedule, and the settings. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/secret.h"
#include "domain/violations.h"
#include "domain/webhooks.h"
#include "http/webhook_send.h"
#include "http/webhook_worker.h"

Test(webhooks, INT_5_signature_matches_the_standard_webhooks_test_vector)
{
    /* libraries/python/tests/test_webhooks.py, test_sign_function */
    unsigned char key[64];
    long n = secret_base64_decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", key, sizeof key);
    cr_assert_eq(n, 24);
    char sig[HOOK_SIGNATURE_MAX];
    hook_sign(key, (size_t)n, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
              "{\"test\": 2432232314}", sig);
    cr_assert_str_eq(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

Test(webhooks, INT_5_secrets_are_whsec_and_32_random_bytes)
{
    unsigned char a[HOOK_SECRET_BYTES], b[HOOK_SECRET_BYTES];
    char ta[HOOK_SECRET_TEXT_MAX], tb[HOOK_SECRET_TEXT_MAX];
    hook_secret_new(a, ta);
    hook_secret_new(b, tb);
    cr_assert(strncmp(ta, "whsec_", 6) == 0);
    cr_assert_eq(strlen(ta), 6 + 44);
    cr_assert_str_neq(ta, tb);
    unsigned char back[64];
    cr_assert_eq(secret_base64_decode(ta + 6, back, sizeof back), HOOK_SECRET_BYTES);
    cr_assert(memcmp(back, a, HOOK_SECRET_BYTES) == 0);
}

Test(webhooks, base64_is_canonical)
{
    unsigned char out[16];
    cr_assert_eq(secret_base64_decode("Zm9vYg==", out, sizeof out), 4);
    cr_assert_eq(secret_base64_decode("Zm9vYh==", out, sizeof out), -1, "non-zero padding bits");
    cr_assert_eq(secret_base64_decode("Zm9vYg=", out, sizeof out), -1);
    cr_assert_eq(secret_base64_decode("Zm=vYg==", out, sizeof out), -1);
    cr_assert_eq(secret_base64_decode("Zm9v_g==", out, sizeof out), -1, "base64url is not base64");
    char text[16];
    secret_base64_encode((const unsigned char *)"foob", 4, text, sizeof text);
    cr_assert_str_eq(text, "Zm9vYg==");
}

Test(webhooks, INT_5_sealed_secrets_open_only_with_the_key_and_their_endpoint)
{
    unsigned char key[SECRET_KEY_BYTES], other[SECRET_KEY_BYTES];
    secret_random(key, sizeof key);
    secret_random(other, sizeof other);
    const unsigned char plain[] = "thirty-two bytes of secret here!";
    char *sealed = secret_seal(key, "endpoint-a", plain, 32);
    cr_assert(sealed && strncmp(sealed, "v1.", 3) == 0);
    cr_assert_null(strstr(sealed, "thirty"), "sealed, not encoded");
    unsigned char out[64];
    cr_assert_eq(secret_open(key, "endpoint-a", sealed, out, sizeof out), 32);
    cr_assert(memcmp(out, plain, 32) == 0);
    cr_assert_eq(secret_open(other, "endpoint-a", sealed, out, sizeof out), -1, "another key");
    cr_assert_eq(secret_open(key, "endpoint-b", sealed, out, sizeof out), -1,
                 "copied to another endpoint");
    sealed[10] = sealed[10] == 'A' ? 'B' : 'A';
    cr_assert_eq(secret_open(key, "endpoint-a", sealed, out, sizeof out), -1, "tampered");
    char *again = secret_seal(key, "endpoint-a", plain, 32);
    cr_assert_str_neq(again, sealed, "a fresh nonce each time");
    free(again);
    free(sealed);
}

static config_integrations policy(bool loopback)
{
    static char *hosts[] = {"hooks.police.example", "*.nhs.example", "127.0.0.1"};
    config_integrations c;
    memset(&c, 0, sizeof c);
    c.webhook_allowed_hosts = hosts;
    c.n_webhook_allowed_hosts = 3;
    c.webhook_allow_loopback = loopback;
    return c;
}

Test(webhooks, API7_only_https_urls_on_the_allow_list)
{
    config_integrations c = policy(false);
    cr_assert_null(webhook_url_refusal("https://hooks.police.example/mam", &c));
    cr_assert_null(webhook_url_refusal("https://HOOKS.police.example:8443/a?b=c", &c));
    cr_assert_null(webhook_url_refusal("https://trust1.nhs.example/hook", &c));
    cr_assert_not_null(webhook_url_refusal("https://nhs.example/hook", &c), "*.x is not x");
    cr_assert_not_null(webhook_url_refusal("https://evilnhs.example/hook", &c));
    cr_assert_not_null(webhook_url_refusal("http://hooks.police.example/mam", &c), "plain http");
    cr_assert_not_null(webhook_url_refusal("https://other.example/mam", &c), "not listed");
    cr_assert_not_null(webhook_url_refusal("https://user:pw@hooks.police.example/", &c));
    cr_assert_not_null(webhook_url_refusal("https://hooks.police.example@evil.example/", &c));
    cr_assert_not_null(webhook_url_refusal("https://hooks.police.example/#x", &c));
    cr_assert_not_null(webhook_url_refusal("https://127.0.0.1/", &c), "loopback refused");
    cr_assert_not_null(webhook_url_refusal("https://[::1]/", &c));
    cr_assert_not_null(webhook_url_refusal("ftp://hooks.police.example/", &c));
    cr_assert_not_null(webhook_url_refusal("https://hooks.police.example /x", &c));
    cr_assert_not_null(webhook_url_refusal("https://hooks.police.example:0/", &c));
    cr_assert_not_null(webhook_url_refusal("https://hooks.police.example:99999/", &c));
    cr_assert_not_null(webhook_url_refusal("https:///x", &c));
    c = policy(true);
    cr_assert_null(webhook_url_refusal("http://127.0.0.1:8080/hook", &c), "tests: loopback");
    cr_assert_not_null(webhook_url_refusal("http://hooks.police.example/", &c),
                       "plain http to loopback only");
}

static bool refused4(const char *ip, bool loopback)
{
    struct sockaddr_in a = {.sin_family = AF_INET};
    cr_assert_eq(inet_pton(AF_INET, ip, &a.sin_addr), 1);
    return hook_address_refused((struct sockaddr *)&a, loopback);
}

static bool refused6(const char *ip, bool loopback)
{
    struct sockaddr_in6 a = {.sin6_family = AF_INET6};
    cr_assert_eq(inet_pton(AF_INET6, ip, &a.sin6_addr), 1);
    return hook_address_refused((struct sockaddr *)&a, loopback);
}

Test(webhooks, API7_private_loopback_and_link_local_addresses_are_refused_after_resolution)
{
    const char *refused[] = {"10.1.2.3",    "172.16.0.1", "172.31.255.255", "192.168.1.1",
                             "127.0.0.1",   "127.9.9.9",  "169.254.169.254", "100.64.0.1",
                             "0.0.0.0",     "224.0.0.1",  "255.255.255.255", "192.0.2.1",
                             "198.18.0.1",  NULL};
    for (const char **ip = refused; *ip; ip++)
        cr_assert(refused4(*ip, false), "%s is refused", *ip);
    cr_assert_not(refused4("93.184.216.34", false));
    cr_assert_not(refused4("172.32.0.1", false));
    cr_assert_not(refused4("127.0.0.1", true), "loopback when a test allows it");
    cr_assert(refused4("10.0.0.1", true), "private even then");
    const char *refused_v6[] = {"::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1",
                                "::ffff:10.0.0.1", "::ffff:127.0.0.1", "::ffff:169.254.169.254",
                                "64:ff9b::a00:1", "2001:db8::1", "2002:a00:1::", NULL};
    for (const char **ip = refused_v6; *ip; ip++)
        cr_assert(refused6(*ip, false), "%s is refused", *ip);
    cr_assert_not(refused6("2a00:1450:4009:81a::200e", false));
    cr_assert_not(refused6("::1", true));
}

Test(webhooks, INT_5_retries_follow_the_schedule_then_give_up)
{
    config_integrations c;
    memset(&c, 0, sizeof c);
    int schedule[] = {5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400};
    memcpy(c.webhook_retry_s, schedule, sizeof schedule);
    c.n_webhook_retry = 9;
    long total = 0;
    for (int attempt = 1; attempt <= 9; attempt++) {
        int d = hook_retry_delay(&c, attempt, 0, 0.0);
        cr_assert_eq(d, schedule[attempt - 1]);
        total += d;
        int jittered = hook_retry_delay(&c, attempt, 0, 0.999);
        cr_assert(jittered >= d && jittered <= d + d / 10, "at most 10%% jitter");
    }
    cr_assert(total > 3 * 86400 - 6 * 3600 && total < 3 * 86400 + 12 * 3600,
              "about three days: %ld s", total);
    cr_assert_eq(hook_retry_delay(&c, 10, 0, 0.0), -1, "given up after the last");
    cr_assert_eq(hook_retry_delay(&c, 1, 120, 0.0), 120, "a longer Retry-After is honoured");
}

Test(webhooks, INT_5_settings)
{
    int out[CONFIG_RETRY_MAX];
    cr_assert_eq(config_parse_schedule("1,2,3", out, CONFIG_RETRY_MAX), 3);
    cr_assert_eq(out[2], 3);
    cr_assert_eq(config_parse_schedule("1,,3", out, CONFIG_RETRY_MAX), -1);
    cr_assert_eq(config_parse_schedule("0", out, CONFIG_RETRY_MAX), -1);
    cr_assert_eq(config_parse_schedule("1,2,", out, CONFIG_RETRY_MAX), -1);
    cr_assert(config_host_pattern_valid("hooks.police.example"));
    cr_assert(config_host_pattern_valid("*.nhs.example"));
    cr_assert(config_host_pattern_valid("127.0.0.1"));
    cr_assert_not(config_host_pattern_valid("*"));
    cr_assert_not(config_host_pattern_valid("*.example"), "a wildcard over a whole TLD");
    cr_assert_not(config_host_pattern_valid("Hooks.Example.org"));
    cr_assert_not(config_host_pattern_valid("https://hooks.example.org"));
}

Test(webhooks, INT_5_endpoint_bodies)
{
    config_integrations c = policy(false);
    violations v;
    endpoint_in in;
    violations_init(&v);
    json_t *body = json_pack("{s:s, s:[s, s]}", "url", "https://hooks.police.example/mam",
                             "event_types", "meeting.scheduled", "invitation.created");
    endpoint_parse(body, false, &c, &in, &v);
    cr_assert_eq(v.n, 0);
    cr_assert_eq(in.n_types, 2);
    json_decref(body);

    violations_init(&v);
    body = json_pack("{s:s, s:[s, s], s:s}", "url", "http://other.example/", "event_types",
                     "meeting.scheduled", "meeting.eaten", "secret", "mine");
    endpoint_parse(body, false, &c, &in, &v);
    cr_assert(violations_has(&v, "INT-5", "url"));
    cr_assert(violations_has(&v, "INT-5", "event_types[1]"));
    cr_assert(v.schema, "a read-only member is a shape problem");
    json_decref(body);

    violations_init(&v);
    body = json_object();
    endpoint_parse(body, true, &c, &in, &v);
    cr_assert(v.schema, "an empty patch");
    json_decref(body);
}
