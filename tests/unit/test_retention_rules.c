/* RET-1 to RET-3: the retention bodies' shapes and rules and the
 * two-person rule of disposal (domain/retention.c), without HTTP. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "domain/retention.h"

static json_t *parse_text(const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, &e);
    cr_assert_not_null(j, "%s", e.text);
    return j;
}

static caller person(const char *sub, unsigned roles)
{
    caller c;
    memset(&c, 0, sizeof c);
    strcpy(c.sub, sub);
    strcpy(c.agency, "CSC-1");
    c.roles = roles;
    return c;
}

Test(retention_rules, RET_1_policy_read_whole)
{
    json_t *b = parse_text("{\"period_months\": 420, \"runs_from\": \"case_closed\","
                           " \"then\": \"review\", \"reason\": \"The board's schedule\"}");
    retention_policy_in in;
    violations v;
    violations_init(&v);
    retention_policy_parse(b, &in, &v);
    cr_assert_eq(v.n, 0, "%s", v.n ? v.items[0].message : "");
    cr_assert_eq(in.period_months, 420);
    cr_assert_str_eq(in.runs_from, "case_closed");
    cr_assert_str_eq(in.then, "review");
    json_decref(b);
}

Test(retention_rules, RET_1_policy_limits_and_missing_parts_are_rule_violations)
{
    json_t *b = parse_text("{\"period_months\": 1801, \"runs_from\": \"first_contact\"}");
    retention_policy_in in;
    violations v;
    violations_init(&v);
    retention_policy_parse(b, &in, &v);
    cr_assert_not(v.schema);
    cr_assert(violations_has(&v, "RET-1", "period_months"));
    cr_assert(violations_has(&v, "RET-1", "runs_from"));
    cr_assert(violations_has(&v, "RET-1", "then"));
    cr_assert(violations_has(&v, "RET-1", "reason"));
    json_decref(b);
    b = parse_text("{\"period_months\": \"420\", \"runs_from\": \"case_closed\","
                   " \"then\": \"delete\", \"reason\": \"r\", \"version\": 3}");
    violations_init(&v);
    retention_policy_parse(b, &in, &v);
    cr_assert(v.schema, "a string period and a read-only member are shape errors");
    json_decref(b);
}

Test(retention_rules, RET_1_a_case_closes_on_a_day_that_has_come)
{
    case_closure_in in;
    violations v;
    violations_init(&v);
    json_t *b = parse_text("{\"closed_on\": \"2026-12-07\"}");
    case_closure_parse(b, "2026-12-06", &in, &v);
    cr_assert(violations_has(&v, "RET-1", "closed_on"));
    json_decref(b);
    violations_init(&v);
    b = parse_text("{\"closed_on\": \"2026-12-06\"}");
    case_closure_parse(b, "2026-12-06", &in, &v);
    cr_assert_eq(v.n, 0);
    json_decref(b);
    violations_init(&v);
    b = parse_text("{\"closed_on\": \"6 December\"}");
    case_closure_parse(b, "2026-12-06", &in, &v);
    cr_assert(v.schema);
    json_decref(b);
}

Test(retention_rules, RET_2_a_hold_names_the_target_of_its_scope_and_no_other)
{
    hold_in in;
    violations v;
    violations_init(&v);
    json_t *b = parse_text("{\"scope\": \"child\", \"child_id\": "
                           "\"7d3c2a1e-0000-4000-8000-000000000001\", \"kind\": \"litigation\","
                           " \"reason\": \"A claim\", \"ends_on\": \"2027-01-01\"}");
    hold_parse(b, "2026-12-06", &in, &v);
    cr_assert_eq(v.n, 0, "%s", v.n ? v.items[0].message : "");
    cr_assert_str_eq(in.scope, "child");
    json_decref(b);

    violations_init(&v);
    b = parse_text("{\"scope\": \"record_class\", \"meeting_id\": "
                   "\"7d3c2a1e-0000-4000-8000-000000000001\", \"kind\": \"inquiry\","
                   " \"reason\": \"An inquiry\", \"ends_on\": \"2026-12-05\"}");
    hold_parse(b, "2026-12-06", &in, &v);
    cr_assert(violations_has(&v, "RET-2", "record_class"), "the class is not named");
    cr_assert(violations_has(&v, "RET-2", "meeting_id"), "a meeting is named besides");
    cr_assert(violations_has(&v, "RET-2", "ends_on"), "its end has passed");
    json_decref(b);

    /* a blank class names none (found by fuzz_body_retention) */
    violations_init(&v);
    b = parse_text("{\"scope\": \"record_class\", \"record_class\": \"\","
                   " \"kind\": \"inquiry\", \"reason\": \"An inquiry\"}");
    hold_parse(b, "2026-12-06", &in, &v);
    cr_assert(violations_has(&v, "RET-2", "record_class"));
    json_decref(b);

    violations_init(&v);
    b = parse_text("{\"scope\": \"meeting\", \"meeting_id\": \"MAM-2026-000001\","
                   " \"kind\": \"inquiry\", \"reason\": \"r\"}");
    hold_parse(b, "2026-12-06", &in, &v);
    cr_assert(v.schema, "a meeting id is a UUID");
    json_decref(b);
}

