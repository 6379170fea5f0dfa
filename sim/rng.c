#include "sim/rng.h"
#include "sim/simtime.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include <gsl/gsl_randist.h>

/* SplitMix64's output function (Steele, Lea, Flood 2014): a bijective 64-bit mixer with full
 * avalanche. */
static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

#define GOLDEN UINT64_C(0x9e3779b97f4a7c15)

uint64_t rng_key_hash(uint64_t master_seed, uint32_t replication, uint32_t kind, uint64_t id)
{
    /* Absorb one field at a time; each step is a bijection of the running hash, and the field
     * offsets keep (a, b) and (b, a) apart. */
    uint64_t h = mix64(master_seed + GOLDEN);
    h = mix64(h ^ (replication + 2 * GOLDEN));
    h = mix64(h ^ (kind + 3 * GOLDEN));
    h = mix64(h ^ (id + 4 * GOLDEN));
    return h;
}

/* Layout of GSL's taus2 state (rng/taus.c: taus_state_t). Checked against gsl_rng_size(). */
struct taus_state {
    unsigned long s1, s2, s3;
};

int rng_init(struct rng *r, uint64_t master_seed, uint32_t replication, uint32_t kind, uint64_t id)
{
    r->gen = gsl_rng_alloc(gsl_rng_taus2);
    if (!r->gen)
        return -ENOMEM;
    if (gsl_rng_size(r->gen) != sizeof(struct taus_state)) {
        gsl_rng_free(r->gen);
        r->gen = NULL;
        return -EINVAL;
    }
    /* taus2 needs s1 > 1, s2 > 7, s3 > 15 (the bits below those are shifted out). Draw 32-bit
     * words from a SplitMix64 sequence started at the key hash, skipping the few bad values. */
    static const unsigned long min_word[3] = {2, 8, 16};
    unsigned long words[3];
    uint64_t x = rng_key_hash(master_seed, replication, kind, id);
    for (int i = 0; i < 3; i++) {
        do {
            x += GOLDEN;
            words[i] = (unsigned long)(mix64(x) >> 32);
        } while (words[i] < min_word[i]);
    }
    struct taus_state *s = gsl_rng_state(r->gen);
    s->s1 = words[0];
    s->s2 = words[1];
    s->s3 = words[2];
    /* Warm up as gsl_rng_set does, so the first draws carry no trace of the seeding. */
    for (int i = 0; i < 6; i++)
        (void)gsl_rng_get(r->gen);
    return 0;
}

void rng_save(const struct rng *r, struct rng_snapshot *s)
{
    _Static_assert(sizeof s->state == sizeof(struct taus_state), "snapshot holds taus2's state");
    memcpy(s->state, gsl_rng_state(r->gen), sizeof s->state);
}

void rng_restore(struct rng *r, const struct rng_snapshot *s)
{
    memcpy(gsl_rng_state(r->gen), s->state, sizeof s->state);
}

void rng_release(struct rng *r)
{
    if (r->gen)
        gsl_rng_free(r->gen);
    r->gen = NULL;
}

double rng_exponential(struct rng *r, double mean)
{
    return gsl_ran_exponential(r->gen, mean);
}

int64_t rng_exponential_ns(struct rng *r, double mean_ns)
{
    /* Non-negative, so adding one half and truncating rounds to nearest (llround is slower);
     * a gap too long for int64 saturates (sim.h: beyond the horizon). */
    return sim_time_trunc(gsl_ran_exponential(r->gen, mean_ns) + 0.5);
}

double rng_normal(struct rng *r, double mu, double sigma)
{
    return mu + gsl_ran_gaussian_ziggurat(r->gen, sigma);
}

double rng_lognormal(struct rng *r, double mu, double sigma)
{
    return gsl_ran_lognormal(r->gen, mu, sigma);
}

double rng_gamma(struct rng *r, double shape, double scale)
{
    return gsl_ran_gamma(r->gen, shape, scale);
}

double rng_uniform_range(struct rng *r, double a, double b)
{
    return gsl_ran_flat(r->gen, a, b);
}
