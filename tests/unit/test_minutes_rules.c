/* Minutes rules (domain/minutes.c): completeness at approval (MIN-2 with
 * ACT-1, FAM-6 and FAM-7), review outcomes of a review meeting (MTG-9), the
 * shape of a draft (schema violations, no rule), who writes and approves
 * (MIN-1, MIN-3) and who changes an action (ACT-2); and the decision on
 * sharing the minutes with the family (FAM-5, domain/planning.c). Each test
 * that proves a rule carries the rule ID in its name. Sections for each
 * audience (REN-1), the renditions built from them (REN-2,
 * domain/rendition.c) and inaccuracies with the chair's answer (REN-4,
 * domain/inaccuracy.c) are here too, with the minutes they are made of. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/caller.h"
#include "domain/inaccuracy.h"
#include "domain/minutes.h"
#include "domain/planning.h"
#include "domain/rendition.h"
#include "domain/violations.h"

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

#define ACTION_A "0b6f3d2e-1c4a-4e8b-9f10-2a3b4c5d6e7f"
#define ACTION_B "1c7e4f3a-2d5b-4f9c-8a21-3b4c5d6e7f80"
#define ACTION_C "2d8f5a4b-3e6c-4a0d-9b32-4c5d6e7f8091"
#define ACTION_X "3e9a6b5c-4f7d-4b1e-8c43-5d6e7f8091a2"
/* the invitations of the meeting, as marked before the hold */
#define INV_HV "4fab7c6d-5a8e-4c2f-9d54-6e7f8091a2b3"
#define INV_ED "50bc8d7e-6b9f-4d30-8e65-7f8091a2b3c4"
#define INV_X "61cd9e8f-7ca0-4e41-9f76-8091a2b3c4d5"

static const minutes_invitation invited[] = {
    {INV_HV, "professional", "NHS-HV", "apologies"},
    {INV_ED, "specialist", "SCH-1", "present"},
};

/* ---- helpers ---- */

