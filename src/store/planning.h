/* planning (store): what the planning rules need to know about a meeting's
 * invitations and family-notice decision, read in one query. */
#ifndef MAM_STORE_PLANNING_H
#define MAM_STORE_PLANNING_H

#include <stdbool.h>

#include "store/store.h"

typedef struct planning_facts {
    int invited_agencies;            /* distinct professional agencies */
    /* MTG-7: children's social care counts when it convenes the meeting */
    bool invited_csc, invited_police, invited_health;
    char family_notice[16];          /* current decision, "" when none */
    char family_notice_status[24];   /* its status, "" when none */
    char family_notice_id[37];
    char awaiting_agencies[400];     /* FAM-2: whose agreement it awaits, "A, B" */
    bool family_invited;             /* family members invited, not withdrawn */
    int family_invitations;          /* how many */
    int invitations;                 /* not withdrawn */
    int unmarked;                    /* invitations (not withdrawn) without attendance */
    /* MTG-7: marked present; children's social care also when it convenes */
    bool csc_present, police_present, health_present;
    int unconfirmed_technology;      /* INV-5: invitees, family members included, still to come
                                      * who neither confirmed the technology nor stated support */
} planning_facts;

/* 0 on success, -1 on a database failure. */
int planning_facts_load(store *s, const char *meeting_id, planning_facts *out);

#endif
