#include "domain/meeting.h"

#include <string.h>

#include "core/text.h"
#include "domain/json_in.h"

const char *const meeting_types[] = {"stop_and_review", "professionals", "professionals_only",
                                     "strategy_discussion", "multi_agency", NULL};

const char *const meeting_statuses[] = {"requested", "authorised", "declined", "scheduled",
                                        "held",      "closed",     "cancelled", NULL};

const char *const meeting_criteria[] = {
    "drift_no_improved_outcomes",
    "information_sharing_inhibited_by_family_presence",
    "resolve_concerns_within_group",
    "needs_unmet_by_agency_resources",
    "professional_disagreement",
    "referral_response_disagreement",
    "phone_email_inadequate",
    "fabricated_or_induced_illness",
    "adult_hostility_or_non_compliance",
    "professional_safety",
    NULL};

const char *const agency_kinds[] = {"childrens_social_care", "police",    "health",
                                    "education",             "early_years", "probation",
                                    "youth_justice",         "housing",   "voluntary",
                                    "other",                 NULL};

#define STRATEGY_CRITERION "significant_harm_suspected"
#define REFUSED_CRITERION "protect_working_relationship"

const char *const meeting_patchable_fields[] = {"title",          "purpose",  "rationale",
                                                "criteria",       "children", "other_children",
                                                "no_other_children", "external_ref", NULL};

const char *const meeting_read_only_fields[] = {
    "id",        "reference",  "type",       "status",     "convening_agency", "requester",
    "decision",  "decisions", "cancellation", "version",  "created_at", "updated_at", "schedule",
    "family_notice", "held_at", "previous_open_actions", "minutes", "closed_at",
    "previous_meeting_id", "next_review_on", "review_overdue", NULL};

static const char *const request_fields[] = {"type",     "title",          "purpose",
                                             "rationale", "criteria",      "children",
                                             "other_children", "no_other_children",
                                             "external_ref", "previous_meeting_id", NULL};

static bool in_list(const char *const *list, const char *s)
{
    for (; *list; list++)
        if (strcmp(*list, s) == 0)
            return true;
    return false;
}

static void parse_ref(json_t *obj, const char *at, const char *key, external_ref *ref,
                      violations *v)
{
    static const char *const fields[] = {"system", "id", NULL};
    char path[128];
    jin_path(path, sizeof path, at, key);
    ref->system = ref->id = NULL;
    json_t *j = jin_object(v, obj, at, key, false, NULL);
    if (!j)
        return;
    jin_only_keys(v, j, path, fields, NULL);
    ref->system = jin_string(v, j, path, "system", EXTERNAL_PART_MAX, true, "INT-1");
    ref->id = jin_string(v, j, path, "id", EXTERNAL_PART_MAX, true, "INT-1");
}

static void parse_child(json_t *item, const char *at, child_in *c, bool subject, violations *v)
{
    static const char *const subject_fields[] = {"name",          "external_ref", "nhs_number",
                                                 "upn",           "date_of_birth", "unborn",
                                                 NULL};
    static const char *const other_fields[] = {"name", "external_ref", "date_of_birth",
                                               "unborn", "relationship", NULL};
    memset(c, 0, sizeof *c);
    c->unborn = -1;
    if (!json_is_object(item)) {
        violation_schema(v, at, "'%s' must be an object", at);
        return;
    }
    jin_only_keys(v, item, at, subject ? subject_fields : other_fields, NULL);
    c->name = jin_string(v, item, at, "name", PERSON_NAME_MAX, false, NULL);
    parse_ref(item, at, "external_ref", &c->ref, v);
    if (child_system_is_national(c->ref.system)) {
        char path[160];
        jin_path(path, sizeof path, at, "external_ref.system");
        violation_rule(v, path, "INT-1",
                       "nhs_number and upn are national identifiers: give them as the child's "
                       "nhs_number or upn, where their check is made");
    }
    if (subject) {
        char path[160];
        const char *nhs = jin_string(v, item, at, "nhs_number", 12, false, NULL);
        jin_path(path, sizeof path, at, "nhs_number");
        if (nhs && !child_nhs_number_parse(nhs, c->nhs_number))
            violation_rule(v, path, "INT-1",
                           "not an NHS number: ten digits (3-3-4 spacing allowed) whose last is "
                           "the modulus 11 check digit of the others");
        const char *upn = jin_string(v, item, at, "upn", 13, false, NULL);
        jin_path(path, sizeof path, at, "upn");
        if (upn && !child_upn_parse(upn, c->upn))
            violation_rule(v, path, "INT-1",
                           "not a Unique Pupil Number: a check letter, eleven digits and a digit or "
                           "letter, the check letter right for the rest");
    }
    c->date_of_birth = jin_string(v, item, at, "date_of_birth", 10, false, NULL);
    c->unborn = jin_bool(v, item, at, "unborn");
    if (!subject)
        c->relationship = jin_string(v, item, at, "relationship", 100, false, NULL);
}

