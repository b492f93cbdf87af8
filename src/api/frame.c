#include "api/frame.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/text.h"
#include "domain/meeting.h"
#include "http/idempotency.h"
#include "http/pipeline.h"
#include "store/audit.h"

store *frame_begin(req *r, enum frame_mode mode)
{
    store *s = req_store(r);
    if (!s || mode == FRAME_READ_ONE)
        return s;
    if ((mode == FRAME_READ ? store_begin_read(s) : store_begin(s)) != 0) {
        req_db_failed(r);
        return NULL;
    }
    return s;
}

bool frame_idempotent(req *r, const char *replay_action, const char *resource_type)
{
    return idem_begin(r, replay_action, resource_type) == IDEM_PROCEED;
}

bool frame_found(req *r, int found)
{
    if (found < 0)
        req_db_failed(r);
    else if (found == 0)
        problem_not_found(r);
    return found > 0;
}

bool frame_ok(req *r, int rc)
{
    if (rc != 0)
        req_db_failed(r);
    return rc == 0;
}

bool frame_if_match(req *r, long version)
{
    return pipeline_if_match(r, version);
}

bool frame_gate(req *r, const state_gate *gate, const char *status)
{
    bool open = gate_open(gate, status);
    if (!open)
        problem_conflict(r, gate->rule, gate->refusal);
    return open;
}

bool frame_transition(req *r, const char *status, const char *to)
{
    if (meeting_transition_allowed(status, to))
        return true;
    char detail[160];
    snprintf(detail, sizeof detail, "The meeting is %s; it cannot become %s.", status, to);
    problem_conflict(r, "MTG-8", detail);
    return false;
}

bool frame_violations(req *r, const violations *v)
{
    if (v->n == 0)
        return false;
    for (int i = 0; i < v->n; i++) {
        const violation *x = &v->items[i];
        if (x->rule)
            req_error(r, x->field, x->rule, x->message);
        else
            req_schema_error(r, x->field, x->message);
    }
    problem_invalid(r);
    return true;
}

static void answer(req *r, int status, const char *json, long version, const char *location)
{
    if (store_commit(&r->st) != 0) {
        req_db_failed(r);
        return;
    }
    reply_etag(r, version);
    if (location)
        reply_header(r, "Location", location);
    reply_json_text(r, status, json);
}

void frame_get(req *r, const store_kind *kind, const char *audit_action)
{
    bool in_one = audit_action && store_kind_reads_audited(kind);
    store *s = frame_begin(r, in_one ? FRAME_READ_ONE : FRAME_READ);
    if (!s)
        return;
    const char *id = req_path(r, 0);
    long version = 0;
    bool found;
    char *json = in_one ? store_read_audited(s, kind, id, audit_action, &version, &found)
                        : store_read(s, kind, id, &version, &found);
    if (!json) {
        if (found)
            req_db_failed(r);
        else
            problem_not_found(r);
        return;
    }
    if (in_one) {
        reply_etag(r, version);
        reply_json_text(r, 200, json);
    } else if (audit_action && audit_record(s, audit_action, store_kind_name(kind), id) != 0) {
        req_db_failed(r);
    } else {
        answer(r, 200, json, version, NULL);
    }
    free(json);
}

/* Where a created resource lives, by its kind's name. */
static bool location_of(const store_kind *kind, const char *id, char *out, size_t size)
{
    static const struct {
        const char *kind, *path;
    } paths[] = {
        {"meeting", "/v1/meetings/"},
        {"invitation", "/v1/invitations/"},
        {"consent_decision", "/v1/consent-decisions/"},
        {"escalation", "/v1/escalations/"},
        {"chronology_entry", "/v1/chronology-entries/"},
        {"rendition", "/v1/renditions/"},
        {"inaccuracy", "/v1/inaccuracies/"},
        {"agency", "/v1/agencies/"},
        {"bank_holiday", "/v1/bank-holidays/"},
        {"webhook_endpoint", "/v1/webhook-endpoints/"},
        {"calendar_token", "/v1/calendar-tokens/"},
        {"retention_hold", "/v1/retention-holds/"},
        {"disposal", "/v1/disposals/"},
    };
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
        if (strcmp(paths[i].kind, store_kind_name(kind)) == 0) {
            snprintf(out, size, "%s%s", paths[i].path, id);
            return true;
        }
    return false;
}

/* The representation with "warnings" added when there are any, and the
 * extra members (new string). */
