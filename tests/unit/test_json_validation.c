/* JSON validation of the meeting request (domain/meeting.c parse) and the
 * typed readers under it (domain/json_in.c, domain/violations.c).
 * Schema violations (wrong type, unknown or read-only field, too long, too
 * many) set v.schema and carry no rule; rule violations never set it. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "domain/json_in.h"
#include "domain/meeting.h"
#include "domain/violations.h"

#define TODAY "2026-11-23"

static const char valid_request[] =
    "{"
    "\"type\": \"multi_agency\","
    "\"title\": \"Planning support for the family\","
    "\"purpose\": \"Share information and agree a plan\","
    "\"rationale\": \"Several agencies are involved\","
    "\"criteria\": [\"resolve_concerns_within_group\"],"
    "\"children\": [{\"name\": \"Alex Example\", \"date_of_birth\": \"2015-04-01\","
    "                \"external_ref\": {\"system\": \"LCS\", \"id\": \"C-1\"}}],"
    "\"other_children\": [{\"name\": \"Sam\", \"relationship\": \"sibling\"}],"
    "\"external_ref\": {\"system\": \"LCS\", \"id\": \"CASE-77\"}"
    "}";

static json_t *load(const char *text)
{
    json_error_t err;
    json_t *doc = json_loads(text, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
    cr_assert_not_null(doc, "test JSON does not parse: %s (line %d)", err.text, err.line);
    return doc;
}

static const char *describe(const violations *v)
{
    static char out[VIOLATIONS_MAX * 200];
    size_t o = 0;
    out[0] = '\0';
    for (int i = 0; i < v->n && o < sizeof out; i++)
        o += (size_t)snprintf(out + o, sizeof out - o, "[%s %s: %s] ",
                              v->items[i].rule ? v->items[i].rule : "schema", v->items[i].field,
                              v->items[i].message);
    return v->n ? out : "(none)";
}

static void check_doc(json_t *doc, violations *v)
{
    meeting_draft d;
    violations_init(v);
    meeting_draft_parse(doc, &d, v);
    meeting_check_draft(&d, TODAY, v);
    json_decref(doc);
}

/* valid_request with `value` (a json_t, stolen; NULL deletes) set at a path
 * of object keys and array indexes, e.g. {"children", "0", "unborn"}. */
static void check_set(const char *const *path, int depth, json_t *value, violations *v)
{
    json_t *doc = load(valid_request);
    json_t *at = doc;
    for (int i = 0; i < depth - 1; i++) {
        json_t *next = json_is_array(at) ? json_array_get(at, (size_t)atoi(path[i]))
                                          : json_object_get(at, path[i]);
        cr_assert_not_null(next, "no '%s' in the test document", path[i]);
        at = next;
    }
    if (value)
        json_object_set_new(at, path[depth - 1], value);
    else
        json_object_del(at, path[depth - 1]);
    check_doc(doc, v);
}

static void check_top(const char *key, json_t *value, violations *v)
{
    const char *path[] = {key};
    check_set(path, 1, value, v);
}

static char *repeat(const char *unit, size_t times)
{
    size_t n = strlen(unit);
    char *s = malloc(n * times + 1);
    cr_assert_not_null(s);
    for (size_t i = 0; i < times; i++)
        memcpy(s + i * n, unit, n);
    s[n * times] = '\0';
    return s;
}

static json_t *string_of(const char *unit, size_t times)
{
    char *s = repeat(unit, times);
    json_t *j = json_string(s);
    free(s);
    cr_assert_not_null(j);
    return j;
}

#define assert_schema(v, field)                                                                  \
    do {                                                                                         \
        cr_assert(violations_has(v, NULL, field), "expected a schema violation at '%s', got %s", \
                  field, describe(v));                                                           \
        cr_assert((v)->schema, "v.schema must be set for '%s'", field);                         \
    } while (0)

#define assert_only_schema(v, field)                                                             \
    do {                                                                                         \
        assert_schema(v, field);                                                                 \
        cr_assert_eq((v)->n, 1, "only '%s' expected, got %s", field, describe(v));              \
    } while (0)

#define assert_none(v)                                                                           \
    do {                                                                                         \
        cr_assert_eq((v)->n, 0, "expected no violations, got %s", describe(v));                 \
        cr_assert_not((v)->schema);                                                              \
    } while (0)

