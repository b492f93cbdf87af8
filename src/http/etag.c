#include "http/etag.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_IF_MATCH_BYTES 1024

enum if_match_result etag_if_match(const char *header, long version)
{
    if (!header || strlen(header) > MAX_IF_MATCH_BYTES)
        return IF_MATCH_MALFORMED;
    const char *p = header;
    while (isspace((unsigned char)*p))
        p++;
    if (*p == '*') {
        p++;
        while (isspace((unsigned char)*p))
            p++;
        return *p ? IF_MATCH_MALFORMED : IF_MATCH_OK;
    }
    char current[24];
    snprintf(current, sizeof current, "%ld", version);
    bool matched = false, any = false;
    while (*p) {
        bool weak = false;
        if (p[0] == 'W' && p[1] == '/') {
            weak = true;
            p += 2;
        }
        if (*p != '"')
            return IF_MATCH_MALFORMED;
        const char *start = ++p;
        while (*p && *p != '"') {
            if ((unsigned char)*p < 0x21 || *p == 0x7f)
                return IF_MATCH_MALFORMED;
            p++;
        }
        if (*p != '"')
            return IF_MATCH_MALFORMED;
        size_t len = (size_t)(p - start);
        p++;
        any = true;
        /* strong comparison is character by character: "01" is not "1" */
        if (!weak && len == strlen(current) && memcmp(start, current, len) == 0)
            matched = true;
        while (isspace((unsigned char)*p))
            p++;
        if (*p == ',') {
            p++;
            while (isspace((unsigned char)*p))
                p++;
            if (!*p)
                return IF_MATCH_MALFORMED;
        } else if (*p) {
            return IF_MATCH_MALFORMED;
        }
    }
    if (!any)
        return IF_MATCH_MALFORMED;
    return matched ? IF_MATCH_OK : IF_MATCH_STALE;
}
