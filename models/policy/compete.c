#include "models/policy/compete.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_statistics_double.h>

#include "sim/stats.h"

/* Values [a, b) of metric k that replication rep holds. */
static void range_of(const struct split_results *res, size_t rep, enum split_metric k, size_t *a,
                     size_t *b)
{
    *a = res->reps[rep].start[k];
    *b = rep + 1 < res->nreps ? res->reps[rep + 1].start[k] : res->metric[k].n;
}

double compete_rep_mean(const struct split_results *res, size_t rep, enum split_metric k)
{
    size_t a, b;
    range_of(res, rep, k, &a, &b);
    return b > a ? gsl_stats_mean(res->metric[k].v + a, 1, b - a) : (double)NAN;
}

/* A replication's value on which policies are compared. */
typedef double rep_value_fn(const struct split_results *res, size_t rep, double ceiling);

static double rep_reward(const struct split_results *res, size_t rep, double ceiling)
{
    (void)ceiling;
    return compete_rep_mean(res, rep, SM_REWARD);
}

/* The mean reward of replication rep's measured requests below the quality ceiling (NaN: none);
 * the reward and quality values are one per measured request, in the same order. */
static double rep_reward_below(const struct split_results *res, size_t rep, double ceiling)
{
    size_t a, b, qa, qb;
    range_of(res, rep, SM_REWARD, &a, &b);
    range_of(res, rep, SM_QUALITY, &qa, &qb);
    double sum = 0;
    size_t n = 0;
    for (size_t i = 0; a + i < b && qa + i < qb; i++)
        if (res->metric[SM_QUALITY].v[qa + i] < ceiling) {
            sum += res->metric[SM_REWARD].v[a + i];
            n++;
        }
    return n ? sum / (double)n : (double)NAN;
}

void compete_paired(const struct split_results *a, const struct split_results *b, const bool *use,
                    double *mean, double *ci95)
{
    size_t n = a->nreps < b->nreps ? a->nreps : b->nreps, m = 0;
    double *d = calloc(n ? n : 1, sizeof *d);
    *mean = *ci95 = NAN;
    if (!d)
        return;
    for (size_t i = 0; i < n; i++) {
        if (use && !use[i])
            continue;
        double x = compete_rep_mean(a, i, SM_REWARD) - compete_rep_mean(b, i, SM_REWARD);
        if (!isnan(x))
            d[m++] = x;
    }
    if (m > 0)
        *mean = gsl_stats_mean(d, 1, m);
    *ci95 = stats_halfwidth(d, m, 0.95); /* NaN below two pairs */
    free(d);
}

/* The values f gives over the compared replications (`use`, nrep of them), NaN left out, into
 * out; returns how many. */
static size_t basis_values(const struct split_results *res, const bool *use, size_t nrep,
                           rep_value_fn *f, double ceiling, double *out)
{
    size_t m = 0;
    for (size_t r = 0; r < nrep; r++) {
        double x = use[r] ? f(res, r, ceiling) : (double)NAN;
        if (!isnan(x))
            out[m++] = x;
    }
    return m;
}

/* Whether entry j ranks ahead of entry i: a larger score, or an equal one and an earlier place
 * in the list. A NaN score (a policy without a measured request) ranks after every number, and
 * NaNs among themselves by place. */
static bool ranks_ahead(const double *score, size_t j, size_t i)
{
    double a = score[j], b = score[i];
    if (isnan(a) || isnan(b))
        return isnan(b) && (!isnan(a) || j < i);
    return a > b || (a == b && j < i);
}

static void rank_by(const double *score, size_t n, unsigned *rank)
{
    for (size_t i = 0; i < n; i++) {
        rank[i] = 1;
        for (size_t j = 0; j < n; j++)
            rank[i] += ranks_ahead(score, j, i);
    }
}

/* Scratch space of compete_rank. */
struct basis {
    bool *use;      /* [nrep]: the compared replications */
    double *v;      /* [nrep] */
    double *score;  /* [n] */
    unsigned *rank; /* [n] */
    size_t nrep;
};

