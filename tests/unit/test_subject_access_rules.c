/* Subject access requests (domain/subject_access.c) without HTTP: the due
 * date by the ICO rule (SAR-1) on edge dates, the shapes of a registration,
 * an extension and a decision, redaction by spans and the disclosure set
 * with its redaction log (SAR-2). */
#include <criterion/criterion.h>
#include <jansson.h>
#include <string.h>

#include "domain/subject_access.h"

static cal_day day(const char *ymd)
{
    cal_day d;
    cr_assert(cal_parse(ymd, &d), "%s", ymd);
    return d;
}

/* England and Wales, 2026: the summer bank holiday (Mon 31 Aug), Christmas
 * (Fri 25 Dec) and Boxing Day's substitute (Mon 28 Dec). */
static holidays holidays_2026(void)
{
    static cal_day days[3];
    days[0] = day("2026-08-31");
    days[1] = day("2026-12-25");
    days[2] = day("2026-12-28");
    return (holidays){days, 3};
}

static void due_is(const char *received, bool extended, const char *expected)
{
    holidays h = holidays_2026();
    char out[11];
    cal_format(sar_due(day(received), extended, &h), out);
    cr_assert_str_eq(out, expected, "received %s%s: due %s, not %s", received,
                     extended ? " (extended)" : "", expected, out);
}

Test(subject_access_rules, SAR_1_due_on_the_corresponding_date)
{
    due_is("2026-03-10", false, "2026-04-10"); /* a Friday */
    due_is("2026-10-06", false, "2026-11-06");
}

Test(subject_access_rules, SAR_1_due_31_january_is_the_last_day_of_february)
{
    due_is("2028-01-31", false, "2028-02-29"); /* leap year: a Tuesday */
    due_is("2024-01-30", false, "2024-02-29"); /* a Thursday */
    /* 2026: 28 February is a Saturday, so the next working day */
    due_is("2026-01-31", false, "2026-03-02");
    due_is("2026-01-29", false, "2026-03-02");
    due_is("2027-01-31", false, "2027-03-01"); /* Sunday 28 February */
}

Test(subject_access_rules, SAR_1_due_on_a_weekend_moves_to_the_next_working_day)
{
    due_is("2026-04-30", false, "2026-06-01"); /* Saturday 30 May */
    due_is("2026-10-04", false, "2026-11-04"); /* a Wednesday, unmoved */
    due_is("2026-10-08", false, "2026-11-09"); /* Sunday 8 November */
}

Test(subject_access_rules, SAR_1_due_on_a_bank_holiday_moves_to_the_next_working_day)
{
    due_is("2026-07-31", false, "2026-09-01"); /* the month ends on the summer bank holiday */
    due_is("2026-11-25", false, "2026-12-29"); /* Christmas, a weekend, Boxing Day's substitute */
}

Test(subject_access_rules, SAR_1_extended_due_three_months_after_receipt)
{
    due_is("2026-01-31", true, "2026-04-30");
    due_is("2026-11-30", true, "2027-03-01"); /* Sunday 28 February 2027 */
    due_is("2026-09-25", true, "2026-12-29"); /* Christmas again */
    due_is("2027-11-30", true, "2028-02-29");
}

Test(subject_access_rules, SAR_1_months_cross_years_both_ways)
{
    char out[11];
    cal_format(cal_add_months(day("2026-12-31"), 2), out);
    cr_assert_str_eq(out, "2027-02-28");
    cal_format(cal_add_months(day("2026-03-31"), -1), out);
    cr_assert_str_eq(out, "2026-02-28");
    cal_format(cal_add_months(day("2000-01-31"), 1), out);
    cr_assert_str_eq(out, "2000-02-29"); /* divisible by 400 */
    cal_format(cal_add_months(day("2100-01-31"), 1), out);
    cr_assert_str_eq(out, "2100-02-28"); /* by 100 */
}

