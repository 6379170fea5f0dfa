/*
 * channel — a UE's wireless link: path loss, shadowing, small-scale fading, SNR, link adaptation
 * (rate selection) and packet loss, evaluated lazily.
 *
 * Concept: the received SNR of a link is
 *     SNR_dB = P_tx - PL(d) - S + 10 log10 |h(t)|^2 - (N_0 + NF + 10 log10 B_share)
 * Large-scale fading (chan_mean_snr): the path loss PL and the line-of-sight state come from
 * pathloss.h (log-distance, or 3GPP TR 38.901 UMi-Street Canyon, UMa, RMa with their LOS and
 * NLOS laws and LOS probability); the shadowing S is sigma_state x F(x, y), F a unit Gaussian
 * field with Gudmundson's exponential correlation exp(-d / L_state) (spatial.h), sigma and L
 * per state (the standard's: UMi 4 / 7.82 dB, 10 / 13 m; UMa 4 / 6 dB, 37 / 50 m; RMa 4 / 8 dB,
 * 37 / 120 m for LOS / NLOS). The LOS state (los_mode probability) is the 38.901 §7.6.3.3
 * spatially consistent draw: LOS where Phi(F_LOS(x, y)) < Pr_LOS(d_2D), F_LOS a field of
 * decorrelation los_decorrelation_m (50 / 50 / 60 m); always or never force it. The fields
 * belong to the base station's area (struct chan_area, keys (seed, replication, AREA, field)):
 * every link of the area sees the same field, so UEs close together have correlated shadowing
 * and LOS states, and a moving UE's shadowing and state change with its position, as the
 * standard's spatial consistency asks. A link without an area (chan_link_init alone: unit
 * tests, single links) draws its shadowing N(0, 1) and its LOS uniform once from its own key
 * and keeps them. Both are recomputed only when the link's position changes (exact: they are
 * functions of the position).
 *
 * Small-scale fading (docs/MODELS.md has the derivations and the validation): a sum of
 * sinusoids in the statistical form of Zheng and Xiao (IEEE Trans. Commun. 51(6), 2003; Xiao,
 * Zheng and Beaulieu, IEEE Trans. Wireless Commun. 5(12), 2006), driven by the distance the UE
 * has travelled. With M = CHAN_SINUSOIDS paths,
 *     h_s(t) = sqrt(2 / M) sum_n exp(j psi_n) cos(2 pi A(t) cos(alpha_n) + phi_n),
 *     alpha_n = (pi / 2) (n + u_n) / M   (n = 0 .. M-1, one arrival angle per quarter-circle
 *                                         stratum; cos(beta) carries both +-f_D cos(alpha_n)),
 *     A(t) = s(t) f_c / c + f_env t      (cycles of the largest Doppler shift),
 * u_n, phi_n, psi_n independent and uniform, s(t) the distance the UE has travelled by t
 * (mobility.h) and f_env the environment Doppler (moving scatterers; it keeps a static UE's
 * channel alive). At constant speed v, A(t) = f_D t with f_D = v f_c / c + f_env, and over the
 * ensemble of links E[h_s] = 0, E|h_s|^2 = 1 and E[h_s(t) h_s*(t + tau)] = J0(2 pi f_D tau)
 * exactly (Clarke/Jakes); the in-phase and quadrature parts are uncorrelated. |h_s|^2 has the
 * autocorrelation coefficient J0^2(2 pi f_D tau) - (1 - J0^2) / (2M - 1) (the sum of M
 * sinusoids is not quite Gaussian: its kurtosis falls short by 1/(2M)), within 0.016 of
 * J0^2 for M = 32. The marginals:
 *     Rayleigh   h = h_s                                               |h|^2 ~ Exp(1)
 *     Rician     h = sqrt(K/(K+1)) exp(j 2 pi (A(t) cos theta_0 + phi_0)) + sqrt(1/(K+1)) h_s:
 *                the line-of-sight path has its own Doppler f_D cos theta_0, theta_0 and phi_0
 *                uniform per link; mean 1, var (2K+1)/(K+1)^2
 *     Nakagami-m |h|^2 = F^-1_Gamma(m, 1/m)(1 - exp(-|h_s|^2)), any real m in [0.5, 16]: the
 *                exponential power mapped through its CDF onto the Gamma quantile, so the marginal
 *                is Gamma(m, 1/m) (to the accuracy of the SoS's Exp(1)), and the power's
 *                autocorrelation is a monotone transform of J0^2, within 0.007 of it for
 *                m <= 2, 0.015 for m = 4 and 0.036 for m = 16 (docs/MODELS.md).
 * Everything drawn is a counter-based draw from the link's key rng_key_hash(seed, replication,
 * FADING, id) (SplitMix64), made once at chan_link_init and kept with the link: the fading at
 * time t is a pure function of (seed, replication, link id, t, s(t)), bit for bit the same
 * whatever was queried before, in any order and at any times (common random numbers across
 * policies). There are no blocks: a query costs M cosines (a polynomial, no table) whatever the
 * time since the previous one, and links cost nothing while idle.
 *
 * Rates and loss. chan_rate_bps: Shannon with an SNR gap, R = B log2(1 + SNR / Gamma), and
 * chan_outage: a packet sent at a fixed rate R when the capacity is C is lost when R > C.
 * Link adaptation (chan_select) picks a spectral efficiency from an SNR estimate backed off by
 * margin_db: Shannon (log2(1 + SNR' / Gamma)) or the highest CQI of 3GPP TS 38.214 Table
 * 5.2.2.1-2 (CQI table 1, QPSK to 64QAM) whose 10 %-BLER AWGN threshold the backed-off SNR
 * meets. chan_packet_error gives the loss probability of a packet sent with that selection at a
 * given SNR (the SNR in the middle of the packet's airtime, the fading being taken as constant
 * over one packet): outage for Shannon (0 or 1); for MCS a logistic BLER in dB around the CQI's
 * threshold, BLER = 1 / (1 + 9 exp(a (SNR_dB - thr_dB))), 10 % at the threshold,
 * a = CHAN_BLER_SLOPE_PER_DB (thresholds and shape documented in channel.c).
 *
 * Invariants: a link's small-scale draws depend only on its key (seed, replication, FADING, id),
 * its large-scale state only on its position and its area's keys (seed, replication, AREA, 0..2)
 * — never on other links nor on when or how often anything was queried; |h|^2 > 0; chan_select gives an
 * efficiency > 0, monotone non-decreasing in the SNR; chan_packet_error is in [0, 1] and
 * non-increasing in the SNR.
 */
