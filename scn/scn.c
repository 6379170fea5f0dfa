#include "scn/scn.h"
#include "scn/sweep.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "scn/filepath.h"
#include "sim/invariant.h"
#include "sim/slurp.h"

/* ---- the schema ------------------------------------------------------------------------------
 * Every key a scenario may contain. Later models add their sections here, through the same
 * machinery; scenarios/README.md documents this table (a test compares the two). Which model
 * reads which key, and the choices of `model:`, come from the catalogue (scn/catalog.h). */

static const char *const arrival_choices[] = {"poisson", "periodic", "trace", NULL};
static const char *const tokens_choices[] = {"fixed", "uniform", "geometric", NULL};
static const char *const mobility_choices[] = {"static", "random_waypoint", NULL};
static const char *const order_choices[] = {"fifo", "decode_first", "prefill_first", NULL};
static const char *const sharing_choices[] = {"equal", "fixed", NULL};
static const char *const channel_choices[] = {"fading", "erasure", NULL};
static const char *const pathloss_choices[] = {"log_distance", "umi", "uma", "rma", NULL};
static const char *const los_choices[] = {"probability", "always", "never", NULL};
static const char *const fading_choices[] = {"none", "rayleigh", "rician", "nakagami", NULL};
static const char *const rate_choices[] = {"shannon", "mcs", NULL};
static const char *const precision_choices[] = {"fp16", "int8", "int4", NULL};
static const char *const metric_choices[] = {"ttft", "tpot", "latency", NULL};
static const char *const service_choices[] = {"exponential", "deterministic", NULL};
static const char *const warmup_choices[] = {"fixed", "mser5", NULL};

#define U64_MAX_D 1.8446744073709552e19

/* A macro's value as a string literal, for the documentation of a limit. */
#define TEXT_OF_(x)          #x
#define TEXT_OF(x)           TEXT_OF_(x)
#define PATH_NAME_MAX_TEXT   TEXT_OF(SCN_MAX_PATH_NAME)
#define POLICY_NAME_MAX_TEXT TEXT_OF(SCN_MAX_POLICY_NAME)

static const struct scn_field run_fields[] = {
    {.key = "duration",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_run, duration_s),
     .dim = DIM_TIME,
     .min = 0,
     .min_exclusive = true,
     .max = 1e9,
     .doc = "simulated time during which requests arrive; the run then drains the queue"},
    {.key = "warmup",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_run, warmup_s),
     .dim = DIM_TIME,
     .min = 0,
     .max = 1e9,
     .def = "0 s",
     .doc = "requests arriving earlier are recorded but left out of the summary; < duration"},
    {.key = "seed",
     .type = FIELD_UINT,
     .offset = offsetof(struct scn_run, seed),
     .min = 0,
     .max = U64_MAX_D,
     .def = "1",
     .doc = "master seed of every random stream"},
    {.key = "replications",
     .type = FIELD_UINT,
     .offset = offsetof(struct scn_run, replications),
     .min = 1,
     .max = 100000,
     .def = "1",
     .doc = "independent replications (different random streams) in one run"},
    {.key = "first_replication",
     .type = FIELD_UINT,
     .offset = offsetof(struct scn_run, first_replication),
     .min = 0,
     .max = 4294967295.0,
     .def = "0",
     .doc = "number of the first replication (a sweep point sets it)"},
    {0},
};

static const struct scn_field analysis_fields[] = {
    {.key = "warmup",
     .type = FIELD_ENUM,
     .offset = offsetof(struct scn_analysis, warmup),
     .choices = warmup_choices,
     .def = "fixed",
     .doc = "queue model: where the statistics start: fixed = at run.warmup; mser5 = where MSER-5 "
            "finds the end of the warm-up in each replication's times in system after run.warmup "
            "(White 1997)"},
    {0},
};

static const struct scn_field ues_fields[] = {
    {.key = "count",
     .type = FIELD_UINT,
     .offset = offsetof(struct scn_ues, count),
     .min = 1,
     .max = SCN_MAX_UES,
     .def = "1",
     .doc = "number of user devices"},
    {.key = "device",
     .type = FIELD_STRING,
     .file = FIELD_NAME_OR_FILE,
     .offset = offsetof(struct scn_ues, device),
     .def = "jetson-agx-orin",
     .doc = "UE hardware: a device of 'splitsim tables list' or a device file; the UE's cost "
            "table is derived from it unless ues.cost_table is given"},
    {.key = "classes",
     .type = FIELD_LIST,
     .file = FIELD_NAME_OR_FILE,
     .name_max = SCN_MAX_PATH_NAME,
     .offset = offsetof(struct scn_ues, classes),
     .entry_key = "device",
     .weight_key = "fraction",
     .def = "",
     .doc = "a mixed fleet of device classes (names or files): plain entries go to the UEs in "
            "turn, UE u gets entry u mod n; entries {device: D, fraction: F} (F in (0, 1], "
            "summing to 1; on every entry or none) give each class its largest-remainder share "
            "of ues.count, interleaved so that every prefix of the UEs follows the mix "
            "(docs/MODELS.md); [] = every UE is ues.device; names (and files' resolved paths) "
            "of at most " PATH_NAME_MAX_TEXT " bytes"},
    {.key = "cost_table",
     .type = FIELD_STRING,
     .file = FIELD_FILE,
     .offset = offsetof(struct scn_ues, cost_table),
     .def = "",
     .doc = "UE cost-table file (docs/TABLES.md), e.g. a measured one; \"\" derives it"},
    {.key = "mobility",
     .type = FIELD_ENUM,
     .offset = offsetof(struct scn_ues, mobility),
     .choices = mobility_choices,
     .def = "static",
     .doc = "static (uniform in the cell) or random_waypoint"},
    {.key = "speed_min",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_ues, speed_min_mps),
     .dim = DIM_SPEED,
     .min = 0,
     .min_exclusive = true,
     .max = 100,
     .def = "0.5 m/s",
     .doc = "random waypoint: lowest leg speed"},
    {.key = "speed_max",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_ues, speed_max_mps),
     .dim = DIM_SPEED,
     .min = 0,
     .min_exclusive = true,
     .max = 100,
     .def = "1.5 m/s",
     .doc = "random waypoint: highest leg speed (>= speed_min)"},
    {.key = "pause",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_ues, pause_s),
     .dim = DIM_TIME,
     .min = 0,
     .max = 1e6,
     .def = "0 s",
     .doc = "random waypoint: pause at each waypoint"},
    {.key = "tx_power_draw",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_ues, tx_electric_dbm),
     .dim = DIM_POWER,
     .min = -30,
     .max = 60,
     .def = "1 W",
     .doc = "electrical power the UE draws while transmitting (radio energy = this x airtime)"},
    {.key = "rx_power_draw",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_ues, rx_electric_dbm),
     .dim = DIM_POWER,
     .min = -30,
     .max = 60,
     .def = "0.5 W",
     .doc = "electrical power the UE draws while receiving"},
    {.key = "battery",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_ues, battery_j),
     .dim = DIM_ENERGY,
     .min = 0,
     .max = 1e9,
     .def = "0 J",
     .doc = "energy each UE starts with; an empty UE sends no new requests; 0 = unlimited"},
    {0},
};

static const struct scn_field llm_fields[] = {
    {.key = "model",
     .type = FIELD_STRING,
     .file = FIELD_NAME_OR_FILE,
     .offset = offsetof(struct scn_llm, model),
     .def = "llama-2-7b",
     .doc = "the LLM: a model of 'splitsim tables list' or an architecture file"},
    {.key = "quality_table",
     .type = FIELD_STRING,
     .file = FIELD_FILE,
     .offset = offsetof(struct scn_llm, quality_table),
     .def = "",
     .doc = "quality-table file (perplexity vs split and erasure); \"\" uses the documented "
            "assumption of docs/TABLES.md"},
    {0},
};

static const struct scn_field workload_fields[] = {
    {.key = "arrival",
     .type = FIELD_ENUM,
     .offset = offsetof(struct scn_workload, arrival),
     .choices = arrival_choices,
     .def = "poisson",
     .doc = "request arrivals per UE: poisson (exponential gaps) or periodic (fixed gap, random "
            "phase)"},
    {.key = "rate",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_workload, rate_per_s),
     .dim = DIM_RATE,
     .min = 0,
     .min_exclusive = true,
     .max = 1e6,
     .def = "0.1 /s",
     .doc = "requests per second from each UE"},
    {.key = "trace",
     .type = FIELD_STRING,
     .file = FIELD_FILE,
     .offset = offsetof(struct scn_workload, trace),
     .def = "",
     .doc = "arrival: trace: CSV file with lines time_s,ue,prompt_tokens,output_tokens"},
    {.key = "prompt_tokens",
     .type = FIELD_UINT,
     .offset = offsetof(struct scn_workload, prompt_tokens),
     .min = 1,
     .max = SCN_MAX_TOKENS,
     .def = "256",
     .doc = "mean prompt length"},
    {.key = "output_tokens",
     .type = FIELD_UINT,
     .offset = offsetof(struct scn_workload, output_tokens),
     .min = 1,
     .max = SCN_MAX_TOKENS,
     .def = "128",
     .doc = "mean number of generated tokens"},
    {.key = "tokens",
     .type = FIELD_ENUM,
     .offset = offsetof(struct scn_workload, tokens),
     .choices = tokens_choices,
     .def = "fixed",
     .doc = "token-count draws: fixed (the means), uniform on [1, 2 mean - 1], geometric on 1, 2, "
            "..."},
    {.key = "deadline",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_workload, deadline_s),
     .dim = DIM_TIME,
     .min = 0,
     .max = 1e9,
     .def = "0 s",
     .doc = "end-to-end latency a request should meet (recorded per request); 0 = none"},
    {0},
};

