/* A subject access request's items (SAR-2) over real HTTP against the real
 * database: the records touching a child gathered across three meetings of
 * three agencies, each with its provenance; a person's records by name;
 * the dpo's decisions, refused when malformed without changing anything;
 * and the disclosure set, whose redaction log matches the decisions and
 * from which redacted and withheld text is absent (searched for). Every
 * person, child and NHS number is fictitious. */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "held_meeting.h"
#include "sar_fixture.h"
#include "support/client.h"
#include "support/expect.h"
#include "support/fixtures.h"
#include "support/people.h"
#include "support/planning.h"

static void ok(http_response *r, long status, const char *what)
{
    cr_assert_eq(r->status, status, "%s: %ld %s", what, r->status, r->body);
    http_free(r);
}

static char *id_of(http_response *r, const char *what)
{
    cr_assert_eq(r->status, 201, "%s: %ld %s", what, r->status, r->body);
    char *id = strdup(json_str(r->json, "id"));
    http_free(r);
    return id;
}

/* A meeting about the child of this NHS number requested by `by`. */
static char *meeting_about(const person *by, const char *nhs)
{
    json_t *body = meeting_body("professionals");
    json_t *child = json_array_get(json_object_get(body, "children"), 0);
    json_object_set_new(child, "nhs_number", json_string(nhs));
    http_response *r = api_call("POST", "/v1/meetings", by->token, body, NULL);
    json_decref(body);
    return id_of(r, "requesting a meeting");
}

static char *register_and_gather(const person *dpo, json_t *body, long *version)
{
    http_response *r = sar_register(dpo, body);
    char *id = id_of(r, "registering");
    char path[160];
    snprintf(path, sizeof path, "/v1/subject-access-requests/%s/gather", id);
    r = api_call("POST", path, dpo->token, NULL, "\"1\"");
    cr_assert_eq(r->status, 200, "gathering: %ld %s", r->status, r->body);
    *version = json_int(r->json, "version");
    http_free(r);
    return id;
}

/* Every item of the request (one page of up to 200), a new reference. */
static json_t *items_of(const person *dpo, const char *id)
{
    char path[200];
    snprintf(path, sizeof path, "/v1/subject-access-requests/%s/items?limit=200", id);
    http_response *r = api_get(path, dpo->token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert(json_is_null(json_object_get(r->json, "next_cursor")));
    json_t *items = json_incref(json_object_get(r->json, "items"));
    http_free(r);
    return items;
}

/* The items whose source is this record (type and id). */
static size_t items_from(json_t *items, const char *type, const char *id, json_t **first)
{
    size_t n = 0, i;
    json_t *x;
    *first = NULL;
    json_array_foreach(items, i, x) {
        json_t *source = json_object_get(x, "source");
        if (strcmp(json_str(source, "type"), type) == 0 && strcmp(json_str(source, "id"), id) == 0) {
            if (!n)
                *first = x;
            n++;
        }
    }
    return n;
}

static const char *agency_of(json_t *item)
{
    return json_str(json_object_get(item, "provenance"), "agency");
}

static bool names_third_party(json_t *item, const char *name, const char *role)
{
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(json_object_get(item, "provenance"), "third_parties"), i, x)
        if (strcmp(json_str(x, "name"), name) == 0 && strcmp(json_str(x, "role"), role) == 0)
            return true;
    return false;
}

/* --- a child across three meetings --- */

typedef struct three {
    planned p;                /* meeting one: children's social care, held, minutes approved */
    char nhs[11];
    char *police_meeting;     /* meeting two: convened by the police */
    char *health_meeting;     /* meeting three: asked of health, declined */
    char *nurse_invitation;   /* the health visitor, to the police meeting */
    char *entry;              /* health's own chronology entry */
    char *ledger;             /* a disclosure recorded by hand */
    char *child;
    person police_manager, health_manager;
} three;

