/*
 * split — the split-inference system: many UEs in one cell, each request cut at decoder block k,
 * played out event by event (model: split).
 *
 * Concept (docs/ARCHITECTURE.md has the picture). A request arrives at a UE with N prompt and M
 * output tokens and split k in [0, L] (L decoder blocks; cost-table layers are 0 = embedding,
 * 1..L = blocks, L + 1 = final norm and LM head):
 *   1. the UE runs layers [0, k] for the N prompt tokens on its own processor (one job at a time,
 *      FIFO over its requests), energy = device power x time;
 *   2. the hidden state (N x d values at the chosen precision: 2, 1 or 0.5 bytes) goes up: cut
 *      into equal packets (<= packet_size), sent through the cell's shared uplink in bursts of
 *      one link-adaptation interval's worth at the rate link adaptation picks for the SNR at
 *      the burst's start (with the bandwidth share it would get; a packet may straddle bursts,
 *      and is lost if any fragment is); each packet (fragment) is lost with the channel's
 *      packet-error probability at the SNR in the middle of its airtime; a round's lost packets
 *      are resent after the HARQ round-trip time, up to harq_max times, after which their
 *      values count as erased (a contiguous run per packet);
 *   3. the edge server (the one with the fewest requests in progress) runs layers [k+1, L+1] for
 *      the prompt in its continuous-batching loop (models/edge/edge.h), reserving the request's KV
 *      cache; the first token goes back on the downlink (tokens are resent until received):
 *      time to first token (TTFT);
 *   4. each further token: the UE runs layers [0, k] for one token at its context, one token's
 *      hidden state goes up, the edge runs the rest batched with other requests' steps, the token
 *      comes back; TPOT = (done - first token) / (M - 1).
 * k = 0: the prompt's token ids go up (reliably) and the whole model runs on the edge, which then
 * decodes without waiting for the UE (tokens stream down). k = L: everything runs on the UE and
 * nothing is sent. channel.model: erasure replaces step 2 by the paper's abstraction: each value
 * is erased with probability p (binomial count), at a fixed rate or instantly.
 * The request's quality is PPL(k, e) / PPL_0 from the quality table (or the documented
 * assumption) at its erasure fraction e = erased bytes / hidden-state bytes sent.
 *
 * Streams: per UE u, arrivals (ARRIVAL, u), token counts (WORKLOAD, u), fading and shadowing
 * (FADING, u), position (MOBILITY, u), packet-loss draws (LINK, u). The fading realisation
 * does not depend on when it is queried, so changing the split never changes a UE's arrivals,
 * sizes, position or fading.
 *
 * Token ids (the prompt's with k = 0, and every token coming back) are resent until received, up
 * to channel.max_rounds tries; a token that does not get through ends the request as a
 * radio-link failure (status 2), as a real link would drop the connection.
 *
 * Invariants: arrival <= first token <= done; each request is finished exactly once (done;
 * refused when its KV cache exceeds the server's whole budget; or failed); every KV reservation
 * is released; a UE's compute jobs run one at a time in FIFO order.
 */
#ifndef SPLITSIM_MODELS_SPLIT_H
#define SPLITSIM_MODELS_SPLIT_H

#include <stdbool.h>
#include <stdint.h>

#include "models/llm/arch.h"
#include "models/radio/cell.h"
#include "models/radio/channel.h"
#include "models/llm/cost.h"
#include "models/edge/edge.h"
#include "models/radio/mobility.h"
#include "models/policy/policy.h"
#include "models/llm/qtable.h"
#include "models/llm/quality.h"
#include "models/llm/specfile.h"
#include "models/split/trace.h"
#include "results/rec.h"
#include "scn/scn.h"
#include "sim/ring.h"
#include "sim/rng.h"
#include "sim/sim.h"
#include "sim/stats.h"

enum split_arrival { SPLIT_ARRIVAL_POISSON, SPLIT_ARRIVAL_PERIODIC, SPLIT_ARRIVAL_TRACE };
enum split_tokens { SPLIT_TOKENS_FIXED, SPLIT_TOKENS_UNIFORM, SPLIT_TOKENS_GEOMETRIC };
enum split_latency_metric { SPLIT_METRIC_TTFT, SPLIT_METRIC_TPOT, SPLIT_METRIC_LATENCY };

