/*
 * draws — counter-based random draws and a fast cos(2 pi x), shared by the radio models that are
 * pure functions of a key (channel.c's fading, spatial.c's random fields).
 *
 * Concept: a draw is a function of (key, node, index) alone — SplitMix64's output function over
 * a Weyl sequence started at the hash of (key, node) — so a model can evaluate any of its
 * random quantities in any order, at any time, and get the same bits (common random numbers,
 * query-order independence). cos2pi is a branch-free polynomial after exact reduction, so that
 * loops over sinusoids vectorise.
 *
 * Invariants: seq_uniform is in [0, 1) with 53 random bits; node_normal is a unit normal;
 * cos2pi(x) is within 5e-16 of cos(2 pi x) for |x| < 2^50.
 */
#ifndef SPLITSIM_MODELS_RADIO_DRAWS_H
#define SPLITSIM_MODELS_RADIO_DRAWS_H

#include <math.h>
#include <stdint.h>

/* ---- counter-based draws ------------------------------------------------------------------- */

/* SplitMix64's output function (as in sim/rng.c): a bijective 64-bit mixer with full
 * avalanche. */
static inline uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

#define GOLDEN UINT64_C(0x9e3779b97f4a7c15)

/* A SplitMix64 sequence started at the hash of (key, node). */
static inline uint64_t seq_start(uint64_t key, uint64_t node)
{
    return mix64(key ^ mix64(node + GOLDEN));
}

/* The next uniform of a sequence, on [0, 1) (53 bits). */
static inline double seq_uniform(uint64_t *s)
{
    return (double)(mix64(*s += GOLDEN) >> 11) * 0x1p-53;
}

/* One unit normal of node `node` (Box-Muller on the first two words of its sequence). */
static inline double node_normal(uint64_t key, uint64_t node)
{
    uint64_t s = seq_start(key, node);
    uint64_t w1 = mix64(s += GOLDEN), w2 = mix64(s += GOLDEN);
    double u1 = (double)((w1 >> 11) + 1) * 0x1p-53; /* (0, 1] */
    double theta = (double)(w2 >> 11) * (0x1p-53 * 2 * M_PI);
    return sqrt(-2 * log(u1)) * cos(theta);
}

/* Taylor coefficients of sin z in z^2, (-1)^k / (2k+1)!, k = 1 .. 10: on |z| <= pi/2 the first
 * term left out, (pi/2)^23 / 23!, is 1.3e-18. */
static const double sin_taylor[10] = {
    -1.0 / 6,
    1.0 / 120,
    -1.0 / 5040,
    1.0 / 362880,
    -1.0 / 39916800,
    1.0 / 6227020800.0,
    -1.0 / 1307674368000.0,
    1.0 / 355687428096000.0,
    -1.0 / 121645100408832000.0,
    1.0 / 51090942171709440000.0,
};

/* No branch, so that a loop over paths vectorises: with r = x - nearest integer (exact for
 * |x| < 2^51: adding and removing 1.5 * 2^52 rounds to an integer, to nearest),
 * cos(2 pi r) = sin(2 pi (1/4 - |r|)), whose argument is within [-pi/2, pi/2]. */
static inline double cos2pi(double x)
{
    double r = x - ((x + 0x1.8p52) - 0x1.8p52);
    double z = 2 * M_PI * (0.25 - fabs(r)), y = z * z, c = sin_taylor[9];
    for (int k = 8; k >= 0; k--)
        c = c * y + sin_taylor[k];
    return z + z * (y * c);
}

#endif
