/* The audit trail (SEC-4) over real HTTP against the real database: every
 * read and change of a meeting writes an audit event with actor, agency,
 * action, resource, outcome and request id; auditors query the trail; the
 * database refuses to update or delete it, even for the service's own role. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "support/client.h"
#include "support/expect.h"
#include "support/fixtures.h"
#include "support/people.h"
#include "support/planning.h"

/* --- helpers --- */

/* A meeting requested by p (with a request id of our choosing), read by p
 * and authorised by m; the request ids of the three calls come back. */
typedef struct story {
    char *agency;
    person requester, manager;
    char *id;
    char *create_rid, *read_rid, *authorise_rid;
} story;

static void story_begin(story *s)
{
    memset(s, 0, sizeof *s);
    s->agency = agency_new("childrens_social_care");
    s->requester = person_new(s->agency, "practitioner");
    s->manager = person_new(s->agency, "manager");

    char suffix[17], header[96];
    unique_suffix(suffix, sizeof suffix);
    s->create_rid = malloc(64);
    snprintf(s->create_rid, 64, "audit-create-%s", suffix);
    snprintf(header, sizeof header, "X-Request-Id: %s", s->create_rid);
    const char *headers[] = {"Content-Type: application/json", header, NULL};
    json_t *body = meeting_body("stop_and_review");
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    http_response *r = http_call("POST", "/v1/meetings", s->requester.token, headers, text,
                                 strlen(text));
    free(text);
    cr_assert_eq(r->status, 201, "%s", r->body);
    char *echoed = http_header(r, "X-Request-Id");
    cr_assert_str_eq(echoed, s->create_rid);
    free(echoed);
    s->id = strdup(json_str(r->json, "id"));
    http_free(r);

    char path[128];
    snprintf(path, sizeof path, "/v1/meetings/%s", s->id);
    r = api_get(path, s->requester.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    s->read_rid = http_header(r, "X-Request-Id");
    http_free(r);

    snprintf(path, sizeof path, "/v1/meetings/%s/authorise", s->id);
    r = api_call("POST", path, s->manager.token, NULL, "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    s->authorise_rid = http_header(r, "X-Request-Id");
    http_free(r);
}

static void story_end(story *s)
{
    free(s->agency);
    free(s->id);
    free(s->create_rid);
    free(s->read_rid);
    free(s->authorise_rid);
    person_free(&s->requester);
    person_free(&s->manager);
}

/* GET as token; asserts 200 and returns the response. */
static http_response *get_ok(const char *path, const char *token)
{
    http_response *r = api_get(path, token);
    cr_assert_eq(r->status, 200, "%s -> %ld %s", path, r->status, r->body);
    cr_assert(json_is_array(json_object_get(r->json, "items")), "%s", r->body);
    return r;
}

static json_t *items_of(const http_response *r)
{
    return json_object_get(r->json, "items");
}

static const char *action_at(const http_response *r, size_t i)
{
    return json_str(json_array_get(items_of(r), i), "action");
}

/* --- SEC-4: what is written --- */

Test(audit, SEC_4_meeting_create_read_authorise_write_audit_rows)
{
    story s;
    story_begin(&s);
    const char *params[] = {s.id};
    char *rows = db_value(
        "SELECT string_agg(action || '|' || actor_sub || '|' || actor_agency || '|' ||"
        " resource_type || '|' || resource_id || '|' || outcome || '|' || request_id, E'\\n'"
        " ORDER BY id) FROM audit_events WHERE resource_id = $1",
        1, params);
    char expected[2048];
    snprintf(expected, sizeof expected,
             "meeting.create|%s|%s|meeting|%s|success|%s\n"
             "meeting.read|%s|%s|meeting|%s|success|%s\n"
             "meeting.authorise|%s|%s|meeting|%s|success|%s",
             s.requester.who.sub, s.agency, s.id, s.create_rid, s.requester.who.sub, s.agency,
             s.id, s.read_rid, s.manager.who.sub, s.agency, s.id, s.authorise_rid);
    cr_assert_str_eq(rows, expected);
    free(rows);
    /* each with its time, in order */
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE resource_id = $1"
                         " AND occurred_at IS NOT NULL AND occurred_at <= clock_timestamp()",
                         1, params),
                 3);
    cr_assert_eq(db_long("SELECT count(*) FROM (SELECT occurred_at, lag(occurred_at) OVER"
                         " (ORDER BY id) AS prev FROM audit_events WHERE resource_id = $1) t"
                         " WHERE prev IS NOT NULL AND occurred_at < prev",
                         1, params),
                 0);
    /* the trail names people by their subject id only, never by name */
    const char *name_params[] = {s.requester.who.name, s.manager.who.name};
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events a WHERE a::text LIKE '%' || $1 || '%'"
                         " OR a::text LIKE '%' || $2 || '%'",
                         2, name_params),
                 0);
    story_end(&s);
}

