/* migrate: the schema in sql/, compiled into the binary.
 *
 * Each numbered file (tables and data) is applied once, in its own
 * transaction, and recorded with its checksum in schema_migrations. A
 * migration changed after it was applied is refused rather than silently
 * skipped. Then the function files (sql/functions: each SQL function in
 * its final form) are applied again, all in one transaction, on every run,
 * and recorded in schema_functions with their checksum and the
 * migration version they were applied at. */
#ifndef MAM_MIGRATE_H
#define MAM_MIGRATE_H

#include <libpq-fe.h>

typedef struct migration {
    int version;
    const char *name;
    const char *sql;
} migration;

typedef struct function_file {
    const char *name;
    const char *sql;
} function_file;

/* Generated from sql/ at build time (build/gen/migrations.c). */
extern const migration mam_migrations[];
extern const int mam_migration_count;
extern const function_file mam_function_files[];
extern const int mam_function_file_count;

/* The version the binary expects the schema to be at. */
int migrate_latest_version(void);

/* Session settings the migrations may read (current_setting), such as the
 * environment's policy values that 030 seeds the first policy version
 * with: names[i] = values[i]. 0 on success. Call before migrate_apply. */
int migrate_set(PGconn *pg, const char *const *names, const char *const *values, int n);

/* Applies pending migrations, then the function files, on pg; prints
 * progress to stderr. 0 on success. */
int migrate_apply(PGconn *pg);

/* Grants the runtime role (mam_runtime) its privileges again, as migration
 * 008's mam_grant_runtime() does: 1 when granted, 0 when no such role
 * exists (a single-role set-up), -1 on error. Idempotent. */
int migrate_grant_runtime(PGconn *pg);

/* The schema's current version, 0 when none is applied, -1 on error. */
int migrate_current_version(PGconn *pg);

#endif
