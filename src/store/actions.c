#include "store/actions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "core/xalloc.h"
#include "store/feed.h"
#include "store/sql.h"

/* Changes to an action are announced to the agencies of the meeting that
 * tracks it. */
const store_kind STORE_ACTION = {
    "action",
    text_is_uuid,
    {"actions_render", "SELECT action_json(a, $2::date), a.version FROM actions a WHERE a.id = $1",
     2},
    {"actions_read",
     "SELECT action_json(a, $6::date), a.version FROM actions a"
     " WHERE a.id = $1 AND action_visible(a, caller_principals($2, $3, $4::boolean, $5::boolean))",
     6},
    {"actions_announce",
     "INSERT INTO events (event_id, agency, type, resource_type, resource_id, resource_version)"
     " SELECT e.id, g.code, $2, 'action', a.id::text, a.version"
     "   FROM actions a, (SELECT gen_random_uuid() AS id) e,"
     "        LATERAL (SELECT DISTINCT unnest(meeting_agencies(a.current_meeting_id)) AS code) g"
     "  WHERE a.id = $1",
     2},
};

#define ACTION_COLUMNS                                                                        \
    "a.id, a.meeting_id, a.current_meeting_id, coalesce(a.owner_sub, ''), a.owner_agency,"    \
    " a.status, to_char(a.due_date, 'YYYY-MM-DD'),"                                          \
    " coalesce((SELECT chair_sub FROM meetings WHERE id = a.current_meeting_id), ''),"        \
    " a.version"

static const db_stmt find_stmt = {
    "actions_find",
    "SELECT " ACTION_COLUMNS " FROM actions a"
    " WHERE a.id = $1 AND action_visible(a, caller_principals($2, $3, $4::boolean, $5::boolean))",
    5};

static const db_stmt lock_stmt = {
    "actions_lock",
    "SELECT " ACTION_COLUMNS " FROM actions a"
    " WHERE a.id = $1 AND action_visible(a, caller_principals($2, $3, $4::boolean, $5::boolean))"
    " FOR UPDATE",
    5};

static const db_stmt has_feedback_stmt = {
    "actions_has_feedback",
    "SELECT EXISTS (SELECT 1 FROM actions WHERE meeting_id = $1 AND kind = 'family_feedback')", 1};

static const db_stmt from_minutes_stmt = {
    "actions_from_minutes",
    "WITH items AS ("
    "  SELECT e.j, (e.ord - 1)::integer AS idx"
    "    FROM jsonb_array_elements($3::jsonb -> 'actions') WITH ORDINALITY e(j, ord)"
    "   WHERE coalesce(btrim(e.j->>'action_id'), '') = ''),"
    " created AS ("
    "  INSERT INTO actions (meeting_id, current_meeting_id, minutes_number, item_index,"
    "   description, owner_name, owner_agency, owner_sub, due_date, contingency)"
    "  SELECT $1, $1, $2::integer, idx, j->>'description', j->'owner'->>'name',"
    "         j->'owner'->>'agency', nullif(j->'owner'->>'sub', ''), (j->>'due_date')::date,"
    "         j->>'contingency'"
    "    FROM items ORDER BY idx RETURNING id)"
    " INSERT INTO action_history (action_id, actor_sub, actor_name, change, meeting_id)"
    " SELECT id, $4, $5, 'created', $1 FROM created RETURNING action_id",
    5};

static const db_stmt foreign_stmt = {
    "actions_foreign",
    "SELECT count(*) FROM jsonb_array_elements($2::jsonb -> 'actions') e(j)"
    " WHERE coalesce(btrim(e.j->>'action_id'), '') <> '' AND NOT EXISTS (SELECT 1 FROM actions a"
    "   WHERE a.id::text = e.j->>'action_id' AND $1 IN (a.meeting_id, a.current_meeting_id))",
    2};

static const db_stmt feedback_stmt = {
    "actions_feedback",
    "WITH created AS ("
    "  INSERT INTO actions (meeting_id, current_meeting_id, minutes_number, kind, description,"
    "   owner_name, owner_agency, owner_sub, due_date, contingency)"
    "  VALUES ($1, $1, $2::integer, 'family_feedback',"
    "   'Feed back the outcome of the meeting to the family: ' || $3, $4, $5, nullif($6, ''),"
    "   $7::date, 'The chair arranges the feedback with the lead agency.') RETURNING id)"
    " INSERT INTO action_history (action_id, actor_sub, actor_name, change, meeting_id)"
    " SELECT id, $8, $9, 'created', $1 FROM created RETURNING action_id",
    9};

static const db_stmt has_referral_stmt = {
    "actions_has_referral",
    "SELECT EXISTS (SELECT 1 FROM actions WHERE meeting_id = $1"
    "               AND kind = 'safeguarding_referral')",
    1};

