/* The split model's inputs: what a run loads once and every replication shares (split.h). */
#include "models/split/split.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/llm/derive.h"
#include "models/llm/device.h"
#include "sim/apportion.h"
#include "sim/simtime.h"

static void fill_channel(const struct scn *s, struct chan_params *up, struct chan_params *down)
{
    static const enum chan_fading fading[] = {CHAN_FADING_NONE, CHAN_FADING_RAYLEIGH,
                                              CHAN_FADING_RICIAN, CHAN_FADING_NAKAGAMI};
    static const enum chan_pathloss pathloss[] = {
        [SCN_PATHLOSS_LOG_DISTANCE] = CHAN_PATHLOSS_LOG_DISTANCE,
        [SCN_PATHLOSS_UMI] = CHAN_PATHLOSS_UMI,
        [SCN_PATHLOSS_UMA] = CHAN_PATHLOSS_UMA,
        [SCN_PATHLOSS_RMA] = CHAN_PATHLOSS_RMA,
    };
    static const enum chan_los los[] = {
        [SCN_LOS_PROBABILITY] = CHAN_LOS_PROBABILITY,
        [SCN_LOS_ALWAYS] = CHAN_LOS_ALWAYS,
        [SCN_LOS_NEVER] = CHAN_LOS_NEVER,
    };
    const struct scn_channel *c = &s->channel;
    *up = (struct chan_params){
        .carrier_hz = c->carrier_hz,
        .bandwidth_hz = s->cell.bandwidth_hz,
        .tx_power_dbm = c->tx_power_dbm,
        .noise_psd_dbm_hz = c->noise_psd_dbm_hz,
        .noise_figure_db = c->noise_figure_db,
        .pathloss = pathloss[c->pathloss],
        .pathloss_ref_db = c->pathloss_ref_db,
        .pathloss_exponent = c->pathloss_exponent,
        .bs_height_m = c->bs_height_m,
        .ue_height_m = c->ue_height_m,
        .building_height_m = c->building_height_m,
        .street_width_m = c->street_width_m,
        .los_mode = los[c->los],
        .los_decorrelation_m = c->los_decorrelation_m,
        .shadowing_db = c->shadowing_db,
        .shadowing_los_db = c->shadowing_los_db,
        .shadow_decorrelation_m = c->shadow_decorrelation_m,
        .shadow_decorrelation_los_m = c->shadow_decorrelation_los_m,
        .fading = fading[c->fading],
        .rician_k = c->rician_k,
        .nakagami_m = c->nakagami_m,
        .environment_doppler_hz = c->environment_doppler_hz,
        .snr_gap_db = c->snr_gap_db,
        .rate = c->rate == SCN_RATE_MCS ? CHAN_RATE_MCS : CHAN_RATE_SHANNON,
        .margin_db = c->margin_db,
    };
    *down = *up;
    down->tx_power_dbm = c->bs_tx_power_dbm;
    down->bandwidth_hz = s->cell.downlink_bandwidth_hz;
}

/* Loads or derives one side's cost table. */
static double value_bytes_of(int p)
{
    return p == SCN_PRECISION_INT8 ? 1 : p == SCN_PRECISION_INT4 ? 0.5 : 2;
}

static enum quality_precision precision_of(int p)
{
    switch (p) {
    case SCN_PRECISION_INT8:
        return QUALITY_INT8;
    case SCN_PRECISION_INT4:
        return QUALITY_INT4;
    default:
        return QUALITY_FP16;
    }
}

