#include "models/mm1.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum {
    COL_ID,
    COL_ARRIVAL,
    COL_START,
    COL_DEPARTURE,
    COL_WAIT,
    COL_SYSTEM,
    COL_FOUND,
    COL_COUNT
};

const struct rec_column mm1_columns[] = {
    [COL_ID] = {"id", REC_INT64, "1", "customer number, in order of arrival"},
    [COL_ARRIVAL] = {"arrival_ns", REC_INT64, "ns", "arrival time"},
    [COL_START] = {"service_start_ns", REC_INT64, "ns", "time service started"},
    [COL_DEPARTURE] = {"departure_ns", REC_INT64, "ns", "time service ended"},
    [COL_WAIT] = {"wait_s", REC_FLOAT64, "s", "time in queue before service"},
    [COL_SYSTEM] = {"time_in_system_s", REC_FLOAT64, "s", "departure minus arrival"},
    [COL_FOUND] = {"found_in_system", REC_INT64, "1",
                   "customers in the system when this one arrived"},
};
const size_t mm1_column_count = COL_COUNT;

int mm1_params_check(const struct mm1_params *p, const char **why)
{
    *why = NULL;
    if (!(p->arrival_rate > 0) || !isfinite(p->arrival_rate))
        *why = "arrival rate must be a finite number > 0";
    else if (!(p->service_rate > 0) || !isfinite(p->service_rate))
        *why = "service rate must be a finite number > 0";
    else if (p->customers < 1)
        *why = "at least one customer is needed";
    else if (p->warmup >= p->customers)
        *why = "warm-up must leave at least one customer to measure";
    /* Mean gaps of at least 1 us keep the ns rounding of draws below 1e-3 relative. */
    else if (p->arrival_rate > 1e6 || p->service_rate > 1e6)
        *why = "rates above 1e6 per second are not resolved by ns time";
    return *why ? -EINVAL : 0;
}

static sim_event_fn on_arrival, on_departure;

int mm1_init(struct mm1 *m, struct sim *sim, const struct mm1_params *p, struct rec_table *out)
{
    memset(m, 0, sizeof *m);
    m->sim = sim;
    m->p = *p;
    m->out = out;
    uint64_t batch = (p->customers - p->warmup) / MM1_BATCHES;
    stats_batch_init(&m->time_in_system_s, batch ? batch : 1);
    stats_batch_init(&m->wait_s, batch ? batch : 1);
    m->qcap = 64;
    m->queue = malloc(m->qcap * sizeof *m->queue);
    if (!m->queue)
        return -ENOMEM;
    if (rng_init(&m->arrivals, p->seed, p->replication, RNG_KIND_ARRIVAL, 0) < 0 ||
        rng_init(&m->service, p->seed, p->replication, RNG_KIND_SERVICE, 0) < 0) {
        mm1_release(m);
        return -ENOMEM;
    }
    return 0;
}

void mm1_release(struct mm1 *m)
{
    rng_release(&m->arrivals);
    rng_release(&m->service);
    free(m->queue);
    m->queue = NULL;
}

int mm1_start(struct mm1 *m)
{
    int64_t gap = rng_exponential_ns(&m->arrivals, 1e9 / m->p.arrival_rate);
    return sim_schedule_in(m->sim, gap, 0, on_arrival, m, 0) ? 0 : -ENOMEM;
}

static void fail(struct mm1 *m, int code)
{
    if (!m->error)
        m->error = code;
    sim_stop(m->sim);
}

static void service_begin(struct mm1 *m, const struct mm1_waiting *c)
{
    int64_t now = sim_now(m->sim);
    m->busy = true;
    m->busy_since = now;
    m->in_service = *c;
    m->service_start = now;
    int64_t service = rng_exponential_ns(&m->service, 1e9 / m->p.service_rate);
    if (!sim_schedule_in(m->sim, service, 0, on_departure, m, 0))
        fail(m, -ENOMEM);
}

