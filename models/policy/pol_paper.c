/*
 * pol_paper — the paper's objective, whatever the scenario's reward: true-evaluates the
 * perplexity of every candidate (as the paper's exhaustive search does) and takes the best
 *     10 (PPL_0 - PPL) / PPL_0 + (k_max - k) / k_max,
 * blind to latency, energy and load. In a latency-aware scenario it shows what optimising the
 * paper's reward costs. (candidates) evaluations a decision; ties: the smaller k.
 */
#include "models/policy/policy.h"

static uint32_t paper_decide(void *state, const struct pol_obs *obs, struct pol_ctx *ctx)
{
    (void)state;
    double kmax = obs->k_max > 0 ? (double)obs->k_max : 1;
    uint32_t best = obs->k_min;
    double best_v = 0;
    for (uint32_t k = obs->k_min; k <= obs->k_max; k++) {
        double v = 10 * (1 - pol_evaluate_quality(ctx, k)) + (kmax - (double)k) / kmax;
        if (k == obs->k_min || v > best_v) {
            best = k;
            best_v = v;
        }
    }
    return best;
}

const struct pol_type pol_paper = {
    .abi = POL_ABI,
    .name = "paper",
    .doc = "exhaustive on the paper's latency-blind reward 10 (1 - PPL/PPL_0) + (k_max - k)/k_max",
    .decide = paper_decide,
};
