#include "domain/webhooks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "domain/json_in.h"

const char *const webhook_event_types[] = {
    "agency.created", "agency.updated",
    "meeting.requested", "meeting.updated", "meeting.decision_reopened", "meeting.authorised",
    "meeting.declined", "meeting.cancelled", "meeting.scheduled", "meeting.rescheduled",
    "meeting.attendance_recorded", "meeting.held", "meeting.closed",
    "invitation.created", "invitation.answered", "invitation.delegated",
    "invitation.paper_shared", "invitation.withdrawn", "invitation.deadline_changed",
    "invitation.attendance_recorded",
    "consent_decision.recorded", "consent_decision.answered",
    "minutes.drafted", "minutes.approved", "minutes.amended", "minutes.distributed",
    "rendition.approved", "rendition.shared", "inaccuracy.raised", "inaccuracy.answered",
    "outcome_letter.sent",
    "action.created", "action.updated", "action.completed", "action.cancelled",
    "action.reviewed", "action.carried_forward",
    "escalation.raised", "escalation.responded", "escalation.escalated",
    "escalation.resolved", "escalation.withdrawn",
    "bank_holiday.created", "bank_holiday.removed",
    "policy.changed",
    /* RET-1 to RET-3: retention, holds and disposal (ids only) */
    "retention_policy.changed", "child.case_closed", "retention_hold.placed",
    "retention_hold.released", "record.due", "disposal.proposed", "record.purged",
    /* OBL-3: the reminders, as reminders_due (sql/functions/85_obligations.sql)
     * names them: reminder.<clock>_<stage> */
    "reminder.response_due", "reminder.papers_due", "reminder.drift_due",
    "reminder.minutes_due", "reminder.outcome_letter_due", "reminder.review_due",
    "reminder.icpc_due",
    "reminder.escalation_stage_due",
    "reminder.action_due_soon", "reminder.action_overdue", "reminder.action_overdue_manager",
    "reminder.family_feedback_due_soon", "reminder.family_feedback_overdue",
    "reminder.family_feedback_overdue_manager",
    "reminder.safeguarding_referral_due_soon", "reminder.safeguarding_referral_overdue",
    "reminder.safeguarding_referral_overdue_manager",
    "reminder.escalation_offered",
    NULL,
};

bool webhook_event_type_known(const char *type)
{
    for (int i = 0; webhook_event_types[i]; i++)
        if (strcmp(webhook_event_types[i], type) == 0)
            return true;
    return false;
}

bool webhook_host_is_loopback(const char *host)
{
    if (strcasecmp(host, "localhost") == 0 || strcmp(host, "::1") == 0)
        return true;
    if (strncmp(host, "127.", 4) != 0)
        return false;
    int dots = 0;
    for (const char *p = host; *p; p++) {
        if (*p == '.')
            dots++;
        else if (*p < '0' || *p > '9')
            return false;
    }
    return dots == 3;
}

bool webhook_url_split(const char *url, url_parts *out)
{
    memset(out, 0, sizeof *out);
    const char *p;
    if (strncasecmp(url, "https://", 8) == 0) {
        out->https = true;
        p = url + 8;
    } else if (strncasecmp(url, "http://", 7) == 0) {
        p = url + 7;
    } else {
        return false;
    }
    for (const char *c = url; *c; c++)
        if ((unsigned char)*c <= 0x20 || *c == 0x7f || *c == '\\')
            return false;
    out->has_fragment = strchr(url, '#') != NULL;
    /* the authority ends at the first / ? or # */
    size_t auth_len = strcspn(p, "/?#");
    const char *at = memchr(p, '@', auth_len);
    if (at) {
        out->has_userinfo = true;
        auth_len -= (size_t)(at + 1 - p);
        p = at + 1;
    }
    const char *end = p + auth_len;
    const char *host_end;
    if (*p == '[') {
        const char *close = memchr(p, ']', auth_len);
        if (!close || close - p - 1 <= 0 || (size_t)(close - p - 1) >= sizeof out->host)
            return false;
        memcpy(out->host, p + 1, (size_t)(close - p - 1));
        for (const char *h = out->host; *h; h++)
            if (!strchr("0123456789abcdefABCDEF:.", *h))
                return false;
        host_end = close + 1;
    } else {
        host_end = memchr(p, ':', auth_len);
        if (!host_end)
            host_end = end;
        size_t n = (size_t)(host_end - p);
        if (n == 0 || n >= sizeof out->host)
            return false;
        memcpy(out->host, p, n);
        for (char *h = out->host; *h; h++) {
            if (!((*h >= 'a' && *h <= 'z') || (*h >= 'A' && *h <= 'Z') ||
                  (*h >= '0' && *h <= '9') || *h == '-' || *h == '.'))
                return false;
            if (*h >= 'A' && *h <= 'Z')
                *h = (char)(*h - 'A' + 'a');
        }
    }
    if (host_end < end) {
        if (*host_end != ':' || host_end + 1 == end || end - host_end - 1 > 5)
            return false;
        int port = 0;
        for (const char *d = host_end + 1; d < end; d++) {
            if (*d < '0' || *d > '9')
                return false;
            port = port * 10 + (*d - '0');
        }
        if (port < 1 || port > 65535)
            return false;
        out->port = port;
    }
    return true;
}

