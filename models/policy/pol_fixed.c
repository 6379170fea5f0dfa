/*
 * pol_fixed — the baselines that never look at anything: a fixed split (split.layer), all on
 * the edge (the smallest candidate, k = 0 when allowed) and all on the UE (the largest, k = L
 * when allowed). No state, no evaluations.
 */
#include <errno.h>

#include "models/policy/policy.h"

struct fixed_state {
    uint32_t k;
};

static int fixed_init(void *state, const struct pol_config *cfg, const char **why)
{
    struct fixed_state *s = state;
    if (cfg->fixed_k < cfg->k_min || cfg->fixed_k > cfg->k_max) {
        *why = "split.layer lies outside policy.min_split .. policy.max_split";
        return -EINVAL;
    }
    s->k = cfg->fixed_k;
    return 0;
}

static uint32_t fixed_decide(void *state, const struct pol_obs *obs, struct pol_ctx *ctx)
{
    (void)obs;
    (void)ctx;
    return ((const struct fixed_state *)state)->k;
}

static uint32_t all_edge_decide(void *state, const struct pol_obs *obs, struct pol_ctx *ctx)
{
    (void)state;
    (void)ctx;
    return obs->k_min;
}

static uint32_t all_ue_decide(void *state, const struct pol_obs *obs, struct pol_ctx *ctx)
{
    (void)state;
    (void)ctx;
    return obs->k_max;
}

const struct pol_type pol_fixed = {
    .abi = POL_ABI,
    .name = "fixed",
    .doc = "always split.layer",
    .state_size = sizeof(struct fixed_state),
    .init = fixed_init,
    .decide = fixed_decide,
};

const struct pol_type pol_all_edge = {
    .abi = POL_ABI,
    .name = "all_edge",
    .doc = "always the smallest candidate (k = 0: the whole model on the edge)",
    .decide = all_edge_decide,
};

const struct pol_type pol_all_ue = {
    .abi = POL_ABI,
    .name = "all_ue",
    .doc = "always the largest candidate (k = L: the whole model on the UE)",
    .decide = all_ue_decide,
};
