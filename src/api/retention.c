/* Retention (RET-1): policies per record class with their history, the
 * case closures a case-management system reports for a child, and the
 * records due.
 *
 * GET /v1/retention-policies/{record_class}, .../versions: any caller (not
 * case data, not audited). PUT: admins, with If-Match; a new version,
 * audited and announced to every agency.
 * POST /v1/children/{child_id}/case-closures: an integration or a manager
 * who may see the child reports its case closed (the start event
 * `case_closed`); audited, announced to the agencies of its meetings.
 * GET /v1/records-due: the dpo and admins list the records of every class
 * (meeting records, answered subject access cases) whose period has passed
 * at the request's clock, held ones marked; audited.
 * POST /v1/records-due/run: the daily job (serve.c runs it once a day) run
 * on demand at the request's clock, by the dpo or an admin; audited with
 * the ids it announced. */
#include <stdio.h>
#include <stdlib.h>

#include "api/frame.h"
#include "api/handlers.h"
#include "auth/caller.h"
#include "core/clock.h"
#include "domain/retention.h"
#include "store/audit.h"
#include "store/children.h"
#include "store/retention.h"

void handle_retention_policy_get(req *r)
{
    frame_get(r, &STORE_RETENTION_POLICY, NULL);
}

void handle_retention_policy_versions(req *r)
{
    static const enum cursor_part key[] = {PART_INTEGER};
    frame_page page;
    if (!frame_page_read(r, &page, 1, key))
        return;
    const char *record_class = req_path(r, 0);
    store *s = frame_begin(r, FRAME_READ);
    int version;
    store_page rendered;
    if (s && frame_found(r, retention_record_class_known(record_class)
                                ? retention_policy_version(s, record_class, &version)
                                : 0) &&
        frame_ok(r, retention_policy_history(s, record_class, page.limit, page.after[0],
                                             &rendered)))
        frame_list(r, &rendered, NULL, "retention_policy");
    frame_page_free(&page);
}

void handle_retention_policy_put(req *r)
{
    violations v;
    violations_init(&v);
    retention_policy_in in;
    retention_policy_parse(r->body, &in, &v);
    if (v.schema && frame_violations(r, &v))
        return;
    const char *record_class = req_path(r, 0);
    retention_policy_check(record_class, &in, &v);
    store *s = frame_begin(r, FRAME_CHANGE);
    int version;
    if (!s ||
        !frame_found(r, retention_record_class_known(record_class)
                            ? retention_policy_version(s, record_class, &version)
                            : 0) ||
        !frame_if_match(r, version) || frame_violations(r, &v))
        return;
    if (retention_policy_record(s, record_class, version, &in) != 0) {
        if (store_failure(s) == DB_UNIQUE)
            problem(r, 412, "stale-version", "Precondition Failed",
                    "The policy changed meanwhile; read it again and retry with its ETag.");
        else
            req_db_failed(r);
        return;
    }
    frame_finish(r, &(frame_change){.kind = &STORE_RETENTION_POLICY,
                                    .id = record_class,
                                    .audit_action = "retention_policy.update",
                                    .event = "retention_policy.changed"});
}

void handle_case_closures_create(req *r)
{
    violations v;
    violations_init(&v);
    case_closure_in in;
    char today[11];
    clock_date(r->now, today);
    case_closure_parse(r->body, today, &in, &v);
    if (v.schema && frame_violations(r, &v))
        return;
    const char *child_id = req_path(r, 0);
    store *s = frame_begin(r, FRAME_CHANGE);
    if (!s || !frame_found(r, children_visible(s, child_id)) ||
        !frame_idempotent(r, "child.case_closure.replayed", "case_closure"))
        return;
    /* the role after visibility: a stranger learns nothing (SEC-2) */
    if (!caller_has_any(&r->who, ROLE_INTEGRATION | ROLES_MANAGERS)) {
        problem_forbidden(r, "RET-1",
                          "A case closure is reported by a case-management system or a manager.");
        return;
    }
    if (frame_violations(r, &v))
        return;
    char id[37], location[80];
    snprintf(location, sizeof location, "/v1/children/%s", child_id);
    if (frame_ok(r, retention_case_closure_insert(s, child_id, in.closed_on, id)))
        frame_finish(r, &(frame_change){.kind = &STORE_CASE_CLOSURE,
                                        .id = id,
                                        .audit_action = "child.case_closure.record",
                                        .event = "child.case_closed",
                                        .created = true,
                                        .location = location});
}

void handle_records_due(req *r)
{
    static const enum cursor_part key[] = {PART_DATE, PART_UUID};
    frame_page page;
    if (!frame_page_read(r, &page, 2, key))
        return;
    store *s = frame_begin(r, FRAME_READ);
    store_page rendered;
    if (s && frame_ok(r, retention_due_list(s, page.limit, page.after, &rendered)))
        frame_list(r, &rendered, "record_due.list", "record");
    frame_page_free(&page);
}

void handle_records_due_run(req *r)
{
    store *s = frame_begin(r, FRAME_CHANGE);
    if (!s)
        return;
    bool ran = false;
    long noticed = 0;
    char *ids = NULL;
    if (retention_notices_send(s, true, &ran, &noticed, &ids) != 0 ||
        audit_record_list(s, "record_due.notice", "meeting", ids ? ids : "{}") != 0 ||
        store_commit(s) != 0) {
        free(ids);
        req_db_failed(r);
        return;
    }
    free(ids);
    char body[128];
    snprintf(body, sizeof body, "{\"ran\":%s,\"noticed\":%ld,\"on\":\"%s\"}",
             ran ? "true" : "false", noticed, s->today_text);
    reply_json_text(r, 200, body);
}
