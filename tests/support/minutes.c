#include "support/minutes.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "support/client.h"
#include "support/fixtures.h"

#define DAY 86400L

void minutes_date(long days, char out[11])
{
    time_t t = test_now() + days * DAY;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

json_t *minutes_person(const person *who)
{
    return json_pack("{s:s, s:s, s:s}", "name", who->who.name, "agency", who->who.agency, "sub",
                     who->who.sub);
}

json_t *minutes_action(const char *description, const person *owner, const char *due,
                       const char *contingency)
{
    return json_pack("{s:s, s:o, s:s, s:s}", "description", description, "owner",
                     minutes_person(owner), "due_date", due, "contingency", contingency);
}

void minutes_edit(json_t *doc, const char *path, json_t *value)
{
    char copy[192];
    snprintf(copy, sizeof copy, "%s", path);
    json_t *node = doc;
    char *save = NULL;
    char *step = strtok_r(copy, ".", &save);
    while (step) {
        char *next = strtok_r(NULL, ".", &save);
        if (!next) {
            cr_assert(json_is_object(node), "%s: not an object", path);
            if (value)
                json_object_set_new(node, step, value);
            else
                json_object_del(node, step);
            return;
        }
        char *bracket = strchr(step, '[');
        size_t index = 0;
        if (bracket) {
            index = strtoul(bracket + 1, NULL, 10);
            *bracket = '\0';
        }
        node = json_object_get(node, step);
        if (bracket)
            node = json_array_get(node, index);
        cr_assert_not_null(node, "%s: no such path", path);
        step = next;
    }
}

/* --- reading the meeting --- */

static json_t *get_json(const person *by, const char *path)
{
    http_response *r = api_get(path, by->token);
    cr_assert_eq(r->status, 200, "GET %s: %ld %s", path, r->status, r->body);
    json_t *out = json_incref(r->json);
    http_free(r);
    return out;
}

static json_t *meeting_of(const planned *p)
{
    return get_json(&p->requester, meeting_path(p->meeting_id, NULL));
}

/* The meeting's invitations, oldest first (a new reference to the list). */
static json_t *invitations_of(const planned *p)
{
    char path[160];
    snprintf(path, sizeof path, "/v1/meetings/%s/invitations?limit=200", p->meeting_id);
    json_t *page = get_json(&p->requester, path);
    json_t *items = json_incref(json_object_get(page, "items"));
    cr_assert(json_is_null(json_object_get(page, "next_cursor")), "one page of invitations");
    json_decref(page);
    return items;
}

/* A family member's invitation withdrawn (FAM-9): not marked at the hold,
 * and nothing the minutes account for. */
static bool is_withdrawn(json_t *invitation)
{
    const char *status = json_str(invitation, "status");
    return status && strcmp(status, "withdrawn") == 0;
}

static bool is_family(json_t *invitation)
{
    const char *category = json_str(invitation, "category");
    return category &&
           (strcmp(category, "parent_carer") == 0 || strcmp(category, "child_young_person") == 0);
}

/* --- holding --- */

char *minutes_invite_parent(const planned *p, const char *name)
{
    json_t *body = json_pack("{s:s, s:{s:s, s:s}, s:s, s:s, s:s}", "category", "parent_carer",
                             "invitee", "name", name, "contact", "parent@example.invalid",
                             "role", "Parent of the child", "invited_by",
                             p->requester.who.name, "support_needs", "None");
    http_response *r = invite(&p->requester, p->meeting_id, body);
    json_decref(body);
    cr_assert_eq(r->status, 201, "inviting the parent: %ld %s", r->status, r->body);
    char *id = strdup(json_str(r->json, "id"));
    http_free(r);
    return id;
}

void minutes_hold(planned *p, json_t *marks)
{
    json_t *invitations = invitations_of(p);
    json_t *entries = json_array();
    size_t i;
    json_t *x;
    json_array_foreach(invitations, i, x) {
        if (is_withdrawn(x))
            continue;
        const char *id = json_str(x, "id");
        const char *mark = marks ? json_string_value(json_object_get(marks, id)) : NULL;
        json_array_append_new(entries, json_pack("{s:s, s:s}", "invitation_id", id, "attendance",
                                                 mark ? mark : "present"));
    }
    json_decref(invitations);
    json_t *body = json_pack("{s:o}", "entries", entries);
    http_response *r = api_call("PUT", meeting_path(p->meeting_id, "attendance"),
                                p->requester.token, body, etag_of(p->version));
    json_decref(body);
    cr_assert_eq(r->status, 200, "attendance: %ld %s", r->status, r->body);
    p->version = json_int(r->json, "version");
    http_free(r);

    /* held a second after its start, by the test clock */
    const char *params[] = {p->meeting_id};
    long start = db_long("SELECT ceil(extract(epoch FROM scheduled_start))::bigint"
                         " FROM meetings WHERE id = $1",
                         1, params);
    cr_assert(start > 0, "the meeting has a start");
    time_t saved = test_clock_setting();
    if (test_now() <= start)
        test_clock_set((time_t)start + 1);
    r = api_call("POST", meeting_path(p->meeting_id, "hold"), p->requester.token, NULL,
                 etag_of(p->version));
    test_clock_set(saved);
    cr_assert_eq(r->status, 200, "holding: %ld %s", r->status, r->body);
    p->version = json_int(r->json, "version");
    http_free(r);
}

/* --- the minutes --- */

static json_t *attendance_of(json_t *meeting, json_t *invitations)
{
    json_t *chair = json_object_get(json_object_get(meeting, "schedule"), "chair");
    json_t *list = json_array();
    json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s}", "name", json_str(chair, "name"),
                                          "agency", json_str(chair, "agency"), "role", "chair",
                                          "attendance", "present"));
    size_t i;
    json_t *x;
    json_array_foreach(invitations, i, x) {
        if (is_withdrawn(x))
            continue;
        json_t *invitee = json_object_get(x, "invitee");
        json_t *entry = json_pack("{s:s, s:s, s:s}", "invitation_id", json_str(x, "id"), "name",
                                  json_str(invitee, "name"), "role",
                                  is_family(x) ? "parent" : "invited professional");
        if (!is_family(x))
            json_object_set_new(entry, "agency", json_string(json_str(invitee, "agency")));
        const char *mark = json_str(x, "attendance");
        if (mark)
            json_object_set_new(entry, "attendance", json_string(mark));
        json_array_append_new(list, entry);
    }
    return list;
}