static const db_stmt referral_stmt = {
    "actions_referral",
    "WITH created AS ("
    "  INSERT INTO actions (meeting_id, current_meeting_id, minutes_number, kind, description,"
    "   owner_name, owner_agency, owner_sub, due_date, contingency)"
    "  VALUES ($1, $1, $2::integer, 'safeguarding_referral',"
    "   'Make the safeguarding referral agreed at the meeting: ' || $3, $4, $5, nullif($6, ''),"
    "   $7::date, 'The chair makes the referral the same day if it has not been made.')"
    "  RETURNING id)"
    " INSERT INTO action_history (action_id, actor_sub, actor_name, change, meeting_id)"
    " SELECT id, $8, $9, 'created', $1 FROM created RETURNING action_id",
    9};

static const db_stmt open_for_stmt = {
    "actions_open_for",
    "SELECT id FROM actions WHERE current_meeting_id = $1 AND status = 'open'"
    " ORDER BY due_date, id",
    1};

/* MTG-9: completed and no-longer-needed actions are closed with the
 * review's note; carried-forward ones move to the review meeting, keeping
 * their id and history. */
static const db_stmt review_stmt = {
    "actions_review",
    "WITH outcomes AS ("
    "  SELECT (e.j->>'action_id')::uuid AS id, e.j->>'outcome' AS outcome,"
    "         coalesce(e.j->>'note', '') AS note"
    "    FROM jsonb_array_elements(coalesce($2::jsonb -> 'previous_actions', '[]')) e(j)),"
    " changed AS ("
    "  UPDATE actions a SET"
    "    status = CASE o.outcome WHEN 'completed' THEN 'completed'"
    "                            WHEN 'no_longer_needed' THEN 'cancelled' ELSE a.status END,"
    "    status_note = CASE WHEN o.outcome = 'carried_forward' THEN a.status_note"
    "                       ELSE 'Reviewed: ' || o.outcome || CASE WHEN o.note = '' THEN ''"
    "                                                         ELSE ': ' || o.note END END,"
    "    closed_at = CASE WHEN o.outcome = 'carried_forward' THEN a.closed_at ELSE now() END,"
    "    closed_by_sub = CASE WHEN o.outcome = 'carried_forward' THEN a.closed_by_sub ELSE $3 END,"
    "    current_meeting_id = CASE WHEN o.outcome = 'carried_forward' THEN $1::uuid"
    "                              ELSE a.current_meeting_id END,"
    "    version = a.version + 1, updated_at = now()"
    "   FROM outcomes o WHERE a.id = o.id AND a.status = 'open'"
    "     AND a.current_meeting_id <> $1::uuid"
    "  RETURNING a.id, a.version, o.outcome, o.note),"
    " history AS ("
    "  INSERT INTO action_history (action_id, actor_sub, actor_name, change, to_value, note,"
    "   meeting_id)"
    "  SELECT id, $3, $4, CASE WHEN outcome = 'carried_forward' THEN 'carried_forward'"
    "                     ELSE 'reviewed' END, outcome, nullif(note, ''), $1::uuid FROM changed)"
    " SELECT id, CASE WHEN outcome = 'carried_forward' THEN 'carried_forward' ELSE 'reviewed' END,"
    "        version FROM changed",
    4};

static const db_stmt reviewed_by_stmt = {
    "actions_reviewed_by",
    "SELECT DISTINCT action_id FROM action_history WHERE meeting_id = $1"
    " AND change IN ('reviewed', 'carried_forward')",
    1};

static const db_stmt close_stmt = {
    "actions_close",
    "WITH changed AS ("
    "  UPDATE actions SET status = $2, status_note = $3, closed_at = now(), closed_by_sub = $4,"
    "   version = version + 1, updated_at = now() WHERE id = $1 AND status = 'open'"
    "  RETURNING id)"
    " INSERT INTO action_history (action_id, actor_sub, actor_name, change, note)"
    " SELECT id, $4, $5, $2, $3 FROM changed",
    5};

static const db_stmt reschedule_stmt = {
    "actions_reschedule",
    "WITH changed AS ("
    "  UPDATE actions SET due_date = $3::date, version = version + 1, updated_at = now()"
    "   WHERE id = $1 RETURNING id)"
    " INSERT INTO action_history (action_id, actor_sub, actor_name, change, from_value,"
    "  to_value, note)"
    " SELECT id, $5, $6, 'due_date_changed', $2, $3, $4 FROM changed",
    6};

