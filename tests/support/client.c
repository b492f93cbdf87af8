#include "support/client.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

typedef struct growing {
    char *data;
    size_t len;
} growing;

static size_t collect(char *ptr, size_t size, size_t n, void *userdata)
{
    growing *g = userdata;
    size_t add = size * n;
    char *grown = realloc(g->data, g->len + add + 1);
    if (!grown)
        return 0;
    g->data = grown;
    memcpy(g->data + g->len, ptr, add);
    g->len += add;
    g->data[g->len] = '\0';
    return add;
}

static time_t clock_set_at; /* 0: the wall clock */

void test_clock_set(time_t now)
{
    clock_set_at = now;
}

void test_clock_advance(long seconds)
{
    clock_set_at = test_now() + seconds;
}

time_t test_now(void)
{
    return clock_set_at ? clock_set_at : time(NULL);
}

void test_clock_pin_noon(void)
{
    time_t t = time(NULL) + 3600; /* an hour: longer than any test runs */
    time_t noon = t - t % 86400 + 43200;
    test_clock_set(noon >= t ? noon : noon + 86400);
}

time_t test_clock_setting(void)
{
    return clock_set_at;
}

static const char *base_url(void)
{
    const char *u = getenv("MAM_URL");
    return u ? u : "http://127.0.0.1:18080";
}

/* One JSON line per response, for the contract check (with the JSON body
 * the request sent, when it sent one: tests/contract/examples.mjs draws the
 * contract's examples from real exchanges). */
static void record(const char *method, const char *path, const http_response *r,
                   const char *request_body, size_t request_len)
{
    const char *file = getenv("MAM_RESPONSES_LOG");
    if (!file)
        return;
    char *content_type = http_header(r, "Content-Type");
    char *plain_path = strdup(path);
    char *q = strchr(plain_path, '?');
    if (q)
        *q = '\0';
    json_t *line = json_pack("{s:s, s:s, s:I, s:s?, s:f}", "method", method, "path", plain_path,
                             "status", (json_int_t)r->status, "content_type", content_type,
                             "seconds", r->seconds);
    if (request_body && request_len > 0 && request_len < 65536) {
        json_t *sent = json_loadb(request_body, request_len, 0, NULL);
        if (sent)
            json_object_set_new(line, "request", sent);
    }
    if (r->json)
        json_object_set(line, "body", r->json);
    else if (r->body && r->body_len < 200000)
        /* a body that is not UTF-8 (a PDF) is recorded without its text */
        json_object_set_new(line, "text", json_stringn(r->body, r->body_len));
    const char *header_names[] = {"ETag", "Location", "X-Request-Id", "Allow", "Retry-After",
                                  "WWW-Authenticate", "Idempotent-Replayed", "Cache-Control"};
    json_t *headers = json_object();
    for (size_t i = 0; i < sizeof header_names / sizeof header_names[0]; i++) {
        char *v = http_header(r, header_names[i]);
        if (v)
            json_object_set_new(headers, header_names[i], json_string(v));
        free(v);
    }
    json_object_set_new(line, "headers", headers);
    char *text = json_dumps(line, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(line);
    free(content_type);
    free(plain_path);
    if (!text)
        return;
    size_t n = strlen(text);
    text[n] = '\n';
    int fd = open(file, O_WRONLY | O_APPEND | O_CREAT, 0644);
    if (fd >= 0) {
        /* one write per line: O_APPEND keeps concurrent test processes apart */
        ssize_t w = write(fd, text, n + 1);
        (void)w;
        close(fd);
    }
    free(text);
}

http_response *http_call(const char *method, const char *path, const char *token,
                         const char *const *headers, const char *body, size_t body_len)
{
    return http_call_to(base_url(), method, path, token, headers, body, body_len);
}

http_response *http_call_to(const char *base, const char *method, const char *path,
                            const char *token, const char *const *headers, const char *body,
                            size_t body_len)
{
    CURL *curl = curl_easy_init();
    http_response *r = calloc(1, sizeof *r);
    growing out = {0}, head = {0};
    char url[4096];
    snprintf(url, sizeof url, "%s%s", base, path);
    struct curl_slist *list = NULL;
    char auth[9000];
    if (token) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
        list = curl_slist_append(list, auth);
    }
    for (const char *const *h = headers; h && *h; h++)
        list = curl_slist_append(list, *h);
    char clock_header[64];
    if (clock_set_at) {
        struct tm tm;
        gmtime_r(&clock_set_at, &tm);
        strftime(clock_header, sizeof clock_header, "X-Test-Now: %Y-%m-%dT%H:%M:%SZ", &tm);
        list = curl_slist_append(list, clock_header);
    }
    /* curl adds "Expect: 100-continue" for large bodies; the service does not need it */
    list = curl_slist_append(list, "Expect:");
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &out);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &head);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    if (body) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    }
    CURLcode rc = curl_easy_perform(curl);
    if (rc == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r->status);
    else
        r->status = -1;
    curl_easy_getinfo(curl, CURLINFO_TOTAL_TIME, &r->seconds);
    curl_slist_free_all(list);
    curl_easy_cleanup(curl);
    r->body = out.data ? out.data : strdup("");
    r->body_len = out.len;
    r->headers = head.data ? head.data : strdup("");
    char *ct = http_header(r, "Content-Type");
    if (ct && (strstr(ct, "json")))
        r->json = json_loadb(r->body, r->body_len, 0, NULL);
    free(ct);
    if (r->status > 0)
        record(method, path, r, body, body_len);
    return r;
}

