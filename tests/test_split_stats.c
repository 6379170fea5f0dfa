/*
 * The split model's statistics (models/split/statistics.c) on made-up measured values, every
 * expected number worked out by hand in the comments: the percentile definition (linear
 * interpolation between order statistics, h = (n - 1) p: Hyndman and Fan's type 7); the pooled
 * mean and percentiles, the interval of the mean (t over replication means; with one replication
 * the batch-means interval of sim/batchmeans, checked against the known variance of independent
 * normal values and flagged too short on a strongly correlated AR(1) series) and the percentiles'
 * intervals (t over the replications' own percentiles; t(0.975; 1, 2, 4)
 * = 12.706205, 4.302653, 2.776445); the requests at the quality ceiling; the range of the chosen
 * splits.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "check_main.h"
#include "models/split/split.h"

#define T1 12.7062047361747 /* t(0.975) with 1, 2 and 4 degrees of freedom */
#define T2 4.30265272974946
#define T4 2.77644510519779

enum { MAX_REPS = 4, MAX_VALUES = 32 };

/* Made-up results: the values of metric `k` per replication (replications separated by NAN in
 * `v`, `n` values in all), and one quality per value. */
struct made {
    struct split_results res;
    struct split_rep_totals reps[MAX_REPS];
    double values[SM_COUNT_][MAX_VALUES];
};

static void made_init(struct made *m, enum split_metric k, const double *v, size_t n)
{
    memset(m, 0, sizeof *m);
    m->res.reps = m->reps;
    for (int j = 0; j < SM_COUNT_; j++)
        m->res.metric[j].v = m->values[j];
    m->res.nreps = 1;
    m->reps[0].split_lo = UINT32_MAX;
    for (size_t i = 0; i < n; i++) {
        if (isnan(v[i])) {
            ck_assert_uint_lt(m->res.nreps, MAX_REPS);
            struct split_rep_totals *t = &m->reps[m->res.nreps++];
            t->split_lo = UINT32_MAX;
            for (int j = 0; j < SM_COUNT_; j++)
                t->start[j] = m->res.metric[j].n;
            continue;
        }
        ck_assert_uint_lt(m->res.metric[k].n, MAX_VALUES);
        m->res.metric[k].v[m->res.metric[k].n++] = v[i];
    }
}

static void same(const char *what, double x, double want)
{
    ck_assert_msg(isnan(want) ? isnan(x) : fabs(x - want) < 1e-9, "%s: %.12g, expected %.12g", what,
                  x, want);
}

/*
 * Type 7 by hand: 1 2 3 4 5: p = 0.5: h = 2, x[2] = 3; p = 0.95: h = 3.8, 4 + 0.8 x 1 = 4.8;
 * p = 0.99: h = 3.96, 4.96; p = 0: 1; p = 1: 5. 10 20: p = 0.95: h = 0.95, 19.5. One value: it.
 * (Octave's prctile gives 5 for the 95th percentile of 1..5, and 20 for 10 20: another
 * definition.)
 */
START_TEST(test_percentile_definition)
{
    const double x[] = {1, 2, 3, 4, 5}, y[] = {10, 20};
    same("p50", split_percentile_sorted(x, 5, 0.50), 3);
    same("p95", split_percentile_sorted(x, 5, 0.95), 4.8);
    same("p99", split_percentile_sorted(x, 5, 0.99), 4.96);
    same("p0", split_percentile_sorted(x, 5, 0), 1);
    same("p100", split_percentile_sorted(x, 5, 1), 5);
    same("two values, p95", split_percentile_sorted(y, 2, 0.95), 19.5);
    same("one value", split_percentile_sorted(y, 1, 0.99), 10);
    same("none", split_percentile_sorted(y, 0, 0.5), NAN);
}
END_TEST

/*
 * Three replications of TTFT values (each replication's own percentiles by type 7):
 *   1 2 3 4 5   mean 3   p50 3   p95 4.8   p99 4.96
 *   2 4 6       mean 4   p50 4   p95 5.8   p99 5.96      (h = 1.9, 1.98: 4 + 0.9 x 2, ...)
 *   0 10        mean 5   p50 5   p95 9.5   p99 9.9
 * Intervals, t(0.975; 2) s / sqrt(3): means and p50s 3, 4, 5: s = 1; p95s 4.8, 5.8, 9.5: mean
 * 6.7, squared deviations 3.61 + 0.81 + 7.84 = 12.26, s^2 = 6.13; p99s 4.96, 5.96, 9.9: mean
 * 6.94, 3.9204 + 0.9604 + 8.7616 = 13.6424, s^2 = 6.8212.
 * Pooled, sorted: 0 1 2 2 3 4 4 5 6 10: mean 3.7; p50 h = 4.5: 3.5; p95 h = 8.55: 6 + 0.55 x 4
 * = 8.2; p99 h = 8.91: 9.64.
 */
