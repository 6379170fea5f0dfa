/*
 * Competitions (models/policy/compete.c) on small made-up results, every expected number worked
 * out by hand in the comments: per-replication means; paired differences over replications with
 * their Student-t 95 % half-widths (t quantiles from a table: t(0.975; 1, 2, 3) = 12.706205,
 * 4.302653, 3.182446); the ranking by mean reward, the difference to the best and the regret
 * against the exhaustive oracle; ties, a policy or a replication without measured requests
 * (NaN), a single replication; and the /competition table written through results/rec and read
 * back with tests/h5read.h. Each test that writes a file has a file name of its own.
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

/*
 * Fills r from `text`: the rewards of each replication's measured requests, replications
 * separated by '|' (an empty replication measured none). Replication i made 10 + i decisions and
 * paid `evals` true evaluations. `tag` offsets the made-up statistics.
 */
static void run_init(struct run *r, const char *text, uint64_t evals, double tag)
{
    memset(r, 0, sizeof *r);
    r->res.reps = r->reps;
    for (int k = 0; k < SM_COUNT_; k++)
        r->res.metric[k].v = r->values[k];
    struct split_values *v = &r->res.metric[SM_REWARD];
    const char *s = text;
    for (;;) {
        ck_assert_uint_lt(r->res.nreps, MAX_REPS);
        struct split_rep_totals *t = &r->reps[r->res.nreps++];
        for (int k = 0; k < SM_COUNT_; k++)
            t->start[k] = r->res.metric[k].n;
        t->decisions = 10 + r->res.nreps - 1;
        t->evaluations = evals;
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
            s = end;
        }
        if (*s++ == '\0')
            break;
    }
    v->cap = MAX_VALUES;
    double sum = 0;
    for (size_t i = 0; i < v->n; i++)
        sum += v->v[i];
    for (int k = 0; k < SM_COUNT_; k++)
        r->stats[k] = (struct split_stat){.n = v->n,
                                          .mean = tag + k + 0.1,
                                          .ci95 = tag + k + 0.2,
                                          .p50 = tag + k + 0.3,
                                          .p95 = tag + k + 0.4,
                                          .p99 = tag + k + 0.5};
    r->stats[SM_REWARD].mean = v->n ? sum / (double)v->n : (double)NAN;
    r->stats[SM_REWARD].ci95 = tag + 0.7;
}

static struct compete_entry entry(const char *name, const struct run *r)
{
    return (struct compete_entry){
        .name = name, .res = &r->res, .stats = r->stats, .evaluation_cost_s = 8.6};
}

/* A made-up run as run_init takes it (tag 0), and the name of its entry. */
struct spec {
    const char *name, *text;
    uint64_t evals;
};

