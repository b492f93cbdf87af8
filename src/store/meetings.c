#include "store/meetings.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "domain/meeting.h"
#include "domain/planning.h"
#include "core/xalloc.h"

#define MEETING_COLUMNS                                                                      \
    "m.id, m.type, m.status, m.convening_agency, m.requester_sub, m.version,"                \
    " coalesce(m.chair_sub, ''), coalesce(m.minute_taker_sub, ''), coalesce(m.format, ''),"   \
    " coalesce(extract(epoch FROM m.scheduled_start)::bigint, 0), m.two_part"

static const db_stmt find_stmt = {
    "meetings_find",
    "SELECT " MEETING_COLUMNS " FROM meetings m"
    " WHERE m.id = $1 AND meeting_visible(m, $2, $3, $4::boolean)",
    4};

static const db_stmt lock_stmt = {
    "meetings_lock",
    "SELECT " MEETING_COLUMNS " FROM meetings m"
    " WHERE m.id = $1 AND meeting_visible(m, $2, $3, $4::boolean) FOR UPDATE",
    4};

static const db_stmt load_stmt = {
    "meetings_load", "SELECT " MEETING_COLUMNS " FROM meetings m WHERE m.id = $1", 1};

static const db_stmt load_lock_stmt = {
    "meetings_load_lock", "SELECT " MEETING_COLUMNS " FROM meetings m WHERE m.id = $1 FOR UPDATE",
    1};

static const db_stmt read_stmt = {
    "meetings_read",
    "SELECT meeting_json(m), m.version FROM meetings m"
    " WHERE m.id = $1 AND meeting_visible(m, $2, $3, $4::boolean)",
    4};

static const db_stmt render_stmt = {
    "meetings_render", "SELECT meeting_json(m) FROM meetings m WHERE m.id = $1", 1};

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
    "    SELECT 1 FROM json_array_elements($5::json) c(j)"
    "     WHERE (p.external_system IS NOT NULL"
    "            AND p.external_system = c.j->'external_ref'->>'system'"
    "            AND p.external_id = c.j->'external_ref'->>'id')"
    "        OR (p.name IS NOT NULL AND lower(p.name) = lower(c.j->>'name')"
    "            AND p.date_of_birth = (c.j->>'date_of_birth')::date)))"
    " FROM meetings m WHERE m.id = $1 AND meeting_visible(m, $2, $3, $4::boolean)",
    5};

static const db_stmt update_stmt = {
    "meetings_update",
    "UPDATE meetings SET title = $2, purpose = $3, rationale = $4,"
    " criteria = ARRAY(SELECT json_array_elements_text($5::json)),"
    " external_system = $6, external_id = $7, no_other_children = coalesce($8::boolean, false),"
    " version = version + 1, updated_at = now()"
    " WHERE id = $1",
    8};

static const db_stmt schedule_stmt = {
    "meetings_schedule",
    "UPDATE meetings SET status = 'scheduled', scheduled_start = $2::timestamptz,"
    " duration_minutes = $3::integer, format = $4, venue = $5,"
    " chair_sub = $6, chair_name = $7, chair_agency = $8, chair_role = $9,"
    " minute_taker_sub = $10, minute_taker_name = $11, minute_taker_agency = $12,"
    " two_part = coalesce($13::boolean, false), scheduled_at = now(),"
    " version = version + 1, updated_at = now()"
    " WHERE id = $1",
    13};

static const db_stmt hold_stmt = {
    "meetings_hold",
    "UPDATE meetings SET status = 'held', held_at = now(), held_by_sub = $2,"
    " version = version + 1, updated_at = now() WHERE id = $1",
    2};

static const db_stmt bump_stmt = {
    "meetings_bump", "UPDATE meetings SET version = version + 1, updated_at = now() WHERE id = $1",
    1};

static const db_stmt delete_children_stmt = {
    "meetings_delete_children", "DELETE FROM meeting_children WHERE meeting_id = $1", 1};