static void on_arrival(struct sim *sim, void *obj, uint64_t data)
{
    (void)data;
    struct mm1 *m = obj;
    struct mm1_waiting c = {
        .id = m->arrived++,
        .arrival = sim_now(sim),
        .found_in_system = m->qlen + (m->busy ? 1 : 0),
    };
    if (m->arrived < m->p.customers) {
        int64_t gap = rng_exponential_ns(&m->arrivals, 1e9 / m->p.arrival_rate);
        if (!sim_schedule_in(sim, gap, 0, on_arrival, m, 0)) {
            fail(m, -ENOMEM);
            return;
        }
    }
    if (!m->busy) {
        service_begin(m, &c);
        return;
    }
    if (m->qlen == m->qcap) {
        /* Grow the ring, unrolling it so the head lands at 0. */
        struct mm1_waiting *q = malloc(2 * m->qcap * sizeof *q);
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
    m->queue[(m->qhead + m->qlen++) % m->qcap] = c;
}

static void on_departure(struct sim *sim, void *obj, uint64_t data)
{
    (void)data;
    struct mm1 *m = obj;
    int64_t now = sim_now(sim);
    const struct mm1_waiting *c = &m->in_service;
    double wait = (double)(m->service_start - c->arrival) * 1e-9;
    double system = (double)(now - c->arrival) * 1e-9;
    m->busy_ns += now - m->busy_since;
    m->busy = false;
    m->departed++;
    if (c->id >= m->p.warmup) {
        m->measured++;
        if (m->service_start > c->arrival)
            m->measured_waited++;
        stats_batch_add(&m->time_in_system_s, system);
        stats_batch_add(&m->wait_s, wait);
    }
    if (m->out) {
        struct rec_table *t = m->out;
        rec_set_int64(t, COL_ID, (int64_t)c->id);
        rec_set_int64(t, COL_ARRIVAL, c->arrival);
        rec_set_int64(t, COL_START, m->service_start);
        rec_set_int64(t, COL_DEPARTURE, now);
        rec_set_double(t, COL_WAIT, wait);
        rec_set_double(t, COL_SYSTEM, system);
        rec_set_int64(t, COL_FOUND, (int64_t)c->found_in_system);
        if (rec_row_commit(t) < 0) {
            fail(m, -EIO);
            return;
        }
    }
    if (m->qlen) {
        struct mm1_waiting next = m->queue[m->qhead];
        m->qhead = (m->qhead + 1) % m->qcap;
        m->qlen--;
        service_begin(m, &next);
    }
}

void mm1_summarize(const struct mm1 *m, struct mm1_summary *s)
{
    double lambda = m->p.arrival_rate, mu = m->p.service_rate, rho = lambda / mu;
    double end = (double)sim_now(m->sim) * 1e-9;
    *s = (struct mm1_summary){
        .customers = m->departed,
        .measured = m->measured,
        .mean_time_in_system_s = m->time_in_system_s.all.mean,
        .ci95_time_in_system_s = stats_batch_halfwidth(&m->time_in_system_s, 0.95),
        .mean_wait_s = m->wait_s.all.mean,
        .ci95_wait_s = stats_batch_halfwidth(&m->wait_s, 0.95),
        .prob_wait = m->measured ? (double)m->measured_waited / (double)m->measured : (double)NAN,
        .utilisation = end > 0 ? (double)m->busy_ns * 1e-9 / end : (double)NAN,
        .end_time_s = end,
        .rho = rho,
        .theory_time_in_system_s = rho < 1 ? 1.0 / (mu - lambda) : (double)NAN,
        .theory_wait_s = rho < 1 ? rho / (mu - lambda) : (double)NAN,
    };
}

int mm1_record_summary(const struct mm1_summary *s, struct rec *r, const char *g)
{
    rec_scalar_int64(r, g, "customers", "1", "customers served", (int64_t)s->customers);
    rec_scalar_int64(r, g, "measured", "1", "customers after warm-up, in the statistics",
                     (int64_t)s->measured);
    rec_scalar_double(r, g, "mean_time_in_system_s", "s", "mean time in system",
                      s->mean_time_in_system_s);
    rec_scalar_double(r, g, "ci95_time_in_system_s", "s",
                      "95% confidence half-width of the mean time in system (batch means)",
                      s->ci95_time_in_system_s);
    rec_scalar_double(r, g, "mean_wait_s", "s", "mean wait in queue", s->mean_wait_s);
    rec_scalar_double(r, g, "ci95_wait_s", "s",
                      "95% confidence half-width of the mean wait (batch means)", s->ci95_wait_s);
    rec_scalar_double(r, g, "prob_wait", "1", "fraction of customers who had to wait",
                      s->prob_wait);
    rec_scalar_double(r, g, "utilisation", "1", "server busy time over run length",
                      s->utilisation);
    rec_scalar_double(r, g, "end_time_s", "s", "simulated time of the last departure",
                      s->end_time_s);
    rec_scalar_double(r, g, "rho", "1", "offered load lambda/mu", s->rho);
    rec_scalar_double(r, g, "theory_time_in_system_s", "s", "1/(mu - lambda); NaN if rho >= 1",
                      s->theory_time_in_system_s);
    return rec_scalar_double(r, g, "theory_wait_s", "s", "rho/(mu - lambda); NaN if rho >= 1",
                             s->theory_wait_s);
}
