/*
 * The assumed quality model (models/llm/quality.c) against what it is meant to express, never
 * against its own constants:
 *   - the limits and invariants its header and docs/TABLES.md state (no loss without erasures,
 *     nothing lost when tokens or nothing cross the link, a ceiling for a destroyed model, at
 *     e = 1 whatever the cut);
 *   - the published facts it is shaped by (shared/docs/PAPER.md): harm superlinear in the erased
 *     fraction, cuts after the first blocks the most fragile, and the paper's finding that the
 *     best split moves deeper as the channel worsens;
 *   - the numbers docs/TABLES.md and docs/PAPER-REPRODUCTION.md give for it: 37x after block 1 and
 *     2.4x after block 10 at e = 0.30, and the paper scenario's measured mean rewards of fixed
 *     splits and of the oracle, which the model integrated over p must reproduce.
 */
#include <math.h>
#include <string.h>

#include "check_main.h"
#include "models/llm/quality.h"

static const struct quality_model *const q = &quality_default;

enum { L = 32 }; /* Llama-2-7B, the paper's model */

static double fp16(uint32_t k, double e)
{
    return quality_ratio(q, L, k, e, QUALITY_FP16);
}

/* docs/TABLES.md: "labelled as one in its source string" (every results file carries it). */
START_TEST(test_labelled_assumption)
{
    ck_assert_ptr_nonnull(strstr(q->source, "ASSUMPTION"));
}
END_TEST

/* k = 0 (tokens sent) and k = L (nothing sent) lose nothing, whatever the erasures and the
 * precision; no erasure costs nothing at fp16, whatever the cut. */
START_TEST(test_lossless)
{
    const enum quality_precision prec[] = {QUALITY_FP16, QUALITY_INT8, QUALITY_INT4};
    const double es[] = {0, 0.01, 0.3, 0.7, 1};
    for (size_t i = 0; i < 3; i++)
        for (size_t j = 0; j < sizeof es / sizeof es[0]; j++) {
            ck_assert(quality_ratio(q, L, 0, es[j], prec[i]) == 1);
            ck_assert(quality_ratio(q, L, L, es[j], prec[i]) == 1);
            ck_assert(quality_ratio(q, 12, 12, es[j], prec[i]) == 1);
        }
    for (uint32_t k = 0; k <= L; k++)
        ck_assert(fp16(k, 0) == 1);
}
END_TEST

/*
 * The ends of e: the harm vanishes smoothly as e -> 0 (superlinear: no linear term, so a
 * vanishing slope), and a hidden state erased entirely is a destroyed model after any cut: the
 * documented ceiling, 1000 (docs/TABLES.md), never exceeded. e is a fraction: values outside
 * [0, 1] count as the nearest end.
 */
START_TEST(test_limits)
{
    for (uint32_t k = 1; k < L; k++) {
        for (double e = 1e-2; e > 1e-6; e /= 10) {
            double slope = (fp16(k, e) - 1) / e, smaller = (fp16(k, e / 10) - 1) / (e / 10);
            ck_assert_msg(slope > 0 && smaller < slope / 5,
                          "k %u: (ratio - 1) / e = %g at e = %g, %g at e / 10", k, slope, e,
                          smaller);
        }
        ck_assert_double_eq(fp16(k, 1), 1000);
        ck_assert(fp16(k, -0.5) == fp16(k, 0));
        ck_assert(fp16(k, 3) == fp16(k, 1));
    }
}
END_TEST

/*
 * Monotone and superlinear over a fine grid, for a 32- and a 12-block model: never below 1, never
 * above the ceiling; more erasure never helps and strictly hurts until the ceiling; a deeper cut
 * never hurts more; and the log-harm grows faster than e (PAPER.md: massive activations make the
 * damage sharply non-linear): doubling e more than doubles it, below the ceiling.
 */
START_TEST(test_monotone_superlinear)
{
    const uint32_t layers[] = {32, 12};
    for (size_t m = 0; m < 2; m++) {
        uint32_t n = layers[m];
        for (uint32_t k = 1; k < n; k++)
            for (int i = 0; i <= 200; i++) {
                double e = i / 200.0, r = quality_ratio(q, n, k, e, QUALITY_FP16);
                ck_assert(r >= 1 && r <= 1000);
                if (i < 200) {
                    double next = quality_ratio(q, n, k, e + 1 / 200.0, QUALITY_FP16);
                    ck_assert(r < 1000 ? next > r : next == r);
                }
                if (k > 1)
                    ck_assert(r <= quality_ratio(q, n, k - 1, e, QUALITY_FP16));
                double r2 = quality_ratio(q, n, k, 2 * e, QUALITY_FP16);
                if (i > 0 && r2 < 1000)
                    ck_assert_msg(log(r2) > 2 * log(r), "k %u e %g", k, e);
            }
    }
}
END_TEST

/*
 * Depth (PAPER.md, "Transformer layers as painters"): a cut right after the first blocks is the
 * most fragile, middle blocks robust. At the paper's worst channel, e = 0.30, docs/TABLES.md
 * gives 37x after block 1 and 2.4x after block 10 (as rounded there); beyond block 10 the
 * ratio changes little.
 */
START_TEST(test_depth_documented)
{
    ck_assert_msg(fabs(fp16(1, 0.30) - 37) < 0.5, "%g", fp16(1, 0.30));
    ck_assert_msg(fabs(fp16(10, 0.30) - 2.4) < 0.05, "%g", fp16(10, 0.30));
    ck_assert(fp16(1, 0.30) > 10 * fp16(16, 0.30));
    ck_assert(fp16(10, 0.30) < 1.2 * fp16(31, 0.30));
}
END_TEST

