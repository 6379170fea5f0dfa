/* Channels against theory: fading statistics (Rayleigh, Rician, Nakagami), Gauss-Markov
 * correlation and its lazy jumps, ergodic capacity and outage of Rayleigh fading, the link
 * budget, shadowing, and per-link streams. Tolerances: 5 standard errors of the estimate. */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_sf_expint.h>

#include "check_main.h"
#include "models/channel.h"

static struct chan_params base(enum chan_fading f)
{
    return (struct chan_params){.carrier_hz = 3.5e9,
                                .bandwidth_hz = 20e6,
                                .tx_power_dbm = 23,
                                .noise_psd_dbm_hz = -174,
                                .noise_figure_db = 7,
                                .pathloss_ref_db = 30,
                                .pathloss_exponent = 3,
                                .fading = f,
                                .rician_k = 3,
                                .nakagami_m = 2,
                                .speed_mps = 0,
                                .coherence_ns = 1000000,
                                .snr_gap_db = 0};
}

/* |h|^2 of N independent links (one query each): i.i.d. samples of the marginal. */
static void marginal(const struct chan_params *p, double *mean, double *var, double *x, int n)
{
    double s = 0, ss = 0;
    for (int i = 0; i < n; i++) {
        struct chan_link l;
        ck_assert_int_eq(chan_link_init(&l, p, 5, 0, (uint64_t)i, 100), 0);
        double g = chan_fading_gain(&l, p, 0);
        if (x)
            x[i] = g;
        s += g;
        ss += g * g;
        chan_link_release(&l);
    }
    *mean = s / n;
    *var = ss / n - *mean * *mean;
}

START_TEST(test_fading_marginals)
{
    enum { N = 100000 };
    struct {
        enum chan_fading f;
        double var, mu4; /* variance and fourth central moment of |h|^2 (mean 1) */
    } cases[] = {
        {CHAN_FADING_RAYLEIGH, 1.0, 9.0},                           /* Exp(1) */
        {CHAN_FADING_RICIAN, 7.0 / 16, 0},                          /* K = 3: (2K+1)/(K+1)^2 */
        {CHAN_FADING_NAKAGAMI, 0.5, 3 * 0.5 * 0.5 * (1 + 2.0 / 2)}, /* Gamma(2, 1/2) */
    };
    for (size_t c = 0; c < 3; c++) {
        struct chan_params p = base(cases[c].f);
        double mean, var;
        marginal(&p, &mean, &var, NULL, N);
        double se_mean = sqrt(cases[c].var / N);
        ck_assert_msg(fabs(mean - 1) < 5 * se_mean, "case %zu: mean %g", c, mean);
        /* variance: 5 % is well beyond 5 standard errors for these N */
        ck_assert_msg(fabs(var / cases[c].var - 1) < 0.05, "case %zu: var %g, theory %g", c, var,
                      cases[c].var);
    }
    /* and no fading is exactly 1 */
    struct chan_params p = base(CHAN_FADING_NONE);
    struct chan_link l;
    chan_link_init(&l, &p, 1, 0, 0, 50);
    ck_assert(chan_fading_gain(&l, &p, 123456789) == 1.0);
    chan_link_release(&l);
}
END_TEST

/* Rayleigh: consecutive blocks correlate as rho^2 in power; a query every 10th block sees
 * rho^20, the lazy jump being exact. */
START_TEST(test_gauss_markov)
{
    struct chan_params p = base(CHAN_FADING_RAYLEIGH);
    p.speed_mps = 3.0; /* 35 Hz Doppler at 3.5 GHz */
    p.coherence_ns = 2000000;
    double rho = chan_block_correlation(&p);
    ck_assert_double_eq_tol(chan_doppler_hz(&p), 3.0 * 3.5e9 / 299792458.0, 1e-9);
    ck_assert(rho > 0.8 && rho < 0.99);
    for (int step = 1; step <= 10; step += 9) {
        struct chan_link l;
        chan_link_init(&l, &p, 9, 0, 1, 100);
        enum { N = 200000 };
        double prev = chan_fading_gain(&l, &p, 0), sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
        for (int i = 1; i <= N; i++) {
            double g = chan_fading_gain(&l, &p, (int64_t)i * step * p.coherence_ns);
            sx += prev, sy += g, sxx += prev * prev, syy += g * g, sxy += prev * g;
            prev = g;
        }
        double r = (sxy / N - sx * sy / N / N) /
                   sqrt((sxx / N - sx * sx / N / N) * (syy / N - sy * sy / N / N));
        double want = pow(rho, 2.0 * step);
        /* correlated samples: allow 0.03 absolute */
        ck_assert_msg(fabs(r - want) < 0.03, "step %d: lag correlation %g, theory %g", step, r,
                      want);
        chan_link_release(&l);
    }
    /* querying twice within a block gives the same gain */
    struct chan_link l;
    chan_link_init(&l, &p, 9, 0, 2, 100);
    double a = chan_fading_gain(&l, &p, 5 * p.coherence_ns + 1);
    double b = chan_fading_gain(&l, &p, 5 * p.coherence_ns + p.coherence_ns - 1);
    ck_assert(a == b);
    chan_link_release(&l);
}
END_TEST

