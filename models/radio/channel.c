#include "models/radio/channel.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sf_bessel.h>

#define SPEED_OF_LIGHT 299792458.0

/* ---- parameters ---------------------------------------------------------------------------- */

const char *chan_params_check(const struct chan_params *p)
{
    if (!(p->bandwidth_hz > 0))
        return "bandwidth must be > 0";
    if (!(p->speed_mps >= 0) || !(p->carrier_hz >= 0))
        return "speed and carrier frequency must be >= 0";
    switch (p->pathloss) {
    case CHAN_PATHLOSS_LOG_DISTANCE:
        if (!(p->pathloss_exponent >= 1 && p->pathloss_exponent <= 8))
            return "path-loss exponent must be in [1, 8]";
        if (!isfinite(p->pathloss_ref_db))
            return "path loss at 1 m must be finite";
        break;
    case CHAN_PATHLOSS_UMI:
        /* TR 38.901 Table 7.4.1-1 and its applicability: 0.5 <= f_c <= 100 GHz,
         * 1.5 <= h_UT <= 22.5 m (h_BS is 10 m in the standard; any height above the UE, up to
         * 100 m, is accepted) */
        if (!(p->carrier_hz >= 0.5e9 && p->carrier_hz <= 100e9))
            return "UMi path loss needs a carrier frequency in [0.5, 100] GHz";
        if (!(p->ue_height_m >= 1.5 && p->ue_height_m <= 22.5))
            return "UMi path loss needs a UE height in [1.5, 22.5] m";
        if (!(p->bs_height_m > p->ue_height_m && p->bs_height_m <= 100))
            return "UMi path loss needs a base station height above the UE's, at most 100 m";
        break;
    default:
        return "unknown path-loss model";
    }
    if (!(p->shadowing_db >= 0 && p->shadowing_db < 100))
        return "shadowing sigma must be in [0, 100) dB";
    switch (p->fading) {
    case CHAN_FADING_NONE:
    case CHAN_FADING_RAYLEIGH:
        break;
    case CHAN_FADING_RICIAN:
        if (!(p->rician_k >= 0) || isinf(p->rician_k))
            return "Rician K must be finite and >= 0";
        break;
    case CHAN_FADING_NAKAGAMI:
        if (!(p->nakagami_m >= 0.5 && p->nakagami_m <= 16 &&
              fabs(2 * p->nakagami_m - round(2 * p->nakagami_m)) < 1e-9))
            return "Nakagami m must be a multiple of 0.5 in [0.5, 16]";
        break;
    default:
        return "unknown fading model";
    }
    if (p->fading != CHAN_FADING_NONE && p->coherence_ns <= 0)
        return "coherence time must be > 0";
    if (!(p->snr_gap_db >= 0) || isinf(p->snr_gap_db))
        return "SNR gap must be finite and >= 0 dB";
    if (p->rate != CHAN_RATE_SHANNON && p->rate != CHAN_RATE_MCS)
        return "unknown rate selection (Shannon or MCS)";
    if (!(p->margin_db >= 0 && p->margin_db <= CHAN_MAX_MARGIN_DB))
        return "link-adaptation margin must be in [0, 30] dB";
    return NULL;
}

double chan_doppler_hz(const struct chan_params *p)
{
    return p->speed_mps * p->carrier_hz / SPEED_OF_LIGHT;
}

double chan_block_correlation(const struct chan_params *p)
{
    double x = 2 * M_PI * chan_doppler_hz(p) * (double)p->coherence_ns * 1e-9;
    double rho = gsl_sf_bessel_J0(x);
    /* J0 oscillates; a negative or tiny correlation means independent blocks. */
    return rho > 0 ? rho : 0;
}

/* ---- path loss ----------------------------------------------------------------------------- */

/* TR 38.901 Table 7.4.1-1, UMi street canyon NLOS (see channel.h). */
static double umi_db(const struct chan_params *p, double d2d)
{
    double fc = p->carrier_hz / 1e9, hbs = p->bs_height_m, hut = p->ue_height_m;
    if (!(d2d >= 10))
        d2d = 10;
    double dh = hbs - hut;
    double d3d = sqrt(d2d * d2d + dh * dh);
    double dbp = 4 * (hbs - 1) * (hut - 1) * p->carrier_hz / SPEED_OF_LIGHT;
    double los = d2d <= dbp
                     ? 32.4 + 21 * log10(d3d) + 20 * log10(fc)
                     : 32.4 + 40 * log10(d3d) + 20 * log10(fc) - 9.5 * log10(dbp * dbp + dh * dh);
    double nlos = 35.3 * log10(d3d) + 22.4 + 21.3 * log10(fc) - 0.3 * (hut - 1.5);
    return los > nlos ? los : nlos;
}

double chan_pathloss_db(const struct chan_params *p, double distance_m)
{
    if (p->pathloss == CHAN_PATHLOSS_UMI)
        return umi_db(p, distance_m);
    double d = distance_m > 1 ? distance_m : 1;
    return p->pathloss_ref_db + 10 * p->pathloss_exponent * log10(d);
}

