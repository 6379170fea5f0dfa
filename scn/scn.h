/*
 * scn — a scenario: everything one simulation run needs to know, validated.
 *
 * Concept: a scenario file (YAML) is parsed into a tree (ytree), command-line overrides
 * (`--set key.path=value`) are grafted onto the tree, and the tree is bound against the schema's
 * field tables (scn_schema) into struct scn. Cross-field checks follow. All errors are collected
 * (up to the diag cap) with file:line:col. The fully resolved scenario — every key, defaults
 * filled in, values in canonical units — is rendered as YAML text and hashed; both go into every
 * results file, so a result can always be traced to its exact input.
 *
 * The `sweep:` section is validated here too (see sweep.h): each point is the base scenario with
 * the point's values grafted on, bound and checked like the file itself.
 *
 * The names a scenario gives (the model, the LLM, devices, policies) are checked against a
 * catalogue that the layer above hands in (scn/catalog.h): the scenario language includes no
 * model header. The catalogue also says which keys the chosen model reads: a key given for
 * another model is refused at its file:line:col, the cross-field checks concern only keys the
 * model reads, and the resolved text shows only those keys.
 *
 * Files a scenario names (the keys whose type is "file" or "name or file" in the key reference:
 * tables, traces, weights, architecture and device files) resolve as every configuration format
 * does (scn/filepath.h): a relative path written in the scenario file against the directory of
 * that file, one given by `--set` against the working directory (or the directory the caller
 * names: a Slurm job carries its submitter's), an absolute one as it is; a catalogue name stays
 * a name. Binding resolves them, so the bound scenario, its resolved text and its hash hold
 * absolute paths, and every reader opens them whatever its working directory: a run, a check,
 * a campaign's forked workers, MPI ranks and Slurm tasks (which load the scenario again, with
 * the same directories) and a sweep point (whose swept values resolve like the file's). Moving
 * a scenario together with its files therefore changes its resolved text and hash (what it
 * reads is another file), and a missing file is reported at the key's file:line:col as
 * "no such file: /abs/path (key at file:line:col)".
 *
 * Invariants: a struct scn returned by scn_load without errors holds only validated values,
 * checked against the catalogue it keeps; its file paths are "" or absolute; the resolved text
 * binds back to an identical scenario (same text, same hash), from any directory.
 */
#ifndef SPLITSIM_SCN_SCN_H
#define SPLITSIM_SCN_SCN_H

#include <stdbool.h>
#include <stdint.h>

#include "scn/catalog.h"
#include "scn/field.h"
#include "scn/ytree.h"
#include "sim/diag.h"

/* Limits of the schema that readers of the files a scenario names share (a trace's UE numbers
 * are below SCN_MAX_UES, its token counts at most SCN_MAX_TOKENS). */
#define SCN_MAX_UES    1000000 /* ues.count */
#define SCN_MAX_TOKENS 1000000 /* workload.prompt_tokens, workload.output_tokens */

/* The longest name of a list: a device of ues.classes may be a file, whose path open(2) takes
 * up to PATH_MAX - 1 bytes; a policy of policy.compete names an HDF5 group /policies/NAME. */
#define SCN_MAX_PATH_NAME   4095
#define SCN_MAX_POLICY_NAME 63

/* The most time-series rows a split scenario may ask for in one replication (recording.interval
 * over run.duration, times the rows of one sample). */
#define SCN_MAX_SERIES_ROWS 1e7

enum scn_arrival {
    SCN_ARRIVAL_POISSON,
    SCN_ARRIVAL_PERIODIC,
    SCN_ARRIVAL_TRACE, /* split model only: times and sizes from workload.trace */
};

