/* Whole-file reads: content and terminating NUL, a missing file, the size limit. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "sim/slurp.h"

START_TEST(test_slurp)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/splitsim-test-slurp-%d.txt", (int)getpid());
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    for (int i = 0; i < 100000; i++)
        fputs("0123456789", f); /* 1,000,000 bytes: several buffer growths */
    fclose(f);
    struct diag d;
    diag_init(&d);
    char *buf = NULL;
    size_t len = 0;
    ck_assert_int_eq(slurp_file(path, 2000000, &buf, &len, &d), 0);
    ck_assert_uint_eq(len, 1000000);
    ck_assert_int_eq(buf[len], '\0');
    ck_assert(memcmp(buf + 999990, "0123456789", 10) == 0);
    free(buf);
    ck_assert_int_eq(slurp_file(path, 999999, &buf, &len, &d), -EINVAL);
    ck_assert_ptr_null(buf);
    ck_assert_ptr_nonnull(strstr(d.msgs[0].text, "larger than 999999 bytes"));
    unlink(path);
    ck_assert_int_eq(slurp_file(path, 10, &buf, &len, &d), -EINVAL);
    ck_assert_ptr_nonnull(strstr(d.msgs[1].text, "cannot open: No such file or directory"));
    diag_release(&d);
}
END_TEST

static Suite *slurp_suite(void)
{
    Suite *s = suite_create("slurp");
    TCase *tc = tcase_create("read");
    tcase_add_test(tc, test_slurp);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(slurp_suite)
