/* guard: what a request meets before ulfius — refusals that must come
 * before the body is read, each answered in problem+json.
 *
 * ulfius's request dispatcher is a static function that reads the whole
 * body before any callback of ours runs (and silently truncates what is
 * over max_post_body_size). The guard is an access handler in front of it,
 * called by libmicrohttpd as soon as a request's headers are complete and
 * for every piece of its body. It answers, and closes the connection:
 *
 *  - 503 /problems/connection-limit with Retry-After when the connection
 *    was accepted over HTTP_CONNECTION_LIMIT and no place has come free
 *    (http/watchdog.h); GET /livez and GET /metrics are still answered,
 *    so that a busy pod is neither restarted for it nor unseen;
 *  - 413 /problems/payload-too-large when Content-Length is over
 *    MAX_BODY_BYTES, before a byte of the body is read;
 *  - 400 /problems/invalid-request when Transfer-Encoding and
 *    Content-Length come together, a header of the two is repeated, or
 *    chunked is not the last and only chunked coding; 501
 *    /problems/unsupported-transfer-coding for any coding but chunked;
 *  - 413 once a chunked body passes MAX_BODY_BYTES: libmicrohttpd cannot
 *    queue an answer while a body is arriving, so the guard writes the
 *    answer to the socket itself and has libmicrohttpd close it.
 *
 * libmicrohttpd answers a Content-Length that is not a number itself, in
 * HTML, before any access handler (and 0.9.75 sends its status line and
 * headers twice). The guard's logger hears of it first, on the same
 * thread, and answers in problem+json (400, or 413 for a number too large
 * to hold), then shuts the socket for writing so that libmicrohttpd's
 * answer is never sent. Requests whose request line or headers are too
 * large (414, 431) are still answered by libmicrohttpd alone (documented
 * in docs/security.md and openapi.yaml).
 *
 * ulfius starts libmicrohttpd with MHD_start_daemon(), passing its
 * dispatcher; this module defines MHD_start_daemon, so that the call
 * reaches it (the executable's definition comes first for the shared
 * libraries too), and starts the daemon with MHD_start_daemon_va() and the
 * guard in front of ulfius's dispatcher. guard_installed() says whether
 * that happened; the server refuses to start otherwise. */
#ifndef MAM_GUARD_H
#define MAM_GUARD_H

#include <microhttpd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

void guard_configure(size_t max_body_bytes);
/* Whether the daemon started last has the guard in front of ulfius. */
bool guard_installed(void);
/* Forget the daemon (after it stopped). */
void guard_reset(void);

/* libmicrohttpd's error log (MHD_OPTION_EXTERNAL_LOGGER). */
void guard_log(void *cls, const char *fm, va_list ap) __attribute__((format(printf, 2, 0)));

#endif
