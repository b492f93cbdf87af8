/* rendition: the minutes for each audience (REN-1, REN-2).
 *
 * A rendition is what one audience receives of one approved version of the
 * minutes, built here as plain C from the version's document: for the
 * family (a parent or carer, or the child) the family's copy (MIN-5,
 * minutes_family_copy: an allow-list, never part 1) with the sections
 * tagged for everyone; for one agency the whole record less the sections
 * kept for other agencies; for a public summary only what names no one.
 * Whatever is left out is listed by where it was and why (a withheld
 * reason, REN-1), never by what it said; the chair adds a fair summary of
 * it in words (REN-2). */
#ifndef MAM_RENDITION_H
#define MAM_RENDITION_H

#include <jansson.h>
#include <stdbool.h>

#include "auth/caller.h"
#include "domain/gate.h"
#include "domain/minutes.h"
#include "domain/violations.h"

#define RENDITION_SUMMARY_MAX 4000

/* REN-2: parent_or_carer, child, agency, public_summary. */
extern const char *const rendition_audiences[];

/* Renditions are made of approved versions only (REN-2). */
extern const state_gate minutes_gate_rendition;

/* A request to approve a rendition: {audience, agency?, withheld_summary?}.
 * Strings borrow from the body. Shape errors are schema violations; an
 * agency missing for (or given to) an audience is a REN-2 violation. */
typedef struct rendition_in {
    const char *audience;
    const char *agency;           /* only for the agency audience */
    const char *withheld_summary; /* the chair's fair summary of what is withheld */
} rendition_in;
void rendition_parse(json_t *body, rendition_in *in, violations *v);

/* Whether an audience is the family's (parent_or_carer, child). */
bool rendition_for_family(const char *audience);

/* Builds the rendition of `content` (an approved version) for in's
 * audience: the document (a new reference) and, in *withheld (a new
 * array), each part left out as {"part": <path in the minutes>, "reason":
 * <withheld reason>}. */
json_t *rendition_build(json_t *content, const family_copy_facts *f, const rendition_in *in,
                        json_t **withheld);

/* REN-2: what is withheld needs the chair's fair summary of it. */
void rendition_check(const rendition_in *in, json_t *withheld, violations *v);

/* REN-2: only the chair approves a rendition (MIN-3). */
bool rendition_may_approve(const caller *who, const char *chair_sub);

/* REN-2, FAM-5: who a rendition may be sent to. A family rendition goes to
 * the family only, and only where the sharing decision says share
 * (family_share); an agency's rendition to that agency's professionals; a
 * public summary to anyone. Reports each recipient refused, at
 * recipients[i]. Recipients are {name, agency?, category, contact}. */
void rendition_check_recipients(const char *audience, const char *agency, json_t *recipients,
                                bool family_share, violations *v);

#endif