static json_t *registration(void)
{
    return json_pack("{s:{s:s}, s:{s:s, s:s}, s:s, s:s}", "subject", "child_ref",
                     "nhs_number:999 000 0018", "requester", "name", "A Parent", "relation",
                     "parent", "received_on", "2026-11-02", "identity_verified_on", "2026-11-04");
}

Test(subject_access_rules, SAR_1_registration_parsed)
{
    json_t *body = registration();
    sar_in in;
    violations v;
    violations_init(&v);
    sar_parse(body, &in, &v);
    sar_check_dates(&in, day("2026-12-06"), &v);
    cr_assert_eq(v.n, 0, "%s %s", v.n ? v.items[0].field : "", v.n ? v.items[0].message : "");
    cr_assert_str_eq(in.child_system, "nhs_number");
    cr_assert_str_eq(in.child_id, "9990000018");
    cr_assert_str_eq(in.requester_relation, "parent");
    json_decref(body);
}

Test(subject_access_rules, SAR_1_registration_refusals_listed_together)
{
    json_t *body = registration();
    json_object_set_new(json_object_get(body, "subject"), "sub", json_string("someone"));
    json_object_set_new(json_object_get(body, "requester"), "relation", json_string("cousin"));
    json_object_set_new(body, "received_on", json_string("2026-12-07"));
    json_object_set_new(body, "identity_verified_on", json_string("2026-11-01"));
    sar_in in;
    violations v;
    violations_init(&v);
    sar_parse(body, &in, &v);
    sar_check_dates(&in, day("2026-12-06"), &v);
    cr_assert_not(v.schema);
    cr_assert(violations_has(&v, "SAR-1", "subject"));
    cr_assert(violations_has(&v, "SAR-1", "requester.relation"));
    cr_assert(violations_has(&v, "SAR-1", "received_on"));
    cr_assert(violations_has(&v, "SAR-1", "identity_verified_on"));
    json_decref(body);

    body = json_pack("{s:{}, s:{s:s, s:s}, s:s, s:i}", "subject", "requester", "name", "X",
                     "relation", "self", "received_on", "2026-02-30", "due_on", 3);
    violations_init(&v);
    sar_parse(body, &in, &v);
    cr_assert(v.schema);
    cr_assert(violations_has(&v, NULL, "received_on"));
    cr_assert(violations_has(&v, NULL, "due_on"));
    json_decref(body);
}

Test(subject_access_rules, SAR_1_extension_only_by_the_first_due_date)
{
    json_t *body = json_pack("{s:s, s:s}", "reason", "Records of five agencies over ten years",
                             "requester_told_on", "2026-11-20");
    sar_extension_in in;
    violations v;
    violations_init(&v);
    sar_extension_parse(body, &in, &v);
    sar_extension_check(&in, day("2026-11-02"), day("2026-12-02"), day("2026-12-01"), &v);
    cr_assert_eq(v.n, 0);

    /* on the due date itself: still within the first month */
    sar_extension_check(&in, day("2026-11-02"), day("2026-12-02"), day("2026-12-02"), &v);
    cr_assert_eq(v.n, 0);
    /* the day after it: too late */
    sar_extension_check(&in, day("2026-11-02"), day("2026-12-02"), day("2026-12-03"), &v);
    cr_assert(violations_has(&v, "SAR-1", ""));
    json_decref(body);

    body = json_pack("{s:s, s:s}", "reason", "Complex", "requester_told_on", "2026-12-02");
    violations_init(&v);
    sar_extension_parse(body, &in, &v);
    sar_extension_check(&in, day("2026-11-02"), day("2026-12-02"), day("2026-12-01"), &v);
    cr_assert(violations_has(&v, "SAR-1", "requester_told_on"), "told in the future");
    json_decref(body);

    /* told on the due date, asked after it: the request is late */
    body = json_pack("{s:s, s:s}", "reason", "Complex", "requester_told_on", "2026-12-02");
    violations_init(&v);
    sar_extension_parse(body, &in, &v);
    sar_extension_check(&in, day("2026-11-02"), day("2026-12-02"), day("2026-12-04"), &v);
    cr_assert(violations_has(&v, "SAR-1", ""));
    cr_assert(!violations_has(&v, "SAR-1", "requester_told_on"), "told in time");
    json_decref(body);
}