/* Each entry's score over the compared replications (f), and the ranks they give. */
static void score_and_rank(struct compete_entry *e, size_t n, struct basis *b, rep_value_fn *f,
                           double ceiling)
{
    for (size_t i = 0; i < n; i++) {
        size_t m = e[i].res->metric[SM_REWARD].n
                       ? basis_values(e[i].res, b->use, b->nrep, f, ceiling, b->v)
                       : 0;
        b->score[i] = m ? gsl_stats_mean(b->v, 1, m) : (double)NAN;
        if (f == rep_reward) {
            e[i].reward_mean = b->score[i];
            e[i].reward_ci95 = m >= 2 ? stats_halfwidth(b->v, m, 0.95)
                               : m == 1 && e[i].res->nreps == 1
                                   ? e[i].stats[SM_REWARD].ci95 /* batch means */
                                   : (double)NAN;
        }
    }
    rank_by(b->score, n, b->rank);
}

/* difference = a's reward_mean - b's, with the paired half-width; NaN when either is NaN. */
static void difference(const struct compete_entry *a, const struct compete_entry *b,
                       const bool *use, double *diff, double *ci95)
{
    double unused;
    *diff = *ci95 = NAN;
    if (isnan(a->reward_mean) || isnan(b->reward_mean))
        return;
    *diff = a->reward_mean - b->reward_mean; /* the ranked means: the sign follows the rank */
    compete_paired(a->res, b->res, use, &unused, ci95);
}

/* Ties with the best, from the paired intervals. */
static void ties(struct compete_entry *e, size_t n, size_t best)
{
    bool shared = false;
    for (size_t i = 0; i < n; i++) {
        e[i].tie = isnan(e[i].diff_best) || isnan(e[i].diff_best_ci95)
                       ? -1
                       : fabs(e[i].diff_best) <= e[i].diff_best_ci95;
        shared |= i != best && e[i].tie == 1;
    }
    if (e[best].tie >= 0)
        e[best].tie = shared;
}

/* The ranking again from the measured requests below the quality ceiling. */
static void below_ceiling(struct compete_entry *e, size_t n, struct basis *b,
                          struct compete_outcome *out)
{
    bool aligned = true; /* one quality per reward, replication by replication */
    for (size_t i = 0; i < n; i++)
        for (size_t r = 0; r < e[i].res->nreps; r++) {
            size_t a, z, qa, qz;
            range_of(e[i].res, r, SM_REWARD, &a, &z);
            range_of(e[i].res, r, SM_QUALITY, &qa, &qz);
            aligned &= z - a == qz - qa;
        }
    for (size_t i = 0; i < n; i++)
        e[i].rank_below_ceiling = e[i].rank;
    if (out->at_ceiling == 0 || !aligned)
        return;
    score_and_rank(e, n, b, rep_reward_below, out->quality_ceiling);
    for (size_t i = 0; i < n; i++) {
        e[i].rank_below_ceiling = b->rank[i];
        out->ceiling_decides |= b->rank[i] != e[i].rank;
    }
}

static void totals(struct compete_entry *e, size_t n, struct compete_outcome *out)
{
    out->same_split = n > 0;
    for (size_t i = 0; i < n; i++) {
        const struct split_results *res = e[i].res;
        e[i].decisions = e[i].evaluations = 0;
        for (size_t r = 0; r < res->nreps; r++) {
            e[i].decisions += res->reps[r].decisions;
            e[i].evaluations += res->reps[r].evaluations;
        }
        e[i].at_ceiling = split_at_ceiling(res, SIZE_MAX, out->quality_ceiling);
        out->at_ceiling += e[i].at_ceiling;
        split_chosen_range(res, &e[i].split_lo, &e[i].split_hi);
        out->same_split &= e[i].split_lo == e[i].split_hi && e[i].split_lo == e[0].split_lo;
    }
    out->split = n > 0 ? e[0].split_lo : 0;
}