static const struct scn_field edge_fields[] = {
    {.key = "service",
     .type = FIELD_ENUM,
     .offset = offsetof(struct scn_edge, service),
     .choices = service_choices,
     .def = "exponential",
     .doc = "service-time distribution of the edge server (one request at a time, FIFO)"},
    {.key = "service_time",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_edge, service_time_s),
     .dim = DIM_TIME,
     .min = 1e-6,
     .max = 1e6,
     .def = "1 s",
     .doc = "mean service time of one request"},
    {.key = "servers",
     .type = FIELD_UINT,
     .offset = offsetof(struct scn_edge, servers),
     .min = 1,
     .max = 10000,
     .def = "1",
     .doc = "GPU servers; a request goes to the one with the fewest requests in progress"},
    {.key = "device",
     .type = FIELD_STRING,
     .file = FIELD_NAME_OR_FILE,
     .offset = offsetof(struct scn_edge, device),
     .def = "a100",
     .doc = "server GPU: a device of 'splitsim tables list' or a device file"},
    {.key = "cost_table",
     .type = FIELD_STRING,
     .file = FIELD_FILE,
     .offset = offsetof(struct scn_edge, cost_table),
     .def = "",
     .doc = "server cost-table file; \"\" derives it from edge.device"},
    {.key = "batch_max",
     .type = FIELD_UINT,
     .offset = offsetof(struct scn_edge, batch_max),
     .min = 1,
     .max = 65536,
     .def = "64",
     .doc = "jobs (prefills and decode steps) per iteration"},
    {.key = "batch_tokens",
     .type = FIELD_UINT,
     .offset = offsetof(struct scn_edge, batch_tokens),
     .min = 1,
     .max = 10000000,
     .def = "4096",
     .doc = "prompt tokens per iteration (a longer prompt runs alone)"},
    {.key = "kv_memory",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_edge, kv_memory_b),
     .dim = DIM_SIZE,
     .min = 0,
     .min_exclusive = true,
     .max = 1e15,
     .def = "40 GiB",
     .doc = "GPU memory for KV caches; a request reserves (prompt + output) tokens' worth"},
    {.key = "scheduling",
     .type = FIELD_ENUM,
     .offset = offsetof(struct scn_edge, scheduling),
     .choices = order_choices,
     .def = "fifo",
     .doc = "order in which waiting jobs join an iteration"},
    {0},
};

static const struct scn_field cell_fields[] = {
    {.key = "radius",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_cell, radius_m),
     .dim = DIM_DISTANCE,
     .min = 1,
     .max = 1e5,
     .def = "200 m",
     .doc = "UEs are placed uniformly in a disc of this radius around the base station"},
    {.key = "bandwidth",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_cell, bandwidth_hz),
     .dim = DIM_FREQUENCY,
     .min = 1e3,
     .max = 1e11,
     .def = "20 MHz",
     .doc = "uplink bandwidth shared by the UEs transmitting at the same time"},
    {.key = "sharing",
     .type = FIELD_ENUM,
     .offset = offsetof(struct scn_cell, sharing),
     .choices = sharing_choices,
     .def = "equal",
     .doc = "equal: B/n to each of n active transfers; fixed: cell.share x B to each"},
    {.key = "share",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_cell, share),
     .dim = DIM_NONE,
     .min = 0,
     .min_exclusive = true,
     .max = 1,
     .def = "0.1",
     .doc = "sharing: fixed: the fraction of the bandwidth each transfer gets"},
    {.key = "downlink_bandwidth",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_cell, downlink_bandwidth_hz),
     .dim = DIM_FREQUENCY,
     .min = 1e3,
     .max = 1e11,
     .def = "20 MHz",
     .doc = "downlink bandwidth a token is sent over (tokens are small: not shared)"},
    {0},
};

