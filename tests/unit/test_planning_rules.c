/* Planning rules (domain/planning.c): invitations (INV-1 to INV-5, INV-7),
 * family-notice decisions (FAM-1 to FAM-4), scheduling (MTG-6, MTG-7 and
 * INV-2 at scheduling) and holding (MTG-8), one test per rule and refusal
 * path; each test name carries the rule ID it proves. Shape problems are
 * schema violations (no rule), reported by the parsers alone, because the
 * service answers them before any rule is applied. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/caller.h"
#include "core/text.h"
#include "domain/calendar.h"
#include "domain/planning.h"
#include "domain/violations.h"

#define TODAY "2026-11-23"          /* a Monday */
#define NOW "2026-11-23T09:00:00Z"
#define START "2026-12-07T10:00:00Z" /* two weeks later, a Monday */

/* ---- helpers ---- */

static json_t *load(const char *text)
{
    json_error_t err;
    json_t *doc = json_loads(text, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
    cr_assert_not_null(doc, "test JSON does not parse: %s (line %d)", err.text, err.line);
    return doc;
}

/* Sets (value not NULL) or removes (value NULL) the member at `path`, which is
 * a key or parent.key; takes the reference to value. Returns doc. */
static json_t *with_value(json_t *doc, const char *path, json_t *value)
{
    char parent[64];
    const char *dot = strchr(path, '.');
    json_t *obj = doc;
    const char *key = path;
    if (dot) {
        snprintf(parent, sizeof parent, "%.*s", (int)(dot - path), path);
        obj = json_object_get(doc, parent);
        cr_assert(json_is_object(obj), "no object '%s' in the test document", parent);
        key = dot + 1;
    }
    if (value)
        json_object_set_new(obj, key, value);
    else
        json_object_del(obj, key);
    return doc;
}

/* As with_value, the value given as JSON text (NULL removes). */
static json_t *with(json_t *doc, const char *path, const char *json_text)
{
    return with_value(doc, path, json_text ? load(json_text) : NULL);
}

/* A string of n copies of `unit` (one character, possibly multi-byte). */
static json_t *long_string(const char *unit, size_t n)
{
    size_t len = strlen(unit);
    char *s = malloc(len * n + 1);
    cr_assert_not_null(s);
    for (size_t i = 0; i < n; i++)
        memcpy(s + i * len, unit, len);
    s[len * n] = '\0';
    json_t *j = json_string(s);
    free(s);
    cr_assert_not_null(j);
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

static int count_rule(const violations *v, const char *rule)
{
    int n = 0;
    for (int i = 0; i < v->n; i++)
        if (v->items[i].rule && strcmp(v->items[i].rule, rule) == 0)
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

static cal_day day(const char *ymd)
{
    cal_day d;
    cr_assert(cal_parse(ymd, &d), "bad test date %s", ymd);
    return d;
}

static long long epoch(const char *timestamp)
{
    long long e;
    cr_assert(text_parse_timestamp(timestamp, &e), "bad test timestamp %s", timestamp);
    return e;
}

/* ---- invitations: documents and facts ---- */

static const char professional_invitation[] =
    "{"
    "\"category\": \"professional\","
    "\"invitee\": {\"sub\": \"hv-1\", \"name\": \"Harper Visitor\", \"agency\": \"NHS-HV\","
    "              \"contact\": \"harper.visitor@example.nhs.uk\"},"
    "\"role\": \"Report on health visiting contact since the last review\","
    "\"respond_by\": \"2026-11-30\""
    "}";

static const char family_invitation[] =
    "{"
    "\"category\": \"parent_carer\","
    "\"invitee\": {\"name\": \"Pat Parent\", \"contact\": \"07700 900123\"},"
    "\"role\": \"Share the family's view of the support offered\","
    "\"invited_by\": \"Sam Social Worker\","
    "\"support_needs\": \"A Polish interpreter\""
    "}";

/* A scheduled two-part meeting whose family is informed. */
static invitation_facts invitation_facts_ok(void)
{
    invitation_facts f = {.today = TODAY,
                          .family_notice = "inform",
                          .family_notice_status = "effective",
                          .two_part = true,
                          .scheduled = true};
    return f;
}

/* Parses and checks doc against f, then releases it. */
static void check_invitation(json_t *doc, const invitation_facts *f, violations *v)
{
    invitation_in in;
    violations_init(v);
    invitation_parse(doc, &in, v);
    invitation_check(&in, f, v);
    json_decref(doc);
}

static void check_invitation_ok_facts(json_t *doc, violations *v)
{
    invitation_facts f = invitation_facts_ok();
    check_invitation(doc, &f, v);
}

/* Shape only: what the service answers 400 for before applying rules. */
static void parse_invitation(json_t *doc, violations *v)
{
    invitation_in in;
    violations_init(v);
    invitation_parse(doc, &in, v);
    json_decref(doc);
}

/* ---- INV-1: what an invitation names ---- */

Test(planning_rules, INV_1_valid_professional_invitation_accepted)
{
    json_t *doc = load(professional_invitation);
    invitation_in in;
    violations v;
    violations_init(&v);
    invitation_parse(doc, &in, &v);
    invitation_facts f = invitation_facts_ok();
    invitation_check(&in, &f, &v);
    assert_none(&v);
    cr_assert_str_eq(in.category, "professional");
    cr_assert_str_eq(in.invitee.sub, "hv-1");
    cr_assert_str_eq(in.invitee.name, "Harper Visitor");
    cr_assert_str_eq(in.invitee.agency, "NHS-HV");
    cr_assert_str_eq(in.invitee.contact, "harper.visitor@example.nhs.uk");
    cr_assert_str_eq(in.respond_by, "2026-11-30");
    cr_assert_null(in.invited_by);
    cr_assert_null(in.support_needs);
    json_decref(doc);
}

Test(planning_rules, INV_1_specialist_invited_like_a_professional)
{
    violations v;
    check_invitation_ok_facts(with(load(professional_invitation), "category", "\"specialist\""),
                              &v);
    assert_none(&v);
}

Test(planning_rules, INV_1_professional_invitation_valid_whatever_the_family_notice)
{
    invitation_facts f = {.today = TODAY, .family_notice = "not_inform",
                          .family_notice_status = "pending_agreement"};
    violations v;
    check_invitation(load(professional_invitation), &f, &v);
    assert_none(&v);
    f.family_notice = NULL;
    f.family_notice_status = NULL;
    check_invitation(load(professional_invitation), &f, &v);
    assert_none(&v);
}

Test(planning_rules, INV_1_every_missing_part_of_an_empty_invitation_reported_at_once)
{
    violations v;
    check_invitation_ok_facts(load("{}"), &v);
    cr_assert(violations_has(&v, "INV-1", "category"), "%s", describe(&v));
    cr_assert(violations_has(&v, "INV-1", "invitee"), "%s", describe(&v));
    cr_assert(violations_has(&v, "INV-1", "role"), "%s", describe(&v));
    cr_assert_eq(v.n, 3, "exactly three violations expected, got %s", describe(&v));
    cr_assert_not(v.schema, "nothing in {} breaks the schema: %s", describe(&v));
}

Test(planning_rules, INV_1_missing_category_rejected)
{
    violations v;
    check_invitation_ok_facts(with(load(professional_invitation), "category", NULL), &v);
    assert_only(&v, "INV-1", "category");
}

Test(planning_rules, INV_1_unknown_category_rejected)
{
    violations v;
    check_invitation_ok_facts(with(load(professional_invitation), "category", "\"neighbour\""),
                              &v);
    assert_only(&v, "INV-1", "category");
}

Test(planning_rules, INV_1_missing_invitee_rejected)
{
    violations v;
    check_invitation_ok_facts(with(load(family_invitation), "invitee", NULL), &v);
    assert_only(&v, "INV-1", "invitee");
}

Test(planning_rules, INV_1_missing_invitee_name_rejected)
{
    violations v;
    check_invitation_ok_facts(with(load(professional_invitation), "invitee.name", NULL), &v);
    assert_only(&v, "INV-1", "invitee.name");
}

Test(planning_rules, INV_1_blank_invitee_name_rejected)
{
    violations v;
    check_invitation_ok_facts(with(load(professional_invitation), "invitee.name", "\"  \\t \""),
                              &v);
    assert_only(&v, "INV-1", "invitee.name");
}

Test(planning_rules, INV_1_missing_invitee_contact_rejected)
{
    violations v;
    check_invitation_ok_facts(with(load(professional_invitation), "invitee.contact", NULL), &v);
    assert_only(&v, "INV-1", "invitee.contact");
}

Test(planning_rules, INV_1_family_invitee_contact_required_too)
{
    violations v;
    check_invitation_ok_facts(with(load(family_invitation), "invitee.contact", NULL), &v);
    assert_only(&v, "INV-1", "invitee.contact");
}

Test(planning_rules, INV_1_missing_role_rejected)
{
    violations v;
    check_invitation_ok_facts(with(load(professional_invitation), "role", NULL), &v);
    assert_only(&v, "INV-1", "role");
}

Test(planning_rules, INV_1_blank_role_rejected)
{
    violations v;
    check_invitation_ok_facts(with(load(family_invitation), "role", "\" \""), &v);
    assert_only(&v, "INV-1", "role");
}

Test(planning_rules, INV_1_professional_needs_agency)
{
    const char *categories[] = {"professional", "specialist"};
    for (size_t i = 0; i < 2; i++) {
        json_t *doc = with(load(professional_invitation), "invitee.agency", NULL);
        with_value(doc, "category", json_string(categories[i]));
        violations v;
        check_invitation_ok_facts(doc, &v);
        cr_assert(violations_has(&v, "INV-1", "invitee.agency"), "%s: %s", categories[i],
                  describe(&v));
        cr_assert_eq(v.n, 1, "%s: %s", categories[i], describe(&v));
    }
}

Test(planning_rules, INV_1_professional_needs_sub)
{
    const char *categories[] = {"professional", "specialist"};
    for (size_t i = 0; i < 2; i++) {
        json_t *doc = with(load(professional_invitation), "invitee.sub", NULL);
        with_value(doc, "category", json_string(categories[i]));
        violations v;
        check_invitation_ok_facts(doc, &v);
        cr_assert(violations_has(&v, "INV-1", "invitee.sub"), "%s: %s", categories[i],
                  describe(&v));
        cr_assert_eq(v.n, 1, "%s: %s", categories[i], describe(&v));
    }
}

Test(planning_rules, INV_1_professional_without_agency_or_sub_reports_both)
{
    json_t *doc = with(load(professional_invitation), "invitee", "{\"name\": \"A\", \"contact\": \"c\"}");
    violations v;
    check_invitation_ok_facts(doc, &v);
    cr_assert(violations_has(&v, "INV-1", "invitee.agency"), "%s", describe(&v));
    cr_assert(violations_has(&v, "INV-1", "invitee.sub"), "%s", describe(&v));
    cr_assert_eq(v.n, 2, "%s", describe(&v));
}

Test(planning_rules, INV_1_family_member_has_no_agency)
{
    const char *categories[] = {"parent_carer", "child_young_person"};
    for (size_t i = 0; i < 2; i++) {
        json_t *doc = with(load(family_invitation), "invitee.agency", "\"LA-CSC\"");
        with_value(doc, "category", json_string(categories[i]));
        violations v;
        check_invitation_ok_facts(doc, &v);
        cr_assert(violations_has(&v, "INV-1", "invitee.agency"), "%s: %s", categories[i],
                  describe(&v));
        cr_assert_eq(v.n, 1, "%s: %s", categories[i], describe(&v));
        cr_assert_not(v.schema);
    }
}

Test(planning_rules, INV_1_family_member_needs_no_sub)
{
    violations v;
    check_invitation_ok_facts(load(family_invitation), &v);
    assert_none(&v);
}

/* ---- INV-2: family members ---- */

Test(planning_rules, INV_2_family_invitation_accepted_when_informed_and_two_part)
{
    const char *categories[] = {"parent_carer", "child_young_person"};
    for (size_t i = 0; i < 2; i++) {
        json_t *doc = with_value(load(family_invitation), "category", json_string(categories[i]));
        violations v;
        check_invitation_ok_facts(doc, &v);
        cr_assert_eq(v.n, 0, "%s: %s", categories[i], describe(&v));
    }
}

Test(planning_rules, INV_2_family_invitation_refused_while_family_not_informed)
{
    invitation_facts f = invitation_facts_ok();
    f.family_notice = "not_inform";
    f.family_notice_status = "effective";
    violations v;
    check_invitation(load(family_invitation), &f, &v);
    /* and FAM-9: no family member is invited under a decision not to inform */
    cr_assert(violations_has(&v, "INV-2", "category"), "%s", describe(&v));
    cr_assert(violations_has(&v, "FAM-9", "category"), "%s", describe(&v));
    cr_assert_eq(v.n, 2, "%s", describe(&v));
}

Test(planning_rules, INV_2_family_invitation_refused_with_no_family_notice_decision)
{
    invitation_facts f = invitation_facts_ok();
    f.family_notice = NULL;
    f.family_notice_status = NULL;
    violations v;
    check_invitation(load(family_invitation), &f, &v);
    assert_only(&v, "INV-2", "category");
}

Test(planning_rules, INV_2_child_invitation_refused_while_family_not_informed)
{
    invitation_facts f = invitation_facts_ok();
    f.family_notice = "not_inform";
    violations v;
    check_invitation(with(load(family_invitation), "category", "\"child_young_person\""), &f, &v);
    cr_assert(violations_has(&v, "INV-2", "category"), "%s", describe(&v));
    cr_assert(violations_has(&v, "FAM-9", "category"), "%s", describe(&v));
    cr_assert_eq(v.n, 2, "%s", describe(&v));
}

Test(planning_rules, INV_2_family_invitation_refused_before_scheduling)
{
    invitation_facts f = invitation_facts_ok();
    f.scheduled = false;
    violations v;
    check_invitation(load(family_invitation), &f, &v);
    assert_only(&v, "INV-2", "category");
}

Test(planning_rules, INV_2_family_invitation_refused_for_a_single_part_meeting)
{
    invitation_facts f = invitation_facts_ok();
    f.two_part = false;
    violations v;
    check_invitation(load(family_invitation), &f, &v);
    assert_only(&v, "INV-2", "category");
}

Test(planning_rules, INV_2_family_not_informed_and_single_part_both_reported)
{
    invitation_facts f = invitation_facts_ok();
    f.family_notice = "not_inform";
    f.two_part = false;
    violations v;
    check_invitation(load(family_invitation), &f, &v);
    cr_assert_eq(count_rule(&v, "INV-2"), 2, "%s", describe(&v));
    cr_assert_eq(count_rule(&v, "FAM-9"), 1, "%s", describe(&v));
    cr_assert_eq(v.n, 3, "%s", describe(&v));
}

Test(planning_rules, INV_2_family_invitation_needs_invited_by)
{
    violations v;
    check_invitation_ok_facts(with(load(family_invitation), "invited_by", NULL), &v);
    assert_only(&v, "INV-2", "invited_by");
    check_invitation_ok_facts(with(load(family_invitation), "invited_by", "\" \""), &v);
    assert_only(&v, "INV-2", "invited_by");
}

Test(planning_rules, INV_2_family_invitation_needs_support_needs)
{
    violations v;
    check_invitation_ok_facts(with(load(family_invitation), "support_needs", NULL), &v);
    assert_only(&v, "INV-2", "support_needs");
    check_invitation_ok_facts(with(load(family_invitation), "support_needs", "\"none\""), &v);
    assert_none(&v);
}

Test(planning_rules, INV_2_professional_may_not_carry_invited_by)
{
    violations v;
    check_invitation_ok_facts(with(load(professional_invitation), "invited_by", "\"Sam\""), &v);
    assert_only(&v, "INV-2", "invited_by");
}

Test(planning_rules, INV_2_professional_may_not_carry_support_needs)
{
    violations v;
    check_invitation_ok_facts(
        with(load(professional_invitation), "support_needs", "\"wheelchair access\""), &v);
    assert_only(&v, "INV-2", "support_needs");
}

/* violations.h: every problem is collected, so a client learns them all at
 * once; invited_by and support_needs are two independent problems. */
Test(planning_rules, INV_2_professional_carrying_invited_by_and_support_needs_reports_both)
{
    json_t *doc = with(load(professional_invitation), "invited_by", "\"Sam\"");
    with(doc, "support_needs", "\"wheelchair access\"");
    violations v;
    check_invitation_ok_facts(doc, &v);
    cr_assert(violations_has(&v, "INV-2", "invited_by"), "%s", describe(&v));
    cr_assert(violations_has(&v, "INV-2", "support_needs"), "%s", describe(&v));
    cr_assert_eq(v.n, 2, "%s", describe(&v));
}

/* ---- INV-7: the response deadline ---- */

Test(planning_rules, INV_7_respond_by_in_the_past_refused)
{
    violations v;
    check_invitation_ok_facts(with(load(professional_invitation), "respond_by", "\"2026-11-22\""),
                              &v);
    assert_only(&v, "INV-7", "respond_by");
}

Test(planning_rules, INV_7_respond_by_today_or_later_accepted)
{
    violations v;
    check_invitation_ok_facts(with(load(professional_invitation), "respond_by", "\"" TODAY "\""),
                              &v);
    assert_none(&v);
    check_invitation_ok_facts(with(load(family_invitation), "respond_by", "\"2027-01-04\""), &v);
    assert_none(&v);
}

Test(planning_rules, INV_7_respond_by_is_optional)
{
    violations v;
    check_invitation_ok_facts(with(load(professional_invitation), "respond_by", NULL), &v);
    assert_none(&v);
    check_invitation_ok_facts(with(load(professional_invitation), "respond_by", "null"), &v);
    assert_none(&v);
}

/* ---- INV-8: the response deadline falls before the meeting ---- */

static const char *ymd(cal_day d)
{
    static char out[4][11];
    static int next;
    char *o = out[next++ % 4];
    cal_format(d, o);
    return o;
}

Test(planning_rules, INV_8_default_is_the_earlier_of_response_days_and_the_working_day_before_the_start)
{
    /* sent Monday 23 November (three working days: Thursday 26) */
    cal_day today = day("2026-11-23");
    /* a meeting on Wednesday 25: due Tuesday 24, the working day before it */
    cr_assert_str_eq(ymd(invitation_default_deadline("professionals", today, true,
                                                     day("2026-11-25"), 3, NULL)),
                     "2026-11-24");
    /* a meeting on Monday 30: due Friday 27 would do, but three working days come first */
    cr_assert_str_eq(ymd(invitation_default_deadline("professionals", today, true,
                                                     day("2026-11-30"), 3, NULL)),
                     "2026-11-26");
    /* a meeting on Monday 30 with a policy of five days: the Friday before */
    cr_assert_str_eq(ymd(invitation_default_deadline("multi_agency", today, true,
                                                     day("2026-11-30"), 5, NULL)),
                     "2026-11-27");
}

Test(planning_rules, INV_8_strategy_discussion_default_is_the_start_day)
{
    cal_day today = day("2026-11-23");
    cr_assert_str_eq(ymd(invitation_default_deadline("strategy_discussion", today, true, today,
                                                     3, NULL)),
                     "2026-11-23", "a same-day discussion: answers are due today");
    cr_assert_str_eq(ymd(invitation_default_deadline("strategy_discussion", today, true,
                                                     day("2026-11-24"), 3, NULL)),
                     "2026-11-24");
    cr_assert_str_eq(ymd(invitation_deadline_cap("strategy_discussion", today, day("2026-11-25"),
                                                 NULL)),
                     "2026-11-25");
}

Test(planning_rules, INV_8_deadline_never_before_today)
{
    cal_day today = day("2026-11-23");
    /* a meeting later today, or tomorrow: the working day before is past or today */
    cr_assert_str_eq(ymd(invitation_default_deadline("professionals", today, true, today, 3,
                                                     NULL)),
                     "2026-11-23");
    cr_assert_str_eq(ymd(invitation_deadline_cap("stop_and_review", today, day("2026-11-24"),
                                                 NULL)),
                     "2026-11-23");
    /* sent on a Saturday for the Monday: due that day, not the Friday before */
    cr_assert_str_eq(ymd(invitation_deadline_cap("professionals", day("2026-11-28"),
                                                 day("2026-11-30"), NULL)),
                     "2026-11-28");
}

Test(planning_rules, INV_8_unscheduled_meeting_uses_response_days)
{
    cal_day today = day("2026-11-23");
    cr_assert_str_eq(ymd(invitation_default_deadline("strategy_discussion", today, false, 0, 3,
                                                     NULL)),
                     "2026-11-26");
    cr_assert_str_eq(ymd(invitation_default_deadline("professionals", day("2026-11-26"), false,
                                                     0, 3, NULL)),
                     "2026-12-01", "over the weekend");
}

Test(planning_rules, INV_8_bank_holiday_before_the_start_is_skipped)
{
    /* a meeting on Tuesday 29 December 2026, after Christmas Day (Friday 25) and the
     * Boxing Day substitute (Monday 28): the working day before is Thursday 24 */
    cal_day bank[] = {day("2026-12-25"), day("2026-12-28")};
    holidays h = {.days = bank, .n = 2};
    cr_assert_str_eq(ymd(invitation_deadline_cap("multi_agency", day("2026-12-21"),
                                                 day("2026-12-29"), &h)),
                     "2026-12-24");
    cr_assert_str_eq(ymd(invitation_default_deadline("multi_agency", day("2026-12-22"), true,
                                                     day("2026-12-29"), 3, &h)),
                     "2026-12-24");
}

Test(planning_rules, INV_8_explicit_deadline_after_the_start_refused)
{
    invitation_facts f = invitation_facts_ok();
    f.start_day = "2026-12-07";
    violations v;
    check_invitation(with(load(professional_invitation), "respond_by", "\"2026-12-08\""), &f,
                     &v);
    assert_only(&v, "INV-8", "respond_by");
    /* by the start day itself, or earlier, is accepted */
    check_invitation(with(load(professional_invitation), "respond_by", "\"2026-12-07\""), &f,
                     &v);
    assert_none(&v);
    check_invitation(with(load(professional_invitation), "respond_by", "\"2026-12-01\""), &f,
                     &v);
    assert_none(&v);
    /* before scheduling there is no start to be before */
    f.start_day = NULL;
    check_invitation(with(load(professional_invitation), "respond_by", "\"2027-03-01\""), &f,
                     &v);
    assert_none(&v);
}

/* ---- invitations: shape problems ---- */

Test(planning_rules, invitation_wrong_types_are_schema_violations)
{
    struct {
        const char *path, *value;
    } cases[] = {
        {"category", "1"},           {"category", "[\"professional\"]"},
        {"invitee", "\"Harper\""},    {"invitee.name", "42"},
        {"invitee.contact", "true"},  {"invitee.sub", "{}"},
        {"invitee.agency", "7"},      {"role", "[]"},
        {"respond_by", "20261130"},   {"invited_by", "false"},
        {"support_needs", "{\"a\": 1}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        violations v;
        parse_invitation(with(load(professional_invitation), cases[i].path, cases[i].value), &v);
        cr_assert(violations_has(&v, NULL, cases[i].path), "%s = %s: %s", cases[i].path,
                  cases[i].value, describe(&v));
        cr_assert_eq(v.n, 1, "%s = %s: %s", cases[i].path, cases[i].value, describe(&v));
        cr_assert(v.schema);
    }
}

Test(planning_rules, invitation_unknown_fields_are_schema_violations)
{
    violations v;
    parse_invitation(with(load(professional_invitation), "priority", "\"high\""), &v);
    assert_schema_only(&v, "priority");
    parse_invitation(with(load(professional_invitation), "invitee.email", "\"a@b.c\""), &v);
    assert_schema_only(&v, "invitee.email");
    parse_invitation(with(load(professional_invitation), "invitee.role", "\"manager\""), &v);
    assert_schema_only(&v, "invitee.role");
}

Test(planning_rules, invitation_read_only_fields_are_schema_violations)
{
    const char *fields[] = {"id", "status", "short_notice", "attendance", "part"};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        violations v;
        parse_invitation(with(load(professional_invitation), fields[i], "\"x\""), &v);
        cr_assert(violations_has(&v, NULL, fields[i]), "%s: %s", fields[i], describe(&v));
        cr_assert_eq(v.n, 1, "%s: %s", fields[i], describe(&v));
        cr_assert(v.schema);
    }
}

Test(planning_rules, invitation_malformed_respond_by_is_a_schema_violation)
{
    const char *dates[] = {"\"2026-02-30\"", "\"30/11/2026\"", "\"2026-13-01\"", "\"2026-1-30\"",
                           "\"tomorrow\""};
    for (size_t i = 0; i < sizeof dates / sizeof dates[0]; i++) {
        violations v;
        check_invitation_ok_facts(with(load(professional_invitation), "respond_by", dates[i]),
                                  &v);
        cr_assert(violations_has(&v, NULL, "respond_by"), "%s: %s", dates[i], describe(&v));
        cr_assert_eq(v.n, 1, "%s: %s", dates[i], describe(&v));
        cr_assert(v.schema);
    }
}

Test(planning_rules, invitation_too_long_strings_are_schema_violations)
{
    struct {
        const char *path;
        size_t max;
    } cases[] = {
        {"invitee.name", 200}, {"invitee.contact", CONTACT_MAX}, {"invitee.sub", CALLER_SUB_MAX},
        {"role", ROLE_TEXT_MAX}, {"respond_by", 10},               {"invited_by", 200},
        {"support_needs", NOTE_MAX},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        violations v;
        parse_invitation(with_value(load(professional_invitation), cases[i].path,
                                    long_string("x", cases[i].max + 1)),
                         &v);
        cr_assert(violations_has(&v, NULL, cases[i].path), "%s: %s", cases[i].path,
                  describe(&v));
        cr_assert_eq(v.n, 1, "%s: %s", cases[i].path, describe(&v));
        cr_assert(v.schema);
    }
}

Test(planning_rules, INV_1_lengths_count_characters_not_bytes)
{
    violations v;
    check_invitation_ok_facts(
        with_value(load(professional_invitation), "invitee.name", long_string("\xc3\xa9", 200)),
        &v);
    assert_none(&v);
    check_invitation_ok_facts(
        with_value(load(professional_invitation), "role", long_string("x", ROLE_TEXT_MAX)), &v);
    assert_none(&v);
}

Test(planning_rules, invitation_malformed_agency_code_is_a_schema_violation)
{
    const char *codes[] = {"\"nhs-hv\"", "\"-NHS\"", "\"N\"", "\"NHS HV\""};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        violations v;
        parse_invitation(with(load(professional_invitation), "invitee.agency", codes[i]), &v);
        cr_assert(violations_has(&v, NULL, "invitee.agency"), "%s: %s", codes[i], describe(&v));
        cr_assert_eq(v.n, 1, "%s: %s", codes[i], describe(&v));
        cr_assert(v.schema);
    }
}

/* ---- INV-4: short notice ---- */

Test(planning_rules, INV_4_four_working_days_before_the_start_is_short_notice)
{
    /* invited Monday 23 November, meeting Friday 27: Tue, Wed, Thu, Fri */
    cr_assert(invitation_short_notice("professionals", day("2026-11-23"), day("2026-11-27"), 5,
                                      NULL));
}

Test(planning_rules, INV_4_five_working_days_before_the_start_is_enough_notice)
{
    /* invited Monday 23 November, meeting Monday 30: Tue to Fri and Mon */
    cr_assert_not(invitation_short_notice("professionals", day("2026-11-23"), day("2026-11-30"),
                                          5, NULL));
    cr_assert_not(invitation_short_notice("professionals", day("2026-11-23"), day("2026-12-07"),
                                          5, NULL));
}

Test(planning_rules, INV_4_same_day_and_past_starts_are_short_notice)
{
    cr_assert(invitation_short_notice("multi_agency", day("2026-11-23"), day("2026-11-23"), 5,
                                      NULL));
    cr_assert(invitation_short_notice("multi_agency", day("2026-11-23"), day("2026-11-20"), 5,
                                      NULL));
}

Test(planning_rules, INV_4_weekends_are_not_working_days)
{
    /* invited Thursday 26 November: Fri, Mon, Tue, Wed to Wednesday 2 December */
    cr_assert(invitation_short_notice("professionals", day("2026-11-26"), day("2026-12-02"), 5,
                                      NULL),
              "six calendar days over a weekend are four working days");
    cr_assert_not(invitation_short_notice("professionals", day("2026-11-26"), day("2026-12-03"),
                                          5, NULL));
}

Test(planning_rules, INV_4_bank_holidays_are_not_working_days)
{
    /* Christmas Day (Friday 25) and the Boxing Day substitute (Monday 28) */
    cal_day bank[] = {day("2026-12-25"), day("2026-12-28")};
    holidays h = {.days = bank, .n = 2};
    /* invited Monday 21 December, meeting Tuesday 29: 22, 23, 24, 29 */
    cr_assert(invitation_short_notice("stop_and_review", day("2026-12-21"), day("2026-12-29"), 5,
                                      &h));
    cr_assert_not(invitation_short_notice("stop_and_review", day("2026-12-21"), day("2026-12-30"),
                                          5, &h));
    /* without the bank holidays the same dates give six working days */
    holidays none = {.days = NULL, .n = 0};
    cr_assert_not(invitation_short_notice("stop_and_review", day("2026-12-21"),
                                          day("2026-12-29"), 5, &none));
}

Test(planning_rules, INV_4_notice_follows_policy)
{
    cr_assert_not(invitation_short_notice("professionals", day("2026-11-23"), day("2026-11-27"),
                                          4, NULL));
    cr_assert(invitation_short_notice("professionals", day("2026-11-23"), day("2026-11-30"), 6,
                                      NULL));
}

Test(planning_rules, INV_4_never_short_notice_for_a_strategy_discussion)
{
    cr_assert_not(invitation_short_notice("strategy_discussion", day("2026-11-23"),
                                          day("2026-11-23"), 5, NULL));
    cr_assert_not(invitation_short_notice("strategy_discussion", day("2026-11-23"),
                                          day("2026-11-24"), 5, NULL));
    const char *types[] = {"stop_and_review", "professionals", "professionals_only",
                           "multi_agency"};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        cr_assert(invitation_short_notice(types[i], day("2026-11-23"), day("2026-11-24"), 5, NULL),
                  "%s one working day ahead is short notice", types[i]);
}

/* ---- INV-3, INV-5: answers ---- */

static response_facts response_facts_for(const char *category, const char *format)
{
    response_facts f = {.category = category, .meeting_format = format, .invitee_sub = "hv-1"};
    return f;
}

static void check_response_facts(const char *text, const response_facts *f, violations *v)
{
    json_t *doc = load(text);
    response_in in;
    violations_init(v);
    response_parse(doc, &in, v);
    response_check(&in, f, v);
    json_decref(doc);
}

static void check_response(const char *text, violations *v)
{
    response_facts f = response_facts_for("professional", "in_person");
    check_response_facts(text, &f, v);
}

static void parse_response(const char *text, violations *v)
{
    json_t *doc = load(text);
    response_in in;
    violations_init(v);
    response_parse(doc, &in, v);
    json_decref(doc);
}

#define DELEGATE "{\"sub\": \"hv-2\", \"name\": \"Hollis Visitor\", \"agency\": \"NHS-HV\", " \
                 "\"contact\": \"hollis.visitor@example.nhs.uk\"}"

Test(planning_rules, INV_3_each_response_accepted)
{
    const char *ok[] = {
        "{\"response\": \"accepted\"}",
        "{\"response\": \"declined\", \"reason\": \"On leave that week\"}",
        "{\"response\": \"apologies\"}",
        "{\"response\": \"apologies\", \"contribution\": \"Attendance is 92% this term\"}",
        "{\"response\": \"delegated\", \"delegate\": " DELEGATE "}",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        violations v;
        check_response(ok[i], &v);
        cr_assert_eq(v.n, 0, "%s: %s", ok[i], describe(&v));
    }
}

Test(planning_rules, INV_3_delegation_parsed)
{
    json_t *doc = load("{\"response\": \"delegated\", \"delegate\": " DELEGATE "}");
    response_in in;
    violations v;
    violations_init(&v);
    response_parse(doc, &in, &v);
    assert_none(&v);
    cr_assert(in.has_delegate);
    cr_assert_str_eq(in.delegate.sub, "hv-2");
    cr_assert_str_eq(in.delegate.name, "Hollis Visitor");
    cr_assert_str_eq(in.delegate.agency, "NHS-HV");
    cr_assert_str_eq(in.delegate.contact, "hollis.visitor@example.nhs.uk");
    cr_assert_eq(in.technology_access_confirmed, -1);
    json_decref(doc);
}

Test(planning_rules, INV_3_missing_response_rejected)
{
    violations v;
    check_response("{}", &v);
    assert_only(&v, "INV-3", "response");
}

Test(planning_rules, INV_3_unknown_response_rejected)
{
    violations v;
    check_response("{\"response\": \"maybe\"}", &v);
    assert_only(&v, "INV-3", "response");
}

Test(planning_rules, INV_3_decline_needs_a_reason)
{
    violations v;
    check_response("{\"response\": \"declined\"}", &v);
    assert_only(&v, "INV-3", "reason");
    check_response("{\"response\": \"declined\", \"reason\": \"   \"}", &v);
    assert_only(&v, "INV-3", "reason");
}

Test(planning_rules, INV_3_reason_only_with_a_decline)
{
    const char *bad[] = {
        "{\"response\": \"accepted\", \"reason\": \"r\"}",
        "{\"response\": \"apologies\", \"reason\": \"r\"}",
        "{\"response\": \"delegated\", \"reason\": \"r\", \"delegate\": " DELEGATE "}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        violations v;
        check_response(bad[i], &v);
        cr_assert(violations_has(&v, "INV-3", "reason"), "%s: %s", bad[i], describe(&v));
        cr_assert_eq(v.n, 1, "%s: %s", bad[i], describe(&v));
    }
}

Test(planning_rules, INV_3_contribution_only_with_apologies)
{
    const char *bad[] = {
        "{\"response\": \"accepted\", \"contribution\": \"c\"}",
        "{\"response\": \"declined\", \"reason\": \"r\", \"contribution\": \"c\"}",
        "{\"response\": \"delegated\", \"contribution\": \"c\", \"delegate\": " DELEGATE "}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        violations v;
        check_response(bad[i], &v);
        cr_assert(violations_has(&v, "INV-3", "contribution"), "%s: %s", bad[i], describe(&v));
        cr_assert_eq(v.n, 1, "%s: %s", bad[i], describe(&v));
    }
}

Test(planning_rules, INV_3_delegation_needs_a_delegate)
{
    violations v;
    check_response("{\"response\": \"delegated\"}", &v);
    assert_only(&v, "INV-3", "delegate");
    check_response("{\"response\": \"delegated\", \"delegate\": null}", &v);
    assert_only(&v, "INV-3", "delegate");
}

Test(planning_rules, INV_3_delegate_needs_sub_name_and_contact)
{
    const char *fields[] = {"sub", "name", "contact"};
    for (size_t i = 0; i < 3; i++) {
        json_t *doc = load("{\"response\": \"delegated\", \"delegate\": " DELEGATE "}");
        json_object_del(json_object_get(doc, "delegate"), fields[i]);
        response_in in;
        response_facts f = response_facts_for("professional", "virtual");
        violations v;
        violations_init(&v);
        response_parse(doc, &in, &v);
        response_check(&in, &f, &v);
        char path[32];
        snprintf(path, sizeof path, "delegate.%s", fields[i]);
        cr_assert(violations_has(&v, "INV-3", path), "%s: %s", path, describe(&v));
        cr_assert_eq(v.n, 1, "%s: %s", path, describe(&v));
        cr_assert_not(v.schema);
        json_decref(doc);
    }
}

Test(planning_rules, INV_3_empty_delegate_reports_every_missing_part)
{
    violations v;
    check_response("{\"response\": \"delegated\", \"delegate\": {}}", &v);
    cr_assert(violations_has(&v, "INV-3", "delegate.sub"), "%s", describe(&v));
    cr_assert(violations_has(&v, "INV-3", "delegate.name"), "%s", describe(&v));
    cr_assert(violations_has(&v, "INV-3", "delegate.contact"), "%s", describe(&v));
    cr_assert_eq(v.n, 3, "%s", describe(&v));
    cr_assert_not(v.schema);
}

Test(planning_rules, INV_3_delegate_agency_is_optional)
{
    violations v;
    check_response("{\"response\": \"delegated\", \"delegate\": "
                   "{\"sub\": \"hv-2\", \"name\": \"H\", \"contact\": \"c\"}}",
                   &v);
    assert_none(&v);
}

Test(planning_rules, INV_3_not_delegated_to_the_same_person)
{
    violations v;
    check_response("{\"response\": \"delegated\", \"delegate\": "
                   "{\"sub\": \"hv-1\", \"name\": \"Harper Visitor\", \"contact\": \"c\"}}",
                   &v);
    assert_only(&v, "INV-3", "delegate.sub");
}

Test(planning_rules, INV_3_delegate_only_with_a_delegation)
{
    const char *bad[] = {
        "{\"response\": \"accepted\", \"delegate\": " DELEGATE "}",
        "{\"response\": \"declined\", \"reason\": \"r\", \"delegate\": " DELEGATE "}",
        "{\"response\": \"apologies\", \"delegate\": " DELEGATE "}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        violations v;
        check_response(bad[i], &v);
        cr_assert(violations_has(&v, "INV-3", "delegate"), "%s: %s", bad[i], describe(&v));
        cr_assert_eq(v.n, 1, "%s: %s", bad[i], describe(&v));
    }
}

Test(planning_rules, INV_3_family_invitations_are_not_delegated)
{
    const char *categories[] = {"parent_carer", "child_young_person"};
    for (size_t i = 0; i < 2; i++) {
        response_facts f = response_facts_for(categories[i], "in_person");
        f.invitee_sub = NULL;
        violations v;
        check_response_facts("{\"response\": \"delegated\", \"delegate\": " DELEGATE "}", &f, &v);
        cr_assert(violations_has(&v, "INV-3", "response"), "%s: %s", categories[i], describe(&v));
        cr_assert_eq(v.n, 1, "%s: %s", categories[i], describe(&v));
        check_response_facts("{\"response\": \"accepted\"}", &f, &v);
        cr_assert_eq(v.n, 0, "%s: %s", categories[i], describe(&v));
    }
}

Test(planning_rules, INV_3_the_invitee_answers)
{
    caller invitee = make_caller("hv-1", "NHS-HV", ROLE_PRACTITIONER);
    cr_assert(response_may_answer(&invitee, "professional", "hv-1", "NHS-HV", false));
    cr_assert(response_may_answer(&invitee, "specialist", "hv-1", "NHS-HV", false));
}

Test(planning_rules, INV_3_a_manager_of_the_invitees_agency_answers)
{
    caller m = make_caller("hv-manager", "NHS-HV", ROLE_MANAGER);
    caller sm = make_caller("hv-director", "NHS-HV", ROLE_SENIOR_MANAGER);
    cr_assert(response_may_answer(&m, "professional", "hv-1", "NHS-HV", false));
    cr_assert(response_may_answer(&sm, "professional", "hv-1", "NHS-HV", false));
    cr_assert(response_may_answer(&m, "specialist", "hv-1", "NHS-HV", false));
}

Test(planning_rules, INV_3_a_manager_of_another_agency_may_not_answer)
{
    caller m = make_caller("csc-manager", "LA-CSC", ROLE_MANAGER | ROLE_SENIOR_MANAGER);
    cr_assert_not(response_may_answer(&m, "professional", "hv-1", "NHS-HV", false));
    /* being on the convening side does not answer for a professional */
    cr_assert_not(response_may_answer(&m, "professional", "hv-1", "NHS-HV", true));
}

Test(planning_rules, INV_3_a_colleague_who_is_not_a_manager_may_not_answer)
{
    unsigned roles[] = {ROLE_PRACTITIONER, ROLE_SENIOR_PRACTITIONER, ROLE_NAMED_DOCTOR,
                        ROLE_ADMIN, ROLE_AUDITOR, ROLE_PARTNERSHIP, 0};
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
        caller c = make_caller("hv-2", "NHS-HV", roles[i]);
        cr_assert_not(response_may_answer(&c, "professional", "hv-1", "NHS-HV", false),
                      "roles %#x", roles[i]);
    }
}

Test(planning_rules, INV_3_family_invitations_answered_only_by_the_convening_side)
{
    const char *categories[] = {"parent_carer", "child_young_person"};
    caller sw = make_caller("sw-1", "LA-CSC", ROLE_PRACTITIONER);
    caller m = make_caller("csc-manager", "LA-CSC", ROLE_MANAGER);
    caller other = make_caller("hv-manager", "NHS-HV", ROLE_MANAGER);
    for (size_t i = 0; i < 2; i++) {
        cr_assert(response_may_answer(&sw, categories[i], NULL, NULL, true), "%s", categories[i]);
        cr_assert(response_may_answer(&m, categories[i], NULL, NULL, true), "%s", categories[i]);
        cr_assert_not(response_may_answer(&sw, categories[i], NULL, NULL, false), "%s",
                      categories[i]);
        cr_assert_not(response_may_answer(&other, categories[i], NULL, NULL, false), "%s",
                      categories[i]);
        /* even a caller whose sub matches the invitation's */
        cr_assert_not(response_may_answer(&sw, categories[i], "sw-1", "LA-CSC", false), "%s",
                      categories[i]);
    }
}

Test(planning_rules, INV_3_invitation_without_invitee_sub_answered_by_a_manager_only)
{
    caller m = make_caller("hv-manager", "NHS-HV", ROLE_MANAGER);
    caller p = make_caller("hv-1", "NHS-HV", ROLE_PRACTITIONER);
    cr_assert(response_may_answer(&m, "professional", NULL, "NHS-HV", false));
    cr_assert_not(response_may_answer(&p, "professional", NULL, "NHS-HV", false));
    cr_assert_not(response_may_answer(&m, "professional", NULL, NULL, false));
}

Test(planning_rules, INV_5_accepting_a_remote_meeting_needs_technology_access)
{
    const char *categories[] = {"professional", "specialist"};
    const char *formats[] = {"virtual", "hybrid"};
    const char *answers[] = {"{\"response\": \"accepted\"}",
                             "{\"response\": \"accepted\", \"technology_access_confirmed\": false}",
                             "{\"response\": \"accepted\", \"technology_access_confirmed\": null}"};
    for (size_t c = 0; c < 2; c++)
        for (size_t fm = 0; fm < 2; fm++)
            for (size_t a = 0; a < 3; a++) {
                response_facts f = response_facts_for(categories[c], formats[fm]);
                violations v;
                check_response_facts(answers[a], &f, &v);
                cr_assert(violations_has(&v, "INV-5", "technology_access_confirmed"),
                          "%s, %s, %s: %s", categories[c], formats[fm], answers[a], describe(&v));
                cr_assert_eq(v.n, 1, "%s, %s, %s: %s", categories[c], formats[fm], answers[a],
                             describe(&v));
                cr_assert_not(v.schema);
            }
}

Test(planning_rules, INV_5_confirmed_technology_access_accepted)
{
    const char *categories[] = {"professional", "specialist"};
    const char *formats[] = {"virtual", "hybrid"};
    for (size_t c = 0; c < 2; c++)
        for (size_t fm = 0; fm < 2; fm++) {
            response_facts f = response_facts_for(categories[c], formats[fm]);
            violations v;
            check_response_facts(
                "{\"response\": \"accepted\", \"technology_access_confirmed\": true}", &f, &v);
            cr_assert_eq(v.n, 0, "%s, %s: %s", categories[c], formats[fm], describe(&v));
        }
}

Test(planning_rules, INV_5_in_person_and_phone_meetings_need_no_confirmation)
{
    const char *formats[] = {"in_person", "phone", NULL};
    for (size_t fm = 0; fm < 3; fm++) {
        response_facts f = response_facts_for("professional", formats[fm]);
        violations v;
        check_response_facts("{\"response\": \"accepted\"}", &f, &v);
        cr_assert_eq(v.n, 0, "%s: %s", formats[fm] ? formats[fm] : "(unscheduled)",
                     describe(&v));
    }
}

Test(planning_rules, INV_5_family_member_accepting_a_virtual_meeting_confirms_or_states_support)
{
    const char *categories[] = {"parent_carer", "child_young_person"};
    const char *formats[] = {"virtual", "hybrid"};
    for (size_t c = 0; c < 2; c++)
        for (size_t fm = 0; fm < 2; fm++) {
            response_facts f = response_facts_for(categories[c], formats[fm]);
            f.invitee_sub = NULL;
            violations v;
            check_response_facts("{\"response\": \"accepted\"}", &f, &v);
            assert_only(&v, "INV-5", "technology_access_confirmed");
            check_response_facts(
                "{\"response\": \"accepted\", \"technology_access_confirmed\": true}", &f, &v);
            assert_none(&v);
            check_response_facts("{\"response\": \"accepted\", \"technology_support\":"
                                 " \"Needs a laptop lent by the school\"}",
                                 &f, &v);
            assert_none(&v);
        }
}

Test(planning_rules, INV_5_stated_support_accepts_without_confirmation)
{
    const char *categories[] = {"professional", "specialist", "parent_carer"};
    for (size_t c = 0; c < 3; c++) {
        response_facts f = response_facts_for(categories[c], "virtual");
        violations v;
        check_response_facts("{\"response\": \"accepted\", \"technology_access_confirmed\": false,"
                             " \"technology_support\": \"Joins from the GP surgery's room\"}",
                             &f, &v);
        assert_none(&v);
    }
}

Test(planning_rules, INV_5_support_only_with_an_acceptance)
{
    response_facts f = response_facts_for("professional", "virtual");
    violations v;
    check_response_facts("{\"response\": \"apologies\", \"technology_support\": \"A laptop\"}",
                         &f, &v);
    assert_only(&v, "INV-5", "technology_support");
    check_response_facts("{\"response\": \"declined\", \"reason\": \"r\","
                         " \"technology_support\": \"A laptop\"}",
                         &f, &v);
    assert_only(&v, "INV-5", "technology_support");
}

Test(planning_rules, INV_5_only_an_acceptance_needs_confirmation)
{
    response_facts f = response_facts_for("professional", "virtual");
    violations v;
    check_response_facts("{\"response\": \"declined\", \"reason\": \"r\"}", &f, &v);
    assert_none(&v);
    check_response_facts("{\"response\": \"apologies\"}", &f, &v);
    assert_none(&v);
    check_response_facts("{\"response\": \"delegated\", \"delegate\": " DELEGATE "}", &f, &v);
    assert_none(&v);
}

/* ---- answers: shape problems ---- */

Test(planning_rules, response_wrong_types_are_schema_violations)
{
    struct {
        const char *text, *field;
    } cases[] = {
        {"{\"response\": 1}", "response"},
        {"{\"response\": \"declined\", \"reason\": [\"r\"]}", "reason"},
        {"{\"response\": \"apologies\", \"contribution\": 3}", "contribution"},
        {"{\"response\": \"accepted\", \"technology_access_confirmed\": \"yes\"}",
         "technology_access_confirmed"},
        {"{\"response\": \"accepted\", \"technology_access_confirmed\": 1}",
         "technology_access_confirmed"},
        {"{\"response\": \"delegated\", \"delegate\": \"hv-2\"}", "delegate"},
        {"{\"response\": \"delegated\", \"delegate\": {\"sub\": 2, \"name\": \"H\", "
         "\"contact\": \"c\"}}",
         "delegate.sub"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        violations v;
        parse_response(cases[i].text, &v);
        cr_assert(violations_has(&v, NULL, cases[i].field), "%s: %s", cases[i].text,
                  describe(&v));
        cr_assert_eq(v.n, 1, "%s: %s", cases[i].text, describe(&v));
        cr_assert(v.schema);
    }
}

Test(planning_rules, response_unknown_and_read_only_fields_are_schema_violations)
{
    violations v;
    parse_response("{\"response\": \"accepted\", \"comment\": \"see you there\"}", &v);
    assert_schema_only(&v, "comment");
    parse_response("{\"response\": \"accepted\", \"status\": \"accepted\"}", &v);
    assert_schema_only(&v, "status");
    parse_response("{\"response\": \"delegated\", \"delegate\": {\"sub\": \"s\", \"name\": \"n\", "
                   "\"contact\": \"c\", \"phone\": \"1\"}}",
                   &v);
    assert_schema_only(&v, "delegate.phone");
}

Test(planning_rules, response_too_long_strings_are_schema_violations)
{
    struct {
        const char *base, *path;
        size_t max;
    } cases[] = {
        {"{\"response\": \"declined\"}", "reason", NOTE_MAX},
        {"{\"response\": \"apologies\"}", "contribution", NOTE_MAX},
        {"{\"response\": \"delegated\", \"delegate\": " DELEGATE "}", "delegate.name", 200},
        {"{\"response\": \"delegated\", \"delegate\": " DELEGATE "}", "delegate.contact",
         CONTACT_MAX},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *doc = with_value(load(cases[i].base), cases[i].path,
                                 long_string("x", cases[i].max + 1));
        response_in in;
        violations v;
        violations_init(&v);
        response_parse(doc, &in, &v);
        cr_assert(violations_has(&v, NULL, cases[i].path), "%s: %s", cases[i].path,
                  describe(&v));
        cr_assert_eq(v.n, 1, "%s: %s", cases[i].path, describe(&v));
        cr_assert(v.schema);
        json_decref(doc);
    }
}

/* ---- FAM-1 to FAM-4: family-notice decisions ---- */

static void check_consent(const char *text, violations *v)
{
    json_t *doc = load(text);
    consent_in in;
    violations_init(v);
    consent_parse(doc, &in, v);
    consent_check(&in, v);
    json_decref(doc);
}

static void parse_consent(json_t *doc, violations *v)
{
    consent_in in;
    violations_init(v);
    consent_parse(doc, &in, v);
    json_decref(doc);
}

#define NOT_INFORM_OK                                                                            \
    "{\"decision\": \"not_inform\", \"grounds\": [\"would_jeopardise_police_investigation\"],"  \
    " \"rationale\": \"Police are yet to interview the adults in the household\"}"

Test(planning_rules, FAM_1_decision_required)
{
    violations v;
    check_consent("{}", &v);
    assert_only(&v, "FAM-1", "decision");
    check_consent("{\"decision\": null, \"rationale\": \"r\"}", &v);
    assert_only(&v, "FAM-1", "decision");
}

Test(planning_rules, FAM_1_unknown_decision_rejected)
{
    violations v;
    check_consent("{\"decision\": \"maybe_later\"}", &v);
    assert_only(&v, "FAM-1", "decision");
}

Test(planning_rules, FAM_1_inform_accepted_with_no_grounds)
{
    violations v;
    check_consent("{\"decision\": \"inform\"}", &v);
    assert_none(&v);
    check_consent("{\"decision\": \"inform\", \"grounds\": []}", &v);
    assert_none(&v);
    check_consent("{\"decision\": \"inform\", \"rationale\": \"The expected answer\"}", &v);
    assert_none(&v);
}

Test(planning_rules, FAM_2_not_inform_with_grounds_and_rationale_accepted)
{
    violations v;
    check_consent(NOT_INFORM_OK, &v);
    assert_none(&v);
    for (int i = 0; not_inform_grounds[i]; i++) {
        char text[512];
        snprintf(text, sizeof text,
                 "{\"decision\": \"not_inform\", \"grounds\": [\"%s\"], \"rationale\": \"r\"}",
                 not_inform_grounds[i]);
        check_consent(text, &v);
        cr_assert_eq(v.n, 0, "%s: %s", not_inform_grounds[i], describe(&v));
    }
    check_consent("{\"decision\": \"not_inform\", \"rationale\": \"r\", \"grounds\": "
                  "[\"significant_harm_if_known\", \"fabricated_or_induced_illness\","
                  " \"engagement_difficulties\", \"would_jeopardise_police_investigation\"]}",
                  &v);
    assert_none(&v);
}

Test(planning_rules, FAM_2_not_inform_needs_grounds)
{
    violations v;
    check_consent("{\"decision\": \"not_inform\", \"rationale\": \"r\"}", &v);
    assert_only(&v, "FAM-2", "grounds");
    check_consent("{\"decision\": \"not_inform\", \"rationale\": \"r\", \"grounds\": []}", &v);
    assert_only(&v, "FAM-2", "grounds");
}

Test(planning_rules, FAM_2_not_inform_needs_a_rationale)
{
    violations v;
    check_consent("{\"decision\": \"not_inform\", \"grounds\": [\"engagement_difficulties\"]}",
                  &v);
    assert_only(&v, "FAM-2", "rationale");
    check_consent("{\"decision\": \"not_inform\", \"grounds\": [\"engagement_difficulties\"],"
                  " \"rationale\": \" \\n \"}",
                  &v);
    assert_only(&v, "FAM-2", "rationale");
}

Test(planning_rules, FAM_2_bare_not_inform_reports_grounds_and_rationale)
{
    violations v;
    check_consent("{\"decision\": \"not_inform\"}", &v);
    cr_assert(violations_has(&v, "FAM-2", "grounds"), "%s", describe(&v));
    cr_assert(violations_has(&v, "FAM-2", "rationale"), "%s", describe(&v));
    cr_assert_eq(v.n, 2, "%s", describe(&v));
    cr_assert_not(v.schema);
}

Test(planning_rules, FAM_2_unknown_ground_refused)
{
    violations v;
    check_consent("{\"decision\": \"not_inform\", \"rationale\": \"r\","
                  " \"grounds\": [\"engagement_difficulties\", \"family_would_be_upset\"]}",
                  &v);
    assert_only(&v, "FAM-2", "grounds[1]");
}

Test(planning_rules, FAM_2_grounds_on_an_inform_decision_refused)
{
    violations v;
    check_consent("{\"decision\": \"inform\", \"grounds\": [\"significant_harm_if_known\"]}", &v);
    assert_only(&v, "FAM-2", "grounds[0]");
    check_consent("{\"decision\": \"inform\", \"grounds\": [\"engagement_difficulties\","
                  " \"fabricated_or_induced_illness\"]}",
                  &v);
    cr_assert(violations_has(&v, "FAM-2", "grounds[0]"), "%s", describe(&v));
    cr_assert(violations_has(&v, "FAM-2", "grounds[1]"), "%s", describe(&v));
    cr_assert_eq(v.n, 2, "%s", describe(&v));
}

Test(planning_rules, FAM_3_exclusion_from_a_previous_meeting_is_not_a_ground)
{
    violations v;
    check_consent("{\"decision\": \"not_inform\", \"rationale\": \"As last time\","
                  " \"grounds\": [\"excluded_from_previous_meeting\"]}",
                  &v);
    assert_only(&v, "FAM-3", "grounds[0]");
    cr_assert_not(violations_has(&v, "FAM-2", NULL), "FAM-3, not FAM-2: %s", describe(&v));
}

Test(planning_rules, FAM_3_inherited_ground_refused_beside_valid_ones)
{
    violations v;
    check_consent("{\"decision\": \"not_inform\", \"rationale\": \"r\", \"grounds\":"
                  " [\"significant_harm_if_known\", \"excluded_from_previous_meeting\"]}",
                  &v);
    assert_only(&v, "FAM-3", "grounds[1]");
}

Test(planning_rules, FAM_2_not_inform_decided_only_by_a_manager_or_senior_manager)
{
    json_t *doc = load(NOT_INFORM_OK);
    consent_in in;
    violations v;
    violations_init(&v);
    consent_parse(doc, &in, &v);
    assert_none(&v);
    caller practitioner = make_caller("sw-1", "LA-CSC", ROLE_PRACTITIONER);
    caller senior_practitioner = make_caller("sw-2", "LA-CSC", ROLE_SENIOR_PRACTITIONER);
    caller doctor = make_caller("dr-1", "NHS-HV", ROLE_NAMED_DOCTOR);
    caller manager = make_caller("tm-1", "LA-CSC", ROLE_MANAGER);
    caller senior_manager = make_caller("hos-1", "LA-CSC", ROLE_SENIOR_MANAGER);
    caller both = make_caller("tm-2", "LA-CSC", ROLE_PRACTITIONER | ROLE_MANAGER);
    cr_assert_not((consent_refused_rule(&in, &practitioner) == NULL));
    cr_assert_not((consent_refused_rule(&in, &senior_practitioner) == NULL));
    cr_assert_not((consent_refused_rule(&in, &doctor) == NULL));
    cr_assert((consent_refused_rule(&in, &manager) == NULL));
    cr_assert((consent_refused_rule(&in, &senior_manager) == NULL));
    cr_assert((consent_refused_rule(&in, &both) == NULL));
    json_decref(doc);
}

Test(planning_rules, FAM_2_not_inform_on_the_fii_ground_only_by_senior_manager_or_named_doctor)
{
    const char *docs[] = {
        "{\"decision\": \"not_inform\", \"rationale\": \"r\","
        " \"grounds\": [\"fabricated_or_induced_illness\"]}",
        /* beside another ground, the FII ground still decides who decides */
        "{\"decision\": \"not_inform\", \"rationale\": \"r\","
        " \"grounds\": [\"significant_harm_if_known\", \"fabricated_or_induced_illness\"]}",
    };
    caller manager = make_caller("tm-1", "LA-CSC", ROLE_MANAGER);
    caller practitioner = make_caller("sw-1", "LA-CSC", ROLE_PRACTITIONER);
    caller senior_manager = make_caller("hos-1", "LA-CSC", ROLE_SENIOR_MANAGER);
    caller doctor = make_caller("dr-1", "NHS-HV", ROLE_NAMED_DOCTOR);
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        json_t *doc = load(docs[i]);
        consent_in in;
        violations v;
        violations_init(&v);
        consent_parse(doc, &in, &v);
        consent_check(&in, &v);
        assert_none(&v);
        cr_assert(consent_on_fii_ground(&in));
        const char *refused = consent_refused_rule(&in, &manager);
        cr_assert(refused && strcmp(refused, "FAM-2") == 0, "a team manager is refused: %s",
                  docs[i]);
        refused = consent_refused_rule(&in, &practitioner);
        cr_assert(refused && strcmp(refused, "FAM-2") == 0);
        cr_assert_null(consent_refused_rule(&in, &senior_manager), "%s", docs[i]);
        cr_assert_null(consent_refused_rule(&in, &doctor), "%s", docs[i]);
        json_decref(doc);
    }
}

Test(planning_rules, FAM_2_anyone_records_a_decision_to_inform)
{
    json_t *doc = load("{\"decision\": \"inform\"}");
    consent_in in;
    violations v;
    violations_init(&v);
    consent_parse(doc, &in, &v);
    assert_none(&v);
    unsigned roles[] = {ROLE_PRACTITIONER, ROLE_SENIOR_PRACTITIONER, ROLE_MANAGER,
                        ROLE_SENIOR_MANAGER, ROLE_NAMED_DOCTOR};
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
        caller c = make_caller("someone", "LA-CSC", roles[i]);
        cr_assert((consent_refused_rule(&in, &c) == NULL), "roles %#x", roles[i]);
    }
    json_decref(doc);
}

