/* Results recorder: column tables read back, units, root attributes, the complete flag and the
 * temporary-file protocol (an incomplete file never replaces a complete one), checkpoints that
 * survive SIGKILL, a full disk as a prompt message and never a crash, failures as messages,
 * byte-identical files for identical input. */
#include <errno.h>
#include <glob.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check_main.h"
#include "h5read.h"
#include "scratch.h"
#include "results/rec.h"
#include "results/segments.h"

static const struct rec_column cols[] = {
    {"t_ns", REC_INT64, "ns", "a time"},
    {"x", REC_FLOAT64, "m", "a length"},
};

static char dir[SCRATCH_SIZE];

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* The one temporary folder in dir ("NAME.HOST.PID.part/"), or NULL when there is none. */
static char *the_part(void);

/* What a killed or failed writer left in its folder, merged into one file (dir/recovered.h5). */
static char *recovered(const char *folder)
{
    char *out = scratch_path(dir, "recovered.h5");
    struct diag d;
    diag_init(&d);
    int rc = seg_recover(folder, out, &d);
    if (rc != 0)
        diag_print(&d, stderr, "test");
    ck_assert_int_eq(rc, 0);
    diag_release(&d);
    return out;
}

static char *the_part(void)
{
    char *pattern = scratch_path(dir, "*.part");
    glob_t g;
    char *out = NULL;
    if (glob(pattern, 0, NULL, &g) == 0) {
        ck_assert_uint_eq(g.gl_pathc, 1);
        out = strdup(g.gl_pathv[0]);
        globfree(&g);
    }
    free(pattern);
    return out;
}

/* Writes `rows` rows (crossing chunk boundaries for chunk_rows = 10) and closes. */
static int write_file(const char *path, size_t rows, int64_t wallclock, struct diag *d)
{
    struct rec *r;
    struct rec_options opt = {.chunk_rows = 10, .wallclock = wallclock};
    int rc = rec_open(&r, path, &opt, d);
    if (rc < 0)
        return rc;
    rec_attr_int64(r, "/", "seed", 77);
    rec_attr_string(r, "/", "scenario", "model: test\n");
    struct rec_table *t;
    rec_table_create(r, "/things/many", cols, 2, &t);
    for (size_t i = 0; i < rows; i++) {
        rec_set_int64(t, 0, (int64_t)i * 1000);
        if (i % 7)
            rec_set_double(t, 1, 0.5 * (double)i); /* every 7th left unset: NaN */
        rec_row_commit(t);
    }
    ck_assert_uint_eq(rec_table_rows(t), rows);
    rec_scalar_double(r, "/summary", "mean_x", "m", "mean", 1.25);
    rec_scalar_int64(r, "/summary", "n", "1", NULL, (int64_t)rows);
    rec_attr_double(r, "/summary", "confidence", 0.95);
    return rec_close(r, true);
}

START_TEST(test_round_trip)
{
    scratch_make(dir, "rec");
    char *path = scratch_path(dir, "rt.h5");
    struct diag d;
    diag_init(&d);
    ck_assert_int_eq(write_file(path, 37, -1, &d), 0);
    ck_assert_uint_eq(diag_error_count(&d), 0);
    ck_assert(exists(path));
    char *part = the_part();
    ck_assert_ptr_null(part); /* no temporary left */

    size_t n = 0;
    int64_t *t = h5_read_column(path, "/things/many/t_ns", H5T_NATIVE_INT64, &n);
    ck_assert_ptr_nonnull(t);
    ck_assert_uint_eq(n, 37);
    for (size_t i = 0; i < n; i++)
        ck_assert_int_eq(t[i], (int64_t)i * 1000);
    double *x = h5_read_column(path, "/things/many/x", H5T_NATIVE_DOUBLE, &n);
    ck_assert_uint_eq(n, 37);
    for (size_t i = 0; i < n; i++) {
        if (i % 7)
            ck_assert(x[i] == 0.5 * (double)i);
        else
            ck_assert(isnan(x[i]));
    }
    free(t);
    free(x);

    char *units = h5_read_attr_string(path, "/things/many/t_ns", "units");
    ck_assert_str_eq(units, "ns");
    free(units);
    units = h5_read_attr_string(path, "/summary/mean_x", "units");
    ck_assert_str_eq(units, "m");
    free(units);
    char *fmt = h5_read_attr_string(path, "/", "format");
    ck_assert_str_eq(fmt, REC_FORMAT);
    free(fmt);
    char *version = h5_read_attr_string(path, "/", "simulator_version");
    ck_assert_ptr_nonnull(version);
    free(version);
    char *started = h5_read_attr_string(path, "/", "started");
    ck_assert_uint_eq(strlen(started), 20); /* 2026-01-01T00:00:00Z */
    free(started);
    int64_t complete = -1, seed = 0;
    ck_assert_int_eq(h5_read_attr_int64(path, "/", "complete", &complete), 0);
    ck_assert_int_eq(complete, 1);
    ck_assert_int_eq(h5_read_attr_int64(path, "/", "seed", &seed), 0);
    ck_assert_int_eq(seed, 77);
    double mean = 0;
    ck_assert_int_eq(h5_read_scalar_double(path, "/summary/mean_x", &mean), 0);
    ck_assert(mean == 1.25);
    diag_release(&d);
    free(path);
    free(part);
    scratch_remove(dir);
}
END_TEST

