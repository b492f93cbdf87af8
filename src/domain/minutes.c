#include "domain/minutes.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "domain/json_in.h"

const state_gate meeting_gate_minutes = {
    "MIN-1", "Minutes are written once the meeting is held.", {"held", "closed"}};
const state_gate minutes_gate_drafting = {
    "MIN-3", "Approved minutes cannot change; create an amendment.", {"draft"}};
const state_gate minutes_gate_approval = {
    "MIN-3", "These minutes are already approved.", {"draft"}};
const state_gate minutes_gate_amendment = {
    "MIN-3", "The current version is still a draft; edit it instead.", {"approved"}};
const state_gate minutes_gate_distribution = {
    "MIN-4", "Only approved minutes are distributed.", {"approved"}};
const state_gate minutes_gate_family_copy = {
    "MIN-5", "A draft has no family copy: the family's copy is made of approved minutes.",
    {"approved"}};

const char *const review_outcomes[] = {"completed", "carried_forward", "no_longer_needed", NULL};
const char *const childs_views_represented[] = {
    "child_attended", "child_contribution", "advocate", "practitioner", "parent_carer",
    "observation",    "not_yet_sought",     NULL};
static const char *const attendance_marks[] = {"present", "apologies", "absent", NULL};
const char *const minutes_section_audiences[] = {"everyone", "professionals_only", "agency",
                                                 "family_excluded_part", NULL};
const char *const minutes_withheld_reasons[] = {"third_party", "family_excluded_part", "fii",
                                                "police_investigation", "referrer_identity",
                                                NULL};

/* --- shape --- */

static void person_shape(violations *v, json_t *obj, const char *at, const char *key)
{
    static const char *const fields[] = {"name", "agency", "sub", NULL};
    json_t *p = jin_object(v, obj, at, key, false, NULL);
    if (!p)
        return;
    char path[128];
    jin_path(path, sizeof path, at, key);
    jin_only_keys(v, p, path, fields, NULL);
    jin_string(v, p, path, "name", 200, false, NULL);
    jin_string(v, p, path, "agency", CALLER_AGENCY_MAX, false, NULL);
    jin_string(v, p, path, "sub", CALLER_SUB_MAX, false, NULL);
}

/* An object of booleans and notes such as {"required": true, "note": ...}. */
static json_t *flag_shape(violations *v, json_t *obj, const char *at, const char *key,
                          const char *flag, const char *const *fields)
{
    json_t *o = jin_object(v, obj, at, key, false, NULL);
    if (!o)
        return NULL;
    char path[128];
    jin_path(path, sizeof path, at, key);
    jin_only_keys(v, o, path, fields, NULL);
    jin_bool(v, o, path, flag);
    for (const char *const *f = fields; *f; f++) {
        if (strcmp(*f, flag) == 0)
            continue;
        if (strcmp(*f, "by") == 0)
            person_shape(v, o, path, "by");
        else
            jin_string(v, o, path, *f, MINUTES_SHORT_MAX, false, NULL);
    }
    return o;
}

static void date_shape(violations *v, json_t *obj, const char *at, const char *key)
{
    const char *d = jin_string(v, obj, at, key, 10, false, NULL);
    if (d && !text_is_date(d)) {
        char path[128];
        jin_path(path, sizeof path, at, key);
        violation_schema(v, path, "'%s' must be a date (YYYY-MM-DD)", path);
    }
}

static void uuid_shape(violations *v, json_t *obj, const char *at, const char *key)
{
    const char *id = jin_string(v, obj, at, key, 36, false, NULL);
    if (id && !text_is_uuid(id)) {
        char path[128];
        jin_path(path, sizeof path, at, key);
        violation_schema(v, path, "'%s' must be a UUID", path);
    }
}

static void objects_shape(violations *v, json_t *content, const char *key, size_t max,
                          void (*item)(violations *, json_t *, const char *))
{
    json_t *list = jin_array(v, content, "", key, max, false, NULL);
    size_t i;
    json_t *x;
    json_array_foreach(list, i, x) {
        char at[64];
        jin_index(at, sizeof at, "", key, i);
        if (!json_is_object(x))
            violation_schema(v, at, "'%s' must be an object", at);
        else
            item(v, x, at);
    }
}

static void attendee_shape(violations *v, json_t *x, const char *at)
{
    static const char *const fields[] = {"invitation_id", "name", "agency", "role", "attendance",
                                         NULL};
    jin_only_keys(v, x, at, fields, NULL);
    uuid_shape(v, x, at, "invitation_id");
    jin_string(v, x, at, "name", 200, false, NULL);
    jin_string(v, x, at, "agency", CALLER_AGENCY_MAX, false, NULL);
    jin_string(v, x, at, "role", 200, false, NULL);
    jin_enum(v, x, at, "attendance", attendance_marks, false, NULL);
}

static void action_shape(violations *v, json_t *x, const char *at)
{
    static const char *const fields[] = {"action_id", "description", "owner", "due_date",
                                         "contingency", NULL};
    jin_only_keys(v, x, at, fields, NULL);
    uuid_shape(v, x, at, "action_id");
    jin_string(v, x, at, "description", MINUTES_SHORT_MAX, false, NULL);
    person_shape(v, x, at, "owner");
    date_shape(v, x, at, "due_date");
    jin_string(v, x, at, "contingency", MINUTES_SHORT_MAX, false, NULL);
}

static void outcome_shape(violations *v, json_t *x, const char *at)
{
    static const char *const fields[] = {"action_id", "outcome", "note", NULL};
    jin_only_keys(v, x, at, fields, NULL);
    uuid_shape(v, x, at, "action_id");
    jin_enum(v, x, at, "outcome", review_outcomes, false, NULL);
    jin_string(v, x, at, "note", MINUTES_SHORT_MAX, false, NULL);
}

/* MIN-2: the child's views and how they were represented. */
static void childs_views_shape(violations *v, json_t *content)
{
    static const char *const fields[] = {"views", "how_represented", "note", NULL};
    json_t *cv = jin_object(v, content, "", "childs_views", false, NULL);
    if (!cv)
        return;
    jin_only_keys(v, cv, "childs_views", fields, NULL);
    jin_string(v, cv, "childs_views", "views", MINUTES_TEXT_MAX, false, NULL);
    jin_enum(v, cv, "childs_views", "how_represented", childs_views_represented, false, NULL);
    jin_string(v, cv, "childs_views", "note", MINUTES_SHORT_MAX, false, NULL);
}

