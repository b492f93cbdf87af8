#include "domain/ical.h"

#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PRODID "-//mam//Multi-agency safeguarding meetings//EN"

void ical_init(void)
{
    (void)icaltimezone_get_utc_timezone();
}

const char *ical_type_label(const char *type)
{
    static const struct {
        const char *type, *label;
    } labels[] = {
        {"stop_and_review", "Stop and review meeting"},
        {"professionals", "Professionals meeting"},
        {"professionals_only", "Professionals-only meeting"},
        {"strategy_discussion", "Strategy discussion"},
        {"multi_agency", "Multi-agency meeting"},
    };
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        if (strcmp(labels[i].type, type) == 0)
            return labels[i].label;
    return "Meeting";
}

static const char *format_label(const char *format)
{
    if (strcmp(format, "in_person") == 0)
        return "In person (venue in the meeting record)";
    if (strcmp(format, "virtual") == 0)
        return "Online (joining details in the meeting record)";
    if (strcmp(format, "hybrid") == 0)
        return "In person and online (details in the meeting record)";
    if (strcmp(format, "phone") == 0)
        return "By telephone (details in the meeting record)";
    return "See the meeting record";
}

static icalparameter_partstat partstat(const char *status)
{
    if (strcmp(status, "accepted") == 0)
        return ICAL_PARTSTAT_ACCEPTED;
    if (strcmp(status, "declined") == 0 || strcmp(status, "apologies") == 0 ||
        strcmp(status, "withdrawn") == 0)
        return ICAL_PARTSTAT_DECLINED;
    return ICAL_PARTSTAT_NEEDSACTION;
}

static const char *answer_label(const char *status)
{
    if (strcmp(status, "accepted") == 0)
        return "accepted";
    if (strcmp(status, "declined") == 0)
        return "declined";
    if (strcmp(status, "apologies") == 0)
        return "sent apologies";
    return "not answered yet";
}

static bool family(const ical_attendee *a)
{
    return strcmp(a->category, "parent_carer") == 0 ||
           strcmp(a->category, "child_young_person") == 0;
}

/* An e-mail address we may put in a calendar: one '@', no spaces or
 * characters that would need escaping. */
static bool mail_address(const char *s)
{
    const char *at = strchr(s, '@');
    if (!at || at == s || !at[1] || strchr(at + 1, '@') || strlen(s) > 200)
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              strchr("@.-_+", *p)))
            return false;
    return true;
}

/* A parameter value (CN) may not hold control characters or a double
 * quote (RFC 5545 3.1: param-value); they become spaces. */