static const db_stmt insert_children_stmt = {
    "meetings_insert_children",
    "INSERT INTO meeting_children (meeting_id, is_subject, position, name, external_system,"
    " external_id, date_of_birth, unborn, relationship)"
    " SELECT $1::uuid, s.is_subject, (s.ord - 1)::smallint, nullif(btrim(s.j->>'name'), ''),"
    "        s.j->'external_ref'->>'system', s.j->'external_ref'->>'id',"
    "        (s.j->>'date_of_birth')::date, coalesce((s.j->>'unborn')::boolean, false),"
    "        nullif(btrim(s.j->>'relationship'), '')"
    "   FROM (SELECT true AS is_subject, e.j, e.ord"
    "           FROM json_array_elements($2::json) WITH ORDINALITY e(j, ord)"
    "         UNION ALL"
    "         SELECT false, e.j, e.ord"
    "           FROM json_array_elements($3::json) WITH ORDINALITY e(j, ord)) s",
    3};

bool meeting_row_convening_side(const meeting_row *m, const caller *who)
{
    return meeting_can_edit(m->convening_agency, m->requester_sub, who);
}

bool meeting_row_runs_it(const meeting_row *m, const caller *who)
{
    return (m->chair_sub[0] && strcmp(m->chair_sub, who->sub) == 0) ||
           (m->minute_taker_sub[0] && strcmp(m->minute_taker_sub, who->sub) == 0);
}

static void copy(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src);
}

static int fill_row(PGresult *res, meeting_row *out);

int meetings_find(req *r, const char *id, bool lock, meeting_row *out)
{
    if (!text_is_uuid(id))
        return 0;
    const char *params[] = {id, r->who.sub, r->who.agency, caller_manager_param(&r->who)};
    PGresult *res = db_exec(r->db, lock ? &lock_stmt : &find_stmt, params);
    return res ? fill_row(res, out) : -1;
}

int meetings_load(req *r, const char *id, bool lock, meeting_row *out)
{
    if (!text_is_uuid(id))
        return 0;
    const char *params[] = {id};
    PGresult *res = db_exec(r->db, lock ? &load_lock_stmt : &load_stmt, params);
    return res ? fill_row(res, out) : -1;
}

static int fill_row(PGresult *res, meeting_row *out)
{
    int found = PQntuples(res) == 1;
    if (found) {
        copy(out->id, sizeof out->id, PQgetvalue(res, 0, 0));
        copy(out->type, sizeof out->type, PQgetvalue(res, 0, 1));
        copy(out->status, sizeof out->status, PQgetvalue(res, 0, 2));
        copy(out->convening_agency, sizeof out->convening_agency, PQgetvalue(res, 0, 3));
        copy(out->requester_sub, sizeof out->requester_sub, PQgetvalue(res, 0, 4));
        out->version = atol(PQgetvalue(res, 0, 5));
        copy(out->chair_sub, sizeof out->chair_sub, PQgetvalue(res, 0, 6));
        copy(out->minute_taker_sub, sizeof out->minute_taker_sub, PQgetvalue(res, 0, 7));
        copy(out->format, sizeof out->format, PQgetvalue(res, 0, 8));
        out->start_epoch = atoll(PQgetvalue(res, 0, 9));
        out->two_part = PQgetvalue(res, 0, 10)[0] == 't';
    }
    PQclear(res);
    return found;
}

char *meetings_read(req *r, const char *id, long *version, bool *found)
{
    *found = false;
    if (!text_is_uuid(id))
        return NULL;
    const char *params[] = {id, r->who.sub, r->who.agency, caller_manager_param(&r->who)};
    PGresult *res = db_exec(r->db, &read_stmt, params);
    if (!res) {
        *found = true; /* not "absent": the caller must report the failure */
        return NULL;
    }
    char *json = NULL;
    if (PQntuples(res) == 1) {
        *found = true;
        json = xstrdup(PQgetvalue(res, 0, 0));
        *version = atol(PQgetvalue(res, 0, 1));
    }
    PQclear(res);
    return json;
}

