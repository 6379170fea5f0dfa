/*
 * pol_mbrl through the policy_* wrappers, on a known reward surface: the erasure channel's p
 * drawn uniformly in [0.01, 0.30] per request, splits 1..10, R(p, k) = -(k - round(2 + 25 p))^2
 * / 10 (the best split moves deeper as the channel worsens, as in the paper); the realised reward
 * the observe hook gets is R plus N(0, 0.3^2) noise.
 *
 * The oracle's mean reward is 0 here, so "97 % of the oracle" is measured against the random
 * policy: (MBRL - random) / (oracle - random) >= 0.97 over the last 500 of 2000 decisions, on
 * the same requests (random = the mean of R over the candidates, exactly). That is, MBRL's
 * regret is at most 3 % of a random choice's. It must spend at most its budget of evaluations,
 * and at least 50 times fewer than the exhaustive oracle's 10 a decision.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "models/policy/policy.h"
#include "sim/rng.h"

enum { KMIN = 1, KMAX = 10, L = 32 };

static double surface(double p, uint32_t k)
{
    double c = round(2 + 25 * p);
    return -((double)k - c) * ((double)k - c) / 10;
}

static double evaluate(void *arg, const struct pol_obs *obs, uint32_t k)
{
    (void)arg;
    return surface(obs->erasure, k);
}

static struct pol_obs request(uint64_t i, double p, uint32_t last_k)
{
    return (struct pol_obs){.request = i,
                            .snr_db = NAN,
                            .erasure = p,
                            .prompt = 128,
                            .output = 64,
                            .edge_load = NAN,
                            .k_min = KMIN,
                            .k_max = KMAX,
                            .blocks = L,
                            .last_k = last_k};
}

/* The policy's configuration: weights from `in` and to `out` ("" for none); `budget` true
 * evaluations, `ppo_steps` imagined steps a training round, a round every `train_every`
 * decisions. */
static struct pol_config config(struct rng *r, const char *in, const char *out, uint64_t budget,
                                uint64_t ppo_steps, uint64_t train_every)
{
    return (struct pol_config){.blocks = L,
                               .k_min = KMIN,
                               .k_max = KMAX,
                               .rng = r,
                               .mbrl_hidden = 64,
                               .mbrl_budget = budget,
                               .mbrl_ppo_steps = ppo_steps,
                               .mbrl_train_every = train_every,
                               .mbrl_learning_rate = 1e-3,
                               .mbrl_weights_in = in,
                               .mbrl_weights_out = out};
}

struct result {
    double mbrl, oracle, random; /* mean rewards over the last decisions */
    uint64_t evaluations, decisions;
    uint32_t k[64]; /* the first decisions after the budget, for comparing runs */
};

/* An MBRL policy from cfg (the test fails unless it starts). */
static void start(struct policy *pol, const struct pol_config *cfg)
{
    const char *why = NULL;
    ck_assert_msg(policy_init(pol, &pol_mbrl, cfg, &why) == 0, "policy_init: %s", why);
}

/* The index of the largest of v[0..n). */
static uint32_t argmax(const double *v, uint32_t n)
{
    uint32_t best = 0;
    for (uint32_t i = 1; i < n; i++)
        if (v[i] > v[best])
            best = i;
    return best;
}

static void run(struct policy *pol, uint64_t seed, int n, int last, struct result *res)
{
    struct rng env;
    rng_init(&env, seed, 0, RNG_KIND_TEST, 20);
    memset(res, 0, sizeof *res);
    uint32_t prev = KMIN;
    for (int i = 0; i < n; i++) {
        double p = rng_uniform_range(&env, 0.01, 0.30);
        struct pol_obs obs = request((uint64_t)i, p, prev);
        struct pol_ctx ctx = {.evaluate = evaluate};
        uint32_t k = policy_decide(pol, &obs, &ctx);
        double r = surface(p, k);
        struct pol_outcome out = {.k = k, .reward = r + rng_normal(&env, 0, 0.3), .quality = 1};
        policy_observe(pol, &obs, &out);
        prev = k;
        if (i >= n - 64)
            res->k[i - (n - 64)] = k;
        if (i >= n - last) {
            double best = -INFINITY, mean = 0;
            for (uint32_t j = KMIN; j <= KMAX; j++) {
                best = fmax(best, surface(p, j));
                mean += surface(p, j) / (KMAX - KMIN + 1);
            }
            res->mbrl += r / last;
            res->oracle += best / last;
            res->random += mean / last;
        }
    }
    res->evaluations = pol->evaluations;
    res->decisions = pol->decisions;
    rng_release(&env);
}

