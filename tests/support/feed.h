/* feed: an integration's INT-2 feed read the way a follower reads it. */
#ifndef TEST_FEED_H
#define TEST_FEED_H

#include <jansson.h>

#include "support/people.h"

/* Every event the integration's feed serves now, from the start, page by
 * page (200 a page), in feed order (a new reference). */
json_t *feed_read_all(const person *integration);

#endif
