#include "http/trace.h"

#include <string.h>

static bool lower_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return true;
}

static bool all_zero(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != '0')
            return false;
    return true;
}

bool trace_parse(const char *h, char trace_id[TRACE_ID_LEN + 1])
{
    trace_id[0] = '\0';
    if (!h)
        return false;
    size_t n = strnlen(h, 513);
    /* version(2) - trace-id(32) - parent-id(16) - flags(2) */
    if (n < 55 || n > 512 || h[2] != '-' || h[35] != '-' || h[52] != '-')
        return false;
    if (!lower_hex(h, 2) || strncmp(h, "ff", 2) == 0 || !lower_hex(h + 3, 32) ||
        !lower_hex(h + 36, 16) || !lower_hex(h + 53, 2))
        return false;
    if (all_zero(h + 3, 32) || all_zero(h + 36, 16))
        return false;
    /* version 00 has exactly these fields; later ones may add "-..." */
    if (n > 55 && (strncmp(h, "00", 2) == 0 || h[55] != '-'))
        return false;
    memcpy(trace_id, h + 3, TRACE_ID_LEN);
    trace_id[TRACE_ID_LEN] = '\0';
    return true;
}