static json_t *spans1(long start, long end)
{
    return json_pack("[{s:i, s:i, s:s}]", "start", start, "end", end, "exemption",
                     "third_party_data");
}

Test(subject_access_rules, SAR_2_decision_shapes)
{
    violations v;
    sar_decision_in in;
    json_t *body = json_pack("{s:s, s:o}", "decision", "redact", "spans", spans1(0, 3));
    violations_init(&v);
    sar_decision_parse(body, &in, &v);
    cr_assert_eq(v.n, 0);
    json_decref(body);

    const char *refused[] = {
        "{\"decision\":\"redact\"}",
        "{\"decision\":\"withhold\"}",
        "{\"decision\":\"disclose\",\"exemption\":\"crime_and_taxation\"}",
        "{\"decision\":\"withhold\",\"exemption\":\"embarrassment\"}",
        "{\"decision\":\"disclose\",\"spans\":[]}",
        "{\"decision\":\"redact\",\"spans\":[{\"start\":0,\"end\":2}]}",
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        body = json_loads(refused[i], 0, NULL);
        violations_init(&v);
        sar_decision_parse(body, &in, &v);
        cr_assert(v.n > 0 && !v.schema && violations_has(&v, "SAR-2", NULL), "%s", refused[i]);
        json_decref(body);
    }
    body = json_loads("{\"decision\":\"redact\",\"spans\":[{\"start\":-1,\"end\":\"2\","
                      "\"exemption\":\"third_party_data\",\"why\":1}]}",
                      0, NULL);
    violations_init(&v);
    sar_decision_parse(body, &in, &v);
    cr_assert(v.schema);
    cr_assert(violations_has(&v, NULL, "spans[0].start"));
    cr_assert(violations_has(&v, NULL, "spans[0].end"));
    cr_assert(violations_has(&v, NULL, "spans[0].why"));
    json_decref(body);
}

