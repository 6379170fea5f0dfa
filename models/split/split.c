#include "models/split/split.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "models/llm/derive.h"
#include "models/llm/device.h"

#define SLAB_REQUESTS 1024
#define PRIO_SAMPLE   (-10) /* the time-series sampler sees the state before same-time events */

/* ---- inputs ------------------------------------------------------------------------------- */

static void fill_channel(const struct scn *s, struct chan_params *up, struct chan_params *down)
{
    static const enum chan_fading fading[] = {CHAN_FADING_NONE, CHAN_FADING_RAYLEIGH,
                                              CHAN_FADING_RICIAN, CHAN_FADING_NAKAGAMI};
    const struct scn_channel *c = &s->channel;
    *up = (struct chan_params){
        .carrier_hz = c->carrier_hz,
        .bandwidth_hz = s->cell.bandwidth_hz,
        .tx_power_dbm = c->tx_power_dbm,
        .noise_psd_dbm_hz = c->noise_psd_dbm_hz,
        .noise_figure_db = c->noise_figure_db,
        .pathloss =
            c->pathloss == SCN_PATHLOSS_UMI ? CHAN_PATHLOSS_UMI : CHAN_PATHLOSS_LOG_DISTANCE,
        .pathloss_ref_db = c->pathloss_ref_db,
        .pathloss_exponent = c->pathloss_exponent,
        .bs_height_m = c->bs_height_m,
        .ue_height_m = c->ue_height_m,
        .shadowing_db = c->shadowing_db,
        .fading = fading[c->fading],
        .rician_k = c->rician_k,
        .nakagami_m = c->nakagami_m,
        .speed_mps = c->speed_mps,
        .coherence_ns = sim_time_from_s(c->coherence_s),
        .snr_gap_db = c->snr_gap_db,
        .rate = c->rate == SCN_RATE_MCS ? CHAN_RATE_MCS : CHAN_RATE_SHANNON,
        .margin_db = c->margin_db,
    };
    if (up->coherence_ns < 1)
        up->coherence_ns = 1;
    *down = *up;
    down->tx_power_dbm = c->bs_tx_power_dbm;
    down->bandwidth_hz = s->cell.downlink_bandwidth_hz;
}

/* Loads or derives one side's cost table. */
static int load_table(struct cost_table *t, const struct scn *s, const struct arch *arch,
                      const char *table_key, const char *table_file, const char *device_key,
                      const char *device_name, uint32_t nlayers, struct diag *d)
{
    size_t before = diag_error_count(d);
    int rc;
    if (*table_file) {
        rc = cost_load(t, table_file, d);
        if (rc < 0) {
            scn_error_at(s, d, table_key, "%s: cannot use cost table '%s' (see above)", table_key,
                         table_file);
            return rc;
        }
    } else {
        const struct device *dev = device_find(device_name);
        struct device_spec spec;
        bool have_spec = false;
        if (!dev) {
            if (device_spec_load(&spec, device_name, d) < 0) {
                scn_error_at(s, d, device_key, "%s: cannot use device file '%s' (see above)",
                             device_key, device_name);
                return -EINVAL;
            }
            dev = &spec.device;
            have_spec = true;
        }
        rc = cost_derive(t, arch, dev, "splitsim run (derived from the scenario)", "run time");
        if (have_spec)
            device_spec_release(&spec);
        if (rc < 0) {
            if (diag_error_count(d) == before)
                diag_error(d, "out of memory deriving a cost table");
            return rc;
        }
        char what[160];
        if (cost_check_times(t, what, sizeof what) < 0) {
            scn_error_at(s, d, device_key,
                         "%s: the roofline of %s on '%s' gives %s; expected at most %g ms (one "
                         "day) for one layer: the device is too slow for this model",
                         device_key, arch->name, device_name, what, COST_MAX_MS);
            cost_release(t);
            return -EINVAL;
        }
    }
    if (*table_file && t->model && strcmp(t->model, s->llm.model) != 0 && t->nlayers == nlayers) {
        const char *path = table_key;
        for (size_t i = 0; i < s->norigins; i++)
            if (strcmp(s->origins[i].path, path) == 0)
                diag_report(d, DIAG_WARNING, s->origins[i].src, s->origins[i].line,
                            s->origins[i].col,
                            "%s: the table was made for model '%s', the scenario's llm.model is "
                            "'%s' (same number of layers: used as given)",
                            path, t->model, s->llm.model);
    }
    if (t->nlayers != nlayers) {
        scn_error_at(s, d, *table_file ? table_key : device_key,
                     "%s: the cost table has %" PRIu32 " layers; llm.model %s needs %" PRIu32
                     " (embedding, %" PRIu32 " blocks, head)",
                     *table_file ? table_key : device_key, t->nlayers, s->llm.model, nlayers,
                     nlayers - 2);
        cost_release(t);
        return -EINVAL;
    }
    return 0;
}

int split_inputs_load(struct split_inputs *in, const struct scn *s, struct diag *d)
{
    memset(in, 0, sizeof *in);
    in->arch = arch_find(s->llm.model);
    if (!in->arch) {
        if (arch_spec_load(&in->arch_file, s->llm.model, d) < 0) {
            scn_error_at(s, d, "llm.model", "llm.model: cannot use '%s' (see above)", s->llm.model);
            return -EINVAL;
        }
        in->arch = &in->arch_file.arch;
    }
    in->blocks = in->arch->layers;
    in->nlayers = in->blocks + 2;
    fill_channel(s, &in->up, &in->down);
    const char *why = chan_params_check(&in->up);
    if (why) {
        scn_error_at(s, d, "channel.model", "channel: %s", why);
        split_inputs_release(in);
        return -EINVAL;
    }
    in->nclasses = 1;
    const char *first = s->ues.device;
    char *first_class = NULL;
    if (*s->ues.classes) {
        const char *comma = strchr(s->ues.classes, ',');
        first_class = strndup(s->ues.classes,
                              comma ? (size_t)(comma - s->ues.classes) : strlen(s->ues.classes));
        if (!first_class)
            return -ENOMEM;
        first = first_class;
        for (const char *c = s->ues.classes; *c; c++)
            in->nclasses += *c == ',';
    }
    int rc = load_table(&in->ue_table, s, in->arch, "ues.cost_table", s->ues.cost_table,
                        *s->ues.classes ? "ues.classes" : "ues.device", first, in->nlayers, d);
    free(first_class);
    if (rc == 0 && in->nclasses > 1) {
        in->ue_classes = calloc(in->nclasses - 1, sizeof *in->ue_classes);
        if (!in->ue_classes)
            rc = -ENOMEM;
        const char *v = strchr(s->ues.classes, ',') + 1;
        for (uint32_t i = 1; rc == 0 && i < in->nclasses; i++) {
            const char *comma = strchr(v, ',');
            char *name = strndup(v, comma ? (size_t)(comma - v) : strlen(v));
            rc = name ? load_table(&in->ue_classes[i - 1], s, in->arch, "ues.cost_table", "",
                                   "ues.classes", name, in->nlayers, d)
                      : -ENOMEM;
            free(name);
            if (rc < 0)
                in->nclasses = i; /* release what was loaded */
            v = comma ? comma + 1 : v + strlen(v);
        }
    }
    if (rc == 0)
        rc = load_table(&in->edge_table, s, in->arch, "edge.cost_table", s->edge.cost_table,
                        "edge.device", s->edge.device, in->nlayers, d);
    if (rc == 0 && *s->llm.quality_table) {
        rc = qtable_load(&in->qtable, s->llm.quality_table, d);
        if (rc < 0)
            scn_error_at(s, d, "llm.quality_table", "llm.quality_table: cannot use '%s'",
                         s->llm.quality_table);
        else
            in->have_qtable = true;
    }
    if (rc == 0 && s->workload.arrival == SCN_ARRIVAL_TRACE) {
        rc = trace_load(&in->trace, s->workload.trace, d);
        for (size_t i = 0; rc == 0 && i < in->trace.n; i++) {
            if (in->trace.v[i].ue >= s->ues.count) {
                scn_error_at(s, d, "workload.trace",
                             "workload.trace: request %zu of '%s' comes from UE %" PRIu32
                             "; expected UEs 0 .. %" PRIu64 " (ues.count)",
                             i + 1, s->workload.trace, in->trace.v[i].ue, s->ues.count - 1);
                rc = -EINVAL;
            }
        }
    }
    if (rc < 0) {
        split_inputs_release(in);
        return rc;
    }
    in->assumed = &quality_default;
    in->quality_source = in->have_qtable ? in->qtable.source : quality_default.source;
    return 0;
}

const struct cost_table *split_ue_table(const struct split_inputs *in, uint32_t ue)
{
    uint32_t c = in->nclasses > 1 ? ue % in->nclasses : 0;
    return c == 0 ? &in->ue_table : &in->ue_classes[c - 1];
}

void split_inputs_release(struct split_inputs *in)
{
    if (in->arch == &in->arch_file.arch)
        arch_spec_release(&in->arch_file);
    cost_release(&in->ue_table);
    for (uint32_t i = 1; in->ue_classes && i < in->nclasses; i++)
        cost_release(&in->ue_classes[i - 1]);
    free(in->ue_classes);
    cost_release(&in->edge_table);
    if (in->have_qtable)
        qtable_release(&in->qtable);
    trace_release(&in->trace);
    memset(in, 0, sizeof *in);
}

/* ---- table layouts -------------------------------------------------------------------------- */

enum {
    RQ_REPLICATION,
    RQ_ID,
    RQ_UE,
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
};

