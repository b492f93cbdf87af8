/* Subject access requests (subject_access.h). */
#include "store/subject_access.h"

#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "store/sql.h"

const store_kind STORE_SUBJECT_ACCESS_REQUEST = {
    "subject_access_request",
    text_is_uuid,
    {"sar_render",
     "SELECT subject_access_request_json(r, $2::date), r.version"
     "  FROM subject_access_requests r WHERE r.id = $1",
     2},
    {"sar_read",
     "SELECT subject_access_request_json(r, $6::date), r.version"
     "  FROM subject_access_requests r"
     " WHERE r.id = $1 AND subject_access_request_visible($7::text[])"
     "   AND $2::text IS NOT NULL AND $3::text IS NOT NULL"
     "   AND $4::boolean IS NOT NULL AND $5::boolean IS NOT NULL",
     7},
    /* never announced (subject_access.h) */
    {"sar_announce", "SELECT WHERE $1::text IS NOT NULL AND $2::text IS NOT NULL", 2},
};

static const char *roles_of(const store *s, char *out, size_t size)
{
    caller_roles_literal(s->who, out, size);
    return out;
}

static const db_stmt find_stmt = {
    "sar_find",
    "SELECT r.id, r.received_on, r.due_on, r.extended_due_on IS NOT NULL,"
    "       r.gathered_at IS NOT NULL, r.version, r.answered_on IS NOT NULL"
    "  FROM subject_access_requests r"
    " WHERE r.id = $1 AND subject_access_request_visible($2::text[])",
    2};

static const db_stmt lock_stmt = {
    "sar_lock",
    "SELECT r.id, r.received_on, r.due_on, r.extended_due_on IS NOT NULL,"
    "       r.gathered_at IS NOT NULL, r.version, r.answered_on IS NOT NULL"
    "  FROM subject_access_requests r"
    " WHERE r.id = $1 AND subject_access_request_visible($2::text[]) FOR UPDATE",
    2};

int sar_find(store *s, const char *id, bool lock, sar_row *out)
{
    if (!text_is_uuid(id))
        return 0;
    char roles[256];
    const char *params[] = {id, roles_of(s, roles, sizeof roles)};
    PGresult *res = sql_query(s, lock ? &lock_stmt : &find_stmt, params);
    if (!res)
        return -1;
    int found = PQntuples(res) == 1;
    if (found) {
        sql_copy(out->id, sizeof out->id, PQgetvalue(res, 0, 0));
        found = cal_parse(PQgetvalue(res, 0, 1), &out->received_on) &&
                cal_parse(PQgetvalue(res, 0, 2), &out->first_due_on);
        out->extended = strcmp(PQgetvalue(res, 0, 3), "t") == 0;
        out->gathered = strcmp(PQgetvalue(res, 0, 4), "t") == 0;
        out->version = atol(PQgetvalue(res, 0, 5));
        out->answered = strcmp(PQgetvalue(res, 0, 6), "t") == 0;
    }
    PQclear(res);
    return found;
}

static const db_stmt insert_stmt = {
    "sar_insert",
    "INSERT INTO subject_access_requests (child_system, child_ref_id, subject_sub, subject_name,"
    "   requester_name, requester_relation, received_on, identity_verified_on, due_on,"
    "   registered_by_sub, registered_by_name)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7::date, $8::date, $9::date, $10, $11) RETURNING id",
    11};

int sar_insert(store *s, const sar_in *in, const char *due_on, char id_out[37])
{
    const char *params[] = {in->child_ref ? in->child_system : NULL,
                            in->child_ref ? in->child_id : NULL,
                            in->subject_sub,
                            in->subject_name,
                            in->requester_name,
                            in->requester_relation,
                            in->received_on,
                            in->identity_verified_on,
                            due_on,
                            s->who->sub,
                            s->who->name};
    bool found;
    char *id = sql_value(s, &insert_stmt, params, &found);
    if (!id)
        return -1;
    sql_copy(id_out, 37, id);
    free(id);
    return 0;
}

