#include "domain/outcome_letter.h"

#include <string.h>

#include "core/text.h"
#include "domain/json_in.h"

const state_gate meeting_gate_outcome_letter = {
    "REN-3", "The outcome letter goes out once the meeting is held.", {"held", "closed"}};

void outcome_letter_parse(json_t *body, outcome_letter_in *in, violations *v)
{
    static const char *const fields[] = {"decisions", "plan", "next_dates", "sent_at", NULL};
    memset(in, 0, sizeof *in);
    if (!json_is_object(body)) {
        violation_schema(v, "", "the body must be an object");
        return;
    }
    jin_only_keys(v, body, "", fields, NULL);
    in->decisions = jin_string(v, body, "", "decisions", OUTCOME_LETTER_TEXT_MAX, true, "REN-3");
    in->plan = jin_string(v, body, "", "plan", OUTCOME_LETTER_TEXT_MAX, true, "REN-3");
    in->next_dates =
        jin_string(v, body, "", "next_dates", OUTCOME_LETTER_TEXT_MAX, true, "REN-3");
    in->sent_at = jin_string(v, body, "", "sent_at", 40, false, NULL);
    if (in->sent_at && !text_is_timestamp(in->sent_at))
        violation_schema(v, "sent_at", "'sent_at' must be an RFC 3339 date-time");
}
