/* sharing: the information-sharing ledger's rules (ISL-1 to ISL-3), as
 * plain functions: the closed vocabularies and the checks of a disclosure
 * or refusal recorded by hand (one spoken, or written outside the
 * service). The flows that disclose write their own entries
 * (sql/functions/37_information_sharing.sql). */
#ifndef MAM_SHARING_H
#define MAM_SHARING_H

#include <jansson.h>

#include "domain/violations.h"

#define SHARING_TEXT_MAX 10000

extern const char *const sharing_kinds[];          /* disclosure, refusal */
extern const char *const sharing_lawful_bases[];   /* consent, public_task, ... */
extern const char *const sharing_manual_channels[]; /* verbal, written */
extern const char *const sharing_channels[];        /* every channel of the ledger */
extern const char *const sharing_recipient_categories[];

typedef struct sharing_in {
    const char *child_id;
    const char *meeting_id;      /* optional: the meeting it was about */
    const char *kind;
    const char *channel;
    const char *what;
    const char *to_name, *to_agency, *to_category;
    const char *at;              /* RFC 3339; NULL: now */
    const char *purpose;
    const char *lawful_basis;    /* a disclosure's; a refusal may name the basis considered */
    int child_views_sought;      /* -1 absent, 0, 1 */
    int parents_views_sought;
    const char *views_not_sought_reason;
    const char *onward_limit;
    const char *refusal_reason;
} sharing_in;

/* ISL-1 (a disclosure: what, to whom, when, purpose, lawful basis, whether
 * the child's and the parents' views were sought and why not), ISL-3 (a
 * refusal: the same, and its reason). Shapes are schema violations; the
 * parts the rules require, rule violations. */
void sharing_parse(json_t *doc, sharing_in *in, violations *v);

#endif
