#include "models/edge/fifo.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/batchmeans.h"

enum {
    RQ_ID,
    RQ_REPLICATION,
    RQ_UE,
    RQ_ARRIVAL,
    RQ_START,
    RQ_DEPARTURE,
    RQ_WAIT,
    RQ_SYSTEM,
    RQ_FOUND,
    RQ_COUNT
};

const struct rec_column fifo_request_columns[] = {
    [RQ_ID] = {"id", REC_INT64, "1", "request number within its replication, in arrival order"},
    [RQ_REPLICATION] = {"replication", REC_INT64, "1", "replication number"},
    [RQ_UE] = {"ue", REC_INT64, "1", "UE that sent the request"},
    [RQ_ARRIVAL] = {"arrival_ns", REC_INT64, "ns", "arrival time at the edge server"},
    [RQ_START] = {"service_start_ns", REC_INT64, "ns", "time service started"},
    [RQ_DEPARTURE] = {"departure_ns", REC_INT64, "ns", "time service ended"},
    [RQ_WAIT] = {"wait_s", REC_FLOAT64, "s", "time in queue before service"},
    [RQ_SYSTEM] = {"time_in_system_s", REC_FLOAT64, "s", "departure minus arrival"},
    [RQ_FOUND] = {"found_in_system", REC_INT64, "1",
                  "requests at the server when this one arrived"},
};
const size_t fifo_request_column_count = RQ_COUNT;

enum {
    RP_REPLICATION,
    RP_REQUESTS,
    RP_MEASURED,
    RP_SYSTEM,
    RP_SYSTEM_CI,
    RP_WAIT,
    RP_WAIT_CI,
    RP_PROB_WAIT,
    RP_UTIL,
    RP_END,
    RP_BATCHES,
    RP_BATCH_SIZE,
    RP_BATCH_LAG1,
    RP_INTERVAL_SHORT,
    RP_TRUNCATED,
    RP_STATS_START,
    RP_WARMUP_SHORT,
    RP_COUNT
};

const struct rec_column fifo_replication_columns[] = {
    [RP_REPLICATION] = {"replication", REC_INT64, "1", "replication number"},
    [RP_REQUESTS] = {"requests", REC_INT64, "1", "requests served"},
    [RP_MEASURED] = {"measured", REC_INT64, "1", "requests after warm-up, in the statistics"},
    [RP_SYSTEM] = {"mean_time_in_system_s", REC_FLOAT64, "s", "mean time in system"},
    [RP_SYSTEM_CI] = {"ci95_time_in_system_s", REC_FLOAT64, "s",
                      "95% half-width of the mean time in system (batch means, batches from the "
                      "data, adjusted for correlation and skewness)"},
    [RP_WAIT] = {"mean_wait_s", REC_FLOAT64, "s", "mean wait in queue"},
    [RP_WAIT_CI] = {"ci95_wait_s", REC_FLOAT64, "s",
                    "95% half-width of the mean wait (batch means, as the time in system's)"},
    [RP_PROB_WAIT] = {"prob_wait", REC_FLOAT64, "1", "fraction of requests that had to wait"},
    [RP_UTIL] = {"utilisation", REC_FLOAT64, "1", "server busy time over run length"},
    [RP_END] = {"end_time_s", REC_FLOAT64, "s", "simulated time of the last departure"},
    [RP_BATCHES] = {"batches", REC_INT64, "1", "batches of the time-in-system interval"},
    [RP_BATCH_SIZE] = {"batch_size", REC_INT64, "1", "requests per batch of that interval"},
    [RP_BATCH_LAG1] = {"batch_lag1", REC_FLOAT64, "1",
                       "lag-1 autocorrelation of that interval's batch means"},
    [RP_INTERVAL_SHORT] = {"interval_short", REC_INT64, "1",
                           "1: the run is too short for a valid batch-means interval (the batch "
                           "means stay correlated); 0: valid"},
    [RP_TRUNCATED] = {"truncated", REC_INT64, "1",
                      "requests after run.warmup that MSER-5 left out (analysis.warmup: mser5)"},
    [RP_STATS_START] = {"stats_start_s", REC_FLOAT64, "s",
                        "arrival time of the first request in the statistics"},
    [RP_WARMUP_SHORT] = {"warmup_short", REC_INT64, "1",
                         "1: MSER-5 found no end of the warm-up in the first half of the run"},
};
const size_t fifo_replication_column_count = RP_COUNT;

