/*
 * rng — per-entity random streams.
 *
 * Concept: every entity that draws random numbers (a UE's arrivals, a UE's fading, an edge
 * server's service times, a policy, ...) owns a stream of its own, keyed by (master seed,
 * replication, stream kind, entity id). The key is hashed through a 64-bit mixing function
 * (SplitMix64's finaliser, applied once per key field), and the hash fills the state of a GSL
 * generator. So:
 *  - the same key gives the same draws on every run, machine and process count;
 *  - adding an entity, or changing what another entity draws (a different policy), never shifts
 *    this stream's draws: comparisons run on common random numbers;
 *  - streams of different keys are statistically independent for practical purposes.
 *
 * Generator: GSL's taus2 (L'Ecuyer's maximally equidistributed combined Tausworthe generator,
 * 1996). Its state is three 32-bit words (24 bytes on LP64), so 10^5 streams cost a few MB; it
 * has period 2^88, is maximally equidistributed, and is among GSL's fastest generators. Like every
 * F2-linear generator (Mersenne Twister included) it fails TestU01's linear-complexity and
 * matrix-rank tests, which probe a GF(2) structure our models never touch. Mersenne Twister
 * (2.5 KB of state per stream) would cost 100 times the memory for 10,000+ UEs with several
 * streams each. GSL's own gsl_rng_set() takes only a 32-bit seed, which
 * for 10^5 streams makes a collision between two streams likely (birthday bound); rng_init
 * therefore writes all three state words from the 64-bit key hash, respecting taus2's constraints.
 *
 * The engine draws nothing; only models do. Stream kinds are listed here, in one place, so that
 * two modules never share one by accident. New kinds are appended (never renumbered: the number
 * is part of the key, and renumbering would change every result).
 */
#ifndef SPLITSIM_SIM_RNG_H
#define SPLITSIM_SIM_RNG_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

enum rng_kind {
    RNG_KIND_ARRIVAL = 1,  /* request/customer arrivals of an entity */
    RNG_KIND_SERVICE = 2,  /* service times of a server */
    RNG_KIND_FADING = 3,   /* small-scale fading and shadowing of a link */
    RNG_KIND_POLICY = 4,   /* a split policy's own randomness */
    RNG_KIND_WORKLOAD = 5, /* request sizes (prompt and output tokens) */
    RNG_KIND_BENCH = 6,    /* benchmarks */
    RNG_KIND_TEST = 7,     /* tests */
    RNG_KIND_MOBILITY = 8, /* a UE's movement */
    RNG_KIND_LINK = 9,     /* packet-loss and erasure draws of a UE's link */
    RNG_KIND_AREA = 10,    /* large-scale fields of a base station's area (shadowing, LOS state) */
};

struct rng {
    gsl_rng *gen;
};

/* The 64-bit hash of a stream key. Exposed for tests and for documentation of results. */
uint64_t rng_key_hash(uint64_t master_seed, uint32_t replication, uint32_t kind, uint64_t id);

/* Creates the stream for the given key. 0, or -ENOMEM. */
int rng_init(struct rng *r, uint64_t master_seed, uint32_t replication, uint32_t kind, uint64_t id);

/* A stream's position, saved and restored: a model that must replay part of its draws (mobility,
 * to answer a query about the past) saves where it is, rewinds to an earlier snapshot, and comes
 * back. A snapshot holds the generator's whole state, so restoring it repeats the same draws. */
struct rng_snapshot {
    unsigned long state[3]; /* taus2's state */
};
void rng_save(const struct rng *r, struct rng_snapshot *s);
void rng_restore(struct rng *r, const struct rng_snapshot *s);

/* Frees the stream; safe on a zeroed or released struct. */
void rng_release(struct rng *r);

/* Uniform on [0, 1). */
static inline double rng_uniform(struct rng *r)
{
    return gsl_rng_uniform(r->gen);
}

/* Uniform on (0, 1). */
static inline double rng_uniform_pos(struct rng *r)
{
    return gsl_rng_uniform_pos(r->gen);
}

/* Uniform integer on [0, n), n >= 1. */
static inline unsigned long rng_uniform_int(struct rng *r, unsigned long n)
{
    return gsl_rng_uniform_int(r->gen, n);
}

/* Exponential with the given mean (> 0). */
double rng_exponential(struct rng *r, double mean);

/* Exponential with mean `mean_ns`, rounded to whole nanoseconds (>= 0). */
int64_t rng_exponential_ns(struct rng *r, double mean_ns);

/* Normal with mean mu and standard deviation sigma (>= 0). */
double rng_normal(struct rng *r, double mu, double sigma);

/* Log-normal: exp(N(mu, sigma^2)); mean exp(mu + sigma^2/2). */
double rng_lognormal(struct rng *r, double mu, double sigma);

/* Gamma with shape k > 0 and scale theta > 0; mean k*theta, variance k*theta^2. */
double rng_gamma(struct rng *r, double shape, double scale);

/* Uniform on [a, b). */
double rng_uniform_range(struct rng *r, double a, double b);

#endif
