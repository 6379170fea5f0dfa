#include "models/edge/fifo.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

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
    RP_COUNT
};

const struct rec_column fifo_replication_columns[] = {
    [RP_REPLICATION] = {"replication", REC_INT64, "1", "replication number"},
    [RP_REQUESTS] = {"requests", REC_INT64, "1", "requests served"},
    [RP_MEASURED] = {"measured", REC_INT64, "1", "requests after warm-up, in the statistics"},
    [RP_SYSTEM] = {"mean_time_in_system_s", REC_FLOAT64, "s", "mean time in system"},
    [RP_SYSTEM_CI] = {"ci95_time_in_system_s", REC_FLOAT64, "s",
                      "95% half-width of the mean time in system (batch means)"},
    [RP_WAIT] = {"mean_wait_s", REC_FLOAT64, "s", "mean wait in queue"},
    [RP_WAIT_CI] = {"ci95_wait_s", REC_FLOAT64, "s",
                    "95% half-width of the mean wait (batch means)"},
    [RP_PROB_WAIT] = {"prob_wait", REC_FLOAT64, "1", "fraction of requests that had to wait"},
    [RP_UTIL] = {"utilisation", REC_FLOAT64, "1", "server busy time over run length"},
    [RP_END] = {"end_time_s", REC_FLOAT64, "s", "simulated time of the last departure"},
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
                              .exponential_service = s->edge.service == SCN_SERVICE_EXPONENTIAL};
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
    double expected = (double)p->nues * p->rate_per_s * (p->duration_s - p->warmup_s);
    uint64_t batch = expected / FIFO_BATCHES >= 1 ? (uint64_t)(expected / FIFO_BATCHES) : 1;
    stats_batch_init(&m->time_in_system_s, batch);
    stats_batch_init(&m->wait_s, batch);
    m->qcap = 64;
    m->queue = malloc(m->qcap * sizeof *m->queue);
    m->ues = calloc(m->nues, sizeof *m->ues);
    if (!m->queue || !m->ues || sim_reserve(sim, m->nues + 16) < 0 ||
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
    if (r->arrival >= m->warmup) {
        m->measured++;
        if (m->service_start > r->arrival)
            m->measured_waited++;
        stats_batch_add(&m->time_in_system_s, system);
        stats_batch_add(&m->wait_s, wait);
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
    double end = (double)sim_now(m->sim) * 1e-9;
    *sum = (struct fifo_summary){
        .replication = m->replication,
        .requests = m->departed,
        .measured = m->measured,
        .mean_time_in_system_s = m->measured ? m->time_in_system_s.all.mean : (double)NAN,
        .ci95_time_in_system_s = stats_batch_halfwidth(&m->time_in_system_s, 0.95),
        .mean_wait_s = m->measured ? m->wait_s.all.mean : (double)NAN,
        .ci95_wait_s = stats_batch_halfwidth(&m->wait_s, 0.95),
        .prob_wait = m->measured ? (double)m->measured_waited / (double)m->measured : (double)NAN,
        .utilisation = m->busy_ns == 0 ? 0 : (double)m->busy_ns * 1e-9 / end,
        .end_time_s = end,
    };
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
    const char *g = "/summary";
    const char *ci = n > 1 ? "95% half-width across replications (Student t)"
                           : "95% half-width within the replication (batch means)";
    rec_scalar_int64(r, g, "replications", "1", "replications run", (int64_t)n);
    rec_scalar_int64(r, g, "requests", "1", "requests served, all replications",
                     (int64_t)o->requests);
    rec_scalar_int64(r, g, "measured", "1", "requests after warm-up, all replications",
                     (int64_t)o->measured);
    rec_scalar_double(r, g, "mean_time_in_system_s", "s",
                      "mean over replications of the mean time in system",
                      o->mean_time_in_system_s);
    rec_scalar_double(r, g, "ci95_time_in_system_s", "s", ci, o->ci95_time_in_system_s);
    rec_scalar_double(r, g, "mean_wait_s", "s", "mean over replications of the mean wait",
                      o->mean_wait_s);
    rec_scalar_double(r, g, "ci95_wait_s", "s", ci, o->ci95_wait_s);
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
    return rec_scalar_double(r, g, "theory_prob_wait", "1",
                             "probability an arrival waits (rho); NaN without a closed form",
                             th.prob_wait);
}
