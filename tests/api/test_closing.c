/* Closing a held meeting (MTG-8, FAM-5) over real HTTP against the real
 * database: a meeting closes once its approved minutes were recorded as
 * sent to every agency that attended or sent apologies, a decision on
 * sharing them with the family is on record, and, when that decision says
 * share, the family's copy was sent too.
 *
 * Every refusal is checked for its status, problem type, each rule and
 * field, and the meeting with everything under it (db_meeting_digest)
 * left as it was. */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/client.h"
#include "support/expect.h"
#include "support/fixtures.h"
#include "support/people.h"
#include "support/planning.h"

#include "held_meeting.h"

/* How many errors[] entries carry this rule and field. */
static int rule_count(const http_response *r, const char *rule, const char *field)
{
    int n = 0;
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(r->json, "errors"), i, e) {
        const char *er = json_str(e, "rule"), *ef = json_str(e, "field");
        if (er && ef && strcmp(er, rule) == 0 && strcmp(ef, field) == 0)
            n++;
    }
    return n;
}

/* True when an error of this rule says `words`. */
static bool error_says(const http_response *r, const char *rule, const char *words)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(r->json, "errors"), i, e) {
        const char *er = json_str(e, "rule"), *m = json_str(e, "message");
        if (er && m && strcmp(er, rule) == 0 && strstr(m, words))
            return true;
    }
    return false;
}

static http_response *close_meeting(const planned *p, const person *by)
{
    return api_call("POST", meeting_path(p->meeting_id, "close"), by->token, NULL,
                    etag_of(p->version));
}

/* A close refused with 422, the meeting and all under it as they were. */
static http_response *close_refused(const planned *p, const person *by)
{
    char *before = db_meeting_digest(p->meeting_id);
    http_response *r = close_meeting(p, by);
    expect_problem(r, 422, "/problems/rule-violated");
    char *after = db_meeting_digest(p->meeting_id);
    cr_assert_str_eq(after, before, "a refused close changed the database");
    free(before);
    free(after);
    return r;
}

static void expect_status(const char *meeting_id, const char *status)
{
    const char *params[] = {meeting_id};
    char *s = db_value("SELECT status FROM meetings WHERE id = $1", 1, params);
    cr_assert_str_eq(s, status);
    free(s);
}

Test(closing, MTG_8_close_refused_until_minutes_distributed)
{
    planned p;
    held_meeting_now(&p, "professionals");
    held_minutes_approved(&p, &p.manager, held_complete_minutes(&p, 60));

    /* approved, but no sharing decision and sent to nobody */
    http_response *r = close_refused(&p, &p.manager);
    cr_assert_eq(rule_count(r, "FAM-5", "minutes_sharing"), 1, "%s", r->body);
    cr_assert_eq(rule_count(r, "MTG-8", "distribution"), 2, "%s", r->body);
    cr_assert(error_says(r, "MTG-8", p.police) && error_says(r, "MTG-8", p.health),
              "each agency that attended is named: %s", r->body);
    cr_assert_eq(rule_count(r, "MTG-8", "minutes"), 0, "the minutes are approved: %s", r->body);
    http_free(r);

    /* sent to the police only, withheld from the family */
    held_sharing(&p, &p.manager, false);
    r = held_distribute(&p, &p.requester,
                        json_pack("[o]", held_recipient("Police records", p.police,
                                                        "professional")));
    cr_assert_eq(r->status, 201, "%s", r->body);
    http_free(r);
    r = close_refused(&p, &p.requester);
    cr_assert_eq(rule_count(r, "MTG-8", "distribution"), 1, "%s", r->body);
    cr_assert(error_says(r, "MTG-8", p.health), "%s", r->body);
    cr_assert_eq(json_array_size(json_object_get(r->json, "errors")), 1, "%s", r->body);
    http_free(r);
    expect_status(p.meeting_id, "held");
    planned_free(&p);
}