/* MIN-5: a part of a two-part meeting, {"discussion": text}. */
static void part_shape(violations *v, json_t *content, const char *key)
{
    static const char *const fields[] = {"discussion", NULL};
    json_t *part = jin_object(v, content, "", key, false, NULL);
    if (!part)
        return;
    jin_only_keys(v, part, key, fields, NULL);
    jin_string(v, part, key, "discussion", MINUTES_TEXT_MAX, false, NULL);
}

/* REN-1: a section of the minutes, with its audience and, when it is
 * withheld from anyone, why. */
static void section_shape(violations *v, json_t *x, const char *at)
{
    static const char *const fields[] = {"heading", "text", "audience", "agency",
                                         "withheld_reason", NULL};
    jin_only_keys(v, x, at, fields, NULL);
    jin_string(v, x, at, "heading", 200, false, NULL);
    jin_string(v, x, at, "text", MINUTES_TEXT_MAX, false, NULL);
    jin_enum(v, x, at, "audience", minutes_section_audiences, false, NULL);
    jin_string(v, x, at, "agency", CALLER_AGENCY_MAX, false, NULL);
    jin_enum(v, x, at, "withheld_reason", minutes_withheld_reasons, false, NULL);
}

/* MIN-2: a further assessment, who does it and by when. */
static void further_assessment_shape(violations *v, json_t *content)
{
    static const char *const fields[] = {"required", "what", "by", "due_date", "note", NULL};
    json_t *fa = jin_object(v, content, "", "further_assessment", false, NULL);
    if (!fa)
        return;
    jin_only_keys(v, fa, "further_assessment", fields, NULL);
    jin_bool(v, fa, "further_assessment", "required");
    jin_string(v, fa, "further_assessment", "what", MINUTES_SHORT_MAX, false, NULL);
    person_shape(v, fa, "further_assessment", "by");
    date_shape(v, fa, "further_assessment", "due_date");
    jin_string(v, fa, "further_assessment", "note", MINUTES_SHORT_MAX, false, NULL);
}

/* --- MIN-6: a strategy discussion's considerations --- */

const char *const risk_categories[] = {
    "domestic_abuse", "physical_abuse", "emotional_abuse", "sexual_abuse", "neglect",
    "child_sexual_exploitation", "child_criminal_exploitation", "fabricated_or_induced_illness",
    "parental_mental_health", "parental_substance_misuse", "honour_based_abuse",
    "female_genital_mutilation", "radicalisation", "online_harm", "other", NULL};

static const char *const outcomes_parents[] = {"not_applicable", "not_required", "to_be_done",
                                               "done", NULL};
static const char *const outcomes_done[] = {"not_required", "to_be_done", "done", NULL};
static const char *const outcomes_voice[] = {"done", "to_be_done", NULL};
static const char *const outcomes_safety[] = {"required", "not_required", NULL};
static const char *const outcomes_criminal[] = {"grounds", "no_grounds",
                                                "investigation_continuing", NULL};

/* Each consideration: its name and the outcomes it may record. */
static const struct {
    const char *name;
    const char *const *outcomes;
    bool domestic_abuse; /* asked only where domestic abuse is among the risks */
    bool optional;       /* recorded when considered, never required */
} considerations[] = {
    {"non_resident_parents", outcomes_parents, false, false},
    {"voice_of_child_and_family", outcomes_voice, false, false},
    {"safety_measures", outcomes_safety, false, false},
    {"child_protection_medical", outcomes_done, false, false},
    {"sarc_referral", outcomes_done, false, false},
    {"criminal_proceedings", outcomes_criminal, false, false},
    {"abe_interview", outcomes_done, false, false},
    {"marac_referral", outcomes_done, true, false},
    {"dash_risk_assessment", outcomes_done, true, false},
    {"clares_law", outcomes_done, true, false},
    {"protective_orders", outcomes_done, true, true},
};
#define N_CONSIDERATIONS (sizeof considerations / sizeof considerations[0])
#define SC "strategy_considerations"

/* children[N] or other_children[N]: a child of the meeting's own lists.
 * Sets which list and the index; false when the reference is malformed. */
static bool child_reference(const char *ref, bool *other, int *index)
{
    const char *p;
    if (strncmp(ref, "children[", 9) == 0) {
        *other = false;
        p = ref + 9;
    } else if (strncmp(ref, "other_children[", 15) == 0) {
        *other = true;
        p = ref + 15;
    } else {
        return false;
    }
    int digits = 0, n = 0;
    for (; isdigit((unsigned char)*p) && digits < 3; p++, digits++)
        n = n * 10 + (*p - '0');
    if (digits < 1 || digits > 2 || strcmp(p, "]") != 0)
        return false;
    *index = n;
    return true;
}

static void child_discussed_shape(violations *v, json_t *x, const char *at)
{
    static const char *const fields[] = {"child", "summary", NULL};
    jin_only_keys(v, x, at, fields, NULL);
    const char *ref = jin_string(v, x, at, "child", 20, false, NULL);
    bool other;
    int index;
    if (ref && !child_reference(ref, &other, &index)) {
        char path[128];
        jin_path(path, sizeof path, at, "child");
        violation_schema(v, path, "'%s' must name children[N] or other_children[N]", path);
    }
    jin_string(v, x, at, "summary", MINUTES_SHORT_MAX, false, NULL);
}

