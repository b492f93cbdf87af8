/* Meetings: requesting (MTG-1, MTG-2, MTG-3, MTG-5), reading (SEC-2),
 * listing and editing a request before it is scheduled. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "api/meeting_change.h"
#include "api/handlers.h"
#include "core/buf.h"
#include "core/text.h"
#include "domain/json_in.h"
#include "domain/meeting.h"
#include "http/idempotency.h"
#include "http/page.h"
#include "http/pipeline.h"
#include "store/audit.h"
#include "store/feed.h"
#include "store/meetings.h"

static const db_stmt agency_kind_stmt = {
    "meetings_agency_kind", "SELECT kind FROM agencies WHERE code = $1 AND active", 1};

/* Any other filter: the caller's visible meetings (MEETINGS_VISIBLE_TO,
 * bounded by what they can see) filtered, rather than every meeting asked
 * whether the caller can see it, which read the whole table for a
 * practitioner asking for a type. */
static const db_stmt list_stmt = {
    "meetings_list",
    "SELECT meeting_json(m), rfc3339(m.created_at), m.id FROM meetings m"
    " WHERE m.id IN (" MEETINGS_VISIBLE_TO("$1", "$2", "$3") ")"
    "   AND ($4::text IS NULL OR m.status = $4)"
    "   AND ($5::text IS NULL OR m.type = $5)"
    "   AND ($6::text IS NULL OR m.convening_agency = $6)"
    "   AND ($7::text IS NULL OR (m.external_system = $7 AND m.external_id = $8))"
    "   AND ($9::text IS NULL OR EXISTS (SELECT 1 FROM meeting_children c"
    "         WHERE c.meeting_id = m.id AND c.external_system = $9 AND c.external_id = $10))"
    "   AND ($11::text IS NULL OR m.reference = $11)"
    "   AND ($12::timestamptz IS NULL OR (m.created_at, m.id) < ($12::timestamptz, $13::uuid))"
    " ORDER BY m.created_at DESC, m.id DESC LIMIT $14",
    14};

/* The common list — by status or not at all, a page at a time — read off
 * meeting_access: one index range for the caller's own meetings and one
 * for their agency's when they are a manager, whatever the volume. The
 * cursor starts at +infinity so that one plan serves every page. */
#define FAST_LIST(status_condition)                                                         \
    "WITH v AS ("                                                                          \
    " (SELECT a.created_at, a.meeting_id FROM meeting_access a"                            \
    "   WHERE a.principal = 'p:' || $1" status_condition                                   \
    "     AND (a.created_at, a.meeting_id) < ($4::timestamptz, $5::uuid)"                  \
    "   ORDER BY a.created_at DESC, a.meeting_id DESC LIMIT $6)"                           \
    " UNION"                                                                               \
    " (SELECT a.created_at, a.meeting_id FROM meeting_access a"                            \
    "   WHERE $3::boolean AND a.principal = 'm:' || $2" status_condition                   \
    "     AND (a.created_at, a.meeting_id) < ($4::timestamptz, $5::uuid)"                  \
    "   ORDER BY a.created_at DESC, a.meeting_id DESC LIMIT $6))"                          \
    " SELECT meeting_json(m), rfc3339(m.created_at), m.id FROM v JOIN meetings m ON m.id = v.meeting_id" \
    " ORDER BY v.created_at DESC, v.meeting_id DESC LIMIT $6"

static const db_stmt list_fast_stmt = {"meetings_list_fast", FAST_LIST(""), 6};
static const db_stmt list_fast_status_stmt = {"meetings_list_fast_status",
                                              FAST_LIST(" AND a.status = $7"), 7};

#define CURSOR_START_TIME "infinity"
#define CURSOR_START_ID "ffffffff-ffff-ffff-ffff-ffffffffffff"

/* --- POST /v1/meetings --- */

