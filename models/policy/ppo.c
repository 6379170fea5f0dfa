#include "models/policy/ppo.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/invariant.h"

/* The policy head's initial weights are scaled down so that the first policy is near uniform
 * over the actions (Andrychowicz et al. 2021, "What matters in on-policy RL", recommendation:
 * last policy layer initialised 100x smaller; Stable-Baselines3 uses gain 0.01). */
#define PPO_POLICY_HEAD_GAIN 0.01

/* Stable-Baselines3's PPO defaults (Raffin et al. 2021), which follow Schulman et al. 2017. */
void ppo_config_default(struct ppo_config *c, size_t obs_dim, uint32_t nactions)
{
    *c = (struct ppo_config){
        .obs_dim = obs_dim,
        .nactions = nactions,
        .hidden = 64,
        .learning_rate = 3e-4,
        .gamma = 0.99,
        .gae_lambda = 0.95,
        .clip_range = 0.2,
        .ent_coef = 0.0,
        .vf_coef = 0.5,
        .max_grad_norm = 0.5,
        .adam_eps = 1e-5,
        .n_steps = 2048,
        .batch_size = 64,
        .epochs = 10,
        .normalize_advantage = true,
    };
}

int ppo_init(struct ppo *a, const struct ppo_config *cfg, struct rng *rng)
{
    memset(a, 0, sizeof *a);
    if (!cfg->obs_dim || !cfg->nactions || !cfg->hidden || !cfg->n_steps || !cfg->batch_size ||
        !cfg->epochs || cfg->batch_size > cfg->n_steps)
        return -EINVAL;
    a->cfg = *cfg;
    a->rng = rng;
    size_t d = cfg->obs_dim, na = cfg->nactions, n = cfg->n_steps, b = cfg->batch_size;
    size_t as[] = {d, cfg->hidden, cfg->hidden, na}, cs[] = {d, cfg->hidden, cfg->hidden, 1};
    int rc = nn_init(&a->actor, 3, as, NN_TANH);
    if (rc == 0)
        rc = nn_init(&a->critic, 3, cs, NN_TANH);
    if (rc == 0)
        rc = nn_reserve(&a->actor, b);
    if (rc == 0)
        rc = nn_reserve(&a->critic, b);
    if (rc == 0)
        rc = nn_adam_init(&a->opt_actor, a->actor.nparams, cfg->learning_rate);
    if (rc == 0)
        rc = nn_adam_init(&a->opt_critic, a->critic.nparams, cfg->learning_rate);
    if (rc < 0) {
        ppo_release(a);
        return rc;
    }
    a->opt_actor.eps = a->opt_critic.eps = cfg->adam_eps;
    a->obs = malloc(n * d * sizeof *a->obs);
    a->rew = malloc(n * sizeof *a->rew);
    a->val = malloc(n * sizeof *a->val);
    a->logp = malloc(n * sizeof *a->logp);
    a->adv = malloc(n * sizeof *a->adv);
    a->ret = malloc(n * sizeof *a->ret);
    a->act = malloc(n * sizeof *a->act);
    a->done = malloc(n);
    a->perm = malloc(n * sizeof *a->perm);
    a->cur = malloc(d * sizeof *a->cur);
    a->next = malloc(d * sizeof *a->next);
    a->logits = malloc(na * sizeof *a->logits);
    a->mb_obs = malloc(b * d * sizeof *a->mb_obs);
    a->mb_logp = malloc(b * sizeof *a->mb_logp);
    a->mb_adv = malloc(b * sizeof *a->mb_adv);
    a->mb_ret = malloc(b * sizeof *a->mb_ret);
    a->mb_act = malloc(b * sizeof *a->mb_act);
    a->dlogits = malloc(b * na * sizeof *a->dlogits);
    a->dv = malloc(b * sizeof *a->dv);
    if (!a->obs || !a->rew || !a->val || !a->logp || !a->adv || !a->ret || !a->act || !a->done ||
        !a->perm || !a->cur || !a->next || !a->logits || !a->mb_obs || !a->mb_logp || !a->mb_adv ||
        !a->mb_ret || !a->mb_act || !a->dlogits || !a->dv) {
        ppo_release(a);
        return -ENOMEM;
    }
    nn_randomize(&a->actor, rng);
    nn_randomize(&a->critic, rng);
    nn_scale_layer(&a->actor, 2, PPO_POLICY_HEAD_GAIN);
    return 0;
}