Test(json_validation, the_valid_request_has_no_violations)
{
    violations v;
    check_doc(load(valid_request), &v);
    assert_none(&v);
}

/* ---- wrong types ---- */

Test(json_validation, title_must_be_a_string)
{
    violations v;
    check_top("title", json_integer(5), &v);
    assert_only_schema(&v, "title");
}

Test(json_validation, type_purpose_rationale_must_be_strings)
{
    violations v;
    check_top("type", json_true(), &v);
    assert_only_schema(&v, "type");
    check_top("purpose", json_array(), &v);
    assert_only_schema(&v, "purpose");
    check_top("rationale", json_object(), &v);
    assert_only_schema(&v, "rationale");
}

Test(json_validation, criteria_must_be_an_array)
{
    violations v;
    check_top("criteria", json_string("x"), &v);
    assert_schema(&v, "criteria");
}

Test(json_validation, criteria_items_must_be_strings)
{
    violations v;
    check_top("criteria", load("[1]"), &v);
    assert_schema(&v, "criteria[0]");
    check_top("criteria", load("[\"professional_safety\", {}]"), &v);
    assert_only_schema(&v, "criteria[1]");
}

Test(json_validation, children_must_be_an_array)
{
    violations v;
    check_top("children", json_object(), &v);
    assert_only_schema(&v, "children");
}

Test(json_validation, children_items_must_be_objects)
{
    violations v;
    check_top("children", load("[5]"), &v);
    assert_schema(&v, "children[0]");
}

Test(json_validation, unborn_must_be_a_boolean)
{
    const char *path[] = {"children", "0", "unborn"};
    violations v;
    check_set(path, 3, json_string("yes"), &v);
    assert_only_schema(&v, "children[0].unborn");
}

Test(json_validation, child_fields_must_be_strings)
{
    violations v;
    const char *name[] = {"children", "0", "name"};
    check_set(name, 3, json_integer(7), &v);
    assert_only_schema(&v, "children[0].name");
    const char *dob[] = {"children", "0", "date_of_birth"};
    check_set(dob, 3, json_integer(20150401), &v);
    assert_schema(&v, "children[0].date_of_birth");
    const char *rel[] = {"other_children", "0", "relationship"};
    check_set(rel, 3, json_false(), &v);
    assert_only_schema(&v, "other_children[0].relationship");
}

Test(json_validation, other_children_must_be_an_array_of_objects)
{
    violations v;
    check_top("other_children", json_string("none"), &v);
    assert_schema(&v, "other_children");
    check_top("other_children", load("[\"Sam\"]"), &v);
    assert_schema(&v, "other_children[0]");
}

Test(json_validation, external_ref_must_be_an_object)
{
    violations v;
    check_top("external_ref", json_string("x"), &v);
    assert_only_schema(&v, "external_ref");
}

Test(json_validation, external_ref_system_must_be_a_string)
{
    const char *path[] = {"external_ref", "system"};
    violations v;
    check_set(path, 2, json_integer(1), &v);
    assert_only_schema(&v, "external_ref.system");
}

Test(json_validation, child_external_ref_id_must_be_a_string)
{
    const char *path[] = {"children", "0", "external_ref", "id"};
    violations v;
    check_set(path, 4, json_real(1.5), &v);
    assert_only_schema(&v, "children[0].external_ref.id");
}

Test(json_validation, no_other_children_must_be_a_boolean)
{
    violations v;
    check_top("no_other_children", json_string("true"), &v);
    assert_schema(&v, "no_other_children");
    check_top("no_other_children", json_integer(1), &v);
    assert_schema(&v, "no_other_children");
}

Test(json_validation, a_body_that_is_not_an_object_is_refused_without_crashing)
{
    violations v;
    check_doc(load("[1, 2]"), &v);
    cr_assert(v.n > 0, "an array body cannot be a valid request");
    check_doc(load("\"text\""), &v);
    cr_assert(v.n > 0, "a string body cannot be a valid request");
}

/* ---- unknown and read-only fields ---- */

Test(json_validation, unknown_top_level_field_refused)
{
    violations v;
    check_top("colour", json_string("blue"), &v);
    assert_only_schema(&v, "colour");
    cr_assert(strstr(v.items[0].message, "unknown"), "message: %s", v.items[0].message);
}

