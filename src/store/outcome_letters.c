/* The chair's outcome letter (outcome_letters.h). */
#include "store/outcome_letters.h"

#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "store/sql.h"

const store_kind STORE_OUTCOME_LETTER = {
    "outcome_letter",
    text_is_uuid,
    {"outcome_letters_render",
     "SELECT outcome_letter_json(l), l.version FROM outcome_letters l WHERE l.meeting_id = $1",
     1},
    {"outcome_letters_read",
     "SELECT outcome_letter_json(l), l.version FROM outcome_letters l"
     " WHERE l.meeting_id = $1"
     "   AND meeting_visible($1, caller_principals($2, $3, $4::boolean, $5::boolean))",
     5},
    {"outcome_letters_announce",
     "INSERT INTO events (event_id, agency, type, resource_type, resource_id, resource_version)"
     " SELECT e.id, a.code, $2, 'outcome_letter', l.meeting_id::text, l.version"
     "   FROM outcome_letters l, (SELECT gen_random_uuid() AS id) e,"
     "        LATERAL (SELECT DISTINCT unnest(meeting_agencies(l.meeting_id)) AS code) a"
     "  WHERE l.meeting_id = $1",
     2},
};

static const db_stmt exists_stmt = {
    "outcome_letters_exists", "SELECT count(*) FROM outcome_letters WHERE meeting_id = $1", 1};

int outcome_letters_exists(store *s, const char *meeting_id)
{
    const char *params[] = {meeting_id};
    bool found;
    char *count = sql_value(s, &exists_stmt, params, &found);
    if (!count)
        return -1;
    int exists = strcmp(count, "0") != 0;
    free(count);
    return exists;
}

static const db_stmt send_stmt = {
    "outcome_letters_send",
    "INSERT INTO outcome_letters (meeting_id, decisions, plan, next_dates, due_on, sent_at,"
    " sent_by_sub, sent_by_name)"
    " SELECT m.id, $2, $3, $4,"
    "        outcome_letter_due_on(m.held_at),"
    "        coalesce($5::timestamptz, now()), $6, $7"
    "   FROM meetings m WHERE m.id = $1 AND m.held_at IS NOT NULL",
    7};

/* every invitee, but those withdrawn (FAM-9), who never came to be told */
static const db_stmt recipients_stmt = {
    "outcome_letters_recipients",
    "INSERT INTO outcome_letter_recipients (meeting_id, invitation_id)"
    " SELECT i.meeting_id, i.id FROM invitations i"
    "  WHERE i.meeting_id = $1 AND i.status <> 'withdrawn'",
    1};

int outcome_letters_send(store *s, const char *meeting_id, const outcome_letter_in *in)
{
    const char *params[] = {meeting_id,  in->decisions, in->plan,    in->next_dates,
                            in->sent_at, s->who->sub,   s->who->name};
    if (sql_run(s, &send_stmt, params) != 0)
        return -1;
    const char *recipients[] = {meeting_id};
    return sql_run(s, &recipients_stmt, recipients);
}
