/* A child's chronology (chronology.h). */
#include "domain/chronology.h"

#include <string.h>

#include "core/text.h"
#include "domain/json_in.h"

const char *const chronology_kinds[] = {
    "meeting_requested",       "meeting_authorised",   "meeting_declined",
    "meeting_scheduled",       "meeting_held",         "meeting_cancelled",
    "family_notice_decided",   "family_notice_agreement", "minutes_sharing_decided",
    "minutes_approved",        "minutes_distributed",
    "action_agreed",           "action_completed",     "action_cancelled",
    "escalation_raised",       "escalation_escalated", "escalation_resolved",
    "escalation_withdrawn",    "agency_entry",         NULL};

bool chronology_kind_known(const char *kind)
{
    for (const char *const *k = chronology_kinds; kind && *k; k++)
        if (strcmp(*k, kind) == 0)
            return true;
    return false;
}

const char *const chronology_entry_bases[] = {"fact", "opinion", NULL};

void chronology_entry_parse(json_t *doc, bool change, const char *today, chronology_entry_in *in,
                            violations *v)
{
    static const char *const fields[] = {"occurred_on",   "what_happened", "action_taken",
                                         "why_no_action", "basis",         NULL};
    static const char *const change_fields[] = {"occurred_on",   "what_happened", "action_taken",
                                                "why_no_action", "basis",         "reason",
                                                NULL};
    static const char *const read_only[] = {"id",     "child_id", "agency",   "author",
                                            "version", "versions", "created_at", NULL};
    memset(in, 0, sizeof *in);
    jin_only_keys(v, doc, "", change ? change_fields : fields, read_only);
    in->occurred_on = jin_string(v, doc, "", "occurred_on", 10, true, "CHR-2");
    in->what_happened = jin_string(v, doc, "", "what_happened", CHRONOLOGY_TEXT_MAX, true, "CHR-2");
    in->action_taken = jin_string(v, doc, "", "action_taken", CHRONOLOGY_TEXT_MAX, false, NULL);
    in->why_no_action = jin_string(v, doc, "", "why_no_action", CHRONOLOGY_TEXT_MAX, false, NULL);
    in->basis = jin_enum(v, doc, "", "basis", chronology_entry_bases, true, "CHR-2");
    if (change)
        in->reason = jin_string(v, doc, "", "reason", CHRONOLOGY_TEXT_MAX, true, "CHR-2");
    if (in->occurred_on && !text_is_date(in->occurred_on))
        violation_rule(v, "occurred_on", "CHR-2", "occurred_on is a date, YYYY-MM-DD");
    else if (in->occurred_on && strcmp(in->occurred_on, today) > 0)
        violation_rule(v, "occurred_on", "CHR-2", "an entry records what has happened: not a future date");
    bool action = in->action_taken && *in->action_taken;
    bool why = in->why_no_action && *in->why_no_action;
    if (action == why)
        violation_rule(v, action ? "why_no_action" : "action_taken", "CHR-2",
                       action ? "give the action taken or why none, not both"
                              : "give the action taken, or why none was taken");
}
