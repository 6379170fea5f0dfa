/*
 * channel — a UE's wireless link: path loss, shadowing, small-scale fading, SNR, link adaptation
 * (rate selection) and packet loss, evaluated lazily.
 *
 * Concept: the received SNR of a link is
 *     SNR_dB = P_tx - PL(d) - S + 10 log10 |h|^2 - (N_0 + NF + 10 log10 B_share)
 * Path loss PL (chan_pathloss_db) is one of
 *   - log-distance: PL(d) = PL(d_0) + 10 n log10(d / d_0), d_0 = 1 m, d clamped to >= 1 m;
 *   - UMi: 3GPP TR 38.901 Table 7.4.1-1, urban micro street canyon, NLOS:
 *         PL = max(PL_LOS(d_3D), 35.3 log10 d_3D + 22.4 + 21.3 log10 f_c - 0.3 (h_UT - 1.5))
 *     with the LOS formula and its breakpoint,
 *         PL_LOS = 32.4 + 21 log10 d_3D + 20 log10 f_c                     d_2D <= d'_BP
 *                  32.4 + 40 log10 d_3D + 20 log10 f_c
 *                       - 9.5 log10(d'_BP^2 + (h_BS - h_UT)^2)              d_2D >  d'_BP
 *         d'_BP = 4 (h_BS - 1 m)(h_UT - 1 m) f_c / c,  d_3D = sqrt(d_2D^2 + (h_BS - h_UT)^2),
 *     f_c in GHz in the formulas (in Hz in d'_BP), d_2D the link's distance clamped to >= 10 m
 *     (beyond the standard's 5 km the formula is extrapolated). The standard pairs this model
 *     with 7.82 dB of shadowing; here shadowing stays the separate parameter shadowing_db, so a
 *     scenario that wants the standard's value sets it.
 * Shadowing S ~ N(0, sigma^2) in dB is drawn once per link (it changes over metres, not
 * milliseconds). Small-scale fading |h|^2 has unit mean:
 *     Rayleigh   h ~ CN(0, 1)                         |h|^2 ~ Exp(1)
 *     Rician     h = sqrt(K/(K+1)) + sqrt(1/(K+1)) w   mean 1, var (2K+1)/(K+1)^2
 *     Nakagami-m |h|^2 = (1/2m) sum of 2m squared unit normals  ~ Gamma(m, 1/m)
 * (m a multiple of 1/2 between 1/2 and 16), built from n Gaussian components x_c (2 for Rayleigh
 * and Rician, 2m for Nakagami). Fading is constant over a coherence block b = floor(t / T) and
 * each component is a stationary Gaussian AR(1) chain over block indices: unit variance,
 * Cov(x_c(a), x_c(b)) = rho^|a-b|, with the Clarke/Jakes correlation rho = J0(2 pi f_D T)
 * (clamped at 0) for Doppler f_D = v f_c / c; components are independent of each other.
 *
 * Fading construction (exact, and independent of the queries): blocks are grouped into epochs
 * of E = 2^D blocks, D the smallest value for which rho^E underflows to 0 in double precision,
 * so the anchors x(jE) are exactly independent unit normals (for rho = 0, E = 1: every block is
 * an anchor; for rho = 1, no Doppler, every block has the value of block 0). Inside an epoch the
 * value at offset m is drawn by dyadic Gaussian bridging from the anchors: the midpoint of an
 * interval [a, a + 2s] of known ends is, by the Markov property of the chain,
 *     x(a + s) | x(a), x(a + 2s) ~ N(r (x(a) + x(a + 2s)) / (1 + r^2), (1 - r^2) / (1 + r^2)),
 *     r = rho^s,
 * the law of the AR(1) chain restricted to the dyadic points; so the joint law of any set of
 * blocks is exactly the AR(1) law. Every normal used, anchor or bridge, is a counter-based
 * draw: SplitMix64 hashing of (the link's key rng_key_hash(seed, replication, FADING, id), the
 * block index of the node) then Box-Muller, one pair of components per hash pair. Hence the
 * fading of a link at block b is a function of (seed, replication, link id, component, b) only:
 * bit-for-bit the same whatever was queried before, in any order, so two policies that look at
 * the channel at different times see the same fading (common random numbers). A query costs at
 * most D bridge steps per component (D <= 63; D is 13 for rho = 0.9 and about 20 for
 * rho = 0.999); the link caches the anchors and the last bisection path, so a query a few blocks
 * after the previous one redoes only the bottom levels, about one normal per component and block
 * advanced. Links cost nothing while idle: 10,000 UEs need no periodic events.
 *
 * Rates and loss. chan_rate_bps: Shannon with an SNR gap, R = B log2(1 + SNR / Gamma), and
 * chan_outage: a packet sent at a fixed rate R over a block of capacity C is lost when R > C.
 * Link adaptation (chan_select) picks a spectral efficiency from an SNR estimate backed off by
 * margin_db: Shannon (log2(1 + SNR' / Gamma)) or the highest CQI of 3GPP TS 38.214 Table
 * 5.2.2.1-2 (CQI table 1, QPSK to 64QAM) whose 10 %-BLER AWGN threshold the backed-off SNR
 * meets. chan_packet_error gives the loss probability of a packet sent with that selection over
 * a block of a given SNR: block-fading outage for Shannon (0 or 1); for MCS a logistic BLER in
 * dB around the CQI's threshold, BLER = 1 / (1 + 9 exp(a (SNR_dB - thr_dB))), 10 % at the
 * threshold, a = CHAN_BLER_SLOPE_PER_DB (thresholds and shape documented in channel.c).
 *
 * Invariants: a link's draws depend only on its key (seed, replication, FADING, id), never on
 * other links nor on when or how often anything was queried; the fading at block b is the same,
 * bit for bit, for every pattern of queries (times may go back, at the price of recomputing the
 * bisection path); |h|^2 > 0; chan_select gives an efficiency > 0, monotone non-decreasing in the
 * SNR; chan_packet_error is in [0, 1] and non-increasing in the SNR of the block.
 */
