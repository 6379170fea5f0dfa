/*
 * pol_mbrl — model-based reinforcement learning, as in Chen et al. (docs/PAPER.md): a reward
 * surrogate learnt from a few paid true evaluations, and a PPO agent trained on episodes the
 * surrogate imagines, so the true reward is paid for a few hundred times instead of at every
 * decision.
 *
 * Features of a request (obs) and a split k, in one function (features()): the channel estimate
 * as two values, snr_db / 30 (0 on the erasure channel, whose snr_db is NaN) and erasure / 0.3
 * (the paper's range of p, [0.01, 0.30], becomes about [0, 1]: with p raw, PPO needed several
 * times more steps to separate the splits); k / L; and, when the reward weighs latency
 * (latency_weight > 0), the edge load (0 when hidden), prompt / 1000 and output / 1000. The
 * scales are the MBRL_*_SCALE constants below, each with its reason.
 *
 * Surrogate: an MLP features -> hidden -> hidden (ReLU) -> 1 predicting symlog(reward) (see
 * symlog()), fitted online by Adam on the squared error over two bounded replay buffers: the true
 * evaluations it paid for (the true expected reward of (obs, k)) and the realised rewards the
 * observe hook reports for the chosen k (noisy). While the budget is being spent it fits the
 * evaluations only (a few hundred noisy outcomes at the splits it happened to choose made it
 * markedly worse); afterwards a quarter of every minibatch comes from the outcomes. Every new
 * sample is followed by a few minibatch steps.
 *
 * Spending the budget: while evaluations remain, a decision evaluates the surrogate's current
 * best candidate and one other: a uniformly random one in the first half of the budget
 * (exploration), a random neighbour of the best in the second half (where the argmax is
 * decided); it returns the better of the two by their true rewards.
 *
 * Agent: PPO (models/policy/ppo.h) with SB3's defaults (n_steps 2048, batch 64; a round shorter
 * than 2048 steps uses one rollout of its length). State = the features of a context with the
 * current split in the k slot; action = the absolute choice of k among the candidates; reward = the
 * surrogate's prediction for (context, action); episodes of 5 steps, each on one context drawn
 * from a bounded buffer of the observations this policy has seen (so it learns over the
 * conditions it meets), starting from a random split. A round of mbrl_ppo_steps imagined steps
 * runs every mbrl_train_every decisions while the budget is being spent, and once more (after a
 * longer surrogate fit) when it runs out; none after that.
 *
 * decide: while spending, as above; then the actor's most probable candidate for (obs,
 * obs->last_k); before the first PPO round (or with mbrl_ppo_steps 0), the surrogate's argmax.
 * predict: the surrogate for every candidate. finish: surrogate, actor and critic to
 * mbrl_weights_out (nn's text format, networks "surrogate", "actor", "critic"); init loads them
 * from mbrl_weights_in (shapes must match mbrl_hidden and the feature count), after which the
 * actor decides from the first request and the budget (if any) refines them.
 *
 * Recommended configuration (the paper's scenario, 1 UE, ~2000 decisions, 10 candidates, about
 * 3 s): mbrl_hidden 64, mbrl_budget 200, mbrl_ppo_steps 16384, mbrl_train_every 50,
 * mbrl_learning_rate 1e-3. Zero fields take MBRL_DEFAULT_* below, except mbrl_budget and
 * mbrl_ppo_steps, where 0 means none. All randomness comes from cfg->rng.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/policy/nn.h"
#include "models/policy/policy.h"
#include "models/policy/ppo.h"
#include "sim/diag.h"

#define MBRL_DEFAULT_HIDDEN      64
#define MBRL_DEFAULT_TRAIN_EVERY 50
#define MBRL_DEFAULT_LR          1e-3

/*
 * Numbers that change what MBRL decides, named here rather than made scenario keys (a key would
 * change every results file's resolved scenario text). Where no source is given they are this
 * implementation's design choices, not published values.
 */
