#include "domain/govuk_holidays.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "domain/json_in.h"

const char *const govuk_divisions[] = {"england-and-wales", "scotland", "northern-ireland", NULL};

static bool known_division(const char *division)
{
    for (const char *const *d = govuk_divisions; *d; d++)
        if (strcmp(*d, division) == 0)
            return true;
    return false;
}

static int by_day(const void *a, const void *b)
{
    const govuk_holiday *x = a, *y = b;
    return (x->day > y->day) - (x->day < y->day);
}

govuk_holiday *govuk_holidays_read(json_t *doc, const char *division, int *n, violations *v)
{
    *n = 0;
    if (!known_division(division)) {
        violation_schema(v, "division", "division is england-and-wales, scotland or northern-ireland");
        return NULL;
    }
    if (!json_is_object(doc)) {
        violation_schema(v, "", "the GOV.UK bank-holidays file is a JSON object");
        return NULL;
    }
    json_t *part = json_object_get(doc, division);
    if (!json_is_object(part)) {
        violation_schema(v, division, "the file has no %s division", division);
        return NULL;
    }
    const char *named = json_string_value(json_object_get(part, "division"));
    if (named && strcmp(named, division) != 0)
        violation_schema(v, division, "the %s member names another division", division);
    char at[64];
    snprintf(at, sizeof at, "%s", division);
    json_t *events = jin_array(v, part, at, "events", GOVUK_EVENTS_MAX, true, NULL);
    if (!events)
        return NULL;
    size_t count = json_array_size(events);
    govuk_holiday *out = xcalloc(count ? count : 1, sizeof *out);
    int k = 0;
    size_t i;
    json_t *event;
    json_array_foreach(events, i, event) {
        char path[96];
        jin_index(path, sizeof path, at, "events", i);
        if (!json_is_object(event)) {
            violation_schema(v, path, "each event is an object");
            continue;
        }
        const char *date = jin_string(v, event, path, "date", 10, true, NULL);
        const char *title = jin_string(v, event, path, "title", GOVUK_TITLE_MAX, true, NULL);
        cal_day day;
        char field[128];
        jin_path(field, sizeof field, path, "date");
        if (date && !cal_parse(date, &day)) {
            violation_schema(v, field, "a date that exists, YYYY-MM-DD");
            continue;
        }
        if (!date || !title)
            continue;
        out[k].day = day;
        snprintf(out[k].date, sizeof out[k].date, "%s", date);
        out[k].title = title;
        k++;
    }
    qsort(out, (size_t)k, sizeof *out, by_day);
    for (int j = 1; j < k; j++)
        if (out[j].day == out[j - 1].day)
            violation_schema(v, at, "%s is listed twice", out[j].date);
    if (v->n) {
        free(out);
        return NULL;
    }
    *n = k;
    return out;
}