static const db_stmt extend_stmt = {
    "sar_extend",
    "UPDATE subject_access_requests SET extended_due_on = $2::date, extension_reason = $3,"
    "       requester_told_on = $4::date, extended_by_sub = $5, extended_by_name = $6,"
    "       extended_at = now(), version = version + 1"
    " WHERE id = $1",
    6};

int sar_extend(store *s, const char *id, const sar_extension_in *in, const char *due_on)
{
    const char *params[] = {id, due_on, in->reason, in->requester_told_on, s->who->sub,
                            s->who->name};
    return sql_run(s, &extend_stmt, params);
}

static const db_stmt gather_stmt = {"sar_gather", "SELECT subject_access_gather($1, $2, $3)", 3};

int sar_gather(store *s, const char *id)
{
    const char *params[] = {id, s->who->sub, s->who->name};
    return sql_run(s, &gather_stmt, params);
}

static const db_stmt undecided_stmt = {
    "sar_undecided",
    "SELECT count(*) FROM subject_access_items WHERE request_id = $1 AND decision IS NULL", 1};

long sar_undecided(store *s, const char *id)
{
    const char *params[] = {id};
    bool found;
    char *n = sql_value(s, &undecided_stmt, params, &found);
    if (!n)
        return -1;
    long count = atol(n);
    free(n);
    return count;
}

static const db_stmt answer_stmt = {
    "sar_answer",
    "UPDATE subject_access_requests SET answered_on = $2::date, answered_by_sub = $3,"
    "       answered_by_name = $4, version = version + 1"
    " WHERE id = $1",
    4};

int sar_answer(store *s, const char *id, const char *answered_on)
{
    const char *params[] = {id, answered_on, s->who->sub, s->who->name};
    return sql_run(s, &answer_stmt, params);
}

static const db_stmt list_stmt = {
    "sar_list",
    "SELECT subject_access_request_json(r, $2::date), rfc3339(r.created_at), r.id, r.id"
    "  FROM subject_access_requests r"
    " WHERE subject_access_request_visible($1::text[])"
    "   AND (NOT $3::boolean OR subject_access_request_overdue(r, $2::date))"
    "   AND ($4::timestamptz IS NULL OR (r.created_at, r.id) > ($4::timestamptz, $5::uuid))"
    " ORDER BY r.created_at, r.id LIMIT $6",
    6};

int sar_list(store *s, bool overdue, int limit, char *const *after, store_page *out)
{
    char roles[256];
    sql_int lim;
    const char *params[] = {roles_of(s, roles, sizeof roles), s->today_text,
                            overdue ? "true" : "false", after[0], after[1],
                            sql_int_of(&lim, limit + 1)};
    return sql_list(s, &list_stmt, params, limit, 2, 3, out);
}

static const db_stmt items_stmt = {
    "sar_items_list",
    "SELECT subject_access_item_json(x), x.item_no, x.request_id"
    "  FROM subject_access_items x"
    " WHERE x.request_id = $1 AND ($2::integer IS NULL OR x.item_no > $2::integer)"
    " ORDER BY x.item_no LIMIT $3",
    3};

int sar_items_list(store *s, const char *id, int limit, char *const *after, store_page *out)
{
    sql_int lim;
    const char *params[] = {id, after[0], sql_int_of(&lim, limit + 1)};
    return sql_list(s, &items_stmt, params, limit, 1, 2, out);
}

static const db_stmt item_text_stmt = {
    "sar_item_text",
    "SELECT x.text FROM subject_access_items x"
    " WHERE x.request_id = $1 AND x.item_no = $2::integer FOR UPDATE",
    2};

char *sar_item_text(store *s, const char *id, const char *item_no, bool *found)
{
    const char *params[] = {id, item_no};
    return sql_value(s, &item_text_stmt, params, found);
}

