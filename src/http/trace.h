/* trace: the W3C Trace Context traceparent header
 * (https://www.w3.org/TR/trace-context/#traceparent-header).
 *
 * "00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>", lower-case hex,
 * neither id all zeros, version ff invalid; a later version may append
 * "-..." fields, which are ignored. An invalid header is ignored: the
 * request simply has no trace id. */
#ifndef MAM_TRACE_H
#define MAM_TRACE_H

#include <stdbool.h>

#define TRACE_ID_LEN 32

/* Fills trace_id (33 bytes) and returns true when the header is valid. */
bool trace_parse(const char *traceparent, char trace_id[TRACE_ID_LEN + 1]);

#endif
