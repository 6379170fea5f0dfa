/* The built-in M/M/1 queue against queueing theory, and its recorded customers against the
 * Lindley recursion. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_cdf.h>

#include "check_main.h"
#include "h5read.h"
#include "models/mm1.h"
#include "sim/stats.h"

static void run_once(const struct mm1_params *p, struct mm1_summary *s, struct rec_table *out)
{
    struct sim sim;
    struct mm1 m;
    ck_assert_int_eq(sim_init(&sim, NULL, 16), 0);
    ck_assert_int_eq(mm1_init(&m, &sim, p, out), 0);
    ck_assert_int_eq(mm1_start(&m), 0);
    ck_assert_int_eq(sim_run(&sim, SIM_TIME_MAX, UINT64_MAX), SIM_STOP_EMPTY);
    ck_assert_int_eq(m.error, 0);
    mm1_summarize(&m, s);
    ck_assert_uint_eq(sim.processed, 2 * p->customers);
    mm1_release(&m);
    sim_release(&sim);
}

/*
 * R independent replications (stream key differs only in the replication number). Their
 * per-replication means are i.i.d., so the grand mean's 99.9 % Student-t interval is exact up
 * to normality of the means (tens of thousands of customers each), whatever the autocorrelation
 * within a run; the heavier load, being more autocorrelated, gets longer runs. Theory must lie inside it; and the interval must be narrow (< 4 % of theory), so the
 * check has the power to see a wrong model.
 */
static void check_theory(double lambda, double mu, uint64_t customers)
{
    enum { R = 30 };
    struct stats_running w = {0}, wq = {0}, pw = {0}, util = {0};
    for (uint32_t rep = 0; rep < R; rep++) {
        struct mm1_params p = {.arrival_rate = lambda, .service_rate = mu, .customers = customers + 2000,
                               .warmup = 2000, .seed = 11, .replication = rep};
        struct mm1_summary s;
        run_once(&p, &s, NULL);
        ck_assert_uint_eq(s.measured, customers);
        stats_running_add(&w, s.mean_time_in_system_s);
        stats_running_add(&wq, s.mean_wait_s);
        stats_running_add(&pw, s.prob_wait);
        stats_running_add(&util, s.utilisation);
    }
    double rho = lambda / mu;
    struct {
        const char *what;
        const struct stats_running *est;
        double theory;
    } checks[] = {
        {"time in system", &w, 1 / (mu - lambda)},
        {"wait", &wq, rho / (mu - lambda)},
        {"P(wait)", &pw, rho},
        {"utilisation", &util, rho},
    };
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
        double hw = stats_running_halfwidth(checks[i].est, 0.999);
        ck_assert_msg(fabs(checks[i].est->mean - checks[i].theory) < hw,
                      "rho %g, %s: simulated %g +- %g, theory %g", rho, checks[i].what,
                      checks[i].est->mean, hw, checks[i].theory);
        ck_assert_msg(hw < 0.04 * checks[i].theory, "rho %g, %s: interval %g too wide", rho,
                      checks[i].what, hw);
    }
}

START_TEST(test_theory_light_load)
{
    check_theory(0.5, 1.0, 20000);
}
END_TEST

START_TEST(test_theory_heavy_load)
{
    check_theory(8.0, 10.0, 60000);
}
END_TEST

START_TEST(test_batch_means_interval_covers)
{
    /* The single-run batch-means interval is reported in every summary: check it is sane. */
    struct mm1_params p = {.arrival_rate = 0.5, .service_rate = 1.0, .customers = 200000,
                           .warmup = 1000, .seed = 3};
    struct mm1_summary s;
    run_once(&p, &s, NULL);
    ck_assert(s.ci95_time_in_system_s > 0 && s.ci95_time_in_system_s < 0.1);
    ck_assert_msg(fabs(s.mean_time_in_system_s - 2.0) < 2 * s.ci95_time_in_system_s,
                  "mean %g +- %g", s.mean_time_in_system_s, s.ci95_time_in_system_s);
    ck_assert_double_eq_tol(s.theory_time_in_system_s, 2.0, 1e-12);
    ck_assert_double_eq_tol(s.theory_wait_s, 1.0, 1e-12);
}
END_TEST

START_TEST(test_same_seed_same_result)
{
    struct mm1_params p = {.arrival_rate = 0.8, .service_rate = 1.0, .customers = 5000,
                           .warmup = 100, .seed = 5};
    struct mm1_summary a, b, c;
    run_once(&p, &a, NULL);
    run_once(&p, &b, NULL);
    ck_assert(memcmp(&a, &b, sizeof a) == 0);
    p.replication = 1;
    run_once(&p, &c, NULL);
    ck_assert(a.mean_time_in_system_s != c.mean_time_in_system_s);
}
END_TEST

