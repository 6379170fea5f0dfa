/*
 * run, check and sweep: the subcommands that load a scenario.
 *
 * All three load the scenario the same way (file, then --set overrides in order, validated
 * exactly like the file) and report every problem with file:line:col; with an invalid scenario
 * they exit 2 without simulating or creating any file.
 *   run    simulates every replication of the scenario (or of one sweep point, --point I) into
 *          one results file and prints a summary next to queueing theory;
 *   check  prints the fully resolved scenario (defaults filled in, canonical units) and its
 *          hash, after validating every sweep point; --schema prints the key reference;
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
#include "cli/campaign.h"
#include "cli/cli.h"
#include "models/edge/fifo.h"
#include "models/policy/compete.h"
#include "models/split/split.h"
#include "results/rec.h"
#include "scn/scn.h"
#include "scn/sweep.h"
#include "sim/outfile.h"
#include "sim/sim.h"

#define SET_OPT                                                                                    \
    {                                                                                              \
        "set", 0, "KEY=VALUE", "override a scenario value, e.g. --set run.seed=7 (repeatable)",    \
            true                                                                                   \
    }

static const struct args_opt run_opts[] = {
    SET_OPT,
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
    {"schema", 0, NULL, "print the reference of every scenario key (Markdown) and exit", false},
};
static const struct args_opt sweep_opts[] = {
    SET_OPT,
    {"list", 0, NULL, "print every point of the sweep with its resolved parameters", false},
    {"output", 'o', "DIR",
     "run every point into DIR/points/pI.h5 and index them in DIR/campaign.h5 (rerunning "
     "skips complete points)",
     false},
    {"jobs", 'j', "N", "worker processes on this machine (default 1)", false},
    {"points", 0, "A-B", "run points A..B only (inclusive), without writing the index", false},
    {"merge", 0, NULL, "write DIR/campaign.h5 from the point files only (after --points jobs)",
     false},
    {"slurm", 0, NULL, "write a Slurm job array (DIR/campaign.sbatch, merge.sbatch, submit.sh)",
     false},
    {"chunk", 0, "N", "--slurm: points per array task (default 1)", false},
    {"fresh", 0, NULL, "run every point again, even those already complete", false},
    {"quiet", 'q', NULL, "no progress", false},
};
#define NOPTS(t) (sizeof t / sizeof t[0])

/* A scenario as the commands load it. */
struct loaded {
    struct ytree tree;
    struct scn base;
    struct sweep sweep;
    bool have_base, have_sweep;
};

static void loaded_release(struct loaded *l)
{
    if (l->have_sweep)
        sweep_release(&l->sweep);
    if (l->have_base)
        scn_release(&l->base);
    ytree_release(&l->tree);
}

/* Loads the scenario named by the one positional argument, with --set overrides, and reads its
 * sweep section. CLI_OK or CLI_BAD_INPUT (messages in d). */
static int load(const struct args *a, const char *cmd, struct loaded *l, struct diag *d)
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
    size_t nset = 0;
    const char **sets = args_all(a, "set", &nset);
    struct scn_override *ov = calloc(nset ? nset : 1, sizeof *ov);
    if (!ov) {
        free(sets);
        diag_error(d, "out of memory");
        return CLI_FAILURE;
    }
    for (size_t i = 0; i < nset; i++)
        ov[i].text = sets[i];
    int rc = scn_load(&l->base, &l->tree, a->positional[0], ov, nset, d);
    free(ov);
    free(sets);
    if (rc == -ENOMEM)
        return CLI_FAILURE;
    if (rc < 0)
        return CLI_BAD_INPUT;
    l->have_base = true;
    if (sweep_init(&l->sweep, &l->tree, &l->base, d) < 0)
        return CLI_BAD_INPUT;
    l->have_sweep = true;
    return CLI_OK;
}

static int finish_bad(struct diag *d, const struct cli_io *io, int rc)
{
    diag_print(d, io->err, "splitsim");
    if (rc == CLI_BAD_INPUT)
        fprintf(io->err, "splitsim: %zu error(s); nothing was simulated\n", diag_error_count(d));
    return rc;
}

static void usage(FILE *out, const char *cmd, const struct args_opt *opts, size_t n)
{
    if (strcmp(cmd, "run") == 0)
        fprintf(out, "usage: splitsim run SCENARIO.yaml [OPTIONS]\n\n"
                     "Simulates the scenario (every replication) and writes one HDF5 results\n"
                     "file; prints a summary next to queueing theory.\n\n");
    else if (strcmp(cmd, "check") == 0)
        fprintf(out, "usage: splitsim check SCENARIO.yaml [OPTIONS]\n\n"
                     "Validates the scenario and every sweep point, then prints the fully\n"
                     "resolved scenario (defaults filled in, canonical units) and its hash.\n\n");
    else
        fprintf(out, "usage: splitsim sweep SCENARIO.yaml --list [OPTIONS]\n"
                     "       splitsim sweep SCENARIO.yaml -o DIR [-j N] [OPTIONS]\n"
                     "       mpirun -np R splitsim sweep SCENARIO.yaml -o DIR\n\n"
                     "Expands the scenario's sweep: section (grid x zip x replications). --list\n"
                     "prints every point with its resolved parameters; -o runs every point into\n"
                     "DIR/points/pI.h5 (on N local workers, or on MPI ranks under mpirun/srun),\n"
                     "skipping points already complete, and writes the index DIR/campaign.h5.\n\n");
    fprintf(out, "options:\n");
    args_print_help(out, opts, n);
}

