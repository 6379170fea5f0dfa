/*
 * run — the run library: a scenario in, a results file out, for any model.
 *
 * Concept: above the models (models/model.h) and below the command line. It loads a scenario
 * (file, then --set overrides, then its sweep section), checks that every file the run would
 * write is creatable and overwrites no input, asks the scenario's model to set up, and then owns
 * the run: one simulation core per replication, every policy of a competition on the same
 * replications, the results file's root attributes and checkpoints (results/rec.h), progress on
 * a terminal, interruption by a signal, and the model's summary. `splitsim run`, the campaign
 * workers (local processes, MPI ranks, Slurm tasks: run/campaign.h) and the tests call it
 * directly.
 *
 * Statuses (the program's exit statuses): RUN_OK 0; RUN_FAILURE 1, a run-time failure (the
 * results file cannot be written, out of memory, interrupted: what was simulated is kept as an
 * incomplete file); RUN_BAD_INPUT 2, invalid input: nothing was simulated and no file created.
 *
 * Invariants: nothing is created before the scenario, its files and every policy have been
 * checked; a results file carries the name asked for only when complete (results/rec.h); the
 * run library holds no state between calls.
 */
#ifndef SPLITSIM_RUN_RUN_H
#define SPLITSIM_RUN_RUN_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "models/model.h"
#include "scn/scn.h"
#include "scn/sweep.h"
#include "sim/diag.h"
#include "sim/evq.h"

enum run_status {
    RUN_OK = 0,
    RUN_FAILURE = 1,
    RUN_BAD_INPUT = 2,
};

struct run_io {
    FILE *out; /* summaries */
    FILE *err; /* progress (on a terminal only) */
    /* Set by the program's SIGINT/SIGTERM handler (NULL: none): a run stops at the next event,
     * closes its results file marked incomplete, and returns RUN_FAILURE. */
    const volatile sig_atomic_t *interrupt;
};

/* A scenario as loaded: the YAML tree, the bound base scenario and its sweep. */
struct run_scenario {
    struct ytree tree;
    struct scn base;
    struct sweep sweep;
    bool have_base, have_sweep;
};

/* Loads `file` with the overrides sets[0..nsets) ("key.path=value"; their relative file paths
 * resolve against set_dir, NULL: the working directory) and reads its sweep section. RUN_OK,
 * RUN_BAD_INPUT or RUN_FAILURE (out of memory), messages in d. Release with
 * run_scenario_release in every case. */
int run_load(struct run_scenario *l, const char *file, const char *const *sets, size_t nsets,
             const char *set_dir, struct diag *d);
void run_scenario_release(struct run_scenario *l);

/* Writes the scenario key reference (`splitsim check --schema`), with the registry's models. */
void run_document_keys(FILE *out);

/* Writes one line per model of the registry (models/model.h), "  NAME  one-line doc", for
 * `splitsim run --help`: the command line learns the models from here, never by name. */
void run_document_models(FILE *out);

/* The model of a bound scenario. */
const struct model_type *run_model_of(const struct scn *s);

/* What one run is asked to do. */
struct run_options {
    const char *scenario_file;    /* recorded; an input no output may overwrite */
    int64_t sweep_point;          /* recorded; -1: the base scenario */
    const char *output;           /* the results file */
    const struct evq_type *queue; /* NULL: the default event queue */
    bool quiet;                   /* no summary, no progress */
};

/* Simulates every replication of `s` (every policy of its competition) into o->output and
 * prints the model's summary. A RUN_* status; messages in d (the caller prints them). */
int run_simulate(const struct scn *s, const struct run_options *o, const struct run_io *io,
                 struct diag *d);

/* What `splitsim check` adds to validation: the model's setup (tables, quality, trace, every
 * policy) and the output checks, then the model's description lines on io->out. */
int run_check(const struct scn *s, const char *scenario_file, const struct run_io *io,
              struct diag *d);

/* Checks before a run that every output (`results`, NULL for none, and the model's own output)
 * is creatable and is neither an input nor another output. Returns the number of errors. */
size_t run_check_outputs(const struct scn *s, const char *scenario_file, const char *results,
                         struct diag *d);

/* The started/finished stamps: SOURCE_DATE_EPOCH when set (reproducible files), else -1 (the
 * clock). -2 with a message in d when the variable holds anything but a non-negative integer. */
int64_t run_wallclock(struct diag *d);

#endif
