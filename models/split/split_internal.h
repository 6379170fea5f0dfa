/*
 * split_internal — what the parts of the split model share, and nothing else includes.
 *
 * The model is one concept in several files (models/split/split.h is its public face):
 *   inputs.c      the tables, architecture, quality source and trace a run loads once
 *   flow.c        the request flow: arrivals, decisions, the UE's processor, the edge, the end
 *                 of a request; setting up and releasing a replication
 *   transfer.c    the uplink (bursts through the shared cell, HARQ rounds, erasures) and the
 *                 downlink (tokens resent until received)
 *   predict.c     the predictor behind every true evaluation (the oracle) and the UE's own
 *                 estimates, and the scenario's reward
 *   layout.c      the results tables: column enums and layouts, the rows they get
 *   statistics.c  per-metric values, exact percentiles and intervals, /summary
 *
 * Invariants: functions here are called only with a live model (between split_init and
 * split_release); split_fail keeps the first error and stops the simulation.
 */
#ifndef SPLITSIM_MODELS_SPLIT_INTERNAL_H
#define SPLITSIM_MODELS_SPLIT_INTERNAL_H

#include <math.h>

#include "models/split/split.h"
#include "sim/simtime.h"

#define SPLIT_SLAB_REQUESTS 1024 /* requests allocated at once (their addresses never move) */
#define SPLIT_PRIO_SAMPLE                                                                          \
    (-10) /* the time-series sampler sees the state before same-time events                        \
           */

/* Weight of a request's erased fraction in its UE's running estimate (an exponentially weighted
 * mean over about the last 1 / 0.1 = 10 hidden states): what a policy sees as `erasure` on a
 * fading channel. A modelling choice, not a measured value. */
#define SPLIT_ERASURE_EWMA_WEIGHT 0.1
/* Per packet, how much of the UE's packet-loss estimate survives (memory of about 100 packets):
 * the predictor's recent loss fraction. A modelling choice. */
#define SPLIT_LOSS_MEMORY_PER_PACKET 0.99
/* The oracle's queue-wait estimate counts half an iteration for the one running: the mean
 * residual time of an iteration of fixed length seen at a random instant (renewal theory). */
#define SPLIT_RUNNING_ITERATION_LEFT 0.5

/* ---- the results tables (layout.c) ---- */

enum split_request_column {
    RQ_REPLICATION,
    RQ_ID,
    RQ_UE,
    RQ_CLASS,
    RQ_SERVER,
    RQ_SPLIT,
    RQ_STATUS,
    RQ_PROMPT,
    RQ_OUTPUT,
    RQ_ARRIVAL,
    RQ_FIRST,
    RQ_DONE,
    RQ_TTFT,
    RQ_TPOT,
    RQ_LATENCY,
    RQ_SNR,
    RQ_BYTES_UP,
    RQ_BYTES_DOWN,
    RQ_AIR_UP,
    RQ_AIR_DOWN,
    RQ_RETX,
    RQ_ERASURE,
    RQ_QUALITY,
    RQ_E_COMPUTE,
    RQ_E_RADIO,
    RQ_EDGE_WAIT,
    RQ_EDGE_COMPUTE,
    RQ_UE_COMPUTE,
    RQ_DEADLINE,
    RQ_REWARD,
    RQ_MEASURED,
    RQ_COUNT_
};

/* /decisions: these, then one predicted_kK column per candidate k when the policy predicts. */
enum split_decision_column {
    DC_REPLICATION,
    DC_ID,
    DC_UE,
    DC_TIME,
    DC_SNR,
    DC_ERASURE,
    DC_EDGE_LOAD,
    DC_SPLIT,
    DC_EVALUATIONS,
    DC_ORACLE_SPLIT,
    DC_ORACLE_REWARD,
    DC_CHOSEN_REWARD,
    DC_PREDICTED_FIRST /* predicted_k<k_min> */
};

