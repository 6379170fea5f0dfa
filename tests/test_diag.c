/* Diagnostics: GCC-style locations, quoted source line with caret, caps, suggestions; quoting
 * bounded (special files never read, long files scanned only so far) and sparing with files that
 * are not scenarios. */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "scratch.h"
#include "sim/diag.h"

/* Prints d into a string (caller frees). */
static char *printed(const struct diag *d)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    diag_print(d, f, "splitsim");
    fclose(f);
    return buf;
}

/* d printed must read exactly as the format says; d is released. */
__attribute__((format(printf, 2, 3))) static void expect_printed(struct diag *d, const char *fmt,
                                                                 ...)
{
    char *out = printed(d), *expect = NULL;
    va_list ap;
    va_start(ap, fmt);
    ck_assert_int_gt(vasprintf(&expect, fmt, ap), 0);
    va_end(ap);
    ck_assert_str_eq(out, expect);
    free(out);
    free(expect);
    diag_release(d);
}

/* A new file of `len` bytes of text in a private folder (removed with scratch_remove). */
static char *write_file(char dir[SCRATCH_SIZE], const char *text, size_t len)
{
    scratch_make(dir, "diag");
    char *path = scratch_path(dir, "file");
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
    close(fd);
    return path;
}

START_TEST(test_location_and_caret)
{
    char dir[SCRATCH_SIZE];
    const char *text = "run:\n  count: -3\n\tbad: tab\n";
    char *path = write_file(dir, text, strlen(text));

    struct diag d;
    diag_init(&d);
    diag_quote_freely(&d, path); /* a scenario: every message quotes its line */
    diag_report(&d, DIAG_ERROR, path, 2, 10, "ues.count: expected an integer >= 1, got '%s'", "-3");
    diag_report(&d, DIAG_WARNING, path, 3, 1, "tab");
    diag_error(&d, "no location");
    ck_assert_uint_eq(diag_error_count(&d), 2);
    ck_assert_uint_eq(d.warnings, 1);
    expect_printed(&d,
                   "%s:2:10: error: ues.count: expected an integer >= 1, got '-3'\n"
                   "    2 |   count: -3\n"
                   "      |          ^\n"
                   "%s:3:1: warning: tab\n"
                   "    3 |  bad: tab\n"
                   "      | ^\n"
                   "splitsim: error: no location\n",
                   path, path);
    free(path);
    scratch_remove(dir);
}
END_TEST

START_TEST(test_unreadable_file_still_prints_location)
{
    struct diag d;
    diag_init(&d);
    diag_report(&d, DIAG_ERROR, "/nonexistent/x.yaml", 4, 2, "bad");
    char *out = printed(&d);
    ck_assert_str_eq(out, "/nonexistent/x.yaml:4:2: error: bad\n");
    free(out);
    diag_release(&d);
}
END_TEST

START_TEST(test_cap_bounds_memory)
{
    struct diag d;
    diag_init(&d);
    d.max_messages = 5;
    for (int i = 0; i < 1000; i++)
        diag_error(&d, "error %d", i);
    ck_assert_uint_eq(d.len, 5);
    ck_assert_uint_eq(d.dropped, 995);
    ck_assert_uint_eq(diag_error_count(&d), 1000);
    char *out = printed(&d);
    ck_assert_ptr_nonnull(strstr(out, "995 further message(s) not shown"));
    free(out);
    diag_clear(&d);
    ck_assert_uint_eq(diag_error_count(&d), 0);
    diag_release(&d);
}
END_TEST

/* Control characters: every byte below 0x20 and DEL; not space, not UTF-8 (0xc3 0xa9 = e-acute). */
START_TEST(test_has_control)
{
    ck_assert(!diag_has_control(""));
    ck_assert(!diag_has_control("plain name, with spaces ~"));
    ck_assert(!diag_has_control("caf\xc3\xa9"));
    ck_assert(diag_has_control("two\nlines"));
    ck_assert(diag_has_control("\ttab"));
    ck_assert(diag_has_control("end\x7f"));
    ck_assert(diag_has_control("\x01"));
    ck_assert(!diag_has_control(" "));
}
END_TEST

