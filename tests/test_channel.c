/* Channels against theory: fading marginals (Rayleigh, Rician, Nakagami), the AR(1) correlation
 * of the fading across blocks (inside epochs, across their anchors, without Doppler and with
 * independent blocks), the independence of the fading from the pattern of queries, ergodic
 * capacity and outage of Rayleigh fading, the link budget, the UMi path loss against hand
 * arithmetic, shadowing and per-link streams, link adaptation (Shannon and CQI table) and packet
 * error.
 *
 * Tolerances: every statistical check is a 99.9 % normal interval, |estimate - theory| <
 * 3.29 standard errors, the standard error computed from the sample itself (its standard
 * deviation over the square root of the number of independent samples). Samples are independent
 * because each comes from a different link (links are keyed by id, and share nothing). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_expint.h>

#include "check_main.h"
#include "models/radio/channel.h"

#define Z999 3.2905 /* two-sided 99.9 % quantile of the standard normal */

static struct chan_params base(enum chan_fading f)
{
    return (struct chan_params){.carrier_hz = 3.5e9,
                                .bandwidth_hz = 20e6,
                                .tx_power_dbm = 23,
                                .noise_psd_dbm_hz = -174,
                                .noise_figure_db = 7,
                                .pathloss = CHAN_PATHLOSS_LOG_DISTANCE,
                                .pathloss_ref_db = 30,
                                .pathloss_exponent = 3,
                                .fading = f,
                                .rician_k = 3,
                                .nakagami_m = 2,
                                .speed_mps = 0,
                                .coherence_ns = 1000000,
                                .snr_gap_db = 0,
                                .rate = CHAN_RATE_SHANNON,
                                .margin_db = 0};
}

/* Sample mean and its standard error. */
struct acc {
    double n, s, ss;
};

static void acc_add(struct acc *a, double x)
{
    a->n += 1;
    a->s += x;
    a->ss += x * x;
}

static double acc_mean(const struct acc *a)
{
    return a->s / a->n;
}

static double acc_se(const struct acc *a)
{
    double m = acc_mean(a);
    double var = (a->ss - a->n * m * m) / (a->n - 1);
    return sqrt((var > 0 ? var : 0) / a->n);
}

#define assert_within(est, se, theory, ...)                                                        \
    ck_assert_msg(fabs((est) - (theory)) < Z999 * (se), __VA_ARGS__)

/* A block index spread pseudo-randomly over [0, range) for sample i. */
static uint64_t spread(uint64_t i, uint64_t range)
{
    return ((i + 1) * UINT64_C(0x9e3779b97f4a7c15) >> 16) % range;
}

static int64_t at(const struct chan_params *p, uint64_t block)
{
    return (int64_t)block * p->coherence_ns;
}

/* |h|^2 of n independent links, link i queried once at block spread(i, blocks): i.i.d. samples of
 * the marginal (blocks = 1: all at block 0). */
static void marginal(const struct chan_params *p, double *x, int n, uint64_t blocks)
{
    for (int i = 0; i < n; i++) {
        struct chan_link l;
        ck_assert_int_eq(chan_link_init(&l, p, 5, 0, (uint64_t)i, 100), 0);
        x[i] = chan_fading_gain(&l, p, at(p, spread((uint64_t)i, blocks)));
        chan_link_release(&l);
    }
}

/* Mean 1 and variance of |h|^2, at an anchor (no Doppler) and at bridged blocks (moving UE). The
 * standard error of the sample variance s^2 is sqrt((m4 - s^4) / n), m4 the sample's fourth
 * central moment. */