const struct rec_column split_request_columns[] = {
    [RQ_REPLICATION] = {"replication", REC_INT64, "1", "replication number"},
    [RQ_ID] = {"id", REC_INT64, "1", "request number within the replication, in arrival order"},
    [RQ_UE] = {"ue", REC_INT64, "1", "UE that sent the request"},
    [RQ_SERVER] = {"server", REC_INT64, "1", "edge server (-1: split = L, no edge work)"},
    [RQ_SPLIT] = {"split", REC_INT64, "1", "k: decoder blocks run on the UE"},
    [RQ_STATUS] =
        {"status", REC_INT64, "1",
         "0 done; 1 refused (its KV cache exceeds the server's whole budget); 2 radio-link "
         "failure (a token not through in channel.max_rounds tries)"},
    [RQ_PROMPT] = {"prompt_tokens", REC_INT64, "1", "prompt length"},
    [RQ_OUTPUT] = {"output_tokens", REC_INT64, "1", "tokens generated"},
    [RQ_ARRIVAL] = {"arrival_ns", REC_INT64, "ns", "arrival time"},
    [RQ_FIRST] = {"first_token_ns", REC_INT64, "ns", "time the UE had the first token"},
    [RQ_DONE] = {"done_ns", REC_INT64, "ns", "time the UE had the last token"},
    [RQ_TTFT] = {"ttft_s", REC_FLOAT64, "s", "time to first token"},
    [RQ_TPOT] = {"tpot_s", REC_FLOAT64, "s",
                 "time per output token after the first, (done - first) / (M - 1); NaN for M = 1"},
    [RQ_LATENCY] = {"latency_s", REC_FLOAT64, "s", "end-to-end: done - arrival"},
    [RQ_SNR] = {"snr_db", REC_FLOAT64, "dB",
                "wideband uplink SNR at arrival (what the UE can estimate); NaN for the erasure "
                "channel"},
    [RQ_BYTES_UP] = {"bytes_up", REC_FLOAT64, "B", "payload sent up (retransmissions excluded)"},
    [RQ_BYTES_DOWN] = {"bytes_down", REC_FLOAT64, "B", "payload sent down"},
    [RQ_AIR_UP] = {"airtime_up_s", REC_FLOAT64, "s", "time the UE spent transmitting"},
    [RQ_AIR_DOWN] = {"airtime_down_s", REC_FLOAT64, "s", "time the UE spent receiving"},
    [RQ_RETX] = {"retransmissions", REC_INT64, "1", "packets sent again (uplink and downlink)"},
    [RQ_ERASURE] = {"erasure", REC_FLOAT64, "1",
                    "fraction of the hidden-state bytes that arrived erased"},
    [RQ_QUALITY] = {"quality", REC_FLOAT64, "1",
                    "perplexity ratio PPL(k, erasure) / PPL_0 (1 = unharmed); see /summary "
                    "quality_source"},
    [RQ_E_COMPUTE] = {"energy_compute_j", REC_FLOAT64, "J", "UE compute energy"},
    [RQ_E_RADIO] = {"energy_radio_j", REC_FLOAT64, "J", "UE radio energy (transmit + receive)"},
    [RQ_EDGE_WAIT] = {"edge_wait_s", REC_FLOAT64, "s",
                      "time the request's jobs waited in the edge queue, summed"},
    [RQ_EDGE_COMPUTE] = {"edge_compute_s", REC_FLOAT64, "s",
                         "length of the edge iterations that ran the request's jobs, summed"},
    [RQ_UE_COMPUTE] = {"ue_compute_s", REC_FLOAT64, "s", "UE processor time for the request"},
    [RQ_DEADLINE] = {"deadline_met", REC_INT64, "1",
                     "1 if latency <= workload.deadline, 0 if not, -1 without a deadline"},
    [RQ_REWARD] = {"reward", REC_FLOAT64, "1", "realised reward with the scenario's weights"},
};
const size_t split_request_column_count = sizeof split_request_columns / sizeof(struct rec_column);

const struct rec_column split_ts_edge_columns[] = {
    {"replication", REC_INT64, "1", "replication number"},
    {"time_s", REC_FLOAT64, "s", "sampling time"},
    {"server", REC_INT64, "1", "edge server"},
    {"waiting", REC_INT64, "1", "jobs waiting (prefills and decode steps)"},
    {"batch", REC_INT64, "1", "jobs in the iteration running (0: idle)"},
    {"kv_used_bytes", REC_FLOAT64, "B", "KV cache reserved"},
};
const size_t split_ts_edge_column_count = 6;

const struct rec_column split_ts_snr_columns[] = {
    {"replication", REC_INT64, "1", "replication number"},
    {"time_s", REC_FLOAT64, "s", "sampling time"},
    {"ue", REC_INT64, "1", "UE"},
    {"snr_db", REC_FLOAT64, "dB", "wideband uplink SNR (whole cell bandwidth)"},
    {"distance_m", REC_FLOAT64, "m", "distance to the base station"},
};
const size_t split_ts_snr_column_count = 5;

const struct rec_column split_ts_cell_columns[] = {
    {"replication", REC_INT64, "1", "replication number"},
    {"time_s", REC_FLOAT64, "s", "sampling time"},
    {"uplinks", REC_INT64, "1", "uplink transfers sharing the cell"},
    {"requests", REC_INT64, "1", "requests in progress"},
};
const size_t split_ts_cell_column_count = 4;

const struct rec_column split_ue_columns[] = {
    {"replication", REC_INT64, "1", "replication number"},
    {"ue", REC_INT64, "1", "UE"},
    {"requests", REC_INT64, "1", "requests the UE sent"},
    {"energy_j", REC_FLOAT64, "J", "energy the UE used (compute + radio)"},
    {"depleted_s", REC_FLOAT64, "s", "time its battery ran out (NaN: never)"},
    {"distance_m", REC_FLOAT64, "m", "initial distance to the base station"},
    {"shadowing_db", REC_FLOAT64, "dB", "its log-normal shadowing (fading channel)"},
};
const size_t split_ue_column_count = 7;

const struct rec_column split_metric_info[SM_COUNT_] = {
    [SM_TTFT] = {"ttft_s", REC_FLOAT64, "s", "time to first token"},
    [SM_TPOT] = {"tpot_s", REC_FLOAT64, "s", "time per output token (requests with M > 1)"},
    [SM_LATENCY] = {"latency_s", REC_FLOAT64, "s", "end-to-end latency"},
    [SM_EDGE_WAIT] = {"edge_wait_s", REC_FLOAT64, "s", "edge queue wait per request"},
    [SM_EDGE_COMPUTE] = {"edge_compute_s", REC_FLOAT64, "s", "edge iteration time per request"},
    [SM_UE_COMPUTE] = {"ue_compute_s", REC_FLOAT64, "s", "UE processor time per request"},
    [SM_ENERGY_COMPUTE] = {"energy_compute_j", REC_FLOAT64, "J", "UE compute energy"},
    [SM_ENERGY_RADIO] = {"energy_radio_j", REC_FLOAT64, "J", "UE radio energy"},
    [SM_ENERGY] = {"energy_j", REC_FLOAT64, "J", "UE energy, compute + radio"},
    [SM_BYTES_UP] = {"bytes_up", REC_FLOAT64, "B", "uplink payload"},
    [SM_AIRTIME_UP] = {"airtime_up_s", REC_FLOAT64, "s", "uplink airtime"},
    [SM_RETRANSMISSIONS] = {"retransmissions", REC_FLOAT64, "1", "packets resent"},
    [SM_ERASURE] = {"erasure", REC_FLOAT64, "1", "erased fraction of the hidden state"},
    [SM_QUALITY] = {"quality", REC_FLOAT64, "1", "perplexity ratio PPL / PPL_0"},
    [SM_DEADLINE_MET] = {"deadline_met", REC_FLOAT64, "1",
                         "fraction of requests meeting workload.deadline (with a deadline)"},
    [SM_REWARD] = {"reward", REC_FLOAT64, "1", "realised reward with the scenario's weights"},
};

/* ---- small helpers ------------------------------------------------------------------------ */

static int values_push(struct split_values *v, double x)
{
    if (v->n == v->cap) {
        size_t nc = v->cap ? 2 * v->cap : 1024;
        double *nv = realloc(v->v, nc * sizeof *nv);
        if (!nv)
            return -ENOMEM;
        v->v = nv;
        v->cap = nc;
    }
    v->v[v->n++] = x;
    return 0;
}

void split_results_release(struct split_results *r)
{
    for (int k = 0; k < SM_COUNT_; k++)
        free(r->metric[k].v);
    free(r->reps);
    memset(r, 0, sizeof *r);
}

/* A time from a cost table in ns (at least 1); -1 when it cannot be represented (beyond
 * COST_TIME_NS_MAX, reached only by extrapolating far outside a table's grids): never clamped. */
static int64_t ms_to_ns(double ms)
{
    double ns = round(ms * 1e6);
    if (!(ns <= COST_TIME_NS_MAX)) /* also NaN */
        return -1;
    return ns >= 1 ? (int64_t)ns : 1;
}

static void fail(struct split_model *m, int rc)
{
    if (!m->error)
        m->error = rc;
    sim_stop(m->sim);
}

static struct split_request *request_alloc(struct split_model *m)
{
    if (!m->free_list) {
        struct split_request **ns = realloc(m->slabs, (m->nslabs + 1) * sizeof *ns);
        if (!ns)
            return NULL;
        m->slabs = ns;
        struct split_request *slab = calloc(SLAB_REQUESTS, sizeof *slab);
        if (!slab)
            return NULL;
        m->slabs[m->nslabs++] = slab;
        for (size_t i = SLAB_REQUESTS; i-- > 0;) {
            slab[i].next_free = m->free_list;
            m->free_list = &slab[i];
        }
    }
    struct split_request *r = m->free_list;
    m->free_list = r->next_free;
    memset(r, 0, sizeof *r);
    r->m = m;
    return r;
}

static void request_free(struct split_model *m, struct split_request *r)
{
    r->next_free = m->free_list;
    m->free_list = r;
}

