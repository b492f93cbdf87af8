/* Subject access requests' rules (subject_access.h). */
#include "domain/subject_access.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/text.h"
#include "core/xalloc.h"
#include "domain/child_ids.h"
#include "domain/json_in.h"

const char *const sar_relations[] = {"self",   "parent", "carer", "legal_representative",
                                     "advocate", "other", NULL};
const char *const sar_decisions[] = {"disclose", "redact", "withhold", NULL};
/* The exemptions of the Data Protection Act 2018 a children's services
 * record meets: Schedule 2 (crime and taxation, para 2; legal professional
 * privilege, para 19; the protection of the rights of others, para 16:
 * third-party data) and Schedule 3 (health, social work and education data
 * whose disclosure would be likely to cause serious harm, parts 2 to 4;
 * child abuse data, part 5). */
const char *const sar_exemptions[] = {"third_party_data",
                                      "serious_harm_health",
                                      "serious_harm_social_work",
                                      "serious_harm_education",
                                      "child_abuse_data",
                                      "crime_and_taxation",
                                      "legal_professional_privilege",
                                      NULL};

cal_day sar_due(cal_day received, bool extended, const holidays *h)
{
    return cal_next_working_day(cal_add_months(received, extended ? 3 : 1), h);
}

/* --- registration --- */

static const char *date_field(violations *v, json_t *obj, const char *key, bool required)
{
    const char *s = jin_string(v, obj, "", key, 10, required, "SAR-1");
    cal_day d;
    if (s && !cal_parse(s, &d)) {
        violation_schema(v, key, "'%s' must be a date, YYYY-MM-DD", key);
        return NULL;
    }
    return s;
}

void sar_parse(json_t *body, sar_in *in, violations *v)
{
    static const char *const fields[] = {"subject", "requester", "received_on",
                                         "identity_verified_on", NULL};
    static const char *const read_only[] = {"id",     "status",      "due_on", "extension",
                                            "version", "registered_by", NULL};
    static const char *const subject_fields[] = {"child_ref", "sub", "name", NULL};
    static const char *const requester_fields[] = {"name", "relation", NULL};
    memset(in, 0, sizeof *in);
    if (!json_is_object(body)) {
        violation_schema(v, "", "the body must be an object");
        return;
    }
    jin_only_keys(v, body, "", fields, read_only);
    json_t *subject = jin_object(v, body, "", "subject", true, "SAR-1");
    if (subject) {
        jin_only_keys(v, subject, "subject", subject_fields, NULL);
        in->child_ref = jin_string(v, subject, "subject", "child_ref", 201, false, NULL);
        in->subject_sub = jin_string(v, subject, "subject", "sub", 255, false, NULL);
        in->subject_name = jin_string(v, subject, "subject", "name", 200, false, NULL);
        child_ref ref;
        if (in->child_ref && !child_ref_parse(in->child_ref, &ref))
            violation_rule(v, "subject.child_ref", "SAR-1",
                           "not a child's reference (system:id; a valid NHS number or UPN)");
        else if (in->child_ref) {
            snprintf(in->child_system, sizeof in->child_system, "%s", ref.system);
            snprintf(in->child_id, sizeof in->child_id, "%s", ref.id);
        }
        bool person = in->subject_sub || in->subject_name;
        if (in->child_ref && person)
            violation_rule(v, "subject", "SAR-1",
                           "the subject is a child by reference or a person, not both");
        else if (!in->child_ref && !person && !v->schema)
            violation_rule(v, "subject", "SAR-1",
                           "name the subject: a child's reference, or a person's sub or name");
    }
    json_t *requester = jin_object(v, body, "", "requester", true, "SAR-1");
    if (requester) {
        jin_only_keys(v, requester, "requester", requester_fields, NULL);
        in->requester_name = jin_string(v, requester, "requester", "name", 200, true, "SAR-1");
        in->requester_relation =
            jin_enum(v, requester, "requester", "relation", sar_relations, true, "SAR-1");
    }
    in->received_on = date_field(v, body, "received_on", true);
    in->identity_verified_on = date_field(v, body, "identity_verified_on", false);
}

void sar_check_dates(const sar_in *in, cal_day today, violations *v)
{
    cal_day received = 0, verified = 0;
    bool has_received = in->received_on && cal_parse(in->received_on, &received);
    if (has_received && received > today)
        violation_rule(v, "received_on", "SAR-1", "a request is received on a day that has come");
    if (in->identity_verified_on && cal_parse(in->identity_verified_on, &verified)) {
        if (verified > today)
            violation_rule(v, "identity_verified_on", "SAR-1",
                           "identity is verified on a day that has come");
        if (has_received && verified < received)
            violation_rule(v, "identity_verified_on", "SAR-1",
                           "identity is verified on or after the day the request was received");
    }
}

