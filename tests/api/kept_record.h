/* kept_record: meeting records whose retention runs (RET-1), for the API
 * tests of retention, holds, disposal and the access report
 * (test_retention.c, test_disposal.c, test_access_report.c, test_bola.c).
 *
 * A kept record is a meeting about a child with an identifier (so that the
 * child is linked, sql/033_children.sql), taken to an end (cancelled, or
 * held and closed with its minutes) and the child's case reported closed.
 * The default policy keeps a meeting record 420 months from the closure of
 * the child's case: the tests move the test clock past that (X-Test-Now),
 * never wait. Header-only (static functions), as held_meeting.h. */
#ifndef TEST_API_KEPT_RECORD_H
#define TEST_API_KEPT_RECORD_H

#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "support/client.h"
#include "support/fixtures.h"
#include "support/people.h"
#include "support/planning.h"

#define KEPT_DAY 86400L
/* Past the default period (35 years) from a closure reported today. */
#define KEPT_YEARS_LATER(years) ((long)((years) * 365.25 * KEPT_DAY))

typedef struct kept {
    char *agency;      /* the convening agency (children's social care) */
    person requester;  /* practitioner, requested the meeting */
    person manager;    /* manager of the convening agency */
    char *meeting_id;
    char *child_id;    /* the subject child, linked by its identifier */
    long version;      /* the meeting's version */
} kept;

/* A child with an identifier of its own (a new object). */
static inline json_t *kept_child(void)
{
    char ref[40], suffix[17];
    unique_suffix(suffix, sizeof suffix);
    snprintf(ref, sizeof ref, "CHILD-%s", suffix);
    return json_pack("{s:s, s:s, s:{s:s, s:s}}", "name", "Alex Example", "date_of_birth",
                     "2015-06-01", "external_ref", "system", "testcms", "id", ref);
}

/* The subject child a meeting links to (a new string). */
static inline char *kept_child_of(const char *meeting_id)
{
    const char *params[] = {meeting_id};
    char *id = db_value("SELECT coalesce(child_id::text, '') FROM meeting_children"
                        " WHERE meeting_id = $1 AND is_subject ORDER BY position LIMIT 1",
                        1, params);
    cr_assert(id[0], "the meeting's child is linked");
    return id;
}

/* A meeting requested about a linked child, in a new agency. */
static inline void kept_requested(kept *k)
{
    memset(k, 0, sizeof *k);
    k->agency = agency_new("childrens_social_care");
    k->requester = person_new(k->agency, "practitioner");
    k->manager = person_new(k->agency, "manager");
    json_t *body = meeting_body("professionals");
    json_array_set_new(json_object_get(body, "children"), 0, kept_child());
    http_response *r = api_call("POST", "/v1/meetings", k->requester.token, body, NULL);
    json_decref(body);
    cr_assert_eq(r->status, 201, "requesting: %ld %s", r->status, r->body);
    k->meeting_id = strdup(json_str(r->json, "id"));
    k->version = json_int(r->json, "version");
    http_free(r);
    k->child_id = kept_child_of(k->meeting_id);
}

/* The meeting cancelled by its requester: its record has ended. */
static inline void kept_cancel(kept *k)
{
    json_t *body = json_pack("{s:s}", "reason", "The family moved out of the area");
    http_response *r = api_call("POST", meeting_path(k->meeting_id, "cancel"),
                                k->requester.token, body, etag_of(k->version));
    json_decref(body);
    cr_assert_eq(r->status, 200, "cancelling: %ld %s", r->status, r->body);
    k->version = json_int(r->json, "version");
    http_free(r);
}

/* The child's case reported closed on `closed_on` by `by`: the answer. */
static inline http_response *kept_report_closure(const person *by, const char *child_id,
                                                 const char *closed_on)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/children/%s/case-closures", child_id);
    json_t *body = json_pack("{s:s}", "closed_on", closed_on);
    http_response *r = api_call("POST", path, by->token, body, NULL);
    json_decref(body);
    return r;
}

/* The same, which must succeed. */
static inline void kept_case_closed(const kept *k, const char *closed_on)
{
    http_response *r = kept_report_closure(&k->manager, k->child_id, closed_on);
    cr_assert_eq(r->status, 201, "reporting the closure: %ld %s", r->status, r->body);
    http_free(r);
}

/* A cancelled meeting about a linked child whose case closed on closed_on
 * (today's date when NULL). */
static inline void kept_cancelled(kept *k, const char *closed_on)
{
    kept_requested(k);
    kept_cancel(k);
    char today[11];
    date_from_today(0, today);
    kept_case_closed(k, closed_on ? closed_on : today);
}

static inline void kept_free(kept *k)
{
    free(k->agency);
    person_free(&k->requester);
    person_free(&k->manager);
    free(k->meeting_id);
    free(k->child_id);
}

/* The entry of GET /v1/records-due for the meeting, as `by` sees it at the
 * test clock (a new reference), or NULL when it is not listed. */
static inline json_t *kept_due_entry(const person *by, const char *meeting_id)
{
    char path[512] = "/v1/records-due?limit=200";
    for (;;) {
        http_response *r = api_get(path, by->token);
        cr_assert_eq(r->status, 200, "records due: %ld %s", r->status, r->body);
        size_t i;
        json_t *x;
        json_array_foreach(json_object_get(r->json, "items"), i, x) {
            const char *id = json_str(x, "meeting_id");
            if (id && strcmp(id, meeting_id) == 0) {
                json_t *found = json_incref(x);
                http_free(r);
                return found;
            }
        }
        const char *next = json_str(r->json, "next_cursor");
        if (!next) {
            http_free(r);
            return NULL;
        }
        snprintf(path, sizeof path, "/v1/records-due?limit=200&cursor=%s", next);
        http_free(r);
    }
}

/* db_meeting_digest without its count of audit rows: a record due is
 * listed, and so named in audit rows, by the dpo of any test running beside
 * this one (GET /v1/records-due is service-wide). A refusal's own audit
 * rows are checked by actor instead (kept_audit_by). A new string. */
static inline char *kept_state(const char *meeting_id)
{
    char *digest = db_meeting_digest(meeting_id);
    char *audit = strstr(digest, " audit ");
    cr_assert_not_null(audit, "%s", digest);
    char *end = audit + strlen(" audit ");
    while (*end >= '0' && *end <= '9')
        end++;
    memmove(audit, end, strlen(end) + 1);
    return digest;
}

/* How many audit rows a person wrote. */
static inline long kept_audit_by(const person *who)
{
    const char *params[] = {who->who.sub};
    return db_long("SELECT count(*) FROM audit_events WHERE actor_sub = $1", 1, params);
}

/* POST /v1/disposals for the meeting as `by`: the answer. */
static inline http_response *kept_propose(const person *by, const char *meeting_id)
{
    json_t *body = json_pack("{s:s}", "meeting_id", meeting_id);
    http_response *r = api_call("POST", "/v1/disposals", by->token, body, NULL);
    json_decref(body);
    return r;
}

/* POST /v1/disposals/{id}/approve as `by` with If-Match `version`. */
static inline http_response *kept_approve(const person *by, const char *disposal_id,
                                          long version)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/disposals/%s/approve", disposal_id);
    return api_call("POST", path, by->token, NULL, etag_of(version));
}

/* How many disposals name the meeting. */
static inline long kept_disposals(const char *meeting_id)
{
    const char *params[] = {meeting_id};
    return db_long("SELECT count(*) FROM disposals WHERE meeting_id = $1::uuid", 1, params);
}

#endif