/*
 * Precision: quantising the hidden state multiplies the ratio by a factor that depends neither on
 * the cut nor on the erasures, int4 costing more than int8 and int8 more than fp16; docs/TABLES.md
 * gives the factors as 1.002 (int8) and 1.05 (int4).
 */
/* The ceiling is the value quality_ratio returns for a destroyed hidden state, bit for bit, at
 * every precision (what counts the requests at the ceiling relies on); none without max_ratio. */
START_TEST(test_ceiling)
{
    const enum quality_precision prec[] = {QUALITY_FP16, QUALITY_INT8, QUALITY_INT4};
    for (size_t i = 0; i < 3; i++) {
        double c = quality_ceiling(q, prec[i]);
        for (uint32_t k = 1; k < L; k++) {
            ck_assert(quality_ratio(q, L, k, 1, prec[i]) == c);
            ck_assert(quality_ratio(q, L, k, 0.05, prec[i]) < c);
        }
    }
    ck_assert_double_eq(quality_ceiling(q, QUALITY_FP16), 1000);
    struct quality_model open = *q;
    open.max_ratio = 0;
    ck_assert(isinf(quality_ceiling(&open, QUALITY_INT8)));
}
END_TEST

START_TEST(test_precision)
{
    double f8 = quality_ratio(q, L, 3, 0, QUALITY_INT8);
    double f4 = quality_ratio(q, L, 3, 0, QUALITY_INT4);
    ck_assert(1 < f8 && f8 < f4);
    ck_assert_double_eq_tol(f8, 1.002, 5e-4);
    ck_assert_double_eq_tol(f4, 1.05, 5e-3);
    for (uint32_t k = 1; k < L; k++)
        for (double e = 0; e <= 1; e += 0.05) {
            double r = fp16(k, e);
            ck_assert_double_eq_tol(quality_ratio(q, L, k, e, QUALITY_INT8) / r, f8, 1e-12);
            ck_assert_double_eq_tol(quality_ratio(q, L, k, e, QUALITY_INT4) / r, f4, 1e-12);
        }
}
END_TEST

/* The paper's reward (docs/PAPER-REPRODUCTION.md, from Chen et al.):
 * 10 (PPL_0 - PPL) / PPL_0 + (10 - n) / 10, for a cut after block n = 1..10. */
enum { N_MAX = 10 };

static double paper_reward(uint32_t n, double p)
{
    return 10 * (1 - fp16(n, p)) + (10.0 - n) / 10;
}

static uint32_t best_split(double p)
{
    uint32_t best = 1;
    for (uint32_t n = 2; n <= N_MAX; n++)
        if (paper_reward(n, p) > paper_reward(best, p))
            best = n;
    return best;
}

/*
 * The paper's finding (PAPER.md): as the channel worsens, the best split moves deeper. With this
 * model, docs/PAPER-REPRODUCTION.md reports the oracle's best n as 1.3 on average for p < 0.04
 * and 10 for p > 0.14.
 */
START_TEST(test_best_split_moves_deeper)
{
    uint32_t prev = 1;
    double sum = 0;
    int n = 0;
    for (int i = 0; i <= 29000; i++) {
        double p = 0.01 + i * 1e-5;
        uint32_t b = best_split(p);
        ck_assert_msg(b >= prev, "best split %u at p = %g after %u", b, p, prev);
        prev = b;
        if (p < 0.04)
            sum += b, n++;
        if (p > 0.14)
            ck_assert_msg(b == N_MAX, "best split %u at p = %g", b, p);
    }
    ck_assert_uint_eq(best_split(0.01), 1);
    ck_assert_msg(fabs(sum / n - 1.3) < 0.05, "mean best split for p < 0.04: %g", sum / n);
}
END_TEST

/*
 * The paper scenario's measured table (docs/PAPER-REPRODUCTION.md: p uniform in [0.01, 0.30],
 * 5 x 2,000 requests): mean reward of the fixed splits n = 1, 5, 8, 10 and of the exhaustive
 * oracle. The model's expectation over p (midpoint rule, 100,000 points) must match each within
 * 3 standard errors of a mean of 10,000 draws (the standard deviation over p, from the model).
 */
START_TEST(test_paper_table)
{
    static const struct {
        uint32_t n; /* 0: the oracle */
        double measured;
    } table[] = {{1, -53.30}, {5, -7.973}, {8, -4.590}, {10, -3.9453}, {0, -3.8355}};
    enum { POINTS = 100000 };
    for (size_t j = 0; j < sizeof table / sizeof table[0]; j++) {
        double sum = 0, sum2 = 0;
        for (int i = 0; i < POINTS; i++) {
            double p = 0.01 + 0.29 * (i + 0.5) / POINTS;
            double r = paper_reward(table[j].n ? table[j].n : best_split(p), p);
            sum += r, sum2 += r * r;
        }
        double mean = sum / POINTS, se = sqrt(sum2 / POINTS - mean * mean) / sqrt(10000);
        ck_assert_msg(fabs(mean - table[j].measured) < 3 * se,
                      "n = %u: expected reward %g, measured %g (standard error %g)", table[j].n,
                      mean, table[j].measured, se);
    }
}
END_TEST

static Suite *quality_suite(void)
{
    Suite *s = suite_create("quality");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_labelled_assumption);
    tcase_add_test(tc, test_lossless);
    tcase_add_test(tc, test_limits);
    tcase_add_test(tc, test_monotone_superlinear);
    tcase_add_test(tc, test_depth_documented);
    tcase_add_test(tc, test_precision);
    tcase_add_test(tc, test_ceiling);
    tcase_add_test(tc, test_best_split_moves_deeper);
    tcase_add_test(tc, test_paper_table);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(quality_suite)
