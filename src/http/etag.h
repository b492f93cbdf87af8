/* etag: entity tags for optimistic concurrency. A resource's ETag is its
 * integer version in quotes ("3"); changes must send it back in If-Match. */
#ifndef MAM_ETAG_H
#define MAM_ETAG_H

#include <stdbool.h>

enum if_match_result { IF_MATCH_OK, IF_MATCH_STALE, IF_MATCH_MALFORMED };

/* Compares an If-Match header with the current version using RFC 9110
 * strong comparison: "*" or any listed strong tag equal to "<version>". */
enum if_match_result etag_if_match(const char *header, long version);

#endif