START_TEST(test_fading_marginals)
{
    enum { N = 100000 };
    struct {
        enum chan_fading f;
        double m;   /* Nakagami m */
        double var; /* variance of |h|^2 (mean 1) */
    } cases[] = {
        {CHAN_FADING_RAYLEIGH, 0, 1.0},       /* Exp(1) */
        {CHAN_FADING_RICIAN, 0, 7.0 / 16},    /* K = 3: (2K+1)/(K+1)^2 */
        {CHAN_FADING_NAKAGAMI, 2, 0.5},       /* Gamma(m, 1/m): 1/m */
        {CHAN_FADING_NAKAGAMI, 0.5, 2.0},     /* one component */
        {CHAN_FADING_NAKAGAMI, 1.5, 1 / 1.5}, /* odd number of components */
    };
    double *x = malloc(N * sizeof *x);
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        for (int moving = 0; moving <= 1; moving++) {
            struct chan_params p = base(cases[c].f);
            if (cases[c].m > 0)
                p.nakagami_m = cases[c].m;
            p.speed_mps = moving ? 3.0 : 0;
            marginal(&p, x, N, moving ? UINT64_C(1) << 22 : 1);
            struct acc a = {0};
            for (int i = 0; i < N; i++)
                acc_add(&a, x[i]);
            double mean = acc_mean(&a), m2 = 0, m4 = 0;
            for (int i = 0; i < N; i++) {
                double d = (x[i] - mean) * (x[i] - mean);
                m2 += d / N;
                m4 += d * d / N;
            }
            assert_within(mean, acc_se(&a), 1.0, "case %zu moving %d: mean %g", c, moving, mean);
            assert_within(m2, sqrt((m4 - m2 * m2) / N), cases[c].var,
                          "case %zu moving %d: var %g, theory %g", c, moving, m2, cases[c].var);
        }
    }
    free(x);
    /* and no fading is exactly 1 */
    struct chan_params p = base(CHAN_FADING_NONE);
    struct chan_link l;
    ck_assert_int_eq(chan_link_init(&l, &p, 1, 0, 0, 50), 0);
    ck_assert(chan_fading_gain(&l, &p, 123456789) == 1.0);
    double comp[CHAN_MAX_COMPONENTS];
    ck_assert_int_eq(chan_fading_components(&l, &p, 0, comp), 0);
    chan_link_release(&l);
}
END_TEST

/* Variograms of pairs of blocks (b, b + lag) over n independent links, link i's b = first(i):
 * for the Gaussian components (unit variance) E[(x(b) - x(b + lag))^2] / 2 = 1 - rho^lag, and
 * for |h|^2 (variance v, lag correlation rho^(2 lag) for Rayleigh and Nakagami)
 * E[(g(b) - g(b + lag))^2] / 2 = v (1 - rho^(2 lag)). With unit variances, these are the lag
 * correlations; the variogram's estimator is far more precise than the sample correlation when
 * rho is close to 1 (its standard error shrinks with 1 - rho). */
struct variogram {
    struct acc comp, power;
};

static struct variogram pairs(const struct chan_params *p, int n, uint64_t lag,
                              uint64_t (*first)(int i, int depth))
{
    struct variogram v = {0};
    for (int i = 0; i < n; i++) {
        struct chan_link l;
        ck_assert_int_eq(chan_link_init(&l, p, 11, 0, (uint64_t)i, 100), 0);
        uint64_t b = first(i, l.depth);
        double x[CHAN_MAX_COMPONENTS], y[CHAN_MAX_COMPONENTS];
        int nc = chan_fading_components(&l, p, at(p, b), x);
        double g0 = chan_fading_gain(&l, p, at(p, b));
        ck_assert_int_eq(chan_fading_components(&l, p, at(p, b + lag), y), nc);
        double g1 = chan_fading_gain(&l, p, at(p, b + lag));
        double s = 0;
        for (int c = 0; c < nc; c++)
            s += (x[c] - y[c]) * (x[c] - y[c]) / 2;
        acc_add(&v.comp, s / nc);
        acc_add(&v.power, (g0 - g1) * (g0 - g1) / 2);
        chan_link_release(&l);
    }
    return v;
}

static uint64_t anywhere(int i, int depth)
{
    return spread((uint64_t)i, UINT64_C(4) << depth);
}

static void check_variogram(const struct chan_params *p, int n, uint64_t lag,
                            uint64_t (*first)(int i, int depth), const char *what)
{
    double rho = chan_block_correlation(p), rl = pow(rho, (double)lag);
    double var = p->fading == CHAN_FADING_NAKAGAMI ? 1 / p->nakagami_m : 1.0;
    struct variogram v = pairs(p, n, lag, first);
    assert_within(acc_mean(&v.comp), acc_se(&v.comp), 1 - rl,
                  "%s, speed %g, lag %d: component variogram %g, theory %g (rho %g)", what,
                  p->speed_mps, (int)lag, acc_mean(&v.comp), 1 - rl, rho);
    assert_within(acc_mean(&v.power), acc_se(&v.power), var * (1 - rl * rl),
                  "%s, speed %g, lag %d: power variogram %g, theory %g (rho %g)", what,
                  p->speed_mps, (int)lag, acc_mean(&v.power), var * (1 - rl * rl), rho);
}

/* Lag correlations rho^lag of the components and rho^(2 lag) of |h|^2 at blocks anywhere in the
 * first four epochs, at two speeds and with independent blocks (rho = 0); lag 10 as well. */