/* While a run is in progress only its temporary exists, named after the final path, the host
 * and the process; an incomplete close goes beside the final name ("p.incomplete.h5"), keeping
 * all that was handed over. */
START_TEST(test_part_protocol)
{
    scratch_make(dir, "rec");
    char *path = scratch_path(dir, "p.h5"), *incomplete = scratch_path(dir, "p.incomplete.h5");
    struct diag d;
    diag_init(&d);
    struct rec *r;
    ck_assert_int_eq(rec_open(&r, path, NULL, &d), 0);
    char *part = the_part();
    ck_assert_ptr_nonnull(part);
    ck_assert_str_eq(part, rec_temp_path(r));
    char pid[32];
    snprintf(pid, sizeof pid, ".%ld.part", (long)getpid());
    ck_assert_ptr_nonnull(strstr(part, pid));
    ck_assert(strncmp(part, path, strlen(path)) == 0);
    ck_assert(!exists(path));
    struct rec_table *t;
    ck_assert_int_eq(rec_table_create(r, "/rows", cols, 2, &t), 0);
    rec_set_int64(t, 0, 5);
    rec_row_commit(t);
    ck_assert_int_eq(rec_close(r, false), 0);
    ck_assert(!exists(part));
    ck_assert(!exists(path));
    ck_assert(exists(incomplete));
    int64_t complete = -1;
    ck_assert_int_eq(h5_read_attr_int64(incomplete, "/", "complete", &complete), 0);
    ck_assert_int_eq(complete, 0);
    size_t n = 0;
    int64_t *v = h5_read_column(incomplete, "/rows/t_ns", H5T_NATIVE_INT64, &n);
    ck_assert_uint_eq(n, 1); /* nothing handed over is lost */
    ck_assert_int_eq(v[0], 5);
    free(v);
    char *name = rec_incomplete_path("results");
    ck_assert_str_eq(name, "results.incomplete");
    free(name);
    diag_release(&d);
    free(path);
    free(incomplete);
    free(part);
    scratch_remove(dir);
}
END_TEST

/* An interrupted run (incomplete close) never replaces a complete file at the same path; the
 * next complete run replaces it and removes the interrupted one's leftovers. */
START_TEST(test_incomplete_never_replaces_complete)
{
    scratch_make(dir, "rec");
    char *path = scratch_path(dir, "c.h5"), *incomplete = scratch_path(dir, "c.incomplete.h5");
    struct diag d;
    diag_init(&d);
    ck_assert_int_eq(write_file(path, 37, -1, &d), 0);
    struct rec *r;
    ck_assert_int_eq(rec_open(&r, path, NULL, &d), 0);
    rec_attr_int64(r, "/", "seed", 99);
    ck_assert_int_eq(rec_close(r, false), 0);
    int64_t complete = -1, seed = 0;
    ck_assert_int_eq(h5_read_attr_int64(path, "/", "complete", &complete), 0);
    ck_assert_int_eq(complete, 1);
    ck_assert_int_eq(h5_read_attr_int64(path, "/", "seed", &seed), 0);
    ck_assert_int_eq(seed, 77); /* the complete file is untouched */
    ck_assert_int_eq(h5_read_attr_int64(incomplete, "/", "seed", &seed), 0);
    ck_assert_int_eq(seed, 99);
    ck_assert_int_eq(write_file(path, 12, -1, &d), 0);
    ck_assert(!exists(incomplete));
    size_t n = 0;
    free(h5_read_column(path, "/things/many/t_ns", H5T_NATIVE_INT64, &n));
    ck_assert_uint_eq(n, 12);
    ck_assert_uint_eq(diag_error_count(&d), 0);
    diag_release(&d);
    free(path);
    free(incomplete);
    scratch_remove(dir);
}
END_TEST