Test(planning_rules, FAM_4_parent_objection_recorded)
{
    json_t *doc = load("{\"decision\": \"inform\","
                       " \"parent_objection\": \"Mother objects to police attending\"}");
    consent_in in;
    violations v;
    violations_init(&v);
    consent_parse(doc, &in, &v);
    consent_check(&in, &v);
    assert_none(&v);
    cr_assert_str_eq(in.parent_objection, "Mother objects to police attending");
    json_decref(doc);
}

/* ---- decisions: shape problems ---- */

Test(planning_rules, consent_wrong_types_are_schema_violations)
{
    struct {
        const char *text, *field;
    } cases[] = {
        {"{\"decision\": false}", "decision"},
        {"{\"decision\": \"not_inform\", \"rationale\": \"r\","
         " \"grounds\": \"engagement_difficulties\"}",
         "grounds"},
        {"{\"decision\": \"not_inform\", \"rationale\": \"r\", \"grounds\": [7]}", "grounds[0]"},
        {"{\"decision\": \"not_inform\", \"rationale\": \"r\","
         " \"grounds\": [\"engagement_difficulties\", {}]}",
         "grounds[1]"},
        {"{\"decision\": \"not_inform\", \"grounds\": [\"engagement_difficulties\"],"
         " \"rationale\": 5}",
         "rationale"},
        {"{\"decision\": \"inform\", \"parent_objection\": [\"no\"]}", "parent_objection"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        violations v;
        parse_consent(load(cases[i].text), &v);
        cr_assert(violations_has(&v, NULL, cases[i].field), "%s: %s", cases[i].text,
                  describe(&v));
        cr_assert_eq(v.n, 1, "%s: %s", cases[i].text, describe(&v));
        cr_assert(v.schema);
    }
}

Test(planning_rules, consent_unknown_and_read_only_fields_are_schema_violations)
{
    violations v;
    parse_consent(load("{\"decision\": \"inform\", \"reason\": \"r\"}"), &v);
    assert_schema_only(&v, "reason");
    parse_consent(load("{\"decision\": \"inform\", \"status\": \"effective\"}"), &v);
    assert_schema_only(&v, "status");
    parse_consent(load("{\"decision\": \"inform\", \"decided_by\": \"me\"}"), &v);
    assert_schema_only(&v, "decided_by");
}

Test(planning_rules, consent_too_many_or_too_long_grounds_are_schema_violations)
{
    violations v;
    parse_consent(load("{\"decision\": \"not_inform\", \"rationale\": \"r\", \"grounds\": "
                       "[\"significant_harm_if_known\", \"fabricated_or_induced_illness\","
                       " \"engagement_difficulties\", \"would_jeopardise_police_investigation\","
                       " \"significant_harm_if_known\"]}"),
                  &v);
    assert_schema_only(&v, "grounds");

    json_t *doc = load("{\"decision\": \"not_inform\", \"rationale\": \"r\"}");
    json_t *grounds = json_array();
    json_array_append_new(grounds, long_string("g", 65));
    json_object_set_new(doc, "grounds", grounds);
    parse_consent(doc, &v);
    assert_schema_only(&v, "grounds[0]");
}

Test(planning_rules, consent_too_long_texts_are_schema_violations)
{
    violations v;
    parse_consent(with_value(load(NOT_INFORM_OK), "rationale", long_string("r", 10001)), &v);
    assert_schema_only(&v, "rationale");
    parse_consent(with_value(load("{\"decision\": \"inform\"}"), "parent_objection",
                             long_string("o", NOTE_MAX + 1)),
                  &v);
    assert_schema_only(&v, "parent_objection");
}

/* ---- MTG-6, MTG-7, INV-2: scheduling ---- */

static const char valid_schedule[] =
    "{"
    "\"start\": \"" START "\","
    "\"duration_minutes\": 90,"
    "\"format\": \"in_person\","
    "\"venue\": \"Room 2, Civic Centre\","
    "\"chair\": {\"sub\": \"tm-1\", \"name\": \"Tay Manager\", \"agency\": \"LA-CSC\","
    "            \"role\": \"manager\"},"
    "\"minute_taker\": {\"sub\": \"ba-1\", \"name\": \"Bo Admin\", \"agency\": \"LA-CSC\"},"
    "\"two_part\": false"
    "}";

/* A professionals meeting with two agencies invited and the family informed. */
static schedule_facts schedule_facts_ok(void)
{
    schedule_facts f = {.meeting_type = "professionals",
                        .now_epoch = epoch(NOW),
                        .invited_agencies = 2,
                        .family_notice_status = "effective"};
    return f;
}

static void check_schedule(json_t *doc, const schedule_facts *f, violations *v)
{
    schedule_in in;
    violations_init(v);
    schedule_parse(doc, &in, v);
    schedule_check(&in, f, v);
    json_decref(doc);
}

static void check_schedule_ok_facts(json_t *doc, violations *v)
{
    schedule_facts f = schedule_facts_ok();
    check_schedule(doc, &f, v);
}

static void parse_schedule(json_t *doc, violations *v)
{
    schedule_in in;
    violations_init(v);
    schedule_parse(doc, &in, v);
    json_decref(doc);
}

Test(planning_rules, MTG_6_valid_schedule_accepted)
{
    json_t *doc = load(valid_schedule);
    schedule_in in;
    violations v;
    violations_init(&v);
    schedule_parse(doc, &in, &v);
    schedule_facts f = schedule_facts_ok();
    schedule_check(&in, &f, &v);
    assert_none(&v);
    cr_assert_eq(in.start_epoch, epoch(START));
    cr_assert_eq(in.duration_minutes, 90);
    cr_assert_str_eq(in.format, "in_person");
    cr_assert(in.has_chair);
    cr_assert(in.has_minute_taker);
    cr_assert_str_eq(in.chair.role, "manager");
    cr_assert_eq(in.two_part, 0);
    json_decref(doc);
}

Test(planning_rules, MTG_6_every_missing_precondition_of_an_empty_body_reported_at_once)
{
    violations v;
    check_schedule_ok_facts(load("{}"), &v);
    const char *fields[] = {"start", "duration_minutes", "format", "chair", "minute_taker"};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        cr_assert(violations_has(&v, "MTG-6", fields[i]), "MTG-6 '%s' missing from %s",
                  fields[i], describe(&v));
    cr_assert_eq(v.n, 5, "exactly five violations expected, got %s", describe(&v));
    cr_assert_not(v.schema, "nothing in {} breaks the schema: %s", describe(&v));
}

Test(planning_rules, MTG_6_empty_body_and_missing_facts_reported_together)
{
    schedule_facts f = schedule_facts_ok();
    f.invited_agencies = 0;
    f.family_notice_status = NULL;
    violations v;
    check_schedule(load("{}"), &f, &v);
    cr_assert(violations_has(&v, "MTG-6", "invitations"), "%s", describe(&v));
    cr_assert(violations_has(&v, "MTG-6", "family_notice"), "%s", describe(&v));
    cr_assert_eq(count_rule(&v, "MTG-6"), 7, "%s", describe(&v));
    cr_assert_eq(v.n, 7, "%s", describe(&v));
}

Test(planning_rules, MTG_6_start_in_the_past_refused)
{
    violations v;
    check_schedule_ok_facts(with(load(valid_schedule), "start", "\"2026-11-20T10:00:00Z\""), &v);
    assert_only(&v, "MTG-6", "start");
    check_schedule_ok_facts(with(load(valid_schedule), "start", "\"" NOW "\""), &v);
    assert_only(&v, "MTG-6", "start");
}

Test(planning_rules, MTG_6_start_compared_in_its_time_zone)
{
    violations v;
    /* 10:30 at +02:00 is 08:30Z, half an hour before now */
    check_schedule_ok_facts(
        with(load(valid_schedule), "start", "\"2026-11-23T10:30:00+02:00\""), &v);
    assert_only(&v, "MTG-6", "start");
    /* 08:30 at -01:00 is 09:30Z, half an hour ahead */
    check_schedule_ok_facts(
        with(load(valid_schedule), "start", "\"2026-11-23T08:30:00-01:00\""), &v);
    assert_none(&v);
}

Test(planning_rules, MTG_6_missing_start_rejected)
{
    violations v;
    check_schedule_ok_facts(with(load(valid_schedule), "start", NULL), &v);
    assert_only(&v, "MTG-6", "start");
}

Test(planning_rules, MTG_6_missing_duration_rejected)
{
    violations v;
    check_schedule_ok_facts(with(load(valid_schedule), "duration_minutes", NULL), &v);
    assert_only(&v, "MTG-6", "duration_minutes");
    check_schedule_ok_facts(with(load(valid_schedule), "duration_minutes", "null"), &v);
    assert_only(&v, "MTG-6", "duration_minutes");
}

Test(planning_rules, MTG_6_duration_out_of_range_refused)
{
    const char *bad[] = {"0", "1441", "-30"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        violations v;
        check_schedule_ok_facts(with(load(valid_schedule), "duration_minutes", bad[i]), &v);
        cr_assert(violations_has(&v, "MTG-6", "duration_minutes"), "%s: %s", bad[i],
                  describe(&v));
        cr_assert_eq(v.n, 1, "%s: %s", bad[i], describe(&v));
        cr_assert_not(v.schema);
    }
}

Test(planning_rules, MTG_6_duration_from_one_minute_to_a_day_accepted)
{
    violations v;
    check_schedule_ok_facts(with(load(valid_schedule), "duration_minutes", "1"), &v);
    assert_none(&v);
    check_schedule_ok_facts(with(load(valid_schedule), "duration_minutes", "1440"), &v);
    assert_none(&v);
}

Test(planning_rules, MTG_6_missing_or_unknown_format_rejected)
{
    violations v;
    check_schedule_ok_facts(with(load(valid_schedule), "format", NULL), &v);
    assert_only(&v, "MTG-6", "format");
    check_schedule_ok_facts(with(load(valid_schedule), "format", "\"carrier_pigeon\""), &v);
    assert_only(&v, "MTG-6", "format");
}

Test(planning_rules, MTG_6_in_person_and_hybrid_need_a_venue)
{
    const char *formats[] = {"\"in_person\"", "\"hybrid\""};
    const char *venues[] = {NULL, "\"  \"", "null"};
    for (size_t i = 0; i < 2; i++)
        for (size_t k = 0; k < 3; k++) {
            json_t *doc = with(load(valid_schedule), "format", formats[i]);
            with(doc, "venue", venues[k]);
            violations v;
            check_schedule_ok_facts(doc, &v);
            cr_assert(violations_has(&v, "MTG-6", "venue"), "%s, venue %s: %s", formats[i],
                      venues[k] ? venues[k] : "absent", describe(&v));
            cr_assert_eq(v.n, 1, "%s: %s", formats[i], describe(&v));
        }
}

Test(planning_rules, MTG_6_virtual_and_phone_need_no_venue)
{
    const char *formats[] = {"\"virtual\"", "\"phone\""};
    for (size_t i = 0; i < 2; i++) {
        json_t *doc = with(load(valid_schedule), "format", formats[i]);
        with(doc, "venue", NULL);
        violations v;
        check_schedule_ok_facts(doc, &v);
        cr_assert_eq(v.n, 0, "%s: %s", formats[i], describe(&v));
    }
    violations v;
    check_schedule_ok_facts(with(load(valid_schedule), "format", "\"hybrid\""), &v);
    assert_none(&v);
}

Test(planning_rules, MTG_6_missing_chair_or_minute_taker_rejected)
{
    violations v;
    check_schedule_ok_facts(with(load(valid_schedule), "chair", NULL), &v);
    assert_only(&v, "MTG-6", "chair");
    check_schedule_ok_facts(with(load(valid_schedule), "minute_taker", NULL), &v);
    assert_only(&v, "MTG-6", "minute_taker");
}

Test(planning_rules, MTG_6_chair_and_minute_taker_named_in_full)
{
    const char *chair_fields[] = {"sub", "name", "agency", "role"};
    for (size_t i = 0; i < 4; i++) {
        char path[32];
        snprintf(path, sizeof path, "chair.%s", chair_fields[i]);
        violations v;
        check_schedule_ok_facts(with(load(valid_schedule), path, NULL), &v);
        cr_assert(violations_has(&v, "MTG-6", path), "%s: %s", path, describe(&v));
        cr_assert_eq(v.n, 1, "%s: %s", path, describe(&v));
    }
    const char *taker_fields[] = {"sub", "name", "agency"};
    for (size_t i = 0; i < 3; i++) {
        char path[32];
        snprintf(path, sizeof path, "minute_taker.%s", taker_fields[i]);
        violations v;
        check_schedule_ok_facts(with(load(valid_schedule), path, NULL), &v);
        cr_assert(violations_has(&v, "MTG-6", path), "%s: %s", path, describe(&v));
        cr_assert_eq(v.n, 1, "%s: %s", path, describe(&v));
    }
}

Test(planning_rules, MTG_6_chair_role_must_be_manager_senior_manager_or_senior_practitioner)
{
    const char *bad[] = {"\"named_doctor\"", "\"admin\"", "\"partnership\"", "\"chair\"",
                         "\"safeguarding_lead\""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        violations v;
        check_schedule_ok_facts(with(load(valid_schedule), "chair.role", bad[i]), &v);
        cr_assert(violations_has(&v, "MTG-6", "chair.role"), "%s: %s", bad[i], describe(&v));
        cr_assert_eq(v.n, 1, "%s: %s", bad[i], describe(&v));
        cr_assert_not(v.schema);
    }
    const char *good[] = {"manager", "senior_manager", "senior_practitioner"};
    for (int i = 0; i < 3; i++) {
        violations v;
        check_schedule_ok_facts(
            with_value(load(valid_schedule), "chair.role", json_string(good[i])), &v);
        cr_assert_eq(v.n, 0, "%s: %s", good[i], describe(&v));
    }
}

/* A stop and review's schedule with a practitioner in the chair. */
static void check_practitioner_chair(const char *type, const char *child_role, violations *v)
{
    json_t *doc = with_value(load(valid_schedule), "chair.role", json_string("practitioner"));
    if (child_role)
        with_value(doc, "chair.child_role", json_string(child_role));
    schedule_facts f = schedule_facts_ok();
    f.meeting_type = type;
    check_schedule(doc, &f, v);
}

Test(planning_rules, MTG_6_practitioner_chairs_a_stop_and_review_as_keyworker)
{
    violations v;
    check_practitioner_chair("stop_and_review", "keyworker", &v);
    assert_none(&v);
}

Test(planning_rules, MTG_6_practitioner_chairs_a_stop_and_review_as_lead_practitioner)
{
    violations v;
    check_practitioner_chair("stop_and_review", "lead_practitioner", &v);
    assert_none(&v);
}

Test(planning_rules, MTG_6_practitioner_chair_without_child_role_refused)
{
    violations v;
    check_practitioner_chair("stop_and_review", NULL, &v);
    assert_only(&v, "MTG-6", "chair.child_role");
}

Test(planning_rules, MTG_6_practitioner_chair_refused_for_other_types)
{
    const char *types[] = {"professionals", "professionals_only", "strategy_discussion",
                           "multi_agency"};
    for (int i = 0; i < 4; i++) {
        violations v;
        check_practitioner_chair(types[i], "keyworker", &v);
        cr_assert(violations_has(&v, "MTG-6", "chair.role"), "%s: %s", types[i], describe(&v));
        cr_assert_not(violations_has(&v, "MTG-6", "chair.child_role"), "%s", describe(&v));
    }
}

Test(planning_rules, MTG_6_unknown_child_role_is_a_schema_violation)
{
    violations v;
    check_schedule_ok_facts(with(load(valid_schedule), "chair.child_role", "\"social_worker\""),
                            &v);
    cr_assert(violations_has(&v, NULL, "chair.child_role"), "%s", describe(&v));
    cr_assert(v.schema);
    check_schedule_ok_facts(with(load(valid_schedule), "chair.child_role", "7"), &v);
    cr_assert(v.schema, "%s", describe(&v));
    /* a senior practitioner who is also the child's keyworker may say so */
    check_schedule_ok_facts(with(load(valid_schedule), "chair.child_role", "\"keyworker\""), &v);
    assert_none(&v);
}

Test(planning_rules, MTG_6_minute_taker_is_not_the_chair)
{
    violations v;
    check_schedule_ok_facts(with(load(valid_schedule), "minute_taker.sub", "\"tm-1\""), &v);
    assert_only(&v, "MTG-6", "minute_taker.sub");
}

Test(planning_rules, MTG_6_fewer_than_two_invited_agencies_refused)
{
    for (int n = 0; n < 2; n++) {
        schedule_facts f = schedule_facts_ok();
        f.invited_agencies = n;
        violations v;
        check_schedule(load(valid_schedule), &f, &v);
        cr_assert(violations_has(&v, "MTG-6", "invitations"), "%d agencies: %s", n,
                  describe(&v));
        cr_assert_eq(v.n, 1, "%d agencies: %s", n, describe(&v));
    }
    schedule_facts f = schedule_facts_ok();
    f.invited_agencies = 5;
    violations v;
    check_schedule(load(valid_schedule), &f, &v);
    assert_none(&v);
}

Test(planning_rules, MTG_6_family_notice_decision_required)
{
    schedule_facts f = schedule_facts_ok();
    f.family_notice_status = NULL;
    violations v;
    check_schedule(load(valid_schedule), &f, &v);
    assert_only(&v, "MTG-6", "family_notice");
}

Test(planning_rules, FAM_2_pending_or_disputed_decision_blocks_scheduling)
{
    const char *statuses[] = {"pending_agreement", "disputed"};
    for (size_t i = 0; i < 2; i++) {
        schedule_facts f = schedule_facts_ok();
        f.family_notice_status = statuses[i];
        violations v;
        check_schedule(load(valid_schedule), &f, &v);
        cr_assert(violations_has(&v, "FAM-2", "family_notice"), "%s: %s", statuses[i],
                  describe(&v));
        cr_assert_eq(v.n, 1, "%s: %s", statuses[i], describe(&v));
    }
}

Test(planning_rules, FAM_2_agreed_or_effective_decision_allows_scheduling)
{
    const char *statuses[] = {"agreed", "effective"};
    for (size_t i = 0; i < 2; i++) {
        schedule_facts f = schedule_facts_ok();
        f.family_notice_status = statuses[i];
        violations v;
        check_schedule(load(valid_schedule), &f, &v);
        cr_assert_eq(v.n, 0, "%s: %s", statuses[i], describe(&v));
    }
}

static schedule_facts strategy_facts(void)
{
    schedule_facts f = schedule_facts_ok();
    f.meeting_type = "strategy_discussion";
    f.invited_agencies = 3;
    f.invited_childrens_social_care = true;
    f.invited_police = true;
    f.invited_health = true;
    return f;
}

Test(planning_rules, MTG_7_strategy_with_social_care_police_and_health_scheduled)
{
    schedule_facts f = strategy_facts();
    violations v;
    check_schedule(load(valid_schedule), &f, &v);
    assert_none(&v);
}

Test(planning_rules, MTG_7_strategy_without_childrens_social_care_refused)
{
    schedule_facts f = strategy_facts();
    f.invited_childrens_social_care = false;
    violations v;
    check_schedule(load(valid_schedule), &f, &v);
    assert_only(&v, "MTG-7", "invitations");
}

Test(planning_rules, MTG_7_strategy_without_police_refused)
{
    schedule_facts f = strategy_facts();
    f.invited_police = false;
    violations v;
    check_schedule(load(valid_schedule), &f, &v);
    assert_only(&v, "MTG-7", "invitations");
}

Test(planning_rules, MTG_7_strategy_without_health_refused)
{
    schedule_facts f = strategy_facts();
    f.invited_health = false;
    violations v;
    check_schedule(load(valid_schedule), &f, &v);
    assert_only(&v, "MTG-7", "invitations");
}

Test(planning_rules, MTG_7_each_missing_agency_reported)
{
    schedule_facts f = strategy_facts();
    f.invited_childrens_social_care = f.invited_police = f.invited_health = false;
    f.invited_agencies = 2;
    violations v;
    check_schedule(load(valid_schedule), &f, &v);
    cr_assert_eq(count_rule(&v, "MTG-7"), 3, "%s", describe(&v));
    cr_assert_eq(v.n, 3, "%s", describe(&v));
}

Test(planning_rules, MTG_7_other_types_need_no_particular_agencies)
{
    const char *types[] = {"stop_and_review", "professionals", "professionals_only",
                           "multi_agency"};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        schedule_facts f = schedule_facts_ok();
        f.meeting_type = types[i];
        violations v;
        check_schedule(load(valid_schedule), &f, &v);
        cr_assert_eq(v.n, 0, "%s: %s", types[i], describe(&v));
    }
}