static const db_stmt list_stmt = {
    "actions_list",
    "SELECT action_json(a, $12::date), to_char(a.due_date, 'YYYY-MM-DD'), a.id FROM actions a"
    " WHERE action_visible(a, caller_principals($1, $2, $3::boolean, $13::boolean))"
    "   AND ($4::text IS NULL OR a.owner_sub = $4)"
    "   AND ($5::text IS NULL OR a.owner_agency = $5)"
    "   AND ($6::uuid IS NULL OR $6 IN (a.meeting_id, a.current_meeting_id))"
    "   AND ($7::text IS NULL OR a.status = $7)"
    "   AND ($8::boolean IS NULL OR $8 = (a.status = 'open'"
    "        AND a.due_date < $12::date))"
    "   AND ($9::date IS NULL OR (a.due_date, a.id) > ($9::date, $10::uuid))"
    " ORDER BY a.due_date, a.id LIMIT $11",
    13};

/* The owner's own overdue actions, the commonest question, off one index
 * range; an owner always sees their own actions (action_visible). */
static const db_stmt list_own_overdue_stmt = {
    "actions_list_own_overdue",
    "SELECT action_json(a, $5::date), to_char(a.due_date, 'YYYY-MM-DD'), a.id FROM actions a"
    " WHERE a.owner_sub = $1 AND a.status = 'open'"
    "   AND a.due_date < $5::date"
    "   AND (a.due_date, a.id) > ($2::date, $3::uuid)"
    " ORDER BY a.due_date, a.id LIMIT $4",
    5};

int actions_find(store *s, const char *id, bool lock, action_row *out)
{
    if (!text_is_uuid(id))
        return 0;
    const char *params[] = {id, s->who->sub, s->who->agency, caller_manager_param(s->who),
                            caller_lead_param(s->who)};
    PGresult *res = sql_query(s, lock ? &lock_stmt : &find_stmt, params);
    if (!res)
        return -1;
    int found = PQntuples(res) == 1;
    if (found) {
        sql_copy(out->id, sizeof out->id, PQgetvalue(res, 0, 0));
        sql_copy(out->meeting_id, sizeof out->meeting_id, PQgetvalue(res, 0, 1));
        sql_copy(out->current_meeting_id, sizeof out->current_meeting_id, PQgetvalue(res, 0, 2));
        sql_copy(out->owner_sub, sizeof out->owner_sub, PQgetvalue(res, 0, 3));
        sql_copy(out->owner_agency, sizeof out->owner_agency, PQgetvalue(res, 0, 4));
        sql_copy(out->status, sizeof out->status, PQgetvalue(res, 0, 5));
        sql_copy(out->due_date, sizeof out->due_date, PQgetvalue(res, 0, 6));
        sql_copy(out->chair_sub, sizeof out->chair_sub, PQgetvalue(res, 0, 7));
        out->version = atol(PQgetvalue(res, 0, 8));
    }
    PQclear(res);
    return found;
}

int actions_from_minutes(store *s, const char *meeting_id, int number, const char *content_json,
                         buf *ids)
{
    sql_int number_text;
    const char *n = sql_int_of(&number_text, number);
    const char *params[] = {meeting_id, n, content_json, s->who->sub, s->who->name};
    PGresult *res = sql_query(s, &from_minutes_stmt, params);
    if (!res)
        return -1;
    int count = PQntuples(res);
    for (int i = 0; i < count; i++) {
        if (ids->len)
            buf_putc(ids, ',');
        buf_puts(ids, PQgetvalue(res, i, 0));
    }
    PQclear(res);
    return count;
}

int actions_foreign_ids(store *s, const char *meeting_id, const char *content_json)
{
    const char *params[] = {meeting_id, content_json};
    bool found;
    char *n = sql_value(s, &foreign_stmt, params, &found);
    if (!n)
        return -1;
    int count = atoi(n);
    free(n);
    return count;
}

/* An action owned by whoever the minutes name in `entry`'s "by" (family
 * feedback, FAM-6; a safeguarding referral, ACT-4): `how` is the member
 * saying how it is to be done. */
static int insert_named_action(store *s, const db_stmt *st, const char *meeting_id, int number,
                               json_t *entry, const char *how, const char *due_date,
                               char id_out[37])
{
    sql_int number_text;
    const char *n = sql_int_of(&number_text, number);
    json_t *by = json_object_get(entry, "by");
    const char *sub = json_string_value(json_object_get(by, "sub"));
    const char *params[] = {meeting_id,
                            n,
                            json_string_value(json_object_get(entry, how)),
                            json_string_value(json_object_get(by, "name")),
                            json_string_value(json_object_get(by, "agency")),
                            sub ? sub : "",
                            due_date,
                            s->who->sub,
                            s->who->name};
    PGresult *res = sql_query(s, st, params);
    if (!res)
        return -1;
    sql_copy(id_out, 37, PQgetvalue(res, 0, 0));
    PQclear(res);
    return 0;
}

