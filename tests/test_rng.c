/* Random streams: keyed determinism, independence of streams, distributions against theory.
 *
 * Statistical checks use a fixed seed, so they are deterministic; their tolerances are derived
 * from the sampling distribution (z = 5 standard errors, or the KS critical value at 0.1 %), so
 * a wrong generator or a wrong parameterisation fails them, while a correct one passes for
 * any seed but a negligible fraction. */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>

#include "check_main.h"
#include "sim/rng.h"
#include "sim/simtime.h"

#define N 200000

START_TEST(test_same_key_same_draws)
{
    struct rng a, b;
    ck_assert_int_eq(rng_init(&a, 123, 4, RNG_KIND_ARRIVAL, 99), 0);
    ck_assert_int_eq(rng_init(&b, 123, 4, RNG_KIND_ARRIVAL, 99), 0);
    for (int i = 0; i < 1000; i++)
        ck_assert_uint_eq(gsl_rng_get(a.gen), gsl_rng_get(b.gen));
    rng_release(&a);
    rng_release(&b);
    rng_release(&b);
}
END_TEST

/* Changing any one key field changes the stream. */
START_TEST(test_every_key_field_matters)
{
    const uint64_t keys[][4] = {
        {1, 0, 1, 0}, {2, 0, 1, 0}, {1, 1, 1, 0}, {1, 0, 2, 0}, {1, 0, 1, 1}, {0, 1, 0, 1},
    };
    enum { K = sizeof keys / sizeof keys[0] };
    unsigned long first[K][4];
    for (int k = 0; k < K; k++) {
        struct rng r;
        ck_assert_int_eq(
            rng_init(&r, keys[k][0], (uint32_t)keys[k][1], (uint32_t)keys[k][2], keys[k][3]), 0);
        for (int i = 0; i < 4; i++)
            first[k][i] = gsl_rng_get(r.gen);
        rng_release(&r);
    }
    for (int a = 0; a < K; a++)
        for (int b = a + 1; b < K; b++) {
            int same = 0;
            for (int i = 0; i < 4; i++)
                same += first[a][i] == first[b][i];
            ck_assert_msg(same < 4, "keys %d and %d give the same stream", a, b);
        }
    ck_assert(rng_key_hash(1, 2, 3, 4) != rng_key_hash(1, 3, 2, 4));
    ck_assert(rng_key_hash(1, 2, 3, 4) != rng_key_hash(2, 1, 3, 4));
}
END_TEST

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* 10^5 UEs x 3 kinds: no two stream keys hash alike (a 32-bit seed would collide). */
START_TEST(test_no_key_collisions)
{
    enum { M = 300000 };
    uint64_t *h = malloc(M * sizeof *h);
    for (uint64_t i = 0; i < M; i++)
        h[i] = rng_key_hash(42, 0, (uint32_t)(1 + i % 3), i / 3);
    qsort(h, M, sizeof *h, cmp_u64);
    for (size_t i = 1; i < M; i++)
        ck_assert(h[i] != h[i - 1]);
    free(h);
}
END_TEST

/* Adding entities, and drawing from them in between, leaves an existing stream's draws alone. */
START_TEST(test_adding_an_entity_leaves_others_unchanged)
{
    double alone[500], crowded[500];
    struct rng r;
    rng_init(&r, 9, 0, RNG_KIND_FADING, 3);
    for (int i = 0; i < 500; i++)
        alone[i] = rng_exponential(&r, 2.0);
    rng_release(&r);

    struct rng others[4], mine;
    rng_init(&others[0], 9, 0, RNG_KIND_FADING, 2);
    rng_init(&mine, 9, 0, RNG_KIND_FADING, 3);
    rng_init(&others[1], 9, 0, RNG_KIND_FADING, 4);
    rng_init(&others[2], 9, 0, RNG_KIND_ARRIVAL, 3);
    rng_init(&others[3], 9, 0, RNG_KIND_POLICY, 0);
    for (int i = 0; i < 500; i++) {
        for (int k = 0; k < 4; k++)
            (void)rng_normal(&others[k], 0, 1);
        crowded[i] = rng_exponential(&mine, 2.0);
    }
    for (int i = 0; i < 500; i++)
        ck_assert(alone[i] == crowded[i]);
    for (int k = 0; k < 4; k++)
        rng_release(&others[k]);
    rng_release(&mine);
}
END_TEST

