#include "auth/refusals.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define SLOTS 64
#define REASON_MAX 96

static struct {
    char reason[REASON_MAX];
    unsigned long count;
} table[SLOTS];
static int used;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

void refusals_count(const char *reason)
{
    pthread_mutex_lock(&lock);
    int i = 0;
    while (i < used && strcmp(table[i].reason, reason) != 0)
        i++;
    if (i == used) {
        /* the last slot is kept for "other" */
        if (used < SLOTS - 1) {
            snprintf(table[i].reason, REASON_MAX, "%s", reason);
            used++;
        } else {
            i = SLOTS - 1;
            snprintf(table[i].reason, REASON_MAX, "other");
        }
    }
    table[i].count++;
    pthread_mutex_unlock(&lock);
}

unsigned long refusals_get(const char *reason)
{
    unsigned long n = 0;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < SLOTS; i++)
        if (strcmp(table[i].reason, reason) == 0)
            n = table[i].count;
    pthread_mutex_unlock(&lock);
    return n;
}

void refusals_render(buf *out)
{
    buf_puts(out, "# HELP mam_auth_refused_total Bearer tokens refused, by reason.\n"
                  "# TYPE mam_auth_refused_total counter\n");
    pthread_mutex_lock(&lock);
    for (int i = 0; i < SLOTS; i++) {
        if (!table[i].count)
            continue;
        /* label values escape backslash, quote and newline */
        buf_puts(out, "mam_auth_refused_total{reason=\"");
        for (const char *c = table[i].reason; *c; c++) {
            if (*c == '\\' || *c == '"')
                buf_putc(out, '\\');
            if (*c == '\n')
                buf_puts(out, "\\n");
            else
                buf_putc(out, *c);
        }
        buf_printf(out, "\"} %lu\n", table[i].count);
    }
    pthread_mutex_unlock(&lock);
}

void refusals_reset(void)
{
    pthread_mutex_lock(&lock);
    memset(table, 0, sizeof table);
    used = 0;
    pthread_mutex_unlock(&lock);
}
