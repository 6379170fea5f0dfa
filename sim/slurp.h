/*
 * slurp — input files opened safely and read whole into memory, with the errors a user should
 * see.
 *
 * Concept: every reader of a user-named file (scenarios, cost and quality tables, architecture
 * and device files, traces, weight files, profiles) opens it here. Only regular files are read:
 * a FIFO, a character device such as /dev/zero, a directory or a socket is refused up front with
 * "PATH: expected a regular file, got a FIFO". The file is opened without blocking (so opening a
 * FIFO with no writer cannot hang), the opened descriptor is checked (no race between a check
 * and the open), and the non-blocking flag is then cleared. Reads are bounded: a file larger
 * than the caller's limit is refused, and no more than limit + 1 bytes are ever allocated.
 *
 * Messages carry the path as their file (no line): "PATH: error: cannot open: reason",
 * "PATH: error: file too large: N bytes (at most M)", "PATH: error: cannot read: reason",
 * "PATH: error: out of memory".
 *
 * Invariants: on success *buf holds *len bytes plus a terminating NUL (not counted), owned by the
 * caller; on failure nothing is held and no descriptor is left open.
 */
#ifndef SPLITSIM_SIM_SLURP_H
#define SPLITSIM_SIM_SLURP_H

#include <stddef.h>

#include "sim/diag.h"

/*
 * Opens `path` read-only if it is a regular file (following symbolic links), without ever
 * blocking; the returned descriptor is in blocking mode and close-on-exec. Returns the descriptor
 * (>= 0), or -EINVAL with a message in d (missing, unreadable, or not a regular file).
 */
int slurp_open(const char *path, struct diag *d);

/*
 * "a FIFO", "a character device", "a directory", ... for a stat mode that is not a regular file;
 * "a regular file" for one. For messages.
 */
const char *slurp_kind_name(unsigned mode);

/*
 * Reads a whole regular file of at most `max_bytes` bytes. 0, -EINVAL (cannot open, not a
 * regular file, too large, read error) or -ENOMEM, with a message in d.
 */
int slurp_file(const char *path, size_t max_bytes, char **buf, size_t *len, struct diag *d);

#endif
