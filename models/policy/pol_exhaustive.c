/*
 * pol_exhaustive — the oracle: true-evaluates every candidate at every decision and takes the
 * best (ties: the smaller k). The most expensive policy: (candidates) evaluations a decision.
 */
#include "models/policy/policy.h"

static uint32_t exhaustive_decide(void *state, const struct pol_obs *obs, struct pol_ctx *ctx)
{
    (void)state;
    uint32_t best = obs->k_min;
    double best_v = pol_evaluate(ctx, obs->k_min);
    for (uint32_t k = obs->k_min + 1; k <= obs->k_max; k++) {
        double v = pol_evaluate(ctx, k);
        if (v > best_v) {
            best = k;
            best_v = v;
        }
    }
    return best;
}

const struct pol_type pol_exhaustive = {
    .abi = POL_ABI,
    .name = "exhaustive",
    .doc = "true-evaluates every candidate at each decision (the oracle; the most expensive)",
    .decide = exhaustive_decide,
};
