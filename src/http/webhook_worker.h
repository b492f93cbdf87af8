/* webhook_worker: the delivery threads of this instance (INT-5).
 *
 * WEBHOOK_WORKERS threads each loop: take an endpoint's due deliveries
 * (store/outbox.h, leased so that instances never send one endpoint's
 * messages at once), send them one after another in feed order
 * (http/webhook_send.h), record each answer, release the endpoint.
 * A 2xx delivers; 410 disables the endpoint; anything else (another
 * status, a timeout, a refused connection) is tried again after the next
 * delay of WEBHOOK_RETRY_SCHEDULE_S (plus up to 10% jitter, or the
 * receiver's Retry-After when longer), and given up after the last. A
 * failure ends the endpoint's turn, so a receiver that is down is not
 * sent the rest of the batch meanwhile. Idle threads look for work every
 * WEBHOOK_POLL_INTERVAL_MS. */
#ifndef MAM_WEBHOOK_WORKER_H
#define MAM_WEBHOOK_WORKER_H

#include "core/config.h"

/* Starts the threads (none when cfg->webhook_workers is 0). cfg must
 * outlive them. */
void hook_workers_start(const config_integrations *cfg);

/* Stops them: transfers under way are cut short; what they had not
 * recorded is sent again later (same webhook-id). */
void hook_workers_stop(void);

/* The delay before attempt number `attempt` + 1 after `attempt` failures
 * (1-based), or -1 when the schedule is exhausted; jitter in [0, 1). */
int hook_retry_delay(const config_integrations *cfg, int attempt, int retry_after_s,
                     double jitter);

#endif
