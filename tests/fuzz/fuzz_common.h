/*
 * fuzz_common — what the libFuzzer harnesses share: a private file for the input, and /dev/null.
 *
 * diag_print quotes the source line under each message by re-opening the named file, and some
 * readers take only a path. So that these paths are fuzzed too, a harness names its input
 * "<private temp dir>/NAME" and writes it there before reading or printing (the directory is made
 * once per process, in $TMPDIR or /tmp, and removed at normal exit). Where no temporary
 * directory can be made the name is plain NAME and nothing is written: quotes are then missing,
 * and path-only readers report that they cannot open the file.
 *
 * A harness is one translation unit that defines LLVMFuzzerTestOneInput; it is linked with
 * libFuzzer (clang -fsanitize=fuzzer, the fuzz build option) or with replay.c (any compiler).
 * The state below is per process, as libFuzzer's callback interface requires.
 */
#ifndef SPLITSIM_TESTS_FUZZ_COMMON_H
#define SPLITSIM_TESTS_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char fuzz_dir[64], fuzz_name[96];

static inline void fuzz_cleanup(void)
{
    if (fuzz_dir[0]) {
        remove(fuzz_name);
        rmdir(fuzz_dir);
    }
}

/* The input's name: "<private temp dir>/name" (made on the first call), or plain name. */
static inline const char *fuzz_input_name(const char *name)
{
    static int done;
    if (!done) {
        done = 1;
        const char *tmp = getenv("TMPDIR");
        if (!tmp || !*tmp || strlen(tmp) > 40)
            tmp = "/tmp";
        snprintf(fuzz_dir, sizeof fuzz_dir, "%s/splitsim-fuzz-XXXXXX", tmp);
        if (!mkdtemp(fuzz_dir))
            fuzz_dir[0] = '\0';
        else
            atexit(fuzz_cleanup);
    }
    if (fuzz_dir[0]) {
        if (fuzz_name[0] && strcmp(strrchr(fuzz_name, '/') + 1, name) != 0)
            remove(fuzz_name); /* one input file at a time */
        snprintf(fuzz_name, sizeof fuzz_name, "%s/%s", fuzz_dir, name);
    } else {
        snprintf(fuzz_name, sizeof fuzz_name, "%s", name);
    }
    return fuzz_name;
}

/* Writes the input to the file fuzz_input_name named; on failure quotes are just missing. */
static inline void fuzz_write_input(const uint8_t *data, size_t size)
{
    if (!fuzz_dir[0])
        return;
    FILE *f = fopen(fuzz_name, "wb");
    if (!f)
        return;
    if (size)
        fwrite(data, 1, size, f);
    fclose(f);
}

/* Where diagnostics are printed: /dev/null, or stderr when SPLITSIM_FUZZ_VERBOSE is set (to see
 * why a stored input is refused: SPLITSIM_FUZZ_VERBOSE=1 fuzz_tables_replay FILE). */
static inline FILE *fuzz_devnull(void)
{
    static FILE *null_out;
    if (!null_out) {
        const char *verbose = getenv("SPLITSIM_FUZZ_VERBOSE");
        if (verbose && *verbose)
            return null_out = stderr;
        null_out = fopen("/dev/null", "w");
        if (!null_out) {
            perror("fuzz: /dev/null");
            abort();
        }
    }
    return null_out;
}

#endif
