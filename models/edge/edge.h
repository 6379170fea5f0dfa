/*
 * edge — an edge GPU server running the edge part of split-inference requests with
 * iteration-level (continuous) batching and KV-cache admission.
 *
 * Concept: work arrives as jobs. A PREFILL job runs layers [from, to) of the cost table for the
 * request's `tokens` prompt tokens; a DECODE job runs the same layers for one new token at
 * `context` cached tokens. The server runs iterations back to back while jobs wait: at the start
 * of an iteration it takes waiting jobs in scheduling order (FIFO by submission; or decode steps
 * first; or prefills first) up to `batch_max` jobs and `batch_tokens` prefill tokens (a prefill
 * larger than the token budget runs alone), and every job of the iteration completes at its end.
 * Jobs that arrive during an iteration join the next one (continuous batching). An iteration
 * starts in an event at the current time with priority SIM_PRIORITY_MAX, so jobs submitted at
 * the same instant (and an iteration's done callbacks) all feed the same next iteration.
 *
 * Iteration time, from the cost table: for every layer l, the prefill time of l at the summed
 * prompt tokens of the iteration's prefill jobs that include l, plus the decode-step time of l at
 * the mean context and the number of the iteration's decode jobs that include l (jobs of
 * different splits cover different layer ranges; the sum is taken per run of layers covered by
 * the same jobs, O(jobs^2) per iteration, O(groups) per run).
 *
 * KV admission: a request reserves kv_bytes (its prompt plus output tokens times the KV bytes
 * per token of its edge layers) when its PREFILL job is taken into an iteration, and frees them
 * with edge_release_kv when it finishes. A prefill that does not fit stays waiting and holds back
 * the prefills behind it (admission in submission order), whatever the order; decode steps still
 * run, with FIFO scheduling too (holding them back would deadlock: the KV the prefill waits for
 * is freed only when requests already admitted finish their decode steps). With FIFO scheduling
 * a job that cannot join for batch_max or the token budget holds back every job behind it
 * (head-of-line). A request needing more than the whole budget is refused at submission.
 *
 * Invariants: 0 <= kv_used <= kv_budget; at most one iteration in progress; a job completes
 * exactly once, at the end of the iteration that took it; jobs of one kind are taken in
 * submission order; an idle server with a waiting job that fits starts an iteration at once
 * (at the same simulated time, in its start event).
 */
#ifndef SPLITSIM_MODELS_EDGE_H
#define SPLITSIM_MODELS_EDGE_H

#include <stdbool.h>
#include <stdint.h>

#include "models/llm/cost.h"
#include "sim/ring.h"
#include "sim/sim.h"

enum edge_job_kind {
    EDGE_PREFILL,
    EDGE_DECODE,
};

enum edge_order {
    EDGE_ORDER_FIFO,          /* submission order, prefill and decode mixed */
    EDGE_ORDER_DECODE_FIRST,  /* waiting decode steps before waiting prefills */
    EDGE_ORDER_PREFILL_FIRST, /* waiting prefills before waiting decode steps */
};

struct edge_job;

/* Called at the end of the iteration that ran the job. `iteration_ns` is that iteration's
 * length, `batch` its number of jobs. `job` points into the server and is valid during the call
 * only. The callback may submit jobs and release KV (the next iteration starts after the
 * callbacks of this one, at the same time). */
typedef void edge_done_fn(struct sim *sim, void *ctx, const struct edge_job *job, int64_t start,
                          int64_t iteration_ns, uint32_t batch);

struct edge_job {
    enum edge_job_kind kind;
    uint32_t from, to; /* cost-table layers [from, to) */
    double tokens;     /* PREFILL: prompt tokens */
    double context;    /* DECODE: cached tokens */
    double kv_bytes;   /* PREFILL: KV bytes to reserve for the whole request */
    int64_t submitted; /* set by edge_submit */
    uint64_t seq;      /* set by edge_submit */
    edge_done_fn *done;
    void *ctx;
};

struct edge_params {
    uint32_t batch_max;  /* jobs per iteration, >= 1 */
    double batch_tokens; /* prefill tokens per iteration, > 0 */
    double kv_budget;    /* bytes of KV cache, > 0 */
    enum edge_order order;
};

struct edge_server {
    struct sim *sim;
    const struct cost_table *table;
    struct edge_params params;
    uint32_t id;
    struct ring prefill, decode; /* waiting jobs (struct edge_job) of each kind, in order */
    struct edge_job *running;    /* the iteration's jobs */
    uint32_t nrunning, running_cap;
    bool busy;
    int64_t iteration_start;
    double kv_used;
    /* statistics */
    uint64_t iterations, jobs_done;
    int64_t busy_ns;
    bool extrapolated; /* some iteration needed the table outside its grid */
    int error;         /* sticky: -ENOMEM, or -ERANGE (an iteration too long to represent) */
    /* bookkeeping */
    uint64_t next_seq;            /* seq of the next submitted job */
    uint64_t kv_holders;          /* reservations not yet released */
    int64_t iteration_ns;         /* length of the iteration in progress */
    sim_event_handle start_event; /* pending iteration start, or 0 */
    sim_event_handle done_event;  /* pending iteration end, or 0 */
};

/* 0, -EINVAL (bad params) or -ENOMEM. */
int edge_init(struct edge_server *e, struct sim *sim, const struct cost_table *t, uint32_t id,
              const struct edge_params *p);
/* Frees the server and cancels its pending events (call it before sim_release or after: not
 * with the sim gone out of scope). */
void edge_release(struct edge_server *e);

/* Queues a job (copied); starts an iteration if the server is idle. 0, -E2BIG (a prefill whose
 * kv_bytes exceed the whole budget: refused, nothing queued), -EINVAL (a malformed job: not
 * from < to <= the table's layers, a prefill's tokens not > 0 or kv_bytes not >= 0, a decode's
 * context not > 0, or not finite; nothing queued) or -ENOMEM. */
int edge_submit(struct edge_server *e, const struct edge_job *job);

/* Frees a finished request's KV reservation; starts an iteration if jobs were waiting for it.
 * Releasing more reservations than were taken is a programmer error (aborts). When the last
 * reservation is released kv_used is set to exactly 0 (no rounding residue). */
void edge_release_kv(struct edge_server *e, double kv_bytes);

/* Jobs waiting (not in an iteration). */
static inline uint64_t edge_waiting(const struct edge_server *e)
{
    return ring_len(&e->prefill) + ring_len(&e->decode);
}

/* Jobs in the iteration in progress (0 when idle). */
static inline uint32_t edge_batch(const struct edge_server *e)
{
    return e->busy ? e->nrunning : 0;
}

/* The length of an iteration running `jobs` (for tests and predictions), ns >= 1; -ERANGE when
 * it cannot be represented (beyond COST_TIME_NS_MAX, only far outside the table's grids: the
 * server then fails with -ERANGE rather than simulate a clamped time). */
int64_t edge_iteration_ns(const struct cost_table *t, const struct edge_job *jobs, uint32_t n,
                          bool *extrapolated);

#endif