START_TEST(test_lag_correlation)
{
    enum { N = 100000 };
    struct chan_params p = base(CHAN_FADING_RAYLEIGH);
    p.speed_mps = 3.0; /* 35 Hz Doppler at 3.5 GHz */
    p.coherence_ns = 2000000;
    ck_assert_double_eq_tol(chan_doppler_hz(&p), 3.0 * 3.5e9 / 299792458.0, 1e-9);
    double rho = chan_block_correlation(&p);
    ck_assert(rho > 0.9 && rho < 0.99);
    check_variogram(&p, N, 1, anywhere, "Rayleigh");
    check_variogram(&p, N, 10, anywhere, "Rayleigh");
    p.speed_mps = 20.0; /* rho = J0(1.467) = 0.53 */
    p.coherence_ns = 1000000;
    rho = chan_block_correlation(&p);
    ck_assert(rho > 0.4 && rho < 0.7);
    check_variogram(&p, N, 1, anywhere, "Rayleigh");
    check_variogram(&p, N, 3, anywhere, "Rayleigh");
    p.fading = CHAN_FADING_NAKAGAMI;
    check_variogram(&p, N, 1, anywhere, "Nakagami m = 2");
    /* 60 m/s: J0 < 0, clamped: independent blocks, every block an anchor */
    p.fading = CHAN_FADING_RAYLEIGH;
    p.speed_mps = 60.0;
    ck_assert(chan_block_correlation(&p) == 0);
    check_variogram(&p, N, 1, anywhere, "Rayleigh, rho = 0");
    /* querying twice within a block gives the same gain */
    p.speed_mps = 3.0;
    struct chan_link l;
    ck_assert_int_eq(chan_link_init(&l, &p, 9, 0, 2, 100), 0);
    double a = chan_fading_gain(&l, &p, 5 * p.coherence_ns + 1);
    double b = chan_fading_gain(&l, &p, 5 * p.coherence_ns + p.coherence_ns - 1);
    ck_assert(a == b);
    chan_link_release(&l);
}
END_TEST

/* Pairs placed around the anchors and the top-level midpoint of the epochs: the first block of
 * pair i is chosen by i mod 3 among epochs 1..3 (E = 2^depth). */
static uint64_t before_anchor(int i, int depth)
{
    return ((uint64_t)(i % 3 + 1) << depth) - 1; /* (jE - 1, jE) */
}

static uint64_t at_anchor(int i, int depth)
{
    return (uint64_t)(i % 3 + 1) << depth; /* (jE, jE + 1) */
}

static uint64_t before_middle(int i, int depth)
{
    return ((uint64_t)(i % 3 + 1) << depth) + (UINT64_C(1) << (depth - 1)) - 1;
}

/* The correlation is the same across the epoch boundaries (anchors) as inside epochs: lag-one
 * pairs ending at and starting from an anchor, lag-two pairs straddling it, and a lag-one pair
 * straddling the epoch's midpoint. Two speeds (epochs of 2^14 and 2^11 blocks). */
START_TEST(test_epoch_boundary)
{
    enum { N = 60000 };
    struct chan_params p = base(CHAN_FADING_RAYLEIGH);
    double speeds[] = {3.0, 20.0};
    int64_t coherence[] = {2000000, 1000000};
    for (int s = 0; s < 2; s++) {
        p.speed_mps = speeds[s];
        p.coherence_ns = coherence[s];
        struct chan_link l;
        ck_assert_int_eq(chan_link_init(&l, &p, 1, 0, 0, 100), 0);
        ck_assert_int_ge(l.depth, 8); /* epochs of many blocks, the case of interest */
        chan_link_release(&l);
        check_variogram(&p, N, 1, before_anchor, "(jE - 1, jE)");
        check_variogram(&p, N, 1, at_anchor, "(jE, jE + 1)");
        check_variogram(&p, N, 2, before_anchor, "(jE - 1, jE + 1)");
        check_variogram(&p, N, 1, before_middle, "(jE + E/2 - 1, jE + E/2)");
    }
}
END_TEST

/* The gain at a set of target blocks is bit-identical whether the link was queried densely
 * (every block), sparsely (every 37th block, and the targets), only at the targets, at the
 * targets in reverse order, or at one target alone; so are the Gaussian components. */