int compete_rank(struct compete_entry *e, size_t n, double quality_ceiling,
                 struct compete_outcome *out)
{
    *out = (struct compete_outcome){.quality_ceiling = quality_ceiling};
    totals(e, n, out);
    struct basis b = {.nrep = SIZE_MAX};
    for (size_t i = 0; i < n; i++)
        if (e[i].res->nreps < b.nrep)
            b.nrep = e[i].res->nreps;
    if (n == 0)
        return 0;
    b.use = calloc(b.nrep ? b.nrep : 1, sizeof *b.use);
    b.v = calloc(b.nrep ? b.nrep : 1, sizeof *b.v);
    b.score = calloc(n, sizeof *b.score);
    b.rank = calloc(n, sizeof *b.rank);
    if (!b.use || !b.v || !b.score || !b.rank) {
        free(b.use), free(b.v), free(b.score), free(b.rank);
        return -ENOMEM;
    }
    /* the compared replications: every policy that measured anything measured in them */
    for (size_t r = 0; r < b.nrep; r++) {
        b.use[r] = true;
        for (size_t i = 0; i < n; i++)
            if (e[i].res->metric[SM_REWARD].n && isnan(compete_rep_mean(e[i].res, r, SM_REWARD)))
                b.use[r] = false;
        out->compared += b.use[r];
    }
    score_and_rank(e, n, &b, rep_reward, 0);
    size_t exhaustive = n;
    for (size_t i = 0; i < n; i++) {
        e[i].rank = b.rank[i];
        if (e[i].rank == 1)
            out->best = i;
        if (exhaustive == n && strcmp(e[i].name, "exhaustive") == 0)
            exhaustive = i;
    }
    for (size_t i = 0; i < n; i++) {
        difference(&e[i], &e[out->best], b.use, &e[i].diff_best, &e[i].diff_best_ci95);
        if (exhaustive < n)
            difference(&e[exhaustive], &e[i], b.use, &e[i].regret, &e[i].regret_ci95);
        else
            e[i].regret = e[i].regret_ci95 = NAN;
    }
    ties(e, n, out->best);
    below_ceiling(e, n, &b, out);
    free(b.use), free(b.v), free(b.score), free(b.rank);
    return 0;
}

/* ---- the /competition table ------------------------------------------------------------------ */

/* A column of a policy's /summary statistics. */
enum stat_field { F_MEAN, F_CI, F_P50, F_P50_CI, F_P95, F_P95_CI, F_P99, F_P99_CI };

static const struct stat_column {
    struct rec_column col;
    enum split_metric metric;
    enum stat_field field;
} stat_columns[] = {
    {{"quality_mean", REC_FLOAT64, "1", "mean perplexity ratio (pooled, as /summary)"},
     SM_QUALITY,
     F_MEAN},
    {{"quality_ci95", REC_FLOAT64, "1", "its 95 % half-width"}, SM_QUALITY, F_CI},
    {{"ttft_mean_s", REC_FLOAT64, "s", "mean time to first token"}, SM_TTFT, F_MEAN},
    {{"ttft_ci95_s", REC_FLOAT64, "s", "its 95 % half-width"}, SM_TTFT, F_CI},
    {{"ttft_p50_s", REC_FLOAT64, "s", "median TTFT"}, SM_TTFT, F_P50},
    {{"ttft_p50_ci95_s", REC_FLOAT64, "s", "its 95 % half-width (over replications)"},
     SM_TTFT,
     F_P50_CI},
    {{"ttft_p95_s", REC_FLOAT64, "s", "95th percentile TTFT"}, SM_TTFT, F_P95},
    {{"ttft_p95_ci95_s", REC_FLOAT64, "s", "its 95 % half-width (over replications)"},
     SM_TTFT,
     F_P95_CI},
    {{"ttft_p99_s", REC_FLOAT64, "s", "99th percentile TTFT"}, SM_TTFT, F_P99},
    {{"ttft_p99_ci95_s", REC_FLOAT64, "s", "its 95 % half-width (over replications)"},
     SM_TTFT,
     F_P99_CI},
    {{"tpot_mean_s", REC_FLOAT64, "s", "mean time per output token"}, SM_TPOT, F_MEAN},
    {{"tpot_ci95_s", REC_FLOAT64, "s", "its 95 % half-width"}, SM_TPOT, F_CI},
    {{"tpot_p95_s", REC_FLOAT64, "s", "95th percentile TPOT"}, SM_TPOT, F_P95},
    {{"tpot_p95_ci95_s", REC_FLOAT64, "s", "its 95 % half-width (over replications)"},
     SM_TPOT,
     F_P95_CI},
    {{"latency_mean_s", REC_FLOAT64, "s", "mean end-to-end latency"}, SM_LATENCY, F_MEAN},
    {{"latency_ci95_s", REC_FLOAT64, "s", "its 95 % half-width"}, SM_LATENCY, F_CI},
    {{"latency_p95_s", REC_FLOAT64, "s", "95th percentile latency"}, SM_LATENCY, F_P95},
    {{"latency_p95_ci95_s", REC_FLOAT64, "s", "its 95 % half-width (over replications)"},
     SM_LATENCY,
     F_P95_CI},
    {{"latency_p99_s", REC_FLOAT64, "s", "99th percentile latency"}, SM_LATENCY, F_P99},
    {{"latency_p99_ci95_s", REC_FLOAT64, "s", "its 95 % half-width (over replications)"},
     SM_LATENCY,
     F_P99_CI},
    {{"energy_mean_j", REC_FLOAT64, "J", "mean UE energy per request"}, SM_ENERGY, F_MEAN},
    {{"energy_ci95_j", REC_FLOAT64, "J", "its 95 % half-width"}, SM_ENERGY, F_CI},
    {{"energy_p95_j", REC_FLOAT64, "J", "95th percentile UE energy per request"}, SM_ENERGY, F_P95},
    {{"energy_p95_ci95_j", REC_FLOAT64, "J", "its 95 % half-width (over replications)"},
     SM_ENERGY,
     F_P95_CI},
};
#define NSTAT (sizeof stat_columns / sizeof stat_columns[0])