/* ---- outputs ----------------------------------------------------------------------------- */

/*
 * The files a run reads (those that exist: names of the built-in catalogue are not files) and
 * writes must be distinct, and every output must be creatable, before anything is simulated:
 * an output that names an input would destroy it, two outputs would overwrite each other, and a
 * run must not fail at its end for a reason knowable at its start. `results` is NULL for
 * `check` (no results file). Returns the number of errors reported.
 */
static size_t check_outputs(const char *scenario, const struct scn *s, const char *results,
                            struct diag *d)
{
    struct input {
        const char *key, *path;
    } in[16];
    size_t nin = 0;
    in[nin++] = (struct input){"the scenario", scenario};
    if (s->model == SCN_MODEL_SPLIT) {
        const char *keys[] = {"llm.model",      "llm.quality_table",     "ues.device",
                              "ues.cost_table", "edge.device",           "edge.cost_table",
                              "workload.trace", "policy.mbrl.weights_in"};
        const char *vals[] = {s->llm.model,      s->llm.quality_table,     s->ues.device,
                              s->ues.cost_table, s->edge.device,           s->edge.cost_table,
                              s->workload.trace, s->policy.mbrl.weights_in};
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
            if (vals[i] && *vals[i] && access(vals[i], F_OK) == 0)
                in[nin++] = (struct input){keys[i], vals[i]};
    }
    size_t errors = diag_error_count(d);
    char *incomplete = results ? rec_incomplete_path(results) : NULL;
    const char *wout = s->model == SCN_MODEL_SPLIT ? s->policy.mbrl.weights_out : "";
    const char *wkey = "policy.mbrl.weights_out";
    if (results) {
        outfile_check_writable(results, "results file", d);
        for (size_t i = 0; i < nin; i++) {
            if (outfile_same(results, in[i].path))
                diag_error(d,
                           "results file '%s' is %s '%s'; it would be overwritten (choose "
                           "another name with -o)",
                           results, in[i].key, in[i].path);
            else if (incomplete && outfile_same(incomplete, in[i].path))
                diag_error(d,
                           "results file '%s': an interrupted run would be written to '%s', "
                           "which is %s; choose another name with -o",
                           results, incomplete, in[i].key);
        }
    }
    if (wout && *wout) {
        struct diag why;
        diag_init(&why);
        if (outfile_check_writable(wout, wkey, &why) < 0) /* at the key's place in the file */
            scn_error_at(s, d, wkey, "%s", why.len ? why.msgs[0].text : "cannot be written");
        diag_release(&why);
        /* weights_in may be weights_out (continued training): it is read whole before the run
         * and replaced whole at its end */
        for (size_t i = 0; i < nin; i++)
            if (strcmp(in[i].key, "policy.mbrl.weights_in") != 0 && outfile_same(wout, in[i].path))
                scn_error_at(s, d, wkey, "%s: '%s' is %s; it would be overwritten", wkey, wout,
                             in[i].key);
        if (results && (outfile_same(wout, results) || outfile_same(wout, incomplete)))
            scn_error_at(s, d, wkey, "%s: '%s' is also the results file", wkey, wout);
    }
    free(incomplete);
    return diag_error_count(d) - errors;
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
            scn_document(io->out);
        args_release(&a);
        diag_release(&d);
        return CLI_OK;
    }
    struct loaded l;
    memset(&l, 0, sizeof l);
    int rc = diag_error_count(&d) ? CLI_BAD_INPUT : load(&a, "check", &l, &d);
    if (rc == CLI_OK && sweep_validate(&l.sweep, &l.tree, &l.base, &d) > 0)
        rc = CLI_BAD_INPUT;
    if (rc == CLI_OK && l.base.model == SCN_MODEL_SPLIT) {
        /* the tables, quality table and trace the run would read */
        struct split_inputs in;
        int lrc = split_inputs_load(&in, &l.base, &d);
        if (lrc == 0) {
            const char *list = *l.base.policy.compete ? l.base.policy.compete : l.base.policy.name;
            for (const char *v = list; *v && lrc == 0;) {
                const char *comma = strchr(v, ',');
                size_t len = comma ? (size_t)(comma - v) : strlen(v);
                char name[64];
                snprintf(name, sizeof name, "%.*s", (int)(len < 63 ? len : 63), v);
                lrc = split_policy_check(&l.base, &in, pol_type_find(name), &d);
                v += len + (comma != NULL);
            }
            split_inputs_release(&in);
        }
        if (lrc < 0)
            rc = lrc == -ENOMEM ? CLI_FAILURE : CLI_BAD_INPUT;
    }
    if (rc == CLI_OK && check_outputs(a.positional[0], &l.base, NULL, &d) > 0)
        rc = CLI_BAD_INPUT;
    if (rc == CLI_OK) {
        diag_print(&d, io->err, "splitsim");
        fputs(l.base.resolved, io->out);
        fprintf(io->out, "# hash: fnv1a64:%s\n", l.base.hash_hex);
        if (l.base.model == SCN_MODEL_QUEUE) {
            struct fifo_theory th;
            fifo_theory(&l.base, &th);
            fprintf(io->out, "# offered load: lambda %g /s, rho %.4g (%s)\n", th.lambda, th.rho,
                    th.rho < 1 ? "stable" : "unstable: the queue grows without bound");
        } else {
            fprintf(io->out,
                    "# split model: %s has %" PRIu32 " decoder blocks; split k = %" PRIu64 "\n",
                    l.base.llm.model, l.base.llm_layers, l.base.split.layer);
        }
        if (l.sweep.ngrid + l.sweep.nzip)
            fprintf(io->out,
                    "# sweep: %" PRIu64 " points (%" PRIu64 " grid x %" PRIu64 " zip x %" PRIu64
                    " replications), all valid\n",
                    l.sweep.points, l.sweep.grid_points, l.sweep.zip_len, l.sweep.replications);
    } else {
        finish_bad(&d, io, rc);
    }
    loaded_release(&l);
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
    uint64_t jobs = 1, chunk = 1;
    args_uint64(&a, "jobs", 1, 1024, &jobs, &d);
    args_uint64(&a, "chunk", 1, UINT64_MAX, &chunk, &d);
    struct campaign camp = {.scenario = a.npositional ? a.positional[0] : "",
                            .dir = dir,
                            .jobs = (unsigned)jobs,
                            .merge_only = args_has(&a, "merge"),
                            .slurm = args_has(&a, "slurm"),
                            .chunk = chunk,
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
    if (camp.merge_only + camp.slurm + camp.range_given > 1)
        diag_error(&d, "sweep: --merge, --slurm and --points exclude each other");
    struct loaded l;
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
        rc = campaign_run(&camp, io, &d);
        free(camp.sets);
        if (rc == CLI_BAD_INPUT)
            finish_bad(&d, io, rc);
        else
            diag_print(&d, io->err, "splitsim");
        loaded_release(&l);
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
    loaded_release(&l);
    args_release(&a);
    diag_release(&d);
    return rc;
}