Test(audit, SEC_4_list_reads_record_every_id_shown)
{
    story s;
    story_begin(&s);
    char *second = meeting_new(&s.requester, "professionals");
    http_response *r = get_ok("/v1/meetings?limit=200", s.requester.token);
    char *rid = http_header(r, "X-Request-Id");
    cr_assert_eq(json_array_size(items_of(r)), 2, "%s", r->body);
    http_free(r);

    const char *params[] = {rid};
    char *row = db_value("SELECT action || '|' || actor_sub || '|' || resource_type || '|' ||"
                         " array_length(resource_ids, 1) FROM audit_events WHERE request_id = $1",
                         1, params);
    char expected[256];
    snprintf(expected, sizeof expected, "meeting.list|%s|meeting|2", s.requester.who.sub);
    cr_assert_str_eq(row, expected);
    free(row);
    const char *id_params[] = {rid, s.id, second};
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE request_id = $1"
                         " AND $2 = ANY (resource_ids) AND $3 = ANY (resource_ids)",
                         3, id_params),
                 1);

    /* an auditor finds the list read under either meeting's id */
    person auditor = person_new("AUDIT-OFFICE", "auditor,partnership");
    char path[160];
    snprintf(path, sizeof path, "/v1/audit-events?resource_id=%s", second);
    r = get_ok(path, auditor.token);
    bool listed = false;
    size_t i;
    json_t *item;
    json_array_foreach(items_of(r), i, item) {
        if (strcmp(json_str(item, "action"), "meeting.list") == 0) {
            listed = true;
            cr_assert_str_eq(json_str(item, "request_id"), rid);
            cr_assert(json_is_array(json_object_get(item, "resource_ids")), "%s", r->body);
        }
    }
    cr_assert(listed, "the list read is found by resource_id: %s", r->body);
    http_free(r);
    person_free(&auditor);
    free(rid);
    free(second);
    story_end(&s);
}

/* --- SEC-4: auditors query the trail --- */
/* Every test below reads as an auditor of the partnership (roles auditor
 * and partnership), who reads every agency's rows; the scope of an
 * agency's auditor is tested under "whose rows". */

Test(audit, SEC_4_auditor_filters_by_actor_resource_and_type)
{
    story s;
    story_begin(&s);
    person auditor = person_new("AUDIT-OFFICE", "auditor,partnership");
    char path[512];

    /* by resource: three rows, newest first, every field present */
    snprintf(path, sizeof path, "/v1/audit-events?resource_id=%s", s.id);
    http_response *r = get_ok(path, auditor.token);
    json_t *items = items_of(r);
    cr_assert_eq(json_array_size(items), 3, "%s", r->body);
    cr_assert_str_eq(action_at(r, 0), "meeting.authorise");
    cr_assert_str_eq(action_at(r, 1), "meeting.read");
    cr_assert_str_eq(action_at(r, 2), "meeting.create");
    const char *rids[] = {s.authorise_rid, s.read_rid, s.create_rid};
    const char *subs[] = {s.manager.who.sub, s.requester.who.sub, s.requester.who.sub};
    for (size_t i = 0; i < 3; i++) {
        json_t *e = json_array_get(items, i);
        json_t *actor = json_object_get(e, "actor");
        cr_assert_str_eq(json_str(actor, "sub"), subs[i]);
        cr_assert_str_eq(json_str(actor, "agency"), s.agency);
        cr_assert_str_eq(json_str(e, "resource_type"), "meeting");
        cr_assert_str_eq(json_str(e, "resource_id"), s.id);
        cr_assert_str_eq(json_str(e, "outcome"), "success");
        cr_assert_str_eq(json_str(e, "request_id"), rids[i]);
        const char *at = json_str(e, "occurred_at");
        cr_assert(at && text_is_timestamp(at), "occurred_at: %s", r->body);
        cr_assert(json_str(e, "id"), "%s", r->body);
    }
    cr_assert(json_is_null(json_object_get(r->json, "next_cursor")), "%s", r->body);
    http_free(r);

    /* by actor */
    snprintf(path, sizeof path, "/v1/audit-events?actor=%s", s.requester.who.sub);
    r = get_ok(path, auditor.token);
    cr_assert_eq(json_array_size(items_of(r)), 2, "%s", r->body);
    cr_assert_str_eq(action_at(r, 0), "meeting.read");
    cr_assert_str_eq(action_at(r, 1), "meeting.create");
    http_free(r);
    snprintf(path, sizeof path, "/v1/audit-events?actor=%s", s.manager.who.sub);
    r = get_ok(path, auditor.token);
    cr_assert_eq(json_array_size(items_of(r)), 1, "%s", r->body);
    cr_assert_str_eq(action_at(r, 0), "meeting.authorise");
    http_free(r);

    /* by actor and resource type */
    snprintf(path, sizeof path, "/v1/audit-events?actor=%s&resource_type=meeting",
             s.requester.who.sub);
    r = get_ok(path, auditor.token);
    cr_assert_eq(json_array_size(items_of(r)), 2, "%s", r->body);
    http_free(r);
    snprintf(path, sizeof path, "/v1/audit-events?actor=%s&resource_type=agency",
             s.requester.who.sub);
    r = get_ok(path, auditor.token);
    cr_assert_eq(json_array_size(items_of(r)), 0, "%s", r->body);
    cr_assert(json_is_null(json_object_get(r->json, "next_cursor")), "%s", r->body);
    http_free(r);

    /* by resource and actor together */
    snprintf(path, sizeof path, "/v1/audit-events?resource_id=%s&actor=%s", s.id,
             s.manager.who.sub);
    r = get_ok(path, auditor.token);
    cr_assert_eq(json_array_size(items_of(r)), 1, "%s", r->body);
    http_free(r);

    /* the auditor's own queries are on the trail too */
    const char *params[] = {auditor.who.sub};
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE actor_sub = $1"
                         " AND action = 'audit.list' AND resource_type = 'audit_event'",
                         1, params),
                 6);
    person_free(&auditor);
    story_end(&s);
}

