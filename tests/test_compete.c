/*
 * Competitions (models/policy/compete.c) on small made-up results, every expected number worked
 * out by hand in the comments: per-replication means; paired differences over replications with
 * their Student-t 95 % half-widths (t quantiles from a table: t(0.975; 1, 2, 3) = 12.706205,
 * 4.302653, 3.182446); the ranking by the mean of replication means, the difference to the best
 * (this policy minus the best: never positive, its order the rank's) and the regret against the
 * exhaustive oracle; ties flagged from the paired intervals; equal means, a policy or a
 * replication without measured requests (NaN), a single replication; the quality ceiling's
 * share in the ranking; every policy choosing the same split; and the /competition table written
 * through results/rec and read back with tests/h5read.h. Each test that writes a file has a
 * file name of its own.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "h5read.h"
#include "models/policy/compete.h"

#define T1 12.706205 /* t(0.975) with 1, 2 and 3 degrees of freedom */
#define T2 4.302653
#define T3 3.182446

enum { MAX_REPS = 8, MAX_VALUES = 64 };

/* One policy's made-up run: its results, their statistics as the caller computes them (the
 * reward's mean pooled over every measured request; the other metrics' fields made up so that
 * each column of the table can be told apart), and its decisions. */
struct run {
    struct split_results res;
    struct split_rep_totals reps[MAX_REPS];
    double values[SM_COUNT_][MAX_VALUES];
    struct split_stat stats[SM_COUNT_];
};

/* The perplexity ratio of the quality ceiling in these tests. */
#define CEILING 1000.0

/*
 * Fills r from `text`: the rewards of each replication's measured requests, replications
 * separated by '|' (an empty replication measured none); a reward followed by '!' is a request
 * whose quality hit the ceiling (quality CEILING; the others 1.5). Replication i made 10 + i
 * decisions, paid `evals` true evaluations and chose splits 2 .. 5. `tag` offsets the made-up
 * statistics.
 */
static void run_init(struct run *r, const char *text, uint64_t evals, double tag)
{
    memset(r, 0, sizeof *r);
    r->res.reps = r->reps;
    for (int k = 0; k < SM_COUNT_; k++)
        r->res.metric[k].v = r->values[k];
    struct split_values *v = &r->res.metric[SM_REWARD], *q = &r->res.metric[SM_QUALITY];
    const char *s = text;
    for (;;) {
        ck_assert_uint_lt(r->res.nreps, MAX_REPS);
        struct split_rep_totals *t = &r->reps[r->res.nreps++];
        for (int k = 0; k < SM_COUNT_; k++)
            t->start[k] = r->res.metric[k].n;
        t->decisions = 10 + r->res.nreps - 1;
        t->evaluations = evals;
        t->split_lo = 2;
        t->split_hi = 5;
        for (;;) {
            while (*s == ' ')
                s++;
            if (*s == '|' || *s == '\0')
                break;
            char *end;
            double x = strtod(s, &end);
            ck_assert_ptr_ne(end, s);
            ck_assert_uint_lt(v->n, MAX_VALUES);
            v->v[v->n++] = x;
            q->v[q->n++] = *end == '!' ? CEILING : 1.5;
            s = end + (*end == '!');
        }
        if (*s++ == '\0')
            break;
    }
    v->cap = q->cap = MAX_VALUES;
    double sum = 0;
    for (size_t i = 0; i < v->n; i++)
        sum += v->v[i];
    for (int k = 0; k < SM_COUNT_; k++)
        r->stats[k] = (struct split_stat){.n = v->n,
                                          .mean = tag + k + 0.1,
                                          .ci95 = tag + k + 0.2,
                                          .p50 = tag + k + 0.3,
                                          .p95 = tag + k + 0.4,
                                          .p99 = tag + k + 0.5,
                                          .p50_ci95 = tag + k + 0.6,
                                          .p95_ci95 = tag + k + 0.7,
                                          .p99_ci95 = tag + k + 0.8};
    r->stats[SM_REWARD].mean = v->n ? sum / (double)v->n : (double)NAN;
    r->stats[SM_REWARD].ci95 = tag + 0.7;
}

/* Every replication of r chose splits lo .. hi. */
static void chose(struct run *r, uint32_t lo, uint32_t hi)
{
    for (size_t i = 0; i < r->res.nreps; i++) {
        r->reps[i].split_lo = lo;
        r->reps[i].split_hi = hi;
    }
}

static struct compete_entry entry(const char *name, const struct run *r)
{
    return (struct compete_entry){
        .name = name, .res = &r->res, .stats = r->stats, .evaluation_cost_s = 8.6};
}

/* A made-up run as run_init takes it, and the name of its entry. */
struct spec {
    const char *name, *text;
    uint64_t evals;
    double tag;
};

