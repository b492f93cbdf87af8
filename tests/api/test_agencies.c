/* The agency directory over real HTTP: admins create and change agencies,
 * everyone reads them; every change is audited (SEC-4) and announced on the
 * agency's feed (INT-2); bad input changes nothing (SEC-6). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support/client.h"
#include "support/expect.h"
#include "support/fixtures.h"
#include "support/people.h"

/* --- helpers --- */

/* A new agency code no other test uses: prefix + 12 upper-case hex digits. */
static void new_code(char *out, size_t size, const char *prefix)
{
    char suffix[17];
    unique_suffix(suffix, sizeof suffix);
    for (char *c = suffix; *c; c++)
        if (*c >= 'a' && *c <= 'z')
            *c = (char)(*c - 'a' + 'A');
    snprintf(out, size, "%s%.12s", prefix, suffix);
}

static const char *agency_path(const char *code)
{
    static char path[96];
    snprintf(path, sizeof path, "/v1/agencies/%s", code);
    return path;
}

/* What the database holds for an agency and what its admin did. */
static char *state_of(const char *code, const person *admin)
{
    char *fp = db_fingerprint(code);
    const char *params[] = {code, admin->who.sub};
    char *row = db_value("SELECT coalesce((SELECT name || '/' || kind || '/' || active || '/' ||"
                         " version FROM agencies WHERE code = $1), '-') || ' audit=' ||"
                         " (SELECT count(*) FROM audit_events WHERE actor_sub = $2) ||"
                         " ' about=' || (SELECT count(*) FROM audit_events WHERE resource_id = $1)",
                         2, params);
    size_t n = strlen(fp) + strlen(row) + 4;
    char *out = malloc(n);
    snprintf(out, n, "%s | %s", fp, row);
    free(fp);
    free(row);
    return out;
}

static void expect_state_unchanged(const char *code, const person *admin, const char *before)
{
    char *after = state_of(code, admin);
    cr_assert_str_eq(after, before, "the database changed: [%s] -> [%s]", before, after);
    free(after);
}

static http_response *create(const person *admin, const char *code, const char *name,
                             const char *kind)
{
    json_t *body = json_pack("{s:s, s:s, s:s}", "code", code, "name", name, "kind", kind);
    http_response *r = api_call("POST", "/v1/agencies", admin->token, body, NULL);
    json_decref(body);
    return r;
}

static void create_ok(const person *admin, const char *code, const char *name, const char *kind)
{
    http_response *r = create(admin, code, name, kind);
    cr_assert_eq(r->status, 201, "creating %s: %ld %s", code, r->status, r->body);
    http_free(r);
}

static http_response *patch(const person *admin, const char *code, json_t *body,
                            const char *if_match)
{
    http_response *r = api_call("PATCH", agency_path(code), admin->token, body, if_match);
    json_decref(body);
    return r;
}

/* An admin acting for an agency of their own, so that the audit rows and
 * fingerprints of parallel tests never mix. */
static person new_admin(void)
{
    char code[32];
    new_code(code, sizeof code, "ADM");
    return person_new(code, "admin");
}

/* fmt with its one "%s" replaced by arg (no printf: the formats are data). */
static void subst(char *out, size_t size, const char *fmt, const char *arg)
{
    const char *at = strstr(fmt, "%s");
    cr_assert(at, "a %%s in %s", fmt);
    snprintf(out, size, "%.*s%s%s", (int)(at - fmt), fmt, arg, at + 2);
}

/* --- creating --- */

