#include "store/obligations.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "store/sql.h"

static const db_stmt find_stmt = {
    "obligations_find",
    "SELECT j FROM obligation_find(caller_principals($2, $3, $4::boolean, $7::boolean), $2, $3,"
    " $6::text[], $4::boolean, $5::date, $1::uuid) j WHERE j IS NOT NULL",
    7};

int obligations_find(store *s, const char *id, char **json)
{
    *json = NULL;
    if (!text_is_uuid(id))
        return 0;
    char roles[256];
    caller_roles_literal(s->who, roles, sizeof roles);
    const char *params[] = {id, s->who->sub, s->who->agency, caller_manager_param(s->who),
                            s->today_text, roles, caller_lead_param(s->who)};
    bool found;
    *json = sql_value(s, &find_stmt, params, &found);
    return *json ? 1 : found ? -1 : 0;
}

static const db_stmt list_stmt = {
    "obligations_list",
    "SELECT o.item, o.due, o.id FROM obligations_page(caller_principals($1, $2, $4::boolean,"
    " $16::boolean), $1, $2, $3::text[], $4::boolean, $5::date, $6, $7, $8::uuid, $9, $10, $11,"
    " $12::date, $13::date, $14::uuid, $15) o",
    16};

int obligations_list(store *s, const obligation_filters *f, int limit, char *const *after,
                     store_page *out)
{
    char roles[256];
    caller_roles_literal(s->who, roles, sizeof roles);
    sql_int lim;
    const char *params[] = {s->who->sub,
                            s->who->agency,
                            roles,
                            caller_manager_param(s->who),
                            s->today_text,
                            f->owner_sub,
                            f->agency,
                            f->meeting_id,
                            f->child_system,
                            f->child_id,
                            f->status,
                            f->due_before,
                            after[0],
                            after[1],
                            sql_int_of(&lim, limit + 1),
                            caller_lead_param(s->who)};
    return sql_list(s, &list_stmt, params, limit, 2, 2, out);
}

/* One scheduler at a time across every instance: a transaction-level lock,
 * released by the commit (or by the server when the connection dies). */
static const db_stmt lock_stmt = {
    "reminders_lock", "SELECT pg_try_advisory_xact_lock(4242019)", 0};

static const db_stmt send_stmt = {
    "reminders_send",
    "WITH due AS (SELECT * FROM reminders_due($1::date)),"
    " sent AS (INSERT INTO reminders_sent (obligation_id, stage, event_type, sent_on)"
    "          SELECT d.obligation_id, d.stage, d.event_type, $1::date FROM due d"
    "          ON CONFLICT DO NOTHING RETURNING obligation_id, stage),"
    " announced AS (INSERT INTO events (event_id, agency, type, resource_type, resource_id,"
    "                                   resource_version)"
    "               SELECT gen_random_uuid(), d.agency, d.event_type, d.resource_type,"
    "                      d.resource_id::text, d.resource_version"
    "                 FROM due d JOIN sent x USING (obligation_id, stage) RETURNING 1)"
    " SELECT count(*) FROM announced",
    1};

/* The scheduler's statement may take longer than a request's: it reads
 * every obligation still owed. */
static const db_stmt timeout_stmt = {
    "reminders_timeout", "SELECT set_config('statement_timeout', '60s', true)", 0};

int reminders_send_due(store *s, bool *ran, long *sent)
{
    *ran = false;
    *sent = 0;
    bool found;
    char *locked = sql_value(s, &lock_stmt, NULL, &found);
    if (!locked)
        return -1;
    bool got = locked[0] == 't';
    free(locked);
    if (!got)
        return 0;
    if (sql_run(s, &timeout_stmt, NULL) != 0)
        return -1;
    const char *params[] = {s->today_text};
    char *count = sql_value(s, &send_stmt, params, &found);
    if (!count)
        return -1;
    *ran = true;
    *sent = atol(count);
    free(count);
    return 0;
}

int reminders_tick(db_conn *c, time_t now, bool *ran, long *sent)
{
    caller scheduler;
    memset(&scheduler, 0, sizeof scheduler);
    snprintf(scheduler.sub, sizeof scheduler.sub, "mam-scheduler");
    store s;
    store_init(&s, c, &scheduler, "scheduler", now);
    if (store_begin(&s) != 0)
        return -1;
    if (reminders_send_due(&s, ran, sent) != 0 || store_commit(&s) != 0) {
        db_rollback(c);
        return -1;
    }
    return 0;
}
