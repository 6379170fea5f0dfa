/*
 * inspect: what a results file holds — after a run, an interruption (NAME.incomplete.h5), a
 * kill or a full disk (the NAME.HOST.PID.part a run leaves). Exit status 0 when every file
 * given could be read (complete or not: the description says), 1 when one is damaged, 2 when
 * one is missing or not a regular file.
 */
#include <errno.h>

#include "cli/args.h"
#include "cli/cli.h"
#include "results/inspect.h"

int cmd_inspect(int argc, char **argv, const struct cli_io *io)
{
    struct diag d;
    diag_init(&d);
    struct args a;
    args_parse(&a, NULL, 0, argc, argv, 1, &d);
    int rc = CLI_OK;
    if (a.help) {
        fprintf(io->out,
                "usage: splitsim inspect FILE...\n\n"
                "Tells what each results file holds: whether it is complete, the scenario it ran,\n"
                "how many replications (and competition policies) were finished, every table\n"
                "with its rows, and whether every value reads back. Works on complete files,\n"
                "interrupted ones (NAME.incomplete.h5), the temporary a killed run leaves\n"
                "(NAME.HOST.PID.part) and campaign indexes.\n");
    } else if (diag_error_count(&d) || a.npositional == 0) {
        if (a.npositional == 0)
            diag_error(&d, "inspect: expected one or more results files");
        rc = CLI_BAD_INPUT;
    } else {
        for (size_t i = 0; i < a.npositional; i++) {
            int r = inspect_file(a.positional[i], io->out, &d);
            if (r == -EINVAL && rc == CLI_OK)
                rc = CLI_BAD_INPUT;
            else if (r < 0 && rc != CLI_BAD_INPUT)
                rc = CLI_FAILURE;
        }
    }
    diag_print(&d, io->err, "splitsim");
    args_release(&a);
    diag_release(&d);
    return rc;
}
