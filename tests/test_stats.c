/* Output analysis: Welford moments, t intervals, batch means. */
#include <math.h>

#include "check_main.h"
#include "sim/stats.h"

START_TEST(test_running_matches_two_pass)
{
    double x[] = {1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16}; /* large offset: naive sums lose it */
    struct stats_running s = {0};
    for (int i = 0; i < 4; i++)
        stats_running_add(&s, x[i]);
    ck_assert_uint_eq(s.n, 4);
    ck_assert_double_eq_tol(s.mean, 1e9 + 10, 1e-6);
    ck_assert_double_eq_tol(stats_running_variance(&s), 30.0, 1e-6);
}
END_TEST

START_TEST(test_halfwidth)
{
    struct stats_running s = {0};
    ck_assert(isinf(stats_running_halfwidth(&s, 0.95)));
    stats_running_add(&s, 1);
    ck_assert(isinf(stats_running_halfwidth(&s, 0.95)));
    for (int i = 0; i < 9; i++)
        stats_running_add(&s, i % 2 ? 3.0 : 1.0);
    /* n = 10, t(0.975, 9) = 2.262157 */
    double sd = sqrt(stats_running_variance(&s));
    ck_assert_double_eq_tol(stats_running_halfwidth(&s, 0.95), 2.262157 * sd / sqrt(10.0), 1e-5);
}
END_TEST

START_TEST(test_batches)
{
    struct stats_batch b;
    stats_batch_init(&b, 3);
    for (int i = 1; i <= 10; i++)
        stats_batch_add(&b, i);
    ck_assert_uint_eq(b.all.n, 10);
    ck_assert_double_eq_tol(b.all.mean, 5.5, 1e-12);
    ck_assert_uint_eq(b.means.n, 3); /* {1,2,3} {4,5,6} {7,8,9}; 10 is a partial batch */
    ck_assert_double_eq_tol(b.means.mean, 5.0, 1e-12);
    stats_batch_init(&b, 0); /* treated as 1 */
    stats_batch_add(&b, 2);
    ck_assert_uint_eq(b.means.n, 1);
}
END_TEST

static Suite *stats_suite(void)
{
    Suite *s = suite_create("stats");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_running_matches_two_pass);
    tcase_add_test(tc, test_halfwidth);
    tcase_add_test(tc, test_batches);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(stats_suite)