static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static void query_patterns(const struct chan_params *p, uint64_t id)
{
    struct chan_link l;
    ck_assert_int_eq(chan_link_init(&l, p, 42, 3, id, 100), 0);
    /* E, or 64 when epochs are shorter (then the targets need not fall on anchors) */
    uint64_t e = UINT64_C(1) << (l.depth > 6 ? l.depth : 6);
    chan_link_release(&l);
    uint64_t targets[] = {0,         1,     2,         36,         37,          100,
                          e / 2 - 1, e / 2, e - 1,     e,          e + 1,       e + e / 2 + 7,
                          2 * e - 1, 2 * e, 2 * e + 1, 3 * e + 37, 3 * e + 999, 4 * e};
    enum { NT = sizeof targets / sizeof targets[0] };
    qsort(targets, NT, sizeof targets[0], cmp_u64);
    for (int i = 1; i < NT; i++)
        ck_assert(targets[i] > targets[i - 1]);
    double want[NT], comp[NT][CHAN_MAX_COMPONENTS];

    /* dense */
    ck_assert_int_eq(chan_link_init(&l, p, 42, 3, id, 100), 0);
    int k = 0, nc = 0;
    for (uint64_t b = 0; b <= targets[NT - 1]; b++) {
        double g = chan_fading_gain(&l, p, at(p, b));
        if (b == targets[k]) {
            want[k] = g;
            nc = chan_fading_components(&l, p, at(p, b), comp[k]);
            k++;
        }
    }
    chan_link_release(&l);
    ck_assert_int_eq(k, NT);

    /* sparse: every 37th block, and the targets, in time order */
    ck_assert_int_eq(chan_link_init(&l, p, 42, 3, id, 100), 0);
    k = 0;
    for (uint64_t b = 0; b <= targets[NT - 1]; b++) {
        if (b % 37 == 0 && b != targets[k])
            (void)chan_fading_gain(&l, p, at(p, b));
        if (b == targets[k]) {
            ck_assert_msg(chan_fading_gain(&l, p, at(p, b)) == want[k], "sparse, block %llu",
                          (unsigned long long)b);
            k++;
        }
    }
    chan_link_release(&l);

    /* only the targets; in reverse order; each alone */
    ck_assert_int_eq(chan_link_init(&l, p, 42, 3, id, 100), 0);
    for (k = 0; k < NT; k++)
        ck_assert_msg(chan_fading_gain(&l, p, at(p, targets[k])) == want[k], "only, block %llu",
                      (unsigned long long)targets[k]);
    for (k = NT - 1; k >= 0; k--) {
        double x[CHAN_MAX_COMPONENTS];
        ck_assert_int_eq(chan_fading_components(&l, p, at(p, targets[k]), x), nc);
        ck_assert_msg(memcmp(x, comp[k], (size_t)nc * sizeof *x) == 0, "reverse, block %llu",
                      (unsigned long long)targets[k]);
    }
    chan_link_release(&l);
    for (k = 0; k < NT; k++) {
        ck_assert_int_eq(chan_link_init(&l, p, 42, 3, id, 100), 0);
        ck_assert(chan_fading_gain(&l, p, at(p, targets[k])) == want[k]);
        chan_link_release(&l);
    }

    /* a far block: the same alone, after a near one, and before going back to a near one */
    int64_t far = INT64_MAX - 3 * p->coherence_ns;
    ck_assert_int_eq(chan_link_init(&l, p, 42, 3, id, 100), 0);
    double g_far = chan_fading_gain(&l, p, far);
    ck_assert(chan_fading_gain(&l, p, at(p, targets[5])) == want[5]);
    ck_assert(chan_fading_gain(&l, p, far) == g_far);
    chan_link_release(&l);
}

START_TEST(test_query_independence)
{
    enum chan_fading f[] = {CHAN_FADING_RAYLEIGH, CHAN_FADING_NAKAGAMI};
    for (int i = 0; i < 2; i++) {
        struct chan_params p = base(f[i]);
        p.nakagami_m = 2;
        p.speed_mps = 3; /* rho = 0.988: epochs of 2^16 blocks */
        query_patterns(&p, 6);
        p.speed_mps = 20; /* epochs of 2^11 blocks */
        query_patterns(&p, 7);
        p.speed_mps = 100; /* rho = 0.29: 2^10 */
        query_patterns(&p, 8);
        p.speed_mps = 60; /* rho = 0: every block an anchor */
        query_patterns(&p, 9);
    }
}
END_TEST

/* Without Doppler (speed 0, rho = 1) the fading never changes. */
START_TEST(test_constant_without_doppler)
{
    struct chan_params p = base(CHAN_FADING_NAKAGAMI);
    ck_assert(chan_block_correlation(&p) == 1.0);
    for (uint64_t id = 0; id < 20; id++) {
        struct chan_link l;
        ck_assert_int_eq(chan_link_init(&l, &p, 4, 0, id, 100), 0);
        double g = chan_fading_gain(&l, &p, 0);
        int64_t t[] = {1, 999999, 1000000, 123456789012, 1000000000000000, INT64_MAX, 17};
        for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
            ck_assert(chan_fading_gain(&l, &p, t[i]) == g);
        chan_link_release(&l);
    }
}
END_TEST

