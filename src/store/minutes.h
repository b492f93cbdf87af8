/* minutes (store): the versions of a meeting's minutes and their
 * distribution. Approved versions cannot be changed: the database refuses
 * (sql/004_recording.sql), whatever the code above it does. */
#ifndef MAM_STORE_MINUTES_H
#define MAM_STORE_MINUTES_H

#include <jansson.h>
#include <stdbool.h>

#include "http/req.h"

typedef struct minutes_row {
    int number;        /* 0 when the meeting has no minutes yet */
    char status[16];
    long version;
} minutes_row;

/* The current (latest) version of a meeting's minutes, locked when asked.
 * 0 on success (number 0 when none), -1 on a database failure. */
int minutes_current(req *r, const char *meeting_id, bool lock, minutes_row *out);

/* Version n's representation (free()); NULL with *found false when there
 * is no such version, NULL with *found true on a database failure. */
char *minutes_render(req *r, const char *meeting_id, int number, bool *found);

/* The content of version n as JSON (a new reference), or NULL. */
json_t *minutes_content(req *r, const char *meeting_id, int number);

/* Writes a draft: creates version `number` or replaces its content. */
int minutes_write(req *r, const char *meeting_id, int number, const char *content_json,
                  bool create, const char *amendment_reason);

int minutes_approve(req *r, const char *meeting_id, int number);

/* Records one recipient of version n. */
int minutes_distribute(req *r, const char *meeting_id, int number, const char *name,
                       const char *agency, const char *category, const char *contact,
                       const char *sent_at);

#endif
