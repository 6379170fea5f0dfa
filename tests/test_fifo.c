/* The built-in edge queue against queueing theory (M/M/1, M/D/1), and its recorded requests
 * against the Lindley recursion. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "h5read.h"
#include "models/edge/fifo.h"
#include "sim/stats.h"

static struct fifo_params scenario(uint32_t ues, double rate, int arrival, int service,
                                   double service_time, double duration, double warmup)
{
    return (struct fifo_params){.nues = ues,
                                .rate_per_s = rate,
                                .poisson_arrivals = arrival == SCN_ARRIVAL_POISSON,
                                .exponential_service = service == SCN_SERVICE_EXPONENTIAL,
                                .service_time_s = service_time,
                                .duration_s = duration,
                                .warmup_s = warmup,
                                .seed = 11};
}

static uint64_t run_once(const struct fifo_params *s, uint32_t rep, struct fifo_summary *sum,
                         struct rec_table *out)
{
    struct sim sim;
    struct fifo m;
    ck_assert_int_eq(sim_init(&sim, NULL, 16), 0);
    ck_assert_int_eq(fifo_init(&m, &sim, s, rep, out), 0);
    ck_assert_int_eq(sim_run(&sim, SIM_TIME_MAX, UINT64_MAX), SIM_STOP_EMPTY);
    ck_assert_int_eq(m.error, 0);
    fifo_summarize(&m, sum);
    ck_assert_uint_eq(sim.processed, 2 * sum->requests); /* one arrival, one departure each */
    uint64_t events = sim.processed;
    fifo_release(&m);
    sim_release(&sim);
    return events;
}

/*
 * R independent replications; their per-replication means are i.i.d., so the grand mean's
 * 99.9 % Student-t interval is exact up to normality of the means (tens of thousands of requests
 * each), whatever the autocorrelation within a run. Theory must lie inside it, and the interval
 * must be narrow (< 4 % of theory), so the check has the power to see a wrong model.
 */
static void check_theory(const struct fifo_params *s)
{
    enum { R = 30 };
    struct fifo_theory th;
    fifo_theory(s, &th);
    struct stats_running w = {0}, wq = {0}, pw = {0}, util = {0};
    for (uint32_t rep = 0; rep < R; rep++) {
        struct fifo_summary sum;
        run_once(s, rep, &sum, NULL);
        stats_running_add(&w, sum.mean_time_in_system_s);
        stats_running_add(&wq, sum.mean_wait_s);
        stats_running_add(&pw, sum.prob_wait);
        stats_running_add(&util, sum.utilisation);
    }
    struct {
        const char *what;
        const struct stats_running *est;
        double theory;
    } checks[] = {
        {"time in system", &w, th.time_in_system_s},
        {"wait", &wq, th.wait_s},
        {"P(wait)", &pw, th.prob_wait},
        {"utilisation", &util, th.rho},
    };
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
        double hw = stats_running_halfwidth(checks[i].est, 0.999);
        ck_assert_msg(isfinite(checks[i].theory), "%s: no theory", checks[i].what);
        ck_assert_msg(fabs(checks[i].est->mean - checks[i].theory) < hw,
                      "rho %g, %s: simulated %g +- %g, theory %g", th.rho, checks[i].what,
                      checks[i].est->mean, hw, checks[i].theory);
        ck_assert_msg(hw < 0.04 * checks[i].theory, "rho %g, %s: interval %g too wide", th.rho,
                      checks[i].what, hw);
    }
}