/*
 * A writer killed (SIGKILL) at any point leaves a temporary file that HDF5 opens as it was at
 * the last checkpoint: every row counted by `done` is there with its value, whatever was
 * written after it (including chunks rewritten in place and tables created later). The child
 * writes in rounds of 23 rows (chunks of 10, so each checkpoint leaves a partial chunk that
 * the next round rewrites), checkpoints after each round, and kills itself after `rounds`
 * rounds plus 17 more rows and a new table.
 */
static void killed_writer(int rounds)
{
    char *path = scratch_path(dir, "k.h5");
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        struct diag d;
        diag_init(&d);
        struct rec *r;
        struct rec_options opt = {.chunk_rows = 10};
        if (rec_open(&r, path, &opt, &d) < 0)
            _exit(3);
        struct rec_table *t;
        rec_table_create(r, "/rows", cols, 2, &t);
        int64_t i = 0;
        for (int k = 0; k < rounds; k++) {
            for (int j = 0; j < 23; j++, i++) {
                rec_set_int64(t, 0, i);
                rec_set_double(t, 1, 0.25 * (double)i);
                rec_row_commit(t);
            }
            if (rec_checkpoint(r, "/", "done", k + 1) < 0)
                _exit(4);
        }
        for (int j = 0; j < 17; j++, i++) {
            rec_set_int64(t, 0, -1);
            rec_set_double(t, 1, -1);
            rec_row_commit(t);
        }
        struct rec_table *late;
        rec_table_create(r, "/late", cols, 2, &late);
        rec_set_int64(late, 0, 1);
        rec_row_commit(late);
        raise(SIGKILL);
        _exit(5);
    }
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    char *part = the_part();
    ck_assert_ptr_nonnull(part);
    ck_assert(!exists(path));
    char *file = recovered(part);
    int64_t done = -1;
    ck_assert_int_eq(h5_read_attr_int64(file, "/", "done", &done), 0);
    ck_assert_int_eq(done, rounds);
    size_t n = 0;
    int64_t *t = h5_read_column(file, "/rows/t_ns", H5T_NATIVE_INT64, &n);
    ck_assert_ptr_nonnull(t);
    ck_assert_uint_eq(n, (size_t)(23 * rounds));
    double *x = h5_read_column(file, "/rows/x", H5T_NATIVE_DOUBLE, &n);
    ck_assert_ptr_nonnull(x);
    for (size_t i = 0; i < n; i++) {
        ck_assert_int_eq(t[i], (int64_t)i);
        ck_assert(x[i] == 0.25 * (double)i);
    }
    free(t);
    free(x);
    free(file);
    free(part);
    free(path);
}

START_TEST(test_checkpoint_survives_kill)
{
    for (int rounds = 1; rounds <= 5; rounds++) {
        scratch_make(dir, "rec");
        killed_writer(rounds);
        scratch_remove(dir);
    }
}
END_TEST

/*
 * A full disk (here a file-size limit, which fails writes with EFBIG) is reported at the write
 * that fails, within a chunk of rows, with the file's name and the system's reason; the writer
 * stops, closing never crashes, nothing appears under the final name, and the temporary keeps
 * the last checkpoint. Runs in a child with the limit set.
 */
START_TEST(test_full_disk_is_a_prompt_message)
{
    scratch_make(dir, "rec");
    char *path = scratch_path(dir, "full.h5");
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        /* as splitsim's main() does: a failed close must not crash at exit */
        H5dont_atexit();
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit lim = {.rlim_cur = 64 * 1024, .rlim_max = 64 * 1024};
        setrlimit(RLIMIT_FSIZE, &lim);
        struct diag d;
        diag_init(&d);
        struct rec *r;
        struct rec_options opt = {.chunk_rows = 100, .no_compression = true};
        if (rec_open(&r, path, &opt, &d) < 0)
            _exit(3);
        struct rec_table *t;
        rec_table_create(r, "/rows", cols, 2, &t);
        int64_t i = 0;
        for (; i < 50; i++) {
            rec_set_int64(t, 0, i);
            rec_row_commit(t);
        }
        rec_checkpoint(r, "/", "done", 1);
        int rc = 0;
        for (; i < 1000000 && rc == 0; i++) {
            rec_set_int64(t, 0, i);
            rc = rec_row_commit(t);
        }
        /* 64 kB hold about 4,000 rows of 16 bytes: the error shows within a chunk of that */
        if (rc == 0 || i > 5000)
            _exit(6);
        if (d.len != 1 || !strstr(d.msgs[0].text, "File too large") || !d.msgs[0].file ||
            strcmp(d.msgs[0].file, path) != 0)
            _exit(7);
        if (rec_close(r, true) == 0)
            _exit(8);
        diag_release(&d);
        _exit(0);
    }
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d", status);
    ck_assert(!exists(path));
    char *part = the_part();
    ck_assert_ptr_nonnull(part);
    char *file = recovered(part);
    int64_t done = -1;
    ck_assert_int_eq(h5_read_attr_int64(file, "/", "done", &done), 0);
    ck_assert_int_eq(done, 1);
    size_t n = 0;
    int64_t *t = h5_read_column(file, "/rows/t_ns", H5T_NATIVE_INT64, &n);
    ck_assert_ptr_nonnull(t);
    ck_assert_uint_eq(n, 50);
    for (size_t i = 0; i < n; i++)
        ck_assert_int_eq(t[i], (int64_t)i);
    free(t);
    free(file);
    free(part);
    free(path);
    scratch_remove(dir);
}
END_TEST