Test(retention_rules, RET_3_disposal_needs_a_second_person_on_the_other_side)
{
    caller dpo = person("dpo-1", ROLE_DPO);
    caller dpo2 = person("dpo-2", ROLE_DPO);
    caller admin = person("admin-1", ROLE_ADMIN);
    caller senior = person("senior-1", ROLE_SENIOR_MANAGER);
    caller manager = person("manager-1", ROLE_MANAGER);
    cr_assert_str_eq(disposal_side_of(&dpo), "dpo");
    cr_assert_str_eq(disposal_side_of(&admin), "manager");
    cr_assert_str_eq(disposal_side_of(&senior), "manager");
    cr_assert_null(disposal_side_of(&manager));

    cr_assert(disposal_may_approve(&admin, "dpo-1", "dpo"));
    cr_assert(disposal_may_approve(&senior, "dpo-1", "dpo"));
    cr_assert(disposal_may_approve(&dpo, "admin-1", "manager"));
    cr_assert_not(disposal_may_approve(&dpo, "dpo-1", "dpo"), "one person alone");
    cr_assert_not(disposal_may_approve(&dpo2, "dpo-1", "dpo"), "two on the same side");
    cr_assert_not(disposal_may_approve(&senior, "admin-1", "manager"), "two on the same side");
    cr_assert_not(disposal_may_approve(&manager, "dpo-1", "dpo"), "a manager is neither side");
    /* one who holds both roles is still one person */
    caller both = person("dpo-1", ROLE_DPO | ROLE_ADMIN);
    cr_assert_not(disposal_may_approve(&both, "dpo-1", "dpo"));
}

Test(retention_rules, RET_1_subject_access_case_runs_from_the_request_answered_only)
{
    cr_assert(retention_start_fits("subject_access_case", "request_answered"));
    cr_assert_not(retention_start_fits("subject_access_case", "case_closed"));
    cr_assert_not(retention_start_fits("meeting_record", "request_answered"));
    cr_assert(retention_start_fits("meeting_record", "meeting_closed"));
    json_t *b = parse_text("{\"period_months\": 24, \"runs_from\": \"request_answered\","
                           " \"then\": \"delete\", \"reason\": \"r\"}");
    retention_policy_in in;
    violations v;
    violations_init(&v);
    retention_policy_parse(b, &in, &v);
    retention_policy_check("subject_access_case", &in, &v);
    cr_assert_eq(v.n, 0, "%s", v.n ? v.items[0].message : "");
    retention_policy_check("meeting_record", &in, &v);
    cr_assert_not(v.schema);
    cr_assert(violations_has(&v, "RET-1", "runs_from"));
    json_decref(b);
    b = parse_text("{\"period_months\": 24, \"runs_from\": \"date_of_birth\","
                   " \"then\": \"delete\", \"reason\": \"r\"}");
    violations_init(&v);
    retention_policy_parse(b, &in, &v);
    retention_policy_check("subject_access_case", &in, &v);
    cr_assert(violations_has(&v, "RET-1", "runs_from"));
    json_decref(b);
}

Test(retention_rules, RET_3_disposal_names_its_record_by_class)
{
    disposal_in in;
    violations v;
    violations_init(&v);
    json_t *b = parse_text("{\"meeting_id\": \"3f1c2a9e-8b7d-4c6e-9a1b-2d3e4f5a6b7c\"}");
    disposal_parse(b, &in, &v);
    cr_assert_eq(v.n, 0);
    cr_assert_str_eq(in.record_class, "meeting_record");
    cr_assert_str_eq(in.record_id, "3f1c2a9e-8b7d-4c6e-9a1b-2d3e4f5a6b7c");
    json_decref(b);
    b = parse_text("{\"record_class\": \"subject_access_case\","
                   " \"record_id\": \"3f1c2a9e-8b7d-4c6e-9a1b-2d3e4f5a6b7c\"}");
    violations_init(&v);
    disposal_parse(b, &in, &v);
    cr_assert_eq(v.n, 0);
    cr_assert_str_eq(in.record_class, "subject_access_case");
    cr_assert_str_eq(in.record_id, "3f1c2a9e-8b7d-4c6e-9a1b-2d3e4f5a6b7c");
    json_decref(b);
    b = parse_text("{\"record_class\": \"subject_access_case\","
                   " \"meeting_id\": \"3f1c2a9e-8b7d-4c6e-9a1b-2d3e4f5a6b7c\"}");
    violations_init(&v);
    disposal_parse(b, &in, &v);
    cr_assert(violations_has(&v, "RET-3", "meeting_id"));
    cr_assert(violations_has(&v, "RET-3", "record_id"));
    cr_assert_null(in.record_id);
    json_decref(b);
}

