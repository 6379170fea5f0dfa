/*
 * pol_latency — the latency-aware analytic heuristic: the candidate with the smallest latency
 * predicted from the cost tables and the UE's own channel estimate (and the edge load when it
 * is visible), the scenario's latency metric (TTFT, TPOT or end to end). No true evaluations:
 * it ignores quality, so it is the latency end of the trade-off. Ties: the smaller k.
 */
#include "models/policy/policy.h"

static uint32_t latency_decide(void *state, const struct pol_obs *obs, struct pol_ctx *ctx)
{
    (void)state;
    uint32_t best = obs->k_min;
    double best_t = ctx->estimate_latency(ctx->arg, obs, obs->k_min);
    for (uint32_t k = obs->k_min + 1; k <= obs->k_max; k++) {
        double t = ctx->estimate_latency(ctx->arg, obs, k);
        if (t < best_t) {
            best = k;
            best_t = t;
        }
    }
    return best;
}

const struct pol_type pol_latency = {
    .abi = POL_ABI,
    .name = "latency",
    .doc = "the smallest latency predicted from the cost tables and the channel estimate",
    .decide = latency_decide,
};
