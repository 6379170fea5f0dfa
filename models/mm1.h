/*
 * mm1 — the built-in M/M/1 queue: Poisson arrivals, exponential service, one FIFO server.
 *
 * Concept: the simplest queue with an exact theory, kept as a living check of the event core,
 * the random streams and the recorder: with arrival rate lambda and service rate mu > lambda,
 * a customer's time in system is exponential with mean 1/(mu - lambda), the mean wait in queue is
 * rho/(mu - lambda) with rho = lambda/mu, and an arrival finds the server busy with
 * probability rho.
 *
 * Exactly `customers` customers arrive; the run ends when the last one has left. Arrivals draw
 * from the stream (ARRIVAL, id 0) and service times from (SERVICE, id 0), a service time being
 * drawn when service starts, so both sequences are the same whatever else changes.
 * Times are integer nanoseconds (draws rounded to the nearest ns). The first `warmup` customers
 * are recorded but excluded from the summary statistics.
 *
 * Invariants: customers are served in arrival order; at most one is in service; a customer's
 * times satisfy arrival <= service start <= departure.
 */
#ifndef SPLITSIM_MODELS_MM1_H
#define SPLITSIM_MODELS_MM1_H

#include <stdbool.h>
#include <stdint.h>

#include "results/rec.h"
#include "sim/rng.h"
#include "sim/sim.h"
#include "sim/stats.h"

struct mm1_params {
    double arrival_rate; /* lambda, customers per second, > 0 */
    double service_rate; /* mu, customers per second, > 0 */
    uint64_t customers;  /* arrivals in all, >= 1 */
    uint64_t warmup;     /* leading customers left out of the statistics, < customers */
    uint64_t seed;
    uint32_t replication;
};

/* The number of batches the summary's confidence interval is built from. */
#define MM1_BATCHES 20

struct mm1_waiting {
    uint64_t id;
    int64_t arrival;
    uint64_t found_in_system; /* customers present at arrival, this one excluded */
};

struct mm1 {
    struct sim *sim;
    struct mm1_params p;
    struct rng arrivals, service;
    struct rec_table *out; /* NULL: record nothing per customer */

    uint64_t arrived, departed;
    bool busy;
    struct mm1_waiting in_service;
    int64_t service_start;
    struct mm1_waiting *queue; /* ring buffer of waiting customers */
    uint64_t qhead, qlen, qcap;

    int64_t busy_since, busy_ns; /* server busy time, for utilisation */
    struct stats_batch time_in_system_s, wait_s;
    uint64_t measured, measured_waited;
    int error;
};

/* Result of a finished run. */
struct mm1_summary {
    uint64_t customers, measured;
    double mean_time_in_system_s, ci95_time_in_system_s;
    double mean_wait_s, ci95_wait_s;
    double prob_wait;   /* fraction of measured customers who had to wait */
    double utilisation; /* busy time / time of last departure */
    double end_time_s;
    /* Theory for comparison (NaN when rho >= 1). */
    double rho, theory_time_in_system_s, theory_wait_s;
};

/* Checks parameters; on error returns -EINVAL with a message in *why (static text). */
int mm1_params_check(const struct mm1_params *p, const char **why);

/*
 * Prepares the model on `sim` (streams seeded from p->seed and p->replication). `out` may be
 * NULL; otherwise it must be a table created with mm1_columns. 0 or a negative code.
 */
int mm1_init(struct mm1 *m, struct sim *sim, const struct mm1_params *p, struct rec_table *out);

/* Schedules the first arrival. */
int mm1_start(struct mm1 *m);

/* Fills *s after sim_run has emptied the queue. */
void mm1_summarize(const struct mm1 *m, struct mm1_summary *s);

/* Writes the summary into group `group` of the results file. */
int mm1_record_summary(const struct mm1_summary *s, struct rec *r, const char *group);

void mm1_release(struct mm1 *m);

/* The per-customer table's columns (mm1_column_count of them). */
extern const struct rec_column mm1_columns[];
extern const size_t mm1_column_count;

#endif