Test(audit, SEC_4_auditor_filters_by_time)
{
    story s;
    story_begin(&s);
    person auditor = person_new("AUDIT-OFFICE", "auditor,partnership");
    char path[512];
    snprintf(path, sizeof path, "/v1/audit-events?resource_id=%s", s.id);
    http_response *all = get_ok(path, auditor.token);
    cr_assert_eq(json_array_size(items_of(all)), 3, "%s", all->body);
    const char *t_authorise = json_str(json_array_get(items_of(all), 0), "occurred_at");
    const char *t_read = json_str(json_array_get(items_of(all), 1), "occurred_at");
    const char *t_create = json_str(json_array_get(items_of(all), 2), "occurred_at");
    cr_assert(strcmp(t_create, t_read) < 0 && strcmp(t_read, t_authorise) < 0,
              "times ascend: %s %s %s", t_create, t_read, t_authorise);

    /* from is inclusive */
    snprintf(path, sizeof path, "/v1/audit-events?resource_id=%s&from=%s", s.id, t_authorise);
    http_response *r = get_ok(path, auditor.token);
    cr_assert_eq(json_array_size(items_of(r)), 1, "%s", r->body);
    cr_assert_str_eq(action_at(r, 0), "meeting.authorise");
    http_free(r);
    /* to is exclusive */
    snprintf(path, sizeof path, "/v1/audit-events?resource_id=%s&to=%s", s.id, t_read);
    r = get_ok(path, auditor.token);
    cr_assert_eq(json_array_size(items_of(r)), 1, "%s", r->body);
    cr_assert_str_eq(action_at(r, 0), "meeting.create");
    http_free(r);
    /* both */
    snprintf(path, sizeof path, "/v1/audit-events?resource_id=%s&from=%s&to=%s", s.id, t_create,
             t_authorise);
    r = get_ok(path, auditor.token);
    cr_assert_eq(json_array_size(items_of(r)), 2, "%s", r->body);
    cr_assert_str_eq(action_at(r, 0), "meeting.read");
    cr_assert_str_eq(action_at(r, 1), "meeting.create");
    http_free(r);
    /* with an offset, percent-encoded: the same instant an hour ahead */
    snprintf(path, sizeof path,
             "/v1/audit-events?resource_id=%s&from=2000-01-01T01:00:00%%2B01:00", s.id);
    r = get_ok(path, auditor.token);
    cr_assert_eq(json_array_size(items_of(r)), 3, "%s", r->body);
    http_free(r);
    /* a window in the past holds none of them */
    snprintf(path, sizeof path,
             "/v1/audit-events?resource_id=%s&from=2000-01-01T00:00:00Z&to=2000-01-02T00:00:00Z",
             s.id);
    r = get_ok(path, auditor.token);
    cr_assert_eq(json_array_size(items_of(r)), 0, "%s", r->body);
    http_free(r);

    http_free(all);
    person_free(&auditor);
    story_end(&s);
}

