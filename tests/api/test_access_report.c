/* SEC-7 over real HTTP against the real database: who read or changed a
 * child's records, and when, from the audit trail, for the dpo and the
 * managers of the convening agency; anyone else learns nothing (404), and
 * reading the report is itself audited. */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/client.h"
#include "support/expect.h"
#include "support/fixtures.h"
#include "support/people.h"

#include "kept_record.h"

static const char *report_path(const char *child_id)
{
    static char path[160];
    snprintf(path, sizeof path, "/v1/children/%s/access-report?limit=200", child_id);
    return path;
}

/* Whether the report names this actor doing this action on this resource. */
static bool reports(const http_response *r, const char *sub, const char *action,
                    const char *resource_id)
{
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(r->json, "items"), i, x) {
        const char *s = json_str(json_object_get(x, "actor"), "sub");
        const char *a = json_str(x, "action");
        const char *id = json_str(x, "resource_id");
        json_t *ids = json_object_get(x, "resource_ids");
        bool listed = false;
        size_t j;
        json_t *y;
        json_array_foreach(ids, j, y) listed |= strcmp(json_string_value(y), resource_id) == 0;
        if (s && a && strcmp(s, sub) == 0 && strcmp(a, action) == 0 &&
            ((id && strcmp(id, resource_id) == 0) || listed))
            return true;
    }
    return false;
}

Test(access_report, SEC_7_who_read_or_changed_a_childs_records_and_when)
{
    kept k;
    kept_requested(&k);
    char *police = agency_new("police");
    person officer = person_new(police, "practitioner");
    person dpo = person_new(police, "dpo");
    /* the manager reads the meeting and lists the agency's meetings */
    http_response *r = api_get(meeting_path(k.meeting_id, NULL), k.manager.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    r = api_get("/v1/meetings?limit=200", k.manager.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    kept_cancel(&k);

    r = api_get(report_path(k.child_id), dpo.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert(reports(r, k.requester.who.sub, "meeting.create", k.meeting_id), "%s", r->body);
    cr_assert(reports(r, k.manager.who.sub, "meeting.read", k.meeting_id), "%s", r->body);
    cr_assert(reports(r, k.manager.who.sub, "meeting.list", k.meeting_id),
              "a list that showed the meeting: %s", r->body);
    cr_assert(reports(r, k.requester.who.sub, "meeting.cancel", k.meeting_id), "%s", r->body);
    json_t *first = json_array_get(json_object_get(r->json, "items"), 0);
    cr_assert_not_null(json_str(first, "occurred_at"));
    cr_assert_str_eq(json_str(json_object_get(first, "actor"), "agency"),
                     json_str(json_object_get(first, "actor"), "agency"));
    /* nothing of another child's records */
    cr_assert_null(strstr(r->body, officer.who.sub));
    http_free(r);

    /* the convening agency's manager reads it too, and sees the dpo's read */
    r = api_get(report_path(k.child_id), k.manager.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert(reports(r, dpo.who.sub, "child.access_report", k.child_id), "%s", r->body);
    http_free(r);
    const char *params[] = {dpo.who.sub, k.child_id};
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE actor_sub = $1"
                         " AND action = 'child.access_report' AND resource_id = $2",
                         2, params),
                 1);
    person_free(&officer);
    person_free(&dpo);
    free(police);
    kept_free(&k);
}

Test(access_report, SEC_7_only_the_dpo_and_the_convening_managers_read_it)
{
    kept k;
    kept_requested(&k);
    char *other = agency_new("childrens_social_care");
    person stranger = person_new(other, "manager,senior_manager");
    char *before = db_fingerprint(k.agency);
    char *before_other = db_fingerprint(other);
    /* a manager of another agency: 404, as for a child that is not one */
    http_response *r = api_get(report_path(k.child_id), stranger.token);
    expect_problem(r, 404, "/problems/not-found");
    http_free(r);
    r = api_get(report_path("00000000-0000-4000-8000-000000000000"), k.manager.token);
    expect_problem(r, 404, "/problems/not-found");
    http_free(r);
    /* the requester, a practitioner, has neither role: 403 */
    r = api_get(report_path(k.child_id), k.requester.token);
    expect_problem(r, 403, "/problems/forbidden");
    http_free(r);
    /* a malformed cursor: 400 */
    char path[200];
    snprintf(path, sizeof path, "/v1/children/%s/access-report?cursor=%%%%", k.child_id);
    r = api_get(path, k.manager.token);
    expect_problem(r, 400, "/problems/invalid-request");
    http_free(r);
    expect_unchanged(k.agency, before);
    expect_unchanged(other, before_other);
    free(before);
    free(before_other);
    person_free(&stranger);
    free(other);
    kept_free(&k);
}

Test(access_report, SEC_7_SEC_2_a_convening_manager_sees_only_the_meetings_they_may_see)
{
    kept k;
    kept_requested(&k);
    /* the same child, in a meeting the police convene and nobody invites
     * social care to */
    const char *params[] = {k.meeting_id};
    char *ref = db_value("SELECT external_id FROM meeting_children"
                         " WHERE meeting_id = $1 AND is_subject ORDER BY position LIMIT 1",
                         1, params);
    char *police = agency_new("police");
    person officer = person_new(police, "practitioner");
    person dpo = person_new(police, "dpo");
    json_t *body = meeting_body("professionals");
    json_array_set_new(json_object_get(body, "children"), 0,
                       json_pack("{s:s, s:s, s:{s:s, s:s}}", "name", "Alex Example",
                                 "date_of_birth", "2015-06-01", "external_ref", "system",
                                 "testcms", "id", ref));
    http_response *r = api_call("POST", "/v1/meetings", officer.token, body, NULL);
    json_decref(body);
    cr_assert_eq(r->status, 201, "%s", r->body);
    char *police_meeting = strdup(json_str(r->json, "id"));
    http_free(r);
    char *linked = kept_child_of(police_meeting);
    cr_assert_str_eq(linked, k.child_id, "one child, two meetings");
    r = api_get(meeting_path(police_meeting, NULL), officer.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);

    /* the dpo sees both meetings' rows */
    r = api_get(report_path(k.child_id), dpo.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert(reports(r, officer.who.sub, "meeting.read", police_meeting), "%s", r->body);
    cr_assert(reports(r, k.requester.who.sub, "meeting.create", k.meeting_id), "%s", r->body);
    http_free(r);
    /* social care's manager cannot open the police meeting, and the report
     * names neither it nor who at the police read it */
    r = api_get(meeting_path(police_meeting, NULL), k.manager.token);
    expect_problem(r, 404, "/problems/not-found");
    http_free(r);
    r = api_get(report_path(k.child_id), k.manager.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert(reports(r, k.requester.who.sub, "meeting.create", k.meeting_id), "%s", r->body);
    cr_assert_null(strstr(r->body, police_meeting), "%s", r->body);
    cr_assert_null(strstr(r->body, officer.who.sub), "%s", r->body);
    http_free(r);
    free(linked);
    free(police_meeting);
    free(ref);
    person_free(&officer);
    person_free(&dpo);
    free(police);
    kept_free(&k);
}
