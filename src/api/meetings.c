/* Meetings: requesting (MTG-1, MTG-2, MTG-3, MTG-5), reading (SEC-2),
 * listing and editing a request before it is scheduled — an authorised one
 * going back for a new decision when what was authorised changes (MTG-11). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/frame.h"
#include "api/handlers.h"
#include "core/clock.h"
#include "core/text.h"
#include "domain/json_in.h"
#include "domain/meeting.h"
#include "store/agencies.h"
#include "store/meetings.h"

/* --- POST /v1/meetings --- */

/* MTG-9: a review meeting follows a meeting the caller can see, about the
 * same child. False after answering a failure. */
static bool check_previous(req *r, store *s, const meeting_draft *d, violations *v)
{
    if (!d->previous_meeting_id || v->n)
        return true; /* the children must be well formed for the comparison */
    int same = meetings_same_child(s, d->previous_meeting_id, r->body);
    if (same == -1) {
        req_db_failed(r);
        return false;
    }
    if (same == -2)
        violation_rule(v, "previous_meeting_id", "MTG-9", "not a meeting you can see");
    else if (same == 0)
        violation_rule(v, "previous_meeting_id", "MTG-9",
                       "a review meeting is about the same child as the meeting it follows");
    return true;
}

void handle_meetings_create(req *r)
{
    violations v;
    violations_init(&v);
    meeting_draft d;
    meeting_draft_parse(r->body, &d, &v);
    char today[11];
    clock_date(r->now, today);
    meeting_check_draft(&d, today, &v);
    if (v.schema && frame_violations(r, &v))
        return;
    store *s = frame_begin(r, FRAME_CHANGE);
    if (!s || !frame_idempotent(r, "meeting.create.replayed", "meeting"))
        return;
    bool found;
    char *kind = agencies_active_kind(s, r->who.agency, &found);
    if (!kind) {
        if (found)
            req_db_failed(r);
        else
            problem_forbidden(r, NULL,
                              "Your agency is not an active entry of the agency directory; "
                              "an admin must add it before it can convene meetings.");
        return;
    }
    meeting_check_requester(d.type, kind, &v);
    free(kind);
    if (!check_previous(r, s, &d, &v) || frame_violations(r, &v))
        return;
    char id[37];
    if (frame_ok(r, meetings_insert(s, r->body, d.previous_meeting_id, id)))
        frame_finish(r, &(frame_change){.kind = &STORE_MEETING,
                                        .id = id,
                                        .audit_action = "meeting.create",
                                        .event = "meeting.requested",
                                        .created = true});
}

/* --- GET /v1/meetings/{id} --- */

void handle_meetings_get(req *r)
{
    frame_get(r, &STORE_MEETING, "meeting.read");
}

/* --- GET /v1/meetings --- */

typedef struct list_query {
    meeting_filters f;
    char *ext_system, *ext_id, *child_system, *child_id; /* owned */
} list_query;

static void list_query_free(list_query *q)
{
    free(q->ext_system);
    free(q->ext_id);
    free(q->child_system);
    free(q->child_id);
}

/* Reads and checks the filters; answers 400 and returns false when wrong. */
static bool list_query_read(req *r, list_query *q)
{
    memset(q, 0, sizeof *q);
    meeting_filters *f = &q->f;
    f->status = req_query(r, "status");
    f->type = req_query(r, "type");
    f->convening_agency = req_query(r, "convening_agency");
    f->reference = req_query(r, "reference");
    const char *ext = req_query(r, "external_ref");
    const char *child_ext = req_query(r, "child_external_ref");
    if (f->status && !text_in_list(meeting_statuses, f->status))
        req_schema_error(r, "status", "status is not a meeting status");
    if (f->type && !text_in_list(meeting_types, f->type))
        req_schema_error(r, "type", "type is not a meeting type");
    if (f->convening_agency && !agency_code_valid(f->convening_agency))
        req_schema_error(r, "convening_agency", "convening_agency is not an agency code");
    if (f->reference && strlen(f->reference) > 32)
        req_schema_error(r, "reference", "reference is too long");
    if (ext && !text_split_ref(ext, &q->ext_system, &q->ext_id))
        req_schema_error(r, "external_ref", "external_ref must be system:id (INT-1)");
    if (child_ext && !text_split_ref(child_ext, &q->child_system, &q->child_id))
        req_schema_error(r, "child_external_ref", "child_external_ref must be system:id (INT-1)");
    f->ext_system = q->ext_system;
    f->ext_id = q->ext_id;
    f->child_system = q->child_system;
    f->child_id = q->child_id;
    if (req_has_errors(r)) {
        problem_invalid(r);
        return false;
    }
    return true;
}