#ifndef SPLITSIM_MODELS_CHANNEL_H
#define SPLITSIM_MODELS_CHANNEL_H

#include <stdbool.h>
#include <stdint.h>

#include "models/radio/spatial.h"
#include "sim/rng.h"

enum chan_fading {
    CHAN_FADING_NONE,
    CHAN_FADING_RAYLEIGH,
    CHAN_FADING_RICIAN,
    CHAN_FADING_NAKAGAMI,
};

enum chan_pathloss {
    CHAN_PATHLOSS_LOG_DISTANCE, /* pathloss_ref_db + 10 n log10(d) */
    CHAN_PATHLOSS_UMI,          /* 3GPP TR 38.901 UMi-Street Canyon, LOS and NLOS */
    CHAN_PATHLOSS_UMA,          /* 3GPP TR 38.901 UMa */
    CHAN_PATHLOSS_RMA,          /* 3GPP TR 38.901 RMa */
};

enum chan_los {
    CHAN_LOS_PROBABILITY, /* the 38.901 LOS probability, spatially consistent */
    CHAN_LOS_ALWAYS,
    CHAN_LOS_NEVER,
};

enum chan_rate {
    CHAN_RATE_SHANNON, /* log2(1 + SNR / gap) */
    CHAN_RATE_MCS,     /* CQI table 1 of 3GPP TS 38.214 */
};