static const struct scn_field channel_fields[] = {
    {.key = "model",
     .type = FIELD_ENUM,
     .offset = offsetof(struct scn_channel, model),
     .choices = channel_choices,
     .def = "fading",
     .doc = "fading: path loss, shadowing, fading, packets and HARQ; erasure: the paper's "
            "abstraction (each value erased with channel.erasure_probability)"},
    {.key = "erasure_probability",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_channel, erasure_probability),
     .dim = DIM_NONE,
     .min = 0,
     .max = 1,
     .def = "0.05",
     .doc = "model: erasure: probability that a value of the hidden state arrives erased"},
    {.key = "erasure_probability_max",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_channel, erasure_probability_max),
     .dim = DIM_NONE,
     .min = 0,
     .max = 1,
     .def = "0",
     .doc = "model: erasure: when above erasure_probability, each request's p is drawn uniformly "
            "in [erasure_probability, this] (the UE knows its p)"},
    {.key = "erasure_rate",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_channel, erasure_rate_bps),
     .dim = DIM_BITRATE,
     .min = 0,
     .max = 1e13,
     .def = "0 bit/s",
     .doc = "model: erasure: fixed link rate per UE; 0 = transfers take no time"},
    {.key = "carrier",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_channel, carrier_hz),
     .dim = DIM_FREQUENCY,
     .min = 1e8,
     .max = 1e11,
     .def = "3.5 GHz",
     .doc = "carrier frequency (Doppler; umi path loss)"},
    {.key = "pathloss",
     .type = FIELD_ENUM,
     .offset = offsetof(struct scn_channel, pathloss),
     .choices = pathloss_choices,
     .def = "log_distance",
     .doc = "log_distance: ref + 10 n log10(d / 1 m); umi, uma, rma: 3GPP TR 38.901 UMi-Street "
            "Canyon, UMa, RMa with LOS probability; their standard heights, shadowing and "
            "decorrelation distances apply to the keys left unset (docs/MODELS.md)"},
    {.key = "pathloss_exponent",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_channel, pathloss_exponent),
     .dim = DIM_NONE,
     .min = 1,
     .max = 8,
     .def = "3.5",
     .doc = "log_distance: exponent n"},
    {.key = "pathloss_ref",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_channel, pathloss_ref_db),
     .dim = DIM_GAIN,
     .min = 0,
     .max = 200,
     .def = "43.3 dB",
     .doc = "log_distance: path loss at 1 m (free space at 3.5 GHz: 43.3 dB)"},
    {.key = "bs_height",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_channel, bs_height_m),
     .dim = DIM_DISTANCE,
     .min = 1,
     .max = 150,
     .def = "10 m",
     .doc = "umi, uma, rma: base-station antenna height (unset: 10, 25, 35 m)"},
    {.key = "ue_height",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_channel, ue_height_m),
     .dim = DIM_DISTANCE,
     .min = 1,
     .max = 22.5,
     .def = "1.5 m",
     .doc = "umi, uma, rma: UE antenna height (umi, uma: 1.5 .. 22.5 m; rma: 1 .. 10 m)"},
    {.key = "building_height",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_channel, building_height_m),
     .dim = DIM_DISTANCE,
     .min = 5,
     .max = 50,
     .def = "5 m",
     .doc = "rma: mean building height h"},
    {.key = "street_width",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_channel, street_width_m),
     .dim = DIM_DISTANCE,
     .min = 5,
     .max = 50,
     .def = "20 m",
     .doc = "rma: street width W"},
    {.key = "los",
     .type = FIELD_ENUM,
     .offset = offsetof(struct scn_channel, los),
     .choices = los_choices,
     .def = "probability",
     .doc = "umi, uma, rma: line of sight by the 38.901 LOS probability, drawn spatially "
            "consistently (it changes as a UE moves), or always or never"},
    {.key = "los_decorrelation",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_channel, los_decorrelation_m),
     .dim = DIM_DISTANCE,
     .min = 1,
     .max = 1e5,
     .def = "50 m",
     .doc = "umi, uma, rma: decorrelation distance of the LOS state (unset: 50, 50, 60 m)"},
    {.key = "shadowing",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_channel, shadowing_db),
     .dim = DIM_GAIN,
     .min = 0,
     .max = 30,
     .def = "8 dB",
     .doc = "standard deviation of log-normal shadowing; NLOS with umi, uma, rma (unset: 7.82, "
            "6, 8 dB)"},
    {.key = "shadowing_los",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_channel, shadowing_los_db),
     .dim = DIM_GAIN,
     .min = 0,
     .max = 30,
     .def = "4 dB",
     .doc = "umi, uma, rma: standard deviation of the shadowing in line of sight"},
    {.key = "shadowing_decorrelation",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_channel, shadow_decorrelation_m),
     .dim = DIM_DISTANCE,
     .min = 1,
     .max = 1e5,
     .def = "50 m",
     .doc = "decorrelation distance of the shadowing, exp(-d / L) (Gudmundson); NLOS with umi, "
            "uma, rma (unset: 13, 50, 120 m)"},
    {.key = "shadowing_decorrelation_los",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_channel, shadow_decorrelation_los_m),
     .dim = DIM_DISTANCE,
     .min = 1,
     .max = 1e5,
     .def = "37 m",
     .doc = "umi, uma, rma: decorrelation distance of the LOS shadowing (unset: 10, 37, 37 m)"},
    {.key = "fading",
     .type = FIELD_ENUM,
     .offset = offsetof(struct scn_channel, fading),
     .choices = fading_choices,
     .def = "rayleigh",
     .doc = "small-scale fading: a sum-of-sinusoids (Jakes) process continuous in time, its "
            "Doppler shift from the UE's own movement (docs/MODELS.md)"},
    {.key = "rician_k",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_channel, rician_k),
     .dim = DIM_NONE,
     .min = 0,
     .max = 1000,
     .def = "3",
     .doc = "fading: rician: K factor (linear)"},
    {.key = "nakagami_m",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_channel, nakagami_m),
     .dim = DIM_NONE,
     .min = 0.5,
     .max = 16,
     .def = "2",
     .doc = "fading: nakagami: m (any real value)"},
    {.key = "speed",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_channel, speed_mps),
     .dim = DIM_SPEED,
     .min = 0,
     .max = 150,
     .def = "3 km/h",
     .doc = "ues.mobility: static: how fast a UE moves about its spot (its distance to the base "
            "station stays fixed), for the Doppler shift v f_c / c of its fading; a "
            "random_waypoint UE's Doppler follows its own movement"},
    {.key = "environment_doppler",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_channel, environment_doppler_hz),
     .dim = DIM_FREQUENCY,
     .min = 0,
     .max = 1000,
     .def = "2 Hz",
     .doc = "Doppler shift of moving scatterers, added to every UE's own: f_D = v f_c / c + "
            "this; keeps a still UE's channel changing"},
    {.key = "adaptation_interval",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_channel, adaptation_s),
     .dim = DIM_TIME,
     .min = 1e-6,
     .max = 1e3,
     .def = "5 ms",
     .doc = "link adaptation: an uplink burst goes at the rate chosen for the SNR at its start "
            "for at most this long, then the rate is chosen again"},
    {.key = "tx_power",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_channel, tx_power_dbm),
     .dim = DIM_POWER,
     .min = -50,
     .max = 60,
     .def = "23 dBm",
     .doc = "UE transmit power (uplink)"},
    {.key = "bs_tx_power",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_channel, bs_tx_power_dbm),
     .dim = DIM_POWER,
     .min = -50,
     .max = 80,
     .def = "43 dBm",
     .doc = "base-station transmit power (downlink)"},
    {.key = "noise_psd",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_channel, noise_psd_dbm_hz),
     .dim = DIM_PSD,
     .min = -220,
     .max = -100,
     .def = "-174 dBm/Hz",
     .doc = "thermal noise density"},
    {.key = "noise_figure",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_channel, noise_figure_db),
     .dim = DIM_GAIN,
     .min = 0,
     .max = 30,
     .def = "7 dB",
     .doc = "receiver noise figure"},
    {.key = "rate",
     .type = FIELD_ENUM,
     .offset = offsetof(struct scn_channel, rate),
     .choices = rate_choices,
     .def = "shannon",
     .doc = "shannon: B log2(1 + SNR / gap), outage loss; mcs: 3GPP CQI table, BLER curve"},
    {.key = "snr_gap",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_channel, snr_gap_db),
     .dim = DIM_GAIN,
     .min = 0,
     .max = 20,
     .def = "0 dB",
     .doc = "rate: shannon: the gap to capacity of practical coding"},
    {.key = "margin",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_channel, margin_db),
     .dim = DIM_GAIN,
     .min = 0,
     .max = 30,
     .def = "3 dB",
     .doc = "link adaptation picks the rate for the SNR at the start of a transfer minus this"},
    {.key = "packet_size",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_channel, packet_bytes),
     .dim = DIM_SIZE,
     .min = 1,
     .max = 1e9,
     .def = "1500 B",
     .doc = "payload per packet; a lost packet erases a contiguous run of values"},
    {.key = "harq_max",
     .type = FIELD_UINT,
     .offset = offsetof(struct scn_channel, harq_max),
     .min = 0,
     .max = 32,
     .def = "3",
     .doc = "retransmissions of a lost hidden-state packet before it counts as erased (token ids "
            "are retransmitted until received)"},
    {.key = "max_rounds",
     .type = FIELD_UINT,
     .offset = offsetof(struct scn_channel, max_rounds),
     .min = 1,
     .max = 100000,
     .def = "32",
     .doc = "tries for a token id before the request ends as a radio-link failure (status 2)"},
    {.key = "harq_rtt",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_channel, harq_rtt_s),
     .dim = DIM_TIME,
     .min = 0,
     .max = 10,
     .def = "1 ms",
     .doc = "delay before a retransmission round"},
    {.key = "token_bytes",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_channel, token_bytes),
     .dim = DIM_SIZE,
     .min = 1,
     .max = 1e6,
     .def = "4 B",
     .doc = "size of a token id on the link (split 0 sends the prompt's ids; tokens come back)"},
    {0},
};

static const struct scn_field mbrl_fields[] = {
    {.key = "hidden",
     .type = FIELD_UINT,
     .offset = offsetof(struct scn_mbrl, hidden),
     .min = 2,
     .max = 4096,
     .def = "64",
     .doc = "width of the reward surrogate's two hidden layers"},
    {.key = "budget",
     .type = FIELD_UINT,
     .offset = offsetof(struct scn_mbrl, budget),
     .min = 0,
     .max = 1e9,
     .def = "200",
     .doc = "true evaluations the MBRL policy may pay for to train its surrogate"},
    {.key = "ppo_steps",
     .type = FIELD_UINT,
     .offset = offsetof(struct scn_mbrl, ppo_steps),
     .min = 0,
     .max = 1e9,
     .def = "60000",
     .doc = "imagined PPO steps (on the surrogate) per training round"},
    {.key = "train_every",
     .type = FIELD_UINT,
     .offset = offsetof(struct scn_mbrl, train_every),
     .min = 1,
     .max = 1e9,
     .def = "100",
     .doc = "decisions between PPO training rounds while the surrogate learns"},
    {.key = "learning_rate",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_mbrl, learning_rate),
     .dim = DIM_NONE,
     .min = 0,
     .min_exclusive = true,
     .max = 1,
     .def = "0.001",
     .doc = "Adam step size of the surrogate"},
    {.key = "weights_in",
     .type = FIELD_STRING,
     .file = FIELD_FILE,
     .offset = offsetof(struct scn_mbrl, weights_in),
     .def = "",
     .doc = "weights file to start from (written by weights_out); \"\" = learn from scratch"},
    {.key = "weights_out",
     .type = FIELD_STRING,
     .file = FIELD_FILE,
     .offset = offsetof(struct scn_mbrl, weights_out),
     .def = "",
     .doc = "file the learned weights are written to at the end of the run"},
    {0},
};

static const struct scn_field policy_fields[] = {
    {.key = "name",
     .type = FIELD_STRING,
     .offset = offsetof(struct scn_policy, name),
     .def = "fixed",
     .doc = "the split policy: fixed (split.layer), all_edge, all_ue, random, greedy, exhaustive, "
            "latency, paper, mbrl (docs/POLICIES.md)"},
    {.key = "compete",
     .type = FIELD_LIST,
     .name_max = SCN_MAX_POLICY_NAME,
     .offset = offsetof(struct scn_policy, compete),
     .def = "",
     .doc = "policies run one after another on identical arrivals and channels, compared in "
            "/competition (replaces name); names of at most " POLICY_NAME_MAX_TEXT " bytes"},
    {.key = "min_split",
     .type = FIELD_UINT,
     .offset = offsetof(struct scn_policy, min_split),
     .min = 0,
     .max = 100000,
     .def = "0",
     .doc = "smallest candidate split"},
    {.key = "max_split",
     .type = FIELD_UINT,
     .offset = offsetof(struct scn_policy, max_split),
     .min = 0,
     .max = 100000,
     .def = "100000",
     .doc = "largest candidate split (above L means L)"},
    {.key = "evaluation_cost",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_policy, evaluation_cost_s),
     .dim = DIM_TIME,
     .min = 0,
     .max = 1e9,
     .def = "8.6 s",
     .doc = "what one true evaluation costs (the paper's perplexity run: about 8.6 s); reported, "
            "not simulated"},
    {.key = "edge_load_visible",
     .type = FIELD_BOOL,
     .offset = offsetof(struct scn_policy, edge_load_visible),
     .def = "false",
     .doc = "whether a UE sees its edge server's load when it decides"},
    {.key = "mbrl",
     .type = FIELD_SECTION,
     .offset = offsetof(struct scn_policy, mbrl),
     .fields = mbrl_fields},
    {0},
};

