#include "store/meetings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "domain/meeting.h"
#include "domain/planning.h"
#include "store/sql.h"

#define MEETING_COLUMNS                                                                      \
    "m.id, m.type, m.status, m.convening_agency, m.requester_sub, m.version,"                \
    " coalesce(m.chair_sub, ''), coalesce(m.minute_taker_sub, ''), coalesce(m.format, ''),"   \
    " coalesce(extract(epoch FROM m.scheduled_start)::bigint, 0), m.two_part,"              \
    " coalesce(m.previous_meeting_id::text, ''), coalesce(m.chair_role, '')"

/* SEC-2 for the caller whose sub, agency, manager and lead flags are $2
 * to $5. */
#define VISIBLE_TO_CALLER \
    " meeting_visible(m.id, caller_principals($2, $3, $4::boolean, $5::boolean))"

const store_kind STORE_MEETING = {
    "meeting",
    text_is_uuid,
    /* after a change, in its transaction: the stored rendering is made at
     * COMMIT, so the change's own answer renders afresh */
    {"meetings_render",
     "SELECT meeting_json(m, $2::date), m.version FROM meetings m WHERE m.id = $1", 2},
    {"meetings_read",
     "SELECT meeting_document(r, m.id, $6::date), m.version"
     "  FROM meetings m LEFT JOIN meeting_renderings r ON r.meeting_id = m.id"
     " WHERE m.id = $1::text::uuid AND" VISIBLE_TO_CALLER,
     6},
    {"meetings_announce",
     "INSERT INTO events (event_id, agency, type, resource_type, resource_id, resource_version)"
     " SELECT e.id, a.code, $2, 'meeting', m.id::text, m.version"
     "   FROM meetings m, (SELECT gen_random_uuid() AS id) e,"
     "        LATERAL (SELECT DISTINCT unnest(meeting_agencies(m.id)) AS code) a"
     "  WHERE m.id = $1",
     2},
    /* GET /v1/meetings/{id}: the stored rendering (sql/050: a change
     * renders the meeting at its COMMIT, so a read never renders) and the
     * read's audit row (the row audit_record writes), one statement. A
     * meeting without a stored rendering (restored or loaded with the
     * triggers off, before `mam renderings rebuild`) is rendered afresh:
     * that branch runs only when the first found nothing. */
    {"meetings_read_audited",
     "WITH stored AS ("
     "  SELECT meeting_document(m, m.meeting_id, $6::date) AS json, m.version"
     "    FROM meeting_renderings m"
     "   WHERE m.meeting_id = $1::text::uuid AND meeting_visible(m.meeting_id,"
     "         caller_principals($2, $3, $4::boolean, $5::boolean, $7::boolean))),"
     " r AS ("
     "  SELECT * FROM stored"
     "  UNION ALL"
     "  SELECT meeting_json(x, $6::date), x.version FROM meetings x"
     "   WHERE NOT EXISTS (SELECT 1 FROM stored) AND x.id = $1::text::uuid"
     "     AND meeting_visible(x.id, caller_principals($2, $3, $4::boolean, $5::boolean,"
     "                                                 $7::boolean))),"
     " audited AS ("
     "  INSERT INTO audit_events (request_id, actor_sub, actor_agency, action, resource_type,"
     "                            resource_id, outcome, trace_id)"
     "  SELECT $8, $2, $3, $9, 'meeting', $1::text, 'success', $10 FROM r"
     "   WHERE " SQL_READ_COMMITS_ASYNC ")"
     " SELECT r.json, r.version FROM r",
     10},
};

static const db_stmt find_stmt = {
    "meetings_find",
    "SELECT " MEETING_COLUMNS " FROM meetings m WHERE m.id = $1 AND" VISIBLE_TO_CALLER, 5};

static const db_stmt lock_stmt = {
    "meetings_lock",
    "SELECT " MEETING_COLUMNS " FROM meetings m WHERE m.id = $1 AND" VISIBLE_TO_CALLER
    " FOR UPDATE",
    5};

