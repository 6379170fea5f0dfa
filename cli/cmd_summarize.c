/*
 * summarize: results as one tidy table on stdout, a row per (point, policy, metric), for pandas,
 * R and spreadsheets (run/summarize.h does the work). Exit status 0 when everything was
 * summarized; 1 when a campaign lacks points (each reported on stderr with its index; the rest
 * is summarized) or a file of it cannot be read, or stdout cannot be written; 2 when the input
 * is not something to summarize (nothing written).
 */
#include "cli/args.h"
#include "cli/cli.h"
#include "run/summarize.h"

static const struct args_opt summarize_opts[] = {
    {"csv", 0, NULL, "CSV (RFC 4180: quoted where needed, CRLF line ends; the default)", false},
    {"json", 0, NULL, "JSON: an array of objects, one per row (NaN and missing values: null)",
     false},
    {"per-point", 0, NULL,
     "a campaign: a row per sweep point (its file), not per combination of swept values", false},
};
#define NOPTS (sizeof summarize_opts / sizeof summarize_opts[0])

static void print_help(FILE *out)
{
    fprintf(out,
            "usage: splitsim summarize FILE|DIR [--csv|--json] [--per-point]\n\n"
            "Writes the statistics of a results file or a campaign as one tidy table on\n"
            "stdout: a row per (point, policy, metric). Columns: point, combination,\n"
            "replications, replication_set (who the row is); one column per swept key, in the\n"
            "unit its values read best in, named in the header (cell_bandwidth_MHz), a choice\n"
            "or a string by its name (channel_fading = rayleigh); policy (by name), metric,\n"
            "unit; n, mean, ci95, p50, p95, p99, p50_ci95, p95_ci95, p99_ci95. A value the\n"
            "files do not hold is empty (CSV) or null (JSON).\n\n"
            "FILE is a results file (a row per policy and metric of its /summary) or a\n"
            "campaign index; DIR a campaign folder (splitsim sweep -o DIR). A campaign gives\n"
            "a row per combination of swept values, policy and metric from the index's\n"
            "/combinations: the mean over the combination's replications and the 95 %%\n"
            "intervals across them, n the measured requests of its points; --per-point\n"
            "gives a row per sweep point instead, from each point file.\n\n"
            "Exit status: 0; 1 when points of a campaign are missing (interrupted, failed,\n"
            "not run: each named on stderr, the others summarized); 2 when the input is\n"
            "missing, not a results file or campaign, of another format version, or\n"
            "incomplete (nothing written). docs/RESULTS.md describes the table.\n\noptions:\n");
    args_print_help(out, summarize_opts, NOPTS);
}

int cmd_summarize(int argc, char **argv, const struct cli_io *io)
{
    struct diag d;
    diag_init(&d);
    struct args a;
    args_parse(&a, summarize_opts, NOPTS, argc, argv, 1, &d);
    int rc = CLI_OK;
    if (a.help) {
        print_help(io->out);
    } else if (diag_error_count(&d) || a.npositional != 1 ||
               (args_has(&a, "csv") && args_has(&a, "json"))) {
        if (a.npositional != 1 && !diag_error_count(&d))
            diag_error(&d,
                       "summarize: expected one results file, campaign index or campaign "
                       "folder, got %zu",
                       a.npositional);
        else if (!diag_error_count(&d))
            diag_error(&d, "summarize: --csv and --json exclude each other");
        rc = CLI_BAD_INPUT;
    } else {
        struct summarize_options o = {.format = args_has(&a, "json") ? TIDY_JSON : TIDY_CSV,
                                      .per_point = args_has(&a, "per-point")};
        rc = summarize_path(a.positional[0], &o, io->out, &d);
    }
    diag_print(&d, io->err, "splitsim");
    args_release(&a);
    diag_release(&d);
    return rc;
}