static void three_meetings(three *t)
{
    memset(t, 0, sizeof *t);
    nhs_number_new(t->nhs);
    test_clock_set(time(NULL));
    planned *p = &t->p;
    planned_authorised_about(p, "professionals", t->nhs);
    planned_invite_agencies(p);
    planned_inform_family(p);
    planned_schedule(p, HELD_HOUR, "in_person", 0);
    held_attend_and_hold(p, &p->requester);
    held_minutes_approved(p, &p->manager, held_complete_minutes(p, 20));

    t->police_manager = person_new(p->police, "manager");
    t->police_meeting = meeting_about(&p->police_officer, t->nhs);
    meeting_authorise(&t->police_manager, t->police_meeting, 1);
    json_t *body = invitation_body(&p->health_visitor, "Health visitor");
    t->nurse_invitation = id_of(invite(&p->police_officer, t->police_meeting, body),
                                "inviting the health visitor");
    json_decref(body);

    t->health_manager = person_new(p->health, "manager");
    t->health_meeting = meeting_about(&p->health_visitor, t->nhs);
    body = json_pack("{s:s}", "reason", "Met within the health plan");
    ok(api_call("POST", meeting_path(t->health_meeting, "decline"), t->health_manager.token,
                body, "\"1\""),
       200, "declining");
    json_decref(body);

    const char *params[] = {p->meeting_id};
    t->child = db_value("SELECT child_id::text FROM meeting_children WHERE meeting_id = $1"
                        " AND is_subject",
                        1, params);
    cr_assert(t->child[0]);
    char path[160], last_week[11];
    date_from_today(-7, last_week);
    snprintf(path, sizeof path, "/v1/children/%s/chronology/entries", t->child);
    body = json_pack("{s:s, s:s, s:s, s:s}", "occurred_on", last_week, "what_happened",
                     "Seen at the clinic; weight below the expected line", "action_taken",
                     "Referred to the dietitian", "basis", "fact");
    t->entry = id_of(api_call("POST", path, p->health_visitor.token, body, NULL), "an entry");
    json_decref(body);
    body = json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:s, s:s, s:{s:b, s:b, s:s}}",
                     "child_id", t->child, "kind", "disclosure", "channel", "verbal", "what",
                     "The plan's next steps", "to", "name", "A school nurse", "category",
                     "other", "purpose", "To support the child at school", "lawful_basis",
                     "public_task", "views", "child_sought", 0, "parents_sought", 1, "why_not",
                     "The child is too young to be asked");
    t->ledger = id_of(api_call("POST", "/v1/information-sharing", p->requester.token, body,
                               NULL),
                      "a ledger entry");
    json_decref(body);
}

static void three_free(three *t)
{
    free(t->police_meeting);
    free(t->health_meeting);
    free(t->nurse_invitation);
    free(t->entry);
    free(t->ledger);
    free(t->child);
    person_free(&t->police_manager);
    person_free(&t->health_manager);
    planned_free(&t->p);
}

