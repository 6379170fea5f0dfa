/*
 * rread — reading back what rec wrote: a results file's completeness, root attributes and
 * summary scalars, for the campaign index and resume.
 *
 * Concept: a reader opens a file read-only (HDF5's error printing off), answers small queries
 * (a string or integer attribute, a scalar dataset) and closes it; a missing object is reported
 * as absent (NaN, or a negative return), never as a crash, so a half-written or foreign file is
 * simply "not complete".
 *
 * What is read back is one value, checked before it is read, since a results file may have been
 * written by anyone: anything but exactly what is asked for reads as absent. One value means a
 * scalar dataspace or a simple one of exactly one element (an array of a million values, an
 * empty or a null dataspace is absent); an integer attribute must be of the integer class, a
 * scalar dataset of the integer or float class, a string of the string class (so an enum, a
 * compound, a reference, a vlen sequence, an array type, an opaque or a bitfield value, a `1.0`
 * or a `"1"` where an integer is expected, are all absent). Strings longer than a maximum
 * (RREAD_STRING_MAX unless the caller gives one) are absent; fixed-length strings come back
 * NUL-terminated and without their NUL or space padding.
 *
 * Reading never leaves the file: only hard links are followed (a soft or external link, dangling
 * or not, reads as absent), a dataset whose raw data is stored in other files (external storage,
 * a virtual dataset) or in chunks has no value, and a path that is not a regular file (a
 * directory, a FIFO, a device such as /dev/zero) is not opened at all, so nothing can block on a
 * FIFO or read without end.
 *
 * Invariants: nothing is ever written; every handle opened is closed; on failure an output
 * argument is left untouched.
 */
#ifndef SPLITSIM_RESULTS_RREAD_H
#define SPLITSIM_RESULTS_RREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rread;

/* The longest string rread_attr_string returns, in bytes without the NUL: the size of the
 * largest scenario text splitsim reads (YTREE_MAX_BYTES), which bounds every string rec writes. */
#define RREAD_STRING_MAX ((size_t)16 << 20)

/* NULL when path is not a regular file (or a symbolic link to one), or cannot be opened as
 * HDF5. */
struct rread *rread_open(const char *path);
/* Closes r; NULL is a no-op. */
void rread_close(struct rread *r);

/* A string attribute of `object` (malloc'd, NUL-terminated), or NULL when absent, not a single
 * string, or longer than RREAD_STRING_MAX bytes. */
char *rread_attr_string(struct rread *r, const char *object, const char *name);
/* The same with a maximum length `max` (bytes, without the NUL) of the caller's choosing. A
 * fixed-length string whose declared size exceeds max is absent even when its text is shorter. */
char *rread_attr_string_max(struct rread *r, const char *object, const char *name, size_t max);
/* An integer attribute (a single value of the integer class); 0 on success, -1 when absent (*v
 * then unchanged). */
int rread_attr_int64(struct rread *r, const char *object, const char *name, int64_t *v);
/* A scalar dataset (a single integer or float value stored in this file) as double; NaN when
 * absent. */
double rread_scalar(struct rread *r, const char *path);
/* Whether an object exists at path, reached through hard links only ("/" always exists). */
bool rread_exists(struct rread *r, const char *path);

/* The longest chunk (bytes) of a column rread_column reads: a chunk is read whole, so a file that
 * declares larger ones is refused rather than trusted with the memory. */
#define RREAD_CHUNK_MAX ((size_t)64 << 20)

/*
 * A 1-D dataset (a table column) of the integer or float class as doubles: *v (malloc'd, the
 * caller frees) and *n its length. Refused (-1, outputs untouched) when absent, reached through
 * a link other than a hard one, not rank 1, longer than `max` values, stored in other files
 * (external storage, virtual), chunked in chunks over RREAD_CHUNK_MAX bytes, or not readable
 * (damaged, a filter this HDF5 lacks). 0 on success.
 */
int rread_column(struct rread *r, const char *path, size_t max, double **v, size_t *n);

/*
 * The names of the groups directly in group `path` reached by hard links, in name order:
 * *names (malloc'd, each entry too; free with rread_names_free) and *n. -1 when `path` is not
 * such a group or holds more than `max` links (outputs untouched); 0 on success (possibly none).
 */
int rread_groups(struct rread *r, const char *path, size_t max, char ***names, size_t *n);
void rread_names_free(char **names, size_t n);

/* True when `path` is a splitsim results file with complete = 1 whose scenario_hash equals
 * `hash` (NULL: any). */
bool rread_complete(const char *path, const char *hash);

#endif
