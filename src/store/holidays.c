#include "store/holidays.h"

#include <libpq-fe.h>
#include <stdlib.h>
#include <time.h>

#include "core/xalloc.h"

static const db_stmt load_stmt = {
    "holidays_load", "SELECT day - date '1970-01-01' FROM bank_holidays ORDER BY day", 0};

int holidays_load(db_conn *c, holidays *h)
{
    h->days = NULL;
    h->n = 0;
    PGresult *res = db_exec(c, &load_stmt, NULL);
    if (!res)
        return -1;
    int n = PQntuples(res);
    cal_day *days = xcalloc((size_t)(n ? n : 1), sizeof *days);
    for (int i = 0; i < n; i++)
        days[i] = atoi(PQgetvalue(res, i, 0));
    PQclear(res);
    h->days = days;
    h->n = n;
    return 0;
}

void holidays_free(holidays *h)
{
    free((void *)h->days);
    h->days = NULL;
    h->n = 0;
}

cal_day holidays_today(void)
{
    return (cal_day)(time(NULL) / 86400);
}
