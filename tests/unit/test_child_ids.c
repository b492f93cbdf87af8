/* The identifiers a child is known by (domain/child_ids.c): CHR-1 asks for a
 * chronology by external reference or national identifier, and INT-1 keys
 * children by them. Every number here is fictitious: NHS numbers from the
 * 999 range kept for testing, UPNs of local authority 999, which none has. */
#include <criterion/criterion.h>
#include <string.h>

#include "domain/child_ids.h"

Test(child_ids, CHR_1_nhs_number_check_digit)
{
    char out[11];
    cr_assert(child_nhs_number_parse("9990000018", out));
    cr_assert_str_eq(out, "9990000018");
    cr_assert(child_nhs_number_parse("999 000 0026", out), "3-3-4 with spaces");
    cr_assert_str_eq(out, "9990000026");
    cr_assert(child_nhs_number_parse("999-000-0069", out), "3-3-4 with hyphens");
    cr_assert_str_eq(out, "9990000069");
    cr_assert(child_nhs_number_parse("9990000107", out), "check digit 7 after a 10 remainder");

    cr_assert_not(child_nhs_number_parse("9990000019", out), "wrong check digit");
    cr_assert_not(child_nhs_number_parse("999000001", out), "nine digits");
    cr_assert_not(child_nhs_number_parse("99900000188", out), "eleven digits");
    cr_assert_not(child_nhs_number_parse("999 000-0018", out), "mixed separators");
    cr_assert_not(child_nhs_number_parse("999  0000018", out), "separators misplaced");
    cr_assert_not(child_nhs_number_parse("99900000l8", out), "a letter");
    cr_assert_not(child_nhs_number_parse("", out));
    cr_assert_not(child_nhs_number_parse(NULL, out));
}

Test(child_ids, CHR_1_nhs_number_check_of_ten_names_nobody)
{
    /* 000000006: weighted sum 6 * 2 = 12, 11 - 12 % 11 = 10, which no
     * digit can be: no such NHS number is issued */
    char out[11];
    for (char last = '0'; last <= '9'; last++) {
        char n[11] = "000000006";
        n[9] = last;
        n[10] = '\0';
        cr_assert_not(child_nhs_number_parse(n, out), "%s has no valid check digit", n);
    }
}

Test(child_ids, CHR_1_upn_check_letter)
{
    char out[14];
    cr_assert(child_upn_parse("V999201000010", out));
    cr_assert_str_eq(out, "V999201000010");
    cr_assert(child_upn_parse("v99920100001a", out), "a temporary UPN, in lower case");
    cr_assert_str_eq(out, "V99920100001A");
    cr_assert_not(child_upn_parse("W999201000010", out), "wrong check letter");
    cr_assert_not(child_upn_parse("I999201000010", out), "I is not a check letter");
    cr_assert_not(child_upn_parse("V99920100001I", out), "I is not in the alphabet");
    cr_assert_not(child_upn_parse("V9992010000A0", out), "a letter before the last place");
    cr_assert_not(child_upn_parse("V99920100001", out), "twelve characters");
    cr_assert_not(child_upn_parse("", out));
    cr_assert_not(child_upn_parse(NULL, out));
}

Test(child_ids, INT_1_child_ref_system_and_id)
{
    child_ref r;
    cr_assert(child_ref_parse("lcs:CH-0001", &r));
    cr_assert_str_eq(r.system, "lcs");
    cr_assert_str_eq(r.id, "CH-0001");
    cr_assert(child_ref_parse("mosaic:a:b", &r), "the id may hold a colon");
    cr_assert_str_eq(r.id, "a:b");
    cr_assert(child_ref_parse("nhs_number:999 000 0018", &r));
    cr_assert_str_eq(r.id, "9990000018", "national identifiers are normalised");
    cr_assert(child_ref_parse("upn:v999201000010", &r));
    cr_assert_str_eq(r.id, "V999201000010");

    cr_assert_not(child_ref_parse("nhs_number:9990000019", &r), "the check digit is checked");
    cr_assert_not(child_ref_parse("upn:W999201000010", &r), "the check letter is checked");
    cr_assert_not(child_ref_parse("lcs", &r), "no colon");
    cr_assert_not(child_ref_parse(":x", &r), "no system");
    cr_assert_not(child_ref_parse("lcs:", &r), "no id");
    cr_assert_not(child_ref_parse("l cs:x", &r), "a space in the system");
    cr_assert_not(child_ref_parse("lcs:a\nb", &r), "a control character in the id");
    char long_id[160] = "lcs:";
    memset(long_id + 4, 'x', 101);
    long_id[105] = '\0';
    cr_assert_not(child_ref_parse(long_id, &r), "an id over 100 characters");
    cr_assert_not(child_ref_parse(NULL, &r));
}

/* The reserved systems, whose ids a `system:id` filter checks (INT-1); the
 * test is exact: neither case nor a prefix makes another system national. */
Test(child_ids, INT_1_national_systems_are_exactly_nhs_number_and_upn)
{
    cr_assert(child_system_is_national("nhs_number"));
    cr_assert(child_system_is_national("upn"));
    cr_assert_not(child_system_is_national("NHS_NUMBER"));
    cr_assert_not(child_system_is_national("upn2"));
    cr_assert_not(child_system_is_national("nhs"));
    cr_assert_not(child_system_is_national("testcms"));
    cr_assert_not(child_system_is_national(""));
    cr_assert_not(child_system_is_national(NULL));
}
