/*
 * The queue model (`model: queue`) behind the model interface: N UEs, one FIFO server
 * (models/edge/fifo.h), one unnamed run (no policies), and a summary next to queueing theory.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>

#include "models/edge/fifo.h"
#include "models/model.h"

struct queue_run {
    const struct scn *scn; /* for the terminal summary's description */
    struct fifo_params par;
    struct rec_table *requests, *replications;
    struct fifo_summary *sums; /* [run.replications] */
    size_t done;               /* replications summarised */
    struct fifo live;
    bool have_live;
    struct fifo_summary overall;
    char *warning; /* fifo_warning of the replications, or NULL */
};

static size_t queue_files(const struct scn *s, struct model_file *in, struct model_file *out)
{
    (void)s;
    (void)in;
    *out = (struct model_file){NULL, NULL, false};
    return 0;
}

static void queue_advise(const struct scn *s, struct diag *d)
{
    struct fifo_params par;
    fifo_params_bind(s, &par);
    struct fifo_theory th;
    fifo_theory(&par, &th);
    if (th.rho >= 1)
        diag_report(d, DIAG_WARNING, NULL, 0, 0,
                    "offered load rho = %.3g >= 1: the queue grows without bound, there is no "
                    "steady state, and its statistics depend on run.duration",
                    th.rho);
}

static int queue_setup(void **state, const struct scn *s, struct model_plan *plan, struct diag *d)
{
    struct queue_run *q = calloc(1, sizeof *q);
    if (q)
        q->sums = calloc(s->run.replications ? s->run.replications : 1, sizeof *q->sums);
    if (!q || !q->sums) {
        free(q);
        diag_error(d, "out of memory");
        return -ENOMEM;
    }
    q->scn = s;
    fifo_params_bind(s, &q->par);
    *plan = (struct model_plan){.npolicies = 1};
    *state = q;
    return 0;
}

static void queue_describe(const void *state, const struct scn *s, FILE *out)
{
    (void)s;
    const struct queue_run *q = state;
    struct fifo_theory th;
    fifo_theory(&q->par, &th);
    fprintf(out, "# offered load: lambda %g /s, rho %.4g (%s)\n", th.lambda, th.rho,
            th.rho < 1 ? "stable" : "unstable: the queue grows without bound");
}

static void queue_record_header(void *state, struct rec *rec)
{
    (void)state;
    (void)rec;
}

static int queue_policy_begin(void *state, size_t p, struct rec *rec, const char *group)
{
    struct queue_run *q = state;
    (void)p;
    (void)group;
    if (q->scn->recording.requests)
        rec_table_create(rec, "/requests", fifo_request_columns, fifo_request_column_count,
                         &q->requests);
    rec_table_create(rec, "/replications", fifo_replication_columns, fifo_replication_column_count,
                     &q->replications);
    return rec_error(rec);
}

static int queue_replication_start(void *state, size_t p, struct sim *sim, uint32_t replication,
                                   const char **why)
{
    struct queue_run *q = state;
    (void)p;
    (void)why;
    int rc = fifo_init(&q->live, sim, &q->par, replication, q->requests);
    q->have_live = rc == 0;
    return rc;
}

static int queue_replication_error(const void *state)
{
    const struct queue_run *q = state;
    return q->have_live ? q->live.error : 0;
}

static int queue_replication_end(void *state, size_t p, const char **why)
{
    struct queue_run *q = state;
    (void)p;
    (void)why;
    struct fifo_summary *sum = &q->sums[q->done++];
    fifo_summarize(&q->live, sum);
    return fifo_record_replication(q->replications, sum) < 0 ? -EIO : 0;
}

static void queue_replication_release(void *state)
{
    struct queue_run *q = state;
    if (q->have_live)
        fifo_release(&q->live);
    q->have_live = false;
}

static int queue_summary(void *state, struct rec *rec)
{
    struct queue_run *q = state;
    fifo_record_summary(rec, &q->par, q->sums, q->scn->run.replications, &q->overall);
    q->warning = fifo_warning(q->sums, q->scn->run.replications);
    return 0;
}

static void queue_print(const void *state, FILE *out, const char *file, uint64_t events,
                        double wall)
{
    const struct queue_run *q = state;
    const struct scn *s = q->scn;
    const struct fifo_summary *o = &q->overall;
    struct fifo_theory th;
    fifo_theory(&q->par, &th);
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
    if (q->par.mser)
        fprintf(out,
                "  analysis.warmup: mser5 left out %" PRIu64
                " request(s) after run.warmup (/replications/truncated)\n",
                o->truncated);
    if (q->warning)
        fprintf(out, "  warning: %s\n", q->warning);
    fprintf(out, "  %" PRIu64 " events in %.3f s of wall time (%.3g events/s)\n", events, wall,
            wall > 0 ? (double)events / wall : 0.0);
    fprintf(out, "results: %s\n", file);
}

static void queue_release(void *state)
{
    struct queue_run *q = state;
    if (!q)
        return;
    queue_replication_release(q);
    free(q->warning);
    free(q->sums);
    free(q);
}

/* What the queue model reads: the run, how many UEs send at which rate, and the service. */
static const char *const queue_reads[] = {
    "model",         "run.",         "analysis.",         "ues.count",          "workload.arrival",
    "workload.rate", "edge.service", "edge.service_time", "recording.requests", NULL};

const struct model_type model_queue = {
    .name = "queue",
    .doc = "the edge queue alone: N UEs, one FIFO server, checked against M/M/1 and M/D/1",
    .reads = queue_reads,
    .files = queue_files,
    .advise = queue_advise,
    .setup = queue_setup,
    .describe = queue_describe,
    .record_header = queue_record_header,
    .policy_begin = queue_policy_begin,
    .replication_start = queue_replication_start,
    .replication_error = queue_replication_error,
    .replication_end = queue_replication_end,
    .replication_release = queue_replication_release,
    .summary = queue_summary,
    .print = queue_print,
    .release = queue_release,
};
