#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "store/sql.h"

void store_init(store *s, db_conn *db, const caller *who, const char *request_id, time_t now)
{
    s->db = db;
    s->who = who;
    s->request_id = request_id;
    s->trace_id = NULL;
    s->now = now;
    s->today = (cal_day)(now / 86400);
    cal_format(s->today, s->today_text);
}

/* INT-4: a caller with the integration role acts, for this transaction
 * only, as its agency's integration principal (caller_principals in
 * sql/functions/10_access.sql reads the setting). */
static const db_stmt integration_stmt = {
    "store_as_integration", "SELECT set_config('mam.integration', 'on', true)", 0};

static int as_caller(store *s, int begun)
{
    if (begun != 0 || !s->who || !caller_has_any(s->who, ROLE_INTEGRATION))
        return begun;
    return sql_run(s, &integration_stmt, NULL);
}

int store_begin(store *s)
{
    return as_caller(s, db_begin(s->db));
}

int store_begin_read(store *s)
{
    return as_caller(s, db_begin_read(s->db));
}

int store_commit(store *s)
{
    return db_commit(s->db);
}

enum db_failure store_failure(const store *s)
{
    return db_failure_of(s->db);
}

const char *store_constraint(const store *s)
{
    return db_constraint_of(s->db);
}

/* --- statements --- */

int sql_run(store *s, const db_stmt *st, const char *const *params)
{
    PGresult *res = db_exec(s->db, st, params);
    if (!res)
        return -1;
    PQclear(res);
    return 0;
}

PGresult *sql_query(store *s, const db_stmt *st, const char *const *params)
{
    return db_exec(s->db, st, params);
}

char *sql_value(store *s, const db_stmt *st, const char *const *params, bool *found)
{
    char *v = db_exec_value(s->db, st, params, found);
    if (!v && db_failure_of(s->db) != DB_OK)
        *found = true; /* not "absent": the caller must report the failure */
    return v;
}

void sql_copy(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src);
}

void sql_caller(const store *s, const char *out[4])
{
    out[0] = s->who->sub;
    out[1] = s->who->agency;
    out[2] = caller_manager_param(s->who);
    out[3] = caller_lead_param(s->who);
}

const char *sql_int_of(sql_int *holder, long long v)
{
    snprintf(holder->text, sizeof holder->text, "%lld", v);
    return holder->text;
}

/* --- resources --- */

const char *store_kind_name(const store_kind *k)
{
    return k->name;
}

/* json and version from a render or read statement's only row. */
static char *take_rendering(PGresult *res, long *version, bool *found)
{
    char *json = NULL;
    *found = PQntuples(res) == 1;
    if (*found) {
        json = xstrdup(PQgetvalue(res, 0, 0));
        *version = atol(PQgetvalue(res, 0, 1));
    }
    PQclear(res);
    return json;
}

char *store_render(store *s, const store_kind *k, const char *id, long *version)
{
    const char *params[] = {id, s->today_text};
    PGresult *res = db_exec(s->db, &k->render, params);
    bool found;
    return res ? take_rendering(res, version, &found) : NULL;
}

char *store_read(store *s, const store_kind *k, const char *id, long *version, bool *found)
{
    *found = false;
    if (!k->well_formed(id))
        return NULL;
    char roles[256];
    caller_roles_literal(s->who, roles, sizeof roles);
    const char *params[] = {id,
                            s->who->sub,
                            s->who->agency,
                            caller_manager_param(s->who),
                            caller_lead_param(s->who),
                            s->today_text,
                            roles};
    PGresult *res = db_exec(s->db, &k->read, params);
    if (!res) {
        *found = true;
        return NULL;
    }
    return take_rendering(res, version, found);
}

bool store_kind_reads_audited(const store_kind *k)
{
    return k->read_audited.name != NULL;
}

char *store_read_audited(store *s, const store_kind *k, const char *id, const char *audit_action,
                         long *version, bool *found)
{
    *found = false;
    if (!k->well_formed(id))
        return NULL;
    const char *params[] = {id,
                            s->who->sub,
                            s->who->agency,
                            caller_manager_param(s->who),
                            caller_lead_param(s->who),
                            s->today_text,
                            caller_integration_param(s->who),
                            s->request_id,
                            audit_action,
                            s->trace_id && s->trace_id[0] ? s->trace_id : NULL};
    PGresult *res = db_exec(s->db, &k->read_audited, params);
    if (!res) {
        *found = true;
        return NULL;
    }
    return take_rendering(res, version, found);
}

int store_announce(store *s, const store_kind *k, const char *id, const char *event_type)
{
    const char *params[] = {id, event_type};
    return sql_run(s, &k->announce, params);
}
