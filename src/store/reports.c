#include "store/reports.h"

#include "store/sql.h"

static const db_stmt drifting_stmt = {
    "reports_drifting",
    "SELECT meeting_json(m, $8::date), rfc3339(m.created_at), m.id FROM meetings m"
    " WHERE m.status IN ('requested', 'authorised', 'scheduled')"
    "   AND (m.created_at AT TIME ZONE 'UTC')::date <= $4::date"
    "   AND m.id IN (SELECT v.meeting_id"
    "                  FROM visible_meetings(caller_principals($1, $2, $3::boolean, $9::boolean)) v"
    "                 WHERE v.status IN ('requested', 'authorised', 'scheduled'))"
    "   AND ($5::timestamptz IS NULL OR (m.created_at, m.id) > ($5::timestamptz, $6::uuid))"
    " ORDER BY m.created_at, m.id LIMIT $7",
    9};

static const db_stmt overdue_minutes_stmt = {
    "reports_overdue_minutes",
    "SELECT meeting_json(m, $8::date), rfc3339(m.held_at), m.id FROM meetings m"
    " WHERE m.status IN ('held', 'closed')"
    "   AND (m.held_at AT TIME ZONE 'UTC')::date <= $4::date"
    "   AND NOT EXISTS (SELECT 1 FROM minutes v JOIN minutes_distribution d"
    "                     ON d.meeting_id = v.meeting_id AND d.number = v.number"
    "                    WHERE v.meeting_id = m.id AND v.status = 'approved')"
    "   AND m.id IN (SELECT v.meeting_id"
    "                  FROM visible_meetings(caller_principals($1, $2, $3::boolean, $9::boolean)) v"
    "                 WHERE v.status IN ('held', 'closed'))"
    "   AND ($5::timestamptz IS NULL OR (m.held_at, m.id) > ($5::timestamptz, $6::uuid))"
    " ORDER BY m.held_at, m.id LIMIT $7",
    9};

static const db_stmt review_overdue_stmt = {
    "reports_review_overdue",
    "SELECT meeting_json(m, $4::date), to_char(m.next_review_on, 'YYYY-MM-DD'), m.id"
    "  FROM meetings m"
    " WHERE m.next_review_on < $4::date"
    "   AND m.id IN (SELECT v.meeting_id"
    "                  FROM visible_meetings(caller_principals($1, $2, $3::boolean, $8::boolean)) v"
    "                 WHERE v.status IN ('held', 'closed'))"
    "   AND (m.requester_sub = $1 OR ($3::boolean AND m.convening_agency = $2))"
    "   AND meeting_review_overdue(m, $4::date)"
    "   AND ($5::date IS NULL OR (m.next_review_on, m.id) > ($5::date, $6::uuid))"
    " ORDER BY m.next_review_on, m.id LIMIT $7",
    8};

int reports_review_overdue(store *s, int limit, char *const *after, store_page *out)
{
    sql_int lim;
    const char *params[] = {s->who->sub, s->who->agency, caller_manager_param(s->who),
                            s->today_text, after[0], after[1], sql_int_of(&lim, limit + 1),
                            caller_lead_param(s->who)};
    return sql_list(s, &review_overdue_stmt, params, limit, 2, 2, out);
}

int reports_meetings(store *s, enum meeting_report report, const char *cutoff, int limit,
                     char *const *after, store_page *out)
{
    sql_int lim;
    const char *params[] = {s->who->sub,  s->who->agency, caller_manager_param(s->who),
                            cutoff,       after[0],       after[1],
                            sql_int_of(&lim, limit + 1), s->today_text,
                            caller_lead_param(s->who)};
    return sql_list(s, report == REPORT_DRIFTING ? &drifting_stmt : &overdue_minutes_stmt, params,
                    limit, 2, 2, out);
}
