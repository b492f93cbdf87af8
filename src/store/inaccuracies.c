/* Inaccuracies and the chair's answers (inaccuracies.h). */
#include "store/inaccuracies.h"

#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "store/sql.h"

const store_kind STORE_INACCURACY = {
    "inaccuracy",
    text_is_uuid,
    {"inaccuracies_render",
     "SELECT inaccuracy_json(x), x.version FROM minutes_inaccuracies x WHERE x.id = $1", 1},
    {"inaccuracies_read",
     "SELECT inaccuracy_json(x), x.version FROM minutes_inaccuracies x"
     " WHERE x.id = $1"
     "   AND meeting_visible(x.meeting_id, caller_principals($2, $3, $4::boolean, $5::boolean))",
     5},
    {"inaccuracies_announce",
     "INSERT INTO events (event_id, agency, type, resource_type, resource_id, resource_version,"
     " minutes_number)"
     " SELECT e.id, a.code, $2, 'inaccuracy', x.id::text, x.version, x.number"
     "   FROM minutes_inaccuracies x, (SELECT gen_random_uuid() AS id) e,"
     "        LATERAL (SELECT DISTINCT unnest(meeting_agencies(x.meeting_id)) AS code) a"
     "  WHERE x.id = $1",
     2},
};

#define FIND_COLUMNS "SELECT x.id, x.meeting_id, x.number, x.status, x.version"

static const db_stmt find_stmt = {
    "inaccuracies_find",
    FIND_COLUMNS " FROM minutes_inaccuracies x WHERE x.id = $1"
    "   AND meeting_visible(x.meeting_id, caller_principals($2, $3, $4::boolean, $5::boolean))",
    5};

static const db_stmt lock_stmt = {
    "inaccuracies_lock",
    FIND_COLUMNS " FROM minutes_inaccuracies x WHERE x.id = $1"
    "   AND meeting_visible(x.meeting_id, caller_principals($2, $3, $4::boolean, $5::boolean))"
    " FOR UPDATE",
    5};

int inaccuracies_find(store *s, const char *id, bool lock, inaccuracy_row *out)
{
    if (!text_is_uuid(id))
        return 0;
    const char *who[4];
    sql_caller(s, who);
    const char *params[] = {id, who[0], who[1], who[2], who[3]};
    PGresult *res = sql_query(s, lock ? &lock_stmt : &find_stmt, params);
    if (!res)
        return -1;
    int found = PQntuples(res) == 1;
    if (found) {
        sql_copy(out->id, sizeof out->id, PQgetvalue(res, 0, 0));
        sql_copy(out->meeting_id, sizeof out->meeting_id, PQgetvalue(res, 0, 1));
        out->number = atoi(PQgetvalue(res, 0, 2));
        sql_copy(out->status, sizeof out->status, PQgetvalue(res, 0, 3));
        out->version = atol(PQgetvalue(res, 0, 4));
    }
    PQclear(res);
    return found;
}

static const db_stmt window_stmt = {
    "inaccuracies_window",
    "SELECT v.status, coalesce(to_char(minutes_accuracy_window_closes(v), 'YYYY-MM-DD'), '')"
    "  FROM minutes v WHERE v.meeting_id = $1 AND v.number = $2::integer",
    2};

int inaccuracies_window(store *s, const char *meeting_id, int number, char status[16],
                        char closes_on[11])
{
    sql_int n;
    const char *params[] = {meeting_id, sql_int_of(&n, number)};
    PGresult *res = sql_query(s, &window_stmt, params);
    if (!res)
        return -1;
    int found = PQntuples(res) == 1;
    if (found) {
        sql_copy(status, 16, PQgetvalue(res, 0, 0));
        sql_copy(closes_on, 11, PQgetvalue(res, 0, 1));
    }
    PQclear(res);
    return found;
}

static const db_stmt approved_stmt = {
    "inaccuracies_version_approved",
    "SELECT count(*) FROM minutes v WHERE v.meeting_id = $1 AND v.number = $2::integer"
    " AND v.status = 'approved'",
    2};

int inaccuracies_version_approved(store *s, const char *meeting_id, int number)
{
    sql_int n;
    const char *params[] = {meeting_id, sql_int_of(&n, number)};
    bool found;
    char *count = sql_value(s, &approved_stmt, params, &found);
    if (!count)
        return -1;
    int approved = strcmp(count, "0") != 0;
    free(count);
    return approved;
}

static const db_stmt insert_stmt = {
    "inaccuracies_insert",
    "INSERT INTO minutes_inaccuracies (meeting_id, number, part, text, raised_by_sub,"
    " raised_by_name, raised_by_agency, window_closes_on)"
    " VALUES ($1, $2::integer, $3, $4, $5, $6, $7, $8::date) RETURNING id",
    8};

int inaccuracies_insert(store *s, const char *meeting_id, int number, const inaccuracy_in *in,
                        const char *window_closes_on, char id_out[37])
{
    sql_int n;
    const char *params[] = {meeting_id,   sql_int_of(&n, number), in->part,
                            in->text,     s->who->sub,            s->who->name,
                            s->who->agency, window_closes_on};
    bool found;
    char *id = sql_value(s, &insert_stmt, params, &found);
    if (!id)
        return -1;
    sql_copy(id_out, 37, id);
    free(id);
    return 0;
}

static const db_stmt list_stmt = {
    "inaccuracies_list",
    "SELECT inaccuracy_json(x), x.seq, x.id FROM minutes_inaccuracies x"
    " WHERE x.meeting_id = $1 AND ($2::bigint IS NULL OR x.seq > $2)"
    " ORDER BY x.seq LIMIT $3",
    3};

int inaccuracies_list(store *s, const char *meeting_id, int limit, const char *after,
                      store_page *out)
{
    sql_int lim;
    const char *params[] = {meeting_id, after, sql_int_of(&lim, limit + 1)};
    return sql_list(s, &list_stmt, params, limit, 1, 2, out);
}

static const db_stmt answer_stmt = {
    "inaccuracies_answer",
    "UPDATE minutes_inaccuracies SET status = $2, amendment_number = $3::integer,"
    " refusal_reason = $4, answered_by_sub = $5, answered_by_name = $6, answered_at = now(),"
    " version = version + 1"
    " WHERE id = $1 AND status = 'open'",
    6};

int inaccuracies_answer(store *s, const char *id, const inaccuracy_answer *in)
{
    sql_int n;
    const char *params[] = {id,
                            in->outcome,
                            in->amendment_number ? sql_int_of(&n, in->amendment_number) : NULL,
                            in->reason,
                            s->who->sub,
                            s->who->name};
    return sql_run(s, &answer_stmt, params);
}
