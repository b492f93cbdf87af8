/* govuk_holidays: the official GOV.UK bank-holidays file
 * (https://www.gov.uk/bank-holidays.json), read for one division of the
 * United Kingdom, so that the working-days calendar (domain/calendar.h) can
 * be loaded from the source the government publishes.
 *
 * The file is one JSON object with a member per division
 * ("england-and-wales", "scotland", "northern-ireland"), each
 * {"division": name, "events": [{"title", "date", "notes", "bunting"}, ...]}.
 * Only the named division is read; the others are ignored, whatever they
 * hold. A date appearing twice in the division is refused, as are dates that
 * do not exist, blank or overlong titles and events of the wrong shape: every
 * problem is reported at once, each at its path
 * (england-and-wales.events[3].date), as schema violations (400). */
#ifndef MAM_GOVUK_HOLIDAYS_H
#define MAM_GOVUK_HOLIDAYS_H

#include <jansson.h>

#include "domain/calendar.h"
#include "domain/violations.h"

#define GOVUK_TITLE_MAX 200
#define GOVUK_EVENTS_MAX 2000

extern const char *const govuk_divisions[]; /* NULL-terminated */

typedef struct govuk_holiday {
    cal_day day;
    char date[11];
    const char *title; /* borrowed from the document */
} govuk_holiday;

/* The division's events, sorted by date (malloc'd array in *out, *n of
 * them; free() it), or NULL with *n 0 when the document is wrong (v says
 * why) or the division is not one of govuk_divisions. */
govuk_holiday *govuk_holidays_read(json_t *doc, const char *division, int *n, violations *v);

#endif