Test(subject_access_items, SAR_2_a_child_across_three_meetings_every_item_with_its_provenance)
{
    three t;
    three_meetings(&t);
    planned *p = &t.p;
    person dpo = person_new(p->csc, "dpo");
    char ref[32];
    snprintf(ref, sizeof ref, "nhs_number:%s", t.nhs);
    char today[11];
    date_from_today(0, today);
    long version;
    char *id = register_and_gather(&dpo, sar_child_body(ref, today), &version);
    json_t *items = items_of(&dpo, id);

    /* each meeting once, from its convening agency, naming the other child
     * of the household as a third party */
    json_t *x;
    const char *meetings[] = {p->meeting_id, t.police_meeting, t.health_meeting};
    const char *conveners[] = {p->csc, p->police, p->health};
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(items_from(items, "meeting", meetings[i], &x), 1, "meeting %d", i);
        cr_assert_str_eq(agency_of(x), conveners[i]);
        cr_assert_str_eq(json_str(json_object_get(x, "provenance"), "meeting_id"), meetings[i]);
        cr_assert(names_third_party(x, "Sam Example", "another_child"));
        cr_assert(json_is_null(json_object_get(x, "decision")));
    }
    /* the declined one says why */
    items_from(items, "meeting", t.health_meeting, &x);
    cr_assert(strstr(json_str(x, "text"), "Declined: Met within the health plan"));

    /* every version of the minutes, from the convening agency */
    cr_assert_eq(items_from(items, "minutes", p->meeting_id, &x), 1);
    cr_assert_eq(json_int(json_object_get(x, "source"), "version"), 1);
    cr_assert_str_eq(agency_of(x), p->csc);
    /* invitations from the invited agencies, professionals named as no third party */
    cr_assert_eq(items_from(items, "invitation", p->police_invitation, &x), 1);
    cr_assert_str_eq(agency_of(x), p->police);
    cr_assert_eq(items_from(items, "invitation", p->health_invitation, &x), 1);
    cr_assert_str_eq(agency_of(x), p->health);
    cr_assert_eq(items_from(items, "invitation", t.nurse_invitation, &x), 1);
    cr_assert_str_eq(agency_of(x), p->health);
    cr_assert_str_eq(json_str(json_object_get(x, "provenance"), "meeting_id"), t.police_meeting);
    cr_assert_eq(json_array_size(json_object_get(json_object_get(x, "provenance"),
                                                 "third_parties")),
                 0);
    /* the agency's own entry and the ledger */
    cr_assert_eq(items_from(items, "chronology_entry", t.entry, &x), 1);
    cr_assert_str_eq(agency_of(x), p->health);
    cr_assert(strstr(json_str(x, "text"), "weight below the expected line"));
    cr_assert_eq(items_from(items, "information_sharing", t.ledger, &x), 1);
    cr_assert_str_eq(agency_of(x), p->csc);
    cr_assert(names_third_party(x, "A school nurse", "recipient"));

    /* and nothing else but the first meeting's decisions and actions: every
     * item is one of these records, numbered 1.. */
    const char *params[] = {p->meeting_id};
    long decisions = db_long("SELECT count(*) FROM consent_decisions WHERE meeting_id = $1", 1,
                             params);
    long actions = db_long("SELECT count(*) FROM actions WHERE meeting_id = $1", 1, params);
    cr_assert(decisions >= 1 && actions >= 1);
    size_t expected = 3 + 1 + 3 + 1 + 1 + (size_t)decisions + (size_t)actions;
    cr_assert_eq(json_array_size(items), expected, "%zu items", json_array_size(items));
    size_t i;
    json_array_foreach(items, i, x) {
        cr_assert_eq(json_int(x, "item_no"), (long)i + 1);
        if (strcmp(json_str(x, "kind"), "action") == 0)
            cr_assert_str_eq(json_str(json_object_get(x, "provenance"), "meeting_id"),
                             p->meeting_id);
    }

    /* gathered once: again is a conflict, and changes nothing */
    char path[160];
    snprintf(path, sizeof path, "/v1/subject-access-requests/%s", id);
    http_response *r = api_get(path, dpo.token);
    cr_assert_eq(json_int(json_object_get(r->json, "gathered"), "items"), (long)expected);
    cr_assert_str_eq(json_str(r->json, "child_id"), t.child);
    http_free(r);
    snprintf(path, sizeof path, "/v1/subject-access-requests/%s/gather", id);
    char etag[16];
    snprintf(etag, sizeof etag, "\"%ld\"", version);
    r = api_call("POST", path, dpo.token, NULL, etag);
    expect_problem(r, 409, "/problems/invalid-state");
    cr_assert(problem_has_rule(r, "SAR-2", NULL));
    http_free(r);
    json_t *again = items_of(&dpo, id);
    cr_assert(json_equal(again, items));
    json_decref(again);

    json_decref(items);
    free(id);
    person_free(&dpo);
    three_free(&t);
}

/* --- decisions and the disclosure set --- */

typedef struct small {
    char *csc, *police;
    person requester, manager, officer, dpo;
    char nhs[11];
    char *meeting;
    char neighbour[64]; /* a third party named in an agency's entry and the ledger */
    char secret[96];    /* an entry the dpo withholds */
    char *sar;
    long version;
} small;

