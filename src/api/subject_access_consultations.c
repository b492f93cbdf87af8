/* Consultations on a subject access request (SAR-2): the dpo consults an
 * agency that contributed items of a gathered request, about those items,
 * with a question and a deadline on the working-day calendar; the consulted
 * agency's managers (manager or senior_manager of that agency) read their
 * consultations and answer each once with a recommendation; an answer after
 * the deadline is late, and one not given by then overdue. A consultation
 * is the dpo's and the consulted managers' alone: 404 to anyone else
 * (subject_access_consultation_visible). Every step is audited. */
#include <stdio.h>
#include <string.h>

#include "api/frame.h"
#include "api/handlers.h"
#include "auth/caller.h"
#include "domain/subject_access.h"
#include "store/holidays.h"
#include "store/subject_access.h"

/* ?overdue= (true or false): false after answering 400. */
static bool read_overdue(req *r, bool *only)
{
    const char *overdue = req_query(r, "overdue");
    if (overdue && strcmp(overdue, "true") != 0 && strcmp(overdue, "false") != 0) {
        req_schema_error(r, "overdue", "overdue is true or false");
        problem_invalid(r);
        return false;
    }
    *only = overdue && strcmp(overdue, "true") == 0;
    return true;
}

/* --- POST /v1/subject-access-requests/{sar_id}/consultations --- */

/* SAR-2: the rules of a consultation on the request (422), after which
 * `due` is its deadline; false after answering. */
static bool consultation_due(req *r, store *s, const sar_row *row, const sar_consultation_in *in,
                             char due[11])
{
    json_t *items = sar_item_agencies(s, row->id);
    if (!items) {
        req_db_failed(r);
        return false;
    }
    violations v;
    violations_init(&v);
    sar_consultation_check(in, items, &v);
    json_decref(items);
    if (frame_violations(r, &v))
        return false;
    holidays h;
    if (!frame_ok(r, holidays_load(s, &h)))
        return false;
    cal_format(sar_consultation_due(s->today, in->working_days, &h), due);
    holidays_free(&h);
    return true;
}

void handle_sar_consult(req *r)
{
    violations v;
    violations_init(&v);
    sar_consultation_in in;
    sar_consultation_parse(r->body, &in, &v);
    if (v.schema && frame_violations(r, &v))
        return;
    store *s = frame_begin(r, FRAME_CHANGE);
    sar_row row;
    if (!s || !frame_found(r, sar_find(s, req_path(r, 0), true, &row)) ||
        !frame_idempotent(r, "subject_access_consultation.create.replayed",
                          "subject_access_consultation"))
        return;
    if (frame_violations(r, &v))
        return;
    if (!row.gathered || row.answered) {
        problem_conflict(r, "SAR-2", row.answered
                                         ? "The request has been answered."
                                         : "Gather the records before consulting an agency "
                                           "about them.");
        return;
    }
    char due[11], id[37];
    if (!consultation_due(r, s, &row, &in, due) ||
        !frame_ok(r, sar_consultation_insert(s, row.id, &in, due, id)))
        return;
    char location[96];
    snprintf(location, sizeof location, "/v1/subject-access-consultations/%s", id);
    frame_finish(r, &(frame_change){.kind = &STORE_SUBJECT_ACCESS_CONSULTATION,
                                    .id = id,
                                    .audit_action = "subject_access_consultation.create",
                                    .created = true,
                                    .location = location});
}

/* --- GET /v1/subject-access-requests/{sar_id}/consultations --- */

void handle_sar_consultations_of_request(req *r)
{
    bool overdue;
    if (!read_overdue(r, &overdue))
        return;
    static const enum cursor_part key[] = {PART_TIMESTAMP, PART_UUID};
    frame_page page;
    if (!frame_page_read(r, &page, 2, key))
        return;
    store *s = frame_begin(r, FRAME_READ);
    sar_row row;
    store_page rendered;
    if (s && frame_found(r, sar_find(s, req_path(r, 0), false, &row)) &&
        frame_ok(r, sar_consultations_list(s, row.id, overdue, page.limit, page.after,
                                           &rendered)))
        frame_list(r, &rendered, "subject_access_request.consultations",
                   "subject_access_consultation");
    frame_page_free(&page);
}

/* --- GET /v1/subject-access-consultations --- */

void handle_sar_consultations_list(req *r)
{
    /* the consulted agencies' managers' and the dpo's; 404 to anyone else,
     * as the collection of requests */
    if (!caller_has_any(&r->who, ROLES_MANAGERS | ROLE_DPO)) {
        problem_not_found(r);
        return;
    }
    bool overdue;
    if (!read_overdue(r, &overdue))
        return;
    static const enum cursor_part key[] = {PART_TIMESTAMP, PART_UUID};
    frame_page page;
    if (!frame_page_read(r, &page, 2, key))
        return;
    store *s = frame_begin(r, FRAME_READ);
    store_page rendered;
    if (s && frame_ok(r, sar_consultations_list(s, NULL, overdue, page.limit, page.after,
                                                &rendered)))
        frame_list(r, &rendered, "subject_access_consultation.list",
                   "subject_access_consultation");
    frame_page_free(&page);
}

/* --- GET /v1/subject-access-consultations/{consultation_id} --- */

void handle_sar_consultation_get(req *r)
{
    frame_get(r, &STORE_SUBJECT_ACCESS_CONSULTATION, "subject_access_consultation.read");
}

/* --- POST /v1/subject-access-consultations/{consultation_id}/answer --- */

void handle_sar_consultation_answer(req *r)
{
    violations v;
    violations_init(&v);
    sar_consultation_answer_in in;
    sar_consultation_answer_parse(r->body, &in, &v);
    if (v.schema && frame_violations(r, &v))
        return;
    store *s = frame_begin(r, FRAME_CHANGE);
    sar_consultation_row row;
    if (!s || !frame_found(r, sar_consultation_find(s, req_path(r, 0), true, &row)))
        return;
    /* the dpo sees it too, but the consulted agency's managers answer */
    if (!caller_has_any(&r->who, ROLES_MANAGERS) || strcmp(r->who.agency, row.agency) != 0) {
        problem_forbidden(r, "SAR-2", "The consulted agency's managers answer a consultation.");
        return;
    }
    if (!frame_if_match(r, row.version))
        return;
    if (row.answered) {
        problem_conflict(r, "SAR-2", "The consultation has been answered.");
        return;
    }
    if (!frame_violations(r, &v) && frame_ok(r, sar_consultation_answer(s, row.id, &in)))
        frame_finish(r, &(frame_change){.kind = &STORE_SUBJECT_ACCESS_CONSULTATION,
                                        .id = row.id,
                                        .audit_action = "subject_access_consultation.answer"});
}
