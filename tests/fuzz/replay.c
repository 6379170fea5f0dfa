/*
 * replay — runs a fuzz harness over stored inputs, without libFuzzer.
 *
 *     fuzz_replay [--times] FILE-OR-DIR...           (linked with fuzz_scenario.c)
 *     fuzz_tables_replay [--times] FILE-OR-DIR...    (linked with fuzz_tables.c)
 *
 * Each argument is a file, or a directory whose regular files (not recursive, in name order)
 * are all run. Every input simply goes through the harness's LLVMFuzzerTestOneInput (success or
 * error both fine); a bug shows as a crash or sanitizer report. Exits 0 when all inputs ran, 1
 * when an input could not be read, 2 on usage errors; prints "replay: N inputs" at the end.
 * --times prints "<seconds> <path>" per input on stdout.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* The harness, in its own translation unit. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool show_times;
static unsigned long ninputs;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t cap = 4096, len = 0;
    uint8_t *buf = malloc(cap);
    for (;;) {
        if (!buf) {
            fprintf(stderr, "replay: %s: out of memory\n", path);
            fclose(f);
            return -1;
        }
        len += fread(buf + len, 1, cap - len, f);
        if (len < cap)
            break;
        uint8_t *b = realloc(buf, cap * 2);
        if (!b)
            free(buf);
        buf = b;
        cap *= 2;
    }
    bool bad = ferror(f);
    fclose(f);
    if (bad) {
        fprintf(stderr, "replay: %s: read error\n", path);
        free(buf);
        return -1;
    }
    /* An exact-size copy, so reads past the end are caught as they would be under libFuzzer. */
    uint8_t *exact = malloc(len ? len : 1);
    if (!exact) {
        free(buf);
        return -1;
    }
    memcpy(exact, buf, len);
    free(buf);
    double t0 = now_s();
    LLVMFuzzerTestOneInput(exact, len);
    double t1 = now_s();
    free(exact);
    ninputs++;
    if (show_times)
        printf("%.6f %s\n", t1 - t0, path);
    return 0;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_dir(const char *dir)
{
    DIR *dp = opendir(dir);
    if (!dp) {
        fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(dp))) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 256;
            char **nn = realloc(names, cap * sizeof *nn);
            if (!nn) {
                rc = -1;
                break;
            }
            names = nn;
        }
        if (!(names[n] = strdup(e->d_name))) {
            rc = -1;
            break;
        }
        n++;
    }
    closedir(dp);
    if (n)
        qsort(names, n, sizeof *names, name_cmp);
    for (size_t i = 0; i < n; i++) {
        char *path = NULL;
        struct stat st;
        if (asprintf(&path, "%s/%s", dir, names[i]) < 0) {
            rc = -1;
        } else if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            if (run_file(path) < 0)
                rc = -1;
        }
        free(path);
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    int status = 0, npaths = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--times") == 0) {
            show_times = true;
            continue;
        }
        npaths++;
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
            status = 1;
        } else if (S_ISDIR(st.st_mode) ? run_dir(argv[i]) < 0 : run_file(argv[i]) < 0) {
            status = 1;
        }
    }
    if (npaths == 0) {
        fprintf(stderr, "usage: %s [--times] FILE-OR-DIR...\n", argv[0]);
        return 2;
    }
    printf("replay: %lu inputs\n", ninputs);
    return status;
}