void split_params_bind(const struct scn *s, uint32_t blocks, struct split_params *p)
{
    const struct scn_channel *c = &s->channel;
    const struct scn_reward *w = &s->reward;
    *p = (struct split_params){
        .arrival = s->workload.arrival == SCN_ARRIVAL_POISSON    ? SPLIT_ARRIVAL_POISSON
                   : s->workload.arrival == SCN_ARRIVAL_PERIODIC ? SPLIT_ARRIVAL_PERIODIC
                                                                 : SPLIT_ARRIVAL_TRACE,
        .rate_per_s = s->workload.rate_per_s,
        .tokens = s->workload.tokens == SCN_TOKENS_UNIFORM     ? SPLIT_TOKENS_UNIFORM
                  : s->workload.tokens == SCN_TOKENS_GEOMETRIC ? SPLIT_TOKENS_GEOMETRIC
                                                               : SPLIT_TOKENS_FIXED,
        .prompt_tokens = s->workload.prompt_tokens,
        .output_tokens = s->workload.output_tokens,
        .deadline_s = s->workload.deadline_s,
        .battery_j = s->ues.battery_j,
        .precision = precision_of(s->split.precision),
        .link = {.fading = c->model == SCN_CHANNEL_FADING,
                 .erasure_probability = c->erasure_probability,
                 .erasure_probability_max = c->erasure_probability_max,
                 .erasure_rate_bps = c->erasure_rate_bps,
                 .token_bytes = c->token_bytes,
                 .packet_bytes = c->packet_bytes,
                 .harq_rtt_s = c->harq_rtt_s,
                 .adaptation_ns =
                     sim_time_from_s(c->adaptation_s) > 0 ? sim_time_from_s(c->adaptation_s) : 1,
                 .harq_max = c->harq_max,
                 .max_rounds = c->max_rounds},
        .batch_max = s->edge.batch_max,
        .edge_load_visible = s->policy.edge_load_visible,
        .reward = {.quality = w->quality,
                   .ue_load = w->ue_load,
                   .latency = w->latency,
                   .energy = w->energy,
                   .edge_load = w->edge_load,
                   .deadline = w->deadline,
                   .latency_ref_s = w->latency_ref_s,
                   .energy_ref_j = w->energy_ref_j,
                   .latency_metric = w->latency_metric == SCN_METRIC_TPOT ? SPLIT_METRIC_TPOT
                                     : w->latency_metric == SCN_METRIC_LATENCY
                                         ? SPLIT_METRIC_LATENCY
                                         : SPLIT_METRIC_TTFT},
        .record_every = s->recording.every,
        .record_snr_ues = s->recording.snr_ues,
        .record_interval_s = s->recording.interval_s,
        .seed = s->run.seed,
        .duration_s = s->run.duration_s,
        .warmup_s = s->run.warmup_s,
        .nues = (uint32_t)s->ues.count,
        .nservers = (uint32_t)s->edge.servers,
        .value_bytes = value_bytes_of(s->split.precision),
        .tx_draw_w = pow(10, (s->ues.tx_electric_dbm - 30) / 10),
        .rx_draw_w = pow(10, (s->ues.rx_electric_dbm - 30) / 10),
        .mob = {.radius_m = s->cell.radius_m,
                .moving = s->ues.mobility == SCN_MOBILITY_RANDOM_WAYPOINT,
                .speed_min_mps = s->ues.speed_min_mps,
                .speed_max_mps = s->ues.speed_max_mps,
                .pause_ns = sim_time_from_s(s->ues.pause_s),
                .local_speed_mps = c->speed_mps},
        .cell_bandwidth_hz = s->cell.bandwidth_hz,
        .cell_share = s->cell.share,
        .cell_sharing = s->cell.sharing == SCN_SHARING_FIXED ? CELL_SHARE_FIXED : CELL_SHARE_EQUAL,
        .edge = {.batch_max = (uint32_t)s->edge.batch_max,
                 .batch_tokens = (double)s->edge.batch_tokens,
                 .kv_budget = s->edge.kv_memory_b,
                 .order = s->edge.scheduling == SCN_ORDER_DECODE_FIRST    ? EDGE_ORDER_DECODE_FIRST
                          : s->edge.scheduling == SCN_ORDER_PREFILL_FIRST ? EDGE_ORDER_PREFILL_FIRST
                                                                          : EDGE_ORDER_FIFO},
        .fixed_k = (uint32_t)s->split.layer,
        .policy_name = s->policy.name,
        .evaluation_cost_s = s->policy.evaluation_cost_s,
        .ue_cost_table = s->ues.cost_table,
        .edge_cost_table = s->edge.cost_table,
    };
    /* the candidate splits: [min_split, max_split] within [0, L] */
    uint64_t hi = s->policy.max_split < blocks ? s->policy.max_split : blocks;
    p->k_max = (uint32_t)hi;
    p->k_min = s->policy.min_split < hi ? (uint32_t)s->policy.min_split : (uint32_t)hi;
    const struct scn_mbrl *mb = &s->policy.mbrl;
    p->policy = (struct pol_config){
        .blocks = blocks,
        .k_min = p->k_min,
        .k_max = p->k_max,
        .fixed_k = p->fixed_k,
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

/* The class of every UE, each class's UEs and the share it was asked for (split.h). 0 or
 * -ENOMEM. */
static int assign_classes(struct split_inputs *in, const struct scn *s, struct diag *d)
{
    uint32_t n = in->nclasses, nues = in->par.nues;
    const struct scn_list *classes = &s->ues.classes;
    in->ue_class = calloc(nues ? nues : 1, sizeof *in->ue_class);
    in->class_ues = calloc(n, sizeof *in->class_ues);
    in->class_fraction = calloc(n, sizeof *in->class_fraction);
    uint64_t *picks = calloc(n, sizeof *picks);
    int rc = in->ue_class && in->class_ues && in->class_fraction && picks ? 0 : -ENOMEM;
    if (rc == 0 && classes->w) { /* fractions: largest remainder, Tijdeman's order */
        memcpy(in->class_fraction, classes->w, n * sizeof *in->class_fraction);
        rc = apportion_counts(classes->w, n, nues, in->class_ues);
        if (rc == 0)
            rc = apportion_order(in->class_ues, n, in->ue_class, picks);
    } else if (rc == 0) { /* one device, or plain entries in turn */
        for (uint32_t c = 0; c < n; c++)
            in->class_fraction[c] = 1.0 / n;
        for (uint32_t u = 0; u < nues; u++)
            in->class_ues[in->ue_class[u] = u % n]++;
    }
    free(picks);
    if (rc == -ENOMEM)
        diag_error(d, "out of memory");
    else if (rc < 0) /* the scenario checked the fractions: a bug */
        scn_error_at(s, d, "ues.classes", "ues.classes: cannot share %" PRIu32 " UEs (%s)", nues,
                     strerror(-rc));
    return rc;
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
    split_params_bind(s, in->blocks, &in->par);
    fill_channel(s, &in->up, &in->down);
    const char *why = chan_params_check(&in->up);
    if (why) {
        scn_error_at(s, d, "channel.model", "channel: %s", why);
        split_inputs_release(in);
        return -EINVAL;
    }
    const struct scn_list *classes = &s->ues.classes;
    in->nclasses = classes->n ? (uint32_t)classes->n : 1;
    int rc = load_table(&in->ue_table, s, in->arch, "ues.cost_table", s->ues.cost_table,
                        classes->n ? "ues.classes" : "ues.device",
                        classes->n ? classes->v[0] : s->ues.device, in->nlayers, d);
    if (rc == 0 && in->nclasses > 1) {
        in->ue_classes = calloc(in->nclasses - 1, sizeof *in->ue_classes);
        if (!in->ue_classes)
            rc = -ENOMEM;
        for (uint32_t i = 1; rc == 0 && i < in->nclasses; i++) {
            rc = load_table(&in->ue_classes[i - 1], s, in->arch, "ues.cost_table", "",
                            "ues.classes", classes->v[i], in->nlayers, d);
            if (rc < 0)
                in->nclasses = i; /* release what was loaded */
        }
    }
    if (rc == 0)
        rc = assign_classes(in, s, d);
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
    in->quality_ceiling =
        in->have_qtable ? (double)INFINITY : quality_ceiling(in->assumed, in->par.precision);
    return 0;
}

const struct cost_table *split_ue_table(const struct split_inputs *in, uint32_t ue)
{
    return split_class_table(in, in->ue_class[ue]);
}

const struct cost_table *split_class_table(const struct split_inputs *in, uint32_t c)
{
    return c == 0 ? &in->ue_table : &in->ue_classes[c - 1];
}

const char *split_class_device(const struct split_inputs *in, const struct scn *s, uint32_t c)
{
    if (s->ues.classes.n)
        return s->ues.classes.v[c];
    /* with ues.cost_table, ues.device is not read: the table names its device */
    return *in->par.ue_cost_table && in->ue_table.device ? in->ue_table.device : s->ues.device;
}

void split_inputs_release(struct split_inputs *in)
{
    if (in->arch == &in->arch_file.arch)
        arch_spec_release(&in->arch_file);
    cost_release(&in->ue_table);
    for (uint32_t i = 1; in->ue_classes && i < in->nclasses; i++)
        cost_release(&in->ue_classes[i - 1]);
    free(in->ue_classes);
    free(in->ue_class);
    free(in->class_ues);
    free(in->class_fraction);
    cost_release(&in->edge_table);
    if (in->have_qtable)
        qtable_release(&in->qtable);
    trace_release(&in->trace);
    memset(in, 0, sizeof *in);
}
