/* Path loss against references the code does not share: the test vectors of ns-3's
 * ThreeGppPropagationLossModel test suite (src/propagation/test/
 * three-gpp-propagation-loss-model-test-suite.cc, SIGNET Lab, University of Padova: received
 * power for 0 dBm at 5 GHz, the standard's heights, LOS and NLOS forced; their tolerance, 0.05
 * dB), hand arithmetic for UMi, the LOS probabilities of TR 38.901 Table 7.4.2-1 evaluated
 * independently (values below), and the invariants (non-decreasing in distance, NLOS never
 * below LOS, LOS probability 1 near the base station and falling). */
#include <math.h>
#include <stdbool.h>

#include "check_main.h"
#include "models/radio/pathloss.h"

static struct chan_params standard(enum chan_pathloss model, double fc, double hbs)
{
    return (struct chan_params){.carrier_hz = fc,
                                .bandwidth_hz = 20e6,
                                .pathloss = model,
                                .bs_height_m = hbs,
                                .ue_height_m = 1.5,
                                .building_height_m = 5,
                                .street_width_m = 20,
                                .shadow_decorrelation_m = 50,
                                .shadow_decorrelation_los_m = 37,
                                .los_decorrelation_m = 50,
                                .snr_gap_db = 0,
                                .rate = CHAN_RATE_SHANNON};
}

struct vector {
    double d2d;
    bool los;
    double rx_dbm; /* for 0 dBm sent */
};

static void check_vectors(enum chan_pathloss model, double hbs, const struct vector *v, int n)
{
    struct chan_params p = standard(model, 5e9, hbs);
    ck_assert_ptr_null(pathloss_check(&p));
    for (int i = 0; i < n; i++) {
        double pl = pathloss_db(&p, v[i].d2d, v[i].los);
        ck_assert_msg(fabs(-pl - v[i].rx_dbm) < 0.05, "model %d d %g los %d: %.4f, ns-3 %.4f",
                      (int)model, v[i].d2d, v[i].los, -pl, v[i].rx_dbm);
    }
}

START_TEST(test_ns3_vectors)
{
    static const struct vector rma[] = {
        {10, true, -77.3784},    {100, true, -87.2965},   {1000, true, -108.5577},
        {10000, true, -140.3896}, {10, false, -77.3784},  {100, false, -95.7718},
        {1000, false, -133.5223}, {5000, false, -160.5169},
    };
    static const struct vector uma[] = {
        {10, true, -72.9380},    {100, true, -86.2362},   {1000, true, -109.7252},
        {5000, true, -137.6794}, {10, false, -82.5131},   {100, false, -106.1356},
        {1000, false, -144.7641}, {5000, false, -172.0753},
    };
    static const struct vector umi[] = {
        {10, true, -69.8591},    {100, true, -88.4122},   {1000, true, -119.3114},
        {5000, true, -147.2696}, {10, false, -76.7563},   {100, false, -107.9432},
        {1000, false, -143.1886}, {5000, false, -167.8617},
    };
    check_vectors(CHAN_PATHLOSS_RMA, 35, rma, 8);
    check_vectors(CHAN_PATHLOSS_UMA, 25, uma, 8);
    check_vectors(CHAN_PATHLOSS_UMI, 10, umi, 8);
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
    struct chan_params p = standard(CHAN_PATHLOSS_UMI, 3.5e9, 10);
    ck_assert_ptr_null(pathloss_check(&p));
    ck_assert_double_eq_tol(pathloss_db(&p, 100, false), 104.64383, 1e-4);
    ck_assert_double_eq_tol(pathloss_db(&p, 500, false), 129.26451, 1e-4);
    ck_assert_double_eq_tol(pathloss_db(&p, 5, false), 73.45686, 1e-4);
    ck_assert(pathloss_db(&p, 5, false) == pathloss_db(&p, 10, false));
    ck_assert_double_eq_tol(pathloss_db(&p, 100, true), 85.31419, 1e-4);
    ck_assert_double_eq_tol(pathloss_db(&p, 500, true), 107.10805, 1e-4);
    ck_assert_double_eq_tol(pathloss_db(&p, 5, true), 66.76103, 1e-4);
    p.carrier_hz = 0.5e9;
    p.bs_height_m = 3;
    ck_assert_ptr_null(pathloss_check(&p));
    ck_assert_double_eq_tol(pathloss_db(&p, 1000, false), 130.51596, 1e-4);
    /* NLOS is the larger of the two, so here the LOS law: the same value in either state */
    ck_assert(pathloss_db(&p, 1000, false) == pathloss_db(&p, 1000, true));
}
END_TEST

/* TR 38.901 Table 7.4.2-1 evaluated on its own (Python, double precision):
 *   d_2D   UMi          UMa (h_UT 1.5)  UMa (h_UT 20)  RMa
 *   50     0.519585414  0.649402190     0.691983205    0.960789439
 *   100    0.230984750  0.347670837     0.478346791    0.913931185
 *   200    0.093517987  0.128047730     0.325726320    0.826959134
 *   500    0.036000896  0.036344584     0.154992064    0.612626394 */