enum scn_tokens { SCN_TOKENS_FIXED, SCN_TOKENS_UNIFORM, SCN_TOKENS_GEOMETRIC };
enum scn_mobility { SCN_MOBILITY_STATIC, SCN_MOBILITY_RANDOM_WAYPOINT };
enum scn_order { SCN_ORDER_FIFO, SCN_ORDER_DECODE_FIRST, SCN_ORDER_PREFILL_FIRST };
enum scn_sharing { SCN_SHARING_EQUAL, SCN_SHARING_FIXED };
enum scn_channel_model { SCN_CHANNEL_FADING, SCN_CHANNEL_ERASURE };
enum scn_pathloss { SCN_PATHLOSS_LOG_DISTANCE, SCN_PATHLOSS_UMI, SCN_PATHLOSS_UMA, SCN_PATHLOSS_RMA };
enum scn_los { SCN_LOS_PROBABILITY, SCN_LOS_ALWAYS, SCN_LOS_NEVER };
enum scn_fading { SCN_FADING_NONE, SCN_FADING_RAYLEIGH, SCN_FADING_RICIAN, SCN_FADING_NAKAGAMI };
enum scn_rate { SCN_RATE_SHANNON, SCN_RATE_MCS };
enum scn_precision { SCN_PRECISION_FP16, SCN_PRECISION_INT8, SCN_PRECISION_INT4 };

enum scn_service {
    SCN_SERVICE_EXPONENTIAL,
    SCN_SERVICE_DETERMINISTIC,
};

struct scn_run {
    double duration_s; /* requests arrive in [0, duration) */
    double warmup_s;   /* requests arriving before it are recorded but not summarised */
    uint64_t seed;
    uint64_t replications;
    uint64_t first_replication;
};

/* Where the queue model's statistics start (analysis.warmup). */
enum scn_warmup {
    SCN_WARMUP_FIXED, /* at run.warmup */
    SCN_WARMUP_MSER5, /* at the point MSER-5 finds in the data after run.warmup */
};

struct scn_analysis {
    int warmup; /* enum scn_warmup */
};

struct scn_llm {
    char *model;         /* catalogue name or architecture file */
    char *quality_table; /* file, or "" for the assumed default */
};

struct scn_ues {
    uint64_t count;
    char *device; /* catalogue name or device file (cost table derived) */
    /* devices of a mixed fleet, none: ues.device; without fractions (classes.w NULL) UE u has
     * v[u % n], with them the classes' shares follow w (models/split: sim/apportion.h) */
    struct scn_list classes;
    char *cost_table; /* file, or "" */
    int mobility;     /* enum scn_mobility */
    double speed_min_mps, speed_max_mps, pause_s;
    double tx_electric_dbm; /* electrical power drawn while transmitting */
    double rx_electric_dbm; /* electrical power drawn while receiving */
    double battery_j;       /* 0: unlimited */
};

struct scn_workload {
    int arrival;       /* enum scn_arrival */
    double rate_per_s; /* requests per second per UE */
    char *trace;       /* file, or "" */
    uint64_t prompt_tokens, output_tokens;
    int tokens;        /* enum scn_tokens */
    double deadline_s; /* 0: none */
};

struct scn_edge {
    int service;           /* enum scn_service (queue model) */
    double service_time_s; /* mean service time (queue model) */
    uint64_t servers;
    char *device;
    char *cost_table;
    uint64_t batch_max;
    uint64_t batch_tokens;
    double kv_memory_b;
    int scheduling; /* enum scn_order */
};

struct scn_cell {
    double radius_m;
    double bandwidth_hz;
    int sharing; /* enum scn_sharing */
    double share;
    double downlink_bandwidth_hz;
};