/* Fills r[i] from spec[i] and makes e[i] its entry, for i < n. */
static void entries(size_t n, const struct spec *spec, struct run *r, struct compete_entry *e)
{
    for (size_t i = 0; i < n; i++) {
        run_init(&r[i], spec[i].text, spec[i].evals, spec[i].tag);
        e[i] = entry(spec[i].name, &r[i]);
    }
}

/* |x - want| < 1e-6, or both NaN. */
static void same(const char *what, double x, double want)
{
    ck_assert_msg(isnan(want) ? isnan(x) : fabs(x - want) < 1e-6, "%s: %.9g, expected %.9g", what,
                  x, want);
}

/* The ranks are 1..n, each once. */
static void ranks_are_a_permutation(const struct compete_entry *e, size_t n)
{
    for (unsigned r = 1; r <= n; r++) {
        int seen = 0;
        for (size_t i = 0; i < n; i++)
            seen += e[i].rank == r;
        ck_assert_msg(seen == 1, "rank %u given %d times", r, seen);
    }
}

/* Ranks with the quality ceiling CEILING; returns the outcome. */
static struct compete_outcome rank(struct compete_entry *e, size_t n)
{
    struct compete_outcome o;
    ck_assert_int_eq(compete_rank(e, n, CEILING, &o), 0);
    ranks_are_a_permutation(e, n);
    return o;
}

/* Ranks e[0..n) and expects entry i to rank want[i]; returns the outcome. */
static struct compete_outcome rank_as(struct compete_entry *e, size_t n, const unsigned *want)
{
    struct compete_outcome o = rank(e, n);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(e[i].rank == want[i], "%s ranked %u, expected %u", e[i].name, e[i].rank,
                      want[i]);
    return o;
}

/*
 * Four replications, per-replication means and their mean (the ranking's basis):
 *   greedy      1 | 3 3 | 2 | 0 1        means 1, 3, 2, 0.5     mean 6.5 / 4 = 1.625
 *   exhaustive  1 3 | 4 | 2 2 5 | 1      means 2, 4, 3, 1       mean 2.5
 *   random      0 | 1 | -1 | 0 0         means 0, 1, -1, 0      mean 0
 *   mbrl        3 | 2 | 4 | 1 3          means 3, 2, 4, 2       mean 2.75
 */
static struct run greedy, exhaustive, random_, mbrl;

static void four_runs(void)
{
    run_init(&greedy, "1 | 3 3 | 2 | 0 1", 47, 100);
    run_init(&exhaustive, "1 3 | 4 | 2 2 5 | 1", 100, 200);
    run_init(&random_, "0 | 1 | -1 | 0 0", 0, 300);
    run_init(&mbrl, "3 | 2 | 4 | 1 3", 2, 400);
}

START_TEST(test_rep_mean)
{
    four_runs();
    const double want[] = {2, 4, 3, 1};
    for (size_t i = 0; i < 4; i++)
        same("exhaustive", compete_rep_mean(&exhaustive.res, i, SM_REWARD), want[i]);
    /* a replication without measured requests, first, in the middle and last */
    struct run r;
    run_init(&r, " | 5 | | 7 8 |", 0, 0);
    ck_assert_uint_eq(r.res.nreps, 5);
    const double want2[] = {NAN, 5, NAN, 7.5, NAN};
    for (size_t i = 0; i < 5; i++)
        same("with gaps", compete_rep_mean(&r.res, i, SM_REWARD), want2[i]);
    /* a metric without any value */
    same("ttft", compete_rep_mean(&r.res, 1, SM_TTFT), NAN);
}
END_TEST

/*
 * Paired differences by hand, d_r = mean_r(a) - mean_r(b), half-width t(0.975; m - 1) s / sqrt(m):
 *   exhaustive - greedy: d = 1, 1, 1, 0.5; mean 0.875; sum of squared deviations
 *     3 x 0.125^2 + 0.375^2 = 0.1875, s^2 = 0.0625, s = 0.25: half-width T3 x 0.25 / 2
 *   mbrl - exhaustive: d = 1, -2, 1, 1; mean 0.25; 3 x 0.75^2 + 2.25^2 = 6.75, s^2 = 2.25:
 *     T3 x 1.5 / 2
 *   exhaustive - random: d = 2, 3, 4, 1; mean 2.5; 0.25 + 0.25 + 2.25 + 2.25 = 5, s^2 = 5 / 3
 * Over replications 0 and 2 only: exhaustive - greedy d = 1, 1: mean 1, half-width 0.
 */
