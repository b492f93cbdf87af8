#include "support/fixtures.h"

#include <criterion/criterion.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static person admin(void)
{
    return person_new("ADMIN", "admin");
}

char *agency_new(const char *kind)
{
    char suffix[17], code[33];
    unique_suffix(suffix, sizeof suffix);
    for (char *p = suffix; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    snprintf(code, sizeof code, "T%.12s", suffix);
    person a = admin();
    json_t *body = json_pack("{s:s, s:s, s:s}", "code", code, "name", "Fictional Test Agency",
                             "kind", kind);
    http_response *r = api_call("POST", "/v1/agencies", a.token, body, NULL);
    cr_assert_eq(r->status, 201, "creating agency %s: %ld %s", code, r->status, r->body);
    json_decref(body);
    http_free(r);
    person_free(&a);
    return strdup(code);
}

json_t *meeting_body(const char *type)
{
    bool strategy = strcmp(type, "strategy_discussion") == 0;
    char ref[40], suffix[17];
    unique_suffix(suffix, sizeof suffix);
    snprintf(ref, sizeof ref, "CASE-%s", suffix);
    return json_pack(
        "{s:s, s:s, s:s, s:[s], s:s, s:[{s:s, s:s}], s:[{s:s, s:s}], s:{s:s, s:s}}", "type", type,
        "title", "Planning for a fictional family", "purpose",
        "Agree how agencies will work together", "criteria",
        strategy ? "significant_harm_suspected" : "drift_no_improved_outcomes", "rationale",
        "Progress has stalled across agencies", "children", "name", "Alex Example",
        "date_of_birth", "2015-06-01", "other_children", "name", "Sam Example", "relationship",
        "sibling", "external_ref", "system", "testcms", "id", ref);
}

/* the suffix hashed (FNV-1a), so two tests seldom draw the same number */
void nhs_number_new(char out[11])
{
    for (;;) {
        char suffix[17];
        unique_suffix(suffix, sizeof suffix);
        unsigned h = 2166136261u;
        for (const char *p = suffix; *p; p++)
            h = (h ^ (unsigned char)*p) * 16777619u;
        h ^= (unsigned)rand() ^ (unsigned)getpid();
        snprintf(out, 11, "999%06u", h % 1000000u);
        int sum = 0;
        for (int i = 0; i < 9; i++)
            sum += (out[i] - '0') * (10 - i);
        int check = 11 - sum % 11;
        if (check == 11)
            check = 0;
        if (check == 10)
            continue;
        out[9] = (char)('0' + check);
        out[10] = '\0';
        return;
    }
}

char *meeting_new(const person *p, const char *type)
{
    json_t *body = meeting_body(type);
    http_response *r = api_call("POST", "/v1/meetings", p->token, body, NULL);
    json_decref(body);
    cr_assert_eq(r->status, 201, "requesting a meeting: %ld %s", r->status, r->body);
    char *id = strdup(json_str(r->json, "id"));
    http_free(r);
    return id;
}

long meeting_authorise(const person *manager, const char *id, long version)
{
    char path[128], etag[32];
    snprintf(path, sizeof path, "/v1/meetings/%s/authorise", id);
    snprintf(etag, sizeof etag, "\"%ld\"", version);
    http_response *r = api_call("POST", path, manager->token, NULL, etag);
    cr_assert_eq(r->status, 200, "authorising: %ld %s", r->status, r->body);
    long v = json_int(r->json, "version");
    http_free(r);
    return v;
}

static PGconn *connect_db(void)
{
    const char *url = getenv("MAM_DATABASE_URL");
    cr_assert(url, "MAM_DATABASE_URL is not set");
    PGconn *pg = PQconnectdb(url);
    cr_assert_eq(PQstatus(pg), CONNECTION_OK, "connecting: %s", PQerrorMessage(pg));
    return pg;
}

char *db_value(const char *sql, int n, const char *const *params)
{
    PGconn *pg = connect_db();
    PGresult *res = PQexecParams(pg, sql, n, NULL, params, NULL, NULL, 0);
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s: %s", sql, PQerrorMessage(pg));
    char *v = strdup(PQntuples(res) ? PQgetvalue(res, 0, 0) : "");
    PQclear(res);
    PQfinish(pg);
    return v;
}

long db_long(const char *sql, int n, const char *const *params)
{
    char *v = db_value(sql, n, params);
    long out = atol(v);
    free(v);
    return out;
}

char *db_try(const char *sql)
{
    PGconn *pg = connect_db();
    PGresult *res = PQexec(pg, sql);
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    char *out = strdup(state ? state : "");
    PQclear(res);
    PQfinish(pg);
    return out;
}

char *db_fingerprint(const char *agency)
{
    const char *params[] = {agency};
    return db_value(
        "SELECT concat_ws(' ',"
        " (SELECT count(*) || '/' || coalesce(sum(version), 0) FROM meetings"
        "   WHERE convening_agency = $1),"
        " (SELECT count(*) FROM meeting_children c JOIN meetings m ON m.id = c.meeting_id"
        "   WHERE m.convening_agency = $1),"
        " (SELECT count(*) FROM audit_events WHERE actor_agency = $1),"
        " (SELECT count(*) FROM events WHERE agency = $1"
        "   AND NOT (resource_type IN ('agency', 'bank_holiday', 'policy', 'retention_policy',"
        "                         'retention_hold') AND resource_id <> $1)"
        "   AND type NOT LIKE 'reminder.%' AND type <> 'record.due'),"
        " (SELECT count(*) || '/' || coalesce(sum(version), 0) FROM agencies WHERE code = $1),"
        " (SELECT md5(string_agg(meeting_json(m, '2000-01-01')::text, ',' ORDER BY m.id)) FROM meetings m"
        "   WHERE m.convening_agency = $1))",
        1, params);
}

char *db_meeting_digest(const char *meeting_id)
{
    const char *params[] = {meeting_id};
#define ROWS(alias, from) \
    "(SELECT count(*) || ':' || md5(coalesce(string_agg(" alias "::text, ',' ORDER BY " alias \
    "::text), '')) FROM " from ")"
    return db_value(
        "WITH inv AS (SELECT id FROM invitations WHERE meeting_id = $1::uuid),"
        " dec AS (SELECT id FROM consent_decisions WHERE meeting_id = $1::uuid),"
        " act AS (SELECT id FROM actions WHERE $1::uuid IN (meeting_id, current_meeting_id)),"
        " esc AS (SELECT id FROM escalations WHERE meeting_id = $1::uuid),"
        " ren AS (SELECT id FROM minutes_renditions WHERE meeting_id = $1::uuid),"
        " ina AS (SELECT id FROM minutes_inaccuracies WHERE meeting_id = $1::uuid),"
        " ids AS (SELECT $1::text AS id UNION ALL SELECT id::text FROM inv"
        "         UNION ALL SELECT id::text FROM dec UNION ALL SELECT id::text FROM act"
        "         UNION ALL SELECT id::text FROM esc UNION ALL SELECT id::text FROM ren"
        "         UNION ALL SELECT id::text FROM ina)"
        " SELECT concat_ws(' ',"
        " 'meeting', " ROWS("m", "meetings m WHERE m.id = $1::uuid") ","
        " 'children', " ROWS("c", "meeting_children c WHERE c.meeting_id = $1::uuid") ","
        " 'meeting_decisions', " ROWS("md", "meeting_decisions md WHERE md.meeting_id = $1::uuid") ","
        " 'invitations', " ROWS("i", "invitations i WHERE i.id IN (SELECT id FROM inv)") ","
        " 'history', " ROWS("h", "invitation_history h WHERE h.invitation_id IN"
                               " (SELECT id FROM inv)") ","
        " 'papers', " ROWS("p", "invitation_papers p WHERE p.invitation_id IN"
                               " (SELECT id FROM inv)") ","
        " 'decisions', " ROWS("d", "consent_decisions d WHERE d.id IN (SELECT id FROM dec)") ","
        " 'agreements', " ROWS("g", "consent_agreements g WHERE g.decision_id IN"
                                   " (SELECT id FROM dec)") ","
        " 'minutes', " ROWS("n", "minutes n WHERE n.meeting_id = $1::uuid") ","
        " 'distribution', " ROWS("x", "minutes_distribution x WHERE x.meeting_id = $1::uuid") ","
        " 'renditions', " ROWS("rn", "minutes_renditions rn WHERE rn.id IN (SELECT id FROM ren)") ","
        " 'rendition_shares', " ROWS("rs", "rendition_shares rs WHERE rs.rendition_id IN"
                                         " (SELECT id FROM ren)") ","
        " 'ledger', " ROWS("ls", "information_sharing ls WHERE ls.meeting_id = $1::uuid") ","
        " 'inaccuracies', " ROWS("ia", "minutes_inaccuracies ia WHERE ia.id IN (SELECT id FROM ina)") ","
        " 'actions', " ROWS("a", "actions a WHERE a.id IN (SELECT id FROM act)") ","
        " 'action_history', " ROWS("ah", "action_history ah WHERE ah.action_id IN"
                                       " (SELECT id FROM act)") ","
        " 'escalations', " ROWS("e", "escalations e WHERE e.id IN (SELECT id FROM esc)") ","
        " 'escalation_events', " ROWS("ee", "escalation_events ee WHERE ee.escalation_id IN"
                                          " (SELECT id FROM esc)") ","
        " 'audit', (SELECT count(*) FROM audit_events au WHERE au.resource_id IN"
        "   (SELECT id FROM ids) OR au.resource_ids && ARRAY(SELECT id FROM ids)),"
        " 'feed', (SELECT count(*) FROM events ev WHERE ev.resource_id IN (SELECT id FROM ids)"
        "          AND ev.type NOT LIKE 'reminder.%' AND ev.type <> 'record.due'))",
        1, params);
#undef ROWS
}

const char *meeting_path(const char *id, const char *command)
{
    static _Thread_local char path[256]; /* threads of a fault test call it */
    if (command)
        snprintf(path, sizeof path, "/v1/meetings/%s/%s", id, command);
    else
        snprintf(path, sizeof path, "/v1/meetings/%s", id);
    return path;
}
