/*
 * outfile — output files that appear whole or not at all, and the questions asked before writing.
 *
 * Concept: every file splitsim writes (results, campaign index, weights, tables, job scripts)
 * is written under a temporary name unique to the writing process, "<path>.<host>.<pid>.part",
 * and renamed to its final path only when it is complete. rename(2) is atomic within a file
 * system, so a reader sees the old file or the new one, never a mixture; two processes writing
 * the same path never share a temporary file (even where HDF5 file locking is off, as on many
 * cluster file systems): the last one to finish wins, whole. A crashed writer leaves only its
 * own ".part" file, which never looks like a result.
 *
 * Before simulating, callers ask whether an output could be created (its folder exists and is
 * writable, it is not a folder) and whether two paths name the same file (an output must never
 * be one of the inputs or another output), so that a run never fails at its end for a reason
 * that was knowable at its start.
 *
 * Invariants: a stdio outfile is either committed (renamed into place) or aborted (its
 * temporary removed); nothing here exits or prints: errors go to a struct diag with the path
 * and strerror's reason.
 */
#ifndef SPLITSIM_SIM_OUTFILE_H
#define SPLITSIM_SIM_OUTFILE_H

#include <stdbool.h>
#include <stdio.h>

#include "sim/diag.h"

/* "<path>.<host>.<pid>.part" (malloc'd; NULL when out of memory). The host name is reduced to
 * [A-Za-z0-9_-] and cut, so the name stays a plain file name. */
char *outfile_temp_name(const char *path);

/*
 * Creates the empty file `tmp` (replacing a stale one left by an earlier process with the same
 * host and pid), so that the reason a file cannot be created (no such folder, permission,
 * read-only or full file system) is known precisely. 0, or -errno with a message naming
 * `path` (the final name) in d.
 */
int outfile_precreate(const char *tmp, const char *path, struct diag *d);

/*
 * 0 when a file could be created at `path`: its folder exists and is writable and `path` is not
 * a folder (nor anything else that is not a regular file). Otherwise -errno with a message
 * naming `what` (e.g. "-o", "policy.mbrl.weights_out") and the reason. Creates nothing.
 */
int outfile_check_writable(const char *path, const char *what, struct diag *d);

/*
 * True when a and b name the same file: the same device and inode when both exist, otherwise
 * the same canonical folder and the same last component (so "x.h5" and "./x.h5" match before
 * either exists).
 */
bool outfile_same(const char *a, const char *b);

/* A text file written through stdio under a temporary name. */
struct outfile {
    FILE *f;
    char *path;
    char *tmp;
};

/* Opens the temporary for writing; 0 or -errno (message in d). */
int outfile_open(struct outfile *o, const char *path, struct diag *d);

/*
 * Closes the file and renames it into place (mode: chmod first, 0 to keep the default).
 * 0, or -errno when a write, the close or the rename failed (message with the path and the
 * reason in d; the temporary is removed).
 */
int outfile_commit(struct outfile *o, unsigned mode, struct diag *d);

/* Closes and removes the temporary; for error paths. */
void outfile_abort(struct outfile *o);

#endif