void fifo_params_bind(const struct scn *s, struct fifo_params *p)
{
    *p = (struct fifo_params){.seed = s->run.seed,
                              .duration_s = s->run.duration_s,
                              .warmup_s = s->run.warmup_s,
                              .nues = (uint32_t)s->ues.count,
                              .rate_per_s = s->workload.rate_per_s,
                              .poisson_arrivals = s->workload.arrival == SCN_ARRIVAL_POISSON,
                              .service_time_s = s->edge.service_time_s,
                              .exponential_service = s->edge.service == SCN_SERVICE_EXPONENTIAL,
                              .mser = s->analysis.warmup == SCN_WARMUP_MSER5};
}

void fifo_theory(const struct fifo_params *p, struct fifo_theory *t)
{
    double S = p->service_time_s;
    double lambda = (double)p->nues * p->rate_per_s, rho = lambda * S;
    *t = (struct fifo_theory){.lambda = lambda,
                              .rho = rho,
                              .time_in_system_s = (double)NAN,
                              .wait_s = (double)NAN,
                              .prob_wait = (double)NAN};
    if (!p->poisson_arrivals || rho >= 1)
        return;
    if (p->exponential_service)
        t->wait_s = rho * S / (1 - rho);
    else
        t->wait_s = rho * S / (2 * (1 - rho));
    t->time_in_system_s = t->wait_s + S;
    t->prob_wait = rho;
}

static sim_event_fn on_arrival, on_departure;

static int64_t ns(double seconds)
{
    return sim_time_from_s(seconds);
}

/* Room for `cap` groups; 0 or -ENOMEM (what was enlarged stays valid, cap unchanged). */
static int groups_reserve(struct fifo_groups *g, size_t cap)
{
    if (cap <= g->cap)
        return 0;
    double *system = realloc(g->system, cap * sizeof *system);
    if (!system)
        return -ENOMEM;
    g->system = system;
    double *wait = realloc(g->wait, cap * sizeof *wait);
    if (!wait)
        return -ENOMEM;
    g->wait = wait;
    int64_t *start = realloc(g->start, cap * sizeof *start);
    if (!start)
        return -ENOMEM;
    g->start = start;
    uint8_t *waited = realloc(g->waited, cap * sizeof *waited);
    if (!waited)
        return -ENOMEM;
    g->waited = waited;
    g->cap = cap;
    return 0;
}

/* Adds one measured request; 0 or -ENOMEM. */
static int groups_add(struct fifo_groups *g, int64_t arrival, double system, double wait,
                      bool waited)
{
    if (g->tail_n == 0)
        g->tail_start = arrival;
    g->tail_system += system;
    g->tail_wait += wait;
    g->tail_waited += waited;
    if (++g->tail_n < FIFO_GROUP)
        return 0;
    if (g->n == g->cap && (g->cap > SIZE_MAX / 2 || groups_reserve(g, 2 * g->cap + 64) < 0))
        return -ENOMEM;
    g->system[g->n] = g->tail_system / FIFO_GROUP;
    g->wait[g->n] = g->tail_wait / FIFO_GROUP;
    g->start[g->n] = g->tail_start;
    g->waited[g->n] = (uint8_t)g->tail_waited;
    g->n++;
    g->tail_system = g->tail_wait = 0;
    g->tail_n = g->tail_waited = 0;
    return 0;
}

