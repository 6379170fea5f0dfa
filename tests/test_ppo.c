/* ppo: the loss's gradient against finite differences; learning a contextual bandit and a
 * two-state MDP whose best action pays only one step later; bit-for-bit determinism given the
 * seed; save/load. */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "models/policy/ppo.h"
#include "sim/diag.h"
#include "sim/rng.h"

enum { D = 3, NA = 4, NB = 16 };

/*
 * The loss on a fixed batch, by central differences (L(p + h) - L(p - h)) / 2h, h = 1e-5, for
 * every parameter of actor and critic, with an entropy bonus so that its gradient is checked
 * too. Old log-probabilities are the current ones shifted by up to +-0.4, so the batch holds
 * ratios inside and outside [1 - clip, 1 + clip] and advantages of both signs; no ratio is
 * within 1e-3 of a clip edge, where the objective has a kink (a step h moves a ratio by far
 * less). The differences err by rounding, ~ u S / h ~ 1e-11 S with S ~ 10 the size of the
 * loss's terms, and by truncation, h^2 |L'''| / 6 ~ 2e-11 |L'''|: both ~ 1e-9 at most, so a
 * relative error < 1e-6 is asserted wherever the gradient exceeds 1e-3 (and an absolute one
 * < 1e-9 below). Measured: 2e-8 at most; with h = 1e-6 rounding dominates and reaches 2e-7.
 */
START_TEST(test_loss_gradient)
{
    struct rng r;
    rng_init(&r, 1, 0, RNG_KIND_TEST, 10);
    struct ppo_config c;
    ppo_config_default(&c, D, NA);
    c.hidden = 16;
    c.n_steps = NB;
    c.batch_size = NB;
    c.ent_coef = 0.05;
    struct ppo a;
    ck_assert_int_eq(ppo_init(&a, &c, &r), 0);
    /* a policy head far from uniform, so that ratios and entropy move */
    nn_scale_layer(&a.actor, 2, 100);
    double obs[NB * D], logp_old[NB], adv[NB], ret[NB], probs[NA];
    uint32_t act[NB];
    int inside = 0, outside = 0;
    for (int i = 0; i < NB; i++) {
        for (int j = 0; j < D; j++)
            obs[i * D + j] = rng_normal(&r, 0, 1);
        act[i] = (uint32_t)rng_uniform_int(&r, NA);
        ppo_probs(&a, obs + i * D, probs);
        double shift;
        double ratio;
        do {
            shift = rng_uniform_range(&r, -0.4, 0.4);
            ratio = exp(-shift);
        } while (fabs(ratio - (1 - c.clip_range)) < 1e-3 ||
                 fabs(ratio - (1 + c.clip_range)) < 1e-3);
        logp_old[i] = log(probs[act[i]]) + shift;
        if (fabs(ratio - 1) < c.clip_range)
            inside++;
        else
            outside++;
        adv[i] = rng_normal(&r, 0, 1);
        ret[i] = rng_normal(&r, 0, 2);
    }
    ck_assert(inside > 2 && outside > 2);
    struct ppo_batch b = {
        .n = NB, .obs = obs, .actions = act, .logp_old = logp_old, .adv = adv, .ret = ret};
    struct ppo_loss l;
    nn_zero_grad(&a.actor);
    nn_zero_grad(&a.critic);
    ppo_loss(&a, &b, true, &l);
    ck_assert(l.clip_fraction > 0 && l.clip_fraction < 1);
    ck_assert(isfinite(l.total) && l.entropy > 0);
    ck_assert_double_eq_tol(l.total, l.policy - c.ent_coef * l.entropy + c.vf_coef * l.value,
                            1e-12);
    struct nn *nets[] = {&a.actor, &a.critic};
    size_t checked = 0, zero = 0;
    for (int k = 0; k < 2; k++) {
        struct nn *n = nets[k];
        for (size_t i = 0; i < n->nparams; i++) {
            const double h = 1e-5;
            double keep = n->params[i];
            struct ppo_loss up, down;
            n->params[i] = keep + h;
            ppo_loss(&a, &b, false, &up);
            n->params[i] = keep - h;
            ppo_loss(&a, &b, false, &down);
            n->params[i] = keep;
            double fd = (up.total - down.total) / (2 * h), g = n->grads[i];
            double scale = fmax(fabs(g), fabs(fd));
            if (scale > 1e-3) {
                checked++;
                ck_assert_msg(fabs(g - fd) / scale < 1e-6, "%s parameter %zu: %.10g vs %.10g",
                              k ? "critic" : "actor", i, g, fd);
            } else {
                zero++;
                ck_assert_msg(fabs(g - fd) < 1e-9, "%s parameter %zu: %.3g vs %.3g",
                              k ? "critic" : "actor", i, g, fd);
            }
        }
    }
    ck_assert(checked > zero);
    ppo_release(&a);
    rng_release(&r);
}
END_TEST

