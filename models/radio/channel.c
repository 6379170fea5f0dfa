#include "models/radio/channel.h"

#include "models/radio/draws.h"
#include "models/radio/pathloss.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#define SPEED_OF_LIGHT 299792458.0

/* ---- parameters ---------------------------------------------------------------------------- */

const char *chan_params_check(const struct chan_params *p)
{
    if (!(p->bandwidth_hz > 0))
        return "bandwidth must be > 0";
    if (!(p->carrier_hz >= 0) || isinf(p->carrier_hz))
        return "carrier frequency must be finite and >= 0";
    if (!(p->environment_doppler_hz >= 0) || isinf(p->environment_doppler_hz))
        return "environment Doppler must be finite and >= 0";
    const char *why = pathloss_check(p);
    if (why)
        return why;
    if (!(p->shadowing_db >= 0 && p->shadowing_db < 100) ||
        !(p->shadowing_los_db >= 0 && p->shadowing_los_db < 100))
        return "shadowing sigma must be in [0, 100) dB";
    if (!(p->shadow_decorrelation_m >= 1 && p->shadow_decorrelation_m <= 1e5) ||
        !(p->shadow_decorrelation_los_m >= 1 && p->shadow_decorrelation_los_m <= 1e5) ||
        !(p->los_decorrelation_m >= 1 && p->los_decorrelation_m <= 1e5))
        return "decorrelation distances must be in [1 m, 100 km]";
    if (p->los_mode != CHAN_LOS_PROBABILITY && p->los_mode != CHAN_LOS_ALWAYS &&
        p->los_mode != CHAN_LOS_NEVER)
        return "unknown line-of-sight mode";
    switch (p->fading) {
    case CHAN_FADING_NONE:
    case CHAN_FADING_RAYLEIGH:
        break;
    case CHAN_FADING_RICIAN:
        if (!(p->rician_k >= 0) || isinf(p->rician_k))
            return "Rician K must be finite and >= 0";
        break;
    case CHAN_FADING_NAKAGAMI:
        if (!(p->nakagami_m >= 0.5 && p->nakagami_m <= CHAN_NAKAGAMI_MAX_M))
            return "Nakagami m must be in [0.5, 16]";
        break;
    default:
        return "unknown fading model";
    }
    if (p->fading != CHAN_FADING_NONE && !(p->carrier_hz > 0))
        return "fading needs a carrier frequency > 0 (the Doppler shift)";
    if (!(p->snr_gap_db >= 0) || isinf(p->snr_gap_db))
        return "SNR gap must be finite and >= 0 dB";
    if (p->rate != CHAN_RATE_SHANNON && p->rate != CHAN_RATE_MCS)
        return "unknown rate selection (Shannon or MCS)";
    if (!(p->margin_db >= 0 && p->margin_db <= CHAN_MAX_MARGIN_DB))
        return "link-adaptation margin must be in [0, 30] dB";
    return NULL;
}

double chan_doppler_hz(const struct chan_params *p, double speed_mps)
{
    return speed_mps * p->carrier_hz / SPEED_OF_LIGHT + p->environment_doppler_hz;
}

/* ---- counter-based draws -------------------------------------------------------------------- */

/* The nodes that key a link's draws (the shadowing's is the one the block-fading model used,
 * so shadowing values are unchanged). */
#define SHADOW_NODE UINT64_MAX
#define SOS_NODE    (UINT64_MAX - 1)
#define LOS_NODE    (UINT64_MAX - 2)

double chan_cos2pi(double x)
{
    return cos2pi(x);
}

/* ---- links --------------------------------------------------------------------------------- */

