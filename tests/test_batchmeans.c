/* Batch means with data-driven batches, and MSER-5: hand-computed cases, then known properties
 * (coverage on AR(1) series whose variance of the mean is known exactly). */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "check_main.h"
#include "sim/batchmeans.h"
#include "sim/stats.h"

START_TEST(test_lag1_by_hand)
{
    /* 1..5: deviations -2 -1 0 1 2, sum of neighbour products 4, of squares 10 */
    double x[] = {1, 2, 3, 4, 5, 6, 7, 8};
    ck_assert_double_eq_tol(bm_lag1(x, 5, 1), 0.4, 1e-15);
    /* batches of 2 of 1..8: means 1.5 3.5 5.5 7.5, deviations -3 -1 1 3: 5 / 20 */
    ck_assert_double_eq_tol(bm_lag1(x, 8, 2), 0.25, 1e-15);
    /* the 9th value does not fill a batch and is left out: the same */
    double y[] = {1, 2, 3, 4, 5, 6, 7, 8, 100};
    ck_assert_double_eq_tol(bm_lag1(y, 9, 2), 0.25, 1e-15);
    double alt[] = {1, -1, 1, -1, 1, -1};
    ck_assert_double_eq_tol(bm_lag1(alt, 6, 1), -5.0 / 6.0, 1e-15);
    double flat[] = {2, 2, 2, 2};
    ck_assert_double_eq(bm_lag1(flat, 4, 1), 0);
    ck_assert_double_eq(bm_lag1(x, 3, 2), 0); /* one batch */
    ck_assert_double_eq(bm_lag1(x, 8, 0), 0);
}
END_TEST

START_TEST(test_skewness_by_hand)
{
    /* 1 2 3 10: mean 4, m2 = 50 / 4, m3 = 180 / 4, g1 = 45 / 12.5^1.5 (scipy.stats.skew) */
    double x[] = {1, 2, 3, 10};
    ck_assert_double_eq_tol(bm_skewness(x, 4, 1), 1.0182337649086284, 1e-13);
    double mirrored[] = {-1, -2, -3, -10};
    ck_assert_double_eq_tol(bm_skewness(mirrored, 4, 1), -1.0182337649086284, 1e-13);
    double sym[] = {1, 5, 2, 4, 3};
    ck_assert_double_eq_tol(bm_skewness(sym, 5, 1), 0, 1e-15);
    /* batches of 2: means 1.5, 2.5 (too few for a skewness) */
    ck_assert_double_eq(bm_skewness(x, 4, 2), 0);
    double flat[] = {3, 3, 3};
    ck_assert_double_eq(bm_skewness(flat, 3, 1), 0);
}
END_TEST

START_TEST(test_willink_by_hand)
{
    ck_assert_double_eq(bm_willink(2.0, 0), 2.0);
    /* a = 0.1: G(2) = (cbrt(1 + 0.6 x 1.9) - 1) / 0.2, G(-2) = (cbrt(1 - 0.6 x 2.1) - 1) / 0.2 */
    ck_assert_double_eq_tol(bm_willink(2.0, 0.1), 1.4432937127104883, 1e-13);
    ck_assert_double_eq_tol(bm_willink(-2.0, 0.1), -8.191252149429955, 1e-12);
    /* a right-skewed mean: the interval reaches further up than down; mirrored for a < 0 */
    ck_assert_double_eq_tol(bm_willink(2.0, -0.1), 8.191252149429955, 1e-12);
    /* small a: close to t (the correction is of order a) */
    ck_assert_double_eq_tol(bm_willink(1.96, 1e-6), 1.96, 1e-5);
}
END_TEST

START_TEST(test_mser_by_hand)
{
    /* batch means Z = 3 1 2 1 2 1 2 1 (k = 8, d <= 4): MSER(d) = 0.0605, 0.0350, 0.0417, 0.048,
     * 0.0625: d = 1 batch. Each batch holds 5 values around its Z: only the means matter. */
    static const double z[] = {3, 1, 2, 1, 2, 1, 2, 1};
    static const double spread[] = {-1, 1, 0, -2, 2};
    double x[40];
    for (size_t j = 0; j < 8; j++)
        for (size_t i = 0; i < 5; i++)
            x[5 * j + i] = z[j] + spread[i];
    bool at_limit = true;
    ck_assert_uint_eq(bm_mser(x, 40, 5, &at_limit), 5);
    ck_assert(!at_limit);
    ck_assert_uint_eq(bm_mser(z, 8, 1, NULL), 1);
    /* a step: everything after the first batch is equal, MSER(1) = 0 */
    double step[] = {10, 0, 0, 0, 0, 0};
    ck_assert_uint_eq(bm_mser(step, 6, 1, &at_limit), 1);
    ck_assert(!at_limit);
    /* a trend never settles: the minimum is at the end of the search, half the series */
    double trend[100];
    for (size_t i = 0; i < 100; i++)
        trend[i] = (double)i;
    ck_assert_uint_eq(bm_mser(trend, 100, 5, &at_limit), 50);
    ck_assert(at_limit);
    /* too little data */
    ck_assert_uint_eq(bm_mser(trend, 9, 5, &at_limit), 0);
    ck_assert(!at_limit);
    /* a flat series: nothing to cut (ties go to the smallest d) */
    double flat[20] = {0};
    ck_assert_uint_eq(bm_mser(flat, 20, 5, &at_limit), 0);
    ck_assert(!at_limit);
}
END_TEST