void handle_meetings_create(req *r)
{
    violations v;
    violations_init(&v);
    meeting_draft d;
    meeting_draft_parse(r->body, &d, &v);
    char today[11];
    today_utc(today);
    meeting_check_draft(&d, today, &v);
    if (v.schema && answer_violations(r, &v))
        return;

    db_conn *c = req_db(r);
    if (!c)
        return;
    if (db_begin(c) != 0) {
        req_db_failed(r);
        return;
    }
    if (idem_begin(r, "meeting.create.replayed", "meeting") != IDEM_PROCEED)
        return;
    const char *agency_params[] = {r->who.agency};
    bool found;
    char *kind = db_exec_value(c, &agency_kind_stmt, agency_params, &found);
    if (!found) {
        if (kind == NULL && db_failure_of(c) != DB_OK) {
            req_db_failed(r);
            return;
        }
        problem_forbidden(r, NULL,
                          "Your agency is not an active entry of the agency directory; "
                          "an admin must add it before it can convene meetings.");
        return;
    }
    meeting_check_requester(d.type, kind, &v);
    free(kind);
    /* the children are well formed by now, as the comparison needs */
    if (d.previous_meeting_id && v.n == 0) {
        int same = meetings_same_child(r, d.previous_meeting_id, r->body);
        if (same == -1) {
            req_db_failed(r);
            return;
        }
        if (same == -2)
            violation_rule(&v, "previous_meeting_id", "MTG-9", "not a meeting you can see");
        else if (same == 0)
            violation_rule(&v, "previous_meeting_id", "MTG-9",
                           "a review meeting is about the same child as the meeting it follows");
    }
    if (answer_violations(r, &v))
        return;

    char id[37];
    if (meetings_insert(r, r->body, d.previous_meeting_id, id) != 0 || audit_record(r, "meeting.create", "meeting", id) != 0 ||
        feed_meeting(r, id, "meeting.requested") != 0) {
        req_db_failed(r);
        return;
    }
    char *json = meetings_render(r, id);
    char location[64];
    snprintf(location, sizeof location, "/v1/meetings/%s", id);
    if (!json || idem_remember(r, 201, location, "\"1\"", json) != 0) {
        free(json);
        req_db_failed(r);
        return;
    }
    answer_resource(r, 201, json, 1, location);
    free(json);
}

/* --- GET /v1/meetings/{id} --- */

void handle_meetings_get(req *r)
{
    db_conn *c = req_db(r);
    if (!c)
        return;
    if (db_begin_read(c) != 0) {
        req_db_failed(r);
        return;
    }
    long version = 0;
    bool found;
    const char *id = req_path(r, 0);
    char *json = meetings_read(r, id, &version, &found);
    if (!json) {
        if (found)
            req_db_failed(r);
        else
            problem_not_found(r);
        return;
    }
    if (audit_record(r, "meeting.read", "meeting", id) != 0)
        req_db_failed(r);
    else
        answer_resource(r, 200, json, version, NULL);
    free(json);
}

/* --- GET /v1/meetings --- */

static bool in_list(const char *const *list, const char *s)
{
    for (; *list; list++)
        if (strcmp(*list, s) == 0)
            return true;
    return false;
}

/* "system:id" into its two halves (new strings); false when malformed. */
static bool split_ref(const char *text, char **system, char **id)
{
    const char *colon = strchr(text, ':');
    if (!colon || colon == text || !colon[1] || strlen(text) > 201)
        return false;
    *system = strndup(text, (size_t)(colon - text));
    *id = strdup(colon + 1);
    return true;
}

typedef struct list_filters {
    const char *status, *type, *agency, *reference;
    char *ext_system, *ext_id, *child_system, *child_id;
    char *after[2]; /* created_at, id of the last meeting shown */
    int limit;
} list_filters;

static void filters_free(list_filters *f)
{
    free(f->ext_system);
    free(f->ext_id);
    free(f->child_system);
    free(f->child_id);
    free_parts(f->after, 2);
}

/* Reads and checks the query; answers 400 and returns false when wrong. */
static bool filters_read(req *r, list_filters *f)
{
    memset(f, 0, sizeof *f);
    f->status = req_query(r, "status");
    f->type = req_query(r, "type");
    f->agency = req_query(r, "convening_agency");
    f->reference = req_query(r, "reference");
    const char *ext = req_query(r, "external_ref");
    const char *child_ext = req_query(r, "child_external_ref");
    if (f->status && !in_list(meeting_statuses, f->status))
        req_schema_error(r, "status", "status is not a meeting status");
    if (f->type && !in_list(meeting_types, f->type))
        req_schema_error(r, "type", "type is not a meeting type");
    if (f->agency && !agency_code_valid(f->agency))
        req_schema_error(r, "convening_agency", "convening_agency is not an agency code");
    if (f->reference && strlen(f->reference) > 32)
        req_schema_error(r, "reference", "reference is too long");
    if (ext && !split_ref(ext, &f->ext_system, &f->ext_id))
        req_schema_error(r, "external_ref", "external_ref must be system:id (INT-1)");
    if (child_ext && !split_ref(child_ext, &f->child_system, &f->child_id))
        req_schema_error(r, "child_external_ref", "child_external_ref must be system:id (INT-1)");
    if (req_has_errors(r)) {
        problem_invalid(r);
        return false;
    }
    if (!read_page(r, &f->limit, f->after, 2))
        return false;
    if (f->after[0] && (!text_is_timestamp(f->after[0]) || !text_is_uuid(f->after[1]))) {
        req_schema_error(r, "cursor", "cursor is not one this service gave out");
        problem_invalid(r);
        return false;
    }
    return true;
}

