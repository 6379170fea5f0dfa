/* Whole subcommands run in-process: exit statuses, messages, and no file on bad input. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "cli/cli.h"
#include "h5read.h"

struct captured {
    int status;
    char *out, *err;
};

static struct captured run_cli(int argc, char **argv)
{
    struct captured c = {0};
    size_t no = 0, ne = 0;
    FILE *out = open_memstream(&c.out, &no);
    FILE *err = open_memstream(&c.err, &ne);
    struct cli_io io = {.out = out, .err = err};
    c.status = cli_main(argc, argv, &io);
    fclose(out);
    fclose(err);
    return c;
}

static void release(struct captured *c)
{
    free(c->out);
    free(c->err);
}

START_TEST(test_help_and_version)
{
    char *a1[] = {"splitsim", "--help"};
    struct captured c = run_cli(2, a1);
    ck_assert_int_eq(c.status, CLI_OK);
    ck_assert_ptr_nonnull(strstr(c.out, "usage: splitsim COMMAND"));
    ck_assert_ptr_nonnull(strstr(c.out, "bench"));
    release(&c);
    char *a2[] = {"splitsim", "--version"};
    c = run_cli(2, a2);
    ck_assert_int_eq(c.status, CLI_OK);
    ck_assert_ptr_nonnull(strstr(c.out, "splitsim 0."));
    ck_assert_ptr_nonnull(strstr(c.out, "HDF5"));
    release(&c);
    char *cmds[] = {"run", "check", "bench"};
    for (int i = 0; i < 3; i++) {
        char *a3[] = {"splitsim", cmds[i], "--help"};
        c = run_cli(3, a3);
        ck_assert_int_eq(c.status, CLI_OK);
        ck_assert_ptr_nonnull(strstr(c.out, "usage: splitsim"));
        release(&c);
    }
}
END_TEST

START_TEST(test_bad_command)
{
    char *a[] = {"splitsim", "rnu"};
    struct captured c = run_cli(2, a);
    ck_assert_int_eq(c.status, CLI_BAD_INPUT);
    ck_assert_str_eq(c.err, "splitsim: error: unknown command 'rnu' (did you mean 'run'?)\n");
    release(&c);
    char *b[] = {"splitsim"};
    c = run_cli(1, b);
    ck_assert_int_eq(c.status, CLI_BAD_INPUT);
    release(&c);
}
END_TEST

START_TEST(test_bad_run_creates_no_file)
{
    char dir[] = "/tmp/splitsim-test-cli-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char *out = NULL;
    ck_assert_int_gt(asprintf(&out, "%s/r.h5", dir), 0);
    char *a[] = {"splitsim", "run", "--arrival-rate", "fast", "--customers", "0", "--sed", "3",
                 "-o", out};
    struct captured c = run_cli(10, a);
    ck_assert_int_eq(c.status, CLI_BAD_INPUT);
    ck_assert_ptr_nonnull(strstr(c.err, "--arrival-rate: expected a finite number, got 'fast'"));
    ck_assert_ptr_nonnull(strstr(c.err, "--customers: expected an integer in [1,"));
    ck_assert_ptr_nonnull(strstr(c.err, "unknown option '--sed' (did you mean '--seed'?)"));
    ck_assert_ptr_nonnull(strstr(c.err, "3 error(s); nothing was simulated"));
    struct stat st;
    ck_assert_int_ne(stat(out, &st), 0);
    release(&c);
    char *b[] = {"splitsim", "run", "--warmup", "10", "--customers", "10", "-o", out};
    c = run_cli(8, b);
    ck_assert_int_eq(c.status, CLI_BAD_INPUT);
    ck_assert_ptr_nonnull(strstr(c.err, "warm-up must leave at least one customer"));
    ck_assert_int_ne(stat(out, &st), 0);
    release(&c);
    free(out);
    rmdir(dir);
}
END_TEST

START_TEST(test_run_and_check)
{
    char dir[] = "/tmp/splitsim-test-cli-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char *out = NULL;
    ck_assert_int_gt(asprintf(&out, "%s/r.h5", dir), 0);
    char *a[] = {"splitsim", "run", "--customers", "2000", "--warmup", "100", "--seed", "9",
                 "-o", out};
    struct captured c = run_cli(10, a);
    ck_assert_msg(c.status == CLI_OK, "%s", c.err);
    ck_assert_ptr_nonnull(strstr(c.out, "time in system [s]"));
    ck_assert_str_eq(c.err, "");
    release(&c);
    int64_t complete = 0, seed = 0;
    ck_assert_int_eq(h5_read_attr_int64(out, "/", "complete", &complete), 0);
    ck_assert_int_eq(complete, 1);
    ck_assert_int_eq(h5_read_attr_int64(out, "/", "seed", &seed), 0);
    ck_assert_int_eq(seed, 9);
    char *scenario = h5_read_attr_string(out, "/", "scenario");
    ck_assert_ptr_nonnull(strstr(scenario, "customers: 2000\n"));

    /* check prints the same resolved configuration */
    char *b[] = {"splitsim", "check", "--customers", "2000", "--warmup", "100", "--seed", "9"};
    c = run_cli(8, b);
    ck_assert_int_eq(c.status, CLI_OK);
    ck_assert(strncmp(c.out, scenario, strlen(scenario)) == 0);
    ck_assert_ptr_nonnull(strstr(c.out, "# rho = 0.8; stable"));
    release(&c);
    free(scenario);
    unlink(out);
    free(out);
    rmdir(dir);
}
END_TEST

START_TEST(test_unwritable_output_is_runtime_failure)
{
    char *a[] = {"splitsim", "run", "--customers", "10", "--warmup", "0", "-o",
                 "/nonexistent-dir/x.h5"};
    struct captured c = run_cli(8, a);
    ck_assert_int_eq(c.status, CLI_FAILURE);
    ck_assert_ptr_nonnull(strstr(c.err, "/nonexistent-dir/x.h5: error: results file: cannot create"));
    release(&c);
}
END_TEST

START_TEST(test_bench_small)
{
    char *a[] = {"splitsim", "bench", "events", "--pending", "10,100", "--events", "1000",
                 "--repeat", "3"};
    struct captured c = run_cli(9, a);
    ck_assert_int_eq(c.status, CLI_OK);
    ck_assert_ptr_nonnull(strstr(c.out, "P=10 events=1000 events_per_s="));
    ck_assert_ptr_nonnull(strstr(c.out, "\nP=100 events=1000 events_per_s="));
    release(&c);
    char *b[] = {"splitsim", "bench", "events", "--pending", "10,x"};
    c = run_cli(5, b);
    ck_assert_int_eq(c.status, CLI_BAD_INPUT);
    release(&c);
    char *e[] = {"splitsim", "bench", "evnts"};
    c = run_cli(3, e);
    ck_assert_int_eq(c.status, CLI_BAD_INPUT);
    ck_assert_ptr_nonnull(strstr(c.err, "expected a benchmark name: events, got 'evnts'"));
    release(&c);
}
END_TEST

static Suite *cli_suite(void)
{
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("commands");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_help_and_version);
    tcase_add_test(tc, test_bad_command);
    tcase_add_test(tc, test_bad_run_creates_no_file);
    tcase_add_test(tc, test_run_and_check);
    tcase_add_test(tc, test_unwritable_output_is_runtime_failure);
    tcase_add_test(tc, test_bench_small);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(cli_suite)