START_TEST(test_analyse_by_hand)
{
    struct bm_result r;
    bm_analyse(NULL, 0, 0.95, &r);
    ck_assert(isnan(r.mean) && isinf(r.halfwidth) && r.short_run);
    double one = 4;
    bm_analyse(&one, 1, 0.95, &r);
    ck_assert_double_eq(r.mean, 4);
    ck_assert(isinf(r.halfwidth));
    /* +1 -1 alternating, 200 values: lag-1 -1 at m = 1, so m0 = 1; batches of max(10 x 1,
     * 200 / 20) = 10, 20 of them, every batch mean 0: a zero-width interval at 0 */
    double alt[200];
    for (size_t i = 0; i < 200; i++)
        alt[i] = i % 2 ? -1 : 1;
    bm_analyse(alt, 200, 0.95, &r);
    ck_assert(!r.short_run);
    ck_assert_uint_eq(r.scan_size, 1);
    ck_assert_uint_eq(r.batch_size, 10);
    ck_assert_uint_eq(r.batches, 20);
    ck_assert_double_eq(r.mean, 0);
    ck_assert_double_eq(r.halfwidth, 0);
    /* a line 0 .. 999: batch means stay correlated at every size, so the run is too short; the
     * interval still uses 10 batches of 100 (means 49.5 + 100 j), whose lag-1 is 57.75 / 82.5
     * = 0.7 (variance x 1.7 / 0.3) and skewness 0: half-width t(0.975, 9) sqrt(825000 / 90
     * x 1.7 / 0.3) = 515.5755657547 */
    double line[1000];
    for (size_t i = 0; i < 1000; i++)
        line[i] = (double)i;
    bm_analyse(line, 1000, 0.95, &r);
    ck_assert(r.short_run);
    ck_assert_uint_eq(r.scan_size, 0);
    ck_assert_uint_eq(r.batch_size, 100);
    ck_assert_uint_eq(r.batches, 10);
    ck_assert_double_eq_tol(r.lag1, 0.7, 1e-12);
    ck_assert_double_eq_tol(r.skewness, 0, 1e-12);
    ck_assert_double_eq_tol(r.mean, 499.5, 1e-9);
    ck_assert_double_eq_tol(r.halfwidth, 515.5755657547122, 1e-7);
    ck_assert_double_eq_tol(r.upper - r.mean, r.mean - r.lower, 1e-9);
}
END_TEST

/* An AR(1) series x_i = phi x_i-1 + e_i, e_i ~ N(0, 1), started in its stationary law. */
static void ar1(gsl_rng *g, double phi, double *x, size_t n, double start)
{
    x[0] = isnan(start) ? gsl_ran_gaussian_ziggurat(g, 1 / sqrt(1 - phi * phi)) : start;
    for (size_t i = 1; i < n; i++)
        x[i] = phi * x[i - 1] + gsl_ran_gaussian_ziggurat(g, 1);
}

/* The exact variance of the mean of n stationary AR(1) values:
 * gamma_0 / n (1 + 2 sum_{h<n} (1 - h/n) phi^h), gamma_0 = 1 / (1 - phi^2). */
static double ar1_var_mean(double phi, size_t n)
{
    double s = 1, p = 1;
    for (size_t h = 1; h < n; h++) {
        p *= phi;
        s += 2 * (1 - (double)h / (double)n) * p;
    }
    return s / (1 - phi * phi) / (double)n;
}

/*
 * The property the procedure exists for: on an AR(1) series with phi = 0.9 (correlation time
 * about 19 values) and 20,000 values, the 95 % interval covers the true mean 0 at about the
 * nominal rate (400 runs: a binomial standard error of 1.1 points), is not wider than it need
 * be (its mean half-width within 0.9-1.6 of 1.96 true standard errors), and no run is called
 * too short. A fixed 10 or 20 batches of 2,000-1,000 values would pass here too; the next
 * test is the one they fail.
 */