static int parse_children(json_t *doc, const char *key, child_in *out, bool subject,
                          violations *v)
{
    json_t *list = jin_array(v, doc, "", key, MEETING_MAX_CHILDREN, subject, "MTG-1");
    if (!list)
        return 0;
    size_t i;
    json_t *item;
    json_array_foreach(list, i, item) {
        char at[128];
        jin_index(at, sizeof at, "", key, i);
        parse_child(item, at, &out[i], subject, v);
    }
    return (int)json_array_size(list);
}

void meeting_draft_parse(json_t *doc, meeting_draft *d, violations *v)
{
    memset(d, 0, sizeof *d);
    jin_only_keys(v, doc, "", request_fields, meeting_read_only_fields);
    d->type = jin_string(v, doc, "", "type", 64, true, "MTG-1");
    d->title = jin_string(v, doc, "", "title", MEETING_TITLE_MAX, true, "MTG-1");
    d->purpose = jin_string(v, doc, "", "purpose", MEETING_TEXT_MAX, true, "MTG-1");
    d->rationale = jin_string(v, doc, "", "rationale", MEETING_TEXT_MAX, true, "MTG-1");

    json_t *criteria = jin_array(v, doc, "", "criteria", MEETING_MAX_CRITERIA, true, "MTG-1");
    if (criteria) {
        size_t i;
        json_t *c;
        json_array_foreach(criteria, i, c) {
            char path[64];
            jin_index(path, sizeof path, "", "criteria", i);
            if (!json_is_string(c) || json_string_length(c) > 64 ||
                strlen(json_string_value(c)) != json_string_length(c))
                violation_schema(v, path, "'%s' must be a criterion name", path);
            else
                d->criteria[d->n_criteria++] = json_string_value(c);
        }
    }
    d->n_children = parse_children(doc, "children", d->children, true, v);
    d->n_other_children = parse_children(doc, "other_children", d->other_children, false, v);
    d->no_other_children = jin_bool(v, doc, "", "no_other_children");
    parse_ref(doc, "", "external_ref", &d->ref, v);
    d->previous_meeting_id = jin_string(v, doc, "", "previous_meeting_id", 36, false, NULL);
    if (d->previous_meeting_id && !text_is_uuid(d->previous_meeting_id)) {
        violation_schema(v, "previous_meeting_id", "'previous_meeting_id' must be a UUID");
        d->previous_meeting_id = NULL;
    }
}

static void check_criteria(const meeting_draft *d, violations *v)
{
    bool strategy = d->type && strcmp(d->type, "strategy_discussion") == 0;
    bool has_harm = false;
    for (int i = 0; i < d->n_criteria; i++) {
        const char *c = d->criteria[i];
        char path[64];
        jin_index(path, sizeof path, "", "criteria", (size_t)i);
        for (int k = 0; k < i; k++)
            if (strcmp(d->criteria[k], c) == 0)
                violation_rule(v, path, "MTG-1", "criterion '%s' is listed twice", c);
        if (strcmp(c, REFUSED_CRITERION) == 0) {
            violation_rule(v, path, "MTG-3",
                           "protecting the working relationship with the family is not an "
                           "acceptable reason to meet without them");
        } else if (strcmp(c, STRATEGY_CRITERION) == 0) {
            has_harm = true;
            if (d->type && !strategy)
                violation_rule(v, path, "MTG-2",
                               "'significant_harm_suspected' calls for a strategy discussion");
        } else if (!in_list(meeting_criteria, c)) {
            violation_rule(v, path, "MTG-1", "'%.64s' is not a convening criterion", c);
        } else if (strategy) {
            violation_rule(v, path, "MTG-2",
                           "a strategy discussion is convened on 'significant_harm_suspected'");
        }
    }
    if (d->n_criteria == 0 && !violations_has(v, "MTG-1", "criteria") &&
        !violations_has(v, NULL, "criteria"))
        violation_rule(v, "criteria", "MTG-1", "at least one convening criterion is required");
    if (strategy && !has_harm && d->n_criteria > 0)
        violation_rule(v, "criteria", "MTG-2",
                       "a strategy discussion needs the criterion 'significant_harm_suspected'");
}

