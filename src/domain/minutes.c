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

void minutes_check_shape(json_t *content, violations *v)
{
    static const char *const fields[] = {
        "attendance", "purpose", "childs_views", "part_1", "part_2", "needs", "strengths",
        "risks", "decisions",
        "actions", "plan_coordinator", "information_sharing", "family_feedback",
        "safeguarding_referral", "caf_considered", "fgc_considered", "further_assessment",
        "next_review", "risk_analysis", "legal_action", "further_strategy_discussion",
        "lado_referral", "shared_with_family", "previous_actions", NULL};
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
    flag_shape(v, content, "", "lado_referral", "required", lado);
    json_t *sw = jin_object(v, content, "", "shared_with_family", false, NULL);
    if (sw) {
        jin_only_keys(v, sw, "shared_with_family", shared, NULL);
        for (const char *const *f = shared; *f; f++)
            jin_string(v, sw, "shared_with_family", *f, MINUTES_SHORT_MAX, false, NULL);
    }
    objects_shape(v, content, "previous_actions", MINUTES_MAX_ACTIONS, outcome_shape);
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

void minutes_check_complete(json_t *content, const minutes_facts *f, violations *v)
{
    bool strategy = f->meeting_type && strcmp(f->meeting_type, "strategy_discussion") == 0;
    check_attendance(content, f, v);
    need_text(v, content, "", "purpose", "MIN-2", "the purpose of the meeting");
    check_childs_views(content, v);
    check_parts(content, f, v);
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
