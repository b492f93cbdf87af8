/* The new input paths of INT-5 and INT-6: webhook endpoint bodies (POST
 * and PATCH) with the URL policy, the URL splitter on raw text, the host
 * allow-list matcher, the retry schedule and allow-list settings, secret
 * base64 and sealed-secret opening, and the iCalendar renderer fed with
 * whatever an attendee row could hold. The first byte chooses the path. */
#include "fuzz.h"

#include "core/config.h"
#include "core/secret.h"
#include "domain/ical.h"
#include "domain/webhooks.h"

#include <libical/ical.h>

static char *allowed_hosts[] = {"hooks.police.example", "*.nhs.example", "127.0.0.1"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t which = data[0] % 5;
    data++;
    size--;
    config_integrations cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.webhook_allowed_hosts = allowed_hosts;
    cfg.n_webhook_allowed_hosts = 3;
    cfg.webhook_allow_loopback = size % 2;
    if (which <= 1) {
        json_t *body = fuzz_body(data, size);
        if (body) {
            violations v;
            violations_init(&v);
            endpoint_in in;
            endpoint_parse(body, which == 1, &cfg, &in, &v);
            /* what a parse accepts is sound */
            if (v.n == 0 && in.url && webhook_url_refusal(in.url, &cfg) != NULL)
                abort();
            for (int i = 0; v.n == 0 && i < in.n_types; i++)
                if (!webhook_event_type_known(in.types[i]))
                    abort();
            json_decref(body);
        }
        return 0;
    }
    char *text = fuzz_string(data, size);
    if (which == 2) {
        url_parts u;
        if (webhook_url_split(text, &u) && strlen(u.host) >= sizeof u.host)
            abort();
        (void)webhook_url_refusal(text, &cfg);
        (void)config_host_allowed(&cfg, text);
        (void)config_host_pattern_valid(text);
    } else if (which == 3) {
        int schedule[CONFIG_RETRY_MAX];
        int n = config_parse_schedule(text, schedule, CONFIG_RETRY_MAX);
        if (n > CONFIG_RETRY_MAX)
            abort();
        unsigned char out[96];
        long got = secret_base64_decode(text, out, sizeof out);
        if (got > (long)sizeof out)
            abort();
        unsigned char key[SECRET_KEY_BYTES] = {1};
        (void)secret_open(key, "endpoint", text, out, sizeof out);
    } else {
        /* an attendee and a meeting holding whatever the bytes say */
        ical_attendee a;
        memset(&a, 0, sizeof a);
        snprintf(a.invitation_id, sizeof a.invitation_id, "00000000-0000-4000-8000-000000000000");
        snprintf(a.category, sizeof a.category, "%s", size % 3 ? "professional" : "parent_carer");
        snprintf(a.name, sizeof a.name, "%s", text);
        snprintf(a.contact, sizeof a.contact, "%s", text);
        snprintf(a.status, sizeof a.status, "%s", size % 5 ? "accepted" : "invited");
        ical_event e;
        memset(&e, 0, sizeof e);
        snprintf(e.meeting_id, sizeof e.meeting_id, "00000000-0000-4000-8000-000000000001");
        snprintf(e.reference, sizeof e.reference, "MAM-2026-000001");
        snprintf(e.type, sizeof e.type, "professionals");
        snprintf(e.status, sizeof e.status, "%s", size % 7 ? "scheduled" : "cancelled");
        snprintf(e.format, sizeof e.format, "hybrid");
        snprintf(e.convening_agency, sizeof e.convening_agency, "DEV-CSC");
        snprintf(e.agency_name, sizeof e.agency_name, "%s", text);
        e.start = 1800000000LL + (long long)size;
        e.duration_minutes = 60;
        e.n_attendees = 1;
        e.attendees = &a;
        char *cal = ical_render(&e, 1, size % 2 ? ICAL_PUBLISH : ICAL_REQUEST_OR_CANCEL, "", 0);
        if (!cal)
            abort();
        /* nothing in a name can break out of its property: it parses back
         * to one calendar with one event */
        icalcomponent *back = icalparser_parse_string(cal);
        if (!back || icalcomponent_count_components(back, ICAL_VEVENT_COMPONENT) != 1)
            abort();
        icalcomponent_free(back);
        free(cal);
    }
    free(text);
    return 0;
}