static double dbm_to_w(double dbm)
{
    return pow(10, (dbm - 30) / 10);
}

/* Spends UE energy; an empty battery stops the UE's new requests. */
static void ue_spend(struct split_model *m, struct split_ue *ue, double joules)
{
    ue->energy += joules;
    if (m->scn->ues.battery_j > 0 && !ue->depleted && ue->energy >= m->scn->ues.battery_j) {
        ue->depleted = true;
        ue->depleted_at = sim_now(m->sim);
    }
}

/* The UE's SNR (linear) at time t with a share of the link's bandwidth. */
static double ue_snr(struct split_model *m, struct split_ue *ue, const struct chan_params *p,
                     int64_t t, double share)
{
    if (m->mob.moving) {
        int64_t tm = t > ue->mob.now ? t : ue->mob.now;
        ue->link.distance_m = mobility_distance(&ue->mob, &m->mob, tm);
    }
    return chan_snr(&ue->link, p, t, share);
}

static bool fading_channel(const struct split_model *m)
{
    return m->scn->channel.model == SCN_CHANNEL_FADING;
}

/* Layers the UE runs: [0, ue_to). */
static uint32_t ue_to(const struct split_model *m, const struct split_request *r)
{
    return r->k == m->in->blocks ? m->in->nlayers : r->k + 1;
}

/* ---- finishing ------------------------------------------------------------------------------ */

static double quality_of_k(const struct split_model *m, uint32_t k, double e)
{
    enum quality_precision prec = (enum quality_precision)m->scn->split.precision;
    if (m->in->have_qtable) {
        bool extrapolated = false;
        return qtable_ratio(&m->in->qtable, k, e, prec, &extrapolated);
    }
    return quality_ratio(m->in->assumed, m->in->blocks, k, e, prec);
}

static double reward_of(const struct split_model *m, uint32_t k, double quality, double ttft,
                        double tpot, double latency, double energy);

static void record(struct split_model *m, const struct split_request *r, int status, int64_t done)
{
    double ttft = NAN, tpot = NAN, latency = NAN, erasure = NAN, quality = NAN, reward = NAN;
    int deadline = -1;
    if (status == SPLIT_DONE) {
        ttft = (double)(r->first_token - r->arrival) * 1e-9;
        latency = (double)(done - r->arrival) * 1e-9;
        if (r->output > 1)
            tpot = (double)(done - r->first_token) * 1e-9 / (double)(r->output - 1);
        erasure = r->hidden_bytes > 0 ? r->erased_bytes / r->hidden_bytes : 0;
        quality = quality_of_k(m, r->k, erasure);
        if (m->scn->workload.deadline_s > 0)
            deadline = latency <= m->scn->workload.deadline_s;
        reward =
            reward_of(m, r->k, quality, ttft, tpot, latency, r->energy_compute + r->energy_radio);
    }
    struct pol_outcome outcome = {
        .k = r->k,
        .failed = status != SPLIT_DONE,
        .reward = reward,
        .quality = quality,
        .erasure = erasure,
        .ttft_s = ttft,
        .tpot_s = tpot,
        .latency_s = latency,
        .energy_j = r->energy_compute + r->energy_radio,
    };
    policy_observe(&m->policy, &r->obs, &outcome);
    if (status == SPLIT_DONE && r->k > 0 && r->k < m->in->blocks && fading_channel(m)) {
        struct split_ue *ue = &m->ues[r->ue];
        ue->erasure_ewma = 0.9 * ue->erasure_ewma + 0.1 * erasure;
        ue->erasure_hist[ue->erasure_n++ % SPLIT_ERASURE_HISTORY] = erasure;
    }
    struct split_rep_totals *tot = m->totals;
    if (status == SPLIT_DONE && r->arrival >= m->warmup) {
        double e_c = r->energy_compute, e_r = r->energy_radio;
        const double v[SM_COUNT_] = {
            [SM_TTFT] = ttft,
            [SM_TPOT] = tpot,
            [SM_LATENCY] = latency,
            [SM_EDGE_WAIT] = (double)r->edge_wait * 1e-9,
            [SM_EDGE_COMPUTE] = (double)r->edge_compute * 1e-9,
            [SM_UE_COMPUTE] = (double)r->ue_compute * 1e-9,
            [SM_ENERGY_COMPUTE] = e_c,
            [SM_ENERGY_RADIO] = e_r,
            [SM_ENERGY] = e_c + e_r,
            [SM_BYTES_UP] = r->bytes_up,
            [SM_AIRTIME_UP] = (double)r->airtime_up * 1e-9,
            [SM_RETRANSMISSIONS] = (double)r->retransmissions,
            [SM_ERASURE] = erasure,
            [SM_QUALITY] = quality,
            [SM_DEADLINE_MET] = deadline < 0 ? (double)NAN : deadline,
            [SM_REWARD] = reward,
        };
        for (int k = 0; k < SM_COUNT_; k++)
            if (!isnan(v[k]) && values_push(&m->res->metric[k], v[k]) < 0)
                fail(m, -ENOMEM);
        tot->measured++;
    }
    if (status == SPLIT_DONE)
        tot->finished++;
    else if (status == SPLIT_REFUSED)
        tot->refused++;
    else
        tot->failed++;
    if (done > m->last_done)
        m->last_done = done;
    struct rec_table *t = m->rec.requests;
    if (!t || r->id % m->scn->recording.every != 0)
        return;
    rec_set_int64(t, RQ_REPLICATION, m->replication);
    rec_set_int64(t, RQ_ID, (int64_t)r->id);
    rec_set_int64(t, RQ_UE, r->ue);
    rec_set_int64(t, RQ_SERVER, r->k == m->in->blocks ? -1 : (int64_t)r->server);
    rec_set_int64(t, RQ_SPLIT, r->k);
    rec_set_int64(t, RQ_STATUS, status);
    rec_set_int64(t, RQ_PROMPT, r->prompt);
    rec_set_int64(t, RQ_OUTPUT, r->output);
    rec_set_int64(t, RQ_ARRIVAL, r->arrival);
    rec_set_int64(t, RQ_FIRST, status == SPLIT_DONE ? r->first_token : -1);
    rec_set_int64(t, RQ_DONE, done);
    rec_set_double(t, RQ_TTFT, ttft);
    rec_set_double(t, RQ_TPOT, tpot);
    rec_set_double(t, RQ_LATENCY, latency);
    rec_set_double(t, RQ_SNR, r->snr_db);
    rec_set_double(t, RQ_BYTES_UP, r->bytes_up);
    rec_set_double(t, RQ_BYTES_DOWN, r->bytes_down);
    rec_set_double(t, RQ_AIR_UP, (double)r->airtime_up * 1e-9);
    rec_set_double(t, RQ_AIR_DOWN, (double)r->airtime_down * 1e-9);
    rec_set_int64(t, RQ_RETX, r->retransmissions);
    rec_set_double(t, RQ_ERASURE, erasure);
    rec_set_double(t, RQ_QUALITY, quality);
    rec_set_double(t, RQ_E_COMPUTE, r->energy_compute);
    rec_set_double(t, RQ_E_RADIO, r->energy_radio);
    rec_set_double(t, RQ_EDGE_WAIT, (double)r->edge_wait * 1e-9);
    rec_set_double(t, RQ_EDGE_COMPUTE, (double)r->edge_compute * 1e-9);
    rec_set_double(t, RQ_UE_COMPUTE, (double)r->ue_compute * 1e-9);
    rec_set_int64(t, RQ_DEADLINE, deadline);
    rec_set_double(t, RQ_REWARD, reward);
    if (rec_row_commit(t) < 0)
        fail(m, -EIO);
}

static void finish(struct split_model *m, struct split_request *r, int status)
{
    int64_t now = sim_now(m->sim);
    if (r->k < m->in->blocks) {
        if (r->kv_bytes > 0 && status != SPLIT_REFUSED)
            edge_release_kv(&m->servers[r->server], r->kv_bytes);
        m->outstanding[r->server]--;
    }
    m->in_progress--;
    record(m, r, status, now);
    request_free(m, r);
}

/* ---- the UE's processor --------------------------------------------------------------------- */

static void ue_start_next(struct split_model *m, struct split_ue *ue);
static void uplink_start(struct split_model *m, struct split_request *r, double bytes,
                         bool reliable, bool hidden);

static int ue_enqueue(struct split_model *m, struct split_ue *ue, struct split_request *r)
{
    if (ue->jlen == ue->jcap) {
        uint32_t nc = ue->jcap ? 2 * ue->jcap : 4;
        struct split_request **nj = malloc(nc * sizeof *nj);
        if (!nj)
            return -ENOMEM;
        for (uint32_t i = 0; i < ue->jlen; i++)
            nj[i] = ue->jobs[(ue->jhead + i) % ue->jcap];
        free(ue->jobs);
        ue->jobs = nj;
        ue->jcap = nc;
        ue->jhead = 0;
    }
    ue->jobs[(ue->jhead + ue->jlen) % ue->jcap] = r;
    ue->jlen++;
    if (!ue->busy)
        ue_start_next(m, ue);
    return 0;
}

static void on_ue_compute_done(struct sim *sim, void *obj, uint64_t data)
{
    (void)sim;
    (void)data;
    struct split_request *r = obj;
    struct split_model *m = r->m;
    struct split_ue *ue = &m->ues[r->ue];
    ue->busy = false;
    if (r->k == m->in->blocks) {
        /* everything on the UE: each job produces a token */
        if (++r->received == 1)
            r->first_token = sim_now(m->sim);
        if (r->received == r->output)
            finish(m, r, SPLIT_DONE);
        else if (ue_enqueue(m, ue, r) < 0)
            fail(m, -ENOMEM);
    } else {
        double tokens = r->received == 0 ? r->prompt : 1;
        uplink_start(m, r, tokens * m->in->arch->hidden * m->value_bytes, false, true);
    }
    if (!ue->busy && ue->jlen)
        ue_start_next(m, ue);
}

