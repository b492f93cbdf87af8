/* The working-days calendar (domain/calendar.h): every caller reads the
 * bank holidays; admins add and remove them. Not case data, so reads are
 * not audited; changes are audited and announced to every agency. */
#include "api/frame.h"
#include "api/handlers.h"
#include "core/text.h"
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