static json_t *load(const char *text)
{
    json_error_t err;
    json_t *doc = json_loads(text, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
    cr_assert_not_null(doc, "test JSON does not parse: %s (line %d)", err.text, err.line);
    return doc;
}

/* The minutes of an ordinary meeting with every part MIN-2 asks for: the
 * attendance as marked on the two invitations (and the social worker, who
 * convened it), the family was absent (so FAM-6 needs who feeds back and
 * how), a safeguarding referral is needed (so MIN-2 needs who makes it and
 * how), three actions. */
static const char complete_text[] =
    "{"
    "\"attendance\": ["
    "  {\"name\": \"Sam Social\", \"agency\": \"LA-CSC\", \"role\": \"Social worker\","
    "   \"attendance\": \"present\"},"
    "  {\"invitation_id\": \"" INV_HV "\", \"name\": \"Hana Health\", \"agency\": \"NHS-HV\","
    "   \"role\": \"Health visitor\", \"attendance\": \"apologies\"},"
    "  {\"invitation_id\": \"" INV_ED "\", \"name\": \"Ed Teacher\", \"agency\": \"SCH-1\","
    "   \"role\": \"Class teacher\", \"attendance\": \"present\"}],"
    "\"purpose\": \"Review the support plan for school attendance\","
    "\"childs_views\": {\"views\": \"Likes school on days with swimming; worries about mum\","
    "  \"how_represented\": \"practitioner\"},"
    "\"needs\": \"Regular attendance and a settled bedtime routine\","
    "\"strengths\": \"Mother engages with the health visitor\","
    "\"risks\": \"Missed health appointments\","
    "\"decisions\": \"Continue the plan with a school nurse referral\","
    "\"actions\": ["
    "  {\"action_id\": \"" ACTION_A "\", \"description\": \"Refer to the school nurse\","
    "   \"owner\": {\"name\": \"Ed Teacher\", \"agency\": \"SCH-1\", \"sub\": \"ed-1\"},"
    "   \"due_date\": \"2026-12-04\", \"contingency\": \"The designated lead refers\"},"
    "  {\"description\": \"Home visit\","
    "   \"owner\": {\"name\": \"Sam Social\", \"agency\": \"LA-CSC\"},"
    "   \"due_date\": \"2026-12-01\", \"contingency\": \"The duty worker visits\"},"
    "  {\"description\": \"Book the developmental check\","
    "   \"owner\": {\"name\": \"Hana Health\", \"agency\": \"NHS-HV\"},"
    "   \"due_date\": \"2026-12-11\", \"contingency\": \"The GP practice books it\"}],"
    "\"plan_coordinator\": {\"name\": \"Sam Social\", \"agency\": \"LA-CSC\", \"sub\": \"sw-1\"},"
    "\"information_sharing\": {\"with_whom\": \"School, GP and health visitor\","
    "  \"family\": \"The plan and the decisions\"},"
    "\"family_feedback\": {\"family_present\": false,"
    "  \"by\": {\"name\": \"Sam Social\", \"agency\": \"LA-CSC\"},"
    "  \"method\": \"Home visit with the mother; play-based talk with the child\"},"
    "\"safeguarding_referral\": {\"needed\": true,"
    "  \"by\": {\"name\": \"Ed Teacher\", \"agency\": \"SCH-1\"},"
    "  \"how\": \"Phone the front door, then the written referral\"},"
    "\"caf_considered\": {\"considered\": true, \"note\": \"Already in place\"},"
    "\"fgc_considered\": {\"considered\": false},"
    "\"further_assessment\": {\"required\": true, \"what\": \"Speech and language assessment\","
    "  \"by\": {\"name\": \"Hana Health\", \"agency\": \"NHS-HV\"}, \"due_date\": \"2026-12-18\"},"
    "\"next_review\": {\"date\": \"2027-01-15\"}"
    "}";

/* What a strategy discussion adds (ST). */
static const char strategy_text[] =
    "{"
    "\"risk_analysis\": \"Injury consistent with the account; risk reduced by the plan\","
    "\"legal_action\": {\"required\": false, \"note\": \"Threshold not met\"},"
    "\"further_strategy_discussion\": {\"required\": true, \"note\": \"After the medical\"},"
    "\"lado_referral\": {\"required\": false, \"by\": {\"name\": \"Sam Social\","
    "  \"agency\": \"LA-CSC\"}, \"note\": \"No professional involved\"},"
    "\"shared_with_family\": {\"shared\": \"That a section 47 enquiry is starting\","
    "  \"not_shared\": \"The police interview plan\","
    "  \"not_shared_rationale\": \"It would jeopardise the police investigation\"},"
    "\"risk_categories\": [\"physical_abuse\", \"neglect\"],"
    "\"strategy_considerations\": {"
    "  \"children_discussed\": ["
    "    {\"child\": \"children[0]\", \"summary\": \"Seen at school; bruising explained\"},"
    "    {\"child\": \"other_children[0]\", \"summary\": \"Sibling, 3: seen within 24 hours\"}],"
    "  \"non_resident_parents\": {\"outcome\": \"to_be_done\","
    "    \"note\": \"Father lives in another force area\","
    "    \"by\": {\"name\": \"DC Example\", \"agency\": \"POL-1\"}, \"due_date\": \"2026-03-05\"},"
    "  \"voice_of_child_and_family\": {\"outcome\": \"done\","
    "    \"family\": \"Mother minimises; grandmother worried\"},"
    "  \"safety_measures\": {\"outcome\": \"required\","
    "    \"measures\": \"The children stay with their grandmother\","
    "    \"involved\": [{\"name\": \"Sam Social\", \"agency\": \"LA-CSC\"},"
    "                 {\"name\": \"DC Example\", \"agency\": \"POL-1\"}],"
    "    \"review_date\": \"2026-03-06\"},"
    "  \"child_protection_medical\": {\"outcome\": \"to_be_done\","
    "    \"by\": {\"name\": \"Dr Paed\", \"agency\": \"NHS-HV\"}, \"due_date\": \"2026-03-04\"},"
    "  \"sarc_referral\": {\"outcome\": \"not_required\", \"note\": \"No sexual abuse indicated\"},"
    "  \"criminal_proceedings\": {\"outcome\": \"investigation_continuing\","
    "    \"by\": {\"name\": \"DS Example\", \"agency\": \"POL-1\"}, \"due_date\": \"2026-03-18\","
    "    \"family_sharing\": {\"can_share\": \"That police are making enquiries\","
    "      \"cannot_share\": \"The neighbour's statement\"}},"
    "  \"abe_interview\": {\"outcome\": \"to_be_done\","
    "    \"by\": {\"name\": \"DC Example\", \"agency\": \"POL-1\"}, \"due_date\": \"2026-03-05\"}"
    "}}";

/* What domestic abuse among the risks adds (MIN-6). */
static const char domestic_abuse_text[] =
    "{"
    "\"marac_referral\": {\"outcome\": \"to_be_done\","
    "  \"by\": {\"name\": \"Ida IDVA\", \"agency\": \"VOL-1\"}, \"due_date\": \"2026-03-05\"},"
    "\"dash_risk_assessment\": {\"outcome\": \"done\","
    "  \"by\": {\"name\": \"PC Example\", \"agency\": \"POL-1\"}},"
    "\"clares_law\": {\"outcome\": \"not_required\", \"note\": \"Mother knows the history\"},"
    "\"children_as_victims\": {\"recognised\": true,"
    "  \"support\": \"Referral to the children's domestic abuse service\"}"
    "}";

/* A fresh, complete document: every test starts here and changes one thing. */
static json_t *complete_doc(bool strategy)
{
    json_t *doc = load(complete_text);
    if (strategy) {
        json_t *extra = load(strategy_text);
        cr_assert_eq(json_object_update(doc, extra), 0);
        json_decref(extra);
    }
    return doc;
}

/* complete_doc(true) with domestic abuse among the risks and its
 * considerations. */
static json_t *domestic_abuse_doc(void)
{
    json_t *doc = complete_doc(true);
    json_t *extra = load(domestic_abuse_text);
    cr_assert_eq(json_object_update(json_object_get(doc, "strategy_considerations"), extra), 0);
    json_decref(extra);
    json_array_append_new(json_object_get(doc, "risk_categories"),
                          json_string("domestic_abuse"));
    return doc;
}

/* A path such as actions[2].owner.name: keys and [n] indexes. */
typedef struct path_step {
    char key[64];
    long index; /* >= 0: an array index, else key */
} path_step;

static int split_path(const char *path, path_step *out, int max)
{
    int n = 0;
    const char *p = path;
    while (*p) {
        cr_assert(n < max, "test path too deep: %s", path);
        if (*p == '[') {
            char *end;
            out[n].key[0] = '\0';
            out[n].index = strtol(p + 1, &end, 10);
            cr_assert(*end == ']', "bad test path %s", path);
            p = end + 1;
        } else {
            size_t len = strcspn(p, ".[");
            cr_assert(len > 0 && len < sizeof out[n].key, "bad test path %s", path);
            memcpy(out[n].key, p, len);
            out[n].key[len] = '\0';
            out[n].index = -1;
            p += len;
        }
        n++;
        if (*p == '.')
            p++;
    }
    return n;
}

/* Sets (value not NULL, reference taken) or removes (value NULL) the member
 * at `path`. Returns doc. */
static json_t *with_value(json_t *doc, const char *path, json_t *value)
{
    path_step steps[8];
    int n = split_path(path, steps, 8);
    cr_assert(n > 0, "empty test path");
    json_t *node = doc;
    for (int i = 0; i < n - 1; i++) {
        node = steps[i].index >= 0 ? json_array_get(node, (size_t)steps[i].index)
                                   : json_object_get(node, steps[i].key);
        cr_assert_not_null(node, "no '%s' in the test document (%s)", steps[i].key, path);
    }
    const path_step *last = &steps[n - 1];
    if (last->index >= 0) {
        cr_assert(json_is_array(node) && (size_t)last->index < json_array_size(node),
                  "no array item at '%s'", path);
        if (value)
            json_array_set_new(node, (size_t)last->index, value);
        else
            json_array_remove(node, (size_t)last->index);
    } else {
        cr_assert(json_is_object(node), "no object holds '%s'", path);
        if (value)
            json_object_set_new(node, last->key, value);
        else
            json_object_del(node, last->key);
    }
    return doc;
}

/* As with_value, the value given as JSON text (NULL removes). */
static json_t *with(json_t *doc, const char *path, const char *json_text)
{
    return with_value(doc, path, json_text ? load(json_text) : NULL);
}

/* A string of n copies of `unit`. */
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

/* The facts of the meeting the minutes are checked against: a strategy
 * discussion or a professionals meeting, with the two invitations. */
static minutes_facts facts_of(bool strategy)
{
    return (minutes_facts){.meeting_type = strategy ? "strategy_discussion" : "professionals",
                           .invitations = invited,
                           .n_invitations = COUNT(invited),
                           .n_children = 1,
                           .n_other_children = 1};
}

/* Checks completeness against the facts, then releases doc. */
static void complete_with(json_t *doc, const minutes_facts *f, violations *v)
{
    violations_init(v);
    minutes_check_complete(doc, f, v);
    json_decref(doc);
}

/* Checks completeness for a meeting of the kind with the two invitations,
 * then releases doc. */
static void complete(json_t *doc, bool strategy, violations *v)
{
    minutes_facts f = facts_of(strategy);
    complete_with(doc, &f, v);
}

/* Checks the shape, then releases doc. */
static void shape(json_t *doc, violations *v)
{
    violations_init(v);
    minutes_check_shape(doc, v);
    json_decref(doc);
}

/* Checks the review outcomes, then releases doc. */
static void review(json_t *doc, const char *const *open, int n_open, violations *v)
{
    violations_init(v);
    minutes_check_review(doc, open, n_open, NULL, 0, v);
    json_decref(doc);
}

typedef struct want_t {
    const char *rule, *field;
} want_t;

static void assert_exactly(const violations *v, const want_t *want, int n)
{
    for (int i = 0; i < n; i++)
        cr_assert(violations_has(v, want[i].rule, want[i].field), "expected %s at '%s', got %s",
                  want[i].rule, want[i].field, describe(v));
    cr_assert_eq(v->n, n, "expected %d violations, got %s", n, describe(v));
    cr_assert_not(v->schema, "%s", describe(v));
}

/* ---- MIN-2: complete minutes ---- */

Test(minutes_rules, MIN_2_complete_minutes_accepted)
{
    violations v;
    complete(complete_doc(false), false, &v);
    assert_none(&v);
    complete(complete_doc(true), true, &v);
    assert_none(&v);
    complete(complete_doc(true), false, &v);
    assert_none(&v);
}

static const want_t every_part[] = {
    {"MIN-2", "attendance"},
    {"MIN-2", "purpose"},
    {"MIN-2", "childs_views.how_represented"},
    {"MIN-2", "childs_views.views"},
    {"MIN-2", "needs"},
    {"MIN-2", "strengths"},
    {"MIN-2", "risks"},
    {"MIN-2", "decisions"},
    {"MIN-2", "actions"},
    {"MIN-2", "plan_coordinator"},
    {"MIN-2", "information_sharing.with_whom"},
    {"MIN-2", "information_sharing.family"},
    {"FAM-6", "family_feedback.by"},
    {"FAM-6", "family_feedback.method"},
    {"MIN-2", "safeguarding_referral.needed"},
    {"MIN-2", "caf_considered.considered"},
    {"MIN-2", "fgc_considered.considered"},
    {"MIN-2", "next_review.date"},
};

static const want_t strategy_parts[] = {
    {"MIN-2", "risk_analysis"},
    {"MIN-2", "legal_action.required"},
    {"MIN-2", "further_strategy_discussion.required"},
    {"MIN-2", "lado_referral.required"},
    {"FAM-7", "shared_with_family.shared"},
    {"MIN-6", "risk_categories"},
    {"MIN-6", "strategy_considerations.children_discussed"},
    {"MIN-6", "strategy_considerations.children_discussed"},
    {"MIN-6", "strategy_considerations.non_resident_parents.outcome"},
    {"MIN-6", "strategy_considerations.voice_of_child_and_family.outcome"},
    {"MIN-6", "strategy_considerations.safety_measures.outcome"},
    {"MIN-6", "strategy_considerations.child_protection_medical.outcome"},
    {"MIN-6", "strategy_considerations.sarc_referral.outcome"},
    {"MIN-6", "strategy_considerations.criminal_proceedings.outcome"},
    {"MIN-6", "strategy_considerations.criminal_proceedings.family_sharing.can_share"},
    {"MIN-6", "strategy_considerations.criminal_proceedings.family_sharing.cannot_share"},
    {"MIN-6", "strategy_considerations.abe_interview.outcome"},
};

Test(minutes_rules, MIN_2_empty_minutes_report_every_missing_part_at_once)
{
    violations v;
    complete(load("{}"), false, &v);
    assert_exactly(&v, every_part, COUNT(every_part));
}

Test(minutes_rules, MIN_2_empty_strategy_minutes_report_strategy_parts_too)
{
    violations v;
    complete(load("{}"), true, &v);
    want_t all[COUNT(every_part) + COUNT(strategy_parts)];
    memcpy(all, every_part, sizeof every_part);
    memcpy(all + COUNT(every_part), strategy_parts, sizeof strategy_parts);
    assert_exactly(&v, all, COUNT(all));
}

Test(minutes_rules, MIN_2_strategy_parts_missing_from_ordinary_minutes_reported_at_once)
{
    violations v;
    complete(complete_doc(false), true, &v);
    assert_exactly(&v, strategy_parts, COUNT(strategy_parts));
}

/* One member removed from complete minutes; the one violation it causes. */
static const struct {
    const char *remove, *rule, *field;
} single_missing[] = {
    {"attendance", "MIN-2", "attendance"},
    {"purpose", "MIN-2", "purpose"},
    {"needs", "MIN-2", "needs"},
    {"strengths", "MIN-2", "strengths"},
    {"risks", "MIN-2", "risks"},
    {"decisions", "MIN-2", "decisions"},
    {"actions", "MIN-2", "actions"},
    {"childs_views.views", "MIN-2", "childs_views.views"},
    {"childs_views.how_represented", "MIN-2", "childs_views.how_represented"},
    {"plan_coordinator", "MIN-2", "plan_coordinator"},
    {"plan_coordinator.name", "MIN-2", "plan_coordinator"},
    {"plan_coordinator.agency", "MIN-2", "plan_coordinator"},
    {"information_sharing.with_whom", "MIN-2", "information_sharing.with_whom"},
    {"information_sharing.family", "MIN-2", "information_sharing.family"},
    {"family_feedback.by", "FAM-6", "family_feedback.by"},
    {"family_feedback.by.name", "FAM-6", "family_feedback.by"},
    {"family_feedback.by.agency", "FAM-6", "family_feedback.by"},
    {"family_feedback.method", "FAM-6", "family_feedback.method"},
    {"safeguarding_referral", "MIN-2", "safeguarding_referral.needed"},
    {"safeguarding_referral.needed", "MIN-2", "safeguarding_referral.needed"},
    {"safeguarding_referral.by", "MIN-2", "safeguarding_referral.by"},
    {"safeguarding_referral.by.name", "MIN-2", "safeguarding_referral.by"},
    {"safeguarding_referral.by.agency", "MIN-2", "safeguarding_referral.by"},
    {"safeguarding_referral.how", "MIN-2", "safeguarding_referral.how"},
    {"caf_considered", "MIN-2", "caf_considered.considered"},
    {"caf_considered.considered", "MIN-2", "caf_considered.considered"},
    {"fgc_considered", "MIN-2", "fgc_considered.considered"},
    {"fgc_considered.considered", "MIN-2", "fgc_considered.considered"},
    {"next_review", "MIN-2", "next_review.date"},
    {"next_review.date", "MIN-2", "next_review.date"},
    {"actions[0].description", "ACT-1", "actions[0].description"},
    {"actions[0].owner", "ACT-1", "actions[0].owner"},
    {"actions[0].owner.name", "ACT-1", "actions[0].owner"},
    {"actions[0].owner.agency", "ACT-1", "actions[0].owner"},
    {"actions[1].due_date", "ACT-1", "actions[1].due_date"},
    {"actions[2].contingency", "ACT-1", "actions[2].contingency"},
};

Test(minutes_rules, MIN_2_each_missing_part_reported_alone)
{
    for (int i = 0; i < COUNT(single_missing); i++) {
        violations v;
        complete(with(complete_doc(false), single_missing[i].remove, NULL), false, &v);
        cr_assert(violations_has(&v, single_missing[i].rule, single_missing[i].field),
                  "without %s: expected %s at '%s', got %s", single_missing[i].remove,
                  single_missing[i].rule, single_missing[i].field, describe(&v));
        cr_assert_eq(v.n, 1, "without %s: expected only %s at '%s', got %s",
                     single_missing[i].remove, single_missing[i].rule, single_missing[i].field,
                     describe(&v));
        cr_assert_not(v.schema);
    }
}

Test(minutes_rules, MIN_2_blank_text_counts_as_missing)
{
    const char *texts[] = {"purpose", "needs", "strengths", "risks", "decisions"};
    for (int i = 0; i < COUNT(texts); i++) {
        violations v;
        complete(with(complete_doc(false), texts[i], "\" \\n\\t \""), false, &v);
        assert_only(&v, "MIN-2", texts[i]);
    }
    violations v;
    complete(with(complete_doc(false), "information_sharing.family", "\"\""), false, &v);
    assert_only(&v, "MIN-2", "information_sharing.family");
}

Test(minutes_rules, MIN_2_empty_attendance_and_action_plan_refused)
{
    violations v;
    complete(with(complete_doc(false), "attendance", "[]"), false, &v);
    assert_only(&v, "MIN-2", "attendance");
    complete(with(complete_doc(false), "actions", "[]"), false, &v);
    assert_only(&v, "MIN-2", "actions");
}

Test(minutes_rules, ACT_1_every_gap_in_the_action_plan_reported_with_its_path)
{
    json_t *doc = complete_doc(false);
    with(doc, "actions[2].contingency", NULL);
    with(doc, "actions[0].owner.name", NULL);
    with(doc, "actions[1].due_date", NULL);
    with(doc, "actions[1].description", "\"  \"");
    violations v;
    complete(doc, false, &v);
    const want_t want[] = {{"ACT-1", "actions[2].contingency"},
                           {"ACT-1", "actions[0].owner"},
                           {"ACT-1", "actions[1].due_date"},
                           {"ACT-1", "actions[1].description"}};
    assert_exactly(&v, want, COUNT(want));
}

Test(minutes_rules, ACT_1_empty_action_reports_each_part)
{
    violations v;
    complete(with(complete_doc(false), "actions[1]", "{}"), false, &v);
    const want_t want[] = {{"ACT-1", "actions[1].description"},
                           {"ACT-1", "actions[1].owner"},
                           {"ACT-1", "actions[1].due_date"},
                           {"ACT-1", "actions[1].contingency"}};
    assert_exactly(&v, want, COUNT(want));
}

Test(minutes_rules, MIN_2_referral_not_needed_needs_no_one_to_make_it)
{
    json_t *doc = complete_doc(false);
    with(doc, "safeguarding_referral", "{\"needed\": false}");
    violations v;
    complete(doc, false, &v);
    assert_none(&v);
}

Test(minutes_rules, MIN_2_needed_referral_needs_who_and_how)
{
    violations v;
    complete(with(complete_doc(false), "safeguarding_referral", "{\"needed\": true}"), false, &v);
    const want_t want[] = {{"MIN-2", "safeguarding_referral.by"},
                           {"MIN-2", "safeguarding_referral.how"}};
    assert_exactly(&v, want, COUNT(want));
}

Test(minutes_rules, MIN_2_next_review_date_or_reason_for_none)
{
    violations v;
    complete(with(complete_doc(false), "next_review", "{\"date\": \"2027-01-15\"}"), false, &v);
    assert_none(&v);
    complete(with(complete_doc(false), "next_review",
                  "{\"no_review_reason\": \"The plan ends with the school nurse referral\"}"),
             false, &v);
    assert_none(&v);
    complete(with(complete_doc(false), "next_review", "{}"), false, &v);
    assert_only(&v, "MIN-2", "next_review.date");
    complete(with(complete_doc(false), "next_review", "{\"no_review_reason\": \"  \"}"), false,
             &v);
    assert_only(&v, "MIN-2", "next_review.date");
}


/* ---- MIN-2: always the leaf ---- */

/* Leaving out a whole part or only its leaf names the same path: one per
 * part, never the object around it. */
static const struct {
    const char *remove;
    const char *fields[3];
} leaf_cases[] = {
    {"information_sharing", {"information_sharing.with_whom", "information_sharing.family"}},
    {"information_sharing.family", {"information_sharing.family"}},
    {"childs_views", {"childs_views.how_represented", "childs_views.views"}},
    {"childs_views.views", {"childs_views.views"}},
    {"plan_coordinator", {"plan_coordinator"}},
    {"plan_coordinator.agency", {"plan_coordinator"}},
    {"next_review", {"next_review.date"}},
    {"next_review.date", {"next_review.date"}},
    {"safeguarding_referral.by", {"safeguarding_referral.by"}},
    {"safeguarding_referral.by.name", {"safeguarding_referral.by"}},
    {"family_feedback.by", {"family_feedback.by"}},
    {"family_feedback.by.agency", {"family_feedback.by"}},
    {"further_assessment.by", {"further_assessment.by"}},
    {"further_assessment.by.name", {"further_assessment.by"}},
    {"actions[1].owner", {"actions[1].owner"}},
    {"actions[1].owner.agency", {"actions[1].owner"}},
};

Test(minutes_rules, MIN_2_missing_parts_always_named_by_their_leaf)
{
    for (int i = 0; i < COUNT(leaf_cases); i++) {
        violations v;
        complete(with(complete_doc(false), leaf_cases[i].remove, NULL), false, &v);
        int n = 0;
        for (int k = 0; k < 3 && leaf_cases[i].fields[k]; k++, n++) {
            bool named = false;
            for (int j = 0; j < v.n; j++)
                named |= v.items[j].rule && strcmp(v.items[j].field, leaf_cases[i].fields[k]) == 0;
            cr_assert(named, "without %s: expected '%s', got %s", leaf_cases[i].remove,
                      leaf_cases[i].fields[k], describe(&v));
        }
        cr_assert_eq(v.n, n, "without %s: %s", leaf_cases[i].remove, describe(&v));
        cr_assert_not(v.schema);
    }
    /* the strategy parts too */
    violations v;
    complete(with(complete_doc(true), "shared_with_family", NULL), true, &v);
    assert_only(&v, "FAM-7", "shared_with_family.shared");
    complete(with(complete_doc(true), "lado_referral", "{\"required\": true}"), true, &v);
    assert_only(&v, "MIN-2", "lado_referral.by");
}

Test(minutes_rules, MIN_2_lado_referral_required_needs_who_makes_it)
{
    violations v;
    complete(with(complete_doc(true), "lado_referral", "{\"required\": true}"), true, &v);
    assert_only(&v, "MIN-2", "lado_referral.by");
    complete(with(complete_doc(true), "lado_referral",
                  "{\"required\": true, \"by\": {\"name\": \"Sam Social\"}}"),
             true, &v);
    assert_only(&v, "MIN-2", "lado_referral.by");
    complete(with(complete_doc(true), "lado_referral",
                  "{\"required\": true, \"by\": {\"name\": \"Sam Social\","
                  " \"agency\": \"LA-CSC\"}}"),
             true, &v);
    assert_none(&v);
    /* not required: nobody needed */
    complete(with(complete_doc(true), "lado_referral", "{\"required\": false}"), true, &v);
    assert_none(&v);
}

/* ---- MIN-2: attendance against the marks recorded before the hold ---- */

Test(minutes_rules, MIN_2_empty_attendance_entry_reports_name_agency_and_mark)
{
    violations v;
    complete(with(complete_doc(false), "attendance[0]", "{}"), false, &v);
    const want_t want[] = {{"MIN-2", "attendance[0].name"},
                           {"MIN-2", "attendance[0].agency"},
                           {"MIN-2", "attendance[0].attendance"}};
    assert_exactly(&v, want, COUNT(want));
    /* an entry of an invitation: the same three, and nothing else */
    complete(with(complete_doc(false), "attendance[1]", "{\"invitation_id\": \"" INV_HV "\"}"),
             false, &v);
    const want_t of_invitation[] = {{"MIN-2", "attendance[1].name"},
                                    {"MIN-2", "attendance[1].agency"},
                                    {"MIN-2", "attendance[1].attendance"}};
    assert_exactly(&v, of_invitation, COUNT(of_invitation));
    /* blank text is no text */
    complete(with(complete_doc(false), "attendance[2].name", "\"  \""), false, &v);
    assert_only(&v, "MIN-2", "attendance[2].name");
}

Test(minutes_rules, MIN_2_attendance_differing_from_the_marks_lists_each_difference)
{
    json_t *doc = complete_doc(false);
    with(doc, "attendance[1].attendance", "\"present\"");
    with(doc, "attendance[2].attendance", "\"absent\"");
    violations v;
    complete(doc, false, &v);
    const want_t want[] = {{"MIN-2", "attendance[1].attendance"},
                           {"MIN-2", "attendance[2].attendance"}};
    assert_exactly(&v, want, COUNT(want));
    cr_assert(strstr(v.items[0].message, "apologies"), "names the mark recorded: %s",
              describe(&v));
    cr_assert(strstr(v.items[1].message, "present"), "names the mark recorded: %s",
              describe(&v));
    /* an entry without an invitation is not compared */
    complete(with(complete_doc(false), "attendance[0].attendance", "\"absent\""), false, &v);
    assert_none(&v);
}

Test(minutes_rules, MIN_2_invitation_missing_from_the_attendance_listed)
{
    violations v;
    complete(with(complete_doc(false), "attendance[2]", NULL), false, &v);
    assert_only(&v, "MIN-2", "attendance");
    cr_assert(strstr(v.items[0].message, INV_ED) && strstr(v.items[0].message, "present"),
              "names the invitation and its mark: %s", describe(&v));
    /* an entry that names no invitation does not stand for one */
    complete(with(complete_doc(false), "attendance[1].invitation_id", NULL), false, &v);
    assert_only(&v, "MIN-2", "attendance");
    cr_assert(strstr(v.items[0].message, INV_HV), "%s", describe(&v));
    /* each missing invitation listed */
    json_t *doc = complete_doc(false);
    with(doc, "attendance", "[{\"name\": \"Sam Social\", \"agency\": \"LA-CSC\","
                            " \"attendance\": \"present\"}]");
    complete(doc, false, &v);
    cr_assert_eq(v.n, 2, "%s", describe(&v));
    cr_assert(strstr(v.items[0].message, INV_HV) || strstr(v.items[1].message, INV_HV));
    cr_assert(strstr(v.items[0].message, INV_ED) || strstr(v.items[1].message, INV_ED));
}

Test(minutes_rules, MIN_2_unknown_or_repeated_invitation_in_the_attendance_refused)
{
    violations v;
    complete(with(complete_doc(false), "attendance[0].invitation_id", "\"" INV_X "\""), false,
             &v);
    assert_only(&v, "MIN-2", "attendance[0].invitation_id");
    json_t *doc = complete_doc(false);
    json_array_append_new(json_object_get(doc, "attendance"),
                          load("{\"invitation_id\": \"" INV_ED "\", \"name\": \"Ed Teacher\","
                               " \"agency\": \"SCH-1\", \"attendance\": \"absent\"}"));
    complete(doc, false, &v);
    /* the repeat is refused once, its mark not compared a second time */
    assert_only(&v, "MIN-2", "attendance[3].invitation_id");
}

Test(minutes_rules, MIN_2_family_attendee_needs_no_agency)
{
    static const minutes_invitation with_parent[] = {
        {INV_HV, "professional", "NHS-HV", "apologies"},
        {INV_ED, "specialist", "SCH-1", "present"},
        {INV_X, "parent_carer", NULL, "absent"},
    };
    minutes_facts f = {.meeting_type = "professionals",
                       .invitations = with_parent,
                       .n_invitations = COUNT(with_parent)};
    json_t *doc = complete_doc(false);
    json_array_append_new(json_object_get(doc, "attendance"),
                          load("{\"invitation_id\": \"" INV_X "\", \"name\": \"Pat Parent\","
                               " \"attendance\": \"absent\"}"));
    violations v;
    complete_with(json_incref(doc), &f, &v);
    assert_none(&v);
    /* a professional's entry still needs the agency */
    with(doc, "attendance[2].agency", NULL);
    complete_with(doc, &f, &v);
    assert_only(&v, "MIN-2", "attendance[2].agency");
}

Test(minutes_rules, MIN_2_an_invitation_never_marked_is_compared_with_nothing)
{
    static const minutes_invitation unmarked[] = {
        {INV_HV, "professional", "NHS-HV", NULL},
        {INV_ED, "specialist", "SCH-1", "present"},
    };
    minutes_facts f = {.meeting_type = "professionals",
                       .invitations = unmarked,
                       .n_invitations = COUNT(unmarked)};
    violations v;
    complete_with(complete_doc(false), &f, &v);
    assert_none(&v);
    complete_with(with(complete_doc(false), "attendance[1]", NULL), &f, &v);
    assert_only(&v, "MIN-2", "attendance");
}

/* ---- MIN-2: the child's views ---- */

Test(minutes_rules, MIN_2_childs_views_and_how_represented_for_every_type)
{
    static const char *const types[] = {"stop_and_review", "professionals", "professionals_only",
                                        "strategy_discussion", "multi_agency"};
    for (int i = 0; i < COUNT(types); i++) {
        minutes_facts f = facts_of(false);
        f.meeting_type = types[i];
        violations v;
        complete_with(with(complete_doc(true), "childs_views", NULL), &f, &v);
        const want_t want[] = {{"MIN-2", "childs_views.how_represented"},
                               {"MIN-2", "childs_views.views"}};
        for (int k = 0; k < COUNT(want); k++)
            cr_assert(violations_has(&v, want[k].rule, want[k].field), "%s: %s", types[i],
                      describe(&v));
        cr_assert_eq(v.n, 2, "%s: %s", types[i], describe(&v));
    }
    for (int i = 0; childs_views_represented[i]; i++) {
        if (strcmp(childs_views_represented[i], "not_yet_sought") == 0)
            continue;
        json_t *doc = complete_doc(false);
        with_value(doc, "childs_views.how_represented", json_string(childs_views_represented[i]));
        violations v;
        complete(doc, false, &v);
        assert_none(&v);
    }
}

Test(minutes_rules, MIN_2_childs_views_not_yet_sought_say_why)
{
    violations v;
    complete(with(complete_doc(false), "childs_views",
                  "{\"how_represented\": \"not_yet_sought\"}"),
             false, &v);
    assert_only(&v, "MIN-2", "childs_views.note");
    complete(with(complete_doc(false), "childs_views",
                  "{\"how_represented\": \"not_yet_sought\", \"note\": \"Seen alone at school"
                  " by Friday\"}"),
             false, &v);
    assert_none(&v);
}

/* ---- MIN-2: a further assessment ---- */

Test(minutes_rules, MIN_2_further_assessment_required_names_what_who_and_by_when)
{
    violations v;
    complete(with(complete_doc(false), "further_assessment", "{\"required\": true}"), false, &v);
    const want_t want[] = {{"MIN-2", "further_assessment.what"},
                           {"MIN-2", "further_assessment.by"},
                           {"MIN-2", "further_assessment.due_date"}};
    assert_exactly(&v, want, COUNT(want));
    complete(with(complete_doc(false), "further_assessment.due_date", NULL), false, &v);
    assert_only(&v, "MIN-2", "further_assessment.due_date");
    /* none required, or none recorded: nothing asked */
    complete(with(complete_doc(false), "further_assessment", "{\"required\": false}"), false, &v);
    assert_none(&v);
    complete(with(complete_doc(false), "further_assessment", NULL), false, &v);
    assert_none(&v);
}


/* ---- FAM-6: feeding back to a family that was not there ---- */

/* The invitations of a meeting with a family: the two professionals, a
 * parent and a young person, each family member marked as given. */
static minutes_facts with_family(minutes_invitation out[4], const char *parent,
                                 const char *young_person)
{
    out[0] = invited[0];
    out[1] = invited[1];
    out[2] = (minutes_invitation){INV_X, "parent_carer", NULL, parent};
    out[3] = (minutes_invitation){ACTION_X, "child_young_person", NULL, young_person};
    return (minutes_facts){
        .meeting_type = "professionals", .invitations = out, .n_invitations = young_person ? 4 : 3};
}

Test(minutes_rules, FAM_6_family_presence_comes_from_the_attendance_marks)
{
    minutes_invitation list[4];
    minutes_facts f;
    /* no family member invited: not present */
    cr_assert_not(minutes_family_present_from(invited, COUNT(invited)));
    cr_assert_not(minutes_family_present_from(NULL, 0));
    /* every family member invited marked present */
    f = with_family(list, "present", NULL);
    cr_assert(minutes_family_present_from(f.invitations, f.n_invitations));
    f = with_family(list, "present", "present");
    cr_assert(minutes_family_present_from(f.invitations, f.n_invitations));
    /* one of them not there: the family was not present (feedback goes to
     * each who was not there) */
    f = with_family(list, "present", "absent");
    cr_assert_not(minutes_family_present_from(f.invitations, f.n_invitations));
    f = with_family(list, "apologies", "present");
    cr_assert_not(minutes_family_present_from(f.invitations, f.n_invitations));
    f = with_family(list, "absent", NULL);
    cr_assert_not(minutes_family_present_from(f.invitations, f.n_invitations));
    /* never marked is not present */
    list[2].attendance = NULL;
    cr_assert_not(minutes_family_present_from(list, 3));
    /* professionals marked present are not the family */
    static const minutes_invitation professionals[] = {
        {INV_HV, "professional", "NHS-HV", "present"},
        {INV_ED, "specialist", "SCH-1", "present"},
    };
    cr_assert_not(minutes_family_present_from(professionals, COUNT(professionals)));
}

/* complete_doc with an entry for the parent (and the young person) as marked. */
static json_t *doc_with_family(const char *parent, const char *young_person)
{
    json_t *doc = complete_doc(false);
    json_t *list = json_object_get(doc, "attendance");
    json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "invitation_id", INV_X, "name",
                                          "Pat Parent", "attendance", parent));
    if (young_person)
        json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "invitation_id", ACTION_X,
                                              "name", "Young Person", "attendance",
                                              young_person));
    return doc;
}