static void consideration_shape(violations *v, json_t *sc, const char *name,
                                const char *const *outcomes)
{
    char at[96];
    jin_path(at, sizeof at, SC, name);
    json_t *c = jin_object(v, sc, SC, name, false, NULL);
    if (!c)
        return;
    bool voice = strcmp(name, "voice_of_child_and_family") == 0;
    bool safety = strcmp(name, "safety_measures") == 0;
    bool criminal = strcmp(name, "criminal_proceedings") == 0;
    const char *const plain[] = {"outcome", "note", "by", "due_date", NULL};
    const char *const with_family[] = {"outcome", "family", "note", "by", "due_date", NULL};
    const char *const with_measures[] = {"outcome", "measures", "involved", "review_date",
                                         "note", NULL};
    const char *const with_sharing[] = {"outcome", "note", "by", "due_date", "family_sharing",
                                        NULL};
    jin_only_keys(v, c, at,
                  voice ? with_family : safety ? with_measures : criminal ? with_sharing : plain,
                  NULL);
    jin_enum(v, c, at, "outcome", outcomes, false, NULL);
    jin_string(v, c, at, "note", MINUTES_SHORT_MAX, false, NULL);
    if (safety) {
        jin_string(v, c, at, "measures", MINUTES_SHORT_MAX, false, NULL);
        date_shape(v, c, at, "review_date");
        json_t *involved = jin_array(v, c, at, "involved", MINUTES_MAX_INVOLVED, false, NULL);
        size_t i;
        json_t *x;
        json_array_foreach(involved, i, x) {
            char item[128];
            jin_index(item, sizeof item, at, "involved", i);
            if (!json_is_object(x)) {
                violation_schema(v, item, "'%s' must be an object", item);
                continue;
            }
            static const char *const person[] = {"name", "agency", "sub", NULL};
            jin_only_keys(v, x, item, person, NULL);
            jin_string(v, x, item, "name", 200, false, NULL);
            jin_string(v, x, item, "agency", CALLER_AGENCY_MAX, false, NULL);
            jin_string(v, x, item, "sub", CALLER_SUB_MAX, false, NULL);
        }
        return;
    }
    person_shape(v, c, at, "by");
    date_shape(v, c, at, "due_date");
    if (voice)
        jin_string(v, c, at, "family", MINUTES_SHORT_MAX, false, NULL);
    if (criminal) {
        static const char *const sharing[] = {"can_share", "cannot_share", NULL};
        char fs[128];
        jin_path(fs, sizeof fs, at, "family_sharing");
        json_t *f = jin_object(v, c, at, "family_sharing", false, NULL);
        if (f) {
            jin_only_keys(v, f, fs, sharing, NULL);
            jin_string(v, f, fs, "can_share", MINUTES_SHORT_MAX, false, NULL);
            jin_string(v, f, fs, "cannot_share", MINUTES_SHORT_MAX, false, NULL);
        }
    }
}

static void strategy_shape(violations *v, json_t *content)
{
    json_t *list = jin_array(v, content, "", "risk_categories", MINUTES_MAX_RISK_CATEGORIES,
                             false, NULL);
    size_t i;
    json_t *x;
    json_array_foreach(list, i, x) {
        char at[48];
        jin_index(at, sizeof at, "", "risk_categories", i);
        const char *c = json_string_value(x);
        bool known = false;
        for (const char *const *k = risk_categories; c && *k; k++)
            known |= strcmp(*k, c) == 0;
        if (!known) {
            violation_schema(v, at, "'%s' is not one of the accepted values", at);
            continue;
        }
        for (size_t j = 0; j < i; j++)
            if (json_equal(json_array_get(list, j), x))
                violation_schema(v, at, "'%s' repeats a category listed already", at);
    }

    json_t *sc = jin_object(v, content, "", SC, false, NULL);
    if (!sc)
        return;
    static const char *const fields[] = {
        "children_discussed", "non_resident_parents", "voice_of_child_and_family",
        "safety_measures", "child_protection_medical", "sarc_referral", "criminal_proceedings",
        "abe_interview", "marac_referral", "dash_risk_assessment", "clares_law",
        "protective_orders", "children_as_victims", NULL};
    jin_only_keys(v, sc, SC, fields, NULL);
    json_t *children = jin_array(v, sc, SC, "children_discussed", MINUTES_MAX_CHILDREN, false,
                                 NULL);
    json_array_foreach(children, i, x) {
        char at[96];
        jin_index(at, sizeof at, SC, "children_discussed", i);
        if (!json_is_object(x))
            violation_schema(v, at, "'%s' must be an object", at);
        else
            child_discussed_shape(v, x, at);
    }
    for (size_t k = 0; k < N_CONSIDERATIONS; k++)
        consideration_shape(v, sc, considerations[k].name, considerations[k].outcomes);
    static const char *const victims[] = {"recognised", "support", NULL};
    json_t *cv = jin_object(v, sc, SC, "children_as_victims", false, NULL);
    if (cv) {
        jin_only_keys(v, cv, SC ".children_as_victims", victims, NULL);
        jin_bool(v, cv, SC ".children_as_victims", "recognised");
        jin_string(v, cv, SC ".children_as_victims", "support", MINUTES_SHORT_MAX, false, NULL);
    }
}

