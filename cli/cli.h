/*
 * cli — the splitsim command line: one dispatcher, one function per subcommand.
 *
 * Concept: cli_main parses the subcommand name and hands the rest of argv to its function;
 * subcommands report problems through a struct diag and return an exit status, which only
 * main() turns into the process's status. The functions take their output streams as
 * arguments, so tests can run whole commands in-process.
 *
 * Exit statuses (the same everywhere): CLI_OK 0 success, CLI_FAILURE 1 a run-time failure
 * (cannot write the results file, out of memory), CLI_BAD_INPUT 2 invalid input (options,
 * scenario); with status 2 nothing was simulated and no results file was created.
 */
#ifndef SPLITSIM_CLI_CLI_H
#define SPLITSIM_CLI_CLI_H

#include <signal.h>
#include <stdio.h>

#include "sim/diag.h"

enum cli_status {
    CLI_OK = 0,
    CLI_FAILURE = 1,
    CLI_BAD_INPUT = 2,
};

struct cli_io {
    FILE *out; /* results and summaries */
    FILE *err; /* diagnostics and progress */
    /* Set by the program's SIGINT/SIGTERM handler (NULL: none): a run stops at the next event,
     * closes its results file marked incomplete, and exits with status 1. */
    const volatile sig_atomic_t *interrupt;
};

/* Runs `splitsim argv[1] ...`; returns the exit status. */
int cli_main(int argc, char **argv, const struct cli_io *io);

/* Subcommands: argv[0] is the subcommand's name. */
int cmd_run(int argc, char **argv, const struct cli_io *io);
int cmd_check(int argc, char **argv, const struct cli_io *io);
int cmd_bench(int argc, char **argv, const struct cli_io *io);
int cmd_sweep(int argc, char **argv, const struct cli_io *io);
int cmd_tables(int argc, char **argv, const struct cli_io *io);
int cmd_inspect(int argc, char **argv, const struct cli_io *io);
int cmd_recover(int argc, char **argv, const struct cli_io *io);
int cmd_summarize(int argc, char **argv, const struct cli_io *io);

/* Prints d's messages to io->err and returns the status matching them: CLI_BAD_INPUT when
 * `bad_input` is set, CLI_FAILURE otherwise. */
int cli_report(const struct diag *d, const struct cli_io *io, int status);

#endif