static const db_stmt load_stmt = {
    "meetings_load", "SELECT " MEETING_COLUMNS " FROM meetings m WHERE m.id = $1", 1};

static const db_stmt load_lock_stmt = {
    "meetings_load_lock", "SELECT " MEETING_COLUMNS " FROM meetings m WHERE m.id = $1 FOR UPDATE",
    1};

static const db_stmt insert_stmt = {
    "meetings_insert",
    "INSERT INTO meetings (type, title, purpose, rationale, criteria, convening_agency,"
    " requester_sub, requester_name, external_system, external_id, no_other_children,"
    " previous_meeting_id)"
    " VALUES ($1, $2, $3, $4, ARRAY(SELECT json_array_elements_text($5::json)), $6, $7, $8,"
    " $9, $10, coalesce($11::boolean, false), $12::uuid)"
    " RETURNING id",
    12};

/* MTG-9: the previous meeting is visible to the caller and about the same
 * child — a subject child with the same external reference, or the same
 * name and date of birth. */
static const db_stmt same_child_stmt = {
    "meetings_same_child",
    "SELECT EXISTS (SELECT 1 FROM meeting_children p"
    "  WHERE p.meeting_id = m.id AND p.is_subject AND EXISTS ("
    "    SELECT 1 FROM json_array_elements($6::json) c(j)"
    "     WHERE (p.external_system IS NOT NULL"
    "            AND p.external_system = c.j->'external_ref'->>'system'"
    "            AND p.external_id = c.j->'external_ref'->>'id')"
    "        OR (p.name IS NOT NULL AND lower(p.name) = lower(c.j->>'name')"
    "            AND p.date_of_birth = (c.j->>'date_of_birth')::date)))"
    " FROM meetings m WHERE m.id = $1 AND" VISIBLE_TO_CALLER,
    6};

static const db_stmt update_stmt = {
    "meetings_update",
    "UPDATE meetings SET title = $2, purpose = $3, rationale = $4,"
    " criteria = ARRAY(SELECT json_array_elements_text($5::json)),"
    " external_system = $6, external_id = $7, no_other_children = coalesce($8::boolean, false),"
    " version = version + 1, updated_at = now()"
    " WHERE id = $1",
    8};

static const db_stmt decide_stmt = {
    "meetings_decide",
    "WITH decided AS ("
    "  UPDATE meetings SET status = $2, decided_by_sub = $3, decided_by_name = $4,"
    "   decided_at = now(), decline_reason = $5, version = version + 1, updated_at = now()"
    "   WHERE id = $1 RETURNING id, status, decided_by_sub, decided_by_name, decided_at,"
    "   decline_reason)"
    " INSERT INTO meeting_decisions (meeting_id, outcome, by_sub, by_name, at, reason)"
    " SELECT id, status, decided_by_sub, decided_by_name, decided_at, decline_reason"
    "   FROM decided",
    5};

/* MTG-11: the authorisation no longer covers the request. */
static const db_stmt reopen_stmt = {
    "meetings_reopen",
    "WITH superseded AS ("
    "  UPDATE meeting_decisions SET superseded_at = now(),"
    "   superseded_because = 'request_changed', superseded_by_sub = $2, superseded_by_name = $3"
    "   WHERE meeting_id = $1 AND superseded_at IS NULL)"
    " UPDATE meetings SET status = 'requested', decided_by_sub = NULL, decided_by_name = NULL,"
    " decided_at = NULL, decline_reason = NULL, updated_at = now()"
    " WHERE id = $1 AND status = 'authorised'",
    3};

static const db_stmt cancel_stmt = {
    "meetings_cancel",
    "UPDATE meetings SET status = 'cancelled', cancelled_by_sub = $2, cancelled_by_name = $3,"
    " cancelled_at = now(), cancel_reason = $4, version = version + 1, updated_at = now()"
    " WHERE id = $1",
    4};

