/* The policy interface and the built-in policies' contracts: the registry, fixed/extremes,
 * random within the candidates from its own stream, exhaustive as the argmax with one
 * evaluation per candidate, greedy as a hill climb from the previous split, latency as the
 * argmin of the latency estimate, paper as the argmax of the paper's reward, and the wrapper
 * refusing a split outside the candidates. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <string.h>

#include "check_main.h"
#include "models/policy/policy.h"

/* A reward surface over k for the tests, with a call counter. */
struct surface {
    const double *v; /* v[k] */
    unsigned calls;
};

static double surface_eval(void *arg, const struct pol_obs *obs, uint32_t k)
{
    (void)obs;
    struct surface *s = arg;
    s->calls++;
    return s->v[k];
}

static double surface_latency(void *arg, const struct pol_obs *obs, uint32_t k)
{
    (void)obs;
    return ((struct surface *)arg)->v[k];
}

static double surface_quality(void *arg, const struct pol_obs *obs, uint32_t k)
{
    (void)obs;
    struct surface *s = arg;
    s->calls++;
    return s->v[k];
}

static struct pol_obs obs_of(uint32_t k_min, uint32_t k_max, uint32_t last)
{
    return (struct pol_obs){.k_min = k_min,
                            .k_max = k_max,
                            .blocks = 32,
                            .last_k = last,
                            .snr_db = NAN,
                            .erasure = 0.1,
                            .prompt = 10,
                            .output = 1};
}

static uint32_t decide(const char *name, struct surface *s, struct pol_obs obs, uint64_t *evals)
{
    struct rng rng;
    ck_assert_int_eq(rng_init(&rng, 1, 0, RNG_KIND_POLICY, 0), 0);
    struct pol_config cfg = {.blocks = 32,
                             .k_min = obs.k_min,
                             .k_max = obs.k_max,
                             .fixed_k = obs.k_min + 1,
                             .rng = &rng};
    struct policy p;
    const char *why = NULL;
    ck_assert_int_eq(policy_init(&p, pol_type_find(name), &cfg, &why), 0);
    struct pol_ctx ctx = {.evaluate = surface_eval,
                          .evaluate_quality = surface_quality,
                          .estimate_latency = surface_latency,
                          .arg = s};
    s->calls = 0;
    uint32_t k = policy_decide(&p, &obs, &ctx);
    ck_assert_uint_eq(p.decisions, 1);
    ck_assert_uint_eq(p.evaluations, s->calls); /* every evaluation counted */
    *evals = p.evaluations;
    policy_release(&p);
    rng_release(&rng);
    return k;
}

START_TEST(test_registry)
{
    for (size_t i = 0; pol_types[i]; i++) {
        ck_assert_uint_eq(pol_types[i]->abi, POL_ABI);
        ck_assert(pol_types[i]->decide != NULL);
        ck_assert_ptr_nonnull(pol_types[i]->doc);
        ck_assert_ptr_eq(pol_type_find(pol_types[i]->name), pol_types[i]);
        for (size_t j = 0; j < i; j++)
            ck_assert_str_ne(pol_types[i]->name, pol_types[j]->name);
    }
    ck_assert_ptr_null(pol_type_find("no-such-policy"));
}
END_TEST

START_TEST(test_fixed_and_extremes)
{
    static const double v[11] = {0};
    struct surface s = {v, 0};
    uint64_t e;
    ck_assert_uint_eq(decide("fixed", &s, obs_of(2, 9, 5), &e), 3);
    ck_assert_uint_eq(e, 0);
    ck_assert_uint_eq(decide("all_edge", &s, obs_of(2, 9, 5), &e), 2);
    ck_assert_uint_eq(decide("all_ue", &s, obs_of(2, 9, 5), &e), 9);
    /* fixed refuses a split outside the candidates */
    struct rng rng;
    rng_init(&rng, 1, 0, RNG_KIND_POLICY, 0);
    struct pol_config cfg = {.k_min = 2, .k_max = 9, .fixed_k = 12, .rng = &rng};
    struct policy p;
    const char *why = NULL;
    ck_assert_int_eq(policy_init(&p, pol_type_find("fixed"), &cfg, &why), -EINVAL);
    ck_assert_ptr_nonnull(why);
    rng_release(&rng);
}
END_TEST

START_TEST(test_random_policy)
{
    static const double v[11] = {0};
    struct surface s = {v, 0};
    struct rng rng;
    ck_assert_int_eq(rng_init(&rng, 3, 0, RNG_KIND_POLICY, 0), 0);
    struct pol_config cfg = {.k_min = 1, .k_max = 10, .rng = &rng};
    struct policy p;
    const char *why = NULL;
    ck_assert_int_eq(policy_init(&p, pol_type_find("random"), &cfg, &why), 0);
    struct pol_ctx ctx = {.evaluate = surface_eval, .arg = &s};
    unsigned count[11] = {0};
    struct pol_obs obs = obs_of(1, 10, 1);
    enum { N = 20000 };
    for (int i = 0; i < N; i++)
        count[policy_decide(&p, &obs, &ctx)]++;
    ck_assert_uint_eq(count[0], 0);
    /* each candidate ~ Binomial(N, 0.1): within 5 standard deviations */
    for (int k = 1; k <= 10; k++)
        ck_assert(fabs(count[k] - N * 0.1) < 5 * sqrt(N * 0.1 * 0.9));
    ck_assert_uint_eq(p.evaluations, 0);
    policy_release(&p);
    rng_release(&rng);
}
END_TEST

