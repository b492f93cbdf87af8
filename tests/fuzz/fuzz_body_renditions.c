/* The minutes for each audience (REN-1, REN-2) and inaccuracies (REN-4):
 * the first byte chooses the reader, the rest is the body. A rendition is
 * built from whatever minutes pass approval, for every audience: a family
 * rendition never carries part 1 and withholds every section not for
 * everyone, each with its reason. */
#include "fuzz.h"

#include "domain/inaccuracy.h"
#include "domain/minutes.h"
#include "domain/rendition.h"

static const minutes_invitation invitations[] = {
    {"00000000-0000-4000-8000-0000000000a1", "professional", "FUZZ-B", "present"},
    {"00000000-0000-4000-8000-0000000000a3", "parent_carer", NULL, "present"},
};

static void renditions_of(json_t *content, bool two_part)
{
    family_copy_facts f = {.meeting_id = "00000000-0000-4000-8000-0000000000f1",
                           .reference = "MAM-2026-000001",
                           .type = "professionals",
                           .two_part = two_part,
                           .number = 1};
    size_t hidden = two_part ? 1 : 0; /* part 1 */
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(content, "sections"), i, x) {
        const char *audience = json_string_value(json_object_get(x, "audience"));
        if (!audience || strcmp(audience, "everyone") != 0)
            hidden++;
    }
    for (const char *const *a = rendition_audiences; *a; a++) {
        rendition_in in = {.audience = *a, .agency = strcmp(*a, "agency") == 0 ? "FUZZ-B" : NULL};
        json_t *withheld;
        json_t *doc = rendition_build(content, &f, &in, &withheld);
        if (!doc || !json_is_array(withheld))
            abort();
        if (rendition_for_family(*a) &&
            (json_object_get(doc, "part_1") || json_array_size(withheld) != hidden))
            abort();
        json_array_foreach(withheld, i, x) {
            if (!json_is_string(json_object_get(x, "reason")))
                abort(); /* approval made every withheld section say why */
        }
        violations v;
        violations_init(&v);
        rendition_check(&in, withheld, &v);
        fuzz_check_violations(&v);
        json_decref(doc);
        json_decref(withheld);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    json_t *body = fuzz_body(data + 1, size - 1);
    if (!body)
        return 0;
    violations v;
    violations_init(&v);
    switch (data[0] % 4) {
    case 0: {
        rendition_in in;
        rendition_parse(body, &in, &v);
        if (v.n == 0 && !in.audience)
            abort();
        json_t *recipients = json_object_get(body, "recipients");
        if (in.audience && json_is_array(recipients)) {
            size_t i;
            json_t *x;
            bool shaped = true;
            json_array_foreach(recipients, i, x) shaped &= json_is_object(x);
            if (shaped)
                rendition_check_recipients(in.audience, in.agency ? in.agency : "FUZZ-B",
                                           recipients, data[0] & 0x10, &v);
        }
        break;
    }
    case 1: {
        bool two_part = data[0] & 0x10;
        minutes_check_shape(body, &v);
        if (v.n == 0) {
            minutes_facts f = {.meeting_type = "professionals",
                               .two_part = two_part,
                               .invitations = invitations,
                               .n_invitations = 2,
                               .n_children = 1};
            minutes_check_complete(body, &f, &v);
            /* the sections as approval would take them (REN-1), whatever
             * else the minutes still lack */
            bool sections_pass = v.n < VIOLATIONS_MAX; /* none left unreported */
            for (int k = 0; k < v.n; k++)
                sections_pass &= !(v.items[k].rule && strcmp(v.items[k].rule, "REN-1") == 0);
            if (sections_pass)
                renditions_of(body, two_part);
        }
        break;
    }
    case 2: {
        inaccuracy_in in;
        inaccuracy_parse(body, &in, &v);
        if (v.n == 0 && !in.text)
            abort();
        inaccuracy_check_window("2026-06-01", "2026-05-29", &v);
        break;
    }
    default: {
        inaccuracy_answer in;
        inaccuracy_answer_parse(body, &in, &v);
        if (!v.schema)
            inaccuracy_answer_check(&in, 1, data[0] & 0x10, &v);
        break;
    }
    }
    fuzz_check_violations(&v);
    json_decref(body);
    return 0;
}
