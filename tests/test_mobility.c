/* Mobility: static and random-waypoint UEs; positions in the cell, speeds within bounds, the
 * same path whatever the query times, and the uniform initial placement. */
#include <math.h>

#include "check_main.h"
#include "models/radio/mobility.h"

static const struct mobility_params rwp = {.radius_m = 500,
                                           .moving = true,
                                           .speed_min_mps = 1,
                                           .speed_max_mps = 3,
                                           .pause_ns = 2000000000};

START_TEST(test_inside_and_speed)
{
    struct mobility m;
    ck_assert_int_eq(mobility_init(&m, &rwp, 1, 0, 4), 0);
    double px, py;
    mobility_position(&m, &rwp, 0, &px, &py);
    for (int64_t t = 100000000; t < 3600 * 1000000000LL; t += 100000000) { /* every 0.1 s, 1 h */
        double x, y;
        mobility_position(&m, &rwp, t, &x, &y);
        ck_assert(hypot(x, y) <= 500 + 1e-9);
        double v = hypot(x - px, y - py) / 0.1;
        ck_assert_msg(v <= 3 + 1e-6, "speed %g", v);
        px = x, py = y;
    }
    mobility_release(&m);
}
END_TEST

/* The path does not depend on when it is asked about. */
START_TEST(test_query_pattern_independent)
{
    struct mobility a, b;
    mobility_init(&a, &rwp, 7, 0, 1);
    mobility_init(&b, &rwp, 7, 0, 1);
    for (int64_t t = 0; t < 2000 * 1000000000LL; t += 37000000) {
        double xa, ya;
        mobility_position(&a, &rwp, t, &xa, &ya);
        if (t % (37000000LL * 50) == 0) {
            double xb, yb;
            mobility_position(&b, &rwp, t, &xb, &yb);
            ck_assert(xa == xb && ya == yb);
        }
    }
    mobility_release(&a);
    mobility_release(&b);
}
END_TEST

/* Initial placement is uniform in the disc: P(r < R/2) = 1/4, mean r = 2R/3. */
START_TEST(test_uniform_placement)
{
    struct mobility_params st = {.radius_m = 100};
    enum { N = 40000 };
    int inner = 0;
    double sum = 0;
    for (int i = 0; i < N; i++) {
        struct mobility m;
        mobility_init(&m, &st, 3, 0, (uint64_t)i);
        double r = mobility_distance(&m, &st, 0);
        ck_assert(mobility_distance(&m, &st, 1000000000000LL) == r); /* static */
        inner += r < 50;
        sum += r;
        mobility_release(&m);
    }
    ck_assert(fabs((double)inner / N - 0.25) < 5 * sqrt(0.25 * 0.75 / N));
    /* sd of r is R/sqrt(18) */
    ck_assert(fabs(sum / N - 200.0 / 3) < 5 * (100 / sqrt(18.0)) / sqrt(N));
}
END_TEST

START_TEST(test_params)
{
    struct mobility_params p = rwp;
    ck_assert_ptr_null(mobility_params_check(&p));
    p.speed_min_mps = 0;
    ck_assert_ptr_nonnull(mobility_params_check(&p));
    p = rwp;
    p.speed_max_mps = 0.5;
    ck_assert_ptr_nonnull(mobility_params_check(&p));
    p = rwp;
    p.radius_m = 0;
    ck_assert_ptr_nonnull(mobility_params_check(&p));
}
END_TEST

static Suite *mobility_suite(void)
{
    Suite *s = suite_create("mobility");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_inside_and_speed);
    tcase_add_test(tc, test_query_pattern_independent);
    tcase_add_test(tc, test_uniform_placement);
    tcase_add_test(tc, test_params);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(mobility_suite)