/* FAM-6, as the service judges it: the family was present when at least
 * one family member was invited and every one of them not withdrawn
 * (FAM-9) was marked present. */
static bool family_present(json_t *invitations)
{
    int family = 0, present = 0;
    size_t i;
    json_t *x;
    json_array_foreach(invitations, i, x) {
        if (!is_family(x) || is_withdrawn(x))
            continue;
        family++;
        const char *mark = json_str(x, "attendance");
        present += mark && strcmp(mark, "present") == 0;
    }
    return family > 0 && present == family;
}

static void add_strategy_parts(json_t *doc)
{
    json_object_set_new(doc, "risk_analysis", json_string("Risk of significant harm is medium"));
    json_object_set_new(doc, "legal_action", json_pack("{s:b}", "required", 0));
    json_object_set_new(doc, "further_strategy_discussion",
                        json_pack("{s:b, s:s}", "required", 1, "note", "In ten days"));
    json_object_set_new(doc, "lado_referral", json_pack("{s:b}", "required", 0));
    json_object_set_new(doc, "shared_with_family",
                        json_pack("{s:s, s:s, s:s}", "shared", "That agencies met and the plan",
                                  "not_shared", "The police line of enquiry",
                                  "not_shared_rationale", "It would prejudice the investigation"));
}

