#include "domain/violations.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void violations_init(violations *v)
{
    v->n = 0;
    v->schema = false;
}

__attribute__((format(printf, 4, 0))) static void add(violations *v, const char *field,
                                                      const char *rule, const char *fmt,
                                                      va_list ap)
{
    if (v->n == VIOLATIONS_MAX)
        return;
    violation *x = &v->items[v->n++];
    snprintf(x->field, sizeof x->field, "%s", field ? field : "");
    x->rule = rule;
    vsnprintf(x->message, sizeof x->message, fmt, ap);
}

void violation_rule(violations *v, const char *field, const char *rule, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add(v, field, rule, fmt, ap);
    va_end(ap);
}

void violation_schema(violations *v, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add(v, field, NULL, fmt, ap);
    va_end(ap);
    v->schema = true;
}

bool violations_has(const violations *v, const char *rule, const char *field)
{
    for (int i = 0; i < v->n; i++) {
        const violation *x = &v->items[i];
        bool rule_ok = rule ? (x->rule && strcmp(x->rule, rule) == 0) : x->rule == NULL;
        if (rule_ok && (!field || strcmp(x->field, field) == 0))
            return true;
    }
    return false;
}

void violations_schema_only(const violations *in, violations *out)
{
    violations_init(out);
    for (int i = 0; i < in->n; i++) {
        if (in->items[i].rule)
            continue;
        out->items[out->n++] = in->items[i];
        out->schema = true;
    }
}
