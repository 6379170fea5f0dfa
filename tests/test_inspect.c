/* Inspecting results files: complete and interrupted files described (completeness, replications
 * finished, tables and rows), a damaged file and a non-regular file refused, never a hang. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "scratch.h"
#include "results/inspect.h"
#include "results/rec.h"

static const struct rec_column cols[] = {{"x", REC_FLOAT64, "1", "a value"}};

/* A file with `rows` rows in /t, `done` replications checkpointed, closed complete or not. */
static void write_results(const char *path, int rows, int done, bool complete)
{
    struct diag d;
    diag_init(&d);
    struct rec *r;
    struct rec_options opt = {.chunk_rows = 16};
    ck_assert_int_eq(rec_open(&r, path, &opt, &d), 0);
    rec_attr_string(r, "/", "model", "queue");
    rec_attr_int64(r, "/", "replications", 4);
    struct rec_table *t;
    ck_assert_int_eq(rec_table_create(r, "/t", cols, 1, &t), 0);
    for (int i = 0; i < rows; i++) {
        rec_set_double(t, 0, i);
        rec_row_commit(t);
    }
    ck_assert_int_eq(rec_checkpoint(r, "/", "replications_done", done), 0);
    rec_scalar_double(r, "/summary/x", "mean", "1", NULL, 1.5);
    ck_assert_int_eq(rec_close(r, complete), 0);
    diag_release(&d);
}

static char *describe(const char *path, int *rc)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    struct diag d;
    diag_init(&d);
    *rc = inspect_file(path, out, &d);
    fclose(out);
    diag_release(&d);
    return text;
}

START_TEST(test_complete_and_incomplete)
{
    char dir[SCRATCH_SIZE];
    scratch_make(dir, "inspect");
    char *a = scratch_path(dir, "a.h5"), *b = scratch_path(dir, "b.h5"),
         *binc = scratch_path(dir, "b.incomplete.h5");
    write_results(a, 100, 4, true);
    write_results(b, 37, 2, false);
    int rc = 0;
    char *text = describe(a, &rc);
    ck_assert_int_eq(rc, 0);
    ck_assert_ptr_nonnull(strstr(text, "splitsim-results (format 3)"));
    ck_assert_ptr_nonnull(strstr(text, "complete:          yes"));
    ck_assert_ptr_nonnull(strstr(text, "4 finished of 4"));
    ck_assert_ptr_nonnull(strstr(text, "/t"));
    ck_assert_ptr_nonnull(strstr(text, "100 row(s), 1 column(s)"));
    ck_assert_ptr_nonnull(strstr(text, "/summary"));
    ck_assert_ptr_nonnull(strstr(text, "readable:          yes"));
    free(text);
    text = describe(binc, &rc);
    ck_assert_int_eq(rc, 0);
    ck_assert_ptr_nonnull(strstr(text, "complete:          no"));
    ck_assert_ptr_nonnull(strstr(text, "2 finished of 4"));
    ck_assert_ptr_nonnull(strstr(text, "37 row(s)"));
    free(text);
    /* damaged: the same file cut short */
    ck_assert_int_eq(truncate(a, 2000), 0);
    text = describe(a, &rc);
    ck_assert_int_eq(rc, -EIO);
    free(text);
    /* a FIFO is refused before any read (no hang); so are a folder and a missing file */
    char *fifo = scratch_path(dir, "fifo");
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    free(describe(fifo, &rc));
    ck_assert_int_eq(rc, -EINVAL);
    free(describe(dir, &rc));
    ck_assert_int_eq(rc, -EINVAL);
    free(describe("/dev/zero", &rc));
    ck_assert_int_eq(rc, -EINVAL);
    char *missing = scratch_path(dir, "missing.h5");
    free(describe(missing, &rc));
    ck_assert_int_eq(rc, -EINVAL);
    scratch_remove(dir);
    free(a);
    free(b);
    free(binc);
    free(fifo);
    free(missing);
}
END_TEST

static Suite *inspect_suite(void)
{
    Suite *s = suite_create("inspect");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_complete_and_incomplete);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(inspect_suite)
