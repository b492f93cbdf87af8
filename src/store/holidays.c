#include "store/holidays.h"

#include <stdlib.h>

#include "core/text.h"
#include "core/xalloc.h"
#include "store/sql.h"

const store_kind STORE_BANK_HOLIDAY = {
    "bank_holiday",
    text_is_date,
    {"holidays_render",
     "SELECT bank_holiday_json(h), 1 FROM bank_holidays h WHERE h.day = $1::date", 1},
    {"holidays_read",
     "SELECT bank_holiday_json(h), 1 FROM bank_holidays h WHERE h.day = $1::date", 1},
    {"holidays_announce",
     "INSERT INTO events (event_id, agency, type, resource_type, resource_id, resource_version)"
     " SELECT e.id, a.code, $2, 'bank_holiday', $1, 1"
     "   FROM (SELECT gen_random_uuid() AS id) e, agencies a",
     2},
};

static const db_stmt load_stmt = {
    "holidays_load", "SELECT day - date '1970-01-01' FROM bank_holidays ORDER BY day", 0};

static const db_stmt insert_stmt = {
    "holidays_insert", "INSERT INTO bank_holidays (day, name) VALUES ($1::date, $2)", 2};

static const db_stmt delete_stmt = {
    "holidays_delete", "DELETE FROM bank_holidays WHERE day = $1::date RETURNING 1", 1};

static const db_stmt list_stmt = {
    "holidays_list",
    "SELECT bank_holiday_json(h), to_char(h.day, 'YYYY-MM-DD') FROM bank_holidays h"
    " WHERE ($1::date IS NULL OR h.day >= $1) AND ($2::date IS NULL OR h.day <= $2)"
    "   AND ($3::date IS NULL OR h.day > $3)"
    " ORDER BY h.day LIMIT $4",
    4};

int holidays_load(store *s, holidays *h)
{
    h->days = NULL;
    h->n = 0;
    PGresult *res = sql_query(s, &load_stmt, NULL);
    if (!res)
        return -1;
    int n = PQntuples(res);
    cal_day *days = xcalloc((size_t)(n ? n : 1), sizeof *days);
    for (int i = 0; i < n; i++)
        days[i] = atoi(PQgetvalue(res, i, 0));
    PQclear(res);
    h->days = days;
    h->n = n;
    return 0;
}

void holidays_free(holidays *h)
{
    free((void *)h->days);
    h->days = NULL;
    h->n = 0;
}

int holidays_insert(store *s, const char *date, const char *name)
{
    const char *params[] = {date, name};
    return sql_run(s, &insert_stmt, params);
}

int holidays_delete(store *s, const char *date)
{
    const char *params[] = {date};
    bool found;
    char *one = sql_value(s, &delete_stmt, params, &found);
    int deleted = one ? 1 : found ? -1 : 0;
    free(one);
    return deleted;
}

int holidays_list(store *s, const char *from, const char *to, int limit, const char *after,
                  store_page *out)
{
    sql_int lim;
    const char *params[] = {from, to, after, sql_int_of(&lim, limit + 1)};
    return sql_list(s, &list_stmt, params, limit, 1, 1, out);
}
