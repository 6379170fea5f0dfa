/*
 * run, check and sweep: the subcommands that load a scenario.
 *
 * All three load the scenario the same way (file, then --set overrides in order, validated
 * exactly like the file; relative file paths resolve against the file's folder, those of --set
 * against the working directory or --set-dir) and report every problem with file:line:col; with
 * an invalid scenario they exit 2 without simulating or creating any file.
 *   run    simulates every replication of the scenario (or of one sweep point, --point I) into
 *          one results file and prints the model's summary; its --help lists the models of the
 *          registry (through the run library: the command line names no model);
 *   check  prints the fully resolved scenario (defaults filled in, canonical units), its hash and
 *          the model's reading of it, after validating every sweep point; --schema prints the
 *          key reference;
 *   sweep  --list prints every sweep point with its resolved parameters.
 */
#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/args.h"
#include "run/campaign.h"
#include "run/slurm.h"
#include "cli/cli.h"
#include "run/run.h"
#include "scn/scn.h"
#include "scn/sweep.h"
#include "sim/outfile.h"
#include "sim/sim.h"

#define SET_OPT                                                                                    \
    {                                                                                              \
        "set", 0, "KEY=VALUE", "override a scenario value, e.g. --set run.seed=7 (repeatable)",    \
            true                                                                                   \
    }
#define SET_DIR_OPT                                                                                \
    {                                                                                              \
        "set-dir", 0, "DIR",                                                                       \
            "a relative file path given with --set resolves against DIR (default: the working "    \
            "directory; one in the scenario file resolves against the file's folder)",             \
            false                                                                                  \
    }

static const struct args_opt run_opts[] = {
    SET_OPT,
    SET_DIR_OPT,
    {"output", 'o', "FILE",
     "results file (default: the scenario's name with .h5, in the current "
     "directory)",
     false},
    {"point", 0, "I", "run sweep point I instead of the base scenario (see sweep --list)", false},
    {"queue", 0, "NAME", "event-queue implementation: quad-heap, binary-heap (default: quad-heap)",
     false},
    {"quiet", 'q', NULL, "print nothing on success", false},
};
static const struct args_opt check_opts[] = {
    SET_OPT,
    SET_DIR_OPT,
    {"schema", 0, NULL, "print the reference of every scenario key (Markdown) and exit", false},
};
static const struct args_opt sweep_opts[] = {
    SET_OPT,
    SET_DIR_OPT,
    {"list", 0, NULL, "print every point of the sweep with its resolved parameters", false},
    {"output", 'o', "DIR",
     "run every point into DIR/points/pI.h5 and index them in DIR/campaign.h5 (rerunning "
     "skips complete points)",
     false},
    {"jobs", 'j', "N", "worker processes on this machine (default 1)", false},
    {"points", 0, "A-B", "run points A..B only (inclusive), without writing the index", false},
    {"merge", 0, NULL, "write DIR/campaign.h5 from the point files only (after --points jobs)",
     false},
    {"slurm", 0, NULL, "write Slurm job scripts instead of running (then run DIR/submit.sh)",
     false},
    {"chunk", 0, "N", "--slurm: points per array task (default 1; grows to fit)", false},
    {"array-max", 0, "N", "--slurm: most array tasks (default 1001: Slurm's MaxArraySize)", false},
    {"throttle", 0, "N", "--slurm: array tasks running at once (%N; default no limit)", false},
    {"time", 0, "T", "--slurm: time limit per job, e.g. 90, 2:00:00 or 1-12", false},
    {"partition", 0, "P", "--slurm: partition(s) to run in", false},
    {"account", 0, "A", "--slurm: account to charge", false},
    {"qos", 0, "Q", "--slurm: quality of service", false},
    {"mem", 0, "SIZE", "--slurm: memory per node, e.g. 2G (K, M, G, T; default M)", false},
    {"constraint", 0, "C", "--slurm: node features, e.g. avx2 or 'intel&ib'", false},
    {"sbatch", 0, "OPTION", "--slurm: another #SBATCH line, e.g. --gres=gpu:1 (repeatable)", true},
    {"setup", 0, "FILE", "--slurm: shell lines each job runs first (module load ...)", false},
    {"fresh", 0, NULL, "run every point again, even those already complete", false},
    {"quiet", 'q', NULL, "no progress", false},
};
#define NOPTS(t) (sizeof t / sizeof t[0])