struct scn_channel {
    int model; /* enum scn_channel_model */
    double erasure_probability;
    double erasure_probability_max; /* > erasure_probability: p drawn per request */
    double erasure_rate_bps;        /* 0: transfers take no time */
    double carrier_hz;
    int pathloss; /* enum scn_pathloss */
    double pathloss_exponent, pathloss_ref_db;
    double bs_height_m, ue_height_m;
    double building_height_m, street_width_m; /* RMa */
    int los;                                  /* enum scn_los */
    double los_decorrelation_m;
    double shadowing_db, shadowing_los_db;
    double shadow_decorrelation_m, shadow_decorrelation_los_m;
    int fading; /* enum scn_fading */
    double rician_k, nakagami_m;
    double speed_mps;              /* static UEs: speed about their spot (Doppler) */
    double environment_doppler_hz; /* Doppler of moving scatterers, for every UE */
    double adaptation_s;           /* link-adaptation interval */
    double tx_power_dbm, bs_tx_power_dbm;
    double noise_psd_dbm_hz, noise_figure_db;
    int rate; /* enum scn_rate */
    double snr_gap_db, margin_db;
    double packet_bytes;
    uint64_t harq_max;
    uint64_t max_rounds;
    double harq_rtt_s;
    double token_bytes;
};

struct scn_split {
    uint64_t layer;
    int precision; /* enum scn_precision */
};

struct scn_mbrl {
    uint64_t hidden, budget, ppo_steps, train_every;
    double learning_rate;
    char *weights_in, *weights_out;
};

struct scn_policy {
    char *name;              /* the policy of a run */
    struct scn_list compete; /* policies run side by side on identical conditions; none: name */
    uint64_t min_split, max_split;
    double evaluation_cost_s;
    bool edge_load_visible;
    struct scn_mbrl mbrl;
};

enum scn_latency_metric { SCN_METRIC_TTFT, SCN_METRIC_TPOT, SCN_METRIC_LATENCY };

struct scn_reward {
    double quality, ue_load, latency, energy, edge_load, deadline;
    int latency_metric; /* enum scn_latency_metric */
    double latency_ref_s, energy_ref_j;
};

struct scn_recording {
    bool requests;     /* the per-request table */
    bool decisions;    /* the per-decision table */
    uint64_t every;    /* record every N-th request and decision */
    double interval_s; /* time series; 0: none */
    uint64_t snr_ues;  /* UEs whose SNR the time series samples */
};

/* Where a key's value came from (for messages after binding). */
struct scn_origin {
    char *path, *src;
    int line, col;
};

/* The directories relative file paths resolve against (real paths, scn/filepath.h): `file` for
 * what the scenario file says, `set` for what --set says. NULL: the working directory. */
struct scn_dirs {
    const char *file;
    const char *set;
};

struct scn {
    char *model; /* a model of the catalogue ("queue", "split"; scn/catalog.h) */
    struct scn_run run;
    struct scn_analysis analysis;
    struct scn_llm llm;
    struct scn_ues ues;
    struct scn_workload workload;
    struct scn_edge edge;
    struct scn_cell cell;
    struct scn_channel channel;
    struct scn_split split;
    struct scn_policy policy;
    struct scn_reward reward;
    struct scn_recording recording;

    struct scn_origin *origins; /* keys given in the file or by --set */
    size_t norigins;
    uint32_t llm_layers;               /* decoder blocks of llm.model (split model) */
    const struct scn_catalog *catalog; /* what the names were checked against (not owned) */
    char *file_dir, *set_dir;          /* where its relative paths resolved (struct scn_dirs) */

    char *resolved;    /* canonical YAML of the above (no sweep) */
    uint64_t hash;     /* FNV-1a 64 of `resolved` */
    char hash_hex[24]; /* "fnv1a64:" is not included: 16 hex digits */
};

/* The schema's top-level table. */
extern const struct scn_field scn_schema[];
/* Keys that were removed, with what replaces them. */
extern const struct field_retired scn_retired[];

/* A command-line override "key.path=value", as given. */
struct scn_override {
    const char *text; /* "run.seed=3" */
};