/* Contextual bandit: x uniform on [0, 1), the best of 3 actions is floor(3 x) (reward 1, else
 * 0); every episode is one step. */
struct bandit {
    struct rng rng;
    double x;
};

static void bandit_reset(void *arg, double *obs)
{
    struct bandit *e = arg;
    e->x = rng_uniform(&e->rng);
    obs[0] = e->x;
}

static double bandit_step(void *arg, uint32_t action, double *next, bool *done)
{
    struct bandit *e = arg;
    (void)next;
    *done = true;
    return action == (uint32_t)(3 * e->x) ? 1.0 : 0.0;
}

static void train_bandit(struct ppo *a, uint64_t seed, uint64_t steps, struct rng *r)
{
    struct ppo_config c;
    ppo_config_default(&c, 1, 3);
    rng_init(r, seed, 0, RNG_KIND_TEST, 11);
    ck_assert_int_eq(ppo_init(a, &c, r), 0);
    struct bandit e;
    rng_init(&e.rng, seed, 0, RNG_KIND_TEST, 12);
    struct ppo_env env = {.arg = &e, .reset = bandit_reset, .step = bandit_step};
    ck_assert_int_eq(ppo_train(a, &env, steps), 0);
    ck_assert_uint_eq(a->steps, (steps + c.n_steps - 1) / c.n_steps * c.n_steps);
    rng_release(&e.rng);
}

/* Greedy accuracy on a grid of 1000 contexts. A smooth policy errs only near the two
 * boundaries; > 95 % is asked. */
START_TEST(test_learns_contextual_bandit)
{
    struct ppo a;
    struct rng r;
    train_bandit(&a, 1, 40960, &r);
    int right = 0;
    for (int i = 0; i < 1000; i++) {
        double x = (i + 0.5) / 1000;
        right += ppo_act(&a, &x, true) == (uint32_t)(3 * x);
        uint32_t s = ppo_act(&a, &x, false);
        ck_assert_uint_lt(s, 3);
    }
    ck_assert_msg(right > 950, "greedy accuracy %.1f %%", right / 10.0);
    ppo_release(&a);
    rng_release(&r);
}
END_TEST

/*
 * Two states, one-hot, three actions; episodes of 10 steps. In state 0: action 0 pays 0.1 and
 * stays, action 1 pays 0 and moves to state 1, action 2 pays -1 and stays. In state 1: action 2
 * pays 1 and moves to state 0, others pay 0 and stay. Best: 1 in state 0 (0.5 a step on
 * average, against 0.1 for the myopic action 0), 2 in state 1. Learning action 1 needs the
 * critic's bootstrapped value of state 1.
 */
struct mdp {
    int s, t;
};

static void mdp_obs(const struct mdp *e, double *obs)
{
    obs[0] = e->s == 0;
    obs[1] = e->s == 1;
}

static void mdp_reset(void *arg, double *obs)
{
    struct mdp *e = arg;
    e->s = 0;
    e->t = 0;
    mdp_obs(e, obs);
}

static double mdp_step(void *arg, uint32_t action, double *next, bool *done)
{
    struct mdp *e = arg;
    double r = 0;
    if (e->s == 0) {
        if (action == 0)
            r = 0.1;
        else if (action == 1)
            e->s = 1;
        else
            r = -1;
    } else if (action == 2) {
        r = 1;
        e->s = 0;
    }
    *done = ++e->t >= 10;
    mdp_obs(e, next);
    return r;
}