/* MIN-6: every consideration of a strategy discussion, with every child of
 * the meeting discussed; with domestic abuse among the risks, its four. */
static void add_considerations(json_t *doc, const planned *p, json_t *meeting, bool da)
{
    char soon[11], week[11];
    minutes_date(2, soon);
    minutes_date(7, week);
    json_t *risks = json_pack("[s, s]", "physical_abuse", "neglect");
    if (da)
        json_array_append_new(risks, json_string("domestic_abuse"));
    json_object_set_new(doc, "risk_categories", risks);

    json_t *children = json_array();
    static const char *const lists[] = {"children", "other_children"};
    for (int l = 0; l < 2; l++) {
        size_t n = json_array_size(json_object_get(meeting, lists[l]));
        for (size_t i = 0; i < n; i++) {
            char ref[32];
            snprintf(ref, sizeof ref, "%s[%zu]", lists[l], i);
            json_array_append_new(children,
                                  json_pack("{s:s, s:s}", "child", ref, "summary",
                                            "Seen today; what was said is recorded"));
        }
    }
    json_t *sc = json_pack(
        "{s:o, s:{s:s, s:s, s:o, s:s}, s:{s:s, s:s}, s:{s:s, s:s, s:[o, o], s:s},"
        " s:{s:s, s:o, s:s}, s:{s:s, s:s}, s:{s:s, s:o, s:s, s:{s:s, s:s}}, s:{s:s, s:o, s:s}}",
        "children_discussed", children, "non_resident_parents", "outcome", "to_be_done", "note",
        "The father lives in another force area", "by", minutes_person(&p->police_officer),
        "due_date", soon, "voice_of_child_and_family", "outcome", "done", "family",
        "The mother minimises; the grandmother is worried", "safety_measures", "outcome",
        "required", "measures", "The children stay with their grandmother", "involved",
        minutes_person(&p->requester), minutes_person(&p->police_officer), "review_date", week,
        "child_protection_medical", "outcome", "to_be_done", "by",
        minutes_person(&p->health_visitor), "due_date", soon, "sarc_referral", "outcome",
        "not_required", "note", "No sexual abuse is indicated", "criminal_proceedings",
        "outcome", "investigation_continuing", "by", minutes_person(&p->police_officer),
        "due_date", week, "family_sharing", "can_share", "That the police are making enquiries",
        "cannot_share", "What the neighbour told the police", "abe_interview", "outcome",
        "to_be_done", "by", minutes_person(&p->police_officer), "due_date", soon);
    if (da) {
        json_object_set_new(sc, "marac_referral",
                            json_pack("{s:s, s:o, s:s}", "outcome", "to_be_done", "by",
                                      minutes_person(&p->police_officer), "due_date", soon));
        json_object_set_new(sc, "dash_risk_assessment",
                            json_pack("{s:s, s:o}", "outcome", "done", "by",
                                      minutes_person(&p->police_officer)));
        json_object_set_new(sc, "clares_law",
                            json_pack("{s:s, s:s}", "outcome", "not_required", "note",
                                      "The mother knows the history"));
        json_object_set_new(sc, "children_as_victims",
                            json_pack("{s:b, s:s}", "recognised", 1, "support",
                                      "Referral to the children's domestic abuse service"));
    }
    json_object_set_new(doc, "strategy_considerations", sc);
}