void minutes_check_shape(json_t *content, violations *v)
{
    static const char *const fields[] = {
        "attendance", "purpose", "childs_views", "part_1", "part_2", "needs", "strengths",
        "risks", "decisions",
        "actions", "plan_coordinator", "information_sharing", "family_feedback",
        "safeguarding_referral", "caf_considered", "fgc_considered", "further_assessment",
        "next_review", "risk_analysis", "legal_action", "further_strategy_discussion",
        "lado_referral", "shared_with_family", "risk_categories", "strategy_considerations",
        "previous_actions", "section_47_enquiry", "sections", NULL};
    static const char *const sharing[] = {"with_whom", "family", NULL};
    static const char *const feedback[] = {"family_present", "by", "method", NULL};
    static const char *const referral[] = {"needed", "by", "how", NULL};
    static const char *const considered[] = {"considered", "note", NULL};
    static const char *const review[] = {"date", "no_review_reason", NULL};
    static const char *const required[] = {"required", "note", NULL};
    static const char *const lado[] = {"required", "by", "note", NULL};
    static const char *const shared[] = {"shared", "not_shared", "not_shared_rationale", NULL};

    jin_only_keys(v, content, "", fields, NULL);
    objects_shape(v, content, "attendance", MINUTES_MAX_ATTENDEES, attendee_shape);
    childs_views_shape(v, content);
    part_shape(v, content, "part_1");
    part_shape(v, content, "part_2");
    const char *texts[] = {"purpose", "needs", "strengths", "risks", "decisions", "risk_analysis"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        jin_string(v, content, "", texts[i], MINUTES_TEXT_MAX, false, NULL);
    objects_shape(v, content, "actions", MINUTES_MAX_ACTIONS, action_shape);
    person_shape(v, content, "", "plan_coordinator");

    json_t *info = jin_object(v, content, "", "information_sharing", false, NULL);
    if (info) {
        jin_only_keys(v, info, "information_sharing", sharing, NULL);
        jin_string(v, info, "information_sharing", "with_whom", MINUTES_SHORT_MAX, false, NULL);
        jin_string(v, info, "information_sharing", "family", MINUTES_SHORT_MAX, false, NULL);
    }
    json_t *fb = jin_object(v, content, "", "family_feedback", false, NULL);
    if (fb) {
        jin_only_keys(v, fb, "family_feedback", feedback, NULL);
        jin_bool(v, fb, "family_feedback", "family_present");
        person_shape(v, fb, "family_feedback", "by");
        jin_string(v, fb, "family_feedback", "method", MINUTES_SHORT_MAX, false, NULL);
    }
    flag_shape(v, content, "", "safeguarding_referral", "needed", referral);
    flag_shape(v, content, "", "caf_considered", "considered", considered);
    flag_shape(v, content, "", "fgc_considered", "considered", considered);
    further_assessment_shape(v, content);
    json_t *next = jin_object(v, content, "", "next_review", false, NULL);
    if (next) {
        jin_only_keys(v, next, "next_review", review, NULL);
        date_shape(v, next, "next_review", "date");
        jin_string(v, next, "next_review", "no_review_reason", MINUTES_SHORT_MAX, false, NULL);
    }
    flag_shape(v, content, "", "legal_action", "required", required);
    flag_shape(v, content, "", "further_strategy_discussion", "required", required);
    /* strategy discussions: section 47 enquiries started, from which the
     * initial child protection conference is due (OBL-1, the icpc clock) */
    static const char *const s47[] = {"started", "note", NULL};
    flag_shape(v, content, "", "section_47_enquiry", "started", s47);
    flag_shape(v, content, "", "lado_referral", "required", lado);
    json_t *sw = jin_object(v, content, "", "shared_with_family", false, NULL);
    if (sw) {
        jin_only_keys(v, sw, "shared_with_family", shared, NULL);
        for (const char *const *f = shared; *f; f++)
            jin_string(v, sw, "shared_with_family", *f, MINUTES_SHORT_MAX, false, NULL);
    }
    strategy_shape(v, content);
    objects_shape(v, content, "previous_actions", MINUTES_MAX_ACTIONS, outcome_shape);
    objects_shape(v, content, "sections", MINUTES_MAX_SECTIONS, section_shape);
}

/* --- completeness --- */

/* Present and not blank, judged as json_in judges blank text. */
static bool has_text(json_t *obj, const char *key)
{
    json_t *j = json_object_get(obj, key);
    if (!json_is_string(j))
        return false;
    for (const char *s = json_string_value(j); *s; s++)
        if (!isspace((unsigned char)*s))
            return true;
    return false;
}

static void need_text(violations *v, json_t *obj, const char *at, const char *key,
                      const char *rule, const char *what)
{
    if (has_text(obj, key))
        return;
    char path[128];
    jin_path(path, sizeof path, at, key);
    violation_rule(v, path, rule, "%s", what);
}

/* A person part ("who makes it", "who owns it"): named with a name and an
 * agency, and reported at the person member itself, whatever is missing of
 * it (MIN-2: one path per part, always the same). */
static void need_person(violations *v, json_t *obj, const char *at, const char *key,
                        const char *rule, const char *who)
{
    json_t *p = json_object_get(obj, key);
    bool name = has_text(p, "name"), agency = has_text(p, "agency");
    if (name && agency)
        return;
    char path[128];
    jin_path(path, sizeof path, at, key);
    if (!name && !agency)
        violation_rule(v, path, rule, "name %s, with their agency", who);
    else if (!name)
        violation_rule(v, path, rule, "%s: give their name", who);
    else
        violation_rule(v, path, rule, "%s: give their agency", who);
}

/* A yes/no part such as safeguarding_referral.needed; the object holding
 * it when it is there and answered. */
static json_t *need_flag(violations *v, json_t *content, const char *key, const char *flag,
                         const char *rule, const char *what)
{
    json_t *o = json_object_get(content, key);
    json_t *f = json_is_object(o) ? json_object_get(o, flag) : NULL;
    if (!json_is_boolean(f)) {
        char path[128];
        jin_path(path, sizeof path, key, flag);
        violation_rule(v, path, rule, "%s", what);
        return NULL;
    }
    return o;
}

static bool is_family_category(const char *category)
{
    return category &&
           (strcmp(category, "parent_carer") == 0 || strcmp(category, "child_young_person") == 0);
}

static const minutes_invitation *invitation_named(const minutes_facts *f, const char *id,
                                                  int *index)
{
    for (int k = 0; id && k < f->n_invitations; k++) {
        if (f->invitations[k].id && strcmp(f->invitations[k].id, id) == 0) {
            *index = k;
            return &f->invitations[k];
        }
    }
    return NULL;
}

/* MIN-2: who attended and who sent apologies, each entry naming the person,
 * agency and mark, and agreeing with the marks recorded on the invitations
 * before the hold: an entry names its invitation (invitation_id) once, and
 * every invitation has its entry. Entries without an invitation (the chair,
 * the minute taker, someone who came uninvited) are complete on their own. */
static void check_attendance(json_t *content, const minutes_facts *f, violations *v)
{
    json_t *list = json_object_get(content, "attendance");
    if (!json_is_array(list) || json_array_size(list) == 0) {
        violation_rule(v, "attendance", "MIN-2", "record who attended and who sent apologies");
        return;
    }
    int n = f->n_invitations;
    bool seen_local[64];
    bool *seen = n <= 64 ? seen_local : calloc((size_t)n, sizeof *seen);
    if (!seen) {
        violation_rule(v, "attendance", "MIN-2", "the attendance could not be compared");
        return;
    }
    if (seen == seen_local)
        memset(seen_local, 0, sizeof seen_local);
    size_t i;
    json_t *entry;
    json_array_foreach(list, i, entry) {
        char at[48], path[96];
        jin_index(at, sizeof at, "", "attendance", i);
        const char *id = json_string_value(json_object_get(entry, "invitation_id"));
        const minutes_invitation *inv = NULL;
        bool repeated = false;
        if (id && has_text(entry, "invitation_id")) {
            int k = -1;
            inv = invitation_named(f, id, &k);
            jin_path(path, sizeof path, at, "invitation_id");
            if (!inv) {
                violation_rule(v, path, "MIN-2", "names no invitation of this meeting");
            } else if (seen[k]) {
                violation_rule(v, path, "MIN-2", "the invitation has an entry already");
                repeated = true;
            } else {
                seen[k] = true;
            }
        }
        need_text(v, entry, at, "name", "MIN-2", "who attended or sent apologies");
        if (!(inv && is_family_category(inv->category)))
            need_text(v, entry, at, "agency", "MIN-2", "the agency they came for");
        const char *mark = json_string_value(json_object_get(entry, "attendance"));
        jin_path(path, sizeof path, at, "attendance");
        if (!has_text(entry, "attendance"))
            violation_rule(v, path, "MIN-2", "present, apologies or absent");
        else if (inv && !repeated && inv->attendance && strcmp(mark, inv->attendance) != 0)
            violation_rule(v, path, "MIN-2", "the attendance recorded at the hold is %s, not %s",
                           inv->attendance, mark);
    }
    for (int k = 0; k < n; k++)
        if (!seen[k])
            violation_rule(v, "attendance", "MIN-2",
                           "invitation %s (marked %s at the hold) has no entry",
                           f->invitations[k].id,
                           f->invitations[k].attendance ? f->invitations[k].attendance
                                                        : "nothing");
    if (seen != seen_local)
        free(seen);
}

/* MIN-2: the child's views, and how they were represented; views not yet
 * sought say why, and how they will be. */
static void check_childs_views(json_t *content, violations *v)
{
    json_t *cv = json_object_get(content, "childs_views");
    const char *how = json_string_value(json_object_get(cv, "how_represented"));
    if (!has_text(cv, "how_represented"))
        violation_rule(v, "childs_views.how_represented", "MIN-2",
                       "how the child's views were represented");
    if (how && strcmp(how, "not_yet_sought") == 0)
        need_text(v, cv, "childs_views", "note", "MIN-2",
                  "why the child's views are not yet known, and how they will be sought");
    else
        need_text(v, cv, "childs_views", "views", "MIN-2", "the child's views");
}

static void check_actions(json_t *content, violations *v)
{
    json_t *actions = json_object_get(content, "actions");
    if (!json_is_array(actions) || json_array_size(actions) == 0) {
        violation_rule(v, "actions", "MIN-2", "the minutes end with an action plan");
        return;
    }
    size_t i;
    json_t *a;
    json_array_foreach(actions, i, a) {
        char at[32];
        jin_index(at, sizeof at, "", "actions", i);
        need_text(v, a, at, "description", "ACT-1", "what is to be done");
        need_person(v, a, at, "owner", "ACT-1", "who owns the action");
        need_text(v, a, at, "due_date", "ACT-1", "when it is due");
        need_text(v, a, at, "contingency", "ACT-1", "what happens if it is not done");
    }
}

bool minutes_family_present_from(const minutes_invitation *invitations, int n)
{
    int family = 0;
    for (int k = 0; k < n; k++) {
        if (!is_family_category(invitations[k].category))
            continue;
        family++;
        if (!invitations[k].attendance || strcmp(invitations[k].attendance, "present") != 0)
            return false;
    }
    return family > 0;
}

/* FAM-6: whether the family was present is the attendance recorded before
 * the hold, never what the minutes claim; minutes may say it, but must not
 * contradict it. Where the family was not present, someone feeds the
 * outcome back, in a way suited to the child's age. FAM-7: what a strategy
 * discussion shares with the family. */
static void check_family(json_t *content, const minutes_facts *f, bool strategy, violations *v)
{
    bool present = minutes_family_present_from(f->invitations, f->n_invitations);
    json_t *fb = json_object_get(content, "family_feedback");
    json_t *claim = json_is_object(fb) ? json_object_get(fb, "family_present") : NULL;
    if (json_is_boolean(claim) && json_is_true(claim) != present)
        violation_rule(v, "family_feedback.family_present", "FAM-6",
                       present ? "the attendance recorded before the hold says the family was "
                                 "present"
                               : "the attendance recorded before the hold says the family was "
                                 "not present: every family member invited must be marked "
                                 "present");
    if (!present) {
        need_person(v, fb, "family_feedback", "by", "FAM-6", "who feeds the outcome back");
        need_text(v, fb, "family_feedback", "method", "FAM-6",
                  "how, in a way suited to the child's age");
    }
    if (!strategy)
        return;
    json_t *sw = json_object_get(content, "shared_with_family");
    need_text(v, sw, "shared_with_family", "shared", "FAM-7", "what is shared with the family");
    if (has_text(sw, "not_shared"))
        need_text(v, sw, "shared_with_family", "not_shared_rationale", "FAM-7",
                  "why the rest is not shared");
}

/* MIN-2: a further assessment found to be required names what, who does it
 * and by when. */
static void check_further_assessment(json_t *content, violations *v)
{
    json_t *fa = json_object_get(content, "further_assessment");
    if (!json_is_true(json_object_get(fa, "required")))
        return;
    need_text(v, fa, "further_assessment", "what", "MIN-2", "what the assessment is");
    need_person(v, fa, "further_assessment", "by", "MIN-2", "who does the assessment");
    need_text(v, fa, "further_assessment", "due_date", "MIN-2", "by when");
}

/* MIN-5: a two-part meeting's minutes keep part 1 (professionals only) and
 * part 2 apart; a meeting held in one part has neither. */
static void check_parts(json_t *content, const minutes_facts *f, violations *v)
{
    static const char *const parts[] = {"part_1", "part_2"};
    for (int i = 0; i < 2; i++) {
        json_t *part = json_object_get(content, parts[i]);
        if (f->two_part)
            need_text(v, part, parts[i], "discussion", "MIN-5",
                      i == 0 ? "what part 1, the professionals alone, discussed"
                             : "what part 2, with the family, discussed");
        else if (part && !json_is_null(part))
            violation_rule(v, parts[i], "MIN-5",
                           "this meeting was held in one part: record its discussion in the "
                           "minutes themselves");
    }
}

/* REN-1: every section names its audience; one withheld from anyone says
 * why; one for an agency names the agency; the part the family was
 * excluded from exists only where the meeting was held in two parts. */
static void check_sections(json_t *content, const minutes_facts *f, violations *v)
{
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(content, "sections"), i, x) {
        char at[48];
        jin_index(at, sizeof at, "", "sections", i);
        need_text(v, x, at, "heading", "REN-1", "the section's heading");
        need_text(v, x, at, "text", "REN-1", "what the section records");
        const char *audience = json_string_value(json_object_get(x, "audience"));
        char field[80];
        if (!audience) {
            snprintf(field, sizeof field, "%s.audience", at);
            violation_rule(v, field, "REN-1", "who the section is for");
            continue;
        }
        bool withheld = strcmp(audience, "everyone") != 0;
        bool has_reason = json_is_string(json_object_get(x, "withheld_reason"));
        snprintf(field, sizeof field, "%s.withheld_reason", at);
        if (withheld && !has_reason)
            violation_rule(v, field, "REN-1",
                           "a section withheld from anyone says why (withheld_reason)");
        else if (!withheld && has_reason)
            violation_rule(v, field, "REN-1", "a section for everyone withholds nothing");
        bool for_agency = strcmp(audience, "agency") == 0;
        bool has_agency = json_is_string(json_object_get(x, "agency"));
        snprintf(field, sizeof field, "%s.agency", at);
        if (for_agency && !has_agency)
            violation_rule(v, field, "REN-1", "the agency the section is for");
        else if (!for_agency && has_agency)
            violation_rule(v, field, "REN-1", "only a section for one agency names an agency");
        if (strcmp(audience, "family_excluded_part") == 0 && !f->two_part) {
            snprintf(field, sizeof field, "%s.audience", at);
            violation_rule(v, field, "REN-1",
                           "this meeting was held in one part: the family was excluded from "
                           "no part of it");
        }
    }
}