static const db_stmt schedule_stmt = {
    "meetings_schedule",
    "UPDATE meetings SET status = 'scheduled', scheduled_start = $2::timestamptz,"
    " duration_minutes = $3::integer, format = $4, venue = $5,"
    " chair_sub = $6, chair_name = $7, chair_agency = $8, chair_role = $9,"
    " minute_taker_sub = $10, minute_taker_name = $11, minute_taker_agency = $12,"
    " two_part = coalesce($13::boolean, false), chair_child_role = $14, scheduled_at = now(),"
    " version = version + 1, updated_at = now()"
    " WHERE id = $1",
    14};

static const db_stmt hold_stmt = {
    "meetings_hold",
    "UPDATE meetings SET status = 'held', held_at = now(), held_by_sub = $2,"
    " version = version + 1, updated_at = now() WHERE id = $1",
    2};

static const db_stmt close_stmt = {
    "meetings_close",
    "UPDATE meetings SET status = 'closed', closed_at = now(), closed_by_sub = $2,"
    " version = version + 1, updated_at = now() WHERE id = $1",
    2};

/* MTG-8: the latest minutes, the sharing decision (FAM-5), who attended
 * and who the approved version went to (agency codes have no commas). */
static const db_stmt close_facts_stmt = {
    "meetings_close_facts",
    "WITH latest AS ("
    "  SELECT number, status FROM minutes WHERE meeting_id = $1 ORDER BY number DESC LIMIT 1),"
    " sent AS ("
    "  SELECT d.recipient_agency, d.category FROM minutes_distribution d JOIN latest l"
    "      ON d.number = l.number AND l.status = 'approved'"
    "   WHERE d.meeting_id = $1)"
    " SELECT coalesce((SELECT status = 'approved' FROM latest), false),"
    "  coalesce((SELECT decision FROM consent_decisions WHERE meeting_id = $1"
    "             AND kind = 'minutes_sharing' ORDER BY seq DESC LIMIT 1), ''),"
    "  coalesce((SELECT string_agg(DISTINCT i.agency, ',') FROM invitations i"
    "             WHERE i.meeting_id = $1 AND i.category IN ('professional', 'specialist')"
    "               AND i.status <> 'withdrawn' AND i.attendance IN ('present', 'apologies')), ''),"
    "  coalesce((SELECT string_agg(DISTINCT recipient_agency, ',') FROM sent"
    "             WHERE category <> 'family' AND recipient_agency IS NOT NULL), ''),"
    "  EXISTS (SELECT 1 FROM sent WHERE category = 'family')",
    1};

/* MTG-12: the date as the approved minutes agreed it (checked as a date
 * when the draft was written, MIN-2). */
static const db_stmt next_review_stmt = {
    "meetings_next_review",
    "UPDATE meetings m SET next_review_on = ("
    "  SELECT CASE WHEN v.content -> 'next_review' ->> 'date' ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'"
    "              THEN (v.content -> 'next_review' ->> 'date')::date END"
    "    FROM minutes v WHERE v.meeting_id = m.id AND v.number = $2::integer)"
    " WHERE m.id = $1",
    2};

static const db_stmt bump_stmt = {
    "meetings_bump", "UPDATE meetings SET version = version + 1, updated_at = now() WHERE id = $1",
    1};

static const db_stmt delete_children_stmt = {
    "meetings_delete_children", "DELETE FROM meeting_children WHERE meeting_id = $1", 1};

/* A subject child is linked to the child its identifiers name (CHR-1,
 * child_link). The national identifiers were validated by the request's
 * parser (domain/child_ids.c) and are stored in their normal form: the
 * NHS number's digits alone, the UPN in upper case. */
