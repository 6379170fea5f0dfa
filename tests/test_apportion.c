/* Tests of sim/apportion: class counts by the largest remainder and their balanced order, on
 * cases worked out by hand and on properties (exact totals, remainders, prefix balance) over
 * random fraction vectors. */
#include <check.h>
#include <errno.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>

#include "check_main.h"
#include "sim/apportion.h"

#define MAXN 16

static void expect_counts(const double *w, size_t n, uint64_t total, const uint64_t *want)
{
    uint64_t c[MAXN];
    ck_assert_int_eq(apportion_counts(w, n, total, c), 0);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(c[i] == want[i], "total %llu class %zu: %llu, expected %llu",
                      (unsigned long long)total, i, (unsigned long long)c[i],
                      (unsigned long long)want[i]);
}

/* Worked by hand: quotas, floors, and the remainders that get the items left over. */
START_TEST(test_counts_by_hand)
{
    /* 3.5, 2.1, 1.4: floors 3 2 1, one left for the largest remainder (.5) */
    expect_counts((double[]){0.5, 0.3, 0.2}, 3, 7, (uint64_t[]){4, 2, 1});
    /* exact quotas stay exact whatever the binary rounding of 0.3 x 10 and 0.7 x 10 */
    expect_counts((double[]){0.3, 0.7}, 2, 10, (uint64_t[]){3, 7});
    expect_counts((double[]){0.1, 0.2, 0.7}, 3, 10, (uint64_t[]){1, 2, 7});
    expect_counts((double[]){0.15, 0.85}, 2, 20, (uint64_t[]){3, 17});
    /* thirds of 4: 1.33 each, the one left over goes to the lowest index of the tie */
    expect_counts((double[]){1 / 3.0, 1 / 3.0, 1 / 3.0}, 3, 4, (uint64_t[]){2, 1, 1});
    /* 0.3333333333 x 3: the remainders differ by 4e-10, below 1e-9: a tie */
    expect_counts((double[]){0.3333333333, 0.3333333333, 0.3333333334}, 3, 4,
                  (uint64_t[]){2, 1, 1});
    expect_counts((double[]){0.5, 0.5}, 2, 3, (uint64_t[]){2, 1});
    /* 0.5, 0.5, 1: class 2 is whole; the tie of 0 and 1 goes to 0 */
    expect_counts((double[]){0.25, 0.25, 0.5}, 3, 2, (uint64_t[]){1, 0, 1});
    /* 0.1, 9.9: the small class gets nothing */
    expect_counts((double[]){0.01, 0.99}, 2, 10, (uint64_t[]){0, 10});
    expect_counts((double[]){0.6, 0.25, 0.15}, 3, 1, (uint64_t[]){1, 0, 0});
    expect_counts((double[]){0.7, 0.2, 0.1}, 3, 0, (uint64_t[]){0, 0, 0});
    /* weights need not sum to 1: 3.75 and 1.25 */
    expect_counts((double[]){3, 1}, 2, 5, (uint64_t[]){4, 1});
    expect_counts((double[]){1}, 1, 1000000, (uint64_t[]){1000000});
    /* 8 of 1.6, 1.6, 1.6, 3.2: floors 1 1 1 3 (6), two left: .6 .6 .6 .2 -> classes 0 and 1 */
    expect_counts((double[]){0.2, 0.2, 0.2, 0.4}, 4, 8, (uint64_t[]){2, 2, 1, 3});
}
END_TEST

START_TEST(test_counts_refuse)
{
    uint64_t c[3] = {7, 7, 7};
    ck_assert_int_eq(apportion_counts((double[]){1}, 0, 5, c), -EINVAL);
    ck_assert_int_eq(apportion_counts((double[]){0.5, 0}, 2, 5, c), -EINVAL);
    ck_assert_int_eq(apportion_counts((double[]){1.5, -0.5}, 2, 5, c), -EINVAL);
    ck_assert_int_eq(apportion_counts((double[]){NAN, 1}, 2, 5, c), -EINVAL);
    ck_assert_int_eq(apportion_counts((double[]){INFINITY, 1}, 2, 5, c), -EINVAL);
    ck_assert_int_eq(apportion_counts((double[]){1e308, 1e308}, 2, 5, c), -EINVAL);
    ck_assert_int_eq(apportion_counts((double[]){1}, 1, (uint64_t)UINT32_MAX + 1, c), -EINVAL);
    ck_assert(c[0] == 7 && c[1] == 7 && c[2] == 7); /* untouched */
}
END_TEST