START_TEST(test_learns_surface)
{
    const struct pol_type *t = pol_type_find("mbrl");
    ck_assert_ptr_nonnull(t);
    struct rng r;
    rng_init(&r, 1, 0, RNG_KIND_POLICY, 0);
    ck_assert_ptr_eq(t, &pol_mbrl);
    struct pol_config cfg = config(&r, "", "", 200, 16384, 50);
    struct policy pol;
    start(&pol, &cfg);
    struct result res;
    run(&pol, 1, 2000, 500, &res);
    double score = (res.mbrl - res.random) / (res.oracle - res.random);
    ck_assert_msg(score >= 0.97, "MBRL %.4f, oracle %.4f, random %.4f: %.2f %% of the way",
                  res.mbrl, res.oracle, res.random, 100 * score);
    ck_assert_uint_le(res.evaluations, cfg.mbrl_budget);
    ck_assert_uint_le(res.evaluations * 50, res.decisions * (KMAX - KMIN + 1));
    /* predict: one value per candidate, and its argmax is near the true best */
    double pred[KMAX - KMIN + 1];
    struct pol_obs obs = request(0, 0.2, 5);
    ck_assert_int_eq(policy_predict(&pol, &obs, pred), 0);
    int best = (int)argmax(pred, KMAX - KMIN + 1);
    ck_assert_int_le(abs(KMIN + best - 7), 1); /* round(2 + 25 * 0.2) = 7 */
    const char *why;
    ck_assert_int_eq(policy_finish(&pol, &why), 0); /* no weights_out: nothing to do */
    policy_release(&pol);
    rng_release(&r);
}
END_TEST

/* The same seed gives the same decisions, bit for bit (a shorter run). */
START_TEST(test_deterministic)
{
    struct result a, b;
    for (int pass = 0; pass < 2; pass++) {
        struct rng r;
        rng_init(&r, 2, 0, RNG_KIND_POLICY, 0);
        struct pol_config cfg = config(&r, "", "", 40, 2048, 10);
        struct policy pol;
        start(&pol, &cfg);
        run(&pol, 2, 200, 100, pass ? &b : &a);
        policy_release(&pol);
        rng_release(&r);
    }
    ck_assert(memcmp(a.k, b.k, sizeof a.k) == 0);
    ck_assert(a.mbrl == b.mbrl);
    ck_assert_uint_eq(a.evaluations, 40);
}
END_TEST

/*
 * weights_out, then weights_in into a fresh instance (another seed, no budget): the same
 * decisions and predictions on a fixed set of observations.
 */
START_TEST(test_weights_round_trip)
{
    char path[] = "/tmp/splitsim-test-mbrl-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    struct rng r1, r2;
    rng_init(&r1, 3, 0, RNG_KIND_POLICY, 0);
    rng_init(&r2, 4, 0, RNG_KIND_POLICY, 0);
    struct pol_config c1 = config(&r1, "", path, 60, 4096, 20),
                      c2 = config(&r2, path, "", 0, 0, 50);
    struct policy p1, p2;
    const char *why;
    start(&p1, &c1);
    struct result res;
    run(&p1, 3, 100, 50, &res);
    ck_assert_int_eq(policy_finish(&p1, &why), 0);
    start(&p2, &c2);
    for (int i = 0; i < 200; i++) {
        struct pol_obs obs = request((uint64_t)i, 0.01 + 0.29 * i / 199.0, KMIN + i % 10);
        struct pol_ctx ctx = {.evaluate = evaluate};
        ck_assert_uint_eq(policy_decide(&p1, &obs, &ctx), policy_decide(&p2, &obs, &ctx));
        double a[KMAX - KMIN + 1], b[KMAX - KMIN + 1];
        ck_assert_int_eq(policy_predict(&p1, &obs, a), 0);
        ck_assert_int_eq(policy_predict(&p2, &obs, b), 0);
        ck_assert(memcmp(a, b, sizeof a) == 0);
    }
    ck_assert_uint_eq(p2.evaluations, 0);
    policy_release(&p1);
    policy_release(&p2);

    /* a policy of another shape (hidden width) refuses the file */
    struct pol_config c3 = config(&r2, path, "", 200, 16384, 50);
    c3.mbrl_hidden = 32;
    ck_assert_int_lt(policy_init(&p2, &pol_mbrl, &c3, &why), 0);
    ck_assert_ptr_nonnull(why);
    /* so does a missing file */
    c3 = config(&r2, "/nonexistent/weights.nn", "", 200, 16384, 50);
    ck_assert_int_lt(policy_init(&p2, &pol_mbrl, &c3, &why), 0);
    /* and finish reports a file it cannot write */
    c3 = config(&r2, "", "/nonexistent/dir/weights.nn", 200, 16384, 50);
    start(&p2, &c3);
    ck_assert_int_lt(policy_finish(&p2, &why), 0);
    ck_assert_ptr_nonnull(why);
    policy_release(&p2);
    remove(path);
    rng_release(&r1);
    rng_release(&r2);
}
END_TEST