static const db_stmt insert_children_stmt = {
    "meetings_insert_children",
    "INSERT INTO meeting_children (meeting_id, is_subject, position, name, external_system,"
    " external_id, nhs_number, upn, date_of_birth, unborn, relationship, child_id)"
    " SELECT $1::uuid, s.is_subject, (s.ord - 1)::smallint, nullif(btrim(s.j->>'name'), ''),"
    "        s.ext_system, s.ext_id, s.nhs, s.upn,"
    "        (s.j->>'date_of_birth')::date, coalesce((s.j->>'unborn')::boolean, false),"
    "        nullif(btrim(s.j->>'relationship'), ''),"
    "        CASE WHEN s.is_subject THEN child_link(s.ext_system, s.ext_id, s.nhs, s.upn) END"
    "   FROM (SELECT true AS is_subject, e.j, e.ord,"
    "                e.j->'external_ref'->>'system' AS ext_system,"
    "                e.j->'external_ref'->>'id' AS ext_id,"
    "                regexp_replace(e.j->>'nhs_number', '[ -]', '', 'g') AS nhs,"
    "                upper(e.j->>'upn') AS upn"
    "           FROM json_array_elements($2::json) WITH ORDINALITY e(j, ord)"
    "         UNION ALL"
    "         SELECT false, e.j, e.ord, e.j->'external_ref'->>'system',"
    "                e.j->'external_ref'->>'id', NULL, NULL"
    "           FROM json_array_elements($3::json) WITH ORDINALITY e(j, ord)) s"
    "  ORDER BY s.is_subject DESC, s.ord",
    3};

/* A list of meetings, newest first, and its audit row with the ids shown
 * (the row audit_record_list writes), in one statement. rows_sql gives the
 * page's (created_at, meeting_id) rows, up to $7 of them: one more than the
 * page shows, which says there is a next page and whose rendering is not
 * read (CASE evaluates only the branch taken). Parameters: $1 sub, $2
 * agency, $3 is_manager, $4 is_lead, $5 is_integration, $6 today, $7 the
 * rows, $8 request id, $9 audit action, $10 trace id, $11 status, $12 and
 * $13 the cursor's (created_at, id); the filters' from $14. */
#define VISIBLE_PRINCIPALS "caller_principals($1, $2, $3::boolean, $4::boolean, $5::boolean)"
#define LIST_AUDITED(rows_sql)                                                               \
    "WITH v AS ("                                                                            \
    "  SELECT x.created_at, x.meeting_id,"                                                   \
    "         row_number() OVER (ORDER BY x.created_at DESC, x.meeting_id DESC) AS n"         \
    "    FROM (" rows_sql ") x),"                                                            \
    " audited AS ("                                                                          \
    "  INSERT INTO audit_events (request_id, actor_sub, actor_agency, action, resource_type,"  \
    "                            resource_ids, outcome, trace_id)"                           \
    "  SELECT $8, $1, $2, $9, 'meeting', shown.ids, 'success', $10"                          \
    "    FROM (SELECT coalesce(array_agg(v.meeting_id::text ORDER BY v.n)"                    \
    "                            FILTER (WHERE v.n < $7::integer), '{}') AS ids FROM v) shown" \
    "   WHERE " SQL_READ_COMMITS_ASYNC ")"                                                   \
    " SELECT CASE WHEN v.n < $7::integer THEN meeting_document(r, v.meeting_id, $6::date) END," \
    "        rfc3339(v.created_at), v.meeting_id"                                            \
    "   FROM v LEFT JOIN meeting_renderings r ON r.meeting_id = v.meeting_id ORDER BY v.n"

/* The common list — by status or not at all, a page at a time — off one
 * index range per principal (visible_meetings_page), whatever the volume.
 * The first page starts at +infinity so that one plan serves every page. */
static const db_stmt list_page_stmt = {
    "meetings_list_page",
    LIST_AUDITED("SELECT p.created_at, p.meeting_id FROM visible_meetings_page("
                 VISIBLE_PRINCIPALS ", $11, $12::timestamptz, $13::uuid, $7::integer) p"),
    13};

/* Any other filter: the caller's visible meetings (bounded by what they
 * can see) filtered, rather than every meeting asked whether the caller
 * can see it. */
