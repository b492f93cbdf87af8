/* The record class idempotency_record (RET-1 to RET-3) over real HTTP
 * against the real database: the answers kept under an Idempotency-Key are
 * kept as long as the class's policy says (24 hours by default, counted in
 * hours from the request), which both the claim of a key and the service's
 * purge read, so that a change takes effect at once; a hold on the class
 * stops the purge; the class is never listed due and no disposal names it
 * (the service deletes its records itself). Time is moved with the test
 * clock (X-Test-Now), never waited for; keys are made at the request's
 * moment, so a key made at a past clock is an old one.
 *
 * The tests that change the class's policy or hold the class change what
 * every request judges, so they take a lock of their own (a PostgreSQL
 * advisory lock) and run one at a time; they leave the policy at 24 hours
 * and release their holds. They purge at the wall clock only: a purge at a
 * moved clock would take the keys of the tests running beside them. */
#include <criterion/criterion.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "support/client.h"
#include "support/expect.h"
#include "support/fixtures.h"
#include "support/people.h"
#include "support/planning.h"

#define HOUR 3600L
#define POLICY_PATH "/v1/retention-policies/idempotency_record"
#define PURGE_PATH "/v1/idempotency-records/purge"

/* The class's lock, held by a connection of the test's own until
 * class_unlock. */
static PGconn *class_lock(void)
{
    const char *url = getenv("MAM_DATABASE_URL");
    cr_assert(url, "MAM_DATABASE_URL is not set");
    PGconn *pg = PQconnectdb(url);
    cr_assert_eq(PQstatus(pg), CONNECTION_OK, "%s", PQerrorMessage(pg));
    PGresult *res = PQexec(pg, "SELECT pg_advisory_lock(4242046)");
    cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQerrorMessage(pg));
    PQclear(res);
    return pg;
}

static void class_unlock(PGconn *pg)
{
    PQfinish(pg);
}

