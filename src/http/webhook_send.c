#include "http/webhook_send.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/secret.h"
#include "core/version.h"
#include "domain/webhooks.h"

#define ANSWER_MAX_BYTES 65536

void hook_secret_new(unsigned char raw[HOOK_SECRET_BYTES], char text[HOOK_SECRET_TEXT_MAX])
{
    secret_random(raw, HOOK_SECRET_BYTES);
    memcpy(text, "whsec_", 6);
    secret_base64_encode(raw, HOOK_SECRET_BYTES, text + 6, HOOK_SECRET_TEXT_MAX - 6);
}

void hook_sign(const unsigned char *key, size_t key_len, const char *msg_id, long long timestamp,
               const char *body, char out[HOOK_SIGNATURE_MAX])
{
    buf signed_content;
    buf_init(&signed_content);
    buf_printf(&signed_content, "%s.%lld.", msg_id, timestamp);
    buf_puts(&signed_content, body);
    unsigned char mac[32];
    secret_hmac_sha256(key, key_len, signed_content.data, signed_content.len, mac);
    buf_free(&signed_content);
    memcpy(out, "v1,", 3);
    secret_base64_encode(mac, sizeof mac, out + 3, HOOK_SIGNATURE_MAX - 3);
}

static bool v4_refused(uint32_t a, bool allow_loopback)
{
    const struct {
        uint32_t net, mask;
    } blocked[] = {
        {0x00000000, 0xff000000}, /* 0.0.0.0/8 "this network" */
        {0x0a000000, 0xff000000}, /* 10/8 private */
        {0x64400000, 0xffc00000}, /* 100.64/10 shared (carrier-grade NAT) */
        {0xa9fe0000, 0xffff0000}, /* 169.254/16 link-local, cloud metadata */
        {0xac100000, 0xfff00000}, /* 172.16/12 private */
        {0xc0000000, 0xffffff00}, /* 192.0.0/24 protocol assignments */
        {0xc0000200, 0xffffff00}, /* 192.0.2/24 documentation */
        {0xc0a80000, 0xffff0000}, /* 192.168/16 private */
        {0xc6120000, 0xfffe0000}, /* 198.18/15 benchmarking */
        {0xc6336400, 0xffffff00}, /* 198.51.100/24 documentation */
        {0xcb007100, 0xffffff00}, /* 203.0.113/24 documentation */
        {0xe0000000, 0xf0000000}, /* 224/4 multicast */
        {0xf0000000, 0xf0000000}, /* 240/4 reserved, broadcast */
    };
    if ((a & 0xff000000) == 0x7f000000) /* 127/8 loopback */
        return !allow_loopback;
    for (size_t i = 0; i < sizeof blocked / sizeof blocked[0]; i++)
        if ((a & blocked[i].mask) == blocked[i].net)
            return true;
    return false;
}

bool hook_address_refused(const struct sockaddr *addr, bool allow_loopback)
{
    if (addr->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)addr;
        return v4_refused(ntohl(in->sin_addr.s_addr), allow_loopback);
    }
    if (addr->sa_family != AF_INET6)
        return true;
    const unsigned char *b = ((const struct sockaddr_in6 *)addr)->sin6_addr.s6_addr;
    static const unsigned char loopback[16] = {[15] = 1};
    static const unsigned char unspecified[16] = {0};
    if (memcmp(b, loopback, 16) == 0)
        return !allow_loopback;
    if (memcmp(b, unspecified, 16) == 0)
        return true;
    /* IPv4-mapped ::ffff:a.b.c.d, IPv4-compatible ::a.b.c.d, NAT64
     * 64:ff9b::a.b.c.d: judged as the IPv4 address inside */
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    static const unsigned char compatible[12] = {0};
    static const unsigned char nat64[12] = {0, 0x64, 0xff, 0x9b};
    if (memcmp(b, mapped, 12) == 0 || memcmp(b, compatible, 12) == 0 ||
        memcmp(b, nat64, 12) == 0) {
        uint32_t a = (uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 | (uint32_t)b[14] << 8 | b[15];
        return v4_refused(a, allow_loopback);
    }
    if ((b[0] & 0xfe) == 0xfc)                 /* fc00::/7 unique local */
        return true;
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) /* fe80::/10 link-local */
        return true;
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) /* fec0::/10 site-local (deprecated) */
        return true;
    if (b[0] == 0xff)                          /* ff00::/8 multicast */
        return true;
    if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) /* 2001:db8::/32 */
        return true;
    if (b[0] == 0x20 && b[1] == 0x02) /* 2002::/16 6to4 embeds an IPv4 address */
        return v4_refused((uint32_t)b[2] << 24 | (uint32_t)b[3] << 16 | (uint32_t)b[4] << 8 | b[5],
                          allow_loopback);
    return false;
}