/* The link as the request flow sees it (the radio itself is struct chan_params). */
struct split_link_params {
    bool fading;                    /* fading channel; else the paper's erasure channel */
    double erasure_probability;     /* erasure channel: p (or its lower end) */
    double erasure_probability_max; /* > erasure_probability: p drawn per request */
    double erasure_rate_bps;        /* erasure channel: rate; 0 = instant */
    double token_bytes;             /* a token id on the link */
    double packet_bytes;            /* payload per packet */
    double harq_rtt_s;              /* before a retransmission round */
    int64_t adaptation_ns;          /* link-adaptation interval: the longest uplink burst */
    uint64_t harq_max;              /* retransmissions of a hidden-state packet */
    uint64_t max_rounds;            /* tries for a token id */
};

/* The scenario's reward: weights and references (docs/POLICIES.md). */
struct split_reward_params {
    double quality, ue_load, latency, energy, edge_load, deadline;
    double latency_ref_s, energy_ref_j;
    enum split_latency_metric latency_metric;
};

/* Every scenario value a replication of the split model needs, bound once from the scenario
 * (split_params_bind): a replication is built from these and the loaded tables alone, and the
 * flow, the predictor and the transfers read nothing else. */
struct split_params {
    enum split_arrival arrival;
    double rate_per_s; /* per UE */
    enum split_tokens tokens;
    uint64_t prompt_tokens, output_tokens; /* means */
    double deadline_s;                     /* 0: none */
    double battery_j;                      /* 0: unlimited */
    enum quality_precision precision;      /* of the hidden state sent */
    struct split_link_params link;
    uint64_t batch_max; /* edge.batch_max (the load a UE may see is relative to it) */
    bool edge_load_visible;
    struct split_reward_params reward;
    uint64_t record_every;    /* record every n-th request */
    uint64_t record_snr_ues;  /* UEs in /timeseries/snr */
    double record_interval_s; /* time-series sampling; 0: none */
    /* the world a replication builds */
    uint64_t seed;
    double duration_s, warmup_s;
    uint32_t nues, nservers;
    double value_bytes;          /* bytes per hidden-state value sent (2, 1, 0.5) */
    double tx_draw_w, rx_draw_w; /* electrical power while transmitting, receiving */
    struct mobility_params mob;
    double cell_bandwidth_hz, cell_share;
    enum cell_sharing cell_sharing;
    struct edge_params edge;
    /* the policies */
    uint32_t k_min, k_max;    /* candidate splits: [min_split, max_split] within [0, L] */
    uint32_t fixed_k;         /* split.layer */
    const char *policy_name;  /* policy.name (the default policy) */
    struct pol_config policy; /* every policy's configuration but its stream and diag */
    double evaluation_cost_s; /* what one true evaluation costs */
    const char *ue_cost_table, *edge_cost_table; /* files named, or "" (derived) */
};

/* Binds the scenario's values (explicit mappings, no enum cast by position); the candidate
 * splits and the policy configuration's block count need L (blocks): 0 until
 * split_inputs_load sets them. */
void split_params_bind(const struct scn *s, uint32_t blocks, struct split_params *p);

/* What a run loads once and every replication shares: tables, architecture, trace. */
struct split_inputs {
    struct split_params par;
    struct arch_spec arch_file; /* when llm.model is a file */
    const struct arch *arch;
    struct cost_table ue_table, edge_table; /* ue_table: UE class 0 */
    struct cost_table *ue_classes;          /* classes 1 .. nclasses - 1 (ues.classes) */
    uint32_t nclasses;                      /* >= 1 */
    /* the fleet (docs/MODELS.md): UE u is of class ue_class[u] (without ues.classes: 0; plain
     * entries: u mod n; with fractions: sim/apportion's counts and order) */
    uint32_t *ue_class;     /* [par.nues] */
    uint64_t *class_ues;    /* [nclasses]: its UEs */
    double *class_fraction; /* [nclasses]: the share asked: its fraction; 1/n for plain entries */
    struct qtable qtable;
    bool have_qtable;
    const struct quality_model *assumed; /* used when there is no quality table */
    struct trace trace;
    uint32_t blocks, nlayers;    /* L, L + 2 */
    struct chan_params up, down; /* uplink (UE -> base station) and downlink */
    const char *quality_source;
    /* the perplexity ratio a destroyed model saturates at (the assumed model's ceiling at the
     * hidden state's precision); +infinity with a measured quality table (no ceiling) */
    double quality_ceiling;
};