int chan_link_init(struct chan_link *l, const struct chan_params *p, uint64_t seed,
                   uint32_t replication, uint64_t id, double distance_m)
{
    memset(l, 0, sizeof *l);
    l->key = rng_key_hash(seed, replication, RNG_KIND_FADING, id);
    l->x_m = l->distance_m = distance_m;
    l->ls_x = l->ls_y = NAN;
    if (p->fading == CHAN_FADING_NONE)
        return 0;
    /* Zheng & Xiao's statistical model: per path an angle in its own stratum of the quarter
     * circle, a Doppler phase and a complex weight's angle, all uniform; then the
     * line-of-sight path's angle and phase (drawn whatever the model, so that the scattered
     * paths are the same for Rayleigh, Rician and Nakagami links of the same key) */
    const int m = CHAN_SINUSOIDS;
    const double w = sqrt(2.0 / m);
    uint64_t s = seq_start(l->key, SOS_NODE);
    l->nsin = m;
    l->cycles_per_m = p->carrier_hz / SPEED_OF_LIGHT;
    for (int n = 0; n < m; n++) {
        double u = seq_uniform(&s), phi = seq_uniform(&s), psi = 2 * M_PI * seq_uniform(&s);
        l->cos_alpha[n] = cos(M_PI_2 * ((double)n + u) / m);
        l->phase[n] = phi;
        l->w_re[n] = w * cos(psi);
        l->w_im[n] = w * sin(psi);
    }
    l->los_cos = cos(2 * M_PI * seq_uniform(&s));
    l->los_phase = seq_uniform(&s);
    return 0;
}

/* ---- large-scale fading --------------------------------------------------------------------- */

/* The area's fields: 0 the LOS state, 1 the LOS shadowing, 2 the NLOS (or only) shadowing. */
void chan_area_init(struct chan_area *a, const struct chan_params *p, uint64_t seed,
                    uint32_t replication)
{
    spatial_field_init(&a->los, rng_key_hash(seed, replication, RNG_KIND_AREA, 0),
                       p->los_decorrelation_m);
    spatial_field_init(&a->shadow_los, rng_key_hash(seed, replication, RNG_KIND_AREA, 1),
                       p->shadow_decorrelation_los_m);
    spatial_field_init(&a->shadow_nlos, rng_key_hash(seed, replication, RNG_KIND_AREA, 2),
                       p->shadow_decorrelation_m);
}

void chan_link_set_area(struct chan_link *l, const struct chan_area *a)
{
    l->area = a;
    l->ls_x = l->ls_y = NAN;
}

void chan_link_move(struct chan_link *l, double x_m, double y_m)
{
    l->x_m = x_m;
    l->y_m = y_m;
    l->distance_m = hypot(x_m, y_m);
}

/* A link's uniform for its LOS state (no area): the first word of its LOS node. */
static double node_uniform(uint64_t key, uint64_t node)
{
    uint64_t s = seq_start(key, node);
    return seq_uniform(&s);
}

static bool los_state(const struct chan_link *l, const struct chan_params *p)
{
    if (!pathloss_has_los(p) || p->los_mode == CHAN_LOS_NEVER)
        return false;
    if (p->los_mode == CHAN_LOS_ALWAYS)
        return true;
    double u = l->area ? spatial_uniform(&l->area->los, l->x_m, l->y_m)
                       : node_uniform(l->key, LOS_NODE);
    return u < pathloss_los_probability(p, l->distance_m);
}

void chan_link_large_scale(struct chan_link *l, const struct chan_params *p)
{
    if (l->x_m == l->ls_x && l->y_m == l->ls_y)
        return;
    l->ls_x = l->x_m;
    l->ls_y = l->y_m;
    l->los = los_state(l, p);
    l->pl_db = pathloss_db(p, l->distance_m, l->los);
    double sigma = l->los ? p->shadowing_los_db : p->shadowing_db;
    if (!(sigma > 0))
        l->shadow_db = 0;
    else if (!l->area)
        l->shadow_db = sigma * node_normal(l->key, SHADOW_NODE);
    else
        l->shadow_db = sigma * spatial_field_at(l->los ? &l->area->shadow_los : &l->area->shadow_nlos,
                                                l->x_m, l->y_m);
}

/* ---- small-scale fading --------------------------------------------------------------------- */

/* A(t) = s(t) f_c / c + f_env t: the Doppler phase of the largest shift, in cycles. */
static double doppler_cycles(const struct chan_link *l, const struct chan_params *p, int64_t t_ns,
                             double travelled_m)
{
    double t = t_ns > 0 ? (double)t_ns * 1e-9 : 0;
    return travelled_m * l->cycles_per_m + p->environment_doppler_hz * t;
}

