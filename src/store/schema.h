/* schema (store): what /readyz asks of the database — the version the
 * migrations reached and whether the function files were applied at it. */
#ifndef MAM_STORE_SCHEMA_H
#define MAM_STORE_SCHEMA_H

#include "store/store.h"

/* 1 when the schema answers (version filled: 0 when none is applied),
 * 0 when it has no schema at all, -1 on a failure. functions_version is
 * the migration version the function files were last applied at (0 when
 * never). */
int schema_state(store *s, int *version, int *functions_version);

/* The migration version this build needs. */
int schema_expected_version(void);

#endif