void ppo_release(struct ppo *a)
{
    nn_release(&a->actor);
    nn_release(&a->critic);
    nn_adam_release(&a->opt_actor);
    nn_adam_release(&a->opt_critic);
    void *bufs[] = {a->obs,    a->rew,    a->val,    a->logp,    a->adv,    a->ret,    a->act,
                    a->done,   a->perm,   a->cur,    a->next,    a->logits, a->mb_obs, a->mb_logp,
                    a->mb_adv, a->mb_ret, a->mb_act, a->dlogits, a->dv};
    for (size_t i = 0; i < sizeof bufs / sizeof *bufs; i++)
        free(bufs[i]);
    memset(a, 0, sizeof *a);
}

/* log-softmax of z (n values) into out; returns the log of the normaliser. */
static double log_softmax(const double *z, size_t n, double *out)
{
    double mx = z[0];
    for (size_t j = 1; j < n; j++)
        if (z[j] > mx)
            mx = z[j];
    double s = 0;
    for (size_t j = 0; j < n; j++)
        s += exp(z[j] - mx);
    double lse = mx + log(s);
    for (size_t j = 0; j < n; j++)
        out[j] = z[j] - lse;
    return lse;
}

void ppo_probs(struct ppo *a, const double *obs, double *probs)
{
    size_t na = a->cfg.nactions;
    log_softmax(nn_forward(&a->actor, obs, 1), na, a->logits);
    for (size_t j = 0; j < na; j++)
        probs[j] = exp(a->logits[j]);
}

double ppo_value(struct ppo *a, const double *obs)
{
    return nn_forward(&a->critic, obs, 1)[0];
}

/* Samples an action from the log-probabilities in a->logits. */
static uint32_t sample(struct ppo *a)
{
    size_t na = a->cfg.nactions;
    double u = rng_uniform(a->rng), c = 0;
    for (size_t j = 0; j + 1 < na; j++) {
        c += exp(a->logits[j]);
        if (u < c)
            return (uint32_t)j;
    }
    return (uint32_t)(na - 1);
}

uint32_t ppo_act(struct ppo *a, const double *obs, bool greedy)
{
    size_t na = a->cfg.nactions;
    const double *z = nn_forward(&a->actor, obs, 1);
    if (greedy) {
        size_t best = 0;
        for (size_t j = 1; j < na; j++)
            if (z[j] > z[best])
                best = j;
        return (uint32_t)best;
    }
    log_softmax(z, na, a->logits);
    return sample(a);
}

void ppo_loss(struct ppo *a, const struct ppo_batch *b, bool grad, struct ppo_loss *out)
{
    size_t n = b->n, na = a->cfg.nactions;
    SIM_ASSERT(n >= 1 && n <= a->cfg.batch_size, "batch of %zu", n);
    double eps = a->cfg.clip_range, inv = 1.0 / (double)n;
    const double *z = nn_forward(&a->actor, b->obs, n);
    struct ppo_loss l = {0};
    for (size_t i = 0; i < n; i++) {
        double *lp = a->logits;
        log_softmax(z + i * na, na, lp);
        uint32_t act = b->actions[i];
        SIM_ASSERT(act < na, "action %u of %zu", act, na);
        double logr = lp[act] - b->logp_old[i], r = exp(logr), A = b->adv[i];
        double rc = r < 1 - eps ? 1 - eps : r > 1 + eps ? 1 + eps : r;
        double un = A * r, cl = A * rc;
        bool unclipped = un <= cl;
        l.policy -= (unclipped ? un : cl) * inv;
        l.clip_fraction += (fabs(r - 1) > eps) * inv;
        l.approx_kl += ((r - 1) - logr) * inv;
        double h = 0;
        for (size_t j = 0; j < na; j++)
            h -= exp(lp[j]) * lp[j];
        l.entropy += h * inv;
        if (grad) {
            /* d(policy term)/d logp(a) = -A r / n where the unclipped term is the minimum */
            double dlogp = unclipped ? -A * r * inv : 0;
            double *g = a->dlogits + i * na;
            for (size_t j = 0; j < na; j++) {
                double p = exp(lp[j]);
                /* dlogp(a)/dz_j = [j == a] - p_j; dH/dz_j = -p_j (log p_j + H) */
                g[j] = dlogp * ((j == act) - p) + a->cfg.ent_coef * inv * p * (lp[j] + h);
            }
        }
    }
    if (grad)
        nn_backward(&a->actor, a->dlogits);
    const double *v = nn_forward(&a->critic, b->obs, n);
    for (size_t i = 0; i < n; i++) {
        double e = v[i] - b->ret[i];
        l.value += e * e * inv;
        a->dv[i] = a->cfg.vf_coef * 2 * e * inv;
    }
    if (grad)
        nn_backward(&a->critic, a->dv);
    l.total = l.policy - a->cfg.ent_coef * l.entropy + a->cfg.vf_coef * l.value;
    *out = l;
}

