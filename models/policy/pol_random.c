/*
 * pol_random — a uniformly random candidate for every request, from the policy's own stream.
 */
#include "models/policy/policy.h"

struct random_state {
    struct rng *rng;
};

static int random_init(void *state, const struct pol_config *cfg, const char **why)
{
    (void)why;
    ((struct random_state *)state)->rng = cfg->rng;
    return 0;
}

static uint32_t random_decide(void *state, const struct pol_obs *obs, struct pol_ctx *ctx)
{
    (void)ctx;
    struct random_state *s = state;
    return obs->k_min + (uint32_t)rng_uniform_int(s->rng, obs->k_max - obs->k_min + 1);
}

const struct pol_type pol_random = {
    .abi = POL_ABI,
    .name = "random",
    .doc = "a uniformly random candidate",
    .state_size = sizeof(struct random_state),
    .init = random_init,
    .decide = random_decide,
};
