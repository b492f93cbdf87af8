/* The information-sharing ledger's rules (sharing.h). */
#include "domain/sharing.h"

#include <string.h>

#include "core/text.h"
#include "domain/json_in.h"

const char *const sharing_kinds[] = {"disclosure", "refusal", NULL};
const char *const sharing_lawful_bases[] = {"consent", "public_task", "legal_obligation",
                                            "vital_interests", "safeguarding_condition", NULL};
const char *const sharing_manual_channels[] = {"verbal", "written", NULL};
const char *const sharing_channels[] = {"minutes_distribution", "family_copy", "paper",
                                        "verbal", "written", "rendition",
                                        "outcome_letter", NULL};
const char *const sharing_recipient_categories[] = {"professional", "family", "other", NULL};

void sharing_parse(json_t *doc, sharing_in *in, violations *v)
{
    static const char *const fields[] = {"child_id", "meeting_id", "kind",          "channel",
                                         "what",     "to",         "at",            "purpose",
                                         "lawful_basis", "views",  "onward_limit",
                                         "refusal_reason", NULL};
    static const char *const read_only[] = {"id", "from_agency", "decided_by", "recorded_at",
                                            NULL};
    static const char *const to_fields[] = {"name", "agency", "category", NULL};
    static const char *const views_fields[] = {"child_sought", "parents_sought", "why_not", NULL};
    memset(in, 0, sizeof *in);
    in->child_views_sought = in->parents_views_sought = -1;
    jin_only_keys(v, doc, "", fields, read_only);
    in->child_id = jin_string(v, doc, "", "child_id", 36, true, "ISL-1");
    if (in->child_id && !text_is_uuid(in->child_id)) {
        violation_schema(v, "child_id", "'child_id' must be a UUID");
        in->child_id = NULL;
    }
    in->meeting_id = jin_string(v, doc, "", "meeting_id", 36, false, NULL);
    if (in->meeting_id && !text_is_uuid(in->meeting_id)) {
        violation_schema(v, "meeting_id", "'meeting_id' must be a UUID");
        in->meeting_id = NULL;
    }
    in->kind = jin_enum(v, doc, "", "kind", sharing_kinds, true, "ISL-1");
    in->channel = jin_enum(v, doc, "", "channel", sharing_manual_channels, true, "ISL-1");
    in->what = jin_string(v, doc, "", "what", SHARING_TEXT_MAX, true, "ISL-1");
    json_t *to = jin_object(v, doc, "", "to", true, "ISL-1");
    if (to) {
        jin_only_keys(v, to, "to", to_fields, NULL);
        in->to_name = jin_string(v, to, "to", "name", 200, true, "ISL-1");
        in->to_agency = jin_string(v, to, "to", "agency", 32, false, NULL);
        in->to_category = jin_enum(v, to, "to", "category", sharing_recipient_categories, true,
                                   "ISL-1");
        if (in->to_category && strcmp(in->to_category, "professional") == 0 && !in->to_agency)
            violation_rule(v, "to.agency", "ISL-1", "a professional recipient is of an agency");
    }
    in->at = jin_string(v, doc, "", "at", 40, false, NULL);
    if (in->at && !text_is_timestamp(in->at)) {
        violation_schema(v, "at", "'at' must be an RFC 3339 timestamp");
        in->at = NULL;
    }
    in->purpose = jin_string(v, doc, "", "purpose", SHARING_TEXT_MAX, true, "ISL-1");
    in->lawful_basis = jin_enum(v, doc, "", "lawful_basis", sharing_lawful_bases, false, "ISL-1");
    bool refusal = in->kind && strcmp(in->kind, "refusal") == 0;
    if (!in->lawful_basis && in->kind && !refusal && !violations_has(v, NULL, "lawful_basis"))
        violation_rule(v, "lawful_basis", "ISL-1", "a disclosure names its lawful basis");
    json_t *views = jin_object(v, doc, "", "views", true, "ISL-1");
    if (views) {
        jin_only_keys(v, views, "views", views_fields, NULL);
        in->child_views_sought = jin_bool(v, views, "views", "child_sought");
        in->parents_views_sought = jin_bool(v, views, "views", "parents_sought");
        in->views_not_sought_reason =
            jin_string(v, views, "views", "why_not", SHARING_TEXT_MAX, false, NULL);
        if (in->child_views_sought < 0 && !violations_has(v, NULL, "views.child_sought"))
            violation_rule(v, "views.child_sought", "ISL-1",
                           "say whether the child's views were sought");
        if (in->parents_views_sought < 0 && !violations_has(v, NULL, "views.parents_sought"))
            violation_rule(v, "views.parents_sought", "ISL-1",
                           "say whether the parents' views were sought");
        if ((in->child_views_sought == 0 || in->parents_views_sought == 0) &&
            !in->views_not_sought_reason)
            violation_rule(v, "views.why_not", "ISL-1",
                           "views not sought: say why (for example, it would put the child at risk)");
    }
    in->onward_limit = jin_string(v, doc, "", "onward_limit", SHARING_TEXT_MAX, false, NULL);
    in->refusal_reason = jin_string(v, doc, "", "refusal_reason", SHARING_TEXT_MAX, false, NULL);
    if (refusal && !in->refusal_reason)
        violation_rule(v, "refusal_reason", "ISL-3", "a refusal to share records its reason");
    if (in->kind && !refusal && in->refusal_reason)
        violation_rule(v, "refusal_reason", "ISL-1", "a disclosure has no refusal reason");
}
