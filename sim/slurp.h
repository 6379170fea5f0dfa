/*
 * slurp — a whole file read into memory, with the errors a user should see.
 *
 * Concept: the loaders of text formats (traces, weight files) parse from memory; this reads the
 * file, refusing one larger than a limit, and reports "PATH: cannot open: reason", "PATH: larger
 * than N bytes", "PATH: read error" or "PATH: out of memory" through a struct diag.
 *
 * Invariants: on success *buf holds *len bytes plus a terminating NUL (not counted), owned by the
 * caller; on failure nothing is held.
 */
#ifndef SPLITSIM_SIM_SLURP_H
#define SPLITSIM_SIM_SLURP_H

#include <stddef.h>

#include "sim/diag.h"

/* 0, -EINVAL (cannot open, too large, read error) or -ENOMEM, with a message in d. */
int slurp_file(const char *path, size_t max_bytes, char **buf, size_t *len, struct diag *d);

#endif