/* h_s at Doppler phase a. The cosines' loop vectorises (2 lanes, or 4 in the AVX2 clone picked
 * at run time where the processor has one: the same operations without fused multiply-adds, so
 * the same bits either way). */
__attribute__((target_clones("avx2", "default"))) static void
scatter(const struct chan_link *l, double a, double *re, double *im)
{
    double c[CHAN_SINUSOIDS], x = 0, y = 0;
    for (int n = 0; n < CHAN_SINUSOIDS; n++)
        c[n] = cos2pi(a * l->cos_alpha[n] + l->phase[n]);
    for (int n = 0; n < l->nsin; n++) {
        x += l->w_re[n] * c[n];
        y += l->w_im[n] * c[n];
    }
    *re = x;
    *im = y;
}

void chan_fading_scatter(const struct chan_link *l, const struct chan_params *p, int64_t t_ns,
                         double travelled_m, double *re, double *im)
{
    scatter(l, doppler_cycles(l, p, t_ns, travelled_m), re, im);
}

/* The Gamma(m, 1/m) quantile of the Exp(1) power e's CDF value, 1 - exp(-e): through the lower
 * tail below the median (precise for deep fades), the upper one above (GSL's Qinv never fails;
 * its Pinv converges on this side for m in [0.5, 16], which the channel test checks). */
static double nakagami_power(double e, double m)
{
    if (m == 1)
        return e;
    return e < M_LN2 ? gsl_cdf_gamma_Pinv(-expm1(-e), m, 1 / m)
                     : gsl_cdf_gamma_Qinv(exp(-e), m, 1 / m);
}

double chan_fading_gain(const struct chan_link *l, const struct chan_params *p, int64_t t_ns,
                        double travelled_m)
{
    if (p->fading == CHAN_FADING_NONE || l->nsin == 0)
        return 1.0;
    double a = doppler_cycles(l, p, t_ns, travelled_m), re, im, g;
    scatter(l, a, &re, &im);
    if (p->fading == CHAN_FADING_RICIAN) {
        double k = p->rician_k, u = a * l->los_cos + l->los_phase;
        double los = sqrt(k / (k + 1)), sc = sqrt(1 / (k + 1));
        re = los * cos2pi(u) + sc * re;
        im = los * cos2pi(u - 0.25) + sc * im; /* sin(2 pi u) */
    }
    g = re * re + im * im;
    if (p->fading == CHAN_FADING_NAKAGAMI)
        g = nakagami_power(g, p->nakagami_m);
    return g > 1e-30 ? g : 1e-30;
}

double chan_mean_snr(struct chan_link *l, const struct chan_params *p, double bandwidth_share)
{
    double b = p->bandwidth_hz * bandwidth_share;
    double noise_dbm = p->noise_psd_dbm_hz + p->noise_figure_db + 10 * log10(b);
    chan_link_large_scale(l, p);
    double rx_dbm = p->tx_power_dbm - l->pl_db - l->shadow_db;
    return pow(10, (rx_dbm - noise_dbm) / 10);
}

double chan_snr(struct chan_link *l, const struct chan_params *p, int64_t t_ns, double travelled_m,
                double bandwidth_share)
{
    return chan_mean_snr(l, p, bandwidth_share) * chan_fading_gain(l, p, t_ns, travelled_m);
}

/* ---- rates and packet loss ----------------------------------------------------------------- */

/* log2(1 + snr / gap), accurate for small SNR (log1p), so > 0 for any snr > 0. */
static double shannon_efficiency(const struct chan_params *p, double snr)
{
    /* (no gap, the default: pow(10, 0) is exactly 1, so skipping it changes nothing) */
    return log1p(p->snr_gap_db == 0 ? snr : snr / pow(10, p->snr_gap_db / 10)) / M_LN2;
}

double chan_rate_bps(const struct chan_params *p, double snr, double bandwidth_hz)
{
    return bandwidth_hz * shannon_efficiency(p, snr);
}

