/* Escalation rules (domain/escalation.c): what an escalation names (ESC-1),
 * the reference each type needs (INV-7, FAM-2, ESC-1), where the procedure
 * starts (ESC-3) and who answers at each stage (ESC-2). Shape problems are
 * schema violations (no rule); each test that proves a rule carries the
 * rule ID in its name. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/caller.h"
#include "domain/escalation.h"
#include "domain/violations.h"

#define MEETING_ID "5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
#define INVITATION_ID "6b2c3d4e-5f6a-4b7c-9d8e-0f1a2b3c4d5e"
#define DECISION_ID "7c3d4e5f-6a7b-4c8d-8e9f-1a2b3c4d5e6f"
#define REQUEST_ID "8d4e5f6a-7b8c-4d9e-9f0a-2b3c4d5e6f70"

#define RAISER_AGENCY "LA-CSC"
#define WITH_AGENCY "POLICE"

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ---- helpers ---- */

static json_t *load(const char *text)
{
    json_error_t err;
    json_t *doc = json_loads(text, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
    cr_assert_not_null(doc, "test JSON does not parse: %s (line %d)", err.text, err.line);
    return doc;
}

/* A complete escalation of a type that needs no reference. */
static json_t *valid_doc(void)
{
    return load("{\"meeting_id\": \"" MEETING_ID "\","
                " \"type\": \"concern_after_decision\","
                " \"concern\": \"The plan leaves the child at home with the adult of concern\","
                " \"outcome_sought\": \"Reconvene the meeting this week\","
                " \"with_agency\": \"" WITH_AGENCY "\"}");
}

/* Sets (value JSON text) or removes (value NULL) a top-level member. */
static json_t *with(json_t *doc, const char *key, const char *value)
{
    if (value)
        json_object_set_new(doc, key, load(value));
    else
        json_object_del(doc, key);
    return doc;
}

static json_t *long_string(size_t n)
{
    char *s = malloc(n + 1);
    cr_assert_not_null(s);
    memset(s, 'x', n);
    s[n] = '\0';
    json_t *j = json_string(s);
    free(s);
    return j;
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

#define assert_only(v, rule, field)                                                              \
    do {                                                                                         \
        cr_assert(violations_has(v, rule, field), "expected %s at '%s', got %s", rule, field,   \
                  describe(v));                                                                  \
        cr_assert_eq((v)->n, 1, "expected only %s at '%s', got %s", rule, field, describe(v));  \
        cr_assert_not((v)->schema, "a rule violation is not a schema violation: %s",            \
                      describe(v));                                                              \
    } while (0)

#define assert_schema_only(v, field)                                                             \
    do {                                                                                         \
        cr_assert(violations_has(v, NULL, field), "expected a schema violation at '%s', got %s", \
                  field, describe(v));                                                           \
        cr_assert_eq((v)->n, 1, "expected only a schema violation at '%s', got %s", field,      \
                     describe(v));                                                               \
        cr_assert((v)->schema, "v.schema must be set: %s", describe(v));                        \
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

/* Parses doc only, then releases it. */
static void parse(json_t *doc, violations *v)
{
    escalation_in in;
    violations_init(v);
    escalation_parse(doc, &in, v);
    json_decref(doc);
}

/* Parses doc and, as the service does when the shape is right, checks it
 * for a raiser from RAISER_AGENCY against refs (NULL: nothing found); then
 * releases doc. */
static void check(json_t *doc, const escalation_refs *refs, violations *v)
{
    static const escalation_refs nothing;
    caller raiser = make_caller("sw-1", RAISER_AGENCY, ROLE_PRACTITIONER);
    escalation_in in;
    violations_init(v);
    escalation_parse(doc, &in, v);
    if (!v->schema)
        escalation_check(&in, &raiser, refs ? refs : &nothing, v);
    json_decref(doc);
}

/* ---- ESC-1: what an escalation names ---- */

Test(escalation_rules, ESC_1_valid_escalation_accepted)
{
    json_t *doc = valid_doc();
    escalation_in in;
    violations v;
    violations_init(&v);
    escalation_parse(doc, &in, &v);
    assert_none(&v);
    cr_assert_str_eq(in.meeting_id, MEETING_ID);
    cr_assert_str_eq(in.type, "concern_after_decision");
    cr_assert_str_eq(in.with_agency, WITH_AGENCY);
    cr_assert_null(in.invitation_id);
    cr_assert_null(in.consent_decision_id);
    cr_assert_null(in.declined_request_id);
    cr_assert_eq(in.immediate_risk, -1);
    caller raiser = make_caller("sw-1", RAISER_AGENCY, ROLE_PRACTITIONER);
    escalation_refs refs;
    memset(&refs, 0, sizeof refs);
    escalation_check(&in, &raiser, &refs, &v);
    assert_none(&v);
    json_decref(doc);
}

Test(escalation_rules, ESC_1_types_without_a_reference_accepted)
{
    const char *types[] = {"concern_after_decision", "referral_response_disagreement",
                           "action_plan_not_implemented"};
    for (int i = 0; i < COUNT(types); i++) {
        char value[64];
        snprintf(value, sizeof value, "\"%s\"", types[i]);
        violations v;
        check(with(valid_doc(), "type", value), NULL, &v);
        cr_assert_eq(v.n, 0, "%s: %s", types[i], describe(&v));
    }
}

Test(escalation_rules, ESC_1_every_missing_part_reported_at_once)
{
    violations v;
    parse(load("{}"), &v);
    const char *fields[] = {"meeting_id", "type", "concern", "outcome_sought", "with_agency"};
    for (int i = 0; i < COUNT(fields); i++)
        cr_assert(violations_has(&v, "ESC-1", fields[i]), "expected ESC-1 at '%s', got %s",
                  fields[i], describe(&v));
    cr_assert_eq(v.n, COUNT(fields), "%s", describe(&v));
    cr_assert_not(v.schema, "missing parts are rule violations: %s", describe(&v));
}

Test(escalation_rules, ESC_1_each_missing_part_reported_alone)
{
    const char *fields[] = {"meeting_id", "type", "concern", "outcome_sought", "with_agency"};
    for (int i = 0; i < COUNT(fields); i++) {
        violations v;
        parse(with(valid_doc(), fields[i], NULL), &v);
        cr_assert(violations_has(&v, "ESC-1", fields[i]), "without %s: %s", fields[i],
                  describe(&v));
        cr_assert_eq(v.n, 1, "without %s: %s", fields[i], describe(&v));
        cr_assert_not(v.schema);
        parse(with(valid_doc(), fields[i], "null"), &v);
        cr_assert(violations_has(&v, "ESC-1", fields[i]), "%s null: %s", fields[i],
                  describe(&v));
        cr_assert_eq(v.n, 1, "%s null: %s", fields[i], describe(&v));
    }
}

Test(escalation_rules, ESC_1_blank_concern_and_outcome_refused)
{
    violations v;
    parse(with(valid_doc(), "concern", "\"  \\n \""), &v);
    assert_only(&v, "ESC-1", "concern");
    parse(with(valid_doc(), "outcome_sought", "\"\""), &v);
    assert_only(&v, "ESC-1", "outcome_sought");
}

/* Like an unknown meeting type (MTG-1) or decision (FAM-1), a type outside
 * the procedure's list breaks the rule that names the types. */
Test(escalation_rules, ESC_1_unknown_type_refused)
{
    violations v;
    parse(with(valid_doc(), "type", "\"complaint\""), &v);
    assert_only(&v, "ESC-1", "type");
}

Test(escalation_rules, ESC_1_bad_uuids_are_schema_violations)
{
    const char *keys[] = {"meeting_id", "invitation_id", "consent_decision_id",
                          "declined_request_id"};
    const char *values[] = {"\"42\"", "\"MAM-2026-000042\"",
                            "\"5a1b2c3d4e5f4a6b8c7d9e0f1a2b3c4d0000\"",
                            "\"5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4g\"",
                            "\"5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d0\"", "42"};
    for (int k = 0; k < COUNT(keys); k++)
        for (int i = 0; i < COUNT(values); i++) {
            violations v;
            parse(with(valid_doc(), keys[k], values[i]), &v);
            cr_assert(violations_has(&v, NULL, keys[k]), "%s = %s: %s", keys[k], values[i],
                      describe(&v));
            cr_assert_eq(v.n, 1, "%s = %s: %s", keys[k], values[i], describe(&v));
            cr_assert(v.schema);
        }
}

Test(escalation_rules, ESC_1_bad_agency_codes_are_schema_violations)
{
    const char *values[] = {"\"police\"", "\"-POLICE\"", "\"P\"", "\"LA CSC\"", "\"LA.CSC\"",
                            "\"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456\"", "7", "[\"POLICE\"]"};
    for (int i = 0; i < COUNT(values); i++) {
        violations v;
        parse(with(valid_doc(), "with_agency", values[i]), &v);
        cr_assert(violations_has(&v, NULL, "with_agency"), "%s: %s", values[i], describe(&v));
        cr_assert_eq(v.n, 1, "%s: %s", values[i], describe(&v));
        cr_assert(v.schema);
    }
}

Test(escalation_rules, ESC_1_wrong_types_are_schema_violations)
{
    static const struct {
        const char *key, *value;
    } cases[] = {
        {"type", "3"},
        {"concern", "{\"text\": \"x\"}"},
        {"outcome_sought", "true"},
        {"immediate_risk", "\"yes\""},
        {"immediate_risk", "1"},
    };
    for (int i = 0; i < COUNT(cases); i++) {
        violations v;
        parse(with(valid_doc(), cases[i].key, cases[i].value), &v);
        cr_assert(violations_has(&v, NULL, cases[i].key), "%s = %s: %s", cases[i].key,
                  cases[i].value, describe(&v));
        cr_assert_eq(v.n, 1, "%s = %s: %s", cases[i].key, cases[i].value, describe(&v));
        cr_assert(v.schema);
    }
}

Test(escalation_rules, ESC_1_read_only_members_are_schema_violations)
{
    static const struct {
        const char *key, *value;
    } cases[] = {
        {"stage", "3"},
        {"status", "\"resolved\""},
        {"id", "\"" MEETING_ID "\""},
        {"stage_due", "\"2026-12-01\""},
        {"raised_by", "{\"sub\": \"sw-1\"}"},
        {"outcome", "\"Agreed\""},
        {"version", "1"},
        {"timeline", "[]"},
    };
    for (int i = 0; i < COUNT(cases); i++) {
        violations v;
        parse(with(valid_doc(), cases[i].key, cases[i].value), &v);
        cr_assert(violations_has(&v, NULL, cases[i].key), "%s: %s", cases[i].key, describe(&v));
        cr_assert_eq(v.n, 1, "%s: %s", cases[i].key, describe(&v));
        cr_assert(v.schema);
        cr_assert(strstr(v.items[0].message, "read-only"), "%s: %s", cases[i].key,
                  describe(&v));
    }
}

Test(escalation_rules, ESC_1_unknown_member_is_a_schema_violation)
{
    violations v;
    parse(with(valid_doc(), "priority", "\"high\""), &v);
    assert_schema_only(&v, "priority");
}

Test(escalation_rules, ESC_1_overlong_text_is_a_schema_violation)
{
    violations v;
    json_t *doc = valid_doc();
    json_object_set_new(doc, "concern", long_string(ESCALATION_TEXT_MAX + 1));
    parse(doc, &v);
    assert_schema_only(&v, "concern");
    doc = valid_doc();
    json_object_set_new(doc, "outcome_sought", long_string(ESCALATION_TEXT_MAX + 1));
    parse(doc, &v);
    assert_schema_only(&v, "outcome_sought");
    doc = valid_doc();
    json_object_set_new(doc, "concern", long_string(ESCALATION_TEXT_MAX));
    parse(doc, &v);
    assert_none(&v);
}

Test(escalation_rules, ESC_1_disagreement_with_your_own_agency_refused)
{
    violations v;
    check(with(valid_doc(), "with_agency", "\"" RAISER_AGENCY "\""), NULL, &v);
    assert_only(&v, "ESC-1", "with_agency");
}

/* ---- INV-7: lack of engagement names a declined or unanswered invitation ---- */

static json_t *engagement_doc(bool with_invitation)
{
    json_t *doc = with(valid_doc(), "type", "\"lack_of_engagement\"");
    return with_invitation ? with(doc, "invitation_id", "\"" INVITATION_ID "\"") : doc;
}

static escalation_refs invitation(const char *status, bool past_deadline)
{
    escalation_refs r;
    memset(&r, 0, sizeof r);
    r.invitation_found = true;
    r.invitation_status = status;
    r.invitation_past_deadline = past_deadline;
    return r;
}

Test(escalation_rules, INV_7_lack_of_engagement_needs_an_invitation)
{
    violations v;
    check(engagement_doc(false), NULL, &v);
    assert_only(&v, "INV-7", "invitation_id");
}

Test(escalation_rules, INV_7_invitation_not_found_refused)
{
    violations v;
    check(engagement_doc(true), NULL, &v);
    assert_only(&v, "INV-7", "invitation_id");
}

Test(escalation_rules, INV_7_accepted_invitation_refused)
{
    violations v;
    escalation_refs r = invitation("accepted", false);
    check(engagement_doc(true), &r, &v);
    assert_only(&v, "INV-7", "invitation_id");
    r = invitation("accepted", true);
    check(engagement_doc(true), &r, &v);
    assert_only(&v, "INV-7", "invitation_id");
}

Test(escalation_rules, INV_7_unanswered_invitation_within_its_deadline_refused)
{
    violations v;
    escalation_refs r = invitation("invited", false);
    check(engagement_doc(true), &r, &v);
    assert_only(&v, "INV-7", "invitation_id");
}

Test(escalation_rules, INV_7_declined_invitation_accepted)
{
    violations v;
    escalation_refs r = invitation("declined", false);
    check(engagement_doc(true), &r, &v);
    assert_none(&v);
    r = invitation("declined", true);
    check(engagement_doc(true), &r, &v);
    assert_none(&v);
}

Test(escalation_rules, INV_7_invitation_unanswered_past_its_deadline_accepted)
{
    violations v;
    escalation_refs r = invitation("invited", true);
    check(engagement_doc(true), &r, &v);
    assert_none(&v);
}

Test(escalation_rules, INV_7_accepted_then_marked_absent_accepted)
{
    violations v;
    escalation_refs r = invitation("accepted", false);
    r.invitation_attendance = "absent";
    check(engagement_doc(true), &r, &v);
    assert_none(&v);
}

Test(escalation_rules, INV_7_accepted_then_apologies_refused)
{
    violations v;
    escalation_refs r = invitation("accepted", false);
    r.invitation_attendance = "apologies";
    check(engagement_doc(true), &r, &v);
    assert_only(&v, "INV-7", "invitation_id");
}

Test(escalation_rules, INV_7_accepted_and_present_refused)
{
    violations v;
    escalation_refs r = invitation("accepted", true);
    r.invitation_attendance = "present";
    check(engagement_doc(true), &r, &v);
    assert_only(&v, "INV-7", "invitation_id");
    /* absent after apologies is not a lack of engagement either */
    r = invitation("apologies", false);
    r.invitation_attendance = "absent";
    check(engagement_doc(true), &r, &v);
    assert_only(&v, "INV-7", "invitation_id");
}

/* ---- FAM-2: a disputed family-notice decision may be escalated ---- */

static json_t *notice_doc(bool with_decision)
{
    json_t *doc = with(valid_doc(), "type", "\"family_notice_disagreement\"");
    return with_decision ? with(doc, "consent_decision_id", "\"" DECISION_ID "\"") : doc;
}

static escalation_refs decision(const char *status)
{
    escalation_refs r;
    memset(&r, 0, sizeof r);
    r.decision_found = true;
    r.decision_status = status;
    return r;
}

Test(escalation_rules, FAM_2_notice_disagreement_needs_the_decision)
{
    violations v;
    check(notice_doc(false), NULL, &v);
    assert_only(&v, "FAM-2", "consent_decision_id");
}

Test(escalation_rules, FAM_2_decision_not_found_refused)
{
    violations v;
    check(notice_doc(true), NULL, &v);
    assert_only(&v, "FAM-2", "consent_decision_id");
}

Test(escalation_rules, FAM_2_undisputed_decision_refused)
{
    const char *statuses[] = {"pending_agreement", "agreed", "effective"};
    for (int i = 0; i < COUNT(statuses); i++) {
        violations v;
        escalation_refs r = decision(statuses[i]);
        check(notice_doc(true), &r, &v);
        cr_assert(violations_has(&v, "FAM-2", "consent_decision_id"), "%s: %s", statuses[i],
                  describe(&v));
        cr_assert_eq(v.n, 1, "%s: %s", statuses[i], describe(&v));
    }
}

Test(escalation_rules, FAM_2_disputed_decision_accepted)
{
    violations v;
    escalation_refs r = decision("disputed");
    check(notice_doc(true), &r, &v);
    assert_none(&v);
}

/* ---- ESC-1: a disagreement about the need for a meeting names the
 * declined request ---- */

static json_t *need_doc(bool with_request)
{
    json_t *doc = with(valid_doc(), "type", "\"disagreement_about_need_for_meeting\"");
    return with_request ? with(doc, "declined_request_id", "\"" REQUEST_ID "\"") : doc;
}

static escalation_refs declined(const char *status)
{
    escalation_refs r;
    memset(&r, 0, sizeof r);
    r.declined_found = true;
    r.declined_status = status;
    return r;
}

Test(escalation_rules, ESC_1_need_disagreement_needs_the_declined_request)
{
    violations v;
    check(need_doc(false), NULL, &v);
    assert_only(&v, "ESC-1", "declined_request_id");
}

Test(escalation_rules, ESC_1_request_not_visible_refused)
{
    violations v;
    check(need_doc(true), NULL, &v);
    assert_only(&v, "ESC-1", "declined_request_id");
}

Test(escalation_rules, ESC_1_request_not_declined_refused)
{
    const char *statuses[] = {"requested", "authorised", "scheduled", "cancelled"};
    for (int i = 0; i < COUNT(statuses); i++) {
        violations v;
        escalation_refs r = declined(statuses[i]);
        check(need_doc(true), &r, &v);
        cr_assert(violations_has(&v, "ESC-1", "declined_request_id"), "%s: %s", statuses[i],
                  describe(&v));
        cr_assert_eq(v.n, 1, "%s: %s", statuses[i], describe(&v));
    }
}

/* A declined request of the convening agency, requested by requester_sub,
 * to which the raiser's agency is (not) invited. */
static escalation_refs declined_by(const char *convening, const char *requester_sub,
                                   bool raiser_invited)
{
    escalation_refs r = declined("declined");
    r.declined_convening_agency = convening;
    r.declined_requester_sub = requester_sub;
    r.raiser_agency_invited = raiser_invited;
    return r;
}

Test(escalation_rules, ESC_1_invited_agency_escalates_a_decline)
{
    violations v;
    escalation_refs r = declined_by(WITH_AGENCY, "officer-9", true);
    check(need_doc(true), &r, &v);
    assert_none(&v);
}

Test(escalation_rules, ESC_1_invited_agency_names_the_convening_agency)
{
    violations v;
    escalation_refs r = declined_by("HEALTH-1", "nurse-9", true);
    check(need_doc(true), &r, &v);
    assert_only(&v, "ESC-1", "with_agency");
}

Test(escalation_rules, ESC_1_requester_escalates_own_agency_decline)
{
    violations v;
    /* the raiser (sw-1) asked for the meeting; their own manager declined it */
    escalation_refs r = declined_by(RAISER_AGENCY, "sw-1", false);
    check(with(need_doc(true), "with_agency", "\"" RAISER_AGENCY "\""), &r, &v);
    assert_none(&v);
}

Test(escalation_rules, ESC_1_requester_must_name_own_agency)
{
    violations v;
    escalation_refs r = declined_by(RAISER_AGENCY, "sw-1", false);
    check(need_doc(true), &r, &v); /* with_agency POLICE */
    assert_only(&v, "ESC-1", "with_agency");
}

Test(escalation_rules, ESC_1_other_raisers_of_a_need_disagreement_refused)
{
    violations v;
    /* neither its requester nor of an agency invited to it */
    escalation_refs r = declined_by(WITH_AGENCY, "officer-9", false);
    check(need_doc(true), &r, &v);
    assert_only(&v, "ESC-1", "declined_request_id");
    /* a colleague of the requester, naming their own agency, is refused twice over */
    r = declined_by(RAISER_AGENCY, "sw-2", false);
    check(with(need_doc(true), "with_agency", "\"" RAISER_AGENCY "\""), &r, &v);
    cr_assert(violations_has(&v, "ESC-1", "with_agency"), "%s", describe(&v));
    cr_assert(violations_has(&v, "ESC-1", "declined_request_id"), "%s", describe(&v));
}

/* ---- ESC-1: each reference goes with its own type ---- */

Test(escalation_rules, ESC_1_invitation_on_another_type_refused)
{
    violations v;
    escalation_refs r = invitation("declined", true);
    check(with(valid_doc(), "invitation_id", "\"" INVITATION_ID "\""), &r, &v);
    assert_only(&v, "ESC-1", "invitation_id");
    escalation_refs both = decision("disputed");
    both.invitation_found = true;
    both.invitation_status = "declined";
    check(with(notice_doc(true), "invitation_id", "\"" INVITATION_ID "\""), &both, &v);
    assert_only(&v, "ESC-1", "invitation_id");
}

Test(escalation_rules, ESC_1_consent_decision_on_another_type_refused)
{
    violations v;
    escalation_refs r = decision("disputed");
    check(with(valid_doc(), "consent_decision_id", "\"" DECISION_ID "\""), &r, &v);
    assert_only(&v, "ESC-1", "consent_decision_id");
    escalation_refs both = invitation("declined", false);
    both.decision_found = true;
    both.decision_status = "disputed";
    check(with(engagement_doc(true), "consent_decision_id", "\"" DECISION_ID "\""), &both, &v);
    assert_only(&v, "ESC-1", "consent_decision_id");
}

Test(escalation_rules, ESC_1_declined_request_on_another_type_refused)
{
    violations v;
    escalation_refs r = declined("declined");
    check(with(valid_doc(), "declined_request_id", "\"" REQUEST_ID "\""), &r, &v);
    assert_only(&v, "ESC-1", "declined_request_id");
    escalation_refs both = decision("disputed");
    both.declined_found = true;
    both.declined_status = "declined";
    check(with(notice_doc(true), "declined_request_id", "\"" REQUEST_ID "\""), &both, &v);
    assert_only(&v, "ESC-1", "declined_request_id");
}

Test(escalation_rules, ESC_1_every_misplaced_reference_reported_at_once)
{
    violations v;
    json_t *doc = valid_doc();
    with(doc, "invitation_id", "\"" INVITATION_ID "\"");
    with(doc, "consent_decision_id", "\"" DECISION_ID "\"");
    with(doc, "declined_request_id", "\"" REQUEST_ID "\"");
    with(doc, "with_agency", "\"" RAISER_AGENCY "\"");
    check(doc, NULL, &v);
    cr_assert(violations_has(&v, "ESC-1", "invitation_id"), "%s", describe(&v));
    cr_assert(violations_has(&v, "ESC-1", "consent_decision_id"), "%s", describe(&v));
    cr_assert(violations_has(&v, "ESC-1", "declined_request_id"), "%s", describe(&v));
    cr_assert(violations_has(&v, "ESC-1", "with_agency"), "%s", describe(&v));
    cr_assert_eq(v.n, 4, "%s", describe(&v));
    cr_assert_not(v.schema);
}

/* ---- ESC-3: where the procedure starts ---- */

static int first_stage_of(json_t *doc)
{
    escalation_in in;
    violations v;
    violations_init(&v);
    escalation_parse(doc, &in, &v);
    cr_assert_eq(v.n, 0, "%s", describe(&v));
    int stage = escalation_first_stage(&in);
    json_decref(doc);
    return stage;
}

Test(escalation_rules, ESC_3_starts_at_stage_1)
{
    cr_assert_eq(first_stage_of(valid_doc()), 1);
    cr_assert_eq(first_stage_of(with(valid_doc(), "immediate_risk", "false")), 1);
    cr_assert_eq(first_stage_of(with(valid_doc(), "immediate_risk", "null")), 1);
}

Test(escalation_rules, ESC_3_immediate_risk_starts_at_stage_3)
{
    cr_assert_eq(first_stage_of(with(valid_doc(), "immediate_risk", "true")), 3);
}

/* ---- ESC-2: who answers at each stage ---- */

#define OTHER_AGENCY "SCH-1"

static bool may(unsigned roles, const char *agency, int stage)
{
    caller c = make_caller("someone", agency, roles);
    return escalation_may_respond(&c, stage, RAISER_AGENCY, WITH_AGENCY);
}

Test(escalation_rules, ESC_2_stage_1_practitioners_of_either_agency)
{
    unsigned roles[] = {ROLE_PRACTITIONER, ROLE_SENIOR_PRACTITIONER, ROLE_NAMED_DOCTOR,
                        ROLE_PRACTITIONER | ROLE_MANAGER};
    for (int i = 0; i < COUNT(roles); i++) {
        cr_assert(may(roles[i], RAISER_AGENCY, 1), "roles %#x of the raiser's agency", roles[i]);
        cr_assert(may(roles[i], WITH_AGENCY, 1), "roles %#x of the other agency", roles[i]);
        cr_assert_not(may(roles[i], OTHER_AGENCY, 1), "roles %#x of a third agency", roles[i]);
    }
}

Test(escalation_rules, ESC_2_stage_1_not_managers_alone)
{
    unsigned roles[] = {ROLE_MANAGER, ROLE_SENIOR_MANAGER, ROLE_PARTNERSHIP, ROLE_ADMIN,
                        ROLE_AUDITOR, ROLE_INTEGRATION, 0};
    for (int i = 0; i < COUNT(roles); i++) {
        cr_assert_not(may(roles[i], RAISER_AGENCY, 1), "roles %#x", roles[i]);
        cr_assert_not(may(roles[i], WITH_AGENCY, 1), "roles %#x", roles[i]);
    }
}

Test(escalation_rules, ESC_2_stage_2_managers_of_either_agency)
{
    cr_assert(may(ROLE_MANAGER, RAISER_AGENCY, 2));
    cr_assert(may(ROLE_MANAGER, WITH_AGENCY, 2));
    cr_assert_not(may(ROLE_MANAGER, OTHER_AGENCY, 2));
    unsigned roles[] = {ROLE_PRACTITIONER, ROLE_SENIOR_PRACTITIONER, ROLE_NAMED_DOCTOR,
                        ROLE_SENIOR_MANAGER, ROLE_PARTNERSHIP};
    for (int i = 0; i < COUNT(roles); i++) {
        cr_assert_not(may(roles[i], RAISER_AGENCY, 2), "roles %#x", roles[i]);
        cr_assert_not(may(roles[i], WITH_AGENCY, 2), "roles %#x", roles[i]);
    }
}

Test(escalation_rules, ESC_2_stage_3_senior_managers_of_either_agency)
{
    cr_assert(may(ROLE_SENIOR_MANAGER, RAISER_AGENCY, 3));
    cr_assert(may(ROLE_SENIOR_MANAGER, WITH_AGENCY, 3));
    cr_assert_not(may(ROLE_SENIOR_MANAGER, OTHER_AGENCY, 3));
    unsigned roles[] = {ROLE_MANAGER, ROLE_PRACTITIONER, ROLE_SENIOR_PRACTITIONER,
                        ROLE_NAMED_DOCTOR, ROLE_PARTNERSHIP};
    for (int i = 0; i < COUNT(roles); i++) {
        cr_assert_not(may(roles[i], RAISER_AGENCY, 3), "roles %#x", roles[i]);
        cr_assert_not(may(roles[i], WITH_AGENCY, 3), "roles %#x", roles[i]);
    }
}

Test(escalation_rules, ESC_2_stage_4_the_partnership_of_any_agency)
{
    cr_assert(may(ROLE_PARTNERSHIP, RAISER_AGENCY, 4));
    cr_assert(may(ROLE_PARTNERSHIP, WITH_AGENCY, 4));
    cr_assert(may(ROLE_PARTNERSHIP, "LSCP", 4));
    unsigned roles[] = {ROLE_SENIOR_MANAGER, ROLE_MANAGER, ROLE_PRACTITIONER,
                        ROLE_NAMED_DOCTOR, ROLE_ADMIN};
    for (int i = 0; i < COUNT(roles); i++) {
        cr_assert_not(may(roles[i], RAISER_AGENCY, 4), "roles %#x", roles[i]);
        cr_assert_not(may(roles[i], WITH_AGENCY, 4), "roles %#x", roles[i]);
    }
}

Test(escalation_rules, ESC_2_no_one_answers_outside_stages_1_to_4)
{
    unsigned everyone = ROLE_PRACTITIONER | ROLE_SENIOR_PRACTITIONER | ROLE_MANAGER |
                        ROLE_SENIOR_MANAGER | ROLE_NAMED_DOCTOR | ROLE_PARTNERSHIP | ROLE_ADMIN;
    int stages[] = {0, 5, -1, ESCALATION_LAST_STAGE + 1};
    for (int i = 0; i < COUNT(stages); i++) {
        cr_assert_not(may(everyone, RAISER_AGENCY, stages[i]), "stage %d", stages[i]);
        cr_assert_not(may(everyone, WITH_AGENCY, stages[i]), "stage %d", stages[i]);
    }
}
