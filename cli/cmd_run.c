/*
 * run and check: the built-in M/M/1 model, configured from the command line.
 *
 * Until the scenario loader lands, the one model `run` knows is the M/M/1 queue (models/mm1.h);
 * its parameters come from options. `check` validates the same options and prints the fully
 * resolved configuration (defaults filled in) without simulating. The resolved configuration,
 * as YAML text, is also stored in the results file's root attribute `scenario`.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/args.h"
#include "cli/cli.h"
#include "models/mm1.h"
#include "results/rec.h"
#include "sim/sim.h"

static const struct args_opt run_opts[] = {
    {"model", 0, "NAME", "built-in model to run: mm1 (default: mm1)"},
    {"arrival-rate", 0, "RATE", "M/M/1 arrival rate lambda, per second (default: 0.8)"},
    {"service-rate", 0, "RATE", "M/M/1 service rate mu, per second (default: 1.0)"},
    {"customers", 0, "N", "customers to simulate (default: 100000)"},
    {"warmup", 0, "N", "leading customers left out of the statistics (default: 1000)"},
    {"seed", 0, "N", "master seed of all random streams (default: 1)"},
    {"replication", 0, "N", "replication number, part of every stream's key (default: 0)"},
    {"queue", 0, "NAME", "event-queue implementation: quad-heap, binary-heap (default: quad-heap)"},
    {"output", 'o', "FILE", "results file (default: splitsim-results.h5)"},
    {"no-customers", 0, NULL, "do not record the per-customer table, only the summary"},
    {"quiet", 'q', NULL, "print nothing on success"},
};
#define NRUN_OPTS (sizeof run_opts / sizeof run_opts[0])

struct run_config {
    const char *model;
    struct mm1_params mm1;
    const struct evq_type *queue;
    const char *output;
    bool record_customers;
    bool quiet;
};

static void usage(FILE *out, const char *cmd)
{
    fprintf(out, "usage: splitsim %s [OPTIONS]\n\n", cmd);
    if (strcmp(cmd, "run") == 0)
        fprintf(out, "Runs the built-in M/M/1 queue and writes every customer and a summary to an\n"
                     "HDF5 results file; prints the summary next to queueing theory.\n\n");
    else
        fprintf(out, "Validates the options 'run' would take and prints the fully resolved\n"
                     "configuration, without simulating.\n\n");
    fprintf(out, "options:\n");
    args_print_help(out, run_opts, NRUN_OPTS);
}

/* Binds and validates the options; CLI_OK, CLI_BAD_INPUT (messages in d), or -1 for --help. */
static int config_parse(int argc, char **argv, struct run_config *c, struct diag *d)
{
    struct args a;
    *c = (struct run_config){
        .model = "mm1",
        .mm1 = {.arrival_rate = 0.8, .service_rate = 1.0, .customers = 100000, .warmup = 1000,
                .seed = 1, .replication = 0},
        .queue = evq_types[0],
        .output = "splitsim-results.h5",
        .record_customers = true,
    };
    args_parse(&a, run_opts, NRUN_OPTS, argc, argv, 1, d);
    if (a.help) {
        args_release(&a);
        return -1;
    }
    uint64_t replication = 0;
    if (a.npositional)
        diag_error(d, "unexpected argument '%s': scenario files are not read yet; the built-in "
                      "model takes its parameters from options (see --help)",
                   a.positional[0]);
    const char *model = args_get(&a, "model");
    if (model && strcmp(model, "mm1") != 0) {
        const char *models[] = {"mm1"};
        const char *near = diag_nearest(model, models, 1);
        diag_error(d, "--model: expected one of: mm1, got '%s'%s%s%s", model,
                   near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
    }
    args_double(&a, "arrival-rate", 1e-9, 1e6, &c->mm1.arrival_rate, d);
    args_double(&a, "service-rate", 1e-9, 1e6, &c->mm1.service_rate, d);
    args_uint64(&a, "customers", 1, UINT64_C(1) << 40, &c->mm1.customers, d);
    args_uint64(&a, "warmup", 0, UINT64_C(1) << 40, &c->mm1.warmup, d);
    args_uint64(&a, "seed", 0, UINT64_MAX, &c->mm1.seed, d);
    if (args_uint64(&a, "replication", 0, UINT32_MAX, &replication, d) == 0)
        c->mm1.replication = (uint32_t)replication;
    const char *queue = args_get(&a, "queue");
    if (queue && !(c->queue = evq_type_find(queue))) {
        const char *names[8];
        size_t n = 0;
        for (size_t i = 0; evq_types[i] && n < 8; i++)
            names[n++] = evq_types[i]->name;
        const char *near = diag_nearest(queue, names, n);
        diag_error(d, "--queue: expected quad-heap or binary-heap, got '%s'%s%s%s", queue,
                   near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
    }
    const char *output = args_get(&a, "output");
    if (output) {
        if (!*output)
            diag_error(d, "--output: expected a file name, got an empty string");
        c->output = output;
    }
    c->record_customers = !args_has(&a, "no-customers");
    c->quiet = args_has(&a, "quiet");
    args_release(&a);

    if (diag_error_count(d) == 0) {
        const char *why = NULL;
        if (mm1_params_check(&c->mm1, &why) < 0)
            diag_error(d, "invalid M/M/1 parameters: %s", why);
        else if (c->mm1.arrival_rate >= c->mm1.service_rate)
            diag_warning(d, "arrival rate %g/s >= service rate %g/s: the queue is unstable and "
                            "grows without bound; theory values will be NaN",
                         c->mm1.arrival_rate, c->mm1.service_rate);
    }
    return diag_error_count(d) ? CLI_BAD_INPUT : CLI_OK;
}

/* The resolved configuration as YAML text (caller frees). */
static char *config_text(const struct run_config *c)
{
    char *text = NULL;
    if (asprintf(&text,
                 "model: %s\n"
                 "mm1:\n"
                 "  arrival_rate: %.17g  # 1/s\n"
                 "  service_rate: %.17g  # 1/s\n"
                 "  customers: %" PRIu64 "\n"
                 "  warmup: %" PRIu64 "\n"
                 "run:\n"
                 "  seed: %" PRIu64 "\n"
                 "  replication: %" PRIu32 "\n"
                 "  event_queue: %s\n"
                 "output:\n"
                 "  customers: %s\n",
                 c->model, c->mm1.arrival_rate, c->mm1.service_rate, c->mm1.customers,
                 c->mm1.warmup, c->mm1.seed, c->mm1.replication, c->queue->name,
                 c->record_customers ? "true" : "false") < 0)
        return NULL;
    return text;
}

int cmd_check(int argc, char **argv, const struct cli_io *io)
{
    struct diag d;
    diag_init(&d);
    struct run_config c;
    int rc = config_parse(argc, argv, &c, &d);
    if (rc < 0) {
        usage(io->out, "check");
        diag_release(&d);
        return CLI_OK;
    }
    diag_print(&d, io->err, "splitsim");
    if (rc == CLI_OK) {
        char *text = config_text(&c);
        if (!text) {
            fprintf(io->err, "splitsim: error: out of memory\n");
            rc = CLI_FAILURE;
        } else {
            fputs(text, io->out);
            free(text);
            fprintf(io->out, "# results file: %s\n", c.output);
            double rho = c.mm1.arrival_rate / c.mm1.service_rate;
            fprintf(io->out, "# rho = %.6g; %s\n", rho,
                    rho < 1 ? "stable" : "unstable: no steady state");
        }
    } else {
        fprintf(io->err, "splitsim: %zu error(s); nothing was simulated\n", diag_error_count(&d));
    }
    diag_release(&d);
    return rc;
}

static int64_t wallclock_from_env(void)
{
    /* SOURCE_DATE_EPOCH (reproducible-builds.org) fixes the started/finished stamps, so two runs
     * with the same seed give byte-identical files. */
    const char *s = getenv("SOURCE_DATE_EPOCH");
    if (!s || !*s)
        return -1;
    char *end = NULL;
    long long v = strtoll(s, &end, 10);
    return (*end == '\0' && v >= 0) ? v : -1;
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0->tv_nsec);
}

static void print_summary(FILE *out, const struct run_config *c, const struct mm1_summary *s,
                          uint64_t events, double wall)
{
    fprintf(out, "splitsim run: M/M/1, lambda %g/s, mu %g/s, rho %.3g, %" PRIu64
                 " customers (%" PRIu64 " warm-up), seed %" PRIu64 ", replication %" PRIu32 "\n",
            c->mm1.arrival_rate, c->mm1.service_rate, s->rho, s->customers, c->mm1.warmup,
            c->mm1.seed, c->mm1.replication);
    fprintf(out, "  %-22s %10s %12s %10s\n", "metric", "simulated", "95% CI +-", "theory");
    fprintf(out, "  %-22s %10.4f %12.4f %10.4f\n", "time in system [s]", s->mean_time_in_system_s,
            s->ci95_time_in_system_s, s->theory_time_in_system_s);
    fprintf(out, "  %-22s %10.4f %12.4f %10.4f\n", "wait in queue [s]", s->mean_wait_s,
            s->ci95_wait_s, s->theory_wait_s);
    fprintf(out, "  %-22s %10.4f %12s %10.4f\n", "P(wait > 0)", s->prob_wait, "",
            s->rho < 1 ? s->rho : (double)NAN);
    fprintf(out, "  %-22s %10.4f %12s %10.4f\n", "utilisation", s->utilisation, "",
            s->rho < 1 ? s->rho : (double)NAN);
    fprintf(out, "  %" PRIu64 " events in %.3f s of wall time (%.3g events/s); simulated %.1f s\n",
            events, wall, wall > 0 ? (double)events / wall : 0.0, s->end_time_s);
    fprintf(out, "results: %s\n", c->output);
}

int cmd_run(int argc, char **argv, const struct cli_io *io)
{
    struct diag d;
    diag_init(&d);
    struct run_config c;
    int rc = config_parse(argc, argv, &c, &d);
    if (rc < 0) {
        usage(io->out, "run");
        diag_release(&d);
        return CLI_OK;
    }
    if (rc != CLI_OK) {
        diag_print(&d, io->err, "splitsim");
        fprintf(io->err, "splitsim: %zu error(s); nothing was simulated\n", diag_error_count(&d));
        diag_release(&d);
        return rc;
    }

    struct sim sim;
    struct mm1 model;
    struct rec *rec = NULL;
    struct rec_table *customers = NULL;
    char *text = config_text(&c);
    memset(&model, 0, sizeof model);
    if (sim_init(&sim, c.queue, 1024) < 0) {
        diag_error(&d, "out of memory");
        rc = CLI_FAILURE;
        goto out;
    }
    struct rec_options ropt = {.wallclock = wallclock_from_env()};
    if (!text || rec_open(&rec, c.output, &ropt, &d) < 0) {
        if (!text)
            diag_error(&d, "out of memory");
        rc = CLI_FAILURE;
        goto out_sim;
    }
    rec_attr_string(rec, "/", "model", c.model);
    rec_attr_string(rec, "/", "scenario", text);
    rec_attr_int64(rec, "/", "seed", (int64_t)c.mm1.seed);
    rec_attr_int64(rec, "/", "replication", c.mm1.replication);
    if (c.record_customers)
        rec_table_create(rec, "/customers", mm1_columns, mm1_column_count, &customers);
    if (rec_error(rec) < 0 || mm1_init(&model, &sim, &c.mm1, customers) < 0 ||
        mm1_start(&model) < 0) {
        if (!rec_error(rec))
            diag_error(&d, "out of memory");
        rc = CLI_FAILURE;
        goto out_rec;
    }

    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    enum sim_stop why = sim_run(&sim, SIM_TIME_MAX, UINT64_MAX);
    double wall = seconds_since(&t0);
    if (why != SIM_STOP_EMPTY || model.error) {
        if (!rec_error(rec))
            diag_error(&d, "simulation stopped early (%s)", model.error == -EIO
                                                               ? "results file write failed"
                                                               : "out of memory");
        rc = CLI_FAILURE;
        goto out_rec;
    }
    struct mm1_summary s;
    mm1_summarize(&model, &s);
    mm1_record_summary(&s, rec, "/summary");
    rec_attr_int64(rec, "/", "events", (int64_t)sim.processed);
    if (rec_close(rec, true) < 0) {
        rec = NULL;
        rc = CLI_FAILURE;
        goto out_model;
    }
    rec = NULL;
    if (!c.quiet)
        print_summary(io->out, &c, &s, sim.processed, wall);
    rc = CLI_OK;

out_rec:
    if (rec)
        rec_close(rec, false);
out_model:
    mm1_release(&model);
out_sim:
    sim_release(&sim);
out:
    free(text);
    diag_print(&d, io->err, "splitsim");
    diag_release(&d);
    return rc;
}