START_TEST(test_ar1_coverage)
{
    enum { R = 400, N = 20000 };
    const double phi = 0.9;
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, 20240601);
    double *x = malloc(N * sizeof *x);
    double sd = sqrt(ar1_var_mean(phi, N)), width = 0;
    unsigned covered = 0, short_runs = 0;
    for (int rep = 0; rep < R; rep++) {
        ar1(g, phi, x, N, (double)NAN);
        struct bm_result r;
        bm_analyse(x, N, 0.95, &r);
        covered += r.lower <= 0 && 0 <= r.upper;
        short_runs += r.short_run;
        width += r.halfwidth / R;
        ck_assert_uint_ge(r.batches, BM_MIN_BATCHES);
        ck_assert_uint_le(r.batches, BM_MAX_BATCHES);
    }
    double coverage = covered / (double)R, ratio = width / (1.96 * sd);
    ck_assert_msg(coverage >= 0.925 && coverage <= 0.99, "coverage %.3f", coverage);
    ck_assert_msg(ratio > 0.9 && ratio < 1.6, "mean half-width / 1.96 sd = %.3f", ratio);
    ck_assert_uint_eq(short_runs, 0);
    free(x);
    gsl_rng_free(g);
}
END_TEST

/*
 * Where fixed batches fail: phi = 0.995 (correlation time about 400 values) and 4,000 values.
 * Batches of 200 (20 of them) are half a correlation time long, their means are strongly
 * correlated, and the plain t interval covers far below 95 % (72-79 % over seeds); the
 * procedure calls the run too short (the scan never reaches lag-1 < 0.4 with 100 batches) in
 * most runs, and its adjusted interval covers much more often (87-92 %) than the fixed one.
 */
START_TEST(test_ar1_too_short)
{
    enum { R = 300, N = 4000 };
    const double phi = 0.995;
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, 7);
    double *x = malloc(N * sizeof *x);
    unsigned short_runs = 0, covered = 0, covered_fixed = 0;
    for (int rep = 0; rep < R; rep++) {
        ar1(g, phi, x, N, (double)NAN);
        struct bm_result r;
        bm_analyse(x, N, 0.95, &r);
        short_runs += r.short_run;
        covered += r.lower <= 0 && 0 <= r.upper;
        struct stats_running means = {0};
        for (size_t j = 0; j < 20; j++) {
            double s = 0;
            for (size_t i = 0; i < N / 20; i++)
                s += x[j * (N / 20) + i];
            stats_running_add(&means, s / (N / 20));
        }
        covered_fixed += fabs(means.mean) <= stats_running_halfwidth(&means, 0.95);
    }
    ck_assert_msg(short_runs > 0.9 * R, "%u of %d runs called too short", short_runs, R);
    ck_assert_msg(covered_fixed < 0.85 * R, "fixed batches covered %u of %d", covered_fixed, R);
    ck_assert_msg(covered > covered_fixed + 0.08 * R, "adjusted %u, fixed %u of %d", covered,
                  covered_fixed, R);
    free(x);
    gsl_rng_free(g);
}
END_TEST

/*
 * MSER-5 on AR(1) series (phi = 0.9) started at 40 stationary standard deviations: the
 * transient decays as 0.9^i, below one standard deviation after about 35 values; MSER-5 must cut
 * at least 15 and at most a few hundred values, and never meet its limit. Started in the
 * stationary law it cuts little.
 */
START_TEST(test_mser_on_ar1)
{
    enum { R = 50, N = 5000 };
    const double phi = 0.9, sd = 1 / sqrt(1 - phi * phi);
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, 99);
    double *x = malloc(N * sizeof *x);
    size_t cut_sum = 0;
    for (int rep = 0; rep < R; rep++) {
        bool at_limit;
        ar1(g, phi, x, N, 40 * sd);
        size_t d = bm_mser(x, N, 5, &at_limit);
        ck_assert(!at_limit);
        ck_assert_msg(d >= 15 && d <= 400, "cut %zu", d);
        ck_assert_uint_eq(d % 5, 0);
        ar1(g, phi, x, N, (double)NAN);
        cut_sum += bm_mser(x, N, 5, &at_limit);
        ck_assert(!at_limit);
    }
    ck_assert_msg(cut_sum / R < 250, "stationary series: mean cut %zu", cut_sum / R);
    free(x);
    gsl_rng_free(g);
}
END_TEST

static Suite *batchmeans_suite(void)
{
    Suite *s = suite_create("batchmeans");
    TCase *tc = tcase_create("by hand");
    tcase_add_test(tc, test_lag1_by_hand);
    tcase_add_test(tc, test_skewness_by_hand);
    tcase_add_test(tc, test_willink_by_hand);
    tcase_add_test(tc, test_mser_by_hand);
    tcase_add_test(tc, test_analyse_by_hand);
    suite_add_tcase(s, tc);
    TCase *tp = tcase_create("properties");
    tcase_add_test(tp, test_ar1_coverage);
    tcase_add_test(tp, test_ar1_too_short);
    tcase_add_test(tp, test_mser_on_ar1);
    suite_add_tcase(s, tp);
    return s;
}

CHECK_MAIN(batchmeans_suite)