#define CHAN_SINUSOIDS         32 /* M: paths of the sum of sinusoids */
#define CHAN_NAKAGAMI_MAX_M    16
#define CHAN_CQI_MAX           15
#define CHAN_BLER_SLOPE_PER_DB 1.5 /* slope a of the logistic BLER curve (see channel.c) */
#define CHAN_MAX_MARGIN_DB     30  /* largest accepted link-adaptation back-off */

struct chan_params {
    double carrier_hz;   /* Doppler (> 0 with fading); 38.901 path losses (pathloss.h ranges) */
    double bandwidth_hz; /* the cell's bandwidth */
    double tx_power_dbm;
    double noise_psd_dbm_hz; /* thermal noise density, e.g. -174 */
    double noise_figure_db;
    enum chan_pathloss pathloss;
    double pathloss_ref_db;   /* log-distance: path loss at 1 m */
    double pathloss_exponent; /* log-distance: n */
    double bs_height_m;       /* 38.901: base station antenna height (UMi 10, UMa 25, RMa 35 m) */
    double ue_height_m;       /* 38.901: UE antenna height */
    double building_height_m; /* RMa: mean building height h (standard: 5 m) */
    double street_width_m;    /* RMa: street width W (standard: 20 m) */
    enum chan_los los_mode;   /* 38.901: how the LOS state is chosen */
    double los_decorrelation_m;        /* 38.901: L of the LOS-state field */
    double shadowing_db;               /* sigma of log-normal shadowing (NLOS; log-distance) */
    double shadowing_los_db;           /* sigma in LOS (38.901) */
    double shadow_decorrelation_m;     /* L of the shadowing (NLOS; log-distance) */
    double shadow_decorrelation_los_m; /* L of the shadowing in LOS */
    enum chan_fading fading;
    double rician_k;               /* linear K factor */
    double nakagami_m;             /* real, in [0.5, CHAN_NAKAGAMI_MAX_M] */
    double environment_doppler_hz; /* f_env: Doppler of moving scatterers, >= 0 */
    double snr_gap_db;             /* Shannon gap, >= 0 */
    enum chan_rate rate;           /* link adaptation: Shannon or MCS table */
    double margin_db;              /* link-adaptation back-off, 0 to CHAN_MAX_MARGIN_DB */
};

/* The large-scale fields of a base station's area (see above); no memory of its own. */
struct chan_area {
    struct spatial_field los, shadow_los, shadow_nlos;
};

/* A link. distance_m, shadow_db and los may be read; the position is set with chan_link_move;
 * the other members are the module's own. */
struct chan_link {
    uint64_t key; /* rng_key_hash(seed, replication, FADING, id) */
    const struct chan_area *area; /* NULL: shadowing and LOS drawn once from the key */
    double x_m, y_m;              /* position, the base station at the origin */
    double distance_m;            /* horizontal distance to the base station */
    /* The large-scale state at position (ls_x, ls_y), cached (a link serves both directions,
     * whose path-loss parameters are the same; NaN until the first query). */
    double ls_x, ls_y;
    double pl_db, shadow_db;
    bool los;
    int nsin;                  /* sinusoids: CHAN_SINUSOIDS with fading, else 0 */
    double cycles_per_m;       /* f_c / c: cycles of the largest Doppler shift per metre */
    double los_cos, los_phase; /* Rician: cos theta_0, phi_0 (in cycles) */
    /* per path n: cos(alpha_n), phi_n (in cycles), sqrt(2 / M) cos psi_n, sqrt(2 / M) sin psi_n */
    double cos_alpha[CHAN_SINUSOIDS], phase[CHAN_SINUSOIDS];
    double w_re[CHAN_SINUSOIDS], w_im[CHAN_SINUSOIDS];
};