Test(minutes_rules, FAM_6_minutes_claiming_presence_against_the_marks_refused)
{
    minutes_invitation list[4];
    minutes_facts f = with_family(list, "absent", NULL);
    json_t *doc = doc_with_family("absent", NULL);
    with(doc, "family_feedback.family_present", "true");
    violations v;
    complete_with(doc, &f, &v);
    assert_only(&v, "FAM-6", "family_feedback.family_present");
    /* the parent there, the young person not: still not present */
    f = with_family(list, "present", "absent");
    doc = doc_with_family("present", "absent");
    with(doc, "family_feedback.family_present", "true");
    complete_with(doc, &f, &v);
    assert_only(&v, "FAM-6", "family_feedback.family_present");
    /* and no family invited at all */
    complete(with(complete_doc(false), "family_feedback.family_present", "true"), false, &v);
    assert_only(&v, "FAM-6", "family_feedback.family_present");
}

Test(minutes_rules, FAM_6_minutes_claiming_absence_against_the_marks_refused)
{
    minutes_invitation list[4];
    minutes_facts f = with_family(list, "present", "present");
    violations v;
    complete_with(doc_with_family("present", "present"), &f, &v);
    assert_only(&v, "FAM-6", "family_feedback.family_present");
    cr_assert(strstr(v.items[0].message, "was present"), "%s", describe(&v));
}

Test(minutes_rules, FAM_6_absent_family_needs_who_feeds_back_and_how)
{
    violations v;
    complete(with(complete_doc(false), "family_feedback", "{\"family_present\": false}"), false,
             &v);
    const want_t want[] = {{"FAM-6", "family_feedback.by"}, {"FAM-6", "family_feedback.method"}};
    assert_exactly(&v, want, COUNT(want));
    /* the same when the minutes do not say, or say nothing of the family */
    complete(with(complete_doc(false), "family_feedback", "{}"), false, &v);
    assert_exactly(&v, want, COUNT(want));
    complete(with(complete_doc(false), "family_feedback", NULL), false, &v);
    assert_exactly(&v, want, COUNT(want));
    /* a parent marked absent: the same */
    minutes_invitation list[4];
    minutes_facts f = with_family(list, "absent", NULL);
    json_t *doc = doc_with_family("absent", NULL);
    with(doc, "family_feedback", "{}");
    complete_with(doc, &f, &v);
    assert_exactly(&v, want, COUNT(want));
}

Test(minutes_rules, FAM_6_feedback_person_needs_name_and_agency)
{
    violations v;
    complete(with(complete_doc(false), "family_feedback.by", "{}"), false, &v);
    assert_only(&v, "FAM-6", "family_feedback.by");
    cr_assert(strstr(v.items[0].message, "agency"), "%s", describe(&v));
    complete(with(complete_doc(false), "family_feedback.by.agency", NULL), false, &v);
    assert_only(&v, "FAM-6", "family_feedback.by");
    cr_assert(strstr(v.items[0].message, "give their agency"), "%s", describe(&v));
}

Test(minutes_rules, FAM_6_present_family_needs_no_feedback)
{
    minutes_invitation list[4];
    minutes_facts f = with_family(list, "present", NULL);
    violations v;
    complete_with(with(doc_with_family("present", NULL), "family_feedback",
                       "{\"family_present\": true}"),
                  &f, &v);
    assert_none(&v);
}

Test(minutes_rules, FAM_6_family_present_may_be_left_out)
{
    minutes_invitation list[4];
    minutes_facts f = with_family(list, "present", NULL);
    violations v;
    complete_with(with(doc_with_family("present", NULL), "family_feedback", NULL), &f, &v);
    assert_none(&v);
    complete(with(complete_doc(false), "family_feedback.family_present", NULL), false, &v);
    assert_none(&v);
}