START_TEST(test_los_probability)
{
    static const double d[] = {50, 100, 200, 500};
    static const double umi[] = {0.519585414, 0.230984750, 0.093517987, 0.036000896};
    static const double uma[] = {0.649402190, 0.347670837, 0.128047730, 0.036344584};
    static const double uma20[] = {0.691983205, 0.478346791, 0.325726320, 0.154992064};
    static const double rma[] = {0.960789439, 0.913931185, 0.826959134, 0.612626394};
    struct chan_params pi = standard(CHAN_PATHLOSS_UMI, 3.5e9, 10);
    struct chan_params pa = standard(CHAN_PATHLOSS_UMA, 3.5e9, 25);
    struct chan_params pr = standard(CHAN_PATHLOSS_RMA, 3.5e9, 35);
    struct chan_params ph = pa;
    ph.ue_height_m = 20;
    for (int i = 0; i < 4; i++) {
        ck_assert_double_eq_tol(pathloss_los_probability(&pi, d[i]), umi[i], 1e-9);
        ck_assert_double_eq_tol(pathloss_los_probability(&pa, d[i]), uma[i], 1e-9);
        ck_assert_double_eq_tol(pathloss_los_probability(&ph, d[i]), uma20[i], 1e-9);
        ck_assert_double_eq_tol(pathloss_los_probability(&pr, d[i]), rma[i], 1e-9);
    }
    /* near the base station always in sight; log-distance has no LOS */
    ck_assert(pathloss_los_probability(&pi, 18) == 1 && pathloss_los_probability(&pa, 5) == 1 &&
              pathloss_los_probability(&pr, 10) == 1);
    struct chan_params pl = standard(CHAN_PATHLOSS_LOG_DISTANCE, 3.5e9, 10);
    ck_assert(pathloss_los_probability(&pl, 100) == 0 && !pathloss_has_los(&pl));
}
END_TEST

/* Non-decreasing in distance, NLOS >= LOS, LOS probability falling, at many carriers. */
START_TEST(test_invariants)
{
    static const enum chan_pathloss models[] = {CHAN_PATHLOSS_UMI, CHAN_PATHLOSS_UMA,
                                                CHAN_PATHLOSS_RMA};
    static const double hbs[] = {10, 25, 35};
    static const double fcs[] = {0.7e9, 3.5e9, 28e9};
    for (int m = 0; m < 3; m++)
        for (int f = 0; f < 3; f++) {
            struct chan_params p = standard(models[m], fcs[f], hbs[m]);
            ck_assert_ptr_null(pathloss_check(&p));
            double prev_los = -INFINITY, prev_nlos = -INFINITY, prev_pr = 2;
            for (double d = 1; d < 20000; d *= 1.01) {
                double los = pathloss_db(&p, d, true), nlos = pathloss_db(&p, d, false);
                double pr = pathloss_los_probability(&p, d);
                ck_assert_msg(isfinite(los) && los >= prev_los - 1e-9 && nlos >= prev_nlos - 1e-9,
                              "model %d fc %g d %g: %g %g", m, fcs[f], d, los, nlos);
                ck_assert(nlos >= los && pr >= 0 && pr <= 1 && pr <= prev_pr + 1e-12);
                prev_los = los;
                prev_nlos = nlos;
                prev_pr = pr;
            }
        }
}
END_TEST

START_TEST(test_check)
{
    struct chan_params p = standard(CHAN_PATHLOSS_RMA, 3.5e9, 35);
    ck_assert_ptr_null(pathloss_check(&p));
    p.carrier_hz = 31e9; /* RMa holds to 30 GHz */
    ck_assert_ptr_nonnull(pathloss_check(&p));
    p = standard(CHAN_PATHLOSS_RMA, 3.5e9, 35);
    p.ue_height_m = 11;
    ck_assert_ptr_nonnull(pathloss_check(&p));
    p = standard(CHAN_PATHLOSS_RMA, 3.5e9, 35);
    p.building_height_m = 4;
    ck_assert_ptr_nonnull(pathloss_check(&p));
    p = standard(CHAN_PATHLOSS_RMA, 3.5e9, 35);
    p.street_width_m = 51;
    ck_assert_ptr_nonnull(pathloss_check(&p));
    p = standard(CHAN_PATHLOSS_UMA, 3.5e9, 25);
    p.carrier_hz = 100e9;
    ck_assert_ptr_null(pathloss_check(&p));
    p.ue_height_m = 23;
    ck_assert_ptr_nonnull(pathloss_check(&p));
}
END_TEST

static Suite *pathloss_suite(void)
{
    return check_suite("pathloss", "references", 30,
                       (const TTest *[]){test_ns3_vectors, test_umi_pathloss, test_los_probability,
                                         test_invariants, test_check, NULL});
}

CHECK_MAIN(pathloss_suite)