START_TEST(test_paired_by_hand)
{
    four_runs();
    double mean, ci;
    compete_paired(&exhaustive.res, &greedy.res, NULL, &mean, &ci);
    same("exhaustive - greedy", mean, 0.875);
    same("its half-width", ci, T3 * 0.25 / 2);
    compete_paired(&mbrl.res, &exhaustive.res, NULL, &mean, &ci);
    same("mbrl - exhaustive", mean, 0.25);
    same("its half-width", ci, T3 * 1.5 / 2);
    /* the other way round: the opposite mean, the same interval */
    compete_paired(&exhaustive.res, &mbrl.res, NULL, &mean, &ci);
    same("exhaustive - mbrl", mean, -0.25);
    same("its half-width", ci, T3 * 1.5 / 2);
    compete_paired(&exhaustive.res, &random_.res, NULL, &mean, &ci);
    same("exhaustive - random", mean, 2.5);
    same("its half-width", ci, T3 * sqrt(5 / 3.0) / 2);
    /* a run against itself: zero, with a zero interval */
    compete_paired(&greedy.res, &greedy.res, NULL, &mean, &ci);
    same("greedy - greedy", mean, 0);
    same("its half-width", ci, 0);
    /* the replications a mask keeps */
    const bool use[] = {true, false, true, false};
    compete_paired(&exhaustive.res, &greedy.res, use, &mean, &ci);
    same("exhaustive - greedy, replications 0 and 2", mean, 1);
    same("its half-width", ci, 0);
}
END_TEST

/*
 * A replication in which one of the two measured nothing has no pair, and drops out (the
 * others keep their pairing): exhaustive 2, 4, 3, 1 against 2, -, 4, 3: d = 0, -1, -2 over
 * m = 3 pairs; mean -1, s^2 = (1 + 0 + 1) / 2 = 1: half-width T2 x 1 / sqrt(3). With one pair
 * left, the mean is that pair's and there is no interval; with none, neither.
 */
START_TEST(test_paired_skips_unmeasured)
{
    four_runs();
    struct run gaps, one, none;
    run_init(&gaps, "2 | | 4 | 3", 0, 0);
    run_init(&one, " | | 6 | ", 0, 0);
    run_init(&none, " | | | ", 0, 0);
    double mean, ci;
    compete_paired(&exhaustive.res, &gaps.res, NULL, &mean, &ci);
    same("exhaustive - gaps", mean, -1);
    same("its half-width", ci, T2 / sqrt(3));
    compete_paired(&one.res, &exhaustive.res, NULL, &mean, &ci);
    same("one - exhaustive", mean, 3);
    same("its half-width", ci, NAN);
    compete_paired(&exhaustive.res, &none.res, NULL, &mean, &ci);
    same("exhaustive - none", mean, NAN);
    same("its half-width", ci, NAN);
}
END_TEST

/* The rank, the sign and the basis agree: for every pair, i ranks ahead of j exactly when its
 * reward_mean is larger (or equal and listed first), diff_best_i - diff_best_j is the
 * difference of their reward_means, and no diff_best is positive. */
static void consistent(const struct compete_entry *e, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        ck_assert_msg(!(e[i].diff_best > 0), "%s: diff_best %g > 0", e[i].name, e[i].diff_best);
        for (size_t j = 0; j < n; j++) {
            if (i == j || isnan(e[i].reward_mean) || isnan(e[j].reward_mean))
                continue;
            bool ahead = e[i].reward_mean > e[j].reward_mean ||
                         (e[i].reward_mean == e[j].reward_mean && i < j);
            ck_assert_msg(ahead == (e[i].rank < e[j].rank), "%s vs %s: rank %u, %u", e[i].name,
                          e[j].name, e[i].rank, e[j].rank);
            same("diff_best difference", e[i].diff_best - e[j].diff_best,
                 e[i].reward_mean - e[j].reward_mean);
        }
    }
}

/*
 * Ranking by the mean of replication means: mbrl (2.75) 1, exhaustive (2.5) 2, greedy (1.625) 3,
 * random (0) 4, whatever the order given. Difference to the best (mbrl), this one minus mbrl,
 * with the paired half-widths by hand (test_paired_by_hand; further: greedy - mbrl: d = -2, 1,
 * -2, -1.5, mean -1.125, squared deviations 0.875^2 x 2 + 2.125^2 + 0.375^2 = 6.1875; random -
 * mbrl: d = -3, -1, -5, -2, mean -2.75, 0.0625 + 3.0625 + 5.0625 + 0.5625 = 8.75). Ties: greedy
 * |-1.125| <= T3 sqrt(6.1875 / 3) / 2 = 2.285; exhaustive |-0.25| <= T3 x 1.5 / 2 = 2.387;
 * random |-2.75| > T3 sqrt(8.75 / 3) / 2 = 2.718: not tied; mbrl, the best, ties (others do).
 * Regret against exhaustive by hand. Decisions: 10 + 11 + 12 + 13 = 46 each.
 */