Test(audit, SEC_4_auditor_pages_newest_first_via_cursor)
{
    story s;
    story_begin(&s);
    /* two more reads: five rows in all */
    char path[512];
    snprintf(path, sizeof path, "/v1/meetings/%s", s.id);
    for (int i = 0; i < 2; i++) {
        http_response *r = api_get(path, s.manager.token);
        cr_assert_eq(r->status, 200, "%s", r->body);
        http_free(r);
    }
    person auditor = person_new("AUDIT-OFFICE", "auditor,partnership");
    snprintf(path, sizeof path, "/v1/audit-events?resource_id=%s&limit=200", s.id);
    http_response *all = get_ok(path, auditor.token);
    json_t *expected = items_of(all);
    cr_assert_eq(json_array_size(expected), 5, "%s", all->body);

    for (int limit = 1; limit <= 3; limit++) {
        json_t *seen = json_array();
        char *cursor = NULL;
        int pages = 0;
        do {
            snprintf(path, sizeof path, "/v1/audit-events?resource_id=%s&limit=%d%s%s", s.id,
                     limit, cursor ? "&cursor=" : "", cursor ? cursor : "");
            free(cursor);
            cursor = NULL;
            http_response *r = get_ok(path, auditor.token);
            cr_assert_leq(json_array_size(items_of(r)), (size_t)limit);
            json_array_extend(seen, items_of(r));
            json_t *next = json_object_get(r->json, "next_cursor");
            if (json_is_string(next))
                cursor = strdup(json_string_value(next));
            http_free(r);
            cr_assert_lt(++pages, 10, "paging ends");
        } while (cursor);
        cr_assert_eq(pages, (5 + limit - 1) / limit, "limit %d: %d pages", limit, pages);
        cr_assert(json_equal(seen, expected), "limit %d: pages equal the single page", limit);
        /* newest first: ids strictly descending */
        for (size_t i = 1; i < json_array_size(seen); i++) {
            long a = atol(json_str(json_array_get(seen, i - 1), "id"));
            long b = atol(json_str(json_array_get(seen, i), "id"));
            cr_assert_gt(a, b, "ids descend: %ld then %ld", a, b);
        }
        json_decref(seen);
    }
    http_free(all);
    person_free(&auditor);
    story_end(&s);
}

Test(audit, SEC_6_malformed_audit_filters_400)
{
    person auditor = person_new("AUDIT-OFFICE", "auditor,partnership");
    char cursor_word[32], cursor_two[32], long_id[80];
    text_base64url_encode((const unsigned char *)"c1|abc", 6, cursor_word, sizeof cursor_word);
    text_base64url_encode((const unsigned char *)"c1|5|6", 6, cursor_two, sizeof cursor_two);
    memset(long_id, 'r', 65);
    long_id[65] = '\0';
    char q_word[64], q_two[64], q_long[120];
    snprintf(q_word, sizeof q_word, "cursor=%s", cursor_word);
    snprintf(q_two, sizeof q_two, "cursor=%s", cursor_two);
    snprintf(q_long, sizeof q_long, "resource_id=%s", long_id);
    struct {
        const char *query, *field;
    } cases[] = {
        {"from=yesterday", "from"},
        {"to=yesterday", "to"},
        {"from=2024-01-01", "from"},
        {"from=2024-13-01T00:00:00Z", "from"},
        {"to=2024-02-30T00:00:00Z", "to"},
        {"from=2024-01-01T25:00:00Z", "from"},
        {"from=2024-01-01T00:00:00", "from"},
        {"cursor=x", "cursor"},
        {q_word, "cursor"},
        {q_two, "cursor"},
        {"limit=500", "limit"},
        {"limit=0", "limit"},
        {"limit=many", "limit"},
        {"actor=", "actor"},
        {q_long, "resource_id"},
        {"resource_type=", "resource_type"},
        {"action=meeting.read", "action"},
    };
    const char *params[] = {auditor.who.sub};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[256];
        snprintf(path, sizeof path, "/v1/audit-events?%s", cases[i].query);
        http_response *r = api_get(path, auditor.token);
        cr_assert_eq(r->status, 400, "%s -> %ld %s", cases[i].query, r->status, r->body);
        expect_problem(r, 400, "/problems/invalid-request");
        cr_assert(problem_has_field(r, cases[i].field), "%s names %s: %s", cases[i].query,
                  cases[i].field, r->body);
        cr_assert_null(json_object_get(r->json, "items"));
        http_free(r);
        /* a refused query reads nothing, so it writes nothing */
        cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE actor_sub = $1", 1, params),
                     0, "after %s", cases[i].query);
    }
    /* several faults at once are all named */
    http_response *r = api_get("/v1/audit-events?from=yesterday&to=tomorrow&limit=500",
                               auditor.token);
    expect_problem(r, 400, "/problems/invalid-request");
    cr_assert(problem_has_field(r, "from") && problem_has_field(r, "to"), "%s", r->body);
    http_free(r);
    person_free(&auditor);
}

