#include "support/feed.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/client.h"

json_t *feed_read_all(const person *integration)
{
    json_t *all = json_array();
    char *after = NULL;
    for (int pages = 0;; pages++) {
        cr_assert_lt(pages, 1000, "the feed ends");
        char path[512];
        snprintf(path, sizeof path, "/v1/events?limit=200%s%s", after ? "&after=" : "",
                 after ? after : "");
        http_response *r = api_get(path, integration->token);
        cr_assert_eq(r->status, 200, "%s", r->body);
        json_t *items = json_object_get(r->json, "items");
        size_t got = json_array_size(items);
        json_array_extend(all, items);
        const char *next = json_str(r->json, "next_cursor");
        free(after);
        after = next ? strdup(next) : NULL;
        http_free(r);
        if (got < 200 || !after)
            break;
    }
    free(after);
    return all;
}