/* Poisson arrivals where theory holds: UEs, rate per UE, service, its time, duration, warm-up. */
static const struct {
    uint32_t ues;
    double rate;
    int service;
    double service_time, duration, warmup;
} theory_cases[] = {
    /* M/M/1, light: 5 UEs x 0.1 /s = 0.5 /s, service 1 s: rho 0.5, W = 2 s; ~20,000 requests a
     * run */
    {5, 0.1, SCN_SERVICE_EXPONENTIAL, 1.0, 41000, 1000},
    /* M/M/1, heavy: one UE at 8 /s, service 0.1 s: rho 0.8, W = 0.5 s; ~60,000 requests a run */
    {1, 8.0, SCN_SERVICE_EXPONENTIAL, 0.1, 7750, 250},
    /* M/D/1 (Pollaczek-Khinchine): 100 UEs x 0.007 /s = 0.7 /s, fixed 1 s: Wq = 0.7 / (2 x 0.3)
     * = 1.1667 s (test_theory_formulas) */
    {100, 0.007, SCN_SERVICE_DETERMINISTIC, 1.0, 31000, 1000},
};

START_TEST(test_simulation_meets_theory)
{
    struct fifo_params s = scenario(
        theory_cases[_i].ues, theory_cases[_i].rate, SCN_ARRIVAL_POISSON, theory_cases[_i].service,
        theory_cases[_i].service_time, theory_cases[_i].duration, theory_cases[_i].warmup);
    check_theory(&s);
}
END_TEST

START_TEST(test_theory_formulas)
{
    struct fifo_params s =
        scenario(8, 0.1, SCN_ARRIVAL_POISSON, SCN_SERVICE_EXPONENTIAL, 1.0, 100, 0);
    struct fifo_theory th;
    fifo_theory(&s, &th);
    ck_assert_double_eq_tol(th.lambda, 0.8, 1e-12);
    ck_assert_double_eq_tol(th.rho, 0.8, 1e-12);
    ck_assert_double_eq_tol(th.time_in_system_s, 5.0, 1e-12);
    ck_assert_double_eq_tol(th.wait_s, 4.0, 1e-12);
    s.poisson_arrivals = false;
    fifo_theory(&s, &th);
    ck_assert(isnan(th.time_in_system_s));
    s.poisson_arrivals = true;
    s.nues = 20; /* rho 2 */
    fifo_theory(&s, &th);
    ck_assert(isnan(th.wait_s));
    /* M/D/1 (Pollaczek-Khinchine): 100 UEs x 0.007 /s = 0.7 /s, fixed 1 s: Wq = 0.7 / (2 x 0.3) */
    s = scenario(100, 0.007, SCN_ARRIVAL_POISSON, SCN_SERVICE_DETERMINISTIC, 1.0, 31000, 1000);
    fifo_theory(&s, &th);
    ck_assert_double_eq_tol(th.wait_s, 0.7 / 0.6, 1e-12);
    ck_assert_double_eq_tol(th.time_in_system_s, 0.7 / 0.6 + 1, 1e-12);
}
END_TEST

/* Runs replication 0 of s and returns its summary. */
static struct fifo_summary summary(struct fifo_params s)
{
    struct fifo_summary sum;
    run_once(&s, 0, &sum, NULL);
    return sum;
}

START_TEST(test_periodic_single_ue_never_waits)
{
    /* One UE every 2 s, fixed service 1 s: D/D/1, no one ever waits. */
    struct fifo_summary sum =
        summary(scenario(1, 0.5, SCN_ARRIVAL_PERIODIC, SCN_SERVICE_DETERMINISTIC, 1.0, 1000, 0));
    ck_assert_uint_eq(sum.requests, 500);
    ck_assert(sum.prob_wait == 0);
    ck_assert_double_eq_tol(sum.mean_time_in_system_s, 1.0, 1e-12);
    ck_assert_double_eq_tol(sum.utilisation, 0.5, 0.002);
}
END_TEST

START_TEST(test_same_seed_same_result)
{
    struct fifo_params s =
        scenario(4, 0.2, SCN_ARRIVAL_POISSON, SCN_SERVICE_EXPONENTIAL, 1.0, 5000, 100);
    struct fifo_summary a, b, c;
    run_once(&s, 0, &a, NULL);
    run_once(&s, 0, &b, NULL);
    ck_assert_uint_eq(a.requests, b.requests);
    ck_assert(a.mean_time_in_system_s == b.mean_time_in_system_s);
    ck_assert(a.mean_wait_s == b.mean_wait_s);
    ck_assert(a.utilisation == b.utilisation);
    ck_assert(a.end_time_s == b.end_time_s);
    run_once(&s, 1, &c, NULL);
    ck_assert(a.mean_time_in_system_s != c.mean_time_in_system_s);
}
END_TEST

