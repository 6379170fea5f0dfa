/*
 * rstats — the statistics a complete results file holds, read back whole: per policy, per metric,
 * n, mean, 95 % half-width and percentiles with theirs, in the file's own units.
 *
 * Concept: a complete results file (format RSTATS_FORMAT_VERSION, docs/RESULTS.md) keeps its
 * statistics in `/summary` — for `model: split` one group per metric, under
 * `/policies/NAME/summary` for each competitor of a competition; for `model: queue` named
 * scalars. rstats_read turns either into one list of policies, each with a list of metrics:
 * split metrics in the order of their group names, queue metrics in a fixed order
 * (time_in_system, wait, prob_wait, utilisation, then the theory's values). A metric is named by
 * its group without the unit suffix the file gives it (`ttft_s` in s is `ttft`, `energy_j` in J
 * is `energy`, `bytes_up` stays), the names the campaign index uses (`ttft_mean_s` -> `ttft`).
 *
 * What the file does not hold is NaN, never a number made up: pXX and their intervals of a
 * queue run, an interval over fewer than two replications. The file is checked first: a file
 * that is not a splitsim results file, one of another format version, one that is not complete
 * (interrupted, failed: it has no statistics) or one without the statistics its model writes
 * is refused with a message that names it and says what was found.
 *
 * Invariants: reading goes through results/rread (nothing written, only hard links followed,
 * bounded sizes); on failure nothing is left allocated in the output.
 */
#ifndef SPLITSIM_RESULTS_RSTATS_H
#define SPLITSIM_RESULTS_RSTATS_H

#include <stddef.h>
#include <stdint.h>

#include "results/rread.h"
#include "sim/diag.h"

#define RSTATS_FORMAT_VERSION 3   /* the results format read */
#define RSTATS_MAX_POLICIES   256 /* competitors read from one file */
#define RSTATS_MAX_METRICS    1024

struct rstats_metric {
    char *name; /* "ttft" */
    char *unit; /* "s"; "1" for counts and ratios */
    double n;   /* values behind mean and the percentiles (NaN: the file does not say) */
    double mean, ci95, p50, p95, p99, p50_ci95, p95_ci95, p99_ci95;
};

struct rstats_policy {
    char *name; /* "" for model: queue */
    struct rstats_metric *m;
    size_t nmetrics;
};

struct rstats {
    char *model;         /* "split" or "queue" */
    int64_t sweep_point; /* -1 when the run was no sweep point */
    int64_t replications, first_replication;
    struct rstats_policy *p;
    size_t npolicies;
};

/*
 * Reads the statistics of the results file open as r; `path` names it in messages. 0, or
 * -EINVAL with one error in d (the file refused, as above), or -ENOMEM. Release s in every case.
 */
int rstats_read(struct rread *r, const char *path, struct rstats *s, struct diag *d);
void rstats_release(struct rstats *s);

/* The metric of policy `policy` named `metric`; NULL when there is none. A NULL policy is the
 * file's only policy. */
const struct rstats_metric *rstats_find(const struct rstats *s, const char *policy,
                                        const char *metric);

/* A /summary group's metric name: `group` without "_<unit>" when it ends in its unit (any
 * case): ("ttft_s", "s") -> "ttft", ("energy_j", "J") -> "energy", ("bytes_up", "B") ->
 * "bytes_up". malloc'd; NULL when out of memory. */
char *rstats_metric_name(const char *group, const char *unit);

#endif
