/* The bank holidays the working-days calendar counts: read by everyone,
 * kept by admins. Changes are audited and announced to every agency. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "api/handlers.h"
#include "core/buf.h"
#include "core/text.h"
#include "domain/json_in.h"
#include "http/idempotency.h"
#include "http/page.h"
#include "store/audit.h"
#include "store/feed.h"

#define HOLIDAY_NAME_MAX 200

static const db_stmt list_stmt = {
    "holidays_list",
    "SELECT bank_holiday_json(h), to_char(h.day, 'YYYY-MM-DD') FROM bank_holidays h"
    " WHERE ($1::date IS NULL OR h.day >= $1) AND ($2::date IS NULL OR h.day <= $2)"
    "   AND ($3::date IS NULL OR h.day > $3)"
    " ORDER BY h.day LIMIT $4",
    4};

static const db_stmt insert_stmt = {
    "holidays_insert",
    "INSERT INTO bank_holidays (day, name) VALUES ($1::date, $2) RETURNING bank_holiday_json(bank_holidays)",
    2};

static const db_stmt get_stmt = {
    "holidays_get", "SELECT bank_holiday_json(h) FROM bank_holidays h WHERE h.day = $1::date", 1};

static const db_stmt delete_stmt = {
    "holidays_delete", "DELETE FROM bank_holidays WHERE day = $1::date", 1};

void handle_bank_holidays_list(req *r)
{
    const char *from = req_query(r, "from"), *to = req_query(r, "to");
    if (from && !text_is_date(from))
        req_schema_error(r, "from", "from must be a date (YYYY-MM-DD)");
    if (to && !text_is_date(to))
        req_schema_error(r, "to", "to must be a date (YYYY-MM-DD)");
    if (req_has_errors(r)) {
        problem_invalid(r);
        return;
    }
    int limit;
    char *after[1];
    if (!read_page(r, &limit, after, 1))
        return;
    if (after[0] && !text_is_date(after[0])) {
        free_parts(after, 1);
        req_schema_error(r, "cursor", "cursor is not one this service gave out");
        problem_invalid(r);
        return;
    }
    db_conn *c = req_db(r);
    PGresult *res = NULL;
    if (c) {
        char limit_text[16];
        snprintf(limit_text, sizeof limit_text, "%d", limit + 1);
        const char *params[] = {from, to, after[0], limit_text};
        res = db_exec(c, &list_stmt, params);
    }
    free_parts(after, 1);
    if (!c)
        return;
    if (!res) {
        req_db_failed(r);
        return;
    }
    buf out;
    buf_init(&out);
    page_spec spec = {.limit = limit, .key_first_col = 1, .key_cols = 1, .id_col = -1};
    page_render(res, &spec, &out, NULL);
    PQclear(res);
    reply_json_text(r, 200, out.data);
    buf_free(&out);
}

void handle_bank_holidays_create(req *r)
{
    static const char *const fields[] = {"date", "name", NULL};
    violations v;
    violations_init(&v);
    jin_only_keys(&v, r->body, "", fields, NULL);
    const char *date = jin_string(&v, r->body, "", "date", 10, true, NULL);
    const char *name = jin_string(&v, r->body, "", "name", HOLIDAY_NAME_MAX, true, NULL);
    if (date && !text_is_date(date))
        violation_schema(&v, "date", "'date' must be a date (YYYY-MM-DD)");
    if (answer_violations(r, &v))
        return;
    db_conn *c = req_db(r);
    if (!c)
        return;
    if (db_begin(c) != 0) {
        req_db_failed(r);
        return;
    }
    if (idem_begin(r, "bank_holiday.create.replayed", "bank_holiday") != IDEM_PROCEED)
        return;
    const char *params[] = {date, name};
    PGresult *res = db_exec(c, &insert_stmt, params);
    if (!res) {
        if (db_failure_of(c) == DB_UNIQUE)
            problem(r, 409, "bank-holiday-exists", "Conflict", "That date is already a bank holiday.");
        else
            req_db_failed(r);
        return;
    }
    char location[48];
    snprintf(location, sizeof location, "/v1/bank-holidays/%s", date);
    if (audit_record(r, "bank_holiday.create", "bank_holiday", date) != 0 ||
        feed_everyone(r, "bank_holiday.created", "bank_holiday", date, 1) != 0 ||
        idem_remember(r, 201, location, "\"1\"", PQgetvalue(res, 0, 0)) != 0 || db_commit(c) != 0) {
        PQclear(res);
        req_db_failed(r);
        return;
    }
    reply_header(r, "Location", location);
    reply_etag(r, 1);
    reply_json_text(r, 201, PQgetvalue(res, 0, 0));
    PQclear(res);
}

/* A bank holiday is never edited, only added or removed: its ETag is "1". */
void handle_bank_holidays_get(req *r)
{
    const char *date = req_path(r, 0);
    if (!text_is_date(date)) {
        problem_not_found(r);
        return;
    }
    db_conn *c = req_db(r);
    if (!c)
        return;
    const char *params[] = {date};
    bool found;
    char *json = db_exec_value(c, &get_stmt, params, &found);
    if (!json && db_failure_of(c) != DB_OK) {
        req_db_failed(r);
        return;
    }
    if (!json) {
        problem_not_found(r);
        return;
    }
    reply_etag(r, 1);
    reply_json_text(r, 200, json);
    free(json);
}

void handle_bank_holidays_delete(req *r)
{
    const char *date = req_path(r, 0);
    if (!text_is_date(date)) {
        problem_not_found(r);
        return;
    }
    db_conn *c = req_db(r);
    if (!c)
        return;
    if (db_begin(c) != 0) {
        req_db_failed(r);
        return;
    }
    const char *params[] = {date};
    PGresult *res = db_exec(c, &delete_stmt, params);
    if (!res) {
        req_db_failed(r);
        return;
    }
    bool deleted = atoi(PQcmdTuples(res)) > 0;
    PQclear(res);
    if (!deleted) {
        problem_not_found(r);
        return;
    }
    if (audit_record(r, "bank_holiday.delete", "bank_holiday", date) != 0 ||
        feed_everyone(r, "bank_holiday.removed", "bank_holiday", date, 1) != 0 ||
        db_commit(c) != 0) {
        req_db_failed(r);
        return;
    }
    reply_empty(r, 204);
}