/* ---- run --------------------------------------------------------------------------------- */

static int64_t wallclock_from_env(void)
{
    /* SOURCE_DATE_EPOCH (reproducible-builds.org) fixes the started/finished stamps, so two runs
     * with the same scenario give byte-identical files. */
    const char *s = getenv("SOURCE_DATE_EPOCH");
    if (!s || !*s)
        return -1;
    char *end = NULL;
    long long v = strtoll(s, &end, 10);
    return (*end == '\0' && v >= 0) ? v : -1;
}

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

static void print_summary(FILE *out, const char *file, const struct scn *s,
                          const struct fifo_summary *o, uint64_t events, double wall)
{
    struct fifo_theory th;
    fifo_theory(s, &th);
    static const char *const arrivals[] = {"Poisson", "periodic"};
    static const char *const services[] = {"exponential", "fixed"};
    fprintf(out,
            "splitsim run: %" PRIu64 " UE(s), %s arrivals %g /s each, %s service %g s; "
            "lambda %g /s, rho %.3g\n",
            s->ues.count, arrivals[s->workload.arrival], s->workload.rate_per_s,
            services[s->edge.service], s->edge.service_time_s, th.lambda, th.rho);
    fprintf(out,
            "  %" PRIu64 " replication(s) from %" PRIu64 ", seed %" PRIu64 ", %" PRIu64
            " requests (%" PRIu64 " after warm-up)\n",
            s->run.replications, s->run.first_replication, s->run.seed, o->requests, o->measured);
    if (o->measured == 0)
        fprintf(out, "  no request was measured (none arrived between the warm-up and the end of "
                     "run.duration): the statistics below are undefined (NaN)\n");
    fprintf(out, "  %-22s %10s %12s %10s\n", "metric", "simulated", "95% CI +-", "theory");
    fprintf(out, "  %-22s %10.4f %12.4f %10.4f\n", "time in system [s]", o->mean_time_in_system_s,
            o->ci95_time_in_system_s, th.time_in_system_s);
    fprintf(out, "  %-22s %10.4f %12.4f %10.4f\n", "wait in queue [s]", o->mean_wait_s,
            o->ci95_wait_s, th.wait_s);
    fprintf(out, "  %-22s %10.4f %12s %10.4f\n", "P(wait > 0)", o->prob_wait, "", th.prob_wait);
    fprintf(out, "  %-22s %10.4f %12s %10.4f\n", "utilisation", o->utilisation, "",
            th.rho < 1 ? th.rho : (double)NAN);
    fprintf(out, "  %" PRIu64 " events in %.3f s of wall time (%.3g events/s)\n", events, wall,
            wall > 0 ? (double)events / wall : 0.0);
    fprintf(out, "results: %s\n", file);
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0->tv_nsec);
}

