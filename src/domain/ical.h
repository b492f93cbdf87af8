/* ical: iCalendar (RFC 5545) for meetings and invitations, with the
 * scheduling methods of RFC 5546, written by libical (INT-6).
 *
 * What an entry says, and what it never says: the meeting's type and
 * reference, a link to the meeting, its time, whether it is in person,
 * online or both, the convening agency as organiser, and the attendees
 * with their answer (PARTSTAT from INV-3). Never the meeting's title,
 * purpose, rationale or venue, and never anything about the child: those
 * hold names, dates of birth and the concern, and calendar entries are
 * copied to phones and shared calendars. Family members appear by their
 * role, never by name or contact. Every entry is CLASS:CONFIDENTIAL.
 *
 * The UID of a meeting's entry is stable (its id), and SEQUENCE is the
 * meeting's calendar_sequence, raised by each reschedule and by a
 * cancellation (sql/functions/80_integrations.sql). */
#ifndef MAM_ICAL_H
#define MAM_ICAL_H

#include <stdbool.h>
#include <time.h>

typedef struct ical_attendee {
    char invitation_id[37];
    char category[24];  /* professional, specialist, parent_carer, child_young_person */
    char name[801];     /* a professional's name; unused for family members */
    char agency[33];
    char contact[256];  /* a professional's address, used when it is an e-mail address */
    char status[16];    /* invited, accepted, declined, apologies */
} ical_attendee;

typedef struct ical_event {
    char meeting_id[37];
    char reference[32];
    char type[32];
    char status[16];     /* the meeting's */
    char format[16];     /* in_person, virtual, hybrid, phone */
    char convening_agency[33];
    char agency_name[801];
    long long start;     /* seconds since the epoch, UTC */
    int duration_minutes;
    int sequence;
    long long updated;   /* LAST-MODIFIED */
    int n_attendees;
    ical_attendee *attendees; /* owned by whoever filled the event */
} ical_event;

enum ical_method { ICAL_REQUEST_OR_CANCEL, ICAL_PUBLISH };

/* Call once at start-up, before threads (libical's UTC zone is made lazily). */
void ical_init(void);

/* A calendar of the events (new string, or NULL when libical fails).
 * ICAL_REQUEST_OR_CANCEL (one event): METHOD:CANCEL when the meeting is
 * cancelled, else METHOD:REQUEST with the attendees. ICAL_PUBLISH: a
 * feed; RFC 5546 allows no ATTENDEE in PUBLISH, so each event's only
 * attendee's answer goes into its description instead. base_url prefixes
 * links ("" for relative ones); now is DTSTAMP. */
char *ical_render(const ical_event *events, int n, enum ical_method method, const char *base_url,
                  time_t now);

/* The human label of a meeting type ("Stop and review meeting"). */
const char *ical_type_label(const char *type);

#endif