/* ---- strategy discussions (MIN-2, FAM-7) ---- */

static const struct {
    const char *remove, *rule, *field;
} strategy_missing[] = {
    {"risk_analysis", "MIN-2", "risk_analysis"},
    {"legal_action", "MIN-2", "legal_action.required"},
    {"legal_action.required", "MIN-2", "legal_action.required"},
    {"further_strategy_discussion", "MIN-2", "further_strategy_discussion.required"},
    {"further_strategy_discussion.required", "MIN-2", "further_strategy_discussion.required"},
    {"lado_referral", "MIN-2", "lado_referral.required"},
    {"lado_referral.required", "MIN-2", "lado_referral.required"},
    {"shared_with_family", "FAM-7", "shared_with_family.shared"},
    {"shared_with_family.shared", "FAM-7", "shared_with_family.shared"},
    {"shared_with_family.not_shared_rationale", "FAM-7",
     "shared_with_family.not_shared_rationale"},
};

Test(minutes_rules, MIN_2_each_missing_strategy_part_reported_alone)
{
    for (int i = 0; i < COUNT(strategy_missing); i++) {
        violations v;
        complete(with(complete_doc(true), strategy_missing[i].remove, NULL), true, &v);
        cr_assert(violations_has(&v, strategy_missing[i].rule, strategy_missing[i].field),
                  "without %s: expected %s at '%s', got %s", strategy_missing[i].remove,
                  strategy_missing[i].rule, strategy_missing[i].field, describe(&v));
        cr_assert_eq(v.n, 1, "without %s: expected only %s at '%s', got %s",
                     strategy_missing[i].remove, strategy_missing[i].rule,
                     strategy_missing[i].field, describe(&v));
        cr_assert_not(v.schema);
    }
}

Test(minutes_rules, MIN_2_strategy_parts_not_needed_for_other_meetings)
{
    for (int i = 0; i < COUNT(strategy_missing); i++) {
        violations v;
        complete(with(complete_doc(true), strategy_missing[i].remove, NULL), false, &v);
        cr_assert_eq(v.n, 0, "without %s: %s", strategy_missing[i].remove, describe(&v));
    }
}

Test(minutes_rules, FAM_7_not_shared_needs_its_rationale)
{
    violations v;
    complete(with(complete_doc(true), "shared_with_family.not_shared_rationale", "\" \""), true,
             &v);
    assert_only(&v, "FAM-7", "shared_with_family.not_shared_rationale");
}

Test(minutes_rules, FAM_7_everything_shared_needs_no_rationale)
{
    json_t *doc = complete_doc(true);
    with(doc, "shared_with_family",
         "{\"shared\": \"The outcome of the discussion and the next steps\"}");
    violations v;
    complete(doc, true, &v);
    assert_none(&v);
}

Test(minutes_rules, FAM_7_what_is_shared_is_required)
{
    violations v;
    complete(with(complete_doc(true), "shared_with_family", "{}"), true, &v);
    assert_only(&v, "FAM-7", "shared_with_family.shared");
}



/* ---- MIN-6: a strategy discussion's considerations ---- */

#define SCP "strategy_considerations."

Test(minutes_rules, MIN_6_every_consideration_missing_reported_by_its_leaf)
{
    violations v;
    complete(with(complete_doc(true), "strategy_considerations", NULL), true, &v);
    const want_t want[] = {
        {"MIN-6", SCP "children_discussed"},
        {"MIN-6", SCP "children_discussed"},
        {"MIN-6", SCP "non_resident_parents.outcome"},
        {"MIN-6", SCP "voice_of_child_and_family.outcome"},
        {"MIN-6", SCP "safety_measures.outcome"},
        {"MIN-6", SCP "child_protection_medical.outcome"},
        {"MIN-6", SCP "sarc_referral.outcome"},
        {"MIN-6", SCP "criminal_proceedings.outcome"},
        {"MIN-6", SCP "criminal_proceedings.family_sharing.can_share"},
        {"MIN-6", SCP "criminal_proceedings.family_sharing.cannot_share"},
        {"MIN-6", SCP "abe_interview.outcome"},
    };
    assert_exactly(&v, want, COUNT(want));
    /* the same path whether the consideration or its outcome is missing */
    static const char *const each[] = {"non_resident_parents", "voice_of_child_and_family",
                                       "safety_measures", "child_protection_medical",
                                       "sarc_referral", "abe_interview"};
    for (int i = 0; i < COUNT(each); i++) {
        char object[96], outcome[128];
        snprintf(object, sizeof object, SCP "%s", each[i]);
        snprintf(outcome, sizeof outcome, SCP "%s.outcome", each[i]);
        complete(with(complete_doc(true), object, NULL), true, &v);
        assert_only(&v, "MIN-6", outcome);
        complete(with(complete_doc(true), outcome, NULL), true, &v);
        assert_only(&v, "MIN-6", outcome);
    }
}

Test(minutes_rules, MIN_6_risk_categories_required)
{
    violations v;
    complete(with(complete_doc(true), "risk_categories", NULL), true, &v);
    assert_only(&v, "MIN-6", "risk_categories");
    complete(with(complete_doc(true), "risk_categories", "[]"), true, &v);
    assert_only(&v, "MIN-6", "risk_categories");
}

Test(minutes_rules, MIN_6_domestic_abuse_adds_marac_dash_clares_law_and_children_as_victims)
{
    violations v;
    json_t *doc = complete_doc(true);
    json_array_append_new(json_object_get(doc, "risk_categories"),
                          json_string("domestic_abuse"));
    complete(doc, true, &v);
    const want_t want[] = {{"MIN-6", SCP "marac_referral.outcome"},
                           {"MIN-6", SCP "dash_risk_assessment.outcome"},
                           {"MIN-6", SCP "clares_law.outcome"},
                           {"MIN-6", SCP "children_as_victims.recognised"},
                           {"MIN-6", SCP "children_as_victims.support"}};
    assert_exactly(&v, want, COUNT(want));
    complete(domestic_abuse_doc(), true, &v);
    assert_none(&v);
}

Test(minutes_rules, MIN_6_without_domestic_abuse_those_are_not_required)
{
    violations v;
    complete(complete_doc(true), true, &v);
    assert_none(&v);
    /* recorded anyway: checked as any consideration is */
    json_t *doc = domestic_abuse_doc();
    json_array_remove(json_object_get(doc, "risk_categories"), 2);
    complete(json_incref(doc), true, &v);
    assert_none(&v);
    /* domestic abuse is read from the categories only, never from the text */
    with(doc, "risks", "\"Domestic abuse by the father\"");
    with(doc, SCP "marac_referral", NULL);
    complete(doc, true, &v);
    assert_none(&v);
}

Test(minutes_rules, MIN_6_to_be_done_needs_who_and_by_when)
{
    violations v;
    complete(with(complete_doc(true), SCP "abe_interview", "{\"outcome\": \"to_be_done\"}"), true,
             &v);
    const want_t want[] = {{"MIN-6", SCP "abe_interview.by"},
                           {"MIN-6", SCP "abe_interview.due_date"}};
    assert_exactly(&v, want, COUNT(want));
    complete(with(complete_doc(true), SCP "child_protection_medical.by.agency", NULL), true, &v);
    assert_only(&v, "MIN-6", SCP "child_protection_medical.by");
    complete(with(complete_doc(true), SCP "non_resident_parents.due_date", "\" \""), true, &v);
    assert_only(&v, "MIN-6", SCP "non_resident_parents.due_date");
    /* done, not required or not applicable: nobody to name */
    complete(with(complete_doc(true), SCP "non_resident_parents",
                  "{\"outcome\": \"not_applicable\"}"),
             true, &v);
    assert_none(&v);
    complete(with(complete_doc(true), SCP "abe_interview", "{\"outcome\": \"done\"}"), true, &v);
    assert_none(&v);
    /* a voice still to be heard: who hears it, by when */
    complete(with(complete_doc(true), SCP "voice_of_child_and_family",
                  "{\"outcome\": \"to_be_done\"}"),
             true, &v);
    const want_t voice[] = {{"MIN-6", SCP "voice_of_child_and_family.by"},
                            {"MIN-6", SCP "voice_of_child_and_family.due_date"}};
    assert_exactly(&v, voice, COUNT(voice));
}

Test(minutes_rules, MIN_6_voice_of_child_and_family_heard_records_what_they_say)
{
    violations v;
    complete(with(complete_doc(true), SCP "voice_of_child_and_family.family", NULL), true, &v);
    assert_only(&v, "MIN-6", SCP "voice_of_child_and_family.family");
}

Test(minutes_rules, MIN_6_dash_completed_names_who_completed_it)
{
    violations v;
    complete(with(domestic_abuse_doc(), SCP "dash_risk_assessment.by", NULL), true, &v);
    assert_only(&v, "MIN-6", SCP "dash_risk_assessment.by");
    complete(with(domestic_abuse_doc(), SCP "dash_risk_assessment",
                  "{\"outcome\": \"to_be_done\", \"by\": {\"name\": \"PC Example\","
                  " \"agency\": \"POL-1\"}, \"due_date\": \"2026-03-05\"}"),
             true, &v);
    assert_none(&v);
}

Test(minutes_rules, MIN_6_every_child_of_the_meeting_discussed)
{
    violations v;
    complete(with(complete_doc(true), SCP "children_discussed[1]", NULL), true, &v);
    assert_only(&v, "MIN-6", SCP "children_discussed");
    cr_assert(strstr(v.items[0].message, "other_children[0]"), "names the child: %s",
              describe(&v));
    complete(with(complete_doc(true), SCP "children_discussed[0].summary", "\"\""), true, &v);
    assert_only(&v, "MIN-6", SCP "children_discussed[0].summary");
    /* a meeting of three children and two others in the household */
    minutes_facts f = facts_of(true);
    f.n_children = 3;
    f.n_other_children = 2;
    complete_with(complete_doc(true), &f, &v);
    cr_assert_eq(v.n, 3, "%s", describe(&v));
    for (int i = 0; i < v.n; i++)
        cr_assert_str_eq(v.items[i].field, SCP "children_discussed");
}

Test(minutes_rules, MIN_6_unknown_or_repeated_child_reference_refused)
{
    violations v;
    complete(with(complete_doc(true), SCP "children_discussed[1].child", "\"children[1]\""), true,
             &v);
    const want_t unknown[] = {{"MIN-6", SCP "children_discussed[1].child"},
                              {"MIN-6", SCP "children_discussed"}};
    assert_exactly(&v, unknown, COUNT(unknown));
    complete(with(complete_doc(true), SCP "children_discussed[1].child", "\"children[0]\""), true,
             &v);
    assert_exactly(&v, unknown, COUNT(unknown));
    cr_assert(strstr(v.items[0].message, "already"), "%s", describe(&v));
    complete(with(complete_doc(true), SCP "children_discussed[1].child", NULL), true, &v);
    assert_exactly(&v, unknown, COUNT(unknown));
}

Test(minutes_rules, MIN_6_children_as_victims_are_recognised)
{
    violations v;
    complete(with(domestic_abuse_doc(), SCP "children_as_victims.recognised", "false"), true, &v);
    assert_only(&v, "MIN-6", SCP "children_as_victims.recognised");
    cr_assert(strstr(v.items[0].message, "victims in their own right"), "%s", describe(&v));
    complete(with(domestic_abuse_doc(), SCP "children_as_victims.support", NULL), true, &v);
    assert_only(&v, "MIN-6", SCP "children_as_victims.support");
}

Test(minutes_rules, MIN_6_safety_measures_name_who_and_when_reviewed)
{
    violations v;
    complete(with(complete_doc(true), SCP "safety_measures", "{\"outcome\": \"required\"}"), true,
             &v);
    const want_t want[] = {{"MIN-6", SCP "safety_measures.measures"},
                           {"MIN-6", SCP "safety_measures.involved"},
                           {"MIN-6", SCP "safety_measures.review_date"}};
    assert_exactly(&v, want, COUNT(want));
    complete(with(complete_doc(true), SCP "safety_measures.involved[1]", "{\"name\": \"Gran\"}"),
             true, &v);
    assert_only(&v, "MIN-6", SCP "safety_measures.involved[1]");
    complete(with(complete_doc(true), SCP "safety_measures", "{\"outcome\": \"not_required\"}"),
             true, &v);
    assert_none(&v);
}

Test(minutes_rules, MIN_6_criminal_proceedings_say_what_can_and_cannot_be_shared)
{
    violations v;
    complete(with(complete_doc(true), SCP "criminal_proceedings",
                  "{\"outcome\": \"no_grounds\"}"),
             true, &v);
    const want_t want[] = {{"MIN-6", SCP "criminal_proceedings.family_sharing.can_share"},
                           {"MIN-6", SCP "criminal_proceedings.family_sharing.cannot_share"}};
    assert_exactly(&v, want, COUNT(want));
    /* the investigation continuing: who decides, by when */
    complete(with(complete_doc(true), SCP "criminal_proceedings.by", NULL), true, &v);
    assert_only(&v, "MIN-6", SCP "criminal_proceedings.by");
    complete(with(complete_doc(true), SCP "criminal_proceedings.due_date", NULL), true, &v);
    assert_only(&v, "MIN-6", SCP "criminal_proceedings.due_date");
}

Test(minutes_rules, MIN_6_protective_orders_are_optional)
{
    violations v;
    complete(with(domestic_abuse_doc(), SCP "protective_orders", "{\"outcome\": \"to_be_done\"}"),
             true, &v);
    const want_t want[] = {{"MIN-6", SCP "protective_orders.by"},
                           {"MIN-6", SCP "protective_orders.due_date"}};
    assert_exactly(&v, want, COUNT(want));
    complete(with(domestic_abuse_doc(), SCP "protective_orders", "{}"), true, &v);
    assert_only(&v, "MIN-6", SCP "protective_orders.outcome");
}

