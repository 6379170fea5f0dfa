/*
 * qtable — measured quality tables: a model's perplexity after a cut at split layer k with a
 * fraction e of the hidden state erased, per precision of the values sent.
 *
 * Concept: the file (YAML, docs/TABLES.md) gives the clean reference value, the split grid
 * (blocks before the cut), the erasure grid (fractions in [0, 1]), how erasures were applied
 * (element: each value zeroed independently, as in the paper; packet: contiguous runs, as a
 * lost packet does) and, per precision (fp16, int8, int4), one row of values per split and one
 * column per erasure fraction. Provenance (measured or assumed, tool, date, dataset, runs) is in
 * the file. The simulator asks for the ratio value / reference, interpolated linearly in split
 * and in erasure; outside the grids it clamps and flags the answer as extrapolated.
 *
 * Invariants of a loaded table: grids strictly increasing, erasures within [0, 1], values
 * positive and finite; a row never improves with more erasure (averaging over runs is the
 * profiler's job: a table that violates this is refused with the position of the value).
 */
#ifndef SPLITSIM_MODELS_QTABLE_H
#define SPLITSIM_MODELS_QTABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "models/llm/quality.h"
#include "sim/diag.h"

#define QTABLE_FORMAT         "splitsim-quality-table"
#define QTABLE_FORMAT_VERSION 1

struct qtable {
    char *model, *method, *tool, *created, *source, *dataset, *metric, *erasure_mode;
    double reference;
    unsigned runs;
    double *splits, *erasure;
    size_t nsplits, nerasure;
    double *values[3]; /* per enum quality_precision: [nsplits * nerasure], NULL if absent */
};

/* Parses a quality table from text named `name`. 0 or -EINVAL with every problem in d. */
int qtable_parse(struct qtable *q, const char *name, const char *text, size_t len, struct diag *d);
int qtable_load(struct qtable *q, const char *path, struct diag *d);
void qtable_release(struct qtable *q);

/* value(k, e) / reference at `precision` (fp16 when that precision is absent, flagged as
 * extrapolated). */
double qtable_ratio(const struct qtable *q, double split, double erasure,
                    enum quality_precision precision, bool *extrapolated);

#endif
