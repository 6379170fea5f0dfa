/* filepath: where a relative path points (the rules of scn/filepath.h, one case each). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "scn/filepath.h"
#include "scratch.h"

/* Asserts that resolving `path` against `dir` gives `want`. */
static void expect_resolve(const char *dir, const char *path, const char *want)
{
    char *got = filepath_resolve(dir, path);
    ck_assert_ptr_nonnull(got);
    ck_assert_msg(strcmp(got, want) == 0, "'%s' against '%s': got '%s', expected '%s'", path, dir,
                  got, want);
    free(got);
}

START_TEST(test_resolve)
{
    /* none, and absolute paths: exactly as written, whatever the directory */
    expect_resolve("/p/scen", "", "");
    expect_resolve("/p/scen", "/data/t.csv", "/data/t.csv");
    expect_resolve("/p/scen", "/data/./x/../t.csv", "/data/./x/../t.csv");
    /* relative: below the directory, "." and repeated '/' left out */
    expect_resolve("/p/scen", "t.csv", "/p/scen/t.csv");
    expect_resolve("/p/scen", "./t.csv", "/p/scen/t.csv");
    expect_resolve("/p/scen", "sub//./t.csv", "/p/scen/sub/t.csv");
    expect_resolve("/p/scen/", "sub/", "/p/scen/sub");
    expect_resolve("/p/scen", ".", "/p/scen");
    /* leading "..": out of the (real) directory; a later one is kept (a link may precede it) */
    expect_resolve("/p/scen", "../tables/t.csv", "/p/tables/t.csv");
    expect_resolve("/p/scen", "./../../t.csv", "/t.csv");
    expect_resolve("/p/scen", "../../../../t.csv", "/t.csv");
    expect_resolve("/p/scen", "link/../t.csv", "/p/scen/link/../t.csv");
    expect_resolve("/p/scen", "..", "/p");
    /* the root as the directory */
    expect_resolve("/", "t.csv", "/t.csv");
    expect_resolve("/", "../t.csv", "/t.csv");
    /* resolving again changes nothing */
    char *once = filepath_resolve("/p/scen", "../a/./b.csv");
    ck_assert_ptr_nonnull(once);
    expect_resolve("/elsewhere", once, once);
    free(once);
    ck_assert(filepath_is_absolute("/x") && !filepath_is_absolute("x") &&
              !filepath_is_absolute("./x") && !filepath_is_absolute(""));
}
END_TEST

/* The directory of a scenario file: the folder of its real path, from any spelling of it. */
START_TEST(test_dir_of)
{
    char dir[SCRATCH_SIZE];
    scratch_make(dir, "filepath");
    char *real = realpath(dir, NULL); /* /tmp may be a link */
    ck_assert_ptr_nonnull(real);
    char *sub = scratch_path(real, "scen"), *file = scratch_path(sub, "s.yaml");
    ck_assert_int_eq(mkdir(sub, 0777), 0);
    FILE *f = fopen(file, "w");
    ck_assert_ptr_nonnull(f);
    fclose(f);
    char *got = filepath_dir_of(file);
    ck_assert_str_eq(got, sub);
    free(got);
    /* another spelling of the same file */
    char *odd = NULL;
    ck_assert_int_gt(asprintf(&odd, "%s/./scen//../scen/s.yaml", real), 0);
    got = filepath_dir_of(odd);
    ck_assert_str_eq(got, sub);
    free(got);
    free(odd);
    /* a scenario reached through a symbolic link names the files beside the file itself */
    char *link = scratch_path(real, "link.yaml");
    ck_assert_int_eq(symlink("scen/s.yaml", link), 0);
    got = filepath_dir_of(link);
    ck_assert_str_eq(got, sub);
    free(got);
    /* a file that does not exist: the folder its path names (a relative one: in the cwd) */
    got = filepath_dir_of("/nonexistent-splitsim/x/s.yaml");
    ck_assert_str_eq(got, "/nonexistent-splitsim/x");
    free(got);
    got = filepath_dir_of("/s-nonexistent.yaml");
    ck_assert_str_eq(got, "/");
    free(got);
    char *cwd = filepath_cwd(), *want = NULL;
    ck_assert_ptr_nonnull(cwd);
    got = filepath_dir_of("no-such-scenario.yaml");
    ck_assert_str_eq(got, cwd);
    free(got);
    ck_assert_int_gt(asprintf(&want, "%s/no-such-dir", cwd), 0);
    got = filepath_dir_of("no-such-dir/s.yaml");
    ck_assert_str_eq(got, want);
    free(got);
    free(want);
    /* a directory named on a command line: its real path; relative ones in the cwd */
    got = filepath_real_dir(real);
    ck_assert_str_eq(got, real);
    free(got);
    got = filepath_real_dir(".");
    ck_assert_str_eq(got, cwd);
    free(got);
    got = filepath_real_dir("/nonexistent-splitsim/./y/");
    ck_assert_str_eq(got, "/nonexistent-splitsim/y");
    free(got);
    free(cwd);
    free(link);
    free(file);
    free(sub);
    free(real);
    scratch_remove(dir);
}
END_TEST

static Suite *filepath_suite(void)
{
    Suite *s = suite_create("filepath");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_resolve);
    tcase_add_test(tc, test_dir_of);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(filepath_suite)