static double stat_field(const struct split_stat *s, enum stat_field f)
{
    const double v[] = {
        [F_MEAN] = s->mean, [F_CI] = s->ci95,         [F_P50] = s->p50, [F_P50_CI] = s->p50_ci95,
        [F_P95] = s->p95,   [F_P95_CI] = s->p95_ci95, [F_P99] = s->p99, [F_P99_CI] = s->p99_ci95};
    return v[f];
}

enum {
    C_POLICY,
    C_RANK,
    C_TIE,
    C_REWARD,
    C_REWARD_CI,
    C_DIFF,
    C_DIFF_CI,
    C_REGRET,
    C_REGRET_CI,
    C_AT_CEILING,
    C_RANK_BELOW,
    C_SPLIT_MIN,
    C_SPLIT_MAX,
    C_DECISIONS,
    C_EVALUATIONS,
    C_EVALUATION_COST,
    C_FIXED_
};

static const struct rec_column fixed_columns[C_FIXED_] = {
    [C_POLICY] = {"policy", REC_INT64, "1",
                  "index into the `policies` attribute (comma-separated names)"},
    [C_RANK] = {"rank", REC_INT64, "1", "1 = the largest reward_mean"},
    [C_TIE] = {"tie", REC_INT64, "1",
               "1: the paired 95 % interval of diff_best contains 0 (the best: another policy "
               "ties with it); 0: not; -1: no interval (one compared replication)"},
    [C_REWARD] = {"reward_mean", REC_FLOAT64, "1",
                  "mean over the compared replications of each one's mean realised reward "
                  "(the ranking's basis)"},
    [C_REWARD_CI] = {"reward_ci95", REC_FLOAT64, "1",
                     "95 % half-width (t over those replication means; one replication: 20 "
                     "batch means)"},
    [C_DIFF] = {"diff_best", REC_FLOAT64, "1",
                "this policy's reward_mean minus the best one's (<= 0)"},
    [C_DIFF_CI] = {"diff_best_ci95", REC_FLOAT64, "1",
                   "95 % half-width of the paired per-replication differences"},
    [C_REGRET] = {"regret", REC_FLOAT64, "1", "exhaustive's reward_mean minus this one's"},
    [C_REGRET_CI] = {"regret_ci95", REC_FLOAT64, "1", "95 % half-width of the regret (paired)"},
    [C_AT_CEILING] = {"at_quality_ceiling", REC_INT64, "1",
                      "measured requests whose perplexity ratio is at the quality ceiling"},
    [C_RANK_BELOW] = {"rank_below_ceiling", REC_INT64, "1",
                      "the rank from the measured requests below the quality ceiling alone"},
    [C_SPLIT_MIN] = {"split_min", REC_INT64, "1", "the least k chosen (-1: no request)"},
    [C_SPLIT_MAX] = {"split_max", REC_INT64, "1", "the greatest k chosen (-1: no request)"},
    [C_DECISIONS] = {"decisions", REC_INT64, "1", "decisions, all replications"},
    [C_EVALUATIONS] = {"evaluations", REC_INT64, "1",
                       "true evaluations paid for, all replications"},
    [C_EVALUATION_COST] = {"evaluation_cost_s", REC_FLOAT64, "s",
                           "evaluations x policy.evaluation_cost"},
};