/* CQI table 1 of 3GPP TS 38.214 (Table 5.2.2.1-2; the same as LTE's TS 36.213 Table 7.2.3-1):
 * efficiency = modulation order x code rate / 1024, as printed in the table.
 * CQI 1-6 QPSK (code rates 78, 120, 193, 308, 449, 602 / 1024), 7-9 16QAM (378, 490, 616),
 * 10-15 64QAM (466, 567, 666, 772, 873, 948).
 *
 * 10 %-BLER SNR thresholds: AWGN link-level values for the LTE CQIs (same modulation and code
 * rates), single antenna, from the Vienna LTE link-level simulator as tabulated by Kawser et al.,
 * "Downlink SNR to CQI Mapping for Different Multiple Antenna Techniques in LTE", IJIEE 2(5), 2012,
 * and widely reused in system-level simulators: -6.7 dB (CQI 1) to 22.7 dB (CQI 15), about 2 dB
 * per step. They are approximations for NR's LDPC codes, which perform within a fraction of a dB
 * of LTE's turbo codes at these rates. */
static const double cqi_efficiency[CHAN_CQI_MAX + 1] = {
    0,      0.1523, 0.2344, 0.3770, 0.6016, 0.8770, 1.1758, 1.4766,
    1.9141, 2.4063, 2.7305, 3.3223, 3.9023, 4.5234, 5.1152, 5.5547,
};
static const double cqi_threshold_db[CHAN_CQI_MAX + 1] = {
    0, -6.7, -4.7, -2.3, 0.2, 2.4, 4.3, 5.9, 8.1, 10.3, 11.7, 14.1, 16.3, 18.7, 21.0, 22.7,
};

double chan_cqi_efficiency(int cqi)
{
    return cqi >= 1 && cqi <= CHAN_CQI_MAX ? cqi_efficiency[cqi] : (double)NAN;
}

double chan_cqi_threshold_db(int cqi)
{
    return cqi >= 1 && cqi <= CHAN_CQI_MAX ? cqi_threshold_db[cqi] : (double)NAN;
}

void chan_select(const struct chan_params *p, double snr, struct chan_selection *s)
{
    double snr_db = 10 * log10(snr);
    s->snr_db = snr_db;
    if (p->rate == CHAN_RATE_MCS) {
        double backed_off_db = snr_db - p->margin_db;
        int cqi = CHAN_CQI_MAX;
        while (cqi > 1 && !(cqi_threshold_db[cqi] <= backed_off_db))
            cqi--;
        s->cqi = cqi;
        s->efficiency = cqi_efficiency[cqi];
    } else {
        /* pow(10, -0.0) is exactly 1: with no margin the selection is made at `snr` itself */
        double e = shannon_efficiency(p, snr * pow(10, -p->margin_db / 10));
        s->cqi = 0;
        s->efficiency = e < CHAN_MIN_EFFICIENCY   ? CHAN_MIN_EFFICIENCY
                        : e > CHAN_MAX_EFFICIENCY ? CHAN_MAX_EFFICIENCY
                                                  : e;
    }
}

/* MCS BLER: a logistic curve in dB, BLER = 1 / (1 + 9 exp(a (snr_dB - thr_dB))), fixed to 10 %
 * at the CQI's threshold. Logistic (sigmoid) fits of AWGN BLER-versus-SNR waterfall curves are a
 * common link-to-system abstraction; the slope a = 1.5 per dB takes the BLER from 90 % (2.9 dB
 * below the threshold) to 1 % (1.6 dB above): a deliberately gentle waterfall, steeper curves
 * (long LDPC blocks in AWGN fall over 1-2 dB) being optimistic for short packets and for the
 * variation of the SNR within a packet. */
double chan_packet_error(const struct chan_params *p, const struct chan_selection *s, double snr)
{
    if (p->rate == CHAN_RATE_MCS) {
        if (s->cqi < 1 || s->cqi > CHAN_CQI_MAX)
            return 1.0;
        double x = CHAN_BLER_SLOPE_PER_DB * (10 * log10(snr) - cqi_threshold_db[s->cqi]);
        return 1 / (1 + 9 * exp(x));
    }
    return shannon_efficiency(p, snr) < s->efficiency ? 1.0 : 0.0;
}
