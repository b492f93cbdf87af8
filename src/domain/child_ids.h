/* child_ids: the identifiers a child is known by across agencies (CHR-1,
 * INT-1), as plain functions.
 *
 * A child is keyed by external references (`system:id`, the case-management
 * systems' own ids) and by national identifiers where they are known: the
 * NHS number (ten digits, the last a modulus 11 check digit) and the Unique
 * Pupil Number (thirteen characters, the first a modulus 23 check letter;
 * a temporary UPN ends in a letter). Both are validated, never guessed: a
 * number whose check fails names no child.
 *
 * The reserved systems `nhs_number` and `upn` name the national
 * identifiers in a `system:id` reference, so one parser answers every
 * "which child?" a client may ask. */
#ifndef MAM_CHILD_IDS_H
#define MAM_CHILD_IDS_H

#include <stdbool.h>
#include <stddef.h>

#define CHILD_SYSTEM_NHS "nhs_number"
#define CHILD_SYSTEM_UPN "upn"
#define CHILD_REF_PART_MAX 100

/* Whether a `system:id` reference's system is one of the national
 * identifiers (nhs_number, upn), whose id must pass its check. */
bool child_system_is_national(const char *system);

/* An NHS number: ten digits, optionally written 3-3-4 with single spaces
 * or hyphens ("999 000 0018"), whose check digit is right. Writes the ten
 * digits to out and answers true; false for anything else. */
bool child_nhs_number_parse(const char *in, char out[11]);

/* A Unique Pupil Number: thirteen characters, the check letter, eleven
 * digits, and a digit or (temporary UPN) a letter, upper or lower case,
 * whose check letter is right. Writes it in upper case to out. */
bool child_upn_parse(const char *in, char out[14]);

/* A reference `system:id` (?ref=): the system is 1..100 characters of
 * letters, digits, `_`, `-` and `.`, the id 1..100 printable characters
 * after the first colon. For the systems nhs_number and upn the id must be
 * a valid number (and is written normalised). Copies both parts out;
 * false for anything else. */
typedef struct child_ref {
    char system[CHILD_REF_PART_MAX + 1];
    char id[CHILD_REF_PART_MAX + 1];
} child_ref;
bool child_ref_parse(const char *in, child_ref *out);

#endif