START_TEST(test_three_replications)
{
    const double v[] = {1, 2, 3, 4, 5, NAN, 2, 4, 6, NAN, 0, 10};
    struct made m;
    made_init(&m, SM_TTFT, v, sizeof v / sizeof v[0]);
    ck_assert_uint_eq(m.res.nreps, 3);
    struct split_stat st;
    ck_assert_int_eq(split_stat_compute(&m.res, SM_TTFT, &st), 0);
    ck_assert_uint_eq(st.n, 10);
    same("mean", st.mean, 3.7);
    same("ci95", st.ci95, T2 / sqrt(3));
    same("p50", st.p50, 3.5);
    same("p95", st.p95, 8.2);
    same("p99", st.p99, 9.64);
    same("p50_ci95", st.p50_ci95, T2 / sqrt(3));
    same("p95_ci95", st.p95_ci95, T2 * sqrt(6.13) / sqrt(3));
    same("p99_ci95", st.p99_ci95, T2 * sqrt(6.8212) / sqrt(3));
    /* the values themselves are left in their order */
    same("first value", m.res.metric[SM_TTFT].v[0], 1);
    same("last value", m.res.metric[SM_TTFT].v[9], 10);
}
END_TEST

/*
 * A replication without values drops out of the intervals: 1 2 3 | - | 3 5: p50s and means 2
 * and 4 (s = sqrt 2): t(0.975; 1) sqrt(2) / sqrt(2) = 12.706205; one replication with values
 * left (- | 7 9 | -): no interval (its p95, h = 0.95: 8.9).
 */
START_TEST(test_replication_without_values)
{
    const double v[] = {1, 2, 3, NAN, NAN, 3, 5};
    struct made m;
    made_init(&m, SM_ENERGY, v, sizeof v / sizeof v[0]);
    struct split_stat st;
    ck_assert_int_eq(split_stat_compute(&m.res, SM_ENERGY, &st), 0);
    same("p50_ci95", st.p50_ci95, T1);
    same("mean's ci95", st.ci95, T1);
    const double w[] = {NAN, 7, 9, NAN};
    made_init(&m, SM_ENERGY, w, sizeof w / sizeof w[0]);
    ck_assert_int_eq(split_stat_compute(&m.res, SM_ENERGY, &st), 0);
    same("p95 of one replication", st.p95, 8.9);
    same("no interval", st.p95_ci95, NAN);
    same("no interval for the mean", st.ci95, NAN);
}
END_TEST

/*
 * One replication: the percentiles have no interval; the mean's is over 20 batch means, here
 * the 5 values themselves (batches of 0 or 1 value): 1..5, s^2 = 2.5, t(0.975; 4) sqrt(2.5 / 5).
 * No value at all: NaN everywhere, n = 0.
 */
START_TEST(test_one_replication)
{
    const double v[] = {5, 3, 1, 2, 4};
    struct made m;
    made_init(&m, SM_LATENCY, v, 5);
    struct split_stat st;
    ck_assert_int_eq(split_stat_compute(&m.res, SM_LATENCY, &st), 0);
    same("mean", st.mean, 3);
    ck_assert_msg(st.ci95_short, "5 values are too short for a batch-means interval");
    same("p95", st.p95, 4.8);
    same("p50_ci95", st.p50_ci95, NAN);
    same("p95_ci95", st.p95_ci95, NAN);
    same("p99_ci95", st.p99_ci95, NAN);
    ck_assert_int_eq(split_stat_compute(&m.res, SM_TTFT, &st), 0);
    ck_assert_uint_eq(st.n, 0);
    same("no mean", st.mean, NAN);
    same("no p99", st.p99, NAN);
    same("no p99 interval", st.p99_ci95, NAN);
}
END_TEST

