/*
 * check_main — the shared main() of the Check test programs: runs one suite, prints Check's
 * summary, and exits 0 only when every test passed; and check_suite, a suite of one test case
 * made from a list of tests.
 */
#ifndef SPLITSIM_TESTS_CHECK_MAIN_H
#define SPLITSIM_TESTS_CHECK_MAIN_H

#include <check.h>
#include <stdlib.h>

/* A suite `name` of one test case `tcase` whose tests each may run timeout_s seconds: the tests
 * of the NULL-terminated list, in its order. */
static inline Suite *check_suite(const char *name, const char *tcase, double timeout_s,
                                 const TTest *const *tests)
{
    Suite *s = suite_create(name);
    TCase *tc = tcase_create(tcase);
    tcase_set_timeout(tc, timeout_s);
    for (; *tests; tests++)
        tcase_add_test(tc, *tests);
    suite_add_tcase(s, tc);
    return s;
}

#define CHECK_MAIN(make_suite)                                                                     \
    int main(void)                                                                                 \
    {                                                                                              \
        SRunner *sr = srunner_create(make_suite());                                                \
        srunner_run_all(sr, CK_NORMAL);                                                            \
        int failed = srunner_ntests_failed(sr);                                                    \
        srunner_free(sr);                                                                          \
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;                                          \
    }

#endif
