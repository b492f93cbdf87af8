#include "domain/policy.h"

#include <stddef.h>
#include <stdio.h>

#include "domain/json_in.h"

#define CLOCK(member, lo, hi) {#member, offsetof(policy, member), lo, hi}

const policy_clock policy_clocks[] = {
    CLOCK(drift_working_days, 1, 500),
    CLOCK(notice_working_days, 0, 100),
    CLOCK(response_working_days, 1, 100),
    CLOCK(minutes_due_working_days, 1, 200),
    CLOCK(feedback_working_days, 1, 100),
    CLOCK(safeguarding_referral_working_days, 0, 20),
    CLOCK(papers_before_working_days, 0, 50),
    CLOCK(icpc_working_days, 1, 100),
    CLOCK(action_due_soon_working_days, 0, 50),
    CLOCK(manager_reminder_working_days, 1, 100),
    CLOCK(contingency_working_days, 1, 200),
    CLOCK(accuracy_window_working_days, 1, 100),
    CLOCK(outcome_letter_working_days, 0, 20),
};
const int policy_clock_count = (int)(sizeof policy_clocks / sizeof policy_clocks[0]);

#define STAGES "escalation_stage_working_days"

static void read_stages(json_t *clocks, policy *out, violations *v)
{
    json_t *stages = json_object_get(clocks, STAGES);
    if (!stages) {
        violation_rule(v, "clocks." STAGES, "OBL-1", "the four escalation stages' working days");
        return;
    }
    if (!json_is_array(stages)) {
        violation_schema(v, "clocks." STAGES, "'%s' must be an array of four numbers", STAGES);
        return;
    }
    if (json_array_size(stages) != 4) {
        violation_rule(v, "clocks." STAGES, "OBL-1", "one number for each of the four stages");
        return;
    }
    for (size_t i = 0; i < 4; i++) {
        json_t *d = json_array_get(stages, i);
        char field[64];
        snprintf(field, sizeof field, "clocks." STAGES "[%zu]", i);
        if (!json_is_integer(d)) {
            violation_schema(v, field, "a whole number of working days");
            continue;
        }
        json_int_t days = json_integer_value(d);
        if (days < 1 || days > 100)
            violation_rule(v, field, "OBL-1", "from 1 to 100 working days");
        else
            out->escalation_stage_working_days[i] = (int)days;
    }
}

void policy_parse(json_t *body, policy *out, const char **reason, violations *v)
{
    static const char *const top[] = {"clocks", "reason", NULL};
    const char *names[32];
    int n = 0;
    for (int i = 0; i < policy_clock_count; i++)
        names[n++] = policy_clocks[i].name;
    names[n++] = STAGES;
    names[n] = NULL;

    *out = (policy){0};
    jin_only_keys(v, body, "", top, NULL);
    *reason = jin_string(v, body, "", "reason", POLICY_REASON_MAX, false, NULL);
    json_t *clocks = jin_object(v, body, "", "clocks", true, "OBL-1");
    if (!clocks)
        return;
    jin_only_keys(v, clocks, "clocks", names, NULL);
    for (int i = 0; i < policy_clock_count; i++) {
        const policy_clock *c = &policy_clocks[i];
        char field[96];
        jin_path(field, sizeof field, "clocks", c->name);
        json_t *d = json_object_get(clocks, c->name);
        if (!d) {
            violation_rule(v, field, "OBL-1", "every clock is given (a PUT replaces the policy)");
            continue;
        }
        if (!json_is_integer(d)) {
            violation_schema(v, field, "a whole number of working days");
            continue;
        }
        json_int_t days = json_integer_value(d);
        if (days < c->min || days > c->max)
            violation_rule(v, field, "OBL-1", "from %d to %d working days", c->min, c->max);
        else
            *(int *)((char *)out + c->offset) = (int)days;
    }
    read_stages(clocks, out, v);
}