Test(minutes_rules, MIN_6_unknown_outcome_is_a_schema_violation)
{
    violations v;
    shape(with(complete_doc(true), SCP "sarc_referral.outcome", "\"perhaps\""), &v);
    assert_schema_only(&v, SCP "sarc_referral.outcome");
    shape(with(complete_doc(true), "risk_categories[1]", "\"bad_luck\""), &v);
    assert_schema_only(&v, "risk_categories[1]");
    shape(with(complete_doc(true), SCP "colour", "\"blue\""), &v);
    assert_schema_only(&v, SCP "colour");
    /* every category of risk is known */
    for (int i = 0; risk_categories[i]; i++) {
        json_t *doc = complete_doc(true);
        with_value(doc, "risk_categories", json_pack("[s]", risk_categories[i]));
        shape(doc, &v);
        assert_none(&v);
    }
}

Test(minutes_rules, MIN_6_considerations_ignored_for_other_types)
{
    violations v;
    json_t *doc = complete_doc(false);
    with(doc, "risk_categories", "[\"domestic_abuse\"]");
    complete(doc, false, &v);
    assert_none(&v);
}

/* ---- MIN-5: two-part meetings and the family's copy ---- */

static minutes_facts two_part_facts(void)
{
    minutes_facts f = facts_of(false);
    f.two_part = true;
    return f;
}

static json_t *two_part_doc(void)
{
    json_t *doc = complete_doc(false);
    with(doc, "part_1", "{\"discussion\": \"The professionals shared the police history\"}");
    with(doc, "part_2", "{\"discussion\": \"With the parents: the plan and the support\"}");
    return doc;
}

Test(minutes_rules, MIN_5_two_part_minutes_need_part_1_and_part_2)
{
    minutes_facts f = two_part_facts();
    violations v;
    complete_with(two_part_doc(), &f, &v);
    assert_none(&v);
    complete_with(complete_doc(false), &f, &v);
    const want_t both[] = {{"MIN-5", "part_1.discussion"}, {"MIN-5", "part_2.discussion"}};
    assert_exactly(&v, both, COUNT(both));
    complete_with(with(two_part_doc(), "part_1.discussion", "\" \""), &f, &v);
    assert_only(&v, "MIN-5", "part_1.discussion");
    complete_with(with(two_part_doc(), "part_2", NULL), &f, &v);
    assert_only(&v, "MIN-5", "part_2.discussion");
}

Test(minutes_rules, MIN_5_one_part_minutes_have_no_parts)
{
    violations v;
    complete(two_part_doc(), false, &v);
    const want_t both[] = {{"MIN-5", "part_1"}, {"MIN-5", "part_2"}};
    assert_exactly(&v, both, COUNT(both));
    complete(with(complete_doc(false), "part_2", "null"), false, &v);
    assert_none(&v);
}

/* Every text of the document whose path (indexes written []) is not in
 * `allowed` becomes a marker the family must never see; part 1 carries its
 * own. */
static void mark_all_but(json_t *node, const char *path, const char *const *allowed)
{
    if (json_is_object(node)) {
        const char *key;
        json_t *value;
        void *tmp;
        json_object_foreach_safe(node, tmp, key, value) {
            char sub[160];
            snprintf(sub, sizeof sub, "%s%s%s", path, *path ? "." : "", key);
            if (json_is_string(value)) {
                bool keep = false;
                for (const char *const *a = allowed; *a; a++)
                    keep |= strcmp(*a, sub) == 0;
                if (!keep)
                    json_object_set_new(node, key,
                                        json_string(strcmp(sub, "part_1.discussion") == 0
                                                        ? "P1-ONLY-MARKER"
                                                        : "NOT-FOR-FAMILY"));
            } else {
                mark_all_but(value, sub, allowed);
            }
        }
    } else if (json_is_array(node)) {
        size_t i;
        json_t *x;
        char sub[160];
        snprintf(sub, sizeof sub, "%s[]", path);
        json_array_foreach(node, i, x) {
            if (json_is_string(x))
                json_array_set_new(node, i, json_string("NOT-FOR-FAMILY"));
            else
                mark_all_but(x, sub, allowed);
        }
    }
}

static char *family_copy_text(json_t *doc, const char *type, bool two_part)
{
    family_copy_facts f = {.meeting_id = "7d1c0000-0000-4000-8000-000000000001",
                           .reference = "MAM-2026-000123",
                           .type = type,
                           .held_at = "2026-03-02T10:00:00.000000Z",
                           .approved_at = "2026-03-04T09:00:00.000000Z",
                           .two_part = two_part,
                           .number = 2};
    json_t *copy = minutes_family_copy(doc, &f);
    cr_assert(json_is_object(copy));
    cr_assert_str_eq(json_string_value(json_object_get(copy, "reference")), "MAM-2026-000123");
    cr_assert_eq(json_integer_value(json_object_get(copy, "minutes_number")), 2);
    cr_assert_null(json_object_get(copy, "part_1"), "never a part 1 member");
    char *text = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(copy);
    return text;
}

static const char *const allowed_two_part[] = {
    "purpose", "part_2.discussion", "decisions", "actions[].description",
    "actions[].owner.name", "actions[].owner.agency", "actions[].due_date", "next_review.date",
    "next_review.no_review_reason", NULL};

Test(minutes_rules, MIN_5_family_copy_of_a_two_part_meeting_lacks_part_1)
{
    /* every member the minutes may hold, the strategy ones too */
    json_t *doc = two_part_doc();
    json_t *extra = load(strategy_text);
    json_object_update(doc, extra);
    json_decref(extra);
    with(doc, "previous_actions",
         "[{\"action_id\": \"" ACTION_A "\", \"outcome\": \"completed\", \"note\": \"Done\"}]");
    mark_all_but(doc, "", allowed_two_part);
    char *text = family_copy_text(doc, "professionals", true);
    cr_assert_null(strstr(text, "P1-ONLY-MARKER"), "part 1 reached the family: %s", text);
    cr_assert_null(strstr(text, "NOT-FOR-FAMILY"), "a member not for the family: %s", text);
    /* what is for the family is there */
    cr_assert(strstr(text, "With the parents: the plan and the support"), "%s", text);
    cr_assert(strstr(text, "Continue the plan with a school nurse referral"), "%s", text);
    cr_assert(strstr(text, "Refer to the school nurse") && strstr(text, "Ed Teacher") &&
                  strstr(text, "2026-12-04") && strstr(text, "2027-01-15"),
              "%s", text);
    cr_assert(strstr(text, "\"discussion\":null"), "no needs or risks of a two-part meeting: %s",
              text);
    free(text);
    json_decref(doc);
}

Test(minutes_rules, MIN_5_family_copy_of_a_one_part_meeting)
{
    static const char *const allowed[] = {
        "purpose", "needs", "strengths", "risks", "decisions", "actions[].description",
        "actions[].owner.name", "actions[].owner.agency", "actions[].due_date",
        "next_review.date", "next_review.no_review_reason", NULL};
    json_t *doc = complete_doc(false);
    mark_all_but(doc, "", allowed);
    char *text = family_copy_text(doc, "multi_agency", false);
    cr_assert_null(strstr(text, "NOT-FOR-FAMILY"), "%s", text);
    cr_assert(strstr(text, "Regular attendance and a settled bedtime routine"), "%s", text);
    cr_assert(strstr(text, "\"part_2\":null"), "%s", text);
    free(text);
    json_decref(doc);
}

Test(minutes_rules, MIN_5_family_copy_of_a_strategy_discussion_is_what_is_shared)
{
    static const char *const allowed[] = {"shared_with_family.shared", NULL};
    json_t *doc = complete_doc(true);
    mark_all_but(doc, "", allowed);
    char *text = family_copy_text(doc, "strategy_discussion", false);
    cr_assert_null(strstr(text, "NOT-FOR-FAMILY"), "%s", text);
    cr_assert(strstr(text, "That a section 47 enquiry is starting"), "%s", text);
    cr_assert(strstr(text, "\"outcome\":null") && strstr(text, "\"purpose\":null"), "%s", text);
    free(text);
    json_decref(doc);
}

Test(minutes_rules, MIN_5_family_copy_of_an_odd_document_holds_nulls)
{
    /* approved minutes are complete, but the copy never trusts their types */
    json_t *doc = load("{\"actions\": [5, {\"owner\": \"Ed\"}], \"next_review\": [],"
                       " \"part_2\": \"text\", \"decisions\": 7}");
    char *text = family_copy_text(doc, "professionals", true);
    cr_assert(strstr(text, "\"decisions\":null"), "%s", text);
    free(text);
    json_decref(doc);
}

Test(minutes_rules, MIN_5_the_family_receives_the_family_copy)
{
    cr_assert_str_eq(minutes_copy_for("family"), "family");
    cr_assert_str_eq(minutes_copy_for("professional"), "full");
    cr_assert_str_eq(minutes_copy_for("other"), "full");
}

/* ---- ACT-4: a needed safeguarding referral is tracked ---- */

Test(minutes_rules, ACT_4_a_referral_is_tracked_only_when_recorded_as_needed)
{
    json_t *doc = complete_doc(false);
    cr_assert(minutes_referral_needed(doc));
    with(doc, "safeguarding_referral.needed", "false");
    cr_assert_not(minutes_referral_needed(doc));
    with(doc, "safeguarding_referral", NULL);
    cr_assert_not(minutes_referral_needed(doc));
    json_decref(doc);
}

Test(minutes_rules, ACT_4_referral_due_working_days_after_the_day_held)
{
    /* England and Wales, Christmas 2026: Friday 25th and Monday 28th */
    cal_day christmas[2];
    cr_assert(cal_parse("2026-12-25", &christmas[0]) && cal_parse("2026-12-28", &christmas[1]));
    holidays h = {christmas, 2};
    cal_day held, tuesday;
    cr_assert(cal_parse("2026-12-24", &held) && cal_parse("2026-12-29", &tuesday));
    cr_assert_eq(minutes_referral_due(held, 1, &h), tuesday);
    /* 0: the day it was held */
    cr_assert_eq(minutes_referral_due(held, 0, &h), held);
    char out[11];
    cal_format(minutes_referral_due(held, 2, &h), out);
    cr_assert_str_eq(out, "2026-12-30");
}

/* ---- MTG-9: review outcomes ---- */

static const char *const open_two[] = {ACTION_A, ACTION_B};

/* A document whose previous_actions are array_text; items without a note
 * get one, as ACT-1 asks of every outcome that closes an action. */
static json_t *outcomes(const char *array_text)
{
    json_t *list = json_loads(array_text, 0, NULL);
    cr_assert_not_null(list, "bad test JSON: %s", array_text);
    size_t i;
    json_t *item;
    json_array_foreach(list, i, item) {
        if (json_is_object(item) && !json_object_get(item, "note"))
            json_object_set_new(item, "note", json_string("Reviewed at the meeting"));
    }
    return json_pack("{s:o}", "previous_actions", list);
}

Test(minutes_rules, MTG_9_every_open_action_with_one_outcome_accepted)
{
    violations v;
    review(outcomes("[{\"action_id\": \"" ACTION_A "\", \"outcome\": \"completed\"},"
                    " {\"action_id\": \"" ACTION_B "\", \"outcome\": \"carried_forward\","
                    "  \"note\": \"Waiting for the clinic\"}]"),
           open_two, 2, &v);
    assert_none(&v);
    for (int i = 0; review_outcomes[i]; i++) {
        char text[256];
        snprintf(text, sizeof text, "[{\"action_id\": \"%s\", \"outcome\": \"%s\"}]", ACTION_A,
                 review_outcomes[i]);
        review(outcomes(text), open_two, 1, &v);
        cr_assert_eq(v.n, 0, "%s: %s", review_outcomes[i], describe(&v));
    }
}

Test(minutes_rules, MTG_9_ACT_1_an_outcome_that_closes_an_action_needs_a_note)
{
    const char *open_one[] = {ACTION_A};
    violations v;
    json_t *doc = json_pack("{s:[{s:s, s:s}]}", "previous_actions", "action_id", ACTION_A,
                            "outcome", "completed");
    review(doc, open_one, 1, &v);
    cr_assert(violations_has(&v, "ACT-1", "previous_actions[0].note"), "%s", describe(&v));
    doc = json_pack("{s:[{s:s, s:s}]}", "previous_actions", "action_id", ACTION_A, "outcome",
                    "carried_forward");
    review(doc, open_one, 1, &v);
    cr_assert_eq(v.n, 0, "carrying forward needs no note: %s", describe(&v));
}

Test(minutes_rules, MTG_9_no_open_actions_and_no_outcomes_accepted)
{
    violations v;
    review(complete_doc(false), NULL, 0, &v);
    assert_none(&v);
    review(outcomes("[]"), NULL, 0, &v);
    assert_none(&v);
}

Test(minutes_rules, MTG_9_open_action_without_outcome_refused)
{
    violations v;
    review(outcomes("[{\"action_id\": \"" ACTION_A "\", \"outcome\": \"completed\"}]"), open_two,
           2, &v);
    assert_only(&v, "MTG-9", "previous_actions");
    cr_assert(strstr(v.items[0].message, ACTION_B), "names the action: %s", describe(&v));
}

Test(minutes_rules, MTG_9_no_outcomes_reports_every_open_action)
{
    violations v;
    review(complete_doc(false), open_two, 2, &v);
    cr_assert_eq(v.n, 2, "%s", describe(&v));
    cr_assert(violations_has(&v, "MTG-9", "previous_actions"), "%s", describe(&v));
    cr_assert(strstr(v.items[0].message, ACTION_A) || strstr(v.items[1].message, ACTION_A));
    cr_assert(strstr(v.items[0].message, ACTION_B) || strstr(v.items[1].message, ACTION_B));
    cr_assert_not(v.schema);
}

Test(minutes_rules, MTG_9_outcome_for_an_unknown_action_refused)
{
    violations v;
    review(outcomes("[{\"action_id\": \"" ACTION_A "\", \"outcome\": \"completed\"},"
                    " {\"action_id\": \"" ACTION_B "\", \"outcome\": \"completed\"},"
                    " {\"action_id\": \"" ACTION_X "\", \"outcome\": \"no_longer_needed\"}]"),
           open_two, 2, &v);
    assert_only(&v, "MTG-9", "previous_actions[2].action_id");
}