static void ue_start_next(struct split_model *m, struct split_ue *ue)
{
    struct split_request *r = ue->jobs[ue->jhead];
    ue->jhead = (ue->jhead + 1) % ue->jcap;
    ue->jlen--;
    bool extrapolated = false;
    double ms = r->received == 0
                    ? cost_range_prefill_ms(split_ue_table(m->in, ue->id), 0, ue_to(m, r),
                                            r->prompt, &extrapolated)
                    : cost_range_decode_ms(split_ue_table(m->in, ue->id), 0, ue_to(m, r),
                                           (double)r->prompt + r->received, 1, &extrapolated);
    m->extrapolated_ue |= extrapolated;
    int64_t ns = ms_to_ns(ms);
    if (ns < 0) {
        fail(m, -ERANGE);
        return;
    }
    r->ue_compute += ns;
    double joules = split_ue_table(m->in, ue->id)->power_w * (double)ns * 1e-9;
    r->energy_compute += joules;
    ue_spend(m, ue, joules);
    ue->busy = true;
    if (!sim_schedule_in(m->sim, ns, 0, on_ue_compute_done, r, 0))
        fail(m, -ENOMEM);
}

/* ---- edge ----------------------------------------------------------------------------------- */

static void downlink_attempt(struct sim *sim, void *obj, uint64_t data);

static void on_edge_done(struct sim *sim, void *ctx, const struct edge_job *job, int64_t start,
                         int64_t iteration_ns, uint32_t batch);

static void edge_submit_job(struct split_model *m, struct split_request *r, enum edge_job_kind kind)
{
    uint32_t from = r->k == 0 ? 0 : r->k + 1;
    struct edge_job job = {
        .kind = kind,
        .from = from,
        .to = m->in->nlayers,
        .tokens = r->prompt,
        .done = on_edge_done,
        .ctx = r,
    };
    if (kind == EDGE_PREFILL) {
        r->kv_bytes = ((double)r->prompt + r->output) *
                      cost_range_kv_bytes_per_token(&m->in->edge_table, from, m->in->nlayers);
        job.kv_bytes = r->kv_bytes;
    } else {
        job.context = (double)r->prompt + (r->k == 0 ? r->edge_tokens : r->received);
    }
    int rc = edge_submit(&m->servers[r->server], &job);
    r->edge_busy = rc == 0;
    if (rc == -E2BIG)
        finish(m, r, SPLIT_REFUSED);
    else if (rc < 0)
        fail(m, rc);
}

static void on_edge_done(struct sim *sim, void *ctx, const struct edge_job *job, int64_t start,
                         int64_t iteration_ns, uint32_t batch)
{
    (void)batch;
    struct split_request *r = ctx;
    struct split_model *m = r->m;
    r->edge_wait += start - job->submitted;
    r->edge_compute += iteration_ns;
    r->edge_busy = false;
    if (r->failed) { /* k = 0: a token was lost for good; stop decoding */
        if (r->dl_inflight == 0)
            finish(m, r, SPLIT_LINK_FAILED);
        return;
    }
    r->edge_tokens++;
    r->dl_inflight++;
    downlink_attempt(sim, r, 0);
    if (r->k == 0 && r->edge_tokens < r->output && !r->failed)
        edge_submit_job(m, r, EDGE_DECODE); /* the whole model is here: no round trip */
}

/* ---- downlink: one token back, resent until received ---------------------------------------- */

static void on_downlink_done(struct sim *sim, void *obj, uint64_t data)
{
    (void)sim;
    (void)data;
    struct split_request *r = obj;
    struct split_model *m = r->m;
    r->dl_inflight--;
    if (r->failed) {
        if (r->dl_inflight == 0 && !r->edge_busy)
            finish(m, r, SPLIT_LINK_FAILED);
        return;
    }
    if (++r->received == 1)
        r->first_token = sim_now(m->sim);
    if (r->received == r->output)
        finish(m, r, SPLIT_DONE);
    else if (r->k > 0 && ue_enqueue(m, &m->ues[r->ue], r) < 0)
        fail(m, -ENOMEM);
}

/* A token could not be delivered in channel.max_rounds tries: radio-link failure. The request
 * ends once none of its work is in flight (with k = 0 the edge may still be decoding it). */
static void link_failed(struct split_model *m, struct split_request *r)
{
    r->failed = true;
    if (r->dl_inflight == 0 && !r->edge_busy)
        finish(m, r, SPLIT_LINK_FAILED);
}

static void downlink_attempt(struct sim *sim, void *obj, uint64_t data)
{
    struct split_request *r = obj;
    struct split_model *m = r->m;
    struct split_ue *ue = &m->ues[r->ue];
    const struct scn_channel *c = &m->scn->channel;
    double bits = c->token_bytes * 8;
    int64_t ns = 0;
    bool lost = false;
    if (data == 0)
        r->bytes_down += c->token_bytes;
    if (!fading_channel(m)) {
        ns = c->erasure_rate_bps > 0 ? sim_time_round(bits / c->erasure_rate_bps * 1e9) : 0;
    } else {
        double snr = ue_snr(m, ue, &m->in->down, sim_now(sim), 1.0);
        struct chan_selection sel;
        chan_select(&m->in->down, snr, &sel);
        ns = sim_time_round(bits / (m->in->down.bandwidth_hz * sel.efficiency) * 1e9);
        double p = chan_packet_error(&m->in->down, &sel, snr);
        lost = p >= 1 || (p > 0 && rng_uniform(&ue->loss) < p);
    }
    if (ns < 1 && fading_channel(m))
        ns = 1;
    r->airtime_down += ns;
    double joules = m->rx_draw_w * (double)ns * 1e-9;
    r->energy_radio += joules;
    ue_spend(m, ue, joules);
    sim_event_handle h = 1;
    if (lost && data + 1 >= c->max_rounds) {
        r->dl_inflight--;
        link_failed(m, r);
    } else if (lost) {
        r->retransmissions++;
        h = sim_schedule_in(sim, sim_time_add(ns, sim_time_from_s(c->harq_rtt_s)), 0,
                            downlink_attempt, r, data + 1);
    } else {
        h = sim_schedule_in(sim, ns, 0, on_downlink_done, r, 0);
    }
    if (!h)
        fail(m, -ENOMEM);
}

/* ---- uplink: packets through the shared cell, HARQ rounds ----------------------------------- */

static void uplink_delivered(struct split_model *m, struct split_request *r)
{
    edge_submit_job(m, r, r->received == 0 && r->edge_tokens == 0 ? EDGE_PREFILL : EDGE_DECODE);
}

static void on_uplink_instant(struct sim *sim, void *obj, uint64_t data)
{
    (void)sim;
    (void)data;
    struct split_request *r = obj;
    uplink_delivered(r->m, r);
}

static void uplink_burst(struct sim *sim, void *obj, uint64_t data);

/* A burst has gone: which of its packets were lost? The burst carried bits [pos0, pos1) of the
 * round; each packet (or fragment of one) in it went out around the middle of its share of the
 * burst's time and is lost with the packet-error probability at the SNR of that block. A packet
 * split across bursts is lost if any of its fragments is. */
static void on_burst_done(struct sim *sim, void *ctx, uint64_t transfer_id, int64_t start)
{
    (void)transfer_id;
    (void)start;
    struct split_request *r = ctx;
    struct split_model *m = r->m;
    struct split_ue *ue = &m->ues[r->ue];
    int64_t now = sim_now(sim), d = now - r->tx_start;
    r->airtime_up += d;
    double joules = m->tx_draw_w * (double)d * 1e-9;
    r->energy_radio += joules;
    ue_spend(m, ue, joules);
    double size = r->tx_packet_bytes * 8, pos0 = r->tx_pos, pos1 = r->tx_pos + r->tx_burst_bits;
    int64_t block_ns = m->in->up.coherence_ns, last_block = -1;
    double p = 0;
    uint32_t lost = 0;
    for (double first = floor(pos0 / size) * size; first < pos1; first += size) {
        double a = first > pos0 ? first : pos0, b = first + size < pos1 ? first + size : pos1;
        int64_t t = r->tx_start + (int64_t)(((a + b) / 2 - pos0) / (pos1 - pos0) * (double)d);
        int64_t blk = t / block_ns;
        if (blk != last_block) {
            last_block = blk;
            p = chan_packet_error(&m->in->up, &r->tx_sel,
                                  ue_snr(m, ue, &m->in->up, t, r->tx_share));
        }
        bool bad = r->tx_frag_lost || p >= 1 || (p > 0 && rng_uniform(&ue->loss) < p);
        r->tx_frag_lost = false;
        if (first + size <= pos1 * (1 + 1e-12)) /* this packet is complete */
            lost += bad;
        else
            r->tx_frag_lost = bad; /* its rest goes in the next burst */
    }
    r->tx_pos = pos1;
    r->tx_lost += lost;
    double sent = (pos1 - pos0) / size;
    if (sent > 0)
        ue->loss_ewma += (1 - pow(0.99, sent)) * ((double)lost / fmax(sent, 1) - ue->loss_ewma);
    if (r->tx_pos < r->tx_round_bits * (1 - 1e-12)) {
        uplink_burst(sim, r, 0); /* the round goes on */
        return;
    }
    if (r->tx_lost == 0) {
        uplink_delivered(m, r);
    } else if (r->tx_reliable && r->tx_round + 1 >= m->scn->channel.max_rounds) {
        link_failed(m, r); /* token ids that cannot get through */
    } else if (r->tx_reliable || r->tx_round < m->scn->channel.harq_max) {
        /* HARQ: the round's lost packets go again after the round-trip time */
        r->tx_round++;
        r->retransmissions += r->tx_lost;
        r->tx_round_bits = r->tx_lost * size;
        r->tx_pos = 0;
        r->tx_lost = 0;
        if (!sim_schedule_in(sim, sim_time_from_s(m->scn->channel.harq_rtt_s), 0, uplink_burst, r,
                             0))
            fail(m, -ENOMEM);
    } else {
        if (r->tx_hidden)
            r->erased_bytes += r->tx_lost * r->tx_packet_bytes;
        uplink_delivered(m, r);
    }
}

