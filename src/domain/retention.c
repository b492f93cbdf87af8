#include "domain/retention.h"

#include <stdio.h>
#include <string.h>

#include "core/text.h"
#include "domain/json_in.h"

const char *const retention_record_classes[] = {"meeting_record", "subject_access_case",
                                                "audit_event",
                                                "consent_decision", "escalation",
                                                "draft_minutes",
                                                "idempotency_record",
                                                NULL};
const char *const retention_starts[] = {"meeting_closed", "case_closed", "date_of_birth",
                                        "request_answered",
                                        "event_recorded",
                                        "escalation_resolved",
                                        "request_made",
                                        NULL};
const char *const retention_thens[] = {"review", "delete",
                                       "anonymise",
                                       NULL};
const char *const disposal_actions[] = {"delete",
                                        "anonymise",
                                        NULL};

/* RET-1: each class with the start events its period may run from and what
 * may happen at its end: the rows of retention_class_starts and
 * retention_class_actions (sql/044_retention_class_registry.sql), which the
 * database enforces as foreign keys; here they give the caller the reason. */
static const retention_class retention_classes[] = {
    {"meeting_record", "a meeting record",
     {"meeting_closed", "case_closed", "date_of_birth", NULL},
     {"review", "delete", NULL}},
    {"subject_access_case", "a subject access case", {"request_answered", NULL},
     {"review", "delete", NULL}},
    {"audit_event", "a month of the audit trail", {"event_recorded", NULL},
     {"review", "delete", "anonymise", NULL}},
    {"consent_decision", "a consent decision",
     {"meeting_closed", "case_closed", "date_of_birth", NULL},
     {"review", "delete", NULL}},
    {"escalation", "an escalation",
     {"meeting_closed", "case_closed", "date_of_birth", "escalation_resolved", NULL},
     {"review", "delete", NULL}},
    {"draft_minutes", "a draft of minutes", {"meeting_closed", NULL}, {"review", "delete", NULL}},
    {"idempotency_record", "an idempotency record", {"request_made", NULL}, {"delete", NULL},
     .period_in_hours = true, .disposed_by_service = true},
};

const retention_class *retention_class_of(const char *name)
{
    for (size_t i = 0; name && i < sizeof retention_classes / sizeof retention_classes[0]; i++)
        if (strcmp(retention_classes[i].name, name) == 0)
            return &retention_classes[i];
    return NULL;
}

static bool listed(const char *const *list, const char *s)
{
    for (; s && *list; list++)
        if (strcmp(*list, s) == 0)
            return true;
    return false;
}

/* "a, b or c" */
static void list_text(const char *const *list, char *out, size_t size)
{
    out[0] = '\0';
    for (size_t i = 0; list[i]; i++) {
        const char *sep = i == 0 ? "" : list[i + 1] ? ", " : " or ";
        size_t len = strlen(out);
        snprintf(out + len, size - len, "%s%s", sep, list[i]);
    }
}
const char *const retention_hold_kinds[] = {"inquiry", "litigation", "subject_access",
                                            "rapid_review", "complaint", NULL};
const char *const retention_hold_scopes[] = {"child", "meeting", "record_class", NULL};

const state_gate hold_gate_release = {"RET-2", "This hold has been released already.",
                                      {"held"}};
const state_gate disposal_gate_approve = {
    "RET-3", "This disposal has been approved and carried out already.", {"proposed"}};

bool retention_record_class_known(const char *s)
{
    return retention_class_of(s) != NULL;
}

bool retention_period_in_hours(const char *record_class)
{
    const retention_class *c = retention_class_of(record_class);
    return c && c->period_in_hours;
}

bool retention_disposed_by_service(const char *record_class)
{
    const retention_class *c = retention_class_of(record_class);
    return c && c->disposed_by_service;
}

static bool object_body(json_t *body, violations *v)
{
    if (json_is_object(body))
        return true;
    violation_schema(v, "", "the body must be an object");
    return false;
}

