/*
 * scratch — a private temporary folder for one test's files, removed with everything in it.
 *
 * Concept: tests that write files (results, outputs, crafted hostile inputs, FIFOs) make them
 * in a folder of their own, "/tmp/splitsim-test-WHO-XXXXXX" (mkdtemp), so that runs in parallel
 * and files HDF5 keeps locked never meet, and remove the folder at the end instead of each file.
 * The folder's name is kept by the caller in a char[SCRATCH_SIZE].
 *
 * Invariants: scratch_make fails the test (Check assertion) when no folder can be made;
 * scratch_remove removes the folder and everything below it without following symbolic links
 * (a link to a file elsewhere is removed, never its target), and fails the test if it cannot.
 */
#ifndef SPLITSIM_TESTS_SCRATCH_H
#define SPLITSIM_TESTS_SCRATCH_H

#include <check.h>
#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>

#define SCRATCH_SIZE 64

/* Makes a new folder for test `who` (a short word) and writes its path into dir. */
static inline void scratch_make(char dir[SCRATCH_SIZE], const char *who)
{
    ck_assert_int_lt(snprintf(dir, SCRATCH_SIZE, "/tmp/splitsim-test-%s-XXXXXX", who),
                     SCRATCH_SIZE);
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

/* "DIR/NAME", malloc'd (the caller frees). */
static inline char *scratch_path(const char *dir, const char *name)
{
    char *p = NULL;
    ck_assert_int_gt(asprintf(&p, "%s/%s", dir, name), 0);
    return p;
}

/* "DIR/NAME" into buf of `size` bytes (the test fails if it does not fit). */
static inline void scratch_path_buf(const char *dir, const char *name, char *buf, size_t size)
{
    ck_assert_int_lt(snprintf(buf, size, "%s/%s", dir, name), (int)size);
}

/* The number of entries in dir (".", ".." not counted). */
static inline size_t scratch_entries(const char *dir)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += !(e->d_name[0] == '.' &&
               (e->d_name[1] == '\0' || (e->d_name[1] == '.' && e->d_name[2] == '\0')));
    closedir(d);
    return n;
}

static inline int scratch_remove_one(const char *path, const struct stat *st, int flag,
                                     struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* Removes dir and everything in it. */
static inline void scratch_remove(const char *dir)
{
    ck_assert_int_eq(nftw(dir, scratch_remove_one, 16, FTW_DEPTH | FTW_PHYS), 0);
}

#endif
