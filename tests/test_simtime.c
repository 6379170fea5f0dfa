/* Simulated-time arithmetic: exact where the value fits, saturating (never overflowing, never
 * wrapping negative) where it does not, NaN included. */
#include <math.h>
#include <stdint.h>

#include "check_main.h"
#include "sim/simtime.h"

START_TEST(test_round_exact_in_range)
{
    ck_assert_int_eq(sim_time_round(0.0), 0);
    ck_assert_int_eq(sim_time_round(0.5), 1);
    ck_assert_int_eq(sim_time_round(1.49), 1);
    ck_assert_int_eq(sim_time_round(-0.5), -1);
    ck_assert_int_eq(sim_time_round(1e18), INT64_C(1000000000000000000));
    /* the largest double below 2^63 converts exactly */
    ck_assert_int_eq(sim_time_round(0x1p63 - 1024), INT64_MAX - 1023);
    ck_assert_int_eq(sim_time_trunc(2.999), 2);
    ck_assert_int_eq(sim_time_trunc(-2.999), -2);
    ck_assert_int_eq(sim_time_from_s(1.5), INT64_C(1500000000));
    ck_assert_int_eq(sim_time_from_s(1e9), INT64_C(1000000000) * INT64_C(1000000000));
}
END_TEST

START_TEST(test_saturates_beyond_int64)
{
    const double huge[] = {0x1p63, 1e19, 1e300, INFINITY, NAN};
    for (size_t i = 0; i < sizeof huge / sizeof huge[0]; i++) {
        ck_assert_int_eq(sim_time_round(huge[i]), SIM_TIME_MAX);
        ck_assert_int_eq(sim_time_trunc(huge[i]), SIM_TIME_MAX);
    }
    ck_assert_int_eq(sim_time_from_s(1e10), SIM_TIME_MAX); /* 317 years */
    ck_assert_int_eq(sim_time_round(-1e300), -SIM_TIME_MAX);
    ck_assert_int_eq(sim_time_trunc(-INFINITY), -SIM_TIME_MAX);
}
END_TEST

START_TEST(test_add_saturates)
{
    ck_assert_int_eq(sim_time_add(5, 7), 12);
    ck_assert_int_eq(sim_time_add(SIM_TIME_MAX - 10, 10), SIM_TIME_MAX);
    ck_assert_int_eq(sim_time_add(SIM_TIME_MAX - 10, 11), SIM_TIME_MAX);
    ck_assert_int_eq(sim_time_add(1, SIM_TIME_MAX), SIM_TIME_MAX);
    ck_assert_int_eq(sim_time_add(SIM_TIME_MAX, SIM_TIME_MAX), SIM_TIME_MAX);
    ck_assert_int_eq(sim_time_add(0, 0), 0);
}
END_TEST

static Suite *simtime_suite(void)
{
    Suite *s = suite_create("simtime");
    TCase *tc = tcase_create("arithmetic");
    tcase_add_test(tc, test_round_exact_in_range);
    tcase_add_test(tc, test_saturates_beyond_int64);
    tcase_add_test(tc, test_add_saturates);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(simtime_suite)
