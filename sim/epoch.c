#include "sim/epoch.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int epoch_parse(const char *text, int64_t *seconds, struct diag *d)
{
    char shown[DIAG_EXCERPT];
    size_t digits = strspn(text, "0123456789");
    if (digits == 0 || text[digits]) {
        diag_error(d,
                   "%s: expected a decimal integer >= 0 (seconds since 1970-01-01 00:00:00 UTC), "
                   "got '%s'%s",
                   EPOCH_ENV, diag_excerpt(text, shown, sizeof shown),
                   *text ? "" : " (set but empty; unset it to use the clock)");
        return -EINVAL;
    }
    int64_t v = 0;
    for (const char *c = text; *c; c++) {
        v = v * 10 + (*c - '0'); /* no overflow: v <= EPOCH_MAX before, so v * 10 + 9 fits */
        if (v > EPOCH_MAX) {
            diag_error(d, "%s: expected at most %lld (9999-12-31T23:59:59Z), got '%s'", EPOCH_ENV,
                       (long long)EPOCH_MAX, diag_excerpt(text, shown, sizeof shown));
            return -EINVAL;
        }
    }
    *seconds = v;
    return 0;
}

int epoch_from_env(int64_t *seconds, struct diag *d)
{
    const char *s = getenv(EPOCH_ENV);
    if (!s) {
        *seconds = -1;
        return 0;
    }
    return epoch_parse(s, seconds, d);
}