START_TEST(test_rank_and_regret)
{
    four_runs();
    struct compete_entry e[] = {entry("greedy", &greedy), entry("exhaustive", &exhaustive),
                                entry("random", &random_), entry("mbrl", &mbrl)};
    struct compete_outcome o = rank_as(e, 4, (const unsigned[]){3, 2, 4, 1});
    consistent(e, 4);
    ck_assert_uint_eq(o.best, 3);
    ck_assert_uint_eq(o.compared, 4);
    const double mean[] = {1.625, 2.5, 0, 2.75};
    const double diff[] = {-1.125, -0.25, -2.75, 0};
    const double diff_ci[] = {T3 * sqrt(6.1875 / 3) / 2, T3 * 1.5 / 2, T3 * sqrt(8.75 / 3) / 2, 0};
    const double regret[] = {0.875, 0, 2.5, -0.25}; /* mbrl beat the oracle's realised reward */
    const double regret_ci[] = {T3 * 0.25 / 2, 0, T3 * sqrt(5 / 3.0) / 2, T3 * 1.5 / 2};
    const int tie[] = {1, 1, 0, 1};
    for (size_t i = 0; i < 4; i++) {
        same(e[i].name, e[i].reward_mean, mean[i]);
        same(e[i].name, e[i].diff_best, diff[i]);
        same(e[i].name, e[i].diff_best_ci95, diff_ci[i]);
        same(e[i].name, e[i].regret, regret[i]);
        same(e[i].name, e[i].regret_ci95, regret_ci[i]);
        ck_assert_msg(e[i].tie == tie[i], "%s: tie %d", e[i].name, e[i].tie);
        ck_assert_uint_eq(e[i].decisions, 46);
        ck_assert_uint_eq(e[i].rank_below_ceiling, e[i].rank); /* nothing at the ceiling */
    }
    ck_assert(!o.ceiling_decides && o.at_ceiling == 0);
    ck_assert_uint_eq(e[0].evaluations, 4 * 47);
    ck_assert_uint_eq(e[1].evaluations, 4 * 100);
    ck_assert_uint_eq(e[2].evaluations, 0);
    ck_assert_uint_eq(e[3].evaluations, 4 * 2);

    /* without the oracle there is no regret; the rest is unchanged */
    struct compete_entry f[] = {entry("random", &random_), entry("mbrl", &mbrl),
                                entry("greedy", &greedy)};
    rank_as(f, 3, (const unsigned[]){3, 1, 2});
    for (size_t i = 0; i < 3; i++) {
        same(f[i].name, f[i].regret, NAN);
        same(f[i].name, f[i].regret_ci95, NAN);
    }
    same("random", f[0].diff_best, -2.75);
    same("greedy", f[2].diff_best, -1.125);
}
END_TEST

/*
 * Pooled means and replication means disagree (issue 13 item 4): "many" measured six requests
 * of reward 0 in replication 0 and one of 3 in replication 1 (pooled 3 / 7 = 0.43, replication
 * means 0, 3: 1.5); "steady" 1 and 1 (pooled 1, replication means 1, 1: 1). On the paired basis
 * "many" is the better: rank 1; "steady" ranks 2 with diff_best 1 - 1.5 = -0.5 (d = 1 - 0,
 * 1 - 3 = 1, -2: s^2 = 4.5, half-width T1 sqrt(4.5) / sqrt(2) = 1.5 T1), a tie.
 */
START_TEST(test_rank_not_pooled)
{
    struct run r[2];
    struct compete_entry e[2];
    entries(2, (const struct spec[]){{"steady", "1 | 1", 0, 0}, {"many", "0 0 0 0 0 0 | 3", 0, 0}},
            r, e);
    ck_assert(e[0].stats[SM_REWARD].mean > e[1].stats[SM_REWARD].mean); /* pooled */
    rank_as(e, 2, (const unsigned[]){2, 1});
    consistent(e, 2);
    same("many", e[1].reward_mean, 1.5);
    same("steady", e[0].reward_mean, 1);
    same("steady vs best", e[0].diff_best, -0.5);
    same("its half-width", e[0].diff_best_ci95, 1.5 * T1);
    same("many vs best", e[1].diff_best, 0);
    ck_assert_int_eq(e[0].tie, 1);
    ck_assert_int_eq(e[1].tie, 1);
    /* reward_ci95 is t over the replication means: "many" 0, 3: T1 x 3 / 2 */
    same("many's half-width", e[1].reward_ci95, T1 * 1.5);
}
END_TEST

/*
 * Equal means: the policy given first ranks first and is the best; ranks stay 1..n. "a" and
 * "b" both have replication means whose mean is 2 (1, 3 and 3, 1: d = 2, -2, mean 0, s^2 = 8,
 * half-width T1 x sqrt(8) / sqrt(2) = 2 T1); "c" 1 (d = 0, -2: s^2 = 2, T1 x sqrt(2) / sqrt(2)).
 * All tie with "a": b's interval and c's (|-1| <= T1) contain 0.
 */