/* Fills r[i] from spec[i] and makes e[i] its entry, for i < n. */
static void entries(size_t n, const struct spec *spec, struct run *r, struct compete_entry *e)
{
    for (size_t i = 0; i < n; i++) {
        run_init(&r[i], spec[i].text, spec[i].evals, 0);
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

/* Ranks e[0..n) and expects entry i to rank want[i]. */
static void rank_as(struct compete_entry *e, size_t n, const unsigned *want)
{
    compete_rank(e, n);
    ranks_are_a_permutation(e, n);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(e[i].rank == want[i], "%s ranked %u, expected %u", e[i].name, e[i].rank,
                      want[i]);
}

/*
 * Four replications, per-replication means (pooled means for the ranking):
 *   greedy      1 | 3 3 | 2 | 0 1        means 1, 3, 2, 0.5     pooled 10 / 6 = 1.667
 *   exhaustive  1 3 | 4 | 2 2 5 | 1      means 2, 4, 3, 1       pooled 18 / 7 = 2.571
 *   random      0 | 1 | -1 | 0 0         means 0, 1, -1, 0      pooled 0
 *   mbrl        3 | 2 | 4 | 1 3          means 3, 2, 4, 2       pooled 13 / 5 = 2.6
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
    same("quality", compete_rep_mean(&r.res, 1, SM_QUALITY), NAN);
}
END_TEST

/*
 * Paired differences by hand, d_r = mean_r(a) - mean_r(b), half-width t(0.975; m - 1) s / sqrt(m):
 *   exhaustive - greedy: d = 1, 1, 1, 0.5; mean 0.875; sum of squared deviations
 *     3 x 0.125^2 + 0.375^2 = 0.1875, s^2 = 0.0625, s = 0.25: half-width T3 x 0.25 / 2
 *   mbrl - exhaustive: d = 1, -2, 1, 1; mean 0.25; 3 x 0.75^2 + 2.25^2 = 6.75, s^2 = 2.25:
 *     T3 x 1.5 / 2
 *   exhaustive - random: d = 2, 3, 4, 1; mean 2.5; 0.25 + 0.25 + 2.25 + 2.25 = 5, s^2 = 5 / 3
 */
START_TEST(test_paired_by_hand)
{
    four_runs();
    double mean, ci;
    compete_paired(&exhaustive.res, &greedy.res, &mean, &ci);
    same("exhaustive - greedy", mean, 0.875);
    same("its half-width", ci, T3 * 0.25 / 2);
    compete_paired(&mbrl.res, &exhaustive.res, &mean, &ci);
    same("mbrl - exhaustive", mean, 0.25);
    same("its half-width", ci, T3 * 1.5 / 2);
    /* the other way round: the opposite mean, the same interval */
    compete_paired(&exhaustive.res, &mbrl.res, &mean, &ci);
    same("exhaustive - mbrl", mean, -0.25);
    same("its half-width", ci, T3 * 1.5 / 2);
    compete_paired(&exhaustive.res, &random_.res, &mean, &ci);
    same("exhaustive - random", mean, 2.5);
    same("its half-width", ci, T3 * sqrt(5 / 3.0) / 2);
    /* a run against itself: zero, with a zero interval */
    compete_paired(&greedy.res, &greedy.res, &mean, &ci);
    same("greedy - greedy", mean, 0);
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
    compete_paired(&exhaustive.res, &gaps.res, &mean, &ci);
    same("exhaustive - gaps", mean, -1);
    same("its half-width", ci, T2 / sqrt(3));
    compete_paired(&one.res, &exhaustive.res, &mean, &ci);
    same("one - exhaustive", mean, 3);
    same("its half-width", ci, NAN);
    compete_paired(&exhaustive.res, &none.res, &mean, &ci);
    same("exhaustive - none", mean, NAN);
    same("its half-width", ci, NAN);
}
END_TEST

/*
 * Ranking by pooled mean reward: mbrl (2.6) 1, exhaustive (2.571) 2, greedy (1.667) 3, random
 * (0) 4, whatever the order given. Difference to the best (mbrl) and regret against exhaustive
 * by hand (see test_paired_by_hand; further: mbrl - greedy: d = 2, -1, 2, 1.5, mean 1.125,
 * squared deviations 0.875^2 x 2 + 2.125^2 + 0.375^2 = 6.1875; mbrl - random: d = 3, 1, 5, 2,
 * mean 2.75, 0.0625 + 3.0625 + 5.0625 + 0.5625 = 8.75). Decisions: 10 + 11 + 12 + 13 = 46 each.
 */
START_TEST(test_rank_and_regret)
{
    four_runs();
    struct compete_entry e[] = {entry("greedy", &greedy), entry("exhaustive", &exhaustive),
                                entry("random", &random_), entry("mbrl", &mbrl)};
    rank_as(e, 4, (const unsigned[]){3, 2, 4, 1});
    const double diff[] = {1.125, 0.25, 2.75, 0};
    const double diff_ci[] = {T3 * sqrt(6.1875 / 3) / 2, T3 * 1.5 / 2, T3 * sqrt(8.75 / 3) / 2, 0};
    const double regret[] = {0.875, 0, 2.5, -0.25}; /* mbrl beat the oracle's realised reward */
    const double regret_ci[] = {T3 * 0.25 / 2, 0, T3 * sqrt(5 / 3.0) / 2, T3 * 1.5 / 2};
    for (size_t i = 0; i < 4; i++) {
        same(e[i].name, e[i].diff_best, diff[i]);
        same(e[i].name, e[i].diff_best_ci95, diff_ci[i]);
        same(e[i].name, e[i].regret, regret[i]);
        same(e[i].name, e[i].regret_ci95, regret_ci[i]);
        ck_assert_uint_eq(e[i].decisions, 46);
    }
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
    same("random", f[0].diff_best, 2.75);
    same("greedy", f[2].diff_best, 1.125);
}
END_TEST

/*
 * Ties in mean reward: the policy given first ranks first and is the best; ranks stay 1..n.
 * "a" and "b" both pool to 2 (means 1, 3 and 3, 1: d = -2, 2, mean 0, s^2 = 8, half-width
 * T1 x sqrt(8) / sqrt(2) = 2 T1); "c" pools to 1.
 */
START_TEST(test_ties)
{
    struct run r[3];
    struct compete_entry e[3];
    entries(3, (const struct spec[]){{"c", "1 | 1", 0}, {"a", "1 | 3", 0}, {"b", "3 | 1", 0}}, r,
            e);
    rank_as(e, 3, (const unsigned[]){3, 1, 2});
    same("a", e[1].diff_best, 0);
    same("a", e[1].diff_best_ci95, 0);
    same("b", e[2].diff_best, 0);
    same("b", e[2].diff_best_ci95, 2 * T1);
    same("c", e[0].diff_best, 1);
    same("c", e[0].diff_best_ci95, T1); /* d = 0, 2: s^2 = 2, T1 x sqrt(2) / sqrt(2) */
    /* all tied */
    struct compete_entry f[] = {entry("b", &r[2]), entry("a", &r[1])};
    rank_as(f, 2, (const unsigned[]){1, 2});
}
END_TEST

/*
 * A policy with no measured request at all (every request refused or failed): its mean reward
 * is NaN. It can be neither the best nor ranked ahead of a policy that measured something: it
 * ranks last, whatever its place in the list; the others' ranks, differences and regrets are
 * those they have without it; its own differences are NaN.
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
        compete_rank(e, 3);
        ranks_are_a_permutation(e, 3);
        ck_assert_msg(e[at].rank == 3, "unmeasured policy at %zu ranked %u", at, e[at].rank);
        ck_assert_uint_eq(x->rank, 1);
        ck_assert_uint_eq(g->rank, 2);
        same("greedy vs best", g->diff_best, 0.875);
        same("greedy regret", g->regret, 0.875);
        same("exhaustive vs best", x->diff_best, 0);
        same("unmeasured vs best", e[at].diff_best, NAN);
        same("unmeasured regret", e[at].regret, NAN);
    }
}
END_TEST

/*
 * One replication: differences are that replication's, with no interval (n - 1 = 0 degrees of
 * freedom). exhaustive 2 (1, 3), greedy 1.5 (1, 2), fixed 3 (3).
 */
START_TEST(test_single_replication)
{
    struct run r[3];
    struct compete_entry e[3];
    entries(
        3,
        (const struct spec[]){{"exhaustive", "1 3", 10}, {"greedy", "1 2", 3}, {"fixed", "3", 0}},
        r, e);
    rank_as(e, 3, (const unsigned[]){2, 3, 1});
    same("greedy regret", e[1].regret, 0.5);
    same("fixed regret", e[2].regret, -1);
    same("exhaustive vs best", e[0].diff_best, 1);
    same("greedy vs best", e[1].diff_best, 1.5);
    for (size_t i = 0; i < 3; i++) {
        same(e[i].name, e[i].regret_ci95, NAN);
        same(e[i].name, e[i].diff_best_ci95, NAN);
        ck_assert_uint_eq(e[i].decisions, 10);
    }
    ck_assert_uint_eq(e[0].evaluations, 10);
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
    compete_rank(e, n);
    ck_assert_int_eq(compete_record(r, e, n), 0);
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
    int64_t *policy = int_column(path, "policy", 4), *rank = int_column(path, "rank", 4);
    int64_t *dec = int_column(path, "decisions", 4), *ev = int_column(path, "evaluations", 4);
    const int64_t want_rank[] = {3, 2, 4, 1}, want_ev[] = {188, 400, 0, 8};
    for (int64_t i = 0; i < 4; i++) {
        ck_assert_int_eq(policy[i], i);
        ck_assert_int_eq(rank[i], want_rank[i]);
        ck_assert_int_eq(dec[i], 46);
        ck_assert_int_eq(ev[i], want_ev[i]);
    }
    free(policy), free(rank), free(dec), free(ev);
    /* columns taken from the entries' ranking fields, and from their statistics (field f of
     * metric k made up as tag + k + 0.1 f, tag 100 x (row + 1); the reward's mean pooled and its
     * ci95 tag + 0.7) */
    static const struct {
        const char *name;
        int metric, field; /* field 1..5: mean, ci95, p50, p95, p99; 0: by hand below */
    } cols[] = {{"quality_mean", SM_QUALITY, 1},   {"ttft_mean_s", SM_TTFT, 1},
                {"ttft_ci95_s", SM_TTFT, 2},       {"ttft_p50_s", SM_TTFT, 3},
                {"ttft_p95_s", SM_TTFT, 4},        {"ttft_p99_s", SM_TTFT, 5},
                {"tpot_mean_s", SM_TPOT, 1},       {"tpot_p95_s", SM_TPOT, 4},
                {"latency_mean_s", SM_LATENCY, 1}, {"latency_p95_s", SM_LATENCY, 4},
                {"energy_mean_j", SM_ENERGY, 1},   {"reward_ci95", SM_REWARD, 0}};
    for (size_t c = 0; c < sizeof cols / sizeof cols[0]; c++) {
        double *v = column(path, cols[c].name, 4);
        for (int i = 0; i < 4; i++) {
            double tag = 100 * (i + 1);
            double want = cols[c].field ? tag + cols[c].metric + 0.1 * cols[c].field : tag + 0.7;
            same(cols[c].name, v[i], want);
        }
        free(v);
    }
    double *mean = column(path, "reward_mean", 4), *diff = column(path, "diff_best", 4);
    double *diff_ci = column(path, "diff_best_ci95", 4), *reg = column(path, "regret", 4);
    double *reg_ci = column(path, "regret_ci95", 4), *cost = column(path, "evaluation_cost_s", 4);
    const double want_mean[] = {10 / 6.0, 18 / 7.0, 0, 2.6};
    for (int i = 0; i < 4; i++) {
        same("reward_mean", mean[i], want_mean[i]);
        same("diff_best", diff[i], e[i].diff_best);
        same("diff_best_ci95", diff_ci[i], e[i].diff_best_ci95);
        same("regret", reg[i], e[i].regret);
        same("regret_ci95", reg_ci[i], e[i].regret_ci95);
        same("evaluation_cost_s", cost[i], want_ev[i] * 8.6);
    }
    same("greedy regret", reg[0], 0.875);
    same("its half-width", reg_ci[0], T3 * 0.25 / 2);
    free(mean), free(diff), free(diff_ci), free(reg), free(reg_ci), free(cost);
    free(path);
    remove_dir();
}
END_TEST

/* NaN (an unmeasured policy, a single replication's intervals) reaches the file as NaN. */
START_TEST(test_table_nan_single)
{
    make_dir();
    struct run r[2];
    struct compete_entry e[2];
    entries(2, (const struct spec[]){{"exhaustive", "1 3", 10}, {"all_ue", "", 0}}, r, e);
    char *path = record("competition-nan-single.h5", e, 2);
    double *mean = column(path, "reward_mean", 2), *reg = column(path, "regret", 2);
    double *reg_ci = column(path, "regret_ci95", 2);
    same("exhaustive mean", mean[0], 2);
    same("unmeasured mean", mean[1], NAN);
    same("exhaustive regret", reg[0], 0);
    same("its half-width (one replication)", reg_ci[0], NAN);
    same("unmeasured regret", reg[1], NAN);
    free(mean), free(reg), free(reg_ci);
    free(path);
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
    tcase_add_test(tc, test_ties);
    tcase_add_test(tc, test_unmeasured_policy);
    tcase_add_test(tc, test_single_replication);
    tcase_add_test(tc, test_table);
    tcase_add_test(tc, test_table_nan_single);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(compete_suite)