Test(minutes_rules, MTG_9_outcome_when_nothing_was_open_refused)
{
    violations v;
    review(outcomes("[{\"action_id\": \"" ACTION_C "\", \"outcome\": \"completed\"}]"), NULL, 0,
           &v);
    assert_only(&v, "MTG-9", "previous_actions[0].action_id");
}

Test(minutes_rules, MTG_9_outcome_without_action_id_refused)
{
    violations v;
    review(outcomes("[{\"action_id\": \"" ACTION_A "\", \"outcome\": \"completed\"},"
                    " {\"action_id\": \"" ACTION_B "\", \"outcome\": \"completed\"},"
                    " {\"outcome\": \"completed\"}]"),
           open_two, 2, &v);
    assert_only(&v, "MTG-9", "previous_actions[2].action_id");
}

Test(minutes_rules, MTG_9_second_outcome_for_the_same_action_refused)
{
    violations v;
    review(outcomes("[{\"action_id\": \"" ACTION_A "\", \"outcome\": \"completed\"},"
                    " {\"action_id\": \"" ACTION_B "\", \"outcome\": \"completed\"},"
                    " {\"action_id\": \"" ACTION_A "\", \"outcome\": \"carried_forward\"}]"),
           open_two, 2, &v);
    assert_only(&v, "MTG-9", "previous_actions[2]");
}

Test(minutes_rules, MTG_9_missing_outcome_value_refused)
{
    violations v;
    review(outcomes("[{\"action_id\": \"" ACTION_A "\", \"outcome\": \"completed\"},"
                    " {\"action_id\": \"" ACTION_B "\"}]"),
           open_two, 2, &v);
    assert_only(&v, "MTG-9", "previous_actions[1].outcome");
    review(outcomes("[{\"action_id\": \"" ACTION_A "\", \"outcome\": null},"
                    " {\"action_id\": \"" ACTION_B "\", \"outcome\": \"completed\"}]"),
           open_two, 2, &v);
    assert_only(&v, "MTG-9", "previous_actions[0].outcome");
}

/* A blank outcome is no outcome: the draft's shape check lets it through as
 * an absent optional member, so the review check must refuse it. */
Test(minutes_rules, MTG_9_blank_outcome_value_refused)
{
    const char *blanks[] = {"\"\"", "\"   \""};
    for (int i = 0; i < COUNT(blanks); i++) {
        char text[256];
        snprintf(text, sizeof text,
                 "[{\"action_id\": \"%s\", \"outcome\": \"completed\"},"
                 " {\"action_id\": \"%s\", \"outcome\": %s}]",
                 ACTION_A, ACTION_B, blanks[i]);
        json_t *doc = outcomes(text);
        violations v;
        violations_init(&v);
        minutes_check_shape(doc, &v);
        minutes_check_review(doc, open_two, 2, NULL, 0, &v);
        json_decref(doc);
        cr_assert(violations_has(&v, "MTG-9", "previous_actions[1].outcome") ||
                      violations_has(&v, NULL, "previous_actions[1].outcome"),
                  "outcome %s: expected a refusal at previous_actions[1].outcome, got %s",
                  blanks[i], describe(&v));
    }
}

/* ---- shape: schema violations of a draft ---- */

Test(minutes_rules, shape_complete_minutes_accepted)
{
    violations v;
    json_t *doc = complete_doc(true);
    with(doc, "previous_actions",
         "[{\"action_id\": \"" ACTION_A "\", \"outcome\": \"completed\", \"note\": \"Done\"}]");
    shape(doc, &v);
    assert_none(&v);
    shape(load("{}"), &v);
    assert_none(&v);
}

Test(minutes_rules, shape_incomplete_draft_is_no_schema_problem)
{
    json_t *doc = complete_doc(false);
    with(doc, "actions[1]", "{}");
    with(doc, "family_feedback", "{}");
    with(doc, "purpose", NULL);
    violations v;
    shape(doc, &v);
    assert_none(&v);
}

/* Objects that take only the members the contract lists. */
static const char *const objects_at[] = {
    "",
    "attendance[0]",
    "childs_views",
    "actions[0]",
    "actions[0].owner",
    "plan_coordinator",
    "information_sharing",
    "family_feedback",
    "family_feedback.by",
    "safeguarding_referral",
    "safeguarding_referral.by",
    "caf_considered",
    "fgc_considered",
    "part_1",
    "part_2",
    "further_assessment",
    "further_assessment.by",
    "next_review",
    "legal_action",
    "further_strategy_discussion",
    "lado_referral",
    "lado_referral.by",
    "shared_with_family",
    "previous_actions[0]",
    "strategy_considerations",
    "strategy_considerations.children_discussed[1]",
    "strategy_considerations.non_resident_parents",
    "strategy_considerations.non_resident_parents.by",
    "strategy_considerations.voice_of_child_and_family",
    "strategy_considerations.safety_measures",
    "strategy_considerations.safety_measures.involved[0]",
    "strategy_considerations.child_protection_medical",
    "strategy_considerations.sarc_referral",
    "strategy_considerations.criminal_proceedings",
    "strategy_considerations.criminal_proceedings.family_sharing",
    "strategy_considerations.abe_interview",
    "strategy_considerations.marac_referral",
    "strategy_considerations.dash_risk_assessment.by",
    "strategy_considerations.clares_law",
    "strategy_considerations.children_as_victims",
};

static json_t *shape_doc(void)
{
    json_t *doc = domestic_abuse_doc();
    with(doc, "part_1", "{\"discussion\": \"Professionals only\"}");
    with(doc, "part_2", "{\"discussion\": \"With the family\"}");
    return with(doc, "previous_actions",
                "[{\"action_id\": \"" ACTION_A "\", \"outcome\": \"completed\"}]");
}

Test(minutes_rules, shape_unknown_members_refused_at_every_level)
{
    for (int i = 0; i < COUNT(objects_at); i++) {
        char path[128], field[128];
        if (objects_at[i][0]) {
            snprintf(path, sizeof path, "%s.colour", objects_at[i]);
            snprintf(field, sizeof field, "%s.colour", objects_at[i]);
        } else {
            snprintf(path, sizeof path, "colour");
            snprintf(field, sizeof field, "colour");
        }
        violations v;
        shape(with(shape_doc(), path, "\"blue\""), &v);
        cr_assert(violations_has(&v, NULL, field), "%s: %s", field, describe(&v));
        cr_assert_eq(v.n, 1, "%s: %s", field, describe(&v));
        cr_assert(v.schema);
    }
}

static const struct {
    const char *path, *value, *field;
} wrong_types[] = {
    {"actions", "{}", "actions"},
    {"actions[0]", "5", "actions[0]"},
    {"actions[0].due_date", "\"tomorrow\"", "actions[0].due_date"},
    {"actions[0].due_date", "\"2026-02-30\"", "actions[0].due_date"},
    {"actions[0].due_date", "20261204", "actions[0].due_date"},
    {"actions[0].action_id", "\"action-1\"", "actions[0].action_id"},
    {"actions[0].action_id", "\"0b6f3d2e1c4a4e8b9f102a3b4c5d6e7f0000\"", "actions[0].action_id"},
    {"actions[0].owner", "\"Ed Teacher\"", "actions[0].owner"},
    {"actions[0].owner.name", "7", "actions[0].owner.name"},
    {"actions[0].description", "[\"Refer\"]", "actions[0].description"},
    {"family_feedback.family_present", "\"no\"", "family_feedback.family_present"},
    {"family_feedback", "false", "family_feedback"},
    {"family_feedback.by", "\"Sam Social\"", "family_feedback.by"},
    {"attendance", "\"everyone\"", "attendance"},
    {"attendance[0]", "\"Sam Social\"", "attendance[0]"},
    {"attendance[0].attendance", "\"maybe\"", "attendance[0].attendance"},
    {"attendance[1].invitation_id", "\"invitation-1\"", "attendance[1].invitation_id"},
    {"attendance[1].invitation_id", "5", "attendance[1].invitation_id"},
    {"childs_views", "\"Happy\"", "childs_views"},
    {"part_1", "\"Professionals only\"", "part_1"},
    {"part_2.discussion", "{}", "part_2.discussion"},
    {"childs_views.views", "[]", "childs_views.views"},
    {"childs_views.how_represented", "\"drawing\"", "childs_views.how_represented"},
    {"further_assessment.required", "\"yes\"", "further_assessment.required"},
    {"further_assessment.by", "\"Hana\"", "further_assessment.by"},
    {"further_assessment.due_date", "\"soon\"", "further_assessment.due_date"},
    {"previous_actions", "{}", "previous_actions"},
    {"previous_actions[0]", "\"" ACTION_A "\"", "previous_actions[0]"},
    {"previous_actions[0].outcome", "\"done\"", "previous_actions[0].outcome"},
    {"previous_actions[0].action_id", "\"A\"", "previous_actions[0].action_id"},
    {"purpose", "5", "purpose"},
    {"risk_analysis", "{}", "risk_analysis"},
    {"plan_coordinator", "\"Sam Social\"", "plan_coordinator"},
    {"information_sharing", "\"everyone\"", "information_sharing"},
    {"information_sharing.with_whom", "[]", "information_sharing.with_whom"},
    {"safeguarding_referral.needed", "\"yes\"", "safeguarding_referral.needed"},
    {"safeguarding_referral.how", "1", "safeguarding_referral.how"},
    {"caf_considered.considered", "1", "caf_considered.considered"},
    {"fgc_considered", "true", "fgc_considered"},
    {"next_review", "\"2027-01-15\"", "next_review"},
    {"next_review.date", "\"next month\"", "next_review.date"},
    {"legal_action.required", "\"no\"", "legal_action.required"},
    {"further_strategy_discussion.required", "null", NULL},
    {"lado_referral.by", "true", "lado_referral.by"},
    {"shared_with_family.shared", "true", "shared_with_family.shared"},
    {"shared_with_family", "[]", "shared_with_family"},
    {"risk_categories", "\"neglect\"", "risk_categories"},
    {"risk_categories[0]", "\"weather\"", "risk_categories[0]"},
    {"risk_categories[0]", "7", "risk_categories[0]"},
    {"risk_categories", "[\"neglect\", \"neglect\"]", "risk_categories[1]"},
    {"strategy_considerations", "[]", "strategy_considerations"},
    {"strategy_considerations.children_discussed", "{}",
     "strategy_considerations.children_discussed"},
    {"strategy_considerations.children_discussed[0].child", "\"the eldest\"",
     "strategy_considerations.children_discussed[0].child"},
    {"strategy_considerations.children_discussed[0].child", "\"children[100]\"",
     "strategy_considerations.children_discussed[0].child"},
    {"strategy_considerations.children_discussed[0].child", "\"children[1] \"",
     "strategy_considerations.children_discussed[0].child"},
    {"strategy_considerations.non_resident_parents.outcome", "\"maybe\"",
     "strategy_considerations.non_resident_parents.outcome"},
    {"strategy_considerations.sarc_referral.outcome", "\"not_applicable\"",
     "strategy_considerations.sarc_referral.outcome"},
    {"strategy_considerations.criminal_proceedings.outcome", "\"done\"",
     "strategy_considerations.criminal_proceedings.outcome"},
    {"strategy_considerations.non_resident_parents.due_date", "\"Friday\"",
     "strategy_considerations.non_resident_parents.due_date"},
    {"strategy_considerations.safety_measures.involved", "\"Sam\"",
     "strategy_considerations.safety_measures.involved"},
    {"strategy_considerations.safety_measures.involved[1]", "\"DC Example\"",
     "strategy_considerations.safety_measures.involved[1]"},
    {"strategy_considerations.safety_measures.review_date", "\"soon\"",
     "strategy_considerations.safety_measures.review_date"},
    {"strategy_considerations.criminal_proceedings.family_sharing.can_share", "5",
     "strategy_considerations.criminal_proceedings.family_sharing.can_share"},
    {"strategy_considerations.children_as_victims.recognised", "\"yes\"",
     "strategy_considerations.children_as_victims.recognised"},
};

Test(minutes_rules, shape_wrong_types_are_schema_violations)
{
    for (int i = 0; i < COUNT(wrong_types); i++) {
        violations v;
        shape(with(shape_doc(), wrong_types[i].path, wrong_types[i].value), &v);
        if (!wrong_types[i].field) {
            /* null counts as absent */
            cr_assert_eq(v.n, 0, "%s = %s: %s", wrong_types[i].path, wrong_types[i].value,
                         describe(&v));
            continue;
        }
        cr_assert(violations_has(&v, NULL, wrong_types[i].field), "%s = %s: %s",
                  wrong_types[i].path, wrong_types[i].value, describe(&v));
        cr_assert_eq(v.n, 1, "%s = %s: %s", wrong_types[i].path, wrong_types[i].value,
                     describe(&v));
        cr_assert(v.schema);
    }
}

Test(minutes_rules, shape_overlong_text_refused)
{
    violations v;
    shape(with_value(shape_doc(), "purpose", long_string("x", MINUTES_TEXT_MAX + 1)), &v);
    assert_schema_only(&v, "purpose");
    shape(with_value(shape_doc(), "risk_analysis", long_string("x", MINUTES_TEXT_MAX + 1)), &v);
    assert_schema_only(&v, "risk_analysis");
    shape(with_value(shape_doc(), "decisions", long_string("\xc3\xa9", MINUTES_TEXT_MAX + 1)),
          &v);
    assert_schema_only(&v, "decisions");
    shape(with_value(shape_doc(), "actions[2].contingency",
                     long_string("x", MINUTES_SHORT_MAX + 1)),
          &v);
    assert_schema_only(&v, "actions[2].contingency");
    shape(with_value(shape_doc(), "shared_with_family.not_shared_rationale",
                     long_string("x", MINUTES_SHORT_MAX + 1)),
          &v);
    assert_schema_only(&v, "shared_with_family.not_shared_rationale");
}

Test(minutes_rules, shape_text_at_its_limit_accepted)
{
    violations v;
    shape(with_value(shape_doc(), "purpose", long_string("x", MINUTES_TEXT_MAX)), &v);
    assert_none(&v);
    shape(with_value(shape_doc(), "needs", long_string("\xc3\xa9", MINUTES_TEXT_MAX)), &v);
    assert_none(&v);
    shape(with_value(shape_doc(), "actions[0].description", long_string("x", MINUTES_SHORT_MAX)),
          &v);
    assert_none(&v);
}