/* Neighbouring keys give uncorrelated streams: |Pearson r| < 5/sqrt(n). */
START_TEST(test_neighbouring_streams_uncorrelated)
{
    for (uint64_t id = 0; id < 4; id++) {
        struct rng a, b;
        rng_init(&a, 1, 0, RNG_KIND_ARRIVAL, id);
        rng_init(&b, 1, 0, RNG_KIND_ARRIVAL, id + 1);
        double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
        for (int i = 0; i < N; i++) {
            double x = rng_uniform(&a), y = rng_uniform(&b);
            sx += x;
            sy += y;
            sxx += x * x;
            syy += y * y;
            sxy += x * y;
        }
        double n = N;
        double r = (sxy - sx * sy / n) / sqrt((sxx - sx * sx / n) * (syy - sy * sy / n));
        ck_assert_msg(fabs(r) < 5 / sqrt(n), "streams %lu and %lu: r = %g", (unsigned long)id,
                      (unsigned long)id + 1, r);
        rng_release(&a);
        rng_release(&b);
    }
}
END_TEST

struct moments {
    double mean, var;
};

static struct moments sample(struct rng *r, double (*draw)(struct rng *, double, double), double p1,
                             double p2)
{
    double s = 0, ss = 0;
    for (int i = 0; i < N; i++) {
        double x = draw(r, p1, p2);
        s += x;
        ss += x * x;
    }
    double mean = s / N;
    return (struct moments){mean, (ss - N * mean * mean) / (N - 1)};
}

/* Checks sample mean and variance against theory; mu4 is the fourth central moment. */
static void check_moments(struct moments m, double mean, double var, double mu4, const char *what)
{
    double se_mean = sqrt(var / N);
    double se_var = sqrt((mu4 - var * var) / N);
    ck_assert_msg(fabs(m.mean - mean) < 5 * se_mean, "%s: mean %g, theory %g (se %g)", what, m.mean,
                  mean, se_mean);
    ck_assert_msg(fabs(m.var - var) < 5 * se_var, "%s: variance %g, theory %g (se %g)", what, m.var,
                  var, se_var);
}

static double draw_exp(struct rng *r, double mean, double unused)
{
    (void)unused;
    return rng_exponential(r, mean);
}

static double draw_exp_ns(struct rng *r, double mean, double unused)
{
    (void)unused;
    return (double)rng_exponential_ns(r, mean);
}

static double draw_uniform(struct rng *r, double a, double b)
{
    return rng_uniform_range(r, a, b);
}

START_TEST(test_distribution_moments)
{
    struct rng r;
    rng_init(&r, 2024, 0, RNG_KIND_TEST, 0);
    double m = 2.5;
    check_moments(sample(&r, draw_exp, m, 0), m, m * m, 9 * pow(m, 4), "exponential");
    m = 1e6; /* 1 ms in ns: rounding to whole ns is invisible */
    check_moments(sample(&r, draw_exp_ns, m, 0), m, m * m, 9 * pow(m, 4), "exponential ns");
    double mu = -1.0, sigma = 3.0;
    check_moments(sample(&r, rng_normal, mu, sigma), mu, sigma * sigma, 3 * pow(sigma, 4),
                  "normal");
    double k = 2.5, theta = 0.7;
    double var = k * theta * theta;
    check_moments(sample(&r, rng_gamma, k, theta), k * theta, var,
                  (3 * k * (k + 2)) * pow(theta, 4), "gamma");
    double a = -2, b = 6, w = b - a;
    check_moments(sample(&r, draw_uniform, a, b), (a + b) / 2, w * w / 12, pow(w, 4) / 80,
                  "uniform");
    /* Log-normal: its log is N(mu, sigma^2); and its mean is exp(mu + sigma^2/2). */
    double lmu = 0.3, lsig = 0.5, s = 0, sl = 0, sll = 0;
    for (int i = 0; i < N; i++) {
        double x = rng_lognormal(&r, lmu, lsig);
        ck_assert(x > 0);
        s += x;
        sl += log(x);
        sll += log(x) * log(x);
    }
    double lmean = sl / N, lvar = (sll - N * lmean * lmean) / (N - 1);
    check_moments((struct moments){lmean, lvar}, lmu, lsig * lsig, 3 * pow(lsig, 4),
                  "log of lognormal");
    double mean_theory = exp(lmu + lsig * lsig / 2);
    double var_theory = (exp(lsig * lsig) - 1) * mean_theory * mean_theory;
    ck_assert(fabs(s / N - mean_theory) < 5 * sqrt(var_theory / N));
    rng_release(&r);
}
END_TEST

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Kolmogorov-Smirnov against the exponential CDF, at the 0.1 % level (D < 1.949/sqrt(n)). */
START_TEST(test_exponential_ks)
{
    enum { M = 20000 };
    double *x = malloc(M * sizeof *x);
    struct rng r;
    rng_init(&r, 77, 0, RNG_KIND_TEST, 1);
    for (int i = 0; i < M; i++)
        x[i] = rng_exponential(&r, 3.0);
    qsort(x, M, sizeof *x, cmp_double);
    double d = 0;
    for (int i = 0; i < M; i++) {
        double f = gsl_cdf_exponential_P(x[i], 3.0);
        double lo = f - (double)i / M, hi = (double)(i + 1) / M - f;
        d = fmax(d, fmax(lo, hi));
    }
    ck_assert_msg(d < 1.949 / sqrt(M), "KS statistic %g", d);
    /* And the test has power: against a wrong mean it fails. */
    double dwrong = 0;
    for (int i = 0; i < M; i++) {
        double f = gsl_cdf_exponential_P(x[i], 3.3);
        dwrong = fmax(dwrong, fabs(f - (double)i / M));
    }
    ck_assert(dwrong > 1.949 / sqrt(M));
    free(x);
    rng_release(&r);
}
END_TEST

