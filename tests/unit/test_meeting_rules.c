/* Meeting rules MTG-1 to MTG-5 and MTG-8 (domain/meeting.c), one test per
 * rule and refusal path; each test name carries the rule ID it proves. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "auth/caller.h"
#include "domain/meeting.h"
#include "domain/violations.h"

#define TODAY "2026-11-23"

/* A complete, valid request: every test starts here and changes one thing. */
static const char valid_request[] =
    "{"
    "\"type\": \"professionals\","
    "\"title\": \"Concerns about school attendance\","
    "\"purpose\": \"Agree how the agencies will support attendance\","
    "\"rationale\": \"Attendance has not improved after two reviews\","
    "\"criteria\": [\"drift_no_improved_outcomes\"],"
    "\"children\": [{\"name\": \"Alex Example\", \"date_of_birth\": \"2015-04-01\"}],"
    "\"no_other_children\": true"
    "}";

static json_t *load(const char *text)
{
    json_error_t err;
    json_t *doc = json_loads(text, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
    cr_assert_not_null(doc, "test JSON does not parse: %s (line %d)", err.text, err.line);
    return doc;
}

static json_t *valid_doc(void)
{
    return load(valid_request);
}

/* Every violation on one line, for assertion messages. */
static const char *describe(const violations *v)
{
    static char out[VIOLATIONS_MAX * 200];
    size_t o = 0;
    out[0] = '\0';
    for (int i = 0; i < v->n && o < sizeof out; i++)
        o += (size_t)snprintf(out + o, sizeof out - o, "[%s %s: %s] ",
                              v->items[i].rule ? v->items[i].rule : "schema", v->items[i].field,
                              v->items[i].message);
    return v->n ? out : "(none)";
}

/* Parses and checks doc, then releases it: violations own their text. */
static void check_doc(json_t *doc, violations *v)
{
    meeting_draft d;
    violations_init(v);
    meeting_draft_parse(doc, &d, v);
    meeting_check_draft(&d, TODAY, v);
    json_decref(doc);
}

static void check_text(const char *text, violations *v)
{
    check_doc(load(text), v);
}

/* valid_request with one top-level member replaced (value is JSON text) or
 * removed (value NULL). */
static void check_with(const char *key, const char *value, violations *v)
{
    json_t *doc = valid_doc();
    if (value)
        json_object_set_new(doc, key, load(value));
    else
        json_object_del(doc, key);
    check_doc(doc, v);
}

static int count_field(const violations *v, const char *field)
{
    int n = 0;
    for (int i = 0; i < v->n; i++)
        if (strcmp(v->items[i].field, field) == 0)
            n++;
    return n;
}

#define assert_only(v, rule, field)                                                              \
    do {                                                                                         \
        cr_assert(violations_has(v, rule, field), "expected %s at '%s', got %s", rule, field,   \
                  describe(v));                                                                  \
        cr_assert_eq((v)->n, 1, "expected only %s at '%s', got %s", rule, field, describe(v));  \
        cr_assert_not((v)->schema, "a rule violation is not a schema violation: %s",            \
                      describe(v));                                                              \
    } while (0)

#define assert_none(v) cr_assert_eq((v)->n, 0, "expected no violations, got %s", describe(v))

static caller make_caller(const char *sub, const char *agency, unsigned roles)
{
    caller c;
    memset(&c, 0, sizeof c);
    snprintf(c.sub, sizeof c.sub, "%s", sub);
    snprintf(c.name, sizeof c.name, "Name of %s", sub);
    snprintf(c.agency, sizeof c.agency, "%s", agency);
    c.roles = roles;
    return c;
}

/* ---- MTG-1: what a request carries ---- */

Test(meeting_rules, MTG_1_valid_request_accepted)
{
    violations v;
    check_text(valid_request, &v);
    assert_none(&v);
    cr_assert_not(v.schema);
}

Test(meeting_rules, MTG_1_every_non_strategy_type_accepted)
{
    const char *types[] = {"stop_and_review", "professionals", "professionals_only",
                           "multi_agency"};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        char value[64];
        snprintf(value, sizeof value, "\"%s\"", types[i]);
        violations v;
        check_with("type", value, &v);
        cr_assert_eq(v.n, 0, "type %s: %s", types[i], describe(&v));
    }
}

Test(meeting_rules, MTG_1_every_convening_criterion_accepted)
{
    for (int i = 0; meeting_criteria[i]; i++) {
        char value[128];
        snprintf(value, sizeof value, "[\"%s\"]", meeting_criteria[i]);
        violations v;
        check_with("criteria", value, &v);
        cr_assert_eq(v.n, 0, "criterion %s: %s", meeting_criteria[i], describe(&v));
    }
}

Test(meeting_rules, MTG_1_missing_title_rejected)
{
    violations v;
    check_with("title", NULL, &v);
    assert_only(&v, "MTG-1", "title");
}

Test(meeting_rules, MTG_1_blank_title_rejected)
{
    violations v;
    check_with("title", "\" \\t \\n \"", &v);
    assert_only(&v, "MTG-1", "title");
}

Test(meeting_rules, MTG_1_missing_type_rejected)
{
    violations v;
    check_with("type", NULL, &v);
    assert_only(&v, "MTG-1", "type");
}

