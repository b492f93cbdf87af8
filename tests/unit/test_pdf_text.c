/* The chronology's PDF (CHR-3): text mapped into the standard fonts'
 * WinAnsi encoding, deterministically; lines broken to a width; and the
 * document's pages counted and bounded. Every name here is fictitious. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "domain/chronology_pdf.h"
#include "domain/pdf_text.h"

static void winansi_is(const char *utf8, const char *expected)
{
    char *got = pdf_text_winansi(utf8, strlen(utf8));
    cr_assert_not_null(got);
    cr_assert_str_eq(got, expected, "\"%s\" became \"%s\", not \"%s\"", utf8, got, expected);
    free(got);
}

Test(pdf_text, CHR_3_winansi_keeps_what_the_fonts_have)
{
    winansi_is("Seen at the clinic, 10:30.", "Seen at the clinic, 10:30.");
    winansi_is("Zo\xc3\xab M\xc3\xbcller, \xc2\xa3" "5", "Zo\xeb M\xfcller, \xa3" "5");
    /* curly quotes, dashes, the euro, the ellipsis: code page 1252's own */
    winansi_is("\xe2\x80\x9cyes\xe2\x80\x9d \xe2\x80\x93 \xe2\x80\x94 \xe2\x82\xac \xe2\x80\xa6",
               "\x93yes\x94 \x96 \x97 \x80 \x85");
    winansi_is("\xc5\x92uvre \xc5\xa0ime \xc5\xbd" "ana", "\x8cuvre \x8aime \x8e" "ana");
}

Test(pdf_text, CHR_3_winansi_transliterates_and_replaces_the_rest)
{
    /* Latin Extended-A and Romanian letters become their base letters */
    winansi_is("\xc5\x81ukasz Gr\xc4\x99" "bowski", "Lukasz Grebowski");
    winansi_is("\xc8\x98tefan \xc8\x9a" "ar\xc4\x83", "Stefan Tara");
    winansi_is("\xc4\xb2sselmeer", "IJsselmeer");
    winansi_is("\xc5\x90z \xc5\xb1r", "Oz ur");
    /* hyphens and the minus sign, primes, typographic spaces */
    winansi_is("a\xe2\x80\x90" "b \xe2\x88\x92" "1 5\xe2\x80\xb2" "2\xe2\x80\xb3 x\xe2\x80\x89y",
               "a-b -1 5'2\" x y");
    /* Greek, Cyrillic, CJK and emoji are one '?' each */
    winansi_is("\xce\xb1\xce\xb2 \xd0\x96 \xe4\xb8\xad \xf0\x9f\x98\x80", "?? ? ? ?");
    /* malformed UTF-8: each bad byte is one '?' */
    winansi_is("a\xff" "b\xc3" "c\xe2\x82" "d", "a?b?c??d");
    winansi_is("\xc0\xaf", "??");           /* overlong */
    winansi_is("\xed\xa0\x80", "???");      /* a surrogate */
    winansi_is("\xf4\x90\x80\x80", "????"); /* over U+10FFFF */
}

Test(pdf_text, CHR_3_winansi_breaks_lines_and_drops_controls)
{
    winansi_is("one\r\ntwo\rthree\nfour\xe2\x80\xa8" "five", "one\ntwo\nthree\nfour\nfive");
    winansi_is("tab\there", "tab here");
    winansi_is("a\x01" "b\x1b[31m" "c\x7f" "d\xc2\x85" "e", "ab[31mcde");
    winansi_is("\xef\xbb\xbfzero\xe2\x80\x8bwidth soft\xc2\xad" "hyphen", "zerowidth softhyphen");
    /* nothing, and a NUL inside the input, are handled by length */
    char *empty = pdf_text_winansi("", 0);
    cr_assert_str_eq(empty, "");
    free(empty);
    char *nul = pdf_text_winansi("a\0b", 3);
    cr_assert_str_eq(nul, "ab");
    free(nul);
}

/* Every byte 1 point wide: widths count characters. */
static void unit_widths(double w[256])
{
    for (int c = 0; c < 256; c++)
        w[c] = 1.0;
}

static void lines_are(const char *text, double width, const char *const *expected)
{
    double w[256];
    unit_widths(w);
    pdf_lines l = {0};
    cr_assert(pdf_text_wrap(text, width, w, &l));
    size_t n = 0;
    while (expected[n])
        n++;
    cr_assert_eq(l.n, n, "\"%s\" at %.0f: %zu lines, not %zu", text, width, l.n, n);
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(l.items[i].len, strlen(expected[i]), "line %zu of \"%s\"", i, text);
        cr_assert(strncmp(text + l.items[i].start, expected[i], l.items[i].len) == 0,
                  "line %zu of \"%s\" is \"%.*s\", not \"%s\"", i, text, (int)l.items[i].len,
                  text + l.items[i].start, expected[i]);
    }
    pdf_lines_free(&l);
}

Test(pdf_text, CHR_3_wrap_breaks_at_spaces_within_the_width)
{
    lines_are("the child was seen at home", 10,
              (const char *[]){"the child", "was seen", "at home", NULL});
    lines_are("exactly10c next", 10, (const char *[]){"exactly10c", "next", NULL});
    lines_are("  leading and   many   spaces  ", 12,
              (const char *[]){"leading and", "many", "spaces", NULL});
    lines_are("short", 80, (const char *[]){"short", NULL});
    lines_are("", 10, (const char *[]){NULL});
    lines_are("   \n \n", 10, (const char *[]){NULL});
}

