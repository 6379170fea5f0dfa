#include "cli/cli.h"

#include <string.h>

#include <gsl/gsl_version.h>
#include <hdf5.h>
#include <yaml.h>

#include "sim/version.h"
#include "splitsim_config.h"

struct cli_command {
    const char *name;
    int (*fn)(int argc, char **argv, const struct cli_io *io);
    const char *summary;
};

static const struct cli_command commands[] = {
    {"run", cmd_run, "simulate a scenario and write its results file"},
    {"check", cmd_check, "validate a scenario and print it fully resolved, without running"},
    {"sweep", cmd_sweep,
     "list a scenario's sweep points (--list) or run them as a campaign (-o DIR)"},
    {"bench", cmd_bench, "measure the simulator's speed (bench events: the hold model)"},
    {"tables", cmd_tables,
     "LLM architectures, devices and cost tables (list, show, derive, profile, calibrate, ...)"},
    {"inspect", cmd_inspect,
     "tell what a results file holds (complete? replications finished? tables, rows)"},
    {"recover", cmd_recover,
     "write what a killed or failed run recorded (its NAME.HOST.PID.part folder) as one file"},
    {"summarize", cmd_summarize,
     "a results file or campaign as one tidy table, a row per (point, policy, metric): CSV, JSON"},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void print_usage(FILE *out)
{
    fprintf(out, "usage: splitsim COMMAND [OPTIONS]\n"
                 "       splitsim --help | --version\n\n"
                 "splitsim simulates split inference of large language models over wireless\n"
                 "edge networks: a discrete-event core with per-entity random streams and\n"
                 "column-wise HDF5 results.\n\ncommands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n'splitsim COMMAND --help' describes a command's options.\n"
                 "Exit status: 0 success, 1 run-time failure, 2 invalid input.\n");
}

static void print_version(FILE *out)
{
    unsigned h5maj = 0, h5min = 0, h5rel = 0;
    H5get_libversion(&h5maj, &h5min, &h5rel);
    fprintf(out, "splitsim %s (git %s)\n", version_release(), version_git_revision());
    fprintf(out, "libraries: GSL %s, HDF5 %u.%u.%u, libyaml %s\n", gsl_version, h5maj, h5min, h5rel,
            yaml_get_version_string());
    fprintf(out, "features: mpi %s, openblas %s\n", SPLITSIM_HAVE_MPI ? "yes" : "no",
            SPLITSIM_HAVE_OPENBLAS ? "yes" : "no");
}

int cli_report(const struct diag *d, const struct cli_io *io, int status)
{
    diag_print(d, io->err, "splitsim");
    return status;
}

int cli_main(int argc, char **argv, const struct cli_io *io)
{
    if (argc < 2) {
        print_usage(io->err);
        return CLI_BAD_INPUT;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        print_usage(io->out);
        return CLI_OK;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        print_version(io->out);
        return CLI_OK;
    }
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(cmd, commands[i].name) == 0)
            return commands[i].fn(argc - 1, argv + 1, io);

    const char *names[NCOMMANDS];
    for (size_t i = 0; i < NCOMMANDS; i++)
        names[i] = commands[i].name;
    struct diag d;
    diag_init(&d);
    const char *near = diag_nearest(cmd, names, NCOMMANDS);
    if (near)
        diag_error(&d, "unknown command '%s' (did you mean '%s'?)", cmd, near);
    else
        diag_error(&d, "unknown command '%s' (try 'splitsim --help')", cmd);
    int rc = cli_report(&d, io, CLI_BAD_INPUT);
    diag_release(&d);
    return rc;
}