const char *webhook_url_refusal(const char *url, const config_integrations *cfg)
{
    url_parts u;
    if (strlen(url) > WEBHOOK_URL_MAX || !webhook_url_split(url, &u))
        return "not an http(s) URL";
    if (u.has_userinfo)
        return "a URL with a user name or password is refused";
    if (u.has_fragment)
        return "a URL with a fragment is refused";
    bool loopback = webhook_host_is_loopback(u.host);
    if (!u.https && !(loopback && cfg->webhook_allow_loopback))
        return "only https URLs are allowed";
    if (loopback && !cfg->webhook_allow_loopback)
        return "loopback addresses are refused";
    if (!config_host_allowed(cfg, u.host))
        return "the host is not on the allow-list (WEBHOOK_ALLOWED_HOSTS)";
    return NULL;
}

void endpoint_parse(json_t *body, bool patch, const config_integrations *cfg, endpoint_in *out,
                    violations *v)
{
    static const char *const allowed[] = {"url", "event_types", "description", "status", NULL};
    static const char *const allowed_create[] = {"url", "event_types", "description", "agency",
                                                 NULL};
    static const char *const read_only[] = {"id",          "agency",     "version", "created_at",
                                            "updated_at",  "secret",     "disabled_reason",
                                            "previous_secret_expires_at", NULL};
    static const char *const statuses[] = {"active", "disabled", NULL};
    memset(out, 0, sizeof *out);
    out->n_types = -1;
    jin_only_keys(v, body, "", patch ? allowed : allowed_create, read_only);
    out->url = jin_string(v, body, "", "url", WEBHOOK_URL_MAX, !patch, NULL);
    if (!patch)
        out->agency = jin_string(v, body, "", "agency", 32, false, NULL);
    json_t *d = json_object_get(body, "description");
    out->description_null = patch && d && json_is_null(d);
    out->description = jin_string(v, body, "", "description", WEBHOOK_DESCRIPTION_MAX, false, NULL);
    if (patch)
        out->status = jin_enum(v, body, "", "status", statuses, false, NULL);
    json_t *types = jin_array(v, body, "", "event_types", WEBHOOK_TYPES_MAX, !patch, NULL);
    if (types) {
        out->n_types = 0;
        if (json_array_size(types) == 0)
            violation_rule(v, "event_types", "INT-5", "subscribe to at least one event type");
        size_t i;
        json_t *t;
        json_array_foreach(types, i, t) {
            char field[64];
            jin_index(field, sizeof field, "", "event_types", i);
            if (!json_is_string(t)) {
                violation_schema(v, field, "must be a string");
                continue;
            }
            const char *name = json_string_value(t);
            if (!webhook_event_type_known(name)) {
                violation_rule(v, field, "INT-5", "not an event type of the feed");
                continue;
            }
            bool repeated = false;
            for (int k = 0; k < out->n_types; k++)
                repeated |= strcmp(out->types[k], name) == 0;
            if (repeated)
                violation_schema(v, field, "listed twice");
            else
                out->types[out->n_types++] = name;
        }
    }
    if (out->url) {
        const char *why = webhook_url_refusal(out->url, cfg);
        if (why)
            violation_rule(v, "url", "INT-5", "%s", why);
    }
    if (patch && !out->url && out->n_types < 0 && !out->description && !out->description_null &&
        !out->status && v->n == 0)
        violation_schema(v, "", "an empty patch changes nothing");
}
