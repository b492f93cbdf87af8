/* Subject access requests (SAR-1, SAR-2): the dpo registers a request,
 * which is due one calendar month after receipt on the working-day
 * calendar; extends it once, before that first due date, telling the
 * requester; lists them (those overdue at the request's date with
 * ?overdue=true); and gathers every record touching the subject into items
 * to decide on (subject_access_items.c). Every step is audited. To anyone
 * but the dpo every route here answers 404: a request's existence is
 * itself sensitive. */
#include <stdio.h>
#include <string.h>

#include "api/frame.h"
#include "api/handlers.h"
#include "auth/caller.h"
#include "domain/subject_access.h"
#include "store/holidays.h"
#include "store/subject_access.h"

/* The routes on the collection are the dpo's alone: false after answering
 * 404 to anyone else (SAR-2). Routes on one request find it through
 * subject_access_request_visible instead. */
static bool sar_caller_is_dpo(req *r)
{
    if (caller_has_any(&r->who, ROLE_DPO))
        return true;
    problem_not_found(r);
    return false;
}

/* The due date of a request received on `received` (SAR-1) into out. */
static bool due_date(req *r, store *s, cal_day received, bool extended, char out[11])
{
    holidays h;
    if (!frame_ok(r, holidays_load(s, &h)))
        return false;
    cal_format(sar_due(received, extended, &h), out);
    holidays_free(&h);
    return true;
}

/* --- POST /v1/subject-access-requests --- */

void handle_sar_create(req *r)
{
    if (!sar_caller_is_dpo(r))
        return;
    violations v;
    violations_init(&v);
    sar_in in;
    sar_parse(r->body, &in, &v);
    if (v.schema && frame_violations(r, &v))
        return;
    store *s = frame_begin(r, FRAME_CHANGE);
    if (!s || !frame_idempotent(r, "subject_access_request.create.replayed",
                                "subject_access_request"))
        return;
    sar_check_dates(&in, s->today, &v);
    if (frame_violations(r, &v))
        return;
    cal_day received;
    cal_parse(in.received_on, &received); /* parsed above */
    char due[11], id[37];
    if (!due_date(r, s, received, false, due) || !frame_ok(r, sar_insert(s, &in, due, id)))
        return;
    char location[96];
    snprintf(location, sizeof location, "/v1/subject-access-requests/%s", id);
    frame_finish(r, &(frame_change){.kind = &STORE_SUBJECT_ACCESS_REQUEST,
                                    .id = id,
                                    .audit_action = "subject_access_request.create",
                                    .created = true,
                                    .location = location});
}

/* --- GET /v1/subject-access-requests --- */

void handle_sar_list(req *r)
{
    if (!sar_caller_is_dpo(r))
        return;
    const char *overdue = req_query(r, "overdue");
    if (overdue && strcmp(overdue, "true") != 0 && strcmp(overdue, "false") != 0) {
        req_schema_error(r, "overdue", "overdue is true or false");
        problem_invalid(r);
        return;
    }
    static const enum cursor_part key[] = {PART_TIMESTAMP, PART_UUID};
    frame_page page;
    if (!frame_page_read(r, &page, 2, key))
        return;
    store *s = frame_begin(r, FRAME_READ);
    store_page rendered;
    bool only_overdue = overdue && strcmp(overdue, "true") == 0;
    if (s && frame_ok(r, sar_list(s, only_overdue, page.limit, page.after, &rendered)))
        frame_list(r, &rendered, "subject_access_request.list", "subject_access_request");
    frame_page_free(&page);
}

/* --- GET /v1/subject-access-requests/{sar_id} --- */

void handle_sar_get(req *r)
{
    frame_get(r, &STORE_SUBJECT_ACCESS_REQUEST, "subject_access_request.read");
}

/* --- POST /v1/subject-access-requests/{sar_id}/extension --- */

void handle_sar_extend(req *r)
{
    violations v;
    violations_init(&v);
    sar_extension_in in;
    sar_extension_parse(r->body, &in, &v);
    if (v.schema && frame_violations(r, &v))
        return;
    store *s = frame_begin(r, FRAME_CHANGE);
    sar_row row;
    if (!s || !frame_found(r, sar_find(s, req_path(r, 0), true, &row)) ||
        !frame_if_match(r, row.version))
        return;
    if (row.answered || row.extended) {
        problem_conflict(r, "SAR-1", row.answered ? "The request has been answered."
                                                  : "The request has been extended once already.");
        return;
    }
    sar_extension_check(&in, row.received_on, row.first_due_on, s->today, &v);
    char due[11];
    if (frame_violations(r, &v) || !due_date(r, s, row.received_on, true, due) ||
        !frame_ok(r, sar_extend(s, row.id, &in, due)))
        return;
    frame_finish(r, &(frame_change){.kind = &STORE_SUBJECT_ACCESS_REQUEST,
                                    .id = row.id,
                                    .audit_action = "subject_access_request.extend"});
}

/* --- POST /v1/subject-access-requests/{sar_id}/gather --- */

void handle_sar_gather(req *r)
{
    violations v;
    violations_init(&v);
    if (r->body && (!json_is_object(r->body) || json_object_size(r->body) > 0))
        violation_schema(&v, "", "gathering takes no members");
    if (frame_violations(r, &v))
        return;
    store *s = frame_begin(r, FRAME_CHANGE);
    sar_row row;
    if (!s || !frame_found(r, sar_find(s, req_path(r, 0), true, &row)) ||
        !frame_if_match(r, row.version))
        return;
    /* one snapshot, so that every decision refers to the item it was made on */
    if (row.gathered) {
        problem_conflict(r, "SAR-2", "The records have been gathered for this request.");
        return;
    }
    if (frame_ok(r, sar_gather(s, row.id)))
        frame_finish(r, &(frame_change){.kind = &STORE_SUBJECT_ACCESS_REQUEST,
                                        .id = row.id,
                                        .audit_action = "subject_access_request.gather"});
}

/* --- POST /v1/subject-access-requests/{sar_id}/answer --- */

void handle_sar_answer(req *r)
{
    violations v;
    violations_init(&v);
    const char *answered_on;
    sar_answer_parse(r->body, &answered_on, &v);
    if (v.schema && frame_violations(r, &v))
        return;
    store *s = frame_begin(r, FRAME_CHANGE);
    sar_row row;
    if (!s || !frame_found(r, sar_find(s, req_path(r, 0), true, &row)) ||
        !frame_if_match(r, row.version))
        return;
    long undecided = row.gathered ? sar_undecided(s, row.id) : 0;
    if (!frame_ok(r, undecided < 0 ? -1 : 0))
        return;
    if (row.answered)
        problem_conflict(r, "SAR-1", "The request has been answered.");
    else if (!row.gathered || undecided > 0)
        problem_conflict(r, "SAR-2", "A request is answered once every gathered item is "
                                     "decided.");
    else {
        sar_answer_check(answered_on, row.received_on, s->today, &v);
        if (!frame_violations(r, &v) && frame_ok(r, sar_answer(s, row.id, answered_on)))
            frame_finish(r, &(frame_change){.kind = &STORE_SUBJECT_ACCESS_REQUEST,
                                            .id = row.id,
                                            .audit_action = "subject_access_request.answer"});
    }
}