/* `got` arrivals of n UEs, each arriving with probability p: within 4.5 standard deviations of a
 * Binomial(n, p)'s mean. */
static void binomial(const char *what, uint64_t got, uint64_t n, double p)
{
    double sd = sqrt((double)n * p * (1 - p));
    ck_assert_msg(fabs((double)got - (double)n * p) < 4.5 * sd,
                  "%s: %llu arrivals, expected %.0f +- %.0f", what, (unsigned long long)got,
                  (double)n * p, sd);
}

/*
 * Arrival rates so low that the mean gap does not fit in int64 nanoseconds: the run must not
 * abort, and arrivals still follow the law. With rate r per UE over [0, T), the number of
 * first arrivals of N Poisson UEs is Binomial(N, 1 - exp(-r T)) (a second one in 1e9 s is
 * negligible at r T = 0.1); periodic UEs arrive at a uniform phase of the period 1/r, so
 * Binomial(N, r T). At r = 1e-12 /s nothing arrives and the server stays idle.
 */
START_TEST(test_rare_arrivals)
{
    const double rate = 1e-10, T = 1e9; /* mean gap 1e19 ns > 2^63 ns */
    const uint64_t n = 20000;
    struct fifo_summary sum =
        summary(scenario(n, rate, SCN_ARRIVAL_POISSON, SCN_SERVICE_DETERMINISTIC, 1e-3, T, 0));
    binomial("poisson", sum.requests, n, -expm1(-rate * T));
    sum = summary(scenario(n, rate, SCN_ARRIVAL_PERIODIC, SCN_SERVICE_DETERMINISTIC, 1e-3, T, 0));
    binomial("periodic", sum.requests, n, rate * T);
    for (int arrival = SCN_ARRIVAL_POISSON; arrival <= SCN_ARRIVAL_PERIODIC; arrival++) {
        sum = summary(scenario(8, 1e-12, arrival, SCN_SERVICE_EXPONENTIAL, 1.0, 3600, 0));
        ck_assert_uint_eq(sum.requests, 0);
        ck_assert(isnan(sum.mean_time_in_system_s));
        ck_assert_double_eq(sum.utilisation, 0);
    }
}
END_TEST

START_TEST(test_unstable_queue_grows)
{
    struct fifo_summary sum =
        summary(scenario(20, 0.1, SCN_ARRIVAL_POISSON, SCN_SERVICE_EXPONENTIAL, 1.0, 2000, 0));
    ck_assert(sum.mean_time_in_system_s > 100);
    ck_assert(sum.utilisation > 0.95);
}
END_TEST

/*
 * The within-run interval takes its batches from the data: at rho = 0.5 over 20,000 requests
 * (correlation time a few requests) it is valid with 10-20 batches of whole groups and holds
 * the theory; at rho = 0.95 over 2,000 s (19,000 requests, correlation time ~1,500 requests)
 * the batch means stay correlated and the run is called too short.
 */
