#include "domain/rendition.h"

#include <stdio.h>
#include <string.h>

#include "domain/json_in.h"

const char *const rendition_audiences[] = {"parent_or_carer", "child", "agency",
                                           "public_summary", NULL};

const state_gate minutes_gate_rendition = {
    "REN-2", "A rendition is made of approved minutes; approve this version first.",
    {"approved"}};

void rendition_parse(json_t *body, rendition_in *in, violations *v)
{
    static const char *const fields[] = {"audience", "agency", "withheld_summary", NULL};
    memset(in, 0, sizeof *in);
    if (!json_is_object(body)) {
        violation_schema(v, "", "the body must be an object");
        return;
    }
    jin_only_keys(v, body, "", fields, NULL);
    in->audience = jin_enum(v, body, "", "audience", rendition_audiences, true, NULL);
    in->agency = jin_string(v, body, "", "agency", CALLER_AGENCY_MAX, false, NULL);
    in->withheld_summary =
        jin_string(v, body, "", "withheld_summary", RENDITION_SUMMARY_MAX, false, NULL);
    if (!in->audience)
        return;
    bool for_agency = strcmp(in->audience, "agency") == 0;
    if (for_agency && !in->agency)
        violation_rule(v, "agency", "REN-2", "the agency this rendition is for");
    else if (!for_agency && in->agency)
        violation_rule(v, "agency", "REN-2", "only a rendition for an agency names one");
}

bool rendition_for_family(const char *audience)
{
    return audience &&
           (strcmp(audience, "parent_or_carer") == 0 || strcmp(audience, "child") == 0);
}

static void withhold(json_t *withheld, const char *part, const char *reason)
{
    json_array_append_new(withheld, json_pack("{s:s, s:s?}", "part", part, "reason", reason));
}

/* The sections this audience receives (heading and text, or whole for an
 * agency), each other one added to withheld by where it was and why. */
static json_t *sections_for(json_t *content, const rendition_in *in, json_t *withheld)
{
    json_t *out = json_array();
    bool agency = strcmp(in->audience, "agency") == 0;
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(content, "sections"), i, x) {
        const char *audience = json_string_value(json_object_get(x, "audience"));
        const char *reason = json_string_value(json_object_get(x, "withheld_reason"));
        bool everyone = audience && strcmp(audience, "everyone") == 0;
        bool shown;
        const char *for_agency = json_string_value(json_object_get(x, "agency"));
        if (agency) /* professionals see all but what is kept for another agency */
            shown = !audience || strcmp(audience, "agency") != 0 ||
                    (for_agency && in->agency && strcmp(for_agency, in->agency) == 0);
        else
            shown = everyone;
        if (shown) {
            json_array_append_new(out, agency ? json_deep_copy(x)
                                              : json_pack("{s:O?, s:O?}", "heading",
                                                          json_object_get(x, "heading"), "text",
                                                          json_object_get(x, "text")));
            continue;
        }
        char part[32];
        snprintf(part, sizeof part, "sections[%zu]", i);
        /* approval makes every withheld section say why (REN-1) */
        withhold(withheld, part, reason);
    }
    return out;
}

json_t *rendition_build(json_t *content, const family_copy_facts *f, const rendition_in *in,
                        json_t **withheld)
{
    *withheld = json_array();
    json_t *doc;
    if (rendition_for_family(in->audience)) {
        /* MIN-5: the family's copy, never part 1, with what is for everyone */
        doc = minutes_family_copy(content, f);
        if (f->two_part)
            withhold(*withheld, "part_1", "family_excluded_part");
        json_object_set_new(doc, "sections", sections_for(content, in, *withheld));
    } else if (strcmp(in->audience, "agency") == 0) {
        doc = json_pack("{s:s, s:s?, s:s, s:s?, s:i, s:s?, s:b}", "meeting_id", f->meeting_id,
                        "reference", f->reference, "type", f->type, "held_at", f->held_at,
                        "minutes_number", f->number, "approved_at", f->approved_at, "two_part",
                        f->two_part);
        json_t *record = json_deep_copy(content);
        json_object_set_new(record, "sections", sections_for(content, in, *withheld));
        json_object_set_new(doc, "record", record);
    } else {
        /* a public summary names no one and says nothing of the case: the
         * kind of meeting, when, and how much was agreed */
        json_t *next = json_object_get(content, "next_review");
        doc = json_pack("{s:s, s:s?, s:i, s:s?, s:i, s:b}", "type", f->type, "held_at",
                        f->held_at, "minutes_number", f->number, "approved_at", f->approved_at,
                        "actions_agreed", (int)json_array_size(json_object_get(content, "actions")),
                        "review_set", json_is_string(json_object_get(next, "date")));
        if (f->two_part)
            withhold(*withheld, "part_1", "family_excluded_part");
        json_t *none = sections_for(content, &(rendition_in){.audience = "public_summary"},
                                    *withheld);
        json_decref(none);
    }
    json_object_set_new(doc, "audience", json_string(in->audience));
    return doc;
}

void rendition_check(const rendition_in *in, json_t *withheld, violations *v)
{
    if (json_array_size(withheld) > 0 && !in->withheld_summary)
        violation_rule(v, "withheld_summary", "REN-2",
                       "material is withheld from this audience: give a fair summary of what "
                       "and why, without its content");
}

bool rendition_may_approve(const caller *who, const char *chair_sub)
{
    return minutes_may_approve(who, chair_sub);
}

void rendition_check_recipients(const char *audience, const char *agency, json_t *recipients,
                                bool family_share, violations *v)
{
    bool family_audience = rendition_for_family(audience);
    bool agency_audience = strcmp(audience, "agency") == 0;
    size_t i;
    json_t *x;
    json_array_foreach(recipients, i, x) {
        const char *category = json_string_value(json_object_get(x, "category"));
        const char *to_agency = json_string_value(json_object_get(x, "agency"));
        if (!category)
            continue; /* reported by the shape */
        bool family = strcmp(category, "family") == 0;
        char at[48];
        snprintf(at, sizeof at, "recipients[%zu].category", i);
        if (family_audience && !family)
            violation_rule(v, at, "REN-2", "a rendition for the family goes to the family");
        else if (family && !family_audience && !(strcmp(audience, "public_summary") == 0))
            violation_rule(v, at, "REN-2",
                           "the family receives their own rendition, never the full record");
        else if (family && !family_share)
            violation_rule(v, at, "FAM-5",
                           "the family receives the minutes only where the sharing decision "
                           "says share");
        if (agency_audience && (!family && (!to_agency || strcmp(to_agency, agency) != 0))) {
            snprintf(at, sizeof at, "recipients[%zu].agency", i);
            violation_rule(v, at, "REN-2", "this rendition is for agency %s only", agency);
        }
    }
}
