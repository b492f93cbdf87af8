#include "auth/token_cache.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

#define SLOTS 1024
#define STRIPES 32

typedef struct entry {
    char *token;
    size_t len;
    caller who;
} entry;

static entry slots[SLOTS];
static pthread_mutex_t stripes[STRIPES];
static bool ready;

/* FNV-1a: spreads tokens over the slots; equality is checked in full. */
static uint64_t hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

void token_cache_init(void)
{
    for (int i = 0; i < STRIPES; i++)
        pthread_mutex_init(&stripes[i], NULL);
    ready = true;
}

void token_cache_free(void)
{
    for (int i = 0; i < SLOTS; i++) {
        free(slots[i].token);
        slots[i].token = NULL;
    }
    for (int i = 0; ready && i < STRIPES; i++)
        pthread_mutex_destroy(&stripes[i]);
    ready = false;
}

bool token_cache_get(const char *token, time_t now, caller *out)
{
    if (!ready)
        return false;
    size_t n = strlen(token);
    size_t i = hash(token, n) % SLOTS;
    bool hit = false;
    pthread_mutex_lock(&stripes[i % STRIPES]);
    entry *e = &slots[i];
    if (e->token && e->len == n && memcmp(e->token, token, n) == 0 &&
        (long long)now <= e->who.expires_at) {
        *out = e->who;
        hit = true;
    }
    pthread_mutex_unlock(&stripes[i % STRIPES]);
    return hit;
}

void token_cache_put(const char *token, const caller *who)
{
    if (!ready)
        return;
    size_t n = strlen(token);
    size_t i = hash(token, n) % SLOTS;
    char *copy = xstrndup(token, n);
    pthread_mutex_lock(&stripes[i % STRIPES]);
    entry *e = &slots[i];
    char *old = e->token;
    e->token = copy;
    e->len = n;
    e->who = *who;
    pthread_mutex_unlock(&stripes[i % STRIPES]);
    free(old);
}