/* Link adaptation per burst: the rate is picked for the SNR now (with the share of the cell the
 * transfer would get were nothing else to change), and the burst carries what that rate sends
 * in one coherence block (all that is left of the round if less), so no rate is used for long
 * after the channel state it was chosen for. Packets may straddle bursts (segmentation). */
static void uplink_burst(struct sim *sim, void *obj, uint64_t data)
{
    (void)data;
    struct split_request *r = obj;
    struct split_model *m = r->m;
    struct split_ue *ue = &m->ues[r->ue];
    r->tx_share = m->cell.sharing == CELL_SHARE_EQUAL ? 1.0 / (double)(m->cell.nactive + 1)
                                                      : m->cell.fixed_share;
    double snr = ue_snr(m, ue, &m->in->up, sim_now(sim), r->tx_share);
    chan_select(&m->in->up, snr, &r->tx_sel);
    r->tx_start = sim_now(sim);
    double rate = r->tx_share * m->in->up.bandwidth_hz * r->tx_sel.efficiency;
    double fit = rate * (double)m->in->up.coherence_ns * 1e-9, left = r->tx_round_bits - r->tx_pos;
    /* whole packets when at least one fits, so that short transfers go in one burst */
    double size = r->tx_packet_bytes * 8;
    if (fit >= size)
        fit = floor(fit / size) * size;
    r->tx_burst_bits = fit >= left ? left : fit;
    if (cell_start(&m->cell, r->id, r->tx_burst_bits, r->tx_sel.efficiency, on_burst_done, r) < 0)
        fail(m, -ENOMEM);
}

static void uplink_start(struct split_model *m, struct split_request *r, double bytes,
                         bool reliable, bool hidden)
{
    struct split_ue *ue = &m->ues[r->ue];
    const struct scn_channel *c = &m->scn->channel;
    r->bytes_up += bytes;
    if (hidden)
        r->hidden_bytes += bytes;
    if (!fading_channel(m)) {
        /* the paper's abstraction: each value erased independently with probability p */
        if (hidden && r->p_erasure > 0) {
            unsigned int values = (unsigned int)llround(bytes / m->value_bytes);
            unsigned int erased = gsl_ran_binomial(ue->loss.gen, r->p_erasure, values);
            r->erased_bytes += erased * m->value_bytes;
        }
        int64_t ns =
            c->erasure_rate_bps > 0 ? sim_time_round(bytes * 8 / c->erasure_rate_bps * 1e9) : 0;
        r->airtime_up += ns;
        double joules = m->tx_draw_w * (double)ns * 1e-9;
        r->energy_radio += joules;
        ue_spend(m, ue, joules);
        if (!sim_schedule_in(m->sim, ns, 0, on_uplink_instant, r, 0))
            fail(m, -ENOMEM);
        return;
    }
    double packets = ceil(bytes / c->packet_bytes);
    r->tx_packet_bytes = bytes / packets;
    r->tx_round_bits = packets * r->tx_packet_bytes * 8;
    r->tx_pos = 0;
    r->tx_lost = 0;
    r->tx_frag_lost = false;
    r->tx_round = 0;
    r->tx_reliable = reliable;
    r->tx_hidden = hidden;
    uplink_burst(m->sim, r, 0);
}

/* ---- arrivals ------------------------------------------------------------------------------- */

static uint32_t draw_tokens(struct split_ue *ue, int dist, uint64_t mean)
{
    double v = (double)mean;
    switch (dist) {
    case SCN_TOKENS_UNIFORM:
        v = 1 + (double)rng_uniform_int(&ue->workload, 2 * mean - 1);
        break;
    case SCN_TOKENS_GEOMETRIC:
        v = mean > 1 ? gsl_ran_geometric(ue->workload.gen, 1.0 / (double)mean) : 1;
        break;
    default:
        break;
    }
    return v > 4e9 ? 4000000000u : (uint32_t)v;
}

/* ---- predictions, rewards and decisions ----------------------------------------------------- */

struct split_pred {
    double ttft, tpot, latency, energy, erasure, quality;
};

/* What a request of `prompt` and `output` tokens split at k should see, from the cost tables and
 * the link budget at wideband SNR `snr` (linear). With `state`, also the cell's and the edge
 * server's present load (the oracle's privileged view); without, an empty cell and edge unless
 * the policy sees the edge load (`edge_load`, NaN when hidden). Transfer times use the rate
 * link adaptation would choose; erasure is the erasure channel's p, or for the fading channel
 * the UE's recent packet-loss fraction raised to the number of HARQ tries. */
static void predict(const struct split_model *m, const struct split_ue *ue, uint32_t server,
                    uint32_t prompt, uint32_t output, uint32_t k, double snr, double p_erasure,
                    bool state, double edge_load, struct split_pred *out)
{
    const struct split_inputs *in = m->in;
    const struct scn_channel *c = &m->scn->channel;
    uint32_t L = in->blocks, n = in->nlayers;
    double N = prompt, M = output, ctx = N + M / 2;
    bool x = false;
    /* link */
    double up_rate, dl_rate;
    if (fading_channel(m)) {
        double share = m->cell.sharing == CELL_SHARE_FIXED ? m->cell.fixed_share
                       : state                             ? 1.0 / (double)(m->cell.nactive + 1)
                                                           : 1.0;
        struct chan_selection sel;
        chan_select(&in->up, snr / share, &sel);
        up_rate = share * in->up.bandwidth_hz * sel.efficiency;
        double snr_dl = snr * pow(10, (in->down.tx_power_dbm - in->up.tx_power_dbm) / 10) *
                        in->up.bandwidth_hz / in->down.bandwidth_hz;
        chan_select(&in->down, snr_dl, &sel);
        dl_rate = in->down.bandwidth_hz * sel.efficiency;
    } else {
        up_rate = dl_rate = c->erasure_rate_bps > 0 ? c->erasure_rate_bps : (double)INFINITY;
    }
    double hb = in->arch->hidden * m->value_bytes;
    double dl = c->token_bytes * 8 / dl_rate;
    /* UE */
    uint32_t ue_to = k == L ? n : k + 1;
    const struct cost_table *ut = split_ue_table(in, ue->id);
    double ue_pre = k == 0 ? 0 : 1e-3 * cost_range_prefill_ms(ut, 0, ue_to, N, &x);
    double ue_dec = k == 0 ? 0 : 1e-3 * cost_range_decode_ms(ut, 0, ue_to, ctx, 1, &x);
    /* edge */
    double e_pre = 0, e_dec = 0, wait = 0;
    if (k < L) {
        uint32_t from = k == 0 ? 0 : k + 1;
        const struct edge_server *e = &m->servers[server];
        double batch = state && e->busy ? (double)e->nrunning : 1;
        e_pre = 1e-3 * cost_range_prefill_ms(&in->edge_table, from, n, N, &x);
        e_dec = 1e-3 * cost_range_decode_ms(&in->edge_table, from, n, ctx, batch, &x);
        double bmax = (double)m->scn->edge.batch_max;
        if (state)
            wait = ((double)edge_waiting(e) / bmax + (e->busy ? 0.5 : 0)) * e_dec;
        else if (!isnan(edge_load))
            wait = edge_load * e_dec;
    }
    double up_prompt = (k == 0 ? N * c->token_bytes : k == L ? 0 : N * hb) * 8 / up_rate;
    double up_token = (k == 0 || k == L ? 0 : hb) * 8 / up_rate;
    if (k == L) {
        out->ttft = ue_pre;
        out->tpot = ue_dec;
    } else if (k == 0) {
        out->ttft = up_prompt + wait + e_pre + dl;
        out->tpot = e_dec;
    } else {
        out->ttft = ue_pre + up_prompt + wait + e_pre + dl;
        out->tpot = ue_dec + up_token + wait + e_dec + dl;
    }
    out->latency = out->ttft + (M - 1) * out->tpot;
    double uplink = up_prompt + (M - 1) * up_token;
    out->energy = ut->power_w * (ue_pre + (M - 1) * ue_dec) +
                  m->tx_draw_w * (isfinite(uplink) ? uplink : 0) +
                  (k == L ? 0 : m->rx_draw_w * M * (isfinite(dl) ? dl : 0));
    double e = 0;
    if (k > 0 && k < L)
        e = fading_channel(m) ? pow(ue->loss_ewma, (double)c->harq_max + 1) : p_erasure;
    out->erasure = e;
    if (k > 0 && k < L && fading_channel(m) && ue->erasure_n > 0) {
        /* the quality harm is convex in e: average it over the UE's recent erased fractions
         * (which do not depend on k) rather than take it at their mean */
        uint32_t nh = ue->erasure_n < SPLIT_ERASURE_HISTORY ? ue->erasure_n : SPLIT_ERASURE_HISTORY;
        double q = 0, es = 0;
        for (uint32_t i = 0; i < nh; i++) {
            q += quality_of_k(m, k, ue->erasure_hist[i]);
            es += ue->erasure_hist[i];
        }
        out->quality = q / nh;
        out->erasure = es / nh;
    } else {
        out->quality = quality_of_k(m, k, e);
    }
}

