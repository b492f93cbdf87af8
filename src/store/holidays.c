#include "store/holidays.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/text.h"
#include "core/xalloc.h"
#include "domain/govuk_holidays.h"
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

static const db_stmt import_remove_stmt = {
    "holidays_import_remove",
    "DELETE FROM bank_holidays WHERE day BETWEEN $1::date AND $2::date"
    "   AND day NOT IN (SELECT (e ->> 'date')::date FROM json_array_elements($3::json) e)"
    " RETURNING to_char(day, 'YYYY-MM-DD')",
    3};

static const db_stmt import_add_stmt = {
    "holidays_import_add",
    "INSERT INTO bank_holidays (day, name)"
    " SELECT (e ->> 'date')::date, e ->> 'title' FROM json_array_elements($1::json) e"
    " ON CONFLICT (day) DO NOTHING RETURNING to_char(day, 'YYYY-MM-DD')",
    1};

static const db_stmt last_stmt = {
    "holidays_last", "SELECT coalesce(to_char(max(day), 'YYYY-MM-DD'), '') FROM bank_holidays", 0};

static int dates_of(PGresult *res, char ***out, int *n)
{
    *n = PQntuples(res);
    *out = xcalloc((size_t)(*n ? *n : 1), sizeof **out);
    for (int i = 0; i < *n; i++)
        (*out)[i] = xstrdup(PQgetvalue(res, i, 0));
    PQclear(res);
    return 0;
}

void holidays_dates_free(char **dates, int n)
{
    for (int i = 0; i < n; i++)
        free(dates[i]);
    free(dates);
}

int holidays_import(store *s, const struct govuk_holiday *list, int n, char ***added,
                    int *n_added, char ***removed, int *n_removed)
{
    *added = *removed = NULL;
    *n_added = *n_removed = 0;
    if (n == 0)
        return 0;
    json_t *events = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(events, json_pack("{s:s, s:s}", "date", list[i].date, "title",
                                                list[i].title));
    char *doc = json_dumps(events, JSON_COMPACT);
    json_decref(events);
    const char *remove_params[] = {list[0].date, list[n - 1].date, doc};
    PGresult *res = sql_query(s, &import_remove_stmt, remove_params);
    if (res)
        dates_of(res, removed, n_removed);
    const char *add_params[] = {doc};
    res = res ? sql_query(s, &import_add_stmt, add_params) : NULL;
    if (res)
        dates_of(res, added, n_added);
    free(doc);
    return res ? 0 : -1;
}

int holidays_last(store *s, char out[11])
{
    bool found;
    char *last = sql_value(s, &last_stmt, NULL, &found);
    if (!last)
        return -1;
    snprintf(out, 11, "%s", last);
    free(last);
    return 0;
}
