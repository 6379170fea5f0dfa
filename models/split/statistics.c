/* The split model's statistics: every measured request's metric values, their exact
 * percentiles and confidence intervals, and /summary. */
#include "models/split/split_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

const struct rec_column split_metric_info[SM_COUNT_] = {
    [SM_TTFT] = {"ttft_s", REC_FLOAT64, "s", "time to first token"},
    [SM_TPOT] = {"tpot_s", REC_FLOAT64, "s", "time per output token (requests with M > 1)"},
    [SM_LATENCY] = {"latency_s", REC_FLOAT64, "s", "end-to-end latency"},
    [SM_EDGE_WAIT] = {"edge_wait_s", REC_FLOAT64, "s", "edge queue wait per request"},
    [SM_EDGE_COMPUTE] = {"edge_compute_s", REC_FLOAT64, "s", "edge iteration time per request"},
    [SM_UE_COMPUTE] = {"ue_compute_s", REC_FLOAT64, "s", "UE processor time per request"},
    [SM_ENERGY_COMPUTE] = {"energy_compute_j", REC_FLOAT64, "J", "UE compute energy"},
    [SM_ENERGY_RADIO] = {"energy_radio_j", REC_FLOAT64, "J", "UE radio energy"},
    [SM_ENERGY] = {"energy_j", REC_FLOAT64, "J", "UE energy, compute + radio"},
    [SM_BYTES_UP] = {"bytes_up", REC_FLOAT64, "B", "uplink payload"},
    [SM_AIRTIME_UP] = {"airtime_up_s", REC_FLOAT64, "s", "uplink airtime"},
    [SM_RETRANSMISSIONS] = {"retransmissions", REC_FLOAT64, "1", "packets resent"},
    [SM_ERASURE] = {"erasure", REC_FLOAT64, "1", "erased fraction of the hidden state"},
    [SM_QUALITY] = {"quality", REC_FLOAT64, "1", "perplexity ratio PPL / PPL_0"},
    [SM_DEADLINE_MET] = {"deadline_met", REC_FLOAT64, "1",
                         "fraction of requests meeting workload.deadline (with a deadline)"},
    [SM_REWARD] = {"reward", REC_FLOAT64, "1", "realised reward with the scenario's weights"},
};

int split_values_push(struct split_values *v, double x)
{
    if (v->n == v->cap) {
        size_t nc = v->cap ? 2 * v->cap : 1024;
        double *nv = realloc(v->v, nc * sizeof *nv);
        if (!nv)
            return -ENOMEM;
        v->v = nv;
        v->cap = nc;
    }
    v->v[v->n++] = x;
    return 0;
}

void split_results_release(struct split_results *r)
{
    for (int k = 0; k < SM_COUNT_; k++)
        free(r->metric[k].v);
    free(r->reps);
    memset(r, 0, sizeof *r);
}

int split_stat_compute(const struct split_results *res, enum split_metric k, struct split_stat *out)
{
    const struct split_values *v = &res->metric[k];
    *out = (struct split_stat){
        .n = v->n, .mean = NAN, .ci95 = NAN, .p50 = NAN, .p95 = NAN, .p99 = NAN};
    if (v->n == 0)
        return 0;
    out->mean = gsl_stats_mean(v->v, 1, v->n);
    /* interval: replication means, or 20 batch means of the one replication */
    size_t groups = res->nreps >= 2 ? res->nreps : 20;
    double *means = calloc(groups, sizeof *means);
    double *sorted = malloc(v->n * sizeof *sorted);
    if (!means || !sorted) {
        free(means);
        free(sorted);
        return -ENOMEM;
    }
    size_t ng = 0;
    for (size_t g = 0; g < groups; g++) {
        size_t a, b;
        if (res->nreps >= 2) {
            a = res->reps[g].start[k];
            b = g + 1 < res->nreps ? res->reps[g + 1].start[k] : v->n;
        } else {
            a = v->n * g / groups;
            b = v->n * (g + 1) / groups;
        }
        if (b > a)
            means[ng++] = gsl_stats_mean(v->v + a, 1, b - a);
    }
    out->ci95 = stats_halfwidth(means, ng, 0.95);
    memcpy(sorted, v->v, v->n * sizeof *sorted);
    gsl_sort(sorted, 1, v->n);
    out->p50 = gsl_stats_quantile_from_sorted_data(sorted, 1, v->n, 0.50);
    out->p95 = gsl_stats_quantile_from_sorted_data(sorted, 1, v->n, 0.95);
    out->p99 = gsl_stats_quantile_from_sorted_data(sorted, 1, v->n, 0.99);
    free(means);
    free(sorted);
    return 0;
}

