/*
 * slurm — the job scripts of a campaign run as a Slurm job array (`splitsim sweep --slurm`).
 *
 * Concept: a campaign of N points becomes one job array of T tasks, each running a chunk of C
 * consecutive points as `splitsim sweep SCENARIO -o . --points A-B`, and one merge job
 * (`--merge`) that writes the index once the array is done. DIR/campaign.sbatch and
 * DIR/merge.sbatch carry the scheduler's requests (time, partition, account, memory, QoS,
 * constraint, further #SBATCH lines) and the user's setup lines (`module load ...`);
 * DIR/submit.sh submits both, the merge after the array.
 *
 * Where things are: the jobs work in the campaign folder (`#SBATCH --chdir`, and submit.sh
 * passes --chdir for wherever the folder lies when it is submitted; run by hand, a script moves
 * there itself). They name the point files and the index relative to it (`-o .`) and the
 * scenario by its path relative to the campaign folder, so the scripts run from any directory
 * and survive moving the folder together with the scenario. The splitsim executable is the one
 * that wrote the scripts unless SPLITSIM names another (a cluster's own build). Folders that
 * are private to one node on most clusters (/tmp, /var/tmp, /dev/shm, $TMPDIR) are warned about.
 *
 * Array size: Slurm refuses an array with more tasks than its MaxArraySize (1001 by default),
 * so the chunk grows, when needed, until T <= array_max, and a note says so; `throttle` limits
 * the tasks running at once (`--array=0-(T-1)%throttle`).
 *
 * Invariants: the task chunks cover every point exactly once; no value that reaches a script
 * holds a control character (a newline could add a line to a script), every path and --set
 * value is one single-quoted shell word, a path on an #SBATCH line is quoted as sbatch reads it;
 * the scripts are written whole or not at all (sim/outfile.h). Library code: messages go to a
 * struct diag, nothing exits.
 */
#ifndef SPLITSIM_RUN_SLURM_H
#define SPLITSIM_RUN_SLURM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/diag.h"

#define SLURM_ARRAY_MAX_DEFAULT 1001    /* Slurm's default MaxArraySize */
#define SLURM_ARRAY_MAX_LIMIT   4000001 /* the largest MaxArraySize Slurm allows */
#define SLURM_SETUP_MAX_BYTES   ((size_t)1 << 20)

/* What the jobs ask of the scheduler: the options of `sweep --slurm`. */
struct slurm_options {
    uint64_t chunk;     /* points per array task asked for (>= 1) */
    uint64_t array_max; /* most tasks in the array (Slurm's MaxArraySize) */
    uint64_t throttle;  /* array tasks running at once (%N); 0: no limit */
    /* #SBATCH values, NULL when not asked for */
    const char *time, *partition, *account, *mem, *qos, *constraint;
    const char **extra; /* further #SBATCH options as given, e.g. "--gres=gpu:1" */
    size_t nextra;
    const char *setup_file; /* --setup FILE, NULL when none */
    char *setup;            /* its text, read by slurm_options_check; owned */
};

/* Defaults: chunks of 1, array_max SLURM_ARRAY_MAX_DEFAULT, nothing else asked for. */
void slurm_options_init(struct slurm_options *o);
void slurm_options_release(struct slurm_options *o);

/*
 * Checks every value (reporting each problem as "--time: expected ..., got '...'") and reads
 * the setup file into o->setup (problems named FILE:LINE). 0, or -EINVAL with messages in d.
 */
int slurm_options_check(struct slurm_options *o, struct diag *d);

/* Slurm's time formats: MINUTES, MINUTES:SECONDS, HOURS:MINUTES:SECONDS, DAYS-HOURS,
 * DAYS-HOURS:MINUTES, DAYS-HOURS:MINUTES:SECONDS, or "infinite"/"unlimited"; a field after the
 * first is below 60 (hours after days: below 24). */
bool slurm_time_valid(const char *s);

/* A memory size per node: a positive integer, optionally K, M (the default), G or T. */
bool slurm_mem_valid(const char *s);

/* An option that a --sbatch line must not set because the scripts set it (the array, the
 * working directory, the dependency, the log files) or a dedicated option does: the hint to
 * give, or NULL when `line` is free to use. */
const char *slurm_extra_reserved(const char *line);

/* How a sweep of `points` (>= 1) is laid out: `chunk` points per task, `tasks` tasks; `grown`
 * when the chunk asked for had to grow so that tasks <= array_max. */
struct slurm_layout {
    uint64_t chunk, tasks;
    bool grown;
};
struct slurm_layout slurm_layout(uint64_t points, uint64_t chunk, uint64_t array_max);

/*
 * The node-local place that canonical path `path` lies in: `tmpdir` (the canonical $TMPDIR;
 * NULL or "/" to leave it out), else "/tmp", "/var/tmp" or "/dev/shm", each matched as a whole
 * path component prefix; NULL when none.
 */
const char *slurm_node_local(const char *path, const char *tmpdir);

/* The path of `target` relative to folder `base`, both canonical absolute paths ("../s.yaml",
 * "." for the folder itself). Malloc'd; NULL when out of memory. */
char *slurm_relative(const char *target, const char *base);

/* What the jobs run. */
struct slurm_campaign {
    const char *scenario; /* the scenario file, as given */
    const char *dir;      /* the campaign folder, as given (it exists) */
    const char **sets;    /* --set overrides, as given */
    size_t nsets;
    const char *set_dir;  /* where the --set paths resolved (the jobs pass it as --set-dir) */
    uint64_t points;
};

/*
 * Writes DIR/campaign.sbatch, DIR/merge.sbatch and DIR/submit.sh for campaign c with options o
 * (checked), warns about node-local paths, notes a grown chunk, and says on `out` how the array
 * is laid out and how to submit it. 0, -EINVAL (a path a script cannot carry) or -EIO, with
 * messages in d.
 */
int slurm_write(const struct slurm_campaign *c, const struct slurm_options *o, FILE *out,
                struct diag *d);

#endif