char *meetings_render(req *r, const char *id)
{
    const char *params[] = {id};
    bool found;
    return db_exec_value(r->db, &render_stmt, params, &found);
}

/* A JSON member as text for a statement parameter (free()); "[]" when absent. */
static char *json_param(json_t *doc, const char *key)
{
    json_t *j = json_object_get(doc, key);
    if (!j || json_is_null(j))
        return xstrdup("[]");
    char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
    return s ? s : xstrdup("[]");
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

static int insert_children(req *r, const char *id, json_t *doc)
{
    char *children = json_param(doc, "children");
    char *others = json_param(doc, "other_children");
    const char *params[] = {id, children, others};
    PGresult *res = db_exec(r->db, &insert_children_stmt, params);
    free(children);
    free(others);
    if (!res)
        return -1;
    PQclear(res);
    return 0;
}

int meetings_insert(req *r, json_t *doc, const char *previous_meeting_id, char id_out[37])
{
    json_t *ref = json_object_get(doc, "external_ref");
    char *criteria = json_param(doc, "criteria");
    const char *params[] = {
        string_member(doc, "type"),      string_member(doc, "title"),
        string_member(doc, "purpose"),   string_member(doc, "rationale"),
        criteria,                        r->who.agency,
        r->who.sub,                      r->who.name,
        string_member(ref, "system"),    string_member(ref, "id"),
        bool_member(doc, "no_other_children"),
        previous_meeting_id,
    };
    PGresult *res = db_exec(r->db, &insert_stmt, params);
    free(criteria);
    if (!res)
        return -1;
    copy(id_out, 37, PQgetvalue(res, 0, 0));
    PQclear(res);
    return insert_children(r, id_out, doc);
}

int meetings_update(req *r, const char *id, json_t *doc)
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
    PGresult *res = db_exec(r->db, &update_stmt, params);
    free(criteria);
    if (!res)
        return -1;
    PQclear(res);
    const char *del_params[] = {id};
    res = db_exec(r->db, &delete_children_stmt, del_params);
    if (!res)
        return -1;
    PQclear(res);
    return insert_children(r, id, doc);
}

static int run(req *r, const db_stmt *s, const char *const *params)
{
    PGresult *res = db_exec(r->db, s, params);
    if (!res)
        return -1;
    PQclear(res);
    return 0;
}

int meetings_schedule(req *r, const char *id, const struct schedule_in *in)
{
    char duration[16];
    snprintf(duration, sizeof duration, "%ld", in->duration_minutes);
    const char *params[] = {id,
                            in->start,
                            duration,
                            in->format,
                            in->venue,
                            in->chair.sub,
                            in->chair.name,
                            in->chair.agency,
                            in->chair.role,
                            in->minute_taker.sub,
                            in->minute_taker.name,
                            in->minute_taker.agency,
                            in->two_part < 0 ? NULL : in->two_part ? "true" : "false"};
    return run(r, &schedule_stmt, params);
}

int meetings_hold(req *r, const char *id)
{
    const char *params[] = {id, r->who.sub};
    return run(r, &hold_stmt, params);
}

int meetings_bump(req *r, const char *id)
{
    const char *params[] = {id};
    return run(r, &bump_stmt, params);
}

int meetings_same_child(req *r, const char *previous_id, json_t *doc)
{
    char *children = json_param(doc, "children");
    const char *params[] = {previous_id, r->who.sub, r->who.agency, caller_manager_param(&r->who),
                            children};
    bool found;
    char *same = db_exec_value(r->db, &same_child_stmt, params, &found);
    free(children);
    if (!same)
        return found || db_failure_of(r->db) == DB_OK ? -2 : -1;
    int result = same[0] == 't';
    free(same);
    return result;
}