/* --- extension --- */

void sar_extension_parse(json_t *body, sar_extension_in *in, violations *v)
{
    static const char *const fields[] = {"reason", "requester_told_on", NULL};
    memset(in, 0, sizeof *in);
    if (!json_is_object(body)) {
        violation_schema(v, "", "the body must be an object");
        return;
    }
    jin_only_keys(v, body, "", fields, NULL);
    in->reason = jin_string(v, body, "", "reason", SAR_TEXT_MAX, true, "SAR-1");
    in->requester_told_on = date_field(v, body, "requester_told_on", true);
}

void sar_extension_check(const sar_extension_in *in, cal_day received, cal_day first_due,
                         cal_day today, violations *v)
{
    char due[11];
    cal_format(first_due, due);
    /* the first month runs to its due date: that day is still within it */
    if (today > first_due)
        violation_rule(v, "", "SAR-1",
                       "an extension is made on or before the first due date (%s)", due);
    cal_day told;
    if (!in->requester_told_on || !cal_parse(in->requester_told_on, &told))
        return;
    if (told < received)
        violation_rule(v, "requester_told_on", "SAR-1",
                       "the requester is told on or after the day the request was received");
    else if (told > today)
        violation_rule(v, "requester_told_on", "SAR-1",
                       "the requester is told on a day that has come");
    else if (told > first_due)
        violation_rule(v, "requester_told_on", "SAR-1",
                       "the requester is told within the first month (by %s)", due);
}

/* --- answering --- */

void sar_answer_parse(json_t *body, const char **answered_on, violations *v)
{
    static const char *const fields[] = {"answered_on", NULL};
    *answered_on = NULL;
    if (!json_is_object(body)) {
        violation_schema(v, "", "the body must be an object");
        return;
    }
    jin_only_keys(v, body, "", fields, NULL);
    *answered_on = date_field(v, body, "answered_on", true);
}

void sar_answer_check(const char *answered_on, cal_day received, cal_day today, violations *v)
{
    cal_day on;
    if (!answered_on || !cal_parse(answered_on, &on))
        return;
    if (on < received)
        violation_rule(v, "answered_on", "SAR-1",
                       "a request is answered on or after the day it was received");
    else if (on > today)
        violation_rule(v, "answered_on", "SAR-1", "a request is answered on a day that has come");
}

/* --- decisions --- */

/* A whole number in [0, SAR_TEXT_LIMIT], or -1 (a schema violation). */
static long span_offset(violations *v, json_t *span, const char *at, const char *key)
{
    char field[128];
    jin_path(field, sizeof field, at, key);
    json_t *x = json_object_get(span, key);
    if (!x || json_is_null(x)) {
        violation_rule(v, field, "SAR-2", "a span has a start and an end");
        return -1;
    }
    if (!json_is_integer(x) || json_integer_value(x) < 0 ||
        json_integer_value(x) > 100000000) {
        violation_schema(v, field, "'%s' must be a whole number of characters", key);
        return -1;
    }
    return (long)json_integer_value(x);
}

void sar_decision_parse(json_t *body, sar_decision_in *in, violations *v)
{
    static const char *const fields[] = {"decision", "exemption", "spans", NULL};
    static const char *const read_only[] = {"decided_by", "decided_at", NULL};
    static const char *const span_fields[] = {"start", "end", "exemption", NULL};
    memset(in, 0, sizeof *in);
    if (!json_is_object(body)) {
        violation_schema(v, "", "the body must be an object");
        return;
    }
    jin_only_keys(v, body, "", fields, read_only);
    in->decision = jin_enum(v, body, "", "decision", sar_decisions, true, "SAR-2");
    in->exemption = jin_enum(v, body, "", "exemption", sar_exemptions, false, "SAR-2");
    in->spans = jin_array(v, body, "", "spans", SAR_SPANS_MAX, false, NULL);
    size_t i;
    json_t *span;
    json_array_foreach(in->spans, i, span) {
        char at[64];
        jin_index(at, sizeof at, "", "spans", i);
        if (!json_is_object(span)) {
            violation_schema(v, at, "each span is an object");
            continue;
        }
        jin_only_keys(v, span, at, span_fields, NULL);
        span_offset(v, span, at, "start");
        span_offset(v, span, at, "end");
        jin_enum(v, span, at, "exemption", sar_exemptions, true, "SAR-2");
    }
    if (!in->decision)
        return;
    bool redact = strcmp(in->decision, "redact") == 0;
    bool withhold = strcmp(in->decision, "withhold") == 0;
    if (redact && json_array_size(in->spans) == 0 && !violations_has(v, NULL, "spans"))
        violation_rule(v, "spans", "SAR-2", "a redaction names the spans it redacts");
    if (!redact && in->spans)
        violation_rule(v, "spans", "SAR-2", "only a redaction has spans");
    if (withhold && !in->exemption && !violations_has(v, NULL, "exemption"))
        violation_rule(v, "exemption", "SAR-2", "withholding an item names its exemption");
    if (!withhold && in->exemption)
        violation_rule(v, "exemption", "SAR-2",
                       "only a withholding has an exemption of its own (a redaction's are its "
                       "spans')");
}

