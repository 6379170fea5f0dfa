/*
 * mobility — where a UE is: static, or moving by the random waypoint model, evaluated lazily.
 *
 * Concept: the cell is a disc of radius R around the base station at the origin. A static UE
 * keeps its position. A random-waypoint UE repeatedly picks a destination uniformly in the disc
 * and a speed uniformly in [v_min, v_max], walks there in a straight line, pauses for `pause`,
 * and starts again. Positions are computed on demand: a query at time t draws the legs between
 * the previous query and t from the UE's own stream (MOBILITY, id), so a moving UE costs no
 * events, and its path is the same whatever the times at which it is asked (legs are drawn in
 * order, independently of the queries).
 *
 * Invariants: positions stay inside the disc; times never go back; v_min > 0 (the model's
 * classic speed-decay pathology with v_min = 0 is refused).
 */
#ifndef SPLITSIM_MODELS_MOBILITY_H
#define SPLITSIM_MODELS_MOBILITY_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/rng.h"

struct mobility_params {
    double radius_m; /* cell radius */
    bool moving;     /* false: static */
    double speed_min_mps, speed_max_mps;
    int64_t pause_ns;
};

struct mobility {
    struct rng rng;
    double x0, y0, x1, y1;                 /* current leg: from, to */
    int64_t leg_start, leg_end, pause_end; /* walk [leg_start, leg_end), then pause */
    int64_t now;
};

/* Checks parameters; NULL or what is wrong. */
const char *mobility_params_check(const struct mobility_params *p);

/* Places UE `id` uniformly in the disc (stream (MOBILITY, id)) at time 0. 0 or -ENOMEM. */
int mobility_init(struct mobility *m, const struct mobility_params *p, uint64_t seed,
                  uint32_t replication, uint64_t id);
void mobility_release(struct mobility *m);

/* The position at time t (>= the previous query's time). */
void mobility_position(struct mobility *m, const struct mobility_params *p, int64_t t_ns, double *x,
                       double *y);

/* Distance to the base station at time t. */
double mobility_distance(struct mobility *m, const struct mobility_params *p, int64_t t_ns);

#endif