/* Collects n_steps transitions into the rollout and computes advantages and returns. */
static void collect(struct ppo *a, const struct ppo_env *env)
{
    size_t d = a->cfg.obs_dim, na = a->cfg.nactions, n = a->cfg.n_steps;
    for (size_t t = 0; t < n; t++) {
        memcpy(a->obs + t * d, a->cur, d * sizeof *a->cur);
        log_softmax(nn_forward(&a->actor, a->cur, 1), na, a->logits);
        uint32_t act = sample(a);
        a->act[t] = act;
        a->logp[t] = a->logits[act];
        a->val[t] = ppo_value(a, a->cur);
        bool done = false;
        a->rew[t] = env->step(env->arg, act, a->next, &done);
        a->done[t] = done;
        if (done)
            env->reset(env->arg, a->cur);
        else
            memcpy(a->cur, a->next, d * sizeof *a->cur);
    }
    a->steps += n;
    double last_v = ppo_value(a, a->cur), gae = 0;
    double g = a->cfg.gamma, lam = a->cfg.gae_lambda;
    for (size_t t = n; t-- > 0;) {
        double nonterminal = a->done[t] ? 0.0 : 1.0;
        double next_v = t + 1 == n ? last_v : a->val[t + 1];
        double delta = a->rew[t] + g * next_v * nonterminal - a->val[t];
        gae = delta + g * lam * nonterminal * gae;
        a->adv[t] = gae;
        a->ret[t] = gae + a->val[t];
    }
}

/* One Adam step on a minibatch of the rollout: rows perm[from .. from + m). */
static void update(struct ppo *a, size_t from, size_t m)
{
    size_t d = a->cfg.obs_dim;
    double mean = 0, var = 0;
    for (size_t i = 0; i < m; i++) {
        uint32_t r = a->perm[from + i];
        memcpy(a->mb_obs + i * d, a->obs + (size_t)r * d, d * sizeof *a->obs);
        a->mb_act[i] = a->act[r];
        a->mb_logp[i] = a->logp[r];
        a->mb_adv[i] = a->adv[r];
        a->mb_ret[i] = a->ret[r];
        mean += a->adv[r];
    }
    if (a->cfg.normalize_advantage && m > 1) {
        mean /= (double)m;
        for (size_t i = 0; i < m; i++)
            var += (a->mb_adv[i] - mean) * (a->mb_adv[i] - mean);
        double sd = sqrt(var / (double)(m - 1));
        for (size_t i = 0; i < m; i++)
            a->mb_adv[i] = (a->mb_adv[i] - mean) / (sd + 1e-8);
    }
    struct ppo_batch b = {.n = m,
                          .obs = a->mb_obs,
                          .actions = a->mb_act,
                          .logp_old = a->mb_logp,
                          .adv = a->mb_adv,
                          .ret = a->mb_ret};
    nn_zero_grad(&a->actor);
    nn_zero_grad(&a->critic);
    ppo_loss(a, &b, true, &a->last);
    double norm = sqrt(nn_grad_sq(&a->actor) + nn_grad_sq(&a->critic));
    double coef = a->cfg.max_grad_norm / (norm + 1e-6);
    if (coef < 1) {
        nn_scale_grad(&a->actor, coef);
        nn_scale_grad(&a->critic, coef);
    }
    nn_adam_step(&a->opt_actor, a->actor.params, a->actor.grads);
    nn_adam_step(&a->opt_critic, a->critic.params, a->critic.grads);
    a->updates++;
}

int ppo_train(struct ppo *a, const struct ppo_env *env, uint64_t steps)
{
    size_t n = a->cfg.n_steps, bs = a->cfg.batch_size;
    env->reset(env->arg, a->cur);
    for (uint64_t done = 0; done < steps; done += n) {
        collect(a, env);
        for (uint32_t e = 0; e < a->cfg.epochs; e++) {
            /* Fisher-Yates from the agent's stream */
            for (size_t i = 0; i < n; i++)
                a->perm[i] = (uint32_t)i;
            for (size_t i = n - 1; i > 0; i--) {
                size_t j = rng_uniform_int(a->rng, i + 1);
                uint32_t t = a->perm[i];
                a->perm[i] = a->perm[j];
                a->perm[j] = t;
            }
            for (size_t from = 0; from < n; from += bs)
                update(a, from, from + bs <= n ? bs : n - from);
        }
    }
    return 0;
}

static const char *const ppo_names[] = {"actor", "critic"};

int ppo_save(const struct ppo *a, const char *path, struct diag *d)
{
    const struct nn *nets[] = {&a->actor, &a->critic};
    return nn_save(path, nets, ppo_names, 2, d);
}

int ppo_load(struct ppo *a, const char *path, struct diag *d)
{
    struct nn *nets[] = {&a->actor, &a->critic};
    return nn_load(path, nets, ppo_names, 2, d);
}