/* Ergodic capacity E[log2(1 + s X)], X ~ Exp(1) = e^{1/s} E1(1/s) / ln 2; outage
 * P(log2(1 + s X) < R) = 1 - exp(-(2^R - 1) / s). */
/* |h|^2 ~ Gamma(m, 1/m) (Rayleigh: m = 1); log2(1 + s g) times its density, for the ergodic
 * capacity integral. */
struct cap_integrand {
    double m, s;
};

static double cap_f(double g, void *arg)
{
    const struct cap_integrand *c = arg;
    return log2(1 + c->s * g) * gsl_ran_gamma_pdf(g, c->m, 1 / c->m);
}

/*
 * Ergodic capacity E[log2(1 + s|h|^2)] and outage P(log2(1 + s|h|^2) < R) against theory:
 * Rayleigh in closed form (e^{1/s} E1(1/s) / ln 2; 1 - exp(-(2^R - 1)/s)); Nakagami-m by
 * numerical integration over the Gamma(m, 1/m) density and its CDF. Intervals: 99.9 % from the
 * sample's own standard error.
 */
START_TEST(test_capacity_and_outage)
{
    enum { N = 200000 };
    const struct {
        enum chan_fading f;
        double m;
    } cases[] = {{CHAN_FADING_RAYLEIGH, 1}, {CHAN_FADING_NAKAGAMI, 2}, {CHAN_FADING_NAKAGAMI, 0.5}};
    double *x = malloc(N * sizeof *x);
    gsl_integration_workspace *ws = gsl_integration_workspace_alloc(1000);
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        struct chan_params p = base(cases[c].f);
        p.nakagami_m = cases[c].m;
        marginal(&p, x, N, 1);
        double s = 10.0;
        struct acc cap = {0}, lost = {0};
        double rate = 2.0; /* bit/s/Hz */
        for (int i = 0; i < N; i++) {
            acc_add(&cap, chan_rate_bps(&p, s * x[i], 1.0));
            acc_add(&lost, chan_outage(&p, s * x[i], 1.0, rate));
        }
        double theory, pout;
        if (cases[c].f == CHAN_FADING_RAYLEIGH) {
            theory = exp(1 / s) * gsl_sf_expint_E1(1 / s) / M_LN2;
            pout = 1 - exp(-(pow(2, rate) - 1) / s);
        } else {
            struct cap_integrand ci = {cases[c].m, s};
            gsl_function fn = {cap_f, &ci};
            double err;
            ck_assert_int_eq(gsl_integration_qagiu(&fn, 0, 1e-12, 1e-10, 1000, ws, &theory, &err),
                             0);
            pout = gsl_cdf_gamma_P((pow(2, rate) - 1) / s, cases[c].m, 1 / cases[c].m);
        }
        assert_within(acc_mean(&cap), acc_se(&cap), theory, "m %g: capacity %g, theory %g",
                      cases[c].m, acc_mean(&cap), theory);
        assert_within(acc_mean(&lost), acc_se(&lost), pout, "m %g: outage %g, theory %g",
                      cases[c].m, acc_mean(&lost), pout);
    }
    gsl_integration_workspace_free(ws);
    free(x);
}
END_TEST