static const struct scn_field reward_fields[] = {
    {.key = "quality",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_reward, quality),
     .dim = DIM_NONE,
     .min = 0,
     .max = 1e6,
     .def = "10",
     .doc = "weight of the quality term (PPL_0 - PPL) / PPL_0 (the paper: 10)"},
    {.key = "ue_load",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_reward, ue_load),
     .dim = DIM_NONE,
     .min = 0,
     .max = 1e6,
     .def = "1",
     .doc = "weight of the UE-load term (k_max - k) / k_max (the paper: 1)"},
    {.key = "latency",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_reward, latency),
     .dim = DIM_NONE,
     .min = 0,
     .max = 1e6,
     .def = "0",
     .doc = "weight of the latency penalty latency_metric / latency_ref"},
    {.key = "latency_metric",
     .type = FIELD_ENUM,
     .offset = offsetof(struct scn_reward, latency_metric),
     .choices = metric_choices,
     .def = "ttft",
     .doc = "the latency the reward (and the latency policy) looks at"},
    {.key = "latency_ref",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_reward, latency_ref_s),
     .dim = DIM_TIME,
     .min = 0,
     .min_exclusive = true,
     .max = 1e6,
     .def = "1 s",
     .doc = "latency that costs one unit of reward (times the weight)"},
    {.key = "deadline",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_reward, deadline),
     .dim = DIM_NONE,
     .min = 0,
     .max = 1e6,
     .def = "0",
     .doc = "penalty for a request whose end-to-end latency exceeds workload.deadline"},
    {.key = "energy",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_reward, energy),
     .dim = DIM_NONE,
     .min = 0,
     .max = 1e6,
     .def = "0",
     .doc = "weight of the UE-energy penalty energy / energy_ref"},
    {.key = "energy_ref",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_reward, energy_ref_j),
     .dim = DIM_ENERGY,
     .min = 0,
     .min_exclusive = true,
     .max = 1e9,
     .def = "100 J",
     .doc = "UE energy per request that costs one unit of reward"},
    {.key = "edge_load",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_reward, edge_load),
     .dim = DIM_NONE,
     .min = 0,
     .max = 1e6,
     .def = "0",
     .doc = "weight of the edge-load penalty (L - k) / L"},
    {0},
};

static const struct scn_field split_fields[] = {
    {.key = "layer",
     .type = FIELD_UINT,
     .offset = offsetof(struct scn_split, layer),
     .min = 0,
     .max = 100000,
     .def = "8",
     .doc = "k: the UE runs the embedding and decoder blocks 1..k, the edge the rest; 0 = all "
            "on the edge, L (the model's blocks) = all on the UE"},
    {.key = "precision",
     .type = FIELD_ENUM,
     .offset = offsetof(struct scn_split, precision),
     .choices = precision_choices,
     .def = "fp16",
     .doc = "precision of the hidden state sent (bytes 2, 1, 0.5 per value; selects the quality "
            "table's row set)"},
    {0},
};

static const struct scn_field recording_fields[] = {
    {.key = "requests",
     .type = FIELD_BOOL,
     .offset = offsetof(struct scn_recording, requests),
     .def = "true",
     .doc = "record every request in /requests (the summary is always written)"},
    {.key = "decisions",
     .type = FIELD_BOOL,
     .offset = offsetof(struct scn_recording, decisions),
     .def = "true",
     .doc = "split model: record every decision in /decisions (chosen k, oracle's k, "
            "predictions)"},
    {.key = "every",
     .type = FIELD_UINT,
     .offset = offsetof(struct scn_recording, every),
     .min = 1,
     .max = 1e9,
     .def = "1",
     .doc = "split model: record every N-th request and decision (by request id) in /requests and "
            "/decisions; the summary still counts all"},
    {.key = "interval",
     .type = FIELD_QUANTITY,
     .offset = offsetof(struct scn_recording, interval_s),
     .dim = DIM_TIME,
     .min = 0,
     .max = 1e9,
     .def = "1 s",
     .doc = "split model: time-series sampling interval (edge queues, SNR); 0 = no time series, "
            "else at least 1 ns and at most 10,000,000 rows per replication: (run.duration / "
            "interval + 1) x (edge.servers + SNR UEs + 1)"},
    {.key = "snr_ues",
     .type = FIELD_UINT,
     .offset = offsetof(struct scn_recording, snr_ues),
     .min = 0,
     .max = 1000000,
     .def = "4",
     .doc = "split model: the time series samples the SNR of UEs 0 .. snr_ues-1"},
    {0},
};

const struct field_retired scn_retired[] = {
    {"channel.coherence",
     "the fading is a process continuous in time, no longer constant over coherence blocks "
     "(docs/MODELS.md); the link-adaptation interval the key also set is "
     "channel.adaptation_interval"},
    {NULL, NULL},
};

const struct scn_field scn_schema[] = {
    {.key = "model",
     .type = FIELD_STRING,
     .offset = offsetof(struct scn, model),
     .def = "queue",
     .doc = "what is simulated; each model reads only its keys"},
    {.key = "run",
     .type = FIELD_SECTION,
     .offset = offsetof(struct scn, run),
     .fields = run_fields},
    {.key = "analysis",
     .type = FIELD_SECTION,
     .offset = offsetof(struct scn, analysis),
     .fields = analysis_fields},
    {.key = "llm",
     .type = FIELD_SECTION,
     .offset = offsetof(struct scn, llm),
     .fields = llm_fields},
    {.key = "ues",
     .type = FIELD_SECTION,
     .offset = offsetof(struct scn, ues),
     .fields = ues_fields},
    {.key = "workload",
     .type = FIELD_SECTION,
     .offset = offsetof(struct scn, workload),
     .fields = workload_fields},
    {.key = "edge",
     .type = FIELD_SECTION,
     .offset = offsetof(struct scn, edge),
     .fields = edge_fields},
    {.key = "cell",
     .type = FIELD_SECTION,
     .offset = offsetof(struct scn, cell),
     .fields = cell_fields},
    {.key = "channel",
     .type = FIELD_SECTION,
     .offset = offsetof(struct scn, channel),
     .fields = channel_fields},
    {.key = "split",
     .type = FIELD_SECTION,
     .offset = offsetof(struct scn, split),
     .fields = split_fields},
    {.key = "policy",
     .type = FIELD_SECTION,
     .offset = offsetof(struct scn, policy),
     .fields = policy_fields},
    {.key = "reward",
     .type = FIELD_SECTION,
     .offset = offsetof(struct scn, reward),
     .fields = reward_fields},
    {.key = "recording",
     .type = FIELD_SECTION,
     .offset = offsetof(struct scn, recording),
     .fields = recording_fields},
    {0},
};

/* Top-level keys bound elsewhere. */
static const char *const scn_other_keys[] = {"sweep", NULL};

/* ---- hashing and resolution ---------------------------------------------------------------- */

uint64_t scn_hash_text(const char *text)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
        h ^= *c;
        h *= UINT64_C(0x100000001b3);
    }
    return h;
}

/* Whether the scenario's model reads the key at dotted path `path`. */
static bool reads(const struct scn *s, const char *path)
{
    return s->catalog->model_reads(s->model, path);
}

/* The resolved scenario shows the keys its model reads. */
static bool keep_for_model(const char *path, const void *ctx)
{
    return reads(ctx, path);
}

static int resolve(struct scn *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return -ENOMEM;
    field_emit_filtered(scn_schema, s, keep_for_model, s, f);
    if (fclose(f) != 0 || !buf) {
        free(buf);
        return -ENOMEM;
    }
    free(s->resolved);
    s->resolved = buf;
    s->hash = scn_hash_text(buf);
    snprintf(s->hash_hex, sizeof s->hash_hex, "%016" PRIx64, s->hash);
    return 0;
}

/* ---- cross-field checks ---------------------------------------------------------------------- */

__attribute__((format(printf, 5, 6))) static void
err_origin(struct diag *d, const struct field_origins *o, const char *path,
           const struct ynode *fallback, const char *fmt, ...)
{
    const struct ynode *at = field_origin(o, path);
    if (!at)
        at = fallback;
    va_list ap;
    va_start(ap, fmt);
    if (at)
        diag_vreport(d, DIAG_ERROR, at->src, at->line, at->col, fmt, ap);
    else
        diag_vreport(d, DIAG_ERROR, NULL, 0, 0, fmt, ap);
    va_end(ap);
}