Test(pdf_text, CHR_3_wrap_cuts_long_words_and_keeps_paragraphs)
{
    lines_are("abcdefghijklmnopqrstuvwxy", 10,
              (const char *[]){"abcdefghij", "klmnopqrst", "uvwxy", NULL});
    lines_are("see /v1/meetings/0123456789abcdef", 12,
              (const char *[]){"see", "/v1/meetings", "/0123456789a", "bcdef", NULL});
    /* a line break ends a line; a run of empty lines is one; none first */
    lines_are("\n\none\ntwo\n\n\n\nthree\n", 20,
              (const char *[]){"one", "two", "", "three", NULL});
    /* a width narrower than a character still ends: one character a line */
    lines_are("abc", 0.5, (const char *[]){"a", "b", "c", NULL});
}

Test(pdf_text, CHR_3_fit_cuts_with_an_ellipsis)
{
    double w[256];
    unit_widths(w);
    char out[32];
    pdf_text_fit("POLICE-NORTH", 12, 20, w, out, sizeof out);
    cr_assert_str_eq(out, "POLICE-NORTH");
    pdf_text_fit("POLICE-NORTH-EAST-DIVISION", 26, 10, w, out, sizeof out);
    cr_assert_str_eq(out, "POLICE-...");
    pdf_text_fit("abcdefgh", 8, 100, w, out, 5);
    cr_assert_str_eq(out, "a...");
}

Test(pdf_text, CHR_3_kind_labels)
{
    char out[48];
    chronology_kind_label("meeting_requested", out, sizeof out);
    cr_assert_str_eq(out, "Meeting requested");
    chronology_kind_label("agency_entry", out, sizeof out);
    cr_assert_str_eq(out, "Agency entry");
    chronology_kind_label("family_notice_agreement", out, 7);
    cr_assert_str_eq(out, "Family");
}

static chronology_item item(int i, const char *summary)
{
    char at[40];
    snprintf(at, sizeof at, "2026-%02d-%02dT09:%02d:00.000000Z", 1 + i / 28 % 12, 1 + i % 28,
             i % 60);
    return (chronology_item){
        .at = strdup(at),
        .kind = strdup(i % 2 ? "agency_entry" : "meeting_requested"),
        .agency = strdup(i % 3 ? "HEALTH-TEST" : "CSC-TEST"),
        .summary = strdup(summary),
        .action_taken = strdup("Referred to the safeguarding lead"),
        .significance = NULL,
        .source_type = strdup("chronology_entry"),
        .source_id = strdup("00000000-0000-4000-8000-000000000001"),
        .source_path = strdup("/v1/chronology-entries/00000000-0000-4000-8000-000000000001"),
        .source_version = 1,
    };
}

static void items_free(chronology_item *items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(items[i].at);
        free(items[i].kind);
        free(items[i].agency);
        free(items[i].summary);
        free(items[i].action_taken);
        free(items[i].source_type);
        free(items[i].source_id);
        free(items[i].source_path);
    }
    free(items);
}

Test(pdf_text, CHR_3_a_chronology_renders_to_numbered_pages)
{
    size_t n = 60;
    chronology_item *items = calloc(n, sizeof *items);
    for (size_t i = 0; i < n; i++)
        items[i] = item((int)i, "Seen at the clinic with Zo\xc3\xab; \xce\xb1\xce\xb2\xce\xb3 "
                                "noted by the nurse, and the body map completed.");
    chronology_child child = {"00000000-0000-4000-8000-0000000000aa", "Alex Example",
                              "nhs_number:9990000018, lcs:CH-0001", "2019-04-01"};
    chronology_filters f = {.from = "2026-01-01"};
    unsigned char *pdf;
    size_t len;
    int pages;
    cr_assert_eq(chronology_pdf_render(&child, items, n, &f, 1780000000, &pdf, &len, &pages),
                 CHRONOLOGY_PDF_OK);
    cr_assert_geq(pages, 3, "an index page and entries over several: %d", pages);
    cr_assert_gt(len, 1000);
    cr_assert(memcmp(pdf, "%PDF-", 5) == 0);
    free(pdf);

    /* the same input makes the same document */
    unsigned char *again;
    size_t len_again;
    int pages_again;
    cr_assert_eq(chronology_pdf_render(&child, items, n, &f, 1780000000, &again, &len_again,
                                       &pages_again),
                 CHRONOLOGY_PDF_OK);
    cr_assert_eq(pages_again, pages);
    free(again);
    items_free(items, n);
}

Test(pdf_text, CHR_3_an_empty_chronology_is_one_page_and_a_huge_one_is_refused)
{
    chronology_child child = {"00000000-0000-4000-8000-0000000000ab", "", "", ""};
    unsigned char *pdf;
    size_t len;
    int pages;
    cr_assert_eq(chronology_pdf_render(&child, NULL, 0, NULL, 1780000000, &pdf, &len, &pages),
                 CHRONOLOGY_PDF_OK);
    cr_assert_eq(pages, 1);
    free(pdf);

    /* entries of line after line make more pages than one document holds */
    size_t n = 400, text_len = 9000;
    char *lines = malloc(text_len + 1);
    for (size_t i = 0; i < text_len; i += 2)
        memcpy(lines + i, "x\n", 2);
    lines[text_len] = '\0';
    chronology_item *items = calloc(n, sizeof *items);
    for (size_t i = 0; i < n; i++)
        items[i] = item((int)i, lines);
    free(lines);
    pdf = NULL;
    cr_assert_eq(chronology_pdf_render(&child, items, n, NULL, 1780000000, &pdf, &len, &pages),
                 CHRONOLOGY_PDF_TOO_LONG);
    cr_assert_null(pdf);
    items_free(items, n);
}
