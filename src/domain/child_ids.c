/* The identifiers a child is known by (child_ids.h). */
#include "domain/child_ids.h"

#include <ctype.h>
#include <string.h>

bool child_nhs_number_parse(const char *in, char out[11])
{
    if (!in)
        return false;
    size_t len = strlen(in);
    char digits[11];
    int n = 0;
    if (len == 10) {
        for (size_t i = 0; i < 10; i++) {
            if (!isdigit((unsigned char)in[i]))
                return false;
            digits[n++] = in[i];
        }
    } else if (len == 12) {
        /* 3-3-4 with one kind of separator */
        char sep = in[3];
        if ((sep != ' ' && sep != '-') || in[7] != sep)
            return false;
        for (size_t i = 0; i < 12; i++) {
            if (i == 3 || i == 7)
                continue;
            if (!isdigit((unsigned char)in[i]))
                return false;
            digits[n++] = in[i];
        }
    } else {
        return false;
    }
    digits[10] = '\0';
    /* modulus 11: the first nine digits weighted 10 down to 2 */
    int sum = 0;
    for (int i = 0; i < 9; i++)
        sum += (digits[i] - '0') * (10 - i);
    int check = 11 - sum % 11;
    if (check == 11)
        check = 0;
    if (check == 10 || check != digits[9] - '0')
        return false;
    memcpy(out, digits, 11);
    return true;
}

/* The UPN's alphabet: the letters but I, O and S, valued 0 to 22. */
static const char upn_letters[] = "ABCDEFGHJKLMNPQRTUVWXYZ";

static int upn_letter_value(char c)
{
    const char *p = c ? strchr(upn_letters, c) : NULL;
    return p ? (int)(p - upn_letters) : -1;
}

bool child_upn_parse(const char *in, char out[14])
{
    if (!in || strlen(in) != 13)
        return false;
    char upn[14];
    for (int i = 0; i < 13; i++)
        upn[i] = (char)toupper((unsigned char)in[i]);
    upn[13] = '\0';
    if (upn_letter_value(upn[0]) < 0)
        return false;
    /* characters 2 to 13 weighted 2 to 13; the last may be a letter */
    int sum = 0;
    for (int i = 1; i < 13; i++) {
        int value;
        if (isdigit((unsigned char)upn[i]))
            value = upn[i] - '0';
        else if (i == 12 && (value = upn_letter_value(upn[i])) >= 0)
            ;
        else
            return false;
        sum += value * (i + 1);
    }
    if (upn_letters[sum % 23] != upn[0])
        return false;
    memcpy(out, upn, 14);
    return true;
}

static bool system_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.';
}

bool child_system_is_national(const char *system)
{
    return system &&
           (strcmp(system, CHILD_SYSTEM_NHS) == 0 || strcmp(system, CHILD_SYSTEM_UPN) == 0);
}

bool child_ref_parse(const char *in, child_ref *out)
{
    if (!in)
        return false;
    const char *colon = strchr(in, ':');
    if (!colon)
        return false;
    size_t sys_len = (size_t)(colon - in);
    const char *id = colon + 1;
    size_t id_len = strlen(id);
    if (sys_len == 0 || sys_len > CHILD_REF_PART_MAX || id_len == 0 ||
        id_len > CHILD_REF_PART_MAX)
        return false;
    for (size_t i = 0; i < sys_len; i++)
        if (!system_char(in[i]))
            return false;
    for (size_t i = 0; i < id_len; i++)
        if ((unsigned char)id[i] < 0x20 || (unsigned char)id[i] == 0x7f)
            return false;
    memcpy(out->system, in, sys_len);
    out->system[sys_len] = '\0';
    if (strcmp(out->system, CHILD_SYSTEM_NHS) == 0)
        return child_nhs_number_parse(id, out->id);
    if (strcmp(out->system, CHILD_SYSTEM_UPN) == 0)
        return child_upn_parse(id, out->id);
    memcpy(out->id, id, id_len + 1);
    return true;
}