Test(minutes_rules, shape_too_many_actions_refused)
{
    json_t *actions = json_array();
    for (int i = 0; i <= MINUTES_MAX_ACTIONS; i++)
        json_array_append_new(actions, json_object());
    violations v;
    shape(with_value(shape_doc(), "actions", actions), &v);
    assert_schema_only(&v, "actions");
}

Test(minutes_rules, shape_every_problem_reported_at_once)
{
    json_t *doc = shape_doc();
    with(doc, "actions[0].due_date", "\"tomorrow\"");
    with(doc, "family_feedback.family_present", "\"no\"");
    with(doc, "attendance[0].attendance", "\"maybe\"");
    with(doc, "colour", "\"blue\"");
    violations v;
    shape(doc, &v);
    cr_assert_eq(v.n, 4, "%s", describe(&v));
    cr_assert(violations_has(&v, NULL, "actions[0].due_date"));
    cr_assert(violations_has(&v, NULL, "family_feedback.family_present"));
    cr_assert(violations_has(&v, NULL, "attendance[0].attendance"));
    cr_assert(violations_has(&v, NULL, "colour"));
    cr_assert(v.schema);
}

/* ---- MIN-1, MIN-3: who writes and who approves ---- */

Test(minutes_rules, MIN_1_chair_and_minute_taker_write)
{
    caller chair = make_caller("chair-1", "LA-CSC", ROLE_MANAGER);
    caller taker = make_caller("taker-1", "LA-CSC", ROLE_PRACTITIONER);
    cr_assert(minutes_may_write(&chair, "chair-1", "taker-1"));
    cr_assert(minutes_may_write(&taker, "chair-1", "taker-1"));
    cr_assert(minutes_may_write(&chair, "chair-1", NULL));
}

Test(minutes_rules, MIN_1_nobody_else_writes)
{
    caller manager = make_caller("tm-9", "LA-CSC", ROLE_MANAGER | ROLE_SENIOR_MANAGER);
    caller invitee = make_caller("ed-1", "SCH-1", ROLE_PRACTITIONER);
    caller admin = make_caller("admin-1", "LA-CSC", ROLE_ADMIN | ROLE_PARTNERSHIP);
    cr_assert_not(minutes_may_write(&manager, "chair-1", "taker-1"));
    cr_assert_not(minutes_may_write(&invitee, "chair-1", "taker-1"));
    cr_assert_not(minutes_may_write(&admin, "chair-1", "taker-1"));
    cr_assert_not(minutes_may_write(&invitee, NULL, NULL));
}

Test(minutes_rules, MIN_3_only_the_chair_approves)
{
    caller chair = make_caller("chair-1", "LA-CSC", ROLE_SENIOR_PRACTITIONER);
    caller taker = make_caller("taker-1", "LA-CSC", ROLE_PRACTITIONER);
    caller manager = make_caller("tm-9", "LA-CSC", ROLE_MANAGER | ROLE_SENIOR_MANAGER);
    cr_assert(minutes_may_approve(&chair, "chair-1"));
    cr_assert_not(minutes_may_approve(&taker, "chair-1"));
    cr_assert_not(minutes_may_approve(&manager, "chair-1"));
    cr_assert_not(minutes_may_approve(&chair, NULL));
}

/* ---- ACT-2: who changes an action ---- */

Test(minutes_rules, ACT_2_owner_changes_the_action)
{
    caller owner = make_caller("ed-1", "SCH-1", ROLE_PRACTITIONER);
    cr_assert(action_may_change(&owner, "ed-1", "SCH-1", "chair-1"));
    cr_assert(action_may_change(&owner, "ed-1", "SCH-1", NULL));
}

Test(minutes_rules, ACT_2_chair_of_the_tracking_meeting_changes_the_action)
{
    caller chair = make_caller("chair-1", "LA-CSC", ROLE_SENIOR_PRACTITIONER);
    cr_assert(action_may_change(&chair, "ed-1", "SCH-1", "chair-1"));
    cr_assert(action_may_change(&chair, NULL, "SCH-1", "chair-1"));
    cr_assert_not(action_may_change(&chair, "ed-1", "SCH-1", "chair-2"));
}

Test(minutes_rules, ACT_2_manager_of_the_owners_agency_changes_the_action)
{
    caller manager = make_caller("head-1", "SCH-1", ROLE_MANAGER);
    caller senior = make_caller("exec-1", "SCH-1", ROLE_SENIOR_MANAGER);
    cr_assert(action_may_change(&manager, "ed-1", "SCH-1", "chair-1"));
    cr_assert(action_may_change(&senior, "ed-1", "SCH-1", "chair-1"));
    cr_assert(action_may_change(&manager, NULL, "SCH-1", "chair-1"));
    cr_assert(action_may_change(&senior, NULL, "SCH-1", NULL));
}

Test(minutes_rules, ACT_2_manager_of_another_agency_refused)
{
    caller manager = make_caller("tm-1", "LA-CSC", ROLE_MANAGER | ROLE_SENIOR_MANAGER);
    cr_assert_not(action_may_change(&manager, "ed-1", "SCH-1", "chair-1"));
    cr_assert_not(action_may_change(&manager, NULL, "SCH-1", NULL));
}

Test(minutes_rules, ACT_2_colleague_practitioner_refused)
{
    unsigned roles[] = {ROLE_PRACTITIONER, ROLE_SENIOR_PRACTITIONER, ROLE_NAMED_DOCTOR,
                        ROLE_PARTNERSHIP, ROLE_ADMIN, ROLE_AUDITOR};
    for (int i = 0; i < COUNT(roles); i++) {
        caller colleague = make_caller("ed-2", "SCH-1", roles[i]);
        cr_assert_not(action_may_change(&colleague, "ed-1", "SCH-1", "chair-1"), "roles %#x",
                      roles[i]);
        cr_assert_not(action_may_change(&colleague, NULL, "SCH-1", "chair-1"), "roles %#x",
                      roles[i]);
        cr_assert_not(action_may_change(&colleague, NULL, "SCH-1", NULL), "roles %#x", roles[i]);
    }
}

/* ---- FAM-5: sharing the minutes with the family ---- */

/* Parses and checks a decision, then releases it. */
static void check_sharing(const char *text, violations *v)
{
    json_t *doc = load(text);
    consent_in in;
    violations_init(v);
    consent_parse(doc, &in, v);
    consent_check(&in, v);
    json_decref(doc);
}

/* Who consent_refused_rule refuses for a decision given as JSON text. */
static const char *refused_for(const char *text, const caller *who)
{
    json_t *doc = load(text);
    consent_in in;
    violations v;
    violations_init(&v);
    consent_parse(doc, &in, &v);
    consent_check(&in, &v);
    cr_assert_eq(v.n, 0, "the decision is valid: %s", describe(&v));
    cr_assert(consent_is_sharing(&in));
    const char *rule = consent_refused_rule(&in, who);
    json_decref(doc);
    return rule;
}

#define WITHHOLD_FII                                                                             \
    "{\"kind\": \"minutes_sharing\", \"decision\": \"withhold\","                               \
    " \"grounds\": [\"fabricated_or_induced_illness\"],"                                         \
    " \"rationale\": \"Sharing would alert the carer before the medical review\"}"

Test(minutes_rules, FAM_5_share_accepted)
{
    json_t *doc = load("{\"kind\": \"minutes_sharing\", \"decision\": \"share\"}");
    consent_in in;
    violations v;
    violations_init(&v);
    consent_parse(doc, &in, &v);
    consent_check(&in, &v);
    assert_none(&v);
    cr_assert(consent_is_sharing(&in));
    cr_assert_str_eq(in.decision, "share");
    caller practitioner = make_caller("sw-1", "LA-CSC", ROLE_PRACTITIONER);
    cr_assert_null(consent_refused_rule(&in, &practitioner));
    json_decref(doc);
    check_sharing("{\"kind\": \"minutes_sharing\", \"decision\": \"share\","
                  " \"rationale\": \"The family asked for a copy\"}",
                  &v);
    assert_none(&v);
}

Test(minutes_rules, FAM_5_withhold_with_rationale_accepted)
{
    violations v;
    check_sharing("{\"kind\": \"minutes_sharing\", \"decision\": \"withhold\","
                  " \"rationale\": \"The minutes name a third party\"}",
                  &v);
    assert_none(&v);
    check_sharing(WITHHOLD_FII, &v);
    assert_none(&v);
}

Test(minutes_rules, FAM_5_sharing_decision_required)
{
    violations v;
    check_sharing("{\"kind\": \"minutes_sharing\"}", &v);
    assert_only(&v, "FAM-5", "decision");
}

Test(minutes_rules, FAM_5_withhold_without_rationale_refused)
{
    violations v;
    check_sharing("{\"kind\": \"minutes_sharing\", \"decision\": \"withhold\"}", &v);
    assert_only(&v, "FAM-5", "rationale");
    check_sharing("{\"kind\": \"minutes_sharing\", \"decision\": \"withhold\","
                  " \"rationale\": \" \\n \"}",
                  &v);
    assert_only(&v, "FAM-5", "rationale");
}

Test(minutes_rules, FAM_5_grounds_on_a_share_decision_refused)
{
    violations v;
    check_sharing("{\"kind\": \"minutes_sharing\", \"decision\": \"share\","
                  " \"grounds\": [\"significant_harm_if_known\"]}",
                  &v);
    assert_only(&v, "FAM-5", "grounds[0]");
}

Test(minutes_rules, FAM_5_unknown_ground_refused)
{
    violations v;
    check_sharing("{\"kind\": \"minutes_sharing\", \"decision\": \"withhold\", \"rationale\": \"r\","
                  " \"grounds\": [\"engagement_difficulties\", \"family_would_be_upset\"]}",
                  &v);
    assert_only(&v, "FAM-5", "grounds[1]");
}

Test(minutes_rules, FAM_5_withholding_for_fabricated_illness_refused_for_a_manager)
{
    caller manager = make_caller("tm-1", "LA-CSC", ROLE_MANAGER);
    caller practitioner = make_caller("sw-1", "LA-CSC", ROLE_PRACTITIONER | ROLE_SENIOR_PRACTITIONER);
    const char *rule = refused_for(WITHHOLD_FII, &manager);
    cr_assert_not_null(rule);
    cr_assert_str_eq(rule, "FAM-5");
    rule = refused_for(WITHHOLD_FII, &practitioner);
    cr_assert_not_null(rule);
    cr_assert_str_eq(rule, "FAM-5");
}

Test(minutes_rules, FAM_5_withholding_for_fabricated_illness_by_senior_manager_or_named_doctor)
{
    caller senior = make_caller("hos-1", "LA-CSC", ROLE_SENIOR_MANAGER);
    caller doctor = make_caller("dr-1", "NHS-HV", ROLE_NAMED_DOCTOR);
    caller both = make_caller("hos-2", "LA-CSC", ROLE_MANAGER | ROLE_SENIOR_MANAGER);
    cr_assert_null(refused_for(WITHHOLD_FII, &senior));
    cr_assert_null(refused_for(WITHHOLD_FII, &doctor));
    cr_assert_null(refused_for(WITHHOLD_FII, &both));
}

Test(minutes_rules, FAM_5_withholding_on_other_grounds_by_anyone_deciding)
{
    caller manager = make_caller("tm-1", "LA-CSC", ROLE_MANAGER);
    caller practitioner = make_caller("sw-1", "LA-CSC", ROLE_PRACTITIONER);
    const char *text = "{\"kind\": \"minutes_sharing\", \"decision\": \"withhold\","
                       " \"grounds\": [\"would_jeopardise_police_investigation\"],"
                       " \"rationale\": \"Police interviews are pending\"}";
    cr_assert_null(refused_for(text, &manager));
    cr_assert_null(refused_for(text, &practitioner));
}

Test(minutes_rules, FAM_4_parent_objection_refused_on_a_sharing_decision)
{
    violations v;
    check_sharing("{\"kind\": \"minutes_sharing\", \"decision\": \"share\","
                  " \"parent_objection\": \"Father objects to the school seeing them\"}",
                  &v);
    assert_only(&v, "FAM-4", "parent_objection");
}

Test(minutes_rules, FAM_5_family_notice_decisions_refused_for_sharing)
{
    const char *decisions[] = {"inform", "not_inform", "maybe"};
    for (int i = 0; i < COUNT(decisions); i++) {
        char text[128];
        snprintf(text, sizeof text, "{\"kind\": \"minutes_sharing\", \"decision\": \"%s\"}",
                 decisions[i]);
        violations v;
        check_sharing(text, &v);
        cr_assert(violations_has(&v, "FAM-5", "decision"), "%s: %s", decisions[i], describe(&v));
        cr_assert_eq(v.n, 1, "%s: %s", decisions[i], describe(&v));
        cr_assert_not(v.schema);
    }
}

Test(minutes_rules, FAM_1_sharing_decisions_refused_for_family_notice)
{
    violations v;
    check_sharing("{\"kind\": \"family_notice\", \"decision\": \"share\"}", &v);
    assert_only(&v, "FAM-1", "decision");
    check_sharing("{\"decision\": \"withhold\", \"rationale\": \"r\"}", &v);
    assert_only(&v, "FAM-1", "decision");
}

Test(minutes_rules, consent_unknown_kind_is_a_schema_violation)
{
    json_t *doc = load("{\"kind\": \"minutes\", \"decision\": \"share\"}");
    consent_in in;
    violations v;
    violations_init(&v);
    consent_parse(doc, &in, &v);
    cr_assert(violations_has(&v, NULL, "kind"), "%s", describe(&v));
    cr_assert(v.schema);
    json_decref(doc);
}

/* json_in: "a JSON null counts as absent", so a null kind is the default
 * family-notice kind, never a decision of no kind at all. */
