/* Reading results back: completeness (and the scenario hash) of a file rec wrote, attributes
 * and scalars, absent objects, and a file that is not HDF5. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "results/rec.h"
#include "results/rread.h"

START_TEST(test_rread)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/splitsim-test-rread-%d.h5", (int)getpid());
    struct diag d;
    diag_init(&d);
    for (int complete = 0; complete <= 1; complete++) {
        struct rec *r = NULL;
        struct rec_options o = {.wallclock = 0};
        ck_assert_int_eq(rec_open(&r, path, &o, &d), 0);
        rec_attr_string(r, "/", "scenario_hash", "abc123");
        rec_scalar_double(r, "/summary/ttft_s", "mean", "s", "test", 0.25);
        ck_assert_int_eq(rec_close(r, complete), 0);
        ck_assert(rread_complete(path, NULL) == (complete == 1));
        ck_assert(rread_complete(path, "abc123") == (complete == 1));
        ck_assert(!rread_complete(path, "other"));
    }
    struct rread *rr = rread_open(path);
    ck_assert_ptr_nonnull(rr);
    char *h = rread_attr_string(rr, "/", "scenario_hash");
    ck_assert_str_eq(h, "abc123");
    free(h);
    ck_assert_ptr_null(rread_attr_string(rr, "/", "no_such_attr"));
    ck_assert_ptr_null(rread_attr_string(rr, "/no/such/group", "x"));
    ck_assert_double_eq(rread_scalar(rr, "/summary/ttft_s/mean"), 0.25);
    ck_assert(isnan(rread_scalar(rr, "/summary/tpot_s/mean")));
    ck_assert(rread_exists(rr, "/summary/ttft_s"));
    ck_assert(!rread_exists(rr, "/summary/nothing/deeper"));
    int64_t v = 0;
    ck_assert_int_eq(rread_attr_int64(rr, "/", "complete", &v), 0);
    ck_assert_int_eq(v, 1);
    rread_close(rr);
    /* not HDF5 */
    FILE *f = fopen(path, "w");
    fputs("plain text", f);
    fclose(f);
    ck_assert_ptr_null(rread_open(path));
    ck_assert(!rread_complete(path, NULL));
    unlink(path);
    ck_assert(!rread_complete(path, NULL)); /* missing */
    diag_release(&d);
}
END_TEST

static Suite *rread_suite(void)
{
    Suite *s = suite_create("rread");
    TCase *tc = tcase_create("read");
    tcase_add_test(tc, test_rread);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(rread_suite)
