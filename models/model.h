/*
 * model — the interface every simulation model offers the run library, and their registry.
 *
 * Concept: a model (the scenario's `model:` key) is a `struct model_type`: a name, a one-line
 * doc, and the hooks a run needs. The run library (run/run.h) owns everything around them — the
 * simulation core, the replication and competition loops, the results file's root, progress,
 * checkpoints, interruption — and calls the hooks in this order:
 *
 *   files                                       the files the scenario makes it read and write
 *   advise                                      notes and warnings before anything runs
 *   setup                                       load what every replication shares; check that
 *                                               every policy can start (nothing created yet)
 *   describe                                    (`splitsim check`) one or two lines about it
 *   record_header                               root attributes of the results file
 *   for each policy p (one, unnamed, for a model without policies):
 *       policy_begin(p, group)                  create the policy's tables under `group`
 *       for each replication r:
 *           replication_start(p, sim, r)        place the world's first events in `sim`
 *           (the run library runs sim to its end)
 *           replication_error                   the model's own failure, if any
 *           replication_end(p)                  per-replication rows and the policy's finish
 *           replication_release(p)
 *   summary                                     /summary (and /competition) from what
 *                                               the replications accumulated
 *   print                                       the terminal summary
 *   release
 *
 * Every policy of a competition sees the same replications, hence the same arrivals, channels
 * and positions (every random stream is keyed by seed, replication and entity, never by policy).
 *
 * Invariants: hooks report problems through their `why` (a static or state-owned message) or a
 * struct diag, never by printing; between replication_start and replication_release exactly
 * one replication is live; a model needs no global state (all of it hangs off `state`).
 *
 * The scenario language learns the models from this registry (through models/catalog.c): the
 * choices of `model:`, and which keys each model reads. A key that the chosen model does not read
 * is refused at its file:line:col, and the resolved scenario (whose hash every results file
 * carries) shows only the keys the model reads.
 *
 * Adding a model: one file defining its `const struct model_type` (its `reads`, and `ignores`
 * where a section is read all but a few keys), and one line in model_types[] (models/model.c).
 */
#ifndef SPLITSIM_MODELS_MODEL_H
#define SPLITSIM_MODELS_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "results/rec.h"
#include "scn/scn.h"
#include "sim/diag.h"
#include "sim/sim.h"

/* A file a scenario names: its key (e.g. "edge.cost_table") and path. `rewritable`: the file
 * the model writes may be this one (it is read whole before the run and replaced at its end, as
 * when learned weights are trained further). */
struct model_file {
    const char *key, *path;
    bool rewritable;
};

#define MODEL_MAX_FILES 16

/* What a model's setup tells the run library about the run ahead. */
struct model_plan {
    size_t npolicies;          /* >= 1 */
    const char *const *policy; /* [npolicies] names; NULL: one unnamed run (no policies) */
    bool competition;          /* each policy records under /policies/NAME */
};

struct model_type {
    const char *name; /* the value of the scenario's `model:` */
    const char *doc;  /* one line */
    /* The scenario keys the model reads, NULL-terminated: a key's dotted path ("edge.service"),
     * or a section ending in '.' ("run.") that stands for every key under it. */
    const char *const *reads;
    /* Keys under a section of `reads` that the model does not read; NULL-terminated, or NULL. */
    const char *const *ignores;

    /* The files `s` makes the model read that exist (in[], at most MODEL_MAX_FILES; returns how
     * many) and the one it writes besides the results file (*out; NULL or "" when none). */
    size_t (*files)(const struct scn *s, struct model_file *in, struct model_file *out);
    /* Notes and warnings about `s` before a run (e.g. an unstable offered load); may be NULL. */
    void (*advise)(const struct scn *s, struct diag *d);
    /* Loads what the replications share and checks that every policy can start; 0, or -EINVAL
     * (bad input) / -ENOMEM with messages in d. *state is released by `release`. */
    int (*setup)(void **state, const struct scn *s, struct model_plan *plan, struct diag *d);
    /* `splitsim check`: lines (each "# ...\n") describing the model's reading of `s`. */
    void (*describe)(const void *state, const struct scn *s, FILE *out);
    /* Root attributes of the results file beyond the run library's own. */
    void (*record_header)(void *state, struct rec *rec);
    /* Creates policy p's tables under `group` ("" or "/policies/NAME"). 0 or the rec's error. */
    int (*policy_begin)(void *state, size_t p, struct rec *rec, const char *group);
    /* Places replication `replication`'s first events in `sim`. 0, or a negative errno (with a
     * message in *why when the policy refused). */
    int (*replication_start)(void *state, size_t p, struct sim *sim, uint32_t replication,
                             const char **why);
    /* The live replication's own failure (0: none): -ENOMEM, -EIO (the results file), -ERANGE
     * (a time too long to represent). */
    int (*replication_error)(const void *state);
    /* After the simulation emptied its event queue: the replication's rows and the policy's
     * finish (e.g. saving learned weights). 0, or a negative errno (message in *why or none). */
    int (*replication_end)(void *state, size_t p, const char **why);
    void (*replication_release)(void *state);
    /* /summary (and /competition): 0 or a negative errno. */
    int (*summary)(void *state, struct rec *rec);
    /* The terminal summary of a finished run. */
    void (*print)(const void *state, FILE *out, const char *file, uint64_t events, double wall);
    void (*release)(void *state);
};

/* Every model, NULL-terminated. */
extern const struct model_type *const model_types[];

/* The model named `name`, or NULL. */
const struct model_type *model_type_find(const char *name);

/* Whether model t reads the scenario key at dotted path `path` (per its `reads` and `ignores`). */
bool model_type_reads(const struct model_type *t, const char *path);

#endif