int fifo_init(struct fifo *m, struct sim *sim, const struct fifo_params *p, uint32_t replication,
              struct rec_table *out)
{
    memset(m, 0, sizeof *m);
    m->sim = sim;
    m->poisson_arrivals = p->poisson_arrivals;
    m->exponential_service = p->exponential_service;
    m->replication = replication;
    m->out = out;
    m->duration = ns(p->duration_s);
    m->warmup = ns(p->warmup_s);
    m->service_mean = ns(p->service_time_s);
    m->gap_mean_ns = 1e9 / p->rate_per_s;
    m->nues = p->nues;
    m->mser = p->mser;
    /* Room for the expected groups (+5 %), up to 2^20 (32 MiB): more grows in the loop. */
    double groups = (double)p->nues * p->rate_per_s * (p->duration_s - p->warmup_s) / FIFO_GROUP;
    size_t reserve = groups * 1.05 + 64 < 1048576 ? (size_t)(groups * 1.05 + 64) : 1048576;
    m->qcap = 64;
    m->queue = malloc(m->qcap * sizeof *m->queue);
    m->ues = calloc(m->nues, sizeof *m->ues);
    if (!m->queue || !m->ues || groups_reserve(&m->groups, reserve) < 0 ||
        sim_reserve(sim, m->nues + 16) < 0 ||
        rng_init(&m->service, p->seed, replication, RNG_KIND_SERVICE, 0) < 0)
        goto nomem;
    for (uint32_t u = 0; u < m->nues; u++) {
        struct fifo_ue *ue = &m->ues[u];
        ue->id = u;
        if (rng_init(&ue->arrivals, p->seed, replication, RNG_KIND_ARRIVAL, u) < 0)
            goto nomem;
        int64_t first = p->poisson_arrivals
                            ? rng_exponential_ns(&ue->arrivals, m->gap_mean_ns)
                            : sim_time_trunc(rng_uniform(&ue->arrivals) * m->gap_mean_ns);
        if (first < m->duration && !sim_schedule(sim, first, 0, on_arrival, m, u))
            goto nomem;
    }
    return 0;
nomem:
    fifo_release(m);
    return -ENOMEM;
}

void fifo_release(struct fifo *m)
{
    if (m->ues)
        for (uint32_t u = 0; u < m->nues; u++)
            rng_release(&m->ues[u].arrivals);
    free(m->ues);
    rng_release(&m->service);
    free(m->queue);
    free(m->groups.system);
    free(m->groups.wait);
    free(m->groups.start);
    free(m->groups.waited);
    m->groups = (struct fifo_groups){0};
    m->ues = NULL;
    m->queue = NULL;
}

static void fail(struct fifo *m, int code)
{
    if (!m->error)
        m->error = code;
    sim_stop(m->sim);
}

static void service_begin(struct fifo *m, const struct fifo_request *r)
{
    int64_t now = sim_now(m->sim);
    m->busy = true;
    m->busy_since = now;
    m->in_service = *r;
    m->service_start = now;
    int64_t service = m->exponential_service
                          ? rng_exponential_ns(&m->service, (double)m->service_mean)
                          : m->service_mean;
    if (!sim_schedule_in(m->sim, service, 0, on_departure, m, 0))
        fail(m, -ENOMEM);
}

static void on_arrival(struct sim *sim, void *obj, uint64_t ue_id)
{
    struct fifo *m = obj;
    struct fifo_ue *ue = &m->ues[ue_id];
    int64_t now = sim_now(sim);
    struct fifo_request r = {
        .id = m->arrived++,
        .ue = ue->id,
        .arrival = now,
        .found_in_system = m->qlen + (m->busy ? 1 : 0),
    };
    int64_t gap = m->poisson_arrivals ? rng_exponential_ns(&ue->arrivals, m->gap_mean_ns)
                                      : sim_time_round(m->gap_mean_ns);
    if (gap < 1)
        gap = 1;
    int64_t next = sim_time_add(now, gap);
    if (next < m->duration && !sim_schedule(sim, next, 0, on_arrival, m, ue_id)) {
        fail(m, -ENOMEM);
        return;
    }
    if (!m->busy) {
        service_begin(m, &r);
        return;
    }
    if (m->qlen == m->qcap) {
        /* Grow the ring, unrolling it so the head lands at 0. */
        struct fifo_request *q = malloc(2 * m->qcap * sizeof *q);
        if (!q) {
            fail(m, -ENOMEM);
            return;
        }
        for (uint64_t i = 0; i < m->qlen; i++)
            q[i] = m->queue[(m->qhead + i) % m->qcap];
        free(m->queue);
        m->queue = q;
        m->qhead = 0;
        m->qcap *= 2;
    }
    m->queue[(m->qhead + m->qlen++) % m->qcap] = r;
}

