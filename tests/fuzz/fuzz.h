/* Shared by the libFuzzer harnesses (make fuzz): each feeds arbitrary bytes
 * to one parser or validator of the service, exactly as a request would
 * reach it. A crash, a sanitizer report or a leak is a finding; every
 * finding becomes a regression test in tests/unit. */
#ifndef FUZZ_H
#define FUZZ_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/violations.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The body as the pipeline would accept it: a JSON object, no duplicate
 * keys, or NULL. */
static inline json_t *fuzz_body(const uint8_t *data, size_t size)
{
    json_t *doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    if (doc && !json_is_object(doc)) {
        json_decref(doc);
        return NULL;
    }
    return doc;
}

/* A NUL-terminated copy of the input (free()). */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* Every violation must carry a field and a message. */
static inline void fuzz_check_violations(const violations *v)
{
    if (v->n < 0 || v->n > VIOLATIONS_MAX)
        abort();
    for (int i = 0; i < v->n; i++)
        if (!v->items[i].message[0])
            abort();
}

#endif
