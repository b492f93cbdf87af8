/* The agency directory: read by everyone, kept by admins. Not case data, so
 * reads are not audited; every change is audited and announced on the feed
 * all the same. */
#include <string.h>

#include "api/frame.h"
#include "api/handlers.h"
#include "domain/json_in.h"
#include "domain/meeting.h"
#include "store/agencies.h"

#define AGENCY_NAME_MAX 200

static const char *const agency_read_only[] = {"version", "created_at", "updated_at", NULL};

void handle_agencies_list(req *r)
{
    const char *kind = req_query(r, "kind");
    const char *active = req_query(r, "active");
    violations v;
    violations_init(&v);
    if (kind) {
        bool known = false;
        for (const char *const *k = agency_kinds; *k; k++)
            known |= strcmp(*k, kind) == 0;
        if (!known)
            violation_schema(&v, "kind", "kind is not an agency kind");
    }
    if (active && strcmp(active, "true") != 0 && strcmp(active, "false") != 0)
        violation_schema(&v, "active", "active must be true or false");
    if (frame_violations(r, &v))
        return;
    static const enum cursor_part key[] = {PART_TEXT};
    frame_page page;
    if (!frame_page_read(r, &page, 1, key))
        return;
    store *s = frame_begin(r, FRAME_READ);
    store_page rendered;
    if (s && frame_ok(r, agencies_list(s, kind, active, page.limit, page.after[0], &rendered)))
        frame_list(r, &rendered, NULL, "agency");
    frame_page_free(&page);
}

void handle_agencies_get(req *r)
{
    frame_get(r, &STORE_AGENCY, NULL);
}

void handle_agencies_create(req *r)
{
    static const char *const fields[] = {"code", "name", "kind", NULL};
    violations v;
    violations_init(&v);
    jin_only_keys(&v, r->body, "", fields, agency_read_only);
    const char *code = jin_string(&v, r->body, "", "code", 32, true, NULL);
    const char *name = jin_string(&v, r->body, "", "name", AGENCY_NAME_MAX, true, NULL);
    const char *kind = jin_enum(&v, r->body, "", "kind", agency_kinds, true, NULL);
    if (code && !agency_code_valid(code))
        violation_schema(&v, "code", "code is 2 to 32 of A-Z, 0-9, '_' and '-', starting with a letter or digit");
    if (frame_violations(r, &v))
        return;
    store *s = frame_begin(r, FRAME_CHANGE);
    if (!s || !frame_idempotent(r, "agency.create.replayed", "agency"))
        return;
    if (agencies_insert(s, code, name, kind) != 0) {
        if (store_failure(s) == DB_UNIQUE)
            problem(r, 409, "agency-exists", "Conflict", "An agency with this code already exists.");
        else
            req_db_failed(r);
        return;
    }
    frame_finish(r, &(frame_change){.kind = &STORE_AGENCY,
                                    .id = code,
                                    .audit_action = "agency.create",
                                    .event = "agency.created",
                                    .created = true});
}

void handle_agencies_update(req *r)
{
    static const char *const fields[] = {"name", "kind", "active", NULL};
    static const char *const read_only[] = {"code", "version", "created_at", "updated_at", NULL};
    violations v;
    violations_init(&v);
    jin_only_keys(&v, r->body, "", fields, read_only);
    const char *name = jin_string(&v, r->body, "", "name", AGENCY_NAME_MAX, false, NULL);
    const char *kind = jin_enum(&v, r->body, "", "kind", agency_kinds, false, NULL);
    int active = jin_bool(&v, r->body, "", "active");
    for (const char *const *f = fields; *f; f++) {
        json_t *value = json_object_get(r->body, *f);
        if (value && (json_is_null(value) || (json_is_string(value) && !name && strcmp(*f, "name") == 0)))
            violation_schema(&v, *f, "'%s' cannot be null or blank", *f);
    }
    if (json_object_size(r->body) == 0)
        violation_schema(&v, "", "the patch changes nothing");
    if (frame_violations(r, &v))
        return;
    const char *code = req_path(r, 0);
    long version = 0;
    store *s = frame_begin(r, FRAME_CHANGE);
    if (!s || !frame_found(r, agency_code_valid(code) ? agencies_lock(s, code, &version) : 0) ||
        !frame_if_match(r, version) ||
        !frame_ok(r, agencies_update(s, code, name, kind,
                                     active < 0 ? NULL : active ? "true" : "false")))
        return;
    frame_finish(r, &(frame_change){.kind = &STORE_AGENCY,
                                    .id = code,
                                    .audit_action = "agency.update",
                                    .event = "agency.updated"});
}
