/* The clocks as policy (OBL-1): every caller reads the policy in effect and
 * its history; admins change it with PUT, which records a new version
 * effective from that moment. Obligations already open keep the version they
 * opened under (sql/functions/85_obligations.sql). Not case data: reads are
 * not audited; a change is audited and announced to every agency. */
#include <stdio.h>
#include <stdlib.h>

#include "api/frame.h"
#include "api/handlers.h"
#include "domain/policy.h"
#include "store/policy.h"

void handle_policy_get(req *r)
{
    store *s = frame_begin(r, FRAME_READ);
    if (!s)
        return;
    long version = 0;
    char *json = policy_current_json(s, &version);
    if (!json || store_commit(s) != 0) {
        free(json);
        req_db_failed(r);
        return;
    }
    reply_etag(r, version);
    reply_json_text(r, 200, json);
    free(json);
}

void handle_policy_versions(req *r)
{
    static const enum cursor_part key[] = {PART_INTEGER};
    frame_page page;
    if (!frame_page_read(r, &page, 1, key))
        return;
    store *s = frame_begin(r, FRAME_READ);
    store_page rendered;
    if (s && frame_ok(r, policy_history(s, page.limit, page.after[0], &rendered)))
        frame_list(r, &rendered, NULL, "policy");
    frame_page_free(&page);
}

void handle_policy_put(req *r)
{
    violations v;
    violations_init(&v);
    policy p;
    const char *reason = NULL;
    policy_parse(r->body, &p, &reason, &v);
    if (frame_violations(r, &v))
        return;
    store *s = frame_begin(r, FRAME_CHANGE);
    if (!s)
        return;
    policy current;
    if (!frame_ok(r, policy_load(s, &current)) || !frame_if_match(r, current.version))
        return;
    if (policy_record(s, &p, current.version, reason) != 0) {
        if (store_failure(s) == DB_UNIQUE)
            problem(r, 412, "stale-version", "Precondition Failed",
                    "The policy changed meanwhile; read it again and retry with its ETag.");
        else
            req_db_failed(r);
        return;
    }
    char id[16];
    snprintf(id, sizeof id, "%d", current.version + 1);
    frame_finish(r, &(frame_change){.kind = &STORE_POLICY,
                                    .id = id,
                                    .audit_action = "policy.update",
                                    .event = "policy.changed"});
}