void handle_meetings_list(req *r)
{
    static const enum cursor_part key[] = {PART_TIMESTAMP, PART_UUID};
    list_query q;
    frame_page page;
    if (list_query_read(r, &q) && frame_page_read(r, &page, 2, key)) {
        store *s = frame_begin(r, FRAME_READ_ONE);
        store_page rendered;
        if (s && frame_ok(r, meetings_list(s, &q.f, page.limit, page.after, "meeting.list",
                                           &rendered)))
            frame_list_audited(r, &rendered);
        frame_page_free(&page);
    }
    list_query_free(&q);
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

/* MTG-11: the request as it was authorised changed; the message names
 * what changed. */
static void reopening_warning(json_t *warnings, const char *const *changed, int n)
{
    char message[400];
    int used = snprintf(message, sizeof message,
                        "the request changed after it was authorised (");
    for (int i = 0; i < n && used > 0 && (size_t)used < sizeof message; i++)
        used += snprintf(message + used, sizeof message - (size_t)used, "%s%s", i ? ", " : "",
                         changed[i]);
    if (used > 0 && (size_t)used < sizeof message)
        snprintf(message + used, sizeof message - (size_t)used,
                 "): it is requested again and needs a new decision; the earlier decision is "
                 "kept in its decisions");
    warning_add(warnings, "MTG-11", changed[0], message);
}

/* Writes the checked request; an authorised one whose authorised parts
 * changed goes back to requested (MTG-11). */
static void update(req *r, store *s, const meeting_row *m, json_t *doc, json_t *was,
                   const meeting_draft *d)
{
    const char *changed[MEETING_AUTHORISED_PARTS];
    int n_changed = 0;
    if (strcmp(m->status, "authorised") == 0) {
        violations scratch;
        violations_init(&scratch);
        meeting_draft before;
        meeting_draft_parse(was, &before, &scratch);
        n_changed = meeting_authorised_parts_changed(&before, d, changed);
    }
    if (!frame_ok(r, meetings_update(s, m->id, doc)) ||
        (n_changed > 0 && !frame_ok(r, meetings_reopen(s, m->id))))
        return;
    json_t *warnings = json_array();
    if (n_changed > 0) {
        reopening_warning(warnings, changed, n_changed);
        /* the change and, with it, the decision that no longer stands */
        if (!frame_ok(r, store_announce(s, &STORE_MEETING, m->id, "meeting.decision_reopened"))) {
            json_decref(warnings);
            return;
        }
    }
    frame_finish(r, &(frame_change){.kind = &STORE_MEETING,
                                    .id = m->id,
                                    .audit_action = "meeting.update",
                                    .event = "meeting.updated",
                                    .warnings = warnings});
    json_decref(warnings);
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
    if (frame_violations(r, &v))
        return;
    meeting_row m;
    store *s = frame_begin(r, FRAME_CHANGE);
    if (!s || !frame_found(r, meetings_find(s, req_path(r, 0), true, &m)))
        return;
    if (!meeting_row_convening_side(&m, &r->who)) {
        problem_forbidden(r, NULL,
                          "Only the requester or a manager of the convening agency can change a request.");
        return;
    }
    if (!frame_if_match(r, m.version) || !frame_gate(r, &meeting_gate_request_edits, m.status))
        return;
    long version;
    char *current = store_render(s, &STORE_MEETING, m.id, &version);
    if (!current) {
        req_db_failed(r);
        return;
    }
    json_t *doc = merged_request(current, r->body);
    json_t *unpatched = json_object();
    json_t *was = merged_request(current, unpatched);
    json_decref(unpatched);
    free(current);
    meeting_draft d;
    meeting_draft_parse(doc, &d, &v);
    char today[11];
    clock_date(r->now, today);
    meeting_check_draft(&d, today, &v);
    if (!frame_violations(r, &v))
        update(r, s, &m, doc, was, &d);
    json_decref(doc);
    json_decref(was);
}