/* The cost table of UE u (its class). */
const struct cost_table *split_ue_table(const struct split_inputs *in, uint32_t ue);

/* The cost table of class c (< in->nclasses), and the device the scenario names for it (a
 * catalogue name or a resolved file path; without ues.classes ues.device, or with
 * ues.cost_table the device that table names). */
const struct cost_table *split_class_table(const struct split_inputs *in, uint32_t c);
const char *split_class_device(const struct split_inputs *in, const struct scn *s, uint32_t c);

/* 0, or -EINVAL / -ENOMEM with messages (positioned at the scenario key) in d. */
int split_inputs_load(struct split_inputs *in, const struct scn *s, struct diag *d);
void split_inputs_release(struct split_inputs *in);

enum split_status {
    SPLIT_DONE = 0,
    SPLIT_REFUSED = 1,     /* its KV cache exceeds the server's whole budget */
    SPLIT_LINK_FAILED = 2, /* a token id could not be delivered in channel.max_rounds tries */
};

struct split_model;

struct split_request {
    struct split_model *m;
    struct split_request *next_free;
    uint64_t id;
    uint32_t ue, server, k;
    uint32_t prompt, output;
    double p_erasure;       /* erasure channel: this request's p */
    struct pol_obs obs;     /* what the policy saw */
    double expected_reward; /* the oracle's value of the chosen k */
    uint32_t edge_tokens;   /* tokens the edge has produced */
    uint32_t received;      /* tokens the UE has (produced on the UE or received) */
    int64_t arrival, first_token;
    double snr_db; /* wideband SNR at arrival (what the UE could estimate) */
    double kv_bytes;
    bool edge_busy;       /* a job of this request is at the edge */
    uint32_t dl_inflight; /* tokens on their way down */
    bool failed;          /* radio-link failure: finish when nothing is in flight */
    /* accounting */
    double bytes_up, bytes_down, hidden_bytes, erased_bytes;
    int64_t airtime_up, airtime_down, ue_compute, edge_wait, edge_compute;
    uint32_t retransmissions;
    double energy_compute, energy_radio;
    /* the uplink transfer in progress */
    double tx_packet_bytes;
    double tx_round_bits; /* bits of the round (its packets) */
    double tx_pos;        /* bits of the round sent before the burst in the air */
    double tx_burst_bits; /* bits of the burst in the air */
    uint32_t tx_lost;     /* packets of the round lost so far */
    bool tx_frag_lost;    /* the packet straddling into the next burst already lost a fragment */
    uint32_t tx_round;    /* 0: first transmission; then HARQ rounds */
    bool tx_reliable, tx_hidden;
    int64_t tx_start;
    double tx_share;
    struct chan_selection tx_sel;
};

/* Erased fractions a UE remembers, for the expected quality of a split. */
#define SPLIT_LARGE_SCALE_STEPS 100 /* per smallest decorrelation distance (large_scale_step_ns) */
#define SPLIT_ERASURE_HISTORY 32

struct split_ue {
    uint32_t id;
    struct rng arrivals, workload, loss;
    struct chan_link link;
    struct mobility mob;
    struct ring jobs; /* FIFO of requests (struct split_request *) waiting for the processor */
    bool busy;
    double energy; /* used so far, J */
    bool depleted;
    int64_t depleted_at;
    uint64_t requests;
    double distance0;
    double shadow0_db;      /* its shadowing at its initial position */
    int64_t large_scale_at; /* a moving UE: when its large-scale state was last brought up */
    bool los0;         /* in line of sight at its initial position */
    uint32_t last_k;     /* previous split (policy.min_split before the first) */
    double erasure_ewma; /* recent erased fraction of its hidden states */
    double loss_ewma;    /* recent packet-loss fraction of its uplink bursts */
    double erasure_hist[SPLIT_ERASURE_HISTORY]; /* its last erased fractions (a ring) */
    uint32_t erasure_n;                         /* how many it has seen */
};

