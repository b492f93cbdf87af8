/* Subject access requests (SAR-1, SAR-2): the first byte chooses the body's
 * parser (a registration, an extension or an answer, a decision, a
 * consultation and its answer, or a gathered request's items for the
 * disclosure set), the rest is the body. A redaction that passes its checks
 * against a text always redacts it; a due date always falls on a weekday
 * after the receipt; a consultation that passes its checks names only the
 * consulted agency's items and is due on a weekday within its bounds. */
#include "fuzz.h"

#include "domain/sar_pdf.h"
#include "domain/subject_access.h"

static const char text[] = "Seen at home with Jo Bloggs; café visit 😀 noted";

static void decision(json_t *body, violations *v)
{
    sar_decision_in in;
    sar_decision_parse(body, &in, v);
    if (v->n)
        return;
    sar_decision_check(&in, text, v);
    if (v->n || strcmp(in.decision, "redact") != 0)
        return;
    char *out = sar_redact(text, in.spans);
    if (!out)
        abort(); /* checked spans always fit */
    if (!strstr(out, "[redacted: "))
        abort();
    free(out);
}

/* SAR-2: a consultation of POLICE about the items of a request whose items
 * 1 and 4 are POLICE's, 2 the CSC's and 3 no agency's; and the answer. */
static void consultation(json_t *body, cal_day today, violations *v)
{
    sar_consultation_in in;
    sar_consultation_parse(body, &in, v);
    if (!v->schema) {
        json_t *items = json_pack("[{s:i, s:s}, {s:i, s:s}, {s:i, s:n}, {s:i, s:s}]", "item_no",
                                  1, "agency", "POLICE", "item_no", 2, "agency", "CSC",
                                  "item_no", 3, "agency", "item_no", 4, "agency", "POLICE");
        sar_consultation_check(&in, items, v);
        json_decref(items);
        if (!v->n) {
            if (strcmp(in.agency, "POLICE") != 0 || in.n_items == 0 || !in.question)
                abort();
            for (size_t i = 0; i < in.n_items; i++)
                if (in.item_nos[i] != 1 && in.item_nos[i] != 4)
                    abort();
            if (in.working_days < SAR_CONSULT_DAYS_MIN || in.working_days > SAR_CONSULT_DAYS_MAX)
                abort();
            cal_day due = sar_consultation_due(today, in.working_days, NULL);
            if (due <= today || due > today + 4 * SAR_CONSULT_DAYS_MAX || cal_weekday(due) > 5)
                abort();
        }
    }
    sar_consultation_answer_in answer;
    violations given;
    violations_init(&given);
    sar_consultation_answer_parse(body, &answer, &given);
    if (!given.n) {
        bool known = false;
        for (size_t i = 0; sar_recommendations[i]; i++)
            known = known || strcmp(sar_recommendations[i], answer.recommendation) == 0;
        if (!known || !answer.text)
            abort();
    }
    fuzz_check_violations(&given);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    violations v;
    violations_init(&v);
    cal_day today = cal_from_ymd(2026, 12, 6) + (data[0] >> 4) * 40;
    if (data[0] % 4 == 3) {
        /* arbitrary items: whatever the store could render must not crash */
        json_t *items = json_loadb((const char *)data + 1, size - 1, 0, NULL);
        json_t *set = sar_disclosure_set(items);
        if (set) {
            /* and as the PDF export lays it out */
            json_object_set_new(set, "request", json_pack("{s:s}", "id", "fuzz"));
            unsigned char *pdf = NULL;
            size_t len = 0;
            if (sar_pdf_render(set, 1796558400, &pdf, &len) == SAR_PDF_OK && len < 4)
                abort();
            free(pdf);
        }
        json_decref(set);
        json_decref(items);
        return 0;
    }
    json_t *body = fuzz_body(data + 1, size - 1);
    if (!body)
        return 0;
    switch (data[0] % 4) {
    case 0: {
        sar_in in;
        sar_parse(body, &in, &v);
        if (!v.schema) {
            sar_check_dates(&in, today, &v);
            cal_day received;
            if (in.received_on && cal_parse(in.received_on, &received)) {
                cal_day due = sar_due(received, data[0] & 0x08, NULL);
                if (due <= received || cal_weekday(due) > 5)
                    abort();
            }
        }
        break;
    }
    case 1: {
        sar_extension_in in;
        sar_extension_parse(body, &in, &v);
        if (!v.schema)
            sar_extension_check(&in, today - 20, today + 10, today, &v);
        const char *answered_on;
        violations answer;
        violations_init(&answer);
        sar_answer_parse(body, &answered_on, &answer);
        if (!answer.schema)
            sar_answer_check(answered_on, today - 20, today, &answer);
        fuzz_check_violations(&answer);
        break;
    }
    default:
        if (data[0] & 0x08)
            consultation(body, today, &v);
        else
            decision(body, &v);
        break;
    }
    fuzz_check_violations(&v);
    json_decref(body);
    return 0;
}
