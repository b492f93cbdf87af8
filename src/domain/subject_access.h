/* subject_access: subject access requests (SAR-1, SAR-2) as plain
 * functions: the due date by the ICO rule on the working-day calendar, the
 * shapes and rules of a registration, an extension and a per-item decision,
 * and the disclosure set built from the decided items with its redaction
 * log.
 *
 * Offsets into an item's text (a redaction's spans) count Unicode code
 * points, as every length in the API does (domain/json_in.h). */
#ifndef MAM_SUBJECT_ACCESS_H
#define MAM_SUBJECT_ACCESS_H

#include <jansson.h>
#include <stddef.h>

#include "domain/calendar.h"
#include "domain/violations.h"

#define SAR_TEXT_MAX 2000
#define SAR_SPANS_MAX 200

extern const char *const sar_relations[];  /* self, parent, carer, legal_representative, ... */
extern const char *const sar_decisions[];  /* disclose, redact, withhold */
extern const char *const sar_exemptions[]; /* the UK DPA 2018 Schedule 2 and 3 exemptions */

/* SAR-1: one calendar month after receipt (three once extended): the
 * corresponding date, else that month's last day, moved to the next
 * working day when it is a weekend day or a bank holiday. */
cal_day sar_due(cal_day received, bool extended, const holidays *h);

/* POST /v1/subject-access-requests. Strings borrow from the body. The
 * subject is a child by reference (`system:id`, as ?ref=) or a person by
 * subject id, name or both. */
typedef struct sar_in {
    const char *child_ref;   /* the reference as given */
    char child_system[101];  /* parsed (nhs_number and upn normalised) */
    char child_id[101];
    const char *subject_sub, *subject_name;
    const char *requester_name, *requester_relation;
    const char *received_on, *identity_verified_on;
} sar_in;
void sar_parse(json_t *body, sar_in *in, violations *v);
/* SAR-1: received and verified on days that have come (`today`), verified
 * no earlier than received. */
void sar_check_dates(const sar_in *in, cal_day today, violations *v);

/* POST .../extension: {reason, requester_told_on}. */
typedef struct sar_extension_in {
    const char *reason;
    const char *requester_told_on;
} sar_extension_in;
void sar_extension_parse(json_t *body, sar_extension_in *in, violations *v);
/* SAR-1: an extension is made, and the requester told, before the first
 * due date; told no earlier than the receipt and not in the future. */
void sar_extension_check(const sar_extension_in *in, cal_day received, cal_day first_due,
                         cal_day today, violations *v);

/* POST .../answer: {answered_on}, the day the disclosure set went to the
 * requester: on or after the receipt, not in the future (SAR-1). */
void sar_answer_parse(json_t *body, const char **answered_on, violations *v);
void sar_answer_check(const char *answered_on, cal_day received, cal_day today, violations *v);

/* PUT .../items/{item_no}/decision: {decision, exemption?, spans?}.
 * spans borrows from the body: [{start, end, exemption}]. */
typedef struct sar_decision_in {
    const char *decision;
    const char *exemption; /* a withholding's */
    json_t *spans;         /* a redaction's */
} sar_decision_in;
void sar_decision_parse(json_t *body, sar_decision_in *in, violations *v);
/* SAR-2: a redaction's spans lie within the item's text, sorted and apart. */
void sar_decision_check(const sar_decision_in *in, const char *text, violations *v);

/* The text with each span [start, end) replaced by "[redacted: <exemption>]"
 * (new string); NULL when a span does not fit the text. */
char *sar_redact(const char *text, json_t *spans);

/* The disclosure set from every gathered item (as the store renders them:
 * {item_no, kind, source, provenance, text, decision}); NULL when an item
 * is undecided. Disclosed items whole, redacted ones with their spans
 * replaced, withheld ones not at all, each with its source and agency (not
 * the rest of its provenance: the third parties it names are the dpo's to
 * weigh, not the requester's to read); and the redaction log: every
 * decision, with its spans, exemption, who decided and when. */
json_t *sar_disclosure_set(json_t *items);

/* --- consultations (SAR-2) ---
 *
 * POST /v1/subject-access-requests/{sar_id}/consultations: {agency,
 * item_nos, question, working_days?}. The dpo consults a contributing
 * agency about its items; the deadline is working_days (1 to 20, 5 when
 * absent) working days after the day it is asked, on the working-day
 * calendar. */
#define SAR_QUESTION_MAX 2000
#define SAR_CONSULT_ANSWER_MAX 4000
#define SAR_CONSULT_ITEMS_MAX 200
#define SAR_CONSULT_DAYS_MIN 1
#define SAR_CONSULT_DAYS_MAX 20
#define SAR_CONSULT_DAYS_DEFAULT 5

extern const char *const sar_recommendations[]; /* disclose, redact, withhold */

typedef struct sar_consultation_in {
    const char *agency;   /* borrowed from the body */
    const char *question; /* borrowed from the body */
    long item_nos[SAR_CONSULT_ITEMS_MAX];
    size_t n_items;
    int working_days;
} sar_consultation_in;
void sar_consultation_parse(json_t *body, sar_consultation_in *in, violations *v);

/* SAR-2: the agency contributed at least one of the request's items, and
 * each item named is one of that agency's. `items` is every item of the
 * request as [{item_no, agency}]. */
void sar_consultation_check(const sar_consultation_in *in, json_t *items, violations *v);

/* SAR-2: the deadline, working_days working days after `asked`. */
cal_day sar_consultation_due(cal_day asked, int working_days, const holidays *h);

/* POST /v1/subject-access-consultations/{id}/answer: {recommendation,
 * text}, borrowed from the body. */
typedef struct sar_consultation_answer_in {
    const char *recommendation;
    const char *text;
} sar_consultation_answer_in;
void sar_consultation_answer_parse(json_t *body, sar_consultation_answer_in *in, violations *v);

#endif
