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
    char *cmds[] = {"run", "check", "bench", "sweep"};
    for (int i = 0; i < 4; i++) {
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

static char *scenario_path(const char *name)
{
    const char *root = getenv("SPLITSIM_SOURCE_ROOT");
    char *p = NULL;
    ck_assert_int_gt(asprintf(&p, "%s/scenarios/%s", root ? root : "..", name), 0);
    return p;
}

/* Writes text to a new scenario file in dir; returns its path. */
static char *write_scenario(const char *dir, const char *name, const char *text)
{
    char *p = NULL;
    ck_assert_int_gt(asprintf(&p, "%s/%s", dir, name), 0);
    FILE *f = fopen(p, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    return p;
}

START_TEST(test_bad_scenario_creates_no_file)
{
    char dir[] = "/tmp/splitsim-test-cli-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char *out = NULL;
    ck_assert_int_gt(asprintf(&out, "%s/r.h5", dir), 0);
    char *scn =
        write_scenario(dir, "bad.yaml", "run:\n  duration: 1 h\n  sed: 3\nues:\n  count: -1\n");
    char *a[] = {"splitsim", "run", scn, "-o", out};
    struct captured c = run_cli(5, a);
    ck_assert_int_eq(c.status, CLI_BAD_INPUT);
    char *expect = NULL;
    ck_assert_int_gt(
        asprintf(&expect,
                 "%s:3:3: error: run: unknown key 'sed' (did you mean 'seed'?)\n"
                 "    3 |   sed: 3\n"
                 "      |   ^\n"
                 "%s:5:10: error: ues.count: expected an integer in [1, 1000000], got '-1'\n"
                 "    5 |   count: -1\n"
                 "      |          ^\n"
                 "splitsim: 2 error(s); nothing was simulated\n",
                 scn, scn),
        0);
    ck_assert_str_eq(c.err, expect);
    free(expect);
    struct stat st;
    ck_assert_int_ne(stat(out, &st), 0);
    release(&c);
    /* A bad override: same rules, located at the --set argument. */
    char *good = scenario_path("queue.yaml");
    char *b[] = {"splitsim", "run", good, "--set", "run.warmup=99 h", "-o", out};
    c = run_cli(7, b);
    ck_assert_int_eq(c.status, CLI_BAD_INPUT);
    ck_assert_str_eq(c.err, "--set:1:12: error: run.warmup: expected a time < run.duration "
                            "(129600 s), got 356400 s\n"
                            "splitsim: 1 error(s); nothing was simulated\n");
    ck_assert_int_ne(stat(out, &st), 0);
    release(&c);
    char *e[] = {"splitsim", "run"};
    c = run_cli(2, e);
    ck_assert_int_eq(c.status, CLI_BAD_INPUT);
    ck_assert_ptr_nonnull(strstr(c.err, "run: expected a scenario file"));
    release(&c);
    unlink(scn);
    free(scn);
    free(good);
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
    char *scn = scenario_path("queue.yaml");
    char *a[] = {"splitsim",           "run",   scn,          "--set",
                 "run.duration=2 h",   "--set", "run.seed=9", "--set",
                 "run.replications=2", "-o",    out};
    struct captured c = run_cli(11, a);
    ck_assert_msg(c.status == CLI_OK, "%s", c.err);
    ck_assert_ptr_nonnull(strstr(c.out, "time in system [s]"));
    ck_assert_ptr_nonnull(strstr(c.out, "2 replication(s) from 0, seed 9"));
    ck_assert_str_eq(c.err, "");
    release(&c);
    int64_t complete = 0, seed = 0;
    ck_assert_int_eq(h5_read_attr_int64(out, "/", "complete", &complete), 0);
    ck_assert_int_eq(complete, 1);
    ck_assert_int_eq(h5_read_attr_int64(out, "/", "seed", &seed), 0);
    ck_assert_int_eq(seed, 9);
    size_t n = 0;
    int64_t *reps = h5_read_column(out, "/replications/replication", H5T_NATIVE_INT64, &n);
    ck_assert_uint_eq(n, 2);
    ck_assert_int_eq(reps[1], 1);
    free(reps);
    char *scenario = h5_read_attr_string(out, "/", "scenario");
    ck_assert_ptr_nonnull(strstr(scenario, "  duration: 7200 s\n"));
    char *hash = h5_read_attr_string(out, "/", "scenario_hash");

    /* check prints the same resolved scenario and hash */
    char *b[] = {"splitsim",          "check", scn,          "--set",
                 "run.duration=2 h",  "--set", "run.seed=9", "--set",
                 "run.replications=2"};
    c = run_cli(9, b);
    ck_assert_int_eq(c.status, CLI_OK);
    ck_assert(strncmp(c.out, scenario, strlen(scenario)) == 0);
    ck_assert_ptr_nonnull(strstr(c.out, hash));
    ck_assert_ptr_nonnull(strstr(c.out, "rho 0.8 (stable)"));
    release(&c);
    free(scenario);
    free(hash);
    free(scn);
    unlink(out);
    free(out);
    rmdir(dir);
}
END_TEST

START_TEST(test_sweep_list_and_point)
{
    char dir[] = "/tmp/splitsim-test-cli-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char *scn = scenario_path("load-sweep.yaml");
    char *a[] = {"splitsim", "sweep", scn, "--list"};
    struct captured c = run_cli(4, a);
    ck_assert_int_eq(c.status, CLI_OK);
    ck_assert(strncmp(c.out, "# 30 points: 10 grid x 1 zip x 3 replications\n", 46) == 0);
    ck_assert_ptr_nonnull(strstr(c.out, "\npoint 7: replication=1 workload.rate=0.05 /s "
                                        "edge.service=exponential hash="));
    release(&c);
    char *out = NULL;
    ck_assert_int_gt(asprintf(&out, "%s/p7.h5", dir), 0);
    char *b[] = {"splitsim",         "run", scn, "--point", "7", "--set",
                 "run.duration=1 h", "-o",  out, "-q"};
    c = run_cli(10, b);
    ck_assert_msg(c.status == CLI_OK, "%s", c.err);
    int64_t point = -2, first = -1;
    ck_assert_int_eq(h5_read_attr_int64(out, "/", "sweep_point", &point), 0);
    ck_assert_int_eq(point, 7);
    ck_assert_int_eq(h5_read_attr_int64(out, "/", "first_replication", &first), 0);
    ck_assert_int_eq(first, 1);
    release(&c);
    char *e[] = {"splitsim", "run", scn, "--point", "30"};
    c = run_cli(5, e);
    ck_assert_int_eq(c.status, CLI_BAD_INPUT);
    ck_assert_ptr_nonnull(strstr(c.err, "--point: expected a point in [0, 30), got 30"));
    release(&c);
    char *f[] = {"splitsim", "sweep", scn};
    c = run_cli(3, f);
    ck_assert_int_eq(c.status, CLI_BAD_INPUT);
    release(&c);
    unlink(out);
    free(out);
    free(scn);
    rmdir(dir);
}
END_TEST

START_TEST(test_schema_reference)
{
    char *a[] = {"splitsim", "check", "--schema"};
    struct captured c = run_cli(3, a);
    ck_assert_int_eq(c.status, CLI_OK);
    ck_assert_ptr_nonnull(strstr(c.out, "| `run.duration` | time [s] | **required** |"));
    release(&c);
}
END_TEST

/* An output that cannot be created is known before simulating: bad input, exit 2, the reason. */
START_TEST(test_uncreatable_output_is_bad_input)
{
    char *scn = scenario_path("queue.yaml");
    char *a[] = {
        "splitsim", "run", scn, "--set", "run.duration=1 h", "-o", "/nonexistent-dir/x.h5"};
    struct captured c = run_cli(7, a);
    ck_assert_int_eq(c.status, CLI_BAD_INPUT);
    ck_assert_ptr_nonnull(strstr(c.err, "results file: cannot create '/nonexistent-dir/x.h5': "
                                        "folder '/nonexistent-dir': No such file or directory"));
    ck_assert_ptr_nonnull(strstr(c.err, "nothing was simulated"));
    release(&c);
    free(scn);
}
END_TEST

START_TEST(test_bench_small)
{
    char *a[] = {"splitsim", "bench", "events",   "--pending", "10,100",
                 "--events", "1000",  "--repeat", "3"};
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

/* A derived table is held to the loader's bounds: 'tables derive' and 'tables show' refuse a
 * device too slow for the model (a layer taking more than a day) instead of writing a table that
 * no scenario could load. */
START_TEST(test_derive_too_slow_device)
{
    char dir[] = "/tmp/splitsim-test-cli-slow-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char *dev = write_scenario(dir, "slowest.yaml",
                               "name: slowest\npeak: 1e6 FLOP/s\n"
                               "bandwidth: 1e6 B/s\n");
    char *out = NULL;
    ck_assert_int_gt(asprintf(&out, "%s/t.yaml", dir), 0);
    char *a[] = {"splitsim", "tables", "derive", "tinyllama-1.1b", dev, "-o", out};
    struct captured c = run_cli(7, a);
    ck_assert_int_eq(c.status, CLI_BAD_INPUT);
    ck_assert_ptr_nonnull(strstr(c.err, "splitsim: error: the roofline of tinyllama-1.1b on "
                                        "slowest gives block, prefill of 1024 tokens"));
    ck_assert_ptr_nonnull(strstr(c.err, "the device is too slow for this model"));
    struct stat st;
    ck_assert_int_ne(stat(out, &st), 0);
    release(&c);
    char *b[] = {"splitsim", "tables", "show", "tinyllama-1.1b", dev};
    c = run_cli(5, b);
    ck_assert_int_eq(c.status, CLI_BAD_INPUT);
    ck_assert_ptr_nonnull(strstr(c.err, "the device is too slow for this model"));
    release(&c);
    unlink(dev);
    rmdir(dir);
    free(dev);
    free(out);
}
END_TEST

static Suite *cli_suite(void)
{
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("commands");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_help_and_version);
    tcase_add_test(tc, test_bad_command);
    tcase_add_test(tc, test_bad_scenario_creates_no_file);
    tcase_add_test(tc, test_run_and_check);
    tcase_add_test(tc, test_sweep_list_and_point);
    tcase_add_test(tc, test_schema_reference);
    tcase_add_test(tc, test_uncreatable_output_is_bad_input);
    tcase_add_test(tc, test_bench_small);
    tcase_add_test(tc, test_derive_too_slow_device);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(cli_suite)
