#include "store/calendar.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/text.h"
#include "core/xalloc.h"
#include "store/sql.h"

const store_kind STORE_CALENDAR_TOKEN = {
    "calendar_token",
    text_is_uuid,
    {"calendar_tokens_render",
     "SELECT calendar_token_json(t), 1 FROM calendar_tokens t WHERE t.id = $1", 1},
    {"calendar_tokens_read",
     "SELECT calendar_token_json(t), 1 FROM calendar_tokens t"
     " WHERE t.id = $1 AND calendar_token_visible(t, $2)",
     2},
    {"calendar_tokens_announce", "SELECT 1 WHERE false", 0},
};

#define EVENT_COLUMNS                                                                        \
    "m.id, m.reference, m.type, m.status, m.format, m.convening_agency, g.name,"             \
    " extract(epoch FROM m.scheduled_start)::bigint, m.duration_minutes,"                    \
    " m.calendar_sequence, extract(epoch FROM m.updated_at)::bigint"

#define ATTENDEE_COLUMNS                                                                     \
    " i.id, i.category, i.invitee_name, coalesce(i.agency, ''), i.contact, i.status"

static const db_stmt event_stmt = {
    "calendar_event",
    "SELECT " EVENT_COLUMNS " FROM meetings m JOIN agencies g ON g.code = m.convening_agency"
    " WHERE m.id = $1 AND m.scheduled_start IS NOT NULL",
    1};

static const db_stmt attendees_stmt = {
    "calendar_attendees",
    "SELECT" ATTENDEE_COLUMNS " FROM invitations i"
    " WHERE i.meeting_id = $1 AND ($2::uuid IS NULL OR i.id = $2::uuid)"
    " ORDER BY i.invited_at, i.id",
    2};

static const db_stmt feed_stmt = {
    "calendar_feed",
    "SELECT " EVENT_COLUMNS "," ATTENDEE_COLUMNS
    " FROM invitations i JOIN meetings m ON m.id = i.meeting_id"
    " JOIN agencies g ON g.code = m.convening_agency"
    " WHERE i.invitee_sub = $1 AND m.scheduled_start IS NOT NULL"
    "   AND m.scheduled_start > $2::date - 90"
    " ORDER BY m.scheduled_start, m.id LIMIT 500",
    2};

static const db_stmt live_stmt = {
    "calendar_tokens_live",
    "SELECT count(*) FROM calendar_tokens WHERE owner_sub = $1 AND revoked_at IS NULL"
    " AND expires_at > to_timestamp($2::bigint)",
    2};

static const db_stmt insert_stmt = {
    "calendar_tokens_insert",
    "INSERT INTO calendar_tokens (owner_sub, owner_agency, token_sha256, label, expires_at)"
    " VALUES ($1, $2, $3, $4, to_timestamp($5::bigint) + make_interval(days => $6::integer))"
    " RETURNING id",
    6};

static const db_stmt list_stmt = {
    "calendar_tokens_list",
    "SELECT calendar_token_json(t), rfc3339(t.created_at), t.id FROM calendar_tokens t"
    " WHERE calendar_token_visible(t, $1)"
    "   AND ($2::timestamptz IS NULL OR (t.created_at, t.id) > ($2::timestamptz, $3::uuid))"
    " ORDER BY t.created_at, t.id LIMIT $4",
    4};

static const db_stmt revoke_stmt = {
    "calendar_tokens_revoke",
    "UPDATE calendar_tokens t SET revoked_at = coalesce(t.revoked_at, now())"
    " WHERE t.id = $1 AND calendar_token_visible(t, $2) RETURNING t.id",
    2};

/* Used now, unless used less than $3 seconds ago (then only told so). */
static const db_stmt use_stmt = {
    "calendar_tokens_use",
    "WITH t AS (SELECT * FROM calendar_tokens WHERE token_sha256 = $1 AND revoked_at IS NULL"
    "             AND expires_at > to_timestamp($2::bigint) FOR UPDATE),"
    " used AS (UPDATE calendar_tokens c SET last_used_at = now(), uses = c.uses + 1 FROM t"
    "           WHERE c.id = t.id AND (t.last_used_at IS NULL"
    "                 OR t.last_used_at <= now() - make_interval(secs => $3::integer))"
    "          RETURNING c.id)"
    " SELECT t.owner_sub, t.owner_agency, EXISTS (SELECT 1 FROM used) FROM t",
    3};

static void fill_event(PGresult *res, int row, ical_event *e)
{
    sql_copy(e->meeting_id, sizeof e->meeting_id, PQgetvalue(res, row, 0));
    sql_copy(e->reference, sizeof e->reference, PQgetvalue(res, row, 1));
    sql_copy(e->type, sizeof e->type, PQgetvalue(res, row, 2));
    sql_copy(e->status, sizeof e->status, PQgetvalue(res, row, 3));
    sql_copy(e->format, sizeof e->format, PQgetvalue(res, row, 4));
    sql_copy(e->convening_agency, sizeof e->convening_agency, PQgetvalue(res, row, 5));
    sql_copy(e->agency_name, sizeof e->agency_name, PQgetvalue(res, row, 6));
    e->start = atoll(PQgetvalue(res, row, 7));
    e->duration_minutes = atoi(PQgetvalue(res, row, 8));
    e->sequence = atoi(PQgetvalue(res, row, 9));
    e->updated = atoll(PQgetvalue(res, row, 10));
}