#define MBRL_EPISODE      5    /* imagined steps per episode: the paper's episodes (PAPER.md) */
#define MBRL_REPLAY       2048 /* observed outcomes kept (the newest) */
#define MBRL_EVALS_MAX    8192 /* true evaluations kept (the newest) */
#define MBRL_CONTEXTS     1024 /* observations kept for imagined episodes (the newest) */
#define MBRL_FIT_BATCH    32   /* surrogate minibatch */
#define MBRL_OUT_EVERY    4    /* after the budget: a quarter of each minibatch from outcomes */
#define MBRL_FIT_EVAL     8    /* surrogate steps after each true evaluation */
#define MBRL_FIT_OBSERVED 1    /* ... after each observed outcome */
#define MBRL_FIT_FINAL    2000 /* ... when the budget runs out, before the last PPO round */
#define MBRL_PPO_N_STEPS  2048 /* Stable-Baselines3's PPO default n_steps (PAPER.md) */
#define MBRL_PPO_BATCH    64   /* ... and batch_size */

/* Spending the budget: its first 1 / MBRL_UNIFORM_DIV pairs the surrogate's best with a uniformly
 * random candidate (exploration), the rest with a neighbour of the best, above it with
 * probability MBRL_NEIGHBOUR_UP (no side favoured). */
#define MBRL_UNIFORM_DIV  2 /* an integer: the budget is divided in integers */
#define MBRL_NEIGHBOUR_UP 0.5

/*
 * Feature scales: every input of the surrogate and of the actor divided to about unit size, so
 * that none dominates their first layers (plain input normalisation).
 */
/* dB: a round number above the SNR at which link adaptation saturates (CQI 15 of 3GPP TS 38.214
 * table 1 at 22.7 dB, models/radio/channel.c); its useful range, from CQI 1 at -6.7 dB, becomes
 * about [-0.2, 0.8] */
#define MBRL_SNR_SCALE 30.0
/* the paper's largest erasure probability (p in [0.01, 0.30], PAPER.md): p becomes about
 * [0, 1]; with p raw, PPO needed several times more steps to separate the splits */
#define MBRL_ERASURE_SCALE 0.3
/* tokens: prompts and outputs in thousands (the shipped scenarios' are 1 to 512 tokens) */
#define MBRL_TOKENS_SCALE 1000.0

/* The features' places: the channel (two), the split k, then the latency features. */
enum {
    F_SNR,
    F_ERASURE,
    K_SLOT,
    F_BASE_COUNT, /* without latency */
    F_LOAD = F_BASE_COUNT,
    F_PROMPT,
    F_OUTPUT,
    MBRL_MAX_FEAT /* with latency */
};

struct sample {
    double x[MBRL_MAX_FEAT];
    double y;
};

/* A bounded buffer keeping the newest `cap` samples. */
struct ring {
    struct sample *v;
    size_t n, cap, next;
};

struct mbrl {
    struct pol_config cfg;
    struct rng *rng;
    uint32_t k_min, ncand;
    size_t nfeat;
    bool latency;
    struct nn sur;
    struct nn_adam sur_opt;
    struct ppo agent;
    bool trained; /* the actor decides */
    struct ring evals, outs;
    double *ctx; /* MBRL_CONTEXTS x nfeat, k slot unused */
    size_t nctx, ctx_next;
    uint64_t spent, decisions;
    bool final_done;
    /* scratch: candidate batch, fit batch */
    double *xb, *fx, *fy, *dy;
    /* the imagined episode */
    const double *env_ctx;
    int env_t;
    double env_r[POL_MAX_CANDIDATES];
};

struct mbrl_state {
    struct mbrl *m;
    char why[512]; /* the message behind a failed finish (e.g. weights_out's path and reason) */
};

/* ---- features ---------------------------------------------------------------------------- */

static size_t feature_count(bool latency)
{
    return latency ? MBRL_MAX_FEAT : F_BASE_COUNT;
}

/* The surrogate's input for (o, k); also the agent's state, with k the current split. */
static void features(const struct mbrl *m, const struct pol_obs *o, uint32_t k, double *x)
{
    x[F_SNR] = isnan(o->snr_db) ? 0.0 : o->snr_db / MBRL_SNR_SCALE;
    x[F_ERASURE] = isfinite(o->erasure) ? o->erasure / MBRL_ERASURE_SCALE : 0.0;
    x[K_SLOT] = (double)k / (double)m->cfg.blocks;
    if (m->latency) {
        x[F_LOAD] = isnan(o->edge_load) ? 0.0 : o->edge_load;
        x[F_PROMPT] = o->prompt / MBRL_TOKENS_SCALE;
        x[F_OUTPUT] = o->output / MBRL_TOKENS_SCALE;
    }
}