Test(meeting_rules, MTG_1_unknown_type_rejected)
{
    violations v;
    check_with("type", "\"case_conference\"", &v);
    assert_only(&v, "MTG-1", "type");
}

Test(meeting_rules, MTG_1_missing_purpose_rejected)
{
    violations v;
    check_with("purpose", NULL, &v);
    assert_only(&v, "MTG-1", "purpose");
}

Test(meeting_rules, MTG_1_missing_rationale_rejected)
{
    violations v;
    check_with("rationale", NULL, &v);
    assert_only(&v, "MTG-1", "rationale");
}

Test(meeting_rules, MTG_1_no_criteria_rejected)
{
    violations v;
    check_with("criteria", "[]", &v);
    assert_only(&v, "MTG-1", "criteria");
}

Test(meeting_rules, MTG_1_absent_criteria_reported_once)
{
    violations v;
    check_with("criteria", NULL, &v);
    assert_only(&v, "MTG-1", "criteria");
}

Test(meeting_rules, MTG_1_unknown_criterion_rejected)
{
    violations v;
    check_with("criteria", "[\"professional_disagreement\", \"gut_feeling\"]", &v);
    assert_only(&v, "MTG-1", "criteria[1]");
}

Test(meeting_rules, MTG_1_duplicate_criterion_rejected)
{
    violations v;
    check_with("criteria", "[\"professional_safety\", \"professional_safety\"]", &v);
    assert_only(&v, "MTG-1", "criteria[1]");
}

Test(meeting_rules, MTG_1_no_children_rejected)
{
    violations v;
    check_with("children", "[]", &v);
    assert_only(&v, "MTG-1", "children");
}

Test(meeting_rules, MTG_1_absent_children_reported_once)
{
    violations v;
    check_with("children", NULL, &v);
    assert_only(&v, "MTG-1", "children");
}

Test(meeting_rules, MTG_1_all_violations_of_an_empty_request_reported_at_once)
{
    violations v;
    check_text("{}", &v);
    const char *fields[] = {"type", "title", "purpose", "rationale", "criteria", "children"};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        cr_assert(violations_has(&v, "MTG-1", fields[i]), "MTG-1 '%s' missing from %s",
                  fields[i], describe(&v));
        cr_assert_eq(count_field(&v, fields[i]), 1, "'%s' reported more than once: %s",
                     fields[i], describe(&v));
    }
    cr_assert(violations_has(&v, "MTG-5", "other_children"),
              "the household must be stated too: %s", describe(&v));
    cr_assert_eq(v.n, 7, "exactly seven violations expected, got %s", describe(&v));
    cr_assert_not(v.schema, "nothing in {} breaks the schema: %s", describe(&v));
}

Test(meeting_rules, MTG_1_and_MTG_5_problems_in_many_places_reported_together)
{
    violations v;
    check_text("{"
               "\"type\": \"professionals\", \"title\": \"t\", \"purpose\": \"p\","
               "\"rationale\": \"r\","
               "\"criteria\": [\"professional_safety\", \"protect_working_relationship\","
               "               \"not_a_criterion\"],"
               "\"children\": [{\"name\": \"A\", \"date_of_birth\": \"2015-01-01\"},"
               "               {\"name\": \"B\", \"date_of_birth\": \"2027-01-01\"},"
               "               {\"date_of_birth\": \"2016-01-01\"}],"
               "\"other_children\": [{\"name\": \"C\", \"relationship\": \"sibling\"}],"
               "\"no_other_children\": true"
               "}",
               &v);
    cr_assert(violations_has(&v, "MTG-3", "criteria[1]"), "%s", describe(&v));
    cr_assert(violations_has(&v, "MTG-1", "criteria[2]"), "%s", describe(&v));
    cr_assert(violations_has(&v, "MTG-5", "children[1].date_of_birth"), "%s", describe(&v));
    cr_assert(violations_has(&v, "MTG-5", "children[2]"), "%s", describe(&v));
    cr_assert(violations_has(&v, "MTG-5", "no_other_children"), "%s", describe(&v));
    cr_assert_eq(v.n, 5, "exactly five violations expected, got %s", describe(&v));
    cr_assert_not(v.schema, "%s", describe(&v));
}

/* ---- MTG-2: strategy discussions ---- */

Test(meeting_rules, MTG_2_strategy_with_significant_harm_accepted)
{
    json_t *doc = valid_doc();
    json_object_set_new(doc, "type", json_string("strategy_discussion"));
    json_object_set_new(doc, "criteria", load("[\"significant_harm_suspected\"]"));
    violations v;
    check_doc(doc, &v);
    assert_none(&v);
}

Test(meeting_rules, MTG_2_strategy_needs_significant_harm)
{
    json_t *doc = valid_doc();
    json_object_set_new(doc, "type", json_string("strategy_discussion"));
    violations v;
    check_doc(doc, &v);
    cr_assert(violations_has(&v, "MTG-2", "criteria"),
              "a strategy discussion without significant_harm_suspected: %s", describe(&v));
    cr_assert(violations_has(&v, "MTG-2", "criteria[0]"),
              "an SR/PM/PO criterion does not convene a strategy discussion: %s", describe(&v));
    cr_assert_eq(v.n, 2, "%s", describe(&v));
    cr_assert_not(v.schema);
}

