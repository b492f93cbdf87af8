/* OBL-1: the policy document's shape and limits (domain/policy.c), without
 * HTTP. */
#include <criterion/criterion.h>
#include <jansson.h>

#include "domain/policy.h"

static json_t *valid_body(void)
{
    json_t *clocks = json_object();
    for (int i = 0; i < policy_clock_count; i++)
        json_object_set_new(clocks, policy_clocks[i].name, json_integer(policy_clocks[i].min));
    json_object_set_new(clocks, "escalation_stage_working_days", json_pack("[i,i,i,i]", 5, 5, 10, 10));
    return json_pack("{s:o, s:s}", "clocks", clocks, "reason", "a review of the clocks");
}

Test(policy_rules, OBL_1_every_clock_read)
{
    json_t *body = valid_body();
    json_object_set_new(json_object_get(body, "clocks"), "icpc_working_days", json_integer(15));
    policy p;
    const char *reason;
    violations v;
    violations_init(&v);
    policy_parse(body, &p, &reason, &v);
    cr_assert_eq(v.n, 0, "%s", v.n ? v.items[0].message : "");
    cr_assert_eq(p.icpc_working_days, 15);
    cr_assert_eq(p.escalation_stage_working_days[2], 10);
    cr_assert_str_eq(reason, "a review of the clocks");
    json_decref(body);
}

Test(policy_rules, OBL_1_limits_and_missing_clocks_are_rule_violations)
{
    json_t *body = valid_body();
    json_t *clocks = json_object_get(body, "clocks");
    json_object_set_new(clocks, "drift_working_days", json_integer(501));
    json_object_del(clocks, "papers_before_working_days");
    json_object_set_new(clocks, "escalation_stage_working_days", json_pack("[i,i,i,i]", 5, 0, 10, 10));
    policy p;
    const char *reason;
    violations v;
    violations_init(&v);
    policy_parse(body, &p, &reason, &v);
    cr_assert(!v.schema);
    cr_assert(violations_has(&v, "OBL-1", "clocks.drift_working_days"));
    cr_assert(violations_has(&v, "OBL-1", "clocks.papers_before_working_days"));
    cr_assert(violations_has(&v, "OBL-1", "clocks.escalation_stage_working_days[1]"));
    json_decref(body);
}

Test(policy_rules, OBL_1_unknown_members_and_types_are_shape_errors)
{
    json_t *body = valid_body();
    json_object_set_new(json_object_get(body, "clocks"), "lunch_working_days", json_integer(1));
    json_object_set_new(json_object_get(body, "clocks"), "notice_working_days", json_string("5"));
    json_object_set_new(body, "effective_from", json_string("2030-01-01"));
    policy p;
    const char *reason;
    violations v;
    violations_init(&v);
    policy_parse(body, &p, &reason, &v);
    cr_assert(v.schema);
    cr_assert(violations_has(&v, NULL, "clocks.lunch_working_days"));
    cr_assert(violations_has(&v, NULL, "clocks.notice_working_days"));
    cr_assert(violations_has(&v, NULL, "effective_from"));
    json_decref(body);
}
