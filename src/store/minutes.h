/* minutes (store): the versions of a meeting's minutes and their
 * distribution. Approved versions cannot be changed: the database refuses
 * (minutes_approved_are_immutable, sql/functions/50_recording.sql), whatever the code above it does. */
#ifndef MAM_STORE_MINUTES_H
#define MAM_STORE_MINUTES_H

#include <jansson.h>
#include <stdbool.h>

#include "domain/minutes.h"
#include "store/store.h"

/* The current version of a meeting's minutes, named by the meeting's id. */
extern const store_kind STORE_MINUTES;

typedef struct minutes_row {
    int number;        /* 0 when the meeting has no minutes yet */
    char status[16];
    long version;
} minutes_row;

/* The current (latest) version of a meeting's minutes, locked when asked.
 * 0 on success (number 0 when none), -1 on a database failure. */
int minutes_current(store *s, const char *meeting_id, bool lock, minutes_row *out);

/* Version n's representation (free()) and version; NULL with *found false
 * when there is no such version, NULL with *found true on a failure. */
char *minutes_read(store *s, const char *meeting_id, int number, long *version, bool *found);

/* The content of approved version n for an amendment, with the ids of the
 * actions it created injected into its action items (new string). */
char *minutes_amendment_content(store *s, const char *meeting_id, int number);

/* A page of every version, oldest first, after the cursor's number. */
int minutes_versions(store *s, const char *meeting_id, int limit, const char *after,
                     store_page *out);

/* The content of version n as JSON (a new reference), or NULL. */
json_t *minutes_content(store *s, const char *meeting_id, int number);

/* Writes a draft: creates version `number` or replaces its content. */
int minutes_write(store *s, const char *meeting_id, int number, const char *content_json,
                  bool create, const char *amendment_reason);

int minutes_approve(store *s, const char *meeting_id, int number);

/* What approval judges the minutes against (MIN-2, MIN-5, MIN-6, FAM-6):
 * the meeting's type and form, its invitations with the marks recorded
 * before the hold, and how many children it names, read in one statement.
 * The facts borrow from the loaded data. */
typedef struct minutes_facts_data {
    minutes_facts facts;
    json_t *json;                    /* holds the strings the facts point to */
    minutes_invitation *invitations; /* facts.invitations */
    const char *held_on;             /* ACT-4: the UTC day it was held, YYYY-MM-DD */
} minutes_facts_data;
int minutes_facts_load(store *s, const char *meeting_id, minutes_facts_data *out);
void minutes_facts_data_free(minutes_facts_data *d);

/* Records one recipient of version n and the copy they receive ("full",
 * or "family": MIN-5), and for the family the rendition sent (REN-2;
 * NULL for everyone else). */
int minutes_distribute(store *s, const char *meeting_id, int number, const char *name,
                       const char *agency, const char *category, const char *contact,
                       const char *sent_at, const char *copy, const char *rendition_id);

/* MIN-5: version n of a meeting's minutes (the meeting already found
 * visible) with what the family's copy names of the meeting. 1 found, 0
 * no such version, -1 a failure; content is a new reference (json_decref). */
typedef struct minutes_family_copy_row {
    char status[16];
    json_t *content;
    long version;
    char approved_at[40]; /* "" while a draft */
    char reference[40];
    char type[32];
    bool two_part;
    char held_at[40];
} minutes_family_copy_row;
int minutes_family_copy_load(store *s, const char *meeting_id, int number,
                             minutes_family_copy_row *out);

#endif
