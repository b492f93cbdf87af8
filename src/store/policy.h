/* policy (store): the clocks' versions (OBL-1, domain/policy.h) in
 * policy_versions, and the one version in effect now. Not case data: reads
 * are not audited; each change is audited and announced to every agency. */
#ifndef MAM_STORE_POLICY_H
#define MAM_STORE_POLICY_H

#include "domain/policy.h"
#include "store/store.h"

extern const store_kind STORE_POLICY;

/* The version in effect now (the latest recorded): 0, or -1 on a failure. */
int policy_load(store *s, policy *out);

/* The same, rendered (a new string), with its version; NULL on a failure. */
char *policy_current_json(store *s, long *version);

/* Records p as the version after `after_version`, effective from now, by the
 * caller: 0, or -1 (DB_UNIQUE when another change took that version first). */
int policy_record(store *s, const policy *p, int after_version, const char *reason);

/* A page of the versions, newest first, after the cursor's version. */
int policy_history(store *s, int limit, const char *after, store_page *out);

#endif
