/*
 * check_main — the shared main() of the Check test programs: runs one suite, prints Check's
 * summary, and exits 0 only when every test passed.
 */
#ifndef SPLITSIM_TESTS_CHECK_MAIN_H
#define SPLITSIM_TESTS_CHECK_MAIN_H

#include <check.h>
#include <stdlib.h>

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
