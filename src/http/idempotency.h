/* idempotency: Idempotency-Key on creating POSTs.
 *
 * Within the creating transaction, idem_begin() claims the caller's key.
 * The same key with the same request replays the first answer (status,
 * Location, ETag and body); with a different request it is refused (422).
 * A concurrent duplicate waits on the claim and then replays. Keys are kept
 * as the idempotency_record retention policy says (store/idempotency.h:
 * 24 hours by default). Only successful creations are remembered: a failed attempt
 * rolls its claim back, so the client may retry with the same key. */
#ifndef MAM_IDEMPOTENCY_H
#define MAM_IDEMPOTENCY_H

#include "http/req.h"

enum idem_outcome {
    IDEM_PROCEED,  /* no key, or a new key now claimed: do the work */
    IDEM_ANSWERED, /* replayed, refused or failed: the request is answered */
};

/* Call inside the transaction, before the work. audit_action names the
 * read recorded when an earlier answer is replayed. */
enum idem_outcome idem_begin(req *r, const char *audit_action, const char *resource_type);

/* Call after the work, before commit, with the answer about to be sent. */
int idem_remember(req *r, int status, const char *location, const char *etag, const char *body);

#endif
