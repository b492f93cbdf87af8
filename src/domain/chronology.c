/* A child's chronology (chronology.h). */
#include "domain/chronology.h"

#include <string.h>

const char *const chronology_kinds[] = {
    "meeting_requested",       "meeting_authorised",   "meeting_declined",
    "meeting_scheduled",       "meeting_held",         "meeting_cancelled",
    "family_notice_decided",   "family_notice_agreement", "minutes_sharing_decided",
    "minutes_approved",        "minutes_distributed",
    "action_agreed",           "action_completed",     "action_cancelled",
    "escalation_raised",       "escalation_escalated", "escalation_resolved",
    "escalation_withdrawn",    NULL};

bool chronology_kind_known(const char *kind)
{
    for (const char *const *k = chronology_kinds; kind && *k; k++)
        if (strcmp(*k, kind) == 0)
            return true;
    return false;
}