void sar_decision_check(const sar_decision_in *in, const char *text, violations *v)
{
    long length = (long)text_utf8_length(text);
    long previous_end = 0;
    size_t i;
    json_t *span;
    json_array_foreach(in->spans, i, span) {
        long start = (long)json_integer_value(json_object_get(span, "start"));
        long end = (long)json_integer_value(json_object_get(span, "end"));
        char at[64];
        jin_index(at, sizeof at, "", "spans", i);
        if (start >= end)
            violation_rule(v, at, "SAR-2", "a span ends after it starts");
        else if (end > length)
            violation_rule(v, at, "SAR-2", "a span lies within the item's %ld characters",
                           length);
        else if (start < previous_end)
            violation_rule(v, at, "SAR-2", "spans are in order and do not overlap");
        if (end > previous_end)
            previous_end = end;
    }
}

/* The byte offset of code point `n` of s, or -1 past its end. */
static long byte_offset(const char *s, long n)
{
    long cp = 0;
    for (long b = 0;; b++) {
        if (((unsigned char)s[b] & 0xC0) != 0x80) {
            if (cp == n)
                return b;
            cp++;
        }
        if (!s[b])
            return -1;
    }
}

char *sar_redact(const char *text, json_t *spans)
{
    buf out;
    buf_init(&out);
    long done = 0; /* bytes of text copied or replaced */
    size_t i;
    json_t *span;
    json_array_foreach(spans, i, span) {
        long start = byte_offset(text, (long)json_integer_value(json_object_get(span, "start")));
        long end = byte_offset(text, (long)json_integer_value(json_object_get(span, "end")));
        const char *exemption = json_string_value(json_object_get(span, "exemption"));
        if (start < done || end <= start || !exemption) {
            buf_free(&out);
            return NULL;
        }
        buf_append(&out, text + done, (size_t)(start - done));
        buf_printf(&out, "[redacted: %s]", exemption);
        done = end;
    }
    buf_puts(&out, text + done);
    return buf_steal(&out);
}

/* The log's entry for one item's decision. */
static json_t *log_entry(json_t *item, json_t *decision)
{
    json_t *entry = json_pack("{s:O, s:O*, s:O*, s:O*, s:O*}", "item_no",
                              json_object_get(item, "item_no"), "decision",
                              json_object_get(decision, "decision"), "exemption",
                              json_object_get(decision, "exemption"), "decided_by",
                              json_object_get(decision, "decided_by"), "decided_at",
                              json_object_get(decision, "decided_at"));
    json_object_set(entry, "source", json_object_get(item, "source"));
    json_t *spans = json_object_get(decision, "spans");
    json_object_set_new(entry, "spans", json_is_array(spans) ? json_deep_copy(spans) : json_array());
    return entry;
}

json_t *sar_disclosure_set(json_t *items)
{
    json_t *disclosed = json_array();
    json_t *log = json_array();
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item) {
        json_t *decision = json_object_get(item, "decision");
        const char *what = json_string_value(json_object_get(decision, "decision"));
        const char *text = json_string_value(json_object_get(item, "text"));
        if (!what || !text)
            goto undecided;
        json_array_append_new(log, log_entry(item, decision));
        if (strcmp(what, "withhold") == 0)
            continue;
        char *shown = strcmp(what, "redact") == 0
                          ? sar_redact(text, json_object_get(decision, "spans"))
                          : xstrdup(text);
        if (!shown)
            goto undecided;
        /* the agency it came from, never the third parties the dpo saw named */
        json_t *agency = json_object_get(json_object_get(item, "provenance"), "agency");
        json_t *out = json_pack("{s:O, s:O, s:O, s:O*, s:s, s:s}", "item_no",
                                json_object_get(item, "item_no"), "kind",
                                json_object_get(item, "kind"), "source",
                                json_object_get(item, "source"), "agency", agency, "decision",
                                what, "text", shown);
        free(shown);
        if (!out)
            goto undecided;
        json_array_append_new(disclosed, out);
    }
    return json_pack("{s:o, s:o}", "items", disclosed, "redaction_log", log);
undecided:
    json_decref(disclosed);
    json_decref(log);
    return NULL;
}

/* --- consultations --- */

const char *const sar_recommendations[] = {"disclose", "redact", "withhold", NULL};

