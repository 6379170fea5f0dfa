/*
 * inspect and recover: what a results file holds — after a run, an interruption
 * (NAME.incomplete.h5), a kill or a full disk (the NAME.HOST.PID.part folder a run leaves) —
 * and the recovery of such a folder as one results file.
 *   inspect  exit status 0 when every file given could be read (complete or not: the
 *            description says), 1 when one is damaged, 2 when one is missing or not a file;
 *   recover  merges the closed segments (everything up to the last checkpoint) into
 *            NAME.incomplete.h5 (or -o FILE); 0, 1 when nothing could be recovered, 2 on bad
 *            arguments.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/args.h"
#include "cli/cli.h"
#include "results/inspect.h"
#include "results/segments.h"
#include "sim/outfile.h"

/* A subcommand's work once its command line is parsed (with any problems already in d): the
 * exit status. */
typedef int command_body(const struct args *a, const struct cli_io *io, struct diag *d);

/* Parses argv against opts, runs body, prints the messages; body's exit status. */
static int run_command(int argc, char **argv, const struct args_opt *opts, size_t nopts,
                       const struct cli_io *io, command_body *body)
{
    struct diag d;
    diag_init(&d);
    struct args a;
    args_parse(&a, opts, nopts, argc, argv, 1, &d);
    int rc = body(&a, io, &d);
    diag_print(&d, io->err, "splitsim");
    args_release(&a);
    diag_release(&d);
    return rc;
}

static int inspect_body(const struct args *a, const struct cli_io *io, struct diag *d)
{
    int rc = CLI_OK;
    if (a->help) {
        fprintf(io->out,
                "usage: splitsim inspect FILE...\n\n"
                "Tells what each results file holds: whether it is complete, the scenario it ran,\n"
                "how many replications (and competition policies) were finished, every table\n"
                "with its rows, and whether every value reads back. Works on complete files,\n"
                "interrupted ones (NAME.incomplete.h5), the temporary a killed run leaves\n"
                "(NAME.HOST.PID.part) and campaign indexes.\n");
    } else if (diag_error_count(d) || a->npositional == 0) {
        if (a->npositional == 0)
            diag_error(d, "inspect: expected one or more results files");
        rc = CLI_BAD_INPUT;
    } else {
        for (size_t i = 0; i < a->npositional; i++) {
            int r = inspect_file(a->positional[i], io->out, d);
            if (r == -EINVAL && rc == CLI_OK)
                rc = CLI_BAD_INPUT;
            else if (r < 0 && rc != CLI_BAD_INPUT)
                rc = CLI_FAILURE;
        }
    }
    return rc;
}

int cmd_inspect(int argc, char **argv, const struct cli_io *io)
{
    return run_command(argc, argv, NULL, 0, io, inspect_body);
}

static const struct args_opt recover_opts[] = {
    {"output", 'o', "FILE", "where to write (default: NAME.incomplete.h5 beside the folder)",
     false},
};

static int recover_body(const struct args *a, const struct cli_io *io, struct diag *d)
{
    int rc = CLI_OK;
    char *out = NULL;
    if (a->help) {
        fprintf(io->out, "usage: splitsim recover NAME.HOST.PID.part [-o FILE]\n\n"
                         "A run that was killed (SIGKILL, the OOM killer, a wall-time limit) or "
                         "stopped by\nan error (a full disk) leaves its results as a folder of "
                         "segments, each closed\nat a checkpoint (the end of a replication). "
                         "This merges the closed ones into\none results file (complete = 0, "
                         "replications_done says how many replications\nit holds), by default "
                         "NAME.incomplete.h5.\n\noptions:\n");
        args_print_help(io->out, recover_opts, 1);
        goto done;
    }
    if (diag_error_count(d) || a->npositional != 1) {
        if (!diag_error_count(d))
            diag_error(d, "recover: expected one folder (NAME.HOST.PID.part)");
        rc = CLI_BAD_INPUT;
        goto done;
    }
    const char *folder = a->positional[0];
    if (!seg_is_folder(folder)) {
        diag_error(d,
                   "recover: '%s' is not the folder of segments a run leaves "
                   "(NAME.HOST.PID.part)",
                   folder);
        rc = CLI_BAD_INPUT;
        goto done;
    }
    const char *given = args_get(a, "output");
    out = given ? strdup(given) : seg_recovered_name(folder);
    if (!out) {
        diag_error(d, "recover: cannot derive a file name from '%s'; give one with -o", folder);
        rc = CLI_BAD_INPUT;
        goto done;
    }
    if (outfile_check_writable(out, "-o", d) < 0) {
        rc = CLI_BAD_INPUT;
        goto done;
    }
    char *tmp = outfile_temp_name(out);
    int r = tmp ? seg_recover(folder, tmp, d) : -ENOMEM;
    if (r == 0 && rename(tmp, out) < 0) {
        diag_error(d, "recover: cannot write '%s': %s", out, strerror(errno));
        unlink(tmp);
        r = -EIO;
    }
    free(tmp);
    if (r < 0) {
        rc = CLI_FAILURE;
    } else {
        fprintf(io->out, "recovered: %s\n", out);
        inspect_file(out, io->out, d);
    }
done:
    free(out);
    return rc;
}

int cmd_recover(int argc, char **argv, const struct cli_io *io)
{
    return run_command(argc, argv, recover_opts, 1, io, recover_body);
}