/* fmt with its one "%s" replaced by arg (no printf: the formats are data). */
static void subst(char *out, size_t size, const char *fmt, const char *arg)
{
    const char *at = strstr(fmt, "%s");
    cr_assert(at, "a %%s in %s", fmt);
    snprintf(out, size, "%.*s%s%s", (int)(at - fmt), fmt, arg, at + 2);
}

/* RFC 3339 allows offsets up to 23:59; PostgreSQL takes at most 15:59. A
 * valid filter outside that range is still the client's input: it is read
 * (200) or refused as a bad filter (400), never a server error. */
Test(audit, SEC_6_time_filters_with_large_offsets_never_500)
{
    person auditor = person_new("AUDIT-OFFICE", "auditor,partnership");
    struct {
        const char *query, *field;
    } cases[] = {
        {"from=2024-01-01T00:00:00%2B23:59", "from"},
        {"to=2024-01-01T00:00:00-23:00", "to"},
        {"from=2024-01-01T00:00:00%2B16:00&to=2024-01-02T00:00:00Z", "from"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[256];
        snprintf(path, sizeof path, "/v1/audit-events?limit=1&%s", cases[i].query);
        http_response *r = api_get(path, auditor.token);
        cr_assert_neq(r->status, 500, "%s -> 500: %s", cases[i].query, r->body);
        cr_assert(r->status == 200 || r->status == 400, "%s -> %ld %s", cases[i].query,
                  r->status, r->body);
        if (r->status == 400) {
            expect_problem(r, 400, "/problems/invalid-request");
            cr_assert(problem_has_field(r, cases[i].field), "%s", r->body);
        }
        http_free(r);
    }
    person_free(&auditor);
}

/* --- SEC-4: append-only, even for the service's own role --- */

static char *rows_about(const char *id)
{
    const char *params[] = {id};
    return db_value("SELECT count(*) || ':' || coalesce(string_agg(a::text, ';' ORDER BY a.id),"
                    " '') FROM audit_events a WHERE resource_id = $1",
                    1, params);
}

Test(audit, SEC_4_audit_rows_cannot_be_updated_or_deleted)
{
    story s;
    story_begin(&s);
    char *before = rows_about(s.id);
    cr_assert(strncmp(before, "3:", 2) == 0, "three rows to protect: %s", before);
    char sql[512];

    /* the id comes from the service (a UUID): safe to write into SQL */
    cr_assert(text_is_uuid(s.id));
    const char *updates[] = {
        "UPDATE audit_events SET outcome = 'tampered' WHERE resource_id = '%s'",
        "UPDATE audit_events SET actor_sub = 'someone-else', request_id = 'x'"
        " WHERE resource_id = '%s' AND action = 'meeting.read'",
        "UPDATE audit_events SET occurred_at = occurred_at - interval '1 year'"
        " WHERE resource_id = '%s'",
        "DELETE FROM audit_events WHERE resource_id = '%s'",
        "DELETE FROM audit_events WHERE resource_id = '%s' AND action = 'meeting.read'",
        "WITH gone AS (DELETE FROM audit_events WHERE resource_id = '%s' RETURNING 1)"
        " SELECT count(*) FROM gone",
    };
    for (size_t i = 0; i < sizeof updates / sizeof updates[0]; i++) {
        subst(sql, sizeof sql, updates[i], s.id);
        char *state = db_try(sql);
        cr_assert(state[0] != '\0', "refused: %s", sql);
        cr_assert_str_eq(state, "42501", "%s -> SQLSTATE %s", sql, state);
        free(state);
        char *after = rows_about(s.id);
        cr_assert_str_eq(after, before, "after %s", sql);
        free(after);
    }

    /* statements that would touch every row run inside a transaction that is
     * rolled back, so that a failure here cannot empty the trail of the tests
     * running beside this one: success would show as an empty SQLSTATE */
    const char *wide[] = {
        "BEGIN; TRUNCATE audit_events; ROLLBACK",
        "BEGIN; TRUNCATE TABLE audit_events RESTART IDENTITY CASCADE; ROLLBACK",
        "BEGIN; DELETE FROM audit_events; ROLLBACK",
        "BEGIN; UPDATE audit_events SET outcome = outcome; ROLLBACK",
    };
    for (size_t i = 0; i < sizeof wide / sizeof wide[0]; i++) {
        char *state = db_try(wide[i]);
        cr_assert(state[0] != '\0', "refused: %s", wide[i]);
        free(state);
        char *after = rows_about(s.id);
        cr_assert_str_eq(after, before, "after %s", wide[i]);
        free(after);
    }

    /* nor who the rows concern (sql/010): append-only likewise */
    const char *attributions[] = {
        "UPDATE audit_event_agencies SET agency = 'ELSEWHERE' WHERE event_id IN"
        " (SELECT id FROM audit_events WHERE resource_id = '%s')",
        "DELETE FROM audit_event_agencies WHERE event_id IN"
        " (SELECT id FROM audit_events WHERE resource_id = '%s')",
        "BEGIN; TRUNCATE audit_event_agencies; ROLLBACK -- %s",
    };
    const char *count_sql = "SELECT count(*) FROM audit_event_agencies x JOIN audit_events e"
                            " ON e.id = x.event_id WHERE e.resource_id = $1";
    const char *id_param[] = {s.id};
    long attributed = db_long(count_sql, 1, id_param);
    cr_assert_geq(attributed, 3, "each row concerns the agency at least");
    for (size_t i = 0; i < sizeof attributions / sizeof attributions[0]; i++) {
        subst(sql, sizeof sql, attributions[i], s.id);
        char *state = db_try(sql);
        cr_assert_str_eq(state, "42501", "%s -> SQLSTATE %s", sql, state);
        free(state);
        cr_assert_eq(db_long(count_sql, 1, id_param), attributed, "after %s", sql);
    }

    /* nor can the service's role switch the protection off or change the
     * schema: it is not the tables' owner (least privilege, sql/002) */
    const char *owner_only[] = {
        "BEGIN; ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update; ROLLBACK",
        "BEGIN; DROP TRIGGER audit_events_no_update ON audit_events; ROLLBACK",
        "BEGIN; ALTER TABLE meetings ADD COLUMN sneaky text; ROLLBACK",
        "BEGIN; CREATE TABLE sneaky (x int); ROLLBACK",
    };
    for (size_t i = 0; i < sizeof owner_only / sizeof owner_only[0]; i++) {
        char *state = db_try(owner_only[i]);
        cr_assert_str_eq(state, "42501", "%s -> SQLSTATE %s", owner_only[i], state);
        free(state);
    }

    /* the trail still grows: appending is what it is for */
    char path[128];
    snprintf(path, sizeof path, "/v1/meetings/%s", s.id);
    http_response *r = api_get(path, s.requester.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    char *grown = rows_about(s.id);
    cr_assert(strncmp(grown, "4:", 2) == 0, "%s", grown);
    free(grown);
    free(before);
    story_end(&s);
}

/* --- SEC-4: whose rows an auditor reads --- */

/* The rows an auditor is shown for one query (a new response). */
static http_response *trail(const person *auditor, const char *query)
{
    char path[512];
    snprintf(path, sizeof path, "/v1/audit-events?limit=200&%s", query);
    return get_ok(path, auditor->token);
}

/* Whether the page holds a row of this action by this actor. */
static bool shows(const http_response *r, const char *action, const char *actor_sub)
{
    size_t i;
    json_t *item;
    json_array_foreach(items_of(r), i, item) {
        if (strcmp(json_str(item, "action"), action) == 0 &&
            strcmp(json_str(json_object_get(item, "actor"), "sub"), actor_sub) == 0)
            return true;
    }
    return false;
}

static size_t rows(const http_response *r)
{
    return json_array_size(items_of(r));
}

/* A meeting convened by children's social care (csc), authorised, with the
 * police and health invited and read by the police officer; a meeting of
 * an unrelated agency; an escalation of csc's with the police. An auditor
 * of csc reads every row about its meeting; the police's auditor the rows
 * written once the police were invited, and its own officer's; health's
 * auditor nothing of the escalation; the unrelated agency's auditor
 * nothing of either; an auditor of the partnership everything. */
Test(audit, SEC_4_agency_auditor_reads_only_the_rows_about_its_agency)
{
    planned p;
    planned_authorised(&p, "multi_agency");
    planned_invite_agencies(&p);
    char path[160];
    snprintf(path, sizeof path, "/v1/meetings/%s", p.meeting_id);
    http_response *r = api_get(path, p.police_officer.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    json_t *esc = json_pack("{s:s, s:s, s:s, s:s, s:s}", "meeting_id", p.meeting_id, "type",
                            "concern_after_decision", "concern",
                            "The agreed plan is not being followed by the other agency",
                            "outcome_sought", "A joint review of the plan within a week",
                            "with_agency", p.police);
    r = api_call("POST", "/v1/escalations", p.requester.token, esc, NULL);
    json_decref(esc);
    cr_assert_eq(r->status, 201, "raising: %s", r->body);
    char *escalation = strdup(json_str(r->json, "id"));
    http_free(r);

    char *other_agency = agency_new("education");
    person teacher = person_new(other_agency, "practitioner");
    char *other = meeting_new(&teacher, "professionals");

    person csc_auditor = person_new(p.csc, "auditor");
    person police_auditor = person_new(p.police, "auditor");
    person health_auditor = person_new(p.health, "auditor");
    person other_auditor = person_new(other_agency, "auditor");
    person partnership = person_new("PARTNERSHIP", "auditor,partnership");

    char q[200];
    snprintf(q, sizeof q, "resource_id=%s", p.meeting_id);
    http_response *all = trail(&partnership, q);
    cr_assert(shows(all, "meeting.create", p.requester.who.sub), "%s", all->body);
    cr_assert(shows(all, "meeting.authorise", p.manager.who.sub), "%s", all->body);
    cr_assert(shows(all, "meeting.read", p.police_officer.who.sub), "%s", all->body);

    /* the convening agency: all of its meeting's trail, the police's read too */
    r = trail(&csc_auditor, q);
    cr_assert_eq(rows(r), rows(all), "csc's auditor: %s", r->body);
    http_free(r);
    /* the police: its officer's read and what came after its invitation */
    r = trail(&police_auditor, q);
    cr_assert(shows(r, "meeting.read", p.police_officer.who.sub), "%s", r->body);
    cr_assert(!shows(r, "meeting.create", p.requester.who.sub),
              "the request came before the police were invited: %s", r->body);
    cr_assert(!shows(r, "meeting.authorise", p.manager.who.sub), "%s", r->body);
    http_free(r);
    snprintf(q, sizeof q, "resource_id=%s", p.police_invitation);
    r = trail(&police_auditor, q);
    cr_assert(shows(r, "invitation.create", p.requester.who.sub),
              "the police read the invitation of their agency: %s", r->body);
    http_free(r);
    /* health, invited too: the police officer's read of the meeting */
    snprintf(q, sizeof q, "resource_id=%s", p.meeting_id);
    r = trail(&health_auditor, q);
    cr_assert(shows(r, "meeting.read", p.police_officer.who.sub), "%s", r->body);
    http_free(r);
    /* an unrelated agency: nothing of it */
    r = trail(&other_auditor, q);
    cr_assert_eq(rows(r), 0, "another agency's auditor: %s", r->body);
    http_free(r);
    http_free(all);

    /* the escalation: its two agencies */
    snprintf(q, sizeof q, "resource_id=%s", escalation);
    const person *party[] = {&csc_auditor, &police_auditor, &partnership};
    for (size_t i = 0; i < 3; i++) {
        r = trail(party[i], q);
        cr_assert(shows(r, "escalation.create", p.requester.who.sub), "%s", r->body);
        http_free(r);
    }
    const person *outside[] = {&health_auditor, &other_auditor};
    for (size_t i = 0; i < 2; i++) {
        r = trail(outside[i], q);
        cr_assert_eq(rows(r), 0, "not a party to the escalation: %s", r->body);
        http_free(r);
    }

    /* the other agency's meeting: its own auditor and the partnership's */
    snprintf(q, sizeof q, "resource_id=%s", other);
    r = trail(&other_auditor, q);
    cr_assert(shows(r, "meeting.create", teacher.who.sub), "%s", r->body);
    http_free(r);
    r = trail(&partnership, q);
    cr_assert(shows(r, "meeting.create", teacher.who.sub), "%s", r->body);
    http_free(r);
    r = trail(&csc_auditor, q);
    cr_assert_eq(rows(r), 0, "%s", r->body);
    http_free(r);

    /* by actor: an agency's auditor finds nothing of people of others it
     * is not concerned with */
    snprintf(q, sizeof q, "actor=%s", teacher.who.sub);
    r = trail(&csc_auditor, q);
    cr_assert_eq(rows(r), 0, "%s", r->body);
    http_free(r);
    r = trail(&other_auditor, q);
    cr_assert_geq(rows(r), 1, "%s", r->body);
    http_free(r);

    person *all_auditors[] = {&csc_auditor, &police_auditor, &health_auditor, &other_auditor,
                              &partnership};
    for (size_t i = 0; i < 5; i++)
        person_free(all_auditors[i]);
    person_free(&teacher);
    free(other);
    free(other_agency);
    free(escalation);
    planned_free(&p);
}

/* A list shows meetings of several agencies: its row goes to each agency
 * concerned, with only the ids that concern it; the lister's own agency
 * and the partnership's auditors see every id. */
Test(audit, SEC_4_list_rows_show_each_agency_only_its_own_ids)
{
    planned p;
    planned_authorised(&p, "multi_agency");
    planned_invite_agencies(&p);
    /* the police officer's own meeting, convened by the police */
    char *own = meeting_new(&p.police_officer, "professionals");
    http_response *r = get_ok("/v1/meetings?limit=200", p.police_officer.token);
    cr_assert_eq(json_array_size(items_of(r)), 2, "the officer sees both: %s", r->body);
    char *rid = http_header(r, "X-Request-Id");
    http_free(r);

    char *other_agency = agency_new("education");
    person csc_auditor = person_new(p.csc, "auditor");
    person police_auditor = person_new(p.police, "auditor");
    person other_auditor = person_new(other_agency, "auditor");
    person partnership = person_new("PARTNERSHIP", "auditor,partnership");

    char q[200];
    snprintf(q, sizeof q, "actor=%s&resource_type=meeting", p.police_officer.who.sub);
    struct {
        const person *auditor;
        size_t ids;
        const char *id;
    } expect[] = {{&police_auditor, 2, NULL},
                  {&partnership, 2, NULL},
                  {&csc_auditor, 1, p.meeting_id}};
    for (size_t k = 0; k < 3; k++) {
        r = trail(expect[k].auditor, q);
        json_t *row = NULL, *item;
        size_t i;
        json_array_foreach(items_of(r), i, item) {
            if (strcmp(json_str(item, "request_id"), rid) == 0)
                row = item;
        }
        cr_assert(row, "auditor %zu sees the list row: %s", k, r->body);
        json_t *ids = json_object_get(row, "resource_ids");
        cr_assert_eq(json_array_size(ids), expect[k].ids, "auditor %zu: %s", k, r->body);
        if (expect[k].id)
            cr_assert_str_eq(json_string_value(json_array_get(ids, 0)), expect[k].id);
        http_free(r);
    }
    /* the police's own meeting is not csc's business: not found under it */
    char by_id[200];
    snprintf(by_id, sizeof by_id, "resource_id=%s", own);
    r = trail(&csc_auditor, by_id);
    cr_assert_eq(rows(r), 0, "%s", r->body);
    http_free(r);
    r = trail(&other_auditor, q);
    cr_assert_eq(rows(r), 0, "%s", r->body);
    http_free(r);

    person *all_auditors[] = {&csc_auditor, &police_auditor, &other_auditor, &partnership};
    for (size_t i = 0; i < 4; i++)
        person_free(all_auditors[i]);
    free(other_agency);
    free(rid);
    free(own);
    planned_free(&p);
}

/* The auditor's own queries concern their agency only. */
Test(audit, SEC_4_an_auditors_queries_are_on_their_agencys_trail)
{
    char *a = agency_new("health");
    char *b = agency_new("police");
    person auditor = person_new(a, "auditor");
    person other = person_new(b, "auditor");
    http_response *r = get_ok("/v1/audit-events?limit=1", auditor.token);
    char *rid = http_header(r, "X-Request-Id");
    http_free(r);
    char q[200];
    snprintf(q, sizeof q, "actor=%s", auditor.who.sub);
    r = trail(&auditor, q);
    cr_assert(shows(r, "audit.list", auditor.who.sub), "%s", r->body);
    http_free(r);
    r = trail(&other, q);
    cr_assert_eq(rows(r), 0, "%s", r->body);
    http_free(r);
    free(rid);
    person_free(&auditor);
    person_free(&other);
    free(a);
    free(b);
}
