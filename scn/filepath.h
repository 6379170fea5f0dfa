/*
 * filepath — where a relative file path written in a scenario points.
 *
 * Concept: a path is resolved against a base directory, as every configuration format does:
 * what a scenario file names, against the directory of that file; what a command-line argument
 * names, against the working directory. A base directory is a real path (absolute, no symbolic
 * link in it). Resolution is textual: "" (no file) and absolute paths are kept exactly as they
 * are; a relative path is appended to the base directory with its "." components and repeated
 * '/' dropped ("./t.csv" and "t.csv" name the same file, so they resolve to the same text); its
 * leading ".." components climb out of the base directory ("../tables/t.csv" from /p/scen is
 * /p/tables/t.csv), which is exact because the base holds no link; a ".." after another
 * component is kept (that component may be a link, whose ".." is elsewhere). Nothing else is
 * looked up on disk: a missing file resolves like any other, and its reader says it is missing,
 * naming the absolute path.
 *
 * Invariants: a resolved path is "" or absolute; resolving it again, against any directory,
 * gives it back unchanged.
 */
#ifndef SPLITSIM_SCN_FILEPATH_H
#define SPLITSIM_SCN_FILEPATH_H

#include <stdbool.h>

/* Whether `path` is absolute (starts with '/'). */
bool filepath_is_absolute(const char *path);

/* The working directory, malloc'd; NULL with errno set (out of memory, or no longer reachable). */
char *filepath_cwd(void);

/* The absolute directory holding `file`, a path as given on a command line: the folder of its
 * real path (symbolic links resolved, so a scenario reached through a link names the files
 * beside the file itself, and an absolute path to it, however spelt, gives the same folder);
 * when the file does not exist, the folder its path names (a relative one taken against the
 * working directory: "s.yaml" gives the working directory, "a/s.yaml" its "a", "/x/s.yaml"
 * gives "/x" and "/s.yaml" gives "/"). malloc'd; NULL with errno set. */
char *filepath_dir_of(const char *file);

/* The absolute real path of directory `dir` (a relative one taken against the working
 * directory); when it does not exist, the absolute path it spells. malloc'd; NULL with errno
 * set. */
char *filepath_real_dir(const char *dir);

/* `path` resolved against the directory `dir`, an absolute real path (see above), malloc'd;
 * NULL when out of memory. */
char *filepath_resolve(const char *dir, const char *path);

#endif