static const db_stmt list_stmt = {
    "meetings_list",
    LIST_AUDITED(
        "SELECT m.created_at, m.id AS meeting_id FROM meetings m"
        " WHERE m.id IN (SELECT a.meeting_id FROM visible_meetings(" VISIBLE_PRINCIPALS ") a)"
        "   AND ($11::text IS NULL OR m.status = $11)"
        "   AND ($14::text IS NULL OR m.type = $14)"
        "   AND ($15::text IS NULL OR m.convening_agency = $15)"
        "   AND ($16::text IS NULL OR (m.external_system = $16 AND m.external_id = $17))"
        "   AND ($18::text IS NULL OR EXISTS (SELECT 1 FROM meeting_children c"
        "         WHERE c.meeting_id = m.id AND c.external_system = $18"
        "           AND c.external_id = $19))"
        "   AND ($20::text IS NULL OR m.reference = $20)"
        "   AND ($12::timestamptz IS NULL OR (m.created_at, m.id) < ($12::timestamptz, $13::uuid))"
        " ORDER BY m.created_at DESC, m.id DESC LIMIT $7"),
    20};

#define CURSOR_START_TIME "infinity"
#define CURSOR_START_ID "ffffffff-ffff-ffff-ffff-ffffffffffff"

bool meeting_row_convening_side(const meeting_row *m, const caller *who)
{
    return meeting_can_edit(m->convening_agency, m->requester_sub, who);
}

bool meeting_row_runs_it(const meeting_row *m, const caller *who)
{
    return (m->chair_sub[0] && strcmp(m->chair_sub, who->sub) == 0) ||
           (m->minute_taker_sub[0] && strcmp(m->minute_taker_sub, who->sub) == 0);
}

static int fill_row(PGresult *res, meeting_row *out)
{
    int found = PQntuples(res) == 1;
    if (found) {
        sql_copy(out->id, sizeof out->id, PQgetvalue(res, 0, 0));
        sql_copy(out->type, sizeof out->type, PQgetvalue(res, 0, 1));
        sql_copy(out->status, sizeof out->status, PQgetvalue(res, 0, 2));
        sql_copy(out->convening_agency, sizeof out->convening_agency, PQgetvalue(res, 0, 3));
        sql_copy(out->requester_sub, sizeof out->requester_sub, PQgetvalue(res, 0, 4));
        out->version = atol(PQgetvalue(res, 0, 5));
        sql_copy(out->chair_sub, sizeof out->chair_sub, PQgetvalue(res, 0, 6));
        sql_copy(out->minute_taker_sub, sizeof out->minute_taker_sub, PQgetvalue(res, 0, 7));
        sql_copy(out->format, sizeof out->format, PQgetvalue(res, 0, 8));
        out->start_epoch = atoll(PQgetvalue(res, 0, 9));
        out->two_part = PQgetvalue(res, 0, 10)[0] == 't';
        sql_copy(out->previous_meeting_id, sizeof out->previous_meeting_id,
                 PQgetvalue(res, 0, 11));
        sql_copy(out->chair_role, sizeof out->chair_role, PQgetvalue(res, 0, 12));
    }
    PQclear(res);
    return found;
}

int meetings_find(store *s, const char *id, bool lock, meeting_row *out)
{
    if (!text_is_uuid(id))
        return 0;
    const char *params[] = {id, s->who->sub, s->who->agency, caller_manager_param(s->who),
                            caller_lead_param(s->who)};
    PGresult *res = sql_query(s, lock ? &lock_stmt : &find_stmt, params);
    return res ? fill_row(res, out) : -1;
}

int meetings_load(store *s, const char *id, bool lock, meeting_row *out)
{
    if (!text_is_uuid(id))
        return 0;
    const char *params[] = {id};
    PGresult *res = sql_query(s, lock ? &load_lock_stmt : &load_stmt, params);
    return res ? fill_row(res, out) : -1;
}

/* A JSON member as text for a statement parameter (free()); "[]" when absent. */
static char *json_param(json_t *doc, const char *key)
{
    json_t *j = json_object_get(doc, key);
    if (!j || json_is_null(j))
        return strdup("[]");
    char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
    return s ? s : strdup("[]");
}