static const db_stmt decide_stmt = {
    "sar_decide",
    "WITH d AS (UPDATE subject_access_items"
    "              SET decision = $3, exemption = $4, spans = $5::jsonb, decided_by_sub = $6,"
    "                  decided_by_name = $7, decided_at = now()"
    "            WHERE request_id = $1 AND item_no = $2::integer RETURNING request_id)"
    " UPDATE subject_access_requests r SET version = r.version + 1"
    "   FROM d WHERE r.id = d.request_id",
    7};

int sar_decide(store *s, const char *id, const char *item_no, const sar_decision_in *in)
{
    char *spans = in->spans ? json_dumps(in->spans, JSON_COMPACT) : NULL;
    const char *params[] = {id,          item_no,     in->decision, in->exemption,
                            spans,       s->who->sub, s->who->name};
    int rc = sql_run(s, &decide_stmt, params);
    free(spans);
    return rc;
}

static const db_stmt items_all_stmt = {
    "sar_items_all",
    "SELECT coalesce(json_agg(subject_access_item_json(x) ORDER BY x.item_no), '[]'::json)"
    "  FROM subject_access_items x WHERE x.request_id = $1",
    1};

json_t *sar_items_all(store *s, const char *id)
{
    const char *params[] = {id};
    bool found;
    char *text = sql_value(s, &items_all_stmt, params, &found);
    if (!text)
        return NULL;
    json_t *items = json_loads(text, 0, NULL);
    free(text);
    return items;
}

/* --- consultations --- */

const store_kind STORE_SUBJECT_ACCESS_CONSULTATION = {
    "subject_access_consultation",
    text_is_uuid,
    {"sar_consultation_render",
     "SELECT subject_access_consultation_json(c, $2::date), c.version"
     "  FROM subject_access_consultations c WHERE c.id = $1",
     2},
    {"sar_consultation_read",
     "SELECT subject_access_consultation_json(c, $6::date), c.version"
     "  FROM subject_access_consultations c"
     " WHERE c.id = $1 AND subject_access_consultation_visible(c.agency, $3, $7::text[])"
     "   AND $2::text IS NOT NULL AND $4::boolean IS NOT NULL AND $5::boolean IS NOT NULL",
     7},
    /* never announced, as the request (subject_access.h) */
    {"sar_consultation_announce", "SELECT WHERE $1::text IS NOT NULL AND $2::text IS NOT NULL",
     2},
};

static const db_stmt item_agencies_stmt = {
    "sar_item_agencies",
    "SELECT coalesce(json_agg(json_build_object('item_no', x.item_no, 'agency', x.agency)"
    "                         ORDER BY x.item_no), '[]'::json)"
    "  FROM subject_access_items x WHERE x.request_id = $1",
    1};

json_t *sar_item_agencies(store *s, const char *id)
{
    const char *params[] = {id};
    bool found;
    char *text = sql_value(s, &item_agencies_stmt, params, &found);
    if (!text)
        return NULL;
    json_t *items = json_loads(text, 0, NULL);
    free(text);
    return items;
}

static const db_stmt consultation_insert_stmt = {
    "sar_consultation_insert",
    "WITH c AS (INSERT INTO subject_access_consultations (request_id, agency, question,"
    "              working_days, asked_on, due_on, asked_by_sub, asked_by_name)"
    "           VALUES ($1, $2, $3, $4::integer, $5::date, $6::date, $7, $8) RETURNING id),"
    " i AS (INSERT INTO subject_access_consultation_items (consultation_id, request_id, item_no)"
    "       SELECT c.id, $1, n FROM c, unnest($9::integer[]) n),"
    " r AS (UPDATE subject_access_requests SET version = version + 1 WHERE id = $1)"
    " SELECT id FROM c",
    9};

int sar_consultation_insert(store *s, const char *request_id, const sar_consultation_in *in,
                            const char *due_on, char id_out[37])
{
    char nos[SAR_CONSULT_ITEMS_MAX * 12 + 3];
    size_t o = 0;
    nos[o++] = '{';
    for (size_t i = 0; i < in->n_items; i++)
        o += (size_t)snprintf(nos + o, sizeof nos - o, "%s%ld", i ? "," : "", in->item_nos[i]);
    snprintf(nos + o, sizeof nos - o, "}");
    sql_int days;
    const char *params[] = {request_id,  in->agency,   in->question,
                            sql_int_of(&days, in->working_days),
                            s->today_text, due_on,     s->who->sub,
                            s->who->name,  nos};
    bool found;
    char *id = sql_value(s, &consultation_insert_stmt, params, &found);
    if (!id)
        return -1;
    sql_copy(id_out, 37, id);
    free(id);
    return 0;
}