static void entry_about(const small *s, const char *child, const char *what)
{
    char path[160], yesterday[11];
    date_from_today(-1, yesterday);
    snprintf(path, sizeof path, "/v1/children/%s/chronology/entries", child);
    json_t *body = json_pack("{s:s, s:s, s:s, s:s}", "occurred_on", yesterday, "what_happened",
                             what, "action_taken", "Passed to the police", "basis", "fact");
    free(id_of(api_call("POST", path, s->requester.token, body, NULL), "an entry"));
    json_decref(body);
}

/* One meeting about a child, a police officer invited, an entry naming a
 * neighbour, another holding what the dpo will withhold, and what was told
 * to the neighbour in the ledger; gathered for the child. */
static void small_case(small *s)
{
    memset(s, 0, sizeof *s);
    test_clock_set(time(NULL));
    s->csc = agency_new("childrens_social_care");
    s->police = agency_new("police");
    s->requester = person_new(s->csc, "practitioner");
    s->manager = person_new(s->csc, "manager");
    s->officer = person_new(s->police, "practitioner");
    s->dpo = person_new(s->csc, "dpo");
    nhs_number_new(s->nhs);
    char suffix[17];
    unique_suffix(suffix, sizeof suffix);
    snprintf(s->neighbour, sizeof s->neighbour, "Quinn Neighbour-%s", suffix);
    snprintf(s->secret, sizeof s->secret, "Informant codename Heron-%s", suffix);
    s->meeting = meeting_about(&s->requester, s->nhs);
    meeting_authorise(&s->manager, s->meeting, 1);
    json_t *body = invitation_body(&s->officer, "Police officer");
    free(id_of(invite(&s->requester, s->meeting, body), "inviting"));
    json_decref(body);
    const char *params[] = {s->meeting};
    char *child = db_value("SELECT child_id::text FROM meeting_children WHERE meeting_id = $1"
                           " AND is_subject",
                           1, params);
    char what[160];
    snprintf(what, sizeof what, "Shouting heard by the neighbour %s, who called us", s->neighbour);
    entry_about(s, child, what);
    entry_about(s, child, s->secret);
    body = json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:s, s:s, s:{s:b, s:b, s:s}}",
                     "child_id", child, "kind", "disclosure", "channel", "verbal", "what",
                     "That agencies are working with the family", "to", "name", s->neighbour,
                     "category", "other", "purpose", "To ask them to call again if worried",
                     "lawful_basis", "public_task", "views", "child_sought", 0, "parents_sought",
                     0, "why_not", "It would put the child at risk");
    free(id_of(api_call("POST", "/v1/information-sharing", s->requester.token, body, NULL),
               "a ledger entry"));
    json_decref(body);
    free(child);
    char ref[32], today[11];
    snprintf(ref, sizeof ref, "nhs_number:%s", s->nhs);
    date_from_today(0, today);
    s->sar = register_and_gather(&s->dpo, sar_child_body(ref, today), &s->version);
}

static void small_free(small *s)
{
    free(s->csc);
    free(s->police);
    free(s->meeting);
    free(s->sar);
    person_free(&s->requester);
    person_free(&s->manager);
    person_free(&s->officer);
    person_free(&s->dpo);
}

static http_response *decide(small *s, long item_no, json_t *body, long version)
{
    char path[200], etag[16];
    snprintf(path, sizeof path, "/v1/subject-access-requests/%s/items/%ld/decision", s->sar,
             item_no);
    snprintf(etag, sizeof etag, "\"%ld\"", version);
    http_response *r = api_call("PUT", path, s->dpo.token, body, version ? etag : NULL);
    json_decref(body);
    return r;
}

static char *state_of(const char *sar)
{
    const char *params[] = {sar};
    return db_value("SELECT (SELECT row_to_json(r)::text FROM subject_access_requests r"
                    "         WHERE r.id::text = $1)"
                    "    || (SELECT string_agg(row_to_json(x)::text, ',' ORDER BY x.item_no)"
                    "          FROM subject_access_items x WHERE x.request_id::text = $1)"
                    "    || (SELECT count(*) FROM audit_events WHERE resource_id = $1)",
                    1, params);
}

