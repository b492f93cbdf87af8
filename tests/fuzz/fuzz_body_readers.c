/* The json_in readers (domain/json_in.c) through which every command
 * handler reads its body (reasons, escalation texts, responses, recipients,
 * attendance, agencies, bank holidays, action updates, PATCH keys): each
 * member of the document, and of the objects and arrays inside it, is read
 * with every reader, with limits chosen by the first input byte. The
 * domain validators have harnesses of their own (fuzz_body_*). */
#include "fuzz.h"

#include "domain/json_in.h"

static const char *const allowed[] = {"reason", "text", "outcome", "recipients", "sent_at",
                                      "name", "agency", "category", "contact", "date", NULL};
static const char *const read_only[] = {"id", "status", "version", "created_at", NULL};
static const char *const categories[] = {"professional", "family", "other", NULL};

static void read_every_way(violations *v, json_t *obj, const char *at, size_t max, int depth)
{
    jin_only_keys(v, obj, at, allowed, read_only);
    const char *key;
    json_t *value;
    json_object_foreach(obj, key, value) {
        jin_string(v, obj, at, key, max, depth == 0, depth == 0 ? "MIN-4" : NULL);
        jin_bool(v, obj, at, key);
        jin_enum(v, obj, at, key, categories, false, "MIN-4");
        json_t *inner = jin_object(v, obj, at, key, false, NULL);
        char path[128];
        jin_path(path, sizeof path, at, key);
        if (inner && depth < 3)
            read_every_way(v, inner, path, max, depth + 1);
        json_t *list = jin_array(v, obj, at, key, max % 64, false, NULL);
        size_t i;
        json_t *item;
        json_array_foreach(list, i, item) {
            char item_at[160];
            jin_index(item_at, sizeof item_at, at, key, i);
            if (json_is_object(item) && depth < 3)
                read_every_way(v, item, item_at, max, depth + 1);
        }
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
    read_every_way(&v, body, "", (size_t)data[0] * 8, 0);
    fuzz_check_violations(&v);
    json_decref(body);
    return 0;
}