Test(agencies, admin_creates_agency_201)
{
    person admin = new_admin();
    char code[32];
    new_code(code, sizeof code, "C");
    http_response *r = create(&admin, code, "Northshire Constabulary", "police");
    cr_assert_eq(r->status, 201, "%s", r->body);
    char *ct = http_header(r, "Content-Type");
    cr_assert_str_eq(ct, "application/json");
    free(ct);
    char *location = http_header(r, "Location");
    cr_assert_str_eq(location, agency_path(code));
    free(location);
    char *etag = http_header(r, "ETag");
    cr_assert_str_eq(etag, "\"1\"");
    free(etag);
    cr_assert_str_eq(json_str(r->json, "code"), code);
    cr_assert_str_eq(json_str(r->json, "name"), "Northshire Constabulary");
    cr_assert_str_eq(json_str(r->json, "kind"), "police");
    cr_assert(json_is_true(json_object_get(r->json, "active")), "%s", r->body);
    cr_assert_eq(json_int(r->json, "version"), 1);
    const char *created = json_str(r->json, "created_at");
    const char *updated = json_str(r->json, "updated_at");
    cr_assert(created && strlen(created) >= 20 && created[strlen(created) - 1] == 'Z',
              "created_at is RFC 3339 UTC: %s", r->body);
    cr_assert(updated && strcmp(updated, created) == 0, "%s", r->body);
    http_free(r);

    /* what was created can be read back by anyone authenticated */
    person reader = person_new(code, "practitioner");
    r = api_get(agency_path(code), reader.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "name"), "Northshire Constabulary");
    http_free(r);

    /* every kind of the directory is accepted */
    const char *kinds[] = {"childrens_social_care", "police", "health", "education",
                           "early_years", "probation", "youth_justice", "housing",
                           "voluntary", "other", NULL};
    for (const char *const *k = kinds; *k; k++) {
        char another[32];
        new_code(another, sizeof another, "K-");
        r = create(&admin, another, "Kind test", *k);
        cr_assert_eq(r->status, 201, "kind %s: %s", *k, r->body);
        cr_assert_str_eq(json_str(r->json, "kind"), *k);
        http_free(r);
    }
    person_free(&reader);
    person_free(&admin);
}

Test(agencies, duplicate_code_409_changes_nothing)
{
    person admin = new_admin();
    char code[32];
    new_code(code, sizeof code, "D");
    create_ok(&admin, code, "First of its code", "health");
    char *before = state_of(code, &admin);

    http_response *r = create(&admin, code, "Second of its code", "police");
    expect_problem(r, 409, "/problems/agency-exists");
    http_free(r);
    expect_state_unchanged(code, &admin, before);

    /* another admin gets the same answer */
    person other = new_admin();
    r = create(&other, code, "Third of its code", "education");
    expect_problem(r, 409, "/problems/agency-exists");
    http_free(r);
    expect_state_unchanged(code, &admin, before);

    person_free(&other);
    free(before);
    person_free(&admin);
}

typedef struct bad_agency {
    const char *what;
    const char *json;
    const char *fields[4];
} bad_agency;

