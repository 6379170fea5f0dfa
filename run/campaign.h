/*
 * campaign — running every point of a scenario's sweep into a directory, resumably, on local
 * worker processes, MPI ranks or Slurm array tasks, and indexing the results.
 *
 * Concept: `splitsim sweep FILE -o DIR` expands the sweep (grid x zip x replications) and runs
 * each point as `splitsim run FILE --point I -o DIR/points/pI.h5` would, by calling the run
 * library (run_simulate) on the point's scenario: in a forked child process (local, up to -j N
 * at once, handed out dynamically as points finish) or on an MPI rank (rank 0 hands out points
 * as the others report back and runs points itself while none is waiting). A point's file is written like any results file
 * (results/rec.h: a folder of segments, merged into pI.h5 when complete), so a killed worker
 * leaves no file that looks complete. Re-running the same command skips every point whose file
 * is complete and belongs to the same point scenario (its scenario_hash), and redoes the others.
 * DIR/campaign.yaml records the resolved scenario and sweep the folder holds; another one is
 * refused unless --fresh. At the end the
 * index DIR/campaign.h5 is (re)written from the point files: external links to every point file
 * and a /summary table with one row per (point, policy): the point's swept values and headline
 * metrics (docs/RESULTS.md). `--slurm` writes a job-array script (chunks of points, each task
 * `sweep --points A-B`) and a merge job (`sweep --merge`, the index only) instead of running
 * (run/slurm.h).
 *
 * Invariants: the same campaign gives the same point files and index whatever the number of
 * workers or ranks (points are independent and every stream is keyed by the point's seed and
 * replication); at most the points in flight are lost when a sweep is interrupted; the index is
 * written like a results file and marked complete only when every point is.
 */
#ifndef SPLITSIM_RUN_CAMPAIGN_H
#define SPLITSIM_RUN_CAMPAIGN_H

#include <stdbool.h>
#include <stdint.h>

#include "run/run.h"
#include "run/slurm.h"
#include "scn/scn.h"
#include "scn/sweep.h"

struct campaign {
    const char *scenario; /* the scenario file */
    const char **sets;    /* --set overrides, as given */
    size_t nsets;
    const char *dir;   /* -o */
    unsigned jobs;     /* -j: local worker processes */
    uint64_t from, to; /* points [from, to) to run (--points); the whole sweep by default */
    bool range_given;  /* --points: run these only, no index */
    bool merge_only;   /* --merge: write the index from the point files */
    const struct slurm_options *slurm; /* --slurm: write the job scripts (run/slurm.h) */
    bool fresh;        /* --fresh: rerun complete points too */
    bool quiet;
    const struct sweep *sweep;
    const struct ytree *tree;
    const struct scn *base;
};

/* Runs (or indexes, or scripts) a campaign. RUN_OK, RUN_FAILURE (a point failed, or the run was
 * interrupted: the finished points are kept) or RUN_BAD_INPUT. Messages in d. MPI, when the
 * program was started by an MPI launcher, is initialised and finalised by main(). */
int campaign_run(const struct campaign *c, const struct run_io *io, struct diag *d);

/* True when this process was started by an MPI launcher with more than one rank and the build
 * has MPI (then main() initialises MPI and campaign_run distributes the points over the ranks). */
bool campaign_under_mpi(void);

#endif
