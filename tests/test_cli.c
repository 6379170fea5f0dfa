/* Whole subcommands run in-process: exit statuses, messages, and no file on bad input. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "cli/cli.h"
#include "h5read.h"
#include "models/llm/arch.h"
#include "models/llm/device.h"
#include "models/model.h"
#include "scratch.h"

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

/* Runs the NULL-terminated argv: the status must be `status`, and out_has (err_has) in standard
 * output (error), where not NULL. */
static void expect_cli(char **argv, int status, const char *out_has, const char *err_has)
{
    int argc = 0;
    while (argv[argc])
        argc++;
    struct captured c = run_cli(argc, argv);
    ck_assert_msg(c.status == status, "%s: status %d, expected %d; stderr: %s", argv[1], c.status,
                  status, c.err);
    ck_assert_msg(!out_has || strstr(c.out, out_has), "'%s' not in stdout: %s", out_has, c.out);
    ck_assert_msg(!err_has || strstr(c.err, err_has), "'%s' not in stderr: %s", err_has, c.err);
    release(&c);
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
    for (int i = 0; i < 4; i++)
        expect_cli((char *[]){"splitsim", cmds[i], "--help", NULL}, CLI_OK, "usage: splitsim",
                   NULL);
}
END_TEST

START_TEST(test_bad_command)
{
    char *a[] = {"splitsim", "rnu"};
    struct captured c = run_cli(2, a);
    ck_assert_int_eq(c.status, CLI_BAD_INPUT);
    ck_assert_str_eq(c.err, "splitsim: error: unknown command 'rnu' (did you mean 'run'?)\n");
    release(&c);
    expect_cli((char *[]){"splitsim", NULL}, CLI_BAD_INPUT, NULL, NULL);
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
    char *p = scratch_path(dir, name);
    FILE *f = fopen(p, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    return p;
}

START_TEST(test_bad_scenario_creates_no_file)
{
    char dir[SCRATCH_SIZE];
    scratch_make(dir, "cli");
    char *out = scratch_path(dir, "r.h5");
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
    expect_cli((char *[]){"splitsim", "run", NULL}, CLI_BAD_INPUT, NULL,
               "run: expected a scenario file");
    free(scn);
    free(good);
    free(out);
    scratch_remove(dir);
}
END_TEST

START_TEST(test_run_and_check)
{
    char dir[SCRATCH_SIZE];
    scratch_make(dir, "cli");
    char *out = scratch_path(dir, "r.h5");
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
    free(out);
    scratch_remove(dir);
}
END_TEST

START_TEST(test_sweep_list_and_point)
{
    char dir[SCRATCH_SIZE];
    scratch_make(dir, "cli");
    char *scn = scenario_path("load-sweep.yaml");
    char *a[] = {"splitsim", "sweep", scn, "--list"};
    struct captured c = run_cli(4, a);
    ck_assert_int_eq(c.status, CLI_OK);
    ck_assert(strncmp(c.out, "# 30 points: 10 grid x 1 zip x 3 replications\n", 46) == 0);
    ck_assert_ptr_nonnull(strstr(c.out, "\npoint 7: replication=1 workload.rate=0.05 /s "
                                        "edge.service=exponential hash="));
    release(&c);
    char *out = scratch_path(dir, "p7.h5");
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
    expect_cli((char *[]){"splitsim", "run", scn, "--point", "30", NULL}, CLI_BAD_INPUT, NULL,
               "--point: expected a point in [0, 30), got 30");
    expect_cli((char *[]){"splitsim", "sweep", scn, NULL}, CLI_BAD_INPUT, NULL, NULL);
    free(out);
    free(scn);
    scratch_remove(dir);
}
END_TEST

START_TEST(test_schema_reference)
{
    expect_cli((char *[]){"splitsim", "check", "--schema", NULL}, CLI_OK,
               "| `run.duration` | time [s] | **required** |", NULL);
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
    expect_cli((char *[]){"splitsim", "bench", "events", "--pending", "10,x", NULL}, CLI_BAD_INPUT,
               NULL, NULL);
    expect_cli((char *[]){"splitsim", "bench", "evnts", NULL}, CLI_BAD_INPUT, NULL,
               "expected a benchmark name: events, got 'evnts'");
}
END_TEST

/* A derived table is held to the loader's bounds: 'tables derive' and 'tables show' refuse a
 * device too slow for the model (a layer taking more than a day) instead of writing a table that
 * no scenario could load. */
START_TEST(test_derive_too_slow_device)
{
    char dir[SCRATCH_SIZE];
    scratch_make(dir, "cli-slow");
    char *dev = write_scenario(dir, "slowest.yaml",
                               "name: slowest\npeak: 1e6 FLOP/s\n"
                               "bandwidth: 1e6 B/s\n");
    char *out = scratch_path(dir, "t.yaml");
    char *a[] = {"splitsim", "tables", "derive", "tinyllama-1.1b", dev, "-o", out};
    struct captured c = run_cli(7, a);
    ck_assert_int_eq(c.status, CLI_BAD_INPUT);
    ck_assert_ptr_nonnull(strstr(c.err, "splitsim: error: the roofline of tinyllama-1.1b on "
                                        "slowest gives block, prefill of 1024 tokens"));
    ck_assert_ptr_nonnull(strstr(c.err, "the device is too slow for this model"));
    struct stat st;
    ck_assert_int_ne(stat(out, &st), 0);
    release(&c);
    expect_cli((char *[]){"splitsim", "tables", "show", "tinyllama-1.1b", dev, NULL}, CLI_BAD_INPUT,
               NULL, "the device is too slow for this model");
    scratch_remove(dir);
    free(dev);
    free(out);
}
END_TEST

/* `tables --help` lists every subcommand on a line of its own, and each one it lists answers
 * its own --help with its usage; an unknown one gets a "did you mean". */
START_TEST(test_tables_help)
{
    static char *subs[] = {"list",  "show",    "derive",    "profile",
                           "peaks", "compare", "calibrate", "schema"};
    struct captured c = run_cli(3, (char *[]){"splitsim", "tables", "--help"});
    ck_assert_int_eq(c.status, CLI_OK);
    for (size_t i = 0; i < sizeof subs / sizeof *subs; i++) {
        char line[64], usage[64];
        snprintf(line, sizeof line, "\n  %s ", subs[i]);
        ck_assert_msg(strstr(c.out, line), "'%s' not listed: %s", subs[i], c.out);
        snprintf(usage, sizeof usage, "usage: splitsim tables %s", subs[i]);
        expect_cli((char *[]){"splitsim", "tables", subs[i], "--help", NULL}, CLI_OK, usage, NULL);
    }
    size_t listed = 0; /* the lines between "subcommands:" and the blank line after them */
    for (const char *p = strstr(c.out, "subcommands:\n"); p && (p = strchr(p, '\n')) && p[1] == ' ';
         p++)
        listed++;
    ck_assert_uint_eq(listed, sizeof subs / sizeof *subs);
    release(&c);
    expect_cli((char *[]){"splitsim", "tables", "calibrte", NULL}, CLI_BAD_INPUT, NULL,
               "did you mean 'calibrate'?");
    expect_cli((char *[]){"splitsim", "tables", NULL}, CLI_BAD_INPUT, NULL, "tables --help");
    expect_cli((char *[]){"splitsim", "tables", "list", "extra", NULL}, CLI_BAD_INPUT, NULL,
               "unexpected argument 'extra'");
}
END_TEST

/* `run --help` names every model of the registry with its one-line doc, and promises nothing
 * about one model only (it once promised "a summary next to queueing theory"). */
START_TEST(test_run_help_lists_models)
{
    struct captured c = run_cli(3, (char *[]){"splitsim", "run", "--help"});
    ck_assert_int_eq(c.status, CLI_OK);
    size_t n = 0;
    for (; model_types[n]; n++) {
        ck_assert_msg(strstr(c.out, model_types[n]->name), "%s not in: %s", model_types[n]->name,
                      c.out);
        ck_assert_msg(strstr(c.out, model_types[n]->doc), "%s's doc not in: %s",
                      model_types[n]->name, c.out);
    }
    ck_assert_uint_ge(n, 2);
    ck_assert_ptr_null(strstr(c.out, "queueing theory"));
    release(&c);
}
END_TEST

/* `tables list` shows every catalogue entry, one row each, with its source. */
START_TEST(test_tables_list_shows_catalogue)
{
    struct captured c = run_cli(3, (char *[]){"splitsim", "tables", "list"});
    ck_assert_int_eq(c.status, CLI_OK);
    const char *devices = strstr(c.out, "\ndevices:\n");
    ck_assert_ptr_nonnull(devices);
    size_t narch = 0, ndev = 0;
    for (; arch_catalogue[narch]; narch++) {
        char row[96];
        snprintf(row, sizeof row, "\n  %-16s %6u", arch_catalogue[narch]->name,
                 arch_catalogue[narch]->layers);
        const char *at = strstr(c.out, row);
        ck_assert_msg(at && at < devices, "no row for %s", arch_catalogue[narch]->name);
        ck_assert_ptr_nonnull(strstr(at, arch_catalogue[narch]->source));
    }
    for (; device_catalogue[ndev]; ndev++) {
        char row[96];
        snprintf(row, sizeof row, "\n  %-20s ", device_catalogue[ndev]->name);
        const char *at = strstr(devices, row);
        ck_assert_msg(at, "no row for %s", device_catalogue[ndev]->name);
        ck_assert_ptr_nonnull(strstr(at, device_catalogue[ndev]->source));
    }
    /* the rows are all there is: a header and one row per entry in each list */
    size_t rows = 0;
    for (const char *p = c.out; p < devices && (p = strchr(p, '\n')) && p < devices; p++)
        rows += p[1] == ' ';
    ck_assert_uint_eq(rows, narch + 1);
    ck_assert_uint_eq(narch, 15);
    ck_assert_uint_eq(ndev, 12);
    release(&c);
    /* a new model on a new phone derives (the loader's bounds hold) */
    expect_cli((char *[]){"splitsim", "tables", "show", "llama-3.2-1b", "apple-a17-pro", NULL},
               CLI_OK, "whole model:", NULL);
    expect_cli((char *[]){"splitsim", "tables", "show", "qwen2.5-3b", "dimensity-9300", NULL},
               CLI_OK, "whole model:", NULL);
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
    tcase_add_test(tc, test_tables_help);
    tcase_add_test(tc, test_run_help_lists_models);
    tcase_add_test(tc, test_tables_list_shows_catalogue);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(cli_suite)