Test(agencies, SEC_6_invalid_agency_400_names_fields)
{
    person admin = new_admin();
    char code[32];
    new_code(code, sizeof code, "V");
    char *before = state_of(code, &admin);
    char doc[600];
    char long_name[260];
    memset(long_name, 'n', 201);
    long_name[201] = '\0';
    char long_code[64];
    snprintf(long_code, sizeof long_code, "%sABCDEFGHIJKLMNOPQRSTUVWXYZ", code);

    struct {
        const char *what;
        const char *fmt;
        const char *arg;
        const char *fields[4];
    } cases[] = {
        {"lower-case code", "{\"code\":\"%s-lower\",\"name\":\"N\",\"kind\":\"police\"}", "x",
         {"code"}},
        {"code starting with '-'", "{\"code\":\"-%s\",\"name\":\"N\",\"kind\":\"police\"}", code,
         {"code"}},
        {"code with a space", "{\"code\":\"%s X\",\"name\":\"N\",\"kind\":\"police\"}", code,
         {"code"}},
        {"one-character code", "{\"code\":\"%s\",\"name\":\"N\",\"kind\":\"police\"}", "Q",
         {"code"}},
        {"code too long", "{\"code\":\"%s\",\"name\":\"N\",\"kind\":\"police\"}", long_code,
         {"code"}},
        {"code not a string", "{\"code\":12%s,\"name\":\"N\",\"kind\":\"police\"}", "",
         {"code"}},
        {"unknown kind", "{\"code\":\"%s\",\"name\":\"N\",\"kind\":\"spaceship\"}", code,
         {"kind"}},
        {"kind not a string", "{\"code\":\"%s\",\"name\":\"N\",\"kind\":[\"police\"]}", code,
         {"kind"}},
        {"blank name", "{\"code\":\"%s\",\"name\":\"   \",\"kind\":\"police\"}", code, {"name"}},
        {"name too long", "{\"code\":\"V1\",\"name\":\"%s\",\"kind\":\"police\"}", long_name,
         {"name"}},
        {"missing fields", "{%s}", "", {"code", "name", "kind"}},
        {"null fields", "{\"code\":null,\"name\":null,\"kind\":null%s}", "",
         {"code", "name", "kind"}},
        {"unknown field",
         "{\"code\":\"%s\",\"name\":\"N\",\"kind\":\"police\",\"colour\":\"blue\"}", code,
         {"colour"}},
        {"read-only field",
         "{\"code\":\"%s\",\"name\":\"N\",\"kind\":\"police\",\"version\":7}", code,
         {"version"}},
        {"several at once", "{\"code\":\"%s!\",\"kind\":\"ufo\",\"active\":false}", code,
         {"code", "kind", "name"}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        subst(doc, sizeof doc, cases[i].fmt, cases[i].arg);
        const char *headers[] = {"Content-Type: application/json", NULL};
        http_response *r = http_call("POST", "/v1/agencies", admin.token, headers, doc,
                                     strlen(doc));
        cr_assert_eq(r->status, 400, "%s -> %ld %s", cases[i].what, r->status, r->body);
        expect_problem(r, 400, "/problems/invalid-request");
        for (int f = 0; f < 4 && cases[i].fields[f]; f++)
            cr_assert(problem_has_field(r, cases[i].fields[f]), "%s names '%s': %s",
                      cases[i].what, cases[i].fields[f], r->body);
        http_free(r);
        expect_state_unchanged(code, &admin, before);
    }
    const char *params[] = {admin.who.sub};
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE actor_sub = $1", 1, params), 0);
    free(before);
    person_free(&admin);
}

/* --- reading --- */

/* Pages through GET /v1/agencies?<query> with the limit until every one of
 * codes has been seen (or the list ends); checks order and filters on the
 * way. seen[i] counts how often codes[i] came up. Returns the pages read. */
static int page_through(const char *token, const char *query, int limit, const char **codes,
                        int n, int *seen, const char *kind, int active)
{
    char *cursor = NULL;
    char last[64] = "";
    int pages = 0, found = 0;
    for (;;) {
        char path[512];
        snprintf(path, sizeof path, "/v1/agencies?%s%slimit=%d%s%s", query, *query ? "&" : "",
                 limit, cursor ? "&cursor=" : "", cursor ? cursor : "");
        free(cursor);
        cursor = NULL;
        http_response *r = api_get(path, token);
        cr_assert_eq(r->status, 200, "%s -> %ld %s", path, r->status, r->body);
        pages++;
        json_t *items = json_object_get(r->json, "items");
        cr_assert(json_is_array(items), "%s", r->body);
        cr_assert_leq(json_array_size(items), (size_t)limit);
        size_t i;
        json_t *item;
        json_array_foreach(items, i, item) {
            const char *code = json_str(item, "code");
            cr_assert(code, "%s", r->body);
            cr_assert_gt(strcmp(code, last), 0, "codes ascend across pages: %s after %s", code,
                         last);
            snprintf(last, sizeof last, "%s", code);
            if (kind)
                cr_assert_str_eq(json_str(item, "kind"), kind, "kind filter: %s", code);
            if (active >= 0)
                cr_assert_eq(json_is_true(json_object_get(item, "active")), active,
                             "active filter: %s", code);
            for (int k = 0; k < n; k++)
                if (strcmp(codes[k], code) == 0) {
                    seen[k]++;
                    found++;
                }
        }
        json_t *next = json_object_get(r->json, "next_cursor");
        cr_assert(json_is_null(next) || json_is_string(next), "%s", r->body);
        if (json_is_string(next))
            cursor = strdup(json_string_value(next));
        http_free(r);
        /* the codes sort after any other test's agencies of the prefix: once
         * every one is found, or past them, there is no need to go on */
        if (!cursor || found == n || strcmp(last, codes[n - 1]) > 0)
            break;
        cr_assert_lt(pages, 5000, "paging does not end");
    }
    free(cursor);
    return pages;
}

Test(agencies, list_filters_and_pages_through_next_cursor)
{
    person admin = new_admin();
    /* codes that sort early ("0" before letters), sharing a unique prefix */
    char prefix[32];
    new_code(prefix, sizeof prefix, "0");
    char codes[6][40];
    const char *kinds[] = {"police", "health", "police", "police", "health", "police"};
    const char *list[6];
    for (int i = 0; i < 6; i++) {
        snprintf(codes[i], sizeof codes[i], "%s-%c", prefix, 'A' + i);
        create_ok(&admin, codes[i], "Paged agency", kinds[i]);
        list[i] = codes[i];
    }
    /* one police agency is no longer active */
    http_response *r = patch(&admin, codes[3], json_pack("{s:b}", "active", 0), "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    person reader = person_new(codes[0], "practitioner");

    /* everything, two at a time: each of ours exactly once, in code order */
    int seen[6] = {0};
    int pages = page_through(reader.token, "", 2, list, 6, seen, NULL, -1);
    for (int i = 0; i < 6; i++)
        cr_assert_eq(seen[i], 1, "%s seen %d times", codes[i], seen[i]);
    cr_assert_geq(pages, 3, "six agencies at two a page take three pages or more");

    /* kind=police: only police agencies, ours among them */
    memset(seen, 0, sizeof seen);
    page_through(reader.token, "kind=police", 1, list, 6, seen, "police", -1);
    for (int i = 0; i < 6; i++)
        cr_assert_eq(seen[i], strcmp(kinds[i], "police") == 0 ? 1 : 0, "%s (%s) seen %d",
                     codes[i], kinds[i], seen[i]);

    /* kind=police&active=true: the inactive one drops out */
    memset(seen, 0, sizeof seen);
    page_through(reader.token, "kind=police&active=true", 2, list, 6, seen, "police", 1);
    for (int i = 0; i < 6; i++)
        cr_assert_eq(seen[i], (strcmp(kinds[i], "police") == 0 && i != 3) ? 1 : 0,
                     "%s seen %d", codes[i], seen[i]);

    /* active=false: only the inactive one of ours */
    memset(seen, 0, sizeof seen);
    page_through(reader.token, "active=false", 3, list, 6, seen, NULL, 0);
    for (int i = 0; i < 6; i++)
        cr_assert_eq(seen[i], i == 3 ? 1 : 0, "%s seen %d", codes[i], seen[i]);

    /* the default page and the largest page are fine; bad values are not */
    r = api_get("/v1/agencies", reader.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_leq(json_array_size(json_object_get(r->json, "items")), 50);
    http_free(r);
    r = api_get("/v1/agencies?limit=200", reader.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    struct {
        const char *query, *field;
    } bad[] = {{"kind=spaceship", "kind"}, {"active=yes", "active"}, {"limit=0", "limit"},
               {"limit=201", "limit"},     {"limit=ten", "limit"},   {"limit=-1", "limit"},
               {"cursor=x", "cursor"},     {"cursor=", "cursor"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char path[128];
        snprintf(path, sizeof path, "/v1/agencies?%s", bad[i].query);
        r = api_get(path, reader.token);
        expect_problem(r, 400, "/problems/invalid-request");
        cr_assert(problem_has_field(r, bad[i].field), "%s names %s: %s", bad[i].query,
                  bad[i].field, r->body);
        http_free(r);
    }
    person_free(&reader);
    person_free(&admin);
}

Test(agencies, get_one_and_404_for_unknown)
{
    person admin = new_admin();
    char code[32];
    new_code(code, sizeof code, "G");
    create_ok(&admin, code, "Readable Agency", "early_years");
    person reader = person_new("SOMEWHERE-ELSE", "practitioner");

    http_response *r = api_get(agency_path(code), reader.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    char *etag = http_header(r, "ETag");
    cr_assert_str_eq(etag, "\"1\"");
    free(etag);
    cr_assert_str_eq(json_str(r->json, "code"), code);
    cr_assert_str_eq(json_str(r->json, "kind"), "early_years");
    cr_assert_eq(json_int(r->json, "version"), 1);
    http_free(r);

    char unknown[40];
    new_code(unknown, sizeof unknown, "NONE");
    r = api_get(agency_path(unknown), reader.token);
    expect_problem(r, 404, "/problems/not-found");
    http_free(r);

    /* codes are upper case: the lower-case spelling is another (absent) code */
    char lower[40];
    snprintf(lower, sizeof lower, "%s", code);
    for (char *c = lower; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    r = api_get(agency_path(lower), reader.token);
    expect_problem(r, 404, "/problems/not-found");
    http_free(r);
    person_free(&reader);
    person_free(&admin);
}

/* --- changing --- */

Test(agencies, patch_with_if_match_bumps_version)
{
    person admin = new_admin();
    char code[32];
    new_code(code, sizeof code, "P");
    create_ok(&admin, code, "Before Renaming", "voluntary");

    http_response *r = patch(&admin, code, json_pack("{s:s}", "name", "After Renaming"), "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    char *etag = http_header(r, "ETag");
    cr_assert_str_eq(etag, "\"2\"");
    free(etag);
    cr_assert_str_eq(json_str(r->json, "name"), "After Renaming");
    cr_assert_str_eq(json_str(r->json, "kind"), "voluntary");
    cr_assert_eq(json_int(r->json, "version"), 2);
    cr_assert(json_is_true(json_object_get(r->json, "active")));
    http_free(r);

    r = patch(&admin, code, json_pack("{s:s}", "kind", "housing"), "\"2\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "kind"), "housing");
    cr_assert_str_eq(json_str(r->json, "name"), "After Renaming");
    cr_assert_eq(json_int(r->json, "version"), 3);
    http_free(r);

    r = patch(&admin, code, json_pack("{s:b}", "active", 0), "W/\"9\", \"3\"");
    cr_assert_eq(r->status, 200, "If-Match lists several tags: %s", r->body);
    cr_assert(json_is_false(json_object_get(r->json, "active")), "%s", r->body);
    cr_assert_eq(json_int(r->json, "version"), 4);
    etag = http_header(r, "ETag");
    cr_assert_str_eq(etag, "\"4\"");
    free(etag);
    const char *created = json_str(r->json, "created_at");
    const char *updated = json_str(r->json, "updated_at");
    cr_assert(created && updated && strcmp(updated, created) > 0, "updated_at moves on: %s",
              r->body);
    http_free(r);

    /* several fields at once */
    r = patch(&admin, code, json_pack("{s:s, s:s, s:b}", "name", "All Three", "kind", "other",
                                      "active", 1),
              "\"4\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_eq(json_int(r->json, "version"), 5);
    http_free(r);

    /* a read shows the last state and its ETag */
    r = api_get(agency_path(code), admin.token);
    cr_assert_eq(r->status, 200);
    etag = http_header(r, "ETag");
    cr_assert_str_eq(etag, "\"5\"");
    free(etag);
    cr_assert_str_eq(json_str(r->json, "name"), "All Three");
    cr_assert_str_eq(json_str(r->json, "kind"), "other");
    cr_assert(json_is_true(json_object_get(r->json, "active")));
    http_free(r);

    /* "*" matches any version */
    r = patch(&admin, code, json_pack("{s:s}", "name", "Starred"), "*");
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_eq(json_int(r->json, "version"), 6);
    http_free(r);
    person_free(&admin);
}

Test(agencies, patch_stale_if_match_412_changes_nothing)
{
    person admin = new_admin();
    char code[32];
    new_code(code, sizeof code, "S");
    create_ok(&admin, code, "Stale Test", "health");
    http_response *r = patch(&admin, code, json_pack("{s:s}", "name", "Second Name"), "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
    char *before = state_of(code, &admin);

    const char *stale[] = {"\"1\"", "\"3\"", "W/\"2\"", "\"02x\"", NULL};
    for (const char *const *tag = stale; *tag; tag++) {
        r = patch(&admin, code, json_pack("{s:s}", "name", "Lost Update"), *tag);
        cr_assert_eq(r->status, 412, "If-Match %s -> %ld %s", *tag, r->status, r->body);
        expect_problem(r, 412, "/problems/stale-version");
        char *etag = http_header(r, "ETag");
        cr_assert_str_eq(etag, "\"2\"", "a 412 names the current version");
        free(etag);
        http_free(r);
        expect_state_unchanged(code, &admin, before);
    }
    /* a malformed If-Match is a 400, also without change */
    const char *malformed[] = {"2", "\"2", "abc", NULL};
    for (const char *const *tag = malformed; *tag; tag++) {
        r = patch(&admin, code, json_pack("{s:s}", "name", "Lost Update"), *tag);
        expect_problem(r, 400, "/problems/invalid-request");
        cr_assert(problem_has_field(r, "If-Match"), "%s", r->body);
        http_free(r);
        expect_state_unchanged(code, &admin, before);
    }
    free(before);
    person_free(&admin);
}

Test(agencies, patch_without_if_match_428_changes_nothing)
{
    person admin = new_admin();
    char code[32];
    new_code(code, sizeof code, "N");
    create_ok(&admin, code, "No Precondition", "police");
    char *before = state_of(code, &admin);
    http_response *r = patch(&admin, code, json_pack("{s:s}", "name", "Blind Write"), NULL);
    expect_problem(r, 428, "/problems/precondition-required");
    http_free(r);
    expect_state_unchanged(code, &admin, before);

    /* an unknown agency still needs If-Match first */
    char unknown[40];
    new_code(unknown, sizeof unknown, "NONE");
    r = patch(&admin, unknown, json_pack("{s:s}", "name", "Nobody"), NULL);
    expect_problem(r, 428, "/problems/precondition-required");
    http_free(r);
    /* and with it, 404 */
    r = patch(&admin, unknown, json_pack("{s:s}", "name", "Nobody"), "\"1\"");
    expect_problem(r, 404, "/problems/not-found");
    http_free(r);
    const char *params[] = {unknown};
    cr_assert_eq(db_long("SELECT count(*) FROM agencies WHERE code = $1", 1, params), 0);
    free(before);
    person_free(&admin);
}

Test(agencies, SEC_6_patch_read_only_and_invalid_fields_400)
{
    person admin = new_admin();
    char code[32];
    new_code(code, sizeof code, "R");
    create_ok(&admin, code, "Read Only Test", "education");
    char *before = state_of(code, &admin);

    struct {
        json_t *body;
        const char *field;
        const char *fragment;
    } cases[] = {
        {json_pack("{s:s}", "code", "RENAMED-CODE"), "code", "read-only"},
        {json_pack("{s:i}", "version", 9), "version", "read-only"},
        {json_pack("{s:s}", "created_at", "2020-01-01T00:00:00Z"), "created_at", "read-only"},
        {json_pack("{s:s, s:s}", "name", "Fine", "code", "X1"), "code", "read-only"},
        {json_pack("{s:s}", "colour", "red"), "colour", "unknown"},
        {json_pack("{s:s}", "kind", "spaceship"), "kind", NULL},
        {json_pack("{s:s}", "active", "yes"), "active", NULL},
        {json_pack("{s:s}", "name", "  "), "name", NULL},
        {json_pack("{s:i}", "name", 5), "name", NULL},
        {json_pack("{s:n}", "kind"), "kind", NULL},
        {json_pack("{s:n}", "active"), "active", NULL},
        {json_pack("{}"), "", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        http_response *r = patch(&admin, code, cases[i].body, "\"1\"");
        cr_assert_eq(r->status, 400, "case %zu (%s) -> %ld %s", i, cases[i].field, r->status,
                     r->body);
        expect_problem(r, 400, "/problems/invalid-request");
        cr_assert(problem_has_field(r, cases[i].field), "names %s: %s", cases[i].field,
                  r->body);
        if (cases[i].fragment)
            cr_assert(strstr(r->body, cases[i].fragment), "says %s: %s", cases[i].fragment,
                      r->body);
        http_free(r);
        expect_state_unchanged(code, &admin, before);
    }
    free(before);
    person_free(&admin);
}

Test(agencies, SEC_3_patch_by_non_admin_403_changes_nothing)
{
    person admin = new_admin();
    char code[32];
    new_code(code, sizeof code, "F");
    create_ok(&admin, code, "Forbidden Change", "probation");
    char *before = state_of(code, &admin);
    const char *roles[] = {"practitioner", "manager", "senior_manager", "auditor",
                           "integration", NULL};
    for (const char *const *role = roles; *role; role++) {
        /* even a member of the agency itself */
        person p = person_new(code, *role);
        http_response *r = patch(&p, code, json_pack("{s:b}", "active", 0), "\"1\"");
        cr_assert_eq(r->status, 403, "%s -> %ld %s", *role, r->status, r->body);
        expect_problem(r, 403, "/problems/forbidden");
        http_free(r);
        expect_state_unchanged(code, &admin, before);
        const char *params[] = {p.who.sub};
        cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE actor_sub = $1", 1, params),
                     0);
        person_free(&p);
    }
    free(before);
    person_free(&admin);
}

/* --- Idempotency-Key --- */

Test(agencies, idempotency_key_replays_the_first_answer)
{
    person admin = new_admin();
    char code[32], key[64], key_header[96];
    new_code(code, sizeof code, "I");
    unique_suffix(key, sizeof key);
    snprintf(key_header, sizeof key_header, "Idempotency-Key: agency-%s", key);
    const char *headers[] = {"Content-Type: application/json", key_header, NULL};
    char doc[200];
    snprintf(doc, sizeof doc, "{\"code\":\"%s\",\"name\":\"Once Only\",\"kind\":\"health\"}",
             code);

    http_response *first = http_call("POST", "/v1/agencies", admin.token, headers, doc,
                                     strlen(doc));
    cr_assert_eq(first->status, 201, "%s", first->body);
    char *replayed = http_header(first, "Idempotent-Replayed");
    cr_assert_null(replayed);
    char *before = state_of(code, &admin);
    const char *params[] = {code};
    long events_before = db_long("SELECT count(*) FROM events WHERE resource_id = $1", 1, params);

    http_response *again = http_call("POST", "/v1/agencies", admin.token, headers, doc,
                                     strlen(doc));
    cr_assert_eq(again->status, 201, "the replay answers as the first time: %s", again->body);
    replayed = http_header(again, "Idempotent-Replayed");
    cr_assert_str_eq(replayed, "true");
    free(replayed);
    cr_assert(json_equal(first->json, again->json), "same body: %s vs %s", first->body,
              again->body);
    char *l1 = http_header(first, "Location");
    char *l2 = http_header(again, "Location");
    cr_assert_str_eq(l2, l1);
    char *e1 = http_header(first, "ETag");
    char *e2 = http_header(again, "ETag");
    cr_assert_str_eq(e2, e1);
    free(l1);
    free(l2);
    free(e1);
    free(e2);
    cr_assert_eq(db_long("SELECT count(*) FROM agencies WHERE code = $1", 1, params), 1);
    cr_assert_eq(db_long("SELECT version FROM agencies WHERE code = $1", 1, params), 1);
    cr_assert_eq(db_long("SELECT count(*) FROM events WHERE resource_id = $1", 1, params),
                 events_before, "a replay announces nothing");
    /* the replay is audited as a replay */
    const char *replay_params[] = {admin.who.sub, code};
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE actor_sub = $1 AND"
                         " resource_id = $2 AND action = 'agency.create.replayed'",
                         2, replay_params),
                 1);
    http_free(again);

    /* the same request spelt differently (key order, whitespace) is the
     * same request: replayed, not refused */
    char respelt[200];
    snprintf(respelt, sizeof respelt,
             "{ \"kind\" : \"health\",\n  \"name\" : \"Once Only\", \"code\" : \"%s\" }", code);
    again = http_call("POST", "/v1/agencies", admin.token, headers, respelt, strlen(respelt));
    cr_assert_eq(again->status, 201, "%s", again->body);
    replayed = http_header(again, "Idempotent-Replayed");
    cr_assert_str_eq(replayed, "true");
    free(replayed);
    cr_assert(json_equal(first->json, again->json));
    http_free(again);
    cr_assert_eq(db_long("SELECT count(*) FROM agencies WHERE code = $1", 1, params), 1);
    free(before);

    /* the same key with another body: 422, nothing created */
    before = state_of(code, &admin);
    char other_code[32];
    new_code(other_code, sizeof other_code, "I");
    char other_doc[200];
    snprintf(other_doc, sizeof other_doc,
             "{\"code\":\"%s\",\"name\":\"Once Only\",\"kind\":\"health\"}", other_code);
    http_response *r = http_call("POST", "/v1/agencies", admin.token, headers, other_doc,
                                 strlen(other_doc));
    expect_problem(r, 422, "/problems/idempotency-key-reused");
    cr_assert(problem_has_field(r, "Idempotency-Key"), "%s", r->body);
    http_free(r);
    expect_state_unchanged(code, &admin, before);
    const char *other_params[] = {other_code};
    cr_assert_eq(db_long("SELECT count(*) FROM agencies WHERE code = $1", 1, other_params), 0);

    /* keys belong to their caller: another admin's same key is a new request */
    person other = new_admin();
    r = http_call("POST", "/v1/agencies", other.token, headers, other_doc, strlen(other_doc));
    cr_assert_eq(r->status, 201, "%s", r->body);
    char *replay_other = http_header(r, "Idempotent-Replayed");
    cr_assert_null(replay_other);
    http_free(r);

    /* a malformed key is refused */
    const char *bad_headers[] = {"Content-Type: application/json", "Idempotency-Key: has space",
                                 NULL};
    char third[32];
    new_code(third, sizeof third, "I");
    snprintf(other_doc, sizeof other_doc,
             "{\"code\":\"%s\",\"name\":\"Bad Key\",\"kind\":\"health\"}", third);
    r = http_call("POST", "/v1/agencies", admin.token, bad_headers, other_doc,
                  strlen(other_doc));
    expect_problem(r, 400, "/problems/invalid-request");
    cr_assert(problem_has_field(r, "Idempotency-Key"), "%s", r->body);
    http_free(r);
    const char *third_params[] = {third};
    cr_assert_eq(db_long("SELECT count(*) FROM agencies WHERE code = $1", 1, third_params), 0);

    person_free(&other);
    free(before);
    http_free(first);
    person_free(&admin);
}

/* --- SEC-4 and INT-2 --- */

Test(agencies, SEC_4_INT_2_changes_are_audited_and_announced)
{
    /* an agency already in the directory, which must not hear of them */
    char *witness = agency_new("education");
    person admin = new_admin();
    char code[32];
    new_code(code, sizeof code, "E");
    const char *id_header = "X-Request-Id: agency-create-request-1";
    char doc[200];
    snprintf(doc, sizeof doc, "{\"code\":\"%s\",\"name\":\"Audited\",\"kind\":\"police\"}",
             code);
    const char *headers[] = {"Content-Type: application/json", id_header, NULL};
    http_response *r = http_call("POST", "/v1/agencies", admin.token, headers, doc, strlen(doc));
    cr_assert_eq(r->status, 201, "%s", r->body);
    http_free(r);

    r = patch(&admin, code, json_pack("{s:s}", "name", "Audited Twice"), "\"1\"");
    cr_assert_eq(r->status, 200, "%s", r->body);
    char *update_id = http_header(r, "X-Request-Id");
    http_free(r);

    /* audit: who, for which agency, what, on what, and under which request */
    const char *params[] = {code};
    char *create_row = db_value(
        "SELECT actor_sub || '|' || actor_agency || '|' || resource_type || '|' || outcome ||"
        " '|' || request_id FROM audit_events WHERE resource_id = $1 AND action = 'agency.create'",
        1, params);
    char expected[400];
    snprintf(expected, sizeof expected, "%s|%s|agency|success|agency-create-request-1",
             admin.who.sub, admin.who.agency);
    cr_assert_str_eq(create_row, expected);
    free(create_row);
    char *update_row = db_value(
        "SELECT actor_sub || '|' || actor_agency || '|' || resource_type || '|' || outcome ||"
        " '|' || request_id FROM audit_events WHERE resource_id = $1 AND action = 'agency.update'",
        1, params);
    snprintf(expected, sizeof expected, "%s|%s|agency|success|%s", admin.who.sub,
             admin.who.agency, update_id);
    cr_assert_str_eq(update_row, expected);
    free(update_row);
    free(update_id);
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE resource_id = $1", 1, params),
                 2);

    /* feed: one event per change on the agency's own feed, in order, and on
     * no other agency's feed */
    char *types = db_value("SELECT string_agg(type || ':' || resource_type || ':' ||"
                           " resource_id || ':' || resource_version, ',' ORDER BY tx, position)"
                           " FROM events WHERE agency = $1 AND resource_id = $1",
                           1, params);
    snprintf(expected, sizeof expected, "agency.created:agency:%s:1,agency.updated:agency:%s:2",
             code, code);
    cr_assert_str_eq(types, expected);
    free(types);
    const char *both[] = {code, witness};
    cr_assert_eq(db_long("SELECT count(*) FROM events WHERE agency = $2 AND resource_id = $1",
                         2, both),
                 0, "an agency already in the directory hears of neither change");
    /* one event id per change, whichever feed carries it */
    cr_assert_eq(db_long("SELECT count(DISTINCT event_id) FROM events WHERE resource_id = $1",
                         1, params),
                 2);
    long announced = db_long("SELECT count(*) FROM events WHERE resource_id = $1", 1, params);

    /* and an integration of the agency reads them there */
    person integration = person_new(code, "integration");
    bool both_seen = false;
    for (int attempt = 0; attempt < 600 && !both_seen; attempt++) { /* 30 s */
        r = api_get("/v1/events?limit=200", integration.token);
        cr_assert_eq(r->status, 200, "%s", r->body);
        json_t *items = json_object_get(r->json, "items");
        int seen = 0;
        size_t i;
        json_t *e;
        json_array_foreach(items, i, e) {
            if (strcmp(json_str(e, "resource_id"), code) != 0)
                continue;
            cr_assert_str_eq(json_str(e, "type"), seen ? "agency.updated" : "agency.created");
            cr_assert_eq(json_int(e, "resource_version"), seen + 1);
            seen++;
        }
        both_seen = seen == 2;
        http_free(r);
        if (!both_seen)
            usleep(50000);
    }
    cr_assert(both_seen, "the integration sees both agency events");

    /* a refused change writes neither */
    r = patch(&admin, code, json_pack("{s:s}", "name", "Never"), "\"1\"");
    expect_problem(r, 412, "/problems/stale-version");
    http_free(r);
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE resource_id = $1", 1, params),
                 2);
    cr_assert_eq(db_long("SELECT count(*) FROM events WHERE resource_id = $1", 1, params),
                 announced);
    person_free(&integration);
    free(witness);
    person_free(&admin);
}