/* The scenario's reward for split k with these outcomes. */
static double reward_of(const struct split_model *m, uint32_t k, double quality, double ttft,
                        double tpot, double latency, double energy)
{
    const struct scn_reward *w = &m->scn->reward;
    double metric = w->latency_metric == SCN_METRIC_TTFT   ? ttft
                    : w->latency_metric == SCN_METRIC_TPOT ? tpot
                                                           : latency;
    if (isnan(metric))
        metric = 0;
    double kmax = m->k_max > 0 ? (double)m->k_max : 1;
    double missed = m->scn->workload.deadline_s > 0 && latency > m->scn->workload.deadline_s;
    return w->quality * (1 - quality) + w->ue_load * (kmax - (double)k) / kmax -
           w->latency * metric / w->latency_ref_s - w->energy * energy / w->energy_ref_j -
           w->edge_load * ((double)m->in->blocks - (double)k) / (double)m->in->blocks -
           w->deadline * missed;
}

static double latency_metric_of(const struct split_model *m, const struct split_pred *p)
{
    int metric = m->scn->reward.latency_metric;
    return metric == SCN_METRIC_TTFT ? p->ttft : metric == SCN_METRIC_TPOT ? p->tpot : p->latency;
}

/* What the policy's callbacks need to know about the request being decided. */
struct decide_arg {
    struct split_model *m;
    struct split_ue *ue;
    uint32_t server;
    double snr_true; /* linear; the channel now */
    double p_erasure;
};

/* The true evaluation: the expected reward of k with the exact present state. */
static double oracle(void *arg, const struct pol_obs *obs, uint32_t k)
{
    const struct decide_arg *a = arg;
    struct split_pred p;
    predict(a->m, a->ue, a->server, obs->prompt, obs->output, k, a->snr_true, a->p_erasure, true,
            NAN, &p);
    return reward_of(a->m, k, p.quality, p.ttft, p.tpot, p.latency, p.energy);
}

/* The true expected quality of k (what the paper's perplexity run measures). */
static double oracle_quality(void *arg, const struct pol_obs *obs, uint32_t k)
{
    const struct decide_arg *a = arg;
    struct split_pred p;
    predict(a->m, a->ue, a->server, obs->prompt, obs->output, k, a->snr_true, a->p_erasure, true,
            NAN, &p);
    return p.quality;
}

/* The UE's own estimate: tables and its channel estimate (and the edge load when visible). */
static double estimate_latency(void *arg, const struct pol_obs *obs, uint32_t k)
{
    const struct decide_arg *a = arg;
    double snr = isnan(obs->snr_db) ? 1 : pow(10, obs->snr_db / 10);
    struct split_pred p;
    predict(a->m, a->ue, a->server, obs->prompt, obs->output, k, snr, obs->erasure, false,
            obs->edge_load, &p);
    return latency_metric_of(a->m, &p);
}

static void record_decision(struct split_model *m, const struct split_request *r,
                            struct decide_arg *a, uint64_t evaluations)
{
    struct rec_table *t = m->rec.decisions;
    uint32_t best = m->k_min;
    double best_v = -INFINITY, chosen_v = NAN;
    for (uint32_t k = m->k_min; k <= m->k_max; k++) {
        double v = oracle(a, &r->obs, k);
        if (v > best_v) {
            best_v = v;
            best = k;
        }
        if (k == r->k)
            chosen_v = v;
    }
    rec_set_int64(t, 0, m->replication);
    rec_set_int64(t, 1, (int64_t)r->id);
    rec_set_int64(t, 2, r->ue);
    rec_set_double(t, 3, r->obs.now_s);
    rec_set_double(t, 4, r->obs.snr_db);
    rec_set_double(t, 5, r->obs.erasure);
    rec_set_double(t, 6, r->obs.edge_load);
    rec_set_int64(t, 7, r->k);
    rec_set_int64(t, 8, (int64_t)evaluations);
    rec_set_int64(t, 9, best);
    rec_set_double(t, 10, best_v);
    rec_set_double(t, 11, chosen_v);
    if (m->pred && policy_predict(&m->policy, &r->obs, m->pred) == 0)
        for (uint32_t k = m->k_min; k <= m->k_max; k++)
            rec_set_double(t, 12 + (k - m->k_min), m->pred[k - m->k_min]);
    if (rec_row_commit(t) < 0)
        fail(m, -EIO);
}

static void start_request(struct split_model *m, struct split_ue *ue, uint32_t prompt,
                          uint32_t output)
{
    struct split_request *r = request_alloc(m);
    if (!r) {
        fail(m, -ENOMEM);
        return;
    }
    const struct scn_channel *c = &m->scn->channel;
    int64_t now = sim_now(m->sim);
    r->id = m->next_id++;
    r->ue = ue->id;
    r->prompt = prompt;
    r->output = output;
    r->arrival = now;
    r->p_erasure = c->erasure_probability;
    if (!fading_channel(m) && c->erasure_probability_max > c->erasure_probability)
        r->p_erasure +=
            (c->erasure_probability_max - c->erasure_probability) * rng_uniform(&ue->workload);
    double snr = fading_channel(m) ? ue_snr(m, ue, &m->in->up, now, 1.0) : (double)NAN;
    r->snr_db = 10 * log10(snr);
    ue->requests++;
    m->totals->arrived++;
    m->in_progress++;
    uint32_t server = 0;
    for (uint32_t s = 1; s < m->nservers; s++)
        if (m->outstanding[s] < m->outstanding[server])
            server = s;
    r->server = server;
    r->obs = (struct pol_obs){
        .request = r->id,
        .ue = ue->id,
        .now_s = (double)now * 1e-9,
        .snr_db = r->snr_db,
        .erasure = fading_channel(m) ? ue->erasure_ewma : r->p_erasure,
        .prompt = prompt,
        .output = output,
        .edge_load = m->scn->policy.edge_load_visible
                         ? (double)m->outstanding[server] / (double)m->scn->edge.batch_max
                         : (double)NAN,
        .k_min = m->k_min,
        .k_max = m->k_max,
        .blocks = m->in->blocks,
        .last_k = ue->last_k,
    };
    struct decide_arg a = {
        .m = m, .ue = ue, .server = server, .snr_true = snr, .p_erasure = r->p_erasure};
    struct pol_ctx ctx = {.evaluate = oracle,
                          .evaluate_quality = oracle_quality,
                          .estimate_latency = estimate_latency,
                          .arg = &a};
    r->k = policy_decide(&m->policy, &r->obs, &ctx);
    ue->last_k = r->k;
    m->totals->decisions++;
    m->totals->evaluations += ctx.evaluations;
    if (m->rec.decisions && r->id % m->scn->recording.every == 0)
        record_decision(m, r, &a, ctx.evaluations);
    if (r->k < m->in->blocks)
        m->outstanding[server]++;
    if (r->k == 0)
        uplink_start(m, r, (double)prompt * c->token_bytes, true, false);
    else if (ue_enqueue(m, ue, r) < 0)
        fail(m, -ENOMEM);
}

static double gap_ns(const struct split_model *m)
{
    return 1e9 / m->scn->workload.rate_per_s;
}

/* Arrival events carry the model in obj and the UE in data. */
static void on_ue_arrival(struct sim *sim, void *obj, uint64_t data)
{
    struct split_model *m = obj;
    struct split_ue *ue = &m->ues[data];
    if (ue->depleted)
        return; /* an empty battery: no more requests from this UE */
    uint32_t prompt = draw_tokens(ue, m->scn->workload.tokens, m->scn->workload.prompt_tokens);
    uint32_t output = draw_tokens(ue, m->scn->workload.tokens, m->scn->workload.output_tokens);
    int64_t next = m->scn->workload.arrival == SCN_ARRIVAL_POISSON
                       ? sim_time_add(sim_now(sim), rng_exponential_ns(&ue->arrivals, gap_ns(m)))
                       : sim_time_add(sim_now(sim), sim_time_round(gap_ns(m)));
    if (next < m->duration && !sim_schedule(sim, next, 0, on_ue_arrival, m, data))
        fail(m, -ENOMEM);
    start_request(m, ue, prompt, output);
}

static void on_trace_arrival(struct sim *sim, void *obj, uint64_t data)
{
    (void)data;
    struct split_model *m = obj;
    const struct trace *t = &m->in->trace;
    int64_t now = sim_now(sim);
    while (m->trace_next < t->n && t->v[m->trace_next].time_ns == now) {
        const struct trace_entry *e = &t->v[m->trace_next++];
        if (!m->ues[e->ue].depleted)
            start_request(m, &m->ues[e->ue], e->prompt, e->output);
    }
    if (m->trace_next < t->n && t->v[m->trace_next].time_ns < m->duration &&
        !sim_schedule(sim, t->v[m->trace_next].time_ns, 0, on_trace_arrival, m, 0))
        fail(m, -ENOMEM);
}

/* ---- time series ---------------------------------------------------------------------------- */

static void on_sample(struct sim *sim, void *obj, uint64_t data)
{
    (void)data;
    struct split_model *m = obj;
    double t = (double)sim_now(sim) * 1e-9;
    int rc = 0;
    if (m->rec.ts_edge) {
        for (uint32_t s = 0; s < m->nservers; s++) {
            struct rec_table *tb = m->rec.ts_edge;
            rec_set_int64(tb, 0, m->replication);
            rec_set_double(tb, 1, t);
            rec_set_int64(tb, 2, s);
            rec_set_int64(tb, 3, (int64_t)edge_waiting(&m->servers[s]));
            rec_set_int64(tb, 4, edge_batch(&m->servers[s]));
            rec_set_double(tb, 5, m->servers[s].kv_used);
            rc |= rec_row_commit(tb);
        }
    }
    if (m->rec.ts_snr && fading_channel(m)) {
        uint64_t n = m->scn->recording.snr_ues < m->nues ? m->scn->recording.snr_ues : m->nues;
        for (uint32_t u = 0; u < n; u++) {
            struct rec_table *tb = m->rec.ts_snr;
            double snr = ue_snr(m, &m->ues[u], &m->in->up, sim_now(sim), 1.0);
            rec_set_int64(tb, 0, m->replication);
            rec_set_double(tb, 1, t);
            rec_set_int64(tb, 2, u);
            rec_set_double(tb, 3, 10 * log10(snr));
            rec_set_double(tb, 4, m->ues[u].link.distance_m);
            rc |= rec_row_commit(tb);
        }
    }
    if (m->rec.ts_cell) {
        struct rec_table *tb = m->rec.ts_cell;
        rec_set_int64(tb, 0, m->replication);
        rec_set_double(tb, 1, t);
        rec_set_int64(tb, 2, (int64_t)m->cell.nactive);
        rec_set_int64(tb, 3, (int64_t)m->in_progress);
        rc |= rec_row_commit(tb);
    }
    if (rc < 0)
        fail(m, -EIO);
    int64_t next = sim_time_add(sim_now(sim), sim_time_from_s(m->scn->recording.interval_s));
    if ((next < m->duration || (m->in_progress > 0 && next < SIM_TIME_MAX)) &&
        !sim_schedule(sim, next, PRIO_SAMPLE, on_sample, m, 0))
        fail(m, -ENOMEM);
}