/* The number of the item whose text holds `needle` (kind given). */
static long item_with(json_t *items, const char *kind, const char *needle, const char **text)
{
    size_t i;
    json_t *x;
    json_array_foreach(items, i, x) {
        if (strcmp(json_str(x, "kind"), kind) == 0 && strstr(json_str(x, "text"), needle)) {
            *text = json_str(x, "text");
            return json_int(x, "item_no");
        }
    }
    cr_assert_fail("no %s item holds %s", kind, needle);
    return -1;
}

/* The offset in code points of `needle` in `text` (ASCII before it here). */
static long offset_of(const char *text, const char *needle)
{
    const char *at = strstr(text, needle);
    cr_assert(at);
    long n = 0;
    for (const char *c = text; c < at; c++)
        n += ((unsigned char)*c & 0xC0) != 0x80;
    return n;
}

Test(subject_access_items, SAR_2_malformed_decisions_are_refused_and_change_nothing)
{
    small s;
    small_case(&s);
    json_t *items = items_of(&s.dpo, s.sar);
    const char *text;
    long entry = item_with(items, "chronology_entry", s.secret, &text);
    long length = (long)strlen(text); /* ASCII */
    char *before = state_of(s.sar);
    struct {
        json_t *body;
        long status;
    } cases[] = {
        {json_pack("{s:s, s:[{s:i, s:i, s:s}]}", "decision", "redact", "spans", "start", 0,
                   "end", length + 1, "exemption", "third_party_data"),
         422},
        {json_pack("{s:s, s:[{s:i, s:i, s:s}, {s:i, s:i, s:s}]}", "decision", "redact", "spans",
                   "start", 0, "end", 5, "exemption", "third_party_data", "start", 4, "end", 8,
                   "exemption", "third_party_data"),
         422},
        {json_pack("{s:s}", "decision", "withhold"), 422},
        {json_pack("{s:s, s:s}", "decision", "withhold", "exemption", "embarrassment"), 422},
        {json_pack("{s:s, s:s}", "decision", "disclose", "exemption", "crime_and_taxation"), 422},
        {json_pack("{s:s, s:b}", "decision", "disclose", "approved", 1), 400},
        {json_pack("{s:i}", "decision", 1), 400},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        http_response *r = decide(&s, entry, cases[i].body, s.version);
        expect_problem(r, cases[i].status, NULL);
        if (cases[i].status == 422)
            cr_assert(problem_has_rule(r, "SAR-2", NULL), "%s", r->body);
        http_free(r);
        char *after = state_of(s.sar);
        cr_assert_str_eq(after, before, "case %zu changed the request", i);
        free(after);
    }
    /* an item the request does not hold, a stale or missing If-Match */
    http_response *r = decide(&s, 9999, json_pack("{s:s}", "decision", "disclose"), s.version);
    expect_problem(r, 404, "/problems/not-found");
    http_free(r);
    r = decide(&s, entry, json_pack("{s:s}", "decision", "disclose"), s.version + 5);
    expect_problem(r, 412, NULL);
    http_free(r);
    r = decide(&s, entry, json_pack("{s:s}", "decision", "disclose"), 0);
    expect_problem(r, 428, NULL);
    http_free(r);
    /* a caller who is not the dpo, with everything else right */
    char path[200];
    snprintf(path, sizeof path, "/v1/subject-access-requests/%s/items/%ld/decision", s.sar, entry);
    json_t *body = json_pack("{s:s}", "decision", "disclose");
    char etag[16];
    snprintf(etag, sizeof etag, "\"%ld\"", s.version);
    r = api_call("PUT", path, s.manager.token, body, etag);
    json_decref(body);
    expect_problem(r, 404, "/problems/not-found");
    http_free(r);
    /* nor may a request with undecided items be answered */
    char today[11];
    date_from_today(0, today);
    r = sar_answer(&s.dpo, s.sar, today, s.version);
    expect_problem(r, 409, "/problems/invalid-state");
    cr_assert(problem_has_rule(r, "SAR-2", NULL), "%s", r->body);
    http_free(r);
    char *after = state_of(s.sar);
    cr_assert_str_eq(after, before);
    free(after);
    free(before);
    json_decref(items);
    small_free(&s);
}

