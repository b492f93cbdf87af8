/* Agencies' own entries in a child's chronology (CHR-2): added by a
 * practitioner of the agency about a child they may see; changed only by a
 * new version with a reason, by its author or a manager of its agency;
 * every version readable. Visible to whoever may see the child (SEC-2). */
#include <string.h>

#include "api/frame.h"
#include "api/handlers.h"
#include "auth/caller.h"
#include "core/clock.h"
#include "domain/json_in.h"
#include "domain/chronology.h"
#include "store/children.h"
#include "store/chronology_entries.h"

/* --- POST /v1/children/{child_id}/chronology/entries --- */

void handle_chronology_entries_create(req *r)
{
    violations v;
    violations_init(&v);
    char today[11];
    clock_date(r->now, today);
    chronology_entry_in in;
    chronology_entry_parse(r->body, false, today, &in, &v);
    if (v.schema && frame_violations(r, &v))
        return;
    store *s = frame_begin(r, FRAME_CHANGE);
    if (!s || !frame_idempotent(r, "chronology_entry.create.replayed", "chronology_entry"))
        return;
    if (!frame_found(r, children_visible(s, req_path(r, 0))))
        return;
    /* the role after visibility, so that a caller who may not see the child
     * learns nothing of it (SEC-2), as on every route that names case data */
    if (!caller_has_any(&r->who, ROLES_CASEWORK)) {
        problem_forbidden(r, NULL, "Adding to a child's chronology needs a casework role.");
        return;
    }
    if (frame_violations(r, &v))
        return;
    char id[37];
    if (!frame_ok(r, chronology_entries_insert(s, req_path(r, 0), &in, id)))
        return;
    frame_finish(r, &(frame_change){.kind = &STORE_CHRONOLOGY_ENTRY,
                                    .id = id,
                                    .audit_action = "chronology_entry.create",
                                    .event = "chronology_entry.created",
                                    .created = true});
}

/* --- GET /v1/chronology-entries/{entry_id} --- */

void handle_chronology_entries_get(req *r)
{
    frame_get(r, &STORE_CHRONOLOGY_ENTRY, "chronology_entry.read");
}

/* --- PATCH /v1/chronology-entries/{entry_id} --- */

/* The entry after the patch: its current members with the patched ones
 * replacing them (null removes one), and the reason. */
static json_t *merged_entry(const char *current_json, json_t *patch)
{
    static const char *const members[] = {"occurred_on",   "what_happened", "action_taken",
                                          "why_no_action", "basis",         NULL};
    json_t *current = json_loads(current_json, 0, NULL);
    json_t *doc = json_object();
    for (const char *const *m = members; *m; m++) {
        json_t *value = json_object_get(patch, *m);
        if (!value)
            value = json_object_get(current, *m);
        if (value && !json_is_null(value))
            json_object_set(doc, *m, value);
    }
    json_t *reason = json_object_get(patch, "reason");
    if (reason)
        json_object_set(doc, "reason", reason);
    json_decref(current);
    return doc;
}

void handle_chronology_entries_update(req *r)
{
    violations v;
    violations_init(&v);
    static const char *const fields[] = {"occurred_on",   "what_happened", "action_taken",
                                         "why_no_action", "basis",         "reason",
                                         NULL};
    static const char *const read_only[] = {"id",      "child_id", "agency",     "author",
                                            "version", "versions", "created_at", NULL};
    jin_only_keys(&v, r->body, "", fields, read_only);
    if (!v.schema) {
        /* the shape of what the patch sends comes before anything about the entry */
        violations parsed;
        violations_init(&parsed);
        chronology_entry_in scratch;
        chronology_entry_parse(r->body, true, "9999-12-31", &scratch, &parsed);
        violations_schema_only(&parsed, &v);
    }
    if (frame_violations(r, &v))
        return;
    chronology_entry_row e;
    store *s = frame_begin(r, FRAME_CHANGE);
    if (!s || !frame_found(r, chronology_entries_find(s, req_path(r, 0), true, &e)))
        return;
    bool author = strcmp(e.author_sub, r->who.sub) == 0;
    bool agency_manager = strcmp(e.agency, r->who.agency) == 0 &&
                          caller_has_any(&r->who, ROLES_MANAGERS);
    if (!author && !agency_manager) {
        problem_forbidden(r, "CHR-2",
                          "An entry is its agency's: only its author or a manager of its agency "
                          "changes it.");
        return;
    }
    if (!frame_if_match(r, e.version))
        return;
    long version;
    char *current = store_render(s, &STORE_CHRONOLOGY_ENTRY, e.id, &version);
    if (!current) {
        req_db_failed(r);
        return;
    }
    json_t *doc = merged_entry(current, r->body);
    free(current);
    chronology_entry_in in;
    chronology_entry_parse(doc, true, s->today_text, &in, &v);
    if (!frame_violations(r, &v) && frame_ok(r, chronology_entries_change(s, e.id, &in)))
        frame_finish(r, &(frame_change){.kind = &STORE_CHRONOLOGY_ENTRY,
                                        .id = e.id,
                                        .audit_action = "chronology_entry.update",
                                        .event = "chronology_entry.updated"});
    json_decref(doc);
}