START_TEST(test_unwritable_path_is_a_message)
{
    struct diag d;
    diag_init(&d);
    struct rec *r = (struct rec *)&d; /* must be overwritten with NULL */
    int rc = rec_open(&r, "/nonexistent-dir/sub/out.h5", NULL, &d);
    ck_assert_int_lt(rc, 0);
    ck_assert_ptr_null(r);
    ck_assert_uint_eq(diag_error_count(&d), 1);
    ck_assert_str_eq(d.msgs[0].file, "/nonexistent-dir/sub/out.h5");
    ck_assert_ptr_nonnull(strstr(d.msgs[0].text, "cannot create"));
    diag_release(&d);
}
END_TEST

START_TEST(test_sticky_error)
{
    scratch_make(dir, "rec");
    char *path = scratch_path(dir, "s.h5");
    struct diag d;
    diag_init(&d);
    struct rec *r;
    ck_assert_int_eq(rec_open(&r, path, NULL, &d), 0);
    ck_assert_int_lt(rec_attr_string(r, "/no/such/group", "a", "b"), 0);
    ck_assert_int_lt(rec_error(r), 0);
    ck_assert_uint_eq(diag_error_count(&d), 1);
    struct rec_table *t = NULL;
    ck_assert_int_lt(rec_table_create(r, "/rows", cols, 2, &t), 0); /* refused after an error */
    ck_assert_ptr_null(t);
    ck_assert_int_lt(rec_close(r, true), 0);
    ck_assert(!exists(path)); /* an error means never complete: no file under the final name */
    char *part = the_part();
    ck_assert_ptr_nonnull(part); /* kept: nothing reached a checkpoint, so nothing to recover */
    struct diag rd;
    diag_init(&rd);
    char *file = scratch_path(dir, "recovered.h5");
    ck_assert_int_eq(seg_recover(part, file, &rd), -ENOENT);
    diag_release(&rd);
    free(file);
    free(part);
    ck_assert_uint_eq(diag_error_count(&d), 1);
    diag_release(&d);
    free(path);
    scratch_remove(dir);
}
END_TEST

START_TEST(test_identical_input_identical_bytes)
{
    scratch_make(dir, "rec");
    char *a = scratch_path(dir, "a.h5"), *b = scratch_path(dir, "b.h5");
    struct diag d;
    diag_init(&d);
    ck_assert_int_eq(write_file(a, 1234, 1700000000, &d), 0);
    sleep(1); /* a stored timestamp would now differ */
    ck_assert_int_eq(write_file(b, 1234, 1700000000, &d), 0);
    size_t na = 0, nb = 0;
    unsigned char *ba = file_bytes(a, &na), *bb = file_bytes(b, &nb);
    ck_assert_uint_eq(na, nb);
    ck_assert(memcmp(ba, bb, na) == 0);
    char *started = h5_read_attr_string(a, "/", "started");
    ck_assert_str_eq(started, "2023-11-14T22:13:20Z");
    free(started);
    free(ba);
    free(bb);
    free(a);
    free(b);
    diag_release(&d);
    scratch_remove(dir);
}
END_TEST

static Suite *rec_suite(void)
{
    Suite *s = suite_create("rec");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_round_trip);
    tcase_add_test(tc, test_part_protocol);
    tcase_add_test(tc, test_incomplete_never_replaces_complete);
    tcase_add_test(tc, test_checkpoint_survives_kill);
    tcase_add_test(tc, test_full_disk_is_a_prompt_message);
    tcase_add_test(tc, test_unwritable_path_is_a_message);
    tcase_add_test(tc, test_sticky_error);
    tcase_add_test(tc, test_identical_input_identical_bytes);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(rec_suite)