Test(retention_rules, RET_3_disposal_with_a_blank_class_or_id_names_nothing)
{
    disposal_in in;
    violations v;
    violations_init(&v);
    json_t *b = parse_text("{\"record_class\": \"\"}");
    disposal_parse(b, &in, &v);
    cr_assert(v.n > 0);
    cr_assert_null(in.record_id);
    json_decref(b);
    b = parse_text("{\"meeting_id\": \"\"}");
    violations_init(&v);
    disposal_parse(b, &in, &v);
    cr_assert(violations_has(&v, "RET-3", "meeting_id"));
    cr_assert_null(in.record_id);
    json_decref(b);
}

/* The contract's vocabularies (record_class, runs_from, then) hold every
 * class's own start events and ends, and every class they name is defined
 * (retention_class_of), so that the two never drift apart. */
static bool in_list(const char *const *list, const char *s)
{
    for (; *list; list++)
        if (strcmp(*list, s) == 0)
            return true;
    return false;
}

Test(retention_rules, RET_1_each_class_allows_only_the_contract_s_starts_and_ends)
{
    for (const char *const *n = retention_record_classes; *n; n++) {
        const retention_class *c = retention_class_of(*n);
        cr_assert_not_null(c, "%s has no class", *n);
        cr_assert_not_null(c->starts[0], "%s runs from nothing", *n);
        cr_assert_not_null(c->thens[0], "%s ends in nothing", *n);
        for (size_t i = 0; c->starts[i]; i++)
            cr_assert(in_list(retention_starts, c->starts[i]), "%s", c->starts[i]);
        for (size_t i = 0; c->thens[i]; i++)
            cr_assert(in_list(retention_thens, c->thens[i]), "%s", c->thens[i]);
    }
    cr_assert_null(retention_class_of("audit"));
    cr_assert_null(retention_class_of(NULL));
    /* a class's own end is refused for another that does not allow it */
    json_t *b = parse_text("{\"period_months\": 24, \"runs_from\": \"meeting_closed\","
                           " \"then\": \"delete\", \"reason\": \"r\"}");
    retention_policy_in in;
    violations v;
    violations_init(&v);
    retention_policy_parse(b, &in, &v);
    retention_policy_check("subject_access_case", &in, &v);
    cr_assert_eq(v.n, 1);
    cr_assert_str_eq(v.items[0].field, "runs_from");
    json_decref(b);
}

Test(retention_rules, RET_1_consent_decision_and_escalation_run_from_their_meetings_start_events)
{
    const char *meeting_starts[] = {"meeting_closed", "case_closed", "date_of_birth"};
    for (size_t i = 0; i < 3; i++) {
        cr_assert(retention_start_fits("consent_decision", meeting_starts[i]));
        cr_assert(retention_start_fits("escalation", meeting_starts[i]));
    }
    /* an escalation's own end is its class's alone */
    cr_assert(retention_start_fits("escalation", "escalation_resolved"));
    cr_assert_not(retention_start_fits("consent_decision", "escalation_resolved"));
    cr_assert_not(retention_start_fits("meeting_record", "escalation_resolved"));
    cr_assert_not(retention_start_fits("subject_access_case", "escalation_resolved"));
    cr_assert_not(retention_start_fits("consent_decision", "request_answered"));
    cr_assert_not(retention_start_fits("escalation", "request_answered"));
    const char *classes[] = {"consent_decision", "escalation"};
    for (size_t i = 0; i < 2; i++) {
        cr_assert(retention_then_fits(classes[i], "review"));
        cr_assert(retention_then_fits(classes[i], "delete"));
    }
    json_t *b = parse_text("{\"period_months\": 120, \"runs_from\": \"escalation_resolved\","
                           " \"then\": \"delete\", \"reason\": \"r\"}");
    retention_policy_in in;
    violations v;
    violations_init(&v);
    retention_policy_parse(b, &in, &v);
    retention_policy_check("escalation", &in, &v);
    cr_assert_eq(v.n, 0, "%s", v.n ? v.items[0].message : "");
    retention_policy_check("consent_decision", &in, &v);
    cr_assert_eq(v.n, 1);
    cr_assert(violations_has(&v, "RET-1", "runs_from"));
    cr_assert(strstr(v.items[0].message, "a consent decision"), "%s", v.items[0].message);
    json_decref(b);
}