/* ---- counter-based normals ----------------------------------------------------------------- */

/* SplitMix64's output function (as in sim/rng.c): a bijective 64-bit mixer with full
 * avalanche. */
static inline uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

#define GOLDEN UINT64_C(0x9e3779b97f4a7c15)

/* The block index that keys the shadowing draw: beyond any fading node (blocks are < 2^63, the
 * last anchor is at most 2^63). */
#define SHADOW_NODE UINT64_MAX

/* n unit normals of node `node` of the link keyed `key`: a SplitMix64 sequence started at the
 * hash of (key, node), two 53-bit uniforms per pair of normals, Box-Muller. A pure function of
 * (key, node, n): the first k of the n normals do not depend on n. */
static void node_normals(uint64_t key, uint64_t node, int n, double *z)
{
    uint64_t s = mix64(key ^ mix64(node + GOLDEN));
    for (int i = 0; i < n; i += 2) {
        uint64_t w1 = mix64(s += GOLDEN), w2 = mix64(s += GOLDEN);
        double u1 = (double)((w1 >> 11) + 1) * 0x1p-53; /* (0, 1] */
        double theta = (double)(w2 >> 11) * (0x1p-53 * 2 * M_PI);
        double r = sqrt(-2 * log(u1));
        z[i] = r * cos(theta);
        if (i + 1 < n)
            z[i + 1] = r * sin(theta);
    }
}

/* ---- links --------------------------------------------------------------------------------- */

static int components(const struct chan_params *p)
{
    switch (p->fading) {
    case CHAN_FADING_RAYLEIGH:
    case CHAN_FADING_RICIAN:
        return 2; /* real and imaginary part of the scattered component */
    case CHAN_FADING_NAKAGAMI:
        return (int)lround(2 * p->nakagami_m);
    case CHAN_FADING_NONE:
        break;
    }
    return 0;
}

/* D: the smallest depth whose epoch E = 2^D has rho^E == 0 in double precision (anchors E apart
 * are then exactly independent); 0 for rho = 0 and for rho = 1 (constant fading, handled by
 * mapping every block to block 0). */
static int epoch_depth(double rho)
{
    if (!(rho > 0) || rho >= 1)
        return 0;
    double lr = log(rho);
    int d = 0;
    while (d < 63 && exp(ldexp(lr, d)) > 0)
        d++;
    return d;
}

int chan_link_init(struct chan_link *l, const struct chan_params *p, uint64_t seed,
                   uint32_t replication, uint64_t id, double distance_m)
{
    memset(l, 0, sizeof *l);
    l->key = rng_key_hash(seed, replication, RNG_KIND_FADING, id);
    l->distance_m = distance_m;
    l->pl_at_m = NAN;
    if (p->shadowing_db > 0) {
        double z;
        node_normals(l->key, SHADOW_NODE, 1, &z);
        l->shadow_db = p->shadowing_db * z;
    }
    l->rho = chan_block_correlation(p);
    l->ncomp = components(p);
    l->anchor_block[0] = l->anchor_block[1] = UINT64_MAX;
    if (l->ncomp == 0)
        return 0;
    int d = l->depth = epoch_depth(l->rho);
    size_t n = (size_t)(2 * d + 2 * l->ncomp + d * l->ncomp);
    l->mem = malloc(n * sizeof *l->mem);
    if (!l->mem)
        return -ENOMEM;
    l->mean_coef = l->mem;
    l->sd_coef = l->mean_coef + d;
    l->anchor[0] = l->sd_coef + d;
    l->anchor[1] = l->anchor[0] + l->ncomp;
    l->path = l->anchor[1] + l->ncomp;
    /* level k bridges intervals of half-length s = 2^(d-1-k): r = rho^s; 1 - r^2 via expm1 so
     * that it stays accurate when rho is close to 1 */
    double lr = log(l->rho);
    for (int k = 0; k < d; k++) {
        double s = ldexp(1.0, d - 1 - k);
        double r = exp(s * lr), r2 = r * r, one_minus_r2 = -expm1(2 * s * lr);
        l->mean_coef[k] = r / (1 + r2);
        l->sd_coef[k] = sqrt(one_minus_r2 / (1 + r2));
    }
    return 0;
}

void chan_link_release(struct chan_link *l)
{
    free(l->mem);
    l->mem = NULL;
}

/* The anchor values of block `blk`: a cached slot, or the slot not holding block `keep` (the
 * other anchor of the epoch being looked at), refilled. */
static const double *anchor_at(struct chan_link *l, uint64_t blk, uint64_t keep)
{
    for (int i = 0; i < 2; i++)
        if (l->anchor_block[i] == blk)
            return l->anchor[i];
    int i = l->anchor_block[0] == keep ? 1 : 0;
    node_normals(l->key, blk, l->ncomp, l->anchor[i]);
    l->anchor_block[i] = blk;
    return l->anchor[i];
}