/* ---- the surrogate ----------------------------------------------------------------------- */

/* The surrogate learns symlog(reward) = sign(r) log(1 + |r|): a strictly increasing map, so the
 * best split is the same, but rewards that span orders of magnitude (a few tenths on a clean
 * channel, tens on a lossy one) weigh alike in the squared error; without it the fit spends its
 * capacity on the large values and ranks the splits of good channels poorly. */
static double symlog(double r)
{
    return r < 0 ? -log1p(-r) : log1p(r);
}

static double symexp(double y)
{
    return y < 0 ? -expm1(-y) : expm1(y);
}

static void ring_add(struct ring *r, const double *x, size_t nfeat, double y)
{
    struct sample *s = &r->v[r->next];
    memset(s, 0, sizeof *s);
    memcpy(s->x, x, nfeat * sizeof *x);
    s->y = symlog(y);
    r->next = (r->next + 1) % r->cap;
    if (r->n < r->cap)
        r->n++;
}

/* One Adam step on a minibatch (with replacement): of the evaluations while the budget is being
 * spent, then a quarter of outcomes and three quarters of evaluations (outcomes only when there
 * are no evaluations, e.g. with weights_in and no budget). */
static void fit_step(struct mbrl *m)
{
    size_t total = m->evals.n + m->outs.n;
    if (total == 0)
        return;
    size_t b = total < MBRL_FIT_BATCH ? total : MBRL_FIT_BATCH, d = m->nfeat;
    bool mix = m->outs.n > 0 && m->evals.n > 0 && m->spent >= m->cfg.mbrl_budget;
    for (size_t i = 0; i < b; i++) {
        const struct ring *r = m->evals.n == 0                  ? &m->outs
                               : mix && i % MBRL_OUT_EVERY == 0 ? &m->outs
                                                                : &m->evals;
        const struct sample *s = &r->v[rng_uniform_int(m->rng, r->n)];
        memcpy(m->fx + i * d, s->x, d * sizeof *m->fx);
        m->fy[i] = s->y;
    }
    const double *y = nn_forward(&m->sur, m->fx, b);
    for (size_t i = 0; i < b; i++)
        m->dy[i] = (y[i] - m->fy[i]) / (double)b;
    nn_zero_grad(&m->sur);
    nn_backward(&m->sur, m->dy);
    nn_adam_step(&m->sur_opt, m->sur.params, m->sur.grads);
}

static void fit(struct mbrl *m, int steps)
{
    for (int i = 0; i < steps; i++)
        fit_step(m);
}

/* The surrogate's reward of splits k_first .. k_first + count - 1 (count <= POL_MAX_CANDIDATES)
 * for the context x (its k slot ignored) into r. */
static void predict_range(struct mbrl *m, const double *x, uint32_t k_first, uint32_t count,
                          double *r)
{
    size_t d = m->nfeat;
    for (uint32_t i = 0; i < count; i++) {
        memcpy(m->xb + i * d, x, d * sizeof *x);
        m->xb[i * d + K_SLOT] = (double)(k_first + i) / (double)m->cfg.blocks;
    }
    memcpy(r, nn_forward(&m->sur, m->xb, count), count * sizeof *r);
}

/* ... of the policy's candidates (index k - k_min). */
static void predict_all(struct mbrl *m, const double *x, double *r)
{
    predict_range(m, x, m->k_min, m->ncand, r);
}

/* This request's candidates as indices lo..hi of the policy's (which the core keeps equal);
 * false when they do not overlap. */
static bool cand_range(const struct mbrl *m, const struct pol_obs *obs, uint32_t *lo, uint32_t *hi)
{
    uint32_t a = obs->k_min > m->k_min ? obs->k_min : m->k_min;
    uint32_t b = obs->k_max < m->k_min + m->ncand - 1 ? obs->k_max : m->k_min + m->ncand - 1;
    *lo = a - m->k_min;
    *hi = b - m->k_min;
    return a <= b;
}

