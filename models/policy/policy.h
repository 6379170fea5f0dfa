/*
 * policy — split policies: what decides k for each request, behind one versioned interface.
 *
 * Concept: a policy is a `const struct pol_type` (a table of hooks, found by its YAML name in
 * the registry `pol_types[]`) plus a state block of `state_size` bytes that the core allocates
 * and zeroes. When a request arrives, the core fills a `struct pol_obs` with what the UE could
 * know (its channel estimate or erasure rate, the request's size, its previous split, the edge
 * load when the scenario makes it visible) and calls `decide`, which returns k in
 * [obs->k_min, obs->k_max]. When the request finishes, `observe` receives what happened
 * (realised reward, quality, latencies, energy). A policy may pay for *true evaluations*:
 * `pol_evaluate(ctx, k)` returns the true expected reward of split k for this request (what the
 * paper pays a real perplexity run for); every call is counted, each costs
 * policy.evaluation_cost of (reported, not simulated) time, and every policy reports its count.
 *
 * The core calls hooks only through the thin `policy_*` wrappers, which supply defaults for the
 * optional hooks, count decisions and check the answers (a k outside the candidates is a bug in
 * the policy: it aborts with the policy's name).
 *
 * Writing a policy: one C file defining a `const struct pol_type`, one line in `pol_types[]`
 * (models/policy/policy.c). docs/POLICIES.md walks through an example.
 *
 * Invariants: state is private to the policy; a policy draws random numbers only from the
 * stream it is given (RNG_KIND_POLICY), so two policies never disturb each other's or the
 * system's draws; decide never returns a k outside [k_min, k_max].
 */
#ifndef SPLITSIM_MODELS_POLICY_H
#define SPLITSIM_MODELS_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/diag.h"
#include "sim/rng.h"

#define POL_ABI 1

/* The most candidate splits a policy is asked to choose among (k_max - k_min + 1). */
#define POL_MAX_CANDIDATES 256

/* What the UE can know when a request arrives. */
struct pol_obs {
    uint64_t request;
    uint32_t ue;
    double now_s;
    double snr_db;  /* wideband uplink SNR estimate (fading channel); NaN with the erasure model */
    double erasure; /* erasure channel: its p; fading: the UE's recent erased fraction (EWMA) */
    uint32_t prompt, output; /* tokens */
    double edge_load;      /* requests in progress at the UE's server / batch_max; NaN if hidden */
    uint32_t k_min, k_max; /* candidate splits */
    uint32_t blocks;       /* L */
    uint32_t last_k;       /* the UE's previous split (k_min before its first request) */
};

/* What happened to a request. */
struct pol_outcome {
    uint32_t k;
    bool failed;    /* refused or radio-link failure: no quality, latencies NaN */
    double reward;  /* realised, with the scenario's weights */
    double quality; /* PPL ratio */
    double erasure; /* erased fraction */
    double ttft_s, tpot_s, latency_s;
    double energy_j;
};

/* Given to decide: the counted true evaluation, and the free analytic latency estimate. */
struct pol_ctx {
    double (*evaluate)(void *arg, const struct pol_obs *obs, uint32_t k); /* the model's oracle */
    /* the true expected perplexity ratio PPL/PPL_0 of split k (the paper's perplexity run) */
    double (*evaluate_quality)(void *arg, const struct pol_obs *obs, uint32_t k);
    /* predicted latency (the scenario's latency metric, s) of split k from the cost tables and
     * the observation only (what the UE could compute itself): not counted */
    double (*estimate_latency)(void *arg, const struct pol_obs *obs, uint32_t k);
    void *arg;
    const struct pol_obs *obs;
    uint64_t evaluations; /* this decision's */
};

/* The true expected reward of split k for the request being decided (counted). */
double pol_evaluate(struct pol_ctx *ctx, uint32_t k);

/* The true expected perplexity ratio of split k (counted as a true evaluation too). */
double pol_evaluate_quality(struct pol_ctx *ctx, uint32_t k);

/* Everything a policy's init may read. */
struct pol_config {
    uint32_t blocks;       /* L */
    uint32_t k_min, k_max; /* candidate splits */
    uint32_t fixed_k;      /* policy "fixed": split.layer */
    struct rng *rng;       /* the policy's own stream */
    /* MBRL */
    uint32_t mbrl_hidden;         /* surrogate hidden width */
    uint64_t mbrl_budget;         /* true evaluations it may pay for */
    uint64_t mbrl_ppo_steps;      /* imagined steps per PPO training round */
    uint64_t mbrl_train_every;    /* decisions between training rounds */
    double mbrl_learning_rate;    /* Adam, surrogate */
    const char *mbrl_weights_in;  /* "" or a file to start from */
    const char *mbrl_weights_out; /* "" or a file to write at the end */
    double latency_weight;        /* > 0: the reward depends on latency (features matter) */
    struct diag *diag;            /* optional: where init may report details (e.g. file:line:col) */
};

/* Results a policy adds (flush). */
struct rec;

struct pol_type {
    unsigned abi;     /* POL_ABI */
    const char *name; /* the YAML name */
    const char *doc;  /* one line for `splitsim policies` and the docs */
    size_t state_size;
    /* optional: 0 or a negative errno; a message may go to *why (static text) */
    int (*init)(void *state, const struct pol_config *cfg, const char **why);
    /* required: the split for this request */
    uint32_t (*decide)(void *state, const struct pol_obs *obs, struct pol_ctx *ctx);
    /* optional: learning from outcomes */
    void (*observe)(void *state, const struct pol_obs *obs, const struct pol_outcome *out);
    /* optional: the policy's own predicted reward of every candidate k_min..k_max (into
     * pred[k - k_min]); 0, or -ENOTSUP when it has no model */
    int (*predict)(void *state, const struct pol_obs *obs, double *pred);
    /* optional: at the end of a run (e.g. save learned weights); 0 or a negative errno */
    int (*finish)(void *state, const struct pol_config *cfg, const char **why);
    /* optional */
    void (*release)(void *state);
};

/* The registry (NULL-terminated) and lookup by name. */
extern const struct pol_type *const pol_types[];
const struct pol_type *pol_type_find(const char *name);

/* A policy instance. */
struct policy {
    const struct pol_type *type;
    void *state;
    struct pol_config cfg;
    uint64_t decisions, evaluations;
};

/* Allocates and initialises; 0, -EINVAL (wrong ABI, or init refused: message in *why) or
 * -ENOMEM. */
int policy_init(struct policy *p, const struct pol_type *t, const struct pol_config *cfg,
                const char **why);
/* Decides (counts the decision and the evaluations it paid for; checks the answer). */
uint32_t policy_decide(struct policy *p, const struct pol_obs *obs, struct pol_ctx *ctx);
void policy_observe(struct policy *p, const struct pol_obs *obs, const struct pol_outcome *out);
/* -ENOTSUP when the policy has no model. */
int policy_predict(struct policy *p, const struct pol_obs *obs, double *pred);
int policy_finish(struct policy *p, const char **why);
void policy_release(struct policy *p);

extern const struct pol_type pol_mbrl; /* models/policy/pol_mbrl.c (added by the MBRL work) */

#endif
