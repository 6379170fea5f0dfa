/*
 * compete — split policies compared on identical conditions: per-policy statistics, regret
 * against the exhaustive oracle and a ranking with paired differences.
 *
 * Concept: a competition runs each policy of policy.compete over the same replications; since
 * every UE's arrivals, sizes, positions and fading come from its own streams, replication r is
 * the same world for every policy (common random numbers), so differences between policies are
 * estimated from paired per-replication means: d_r = mean reward of A in r - mean reward of B
 * in r, with a Student-t 95 % interval over replications (n - 1 degrees of freedom). Regret is
 * the paired difference to the exhaustive policy (when it competes); the ranking is by mean
 * reward, and each policy's difference to the best one is reported with its interval.
 *
 * Invariants: ranks are 1..n, each once; rank 1 has the largest mean reward (ties go to the
 * policy listed first); a policy without a measured request (a NaN mean) ranks after every other
 * and is never the best; differences to itself are 0; intervals need at least two replications
 * (NaN otherwise).
 */
#ifndef SPLITSIM_MODELS_COMPETE_H
#define SPLITSIM_MODELS_COMPETE_H

#include <stddef.h>
#include <stdint.h>

#include "models/split/split.h"
#include "results/rec.h"

/* One policy's run. */
struct compete_entry {
    const char *name;
    const struct split_results *res;
    const struct split_stat *stats; /* [SM_COUNT_] */
    double evaluation_cost_s;       /* per true evaluation */
    /* filled by compete_rank */
    uint64_t decisions, evaluations;
    double regret, regret_ci95;       /* vs exhaustive; NaN without it */
    double diff_best, diff_best_ci95; /* best policy's mean reward minus this one's */
    unsigned rank;
};

/* Per-replication mean of metric k (NaN for a replication without values). */
double compete_rep_mean(const struct split_results *res, size_t rep, enum split_metric k);

/* Paired difference of two runs' per-replication mean rewards (a - b): mean and 95 % half-width. */
void compete_paired(const struct split_results *a, const struct split_results *b, double *mean,
                    double *ci95);

/* Fills the ranking fields of every entry. */
void compete_rank(struct compete_entry *e, size_t n);

/* Writes /competition: one row per policy (in the order given), attribute `policies`. */
int compete_record(struct rec *r, const struct compete_entry *e, size_t n);

#endif