void handle_meetings_list(req *r)
{
    list_filters f;
    if (!filters_read(r, &f)) {
        filters_free(&f);
        return;
    }
    db_conn *c = req_db(r);
    PGresult *res = NULL;
    if (c && db_begin_read(c) == 0) {
        char limit_text[16];
        snprintf(limit_text, sizeof limit_text, "%d", f.limit + 1);
        bool fast = !f.type && !f.agency && !f.ext_system && !f.child_system && !f.reference;
        if (fast) {
            const char *params[] = {r->who.sub,
                                    r->who.agency,
                                    caller_manager_param(&r->who),
                                    f.after[0] ? f.after[0] : CURSOR_START_TIME,
                                    f.after[1] ? f.after[1] : CURSOR_START_ID,
                                    limit_text,
                                    f.status};
            res = db_exec(c, f.status ? &list_fast_status_stmt : &list_fast_stmt, params);
        } else {
            const char *params[] = {r->who.sub,   r->who.agency, caller_manager_param(&r->who),
                                    f.status,     f.type,        f.agency,
                                    f.ext_system, f.ext_id,      f.child_system,
                                    f.child_id,   f.reference,   f.after[0],
                                    f.after[1],   limit_text};
            res = db_exec(c, &list_stmt, params);
        }
    }
    int limit = f.limit;
    filters_free(&f);
    if (!c)
        return;
    if (!res) {
        req_db_failed(r);
        return;
    }
    buf out, ids;
    buf_init(&out);
    buf_init(&ids);
    page_spec spec = {.limit = limit, .key_first_col = 1, .key_cols = 2, .id_col = 2};
    page_render(res, &spec, &out, &ids);
    PQclear(res);
    if (audit_record_list(r, "meeting.list", "meeting", ids.data) != 0)
        req_db_failed(r);
    else if (db_commit(c) != 0)
        req_db_failed(r);
    else
        reply_json_text(r, 200, out.data);
    buf_free(&out);
    buf_free(&ids);
}

/* --- PATCH /v1/meetings/{id} --- */

/* Drops null members of each object in an array (children as rendered). */
static void strip_nulls(json_t *list)
{
    size_t i;
    json_t *item;
    json_array_foreach(list, i, item) {
        const char *key;
        json_t *value;
        void *tmp;
        json_object_foreach_safe(item, tmp, key, value) {
            if (json_is_null(value))
                json_object_del(item, key);
        }
    }
}

/* The request document after the patch: the current request fields with
 * the patched ones replacing them (JSON merge semantics at the top level). */
static json_t *merged_request(const char *current_json, json_t *patch)
{
    static const char *const request_fields[] = {"type", "title", "purpose", "rationale",
                                                 "criteria", "children", "other_children",
                                                 "no_other_children", "external_ref", NULL};
    json_t *current = json_loads(current_json, 0, NULL);
    json_t *doc = json_object();
    for (const char *const *f = request_fields; *f; f++) {
        json_t *value = json_object_get(patch, *f);
        if (!value)
            value = json_object_get(current, *f);
        if (value && !json_is_null(value))
            json_object_set(doc, *f, value);
    }
    json_decref(current);
    /* copies, so that stripping does not touch the patch or the rendering */
    json_t *copy = json_deep_copy(doc);
    json_decref(doc);
    strip_nulls(json_object_get(copy, "children"));
    strip_nulls(json_object_get(copy, "other_children"));
    return copy;
}

void handle_meetings_update(req *r)
{
    violations v;
    violations_init(&v);
    jin_only_keys(&v, r->body, "", meeting_patchable_fields, meeting_read_only_fields);
    if (json_object_size(r->body) == 0)
        violation_schema(&v, "", "the patch changes nothing");
    if (!v.schema) {
        /* the shape of what the patch sends (400) comes before anything
         * about the meeting; whether the result keeps the rules comes later */
        violations parsed;
        violations_init(&parsed);
        meeting_draft scratch;
        meeting_draft_parse(r->body, &scratch, &parsed);
        violations_schema_only(&parsed, &v);
    }
    if (answer_violations(r, &v))
        return;
    meeting_row m;
    if (!meeting_change_begin(r, &m))
        return;
    if (!meeting_can_edit(m.convening_agency, m.requester_sub, &r->who)) {
        problem_forbidden(r, NULL,
                          "Only the requester or a manager of the convening agency can change a request.");
        return;
    }
    if (!pipeline_if_match(r, m.version))
        return;
    if (strcmp(m.status, "requested") != 0 && strcmp(m.status, "authorised") != 0) {
        problem_conflict(r, "MTG-8", "A meeting can be changed only while requested or authorised.");
        return;
    }
    char *current = meetings_render(r, m.id);
    if (!current) {
        req_db_failed(r);
        return;
    }
    json_t *doc = merged_request(current, r->body);
    free(current);
    meeting_draft d;
    meeting_draft_parse(doc, &d, &v);
    char today[11];
    today_utc(today);
    meeting_check_draft(&d, today, &v);
    if (answer_violations(r, &v)) {
        json_decref(doc);
        return;
    }
    int rc = meetings_update(r, m.id, doc);
    json_decref(doc);
    if (rc != 0) {
        req_db_failed(r);
        return;
    }
    meeting_change_finish(r, &m, "meeting.update", "meeting.updated", NULL);
}
