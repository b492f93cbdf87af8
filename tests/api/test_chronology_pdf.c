/* A child's chronology as a PDF for a court bundle (CHR-3): the pages
 * numbered, an index of the entries with bookmarks, the entries' own text
 * (not images), checked with poppler-utils (pdfinfo, pdftotext, pdftohtml);
 * the same visibility (SEC-2), filters and audit (SEC-4) as the JSON
 * chronology. Every name and number is fictitious (NHS numbers of the 999
 * range kept for testing). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support/client.h"
#include "support/expect.h"
#include "support/fixtures.h"
#include "support/people.h"
#include "support/planning.h"

#define ENTRIES 36

typedef struct child_record {
    char *csc, *other;
    person social_worker, stranger;
    char *meeting, *child;
    char nhs[11];
} child_record;

/* A meeting about a child named by an NHS number, and ENTRIES entries of
 * the social worker's agency about the child, each long enough to wrap. */
static void child_record_new(child_record *c)
{
    memset(c, 0, sizeof *c);
    c->csc = agency_new("childrens_social_care");
    c->other = agency_new("education");
    c->social_worker = person_new(c->csc, "practitioner");
    c->stranger = person_new(c->other, "practitioner");
    nhs_number_new(c->nhs);
    json_t *body = meeting_body("professionals");
    json_t *child = json_array_get(json_object_get(body, "children"), 0);
    json_object_set_new(child, "nhs_number", json_string(c->nhs));
    json_object_set_new(child, "name", json_string("Zo\xc3\xab \xc5\x81ukasz Example"));
    http_response *r = api_call("POST", "/v1/meetings", c->social_worker.token, body, NULL);
    json_decref(body);
    cr_assert_eq(r->status, 201, "requesting a meeting: %ld %s", r->status, r->body);
    c->meeting = strdup(json_str(r->json, "id"));
    http_free(r);
    const char *params[] = {c->meeting};
    c->child = db_value("SELECT child_id::text FROM meeting_children WHERE meeting_id = $1"
                        " AND is_subject",
                        1, params);
    cr_assert(c->child[0]);

    char path[200];
    snprintf(path, sizeof path, "/v1/children/%s/chronology/entries", c->child);
    for (int i = 0; i < ENTRIES; i++) {
        char on[11], what[400];
        date_from_today(-(ENTRIES + 5) + i, on);
        snprintf(what, sizeof what,
                 "Home visit %d: the child was seen with her younger brother; the kitchen "
                 "was clean, food in the cupboards, and the mother spoke about the "
                 "support she had from the family \xe2\x80\x94 \xe2\x80\x9cthings are better\xe2\x80\x9d.",
                 i + 1);
        json_t *entry = json_pack("{s:s, s:s, s:s, s:s}", "occurred_on", on, "what_happened",
                                  what, "action_taken",
                                  "Visit recorded; next visit booked with the health visitor",
                                  "basis", i % 4 ? "fact" : "opinion");
        r = api_call("POST", path, c->social_worker.token, entry, NULL);
        json_decref(entry);
        cr_assert_eq(r->status, 201, "entry %d: %ld %s", i, r->status, r->body);
        http_free(r);
    }
}

static void child_record_free(child_record *c)
{
    free(c->csc);
    free(c->other);
    person_free(&c->social_worker);
    person_free(&c->stranger);
    free(c->meeting);
    free(c->child);
}

static http_response *pdf_get(const child_record *c, const person *p, const char *query)
{
    char path[400];
    snprintf(path, sizeof path, "/v1/children/%s/chronology/pdf%s%s", c->child,
             query ? "?" : "", query ? query : "");
    return api_get(path, p->token);
}

/* The body in a new temporary file; its name (free, unlink). */
static char *saved(const http_response *r)
{
    char *name = strdup("/tmp/mam-chronology-XXXXXX");
    int fd = mkstemp(name);
    cr_assert(fd >= 0);
    cr_assert_eq(write(fd, r->body, r->body_len), (ssize_t)r->body_len);
    close(fd);
    return name;
}

/* What a command prints, as a new string; the file's name follows the
 * command, then the rest (pdftotext's "-" for standard output). */
static char *output_of_to(const char *command, const char *file, const char *rest)
{
    char line[600];
    snprintf(line, sizeof line, "%s '%s' %s 2>&1", command, file, rest);
    FILE *p = popen(line, "r");
    cr_assert_not_null(p);
    size_t cap = 1 << 16, n = 0;
    char *out = malloc(cap);
    size_t got;
    while ((got = fread(out + n, 1, cap - n - 1, p)) > 0) {
        n += got;
        if (n + 1 == cap)
            out = realloc(out, cap *= 2);
    }
    out[n] = '\0';
    int status = pclose(p);
    cr_assert_eq(status, 0, "%s failed: %s", command, out);
    return out;
}

static char *output_of(const char *command, const char *file)
{
    return output_of_to(command, file, "");
}

static char *text_of(const char *file)
{
    return output_of_to("pdftotext -layout", file, "-");
}

static int pages_of(const char *file)
{
    char *info = output_of("pdfinfo", file);
    const char *p = strstr(info, "Pages:");
    cr_assert_not_null(p, "%s", info);
    int pages = atoi(p + 6);
    free(info);
    return pages;
}

static long audit_rows(const char *sub, const char *child)
{
    const char *params[] = {sub, child};
    return db_long("SELECT count(*) FROM audit_events WHERE actor_sub = $1"
                   " AND action = 'child.chronology_pdf' AND resource_type = 'child'"
                   " AND resource_id = $2",
                   2, params);
}