/* Live progress on a terminal: simulated time, events/s, ETA; one line rewritten in place. */
struct progress {
    FILE *out; /* NULL: quiet */
    struct timespec t0;
    double last;
};

static void progress_show(struct progress *pg, uint64_t rep, uint64_t reps, double sim_s,
                          double total_s, uint64_t events)
{
    double wall = seconds_since(&pg->t0);
    if (!pg->out || wall - pg->last < 0.25)
        return;
    pg->last = wall;
    double done = ((double)rep + fmin(sim_s / total_s, 1.0)) / (double)reps;
    double eta = done > 0 ? wall * (1 - done) / done : 0;
    fprintf(pg->out,
            "\r  replication %" PRIu64 "/%" PRIu64 ": simulated %.0f of %.0f s, %.3g "
            "events/s, ETA %.0f s   ",
            rep + 1, reps, sim_s, total_s, wall > 0 ? (double)events / wall : 0.0, eta);
    fflush(pg->out);
}

/* Runs a replication to its end; with progress, in slices of 1 % of the duration (the events and
 * their order are the same either way). */
static enum sim_stop run_sliced(struct sim *sim, const struct scn *s, struct progress *pg,
                                uint64_t rep, uint64_t reps, uint64_t events_before)
{
    int64_t slice = (int64_t)(s->run.duration_s * 1e7) + 1, until = slice;
    enum sim_stop why;
    do {
        why = sim_run(sim, pg->out ? until : SIM_TIME_MAX, UINT64_MAX);
        progress_show(pg, rep, reps, (double)sim_now(sim) * 1e-9, s->run.duration_s,
                      events_before + sim->processed);
        until = until > SIM_TIME_MAX - slice ? SIM_TIME_MAX : until + slice;
    } while (why == SIM_STOP_TIME);
    return why;
}

/* `at_s`: the simulated time the replication stopped at. */
static int replication_failed(struct diag *d, struct rec *rec, struct progress *pg,
                              uint32_t replication, double at_s, int rc)
{
    if (pg->out)
        fputc('\n', pg->out);
    if (rc == -EINTR)
        diag_error(d, "interrupted in replication %" PRIu32 " at %.6g s of simulated time",
                   replication, at_s);
    else if (rec_error(rec))
        diag_error(d,
                   "replication %" PRIu32 " stopped at %.6g s of simulated time: the results "
                   "file could not be written (see above)",
                   replication, at_s);
    else
        diag_error(d, "replication %" PRIu32 " stopped at %.6g s of simulated time: %s",
                   replication, at_s,
                   rc == -EIO      ? "results file write failed"
                   : rc == -ERANGE ? "a time from the cost tables is too long to represent (a "
                                     "table extrapolated far beyond its grid)"
                                   : "out of memory");
    return rc;
}

/* One policy's run of the split model. */
struct split_run {
    const struct pol_type *type;
    char group[96]; /* "" at the root, or "/policies/NAME" in a competition */
    struct split_results res;
    struct split_stat stats[SM_COUNT_];
};

/* The split model's replications, for each policy in turn (a competition: the same
 * replications, so the same arrivals and channels); per-metric values accumulate in runs[i].res. */
