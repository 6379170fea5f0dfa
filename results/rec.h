/*
 * rec — the results recorder: one HDF5 file per run, laid out column-wise.
 *
 * Concept: a run's output is a set of tables (one HDF5 group each, e.g. /customers) whose
 * columns are 1-D datasets of equal length (e.g. /customers/arrival_ns), plus scalar datasets
 * (e.g. /summary/mean_time_in_system_s) and attributes. Columns, not compound datasets, because
 * Octave's load cannot read compound datasets and pandas/MATLAB read columns naturally. Every
 * dataset carries a `units` attribute (and a `description`). Datasets are chunked, shuffled and
 * deflate-compressed, and extendable; rows are buffered in memory a chunk at a time.
 *
 * The file's root carries: format = "splitsim-results", format_version, simulator_version,
 * git_revision, started and finished (UTC, ISO 8601), whatever the caller adds (seed, scenario
 * text, ...), and `complete`, an integer written as 0 when the file is created and set to 1 as the
 * very last write of a successful run.
 *
 * Crash safety: the file is written under a temporary name of its own, "<path>.<host>.<pid>.part"
 * (sim/outfile.h: two processes writing the same path never share it), and rec_close() renames
 * it: to <path> when complete (atomically replacing an older file), otherwise beside it as
 * rec_incomplete_path(<path>) ("x.h5" -> "x.incomplete.h5"), so an interrupted run never
 * replaces a complete result and a file under the final name is always complete.
 *
 * Checkpoints: rec_checkpoint() writes every buffered row and all metadata, then a counter
 * attribute (e.g. replications_done), then flushes again. Between checkpoints no metadata
 * reaches the file (HDF5's metadata cache does not evict) and no space in it is reused (the
 * free-space strategy is NONE), so a process killed at any moment (SIGKILL, the OOM killer, a
 * wall-time limit) leaves a ".part" file that HDF5 opens as it was at the last checkpoint —
 * except when the kill lands inside a checkpoint's own flush. Chunks are written through (no
 * chunk cache), so a full disk shows as an error at the write that fails, within one chunk of
 * rows; from the first error on, the file on disk is left as it was (abandoned) and rec_close()
 * keeps it under its temporary name.
 *
 * Reproducibility: object modification times are not stored, so two runs that record the same
 * values produce byte-identical files, up to the `started`/`finished` attributes, which
 * come from rec_options.wallclock (set it to a fixed value, e.g. from SOURCE_DATE_EPOCH, to make
 * whole files identical).
 *
 * Errors: HDF5's own error printing is switched off; the first failure becomes one clear message
 * in the struct diag given to rec_open (naming the file, the object, and HDF5's innermost reason)
 * and is sticky: later calls return the same negative code and write nothing. rec_close() frees
 * everything in every case.
 */
#ifndef SPLITSIM_RESULTS_REC_H
#define SPLITSIM_RESULTS_REC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/diag.h"

#define REC_FORMAT         "splitsim-results"
/* 3: /competition's diff_best is this policy minus the best (2: the best minus this one), on
 * the paired basis of its reward_mean (docs/RESULTS.md) */
#define REC_FORMAT_VERSION 3

enum rec_type {
    REC_INT64,
    REC_FLOAT64,
};

struct rec_column {
    const char *name; /* dataset name inside the table's group */
    enum rec_type type;
    const char *units;       /* e.g. "ns", "s", "1" for dimensionless counts */
    const char *description; /* one line for a reader of the file */
};

struct rec_options {
    size_t chunk_rows; /* rows per chunk and per write; 0: 4096 */
    int deflate_level; /* 1..9; 0: the default, 4 */
    bool no_compression;
    /* Wall-clock time (seconds since the Unix epoch) to stamp as started/finished;
     * negative: read the system clock. */
    int64_t wallclock;
};

struct rec;
struct rec_table;

/*
 * Creates the temporary file (see above) and writes the root attributes.
 * On success *out is the recorder; on failure *out is NULL, a message is in d, and the partial
 * file is removed. Returns 0 or a negative errno-style code.
 */
int rec_open(struct rec **out, const char *path, const struct rec_options *opt, struct diag *d);

/* Attributes on the object at `object` ("/" for the file's root, or a group's path). */
int rec_attr_string(struct rec *r, const char *object, const char *name, const char *value);
int rec_attr_int64(struct rec *r, const char *object, const char *name, int64_t value);
int rec_attr_double(struct rec *r, const char *object, const char *name, double value);

/*
 * Creates the group `group` (and its parents) holding one empty extendable dataset per column.
 * The returned table is owned by r and freed by rec_close().
 */
int rec_table_create(struct rec *r, const char *group, const struct rec_column *cols, size_t ncols,
                     struct rec_table **out);

/* Sets column `col` of the row being built. Columns not set hold 0 (integers) or NaN (floats). */
void rec_set_int64(struct rec_table *t, size_t col, int64_t v);
void rec_set_double(struct rec_table *t, size_t col, double v);

/* Appends the row being built; writes a chunk to the file whenever the buffer fills. */
int rec_row_commit(struct rec_table *t);

/* Rows committed so far (written or buffered). */
uint64_t rec_table_rows(const struct rec_table *t);

/* A scalar dataset `name` in `group` (created if needed) with a units attribute. */
int rec_scalar_double(struct rec *r, const char *group, const char *name, const char *units,
                      const char *description, double value);
int rec_scalar_int64(struct rec *r, const char *group, const char *name, const char *units,
                     const char *description, int64_t value);

/* An external link `name` inside group `group` (created if needed) to object `object` of the
 * file `target` (a path relative to this file's directory, as HDF5 resolves it). */
int rec_link_external(struct rec *r, const char *group, const char *name, const char *target,
                      const char *object);

/* The first error (negative code), or 0. */
int rec_error(const struct rec *r);

/*
 * A checkpoint: writes every table's buffered rows and all metadata, sets the integer attribute
 * `name` of `object` to `value` (e.g. "/", "replications_done", 3), and writes again, so the
 * counter on disk never runs ahead of the data it counts. 0 or the sticky error.
 */
int rec_checkpoint(struct rec *r, const char *object, const char *name, int64_t value);

/* The temporary file being written (for messages). */
const char *rec_temp_path(const struct rec *r);

/* Where an incomplete file goes: "x.h5" -> "x.incomplete.h5", other names get ".incomplete"
 * appended (malloc'd; NULL when out of memory). */
char *rec_incomplete_path(const char *path);

/*
 * Flushes every table, stamps `finished`, sets complete = 1 if `complete` and no error occurred,
 * closes the file and renames it: to its final path when complete (then an older
 * rec_incomplete_path file is removed), to rec_incomplete_path otherwise. After an error the
 * file stays under its temporary name as it was when the error struck (a note in the diag says
 * so). Frees r. Returns 0, or the negative code of the first error.
 */
int rec_close(struct rec *r, bool complete);

#endif
