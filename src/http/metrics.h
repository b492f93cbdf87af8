/* metrics: request counts and latencies per route, for /metrics.
 *
 * Counters are plain atomics indexed by route and status, so observing a
 * request takes no lock. Rendering reads them without stopping writers; a
 * scrape may see a request counted in one series and not yet in another. */
#ifndef MAM_METRICS_H
#define MAM_METRICS_H

#include <stdbool.h>

#include "core/buf.h"
#include "http/route.h"

/* Sizes the tables for the routes of the table plus the unmatched
 * pseudo-route; the table labels the series. */
void metrics_init(const route *routes);
void metrics_free(void);
/* route_index is the route's table index, or -1 for unmatched requests. */
void metrics_observe(int route_index, int status, double seconds);
void metrics_render(buf *out);

/* OBL-3: one run of the reminder scheduler: whether this instance held the
 * lock and ran, and how many reminders it sent. */
void metrics_reminders(bool ran, long sent);

/* A webhook delivery attempt's outcome: delivered, failed (to be retried),
 * given_up, gone (410). */
void metrics_count_webhook(const char *outcome);

/* The identity providers' key stores to render with the rest (NULL: none). */
struct jwt_verifier;
void metrics_watch_verifier(const struct jwt_verifier *v);

#endif
