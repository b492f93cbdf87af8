/* iCalendar (INT-6): a meeting's and an invitation's entry (METHOD REQUEST,
 * or CANCEL once the meeting is cancelled), and each person's own feed of
 * their invitations, which calendar applications subscribe to by URL.
 *
 * Calendar clients cannot send a bearer token, so a feed is reached by a
 * token in its URL (GET /v1/calendar-feeds/{feed_token}). Such a token is
 * made by its owner (POST /v1/calendar-tokens), shown once, and stored only
 * as its SHA-256; it is 256 random bits, reads nothing but its owner's own
 * invitations (and only what an entry may say, domain/ical.h), expires
 * (CALENDAR_TOKEN_TTL_DAYS), is revoked by its owner at any time, is served
 * at most once per CALENDAR_FEED_MIN_INTERVAL_S (429 sooner), and every
 * read is audited as its owner. The access log names the route template,
 * never the path, so the token is not logged. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/frame.h"
#include "api/handlers.h"
#include "core/secret.h"
#include "core/text.h"
#include "domain/ical.h"
#include "domain/json_in.h"
#include "store/audit.h"
#include "store/calendar.h"
#include "store/invitations.h"
#include "store/meetings.h"

#define CALENDAR_TYPE "text/calendar; charset=utf-8"
#define TOKEN_PREFIX "mamcal_"
#define TOKEN_RANDOM_BYTES 32
#define TOKEN_TEXT_MAX 64
#define LIVE_TOKENS_MAX 10
#define LABEL_MAX 100

static const char *base_url(req *r)
{
    const char *base = req_config(r)->integrations.public_base_url;
    return base ? base : "";
}

/* Renders one entry and answers it, audited under audit_action. */
static void answer_entry(req *r, store *s, ical_event *e, const char *audit_action,
                         const char *resource_type, const char *id)
{
    char *text = ical_render(e, 1, ICAL_REQUEST_OR_CANCEL, base_url(r), r->now);
    if (!text)
        problem_internal(r);
    else if (audit_record(s, audit_action, resource_type, id) != 0 || store_commit(s) != 0)
        req_db_failed(r);
    else
        reply_bytes(r, 200, CALENDAR_TYPE, text, strlen(text));
    free(text);
}

static void not_scheduled(req *r)
{
    problem_conflict(r, "INT-6", "The meeting has not been scheduled: it has no time to put in "
                                 "a calendar yet.");
}

void handle_invitations_calendar(req *r)
{
    store *s = frame_begin(r, FRAME_READ);
    invitation_row row;
    if (!s || !frame_found(r, invitations_find(s, req_path(r, 0), false, &row)))
        return;
    ical_event e;
    int got = calendar_event(s, row.meeting_id, row.id, &e);
    if (got < 0)
        req_db_failed(r);
    else if (got == 0)
        not_scheduled(r);
    else
        answer_entry(r, s, &e, "invitation.calendar", "invitation", row.id);
    calendar_event_free(&e);
}

void handle_meetings_calendar(req *r)
{
    store *s = frame_begin(r, FRAME_READ);
    meeting_row m;
    if (!s || !frame_found(r, meetings_find(s, req_path(r, 0), false, &m)))
        return;
    ical_event e;
    int got = calendar_event(s, m.id, NULL, &e);
    if (got < 0)
        req_db_failed(r);
    else if (got == 0)
        not_scheduled(r);
    else
        answer_entry(r, s, &e, "meeting.calendar", "meeting", m.id);
    calendar_event_free(&e);
}

