/*
 * edited — a good text made bad by one edit, and the message a reader gave for it: what the
 * tests of the file and table readers (cost and quality tables, network weights) share.
 *
 * Invariants: edited() replaces the first occurrence only, and fails the test (Check assertion)
 * when the good text does not hold what is to be replaced, so a case cannot pass by editing
 * nothing; message_index() fails the test when no message reads the text expected.
 */
#ifndef SPLITSIM_TESTS_EDITED_H
#define SPLITSIM_TESTS_EDITED_H

#include <check.h>
#include <stdio.h>
#include <string.h>

#include "sim/diag.h"

/* good with its first `from` replaced by `to` (malloc'd; the caller frees). */
static inline char *edited(const char *good, const char *from, const char *to)
{
    const char *at = strstr(good, from);
    ck_assert_msg(at != NULL, "'%s' not in the good text", from);
    char *bad = NULL;
    ck_assert_int_gt(asprintf(&bad, "%.*s%s%s", (int)(at - good), good, to, at + strlen(from)), 0);
    return bad;
}

/* The index of d's first message that reads `text`, whole (case_no names the case when none
 * does). */
static inline size_t message_index(const struct diag *d, const char *text, size_t case_no)
{
    size_t k = 0;
    while (k < d->len && strcmp(d->msgs[k].text, text) != 0)
        k++;
    ck_assert_msg(k < d->len, "case %zu: got '%s'", case_no,
                  d->len ? d->msgs[0].text : "(nothing)");
    return k;
}

#endif