/* Loads the scenario named by the one positional argument, with --set overrides, and reads its
 * sweep section. CLI_OK or CLI_BAD_INPUT (messages in d). */
static int load(const struct args *a, const char *cmd, struct run_scenario *l, struct diag *d)
{
    memset(l, 0, sizeof *l);
    ytree_init(&l->tree);
    if (a->npositional != 1) {
        if (a->npositional == 0)
            diag_error(d, "%s: expected a scenario file (e.g. scenarios/default.yaml)", cmd);
        else
            diag_error(d, "%s: expected one scenario file, got %zu arguments ('%s', '%s'%s)", cmd,
                       a->npositional, a->positional[0], a->positional[1],
                       a->npositional > 2 ? ", ..." : "");
        return CLI_BAD_INPUT;
    }
    const char *set_dir = args_get(a, "set-dir");
    if (set_dir && !*set_dir) {
        diag_error(d, "--set-dir: expected a directory, got an empty string");
        return CLI_BAD_INPUT;
    }
    size_t nset = 0;
    const char **sets = args_all(a, "set", &nset);
    int rc = run_load(l, a->positional[0], sets, nset, set_dir, d);
    free(sets);
    return rc;
}

static int finish_bad(struct diag *d, const struct cli_io *io, int rc)
{
    diag_print(d, io->err, "splitsim");
    if (rc == CLI_BAD_INPUT)
        fprintf(io->err, "splitsim: %zu error(s); nothing was simulated\n", diag_error_count(d));
    return rc;
}

static const char sweep_usage[] =
    "usage: splitsim sweep SCENARIO.yaml --list [OPTIONS]\n"
    "       splitsim sweep SCENARIO.yaml -o DIR [-j N] [OPTIONS]\n"
    "       mpirun -np R splitsim sweep SCENARIO.yaml -o DIR\n"
    "       splitsim sweep SCENARIO.yaml -o DIR --slurm [--time T] [--partition P]\n"
    "           [--account A] [--setup FILE] [...]; then DIR/submit.sh on the cluster\n\n"
    "Expands the scenario's sweep: section (grid x zip x replications). --list\n"
    "prints every point with its resolved parameters; -o runs every point into\n"
    "DIR/points/pI.h5 (on N local workers, or on MPI ranks under mpirun/srun),\n"
    "skipping points already complete, and writes the index DIR/campaign.h5.\n"
    "--slurm writes a job array and a merge job instead, and DIR/submit.sh, which\n"
    "submits both from any directory. The jobs work in DIR, name the scenario\n"
    "relative to it, and run $SPLITSIM when it is set (else this executable).\n\n";

static void usage(FILE *out, const char *cmd, const struct args_opt *opts, size_t n)
{
    if (strcmp(cmd, "run") == 0) {
        fprintf(out, "usage: splitsim run SCENARIO.yaml [OPTIONS]\n\n"
                     "Simulates every replication of the scenario (in a competition, every\n"
                     "policy on the same replications) into one HDF5 results file, then prints\n"
                     "the summary of the scenario's model, which 'model:' chooses:\n");
        run_document_models(out);
        fputc('\n', out);
    } else if (strcmp(cmd, "check") == 0)
        fprintf(out, "usage: splitsim check SCENARIO.yaml [OPTIONS]\n\n"
                     "Validates the scenario and every sweep point and sets its model up as a\n"
                     "run would (tables, trace, every policy), without simulating; then prints\n"
                     "the fully resolved scenario (defaults filled in, canonical units), its\n"
                     "hash and a line on the model's reading of it.\n\n");
    else
        fputs(sweep_usage, out);
    fprintf(out, "options:\n");
    args_print_help(out, opts, n);
}

/* ---- check ------------------------------------------------------------------------------- */