Test(json_validation, unknown_child_field_refused)
{
    const char *path[] = {"children", "0", "nickname"};
    violations v;
    check_set(path, 3, json_string("Al"), &v);
    assert_only_schema(&v, "children[0].nickname");
}

Test(json_validation, relationship_only_for_other_children)
{
    const char *path[] = {"children", "0", "relationship"};
    violations v;
    check_set(path, 3, json_string("subject"), &v);
    assert_only_schema(&v, "children[0].relationship");
}

Test(json_validation, unknown_external_ref_fields_refused)
{
    violations v;
    const char *top[] = {"external_ref", "url"};
    check_set(top, 2, json_string("https://example.test"), &v);
    assert_only_schema(&v, "external_ref.url");
    const char *child[] = {"children", "0", "external_ref", "version"};
    check_set(child, 4, json_integer(2), &v);
    assert_only_schema(&v, "children[0].external_ref.version");
}

Test(json_validation, read_only_fields_refused_by_name)
{
    const char *fields[] = {"status",    "version",   "convening_agency", "id",
                            "reference", "requester", "created_at",       "updated_at",
                            "decision",  "cancellation"};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        violations v;
        check_top(fields[i], json_string("x"), &v);
        cr_assert(violations_has(&v, NULL, fields[i]), "'%s': %s", fields[i], describe(&v));
        cr_assert(v.schema, "'%s' sets v.schema", fields[i]);
        cr_assert_eq(v.n, 1, "'%s': %s", fields[i], describe(&v));
        cr_assert(strstr(v.items[0].message, "read-only"), "'%s' message: %s", fields[i],
                  v.items[0].message);
        cr_assert(strstr(v.items[0].message, fields[i]), "the message names '%s': %s",
                  fields[i], v.items[0].message);
    }
}

Test(json_validation, every_unknown_field_reported)
{
    violations v;
    check_doc(load("{\"a\": 1, \"b\": 2, \"status\": \"held\", \"version\": 4}"), &v);
    cr_assert(violations_has(&v, NULL, "a"), "%s", describe(&v));
    cr_assert(violations_has(&v, NULL, "b"), "%s", describe(&v));
    cr_assert(violations_has(&v, NULL, "status"), "%s", describe(&v));
    cr_assert(violations_has(&v, NULL, "version"), "%s", describe(&v));
    cr_assert(violations_has(&v, "MTG-1", "title"), "rules are still checked: %s", describe(&v));
}

/* ---- lengths and counts ---- */

Test(json_validation, title_of_200_characters_accepted_201_refused)
{
    violations v;
    check_top("title", string_of("t", 200), &v);
    assert_none(&v);
    check_top("title", string_of("t", 201), &v);
    assert_only_schema(&v, "title");
}

Test(json_validation, title_length_counts_characters_not_bytes)
{
    violations v;
    check_top("title", string_of("\xc3\xa9", 200), &v); /* é is two bytes */
    assert_none(&v);
    check_top("title", string_of("\xf0\x9f\x98\x80", 200), &v); /* four-byte emoji */
    assert_none(&v);
    check_top("title", string_of("\xc3\xa9", 201), &v);
    assert_only_schema(&v, "title");
}

Test(json_validation, purpose_and_rationale_of_10001_characters_refused)
{
    violations v;
    check_top("purpose", string_of("p", 10000), &v);
    assert_none(&v);
    check_top("purpose", string_of("p", 10001), &v);
    assert_only_schema(&v, "purpose");
    check_top("rationale", string_of("r", 10001), &v);
    assert_only_schema(&v, "rationale");
}

Test(json_validation, names_of_201_characters_refused)
{
    violations v;
    const char *child[] = {"children", "0", "name"};
    check_set(child, 3, string_of("n", 200), &v);
    assert_none(&v);
    check_set(child, 3, string_of("n", 201), &v);
    assert_only_schema(&v, "children[0].name");
    const char *other[] = {"other_children", "0", "name"};
    check_set(other, 3, string_of("n", 201), &v);
    assert_schema(&v, "other_children[0].name");
}

