/* The split model's statistics: every measured request's metric values, their exact
 * percentiles and confidence intervals, and /summary. */
#include "models/split/split_internal.h"
#include "sim/batchmeans.h"

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

double split_percentile_sorted(const double *sorted, size_t n, double p)
{
    if (n == 0)
        return NAN;
    double h = (double)(n - 1) * p; /* the definition in split.h, operation for operation */
    size_t lo = (size_t)h;          /* floor: h >= 0 */
    if (lo >= n - 1)
        return sorted[n - 1];
    return sorted[lo] + (h - (double)lo) * (sorted[lo + 1] - sorted[lo]);
}

/* Values [a, b) of metric k that replication g holds (every value with one replication). */
static void rep_range(const struct split_results *res, enum split_metric k, size_t g, size_t *a,
                      size_t *b)
{
    *a = res->reps[g].start[k];
    *b = g + 1 < res->nreps ? res->reps[g + 1].start[k] : res->metric[k].n;
}

/* The percentiles' intervals: Student t over each replication's own percentiles. `sorted` has
 * room for every value. */
static void percentile_intervals(const struct split_results *res, enum split_metric k,
                                 double *sorted, double *per_rep, struct split_stat *out)
{
    const double fraction[3] = {0.50, 0.95, 0.99};
    double *ci[3] = {&out->p50_ci95, &out->p95_ci95, &out->p99_ci95};
    size_t nrep = res->nreps;
    for (int q = 0; q < 3; q++) {
        size_t m = 0;
        for (size_t g = 0; nrep >= 2 && g < nrep; g++) {
            size_t a, b;
            rep_range(res, k, g, &a, &b);
            if (b <= a)
                continue;
            if (q == 0) { /* sort each replication's values once, in place in the copy */
                memcpy(sorted + a, res->metric[k].v + a, (b - a) * sizeof *sorted);
                gsl_sort(sorted + a, 1, b - a);
            }
            per_rep[m++] = split_percentile_sorted(sorted + a, b - a, fraction[q]);
        }
        *ci[q] = stats_halfwidth(per_rep, m, 0.95); /* NaN below two */
    }
}

int split_stat_compute(const struct split_results *res, enum split_metric k, struct split_stat *out)
{
    const struct split_values *v = &res->metric[k];
    *out = (struct split_stat){.n = v->n,
                               .mean = NAN,
                               .ci95 = NAN,
                               .p50 = NAN,
                               .p95 = NAN,
                               .p99 = NAN,
                               .p50_ci95 = NAN,
                               .p95_ci95 = NAN,
                               .p99_ci95 = NAN};
    if (v->n == 0)
        return 0;
    out->mean = gsl_stats_mean(v->v, 1, v->n);
    double *sorted = malloc(v->n * sizeof *sorted);
    double *means = calloc(res->nreps ? res->nreps : 1, sizeof *means);
    if (!means || !sorted) {
        free(means);
        free(sorted);
        return -ENOMEM;
    }
    if (res->nreps >= 2) { /* interval: Student t over the replications' means */
        size_t ng = 0;
        for (size_t g = 0; g < res->nreps; g++) {
            size_t a, b;
            rep_range(res, k, g, &a, &b);
            if (b > a)
                means[ng++] = gsl_stats_mean(v->v + a, 1, b - a);
        }
        out->ci95 = stats_halfwidth(means, ng, 0.95);
        percentile_intervals(res, k, sorted, means, out);
    } else { /* one replication: batch means of its requests in the order they finished */
        struct bm_result bm;
        bm_analyse(v->v, v->n, 0.95, &bm);
        out->ci95 = isfinite(bm.halfwidth) ? bm.halfwidth : (double)NAN;
        out->ci95_short = bm.short_run;
    }
    memcpy(sorted, v->v, v->n * sizeof *sorted);
    gsl_sort(sorted, 1, v->n);
    out->p50 = split_percentile_sorted(sorted, v->n, 0.50);
    out->p95 = split_percentile_sorted(sorted, v->n, 0.95);
    out->p99 = split_percentile_sorted(sorted, v->n, 0.99);
    free(means);
    free(sorted);
    return 0;
}

