/* reports (store): the meetings the drift reports show (MTG-10, MIN-4,
 * MTG-12), among those the caller can see (SEC-2): views of the
 * obligations (OBL-2), each clock defined once in meeting_obligations. */
#ifndef MAM_STORE_REPORTS_H
#define MAM_STORE_REPORTS_H

#include "store/store.h"

enum meeting_report {
    REPORT_DRIFTING,        /* the drift obligation owed and due by today: not yet held */
    REPORT_OVERDUE_MINUTES, /* the minutes obligation owed and due by today: not yet out */
};

/* A page of the report's meetings, oldest first (by the obligation's event:
 * the request, the hold), after the cursor's (time, id). */
int reports_meetings(store *s, enum meeting_report report, int limit,
                     char *const *after, store_page *out);

/* MTG-12: a page of the meetings whose next review date has passed with no
 * review requested, of which the caller is the convening side (requester,
 * or manager of the convening agency), by review date, after the cursor's
 * (date, id). */
int reports_review_overdue(store *s, int limit, char *const *after, store_page *out);

#endif
