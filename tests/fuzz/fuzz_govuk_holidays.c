/* The GOV.UK bank-holidays file reader (domain/govuk_holidays.c) that
 * POST /v1/bank-holiday-imports feeds every body to: the division read is
 * chosen by the first input byte, the rest is the document. Whatever comes,
 * the reader either returns the division's days, sorted and distinct, or
 * reports why not; never both, never neither. */
#include "fuzz.h"

#include "domain/govuk_holidays.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    json_t *doc = fuzz_body(data + 1, size - 1);
    if (!doc)
        return 0;
    static const char *const divisions[] = {"england-and-wales", "scotland", "northern-ireland",
                                            "wales"};
    const char *division = divisions[data[0] % 4];
    violations v;
    violations_init(&v);
    int n = -1;
    govuk_holiday *days = govuk_holidays_read(doc, division, &n, &v);
    if (days) {
        if (v.n != 0)
            abort();
        for (int i = 1; i < n; i++)
            if (days[i].day <= days[i - 1].day)
                abort();
    } else if (v.n == 0 || n != 0) {
        abort();
    }
    fuzz_check_violations(&v);
    free(days);
    json_decref(doc);
    return 0;
}