/* --- MIN-6: a strategy discussion's considerations, each with its outcome --- */

static bool is_one_of(const char *s, const char *const *values)
{
    for (; s && *values; values++)
        if (strcmp(*values, s) == 0)
            return true;
    return false;
}

static bool among_the_risks(json_t *content, const char *category)
{
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(content, "risk_categories"), i, x)
        if (json_is_string(x) && strcmp(json_string_value(x), category) == 0)
            return true;
    return false;
}

/* Every child of the meeting (the children it is about and the other
 * children of the household) discussed once, each with what was said. */
static void check_children_discussed(json_t *sc, const minutes_facts *f, violations *v)
{
    json_t *list = json_object_get(sc, "children_discussed");
    int n = f->n_children + f->n_other_children;
    bool seen_local[64];
    bool *seen = n <= 64 ? seen_local : calloc((size_t)n, sizeof *seen);
    if (!seen) {
        violation_rule(v, SC ".children_discussed", "MIN-6", "the children could not be compared");
        return;
    }
    if (seen == seen_local)
        memset(seen_local, 0, sizeof seen_local);
    size_t i;
    json_t *x;
    json_array_foreach(list, i, x) {
        char at[96], path[128];
        jin_index(at, sizeof at, SC, "children_discussed", i);
        jin_path(path, sizeof path, at, "child");
        const char *ref = json_string_value(json_object_get(x, "child"));
        bool other;
        int index;
        if (!has_text(x, "child") || !child_reference(ref, &other, &index)) {
            violation_rule(v, path, "MIN-6", "name the child: children[N] or other_children[N]");
        } else if (index >= (other ? f->n_other_children : f->n_children)) {
            violation_rule(v, path, "MIN-6", "%s names no child of the meeting", ref);
        } else {
            int k = other ? f->n_children + index : index;
            if (seen[k])
                violation_rule(v, path, "MIN-6", "%s is discussed in an entry already", ref);
            seen[k] = true;
        }
        need_text(v, x, at, "summary", "MIN-6", "what was said of the child");
    }
    for (int k = 0; k < n; k++)
        if (!seen[k])
            violation_rule(v, SC ".children_discussed", "MIN-6",
                           "%s[%d] was not discussed: every child in the household is",
                           k < f->n_children ? "children" : "other_children",
                           k < f->n_children ? k : k - f->n_children);
    if (seen != seen_local)
        free(seen);
}

