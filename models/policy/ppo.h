/*
 * ppo — proximal policy optimisation (Schulman et al. 2017) for a discrete action space, as
 * Stable-Baselines3 does it, on the networks of models/policy/nn.h.
 *
 * Concept: an agent has an actor (observation -> hidden -> hidden, tanh -> one logit per
 * action; the policy is the softmax of the logits) and a critic (observation -> hidden ->
 * hidden, tanh -> the state's value). ppo_train alternates two phases until it has taken the
 * steps asked for: it collects a rollout of n_steps transitions from an environment, sampling
 * actions from the policy; then it computes advantages with GAE(lambda) (Schulman et al. 2016)
 * and returns = advantages + values, and makes `epochs` passes over the rollout in shuffled
 * minibatches of batch_size, each a step of Adam on
 *
 *     L = -mean(min(A r, A clip(r, 1 - eps, 1 + eps))) - ent_coef mean(H) + vf_coef mean((R - V)^2)
 *
 * (r = pi(a|s) / pi_old(a|s), A the minibatch's advantages normalised to mean 0 and standard
 * deviation 1, H the policy's entropy), after scaling the gradient of actor and critic together
 * to a global norm of at most max_grad_norm. An episode that ends (`done`) is terminal: its
 * last step is not bootstrapped; a rollout cut mid-episode bootstraps from the critic.
 *
 * Defaults (ppo_config_default) are SB3's: hidden 64, learning rate 3e-4, gamma 0.99, GAE
 * lambda 0.95, clip 0.2, 10 epochs, n_steps 2048, batch 64, entropy coefficient 0, value
 * coefficient 0.5, max grad norm 0.5, Adam eps 1e-5. SB3 initialises orthogonally; here hidden
 * layers are Glorot uniform and the policy head is scaled by 0.01 as SB3's is (so the first
 * policy is nearly uniform).
 *
 * Invariants: all randomness (initialisation, action sampling, shuffling) comes from the
 * struct rng the agent is given, so a seed (and a deterministic environment, which may share
 * that stream) fixes the training bit for bit, for a given BLAS; ppo_act never returns an
 * action >= nactions.
 */
#ifndef SPLITSIM_MODELS_PPO_H
#define SPLITSIM_MODELS_PPO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/policy/nn.h"
#include "sim/diag.h"
#include "sim/rng.h"

struct ppo_config {
    size_t obs_dim;
    uint32_t nactions;
    size_t hidden; /* width of both hidden layers of actor and critic */
    double learning_rate, gamma, gae_lambda, clip_range;
    double ent_coef, vf_coef, max_grad_norm, adam_eps;
    uint32_t n_steps, batch_size, epochs;
    bool normalize_advantage;
};

/* SB3's defaults for an observation of obs_dim values and nactions actions. */
void ppo_config_default(struct ppo_config *c, size_t obs_dim, uint32_t nactions);

/*
 * An environment: reset writes the first observation of an episode into obs (obs_dim values);
 * step takes an action, writes the next observation, sets *done when the episode has ended
 * (next_obs is then ignored and reset is called) and returns the reward.
 */
struct ppo_env {
    void *arg;
    void (*reset)(void *arg, double *obs);
    double (*step)(void *arg, uint32_t action, double *next_obs, bool *done);
};

/* One minibatch for ppo_loss. */
struct ppo_batch {
    size_t n;
    const double *obs;       /* n x obs_dim */
    const uint32_t *actions; /* n */
    const double *logp_old;  /* n: log pi_old(a|s) */
    const double *adv;       /* n: advantages, as used (normalise before) */
    const double *ret;       /* n: returns, the critic's targets */
};

/* The loss and what SB3 logs about it. */
struct ppo_loss {
    double total, policy, value, entropy; /* value: mean squared error (before vf_coef) */
    double clip_fraction, approx_kl;
};

struct ppo {
    struct ppo_config cfg;
    struct rng *rng;
    struct nn actor, critic;
    struct nn_adam opt_actor, opt_critic;
    uint64_t steps, updates; /* environment steps and gradient steps taken in training */
    struct ppo_loss last;    /* the last minibatch's loss */
    /* the rollout (n_steps rows) */
    double *obs, *rew, *val, *logp, *adv, *ret;
    uint32_t *act;
    unsigned char *done;
    /* scratch */
    double *cur, *next, *logits, *mb_obs, *mb_logp, *mb_adv, *mb_ret, *dlogits, *dv;
    uint32_t *mb_act, *perm;
};

/*
 * Creates an agent with networks drawn from rng (kept: the agent draws from it for life).
 * 0, -EINVAL (obs_dim, nactions, hidden, n_steps, batch_size or epochs 0, or batch_size >
 * n_steps) or -ENOMEM (nothing held).
 */
int ppo_init(struct ppo *a, const struct ppo_config *cfg, struct rng *rng);
void ppo_release(struct ppo *a);

/*
 * Trains for at least `steps` environment steps: ceil(steps / n_steps) rounds of a rollout
 * and its updates. The environment is reset at the start of every call. 0.
 */
int ppo_train(struct ppo *a, const struct ppo_env *env, uint64_t steps);

/* The action for obs: sampled from the policy, or its most probable (the first on ties). */
uint32_t ppo_act(struct ppo *a, const double *obs, bool greedy);

/* The policy's probabilities of every action for obs (nactions values). */
void ppo_probs(struct ppo *a, const double *obs, double *probs);

/* The critic's value of obs. */
double ppo_value(struct ppo *a, const double *obs);

/*
 * The loss on a batch (n <= batch_size) into *out; when `grad`, adds its gradient to the
 * actor's and the critic's gradient arrays (clear them first with nn_zero_grad). Exposed for
 * tests: ppo_train calls it for every minibatch.
 */
void ppo_loss(struct ppo *a, const struct ppo_batch *b, bool grad, struct ppo_loss *out);

/* Saves actor and critic (named "actor", "critic") in nn's format; loads them back (the
 * shapes must match the agent's). 0 or a negative errno with a message in d. */
int ppo_save(const struct ppo *a, const char *path, struct diag *d);
int ppo_load(struct ppo *a, const char *path, struct diag *d);

#endif
