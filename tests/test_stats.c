/* Output analysis: Welford moments, t intervals. */
#include <math.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>

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

/* Student-t quantiles from tables (Abramowitz & Stegun 26.7; R's qt to 9 digits). */
START_TEST(test_t_critical)
{
    static const struct {
        double confidence, df, t;
    } known[] = {
        {0.95, 1, 12.706204736}, {0.95, 2, 4.302652730}, {0.95, 4, 2.776445105},
        {0.95, 5, 2.570581836},  {0.95, 9, 2.262157163}, {0.95, 30, 2.042272456},
        {0.99, 10, 3.169272673}, {0.90, 4, 2.131846786}, {0.999, 9, 4.780912586},
        {0.95, 1e6, 1.959966},
    };
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        ck_assert_msg(fabs(stats_t_critical(known[i].confidence, known[i].df) - known[i].t) < 1e-6,
                      "t(%g, %g) = %.9f, expected %.9f", known[i].confidence, known[i].df,
                      stats_t_critical(known[i].confidence, known[i].df), known[i].t);
}
END_TEST

START_TEST(test_halfwidth_array)
{
    ck_assert(isnan(stats_halfwidth(NULL, 0, 0.95)));
    double one = 4;
    ck_assert(isnan(stats_halfwidth(&one, 1, 0.95)));
    /* 1..5: s = sqrt(2.5), t(0.975, 4) = 2.776445105 */
    double x[] = {1, 2, 3, 4, 5};
    ck_assert_double_eq_tol(stats_halfwidth(x, 5, 0.95), 2.776445105 * sqrt(2.5) / sqrt(5.0), 1e-8);
    /* the same interval as the running form of the same values */
    struct stats_running s = {0};
    for (int i = 0; i < 5; i++)
        stats_running_add(&s, x[i]);
    ck_assert_double_eq_tol(stats_halfwidth(x, 5, 0.99), stats_running_halfwidth(&s, 0.99), 1e-12);
    /* what the results have always recorded: t(0.975, n - 1) * sd / sqrt(n), to the bit */
    double y[] = {0.31, -1.7, 2.25, 0.003, 9.5, -4.125, 1e-3};
    ck_assert_double_eq(stats_halfwidth(y, 7, 0.95),
                        gsl_cdf_tdist_Pinv(0.975, 6) * gsl_stats_sd(y, 1, 7) / sqrt(7.0));
}
END_TEST

static Suite *stats_suite(void)
{
    Suite *s = suite_create("stats");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_running_matches_two_pass);
    tcase_add_test(tc, test_halfwidth);
    tcase_add_test(tc, test_t_critical);
    tcase_add_test(tc, test_halfwidth_array);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(stats_suite)