START_TEST(test_link_budget)
{
    struct chan_params p = base(CHAN_FADING_NONE);
    struct chan_link l;
    ck_assert_int_eq(chan_link_init(&l, &p, 1, 0, 0, 100), 0);
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

/* UMi street canyon NLOS (TR 38.901 Table 7.4.1-1) against hand arithmetic (5 decimals, so a
 * 1e-4 dB tolerance). c = 299792458 m/s.
 *
 * f_c = 3.5 GHz (log10 f_c = 0.54407), h_BS = 10 m, h_UT = 1.5 m: h_BS - h_UT = 8.5 m,
 *   d'_BP = 4 * 9 * 0.5 * 3.5e9 / c = 210.14538 m.
 *   d_2D = 100 m: d_3D = sqrt(100^2 + 8.5^2) = 100.36060, log10 = 2.00156.
 *     LOS (d_2D <= d'_BP): 32.4 + 21 * 2.00156 + 20 * 0.54407 = 32.4 + 42.03283 + 10.88136
 *       = 85.31419
 *     NLOS': 35.3 * 2.00156 + 22.4 + 21.3 * 0.54407 - 0.3 * 0 = 70.65518 + 22.4 + 11.58865
 *       = 104.64383  -> PL = 104.64383
 *   d_2D = 500 m: d_3D = sqrt(500^2 + 8.5^2) = 500.07224, log10 = 2.69903.
 *     LOS (beyond d'_BP): 32.4 + 40 * 2.69903 + 10.88136 - 9.5 * log10(210.14538^2 + 72.25)
 *       = 32.4 + 107.96131 + 10.88136 - 9.5 * 4.64575 = 151.24267 - 44.13462 = 107.10805
 *     NLOS': 35.3 * 2.69903 + 22.4 + 11.58865 = 95.27586 + 33.98865 = 129.26451 -> 129.26451
 *   d_2D = 5 m is clamped to 10 m: d_3D = 13.12440, log10 = 1.11808:
 *     NLOS' = 39.46821 + 33.98865 = 73.45686 (LOS 66.76103)
 * f_c = 0.5 GHz (log10 = -0.30103), h_BS = 3 m, h_UT = 1.5 m, d_2D = 1000 m, where the LOS
 * formula beyond its breakpoint dominates: d'_BP = 4 * 2 * 0.5 * 0.5e9 / c = 6.67128 m,
 *   d_3D = sqrt(1000^2 + 1.5^2) = 1000.00113, log10 = 3.00000;
 *   LOS: 32.4 + 120.00002 - 6.02060 - 9.5 * log10(6.67128^2 + 2.25) (= 1.66984)
 *     = 146.37942 - 15.86346 = 130.51596
 *   NLOS': 35.3 * 3.00000 + 22.4 + 21.3 * (-0.30103) = 105.90002 + 22.4 - 6.41194 = 121.88808
 *   -> 130.51596 */
START_TEST(test_umi_pathloss)
{
    struct chan_params p = base(CHAN_FADING_NONE);
    p.pathloss = CHAN_PATHLOSS_UMI;
    p.bs_height_m = 10;
    p.ue_height_m = 1.5;
    ck_assert_ptr_null(chan_params_check(&p));
    ck_assert_double_eq_tol(chan_pathloss_db(&p, 100), 104.64383, 1e-4);
    ck_assert_double_eq_tol(chan_pathloss_db(&p, 500), 129.26451, 1e-4);
    ck_assert_double_eq_tol(chan_pathloss_db(&p, 5), 73.45686, 1e-4);
    ck_assert(chan_pathloss_db(&p, 5) == chan_pathloss_db(&p, 10));
    p.carrier_hz = 0.5e9;
    p.bs_height_m = 3;
    ck_assert_ptr_null(chan_params_check(&p));
    ck_assert_double_eq_tol(chan_pathloss_db(&p, 1000), 130.51596, 1e-4);
    /* and it drives the SNR: 23 dBm - 130.51596 dB, noise -93.98970 dBm */
    struct chan_link l;
    ck_assert_int_eq(chan_link_init(&l, &p, 1, 0, 0, 1000), 0);
    ck_assert_double_eq_tol(10 * log10(chan_snr(&l, &p, 0, 1.0)), 23 - 130.51596 + 93.98970, 1e-4);
    chan_link_release(&l);
}
END_TEST

START_TEST(test_shadowing_and_streams)
{
    struct chan_params p = base(CHAN_FADING_RAYLEIGH);
    p.shadowing_db = 8;
    enum { N = 50000 };
    struct acc s = {0}, sq = {0};
    for (int i = 0; i < N; i++) {
        struct chan_link l;
        ck_assert_int_eq(chan_link_init(&l, &p, 3, 0, (uint64_t)i, 100), 0);
        acc_add(&s, l.shadow_db);
        acc_add(&sq, l.shadow_db * l.shadow_db);
        chan_link_release(&l);
    }
    assert_within(acc_mean(&s), acc_se(&s), 0, "shadowing mean %g", acc_mean(&s));
    assert_within(acc_mean(&sq), acc_se(&sq), 64, "shadowing mean square %g", acc_mean(&sq));
    /* a link's draws do not depend on other links being queried */
    p.speed_mps = 10;
    struct chan_link a, b, c;
    chan_link_init(&a, &p, 3, 0, 7, 100);
    chan_link_init(&b, &p, 3, 0, 7, 100);
    chan_link_init(&c, &p, 3, 0, 8, 100);
    ck_assert(a.shadow_db == b.shadow_db && a.shadow_db != c.shadow_db);
    int differ = 0;
    for (int i = 0; i < 100; i++) {
        double gc = chan_fading_gain(&c, &p, (int64_t)i * p.coherence_ns);
        double ga = chan_fading_gain(&a, &p, (int64_t)i * p.coherence_ns);
        ck_assert(ga == chan_fading_gain(&b, &p, (int64_t)i * p.coherence_ns));
        differ += ga != gc;
    }
    ck_assert_int_eq(differ, 100);
    chan_link_release(&a);
    chan_link_release(&b);
    chan_link_release(&c);
    /* another replication is another stream */
    chan_link_init(&a, &p, 3, 1, 7, 100);
    ck_assert(a.shadow_db != b.shadow_db);
    chan_link_release(&a);
}
END_TEST

/* Shannon link adaptation: with no margin, a packet sent at the selected efficiency survives a
 * block of the SNR it was chosen for and is lost slightly below; a margin of M dB selects what
 * an SNR M dB lower would. */
START_TEST(test_select_shannon)
{
    struct chan_params p = base(CHAN_FADING_RAYLEIGH);
    p.snr_gap_db = 3;
    struct chan_selection s, m;
    double prev = 0;
    /* inside the clipping range (efficiency 0.1523 .. 5.5547 with a 3 dB gap: about -4.4 to
     * 19.6 dB) */
    for (double db = -4; db <= 15; db += 0.37) {
        double snr = pow(10, db / 10);
        p.margin_db = 0;
        chan_select(&p, snr, &s);
        ck_assert_int_eq(s.cqi, 0);
        ck_assert(s.efficiency > 0 && s.efficiency >= prev);
        prev = s.efficiency;
        ck_assert_double_eq_tol(s.snr_db, db, 1e-9);
        ck_assert_double_eq_tol(s.efficiency, log2(1 + snr / pow(10, 0.3)), 1e-9);
        ck_assert(chan_packet_error(&p, &s, snr) == 0);
        ck_assert(chan_packet_error(&p, &s, snr * (1 - 1e-6)) == 1);
        ck_assert(chan_packet_error(&p, &s, snr * 2) == 0);
        p.margin_db = 2.5;
        chan_select(&p, snr, &m);
        ck_assert_double_eq_tol(m.efficiency, log2(1 + snr * pow(10, -0.25) / pow(10, 0.3)), 1e-9);
        ck_assert(chan_packet_error(&p, &m, snr) == 0);
        ck_assert(chan_packet_error(&p, &m, snr * pow(10, -0.25) * (1 - 1e-6)) == 1);
    }
    /* no signal: the smallest efficiency, and the packet is lost; a great one: the largest */
    p.margin_db = 0;
    chan_select(&p, 0, &s);
    ck_assert(s.efficiency == CHAN_MIN_EFFICIENCY);
    ck_assert(chan_packet_error(&p, &s, 0) == 1);
    chan_select(&p, pow(10, 4.0), &s); /* 40 dB */
    ck_assert(s.efficiency == CHAN_MAX_EFFICIENCY);
    ck_assert(chan_packet_error(&p, &s, pow(10, 4.0)) == 0);
}
END_TEST

/* CQI table 1 of TS 38.214 (Table 5.2.2.1-2): modulation order and code rate x 1024. */
static const struct {
    int qm, rate;
    double efficiency;
} cqi_table[16] = {
    {0, 0, 0},        {2, 78, 0.1523},  {2, 120, 0.2344}, {2, 193, 0.3770},
    {2, 308, 0.6016}, {2, 449, 0.8770}, {2, 602, 1.1758}, {4, 378, 1.4766},
    {4, 490, 1.9141}, {4, 616, 2.4063}, {6, 466, 2.7305}, {6, 567, 3.3223},
    {6, 666, 3.9023}, {6, 772, 4.5234}, {6, 873, 5.1152}, {6, 948, 5.5547},
};

START_TEST(test_select_mcs)
{
    struct chan_params p = base(CHAN_FADING_RAYLEIGH);
    p.rate = CHAN_RATE_MCS;
    ck_assert_ptr_null(chan_params_check(&p));
    struct chan_selection s;
    double prev_thr = -INFINITY;
    for (int q = 1; q <= CHAN_CQI_MAX; q++) {
        /* the table, as printed, and as modulation order x code rate */
        ck_assert(chan_cqi_efficiency(q) == cqi_table[q].efficiency);
        ck_assert_double_eq_tol(chan_cqi_efficiency(q),
                                cqi_table[q].qm * cqi_table[q].rate / 1024.0, 5e-5);
        double thr = chan_cqi_threshold_db(q);
        ck_assert(thr > prev_thr);
        prev_thr = thr;
        for (int margin = 0; margin <= 3; margin += 3) {
            p.margin_db = margin;
            /* just above the threshold (plus the margin): this CQI; just below: the one under */
            chan_select(&p, pow(10, (thr + margin + 1e-9) / 10), &s);
            ck_assert_int_eq(s.cqi, q);
            ck_assert(s.efficiency == cqi_table[q].efficiency);
            chan_select(&p, pow(10, (thr + margin - 0.01) / 10), &s);
            ck_assert_int_eq(s.cqi, q > 1 ? q - 1 : 1);
        }
        /* BLER: 10 % at the threshold, in [0, 1], decreasing in the SNR */
        s.cqi = q;
        s.efficiency = chan_cqi_efficiency(q);
        ck_assert_double_eq_tol(chan_packet_error(&p, &s, pow(10, thr / 10)), 0.1, 1e-12);
        double prev = 1;
        for (double db = -40; db <= 60; db += 0.25) {
            double e = chan_packet_error(&p, &s, pow(10, db / 10));
            ck_assert(e >= 0 && e <= 1 && e <= prev);
            ck_assert(db >= thr || e > 0.1);
            ck_assert(db <= thr || e < 0.1);
            prev = e;
        }
        ck_assert(chan_packet_error(&p, &s, 0) == 1);
        ck_assert(chan_packet_error(&p, &s, 1e300) == 0);
    }
    ck_assert_double_eq_tol(chan_cqi_threshold_db(1), -6.7, 1e-12);
    ck_assert_double_eq_tol(chan_cqi_threshold_db(15), 22.7, 1e-12);
    ck_assert(isnan(chan_cqi_efficiency(0)) && isnan(chan_cqi_threshold_db(16)));
    /* selection is monotone in the SNR; below every threshold it is CQI 1 */
    p.margin_db = 1;
    int prev_cqi = 0;
    for (double db = -30; db <= 40; db += 0.1) {
        chan_select(&p, pow(10, db / 10), &s);
        ck_assert(s.cqi >= prev_cqi && s.cqi >= 1 && s.cqi <= 15 && s.efficiency > 0);
        prev_cqi = s.cqi;
    }
    chan_select(&p, 1e-3, &s);
    ck_assert_int_eq(s.cqi, 1);
    chan_select(&p, 0, &s);
    ck_assert_int_eq(s.cqi, 1);
    /* a selection with no valid CQI loses its packet */
    s.cqi = 0;
    ck_assert(chan_packet_error(&p, &s, 1e6) == 1);
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
    p = base(CHAN_FADING_NONE);
    p.fading = (enum chan_fading)9;
    ck_assert_ptr_nonnull(chan_params_check(&p));
    /* rate selection and margin */
    p = base(CHAN_FADING_RAYLEIGH);
    p.rate = (enum chan_rate)2;
    ck_assert_ptr_nonnull(chan_params_check(&p));
    p = base(CHAN_FADING_RAYLEIGH);
    double bad_margin[] = {-0.5, 30.5, NAN, INFINITY};
    for (int i = 0; i < 4; i++) {
        p.margin_db = bad_margin[i];
        ck_assert_ptr_nonnull(chan_params_check(&p));
    }
    p.margin_db = 30;
    ck_assert_ptr_null(chan_params_check(&p));
    p.snr_gap_db = -1;
    ck_assert_ptr_nonnull(chan_params_check(&p));
    /* path loss */
    p = base(CHAN_FADING_RAYLEIGH);
    p.pathloss = (enum chan_pathloss)5;
    ck_assert_ptr_nonnull(chan_params_check(&p));
    p.pathloss = CHAN_PATHLOSS_UMI; /* heights unset */
    ck_assert_ptr_nonnull(chan_params_check(&p));
    p.bs_height_m = 10;
    p.ue_height_m = 1.5;
    ck_assert_ptr_null(chan_params_check(&p));
    double bad_carrier[] = {0, 0.4e9, 101e9};
    for (int i = 0; i < 3; i++) {
        p.carrier_hz = bad_carrier[i];
        ck_assert_ptr_nonnull(chan_params_check(&p));
    }
    p.carrier_hz = 28e9;
    ck_assert_ptr_null(chan_params_check(&p));
    p.ue_height_m = 1.0;
    ck_assert_ptr_nonnull(chan_params_check(&p));
    p.ue_height_m = 12;
    ck_assert_ptr_nonnull(chan_params_check(&p)); /* above the base station */
    p.bs_height_m = 150;
    ck_assert_ptr_nonnull(chan_params_check(&p));
}
END_TEST

static Suite *channel_suite(void)
{
    return check_suite("channel", "theory", 120,
                       (const TTest *[]){test_fading_marginals, test_lag_correlation,
                                         test_epoch_boundary, test_query_independence,
                                         test_constant_without_doppler, test_capacity_and_outage,
                                         test_link_budget, test_umi_pathloss,
                                         test_shadowing_and_streams, test_select_shannon,
                                         test_select_mcs, test_params_check, NULL});
}

CHECK_MAIN(channel_suite)
