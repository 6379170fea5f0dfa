#include "models/policy/compete.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_statistics_double.h>

#include "sim/stats.h"

double compete_rep_mean(const struct split_results *res, size_t rep, enum split_metric k)
{
    size_t a = res->reps[rep].start[k];
    size_t b = rep + 1 < res->nreps ? res->reps[rep + 1].start[k] : res->metric[k].n;
    return b > a ? gsl_stats_mean(res->metric[k].v + a, 1, b - a) : (double)NAN;
}

void compete_paired(const struct split_results *a, const struct split_results *b, double *mean,
                    double *ci95)
{
    size_t n = a->nreps < b->nreps ? a->nreps : b->nreps, m = 0;
    double *d = calloc(n ? n : 1, sizeof *d);
    *mean = *ci95 = NAN;
    if (!d)
        return;
    for (size_t i = 0; i < n; i++) {
        double x = compete_rep_mean(a, i, SM_REWARD) - compete_rep_mean(b, i, SM_REWARD);
        if (!isnan(x))
            d[m++] = x;
    }
    if (m > 0)
        *mean = gsl_stats_mean(d, 1, m);
    *ci95 = stats_halfwidth(d, m, 0.95); /* NaN below two pairs */
    free(d);
}

/* Whether entry j ranks ahead of entry i: a larger mean reward, or an equal one and an earlier
 * place in the list. A NaN mean (a policy without a measured request) ranks after every number,
 * and NaNs among themselves by place. */
static bool ranks_ahead(const struct compete_entry *e, size_t j, size_t i)
{
    double a = e[j].stats[SM_REWARD].mean, b = e[i].stats[SM_REWARD].mean;
    if (isnan(a) || isnan(b))
        return isnan(b) && (!isnan(a) || j < i);
    return a > b || (a == b && j < i);
}

void compete_rank(struct compete_entry *e, size_t n)
{
    size_t best = 0, exhaustive = n;
    for (size_t i = 0; i < n; i++) {
        e[i].decisions = e[i].evaluations = 0;
        for (size_t r = 0; r < e[i].res->nreps; r++) {
            e[i].decisions += e[i].res->reps[r].decisions;
            e[i].evaluations += e[i].res->reps[r].evaluations;
        }
        if (strcmp(e[i].name, "exhaustive") == 0)
            exhaustive = i;
        if (ranks_ahead(e, i, best))
            best = i;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned rank = 1;
        for (size_t j = 0; j < n; j++)
            rank += ranks_ahead(e, j, i);
        e[i].rank = rank;
        compete_paired(e[best].res, e[i].res, &e[i].diff_best, &e[i].diff_best_ci95);
        if (exhaustive < n)
            compete_paired(e[exhaustive].res, e[i].res, &e[i].regret, &e[i].regret_ci95);
        else
            e[i].regret = e[i].regret_ci95 = NAN;
    }
}

int compete_record(struct rec *r, const struct compete_entry *e, size_t n)
{
    static const struct rec_column cols[] = {
        {"policy", REC_INT64, "1", "index into the `policies` attribute (comma-separated names)"},
        {"rank", REC_INT64, "1", "1 = the largest mean reward"},
        {"reward_mean", REC_FLOAT64, "1", "mean realised reward (measured requests)"},
        {"reward_ci95", REC_FLOAT64, "1", "95 % half-width (t over replication means)"},
        {"diff_best", REC_FLOAT64, "1", "best policy's mean reward minus this one's (paired)"},
        {"diff_best_ci95", REC_FLOAT64, "1", "95 % half-width of the paired difference"},
        {"regret", REC_FLOAT64, "1", "exhaustive's mean reward minus this one's (paired)"},
        {"regret_ci95", REC_FLOAT64, "1", "95 % half-width of the regret"},
        {"quality_mean", REC_FLOAT64, "1", "mean perplexity ratio"},
        {"ttft_mean_s", REC_FLOAT64, "s", "mean time to first token"},
        {"ttft_ci95_s", REC_FLOAT64, "s", "its 95 % half-width"},
        {"ttft_p50_s", REC_FLOAT64, "s", "median TTFT"},
        {"ttft_p95_s", REC_FLOAT64, "s", "95th percentile TTFT"},
        {"ttft_p99_s", REC_FLOAT64, "s", "99th percentile TTFT"},
        {"tpot_mean_s", REC_FLOAT64, "s", "mean time per output token"},
        {"tpot_p95_s", REC_FLOAT64, "s", "95th percentile TPOT"},
        {"latency_mean_s", REC_FLOAT64, "s", "mean end-to-end latency"},
        {"latency_p95_s", REC_FLOAT64, "s", "95th percentile latency"},
        {"energy_mean_j", REC_FLOAT64, "J", "mean UE energy per request"},
        {"decisions", REC_INT64, "1", "decisions, all replications"},
        {"evaluations", REC_INT64, "1", "true evaluations paid for, all replications"},
        {"evaluation_cost_s", REC_FLOAT64, "s", "evaluations x policy.evaluation_cost"},
    };
    struct rec_table *t = NULL;
    int rc = rec_table_create(r, "/competition", cols, sizeof cols / sizeof cols[0], &t);
    if (rc < 0)
        return rc;
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
    for (size_t i = 0; i < n; i++) {
        const struct split_stat *st = e[i].stats;
        size_t c = 0;
        rec_set_int64(t, c++, (int64_t)i);
        rec_set_int64(t, c++, e[i].rank);
        rec_set_double(t, c++, st[SM_REWARD].mean);
        rec_set_double(t, c++, st[SM_REWARD].ci95);
        rec_set_double(t, c++, e[i].diff_best);
        rec_set_double(t, c++, e[i].diff_best_ci95);
        rec_set_double(t, c++, e[i].regret);
        rec_set_double(t, c++, e[i].regret_ci95);
        rec_set_double(t, c++, st[SM_QUALITY].mean);
        rec_set_double(t, c++, st[SM_TTFT].mean);
        rec_set_double(t, c++, st[SM_TTFT].ci95);
        rec_set_double(t, c++, st[SM_TTFT].p50);
        rec_set_double(t, c++, st[SM_TTFT].p95);
        rec_set_double(t, c++, st[SM_TTFT].p99);
        rec_set_double(t, c++, st[SM_TPOT].mean);
        rec_set_double(t, c++, st[SM_TPOT].p95);
        rec_set_double(t, c++, st[SM_LATENCY].mean);
        rec_set_double(t, c++, st[SM_LATENCY].p95);
        rec_set_double(t, c++, st[SM_ENERGY].mean);
        rec_set_int64(t, c++, (int64_t)e[i].decisions);
        rec_set_int64(t, c++, (int64_t)e[i].evaluations);
        rec_set_double(t, c++, (double)e[i].evaluations * e[i].evaluation_cost_s);
        if ((rc = rec_row_commit(t)) < 0)
            return rc;
    }
    return rec_error(r);
}