/* A consideration's outcome, and who and by when where something is to be
 * done. Returns its outcome when it is one the consideration records. */
static const char *check_consideration(json_t *sc, const char *name,
                                       const char *const *outcomes, const char *what,
                                       violations *v)
{
    char at[96];
    jin_path(at, sizeof at, SC, name);
    json_t *c = json_object_get(sc, name);
    const char *outcome = json_string_value(json_object_get(c, "outcome"));
    if (!is_one_of(outcome, outcomes)) {
        char path[128];
        jin_path(path, sizeof path, at, "outcome");
        violation_rule(v, path, "MIN-6", "record the outcome of considering %s", what);
        return NULL;
    }
    if (strcmp(outcome, "to_be_done") == 0) {
        need_person(v, c, at, "by", "MIN-6", "who does it");
        need_text(v, c, at, "due_date", "MIN-6", "by when");
    }
    return outcome;
}

static void check_strategy_considerations(json_t *content, const minutes_facts *f,
                                          violations *v)
{
    json_t *risks = json_object_get(content, "risk_categories");
    if (!json_is_array(risks) || json_array_size(risks) == 0)
        violation_rule(v, "risk_categories", "MIN-6",
                       "the categories of risk discussed (domestic abuse among them adds its "
                       "considerations)");
    json_t *sc = json_object_get(content, SC);
    check_children_discussed(sc, f, v);

    check_consideration(sc, "non_resident_parents", outcomes_parents, "non-resident parents", v);

    const char *voice = check_consideration(sc, "voice_of_child_and_family", outcomes_voice,
                                            "the voice of the child and family", v);
    if (voice && strcmp(voice, "done") == 0)
        need_text(v, json_object_get(sc, "voice_of_child_and_family"),
                  SC ".voice_of_child_and_family", "family", "MIN-6",
                  "what the child and family say");

    const char *safety = check_consideration(sc, "safety_measures", outcomes_safety,
                                             "safety measures", v);
    if (safety && strcmp(safety, "required") == 0) {
        json_t *c = json_object_get(sc, "safety_measures");
        const char *at = SC ".safety_measures";
        need_text(v, c, at, "measures", "MIN-6", "the safety measures");
        json_t *involved = json_object_get(c, "involved");
        if (!json_is_array(involved) || json_array_size(involved) == 0)
            violation_rule(v, SC ".safety_measures.involved", "MIN-6",
                           "who is involved in the safety measures");
        size_t i;
        json_t *x;
        json_array_foreach(involved, i, x) {
            char item[128];
            jin_index(item, sizeof item, at, "involved", i);
            bool name = has_text(x, "name"), agency = has_text(x, "agency");
            if (!name || !agency)
                violation_rule(v, item, "MIN-6", "%s", !name && !agency ? "name them, with their agency"
                                                      : !name       ? "give their name"
                                                                    : "give their agency");
        }
        need_text(v, c, at, "review_date", "MIN-6", "when the safety measures are reviewed");
    }

    check_consideration(sc, "child_protection_medical", outcomes_done,
                        "a child protection medical", v);
    check_consideration(sc, "sarc_referral", outcomes_done, "a SARC referral", v);

    const char *criminal = check_consideration(sc, "criminal_proceedings", outcomes_criminal,
                                               "whether there are grounds for criminal "
                                               "proceedings", v);
    json_t *cp = json_object_get(sc, "criminal_proceedings");
    json_t *sharing = json_object_get(cp, "family_sharing");
    const char *fs = SC ".criminal_proceedings.family_sharing";
    need_text(v, sharing, fs, "can_share", "MIN-6", "what can be shared with the family");
    need_text(v, sharing, fs, "cannot_share", "MIN-6", "what cannot be shared with the family");
    if (criminal && strcmp(criminal, "investigation_continuing") == 0) {
        need_person(v, cp, SC ".criminal_proceedings", "by", "MIN-6",
                    "who decides on proceedings");
        need_text(v, cp, SC ".criminal_proceedings", "due_date", "MIN-6", "by when");
    }

    check_consideration(sc, "abe_interview", outcomes_done, "a joint (ABE) interview", v);

    json_t *po = json_object_get(sc, "protective_orders");
    if (po && !json_is_null(po))
        check_consideration(sc, "protective_orders", outcomes_done, "protective orders", v);

    if (!among_the_risks(content, "domestic_abuse"))
        return;
    check_consideration(sc, "marac_referral", outcomes_done, "a MARAC referral", v);
    const char *dash = check_consideration(sc, "dash_risk_assessment", outcomes_done,
                                           "a DASH risk assessment", v);
    if (dash && strcmp(dash, "done") == 0)
        need_person(v, json_object_get(sc, "dash_risk_assessment"),
                    SC ".dash_risk_assessment", "by", "MIN-6", "who completed it");
    check_consideration(sc, "clares_law", outcomes_done, "Clare's Law", v);
    json_t *cv = json_object_get(sc, "children_as_victims");
    json_t *recognised = json_object_get(cv, "recognised");
    if (!json_is_true(recognised))
        violation_rule(v, SC ".children_as_victims.recognised", "MIN-6",
                       json_is_false(recognised)
                           ? "children affected by domestic abuse are victims in their own "
                             "right, whether or not present during incidents"
                           : "record that the children are recognised as victims in their "
                             "own right");
    need_text(v, cv, SC ".children_as_victims", "support", "MIN-6",
              "the support for the children as victims");
}

