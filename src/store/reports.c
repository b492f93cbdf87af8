#include "store/reports.h"

#include "store/sql.h"

/* The reports are views of the obligations (OBL-2): a meeting is listed
 * while its clock's obligation (the row of table obligations, as
 * meeting_obligations in 85_obligations.sql derives it: the one definition
 * of each clock, under the policy version of its event) is still owed and
 * its due date has come. The visible meetings' status is only the index's
 * way in: those that can still owe it. */
static const db_stmt drifting_stmt = {
    "reports_drifting",
    "SELECT meeting_document(r, m.id, $4::date), rfc3339(m.created_at), m.id"
    "  FROM meetings m LEFT JOIN meeting_renderings r ON r.meeting_id = m.id"
    "  JOIN obligations o ON o.id = obligation_id('drift', m.id, 0)"
    " WHERE o.met_at IS NULL AND o.ended IS NULL AND o.due <= $4::date"
    "   AND m.id IN (SELECT v.meeting_id"
    "                  FROM visible_meetings(caller_principals($1, $2, $3::boolean, $8::boolean)) v"
    "                 WHERE v.status IN ('requested', 'authorised', 'scheduled'))"
    "   AND ($5::timestamptz IS NULL OR (m.created_at, m.id) > ($5::timestamptz, $6::uuid))"
    " ORDER BY m.created_at, m.id LIMIT $7",
    8};

static const db_stmt overdue_minutes_stmt = {
    "reports_overdue_minutes",
    "SELECT meeting_document(r, m.id, $4::date), rfc3339(m.held_at), m.id"
    "  FROM meetings m LEFT JOIN meeting_renderings r ON r.meeting_id = m.id"
    "  JOIN obligations o ON o.id = obligation_id('minutes', m.id, 0)"
    " WHERE o.met_at IS NULL AND o.ended IS NULL AND o.due <= $4::date"
    "   AND m.id IN (SELECT v.meeting_id"
    "                  FROM visible_meetings(caller_principals($1, $2, $3::boolean, $8::boolean)) v"
    "                 WHERE v.status IN ('held', 'closed'))"
    "   AND ($5::timestamptz IS NULL OR (m.held_at, m.id) > ($5::timestamptz, $6::uuid))"
    " ORDER BY m.held_at, m.id LIMIT $7",
    8};

/* MTG-12: the review obligation overdue (due before today, no review
 * requested), for the convening side. */
static const db_stmt review_overdue_stmt = {
    "reports_review_overdue",
    "SELECT meeting_document(r, m.id, $4::date), to_char(o.due, 'YYYY-MM-DD'), m.id"
    "  FROM meetings m LEFT JOIN meeting_renderings r ON r.meeting_id = m.id"
    "  JOIN obligations o ON o.id = obligation_id('review', m.id, 0)"
    " WHERE m.next_review_on < $4::date"
    "   AND o.met_at IS NULL AND o.ended IS NULL AND o.due < $4::date"
    "   AND m.id IN (SELECT v.meeting_id"
    "                  FROM visible_meetings(caller_principals($1, $2, $3::boolean, $8::boolean)) v"
    "                 WHERE v.status IN ('held', 'closed'))"
    "   AND (m.requester_sub = $1 OR ($3::boolean AND m.convening_agency = $2))"
    "   AND ($5::date IS NULL OR (o.due, m.id) > ($5::date, $6::uuid))"
    " ORDER BY o.due, m.id LIMIT $7",
    8};

int reports_review_overdue(store *s, int limit, char *const *after, store_page *out)
{
    sql_int lim;
    const char *params[] = {s->who->sub, s->who->agency, caller_manager_param(s->who),
                            s->today_text, after[0], after[1], sql_int_of(&lim, limit + 1),
                            caller_lead_param(s->who)};
    return sql_list(s, &review_overdue_stmt, params, limit, 2, 2, out);
}

int reports_meetings(store *s, enum meeting_report report, int limit,
                     char *const *after, store_page *out)
{
    sql_int lim;
    const char *params[] = {s->who->sub,  s->who->agency, caller_manager_param(s->who),
                            s->today_text, after[0],      after[1],
                            sql_int_of(&lim, limit + 1), caller_lead_param(s->who)};
    return sql_list(s, report == REPORT_DRIFTING ? &drifting_stmt : &overdue_minutes_stmt, params,
                    limit, 2, 2, out);
}