static void clean_param(char *s)
{
    for (unsigned char *p = (unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f || *p == '"')
            *p = ' ';
}

static void add_attendee(icalcomponent *ev, const ical_attendee *a)
{
    char address[300], cn[900];
    if (!family(a) && mail_address(a->contact))
        snprintf(address, sizeof address, "mailto:%s", a->contact);
    else
        snprintf(address, sizeof address, "urn:uuid:%s", a->invitation_id);
    if (family(a))
        snprintf(cn, sizeof cn, "%s", strcmp(a->category, "parent_carer") == 0
                                          ? "Parent or carer"
                                          : "Child or young person");
    else if (a->agency[0])
        snprintf(cn, sizeof cn, "%s (%s)", a->name, a->agency);
    else
        snprintf(cn, sizeof cn, "%s", a->name);
    clean_param(cn);
    icalproperty *p = icalproperty_new_attendee(address);
    icalproperty_add_parameter(p, icalparameter_new_cn(cn));
    icalproperty_add_parameter(p, icalparameter_new_cutype(ICAL_CUTYPE_INDIVIDUAL));
    icalproperty_add_parameter(p, icalparameter_new_role(ICAL_ROLE_REQPARTICIPANT));
    icalproperty_add_parameter(p, icalparameter_new_partstat(partstat(a->status)));
    icalcomponent_add_property(ev, p);
}

static struct icaltimetype utc(long long t)
{
    return icaltime_from_timet_with_zone((time_t)t, 0, icaltimezone_get_utc_timezone());
}

static icalcomponent *event(const ical_event *e, enum ical_method method, bool cancel,
                            const char *base_url, time_t now)
{
    icalcomponent *ev = icalcomponent_new(ICAL_VEVENT_COMPONENT);
    char uid[80], summary[96], link[320], description[900];
    snprintf(uid, sizeof uid, "%s@mam", e->meeting_id);
    const char *label = ical_type_label(e->type);
    snprintf(summary, sizeof summary, "%s %s", label, e->reference);
    snprintf(link, sizeof link, "%s/v1/meetings/%s", base_url, e->meeting_id);
    int n = snprintf(description, sizeof description,
                     "%s %s, convened by %s. The meeting record, for those entitled to see it: %s",
                     label, e->reference, e->agency_name, link);
    if (method == ICAL_PUBLISH && e->n_attendees == 1 && n > 0 && (size_t)n < sizeof description)
        snprintf(description + n, sizeof description - (size_t)n, ". Your answer: %s.",
                 answer_label(e->attendees[0].status));
    icalcomponent_add_property(ev, icalproperty_new_uid(uid));
    icalcomponent_add_property(ev, icalproperty_new_sequence(e->sequence));
    icalcomponent_add_property(ev, icalproperty_new_dtstamp(utc((long long)now)));
    icalcomponent_add_property(ev, icalproperty_new_dtstart(utc(e->start)));
    icalcomponent_add_property(ev,
                               icalproperty_new_dtend(utc(e->start + 60LL * e->duration_minutes)));
    if (e->updated > 0)
        icalcomponent_add_property(ev, icalproperty_new_lastmodified(utc(e->updated)));
    icalcomponent_add_property(ev, icalproperty_new_summary(summary));
    icalcomponent_add_property(ev, icalproperty_new_description(description));
    icalcomponent_add_property(ev, icalproperty_new_location(format_label(e->format)));
    icalcomponent_add_property(ev, icalproperty_new_url(link));
    icalcomponent_add_property(ev, icalproperty_new_class(ICAL_CLASS_CONFIDENTIAL));
    icalcomponent_add_property(ev, icalproperty_new_transp(ICAL_TRANSP_OPAQUE));
    icalcomponent_add_property(
        ev, icalproperty_new_status(cancel ? ICAL_STATUS_CANCELLED : ICAL_STATUS_CONFIRMED));
    char organizer[64];
    snprintf(organizer, sizeof organizer, "urn:mam:agency:%s", e->convening_agency);
    char organizer_cn[sizeof e->agency_name];
    snprintf(organizer_cn, sizeof organizer_cn, "%s", e->agency_name);
    clean_param(organizer_cn);
    icalproperty *o = icalproperty_new_organizer(organizer);
    icalproperty_add_parameter(o, icalparameter_new_cn(organizer_cn));
    icalcomponent_add_property(ev, o);
    if (method != ICAL_PUBLISH)
        for (int i = 0; i < e->n_attendees; i++)
            add_attendee(ev, &e->attendees[i]);
    return ev;
}

char *ical_render(const ical_event *events, int n, enum ical_method method, const char *base_url,
                  time_t now)
{
    bool cancel = method != ICAL_PUBLISH && n == 1 && strcmp(events[0].status, "cancelled") == 0;
    icalcomponent *cal = icalcomponent_new(ICAL_VCALENDAR_COMPONENT);
    icalcomponent_add_property(cal, icalproperty_new_prodid(PRODID));
    icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
    icalcomponent_add_property(cal, icalproperty_new_calscale("GREGORIAN"));
    icalcomponent_add_property(
        cal, icalproperty_new_method(method == ICAL_PUBLISH ? ICAL_METHOD_PUBLISH
                                     : cancel              ? ICAL_METHOD_CANCEL
                                                           : ICAL_METHOD_REQUEST));
    for (int i = 0; i < n; i++) {
        bool cancelled = strcmp(events[i].status, "cancelled") == 0;
        icalcomponent_add_component(cal, event(&events[i], method, cancelled, base_url, now));
    }
    char *text = icalcomponent_as_ical_string_r(cal);
    icalcomponent_free(cal);
    if (!text)
        return NULL;
    char *copy = strdup(text);
    free(text);
    return copy;
}