/* One replication of n values of metric k held in v (not copied). */
static void one_replication(struct split_results *res, struct split_rep_totals *rep,
                            enum split_metric k, double *v, size_t n)
{
    memset(res, 0, sizeof *res);
    memset(rep, 0, sizeof *rep);
    res->reps = rep;
    res->nreps = 1;
    res->metric[k] = (struct split_values){.v = v, .n = n, .cap = n};
}

/*
 * One replication of 20000 independent N(0, 1) values: the batch-means half-width must be that
 * of the mean of independent values, 1.96 / sqrt(20000) = 0.01386, up to the sampling error of
 * a standard deviation estimated from 10-20 batches (chi-square with 9-19 degrees of freedom:
 * within 0.55-1.45 of the truth with probability > 0.99) and the t quantile for that many
 * batches (2.09-2.26 instead of 1.96); the run is long enough. An AR(1) series
 * x_i = 0.999 x_{i-1} + e_i of 2000 values has a correlation time (about 2000 values) as long as
 * the run: too short for any valid interval.
 */
START_TEST(test_one_replication_batch_means)
{
    enum { N = 20000, N_AR = 2000 };
    static double v[N];
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, 7);
    for (size_t i = 0; i < N; i++)
        v[i] = gsl_ran_gaussian_ziggurat(g, 1.0);
    struct split_results res;
    struct split_rep_totals rep;
    one_replication(&res, &rep, SM_TTFT, v, N);
    struct split_stat st;
    ck_assert_int_eq(split_stat_compute(&res, SM_TTFT, &st), 0);
    double iid = 1.959964 / sqrt((double)N);
    ck_assert_msg(!st.ci95_short, "20000 independent values are long enough");
    ck_assert_msg(st.ci95 > 0.55 * iid && st.ci95 < 1.45 * 2.26 / 1.96 * iid,
                  "ci95 %.5g, independent values' %.5g", st.ci95, iid);
    double x = 0;
    for (size_t i = 0; i < N_AR; i++)
        v[i] = x = 0.999 * x + gsl_ran_gaussian_ziggurat(g, 1.0);
    one_replication(&res, &rep, SM_TTFT, v, N_AR);
    ck_assert_int_eq(split_stat_compute(&res, SM_TTFT, &st), 0);
    ck_assert_msg(st.ci95_short, "AR(1) with phi 0.999 over 2000 values: too short");
    gsl_rng_free(g);
}
END_TEST

/* Requests at or above the ceiling (1000), quality 1 1000 | 1000.5 999.99 1000: 1 in
 * replication 0, 2 in replication 1, 3 in all; none with an infinite ceiling. */
START_TEST(test_at_ceiling)
{
    const double q[] = {1, 1000, NAN, 1000.5, 999.99, 1000};
    struct made m;
    made_init(&m, SM_QUALITY, q, sizeof q / sizeof q[0]);
    ck_assert_uint_eq(split_at_ceiling(&m.res, SIZE_MAX, 1000), 3);
    ck_assert_uint_eq(split_at_ceiling(&m.res, 0, 1000), 1);
    ck_assert_uint_eq(split_at_ceiling(&m.res, 1, 1000), 2);
    ck_assert_uint_eq(split_at_ceiling(&m.res, SIZE_MAX, INFINITY), 0);
}
END_TEST

/* The chosen splits' range over replications; a replication without a request (lo > hi) adds
 * nothing; none at all: lo > hi. */
START_TEST(test_chosen_range)
{
    const double v[] = {1, NAN, 2, NAN, 3};
    struct made m;
    made_init(&m, SM_TTFT, v, 5);
    uint32_t lo, hi;
    split_chosen_range(&m.res, &lo, &hi);
    ck_assert_uint_gt(lo, hi);
    m.reps[0].split_lo = 4, m.reps[0].split_hi = 6;
    m.reps[2].split_lo = 2, m.reps[2].split_hi = 5;
    split_chosen_range(&m.res, &lo, &hi);
    ck_assert_uint_eq(lo, 2);
    ck_assert_uint_eq(hi, 6);
}
END_TEST

static Suite *split_stats_suite(void)
{
    Suite *s = suite_create("split_stats");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_percentile_definition);
    tcase_add_test(tc, test_three_replications);
    tcase_add_test(tc, test_replication_without_values);
    tcase_add_test(tc, test_one_replication);
    tcase_add_test(tc, test_one_replication_batch_means);
    tcase_add_test(tc, test_at_ceiling);
    tcase_add_test(tc, test_chosen_range);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(split_stats_suite)