Test(minutes_rules, consent_null_kind_counts_as_absent)
{
    json_t *doc = load("{\"kind\": null, \"decision\": \"inform\"}");
    consent_in in;
    violations v;
    violations_init(&v);
    consent_parse(doc, &in, &v);
    consent_check(&in, &v);
    bool has_kind = in.kind != NULL;
    bool notice = has_kind && strcmp(in.kind, "family_notice") == 0;
    json_decref(doc);
    assert_none(&v);
    cr_assert(has_kind, "a decision without violations must have a kind (NULL here: the "
                        "store then inserts a NULL kind)");
    cr_assert(notice, "a null kind is the default kind, family_notice");
}

/* ---- REN-1, REN-2: sections for each audience, and renditions ---- */

/* A two-part meeting's complete minutes with three tagged sections: for
 * the professionals only, for the police only, for everyone. */
static json_t *sectioned_doc(void)
{
    json_t *doc = two_part_doc();
    with(doc, "part_1.discussion", "\"PART1-MARK\"");
    with(doc, "sections",
         "[{\"heading\": \"Referral\", \"text\": \"PRO-MARK\", \"audience\": "
         "\"professionals_only\", \"withheld_reason\": \"referrer_identity\"},"
         " {\"heading\": \"Police\", \"text\": \"POL-MARK\", \"audience\": \"agency\","
         " \"agency\": \"POL-1\", \"withheld_reason\": \"police_investigation\"},"
         " {\"heading\": \"Support\", \"text\": \"ALL-MARK\", \"audience\": \"everyone\"}]");
    return doc;
}

Test(minutes_rules, REN_1_tagged_sections_are_complete)
{
    minutes_facts f = two_part_facts();
    violations v;
    complete_with(sectioned_doc(), &f, &v);
    assert_none(&v);
    shape(sectioned_doc(), &v);
    assert_none(&v);
}

Test(minutes_rules, REN_1_each_missing_part_of_a_section_is_named)
{
    minutes_facts f = two_part_facts();
    violations v;
    complete_with(with(sectioned_doc(), "sections[0].withheld_reason", NULL), &f, &v);
    assert_only(&v, "REN-1", "sections[0].withheld_reason");
    complete_with(with(sectioned_doc(), "sections[1].agency", NULL), &f, &v);
    assert_only(&v, "REN-1", "sections[1].agency");
    complete_with(with(sectioned_doc(), "sections[2].withheld_reason", "\"third_party\""), &f,
                  &v);
    assert_only(&v, "REN-1", "sections[2].withheld_reason");
    complete_with(with(sectioned_doc(), "sections[2].agency", "\"POL-1\""), &f, &v);
    assert_only(&v, "REN-1", "sections[2].agency");
    complete_with(with(sectioned_doc(), "sections[0].audience", NULL), &f, &v);
    assert_only(&v, "REN-1", "sections[0].audience");
    complete_with(with(sectioned_doc(), "sections[2].text", "\" \""), &f, &v);
    assert_only(&v, "REN-1", "sections[2].text");
    complete_with(with(sectioned_doc(), "sections[2].heading", NULL), &f, &v);
    assert_only(&v, "REN-1", "sections[2].heading");
}

Test(minutes_rules, REN_1_the_family_excluded_part_only_in_a_two_part_meeting)
{
    minutes_facts two = two_part_facts();
    violations v;
    json_t *doc = with(sectioned_doc(), "sections[0].audience", "\"family_excluded_part\"");
    with(doc, "sections[0].withheld_reason", "\"family_excluded_part\"");
    complete_with(doc, &two, &v);
    assert_none(&v);
    doc = with(complete_doc(false), "sections",
               "[{\"heading\": \"Part 1\", \"text\": \"x\", \"audience\": "
               "\"family_excluded_part\", \"withheld_reason\": \"family_excluded_part\"}]");
    complete(doc, false, &v);
    assert_only(&v, "REN-1", "sections[0].audience");
}

Test(minutes_rules, REN_1_section_vocabularies_are_closed)
{
    violations v;
    shape(with(sectioned_doc(), "sections[0].audience", "\"the_press\""), &v);
    assert_schema_only(&v, "sections[0].audience");
    shape(with(sectioned_doc(), "sections[0].withheld_reason", "\"embarrassment\""), &v);
    assert_schema_only(&v, "sections[0].withheld_reason");
    shape(with(sectioned_doc(), "sections[0].colour", "\"red\""), &v);
    assert_schema_only(&v, "sections[0].colour");
    shape(with(sectioned_doc(), "sections", "{}"), &v);
    assert_schema_only(&v, "sections");
}

static const family_copy_facts rendered_facts = {
    .meeting_id = ACTION_X, .reference = "MAM-2030-000001", .type = "professionals",
    .held_at = "2030-01-07T10:00:00.000000Z", .approved_at = "2030-01-08T10:00:00.000000Z",
    .two_part = true, .number = 1};

/* The rendition for the audience as text, and its withheld list. */
static char *rendered(const char *audience, const char *agency, json_t **withheld)
{
    json_t *doc = sectioned_doc();
    rendition_in in = {.audience = audience, .agency = agency};
    json_t *out = rendition_build(doc, &rendered_facts, &in, withheld);
    char *text = json_dumps(out, JSON_COMPACT);
    json_decref(out);
    json_decref(doc);
    return text;
}

static bool withholds(json_t *withheld, const char *part, const char *reason)
{
    size_t i;
    json_t *x;
    json_array_foreach(withheld, i, x) {
        if (strcmp(json_string_value(json_object_get(x, "part")), part) == 0 &&
            strcmp(json_string_value(json_object_get(x, "reason")), reason) == 0)
            return true;
    }
    return false;
}

Test(minutes_rules, REN_2_the_family_rendition_has_nothing_withheld_from_it)
{
    const char *const family[] = {"parent_or_carer", "child"};
    for (int k = 0; k < 2; k++) {
        json_t *withheld;
        char *text = rendered(family[k], NULL, &withheld);
        cr_assert_null(strstr(text, "PART1-MARK"), "%s", text);
        cr_assert_null(strstr(text, "PRO-MARK"), "%s", text);
        cr_assert_null(strstr(text, "POL-MARK"), "%s", text);
        cr_assert_not_null(strstr(text, "ALL-MARK"), "%s", text);
        cr_assert_eq(json_array_size(withheld), 3);
        cr_assert(withholds(withheld, "part_1", "family_excluded_part"));
        cr_assert(withholds(withheld, "sections[0]", "referrer_identity"));
        cr_assert(withholds(withheld, "sections[1]", "police_investigation"));
        free(text);
        json_decref(withheld);
    }
}

Test(minutes_rules, REN_2_an_agency_rendition_lacks_only_other_agencies_sections)
{
    json_t *withheld;
    char *text = rendered("agency", "NHS-HV", &withheld);
    cr_assert_not_null(strstr(text, "PART1-MARK"), "%s", text);
    cr_assert_not_null(strstr(text, "PRO-MARK"), "%s", text);
    cr_assert_null(strstr(text, "POL-MARK"), "%s", text);
    cr_assert_eq(json_array_size(withheld), 1);
    cr_assert(withholds(withheld, "sections[1]", "police_investigation"));
    free(text);
    json_decref(withheld);
    text = rendered("agency", "POL-1", &withheld);
    cr_assert_not_null(strstr(text, "POL-MARK"), "%s", text);
    cr_assert_eq(json_array_size(withheld), 0);
    free(text);
    json_decref(withheld);
}

Test(minutes_rules, REN_2_a_public_summary_names_nothing_of_the_case)
{
    json_t *withheld;
    char *text = rendered("public_summary", NULL, &withheld);
    cr_assert_null(strstr(text, "MARK"), "%s", text);
    cr_assert_null(strstr(text, "MAM-2030"), "%s", text);
    cr_assert_not_null(strstr(text, "\"actions_agreed\":3"), "%s", text);
    free(text);
    json_decref(withheld);
}

Test(minutes_rules, REN_2_what_is_withheld_needs_a_fair_summary)
{
    violations v;
    json_t *withheld = json_pack("[{s:s, s:s}]", "part", "part_1", "reason",
                                 "family_excluded_part");
    rendition_in in = {.audience = "parent_or_carer"};
    violations_init(&v);
    rendition_check(&in, withheld, &v);
    assert_only(&v, "REN-2", "withheld_summary");
    in.withheld_summary = "What the professionals discussed alone is not in your copy.";
    violations_init(&v);
    rendition_check(&in, withheld, &v);
    assert_none(&v);
    json_t *none = json_array();
    in.withheld_summary = NULL;
    violations_init(&v);
    rendition_check(&in, none, &v);
    assert_none(&v);
    json_decref(none);
    json_decref(withheld);
}

Test(minutes_rules, REN_2_a_request_names_an_agency_only_for_an_agency)
{
    violations v;
    rendition_in in;
    json_t *body = load("{\"audience\": \"agency\"}");
    violations_init(&v);
    rendition_parse(body, &in, &v);
    assert_only(&v, "REN-2", "agency");
    json_decref(body);
    body = load("{\"audience\": \"child\", \"agency\": \"POL-1\"}");
    violations_init(&v);
    rendition_parse(body, &in, &v);
    assert_only(&v, "REN-2", "agency");
    json_decref(body);
    body = load("{\"audience\": \"the_press\"}");
    violations_init(&v);
    rendition_parse(body, &in, &v);
    assert_schema_only(&v, "audience");
    json_decref(body);
    body = load("{\"audience\": \"agency\", \"agency\": \"POL-1\", \"withheld_summary\": \"s\"}");
    violations_init(&v);
    rendition_parse(body, &in, &v);
    assert_none(&v);
    cr_assert_str_eq(in.agency, "POL-1");
    json_decref(body);
}

Test(minutes_rules, REN_2_FAM_5_who_a_rendition_goes_to)
{
    violations v;
    json_t *family = load("[{\"name\": \"P\", \"category\": \"family\", \"contact\": \"c\"}]");
    json_t *police = load("[{\"name\": \"P\", \"agency\": \"POL-1\", \"category\": "
                          "\"professional\", \"contact\": \"c\"}]");
    violations_init(&v);
    rendition_check_recipients("parent_or_carer", NULL, family, true, &v);
    assert_none(&v);
    violations_init(&v);
    rendition_check_recipients("parent_or_carer", NULL, family, false, &v);
    assert_only(&v, "FAM-5", "recipients[0].category");
    violations_init(&v);
    rendition_check_recipients("child", NULL, police, true, &v);
    assert_only(&v, "REN-2", "recipients[0].category");
    violations_init(&v);
    rendition_check_recipients("agency", "POL-1", police, true, &v);
    assert_none(&v);
    violations_init(&v);
    rendition_check_recipients("agency", "NHS-HV", police, true, &v);
    assert_only(&v, "REN-2", "recipients[0].agency");
    violations_init(&v);
    rendition_check_recipients("agency", "POL-1", family, true, &v);
    assert_only(&v, "REN-2", "recipients[0].category");
    json_decref(family);
    json_decref(police);
}

Test(minutes_rules, REN_2_only_the_chair_approves_a_rendition)
{
    caller chair = make_caller("chair-1", "CSC-1", ROLE_MANAGER);
    caller taker = make_caller("taker-1", "CSC-1", ROLE_PRACTITIONER);
    cr_assert(rendition_may_approve(&chair, "chair-1"));
    cr_assert_not(rendition_may_approve(&taker, "chair-1"));
    cr_assert_not(rendition_may_approve(&chair, NULL));
}

/* ---- REN-4: inaccuracies and the chair's answer ---- */

Test(minutes_rules, REN_4_an_inaccuracy_says_what_is_wrong_within_the_window)
{
    violations v;
    inaccuracy_in in;
    json_t *body = load("{\"part\": \"decisions\"}");
    violations_init(&v);
    inaccuracy_parse(body, &in, &v);
    assert_only(&v, "REN-4", "text");
    json_decref(body);
    body = load("{\"text\": \"A wrong date\", \"colour\": \"red\"}");
    violations_init(&v);
    inaccuracy_parse(body, &in, &v);
    assert_schema_only(&v, "colour");
    json_decref(body);
    /* the window's last day is still in it; the day after is not */
    violations_init(&v);
    inaccuracy_check_window("2030-01-21", "2030-01-21", &v);
    assert_none(&v);
    violations_init(&v);
    inaccuracy_check_window("2030-01-22", "2030-01-21", &v);
    assert_only(&v, "REN-4", "minutes_number");
}

static void answered(const char *json_text, int about, bool approved, violations *v)
{
    json_t *body = load(json_text);
    inaccuracy_answer in;
    violations_init(v);
    inaccuracy_answer_parse(body, &in, v);
    if (!v->schema)
        inaccuracy_answer_check(&in, about, approved, v);
    json_decref(body);
}

Test(minutes_rules, REN_4_MIN_3_the_chair_answers_by_amendment_or_refusal_with_reason)
{
    violations v;
    answered("{\"outcome\": \"refused\", \"reason\": \"The minutes stand\"}", 1, false, &v);
    assert_none(&v);
    answered("{\"outcome\": \"refused\"}", 1, false, &v);
    assert_only(&v, "REN-4", "reason");
    answered("{\"outcome\": \"refused\", \"reason\": \"r\", \"amendment_number\": 2}", 1, true,
             &v);
    assert_only(&v, "REN-4", "amendment_number");
    answered("{\"outcome\": \"amended\", \"amendment_number\": 2}", 1, true, &v);
    assert_none(&v);
    answered("{\"outcome\": \"amended\"}", 1, true, &v);
    assert_only(&v, "REN-4", "amendment_number");
    answered("{\"outcome\": \"amended\", \"amendment_number\": 2}", 1, false, &v);
    assert_only(&v, "REN-4", "amendment_number");
    answered("{\"outcome\": \"amended\", \"amendment_number\": 1}", 1, true, &v);
    assert_only(&v, "REN-4", "amendment_number");
    answered("{\"outcome\": \"amended\", \"amendment_number\": 3, \"reason\": \"r\"}", 1, true,
             &v);
    assert_only(&v, "REN-4", "reason");
    answered("{\"outcome\": \"ignored\"}", 1, true, &v);
    assert_schema_only(&v, "outcome");
    answered("{\"outcome\": \"amended\", \"amendment_number\": \"2\"}", 1, true, &v);
    assert_schema_only(&v, "amendment_number");
}