START_TEST(test_unstable_queue_has_no_theory)
{
    struct mm1_params p = {.arrival_rate = 2.0, .service_rate = 1.0, .customers = 1000,
                           .warmup = 0, .seed = 1};
    struct mm1_summary s;
    run_once(&p, &s, NULL);
    ck_assert(isnan(s.theory_time_in_system_s));
    ck_assert(s.mean_time_in_system_s > 10); /* the queue grows */
}
END_TEST

START_TEST(test_params_check)
{
    const char *why = NULL;
    struct mm1_params ok = {.arrival_rate = 1, .service_rate = 2, .customers = 10, .warmup = 0};
    ck_assert_int_eq(mm1_params_check(&ok, &why), 0);
    struct mm1_params bad = ok;
    bad.arrival_rate = 0;
    ck_assert_int_lt(mm1_params_check(&bad, &why), 0);
    ck_assert_ptr_nonnull(strstr(why, "arrival rate"));
    bad = ok;
    bad.service_rate = NAN;
    ck_assert_int_lt(mm1_params_check(&bad, &why), 0);
    bad = ok;
    bad.warmup = 10;
    ck_assert_int_lt(mm1_params_check(&bad, &why), 0);
    bad = ok;
    bad.customers = 0;
    ck_assert_int_lt(mm1_params_check(&bad, &why), 0);
    bad = ok;
    bad.service_rate = 1e7;
    ck_assert_int_lt(mm1_params_check(&bad, &why), 0);
}
END_TEST

/* Records to a file, reads it back and checks every customer against the Lindley recursion:
 * service starts at max(arrival, previous departure), FIFO; and common random numbers: a
 * faster server leaves the arrival times untouched. */
static int64_t *record(const char *path, double mu, size_t *n, int64_t **start, int64_t **dep)
{
    struct diag d;
    diag_init(&d);
    struct rec *r;
    ck_assert_int_eq(rec_open(&r, path, NULL, &d), 0);
    struct rec_table *t;
    ck_assert_int_eq(rec_table_create(r, "/customers", mm1_columns, mm1_column_count, &t), 0);
    struct mm1_params p = {.arrival_rate = 0.9, .service_rate = mu, .customers = 10000,
                           .warmup = 0, .seed = 8};
    struct mm1_summary s;
    run_once(&p, &s, t);
    ck_assert_int_eq(rec_close(r, true), 0);
    diag_release(&d);
    *start = h5_read_column(path, "/customers/service_start_ns", H5T_NATIVE_INT64, n);
    *dep = h5_read_column(path, "/customers/departure_ns", H5T_NATIVE_INT64, n);
    return h5_read_column(path, "/customers/arrival_ns", H5T_NATIVE_INT64, n);
}

START_TEST(test_recorded_customers)
{
    char path[] = "/tmp/splitsim-test-mm1-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(path));
    char *f1 = NULL, *f2 = NULL;
    ck_assert_int_gt(asprintf(&f1, "%s/mu1.h5", path), 0);
    ck_assert_int_gt(asprintf(&f2, "%s/mu2.h5", path), 0);
    size_t n = 0, n2 = 0;
    int64_t *start, *dep, *start2, *dep2;
    int64_t *arr = record(f1, 1.0, &n, &start, &dep);
    int64_t *arr2 = record(f2, 2.0, &n2, &start2, &dep2);
    ck_assert_uint_eq(n, 10000);
    ck_assert_uint_eq(n2, 10000);
    for (size_t i = 0; i < n; i++) {
        int64_t prev_dep = i ? dep[i - 1] : 0;
        ck_assert_int_eq(start[i], arr[i] > prev_dep ? arr[i] : prev_dep);
        ck_assert_int_gt(dep[i], start[i] - 1);
        ck_assert_int_eq(arr[i], arr2[i]);
    }
    ck_assert(dep[n - 1] != dep2[n - 1]);
    free(arr), free(start), free(dep), free(arr2), free(start2), free(dep2);
    unlink(f1);
    unlink(f2);
    rmdir(path);
    free(f1);
    free(f2);
}
END_TEST

static Suite *mm1_suite(void)
{
    Suite *s = suite_create("mm1");
    TCase *tc = tcase_create("theory");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_theory_light_load);
    tcase_add_test(tc, test_theory_heavy_load);
    tcase_add_test(tc, test_batch_means_interval_covers);
    suite_add_tcase(s, tc);
    TCase *tm = tcase_create("model");
    tcase_set_timeout(tm, 30);
    tcase_add_test(tm, test_same_seed_same_result);
    tcase_add_test(tm, test_unstable_queue_has_no_theory);
    tcase_add_test(tm, test_params_check);
    tcase_add_test(tm, test_recorded_customers);
    suite_add_tcase(s, tm);
    return s;
}

CHECK_MAIN(mm1_suite)