/* Gaps longer than int64 nanoseconds (a mean of 1e20 ns is rate 1e-11 /s) saturate at
 * SIM_TIME_MAX, "beyond the horizon", instead of wrapping negative; the draws that fit keep the
 * exponential law: P(gap < 2^63 ns) = 1 - exp(-2^63 / mean). */
START_TEST(test_exponential_ns_saturates)
{
    enum { M = 200000 };
    const double mean = 1e20;
    struct rng r;
    rng_init(&r, 78, 0, RNG_KIND_TEST, 1);
    unsigned fit = 0;
    for (int i = 0; i < M; i++) {
        int64_t g = rng_exponential_ns(&r, mean);
        ck_assert_int_ge(g, 0);
        if (g < SIM_TIME_MAX)
            fit++;
    }
    double p = -expm1(-0x1p63 / mean), sd = sqrt(M * p * (1 - p));
    ck_assert_msg(fabs(fit - M * p) < 4.5 * sd, "%u of %d gaps fit, expected %.0f +- %.0f", fit, M,
                  M * p, sd);
    ck_assert_int_eq(rng_exponential_ns(&r, INFINITY), SIM_TIME_MAX);
    rng_release(&r);
}
END_TEST

START_TEST(test_uniform_ranges)
{
    struct rng r;
    rng_init(&r, 3, 0, RNG_KIND_TEST, 2);
    unsigned long counts[7] = {0};
    for (int i = 0; i < 70000; i++) {
        double u = rng_uniform(&r), p = rng_uniform_pos(&r);
        ck_assert(u >= 0 && u < 1);
        ck_assert(p > 0 && p < 1);
        counts[rng_uniform_int(&r, 7)]++;
    }
    /* Chi-square with 6 degrees of freedom, 0.1 % critical value 22.46. */
    double chi2 = 0;
    for (int k = 0; k < 7; k++)
        chi2 += (counts[k] - 10000.0) * (counts[k] - 10000.0) / 10000.0;
    ck_assert_msg(chi2 < 22.46, "chi2 = %g", chi2);
    rng_release(&r);
}
END_TEST

/* A snapshot taken now and restored later repeats the draws made after it. */
START_TEST(test_snapshot_replays)
{
    struct rng r;
    rng_init(&r, 4, 1, RNG_KIND_TEST, 9);
    (void)rng_uniform(&r);
    struct rng_snapshot s;
    rng_save(&r, &s);
    double first[20];
    for (int i = 0; i < 20; i++)
        first[i] = rng_uniform(&r);
    rng_restore(&r, &s);
    for (int i = 0; i < 20; i++)
        ck_assert(rng_uniform(&r) == first[i]);
    rng_release(&r);
}
END_TEST

static Suite *rng_suite(void)
{
    Suite *s = suite_create("rng");
    TCase *tc = tcase_create("streams");
    tcase_add_test(tc, test_same_key_same_draws);
    tcase_add_test(tc, test_every_key_field_matters);
    tcase_add_test(tc, test_no_key_collisions);
    tcase_add_test(tc, test_adding_an_entity_leaves_others_unchanged);
    tcase_add_test(tc, test_neighbouring_streams_uncorrelated);
    tcase_add_test(tc, test_snapshot_replays);
    suite_add_tcase(s, tc);
    TCase *td = tcase_create("distributions");
    tcase_add_test(td, test_distribution_moments);
    tcase_add_test(td, test_exponential_ks);
    tcase_add_test(td, test_exponential_ns_saturates);
    tcase_add_test(td, test_uniform_ranges);
    suite_add_tcase(s, td);
    return s;
}

CHECK_MAIN(rng_suite)
