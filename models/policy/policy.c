#include "models/policy/policy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/invariant.h"

extern const struct pol_type pol_fixed, pol_all_edge, pol_all_ue, pol_random, pol_greedy,
    pol_exhaustive, pol_latency, pol_paper;

/* The registry: a new policy is one C file and one line here. */
const struct pol_type *const pol_types[] = {
    &pol_fixed,      &pol_all_edge, &pol_all_ue, &pol_random, &pol_greedy,
    &pol_exhaustive, &pol_latency,  &pol_paper,  &pol_mbrl,   NULL,
};

const struct pol_type *pol_type_find(const char *name)
{
    for (size_t i = 0; pol_types[i]; i++)
        if (strcmp(pol_types[i]->name, name) == 0)
            return pol_types[i];
    return NULL;
}

double pol_evaluate(struct pol_ctx *ctx, uint32_t k)
{
    SIM_ASSERT(k >= ctx->obs->k_min && k <= ctx->obs->k_max,
               "pol_evaluate: split outside the candidates");
    ctx->evaluations++;
    return ctx->evaluate(ctx->arg, ctx->obs, k);
}

double pol_evaluate_quality(struct pol_ctx *ctx, uint32_t k)
{
    SIM_ASSERT(k >= ctx->obs->k_min && k <= ctx->obs->k_max,
               "pol_evaluate_quality: split outside the candidates");
    ctx->evaluations++;
    return ctx->evaluate_quality(ctx->arg, ctx->obs, k);
}

int policy_init(struct policy *p, const struct pol_type *t, const struct pol_config *cfg,
                const char **why)
{
    memset(p, 0, sizeof *p);
    *why = NULL;
    if (!t || t->abi != POL_ABI || !t->decide) {
        *why = "policy built for another interface version, or without a decide hook";
        return -EINVAL;
    }
    p->type = t;
    p->cfg = *cfg;
    p->state = calloc(1, t->state_size ? t->state_size : 1);
    if (!p->state)
        return -ENOMEM;
    int rc = t->init ? t->init(p->state, &p->cfg, why) : 0;
    if (rc < 0) {
        free(p->state);
        p->state = NULL;
    }
    return rc;
}

uint32_t policy_decide(struct policy *p, const struct pol_obs *obs, struct pol_ctx *ctx)
{
    ctx->obs = obs;
    ctx->evaluations = 0;
    uint32_t k = p->type->decide(p->state, obs, ctx);
    if (k < obs->k_min || k > obs->k_max) {
        fprintf(stderr, "splitsim: policy '%s' chose split %u outside the candidates [%u, %u]\n",
                p->type->name, k, obs->k_min, obs->k_max);
        abort();
    }
    p->decisions++;
    p->evaluations += ctx->evaluations;
    return k;
}

void policy_observe(struct policy *p, const struct pol_obs *obs, const struct pol_outcome *out)
{
    if (p->type->observe)
        p->type->observe(p->state, obs, out);
}

int policy_predict(struct policy *p, const struct pol_obs *obs, double *pred)
{
    return p->type->predict ? p->type->predict(p->state, obs, pred) : -ENOTSUP;
}

int policy_finish(struct policy *p, const char **why)
{
    *why = NULL;
    return p->type->finish ? p->type->finish(p->state, &p->cfg, why) : 0;
}

void policy_release(struct policy *p)
{
    if (p->type && p->type->release && p->state)
        p->type->release(p->state);
    free(p->state);
    memset(p, 0, sizeof *p);
}