static const char *string_member(json_t *obj, const char *key)
{
    json_t *j = json_object_get(obj, key);
    return json_is_string(j) ? json_string_value(j) : NULL;
}

static const char *bool_member(json_t *obj, const char *key)
{
    json_t *j = json_object_get(obj, key);
    return json_is_boolean(j) ? (json_is_true(j) ? "true" : "false") : NULL;
}

static int insert_children(store *s, const char *id, json_t *doc)
{
    char *children = json_param(doc, "children");
    char *others = json_param(doc, "other_children");
    const char *params[] = {id, children, others};
    int rc = sql_run(s, &insert_children_stmt, params);
    free(children);
    free(others);
    return rc;
}

int meetings_insert(store *s, json_t *doc, const char *previous_meeting_id, char id_out[37])
{
    json_t *ref = json_object_get(doc, "external_ref");
    char *criteria = json_param(doc, "criteria");
    const char *params[] = {
        string_member(doc, "type"),      string_member(doc, "title"),
        string_member(doc, "purpose"),   string_member(doc, "rationale"),
        criteria,                        s->who->agency,
        s->who->sub,                     s->who->name,
        string_member(ref, "system"),    string_member(ref, "id"),
        bool_member(doc, "no_other_children"),
        previous_meeting_id,
    };
    bool found;
    char *id = sql_value(s, &insert_stmt, params, &found);
    free(criteria);
    if (!id)
        return -1;
    sql_copy(id_out, 37, id);
    free(id);
    return insert_children(s, id_out, doc);
}

int meetings_update(store *s, const char *id, json_t *doc)
{
    json_t *ref = json_object_get(doc, "external_ref");
    char *criteria = json_param(doc, "criteria");
    const char *params[] = {
        id,
        string_member(doc, "title"),
        string_member(doc, "purpose"),
        string_member(doc, "rationale"),
        criteria,
        string_member(ref, "system"),
        string_member(ref, "id"),
        bool_member(doc, "no_other_children"),
    };
    int rc = sql_run(s, &update_stmt, params);
    free(criteria);
    const char *del_params[] = {id};
    if (rc != 0 || sql_run(s, &delete_children_stmt, del_params) != 0)
        return -1;
    return insert_children(s, id, doc);
}

int meetings_same_child(store *s, const char *previous_id, json_t *doc)
{
    char *children = json_param(doc, "children");
    const char *params[] = {previous_id, s->who->sub, s->who->agency,
                            caller_manager_param(s->who), caller_lead_param(s->who), children};
    bool found;
    char *same = sql_value(s, &same_child_stmt, params, &found);
    free(children);
    if (!same)
        return found ? -1 : -2;
    int result = same[0] == 't';
    free(same);
    return result;
}

int meetings_decide(store *s, const char *id, const char *status, const char *reason)
{
    const char *params[] = {id, status, s->who->sub, s->who->name, reason};
    return sql_run(s, &decide_stmt, params);
}

int meetings_reopen(store *s, const char *id)
{
    const char *params[] = {id, s->who->sub, s->who->name};
    return sql_run(s, &reopen_stmt, params);
}

int meetings_cancel(store *s, const char *id, const char *reason)
{
    const char *params[] = {id, s->who->sub, s->who->name, reason};
    return sql_run(s, &cancel_stmt, params);
}

int meetings_schedule(store *s, const char *id, const struct schedule_in *in)
{
    sql_int duration;
    const char *params[] = {id,
                            in->start,
                            sql_int_of(&duration, in->duration_minutes),
                            in->format,
                            in->venue,
                            in->chair.sub,
                            in->chair.name,
                            in->chair.agency,
                            in->chair.role,
                            in->minute_taker.sub,
                            in->minute_taker.name,
                            in->minute_taker.agency,
                            in->two_part < 0 ? NULL : in->two_part ? "true" : "false",
                            in->chair.child_role};
    return sql_run(s, &schedule_stmt, params);
}

