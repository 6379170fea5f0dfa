/*
 * channel — a UE's wireless link: path loss, shadowing, small-scale fading, SNR, rate and
 * packet loss, evaluated lazily.
 *
 * Concept: the received SNR of a link is
 *     SNR_dB = P_tx - PL(d) - S + 10 log10 |h|^2 - (N_0 + NF + 10 log10 B_share)
 * with log-distance path loss PL(d) = PL(d_0) + 10 n log10(d / d_0) (d_0 = 1 m), log-normal
 * shadowing S ~ N(0, sigma^2) in dB (drawn once per link: it changes over metres, not
 * milliseconds), and small-scale fading |h|^2 with unit mean:
 *     Rayleigh   h ~ CN(0, 1)                         |h|^2 ~ Exp(1)
 *     Rician     h = sqrt(K/(K+1)) + sqrt(1/(K+1)) w   mean 1, var (2K+1)/(K+1)^2
 *     Nakagami-m |h|^2 = (1/2m) sum of 2m squared unit normals  ~ Gamma(m, 1/m)
 * (m a multiple of 1/2 between 1/2 and 16). Fading is constant over a coherence block and
 * correlated between blocks as a Gauss-Markov (AR(1)) process of every Gaussian component, with
 * the Clarke/Jakes correlation rho = J0(2 pi f_D T_block) for Doppler f_D = v f_c / c. It is
 * evaluated lazily: a query at time t advances the process by all the blocks since the last
 * query in one exact step (correlation rho^n), so a link costs nothing while it is idle and
 * 10,000 UEs need no periodic events.
 * Rate: Shannon with an SNR gap, R = B log2(1 + SNR / Gamma). Packet loss: a packet sent at a
 * fixed rate R over a block whose capacity is C is lost when R > C (block-fading outage), the
 * standard abstraction for links whose rate is chosen ahead of the fade.
 *
 * Invariants: each link owns its random stream (fading and shadowing draws never depend on other
 * links or on when others were queried); the fading state at a block index is the same whatever
 * the pattern of queries that led there (in distribution; exactly when queried at the same
 * blocks); |h|^2 > 0.
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

#define CHAN_MAX_COMPONENTS 32 /* Gaussian components of the fading state (Nakagami 2m) */

struct chan_params {
    double carrier_hz;   /* for the Doppler frequency */
    double bandwidth_hz; /* the cell's bandwidth */
    double tx_power_dbm;
    double noise_psd_dbm_hz; /* thermal noise density, e.g. -174 */
    double noise_figure_db;
    double pathloss_ref_db;   /* path loss at 1 m */
    double pathloss_exponent; /* n */
    double shadowing_db;      /* sigma of log-normal shadowing */
    enum chan_fading fading;
    double rician_k;      /* linear K factor */
    double nakagami_m;    /* multiple of 0.5 in [0.5, 16] */
    double speed_mps;     /* UE speed, for the Doppler frequency */
    int64_t coherence_ns; /* block length */
    double snr_gap_db;    /* Shannon gap */
};

struct chan_link {
    struct rng rng;
    double distance_m;
    double shadow_db; /* drawn once */
    double rho;       /* block-to-block correlation of each Gaussian component */
    int ncomp;        /* Gaussian components of the fading state */
    double comp[CHAN_MAX_COMPONENTS];
    int64_t block; /* block index the state belongs to */
};

/* Checks parameters; returns NULL or a message saying what is wrong. */
const char *chan_params_check(const struct chan_params *p);

/* Initialises link `id` of replication `replication` (stream (FADING, id)) at distance d. */
int chan_link_init(struct chan_link *l, const struct chan_params *p, uint64_t seed,
                   uint32_t replication, uint64_t id, double distance_m);
void chan_link_release(struct chan_link *l);

/* Doppler frequency and the block correlation J0(2 pi f_D T). */
double chan_doppler_hz(const struct chan_params *p);
double chan_block_correlation(const struct chan_params *p);

/* Path loss (dB) at distance d (log-distance, d clamped to >= 1 m). */
double chan_pathloss_db(const struct chan_params *p, double distance_m);

/* |h|^2 at time t (advancing the fading state lazily; t must not go back). */
double chan_fading_gain(struct chan_link *l, const struct chan_params *p, int64_t t_ns);

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

#endif
