/*
 * rread — reading back what rec wrote: a results file's completeness, root attributes and
 * summary scalars, for the campaign index and resume.
 *
 * Concept: a reader opens a file read-only (HDF5's error printing off), answers small queries
 * (a string or integer attribute, a scalar dataset) and closes it; a missing object is reported
 * as absent (NaN, or a negative return), never as a crash, so a half-written or foreign file is
 * simply "not complete".
 *
 * Invariants: nothing is ever written; every handle opened is closed.
 */
#ifndef SPLITSIM_RESULTS_RREAD_H
#define SPLITSIM_RESULTS_RREAD_H

#include <stdbool.h>
#include <stdint.h>

struct rread;

/* NULL when the file cannot be opened as HDF5. */
struct rread *rread_open(const char *path);
void rread_close(struct rread *r);

/* A string attribute of `object` (malloc'd), or NULL. */
char *rread_attr_string(struct rread *r, const char *object, const char *name);
/* An integer attribute; 0 on success. */
int rread_attr_int64(struct rread *r, const char *object, const char *name, int64_t *v);
/* A scalar dataset as double; NaN when absent. */
double rread_scalar(struct rread *r, const char *path);
/* Whether an object exists at path. */
bool rread_exists(struct rread *r, const char *path);

/* True when `path` is a splitsim results file with complete = 1 whose scenario_hash equals
 * `hash` (NULL: any). */
bool rread_complete(const char *path, const char *hash);

#endif