static void on_departure(struct sim *sim, void *obj, uint64_t data)
{
    (void)data;
    struct fifo *m = obj;
    int64_t now = sim_now(sim);
    const struct fifo_request *r = &m->in_service;
    double wait = (double)(m->service_start - r->arrival) * 1e-9;
    double system = (double)(now - r->arrival) * 1e-9;
    m->busy_ns += now - m->busy_since;
    m->busy = false;
    m->departed++;
    if (r->arrival >= m->warmup &&
        groups_add(&m->groups, r->arrival, system, wait, m->service_start > r->arrival) < 0) {
        fail(m, -ENOMEM);
        return;
    }
    if (m->out) {
        struct rec_table *t = m->out;
        rec_set_int64(t, RQ_ID, (int64_t)r->id);
        rec_set_int64(t, RQ_REPLICATION, m->replication);
        rec_set_int64(t, RQ_UE, r->ue);
        rec_set_int64(t, RQ_ARRIVAL, r->arrival);
        rec_set_int64(t, RQ_START, m->service_start);
        rec_set_int64(t, RQ_DEPARTURE, now);
        rec_set_double(t, RQ_WAIT, wait);
        rec_set_double(t, RQ_SYSTEM, system);
        rec_set_int64(t, RQ_FOUND, (int64_t)r->found_in_system);
        if (rec_row_commit(t) < 0) {
            fail(m, -EIO);
            return;
        }
    }
    if (m->qlen) {
        struct fifo_request next = m->queue[m->qhead];
        m->qhead = (m->qhead + 1) % m->qcap;
        m->qlen--;
        service_begin(m, &next);
    }
}

void fifo_summarize(const struct fifo *m, struct fifo_summary *sum)
{
    const struct fifo_groups *g = &m->groups;
    double end = (double)sim_now(m->sim) * 1e-9;
    bool warmup_short = false;
    size_t d = m->mser ? bm_mser(g->system, g->n, 1, &warmup_short) : 0;
    uint64_t measured = (uint64_t)(g->n - d) * FIFO_GROUP + g->tail_n;
    double system = g->tail_system, wait = g->tail_wait, waited = g->tail_waited;
    for (size_t j = d; j < g->n; j++) {
        system += FIFO_GROUP * g->system[j];
        wait += FIFO_GROUP * g->wait[j];
        waited += g->waited[j];
    }
    struct bm_result bs, bw;
    bm_analyse(g->system + d, g->n - d, 0.95, &bs);
    bm_analyse(g->wait + d, g->n - d, 0.95, &bw);
    double count = measured ? (double)measured : (double)NAN;
    int64_t first = d < g->n ? g->start[d] : g->tail_start;
    *sum = (struct fifo_summary){
        .replication = m->replication,
        .requests = m->departed,
        .measured = measured,
        .mean_time_in_system_s = system / count,
        .ci95_time_in_system_s = bs.halfwidth,
        .mean_wait_s = wait / count,
        .ci95_wait_s = bw.halfwidth,
        .prob_wait = waited / count,
        .utilisation = m->busy_ns == 0 ? 0 : (double)m->busy_ns * 1e-9 / end,
        .end_time_s = end,
        .batches = bs.batches,
        .batch_size = (uint64_t)bs.batch_size * FIFO_GROUP,
        .batch_lag1 = bs.batches >= 2 ? bs.lag1 : (double)NAN,
        .interval_short = bs.short_run || bw.short_run,
        .truncated = (uint64_t)d * FIFO_GROUP,
        .stats_start_s = measured ? (double)first * 1e-9 : (double)NAN,
        .warmup_short = warmup_short,
    };
}

/* Lists (at most 8, then "...") the replications whose interval_short (or warmup_short) is set;
 * returns how many. */
static size_t list_replications(const struct fifo_summary *s, size_t n, bool short_interval,
                                char *buf, size_t size)
{
    size_t count = 0, used = 0;
    buf[0] = 0;
    for (size_t i = 0; i < n; i++) {
        if (!(short_interval ? s[i].interval_short : s[i].warmup_short))
            continue;
        if (count < 8 && used < size)
            used += (size_t)snprintf(buf + used, size - used, "%s%" PRIu32, count ? ", " : "",
                                     s[i].replication);
        else if (count == 8 && used < size)
            used += (size_t)snprintf(buf + used, size - used, ", ...");
        count++;
    }
    return count;
}