/* Per-metric values of the measured requests (for exact percentiles). */
enum split_metric {
    SM_TTFT,
    SM_TPOT,
    SM_LATENCY,
    SM_EDGE_WAIT,
    SM_EDGE_COMPUTE,
    SM_UE_COMPUTE,
    SM_ENERGY_COMPUTE,
    SM_ENERGY_RADIO,
    SM_ENERGY,
    SM_BYTES_UP,
    SM_AIRTIME_UP,
    SM_RETRANSMISSIONS,
    SM_ERASURE,
    SM_QUALITY,
    SM_DEADLINE_MET,
    SM_REWARD,
    SM_COUNT_
};

struct split_values {
    double *v;
    size_t n, cap;
};

/* What the replications of a run accumulate: every measured request's metric values, in
 * completion order, and where each replication's values start. Every measured request has a
 * quality and a reward, so metric[SM_QUALITY] and metric[SM_REWARD] hold one value per measured
 * request each, in the same order. */
struct split_rep_totals {
    size_t start[SM_COUNT_];
    uint64_t decisions, evaluations;
    uint64_t arrived, finished, refused, failed, measured;
    uint32_t split_lo, split_hi; /* the least and greatest k chosen (lo > hi: no request) */
    double end_s;
};

struct split_results {
    struct split_values metric[SM_COUNT_];
    struct split_rep_totals *reps;
    size_t nreps, cap;
};

void split_results_release(struct split_results *r);

struct split_recorders {
    struct rec_table *requests;  /* NULL: not recorded */
    struct rec_table *decisions; /* NULL: not recorded; made with split_decision_columns */
    struct rec_table *ts_edge, *ts_snr, *ts_cell;
    struct rec_table *ues;
};

struct split_model {
    struct sim *sim;
    struct chan_area area; /* the cell's large-scale fields (shadowing, LOS state) */
    /* A moving UE's path loss, LOS state and shadowing are those of its position at the last
     * multiple of this step: the time the fastest UE takes to travel 1/SPLIT_LARGE_SCALE_STEPS
     * of the smallest decorrelation distance in use (docs/MODELS.md; a pure function of time, so
     * common random numbers hold, and each query costs no field evaluation in between). */
    int64_t large_scale_step_ns;
    const struct split_params *par; /* in->par */
    const struct split_inputs *in;
    uint32_t replication;
    struct split_recorders rec;
    int64_t duration, warmup;
    struct chan_params up, down;
    struct mobility_params mob;
    struct cell cell;
    struct edge_server *servers;
    uint32_t nservers;
    uint32_t *outstanding; /* per server: requests in progress */
    struct split_ue *ues;
    uint32_t nues;
    double value_bytes; /* bytes per hidden-state value sent */
    double ue_power_w;  /* compute power of class 0 (see split_ue_table) */
    double tx_draw_w, rx_draw_w;
    size_t trace_next;
    /* requests: slab allocation with a free list (stable addresses) */
    struct split_request **slabs;
    size_t nslabs;
    struct split_request *free_list;
    uint64_t next_id, in_progress;
    /* results */
    struct split_results *res;
    struct split_rep_totals *totals; /* this replication's entry in res */
    struct policy policy;
    struct rng policy_rng;
    uint32_t k_min, k_max; /* candidate splits */
    double *pred;          /* [k_max - k_min + 1]: the policy's predictions */
    bool extrapolated_ue;
    int64_t last_done;
    int error;
};

/* Prepares replication `replication`; schedules the first arrivals (and the time-series
 * sampler). Recorder tables in `rec` may be NULL; measured values accumulate in `res`.
 * 0 or -ENOMEM. */
int split_init(struct split_model *m, struct sim *sim, const struct split_inputs *in,
               uint32_t replication, const struct split_recorders *rec, struct split_results *res,
               const struct pol_type *policy, const char **why);

/* Checks that policy `policy` (NULL: policy.name) can be set up for this scenario (e.g. that
 * its weights file loads), before anything is simulated. 0, or -EINVAL / -ENOMEM with messages
 * in d, placed at the scenario key responsible (the one use of `s`: where to point). */
int split_policy_check(const struct scn *s, const struct split_inputs *in,
                       const struct pol_type *policy, struct diag *d);

/* The run's first error: the model's, or an edge server's (0 when none). -ENOMEM: out of
 * memory; -EIO: the results file; -ERANGE: a time from the cost tables too long to represent. */
int split_error(const struct split_model *m);