Test(subject_access_rules, SAR_2_spans_within_the_text_sorted_and_apart)
{
    const char *text = "Café visit by Jo"; /* 16 code points, 17 bytes */
    struct {
        const char *spans;
        bool ok;
    } cases[] = {
        {"[{\"start\":0,\"end\":16}]", true},
        {"[{\"start\":0,\"end\":17}]", false},
        {"[{\"start\":3,\"end\":3}]", false},
        {"[{\"start\":0,\"end\":4},{\"start\":4,\"end\":5}]", true},
        {"[{\"start\":0,\"end\":5},{\"start\":4,\"end\":6}]", false},
        {"[{\"start\":6,\"end\":8},{\"start\":0,\"end\":2}]", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sar_decision_in in = {.decision = "redact", .spans = json_loads(cases[i].spans, 0, NULL)};
        violations v;
        violations_init(&v);
        sar_decision_check(&in, text, &v);
        cr_assert_eq(v.n == 0, cases[i].ok, "%s", cases[i].spans);
        json_decref(in.spans);
    }
}

Test(subject_access_rules, SAR_2_redaction_replaces_exactly_the_spans)
{
    json_t *spans = json_loads("[{\"start\":3,\"end\":4,\"exemption\":\"crime_and_taxation\"},"
                               "{\"start\":14,\"end\":16,\"exemption\":\"third_party_data\"}]",
                               0, NULL);
    char *out = sar_redact("Café visit by Jo", spans);
    cr_assert_str_eq(out, "Caf[redacted: crime_and_taxation] visit by [redacted: third_party_data]");
    free(out);
    json_decref(spans);
    spans = spans1(10, 40);
    cr_assert_null(sar_redact("short", spans));
    json_decref(spans);
}

static json_t *item(int no, const char *text, json_t *decision)
{
    return json_pack("{s:i, s:s, s:{s:s, s:s}, s:{s:s}, s:s, s:o*}", "item_no", no, "kind",
                     "meeting", "source", "type", "meeting", "id", "m1", "provenance", "agency",
                     "CSC", "text", text, "decision", decision);
}

Test(subject_access_rules, SAR_2_disclosure_set_and_its_redaction_log)
{
    json_t *items = json_pack(
        "[o, o, o]",
        item(1, "Seen at home with Mum",
             json_pack("{s:s, s:s, s:s}", "decision", "disclose", "decided_by", "d",
                       "decided_at", "2026-12-06T10:00:00Z")),
        item(2, "Neighbour Pat Smith reported shouting",
             json_pack("{s:s, s:o, s:s, s:s}", "decision", "redact", "spans", spans1(10, 19),
                       "decided_by", "d", "decided_at", "2026-12-06T10:01:00Z")),
        item(3, "Police intelligence on the uncle",
             json_pack("{s:s, s:s, s:s, s:s}", "decision", "withhold", "exemption",
                       "crime_and_taxation", "decided_by", "d", "decided_at",
                       "2026-12-06T10:02:00Z")));
    json_t *set = sar_disclosure_set(items);
    cr_assert_not_null(set);
    char *dump = json_dumps(set, 0);
    cr_assert_null(strstr(dump, "Pat Smith"));
    cr_assert_null(strstr(dump, "Police intelligence"));
    cr_assert_not_null(strstr(dump, "Neighbour [redacted: third_party_data] reported shouting"));
    free(dump);
    cr_assert_eq(json_array_size(json_object_get(set, "items")), 2);
    json_t *log = json_object_get(set, "redaction_log");
    cr_assert_eq(json_array_size(log), 3);
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(log, 2), "exemption")),
                     "crime_and_taxation");
    cr_assert_eq(json_array_size(json_object_get(json_array_get(log, 1), "spans")), 1);
    json_decref(set);

    json_array_append_new(items, item(4, "Not yet decided", NULL));
    cr_assert_null(sar_disclosure_set(items), "an undecided item: no disclosure set");
    json_decref(items);
}

Test(subject_access_rules, SAR_1_answered_on_or_after_receipt_and_not_in_the_future)
{
    violations v;
    violations_init(&v);
    sar_answer_check("2026-11-02", day("2026-11-02"), day("2026-12-06"), &v);
    sar_answer_check("2026-12-06", day("2026-11-02"), day("2026-12-06"), &v);
    cr_assert_eq(v.n, 0);
    sar_answer_check("2026-11-01", day("2026-11-02"), day("2026-12-06"), &v);
    cr_assert(violations_has(&v, "SAR-1", "answered_on"));
    violations_init(&v);
    sar_answer_check("2026-12-07", day("2026-11-02"), day("2026-12-06"), &v);
    cr_assert(violations_has(&v, "SAR-1", "answered_on"));
    json_t *body = json_pack("{s:s, s:b}", "answered_on", "2026-13-01", "late", 0);
    const char *on;
    violations_init(&v);
    sar_answer_parse(body, &on, &v);
    cr_assert(v.schema && violations_has(&v, NULL, "answered_on") && violations_has(&v, NULL, "late"));
    json_decref(body);
}

/* --- consultations (SAR-2) --- */

static void consultation_due_is(const char *asked, int days, const char *expected)
{
    holidays h = holidays_2026();
    char out[11];
    cal_format(sar_consultation_due(day(asked), days, &h), out);
    cr_assert_str_eq(out, expected, "asked %s, %d working days: due %s, not %s", asked, days,
                     expected, out);
}

Test(subject_access_rules, SAR_2_consultation_deadline_in_working_days)
{
    consultation_due_is("2026-12-04", 1, "2026-12-07");  /* Friday: the Monday */
    consultation_due_is("2026-12-04", 5, "2026-12-11");  /* the next Friday */
    consultation_due_is("2026-12-05", 1, "2026-12-07");  /* asked on a Saturday */
    consultation_due_is("2026-12-24", 1, "2026-12-29");  /* Christmas and Boxing Day's */
    consultation_due_is("2026-08-28", 1, "2026-09-01");  /* the summer bank holiday */
    consultation_due_is("2026-12-04", 20, "2027-01-05"); /* the longest */
}