json_t *minutes_complete(const planned *p, const minutes_opts *o)
{
    minutes_opts none = {0};
    if (!o)
        o = &none;
    json_t *meeting = meeting_of(p);
    json_t *invitations = invitations_of(p);
    char due[11], review[11];
    minutes_date(30, due);
    minutes_date(60, review);

    json_t *doc = json_object();
    json_object_set_new(doc, "attendance", attendance_of(meeting, invitations));
    json_object_set_new(doc, "purpose", json_string("Agree a plan for the fictional family"));
    json_object_set_new(doc, "childs_views",
                        json_pack("{s:s, s:s}", "views",
                                  "Likes school on swimming days; worried about home",
                                  "how_represented", "practitioner"));
    json_object_set_new(doc, "needs", json_string("Stable routines and school attendance"));
    json_object_set_new(doc, "strengths", json_string("A supportive grandparent nearby"));
    json_object_set_new(doc, "risks", json_string("Missed health appointments"));
    json_object_set_new(doc, "decisions", json_string("A joint home visit within two weeks"));
    json_object_set_new(
        doc, "actions",
        json_pack("[o, o, o]",
                  minutes_action("Share police contacts with the lead professional",
                                 &p->police_officer, due, "The chair asks the police manager"),
                  minutes_action("Book the missed health review", &p->health_visitor, due,
                                 "The GP practice is asked to book it"),
                  minutes_action("Arrange the joint home visit", &p->requester, due,
                                 "The team manager arranges it")));
    json_object_set_new(doc, "plan_coordinator", minutes_person(&p->requester));
    json_object_set_new(doc, "information_sharing",
                        json_pack("{s:s, s:s}", "with_whom", "The school and the GP", "family",
                                  "The plan is shared with the parents"));
    if (family_present(invitations))
        json_object_set_new(doc, "family_feedback", json_pack("{s:b}", "family_present", 1));
    else
        json_object_set_new(doc, "family_feedback",
                            json_pack("{s:b, s:o, s:s}", "family_present", 0, "by",
                                      minutes_person(o->feedback_by ? o->feedback_by
                                                                    : &p->requester),
                                      "method", "A home visit with the child, using pictures"));
    json_object_set_new(doc, "safeguarding_referral", json_pack("{s:b}", "needed", 0));
    json_object_set_new(doc, "caf_considered",
                        json_pack("{s:b, s:s}", "considered", 1, "note", "Already in place"));
    json_object_set_new(doc, "fgc_considered",
                        json_pack("{s:b, s:s}", "considered", 1, "note", "Offered to the family"));
    json_object_set_new(doc, "next_review", json_pack("{s:s}", "date", review));

    if (json_is_true(json_object_get(json_object_get(meeting, "schedule"), "two_part"))) {
        json_object_set_new(doc, "part_1",
                            json_pack("{s:s}", "discussion",
                                      "The professionals alone: the police history and the"
                                      " health picture"));
        json_object_set_new(doc, "part_2",
                            json_pack("{s:s}", "discussion",
                                      "With the family: the plan and the support offered"));
    }
    const char *type = json_str(meeting, "type");
    if (type && strcmp(type, "strategy_discussion") == 0) {
        add_strategy_parts(doc);
        add_considerations(doc, p, meeting, o->domestic_abuse);
    }
    json_decref(invitations);
    json_decref(meeting);
    return doc;
}

char *minutes_family_rendition(const char *meeting_id, int number, const person *chair)
{
    char path[160];
    snprintf(path, sizeof path, "/v1/meetings/%s/minutes/versions/%d/renditions", meeting_id,
             number);
    json_t *body = json_pack("{s:s, s:s}", "audience", "parent_or_carer", "withheld_summary",
                             "What the professionals discussed alone is not part of your copy.");
    http_response *r = api_call("POST", path, chair->token, body, NULL);
    json_decref(body);
    cr_assert_eq(r->status, 201, "approving the family's rendition: %ld %s", r->status, r->body);
    char *id = strdup(json_str(r->json, "id"));
    http_free(r);
    return id;
}

void minutes_plan_actions(const char *meeting_id, char **out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char index[24];
        snprintf(index, sizeof index, "%zu", i);
        const char *params[] = {meeting_id, index};
        out[i] = db_value("SELECT id FROM actions WHERE meeting_id = $1 AND kind = 'plan'"
                          " AND item_index = $2::integer",
                          2, params);
        cr_assert(*out[i], "an action for item %zu", i);
    }
}
