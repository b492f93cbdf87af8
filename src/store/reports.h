/* reports (store): the meetings the drift reports show (MTG-10, MIN-4),
 * among those the caller can see (SEC-2). */
#ifndef MAM_STORE_REPORTS_H
#define MAM_STORE_REPORTS_H

#include "store/store.h"

enum meeting_report {
    REPORT_DRIFTING,        /* requested on or before the cutoff, not yet held */
    REPORT_OVERDUE_MINUTES, /* held on or before the cutoff, minutes not yet out */
};

/* A page of the report's meetings, oldest first, after the cursor's
 * (time, id); cutoff is a date (YYYY-MM-DD). */
int reports_meetings(store *s, enum meeting_report report, const char *cutoff, int limit,
                     char *const *after, store_page *out);

/* MTG-12: a page of the meetings whose next review date has passed with no
 * review requested, of which the caller is the convening side (requester,
 * or manager of the convening agency), by review date, after the cursor's
 * (date, id). */
int reports_review_overdue(store *s, int limit, char *const *after, store_page *out);

#endif