int split_record_summary(struct rec *r, const char *group, const struct split_inputs *in,
                         const struct split_results *res, struct split_stat *stats)
{
    uint64_t decisions = 0, evaluations = 0;
    for (size_t i = 0; i < res->nreps; i++) {
        decisions += res->reps[i].decisions;
        evaluations += res->reps[i].evaluations;
    }
    uint64_t arrived = 0, finished = 0, refused = 0, failed = 0, measured = 0;
    for (size_t i = 0; i < res->nreps; i++) {
        arrived += res->reps[i].arrived;
        finished += res->reps[i].finished;
        refused += res->reps[i].refused;
        failed += res->reps[i].failed;
        measured += res->reps[i].measured;
    }
    const char *g = group;
    rec_scalar_int64(r, g, "decisions", "1", "split decisions, all replications",
                     (int64_t)decisions);
    rec_scalar_int64(r, g, "evaluations", "1", "true evaluations the policy paid for",
                     (int64_t)evaluations);
    rec_scalar_double(r, g, "evaluation_cost_s", "s", "evaluations x policy.evaluation_cost",
                      (double)evaluations * in->par.evaluation_cost_s);
    rec_scalar_int64(r, g, "replications", "1", "replications run", (int64_t)res->nreps);
    rec_scalar_int64(r, g, "requests", "1", "requests that arrived, all replications",
                     (int64_t)arrived);
    rec_scalar_int64(r, g, "finished", "1", "requests finished", (int64_t)finished);
    rec_scalar_int64(r, g, "refused", "1", "requests refused (KV cache larger than the budget)",
                     (int64_t)refused);
    rec_scalar_int64(r, g, "failed", "1", "requests ended by a radio-link failure",
                     (int64_t)failed);
    rec_scalar_int64(r, g, "measured", "1", "finished requests that arrived after the warm-up",
                     (int64_t)measured);
    rec_scalar_int64(r, g, "split", "1",
                     "split.layer: the fixed policy's k (the chosen splits are /requests/split)",
                     (int64_t)in->par.fixed_k);
    rec_scalar_int64(r, g, "blocks", "1", "L: decoder blocks of the model", in->blocks);
    rec_scalar_int64(r, g, "ues", "1", "number of UEs", (int64_t)in->par.nues);
    rec_attr_string(r, g, "quality_source", in->quality_source);
    rec_attr_string(r, g, "ue_cost_table",
                    *in->par.ue_cost_table ? in->par.ue_cost_table : in->ue_table.source);
    rec_attr_string(r, g, "edge_cost_table",
                    *in->par.edge_cost_table ? in->par.edge_cost_table : in->edge_table.source);
    for (int k = 0; k < SM_COUNT_; k++) {
        if (split_stat_compute(res, (enum split_metric)k, &stats[k]) < 0)
            return -ENOMEM;
        char sub[160];
        snprintf(sub, sizeof sub, "%s/%s", group, split_metric_info[k].name);
        const char *u = split_metric_info[k].units;
        const struct split_stat *st = &stats[k];
        rec_scalar_int64(r, sub, "n", "1", "measured requests with a value", (int64_t)st->n);
        rec_scalar_double(r, sub, "mean", u, split_metric_info[k].description, st->mean);
        rec_scalar_double(r, sub, "ci95", u,
                          "95 % confidence half-width of the mean (t over replication means, or "
                          "20 batch means of one replication)",
                          st->ci95);
        rec_scalar_double(r, sub, "p50", u, "median", st->p50);
        rec_scalar_double(r, sub, "p95", u, "95th percentile", st->p95);
        rec_scalar_double(r, sub, "p99", u, "99th percentile", st->p99);
    }
    return rec_error(r);
}
