/*
 * inspect — what a results file holds: the answer to "what survived?" after an interrupted,
 * killed or failed run.
 *
 * Concept: any file splitsim wrote — a complete results file, an interrupted one
 * (NAME.incomplete.h5), a campaign index — is opened read-only and described; the temporary
 * folder a killed or failed run left (NAME.HOST.PID.part/, results/segments.h) is described as
 * the merge of its closed segments, i.e. what 'splitsim recover' would write: its kind and format,
 * whether it is complete, the scenario it ran, how many replications (and, in a competition,
 * policies) were finished and checkpointed, and every table with its number of rows. Every dataset
 * is read back in full, so "readable" means every value decodes, not just that the file opens.
 *
 * Invariants: nothing is written; only regular files are opened (a FIFO or a device is refused
 * before any read, so inspection cannot hang); memory stays bounded whatever the file claims
 * (datasets are read in slices, attributes only when scalar and small).
 */
#ifndef SPLITSIM_RESULTS_INSPECT_H
#define SPLITSIM_RESULTS_INSPECT_H

#include <stdio.h>

#include "sim/diag.h"

/*
 * Describes the file at `path` on `out`. Returns 0 when it could be read (complete or not: the
 * description says which), -EINVAL when it is missing or not a regular file, -EIO when HDF5
 * cannot open it or a dataset does not read back (damaged); messages in d.
 */
int inspect_file(const char *path, FILE *out, struct diag *d);

#endif
