/* outcome_letters (store): the chair's outcome letter of a meeting (REN-3),
 * named by the meeting's id: sent once to every invitee, never changed (the
 * database refuses, sql/038_outcome_letters.sql); each invitee it went to
 * writes a ledger entry by trigger in the same transaction (ISL-2). Visible
 * to whoever may see the meeting (SEC-2). */
#ifndef MAM_STORE_OUTCOME_LETTERS_H
#define MAM_STORE_OUTCOME_LETTERS_H

#include "domain/outcome_letter.h"
#include "store/store.h"

extern const store_kind STORE_OUTCOME_LETTER;

/* Whether the meeting's letter was sent: 1, 0, -1. */
int outcome_letters_exists(store *s, const char *meeting_id);

/* Records the letter, sent by the caller, due `outcome_letter_working_days`
 * (the policy in effect at the hold) after the day the meeting was held,
 * and every invitee not withdrawn as a recipient. 0 or -1. */
int outcome_letters_send(store *s, const char *meeting_id, const outcome_letter_in *in);

#endif