START_TEST(test_interval_from_the_data)
{
    struct fifo_params s =
        scenario(5, 0.1, SCN_ARRIVAL_POISSON, SCN_SERVICE_EXPONENTIAL, 1.0, 41000, 1000);
    struct fifo_summary sum;
    run_once(&s, 0, &sum, NULL);
    ck_assert(!sum.interval_short);
    ck_assert_uint_ge(sum.batches, 10);
    ck_assert_uint_le(sum.batches, 20);
    ck_assert_uint_eq(sum.batch_size % FIFO_GROUP, 0);
    ck_assert_uint_le(sum.batches * sum.batch_size, sum.measured);
    ck_assert_uint_gt(2 * sum.batches * sum.batch_size, sum.measured);
    ck_assert(isfinite(sum.batch_lag1) && fabs(sum.batch_lag1) < 1);
    ck_assert(sum.ci95_time_in_system_s > 0 && sum.ci95_time_in_system_s < 0.2);
    ck_assert(sum.ci95_wait_s > 0 && sum.ci95_wait_s < 0.2);
    ck_assert_uint_eq(sum.truncated, 0);
    ck_assert(!sum.warmup_short);
    ck_assert(sum.stats_start_s >= 1000 && sum.stats_start_s < 1010);
    ck_assert_ptr_null(fifo_warning(&sum, 1));

    s = scenario(1, 9.5, SCN_ARRIVAL_POISSON, SCN_SERVICE_EXPONENTIAL, 0.1, 2000, 0);
    run_once(&s, 0, &sum, NULL);
    ck_assert(sum.interval_short);
    ck_assert_uint_eq(sum.batches, 10);
    ck_assert(isfinite(sum.ci95_time_in_system_s));
    char *w = fifo_warning(&sum, 1);
    ck_assert_ptr_nonnull(w);
    ck_assert_ptr_nonnull(strstr(w, "the run is too short for a valid batch-means interval"));
    free(w);
    struct fifo_summary two[2] = {sum, sum};
    two[0].interval_short = false;
    two[1].replication = 7;
    w = fifo_warning(two, 2);
    ck_assert_ptr_nonnull(strstr(w, "replication(s) 7 (1 of 2) too short"));
    free(w);
}
END_TEST

/*
 * analysis.warmup: mser5. The requests MSER-5 leaves out are exactly the difference in
 * `measured` from the same run without it; the statistics then start later. An overloaded
 * queue (rho = 1.5) never settles: MSER-5 meets its limit, half the measured groups.
 */
START_TEST(test_mser_warmup)
{
    struct fifo_params s =
        scenario(1, 9.0, SCN_ARRIVAL_POISSON, SCN_SERVICE_EXPONENTIAL, 0.1, 4000, 0);
    struct fifo_summary plain, cut;
    run_once(&s, 0, &plain, NULL);
    s.mser = true;
    run_once(&s, 0, &cut, NULL);
    ck_assert_uint_eq(plain.requests, cut.requests);
    ck_assert_uint_eq(plain.truncated, 0);
    ck_assert_uint_eq(cut.truncated % FIFO_GROUP, 0);
    ck_assert_uint_eq(cut.measured + cut.truncated, plain.measured);
    ck_assert(cut.truncated < plain.measured / 2);
    if (cut.truncated)
        ck_assert(cut.stats_start_s > plain.stats_start_s);
    ck_assert(!cut.warmup_short);

    s = scenario(1, 15.0, SCN_ARRIVAL_POISSON, SCN_SERVICE_EXPONENTIAL, 0.1, 2000, 0);
    s.mser = true;
    run_once(&s, 0, &cut, NULL);
    ck_assert(cut.warmup_short);
    ck_assert_uint_eq(cut.truncated, (cut.measured + cut.truncated) / FIFO_GROUP / 2 * FIFO_GROUP);
    char *w = fifo_warning(&cut, 1);
    ck_assert_ptr_nonnull(strstr(w, "MSER-5 found no end of the warm-up"));
    free(w);
}
END_TEST

/* Records to a file and checks every request against the Lindley recursion (service starts at
 * max(arrival, previous departure), FIFO); and common random numbers: a faster server and an
 * extra UE leave the other UEs' arrival times untouched. */