START_TEST(test_equal_means)
{
    struct run r[3];
    struct compete_entry e[3];
    entries(3,
            (const struct spec[]){{"c", "1 | 1", 0, 0}, {"a", "1 | 3", 0, 0}, {"b", "3 | 1", 0, 0}},
            r, e);
    rank_as(e, 3, (const unsigned[]){3, 1, 2});
    consistent(e, 3);
    same("a", e[1].diff_best, 0);
    same("a", e[1].diff_best_ci95, 0);
    same("b", e[2].diff_best, 0);
    same("b", e[2].diff_best_ci95, 2 * T1);
    same("c", e[0].diff_best, -1);
    same("c", e[0].diff_best_ci95, T1);
    for (size_t i = 0; i < 3; i++)
        ck_assert_int_eq(e[i].tie, 1);
    /* all equal */
    struct compete_entry f[] = {entry("b", &r[2]), entry("a", &r[1])};
    rank_as(f, 2, (const unsigned[]){1, 2});
    /* identical policies (greedy and exhaustive often decide alike): d = 0, 0, the interval
     * [0, 0] contains 0, a tie */
    struct compete_entry g[] = {entry("a", &r[1]), entry("a_again", &r[1]), entry("c", &r[0])};
    rank_as(g, 3, (const unsigned[]){1, 2, 3});
    same("a_again", g[1].diff_best, 0);
    same("a_again", g[1].diff_best_ci95, 0);
    ck_assert_int_eq(g[1].tie, 1);
    ck_assert_int_eq(g[0].tie, 1);
}
END_TEST

/*
 * Replication 1, in which "b" measured nothing, is compared for no policy: over replications 0
 * and 2, "a" 1, 3 (mean 2, half-width T1 x sqrt(2) / sqrt(2) = T1) and "b" 2, 4 (mean 3); b
 * ranks first; a's difference -1 with d = -1, -1: half-width 0, so no tie, and the best ties
 * with nobody. "none" measured nothing at all: it does not shrink the comparison.
 */
START_TEST(test_compared_replications)
{
    struct run r[3];
    struct compete_entry e[3];
    entries(3,
            (const struct spec[]){
                {"a", "1 | 2 | 3", 0, 0}, {"none", " | | ", 0, 0}, {"b", "2 | | 4", 0, 0}},
            r, e);
    struct compete_outcome o = rank_as(e, 3, (const unsigned[]){2, 3, 1});
    ck_assert_uint_eq(o.compared, 2);
    ck_assert_uint_eq(o.best, 2);
    same("a", e[0].reward_mean, 2);
    same("a's half-width", e[0].reward_ci95, T1);
    same("b", e[2].reward_mean, 3);
    same("a vs b", e[0].diff_best, -1);
    same("its half-width", e[0].diff_best_ci95, 0);
    ck_assert_int_eq(e[0].tie, 0);
    ck_assert_int_eq(e[2].tie, 0);
    ck_assert_int_eq(e[1].tie, -1);
    same("none", e[1].reward_mean, NAN);
    same("none vs best", e[1].diff_best, NAN);
}
END_TEST

/*
 * A policy with no measured request at all (every request refused or failed): its mean reward
 * is NaN. It can be neither the best nor ranked ahead of a policy that measured something: it
 * ranks last, whatever its place in the list; the others' ranks, differences and regrets are
 * those they have without it; its own differences are NaN and its tie unknown.
 */
START_TEST(test_unmeasured_policy)
{
    four_runs();
    struct run none;
    run_init(&none, " | | | ", 0, 500);
    ck_assert(isnan(none.stats[SM_REWARD].mean));
    for (size_t at = 0; at < 3; at++) { /* its place in the list */
        struct compete_entry e[3], *g = &e[at == 0 ? 1 : 0], *x = &e[at == 2 ? 1 : 2];
        e[at] = entry("all_edge", &none);
        *g = entry("greedy", &greedy);
        *x = entry("exhaustive", &exhaustive);
        struct compete_outcome o = rank(e, 3);
        ck_assert_msg(e[at].rank == 3, "unmeasured policy at %zu ranked %u", at, e[at].rank);
        ck_assert_uint_eq(x->rank, 1);
        ck_assert_uint_eq(g->rank, 2);
        ck_assert_uint_eq(o.compared, 4);
        same("greedy vs best", g->diff_best, -0.875);
        same("greedy regret", g->regret, 0.875);
        same("exhaustive vs best", x->diff_best, 0);
        same("unmeasured vs best", e[at].diff_best, NAN);
        same("unmeasured regret", e[at].regret, NAN);
        ck_assert_int_eq(e[at].tie, -1);
        ck_assert_int_eq(g->tie, 0); /* -0.875 +- T3 x 0.25 / 2 = 0.398 */
    }
}
END_TEST

/*
 * One replication: differences are that replication's, with no interval (n - 1 = 0 degrees of
 * freedom) and no tie known; the reward's own half-width is the summary's (20 batch means of
 * the one replication: the made-up tag + 0.7). exhaustive 2 (1, 3), greedy 1.5 (1, 2), fixed 3.
 */