void minutes_check_complete(json_t *content, const minutes_facts *f, violations *v)
{
    bool strategy = f->meeting_type && strcmp(f->meeting_type, "strategy_discussion") == 0;
    check_attendance(content, f, v);
    need_text(v, content, "", "purpose", "MIN-2", "the purpose of the meeting");
    check_childs_views(content, v);
    check_parts(content, f, v);
    check_sections(content, f, v);
    need_text(v, content, "", "needs", "MIN-2", "the needs identified");
    need_text(v, content, "", "strengths", "MIN-2", "the strengths identified");
    need_text(v, content, "", "risks", "MIN-2", "the risks identified");
    need_text(v, content, "", "decisions", "MIN-2", "the decisions made");
    check_actions(content, v);
    need_person(v, content, "", "plan_coordinator", "MIN-2", "who coordinates the plan");
    json_t *info = json_object_get(content, "information_sharing");
    need_text(v, info, "information_sharing", "with_whom", "MIN-2",
              "with whom information is shared");
    need_text(v, info, "information_sharing", "family", "MIN-2",
              "what goes to the family, or why not");
    check_family(content, f, strategy, v);
    json_t *referral = need_flag(v, content, "safeguarding_referral", "needed", "MIN-2",
                                 "say whether a safeguarding referral is needed");
    if (referral && json_is_true(json_object_get(referral, "needed"))) {
        need_person(v, referral, "safeguarding_referral", "by", "MIN-2", "who makes the referral");
        need_text(v, referral, "safeguarding_referral", "how", "MIN-2", "how it is made");
    }
    need_flag(v, content, "caf_considered", "considered", "MIN-2",
              "say whether a Common Assessment Framework was considered");
    need_flag(v, content, "fgc_considered", "considered", "MIN-2",
              "say whether a Family Group Conference was considered");
    check_further_assessment(content, v);
    json_t *next = json_object_get(content, "next_review");
    if (!has_text(next, "date") && !has_text(next, "no_review_reason"))
        violation_rule(v, "next_review.date", "MIN-2",
                       "give the next review date, or why there is none (no_review_reason)");
    if (!strategy)
        return;
    need_text(v, content, "", "risk_analysis", "MIN-2", "the analysis of risk");
    need_flag(v, content, "legal_action", "required", "MIN-2", "say whether legal action is required");
    need_flag(v, content, "further_strategy_discussion", "required", "MIN-2",
              "say whether a further strategy discussion is required");
    json_t *lado = need_flag(v, content, "lado_referral", "required", "MIN-2",
                             "say whether a LADO referral is required");
    if (lado && json_is_true(json_object_get(lado, "required")))
        need_person(v, lado, "lado_referral", "by", "MIN-2", "who makes the LADO referral");
    check_strategy_considerations(content, f, v);
}