/* ---- setup ---------------------------------------------------------------------------------- */

void split_candidates(const struct scn *s, const struct split_inputs *in, uint32_t *k_min,
                      uint32_t *k_max)
{
    uint64_t hi = s->policy.max_split < in->blocks ? s->policy.max_split : in->blocks;
    *k_max = (uint32_t)hi;
    *k_min = s->policy.min_split < hi ? (uint32_t)s->policy.min_split : (uint32_t)hi;
}

static const char *const decision_names[] = {
    "replication", "id",    "ue",          "time_s",       "snr_db",        "erasure",
    "edge_load",   "split", "evaluations", "oracle_split", "oracle_reward", "chosen_reward",
};

struct rec_column *split_decision_columns(const struct scn *s, const struct split_inputs *in,
                                          bool predictions, size_t *n)
{
    static const struct rec_column fixed[] = {
        {"replication", REC_INT64, "1", "replication number"},
        {"id", REC_INT64, "1", "request (see /requests/id)"},
        {"ue", REC_INT64, "1", "UE"},
        {"time_s", REC_FLOAT64, "s", "decision time (the request's arrival)"},
        {"snr_db", REC_FLOAT64, "dB", "the UE's channel estimate (NaN: erasure channel)"},
        {"erasure", REC_FLOAT64, "1",
         "the erasure estimate the UE saw (erasure channel: its p; fading: recent erased "
         "fraction)"},
        {"edge_load", REC_FLOAT64, "1", "edge load the UE saw (NaN: not visible)"},
        {"split", REC_INT64, "1", "the chosen k"},
        {"evaluations", REC_INT64, "1", "true evaluations the policy paid for in this decision"},
        {"oracle_split", REC_INT64, "1", "the k with the best true expected reward (not counted)"},
        {"oracle_reward", REC_FLOAT64, "1", "its true expected reward"},
        {"chosen_reward", REC_FLOAT64, "1", "the true expected reward of the chosen k"},
    };
    (void)decision_names;
    size_t nf = sizeof fixed / sizeof fixed[0];
    uint32_t k_min, k_max;
    split_candidates(s, in, &k_min, &k_max);
    size_t np = predictions ? k_max - k_min + 1 : 0;
    struct rec_column *c = calloc(nf + np, sizeof *c);
    if (!c)
        return NULL;
    memcpy(c, fixed, sizeof fixed);
    for (size_t i = 0; i < np; i++) {
        char *name = NULL;
        if (asprintf(&name, "predicted_k%zu", (size_t)k_min + i) < 0) {
            split_decision_columns_free(c, nf + i);
            return NULL;
        }
        c[nf + i] = (struct rec_column){name, REC_FLOAT64, "1",
                                        "the policy's own predicted reward of this k"};
    }
    *n = nf + np;
    return c;
}

void split_decision_columns_free(struct rec_column *cols, size_t n)
{
    for (size_t i = 12; cols && i < n; i++)
        free((char *)(uintptr_t)cols[i].name);
    free(cols);
}

/* The configuration a policy is built with. */
static void policy_config(const struct scn *s, const struct split_inputs *in, uint32_t k_min,
                          uint32_t k_max, struct rng *rng, struct pol_config *cfg)
{
    const struct scn_mbrl *mb = &s->policy.mbrl;
    *cfg = (struct pol_config){
        .blocks = in->blocks,
        .k_min = k_min,
        .k_max = k_max,
        .fixed_k = (uint32_t)s->split.layer,
        .rng = rng,
        .mbrl_hidden = (uint32_t)mb->hidden,
        .mbrl_budget = mb->budget,
        .mbrl_ppo_steps = mb->ppo_steps,
        .mbrl_train_every = mb->train_every,
        .mbrl_learning_rate = mb->learning_rate,
        .mbrl_weights_in = mb->weights_in,
        .mbrl_weights_out = mb->weights_out,
        .latency_weight = s->reward.latency + s->reward.energy + s->reward.edge_load,
    };
}

int split_policy_check(const struct scn *s, const struct split_inputs *in,
                       const struct pol_type *ptype, struct diag *d)
{
    struct rng rng;
    if (rng_init(&rng, s->run.seed, 0, RNG_KIND_POLICY, 0) < 0)
        return -ENOMEM;
    uint32_t k_min, k_max;
    split_candidates(s, in, &k_min, &k_max);
    struct pol_config cfg;
    policy_config(s, in, k_min, k_max, &rng, &cfg);
    cfg.diag = d;
    if (!ptype)
        ptype = pol_type_find(s->policy.name);
    struct policy p;
    const char *why = NULL;
    int rc = policy_init(&p, ptype, &cfg, &why);
    if (rc == 0)
        policy_release(&p);
    else if (why)
        scn_error_at(s, d,
                     *s->policy.mbrl.weights_in && ptype->predict ? "policy.mbrl.weights_in"
                     : *s->policy.compete                         ? "policy.compete"
                                                                  : "policy.name",
                     "policy %s: %s", ptype->name, why);
    rng_release(&rng);
    return rc;
}

int split_init(struct split_model *m, struct sim *sim, const struct scn *s,
               const struct split_inputs *in, uint32_t replication,
               const struct split_recorders *rec, struct split_results *res,
               const struct pol_type *ptype, const char **why)
{
    memset(m, 0, sizeof *m);
    *why = NULL;
    m->sim = sim;
    m->scn = s;
    m->in = in;
    m->replication = replication;
    if (rec)
        m->rec = *rec;
    m->res = res;
    m->duration = sim_time_from_s(s->run.duration_s);
    m->warmup = sim_time_from_s(s->run.warmup_s);
    static const double value_bytes[] = {2, 1, 0.5};
    m->value_bytes = value_bytes[s->split.precision];
    m->ue_power_w = in->ue_table.power_w;
    m->tx_draw_w = dbm_to_w(s->ues.tx_electric_dbm);
    m->rx_draw_w = dbm_to_w(s->ues.rx_electric_dbm);
    m->mob = (struct mobility_params){
        .radius_m = s->cell.radius_m,
        .moving = s->ues.mobility == SCN_MOBILITY_RANDOM_WAYPOINT,
        .speed_min_mps = s->ues.speed_min_mps,
        .speed_max_mps = s->ues.speed_max_mps,
        .pause_ns = sim_time_from_s(s->ues.pause_s),
    };
    if (res->nreps == res->cap) {
        size_t nc = res->cap ? 2 * res->cap : 8;
        struct split_rep_totals *nr = realloc(res->reps, nc * sizeof *nr);
        if (!nr)
            return -ENOMEM;
        res->reps = nr;
        res->cap = nc;
    }
    m->totals = &res->reps[res->nreps++];
    memset(m->totals, 0, sizeof *m->totals);
    for (int k = 0; k < SM_COUNT_; k++)
        m->totals->start[k] = res->metric[k].n;

    int rc = cell_init(&m->cell, sim, s->cell.bandwidth_hz,
                       s->cell.sharing == SCN_SHARING_FIXED ? CELL_SHARE_FIXED : CELL_SHARE_EQUAL,
                       s->cell.share);
    if (rc < 0)
        return rc;
    m->nservers = (uint32_t)s->edge.servers;
    m->servers = calloc(m->nservers, sizeof *m->servers);
    m->outstanding = calloc(m->nservers, sizeof *m->outstanding);
    m->nues = (uint32_t)s->ues.count;
    m->ues = calloc(m->nues, sizeof *m->ues);
    if (!m->servers || !m->outstanding || !m->ues)
        return -ENOMEM;
    struct edge_params ep = {
        .batch_max = (uint32_t)s->edge.batch_max,
        .batch_tokens = (double)s->edge.batch_tokens,
        .kv_budget = s->edge.kv_memory_b,
        .order = (enum edge_order)s->edge.scheduling,
    };
    for (uint32_t i = 0; i < m->nservers; i++)
        if ((rc = edge_init(&m->servers[i], sim, &in->edge_table, i, &ep)) < 0)
            return rc;
    uint64_t seed = s->run.seed;
    for (uint32_t u = 0; u < m->nues; u++) {
        struct split_ue *ue = &m->ues[u];
        ue->id = u;
        ue->depleted_at = -1;
        if (rng_init(&ue->arrivals, seed, replication, RNG_KIND_ARRIVAL, u) < 0 ||
            rng_init(&ue->workload, seed, replication, RNG_KIND_WORKLOAD, u) < 0 ||
            rng_init(&ue->loss, seed, replication, RNG_KIND_LINK, u) < 0 ||
            mobility_init(&ue->mob, &m->mob, seed, replication, u) < 0)
            return -ENOMEM;
        ue->distance0 = mobility_distance(&ue->mob, &m->mob, 0);
        if (chan_link_init(&ue->link, &in->up, seed, replication, u, ue->distance0) < 0)
            return -ENOMEM;
        if (s->workload.arrival == SCN_ARRIVAL_TRACE)
            continue;
        int64_t first = s->workload.arrival == SCN_ARRIVAL_POISSON
                            ? rng_exponential_ns(&ue->arrivals, gap_ns(m))
                            : sim_time_round(rng_uniform(&ue->arrivals) * gap_ns(m));
        if (first < m->duration && !sim_schedule(sim, first, 0, on_ue_arrival, m, u))
            return -ENOMEM;
    }
    if (s->workload.arrival == SCN_ARRIVAL_TRACE && in->trace.n &&
        in->trace.v[0].time_ns < m->duration &&
        !sim_schedule(sim, in->trace.v[0].time_ns, 0, on_trace_arrival, m, 0))
        return -ENOMEM;
    if (s->recording.interval_s > 0 && !sim_schedule(sim, 0, PRIO_SAMPLE, on_sample, m, 0))
        return -ENOMEM;

    /* the policy: a fresh instance per replication, with its own stream */
    split_candidates(s, in, &m->k_min, &m->k_max);
    for (uint32_t u = 0; u < m->nues; u++)
        m->ues[u].last_k = m->k_min;
    if (rng_init(&m->policy_rng, seed, replication, RNG_KIND_POLICY, 0) < 0)
        return -ENOMEM;
    if (!ptype)
        ptype = pol_type_find(s->policy.name);
    struct pol_config cfg;
    policy_config(s, in, m->k_min, m->k_max, &m->policy_rng, &cfg);
    if ((rc = policy_init(&m->policy, ptype, &cfg, why)) < 0)
        return rc;
    if (ptype->predict && m->rec.decisions) {
        m->pred = calloc(m->k_max - m->k_min + 1, sizeof *m->pred);
        if (!m->pred)
            return -ENOMEM;
    }
    return 0;
}

