/* Shared uplink: equal sharing is the M/M/1 processor-sharing queue (mean transfer time
 * (S/C)/(1 - rho), and E[T | x] = (x/C)/(1 - rho), so T/x has mean 1/(C (1 - rho))); a fixed
 * share gives every transfer x / (share C). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "models/radio/cell.h"
#include "sim/rng.h"
#include "sim/stats.h"

struct driver {
    struct cell cell;
    struct rng arrivals, sizes;
    double lambda, mean_bits;
    uint64_t sent, target, delivered;
    double *size; /* by transfer id */
    struct stats_running t, t_per_bit;
    int64_t warmup;
};

static void delivered(struct sim *sim, void *ctx, uint64_t id, int64_t start)
{
    struct driver *dr = ctx;
    double t = (double)(sim_now(sim) - start) * 1e-9;
    dr->delivered++;
    if (start >= dr->warmup) {
        stats_running_add(&dr->t, t);
        stats_running_add(&dr->t_per_bit, t / dr->size[id]);
    }
}

static void arrival(struct sim *sim, void *obj, uint64_t data)
{
    (void)data;
    struct driver *dr = obj;
    uint64_t id = dr->sent++;
    dr->size[id] = rng_exponential(&dr->sizes, dr->mean_bits);
    ck_assert_int_eq(cell_start(&dr->cell, id, dr->size[id], 1.0, delivered, dr), 0);
    if (dr->sent < dr->target)
        sim_schedule_in(sim, rng_exponential_ns(&dr->arrivals, 1e9 / dr->lambda), 0, arrival, dr,
                        0);
}

static void run_ps(uint32_t rep, enum cell_sharing sharing, double share, struct driver *dr)
{
    struct sim sim;
    ck_assert_int_eq(sim_init(&sim, NULL, 16), 0);
    dr->lambda = 8;      /* transfers per second */
    dr->mean_bits = 1e5; /* 100 kbit */
    dr->target = 30000;
    dr->sent = dr->delivered = 0;
    dr->t = (struct stats_running){0};
    dr->t_per_bit = (struct stats_running){0};
    dr->warmup = 100 * 1000000000LL;
    dr->size = malloc(dr->target * sizeof *dr->size);
    ck_assert_int_eq(cell_init(&dr->cell, &sim, 1e6, sharing, share), 0); /* C = 1 Mbit/s */
    rng_init(&dr->arrivals, 21, rep, RNG_KIND_ARRIVAL, 0);
    rng_init(&dr->sizes, 21, rep, RNG_KIND_WORKLOAD, 0);
    sim_schedule(&sim, 0, 0, arrival, dr, 0);
    ck_assert_int_eq(sim_run(&sim, SIM_TIME_MAX, UINT64_MAX), SIM_STOP_EMPTY);
    ck_assert_uint_eq(dr->delivered, dr->target);
    ck_assert_uint_eq(dr->cell.nactive, 0);
    rng_release(&dr->arrivals);
    rng_release(&dr->sizes);
    cell_release(&dr->cell);
    sim_release(&sim);
    free(dr->size);
}

START_TEST(test_processor_sharing_theory)
{
    /* rho = 8 /s x 1e5 bit / 1e6 bit/s = 0.8 */
    enum { R = 20 };
    struct stats_running mean_t = {0}, mean_tpb = {0};
    for (uint32_t rep = 0; rep < R; rep++) {
        struct driver dr;
        run_ps(rep, CELL_SHARE_EQUAL, 0, &dr);
        stats_running_add(&mean_t, dr.t.mean);
        stats_running_add(&mean_tpb, dr.t_per_bit.mean);
    }
    double theory_t = (1e5 / 1e6) / (1 - 0.8), theory_tpb = 1 / (1e6 * (1 - 0.8));
    double hw = stats_running_halfwidth(&mean_t, 0.999);
    ck_assert_msg(fabs(mean_t.mean - theory_t) < hw, "mean transfer time %g +- %g, theory %g",
                  mean_t.mean, hw, theory_t);
    ck_assert(hw < 0.05 * theory_t);
    double hw2 = stats_running_halfwidth(&mean_tpb, 0.999);
    ck_assert_msg(fabs(mean_tpb.mean - theory_tpb) < hw2, "T/x %g +- %g, theory %g", mean_tpb.mean,
                  hw2, theory_tpb);
    ck_assert(hw2 < 0.05 * theory_tpb);
}
END_TEST