uint64_t split_at_ceiling(const struct split_results *res, size_t rep, double ceiling)
{
    const struct split_values *q = &res->metric[SM_QUALITY];
    size_t a = 0, b = q->n;
    if (rep != SIZE_MAX)
        rep_range(res, SM_QUALITY, rep, &a, &b);
    uint64_t n = 0;
    for (size_t i = a; i < b; i++)
        n += q->v[i] >= ceiling;
    return n;
}

void split_chosen_range(const struct split_results *res, uint32_t *lo, uint32_t *hi)
{
    *lo = UINT32_MAX;
    *hi = 0;
    for (size_t i = 0; i < res->nreps; i++) {
        if (res->reps[i].split_lo < *lo)
            *lo = res->reps[i].split_lo;
        if (res->reps[i].split_hi > *hi)
            *hi = res->reps[i].split_hi;
    }
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
    uint32_t lo, hi;
    split_chosen_range(res, &lo, &hi);
    rec_scalar_int64(r, g, "split_min", "1",
                     "the least k the policy chose (every request; -1: no request)",
                     lo > hi ? -1 : (int64_t)lo);
    rec_scalar_int64(r, g, "split_max", "1",
                     "the greatest k the policy chose (every request; -1: no request)",
                     lo > hi ? -1 : (int64_t)hi);
    rec_scalar_int64(r, g, "at_quality_ceiling", "1",
                     "measured requests whose perplexity ratio is at the quality model's ceiling "
                     "(attribute quality_ceiling)",
                     (int64_t)split_at_ceiling(res, SIZE_MAX, in->quality_ceiling));
    rec_scalar_double(r, g, "warmup_s", "s",
                      "run.warmup: requests arriving earlier are not measured", in->par.warmup_s);
    rec_scalar_int64(r, g, "blocks", "1", "L: decoder blocks of the model", in->blocks);
    rec_scalar_int64(r, g, "ues", "1", "number of UEs", (int64_t)in->par.nues);
    rec_attr_string(r, g, "quality_source", in->quality_source);
    rec_attr_string(r, g, "ue_cost_table",
                    *in->par.ue_cost_table ? in->par.ue_cost_table : in->ue_table.source);
    rec_attr_string(r, g, "edge_cost_table",
                    *in->par.edge_cost_table ? in->par.edge_cost_table : in->edge_table.source);
    rec_attr_double(r, g, "quality_ceiling", in->quality_ceiling);
    bool any_short = false;
    for (int k = 0; k < SM_COUNT_; k++) {
        if (split_stat_compute(res, (enum split_metric)k, &stats[k]) < 0)
            return -ENOMEM;
        char sub[160];
        snprintf(sub, sizeof sub, "%s/%s", group, split_metric_info[k].name);
        const char *u = split_metric_info[k].units;
        const struct split_stat *st = &stats[k];
        rec_scalar_int64(r, sub, "n", "1", "measured requests with a value", (int64_t)st->n);
        rec_scalar_double(r, sub, "mean", u, split_metric_info[k].description, st->mean);
        rec_scalar_double(
            r, sub, "ci95", u,
            "95 % confidence half-width of the mean (Student t over replication means, "
            "or with one replication batch means of its requests in the order they "
            "finished, batches chosen from the data: sim/batchmeans.h)",
            st->ci95);
        rec_scalar_int64(r, sub, "ci95_short", "1",
                         "1: one replication too short for a valid batch-means ci95 (its "
                         "batch means stayed correlated); always 0 over replications",
                         st->ci95_short);
        any_short |= st->ci95_short;
        rec_scalar_double(r, sub, "p50", u, "median (percentile: docs/RESULTS.md)", st->p50);
        rec_scalar_double(r, sub, "p95", u, "95th percentile", st->p95);
        rec_scalar_double(r, sub, "p99", u, "99th percentile", st->p99);
        static const char *const half =
            "95 % half-width: Student t over the replications' own percentiles (NaN below two "
            "replications)";
        rec_scalar_double(r, sub, "p50_ci95", u, half, st->p50_ci95);
        rec_scalar_double(r, sub, "p95_ci95", u, half, st->p95_ci95);
        rec_scalar_double(r, sub, "p99_ci95", u, half, st->p99_ci95);
    }
    rec_scalar_int64(r, g, "ci95_short", "1",
                     "1: some metric's ci95_short is 1 (one replication too short for a valid "
                     "batch-means interval); 0: every ci95 is valid",
                     any_short);
    return rec_error(r);
}