Test(json_validation, external_ref_parts_of_101_characters_refused)
{
    violations v;
    const char *system[] = {"external_ref", "system"};
    check_set(system, 2, string_of("s", 100), &v);
    assert_none(&v);
    check_set(system, 2, string_of("s", 101), &v);
    assert_only_schema(&v, "external_ref.system");
    const char *id[] = {"external_ref", "id"};
    check_set(id, 2, string_of("i", 101), &v);
    assert_only_schema(&v, "external_ref.id");
    const char *child_id[] = {"children", "0", "external_ref", "id"};
    check_set(child_id, 4, string_of("i", 101), &v);
    assert_only_schema(&v, "children[0].external_ref.id");
}

Test(json_validation, relationship_of_101_characters_refused)
{
    violations v;
    const char *path[] = {"other_children", "0", "relationship"};
    check_set(path, 3, string_of("r", 100), &v);
    assert_none(&v);
    check_set(path, 3, string_of("r", 101), &v);
    assert_only_schema(&v, "other_children[0].relationship");
}

Test(json_validation, date_of_birth_longer_than_a_date_refused)
{
    const char *path[] = {"children", "0", "date_of_birth"};
    violations v;
    check_set(path, 3, json_string("2015-04-01T00:00:00Z"), &v);
    assert_schema(&v, "children[0].date_of_birth");
}

Test(json_validation, criterion_name_longer_than_64_refused)
{
    violations v;
    check_top("criteria", json_pack("[o]", string_of("c", 65)), &v);
    assert_schema(&v, "criteria[0]");
}

Test(json_validation, ten_criteria_accepted_eleven_refused)
{
    json_t *ten = json_array();
    for (int i = 0; meeting_criteria[i]; i++)
        json_array_append_new(ten, json_string(meeting_criteria[i]));
    cr_assert_eq(json_array_size(ten), 10, "the test assumes ten convening criteria");
    violations v;
    check_top("criteria", json_deep_copy(ten), &v);
    assert_none(&v);
    json_array_append_new(ten, json_string("professional_safety"));
    check_top("criteria", ten, &v);
    assert_schema(&v, "criteria");
}

Test(json_validation, twenty_children_accepted_twenty_one_refused)
{
    json_t *children = json_array();
    for (int i = 0; i < 20; i++)
        json_array_append_new(children,
                              json_pack("{s:s, s:s}", "name", "A", "date_of_birth", "2015-04-01"));
    violations v;
    check_top("children", json_deep_copy(children), &v);
    assert_none(&v);
    json_array_append_new(children,
                          json_pack("{s:s, s:s}", "name", "A", "date_of_birth", "2015-04-01"));
    check_top("children", children, &v);
    assert_only_schema(&v, "children");
}

Test(json_validation, twenty_one_other_children_refused)
{
    json_t *others = json_array();
    for (int i = 0; i < 21; i++)
        json_array_append_new(others, json_pack("{s:s}", "name", "S"));
    violations v;
    check_top("other_children", others, &v);
    assert_schema(&v, "other_children");
}

/* ---- NUL, null and blank ---- */

Test(json_validation, nul_inside_a_string_refused)
{
    violations v;
    check_top("title", json_stringn("ab\0cd", 5), &v);
    assert_only_schema(&v, "title");
    const char *path[] = {"children", "0", "name"};
    check_set(path, 3, json_stringn("A\0", 2), &v);
    assert_schema(&v, "children[0].name");
    check_top("criteria", json_pack("[o]", json_stringn("professional_safety\0x", 21)), &v);
    assert_schema(&v, "criteria[0]");
}

Test(json_validation, null_treated_as_absent)
{
    violations v;
    check_top("external_ref", json_null(), &v);
    assert_none(&v);
    check_top("title", json_null(), &v);
    cr_assert(violations_has(&v, "MTG-1", "title"), "null title is a missing title: %s",
              describe(&v));
    cr_assert_eq(v.n, 1, "%s", describe(&v));
    cr_assert_not(v.schema, "null is not a wrong type: %s", describe(&v));
    const char *unborn[] = {"children", "0", "unborn"};
    check_set(unborn, 3, json_null(), &v);
    assert_none(&v);
    check_top("children", json_null(), &v);
    cr_assert(violations_has(&v, "MTG-1", "children"), "%s", describe(&v));
    cr_assert_not(v.schema, "%s", describe(&v));
}