static void check_child(const child_in *c, const char *at, bool subject, const char *today,
                        violations *v)
{
    char path[128];
    if (!c->name && !c->ref.system)
        violation_rule(v, at, "MTG-5", "each child needs a name or an external reference");
    jin_path(path, sizeof path, at, "date_of_birth");
    if (c->date_of_birth && !text_is_date(c->date_of_birth))
        violation_rule(v, path, "MTG-5", "'%s' must be a date (YYYY-MM-DD)", path);
    else if (c->date_of_birth && strcmp(c->date_of_birth, today) > 0)
        violation_rule(v, path, "MTG-5", "a date of birth cannot be in the future");
    if (c->unborn == 1 && c->date_of_birth)
        violation_rule(v, at, "MTG-5", "an unborn child has no date of birth yet");
    if (subject && !c->date_of_birth && c->unborn != 1)
        violation_rule(v, at, "MTG-5", "each child needs a date of birth or unborn: true");
}

void meeting_check_draft(const meeting_draft *d, const char *today, violations *v)
{
    if (d->type && !in_list(meeting_types, d->type))
        violation_rule(v, "type", "MTG-1", "'%.64s' is not a meeting type", d->type);
    check_criteria(d, v);
    if (d->n_children == 0 && !violations_has(v, "MTG-1", "children") &&
        !violations_has(v, NULL, "children"))
        violation_rule(v, "children", "MTG-1", "a meeting is about at least one child");
    for (int i = 0; i < d->n_children; i++) {
        char at[64];
        jin_index(at, sizeof at, "", "children", (size_t)i);
        check_child(&d->children[i], at, true, today, v);
    }
    for (int i = 0; i < d->n_other_children; i++) {
        char at[64];
        jin_index(at, sizeof at, "", "other_children", (size_t)i);
        check_child(&d->other_children[i], at, false, today, v);
    }
    if (d->no_other_children == 1 && d->n_other_children > 0)
        violation_rule(v, "no_other_children", "MTG-5",
                       "'no_other_children' contradicts the other children listed");
    else if (d->no_other_children != 1 && d->n_other_children == 0)
        violation_rule(v, "other_children", "MTG-5",
                       "state the other children in the household, or no_other_children: true");
}

void meeting_check_requester(const char *type, const char *agency_kind, violations *v)
{
    if (type && strcmp(type, "strategy_discussion") == 0 &&
        (!agency_kind || strcmp(agency_kind, "childrens_social_care") != 0))
        violation_rule(v, "type", "MTG-2",
                       "a strategy discussion is requested by children's social care");
}

enum decide_check meeting_can_decide(const char *type, const char *convening_agency,
                                     const char *requester_sub, const caller *who)
{
    bool stop_and_review = type && strcmp(type, "stop_and_review") == 0;
    unsigned deciders = ROLES_MANAGERS | (stop_and_review ? ROLE_SAFEGUARDING_LEAD : 0u);
    if (!caller_has_any(who, deciders))
        return DECIDE_NOT_MANAGER;
    if (strcmp(who->agency, convening_agency) != 0)
        return DECIDE_OTHER_AGENCY;
    if (strcmp(who->sub, requester_sub) == 0)
        return DECIDE_OWN_REQUEST;
    return DECIDE_OK;
}

/* Two optional strings are the same, leading and trailing blanks aside (the
 * database keeps children's names trimmed). */
static bool same_text(const char *a, const char *b)
{
    if (!a || !b)
        return !a && !b;
    while (*a == ' ')
        a++;
    while (*b == ' ')
        b++;
    size_t na = strlen(a), nb = strlen(b);
    while (na && a[na - 1] == ' ')
        na--;
    while (nb && b[nb - 1] == ' ')
        nb--;
    return na == nb && memcmp(a, b, na) == 0;
}

static bool same_criteria(const meeting_draft *a, const meeting_draft *b)
{
    for (int i = 0; i < a->n_criteria; i++) {
        bool found = false;
        for (int k = 0; k < b->n_criteria && !found; k++)
            found = strcmp(a->criteria[i], b->criteria[k]) == 0;
        if (!found)
            return false;
    }
    for (int k = 0; k < b->n_criteria; k++) {
        bool found = false;
        for (int i = 0; i < a->n_criteria && !found; i++)
            found = strcmp(a->criteria[i], b->criteria[k]) == 0;
        if (!found)
            return false;
    }
    return true;
}