/* The models of the catalogue that read `path`, as "model: a" or "model: a, b" (or "no model"). */
static void readers(const struct scn_catalog *cat, const char *path, char *buf, size_t size)
{
    snprintf(buf, size, "no model");
    for (size_t i = 0, n = 0; cat->model(i); i++) {
        if (!cat->model_reads(cat->model(i), path))
            continue;
        size_t len = n ? strlen(buf) : 0;
        snprintf(buf + len, size - len, "%s%s", n++ ? ", " : "model: ", cat->model(i));
    }
}

/* `model:` names a model of the catalogue; 0, or 1 with the error (and the nearest name). */
static size_t check_model(const struct scn *s, const struct field_origins *o,
                          const struct ynode *root, struct diag *d)
{
    const struct scn_catalog *cat = s->catalog;
    const char *names[64];
    size_t n = 0;
    char list[512] = "";
    for (size_t i = 0; cat->model(i) && n < 63; i++) {
        if (strcmp(cat->model(i), s->model) == 0)
            return 0;
        names[n++] = cat->model(i);
        if (i)
            strncat(list, ", ", sizeof list - strlen(list) - 1);
        strncat(list, cat->model(i), sizeof list - strlen(list) - 1);
    }
    names[n] = NULL;
    char shown[DIAG_EXCERPT];
    diag_excerpt(s->model, shown, sizeof shown);
    const char *near = diag_nearest(s->model, names, n);
    if (near)
        err_origin(d, o, "model", root, "model: expected one of: %s; got '%s' (did you mean '%s'?)",
                   list, shown, near);
    else
        err_origin(d, o, "model", root, "model: expected one of: %s; got '%s'", list, shown);
    return 1;
}

/* The longest "key at file:line:col" (a file name is cut). */
#define FILE_AT_MAX 512

/* "key at file:line:col" for the value of key `path` (just "key" for a default), the place a
 * message about its file names. */
static const char *file_at(const struct field_origins *o, const char *path, char *buf, size_t size)
{
    const struct ynode *at = field_origin(o, path);
    if (at && at->src)
        snprintf(buf, size, "%s at %s:%d:%d", path, at->src, at->line, at->col);
    else
        snprintf(buf, size, "%s", path);
    return buf;
}

/* A file named by the scenario must be a readable regular file (not a FIFO, a device or a
 * directory, which the readers refuse: one could block or never end). */
static size_t check_file(const struct scn *s, const struct field_origins *o,
                         const struct ynode *root, struct diag *d, const char *path,
                         const char *file, const char *what)
{
    if (!*file || !reads(s, path))
        return 0;
    struct stat st;
    if (access(file, R_OK) != 0 || stat(file, &st) != 0) {
        if (errno == ENOENT) {
            char at[FILE_AT_MAX];
            err_origin(d, o, path, root, "no such file: %s (%s)", file,
                       file_at(o, path, at, sizeof at));
        } else {
            err_origin(d, o, path, root, "%s: expected a readable %s file, got '%s' (%s)", path,
                       what, file, strerror(errno));
        }
        return 1;
    }
    if (!S_ISREG(st.st_mode)) {
        err_origin(d, o, path, root, "%s: expected a regular %s file, got '%s' (%s)", path, what,
                   file, slurp_kind_name((unsigned)st.st_mode));
        return 1;
    }
    return 0;
}

/* Decoder blocks of the scenario's LLM (catalogue name or architecture file); 0 with an error. */
static uint32_t llm_blocks(const struct scn *s, const struct field_origins *o,
                           const struct ynode *root, struct diag *d)
{
    const struct scn_catalog *cat = s->catalog;
    uint32_t n = cat->llm_blocks(s->llm.model);
    if (n)
        return n;
    if (access(s->llm.model, R_OK) != 0) {
        bool missing = errno == ENOENT && *s->llm.model;
        char list[512] = "", at[FILE_AT_MAX];
        for (size_t i = 0; cat->llm(i); i++) {
            if (i)
                strncat(list, ", ", sizeof list - strlen(list) - 1);
            strncat(list, cat->llm(i), sizeof list - strlen(list) - 1);
        }
        if (missing)
            err_origin(d, o, "llm.model", root,
                       "llm.model: expected a model of the catalogue (%s) or an architecture "
                       "file; no such file: %s (%s)",
                       list, s->llm.model, file_at(o, "llm.model", at, sizeof at));
        else
            err_origin(d, o, "llm.model", root,
                       "llm.model: expected a model of the catalogue (%s) or an architecture "
                       "file, got '%s'",
                       list, s->llm.model);
        return 0;
    }
    size_t before = diag_error_count(d);
    if (cat->llm_file_blocks(s->llm.model, &n, d) < 0) {
        if (diag_error_count(d) == before)
            err_origin(d, o, "llm.model", root, "llm.model: cannot load '%s'", s->llm.model);
        return 0;
    }
    return n;
}

static size_t check_device(const struct scn *s, const struct field_origins *o,
                           const struct ynode *root, struct diag *d, const char *path,
                           const char *name)
{
    if (s->catalog->is_device(name) || access(name, R_OK) == 0)
        return 0;
    char at[FILE_AT_MAX];
    if (errno == ENOENT && *name)
        err_origin(d, o, path, root,
                   "%s: expected a device of 'splitsim tables list' (e.g. a100, jetson-agx-orin) "
                   "or a device file; no such file: %s (%s)",
                   path, name, file_at(o, path, at, sizeof at));
    else
        err_origin(d, o, path, root,
                   "%s: expected a device of 'splitsim tables list' (e.g. a100, jetson-agx-orin) "
                   "or a device file, got '%s'",
                   path, name);
    return 1;
}

static size_t check_policy_name(const struct scn *s, const struct field_origins *o,
                                const struct ynode *root, struct diag *d, const char *path,
                                const char *name)
{
    const struct scn_catalog *cat = s->catalog;
    for (size_t i = 0; cat->policy(i); i++)
        if (strcmp(cat->policy(i), name) == 0)
            return 0;
    char list[512] = "";
    const char *names[64];
    size_t n = 0;
    for (size_t i = 0; cat->policy(i) && n < 63; i++) {
        names[n++] = cat->policy(i);
        if (i)
            strncat(list, ", ", sizeof list - strlen(list) - 1);
        strncat(list, cat->policy(i), sizeof list - strlen(list) - 1);
    }
    names[n] = NULL;
    const char *near = diag_nearest(name, names, n);
    if (near)
        err_origin(d, o, path, root, "%s: expected a policy (%s), got '%s' (did you mean '%s'?)",
                   path, list, name, near);
    else
        err_origin(d, o, path, root, "%s: expected a policy (%s), got '%s'", path, list, name);
    return 1;
}

static size_t check_policies(struct scn *s, const struct field_origins *o, const struct ynode *root,
                             struct diag *d)
{
    size_t errors = check_policy_name(s, o, root, d, "policy.name", s->policy.name);
    const struct scn_list *compete = &s->policy.compete;
    for (size_t i = 0; i < compete->n; i++) {
        errors += check_policy_name(s, o, root, d, "policy.compete", compete->v[i]);
        for (size_t j = 0; j < i; j++) /* duplicates */
            if (strcmp(compete->v[j], compete->v[i]) == 0) {
                err_origin(d, o, "policy.compete", root, "policy.compete: '%s' is listed twice",
                           compete->v[i]);
                errors++;
                break;
            }
    }
    uint64_t kmax = s->policy.max_split < s->llm_layers ? s->policy.max_split : s->llm_layers;
    if (s->llm_layers && s->policy.min_split > kmax) {
        err_origin(d, o, "policy.min_split", root,
                   "policy.min_split: expected at most max_split (%" PRIu64 "), got %" PRIu64, kmax,
                   s->policy.min_split);
        errors++;
    }
    return errors;
}

/* The time series a split scenario asks for must stay writable: an interval of at least 1 ns
 * (a shorter one rounds to 0 and never advances), and at most SCN_MAX_SERIES_ROWS rows per
 * replication over run.duration (1 ns over 10 s once wrote for minutes). */
static size_t check_time_series(const struct scn *s, const struct field_origins *o,
                                const struct ynode *root, struct diag *d)
{
    const double interval = s->recording.interval_s;
    if (interval <= 0)
        return 0;
    if (interval < 1e-9) {
        err_origin(d, o, "recording.interval", root,
                   "recording.interval: expected 0 s (no time series) or at least 1 ns, got %g s",
                   interval);
        return 1;
    }
    double samples = floor(s->run.duration_s / interval) + 1;
    double snr =
        s->channel.model == SCN_CHANNEL_FADING
            ? (double)(s->recording.snr_ues < s->ues.count ? s->recording.snr_ues : s->ues.count)
            : 0;
    double per_sample = (double)s->edge.servers + snr + 1;
    double rows = samples * per_sample;
    if (rows <= SCN_MAX_SERIES_ROWS)
        return 0;
    err_origin(d, o, field_origin(o, "recording.interval") ? "recording.interval" : "run.duration",
               root,
               "recording.interval: %.0f time-series rows per replication (run.duration %g s / "
               "%g s = %.0f samples, of %g rows: %" PRIu64 " edge server(s), the SNR of %g UE(s), "
               "the cell); expected at most %.0f: a longer interval, fewer recording.snr_ues, or "
               "0 s for none",
               rows, s->run.duration_s, interval, samples, per_sample, s->edge.servers, snr,
               SCN_MAX_SERIES_ROWS);
    return 1;
}

