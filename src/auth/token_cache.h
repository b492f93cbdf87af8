/* token_cache: bearer tokens already verified, so that a client sending the
 * same token request after request does not pay for its signature again.
 *
 * A fixed table of recent tokens (the full token is compared, not only its
 * hash), each kept with the caller it proved and until its expiry (leeway
 * included). Only tokens that verified are stored; an expired entry is a
 * miss. Thread-safe; memory is bounded by the table's size. */
#ifndef MAM_TOKEN_CACHE_H
#define MAM_TOKEN_CACHE_H

#include <stdbool.h>
#include <time.h>

#include "auth/caller.h"

void token_cache_init(void);
void token_cache_free(void);
bool token_cache_get(const char *token, time_t now, caller *out);
void token_cache_put(const char *token, const caller *who);

#endif
