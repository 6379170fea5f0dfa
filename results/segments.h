/*
 * segments — a results file under construction, as a folder of whole HDF5 files, and their merge.
 *
 * Concept: a run writes into a folder "<path>.<host>.<pid>.part/" of segment files seg-000000.h5,
 * seg-000001.h5, ...; each holds what was recorded between two checkpoints (results/rec.h):
 * the rows appended to each table in that interval (1-D datasets), and the scalars, attributes
 * and links set in it. A segment is written as "seg-N.h5.open" and renamed to "seg-N.h5" once
 * HDF5 has closed it, so a closed segment is a whole file whatever becomes of the process
 * afterwards (SIGKILL, the OOM killer, a full disk): HDF5 never writes in place into a file
 * that is already closed.
 *
 * The results file is the merge of the closed segments, in order: groups are united; attributes
 * are united, a later value replacing an earlier one; a scalar dataset or a link comes from the
 * last segment that has it; every 1-D dataset (a table column) is the concatenation of its rows
 * in every segment, chunked like the segments and compressed as asked (segments are written
 * uncompressed, so a checkpoint costs no compression; the merge compresses every chunk once).
 *
 * Invariants: the merge reads segments only; it never reads an "open" segment; memory stays
 * bounded (rows are copied in slices); the output's objects carry no modification times, so
 * equal segments merge into byte-identical files.
 */
#ifndef SPLITSIM_RESULTS_SEGMENTS_H
#define SPLITSIM_RESULTS_SEGMENTS_H

#include <stdbool.h>
#include <stddef.h>

#include <hdf5.h>

#include "sim/diag.h"

/* "<folder>/seg-<index, 6 digits>.h5", with ".open" appended while being written (malloc'd). */
char *seg_path(const char *folder, unsigned index, bool open);

/*
 * The closed segments of a folder, in order (*paths malloc'd, each entry too; free with
 * seg_list_free). The list stops at the first missing index: segments after a gap are not
 * used. 0, or -errno with a message when the folder cannot be read.
 */
int seg_list(const char *folder, char ***paths, size_t *n, struct diag *d);
void seg_list_free(char **paths, size_t n);

/* True when `path` is a folder holding at least one segment file (closed or open). */
bool seg_is_folder(const char *path);

/*
 * Merges the segments into `out` (an HDF5 file open for writing, empty); table columns are
 * compressed with shuffle + deflate at `deflate_level` (0: none). 0, or -EIO with a message
 * naming the segment that could not be read.
 */
int seg_merge(char *const *segs, size_t n, hid_t out, int deflate_level, struct diag *d);

/* seg_merge into a new file at `path` (replacing one there). 0 or -EIO (the file removed). */
int seg_merge_to_file(char *const *segs, size_t n, const char *path, int deflate_level,
                      struct diag *d);

/*
 * What a killed or failed run recorded up to its last checkpoint: the closed segments of
 * `folder` merged into `out` (compressed like a results file). 0; -ENOENT when the folder holds
 * no closed segment (nothing reached a checkpoint); -errno or -EIO otherwise (message in d).
 */
int seg_recover(const char *folder, const char *out, struct diag *d);

/* The name a recovered file gets by default: "x.h5.HOST.PID.part" -> "x.incomplete.h5"
 * (malloc'd), or NULL when `folder` is not named like a run's temporary. */
char *seg_recovered_name(const char *folder);

#endif