int actions_family_feedback(store *s, const char *meeting_id, int number, json_t *feedback,
                            const char *due_date, char id_out[37])
{
    return insert_named_action(s, &feedback_stmt, meeting_id, number, feedback, "method",
                               due_date, id_out);
}

int actions_has_safeguarding_referral(store *s, const char *meeting_id)
{
    const char *params[] = {meeting_id};
    bool found;
    char *exists = sql_value(s, &has_referral_stmt, params, &found);
    if (!exists)
        return -1;
    int yes = exists[0] == 't';
    free(exists);
    return yes;
}

int actions_safeguarding_referral(store *s, const char *meeting_id, int number, json_t *referral,
                                  const char *due_date, char id_out[37])
{
    return insert_named_action(s, &referral_stmt, meeting_id, number, referral, "how", due_date,
                               id_out);
}

int actions_open_for(store *s, const char *meeting_id, char ***ids, int *n)
{
    *ids = NULL;
    *n = 0;
    const char *params[] = {meeting_id};
    PGresult *res = sql_query(s, &open_for_stmt, params);
    if (!res)
        return -1;
    int rows = PQntuples(res);
    *ids = xcalloc((size_t)(rows ? rows : 1), sizeof **ids);
    for (int i = 0; i < rows; i++)
        (*ids)[i] = xstrdup(PQgetvalue(res, i, 0));
    *n = rows;
    PQclear(res);
    return 0;
}

void actions_free_ids(char **ids, int n)
{
    for (int i = 0; i < n; i++)
        free(ids[i]);
    free(ids);
}

int actions_apply_review(store *s, const char *meeting_id, const char *content_json)
{
    const char *params[] = {meeting_id, content_json, s->who->sub, s->who->name};
    PGresult *res = sql_query(s, &review_stmt, params);
    if (!res)
        return -1;
    /* announced to the review meeting's agencies, which reviewed them */
    int rc = 0;
    for (int i = 0; rc == 0 && i < PQntuples(res); i++) {
        bool carried = strcmp(PQgetvalue(res, i, 1), "carried_forward") == 0;
        rc = feed_meeting_part(s, meeting_id, carried ? "action.carried_forward" : "action.reviewed",
                               "action", PQgetvalue(res, i, 0), atol(PQgetvalue(res, i, 2)));
    }
    PQclear(res);
    return rc;
}

int actions_has_family_feedback(store *s, const char *meeting_id)
{
    const char *params[] = {meeting_id};
    bool found;
    char *exists = sql_value(s, &has_feedback_stmt, params, &found);
    int has = exists ? exists[0] == 't' : -1;
    free(exists);
    return has;
}

int actions_reviewed_by(store *s, const char *meeting_id, char ***ids, int *n)
{
    *ids = NULL;
    *n = 0;
    const char *params[] = {meeting_id};
    PGresult *res = sql_query(s, &reviewed_by_stmt, params);
    if (!res)
        return -1;
    int rows = PQntuples(res);
    *ids = xcalloc((size_t)(rows ? rows : 1), sizeof **ids);
    for (int i = 0; i < rows; i++)
        (*ids)[i] = xstrdup(PQgetvalue(res, i, 0));
    *n = rows;
    PQclear(res);
    return 0;
}

int actions_close(store *s, const char *id, const char *status, const char *note)
{
    const char *params[] = {id, status, note, s->who->sub, s->who->name};
    return sql_run(s, &close_stmt, params);
}

int actions_reschedule(store *s, const char *id, const char *from, const char *to,
                       const char *reason)
{
    const char *params[] = {id, from, to, reason, s->who->sub, s->who->name};
    return sql_run(s, &reschedule_stmt, params);
}

int actions_list(store *s, const action_filters *f, int limit, char *const *after,
                 store_page *out)
{
    sql_int lim;
    const char *limit_text = sql_int_of(&lim, limit + 1);
    bool own_overdue = f->owner_sub && strcmp(f->owner_sub, s->who->sub) == 0 && f->overdue &&
                       strcmp(f->overdue, "true") == 0 && !f->agency && !f->meeting_id &&
                       (!f->status || strcmp(f->status, "open") == 0);
    if (own_overdue) {
        const char *params[] = {s->who->sub, after[0] ? after[0] : "-infinity",
                                after[1] ? after[1] : "00000000-0000-0000-0000-000000000000",
                                limit_text, s->today_text};
        return sql_list(s, &list_own_overdue_stmt, params, limit, 2, 2, out);
    }
    const char *params[] = {s->who->sub,  s->who->agency, caller_manager_param(s->who),
                            f->owner_sub, f->agency,      f->meeting_id,
                            f->status,    f->overdue,     after[0],
                            after[1],     limit_text,     s->today_text,
                            caller_lead_param(s->who)};
    return sql_list(s, &list_stmt, params, limit, 2, 2, out);
}