/* Ergodic capacity E[log2(1 + s X)], X ~ Exp(1) = e^{1/s} E1(1/s) / ln 2; outage
 * P(log2(1 + s X) < R) = 1 - exp(-(2^R - 1) / s). */
START_TEST(test_capacity_and_outage)
{
    enum { N = 200000 };
    struct chan_params p = base(CHAN_FADING_RAYLEIGH);
    double *x = malloc(N * sizeof *x), mean, var;
    marginal(&p, &mean, &var, x, N);
    double s = 10.0, cap = 0, sc = 0;
    int lost = 0;
    double rate = 2.0; /* bit/s/Hz */
    for (int i = 0; i < N; i++) {
        double c = chan_rate_bps(&p, s * x[i], 1.0);
        cap += c;
        sc += c * c;
        lost += chan_outage(&p, s * x[i], 1.0, rate);
    }
    cap /= N;
    double sd = sqrt(sc / N - cap * cap);
    double theory = exp(1 / s) * gsl_sf_expint_E1(1 / s) / M_LN2;
    ck_assert_msg(fabs(cap - theory) < 5 * sd / sqrt(N), "capacity %g, theory %g", cap, theory);
    double pout = 1 - exp(-(pow(2, rate) - 1) / s);
    double se = sqrt(pout * (1 - pout) / N);
    ck_assert_msg(fabs((double)lost / N - pout) < 5 * se, "outage %g, theory %g", (double)lost / N,
                  pout);
    free(x);
}
END_TEST

START_TEST(test_link_budget)
{
    struct chan_params p = base(CHAN_FADING_NONE);
    struct chan_link l;
    chan_link_init(&l, &p, 1, 0, 0, 100);
    ck_assert_double_eq_tol(chan_pathloss_db(&p, 100), 90, 1e-12);
    ck_assert_double_eq_tol(chan_pathloss_db(&p, 0.2), 30, 1e-12); /* clamped to 1 m */
    /* rx 23 - 90 = -67 dBm; noise -174 + 7 + 73.0103 = -93.9897 dBm */
    double snr_db = 10 * log10(chan_snr(&l, &p, 0, 1.0));
    ck_assert_double_eq_tol(snr_db, -67 + 93.98970004336019, 1e-9);
    /* half the bandwidth: 3.0103 dB less noise */
    ck_assert_double_eq_tol(10 * log10(chan_snr(&l, &p, 0, 0.5)) - snr_db, 3.0103, 1e-4);
    /* Shannon with a 3 dB gap */
    p.snr_gap_db = 10 * log10(2.0);
    ck_assert_double_eq_tol(chan_rate_bps(&p, 6.0, 1e6), 1e6 * 2, 1e-6);
    chan_link_release(&l);
}
END_TEST

START_TEST(test_shadowing_and_streams)
{
    struct chan_params p = base(CHAN_FADING_RAYLEIGH);
    p.shadowing_db = 8;
    enum { N = 50000 };
    double s = 0, ss = 0;
    for (int i = 0; i < N; i++) {
        struct chan_link l;
        chan_link_init(&l, &p, 3, 0, (uint64_t)i, 100);
        s += l.shadow_db;
        ss += l.shadow_db * l.shadow_db;
        chan_link_release(&l);
    }
    ck_assert(fabs(s / N) < 5 * 8 / sqrt(N));
    ck_assert(fabs(sqrt(ss / N) / 8 - 1) < 0.02);
    /* a link's draws do not depend on other links being queried */
    p.speed_mps = 10;
    struct chan_link a, b, c;
    chan_link_init(&a, &p, 3, 0, 7, 100);
    chan_link_init(&b, &p, 3, 0, 7, 100);
    chan_link_init(&c, &p, 3, 0, 8, 100);
    for (int i = 0; i < 100; i++) {
        chan_fading_gain(&c, &p, (int64_t)i * p.coherence_ns);
        ck_assert(chan_fading_gain(&a, &p, (int64_t)i * p.coherence_ns) ==
                  chan_fading_gain(&b, &p, (int64_t)i * p.coherence_ns));
    }
    chan_link_release(&a);
    chan_link_release(&b);
    chan_link_release(&c);
}
END_TEST

START_TEST(test_params_check)
{
    struct chan_params p = base(CHAN_FADING_NAKAGAMI);
    ck_assert_ptr_null(chan_params_check(&p));
    p.nakagami_m = 1.3;
    ck_assert_ptr_nonnull(chan_params_check(&p));
    p = base(CHAN_FADING_RAYLEIGH);
    p.coherence_ns = 0;
    ck_assert_ptr_nonnull(chan_params_check(&p));
    p = base(CHAN_FADING_NONE);
    p.bandwidth_hz = 0;
    ck_assert_ptr_nonnull(chan_params_check(&p));
}
END_TEST

static Suite *channel_suite(void)
{
    Suite *s = suite_create("channel");
    TCase *tc = tcase_create("theory");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_fading_marginals);
    tcase_add_test(tc, test_gauss_markov);
    tcase_add_test(tc, test_capacity_and_outage);
    tcase_add_test(tc, test_link_budget);
    tcase_add_test(tc, test_shadowing_and_streams);
    tcase_add_test(tc, test_params_check);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(channel_suite)
