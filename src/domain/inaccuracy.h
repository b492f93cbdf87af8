/* inaccuracy: recipients point out inaccuracies in approved minutes, and
 * the chair answers (REN-4).
 *
 * An inaccuracy names an approved version of the minutes, says what is
 * wrong (and where, optionally), and is raised within the accuracy window
 * (policy: working days from the version's approval). The chair answers it
 * once: with an amendment (MIN-3: a later version of the minutes, approved)
 * or with a refusal and its reason. Plain C over plain data. */
#ifndef MAM_INACCURACY_H
#define MAM_INACCURACY_H

#include <jansson.h>
#include <stdbool.h>

#include "domain/gate.h"
#include "domain/violations.h"

#define INACCURACY_TEXT_MAX 4000
#define INACCURACY_PART_MAX 200

/* Inaccuracies are pointed out in approved versions; answered once. */
extern const state_gate minutes_gate_inaccuracy; /* the version is approved */
extern const state_gate inaccuracy_gate_answer;  /* the inaccuracy is open */

/* {text, part?}: strings borrow from the body. */
typedef struct inaccuracy_in {
    const char *text;
    const char *part;
} inaccuracy_in;
void inaccuracy_parse(json_t *body, inaccuracy_in *in, violations *v);

/* REN-4: raised on or before the last day of the window (YYYY-MM-DD,
 * compared as dates). */
void inaccuracy_check_window(const char *today, const char *window_closes_on, violations *v);

/* {outcome: amended | refused, amendment_number?, reason?}. */
typedef struct inaccuracy_answer {
    const char *outcome;
    long amendment_number; /* 0 when absent */
    const char *reason;
} inaccuracy_answer;
extern const char *const inaccuracy_outcomes[];
void inaccuracy_answer_parse(json_t *body, inaccuracy_answer *in, violations *v);

/* REN-4, MIN-3: an answer by amendment names an approved version after the
 * one the inaccuracy is about (amendment_approved: whether that version
 * exists and is approved); a refusal gives its reason, an amendment none. */
void inaccuracy_answer_check(const inaccuracy_answer *in, int about_number,
                             bool amendment_approved, violations *v);

#endif