/* A date member (YYYY-MM-DD), or NULL when absent; a malformed one is a
 * schema violation. */
static const char *date_member(json_t *body, const char *key, bool required, const char *rule,
                               violations *v)
{
    const char *s = jin_string(v, body, "", key, 10, required, rule);
    if (s && !text_is_date(s)) {
        violation_schema(v, key, "'%s' must be a date, YYYY-MM-DD", key);
        return NULL;
    }
    return s;
}

/* A period member within 1..max, or 0 (absent, null, or found wanting). */
static long period_member(json_t *body, const char *key, long max, const char *unit,
                          violations *v)
{
    json_t *n = json_object_get(body, key);
    if (!n || json_is_null(n))
        return 0;
    if (!json_is_integer(n))
        violation_schema(v, key, "'%s' must be a whole number", key);
    else if (json_integer_value(n) < 1 || json_integer_value(n) > max)
        violation_rule(v, key, "RET-1", "the period is 1 to %ld %s", max, unit);
    else
        return (long)json_integer_value(n);
    return 0;
}

static bool given(json_t *body, const char *key)
{
    json_t *m = json_object_get(body, key);
    return m && !json_is_null(m);
}

void retention_policy_parse(json_t *body, retention_policy_in *in, violations *v)
{
    static const char *const fields[] = {"period_months", "period_hours", "runs_from", "then",
                                         "reason", NULL};
    static const char *const read_only[] = {"record_class", "version", "effective_from",
                                            "changed_by", NULL};
    memset(in, 0, sizeof *in);
    if (!object_body(body, v))
        return;
    jin_only_keys(v, body, "", fields, read_only);
    /* one period, in months or (for a class kept in hours) in hours */
    if (given(body, "period_months") && given(body, "period_hours"))
        violation_rule(v, "period_hours", "RET-1",
                       "a policy states its period once: in months or in hours");
    else if (!given(body, "period_months") && !given(body, "period_hours"))
        violation_rule(v, "period_months", "RET-1",
                       "a policy states its period: period_months, or period_hours for a "
                       "class kept in hours");
    else {
        in->period_months =
            period_member(body, "period_months", RETENTION_PERIOD_MONTHS_MAX, "months", v);
        in->period_hours =
            period_member(body, "period_hours", RETENTION_PERIOD_HOURS_MAX, "hours", v);
    }
    in->runs_from = jin_enum(v, body, "", "runs_from", retention_starts, true, "RET-1");
    in->then = jin_enum(v, body, "", "then", retention_thens, true, "RET-1");
    in->reason = jin_string(v, body, "", "reason", RETENTION_REASON_MAX, true, "RET-1");
}

bool retention_start_fits(const char *record_class, const char *runs_from)
{
    const retention_class *c = retention_class_of(record_class);
    return c && listed(c->starts, runs_from);
}

bool retention_then_fits(const char *record_class, const char *then)
{
    const retention_class *c = retention_class_of(record_class);
    return c && listed(c->thens, then);
}

void retention_policy_check(const char *record_class, const retention_policy_in *in,
                            violations *v)
{
    const retention_class *c = retention_class_of(record_class);
    if (!c)
        return;
    char allowed[256];
    bool in_hours = retention_period_in_hours(record_class);
    if (in->period_months && in_hours)
        violation_rule(v, "period_months", "RET-1",
                       "%s's period is counted in hours: period_hours", c->described);
    if (in->period_hours && !in_hours)
        violation_rule(v, "period_hours", "RET-1",
                       "%s's period is counted in months: period_months", c->described);
    if (in->runs_from && !listed(c->starts, in->runs_from)) {
        list_text(c->starts, allowed, sizeof allowed);
        violation_rule(v, "runs_from", "RET-1", "%s's period runs from %s", c->described,
                       allowed);
    }
    if (in->then && !listed(c->thens, in->then)) {
        list_text(c->thens, allowed, sizeof allowed);
        violation_rule(v, "then", "RET-1", "at the end of its period %s is up for %s",
                       c->described, allowed);
    }
}