static int simulate_split(const struct scn *s, const struct split_inputs *in,
                          const struct evq_type *queue, struct rec *rec, struct split_run *runs,
                          size_t nruns, uint64_t *events, const struct cli_io *io, bool quiet,
                          struct diag *d)
{
    struct progress pg = {.out = !quiet && isatty(fileno(io->err)) ? io->err : NULL};
    clock_gettime(CLOCK_MONOTONIC, &pg.t0);
    *events = 0;
    for (size_t pi = 0; pi < nruns; pi++) {
        struct split_run *run = &runs[pi];
        const char *g = run->group;
        char path[160];
        struct split_recorders tabs = {0};
#define TABLE(name, cols, ncols, out)                                                              \
    do {                                                                                           \
        snprintf(path, sizeof path, "%s%s", g, name);                                              \
        rec_table_create(rec, path, cols, ncols, out);                                             \
    } while (0)
        if (s->recording.requests)
            TABLE("/requests", split_request_columns, split_request_column_count, &tabs.requests);
        if (s->recording.decisions) {
            size_t nc = 0;
            struct rec_column *dc = split_decision_columns(s, in, run->type->predict != NULL, &nc);
            if (!dc) {
                diag_error(d, "out of memory");
                return -ENOMEM;
            }
            TABLE("/decisions", dc, nc, &tabs.decisions);
            split_decision_columns_free(dc, nc);
        }
        if (s->recording.interval_s > 0) {
            TABLE("/timeseries/edge", split_ts_edge_columns, split_ts_edge_column_count,
                  &tabs.ts_edge);
            TABLE("/timeseries/cell", split_ts_cell_columns, split_ts_cell_column_count,
                  &tabs.ts_cell);
            if (s->channel.model == SCN_CHANNEL_FADING && s->recording.snr_ues > 0)
                TABLE("/timeseries/snr", split_ts_snr_columns, split_ts_snr_column_count,
                      &tabs.ts_snr);
        }
        TABLE("/ues", split_ue_columns, split_ue_column_count, &tabs.ues);
#undef TABLE
        if (rec_error(rec))
            return rec_error(rec);
        if (*g)
            rec_attr_string(rec, g, "policy", run->type->name);
        rec_attr_int64(rec, *g ? g : "/", "replications_done", 0);
        for (uint64_t i = 0; i < s->run.replications; i++) {
            struct sim sim;
            struct split_model model;
            uint32_t replication = (uint32_t)(s->run.first_replication + i);
            if (sim_init(&sim, queue, 1024) < 0) {
                diag_error(d, "out of memory");
                return -ENOMEM;
            }
            sim.interrupt = io->interrupt;
            const char *msg = NULL;
            int rc =
                split_init(&model, &sim, s, in, replication, &tabs, &run->res, run->type, &msg);
            double at_s = (double)sim_now(&sim) * 1e-9;
            if (rc == 0) {
                enum sim_stop why = run_sliced(&sim, s, &pg, pi * s->run.replications + i,
                                               nruns * s->run.replications, *events);
                if (why == SIM_STOP_REQUESTED && io->interrupt && *io->interrupt)
                    rc = -EINTR;
                else if (why != SIM_STOP_EMPTY || split_error(&model))
                    rc = split_error(&model) ? split_error(&model) : -ENOMEM;
                else if (split_record_ues(&model) < 0)
                    rc = -EIO;
                else if ((rc = split_finish(&model, &msg)) < 0 && msg)
                    diag_error(d, "policy %s: %s", run->type->name, msg);
                else if (rec_checkpoint(rec, *g ? g : "/", "replications_done", (int64_t)(i + 1)) <
                         0)
                    rc = -EIO;
                *events += sim.processed;
                at_s = (double)sim_now(&sim) * 1e-9;
            } else if (msg) {
                diag_error(d, "policy %s: %s", run->type->name, msg);
            }
            split_release(&model);
            sim_release(&sim);
            if (rc < 0)
                return msg ? rc : replication_failed(d, rec, &pg, replication, at_s, rc);
        }
        if (*g && rec_checkpoint(rec, "/", "policies_done", (int64_t)(pi + 1)) < 0)
            return replication_failed(d, rec, &pg, (uint32_t)s->run.first_replication, 0, -EIO);
    }
    if (pg.out && pg.last > 0)
        fputc('\n', pg.out);
    return 0;
}

static void print_split_summary(FILE *out, const char *file, const struct scn *s,
                                const struct split_inputs *in, const struct split_results *res,
                                const struct split_stat *st, uint64_t events, double wall)
{
    uint64_t arrived = 0, refused = 0, failed = 0, measured = 0;
    for (size_t i = 0; i < res->nreps; i++) {
        arrived += res->reps[i].arrived;
        refused += res->reps[i].refused;
        failed += res->reps[i].failed;
        measured += res->reps[i].measured;
    }
    static const char *const prec[] = {"fp16", "int8", "int4"};
    static const char *const chan[] = {"fading", "erasure"};
    fprintf(out,
            "splitsim run: %s split after block %" PRIu64 " of %" PRIu32
            " (%s hidden state); %" PRIu64 " UE(s) on %s, %" PRIu64
            " edge server(s) %s; %s channel\n",
            s->llm.model, s->split.layer, in->blocks, prec[s->split.precision], s->ues.count,
            in->nclasses > 1 ? s->ues.classes : in->ue_table.device, s->edge.servers,
            in->edge_table.device, chan[s->channel.model]);
    fprintf(out,
            "  %" PRIu64 " replication(s) from %" PRIu64 ", seed %" PRIu64 ", %" PRIu64
            " requests (%" PRIu64 " measured after warm-up, %" PRIu64 " refused, %" PRIu64
            " radio-link failures)\n",
            s->run.replications, s->run.first_replication, s->run.seed, arrived, measured, refused,
            failed);
    if (measured == 0)
        fprintf(out, "  no request was measured (none arrived between the warm-up and the end of "
                     "run.duration): no statistics\n");
    fprintf(out, "  %-26s %11s %11s %11s %11s %11s\n", "metric", "mean", "95% CI +-", "p50", "p95",
            "p99");
    static const enum split_metric shown[] = {
        SM_TTFT,   SM_TPOT,     SM_LATENCY, SM_EDGE_WAIT, SM_EDGE_COMPUTE, SM_UE_COMPUTE,
        SM_ENERGY, SM_BYTES_UP, SM_ERASURE, SM_QUALITY,   SM_DEADLINE_MET};
    for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++) {
        const struct split_stat *x = &st[shown[i]];
        if (x->n == 0)
            continue;
        char name[64];
        snprintf(name, sizeof name, "%s [%s]", split_metric_info[shown[i]].name,
                 split_metric_info[shown[i]].units);
        fprintf(out, "  %-26s %11.4g %11.3g %11.4g %11.4g %11.4g\n", name, x->mean, x->ci95, x->p50,
                x->p95, x->p99);
    }
    fprintf(out, "  quality: %s\n",
            in->have_qtable ? in->quality_source
                            : "ASSUMED parametric model (no measured "
                              "quality table; docs/TABLES.md)");
    fprintf(out, "  %" PRIu64 " events in %.3f s of wall time (%.3g events/s)\n", events, wall,
            wall > 0 ? (double)events / wall : 0.0);
    fprintf(out, "results: %s\n", file);
}