Test(chronology_pdf, CHR_3_pages_numbered_an_index_with_bookmarks_and_the_entries_text)
{
    child_record c;
    child_record_new(&c);
    long audited = audit_rows(c.social_worker.who.sub, c.child);
    http_response *r = pdf_get(&c, &c.social_worker, NULL);
    cr_assert_eq(r->status, 200, "%ld %s", r->status, r->json ? r->body : "");
    char *type = http_header(r, "Content-Type");
    cr_assert_str_eq(type, "application/pdf");
    free(type);
    char *disposition = http_header(r, "Content-Disposition");
    cr_assert_not_null(disposition);
    cr_assert(strstr(disposition, c.child), "%s", disposition);
    free(disposition);
    cr_assert(r->body_len > 5 && memcmp(r->body, "%PDF-", 5) == 0);
    cr_assert_eq(audit_rows(c.social_worker.who.sub, c.child), audited + 1,
                 "SEC-4: the export is audited once, naming the child");

    char *file = saved(r);
    int pages = pages_of(file);
    cr_assert_geq(pages, 3, "the index and entries over several pages: %d", pages);

    char *text = text_of(file);
    char expected[200];
    /* the title: the child as the caller sees them, transliterated where
     * the standard fonts have no letter (Ł) and kept where they have (ë) */
    cr_assert(strstr(text, "Multi-agency chronology"), "%s", text);
    cr_assert(strstr(text, "Zo\xc3\xab Lukasz Example"), "%s", text);
    snprintf(expected, sizeof expected, "nhs_number:%s", c.nhs);
    cr_assert(strstr(text, expected), "%s", text);
    /* the index: a line for each entry, the meeting first */
    cr_assert(strstr(text, "Index"));
    cr_assert(strstr(text, "Meeting requested"), "%s", text);
    cr_assert(strstr(text, "Agency entry"), "%s", text);
    for (int i = 1; i <= ENTRIES; i++) {
        snprintf(expected, sizeof expected, "Home visit %d: the child was seen", i);
        cr_assert(strstr(text, expected), "entry %d's text is in the document", i);
    }
    cr_assert(strstr(text, "\xe2\x80\x9cthings"), "curly quotes kept");
    cr_assert(strstr(text, "Visit recorded; next visit booked with the health visitor"));
    /* every page is numbered */
    for (int i = 1; i <= pages; i++) {
        snprintf(expected, sizeof expected, "Page %d of %d", i, pages);
        cr_assert(strstr(text, expected), "\"%s\" missing", expected);
    }
    free(text);

    /* the outline: the index, then each entry by year */
    char *xml = output_of("pdftohtml -xml -i -stdout -q", file);
    cr_assert(strstr(xml, "<outline>"), "the document has bookmarks");
    cr_assert(strstr(xml, ">Index</item>"), "a bookmark for the index");
    cr_assert(strstr(xml, "1. ") && strstr(xml, " Meeting requested ("),
              "a bookmark for the first entry");
    snprintf(expected, sizeof expected, "%d. ", ENTRIES + 1);
    cr_assert(strstr(xml, expected), "a bookmark for the last entry");
    free(xml);
    unlink(file);
    free(file);
    http_free(r);
    child_record_free(&c);
}

Test(chronology_pdf, CHR_3_filters_choose_the_entries)
{
    child_record c;
    child_record_new(&c);
    http_response *r = pdf_get(&c, &c.social_worker, "kind=meeting_requested");
    cr_assert_eq(r->status, 200);
    char *file = saved(r);
    cr_assert_eq(pages_of(file), 2, "the index, and the one entry");
    char *text = text_of(file);
    cr_assert(strstr(text, "Meeting requested"), "%s", text);
    cr_assert(strstr(text, "Home visit") == NULL, "no agency entry: %s", text);
    cr_assert(strstr(text, "kind meeting_requested"), "the filter is stated: %s", text);
    free(text);
    unlink(file);
    free(file);
    http_free(r);

    /* a period before anything happened: an index that says so, one page */
    r = pdf_get(&c, &c.social_worker, "to=2001-01-01");
    cr_assert_eq(r->status, 200);
    file = saved(r);
    cr_assert_eq(pages_of(file), 1);
    text = text_of(file);
    cr_assert(strstr(text, "No entries."), "%s", text);
    free(text);
    unlink(file);
    free(file);
    http_free(r);
    child_record_free(&c);
}

Test(chronology_pdf, SEC_2_a_stranger_gets_404_and_bad_filters_400_changing_nothing)
{
    child_record c;
    child_record_new(&c);
    char *before_csc = db_fingerprint(c.csc);
    char *before_other = db_fingerprint(c.other);

    http_response *r = pdf_get(&c, &c.stranger, NULL);
    expect_problem(r, 404, NULL);
    cr_assert(strstr(r->body, c.nhs) == NULL);
    http_free(r);
    r = api_get("/v1/children/00000000-0000-4000-8000-000000000000/chronology/pdf",
                c.social_worker.token);
    expect_problem(r, 404, NULL);
    http_free(r);
    r = api_get("/v1/children/not-a-uuid/chronology/pdf", c.social_worker.token);
    expect_problem(r, 404, NULL);
    http_free(r);

    const char *bad[] = {"kind=meeting_rescheduled", "from=2026-02-30", "to=tomorrow",
                         "agency=not%20a%20code", "limit=10", "cursor=abc", "format=pdf"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r = pdf_get(&c, &c.social_worker, bad[i]);
        expect_problem(r, 400, "/problems/invalid-request");
        http_free(r);
    }
    /* a refused request changes nothing and audits nothing (SEC-6) */
    expect_unchanged(c.csc, before_csc);
    expect_unchanged(c.other, before_other);
    free(before_csc);
    free(before_other);
    cr_assert_eq(audit_rows(c.social_worker.who.sub, c.child), 0);
    cr_assert_eq(audit_rows(c.stranger.who.sub, c.child), 0);
    child_record_free(&c);
}
