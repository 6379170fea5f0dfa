/*
 * fifo — the built-in edge queue: UEs send requests to one edge server that serves them one at a
 * time, first come first served.
 *
 * Concept: the simplest system with the shape of split inference (many UEs, one shared edge
 * server) and an exact theory to check the event core, the random streams and the recorder
 * against. Each UE sends requests as a Poisson process of rate r (exponential gaps) or
 * periodically (gap 1/r, random phase); the server's service time is exponential or fixed
 * with mean S. With N Poisson UEs the server sees Poisson arrivals of rate lambda = N r, so for
 * rho = lambda S < 1:
 *   exponential service (M/M/1):   time in system W = S / (1 - rho),  wait Wq = rho S / (1 - rho)
 *   fixed service (M/D/1, Pollaczek-Khinchine): Wq = rho S / (2 (1 - rho)), W = Wq + S
 *   both: an arrival finds the server busy with probability rho (PASTA), utilisation = rho.
 * Periodic arrivals have no such closed form here; their theory values are NaN.
 *
 * Requests arrive during [0, duration); the run then drains the queue. Requests arriving before
 * the warm-up time are recorded but left out of the statistics; with `mser` the statistics start
 * later still, where MSER-5 (sim/batchmeans.h) finds the end of the warm-up in the replication's
 * times in system. The measured requests are kept in groups of FIFO_GROUP (per group the mean
 * time in system and wait, the number that waited and the first one's arrival: 5 bytes a
 * request), the series MSER-5 and the batch-means interval of sim/batchmeans.h work on. Streams: UE
 * u's arrivals draw from (ARRIVAL, u); the server's service times from (SERVICE, 0), drawn when
 * service starts, so a UE's arrival times never depend on the server or on other UEs.
 *
 * Invariants: requests are served in arrival order (ties: event order); arrival <= service start
 * <= departure; at most one request is in service.
 */
#ifndef SPLITSIM_MODELS_FIFO_H
#define SPLITSIM_MODELS_FIFO_H

#include <stdbool.h>
#include <stdint.h>

#include "results/rec.h"
#include "scn/scn.h"
#include "sim/rng.h"
#include "sim/sim.h"
#include "sim/stats.h"

/* Measured requests per group of the kept series (MSER-5's batch size). */
#define FIFO_GROUP 5

struct fifo_request {
    uint64_t id;
    uint32_t ue;
    int64_t arrival;
    uint64_t found_in_system; /* requests present at arrival, this one excluded */
};

struct fifo_ue {
    struct rng arrivals;
    uint32_t id;
};

/* The measured requests in groups of FIFO_GROUP, in arrival order (= departure order). */
struct fifo_groups {
    double *system, *wait; /* mean time in system and wait of each group, s */
    int64_t *start;        /* arrival of each group's first request, ns */
    uint8_t *waited;       /* requests of the group that waited */
    size_t n, cap;
    double tail_system, tail_wait; /* sums over the incomplete last group */
    int64_t tail_start;
    uint32_t tail_n, tail_waited;
};

struct fifo {
    struct sim *sim;
    uint32_t replication;
    bool poisson_arrivals;                  /* else periodic */
    bool exponential_service;               /* else deterministic */
    int64_t duration, warmup, service_mean; /* ns */
    double gap_mean_ns;                     /* per UE */
    struct fifo_ue *ues;
    uint32_t nues;
    struct rng service;
    struct rec_table *out; /* NULL: no per-request table */

    uint64_t arrived, departed;
    bool busy;
    struct fifo_request in_service;
    int64_t service_start;
    struct fifo_request *queue; /* ring buffer of waiting requests */
    uint64_t qhead, qlen, qcap;

    int64_t busy_since, busy_ns;
    bool mser; /* statistics start where MSER-5 says */
    struct fifo_groups groups;
    int error;
};

/* One replication's results. */
struct fifo_summary {
    uint32_t replication;
    uint64_t requests, measured;
    double mean_time_in_system_s, ci95_time_in_system_s; /* batch means (sim/batchmeans.h) */
    double mean_wait_s, ci95_wait_s;
    double prob_wait;   /* fraction of measured requests that waited */
    double utilisation; /* busy time / time of the last departure */
    double end_time_s;
    /* The time-in-system interval's batches: how many, of how many requests, and the lag-1
     * autocorrelation of their means. */
    uint64_t batches, batch_size;
    double batch_lag1;
    bool interval_short;  /* either interval: too short for a valid one (sim/batchmeans.h) */
    uint64_t truncated;   /* requests MSER-5 left out after the warm-up (0 without mser) */
    double stats_start_s; /* arrival of the first request in the statistics; NaN if none */
    bool warmup_short;    /* MSER-5 found no end of the warm-up in the first half */
};

/* The scenario's values the queue model reads, bound once (fifo_params_bind). */
struct fifo_params {
    uint64_t seed;
    double duration_s, warmup_s;
    uint32_t nues;
    double rate_per_s;        /* requests per second per UE */
    bool poisson_arrivals;    /* else periodic */
    double service_time_s;    /* mean */
    bool exponential_service; /* else deterministic */
    bool mser;                /* analysis.warmup: mser5 */
};

void fifo_params_bind(const struct scn *s, struct fifo_params *p);

/* Offered load and queueing theory for a scenario (NaN where there is no closed form). */
struct fifo_theory {
    double lambda, rho, time_in_system_s, wait_s, prob_wait;
};

void fifo_theory(const struct fifo_params *p, struct fifo_theory *t);

/*
 * Prepares replication `replication` of scenario s on sim; `out` may be NULL, else a table made
 * with fifo_request_columns. Schedules each UE's first arrival. 0 or -ENOMEM.
 */
int fifo_init(struct fifo *m, struct sim *sim, const struct fifo_params *p, uint32_t replication,
              struct rec_table *out);

/* Fills *sum after sim_run has emptied the event queue. */
void fifo_summarize(const struct fifo *m, struct fifo_summary *sum);

void fifo_release(struct fifo *m);

/* Columns of the per-request table (/requests) and of the per-replication table
 * (/replications). */
extern const struct rec_column fifo_request_columns[];
extern const size_t fifo_request_column_count;
extern const struct rec_column fifo_replication_columns[];
extern const size_t fifo_replication_column_count;

/*
 * What a reader should be warned of in n replications' summaries: runs too short for their
 * batch-means interval, MSER-5 meeting its limit. A malloc'd sentence (or sentences), or NULL
 * when there is nothing to say or no memory.
 */
char *fifo_warning(const struct fifo_summary *sums, size_t n);

/* Appends one replication's row to a table made with fifo_replication_columns. */
int fifo_record_replication(struct rec_table *t, const struct fifo_summary *sum);

/*
 * Writes /summary: the mean of each metric over the replications, its 95 % confidence
 * half-width (Student t across replications when there are two or more, batch means within the
 * one replication otherwise), the theory values, and the attribute `interval_warning` (the text
 * of fifo_warning, "" when none).
 */
int fifo_record_summary(struct rec *r, const struct fifo_params *p, const struct fifo_summary *sums,
                        size_t n, struct fifo_summary *overall);

#endif