/* Runs every replication of s into rec; 0 or a negative code (message in d); -EINTR when
 * interrupted by a signal. */
static int simulate(const struct scn *s, const struct evq_type *queue, struct rec *rec,
                    struct fifo_summary *sums, uint64_t *events, const struct cli_io *io,
                    bool quiet, struct diag *d)
{
    struct progress pg = {.out = !quiet && isatty(fileno(io->err)) ? io->err : NULL};
    clock_gettime(CLOCK_MONOTONIC, &pg.t0);
    struct rec_table *requests = NULL, *reps = NULL;
    if (s->recording.requests)
        rec_table_create(rec, "/requests", fifo_request_columns, fifo_request_column_count,
                         &requests);
    rec_table_create(rec, "/replications", fifo_replication_columns, fifo_replication_column_count,
                     &reps);
    if (rec_error(rec))
        return rec_error(rec);
    *events = 0;
    for (uint64_t i = 0; i < s->run.replications; i++) {
        struct sim sim;
        struct fifo model;
        uint32_t replication = (uint32_t)(s->run.first_replication + i);
        if (sim_init(&sim, queue, 1024) < 0) {
            diag_error(d, "out of memory");
            return -ENOMEM;
        }
        sim.interrupt = io->interrupt;
        int rc = fifo_init(&model, &sim, s, replication, requests);
        double at_s = 0;
        if (rc == 0) {
            enum sim_stop why = run_sliced(&sim, s, &pg, i, s->run.replications, *events);
            if (why == SIM_STOP_REQUESTED && io->interrupt && *io->interrupt) {
                rc = -EINTR;
            } else if (why != SIM_STOP_EMPTY || model.error) {
                rc = model.error ? model.error : -ENOMEM;
            } else {
                fifo_summarize(&model, &sums[i]);
                *events += sim.processed;
                if (fifo_record_replication(reps, &sums[i]) < 0 ||
                    rec_checkpoint(rec, "/", "replications_done", (int64_t)(i + 1)) < 0)
                    rc = -EIO;
            }
            at_s = (double)sim_now(&sim) * 1e-9;
            fifo_release(&model);
        }
        sim_release(&sim);
        if (rc < 0)
            return replication_failed(d, rec, &pg, replication, at_s, rc);
    }
    if (pg.out && pg.last > 0)
        fputc('\n', pg.out);
    return 0;
}

/* Summaries of every policy's run, and the competition table when there are several. */
static int record_split_results(struct rec *rec, const struct scn *s, const struct split_inputs *in,
                                struct split_run *runs, size_t nruns)
{
    struct compete_entry *e = calloc(nruns, sizeof *e);
    if (!e)
        return -ENOMEM;
    int rc = 0;
    for (size_t i = 0; i < nruns && rc == 0; i++) {
        char group[128];
        snprintf(group, sizeof group, "%s/summary", runs[i].group);
        rc = split_record_summary(rec, group, s, in, &runs[i].res, runs[i].stats);
        e[i] = (struct compete_entry){.name = runs[i].type->name,
                                      .res = &runs[i].res,
                                      .stats = runs[i].stats,
                                      .evaluation_cost_s = s->policy.evaluation_cost_s};
    }
    if (rc == 0 && *s->policy.compete) {
        compete_rank(e, nruns);
        rc = compete_record(rec, e, nruns);
    }
    free(e);
    return rc;
}

static void seconds_text(double v, char *buf, size_t n)
{
    if (isnan(v))
        snprintf(buf, n, "n/a");
    else
        snprintf(buf, n, "%.3gs", v);
}

