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
 * Invariants: a struct scn returned by scn_load without errors holds only validated values; the
 * resolved text binds back to an identical scenario (same text, same hash).
 */
#ifndef SPLITSIM_SCN_SCN_H
#define SPLITSIM_SCN_SCN_H

#include <stdbool.h>
#include <stdint.h>

#include "scn/field.h"
#include "scn/ytree.h"
#include "sim/diag.h"

enum scn_model {
    SCN_MODEL_QUEUE, /* the built-in FIFO edge queue (models/fifo.h) */
};

enum scn_arrival {
    SCN_ARRIVAL_POISSON,
    SCN_ARRIVAL_PERIODIC,
};

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

struct scn_ues {
    uint64_t count;
};

struct scn_workload {
    int arrival;       /* enum scn_arrival */
    double rate_per_s; /* requests per second per UE */
};

struct scn_edge {
    int service;           /* enum scn_service */
    double service_time_s; /* mean service time */
};

struct scn_recording {
    bool requests; /* the per-request table */
};

struct scn {
    int model; /* enum scn_model */
    struct scn_run run;
    struct scn_ues ues;
    struct scn_workload workload;
    struct scn_edge edge;
    struct scn_recording recording;

    char *resolved;    /* canonical YAML of the above (no sweep) */
    uint64_t hash;     /* FNV-1a 64 of `resolved` */
    char hash_hex[24]; /* "fnv1a64:" is not included: 16 hex digits */
};

/* The schema's top-level table. */
extern const struct scn_field scn_schema[];

/* A command-line override "key.path=value", as given. */
struct scn_override {
    const char *text; /* "run.seed=3" */
};

/*
 * Loads a scenario: file, then overrides in order. On success (0) *s is filled and must be
 * released; on failure (-EINVAL, or -ENOMEM) the messages are in d and *s is released already.
 * `tree` receives the parsed tree with overrides applied (for sweep expansion); pass a tree
 * initialised with ytree_init and release it afterwards.
 */
int scn_load(struct scn *s, struct ytree *tree, const char *path,
             const struct scn_override *overrides, size_t noverrides, struct diag *d);

/*
 * Like scn_load, from text in memory named `name` (for messages), without overrides: what the
 * fuzzer drives. Also validates the sweep section (every point). 0, -EINVAL or -ENOMEM.
 */
int scn_load_text(struct scn *s, struct ytree *tree, const char *name, const char *text, size_t len,
                  struct diag *d);

/* Binds a tree (root may be NULL = all defaults) into *s and resolves it. 0 or -EINVAL. */
int scn_bind(struct scn *s, const struct ytree *tree, const struct ynode *root,
             const struct ynode *file_node, struct diag *d);

/* Grafts "key.path=value" onto the tree (creating mappings as needed). `index` numbers the
 * override for messages (1-based). 0 or -EINVAL with a message. */
int scn_apply_override(struct ytree *tree, const char *text, int index, struct diag *d);

/* Sets tree path `path` (dotted) to node `value`. 0, or -EINVAL when a path step is not a
 * mapping (message in d, at `at`). */
int scn_tree_set(struct ytree *tree, const char *path, struct ynode *value, const struct ynode *at,
                 struct diag *d);

void scn_release(struct scn *s);

/* The cross-field checks of a bound scenario; errors point at the origin recorded for the key
 * concerned, else at `fallback`. Returns the number of errors. */
size_t scn_check(const struct scn *s, const struct field_origins *origins,
                 const struct ynode *fallback, struct diag *d);

/* FNV-1a 64-bit hash of a string. */
uint64_t scn_hash_text(const char *text);

/* Writes the key reference (a Markdown table of every leaf key) to out. */
void scn_document(FILE *out);

#endif