/* The index of the largest of v[lo..hi] (the first on ties). */
static uint32_t argmax(const double *v, uint32_t lo, uint32_t hi)
{
    uint32_t best = lo;
    for (uint32_t i = lo + 1; i <= hi; i++)
        if (v[i] > v[best])
            best = i;
    return best;
}

/* ---- imagined episodes ------------------------------------------------------------------- */

static void env_reset(void *arg, double *obs)
{
    struct mbrl *m = arg;
    size_t d = m->nfeat;
    m->env_ctx = m->ctx + rng_uniform_int(m->rng, m->nctx) * d;
    m->env_t = 0;
    predict_all(m, m->env_ctx, m->env_r);
    memcpy(obs, m->env_ctx, d * sizeof *obs);
    uint32_t k = m->k_min + (uint32_t)rng_uniform_int(m->rng, m->ncand);
    obs[K_SLOT] = (double)k / (double)m->cfg.blocks;
}

static double env_step(void *arg, uint32_t action, double *next, bool *done)
{
    struct mbrl *m = arg;
    memcpy(next, m->env_ctx, m->nfeat * sizeof *next);
    next[K_SLOT] = (double)(m->k_min + action) / (double)m->cfg.blocks;
    *done = ++m->env_t >= MBRL_EPISODE;
    return m->env_r[action];
}

static void train_agent(struct mbrl *m)
{
    if (m->cfg.mbrl_ppo_steps == 0 || m->nctx == 0)
        return;
    struct ppo_env env = {.arg = m, .reset = env_reset, .step = env_step};
    ppo_train(&m->agent, &env, m->cfg.mbrl_ppo_steps);
    m->trained = true;
}

/* ---- hooks ------------------------------------------------------------------------------- */

static void mbrl_free(struct mbrl *m)
{
    if (!m)
        return;
    nn_release(&m->sur);
    nn_adam_release(&m->sur_opt);
    ppo_release(&m->agent);
    free(m->evals.v);
    free(m->outs.v);
    free(m->ctx);
    free(m->xb);
    free(m->fx);
    free(m->fy);
    free(m->dy);
    free(m);
}

