/* Whole-file reads: content and terminating NUL, a missing file, the size limit, special files
 * refused without blocking or reading, and memory bounded by the limit. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "sim/slurp.h"

START_TEST(test_slurp)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/splitsim-test-slurp-%d.txt", (int)getpid());
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    for (int i = 0; i < 100000; i++)
        fputs("0123456789", f); /* 1,000,000 bytes: several buffer growths */
    fclose(f);
    struct diag d;
    diag_init(&d);
    char *buf = NULL;
    size_t len = 0;
    ck_assert_int_eq(slurp_file(path, 2000000, &buf, &len, &d), 0);
    ck_assert_uint_eq(len, 1000000);
    ck_assert_int_eq(buf[len], '\0');
    ck_assert(memcmp(buf + 999990, "0123456789", 10) == 0);
    free(buf);
    ck_assert_int_eq(slurp_file(path, 999999, &buf, &len, &d), -EINVAL);
    ck_assert_ptr_null(buf);
    ck_assert_str_eq(d.msgs[0].file, path);
    ck_assert_str_eq(d.msgs[0].text, "file too large: 1000000 bytes (at most 999999)");
    unlink(path);
    ck_assert_int_eq(slurp_file(path, 10, &buf, &len, &d), -EINVAL);
    ck_assert_ptr_nonnull(strstr(d.msgs[1].text, "cannot open: No such file or directory"));
    diag_release(&d);
}
END_TEST

/* A FIFO with no writer, a character device that never ends and a directory are refused up
 * front, by name of what they are, without blocking (the tcase's timeout fails a hang). */
START_TEST(test_special_files_refused)
{
    char fifo[64];
    snprintf(fifo, sizeof fifo, "/tmp/splitsim-test-slurp-fifo-%d", (int)getpid());
    unlink(fifo);
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    const char *paths[] = {fifo, "/dev/zero", "/tmp"};
    const char *kinds[] = {"a FIFO", "a character device", "a directory"};
    for (int i = 0; i < 3; i++) {
        struct diag d;
        diag_init(&d);
        char *buf = NULL;
        size_t len = 0;
        ck_assert_int_eq(slurp_file(paths[i], (size_t)1 << 30, &buf, &len, &d), -EINVAL);
        ck_assert_ptr_null(buf);
        ck_assert_uint_eq(d.len, 1);
        ck_assert_str_eq(d.msgs[0].file, paths[i]);
        char want[64];
        snprintf(want, sizeof want, "expected a regular file, got %s", kinds[i]);
        ck_assert_str_eq(d.msgs[0].text, want);
        diag_release(&d);
        /* slurp_open alone refuses them the same way */
        diag_init(&d);
        ck_assert_int_eq(slurp_open(paths[i], &d), -EINVAL);
        ck_assert_str_eq(d.msgs[0].text, want);
        diag_release(&d);
    }
    unlink(fifo);
}
END_TEST

/* Reading a file of N bytes under a limit of about N allocates about N bytes, never twice that:
 * with the address space capped a little above N + what the process holds, the read succeeds.
 * (Skipped under AddressSanitizer, whose shadow memory needs an uncapped address space.) */
START_TEST(test_memory_bounded_by_file_size)
{
#if defined(__SANITIZE_ADDRESS__)
    return;
#else
    char path[64];
    snprintf(path, sizeof path, "/tmp/splitsim-test-slurp-big-%d", (int)getpid());
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ck_assert_int_ge(fd, 0);
    const size_t size = (size_t)24 << 20;
    ck_assert_int_eq(ftruncate(fd, (off_t)size), 0); /* sparse: 24 MiB of zeros */
    close(fd);
    struct diag d;
    diag_init(&d);
    /* The address space in use now (from /proc/self/statm, in pages), plus 28 MiB. */
    FILE *f = fopen("/proc/self/statm", "r");
    ck_assert_ptr_nonnull(f);
    unsigned long pages = 0;
    ck_assert_int_eq(fscanf(f, "%lu", &pages), 1);
    fclose(f);
    struct rlimit lim;
    lim.rlim_cur = lim.rlim_max =
        (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE) + ((rlim_t)28 << 20);
    ck_assert_int_eq(setrlimit(RLIMIT_AS, &lim), 0); /* this test runs in its own process */
    char *buf = NULL;
    size_t len = 0;
    ck_assert_int_eq(slurp_file(path, size + 100, &buf, &len, &d), 0);
    ck_assert_uint_eq(len, size);
    free(buf);
    /* A limit below the size is refused from the size alone, before anything is read. */
    ck_assert_int_eq(slurp_file(path, size - 1, &buf, &len, &d), -EINVAL);
    ck_assert_str_eq(d.msgs[0].text, "file too large: 25165824 bytes (at most 25165823)");
    diag_release(&d);
    unlink(path);
#endif
}
END_TEST

static Suite *slurp_suite(void)
{
    Suite *s = suite_create("slurp");
    TCase *tc = tcase_create("read");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, test_slurp);
    tcase_add_test(tc, test_special_files_refused);
    tcase_add_test(tc, test_memory_bounded_by_file_size);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(slurp_suite)