static violations consultation_of(const char *json, sar_consultation_in *in)
{
    violations v;
    violations_init(&v);
    json_t *body = json_loads(json, 0, NULL);
    cr_assert(body, "%s", json);
    sar_consultation_parse(body, in, &v);
    if (!v.schema) {
        json_t *items = json_pack("[{s:i, s:s}, {s:i, s:s}, {s:i, s:n}]", "item_no", 1,
                                  "agency", "POLICE", "item_no", 2, "agency", "CSC", "item_no",
                                  3, "agency");
        sar_consultation_check(in, items, &v);
        json_decref(items);
    }
    json_decref(body);
    return v;
}

Test(subject_access_rules, SAR_2_consultation_of_a_contributing_agency_on_its_items)
{
    sar_consultation_in in;
    violations v = consultation_of("{\"agency\":\"POLICE\",\"item_nos\":[1],\"question\":\"Q\"}",
                                   &in);
    cr_assert_eq(v.n, 0);
    cr_assert_eq(in.working_days, SAR_CONSULT_DAYS_DEFAULT);
    cr_assert_eq(in.n_items, 1);

    v = consultation_of("{\"agency\":\"HEALTH\",\"item_nos\":[1],\"question\":\"Q\"}", &in);
    cr_assert(violations_has(&v, "SAR-2", "agency"), "an agency that contributed nothing");
    v = consultation_of("{\"agency\":\"POLICE\",\"item_nos\":[2,3,9],\"question\":\"Q\"}", &in);
    cr_assert(violations_has(&v, "SAR-2", "item_nos[0]"), "the CSC's item");
    cr_assert(violations_has(&v, "SAR-2", "item_nos[1]"), "no agency's item");
    cr_assert(violations_has(&v, "SAR-2", "item_nos[2]"), "no such item");
    v = consultation_of("{\"agency\":\"POLICE\",\"item_nos\":[1,1],\"question\":\"Q\","
                        "\"working_days\":0}",
                        &in);
    cr_assert(violations_has(&v, "SAR-2", "item_nos[1]"), "named twice");
    cr_assert(violations_has(&v, "SAR-2", "working_days"), "too soon");
    v = consultation_of("{\"agency\":\"POLICE\",\"item_nos\":[1],\"question\":\"Q\","
                        "\"working_days\":21}",
                        &in);
    cr_assert(violations_has(&v, "SAR-2", "working_days"), "too late");
    v = consultation_of("{\"agency\":\"POLICE\",\"item_nos\":[1],\"question\":\"Q\","
                        "\"working_days\":20}",
                        &in);
    cr_assert_eq(v.n, 0);
    v = consultation_of("{\"agency\":\"POLICE\",\"item_nos\":[\"1\"],\"question\":\"Q\","
                        "\"due_on\":\"2030-01-01\"}",
                        &in);
    cr_assert(v.schema, "an item number's type and a read-only member");
}

Test(subject_access_rules, SAR_2_consultation_answer_shapes)
{
    const char *ok = "{\"recommendation\":\"redact\",\"text\":\"The informant's name\"}";
    const char *bad = "{\"recommendation\":\"publish\"}";
    json_t *body = json_loads(ok, 0, NULL);
    violations v;
    violations_init(&v);
    sar_consultation_answer_in in;
    sar_consultation_answer_parse(body, &in, &v);
    cr_assert_eq(v.n, 0);
    cr_assert_str_eq(in.recommendation, "redact");
    json_decref(body);
    body = json_loads(bad, 0, NULL);
    violations_init(&v);
    sar_consultation_answer_parse(body, &in, &v);
    cr_assert(violations_has(&v, "SAR-2", "recommendation"));
    cr_assert(violations_has(&v, "SAR-2", "text"));
    json_decref(body);
}