/* The text of the request's PDF export, as pdftotext reads it (new string). */
static char *pdf_text_of(const small *s)
{
    char path[200];
    snprintf(path, sizeof path, "/v1/subject-access-requests/%s/export/pdf", s->sar);
    http_response *r = api_get(path, s->dpo.token);
    cr_assert_eq(r->status, 200, "%s", r->body ? r->body : "");
    char *type = http_header(r, "Content-Type");
    cr_assert_str_eq(type, "application/pdf");
    free(type);
    cr_assert(r->body_len > 4 && memcmp(r->body, "%PDF", 4) == 0);
    char file[] = "/tmp/sar-export-XXXXXX";
    int fd = mkstemp(file);
    cr_assert(fd >= 0);
    cr_assert_eq(write(fd, r->body, r->body_len), (ssize_t)r->body_len);
    close(fd);
    http_free(r);
    char command[200];
    snprintf(command, sizeof command, "pdftotext -layout '%s' - 2>&1", file);
    FILE *p = popen(command, "r");
    cr_assert_not_null(p);
    size_t cap = 1 << 16, n = 0, got;
    char *out = malloc(cap);
    while ((got = fread(out + n, 1, cap - n - 1, p)) > 0) {
        n += got;
        if (n + 1 == cap)
            out = realloc(out, cap *= 2);
    }
    out[n] = '\0';
    cr_assert_eq(pclose(p), 0, "pdftotext: %s", out);
    unlink(file);
    return out;
}

static json_t *export_of(const small *s, long status)
{
    char path[200];
    snprintf(path, sizeof path, "/v1/subject-access-requests/%s/export", s->sar);
    http_response *r = api_get(path, s->dpo.token);
    cr_assert_eq(r->status, status, "%s", r->body);
    json_t *doc = status == 200 ? json_incref(r->json) : NULL;
    if (status == 409) {
        expect_problem(r, 409, "/problems/invalid-state");
        cr_assert(problem_has_rule(r, "SAR-2", NULL));
    }
    http_free(r);
    return doc;
}