Test(meeting_rules, MTG_2_strategy_with_harm_and_another_criterion_rejected)
{
    json_t *doc = valid_doc();
    json_object_set_new(doc, "type", json_string("strategy_discussion"));
    json_object_set_new(doc, "criteria",
                        load("[\"significant_harm_suspected\", \"professional_safety\"]"));
    violations v;
    check_doc(doc, &v);
    assert_only(&v, "MTG-2", "criteria[1]");
}

Test(meeting_rules, MTG_2_significant_harm_only_for_strategy)
{
    const char *types[] = {"stop_and_review", "professionals", "professionals_only",
                           "multi_agency"};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        json_t *doc = valid_doc();
        json_object_set_new(doc, "type", json_string(types[i]));
        json_object_set_new(doc, "criteria",
                            load("[\"professional_safety\", \"significant_harm_suspected\"]"));
        violations v;
        check_doc(doc, &v);
        cr_assert(violations_has(&v, "MTG-2", "criteria[1]"), "type %s: %s", types[i],
                  describe(&v));
        cr_assert_eq(v.n, 1, "type %s: %s", types[i], describe(&v));
    }
}

Test(meeting_rules, MTG_2_strategy_requester_must_be_childrens_social_care)
{
    violations v;
    violations_init(&v);
    meeting_check_requester("strategy_discussion", "police", &v);
    assert_only(&v, "MTG-2", "type");

    violations_init(&v);
    meeting_check_requester("strategy_discussion", "health", &v);
    assert_only(&v, "MTG-2", "type");

    violations_init(&v);
    meeting_check_requester("strategy_discussion", NULL, &v);
    assert_only(&v, "MTG-2", "type");

    violations_init(&v);
    meeting_check_requester("strategy_discussion", "childrens_social_care", &v);
    assert_none(&v);
}

Test(meeting_rules, MTG_2_other_types_may_be_requested_by_any_agency)
{
    for (int k = 0; agency_kinds[k]; k++) {
        for (int t = 0; meeting_types[t]; t++) {
            if (strcmp(meeting_types[t], "strategy_discussion") == 0)
                continue;
            violations v;
            violations_init(&v);
            meeting_check_requester(meeting_types[t], agency_kinds[k], &v);
            cr_assert_eq(v.n, 0, "%s requested by %s: %s", meeting_types[t], agency_kinds[k],
                         describe(&v));
        }
    }
    violations v;
    violations_init(&v);
    meeting_check_requester(NULL, "police", &v);
    cr_assert_eq(v.n, 0, "no type: MTG-1 reports it, not MTG-2: %s", describe(&v));
}

/* ---- MTG-3: not to protect the working relationship ---- */

Test(meeting_rules, MTG_3_relationship_reason_rejected)
{
    violations v;
    check_with("criteria", "[\"protect_working_relationship\"]", &v);
    assert_only(&v, "MTG-3", "criteria[0]");
}

Test(meeting_rules, MTG_3_relationship_reason_rejected_beside_valid_criteria)
{
    violations v;
    check_with("criteria",
               "[\"adult_hostility_or_non_compliance\", \"protect_working_relationship\"]", &v);
    assert_only(&v, "MTG-3", "criteria[1]");
    cr_assert_not(violations_has(&v, "MTG-1", NULL), "MTG-3, not MTG-1: %s", describe(&v));
}

Test(meeting_rules, MTG_3_relationship_reason_rejected_for_strategy_too)
{
    json_t *doc = valid_doc();
    json_object_set_new(doc, "type", json_string("strategy_discussion"));
    json_object_set_new(doc, "criteria",
                        load("[\"significant_harm_suspected\", \"protect_working_relationship\"]"));
    violations v;
    check_doc(doc, &v);
    assert_only(&v, "MTG-3", "criteria[1]");
}

/* ---- MTG-4: who decides ---- */

Test(meeting_rules, MTG_4_other_manager_of_convening_agency_may_decide)
{
    caller m = make_caller("manager-2", "LA-CSC", ROLE_MANAGER);
    cr_assert_eq(meeting_can_decide("professionals", "LA-CSC", "requester-1", &m), DECIDE_OK);
    caller both = make_caller("manager-3", "LA-CSC", ROLE_PRACTITIONER | ROLE_MANAGER);
    cr_assert_eq(meeting_can_decide("professionals", "LA-CSC", "requester-1", &both), DECIDE_OK);
}

Test(meeting_rules, MTG_4_senior_manager_of_convening_agency_decides)
{
    caller sm = make_caller("senior-2", "LA-CSC", ROLE_SENIOR_MANAGER);
    for (size_t i = 0; meeting_types[i]; i++)
        cr_assert_eq(meeting_can_decide(meeting_types[i], "LA-CSC", "requester-1", &sm),
                     DECIDE_OK, "a senior manager decides a %s", meeting_types[i]);
}