#ifndef SPLITSIM_MODELS_CHANNEL_H
#define SPLITSIM_MODELS_CHANNEL_H

#include <stdint.h>

#include "sim/rng.h"

enum chan_fading {
    CHAN_FADING_NONE,
    CHAN_FADING_RAYLEIGH,
    CHAN_FADING_RICIAN,
    CHAN_FADING_NAKAGAMI,
};

enum chan_pathloss {
    CHAN_PATHLOSS_LOG_DISTANCE, /* pathloss_ref_db + 10 n log10(d) */
    CHAN_PATHLOSS_UMI,          /* 3GPP TR 38.901 UMi street canyon NLOS */
};

enum chan_rate {
    CHAN_RATE_SHANNON, /* log2(1 + SNR / gap) */
    CHAN_RATE_MCS,     /* CQI table 1 of 3GPP TS 38.214 */
};

#define CHAN_MAX_COMPONENTS    32 /* Gaussian components of the fading state (Nakagami 2m) */
#define CHAN_CQI_MAX           15
#define CHAN_BLER_SLOPE_PER_DB 1.5 /* slope a of the logistic BLER curve (see channel.c) */
#define CHAN_MAX_MARGIN_DB     30  /* largest accepted link-adaptation back-off */

struct chan_params {
    double carrier_hz;   /* Doppler; UMi path loss (0.5 to 100 GHz there) */
    double bandwidth_hz; /* the cell's bandwidth */
    double tx_power_dbm;
    double noise_psd_dbm_hz; /* thermal noise density, e.g. -174 */
    double noise_figure_db;
    enum chan_pathloss pathloss;
    double pathloss_ref_db;   /* log-distance: path loss at 1 m */
    double pathloss_exponent; /* log-distance: n */
    double bs_height_m;       /* UMi: base station antenna height (standard: 10 m) */
    double ue_height_m;       /* UMi: UE antenna height, 1.5 to 22.5 m */
    double shadowing_db;      /* sigma of log-normal shadowing (UMi NLOS standard: 7.82) */
    enum chan_fading fading;
    double rician_k;      /* linear K factor */
    double nakagami_m;    /* multiple of 0.5 in [0.5, 16] */
    double speed_mps;     /* UE speed, for the Doppler frequency */
    int64_t coherence_ns; /* block length */
    double snr_gap_db;    /* Shannon gap, >= 0 */
    enum chan_rate rate;  /* link adaptation: Shannon or MCS table */
    double margin_db;     /* link-adaptation back-off, 0 to CHAN_MAX_MARGIN_DB */
};

/* A link. distance_m and shadow_db may be read; the other members are the module's own. A link
 * owns memory (chan_link_release frees it) and caches: do not copy one by value. */
struct chan_link {
    uint64_t key; /* rng_key_hash(seed, replication, FADING, id) */
    double distance_m;
    double shadow_db; /* drawn once */
    /* The path loss at distance pl_at_m, cached (a link serves both directions, whose path-loss
     * parameters are the same; NaN until the first query). */
    double pl_at_m, pl_db;
    double rho;       /* block-to-block correlation of each Gaussian component */
    int ncomp;        /* Gaussian components of the fading state */
    int depth;        /* D: epochs of 2^D blocks, whose anchors are independent */
    /* Caches (values are functions of the key and block only, so caching never changes them): */
    uint64_t anchor_block[2]; /* blocks of the two cached anchors, UINT64_MAX when none */
    uint64_t path_base;       /* first block of the epoch of the cached bisection path */
    uint64_t path_offset;     /* offset in the epoch whose path is cached */
    int path_valid;           /* levels [0, path_valid) of the path are valid */
    double *mem;              /* one allocation holding the arrays below */
    double *mean_coef;        /* [depth]: r / (1 + r^2) at each level, r = rho^(half-length) */
    double *sd_coef;          /* [depth]: sqrt((1 - r^2) / (1 + r^2)) */
    double *anchor[2];        /* [ncomp] each */
    double *path;             /* [depth][ncomp]: midpoint of each level */
};