Test(planning_rules, INV_2_meeting_with_family_invited_stays_two_part)
{
    schedule_facts f = schedule_facts_ok();
    f.family_invited = true;
    violations v;
    check_schedule(load(valid_schedule), &f, &v);
    assert_only(&v, "INV-2", "two_part");
    check_schedule(with(load(valid_schedule), "two_part", NULL), &f, &v);
    assert_only(&v, "INV-2", "two_part");
    check_schedule(with(load(valid_schedule), "two_part", "true"), &f, &v);
    assert_none(&v);
}

Test(planning_rules, INV_2_single_part_meeting_fine_without_family)
{
    violations v;
    check_schedule_ok_facts(with(load(valid_schedule), "two_part", NULL), &v);
    assert_none(&v);
}

/* ---- scheduling: shape problems ---- */

Test(planning_rules, schedule_wrong_types_are_schema_violations)
{
    struct {
        const char *path, *value;
    } cases[] = {
        {"start", "1796551200"},         {"duration_minutes", "\"90\""},
        {"duration_minutes", "1.5"},     {"duration_minutes", "true"},
        {"format", "[\"virtual\"]"},     {"venue", "12"},
        {"chair", "\"tm-1\""},           {"minute_taker", "[]"},
        {"chair.name", "{}"},            {"minute_taker.sub", "9"},
        {"two_part", "\"yes\""},         {"two_part", "1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        violations v;
        parse_schedule(with(load(valid_schedule), cases[i].path, cases[i].value), &v);
        cr_assert(violations_has(&v, NULL, cases[i].path), "%s = %s: %s", cases[i].path,
                  cases[i].value, describe(&v));
        cr_assert_eq(v.n, 1, "%s = %s: %s", cases[i].path, cases[i].value, describe(&v));
        cr_assert(v.schema);
    }
}

Test(planning_rules, schedule_malformed_start_is_a_schema_violation)
{
    const char *starts[] = {"\"2026-12-07\"",          "\"2026-12-07T10:00:00\"",
                            "\"2026-12-07 10:00:00Z\"", "\"2026-12-32T10:00:00Z\"",
                            "\"2026-12-07T25:00:00Z\"", "\"next Monday\""};
    for (size_t i = 0; i < sizeof starts / sizeof starts[0]; i++) {
        violations v;
        check_schedule_ok_facts(with(load(valid_schedule), "start", starts[i]), &v);
        cr_assert(violations_has(&v, NULL, "start"), "%s: %s", starts[i], describe(&v));
        cr_assert_eq(v.n, 1, "%s: %s", starts[i], describe(&v));
        cr_assert(v.schema);
    }
}

Test(planning_rules, schedule_unknown_and_read_only_fields_are_schema_violations)
{
    violations v;
    parse_schedule(with(load(valid_schedule), "location", "\"Room 2\""), &v);
    assert_schema_only(&v, "location");
    parse_schedule(with(load(valid_schedule), "status", "\"scheduled\""), &v);
    assert_schema_only(&v, "status");
    parse_schedule(with(load(valid_schedule), "chair.email", "\"a@b.c\""), &v);
    assert_schema_only(&v, "chair.email");
    parse_schedule(with(load(valid_schedule), "minute_taker.role", "\"manager\""), &v);
    assert_schema_only(&v, "minute_taker.role");
}

Test(planning_rules, schedule_too_long_strings_are_schema_violations)
{
    struct {
        const char *path;
        size_t max;
    } cases[] = {
        {"start", 40},           {"venue", VENUE_MAX},     {"chair.name", 200},
        {"chair.sub", CALLER_SUB_MAX}, {"chair.agency", CALLER_AGENCY_MAX},
        {"minute_taker.name", 200},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        violations v;
        parse_schedule(with_value(load(valid_schedule), cases[i].path,
                                  long_string("X", cases[i].max + 1)),
                       &v);
        cr_assert(violations_has(&v, NULL, cases[i].path), "%s: %s", cases[i].path,
                  describe(&v));
        cr_assert_eq(v.n, 1, "%s: %s", cases[i].path, describe(&v));
        cr_assert(v.schema);
    }
}

/* ---- MTG-8: holding ---- */

/* A meeting past its start, every invitation marked, the family informed:
 * every test changes what it is about. */
static hold_facts hold_facts_ok(void)
{
    hold_facts f = {.now_epoch = epoch(START) + 5400,
                    .start_epoch = epoch(START),
                    .invitations = 4,
                    .unmarked = 0,
                    .meeting_type = "professionals",
                    .family_notice = "inform",
                    .family_notice_status = "effective",
                    .awaiting_agencies = ""};
    return f;
}

static void check_hold(const hold_facts *f, violations *v)
{
    violations_init(v);
    hold_check(f, v);
}

Test(planning_rules, MTG_8_hold_refused_before_the_start)
{
    hold_facts f = hold_facts_ok();
    f.now_epoch = epoch(START) - 1;
    violations v;
    check_hold(&f, &v);
    assert_only(&v, "MTG-8", "status");
}

Test(planning_rules, MTG_8_hold_refused_with_unmarked_invitations)
{
    hold_facts f = hold_facts_ok();
    f.unmarked = 1;
    violations v;
    check_hold(&f, &v);
    assert_only(&v, "MTG-8", "attendance");
    f.unmarked = 4;
    check_hold(&f, &v);
    assert_only(&v, "MTG-8", "attendance");
}

Test(planning_rules, MTG_8_hold_before_start_with_unmarked_reports_both)
{
    hold_facts f = hold_facts_ok();
    f.now_epoch = epoch(NOW);
    f.invitations = 3;
    f.unmarked = 2;
    violations v;
    check_hold(&f, &v);
    cr_assert(violations_has(&v, "MTG-8", "status"), "%s", describe(&v));
    cr_assert(violations_has(&v, "MTG-8", "attendance"), "%s", describe(&v));
    cr_assert_eq(v.n, 2, "%s", describe(&v));
    cr_assert_not(v.schema);
}

Test(planning_rules, MTG_8_hold_allowed_after_the_start_with_every_invitation_marked)
{
    hold_facts f = hold_facts_ok();
    violations v;
    check_hold(&f, &v);
    assert_none(&v);
}

/* ---- FAM-9: held only while the family-notice decision is in effect ---- */

Test(planning_rules, FAM_9_hold_refused_while_not_inform_awaits_agreement)
{
    hold_facts f = hold_facts_ok();
    f.family_notice = "not_inform";
    f.family_notice_status = "pending_agreement";
    f.awaiting_agencies = "SCHOOL-1";
    violations v;
    check_hold(&f, &v);
    assert_only(&v, "FAM-9", "family_notice");
    cr_assert(strstr(v.items[0].message, "SCHOOL-1"), "names who it awaits: %s", describe(&v));
}

Test(planning_rules, FAM_9_hold_refused_while_not_inform_disputed)
{
    hold_facts f = hold_facts_ok();
    f.family_notice = "not_inform";
    f.family_notice_status = "disputed";
    violations v;
    check_hold(&f, &v);
    assert_only(&v, "FAM-9", "family_notice");
}

Test(planning_rules, FAM_9_hold_refused_without_a_decision)
{
    hold_facts f = hold_facts_ok();
    f.family_notice = NULL;
    f.family_notice_status = "";
    violations v;
    check_hold(&f, &v);
    assert_only(&v, "FAM-9", "family_notice");
}

Test(planning_rules, FAM_9_hold_allowed_under_inform_or_an_agreed_not_inform)
{
    hold_facts f = hold_facts_ok();
    violations v;
    check_hold(&f, &v);
    assert_none(&v);
    f.family_notice = "not_inform";
    f.family_notice_status = "agreed";
    check_hold(&f, &v);
    assert_none(&v);
}

Test(planning_rules, FAM_9_hold_refused_while_family_invited_under_not_inform)
{
    hold_facts f = hold_facts_ok();
    f.family_notice = "not_inform";
    f.family_notice_status = "agreed";
    f.family_invitations = 1;
    violations v;
    check_hold(&f, &v);
    assert_only(&v, "FAM-9", "invitations");
    /* under a decision to inform, family members are invited as they should be */
    f.family_notice = "inform";
    f.family_notice_status = "effective";
    check_hold(&f, &v);
    assert_none(&v);
}

Test(planning_rules, FAM_9_family_member_refused_under_not_inform)
{
    invitation_facts f = invitation_facts_ok();
    f.family_notice = "not_inform";
    f.family_notice_status = "agreed";
    violations v;
    check_invitation(load(family_invitation), &f, &v);
    cr_assert(violations_has(&v, "FAM-9", "category"), "%s", describe(&v));
    cr_assert(violations_has(&v, "INV-2", "category"), "%s", describe(&v));
    cr_assert_eq(v.n, 2, "%s", describe(&v));
    /* a professional is not refused for it */
    check_invitation(load(professional_invitation), &f, &v);
    assert_none(&v);
}

static roll_invitation roll_entry(const char *id, const char *category, const char *status)
{
    roll_invitation r;
    memset(&r, 0, sizeof r);
    snprintf(r.id, sizeof r.id, "%s", id);
    snprintf(r.category, sizeof r.category, "%s", category);
    snprintf(r.status, sizeof r.status, "%s", status);
    return r;
}

#define INV_POLICE "00000000-0000-4000-8000-00000000000a"
#define INV_PARENT "00000000-0000-4000-8000-00000000000b"
#define INV_CHILD "00000000-0000-4000-8000-00000000000c"
#define INV_OTHER "00000000-0000-4000-8000-00000000000d"

Test(planning_rules, FAM_9_family_never_marked_present_under_not_inform)
{
    roll_invitation roll[] = {roll_entry(INV_POLICE, "professional", "accepted"),
                              roll_entry(INV_PARENT, "parent_carer", "accepted"),
                              roll_entry(INV_CHILD, "child_young_person", "invited")};
    mark_in marks[] = {{INV_POLICE, "present"}, {INV_PARENT, "present"}, {INV_CHILD, "present"}};
    violations v;
    violations_init(&v);
    attendance_check(marks, 3, roll, 3, "not_inform", &v);
    cr_assert(violations_has(&v, "FAM-9", "entries[1].attendance"), "%s", describe(&v));
    cr_assert(violations_has(&v, "FAM-9", "entries[2].attendance"), "%s", describe(&v));
    cr_assert_eq(v.n, 2, "%s", describe(&v));
    /* absent or apologies may be recorded; and under a decision to inform, present */
    mark_in absent[] = {{INV_PARENT, "absent"}, {INV_CHILD, "apologies"}};
    violations_init(&v);
    attendance_check(absent, 2, roll, 3, "not_inform", &v);
    assert_none(&v);
    violations_init(&v);
    attendance_check(marks, 3, roll, 3, "inform", &v);
    assert_none(&v);
}

Test(planning_rules, MTG_8_FAM_9_marks_name_invitations_of_the_meeting_not_withdrawn)
{
    roll_invitation roll[] = {roll_entry(INV_POLICE, "professional", "accepted"),
                              roll_entry(INV_PARENT, "parent_carer", "withdrawn")};
    mark_in marks[] = {{INV_POLICE, "present"}, {INV_PARENT, "absent"}, {INV_OTHER, "present"}};
    violations v;
    violations_init(&v);
    attendance_check(marks, 3, roll, 2, "inform", &v);
    cr_assert(violations_has(&v, "MTG-8", "entries[1].invitation_id"), "%s", describe(&v));
    cr_assert(violations_has(&v, "MTG-8", "entries[2].invitation_id"), "%s", describe(&v));
    cr_assert_eq(v.n, 2, "%s", describe(&v));
}

Test(planning_rules, FAM_9_only_a_family_invitation_is_withdrawn_with_a_reason)
{
    violations v;
    violations_init(&v);
    withdrawal_check("parent_carer", "The decision is now not to inform the family", &v);
    assert_none(&v);
    withdrawal_check("child_young_person", "r", &v);
    assert_none(&v);
    withdrawal_check("professional", "r", &v);
    assert_only(&v, "FAM-9", "category");
    violations_init(&v);
    withdrawal_check("parent_carer", NULL, &v);
    assert_only(&v, "FAM-9", "reason");
    cr_assert(gate_open(&invitation_gate_withdrawn, "accepted"));
    cr_assert_not(gate_open(&invitation_gate_withdrawn, "withdrawn"));
}

/* ---- MTG-7: a strategy discussion is held with all three agencies there ---- */

static hold_facts strategy_hold(void)
{
    hold_facts f = hold_facts_ok();
    f.meeting_type = "strategy_discussion";
    f.csc_present = f.police_present = f.health_present = true;
    return f;
}

Test(planning_rules, MTG_7_hold_refused_without_police_present)
{
    hold_facts f = strategy_hold();
    f.police_present = false;
    violations v;
    check_hold(&f, &v);
    assert_only(&v, "MTG-7", "attendance");
    cr_assert(strstr(v.items[0].message, "police"), "%s", describe(&v));
}

Test(planning_rules, MTG_7_hold_names_every_missing_kind)
{
    hold_facts f = strategy_hold();
    f.csc_present = f.police_present = f.health_present = false;
    violations v;
    check_hold(&f, &v);
    cr_assert_eq(v.n, 3, "%s", describe(&v));
    const char *kinds[] = {"children's social care", "police", "health"};
    for (int i = 0; i < 3; i++)
        cr_assert(violations_has(&v, "MTG-7", "attendance") && strstr(v.items[i].message, kinds[i]),
                  "%s: %s", kinds[i], describe(&v));
}

Test(planning_rules, MTG_7_held_with_all_three_present)
{
    hold_facts f = strategy_hold();
    violations v;
    check_hold(&f, &v);
    assert_none(&v);
}

Test(planning_rules, MTG_7_other_types_hold_without_particular_kinds)
{
    const char *types[] = {"stop_and_review", "professionals", "professionals_only",
                           "multi_agency"};
    for (int i = 0; i < 4; i++) {
        hold_facts f = hold_facts_ok();
        f.meeting_type = types[i];
        violations v;
        check_hold(&f, &v);
        assert_none(&v);
    }
}