static void print_competition(FILE *out, const struct scn *s, struct split_run *runs, size_t nruns)
{
    struct compete_entry *e = calloc(nruns, sizeof *e);
    if (!e)
        return;
    for (size_t i = 0; i < nruns; i++)
        e[i] = (struct compete_entry){.name = runs[i].type->name,
                                      .res = &runs[i].res,
                                      .stats = runs[i].stats,
                                      .evaluation_cost_s = s->policy.evaluation_cost_s};
    compete_rank(e, nruns);
    fprintf(out,
            "competition: %zu policies on identical arrivals and channels, %" PRIu64
            " replication(s); reward = mean realised reward (95%% CI over replications)\n",
            nruns, s->run.replications);
    fprintf(out, "  %-4s %-11s %17s %17s %8s %9s %9s %9s %11s\n", "rank", "policy", "reward",
            "vs best", "quality", "TTFT", "TTFT p95", "TPOT", "evaluations");
    for (unsigned r = 1; r <= nruns; r++)
        for (size_t i = 0; i < nruns; i++) {
            if (e[i].rank != r)
                continue;
            const struct split_stat *st = e[i].stats;
            char rw[40], vb[40], t1[16], t2[16], t3[16];
            snprintf(rw, sizeof rw, "%.4g +- %.2g", st[SM_REWARD].mean, st[SM_REWARD].ci95);
            if (isnan(st[SM_REWARD].mean))
                snprintf(rw, sizeof rw, "n/a");
            if (isnan(e[i].diff_best))
                snprintf(vb, sizeof vb, "n/a");
            else if (isnan(e[i].diff_best_ci95))
                snprintf(vb, sizeof vb, "%.3g", -e[i].diff_best);
            else
                snprintf(vb, sizeof vb, "%.3g +- %.2g", -e[i].diff_best, e[i].diff_best_ci95);
            seconds_text(st[SM_TTFT].mean, t1, sizeof t1);
            seconds_text(st[SM_TTFT].p95, t2, sizeof t2);
            seconds_text(st[SM_TPOT].mean, t3, sizeof t3);
            fprintf(out, "  %-4u %-11s %17s %17s %8.4g %9s %9s %9s %11" PRIu64 "\n", r, e[i].name,
                    rw, vb, st[SM_QUALITY].mean, t1, t2, t3, e[i].evaluations);
        }
    for (size_t i = 0; i < nruns; i++) {
        if (isnan(e[i].regret) || strcmp(e[i].name, "exhaustive") == 0)
            continue;
        if (isnan(e[i].regret_ci95))
            fprintf(out, "  regret of %s vs exhaustive: %.4g (intervals need 2+ replications)\n",
                    e[i].name, e[i].regret);
        else
            fprintf(out, "  regret of %s vs exhaustive: %.4g +- %.2g\n", e[i].name, e[i].regret,
                    e[i].regret_ci95);
    }
    free(e);
}