static int64_t *record(const char *path, const struct fifo_params *s, size_t *n, int64_t **start,
                       int64_t **dep, int64_t **ue)
{
    struct diag d;
    diag_init(&d);
    struct rec *r;
    ck_assert_int_eq(rec_open(&r, path, NULL, &d), 0);
    struct rec_table *t;
    ck_assert_int_eq(
        rec_table_create(r, "/requests", fifo_request_columns, fifo_request_column_count, &t), 0);
    struct fifo_summary sum;
    run_once(s, 0, &sum, t);
    ck_assert_int_eq(rec_close(r, true), 0);
    diag_release(&d);
    *start = h5_read_column(path, "/requests/service_start_ns", H5T_NATIVE_INT64, n);
    *dep = h5_read_column(path, "/requests/departure_ns", H5T_NATIVE_INT64, n);
    *ue = h5_read_column(path, "/requests/ue", H5T_NATIVE_INT64, n);
    return h5_read_column(path, "/requests/arrival_ns", H5T_NATIVE_INT64, n);
}

START_TEST(test_recorded_requests)
{
    char dir[] = "/tmp/splitsim-test-fifo-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char *f1 = NULL, *f2 = NULL;
    ck_assert_int_gt(asprintf(&f1, "%s/a.h5", dir), 0);
    ck_assert_int_gt(asprintf(&f2, "%s/b.h5", dir), 0);
    struct fifo_params s1 =
        scenario(3, 0.3, SCN_ARRIVAL_POISSON, SCN_SERVICE_EXPONENTIAL, 1.0, 3000, 0);
    struct fifo_params s2 = s1;
    s2.service_time_s = 0.5;
    s2.nues = 4;
    size_t n1 = 0, n2 = 0;
    int64_t *start, *dep, *ue, *start2, *dep2, *ue2;
    int64_t *arr = record(f1, &s1, &n1, &start, &dep, &ue);
    int64_t *arr2 = record(f2, &s2, &n2, &start2, &dep2, &ue2);
    ck_assert_uint_gt(n1, 2000);
    /* Requests are recorded at departure, which is arrival order under FIFO. */
    for (size_t i = 0; i < n1; i++) {
        int64_t prev_dep = i ? dep[i - 1] : 0;
        ck_assert_int_eq(start[i], arr[i] > prev_dep ? arr[i] : prev_dep);
        ck_assert_int_ge(dep[i], start[i]);
        if (i)
            ck_assert_int_ge(arr[i], arr[i - 1]);
        ck_assert_int_lt(arr[i], (int64_t)3000e9);
    }
    /* UE 0..2's arrival times are the same in both runs (their own streams). */
    for (int64_t u = 0; u < 3; u++) {
        size_t i = 0, j = 0;
        for (;;) {
            while (i < n1 && ue[i] != u)
                i++;
            while (j < n2 && ue2[j] != u)
                j++;
            if (i == n1 || j == n2)
                break;
            ck_assert_int_eq(arr[i], arr2[j]);
            i++, j++;
        }
        ck_assert(i == n1 && j == n2);
    }
    free(arr), free(start), free(dep), free(ue);
    free(arr2), free(start2), free(dep2), free(ue2);
    unlink(f1);
    unlink(f2);
    rmdir(dir);
    free(f1);
    free(f2);
}
END_TEST

static Suite *fifo_suite(void)
{
    Suite *s = suite_create("fifo");
    TCase *tc = tcase_create("theory");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_simulation_meets_theory, 0,
                        sizeof theory_cases / sizeof theory_cases[0]);
    tcase_add_test(tc, test_theory_formulas);
    suite_add_tcase(s, tc);
    TCase *tm = tcase_create("model");
    tcase_set_timeout(tm, 60);
    tcase_add_test(tm, test_periodic_single_ue_never_waits);
    tcase_add_test(tm, test_same_seed_same_result);
    tcase_add_test(tm, test_unstable_queue_grows);
    tcase_add_test(tm, test_rare_arrivals);
    tcase_add_test(tm, test_recorded_requests);
    tcase_add_test(tm, test_interval_from_the_data);
    tcase_add_test(tm, test_mser_warmup);
    suite_add_tcase(s, tm);
    return s;
}

CHECK_MAIN(fifo_suite)
