#include "models/channel.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include <gsl/gsl_sf_bessel.h>

#define SPEED_OF_LIGHT 299792458.0

const char *chan_params_check(const struct chan_params *p)
{
    if (!(p->bandwidth_hz > 0))
        return "bandwidth must be > 0";
    if (!(p->pathloss_exponent >= 1 && p->pathloss_exponent <= 8))
        return "path-loss exponent must be in [1, 8]";
    if (!(p->shadowing_db >= 0))
        return "shadowing sigma must be >= 0 dB";
    if (p->fading == CHAN_FADING_RICIAN && !(p->rician_k >= 0))
        return "Rician K must be >= 0";
    if (p->fading == CHAN_FADING_NAKAGAMI &&
        !(p->nakagami_m >= 0.5 && p->nakagami_m <= 16 &&
          fabs(2 * p->nakagami_m - round(2 * p->nakagami_m)) < 1e-9))
        return "Nakagami m must be a multiple of 0.5 in [0.5, 16]";
    if (p->fading != CHAN_FADING_NONE && p->coherence_ns <= 0)
        return "coherence time must be > 0";
    if (!(p->speed_mps >= 0) || !(p->carrier_hz >= 0))
        return "speed and carrier frequency must be >= 0";
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

double chan_pathloss_db(const struct chan_params *p, double distance_m)
{
    double d = distance_m > 1 ? distance_m : 1;
    return p->pathloss_ref_db + 10 * p->pathloss_exponent * log10(d);
}

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

int chan_link_init(struct chan_link *l, const struct chan_params *p, uint64_t seed,
                   uint32_t replication, uint64_t id, double distance_m)
{
    memset(l, 0, sizeof *l);
    if (rng_init(&l->rng, seed, replication, RNG_KIND_FADING, id) < 0)
        return -ENOMEM;
    l->distance_m = distance_m;
    l->shadow_db = p->shadowing_db > 0 ? rng_normal(&l->rng, 0, p->shadowing_db) : 0;
    l->rho = chan_block_correlation(p);
    l->ncomp = components(p);
    for (int i = 0; i < l->ncomp; i++)
        l->comp[i] = rng_normal(&l->rng, 0, 1);
    l->block = 0;
    return 0;
}

void chan_link_release(struct chan_link *l)
{
    rng_release(&l->rng);
}

/* Advances every Gaussian component by n blocks in one exact AR(1) step. */
static void advance(struct chan_link *l, int64_t n)
{
    if (n <= 0)
        return;
    double rn = l->rho > 0 ? pow(l->rho, (double)n) : 0;
    double innov = sqrt(1 - rn * rn);
    for (int i = 0; i < l->ncomp; i++)
        l->comp[i] = rn * l->comp[i] + innov * rng_normal(&l->rng, 0, 1);
}

double chan_fading_gain(struct chan_link *l, const struct chan_params *p, int64_t t_ns)
{
    if (p->fading == CHAN_FADING_NONE)
        return 1.0;
    int64_t block = t_ns / p->coherence_ns;
    advance(l, block - l->block);
    if (block > l->block)
        l->block = block;
    double g;
    if (p->fading == CHAN_FADING_NAKAGAMI) {
        double s = 0;
        for (int i = 0; i < l->ncomp; i++)
            s += l->comp[i] * l->comp[i];
        g = s / (2 * p->nakagami_m);
    } else {
        /* scattered part CN(0, 1): components are unit normals, each carrying variance 1/2 */
        double re = l->comp[0] * M_SQRT1_2, im = l->comp[1] * M_SQRT1_2;
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
    double rx_dbm = p->tx_power_dbm - chan_pathloss_db(p, l->distance_m) - l->shadow_db;
    return pow(10, (rx_dbm - noise_dbm) / 10) * chan_fading_gain(l, p, t_ns);
}

double chan_rate_bps(const struct chan_params *p, double snr, double bandwidth_hz)
{
    return bandwidth_hz * log2(1 + snr / pow(10, p->snr_gap_db / 10));
}