typedef struct transfer {
    const config_integrations *cfg;
    const volatile bool *stopping;
    bool refused;
    size_t received;
    int retry_after_s;
} transfer;

static curl_socket_t open_socket(void *clientp, curlsocktype purpose, struct curl_sockaddr *a)
{
    transfer *t = clientp;
    if (purpose != CURLSOCKTYPE_IPCXN ||
        hook_address_refused(&a->addr, t->cfg->webhook_allow_loopback)) {
        t->refused = true;
        return CURL_SOCKET_BAD;
    }
    return socket(a->family, a->socktype, a->protocol);
}

static size_t on_answer(char *data, size_t size, size_t n, void *userp)
{
    (void)data;
    transfer *t = userp;
    t->received += size * n;
    return t->received > ANSWER_MAX_BYTES ? 0 : size * n; /* read no more than that */
}

static size_t on_header(char *data, size_t size, size_t n, void *userp)
{
    transfer *t = userp;
    size_t len = size * n;
    if (len > 12 && strncasecmp(data, "retry-after:", 12) == 0) {
        long v = strtol(data + 12, NULL, 10);
        if (v > 0 && v <= 86400)
            t->retry_after_s = (int)v;
    }
    return len;
}

static int on_progress(void *clientp, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
    (void)a, (void)b, (void)c, (void)d;
    transfer *t = clientp;
    return t->stopping && *t->stopping;
}

void hook_send(const config_integrations *cfg, const hook_message *m, const volatile bool *stopping,
               hook_result *out)
{
    memset(out, 0, sizeof *out);
    const char *why = webhook_url_refusal(m->url, cfg);
    if (why) {
        out->refused = true;
        snprintf(out->error, sizeof out->error, "refused: %s", why);
        return;
    }
    CURL *curl = curl_easy_init();
    if (!curl) {
        snprintf(out->error, sizeof out->error, "no HTTP client");
        return;
    }
    long long now = (long long)time(NULL);
    char stamp[32], signatures[2 * HOOK_SIGNATURE_MAX + 1] = "";
    snprintf(stamp, sizeof stamp, "%lld", now);
    for (int i = 0; i < 2; i++) {
        if (!m->keys[i])
            continue;
        char sig[HOOK_SIGNATURE_MAX];
        hook_sign(m->keys[i], m->key_len[i], m->msg_id, now, m->body, sig);
        if (signatures[0])
            strcat(signatures, " ");
        strcat(signatures, sig);
    }
    buf h;
    buf_init(&h);
    struct curl_slist *headers = NULL;
    headers = curl_slist_append(headers, "Content-Type: application/json");
    buf_printf(&h, "webhook-id: %s", m->msg_id);
    headers = curl_slist_append(headers, h.data);
    buf_reset(&h);
    buf_printf(&h, "webhook-timestamp: %s", stamp);
    headers = curl_slist_append(headers, h.data);
    buf_reset(&h);
    buf_printf(&h, "webhook-signature: %s", signatures);
    headers = curl_slist_append(headers, h.data);
    headers = curl_slist_append(headers, "Expect:");
    buf_free(&h);
    char agent[64];
    snprintf(agent, sizeof agent, "mam-webhooks/%s", mam_version);

    transfer t = {.cfg = cfg, .stopping = stopping};
    curl_easy_setopt(curl, CURLOPT_URL, m->url);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, cfg->webhook_allow_loopback ? "http,https" : "https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_PROXY, "");
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)cfg->webhook_timeout_ms);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, (long)cfg->webhook_connect_timeout_ms);
    curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, open_socket);
    curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, &t);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_answer);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &t);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, agent);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, m->body);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(m->body));
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
    CURLcode rc = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    out->status = (int)status;
    out->retry_after_s = t.retry_after_s;
    if (t.refused && status == 0) {
        out->refused = true;
        snprintf(out->error, sizeof out->error,
                 "refused: the host resolves to a private, loopback or link-local address");
    } else if (rc == CURLE_ABORTED_BY_CALLBACK) {
        out->aborted = true;
        snprintf(out->error, sizeof out->error, "the service stopped during the attempt");
    } else if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && status > 0)) {
        snprintf(out->error, sizeof out->error, "%s", curl_easy_strerror(rc));
    } else if (status < 200 || status > 299) {
        snprintf(out->error, sizeof out->error, "the receiver answered %ld", status);
    }
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
}
