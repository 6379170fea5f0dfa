/*
 * summarize — results as one tidy table, a row per (point, policy, metric), for pandas, R and
 * spreadsheets: `splitsim summarize FILE|DIR [--csv|--json] [--per-point]`.
 *
 * Concept: every row carries who it is — the sweep point or combination, how many replications
 * and which — then every swept value as its own column, in the unit it reads best in
 * (scn/units.h unit_display: `cell_bandwidth_MHz` = 5, not 5e6 Hz; a choice or string as its
 * name, `channel_fading` = rayleigh; a boolean as true/false), then the policy by name, the
 * metric and its unit, and n, mean, ci95, p50, p95, p99, p50_ci95, p95_ci95, p99_ci95 (results/
 * tidy.h writes them; a value the files lack is an empty field in CSV, null in JSON).
 *
 * Inputs:
 *   - a results file (results/rstats.h): a row per policy and metric of its /summary;
 *   - a campaign folder (DIR/campaign.h5, or DIR/campaign.incomplete.h5 when the last index
 *     written was incomplete) or its index (run/cindex.h reads and checks it): by default a row
 *     per combination of swept values, policy and metric, from the index's /combinations (the
 *     mean over the combination's replications and the 95 % interval across them: what a paper
 *     plots), n being the measured requests of its point files summed; with per_point, a row
 *     per sweep point, policy and metric from each point file (one replication each: all of
 *     its metrics, its own batch-means interval of the mean).
 *
 * Statuses: RUN_OK; RUN_BAD_INPUT (nothing written) when the input is missing, not a regular
 * file or folder, not HDF5, not a splitsim results file or index, of another format version,
 * incomplete (an interrupted file, a run's NAME.HOST.PID.part folder), or damaged; RUN_FAILURE
 * when a campaign lacks points (interrupted, failed, not run: each reported with its index as a
 * warning, the others summarized) or a point file cannot be read (its values left empty), or
 * when the output cannot be written.
 *
 * Invariants: nothing is written but `out`; inputs are read through results/rread (bounded,
 * never leaving the file); rows follow the index's order (combination or point, then policy),
 * then the metric's; every number written is one read from a file, unchanged except the swept
 * values' change of unit.
 */
#ifndef SPLITSIM_RUN_SUMMARIZE_H
#define SPLITSIM_RUN_SUMMARIZE_H

#include <stdbool.h>
#include <stdio.h>

#include "results/tidy.h"
#include "sim/diag.h"

struct summarize_options {
    enum tidy_format format; /* TIDY_CSV (the default) or TIDY_JSON */
    bool per_point;          /* a campaign: a row per sweep point instead of per combination */
};

/* Summarizes the results file, campaign folder or campaign index at `path` onto `out`; messages
 * (errors, the points missing) in d. RUN_OK, RUN_FAILURE or RUN_BAD_INPUT (run/run.h). */
int summarize_path(const char *path, const struct summarize_options *o, FILE *out, struct diag *d);

#endif