static void expect_order(const uint64_t *counts, size_t n, const uint32_t *want, size_t total)
{
    uint32_t order[64];
    uint64_t picks[MAXN];
    ck_assert_int_eq(apportion_order(counts, n, order, picks), 0);
    for (size_t t = 0; t < total; t++)
        ck_assert_msg(order[t] == want[t], "item %zu: class %u, expected %u", t, order[t], want[t]);
    for (size_t i = 0; i < n; i++)
        ck_assert(picks[i] == counts[i]);
}

/* Worked by hand with the rule of sim/apportion.h; e.g. counts 1 and 3 (N = 4, delta = 1/2):
 * item 1: only class 1 is owed 1/2 (3/4) -> 1; item 2: both are owed 1/2, both due at item 2 ->
 * the lower, 0; items 3 and 4: only class 1 is owed -> 1, 1. */
START_TEST(test_order_by_hand)
{
    expect_order((uint64_t[]){1, 3}, 2, (uint32_t[]){1, 0, 1, 1}, 4);
    expect_order((uint64_t[]){3, 1}, 2, (uint32_t[]){0, 0, 1, 0}, 4);
    expect_order((uint64_t[]){2, 2}, 2, (uint32_t[]){0, 1, 0, 1}, 4);
    expect_order((uint64_t[]){2, 1, 1}, 3, (uint32_t[]){0, 1, 2, 0}, 4);
    expect_order((uint64_t[]){5, 3, 2}, 3, (uint32_t[]){0, 1, 0, 2, 0, 1, 0, 2, 0, 1}, 10);
    expect_order((uint64_t[]){1, 1, 1, 1, 1, 5}, 6, (uint32_t[]){5, 0, 5, 1, 5, 2, 5, 3, 4, 5}, 10);
    /* a class with no item never appears, but counts in delta = 1/4: item 1: classes 1 and 2
     * are owed 2/3 and 1/3, due at items 2 and 3 -> 1; item 2: owed 1/3 and 2/3, both due at
     * item 3 -> the lower, 1; item 3: 2. One class takes everything. */
    expect_order((uint64_t[]){0, 2, 1}, 3, (uint32_t[]){1, 1, 2}, 3);
    expect_order((uint64_t[]){4}, 1, (uint32_t[]){0, 0, 0, 0}, 4);
    expect_order((uint64_t[]){0, 0}, 2, (uint32_t[]){0}, 0);
}
END_TEST

/* Equal counts come out as plain round robin (0, 1, ..., n-1, 0, ...), as plain entries of
 * ues.classes have it (u mod n). */
START_TEST(test_order_round_robin)
{
    for (size_t n = 1; n <= 9; n++)
        for (uint64_t each = 0; each <= 6; each++) {
            uint64_t counts[MAXN], picks[MAXN], total = each * n;
            for (size_t i = 0; i < n; i++)
                counts[i] = each;
            uint32_t order[64];
            ck_assert_int_eq(apportion_order(counts, n, order, picks), 0);
            for (uint64_t u = 0; u < total; u++)
                ck_assert_msg(order[u] == u % n, "n %zu, %llu each: item %llu has class %u", n,
                              (unsigned long long)each, (unsigned long long)u, order[u]);
        }
}
END_TEST

START_TEST(test_order_refuse)
{
    uint32_t order[4];
    uint64_t picks[2];
    ck_assert_int_eq(apportion_order((uint64_t[]){1}, 0, order, picks), -EINVAL);
    ck_assert_int_eq(apportion_order((uint64_t[]){(uint64_t)UINT32_MAX + 1, 0}, 2, order, picks),
                     -ERANGE);
    ck_assert_int_eq(apportion_order((uint64_t[]){UINT64_MAX, 2}, 2, order, picks), -ERANGE);
}
END_TEST

/* A random fraction vector of n entries in (0, 1] summing to 1: exponential spacings, some
 * made tiny so that classes with no UE occur. */
static void random_fractions(gsl_rng *g, size_t n, double *f)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        f[i] = -log(gsl_rng_uniform_pos(g));
        if (gsl_rng_uniform(g) < 0.2)
            f[i] *= 1e-3;
        sum += f[i];
    }
    for (size_t i = 0; i < n; i++)
        f[i] /= sum;
}

/* Properties for random fraction vectors: the counts sum to N exactly, each within one of its
 * quota, and an extra item never went to a smaller remainder than one denied; the order holds
 * each class exactly its count, and every prefix of t items gives class i within
 * 1 - 1/(2n - 2) of t c_i / N (within 2 of t f_i); the same input gives the same output. */
