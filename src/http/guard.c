#include "http/guard.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <yder.h>

#include "core/text.h"
#include "http/metrics.h"
#include "http/req.h"
#include "http/watchdog.h"

static struct {
    MHD_AccessHandlerCallback inner; /* ulfius's dispatcher */
    void *inner_cls;
    size_t max_body;
} guard;

void guard_configure(size_t max_body_bytes)
{
    guard.max_body = max_body_bytes;
}

bool guard_installed(void)
{
    return guard.inner != NULL;
}

void guard_reset(void)
{
    guard.inner = NULL;
    guard.inner_cls = NULL;
}

/* --- answers --- */

typedef struct refusal {
    int status;
    const char *slug, *title, *detail;
    bool retry; /* Retry-After: 1 */
} refusal;

/* The problem document (new string). */
static char *problem_text(const refusal *f, const char *request_id, const char *path)
{
    json_t *p = json_pack("{s:s+, s:s, s:i, s:s, s:s}", "type", "/problems/", f->slug, "title",
                          f->title, "status", f->status, "detail", f->detail, "request_id",
                          request_id);
    if (path && text_is_utf8(path, strlen(path)))
        json_object_set_new(p, "instance", json_string(path));
    char *text = json_dumps(p, JSON_COMPACT);
    json_decref(p);
    return text;
}

/* One access-log line and the metrics, as the pipeline writes for the
 * requests it answers (SEC-5: nothing of the path or the body). */
static void account(const char *method, const refusal *f, const char *request_id,
                    const char *why)
{
    metrics_observe(-1, f->status, 0.0);
    y_log_message(Y_LOG_LEVEL_INFO,
                  "request id=%s method=%s route=unmatched status=%d duration_ms=0.00 refused=%s",
                  request_id, req_method_label(method), f->status, why);
}

/* Queues the answer while the request's headers are all that was read:
 * libmicrohttpd then reads no body and closes the connection after it. */
static enum MHD_Result refuse(struct MHD_Connection *c, const char *method, const char *url,
                              const refusal *f, const char *why)
{
    char id[65];
    req_id_choose(MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Request-Id"), id);
    char *body = problem_text(f, id, url);
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_COPY);
    free(body);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, "Content-Type", "application/problem+json");
    MHD_add_response_header(resp, "X-Request-Id", id);
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "Connection", "close");
    if (f->retry)
        MHD_add_response_header(resp, "Retry-After", "1");
    enum MHD_Result queued = MHD_queue_response(c, (unsigned)f->status, resp);
    MHD_destroy_response(resp);
    watchdog_mark_answered(c);
    account(method, f, id, why);
    return queued;
}

/* Writes the answer to the socket directly, then shuts it for writing:
 * only where libmicrohttpd has written nothing for this request and cannot
 * queue an answer itself. Whatever libmicrohttpd writes afterwards fails,
 * and it closes the connection. */
static void write_directly(struct MHD_Connection *c, const char *method, const char *url,
                           const refusal *f, const char *why)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (!info)
        return;
    char id[65];
    req_id_choose(MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Request-Id"), id);
    char *body = problem_text(f, id, url);
    char *text = NULL;
    int n = asprintf(&text,
                     "HTTP/1.1 %d %s\r\nContent-Type: application/problem+json\r\n"
                     "Content-Length: %zu\r\nX-Request-Id: %s\r\nCache-Control: no-store\r\n"
                     "Connection: close\r\n\r\n%s",
                     f->status, f->title, strlen(body), id, body);
    free(body);
    if (n > 0) {
        /* a few hundred bytes into a send buffer that holds nothing of
         * this connection's: it fits at once */
        ssize_t sent = send(info->connect_fd, text, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
        (void)sent;
    }
    free(text);
    shutdown(info->connect_fd, SHUT_WR);
    account(method, f, id, why);
}

/* --- the checks at the end of the headers --- */

typedef struct framing {
    int transfer_encodings, content_lengths;
    const char *transfer_encoding, *content_length;
    bool content_lengths_differ;
} framing;

static enum MHD_Result note_framing(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *value)
{
    (void)kind;
    framing *fr = cls;
    if (strcasecmp(key, "Transfer-Encoding") == 0) {
        fr->transfer_encodings++;
        fr->transfer_encoding = value ? value : "";
    } else if (strcasecmp(key, "Content-Length") == 0) {
        if (fr->content_lengths++ && strcmp(fr->content_length, value ? value : "") != 0)
            fr->content_lengths_differ = true;
        fr->content_length = value ? value : "";
    }
    return MHD_YES;
}

/* RFC 9112, 6.1 and 6.3: of the transfer codings only chunked is
 * supported, and chunked must be the last and come once. */
static const refusal *judge_transfer_coding(const char *value)
{
    static const refusal malformed = {400, "invalid-request", "Bad Request",
                                      "Transfer-Encoding must end with chunked, once.", false};
    static const refusal unsupported = {
        501, "unsupported-transfer-coding", "Not Implemented",
        "The only transfer coding accepted is chunked; send the body as it is.", false};
    int codings = 0, chunked = 0;
    bool last_chunked = false, other = false;
    const char *p = value;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (!*p)
            break;
        const char *start = p;
        while (*p && *p != ',')
            p++;
        const char *end = p;
        while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        codings++;
        last_chunked = (size_t)(end - start) == 7 && strncasecmp(start, "chunked", 7) == 0;
        chunked += last_chunked;
        other |= !last_chunked;
    }
    if (codings == 0 || chunked > 1 || (chunked == 1 && !last_chunked))
        return &malformed;
    return other ? &unsupported : NULL;
}