/* Ends the replication: the policy's finish hook (e.g. saving learned weights). 0, or a
 * negative errno with a message in *why. */
int split_finish(struct split_model *m, const char **why);

/* Columns of /decisions for a run whose policy predicts (`predictions`: one column per
 * candidate k_min..k_max) or not. Caller frees with split_decision_columns_free. */
struct rec_column *split_decision_columns(const struct split_inputs *in, bool predictions,
                                          size_t *n);
void split_decision_columns_free(struct rec_column *cols, size_t n);

/* Writes the per-UE rows of the replication (after sim_run). */
int split_record_ues(struct split_model *m);

/* The UE classes of a run (scenario s, inputs in): the table /classes (class, ues, fraction)
 * and its attributes: `classes` (the devices joined by ','), `assignment` (the rule), and per
 * class c `device_<c>`, `cost_table_<c>`, `cost_method_<c>` and `cost_source_<c>` (where its
 * cost table came from). rec's error, or -ENOMEM. */
int split_record_classes(struct rec *rec, const struct split_inputs *in, const struct scn *s);

/* The devices of the classes joined by ',' (the `classes` attribute of /classes, /ues and
 * /requests), malloc'd; NULL when out of memory. */
char *split_class_names(const struct split_inputs *in, const struct scn *s);

void split_release(struct split_model *m);

/* Table layouts. */
extern const struct rec_column split_request_columns[];
extern const size_t split_request_column_count;
extern const struct rec_column split_ts_edge_columns[];
extern const size_t split_ts_edge_column_count;
extern const struct rec_column split_ts_snr_columns[];
extern const size_t split_ts_snr_column_count;
extern const struct rec_column split_ts_cell_columns[];
extern const size_t split_ts_cell_column_count;
extern const struct rec_column split_ue_columns[];
extern const size_t split_ue_column_count;

/* Statistics of one metric over the measured requests of all replications: the mean and the
 * percentiles pool every request; ci95 is the half-width for the mean (see split_stat_compute);
 * pXX_ci95 the Student-t half-width over the replications' own pXX (NaN below two replications
 * with values). */
struct split_stat {
    uint64_t n;
    double mean, ci95, p50, p95, p99;
    double p50_ci95, p95_ci95, p99_ci95;
    bool ci95_short; /* one replication too short for a valid batch-means ci95 (sim/batchmeans) */
};

/* Names, units and descriptions of the metrics (index = enum split_metric). */
extern const struct rec_column split_metric_info[SM_COUNT_];

/*
 * The percentile of every statistic here, in C and in the readers (tools/, docs/RESULTS.md):
 * with the n values sorted, x[0] <= ... <= x[n - 1], the fraction-p quantile is
 *     h = (n - 1) p,  x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h])
 * computed in that order (tools/octave/splitsim_percentile.m does the same operations; numpy's
 * default agrees to the last bit or two): linear interpolation between order statistics,
 * Hyndman and Fan's type 7, numpy's and R's default; not Octave's or MATLAB's prctile. NaN for
 * n = 0.
 */
double split_percentile_sorted(const double *sorted, size_t n, double p);

/* Pools the replications' values of metric `k` and computes its statistics (exact
 * percentiles); the 95 % interval of the mean is a Student t over replication means when there
 * are two or more replications, over 20 batch means of the one replication otherwise; the
 * percentiles' intervals are Student t over the replications' own percentiles (two or more
 * replications with values; NaN otherwise). Sorts copies. */
int split_stat_compute(const struct split_results *res, enum split_metric k,
                       struct split_stat *out);

/* Measured requests of replication `rep` (every replication: rep = SIZE_MAX) whose perplexity
 * ratio is at or above `ceiling`. */
uint64_t split_at_ceiling(const struct split_results *res, size_t rep, double ceiling);

/* The least and greatest split chosen over every replication (*lo > *hi when no request). */
void split_chosen_range(const struct split_results *res, uint32_t *lo, uint32_t *hi);

/* Writes /summary (one group per metric with n, mean, ci95, p50, p95, p99 and their intervals,
 * plus run totals) and the quality provenance; fills stats[SM_COUNT_]. */
int split_record_summary(struct rec *r, const char *group, const struct split_inputs *in,
                         const struct split_results *res, struct split_stat *stats);

#endif