Test(meeting_rules, MTG_4_safeguarding_lead_decides_a_stop_and_review)
{
    caller dsl = make_caller("dsl-1", "SCHOOL-1", ROLE_SAFEGUARDING_LEAD);
    cr_assert_eq(meeting_can_decide("stop_and_review", "SCHOOL-1", "teacher-1", &dsl), DECIDE_OK);
}

Test(meeting_rules, MTG_4_safeguarding_lead_does_not_decide_other_types)
{
    caller dsl = make_caller("dsl-1", "SCHOOL-1", ROLE_SAFEGUARDING_LEAD);
    for (size_t i = 0; meeting_types[i]; i++) {
        if (strcmp(meeting_types[i], "stop_and_review") == 0)
            continue;
        cr_assert_eq(meeting_can_decide(meeting_types[i], "SCHOOL-1", "teacher-1", &dsl),
                     DECIDE_NOT_MANAGER, "a safeguarding lead does not decide a %s",
                     meeting_types[i]);
    }
}

Test(meeting_rules, MTG_4_safeguarding_lead_of_another_agency_cannot_decide)
{
    caller dsl = make_caller("dsl-9", "SCHOOL-2", ROLE_SAFEGUARDING_LEAD);
    cr_assert_eq(meeting_can_decide("stop_and_review", "SCHOOL-1", "teacher-1", &dsl),
                 DECIDE_OTHER_AGENCY);
}

Test(meeting_rules, MTG_4_safeguarding_lead_cannot_decide_own_request)
{
    caller dsl = make_caller("dsl-1", "SCHOOL-1", ROLE_SAFEGUARDING_LEAD);
    cr_assert_eq(meeting_can_decide("stop_and_review", "SCHOOL-1", "dsl-1", &dsl),
                 DECIDE_OWN_REQUEST, "four eyes apply to the safeguarding lead too");
}

Test(meeting_rules, MTG_4_requester_cannot_authorise_own_request)
{
    caller m = make_caller("manager-1", "LA-CSC", ROLE_MANAGER);
    cr_assert_eq(meeting_can_decide("professionals", "LA-CSC", "manager-1", &m),
                 DECIDE_OWN_REQUEST, "four eyes: a manager cannot decide their own request");
}

Test(meeting_rules, MTG_4_manager_of_other_agency_cannot_decide)
{
    caller m = make_caller("manager-9", "POLICE-1", ROLE_MANAGER);
    cr_assert_eq(meeting_can_decide("professionals", "LA-CSC", "requester-1", &m),
                 DECIDE_OTHER_AGENCY);
}

Test(meeting_rules, MTG_4_non_manager_cannot_decide)
{
    unsigned others[] = {ROLE_PRACTITIONER, ROLE_SENIOR_PRACTITIONER, ROLE_NAMED_DOCTOR,
                         ROLE_PARTNERSHIP,  ROLE_AUDITOR,             ROLE_ADMIN,
                         ROLE_INTEGRATION,  ROLE_SAFEGUARDING_LEAD,   0};
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        caller c = make_caller("someone", "LA-CSC", others[i]);
        cr_assert_eq(meeting_can_decide("professionals", "LA-CSC", "requester-1", &c),
                     DECIDE_NOT_MANAGER, "role bits 0x%x do not decide", others[i]);
    }
}

Test(meeting_rules, MTG_4_agency_comparison_is_exact)
{
    caller m = make_caller("manager-2", "LA-CS", ROLE_MANAGER);
    cr_assert_eq(meeting_can_decide("professionals", "LA-CSC", "requester-1", &m),
                 DECIDE_OTHER_AGENCY);
    caller m2 = make_caller("manager-2", "la-csc", ROLE_MANAGER);
    cr_assert_eq(meeting_can_decide("professionals", "LA-CSC", "requester-1", &m2),
                 DECIDE_OTHER_AGENCY);
}

Test(meeting_rules, MTG_4_requester_or_convening_manager_may_edit)
{
    caller requester = make_caller("requester-1", "LA-CSC", ROLE_PRACTITIONER);
    caller manager = make_caller("manager-2", "LA-CSC", ROLE_MANAGER);
    caller colleague = make_caller("colleague-3", "LA-CSC", ROLE_PRACTITIONER);
    caller other_manager = make_caller("manager-9", "POLICE-1", ROLE_MANAGER);
    cr_assert(meeting_can_edit("LA-CSC", "requester-1", &requester));
    cr_assert(meeting_can_edit("LA-CSC", "requester-1", &manager));
    cr_assert_not(meeting_can_edit("LA-CSC", "requester-1", &colleague));
    cr_assert_not(meeting_can_edit("LA-CSC", "requester-1", &other_manager));
}

/* ---- MTG-6: the chair acts with the role the schedule relied on ---- */

