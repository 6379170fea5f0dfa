/*
 * cindex — a campaign index (DIR/campaign.h5, docs/RESULTS.md "Campaign directory") read back
 * and checked, for the tools that work on a campaign's results (`splitsim summarize`).
 *
 * Concept: cindex_open reads the root attributes (format and version, model, the number of
 * points, the replications of each combination — run.replications of the index's scenario —,
 * the swept keys and the competitors), the identity columns of /summary (point, policy,
 * replication) and of /combinations (combination, policy, replications), each swept key's
 * column in both, and the metric columns of /combinations (cindex_metrics: the ones the
 * index's model has; one the index lacks is NULL); checks that every row is one a sweep writes
 * (points of the sweep, policies of the list, combinations of points / replications); and lists
 * the indexed points, each once, by number. cindex_point_states tells, for every point of the
 * sweep, what the campaign folder holds of it.
 *
 * Point p belongs to combination p / reps (replication fastest: scn/sweep.h).
 *
 * Invariants: reading goes through results/rread (bounded, never leaving the file); cindex_open
 * succeeds whole or fails with one error naming the index; numbers are kept as read.
 */
#ifndef SPLITSIM_RUN_CINDEX_H
#define SPLITSIM_RUN_CINDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "results/rread.h"
#include "sim/diag.h"

#define CINDEX_FORMAT      1 /* the campaign index format read */
#define CINDEX_STATS       8 /* mean, ci95, p50, p95, p99, p50_ci95, p95_ci95, p99_ci95 */
#define CINDEX_MAX_METRICS 16
#define CINDEX_MAX_AXES    64
#define CINDEX_MAX_ROWS    ((size_t)1 << 26)

/* A metric of /combinations: its columns (CINDEX_STATS of them, NULL where the index has none),
 * named as results/rstats names it in a point file. */
struct cindex_metric {
    const char *model, *name, *unit;
    const char *col[CINDEX_STATS];
};

/* The metrics of /combinations, in the order rows give them. */
extern const struct cindex_metric cindex_metrics[];
extern const size_t cindex_nmetrics;

/* A swept key and its columns. */
struct cindex_axis {
    char *path;         /* "cell.bandwidth" */
    char *index_col;    /* "cell_bandwidth" */
    double *sum, *comb; /* its values in /summary and /combinations (base units; a choice's or
                           string's index in the sweep's list) */
};

/* An indexed point: its number, replication and one of its /summary rows. */
struct cindex_point {
    int64_t point, replication;
    size_t row;
};

struct cindex {
    const char *path; /* the index file, as given */
    char *dir;        /* its folder (the campaign's) */
    struct rread *r;
    char *model;          /* "split" or "queue" */
    int64_t points, reps; /* points of the sweep; replications of each combination */
    char **policies;      /* the competitors; none without a competition */
    size_t npolicies;
    struct cindex_axis *axes;
    size_t naxes;
    size_t ns, nc; /* rows of /summary and /combinations */
    double *s_point, *s_policy, *s_rep;
    double *c_comb, *c_policy, *c_reps;
    double *mcol[CINDEX_MAX_METRICS][CINDEX_STATS]; /* by cindex_metrics; NULL: absent */
    char *munit[CINDEX_MAX_METRICS];                /* their units */
    struct cindex_point *pts;                       /* the indexed points, by number */
    size_t npts;
};

/* Reads and checks the index at `path` (kept, not copied). 0; -EINVAL with one error in d;
 * -ENOMEM. Release c in every case. */
int cindex_open(struct cindex *c, const char *path, struct diag *d);
void cindex_release(struct cindex *c);

/* Whether metric m of cindex_metrics is one of this index's model. */
bool cindex_has_metric(const struct cindex *c, size_t m);

/* The first indexed point (an index into c->pts) numbered at least p. */
size_t cindex_lower_bound(const struct cindex *c, int64_t p);

/* The values at the key paths paths[0..n) of the scenario text that the root attribute
 * `scenario` of the open file r holds (each malloc'd: a scalar's text, a sequence's scalars
 * joined by ","; NULL when there is none). False when there is no scenario to read. */
bool cindex_scenario_values(struct rread *r, const char *const *paths, size_t n, char **out);

/* What the campaign folder holds of a point, the most telling last. */
enum cindex_state {
    CINDEX_NOT_RUN,     /* nothing in points/ */
    CINDEX_INTERRUPTED, /* points/pI.incomplete.h5 */
    CINDEX_FAILED,      /* a run's folder points/pI.h5.HOST.PID.part */
    CINDEX_UNINDEXED,   /* points/pI.h5, not in the index */
    CINDEX_INDEXED,
};

/* Every point's state ([points] values of enum cindex_state, malloc'd; NULL when out of
 * memory). */
unsigned char *cindex_point_states(const struct cindex *c);

#endif