Test(subject_access_items, SAR_2_the_export_log_matches_the_decisions_and_redacted_text_is_absent)
{
    small s;
    small_case(&s);
    json_t *items = items_of(&s.dpo, s.sar);
    const char *named_text, *ledger_text, *entry_text;
    /* the neighbour is named in an agency's entry and in the ledger */
    long named = item_with(items, "chronology_entry", s.neighbour, &named_text);
    long ledger = item_with(items, "information_sharing", s.neighbour, &ledger_text);
    long entry = item_with(items, "chronology_entry", s.secret, &entry_text);
    long starts[2] = {offset_of(named_text, s.neighbour), offset_of(ledger_text, s.neighbour)};
    long length = (long)strlen(s.neighbour);

    /* undecided items: no export, as JSON or PDF, and nothing recorded */
    char *before = state_of(s.sar);
    json_decref(export_of(&s, 409));
    char pdf_path[200];
    snprintf(pdf_path, sizeof pdf_path, "/v1/subject-access-requests/%s/export/pdf", s.sar);
    http_response *refused = api_get(pdf_path, s.dpo.token);
    expect_problem(refused, 409, "/problems/invalid-state");
    cr_assert(problem_has_rule(refused, "SAR-2", NULL));
    http_free(refused);
    char *after = state_of(s.sar);
    cr_assert_str_eq(after, before);
    free(after);
    free(before);

    /* the neighbour's name redacted, the informant's entry withheld, the rest disclosed */
    long version = s.version;
    size_t i;
    json_t *x;
    json_array_foreach(items, i, x) {
        long no = json_int(x, "item_no");
        json_t *body;
        if (no == named || no == ledger) {
            long start = starts[no == ledger];
            body = json_pack("{s:s, s:[{s:i, s:i, s:s}]}", "decision", "redact", "spans",
                             "start", start, "end", start + length, "exemption",
                             "third_party_data");
        }
        else if (no == entry)
            body = json_pack("{s:s, s:s}", "decision", "withhold", "exemption",
                             "crime_and_taxation");
        else
            body = json_pack("{s:s}", "decision", "disclose");
        http_response *r = decide(&s, no, body, version);
        cr_assert_eq(r->status, 200, "deciding item %ld: %s", no, r->body);
        cr_assert_eq(json_int(r->json, "version"), version + 1);
        version++;
        http_free(r);
    }
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE resource_id = $1"
                         " AND action = 'subject_access_request.decide'",
                         1, (const char *const[]){s.sar}),
                 (long)json_array_size(items));

    json_t *doc = export_of(&s, 200);
    char *dump = json_dumps(doc, 0);
    cr_assert_null(strstr(dump, s.neighbour), "the redacted name is absent: %s", dump);
    cr_assert_null(strstr(dump, "Neighbour-"), "no part of it either");
    cr_assert_null(strstr(dump, s.secret), "the withheld entry is absent");
    cr_assert_null(strstr(dump, "Heron"), "no part of it either");
    cr_assert(strstr(dump, "Shouting heard by the neighbour [redacted: third_party_data], who"),
              "the rest of the redacted entry is there");
    free(dump);

    /* the disclosed items: every item but the withheld one, in order */
    json_t *shown = json_object_get(doc, "items");
    cr_assert_eq(json_array_size(shown), json_array_size(items) - 1);
    json_array_foreach(shown, i, x) {
        long no = json_int(x, "item_no");
        cr_assert_neq(no, entry);
        if (no == named || no == ledger) {
            cr_assert_str_eq(json_str(x, "decision"), "redact");
            cr_assert(strstr(json_str(x, "text"), "[redacted: third_party_data]"));
        } else {
            cr_assert_str_eq(json_str(x, "decision"), "disclose");
            const char *original = json_str(json_array_get(items, (size_t)no - 1), "text");
            cr_assert_str_eq(json_str(x, "text"), original, "disclosed whole");
        }
    }
    /* the log: one entry per item, as decided, by the dpo */
    json_t *log = json_object_get(doc, "redaction_log");
    cr_assert_eq(json_array_size(log), json_array_size(items));
    json_array_foreach(log, i, x) {
        long no = json_int(x, "item_no");
        cr_assert_eq(no, (long)i + 1);
        cr_assert_str_eq(json_str(json_object_get(x, "decided_by"), "sub"), s.dpo.who.sub);
        cr_assert(json_str(x, "decided_at"));
        json_t *spans = json_object_get(x, "spans");
        if (no == named || no == ledger) {
            cr_assert_str_eq(json_str(x, "decision"), "redact");
            cr_assert_eq(json_array_size(spans), 1);
            json_t *span = json_array_get(spans, 0);
            cr_assert_eq(json_int(span, "start"), starts[no == ledger]);
            cr_assert_eq(json_int(span, "end"), starts[no == ledger] + length);
            cr_assert_str_eq(json_str(span, "exemption"), "third_party_data");
        } else if (no == entry) {
            cr_assert_str_eq(json_str(x, "decision"), "withhold");
            cr_assert_str_eq(json_str(x, "exemption"), "crime_and_taxation");
            cr_assert_eq(json_array_size(spans), 0);
        } else {
            cr_assert_str_eq(json_str(x, "decision"), "disclose");
            cr_assert(json_is_null(json_object_get(x, "exemption")));
        }
    }
    cr_assert_str_eq(json_str(json_object_get(doc, "request"), "id"), s.sar);
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE resource_id = $1"
                         " AND action = 'subject_access_request.export'",
                         1, (const char *const[]){s.sar}),
                 1);

    /* the PDF holds the same: the redacted and withheld text absent, the
     * log's every decision there */
    char *text = pdf_text_of(&s);
    cr_assert_null(strstr(text, s.neighbour), "the redacted name is absent from the PDF");
    cr_assert_null(strstr(text, "Neighbour-"));
    cr_assert_null(strstr(text, "Heron"), "the withheld entry is absent from the PDF");
    cr_assert(strstr(text, "[redacted: third_party_data]"), "%s", text);
    cr_assert(strstr(text, "Redaction log"));
    char line[80];
    snprintf(line, sizeof line, "Item %ld: withhold (crime_and_taxation)", entry);
    cr_assert(strstr(text, line), "%s in %s", line, text);
    snprintf(line, sizeof line, "Item %ld: redact: characters %ld-%ld (third_party_data)", named,
             starts[0], starts[0] + length);
    cr_assert(strstr(text, line), "%s in %s", line, text);
    cr_assert(strstr(text, "Page 1 of"));
    free(text);
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE resource_id = $1"
                         " AND action = 'subject_access_request.export_pdf'",
                         1, (const char *const[]){s.sar}),
                 1);

    /* answered today, in time; then its decisions stand */
    char today[11];
    date_from_today(0, today);
    http_response *r = sar_answer(&s.dpo, s.sar, today, version);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert(json_is_false(json_object_get(json_object_get(r->json, "answered"), "late")));
    http_free(r);
    before = state_of(s.sar);
    r = decide(&s, entry, json_pack("{s:s}", "decision", "disclose"), version + 1);
    expect_problem(r, 409, "/problems/invalid-state");
    cr_assert(problem_has_rule(r, "SAR-2", NULL), "%s", r->body);
    http_free(r);
    after = state_of(s.sar);
    cr_assert_str_eq(after, before, "a decision after the answer");
    free(after);
    free(before);
    json_decref(doc);
    json_decref(items);
    small_free(&s);
}