Test(closing, MTG_8_close_after_distribution_to_each_agency_and_the_family)
{
    planned p;
    held_meeting_now(&p, "professionals");
    held_minutes_approved(&p, &p.manager, held_complete_minutes(&p, 60));
    held_sharing(&p, &p.manager, true);
    http_response *r = held_distribute(
        &p, &p.requester,
        json_pack("[o, o]", held_recipient("Police records", p.police, "professional"),
                  held_recipient("Health records", p.health, "professional")));
    cr_assert_eq(r->status, 201, "%s", r->body);
    http_free(r);

    /* sharing: the family's copy is owed too */
    r = close_refused(&p, &p.manager);
    cr_assert_eq(rule_count(r, "MTG-8", "distribution"), 1, "%s", r->body);
    cr_assert(error_says(r, "MTG-8", "family"), "%s", r->body);
    http_free(r);

    free(minutes_family_rendition(p.meeting_id, 1, &p.manager));
    r = held_distribute(&p, &p.requester,
                        json_pack("[o]", held_recipient("The parents", NULL, "family")));
    cr_assert_eq(r->status, 201, "%s", r->body);
    http_free(r);
    r = close_meeting(&p, &p.manager);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "status"), "closed");
    cr_assert_not_null(json_str(r->json, "closed_at"));
    http_free(r);
    expect_status(p.meeting_id, "closed");
    const char *params[] = {p.meeting_id};
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE resource_id = $1"
                         " AND action = 'meeting.close'",
                         1, params),
                 1);
    cr_assert_eq(db_long("SELECT count(DISTINCT event_id) FROM events WHERE resource_id = $1"
                         " AND type = 'meeting.closed'",
                         1, params),
                 1);
    planned_free(&p);
}

Test(closing, MTG_8_an_amendment_approved_again_is_sent_again)
{
    planned p;
    held_meeting_now(&p, "professionals");
    long version = held_minutes_approved(&p, &p.manager,
                                         held_complete_minutes(&p, 60));
    (void)version;
    held_sharing(&p, &p.manager, false);
    json_t *both = json_pack("[o, o]", held_recipient("Police records", p.police, "professional"),
                             held_recipient("Health records", p.health, "professional"));
    http_response *r = held_distribute(&p, &p.requester, json_deep_copy(both));
    cr_assert_eq(r->status, 201, "%s", r->body);
    http_free(r);

    /* an amendment, approved again: the version that counts is the new one */
    json_t *body = json_pack("{s:s}", "reason", "Correct the name of the school");
    r = api_call("POST", held_minutes_path(p.meeting_id, "/amendments"), p.requester.token, body,
                 NULL);
    json_decref(body);
    cr_assert_eq(r->status, 201, "%s", r->body);
    version = json_int(r->json, "version");
    http_free(r);
    r = api_call("POST", held_minutes_path(p.meeting_id, "/approve"), p.manager.token, NULL,
                 etag_of(version));
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    r = close_refused(&p, &p.manager);
    cr_assert_eq(rule_count(r, "MTG-8", "distribution"), 2, "%s", r->body);
    http_free(r);

    r = held_distribute(&p, &p.requester, both);
    cr_assert_eq(r->status, 201, "%s", r->body);
    http_free(r);
    r = close_meeting(&p, &p.manager);
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    planned_free(&p);
}

Test(closing, MTG_8_absent_agencies_are_not_owed_the_minutes)
{
    test_clock_set(time(NULL));
    planned p;
    planned_authorised(&p, "professionals");
    planned_invite_agencies(&p);
    planned_inform_family(&p);
    planned_schedule(&p, HELD_HOUR, "in_person", 0);
    /* the police came, health was absent without apologies */
    json_t *body = json_pack("{s:[{s:s, s:s}, {s:s, s:s}]}", "entries", "invitation_id",
                             p.police_invitation, "attendance", "present", "invitation_id",
                             p.health_invitation, "attendance", "absent");
    http_response *r = api_call("PUT", meeting_path(p.meeting_id, "attendance"),
                                p.requester.token, body, etag_of(p.version));
    json_decref(body);
    cr_assert_eq(r->status, 200, "%s", r->body);
    p.version = json_int(r->json, "version");
    http_free(r);
    test_clock_advance(2 * HELD_HOUR);
    r = api_call("POST", meeting_path(p.meeting_id, "hold"), p.requester.token, NULL,
                 etag_of(p.version));
    cr_assert_eq(r->status, 200, "%s", r->body);
    p.version = json_int(r->json, "version");
    http_free(r);

    /* the minutes give health the mark recorded at the hold, absent (MIN-2) */
    held_minutes_approved(&p, &p.manager, held_complete_minutes(&p, 60));
    held_sharing(&p, &p.manager, false);
    r = held_distribute(&p, &p.requester,
                        json_pack("[o]", held_recipient("Police records", p.police,
                                                        "professional")));
    cr_assert_eq(r->status, 201, "%s", r->body);
    http_free(r);
    r = close_meeting(&p, &p.manager);
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    planned_free(&p);
}