Test(retention_rules, RET_3_a_consent_decision_or_an_escalation_is_named_by_record_id)
{
    const char *classes[] = {"consent_decision", "escalation"};
    for (size_t i = 0; i < 2; i++) {
        char text[200];
        snprintf(text, sizeof text,
                 "{\"record_class\": \"%s\", \"record_id\": \"3f1c2a9e-8b7d-4c6e-9a1b-2d3e4f5a6b7c\"}",
                 classes[i]);
        disposal_in in;
        violations v;
        violations_init(&v);
        json_t *b = parse_text(text);
        disposal_parse(b, &in, &v);
        cr_assert_eq(v.n, 0);
        cr_assert_str_eq(in.record_class, classes[i]);
        cr_assert_str_eq(in.record_id, "3f1c2a9e-8b7d-4c6e-9a1b-2d3e4f5a6b7c");
        json_decref(b);
        /* by its meeting: refused, it is not the meeting record */
        snprintf(text, sizeof text,
                 "{\"record_class\": \"%s\", \"meeting_id\": \"3f1c2a9e-8b7d-4c6e-9a1b-2d3e4f5a6b7c\"}",
                 classes[i]);
        violations_init(&v);
        b = parse_text(text);
        disposal_parse(b, &in, &v);
        cr_assert(violations_has(&v, "RET-3", "meeting_id"));
        cr_assert(violations_has(&v, "RET-3", "record_id"));
        cr_assert_null(in.record_id);
        json_decref(b);
        /* deleted, the policy's review notwithstanding */
        violations_init(&v);
        cr_assert_str_eq(disposal_action_of(classes[i], NULL, "review", &v), "delete");
        cr_assert_eq(v.n, 0);
    }
}

/* draft_minutes (sql/048): runs from its meeting's closure alone, ends in
 * review or delete, is named by record_id (the version's id) and never by
 * meeting_id, and is deleted, never anonymised. */
Test(retention_rules, RET_1_draft_minutes_run_from_the_meeting_closed_and_are_named_by_record_id)
{
    cr_assert(retention_record_class_known("draft_minutes"));
    cr_assert(retention_start_fits("draft_minutes", "meeting_closed"));
    cr_assert_not(retention_start_fits("draft_minutes", "case_closed"));
    cr_assert_not(retention_start_fits("draft_minutes", "date_of_birth"));
    cr_assert_not(retention_start_fits("draft_minutes", "request_answered"));
    cr_assert(retention_then_fits("draft_minutes", "review"));
    cr_assert(retention_then_fits("draft_minutes", "delete"));
    cr_assert_not(retention_then_fits("draft_minutes", "anonymise"));
    json_t *b = parse_text("{\"period_months\": 12, \"runs_from\": \"case_closed\","
                           " \"then\": \"delete\", \"reason\": \"r\"}");
    retention_policy_in in;
    violations v;
    violations_init(&v);
    retention_policy_parse(b, &in, &v);
    retention_policy_check("draft_minutes", &in, &v);
    cr_assert_eq(v.n, 1);
    cr_assert(violations_has(&v, "RET-1", "runs_from"));
    json_decref(b);

    disposal_in d;
    violations_init(&v);
    b = parse_text("{\"record_class\": \"draft_minutes\","
                   " \"record_id\": \"3f1c2a9e-8b7d-4c6e-9a1b-2d3e4f5a6b7c\"}");
    disposal_parse(b, &d, &v);
    cr_assert_eq(v.n, 0);
    cr_assert_str_eq(d.record_class, "draft_minutes");
    cr_assert_str_eq(d.record_id, "3f1c2a9e-8b7d-4c6e-9a1b-2d3e4f5a6b7c");
    cr_assert_str_eq(disposal_action_of("draft_minutes", NULL, "review", &v), "delete");
    cr_assert_null(disposal_action_of("draft_minutes", "anonymise", "delete", &v));
    cr_assert(violations_has(&v, "RET-1", "action"));
    json_decref(b);
    violations_init(&v);
    b = parse_text("{\"record_class\": \"draft_minutes\","
                   " \"meeting_id\": \"3f1c2a9e-8b7d-4c6e-9a1b-2d3e4f5a6b7c\"}");
    disposal_parse(b, &d, &v);
    cr_assert(violations_has(&v, "RET-3", "meeting_id"));
    cr_assert(violations_has(&v, "RET-3", "record_id"));
    cr_assert_null(d.record_id);
    json_decref(b);
}