START_TEST(test_nearest)
{
    const char *keys[] = {"policy", "seed", "duration", "replications"};
    ck_assert_str_eq(diag_nearest("polcy", keys, 4), "policy");
    ck_assert_str_eq(diag_nearest("sed", keys, 4), "seed");
    ck_assert_str_eq(diag_nearest("replication", keys, 4), "replications");
    ck_assert_ptr_null(diag_nearest("bandwidth", keys, 4));
    ck_assert_ptr_null(diag_nearest("x", keys, 0));
}
END_TEST

/* A file that is not a scenario (a table, a trace, /etc/passwd named as one) has one line quoted,
 * for its first message with a line, cut to 120 characters; its other messages are listed. */
START_TEST(test_other_files_quoted_once_and_cut)
{
    char dir[SCRATCH_SIZE];
    char text[400];
    memset(text, 'a', 300);
    memcpy(text + 300, "\nsecret: two\nsecret: three\n", 28);
    char *path = write_file(dir, text, 328);
    struct diag d;
    diag_init(&d);
    diag_report(&d, DIAG_ERROR, path, 0, 0, "no line");
    diag_report(&d, DIAG_ERROR, path, 1, 5, "first");
    diag_report(&d, DIAG_ERROR, path, 2, 1, "second");
    diag_report(&d, DIAG_ERROR, path, 3, 1, "third");
    expect_printed(&d,
                   "%s: error: no line\n"
                   "%s:1:5: error: first\n"
                   "    1 | %.120s\n"
                   "      |     ^\n"
                   "%s:2:1: error: second\n"
                   "%s:3:1: error: third\n",
                   path, path, text, path, path);
    free(path);
    scratch_remove(dir);
}
END_TEST

/* Quoting never reads a FIFO or a device (the tcase's timeout fails a hang on /dev/zero or on a
 * FIFO without a writer), nor a regular file beyond its first 64 MiB. */
START_TEST(test_quoting_bounded)
{
    char dir[SCRATCH_SIZE];
    char *big = write_file(dir, "", 0), *fifo = scratch_path(dir, "fifo");
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    /* 70 MiB without a newline (sparse zeros), then line 2 */
    int fd = open(big, O_WRONLY);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(ftruncate(fd, (off_t)70 << 20), 0);
    ck_assert_int_eq(lseek(fd, 0, SEEK_END), (off_t)70 << 20);
    ck_assert_int_eq(write(fd, "\nline two\n", 10), 10);
    close(fd);
    struct diag d;
    diag_init(&d);
    diag_quote_freely(&d, fifo);
    diag_quote_freely(&d, "/dev/zero");
    diag_quote_freely(&d, big);
    diag_report(&d, DIAG_ERROR, fifo, 1, 1, "fifo");
    diag_report(&d, DIAG_ERROR, "/dev/zero", 2, 1, "zero");
    diag_report(&d, DIAG_ERROR, big, 2, 1, "far");
    expect_printed(&d, "%s:1:1: error: fifo\n/dev/zero:2:1: error: zero\n%s:2:1: error: far\n",
                   fifo, big);
    free(big);
    free(fifo);
    scratch_remove(dir);
}
END_TEST

static Suite *diag_suite(void)
{
    Suite *s = suite_create("diag");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_location_and_caret);
    tcase_add_test(tc, test_unreadable_file_still_prints_location);
    tcase_add_test(tc, test_cap_bounds_memory);
    tcase_add_test(tc, test_has_control);
    tcase_add_test(tc, test_nearest);
    tcase_add_test(tc, test_other_files_quoted_once_and_cut);
    tcase_add_test(tc, test_quoting_bounded);
    tcase_set_timeout(tc, 20);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(diag_suite)
