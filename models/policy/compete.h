/*
 * compete — split policies compared on identical conditions: one basis for the ranking, the
 * difference to the best, ties and the regret against the exhaustive oracle.
 *
 * Concept: a competition runs each policy of policy.compete over the same replications; since
 * every UE's arrivals, sizes, positions and fading come from its own streams, replication r is
 * the same world for every policy (common random numbers), and policies are compared on their
 * per-replication mean rewards m_i(r), paired by replication. The basis, used everywhere:
 *   - the compared replications: those in which every policy that measured a request at all
 *     measured at least one (a replication where one of them measured nothing has no pair);
 *   - reward_mean_i = the mean of m_i(r) over the compared replications; the ranking is by
 *     reward_mean (larger is better);
 *   - diff_best_i = reward_mean_i - reward_mean_best (<= 0: this policy minus the best, the sign
 *     everywhere: file, console, docs), with the Student-t 95 % half-width of the paired
 *     differences m_i(r) - m_best(r) (n - 1 degrees of freedom);
 *   - tie_i: the paired interval of diff_best_i contains 0 (the data cannot tell the policy from
 *     the best); the best itself ties when another policy ties with it; unknown (-1) without an
 *     interval (fewer than two compared replications) or without a measured request;
 *   - regret_i = reward_mean_exhaustive - reward_mean_i (>= 0 when the oracle wins), paired.
 * The quality ceiling: the assumed quality model saturates at a perplexity ratio (1000), and a
 * request at the ceiling weighs a large, assumed, penalty into the mean reward. The ranking is
 * computed again from the measured requests below the ceiling alone; when any rank differs, the
 * ceiling (an assumption) decides the ranking.
 *
 * Invariants: ranks are 1..n, each once; rank 1 has the largest reward_mean (ties go to the
 * policy listed first); diff_best is 0 for the best and never positive; a policy without a
 * measured request (NaN) ranks after every other and is never the best; intervals need at least
 * two compared replications (NaN otherwise).
 */
#ifndef SPLITSIM_MODELS_COMPETE_H
#define SPLITSIM_MODELS_COMPETE_H

#include <stdbool.h>
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
    double reward_mean, reward_ci95;  /* over the compared replications */
    double diff_best, diff_best_ci95; /* reward_mean - the best's reward_mean (<= 0), paired */
    double regret, regret_ci95;       /* exhaustive's reward_mean - this one's; NaN without it */
    int tie;                          /* 1 tied with the best, 0 not, -1 unknown */
    unsigned rank;
    uint64_t at_ceiling;         /* measured requests at the quality ceiling */
    unsigned rank_below_ceiling; /* the rank from the measured requests below it */
    uint32_t split_lo, split_hi; /* the least and greatest k chosen (lo > hi: none) */
};

/* What the competition as a whole shows. */
struct compete_outcome {
    size_t compared;        /* replications compared */
    size_t best;            /* the entry of rank 1 */
    double quality_ceiling; /* the perplexity ratio of the ceiling (+inf: none) */
    uint64_t at_ceiling;    /* measured requests at it, every policy */
    bool ceiling_decides;   /* some rank differs below the ceiling */
    bool same_split;        /* every policy chose the one k `split` for every request */
    uint32_t split;
};

/* Per-replication mean of metric k (NaN for a replication without values). */
double compete_rep_mean(const struct split_results *res, size_t rep, enum split_metric k);

/* Paired difference of two runs' per-replication mean rewards (a - b) over the replications
 * `use` marks (NULL: every replication in which both measured): mean and 95 % half-width. */
void compete_paired(const struct split_results *a, const struct split_results *b, const bool *use,
                    double *mean, double *ci95);

/* Fills the ranking fields of every entry and *out; `quality_ceiling` is the perplexity ratio
 * of the quality model's ceiling (+inf: none). 0 or -ENOMEM. */
int compete_rank(struct compete_entry *e, size_t n, double quality_ceiling,
                 struct compete_outcome *out);

/* Writes /competition: one row per policy (in the order given), attributes `policies`,
 * `replications_compared`, `quality_ceiling`, `ceiling_decides`. */
int compete_record(struct rec *r, const struct compete_entry *e, size_t n,
                   const struct compete_outcome *o);

#endif
