/* RET-1, RET-3: the record class idempotency_record in the domain
 * (domain/retention.c), without HTTP: its policy states a period in hours
 * (1 to 720), runs from the request made and ends in delete only; a policy
 * states one period, in its class's unit; and no disposal names the class,
 * whose records the service deletes itself. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdbool.h>
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

/* The policy body parsed and checked against the class: the body, which
 * in's strings borrow from, for the caller to free. */
static json_t *policy_of(const char *record_class, const char *text, retention_policy_in *in,
                         violations *v)
{
    json_t *b = parse_text(text);
    violations_init(v);
    retention_policy_parse(b, in, v);
    retention_policy_check(record_class, in, v);
    return b;
}

Test(retention_idempotency_rules, RET_1_idempotency_record_policy_in_hours_read_whole)
{
    retention_policy_in in;
    violations v;
    json_t *b = policy_of("idempotency_record",
                          "{\"period_hours\": 48, \"runs_from\": \"request_made\","
                          " \"then\": \"delete\","
                          " \"reason\": \"An inquiry asked for two days\"}",
                          &in, &v);
    cr_assert_eq(v.n, 0, "%s", v.n ? v.items[0].message : "");
    cr_assert_eq(in.period_hours, 48);
    cr_assert_eq(in.period_months, 0, "the other period is not stated");
    cr_assert_str_eq(in.runs_from, "request_made");
    cr_assert_str_eq(in.then, "delete");
    /* null stands for absent */
    json_decref(b);
    b = policy_of("idempotency_record",
                  "{\"period_hours\": 1, \"period_months\": null, \"runs_from\": \"request_made\","
                  " \"then\": \"delete\", \"reason\": \"r\"}",
                  &in, &v);
    cr_assert_eq(v.n, 0, "%s", v.n ? v.items[0].message : "");
    cr_assert_eq(in.period_hours, 1);
    json_decref(b);
}

Test(retention_idempotency_rules, RET_1_period_in_the_class_unit_else_refused_on_the_field)
{
    retention_policy_in in;
    violations v;
    json_t *b = policy_of("idempotency_record",
                          "{\"period_months\": 1, \"runs_from\": \"request_made\","
                          " \"then\": \"delete\","
                          " \"reason\": \"r\"}",
                          &in, &v);
    cr_assert_not(v.schema);
    cr_assert(violations_has(&v, "RET-1", "period_months"));
    cr_assert_eq(v.n, 1);
    json_decref(b);
    b = policy_of("meeting_record",
                  "{\"period_hours\": 24, \"runs_from\": \"meeting_closed\", \"then\": \"review\","
                  " \"reason\": \"r\"}",
                  &in, &v);
    cr_assert(violations_has(&v, "RET-1", "period_hours"));
    cr_assert_eq(v.n, 1);
    cr_assert(retention_period_in_hours("idempotency_record"));
    cr_assert_not(retention_period_in_hours("meeting_record"));
    cr_assert_not(retention_period_in_hours("subject_access_case"));
    cr_assert_not(retention_period_in_hours("no_such_class"));
    json_decref(b);
}

Test(retention_idempotency_rules, RET_1_a_policy_states_one_period_within_its_bounds)
{
    static const struct {
        const char *period; /* the members of the period */
        const char *field;  /* the field refused */
        bool schema;
    } cases[] = {
        {"\"period_hours\": 24, \"period_months\": 1,", "period_hours", false},
        {"", "period_months", false},
        {"\"period_hours\": null,", "period_months", false},
        {"\"period_hours\": 0,", "period_hours", false},
        {"\"period_hours\": 721,", "period_hours", false},
        {"\"period_hours\": -24,", "period_hours", false},
        {"\"period_hours\": \"24\",", "period_hours", true},
        {"\"period_hours\": 24.5,", "period_hours", true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[256];
        snprintf(text, sizeof text,
                 "{%s \"runs_from\": \"request_made\", \"then\": \"delete\", \"reason\": \"r\"}",
                 cases[i].period);
        retention_policy_in in;
        violations v;
        json_t *b = policy_of("idempotency_record", text, &in, &v);
        cr_assert_eq(v.schema, cases[i].schema, "%s", text);
        if (!cases[i].schema)
            cr_assert(violations_has(&v, "RET-1", cases[i].field), "%s", text);
        cr_assert_eq(in.period_hours, 0, "%s", text);
        json_decref(b);
    }
    retention_policy_in in;
    violations v;
    json_t *b = policy_of("idempotency_record",
                          "{\"period_hours\": 720, \"runs_from\": \"request_made\","
                          " \"then\": \"delete\","
                          " \"reason\": \"r\"}",
                          &in, &v);
    cr_assert_eq(v.n, 0, "720 hours is the most");
    cr_assert_eq(in.period_hours, RETENTION_PERIOD_HOURS_MAX);
    json_decref(b);
}

Test(retention_idempotency_rules, RET_1_idempotency_record_runs_from_the_request_and_is_deleted)
{
    cr_assert(retention_start_fits("idempotency_record", "request_made"));
    cr_assert_not(retention_start_fits("idempotency_record", "meeting_closed"));
    cr_assert_not(retention_start_fits("meeting_record", "request_made"));
    cr_assert_not(retention_start_fits("subject_access_case", "request_made"));
    cr_assert(retention_then_fits("idempotency_record", "delete"));
    cr_assert_not(retention_then_fits("idempotency_record", "review"));
    retention_policy_in in;
    violations v;
    json_t *b = policy_of("idempotency_record",
                          "{\"period_hours\": 24, \"runs_from\": \"case_closed\","
                          " \"then\": \"review\","
                          " \"reason\": \"r\"}",
                          &in, &v);
    cr_assert_not(v.schema);
    cr_assert(violations_has(&v, "RET-1", "runs_from"));
    cr_assert(violations_has(&v, "RET-1", "then"));
    cr_assert_eq(v.n, 2);
    json_decref(b);
}

Test(retention_idempotency_rules, RET_3_no_disposal_names_a_class_the_service_deletes_itself)
{
    cr_assert(retention_disposed_by_service("idempotency_record"));
    cr_assert_not(retention_disposed_by_service("meeting_record"));
    cr_assert_not(retention_disposed_by_service("subject_access_case"));
    json_t *b = parse_text("{\"record_class\": \"idempotency_record\","
                           " \"record_id\": \"3f1c2a9e-8b7d-4c6e-9a1b-2d3e4f5a6b7c\"}");
    disposal_in in;
    violations v;
    violations_init(&v);
    disposal_parse(b, &in, &v);
    cr_assert_not(v.schema);
    cr_assert(violations_has(&v, "RET-3", "record_class"));
    cr_assert_null(in.record_id, "nothing is named");
    json_decref(b);
    /* a hold may name the class (RET-2: it stops the service's purge) */
    b = parse_text("{\"scope\": \"record_class\", \"record_class\": \"idempotency_record\","
                   " \"kind\": \"inquiry\", \"reason\": \"An inquiry into the referrals\"}");
    hold_in h;
    violations_init(&v);
    hold_parse(b, "2026-12-06", &h, &v);
    cr_assert_eq(v.n, 0, "%s", v.n ? v.items[0].message : "");
    cr_assert_str_eq(h.record_class, "idempotency_record");
    json_decref(b);
}