static void set_row(struct rec_table *t, const struct compete_entry *x, size_t i)
{
    bool chose = x->split_lo <= x->split_hi;
    rec_set_int64(t, C_POLICY, (int64_t)i);
    rec_set_int64(t, C_RANK, x->rank);
    rec_set_int64(t, C_TIE, x->tie);
    rec_set_double(t, C_REWARD, x->reward_mean);
    rec_set_double(t, C_REWARD_CI, x->reward_ci95);
    rec_set_double(t, C_DIFF, x->diff_best);
    rec_set_double(t, C_DIFF_CI, x->diff_best_ci95);
    rec_set_double(t, C_REGRET, x->regret);
    rec_set_double(t, C_REGRET_CI, x->regret_ci95);
    rec_set_int64(t, C_AT_CEILING, (int64_t)x->at_ceiling);
    rec_set_int64(t, C_RANK_BELOW, x->rank_below_ceiling);
    rec_set_int64(t, C_SPLIT_MIN, chose ? (int64_t)x->split_lo : -1);
    rec_set_int64(t, C_SPLIT_MAX, chose ? (int64_t)x->split_hi : -1);
    rec_set_int64(t, C_DECISIONS, (int64_t)x->decisions);
    rec_set_int64(t, C_EVALUATIONS, (int64_t)x->evaluations);
    rec_set_double(t, C_EVALUATION_COST, (double)x->evaluations * x->evaluation_cost_s);
    for (size_t c = 0; c < NSTAT; c++)
        rec_set_double(t, C_FIXED_ + c,
                       stat_field(&x->stats[stat_columns[c].metric], stat_columns[c].field));
}

static int record_attributes(struct rec *r, const struct compete_entry *e, size_t n,
                             const struct compete_outcome *o)
{
    size_t len = 1;
    for (size_t i = 0; i < n; i++)
        len += strlen(e[i].name) + 1;
    char *names = calloc(1, len);
    if (!names)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        if (i)
            strcat(names, ",");
        strcat(names, e[i].name);
    }
    rec_attr_string(r, "/competition", "policies", names);
    free(names);
    rec_attr_int64(r, "/competition", "replications_compared", (int64_t)o->compared);
    rec_attr_double(r, "/competition", "quality_ceiling", o->quality_ceiling);
    rec_attr_int64(r, "/competition", "ceiling_decides", o->ceiling_decides);
    rec_attr_int64(r, "/competition", "same_split", o->same_split ? (int64_t)o->split : -1);
    return 0;
}

int compete_record(struct rec *r, const struct compete_entry *e, size_t n,
                   const struct compete_outcome *o)
{
    struct rec_column cols[C_FIXED_ + NSTAT];
    memcpy(cols, fixed_columns, sizeof fixed_columns);
    for (size_t c = 0; c < NSTAT; c++)
        cols[C_FIXED_ + c] = stat_columns[c].col;
    struct rec_table *t = NULL;
    int rc = rec_table_create(r, "/competition", cols, C_FIXED_ + NSTAT, &t);
    if (rc < 0 || (rc = record_attributes(r, e, n, o)) < 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        set_row(t, &e[i], i);
        if ((rc = rec_row_commit(t)) < 0)
            return rc;
    }
    return rec_error(r);
}