/* The names and files of the llm, ues, edge and policy sections, for the keys the model reads. */
static size_t check_names(struct scn *s, const struct field_origins *o, const struct ynode *root,
                          struct diag *d)
{
    size_t errors = 0;
    if (reads(s, "llm.model")) {
        s->llm_layers = llm_blocks(s, o, root, d);
        if (!s->llm_layers)
            errors++;
        else if (reads(s, "split.layer") && s->split.layer > s->llm_layers) {
            err_origin(d, o, "split.layer", root,
                       "split.layer: expected a split in [0, %" PRIu32 "] (%s has %" PRIu32
                       " decoder blocks), got %" PRIu64,
                       s->llm_layers, s->llm.model, s->llm_layers, s->split.layer);
            errors++;
        }
    }
    if (reads(s, "ues.device") && !*s->ues.cost_table)
        errors += check_device(s, o, root, d, "ues.device", s->ues.device);
    for (size_t i = 0; reads(s, "ues.classes") && i < s->ues.classes.n; i++)
        errors += check_device(s, o, root, d, "ues.classes", s->ues.classes.v[i]);
    if (s->ues.classes.n && *s->ues.cost_table && reads(s, "ues.classes")) {
        err_origin(d, o, "ues.classes", root,
                   "ues.classes: a mixed fleet derives its tables from the devices; expected no "
                   "ues.cost_table");
        errors++;
    }
    if (reads(s, "edge.device") && !*s->edge.cost_table)
        errors += check_device(s, o, root, d, "edge.device", s->edge.device);
    errors += check_file(s, o, root, d, "ues.cost_table", s->ues.cost_table, "cost-table");
    errors += check_file(s, o, root, d, "edge.cost_table", s->edge.cost_table, "cost-table");
    errors += check_file(s, o, root, d, "llm.quality_table", s->llm.quality_table, "quality-table");
    errors += check_file(s, o, root, d, "policy.mbrl.weights_in", s->policy.mbrl.weights_in,
                         "MBRL weights");
    if (reads(s, "policy.name"))
        errors += check_policies(s, o, root, d);
    return errors;
}

/* An arrival trace needs a model that reads one, and a trace is read only as the arrivals. */
static size_t check_trace(const struct scn *s, const struct field_origins *o,
                          const struct ynode *root, struct diag *d)
{
    if (!reads(s, "workload.trace")) {
        if (s->workload.arrival != SCN_ARRIVAL_TRACE)
            return 0;
        char who[256];
        readers(s->catalog, "workload.trace", who, sizeof who);
        err_origin(d, o, "workload.arrival", root,
                   "workload.arrival: trace needs %s; expected poisson or periodic", who);
        return 1;
    }
    if (s->workload.arrival == SCN_ARRIVAL_TRACE) {
        if (*s->workload.trace)
            return check_file(s, o, root, d, "workload.trace", s->workload.trace, "trace");
        err_origin(d, o, "workload.arrival", root,
                   "workload.arrival: trace needs workload.trace (a CSV file)");
        return 1;
    }
    if (!*s->workload.trace)
        return 0;
    err_origin(d, o, "workload.trace", root,
               "workload.trace: only read with workload.arrival: trace (got %s)",
               s->workload.arrival == SCN_ARRIVAL_POISSON ? "poisson" : "periodic");
    return 1;
}

/* ---- 3GPP TR 38.901 path-loss models ---- */

/* What TR 38.901 fixes for each of its scenarios: the defaults of the keys a scenario leaves
 * unset (Table 7.4.1-1: heights, shadow-fading sigma; Table 7.5-6 Part 1: shadow-fading
 * decorrelation distances; Table 7.6.3.1-2: LOS-state decorrelation distances) and the ranges
 * the path-loss formulas hold in (models/radio/pathloss.h). */
struct tr38901_scenario {
    const char *name;
    double bs_height_m, shadowing_db, shadowing_los_db;
    double shadow_decorrelation_m, shadow_decorrelation_los_m, los_decorrelation_m;
    double carrier_max_hz, ue_height_min_m, ue_height_max_m;
};

static const struct tr38901_scenario *tr38901_scenario(int pathloss)
{
    static const struct tr38901_scenario table[] = {
        [SCN_PATHLOSS_UMI] = {"umi", 10, 7.82, 4, 13, 10, 50, 100e9, 1.5, 22.5},
        [SCN_PATHLOSS_UMA] = {"uma", 25, 6, 4, 50, 37, 50, 100e9, 1.5, 22.5},
        [SCN_PATHLOSS_RMA] = {"rma", 35, 8, 4, 120, 37, 60, 30e9, 1, 10},
    };
    return pathloss > SCN_PATHLOSS_LOG_DISTANCE && pathloss <= SCN_PATHLOSS_RMA ? &table[pathloss]
                                                                                : NULL;
}

/* The standard's values for the channel keys a 38.901 scenario leaves unset (so the resolved
 * scenario, which lists every key, states what was simulated). */
