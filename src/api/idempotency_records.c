/* The record class idempotency_record (RET-1..3): the answers kept under
 * an Idempotency-Key are copies of answers already in the record, kept only
 * so that a retry replays them. The service deletes them itself once their
 * period under the class's policy has passed (serve.c's housekeeping,
 * every few minutes), with no decision of two people; a hold on the class
 * stops that while it is in effect (RET-2).
 *
 * POST /v1/idempotency-records/purge: that purge run on demand at the
 * request's clock by the dpo or an admin (after shortening the policy, or
 * to see that a hold keeps them); audited as idempotency_record.purge with
 * the ids of the records deleted. */
#include <stdio.h>
#include <stdlib.h>

#include "api/frame.h"
#include "api/handlers.h"
#include "core/clock.h"
#include "store/audit.h"
#include "store/idempotency.h"

void handle_idempotency_records_purge(req *r)
{
    store *s = frame_begin(r, FRAME_CHANGE);
    if (!s)
        return;
    char *ids = NULL;
    int purged = idempotency_purge_now(s, &ids);
    if (purged < 0 ||
        audit_record_list(s, "idempotency_record.purge", "idempotency_record", ids) != 0 ||
        store_commit(s) != 0) {
        free(ids);
        req_db_failed(r);
        return;
    }
    free(ids);
    char at[21], body[96];
    clock_rfc3339(s->now, at);
    snprintf(body, sizeof body, "{\"purged\":%d,\"at\":\"%s\"}", purged, at);
    reply_json_text(r, 200, body);
}
