/* policy: the clocks of the service as one versioned document (OBL-1).
 *
 * Each clock is a number of working days (domain/calendar.h). The policy is
 * held in the database with its history (store/policy.h); a change is a new
 * version, effective from when it is recorded, and an obligation keeps the
 * version in effect when the event it runs from happened. This module is the
 * document's shape and its limits, as plain C. */
#ifndef MAM_POLICY_H
#define MAM_POLICY_H

#include <jansson.h>

#include "domain/violations.h"

typedef struct policy {
    int version;
    int drift_working_days;                 /* MTG-10 */
    int notice_working_days;                /* INV-4 */
    int response_working_days;              /* INV-8 */
    int minutes_due_working_days;           /* MIN-4 */
    int feedback_working_days;              /* FAM-6 */
    int safeguarding_referral_working_days; /* ACT-4 */
    int escalation_stage_working_days[4];   /* ESC-2 */
    int papers_before_working_days;         /* INV-6: papers this long before the start */
    int icpc_working_days;                  /* ICPC after a strategy discussion starting s47 */
    int action_due_soon_working_days;       /* OBL-3: the "due soon" reminder */
    int manager_reminder_working_days;      /* OBL-3: overdue, to the owner's manager */
    int contingency_working_days;           /* OBL-3: overdue past contingency */
    int accuracy_window_working_days;       /* REN-4: inaccuracies pointed out within it */
    int outcome_letter_working_days;        /* REN-3: the outcome letter after the hold */
} policy;

/* One clock: its member name in the API, where it lives in the struct and
 * its limits (the database's CHECKs agree: sql/030_policy_and_reminders.sql). */
typedef struct policy_clock {
    const char *name;
    size_t offset;
    int min, max;
} policy_clock;

extern const policy_clock policy_clocks[];
extern const int policy_clock_count;

#define POLICY_REASON_MAX 500

/* Reads a PUT /v1/policy body: {"clocks": {every clock}, "reason": text}.
 * Shape errors (unknown members, wrong types) are schema violations; a value
 * outside its limits, or a clock left out, is an OBL-1 violation naming the
 * field (clocks.<name>). *reason is borrowed from body (NULL when absent). */
void policy_parse(json_t *body, policy *out, const char **reason, violations *v);

#endif
