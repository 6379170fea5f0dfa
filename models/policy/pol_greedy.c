/*
 * pol_greedy — hill climbing with true evaluations: from the UE's previous split, evaluate the
 * two neighbours, move to the better one while it beats where we stand, stop at a local
 * maximum. Each candidate is evaluated at most once per decision (memo), so a decision costs at
 * most (candidates) evaluations and usually 3 to 5. Ties stay put (and prefer the smaller k).
 */
#include <math.h>

#include "models/policy/policy.h"

static uint32_t greedy_decide(void *state, const struct pol_obs *obs, struct pol_ctx *ctx)
{
    (void)state;
    double memo[POL_MAX_CANDIDATES];
    uint32_t n = obs->k_max - obs->k_min + 1;
    for (uint32_t i = 0; i < n && i < POL_MAX_CANDIDATES; i++)
        memo[i] = NAN;
    uint32_t k = obs->last_k < obs->k_min   ? obs->k_min
                 : obs->last_k > obs->k_max ? obs->k_max
                                            : obs->last_k;
#define VALUE(j)                                                                                   \
    (isnan(memo[(j)-obs->k_min]) ? (memo[(j)-obs->k_min] = pol_evaluate(ctx, (j)))                 \
                                 : memo[(j)-obs->k_min])
    double here = VALUE(k);
    for (;;) {
        uint32_t best = k;
        double best_v = here;
        if (k > obs->k_min && VALUE(k - 1) > best_v) {
            best = k - 1;
            best_v = VALUE(k - 1);
        }
        if (k < obs->k_max && VALUE(k + 1) > best_v) {
            best = k + 1;
            best_v = VALUE(k + 1);
        }
        if (best == k)
            return k;
        k = best;
        here = best_v;
    }
#undef VALUE
}

const struct pol_type pol_greedy = {
    .abi = POL_ABI,
    .name = "greedy",
    .doc = "hill-climbs from the previous split with true evaluations of the neighbours",
    .decide = greedy_decide,
};