/* The fading components at block b (ncomp values, valid until the next query). */
static const double *state_at(struct chan_link *l, uint64_t b)
{
    int d = l->depth, n = l->ncomp;
    uint64_t mask = (UINT64_C(1) << d) - 1;
    uint64_t m = b & mask, base = b - m, end = base + mask + 1;
    const double *left = anchor_at(l, base, end);
    if (m == 0)
        return left;
    const double *right = anchor_at(l, end, base);

    /* level k's interval has length 2^(d-k); m is the midpoint of its level-lm interval */
    int lm = d - 1 - __builtin_ctzll(m);
    int start = 0;
    if (l->path_base == base && l->path_valid > 0) {
        uint64_t diff = m ^ l->path_offset;
        /* levels above the highest differing bit hold the same intervals */
        int shared = diff ? d - (63 - __builtin_clzll(diff)) : d;
        start = shared < l->path_valid ? shared : l->path_valid;
    }
    if (lm < start)
        return l->path + (size_t)lm * n;

    /* the ends of the level-`start` interval are anchors or midpoints of levels above */
    uint64_t len = UINT64_C(1) << (d - start);
    uint64_t lo = m & ~(len - 1), hi = lo + len;
    const double *xlo = lo == 0 ? left : l->path + (size_t)(d - 1 - __builtin_ctzll(lo)) * n;
    const double *xhi =
        hi == mask + 1 ? right : l->path + (size_t)(d - 1 - __builtin_ctzll(hi)) * n;
    double z[CHAN_MAX_COMPONENTS];
    for (int k = start;; k++) {
        uint64_t mid = lo + (UINT64_C(1) << (d - 1 - k));
        double *x = l->path + (size_t)k * n, a = l->mean_coef[k], s = l->sd_coef[k];
        node_normals(l->key, base + mid, n, z);
        for (int c = 0; c < n; c++)
            x[c] = a * (xlo[c] + xhi[c]) + s * z[c];
        if (mid == m)
            break;
        if (m < mid) {
            hi = mid;
            xhi = x;
        } else {
            lo = mid;
            xlo = x;
        }
    }
    l->path_base = base;
    l->path_offset = m;
    l->path_valid = lm + 1;
    return l->path + (size_t)lm * n;
}

static const double *components_at(struct chan_link *l, const struct chan_params *p, int64_t t_ns)
{
    /* no Doppler: every block is block 0 */
    uint64_t b = t_ns > 0 && l->rho < 1 ? (uint64_t)(t_ns / p->coherence_ns) : 0;
    return state_at(l, b);
}

int chan_fading_components(struct chan_link *l, const struct chan_params *p, int64_t t_ns,
                           double *x)
{
    if (l->ncomp == 0)
        return 0;
    memcpy(x, components_at(l, p, t_ns), (size_t)l->ncomp * sizeof *x);
    return l->ncomp;
}

double chan_fading_gain(struct chan_link *l, const struct chan_params *p, int64_t t_ns)
{
    if (p->fading == CHAN_FADING_NONE || l->ncomp == 0)
        return 1.0;
    const double *x = components_at(l, p, t_ns);
    double g;
    if (p->fading == CHAN_FADING_NAKAGAMI) {
        double s = 0;
        for (int i = 0; i < l->ncomp; i++)
            s += x[i] * x[i];
        g = s / (2 * p->nakagami_m);
    } else {
        /* scattered part CN(0, 1): components are unit normals, each carrying variance 1/2 */
        double re = x[0] * M_SQRT1_2, im = x[1] * M_SQRT1_2;
        if (p->fading == CHAN_FADING_RICIAN) {
            double k = p->rician_k;
            re = sqrt(k / (k + 1)) + sqrt(1 / (k + 1)) * re;
            im = sqrt(1 / (k + 1)) * im;
        }
        g = re * re + im * im;
    }
    return g > 1e-30 ? g : 1e-30;
}

double chan_snr(struct chan_link *l, const struct chan_params *p, int64_t t_ns,
                double bandwidth_share)
{
    double b = p->bandwidth_hz * bandwidth_share;
    double noise_dbm = p->noise_psd_dbm_hz + p->noise_figure_db + 10 * log10(b);
    if (l->distance_m != l->pl_at_m) {
        l->pl_at_m = l->distance_m;
        l->pl_db = chan_pathloss_db(p, l->distance_m);
    }
    double rx_dbm = p->tx_power_dbm - l->pl_db - l->shadow_db;
    return pow(10, (rx_dbm - noise_dbm) / 10) * chan_fading_gain(l, p, t_ns);
}

/* ---- rates and packet loss ----------------------------------------------------------------- */

/* log2(1 + snr / gap), accurate for small SNR (log1p), so > 0 for any snr > 0. */
static double shannon_efficiency(const struct chan_params *p, double snr)
{
    return log1p(snr / pow(10, p->snr_gap_db / 10)) / M_LN2;
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
 * variation of the SNR within a block. */
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
