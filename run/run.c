#include "run/run.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "models/catalog.h"
#include "results/rec.h"
#include "sim/epoch.h"
#include "sim/outfile.h"
#include "sim/sim.h"

/* ---- loading ------------------------------------------------------------------------------ */

int run_load(struct run_scenario *l, const char *file, const char *const *sets, size_t nsets,
             const char *set_dir, struct diag *d)
{
    memset(l, 0, sizeof *l);
    ytree_init(&l->tree);
    struct scn_override *ov = calloc(nsets ? nsets : 1, sizeof *ov);
    if (!ov) {
        diag_error(d, "out of memory");
        return RUN_FAILURE;
    }
    for (size_t i = 0; i < nsets; i++)
        ov[i].text = sets[i];
    int rc = scn_load(&l->base, &l->tree, file, ov, nsets, set_dir, &models_catalog, d);
    free(ov);
    if (rc == -ENOMEM)
        return RUN_FAILURE;
    if (rc < 0)
        return RUN_BAD_INPUT;
    l->have_base = true;
    if (sweep_init(&l->sweep, &l->tree, &l->base, d) < 0)
        return RUN_BAD_INPUT;
    l->have_sweep = true;
    return RUN_OK;
}

void run_document_keys(FILE *out)
{
    scn_document(&models_catalog, out);
}

void run_document_models(FILE *out)
{
    for (size_t i = 0; model_types[i]; i++)
        fprintf(out, "  %-8s %s\n", model_types[i]->name, model_types[i]->doc);
}

void run_scenario_release(struct run_scenario *l)
{
    if (l->have_sweep)
        sweep_release(&l->sweep);
    if (l->have_base)
        scn_release(&l->base);
    ytree_release(&l->tree);
    l->have_sweep = l->have_base = false;
}

const struct model_type *run_model_of(const struct scn *s)
{
    return model_type_find(scn_model_name(s));
}

int64_t run_wallclock(struct diag *d)
{
    /* SOURCE_DATE_EPOCH (sim/epoch.h) fixes the started/finished stamps, so two runs with the
     * same scenario give byte-identical files. */
    int64_t seconds = -1;
    return epoch_from_env(&seconds, d) < 0 ? -2 : seconds;
}

/* ---- outputs ------------------------------------------------------------------------------ */

/*
 * The files a run reads (those that exist: names of the built-in catalogue are not files) and
 * writes must be distinct, and every output must be creatable, before anything is simulated:
 * an output that names an input would destroy it, two outputs would overwrite each other, and a
 * run must not fail at its end for a reason knowable at its start.
 */
size_t run_check_outputs(const struct scn *s, const char *scenario_file, const char *results,
                         struct diag *d)
{
    const struct model_type *type = run_model_of(s);
    struct model_file in[MODEL_MAX_FILES + 1], wout = {NULL, NULL, false};
    size_t nin = 0;
    in[nin++] = (struct model_file){"the scenario", scenario_file, false};
    if (type && type->files)
        nin += type->files(s, in + 1, &wout);
    size_t errors = diag_error_count(d);
    char *incomplete = results ? rec_incomplete_path(results) : NULL;
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
    if (wout.path && *wout.path) {
        struct diag why;
        diag_init(&why);
        if (outfile_check_writable(wout.path, wout.key, &why) < 0) /* at the key's place */
            scn_error_at(s, d, wout.key, "%s", why.len ? why.msgs[0].text : "cannot be written");
        diag_release(&why);
        for (size_t i = 0; i < nin; i++)
            if (!in[i].rewritable && outfile_same(wout.path, in[i].path))
                scn_error_at(s, d, wout.key, "%s: '%s' is %s; it would be overwritten", wout.key,
                             wout.path, in[i].key);
        if (results && (outfile_same(wout.path, results) || outfile_same(wout.path, incomplete)))
            scn_error_at(s, d, wout.key, "%s: '%s' is also the results file", wout.key, wout.path);
    }
    free(incomplete);
    return diag_error_count(d) - errors;
}

/* ---- check -------------------------------------------------------------------------------- */

static int status_of(int rc)
{
    return rc == 0 ? RUN_OK : rc == -ENOMEM ? RUN_FAILURE : RUN_BAD_INPUT;
}

int run_check(const struct scn *s, const char *scenario_file, const struct run_io *io,
              struct diag *d)
{
    const struct model_type *type = run_model_of(s);
    if (!type) {
        diag_error(d, "model '%s' is not built into this splitsim", scn_model_name(s));
        return RUN_BAD_INPUT;
    }
    void *state = NULL;
    struct model_plan plan;
    int rc = status_of(type->setup(&state, s, &plan, d));
    if (rc == RUN_OK && run_check_outputs(s, scenario_file, NULL, d) > 0)
        rc = RUN_BAD_INPUT;
    if (rc == RUN_OK && type->describe)
        type->describe(state, s, io->out);
    type->release(state);
    return rc;
}

