#include "run/campaign.h"

#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "results/rec.h"
#include "results/rread.h"
#include "run/slurm.h"
#include "scn/field.h"
#include "sim/outfile.h"
#include "sim/slurp.h"
#include "sim/stats.h"
#include "splitsim_config.h"

#if SPLITSIM_HAVE_MPI
#include <mpi.h>
#endif

/* What the campaign knows about each point before running it. */
struct point_info {
    char hash[24]; /* its resolved scenario's hash */
    uint64_t replication;
    double *axis; /* [naxes]: the swept values (base units; index for choices and strings) */
    struct scn_list compete; /* its policy.compete (empty without a competition), owned */
    int quality;             /* enum point_quality */
};

/* Where a point's quality comes from (the index's quality_assumed column). */
enum point_quality {
    QUALITY_NONE = -1,    /* its model computes no quality (model: queue) */
    QUALITY_MEASURED = 0, /* llm.quality_table names a measured table */
    QUALITY_ASSUMED = 1,  /* no table: the assumed parametric model (docs/TABLES.md) */
};

/* The quality source of scenario s (its own, never what a point file says). */
static int quality_of(const struct scn *s)
{
    if (!s->catalog->model_reads(s->model, "llm.quality_table"))
        return QUALITY_NONE;
    return *s->llm.quality_table ? QUALITY_MEASURED : QUALITY_ASSUMED;
}

/* The points [from, to) of a sweep of n; p[i] is point from + i. */
struct plan {
    uint64_t n, from, to;
    size_t naxes;
    struct point_info *p;
    double *axis_values; /* n x naxes */
    const char **axis_units;
    const char *model;
};

static void plan_release(struct plan *pl)
{
    for (uint64_t i = 0; pl->p && i < pl->to - pl->from; i++)
        scn_list_release(&pl->p[i].compete);
    free(pl->p);
    free(pl->axis_values);
    free(pl->axis_units);
    memset(pl, 0, sizeof *pl);
}

/* A swept value as a number: the bound value for numbers and booleans, else the index of the
 * value in the axis' list. */
static double axis_number(const struct scn *s, const char *path, size_t index, const char **units)
{
    const void *holder = NULL;
    const struct scn_field *f = field_locate(scn_schema, path, s, &holder);
    *units = "1";
    if (!f)
        return (double)index;
    const char *ptr = (const char *)holder + f->offset;
    switch (f->type) {
    case FIELD_QUANTITY:
        *units = *unit_dim_base(f->dim) ? unit_dim_base(f->dim) : "1";
        return *(const double *)(const void *)ptr;
    case FIELD_UINT:
        return (double)*(const uint64_t *)(const void *)ptr;
    case FIELD_BOOL:
        return *(const bool *)(const void *)ptr ? 1 : 0;
    default:
        return (double)index;
    }
}

/* Resolves the points [from, to) only: what they need (their hash, replication and swept
 * values) costs a scenario binding each, so a job that runs a few points of a large sweep does
 * not pay for all of them. */
static int make_plan(const struct campaign *c, uint64_t from, uint64_t to, struct plan *pl,
                     struct diag *d)
{
    memset(pl, 0, sizeof *pl);
    const struct sweep *sw = c->sweep;
    pl->n = sw->points;
    pl->from = from;
    pl->to = to;
    uint64_t count = to - from;
    pl->naxes = sw->ngrid + sw->nzip;
    pl->p = calloc(count ? count : 1, sizeof *pl->p);
    pl->axis_values =
        calloc((count ? count : 1) * (pl->naxes ? pl->naxes : 1), sizeof *pl->axis_values);
    pl->axis_units = calloc(pl->naxes ? pl->naxes : 1, sizeof *pl->axis_units);
    if (!pl->p || !pl->axis_values || !pl->axis_units) {
        plan_release(pl);
        diag_error(d, "out of memory");
        return -ENOMEM;
    }
    pl->model = scn_model_name(c->base);
    for (uint64_t i = 0; i < count; i++) {
        struct scn s;
        if (sweep_point(sw, c->tree, from + i, &s, d) < 0) {
            plan_release(pl);
            return -EINVAL;
        }
        snprintf(pl->p[i].hash, sizeof pl->p[i].hash, "%s", s.hash_hex);
        pl->p[i].replication = s.run.first_replication;
        pl->p[i].quality = quality_of(&s);
        if (scn_list_copy(&pl->p[i].compete, &s.policy.compete) < 0) {
            scn_release(&s);
            plan_release(pl);
            diag_error(d, "out of memory");
            return -ENOMEM;
        }
        pl->p[i].axis = pl->axis_values + i * pl->naxes;
        for (size_t a = 0; a < pl->naxes; a++)
            pl->p[i].axis[a] = axis_number(&s, sweep_axis_path(sw, a),
                                           sweep_value_index(sw, from + i, a), &pl->axis_units[a]);
        scn_release(&s);
    }
    return 0;
}

static char *point_path(const char *dir, uint64_t p)
{
    char *path = NULL;
    return asprintf(&path, "%s/points/p%" PRIu64 ".h5", dir, p) < 0 ? NULL : path;
}

static int mkdir_p(const char *path)
{
    char *copy = strdup(path);
    if (!copy)
        return -ENOMEM;
    for (char *p = copy + 1;; p++) {
        char c = *p;
        if (c == '/' || c == '\0') {
            *p = '\0';
            if (mkdir(copy, 0777) < 0 && errno != EEXIST) {
                int e = errno;
                free(copy);
                return -e;
            }
            *p = c;
        }
        if (!c)
            break;
    }
    free(copy);
    return 0;
}

/* The argument vector of `splitsim run SCENARIO --point I -o OUT -q --set ...`. */
/* Runs sweep point p into `out`, in this process, as `splitsim run --point p -o out -q` would;
 * prints its messages. The exit status of such a run. */