/* Link adaptation: what a transmission is sent with. */
struct chan_selection {
    int cqi;           /* 1..15 for MCS, 0 for Shannon */
    double efficiency; /* bit/s/Hz > 0 */
    double snr_db;     /* the SNR estimate the choice was made from (dB, before the back-off) */
};

/* Checks parameters; returns NULL or a message saying what is wrong. */
const char *chan_params_check(const struct chan_params *p);

/* Initialises link `id` of replication `replication` (key (FADING, id)) at distance d (the 2D
 * distance to the base station for UMi). 0, or -ENOMEM. */
int chan_link_init(struct chan_link *l, const struct chan_params *p, uint64_t seed,
                   uint32_t replication, uint64_t id, double distance_m);
void chan_link_release(struct chan_link *l);

/* Doppler frequency and the block correlation J0(2 pi f_D T), clamped at 0. */
double chan_doppler_hz(const struct chan_params *p);
double chan_block_correlation(const struct chan_params *p);

/* Path loss (dB) at distance d, by p->pathloss (log-distance: d clamped to >= 1 m; UMi: d is the
 * 2D distance, clamped to >= 10 m). */
double chan_pathloss_db(const struct chan_params *p, double distance_m);

/* |h|^2 at time t (t < 0 counts as 0). Any order of times is allowed; forward queries a few
 * blocks apart are the cheapest. */
double chan_fading_gain(struct chan_link *l, const struct chan_params *p, int64_t t_ns);

/* The Gaussian components (each N(0, 1)) of the fading at time t: writes them to
 * x[0 .. n) and returns n (0 without fading; x needs room for CHAN_MAX_COMPONENTS). */
int chan_fading_components(struct chan_link *l, const struct chan_params *p, int64_t t_ns,
                           double *x);

/* SNR (linear) at time t with a share `bandwidth_share` in (0, 1] of the cell's bandwidth. */
double chan_snr(struct chan_link *l, const struct chan_params *p, int64_t t_ns,
                double bandwidth_share);

/* Shannon rate with gap, bit/s, for SNR (linear) over bandwidth B. */
double chan_rate_bps(const struct chan_params *p, double snr, double bandwidth_hz);

/* True when a packet sent at `rate_bps` over bandwidth B at this SNR is lost (rate above the
 * block's capacity). */
static inline int chan_outage(const struct chan_params *p, double snr, double bandwidth_hz,
                              double rate_bps)
{
    return rate_bps > chan_rate_bps(p, snr, bandwidth_hz);
}

/* Link adaptation: the rate chosen for a transmission from an SNR estimate (linear), backed off
 * by p->margin_db (SNR' = SNR / 10^(margin/10)). Shannon: efficiency log2(1 + SNR' / gap),
 * clipped to the range of practical modulation and coding, [CHAN_MIN_EFFICIENCY,
 * CHAN_MAX_EFFICIENCY] (CQI 1 and CQI 15 of the table below): no radio sends slower than its
 * lowest MCS (below it, packets are in outage) or faster than 64QAM at rate 0.93. MCS: the
 * highest CQI of 3GPP TS 38.214 Table 5.2.2.1-2 whose 10 %-BLER SNR threshold is <= SNR' in dB
 * (CQI 1 when none). */
#define CHAN_MIN_EFFICIENCY 0.1523 /* bit/s/Hz: CQI 1, QPSK at code rate 78/1024 */
#define CHAN_MAX_EFFICIENCY 5.5547 /* bit/s/Hz: CQI 15, 64QAM at code rate 948/1024 */
void chan_select(const struct chan_params *p, double snr, struct chan_selection *s);

/* Probability that one packet sent with selection s is lost when the SNR during its block is
 * `snr` (linear). Shannon: 1 when log2(1 + snr / gap) < s->efficiency, else 0 (block-fading
 * outage). MCS: 1 / (1 + 9 exp(a (snr_dB - thr_dB(s->cqi)))), a = CHAN_BLER_SLOPE_PER_DB; 1 for
 * a CQI outside 1..15. */
double chan_packet_error(const struct chan_params *p, const struct chan_selection *s, double snr);

/* The spectral efficiency (bit/s/Hz) and the 10 %-BLER AWGN SNR threshold (dB) of CQI 1..15 of
 * CQI table 1; NaN outside 1..15. */
double chan_cqi_efficiency(int cqi);
double chan_cqi_threshold_db(int cqi);

#endif