static int mbrl_init(void *state, const struct pol_config *cfg, const char **why)
{
    struct mbrl_state *st = state;
    if (cfg->k_min > cfg->k_max || cfg->k_max - cfg->k_min + 1 > POL_MAX_CANDIDATES ||
        cfg->blocks < 1 || !cfg->rng) {
        *why = "mbrl: needs 1 to 256 candidate splits, blocks >= 1 and a random stream";
        return -EINVAL;
    }
    struct mbrl *m = calloc(1, sizeof *m);
    if (!m)
        return -ENOMEM;
    m->cfg = *cfg;
    if (!m->cfg.mbrl_hidden)
        m->cfg.mbrl_hidden = MBRL_DEFAULT_HIDDEN;
    if (!m->cfg.mbrl_train_every)
        m->cfg.mbrl_train_every = MBRL_DEFAULT_TRAIN_EVERY;
    if (!(m->cfg.mbrl_learning_rate > 0))
        m->cfg.mbrl_learning_rate = MBRL_DEFAULT_LR;
    m->rng = cfg->rng;
    m->k_min = cfg->k_min;
    m->ncand = cfg->k_max - cfg->k_min + 1;
    m->latency = cfg->latency_weight > 0;
    m->nfeat = feature_count(m->latency);
    size_t d = m->nfeat, h = m->cfg.mbrl_hidden;
    size_t sizes[] = {d, h, h, 1};
    size_t cap = POL_MAX_CANDIDATES; /* >= MBRL_FIT_BATCH */
    uint64_t ev = m->cfg.mbrl_budget < MBRL_EVALS_MAX ? m->cfg.mbrl_budget : MBRL_EVALS_MAX;
    m->evals.cap = ev ? (size_t)ev : 1;
    m->outs.cap = MBRL_REPLAY;
    struct ppo_config pc;
    ppo_config_default(&pc, d, m->ncand);
    uint64_t steps = m->cfg.mbrl_ppo_steps;
    pc.n_steps = steps && steps < MBRL_PPO_N_STEPS ? (uint32_t)steps : MBRL_PPO_N_STEPS;
    pc.batch_size = pc.n_steps < MBRL_PPO_BATCH ? pc.n_steps : MBRL_PPO_BATCH;
    int rc = nn_init(&m->sur, sizeof sizes / sizeof sizes[0] - 1, sizes, NN_RELU);
    if (rc == 0)
        rc = nn_reserve(&m->sur, cap);
    if (rc == 0)
        rc = nn_adam_init(&m->sur_opt, m->sur.nparams, m->cfg.mbrl_learning_rate);
    if (rc == 0) {
        nn_randomize(&m->sur, m->rng);
        rc = ppo_init(&m->agent, &pc, m->rng);
    }
    if (rc == 0) {
        m->evals.v = calloc(m->evals.cap, sizeof *m->evals.v);
        m->outs.v = calloc(m->outs.cap, sizeof *m->outs.v);
        m->ctx = calloc(MBRL_CONTEXTS * d, sizeof *m->ctx);
        m->xb = calloc(cap * d, sizeof *m->xb);
        m->fx = calloc(MBRL_FIT_BATCH * d, sizeof *m->fx);
        m->fy = calloc(MBRL_FIT_BATCH, sizeof *m->fy);
        m->dy = calloc(MBRL_FIT_BATCH, sizeof *m->dy);
        if (!m->evals.v || !m->outs.v || !m->ctx || !m->xb || !m->fx || !m->fy || !m->dy)
            rc = -ENOMEM;
    }
    if (rc < 0) {
        mbrl_free(m);
        *why = rc == -ENOMEM ? NULL : "mbrl: cannot build its networks";
        return rc;
    }
    if (cfg->mbrl_weights_in && cfg->mbrl_weights_in[0]) {
        struct diag d2;
        diag_init(&d2);
        struct nn *nets[] = {&m->sur, &m->agent.actor, &m->agent.critic};
        const char *names[] = {"surrogate", "actor", "critic"};
        rc = nn_load(cfg->mbrl_weights_in, nets, names, 3, cfg->diag ? cfg->diag : &d2);
        diag_release(&d2);
        if (rc < 0) {
            mbrl_free(m);
            /* The details (file:line:col) went to cfg->diag when the caller gave one. */
            *why = "mbrl: weights_in is unreadable, or not a splitsim-nn file holding networks "
                   "'surrogate', 'actor' and 'critic' of this policy's shapes (mbrl_hidden; "
                   "features: 6 with latency_weight > 0, else 3)";
            return -EINVAL;
        }
        m->trained = true;
    }
    st->m = m;
    return 0;
}

/* Spends up to two evaluations on obs (a random candidate, then the surrogate's best) and
 * returns the better. */
static uint32_t explore(struct mbrl *m, const struct pol_obs *obs, struct pol_ctx *ctx,
                        const double *x)
{
    double pred[POL_MAX_CANDIDATES], xk[MBRL_MAX_FEAT];
    uint32_t lo, hi;
    cand_range(m, obs, &lo, &hi);
    predict_all(m, x, pred);
    uint32_t guess = argmax(pred, lo, hi);
    uint32_t pick = lo + (uint32_t)rng_uniform_int(m->rng, hi - lo + 1);
    if (m->spent >= m->cfg.mbrl_budget / MBRL_UNIFORM_DIV && hi > lo) {
        bool up = guess == lo || (guess < hi && rng_uniform(m->rng) < MBRL_NEIGHBOUR_UP);
        pick = up ? guess + 1 : guess - 1;
    }
    uint32_t try[2] = {pick, guess}, best = pick;
    double best_v = -INFINITY;
    memcpy(xk, x, m->nfeat * sizeof *x);
    for (int i = 0; i < 2 && m->spent < m->cfg.mbrl_budget; i++) {
        if (i == 1 && guess == pick)
            break;
        uint32_t k = m->k_min + try[i];
        double v = pol_evaluate(ctx, k);
        m->spent++;
        if (!isfinite(v))
            continue;
        xk[K_SLOT] = (double)k / (double)m->cfg.blocks;
        ring_add(&m->evals, xk, m->nfeat, v);
        fit(m, MBRL_FIT_EVAL);
        if (v > best_v) {
            best_v = v;
            best = try[i];
        }
    }
    return m->k_min + best;
}