/* Exhaustive: one evaluation per candidate, the argmax, ties to the smaller k. */
START_TEST(test_exhaustive)
{
    static const double v[11] = {0, -3, -1, 4, 2, 4, 0, -1, -5, -6, 1};
    struct surface s = {v, 0};
    uint64_t e;
    ck_assert_uint_eq(decide("exhaustive", &s, obs_of(1, 10, 1), &e), 3);
    ck_assert_uint_eq(e, 10);
    ck_assert_uint_eq(decide("exhaustive", &s, obs_of(4, 10, 1), &e), 5);
    ck_assert_uint_eq(e, 7);
}
END_TEST

/* Greedy: climbs from the previous split to a local maximum, never evaluating a k twice. */
START_TEST(test_greedy)
{
    /* two peaks: k = 3 (4) and k = 8 (6) */
    static const double v[11] = {0, 1, 2, 4, 3, 2, 3, 5, 6, 1, 0};
    struct surface s = {v, 0};
    uint64_t e;
    ck_assert_uint_eq(decide("greedy", &s, obs_of(1, 10, 1), &e), 3); /* climbs to the near peak */
    ck_assert_uint_le(e, 4);
    ck_assert_uint_eq(decide("greedy", &s, obs_of(1, 10, 6), &e), 8); /* from 6 it goes right */
    ck_assert_uint_eq(decide("greedy", &s, obs_of(1, 10, 10), &e), 8);
    ck_assert_uint_eq(decide("greedy", &s, obs_of(1, 10, 3), &e), 3); /* already on a peak */
    ck_assert_uint_eq(e, 3);                                          /* itself and neighbours */
    /* a unimodal surface: the global maximum from anywhere, at most all candidates evaluated */
    static const double u[11] = {0, 1, 2, 3, 4, 5, 6, 7, 6, 5, 4};
    struct surface su = {u, 0};
    for (uint32_t start = 1; start <= 10; start++) {
        ck_assert_uint_eq(decide("greedy", &su, obs_of(1, 10, start), &e), 7);
        ck_assert_uint_le(e, 10);
    }
    /* a previous split outside the candidates starts at the nearest candidate */
    ck_assert_uint_eq(decide("greedy", &su, obs_of(1, 5, 9), &e), 5);
}
END_TEST

/* Latency: the argmin of the (free) latency estimate; paper: the argmax of 10 (1 - Q) + load. */
START_TEST(test_latency_and_paper)
{
    static const double t[11] = {9, 5, 3, 2, 2.5, 4, 6, 7, 8, 9, 9.5};
    struct surface s = {t, 0};
    uint64_t e;
    ck_assert_uint_eq(decide("latency", &s, obs_of(1, 10, 1), &e), 3);
    ck_assert_uint_eq(e, 0);
    /* quality ratios: the paper's reward 10 (1 - q) + (10 - k)/10 is best at k = 4 here */
    static const double q[11] = {1, 1.5, 1.2, 1.06, 1.01, 1.005, 1.004, 1.003, 1.002, 1.0, 1.0};
    struct surface sq = {q, 0};
    ck_assert_uint_eq(decide("paper", &sq, obs_of(1, 10, 1), &e), 4);
    ck_assert_uint_eq(e, 10);
}
END_TEST

static uint32_t bad_decide(void *state, const struct pol_obs *obs, struct pol_ctx *ctx)
{
    (void)state;
    (void)ctx;
    return obs->k_max + 1;
}

/* A policy that answers outside the candidates is a bug: the wrapper aborts, naming it. */
START_TEST(test_out_of_range_aborts)
{
    static const struct pol_type bad = {.abi = POL_ABI, .name = "bad", .decide = bad_decide};
    struct pol_config cfg = {.k_min = 1, .k_max = 4};
    struct policy p;
    const char *why = NULL;
    ck_assert_int_eq(policy_init(&p, &bad, &cfg, &why), 0);
    struct pol_obs obs = obs_of(1, 4, 1);
    struct pol_ctx ctx = {0};
    policy_decide(&p, &obs, &ctx);
}
END_TEST

START_TEST(test_wrong_abi_refused)
{
    static const struct pol_type old = {.abi = POL_ABI + 1, .name = "old", .decide = bad_decide};
    struct pol_config cfg = {.k_min = 1, .k_max = 4};
    struct policy p;
    const char *why = NULL;
    ck_assert_int_eq(policy_init(&p, &old, &cfg, &why), -EINVAL);
    ck_assert_ptr_nonnull(why);
}
END_TEST

static Suite *policy_suite(void)
{
    Suite *s = suite_create("policy");
    TCase *tc = tcase_create("contracts");
    tcase_add_test(tc, test_registry);
    tcase_add_test(tc, test_fixed_and_extremes);
    tcase_add_test(tc, test_random_policy);
    tcase_add_test(tc, test_exhaustive);
    tcase_add_test(tc, test_greedy);
    tcase_add_test(tc, test_latency_and_paper);
    tcase_add_test_raise_signal(tc, test_out_of_range_aborts, SIGABRT);
    tcase_add_test(tc, test_wrong_abi_refused);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(policy_suite)