int cmd_check(int argc, char **argv, const struct cli_io *io)
{
    struct diag d;
    diag_init(&d);
    struct args a;
    args_parse(&a, check_opts, NOPTS(check_opts), argc, argv, 1, &d);
    if (a.help || args_has(&a, "schema")) {
        if (a.help)
            usage(io->out, "check", check_opts, NOPTS(check_opts));
        else
            run_document_keys(io->out);
        args_release(&a);
        diag_release(&d);
        return CLI_OK;
    }
    struct run_scenario l;
    memset(&l, 0, sizeof l);
    int rc = diag_error_count(&d) ? CLI_BAD_INPUT : load(&a, "check", &l, &d);
    if (rc == CLI_OK && sweep_validate(&l.sweep, &l.tree, &l.base, &d) > 0)
        rc = CLI_BAD_INPUT;
    struct run_io rio = {.out = io->out, .err = io->err, .interrupt = io->interrupt};
    char *described = NULL;
    size_t dlen = 0;
    FILE *desc = rc == CLI_OK ? open_memstream(&described, &dlen) : NULL;
    if (rc == CLI_OK && !desc) {
        diag_error(&d, "out of memory");
        rc = CLI_FAILURE;
    }
    if (rc == CLI_OK) {
        rio.out = desc; /* the model's lines follow the resolved scenario */
        rc = run_check(&l.base, a.positional[0], &rio, &d);
    }
    if (desc)
        fclose(desc);
    if (rc == CLI_OK) {
        diag_print(&d, io->err, "splitsim");
        fputs(l.base.resolved, io->out);
        fprintf(io->out, "# hash: fnv1a64:%s\n", l.base.hash_hex);
        fputs(described ? described : "", io->out);
        if (l.sweep.ngrid + l.sweep.nzip)
            fprintf(io->out,
                    "# sweep: %" PRIu64 " points (%" PRIu64 " grid x %" PRIu64 " zip x %" PRIu64
                    " replications), all valid\n",
                    l.sweep.points, l.sweep.grid_points, l.sweep.zip_len, l.sweep.replications);
    } else {
        finish_bad(&d, io, rc);
    }
    free(described);
    run_scenario_release(&l);
    args_release(&a);
    diag_release(&d);
    return rc;
}

/* ---- sweep ------------------------------------------------------------------------------- */

/* A decimal number of digits only (no sign, no space), into *v; false on anything else or an
 * overflow. */
static bool parse_digits(const char *s, size_t n, uint64_t *v)
{
    if (n == 0 || n > 20)
        return false;
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        unsigned dgt = (unsigned)(s[i] - '0');
        if (x > (UINT64_MAX - dgt) / 10)
            return false;
        x = x * 10 + dgt;
    }
    *v = x;
    return true;
}

/* "A-B" with A <= B, digits only. */
static bool parse_range(const char *s, uint64_t *lo, uint64_t *hi)
{
    const char *dash = strchr(s, '-');
    return dash && parse_digits(s, (size_t)(dash - s), lo) &&
           parse_digits(dash + 1, strlen(dash + 1), hi) && *lo <= *hi;
}

/* The --slurm options into o, checked (the setup file read); each of them without --slurm is
 * an error. */
static void slurm_parse(const struct args *a, bool slurm, struct slurm_options *o, struct diag *d)
{
    static const char *const only[] = {"chunk",      "array-max", "throttle", "time",
                                       "partition",  "account",   "qos",      "mem",
                                       "constraint", "sbatch",    "setup"};
    if (!slurm) {
        for (size_t i = 0; i < sizeof only / sizeof only[0]; i++)
            if (args_has(a, only[i]))
                diag_error(d, "--%s: only with --slurm (it shapes the Slurm job scripts)", only[i]);
        return;
    }
    args_uint64(a, "chunk", 1, UINT64_MAX, &o->chunk, d);
    args_uint64(a, "array-max", 1, SLURM_ARRAY_MAX_LIMIT, &o->array_max, d);
    args_uint64(a, "throttle", 1, UINT32_MAX, &o->throttle, d);
    o->time = args_get(a, "time");
    o->partition = args_get(a, "partition");
    o->account = args_get(a, "account");
    o->qos = args_get(a, "qos");
    o->mem = args_get(a, "mem");
    o->constraint = args_get(a, "constraint");
    o->extra = args_all(a, "sbatch", &o->nextra);
    o->setup_file = args_get(a, "setup");
    slurm_options_check(o, d);
}