/* --- a person --- */

/* The single item a person's request gathers, a new reference. */
static json_t *only_item(const person *dpo, json_t *subject)
{
    json_t *body = json_pack("{s:o, s:{s:s, s:s}, s:s}", "subject", subject, "requester", "name",
                             "A Fictional Requester", "relation", "self", "received_on",
                             "2026-01-05");
    long version;
    char *id = register_and_gather(dpo, body, &version);
    json_t *items = items_of(dpo, id);
    cr_assert_eq(json_array_size(items), 1, "%zu items", json_array_size(items));
    json_t *x = json_incref(json_array_get(items, 0));
    json_decref(items);
    free(id);
    return x;
}

Test(subject_access_items, SAR_2_a_person_by_sub_or_by_name_gathers_the_records_naming_them)
{
    small s;
    small_case(&s);
    /* by sub: the invitation naming the officer, and nothing of the child's otherwise */
    json_t *x = only_item(&s.dpo, json_pack("{s:s}", "sub", s.officer.who.sub));
    cr_assert_str_eq(json_str(x, "kind"), "invitation");
    cr_assert_str_eq(json_str(json_object_get(x, "provenance"), "agency"), s.police);
    cr_assert_str_eq(json_str(json_object_get(x, "provenance"), "meeting_id"), s.meeting);
    json_decref(x);
    /* by name (case aside): what the ledger says was told to the neighbour,
     * where they are the subject, not a third party */
    char shouted[64];
    snprintf(shouted, sizeof shouted, "%s", s.neighbour);
    for (char *c = shouted; *c; c++)
        *c = (char)((*c >= 'a' && *c <= 'z') ? *c - 32 : *c);
    x = only_item(&s.dpo, json_pack("{s:s}", "name", shouted));
    cr_assert_str_eq(json_str(x, "kind"), "information_sharing");
    cr_assert(strstr(json_str(x, "text"), "That agencies are working with the family"));
    cr_assert_eq(json_array_size(json_object_get(json_object_get(x, "provenance"),
                                                 "third_parties")),
                 0, "the subject is no third party to their own record");
    json_decref(x);
    small_free(&s);
}