Test(json_validation, blank_strings_treated_as_missing)
{
    violations v;
    check_top("purpose", json_string("   "), &v);
    cr_assert(violations_has(&v, "MTG-1", "purpose"), "%s", describe(&v));
    cr_assert_eq(v.n, 1, "%s", describe(&v));
    cr_assert_not(v.schema, "blank is missing, not malformed: %s", describe(&v));
    check_top("type", json_string(""), &v);
    cr_assert(violations_has(&v, "MTG-1", "type"), "%s", describe(&v));
    cr_assert_not(v.schema);
    const char *system[] = {"external_ref", "system"};
    check_set(system, 2, json_string(" \t"), &v);
    cr_assert(violations_has(&v, "INT-1", "external_ref.system"), "%s", describe(&v));
    cr_assert_not(v.schema);
}

Test(json_validation, external_ref_needs_both_parts)
{
    violations v;
    check_top("external_ref", load("{\"system\": \"LCS\"}"), &v);
    cr_assert(violations_has(&v, "INT-1", "external_ref.id"), "%s", describe(&v));
    cr_assert_eq(v.n, 1, "%s", describe(&v));
    check_top("external_ref", load("{}"), &v);
    cr_assert(violations_has(&v, "INT-1", "external_ref.system"), "%s", describe(&v));
    cr_assert(violations_has(&v, "INT-1", "external_ref.id"), "%s", describe(&v));
    cr_assert_not(v.schema);
}

/* ---- the draft keeps what it read ---- */

Test(json_validation, draft_borrows_values_from_the_document)
{
    json_t *doc = load(valid_request);
    meeting_draft d;
    violations v;
    violations_init(&v);
    meeting_draft_parse(doc, &d, &v);
    assert_none(&v);
    cr_assert_str_eq(d.type, "multi_agency");
    cr_assert_str_eq(d.title, "Planning support for the family");
    cr_assert_eq(d.n_criteria, 1);
    cr_assert_str_eq(d.criteria[0], "resolve_concerns_within_group");
    cr_assert_eq(d.n_children, 1);
    cr_assert_str_eq(d.children[0].name, "Alex Example");
    cr_assert_str_eq(d.children[0].date_of_birth, "2015-04-01");
    cr_assert_eq(d.children[0].unborn, -1);
    cr_assert_str_eq(d.children[0].ref.system, "LCS");
    cr_assert_str_eq(d.children[0].ref.id, "C-1");
    cr_assert_eq(d.n_other_children, 1);
    cr_assert_str_eq(d.other_children[0].relationship, "sibling");
    cr_assert_eq(d.no_other_children, -1);
    cr_assert_str_eq(d.ref.system, "LCS");
    cr_assert_str_eq(d.ref.id, "CASE-77");
    cr_assert_eq(d.title, json_string_value(json_object_get(doc, "title")),
                 "strings borrow from the document");
    json_decref(doc);
}

/* ---- jin_* directly ---- */

Test(json_in, jin_path_and_index)
{
    char out[64];
    jin_path(out, sizeof out, "", "title");
    cr_assert_str_eq(out, "title");
    jin_path(out, sizeof out, NULL, "title");
    cr_assert_str_eq(out, "title");
    jin_path(out, sizeof out, "children[1]", "name");
    cr_assert_str_eq(out, "children[1].name");
    jin_index(out, sizeof out, "", "children", 1);
    cr_assert_str_eq(out, "children[1]");
    jin_index(out, sizeof out, "a", "b", 12);
    cr_assert_str_eq(out, "a.b[12]");
    char tiny[6];
    jin_path(tiny, sizeof tiny, "abc", "def");
    cr_assert_str_eq(tiny, "abc.d", "truncated, still terminated");
}

