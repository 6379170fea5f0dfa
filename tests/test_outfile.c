/* Output files: temporary names unique to the process, atomic commit, nothing left on abort,
 * writability checked without creating anything, and "same file" by identity, not spelling. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "scratch.h"
#include "sim/outfile.h"

static char dir[SCRATCH_SIZE];

START_TEST(test_temp_name)
{
    char *t = outfile_temp_name("out/x.h5");
    char tail[32];
    snprintf(tail, sizeof tail, ".%ld.part", (long)getpid());
    ck_assert(strncmp(t, "out/x.h5.", 9) == 0);
    ck_assert(strlen(t) > strlen(tail) && strcmp(t + strlen(t) - strlen(tail), tail) == 0);
    for (const char *c = t + 9; *c; c++) /* host and pid: a plain file name */
        ck_assert(*c != '/' && *c != ' ');
    free(t);
}
END_TEST

START_TEST(test_commit_and_abort)
{
    scratch_make(dir, "outfile");
    char *path = scratch_path(dir, "a.txt");
    struct diag d;
    diag_init(&d);
    struct outfile o;
    ck_assert_int_eq(outfile_open(&o, path, &d), 0);
    fputs("old\n", o.f);
    ck_assert_int_eq(outfile_commit(&o, 0, &d), 0);
    ck_assert_uint_eq(scratch_entries(dir), 1); /* the file, no temporary */
    ck_assert_int_eq(outfile_open(&o, path, &d), 0);
    fputs("new\n", o.f);
    ck_assert_uint_eq(scratch_entries(dir),
                      2); /* the old file is still whole while the new one is written */
    outfile_abort(&o);
    ck_assert_uint_eq(scratch_entries(dir), 1);
    FILE *f = fopen(path, "r");
    char line[16] = "";
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
    fclose(f);
    ck_assert_str_eq(line, "old\n");
    ck_assert_int_eq(outfile_open(&o, path, &d), 0);
    fputs("new\n", o.f);
    ck_assert_int_eq(outfile_commit(&o, 0755, &d), 0);
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0755);
    ck_assert_uint_eq(diag_error_count(&d), 0);
    char *missing = scratch_path(dir, "no/such/folder.txt");
    ck_assert_int_eq(outfile_open(&o, missing, &d), -ENOENT);
    ck_assert_ptr_nonnull(strstr(d.msgs[0].text, "No such file or directory"));
    free(missing);
    diag_release(&d);
    free(path);
    scratch_remove(dir);
}
END_TEST

START_TEST(test_check_writable)
{
    scratch_make(dir, "outfile");
    struct diag d;
    diag_init(&d);
    char *fine = scratch_path(dir, "new.h5"), *missing = scratch_path(dir, "nope/x.h5");
    ck_assert_int_eq(outfile_check_writable(fine, "-o", &d), 0);
    ck_assert_int_eq(access(fine, F_OK), -1); /* nothing created */
    ck_assert_int_eq(outfile_check_writable(missing, "-o", &d), -ENOENT);
    ck_assert_int_eq(outfile_check_writable(dir, "-o", &d), -EISDIR);
    ck_assert_int_eq(outfile_check_writable("/dev/null", "-o", &d), -EINVAL);
    ck_assert_int_eq(outfile_check_writable("", "-o", &d), -EINVAL);
    ck_assert_uint_eq(diag_error_count(&d), 4);
    ck_assert_ptr_nonnull(strstr(d.msgs[1].text, "a folder"));
    ck_assert_ptr_nonnull(strstr(d.msgs[2].text, "not a regular file"));
    diag_release(&d);
    free(fine);
    free(missing);
    scratch_remove(dir);
}
END_TEST

START_TEST(test_same_file)
{
    scratch_make(dir, "outfile");
    char *a = scratch_path(dir, "a.yaml"), *a2 = NULL, *link = scratch_path(dir, "l.yaml"),
         *b = scratch_path(dir, "b.yaml");
    ck_assert_int_gt(asprintf(&a2, "%s/./sub/../a.yaml", dir), 0);
    char *sub = scratch_path(dir, "sub");
    ck_assert_int_eq(mkdir(sub, 0700), 0);
    /* neither exists yet: same folder, same name */
    ck_assert(outfile_same(a, a2));
    ck_assert(!outfile_same(a, b));
    FILE *f = fopen(a, "w");
    fclose(f);
    ck_assert(outfile_same(a, a2));
    ck_assert_int_eq(symlink(a, link), 0);
    ck_assert(outfile_same(a, link)); /* the same inode under another name */
    ck_assert(!outfile_same(a, b));   /* one exists, the other does not */
    free(a);
    free(a2);
    free(link);
    free(b);
    free(sub);
    scratch_remove(dir);
}
END_TEST

static Suite *outfile_suite(void)
{
    Suite *s = suite_create("outfile");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_temp_name);
    tcase_add_test(tc, test_commit_and_abort);
    tcase_add_test(tc, test_check_writable);
    tcase_add_test(tc, test_same_file);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(outfile_suite)