#define CONSULTATION_FIND                                                                        \
    "SELECT c.id, c.request_id, c.agency, c.answered_at IS NOT NULL, c.version"                  \
    "  FROM subject_access_consultations c"                                                      \
    " WHERE c.id = $1 AND subject_access_consultation_visible(c.agency, $2, $3::text[])"

static const db_stmt consultation_find_stmt = {"sar_consultation_find", CONSULTATION_FIND, 3};
static const db_stmt consultation_lock_stmt = {"sar_consultation_lock",
                                               CONSULTATION_FIND " FOR UPDATE", 3};

int sar_consultation_find(store *s, const char *id, bool lock, sar_consultation_row *out)
{
    if (!text_is_uuid(id))
        return 0;
    char roles[256];
    const char *params[] = {id, s->who->agency, roles_of(s, roles, sizeof roles)};
    PGresult *res = sql_query(s, lock ? &consultation_lock_stmt : &consultation_find_stmt, params);
    if (!res)
        return -1;
    int found = PQntuples(res) == 1;
    if (found) {
        sql_copy(out->id, sizeof out->id, PQgetvalue(res, 0, 0));
        sql_copy(out->request_id, sizeof out->request_id, PQgetvalue(res, 0, 1));
        sql_copy(out->agency, sizeof out->agency, PQgetvalue(res, 0, 2));
        out->answered = strcmp(PQgetvalue(res, 0, 3), "t") == 0;
        out->version = atol(PQgetvalue(res, 0, 4));
    }
    PQclear(res);
    return found;
}

static const db_stmt consultation_answer_stmt = {
    "sar_consultation_answer",
    "WITH c AS (UPDATE subject_access_consultations"
    "              SET recommendation = $2, answer = $3, answered_on = $4::date,"
    "                  answered_by_sub = $5, answered_by_name = $6, answered_at = now(),"
    "                  version = version + 1"
    "            WHERE id = $1 AND answered_at IS NULL RETURNING request_id)"
    " UPDATE subject_access_requests r SET version = r.version + 1"
    "   FROM c WHERE r.id = c.request_id",
    6};

int sar_consultation_answer(store *s, const char *id, const sar_consultation_answer_in *in)
{
    const char *params[] = {id, in->recommendation, in->text, s->today_text, s->who->sub,
                            s->who->name};
    return sql_run(s, &consultation_answer_stmt, params);
}

static const db_stmt consultations_stmt = {
    "sar_consultations_list",
    "SELECT subject_access_consultation_json(c, $3::date), rfc3339(c.created_at), c.id, c.id"
    "  FROM subject_access_consultations c"
    " WHERE ($1::uuid IS NULL OR c.request_id = $1::uuid)"
    "   AND subject_access_consultation_visible(c.agency, $2, $8::text[])"
    "   AND (NOT $4::boolean OR subject_access_consultation_overdue(c, $3::date))"
    "   AND ($5::timestamptz IS NULL OR (c.created_at, c.id) > ($5::timestamptz, $6::uuid))"
    " ORDER BY c.created_at, c.id LIMIT $7",
    8};

int sar_consultations_list(store *s, const char *request_id, bool overdue, int limit,
                           char *const *after, store_page *out)
{
    char roles[256];
    sql_int lim;
    const char *params[] = {request_id,
                            s->who->agency,
                            s->today_text,
                            overdue ? "true" : "false",
                            after[0],
                            after[1],
                            sql_int_of(&lim, limit + 1),
                            roles_of(s, roles, sizeof roles)};
    return sql_list(s, &consultations_stmt, params, limit, 2, 3, out);
}