void sar_consultation_parse(json_t *body, sar_consultation_in *in, violations *v)
{
    static const char *const fields[] = {"agency", "item_nos", "question", "working_days", NULL};
    static const char *const read_only[] = {"id",     "due_on", "asked_on", "asked_by", "answer",
                                            "overdue", "items", "version",  NULL};
    memset(in, 0, sizeof *in);
    in->working_days = SAR_CONSULT_DAYS_DEFAULT;
    if (!json_is_object(body)) {
        violation_schema(v, "", "the body must be an object");
        return;
    }
    jin_only_keys(v, body, "", fields, read_only);
    in->agency = jin_string(v, body, "", "agency", 32, true, "SAR-2");
    in->question = jin_string(v, body, "", "question", SAR_QUESTION_MAX, true, "SAR-2");
    json_t *nos = jin_array(v, body, "", "item_nos", SAR_CONSULT_ITEMS_MAX, true, "SAR-2");
    if (nos && json_array_size(nos) == 0)
        violation_rule(v, "item_nos", "SAR-2", "name at least one item of the agency's");
    size_t i;
    json_t *x;
    json_array_foreach(nos, i, x) {
        char field[64];
        jin_index(field, sizeof field, "", "item_nos", i);
        if (!json_is_integer(x) || json_integer_value(x) < 1 ||
            json_integer_value(x) > 100000000) {
            violation_schema(v, field, "an item number is a whole number from 1");
            continue;
        }
        long no = (long)json_integer_value(x);
        bool again = false;
        for (size_t j = 0; j < in->n_items && !again; j++)
            again = in->item_nos[j] == no;
        if (again)
            violation_rule(v, field, "SAR-2", "item %ld is named twice", no);
        else if (in->n_items < SAR_CONSULT_ITEMS_MAX)
            in->item_nos[in->n_items++] = no;
    }
    json_t *days = json_object_get(body, "working_days");
    if (days && !json_is_null(days)) {
        if (!json_is_integer(days))
            violation_schema(v, "working_days", "'working_days' must be a whole number");
        else if (json_integer_value(days) < SAR_CONSULT_DAYS_MIN ||
                 json_integer_value(days) > SAR_CONSULT_DAYS_MAX)
            violation_rule(v, "working_days", "SAR-2",
                           "a consultation's deadline is %d to %d working days away",
                           SAR_CONSULT_DAYS_MIN, SAR_CONSULT_DAYS_MAX);
        else
            in->working_days = (int)json_integer_value(days);
    }
}

/* The agency of item `no` among the request's items, or NULL when there
 * is no such item (*exists false). */
static const char *item_agency(json_t *items, long no, bool *exists)
{
    size_t i;
    json_t *x;
    *exists = false;
    json_array_foreach(items, i, x) {
        if (json_integer_value(json_object_get(x, "item_no")) == no) {
            *exists = true;
            return json_string_value(json_object_get(x, "agency"));
        }
    }
    return NULL;
}

void sar_consultation_check(const sar_consultation_in *in, json_t *items, violations *v)
{
    if (!in->agency)
        return;
    bool contributed = false;
    size_t i;
    json_t *x;
    json_array_foreach(items, i, x) {
        const char *agency = json_string_value(json_object_get(x, "agency"));
        contributed = contributed || (agency && strcmp(agency, in->agency) == 0);
    }
    if (!contributed) {
        violation_rule(v, "agency", "SAR-2",
                       "only an agency that contributed an item of the request is consulted");
        return;
    }
    for (size_t k = 0; k < in->n_items; k++) {
        char field[64];
        snprintf(field, sizeof field, "item_nos[%zu]", k);
        bool exists;
        const char *agency = item_agency(items, in->item_nos[k], &exists);
        if (!exists)
            violation_rule(v, field, "SAR-2", "the request has no item %ld", in->item_nos[k]);
        else if (!agency || strcmp(agency, in->agency) != 0)
            violation_rule(v, field, "SAR-2", "item %ld is not one of the consulted agency's",
                           in->item_nos[k]);
    }
}

cal_day sar_consultation_due(cal_day asked, int working_days, const holidays *h)
{
    return cal_add_working_days(asked, working_days, h);
}

void sar_consultation_answer_parse(json_t *body, sar_consultation_answer_in *in, violations *v)
{
    static const char *const fields[] = {"recommendation", "text", NULL};
    static const char *const read_only[] = {"on", "late", "by", "at", NULL};
    memset(in, 0, sizeof *in);
    if (!json_is_object(body)) {
        violation_schema(v, "", "the body must be an object");
        return;
    }
    jin_only_keys(v, body, "", fields, read_only);
    in->recommendation =
        jin_enum(v, body, "", "recommendation", sar_recommendations, true, "SAR-2");
    in->text = jin_string(v, body, "", "text", SAR_CONSULT_ANSWER_MAX, true, "SAR-2");
}
