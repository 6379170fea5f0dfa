/*
 * sweep — the parameter sweep of a scenario: which points a campaign runs.
 *
 * Concept: the `sweep:` section lists key paths with value lists. `grid:` axes combine as a
 * Cartesian product (the first axis varies slowest); `zip:` axes all have the same length and
 * advance together; every combination runs run.replications times. A point is one (grid
 * combination, zip position, replication); its scenario is the base scenario with the point's
 * values grafted on, run.replications = 1 and run.first_replication = the base's first
 * replication + r, bound and validated exactly like a file.
 *
 *     sweep:
 *       grid:
 *         workload.rate: [0.05 /s, 0.1 /s]
 *         ues.count: [1, 8, 64]
 *       zip:
 *         edge.service: [exponential, deterministic]
 *         edge.service_time: [1 s, 0.8 s]
 *
 * Point p decomposes as p = (g * Z + z) * R + r (replication fastest), with G grid combinations,
 * Z zip positions (1 without zip) and R replications.
 *
 * Invariants: an axis names a leaf key of the schema (not run.replications or
 * run.first_replication, which the sweep controls); lists are non-empty sequences of scalars
 * (for a key that is a list, such as ues.classes, a value may also be a sequence: [[a, b],
 * [{device: a, fraction: 0.3}, {device: b, fraction: 0.7}]]);
 * zip lists have equal lengths; the number of points is at most SWEEP_MAX_POINTS (a million:
 * beyond any campaign, and bounded so that validating every point stays around a second).
 */
#ifndef SPLITSIM_SCN_SWEEP_H
#define SPLITSIM_SCN_SWEEP_H

#include <stdint.h>
#include <stdio.h>

#include "scn/scn.h"

#define SWEEP_MAX_POINTS   1000000u
#define SWEEP_MAX_REPORTED 1000u /* invalid points checked before validation gives up */

struct sweep_axis {
    const char *path;           /* key path, owned by the tree */
    const struct ynode *key;    /* where the axis is written */
    const struct ynode *values; /* the sequence */
};

struct sweep {
    struct sweep_axis *grid, *zip;
    size_t ngrid, nzip;
    uint64_t grid_points; /* product of grid lengths (1 without grid) */
    uint64_t zip_len;     /* 1 without zip */
    uint64_t replications, first_replication;
    uint64_t points;
    const struct scn_catalog *catalog; /* the base scenario's: every point is checked with it */
    char *file_dir, *set_dir; /* the base scenario's (copies): its points' paths resolve there */
};

/*
 * Reads the sweep section of the loaded tree (none: one point per replication of `base`); the
 * points are checked against base's catalogue, and their relative file paths resolve against
 * base's directories (a swept value written in the file against the file's, one given by --set
 * against the --set directory: scn.h). 0, or -EINVAL (-ENOMEM) with messages in d.
 */
int sweep_init(struct sweep *sw, const struct ytree *tree, const struct scn *base, struct diag *d);
void sweep_release(struct sweep *sw);

/*
 * Binds point p's scenario into *s (release it afterwards). Messages for invalid points go to d
 * (duplicates are merged when d->dedupe is set), followed by a note naming the point.
 */
int sweep_point(const struct sweep *sw, const struct ytree *tree, uint64_t p, struct scn *s,
                struct diag *d);

/* The index, in axis `axis`'s list of values (grid axes first, then zip), of point p's value. */
size_t sweep_value_index(const struct sweep *sw, uint64_t p, size_t axis);

/* The key path of axis `axis` (grid axes first, then zip). */
const char *sweep_axis_path(const struct sweep *sw, size_t axis);

/* The replication number of point p. */
uint64_t sweep_point_replication(const struct sweep *sw, uint64_t p);

/*
 * Validates every point against the bound base scenario: each combination's values are bound
 * into a copy of `base` and cross-checked (replications do not change validity, so one per
 * combination). Errors point at the swept values; each invalid combination's first new error is
 * followed by a note naming the point. Returns the number of invalid combinations found (checking
 * stops once the message list is full or after SWEEP_MAX_REPORTED invalid points), and at least
 * 1 whenever any point is invalid.
 */
uint64_t sweep_validate(const struct sweep *sw, const struct ytree *tree, const struct scn *base,
                        struct diag *d);

/* sweep_validate for the points [from, to) only (their combinations): what a job that runs a
 * range of points needs, at a cost proportional to the range. */
uint64_t sweep_validate_range(const struct sweep *sw, const struct ytree *tree,
                              const struct scn *base, uint64_t from, uint64_t to, struct diag *d);

/* Writes the sweep section with every value in canonical form ("sweep:", "grid:"/"zip:", one
 * line per axis), nothing without a sweep. 0, or -EINVAL when a value does not bind. */
int sweep_write_definition(const struct sweep *sw, const struct scn *base, FILE *out);

/* Prints "point P: replication=R key=value ..." for point p, with values as bound in s. */
void sweep_print_point(const struct sweep *sw, uint64_t p, const struct scn *s, FILE *out);

#endif
