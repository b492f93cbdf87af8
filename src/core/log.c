#include "core/log.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <yder.h>

#include "core/buf.h"

static bool json_mode;
static unsigned long max_level = Y_LOG_LEVEL_INFO;

bool log_is_json(void)
{
    return json_mode;
}

static const char *level_name(unsigned long level)
{
    switch (level) {
    case Y_LOG_LEVEL_ERROR: return "error";
    case Y_LOG_LEVEL_WARNING: return "warning";
    case Y_LOG_LEVEL_INFO: return "info";
    default: return "debug";
    }
}

static void begin_object(buf *b, unsigned long level)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct tm tm;
    gmtime_r(&now.tv_sec, &tm);
    char stamp[40];
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    buf_printf(b, "{\"time\":\"%s.%03ldZ\",\"level\":\"%s\"", stamp, now.tv_nsec / 1000000L,
               level_name(level));
}

static void emit(buf *b, unsigned long level)
{
    buf_puts(b, "}\n");
    FILE *out = (level == Y_LOG_LEVEL_ERROR || level == Y_LOG_LEVEL_WARNING) ? stderr : stdout;
    fwrite(b->data, 1, b->len, out);
    fflush(out);
}

static void json_callback(void *cls, const char *app_name, const time_t date,
                          const unsigned long level, const char *message)
{
    (void)cls;
    (void)app_name;
    (void)date;
    buf b;
    buf_init(&b);
    begin_object(&b, level);
    buf_puts(&b, ",\"message\":");
    buf_json_string(&b, message);
    emit(&b, level);
    buf_free(&b);
}

void log_init(bool json, unsigned long level)
{
    json_mode = json;
    max_level = level;
    if (json) {
        y_init_logs("mam", Y_LOG_MODE_CALLBACK, level, NULL, NULL);
        y_set_logs_callback(json_callback, NULL, "starting");
    } else {
        y_init_logs("mam", Y_LOG_MODE_CONSOLE, level, NULL, "starting");
    }
}

void log_close(void)
{
    y_close_logs();
}

static void member(buf *b, const char *name, const char *value)
{
    if (!value || !*value)
        return;
    buf_printf(b, ",\"%s\":", name);
    buf_json_string(b, value);
}

void log_access(const char *request_id, const char *trace_id, const char *method,
                const char *route, int status, double duration_ms)
{
    if (max_level < Y_LOG_LEVEL_INFO)
        return;
    if (!json_mode) {
        if (trace_id && *trace_id)
            y_log_message(Y_LOG_LEVEL_INFO,
                          "request id=%s trace_id=%s method=%s route=%s status=%d duration_ms=%.2f",
                          request_id, trace_id, method, route, status, duration_ms);
        else
            y_log_message(Y_LOG_LEVEL_INFO,
                          "request id=%s method=%s route=%s status=%d duration_ms=%.2f",
                          request_id, method, route, status, duration_ms);
        return;
    }
    buf b;
    buf_init(&b);
    begin_object(&b, Y_LOG_LEVEL_INFO);
    buf_puts(&b, ",\"event\":\"request\"");
    member(&b, "request_id", request_id);
    member(&b, "trace_id", trace_id);
    member(&b, "method", method);
    member(&b, "route", route);
    buf_printf(&b, ",\"status\":%d,\"duration_ms\":%.2f", status, duration_ms);
    emit(&b, Y_LOG_LEVEL_INFO);
    buf_free(&b);
}

void log_auth_refused(const char *request_id, const char *trace_id, const char *reason,
                      const char *issuer)
{
    if (max_level < Y_LOG_LEVEL_WARNING)
        return;
    if (!json_mode) {
        y_log_message(Y_LOG_LEVEL_WARNING, "token refused id=%s%s%s reason=%s issuer=%s",
                      request_id, trace_id && *trace_id ? " trace_id=" : "",
                      trace_id && *trace_id ? trace_id : "", reason, issuer ? issuer : "-");
        return;
    }
    buf b;
    buf_init(&b);
    begin_object(&b, Y_LOG_LEVEL_WARNING);
    buf_puts(&b, ",\"event\":\"token_refused\"");
    member(&b, "request_id", request_id);
    member(&b, "trace_id", trace_id);
    member(&b, "reason", reason);
    member(&b, "issuer", issuer);
    emit(&b, Y_LOG_LEVEL_WARNING);
    buf_free(&b);
}