enum split_ts_edge_column {
    TSE_REPLICATION,
    TSE_TIME,
    TSE_SERVER,
    TSE_WAITING,
    TSE_BATCH,
    TSE_KV,
    TSE_COUNT_
};
enum split_ts_snr_column {
    TSS_REPLICATION,
    TSS_TIME,
    TSS_UE,
    TSS_SNR,
    TSS_DISTANCE,
    TSS_SHADOWING,
    TSS_LOS,
    TSS_COUNT_
};
enum split_ts_cell_column { TSC_REPLICATION, TSC_TIME, TSC_UPLINKS, TSC_REQUESTS, TSC_COUNT_ };
enum split_ue_column {
    UEC_REPLICATION,
    UEC_UE,
    UEC_CLASS,
    UEC_REQUESTS,
    UEC_ENERGY,
    UEC_DEPLETED,
    UEC_DISTANCE,
    UEC_SHADOWING,
    UEC_LOS,
    UEC_COUNT_
};

/* A finished request's outcome, as recorded. */
struct split_outcome {
    double ttft, tpot, latency, erasure, quality, reward;
    int deadline;  /* 1 met, 0 missed, -1 no deadline */
    bool measured; /* finished, and arrived at or after the warm-up: in the statistics */
};

/* Its /requests row (when requests are recorded and this one is sampled). */
void split_write_request(struct split_model *m, const struct split_request *r, int status,
                         int64_t done, const struct split_outcome *o);

/* What the policy's callbacks need to know about the request being decided. */
struct decide_arg {
    struct split_model *m;
    struct split_ue *ue;
    uint32_t server;
    double snr_true; /* linear; the channel now */
    double p_erasure;
};

/* Its /decisions row: what the policy saw and chose, and the oracle's best. */
void split_record_decision(struct split_model *m, const struct split_request *r,
                           struct decide_arg *a, uint64_t evaluations);

/* ---- prediction (predict.c) ---- */

struct split_pred {
    double ttft, tpot, latency, energy, erasure, quality;
};

void split_predict(const struct split_model *m, const struct split_ue *ue, uint32_t server,
                   uint32_t prompt, uint32_t output, uint32_t k, double snr, double p_erasure,
                   bool state, double edge_load, struct split_pred *out);
double split_quality_of_k(const struct split_model *m, uint32_t k, double e);
double split_reward_of(const struct split_model *m, uint32_t k, double quality, double ttft,
                       double tpot, double latency, double energy);
/* The policy callbacks (struct pol_ctx); `arg` is a struct decide_arg. */
double split_oracle(void *arg, const struct pol_obs *obs, uint32_t k);
double split_oracle_quality(void *arg, const struct pol_obs *obs, uint32_t k);
double split_estimate_latency(void *arg, const struct pol_obs *obs, uint32_t k);

/* ---- the flow (flow.c) and transfers (transfer.c) ---- */

void split_request_finish(struct split_model *m, struct split_request *r, int status);
void split_ue_spend(struct split_model *m, struct split_ue *ue, double joules);
double split_ue_snr(struct split_model *m, struct split_ue *ue, const struct chan_params *p,
                    int64_t t, double share);
/* The same, reusing *mean, the SNR without small-scale fading (< 0: not known yet), which it
 * sets; a moving UE's is recomputed every time (its distance changes). For the packets of one
 * burst: one path-loss and noise computation, a fading evaluation per packet. */
double split_ue_snr_at(struct split_model *m, struct split_ue *ue, const struct chan_params *p,
                       int64_t t, double share, double *mean);
void split_edge_submit(struct split_model *m, struct split_request *r, enum edge_job_kind kind);
int split_ue_enqueue(struct split_model *m, struct split_ue *ue, struct split_request *r);
void split_uplink_start(struct split_model *m, struct split_request *r, double bytes, bool reliable,
                        bool hidden);
void split_downlink_attempt(struct sim *sim, void *obj, uint64_t data);
void split_link_failed(struct split_model *m, struct split_request *r);

/* ---- statistics (statistics.c) ---- */

int split_values_push(struct split_values *v, double x);

/* ---- small shared helpers ---- */

static inline void split_fail(struct split_model *m, int rc)
{
    if (!m->error)
        m->error = rc;
    sim_stop(m->sim);
}

static inline bool split_fading(const struct split_model *m)
{
    return m->par->link.fading;
}

/* A time from a cost table in ns (at least 1); -1 when it cannot be represented (beyond
 * COST_TIME_NS_MAX, reached only by extrapolating far outside a table's grids): never clamped. */
static inline int64_t split_ms_to_ns(double ms)
{
    double ns = round(ms * 1e6);
    if (!(ns <= COST_TIME_NS_MAX)) /* also NaN */
        return -1;
    return ns >= 1 ? (int64_t)ns : 1;
}

#endif