static uint32_t mbrl_decide(void *state, const struct pol_obs *obs, struct pol_ctx *ctx)
{
    struct mbrl *m = ((struct mbrl_state *)state)->m;
    double x[MBRL_MAX_FEAT];
    features(m, obs, obs->last_k, x);
    memcpy(m->ctx + m->ctx_next * m->nfeat, x, m->nfeat * sizeof *x);
    m->ctx_next = (m->ctx_next + 1) % MBRL_CONTEXTS;
    if (m->nctx < MBRL_CONTEXTS)
        m->nctx++;
    m->decisions++;
    uint32_t lo, hi;
    if (!cand_range(m, obs, &lo, &hi)) {
        /* candidates the networks were not built for: the surrogate extrapolates in k / L */
        double v[POL_MAX_CANDIDATES];
        predict_range(m, x, obs->k_min, obs->k_max - obs->k_min + 1, v);
        return obs->k_min + argmax(v, 0, obs->k_max - obs->k_min);
    }
    if (m->spent < m->cfg.mbrl_budget) {
        uint32_t k = explore(m, obs, ctx, x);
        if (m->spent < m->cfg.mbrl_budget) {
            if (m->decisions % m->cfg.mbrl_train_every == 0)
                train_agent(m);
        } else if (!m->final_done) {
            m->final_done = true;
            fit(m, MBRL_FIT_FINAL);
            train_agent(m);
        }
        return k;
    }
    double v[POL_MAX_CANDIDATES];
    if (m->trained)
        ppo_probs(&m->agent, x, v);
    else
        predict_all(m, x, v);
    return m->k_min + argmax(v, lo, hi);
}

static void mbrl_observe(void *state, const struct pol_obs *obs, const struct pol_outcome *out)
{
    struct mbrl *m = ((struct mbrl_state *)state)->m;
    if (!isfinite(out->reward))
        return;
    double x[MBRL_MAX_FEAT];
    features(m, obs, out->k, x);
    ring_add(&m->outs, x, m->nfeat, out->reward);
    fit(m, MBRL_FIT_OBSERVED);
}

static int mbrl_predict(void *state, const struct pol_obs *obs, double *pred)
{
    struct mbrl *m = ((struct mbrl_state *)state)->m;
    double x[MBRL_MAX_FEAT];
    features(m, obs, obs->last_k, x);
    predict_range(m, x, obs->k_min, obs->k_max - obs->k_min + 1, pred);
    for (uint32_t i = 0; i <= obs->k_max - obs->k_min; i++)
        pred[i] = symexp(pred[i]);
    return 0;
}

static int mbrl_finish(void *state, const struct pol_config *cfg, const char **why)
{
    struct mbrl *m = ((struct mbrl_state *)state)->m;
    if (!cfg->mbrl_weights_out || !cfg->mbrl_weights_out[0])
        return 0;
    struct diag d;
    diag_init(&d);
    const struct nn *nets[] = {&m->sur, &m->agent.actor, &m->agent.critic};
    const char *names[] = {"surrogate", "actor", "critic"};
    int rc = nn_save(cfg->mbrl_weights_out, nets, names, 3, &d);
    if (rc < 0) {
        struct mbrl_state *st = state;
        snprintf(st->why, sizeof st->why, "mbrl: cannot write policy.mbrl.weights_out: %s",
                 d.len ? d.msgs[0].text : "write failed");
        *why = st->why;
    }
    diag_release(&d);
    return rc;
}

static void mbrl_release(void *state)
{
    struct mbrl_state *st = state;
    mbrl_free(st->m);
    st->m = NULL;
}

const struct pol_type pol_mbrl = {
    .abi = POL_ABI,
    .name = "mbrl",
    .doc = "model-based RL: a reward surrogate fitted on a budget of true evaluations, PPO "
           "trained on episodes it imagines",
    .state_size = sizeof(struct mbrl_state),
    .init = mbrl_init,
    .decide = mbrl_decide,
    .observe = mbrl_observe,
    .predict = mbrl_predict,
    .finish = mbrl_finish,
    .release = mbrl_release,
};