Test(json_in, jin_string_reads_and_reports)
{
    json_t *o = load("{\"s\": \"hello\", \"n\": 3, \"blank\": \"  \", \"nil\": null,"
                     " \"long\": \"abcdef\"}");
    violations v;
    violations_init(&v);
    cr_assert_str_eq(jin_string(&v, o, "", "s", 10, true, "R-1"), "hello");
    cr_assert_eq(v.n, 0);
    cr_assert_null(jin_string(&v, o, "", "absent", 10, false, NULL));
    cr_assert_null(jin_string(&v, o, "", "nil", 10, false, NULL));
    cr_assert_null(jin_string(&v, o, "", "blank", 10, false, NULL));
    cr_assert_eq(v.n, 0, "optional absent, null or blank is no violation: %s", describe(&v));

    cr_assert_null(jin_string(&v, o, "x", "absent", 10, true, "R-1"));
    cr_assert(violations_has(&v, "R-1", "x.absent"), "%s", describe(&v));
    cr_assert_not(v.schema, "missing with a rule is a rule violation");

    cr_assert_null(jin_string(&v, o, "", "blank", 10, true, "R-2"));
    cr_assert(violations_has(&v, "R-2", "blank"), "%s", describe(&v));
    cr_assert_not(v.schema);

    cr_assert_null(jin_string(&v, o, "", "nil", 10, true, NULL));
    cr_assert(violations_has(&v, NULL, "nil"), "missing without a rule is schema: %s",
              describe(&v));
    cr_assert(v.schema);

    violations_init(&v);
    cr_assert_null(jin_string(&v, o, "", "n", 10, false, NULL));
    cr_assert(violations_has(&v, NULL, "n") && v.schema, "%s", describe(&v));

    violations_init(&v);
    cr_assert_null(jin_string(&v, o, "", "long", 5, false, NULL));
    cr_assert(violations_has(&v, NULL, "long") && v.schema, "%s", describe(&v));
    violations_init(&v);
    cr_assert_str_eq(jin_string(&v, o, "", "long", 6, false, NULL), "abcdef");
    cr_assert_eq(v.n, 0);
    json_decref(o);
}

Test(json_in, jin_string_refuses_nul_and_counts_code_points)
{
    json_t *o = json_pack("{s:o, s:s}", "nul", json_stringn("a\0b", 3), "utf8",
                          "\xc3\xa9\xc3\xa9\xc3\xa9"); /* 3 characters, 6 bytes */
    violations v;
    violations_init(&v);
    cr_assert_null(jin_string(&v, o, "", "nul", 10, false, NULL));
    cr_assert(violations_has(&v, NULL, "nul") && v.schema, "%s", describe(&v));
    violations_init(&v);
    cr_assert_not_null(jin_string(&v, o, "", "utf8", 3, false, NULL), "%s", describe(&v));
    cr_assert_null(jin_string(&v, o, "", "utf8", 2, false, NULL));
    cr_assert(violations_has(&v, NULL, "utf8"));
    json_decref(o);
}

Test(json_in, jin_bool_reads_and_reports)
{
    json_t *o = load("{\"t\": true, \"f\": false, \"nil\": null, \"s\": \"true\", \"i\": 1}");
    violations v;
    violations_init(&v);
    cr_assert_eq(jin_bool(&v, o, "", "t"), 1);
    cr_assert_eq(jin_bool(&v, o, "", "f"), 0);
    cr_assert_eq(jin_bool(&v, o, "", "nil"), -1);
    cr_assert_eq(jin_bool(&v, o, "", "absent"), -1);
    cr_assert_eq(v.n, 0, "%s", describe(&v));
    cr_assert_eq(jin_bool(&v, o, "obj", "s"), -1);
    cr_assert_eq(jin_bool(&v, o, "obj", "i"), -1);
    cr_assert(violations_has(&v, NULL, "obj.s"), "%s", describe(&v));
    cr_assert(violations_has(&v, NULL, "obj.i"), "%s", describe(&v));
    cr_assert_eq(v.n, 2);
    cr_assert(v.schema);
    json_decref(o);
}

Test(json_in, jin_array_reads_and_reports)
{
    json_t *o = load("{\"a\": [1, 2, 3], \"o\": {}, \"nil\": null, \"empty\": []}");
    violations v;
    violations_init(&v);
    cr_assert_eq(jin_array(&v, o, "", "a", 3, true, "R-1"), json_object_get(o, "a"),
                 "borrowed, not copied");
    cr_assert_not_null(jin_array(&v, o, "", "empty", 3, true, "R-1"),
                       "an empty array is present; its emptiness is for the rules");
    cr_assert_null(jin_array(&v, o, "", "absent", 3, false, "R-1"));
    cr_assert_null(jin_array(&v, o, "", "nil", 3, false, "R-1"));
    cr_assert_eq(v.n, 0, "%s", describe(&v));

    cr_assert_null(jin_array(&v, o, "", "absent", 3, true, "R-1"));
    cr_assert(violations_has(&v, "R-1", "absent"));
    cr_assert_not(v.schema);
    cr_assert_null(jin_array(&v, o, "", "a", 2, true, "R-1"));
    cr_assert(violations_has(&v, NULL, "a"), "more than max_items: %s", describe(&v));
    cr_assert_null(jin_array(&v, o, "x", "o", 3, true, "R-1"));
    cr_assert(violations_has(&v, NULL, "x.o"), "%s", describe(&v));
    cr_assert(v.schema);
    cr_assert_eq(v.n, 3);
    json_decref(o);
}