int meetings_hold(store *s, const char *id)
{
    const char *params[] = {id, s->who->sub};
    return sql_run(s, &hold_stmt, params);
}

int meetings_close(store *s, const char *id)
{
    const char *params[] = {id, s->who->sub};
    return sql_run(s, &close_stmt, params);
}

/* Splits "A,B,C" into at most CLOSE_MAX_AGENCIES codes; returns how many. */
static int split_agencies(const char *list, char (*codes)[CALLER_AGENCY_MAX + 1],
                          const char **out)
{
    int n = 0;
    while (*list && n < CLOSE_MAX_AGENCIES) {
        size_t len = strcspn(list, ",");
        snprintf(codes[n], CALLER_AGENCY_MAX + 1, "%.*s", (int)len, list);
        out[n] = codes[n];
        n++;
        list += len;
        if (*list == ',')
            list++;
    }
    return n;
}

int meetings_close_facts(store *s, const char *id, struct close_facts *out,
                         close_storage *storage)
{
    const char *params[] = {id};
    PGresult *res = sql_query(s, &close_facts_stmt, params);
    if (!res)
        return -1;
    memset(out, 0, sizeof *out);
    out->approved = PQgetvalue(res, 0, 0)[0] == 't';
    sql_copy(storage->sharing, sizeof storage->sharing, PQgetvalue(res, 0, 1));
    out->sharing = storage->sharing[0] ? storage->sharing : NULL;
    out->n_attending =
        split_agencies(PQgetvalue(res, 0, 2), storage->agencies[0], storage->attending);
    out->attending = storage->attending;
    out->n_distributed =
        split_agencies(PQgetvalue(res, 0, 3), storage->agencies[1], storage->distributed);
    out->distributed = storage->distributed;
    out->family_copy_sent = PQgetvalue(res, 0, 4)[0] == 't';
    PQclear(res);
    return 0;
}

int meetings_set_next_review(store *s, const char *id, int number)
{
    sql_int n;
    const char *params[] = {id, sql_int_of(&n, number)};
    return sql_run(s, &next_review_stmt, params);
}

int meetings_bump(store *s, const char *id)
{
    const char *params[] = {id};
    return sql_run(s, &bump_stmt, params);
}

int meetings_list(store *s, const meeting_filters *f, int limit, char *const *after,
                  const char *audit_action, store_page *out)
{
    sql_int rows; /* one more than shown: is there a next page? */
    bool by_page = !f->type && !f->convening_agency && !f->ext_system && !f->child_system &&
                   !f->reference;
    const char *params[] = {s->who->sub,
                            s->who->agency,
                            caller_manager_param(s->who),
                            caller_lead_param(s->who),
                            caller_integration_param(s->who),
                            s->today_text,
                            sql_int_of(&rows, limit + 1),
                            s->request_id,
                            audit_action,
                            s->trace_id && s->trace_id[0] ? s->trace_id : NULL,
                            f->status,
                            /* the common list's one plan starts at +infinity */
                            after[0] ? after[0] : by_page ? CURSOR_START_TIME : NULL,
                            after[0] ? after[1] : by_page ? CURSOR_START_ID : NULL,
                            f->type,
                            f->convening_agency,
                            f->ext_system,
                            f->ext_id,
                            f->child_system,
                            f->child_id,
                            f->reference};
    return sql_list(s, by_page ? &list_page_stmt : &list_stmt, params, limit, 2, 2, out);
}

/* the renderings a passed due date made stale (meeting_renderings_renew) */
static const db_stmt renew_stmt = {
    "meetings_renew_renderings",
    "SELECT meeting_renderings_renew((now() AT TIME ZONE 'UTC')::date, $1::integer)", 1};

int meetings_renew_renderings(db_conn *c, int batch)
{
    sql_int size;
    const char *params[] = {sql_int_of(&size, batch)};
    PGresult *res = db_exec(c, &renew_stmt, params);
    if (!res)
        return -1;
    int n = atoi(PQgetvalue(res, 0, 0));
    PQclear(res);
    return n;
}