/* Link adaptation: what a transmission is sent with. */
struct chan_selection {
    int cqi;           /* 1..15 for MCS, 0 for Shannon */
    double efficiency; /* bit/s/Hz > 0 */
    double snr_db;     /* the SNR estimate the choice was made from (dB, before the back-off) */
};

/* Checks parameters; returns NULL or a message saying what is wrong. */
const char *chan_params_check(const struct chan_params *p);

/* Initialises link `id` of replication `replication` (key (FADING, id)) at position (d, 0):
 * horizontal distance d to the base station, no area. Returns 0 (a link owns no memory). */
int chan_link_init(struct chan_link *l, const struct chan_params *p, uint64_t seed,
                   uint32_t replication, uint64_t id, double distance_m);

/* Draws the area's fields for replication `replication` (keys (seed, replication, AREA, 0..2)). */
void chan_area_init(struct chan_area *a, const struct chan_params *p, uint64_t seed,
                    uint32_t replication);

/* Puts a link in an area (its shadowing and LOS state then come from the area's fields). */
void chan_link_set_area(struct chan_link *l, const struct chan_area *a);

/* Moves a link to (x, y) (metres, the base station at the origin). */
void chan_link_move(struct chan_link *l, double x_m, double y_m);

/* Brings the link's large-scale state (pl_db, shadow_db, los) up to its position. */
void chan_link_large_scale(struct chan_link *l, const struct chan_params *p);

/* The largest Doppler shift f_D = v f_c / c + f_env of a UE moving at speed v. */
double chan_doppler_hz(const struct chan_params *p, double speed_mps);

/* |h|^2 at time t (t < 0 counts as 0) of a UE that has travelled `travelled_m` metres by then
 * (mobility_travelled). A pure function of the link's key and (t, travelled_m). */
double chan_fading_gain(const struct chan_link *l, const struct chan_params *p, int64_t t_ns,
                        double travelled_m);

/* The scattered part h_s (complex, E|h_s|^2 = 1) at time t: *re, *im (0 without fading). */
void chan_fading_scatter(const struct chan_link *l, const struct chan_params *p, int64_t t_ns,
                         double travelled_m, double *re, double *im);

/* The SNR (linear) without small-scale fading, with a share `bandwidth_share` in (0, 1] of the
 * cell's bandwidth: path loss and shadowing at the link's position (cached), noise. */
double chan_mean_snr(struct chan_link *l, const struct chan_params *p, double bandwidth_share);

/* SNR (linear) at time t: chan_mean_snr x chan_fading_gain. */
double chan_snr(struct chan_link *l, const struct chan_params *p, int64_t t_ns, double travelled_m,
                double bandwidth_share);

/* cos(2 pi x), to within 5e-16 of libm's for |x| < 2^50 (a polynomial after exact reduction to
 * [-1/2, 1/2]; exposed for its test). */
double chan_cos2pi(double x);

/* Shannon rate with gap, bit/s, for SNR (linear) over bandwidth B. */
double chan_rate_bps(const struct chan_params *p, double snr, double bandwidth_hz);

/* True when a packet sent at `rate_bps` over bandwidth B at this SNR is lost (rate above the
 * capacity at that SNR). */
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

/* Probability that one packet sent with selection s is lost when the SNR during it is `snr`
 * (linear). Shannon: 1 when log2(1 + snr / gap) < s->efficiency, else 0 (outage).
 * MCS: 1 / (1 + 9 exp(a (snr_dB - thr_dB(s->cqi)))), a = CHAN_BLER_SLOPE_PER_DB; 1 for a CQI
 * outside 1..15. */
double chan_packet_error(const struct chan_params *p, const struct chan_selection *s, double snr);

/* The spectral efficiency (bit/s/Hz) and the 10 %-BLER AWGN SNR threshold (dB) of CQI 1..15 of
 * CQI table 1; NaN outside 1..15. */
double chan_cqi_efficiency(int cqi);
double chan_cqi_threshold_db(int cqi);

#endif
