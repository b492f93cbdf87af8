/* outcome_letter: the chair's outcome letter (REN-3) — the decisions, the
 * outline plan and the next dates — to every invitee of a held meeting,
 * due a policy number of working days after the hold. Plain C over plain
 * data: the letter's shape and parts, and its state gate. */
#ifndef MAM_OUTCOME_LETTER_H
#define MAM_OUTCOME_LETTER_H

#include <jansson.h>

#include "domain/gate.h"
#include "domain/violations.h"

#define OUTCOME_LETTER_TEXT_MAX 20000

/* A letter goes out once the meeting is held (or closed). */
extern const state_gate meeting_gate_outcome_letter;

/* {decisions, plan, next_dates, sent_at?}: strings borrow from the body.
 * Each of the three parts is a REN-3 violation when missing or blank. */
typedef struct outcome_letter_in {
    const char *decisions;
    const char *plan;
    const char *next_dates;
    const char *sent_at; /* NULL: now */
} outcome_letter_in;
void outcome_letter_parse(json_t *body, outcome_letter_in *in, violations *v);

#endif