static bool same_children(const meeting_draft *a, const meeting_draft *b)
{
    if (a->n_children != b->n_children)
        return false;
    for (int i = 0; i < a->n_children; i++) {
        const child_in *x = &a->children[i], *y = &b->children[i];
        if (!same_text(x->name, y->name) || !same_text(x->ref.system, y->ref.system) ||
            !same_text(x->ref.id, y->ref.id) || strcmp(x->nhs_number, y->nhs_number) != 0 ||
            strcmp(x->upn, y->upn) != 0 || !same_text(x->date_of_birth, y->date_of_birth) ||
            (x->unborn == 1) != (y->unborn == 1))
            return false;
    }
    return true;
}

int meeting_authorised_parts_changed(const meeting_draft *before, const meeting_draft *after,
                                     const char *changed[MEETING_AUTHORISED_PARTS])
{
    int n = 0;
    if (!same_text(before->type, after->type))
        changed[n++] = "type";
    if (!same_text(before->purpose, after->purpose))
        changed[n++] = "purpose";
    if (!same_text(before->rationale, after->rationale))
        changed[n++] = "rationale";
    if (!same_criteria(before, after))
        changed[n++] = "criteria";
    if (!same_children(before, after))
        changed[n++] = "children";
    return n;
}

bool meeting_chair_token_ok(const char *chair_role, const caller *who)
{
    unsigned role = chair_role ? role_from_name(chair_role) : 0u;
    return role != 0 && caller_has_any(who, role);
}

bool meeting_can_edit(const char *convening_agency, const char *requester_sub, const caller *who)
{
    if (strcmp(who->sub, requester_sub) == 0)
        return true;
    return caller_has_any(who, ROLES_MANAGERS) && strcmp(who->agency, convening_agency) == 0;
}

const state_gate meeting_gate_request_edits = {
    "MTG-8", "A meeting can be changed only while requested or authorised.",
    {"requested", "authorised"}};
const state_gate meeting_gate_invitations = {
    "MTG-8", "Invitations are sent for authorised or scheduled meetings.",
    {"authorised", "scheduled"}};
const state_gate meeting_gate_answers = {
    "MTG-8", "Invitations are answered before the meeting is held.", {"authorised", "scheduled"}};
const state_gate meeting_gate_papers = {
    "MTG-8", "Papers are shared in advance of the meeting.", {"authorised", "scheduled"}};
const state_gate meeting_gate_withdrawals = {
    "MTG-8", "Invitations are withdrawn before the meeting is held.", {"authorised", "scheduled"}};
const state_gate meeting_gate_rescheduling = {
    "MTG-8", "Only a scheduled meeting is rescheduled.", {"scheduled"}};
const state_gate meeting_gate_attendance = {
    "MTG-8", "Attendance is recorded for a scheduled meeting, before it is held.", {"scheduled"}};

const state_gate meeting_gate_family_notice = {
    "MTG-8", "The family-notice decision is made before the meeting is held.",
    {"requested", "authorised", "scheduled"}};
const state_gate meeting_gate_agreements = {
    "MTG-8", "Agreement is given before the meeting is held.",
    {"requested", "authorised", "scheduled"}};
const state_gate meeting_gate_minutes_sharing = {
    "MTG-8", "Sharing the minutes is decided once the meeting is held.", {"held", "closed"}};

void close_check(const close_facts *f, violations *v)
{
    if (!f->approved)
        violation_rule(v, "minutes", "MTG-8", "a meeting closes once its minutes are approved");
    if (!f->sharing)
        violation_rule(v, "minutes_sharing", "FAM-5",
                       "record whether the minutes are shared with the family, or withheld and "
                       "why");
    for (int i = 0; i < f->n_attending; i++) {
        bool sent = false;
        for (int k = 0; k < f->n_distributed && !sent; k++)
            sent = strcmp(f->attending[i], f->distributed[k]) == 0;
        if (!sent)
            violation_rule(v, "distribution", "MTG-8",
                           "the approved minutes are not yet recorded as sent to %s, which "
                           "attended or sent apologies",
                           f->attending[i]);
    }
    if (f->sharing && strcmp(f->sharing, "share") == 0 && !f->family_copy_sent)
        violation_rule(v, "distribution", "MTG-8",
                       "the family's copy is not yet recorded as sent, and the sharing decision "
                       "says share (FAM-5)");
}

bool meeting_transition_allowed(const char *from, const char *to)
{
    static const struct {
        const char *from, *to;
    } allowed[] = {
        {"requested", "authorised"}, {"requested", "declined"},  {"authorised", "scheduled"},
        {"scheduled", "held"},      {"held", "closed"},
        {"requested", "cancelled"},  {"authorised", "cancelled"}, {"scheduled", "cancelled"},
    };
    for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
        if (strcmp(allowed[i].from, from) == 0 && strcmp(allowed[i].to, to) == 0)
            return true;
    return false;
}
