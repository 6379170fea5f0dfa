/*
 * mobility — where a UE is, and how far it has travelled: static, or moving by the random
 * waypoint model, evaluated lazily.
 *
 * Concept: the cell is a disc of radius R around the base station at the origin. A static UE
 * keeps its position. A random-waypoint UE repeatedly picks a destination uniformly in the disc
 * and a speed uniformly in [v_min, v_max], walks there in a straight line, pauses for `pause`,
 * and starts again. Legs are drawn in order from the UE's own stream (MOBILITY, id), so the
 * trajectory is a function of (seed, replication, id) alone, and the position and the distance
 * travelled at time t are functions of (seed, replication, id, t): the same whatever was asked
 * before, in any order. A moving UE costs no events.
 *
 * Travelled distance s(t): the length of the path walked in [0, t] (it stands still during
 * pauses); the small-scale fading advances with it (channel.h). A static UE may be given a
 * local speed v (params.local_speed_mps): it moves about its spot, so s(t) = v t, while its
 * position, hence its distance to the base station, stays fixed.
 *
 * Queries: the current leg and the one before it are kept, so a query at or after the start of
 * the previous leg costs O(1) (plus the legs drawn to reach a later time); a query further back
 * replays the stream from the UE's placement (rng_save / rng_restore) without changing the
 * state, so it costs O(legs before t) but gives the same answer.
 *
 * Invariants: positions stay inside the disc; s(t) is continuous, non-decreasing, and
 * |position(t1) - position(t2)| <= |s(t1) - s(t2)| (equality along one leg); v_min > 0 (the
 * model's classic speed-decay pathology with v_min = 0 is refused).
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
    double local_speed_mps; /* static UEs: speed about their spot (>= 0), for s(t) only */
};

/* One leg: walk from (x0, y0) to (x1, y1) during [start, end), then pause until pause_end. */
struct mobility_leg {
    double x0, y0, x1, y1;
    int64_t start, end, pause_end;
    double s0;  /* distance travelled at `start` */
    double len; /* the leg's length */
};

struct mobility {
    struct rng rng;
    struct rng_snapshot origin; /* the stream right after the placement: replays start here */
    double home_x, home_y;      /* the placement */
    struct mobility_leg cur, prev;
    bool has_prev;
};

/* Where a UE is at a time. */
struct mobility_point {
    double x, y;
    double travelled_m; /* s(t) */
};

/* Checks parameters; NULL or what is wrong. */
const char *mobility_params_check(const struct mobility_params *p);

/* Places UE `id` uniformly in the disc (stream (MOBILITY, id)) at time 0. 0 or -ENOMEM. */
int mobility_init(struct mobility *m, const struct mobility_params *p, uint64_t seed,
                  uint32_t replication, uint64_t id);
void mobility_release(struct mobility *m);

/* The position and the distance travelled at time t (any t; t < 0 counts as 0). */
void mobility_at(struct mobility *m, const struct mobility_params *p, int64_t t_ns,
                 struct mobility_point *out);

/* The position at time t (any t). */
void mobility_position(struct mobility *m, const struct mobility_params *p, int64_t t_ns, double *x,
                       double *y);

/* Distance to the base station at time t. */
double mobility_distance(struct mobility *m, const struct mobility_params *p, int64_t t_ns);

/* Distance travelled in [0, t]. */
double mobility_travelled(struct mobility *m, const struct mobility_params *p, int64_t t_ns);

#endif