static void apply_tr38901(struct scn *s, const struct field_origins *o)
{
    const struct tr38901_scenario *t = tr38901_scenario(s->channel.pathloss);
    if (!t || !reads(s, "channel.pathloss"))
        return;
    struct {
        const char *key;
        double *value, standard;
    } keys[] = {
        {"channel.bs_height", &s->channel.bs_height_m, t->bs_height_m},
        {"channel.shadowing", &s->channel.shadowing_db, t->shadowing_db},
        {"channel.shadowing_los", &s->channel.shadowing_los_db, t->shadowing_los_db},
        {"channel.shadowing_decorrelation", &s->channel.shadow_decorrelation_m,
         t->shadow_decorrelation_m},
        {"channel.shadowing_decorrelation_los", &s->channel.shadow_decorrelation_los_m,
         t->shadow_decorrelation_los_m},
        {"channel.los_decorrelation", &s->channel.los_decorrelation_m, t->los_decorrelation_m},
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (!field_origin(o, keys[i].key))
            *keys[i].value = keys[i].standard;
}

/* The ranges the 38.901 formulas hold in. */
static size_t check_tr38901(const struct scn *s, const struct field_origins *o,
                            const struct ynode *root, struct diag *d)
{
    const struct tr38901_scenario *t = tr38901_scenario(s->channel.pathloss);
    if (!t)
        return 0;
    const struct scn_channel *c = &s->channel;
    if (c->carrier_hz < 0.5e9 || c->carrier_hz > t->carrier_max_hz) {
        err_origin(d, o, "channel.carrier", root,
                   "channel.carrier: the %s path loss holds for 0.5 .. %g GHz, got %g GHz",
                   t->name, t->carrier_max_hz * 1e-9, c->carrier_hz * 1e-9);
        return 1;
    }
    if (c->ue_height_m < t->ue_height_min_m || c->ue_height_m > t->ue_height_max_m) {
        err_origin(d, o, "channel.ue_height", root,
                   "channel.ue_height: the %s path loss holds for UE heights %g .. %g m, got %g m",
                   t->name, t->ue_height_min_m, t->ue_height_max_m, c->ue_height_m);
        return 1;
    }
    if (c->ue_height_m >= c->bs_height_m) {
        if (field_origin(o, "channel.bs_height"))
            err_origin(d, o, "channel.bs_height", root,
                       "channel.bs_height: expected above channel.ue_height (%g m), got %g m",
                       c->ue_height_m, c->bs_height_m);
        else
            err_origin(d, o, "channel.ue_height", root,
                       "channel.ue_height: expected below the %s base station's standard height "
                       "(%g m; set channel.bs_height for another), got %g m",
                       t->name, c->bs_height_m, c->ue_height_m);
        return 1;
    }
    return 0;
}

/* What the keys of the ues, channel and recording sections say together. */
static size_t check_radio(const struct scn *s, const struct field_origins *o,
                          const struct ynode *root, struct diag *d)
{
    size_t errors = 0;
    if (reads(s, "ues.speed_max") && s->ues.speed_min_mps > s->ues.speed_max_mps) {
        err_origin(d, o, "ues.speed_max", root,
                   "ues.speed_max: expected >= ues.speed_min (%g m/s), got %g m/s",
                   s->ues.speed_min_mps, s->ues.speed_max_mps);
        errors++;
    }
    if (reads(s, "channel.speed") && field_origin(o, "channel.speed") &&
        s->ues.mobility == SCN_MOBILITY_RANDOM_WAYPOINT) {
        err_origin(d, o, "channel.speed", root,
                   "channel.speed: applies to static UEs only; a random_waypoint UE's Doppler "
                   "shift follows its own speed (ues.speed_min, ues.speed_max); expected no "
                   "channel.speed with ues.mobility: random_waypoint");
        errors++;
    }
    if (reads(s, "recording.interval"))
        errors += check_time_series(s, o, root, d);
    if (reads(s, "channel.pathloss"))
        errors += check_tr38901(s, o, root, d);
    return errors;
}

size_t scn_check(struct scn *s, const struct field_origins *o, const struct ynode *root,
                 struct diag *d)
{
    if (check_model(s, o, root, d))
        return 1;
    size_t errors = 0;
    for (size_t i = 0; o && i < o->n; i++) {
        if (o->v[i].node && !reads(s, o->v[i].path)) {
            char who[256];
            readers(s->catalog, o->v[i].path, who, sizeof who);
            err_origin(d, o, o->v[i].path, root, "%s: not read by model: %s (it applies to %s)",
                       o->v[i].path, s->model, who);
            errors++;
        }
    }
    if (errors == 0) {
        apply_tr38901(s, o);
        errors +=
            check_trace(s, o, root, d) + check_names(s, o, root, d) + check_radio(s, o, root, d);
    }
    if (s->run.warmup_s >= s->run.duration_s) {
        char w[32], u[32];
        field_format_number(s->run.warmup_s, w, sizeof w);
        field_format_number(s->run.duration_s, u, sizeof u);
        err_origin(d, o, field_origin(o, "run.warmup") ? "run.warmup" : "run.duration", root,
                   "run.warmup: expected a time < run.duration (%s s), got %s s", u, w);
        errors++;
    }
    if (s->run.first_replication + s->run.replications - 1 > UINT32_MAX) {
        err_origin(d, o, "run.replications", root,
                   "run.replications: first_replication + replications must stay below 2^32");
        errors++;
    }
    /* Bound the work a scenario can ask for, so a typo cannot start a week-long run. */
    double requests = (double)s->ues.count * s->workload.rate_per_s * s->run.duration_s;
    if (requests > 1e10) {
        err_origin(d, o, "workload.rate", root,
                   "workload.rate: %g UEs x %g /s x %g s is %.3g requests per replication; "
                   "expected at most 1e10",
                   (double)s->ues.count, s->workload.rate_per_s, s->run.duration_s, requests);
        errors++;
    }
    return errors;
}

/* ---- loading --------------------------------------------------------------------------------- */

void scn_error_at(const struct scn *s, struct diag *d, const char *path, const char *fmt, ...)
{
    const struct scn_origin *at = NULL;
    for (size_t i = 0; i < s->norigins; i++)
        if (strcmp(s->origins[i].path, path) == 0)
            at = &s->origins[i];
    va_list ap;
    va_start(ap, fmt);
    if (at)
        diag_vreport(d, DIAG_ERROR, at->src, at->line, at->col, fmt, ap);
    else
        diag_vreport(d, DIAG_ERROR, NULL, 0, 0, fmt, ap);
    va_end(ap);
}

/* Keeps where each given key came from, for messages after binding (tables, traces). */
static int keep_origins(struct scn *s, const struct field_origins *o)
{
    size_t n = 0;
    for (size_t i = 0; i < o->n; i++)
        n += o->v[i].node != NULL;
    s->origins = calloc(n ? n : 1, sizeof *s->origins);
    if (!s->origins)
        return -ENOMEM;
    for (size_t i = 0; i < o->n; i++) {
        const struct ynode *node = o->v[i].node;
        if (!node)
            continue;
        struct scn_origin *k = &s->origins[s->norigins++];
        k->path = strdup(o->v[i].path);
        k->src = strdup(node->src ? node->src : "");
        k->line = node->line;
        k->col = node->col;
        if (!k->path || !k->src)
            return -ENOMEM;
    }
    return 0;
}

void scn_release(struct scn *s)
{
    for (size_t i = 0; i < s->norigins; i++) {
        free(s->origins[i].path);
        free(s->origins[i].src);
    }
    free(s->origins);
    field_release(scn_schema, s);
    free(s->resolved);
    free(s->file_dir);
    free(s->set_dir);
    memset(s, 0, sizeof *s);
}

/* ---- file paths ------------------------------------------------------------------------------ */

/* Whether `value` of name-or-file key `path` is a name of the catalogue (kept as written). */
static bool catalogue_name(const struct scn *s, const char *path, const char *value)
{
    if (strcmp(path, "llm.model") == 0)
        return s->catalog->llm_blocks(value) > 0;
    return s->catalog->is_device(value); /* ues.device, ues.classes, edge.device */
}

/* Resolves one path in place (see scn_resolve_value); `name_max` > 0 bounds the result and
 * refuses a ',' in it (a name of a list). */
static int resolve_one(const struct scn *s, const struct scn_field *f, const char *path,
                       const struct ynode *node, char **value, size_t name_max, struct diag *d)
{
    if (!*value || !**value || filepath_is_absolute(*value) ||
        (f->file == FIELD_NAME_OR_FILE && catalogue_name(s, path, *value)))
        return 0;
    bool from_set = node && node->src && strcmp(node->src, "--set") == 0;
    const char *dir = from_set ? s->set_dir : s->file_dir;
    const char *src = node ? node->src : NULL;
    int line = node ? node->line : 0, col = node ? node->col : 0;
    char shown[DIAG_EXCERPT];
    if (!dir) {
        diag_report(d, DIAG_ERROR, src, line, col,
                    "%s: cannot resolve the relative path '%s': the working directory cannot "
                    "be found (was it removed?); expected an absolute path",
                    path, diag_excerpt(*value, shown, sizeof shown));
        return -EINVAL;
    }
    char *abs = filepath_resolve(dir, *value);
    if (!abs) {
        diag_report(d, DIAG_ERROR, src, line, col, "%s: out of memory", path);
        return -ENOMEM;
    }
    if (name_max && (strlen(abs) > name_max || strchr(abs, ','))) {
        char shown_abs[DIAG_EXCERPT];
        diag_report(d, DIAG_ERROR, src, line, col,
                    "%s: '%s' resolves to '%s' (%zu bytes); expected names of at most %zu bytes "
                    "without ','",
                    path, diag_excerpt(*value, shown, sizeof shown),
                    diag_excerpt(abs, shown_abs, sizeof shown_abs), strlen(abs), name_max);
        free(abs);
        return -EINVAL;
    }
    free(*value);
    *value = abs;
    return 0;
}

int scn_resolve_value(const struct scn *s, const struct scn_field *f, const char *path,
                      const struct ynode *node, void *value, struct diag *d)
{
    if (f->file == FIELD_TEXT)
        return 0;
    if (f->type == FIELD_STRING)
        return resolve_one(s, f, path, node, value, 0, d);
    SIM_ASSERT(f->type == FIELD_LIST, "only strings and lists name files (%s)", path);
    struct scn_list *l = value;
    for (size_t i = 0; i < l->n; i++) {
        int rc = resolve_one(s, f, path, node, &l->v[i], f->name_max, d);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* Resolves every file path of the bound section `fields` at `base` (path prefix `prefix`),
 * each against the directory of the place it was written. The number of errors; *nomem is set
 * when out of memory. */
static size_t resolve_files(const struct scn *s, const struct scn_field *fields, const char *prefix,
                            void *base, const struct field_origins *o, bool *nomem, struct diag *d)
{
    size_t errors = 0;
    for (const struct scn_field *f = fields; f->key; f++) {
        if (f->type != FIELD_SECTION && f->file == FIELD_TEXT)
            continue;
        char path[128];
        snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", f->key);
        void *at = (char *)base + f->offset;
        if (f->type == FIELD_SECTION) {
            errors += resolve_files(s, f->fields, path, at, o, nomem, d);
            continue;
        }
        int rc = scn_resolve_value(s, f, path, field_origin(o, path), at, d);
        errors += rc < 0;
        *nomem |= rc == -ENOMEM;
    }
    return errors;
}

/* *out = a copy of dir, or the working directory when dir is NULL (NULL when that is unknown,
 * e.g. removed). 0 or -ENOMEM. */
static int keep_dir(char **out, const char *dir)
{
    *out = dir ? strdup(dir) : filepath_cwd();
    return !*out && (dir || errno == ENOMEM) ? -ENOMEM : 0;
}

int scn_bind(struct scn *s, const struct ytree *tree, const struct ynode *root,
             const struct ynode *file_node, const struct scn_dirs *dirs,
             const struct scn_catalog *catalog, struct diag *d)
{
    (void)tree;
    SIM_ASSERT(catalog != NULL, "a scenario is bound against a catalogue");
    memset(s, 0, sizeof *s);
    s->catalog = catalog;
    if (keep_dir(&s->file_dir, dirs ? dirs->file : NULL) < 0 ||
        keep_dir(&s->set_dir, dirs ? dirs->set : NULL) < 0) {
        scn_release(s);
        diag_error(d, "out of memory");
        return -ENOMEM;
    }
    struct field_origins origins = {0};
    size_t first = d->len;
    bool nomem = false;
    size_t errors =
        field_bind(scn_schema, "", root, file_node, s, scn_other_keys, scn_retired, &origins, d);
    if (errors == 0)
        errors += resolve_files(s, scn_schema, "", s, &origins, &nomem, d);
    if (errors == 0)
        errors += scn_check(s, &origins, root ? root : file_node, d);
    diag_sort(d, first); /* in file order, as an editor lists them */
    int kept = errors ? 0 : keep_origins(s, &origins);
    field_origins_release(&origins);
    if (errors && !nomem) {
        scn_release(s);
        return -EINVAL;
    }
    if (nomem || kept < 0 || resolve(s) < 0) {
        scn_release(s);
        diag_error(d, "out of memory");
        return -ENOMEM;
    }
    return 0;
}

/* Merges mapping `from` into mapping `into` key by key: a key whose value is a mapping on both
 * sides is merged in turn, any other key's value is replaced or added. 0 or -ENOMEM. */
static int merge_map(struct ytree *tree, struct ynode *into, const struct ynode *from)
{
    for (size_t i = 0; i + 1 < from->n; i += 2) {
        struct ynode *key = from->items[i], *value = from->items[i + 1];
        struct ynode *old = ynode_get(into, key->text, NULL);
        int rc = old && old->kind == YNODE_MAP && value->kind == YNODE_MAP
                     ? merge_map(tree, old, value)
                     : ynode_set(tree, into, key, value);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int scn_tree_set(struct ytree *tree, const char *path, struct ynode *value, const struct ynode *at,
                 struct diag *d)
{
    if (!tree->root) {
        tree->root = ynode_new(tree, YNODE_MAP, value->src, value->line, 1);
        if (!tree->root)
            return -ENOMEM;
    }
    if (tree->root->kind != YNODE_MAP) {
        diag_report(d, DIAG_ERROR, at->src, at->line, at->col,
                    "cannot set '%s': the scenario is not a mapping", path);
        return -EINVAL;
    }
    struct ynode *map = tree->root;
    const char *p = path;
    for (;;) {
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p);
        if (len == 0) {
            diag_report(d, DIAG_ERROR, at->src, at->line, at->col,
                        "'%s': expected a dotted key path like run.seed", path);
            return -EINVAL;
        }
        struct ynode *key =
            ynode_new(tree, YNODE_SCALAR, at->src, at->line, at->col + (int)(p - path));
        if (!key || !(key->text = strndup(p, len)))
            return -ENOMEM;
        if (!dot) {
            struct ynode *old = ynode_get(map, key->text, NULL);
            if (old && old->kind == YNODE_MAP && value->kind == YNODE_MAP)
                return merge_map(tree, old, value);
            return ynode_set(tree, map, key, value);
        }
        struct ynode *next = ynode_get(map, key->text, NULL);
        if (!next) {
            next = ynode_new(tree, YNODE_MAP, at->src, at->line, at->col);
            if (!next || ynode_set(tree, map, key, next) < 0)
                return -ENOMEM;
        } else if (next->kind != YNODE_MAP) {
            diag_report(d, DIAG_ERROR, at->src, at->line, at->col,
                        "cannot set '%s': '%.*s' is a %s, not a section", path, (int)(dot - path),
                        path, ynode_kind_name(next->kind));
            return -EINVAL;
        }
        map = next;
        p = dot + 1;
    }
}

int scn_apply_override(struct ytree *tree, const char *text, int index, struct diag *d)
{
    const char *eq = strchr(text, '=');
    if (!eq || eq == text) {
        char shown[DIAG_EXCERPT];
        diag_report(d, DIAG_ERROR, "--set", index, 1, "expected key.path=value, got '%s'",
                    diag_excerpt(text, shown, sizeof shown));
        return -EINVAL;
    }
    char *path = strndup(text, (size_t)(eq - text));
    if (!path)
        return -ENOMEM;
    struct ynode *value = NULL;
    struct diag local;
    diag_init(&local);
    size_t first_node = tree->nodes;
    int rc = ytree_parse(tree, "--set", eq + 1, strlen(eq + 1), &value, &local);
    if (rc == 0 && !value) {
        /* "key=" sets an empty string */
        value = ynode_new(tree, YNODE_SCALAR, ytree_src(tree, "--set"), index, 1);
        if (!value || !(value->text = strdup(""))) {
            rc = -ENOMEM;
        } else {
            value->quoted = true;
        }
    }
    if (rc < 0) {
        for (size_t i = 0; i < local.len; i++)
            diag_report(d, DIAG_ERROR, "--set", index, (int)(eq - text) + 1 + local.msgs[i].col,
                        "%s: in value '%s': %s", path, eq + 1, local.msgs[i].text);
        if (local.len == 0)
            diag_report(d, DIAG_ERROR, "--set", index, 1, "%s: cannot parse value '%s'", path,
                        eq + 1);
    } else {
        /* Re-home the value's nodes onto the override: line = its index, column within the
         * "key=value" argument. */
        int shift = (int)(eq - text) + 1;
        for (size_t i = first_node; i < tree->nodes; i++) {
            tree->all[i]->line = index;
            tree->all[i]->col += shift;
        }
        struct ynode at = {.src = value->src, .line = index, .col = 1};
        rc = scn_tree_set(tree, path, value, &at, d);
    }
    diag_release(&local);
    free(path);
    return rc;
}

static int load_tree(struct scn *s, struct ytree *tree, const char *path,
                     const struct scn_override *overrides, size_t noverrides, const char *set_dir,
                     const struct scn_catalog *catalog, struct diag *d)
{
    struct ynode file_node = {.src = ytree_src(tree, path), .line = 1, .col = 1};
    if (!tree->root) {
        diag_report(d, DIAG_ERROR, path, 1, 1,
                    "empty scenario; expected a mapping with at least run.duration");
        return -EINVAL;
    }
    size_t before = diag_error_count(d);
    for (size_t i = 0; i < noverrides; i++)
        scn_apply_override(tree, overrides[i].text, (int)i + 1, d);
    if (diag_error_count(d) > before)
        return -EINVAL;
    /* where relative paths resolve: taken now, whatever the working directory later */
    char *file_dir = filepath_dir_of(path), *set_abs = NULL;
    bool nomem = !file_dir && errno == ENOMEM;
    if (set_dir) {
        set_abs = filepath_real_dir(set_dir);
        nomem |= !set_abs && errno == ENOMEM;
        set_dir = set_abs; /* NULL: relative to an unknown working directory */
    }
    int rc = -ENOMEM;
    if (nomem) {
        diag_error(d, "out of memory");
    } else {
        struct scn_dirs dirs = {.file = file_dir, .set = set_dir};
        rc = scn_bind(s, tree, tree->root, &file_node, &dirs, catalog, d);
    }
    free(file_dir);
    free(set_abs);
    return rc;
}

int scn_load(struct scn *s, struct ytree *tree, const char *path,
             const struct scn_override *overrides, size_t noverrides, const char *set_dir,
             const struct scn_catalog *catalog, struct diag *d)
{
    memset(s, 0, sizeof *s);
    diag_quote_freely(d, path); /* a scenario: its lines are quoted with its errors */
    int rc = ytree_load_file(tree, path, d);
    if (rc < 0)
        return rc;
    return load_tree(s, tree, path, overrides, noverrides, set_dir, catalog, d);
}

int scn_load_text(struct scn *s, struct ytree *tree, const char *name, const char *text, size_t len,
                  const struct scn_catalog *catalog, struct diag *d)
{
    memset(s, 0, sizeof *s);
    int rc = ytree_parse(tree, name, text, len, &tree->root, d);
    if (rc < 0)
        return rc;
    rc = load_tree(s, tree, name, NULL, 0, NULL, catalog, d);
    if (rc < 0)
        return rc;
    struct sweep sw;
    rc = sweep_init(&sw, tree, s, d);
    if (rc == 0) {
        if (sweep_validate(&sw, tree, s, d) > 0)
            rc = -EINVAL;
        sweep_release(&sw);
    }
    if (rc < 0)
        scn_release(s);
    return rc;
}

void scn_document(const struct scn_catalog *cat, FILE *out)
{
    fprintf(out, "| key | type [base unit] | default | accepted values | meaning |\n"
                 "|---|---|---|---|---|\n");
    /* `model:` is documented as the choice among the catalogue's models, each with its doc. */
    const char *names[64];
    size_t n = 0;
    char *doc = NULL;
    size_t len = 0;
    FILE *d = open_memstream(&doc, &len);
    if (d)
        fputs(scn_schema[0].doc, d);
    for (size_t i = 0; cat->model(i) && n < 63; i++) {
        names[n++] = cat->model(i);
        if (d)
            fprintf(d, "%s %s = %s", i ? ";" : ":", cat->model(i), cat->model_doc(i));
    }
    names[n] = NULL;
    if (d)
        fclose(d);
    struct scn_field model[2] = {scn_schema[0], {0}};
    model[0].type = FIELD_ENUM;
    model[0].choices = names;
    model[0].doc = doc ? doc : scn_schema[0].doc;
    field_document(model, "", out);
    free(doc);
    field_document(scn_schema + 1, "", out);
}

const char *scn_model_name(const struct scn *s)
{
    return s->model ? s->model : "";
}