char *fifo_warning(const struct fifo_summary *sums, size_t n)
{
    char which[128], more[128];
    size_t shorts = list_replications(sums, n, true, which, sizeof which);
    size_t limits = list_replications(sums, n, false, more, sizeof more);
    char *a = NULL, *b = NULL, *text = NULL;
    int rc = 0;
    if (shorts && n == 1)
        rc = asprintf(&a, "the run is too short for a valid batch-means interval: its batch means "
                          "stay correlated (lag-1 autocorrelation >= 0.4 at every batch size "
                          "that leaves 100 batches), so the 95%% interval may be too narrow; "
                          "lengthen run.duration or run replications.");
    else if (shorts)
        rc = asprintf(&a,
                      "replication(s) %s (%zu of %zu) too short for a valid batch-means interval "
                      "of their own (/replications/interval_short): their ci95 columns may be "
                      "too narrow; the summary's interval is across replications and stands.",
                      which, shorts, n);
    if (rc < 0)
        a = NULL;
    rc = 0;
    if (limits && n == 1)
        rc = asprintf(&b,
                      "%sMSER-5 found no end of the warm-up in the first half of the run "
                      "(it cut there): the run may be too short, or the queue have no steady "
                      "state.",
                      a ? " " : "");
    else if (limits)
        rc = asprintf(&b,
                      "%sreplication(s) %s (%zu of %zu): MSER-5 found no end of the warm-up in "
                      "the first half of the run (/replications/warmup_short; it cut there).",
                      a ? " " : "", more, limits, n);
    if (rc < 0)
        b = NULL;
    if ((a || b) && asprintf(&text, "%s%s", a ? a : "", b ? b : "") < 0)
        text = NULL;
    free(a);
    free(b);
    return text;
}

int fifo_record_replication(struct rec_table *t, const struct fifo_summary *s)
{
    rec_set_int64(t, RP_REPLICATION, s->replication);
    rec_set_int64(t, RP_REQUESTS, (int64_t)s->requests);
    rec_set_int64(t, RP_MEASURED, (int64_t)s->measured);
    rec_set_double(t, RP_SYSTEM, s->mean_time_in_system_s);
    rec_set_double(t, RP_SYSTEM_CI, s->ci95_time_in_system_s);
    rec_set_double(t, RP_WAIT, s->mean_wait_s);
    rec_set_double(t, RP_WAIT_CI, s->ci95_wait_s);
    rec_set_double(t, RP_PROB_WAIT, s->prob_wait);
    rec_set_double(t, RP_UTIL, s->utilisation);
    rec_set_double(t, RP_END, s->end_time_s);
    rec_set_int64(t, RP_BATCHES, (int64_t)s->batches);
    rec_set_int64(t, RP_BATCH_SIZE, (int64_t)s->batch_size);
    rec_set_double(t, RP_BATCH_LAG1, s->batch_lag1);
    rec_set_int64(t, RP_INTERVAL_SHORT, s->interval_short);
    rec_set_int64(t, RP_TRUNCATED, (int64_t)s->truncated);
    rec_set_double(t, RP_STATS_START, s->stats_start_s);
    rec_set_int64(t, RP_WARMUP_SHORT, s->warmup_short);
    return rec_row_commit(t);
}

/* Mean over replications and its 95 % half-width (NaN-free inputs assumed). */
static void across(const struct fifo_summary *s, size_t n, size_t offset, double *mean, double *hw)
{
    struct stats_running r = {0};
    for (size_t i = 0; i < n; i++)
        stats_running_add(&r, *(const double *)((const char *)&s[i] + offset));
    *mean = r.mean;
    *hw = stats_running_halfwidth(&r, 0.95);
}

