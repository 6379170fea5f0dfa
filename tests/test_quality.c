/* The assumed quality model: its stated shape. */
#include <math.h>
#include <string.h>

#include "check_main.h"
#include "models/llm/quality.h"

START_TEST(test_shape)
{
    const struct quality_model *q = &quality_default;
    ck_assert(strstr(q->source, "ASSUMPTION") != NULL);
    /* no loss without erasures, for tokens sent (k = 0) and with nothing sent (k = L) */
    ck_assert(quality_ratio(q, 32, 5, 0, QUALITY_FP16) == 1);
    ck_assert(quality_ratio(q, 32, 0, 0.3, QUALITY_FP16) == 1);
    ck_assert(quality_ratio(q, 32, 32, 0.3, QUALITY_FP16) == 1);
    /* superlinear in e: doubling e more than doubles the log-harm */
    double h1 = log(quality_ratio(q, 32, 4, 0.1, QUALITY_FP16));
    double h2 = log(quality_ratio(q, 32, 4, 0.2, QUALITY_FP16));
    ck_assert(h2 > 2 * h1);
    /* monotone: more erasure never helps; a deeper cut never hurts more */
    for (uint32_t k = 1; k < 32; k++)
        for (double e = 0; e < 1; e += 0.05) {
            double r = quality_ratio(q, 32, k, e, QUALITY_FP16);
            ck_assert(r >= 1);
            ck_assert(quality_ratio(q, 32, k, e + 0.05, QUALITY_FP16) >= r);
            if (k > 1)
                ck_assert(r <= quality_ratio(q, 32, k - 1, e, QUALITY_FP16));
        }
    /* the paper's range: e = 0.3 after block 1 is severe, after block 10 mild */
    ck_assert(quality_ratio(q, 32, 1, 0.3, QUALITY_FP16) > 10);
    ck_assert(quality_ratio(q, 32, 10, 0.3, QUALITY_FP16) < 3);
    /* precision penalties */
    ck_assert_double_eq_tol(quality_ratio(q, 32, 3, 0, QUALITY_INT8), 1.002, 1e-12);
    ck_assert_double_eq_tol(quality_ratio(q, 32, 3, 0, QUALITY_INT4), 1.05, 1e-12);
}
END_TEST

static Suite *quality_suite(void)
{
    Suite *s = suite_create("quality");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_shape);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(quality_suite)
