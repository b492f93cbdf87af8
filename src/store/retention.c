/* Retention policies, case closures and the records due (retention.h). */
#include "store/retention.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "core/xalloc.h"
#include "store/sql.h"

const store_kind STORE_RETENTION_POLICY = {
    "retention_policy",
    retention_record_class_known,
    {"retention_policy_render",
     "SELECT retention_policy_json(p), p.version FROM retention_policy_current($1) p"
     " WHERE p.record_class IS NOT NULL",
     1},
    {"retention_policy_read",
     "SELECT retention_policy_json(p), p.version FROM retention_policy_current($1) p"
     " WHERE p.record_class IS NOT NULL",
     1},
    {"retention_policy_announce",
     "INSERT INTO events (event_id, agency, type, resource_type, resource_id, resource_version)"
     " SELECT e.id, a.code, $2, 'retention_policy', $1, p.version"
     "   FROM (SELECT gen_random_uuid() AS id) e, agencies a, retention_policy_current($1) p",
     2},
};

const store_kind STORE_CASE_CLOSURE = {
    "case_closure",
    text_is_uuid,
    {"case_closure_render",
     "SELECT case_closure_json(x), x.version FROM child_case_closures x WHERE x.id = $1", 1},
    {"case_closure_read",
     "SELECT case_closure_json(x), x.version FROM child_case_closures x WHERE x.id = $1"
     "   AND child_visible(x.child_id, caller_principals($2, $3, $4::boolean, $5::boolean))",
     5},
    {"case_closure_announce",
     "INSERT INTO events (event_id, agency, type, resource_type, resource_id, resource_version)"
     " SELECT e.id, a.code, $2, 'child', x.child_id::text, NULL"
     "   FROM child_case_closures x, (SELECT gen_random_uuid() AS id) e,"
     "        LATERAL (SELECT DISTINCT unnest(meeting_agencies(c.meeting_id)) AS code"
     "                   FROM meeting_children c WHERE c.child_id = x.child_id) a"
     "  WHERE x.id = $1::uuid",
     2},
};

static const db_stmt version_stmt = {
    "retention_policy_version",
    "SELECT p.version FROM retention_policy_current($1) p WHERE p.record_class IS NOT NULL", 1};

int retention_policy_version(store *s, const char *record_class, int *version)
{
    const char *params[] = {record_class};
    bool found;
    char *v = sql_value(s, &version_stmt, params, &found);
    if (!v)
        return found ? -1 : 0;
    *version = atoi(v);
    free(v);
    return 1;
}

static const db_stmt record_stmt = {
    "retention_policy_record",
    "INSERT INTO retention_policies (record_class, version, period_months, runs_from,"
    " then_action, effective_from, changed_by_sub, changed_by_agency, reason, period_hours)"
    " VALUES ($1, $2::integer + 1, $3::integer, $4, $5, now(), $6, $7, $8, $9::integer)",
    9};

int retention_policy_record(store *s, const char *record_class, int after_version,
                            const retention_policy_in *in)
{
    sql_int after, months, hours;
    /* the one period the policy states; the other is NULL */
    const char *params[] = {record_class,   sql_int_of(&after, after_version),
                            in->period_months ? sql_int_of(&months, in->period_months) : NULL,
                            in->runs_from,  in->then,
                            s->who->sub,    s->who->agency,
                            in->reason,
                            in->period_hours ? sql_int_of(&hours, in->period_hours) : NULL};
    return sql_run(s, &record_stmt, params);
}

static const db_stmt history_stmt = {
    "retention_policy_history",
    "SELECT retention_policy_json(p), p.version FROM retention_policies p"
    " WHERE p.record_class = $1 AND ($2::integer IS NULL OR p.version < $2::integer)"
    " ORDER BY p.version DESC LIMIT $3",
    3};

int retention_policy_history(store *s, const char *record_class, int limit, const char *after,
                             store_page *out)
{
    sql_int lim;
    const char *params[] = {record_class, after, sql_int_of(&lim, limit + 1)};
    return sql_list(s, &history_stmt, params, limit, 1, -1, out);
}