int fifo_record_summary(struct rec *r, const struct fifo_params *p, const struct fifo_summary *sums,
                        size_t n, struct fifo_summary *o)
{
    struct fifo_theory th;
    fifo_theory(p, &th);
    *o = (struct fifo_summary){0};
    for (size_t i = 0; i < n; i++) {
        o->requests += sums[i].requests;
        o->measured += sums[i].measured;
        o->end_time_s = fmax(o->end_time_s, sums[i].end_time_s);
    }
    double unused;
    across(sums, n, offsetof(struct fifo_summary, mean_time_in_system_s), &o->mean_time_in_system_s,
           &o->ci95_time_in_system_s);
    across(sums, n, offsetof(struct fifo_summary, mean_wait_s), &o->mean_wait_s, &o->ci95_wait_s);
    across(sums, n, offsetof(struct fifo_summary, prob_wait), &o->prob_wait, &unused);
    across(sums, n, offsetof(struct fifo_summary, utilisation), &o->utilisation, &unused);
    if (n == 1) {
        o->ci95_time_in_system_s = sums[0].ci95_time_in_system_s;
        o->ci95_wait_s = sums[0].ci95_wait_s;
    }
    for (size_t i = 0; i < n; i++) {
        o->interval_short |= sums[i].interval_short;
        o->warmup_short |= sums[i].warmup_short;
        o->truncated += sums[i].truncated;
    }
    const char *g = "/summary";
    const char *ci = n > 1 ? "95% half-width across replications (Student t)"
                           : "95% half-width within the replication (batch means with batches "
                             "from the data, adjusted for correlation and skewness)";
    rec_scalar_int64(r, g, "replications", "1", "replications run", (int64_t)n);
    rec_scalar_int64(r, g, "requests", "1", "requests served, all replications",
                     (int64_t)o->requests);
    rec_scalar_int64(r, g, "measured", "1",
                     "requests in the statistics (after the warm-up), all replications",
                     (int64_t)o->measured);
    rec_scalar_double(r, g, "mean_time_in_system_s", "s",
                      "mean over replications of the mean time in system",
                      o->mean_time_in_system_s);
    rec_scalar_double(r, g, "ci95_time_in_system_s", "s", ci, o->ci95_time_in_system_s);
    rec_scalar_double(r, g, "mean_wait_s", "s", "mean over replications of the mean wait",
                      o->mean_wait_s);
    rec_scalar_double(r, g, "ci95_wait_s", "s", ci, o->ci95_wait_s);
    rec_scalar_int64(r, g, "ci95_short", "1",
                     "1: one replication, too short for a valid batch-means interval "
                     "(interval_warning says why); 0: the ci95 values are valid",
                     n == 1 && o->interval_short);
    rec_scalar_double(r, g, "prob_wait", "1", "fraction of requests that had to wait",
                      o->prob_wait);
    rec_scalar_double(r, g, "utilisation", "1", "server busy time over run length", o->utilisation);
    rec_scalar_int64(r, g, "ues", "1", "number of UEs", (int64_t)p->nues);
    rec_scalar_double(r, g, "duration_s", "s", "arrivals happen during [0, duration)",
                      p->duration_s);
    rec_scalar_double(r, g, "warmup_s", "s", "requests arriving earlier are not in the statistics",
                      p->warmup_s);
    rec_scalar_double(r, g, "service_time_s", "s", "mean service time", p->service_time_s);
    rec_scalar_double(r, g, "lambda", "1/s", "total arrival rate, UEs x rate", th.lambda);
    rec_scalar_double(r, g, "rho", "1", "offered load lambda x service time", th.rho);
    rec_scalar_double(r, g, "theory_time_in_system_s", "s",
                      "M/M/1 or M/D/1 mean time in system; NaN without a closed form",
                      th.time_in_system_s);
    rec_scalar_double(r, g, "theory_wait_s", "s",
                      "M/M/1 or M/D/1 mean wait; NaN without a closed form", th.wait_s);
    rec_scalar_double(r, g, "theory_prob_wait", "1",
                      "probability an arrival waits (rho); NaN without a closed form",
                      th.prob_wait);
    char *warning = fifo_warning(sums, n); /* the group exists now */
    int rc = rec_attr_string(r, g, "interval_warning", warning ? warning : "");
    free(warning);
    return rc;
}