/*
 * Loads a scenario: file, then overrides in order, its names checked against `catalog` (not
 * NULL; kept in s->catalog). Relative paths in the file resolve against the file's directory,
 * those in overrides against `set_dir` (NULL: the working directory; a relative one is taken
 * against it). On success (0) *s is filled and must be released; on failure (-EINVAL, or
 * -ENOMEM) the messages are in d and *s is released already. `tree` receives the parsed tree
 * with overrides applied (for sweep expansion); pass a tree initialised with ytree_init and
 * release it afterwards.
 */
int scn_load(struct scn *s, struct ytree *tree, const char *path,
             const struct scn_override *overrides, size_t noverrides, const char *set_dir,
             const struct scn_catalog *catalog, struct diag *d);

/*
 * Like scn_load, from text in memory named `name` (for messages; relative paths resolve against
 * the directory of a file of that name), without overrides: what the fuzzer drives. Also
 * validates the sweep section (every point). 0, -EINVAL or -ENOMEM.
 */
int scn_load_text(struct scn *s, struct ytree *tree, const char *name, const char *text, size_t len,
                  const struct scn_catalog *catalog, struct diag *d);

/* Binds a tree (root may be NULL = all defaults) into *s, checking its names against `catalog`
 * (not NULL), resolving its file paths against `dirs` (NULL: both the working directory; kept in
 * s->file_dir and s->set_dir), and resolves it. 0, -EINVAL or -ENOMEM. */
int scn_bind(struct scn *s, const struct ytree *tree, const struct ynode *root,
             const struct ynode *file_node, const struct scn_dirs *dirs,
             const struct scn_catalog *catalog, struct diag *d);

/* Resolves, in place, the value of leaf field f (key path `path`) that a bind stored at `value`
 * (a char * or a struct scn_list) from node `node` (NULL: the default): nothing for plain text
 * and catalogue names (checked against s->catalog); a file path against s->set_dir when the
 * node came from --set, else s->file_dir. What a sweep binds value by value goes through it.
 * 0; -EINVAL with a message at the node (a relative path without a known directory, a list's
 * resolved path too long or holding a ','); -ENOMEM. */
int scn_resolve_value(const struct scn *s, const struct scn_field *f, const char *path,
                      const struct ynode *node, void *value, struct diag *d);

/* Grafts "key.path=value" onto the tree (creating mappings as needed). A value that is a
 * mapping, set where the tree has a mapping, is merged into it key by key (recursively), so
 * `run={duration: 5 s}` changes run.duration and keeps the file's other run keys; any other value
 * replaces what was there. `index` numbers the override for messages (1-based). 0 or -EINVAL
 * with a message. */
int scn_apply_override(struct ytree *tree, const char *text, int index, struct diag *d);

/* Sets tree path `path` (dotted) to node `value`, merging a mapping into a mapping as
 * scn_apply_override says. 0, or -EINVAL when a path step is not a mapping (message in d, at
 * `at`). */
int scn_tree_set(struct ytree *tree, const char *path, struct ynode *value, const struct ynode *at,
                 struct diag *d);

void scn_release(struct scn *s);

/* The cross-field checks of a bound scenario (names against s->catalog); errors point at the
 * origin recorded for the key concerned, else at `fallback`. Returns the number of errors. */
size_t scn_check(struct scn *s, const struct field_origins *origins, const struct ynode *fallback,
                 struct diag *d);

/* Reports an error at the origin of key `path` (or without a position when it was defaulted,
 * naming the key). */
__attribute__((format(printf, 4, 5))) void scn_error_at(const struct scn *s, struct diag *d,
                                                        const char *path, const char *fmt, ...);

/* FNV-1a 64-bit hash of a string. */
uint64_t scn_hash_text(const char *text);

/* Writes the key reference (a Markdown table of every leaf key) to out; the choices of `model:`
 * and their descriptions come from `cat`. */
void scn_document(const struct scn_catalog *cat, FILE *out);

/* The name of the scenario's model (the `model:` value: "queue", "split"); "" when unbound. */
const char *scn_model_name(const struct scn *s);

#endif
