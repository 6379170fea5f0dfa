/* Results recorder: column tables read back, units, root attributes, the complete flag and the
 * .part protocol, failures as messages, byte-identical files for identical input. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "h5read.h"
#include "results/rec.h"

static const struct rec_column cols[] = {
    {"t_ns", REC_INT64, "ns", "a time"},
    {"x", REC_FLOAT64, "m", "a length"},
};

static char dir[64];

static void make_dir(void)
{
    strcpy(dir, "/tmp/splitsim-test-rec-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void remove_dir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

static char *path_in_dir(const char *name)
{
    char *p = NULL;
    ck_assert_int_gt(asprintf(&p, "%s/%s", dir, name), 0);
    return p;
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
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
    make_dir();
    char *path = path_in_dir("rt.h5");
    struct diag d;
    diag_init(&d);
    ck_assert_int_eq(write_file(path, 37, -1, &d), 0);
    ck_assert_uint_eq(diag_error_count(&d), 0);
    ck_assert(exists(path));
    char *part = path_in_dir("rt.h5.part");
    ck_assert(!exists(part));

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
    remove_dir();
}
END_TEST

/* While a run is in progress, only "<path>.part" exists, with complete = 0; an aborted close
 * leaves complete = 0 under the final name. */
START_TEST(test_part_protocol)
{
    make_dir();
    char *path = path_in_dir("p.h5");
    char *part = path_in_dir("p.h5.part");
    struct diag d;
    diag_init(&d);
    struct rec *r;
    ck_assert_int_eq(rec_open(&r, path, NULL, &d), 0);
    ck_assert(exists(part));
    ck_assert(!exists(path));
    struct rec_table *t;
    ck_assert_int_eq(rec_table_create(r, "/rows", cols, 2, &t), 0);
    rec_set_int64(t, 0, 5);
    rec_row_commit(t);
    ck_assert_int_eq(rec_close(r, false), 0);
    ck_assert(!exists(part));
    ck_assert(exists(path));
    int64_t complete = -1;
    ck_assert_int_eq(h5_read_attr_int64(path, "/", "complete", &complete), 0);
    ck_assert_int_eq(complete, 0);
    size_t n = 0;
    int64_t *v = h5_read_column(path, "/rows/t_ns", H5T_NATIVE_INT64, &n);
    ck_assert_uint_eq(n, 1); /* nothing handed over is lost */
    ck_assert_int_eq(v[0], 5);
    free(v);
    diag_release(&d);
    free(path);
    free(part);
    remove_dir();
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
    make_dir();
    char *path = path_in_dir("s.h5");
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
    int64_t complete = -1;
    ck_assert_int_eq(h5_read_attr_int64(path, "/", "complete", &complete), 0);
    ck_assert_int_eq(complete, 0); /* an error means never complete */
    ck_assert_uint_eq(diag_error_count(&d), 1);
    diag_release(&d);
    free(path);
    remove_dir();
}
END_TEST

START_TEST(test_identical_input_identical_bytes)
{
    make_dir();
    char *a = path_in_dir("a.h5"), *b = path_in_dir("b.h5");
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
    remove_dir();
}
END_TEST

static Suite *rec_suite(void)
{
    Suite *s = suite_create("rec");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_round_trip);
    tcase_add_test(tc, test_part_protocol);
    tcase_add_test(tc, test_unwritable_path_is_a_message);
    tcase_add_test(tc, test_sticky_error);
    tcase_add_test(tc, test_identical_input_identical_bytes);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(rec_suite)
