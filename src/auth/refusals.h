/* refusals: refused bearer tokens counted by reason, for /metrics
 * (mam_auth_refused_total{reason}).
 *
 * Reasons are the codes of jwt_refusal (expired, unknown_key,
 * missing_claim:<name> ...): a small set, since claim names come from the
 * configuration, never from a token. The table is bounded; a reason beyond
 * it is counted as "other". Thread-safe. */
#ifndef MAM_REFUSALS_H
#define MAM_REFUSALS_H

#include "core/buf.h"

void refusals_count(const char *reason);
/* How many refusals with this reason so far (tests). */
unsigned long refusals_get(const char *reason);
void refusals_render(buf *out);
void refusals_reset(void);

#endif