/* ---- progress ----------------------------------------------------------------------------- */

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

/* ---- the replications --------------------------------------------------------------------- */

/* Everything one run holds while it simulates. */
struct run_state {
    const struct scn *s;
    const struct model_type *type;
    void *model;
    struct model_plan plan;
    const struct evq_type *queue;
    struct rec *rec;
    const struct run_io *io;
    struct progress pg;
    uint64_t events;
    struct diag *d;
};

/* Runs a replication to its end; with progress, in slices of 1 % of the duration (the events and
 * their order are the same either way). */
static enum sim_stop run_sliced(struct run_state *r, struct sim *sim, uint64_t rep, uint64_t reps)
{
    int64_t slice = (int64_t)(r->s->run.duration_s * 1e7) + 1, until = slice;
    enum sim_stop why;
    do {
        why = sim_run(sim, r->pg.out ? until : SIM_TIME_MAX, UINT64_MAX);
        progress_show(&r->pg, rep, reps, (double)sim_now(sim) * 1e-9, r->s->run.duration_s,
                      r->events + sim->processed);
        until = until > SIM_TIME_MAX - slice ? SIM_TIME_MAX : until + slice;
    } while (why == SIM_STOP_TIME);
    return why;
}

/* "replication R", and in a run with policies "of policy 'NAME'" (with its place among the
 * competitors in a competition). */
static void replication_name(const struct run_state *r, size_t p, uint32_t replication, char *buf,
                             size_t n)
{
    int len = snprintf(buf, n, "replication %" PRIu32, replication);
    if (len < 0 || (size_t)len >= n || !r->plan.policy)
        return;
    if (r->plan.competition)
        snprintf(buf + len, n - (size_t)len, " of policy '%s' (competitor %zu of %zu)",
                 r->plan.policy[p], p + 1, r->plan.npolicies);
    else
        snprintf(buf + len, n - (size_t)len, " of policy '%s'", r->plan.policy[p]);
}

/* `at_s`: the simulated time the replication stopped at. */
static int replication_failed(struct run_state *r, size_t p, uint32_t replication, double at_s,
                              int rc)
{
    if (r->pg.out)
        fputc('\n', r->pg.out);
    char what[64 + SCN_MAX_POLICY_NAME];
    replication_name(r, p, replication, what, sizeof what);
    if (rc == -EINTR)
        diag_error(r->d, "interrupted in %s at %.6g s of simulated time", what, at_s);
    else if (rec_error(r->rec))
        diag_error(r->d,
                   "%s stopped at %.6g s of simulated time: the results file could not be "
                   "written (see above)",
                   what, at_s);
    else
        diag_error(r->d, "%s stopped at %.6g s of simulated time: %s", what, at_s,
                   rc == -EIO      ? "results file write failed"
                   : rc == -ERANGE ? "a time from the cost tables is too long to represent (a "
                                     "table extrapolated far beyond its grid)"
                                   : "out of memory");
    return rc;
}

/* Replication i of policy p: set up, simulated to its end, recorded, checkpointed. */
static int run_replication(struct run_state *r, size_t p, const char *group, uint64_t i)
{
    const struct scn *s = r->s;
    uint32_t replication = (uint32_t)(s->run.first_replication + i);
    struct sim sim;
    if (sim_init(&sim, r->queue, 1024) < 0) {
        diag_error(r->d, "out of memory");
        return -ENOMEM;
    }
    sim.interrupt = r->io->interrupt;
    const char *why = NULL;
    int rc = r->type->replication_start(r->model, p, &sim, replication, &why);
    if (rc == 0) {
        uint64_t reps = r->plan.npolicies * s->run.replications;
        enum sim_stop stop = run_sliced(r, &sim, p * s->run.replications + i, reps);
        int err = r->type->replication_error(r->model);
        if (stop == SIM_STOP_REQUESTED && r->io->interrupt && *r->io->interrupt)
            rc = -EINTR;
        else if (stop != SIM_STOP_EMPTY || err)
            rc = err ? err : -ENOMEM;
        else if ((rc = r->type->replication_end(r->model, p, &why)) < 0)
            ;
        else if (rec_checkpoint(r->rec, *group ? group : "/", "replications_done",
                                (int64_t)(i + 1)) < 0)
            rc = -EIO;
        r->events += sim.processed;
    }
    double at_s = (double)sim_now(&sim) * 1e-9;
    r->type->replication_release(r->model);
    sim_release(&sim);
    if (rc < 0 && why) {
        diag_error(r->d, "policy %s: %s", r->plan.policy ? r->plan.policy[p] : "-", why);
        return rc;
    }
    return rc < 0 ? replication_failed(r, p, replication, at_s, rc) : 0;
}

