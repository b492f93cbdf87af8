/* The working-days calendar (domain/calendar.h): every caller reads the
 * bank holidays; admins add and remove them. Not case data, so reads are
 * not audited; changes are audited and announced to every agency. */
#include <stdlib.h>

#include "api/frame.h"
#include "api/handlers.h"
#include "core/text.h"
#include "domain/govuk_holidays.h"
#include "domain/json_in.h"
#include "store/audit.h"
#include "store/holidays.h"

#define HOLIDAY_NAME_MAX 200

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
    static const enum cursor_part key[] = {PART_DATE};
    frame_page page;
    if (!frame_page_read(r, &page, 1, key))
        return;
    store *s = frame_begin(r, FRAME_READ);
    store_page rendered;
    if (s && frame_ok(r, holidays_list(s, from, to, page.limit, page.after[0], &rendered)))
        frame_list(r, &rendered, NULL, "bank_holiday");
    frame_page_free(&page);
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
    if (frame_violations(r, &v))
        return;
    store *s = frame_begin(r, FRAME_CHANGE);
    if (!s || !frame_idempotent(r, "bank_holiday.create.replayed", "bank_holiday"))
        return;
    if (holidays_insert(s, date, name) != 0) {
        if (store_failure(s) == DB_UNIQUE)
            problem(r, 409, "bank-holiday-exists", "Conflict", "That date is already a bank holiday.");
        else
            req_db_failed(r);
        return;
    }
    frame_finish(r, &(frame_change){.kind = &STORE_BANK_HOLIDAY,
                                    .id = date,
                                    .audit_action = "bank_holiday.create",
                                    .event = "bank_holiday.created",
                                    .created = true});
}

void handle_bank_holidays_get(req *r)
{
    frame_get(r, &STORE_BANK_HOLIDAY, NULL);
}

void handle_bank_holidays_delete(req *r)
{
    const char *date = req_path(r, 0);
    store *s = frame_begin(r, FRAME_CHANGE);
    if (!s || !frame_found(r, text_is_date(date) ? holidays_delete(s, date) : 0))
        return;
    if (audit_record(s, "bank_holiday.delete", "bank_holiday", date) != 0 ||
        store_announce(s, &STORE_BANK_HOLIDAY, date, "bank_holiday.removed") != 0 ||
        store_commit(s) != 0) {
        req_db_failed(r);
        return;
    }
    reply_empty(r, 204);
}

/* POST /v1/bank-holiday-imports?division=: the GOV.UK bank-holidays file
 * (https://www.gov.uk/bank-holidays.json) as the body; the division's list
 * becomes the calendar within the span of its dates (store/holidays.h).
 * Each day added or removed is announced as a single change would be. */
static json_t *date_array(char **dates, int n)
{
    json_t *a = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(a, json_string(dates[i]));
    return a;
}

void handle_bank_holiday_imports_create(req *r)
{
    const char *division = req_query(r, "division");
    if (!division)
        division = "england-and-wales";
    violations v;
    violations_init(&v);
    int n = 0;
    govuk_holiday *list = govuk_holidays_read(r->body, division, &n, &v);
    if (frame_violations(r, &v)) {
        free(list);
        return;
    }
    store *s = frame_begin(r, FRAME_CHANGE);
    char **added = NULL, **removed = NULL;
    int n_added = 0, n_removed = 0;
    char last[11] = "";
    bool ok = s && holidays_import(s, list, n, &added, &n_added, &removed, &n_removed) == 0;
    for (int i = 0; ok && i < n_added; i++)
        ok = store_announce(s, &STORE_BANK_HOLIDAY, added[i], "bank_holiday.created") == 0;
    for (int i = 0; ok && i < n_removed; i++)
        ok = store_announce(s, &STORE_BANK_HOLIDAY, removed[i], "bank_holiday.removed") == 0;
    ok = ok && audit_record(s, "bank_holiday.import", "bank_holiday", NULL) == 0 &&
         holidays_last(s, last) == 0 && store_commit(s) == 0;
    if (!ok) {
        if (s)
            req_db_failed(r);
    } else {
        json_t *body = json_pack("{s:s, s:i, s:o, s:o, s:s?, s:s?}", "division", division,
                                 "listed", n, "added", date_array(added, n_added), "removed",
                                 date_array(removed, n_removed), "first",
                                 n ? list[0].date : NULL, "last", n ? list[n - 1].date : NULL);
        json_object_set_new(body, "calendar_ends", last[0] ? json_string(last) : json_null());
        reply_json(r, 200, body);
        json_decref(body);
    }
    holidays_dates_free(added, n_added);
    holidays_dates_free(removed, n_removed);
    free(list);
}
