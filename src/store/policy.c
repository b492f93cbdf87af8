#include "store/policy.h"

#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "store/sql.h"

static bool version_well_formed(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n > 9)
        return false;
    for (size_t i = 0; i < n; i++)
        if (id[i] < '0' || id[i] > '9')
            return false;
    return true;
}

const store_kind STORE_POLICY = {
    "policy",
    version_well_formed,
    {"policy_render",
     "SELECT policy_json(p), p.version FROM policy_versions p WHERE p.version = $1::integer", 1},
    {"policy_read",
     "SELECT policy_json(p), p.version FROM policy_versions p WHERE p.version = $1::integer", 1},
    {"policy_announce",
     "INSERT INTO events (event_id, agency, type, resource_type, resource_id, resource_version)"
     " SELECT e.id, a.code, $2, 'policy', $1::text, $1::text::integer"
     "   FROM (SELECT gen_random_uuid() AS id) e, agencies a",
     2},
};

#define CLOCK_COLUMNS                                                                          \
    "p.version, p.drift_working_days, p.notice_working_days, p.response_working_days,"        \
    " p.minutes_due_working_days, p.feedback_working_days,"                                    \
    " p.safeguarding_referral_working_days, p.escalation_stage_working_days[1],"              \
    " p.escalation_stage_working_days[2], p.escalation_stage_working_days[3],"                \
    " p.escalation_stage_working_days[4], p.papers_before_working_days, p.icpc_working_days," \
    " p.action_due_soon_working_days, p.manager_reminder_working_days,"                       \
    " p.contingency_working_days, p.accuracy_window_working_days,"                            \
    " p.outcome_letter_working_days"

static const db_stmt load_stmt = {
    "policy_load", "SELECT " CLOCK_COLUMNS ", policy_json(p) FROM policy_at(now()) p", 0};

static const db_stmt record_stmt = {
    "policy_record",
    "INSERT INTO policy_versions (version, effective_from, changed_by_sub, changed_by_agency,"
    " reason, drift_working_days, notice_working_days, response_working_days,"
    " minutes_due_working_days, feedback_working_days, safeguarding_referral_working_days,"
    " escalation_stage_working_days, papers_before_working_days, icpc_working_days,"
    " action_due_soon_working_days, manager_reminder_working_days, contingency_working_days,"
    " accuracy_window_working_days, outcome_letter_working_days)"
    " VALUES ($1::integer + 1, now(), $2, $3, $4, $5::integer, $6::integer, $7::integer,"
    " $8::integer, $9::integer, $10::integer,"
    " ARRAY[$11::integer, $12::integer, $13::integer, $14::integer], $15::integer,"
    " $16::integer, $17::integer, $18::integer, $19::integer, $20::integer, $21::integer)",
    21};

static const db_stmt history_stmt = {
    "policy_history",
    "SELECT policy_json(p), p.version FROM policy_versions p"
    " WHERE ($1::integer IS NULL OR p.version < $1::integer)"
    " ORDER BY p.version DESC LIMIT $2",
    2};

static int load(store *s, policy *out, char **json, long *version)
{
    PGresult *res = sql_query(s, &load_stmt, NULL);
    if (!res)
        return -1;
    if (PQntuples(res) != 1) {
        PQclear(res);
        return -1;
    }
    int col = 0;
    policy p;
    p.version = atoi(PQgetvalue(res, 0, col++));
    p.drift_working_days = atoi(PQgetvalue(res, 0, col++));
    p.notice_working_days = atoi(PQgetvalue(res, 0, col++));
    p.response_working_days = atoi(PQgetvalue(res, 0, col++));
    p.minutes_due_working_days = atoi(PQgetvalue(res, 0, col++));
    p.feedback_working_days = atoi(PQgetvalue(res, 0, col++));
    p.safeguarding_referral_working_days = atoi(PQgetvalue(res, 0, col++));
    for (int i = 0; i < 4; i++)
        p.escalation_stage_working_days[i] = atoi(PQgetvalue(res, 0, col++));
    p.papers_before_working_days = atoi(PQgetvalue(res, 0, col++));
    p.icpc_working_days = atoi(PQgetvalue(res, 0, col++));
    p.action_due_soon_working_days = atoi(PQgetvalue(res, 0, col++));
    p.manager_reminder_working_days = atoi(PQgetvalue(res, 0, col++));
    p.contingency_working_days = atoi(PQgetvalue(res, 0, col++));
    p.accuracy_window_working_days = atoi(PQgetvalue(res, 0, col++));
    p.outcome_letter_working_days = atoi(PQgetvalue(res, 0, col++));
    if (out)
        *out = p;
    if (json)
        *json = xstrdup(PQgetvalue(res, 0, col));
    if (version)
        *version = p.version;
    PQclear(res);
    return 0;
}

int policy_load(store *s, policy *out)
{
    return load(s, out, NULL, NULL);
}

char *policy_current_json(store *s, long *version)
{
    char *json = NULL;
    if (load(s, NULL, &json, version) != 0)
        return NULL;
    return json;
}

int policy_record(store *s, const policy *p, int after_version, const char *reason)
{
    sql_int v[19];
    int k = 0;
    const char *params[21];
    params[0] = sql_int_of(&v[k++], after_version);
    params[1] = s->who->sub;
    params[2] = s->who->agency;
    params[3] = reason;
    params[4] = sql_int_of(&v[k++], p->drift_working_days);
    params[5] = sql_int_of(&v[k++], p->notice_working_days);
    params[6] = sql_int_of(&v[k++], p->response_working_days);
    params[7] = sql_int_of(&v[k++], p->minutes_due_working_days);
    params[8] = sql_int_of(&v[k++], p->feedback_working_days);
    params[9] = sql_int_of(&v[k++], p->safeguarding_referral_working_days);
    for (int i = 0; i < 4; i++)
        params[10 + i] = sql_int_of(&v[k++], p->escalation_stage_working_days[i]);
    params[14] = sql_int_of(&v[k++], p->papers_before_working_days);
    params[15] = sql_int_of(&v[k++], p->icpc_working_days);
    params[16] = sql_int_of(&v[k++], p->action_due_soon_working_days);
    params[17] = sql_int_of(&v[k++], p->manager_reminder_working_days);
    params[18] = sql_int_of(&v[k++], p->contingency_working_days);
    params[19] = sql_int_of(&v[k++], p->accuracy_window_working_days);
    params[20] = sql_int_of(&v[k++], p->outcome_letter_working_days);
    return sql_run(s, &record_stmt, params);
}

int policy_history(store *s, int limit, const char *after, store_page *out)
{
    sql_int lim;
    const char *params[] = {after, sql_int_of(&lim, limit + 1)};
    return sql_list(s, &history_stmt, params, limit, 1, -1, out);
}