int cmd_sweep(int argc, char **argv, const struct cli_io *io)
{
    struct diag d;
    diag_init(&d);
    struct args a;
    args_parse(&a, sweep_opts, NOPTS(sweep_opts), argc, argv, 1, &d);
    if (a.help) {
        usage(io->out, "sweep", sweep_opts, NOPTS(sweep_opts));
        args_release(&a);
        diag_release(&d);
        return CLI_OK;
    }
    bool list = args_has(&a, "list");
    const char *dir = args_get(&a, "output");
    if (!list && !dir)
        diag_error(&d, "sweep: expected --list, or -o DIR to run the campaign");
    if (list && dir)
        diag_error(&d, "sweep: --list and -o exclude each other");
    if (dir && !*dir)
        diag_error(&d, "-o: expected a directory, got an empty string");
    uint64_t jobs = 1;
    args_uint64(&a, "jobs", 1, 1024, &jobs, &d);
    struct slurm_options so;
    slurm_options_init(&so);
    bool slurm = args_has(&a, "slurm");
    slurm_parse(&a, slurm, &so, &d);
    struct campaign camp = {.scenario = a.npositional ? a.positional[0] : "",
                            .dir = dir,
                            .jobs = (unsigned)jobs,
                            .merge_only = args_has(&a, "merge"),
                            .slurm = slurm ? &so : NULL,
                            .fresh = args_has(&a, "fresh"),
                            .quiet = args_has(&a, "quiet")};
    const char *range = args_get(&a, "points");
    uint64_t lo = 0, hi = 0;
    if (range) {
        if (!parse_range(range, &lo, &hi))
            diag_error(&d,
                       "--points: expected A-B, two point numbers with A <= B (e.g. 0-9), "
                       "got '%s'",
                       range);
        camp.range_given = true;
    }
    if (camp.merge_only + slurm + camp.range_given > 1)
        diag_error(&d, "sweep: --merge, --slurm and --points exclude each other");
    struct run_scenario l;
    memset(&l, 0, sizeof l);
    int rc = diag_error_count(&d) ? CLI_BAD_INPUT : load(&a, "sweep", &l, &d);
    if (rc == CLI_OK && camp.range_given) {
        if (hi >= l.sweep.points) {
            diag_error(&d, "--points: the sweep has points 0 .. %" PRIu64 ", got '%s'",
                       l.sweep.points - 1, range);
            rc = CLI_BAD_INPUT;
        }
        camp.from = lo;
        camp.to = hi + 1;
    }
    /* A job that runs a range of points validates those alone: a Slurm array task of a large
     * sweep must not pay for every point. */
    if (rc == CLI_OK &&
        (camp.range_given ? sweep_validate_range(&l.sweep, &l.tree, &l.base, camp.from, camp.to, &d)
                          : sweep_validate(&l.sweep, &l.tree, &l.base, &d)) > 0)
        rc = CLI_BAD_INPUT;
    if (rc == CLI_OK && dir) {
        camp.sets = args_all(&a, "set", &camp.nsets);
        camp.sweep = &l.sweep;
        camp.tree = &l.tree;
        camp.base = &l.base;
        struct run_io rio = {.out = io->out, .err = io->err, .interrupt = io->interrupt};
        rc = campaign_run(&camp, &rio, &d);
        free(camp.sets);
        if (rc == CLI_BAD_INPUT)
            finish_bad(&d, io, rc);
        else
            diag_print(&d, io->err, "splitsim");
        slurm_options_release(&so);
        free(so.extra);
        run_scenario_release(&l);
        args_release(&a);
        diag_release(&d);
        return rc;
    }
    if (rc == CLI_OK) {
        fprintf(io->out,
                "# %" PRIu64 " points: %" PRIu64 " grid x %" PRIu64 " zip x %" PRIu64
                " replications\n",
                l.sweep.points, l.sweep.grid_points, l.sweep.zip_len, l.sweep.replications);
        for (uint64_t p = 0; p < l.sweep.points && rc == CLI_OK; p++) {
            struct scn s;
            if (sweep_point(&l.sweep, &l.tree, p, &s, &d) < 0) {
                rc = CLI_BAD_INPUT;
                break;
            }
            sweep_print_point(&l.sweep, p, &s, io->out);
            scn_release(&s);
        }
    }
    if (rc != CLI_OK)
        finish_bad(&d, io, rc);
    slurm_options_release(&so);
    free(so.extra);
    run_scenario_release(&l);
    args_release(&a);
    diag_release(&d);
    return rc;
}