/* The policy in effect: its version and period in hours. */
static long policy_version(const person *p, long *hours)
{
    http_response *r = api_get(POLICY_PATH, p->token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    long version = json_int(r->json, "version");
    if (hours)
        *hours = json_int(r->json, "period_hours");
    http_free(r);
    return version;
}

/* Records the class's policy: `hours` hours from the request, then delete. */
static void policy_set(const person *admin, long hours, const char *reason)
{
    long version = policy_version(admin, NULL);
    json_t *body = json_pack("{s:i, s:s, s:s, s:s}", "period_hours", (int)hours, "runs_from",
                             "request_made", "then", "delete", "reason", reason);
    http_response *r = api_call("PUT", POLICY_PATH, admin->token, body, etag_of(version));
    json_decref(body);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_eq(json_int(r->json, "period_hours"), hours, "%s", r->body);
    cr_assert(json_is_null(json_object_get(r->json, "period_months")), "%s", r->body);
    http_free(r);
}

/* POST /v1/agencies as the admin under an Idempotency-Key, creating the
 * agency `code`, at the test clock. */
static http_response *agency_post(const person *admin, const char *key, const char *code)
{
    char key_header[128], doc[200];
    snprintf(key_header, sizeof key_header, "Idempotency-Key: %s", key);
    const char *headers[] = {"Content-Type: application/json", key_header, NULL};
    snprintf(doc, sizeof doc, "{\"code\":\"%s\",\"name\":\"Kept Answers\",\"kind\":\"health\"}",
             code);
    return http_call("POST", "/v1/agencies", admin->token, headers, doc, strlen(doc));
}

static bool replayed(const http_response *r)
{
    char *h = http_header(r, "Idempotent-Replayed");
    bool yes = h && strcmp(h, "true") == 0;
    free(h);
    return yes;
}

/* A new agency code, I + a unique suffix (upper case, as codes are). */
static void code_new(char *out, size_t size)
{
    char suffix[32];
    unique_suffix(suffix, sizeof suffix);
    snprintf(out, size, "I%s", suffix);
    for (char *c = out; *c; c++)
        if (*c >= 'a' && *c <= 'z')
            *c = (char)(*c - 'a' + 'A');
        else if (!((*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9')))
            *c = 'X';
    out[12 < size ? 12 : size - 1] = '\0';
}

/* A key of the admin's made at `at`: its record's id (a new string). */
static char *key_made_at(const person *admin, time_t at, const char *key)
{
    char code[32];
    code_new(code, sizeof code);
    test_clock_set(at);
    http_response *r = agency_post(admin, key, code);
    cr_assert_eq(r->status, 201, "%s", r->body);
    http_free(r);
    const char *params[] = {admin->who.sub, key};
    char *id = db_value("SELECT id::text FROM idempotency_keys WHERE caller_sub = $1 AND key = $2",
                        2, params);
    cr_assert_neq(id[0], '\0');
    return id;
}

static long key_rows(const person *admin, const char *key)
{
    const char *params[] = {admin->who.sub, key};
    return db_long("SELECT count(*) FROM idempotency_keys WHERE caller_sub = $1 AND key = $2", 2,
                   params);
}

/* The purge run on demand by p at the wall clock: the answer. */
static http_response *purge_now(const person *p)
{
    test_clock_set(time(NULL));
    return api_call("POST", PURGE_PATH, p->token, NULL, NULL);
}

/* What a refusal must leave as it was: the class's policies, the caller's
 * keys, disposals of the class, the caller's audit rows. */
static char *class_state(const person *p)
{
    const char *params[] = {p->who.sub};
    return db_value(
        "SELECT (SELECT count(*) || '/' || max(version) FROM retention_policies"
        "         WHERE record_class = 'idempotency_record')"
        " || ' keys=' || (SELECT count(*) || '/' || coalesce(string_agg(id::text || request_hash,"
        "                  ',' ORDER BY key), '') FROM idempotency_keys WHERE caller_sub = $1)"
        " || ' disposals=' || (SELECT count(*) FROM disposals"
        "                       WHERE record_class = 'idempotency_record')"
        " || ' audit=' || (SELECT count(*) FROM audit_events WHERE actor_sub = $1)",
        1, params);
}

typedef struct team {
    char *agency;
    person admin, dpo, worker;
} team;

static void team_new(team *t)
{
    t->agency = agency_new("childrens_social_care");
    t->admin = person_new(t->agency, "admin");
    t->dpo = person_new(t->agency, "dpo");
    t->worker = person_new(t->agency, "manager");
}

static void team_free(team *t)
{
    person_free(&t->admin);
    person_free(&t->dpo);
    person_free(&t->worker);
    free(t->agency);
}

Test(retention_idempotency, RET_1_idempotency_record_default_policy_24_hours_then_delete)
{
    team t;
    team_new(&t);
    http_response *r = api_get(POLICY_PATH "/versions?limit=200", t.worker.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    json_t *items = json_object_get(r->json, "items");
    json_t *first = json_array_get(items, json_array_size(items) - 1);
    cr_assert_eq(json_int(first, "version"), 1, "%s", r->body);
    cr_assert_eq(json_int(first, "period_hours"), 24);
    cr_assert(json_is_null(json_object_get(first, "period_months")));
    cr_assert_str_eq(json_str(first, "runs_from"), "request_made");
    cr_assert_str_eq(json_str(first, "then"), "delete");
    cr_assert(json_is_null(json_object_get(first, "effective_from")));
    cr_assert_str_eq(json_str(json_object_get(first, "changed_by"), "sub"), "mam migrate");
    http_free(r);
    /* in effect now (the tests that change it leave it at 24 hours) */
    PGconn *lock = class_lock();
    r = api_get(POLICY_PATH, t.worker.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "record_class"), "idempotency_record");
    cr_assert_eq(json_int(r->json, "period_hours"), 24, "%s", r->body);
    cr_assert_str_eq(json_str(r->json, "then"), "delete");
    http_free(r);
    class_unlock(lock);
    team_free(&t);
}

Test(retention_idempotency, RET_1_idempotency_record_policy_changes_refused_change_nothing)
{
    team t;
    team_new(&t);
    static const struct {
        const char *body;
        const char *field;
    } cases[] = {
        /* the class's period is in hours */
        {"{\"period_months\": 1, \"runs_from\": \"request_made\", \"then\": \"delete\","
         " \"reason\": \"r\"}",
         "period_months"},
        /* one period, not two */
        {"{\"period_hours\": 24, \"period_months\": 1, \"runs_from\": \"request_made\","
         " \"then\": \"delete\", \"reason\": \"r\"}",
         "period_hours"},
        /* none */
        {"{\"runs_from\": \"request_made\", \"then\": \"delete\", \"reason\": \"r\"}",
         "period_months"},
        /* out of bounds: 1 to 720 hours */
        {"{\"period_hours\": 0, \"runs_from\": \"request_made\", \"then\": \"delete\","
         " \"reason\": \"r\"}",
         "period_hours"},
        {"{\"period_hours\": 721, \"runs_from\": \"request_made\", \"then\": \"delete\","
         " \"reason\": \"r\"}",
         "period_hours"},
        /* a start event of another class's */
        {"{\"period_hours\": 24, \"runs_from\": \"meeting_closed\", \"then\": \"delete\","
         " \"reason\": \"r\"}",
         "runs_from"},
        /* an end it does not allow: its records are deleted, never reviewed */
        {"{\"period_hours\": 24, \"runs_from\": \"request_made\", \"then\": \"review\","
         " \"reason\": \"r\"}",
         "then"},
    };
    /* the class's policy is shared: the tests that change it wait for this one */
    PGconn *lock = class_lock();
    char *before = class_state(&t.admin);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_error_t e;
        json_t *body = json_loads(cases[i].body, 0, &e);
        /* `*`: any version; the lock keeps the policy as it is */
        http_response *r = api_call("PUT", POLICY_PATH, t.admin.token, body, "*");
        json_decref(body);
        expect_problem(r, 422, "/problems/rule-violated");
        cr_assert(problem_has_rule(r, "RET-1", cases[i].field), "%s: %s", cases[i].body, r->body);
        http_free(r);
    }
    /* another class in hours: refused on period_hours */
    json_t *body = json_pack("{s:i, s:s, s:s, s:s}", "period_hours", 24, "runs_from",
                             "meeting_closed", "then", "review", "reason", "r");
    http_response *r =
        api_call("PUT", "/v1/retention-policies/meeting_record", t.admin.token, body, "*");
    json_decref(body);
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert(problem_has_rule(r, "RET-1", "period_hours"), "%s", r->body);
    http_free(r);
    /* a string period: a shape error, 400 */
    body = json_pack("{s:s, s:s, s:s, s:s}", "period_hours", "24", "runs_from", "request_made",
                     "then", "delete", "reason", "r");
    r = api_call("PUT", POLICY_PATH, t.admin.token, body, "*");
    json_decref(body);
    expect_problem(r, 400, "/problems/invalid-request");
    http_free(r);
    /* not an admin: 403 */
    body = json_pack("{s:i, s:s, s:s, s:s}", "period_hours", 48, "runs_from", "request_made",
                     "then", "delete", "reason", "r");
    r = api_call("PUT", POLICY_PATH, t.dpo.token, body, "*");
    json_decref(body);
    expect_problem(r, 403, "/problems/forbidden");
    http_free(r);
    char *after = class_state(&t.admin);
    class_unlock(lock);
    cr_assert_str_eq(after, before, "refusals record nothing");
    const char *params[] = {t.admin.who.sub};
    cr_assert_eq(db_long("SELECT count(*) FROM retention_policies WHERE changed_by_sub = $1", 1,
                         params),
                 0);
    free(before);
    free(after);
    team_free(&t);
}

Test(retention_idempotency, RET_1_the_key_window_follows_the_policy_in_effect)
{
    team t;
    team_new(&t);
    PGconn *lock = class_lock();
    char key[64], code[32], other[32];
    unique_suffix(key, sizeof key);
    code_new(code, sizeof code);
    code_new(other, sizeof other);
    time_t t0 = time(NULL);

    policy_set(&t.admin, 48, "An inquiry asked for two days");
    test_clock_set(t0);
    http_response *first = agency_post(&t.admin, key, code);
    cr_assert_eq(first->status, 201, "%s", first->body);
    cr_assert_not(replayed(first));

    /* 30 hours on, under 48 hours: replayed, and the key still bars another request */
    test_clock_set(t0 + 30 * HOUR);
    http_response *r = agency_post(&t.admin, key, code);
    cr_assert_eq(r->status, 201, "%s", r->body);
    cr_assert(replayed(r), "kept 48 hours: replayed at 30");
    cr_assert(json_equal(r->json, first->json));
    http_free(r);
    char *before = class_state(&t.admin);
    r = agency_post(&t.admin, key, other);
    expect_problem(r, 422, "/problems/idempotency-key-reused");
    http_free(r);
    char *after = class_state(&t.admin);
    cr_assert_str_eq(after, before, "nothing changed");
    free(before);
    free(after);

    /* back to 24 hours: at once, the key is free at 30 hours */
    policy_set(&t.admin, 24, "Back to the default");
    const char *params[] = {t.admin.who.sub, key};
    char *old_id = db_value("SELECT id::text FROM idempotency_keys WHERE caller_sub = $1"
                            " AND key = $2",
                            2, params);
    r = agency_post(&t.admin, key, other);
    cr_assert_eq(r->status, 201, "claimed afresh: %s", r->body);
    cr_assert_not(replayed(r));
    cr_assert_str_eq(json_str(r->json, "code"), other);
    http_free(r);
    const char *codes[] = {code, other};
    cr_assert_eq(db_long("SELECT count(*) FROM agencies WHERE code IN ($1, $2)", 2, codes), 2);
    /* a new record under the key: a new id, made at the request's moment */
    char moment[24];
    snprintf(moment, sizeof moment, "%lld", (long long)(t0 + 30 * HOUR));
    const char *check[] = {t.admin.who.sub, key, old_id, moment};
    char *row = db_value("SELECT (id::text <> $3) || ' ' || (extract(epoch FROM created_at)::bigint"
                   "        = $4::bigint) FROM idempotency_keys"
                   " WHERE caller_sub = $1 AND key = $2",
                   4, check);
    cr_assert_str_eq(row, "true true");
    free(row);
    free(old_id);
    http_free(first);
    class_unlock(lock);
    team_free(&t);
}

Test(retention_idempotency, RET_1_the_purge_deletes_only_records_past_their_period)
{
    team t;
    team_new(&t);
    PGconn *lock = class_lock();
    time_t now = time(NULL);
    char old_key[64], day_key[64], young_key[64];
    unique_suffix(old_key, sizeof old_key);
    unique_suffix(day_key, sizeof day_key);
    unique_suffix(young_key, sizeof young_key);
    char *old_id = key_made_at(&t.admin, now - 750 * HOUR, old_key);
    char *day_id = key_made_at(&t.admin, now - 30 * HOUR, day_key);
    char *young_id = key_made_at(&t.admin, now - 20 * HOUR, young_key);

    /* only the dpo and admins run it: 403, nothing deleted */
    char *before = class_state(&t.admin);
    http_response *r = purge_now(&t.worker);
    expect_problem(r, 403, "/problems/forbidden");
    http_free(r);
    char *after = class_state(&t.admin);
    cr_assert_str_eq(after, before);
    free(before);
    free(after);

    /* the policy is 24 hours: the keys made 750 and 30 hours ago go, the
     * one made 20 hours ago stays */
    r = purge_now(&t.dpo);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_geq(json_int(r->json, "purged"), 2, "%s", r->body);
    http_free(r);
    cr_assert_eq(key_rows(&t.admin, old_key), 0);
    cr_assert_eq(key_rows(&t.admin, day_key), 0);
    cr_assert_eq(key_rows(&t.admin, young_key), 1, "not past its period");
    /* audited with the ids of the records deleted */
    const char *audit[] = {t.dpo.who.sub, old_id, day_id, young_id};
    cr_assert_eq(db_long("SELECT count(*) FROM audit_events WHERE actor_sub = $1"
                         " AND action = 'idempotency_record.purge'"
                         " AND resource_type = 'idempotency_record'"
                         " AND $2 = ANY (resource_ids) AND $3 = ANY (resource_ids)"
                         " AND NOT $4 = ANY (resource_ids)",
                         4, audit),
                 1);
    class_unlock(lock);
    free(old_id);
    free(day_id);
    free(young_id);
    team_free(&t);
}

/* Places a hold on the class as the dpo: its id; its version in *version. */
static char *class_hold(const person *dpo, long *version)
{
    json_t *body = json_pack("{s:s, s:s, s:s, s:s}", "scope", "record_class", "record_class",
                             "idempotency_record", "kind", "inquiry", "reason",
                             "An inquiry asked for every retried request to be kept");
    http_response *r = api_call("POST", "/v1/retention-holds", dpo->token, body, NULL);
    json_decref(body);
    cr_assert_eq(r->status, 201, "%s", r->body);
    char *id = strdup(json_str(r->json, "id"));
    *version = json_int(r->json, "version");
    http_free(r);
    return id;
}

static void hold_release(const person *dpo, const char *id, long version)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/retention-holds/%s/release", id);
    json_t *body = json_pack("{s:s}", "reason", "The inquiry has its copies");
    http_response *r = api_call("POST", path, dpo->token, body, etag_of(version));
    json_decref(body);
    cr_assert_eq(r->status, 200, "%s", r->body);
    http_free(r);
}

Test(retention_idempotency, RET_2_a_hold_on_the_class_stops_the_purge_and_keeps_keys)
{
    team t;
    team_new(&t);
    PGconn *lock = class_lock();
    time_t now = time(NULL);
    char key[64];
    unique_suffix(key, sizeof key);
    char *id = key_made_at(&t.admin, now - 750 * HOUR, key);

    long version;
    test_clock_set(now);
    char *hold = class_hold(&t.dpo, &version);
    /* held: the purge deletes nothing at all, and the key is not free */
    http_response *r = purge_now(&t.dpo);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_eq(json_int(r->json, "purged"), 0, "%s", r->body);
    http_free(r);
    cr_assert_eq(key_rows(&t.admin, key), 1, "held");
    char other[32];
    code_new(other, sizeof other);
    char *before = class_state(&t.admin);
    r = agency_post(&t.admin, key, other);
    expect_problem(r, 422, "/problems/idempotency-key-reused");
    http_free(r);
    char *after = class_state(&t.admin);
    cr_assert_str_eq(after, before, "a held key stays as it was");
    free(before);
    free(after);

    /* released: the next purge deletes it */
    hold_release(&t.dpo, hold, version);
    r = purge_now(&t.dpo);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_geq(json_int(r->json, "purged"), 1, "%s", r->body);
    http_free(r);
    cr_assert_eq(key_rows(&t.admin, key), 0);
    class_unlock(lock);
    free(hold);
    free(id);
    team_free(&t);
}

Test(retention_idempotency, RET_3_idempotency_records_are_never_due_for_a_decision)
{
    team t;
    team_new(&t);
    char key[64];
    unique_suffix(key, sizeof key);
    /* made two days ahead (so that no purge at the wall clock takes it),
     * and past its period 40 days ahead under any policy in bounds... */
    char *id = key_made_at(&t.admin, time(NULL) + 48 * HOUR, key);
    const char *params[] = {id};
    cr_assert_eq(db_long("SELECT count(*) FROM retention_records('idempotency_record',"
                         " current_date + 40, $1::uuid, NULL) r WHERE r.due_on <= current_date + 40",
                         1, params),
                 1, "due by its policy");
    /* ...yet never listed due: the service deletes it, nobody decides */
    test_clock_set(time(NULL) + 40 * 24 * HOUR);
    http_response *r = api_get("/v1/records-due?limit=200", t.dpo.token);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_null(strstr(r->body, "idempotency_record"), "%s", r->body);
    cr_assert_null(strstr(r->body, id));
    http_free(r);
    cr_assert_eq(db_long("SELECT count(*) FROM records_due(current_date + 40) r"
                         " WHERE r.item->>'record_class' = 'idempotency_record'",
                         0, NULL),
                 0);

    /* a disposal naming the class: 422 on record_class, nothing changed */
    char *before = class_state(&t.dpo);
    json_t *body = json_pack("{s:s, s:s}", "record_class", "idempotency_record", "record_id", id);
    r = api_call("POST", "/v1/disposals", t.dpo.token, body, NULL);
    json_decref(body);
    expect_problem(r, 422, "/problems/rule-violated");
    cr_assert(problem_has_rule(r, "RET-3", "record_class"), "%s", r->body);
    http_free(r);
    char *after = class_state(&t.dpo);
    cr_assert_str_eq(after, before);
    cr_assert_eq(db_long("SELECT count(*) FROM disposals WHERE record_id = $1::uuid", 1, params),
                 0);
    cr_assert_eq(key_rows(&t.admin, key), 1, "the record is left to the purge");
    /* nor can a decision on it be written past the API: the registry says
     * who disposes of the class (a foreign key) */
    char sql[640];
    snprintf(sql, sizeof sql,
             "INSERT INTO disposals (record_class, record_id, child_ids, agencies,"
             " policy_version, due_on, proposed_by_sub, proposed_by_name, proposed_by_agency,"
             " proposed_as) VALUES ('idempotency_record', '%s', '{}', '{}', 1, '2000-01-01',"
             " 'ghost', 'Ghost', 'X', 'dpo')",
             id);
    char *state = db_try(sql);
    cr_assert_str_eq(state, "23503");
    free(state);
    cr_assert_eq(db_long("SELECT count(*) FROM disposals WHERE record_id = $1::uuid", 1, params),
                 0);
    free(before);
    free(after);
    free(id);
    team_free(&t);
}