Test(meeting_rules, MTG_6_chair_token_must_hold_the_role_the_schedule_relied_on)
{
    caller senior = make_caller("chair-1", "LA-CSC", ROLE_SENIOR_PRACTITIONER);
    caller practitioner = make_caller("chair-1", "LA-CSC", ROLE_PRACTITIONER);
    caller manager = make_caller("chair-1", "LA-CSC", ROLE_MANAGER | ROLE_PRACTITIONER);
    cr_assert(meeting_chair_token_ok("senior_practitioner", &senior));
    cr_assert_not(meeting_chair_token_ok("senior_practitioner", &practitioner),
                  "declared a senior practitioner, holds only practitioner");
    cr_assert_not(meeting_chair_token_ok("senior_practitioner", &manager),
                  "another role, however senior, is not the one relied on");
    cr_assert(meeting_chair_token_ok("practitioner", &practitioner),
              "a keyworker chairs a stop and review as a practitioner");
    cr_assert(meeting_chair_token_ok("manager", &manager));
    cr_assert_not(meeting_chair_token_ok(NULL, &manager), "no role recorded");
    cr_assert_not(meeting_chair_token_ok("", &manager));
    cr_assert_not(meeting_chair_token_ok("chair", &manager), "an unknown role");
}

/* ---- MTG-8: a meeting closes once its approved minutes are out ---- */

static const char *const two_agencies[] = {"POLICE-1", "HEALTH-1"};

/* Approved, withheld from the family, sent to both agencies that attended. */
static close_facts close_facts_ok(void)
{
    close_facts f = {.approved = true,
                     .sharing = "withhold",
                     .attending = two_agencies,
                     .n_attending = 2,
                     .distributed = two_agencies,
                     .n_distributed = 2};
    return f;
}

static void check_close(const close_facts *f, violations *v)
{
    violations_init(v);
    close_check(f, v);
}

Test(meeting_rules, MTG_8_close_allowed_when_all_sent)
{
    close_facts f = close_facts_ok();
    violations v;
    check_close(&f, &v);
    cr_assert_eq(v.n, 0, "%s", describe(&v));
    /* and when the family's copy went too, under a decision to share */
    f.sharing = "share";
    f.family_copy_sent = true;
    check_close(&f, &v);
    cr_assert_eq(v.n, 0, "%s", describe(&v));
}

Test(meeting_rules, MTG_8_close_refused_until_distributed_to_every_attending_agency)
{
    close_facts f = close_facts_ok();
    f.n_distributed = 0;
    violations v;
    check_close(&f, &v);
    cr_assert_eq(count_field(&v, "distribution"), 2, "%s", describe(&v));
    cr_assert_eq(v.n, 2, "%s", describe(&v));
    cr_assert(strstr(v.items[0].message, "POLICE-1") && strstr(v.items[1].message, "HEALTH-1"),
              "each agency named: %s", describe(&v));
    /* one sent, the other not */
    static const char *const police_only[] = {"POLICE-1", "OTHER-9"};
    f.distributed = police_only;
    f.n_distributed = 2;
    check_close(&f, &v);
    assert_only(&v, "MTG-8", "distribution");
    cr_assert(strstr(v.items[0].message, "HEALTH-1"), "%s", describe(&v));
}

Test(meeting_rules, MTG_8_agencies_that_sent_apologies_receive_the_minutes_too)
{
    /* whoever the store counts as attending (present or apologies) is owed a copy;
     * an agency marked absent is not listed, and is not owed one */
    static const char *const attended[] = {"POLICE-1"};
    close_facts f = close_facts_ok();
    f.attending = attended;
    f.n_attending = 1;
    f.n_distributed = 0;
    violations v;
    check_close(&f, &v);
    assert_only(&v, "MTG-8", "distribution");
    f.n_attending = 0;
    check_close(&f, &v);
    cr_assert_eq(v.n, 0, "%s", describe(&v));
}

Test(meeting_rules, MTG_8_close_needs_the_family_copy_when_sharing)
{
    close_facts f = close_facts_ok();
    f.sharing = "share";
    violations v;
    check_close(&f, &v);
    assert_only(&v, "MTG-8", "distribution");
    cr_assert(strstr(v.items[0].message, "family"), "%s", describe(&v));
}

Test(meeting_rules, FAM_5_close_needs_a_sharing_decision)
{
    close_facts f = close_facts_ok();
    f.sharing = NULL;
    violations v;
    check_close(&f, &v);
    assert_only(&v, "FAM-5", "minutes_sharing");
}

Test(meeting_rules, MTG_8_close_lists_every_missing_part_at_once)
{
    close_facts f = {.approved = false, .attending = two_agencies, .n_attending = 2};
    violations v;
    check_close(&f, &v);
    cr_assert(violations_has(&v, "MTG-8", "minutes"), "%s", describe(&v));
    cr_assert(violations_has(&v, "FAM-5", "minutes_sharing"), "%s", describe(&v));
    cr_assert_eq(count_field(&v, "distribution"), 2, "%s", describe(&v));
    cr_assert_eq(v.n, 4, "%s", describe(&v));
}

/* ---- MTG-11: an authorisation covers the request as authorised ---- */

/* What changed between valid_request and valid_request with one member
 * replaced (value is JSON text); fills the names, returns how many. */
static int changed_by(const char *key, const char *value, const char *changed[])
{
    json_t *before_doc = valid_doc(), *after_doc = valid_doc();
    json_object_set_new(after_doc, key, load(value));
    violations v;
    violations_init(&v);
    meeting_draft before, after;
    meeting_draft_parse(before_doc, &before, &v);
    meeting_draft_parse(after_doc, &after, &v);
    cr_assert_eq(v.n, 0, "%s", describe(&v));
    int n = meeting_authorised_parts_changed(&before, &after, changed);
    json_decref(before_doc);
    json_decref(after_doc);
    return n;
}