/* ---- run --------------------------------------------------------------------------------- */

/* "dir/name.yaml" -> "name.h5" (point p: "name-p<p>.h5"). Caller frees. */
static char *default_output(const char *scenario, int64_t point)
{
    char *copy = strdup(scenario);
    if (!copy)
        return NULL;
    char *base = basename(copy);
    char *dot = strrchr(base, '.');
    if (dot && dot != base)
        *dot = '\0';
    char *out = NULL;
    int rc = point >= 0 ? asprintf(&out, "%s-p%" PRId64 ".h5", base, point)
                        : asprintf(&out, "%s.h5", base);
    free(copy);
    return rc < 0 ? NULL : out;
}

int cmd_run(int argc, char **argv, const struct cli_io *io)
{
    struct diag d;
    diag_init(&d);
    struct args a;
    args_parse(&a, run_opts, NOPTS(run_opts), argc, argv, 1, &d);
    if (a.help) {
        usage(io->out, "run", run_opts, NOPTS(run_opts));
        args_release(&a);
        diag_release(&d);
        return CLI_OK;
    }
    const struct evq_type *queue = evq_types[0];
    const char *qname = args_get(&a, "queue");
    if (qname && !(queue = evq_type_find(qname)))
        diag_error(&d, "--queue: expected quad-heap or binary-heap, got '%s'", qname);
    uint64_t point = 0;
    bool have_point = args_has(&a, "point");
    args_uint64(&a, "point", 0, UINT64_MAX, &point, &d);
    const char *output = args_get(&a, "output");
    if (output && !*output)
        diag_error(&d, "--output: expected a file name, got an empty string");

    struct run_scenario l;
    memset(&l, 0, sizeof l);
    /* Load even after option errors, so that one invocation reports every problem. */
    size_t option_errors = diag_error_count(&d);
    int rc = load(&a, "run", &l, &d);
    if (rc == CLI_OK && option_errors)
        rc = CLI_BAD_INPUT;
    struct scn point_scn;
    const struct scn *s = &l.base;
    bool have_point_scn = false;
    if (rc == CLI_OK && have_point) {
        if (point >= l.sweep.points) {
            diag_error(&d,
                       "--point: expected a point in [0, %" PRIu64 "), got %" PRIu64
                       " (see 'splitsim sweep %s --list')",
                       l.sweep.points, point, a.positional[0]);
            rc = CLI_BAD_INPUT;
        } else if (sweep_point(&l.sweep, &l.tree, point, &point_scn, &d) < 0) {
            rc = CLI_BAD_INPUT;
        } else {
            s = &point_scn;
            have_point_scn = true;
        }
    }
    if (rc == CLI_OK && !have_point && l.sweep.ngrid + l.sweep.nzip)
        diag_report(&d, DIAG_NOTE, NULL, 0, 0,
                    "the sweep section is not run by 'run' without --point; running the base "
                    "scenario (see 'splitsim sweep %s --list')",
                    a.positional[0]);
    char *out_path = NULL;
    if (rc == CLI_OK) {
        out_path = output ? strdup(output)
                          : default_output(a.positional[0], have_point ? (int64_t)point : -1);
        if (!out_path) {
            diag_error(&d, "out of memory");
            rc = CLI_FAILURE;
        }
    }
    if (rc == CLI_OK) {
        struct run_options o = {.scenario_file = a.positional[0],
                                .sweep_point = have_point ? (int64_t)point : -1,
                                .output = out_path,
                                .queue = queue,
                                .quiet = args_has(&a, "quiet")};
        struct run_io rio = {.out = io->out, .err = io->err, .interrupt = io->interrupt};
        rc = run_simulate(s, &o, &rio, &d);
    }
    finish_bad(&d, io, rc);
    free(out_path);
    if (have_point_scn)
        scn_release(&point_scn);
    run_scenario_release(&l);
    args_release(&a);
    diag_release(&d);
    return rc;
}