static int run_point(const struct campaign *c, uint64_t p, const char *out, const struct run_io *io)
{
    struct diag d;
    diag_init(&d);
    struct scn s;
    int rc = RUN_BAD_INPUT;
    if (sweep_point(c->sweep, c->tree, p, &s, &d) == 0) {
        struct run_options o = {
            .scenario_file = c->scenario, .sweep_point = (int64_t)p, .output = out, .quiet = true};
        rc = run_simulate(&s, &o, io, &d);
        scn_release(&s);
    }
    diag_print(&d, io->err, "splitsim");
    diag_release(&d);
    return rc;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Progress: points done / total, failures, ETA on a terminal; a line per point otherwise. A
 * point that ends unfinished while the sweep is being interrupted is "interrupted" (its file
 * closed as points/pI.incomplete.h5, as docs/RESULTS.md says), not "FAILED". */
struct progress {
    FILE *out;
    bool tty;
    uint64_t total, done, failed, interrupted, skipped;
    double t0;
};

enum point_outcome { POINT_DONE, POINT_FAILED, POINT_INTERRUPTED };

/* How a point whose run returned `ok` ended, given the sweep's interrupt flag. */
static enum point_outcome point_outcome(bool ok, const struct run_io *io)
{
    if (ok)
        return POINT_DONE;
    return io->interrupt && *io->interrupt ? POINT_INTERRUPTED : POINT_FAILED;
}

static void progress_point(struct progress *pg, uint64_t p, enum point_outcome how, double seconds)
{
    static const char *const said[] = {"done", "FAILED", "interrupted"};
    pg->done += how == POINT_DONE;
    pg->failed += how == POINT_FAILED;
    pg->interrupted += how == POINT_INTERRUPTED;
    if (!pg->out)
        return;
    uint64_t finished = pg->done + pg->failed + pg->interrupted;
    char stopped[48] = "";
    if (pg->interrupted)
        snprintf(stopped, sizeof stopped, ", %" PRIu64 " interrupted", pg->interrupted);
    if (!pg->tty) {
        fprintf(pg->out,
                "point %" PRIu64 ": %s in %.2f s (%" PRIu64 "/%" PRIu64 " done, %" PRIu64
                " failed%s)\n",
                p, said[how], seconds, finished, pg->total, pg->failed, stopped);
        return;
    }
    double el = now_s() - pg->t0;
    double eta = finished ? el * (double)(pg->total - finished) / (double)finished : 0;
    fprintf(pg->out, "\r  points %" PRIu64 "/%" PRIu64 " done, %" PRIu64 " failed%s, ETA %.0f s   ",
            finished, pg->total, pg->failed, stopped, eta);
    fflush(pg->out);
}

/* ---- local workers ---------------------------------------------------------------------- */

struct child {
    pid_t pid;
    uint64_t point;
    double started;
};

static int run_local(const struct campaign *c, const uint64_t *todo, uint64_t ntodo,
                     struct progress *pg, const struct run_io *io, struct diag *d)
{
    unsigned jobs = c->jobs ? c->jobs : 1;
    struct child *kids = calloc(jobs, sizeof *kids);
    if (!kids) {
        diag_error(d, "out of memory");
        return -ENOMEM;
    }
    uint64_t next = 0;
    unsigned running = 0;
    bool stopping = false;
    int rc = 0;
    while (running > 0 || (next < ntodo && !stopping)) {
        if (io->interrupt && *io->interrupt && !stopping) {
            stopping = true;
            for (unsigned k = 0; k < jobs; k++)
                if (kids[k].pid > 0)
                    kill(kids[k].pid, SIGTERM);
        }
        while (!stopping && running < jobs && next < ntodo) {
            unsigned k = 0;
            while (kids[k].pid > 0)
                k++;
            uint64_t p = todo[next++];
            char *out = point_path(c->dir, p);
            if (!out) {
                diag_error(d, "out of memory");
                rc = -ENOMEM;
                stopping = true;
                break;
            }
            fflush(NULL);
            pid_t parent = getpid();
            pid_t pid = fork();
            if (pid == 0) {
                /* A worker dies with the sweep: killed (even by SIGKILL), it must not leave
                 * workers behind that race a resumed sweep for the same points. SIGTERM lets
                 * the worker close its file as incomplete. */
                prctl(PR_SET_PDEATHSIG, SIGTERM);
                if (getppid() != parent)
                    _exit(126);
                int status = run_point(c, p, out, io);
                fflush(NULL);
                _exit(status);
            }
            free(out);
            if (pid < 0) {
                diag_error(d, "cannot start a worker: %s", strerror(errno));
                rc = -EIO;
                stopping = true;
                break;
            }
            kids[k] = (struct child){.pid = pid, .point = p, .started = now_s()};
            running++;
        }
        int status = 0;
        pid_t pid = waitpid(-1, &status, WNOHANG);
        if (pid == 0 || (pid < 0 && errno == EINTR)) {
            struct timespec ts = {0, 5 * 1000 * 1000};
            nanosleep(&ts, NULL);
            continue;
        }
        if (pid < 0)
            break;
        for (unsigned k = 0; k < jobs; k++) {
            if (kids[k].pid != pid)
                continue;
            bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
            if (!ok && !stopping && pg->out && pg->tty)
                fputc('\n', pg->out);
            progress_point(pg, kids[k].point, point_outcome(ok, io), now_s() - kids[k].started);
            if (!ok && WIFSIGNALED(status))
                diag_report(d, DIAG_WARNING, NULL, 0, 0,
                            "point %" PRIu64 ": worker killed by signal %d; rerun the sweep to "
                            "redo it",
                            kids[k].point, WTERMSIG(status));
            kids[k].pid = 0;
            running--;
        }
    }
    free(kids);
    if (stopping && io->interrupt && *io->interrupt)
        return -EINTR;
    return rc;
}

/* ---- MPI ---------------------------------------------------------------------------------- */

bool campaign_under_mpi(void)
{
#if SPLITSIM_HAVE_MPI
    const char *vars[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE", "MPI_LOCALNRANKS", NULL};
    for (size_t i = 0; vars[i]; i++) {
        const char *v = getenv(vars[i]);
        if (v && atoi(v) > 1)
            return true;
    }
#endif
    return false;
}

#if SPLITSIM_HAVE_MPI
enum { TAG_WORK = 1, TAG_DONE = 2 };

/* Rank 0 hands out points one at a time as ranks report back (points vary in cost); the other
 * ranks run them in-process. */
static int run_mpi(const struct campaign *c, const uint64_t *todo, uint64_t ntodo, int rank,
                   int size, struct progress *pg, const struct run_io *io, struct diag *d)
{
    if (rank != 0) {
        for (;;) {
            int64_t p;
            MPI_Recv(&p, 1, MPI_INT64_T, 0, TAG_WORK, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            if (p < 0)
                return 0;
            char *out = point_path(c->dir, (uint64_t)p);
            int64_t result[2] = {p, out ? run_point(c, (uint64_t)p, out, io) : RUN_FAILURE};
            free(out);
            MPI_Send(result, 2, MPI_INT64_T, 0, TAG_DONE, MPI_COMM_WORLD);
        }
    }
    uint64_t next = 0;
    int busy = 0;
    double *started = calloc((size_t)size, sizeof *started);
    for (int r = 1; r < size; r++) {
        int64_t p = next < ntodo ? (int64_t)todo[next++] : -1;
        MPI_Send(&p, 1, MPI_INT64_T, r, TAG_WORK, MPI_COMM_WORLD);
        if (p >= 0) {
            busy++;
            if (started)
                started[r] = now_s();
        }
    }
    /* Rank 0 hands out work as results come back and, while none is waiting, runs a point
     * itself (so R ranks are R workers). */
    for (;;) {
        int waiting = 0;
        MPI_Status st;
        if (busy > 0)
            MPI_Iprobe(MPI_ANY_SOURCE, TAG_DONE, MPI_COMM_WORLD, &waiting, &st);
        bool stop = io->interrupt && *io->interrupt;
        if (!waiting && !stop && next < ntodo) {
            uint64_t p = todo[next++];
            char *out = point_path(c->dir, p);
            double t0 = now_s();
            int rc = out ? run_point(c, p, out, io) : RUN_FAILURE;
            free(out);
            progress_point(pg, p, point_outcome(rc == 0, io), now_s() - t0);
            continue;
        }
        if (busy == 0)
            break;
        int64_t result[2];
        MPI_Recv(result, 2, MPI_INT64_T, MPI_ANY_SOURCE, TAG_DONE, MPI_COMM_WORLD, &st);
        busy--;
        progress_point(pg, (uint64_t)result[0], point_outcome(result[1] == 0, io),
                       started ? now_s() - started[st.MPI_SOURCE] : 0);
        stop = io->interrupt && *io->interrupt;
        int64_t p = !stop && next < ntodo ? (int64_t)todo[next++] : -1;
        MPI_Send(&p, 1, MPI_INT64_T, st.MPI_SOURCE, TAG_WORK, MPI_COMM_WORLD);
        if (p >= 0) {
            busy++;
            if (started)
                started[st.MPI_SOURCE] = now_s();
        }
    }
    free(started);
    (void)d;
    return io->interrupt && *io->interrupt ? -EINTR : 0;
}
#endif

/* ---- the index ---------------------------------------------------------------------------- */

/* The index's metrics of a point and policy: a /summary column, and where the point file holds
 * it (under its summary group). */
static const struct index_metric {
    struct rec_column col;
    const char *path;
} metrics[] = {
    {{"reward_mean", REC_FLOAT64, "1", "mean realised reward"}, "reward/mean"},
    {{"reward_ci95", REC_FLOAT64, "1", "its 95 % half-width (the point's own replication(s))"},
     "reward/ci95"},
    {{"quality_mean", REC_FLOAT64, "1", "mean perplexity ratio"}, "quality/mean"},
    {{"quality_ci95", REC_FLOAT64, "1", "its 95 % half-width (the point's own replication(s))"},
     "quality/ci95"},
    {{"ttft_mean_s", REC_FLOAT64, "s", "mean time to first token"}, "ttft_s/mean"},
    {{"ttft_ci95_s", REC_FLOAT64, "s", "its 95 % half-width"}, "ttft_s/ci95"},
    {{"ttft_p50_s", REC_FLOAT64, "s", "median TTFT"}, "ttft_s/p50"},
    {{"ttft_p95_s", REC_FLOAT64, "s", "95th percentile TTFT"}, "ttft_s/p95"},
    {{"ttft_p99_s", REC_FLOAT64, "s", "99th percentile TTFT"}, "ttft_s/p99"},
    {{"tpot_mean_s", REC_FLOAT64, "s", "mean time per output token"}, "tpot_s/mean"},
    {{"latency_mean_s", REC_FLOAT64, "s", "mean end-to-end latency"}, "latency_s/mean"},
    {{"latency_p50_s", REC_FLOAT64, "s", "median latency"}, "latency_s/p50"},
    {{"latency_p95_s", REC_FLOAT64, "s", "95th percentile latency"}, "latency_s/p95"},
    {{"latency_p99_s", REC_FLOAT64, "s", "99th percentile latency"}, "latency_s/p99"},
    {{"energy_mean_j", REC_FLOAT64, "J", "mean UE energy per request"}, "energy_j/mean"},
    {{"energy_ci95_j", REC_FLOAT64, "J", "its 95 % half-width (the point's own replication(s))"},
     "energy_j/ci95"},
    {{"erasure_mean", REC_FLOAT64, "1", "mean erased fraction"}, "erasure/mean"},
    {{"time_in_system_mean_s", REC_FLOAT64, "s", "model: queue: mean time in system"},
     "mean_time_in_system_s"},
    {{"time_in_system_ci95_s", REC_FLOAT64, "s", "model: queue: its 95 % half-width"},
     "ci95_time_in_system_s"},
    {{"wait_mean_s", REC_FLOAT64, "s", "model: queue: mean wait"}, "mean_wait_s"},
    {{"ci95_short", REC_INT64, "1",
      "1: the point has one replication and it is too short for a valid batch-means interval "
      "(its ci95 values are not to be trusted); 0: they are"},
     "ci95_short"},
    {{"requests", REC_INT64, "1", "requests that arrived"}, "requests"},
    {{"evaluations", REC_INT64, "1", "true evaluations the policy paid for"}, "evaluations"},
};
#define NMETRICS (sizeof metrics / sizeof metrics[0])

/* One row's metrics from summary group g ("/summary" or "/policies/NAME/summary"). */
static void metrics_of(struct rread *r, const char *g, double *v)
{
    char path[256]; /* g names a policy of at most SCN_MAX_POLICY_NAME bytes: it fits */
    _Static_assert(sizeof "/policies//summary/ci95_time_in_system_s" + SCN_MAX_POLICY_NAME <=
                       sizeof path,
                   "a metric's path fits");
    for (size_t i = 0; i < NMETRICS; i++) {
        snprintf(path, sizeof path, "%s/%s", g, metrics[i].path);
        v[i] = rread_scalar(r, path);
    }
}

/* A row of the index's /summary, kept for /combinations. */
struct index_row {
    uint64_t point;
    int64_t policy;
    double v[NMETRICS];
};

struct index_rows {
    struct index_row *row;
    size_t n, cap;
};

/* The index rows of complete point p (results r): one per policy of its competition, or one;
 * each is also kept in `keep`. 0 or -ENOMEM. */
static int index_rows(struct rec_table *t, struct rread *r, const struct plan *pl, uint64_t p,
                      struct index_rows *keep)
{
    /* The policies are the point scenario's (the file's scenario_hash matched), never what the
     * file says: a crafted attribute cannot make the index grow. */
    const struct scn_list *pols = &pl->p[p].compete;
    for (size_t i = 0; i < (pols->n ? pols->n : 1); i++) {
        const char *name = pols->n ? pols->v[i] : NULL;
        char *g = NULL;
        if (asprintf(&g, "%s%s/summary", name ? "/policies/" : "", name ? name : "") < 0)
            return -ENOMEM;
        if (keep->n == keep->cap) {
            size_t nc = keep->cap ? 2 * keep->cap : 64;
            struct index_row *nr = realloc(keep->row, nc * sizeof *nr);
            if (!nr) {
                free(g);
                return -ENOMEM;
            }
            keep->row = nr;
            keep->cap = nc;
        }
        struct index_row *row = &keep->row[keep->n++];
        *row = (struct index_row){.point = p, .policy = pols->n ? (int64_t)i : -1};
        metrics_of(r, g, row->v);
        free(g);
        rec_set_int64(t, 0, (int64_t)p);
        rec_set_int64(t, 1, row->policy);
        rec_set_int64(t, 2, (int64_t)pl->p[p].replication);
        for (size_t a = 0; a < pl->naxes; a++)
            rec_set_double(t, 3 + a, pl->p[p].axis[a]);
        for (size_t m = 0; m < NMETRICS; m++) {
            if (metrics[m].col.type == REC_INT64)
                rec_set_int64(t, 3 + pl->naxes + m, isnan(row->v[m]) ? -1 : (int64_t)row->v[m]);
            else
                rec_set_double(t, 3 + pl->naxes + m, row->v[m]);
        }
        rec_set_int64(t, 3 + pl->naxes + NMETRICS, pl->p[p].quality);
        rec_row_commit(t);
    }
    return 0;
}

/* Where each row's quality comes from (a point's scenario; root attribute quality_source). */
static const struct rec_column quality_column = {
    "quality_assumed", REC_INT64, "1",
    "1: the point has no llm.quality_table, its quality (and what weighs it: reward, ranking) "
    "is the ASSUMPTION of docs/TABLES.md; 0: a measured table; -1: its model has no quality"};

/* The root attributes quality_source (ASSUMPTION when any point assumes its quality) and
 * quality_assumed_points, over every point of the plan. */
static void index_quality(struct rec *rec, const struct plan *pl)
{
    uint64_t assumed = 0, measured = 0;
    for (uint64_t p = 0; p < pl->n; p++) {
        assumed += pl->p[p].quality == QUALITY_ASSUMED;
        measured += pl->p[p].quality == QUALITY_MEASURED;
    }
    char *text = NULL;
    int rc = -1;
    if (assumed)
        rc = asprintf(&text,
                      "ASSUMPTION: %" PRIu64 " of %" PRIu64 " points have no llm.quality_table, "
                      "so their quality (and the rewards and rankings that weigh it) comes from "
                      "the assumed parametric model of docs/TABLES.md (column quality_assumed; "
                      "each point file's quality_source)",
                      assumed, pl->n);
    else if (measured)
        rc = asprintf(&text, "measured: every point names an llm.quality_table (each point "
                             "file's quality_source)");
    else
        rc = asprintf(&text, "none: the model computes no quality");
    rec_attr_string(rec, "/", "quality_source", rc < 0 ? "?" : text);
    rec_attr_int64(rec, "/", "quality_assumed_points", (int64_t)assumed);
    free(text);
}

/* ---- /combinations: the replications of each combination of swept values, together -------- */

/* Its statistics: the mean over the replications (the complete points that differ only in their
 * replication) of a /summary metric, and the Student-t 95 % half-width over them. */
static const struct combination_metric {
    const char *from; /* the /summary column */
    struct rec_column mean, ci;
} combination_metrics[] = {
#define CM(from, mean, ci, unit, what)                                                             \
    {                                                                                              \
        from, {mean, REC_FLOAT64, unit, "mean over the replications of each one's " what},         \
        {                                                                                          \
            ci, REC_FLOAT64, unit, "95 % half-width: Student t over the replications' " what       \
        }                                                                                          \
    }
    CM("reward_mean", "reward_mean", "reward_ci95", "1", "mean realised reward"),
    CM("quality_mean", "quality_mean", "quality_ci95", "1", "mean perplexity ratio"),
    CM("ttft_mean_s", "ttft_mean_s", "ttft_ci95_s", "s", "mean TTFT"),
    CM("ttft_p50_s", "ttft_p50_s", "ttft_p50_ci95_s", "s", "median TTFT"),
    CM("ttft_p95_s", "ttft_p95_s", "ttft_p95_ci95_s", "s", "95th percentile TTFT"),
    CM("ttft_p99_s", "ttft_p99_s", "ttft_p99_ci95_s", "s", "99th percentile TTFT"),
    CM("tpot_mean_s", "tpot_mean_s", "tpot_ci95_s", "s", "mean TPOT"),
    CM("latency_mean_s", "latency_mean_s", "latency_ci95_s", "s", "mean latency"),
    CM("latency_p50_s", "latency_p50_s", "latency_p50_ci95_s", "s", "median latency"),
    CM("latency_p95_s", "latency_p95_s", "latency_p95_ci95_s", "s", "95th percentile latency"),
    CM("latency_p99_s", "latency_p99_s", "latency_p99_ci95_s", "s", "99th percentile latency"),
    CM("energy_mean_j", "energy_mean_j", "energy_ci95_j", "J", "mean UE energy per request"),
    CM("erasure_mean", "erasure_mean", "erasure_ci95", "1", "mean erased fraction"),
    CM("time_in_system_mean_s", "time_in_system_mean_s", "time_in_system_ci95_s", "s",
       "mean time in system (model: queue)"),
    CM("wait_mean_s", "wait_mean_s", "wait_ci95_s", "s", "mean wait (model: queue)"),
#undef CM
};
#define NCOMBINED (sizeof combination_metrics / sizeof combination_metrics[0])

/* The /summary column named `name`. */
static size_t metric_index(const char *name)
{
    for (size_t i = 0; i < NMETRICS; i++)
        if (strcmp(metrics[i].col.name, name) == 0)
            return i;
    return 0; /* unreachable: every combination metric names a column */
}

/* The rows [a, b) of one combination (their points in one block of `reps`) for policy q; the
 * values of metric m into v; how many. */
static size_t combination_values(const struct index_rows *rows, size_t a, size_t b, int64_t q,
                                 size_t m, double *v)
{
    size_t n = 0;
    for (size_t i = a; i < b; i++)
        if (rows->row[i].policy == q && !isnan(rows->row[i].v[m]))
            v[n++] = rows->row[i].v[m];
    return n;
}

/* One /combinations row: policy q of the combination whose rows are [a, b). */
static void combination_row(struct rec_table *t, const struct plan *pl,
                            const struct index_rows *rows, size_t a, size_t b, int64_t q,
                            uint64_t reps, double *v)
{
    size_t first = a, nrep = 0;
    while (rows->row[first].policy != q)
        first++;
    for (size_t i = a; i < b; i++)
        nrep += rows->row[i].policy == q;
    uint64_t p = rows->row[first].point;
    size_t c = 0;
    rec_set_int64(t, c++, (int64_t)(p / reps));
    rec_set_int64(t, c++, q);
    rec_set_int64(t, c++, (int64_t)nrep);
    rec_set_int64(t, c++, (int64_t)p);
    for (size_t x = 0; x < pl->naxes; x++)
        rec_set_double(t, c++, pl->p[p].axis[x]);
    for (size_t k = 0; k < NCOMBINED; k++) {
        size_t n = combination_values(rows, a, b, q, metric_index(combination_metrics[k].from), v);
        double sum = 0;
        for (size_t i = 0; i < n; i++)
            sum += v[i];
        rec_set_double(t, c++, n ? sum / (double)n : (double)NAN);
        rec_set_double(t, c++, stats_halfwidth(v, n, 0.95)); /* NaN below two */
    }
    rec_set_int64(t, c++, pl->p[p].quality); /* the same for every replication */
    rec_row_commit(t);
}

/* /combinations: one row per combination of swept values (points p / reps) and policy, over
 * the complete points in `rows` (in point order). 0 or -ENOMEM. */
static int write_combinations(struct rec *rec, const struct plan *pl, const struct rec_column *axes,
                              const struct index_rows *rows, uint64_t reps)
{
    size_t ncols = 4 + pl->naxes + 2 * NCOMBINED + 1;
    struct rec_column *cols = calloc(ncols, sizeof *cols);
    double *v = calloc(rows->n ? rows->n : 1, sizeof *v);
    if (!cols || !v) {
        free(cols);
        free(v);
        return -ENOMEM;
    }
    cols[0] = (struct rec_column){"combination", REC_INT64, "1",
                                  "combination of swept values: its points are combination x "
                                  "run.replications .. + run.replications - 1"};
    cols[1] = (struct rec_column){"policy", REC_INT64, "1",
                                  "index into the `policies` attribute; -1 without a competition"};
    cols[2] = (struct rec_column){"replications", REC_INT64, "1",
                                  "its complete points (one replication each) pooled here"};
    cols[3] = (struct rec_column){"first_point", REC_INT64, "1",
                                  "its first complete point (see points/pI)"};
    memcpy(cols + 4, axes, pl->naxes * sizeof *cols);
    for (size_t k = 0; k < NCOMBINED; k++) {
        cols[4 + pl->naxes + 2 * k] = combination_metrics[k].mean;
        cols[4 + pl->naxes + 2 * k + 1] = combination_metrics[k].ci;
    }
    cols[ncols - 1] = quality_column;
    struct rec_table *t = NULL;
    rec_table_create(rec, "/combinations", cols, ncols, &t);
    for (size_t a = 0, b; t && a < rows->n; a = b) {
        for (b = a; b < rows->n && rows->row[b].point / reps == rows->row[a].point / reps; b++)
            ;
        /* each policy once, in the order of its first row */
        for (size_t i = a; i < b; i++) {
            bool seen = false;
            for (size_t j = a; j < i && !seen; j++)
                seen = rows->row[j].policy == rows->row[i].policy;
            if (!seen)
                combination_row(t, pl, rows, a, b, rows->row[i].policy, reps, v);
        }
    }
    free(cols);
    free(v);
    return 0;
}

static int write_index(const struct campaign *c, const struct plan *pl, struct diag *d,
                       uint64_t *ncomplete)
{
    char *path = NULL;
    if (asprintf(&path, "%s/campaign.h5", c->dir) < 0)
        return -ENOMEM;
    struct rec *rec = NULL;
    struct rec_options ro = {.wallclock = run_wallclock(d)};
    int rc = ro.wallclock < -1 ? -EINVAL : rec_open(&rec, path, &ro, d);
    free(path);
    if (rc < 0)
        return rc;
    /* columns: point, policy, replication, axes..., metrics, quality_assumed */
    size_t ncols = 3 + pl->naxes + NMETRICS + 1;
    struct rec_column *cols = calloc(ncols, sizeof *cols);
    char **names = calloc(pl->naxes ? pl->naxes : 1, sizeof *names);
    if (!cols || !names) {
        free(cols);
        free(names);
        rec_close(rec, false);
        return -ENOMEM;
    }
    cols[0] = (struct rec_column){"point", REC_INT64, "1", "sweep point (see points/pI)"};
    cols[1] = (struct rec_column){"policy", REC_INT64, "1",
                                  "index into the `policies` attribute; -1 without a competition"};
    cols[2] = (struct rec_column){"replication", REC_INT64, "1", "the point's replication"};
    for (size_t a = 0; a < pl->naxes; a++) {
        names[a] = strdup(sweep_axis_path(c->sweep, a));
        for (char *ch = names[a]; ch && *ch; ch++)
            if (*ch == '.')
                *ch = '_';
        cols[3 + a] =
            (struct rec_column){names[a] ? names[a] : "axis", REC_FLOAT64, pl->axis_units[a],
                                "swept value (base unit; for a choice or a string, the "
                                "index of the value in the sweep's list)"};
    }
    for (size_t m = 0; m < NMETRICS; m++)
        cols[3 + pl->naxes + m] = metrics[m].col;
    cols[ncols - 1] = quality_column;
    struct rec_table *t = NULL;
    rec_table_create(rec, "/summary", cols, ncols, &t);
    /* root attributes */
    rec_attr_string(rec, "/", "format", "splitsim-campaign");
    rec_attr_int64(rec, "/", "format_version", 1);
    rec_attr_string(rec, "/", "model", pl->model);
    rec_attr_string(rec, "/", "scenario", c->base->resolved);
    rec_attr_string(rec, "/", "scenario_file", c->scenario);
    rec_attr_int64(rec, "/", "points", (int64_t)pl->n);
    index_quality(rec, pl);
    char *axes = NULL;
    size_t alen = 0;
    FILE *af = open_memstream(&axes, &alen);
    for (size_t a = 0; af && a < pl->naxes; a++)
        fprintf(af, "%s%s", a ? "," : "", sweep_axis_path(c->sweep, a));
    if (af)
        fclose(af);
    rec_attr_string(rec, "/", "axes", axes ? axes : "");
    free(axes);
    char *policies = scn_list_join(&c->base->policy.compete, ",");
    int oom = policies ? 0 : -ENOMEM;
    rec_attr_string(rec, "/", "policies", policies ? policies : "");
    free(policies);
    *ncomplete = 0;
    struct index_rows rows = {0};
    for (uint64_t p = 0; p < pl->n && !rec_error(rec) && oom == 0; p++) {
        char *file = point_path(c->dir, p);
        if (!file || !rread_complete(file, pl->p[p].hash)) {
            free(file);
            continue;
        }
        (*ncomplete)++;
        char link[32], target[64];
        snprintf(link, sizeof link, "p%" PRIu64, p);
        snprintf(target, sizeof target, "points/p%" PRIu64 ".h5", p);
        rec_link_external(rec, "/points", link, target, "/");
        struct rread *r = rread_open(file);
        free(file);
        if (!r)
            continue;
        oom = index_rows(t, r, pl, p, &rows);
        rread_close(r);
    }
    if (oom == 0 && !rec_error(rec))
        oom = write_combinations(rec, pl, cols + 3, &rows,
                                 c->base->run.replications ? c->base->run.replications : 1);
    free(rows.row);
    rec_attr_int64(rec, "/", "points_complete", (int64_t)*ncomplete);
    rc = rec_close(rec, oom == 0 && *ncomplete == pl->n);
    if (oom < 0)
        rc = oom;
    for (size_t a = 0; a < pl->naxes; a++)
        free(names[a]);
    free(names);
    free(cols);
    return rc;
}

/* ---- the campaign's identity ---------------------------------------------------------------- */

/* What a campaign folder holds: the resolved base scenario and its sweep (malloc'd). */
static char *campaign_definition(const struct campaign *c)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return NULL;
    fputs(c->base->resolved, f);
    int rc = sweep_write_definition(c->sweep, c->base, f);
    if (fclose(f) != 0 || rc < 0) {
        free(text);
        return NULL;
    }
    return text;
}

/* The next line of s that is not a comment (NULL at the end); *len its length. */
static const char *next_line(const char **s, size_t *len)
{
    while (**s) {
        const char *line = *s, *nl = strchr(line, '\n');
        size_t n = nl ? (size_t)(nl - line) : strlen(line);
        *s = nl ? nl + 1 : line + n;
        if (line[0] != '#') {
            *len = n;
            return line;
        }
    }
    return NULL;
}

/* 0 when a and b have the same lines apart from comments; else the 1-based number of the first
 * differing line of b (its text in *bl, *blen). */
static int first_difference(const char *a, const char *b, const char **bl, size_t *blen)
{
    const char *pa = a, *pb = b;
    for (int line = 1;; line++) {
        size_t na = 0, nb = 0;
        const char *la = next_line(&pa, &na), *lb = next_line(&pb, &nb);
        if (!la && !lb)
            return 0;
        if (!la || !lb || na != nb || memcmp(la, lb, na) != 0) {
            *bl = lb ? lb : "(end of file)";
            *blen = lb ? nb : strlen(*bl);
            return line;
        }
    }
}

/*
 * A campaign folder holds one campaign: DIR/campaign.yaml records the resolved scenario and
 * sweep it was started with. Another scenario (or other --set overrides) is refused — its points
 * would overwrite the earlier campaign's — unless --fresh is given. A folder from before
 * campaign.yaml existed is adopted when its complete point files (in the points to run) belong
 * to this campaign. 0, or -EINVAL with a message.
 */
static int campaign_claim(const struct campaign *c, struct diag *d)
{
    char *want = campaign_definition(c), *path = NULL, *have = NULL;
    if (!want || asprintf(&path, "%s/campaign.yaml", c->dir) < 0) {
        free(want);
        diag_error(d, "out of memory");
        return -ENOMEM;
    }
    int rc = 0;
    /* read like any input: a regular file, bounded (a FIFO there must not hang the sweep) */
    size_t hlen = 0;
    struct stat st;
    if (lstat(path, &st) == 0 && slurp_file(path, (size_t)64 << 20, &have, &hlen, d) < 0) {
        diag_error(d, "-o: '%s' holds a campaign record that cannot be read; use another folder",
                   c->dir);
        free(want);
        free(path);
        return -EINVAL;
    }
    const char *line = NULL;
    size_t len = 0;
    int diff = have ? first_difference(have, want, &line, &len) : 0;
    if (have && diff && !c->fresh) {
        diag_error(d,
                   "-o: '%s' holds another campaign: %s differs from this scenario at line %d "
                   "(this one has '%.*s'); use another folder, or --fresh to replace that "
                   "campaign",
                   c->dir, path, diff, (int)(len > 80 ? 80 : len), line);
        rc = -EINVAL;
    }
    if (rc == 0 && !have && !c->fresh) {
        /* no record: any complete point file must be one of this campaign's */
        uint64_t from = c->range_given ? c->from : 0,
                 to = c->range_given ? c->to : c->sweep->points;
        for (uint64_t p = from; p < to && rc == 0; p++) {
            char *file = point_path(c->dir, p);
            if (file && access(file, F_OK) == 0 && rread_complete(file, NULL)) {
                struct scn s;
                struct diag quiet;
                diag_init(&quiet);
                if (sweep_point(c->sweep, c->tree, p, &s, &quiet) == 0) {
                    if (!rread_complete(file, s.hash_hex)) {
                        diag_error(d,
                                   "-o: '%s' holds another campaign: %s is a complete point of a "
                                   "different scenario; use another folder, or --fresh to "
                                   "replace that campaign",
                                   c->dir, file);
                        rc = -EINVAL;
                    }
                    scn_release(&s);
                }
                diag_release(&quiet);
            }
            free(file);
        }
    }
    if (rc == 0 && (!have || diff)) {
        struct outfile o;
        rc = outfile_open(&o, path, d);
        if (rc == 0) {
            fputs("# splitsim campaign folder: the scenario whose sweep this folder holds, "
                  "resolved (every\n# default filled in, every --set applied). 'splitsim "
                  "sweep' refuses to run another\n# scenario into this folder unless --fresh "
                  "is given.\n# from: ",
                  o.f);
            for (const char *ch = c->scenario; *ch; ch++)
                fputc((unsigned char)*ch < 0x20 ? ' ' : *ch, o.f);
            for (size_t i = 0; i < c->nsets; i++) {
                fputs(" --set ", o.f);
                for (const char *ch = c->sets[i]; *ch; ch++)
                    fputc((unsigned char)*ch < 0x20 ? ' ' : *ch, o.f);
            }
            fputc('\n', o.f);
            fputs(want, o.f);
            rc = outfile_commit(&o, 0, d);
        }
    }
    free(have);
    free(want);
    free(path);
    return rc;
}

/* ---- the campaign -------------------------------------------------------------------------- */

/* Writes DIR/campaign.h5 from the point files and says how many are complete; `rc` is the
 * run's status so far, returned unless the index fails or points are missing. */
static int index_campaign(const struct campaign *c, const struct run_io *io, int rc, struct diag *d)
{
    uint64_t ncomplete = 0;
    struct plan all;
    int irc = make_plan(c, 0, c->sweep->points, &all, d);
    uint64_t assumed = 0;
    if (irc == 0) {
        irc = write_index(c, &all, d, &ncomplete);
        for (uint64_t p = 0; p < all.n; p++)
            assumed += all.p[p].quality == QUALITY_ASSUMED;
        plan_release(&all);
    }
    if (irc < 0 && rc == 0)
        rc = irc;
    if (!c->quiet && irc == 0)
        fprintf(io->out,
                "sweep: %" PRIu64 " of %" PRIu64 " points complete%s; index %s/campaign%s.h5\n",
                ncomplete, c->sweep->points,
                ncomplete == c->sweep->points ? "" : " (rerun the same command to finish)",
                c->dir, ncomplete == c->sweep->points ? "" : ".incomplete");
    if (!c->quiet && irc == 0 && assumed)
        fprintf(io->out,
                "  quality: ASSUMED parametric model at %" PRIu64 " of %" PRIu64 " points (no "
                "llm.quality_table; docs/TABLES.md)\n",
                assumed, c->sweep->points);
    if (rc == 0 && ncomplete < c->sweep->points)
        rc = -EIO;
    return rc;
}

int campaign_run(const struct campaign *c, const struct run_io *io, struct diag *d)
{
    int rc = 0;
    if (diag_has_control(c->dir)) {
        diag_error(d, "-o: the folder name holds a control character (e.g. a newline); "
                      "choose a plain name");
        return RUN_BAD_INPUT;
    }
    char *points_dir = NULL;
    if (asprintf(&points_dir, "%s/points", c->dir) < 0 || mkdir_p(points_dir) < 0) {
        diag_error(d, "-o: cannot create directory '%s': %s", c->dir, strerror(errno));
        free(points_dir);
        return RUN_FAILURE;
    }
    free(points_dir);
    /* Every process (each MPI rank, each Slurm task) checks that the folder holds this
     * campaign before running anything; the record is written atomically, the same by all. */
    if ((rc = campaign_claim(c, d)) < 0)
        return rc == -EINVAL ? RUN_BAD_INPUT : RUN_FAILURE;
    int rank = 0;
#if SPLITSIM_HAVE_MPI
    /* main() initialises MPI when an MPI launcher started the program */
    int size = 1, initialised = 0;
    MPI_Initialized(&initialised);
    bool mpi = initialised && !c->slurm && !c->merge_only;
    if (mpi) {
        MPI_Comm_rank(MPI_COMM_WORLD, &rank);
        MPI_Comm_size(MPI_COMM_WORLD, &size);
    }
#endif
    struct plan pl;
    uint64_t from = c->range_given ? c->from : 0, to = c->range_given ? c->to : c->sweep->points;
    if (c->slurm) {
        struct slurm_campaign sc = {.scenario = c->scenario,
                                    .dir = c->dir,
                                    .sets = c->sets,
                                    .nsets = c->nsets,
                                    .set_dir = c->base->set_dir,
                                    .points = c->sweep->points};
        rc = slurm_write(&sc, c->slurm, io->out, d);
        goto out;
    }
    if ((rc = make_plan(c, from, c->merge_only ? from : to, &pl, d)) < 0)
        goto out;
    uint64_t *todo = calloc(to > from ? to - from : 1, sizeof *todo), ntodo = 0;
    struct progress pg = {.out = !c->quiet && rank == 0 ? io->err : NULL,
                          .tty = isatty(fileno(io->err)) != 0,
                          .t0 = now_s()};
    if (!todo) {
        plan_release(&pl);
        rc = -ENOMEM;
        goto out;
    }
    uint64_t nran = 0, nfailed = 0;
    if (!c->merge_only) {
        for (uint64_t p = from; p < to; p++) {
            char *file = point_path(c->dir, p);
            if (file && !c->fresh && rread_complete(file, pl.p[p - from].hash))
                pg.skipped++;
            else
                todo[ntodo++] = p;
            free(file);
        }
        pg.total = ntodo;
        if (pg.out && rank == 0)
            fprintf(pg.out,
                    "sweep: %" PRIu64 " point(s) to run, %" PRIu64
                    " already complete, into %s/points\n",
                    ntodo, pg.skipped, c->dir);
#if SPLITSIM_HAVE_MPI
        if (mpi && size > 1)
            rc = run_mpi(c, todo, ntodo, rank, size, &pg, io, d);
        else
#endif
            rc = run_local(c, todo, ntodo, &pg, io, d);
        if (pg.out && pg.tty && pg.total)
            fputc('\n', pg.out);
        /* What counts is what is on disk: a point whose worker failed but whose file is
         * complete (another process finished it) is done, not failed. */
        for (uint64_t i = 0; rank == 0 && i < ntodo; i++) {
            char *file = point_path(c->dir, todo[i]);
            if (file && rread_complete(file, pl.p[todo[i] - from].hash))
                nran++;
            else
                nfailed++;
            free(file);
        }
    }
    free(todo);
    plan_release(&pl);
    bool interrupted = rc == -EINTR;
    if (rank == 0 && !c->range_given && !interrupted) {
        rc = index_campaign(c, io, rc, d);
    } else if (rank == 0 && !c->quiet && !interrupted) {
        fprintf(io->out,
                "sweep: points %" PRIu64 "-%" PRIu64 ": %" PRIu64 " run, %" PRIu64
                " failed, %" PRIu64 " already complete\n",
                from, to - 1, nran, nfailed, pg.skipped);
    }
    if (rank == 0 && interrupted)
        diag_error(d, "interrupted: complete points are kept (points/pI.h5), interrupted ones "
                      "left points/pI.incomplete.h5; rerun the same command to finish");
    else if (rank == 0 && nfailed) {
        diag_error(d,
                   "%" PRIu64 " point(s) failed (see above); rerun the same command to redo them",
                   nfailed);
        if (rc == 0)
            rc = -EIO;
    }
out:
    return rc == 0 ? RUN_OK : rc == -EINVAL ? RUN_BAD_INPUT : RUN_FAILURE;
}
