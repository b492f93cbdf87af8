#include "domain/inaccuracy.h"

#include <string.h>

#include "domain/json_in.h"

const state_gate minutes_gate_inaccuracy = {
    "REN-4", "Inaccuracies are pointed out in approved minutes; a draft is edited instead.",
    {"approved"}};
const state_gate inaccuracy_gate_answer = {
    "REN-4", "This inaccuracy has been answered already.", {"open"}};

const char *const inaccuracy_outcomes[] = {"amended", "refused", NULL};

void inaccuracy_parse(json_t *body, inaccuracy_in *in, violations *v)
{
    static const char *const fields[] = {"text", "part", NULL};
    memset(in, 0, sizeof *in);
    if (!json_is_object(body)) {
        violation_schema(v, "", "the body must be an object");
        return;
    }
    jin_only_keys(v, body, "", fields, NULL);
    in->text = jin_string(v, body, "", "text", INACCURACY_TEXT_MAX, true, "REN-4");
    in->part = jin_string(v, body, "", "part", INACCURACY_PART_MAX, false, NULL);
}

void inaccuracy_check_window(const char *today, const char *window_closes_on, violations *v)
{
    /* YYYY-MM-DD compares as text */
    if (window_closes_on && strcmp(today, window_closes_on) > 0)
        violation_rule(v, "minutes_number", "REN-4",
                       "the window for pointing out inaccuracies in this version closed on %s",
                       window_closes_on);
}

void inaccuracy_answer_parse(json_t *body, inaccuracy_answer *in, violations *v)
{
    static const char *const fields[] = {"outcome", "amendment_number", "reason", NULL};
    memset(in, 0, sizeof *in);
    if (!json_is_object(body)) {
        violation_schema(v, "", "the body must be an object");
        return;
    }
    jin_only_keys(v, body, "", fields, NULL);
    in->outcome = jin_enum(v, body, "", "outcome", inaccuracy_outcomes, true, NULL);
    json_t *n = json_object_get(body, "amendment_number");
    if (n && !json_is_null(n)) {
        if (!json_is_integer(n) || json_integer_value(n) < 1 || json_integer_value(n) > 100000)
            violation_schema(v, "amendment_number",
                             "'amendment_number' must be a version number from 1");
        else
            in->amendment_number = (long)json_integer_value(n);
    }
    in->reason = jin_string(v, body, "", "reason", INACCURACY_TEXT_MAX, false, NULL);
}

void inaccuracy_answer_check(const inaccuracy_answer *in, int about_number,
                             bool amendment_approved, violations *v)
{
    if (!in->outcome)
        return;
    if (strcmp(in->outcome, "refused") == 0) {
        if (!in->reason)
            violation_rule(v, "reason", "REN-4", "a refusal is recorded with its reason");
        if (in->amendment_number)
            violation_rule(v, "amendment_number", "REN-4", "a refusal names no amendment");
        return;
    }
    if (in->reason)
        violation_rule(v, "reason", "REN-4",
                       "an answer by amendment gives its reason in the amendment (MIN-3)");
    if (!in->amendment_number)
        violation_rule(v, "amendment_number", "REN-4",
                       "the version of the minutes that amends them (MIN-3)");
    else if (in->amendment_number <= about_number || !amendment_approved)
        violation_rule(v, "amendment_number", "REN-4",
                       "an answer by amendment names an approved version after version %d "
                       "(MIN-3)",
                       about_number);
}