void case_closure_parse(json_t *body, const char *today, case_closure_in *in, violations *v)
{
    static const char *const fields[] = {"closed_on", NULL};
    memset(in, 0, sizeof *in);
    if (!object_body(body, v))
        return;
    jin_only_keys(v, body, "", fields, NULL);
    in->closed_on = date_member(body, "closed_on", true, "RET-1", v);
    /* YYYY-MM-DD compares as text */
    if (in->closed_on && strcmp(in->closed_on, today) > 0)
        violation_rule(v, "closed_on", "RET-1", "a case is reported closed once it has closed");
}

void hold_parse(json_t *body, const char *today, hold_in *in, violations *v)
{
    static const char *const fields[] = {"scope",  "child_id", "meeting_id", "record_class",
                                         "kind",   "reason",   "ends_on",    NULL};
    static const char *const read_only[] = {"id", "in_effect", "placed_by", "placed_at",
                                            "release", "version", NULL};
    memset(in, 0, sizeof *in);
    if (!object_body(body, v))
        return;
    jin_only_keys(v, body, "", fields, read_only);
    in->scope = jin_enum(v, body, "", "scope", retention_hold_scopes, true, "RET-2");
    in->child_id = jin_string(v, body, "", "child_id", 36, false, NULL);
    in->meeting_id = jin_string(v, body, "", "meeting_id", 36, false, NULL);
    in->record_class =
        jin_enum(v, body, "", "record_class", retention_record_classes, false, NULL);
    if (in->child_id && !text_is_uuid(in->child_id))
        violation_schema(v, "child_id", "'child_id' must be a UUID");
    if (in->meeting_id && !text_is_uuid(in->meeting_id))
        violation_schema(v, "meeting_id", "'meeting_id' must be a UUID");
    in->kind = jin_enum(v, body, "", "kind", retention_hold_kinds, true, "RET-2");
    in->reason = jin_string(v, body, "", "reason", RETENTION_REASON_MAX, true, "RET-2");
    in->ends_on = date_member(body, "ends_on", false, NULL, v);
    if (in->ends_on && strcmp(in->ends_on, today) < 0)
        violation_rule(v, "ends_on", "RET-2", "a hold ends today or later");
    if (!in->scope)
        return;
    /* the one target its scope names, and no other */
    struct {
        const char *scope, *field, *value;
    } targets[] = {{"child", "child_id", in->child_id},
                   {"meeting", "meeting_id", in->meeting_id},
                   {"record_class", "record_class", in->record_class}};
    for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
        /* a blank or malformed value names nothing, and is still something given */
        json_t *given = json_object_get(body, targets[i].field);
        bool named = targets[i].value != NULL || (given && !json_is_null(given));
        if (strcmp(in->scope, targets[i].scope) == 0 && targets[i].value == NULL)
            violation_rule(v, targets[i].field, "RET-2", "a hold on a %s names it",
                           strcmp(in->scope, "record_class") == 0 ? "record class" : in->scope);
        else if (strcmp(in->scope, targets[i].scope) != 0 && named)
            violation_rule(v, targets[i].field, "RET-2", "a hold on a %s names nothing else",
                           strcmp(in->scope, "record_class") == 0 ? "record class" : in->scope);
    }
}

void hold_release_parse(json_t *body, const char **reason, violations *v)
{
    static const char *const fields[] = {"reason", NULL};
    *reason = NULL;
    if (!object_body(body, v))
        return;
    jin_only_keys(v, body, "", fields, NULL);
    *reason = jin_string(v, body, "", "reason", RETENTION_REASON_MAX, true, "RET-2");
}

