/* log: the service's log lines, as text (yder's console format) or, with
 * LOG_FORMAT=json, one JSON object per line.
 *
 * Everything else in the service logs through yder's y_log_message(); in
 * JSON mode those messages become {"time", "level", "message"} objects.
 * The access line and a refused token's line are structured in both modes
 * (key=value in text, members in JSON). Errors and warnings go to stderr,
 * the rest to stdout, as with yder's console mode. No personal data is
 * ever passed here (SEC-5): request and trace ids, route templates,
 * statuses, reason codes and issuer names only. */
#ifndef MAM_LOG_H
#define MAM_LOG_H

#include <stdbool.h>

void log_init(bool json, unsigned long level);
void log_close(void);
bool log_is_json(void);

/* One line per request (info). trace_id may be NULL or "". */
void log_access(const char *request_id, const char *trace_id, const char *method,
                const char *route, int status, double duration_ms);

/* A refused bearer token (warning): its reason code and the issuer it
 * claimed (NULL when unknown); never the token or its claims. */
void log_auth_refused(const char *request_id, const char *trace_id, const char *reason,
                      const char *issuer);

#endif