/* A feed token: "mamcal_" and 43 characters of base64url. */
static bool token_well_formed(const char *t)
{
    if (!t || strncmp(t, TOKEN_PREFIX, sizeof TOKEN_PREFIX - 1) != 0)
        return false;
    const char *p = t + sizeof TOKEN_PREFIX - 1;
    size_t n = 0;
    for (; *p; p++, n++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_'))
            return false;
    return n == 43;
}

void handle_calendar_tokens_create(req *r)
{
    static const char *const fields[] = {"label", NULL};
    static const char *const read_only[] = {"id", "token", "feed_url", "created_at",
                                            "expires_at", "revoked_at", NULL};
    violations v;
    violations_init(&v);
    const char *label = NULL;
    if (r->body) {
        jin_only_keys(&v, r->body, "", fields, read_only);
        label = jin_string(&v, r->body, "", "label", LABEL_MAX, false, NULL);
    }
    if (v.schema && frame_violations(r, &v))
        return;
    store *s = frame_begin(r, FRAME_CHANGE);
    int live = 0;
    if (!s || !frame_ok(r, calendar_tokens_live(s, &live)))
        return;
    if (live >= LIVE_TOKENS_MAX)
        violation_rule(&v, "", "INT-6", "at most %d calendar feed tokens at once: revoke one first",
                       LIVE_TOKENS_MAX);
    if (frame_violations(r, &v))
        return;
    unsigned char raw[TOKEN_RANDOM_BYTES];
    secret_random(raw, sizeof raw);
    char token[TOKEN_TEXT_MAX], sha[65], id[37];
    memcpy(token, TOKEN_PREFIX, sizeof TOKEN_PREFIX - 1);
    text_base64url_encode(raw, sizeof raw, token + sizeof TOKEN_PREFIX - 1,
                          sizeof token - (sizeof TOKEN_PREFIX - 1));
    secret_wipe(raw, sizeof raw);
    text_sha256_hex(token, strlen(token), sha);
    if (!frame_ok(r, calendar_tokens_insert(s, sha, label,
                                            req_config(r)->integrations.calendar_token_ttl_days,
                                            id))) {
        secret_wipe(token, sizeof token);
        return;
    }
    char url[TOKEN_TEXT_MAX + 256];
    snprintf(url, sizeof url, "%s/v1/calendar-feeds/%s", base_url(r), token);
    json_t *extra = json_pack("{s:s, s:s}", "token", token, "feed_url", url);
    secret_wipe(token, sizeof token);
    secret_wipe(url, sizeof url);
    frame_finish(r, &(frame_change){.kind = &STORE_CALENDAR_TOKEN,
                                    .id = id,
                                    .audit_action = "calendar_token.create",
                                    .created = true,
                                    .extra = extra});
    json_decref(extra);
}

void handle_calendar_tokens_list(req *r)
{
    static const enum cursor_part key[] = {PART_TIMESTAMP, PART_UUID};
    frame_page page;
    if (!frame_page_read(r, &page, 2, key))
        return;
    store *s = frame_begin(r, FRAME_READ);
    store_page rendered;
    if (s && frame_ok(r, calendar_tokens_list(s, page.limit, page.after, &rendered)))
        frame_list(r, &rendered, NULL, "calendar_token");
    frame_page_free(&page);
}

void handle_calendar_tokens_revoke(req *r)
{
    const char *id = req_path(r, 0);
    store *s = frame_begin(r, FRAME_CHANGE);
    if (!s || !frame_found(r, calendar_tokens_revoke(s, id)))
        return;
    if (audit_record(s, "calendar_token.revoke", "calendar_token", id) != 0 ||
        store_commit(s) != 0)
        req_db_failed(r);
    else
        reply_empty(r, 204);
}

void handle_calendar_feed(req *r)
{
    const char *token = req_path(r, 0);
    if (!token_well_formed(token)) {
        problem_not_found(r);
        return;
    }
    char sha[65];
    text_sha256_hex(token, strlen(token), sha);
    store *s = frame_begin(r, FRAME_CHANGE);
    if (!s)
        return;
    int interval = req_config(r)->integrations.calendar_feed_min_interval_s;
    int used = calendar_tokens_use(s, sha, interval, r->who.sub, r->who.agency);
    if (used < 0) {
        req_db_failed(r);
        return;
    }
    if (used == 0) {
        problem_not_found(r);
        return;
    }
    if (used == 2) {
        char after[16];
        snprintf(after, sizeof after, "%d", interval);
        reply_header(r, "Retry-After", after);
        problem(r, 429, "too-many-requests", "Too Many Requests",
                "This calendar feed was read moments ago; calendar applications refresh it "
                "every few minutes at most.");
        return;
    }
    /* the feed acts as its owner from here on: the audit row is theirs */
    ical_event *events = NULL;
    int n = 0;
    char *ids = NULL;
    if (calendar_feed(s, r->who.sub, &events, &n, &ids) != 0) {
        req_db_failed(r);
        return;
    }
    char *text = ical_render(events, n, ICAL_PUBLISH, base_url(r), r->now);
    if (!text)
        problem_internal(r);
    else if (audit_record_list(s, "calendar_feed.read", "invitation", ids) != 0 ||
             store_commit(s) != 0)
        req_db_failed(r);
    else
        reply_bytes(r, 200, CALENDAR_TYPE, text, strlen(text));
    free(text);
    free(ids);
    calendar_feed_free(events, n);
}