START_TEST(test_random_properties)
{
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, 2024);
    enum { MAXT = 3000 };
    uint32_t *order = malloc(MAXT * sizeof *order), *again = malloc(MAXT * sizeof *again);
    ck_assert(order && again);
    for (int trial = 0; trial < 2300; trial++) {
        size_t n = 1 + gsl_rng_uniform_int(g, 12);
        uint64_t total = gsl_rng_uniform_int(g, trial < 2000 ? 60 : MAXT);
        double f[MAXN];
        random_fractions(g, n, f);
        uint64_t c[MAXN], picks[MAXN], sum = 0;
        ck_assert_int_eq(apportion_counts(f, n, total, c), 0);
        double q[MAXN];
        for (size_t i = 0; i < n; i++) {
            sum += c[i];
            q[i] = f[i] * (double)total;
            ck_assert_msg(fabs((double)c[i] - q[i]) < 1 + 1e-9, "count %llu, quota %g",
                          (unsigned long long)c[i], q[i]);
        }
        ck_assert(sum == total);
        for (size_t i = 0; i < n; i++) /* i got an extra item, j did not */
            for (size_t j = 0; j < n; j++)
                if ((double)c[i] > q[i] + 1e-9 && (double)c[j] < q[j] - 1e-9)
                    ck_assert_msg(q[i] - floor(q[i]) >= q[j] - floor(q[j]) - 1e-9,
                                  "remainder %g got an item, %g did not", q[i] - floor(q[i]),
                                  q[j] - floor(q[j]));
        ck_assert_int_eq(apportion_order(c, n, order, picks), 0);
        uint64_t seen[MAXN] = {0};
        for (uint64_t t = 1; t <= total; t++) {
            ck_assert_uint_lt(order[t - 1], n);
            seen[order[t - 1]]++;
            for (size_t i = 0; i < n && n > 1; i++) {
                /* |p N - t c| (2n - 2) <= N (2n - 3), in integers */
                int64_t dev = (int64_t)(seen[i] * total) - (int64_t)(t * c[i]);
                uint64_t adev = (uint64_t)(dev < 0 ? -dev : dev);
                if (adev * (2 * n - 2) > total * (2 * n - 3) ||
                    !(fabs((double)seen[i] - (double)t * f[i]) < 2))
                    ck_abort_msg("n %zu N %llu: prefix %llu gives class %zu %llu items, owed %g "
                                 "(of the counts), %g (of the fractions)",
                                 n, (unsigned long long)total, (unsigned long long)t, i,
                                 (unsigned long long)seen[i], (double)(t * c[i]) / (double)total,
                                 (double)t * f[i]);
            }
        }
        for (size_t i = 0; i < n; i++)
            ck_assert(seen[i] == c[i] && picks[i] == c[i]);
        ck_assert_int_eq(apportion_order(c, n, again, picks), 0);
        for (uint64_t t = 0; t < total; t++)
            ck_assert_uint_eq(order[t], again[t]);
    }
    free(order);
    free(again);
    gsl_rng_free(g);
}
END_TEST

/* A million UEs in four classes: exact counts, and fast enough for a run's setup. */
START_TEST(test_large_fleet)
{
    const uint64_t total = 1000000;
    uint64_t c[4], picks[4];
    ck_assert_int_eq(apportion_counts((double[]){0.4, 0.3, 0.2, 0.1}, 4, total, c), 0);
    ck_assert(c[0] == 400000 && c[1] == 300000 && c[2] == 200000 && c[3] == 100000);
    uint32_t *order = malloc(total * sizeof *order);
    ck_assert_ptr_nonnull(order);
    ck_assert_int_eq(apportion_order(c, 4, order, picks), 0);
    uint64_t seen[4] = {0};
    for (uint64_t u = 0; u < total; u++)
        seen[order[u]]++;
    for (size_t i = 0; i < 4; i++)
        ck_assert(seen[i] == c[i]);
    /* every 10 UEs hold the mix exactly: 4, 3, 2, 1 */
    for (uint64_t u = 0; u < total; u += 10) {
        uint64_t k[4] = {0};
        for (uint64_t v = u; v < u + 10; v++)
            k[order[v]]++;
        ck_assert(k[0] == 4 && k[1] == 3 && k[2] == 2 && k[3] == 1);
    }
    free(order);
}
END_TEST

static Suite *apportion_suite(void)
{
    const TTest *const tests[] = {
        test_counts_by_hand, test_counts_refuse,     test_order_by_hand, test_order_round_robin,
        test_order_refuse,   test_random_properties, test_large_fleet,   NULL};
    return check_suite("apportion", "core", 60, tests);
}

CHECK_MAIN(apportion_suite)