START_TEST(test_learns_two_state_mdp)
{
    struct rng r;
    rng_init(&r, 3, 0, RNG_KIND_TEST, 13);
    struct ppo_config c;
    ppo_config_default(&c, 2, 3);
    struct ppo a;
    ck_assert_int_eq(ppo_init(&a, &c, &r), 0);
    struct mdp e = {0};
    struct ppo_env env = {.arg = &e, .reset = mdp_reset, .step = mdp_step};
    ppo_train(&a, &env, 40960);
    double s0[2] = {1, 0}, s1[2] = {0, 1}, p[3];
    ck_assert_uint_eq(ppo_act(&a, s0, true), 1);
    ck_assert_uint_eq(ppo_act(&a, s1, true), 2);
    ppo_probs(&a, s0, p);
    ck_assert_msg(p[1] > 0.95, "P(1 | state 0) = %g", p[1]);
    ck_assert_double_eq_tol(p[0] + p[1] + p[2], 1, 4 * DBL_EPSILON);
    ppo_probs(&a, s1, p);
    ck_assert_msg(p[2] > 0.95, "P(2 | state 1) = %g", p[2]);
    /* the critic has learnt that state 1 is worth more than state 0 (it is a step closer to the
     * reward) */
    ck_assert(ppo_value(&a, s1) > ppo_value(&a, s0));
    ppo_release(&a);
    rng_release(&r);
}
END_TEST

START_TEST(test_deterministic)
{
    struct ppo a, b, c;
    struct rng ra, rb, rc;
    train_bandit(&a, 7, 4096, &ra);
    train_bandit(&b, 7, 4096, &rb);
    train_bandit(&c, 8, 4096, &rc);
    ck_assert(memcmp(a.actor.params, b.actor.params, a.actor.nparams * sizeof(double)) == 0);
    ck_assert(memcmp(a.critic.params, b.critic.params, a.critic.nparams * sizeof(double)) == 0);
    ck_assert(memcmp(a.actor.params, c.actor.params, a.actor.nparams * sizeof(double)) != 0);
    ck_assert_uint_eq(a.updates, 2 * 10 * (2048 / 64));
    ppo_release(&a);
    ppo_release(&b);
    ppo_release(&c);
    rng_release(&ra);
    rng_release(&rb);
    rng_release(&rc);
}
END_TEST

START_TEST(test_save_load)
{
    struct ppo a, b;
    struct rng ra, rb;
    train_bandit(&a, 9, 2048, &ra);
    train_bandit(&b, 10, 1, &rb);
    char path[] = "/tmp/splitsim-test-ppo-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    struct diag d;
    diag_init(&d);
    ck_assert_int_eq(ppo_save(&a, path, &d), 0);
    ck_assert_int_eq(ppo_load(&b, path, &d), 0);
    for (int i = 0; i < 50; i++) {
        double x = i / 50.0, pa[3], pb[3];
        ppo_probs(&a, &x, pa);
        ppo_probs(&b, &x, pb);
        ck_assert(memcmp(pa, pb, sizeof pa) == 0);
        ck_assert(ppo_value(&a, &x) == ppo_value(&b, &x));
    }
    /* an agent of another shape refuses the file */
    struct ppo_config c;
    ppo_config_default(&c, 2, 3);
    struct ppo other;
    ck_assert_int_eq(ppo_init(&other, &c, &rb), 0);
    ck_assert_int_eq(ppo_load(&other, path, &d), -EINVAL);
    ck_assert_str_eq(d.msgs[0].text, "expected width 2 for layer 0 of network 'actor', found '1'");
    remove(path);
    diag_release(&d);
    ppo_release(&a);
    ppo_release(&b);
    ppo_release(&other);
    rng_release(&ra);
    rng_release(&rb);
}
END_TEST

START_TEST(test_bad_config)
{
    struct rng r;
    rng_init(&r, 1, 0, RNG_KIND_TEST, 14);
    struct ppo_config c;
    struct ppo a;
    ppo_config_default(&c, 2, 3);
    c.batch_size = 4096; /* > n_steps */
    ck_assert_int_eq(ppo_init(&a, &c, &r), -EINVAL);
    ppo_config_default(&c, 2, 0);
    ck_assert_int_eq(ppo_init(&a, &c, &r), -EINVAL);
    ppo_release(&a);
    rng_release(&r);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("ppo");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_loss_gradient);
    tcase_add_test(tc, test_learns_contextual_bandit);
    tcase_add_test(tc, test_learns_two_state_mdp);
    tcase_add_test(tc, test_deterministic);
    tcase_add_test(tc, test_save_load);
    tcase_add_test(tc, test_bad_config);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(make_suite)