static bool refused_at_headers(struct MHD_Connection *c, const char *method, const char *url,
                               bool over_limit, enum MHD_Result *result)
{
    static const refusal busy = {
        503, "connection-limit", "Service Unavailable",
        "The service holds as many connections as it serves; try again shortly.", true};
    static const refusal both = {
        400, "invalid-request", "Bad Request",
        "Send the body with Content-Length or with Transfer-Encoding: chunked, not both.", false};
    static const refusal repeated = {
        400, "invalid-request", "Bad Request",
        "Transfer-Encoding or Content-Length was sent more than once.", false};
    bool probe = strcmp(method, "GET") == 0 && (strcmp(url, "/livez") == 0 ||
                                                strcmp(url, "/metrics") == 0);
    if (over_limit && !probe) {
        watchdog_count_over_limit();
        *result = refuse(c, method, url, &busy, "connection-limit");
        return true;
    }
    framing fr = {0};
    MHD_get_connection_values(c, MHD_HEADER_KIND, note_framing, &fr);
    const refusal *f = NULL;
    if (fr.transfer_encodings && fr.content_lengths)
        f = &both;
    else if (fr.transfer_encodings > 1 || fr.content_lengths_differ)
        f = &repeated;
    else if (fr.transfer_encodings)
        f = judge_transfer_coding(fr.transfer_encoding);
    if (f) {
        *result = refuse(c, method, url, f, "framing");
        return true;
    }
    /* libmicrohttpd has checked that Content-Length is a number */
    unsigned long long declared = fr.content_length ? strtoull(fr.content_length, NULL, 10) : 0;
    if (declared > guard.max_body) {
        char detail[96];
        snprintf(detail, sizeof detail, "Request bodies are limited to %zu bytes.", guard.max_body);
        refusal large = {413, "payload-too-large", "Content Too Large", detail, false};
        *result = refuse(c, method, url, &large, "content-length");
        return true;
    }
    return false;
}

static enum MHD_Result guard_access(void *cls, struct MHD_Connection *c, const char *url,
                                    const char *method, const char *version,
                                    const char *upload_data, size_t *upload_data_size,
                                    void **con_cls)
{
    (void)cls;
    bool over_limit;
    if (watchdog_headers_complete(c, &over_limit)) {
        enum MHD_Result result;
        if (refused_at_headers(c, method, url, over_limit, &result))
            return result;
    } else if (watchdog_answered(c)) {
        return MHD_NO; /* answered already: close */
    } else if (*upload_data_size > 0 && watchdog_body_over(c, *upload_data_size, guard.max_body)) {
        char detail[96];
        snprintf(detail, sizeof detail, "Request bodies are limited to %zu bytes.", guard.max_body);
        refusal large = {413, "payload-too-large", "Content Too Large", detail, false};
        watchdog_mark_answered(c);
        write_directly(c, method, url, &large, "chunked-body");
        return MHD_NO; /* libmicrohttpd closes the connection */
    }
    return guard.inner(guard.inner_cls, c, url, method, version, upload_data, upload_data_size,
                       con_cls);
}

/* --- libmicrohttpd's own refusals --- */

void guard_log(void *cls, const char *fm, va_list ap)
{
    (void)cls;
    /* libmicrohttpd's own messages, through the service's log (one JSON
     * object per line with LOG_FORMAT=json) rather than raw stderr */
    char message[512];
    vsnprintf(message, sizeof message, fm, ap);
    size_t n = strlen(message);
    while (n > 0 && message[n - 1] == '\n')
        message[--n] = '\0';
    y_log_message(Y_LOG_LEVEL_WARNING, "libmicrohttpd: %s", message);
    /* "Failed to parse `Content-Length' header" and "Too large value of
     * 'Content-Length' header": libmicrohttpd is about to answer in HTML */
    if (!strstr(fm, "Content-Length"))
        return;
    struct MHD_Connection *c = watchdog_take_judged();
    if (!c)
        return;
    static const refusal malformed = {400, "invalid-request", "Bad Request",
                                      "Content-Length must be a decimal number.", false};
    char detail[96];
    snprintf(detail, sizeof detail, "Request bodies are limited to %zu bytes.", guard.max_body);
    refusal large = {413, "payload-too-large", "Content Too Large", detail, false};
    write_directly(c, NULL, NULL, strstr(fm, "Too large") ? &large : &malformed,
                   "content-length");
}

/* ulfius_start_framework_with_mhd_options() calls this with its
 * dispatcher; the guard goes in front of it (see guard.h). */
struct MHD_Daemon *MHD_start_daemon(unsigned int flags, uint16_t port, MHD_AcceptPolicyCallback apc,
                                    void *apc_cls, MHD_AccessHandlerCallback dh, void *dh_cls, ...)
{
    guard.inner = dh;
    guard.inner_cls = dh_cls;
    va_list ap;
    va_start(ap, dh_cls);
    struct MHD_Daemon *d = MHD_start_daemon_va(flags, port, apc, apc_cls, guard_access, NULL, ap);
    va_end(ap);
    if (!d)
        guard_reset();
    return d;
}
