/*
 * cost — per-layer cost tables of one model on one device: the file format, its loader with
 * validation, interpolation and the cumulative queries a split policy asks.
 *
 * Concept: a cost table (YAML text, documented in docs/TABLES.md) lists the model's layers in
 * order as groups of identical layers (the embedding, `count` identical decoder blocks, the final
 * norm with the LM head). For each group: parameter bytes, KV-cache bytes per token, the bytes of
 * the hidden state per token that cross the link when the model is cut after it, prefill time at
 * each token count of the table's grid, and decode-step time at each (context length, batch size)
 * of its grid. Units are fixed (milliseconds, bytes) and stated in the file; so is provenance
 * (method: derived or measured, tool, date, sources).
 *
 * Layers are numbered 0 .. n-1 across groups (Llama-2-7B: 0 embedding, 1..32 blocks, 33 head).
 * Between grid points times are interpolated linearly in log(time) against log(tokens)
 * (bilinear in log context and log batch for decode): costs grow as powers of the size, so this
 * is exact for power laws and close elsewhere. Outside the grid the last segment is extended and
 * the caller is told (`*extrapolated`), so it can warn.
 *
 * Invariants of a loaded table: grids strictly increasing and positive; every time positive and
 * at most COST_MAX_MS (one day for one layer); at most COST_MAX_LAYERS layers in all; prefill
 * never cheaper with more tokens; decode never cheaper with a longer context or a larger batch;
 * byte counts >= 0; queries over a layer range cost O(number of groups).
 *
 * Why the bounds: a time is simulated in integer nanoseconds, and a value that cannot be
 * represented must be refused, never clamped (a table scaled by 1e18 once gave 1 ns per step).
 * With them, any layer-range time inside the grids is at most COST_MAX_LAYERS x COST_MAX_MS
 * (8.64e11 ms, 27 years), far below COST_TIME_NS_MAX; only extrapolation far beyond the grids can
 * exceed that, and a run that meets such a time stops with -ERANGE instead of simulating it.
 */
#ifndef SPLITSIM_MODELS_COST_H
#define SPLITSIM_MODELS_COST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/diag.h"

#define COST_FORMAT         "splitsim-cost-table"
#define COST_FORMAT_VERSION 1

#define COST_MAX_MS      8.64e7 /* one day: the longest time of one layer in a table */
#define COST_MAX_LAYERS  10000u /* layers of a table, all groups together */
#define COST_TIME_NS_MAX 4e18   /* the longest time a run takes from a table (about 127 years) */

struct cost_group {
    char *name;
    uint32_t count;
    uint32_t first;                /* number of the group's first layer */
    double param_bytes;            /* per layer */
    double kv_bytes_per_token;     /* per layer */
    double hidden_bytes_per_token; /* crossing the link when cut after a layer of this group */
    double *prefill_ms;            /* [nprefill] */
    double *decode_ms;             /* [ncontext * nbatch], row = context */
};

struct cost_table {
    char *model, *device, *method, *tool, *created, *source;
    double power_w; /* device power used for energy estimates */
    double *prefill_tokens, *decode_context, *decode_batch;
    size_t nprefill, ncontext, nbatch;
    struct cost_group *groups;
    size_t ngroups;
    uint32_t nlayers;
};

/* Parses a table from text named `name` (for messages). 0 or -EINVAL with every problem in d
 * (file:line:col); on failure *t is released. */
int cost_parse(struct cost_table *t, const char *name, const char *text, size_t len,
               struct diag *d);

/* Reads and parses a table file. */
int cost_load(struct cost_table *t, const char *path, struct diag *d);

void cost_release(struct cost_table *t);

/*
 * Checks the bounds cost_parse enforces on a file's times for a table made otherwise (derived
 * from a device and an architecture). 0, or -ERANGE with the first time out of bounds described
 * in `what` ("block, prefill of 4096 tokens: 1.2e+09 ms").
 */
int cost_check_times(const struct cost_table *t, char *what, size_t size);

/* Writes t in the file format (what cost_parse reads back to an identical table). */
void cost_write(const struct cost_table *t, FILE *out);

/* The group holding layer `layer` (< nlayers). */
const struct cost_group *cost_group_of(const struct cost_table *t, uint32_t layer);

/* Prefill time of one layer of group g for `tokens` tokens. */
double cost_group_prefill_ms(const struct cost_table *t, const struct cost_group *g, double tokens,
                             bool *extrapolated);

/* Decode-step time of one layer of group g at `context` cached tokens and `batch` requests. */
double cost_group_decode_ms(const struct cost_table *t, const struct cost_group *g, double context,
                            double batch, bool *extrapolated);

/* Sums over layers [from, to): prefill time, decode time, parameter bytes, KV bytes per token. */
double cost_range_prefill_ms(const struct cost_table *t, uint32_t from, uint32_t to, double tokens,
                             bool *extrapolated);
double cost_range_decode_ms(const struct cost_table *t, uint32_t from, uint32_t to, double context,
                            double batch, bool *extrapolated);
double cost_range_param_bytes(const struct cost_table *t, uint32_t from, uint32_t to);
double cost_range_kv_bytes_per_token(const struct cost_table *t, uint32_t from, uint32_t to);

#endif
