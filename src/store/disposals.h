/* disposals (store): disposal of a record of any class people decide on
 * (the registry, sql/044_retention_class_registry.sql) as a decision of two
 * people (RET-3). A proposal names a record that is due (retention_records,
 * sql/functions/88_retention.sql) and not held; its approval by a second
 * person carries it out in the same transaction (retention_dispose, which
 * calls the class's own retention_dispose_<class> or
 * retention_anonymise_<class>), leaving the row as the tombstone. */
#ifndef MAM_STORE_DISPOSALS_H
#define MAM_STORE_DISPOSALS_H

#include <stdbool.h>

#include "store/store.h"

/* Rendered by disposal_json; announced (disposal.proposed, record.purged)
 * to the agencies the record concerned, about the meeting, by id: a
 * meeting record's. A subject access case concerns no agency: nothing is
 * announced for it (its existence is the dpo's to know). */
extern const store_kind STORE_DISPOSAL;

typedef struct disposal_row {
    char id[37];
    char record_class[32];
    char record_id[37];
    char status[16];
    char proposed_by_sub[256];
    char proposed_as[16];
    long version;
} disposal_row;

/* The disposal: 1, 0 (absent or not a UUID), -1. Not locked (the runtime
 * role may not update a disposal): disposals_carry_out decides under its
 * own lock. */
int disposals_find(store *s, const char *id, disposal_row *out);

/* A record's retention at the store's today, for a decision. */
typedef struct record_retention {
    bool ended;          /* its period has started (the record is closed) */
    bool due;            /* its period has passed */
    char due_on[11];     /* "" while not started */
    int policy_version;
    char then_action[16]; /* the policy's: review, delete, anonymise */
    int holds;           /* holds in effect on it (RET-2) */
    bool decided;        /* a disposal is proposed or made already */
    int dependants;      /* later records that point at it */
} record_retention;

/* The retention of the record of the class (the meeting or the subject
 * access request row locked): 1, 0 (no such record), -1. */
int disposals_record(store *s, const char *record_class, const char *record_id,
                     record_retention *out);

/* Whether the caller reaches decisions on the record
 * (disposal_record_reachable: the dpo and admins every one, a senior
 * manager meeting records on meetings they may see, SEC-2): 1, 0, -1. */
int disposals_reachable(store *s, const char *record_class, const char *record_id);

/* Records the caller's proposal (side "dpo" or "manager") to dispose of
 * the record under policy_version by action (delete or anonymise); its id
 * in id_out. */
int disposals_propose(store *s, const char *record_class, const char *record_id,
                      const char *action, const char *side, int policy_version,
                      const char *due_on, char id_out[37]);

/* Carries out the proposal, approved by the caller: deletes the record's
 * content and leaves the tombstone. 1 done, 0 carried out meanwhile by
 * another (nothing changed), -1 a failure. */
int disposals_carry_out(store *s, const char *id);

#endif