static char *with_warnings(const char *json, json_t *warnings, json_t *extra)
{
    if ((!warnings || json_array_size(warnings) == 0) && !extra)
        return strdup(json);
    json_t *doc = json_loads(json, 0, NULL);
    if (!doc)
        return strdup(json);
    if (warnings && json_array_size(warnings) > 0)
        json_object_set(doc, "warnings", warnings);
    if (extra)
        json_object_update(doc, extra);
    char *out = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    return out;
}

void frame_finish(req *r, const frame_change *c)
{
    store *s = &r->st;
    const char *type = store_kind_name(c->kind);
    if (audit_record(s, c->audit_action, type, c->id) != 0 ||
        (c->event && store_announce(s, c->kind, c->id, c->event) != 0)) {
        req_db_failed(r);
        return;
    }
    long version = 0;
    char *json = store_render(s, c->kind, c->id, &version);
    char *body = json ? with_warnings(json, c->warnings, c->extra) : NULL;
    free(json);
    if (!body) {
        req_db_failed(r);
        return;
    }
    char location[128], etag[32];
    bool located = c->created &&
                   (c->location ? snprintf(location, sizeof location, "%s", c->location) > 0
                                : location_of(c->kind, c->id, location, sizeof location));
    snprintf(etag, sizeof etag, "\"%ld\"", version);
    if (c->created && !c->extra &&
        idem_remember(r, 201, located ? location : NULL, etag, body) != 0)
        req_db_failed(r);
    else
        answer(r, c->created ? 201 : 200, body, version, located ? location : NULL);
    free(body);
}

/* --- lists --- */

static bool part_valid(enum cursor_part kind, const char *v)
{
    switch (kind) {
    case PART_TIMESTAMP:
        return text_is_timestamp(v);
    case PART_UUID:
        return text_is_uuid(v);
    case PART_DATE:
        return text_is_date(v);
    case PART_INTEGER: {
        long n; /* every integer key (seq, number, id) counts from 1 */
        return config_parse_int(v, 1, 0x7fffffffffffffffL, &n) == 0;
    }
    case PART_TEXT:
        return *v != '\0';
    }
    return false;
}

bool frame_page_read(req *r, frame_page *p, int n_parts, const enum cursor_part *parts)
{
    memset(p, 0, sizeof *p);
    p->n_parts = n_parts;
    if (!page_limit_parse(req_query(r, "limit"), &p->limit))
        req_schema_error(r, "limit", "limit must be a whole number from 1 to 200");
    const char *cursor = req_query(r, "cursor");
    if (cursor) {
        bool valid = cursor_decode(cursor, p->after, n_parts) == n_parts;
        for (int i = 0; valid && i < n_parts; i++)
            valid = part_valid(parts[i], p->after[i]);
        if (!valid) {
            frame_page_free(p);
            req_schema_error(r, "cursor", "cursor is not one this service gave out");
        }
    }
    if (req_has_errors(r)) {
        frame_page_free(p);
        problem_invalid(r);
        return false;
    }
    return true;
}

void frame_read_whose(req *r, const char **owner_sub, const char **agency,
                      const char **meeting_id)
{
    const char *owner = req_query(r, "owner");
    *agency = req_query(r, "agency");
    *meeting_id = req_query(r, "meeting_id");
    *owner_sub = owner && strcmp(owner, "me") == 0 ? r->who.sub : owner;
    if (owner && (!*owner || strlen(owner) > CALLER_SUB_MAX))
        req_schema_error(r, "owner", "owner is me or a subject id");
    if (*agency && !agency_code_valid(*agency))
        req_schema_error(r, "agency", "agency is not an agency code");
    if (*meeting_id && !text_is_uuid(*meeting_id))
        req_schema_error(r, "meeting_id", "meeting_id must be a UUID");
}

void frame_page_free(frame_page *p)
{
    for (int i = 0; i < CURSOR_MAX_PARTS; i++) {
        free(p->after[i]);
        p->after[i] = NULL;
    }
}

void frame_list(req *r, store_page *page, const char *audit_action, const char *resource_type)
{
    store *s = &r->st;
    if ((audit_action && audit_record_list(s, audit_action, resource_type, page->ids) != 0) ||
        store_commit(s) != 0)
        req_db_failed(r);
    else
        reply_json_text(r, 200, page->json);
    store_page_free(page);
}

void frame_list_audited(req *r, store_page *page)
{
    reply_json_text(r, 200, page->json);
    store_page_free(page);
}

void warning_add(json_t *warnings, const char *rule, const char *field, const char *message)
{
    json_array_append_new(warnings, json_pack("{s:s, s:s, s:s}", "rule", rule, "field", field,
                                              "message", message));
}