static void print_split_results(FILE *out, const char *file, const struct scn *s,
                                const struct split_inputs *in, struct split_run *runs, size_t nruns,
                                uint64_t events, double wall)
{
    if (nruns == 1) {
        print_split_summary(out, file, s, in, &runs[0].res, runs[0].stats, events, wall);
        return;
    }
    print_competition(out, s, runs, nruns);
    fprintf(out, "  %" PRIu64 " events in %.3f s of wall time\n", events, wall);
    fprintf(out, "results: %s\n", file);
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

    struct loaded l;
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
    if (rc == CLI_OK && s->model == SCN_MODEL_QUEUE) {
        struct fifo_theory th;
        fifo_theory(s, &th);
        if (th.rho >= 1)
            diag_report(&d, DIAG_WARNING, NULL, 0, 0,
                        "offered load rho = %.3g >= 1: the queue grows without bound, there is no "
                        "steady state, and its statistics depend on run.duration",
                        th.rho);
    }
    char *out_path = NULL;
    if (rc == CLI_OK) {
        out_path = output ? strdup(output)
                          : default_output(a.positional[0], have_point ? (int64_t)point : -1);
        if (!out_path) {
            diag_error(&d, "out of memory");
            rc = CLI_FAILURE;
        }
    }
    if (rc == CLI_OK && check_outputs(a.positional[0], s, out_path, &d) > 0)
        rc = CLI_BAD_INPUT;
    if (rc != CLI_OK) {
        finish_bad(&d, io, rc);
        goto out;
    }

    struct split_inputs inputs;
    bool have_inputs = false;
    if (s->model == SCN_MODEL_SPLIT) {
        int lrc = split_inputs_load(&inputs, s, &d);
        if (lrc < 0) {
            rc = lrc == -ENOMEM ? CLI_FAILURE : CLI_BAD_INPUT;
            finish_bad(&d, io, rc);
            goto out;
        }
        have_inputs = true;
    }
    struct fifo_summary *sums = calloc(s->run.replications, sizeof *sums);
    /* the policies: policy.compete, else policy.name */
    struct split_run *runs = NULL;
    size_t nruns = 0;
    if (have_inputs) {
        const char *list = *s->policy.compete ? s->policy.compete : s->policy.name;
        size_t max = 1;
        for (const char *c = list; *c; c++)
            max += *c == ',';
        runs = calloc(max, sizeof *runs);
        for (const char *v = list; runs && *v;) {
            const char *comma = strchr(v, ',');
            size_t len = comma ? (size_t)(comma - v) : strlen(v);
            char name[64];
            snprintf(name, sizeof name, "%.*s", (int)(len < 63 ? len : 63), v);
            runs[nruns].type = pol_type_find(name);
            if (*s->policy.compete)
                snprintf(runs[nruns].group, sizeof runs[nruns].group, "/policies/%s", name);
            nruns++;
            v += len + (comma != NULL);
        }
    }
    /* every policy must set up (e.g. its weights file load) before a file is created */
    for (size_t i = 0; runs && i < nruns && rc == CLI_OK; i++) {
        int prc = split_policy_check(s, &inputs, runs[i].type, &d);
        if (prc < 0)
            rc = prc == -ENOMEM ? CLI_FAILURE : CLI_BAD_INPUT;
    }
    if (rc != CLI_OK) {
        finish_bad(&d, io, rc);
        free(sums);
        free(runs);
        split_inputs_release(&inputs);
        goto out;
    }
    struct rec *rec = NULL;
    struct rec_options ropt = {.wallclock = wallclock_from_env()};
    if (!sums || (have_inputs && !runs)) {
        diag_error(&d, "out of memory");
        rc = CLI_FAILURE;
    } else if (rec_open(&rec, out_path, &ropt, &d) < 0) {
        rc = CLI_FAILURE;
    }
    if (rc == CLI_OK) {
        rec_attr_string(rec, "/", "model", s->model == SCN_MODEL_SPLIT ? "split" : "queue");
        rec_attr_string(rec, "/", "scenario", s->resolved);
        rec_attr_string(rec, "/", "scenario_hash", s->hash_hex);
        rec_attr_string(rec, "/", "scenario_file", a.positional[0]);
        rec_attr_int64(rec, "/", "seed", (int64_t)s->run.seed);
        rec_attr_int64(rec, "/", "replications", (int64_t)s->run.replications);
        rec_attr_int64(rec, "/", "first_replication", (int64_t)s->run.first_replication);
        rec_attr_int64(rec, "/", "sweep_point", have_point ? (int64_t)point : -1);
        if (have_inputs && *s->policy.compete)
            rec_attr_int64(rec, "/", "policies_done", 0);
        if (have_inputs) {
            rec_attr_string(rec, "/", "quality_source", inputs.quality_source);
            rec_attr_string(rec, "/", "policy",
                            *s->policy.compete ? s->policy.compete : s->policy.name);
        }
        /* the file describes itself from the start, even if the run is killed at once */
        rec_checkpoint(rec, "/", "replications_done", 0);
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        uint64_t events = 0;
        bool quiet = args_has(&a, "quiet");
        int sim_rc = have_inputs ? simulate_split(s, &inputs, queue, rec, runs, nruns, &events, io,
                                                  quiet, &d)
                                 : simulate(s, queue, rec, sums, &events, io, quiet, &d);
        double wall = seconds_since(&t0);
        struct fifo_summary overall;
        if (sim_rc == 0) {
            if (have_inputs)
                sim_rc = record_split_results(rec, s, &inputs, runs, nruns);
            else
                fifo_record_summary(rec, s, sums, s->run.replications, &overall);
            rec_attr_int64(rec, "/", "events", (int64_t)events);
        }
        bool had_rec_error = rec_error(rec) != 0;
        if (rec_close(rec, sim_rc == 0) < 0 || sim_rc < 0) {
            rc = CLI_FAILURE;
            char *inc = rec_incomplete_path(out_path);
            if (!had_rec_error && inc && access(inc, F_OK) == 0)
                diag_report(&d, DIAG_NOTE, NULL, 0, 0,
                            "what was simulated is in '%s' (complete = 0; its "
                            "replications_done attribute counts the finished replications)%s",
                            inc,
                            access(out_path, F_OK) == 0
                                ? "; the complete file already at that path is left as it was"
                                : "");
            free(inc);
        } else if (!quiet) {
            if (have_inputs)
                print_split_results(io->out, out_path, s, &inputs, runs, nruns, events, wall);
            else
                print_summary(io->out, out_path, s, &overall, events, wall);
        }
    }
    free(sums);
    for (size_t i = 0; i < nruns; i++)
        split_results_release(&runs[i].res);
    free(runs);
    if (have_inputs)
        split_inputs_release(&inputs);
    diag_print(&d, io->err, "splitsim");
out:
    free(out_path);
    if (have_point_scn)
        scn_release(&point_scn);
    loaded_release(&l);
    args_release(&a);
    diag_release(&d);
    return rc;
}