void disposal_parse(json_t *body, disposal_in *in, violations *v)
{
    static const char *const fields[] = {"record_class", "record_id", "meeting_id", "action",
                                         NULL};
    static const char *const read_only[] = {"id", "status", "proposed_by", "approved_by",
                                            "policy_version", "version", NULL};
    memset(in, 0, sizeof *in);
    if (!object_body(body, v))
        return;
    jin_only_keys(v, body, "", fields, read_only);
    json_t *c = json_object_get(body, "record_class");
    in->record_class = (c && !json_is_null(c))
                           ? jin_enum(v, body, "", "record_class", retention_record_classes,
                                      false, NULL)
                           : "meeting_record";
    in->action = jin_enum(v, body, "", "action", disposal_actions, false, NULL);
    const char *meeting_id = jin_string(v, body, "", "meeting_id", 36, false, NULL);
    const char *record_id = jin_string(v, body, "", "record_id", 36, false, NULL);
    if (meeting_id && !text_is_uuid(meeting_id)) {
        violation_schema(v, "meeting_id", "'meeting_id' must be a UUID");
        meeting_id = NULL;
    }
    if (record_id && !text_is_uuid(record_id)) {
        violation_schema(v, "record_id", "'record_id' must be a UUID");
        record_id = NULL;
    }
    if (!in->record_class) {
        /* a blank class names none, and is still something given */
        if (v->n == 0)
            violation_rule(v, "record_class", "RET-3", "a disposal names a record class");
        return;
    }
    if (retention_disposed_by_service(in->record_class)) {
        violation_rule(v, "record_class", "RET-3",
                       "%s is deleted by the service itself once its period has passed, "
                       "with no disposal decision",
                       retention_class_of(in->record_class)->described);
        in->record_class = NULL;
        return;
    }
    json_t *m = json_object_get(body, "meeting_id"), *r = json_object_get(body, "record_id");
    bool meeting_given = m && !json_is_null(m), record_given = r && !json_is_null(r);
    if (strcmp(in->record_class, "meeting_record") == 0) {
        /* a meeting record is named by its meeting: meeting_id, or record_id alone */
        if (meeting_given && record_given)
            violation_rule(v, "record_id", "RET-3",
                           "a meeting record is named once: by meeting_id or record_id");
        else if (!meeting_given && !record_given)
            violation_rule(v, "meeting_id", "RET-3", "a disposal names the meeting record");
        else
            in->record_id = meeting_given ? meeting_id : record_id;
    } else {
        if (meeting_given)
            violation_rule(v, "meeting_id", "RET-3",
                           "a disposal of a %s names it by record_id, and no meeting",
                           in->record_class);
        if (!record_given)
            violation_rule(v, "record_id", "RET-3", "a disposal names its record by record_id");
        else
            in->record_id = record_id;
    }
    /* a blank id names nothing, and is still something given */
    if (v->n == 0 && !in->record_id)
        violation_rule(v, meeting_given ? "meeting_id" : "record_id", "RET-3",
                       "a disposal names its record");
    if (v->n > 0)
        in->record_id = NULL;
}

const char *disposal_action_of(const char *record_class, const char *asked,
                               const char *policy_then, violations *v)
{
    const char *action = "delete";
    if (asked)
        action = asked;
    else if (policy_then && strcmp(policy_then, "anonymise") == 0)
        action = "anonymise";
    const retention_class *c = retention_class_of(record_class);
    if (c && !listed(c->thens, action)) {
        violation_rule(v, "action", "RET-1", "%s is not %s", c->described,
                       strcmp(action, "anonymise") == 0 ? "anonymised" : "deleted");
        return NULL;
    }
    return action;
}

const char *disposal_side_of(const caller *who)
{
    if (caller_has_any(who, ROLE_DPO))
        return "dpo";
    if (caller_has_any(who, ROLE_ADMIN | ROLE_SENIOR_MANAGER))
        return "manager";
    return NULL;
}

bool disposal_may_approve(const caller *who, const char *proposer_sub, const char *proposed_as)
{
    if (strcmp(who->sub, proposer_sub) == 0)
        return false;
    if (strcmp(proposed_as, "dpo") == 0)
        return caller_has_any(who, ROLE_ADMIN | ROLE_SENIOR_MANAGER);
    return caller_has_any(who, ROLE_DPO);
}