Test(json_in, jin_object_reads_and_reports)
{
    json_t *o = load("{\"o\": {\"k\": 1}, \"a\": [], \"nil\": null}");
    violations v;
    violations_init(&v);
    cr_assert_eq(jin_object(&v, o, "", "o", true, NULL), json_object_get(o, "o"));
    cr_assert_null(jin_object(&v, o, "", "absent", false, NULL));
    cr_assert_null(jin_object(&v, o, "", "nil", false, NULL));
    cr_assert_eq(v.n, 0, "%s", describe(&v));
    cr_assert_null(jin_object(&v, o, "", "nil", true, "R-9"));
    cr_assert(violations_has(&v, "R-9", "nil"));
    cr_assert_not(v.schema);
    cr_assert_null(jin_object(&v, o, "", "a", false, NULL));
    cr_assert(violations_has(&v, NULL, "a"));
    cr_assert(v.schema);
    cr_assert_null(jin_object(&v, o, "", "absent", true, NULL));
    cr_assert(violations_has(&v, NULL, "absent"));
    json_decref(o);
}

Test(json_in, jin_enum_reads_and_reports)
{
    static const char *const formats[] = {"in_person", "virtual", "hybrid", "phone", NULL};
    json_t *o = load("{\"good\": \"virtual\", \"bad\": \"carrier_pigeon\", \"n\": 1,"
                     " \"blank\": \"\"}");
    violations v;
    violations_init(&v);
    cr_assert_str_eq(jin_enum(&v, o, "", "good", formats, true, "MTG-6"), "virtual");
    cr_assert_null(jin_enum(&v, o, "", "absent", formats, false, "MTG-6"));
    cr_assert_eq(v.n, 0, "%s", describe(&v));

    cr_assert_null(jin_enum(&v, o, "", "bad", formats, true, "MTG-6"));
    cr_assert(violations_has(&v, "MTG-6", "bad"), "%s", describe(&v));
    cr_assert_not(v.schema);
    cr_assert_null(jin_enum(&v, o, "", "absent", formats, true, "MTG-6"));
    cr_assert(violations_has(&v, "MTG-6", "absent"), "%s", describe(&v));
    cr_assert_null(jin_enum(&v, o, "", "blank", formats, true, "MTG-6"));
    cr_assert(violations_has(&v, "MTG-6", "blank"), "%s", describe(&v));
    cr_assert_not(v.schema);

    cr_assert_null(jin_enum(&v, o, "s", "bad", formats, false, NULL));
    cr_assert(violations_has(&v, NULL, "s.bad"), "no rule: a schema violation: %s", describe(&v));
    cr_assert(v.schema);
    violations_init(&v);
    cr_assert_null(jin_enum(&v, o, "", "n", formats, false, "MTG-6"));
    cr_assert(violations_has(&v, NULL, "n") && v.schema, "wrong type is schema: %s",
              describe(&v));
    json_decref(o);
}

Test(json_in, jin_only_keys_reports_every_stranger)
{
    static const char *const allowed[] = {"a", "b", NULL};
    static const char *const read_only[] = {"id", NULL};
    json_t *o = load("{\"a\": 1, \"b\": 2}");
    violations v;
    violations_init(&v);
    jin_only_keys(&v, o, "", allowed, read_only);
    cr_assert_eq(v.n, 0);
    cr_assert_not(v.schema);
    json_decref(o);

    o = load("{\"a\": 1, \"x\": 2, \"y\": 3, \"id\": \"u\"}");
    jin_only_keys(&v, o, "obj[0]", allowed, read_only);
    cr_assert_eq(v.n, 3, "%s", describe(&v));
    cr_assert(violations_has(&v, NULL, "obj[0].x"));
    cr_assert(violations_has(&v, NULL, "obj[0].y"));
    cr_assert(violations_has(&v, NULL, "obj[0].id"));
    cr_assert(v.schema);
    for (int i = 0; i < v.n; i++) {
        bool ro = strcmp(v.items[i].field, "obj[0].id") == 0;
        cr_assert(strstr(v.items[i].message, ro ? "read-only" : "unknown field"), "%s: %s",
                  v.items[i].field, v.items[i].message);
    }

    violations_init(&v);
    jin_only_keys(&v, o, "", allowed, NULL);
    cr_assert_eq(v.n, 3, "read_only may be NULL: %s", describe(&v));
    for (int i = 0; i < v.n; i++)
        cr_assert(strstr(v.items[i].message, "unknown field"), "without a read-only list: %s",
                  v.items[i].message);
    json_decref(o);
}