http_response *api_call(const char *method, const char *path, const char *token, json_t *body,
                        const char *if_match)
{
    char match[128];
    const char *headers[3] = {NULL, NULL, NULL};
    int n = 0;
    char *text = NULL;
    if (body) {
        headers[n++] = "Content-Type: application/json";
        text = json_dumps(body, JSON_COMPACT);
    }
    if (if_match) {
        snprintf(match, sizeof match, "If-Match: %s", if_match);
        headers[n++] = match;
    }
    http_response *r = http_call(method, path, token, headers, text, text ? strlen(text) : 0);
    free(text);
    return r;
}

http_response *api_get(const char *path, const char *token)
{
    return http_call("GET", path, token, NULL, NULL, 0);
}

char *http_header(const http_response *r, const char *name)
{
    size_t n = strlen(name);
    const char *line = r->headers;
    char *found = NULL;
    while (line && *line) {
        const char *end = strstr(line, "\r\n");
        size_t len = end ? (size_t)(end - line) : strlen(line);
        /* a new status line (after 100 Continue) resets what was seen */
        if (len > 5 && strncmp(line, "HTTP/", 5) == 0) {
            free(found);
            found = NULL;
        } else if (len > n && strncasecmp(line, name, n) == 0 && line[n] == ':' && !found) {
            const char *v = line + n + 1;
            while (*v == ' ')
                v++;
            found = strndup(v, len - (size_t)(v - line));
        }
        line = end ? end + 2 : NULL;
    }
    return found;
}

void http_free(http_response *r)
{
    if (!r)
        return;
    free(r->body);
    free(r->headers);
    json_decref(r->json);
    free(r);
}

const char *json_str(const json_t *j, const char *key)
{
    json_t *v = json_object_get(j, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

long json_int(const json_t *j, const char *key)
{
    json_t *v = json_object_get(j, key);
    return json_is_integer(v) ? (long)json_integer_value(v) : -1;
}

int problem_has_rule(const http_response *r, const char *rule, const char *field)
{
    json_t *errors = json_object_get(r->json, "errors");
    size_t i;
    json_t *e;
    json_array_foreach(errors, i, e) {
        const char *er = json_str(e, "rule");
        const char *ef = json_str(e, "field");
        if (er && strcmp(er, rule) == 0 && (!field || (ef && strcmp(ef, field) == 0)))
            return 1;
    }
    return 0;
}

int problem_has_field(const http_response *r, const char *field)
{
    json_t *errors = json_object_get(r->json, "errors");
    size_t i;
    json_t *e;
    json_array_foreach(errors, i, e) {
        const char *ef = json_str(e, "field");
        if (ef && strcmp(ef, field) == 0)
            return 1;
    }
    return 0;
}