START_TEST(test_fixed_share_is_independent)
{
    struct driver dr;
    run_ps(0, CELL_SHARE_FIXED, 0.25, &dr);
    /* every transfer takes x / (0.25 x 1 Mbit/s), rounded up to the ns */
    ck_assert_double_eq_tol(dr.t_per_bit.mean, 4e-6, 1e-9);
    ck_assert(sqrt(stats_running_variance(&dr.t_per_bit)) < 1e-9);
}
END_TEST

struct finish_times {
    int64_t at[3];
};

static void record_finish(struct sim *sim, void *ctx, uint64_t id, int64_t start)
{
    (void)start;
    ((struct finish_times *)ctx)->at[id] = sim_now(sim);
}

static void start_late(struct sim *sim, void *obj, uint64_t data)
{
    (void)sim;
    ck_assert_int_eq(cell_start(obj, 1, 1e6, 2.0, record_finish, (void *)(uintptr_t)data), 0);
}

/*
 * Two saturated UEs each get half: 1 Mbit at 2 bit/s/Hz over 1 MHz takes 0.5 s alone. Started
 * together, two such transfers each drain at 1 Mbit/s and both finish at 1 s. When the second
 * starts 0.25 s after the first, the first has 0.5 Mbit left and finishes at 0.25 + 0.5 = 0.75 s;
 * the second then has 0.5 Mbit left and finishes alone at 0.75 + 0.25 = 1.0 s.
 */
START_TEST(test_two_saturated_transfers_each_get_half)
{
    struct sim sim;
    struct cell c;
    struct finish_times ft = {{0}};
    ck_assert_int_eq(sim_init(&sim, NULL, 16), 0);
    ck_assert_int_eq(cell_init(&c, &sim, 1e6, CELL_SHARE_EQUAL, 0), 0);
    ck_assert_int_eq(cell_start(&c, 0, 1e6, 2.0, record_finish, &ft), 0);
    ck_assert_double_eq(cell_rate(&c, 2.0), 2e6);
    ck_assert_int_eq(cell_start(&c, 1, 1e6, 2.0, record_finish, &ft), 0);
    ck_assert_double_eq(cell_rate(&c, 2.0), 1e6); /* half each */
    sim_run(&sim, SIM_TIME_MAX, UINT64_MAX);
    ck_assert_int_eq(ft.at[0], SIM_S);
    ck_assert_int_eq(ft.at[1], SIM_S);
    cell_release(&c);
    sim_release(&sim);

    ck_assert_int_eq(sim_init(&sim, NULL, 16), 0);
    ck_assert_int_eq(cell_init(&c, &sim, 1e6, CELL_SHARE_EQUAL, 0), 0);
    memset(&ft, 0, sizeof ft);
    ck_assert_int_eq(cell_start(&c, 0, 1e6, 2.0, record_finish, &ft), 0);
    struct cell *cp = &c;
    (void)cp;
    sim_schedule(&sim, SIM_S / 4, 0, start_late, &c, (uint64_t)(uintptr_t)&ft);
    sim_run(&sim, SIM_TIME_MAX, UINT64_MAX);
    ck_assert_int_le(llabs(ft.at[0] - 3 * SIM_S / 4), 1);
    ck_assert_int_le(llabs(ft.at[1] - SIM_S), 1);
    cell_release(&c);
    sim_release(&sim);
}
END_TEST

static Suite *cell_suite(void)
{
    Suite *s = suite_create("cell");
    TCase *tc = tcase_create("theory");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_processor_sharing_theory);
    tcase_add_test(tc, test_fixed_share_is_independent);
    tcase_add_test(tc, test_two_saturated_transfers_each_get_half);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(cell_suite)