Test(json_in, jin_only_keys_shortens_a_long_key)
{
    static const char *const allowed[] = {NULL};
    char *key = repeat("k", 500);
    json_t *o = json_object();
    json_object_set_new(o, key, json_true());
    violations v;
    violations_init(&v);
    jin_only_keys(&v, o, "", allowed, NULL);
    cr_assert_eq(v.n, 1);
    cr_assert_eq(strlen(v.items[0].field), 64, "the field is cut to 64 characters: %zu",
                 strlen(v.items[0].field));
    cr_assert_eq(strncmp(v.items[0].field, key, 64), 0);
    free(key);

    /* a cut through a multi-byte character must not produce invalid UTF-8 */
    json_decref(o);
    o = json_object();
    char *wide = repeat("\xc3\xa9", 100); /* cut at 64 bytes lands on a whole character */
    char *odd = malloc(strlen(wide) + 2);
    cr_assert_not_null(odd);
    sprintf(odd, "x%s", wide); /* now byte 64 falls inside a character */
    json_object_set_new(o, odd, json_true());
    violations_init(&v);
    jin_only_keys(&v, o, "", allowed, NULL);
    cr_assert_eq(v.n, 1);
    cr_assert(text_is_utf8(v.items[0].field, strlen(v.items[0].field)), "field is valid UTF-8: %s", v.items[0].field);
    free(wide);
    free(odd);
    json_decref(o);
}

/* ---- violations ---- */

Test(violations, rule_and_schema_are_told_apart)
{
    violations v;
    violations_init(&v);
    cr_assert_eq(v.n, 0);
    cr_assert_not(v.schema);
    violation_rule(&v, "criteria[0]", "MTG-3", "not %s", "acceptable");
    cr_assert_not(v.schema, "a rule violation leaves schema unset");
    cr_assert_str_eq(v.items[0].field, "criteria[0]");
    cr_assert_str_eq(v.items[0].rule, "MTG-3");
    cr_assert_str_eq(v.items[0].message, "not acceptable");
    violation_schema(&v, "title", "'%s' must be a string", "title");
    cr_assert(v.schema);
    cr_assert_null(v.items[1].rule);

    cr_assert(violations_has(&v, "MTG-3", NULL));
    cr_assert(violations_has(&v, "MTG-3", "criteria[0]"));
    cr_assert_not(violations_has(&v, "MTG-3", "title"));
    cr_assert_not(violations_has(&v, "MTG-1", NULL));
    cr_assert(violations_has(&v, NULL, "title"), "NULL rule finds schema violations");
    cr_assert_not(violations_has(&v, NULL, "criteria[0]"), "NULL rule is not a wildcard");
    cr_assert(violations_has(&v, NULL, NULL));
}

Test(violations, capacity_is_bounded_and_long_text_cut)
{
    violations v;
    violations_init(&v);
    for (int i = 0; i < VIOLATIONS_MAX + 10; i++)
        violation_schema(&v, "f", "number %d", i);
    cr_assert_eq(v.n, VIOLATIONS_MAX, "extra violations are dropped, not overflowed");
    char *lng = repeat("z", 1000);
    violations_init(&v);
    violation_rule(&v, lng, "R", "%s", lng);
    cr_assert_eq(strlen(v.items[0].field), sizeof v.items[0].field - 1);
    cr_assert_eq(strlen(v.items[0].message), sizeof v.items[0].message - 1);
    violation_rule(&v, NULL, "R", "x");
    cr_assert_str_eq(v.items[1].field, "");
    free(lng);
}