START_TEST(test_single_replication)
{
    struct run r[3];
    struct compete_entry e[3];
    entries(3,
            (const struct spec[]){
                {"exhaustive", "1 3", 10, 0}, {"greedy", "1 2", 3, 10}, {"fixed", "3", 0, 20}},
            r, e);
    struct compete_outcome o = rank_as(e, 3, (const unsigned[]){2, 3, 1});
    consistent(e, 3);
    ck_assert_uint_eq(o.compared, 1);
    same("greedy regret", e[1].regret, 0.5);
    same("fixed regret", e[2].regret, -1);
    same("exhaustive vs best", e[0].diff_best, -1);
    same("greedy vs best", e[1].diff_best, -1.5);
    for (size_t i = 0; i < 3; i++) {
        same(e[i].name, e[i].regret_ci95, NAN);
        same(e[i].name, e[i].diff_best_ci95, NAN);
        same(e[i].name, e[i].reward_ci95, 10.0 * (double)i + 0.7);
        ck_assert_int_eq(e[i].tie, -1);
        ck_assert_uint_eq(e[i].decisions, 10);
    }
    ck_assert_uint_eq(e[0].evaluations, 10);
}
END_TEST

/*
 * The quality ceiling. "burst" measured 1, 1 | 1, -99 with the -99 at the ceiling: replication
 * means 1, -49, mean -24; "calm" 0 | 0. calm ranks first; from the requests below the ceiling,
 * burst has 1, 1 (mean 1) and ranks first: the ceiling decides the ranking. Against "high"
 * (5 | 5) it does not: high is first either way. With a measured quality table (no ceiling,
 * +inf) nothing is at the ceiling.
 */
START_TEST(test_quality_ceiling)
{
    struct run r[3];
    struct compete_entry e[3];
    entries(3,
            (const struct spec[]){
                {"burst", "1 1 | 1 -99!", 0, 0}, {"calm", "0 | 0", 0, 0}, {"high", "5 | 5", 0, 0}},
            r, e);
    struct compete_outcome o = rank_as(e, 2, (const unsigned[]){2, 1});
    same("burst", e[0].reward_mean, -24);
    ck_assert_uint_eq(e[0].at_ceiling, 1);
    ck_assert_uint_eq(e[1].at_ceiling, 0);
    ck_assert_uint_eq(o.at_ceiling, 1);
    ck_assert_uint_eq(e[0].rank_below_ceiling, 1);
    ck_assert_uint_eq(e[1].rank_below_ceiling, 2);
    ck_assert(o.ceiling_decides);
    same("the ceiling", o.quality_ceiling, CEILING);

    struct compete_entry f[] = {e[0], e[2]};
    o = rank(f, 2);
    ck_assert_uint_eq(o.at_ceiling, 1);
    ck_assert(!o.ceiling_decides);
    ck_assert_uint_eq(f[0].rank_below_ceiling, 2);
    ck_assert_uint_eq(f[1].rank_below_ceiling, 1);

    ck_assert_int_eq(compete_rank(e, 2, INFINITY, &o), 0);
    ck_assert_uint_eq(o.at_ceiling, 0);
    ck_assert_uint_eq(e[0].at_ceiling, 0);
    ck_assert(!o.ceiling_decides);
}
END_TEST

/* Every policy choosing the one split k for every request is flagged; splits that differ
 * between policies, or within one, are not. */
START_TEST(test_same_split)
{
    four_runs();
    struct compete_entry e[] = {entry("greedy", &greedy), entry("random", &random_)};
    struct compete_outcome o = rank(e, 2);
    ck_assert(!o.same_split); /* 2 .. 5 */
    chose(&greedy, 0, 0);
    chose(&random_, 0, 0);
    o = rank(e, 2);
    ck_assert(o.same_split);
    ck_assert_uint_eq(o.split, 0);
    ck_assert_uint_eq(e[0].split_lo, 0);
    ck_assert_uint_eq(e[0].split_hi, 0);
    chose(&random_, 3, 3);
    ck_assert(!rank(e, 2).same_split);
    chose(&random_, 0, 1);
    ck_assert(!rank(e, 2).same_split);
}
END_TEST

/* ---- the /competition table ---------------------------------------------------------------- */

static char dir[64];