Test(meeting_rules, MTG_11_change_after_authorisation_returns_to_requested)
{
    const struct {
        const char *key, *value, *part;
    } cases[] = {
        {"type", "\"professionals_only\"", "type"},
        {"purpose", "\"Agree a plan for the summer holidays\"", "purpose"},
        {"rationale", "\"A new concern was raised by the school\"", "rationale"},
        {"criteria", "[\"drift_no_improved_outcomes\", \"professional_disagreement\"]", "criteria"},
        {"criteria", "[\"professional_disagreement\"]", "criteria"},
        {"children", "[{\"name\": \"Jo Example\", \"date_of_birth\": \"2015-04-01\"}]", "children"},
        {"children", "[{\"name\": \"Alex Example\", \"date_of_birth\": \"2015-04-02\"}]", "children"},
        {"children", "[{\"name\": \"Alex Example\", \"date_of_birth\": \"2015-04-01\"},"
                     " {\"name\": \"Baby Example\", \"unborn\": true}]", "children"},
        {"children", "[{\"name\": \"Alex Example\", \"date_of_birth\": \"2015-04-01\","
                     " \"external_ref\": {\"system\": \"cms\", \"id\": \"C-1\"}}]", "children"},
        /* CHR-1: a national identifier says which child the meeting is about */
        {"children", "[{\"name\": \"Alex Example\", \"date_of_birth\": \"2015-04-01\","
                     " \"nhs_number\": \"9990000018\"}]", "children"},
        {"children", "[{\"name\": \"Alex Example\", \"date_of_birth\": \"2015-04-01\","
                     " \"upn\": \"V999201000010\"}]", "children"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *changed[MEETING_AUTHORISED_PARTS];
        int n = changed_by(cases[i].key, cases[i].value, changed);
        cr_assert_eq(n, 1, "%s = %s: one part changed, got %d", cases[i].key, cases[i].value, n);
        cr_assert_str_eq(changed[0], cases[i].part);
    }
}

Test(meeting_rules, MTG_11_every_changed_part_is_named_in_order)
{
    json_t *before_doc = valid_doc(), *after_doc = valid_doc();
    json_object_set_new(after_doc, "children",
                        load("[{\"name\": \"Jo Example\", \"date_of_birth\": \"2015-04-01\"}]"));
    json_object_set_new(after_doc, "rationale", json_string("Something else"));
    json_object_set_new(after_doc, "criteria", load("[\"professional_safety\"]"));
    violations v;
    violations_init(&v);
    meeting_draft before, after;
    meeting_draft_parse(before_doc, &before, &v);
    meeting_draft_parse(after_doc, &after, &v);
    const char *changed[MEETING_AUTHORISED_PARTS];
    cr_assert_eq(meeting_authorised_parts_changed(&before, &after, changed), 3);
    cr_assert_str_eq(changed[0], "rationale");
    cr_assert_str_eq(changed[1], "criteria");
    cr_assert_str_eq(changed[2], "children");
    json_decref(before_doc);
    json_decref(after_doc);
}

Test(meeting_rules, MTG_11_title_external_ref_or_household_change_keeps_authorisation)
{
    const struct {
        const char *key, *value;
    } cases[] = {
        {"title", "\"A better title\""},
        {"external_ref", "{\"system\": \"cms\", \"id\": \"CASE-9\"}"},
        {"other_children", "[{\"name\": \"Sam Example\", \"relationship\": \"sibling\"}]"},
        {"no_other_children", "false"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *changed[MEETING_AUTHORISED_PARTS];
        cr_assert_eq(changed_by(cases[i].key, cases[i].value, changed), 0, "%s",
                     cases[i].key);
    }
}

Test(meeting_rules, MTG_11_reordered_criteria_or_the_same_child_as_rendered_is_no_change)
{
    const char *changed[MEETING_AUTHORISED_PARTS];
    json_t *before_doc = valid_doc(), *after_doc = valid_doc();
    json_object_set_new(before_doc, "criteria",
                        load("[\"drift_no_improved_outcomes\", \"professional_disagreement\"]"));
    json_object_set_new(after_doc, "criteria",
                        load("[\"professional_disagreement\", \"drift_no_improved_outcomes\"]"));
    /* the child as the service renders it: unborn false, nulls left out */
    json_object_set_new(after_doc, "children",
                        load("[{\"name\": \" Alex Example\", \"date_of_birth\": \"2015-04-01\","
                             " \"unborn\": false}]"));
    violations v;
    violations_init(&v);
    meeting_draft before, after;
    meeting_draft_parse(before_doc, &before, &v);
    meeting_draft_parse(after_doc, &after, &v);
    cr_assert_eq(v.n, 0, "%s", describe(&v));
    cr_assert_eq(meeting_authorised_parts_changed(&before, &after, changed), 0);
    json_decref(before_doc);
    json_decref(after_doc);
}

/* ---- MTG-5: children and household ---- */

Test(meeting_rules, MTG_5_child_needs_name_or_reference)
{
    violations v;
    check_with("children", "[{\"date_of_birth\": \"2015-04-01\"}]", &v);
    assert_only(&v, "MTG-5", "children[0]");
}

Test(meeting_rules, MTG_5_blank_name_counts_as_no_name)
{
    violations v;
    check_with("children", "[{\"name\": \"   \", \"date_of_birth\": \"2015-04-01\"}]", &v);
    assert_only(&v, "MTG-5", "children[0]");
}

Test(meeting_rules, MTG_5_child_with_external_reference_only_accepted)
{
    violations v;
    check_with("children",
               "[{\"external_ref\": {\"system\": \"LCS\", \"id\": \"C-1001\"},"
               "  \"date_of_birth\": \"2015-04-01\"}]",
               &v);
    assert_none(&v);
}

Test(meeting_rules, MTG_5_child_needs_dob_or_unborn)
{
    violations v;
    check_with("children", "[{\"name\": \"Alex\"}]", &v);
    assert_only(&v, "MTG-5", "children[0]");

    check_with("children", "[{\"name\": \"Alex\", \"unborn\": false}]", &v);
    assert_only(&v, "MTG-5", "children[0]");
}

Test(meeting_rules, MTG_5_unborn_child_accepted)
{
    violations v;
    check_with("children", "[{\"name\": \"Baby of Sam\", \"unborn\": true}]", &v);
    assert_none(&v);
}

Test(meeting_rules, MTG_5_unborn_child_with_dob_rejected)
{
    violations v;
    check_with("children",
               "[{\"name\": \"Baby\", \"unborn\": true, \"date_of_birth\": \"2026-01-01\"}]", &v);
    assert_only(&v, "MTG-5", "children[0]");
}

Test(meeting_rules, MTG_5_future_dob_rejected)
{
    violations v;
    check_with("children",
               "[{\"name\": \"A\", \"date_of_birth\": \"2015-01-01\"},"
               " {\"name\": \"B\", \"date_of_birth\": \"2026-11-24\"}]",
               &v);
    assert_only(&v, "MTG-5", "children[1].date_of_birth");
}

Test(meeting_rules, MTG_5_born_today_accepted)
{
    violations v;
    check_with("children", "[{\"name\": \"A\", \"date_of_birth\": \"" TODAY "\"}]", &v);
    assert_none(&v);
}

Test(meeting_rules, MTG_5_impossible_dob_rejected)
{
    const char *bad[] = {"2023-02-29", "2015-13-01", "01/04/2015", "2015-4-1", "yesterday"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char value[128];
        snprintf(value, sizeof value, "[{\"name\": \"A\", \"date_of_birth\": \"%s\"}]", bad[i]);
        violations v;
        check_with("children", value, &v);
        cr_assert(violations_has(&v, "MTG-5", "children[0].date_of_birth"), "%s: %s", bad[i],
                  describe(&v));
        cr_assert_eq(v.n, 1, "%s: %s", bad[i], describe(&v));
    }
}

Test(meeting_rules, MTG_5_household_must_be_stated)
{
    violations v;
    check_with("no_other_children", NULL, &v);
    assert_only(&v, "MTG-5", "other_children");

    check_with("no_other_children", "false", &v);
    assert_only(&v, "MTG-5", "other_children");
}

Test(meeting_rules, MTG_5_listed_other_children_state_the_household)
{
    json_t *doc = valid_doc();
    json_object_del(doc, "no_other_children");
    json_object_set_new(doc, "other_children",
                        load("[{\"name\": \"Sam\", \"date_of_birth\": \"2012-02-02\","
                             "  \"relationship\": \"half-sibling\"},"
                             " {\"name\": \"Jo\", \"relationship\": \"cousin\"}]"));
    violations v;
    check_doc(doc, &v);
    assert_none(&v);
}

Test(meeting_rules, MTG_5_none_contradicts_listed_children)
{
    json_t *doc = valid_doc();
    json_object_set_new(doc, "other_children",
                        load("[{\"name\": \"Sam\", \"relationship\": \"sibling\"}]"));
    violations v;
    check_doc(doc, &v);
    assert_only(&v, "MTG-5", "no_other_children");
}

Test(meeting_rules, MTG_5_other_child_needs_name_or_reference)
{
    json_t *doc = valid_doc();
    json_object_del(doc, "no_other_children");
    json_object_set_new(doc, "other_children",
                        load("[{\"name\": \"Sam\"}, {\"relationship\": \"sibling\"}]"));
    violations v;
    check_doc(doc, &v);
    assert_only(&v, "MTG-5", "other_children[1]");
}

Test(meeting_rules, MTG_5_other_child_future_dob_rejected)
{
    json_t *doc = valid_doc();
    json_object_del(doc, "no_other_children");
    json_object_set_new(doc, "other_children",
                        load("[{\"name\": \"Sam\", \"date_of_birth\": \"2030-01-01\"}]"));
    violations v;
    check_doc(doc, &v);
    assert_only(&v, "MTG-5", "other_children[0].date_of_birth");
}

/* ---- MTG-8: the lifecycle ---- */

static const struct {
    const char *from, *to;
} lifecycle[] = {
    {"requested", "authorised"}, {"requested", "declined"},   {"authorised", "scheduled"},
    {"scheduled", "held"},       {"held", "closed"},          {"requested", "cancelled"},
    {"authorised", "cancelled"}, {"scheduled", "cancelled"},
};

static bool in_lifecycle(const char *from, const char *to)
{
    for (size_t i = 0; i < sizeof lifecycle / sizeof lifecycle[0]; i++)
        if (strcmp(lifecycle[i].from, from) == 0 && strcmp(lifecycle[i].to, to) == 0)
            return true;
    return false;
}

Test(meeting_rules, MTG_8_requested_to_authorised_allowed)
{
    cr_assert(meeting_transition_allowed("requested", "authorised"));
}

Test(meeting_rules, MTG_8_requested_to_declined_allowed)
{
    cr_assert(meeting_transition_allowed("requested", "declined"));
}

Test(meeting_rules, MTG_8_authorised_to_scheduled_allowed)
{
    cr_assert(meeting_transition_allowed("authorised", "scheduled"));
}

Test(meeting_rules, MTG_8_scheduled_to_held_allowed)
{
    cr_assert(meeting_transition_allowed("scheduled", "held"));
}

Test(meeting_rules, MTG_8_held_to_closed_allowed)
{
    cr_assert(meeting_transition_allowed("held", "closed"));
}

Test(meeting_rules, MTG_8_cancel_allowed_from_requested_authorised_scheduled)
{
    cr_assert(meeting_transition_allowed("requested", "cancelled"));
    cr_assert(meeting_transition_allowed("authorised", "cancelled"));
    cr_assert(meeting_transition_allowed("scheduled", "cancelled"));
}

Test(meeting_rules, MTG_8_named_refusals)
{
    static const struct {
        const char *from, *to;
    } refused[] = {
        {"requested", "held"},     {"requested", "scheduled"}, {"requested", "closed"},
        {"declined", "authorised"}, {"declined", "scheduled"},  {"declined", "cancelled"},
        {"authorised", "declined"}, {"authorised", "held"},     {"scheduled", "closed"},
        {"held", "cancelled"},     {"held", "scheduled"},      {"closed", "cancelled"},
        {"closed", "held"},        {"cancelled", "requested"}, {"cancelled", "authorised"},
        {"authorised", "requested"}, {"requested", "requested"},
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        cr_assert_not(meeting_transition_allowed(refused[i].from, refused[i].to),
                      "%s -> %s must be refused", refused[i].from, refused[i].to);
}

Test(meeting_rules, MTG_8_every_pair_of_statuses_follows_the_lifecycle)
{
    int allowed = 0;
    for (int f = 0; meeting_statuses[f]; f++) {
        for (int t = 0; meeting_statuses[t]; t++) {
            const char *from = meeting_statuses[f], *to = meeting_statuses[t];
            bool expected = in_lifecycle(from, to);
            cr_assert_eq(meeting_transition_allowed(from, to), expected, "%s -> %s must be %s",
                         from, to, expected ? "allowed" : "refused");
            allowed += expected;
        }
    }
    cr_assert_eq(allowed, 8, "the lifecycle has eight transitions");
}

Test(meeting_rules, MTG_8_unknown_statuses_refused)
{
    cr_assert_not(meeting_transition_allowed("draft", "requested"));
    cr_assert_not(meeting_transition_allowed("requested", "approved"));
    cr_assert_not(meeting_transition_allowed("", ""));
    cr_assert_not(meeting_transition_allowed("Requested", "Authorised"), "case matters");
}

Test(meeting_rules, INT_1_national_identifiers_checked_and_normalised)
{
    json_t *doc = json_loads("{\"type\": \"professionals\", \"title\": \"t\", \"purpose\": \"p\","
                             " \"rationale\": \"r\", \"criteria\": [\"drift_no_improved_outcomes\"],"
                             " \"no_other_children\": true, \"children\": ["
                             " {\"name\": \"A\", \"unborn\": true, \"nhs_number\": \"999 000 0018\","
                             "  \"upn\": \"v99920100001a\"},"
                             " {\"name\": \"B\", \"unborn\": true, \"nhs_number\": \"9990000019\","
                             "  \"upn\": \"W999201000010\"},"
                             " {\"name\": \"C\", \"unborn\": true,"
                             "  \"external_ref\": {\"system\": \"upn\", \"id\": \"V999201000010\"}}]}",
                             0, NULL);
    cr_assert(doc);
    violations v;
    violations_init(&v);
    meeting_draft d;
    meeting_draft_parse(doc, &d, &v);
    cr_assert_str_eq(d.children[0].nhs_number, "9990000018");
    cr_assert_str_eq(d.children[0].upn, "V99920100001A");
    cr_assert(violations_has(&v, "INT-1", "children[1].nhs_number"), "%s", describe(&v));
    cr_assert(violations_has(&v, "INT-1", "children[1].upn"), "%s", describe(&v));
    cr_assert(violations_has(&v, "INT-1", "children[2].external_ref.system"), "%s", describe(&v));
    cr_assert_eq(v.n, 3, "%s", describe(&v));
    cr_assert_not(v.schema, "a failed check is a rule, not a shape: %s", describe(&v));
    json_decref(doc);
}