static void fill_attendee(PGresult *res, int row, int col, ical_attendee *a)
{
    sql_copy(a->invitation_id, sizeof a->invitation_id, PQgetvalue(res, row, col));
    sql_copy(a->category, sizeof a->category, PQgetvalue(res, row, col + 1));
    sql_copy(a->name, sizeof a->name, PQgetvalue(res, row, col + 2));
    sql_copy(a->agency, sizeof a->agency, PQgetvalue(res, row, col + 3));
    sql_copy(a->contact, sizeof a->contact, PQgetvalue(res, row, col + 4));
    sql_copy(a->status, sizeof a->status, PQgetvalue(res, row, col + 5));
}

int calendar_event(store *s, const char *meeting_id, const char *invitation_id, ical_event *out)
{
    memset(out, 0, sizeof *out);
    const char *params[] = {meeting_id, invitation_id};
    PGresult *res = sql_query(s, &event_stmt, params);
    if (!res)
        return -1;
    int found = PQntuples(res) == 1;
    if (found)
        fill_event(res, 0, out);
    PQclear(res);
    if (!found)
        return 0;
    res = sql_query(s, &attendees_stmt, params);
    if (!res)
        return -1;
    out->n_attendees = PQntuples(res);
    out->attendees = xcalloc((size_t)(out->n_attendees ? out->n_attendees : 1),
                             sizeof *out->attendees);
    for (int i = 0; i < out->n_attendees; i++)
        fill_attendee(res, i, 0, &out->attendees[i]);
    PQclear(res);
    return 1;
}

void calendar_event_free(ical_event *e)
{
    free(e->attendees);
    e->attendees = NULL;
    e->n_attendees = 0;
}

int calendar_feed(store *s, const char *owner_sub, ical_event **out, int *n, char **ids)
{
    *out = NULL;
    *n = 0;
    *ids = NULL;
    const char *params[] = {owner_sub, s->today_text};
    PGresult *res = sql_query(s, &feed_stmt, params);
    if (!res)
        return -1;
    int rows = PQntuples(res);
    ical_event *events = xcalloc((size_t)(rows ? rows : 1), sizeof *events);
    buf list;
    buf_init(&list);
    buf_putc(&list, '{');
    for (int i = 0; i < rows; i++) {
        fill_event(res, i, &events[i]);
        events[i].n_attendees = 1;
        events[i].attendees = xcalloc(1, sizeof *events[i].attendees);
        fill_attendee(res, i, 11, &events[i].attendees[0]);
        if (i)
            buf_putc(&list, ',');
        buf_puts(&list, events[i].attendees[0].invitation_id);
    }
    buf_putc(&list, '}');
    PQclear(res);
    *out = events;
    *n = rows;
    *ids = buf_steal(&list);
    return 0;
}

void calendar_feed_free(ical_event *events, int n)
{
    for (int i = 0; i < n; i++)
        calendar_event_free(&events[i]);
    free(events);
}

int calendar_tokens_live(store *s, int *count)
{
    sql_int now;
    const char *params[] = {s->who->sub, sql_int_of(&now, (long long)s->now)};
    bool found;
    char *v = sql_value(s, &live_stmt, params, &found);
    if (!v)
        return -1;
    *count = atoi(v);
    free(v);
    return 0;
}

int calendar_tokens_insert(store *s, const char *sha256_hex, const char *label, int ttl_days,
                           char id_out[37])
{
    sql_int now, ttl;
    const char *params[] = {s->who->sub, s->who->agency, sha256_hex, label,
                            sql_int_of(&now, (long long)s->now), sql_int_of(&ttl, ttl_days)};
    bool found;
    char *id = sql_value(s, &insert_stmt, params, &found);
    if (!id)
        return -1;
    sql_copy(id_out, 37, id);
    free(id);
    return 0;
}

int calendar_tokens_list(store *s, int limit, char *const *after, store_page *out)
{
    sql_int lim;
    const char *params[] = {s->who->sub, after[0], after[1], sql_int_of(&lim, limit + 1)};
    return sql_list(s, &list_stmt, params, limit, 2, -1, out);
}

int calendar_tokens_revoke(store *s, const char *id)
{
    if (!text_is_uuid(id))
        return 0;
    const char *params[] = {id, s->who->sub};
    bool found;
    char *v = sql_value(s, &revoke_stmt, params, &found);
    if (!v)
        return found ? -1 : 0;
    free(v);
    return 1;
}

int calendar_tokens_use(store *s, const char *sha256_hex, int min_interval_s,
                        char owner_sub[CALLER_SUB_MAX + 1], char owner_agency[CALLER_AGENCY_MAX + 1])
{
    sql_int now, interval;
    const char *params[] = {sha256_hex, sql_int_of(&now, (long long)s->now),
                            sql_int_of(&interval, min_interval_s)};
    PGresult *res = sql_query(s, &use_stmt, params);
    if (!res)
        return -1;
    int rc = 0;
    if (PQntuples(res) == 1) {
        sql_copy(owner_sub, CALLER_SUB_MAX + 1, PQgetvalue(res, 0, 0));
        sql_copy(owner_agency, CALLER_AGENCY_MAX + 1, PQgetvalue(res, 0, 1));
        rc = PQgetvalue(res, 0, 2)[0] == 't' ? 1 : 2;
    }
    PQclear(res);
    return rc;
}