static const db_stmt closure_stmt = {
    "retention_case_closure_insert",
    "INSERT INTO child_case_closures (child_id, closed_on, reported_by_sub, reported_by_agency)"
    " VALUES ($1, $2::date, $3, $4) RETURNING id",
    4};

int retention_case_closure_insert(store *s, const char *child_id, const char *closed_on,
                                  char id_out[37])
{
    const char *params[] = {child_id, closed_on, s->who->sub, s->who->agency};
    bool found;
    char *id = sql_value(s, &closure_stmt, params, &found);
    if (!id)
        return -1;
    sql_copy(id_out, 37, id);
    free(id);
    return 0;
}

static const db_stmt due_stmt = {
    "retention_due_list",
    "SELECT r.item, to_char(r.due_on, 'YYYY-MM-DD'), r.record_id, r.record_id"
    "  FROM records_due($1::date) r"
    " WHERE ($2::date IS NULL OR (r.due_on, r.record_id) > ($2::date, $3::uuid))"
    " ORDER BY r.due_on, r.record_id LIMIT $4",
    4};

int retention_due_list(store *s, int limit, char *const *after, store_page *out)
{
    sql_int lim;
    const char *params[] = {s->today_text, after[0], after[1], sql_int_of(&lim, limit + 1)};
    return sql_list(s, &due_stmt, params, limit, 2, 3, out);
}

static const db_stmt decisions_lock_stmt = {
    "retention_decisions_lock", "SELECT pg_advisory_xact_lock(4242042)", 0};

int retention_decisions_lock(store *s)
{
    return sql_run(s, &decisions_lock_stmt, NULL);
}

static const db_stmt notices_lock_stmt = {
    "retention_notices_lock", "SELECT pg_try_advisory_xact_lock(4242041)", 0};

static const db_stmt notices_ran_stmt = {
    "retention_notices_ran",
    "SELECT EXISTS (SELECT 1 FROM retention_runs WHERE run_on = $1::date)", 1};

static const db_stmt notices_stmt = {
    "retention_notices_send",
    "SELECT ids::text, cardinality(ids) FROM retention_notice_due($1::date) ids", 1};

/* A boolean statement's answer: 1, 0, or -1 on a failure. */
static int yes(store *s, const db_stmt *st, const char *const *params)
{
    bool found;
    char *v = sql_value(s, st, params, &found);
    if (!v)
        return -1;
    int t = v[0] == 't';
    free(v);
    return t;
}

int retention_notices_send(store *s, bool again, bool *ran, long *noticed, char **ids_out)
{
    *ran = false;
    *noticed = 0;
    *ids_out = NULL;
    int locked = yes(s, &notices_lock_stmt, NULL);
    if (locked <= 0)
        return locked;
    const char *params[] = {s->today_text};
    if (!again) {
        int done = yes(s, &notices_ran_stmt, params);
        if (done != 0)
            return done < 0 ? -1 : 0;
    }
    PGresult *res = sql_query(s, &notices_stmt, params);
    if (!res)
        return -1;
    *ran = true;
    *ids_out = xstrdup(PQgetvalue(res, 0, 0));
    *noticed = atol(PQgetvalue(res, 0, 1));
    PQclear(res);
    return 0;
}

int retention_tick(db_conn *c, time_t now, bool *ran, long *noticed)
{
    caller scheduler;
    memset(&scheduler, 0, sizeof scheduler);
    snprintf(scheduler.sub, sizeof scheduler.sub, "mam-scheduler");
    store s;
    store_init(&s, c, &scheduler, "scheduler", now);
    if (store_begin(&s) != 0)
        return -1;
    char *ids = NULL;
    if (retention_notices_send(&s, false, ran, noticed, &ids) != 0 || store_commit(&s) != 0) {
        free(ids);
        db_rollback(c);
        return -1;
    }
    free(ids);
    return 0;
}
