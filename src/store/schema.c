#include "store/schema.h"

#include <stdlib.h>
#include <string.h>

#include "db/migrate.h"
#include "store/sql.h"

static const db_stmt state_stmt = {
    "schema_state",
    "SELECT (SELECT coalesce(max(version), 0) FROM schema_migrations),"
    " coalesce((SELECT migration_version FROM schema_functions WHERE id = 1), 0)",
    0};

int schema_state(store *s, int *version, int *functions_version)
{
    PGresult *res = sql_query(s, &state_stmt, NULL);
    if (!res) {
        /* undefined_table: no migration ever ran */
        return store_failure(s) == DB_UNAVAILABLE || store_failure(s) == DB_TIMEOUT ? -1 : 0;
    }
    *version = atoi(PQgetvalue(res, 0, 0));
    *functions_version = atoi(PQgetvalue(res, 0, 1));
    PQclear(res);
    return 1;
}

int schema_expected_version(void)
{
    return migrate_latest_version();
}