/* Every replication of every policy; 0 or a negative code (message in d); -EINTR when
 * interrupted by a signal. */
static int run_policies(struct run_state *r)
{
    for (size_t p = 0; p < r->plan.npolicies; p++) {
        char group[96] = "";
        if (r->plan.competition)
            snprintf(group, sizeof group, "/policies/%s", r->plan.policy[p]);
        int rc = r->type->policy_begin(r->model, p, r->rec, group);
        if (rc < 0) {
            if (!rec_error(r->rec))
                diag_error(r->d, "out of memory");
            return rc;
        }
        if (*group)
            rec_attr_string(r->rec, group, "policy", r->plan.policy[p]);
        rec_attr_int64(r->rec, *group ? group : "/", "replications_done", 0);
        for (uint64_t i = 0; i < r->s->run.replications; i++)
            if ((rc = run_replication(r, p, group, i)) < 0)
                return rc;
        if (*group && rec_checkpoint(r->rec, "/", "policies_done", (int64_t)(p + 1)) < 0)
            return replication_failed(r, p, (uint32_t)r->s->run.first_replication, 0, -EIO);
    }
    if (r->pg.out && r->pg.last > 0)
        fputc('\n', r->pg.out);
    return 0;
}

static void record_root(struct run_state *r, const struct run_options *o)
{
    const struct scn *s = r->s;
    struct rec *rec = r->rec;
    rec_attr_string(rec, "/", "model", r->type->name);
    rec_attr_string(rec, "/", "scenario", s->resolved);
    rec_attr_string(rec, "/", "scenario_hash", s->hash_hex);
    rec_attr_string(rec, "/", "scenario_file", o->scenario_file);
    rec_attr_int64(rec, "/", "seed", (int64_t)s->run.seed);
    rec_attr_int64(rec, "/", "replications", (int64_t)s->run.replications);
    rec_attr_int64(rec, "/", "first_replication", (int64_t)s->run.first_replication);
    rec_attr_int64(rec, "/", "sweep_point", o->sweep_point);
    if (r->plan.competition)
        rec_attr_int64(rec, "/", "policies_done", 0);
    r->type->record_header(r->model, rec);
    /* the file describes itself from the start, even if the run is killed at once */
    rec_checkpoint(rec, "/", "replications_done", 0);
}

/* Simulates and records into an open results file; the results file is closed here. */
static int run_recorded(struct run_state *r, const struct run_options *o)
{
    record_root(r, o);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    r->pg = (struct progress){.out = !o->quiet && isatty(fileno(r->io->err)) ? r->io->err : NULL};
    clock_gettime(CLOCK_MONOTONIC, &r->pg.t0);
    int sim_rc = run_policies(r);
    double wall = seconds_since(&t0);
    if (sim_rc == 0) {
        sim_rc = r->type->summary(r->model, r->rec);
        rec_attr_int64(r->rec, "/", "events", (int64_t)r->events);
    }
    bool had_rec_error = rec_error(r->rec) != 0;
    if (rec_close(r->rec, sim_rc == 0) < 0 || sim_rc < 0) {
        char *inc = rec_incomplete_path(o->output);
        if (!had_rec_error && inc && access(inc, F_OK) == 0)
            diag_report(r->d, DIAG_NOTE, NULL, 0, 0,
                        "what was simulated is in '%s' (complete = 0; its replications_done "
                        "attribute counts the finished replications)%s",
                        inc,
                        access(o->output, F_OK) == 0
                            ? "; the complete file already at that path is left as it was"
                            : "");
        free(inc);
        return RUN_FAILURE;
    }
    if (!o->quiet)
        r->type->print(r->model, r->io->out, o->output, r->events, wall);
    return RUN_OK;
}

int run_simulate(const struct scn *s, const struct run_options *o, const struct run_io *io,
                 struct diag *d)
{
    struct run_state r = {.s = s, .type = run_model_of(s), .io = io, .d = d};
    if (!r.type) {
        diag_error(d, "model '%s' is not built into this splitsim", scn_model_name(s));
        return RUN_BAD_INPUT;
    }
    r.queue = o->queue ? o->queue : evq_types[0];
    if (r.type->advise)
        r.type->advise(s, d);
    if (run_check_outputs(s, o->scenario_file, o->output, d) > 0)
        return RUN_BAD_INPUT;
    struct rec_options ropt = {.wallclock = run_wallclock(d)};
    if (ropt.wallclock < -1)
        return RUN_BAD_INPUT;
    int rc = status_of(r.type->setup(&r.model, s, &r.plan, d));
    if (rc == RUN_OK && rec_open(&r.rec, o->output, &ropt, d) < 0)
        rc = RUN_FAILURE;
    if (rc == RUN_OK)
        rc = run_recorded(&r, o);
    r.type->release(r.model);
    return rc;
}