void minutes_check_review(json_t *content, const char *const *open_action_ids, int n_open,
                          const char *const *reviewed_ids, int n_reviewed, violations *v)
{
    json_t *outcomes = json_object_get(content, "previous_actions");
    size_t i;
    json_t *o;
    json_array_foreach(outcomes, i, o) {
        char at[48];
        jin_index(at, sizeof at, "", "previous_actions", i);
        const char *id = json_string_value(json_object_get(o, "action_id"));
        bool known = false;
        for (int k = 0; id && k < n_open; k++)
            known |= strcmp(open_action_ids[k], id) == 0;
        for (int k = 0; id && k < n_reviewed; k++)
            known |= strcmp(reviewed_ids[k], id) == 0;
        if (!known) {
            char path[64];
            jin_path(path, sizeof path, at, "action_id");
            violation_rule(v, path, "MTG-9", "not an open action of the previous meeting");
        }
        const char *outcome = json_string_value(json_object_get(o, "outcome"));
        bool known_outcome = false;
        for (const char *const *k = review_outcomes; outcome && *k; k++)
            known_outcome |= strcmp(*k, outcome) == 0;
        if (!known_outcome) {
            char path[64];
            jin_path(path, sizeof path, at, "outcome");
            violation_rule(v, path, "MTG-9",
                           "record the review outcome: completed, carried_forward or no_longer_needed");
        } else if (strcmp(outcome, "carried_forward") != 0 && !has_text(o, "note")) {
            char path[64];
            jin_path(path, sizeof path, at, "note");
            violation_rule(v, path, "ACT-1", "completing or closing an action needs a note");
        }
        for (size_t j = 0; j < i; j++) {
            const char *other = json_string_value(json_object_get(json_array_get(outcomes, j),
                                                                  "action_id"));
            if (id && other && strcmp(id, other) == 0)
                violation_rule(v, at, "MTG-9", "the action already has an outcome");
        }
    }
    for (int k = 0; k < n_open; k++) {
        bool reviewed = false;
        json_array_foreach(outcomes, i, o) {
            const char *id = json_string_value(json_object_get(o, "action_id"));
            reviewed |= id && strcmp(id, open_action_ids[k]) == 0;
        }
        if (!reviewed)
            violation_rule(v, "previous_actions", "MTG-9",
                           "action %s from the previous meeting has no review outcome",
                           open_action_ids[k]);
    }
}

/* --- the family's copy (MIN-5) --- */

/* The member as a string, or null: the copy carries text only. */
static json_t *text_of(json_t *obj, const char *key)
{
    json_t *j = json_object_get(obj, key);
    return json_is_string(j) ? json_string(json_string_value(j)) : json_null();
}

static json_t *copy_actions(json_t *content)
{
    json_t *out = json_array();
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(content, "actions"), i, a) {
        if (!json_is_object(a))
            continue;
        json_t *owner = json_object_get(a, "owner");
        json_array_append_new(out, json_pack("{s:o, s:{s:o, s:o}, s:o}", "description",
                                             text_of(a, "description"), "owner", "name",
                                             text_of(owner, "name"), "agency",
                                             text_of(owner, "agency"), "due_date",
                                             text_of(a, "due_date")));
    }
    return out;
}

json_t *minutes_family_copy(json_t *content, const family_copy_facts *f)
{
    bool strategy = f->type && strcmp(f->type, "strategy_discussion") == 0;
    json_t *copy = json_pack("{s:s, s:s?, s:s, s:s?, s:i, s:s?, s:b}", "meeting_id",
                             f->meeting_id, "reference", f->reference, "type", f->type,
                             "held_at", f->held_at, "minutes_number", f->number, "approved_at",
                             f->approved_at, "two_part", f->two_part);
    json_t *part_2 = json_object_get(content, "part_2");
    json_object_set_new(copy, "purpose", strategy ? json_null() : text_of(content, "purpose"));
    json_object_set_new(copy, "part_2",
                        f->two_part ? json_pack("{s:o}", "discussion",
                                                text_of(part_2, "discussion"))
                                    : json_null());
    /* in a two-part meeting, the needs, strengths and risks may be what the
     * professionals said alone: only part 2 goes to the family */
    json_object_set_new(copy, "discussion",
                        strategy || f->two_part
                            ? json_null()
                            : json_pack("{s:o, s:o, s:o}", "needs", text_of(content, "needs"),
                                        "strengths", text_of(content, "strengths"), "risks",
                                        text_of(content, "risks")));
    json_t *next = json_object_get(content, "next_review");
    json_object_set_new(copy, "outcome",
                        strategy ? json_null()
                                 : json_pack("{s:o, s:o, s:{s:o, s:o}}", "decisions",
                                             text_of(content, "decisions"), "actions",
                                             copy_actions(content), "next_review", "date",
                                             text_of(next, "date"), "no_review_reason",
                                             text_of(next, "no_review_reason")));
    json_object_set_new(copy, "shared",
                        strategy ? text_of(json_object_get(content, "shared_with_family"),
                                           "shared")
                                 : json_null());
    return copy;
}

bool minutes_referral_needed(json_t *content)
{
    return json_is_true(json_object_get(json_object_get(content, "safeguarding_referral"),
                                        "needed"));
}

cal_day minutes_referral_due(cal_day held_on, int working_days, const holidays *h)
{
    return cal_add_working_days(held_on, working_days, h);
}

const char *minutes_copy_for(const char *recipient_category)
{
    return recipient_category && strcmp(recipient_category, "family") == 0 ? "family" : "full";
}

bool minutes_may_write(const caller *who, const char *chair_sub, const char *minute_taker_sub)
{
    return (chair_sub && strcmp(who->sub, chair_sub) == 0) ||
           (minute_taker_sub && strcmp(who->sub, minute_taker_sub) == 0);
}

bool minutes_may_approve(const caller *who, const char *chair_sub)
{
    return chair_sub && strcmp(who->sub, chair_sub) == 0;
}

bool action_may_change(const caller *who, const char *owner_sub, const char *owner_agency,
                       const char *chair_sub)
{
    if (owner_sub && strcmp(who->sub, owner_sub) == 0)
        return true;
    if (chair_sub && strcmp(who->sub, chair_sub) == 0)
        return true;
    return caller_has_any(who, ROLES_MANAGERS) && strcmp(who->agency, owner_agency) == 0;
}