/*
 * The decide hook itself, called without the policy_* wrapper, which aborts on a split outside
 * the candidates (tested in test_policy.c) and would hide a wrong answer here as a crash before
 * any check could run.
 */
static uint32_t decide_hook(struct policy *p, const struct pol_obs *obs, struct pol_ctx *ctx,
                            uint64_t *evaluations)
{
    ctx->obs = obs;
    ctx->evaluations = 0;
    uint32_t k = p->type->decide(p->state, obs, ctx);
    *evaluations += ctx->evaluations;
    return k;
}

/* The request's candidates in round i, against a policy built for [PK_MIN, PK_MAX]: inside and
 * narrower, overlapping it below or above, wider on both sides, or disjoint below or above (the
 * networks were never trained there). */
enum { PK_MIN = 3, PK_MAX = 10, RANGE_KINDS = 6 };

static void candidates(int i, uint32_t *lo, uint32_t *hi)
{
    static const uint32_t r[RANGE_KINDS][2] = {{4, 8}, {1, 5}, {8, 14}, {1, 16}, {1, 2}, {12, 15}};
    *lo = r[i % RANGE_KINDS][0];
    *hi = r[i % RANGE_KINDS][1];
}

/*
 * With the latency features (latency_weight > 0) and a fading channel's SNR, on requests whose
 * candidates differ from the policy's in every way (candidates()): a decision is always one of
 * the request's candidates, and one of the policy's own when the two overlap; when they do not,
 * it is the argmax of the policy's own prediction over the request's candidates (the surrogate
 * extrapolated in k / L); the budget is spent exactly, only on overlapping requests.
 */
START_TEST(test_features_and_ranges)
{
    struct rng r, env;
    rng_init(&r, 5, 0, RNG_KIND_POLICY, 0);
    rng_init(&env, 5, 0, RNG_KIND_TEST, 21);
    struct pol_config cfg = config(&r, "", "", 30, 1024, 5);
    cfg.k_min = PK_MIN;
    cfg.k_max = PK_MAX;
    cfg.latency_weight = 1;
    struct policy pol;
    start(&pol, &cfg);
    uint64_t evaluations = 0;
    int disjoint = 0;
    for (int i = 0; i < 120; i++) {
        struct pol_obs obs = request((uint64_t)i, rng_uniform(&env) * 0.1, PK_MIN);
        obs.snr_db = rng_uniform_range(&env, -5, 30);
        obs.edge_load = i % 3 ? rng_uniform(&env) : (double)NAN;
        candidates(i, &obs.k_min, &obs.k_max);
        struct pol_ctx ctx = {.evaluate = evaluate};
        uint64_t before = evaluations;
        uint32_t k = decide_hook(&pol, &obs, &ctx, &evaluations);
        ck_assert_msg(k >= obs.k_min && k <= obs.k_max, "request %d: split %u outside [%u, %u]", i,
                      k, obs.k_min, obs.k_max);
        if (obs.k_max >= PK_MIN && obs.k_min <= PK_MAX) {
            ck_assert_msg(k >= PK_MIN && k <= PK_MAX,
                          "request %d: split %u, not one of the policy's", i, k);
        } else {
            disjoint++;
            ck_assert_uint_eq(evaluations, before); /* no true evaluation outside its own splits */
            double pred[POL_MAX_CANDIDATES];
            ck_assert_int_eq(policy_predict(&pol, &obs, pred), 0);
            ck_assert_uint_eq(k, obs.k_min + argmax(pred, obs.k_max - obs.k_min + 1));
        }
        struct pol_outcome out = {.k = k, .reward = i % 7 ? surface(obs.erasure, k) : (double)NAN};
        policy_observe(&pol, &obs, &out);
    }
    ck_assert_int_eq(disjoint, 40);
    ck_assert_uint_eq(evaluations, 30);
    policy_release(&pol);
    rng_release(&r);
    rng_release(&env);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("mbrl");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_learns_surface);
    tcase_add_test(tc, test_deterministic);
    tcase_add_test(tc, test_weights_round_trip);
    tcase_add_test(tc, test_features_and_ranges);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(make_suite)