int split_error(const struct split_model *m)
{
    if (m->error)
        return m->error;
    for (uint32_t s = 0; s < m->nservers; s++)
        if (m->servers[s].error)
            return m->servers[s].error;
    return 0;
}

int split_finish(struct split_model *m, const char **why)
{
    m->totals->end_s = (double)m->last_done * 1e-9;
    return policy_finish(&m->policy, why);
}

int split_record_ues(struct split_model *m)
{
    struct rec_table *t = m->rec.ues;
    m->totals->end_s = (double)m->last_done * 1e-9;
    if (!t)
        return 0;
    for (uint32_t u = 0; u < m->nues; u++) {
        const struct split_ue *ue = &m->ues[u];
        rec_set_int64(t, 0, m->replication);
        rec_set_int64(t, 1, u);
        rec_set_int64(t, 2, (int64_t)ue->requests);
        rec_set_double(t, 3, ue->energy);
        rec_set_double(t, 4, ue->depleted ? (double)ue->depleted_at * 1e-9 : (double)NAN);
        rec_set_double(t, 5, ue->distance0);
        rec_set_double(t, 6, fading_channel(m) ? ue->link.shadow_db : (double)NAN);
        if (rec_row_commit(t) < 0)
            return -EIO;
    }
    return 0;
}

void split_release(struct split_model *m)
{
    policy_release(&m->policy);
    rng_release(&m->policy_rng);
    free(m->pred);
    for (uint32_t u = 0; m->ues && u < m->nues; u++) {
        struct split_ue *ue = &m->ues[u];
        rng_release(&ue->arrivals);
        rng_release(&ue->workload);
        rng_release(&ue->loss);
        mobility_release(&ue->mob);
        chan_link_release(&ue->link);
        free(ue->jobs);
    }
    free(m->ues);
    for (uint32_t i = 0; m->servers && i < m->nservers; i++)
        edge_release(&m->servers[i]);
    free(m->servers);
    free(m->outstanding);
    cell_release(&m->cell);
    for (size_t i = 0; i < m->nslabs; i++)
        free(m->slabs[i]);
    free(m->slabs);
    memset(m, 0, sizeof *m);
}

/* ---- summary -------------------------------------------------------------------------------- */

static double t_halfwidth(const double *means, size_t n)
{
    if (n < 2)
        return NAN;
    double sd = gsl_stats_sd(means, 1, n);
    return gsl_cdf_tdist_Pinv(0.975, (double)(n - 1)) * sd / sqrt((double)n);
}

int split_stat_compute(const struct split_results *res, enum split_metric k, struct split_stat *out)
{
    const struct split_values *v = &res->metric[k];
    *out = (struct split_stat){
        .n = v->n, .mean = NAN, .ci95 = NAN, .p50 = NAN, .p95 = NAN, .p99 = NAN};
    if (v->n == 0)
        return 0;
    out->mean = gsl_stats_mean(v->v, 1, v->n);
    /* interval: replication means, or 20 batch means of the one replication */
    size_t groups = res->nreps >= 2 ? res->nreps : 20;
    double *means = calloc(groups, sizeof *means);
    double *sorted = malloc(v->n * sizeof *sorted);
    if (!means || !sorted) {
        free(means);
        free(sorted);
        return -ENOMEM;
    }
    size_t ng = 0;
    for (size_t g = 0; g < groups; g++) {
        size_t a, b;
        if (res->nreps >= 2) {
            a = res->reps[g].start[k];
            b = g + 1 < res->nreps ? res->reps[g + 1].start[k] : v->n;
        } else {
            a = v->n * g / groups;
            b = v->n * (g + 1) / groups;
        }
        if (b > a)
            means[ng++] = gsl_stats_mean(v->v + a, 1, b - a);
    }
    out->ci95 = t_halfwidth(means, ng);
    memcpy(sorted, v->v, v->n * sizeof *sorted);
    gsl_sort(sorted, 1, v->n);
    out->p50 = gsl_stats_quantile_from_sorted_data(sorted, 1, v->n, 0.50);
    out->p95 = gsl_stats_quantile_from_sorted_data(sorted, 1, v->n, 0.95);
    out->p99 = gsl_stats_quantile_from_sorted_data(sorted, 1, v->n, 0.99);
    free(means);
    free(sorted);
    return 0;
}

int split_record_summary(struct rec *r, const char *group, const struct scn *s,
                         const struct split_inputs *in, const struct split_results *res,
                         struct split_stat *stats)
{
    uint64_t decisions = 0, evaluations = 0;
    for (size_t i = 0; i < res->nreps; i++) {
        decisions += res->reps[i].decisions;
        evaluations += res->reps[i].evaluations;
    }
    uint64_t arrived = 0, finished = 0, refused = 0, failed = 0, measured = 0;
    for (size_t i = 0; i < res->nreps; i++) {
        arrived += res->reps[i].arrived;
        finished += res->reps[i].finished;
        refused += res->reps[i].refused;
        failed += res->reps[i].failed;
        measured += res->reps[i].measured;
    }
    const char *g = group;
    rec_scalar_int64(r, g, "decisions", "1", "split decisions, all replications",
                     (int64_t)decisions);
    rec_scalar_int64(r, g, "evaluations", "1", "true evaluations the policy paid for",
                     (int64_t)evaluations);
    rec_scalar_double(r, g, "evaluation_cost_s", "s", "evaluations x policy.evaluation_cost",
                      (double)evaluations * s->policy.evaluation_cost_s);
    rec_scalar_int64(r, g, "replications", "1", "replications run", (int64_t)res->nreps);
    rec_scalar_int64(r, g, "requests", "1", "requests that arrived, all replications",
                     (int64_t)arrived);
    rec_scalar_int64(r, g, "finished", "1", "requests finished", (int64_t)finished);
    rec_scalar_int64(r, g, "refused", "1", "requests refused (KV cache larger than the budget)",
                     (int64_t)refused);
    rec_scalar_int64(r, g, "failed", "1", "requests ended by a radio-link failure",
                     (int64_t)failed);
    rec_scalar_int64(r, g, "measured", "1", "finished requests that arrived after the warm-up",
                     (int64_t)measured);
    rec_scalar_int64(r, g, "split", "1",
                     "split.layer: the fixed policy's k (the chosen splits are /requests/split)",
                     (int64_t)s->split.layer);
    rec_scalar_int64(r, g, "blocks", "1", "L: decoder blocks of the model", in->blocks);
    rec_scalar_int64(r, g, "ues", "1", "number of UEs", (int64_t)s->ues.count);
    rec_attr_string(r, g, "quality_source", in->quality_source);
    rec_attr_string(r, g, "ue_cost_table",
                    *s->ues.cost_table ? s->ues.cost_table : in->ue_table.source);
    rec_attr_string(r, g, "edge_cost_table",
                    *s->edge.cost_table ? s->edge.cost_table : in->edge_table.source);
    for (int k = 0; k < SM_COUNT_; k++) {
        if (split_stat_compute(res, (enum split_metric)k, &stats[k]) < 0)
            return -ENOMEM;
        char sub[160];
        snprintf(sub, sizeof sub, "%s/%s", group, split_metric_info[k].name);
        const char *u = split_metric_info[k].units;
        const struct split_stat *st = &stats[k];
        rec_scalar_int64(r, sub, "n", "1", "measured requests with a value", (int64_t)st->n);
        rec_scalar_double(r, sub, "mean", u, split_metric_info[k].description, st->mean);
        rec_scalar_double(r, sub, "ci95", u,
                          "95 % confidence half-width of the mean (t over replication means, or "
                          "20 batch means of one replication)",
                          st->ci95);
        rec_scalar_double(r, sub, "p50", u, "median", st->p50);
        rec_scalar_double(r, sub, "p95", u, "95th percentile", st->p95);
        rec_scalar_double(r, sub, "p99", u, "99th percentile", st->p99);
    }
    return rec_error(r);
}