static void make_dir(void)
{
    strcpy(dir, "/tmp/splitsim-test-compete-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void remove_dir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* Ranks, records to dir/name, and returns the file's path (malloc'd). */
static char *record(const char *name, struct compete_entry *e, size_t n)
{
    char *path = NULL;
    ck_assert_int_gt(asprintf(&path, "%s/%s", dir, name), 0);
    struct diag d;
    diag_init(&d);
    struct rec *r;
    ck_assert_int_eq(rec_open(&r, path, NULL, &d), 0);
    struct compete_outcome o = rank(e, n);
    ck_assert_int_eq(compete_record(r, e, n, &o), 0);
    ck_assert_int_eq(rec_close(r, true), 0);
    diag_release(&d);
    return path;
}

/* Column `name` of the file's /competition table, of n rows, read as `type` (malloc'd). */
static void *typed_column(const char *path, const char *name, hid_t type, size_t n)
{
    char full[128];
    snprintf(full, sizeof full, "/competition/%s", name);
    size_t len = 0;
    void *v = h5_read_column(path, full, type, &len);
    ck_assert_msg(v != NULL, "%s unreadable", full);
    ck_assert_uint_eq(len, n);
    return v;
}

static double *column(const char *path, const char *name, size_t n)
{
    return typed_column(path, name, H5T_NATIVE_DOUBLE, n);
}

static int64_t *int_column(const char *path, const char *name, size_t n)
{
    return typed_column(path, name, H5T_NATIVE_INT64, n);
}

static int64_t attr(const char *path, const char *name)
{
    int64_t v = -99;
    ck_assert_int_eq(h5_read_attr_int64(path, "/competition", name, &v), 0);
    return v;
}

/* Integer columns of the four runs' table, row by row (see test_rank_and_regret). */
static void check_int_columns(const char *path)
{
    static const struct {
        const char *name;
        int64_t want[4];
    } cols[] = {
        {"policy", {0, 1, 2, 3}},
        {"rank", {3, 2, 4, 1}},
        {"tie", {1, 1, 0, 1}},
        {"decisions", {46, 46, 46, 46}},
        {"evaluations", {188, 400, 0, 8}},
        {"at_quality_ceiling", {0, 0, 0, 0}},
        {"rank_below_ceiling", {3, 2, 4, 1}},
        {"split_min", {2, 2, 2, 2}},
        {"split_max", {5, 5, 5, 5}},
    };
    for (size_t c = 0; c < sizeof cols / sizeof cols[0]; c++) {
        int64_t *v = int_column(path, cols[c].name, 4);
        for (int i = 0; i < 4; i++)
            ck_assert_msg(v[i] == cols[c].want[i], "%s[%d] = %lld, expected %lld", cols[c].name, i,
                          (long long)v[i], (long long)cols[c].want[i]);
        free(v);
    }
    ck_assert_int_eq(attr(path, "replications_compared"), 4);
    ck_assert_int_eq(attr(path, "ceiling_decides"), 0);
    ck_assert_int_eq(attr(path, "same_split"), -1);
}

/* Every column of every row as the entries and their statistics say, in the order given. */
START_TEST(test_table)
{
    four_runs();
    make_dir();
    struct compete_entry e[] = {entry("greedy", &greedy), entry("exhaustive", &exhaustive),
                                entry("random", &random_), entry("mbrl", &mbrl)};
    char *path = record("competition-table.h5", e, 4);
    char *names = h5_read_attr_string(path, "/competition", "policies");
    ck_assert_str_eq(names, "greedy,exhaustive,random,mbrl");
    free(names);
    check_int_columns(path);
    /* columns taken from the policies' statistics: field f of metric k made up as tag + k +
     * 0.1 f (f = 1 .. 8: mean, ci95, p50, p95, p99, p50_ci95, p95_ci95, p99_ci95), tag
     * 100 x (row + 1) */
    static const struct {
        const char *name;
        int metric, field;
    } cols[] = {
        {"quality_mean", SM_QUALITY, 1},   {"quality_ci95", SM_QUALITY, 2},
        {"ttft_mean_s", SM_TTFT, 1},       {"ttft_ci95_s", SM_TTFT, 2},
        {"ttft_p50_s", SM_TTFT, 3},        {"ttft_p50_ci95_s", SM_TTFT, 6},
        {"ttft_p95_s", SM_TTFT, 4},        {"ttft_p95_ci95_s", SM_TTFT, 7},
        {"ttft_p99_s", SM_TTFT, 5},        {"ttft_p99_ci95_s", SM_TTFT, 8},
        {"tpot_mean_s", SM_TPOT, 1},       {"tpot_ci95_s", SM_TPOT, 2},
        {"tpot_p95_s", SM_TPOT, 4},        {"tpot_p95_ci95_s", SM_TPOT, 7},
        {"latency_mean_s", SM_LATENCY, 1}, {"latency_ci95_s", SM_LATENCY, 2},
        {"latency_p95_s", SM_LATENCY, 4},  {"latency_p95_ci95_s", SM_LATENCY, 7},
        {"latency_p99_s", SM_LATENCY, 5},  {"latency_p99_ci95_s", SM_LATENCY, 8},
        {"energy_mean_j", SM_ENERGY, 1},   {"energy_ci95_j", SM_ENERGY, 2},
        {"energy_p95_j", SM_ENERGY, 4},    {"energy_p95_ci95_j", SM_ENERGY, 7},
    };
    for (size_t c = 0; c < sizeof cols / sizeof cols[0]; c++) {
        double *v = column(path, cols[c].name, 4);
        for (int i = 0; i < 4; i++)
            same(cols[c].name, v[i], 100 * (i + 1) + cols[c].metric + 0.1 * cols[c].field);
        free(v);
    }
    /* the ranking's columns, by hand: reward_mean and reward_ci95 over the replication means
     * (greedy 1, 3, 2, 0.5: squared deviations 3.6875; exhaustive 2, 4, 3, 1: 5; random 0, 1,
     * -1, 0: 2; mbrl 3, 2, 4, 2: 2.75), the differences of test_rank_and_regret */
    double *mean = column(path, "reward_mean", 4), *mean_ci = column(path, "reward_ci95", 4);
    double *diff = column(path, "diff_best", 4), *diff_ci = column(path, "diff_best_ci95", 4);
    double *reg = column(path, "regret", 4), *reg_ci = column(path, "regret_ci95", 4);
    double *cost = column(path, "evaluation_cost_s", 4);
    const double want_mean[] = {1.625, 2.5, 0, 2.75}, ss[] = {3.6875, 5, 2, 2.75};
    const double want_ev[] = {188, 400, 0, 8}, want_diff[] = {-1.125, -0.25, -2.75, 0};
    for (int i = 0; i < 4; i++) {
        same("reward_mean", mean[i], want_mean[i]);
        same("reward_ci95", mean_ci[i], T3 * sqrt(ss[i] / 3) / 2);
        same("diff_best", diff[i], want_diff[i]);
        same("diff_best_ci95", diff_ci[i], e[i].diff_best_ci95);
        same("regret", reg[i], e[i].regret);
        same("regret_ci95", reg_ci[i], e[i].regret_ci95);
        same("evaluation_cost_s", cost[i], want_ev[i] * 8.6);
    }
    same("greedy regret", reg[0], 0.875);
    same("its half-width", reg_ci[0], T3 * 0.25 / 2);
    same("greedy vs best: half-width", diff_ci[0], T3 * sqrt(6.1875 / 3) / 2);
    free(mean), free(mean_ci), free(diff), free(diff_ci), free(reg), free(reg_ci), free(cost);
    free(path);
    remove_dir();
}
END_TEST

/* NaN (an unmeasured policy, a single replication's intervals) reaches the file as NaN; the
 * quality ceiling's verdict and a split every policy chose reach its attributes. */
START_TEST(test_table_nan_single)
{
    make_dir();
    struct run r[2];
    struct compete_entry e[2];
    entries(2, (const struct spec[]){{"exhaustive", "1 3", 10, 0}, {"all_ue", "", 0, 0}}, r, e);
    chose(&r[0], 0, 0);
    chose(&r[1], 0, 0);
    char *path = record("competition-nan-single.h5", e, 2);
    double *mean = column(path, "reward_mean", 2), *reg = column(path, "regret", 2);
    double *reg_ci = column(path, "regret_ci95", 2);
    int64_t *tie = int_column(path, "tie", 2);
    same("exhaustive mean", mean[0], 2);
    same("unmeasured mean", mean[1], NAN);
    same("exhaustive regret", reg[0], 0);
    same("its half-width (one replication)", reg_ci[0], NAN);
    same("unmeasured regret", reg[1], NAN);
    ck_assert_int_eq(tie[0], -1);
    ck_assert_int_eq(tie[1], -1);
    ck_assert_int_eq(attr(path, "same_split"), 0);
    ck_assert_int_eq(attr(path, "replications_compared"), 1);
    free(mean), free(reg), free(reg_ci), free(tie);
    free(path);

    struct run q[2];
    struct compete_entry f[2];
    entries(2, (const struct spec[]){{"burst", "1 1 | 1 -99!", 0, 0}, {"calm", "0 | 0", 0, 0}}, q,
            f);
    path = record("competition-ceiling.h5", f, 2);
    ck_assert_int_eq(attr(path, "ceiling_decides"), 1);
    int64_t *at = int_column(path, "at_quality_ceiling", 2);
    int64_t *below = int_column(path, "rank_below_ceiling", 2);
    ck_assert_int_eq(at[0], 1);
    ck_assert_int_eq(at[1], 0);
    ck_assert_int_eq(below[0], 1);
    ck_assert_int_eq(below[1], 2);
    free(at), free(below), free(path);
    remove_dir();
}
END_TEST

static Suite *compete_suite(void)
{
    Suite *s = suite_create("compete");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_rep_mean);
    tcase_add_test(tc, test_paired_by_hand);
    tcase_add_test(tc, test_paired_skips_unmeasured);
    tcase_add_test(tc, test_rank_and_regret);
    tcase_add_test(tc, test_rank_not_pooled);
    tcase_add_test(tc, test_equal_means);
    tcase_add_test(tc, test_compared_replications);
    tcase_add_test(tc, test_unmeasured_policy);
    tcase_add_test(tc, test_single_replication);
    tcase_add_test(tc, test_quality_ceiling);
    tcase_add_test(tc, test_same_split);
    tcase_add_test(tc, test_table);
    tcase_add_test(tc, test_table_nan_single);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(compete_suite)
