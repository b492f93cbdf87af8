/* minutes_common: what the minutes handlers share — opening the meeting and
 * its current minutes under SEC-2, who may write them (MIN-1), and the
 * answer after a change. */
#ifndef MAM_MINUTES_COMMON_H
#define MAM_MINUTES_COMMON_H

#include <stdbool.h>

#include "domain/violations.h"
#include "http/req.h"
#include "store/meetings.h"
#include "store/minutes.h"

typedef struct minutes_ctx {
    store *s;
    meeting_row meeting;
    minutes_row current; /* number 0 when there are no minutes yet */
} minutes_ctx;

/* Begins a transaction (an audited read unless `change`), finds the
 * meeting of the first path parameter if the caller may see it, and its
 * current minutes — both locked for a change. Answers 404/503 itself. */
bool minutes_open(req *r, bool change, minutes_ctx *m);

/* MIN-1: the chair or the minute taker; answers 403 otherwise. */
bool minutes_writer(req *r, const minutes_ctx *m);

/* After a change to the current version: the frame's finish (audit, feed,
 * rendering, Idempotency-Key, commit); a creation answers 201 with the
 * version's Location. */
void minutes_answer(req *r, const minutes_ctx *m, bool created, const char *audit_action,
                    const char *event_type);

/* Reads a distribution's body, {recipients: [{name, agency?, category,
 * contact}], sent_at?} (MIN-4, and a rendition's sending, REN-2):
 * recipients and sent_at borrow from the body; *family says whether any
 * recipient is the family. */
void minutes_parse_recipients(req *r, violations *v, json_t **recipients, const char **sent_at,
                              bool *family);

#endif
